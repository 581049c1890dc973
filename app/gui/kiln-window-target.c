/* kiln-window-target.c — the main window's live target panel: the probe, identification, option bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-option-bytes-window-private.h"
#include "kiln-udev-help.h"
#include "kiln-window-private.h"

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
 * → connect under reset; a probe unplugged or gone quiet, a board without
 * power → @retry_action once the cause is fixed. Hidden when there is none. */
void
_kiln_window_offer_action (KilnWindow   *self,
                           GtkButton    *button,
                           const GError *error,
                           const char   *retry_action)
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
  else if (retry_action != NULL
           && (g_error_matches (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED)
               || g_error_matches (error, KILN_USB_ERROR, KILN_USB_ERROR_TIMEOUT)
               || g_error_matches (error, KILN_USB_ERROR, KILN_USB_ERROR_IO)
               || g_error_matches (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET_VOLTAGE)
               || g_error_matches (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET)))
    label = _("_Retry"), action = retry_action;

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
               t != NULL && t->have_probe && t->version.hw < 3
               && !kiln_stlink_has_feature (&t->version, KILN_STLINK_FEATURE_SWD_SET_FREQ));
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
  _kiln_window_offer_action (self, self->target_action, self->probe != NULL ? self->target_gerror : NULL,
                             "win.identify");
  gtk_widget_set_visible (GTK_WIDGET (self->identify_spinner), self->identifying);
  gtk_spinner_set_spinning (self->identify_spinner, self->identifying);
}

/* Why the target cannot be read, in the main area where the plan would
 * be, with the way out (Retry, Connect Under Reset, USB Access Help). */
static void
show_target_problem (KilnWindow *self)
{
  if (self->progress != NULL || self->target_gerror == NULL || self->probe == NULL)
    return;
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_box), "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->result_box), "failure");
  gtk_image_set_from_icon_name (self->result_icon, "dialog-warning-symbolic");
  gtk_label_set_label (self->result_label, self->target_error);
  _kiln_window_offer_action (self, self->result_action, self->target_gerror, "win.identify");
  gtk_revealer_set_reveal_child (self->result_revealer, TRUE);
  self->banner_is_target = TRUE;
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
  job->probe.info = g_steal_pointer (&found->probe.info);

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
      self->target_error = _kiln_window_dup_error_words (self, error);
      kiln_window_log_at (self, KILN_LOG_ERROR, "%s", error->message);
      /* A probe pulled out (or gone quiet) says nothing new about the
       * chip: what it found stays on view, and the map as the last job
       * left it, until it is back. */
      if ((g_error_matches (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED)
           || g_error_matches (error, KILN_USB_ERROR, KILN_USB_ERROR_TIMEOUT))
          && self->target != NULL && self->target->chip != NULL)
        {
          update_target_panel (self);
          _kiln_window_update_actions (self);
          return;
        }
      g_clear_pointer (&self->target, kiln_identify_job_free);
      if (found->have_probe)
        self->target = g_steal_pointer (&found);
      update_target_panel (self);
      _kiln_window_chip_selected (self);
      if (self->chip == NULL)
        _kiln_window_update_plan (self);   /* says why there is no plan */
      show_target_problem (self);
    }
  else
    {
      gboolean unchanged = same_target (self->target, found) && self->chip == self->target->chip;

      /* Same chip and protection: keep the map as the last job left it. */
      if (unchanged)
        g_set_object (&found->chip, self->chip);
      g_clear_pointer (&self->target, kiln_identify_job_free);
      self->target = g_steal_pointer (&found);
      g_free (self->target_serial);
      self->target_serial = g_strdup (kiln_usb_probe_info_get_serial (self->probe));
      if (!unchanged)
        {
          g_autofree char *prot = kiln_identify_job_dup_protected (self->target);

          kiln_window_log (self, _("Target: %s revision %s, %u KiB of flash, UID %s, read protection level %u, write-protected: %s"),
                           kiln_chip_get_line (self->target->chip)->line, self->target->revision,
                           kiln_chip_get_flash_kib (self->target->chip), self->target->uid,
                           self->target->rdp_level, prot);
          g_set_object (&self->chip, self->target->chip);
          _kiln_window_update_chip (self);
          _kiln_window_update_plan (self);
        }
      update_target_panel (self);
      if (self->banner_is_target)
        _kiln_window_clear_result (self);
    }
  _kiln_window_update_actions (self);
  if (self->identify_again)
    {
      self->identify_again = FALSE;
      _kiln_window_identify (self);
    }
}

void
_kiln_window_identify (KilnWindow *self)
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
  job->probe.khz = g_settings_get_uint (self->settings, "swd-clock");
  job->probe.under_reset = g_settings_get_boolean (self->settings, "connect-under-reset");
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
  gboolean keep = self->target != NULL && self->target->chip != NULL
                  && (info == NULL || g_strcmp0 (kiln_usb_probe_info_get_serial (info), self->target_serial) == 0);

  if (self->session != NULL)
    g_thread_unref (g_thread_new ("kiln-drop-session", drop_session_thread, g_steal_pointer (&self->session)));
  self->identifying = FALSE;
  self->identify_again = FALSE;
  if (!keep)
    g_clear_pointer (&self->target, kiln_identify_job_free);
  g_clear_pointer (&self->target_error, g_free);
  g_clear_error (&self->target_gerror);
  if (self->banner_is_target)
    _kiln_window_clear_result (self);

  if (info == NULL && old != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("The probe %s is gone (unplugged?)"), kiln_usb_probe_info_get_serial (old));

      kiln_window_log_at (self, KILN_LOG_WARNING, "%s", msg);
      /* Not over a job's result: the job ends saying the probe was
       * unplugged, in the banner the toast would cover. */
      if (self->progress == NULL && !gtk_revealer_get_reveal_child (self->result_revealer))
        _kiln_window_toast (self, msg);
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
      _kiln_window_identify (self);
    }
  else if (!keep)
    _kiln_window_chip_selected (self);   /* back to the chip the user picked */
  update_target_panel (self);
  _kiln_window_update_actions (self);
}

static void
option_bytes_written_cb (KilnWindow *self,
                         const char *summary)
{
  kiln_window_log (self, "%s", summary);
  _kiln_window_toast (self, _("Option bytes written"));
  /* Protection and layout may have changed: read the target again. Lowering
   * the read protection erases the flash. */
  _kiln_window_identify (self);
  if (self->memory_view != NULL)
    kiln_memory_view_read_again (self->memory_view,
                                 _("The option bytes were written: reading the rows in view again…"));
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
  _kiln_window_identify (self);
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
  _kiln_window_identify (KILN_WINDOW (widget));
}

static void
udev_help_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  kiln_udev_help_present (GTK_WINDOW (widget));
}

void
_kiln_window_class_init_target (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.udev-help", NULL, udev_help_action);
  gtk_widget_class_install_action (widget_class, "win.identify", NULL, identify_action);
  gtk_widget_class_install_action (widget_class, "win.option-bytes", NULL, option_bytes_action);
  gtk_widget_class_install_action (widget_class, "win.connect-under-reset", NULL, connect_under_reset_action);
  gtk_widget_class_install_action (widget_class, "win.choose-probe", NULL, choose_probe_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.identify", NULL);
}

void
_kiln_window_init_target (KilnWindow *self)
{
  g_signal_connect_object (self->probe_selector, "probe-selected",
                           G_CALLBACK (probe_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->probe_selector, "probes-changed",
                           G_CALLBACK (update_target_panel), self, G_CONNECT_SWAPPED);
  update_target_panel (self);
}
