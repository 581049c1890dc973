/* kiln-production-stats.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "kiln-flash-json.h"
#include "kiln-production-error.h"
#include "kiln-production-stats.h"

#define HOUR 3600

/* An ISO 8601 time as Unix seconds (0 when it cannot be read). */
static gint64
unix_time (const char *time)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = time ? g_date_time_new_from_iso8601 (time, utc) : NULL;

  return dt ? g_date_time_to_unix (dt) : 0;
}

static gint64
entry_time (const KilnProductionEntry *entry)
{
  return unix_time (entry->time);
}

static gboolean
in_range (gint64 t,
          gint64 since,
          gint64 until)
{
  return (since == 0 || t >= since) && (until == 0 || t < until);
}

static void
count_free (KilnStatsCount *count)
{
  g_free (count->key);
  g_free (count);
}

/* Adds one attempt (a failure when @failed) under @key. */
static void
tally (GHashTable *table,
       const char *key,
       gboolean    failed)
{
  KilnStatsCount *count = g_hash_table_lookup (table, key ? key : "");

  if (count == NULL)
    {
      count = g_new0 (KilnStatsCount, 1);
      count->key = g_strdup (key ? key : "");
      g_hash_table_insert (table, count->key, count);
    }
  count->attempts++;
  if (failed)
    count->count++;
}

static int
by_count (gconstpointer a,
          gconstpointer b)
{
  const KilnStatsCount *x = *(KilnStatsCount * const *) a;
  const KilnStatsCount *y = *(KilnStatsCount * const *) b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if (x->attempts != y->attempts)
    return x->attempts > y->attempts ? -1 : 1;
  return strcmp (x->key, y->key);
}

/* The table's counts, most failures first; @failed_only drops those without any. */
static GPtrArray *
ranked (GHashTable *table,
        gboolean    failed_only)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) count_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      if (failed_only && ((KilnStatsCount *) value)->count == 0)
        count_free (value);
      else
        g_ptr_array_add (out, value);
    }
  g_ptr_array_sort (out, by_count);
  return out;
}

static int
by_double (gconstpointer a,
           gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  const KilnProductionEntry *entry;
  gint64                     time;
} Timed;

static int
by_time (gconstpointer a,
         gconstpointer b)
{
  const Timed *x = a, *y = b;

  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return (x->entry->id > y->entry->id) - (x->entry->id < y->entry->id);
}

static GHashTable *
count_table (void)
{
  return g_hash_table_new (g_str_hash, g_str_equal);
}

KilnProductionStats *
kiln_production_stats_compute (GPtrArray *entries,
                               gint64     since,
                               gint64     until)
{
  KilnProductionStats *stats = g_new0 (KilnProductionStats, 1);
  g_autoptr(GArray) timed = g_array_sized_new (FALSE, FALSE, sizeof (Timed), entries->len);
  g_autoptr(GArray) cycles = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) causes = count_table ();
  g_autoptr(GHashTable) codes = count_table ();
  g_autoptr(GHashTable) stations = count_table ();
  g_autoptr(GHashTable) slots = count_table ();
  g_autoptr(GHashTable) probes = count_table ();
  gint64 first_hour = 0, last_hour = 0;

  stats->since = since;
  stats->until = until;
  stats->consumed = -1;
  stats->hours = g_array_new (FALSE, TRUE, sizeof (KilnStatsHour));

  for (guint i = 0; i < entries->len; i++)
    {
      Timed t = { g_ptr_array_index (entries, i), 0 };

      t.time = entry_time (t.entry);
      g_array_append_val (timed, t);
    }
  g_array_sort (timed, by_time);

  for (guint i = 0; i < timed->len; i++)
    {
      const Timed *t = &g_array_index (timed, Timed, i);
      const KilnProductionEntry *e = t->entry;
      gboolean has_uid = e->chip_uid != NULL && *e->chip_uid != '\0';
      gboolean first = has_uid && !g_hash_table_contains (seen, e->chip_uid);

      if (first)
        g_hash_table_add (seen, e->chip_uid);
      if (!in_range (t->time, since, until))
        continue;

      stats->attempts++;
      if (e->pass)
        stats->passed++;
      else
        stats->failed++;
      if (!has_uid)
        stats->unidentified++;
      if (first)
        {
          stats->boards++;
          if (e->pass)
            stats->first_pass++;
        }
      if (!e->pass)
        {
          tally (causes, e->cause_group ? e->cause_group : "other", TRUE);
          tally (codes, e->cause_code ? e->cause_code : "other", TRUE);
        }
      tally (stations, e->station, !e->pass);
      tally (slots, e->slot, !e->pass);
      tally (probes, e->probe_serial, !e->pass);
      g_array_append_val (cycles, e->total_seconds);

      if (stats->attempts == 1)
        first_hour = t->time - t->time % HOUR;
      last_hour = t->time - t->time % HOUR;
    }

  if (stats->attempts > 0)
    {
      g_array_set_size (stats->hours, (guint) ((last_hour - first_hour) / HOUR + 1));
      for (guint h = 0; h < stats->hours->len; h++)
        g_array_index (stats->hours, KilnStatsHour, h).start = first_hour + (gint64) h * HOUR;
      for (guint i = 0; i < timed->len; i++)
        {
          const Timed *t = &g_array_index (timed, Timed, i);
          KilnStatsHour *hour;

          if (!in_range (t->time, since, until))
            continue;
          hour = &g_array_index (stats->hours, KilnStatsHour, (t->time - t->time % HOUR - first_hour) / HOUR);
          if (t->entry->pass)
            hour->passed++;
          else
            hour->failed++;
        }
      stats->boards_per_hour = (double) stats->boards / stats->hours->len;
    }
  if (stats->boards > 0)
    stats->first_pass_yield = (double) stats->first_pass / stats->boards;

  stats->n_cycles = cycles->len;
  if (cycles->len > 0)
    {
      guint n = cycles->len;
      guint rank = (9 * n + 9) / 10;  /* ceil (0.9 n) */

      g_array_sort (cycles, by_double);
      stats->cycle_median = (n % 2) ? g_array_index (cycles, double, n / 2)
                                    : (g_array_index (cycles, double, n / 2 - 1) + g_array_index (cycles, double, n / 2)) / 2;
      stats->cycle_p90 = g_array_index (cycles, double, MAX (rank, 1) - 1);
    }

  stats->causes = ranked (causes, TRUE);
  stats->codes = ranked (codes, TRUE);
  stats->stations = ranked (stations, FALSE);
  stats->slots = ranked (slots, FALSE);
  stats->probes = ranked (probes, FALSE);
  return stats;
}

void
kiln_production_stats_count_consumed (KilnProductionStats *stats,
                                      GPtrArray           *times,
                                      GPtrArray           *causes)
{
  g_autoptr(GHashTable) why = count_table ();

  g_return_if_fail (times->len == causes->len);

  stats->consumed = 0;
  for (guint i = 0; i < times->len; i++)
    if (in_range (unix_time (g_ptr_array_index (times, i)), stats->since, stats->until))
      {
        stats->consumed++;
        tally (why, g_ptr_array_index (causes, i), TRUE);
      }
  g_clear_pointer (&stats->consumed_causes, g_ptr_array_unref);
  stats->consumed_causes = ranked (why, TRUE);
}

void
kiln_production_stats_free (KilnProductionStats *stats)
{
  if (stats == NULL)
    return;
  g_clear_pointer (&stats->hours, g_array_unref);
  g_clear_pointer (&stats->causes, g_ptr_array_unref);
  g_clear_pointer (&stats->codes, g_ptr_array_unref);
  g_clear_pointer (&stats->stations, g_ptr_array_unref);
  g_clear_pointer (&stats->slots, g_ptr_array_unref);
  g_clear_pointer (&stats->probes, g_ptr_array_unref);
  g_clear_pointer (&stats->consumed_causes, g_ptr_array_unref);
  g_free (stats);
}

GPtrArray *
kiln_production_stats_filter (GPtrArray *entries,
                              gint64     since,
                              gint64     until)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < entries->len; i++)
    if (in_range (entry_time (g_ptr_array_index (entries, i)), since, until))
      g_ptr_array_add (out, g_ptr_array_index (entries, i));
  return out;
}

static void
add_time (JsonBuilder *b,
          const char  *name,
          gint64       t)
{
  json_builder_set_member_name (b, name);
  if (t == 0)
    json_builder_add_null_value (b);
  else
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);
      g_autofree char *text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");

      json_builder_add_string_value (b, text);
    }
}

/* @counts as objects: "name" (with the attempts) or "cause", and the count
 * as @count_member. */
static void
add_counts (JsonBuilder *b,
            const char  *name,
            GPtrArray   *counts,
            gboolean     with_attempts,
            const char  *count_member)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < counts->len; i++)
    {
      const KilnStatsCount *c = g_ptr_array_index (counts, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, with_attempts ? "name" : "cause");
      json_builder_add_string_value (b, c->key);
      json_builder_set_member_name (b, count_member);
      json_builder_add_int_value (b, c->count);
      if (with_attempts)
        {
          json_builder_set_member_name (b, "attempts");
          json_builder_add_int_value (b, c->attempts);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

char *
kiln_production_stats_to_json (const KilnProductionStats *stats)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_time (b, "since", stats->since);
  add_time (b, "until", stats->until);
  json_builder_set_member_name (b, "attempts");
  json_builder_add_int_value (b, stats->attempts);
  json_builder_set_member_name (b, "passed");
  json_builder_add_int_value (b, stats->passed);
  json_builder_set_member_name (b, "failed");
  json_builder_add_int_value (b, stats->failed);
  json_builder_set_member_name (b, "boards");
  json_builder_add_int_value (b, stats->boards);
  json_builder_set_member_name (b, "first_pass");
  json_builder_add_int_value (b, stats->first_pass);
  json_builder_set_member_name (b, "unidentified");
  json_builder_add_int_value (b, stats->unidentified);
  if (stats->consumed >= 0)
    {
      json_builder_set_member_name (b, "consumed_numbers");
      json_builder_add_int_value (b, stats->consumed);
      add_counts (b, "consumed_causes", stats->consumed_causes, FALSE, "numbers");
    }
  json_builder_set_member_name (b, "first_pass_yield");
  kiln_json_builder_add_fixed (b, stats->first_pass_yield, 4);
  json_builder_set_member_name (b, "boards_per_hour");
  kiln_json_builder_add_fixed (b, stats->boards_per_hour, 3);
  json_builder_set_member_name (b, "cycle_s");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, stats->n_cycles);
  json_builder_set_member_name (b, "median");
  kiln_json_builder_add_fixed (b, stats->cycle_median, 3);
  json_builder_set_member_name (b, "p90");
  kiln_json_builder_add_fixed (b, stats->cycle_p90, 3);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "hours");
  json_builder_begin_array (b);
  for (guint i = 0; i < stats->hours->len; i++)
    {
      const KilnStatsHour *h = &g_array_index (stats->hours, KilnStatsHour, i);

      json_builder_begin_object (b);
      add_time (b, "start", h->start);
      json_builder_set_member_name (b, "passed");
      json_builder_add_int_value (b, h->passed);
      json_builder_set_member_name (b, "failed");
      json_builder_add_int_value (b, h->failed);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_counts (b, "causes", stats->causes, FALSE, "failures");
  add_counts (b, "cause_codes", stats->codes, FALSE, "failures");
  add_counts (b, "stations", stats->stations, TRUE, "failures");
  add_counts (b, "slots", stats->slots, TRUE, "failures");
  add_counts (b, "probes", stats->probes, TRUE, "failures");
  json_builder_end_object (b);
  return kiln_json_builder_to_string (b);
}

gboolean
kiln_production_stats_parse_time (const char  *text,
                                  gint64      *time,
                                  GError     **error)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autofree char *iso = g_strstrip (g_strdup (text ? text : ""));
  g_autoptr(GDateTime) dt = NULL;
  size_t len = strlen (iso);

  if (len > 10 && iso[10] == ' ')
    iso[10] = 'T';
  if (len == 10)
    {
      char *day = g_strconcat (iso, "T00:00:00", NULL);

      g_free (iso);
      iso = day;
    }
  else if (len == 16 && iso[10] == 'T')
    {
      char *minutes = g_strconcat (iso, ":00", NULL);

      g_free (iso);
      iso = minutes;
    }
  dt = g_date_time_new_from_iso8601 (iso, local);
  if (dt == NULL)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("“%s” is not a date or time: give one such as 2026-12-02, 2026-12-02T08:00 or "
                     "“2026-12-02 14:30”"),
                   text ? text : "");
      return FALSE;
    }
  *time = g_date_time_to_unix (dt);
  return TRUE;
}

void
kiln_production_stats_shift (gint64  now,
                             gint64 *since,
                             gint64 *until)
{
  *until = now + 1;
  *since = now - 8 * HOUR;
}

void
kiln_production_stats_day (gint64  now,
                           gint64 *since,
                           gint64 *until)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (now);
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (t), g_date_time_get_month (t),
                                                         g_date_time_get_day_of_month (t), 0, 0, 0);
  g_autoptr(GDateTime) next = g_date_time_add_days (midnight, 1);

  *since = g_date_time_to_unix (midnight);
  *until = g_date_time_to_unix (next);
}
