/* kiln-cli-log-stats.c — `kiln-cli log stats DB | --line CONNINFO`: the
 * figures of a record over a range (kiln-production-stats.h), as text or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-log-stats.h"
#include "kiln-production-diagnosis.h"
#include "kiln-production-stats.h"

static char *
local_time (gint64      t,
            const char *format)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);

  return g_date_time_format (dt, format);
}

static void
print_counts (const char *title,
              GPtrArray  *counts,
              gboolean    causes)
{
  guint shown = 0;

  printf ("%s\n", title);
  for (guint i = 0; i < counts->len; i++)
    {
      const KilnStatsCount *c = g_ptr_array_index (counts, i);
      const char *name = *c->key ? c->key : _("(not recorded)");

      if (causes)
        printf ("  %5u  %s\n", c->count, kiln_production_diagnosis_group_label (c->key));
      else
        /* Translators: failures of a station, slot or probe, out of its attempts. */
        printf (_("  %5u of %-5u  %s\n"), c->count, c->attempts, name);
      shown++;
    }
  if (shown == 0)
    printf ("  %s\n", _("none"));
}

static void
print_text (const KilnProductionStats *s,
            const char                *name)
{
  guint most = 1;

  printf (_("Record: %s\n"), name);
  if (s->since != 0 || s->until != 0)
    {
      g_autofree char *from = s->since ? local_time (s->since, "%Y-%m-%d %H:%M") : g_strdup (_("the beginning"));
      g_autofree char *to = s->until ? local_time (s->until, "%Y-%m-%d %H:%M") : g_strdup (_("now"));

      printf (_("Range: %s to %s\n"), from, to);
    }
  if (s->consumed >= 0)
    {
      printf (_("Serial numbers consumed without a board's result (the station stopped first): %d\n"), s->consumed);
      for (guint i = 0; i < s->consumed_causes->len; i++)
        {
          const KilnStatsCount *c = g_ptr_array_index (s->consumed_causes, i);

          /* As the station wrote it: in this language if it is one of Kiln's messages in English. */
          printf ("  %5u  %s\n", c->count, *c->key ? g_dgettext (GETTEXT_PACKAGE, c->key) : _("(not recorded)"));
        }
    }
  if (s->attempts == 0)
    {
      printf ("%s\n", _("No board was programmed in this range."));
      return;
    }
  printf (_("Boards: %u, first-pass yield %.1f %% (%u passed at their first attempt)\n"), s->boards,
          100.0 * s->first_pass_yield, s->first_pass);
  printf (_("Attempts: %u (%u PASS, %u FAIL, %u without a chip UID)\n"), s->attempts, s->passed, s->failed,
          s->unidentified);
  printf (_("Boards per hour: %.1f\n"), s->boards_per_hour);
  printf (_("Cycle time: median %.1f s, 90th percentile %.1f s\n"), s->cycle_median, s->cycle_p90);

  printf ("%s\n", _("Attempts per hour (PASS + FAIL):"));
  for (guint i = 0; i < s->hours->len; i++)
    most = MAX (most, g_array_index (s->hours, KilnStatsHour, i).passed
                      + g_array_index (s->hours, KilnStatsHour, i).failed);
  for (guint i = 0; i < s->hours->len; i++)
    {
      const KilnStatsHour *h = &g_array_index (s->hours, KilnStatsHour, i);
      g_autofree char *when = local_time (h->start, "%m-%d %H:00");
      guint pass_bar = h->passed * 40 / most, fail_bar = h->failed * 40 / most;
      g_autoptr(GString) bar = g_string_new (NULL);

      for (guint b = 0; b < pass_bar; b++)
        g_string_append (bar, "█");
      for (guint b = 0; b < fail_bar; b++)
        g_string_append (bar, "░");
      printf ("  %s  %4u + %-4u %s\n", when, h->passed, h->failed, bar->str);
    }
  print_counts (_("Failure causes:"), s->causes, TRUE);
  print_counts (_("Failures per station:"), s->stations, FALSE);
  print_counts (_("Failures per slot:"), s->slots, FALSE);
  print_counts (_("Failures per probe:"), s->probes, FALSE);
}

int
kiln_cli_log_stats (GPtrArray  *entries,
                    GPtrArray  *consumed,
                    GPtrArray  *consumed_causes,
                    const char *name,
                    const char *since,
                    const char *until,
                    gboolean    shift,
                    gboolean    day,
                    gboolean    json)
{
  g_autoptr(KilnProductionStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  gint64 from = 0, to = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if ((shift && day) || ((shift || day) && (since != NULL || until != NULL)))
    {
      fprintf (stderr, _("kiln-cli log: give either --shift, --day, or --since/--until\n"));
      return KILN_CLI_EXIT_USAGE;
    }
  if (shift)
    kiln_production_stats_shift (now, &from, &to);
  else if (day)
    kiln_production_stats_day (now, &from, &to);
  if ((since != NULL && !kiln_production_stats_parse_time (since, &from, &error))
      || (until != NULL && !kiln_production_stats_parse_time (until, &to, &error)))
    {
      fprintf (stderr, "kiln-cli log: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  if (from != 0 && to != 0 && to <= from)
    {
      fprintf (stderr, _("kiln-cli log: the range ends before it begins (--until must be after --since)\n"));
      return KILN_CLI_EXIT_USAGE;
    }
  stats = kiln_production_stats_compute (entries, from, to);
  if (consumed != NULL)
    kiln_production_stats_count_consumed (stats, consumed, consumed_causes);
  if (json)
    {
      g_autofree char *text = kiln_production_stats_to_json (stats);

      printf ("%s\n", text);
    }
  else
    print_text (stats, name);
  return KILN_CLI_EXIT_OK;
}
