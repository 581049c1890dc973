/* kiln-window.c — Kiln's main window: the object, the chip and the plan
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-profile-editor-private.h"
#include "kiln-window-private.h"

G_DEFINE_FINAL_TYPE (KilnWindow, kiln_window, ADW_TYPE_APPLICATION_WINDOW)

/* ------------------------------------------------------ target and plan */

void
_kiln_window_update_actions (KilnWindow *self)
{
  gboolean running = self->progress != NULL;
  gboolean have_probe = self->probe != NULL;
  /* Erase, Read and Option Bytes act on the chip the probe found. */
  gboolean live = self->target != NULL && self->target->chip != NULL;
  gboolean can_program = have_probe && self->image != NULL && self->plan != NULL && !running;
  const char *why = _("Choose an ST-LINK probe (or the simulated board) to program, verify, erase or read the chip");
  GtkButton *buttons[] = { self->verify_button, self->erase_button, self->read_button };

  if (self->disposed)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.program", can_program);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.verify", have_probe && self->image != NULL && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.erase", have_probe && live && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.read", have_probe && live && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.identify", have_probe && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.option-bytes", have_probe && live && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.memory", have_probe && live);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.erase-ticked", have_probe && live && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.otp", have_probe && live && !running);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->program_button), have_probe ? NULL : why);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", self->job_cancellable != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.retry", have_probe && !running
                                 && (self->last_job_kind != JOB_PROGRAM || can_program));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reload", self->file != NULL);
  /* The probe stays the same while a job runs on it. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->probe_selector), !running);

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_widget_set_tooltip_text (GTK_WIDGET (buttons[i]), have_probe ? NULL : why);
  gtk_label_set_label (self->action_hint, have_probe ? "" : why);
}

void
_kiln_window_clear_result (KilnWindow *self)
{
  if (self->progress != NULL || self->disposed)
    return;
  gtk_revealer_set_reveal_child (self->result_revealer, FALSE);
  self->banner_is_target = FALSE;
}

/* A short note over the bottom of the window that goes by itself. */
void
_kiln_window_toast (KilnWindow *self,
                    const char *text)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

const char *
_kiln_window_get_last_toast (KilnWindow *self)
{
  return self->last_toast;
}

static char *
format_kib (guint64 bytes)
{
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return g_strdup_printf (_("%u MiB"), (guint) (bytes / (1024 * 1024)));
  return g_strdup_printf (_("%u KiB"), (guint) (bytes / 1024));
}

void
_kiln_window_update_chip (KilnWindow *self)
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
      _kiln_window_show_file_line (self);
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

/* The line under the file's name: its size, and the chip's flash when a
 * chip is known ("96.0 KiB in 1 segment · flash 1 MiB, one bank, 8 sectors"). */
void
_kiln_window_show_file_line (KilnWindow *self)
{
  const char *flash = self->chip != NULL ? adw_action_row_get_subtitle (self->flash_row) : NULL;
  g_autofree char *text = NULL;

  if (self->file_detail != NULL && flash != NULL)
    /* Translators: the file's size, then the chip's flash:
     * "96.0 KiB in 1 segment · flash 1 MiB, one bank, 8 sectors" */
    text = g_strdup_printf (_("%s · flash %s"), self->file_detail, flash);
  else
    text = g_strdup (self->file_detail != NULL ? self->file_detail : flash != NULL ? flash : "");
  gtk_label_set_label (self->flash_label, text);
}

void
_kiln_window_update_plan (KilnWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->plan);
  kiln_memory_map_reset_states (self->memory_map);
  if (self->memory_view != NULL)
    kiln_memory_view_set_image (self->memory_view, self->image);
  gtk_widget_remove_css_class (GTK_WIDGET (self->plan_label), "error");
  /* What the last job did or why it failed is old news now; a target that
   * cannot be read keeps saying so. */
  if (!self->banner_is_target)
    _kiln_window_clear_result (self);

  if (self->image == NULL)
    return;

  if (self->chip == NULL)
    {
      _kiln_window_show_file_line (self);
      if (self->probe != NULL && self->target_error != NULL)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->plan_label), "error");
          gtk_label_set_label (self->plan_label,
                               _("The chip behind the probe could not be read (see below), so which sectors this file will change is not known yet."));
        }
      else
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
      kiln_window_log_at (self, KILN_LOG_ERROR, "%s", error->message);
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
  _kiln_window_update_chip (self);
  _kiln_window_update_plan (self);
}

void
_kiln_window_chip_selected (KilnWindow *self)
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
      kiln_window_log_at (self, KILN_LOG_ERROR, "%s", error != NULL ? error->message : name);
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
  kiln_window_log_at (self, KILN_LOG_WARNING, _("%s is not in Kiln’s chip database"), name);
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

gboolean
kiln_window_uses_simulator (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), FALSE);

  return self->simulator;
}

void
kiln_window_open_sample (KilnWindow *self)
{
  g_return_if_fail (KILN_IS_WINDOW (self));

#ifdef KILN_SAMPLE_FIRMWARE
  {
    const char *path = g_getenv ("KILN_SAMPLE_FIRMWARE");
    g_autoptr(GFile) sample = g_file_new_for_path (path != NULL ? path : KILN_SAMPLE_FIRMWARE);

    if (g_file_query_exists (sample, NULL))
      {
        kiln_window_open_file (self, sample);
        return;
      }
  }
#endif
  kiln_window_log_at (self, KILN_LOG_WARNING, "%s", _("The sample firmware was not built (it needs arm-none-eabi-gcc); open a firmware file of your own."));
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
  _kiln_window_dispose_memory (self);
  _kiln_window_dispose_log (self);
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
  g_clear_pointer (&self->last_toast, g_free);
  g_clear_pointer (&self->last_sectors, g_free);
  g_clear_pointer (&self->file_detail, g_free);
  g_clear_object (&self->last_file);
  g_clear_error (&self->job_error);
  g_clear_object (&self->session);  /* joins the worker first */
  g_clear_pointer (&self->target, kiln_identify_job_free);
  g_clear_pointer (&self->target_serial, g_free);
  g_clear_pointer (&self->target_error, g_free);
  g_clear_error (&self->target_gerror);
  g_clear_object (&self->probe);
  g_clear_pointer (&self->running_job, kiln_flash_job_free);
  g_clear_pointer (&self->meter, kiln_job_meter_free);
  g_clear_object (&self->bench);    /* then saves the simulated board */
  _kiln_window_finalize_log (self);

  G_OBJECT_CLASS (kiln_window_parent_class)->finalize (object);
}

/* The profile editor: Try on One Board uses the probe this window works on. */
static void
profile_editor_action (GtkWidget  *widget,
                       const char *name,
                       GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);

  kiln_profile_editor_open (GTK_WINDOW (self), g_str_equal (name, "win.new-profile"), NULL, self->session,
                            self->probe);
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
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, recent_section);

  gtk_widget_class_install_action (widget_class, "win.simulator", NULL, simulator_action);
  gtk_widget_class_install_action (widget_class, "win.new-profile", NULL, profile_editor_action);
  gtk_widget_class_install_action (widget_class, "win.edit-profile", NULL, profile_editor_action);
  _kiln_window_class_init_file (widget_class);
  _kiln_window_class_init_log (widget_class);
  _kiln_window_class_init_log_size (widget_class);
  _kiln_window_class_init_target (widget_class);
  _kiln_window_class_init_jobs (widget_class);
  _kiln_window_class_init_read (widget_class);
  _kiln_window_class_init_memory (widget_class);

  /* The shortcuts of actions that do not bind their own (every shortcut is
   * listed in resources/gtk/help-overlay.ui, Ctrl+?). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.verify", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.erase", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.read", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK, "win.option-bytes", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "win.choose-probe", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.memory", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.otp", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.copy-log", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.save-log", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "app.production", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F1, 0, "app.help", "s", "program");
}

static void
kiln_window_init (KilnWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  _kiln_window_init_log (self);
  _kiln_window_init_log_size (self);
  _kiln_window_init_file (self);

  gtk_string_list_append (self->chip_list, _("Not chosen"));
  for (guint i = 0; i < kiln_chip_db_get_n_parts (); i++)
    gtk_string_list_append (self->chip_list, kiln_chip_db_get_part (i)->name);
  adw_combo_row_set_selected (self->chip_combo, 0);
  g_signal_connect_object (self->chip_combo, "notify::selected",
                           G_CALLBACK (_kiln_window_chip_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dual_bank_switch, "notify::active",
                           G_CALLBACK (_kiln_window_chip_selected), self, G_CONNECT_SWAPPED);

  gtk_stack_set_visible_child_name (self->file_stack, "empty");
  _kiln_window_init_target (self);
  _kiln_window_init_memory (self);
  _kiln_window_update_actions (self);
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

void
_kiln_window_set_log_expanded (KilnWindow *self,
                               gboolean    expanded)
{
  gtk_expander_set_expanded (self->log_expander, expanded);
}

double
_kiln_window_get_progress_fraction (KilnWindow *self)
{
  return self->progress != NULL ? gtk_progress_bar_get_fraction (self->progress_bar) : 0;
}

const char *
_kiln_window_get_progress_text (KilnWindow *self)
{
  return self->progress != NULL ? gtk_label_get_label (self->phase_label) : NULL;
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
