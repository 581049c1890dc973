/* kiln-line-record-private.h — what kiln-line-record.c shares with
 * kiln-line-consumed.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libpq-fe.h>

#include "kiln-line-record.h"

G_BEGIN_DECLS

/* Runs @sql with text parameters; NULL with @error on failure (a lost
 * connection as KILN_PRODUCTION_ERROR_LINE_UNREACHABLE). */
PGresult *kiln_line_record_run         (KilnLineRecord     *self,
                                        const char         *sql,
                                        int                 n,
                                        const char *const  *values,
                                        GError            **error);

typedef gboolean (*KilnLineTransaction) (KilnLineRecord *self,
                                         gpointer        data,
                                         GError        **error);

/* Runs @body in a transaction, again while the database cannot be reached
 * (a restart) for a few seconds; @body must be idempotent. */
gboolean  kiln_line_record_transaction (KilnLineRecord     *self,
                                        KilnLineTransaction body,
                                        gpointer            data,
                                        GError            **error);

/* Why a number given by a station that stopped before its board's result
 * was recorded is consumed. */
const char *kiln_line_stopped_cause    (void);

/* Marks the numbers @station gave to boards whose result never reached the
 * line as consumed, for @cause (@probe_serial: only that slot's, for boards
 * other than @uid; NULL: all of the station's); adds how many to *@count. */
gboolean  kiln_line_mark_consumed      (KilnLineRecord     *self,
                                        const char         *station,
                                        const char         *probe_serial,
                                        const char         *uid,
                                        const char         *cause,
                                        guint              *count,
                                        GError            **error);

/* In a transaction: the numbers of every station other than @station that
 * is not running (no session holds its name) and gave boards numbers whose
 * result never reached the line are recorded as consumed (added to
 * *@count): a station killed and never started again. Each such name is
 * held by the transaction while it is swept, so the station cannot start
 * meanwhile; two stations sweeping at once take each name in turn, and a
 * number already marked is left alone, so none counts twice. */
gboolean  kiln_line_sweep              (KilnLineRecord     *self,
                                        const char         *station,
                                        guint              *count,
                                        GError            **error);

G_END_DECLS
