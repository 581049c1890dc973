/* test-production-signature.c — minisign's format: signatures verify, and a
 * changed message, a changed trusted comment or an unknown key do not; an
 * engineer's secret key proves itself only when the station trusts it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-minisign.h"
#include "kiln-production-error.h"
#include "kiln-production-signature.h"

typedef struct
{
  KilnMinisignSecretKey secret;
  KilnMinisignPublicKey public;
} Pair;

static void
make_pair (Pair *pair)
{
  g_autofree char *pub = NULL, *sec = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-signature-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "k.key", NULL);
  g_autoptr(GError) error = NULL;

  kiln_minisign_generate (&pub, &sec);
  g_assert_true (g_str_has_prefix (pub, "untrusted comment: minisign public key "));
  g_assert_true (g_file_set_contents (path, sec, -1, NULL));
  g_assert_true (kiln_minisign_secret_key_load (path, &pair->secret, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_minisign_public_key_parse (pub, &pair->public, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (pair->secret.id, 8, pair->public.id, 8);
  g_unlink (path);
  g_rmdir (dir);
}

static KilnMinisignVerdict
verdict_of (const char *signature,
            const char *message,
            const Pair *trusted,
            guint       n,
            char      **comment)
{
  g_autoptr(GError) error = NULL;
  KilnMinisignPublicKey keys[2];
  KilnMinisignVerdict verdict = KILN_MINISIGN_VALID;

  for (guint i = 0; i < n; i++)
    keys[i] = trusted[i].public;
  g_assert_true (kiln_minisign_verify (signature, (const guint8 *) message, strlen (message), keys, n, &verdict,
                                       comment, NULL, &error));
  g_assert_no_error (error);
  return verdict;
}

static void
test_sign_verify (void)
{
  Pair pairs[2];
  const char *message = "[profile]\nverify=true\n";
  g_autofree char *signature = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *forged = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;
  KilnMinisignVerdict verdict;

  make_pair (&pairs[0]);
  make_pair (&pairs[1]);
  signature = kiln_minisign_sign (&pairs[0].secret, (const guint8 *) message, strlen (message), "kiln test\tverify=true");

  g_assert_cmpint (verdict_of (signature, message, pairs, 2, &comment), ==, KILN_MINISIGN_VALID);
  g_assert_cmpstr (comment, ==, "kiln test\tverify=true");
  g_clear_pointer (&comment, g_free);
  /* Another key, or no key at all: not trusted. */
  g_assert_cmpint (verdict_of (signature, message, pairs + 1, 1, &comment), ==, KILN_MINISIGN_UNTRUSTED);
  g_assert_null (comment);
  g_assert_cmpint (verdict_of (signature, message, pairs, 0, NULL), ==, KILN_MINISIGN_UNTRUSTED);
  /* One byte of the message. */
  g_assert_cmpint (verdict_of (signature, "[profile]\nverify=false\n", pairs, 1, &comment), ==,
                   KILN_MINISIGN_MESSAGE_CHANGED);
  g_assert_cmpstr (comment, ==, "kiln test\tverify=true");
  g_clear_pointer (&comment, g_free);
  /* The trusted comment. */
  text = g_string_new (signature);
  g_assert_cmpuint (g_string_replace (text, "verify=true", "verify=fals", 1), ==, 1);
  g_assert_cmpint (verdict_of (text->str, message, pairs, 1, &comment), ==, KILN_MINISIGN_COMMENT_FORGED);
  g_assert_null (comment);
  /* Not a signature at all. */
  forged = g_strdup ("untrusted comment: x\nnot base64!\n");
  g_assert_false (kiln_minisign_verify (forged, (const guint8 *) message, strlen (message), &pairs[0].public, 1,
                                        &verdict, NULL, NULL, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE);
}

static void
test_public_key_text (void)
{
  KilnMinisignPublicKey key;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  /* A key as minisign -G writes it, and as its base64 line alone. */
  g_assert_true (kiln_minisign_public_key_parse ("untrusted comment: minisign public key E20B283E048FA971\n"
                                                 "RWRxqY8EPigL4g7KNpAGR/VMg9xhEBv27SLstftuzSl+f8D/mqkQDsZQ\n",
                                                 &key, &error));
  id = kiln_minisign_key_id_to_string (key.id);
  g_assert_cmpstr (id, ==, "E20B283E048FA971");
  g_assert_true (kiln_minisign_public_key_load ("RWRxqY8EPigL4g7KNpAGR/VMg9xhEBv27SLstftuzSl+f8D/mqkQDsZQ", &key, &error));
  g_assert_false (kiln_minisign_public_key_load ("no-such-key.pub", &key, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE);
}

/* The key that leaves operator mode: a trusted key (protected or not) signs
 * a fresh challenge that verifies; an untrusted key, a wrong or missing
 * password, or a file that is no key is refused with its reason. */
static void
test_check_key (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kiln-check-key-XXXXXX", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.key", NULL);
  g_autofree char *locked = g_build_filename (dir, "locked.key", NULL);
  g_autofree char *stranger = g_build_filename (dir, "stranger.key", NULL);
  g_autofree char *pub1 = NULL, *sec1 = NULL, *pub2 = NULL, *sec2 = NULL, *pub3 = NULL, *sec3 = NULL;
  g_autoptr(GArray) trusted = g_array_new (FALSE, TRUE, sizeof (KilnMinisignPublicKey));
  g_autoptr(GError) error = NULL;
  KilnMinisignPublicKey key;

  kiln_minisign_generate (&pub1, &sec1);
  kiln_minisign_generate_with_password ("sesame", &pub2, &sec2);
  kiln_minisign_generate (&pub3, &sec3);
  g_assert_true (g_file_set_contents (plain, sec1, -1, NULL));
  g_assert_true (g_file_set_contents (locked, sec2, -1, NULL));
  g_assert_true (g_file_set_contents (stranger, sec3, -1, NULL));
  g_assert_true (kiln_minisign_public_key_parse (pub1, &key, NULL));
  g_array_append_val (trusted, key);
  g_assert_true (kiln_minisign_public_key_parse (pub2, &key, NULL));
  g_array_append_val (trusted, key);

  g_assert_true (kiln_production_trust_check_key (plain, NULL, trusted, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_production_trust_check_key (locked, "sesame", trusted, &error));
  g_assert_no_error (error);

  g_assert_false (kiln_production_trust_check_key (stranger, NULL, trusted, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "not one this station trusts"));
  g_clear_error (&error);
  g_assert_false (kiln_production_trust_check_key (locked, "open", trusted, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PASSWORD);
  g_clear_error (&error);
  g_assert_false (kiln_production_trust_check_key (locked, NULL, trusted, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* A public key is no secret key. */
  g_assert_true (g_file_set_contents (stranger, pub1, -1, NULL));
  g_assert_false (kiln_production_trust_check_key (stranger, NULL, trusted, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* Nothing trusted: nothing leaves. */
  g_array_set_size (trusted, 0);
  g_assert_false (kiln_production_trust_check_key (plain, NULL, trusted, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE);

  g_unlink (plain);
  g_unlink (locked);
  g_unlink (stranger);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Production/signature/sign-verify", test_sign_verify);
  g_test_add_func ("/Kiln/Production/signature/public-key", test_public_key_text);
  g_test_add_func ("/Kiln/Production/signature/check-key", test_check_key);
  return g_test_run ();
}
