/* test-production-stats.c — the line's figures from known records: exact
 * boards, first-pass yield, causes, failures per station, slot and probe,
 * attempts per hour and cycle times, from a station's SQLite record and,
 * with KILN_TEST_LINE=CONNINFO (test-line-stats.py starts a PostgreSQL
 * server), from the line's record, which must give the same figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-line-record.h"
#include "kiln-production-stats.h"

typedef struct
{
  const char *time;
  const char *station;
  const char *slot;
  const char *probe;
  const char *uid;
  gboolean    pass;
  const char *group;
  const char *code;
  double      total;
} Known;

/* 2026-03-10, UTC. The last one is an entry as older Kilns wrote it: no slot,
 * no operator, no diagnosis. */
static const Known known[] = {
  { "2026-03-10T08:05:00.000000Z", "S1", "1", "PA", "U1", TRUE, NULL, NULL, 10 },
  { "2026-03-10T08:20:00.000000Z", "S1", "2", "PB", "U2", FALSE, "flash", "flash-verify", 14 },
  { "2026-03-10T08:40:00.000000Z", "S1", "2", "PB", "U2", TRUE, NULL, NULL, 12 },
  { "2026-03-10T09:10:00.000000Z", "S2", "1", "PC", "U3", FALSE, "chip", "chip-wrong", 2 },
  { "2026-03-10T09:15:00.000000Z", "S2", "1", "PC", NULL, FALSE, "board", "board-no-power", 1 },
  { "2026-03-10T09:30:00.000000Z", "S2", "1", "PC", "U4", TRUE, NULL, NULL, 11 },
  { "2026-03-10T10:45:00.000000Z", "S1", "1", "PA", "U5", FALSE, "flash", "flash-verify", 16 },
  { "2026-03-10T07:50:00.000000Z", "S1", "1", "PA", "U6", FALSE, "flash", "flash-controller", 13 },
  { "2026-03-10T08:10:00.000000Z", "S1", "1", "PA", "U6", TRUE, NULL, NULL, 10 },
  { "2026-03-10T11:30:00.000000Z", "S2", "2", "PD", "U7", TRUE, NULL, NULL, 9 },
  { "2026-03-10T09:50:00.000000Z", "S2", NULL, "PC", "U8", FALSE, NULL, NULL, 20 },
};
#define N_OLD 1   /* the last ones: older entries */

static KilnProductionEntry *
entry_of (const Known *k)
{
  KilnProductionEntry *e = kiln_production_entry_new ();

  e->time = g_strdup (k->time);
  e->station = g_strdup (k->station);
  e->slot = g_strdup (k->slot);
  e->probe_serial = g_strdup (k->probe);
  e->chip_uid = g_strdup (k->uid);
  e->profile = g_strdup ("Widget");
  e->pass = k->pass;
  e->cause = k->pass ? NULL : g_strdup ("it failed");
  e->cause_group = g_strdup (k->group);
  e->cause_code = g_strdup (k->code);
  e->operator_name = k->slot ? g_strdup ("Ann Lee") : NULL;
  e->total_seconds = k->total;
  return e;
}

static gint64
utc (int hour)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (2026, 3, 10, hour, 0, 0);

  return g_date_time_to_unix (dt);
}

static void
assert_count (GPtrArray  *counts,
              guint       index,
              const char *key,
              guint       failures,
              guint       attempts)
{
  const KilnStatsCount *c;

  g_assert_cmpuint (index, <, counts->len);
  c = g_ptr_array_index (counts, index);
  g_assert_cmpstr (c->key, ==, key);
  g_assert_cmpuint (c->count, ==, failures);
  if (attempts > 0)
    g_assert_cmpuint (c->attempts, ==, attempts);
}

/* The figures the fixture must give, whichever store it came from. */
static void
assert_known_figures (GPtrArray *entries)
{
  g_autoptr(KilnProductionStats) s = kiln_production_stats_compute (entries, utc (8), utc (11));
  g_autoptr(KilnProductionStats) first_hour = kiln_production_stats_compute (entries, utc (8), utc (9));
  g_autoptr(KilnProductionStats) all = kiln_production_stats_compute (entries, 0, 0);
  g_autoptr(KilnProductionStats) none = kiln_production_stats_compute (entries, utc (12), utc (13));
  g_autoptr(GPtrArray) in_range = kiln_production_stats_filter (entries, utc (8), utc (11));
  const KilnStatsHour *h;

  g_assert_cmpuint (entries->len, ==, G_N_ELEMENTS (known));
  g_assert_cmpuint (in_range->len, ==, 9);

  g_assert_cmpuint (s->attempts, ==, 9);
  g_assert_cmpuint (s->passed, ==, 4);
  g_assert_cmpuint (s->failed, ==, 5);
  /* U6's first attempt was before the range: not a board of the range. */
  g_assert_cmpuint (s->boards, ==, 6);
  g_assert_cmpuint (s->first_pass, ==, 2);
  g_assert_cmpuint (s->unidentified, ==, 1);
  g_assert_cmpfloat_with_epsilon (s->first_pass_yield, 2.0 / 6.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s->boards_per_hour, 2.0, 1e-12);

  g_assert_cmpuint (s->hours->len, ==, 3);
  h = &g_array_index (s->hours, KilnStatsHour, 0);
  g_assert_cmpint (h->start, ==, utc (8));
  g_assert_cmpuint (h->passed, ==, 3);
  g_assert_cmpuint (h->failed, ==, 1);
  h = &g_array_index (s->hours, KilnStatsHour, 1);
  g_assert_cmpint (h->start, ==, utc (9));
  g_assert_cmpuint (h->passed, ==, 1);
  g_assert_cmpuint (h->failed, ==, 3);
  h = &g_array_index (s->hours, KilnStatsHour, 2);
  g_assert_cmpuint (h->passed, ==, 0);
  g_assert_cmpuint (h->failed, ==, 1);

  g_assert_cmpuint (s->causes->len, ==, 4);
  assert_count (s->causes, 0, "flash", 2, 0);
  assert_count (s->causes, 1, "board", 1, 0);
  assert_count (s->causes, 2, "chip", 1, 0);
  assert_count (s->causes, 3, "other", 1, 0);
  assert_count (s->codes, 0, "flash-verify", 2, 0);

  g_assert_cmpuint (s->stations->len, ==, 2);
  assert_count (s->stations, 0, "S2", 3, 4);
  assert_count (s->stations, 1, "S1", 2, 5);
  g_assert_cmpuint (s->slots->len, ==, 3);
  assert_count (s->slots, 0, "1", 3, 6);
  assert_count (s->slots, 1, "2", 1, 2);
  assert_count (s->slots, 2, "", 1, 1);
  g_assert_cmpuint (s->probes->len, ==, 3);
  assert_count (s->probes, 0, "PC", 3, 4);
  assert_count (s->probes, 1, "PA", 1, 3);
  assert_count (s->probes, 2, "PB", 1, 2);

  /* 1 2 10 10 11 12 14 16 20: median the fifth, p90 the ninth (nearest rank). */
  g_assert_cmpuint (s->n_cycles, ==, 9);
  g_assert_cmpfloat_with_epsilon (s->cycle_median, 11.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s->cycle_p90, 20.0, 1e-9);
  /* 10 10 12 14: the mean of the middle two; p90 the fourth. */
  g_assert_cmpuint (first_hour->n_cycles, ==, 4);
  g_assert_cmpfloat_with_epsilon (first_hour->cycle_median, 11.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (first_hour->cycle_p90, 14.0, 1e-9);
  g_assert_cmpuint (first_hour->boards, ==, 2);

  /* The whole record: U6 is a board again, failed at its first attempt. */
  g_assert_cmpuint (all->attempts, ==, G_N_ELEMENTS (known));
  g_assert_cmpuint (all->boards, ==, 8);
  g_assert_cmpuint (all->first_pass, ==, 3);
  g_assert_cmpuint (all->hours->len, ==, 5);

  g_assert_cmpuint (none->attempts, ==, 0);
  g_assert_cmpuint (none->boards, ==, 0);
  g_assert_cmpfloat (none->first_pass_yield, ==, 0);
  g_assert_cmpuint (none->hours->len, ==, 0);
  g_assert_cmpuint (none->causes->len, ==, 0);
}

static void
test_sqlite (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kiln-stats-XXXXXX", NULL);
  const char *keep = g_getenv ("KILN_TEST_STATS_DB");
  g_autofree char *path = keep ? g_strdup (keep) : g_build_filename (dir, "record.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionRecord) record = kiln_production_record_open (path, &error);
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      g_autoptr(KilnProductionEntry) e = entry_of (&known[i]);

      g_assert_true (kiln_production_record_append (record, e, 0, &error));
      g_assert_no_error (error);
    }
  entries = kiln_production_record_list (record, &error);
  g_assert_no_error (error);
  assert_known_figures (entries);
  g_clear_object (&record);
  if (keep == NULL)
    g_unlink (path);
  g_rmdir (dir);
}

/* KILN_TEST_LINE_STEP=old appends only the older entries (the caller then
 * takes the line's schema back to version 1); otherwise the rest are
 * appended and the figures checked. */
static void
test_line (void)
{
  const char *conninfo = g_getenv ("KILN_TEST_LINE");
  gboolean old_only = g_strcmp0 (g_getenv ("KILN_TEST_LINE_STEP"), "old") == 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnLineRecord) line = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_nonnull (conninfo);
  line = kiln_line_record_open (conninfo, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      g_autoptr(KilnProductionEntry) e = NULL;

      if ((i >= G_N_ELEMENTS (known) - N_OLD) != old_only)
        continue;
      e = entry_of (&known[i]);
      g_assert_true (kiln_line_record_append (line, e, NULL, &error));
      g_assert_no_error (error);
    }
  if (old_only)
    return;
  entries = kiln_line_record_list (line, &error);
  g_assert_no_error (error);
  assert_known_figures (entries);
}

static void
test_parse_time (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) midnight = g_date_time_new_local (2026, 12, 2, 0, 0, 0);
  g_autoptr(GDateTime) afternoon = g_date_time_new_local (2026, 12, 2, 14, 30, 0);
  gint64 t = 0, since = 0, until = 0;

  g_assert_true (kiln_production_stats_parse_time ("2026-12-02", &t, &error));
  g_assert_cmpint (t, ==, g_date_time_to_unix (midnight));
  g_assert_true (kiln_production_stats_parse_time ("2026-12-02 14:30", &t, &error));
  g_assert_cmpint (t, ==, g_date_time_to_unix (afternoon));
  g_assert_true (kiln_production_stats_parse_time ("2026-12-02T14:30:00", &t, &error));
  g_assert_cmpint (t, ==, g_date_time_to_unix (afternoon));
  g_assert_true (kiln_production_stats_parse_time ("2026-03-10T08:00:00Z", &t, &error));
  g_assert_cmpint (t, ==, utc (8));
  g_assert_no_error (error);
  g_assert_false (kiln_production_stats_parse_time ("yesterday", &t, &error));
  g_assert_nonnull (strstr (error->message, "“yesterday” is not a date or time"));

  kiln_production_stats_shift (utc (16), &since, &until);
  g_assert_cmpint (since, ==, utc (8));
  g_assert_cmpint (until, >, utc (16));
  kiln_production_stats_day (g_date_time_to_unix (afternoon), &since, &until);
  g_assert_cmpint (since, ==, g_date_time_to_unix (midnight));
  g_assert_cmpint (until - since, >=, 23 * 3600);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Production/stats/sqlite", test_sqlite);
  /* Only where a line database is given: line-stats (test-line-stats.py)
   * starts a PostgreSQL and runs this part; on its own, the test has none,
   * and a part that could never run here is not listed as skipped. */
  if (g_getenv ("KILN_TEST_LINE") != NULL)
    g_test_add_func ("/Kiln/Production/stats/line", test_line);
  g_test_add_func ("/Kiln/Production/stats/parse-time", test_parse_time);
  return g_test_run ();
}
