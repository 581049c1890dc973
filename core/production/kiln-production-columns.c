/* kiln-production-columns.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-production-columns.h"

#define RESULT_COLUMN 11

static const char *const names[KILN_PRODUCTION_COLUMNS] = {
  /* Text: format 2's, then those format 3 (line schema 2) added. */
  "time", "station", "profile", "probe_serial", "chip_uid", "chip", "revision",
  "file_name", "file_sha256", "serial_number", "option_bytes", "result", "cause",
  "slot", "operator", "profile_key", "profile_sha256", "cause_code", "cause_group",
  /* Seconds, in KilnFlashPhase order, then the whole job. */
  "connect_s", "preflight_s", "compare_s", "erase_s", "program_s", "verify_s", "reset_s", "option_bytes_s",
  "total_s",
  "prev_hash", "hash",
};

/* The phase of each seconds column but total_s. */
static const KilnFlashPhase phases[] = {
  KILN_FLASH_PHASE_CONNECT, KILN_FLASH_PHASE_PREFLIGHT, KILN_FLASH_PHASE_COMPARE, KILN_FLASH_PHASE_ERASE,
  KILN_FLASH_PHASE_PROGRAM, KILN_FLASH_PHASE_VERIFY, KILN_FLASH_PHASE_RESET, KILN_FLASH_PHASE_OPTION_BYTES,
};

G_STATIC_ASSERT (KILN_PRODUCTION_FIRST_SECONDS + G_N_ELEMENTS (phases) + 1 == KILN_PRODUCTION_PREV_HASH);

const char *
kiln_production_column_name (guint column)
{
  g_return_val_if_fail (column < KILN_PRODUCTION_COLUMNS, NULL);

  return names[column];
}

gboolean
kiln_production_column_is_seconds (guint column)
{
  return column >= KILN_PRODUCTION_FIRST_SECONDS && column < KILN_PRODUCTION_PREV_HASH;
}

char *
kiln_production_columns_join (guint       first,
                              guint       end,
                              const char *separator)
{
  GString *out = g_string_new (NULL);

  for (guint i = first; i < end && i < KILN_PRODUCTION_COLUMNS; i++)
    g_string_append_printf (out, "%s%s", i > first ? separator : "", names[i]);
  return g_string_free (out, FALSE);
}

/* The field of a text column; NULL for the result (entry->pass). */
static char **
text_field (KilnProductionEntry *entry,
            guint                column)
{
  char **fields[] = {
    &entry->time, &entry->station, &entry->profile, &entry->probe_serial, &entry->chip_uid,
    &entry->chip, &entry->revision, &entry->file_name, &entry->file_sha256, &entry->serial_number,
    &entry->option_bytes, NULL, &entry->cause, &entry->slot, &entry->operator_name, &entry->profile_key,
    &entry->profile_sha256, &entry->cause_code, &entry->cause_group,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (fields) == KILN_PRODUCTION_TEXT_COLUMNS);
  if (column == KILN_PRODUCTION_PREV_HASH)
    return &entry->prev_hash;
  if (column == KILN_PRODUCTION_HASH)
    return &entry->hash;
  g_return_val_if_fail (column < KILN_PRODUCTION_TEXT_COLUMNS, NULL);
  return fields[column];
}

const char *
kiln_production_entry_get_text (const KilnProductionEntry *entry,
                                guint                      column)
{
  char **field = text_field ((KilnProductionEntry *) entry, column);

  if (column == RESULT_COLUMN)
    return entry->pass ? "PASS" : "FAIL";
  return field ? *field : NULL;
}

void
kiln_production_entry_set_text (KilnProductionEntry *entry,
                                guint                column,
                                const char          *value)
{
  char **field = text_field (entry, column);

  if (column == RESULT_COLUMN)
    entry->pass = g_strcmp0 (value, "PASS") == 0;
  else if (field != NULL)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

double
kiln_production_entry_get_seconds (const KilnProductionEntry *entry,
                                   guint                      column)
{
  g_return_val_if_fail (kiln_production_column_is_seconds (column), 0);

  if (column == KILN_PRODUCTION_PREV_HASH - 1)
    return entry->total_seconds;
  return entry->phase_seconds[phases[column - KILN_PRODUCTION_FIRST_SECONDS]];
}

void
kiln_production_entry_set_seconds (KilnProductionEntry *entry,
                                   guint                column,
                                   double               seconds)
{
  g_return_if_fail (kiln_production_column_is_seconds (column));

  if (column == KILN_PRODUCTION_PREV_HASH - 1)
    entry->total_seconds = seconds;
  else
    entry->phase_seconds[phases[column - KILN_PRODUCTION_FIRST_SECONDS]] = seconds;
}
