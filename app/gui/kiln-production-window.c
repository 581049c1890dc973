/* kiln-production-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-line-view-private.h"
#include "kiln-production-line-private.h"
#include "kiln-production-window-private.h"
#include "kiln-production-signature.h"
#include "kiln-profile-editor-private.h"
#include "kiln-production-lockdown-private.h"
#include "kiln-usb-monitor.h"

struct _KilnProductionWindow
{
  AdwApplicationWindow   parent_instance;

  AdwWindowTitle        *window_title;
  GtkSwitch             *auto_switch;
  GtkWidget             *auto_box;
  GtkWidget             *open_button;
  GtkWidget             *export_button;
  GtkWidget             *operator_button;
  GtkLabel              *file_label;
  GtkLabel              *last_label;
  GtkWidget             *counters_box;
  GtkLabel              *pass_count_label;
  GtkLabel              *fail_count_label;
  GtkLabel              *yield_count_label;
  GtkBox                *slots_box;
  AdwStatusPage         *no_probe_page;
  GtkLabel              *hint_label;
  GtkEntry              *operator_entry;

  gboolean               simulator;
  char                  *record_path;
  char                  *station;
  KilnSimBench          *bench;
  KilnUsbMonitor        *monitor;
  KilnProductionProfile *profile;
  KilnProductionRecord  *record;
  KilnSerialAllocator   *allocator;
  GPtrArray             *slots;       /* KilnProductionSlot */
  char                  *problem;     /* why nothing can start, or NULL */
  gboolean               problem_fails; /* shown as FAIL (else as a hint) */
  guint                  next_slot;   /* the number the next slot gets */
  guint                  passed;
  guint                  failed;
  GHashTable            *first_outcome; /* chip UID → its first board's PASS */
  guint                  first_passed;  /* boards that passed the first time */
  GCancellable          *start_cancellable; /* probes being found; NULL once ready */
  KilnProductionLockdown *lockdown;   /* operator mode */
  gboolean               large;       /* a large screen: larger type */
  guint                  large_idle;
  KilnProductionLine    *line;        /* the line database of the settings */
};

G_DEFINE_FINAL_TYPE (KilnProductionWindow, kiln_production_window, ADW_TYPE_APPLICATION_WINDOW)

/* PASS, FAIL and the first-pass yield, large: read from the operator's seat. */
static void
update_counters (KilnProductionWindow *self)
{
  guint boards = g_hash_table_size (self->first_outcome);
  g_autofree char *pass = g_strdup_printf ("%u", self->passed);
  g_autofree char *fail = g_strdup_printf ("%u", self->failed);
  g_autofree char *yield = NULL;
  g_autofree char *text = NULL;

  if (boards == 0)
    {
      yield = g_strdup ("—");
      /* Translators: the shift's counters in the production view */
      text = g_strdup_printf (_("PASS %u · FAIL %u"), self->passed, self->failed);
    }
  else
    {
      guint percent = (guint) (100.0 * self->first_passed / boards + 0.5);

      yield = g_strdup_printf ("%u %%", percent);
      /* Translators: the shift's counters and its first-pass yield: the share of
       * boards (told apart by their chip UID) that passed at their first try */
      text = g_strdup_printf (_("PASS %u · FAIL %u · first-pass yield %u %%"), self->passed, self->failed, percent);
    }
  gtk_label_set_label (self->pass_count_label, pass);
  gtk_label_set_label (self->fail_count_label, fail);
  gtk_label_set_label (self->yield_count_label, yield);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->counters_box), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static gboolean
needs_ack (KilnProductionWindow *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    if (kiln_production_slot_needs_ack (g_ptr_array_index (self->slots, i)))
      return TRUE;
  return FALSE;
}

/* The line under the slots says what Space and Enter do now. */
static void
update_hint (KilnProductionWindow *self)
{
  gtk_label_set_label (self->hint_label,
                       needs_ack (self) ? _("Do what the FAIL asks, then press Space or Enter (or click Done) to go on")
                                        : _("Press Space or Enter to program"));
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label),
                          self->problem == NULL && kiln_production_line_get_problem (self->line) == NULL
                          && self->slots->len > 0);
}

/* The profile's problem first; then the line database's (being connected,
 * or lost: one line saying what happened and what to do, shown as NOT READY
 * since no board was touched). */
static void
update_blocked (KilnProductionWindow *self)
{
  const char *problem = self->problem != NULL ? self->problem : kiln_production_line_get_problem (self->line);
  gboolean fails = self->problem != NULL && (self->profile != NULL || self->problem_fails);

  for (guint i = 0; i < self->slots->len; i++)
    kiln_production_slot_set_blocked (g_ptr_array_index (self->slots, i), problem, fails);
  update_hint (self);
}

/* The Line views opened from this station show the board just recorded. */
static void
refresh_line_views (KilnProductionWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (KILN_IS_LINE_VIEW (window) && gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (self))
        kiln_line_view_refresh (KILN_LINE_VIEW (window));
    }
}

static void
slot_finished_cb (KilnProductionSlot   *slot,
                  gboolean              recorded,
                  KilnProductionWindow *self)
{
  const KilnProductionEntry *entry = kiln_production_slot_get_entry (slot);

  if (recorded && entry != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *time = g_date_time_format (now, "%X");
      g_autofree char *last = NULL;

      if (entry->pass)
        self->passed++;
      else
        self->failed++;
      if (entry->chip_uid != NULL && !g_hash_table_contains (self->first_outcome, entry->chip_uid))
        {
          g_hash_table_insert (self->first_outcome, g_strdup (entry->chip_uid), GINT_TO_POINTER (entry->pass));
          self->first_passed += entry->pass;
        }
      /* Translators: the last board in the production view: its chip UID and when it was done */
      last = g_strdup_printf (_("Last board: UID %s at %s"), entry->chip_uid ? entry->chip_uid : "?", time);
      gtk_label_set_label (self->last_label, last);
      update_counters (self);
      refresh_line_views (self);
    }
  else
    {
      /* The record failed: nothing more may be programmed. */
      g_free (self->problem);
      self->problem = g_strdup (_("The record database failed: no board is programmed without its record"));
      gtk_switch_set_active (self->auto_switch, FALSE);
    }

  /* A FAIL waits for the operator's key (the slot refuses to arm). */
  if (self->problem == NULL && gtk_switch_get_active (self->auto_switch))
    kiln_production_slot_arm (slot, TRUE);
  update_hint (self);
}

/* A FAIL confirmed with a click on its slot. */
static void
slot_acknowledged_cb (KilnProductionSlot   *slot,
                      KilnProductionWindow *self)
{
  if (self->problem == NULL && self->profile != NULL && gtk_switch_get_active (self->auto_switch))
    kiln_production_slot_arm (slot, FALSE);
  update_hint (self);
}

static KilnProductionJob *
new_job (KilnProductionWindow *self,
         KilnProductionSlot   *slot)
{
  KilnProductionJob *job = kiln_production_job_new (self->profile, self->record, self->allocator,
                                                    kiln_production_slot_get_info (slot), self->station);
  g_autofree char *operator_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->operator_entry))));
  guint index = 0;

  if (g_ptr_array_find (self->slots, slot, &index))
    job->slot = g_strdup_printf ("%u", index + 1);
  if (*operator_name != '\0')
    job->operator_name = g_steal_pointer (&operator_name);
  return job;
}

static void
slot_board_ready_cb (KilnProductionSlot   *slot,
                     KilnProductionWindow *self)
{
  if (self->problem == NULL && self->profile != NULL)
    kiln_production_slot_start (slot, new_job (self, slot));
}

void
kiln_production_window_start (KilnProductionWindow *self)
{
  g_return_if_fail (KILN_IS_PRODUCTION_WINDOW (self));

  if (self->problem != NULL || self->profile == NULL)
    return;
  /* The line database lost: this key press tries it again. */
  if (kiln_production_line_get_problem (self->line) != NULL)
    {
      kiln_production_line_retry (self->line);
      return;
    }
  /* A failed board is confirmed first: this key press starts nothing. */
  if (needs_ack (self))
    {
      for (guint i = 0; i < self->slots->len; i++)
        {
          KilnProductionSlot *slot = g_ptr_array_index (self->slots, i);

          /* The key says the failed board was dealt with: the board in
           * the socket now is the next one (the bench or the line may have
           * swapped it while the FAIL was shown). */
          if (kiln_production_slot_acknowledge (slot) && gtk_switch_get_active (self->auto_switch))
            kiln_production_slot_arm (slot, FALSE);
        }
      update_hint (self);
      return;
    }
  for (guint i = 0; i < self->slots->len; i++)
    {
      KilnProductionSlot *slot = g_ptr_array_index (self->slots, i);

      if (!kiln_production_slot_is_busy (slot))
        kiln_production_slot_start (slot, new_job (self, slot));
    }
}

/* Space and Enter start the boards (or confirm a FAIL) whatever has the
 * focus: the window takes them before any button or switch could. Only an
 * open menu keeps them, for its items. */
static gboolean
key_pressed_cb (KilnProductionWindow  *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  GtkWidget *focus;

  if (keyval != GDK_KEY_space && keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter
      && keyval != GDK_KEY_ISO_Enter && keyval != GDK_KEY_KP_Space)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL)
    return FALSE;
  kiln_production_window_start (self);
  return TRUE;
}

void
kiln_production_window_set_auto_start (KilnProductionWindow *self,
                                       gboolean              auto_start)
{
  gtk_switch_set_active (self->auto_switch, auto_start);
}

static void
auto_switch_cb (KilnProductionWindow *self)
{
  gboolean active = gtk_switch_get_active (self->auto_switch);

  for (guint i = 0; i < self->slots->len; i++)
    {
      KilnProductionSlot *slot = g_ptr_array_index (self->slots, i);

      kiln_production_slot_set_auto_start (slot, active);
      if (active && self->problem == NULL && self->profile != NULL)
        kiln_production_slot_arm (slot, FALSE);
      else if (!active)
        kiln_production_slot_disarm (slot);
    }
}

static void
update_slots_layout (KilnProductionWindow *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      kiln_production_slot_set_compact (g_ptr_array_index (self->slots, i), self->slots->len > 2);
      kiln_production_slot_set_large (g_ptr_array_index (self->slots, i), self->large);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->slots_box), self->slots->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_probe_page), self->slots->len == 0);
  update_blocked (self);
}

/* One slot per probe: the attached ST-LINKs and, on the simulator, the
 * bench's probes, as they come and go. */
static void
probe_added_cb (KilnProductionWindow *self,
                KilnUsbProbeInfo     *info)
{
  KilnProductionSlot *slot;

  if (!kiln_usb_probe_info_can_open (info))
    return;
  for (guint i = 0; i < self->slots->len; i++)
    if (kiln_production_slot_get_info (g_ptr_array_index (self->slots, i)) == info)
      return;
  slot = kiln_production_slot_new (info, ++self->next_slot);
  kiln_production_slot_set_auto_start (slot, gtk_switch_get_active (self->auto_switch));
  g_signal_connect_object (slot, "finished", G_CALLBACK (slot_finished_cb), self, 0);
  g_signal_connect_object (slot, "board-ready", G_CALLBACK (slot_board_ready_cb), self, 0);
  g_signal_connect_object (slot, "acknowledged", G_CALLBACK (slot_acknowledged_cb), self, 0);
  gtk_box_append (self->slots_box, GTK_WIDGET (slot));
  g_ptr_array_add (self->slots, slot);
  update_slots_layout (self);
  if (self->problem == NULL && self->profile != NULL && gtk_switch_get_active (self->auto_switch))
    kiln_production_slot_arm (slot, FALSE);
}

static void
probe_removed_cb (KilnProductionWindow *self,
                  KilnUsbProbeInfo     *info)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      KilnProductionSlot *slot = g_ptr_array_index (self->slots, i);

      if (kiln_production_slot_get_info (slot) != info)
        continue;
      /* A job in progress ends on its own (the probe is gone) and is
       * recorded; the slot leaves the view now. */
      kiln_production_slot_cancel (slot);
      g_ptr_array_remove_index (self->slots, i);
      gtk_box_remove (self->slots_box, GTK_WIDGET (slot));
      break;
    }
  update_slots_layout (self);
}

static void
leave_operator_mode_action (GtkWidget  *widget,
                            const char *name,
                            GVariant   *param)
{
  kiln_production_lockdown_ask (KILN_PRODUCTION_WINDOW (widget)->lockdown);
}

gboolean
kiln_production_window_get_operator_mode (KilnProductionWindow *self)
{
  return kiln_production_lockdown_is_on (self->lockdown);
}

gboolean
kiln_production_window_open_profile (KilnProductionWindow  *self,
                                     const char            *path,
                                     GError               **error)
{
  g_autoptr(KilnProductionProfile) profile = NULL;
  g_autoptr(KilnProductionProfile) checked = NULL;
  g_autoptr(GArray) trusted = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GError) unsigned_error = NULL;
  g_autofree char *file_text = NULL;
  g_autofree char *firmware = NULL;

  g_return_val_if_fail (KILN_IS_PRODUCTION_WINDOW (self), FALSE);

  profile = kiln_production_profile_load (path, &local);
  if (profile == NULL && self->profile == NULL)
    {
      /* Shown where the operator looks, and returned. */
      g_free (self->problem);
      self->problem = g_strdup (local->message);
      self->problem_fails = TRUE;
      update_blocked (self);
    }
  if (profile == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (self->record == NULL)
    {
      self->record = kiln_production_record_open (self->record_path, &local);
      if (self->record == NULL)
        {
          g_free (self->problem);
          self->problem = g_strdup (local->message);
          self->problem_fails = TRUE;
          update_blocked (self);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      kiln_production_line_attach (self->line, self->record);
    }

  /* Only a profile signed by a key in the station's trusted-keys folder runs. */
  trusted = kiln_production_trust_load (NULL, TRUE, &unsigned_error);
  if (trusted != NULL)
    checked = kiln_production_profile_load_signed (path, trusted, &unsigned_error);
  if (checked != NULL)
    g_set_object (&profile, checked);

  g_set_object (&self->profile, profile);
  g_clear_object (&self->allocator);
  if (kiln_production_profile_get_serial (profile)->source != KILN_SERIAL_SOURCE_NONE)
    {
      g_autofree char *list = kiln_production_profile_dup_list_path (profile);

      self->allocator = kiln_serial_allocator_new (self->record, kiln_production_profile_get_serial (profile), list);
    }

  /* Operator mode comes only from a signed profile: the signature covers it. */
  if (checked != NULL && kiln_production_profile_get_operator (profile)->mode)
    kiln_production_lockdown_enter (self->lockdown, kiln_production_profile_get_operator (profile)->engineer_password);

  g_clear_pointer (&self->problem, g_free);
  if (checked == NULL)
    self->problem = g_strdup (unsigned_error->message);
  else if ((image = kiln_production_profile_load_image (profile, &local)) == NULL)
    self->problem = g_strdup (local->message);

  adw_window_title_set_subtitle (self->window_title, kiln_production_profile_get_name (profile)
                                                       ? kiln_production_profile_get_name (profile)
                                                       : path);
  firmware = kiln_production_profile_dup_firmware_path (profile);
  {
    g_autofree char *base = g_path_get_basename (firmware ? firmware : "");

    /* Translators: the production view's file line: the firmware's name and the start of its SHA-256 */
    file_text = g_strdup_printf (_("%s · SHA-256 %.16s…"), base,
                                 kiln_production_profile_get_sha256 (profile) ? kiln_production_profile_get_sha256 (profile)
                                                                              : "—");
  }
  gtk_label_set_label (self->file_label, file_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_label), kiln_production_profile_get_sha256 (profile));
  update_blocked (self);
  return TRUE;
}

/* Actions */

static void
start_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  kiln_production_window_start (KILN_PRODUCTION_WINDOW (widget));
}

static void
open_response_cb (GtkNativeDialog      *dialog,
                  int                   response,
                  KilnProductionWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      /* A profile that cannot be read is shown in the slots. */
      if (path != NULL)
        kiln_production_window_open_profile (self, path, &error);
    }
  g_object_unref (dialog);
}

static void
open_profile_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Open a Production Profile"), GTK_WINDOW (widget),
                                                              GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Production profiles"));
  gtk_file_filter_add_pattern (filter, "*.kiln-profile");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_signal_connect (dialog, "response", G_CALLBACK (open_response_cb), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
export_response_cb (GtkNativeDialog      *dialog,
                    int                   response,
                    KilnProductionWindow *self)
{
  KilnProductionExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));

  if (response == GTK_RESPONSE_ACCEPT && self->record != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;
      g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);

      if (out == NULL || !kiln_production_record_export (self->record, format, G_OUTPUT_STREAM (out), &error)
          || !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error))
        {
          AdwMessageDialog *message = ADW_MESSAGE_DIALOG (
            adw_message_dialog_new (GTK_WINDOW (self), _("The Record Was Not Exported"), error->message));

          adw_message_dialog_add_response (message, "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (message));
        }
    }
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  const char *kind = g_variant_get_string (param, NULL);
  gboolean csv = g_str_equal (kind, "csv");
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Export the Record"), GTK_WINDOW (widget),
                                                              GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), csv ? "record.csv" : "record.jsonl");
  g_object_set_data (G_OBJECT (dialog), "format",
                     GINT_TO_POINTER (csv ? KILN_PRODUCTION_EXPORT_CSV : KILN_PRODUCTION_EXPORT_JSONL));
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
line_view_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  KilnProductionWindow *self = KILN_PRODUCTION_WINDOW (widget);
  KilnLineRecord *line = self->record ? kiln_production_record_get_line (self->record) : NULL;
  KilnLineView *view = kiln_line_view_new (GTK_WINDOW (self), self->record_path, line);

  gtk_window_present (GTK_WINDOW (view));
}

void
kiln_production_window_set_operator (KilnProductionWindow *self,
                                     const char           *operator_name)
{
  gtk_editable_set_text (GTK_EDITABLE (self->operator_entry), operator_name ? operator_name : "");
}

/* The profile editor: Try on One Board uses the first slot's probe. */
static void
profile_editor_action (GtkWidget  *widget,
                       const char *name,
                       GVariant   *param)
{
  KilnProductionWindow *self = KILN_PRODUCTION_WINDOW (widget);
  KilnProductionSlot *slot = self->slots->len > 0 ? g_ptr_array_index (self->slots, 0) : NULL;

  kiln_profile_editor_open (GTK_WINDOW (self), g_str_equal (name, "win.new-profile"),
                            self->profile ? kiln_production_profile_get_path (self->profile) : NULL,
                            slot ? kiln_production_slot_get_session (slot) : NULL,
                            slot ? kiln_production_slot_get_info (slot) : NULL);
}

/* GObject */

static void
kiln_production_window_dispose (GObject *object)
{
  KilnProductionWindow *self = (KilnProductionWindow *) object;

  if (self->start_cancellable != NULL)
    g_cancellable_cancel (self->start_cancellable);
  g_clear_object (&self->start_cancellable);
  g_clear_pointer (&self->line, kiln_production_line_free);
  g_clear_handle_id (&self->large_idle, g_source_remove);
  g_clear_pointer (&self->lockdown, kiln_production_lockdown_free);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
    kiln_production_slot_cancel (g_ptr_array_index (self->slots, i));
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_PRODUCTION_WINDOW);

  G_OBJECT_CLASS (kiln_production_window_parent_class)->dispose (object);
}

static void
kiln_production_window_finalize (GObject *object)
{
  KilnProductionWindow *self = (KilnProductionWindow *) object;

  g_clear_object (&self->bench);
  g_clear_object (&self->profile);
  g_clear_object (&self->allocator);
  g_clear_object (&self->record);
  g_free (self->record_path);
  g_free (self->station);
  g_free (self->problem);
  g_clear_pointer (&self->first_outcome, g_hash_table_unref);

  G_OBJECT_CLASS (kiln_production_window_parent_class)->finalize (object);
}

/* A large window (a 1920×1080 station screen) gets larger type and
 * pictograms, so that the slots use the room rather than leave it empty. */
static gboolean
apply_large_cb (gpointer data)
{
  KilnProductionWindow *self = data;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  self->large_idle = 0;
  self->large = width >= 1500 && height >= 900;
  if (self->large)
    gtk_widget_add_css_class (GTK_WIDGET (self), "large");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "large");
  update_slots_layout (self);
  return G_SOURCE_REMOVE;
}

static void
kiln_production_window_size_allocate (GtkWidget *widget,
                                      int        width,
                                      int        height,
                                      int        baseline)
{
  KilnProductionWindow *self = KILN_PRODUCTION_WINDOW (widget);
  gboolean large = width >= 1500 && height >= 900;

  GTK_WIDGET_CLASS (kiln_production_window_parent_class)->size_allocate (widget, width, height, baseline);
  /* Not during the allocation: the change resizes what is being placed. */
  if (large != self->large && self->large_idle == 0)
    self->large_idle = g_idle_add (apply_large_cb, self);
}

/* In operator mode the station stays open: closing it would bring back the
 * windows it hid. */
static gboolean
kiln_production_window_close_request (GtkWindow *window)
{
  KilnProductionWindow *self = KILN_PRODUCTION_WINDOW (window);

  if (kiln_production_lockdown_is_on (self->lockdown))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.leave-operator-mode", NULL);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (kiln_production_window_parent_class)->close_request (window);
}

static void
kiln_production_window_class_init (KilnProductionWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kiln_production_window_dispose;
  window_class->close_request = kiln_production_window_close_request;
  widget_class->size_allocate = kiln_production_window_size_allocate;
  object_class->finalize = kiln_production_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kiln/Kiln/kiln-production-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, auto_switch);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, file_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, last_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, auto_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, operator_button);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, counters_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, pass_count_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, fail_count_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, yield_count_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, slots_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, no_probe_page);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, hint_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, operator_entry);

  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.open-profile", NULL, open_profile_action);
  gtk_widget_class_install_action (widget_class, "win.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "win.line-view", NULL, line_view_action);
  gtk_widget_class_install_action (widget_class, "win.new-profile", NULL, profile_editor_action);
  gtk_widget_class_install_action (widget_class, "win.edit-profile", NULL, profile_editor_action);
  gtk_widget_class_install_action (widget_class, "win.leave-operator-mode", NULL, leave_operator_mode_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open-profile", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F1, 0, "app.help", "s", "production");
}

static void
load_css (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      GtkCssProvider *provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider, "/org/kiln/Kiln/production.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_once_init_leave (&once, 1);
    }
}

static void
kiln_production_window_init (KilnProductionWindow *self)
{
  load_css ();
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->slots = g_ptr_array_new ();
  /* Operator mode: only boards are programmed. Other profiles, the
   * auto-start switch, the record's export, the settings and the
   * application's other windows are out of reach until the engineer's
   * password is given. */
  self->lockdown = kiln_production_lockdown_new (GTK_WINDOW (self));
  kiln_production_lockdown_hide (self->lockdown, self->open_button);
  kiln_production_lockdown_hide (self->lockdown, self->auto_box);
  kiln_production_lockdown_hide (self->lockdown, self->export_button);
  kiln_production_lockdown_show (self->lockdown, self->operator_button);
  kiln_production_lockdown_disable (self->lockdown, "win.open-profile");
  kiln_production_lockdown_disable (self->lockdown, "win.export");
  kiln_production_lockdown_disable (self->lockdown, "win.new-profile");
  kiln_production_lockdown_disable (self->lockdown, "win.edit-profile");
  self->first_outcome = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  self->station = g_strdup (g_get_host_name ());
  self->line = kiln_production_line_new (G_CALLBACK (update_blocked), self);
  g_signal_connect_object (self->auto_switch, "notify::active", G_CALLBACK (auto_switch_cb), self,
                           G_CONNECT_SWAPPED);
  update_counters (self);
  gtk_label_set_label (self->file_label, _("No profile open"));
}

typedef struct
{
  gboolean        simulator;
  KilnSimBench   *bench;
  KilnUsbMonitor *monitor;
  char           *bench_error;
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_object (&data->bench);
  g_clear_object (&data->monitor);
  g_free (data->bench_error);
  g_free (data);
}

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StartData *data = task_data;

  if (data->simulator)
    {
      g_autoptr(GError) error = NULL;

      data->bench = kiln_sim_bench_new_from_env (&error);
      if (data->bench == NULL && error == NULL)
        data->bench = kiln_sim_bench_new_default ();
      if (error != NULL)
        data->bench_error = g_strdup (error->message);
    }
  /* Its changes reach the main context. */
  data->monitor = kiln_usb_monitor_new (data->bench);
  g_task_return_boolean (task, TRUE);
}

static void
start_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  KilnProductionWindow *self = KILN_PRODUCTION_WINDOW (source);
  StartData *data = g_task_get_task_data (G_TASK (result));

  if (self->start_cancellable == NULL || g_cancellable_is_cancelled (self->start_cancellable) || self->slots == NULL)
    return;
  g_clear_object (&self->start_cancellable);
  self->bench = g_steal_pointer (&data->bench);
  self->monitor = g_steal_pointer (&data->monitor);
  if (data->bench_error != NULL)
    {
      g_free (self->problem);
      self->problem = g_strdup (data->bench_error);
      self->problem_fails = TRUE;
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->monitor)); i++)
    {
      g_autoptr(KilnUsbProbeInfo) info = g_list_model_get_item (G_LIST_MODEL (self->monitor), i);

      probe_added_cb (self, info);
    }
  g_signal_connect_object (self->monitor, "probe-added", G_CALLBACK (probe_added_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "probe-removed", G_CALLBACK (probe_removed_cb), self, G_CONNECT_SWAPPED);
  update_slots_layout (self);
  update_blocked (self);
}

KilnProductionWindow *
kiln_production_window_new (AdwApplication *application,
                            gboolean        simulator,
                            const char     *record_path)
{
  KilnProductionWindow *self = g_object_new (KILN_TYPE_PRODUCTION_WINDOW, "application", application, NULL);

  self->simulator = simulator;
  self->record_path = record_path ? g_strdup (record_path)
                                  : g_build_filename (g_get_user_data_dir (), "kiln", "production.db", NULL);
  if (self->problem == NULL)
    self->problem = g_strdup (_("Open a signed production profile to start"));
  update_blocked (self);

  /* The bench and the first scan of the probes (which opens every ST-LINK
   * for its serial) are made off the main loop. */
  {
    g_autoptr(GTask) task = NULL;
    StartData *data = g_new0 (StartData, 1);

    data->simulator = simulator;
    self->start_cancellable = g_cancellable_new ();
    task = g_task_new (self, self->start_cancellable, start_ready, NULL);
    g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);
    g_task_run_in_thread (task, start_thread);
  }
  return self;
}

gboolean
kiln_production_window_is_ready (KilnProductionWindow *self)
{
  return self->start_cancellable == NULL;
}

guint
kiln_production_window_get_n_slots (KilnProductionWindow *self)
{
  return self->slots->len;
}

KilnProductionSlot *
kiln_production_window_get_slot (KilnProductionWindow *self,
                                 guint                 index)
{
  g_return_val_if_fail (index < self->slots->len, NULL);
  return g_ptr_array_index (self->slots, index);
}

void
kiln_production_window_get_counts (KilnProductionWindow *self,
                                   guint                *passed,
                                   guint                *failed)
{
  *passed = self->passed;
  *failed = self->failed;
}

KilnProductionRecord *
kiln_production_window_get_record (KilnProductionWindow *self)
{
  return self->record;
}

KilnSimBench *
kiln_production_window_get_bench (KilnProductionWindow *self)
{
  return self->bench;
}
