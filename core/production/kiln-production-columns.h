/* kiln-production-columns.h — the columns a board's entry is kept in, in one
 * place for the station's SQLite record, the line's PostgreSQL record and
 * their exports: the names, in table order after id, and the entry's value
 * in each
 *
 * Columns 0 to 18 are text (the result among them, "PASS" or "FAIL"), 19 to
 * 27 seconds (the phases in KilnFlashPhase order, then total_s), 28 and 29
 * the hashes. The text an entry's hash covers (kiln-production-chain.h) is
 * built in this order, so the order never changes: a new column goes after
 * the others of its kind, in a new record format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-production-record.h"

G_BEGIN_DECLS

#define KILN_PRODUCTION_TEXT_COLUMNS     19  /* time … cause_group */
#define KILN_PRODUCTION_TEXT_COLUMNS_V2  13  /* those of record format 2 (up to cause) */
#define KILN_PRODUCTION_FIRST_SECONDS    19  /* connect_s; total_s is the last of the seconds */
#define KILN_PRODUCTION_PREV_HASH        28
#define KILN_PRODUCTION_HASH             29
#define KILN_PRODUCTION_COLUMNS          30

const char *kiln_production_column_name       (guint                      column);
/* Whether @column holds seconds (a number); the others hold text. */
gboolean    kiln_production_column_is_seconds (guint                      column);
/* The names of columns [@first, @end), joined by @separator. */
char       *kiln_production_columns_join      (guint                      first,
                                               guint                      end,
                                               const char                *separator);

/* A text column's value (NULL when the entry has none). */
const char *kiln_production_entry_get_text    (const KilnProductionEntry *entry,
                                               guint                      column);
/* Sets a text column's value to a copy of @value (the result column sets
 * entry->pass: "PASS" or not). */
void        kiln_production_entry_set_text    (KilnProductionEntry       *entry,
                                               guint                      column,
                                               const char                *value);
double      kiln_production_entry_get_seconds (const KilnProductionEntry *entry,
                                               guint                      column);
void        kiln_production_entry_set_seconds (KilnProductionEntry       *entry,
                                               guint                      column,
                                               double                     seconds);

G_END_DECLS
