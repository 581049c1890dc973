/* kiln-production-line-private.h — the production window's line database:
 * the connection in the settings (line-database), opened off the main
 * thread for the station's record, again whenever the setting changes. The
 * station holds its name (the host name) on the line through the line it
 * last gave the record, and lets go of it, off the main thread, before it
 * opens another or when it goes (a Line view may keep the old line open).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-production-record.h"

G_BEGIN_DECLS

typedef struct _KilnProductionLine KilnProductionLine;

/* @changed is called each time the problem changes. */
KilnProductionLine *kiln_production_line_new         (GCallback             changed,
                                                      gpointer              data);
void                kiln_production_line_free        (KilnProductionLine   *self);
/* Gives @record the line database of the settings (none: its own record
 * only), connecting in a thread. */
void                kiln_production_line_attach      (KilnProductionLine   *self,
                                                      KilnProductionRecord *record);
/* Once lost (not while connecting), tries the database again. */
void                kiln_production_line_retry       (KilnProductionLine   *self);
/* Why no board may start: connecting, or one line saying the database
 * cannot be reached and what to do; NULL when the line is there or none
 * is set. */
const char         *kiln_production_line_get_problem (KilnProductionLine   *self);

G_END_DECLS
