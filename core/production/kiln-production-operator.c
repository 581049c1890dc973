/* kiln-production-operator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "kiln-minisign.h"
#include "kiln-production-error.h"
#include "kiln-production-operator.h"

void
kiln_operator_settings_clear (KilnOperatorSettings *settings)
{
  settings->mode = FALSE;
  g_clear_pointer (&settings->engineer_password, g_free);
}

static gboolean
is_hash (const char *text)
{
  return (g_str_has_prefix (text, "$argon2id$") || g_str_has_prefix (text, "$argon2i$"))
         && strlen (text) < crypto_pwhash_STRBYTES;
}

gboolean
kiln_operator_settings_read (KilnOperatorSettings  *settings,
                             GKeyFile              *kf,
                             GError               **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *hash = NULL;
  gboolean mode = FALSE;

  if (g_key_file_has_key (kf, KILN_OPERATOR_GROUP, "mode", NULL))
    {
      mode = g_key_file_get_boolean (kf, KILN_OPERATOR_GROUP, "mode", &local);
      if (local != NULL)
        {
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                       _("[operator] mode: use true or false"));
          return FALSE;
        }
    }
  hash = g_key_file_get_string (kf, KILN_OPERATOR_GROUP, "engineer-password", NULL);
  if (hash != NULL)
    g_strstrip (hash);
  if (hash != NULL && !is_hash (hash))
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("[operator] engineer-password is not a password hash: put there the line “kiln-cli "
                             "profile hash-password” prints, never the password itself"));
      return FALSE;
    }
  if (mode && hash == NULL)
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("[operator] mode = true needs engineer-password, the only way out of operator mode "
                             "(“kiln-cli profile hash-password” prints it)"));
      return FALSE;
    }
  kiln_operator_settings_clear (settings);
  settings->mode = mode;
  settings->engineer_password = g_steal_pointer (&hash);
  return TRUE;
}

void
kiln_operator_settings_write (const KilnOperatorSettings *settings,
                              GKeyFile                   *kf)
{
  if (settings->mode)
    g_key_file_set_boolean (kf, KILN_OPERATOR_GROUP, "mode", TRUE);
  if (settings->engineer_password != NULL)
    g_key_file_set_string (kf, KILN_OPERATOR_GROUP, "engineer-password", settings->engineer_password);
}

char *
kiln_operator_hash_password (const char  *password,
                             GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (password == NULL || *password == '\0')
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("The engineer's password is empty"));
      return NULL;
    }
  if (!kiln_sodium_ready ()
      || crypto_pwhash_str_alg (hash, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("The password could not be hashed (out of memory)"));
      return NULL;
    }
  return g_strdup (hash);
}

gboolean
kiln_operator_check_password (const char *hash,
                              const char *password)
{
  if (hash == NULL || password == NULL || !is_hash (hash) || !kiln_sodium_ready ())
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}
