/* kiln-window.c — Kiln's main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-chip.h"
#include "kiln-flash-plan.h"
#include "kiln-image.h"
#include "kiln-flash-job.h"
#include "kiln-identify-job-private.h"
#include "kiln-ops-call-private.h"
#include "kiln-option-bytes-window-private.h"
#include "kiln-probe-selector-private.h"
#include "kiln-progress.h"
#include "kiln-window-private.h"

#define MAX_RECENT        10
#define RELOAD_DELAY_MS  300

struct _KilnWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GFile                *file;
  KilnImage            *image;
  KilnChip             *chip;
  KilnFlashPlan        *plan;
  GFileMonitor         *monitor;
  GCancellable         *load_cancellable;
  guint                 reload_source;
  gboolean              simulator;
  KilnProgress         *progress;
  GCancellable         *job_cancellable;
  gint64                job_started;
  char                 *error_text;
  char                 *last_message; /* the running job's latest summary */
  KilnSimBench         *bench;     /* the simulated board, when a probe of it is used */
  KilnUsbProbeInfo     *probe;     /* the probe chosen, NULL: none */
  KilnSession          *session;   /* the worker that owns the probe */
  KilnFlashJob         *running_job; /* owned by the session's task */
  KilnIdentifyJob      *target;    /* what the last identification found */
  char                 *target_error;
  GError               *target_gerror;
  gboolean              identifying;
  gboolean              identify_again;
  gboolean              disposed;

  /* Template widgets */
  KilnProbeSelector    *probe_selector;
  GtkSpinner           *identify_spinner;
  AdwActionRow         *chip_row;
  AdwActionRow         *uid_row;
  AdwActionRow         *voltage_row;
  AdwActionRow         *rdp_row;
  AdwActionRow         *wrp_row;
  AdwActionRow         *probe_row;
  GtkLabel             *target_status;
  GtkWidget            *option_bytes_button;
  GtkButton            *target_action;
  GtkWidget            *choose_probe_button;
  GtkWidget            *udev_help_button;
  GtkButton            *result_action;
  GtkWidget            *no_probe_box;
  AdwWindowTitle       *window_title;
  AdwToastOverlay      *toast_overlay;
  AdwComboRow          *chip_combo;
  GtkStringList        *chip_list;
  AdwActionRow         *dual_bank_row;
  GtkSwitch            *dual_bank_switch;
  AdwActionRow         *line_row;
  AdwActionRow         *flash_row;
  AdwActionRow         *ram_row;
  GtkLabel             *no_probe_title;
  GtkLabel             *no_probe_description;
  GtkButton            *simulator_button;
  GtkStack             *file_stack;
  AdwStatusPage        *error_page;
  GtkLabel             *file_label;
  GtkLabel             *flash_label;
  KilnMemoryMap        *memory_map;
  GtkLabel             *plan_label;
  GtkButton            *program_button;
  GtkButton            *verify_button;
  GtkButton            *erase_button;
  GtkButton            *read_button;
  GtkButton            *cancel_button;
  GtkLabel             *action_hint;
  GtkRevealer          *progress_revealer;
  GtkLabel             *phase_label;
  GtkProgressBar       *progress_bar;
  GtkLabel             *progress_label;
  GtkRevealer          *result_revealer;
  GtkBox               *result_box;
  GtkImage             *result_icon;
  GtkLabel             *result_label;
  GtkTextView          *log_view;
  GMenu                *recent_section;
};

G_DEFINE_FINAL_TYPE (KilnWindow, kiln_window, ADW_TYPE_APPLICATION_WINDOW)

static void load_file (KilnWindow *self,
                       GFile      *file,
                       gboolean    has_base,
                       guint32     base,
                       gboolean    is_reload);

/* ------------------------------------------------------------------ log */

void
kiln_window_log (KilnWindow *self,
                 const char *format,
                 ...)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  g_return_if_fail (KILN_IS_WINDOW (self));

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  buffer = gtk_text_view_get_buffer (self->log_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  line = g_strdup_printf ("%s.%03d  %s\n", stamp,
                          g_date_time_get_microsecond (now) / 1000, message);
  gtk_text_buffer_insert (buffer, &end, line, -1);
}

static char *
get_log_text (KilnWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
copy_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  g_autofree char *text = get_log_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Log copied")));
}

static void
save_log_response (GtkNativeDialog *dialog,
                   int              response,
                   KilnWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *text = get_log_text (self);
      g_autoptr(GError) error = NULL;

      /* A log is small; writing it is quick enough for the main thread. */
      if (!g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                    G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error))
        {
          g_autofree char *msg = g_strdup_printf (_("Could not save the log: %s"), error->message);
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
        }
    }
  g_object_unref (dialog);
}

static void
save_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M%S");
  g_autofree char *name = g_strdup_printf ("kiln-%s.log", stamp);

  dialog = gtk_file_chooser_native_new (_("Save Log"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (save_log_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ----------------------------------------------------------- recent files */

static void
update_recent_menu (KilnWindow *self)
{
  g_auto(GStrv) uris = g_settings_get_strv (self->settings, "recent-files");

  g_menu_remove_all (self->recent_section);
  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (uris[i]);
      g_autofree char *name = g_file_get_basename (file);
      g_autoptr(GMenuItem) item = g_menu_item_new (name, NULL);

      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uris[i]);
      g_menu_append_item (self->recent_section, item);
    }
  if (uris[0] == NULL)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Files"), "win.none");
      g_menu_append_item (self->recent_section, item);
    }
}

static void
add_recent (KilnWindow *self,
            GFile      *file)
{
  g_auto(GStrv) uris = g_settings_get_strv (self->settings, "recent-files");
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  g_strv_builder_add (builder, uri);
  for (guint i = 0; uris[i] != NULL && n < MAX_RECENT; i++)
    if (g_strcmp0 (uris[i], uri) != 0)
      {
        g_strv_builder_add (builder, uris[i]);
        n++;
      }
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *) updated);
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));

  kiln_window_open_file (KILN_WINDOW (widget), file);
}

/* ------------------------------------------------------ target and plan */

static void
update_actions (KilnWindow *self)
{
  gboolean running = self->progress != NULL;
  gboolean have_probe = self->probe != NULL;
  /* Erase, Read and Option Bytes act on the chip the probe found. */
  gboolean live = self->target != NULL && self->target->chip != NULL;
  gboolean can_program = have_probe && self->image != NULL && self->plan != NULL && !running;
  /* Verify, Erase and Read need the flash operations the engine is still
   * getting; until then they say so instead of pretending. */
  gboolean have_ops = TRUE;
  const char *why = _("Choose an ST-LINK probe (or the simulated board) to program, verify, erase or read the chip");
  GtkButton *buttons[] = { self->verify_button, self->erase_button, self->read_button };

  if (self->disposed)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.program", can_program);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.verify", have_ops && have_probe && self->image != NULL && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.erase", have_ops && have_probe && live && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.read", have_ops && have_probe && live && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.identify", have_probe && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.option-bytes", have_probe && live && !running);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->program_button), have_probe ? NULL : why);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", self->job_cancellable != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reload", self->file != NULL);
  /* The probe stays the same while a job runs on it. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->probe_selector), !running);

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_widget_set_tooltip_text (GTK_WIDGET (buttons[i]), have_ops && have_probe ? NULL : why);
  gtk_label_set_label (self->action_hint, have_ops && have_probe ? "" : why);
}

static char *
format_kib (guint64 bytes)
{
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return g_strdup_printf (_("%u MiB"), (guint) (bytes / (1024 * 1024)));
  return g_strdup_printf (_("%u KiB"), (guint) (bytes / 1024));
}

static void
update_target (KilnWindow *self)
{
  g_autofree KilnMapSector *sectors = NULL;
  g_autofree KilnMapRegion *ram = NULL;
  guint n_sectors, n_ram;

  if (self->chip == NULL)
    {
      adw_action_row_set_subtitle (self->line_row, "—");
      adw_action_row_set_subtitle (self->flash_row, "—");
      adw_action_row_set_subtitle (self->ram_row, "—");
      gtk_widget_set_visible (GTK_WIDGET (self->dual_bank_row), FALSE);
      kiln_memory_map_set_layout (self->memory_map, NULL, 0, NULL, 0);
      return;
    }
  else
    {
      const KilnChipLine *line = kiln_chip_get_line (self->chip);
      g_autofree char *flash = format_kib (kiln_chip_get_flash_size (self->chip));
      g_autofree char *ram_size = format_kib (kiln_chip_get_ram_total (self->chip));
      g_autofree char *line_text = g_strdup_printf ("%s · %s", line->line, line->core);
      g_autofree char *flash_text = NULL;

      n_sectors = kiln_chip_get_n_sectors (self->chip);
      flash_text = g_strdup_printf (kiln_chip_is_dual_bank (self->chip)
                                    ? g_dngettext (GETTEXT_PACKAGE, "%s, two banks, %u sector", "%s, two banks, %u sectors", n_sectors)
                                    : g_dngettext (GETTEXT_PACKAGE, "%s, one bank, %u sector", "%s, one bank, %u sectors", n_sectors),
                                    flash, n_sectors);
      adw_action_row_set_subtitle (self->line_row, line_text);
      adw_action_row_set_subtitle (self->flash_row, flash_text);
      adw_action_row_set_subtitle (self->ram_row, ram_size);
      gtk_label_set_label (self->flash_label, flash_text);
      gtk_widget_set_visible (GTK_WIDGET (self->dual_bank_row), line->dual_bank == KILN_DUAL_BANK_OPTION);
    }

  sectors = g_new0 (KilnMapSector, MAX (n_sectors, 1));
  for (guint i = 0; i < n_sectors; i++)
    {
      const KilnSector *sec = kiln_chip_get_sector (self->chip, i);
      sectors[i].bank = sec->bank > 1 ? 1 : 0;
      sectors[i].number = sec->index;
      sectors[i].address = sec->address;
      sectors[i].size = sec->size;
    }
  n_ram = kiln_chip_get_n_ram (self->chip);
  ram = g_new0 (KilnMapRegion, MAX (n_ram, 1));
  for (guint i = 0; i < n_ram; i++)
    {
      const KilnMemRegion *r = kiln_chip_get_ram (self->chip, i);
      ram[i].name = r->name;
      ram[i].address = r->address;
      ram[i].size = r->size;
    }
  kiln_memory_map_set_layout (self->memory_map, sectors, n_sectors, ram, n_ram);
}

/* The live target's write protection, drawn over the plan's states. */
static void
show_protection (KilnWindow *self)
{
  guint n = kiln_memory_map_get_n_sectors (self->memory_map);

  if (self->target == NULL || self->chip != self->target->chip)
    return;
  for (guint i = 0; i < n; i++)
    if (kiln_identify_job_is_protected (self->target, i))
      {
        const KilnFlashPlanSector *ps = self->plan ? kiln_flash_plan_get_sector (self->plan, i) : NULL;
        g_autofree char *reason = NULL;

        if (ps != NULL && ps->action == KILN_FLASH_ACTION_PROGRAM)
          reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "The file has %u byte for this sector, but it cannot be erased or written until the protection is removed",
                                                 "The file has %u bytes for this sector, but it cannot be erased or written until the protection is removed",
                                                 ps->bytes),
                                    ps->bytes);
        else
          reason = g_strdup (_("Cannot be erased or written until the protection is removed in Option Bytes"));
        kiln_memory_map_set_sector_state (self->memory_map, i, KILN_SECTOR_STATE_PROTECTED, reason);
      }
}

/* Why Program would be refused on the live target, or NULL. */
static char *
dup_refusal (KilnWindow *self)
{
  g_autoptr(GString) sectors = g_string_new (NULL);
  guint n = 0;

  if (self->target == NULL || self->chip != self->target->chip || self->plan == NULL)
    return NULL;
  if (self->target->rdp_level > 0)
    return g_strdup (self->target->rdp_level == 1
                     ? _("Program would be refused: the chip is read-protected (level 1), so its flash cannot be written through the debugger. Lowering the protection to level 0 erases the whole chip.")
                     : _("Program would be refused: the chip is read-protected at level 2, which disables debugging for good. No probe can program it any more."));
  for (guint i = 0; i < kiln_flash_plan_get_n_sectors (self->plan); i++)
    if (kiln_flash_plan_get_sector (self->plan, i)->action == KILN_FLASH_ACTION_PROGRAM
        && kiln_identify_job_is_protected (self->target, i))
      {
        g_string_append_printf (sectors, "%s%u", n ? ", " : "", kiln_flash_plan_get_sector (self->plan, i)->sector->index);
        n++;
      }
  if (n == 0)
    return NULL;
  /* Translators: %s is a sector number or a list of them ("1, 3") */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Program would be refused before anything is erased: sector %s is write-protected and the file has bytes for it. Remove the protection in Option Bytes, or leave the sector out of the file.",
                                       "Program would be refused before anything is erased: sectors %s are write-protected and the file has bytes for them. Remove the protection in Option Bytes, or leave the sectors out of the file.",
                                       n),
                          sectors->str);
}

static void
update_plan (KilnWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->plan);
  kiln_memory_map_reset_states (self->memory_map);
  gtk_widget_remove_css_class (GTK_WIDGET (self->plan_label), "error");

  if (self->image == NULL)
    return;

  if (self->chip == NULL)
    {
      gtk_label_set_label (self->flash_label, "");
      gtk_label_set_label (self->plan_label,
                           _("No target chip is known yet. Connect a probe, or choose the chip in the Target panel, to see which sectors this file will change."));
      return;
    }

  /* Without a probe the supply voltage is unknown; 32-bit parallelism is
   * what every board at 2.7–3.6 V allows, and only changes the estimate. */
  self->plan = kiln_flash_plan_new (self->image, self->chip, KILN_FLASH_PSIZE_X32, &error);
  if (self->plan == NULL)
    {
      g_autofree char *text = NULL;

      gtk_widget_add_css_class (GTK_WIDGET (self->plan_label), "error");
      /* Translators: the plan was refused; %s is the engine's reason */
      text = g_strdup_printf (_("%s\nNothing will be erased or written."), error->message);
      gtk_label_set_label (self->plan_label, text);
      kiln_window_log (self, "%s", error->message);
      return;
    }

  for (guint i = 0; i < kiln_flash_plan_get_n_sectors (self->plan); i++)
    kiln_memory_map_set_sector_state (self->memory_map, i,
                                      kiln_flash_plan_get_sector_state (self->plan, i), NULL);
  {
    g_autofree char *summary = kiln_flash_plan_dup_summary (self->plan);
    g_autofree char *refusal = dup_refusal (self);

    show_protection (self);
    if (refusal != NULL)
      {
        g_autofree char *text = g_strdup_printf ("%s\n%s", refusal, summary);

        gtk_widget_add_css_class (GTK_WIDGET (self->plan_label), "error");
        gtk_label_set_label (self->plan_label, text);
      }
    else
      gtk_label_set_label (self->plan_label, summary);
  }
}

static void
set_chip (KilnWindow *self,
          KilnChip   *chip)
{
  if (!g_set_object (&self->chip, chip))
    return;
  if (chip != NULL)
    kiln_window_log (self, _("Target: %s (%s)"), kiln_chip_get_name (chip),
                     kiln_chip_get_line (chip)->line);
  update_target (self);
  update_plan (self);
}

static void
chip_selected_cb (KilnWindow *self)
{
  guint pos = adw_combo_row_get_selected (self->chip_combo);
  g_autoptr(KilnChip) chip = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  /* A live target decides the chip; the choice waits until it is gone. */
  if (self->target != NULL && self->target->chip != NULL)
    return;

  if (pos == GTK_INVALID_LIST_POSITION || pos == 0)
    {
      set_chip (self, NULL);
      return;
    }
  name = gtk_string_list_get_string (self->chip_list, pos);
  chip = kiln_chip_new_for_part (name, FALSE, NULL);
  if (chip != NULL && kiln_chip_get_line (chip)->dual_bank == KILN_DUAL_BANK_OPTION &&
      gtk_switch_get_active (self->dual_bank_switch))
    {
      g_clear_object (&chip);
      chip = kiln_chip_new_for_part (name, TRUE, &error);
    }
  if (chip == NULL)
    {
      kiln_window_log (self, "%s", error != NULL ? error->message : name);
      set_chip (self, NULL);
      return;
    }
  set_chip (self, chip);
}

gboolean
kiln_window_set_chip_name (KilnWindow *self,
                           const char *name)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), FALSE);

  for (guint i = 1; i < g_list_model_get_n_items (G_LIST_MODEL (self->chip_list)); i++)
    if (g_ascii_strcasecmp (gtk_string_list_get_string (self->chip_list, i), name) == 0)
      {
        adw_combo_row_set_selected (self->chip_combo, i);
        return self->chip != NULL;
      }
  kiln_window_log (self, _("%s is not in Kiln’s chip database"), name);
  return FALSE;
}

void
kiln_window_set_dual_bank (KilnWindow *self,
                           gboolean    dual_bank)
{
  g_return_if_fail (KILN_IS_WINDOW (self));
  gtk_switch_set_active (self->dual_bank_switch, dual_bank);
}

void
kiln_window_set_simulator (KilnWindow *self,
                           gboolean    simulator)
{
  g_return_if_fail (KILN_IS_WINDOW (self));

  if (simulator)
    kiln_probe_selector_select_simulator (self->probe_selector);
  else
    kiln_probe_selector_select (self->probe_selector, NULL);
}

/* ------------------------------------------------------- the live target */

static void
set_row (AdwActionRow *row,
         const char   *subtitle,
         gboolean      problem)
{
  adw_action_row_set_subtitle (row, subtitle);
  if (problem)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_visible (GTK_WIDGET (row), TRUE);
}

static void
set_target_status (KilnWindow *self,
                   const char *text,
                   gboolean    error)
{
  gtk_label_set_label (self->target_status, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->target_status), text != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->target_status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->target_status), "error");
}

/* The suggested next step for a failure, as a button: protection → Option
 * Bytes, no USB permission → the udev help, a target that does not answer
 * → connect under reset. Hidden when there is none. */
static void
offer_action (KilnWindow   *self,
              GtkButton    *button,
              const GError *error)
{
  const char *label = NULL, *action = NULL;

  if (error == NULL)
    ;
  else if (g_error_matches (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED)
           || g_error_matches (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_READ_PROTECTED)
           || g_error_matches (error, KILN_ARM_ERROR, KILN_ARM_ERROR_READ_PROTECTED))
    label = _("_Option Bytes…"), action = "win.option-bytes";
  else if (g_error_matches (error, KILN_USB_ERROR, KILN_USB_ERROR_PERMISSION))
    label = _("_USB Access Help"), action = "win.udev-help";
  else if (g_error_matches (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET)
           && !g_settings_get_boolean (self->settings, "connect-under-reset"))
    label = _("Connect _Under Reset"), action = "win.connect-under-reset";

  gtk_widget_set_visible (GTK_WIDGET (button), action != NULL);
  if (action != NULL)
    {
      gtk_button_set_label (button, label);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
    }
}

/* The panel: the chip as the probe found it, or the chip the user picked. */
static void
update_target_panel (KilnWindow *self)
{
  KilnIdentifyJob *t = self->target;
  gboolean live = t != NULL && t->chip != NULL;
  GtkWidget *live_rows[] = { GTK_WIDGET (self->chip_row), GTK_WIDGET (self->uid_row), GTK_WIDGET (self->voltage_row),
                             GTK_WIDGET (self->rdp_row), GTK_WIDGET (self->wrp_row) };

  gtk_widget_set_visible (GTK_WIDGET (self->chip_combo), !live);
  gtk_widget_set_visible (GTK_WIDGET (self->line_row), !live);  /* the Chip row says it */
  if (live)
    gtk_widget_set_visible (GTK_WIDGET (self->dual_bank_row), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (live_rows); i++)
    gtk_widget_set_visible (live_rows[i], live);
  gtk_widget_set_visible (self->no_probe_box, self->probe == NULL && !live);
  if (self->probe == NULL)
    {
      GPtrArray *probes = kiln_probe_selector_get_probes (self->probe_selector);
      guint usable = 0;

      for (guint i = 0; i < probes->len; i++)
        usable += kiln_usb_probe_info_can_open (g_ptr_array_index (probes, i));
      gtk_widget_set_visible (self->choose_probe_button, usable > 0);
      gtk_widget_set_visible (self->udev_help_button, usable == 0);
      if (usable > 0)
        {
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "%u probe is attached: choose it in the probe menu at the top left.",
                                                                "%u probes are attached: choose the one wired to the board in the probe menu at the top left.",
                                                                usable),
                                                   usable);

          gtk_label_set_label (self->no_probe_title, _("Choose a Probe"));
          gtk_label_set_label (self->no_probe_description, text);
        }
      else if (probes->len > 0)
        {
          gtk_label_set_label (self->no_probe_title, _("The Probe Cannot Be Used"));
          gtk_label_set_label (self->no_probe_description, kiln_usb_probe_info_get_problem (g_ptr_array_index (probes, 0)));
        }
      else
        {
          gtk_label_set_label (self->no_probe_title, _("Connect an ST-LINK"));
          gtk_label_set_label (self->no_probe_description,
                               _("Plug in an ST-LINK probe and connect it to the board’s SWD pins. If the probe is plugged in but not listed, install the udev rules so that you may use it."));
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->probe_row), self->probe != NULL);
  gtk_widget_set_visible (self->option_bytes_button, self->probe != NULL && live);

  if (self->probe != NULL)
    {
      g_autofree char *title = kiln_usb_probe_info_get_backend (self->probe) == KILN_USB_BACKEND_SIMULATOR
                               ? g_strdup_printf (_("Probe: simulated %s"), kiln_usb_probe_info_get_model (self->probe))
                               : g_strdup_printf (_("Probe: %s"), kiln_usb_probe_info_get_model (self->probe));
      g_autofree char *statement = t != NULL && t->have_probe ? kiln_probe_firmware_statement (&t->version) : NULL;
      g_autofree char *subtitle = g_strdup_printf ("%s\n%s", kiln_usb_probe_info_get_serial (self->probe),
                                                   statement != NULL ? statement : "");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->probe_row), title);
      set_row (self->probe_row, g_strstrip (subtitle),
               t != NULL && t->have_probe && !kiln_stlink_has_feature (&t->version, KILN_STLINK_FEATURE_DAP_REG));
    }

  if (live)
    {
      const KilnChipLine *line = kiln_chip_get_line (t->chip);
      /* Translators: "STM32F74x/F75x, revision Z" then "Cortex-M7, DEV_ID 0x449, package code 0x0700" */
      g_autofree char *chip = g_strdup_printf (_("%s, revision %s\n%s, DEV_ID 0x%03X, package code 0x%04X"),
                                               line->line, t->revision, line->core, t->dev_id, t->package);
      g_autofree char *volts = t->have_volts ? g_strdup_printf (_("%.2f V"), t->volts)
                                             : g_strdup (_("Not measured by this probe"));
      g_autofree char *wrp = kiln_identify_job_dup_protected (t);
      g_autofree char *wrp_text = t->protected != NULL && t->protected->len > 0
                                  ? g_strdup_printf (_("%s: cannot be erased or written until the protection is removed"), wrp)
                                  : g_strdup (wrp);
      const char *rdp = t->rdp_level == 0 ? _("Off (level 0)")
                        : t->rdp_level == 1 ? _("Level 1: the flash cannot be read or programmed through the debugger. "
                                                "Lowering it to level 0 erases the whole chip.")
                                            : _("Level 2: debugging is disabled for good");

      set_row (self->chip_row, chip, FALSE);
      set_row (self->uid_row, t->uid, FALSE);
      set_row (self->voltage_row, volts, t->have_volts && t->volts < 2.7);
      set_row (self->rdp_row, rdp, t->rdp_level > 0);
      set_row (self->wrp_row, wrp_text, t->protected != NULL && t->protected->len > 0);
    }

  if (self->probe == NULL && live)
    set_target_status (self, _("The probe is gone (unplugged?). This is what it found last: plug it in again, "
                               "or choose another probe, to work on the chip."), FALSE);
  else if (self->probe == NULL)
    set_target_status (self, NULL, FALSE);
  else if (self->target_error != NULL)
    set_target_status (self, self->target_error, TRUE);
  else if (!live && self->identifying)
    set_target_status (self, _("Reading the target…"), FALSE);
  else
    set_target_status (self, NULL, FALSE);
  offer_action (self, self->target_action, self->probe != NULL ? self->target_gerror : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->identify_spinner), self->identifying);
  gtk_spinner_set_spinning (self->identify_spinner, self->identifying);
}

static gboolean
same_target (KilnIdentifyJob *a,
             KilnIdentifyJob *b)
{
  if (a == NULL || b == NULL || a->chip == NULL || b->chip == NULL)
    return FALSE;
  if (g_strcmp0 (a->uid, b->uid) != 0 || a->rdp_level != b->rdp_level
      || kiln_chip_get_dev_id (a->chip) != kiln_chip_get_dev_id (b->chip)
      || kiln_chip_get_flash_size (a->chip) != kiln_chip_get_flash_size (b->chip)
      || kiln_chip_is_dual_bank (a->chip) != kiln_chip_is_dual_bank (b->chip)
      || a->protected->len != b->protected->len)
    return FALSE;
  for (guint i = 0; i < a->protected->len; i++)
    if (g_array_index (a->protected, guint, i) != g_array_index (b->protected, guint, i))
      return FALSE;
  return TRUE;
}

static void identify (KilnWindow *self);

typedef struct
{
  KilnWindow      *window;
  KilnIdentifyJob *job;
} IdentifyCall;

static void
identify_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  IdentifyCall *call = user_data;
  g_autoptr(KilnWindow) self = call->window;
  KilnIdentifyJob *job = call->job;  /* freed by the session after this */
  g_autoptr(KilnIdentifyJob) found = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = kiln_session_run_finish (KILN_SESSION (source), result, &error);
  gboolean current = KILN_SESSION (source) == self->session;

  g_free (call);
  if (current)
    self->identifying = FALSE;
  if (self->disposed || !current)
    return;

  /* Take the results out of the job (the session frees it). */
  found = g_new0 (KilnIdentifyJob, 1);
  *found = *job;
  memset (job, 0, sizeof *job);
  job->info = g_steal_pointer (&found->info);

  if (found->have_probe)
    kiln_probe_selector_set_version (self->probe_selector, kiln_usb_probe_info_get_serial (self->probe),
                                     &found->version);
  g_clear_pointer (&self->target_error, g_free);
  g_clear_error (&self->target_gerror);
  if (!ok)
    {
      self->target_gerror = g_error_copy (error);
      /* The probe answered but the target did not (or the probe is gone):
       * keep the chip the user may pick, and say what is wrong. */
      self->target_error = g_strdup (error->message);
      kiln_window_log (self, "%s", error->message);
      g_clear_pointer (&self->target, kiln_identify_job_free);
      if (found->have_probe)
        self->target = g_steal_pointer (&found);
      update_target_panel (self);
      chip_selected_cb (self);
    }
  else
    {
      gboolean unchanged = same_target (self->target, found) && self->chip == self->target->chip;

      /* Same chip and protection: keep the map as the last job left it. */
      if (unchanged)
        g_set_object (&found->chip, self->chip);
      g_clear_pointer (&self->target, kiln_identify_job_free);
      self->target = g_steal_pointer (&found);
      if (!unchanged)
        {
          g_autofree char *prot = kiln_identify_job_dup_protected (self->target);

          kiln_window_log (self, _("Target: %s revision %s, %u KiB of flash, UID %s, read protection level %u, write-protected: %s"),
                           kiln_chip_get_line (self->target->chip)->line, self->target->revision,
                           kiln_chip_get_flash_kib (self->target->chip), self->target->uid,
                           self->target->rdp_level, prot);
          g_set_object (&self->chip, self->target->chip);
          update_target (self);
          update_plan (self);
        }
      update_target_panel (self);
    }
  update_actions (self);
  if (self->identify_again)
    {
      self->identify_again = FALSE;
      identify (self);
    }
}

static void
identify (KilnWindow *self)
{
  KilnIdentifyJob *job;
  IdentifyCall *call;

  if (self->probe == NULL || self->session == NULL || self->disposed)
    return;
  if (self->identifying)
    {
      self->identify_again = TRUE;
      return;
    }
  self->identifying = TRUE;
  job = kiln_identify_job_new (self->probe);
  job->khz = g_settings_get_uint (self->settings, "swd-clock");
  job->under_reset = g_settings_get_boolean (self->settings, "connect-under-reset");
  call = g_new0 (IdentifyCall, 1);
  call->window = g_object_ref (self);
  call->job = job;
  kiln_session_run_async (self->session, kiln_identify_job_run, job, (GDestroyNotify) kiln_identify_job_free, NULL,
                          NULL, identify_done_cb, call);
  update_target_panel (self);
}

static gpointer
drop_session_thread (gpointer data)
{
  /* Waits for the session's last job and closes the probe, off the main loop. */
  g_object_unref (data);
  return NULL;
}

static void
probe_selected_cb (KilnWindow        *self,
                   KilnUsbProbeInfo  *info)
{
  KilnUsbProbeInfo *old = self->probe;
  /* A probe that goes away leaves what it found on view (and the map with
   * it) until another probe is chosen. */
  gboolean keep = info == NULL && self->target != NULL && self->target->chip != NULL;

  if (self->session != NULL)
    g_thread_unref (g_thread_new ("kiln-drop-session", drop_session_thread, g_steal_pointer (&self->session)));
  self->identifying = FALSE;
  self->identify_again = FALSE;
  if (!keep)
    g_clear_pointer (&self->target, kiln_identify_job_free);
  g_clear_pointer (&self->target_error, g_free);
  g_clear_error (&self->target_gerror);

  if (info == NULL && old != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("The probe %s is gone (unplugged?)"), kiln_usb_probe_info_get_serial (old));

      kiln_window_log (self, "%s", msg);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
    }
  self->probe = info ? g_object_ref (info) : NULL;
  g_clear_object (&old);
  self->simulator = info != NULL && kiln_usb_probe_info_get_backend (info) == KILN_USB_BACKEND_SIMULATOR;
  if (self->simulator && self->bench == NULL)
    self->bench = g_object_ref (kiln_probe_selector_get_bench (self->probe_selector));

  if (info != NULL)
    {
      kiln_window_log (self, _("Probe: %s %s (%s)"), kiln_usb_probe_info_get_model (info),
                       kiln_usb_probe_info_get_serial (info), kiln_usb_probe_info_get_location (info));
      self->session = kiln_session_new (kiln_usb_probe_info_get_serial (info));
      identify (self);
    }
  else if (!keep)
    chip_selected_cb (self);   /* back to the chip the user picked */
  update_target_panel (self);
  update_actions (self);
}

static void
option_bytes_written_cb (KilnWindow *self,
                         const char *summary)
{
  kiln_window_log (self, "%s", summary);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Option bytes written")));
  /* Protection and layout may have changed: read the target again. */
  identify (self);
}

static void
option_bytes_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  KilnOptionBytesWindow *window;

  if (self->probe == NULL || self->session == NULL)
    return;
  window = kiln_option_bytes_window_new (GTK_WINDOW (self), self->session, self->probe,
                                         g_settings_get_uint (self->settings, "swd-clock"),
                                         g_settings_get_boolean (self->settings, "connect-under-reset"));
  g_signal_connect_object (window, "written", G_CALLBACK (option_bytes_written_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

static void
connect_under_reset_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);

  /* The preference, so that every job from now on connects this way. */
  g_settings_set_boolean (self->settings, "connect-under-reset", TRUE);
  kiln_window_log (self, "%s", _("Connecting under reset from now on (Preferences)"));
  gtk_widget_set_visible (GTK_WIDGET (self->result_action), FALSE);
  identify (self);
}

static void
choose_probe_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  kiln_probe_selector_popup (KILN_WINDOW (widget)->probe_selector);
}

static void
identify_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  identify (KILN_WINDOW (widget));
}

/* ------------------------------------------------------------ file loading */

typedef struct
{
  GFile    *file;
  gboolean  has_base;
  guint32   base;
  gboolean  is_reload;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->file);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autofree char *path = g_file_get_path (data->file);
  g_autoptr(GError) error = NULL;
  KilnImage *image;

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only local files can be opened"));
      return;
    }
  image = kiln_image_load_file (path, KILN_IMAGE_FORMAT_AUTO, data->has_base, data->base, &error);
  if (image == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, image, g_object_unref);
}

static void
show_error (KilnWindow *self,
            GFile      *file,
            GError     *error)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *title = g_strdup_printf (_("%s Cannot Be Used"), name);

  g_free (self->error_text);
  self->error_text = g_strdup (error->message);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->file_stack, "error");
  kiln_window_log (self, "%s", error->message);
}

static void
base_dialog_response (AdwMessageDialog *dialog,
                      const char       *response,
                      KilnWindow       *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  GFile *file = g_object_get_data (G_OBJECT (dialog), "file");
  const char *text = gtk_editable_get_text (entry);
  guint64 base = 0;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "load") != 0)
    return;

  if (!g_ascii_string_to_unsigned (g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X") ? text + 2 : text,
                                   16, 0, G_MAXUINT32, &base, &error))
    {
      g_autoptr(GError) parse_error =
        g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("“%s” is not an address. Enter a hexadecimal address such as 0x08000000."),
                     text);
      show_error (self, file, parse_error);
      return;
    }
  g_settings_set_uint (self->settings, "bin-base-address", (guint32) base);
  load_file (self, file, TRUE, (guint32) base, FALSE);
}

static void
ask_base (KilnWindow *self,
          GFile      *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *body = g_strdup_printf (_("%s is a raw binary: it does not say where in memory it belongs. Enter the address of its first byte (the start of flash is 0x08000000)."), name);
  g_autofree char *initial = g_strdup_printf ("0x%08X", g_settings_get_uint (self->settings, "bin-base-address"));
  GtkWidget *dialog;
  GtkWidget *entry;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Base Address"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "load", _("_Load"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "load",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "load");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), initial);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Base address"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "file", g_object_ref (file), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (base_dialog_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 KilnWindow        *self);

static void
show_image (KilnWindow *self)
{
  g_autofree char *name = g_file_get_basename (self->file);
  g_autofree char *size = g_format_size_full (kiln_image_get_total_size (self->image),
                                              G_FORMAT_SIZE_IEC_UNITS);
  guint n_segments = kiln_image_get_n_segments (self->image);
  g_autofree char *header = NULL;
  g_autofree KilnMapRegion *regions = g_new0 (KilnMapRegion, MAX (n_segments, 1));
  g_autofree char *path = g_file_get_path (self->file);

  /* Translators: "blinky.elf — 38.2 KiB, 3 segments" */
  header = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s — %s, %u segment",
                                         "%s — %s, %u segments", n_segments),
                            name, size, n_segments);
  gtk_label_set_label (self->file_label, header);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_label), path);
  adw_window_title_set_subtitle (self->window_title, name);

  for (guint i = 0; i < n_segments; i++)
    {
      const KilnImageSegment *seg = kiln_image_get_segment (self->image, i);
      regions[i].name = seg->name;
      regions[i].address = seg->address;
      regions[i].size = seg->size;
    }
  kiln_memory_map_set_segments (self->memory_map, regions, n_segments);
  gtk_stack_set_visible_child_name (self->file_stack, "loaded");
  update_plan (self);
  update_actions (self);
}

static void
load_ready (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  KilnWindow *self = KILN_WINDOW (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *name = g_file_get_basename (data->file);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->load_cancellable);

  if (g_error_matches (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_NEEDS_BASE))
    {
      ask_base (self, data->file);
      return;
    }

  g_set_object (&self->file, data->file);
  g_clear_object (&self->monitor);
  self->monitor = g_file_monitor_file (data->file, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (file_changed_cb), self);
  /* Remember the base so that a reload of a raw binary uses it again. */
  g_object_set_data (G_OBJECT (self->file), "kiln-has-base", GUINT_TO_POINTER (data->has_base));
  g_object_set_data (G_OBJECT (self->file), "kiln-base", GUINT_TO_POINTER (data->base));

  if (error != NULL)
    {
      g_clear_object (&self->image);
      show_error (self, data->file, error);
      update_actions (self);
      return;
    }

  g_set_object (&self->image, image);
  add_recent (self, data->file);
  kiln_window_log (self, _("Loaded %s (%s)"), name,
                   kiln_image_format_to_string (kiln_image_get_format (image)));
  if (data->is_reload)
    {
      g_autofree char *msg = g_strdup_printf (_("Reloaded %s"), name);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
    }
  show_image (self);
}

static void
load_file (KilnWindow *self,
           GFile      *file,
           gboolean    has_base,
           guint32     base,
           gboolean    is_reload)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  data = g_new0 (LoadData, 1);
  data->file = g_object_ref (file);
  data->has_base = has_base;
  data->base = base;
  data->is_reload = is_reload;

  task = g_task_new (self, self->load_cancellable, load_ready, NULL);
  g_task_set_source_tag (task, load_file);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

void
kiln_window_open_file (KilnWindow *self,
                       GFile      *file)
{
  g_return_if_fail (KILN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  load_file (self, file, FALSE, 0, FALSE);
}

void
kiln_window_open_file_at (KilnWindow *self,
                          GFile      *file,
                          guint32     base)
{
  g_return_if_fail (KILN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  load_file (self, file, TRUE, base, FALSE);
}

static void
reload (KilnWindow *self,
        gboolean    automatic)
{
  gboolean has_base;
  guint32 base;

  if (self->file == NULL)
    return;
  has_base = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self->file), "kiln-has-base"));
  base = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self->file), "kiln-base"));
  load_file (self, self->file, has_base, base, automatic);
}

static gboolean
reload_timeout (gpointer user_data)
{
  KilnWindow *self = user_data;

  self->reload_source = 0;
  reload (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 KilnWindow        *self)
{
  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT &&
      event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_CHANGED)
    return;
  /* A build writes in bursts; wait until it settles. */
  g_clear_handle_id (&self->reload_source, g_source_remove);
  self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_timeout, self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  reload (KILN_WINDOW (widget), FALSE);
}

static void
open_response (GtkNativeDialog *dialog,
               int              response,
               KilnWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      kiln_window_open_file (self, file);
    }
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) firmware = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  const char *patterns[] = { "*.elf", "*.axf", "*.out", "*.hex", "*.ihex", "*.ihx",
                             "*.srec", "*.s19", "*.s28", "*.s37", "*.mot", "*.bin" };

  gtk_file_filter_set_name (firmware, _("Firmware Files"));
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    gtk_file_filter_add_pattern (firmware, patterns[i]);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");

  dialog = gtk_file_chooser_native_new (_("Open Firmware"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), firmware);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         KilnWindow    *self)
{
  GFile *file;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;
  file = g_value_get_object (value);
  kiln_window_open_file (self, file);
  return TRUE;
}

/* ------------------------------------------------------------------ jobs
 *
 * This is where the window starts a job of core/job (program, verify, erase,
 * read) once a probe session exists, and where the job's progress events
 * arrive on the main thread: phase started → progress_revealer with
 * phase_label/progress_bar/progress_label; sector state changed →
 * kiln_memory_map_set_sector_state(); finished/failed → result_revealer.
 * Until core/job is in the build there is no session, so the actions stay
 * disabled (update_actions() says why) and nothing here pretends to run. */

static void
progress_phase_started_cb (KilnWindow        *self,
                           KilnProgressPhase  phase,
                           KilnProgress      *progress)
{
  gtk_label_set_label (self->phase_label, kiln_progress_phase_to_string (phase));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->progress_label, "");
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  kiln_window_log (self, "%s", kiln_progress_phase_to_string (phase));
}

static void
progress_changed_cb (KilnWindow   *self,
                     KilnProgress *progress)
{
  guint64 total = kiln_progress_get_total (progress);
  double rate = kiln_progress_get_rate (progress);
  double left = kiln_progress_get_seconds_left (progress);
  g_autofree char *done_s = g_format_size_full (kiln_progress_get_done (progress), G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *total_s = g_format_size_full (total, G_FORMAT_SIZE_IEC_UNITS);
  GString *text = g_string_new (NULL);

  gtk_progress_bar_set_fraction (self->progress_bar, kiln_progress_get_fraction (progress));
  if (total > 0)
    /* Translators: bytes done / bytes in this phase */
    g_string_append_printf (text, _("%s of %s"), done_s, total_s);
  if (rate > 0)
    {
      g_autofree char *rate_s = g_format_size_full ((guint64) rate, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: a transfer rate, e.g. "231.0 KiB/s" */
      g_string_append_printf (text, _(" · %s/s"), rate_s);
    }
  if (left >= 0)
    g_string_append_printf (text, _(" · about %.0f s left"), MAX (left, 1));
  gtk_label_set_label (self->progress_label, text->str);
  g_string_free (text, TRUE);
}

static void
progress_sector_changed_cb (KilnWindow   *self,
                            guint         sector,
                            guint         state,
                            KilnProgress *progress)
{
  if (sector < kiln_memory_map_get_n_sectors (self->memory_map) && state < KILN_N_SECTOR_STATES)
    kiln_memory_map_set_sector_state (self->memory_map, sector, state, NULL);
}

static void
progress_message_cb (KilnWindow   *self,
                     guint         level,
                     const char   *text,
                     KilnProgress *progress)
{
  kiln_window_log (self, "%s", text);
  if (level == KILN_PROGRESS_MESSAGE_INFO)
    {
      g_free (self->last_message);
      self->last_message = g_strdup (text);
    }
}

static void
progress_finished_cb (KilnWindow   *self,
                      const GError *error,
                      KilnProgress *progress)
{
  double seconds = (g_get_monotonic_time () - self->job_started) / (double) G_USEC_PER_SEC;

  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_box), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_box), "failure");

  /* Sectors a stopped job left mid-way are not done: they still need
   * Program. A sector that failed keeps its reason. */
  for (guint i = 0; error != NULL && i < kiln_memory_map_get_n_sectors (self->memory_map); i++)
    {
      KilnSectorState st = kiln_memory_map_get_sector_state (self->memory_map, i);

      if (st == KILN_SECTOR_STATE_ERASING || st == KILN_SECTOR_STATE_WRITING || st == KILN_SECTOR_STATE_VERIFYING)
        kiln_memory_map_set_sector_state (self->memory_map, i, KILN_SECTOR_STATE_PLANNED,
                                          _("The job stopped before this sector was finished: program it again"));
    }

  if (error == NULL)
    {
      /* The job's own summary when it gave one ("Programmed and verified
       * 160 KiB…"), with the time it took. */
      g_autofree char *text = self->last_message != NULL
                              ? g_strdup_printf (_("%s in %.1f s"), self->last_message, seconds)
                              : g_strdup_printf (_("Done in %.1f s"), seconds);
      gtk_widget_add_css_class (GTK_WIDGET (self->result_box), "success");
      offer_action (self, self->result_action, NULL);
      gtk_image_set_from_icon_name (self->result_icon, "object-select-symbolic");
      gtk_label_set_label (self->result_label, text);
      kiln_window_log (self, "%s", text);
    }
  else
    {
      /* GLib's own "Operation was cancelled" says nothing about the board. */
      const char *text = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                         ? _("Cancelled. The flash controller was locked again; sectors that were being written "
                             "are incomplete: program again before running the board.")
                         : error->message;

      gtk_widget_add_css_class (GTK_WIDGET (self->result_box), "failure");
      offer_action (self, self->result_action, error);
      gtk_image_set_from_icon_name (self->result_icon, "dialog-error-symbolic");
      gtk_label_set_label (self->result_label, text);
      kiln_window_log (self, "%s", text);
    }
  gtk_revealer_set_reveal_child (self->result_revealer, TRUE);
  g_signal_handlers_disconnect_by_data (progress, self);
  g_clear_object (&self->progress);
  g_clear_object (&self->job_cancellable);
  update_actions (self);
}

/* Shows a running job: its phases, bytes, rate, sector states and result.
 * The caller (the job starter) owns the job; the window only listens. */
void
_kiln_window_watch_progress (KilnWindow   *self,
                             KilnProgress *progress,
                             GCancellable *cancellable)
{
  g_return_if_fail (KILN_IS_WINDOW (self));
  g_return_if_fail (KILN_IS_PROGRESS (progress));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  g_set_object (&self->progress, progress);
  g_clear_pointer (&self->last_message, g_free);
  self->job_started = g_get_monotonic_time ();

  gtk_revealer_set_reveal_child (self->result_revealer, FALSE);
  g_set_object (&self->job_cancellable, cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", cancellable != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), cancellable != NULL);
  g_signal_connect_object (progress, "phase-started", G_CALLBACK (progress_phase_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (progress, "changed", G_CALLBACK (progress_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (progress, "sector-changed", G_CALLBACK (progress_sector_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (progress, "message", G_CALLBACK (progress_message_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (progress, "finished", G_CALLBACK (progress_finished_cb), self, G_CONNECT_SWAPPED);
}

typedef enum
{
  JOB_PROGRAM,
  JOB_VERIFY,
  JOB_ERASE,
  JOB_READ,
} JobKind;

/* The single place where a job would start: with a probe session, this
 * creates a KilnProgress, calls _kiln_window_watch_progress() and queues the
 * job on the session's worker (kiln_session_run_async). The actions that
 * lead here stay disabled while there is no session (update_actions()). */
static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(KilnWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The result is shown from the progress's "finished" signal. The bench
   * the job made (built off the main loop) stays with the window. */
  kiln_session_run_finish (KILN_SESSION (source), result, &error);
  self->running_job = NULL;
  if (self->disposed || KILN_SESSION (source) != self->session)
    return;
  update_actions (self);
  /* The job may have changed what the panel shows (or found the target gone). */
  identify (self);
}

static void
start_job (KilnWindow *self,
           JobKind     kind,
           GFile      *target_file,
           const char *sectors)
{
  g_autoptr(KilnProgress) progress = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  guint khz = g_settings_get_uint (self->settings, "swd-clock");
  gboolean under_reset = g_settings_get_boolean (self->settings, "connect-under-reset");
  KilnSessionWorkFunc func;
  GDestroyNotify destroy;
  gpointer data;

  if (self->probe == NULL || self->session == NULL || self->progress != NULL
      || ((kind == JOB_PROGRAM || kind == JOB_VERIFY) && self->image == NULL)
      || (kind == JOB_READ && (self->chip == NULL || target_file == NULL)))
    {
      kiln_window_log (self, "%s", _("No probe is chosen: choose an ST-LINK probe (or the simulated board) first"));
      return;
    }

  if (kind == JOB_PROGRAM)
    {
      KilnFlashJob *job = kiln_flash_job_new (self->probe, self->image);

      job->khz = khz;
      job->under_reset = under_reset;
      job->options.verify = g_settings_get_boolean (self->settings, "verify");
      job->options.skip_unchanged = g_settings_get_boolean (self->settings, "skip-unchanged");
      job->options.reset = g_settings_get_boolean (self->settings, "reset-after");
      if (self->simulator)
        kiln_window_log (self, _("Programming %s on the simulated board"), kiln_image_get_display_name (self->image));
      else
        kiln_window_log (self, _("Programming %s through %s %s"), kiln_image_get_display_name (self->image),
                         kiln_usb_probe_info_get_model (self->probe), kiln_usb_probe_info_get_serial (self->probe));
      self->running_job = job;
      func = kiln_flash_job_run;
      destroy = (GDestroyNotify) kiln_flash_job_free;
      data = job;
    }
  else
    {
      static const KilnTargetJobKind kinds[] = { [JOB_VERIFY] = KILN_TARGET_JOB_VERIFY,
                                                 [JOB_ERASE] = KILN_TARGET_JOB_ERASE,
                                                 [JOB_READ] = KILN_TARGET_JOB_READ };
      KilnOpsCall *call = kiln_ops_call_new (kinds[kind], self->probe);
      KilnTargetJob *job = call->job;

      job->khz = khz;
      job->under_reset = under_reset;
      switch (kind)
        {
        case JOB_VERIFY:
          job->image = g_object_ref (self->image);
          job->method = g_settings_get_enum (self->settings, "verify-method") == 1 ? KILN_FLASH_VERIFY_READ_BACK
                                                                                   : KILN_FLASH_VERIFY_CRC;
          kiln_window_log (self, _("Verifying the chip against %s"), kiln_image_get_display_name (self->image));
          break;
        case JOB_ERASE:
          job->mass = sectors == NULL;
          job->sectors = g_strdup (sectors);
          if (sectors == NULL)
            kiln_window_log (self, "%s", _("Erasing the whole chip"));
          else
            kiln_window_log (self, _("Erasing sectors %s"), sectors);
          break;
        case JOB_READ:
          {
            g_autofree char *path = g_file_get_path (target_file);

            job->address = kiln_chip_get_flash_base (self->chip);
            job->length = kiln_chip_get_flash_size (self->chip);
            call->file = g_object_ref (target_file);
            kiln_window_log (self, _("Reading the flash into %s"), path);
          }
          break;
        case JOB_PROGRAM:
        default:
          g_assert_not_reached ();
        }
      func = kiln_ops_call_run;
      destroy = (GDestroyNotify) kiln_ops_call_free;
      data = call;
    }

  progress = kiln_progress_new ();
  cancellable = g_cancellable_new ();
  _kiln_window_watch_progress (self, progress, cancellable);
  kiln_session_run_async (self->session, func, data, destroy, progress, cancellable, job_done_cb, g_object_ref (self));
  update_actions (self);
}

static void
job_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);

  if (g_str_equal (action_name, "win.program"))
    start_job (self, JOB_PROGRAM, NULL, NULL);
  else if (g_str_equal (action_name, "win.verify"))
    start_job (self, JOB_VERIFY, NULL, NULL);
}

static void
erase_response (AdwMessageDialog *dialog,
                const char       *response,
                KilnWindow       *self)
{
  if (g_strcmp0 (response, "sectors") == 0)
    start_job (self, JOB_ERASE, NULL, g_object_get_data (G_OBJECT (dialog), "kiln-sectors"));
  else if (g_strcmp0 (response, "all") == 0)
    start_job (self, JOB_ERASE, NULL, NULL);
}

/* The sectors the loaded file would write, as people number them. */
static char *
dup_file_sectors (KilnWindow *self,
                  guint64    *bytes)
{
  g_autoptr(GString) list = g_string_new (NULL);

  *bytes = 0;
  if (self->plan == NULL)
    return NULL;
  for (guint i = 0; i < kiln_flash_plan_get_n_sectors (self->plan); i++)
    {
      const KilnFlashPlanSector *ps = kiln_flash_plan_get_sector (self->plan, i);

      if (ps->action == KILN_FLASH_ACTION_UNTOUCHED)
        continue;
      g_string_append_printf (list, "%s%u", list->len ? ", " : "", ps->sector->index);
      *bytes += ps->sector->size;
    }
  return list->len ? g_strdup (list->str) : NULL;
}

static void
erase_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  guint64 file_bytes = 0;
  g_autofree char *file_sectors = dup_file_sectors (self, &file_bytes);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *chip_size = self->chip ? g_format_size_full (kiln_chip_get_flash_size (self->chip), G_FORMAT_SIZE_IEC_UNITS) : NULL;
  GtkWidget *dialog;

  g_string_append (body, _("Erasing removes the firmware from those sectors: the board will not run until it is programmed again."));
  if (file_sectors != NULL)
    {
      g_autofree char *size = g_format_size_full (file_bytes, G_FORMAT_SIZE_IEC_UNITS);

      g_string_append (body, "\n\n• ");
      /* Translators: "The sectors the file uses: 0, 1, 2 (96.0 KiB)" */
      g_string_append_printf (body, _("The sectors the file uses: %s (%s)"), file_sectors, size);
    }
  if (self->chip != NULL)
    {
      g_string_append (body, "\n• ");
      /* Translators: "The whole chip: sectors 0 to 7 (1.0 MiB)" */
      g_string_append_printf (body, _("The whole chip: sectors %u to %u (%s)"),
                              kiln_chip_get_sector (self->chip, 0)->index,
                              kiln_chip_get_sector (self->chip, kiln_chip_get_n_sectors (self->chip) - 1)->index,
                              chip_size);
    }
  if (self->target != NULL && self->target->protected != NULL && self->target->protected->len > 0)
    {
      g_autofree char *prot = kiln_identify_job_dup_protected (self->target);

      g_string_append (body, "\n\n");
      /* Translators: %s is "Sector 1" or "Sectors 1, 3" */
      g_string_append_printf (body, _("%s is write-protected: erasing it will be refused until the protection is removed in Option Bytes."), prot);
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Erase Flash?"), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  if (file_sectors != NULL)
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "sectors", _("Erase _File’s Sectors"));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sectors", ADW_RESPONSE_DESTRUCTIVE);
      g_object_set_data_full (G_OBJECT (dialog), "kiln-sectors", g_steal_pointer (&file_sectors), g_free);
    }
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "all", _("Erase _Whole Chip"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "all", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (erase_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
read_response (GtkNativeDialog *dialog,
               int              response,
               KilnWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      start_job (self, JOB_READ, file, NULL);
    }
  g_object_unref (dialog);
}

static void
read_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *name = g_strdup_printf ("%s-flash.bin",
                                           self->chip != NULL ? kiln_chip_get_name (self->chip) : "kiln");

  dialog = gtk_file_chooser_native_new (_("Read Flash to File"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Read"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (read_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);

  /* The job stops between two transfers, leaves the flash controller
   * locked, and reports which sectors are incomplete. */
  if (self->job_cancellable != NULL && !g_cancellable_is_cancelled (self->job_cancellable))
    {
      kiln_window_log (self, "%s", _("Cancelling…"));
      g_cancellable_cancel (self->job_cancellable);
    }
}

static void
udev_help_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (widget), _("USB Access to ST-LINK Probes"),
                                   _("On Linux, a normal user may only open an ST-LINK once the udev rules are installed. Run these commands, then unplug the probe and plug it in again:\n\nsudo cp 60-kiln-stlink.rules /etc/udev/rules.d/\nsudo udevadm control --reload\nsudo udevadm trigger\n\nThe rules file comes with Kiln (in the data folder of the source, or /usr/lib/udev/rules.d when installed as a package)."));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_body_use_markup (ADW_MESSAGE_DIALOG (dialog), FALSE);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
kiln_window_open_sample (KilnWindow *self)
{
  g_return_if_fail (KILN_IS_WINDOW (self));

#ifdef KILN_SAMPLE_FIRMWARE
  {
    g_autoptr(GFile) sample = g_file_new_for_path (KILN_SAMPLE_FIRMWARE);

    if (g_file_query_exists (sample, NULL))
      {
        kiln_window_open_file (self, sample);
        return;
      }
  }
#endif
  kiln_window_log (self, "%s", _("The sample firmware was not built (it needs arm-none-eabi-gcc); open a firmware file of your own."));
}

static void
simulator_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);

  kiln_window_set_simulator (self, TRUE);
  if (self->file == NULL)
    kiln_window_open_sample (self);
}

/* ---------------------------------------------------------------- object */

static void
kiln_window_close_request_save (KilnWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
kiln_window_close_request (GtkWindow *window)
{
  kiln_window_close_request_save (KILN_WINDOW (window));
  return GTK_WINDOW_CLASS (kiln_window_parent_class)->close_request (window);
}

static void
kiln_window_dispose (GObject *object)
{
  KilnWindow *self = KILN_WINDOW (object);

  self->disposed = TRUE;
  if (self->probe_selector != NULL)
    g_signal_handlers_disconnect_by_data (self->probe_selector, self);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_WINDOW);

  G_OBJECT_CLASS (kiln_window_parent_class)->dispose (object);
}

static void
kiln_window_finalize (GObject *object)
{
  KilnWindow *self = KILN_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->progress);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->file);
  g_clear_object (&self->image);
  g_clear_object (&self->chip);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->error_text, g_free);
  g_clear_pointer (&self->last_message, g_free);
  g_clear_object (&self->session);  /* joins the worker first */
  g_clear_pointer (&self->target, kiln_identify_job_free);
  g_clear_pointer (&self->target_error, g_free);
  g_clear_error (&self->target_gerror);
  g_clear_object (&self->probe);
  g_clear_object (&self->bench);    /* then saves the simulated board */

  G_OBJECT_CLASS (kiln_window_parent_class)->finalize (object);
}

static void
kiln_window_class_init (KilnWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kiln_window_dispose;
  object_class->finalize = kiln_window_finalize;
  window_class->close_request = kiln_window_close_request;

  g_type_ensure (KILN_TYPE_MEMORY_MAP);
  g_type_ensure (KILN_TYPE_PROBE_SELECTOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kiln/Kiln/kiln-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, probe_selector);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, identify_spinner);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, chip_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, uid_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, voltage_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, rdp_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, wrp_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, probe_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, target_status);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, option_bytes_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, target_action);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, choose_probe_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, udev_help_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, result_action);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, no_probe_box);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, chip_combo);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, chip_list);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, dual_bank_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, dual_bank_switch);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, line_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, flash_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, ram_row);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, no_probe_title);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, no_probe_description);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, simulator_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, file_stack);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, file_label);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, flash_label);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, memory_map);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, plan_label);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, program_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, verify_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, erase_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, read_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, action_hint);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, phase_label);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, result_revealer);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, result_box);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, result_icon);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, result_label);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, log_view);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, recent_section);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.program", NULL, job_action);
  gtk_widget_class_install_action (widget_class, "win.verify", NULL, job_action);
  gtk_widget_class_install_action (widget_class, "win.erase", NULL, erase_action);
  gtk_widget_class_install_action (widget_class, "win.read", NULL, read_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.copy-log", NULL, copy_log_action);
  gtk_widget_class_install_action (widget_class, "win.save-log", NULL, save_log_action);
  gtk_widget_class_install_action (widget_class, "win.udev-help", NULL, udev_help_action);
  gtk_widget_class_install_action (widget_class, "win.simulator", NULL, simulator_action);
  gtk_widget_class_install_action (widget_class, "win.identify", NULL, identify_action);
  gtk_widget_class_install_action (widget_class, "win.option-bytes", NULL, option_bytes_action);
  gtk_widget_class_install_action (widget_class, "win.connect-under-reset", NULL, connect_under_reset_action);
  gtk_widget_class_install_action (widget_class, "win.choose-probe", NULL, choose_probe_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.program", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.identify", NULL);
}

static void
kiln_window_init (KilnWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (update_recent_menu), self, G_CONNECT_SWAPPED);
  update_recent_menu (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.none", FALSE);

  gtk_string_list_append (self->chip_list, _("Not chosen"));
  for (guint i = 0; i < kiln_chip_db_get_n_parts (); i++)
    gtk_string_list_append (self->chip_list, kiln_chip_db_get_part (i)->name);
  adw_combo_row_set_selected (self->chip_combo, 0);
  g_signal_connect_object (self->chip_combo, "notify::selected",
                           G_CALLBACK (chip_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dual_bank_switch, "notify::active",
                           G_CALLBACK (chip_selected_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->probe_selector, "probe-selected",
                           G_CALLBACK (probe_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->probe_selector, "probes-changed",
                           G_CALLBACK (update_target_panel), self, G_CONNECT_SWAPPED);

  gtk_stack_set_visible_child_name (self->file_stack, "empty");
  update_target_panel (self);
  update_actions (self);
  kiln_window_log (self, _("Kiln %s started"), PACKAGE_VERSION);
}

KilnWindow *
kiln_window_new (AdwApplication *application)
{
  return g_object_new (KILN_TYPE_WINDOW, "application", application, NULL);
}

KilnMemoryMap *
_kiln_window_get_memory_map (KilnWindow *self)
{
  return self->memory_map;
}

const char *
_kiln_window_get_page (KilnWindow *self)
{
  return gtk_stack_get_visible_child_name (self->file_stack);
}

const char *
_kiln_window_get_plan_text (KilnWindow *self)
{
  return gtk_label_get_label (self->plan_label);
}

const char *
_kiln_window_get_error_text (KilnWindow *self)
{
  return self->error_text;
}

gboolean
_kiln_window_is_loading (KilnWindow *self)
{
  return self->load_cancellable != NULL;
}

gboolean
_kiln_window_can_program (KilnWindow *self)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (self->program_button));
}

const char *
_kiln_window_get_result_text (KilnWindow *self)
{
  if (!gtk_revealer_get_reveal_child (self->result_revealer))
    return NULL;
  return gtk_label_get_label (self->result_label);
}

const char *
_kiln_window_get_target_uid (KilnWindow *self)
{
  /* Only while the probe that found it is there */
  return self->probe != NULL && self->target != NULL && self->target->chip != NULL ? self->target->uid : NULL;
}

gboolean
_kiln_window_is_identifying (KilnWindow *self)
{
  return self->identifying;
}

char *
_kiln_window_dup_target_text (KilnWindow *self)
{
  AdwActionRow *rows[] = { self->chip_row, self->line_row, self->flash_row, self->ram_row, self->uid_row,
                           self->voltage_row, self->rdp_row, self->wrp_row, self->probe_row };
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (gtk_widget_get_visible (GTK_WIDGET (rows[i])))
      g_string_append_printf (text, "%s: %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (rows[i])),
                              adw_action_row_get_subtitle (rows[i]));
  if (gtk_widget_get_visible (self->no_probe_box))
    g_string_append_printf (text, "%s\n%s\n", gtk_label_get_label (self->no_probe_title),
                            gtk_label_get_label (self->no_probe_description));
  if (gtk_widget_get_visible (GTK_WIDGET (self->target_status)))
    g_string_append_printf (text, "%s\n", gtk_label_get_label (self->target_status));
  return g_string_free (text, FALSE);
}

KilnProbeSelector *
_kiln_window_get_probe_selector (KilnWindow *self)
{
  return self->probe_selector;
}

void
_kiln_window_read_to_file (KilnWindow *self,
                           GFile      *file)
{
  start_job (self, JOB_READ, file, NULL);
}

const char *
_kiln_window_get_result_action (KilnWindow *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->result_action)) || _kiln_window_get_result_text (self) == NULL)
    return NULL;
  return gtk_actionable_get_action_name (GTK_ACTIONABLE (self->result_action));
}

const char *
_kiln_window_get_target_action (KilnWindow *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->target_action)))
    return NULL;
  return gtk_actionable_get_action_name (GTK_ACTIONABLE (self->target_action));
}
