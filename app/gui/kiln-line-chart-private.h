/* kiln-line-chart-private.h — the Line view's charts, drawn with cairo:
 * attempts per hour as stacked PASS/FAIL bars, or counts ranked as
 * horizontal bars (causes; failures out of attempts per station, slot or
 * probe)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kiln-production-stats.h"

G_BEGIN_DECLS

#define KILN_TYPE_LINE_CHART (kiln_line_chart_get_type ())

G_DECLARE_FINAL_TYPE (KilnLineChart, kiln_line_chart, KILN, LINE_CHART, GtkWidget)

/* A name for a count's key (a cause group's label, a slot's name…). */
typedef char *(*KilnLineChartLabelFunc) (const char *key);

GtkWidget *kiln_line_chart_new_hours  (void);
/* @of_attempts: each bar is the attempts, its failures drawn in red. */
GtkWidget *kiln_line_chart_new_ranked (KilnLineChartLabelFunc  label,
                                       gboolean                of_attempts);
/* Takes copies; NULL clears. */
void       kiln_line_chart_set_hours  (KilnLineChart          *self,
                                       GArray                 *hours);
void       kiln_line_chart_set_counts (KilnLineChart          *self,
                                       GPtrArray              *counts);
/* What is drawn, for tests: bars and the largest value. */
guint      kiln_line_chart_get_n_bars (KilnLineChart          *self);
guint      kiln_line_chart_get_max    (KilnLineChart          *self);

G_END_DECLS
