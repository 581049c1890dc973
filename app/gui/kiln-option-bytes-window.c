/* kiln-option-bytes-window.c — the chip's option bytes
 *
 * Reading and writing run on the probe's session worker (core/job's target
 * job). Every edit only changes what the window will ask for; Write… first
 * says what changes and what that does to the chip (the engine's own words),
 * with destructive styling when it erases or unprotects, and setting read
 * protection level 2 needs a second, explicit confirmation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-option-bytes-window-private.h"
#include "kiln-target-job.h"

struct _KilnOptionBytesWindow
{
  AdwWindow          parent_instance;

  KilnSession       *session;
  KilnUsbProbeInfo  *probe;
  guint              khz;
  gboolean           under_reset;
  gboolean           ready;
  gboolean           busy;
  gboolean           updating;     /* filling the widgets: no edits */
  KilnChip          *chip;
  KilnOptionBytes    before;       /* what the chip holds */
  KilnOptionBytes    wanted;       /* what the widgets say */
  GPtrArray         *wrp_switches; /* GtkSwitch per sector position */
  char              *status;

  /* Template widgets */
  GtkButton         *write_button;
  GtkStack          *stack;
  GtkSpinner        *spinner;
  GtkLabel          *busy_label;
  AdwStatusPage     *error_page;
  AdwComboRow       *rdp_row;
  AdwPreferencesGroup *wrp_group;
  AdwPreferencesGroup *boot_group;
  AdwEntryRow       *boot0_row;
  AdwEntryRow       *boot1_row;
  AdwComboRow       *bor_row;
  AdwPreferencesGroup *wdg_group;
  AdwPreferencesGroup *bank_group;
  GtkLabel          *changes_label;

  /* Built in code */
  GtkSwitch         *iwdg_sw;
  GtkSwitch         *wwdg_sw;
  GtkSwitch         *iwdg_stop;
  GtkSwitch         *iwdg_stdby;
  GtkSwitch         *reset_stop;
  GtkSwitch         *reset_stdby;
  GtkSwitch         *dual_bank;
  GtkSwitch         *dual_boot;
  GtkSwitch         *db1m;
};

G_DEFINE_FINAL_TYPE (KilnOptionBytesWindow, kiln_option_bytes_window, ADW_TYPE_WINDOW)

enum
{
  WRITTEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* BOR combo positions, lowest threshold first */
static const KilnBorLevel bor_levels[] = { KILN_BOR_OFF, KILN_BOR_LEVEL_1, KILN_BOR_LEVEL_2, KILN_BOR_LEVEL_3 };

static void update_changes (KilnOptionBytesWindow *self);

static void
set_busy (KilnOptionBytesWindow *self,
          const char            *text)
{
  self->busy = text != NULL;
  gtk_spinner_set_spinning (self->spinner, self->busy);
  if (text != NULL)
    {
      gtk_label_set_label (self->busy_label, text);
      gtk_stack_set_visible_child_name (self->stack, "busy");
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->write_button), !self->busy && self->ready);
}

static void
show_error (KilnOptionBytesWindow *self,
            const char            *title,
            const char            *message)
{
  g_free (self->status);
  self->status = g_strdup (message);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
  self->ready = FALSE;
  set_busy (self, NULL);
}

/* ----------------------------------------------------------- widgets */

static GtkSwitch *
add_switch_row (AdwPreferencesGroup *group,
                const char          *title,
                const char          *subtitle,
                GCallback            callback,
                gpointer             user_data)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  if (callback != NULL)
    g_signal_connect_swapped (sw, "notify::active", callback, user_data);
  g_object_set_data (G_OBJECT (sw), "kiln-row", row);
  adw_preferences_group_add (group, row);
  return GTK_SWITCH (sw);
}

static void
fill_widgets (KilnOptionBytesWindow *self)
{
  const KilnOptionBytes *o = &self->wanted;
  g_autofree char *boot0 = g_strdup_printf ("0x%08X", o->boot_add0);
  g_autofree char *boot1 = g_strdup_printf ("0x%08X", o->boot_add1);

  self->updating = TRUE;
  adw_combo_row_set_selected (self->rdp_row, kiln_option_bytes_get_rdp_level (o));
  for (guint i = 0; i < self->wrp_switches->len; i++)
    gtk_switch_set_active (g_ptr_array_index (self->wrp_switches, i),
                           kiln_option_bytes_is_sector_protected (o, self->chip, i));
  for (guint i = 0; i < G_N_ELEMENTS (bor_levels); i++)
    if (bor_levels[i] == o->bor)
      adw_combo_row_set_selected (self->bor_row, i);
  gtk_editable_set_text (GTK_EDITABLE (self->boot0_row), boot0);
  gtk_editable_set_text (GTK_EDITABLE (self->boot1_row), boot1);
  gtk_switch_set_active (self->iwdg_sw, o->iwdg_sw);
  gtk_switch_set_active (self->wwdg_sw, o->wwdg_sw);
  gtk_switch_set_active (self->iwdg_stop, o->iwdg_stop);
  gtk_switch_set_active (self->iwdg_stdby, o->iwdg_stdby);
  gtk_switch_set_active (self->reset_stop, !o->nrst_stop);
  gtk_switch_set_active (self->reset_stdby, !o->nrst_stdby);
  gtk_switch_set_active (self->dual_bank, !o->ndbank);
  gtk_switch_set_active (self->dual_boot, !o->ndboot);
  gtk_switch_set_active (self->db1m, o->db1m);
  self->updating = FALSE;
}

static void
wrp_changed_cb (KilnOptionBytesWindow *self,
                GParamSpec            *pspec,
                GtkSwitch             *sw)
{
  guint position = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (sw), "kiln-position"));

  if (self->updating)
    return;
  /* In dual-bank mode one bit guards two sectors: show both. */
  kiln_option_bytes_set_sector_protected (&self->wanted, self->chip, position, gtk_switch_get_active (sw));
  fill_widgets (self);
  update_changes (self);
}

static void
field_changed_cb (KilnOptionBytesWindow *self)
{
  if (self->updating || !self->ready)
    return;
  update_changes (self);
}

static void
build_rows (KilnOptionBytesWindow *self)
{
  gboolean f7 = kiln_option_bytes_has_f7_fields (&self->before);

  for (guint i = 0; i < kiln_chip_get_n_sectors (self->chip); i++)
    {
      const KilnSector *sector = kiln_chip_get_sector (self->chip, i);
      g_autofree char *size = g_format_size_full (sector->size, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: "Sector 3" */
      g_autofree char *title = g_strdup_printf (_("Sector %u"), sector->index);
      /* Translators: "0x0800C000, 32.0 KiB" */
      g_autofree char *subtitle = g_strdup_printf (_("0x%08X, %s"), sector->address, size);
      GtkSwitch *sw = add_switch_row (self->wrp_group, title, subtitle, NULL, NULL);

      g_object_set_data (G_OBJECT (sw), "kiln-position", GUINT_TO_POINTER (i));
      g_signal_connect_object (sw, "notify::active", G_CALLBACK (wrp_changed_cb), self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->wrp_switches, sw);
    }

  self->iwdg_sw = add_switch_row (self->wdg_group, _("Independent watchdog started by software"),
                                  _("Off: the hardware starts it at every reset"), G_CALLBACK (field_changed_cb), self);
  self->wwdg_sw = add_switch_row (self->wdg_group, _("Window watchdog started by software"),
                                  _("Off: the hardware starts it at every reset"), G_CALLBACK (field_changed_cb), self);
  self->iwdg_stop = add_switch_row (self->wdg_group, _("Independent watchdog counts in Stop mode"), NULL,
                                    G_CALLBACK (field_changed_cb), self);
  self->iwdg_stdby = add_switch_row (self->wdg_group, _("Independent watchdog counts in Standby mode"), NULL,
                                     G_CALLBACK (field_changed_cb), self);
  self->reset_stop = add_switch_row (self->wdg_group, _("Reset when entering Stop mode"), NULL,
                                     G_CALLBACK (field_changed_cb), self);
  self->reset_stdby = add_switch_row (self->wdg_group, _("Reset when entering Standby mode"), NULL,
                                      G_CALLBACK (field_changed_cb), self);
  self->dual_bank = add_switch_row (self->bank_group, _("Dual-bank mode"),
                                    _("Changes the sector layout: program the flash again afterwards"),
                                    G_CALLBACK (field_changed_cb), self);
  self->dual_boot = add_switch_row (self->bank_group, _("Dual boot"),
                                    _("Boot from either bank"), G_CALLBACK (field_changed_cb), self);
  self->db1m = add_switch_row (self->bank_group, _("Two banks of 512 KiB (DB1M)"),
                               _("Renumbers the sectors (0–7 and 12–19): program the flash again afterwards"),
                               G_CALLBACK (field_changed_cb), self);

  gtk_widget_set_visible (g_object_get_data (G_OBJECT (self->wwdg_sw), "kiln-row"), f7);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (self->iwdg_stop), "kiln-row"), f7);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (self->iwdg_stdby), "kiln-row"), f7);
  gtk_widget_set_visible (GTK_WIDGET (self->boot_group), f7);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (self->dual_bank), "kiln-row"),
                          kiln_option_bytes_has_ndbank (&self->before));
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (self->dual_boot), "kiln-row"),
                          kiln_option_bytes_has_ndbank (&self->before));
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (self->db1m), "kiln-row"),
                          kiln_option_bytes_has_db1m (&self->before, self->chip));
  gtk_widget_set_visible (GTK_WIDGET (self->bank_group), kiln_option_bytes_has_ndbank (&self->before)
                                                         || kiln_option_bytes_has_db1m (&self->before, self->chip));
  g_signal_connect_object (self->rdp_row, "notify::selected", G_CALLBACK (field_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->bor_row, "notify::selected", G_CALLBACK (field_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->boot0_row, "changed", G_CALLBACK (field_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->boot1_row, "changed", G_CALLBACK (field_changed_cb), self, G_CONNECT_SWAPPED);
}

/* ------------------------------------------------- what the edits ask */

static char *
dup_sector_list (KilnOptionBytesWindow *self,
                 const KilnOptionBytes *o)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < kiln_chip_get_n_sectors (self->chip); i++)
    if (kiln_option_bytes_is_sector_protected (o, self->chip, i))
      g_string_append_printf (list, "%s%u", list->len ? "," : "", kiln_chip_get_sector (self->chip, i)->index);
  return g_strdup (list->len ? list->str : "none");
}

static void
builder_take (GStrvBuilder *builder,
              char         *value)
{
  g_strv_builder_add (builder, value);
  g_free (value);
}

GStrv
_kiln_option_bytes_window_dup_assignments (KilnOptionBytesWindow *self)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  const KilnOptionBytes *o = &self->before;
  guint rdp = adw_combo_row_get_selected (self->rdp_row);
  KilnBorLevel bor = bor_levels[MIN (adw_combo_row_get_selected (self->bor_row), G_N_ELEMENTS (bor_levels) - 1)];
  g_autofree char *wrp_before = dup_sector_list (self, o);
  g_autofree char *wrp_after = dup_sector_list (self, &self->wanted);

  if (!self->ready)
    return g_strv_builder_end (b);
  if (rdp != kiln_option_bytes_get_rdp_level (o))
    builder_take (b, g_strdup_printf ("rdp=%u", rdp));
  if (g_strcmp0 (wrp_before, wrp_after) != 0)
    builder_take (b, g_strdup_printf ("wrp=%s", wrp_after));
  if (bor != o->bor)
    builder_take (b, g_strdup_printf ("bor=%s", bor == KILN_BOR_OFF ? "off" : bor == KILN_BOR_LEVEL_1 ? "1"
                                                      : bor == KILN_BOR_LEVEL_2 ? "2" : "3"));
  if (gtk_switch_get_active (self->iwdg_sw) != o->iwdg_sw)
    g_strv_builder_add (b, gtk_switch_get_active (self->iwdg_sw) ? "iwdg=software" : "iwdg=hardware");
  if (gtk_switch_get_active (self->reset_stop) != !o->nrst_stop)
    g_strv_builder_add (b, gtk_switch_get_active (self->reset_stop) ? "reset-on-stop=yes" : "reset-on-stop=no");
  if (gtk_switch_get_active (self->reset_stdby) != !o->nrst_stdby)
    g_strv_builder_add (b, gtk_switch_get_active (self->reset_stdby) ? "reset-on-standby=yes" : "reset-on-standby=no");
  if (kiln_option_bytes_has_f7_fields (o))
    {
      const char *boot[2] = { gtk_editable_get_text (GTK_EDITABLE (self->boot0_row)),
                              gtk_editable_get_text (GTK_EDITABLE (self->boot1_row)) };
      guint32 was[2] = { o->boot_add0, o->boot_add1 };

      if (gtk_switch_get_active (self->wwdg_sw) != o->wwdg_sw)
        g_strv_builder_add (b, gtk_switch_get_active (self->wwdg_sw) ? "wwdg=software" : "wwdg=hardware");
      if (gtk_switch_get_active (self->iwdg_stop) != o->iwdg_stop)
        g_strv_builder_add (b, gtk_switch_get_active (self->iwdg_stop) ? "iwdg-stop=run" : "iwdg-stop=freeze");
      if (gtk_switch_get_active (self->iwdg_stdby) != o->iwdg_stdby)
        g_strv_builder_add (b, gtk_switch_get_active (self->iwdg_stdby) ? "iwdg-standby=run" : "iwdg-standby=freeze");
      for (guint i = 0; i < 2; i++)
        {
          g_autofree char *same = g_strdup_printf ("0x%08X", was[i]);

          if (g_ascii_strcasecmp (boot[i], same) != 0)
            builder_take (b, g_strdup_printf ("boot-add%u=%s", i, boot[i]));
        }
    }
  if (kiln_option_bytes_has_ndbank (o))
    {
      if (gtk_switch_get_active (self->dual_bank) != !o->ndbank)
        g_strv_builder_add (b, gtk_switch_get_active (self->dual_bank) ? "dual-bank=on" : "dual-bank=off");
      if (gtk_switch_get_active (self->dual_boot) != !o->ndboot)
        g_strv_builder_add (b, gtk_switch_get_active (self->dual_boot) ? "dual-boot=on" : "dual-boot=off");
    }
  if (kiln_option_bytes_has_db1m (o, self->chip) && gtk_switch_get_active (self->db1m) != o->db1m)
    g_strv_builder_add (b, gtk_switch_get_active (self->db1m) ? "db1m=1" : "db1m=0");
  return g_strv_builder_end (b);
}

/* What the chip would hold after the edits; FALSE with @error when an
 * entry is not a value the chip can take. */
static gboolean
compute_wanted (KilnOptionBytesWindow *self,
                GStrv                  assignments,
                KilnOptionBytes       *wanted,
                GError               **error)
{
  *wanted = self->before;
  for (guint i = 0; assignments[i] != NULL; i++)
    if (!kiln_option_bytes_set (wanted, self->chip, assignments[i], error))
      return FALSE;
  return TRUE;
}

static void
update_changes (KilnOptionBytesWindow *self)
{
  g_auto(GStrv) assignments = _kiln_option_bytes_window_dup_assignments (self);
  g_autoptr(GError) error = NULL;
  KilnOptionBytes wanted;

  gtk_widget_remove_css_class (GTK_WIDGET (self->changes_label), "error");
  if (!compute_wanted (self, assignments, &wanted, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->changes_label), "error");
      gtk_label_set_label (self->changes_label, error->message);
      gtk_widget_set_sensitive (GTK_WIDGET (self->write_button), FALSE);
      return;
    }
  {
    g_autoptr(GPtrArray) changes = kiln_option_bytes_dup_changes (&self->before, &wanted, self->chip);
    g_autoptr(GString) text = g_string_new (NULL);

    for (guint i = 0; i < changes->len; i++)
      g_string_append_printf (text, "%s%s", i ? "\n" : "", (char *) g_ptr_array_index (changes, i));
    KilnOptionImpact impact = kiln_option_bytes_get_impact (&self->before, &wanted);
    /* Styled as what it does: erasing, unprotecting or locking is destructive. */
    gboolean destructive = changes->len > 0
                           && (impact & (KILN_OPTION_IMPACT_ERASES_FLASH | KILN_OPTION_IMPACT_IRREVERSIBLE
                                         | KILN_OPTION_IMPACT_UNPROTECT | KILN_OPTION_IMPACT_READ_PROTECT
                                         | KILN_OPTION_IMPACT_LAYOUT)) != 0;

    gtk_label_set_label (self->changes_label, changes->len ? text->str : _("Nothing changed yet."));
    gtk_widget_set_sensitive (GTK_WIDGET (self->write_button), changes->len > 0 && !self->busy && self->ready);
    if (destructive)
      {
        gtk_widget_remove_css_class (GTK_WIDGET (self->write_button), "suggested-action");
        gtk_widget_add_css_class (GTK_WIDGET (self->write_button), "destructive-action");
      }
    else
      {
        gtk_widget_remove_css_class (GTK_WIDGET (self->write_button), "destructive-action");
        gtk_widget_add_css_class (GTK_WIDGET (self->write_button), "suggested-action");
      }
  }
}

/* --------------------------------------------------------------- jobs */

static void read_options (KilnOptionBytesWindow *self);

typedef struct
{
  KilnOptionBytesWindow *self;
  KilnTargetJob         *job;  /* freed by the session after the callback */
} Call;

/* Takes @call apart and finishes its job: returns the window (a reference
 * for the caller) with the job in @job, or NULL once the failure is shown
 * under @failed_title. */
static KilnOptionBytesWindow *
call_finish (GObject        *source,
             GAsyncResult   *result,
             Call           *call,
             const char     *failed_title,
             KilnTargetJob **job)
{
  KilnOptionBytesWindow *self = call->self;
  g_autoptr(GError) error = NULL;

  *job = call->job;
  g_free (call);
  if (!kiln_session_run_finish (KILN_SESSION (source), result, &error))
    {
      show_error (self, failed_title, error->message);
      g_object_unref (self);
      return NULL;
    }
  return self;
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  KilnTargetJob *job;
  g_autoptr(KilnOptionBytesWindow) self = call_finish (source, result, user_data,
                                                       _("The Option Bytes Were Not Written"), &job);

  if (self == NULL)
    return;
  {
    g_autoptr(GString) text = g_string_new (job->options_written ? _("The option bytes were written and read back.")
                                                                 : _("The chip already held these values: nothing was written."));

    for (guint i = 0; job->consequences != NULL && i < job->consequences->len; i++)
      g_string_append_printf (text, "\n%s", (char *) g_ptr_array_index (job->consequences, i));
    g_free (self->status);
    self->status = g_string_free (g_steal_pointer (&text), FALSE);
  }
  g_signal_emit (self, signals[WRITTEN], 0, self->status);
  /* Show what the chip holds now. */
  read_options (self);
}

static void
run_write (KilnOptionBytesWindow *self,
           gboolean               irreversible)
{
  g_auto(GStrv) assignments = _kiln_option_bytes_window_dup_assignments (self);
  KilnTargetJob *job = kiln_target_job_new (KILN_TARGET_JOB_OPTION_BYTES_WRITE, self->probe);
  Call *call = g_new0 (Call, 1);
  KilnOptionBytes wanted;

  job->probe.khz = self->khz;
  job->probe.under_reset = self->under_reset;
  job->assignments = g_steal_pointer (&assignments);
  job->confirm = TRUE;
  job->irreversible = irreversible;
  compute_wanted (self, job->assignments, &wanted, NULL);
  set_busy (self, kiln_option_bytes_get_impact (&self->before, &wanted) & KILN_OPTION_IMPACT_ERASES_FLASH
                  ? _("Erasing the chip and writing the option bytes… This can take half a minute; keep the board powered.")
                  : _("Writing the option bytes…"));
  call->self = g_object_ref (self);
  call->job = job;
  kiln_session_run_async (self->session, kiln_target_job_run, job, (GDestroyNotify) kiln_target_job_free, NULL, NULL,
                          write_done_cb, call);
}

static void
irreversible_response_cb (AdwMessageDialog      *dialog,
                          const char            *response,
                          KilnOptionBytesWindow *self)
{
  if (g_strcmp0 (response, "level2") == 0)
    run_write (self, TRUE);
}

static void
understood_toggled_cb (GtkCheckButton   *check,
                       AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "level2", gtk_check_button_get_active (check));
}

/* Read protection level 2: a second question, answered on purpose. */
static void
confirm_irreversible (KilnOptionBytesWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Disable Debugging for Good?"),
                                              _("Read protection level 2 can never be undone. No probe, Kiln included, will ever "
                                                "read, program, erase or debug this chip again; only its own firmware can "
                                                "update itself."));
  GtkWidget *check = gtk_check_button_new_with_mnemonic (_("I _understand that this chip can never be debugged or programmed through SWD again"));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "level2", _("Set _Level 2"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "level2", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "level2", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), check);
  g_signal_connect_object (check, "toggled", G_CALLBACK (understood_toggled_cb), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (irreversible_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
confirm_response_cb (AdwMessageDialog      *dialog,
                     const char            *response,
                     KilnOptionBytesWindow *self)
{
  gboolean level2 = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "kiln-level2"));

  if (g_strcmp0 (response, "write") != 0)
    return;
  if (level2)
    confirm_irreversible (self);
  else
    run_write (self, FALSE);
}

static void
write_clicked_cb (KilnOptionBytesWindow *self)
{
  g_auto(GStrv) assignments = _kiln_option_bytes_window_dup_assignments (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) consequences = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  KilnOptionBytes wanted;
  KilnOptionImpact impact;
  const char *heading, *label;
  gboolean destructive;
  GtkWidget *dialog;

  if (self->busy || !self->ready)
    return;
  if (!compute_wanted (self, assignments, &wanted, &error))
    {
      update_changes (self);
      return;
    }
  changes = kiln_option_bytes_dup_changes (&self->before, &wanted, self->chip);
  consequences = kiln_option_bytes_dup_consequences (&self->before, &wanted, self->chip);
  impact = kiln_option_bytes_get_impact (&self->before, &wanted);
  if (changes->len == 0)
    return;

  if (impact & KILN_OPTION_IMPACT_ERASES_FLASH)
    {
      heading = _("Erase the Whole Chip?");
      label = _("_Erase Chip and Write");
    }
  else if (impact & KILN_OPTION_IMPACT_IRREVERSIBLE)
    {
      heading = _("Set Read Protection Level 2?");
      label = _("_Continue…");
    }
  else
    {
      heading = _("Write Option Bytes?");
      label = _("_Write");
    }
  destructive = (impact & (KILN_OPTION_IMPACT_ERASES_FLASH | KILN_OPTION_IMPACT_IRREVERSIBLE | KILN_OPTION_IMPACT_UNPROTECT
                           | KILN_OPTION_IMPACT_READ_PROTECT | KILN_OPTION_IMPACT_LAYOUT)) != 0;

  for (guint i = 0; i < changes->len; i++)
    g_string_append_printf (body, "• %s\n", (char *) g_ptr_array_index (changes, i));
  for (guint i = 0; i < consequences->len; i++)
    g_string_append_printf (body, "%s%s", i == 0 ? "\n" : "\n", (char *) g_ptr_array_index (consequences, i));

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "write", label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "write",
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "kiln-level2",
                     GUINT_TO_POINTER ((impact & KILN_OPTION_IMPACT_IRREVERSIBLE) != 0));
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  KilnTargetJob *job;
  g_autoptr(KilnOptionBytesWindow) self = call_finish (source, result, user_data,
                                                       _("The Option Bytes Could Not Be Read"), &job);
  gboolean first;

  if (self == NULL)
    return;
  first = self->chip == NULL;
  /* A layout change (dual-bank or DB1M) gives the chip new sectors: build anew. */
  if (!first && kiln_chip_get_n_sectors (job->chip) != kiln_chip_get_n_sectors (self->chip))
    {
      show_error (self, _("The Flash Layout Changed"),
                  _("The chip now has a different sector layout. Close this window and open Option Bytes again."));
      return;
    }
  g_set_object (&self->chip, job->chip);
  self->before = job->options_before;
  self->wanted = job->options_before;
  if (first)
    build_rows (self);
  self->ready = TRUE;
  fill_widgets (self);
  gtk_stack_set_visible_child_name (self->stack, "options");
  set_busy (self, NULL);
  update_changes (self);
}

static void
read_options (KilnOptionBytesWindow *self)
{
  KilnTargetJob *job = kiln_target_job_new (KILN_TARGET_JOB_OPTION_BYTES_READ, self->probe);
  Call *call = g_new0 (Call, 1);

  job->probe.khz = self->khz;
  job->probe.under_reset = self->under_reset;
  self->ready = FALSE;
  set_busy (self, _("Reading the option bytes…"));
  call->self = g_object_ref (self);
  call->job = job;
  kiln_session_run_async (self->session, kiln_target_job_run, job, (GDestroyNotify) kiln_target_job_free, NULL, NULL,
                          read_done_cb, call);
}

/* ------------------------------------------------------------- object */

KilnOptionBytesWindow *
kiln_option_bytes_window_new (GtkWindow        *parent,
                              KilnSession      *session,
                              KilnUsbProbeInfo *probe,
                              guint             khz,
                              gboolean          under_reset)
{
  KilnOptionBytesWindow *self = g_object_new (KILN_TYPE_OPTION_BYTES_WINDOW, "transient-for", parent, NULL);

  self->session = g_object_ref (session);
  self->probe = g_object_ref (probe);
  self->khz = khz;
  self->under_reset = under_reset;
  read_options (self);
  return self;
}

gboolean
_kiln_option_bytes_window_is_ready (KilnOptionBytesWindow *self)
{
  return self->ready && !self->busy;
}

void
_kiln_option_bytes_window_set_rdp (KilnOptionBytesWindow *self,
                                   guint                  level)
{
  adw_combo_row_set_selected (self->rdp_row, level);
}

void
_kiln_option_bytes_window_set_protected (KilnOptionBytesWindow *self,
                                         guint                  position,
                                         gboolean               protect)
{
  gtk_switch_set_active (g_ptr_array_index (self->wrp_switches, position), protect);
}

const char *
_kiln_option_bytes_window_get_status (KilnOptionBytesWindow *self)
{
  return self->status;
}

void
_kiln_option_bytes_window_set_boot (KilnOptionBytesWindow *self,
                                    guint                  which,
                                    const char            *text)
{
  gtk_editable_set_text (GTK_EDITABLE (which == 0 ? self->boot0_row : self->boot1_row), text);
}

const char *
_kiln_option_bytes_window_get_changes (KilnOptionBytesWindow *self)
{
  return gtk_label_get_label (self->changes_label);
}

gboolean
_kiln_option_bytes_window_can_write (KilnOptionBytesWindow *self)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (self->write_button));
}

void
_kiln_option_bytes_window_write (KilnOptionBytesWindow *self)
{
  write_clicked_cb (self);
}

static void
kiln_option_bytes_window_finalize (GObject *object)
{
  KilnOptionBytesWindow *self = KILN_OPTION_BYTES_WINDOW (object);

  g_clear_object (&self->session);
  g_clear_object (&self->probe);
  g_clear_object (&self->chip);
  g_clear_pointer (&self->wrp_switches, g_ptr_array_unref);
  g_clear_pointer (&self->status, g_free);
  G_OBJECT_CLASS (kiln_option_bytes_window_parent_class)->finalize (object);
}

static void
kiln_option_bytes_window_class_init (KilnOptionBytesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kiln_option_bytes_window_finalize;

  /* After a write, with what was done in words. */
  signals[WRITTEN] = g_signal_new ("written", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kiln/Kiln/kiln-option-bytes-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, write_button);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, busy_label);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, rdp_row);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, wrp_group);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, boot_group);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, boot0_row);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, boot1_row);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, bor_row);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, wdg_group);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, bank_group);
  gtk_widget_class_bind_template_child (widget_class, KilnOptionBytesWindow, changes_label);
  gtk_widget_class_bind_template_callback (widget_class, write_clicked_cb);
}

GtkWidget *
_kiln_option_bytes_window_get_write_button (KilnOptionBytesWindow *self)
{
  return GTK_WIDGET (self->write_button);
}

GtkWidget *
_kiln_option_bytes_window_get_db1m_switch (KilnOptionBytesWindow *self)
{
  return GTK_WIDGET (self->db1m);
}

/* The level list shows each choice whole (the default cuts long ones). */
static void
level_item_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_list_item_set_child (item, label);
}

static void
level_item_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

static void
kiln_option_bytes_window_init (KilnOptionBytesWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->wrp_switches = g_ptr_array_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (level_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (level_item_bind_cb), NULL);
  adw_combo_row_set_list_factory (self->rdp_row, factory);
  adw_combo_row_set_use_subtitle (self->rdp_row, TRUE);
}
