/* kiln-production-record.h — the record of every board a station programs
 *
 * One SQLite database per station (WAL, synchronous=FULL: a committed entry
 * survives a crash or a power cut). Every job appends one entry; entries are
 * never changed, and each carries the hash of the one before it at its
 * station, so that a deleted or edited entry is found (kiln-production-chain.h).
 * The serial numbers allocated to boards live in the same
 * database (see kiln-serial-allocator.h). Thread-safe: several slots append
 * from their own worker threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-production-error.h"
#include "kiln-progress.h"

G_BEGIN_DECLS

typedef struct
{
  gint64   id;               /* set by append */
  char    *time;             /* ISO 8601 UTC; append fills it in when NULL */
  char    *station;
  char    *profile;
  char    *probe_serial;
  char    *chip_uid;
  char    *chip;
  char    *revision;
  char    *file_name;
  char    *file_sha256;
  char    *serial_number;
  char    *option_bytes;     /* "rdp=0 wrp=none optcr=0x… optcr1=0x…" */
  double   phase_seconds[KILN_FLASH_N_PHASES];  /* by KilnFlashPhase */
  double   total_seconds;
  gboolean pass;
  char    *cause;            /* the engine's plain-language cause of a FAIL */
  /* Added by record format 3 / line schema 2 (NULL in older entries; the
   * hash covers each one that is set). */
  char    *slot;             /* the station's slot ("1", "2", …) */
  char    *operator_name;    /* who ran the station, if given */
  char    *profile_key;      /* the key id that signed the profile */
  char    *profile_sha256;   /* SHA-256 of the profile file as signed */
  char    *cause_code;       /* Kiln's diagnosis of a FAIL (kiln-production-diagnosis.h) */
  char    *cause_group;
  char    *prev_hash;        /* the hash of the station's entry before it ("" for its first); set by append */
  char    *hash;             /* SHA-256 of prev_hash and every field above but id (kiln-production-chain.h) */
} KilnProductionEntry;

KilnProductionEntry *kiln_production_entry_new  (void);
void                 kiln_production_entry_free (KilnProductionEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnProductionEntry, kiln_production_entry_free)

typedef enum
{
  KILN_PRODUCTION_EXPORT_CSV,
  KILN_PRODUCTION_EXPORT_JSONL,
} KilnProductionExportFormat;

#define KILN_TYPE_PRODUCTION_RECORD (kiln_production_record_get_type ())

G_DECLARE_FINAL_TYPE (KilnProductionRecord, kiln_production_record, KILN, PRODUCTION_RECORD, GObject)

typedef struct _KilnLineRecord KilnLineRecord;

/* Opens (creating when needed) the station's database. */
KilnProductionRecord *kiln_production_record_open    (const char                 *path,
                                                      GError                    **error);
const char           *kiln_production_record_get_path (KilnProductionRecord      *self);
/* A line record (kiln-line-record.h) every entry is appended to first, and
 * serial numbers are allocated from; NULL: this station alone. An entry the
 * line could not take is recorded here as a FAIL saying so. */
void                  kiln_production_record_set_line (KilnProductionRecord      *self,
                                                       KilnLineRecord            *line);
KilnLineRecord       *kiln_production_record_get_line (KilnProductionRecord      *self);
/* Appends @entry in one transaction (and, with @serial_id > 0, marks that
 * serial number as used by it). Sets entry->id. */
gboolean              kiln_production_record_append  (KilnProductionRecord       *self,
                                                      KilnProductionEntry        *entry,
                                                      gint64                      serial_id,
                                                      GError                    **error);
/* Every entry, oldest first. */
GPtrArray            *kiln_production_record_list    (KilnProductionRecord       *self,
                                                      GError                    **error);
gboolean              kiln_production_record_export  (KilnProductionRecord       *self,
                                                      KilnProductionExportFormat  format,
                                                      GOutputStream              *out,
                                                      GError                    **error);
/* @entries (KilnProductionEntry, from a local or a line record) as CSV or JSON lines. */
gboolean              kiln_production_entries_export (GPtrArray                  *entries,
                                                      KilnProductionExportFormat  format,
                                                      GOutputStream              *out,
                                                      GError                    **error);
/* The serial numbers allocated, one row or object each: series, number,
 * value, chip_uid, station, probe_serial, allocated (time), record_id and
 * result (both empty for a number whose job never ended: a crash or a power
 * cut in the middle of that board). */
gboolean              kiln_production_record_export_serials (KilnProductionRecord       *self,
                                                             KilnProductionExportFormat  format,
                                                             GOutputStream              *out,
                                                             GError                    **error);
/* @rows (arrays of strings, NULL for none) under the NULL-terminated
 * @columns as CSV or JSON lines ("number" and "record_id" as JSON numbers):
 * the serial numbers of a station's record or of the line's. */
gboolean              kiln_production_serials_export (const char *const          *columns,
                                                      GPtrArray                  *rows,
                                                      KilnProductionExportFormat  format,
                                                      GOutputStream              *out,
                                                      GError                    **error);
/* One entry as a JSON object (one line, no newline): the JSON lines export. */
char                 *kiln_production_entry_to_json  (const KilnProductionEntry  *entry);
/* The entry's fields that its hash covers (all but id and the hashes), as one line. */
char                 *kiln_production_entry_canonical (const KilnProductionEntry *entry);

G_END_DECLS
