/* kiln-serial-allocator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-line-record.h"
#include "kiln-production-record-private.h"
#include "kiln-serial-allocator.h"

struct _KilnSerialAllocator
{
  GObject               parent_instance;

  KilnProductionRecord *record;
  KilnSerialSettings    settings;
  char                 *list_path;
  char                 *series;
};

G_DEFINE_FINAL_TYPE (KilnSerialAllocator, kiln_serial_allocator, G_TYPE_OBJECT)

void
kiln_serial_allocation_free (KilnSerialAllocation *allocation)
{
  if (allocation == NULL)
    return;
  g_free (allocation->value);
  g_clear_pointer (&allocation->bytes, g_bytes_unref);
  g_free (allocation);
}

static void
kiln_serial_allocator_finalize (GObject *object)
{
  KilnSerialAllocator *self = (KilnSerialAllocator *) object;

  g_clear_object (&self->record);
  kiln_serial_settings_clear (&self->settings);
  g_free (self->list_path);
  g_free (self->series);

  G_OBJECT_CLASS (kiln_serial_allocator_parent_class)->finalize (object);
}

static void
kiln_serial_allocator_class_init (KilnSerialAllocatorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_serial_allocator_finalize;
}

static void
kiln_serial_allocator_init (KilnSerialAllocator *self)
{
}

KilnSerialAllocator *
kiln_serial_allocator_new (KilnProductionRecord     *record,
                           const KilnSerialSettings *settings,
                           const char               *list_path)
{
  KilnSerialAllocator *self = g_object_new (KILN_TYPE_SERIAL_ALLOCATOR, NULL);

  self->record = g_object_ref (record);
  self->settings = *settings;
  self->settings.format = g_strdup (settings->format);
  self->settings.list = g_strdup (settings->list);
  self->settings.series = g_strdup (settings->series);
  self->list_path = g_strdup (list_path);
  /* Numbers are unique within a series: by default one per format (or list). */
  if (settings->series != NULL)
    self->series = g_strdup (settings->series);
  else if (settings->source == KILN_SERIAL_SOURCE_LIST)
    self->series = g_strconcat ("list:", settings->list ? settings->list : "", NULL);
  else if (settings->source == KILN_SERIAL_SOURCE_UID)
    self->series = g_strconcat ("uid:", settings->format ? settings->format : "%s", NULL);
  else
    self->series = g_strdup (settings->format ? settings->format : "%u");
  return self;
}

const char *
kiln_serial_allocator_get_series (KilnSerialAllocator *self)
{
  return self->series;
}

/* The bytes at the profile's address: the text NUL-padded to the field, or
 * the counter as a little-endian word. */
static GBytes *
encode (KilnSerialAllocator  *self,
        const char           *value,
        guint64               number,
        GError              **error)
{
  gsize length = strlen (value);
  gsize size = self->settings.size;
  guint8 *data;

  if (self->settings.encoding == KILN_SERIAL_ENCODING_U32LE)
    {
      guint32 le = GUINT32_TO_LE ((guint32) number);

      if (number > G_MAXUINT32)
        {
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL,
                       _("The serial number %s does not fit in 4 bytes (u32le)"), value);
          return NULL;
        }
      return g_bytes_new (&le, 4);
    }

  if (size == 0)
    size = (length + 1 + 3) & ~(gsize) 3;
  if (length > size)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL,
                   _("The serial number “%s” is %zu characters long but the profile's field holds %zu bytes: "
                     "the engineer must shorten the format or enlarge the field"),
                   value, length, size);
      return NULL;
    }
  data = g_malloc0 (size);
  memcpy (data, value, length);
  return g_bytes_new_take (data, size);
}

/* The list file's numbers, in order. */
static GPtrArray *
read_list (KilnSerialAllocator  *self,
           GError              **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_get_contents (self->list_path, &contents, NULL, &local))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL,
                   _("Cannot read the serial number list %s: %s"), self->list_path, local->message);
      g_ptr_array_unref (values);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;
      g_ptr_array_add (values, g_strdup (line));
    }
  return values;
}

/* Runs *@stmt to its end and finalizes it (leaving NULL, so that a failure
 * path does not finalize it twice); whether it ran to SQLITE_DONE. */
static gboolean
step_done (sqlite3_stmt **stmt)
{
  int rc = sqlite3_step (*stmt);

  sqlite3_finalize (*stmt);
  *stmt = NULL;
  return rc == SQLITE_DONE;
}

/* The statement that writes @allocation, given to the chip @uid, into the
 * station's serials (@or_ignore: keeping a row already there), bound; NULL
 * when SQLite refuses it. A UID-derived number has no counter value. */
static sqlite3_stmt *
insert_statement (KilnSerialAllocator        *self,
                  sqlite3                    *db,
                  gboolean                    or_ignore,
                  const KilnSerialAllocation *allocation,
                  const char                 *uid,
                  const char                 *station,
                  const char                 *probe_serial,
                  const char                 *now)
{
  static const char insert[] = "INSERT INTO serials (series, number, value, chip_uid, station, probe_serial, allocated) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)";
  g_autofree char *sql = g_strconcat (insert, or_ignore ? " ON CONFLICT DO NOTHING" : "", NULL);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, self->series, -1, SQLITE_STATIC);
  if (self->settings.source == KILN_SERIAL_SOURCE_UID)
    sqlite3_bind_null (stmt, 2);
  else
    sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) allocation->number);
  sqlite3_bind_text (stmt, 3, allocation->value, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, uid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, station, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, probe_serial, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, now, -1, SQLITE_TRANSIENT);
  return stmt;
}

/* Takes the record's lock and SQLite's write lock (IMMEDIATE: two stations
 * or processes sharing the database cannot both pick the same next number);
 * NULL, with nothing held, when SQLite refuses. */
static GMutexLocker *
begin_immediate (KilnProductionRecord  *record,
                 GError               **error)
{
  GMutexLocker *locker = g_mutex_locker_new (kiln_production_record_get_lock (record));

  if (!kiln_production_record_exec (record, "BEGIN IMMEDIATE", error))
    {
      g_mutex_locker_free (locker);
      return NULL;
    }
  return locker;
}

/* Undoes the transaction; NULL, for the caller to return. */
static KilnSerialAllocation *
rollback (KilnProductionRecord *record)
{
  sqlite3_exec (kiln_production_record_get_db (record), "ROLLBACK", NULL, NULL, NULL);
  return NULL;
}

/* SQLite failed: says so in @error, finalizes @stmt and undoes the
 * transaction; NULL, for the caller to return. */
static KilnSerialAllocation *
fail (KilnProductionRecord  *record,
      sqlite3_stmt          *stmt,
      GError               **error)
{
  kiln_production_record_fail (record, "serial number", error);
  sqlite3_finalize (stmt);
  return rollback (record);
}

/* Commits and hands over *@allocation, or fails as fail() does. */
static KilnSerialAllocation *
commit (KilnProductionRecord  *record,
        KilnSerialAllocation **allocation,
        GError               **error)
{
  if (sqlite3_exec (kiln_production_record_get_db (record), "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    return fail (record, NULL, error);
  return g_steal_pointer (allocation);
}

/* The line allocates; the local record keeps a copy (its row marks the
 * number used by the board's local entry). */
static KilnSerialAllocation *
allocate_from_line (KilnSerialAllocator  *self,
                    KilnLineRecord       *line,
                    GPtrArray            *list,
                    const char           *uid,
                    const char           *station,
                    const char           *probe_serial,
                    GError              **error)
{
  KilnProductionRecord *record = self->record;
  sqlite3 *db = kiln_production_record_get_db (record);
  g_autoptr(KilnSerialAllocation) allocation = g_new0 (KilnSerialAllocation, 1);
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = kiln_production_now_iso8601 ();
  sqlite3_stmt *stmt = NULL;
  gint64 line_id = 0;

  if (!kiln_line_record_allocate (line, &self->settings, self->series, list, uid, station, probe_serial, &line_id,
                                  &allocation->value, &allocation->number, &allocation->reused, error))
    return NULL;
  allocation->bytes = encode (self, allocation->value, allocation->number, error);
  if (allocation->bytes == NULL)
    return NULL;

  if ((locker = begin_immediate (record, error)) == NULL)
    return NULL;
  /* The line's word wins over a stale local copy for this chip. */
  if (sqlite3_prepare_v2 (db, "DELETE FROM serials WHERE series = ? AND chip_uid = ? AND value <> ? AND record_id IS NULL",
                          -1, &stmt, NULL) != SQLITE_OK)
    goto fail;
  sqlite3_bind_text (stmt, 1, self->series, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, uid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, allocation->value, -1, SQLITE_STATIC);
  if (!step_done (&stmt))
    goto fail;
  if ((stmt = insert_statement (self, db, TRUE, allocation, uid, station, probe_serial, now)) == NULL
      || !step_done (&stmt))
    goto fail;
  if (sqlite3_prepare_v2 (db, "SELECT id FROM serials WHERE series = ? AND value = ?", -1, &stmt, NULL) != SQLITE_OK)
    goto fail;
  sqlite3_bind_text (stmt, 1, self->series, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, allocation->value, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    allocation->id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return commit (record, &allocation, error);

fail:
  return fail (record, stmt, error);
}

KilnSerialAllocation *
kiln_serial_allocator_allocate (KilnSerialAllocator  *self,
                                const char           *uid,
                                const char           *station,
                                const char           *probe_serial,
                                GError              **error)
{
  KilnProductionRecord *record = self->record;
  sqlite3 *db = kiln_production_record_get_db (record);
  g_autoptr(KilnSerialAllocation) allocation = g_new0 (KilnSerialAllocation, 1);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = kiln_production_now_iso8601 ();
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (KILN_IS_SERIAL_ALLOCATOR (self), NULL);
  g_return_val_if_fail (self->settings.source != KILN_SERIAL_SOURCE_NONE, NULL);

  if (self->settings.source == KILN_SERIAL_SOURCE_LIST && (list = read_list (self, error)) == NULL)
    return NULL;
  if (kiln_production_record_get_line (record) != NULL)
    return allocate_from_line (self, kiln_production_record_get_line (record), list, uid, station, probe_serial,
                               error);

  if ((locker = begin_immediate (record, error)) == NULL)
    return NULL;

  /* A board that already has a number (a retry, or a job cut short) keeps it. */
  if (sqlite3_prepare_v2 (db, "SELECT id, value, number FROM serials WHERE series = ? AND chip_uid = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    goto fail;
  sqlite3_bind_text (stmt, 1, self->series, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, uid, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      allocation->id = sqlite3_column_int64 (stmt, 0);
      allocation->value = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      allocation->number = (guint64) sqlite3_column_int64 (stmt, 2);
      allocation->reused = TRUE;
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (!allocation->reused)
    {
      switch (self->settings.source)
        {
        case KILN_SERIAL_SOURCE_COUNTER:
          if (sqlite3_prepare_v2 (db, "SELECT MAX(number) FROM serials WHERE series = ?", -1, &stmt, NULL)
              != SQLITE_OK)
            goto fail;
          sqlite3_bind_text (stmt, 1, self->series, -1, SQLITE_STATIC);
          allocation->number = self->settings.start;
          if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
            allocation->number = MAX (self->settings.start, (guint64) sqlite3_column_int64 (stmt, 0) + 1);
          sqlite3_finalize (stmt);
          stmt = NULL;
          allocation->value = kiln_serial_settings_format (&self->settings, allocation->number, NULL);
          break;

        case KILN_SERIAL_SOURCE_LIST:
          if (sqlite3_prepare_v2 (db, "SELECT 1 FROM serials WHERE series = ? AND value = ?", -1, &stmt, NULL)
              != SQLITE_OK)
            goto fail;
          for (guint i = 0; i < list->len && allocation->value == NULL; i++)
            {
              sqlite3_reset (stmt);
              sqlite3_bind_text (stmt, 1, self->series, -1, SQLITE_STATIC);
              sqlite3_bind_text (stmt, 2, g_ptr_array_index (list, i), -1, SQLITE_STATIC);
              if (sqlite3_step (stmt) == SQLITE_DONE)
                {
                  allocation->value = g_strdup (g_ptr_array_index (list, i));
                  allocation->number = i + 1;
                }
            }
          sqlite3_finalize (stmt);
          stmt = NULL;
          if (allocation->value == NULL)
            {
              g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL,
                           _("Every serial number in %s has been used (%u numbers): the board was not programmed. "
                             "Ask the engineer for more numbers."),
                           self->list_path, list->len);
              return rollback (record);
            }
          break;

        case KILN_SERIAL_SOURCE_UID:
        default:
          allocation->value = kiln_serial_settings_format (&self->settings, 0, uid);
          break;
        }

      if (allocation->value == NULL)
        {
          g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL,
                               _("The profile's serial number format is not valid"));
          return rollback (record);
        }

      if ((stmt = insert_statement (self, db, FALSE, allocation, uid, station, probe_serial, now)) == NULL)
        goto fail;
      if (!step_done (&stmt))
        {
          if (sqlite3_errcode (db) == SQLITE_CONSTRAINT)
            {
              g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL,
                           _("The serial number %s was already given to another board in series “%s”: the board was "
                             "not programmed. Ask the engineer to check the profile's serial settings."),
                           allocation->value, self->series);
              return rollback (record);
            }
          goto fail;
        }
      allocation->id = sqlite3_last_insert_rowid (db);
    }

  allocation->bytes = encode (self, allocation->value, allocation->number, error);
  if (allocation->bytes == NULL)
    {
      return rollback (record);
    }

  return commit (record, &allocation, error);

fail:
  return fail (record, stmt, error);
}
