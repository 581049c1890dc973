/* kiln-production-unlock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiln-production-operator.h"
#include "kiln-production-signature.h"
#include "kiln-production-unlock-private.h"

typedef struct
{
  GtkWindow            *parent;     /* weak: the station's dispose cancels the task */
  char                 *hash;
  char                 *password;   /* being checked: the engineer's, or the key's */
  char                 *key_path;   /* the secret key being proven, or NULL */
  GtkWidget            *dialog;     /* being shown, or NULL */
  GtkFileChooserNative *chooser;    /* being shown, or NULL */
  gulong                cancelled_id;
} Unlock;

static void
forget_password (Unlock *unlock)
{
  if (unlock->password != NULL)
    memset (unlock->password, 0, strlen (unlock->password));
  g_clear_pointer (&unlock->password, g_free);
}

static void
unlock_free (Unlock *unlock)
{
  g_assert (unlock->dialog == NULL);
  g_assert (unlock->chooser == NULL);
  g_clear_weak_pointer (&unlock->parent);
  g_free (unlock->hash);
  g_free (unlock->key_path);
  forget_password (unlock);
  g_free (unlock);
}

static const char *
first_question (void)
{
  return _("Only the engineer leaves operator mode: the other profiles, the settings and the auto-start "
           "switch come back. Enter the engineer's password, or use the engineer's key file.");
}

static void ask (GTask      *task,
                 const char *body);

/* The password against the profile's hash, or the key: a fresh challenge
 * signed with it and checked against the station's trusted keys. */
static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Unlock *unlock = task_data;
  g_autoptr(GArray) trusted = NULL;
  GError *error = NULL;

  if (unlock->key_path == NULL)
    {
      g_task_return_boolean (task, kiln_operator_check_password (unlock->hash, unlock->password));
      return;
    }
  trusted = kiln_production_trust_load (NULL, TRUE, &error);
  if (trusted != NULL && kiln_production_trust_check_key (unlock->key_path, unlock->password, trusted, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
checked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlock *unlock = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean right;

  forget_password (unlock);
  if (g_task_return_error_if_cancelled (task))
    return;
  right = g_task_propagate_boolean (G_TASK (result), &error);
  if (right)
    g_task_return_boolean (task, TRUE);
  else if (unlock->key_path != NULL)
    {
      /* Translators: %s says why the engineer's key file was refused */
      g_autofree char *body = g_strdup_printf (_("%s. The station stays in operator mode."), error->message);

      g_clear_pointer (&unlock->key_path, g_free);
      ask (g_steal_pointer (&task), body);
    }
  else
    ask (g_steal_pointer (&task),
         _("Wrong password: the station stays in operator mode. Try again, or cancel and call the engineer."));
}

/* Off the GUI: Argon2id and a protected key's scrypt take their time on
 * purpose. Takes @task. */
static void
check (GTask      *task,
       const char *password)
{
  Unlock *unlock = g_task_get_task_data (task);
  g_autoptr(GTask) check = g_task_new (NULL, g_task_get_cancellable (task), checked_cb, task);

  unlock->password = g_strdup (password);
  g_task_set_task_data (check, unlock, NULL);
  g_task_run_in_thread (check, check_thread);
}

static void
give_up (GTask *task)
{
  if (!g_task_had_error (task))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operator mode was not left"));
  g_object_unref (task);
}

static void ask_key_password (GTask *task);

/* The station went away with the file chooser open. */
static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  Unlock *unlock = g_task_get_task_data (task);
  GtkFileChooserNative *chooser = g_steal_pointer (&unlock->chooser);

  if (chooser == NULL)
    return;
  g_signal_handlers_disconnect_by_data (chooser, task);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_object_unref (chooser);
  unlock->cancelled_id = 0;   /* not disconnected from within its own handler */
  give_up (task);
}

static void
key_chosen_cb (GtkNativeDialog *chooser,
               int              response,
               GTask           *task)
{
  Unlock *unlock = g_task_get_task_data (task);
  g_autoptr(GFile) file = NULL;

  g_cancellable_disconnect (g_task_get_cancellable (task), unlock->cancelled_id);
  unlock->cancelled_id = 0;
  unlock->chooser = NULL;
  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  g_clear_pointer (&unlock->key_path, g_free);
  if (file != NULL)
    unlock->key_path = g_file_get_path (file);
  if (unlock->key_path == NULL)
    ask (task, first_question ());
  else if (kiln_minisign_secret_key_needs_password (unlock->key_path))
    ask_key_password (task);
  else
    check (task, NULL);
}

/* The engineer's secret key file (minisign's, as profiles are signed
 * with). Takes @task. */
static void
choose_key (GTask *task)
{
  Unlock *unlock = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  unlock->chooser = gtk_file_chooser_native_new (_("Choose the Engineer's Secret Key"), unlock->parent,
                                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (unlock->chooser), TRUE);
  g_signal_connect (unlock->chooser, "response", G_CALLBACK (key_chosen_cb), task);
  /* Not cancelled yet (its response checked): the handler does not run here. */
  if (cancellable != NULL)
    unlock->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), task, NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (unlock->chooser));
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
  g_autofree char *password = NULL;

  /* The dialog closes itself after its response. */
  g_signal_handlers_disconnect_by_func (dialog, destroy_cb, task);
  unlock->dialog = NULL;
  password = g_strdup (gtk_editable_get_text (entry));
  gtk_editable_set_text (entry, "");
  if (g_task_return_error_if_cancelled (task))
    g_object_unref (task);
  else if (g_str_equal (response, "key"))
    choose_key (task);
  else if (g_str_equal (response, "unlock"))
    check (task, password);
  else if (unlock->key_path != NULL)
    {
      /* No password for the key: back to the first question. */
      g_clear_pointer (&unlock->key_path, g_free);
      ask (task, first_question ());
    }
  else
    give_up (task);
  memset (password, 0, strlen (password));
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
  give_up (task);
}

/* Takes @task. */
static void
present (GTask      *task,
         const char *heading,
         const char *body,
         const char *entry_label,
         gboolean    offer_key)
{
  Unlock *unlock = g_task_get_task_data (task);
  AdwMessageDialog *dialog;
  /* A plain entry that hides its text: with GTK 4.8's GtkPasswordEntry a
   * signal reached the freed entry once its dialog had closed. */
  GtkWidget *entry = gtk_entry_new ();

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (unlock->parent, heading, body));
  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, entry_label, -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  if (offer_key)
    adw_message_dialog_add_response (dialog, "key", _("Use _Key File…"));
  adw_message_dialog_add_response (dialog, "unlock", _("_Unlock"));
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

/* The engineer's password, or the key file. Takes @task. */
static void
ask (GTask      *task,
     const char *body)
{
  present (task, _("Leave Operator Mode?"), body, _("Engineer's password"), TRUE);
}

/* A key protected by a password (minisign -G without -W). Takes @task. */
static void
ask_key_password (GTask *task)
{
  Unlock *unlock = g_task_get_task_data (task);
  /* Translators: %s is the secret key file */
  g_autofree char *body = g_strdup_printf (_("%s is protected by a password."), unlock->key_path);

  present (task, _("Password for the Secret Key"), body, _("Password"), FALSE);
}

void
kiln_production_unlock_async (GtkWindow           *parent,
                              const char          *hash,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  /* No reference on the station: its closing (which cancels @cancellable)
   * must not wait for the question to be answered. */
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Unlock *unlock = g_new0 (Unlock, 1);

  g_set_weak_pointer (&unlock->parent, parent);
  unlock->hash = g_strdup (hash);
  g_task_set_task_data (task, unlock, (GDestroyNotify) unlock_free);
  ask (task, first_question ());
}

gboolean
kiln_production_unlock_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
