/* kiln-production-unlock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiln-production-operator.h"
#include "kiln-production-unlock-private.h"

typedef struct
{
  GtkWindow *parent;
  char      *hash;
  char      *password;   /* being checked */
  GtkWidget *dialog;     /* being shown, or NULL */
} Unlock;

static void
unlock_free (Unlock *unlock)
{
  g_assert (unlock->dialog == NULL);
  g_clear_object (&unlock->parent);
  g_free (unlock->hash);
  if (unlock->password != NULL)
    memset (unlock->password, 0, strlen (unlock->password));
  g_free (unlock->password);
  g_free (unlock);
}

static void ask (GTask      *task,
                 const char *body);

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Unlock *unlock = task_data;

  g_task_return_boolean (task, kiln_operator_check_password (unlock->hash, unlock->password));
}

static void
checked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlock *unlock = g_task_get_task_data (task);

  memset (unlock->password, 0, strlen (unlock->password));
  g_clear_pointer (&unlock->password, g_free);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (g_task_propagate_boolean (G_TASK (result), NULL))
    g_task_return_boolean (task, TRUE);
  else
    ask (g_steal_pointer (&task),
         _("Wrong password: the station stays in operator mode. Try again, or cancel and call the engineer."));
}

static void destroy_cb (GtkWidget *dialog,
                        GTask     *task);

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             GTask            *task)
{
  Unlock *unlock = g_task_get_task_data (task);
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  /* The dialog closes itself after its response. */
  g_signal_handlers_disconnect_by_func (dialog, destroy_cb, task);
  unlock->dialog = NULL;
  if (!g_str_equal (response, "unlock") || g_task_return_error_if_cancelled (task))
    {
      if (!g_task_had_error (task))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operator mode was not left"));
      g_object_unref (task);
      return;
    }
  {
    g_autoptr(GTask) check = g_task_new (NULL, g_task_get_cancellable (task), checked_cb, task);

    /* Argon2id takes its time on purpose: off the GUI. */
    unlock->password = g_strdup (gtk_editable_get_text (entry));
    gtk_editable_set_text (entry, "");
    g_task_set_task_data (check, unlock, NULL);
    g_task_run_in_thread (check, check_thread);
  }
}

/* The station went away with its question unanswered. */
static void
destroy_cb (GtkWidget *dialog,
            GTask     *task)
{
  Unlock *unlock = g_task_get_task_data (task);

  if (unlock->dialog != dialog)
    return;
  unlock->dialog = NULL;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operator mode was not left"));
  g_object_unref (task);
}

/* Takes @task. */
static void
ask (GTask      *task,
     const char *body)
{
  Unlock *unlock = g_task_get_task_data (task);
  AdwMessageDialog *dialog;
  /* A plain entry that hides its text: with GTK 4.8's GtkPasswordEntry a
   * signal reached the freed entry once its dialog had closed. */
  GtkWidget *entry = gtk_entry_new ();

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (unlock->parent, _("Leave Operator Mode?"), body));
  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Engineer's password"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "unlock", _("_Unlock"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "unlock", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "unlock");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), task);
  g_signal_connect (dialog, "destroy", G_CALLBACK (destroy_cb), task);
  unlock->dialog = GTK_WIDGET (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

void
kiln_production_unlock_async (GtkWindow           *parent,
                              const char          *hash,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (parent, cancellable, callback, user_data);
  Unlock *unlock = g_new0 (Unlock, 1);

  unlock->parent = g_object_ref (parent);
  unlock->hash = g_strdup (hash);
  g_task_set_task_data (task, unlock, (GDestroyNotify) unlock_free);
  ask (task, _("Only the engineer leaves operator mode: the other profiles, the settings and the auto-start "
               "switch come back. Enter the engineer's password."));
}

gboolean
kiln_production_unlock_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
