/* kiln-production-record-private.h — the database under the record, for the
 * serial allocator that keeps its numbers in it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "kiln-production-record.h"

G_BEGIN_DECLS

/* The connection and the lock every use of it must hold. */
sqlite3  *kiln_production_record_get_db   (KilnProductionRecord *self);
GMutex   *kiln_production_record_get_lock (KilnProductionRecord *self);
/* Sets a KILN_PRODUCTION_ERROR_DATABASE error naming what failed. */
gboolean  kiln_production_record_fail     (KilnProductionRecord *self,
                                           const char           *what,
                                           GError              **error);
/* Runs @sql (no results); FALSE with the error on failure. */
gboolean  kiln_production_record_exec     (KilnProductionRecord *self,
                                           const char           *sql,
                                           GError              **error);
char     *kiln_production_now_iso8601     (void);

G_END_DECLS
