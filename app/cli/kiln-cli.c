/* kiln-cli.c — Kiln's engine in a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "kiln-cli-commands.h"
#include "kiln-locale.h"

static const KilnCliCommand commands[] = {
  { "list", N_("List the attached ST-LINK probes and what they are connected to"), kiln_cli_list },
  { "info", N_("Show the probe and the chip it is connected to"), kiln_cli_info },
  { "flash", N_("Program a firmware file, skipping unchanged sectors, and verify it"), kiln_cli_flash },
  { "inspect", N_("Show a firmware file and the sectors it would erase and write"), kiln_cli_inspect },
  { "production", N_("Program board after board with a signed production profile and record each one"), kiln_cli_production },
  { "profile", N_("Write, sign, check or show a production profile, or make a signing key"), kiln_cli_profile },
  { "log", N_("Export, check or summarize a production record (a station's file or the line's database)"), kiln_cli_log },
  { "line", N_("Retire a production station that will not start again (line retire STATION --line CONNINFO)"), kiln_cli_line },
  { "verify", N_("Compare the chip's flash with a firmware file"), kiln_cli_verify },
  { "erase", N_("Erase flash sectors, or the whole chip"), kiln_cli_erase },
  { "read", N_("Read target memory into a file"), kiln_cli_read },
  { "option-bytes", N_("Show or change the option bytes (protection, boot, watchdogs)"), kiln_cli_option_bytes },
  { "otp", N_("Show, write or lock the one-time-programmable area (serial numbers, keys)"), kiln_cli_otp },
  { NULL, NULL, NULL },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, _("Usage: kiln-cli COMMAND [OPTION…]\n\n"));
  fprintf (stream, _("Program STM32 microcontrollers through ST-LINK probes.\n\n"));
  fprintf (stream, _("Commands:\n"));
  for (guint i = 0; commands[i].name != NULL; i++)
    fprintf (stream, "  %-14s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, _("\nRun “kiln-cli COMMAND --help” for the options of a command.\n"));
}

int
main (int    argc,
      char **argv)
{
  /* A reader that goes away (kiln-cli flash --json | head -1) must not kill
   * a job half-way through the flash: output is then lost, the job ends as
   * it would have, the controller locked. */
  signal (SIGPIPE, SIG_IGN);

  kiln_locale_init ();

  if (argc < 2)
    {
      print_usage (stderr);
      return KILN_CLI_EXIT_USAGE;
    }

  /* "kiln-cli help flash" is "kiln-cli flash --help". */
  if (strcmp (argv[1], "help") == 0 && argc == 3)
    {
      for (guint i = 0; commands[i].name != NULL; i++)
        {
          if (strcmp (argv[2], commands[i].name) == 0)
            {
              g_autofree char *prgname = g_strdup_printf ("kiln-cli %s", commands[i].name);
              char *help_argv[] = { argv[2], (char *) "--help", NULL };

              g_set_prgname (prgname);
              return commands[i].func (2, help_argv);
            }
        }
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return KILN_CLI_EXIT_OK;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("kiln-cli %s\n", PACKAGE_VERSION);
      return KILN_CLI_EXIT_OK;
    }

  for (guint i = 0; commands[i].name != NULL; i++)
    {
      if (strcmp (argv[1], commands[i].name) == 0)
        {
          /* "Usage: kiln-cli flash [OPTION…] FILE" in the command's --help */
          g_autofree char *prgname = g_strdup_printf ("kiln-cli %s", commands[i].name);

          g_set_prgname (prgname);
          return commands[i].func (argc - 1, argv + 1);
        }
    }

  fprintf (stderr, _("kiln-cli: unknown command “%s”\n\n"), argv[1]);
  print_usage (stderr);
  return KILN_CLI_EXIT_USAGE;
}
