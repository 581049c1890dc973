/* kiln-production-record.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>

#include "kiln-flash-json.h"
#include "kiln-line-record.h"
#include "kiln-production-chain.h"
#include "kiln-production-columns.h"
#include "kiln-production-record-private.h"

#define SCHEMA_VERSION 3

/* Format 3: who, where and why (a separate step: older records keep working). */
static const char migration_3[] =
  "ALTER TABLE records ADD COLUMN slot TEXT;"
  "ALTER TABLE records ADD COLUMN operator TEXT;"
  "ALTER TABLE records ADD COLUMN profile_key TEXT;"
  "ALTER TABLE records ADD COLUMN profile_sha256 TEXT;"
  "ALTER TABLE records ADD COLUMN cause_code TEXT;"
  "ALTER TABLE records ADD COLUMN cause_group TEXT;";

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS records ("
  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
  " time TEXT NOT NULL, station TEXT, profile TEXT, probe_serial TEXT, chip_uid TEXT, chip TEXT,"
  " revision TEXT, file_name TEXT, file_sha256 TEXT, serial_number TEXT, option_bytes TEXT,"
  " result TEXT NOT NULL CHECK (result IN ('PASS', 'FAIL')), cause TEXT,"
  " connect_s REAL, preflight_s REAL, compare_s REAL, erase_s REAL, program_s REAL, verify_s REAL,"
  " reset_s REAL, option_bytes_s REAL, total_s REAL, prev_hash TEXT, hash TEXT);"
  "CREATE TABLE IF NOT EXISTS serials ("
  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
  " series TEXT NOT NULL, number INTEGER, value TEXT NOT NULL, chip_uid TEXT NOT NULL,"
  " station TEXT, probe_serial TEXT, allocated TEXT NOT NULL,"
  " record_id INTEGER REFERENCES records (id), result TEXT,"
  " UNIQUE (series, value), UNIQUE (series, chip_uid));"
  "CREATE INDEX IF NOT EXISTS serials_number ON serials (series, number);";

struct _KilnProductionRecord
{
  GObject  parent_instance;

  char    *path;
  sqlite3 *db;
  GMutex   lock;
  KilnLineRecord *line;
};

G_DEFINE_FINAL_TYPE (KilnProductionRecord, kiln_production_record, G_TYPE_OBJECT)

static void
kiln_production_record_finalize (GObject *object)
{
  KilnProductionRecord *self = (KilnProductionRecord *) object;

  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);
  g_clear_object (&self->line);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (kiln_production_record_parent_class)->finalize (object);
}

static void
kiln_production_record_class_init (KilnProductionRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_production_record_finalize;
}

static void
kiln_production_record_init (KilnProductionRecord *self)
{
  g_mutex_init (&self->lock);
}

KilnProductionEntry *
kiln_production_entry_new (void)
{
  return g_new0 (KilnProductionEntry, 1);
}

void
kiln_production_entry_free (KilnProductionEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->time);
  g_free (entry->station);
  g_free (entry->profile);
  g_free (entry->probe_serial);
  g_free (entry->chip_uid);
  g_free (entry->chip);
  g_free (entry->revision);
  g_free (entry->file_name);
  g_free (entry->file_sha256);
  g_free (entry->serial_number);
  g_free (entry->option_bytes);
  g_free (entry->cause);
  g_free (entry->slot);
  g_free (entry->operator_name);
  g_free (entry->profile_key);
  g_free (entry->profile_sha256);
  g_free (entry->cause_code);
  g_free (entry->cause_group);
  g_free (entry->prev_hash);
  g_free (entry->hash);
  g_free (entry);
}

char *
kiln_production_now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

sqlite3 *
kiln_production_record_get_db (KilnProductionRecord *self)
{
  return self->db;
}

GMutex *
kiln_production_record_get_lock (KilnProductionRecord *self)
{
  return &self->lock;
}

const char *
kiln_production_record_get_path (KilnProductionRecord *self)
{
  return self->path;
}

void
kiln_production_record_set_line (KilnProductionRecord *self,
                                 KilnLineRecord       *line)
{
  g_set_object (&self->line, line);
}

KilnLineRecord *
kiln_production_record_get_line (KilnProductionRecord *self)
{
  return self->line;
}

/* The series of the serial number @serial_id, or NULL. */
static char *
series_of (KilnProductionRecord *self,
           gint64                serial_id)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = NULL;
  char *series = NULL;

  if (serial_id <= 0 || sqlite3_prepare_v2 (self->db, "SELECT series FROM serials WHERE id = ?", -1, &stmt, NULL)
                        != SQLITE_OK)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, serial_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    series = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return series;
}

/* The line takes the entry first: a board is PASS only once the line has it. */
static void
append_to_line (KilnProductionRecord *self,
                KilnProductionEntry  *entry,
                gint64                serial_id)
{
  g_autofree char *series = series_of (self, serial_id);
  g_autoptr(GError) error = NULL;

  if (kiln_line_record_append (self->line, entry, series, &error))
    return;
  /* A FAIL keeps its own cause (refused before anything was programmed,
   * when the database was already gone); the local record has it. */
  if (!entry->pass)
    return;
  entry->pass = FALSE;
  g_free (entry->cause);
  entry->cause = g_strdup_printf (_("The board was programmed but the line database did not take its record, so "
                                    "it is not counted as PASS: set it aside for an engineer. (%s)"),
                                  error->message);
  /* The local record keeps it; the board, retried, gets a new entry in the line. */
}

gboolean
kiln_production_record_fail (KilnProductionRecord  *self,
                             const char            *what,
                             GError               **error)
{
  int code = sqlite3_errcode (self->db);

  g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_DATABASE,
               (code == SQLITE_FULL) ? _("The record database %s is full (%s: %s): free disk space; the board's "
                                         "record was not written")
               : (code == SQLITE_BUSY || code == SQLITE_LOCKED)
                 ? _("The record database %s is busy (%s: %s): another program holds it; close it and retry")
                 : _("The record database %s failed (%s: %s): check the disk and the file's permissions"),
               self->path, what, sqlite3_errmsg (self->db));
  return FALSE;
}

gboolean
kiln_production_record_exec (KilnProductionRecord  *self,
                             const char            *sql,
                             GError               **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return kiln_production_record_fail (self, sql, error);
  return TRUE;
}

static GPtrArray *list_locked (KilnProductionRecord *self,
                               GError              **error);

/* Format 1 had no hashes: chain the entries as they are when upgrading. */
static gboolean
migrate_chain (KilnProductionRecord *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_exec (self->db, "ALTER TABLE records ADD COLUMN prev_hash TEXT; ALTER TABLE records ADD COLUMN hash TEXT",
                    NULL, NULL, NULL) != SQLITE_OK
      || (entries = list_locked (self, NULL)) == NULL
      || sqlite3_prepare_v2 (self->db, "UPDATE records SET prev_hash = ?, hash = ? WHERE id = ?", -1, &stmt, NULL)
         != SQLITE_OK)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      KilnProductionEntry *e = g_ptr_array_index (entries, i);
      const char *station = e->station ? e->station : "";
      const char *prev = g_hash_table_lookup (last, station);

      e->prev_hash = g_strdup (prev ? prev : "");
      e->hash = kiln_production_chain_hash (e->prev_hash, e);
      g_hash_table_insert (last, g_strdup (station), g_strdup (e->hash));
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, e->prev_hash, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, e->hash, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, e->id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

KilnProductionRecord *
kiln_production_record_open (const char  *path,
                             GError     **error)
{
  g_autoptr(KilnProductionRecord) self = g_object_new (KILN_TYPE_PRODUCTION_RECORD, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  sqlite3_stmt *stmt = NULL;
  int version = 0;

  self->path = g_strdup (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_DATABASE,
                   _("Cannot create the folder %s for the record database: %s"), dir, g_strerror (errno));
      return NULL;
    }
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL)
      != SQLITE_OK)
    {
      kiln_production_record_fail (self, "open", error);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 10000);
  sqlite3_extended_result_codes (self->db, 0);

  /* WAL and a sync of the log at every commit: a committed entry survives a
   * crash and a power cut. Switching a new file to WAL needs an exclusive
   * lock that SQLite does not wait for through the busy handler, so two
   * station processes opening the same new record at once would refuse
   * each other: retry for as long as the busy timeout. */
  for (gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;;)
    {
      g_autoptr(GError) busy = NULL;

      if (kiln_production_record_exec (self, "PRAGMA journal_mode = WAL", &busy))
        break;
      if ((sqlite3_errcode (self->db) != SQLITE_BUSY && sqlite3_errcode (self->db) != SQLITE_LOCKED)
          || g_get_monotonic_time () > give_up)
        {
          g_propagate_error (error, g_steal_pointer (&busy));
          return NULL;
        }
      g_usleep (10 * 1000);
    }
  if (!kiln_production_record_exec (self, "PRAGMA synchronous = FULL", error))
    return NULL;

  /* The format is read inside the transaction that upgrades it: two
   * stations opening one record at once upgrade it once. */
  if (!kiln_production_record_exec (self, "BEGIN IMMEDIATE", error))
    return NULL;
  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (version > SCHEMA_VERSION)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_DATABASE,
                   _("The record database %s was written by a newer Kiln (format %d): update Kiln on this station"),
                   path, version);
      return NULL;
    }
  if (sqlite3_exec (self->db, schema, NULL, NULL, NULL) != SQLITE_OK
      || (version < 3 && sqlite3_exec (self->db, migration_3, NULL, NULL, NULL) != SQLITE_OK)
      || (version == 1 && !migrate_chain (self))
      || sqlite3_exec (self->db, "PRAGMA user_version = 3", NULL, NULL, NULL) != SQLITE_OK)
    {
      kiln_production_record_fail (self, "schema", error);
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  if (!kiln_production_record_exec (self, "COMMIT", error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
kiln_production_record_append (KilnProductionRecord  *self,
                               KilnProductionEntry   *entry,
                               gint64                 serial_id,
                               GError               **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GString) sql = g_string_new ("INSERT INTO records (");
  g_autofree char *columns = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KILN_IS_PRODUCTION_RECORD (self), FALSE);

  if (entry->time == NULL)
    entry->time = kiln_production_now_iso8601 ();
  if (self->line != NULL)
    {
      g_clear_pointer (&locker, g_mutex_locker_free);
      append_to_line (self, entry, serial_id);
      locker = g_mutex_locker_new (&self->lock);
    }

  columns = kiln_production_columns_join (0, KILN_PRODUCTION_COLUMNS, ", ");
  g_string_append_printf (sql, "%s) VALUES (", columns);
  for (guint i = 0; i < KILN_PRODUCTION_COLUMNS; i++)
    g_string_append_printf (sql, "%s?", i ? ", " : "");
  g_string_append (sql, ")");

  if (!kiln_production_record_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* The link to the station's entry before it, read in the same transaction. */
  if (sqlite3_prepare_v2 (self->db, "SELECT hash FROM records WHERE station IS ? ORDER BY id DESC LIMIT 1", -1, &stmt,
                          NULL) != SQLITE_OK)
    goto fail;
  sqlite3_bind_text (stmt, 1, entry->station, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    goto fail;
  g_free (entry->prev_hash);
  entry->prev_hash = g_strdup (rc == SQLITE_ROW && sqlite3_column_text (stmt, 0)
                               ? (const char *) sqlite3_column_text (stmt, 0) : "");
  sqlite3_finalize (stmt);
  stmt = NULL;
  g_free (entry->hash);
  entry->hash = kiln_production_chain_hash (entry->prev_hash, entry);

  if (sqlite3_prepare_v2 (self->db, sql->str, -1, &stmt, NULL) != SQLITE_OK)
    goto fail;
  for (guint i = 0; i < KILN_PRODUCTION_COLUMNS; i++)
    if (kiln_production_column_is_seconds (i))
      sqlite3_bind_double (stmt, (int) i + 1, kiln_production_entry_get_seconds (entry, i));
    else
      sqlite3_bind_text (stmt, (int) i + 1, kiln_production_entry_get_text (entry, i), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc != SQLITE_DONE)
    goto fail;
  entry->id = sqlite3_last_insert_rowid (self->db);

  if (serial_id > 0)
    {
      if (sqlite3_prepare_v2 (self->db, "UPDATE serials SET record_id = ?, result = ? WHERE id = ?", -1, &stmt, NULL)
          != SQLITE_OK)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, entry->id);
      sqlite3_bind_text (stmt, 2, entry->pass ? "PASS" : "FAIL", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, serial_id);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      stmt = NULL;
      if (rc != SQLITE_DONE)
        goto fail;
    }

  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    goto fail;
  return TRUE;

fail:
  kiln_production_record_fail (self, "append", error);
  sqlite3_finalize (stmt);
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

GPtrArray *
kiln_production_record_list (KilnProductionRecord  *self,
                             GError               **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return list_locked (self, error);
}

static GPtrArray *
list_locked (KilnProductionRecord  *self,
             GError               **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_production_entry_free);
  g_autofree char *columns = kiln_production_columns_join (0, KILN_PRODUCTION_COLUMNS, ", ");
  g_autofree char *sql = g_strdup_printf ("SELECT id, %s FROM records ORDER BY id", columns);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      kiln_production_record_fail (self, "list", error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KilnProductionEntry *entry = kiln_production_entry_new ();

      entry->id = sqlite3_column_int64 (stmt, 0);
      for (guint i = 0; i < KILN_PRODUCTION_COLUMNS; i++)
        if (kiln_production_column_is_seconds (i))
          kiln_production_entry_set_seconds (entry, i, sqlite3_column_double (stmt, (int) i + 1));
        else
          kiln_production_entry_set_text (entry, i, (const char *) sqlite3_column_text (stmt, (int) i + 1));
      g_ptr_array_add (entries, entry);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kiln_production_record_fail (self, "list", error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

/* Seconds in the CSV export: six decimals, whatever the locale. */
static void
append_number (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6f", value));
}

static char *
entry_json (const KilnProductionEntry *entry,
            gboolean                   chain)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (chain)
    {
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, entry->id);
    }
  /* Without the chain (the text its hash covers), no hashes, and the
   * columns format 3 added only when set: older entries keep their hashes. */
  for (guint i = 0; i < (chain ? KILN_PRODUCTION_COLUMNS : KILN_PRODUCTION_PREV_HASH); i++)
    {
      const char *value = NULL;

      if (kiln_production_column_is_seconds (i))
        {
          json_builder_set_member_name (b, kiln_production_column_name (i));
          kiln_json_builder_add_fixed (b, kiln_production_entry_get_seconds (entry, i), 6);
          continue;
        }
      value = kiln_production_entry_get_text (entry, i);
      if (!chain && i >= KILN_PRODUCTION_TEXT_COLUMNS_V2 && value == NULL)
        continue;
      json_builder_set_member_name (b, kiln_production_column_name (i));
      if (value != NULL)
        json_builder_add_string_value (b, value);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
  return kiln_json_builder_to_string (b);
}

char *
kiln_production_entry_to_json (const KilnProductionEntry *entry)
{
  return entry_json (entry, TRUE);
}

char *
kiln_production_entry_canonical (const KilnProductionEntry *entry)
{
  return entry_json (entry, FALSE);
}

static void
csv_field (GString    *out,
           const char *s)
{
  if (s == NULL)
    return;
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (; *s; s++)
    {
      if (*s == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

gboolean
kiln_production_record_export (KilnProductionRecord        *self,
                               KilnProductionExportFormat   format,
                               GOutputStream               *out,
                               GError                     **error)
{
  g_autoptr(GPtrArray) entries = kiln_production_record_list (self, error);

  return entries != NULL && kiln_production_entries_export (entries, format, out, error);
}

gboolean
kiln_production_entries_export (GPtrArray                   *entries,
                                KilnProductionExportFormat   format,
                                GOutputStream               *out,
                                GError                     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (format == KILN_PRODUCTION_EXPORT_CSV)
    {
      g_autofree char *columns = kiln_production_columns_join (0, KILN_PRODUCTION_COLUMNS, ",");

      g_string_append_printf (text, "id,%s\r\n", columns);
    }

  for (guint e = 0; e < entries->len; e++)
    {
      KilnProductionEntry *entry = g_ptr_array_index (entries, e);

      if (format == KILN_PRODUCTION_EXPORT_JSONL)
        {
          g_autofree char *json = kiln_production_entry_to_json (entry);

          g_string_append_printf (text, "%s\n", json);
          continue;
        }
      g_string_append_printf (text, "%" G_GINT64_FORMAT, entry->id);
      for (guint i = 0; i < KILN_PRODUCTION_COLUMNS; i++)
        {
          g_string_append_c (text, ',');
          if (kiln_production_column_is_seconds (i))
            append_number (text, kiln_production_entry_get_seconds (entry, i));
          else
            csv_field (text, kiln_production_entry_get_text (entry, i));
        }
      g_string_append (text, "\r\n");
    }

  return g_output_stream_write_all (out, text->str, text->len, NULL, NULL, error);
}

#define SERIAL_COLUMNS 9

static void
row_free (char **row)
{
  for (guint i = 0; i < SERIAL_COLUMNS; i++)
    g_free (row[i]);
  g_free (row);
}

gboolean
kiln_production_record_export_serials (KilnProductionRecord        *self,
                                       KilnProductionExportFormat   format,
                                       GOutputStream               *out,
                                       GError                     **error)
{
  static const char *const columns[SERIAL_COLUMNS + 1] = {
    "series", "number", "value", "chip_uid", "station", "probe_serial", "allocated", "record_id", "result", NULL,
  };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT series, number, value, chip_uid, station, probe_serial, allocated, record_id, result "
                          "FROM serials ORDER BY id",
                          -1, &stmt, NULL) != SQLITE_OK)
    return kiln_production_record_fail (self, "export serials", error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      char **row = g_new0 (char *, SERIAL_COLUMNS);

      for (guint i = 0; i < SERIAL_COLUMNS; i++)
        row[i] = g_strdup ((const char *) sqlite3_column_text (stmt, (int) i));
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kiln_production_record_fail (self, "export serials", error);
  g_clear_pointer (&locker, g_mutex_locker_free);
  return kiln_production_serials_export (columns, rows, format, out, error);
}

gboolean
kiln_production_serials_export (const char *const          *columns,
                                GPtrArray                  *rows,
                                KilnProductionExportFormat  format,
                                GOutputStream              *out,
                                GError                    **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = g_strv_length ((char **) columns);

  g_return_val_if_fail (rows != NULL, FALSE);

  if (format == KILN_PRODUCTION_EXPORT_CSV)
    {
      for (guint i = 0; i < n; i++)
        g_string_append_printf (text, "%s%s", i ? "," : "", columns[i]);
      g_string_append (text, "\r\n");
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *line = NULL;

      if (format == KILN_PRODUCTION_EXPORT_CSV)
        {
          for (guint i = 0; i < n; i++)
            {
              if (i)
                g_string_append_c (text, ',');
              csv_field (text, row[i]);
            }
          g_string_append (text, "\r\n");
          continue;
        }
      json_builder_begin_object (b);
      for (guint i = 0; i < n; i++)
        {
          json_builder_set_member_name (b, columns[i]);
          if (row[i] == NULL)
            json_builder_add_null_value (b);
          else if (g_str_equal (columns[i], "number") || g_str_equal (columns[i], "record_id"))
            json_builder_add_int_value (b, g_ascii_strtoll (row[i], NULL, 10));
          else
            json_builder_add_string_value (b, row[i]);
        }
      json_builder_end_object (b);
      line = kiln_json_builder_to_string (b);
      g_string_append_printf (text, "%s\n", line);
    }
  return g_output_stream_write_all (out, text->str, text->len, NULL, NULL, error);
}
