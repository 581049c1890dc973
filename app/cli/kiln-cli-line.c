/* kiln-cli-line.c — `kiln-cli line retire STATION --line CONNINFO`: an
 * engineer's command for a station that will not start again, whose
 * serial numbers given to boards without a result are then recorded as
 * consumed (what the station's own start, or any other station's, does)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-line-record.h"
#include "kiln-production-record.h"

int
kiln_cli_line (int    argc,
               char **argv)
{
  g_autofree char *line = NULL;
  g_auto(GStrv) args = NULL;
  GOptionEntry entries[] = {
    { "line", 0, 0, G_OPTION_ARG_STRING, &line, N_("The line's PostgreSQL database (a connection string or URI)"), N_("CONNINFO") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("retire STATION — record the serial numbers a station that will not start again gave to boards without a result as consumed"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnLineRecord) line_record = NULL;
  guint consumed = 0;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "kiln-cli line: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  if (line == NULL || args == NULL || g_strv_length (args) != 2 || g_strcmp0 (args[0], "retire") != 0
      || *args[1] == '\0')
    {
      fprintf (stderr, _("kiln-cli line: use “kiln-cli line retire STATION --line CONNINFO”\n"));
      return KILN_CLI_EXIT_USAGE;
    }
  line_record = kiln_line_record_open (line, &error);
  if (line_record == NULL || !kiln_line_record_retire_station (line_record, args[1], &consumed, &error))
    {
      fprintf (stderr, "kiln-cli line: %s\n", error->message);
      return kiln_cli_exit_code (error);
    }
  printf (g_dngettext (GETTEXT_PACKAGE,
                       "Station “%s”: %u serial number given to a board with no result recorded is now recorded as "
                       "consumed\n",
                       "Station “%s”: %u serial numbers given to boards with no result recorded are now recorded as "
                       "consumed\n", consumed),
          args[1], consumed);
  return KILN_CLI_EXIT_OK;
}
