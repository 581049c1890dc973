/* kiln-cli-profile.c — `kiln-cli profile new|lock|unlock|show PROFILE`: the
 * engineer's side of a production profile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "kiln-cli-commands.h"
#include "kiln-production-profile.h"
#include "kiln-production-profile-keys.h"

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
  printf (_("%s written: edit it, check it with “kiln-cli profile show %s”, then lock it\n"), path, path);
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

  printf (_("Profile:   %s (%s)\n"), name ? name : "-",
          kiln_production_profile_is_locked (profile) ? _("locked") : _("not locked"));
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
}

int
kiln_cli_profile (int    argc,
                  char **argv)
{
  gboolean pin = FALSE;
  g_autofree char *firmware = NULL;
  g_auto(GStrv) args = NULL;
  GOptionEntry entries[] = {
    { "firmware", 0, 0, G_OPTION_ARG_FILENAME, &firmware, N_("new: the firmware file the template names"), N_("FILE") },
    { "pin", 0, 0, G_OPTION_ARG_NONE, &pin, N_("lock: pin the firmware file as it is now, even if the profile pinned another one"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("new|lock|unlock|show PROFILE — prepare a production profile"));
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
  if (args == NULL || g_strv_length (args) != 2)
    {
      fprintf (stderr, _("kiln-cli profile: use “kiln-cli profile new|lock|unlock|show PROFILE”\n"));
      return KILN_CLI_EXIT_USAGE;
    }
  verb = args[0];
  if (g_str_equal (verb, "new"))
    return write_template (args[1], firmware);
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

  if (g_str_equal (verb, "unlock"))
    {
      kiln_production_profile_unlock (profile);
      if (!kiln_production_profile_save (profile, args[1], &error))
        {
          fprintf (stderr, "kiln-cli profile: %s\n", error->message);
          return KILN_CLI_EXIT_FAILURE;
        }
      printf (_("%s is unlocked: the line refuses it until it is locked again\n"), args[1]);
      return KILN_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "lock"))
    {
      if (kiln_production_profile_is_locked (profile))
        {
          printf (_("%s is already locked\n"), args[1]);
          return KILN_CLI_EXIT_OK;
        }
      if (pin || kiln_production_profile_get_sha256 (profile) == NULL)
        {
          g_autofree char *written = NULL;
          g_autoptr(GKeyFile) kf = g_key_file_new ();
          guint32 base = 0;
          gboolean has_base = kiln_production_profile_get_base (profile, &base);

          /* The path as the profile writes it, so that it stays relative. */
          if (g_key_file_load_from_file (kf, args[1], G_KEY_FILE_NONE, NULL))
            written = g_key_file_get_string (kf, "profile", "firmware", NULL);
          if (written == NULL)
            {
              fprintf (stderr, _("kiln-cli profile: %s names no firmware file (firmware = FILE in [profile])\n"),
                       args[1]);
              return KILN_CLI_EXIT_USAGE;
            }
          if (!kiln_production_profile_set_firmware (profile, g_strstrip (written), has_base, base, &error))
            {
              fprintf (stderr, "kiln-cli profile: %s\n", error->message);
              return KILN_CLI_EXIT_USAGE;
            }
        }
      if (!kiln_production_profile_lock (profile, &error))
        {
          fprintf (stderr, "kiln-cli profile: %s\n", error->message);
          if (g_error_matches (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_FILE_CHANGED))
            fprintf (stderr, _("kiln-cli profile: if the new file is the right one, pin it with --pin\n"));
          return KILN_CLI_EXIT_USAGE;
        }
      if (!kiln_production_profile_save (profile, args[1], &error))
        {
          fprintf (stderr, "kiln-cli profile: %s\n", error->message);
          return KILN_CLI_EXIT_FAILURE;
        }
      show (profile);
      return KILN_CLI_EXIT_OK;
    }

  fprintf (stderr, _("kiln-cli profile: unknown action “%s”: use new, lock, unlock or show\n"), verb);
  return KILN_CLI_EXIT_USAGE;
}
