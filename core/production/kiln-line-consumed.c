/* kiln-line-consumed.c — serial numbers given to boards whose result never
 * reached the line: marked consumed, by the station when it starts again,
 * by any station starting for one that no session holds, or by an
 * engineer's retire; and read back for the figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-line-record-private.h"
#include "kiln-production-record-private.h"

const char *
kiln_line_stopped_cause (void)
{
  return _("The station stopped before the board's result was recorded");
}

gboolean
kiln_line_mark_consumed (KilnLineRecord  *self,
                         const char      *station,
                         const char      *probe_serial,
                         const char      *uid,
                         const char      *cause,
                         guint           *count,
                         GError         **error)
{
  g_autofree char *now = kiln_production_now_iso8601 ();
  const char *values[] = { station, now, cause, probe_serial, uid };
  PGresult *res;

  res = kiln_line_record_run (self,
                              "UPDATE kiln_serials SET consumed = $2, consumed_cause = $3 WHERE station = $1 "
                              "AND record_id IS NULL AND consumed IS NULL "
                              "AND ($4::text IS NULL OR (probe_serial = $4 AND chip_uid <> $5::text))",
                              5, values, error);

  if (res == NULL)
    return FALSE;
  if (count != NULL)
    *count += (guint) g_ascii_strtoull (PQcmdTuples (res), NULL, 10);
  PQclear (res);
  return TRUE;
}

/* Whether no session holds @station's name: then this transaction holds
 * it until it ends, so the station cannot start meanwhile (it waits, as
 * for its own killed process). */
static gboolean
station_free (KilnLineRecord  *self,
              const char      *station,
              gboolean        *free_,
              GError         **error)
{
  const char *values[] = { station };
  PGresult *res = kiln_line_record_run (self, "SELECT pg_try_advisory_xact_lock(4799004, hashtext($1))", 1, values,
                                        error);

  if (res == NULL)
    return FALSE;
  *free_ = g_str_equal (PQgetvalue (res, 0, 0), "t");
  PQclear (res);
  return TRUE;
}

gboolean
kiln_line_sweep (KilnLineRecord  *self,
                 const char      *station,
                 guint           *count,
                 GError         **error)
{
  const char *values[] = { station };
  g_auto(GStrv) stations = NULL;
  PGresult *res;

  res = kiln_line_record_run (self,
                              "SELECT DISTINCT station FROM kiln_serials WHERE record_id IS NULL AND consumed IS NULL "
                              "AND station IS NOT NULL AND station <> $1 ORDER BY station",
                              1, values, error);

  if (res == NULL)
    return FALSE;
  stations = g_new0 (char *, PQntuples (res) + 1);
  for (int i = 0; i < PQntuples (res); i++)
    stations[i] = g_strdup (PQgetvalue (res, i, 0));
  PQclear (res);
  for (guint i = 0; stations[i] != NULL; i++)
    {
      gboolean free_ = FALSE;

      if (!station_free (self, stations[i], &free_, error))
        return FALSE;
      if (free_ && !kiln_line_mark_consumed (self, stations[i], NULL, NULL, kiln_line_stopped_cause (), count, error))
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const char *station;
  guint       count;
} Retire;

static gboolean
retire (KilnLineRecord *self,
        gpointer        data,
        GError        **error)
{
  Retire *r = data;
  gboolean free_ = FALSE;

  r->count = 0;
  if (!station_free (self, r->station, &free_, error))
    return FALSE;
  if (!free_)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_STATION_TAKEN,
                   _("Station “%s” is running on the line database (%s): its boards may still get their results. "
                     "Close it first, then retire it."),
                   r->station, kiln_line_record_get_name (self));
      return FALSE;
    }
  return kiln_line_mark_consumed (self, r->station, NULL, NULL, kiln_line_stopped_cause (), &r->count, error);
}

gboolean
kiln_line_record_retire_station (KilnLineRecord  *self,
                                 const char      *station,
                                 guint           *consumed,
                                 GError         **error)
{
  Retire r = { station, 0 };

  g_return_val_if_fail (KILN_IS_LINE_RECORD (self), FALSE);
  g_return_val_if_fail (station != NULL, FALSE);

  if (!kiln_line_record_transaction (self, retire, &r, error))
    return FALSE;
  if (consumed != NULL)
    *consumed = r.count;
  return TRUE;
}

void
kiln_line_serials_consumed (GPtrArray  *rows,
                            GPtrArray **times,
                            GPtrArray **causes)
{
  *times = g_ptr_array_new_with_free_func (g_free);
  *causes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);

      if (row[KILN_LINE_SERIAL_RECORD_ID] == NULL && row[KILN_LINE_SERIAL_CONSUMED] != NULL)
        {
          g_ptr_array_add (*times, g_strdup (row[KILN_LINE_SERIAL_CONSUMED]));
          g_ptr_array_add (*causes, g_strdup (row[KILN_LINE_SERIAL_CONSUMED_CAUSE]));
        }
    }
}
