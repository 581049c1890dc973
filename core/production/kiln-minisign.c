/* kiln-minisign.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "kiln-minisign.h"
#include "kiln-production-error.h"

#define PUBLIC_LEN  (2 + 8 + 32)
#define SECRET_LEN  (2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32)
#define SIG_LEN     (2 + 8 + 64)

gboolean
kiln_sodium_ready (void)
{
  static gsize ready = 0;

  if (g_once_init_enter (&ready))
    g_once_init_leave (&ready, sodium_init () >= 0 ? 1 : 2);
  return ready == 1;
}

char *
kiln_minisign_key_id_to_string (const guint8 id[8])
{
  guint64 value = 0;

  for (int i = 7; i >= 0; i--)
    value = (value << 8) | id[i];
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "X", value);
}

/* The base64 payload of a minisign file: the first line that is not a
 * comment, or @text itself when it is one line. */
static guint8 *
decode_line (const char *text,
             guint       nth,
             gsize      *length)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint seen = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0' || g_str_has_prefix (line, "untrusted comment:") || g_str_has_prefix (line, "trusted comment:"))
        continue;
      if (seen++ == nth)
        {
          for (const char *p = line; *p; p++)
            if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
              return NULL;
          return g_base64_decode (line, length);
        }
    }
  return NULL;
}

gboolean
kiln_minisign_public_key_parse (const char             *text,
                                KilnMinisignPublicKey  *key,
                                GError                **error)
{
  gsize length = 0;
  g_autofree guint8 *raw = decode_line (text, 0, &length);

  if (raw == NULL || length != PUBLIC_LEN || raw[0] != 'E' || raw[1] != 'd')
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                           _("This is not a minisign public key (minisign -G writes one, in a .pub file)"));
      return FALSE;
    }
  memcpy (key->id, raw + 2, 8);
  memcpy (key->key, raw + 10, 32);
  return TRUE;
}

gboolean
kiln_minisign_public_key_load (const char             *source,
                               KilnMinisignPublicKey  *key,
                               GError                **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;

  if (g_file_test (source, G_FILE_TEST_EXISTS))
    {
      if (!g_file_get_contents (source, &text, NULL, error))
        return FALSE;
    }
  else
    text = g_strdup (source);
  if (!kiln_minisign_public_key_parse (text, key, &local))
    {
      if (text != NULL && strlen (text) < 80 && strchr (text, '\n') == NULL && !g_str_has_prefix (text, "RW"))
        g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                     _("%s is neither a public key file nor a public key: give the .pub file minisign -G wrote"),
                     source);
      else
        g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE, "%s: %s", source, local->message);
      return FALSE;
    }
  return TRUE;
}

static void
secret_checksum (const guint8 *raw,
                 guint8        out[32])
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, 32);
  crypto_generichash_update (&state, raw, 2);         /* the signature algorithm */
  crypto_generichash_update (&state, raw + 54, 8);    /* the key id */
  crypto_generichash_update (&state, raw + 62, 64);   /* the key */
  crypto_generichash_final (&state, out, 32);
}

/* The scrypt stream a protected key's id, key and checksum are XORed with
 * (minisign's "Sc" key derivation, its limits as the file gives them). */
static gboolean
secret_stream (const guint8  *raw,
               const char    *password,
               guint8         stream[104],
               GError       **error)
{
  guint64 opslimit = 0, memlimit = 0;

  for (int i = 7; i >= 0; i--)
    {
      opslimit = (opslimit << 8) | raw[38 + i];
      memlimit = (memlimit << 8) | raw[46 + i];
    }
  /* A damaged or hostile file must not ask for unbounded work. */
  if (memlimit > G_GUINT64_CONSTANT (4) << 30 || opslimit > G_GUINT64_CONSTANT (1) << 32
      || crypto_pwhash_scryptsalsa208sha256 (stream, 104, password, strlen (password), raw + 6,
                                             (unsigned long long) opslimit, (size_t) memlimit) != 0)
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                           _("The secret key's password could not be applied (its key derivation asks for more "
                             "memory than is available)"));
      return FALSE;
    }
  return TRUE;
}

static guint8 *
secret_raw (const char  *path,
            gsize       *length,
            GError     **error)
{
  g_autofree char *text = NULL;
  guint8 *raw;

  if (!kiln_sodium_ready ())
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                           _("The cryptography library could not start"));
      return NULL;
    }
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  raw = decode_line (text, 0, length);
  if (raw == NULL || *length != SECRET_LEN || memcmp (raw, "Ed", 2) != 0 || memcmp (raw + 4, "B2", 2) != 0
      || !((raw[2] == 0 && raw[3] == 0) || memcmp (raw + 2, "Sc", 2) == 0))
    {
      g_free (raw);
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                   _("%s is not a minisign secret key (minisign -G or kiln-cli profile keygen writes one)"), path);
      return NULL;
    }
  return raw;
}

gboolean
kiln_minisign_secret_key_needs_password (const char *path)
{
  gsize length = 0;
  g_autofree guint8 *raw = secret_raw (path, &length, NULL);

  return raw != NULL && memcmp (raw + 2, "Sc", 2) == 0;
}

gboolean
kiln_minisign_secret_key_load_with_password (const char             *path,
                                             const char             *password,
                                             KilnMinisignSecretKey  *key,
                                             GError                **error)
{
  g_autofree guint8 *raw = NULL;
  gsize length = 0;
  static const guint8 zero[32] = { 0 };
  guint8 check[32];
  gboolean protected, wrong;

  raw = secret_raw (path, &length, error);
  if (raw == NULL)
    return FALSE;
  protected = memcmp (raw + 2, "Sc", 2) == 0;
  if (protected)
    {
      guint8 stream[104];

      if (password == NULL)
        {
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                       _("%s is protected by a password: sign with the profile editor in the window, which asks "
                         "for it, or make a key without a password (minisign -G -W)"), path);
          return FALSE;
        }
      if (!secret_stream (raw, password, stream, error))
        return FALSE;
      for (guint i = 0; i < sizeof stream; i++)
        raw[54 + i] ^= stream[i];
      sodium_memzero (stream, sizeof stream);
    }
  secret_checksum (raw, check);
  wrong = sodium_memcmp (raw + 126, check, 32) != 0;
  /* An unprotected key may carry no checksum (zeros); a protected one always does. */
  if (wrong && (protected || memcmp (raw + 126, zero, 32) != 0))
    {
      sodium_memzero (raw, length);
      if (protected)
        g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PASSWORD,
                     _("The password for %s is not the right one"), path);
      else
        g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                     _("%s is damaged (its checksum does not match the key)"), path);
      return FALSE;
    }
  memcpy (key->id, raw + 54, 8);
  memcpy (key->key, raw + 62, 64);
  sodium_memzero (raw, length);
  return TRUE;
}

gboolean
kiln_minisign_secret_key_load (const char             *path,
                               KilnMinisignSecretKey  *key,
                               GError                **error)
{
  return kiln_minisign_secret_key_load_with_password (path, NULL, key, error);
}

void
kiln_minisign_generate (char **public_text,
                        char **secret_text)
{
  kiln_minisign_generate_with_password (NULL, public_text, secret_text);
}

/* A protected key's derivation: scrypt as minisign uses it, with limits a
 * station's computer derives in a second or so (they are stored in the
 * key, so minisign reads the key too). */
#define KEYGEN_OPSLIMIT G_GUINT64_CONSTANT (2097152)
#define KEYGEN_MEMLIMIT G_GUINT64_CONSTANT (67108864)

void
kiln_minisign_generate_with_password (const char  *password,
                                      char       **public_text,
                                      char       **secret_text)
{
  guint8 pk[32], raw[SECRET_LEN] = { 0 }, pub[PUBLIC_LEN];
  g_autofree char *id = NULL, *pub64 = NULL, *sec64 = NULL;
  gboolean protect = password != NULL && *password != '\0';

  g_return_if_fail (kiln_sodium_ready ());
  memcpy (raw, "Ed", 2);
  memcpy (raw + 4, "B2", 2);
  randombytes_buf (raw + 54, 8);
  crypto_sign_keypair (pk, raw + 62);
  secret_checksum (raw, raw + 126);
  memcpy (pub, "Ed", 2);
  memcpy (pub + 2, raw + 54, 8);
  memcpy (pub + 10, pk, 32);
  id = kiln_minisign_key_id_to_string (raw + 54);
  if (protect)
    {
      guint8 stream[104];

      memcpy (raw + 2, "Sc", 2);
      randombytes_buf (raw + 6, 32);
      for (guint i = 0; i < 8; i++)
        {
          raw[38 + i] = (guint8) (KEYGEN_OPSLIMIT >> (8 * i));
          raw[46 + i] = (guint8) (KEYGEN_MEMLIMIT >> (8 * i));
        }
      if (!secret_stream (raw, password, stream, NULL))
        g_error ("scrypt failed with the key generator's own limits");
      for (guint i = 0; i < sizeof stream; i++)
        raw[54 + i] ^= stream[i];
      sodium_memzero (stream, sizeof stream);
    }
  pub64 = g_base64_encode (pub, sizeof pub);
  sec64 = g_base64_encode (raw, sizeof raw);
  sodium_memzero (raw, sizeof raw);
  *public_text = g_strdup_printf ("untrusted comment: minisign public key %s\n%s\n", id, pub64);
  *secret_text = g_strdup_printf ("untrusted comment: minisign secret key %s%s\n%s\n", id,
                                  protect ? "" : " (no password)", sec64);
  sodium_memzero (sec64, strlen (sec64));
}

char *
kiln_minisign_sign (const KilnMinisignSecretKey *key,
                    const guint8                *message,
                    gsize                        length,
                    const char                  *trusted_comment)
{
  guint8 hash[crypto_generichash_BYTES_MAX];
  guint8 sig[SIG_LEN];
  g_autofree guint8 *global_input = NULL;
  guint8 global[64];
  gsize comment_len = strlen (trusted_comment);
  g_autofree char *id = kiln_minisign_key_id_to_string (key->id);
  g_autofree char *sig64 = NULL, *global64 = NULL;

  g_return_val_if_fail (kiln_sodium_ready (), NULL);
  g_return_val_if_fail (strchr (trusted_comment, '\n') == NULL, NULL);
  crypto_generichash (hash, sizeof hash, message, length, NULL, 0);
  memcpy (sig, "ED", 2);
  memcpy (sig + 2, key->id, 8);
  crypto_sign_detached (sig + 10, NULL, hash, sizeof hash, key->key);
  global_input = g_malloc (64 + comment_len);
  memcpy (global_input, sig + 10, 64);
  memcpy (global_input + 64, trusted_comment, comment_len);
  crypto_sign_detached (global, NULL, global_input, 64 + comment_len, key->key);
  sig64 = g_base64_encode (sig, sizeof sig);
  global64 = g_base64_encode (global, sizeof global);
  return g_strdup_printf ("untrusted comment: signature from Kiln, key %s\n%s\ntrusted comment: %s\n%s\n",
                          id, sig64, trusted_comment, global64);
}

gboolean
kiln_minisign_verify (const char                  *signature,
                      const guint8                *message,
                      gsize                        length,
                      const KilnMinisignPublicKey *trusted,
                      guint                        n_trusted,
                      KilnMinisignVerdict         *verdict,
                      char                       **trusted_comment,
                      guint8                       signer_id[8],
                      GError                     **error)
{
  g_auto(GStrv) lines = g_strsplit (signature, "\n", -1);
  g_autofree guint8 *sig = NULL, *global = NULL, *global_input = NULL;
  gsize sig_len = 0, global_len = 0, comment_len;
  const char *comment = NULL;
  const KilnMinisignPublicKey *key = NULL;

  *verdict = KILN_MINISIGN_UNTRUSTED;
  if (trusted_comment != NULL)
    *trusted_comment = NULL;
  if (!kiln_sodium_ready ())
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                           _("The cryptography library could not start"));
      return FALSE;
    }
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "trusted comment: "))
      {
        g_strchomp (lines[i]);
        comment = lines[i] + strlen ("trusted comment: ");
      }
  sig = decode_line (signature, 0, &sig_len);
  global = decode_line (signature, 1, &global_len);
  if (sig == NULL || sig_len != SIG_LEN || global == NULL || global_len != 64 || comment == NULL
      || sig[0] != 'E' || (sig[1] != 'D' && sig[1] != 'd'))
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE,
                           _("The signature file is not a minisign signature"));
      return FALSE;
    }
  if (signer_id != NULL)
    memcpy (signer_id, sig + 2, 8);
  for (guint i = 0; i < n_trusted && key == NULL; i++)
    if (memcmp (trusted[i].id, sig + 2, 8) == 0)
      key = &trusted[i];
  if (key == NULL)
    return TRUE;

  comment_len = strlen (comment);
  global_input = g_malloc (64 + comment_len);
  memcpy (global_input, sig + 10, 64);
  memcpy (global_input + 64, comment, comment_len);
  if (crypto_sign_verify_detached (global, global_input, 64 + comment_len, key->key) != 0)
    {
      *verdict = KILN_MINISIGN_COMMENT_FORGED;
      return TRUE;
    }
  if (trusted_comment != NULL)
    *trusted_comment = g_strdup (comment);

  if (sig[1] == 'D')
    {
      guint8 hash[crypto_generichash_BYTES_MAX];

      crypto_generichash (hash, sizeof hash, message, length, NULL, 0);
      *verdict = crypto_sign_verify_detached (sig + 10, hash, sizeof hash, key->key) == 0
                 ? KILN_MINISIGN_VALID : KILN_MINISIGN_MESSAGE_CHANGED;
    }
  else
    *verdict = crypto_sign_verify_detached (sig + 10, message, length, key->key) == 0
               ? KILN_MINISIGN_VALID : KILN_MINISIGN_MESSAGE_CHANGED;
  return TRUE;
}
