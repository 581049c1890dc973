/* kiln-cli-profile.c — `kiln-cli profile new|sign|check|show PROFILE`,
 * `kiln-cli profile keygen NAME` and `kiln-cli profile hash-password`: the
 * engineer's side of a production profile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kiln-cli-commands.h"
#include "kiln-file-write.h"
#include "kiln-production-profile.h"
#include "kiln-production-profile-keys.h"
#include "kiln-production-signature.h"

/* A commented template with every key; an existing file is left alone. */
static int
write_template (const char *path,
                const char *firmware)
{
  g_autofree char *text = kiln_profile_keys_template (NULL, firmware);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  out = g_file_create (file, G_FILE_CREATE_NONE, NULL, &error);
  if (out == NULL
      || !g_output_stream_write_all (G_OUTPUT_STREAM (out), text, strlen (text), NULL, NULL, &error)
      || !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        fprintf (stderr, _("kiln-cli profile: %s already exists; nothing was written\n"), path);
      else
        fprintf (stderr, "kiln-cli profile: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  printf (_("%s written: edit it, check it with “kiln-cli profile show %s”, then sign it\n"), path, path);
  return KILN_CLI_EXIT_OK;
}

static void
show (KilnProductionProfile *profile)
{
  g_autofree char *firmware = kiln_production_profile_dup_firmware_path (profile);
  const KilnSerialSettings *serial = kiln_production_profile_get_serial (profile);
  const KilnOptionBytesExpectation *ob = kiln_production_profile_get_option_bytes (profile);
  const char *name = kiln_production_profile_get_name (profile);
  const char *chip = kiln_production_profile_get_chip (profile);
  const char *sha = kiln_production_profile_get_sha256 (profile);

  printf (_("Profile:   %s\n"), name ? name : "-");
  printf (_("Firmware:  %s\n"), firmware ? firmware : "-");
  printf (_("SHA-256:   %s\n"), sha ? sha : "-");
  printf (_("Chip:      %s\n"), chip ? chip : "-");
  printf (_("Options:   verify %s, reset %s, skip unchanged sectors %s\n"),
          kiln_production_profile_get_verify (profile) ? _("yes") : _("no"),
          kiln_production_profile_get_reset (profile) ? _("yes") : _("no"),
          kiln_production_profile_get_skip_unchanged (profile) ? _("yes") : _("no"));
  if (ob->rdp >= 0)
    printf (_("Expected:  read protection level %d\n"), ob->rdp);
  if (ob->wrp_enforced)
    printf (_("Expected:  write-protected sectors mask 0x%08X\n"), ob->wrp);
  if (ob->set != NULL && ob->set[0] != NULL)
    {
      g_autofree char *set = g_strjoinv (" ", ob->set);

      printf (_("Sets:      %s once the board is programmed and verified\n"), set);
    }
  if (serial->source != KILN_SERIAL_SOURCE_NONE)
    printf (_("Serial:    %s at 0x%08X, format %s\n"), kiln_serial_source_to_string (serial->source), serial->address,
            serial->format ? serial->format : serial->source == KILN_SERIAL_SOURCE_UID ? "%s" : "%u");
  if (kiln_production_profile_get_operator (profile)->mode)
    printf (_("Operator:  the station opens in operator mode; the engineer's password leaves it\n"));
}

/* One line of standard input, without its line end; from a terminal,
 * without echo. NULL at the end of the input. */
static char *
read_secret_line (const char *prompt)
{
  gboolean tty = isatty (STDIN_FILENO);
  struct termios old, quiet;
  char buffer[1024];
  char *line;

  if (tty)
    {
      fputs (prompt, stderr);
      fflush (stderr);
      tcgetattr (STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      fputs ("\n", stderr);
    }
  if (line == NULL)
    return NULL;
  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  memset (buffer, 0, sizeof buffer);
  return line;
}

/* The engineer's password, read from standard input (asked twice on a
 * terminal), printed as the [operator] line a profile takes. */
static int
hash_password (void)
{
  g_autofree char *password = read_secret_line (_("Engineer's password: "));
  g_autofree char *again = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;

  if (password != NULL && isatty (STDIN_FILENO))
    {
      again = read_secret_line (_("The same again: "));
      if (g_strcmp0 (password, again) != 0)
        {
          fprintf (stderr, _("kiln-cli profile: the two passwords differ; nothing was printed\n"));
          return KILN_CLI_EXIT_USAGE;
        }
    }
  hash = kiln_operator_hash_password (password, &error);
  if (password != NULL)
    memset (password, 0, strlen (password));
  if (hash == NULL)
    {
      fprintf (stderr, "kiln-cli profile: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  printf ("engineer-password = %s\n", hash);
  return KILN_CLI_EXIT_OK;
}

/* NAME.pub and NAME.key, a key pair without a password; existing files are left alone. */
static int
keygen (const char *name)
{
  g_autofree char *pub_path = g_strconcat (name, ".pub", NULL);
  g_autofree char *key_path = g_strconcat (name, ".key", NULL);
  g_autofree char *pub = NULL, *sec = NULL;
  g_autoptr(GError) error = NULL;

  if (g_file_test (pub_path, G_FILE_TEST_EXISTS) || g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, _("kiln-cli profile: %s or %s already exists; nothing was written\n"), pub_path, key_path);
      return KILN_CLI_EXIT_USAGE;
    }
  kiln_minisign_generate (&pub, &sec);
  if (!kiln_file_write (key_path, sec, strlen (sec), 0600, &error)
      || !kiln_file_write (pub_path, pub, strlen (pub), 0666, &error))
    {
      fprintf (stderr, "kiln-cli profile: %s\n", error->message);
      return KILN_CLI_EXIT_FAILURE;
    }
  printf (_("%s: the secret key, without a password: keep it to yourself\n"
            "%s: the public key, for the stations (--trust, or their trusted-keys folder)\n"),
          key_path, pub_path);
  return KILN_CLI_EXIT_OK;
}

int
kiln_cli_profile (int    argc,
                  char **argv)
{
  gboolean pin = FALSE;
  g_autofree char *firmware = NULL;
  g_autofree char *secret = NULL;
  g_auto(GStrv) trust = NULL;
  g_auto(GStrv) args = NULL;
  GOptionEntry entries[] = {
    { "firmware", 0, 0, G_OPTION_ARG_FILENAME, &firmware, N_("new: the firmware file the template names"), N_("FILE") },
    { "secret-key", 0, 0, G_OPTION_ARG_FILENAME, &secret, N_("sign: the engineer's minisign secret key (without a password)"), N_("FILE") },
    { "pin", 0, 0, G_OPTION_ARG_NONE, &pin, N_("sign: pin the firmware file as it is now, even if the profile pinned another one"), NULL },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &trust, N_("check: a trusted public key (repeatable; the trusted-keys folder is read too)"), N_("KEY.pub") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("new|sign|check|show PROFILE, keygen NAME, or hash-password — prepare a production profile"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionProfile) profile = NULL;
  const char *verb;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "kiln-cli profile: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  if (args != NULL && g_strv_length (args) == 1 && g_str_equal (args[0], "hash-password"))
    return hash_password ();
  if (args == NULL || g_strv_length (args) != 2)
    {
      fprintf (stderr, _("kiln-cli profile: use “kiln-cli profile new|sign|check|show PROFILE”, “kiln-cli profile keygen NAME” or “kiln-cli profile hash-password”\n"));
      return KILN_CLI_EXIT_USAGE;
    }
  verb = args[0];
  if (g_str_equal (verb, "new"))
    return write_template (args[1], firmware);
  if (g_str_equal (verb, "keygen"))
    return keygen (args[1]);
  if (g_str_equal (verb, "lock") || g_str_equal (verb, "unlock"))
    {
      fprintf (stderr, _("kiln-cli profile: profiles are no longer locked but signed: use “kiln-cli profile sign %s "
                         "--secret-key KEY” (a key pair comes from “minisign -G” or “kiln-cli profile keygen NAME”)\n"),
               args[1]);
      return KILN_CLI_EXIT_USAGE;
    }

  if (g_str_equal (verb, "sign"))
    {
      KilnMinisignSecretKey key;
      g_autofree char *sig_path = NULL;

      if (secret == NULL)
        {
          fprintf (stderr, _("kiln-cli profile: sign needs --secret-key FILE (minisign -G -W or kiln-cli profile "
                             "keygen makes one)\n"));
          return KILN_CLI_EXIT_USAGE;
        }
      if (!kiln_minisign_secret_key_load (secret, &key, &error))
        {
          fprintf (stderr, "kiln-cli profile: %s\n", error->message);
          return KILN_CLI_EXIT_USAGE;
        }
      sig_path = kiln_production_profile_sign_file (args[1], &key, pin, &error);
      memset (&key, 0, sizeof key);
      if (sig_path == NULL)
        {
          fprintf (stderr, "kiln-cli profile: %s\n", error->message);
          if (g_error_matches (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_FILE_CHANGED))
            fprintf (stderr, _("kiln-cli profile: if the new file is the right one, pin it with --pin\n"));
          return KILN_CLI_EXIT_USAGE;
        }
      profile = kiln_production_profile_load (args[1], &error);
      if (profile != NULL)
        show (profile);
      printf (_("Signed:    %s\n"), sig_path);
      return KILN_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "check"))
    {
      g_autoptr(GArray) keys = kiln_production_trust_load ((const char * const *) trust, TRUE, &error);

      if (keys != NULL)
        profile = kiln_production_profile_load_signed (args[1], keys, &error);
      if (profile == NULL)
        {
          fprintf (stderr, "kiln-cli profile: %s\n", error->message);
          return KILN_CLI_EXIT_USAGE;
        }
      show (profile);
      printf (_("Signature: good, by a trusted key; the firmware matches\n"));
      return KILN_CLI_EXIT_OK;
    }

  profile = kiln_production_profile_load (args[1], &error);
  if (profile == NULL)
    {
      fprintf (stderr, "kiln-cli profile: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  if (g_str_equal (verb, "show"))
    {
      show (profile);
      return KILN_CLI_EXIT_OK;
    }

  fprintf (stderr, _("kiln-cli profile: unknown action “%s”: use new, sign, check, show, keygen or hash-password\n"), verb);
  return KILN_CLI_EXIT_USAGE;
}
