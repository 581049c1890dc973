/* kiln-line-view-private.h — the Line view: a record's figures at a glance
 * (a station's own record or the line's), over the last shift, the day, the
 * whole record or a chosen range, with charts and an export of the range
 *
 * The record is read and the figures computed in a GTask thread: the window
 * never waits for the database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-line-record.h"
#include "kiln-production-stats.h"

G_BEGIN_DECLS

#define KILN_TYPE_LINE_VIEW (kiln_line_view_get_type ())

G_DECLARE_FINAL_TYPE (KilnLineView, kiln_line_view, KILN, LINE_VIEW, AdwWindow)

typedef enum
{
  KILN_LINE_RANGE_SHIFT,
  KILN_LINE_RANGE_DAY,
  KILN_LINE_RANGE_ALL,
  KILN_LINE_RANGE_CUSTOM,
} KilnLineRange;

/* Over the line's record when @line is given, else over the station's
 * record at @record_path. */
KilnLineView *kiln_line_view_new          (GtkWindow      *parent,
                                           const char     *record_path,
                                           KilnLineRecord *line);
/* Reads the record again (a station does when it has recorded a board). */
void          kiln_line_view_refresh      (KilnLineView   *self);
/* The figures shown (NULL before the first query has answered). */
const KilnProductionStats *kiln_line_view_get_stats (KilnLineView *self);
/* Queries answered since the view opened (tests wait for the next). */
guint         kiln_line_view_get_n_updates (KilnLineView  *self);
KilnLineRange kiln_line_view_get_range    (KilnLineView   *self);
/* Where the export's file chooser opens (default: the record's folder). */
void          kiln_line_view_set_export_folder (KilnLineView *self,
                                                GFile        *folder);
/* "Now" for the shift and day ranges (0: the clock), for tests. */
void          kiln_line_view_set_now      (KilnLineView   *self,
                                           gint64          now);

G_END_DECLS
