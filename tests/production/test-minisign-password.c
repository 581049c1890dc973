/* test-minisign-password.c — secret keys protected by a password, as
 * minisign -G writes them: Kiln makes and reads them, a wrong password is
 * refused, and minisign itself (when installed) reads Kiln's and writes
 * keys Kiln reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kiln-minisign.h"
#include "kiln-production-error.h"

static char *tmp_dir;

static char *
write_file (const char *name,
            const char *text)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Runs @argv with @input on its standard input; its exit status. */
static int
run (const char * const *argv,
     const char         *input)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, input, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_test_message ("%s: %s%s", argv[0], out, err);
  return g_subprocess_get_exit_status (process);
}

static void
test_protected_key (void)
{
  g_autofree char *pub = NULL, *sec = NULL, *open_pub = NULL, *open_sec = NULL;
  g_autofree char *key_path = NULL, *pub_path = NULL, *open_path = NULL;
  g_autofree char *signature = NULL;
  g_autoptr(GError) error = NULL;
  KilnMinisignSecretKey secret;
  KilnMinisignPublicKey public;
  KilnMinisignVerdict verdict = KILN_MINISIGN_UNTRUSTED;
  const char *message = "[profile]\nname = Widget\n";
  g_autofree char *minisign = NULL;

  kiln_minisign_generate_with_password ("correct horse", &pub, &sec);
  kiln_minisign_generate_with_password (NULL, &open_pub, &open_sec);
  key_path = write_file ("protected.key", sec);
  pub_path = write_file ("protected.pub", pub);
  open_path = write_file ("open.key", open_sec);

  g_assert_true (kiln_minisign_secret_key_needs_password (key_path));
  g_assert_false (kiln_minisign_secret_key_needs_password (open_path));
  g_assert_false (kiln_minisign_secret_key_needs_password (pub_path));

  /* Without the password, and with a wrong one: refused, saying which. */
  g_assert_false (kiln_minisign_secret_key_load (key_path, &secret, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "password"));
  g_clear_error (&error);
  g_assert_false (kiln_minisign_secret_key_load_with_password (key_path, "correct horse!", &secret, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PASSWORD);
  g_clear_error (&error);

  g_assert_true (kiln_minisign_secret_key_load_with_password (key_path, "correct horse", &secret, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_minisign_public_key_parse (pub, &public, &error));
  g_assert_cmpmem (secret.id, 8, public.id, 8);
  signature = kiln_minisign_sign (&secret, (const guint8 *) message, strlen (message), "kiln test");
  g_assert_true (kiln_minisign_verify (signature, (const guint8 *) message, strlen (message), &public, 1, &verdict,
                                       NULL, NULL, &error));
  g_assert_cmpint (verdict, ==, KILN_MINISIGN_VALID);

  /* minisign reads Kiln's protected key with the password on its input. */
  if ((minisign = g_find_program_in_path ("minisign")) != NULL)
    {
      g_autofree char *file = write_file ("message.txt", message);
      g_autofree char *sig = g_strconcat (file, ".minisig", NULL);
      const char *sign[] = { "minisign", "-S", "-s", key_path, "-m", file, NULL };
      const char *verify[] = { "minisign", "-V", "-p", pub_path, "-m", file, NULL };

      g_assert_cmpint (run (sign, "correct horse\n"), ==, 0);
      g_assert_cmpint (run (verify, NULL), ==, 0);
      g_unlink (sig);
      g_unlink (file);
    }
  else
    g_test_message ("minisign is not installed: Kiln's protected key was not tried with it");
  g_unlink (key_path);
  g_unlink (pub_path);
  g_unlink (open_path);
}

/* A key minisign -G protected with its own (much slower) limits. */
static void
test_minisign_key (void)
{
  g_autofree char *minisign = g_find_program_in_path ("minisign");
  g_autofree char *key_path = g_build_filename (tmp_dir, "m.key", NULL);
  g_autofree char *pub_path = g_build_filename (tmp_dir, "m.pub", NULL);
  g_autofree char *pub = NULL;
  g_autoptr(GError) error = NULL;
  KilnMinisignSecretKey secret;
  KilnMinisignPublicKey public;

  if (minisign == NULL)
    {
      g_test_skip ("minisign is not installed");
      return;
    }
  {
    const char *generate[] = { "minisign", "-G", "-p", pub_path, "-s", key_path, NULL };

    g_assert_cmpint (run (generate, "sesame\nsesame\n"), ==, 0);
  }
  g_assert_true (kiln_minisign_secret_key_needs_password (key_path));
  g_assert_true (kiln_minisign_secret_key_load_with_password (key_path, "sesame", &secret, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pub_path, &pub, NULL, NULL));
  g_assert_true (kiln_minisign_public_key_parse (pub, &public, &error));
  g_assert_cmpmem (secret.id, 8, public.id, 8);
  g_unlink (key_path);
  g_unlink (pub_path);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("kiln-minisign-password-XXXXXX", NULL);
  g_test_add_func ("/Kiln/Production/signature/protected-key", test_protected_key);
  g_test_add_func ("/Kiln/Production/signature/minisign-protected-key", test_minisign_key);
  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
