/* kiln-production-signature.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "kiln-production-signature.h"
#include "kiln-file-write.h"

#define COMMENT_TAG "kiln-profile 1"

char *
kiln_production_trust_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "kiln", "trusted-keys", NULL);
}

GArray *
kiln_production_trust_load (const char * const *sources,
                            gboolean            with_config_dir,
                            GError            **error)
{
  g_autoptr(GArray) keys = g_array_new (FALSE, TRUE, sizeof (KilnMinisignPublicKey));

  for (guint i = 0; sources != NULL && sources[i] != NULL; i++)
    {
      KilnMinisignPublicKey key;

      if (!kiln_minisign_public_key_load (sources[i], &key, error))
        return NULL;
      g_array_append_val (keys, key);
    }
  if (with_config_dir)
    {
      g_autofree char *dir_path = kiln_production_trust_dir ();
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          KilnMinisignPublicKey key;

          if (!g_str_has_suffix (name, ".pub"))
            continue;
          if (!kiln_minisign_public_key_load (path, &key, error))
            return NULL;
          g_array_append_val (keys, key);
        }
    }
  return g_steal_pointer (&keys);
}

/* Every setting of the profile in @text as "group.key=value", in order. */
static GPtrArray *
settings_of (const char *text,
             gsize       length)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_data (kf, text, length, G_KEY_FILE_NONE, NULL))
    return g_steal_pointer (&out);
  groups = g_key_file_get_groups (kf, NULL);
  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (kf, groups[g], NULL, NULL);

      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          g_autofree char *value = g_key_file_get_value (kf, groups[g], keys[k], NULL);

          g_ptr_array_add (out, g_strdup_printf ("%s.%s=%s", groups[g], keys[k], value ? g_strstrip (value) : ""));
        }
    }
  return g_steal_pointer (&out);
}

static char *
trusted_comment_for (const char *text,
                     gsize       length)
{
  g_autoptr(GPtrArray) settings = settings_of (text, length);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_autoptr(GString) out = g_string_new (NULL);

  g_string_append_printf (out, "%s\tsigned:%s", COMMENT_TAG, when);
  for (guint i = 0; i < settings->len; i++)
    {
      g_autofree char *escaped = g_strescape (g_ptr_array_index (settings, i), NULL);

      g_string_append_printf (out, "\t%s", escaped);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
kiln_production_trust_check_key (const char  *secret_path,
                                 const char  *password,
                                 GArray      *trusted,
                                 GError     **error)
{
  KilnMinisignSecretKey key;
  KilnMinisignVerdict verdict = KILN_MINISIGN_UNTRUSTED;
  guint8 challenge[32];
  g_autofree char *signature = NULL;
  g_autofree char *id = NULL;

  if (!kiln_minisign_secret_key_load_with_password (secret_path, password, &key, error))
    return FALSE;
  /* libsodium is ready: the key was read with it. */
  /* A fresh challenge each time: a signature kept from an earlier one
   * proves nothing. */
  randombytes_buf (challenge, sizeof challenge);
  signature = kiln_minisign_sign (&key, challenge, sizeof challenge, "kiln operator-mode challenge");
  id = kiln_minisign_key_id_to_string (key.id);
  sodium_memzero (&key, sizeof key);
  if (!kiln_minisign_verify (signature, challenge, sizeof challenge,
                             trusted != NULL ? (const KilnMinisignPublicKey *) (gpointer) trusted->data : NULL,
                             trusted != NULL ? trusted->len : 0, &verdict, NULL, NULL, error))
    return FALSE;
  if (verdict != KILN_MINISIGN_VALID)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                   /* Translators: %s is a minisign key ID (16 hexadecimal digits) */
                   _("The key %s is not one this station trusts (its public key is not in the trusted keys "
                     "folder): choose the engineer's secret key"), id);
      return FALSE;
    }
  return TRUE;
}

char *
kiln_production_profile_sign_file (const char                  *path,
                                   const KilnMinisignSecretKey *key,
                                   gboolean                     repin,
                                   GError                     **error)
{
  g_autoptr(KilnProductionProfile) profile = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *written = NULL;
  g_autofree char *text = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *sig_path = g_strconcat (path, ".minisig", NULL);
  gsize length = 0;

  profile = kiln_production_profile_load (path, error);
  if (profile == NULL)
    return NULL;
  if (repin || kiln_production_profile_get_sha256 (profile) == NULL)
    {
      guint32 base = 0;
      gboolean has_base = kiln_production_profile_get_base (profile, &base);

      /* The path as the profile writes it, so that it stays relative. */
      if (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
        written = g_key_file_get_string (kf, "profile", "firmware", NULL);
      if (written == NULL)
        {
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                       _("%s names no firmware file (firmware = FILE in [profile])"), path);
          return NULL;
        }
      if (!kiln_production_profile_set_firmware (profile, g_strstrip (written), has_base, base, error))
        return NULL;
    }
  if (!kiln_production_profile_lock (profile, error)
      || !kiln_production_profile_save (profile, path, error)
      || !g_file_get_contents (path, &text, &length, error))
    return NULL;
  comment = trusted_comment_for (text, length);
  signature = kiln_minisign_sign (key, (const guint8 *) text, length, comment);
  if (!kiln_file_write (sig_path, signature, strlen (signature), 0666, error))
    return NULL;
  return g_steal_pointer (&sig_path);
}

/* "verify (signed true, now false), chip (…), removed: serial.size". */
static char *
describe_changes (const char *comment,
                  const char *text,
                  gsize       length)
{
  g_auto(GStrv) fields = g_strsplit (comment, "\t", -1);
  g_autoptr(GHashTable) signed_settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) now = settings_of (text, length);
  g_autoptr(GString) out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer k, v;

  for (guint i = 2; fields[i] != NULL; i++)
    {
      g_autofree char *field = g_strcompress (fields[i]);
      char *eq = strchr (field, '=');

      if (eq != NULL)
        g_hash_table_insert (signed_settings, g_strndup (field, eq - field), g_strdup (eq + 1));
    }
  for (guint i = 0; i < now->len; i++)
    {
      const char *setting = g_ptr_array_index (now, i);
      const char *eq = strchr (setting, '=');
      g_autofree char *name = g_strndup (setting, eq - setting);
      const char *was = g_hash_table_lookup (signed_settings, name);

      if (was == NULL)
        g_string_append_printf (out, _("%s%s = %s was added"), out->len ? "; " : "", name, eq + 1);
      else if (!g_str_equal (was, eq + 1))
        g_string_append_printf (out, _("%s%s was %s when signed, is now %s"), out->len ? "; " : "", name,
                                was, eq + 1);
      if (was != NULL)
        g_hash_table_remove (signed_settings, name);
    }
  g_hash_table_iter_init (&iter, signed_settings);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_string_append_printf (out, _("%s%s = %s was removed"), out->len ? "; " : "", (char *) k, (char *) v);
  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

KilnProductionProfile *
kiln_production_profile_load_signed (const char  *path,
                                     GArray      *trusted,
                                     GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *sig_path = g_strconcat (path, ".minisig", NULL);
  g_autofree char *signature = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *signer = NULL;
  g_autofree char *dir = kiln_production_trust_dir ();
  g_autoptr(KilnProductionProfile) profile = NULL;
  g_autoptr(GError) local = NULL;
  KilnMinisignVerdict verdict;
  guint8 signer_id[8];
  gsize length = 0;

  if (!g_file_get_contents (path, &text, &length, &local))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("Cannot read the production profile %s: %s"), path, local->message);
      return NULL;
    }
  if (!g_file_get_contents (sig_path, &signature, NULL, NULL))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_NOT_SIGNED,
                   _("%s is not signed (there is no %s): nothing was programmed. The engineer who prepared it signs "
                     "it with “kiln-cli profile sign %s --secret-key KEY”."),
                   path, sig_path, path);
      return NULL;
    }
  if (!kiln_minisign_verify (signature, (const guint8 *) text, length, (KilnMinisignPublicKey *) trusted->data,
                             trusted->len, &verdict, &comment, signer_id, &local))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_NOT_SIGNED,
                   _("%s: %s. Nothing was programmed; ask the engineer to sign the profile again."), sig_path,
                   local->message);
      return NULL;
    }
  signer = kiln_minisign_key_id_to_string (signer_id);
  switch (verdict)
    {
    case KILN_MINISIGN_UNTRUSTED:
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_NOT_SIGNED,
                   trusted->len == 0
                   ? _("%s is signed by key %s, but this station trusts no key: nothing was programmed. Give the "
                       "engineer's public key with --trust KEY.pub or copy it into %s.")
                   : _("%s is signed by key %s, which this station does not trust: nothing was programmed. Give the "
                       "engineer's public key with --trust KEY.pub or copy it into %s."),
                   path, signer, dir);
      return NULL;
    case KILN_MINISIGN_COMMENT_FORGED:
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_NOT_SIGNED,
                   _("%s was altered: it does not match the key %s that it names. Nothing was programmed; ask the "
                     "engineer to sign the profile again."),
                   sig_path, signer);
      return NULL;
    case KILN_MINISIGN_MESSAGE_CHANGED:
      {
        g_autofree char *changes = g_str_has_prefix (comment, COMMENT_TAG "\t")
                                   ? describe_changes (comment, text, length) : NULL;

        if (changes != NULL)
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_NOT_SIGNED,
                       _("%s was changed after it was signed (%s): it was not used and nothing was programmed. Ask "
                         "the engineer to check the profile and sign it again."),
                       path, changes);
        else
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_NOT_SIGNED,
                       _("%s was edited after it was signed (no setting changed, but its text did): it was not used "
                         "and nothing was programmed. Ask the engineer to sign it again."),
                       path);
        return NULL;
      }
    case KILN_MINISIGN_VALID:
      break;
    }

  profile = kiln_production_profile_load_data (path, text, length, error);
  if (profile == NULL || !kiln_production_profile_lock (profile, error))
    return NULL;
  g_object_set_data_full (G_OBJECT (profile), "kiln-signer", g_steal_pointer (&signer), g_free);
  g_object_set_data_full (G_OBJECT (profile), "kiln-signed-sha256",
                          g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length), g_free);
  return g_steal_pointer (&profile);
}

const char *
kiln_production_profile_get_signer (KilnProductionProfile *profile)
{
  return g_object_get_data (G_OBJECT (profile), "kiln-signer");
}

const char *
kiln_production_profile_get_signed_sha256 (KilnProductionProfile *profile)
{
  return g_object_get_data (G_OBJECT (profile), "kiln-signed-sha256");
}
