/* kiln-profile-editor-sign.c — the editor's signature: the secret key chosen
 * (its password asked for when it has one), the profile saved and signed
 * beside itself (PROFILE.minisig), and a new key pair
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "kiln-production-signature.h"
#include "kiln-profile-editor-private.h"

static char *
secret_path (KilnProfileEditor *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->secret_row))));
}

char *
_kiln_profile_editor_read_signer (KilnProfileEditor *self,
                                  const char        *path,
                                  gboolean          *trusted)
{
  g_autofree char *sig_path = g_strconcat (path, ".minisig", NULL);
  g_autofree char *signature = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GArray) keys = NULL;
  KilnMinisignVerdict verdict = KILN_MINISIGN_UNTRUSTED;
  guint8 signer[8];
  gsize length = 0;

  *trusted = FALSE;
  if (!g_file_get_contents (sig_path, &signature, NULL, NULL) || !g_file_get_contents (path, &text, &length, NULL))
    return NULL;
  /* The keys this computer trusts, and the one the editor signed with. */
  keys = kiln_production_trust_load (NULL, TRUE, NULL);
  if (keys == NULL)
    keys = g_array_new (FALSE, FALSE, sizeof (KilnMinisignPublicKey));
  if (self->has_signed_with)
    g_array_append_val (keys, self->signed_with);
  if (!kiln_minisign_verify (signature, (const guint8 *) text, length, (KilnMinisignPublicKey *) keys->data,
                             keys->len, &verdict, NULL, signer, NULL))
    return NULL;
  if (verdict != KILN_MINISIGN_VALID && verdict != KILN_MINISIGN_UNTRUSTED)
    return NULL;
  *trusted = verdict == KILN_MINISIGN_VALID;
  return kiln_minisign_key_id_to_string (signer);
}

static void
sign_with (KilnProfileEditor           *self,
           const KilnMinisignSecretKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sig_path = NULL;
  g_autofree char *id = kiln_minisign_key_id_to_string (key->id);
  g_autofree char *toast = NULL;
  gboolean trusted = FALSE;

  /* Unsaved edits are saved first: what is signed is what the file holds. */
  if (self->changed && !kiln_profile_editor_save_to (self, self->path, &error))
    {
      _kiln_profile_editor_set_field_error (self, self->secret_row, error->message);
      return;
    }
  sig_path = kiln_production_profile_sign_file (self->path, key, FALSE, &error);
  if (sig_path == NULL)
    {
      _kiln_profile_editor_set_field_error (self, self->secret_row, error->message);
      return;
    }
  /* An Ed25519 secret key ends with its public key. */
  memcpy (self->signed_with.id, key->id, 8);
  memcpy (self->signed_with.key, key->key + 32, 32);
  self->has_signed_with = TRUE;
  g_free (self->signer);
  self->signer = _kiln_profile_editor_read_signer (self, self->path, &trusted);
  self->signer_trusted = trusted;
  self->changed = FALSE;
  _kiln_profile_editor_set_field_error (self, self->secret_row, NULL);
  _kiln_profile_editor_show_signature (self);
  /* Translators: %s is the signing key's id */
  toast = g_strdup_printf (_("Signed by %s"), id);
  _kiln_profile_editor_toast (self, toast);
}

/* A key with a password: scrypt takes a while, off the main loop. */

typedef struct
{
  char                  *path;
  char                  *password;
  KilnMinisignSecretKey  key;
} Unlock;

static void
unlock_free (Unlock *unlock)
{
  g_free (unlock->path);
  if (unlock->password != NULL)
    sodium_memzero (unlock->password, strlen (unlock->password));
  g_free (unlock->password);
  sodium_memzero (&unlock->key, sizeof unlock->key);
  g_free (unlock);
}

static void
unlock_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  Unlock *unlock = data;
  GError *error = NULL;

  if (kiln_minisign_secret_key_load_with_password (unlock->path, unlock->password, &unlock->key, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
unlock_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  KilnProfileEditor *self = KILN_PROFILE_EDITOR (source);
  Unlock *unlock = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_widget_set_sensitive (self->sign_button, TRUE);
  if (self->unlocking != NULL)
    adw_toast_dismiss (self->unlocking);
  g_clear_weak_pointer (&self->unlocking);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    _kiln_profile_editor_set_field_error (self, self->secret_row, error->message);
  else
    sign_with (self, &unlock->key);
}

static void
password_response_cb (AdwMessageDialog  *dialog,
                      const char        *response,
                      KilnProfileEditor *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autoptr(GTask) task = NULL;
  Unlock *unlock;

  /* The dialog closes after this: its entry gives up the focus first (GTK
   * 4.8 warns of a focused entry row destroyed with its dialog). */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
  if (!g_str_equal (response, "sign"))
    return;
  unlock = g_new0 (Unlock, 1);
  unlock->path = secret_path (self);
  unlock->password = g_strdup (gtk_editable_get_text (entry));
  gtk_editable_set_text (entry, "");
  gtk_widget_set_sensitive (self->sign_button, FALSE);
  g_set_weak_pointer (&self->unlocking, _kiln_profile_editor_toast (self, _("Unlocking the secret key…")));
  task = g_task_new (self, self->cancellable, unlock_done, NULL);
  g_task_set_task_data (task, unlock, (GDestroyNotify) unlock_free);
  g_task_run_in_thread (task, unlock_thread);
}

static void
ask_password (KilnProfileEditor *self,
              const char        *path)
{
  AdwMessageDialog *dialog;
  GtkWidget *box = gtk_list_box_new ();
  GtkWidget *entry = adw_password_entry_row_new ();
  g_autofree char *body = NULL;

  /* Translators: %s is the secret key file */
  body = g_strdup_printf (_("%s is protected by a password."), path);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Password for the Secret Key"), body));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _("Password"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (entry), TRUE);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (box), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (box, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (box), entry);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "sign", _("_Sign"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "sign", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "sign");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (password_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

void
_kiln_profile_editor_sign (KilnProfileEditor *self)
{
  g_autofree char *path = secret_path (self);
  g_autoptr(GError) error = NULL;
  KilnMinisignSecretKey key;

  if (self->path == NULL)
    {
      _kiln_profile_editor_set_field_error (self, self->secret_row,
                                            _("Save the profile first: the signature goes beside its file"));
      return;
    }
  if (*path == '\0')
    {
      _kiln_profile_editor_set_field_error (self, self->secret_row,
                                            _("Choose the secret key file, or generate a key pair"));
      return;
    }
  if (kiln_minisign_secret_key_needs_password (path))
    {
      ask_password (self, path);
      return;
    }
  if (!kiln_minisign_secret_key_load (path, &key, &error))
    {
      _kiln_profile_editor_set_field_error (self, self->secret_row, error->message);
      return;
    }
  sign_with (self, &key);
  sodium_memzero (&key, sizeof key);
}

void
_kiln_profile_editor_choose_key (KilnProfileEditor *self)
{
  _kiln_profile_editor_choose_file (self, _("Choose the Secret Key"), self->secret_row);
}

/* A new key pair */

typedef struct
{
  char *secret_path;
  char *public_path;
  char *password;
  char *id;
} Keygen;

static void
keygen_free (Keygen *keygen)
{
  g_free (keygen->secret_path);
  g_free (keygen->public_path);
  if (keygen->password != NULL)
    sodium_memzero (keygen->password, strlen (keygen->password));
  g_free (keygen->password);
  g_free (keygen->id);
  g_free (keygen);
}

/* Writes @contents to a new file @path only (nothing is overwritten). */
static gboolean
write_new (const char  *path,
           const char  *contents,
           gboolean     private,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = g_file_create (file, private ? G_FILE_CREATE_PRIVATE : G_FILE_CREATE_NONE,
                                                    NULL, error);

  return out != NULL
         && g_output_stream_write_all (G_OUTPUT_STREAM (out), contents, strlen (contents), NULL, NULL, error)
         && g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

static void
keygen_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  Keygen *keygen = data;
  g_autofree char *pub = NULL, *sec = NULL;
  g_autofree char *dir = g_path_get_dirname (keygen->secret_path);
  KilnMinisignPublicKey key;
  GError *error = NULL;

  kiln_minisign_generate_with_password (keygen->password, &pub, &sec);
  g_mkdir_with_parents (dir, 0700);
  if (!write_new (keygen->public_path, pub, FALSE, &error) || !write_new (keygen->secret_path, sec, TRUE, &error))
    {
      sodium_memzero (sec, strlen (sec));
      g_task_return_error (task, error);
      return;
    }
  sodium_memzero (sec, strlen (sec));
  kiln_minisign_public_key_parse (pub, &key, NULL);
  keygen->id = kiln_minisign_key_id_to_string (key.id);
  g_task_return_boolean (task, TRUE);
}

static void
keygen_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  KilnProfileEditor *self = KILN_PROFILE_EDITOR (source);
  Keygen *keygen = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      _kiln_profile_editor_set_field_error (self, self->secret_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), keygen->secret_path);
  body = g_strdup_printf (_("Key %s is ready.\n\nKeep %s safe and private: whoever holds it can sign profiles "
                            "your stations run.\n\nGive %s to each station: it goes into the station's "
                            "trusted-keys folder."),
                          keygen->id, keygen->secret_path, keygen->public_path);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Key Pair Generated"), body));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
keygen_response_cb (AdwMessageDialog  *dialog,
                    const char        *response,
                    KilnProfileEditor *self)
{
  GtkEditable *path_entry = g_object_get_data (G_OBJECT (dialog), "path");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "password");
  GtkEditable *again = g_object_get_data (G_OBJECT (dialog), "again");
  g_autofree char *path = g_strstrip (g_strdup (gtk_editable_get_text (path_entry)));
  g_autoptr(GTask) task = NULL;
  Keygen *keygen;

  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
  if (!g_str_equal (response, "generate"))
    return;
  if (!g_str_equal (gtk_editable_get_text (password), gtk_editable_get_text (again)))
    {
      _kiln_profile_editor_set_field_error (self, self->secret_row,
                                            _("The two passwords differ: no key pair was generated"));
      return;
    }
  if (*path == '\0')
    return;
  keygen = g_new0 (Keygen, 1);
  keygen->secret_path = g_str_has_suffix (path, ".key") ? g_strdup (path) : g_strconcat (path, ".key", NULL);
  keygen->public_path = g_strdup (keygen->secret_path);
  strcpy (keygen->public_path + strlen (keygen->public_path) - 4, ".pub");
  keygen->password = g_strdup (gtk_editable_get_text (password));
  gtk_editable_set_text (password, "");
  gtk_editable_set_text (again, "");
  task = g_task_new (self, self->cancellable, keygen_done, NULL);
  g_task_set_task_data (task, keygen, (GDestroyNotify) keygen_free);
  g_task_run_in_thread (task, keygen_thread);
}

void
_kiln_profile_editor_keygen (KilnProfileEditor *self)
{
  AdwMessageDialog *dialog;
  GtkWidget *box = gtk_list_box_new ();
  GtkWidget *path = adw_entry_row_new ();
  GtkWidget *password = adw_password_entry_row_new ();
  GtkWidget *again = adw_password_entry_row_new ();
  g_autofree char *suggested = g_build_filename (g_get_user_config_dir (), "kiln", "signing.key", NULL);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    GTK_WINDOW (self), _("Generate a Key Pair"),
    _("The secret key signs profiles; the public key (.pub, written beside it) lets stations check them. Keep the "
      "secret key safe and private, protected by a password.")));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (box), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (box, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (path), _("Secret key file"));
  gtk_editable_set_text (GTK_EDITABLE (path), suggested);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (password), _("Password (empty: none)"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (again), _("Password again"));
  gtk_list_box_append (GTK_LIST_BOX (box), path);
  gtk_list_box_append (GTK_LIST_BOX (box), password);
  gtk_list_box_append (GTK_LIST_BOX (box), again);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "generate", _("_Generate"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "generate", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "generate");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "path", path);
  g_object_set_data (G_OBJECT (dialog), "password", password);
  g_object_set_data (G_OBJECT (dialog), "again", again);
  g_signal_connect_object (dialog, "response", G_CALLBACK (keygen_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
