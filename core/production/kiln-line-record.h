/* kiln-line-record.h — the line's record in PostgreSQL: every board of every
 * station, and serial numbers unique across the line
 *
 * A station given a line (a libpq connection string or URI) allocates each
 * board's serial number there in one transaction before programming, and
 * appends each board's entry there as well as to its local record. The
 * schema is created and upgraded by Kiln (kiln_line_schema, versioned
 * migrations, one station at a time under an advisory lock). A lost
 * connection is re-established for each operation; when the database cannot
 * be reached the operation fails with KILN_PRODUCTION_ERROR_LINE_UNREACHABLE
 * and the station refuses to start the board. Every operation is idempotent
 * when retried after a connection lost at commit: an allocation finds the
 * chip's number, an entry its (station, time, chip) key. Thread-safe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-production-profile.h"
#include "kiln-production-record.h"

G_BEGIN_DECLS

#define KILN_TYPE_LINE_RECORD (kiln_line_record_get_type ())

G_DECLARE_FINAL_TYPE (KilnLineRecord, kiln_line_record, KILN, LINE_RECORD, GObject)

/* Connects and brings the schema up to date. */
KilnLineRecord *kiln_line_record_open       (const char        *conninfo,
                                             GError           **error);
/* Whether a connection string or URI carries a password: Kiln keeps none
 * in its settings (libpq reads ~/.pgpass or PGPASSFILE by itself). */
gboolean        kiln_line_conninfo_has_password (const char *conninfo);
/* The connection string without its password, for messages. */
const char     *kiln_line_record_get_name   (KilnLineRecord    *self);

/* Holds @station's name on the line for as long as this connection lives
 * (again after each reconnection), so that two processes never run as one
 * station: waits a while for a stopped one's session to close, then fails
 * with KILN_PRODUCTION_ERROR_STATION_TAKEN. Then the numbers the station
 * gave earlier to boards whose result never reached the line (it stopped
 * first) are recorded as consumed (*@consumed of them): no other board gets
 * them, and a board that comes back still keeps its own, its record then
 * completing the number. While the name is held, each allocation does the
 * same for the slot's boards before it whose result the line did not take.
 * Then the same is done for every other station that no session holds
 * (*@swept numbers): one killed and never started again. A board that comes
 * back keeps its number there too. */
gboolean        kiln_line_record_claim_station (KilnLineRecord *self,
                                                const char     *station,
                                                guint          *consumed,
                                                guint          *swept,
                                                GError        **error);

/* What a station's start does for it, done by an engineer for a station
 * that will not start again: its numbers given to boards whose result never
 * reached the line are recorded as consumed (*@consumed of them). Fails
 * with KILN_PRODUCTION_ERROR_STATION_TAKEN while the station runs (a
 * session holds its name). */
gboolean        kiln_line_record_retire_station (KilnLineRecord *self,
                                                 const char     *station,
                                                 guint          *consumed,
                                                 GError        **error);

/* Lets go of the station's name (closing the connection: a later
 * operation connects again, as no station). May block: not on the main
 * thread. */
void            kiln_line_record_release_station (KilnLineRecord *self);

/* The chip @uid's number in @series: the one it has, or the next one
 * (@list: a list's values in order, for source = list). Sets *@id (the
 * line's row), *@value, *@number and *@reused. */
gboolean        kiln_line_record_allocate   (KilnLineRecord           *self,
                                             const KilnSerialSettings *settings,
                                             const char               *series,
                                             GPtrArray                *list,
                                             const char               *uid,
                                             const char               *station,
                                             const char               *probe_serial,
                                             gint64                   *id,
                                             char                    **value,
                                             guint64                  *number,
                                             gboolean                 *reused,
                                             GError                  **error);

/* Appends @entry, chained after the station's last entry in the line (the
 * entry's own prev_hash and hash, the local record's, are left alone), and
 * marks @series/@serial_value used by it. */
gboolean        kiln_line_record_append     (KilnLineRecord             *self,
                                             const KilnProductionEntry  *entry,
                                             const char                 *series,
                                             GError                    **error);

/* Every entry, oldest first (with the line's hashes). */
GPtrArray      *kiln_line_record_list       (KilnLineRecord             *self,
                                             GError                    **error);

/* The serial numbers, oldest first: rows of KILN_LINE_SERIAL_COLUMNS
 * strings, named by kiln_line_serial_columns (series, number, value,
 * chip_uid, station, probe_serial, allocated, record_id, result, consumed
 * (when it was marked), consumed_cause; NULL for SQL NULL). A number is on
 * a board when record_id is set, consumed without one when consumed is. */
#define KILN_LINE_SERIAL_COLUMNS 11
#define KILN_LINE_SERIAL_RECORD_ID 7
#define KILN_LINE_SERIAL_CONSUMED 9
#define KILN_LINE_SERIAL_CONSUMED_CAUSE 10
extern const char *const kiln_line_serial_columns[KILN_LINE_SERIAL_COLUMNS + 1];
GPtrArray      *kiln_line_record_list_serials (KilnLineRecord           *self,
                                               GError                  **error);
/* Of @rows (kiln_line_record_list_serials), the numbers consumed without a
 * board's result: when each was marked (*@times) and why (*@causes), new
 * arrays of strings in the same order. */
void            kiln_line_serials_consumed (GPtrArray  *rows,
                                            GPtrArray **times,
                                            GPtrArray **causes);

G_END_DECLS
