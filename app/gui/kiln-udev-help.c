/* kiln-udev-help.c — USB access: what the udev rules are for, and
 * installing them through pkexec when the user agrees
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-udev-help.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#define RULES_RESOURCE "/org/kiln/Kiln/udev/60-kiln-stlink.rules"

/* Run as root by pkexec with the rules file as $1: installs it readable
 * by all, reloads udev and replays the add events of ST's devices so that
 * a probe already plugged in gets its access without a replug. */
static const char install_script[] =
  "install -m 0644 -- \"$1\" " KILN_UDEV_RULES_TARGET " && "
  "udevadm control --reload && "
  "udevadm trigger --action=add --subsystem-match=usb --attr-match=idVendor=0483";

typedef struct
{
  GtkWindow *parent;
  char      *dir;
  char      *rules;
} InstallData;

static void
install_data_free (InstallData *data)
{
  if (data->rules != NULL)
    g_unlink (data->rules);
  if (data->dir != NULL)
    g_rmdir (data->dir);
  g_clear_object (&data->parent);
  g_free (data->rules);
  g_free (data->dir);
  g_free (data);
}

static const char *
manual_steps (void)
{
  return _("Run these commands in a terminal, then unplug the probe and plug it in again:\n\n"
           "sudo cp 60-kiln-stlink.rules /etc/udev/rules.d/\n"
           "sudo udevadm control --reload\n"
           "sudo udevadm trigger\n\n"
           "The rules file comes with Kiln (in the data folder of the source, or /usr/lib/udev/rules.d when installed as a package).");
}

static void
show_result (GtkWindow  *parent,
             const char *heading,
             const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
install_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  InstallData *data = user_data;
  g_autoptr(GError) error = NULL;
  GSubprocess *process = G_SUBPROCESS (source);

  if (!g_subprocess_wait_finish (process, result, &error))
    {
      g_autofree char *body = g_strdup_printf ("%s\n\n%s", error->message, manual_steps ());
      show_result (data->parent, _("The Rules Were Not Installed"), body);
    }
  else if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    {
      show_result (data->parent, _("USB Access Rules Installed"),
                   _("Unplug the ST-LINK and plug it in again: Kiln will then list it."));
    }
  else
    {
      /* pkexec exits 126 when the user dismissed the password prompt and
       * 127 when not authorized; the command's own status otherwise. */
      int status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
      g_autofree char *body = NULL;

      if (status == 126 || status == 127)
        body = g_strdup_printf ("%s\n\n%s", _("No administrator’s password was given, so nothing was changed."),
                                manual_steps ());
      else
        body = g_strdup_printf (_("Installing the rules failed (exit status %d); nothing else was changed.\n\n%s"),
                                status, manual_steps ());
      show_result (data->parent, _("The Rules Were Not Installed"), body);
    }
  install_data_free (data);
}

static gboolean
write_rules (InstallData  *data,
             GError      **error)
{
  g_autoptr(GBytes) rules = NULL;

  rules = g_resources_lookup_data (RULES_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (rules == NULL)
    return FALSE;
  /* A folder of our own (mode 0700), so that no other user can swap the
   * file between its writing and the root copy. */
  data->dir = g_dir_make_tmp ("kiln-udev-XXXXXX", error);
  if (data->dir == NULL)
    return FALSE;
  data->rules = g_build_filename (data->dir, "60-kiln-stlink.rules", NULL);
  if (!g_file_set_contents_full (data->rules, g_bytes_get_data (rules, NULL), g_bytes_get_size (rules),
                                 G_FILE_SET_CONTENTS_NONE, 0644, error))
    {
      g_clear_pointer (&data->rules, g_free);
      return FALSE;
    }
  return TRUE;
}

static void
install_rules (GtkWindow *parent)
{
  InstallData *data = g_new0 (InstallData, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *pkexec = g_find_program_in_path ("pkexec");

  data->parent = g_object_ref (parent);
  if (pkexec == NULL || !write_rules (data, &error))
    {
      g_autofree char *body = g_strdup_printf ("%s\n\n%s",
                                               error != NULL ? error->message : _("pkexec (polkit) is not installed."),
                                               manual_steps ());
      show_result (parent, _("The Rules Were Not Installed"), body);
      install_data_free (data);
      return;
    }

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error,
                              pkexec, "/bin/sh", "-c", install_script, "sh", data->rules, NULL);
  if (process == NULL)
    {
      g_autofree char *body = g_strdup_printf ("%s\n\n%s", error->message, manual_steps ());
      show_result (parent, _("The Rules Were Not Installed"), body);
      install_data_free (data);
      return;
    }
  g_subprocess_wait_async (process, NULL, install_done, data);
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));

  if (g_strcmp0 (response, "install") == 0 && parent != NULL)
    install_rules (parent);
}

void
kiln_udev_help_present (GtkWindow *parent)
{
  GtkWidget *dialog;
  g_autofree char *pkexec = g_find_program_in_path ("pkexec");

  if (pkexec == NULL)
    {
      g_autofree char *body = g_strdup_printf ("%s %s",
                                               _("On Linux, a normal user may only open an ST-LINK once Kiln’s udev rules are installed."),
                                               manual_steps ());
      show_result (parent, _("USB Access to ST-LINK Probes"), body);
      return;
    }

  dialog = adw_message_dialog_new (parent, _("USB Access to ST-LINK Probes"),
                                   _("On Linux, a normal user may only open an ST-LINK once Kiln’s udev rules are installed. "
                                     "Kiln can install them now: you will be asked for an administrator’s password. "
                                     "The rules give the user at this computer’s seat access to ST-LINK probes and to nothing else."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Not Now"),
                                    "install", _("_Install Rules"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "install", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "install");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}
