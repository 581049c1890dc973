/* kiln-production-stats.h — the figures of a line over a time range, from
 * its record (a station's or the line's): boards per hour, first-pass yield,
 * failures ranked by cause and counted per station, slot and probe, and the
 * cycle time. Shared by `kiln-cli log stats` and the Line view.
 *
 * A board is a chip UID. It belongs to the range when its first attempt in
 * the whole record does; it passed first time when that attempt was PASS.
 * Attempts without a UID (the board never answered) count as attempts and
 * failures but not as boards. Causes are grouped by Kiln's diagnosis
 * (kiln-production-diagnosis.h; entries from before it count as "other").
 * The cycle time is each attempt's total time: the median (the mean of the
 * two middle ones for an even count) and the 90th percentile (nearest rank).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-production-record.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 start;        /* Unix time of the hour's start (UTC hours) */
  guint  passed;       /* attempts that ended in that hour, by result */
  guint  failed;
} KilnStatsHour;

typedef struct
{
  char  *key;          /* the cause group, station, slot or probe ("" when the entry had none) */
  guint  count;        /* failures */
  guint  attempts;     /* attempts (for stations, slots and probes) */
} KilnStatsCount;

typedef struct
{
  gint64     since;            /* the range, Unix times: [since, until); 0 = open */
  gint64     until;
  guint      attempts;
  guint      passed;
  guint      failed;
  guint      boards;
  guint      first_pass;
  guint      unidentified;     /* attempts without a chip UID */
  double     first_pass_yield; /* first_pass / boards; 0 without boards */
  double     boards_per_hour;  /* boards over the hours from the first to the last attempt */
  GArray    *hours;            /* KilnStatsHour, every hour from the first attempt's to the last's */
  GPtrArray *causes;           /* KilnStatsCount by cause group, most failures first */
  GPtrArray *codes;            /* KilnStatsCount by diagnosis code, most failures first */
  GPtrArray *stations;         /* KilnStatsCount, most failures first */
  GPtrArray *slots;
  GPtrArray *probes;
  guint      n_cycles;         /* attempts timed */
  double     cycle_median;
  double     cycle_p90;
  /* Serial numbers consumed without a board's result (its station stopped
   * first), marked in the range: apart from the attempts, which are boards'
   * results. -1 when the record does not tell (a station's own record). */
  gint       consumed;
  GPtrArray *consumed_causes;  /* KilnStatsCount by why (count: numbers), most first; NULL with consumed -1 */
} KilnProductionStats;

/* The figures of @entries (KilnProductionEntry, any order) in [@since, @until). */
KilnProductionStats *kiln_production_stats_compute (GPtrArray           *entries,
                                                    gint64               since,
                                                    gint64               until);
void                 kiln_production_stats_free    (KilnProductionStats *stats);
/* Sets stats->consumed and consumed_causes from @times (ISO 8601 strings:
 * when each number was marked consumed) and @causes (why, each; NULL
 * items allowed), those in the stats' range. */
void                 kiln_production_stats_count_consumed (KilnProductionStats *stats,
                                                           GPtrArray           *times,
                                                           GPtrArray           *causes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnProductionStats, kiln_production_stats_free)

/* The entries of @entries in [@since, @until), borrowed (the array frees none). */
GPtrArray           *kiln_production_stats_filter  (GPtrArray           *entries,
                                                    gint64               since,
                                                    gint64               until);
/* The figures as one JSON object (no newline). */
char                *kiln_production_stats_to_json (const KilnProductionStats *stats);

/* "2026-12-02" (local midnight), "2026-12-02T08:00", "2026-12-02 08:00:30" or
 * any ISO 8601 time with its zone, as Unix time; FALSE with a clear error. */
gboolean             kiln_production_stats_parse_time (const char       *text,
                                                       gint64           *time,
                                                       GError          **error);
/* The last 8 hours up to @now; the local day of @now. */
void                 kiln_production_stats_shift   (gint64               now,
                                                    gint64              *since,
                                                    gint64              *until);
void                 kiln_production_stats_day     (gint64               now,
                                                    gint64              *since,
                                                    gint64              *until);

G_END_DECLS
