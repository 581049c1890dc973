/* kiln-production-window-actions.c — the station's profile and the
 * header's actions: opening a profile (signed, or shown as the reason nothing
 * starts), the record's export, the line view, the profile editor and
 * leaving operator mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-line-view-private.h"
#include "kiln-production-signature.h"
#include "kiln-production-window-private.h"
#include "kiln-profile-editor-private.h"

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
      _kiln_production_window_update_blocked (self);
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
          _kiln_production_window_update_blocked (self);
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
  _kiln_production_window_update_blocked (self);
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


void
_kiln_production_window_class_actions_init (GtkWidgetClass *widget_class)
{
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
