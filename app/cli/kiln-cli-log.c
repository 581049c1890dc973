/* kiln-cli-log.c — `kiln-cli log export DB --csv|--jsonl [OUT]`,
 * `kiln-cli log verify DB` and `kiln-cli log stats DB` (kiln-cli-log-stats.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-log-stats.h"
#include "kiln-line-record.h"
#include "kiln-production-chain.h"
#include "kiln-production-record.h"

/* Every link of the record's hash chain; the first broken one named. */
static int
verify (GPtrArray  *entries,
        const char *name)
{
  g_autofree char *broken = NULL;
  g_autofree char *heads = NULL;

  if (!kiln_production_chain_verify (entries, &broken, &heads))
    {
      printf (_("%s: BROKEN — %s\n"), name, broken);
      return KILN_CLI_EXIT_FAILURE;
    }
  printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u record, every link holds\n", "%s: %u records, every link holds\n",
                       entries->len),
          name, entries->len);
  if (*heads != '\0')
    printf (_("Last record of each station (keep these to detect records removed at the end):\n%s"), heads);
  return KILN_CLI_EXIT_OK;
}

int
kiln_cli_log (int    argc,
              char **argv)
{
  gboolean csv = FALSE, jsonl = FALSE, serials = FALSE, shift = FALSE, day = FALSE, json = FALSE;
  g_autofree char *line = NULL;
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  g_autoptr(KilnLineRecord) line_record = NULL;
  g_autoptr(GPtrArray) boards = NULL;
  g_autoptr(GPtrArray) consumed = NULL;
  g_autoptr(GPtrArray) consumed_causes = NULL;
  g_autoptr(GPtrArray) numbers = NULL;
  const char *name;
  g_auto(GStrv) args = NULL;
  GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("Comma-separated values, one row per board, with a header"), NULL },
    { "jsonl", 0, 0, G_OPTION_ARG_NONE, &jsonl, N_("JSON lines, one object per board"), NULL },
    { "line", 0, 0, G_OPTION_ARG_STRING, &line, N_("Read the line's PostgreSQL record (a connection string or URI) instead of a station's file"), N_("CONNINFO") },
    { "serials", 0, 0, G_OPTION_ARG_NONE, &serials, N_("The serial numbers allocated (with the board each went to and its result, or, in the line, when and why a number was consumed without one) instead of the boards"), NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("stats: from this date or time on (2026-12-02, 2026-12-02T08:00; local time unless a zone is given)"), N_("WHEN") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("stats: up to this date or time (not included)"), N_("WHEN") },
    { "shift", 0, 0, G_OPTION_ARG_NONE, &shift, N_("stats: the last 8 hours"), NULL },
    { "day", 0, 0, G_OPTION_ARG_NONE, &day, N_("stats: today (since local midnight)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("stats: one JSON object instead of text"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("export DB [OUT] | verify DB | stats DB — write a station's record (or, with --line, the line's) as CSV or JSON lines, check its hash chain, or show its figures"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GFile) file = NULL;
  gboolean to_stdout;
  guint n;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "kiln-cli log: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  n = args ? g_strv_length (args) : 0;
  /* With --line, the record is the line's and DB is not given. */
  if (line != NULL && args != NULL && n >= 1)
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

      g_strv_builder_add (b, args[0]);
      g_strv_builder_add (b, "");
      for (guint i = 1; i < n; i++)
        g_strv_builder_add (b, args[i]);
      g_strfreev (args);
      args = g_strv_builder_end (b);
      n++;
    }
  if (n == 2 && (g_strcmp0 (args[0], "verify") == 0 || g_strcmp0 (args[0], "stats") == 0))
    ;
  else if (n < 2 || n > 3 || g_strcmp0 (args[0], "export") != 0 || csv == jsonl)
    {
      fprintf (stderr, _("kiln-cli log: use “kiln-cli log export DB|--line CONNINFO --csv|--jsonl [OUT]”, “kiln-cli "
                         "log verify DB|--line CONNINFO” or “kiln-cli log stats DB|--line CONNINFO [--shift|--day|"
                         "--since WHEN --until WHEN] [--json]”\n"));
      return KILN_CLI_EXIT_USAGE;
    }
  if (line != NULL)
    {
      line_record = kiln_line_record_open (line, &error);
      boards = line_record ? kiln_line_record_list (line_record, &error) : NULL;
      if (boards == NULL)
        {
          fprintf (stderr, "kiln-cli log: %s\n", error->message);
          return KILN_CLI_EXIT_FAILURE;
        }
      name = kiln_line_record_get_name (line_record);
      if (g_str_equal (args[0], "stats") || serials)
        {
          numbers = kiln_line_record_list_serials (line_record, &error);
          if (numbers == NULL)
            {
              fprintf (stderr, "kiln-cli log: %s\n", error->message);
              return KILN_CLI_EXIT_FAILURE;
            }
          kiln_line_serials_consumed (numbers, &consumed, &consumed_causes);
        }
    }
  else
    {
      if (!g_file_test (args[1], G_FILE_TEST_IS_REGULAR))
        {
          fprintf (stderr, _("kiln-cli log: %s is not a record database\n"), args[1]);
          return KILN_CLI_EXIT_USAGE;
        }
      record = kiln_production_record_open (args[1], &error);
      boards = record ? kiln_production_record_list (record, &error) : NULL;
      if (boards == NULL)
        {
          fprintf (stderr, "kiln-cli log: %s\n", error->message);
          return KILN_CLI_EXIT_USAGE;
        }
      name = args[1];
    }
  if (g_str_equal (args[0], "verify"))
    return verify (boards, name);
  if (g_str_equal (args[0], "stats"))
    return kiln_cli_log_stats (boards, consumed, consumed_causes, name, since, until, shift, day, json);

  to_stdout = n < 3 || g_strcmp0 (args[2], "-") == 0;
  if (!to_stdout)
    {
      file = g_file_new_for_commandline_arg (args[2]);
      out = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error));
    }
  else
    out = g_memory_output_stream_new_resizable ();
  if (out == NULL
      || !(serials && numbers != NULL
           ? kiln_production_serials_export (kiln_line_serial_columns, numbers, csv ? KILN_PRODUCTION_EXPORT_CSV
                                                                                     : KILN_PRODUCTION_EXPORT_JSONL,
                                             out, &error)
           : serials ? kiln_production_record_export_serials (record, csv ? KILN_PRODUCTION_EXPORT_CSV
                                                                        : KILN_PRODUCTION_EXPORT_JSONL, out, &error)
                   : kiln_production_entries_export (boards, csv ? KILN_PRODUCTION_EXPORT_CSV
                                                                  : KILN_PRODUCTION_EXPORT_JSONL, out, &error))
      || !g_output_stream_close (out, NULL, &error))
    {
      fprintf (stderr, "kiln-cli log: %s\n", error->message);
      return KILN_CLI_EXIT_FAILURE;
    }
  if (to_stdout)
    {
      GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (out);
      gsize size = g_memory_output_stream_get_data_size (memory);

      if (fwrite (g_memory_output_stream_get_data (memory), 1, size, stdout) != size || fflush (stdout) != 0)
        {
          fprintf (stderr, _("kiln-cli log: cannot write the export to standard output\n"));
          return KILN_CLI_EXIT_FAILURE;
        }
    }
  return KILN_CLI_EXIT_OK;
}
