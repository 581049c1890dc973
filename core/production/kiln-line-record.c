/* kiln-line-record.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "kiln-line-record-private.h"
#include "kiln-production-chain.h"
#include "kiln-production-columns.h"
#include "kiln-production-record-private.h"

/* How long an operation keeps trying to reach the database (a restart). */
#define RETRY_SECONDS 8

/* Versioned migrations: migration i brings the schema to version i + 1. */
static const char *const migrations[] = {
  "CREATE TABLE kiln_records ("
  " id BIGSERIAL PRIMARY KEY,"
  " time TEXT NOT NULL, station TEXT, profile TEXT, probe_serial TEXT, chip_uid TEXT, chip TEXT, revision TEXT,"
  " file_name TEXT, file_sha256 TEXT, serial_number TEXT, option_bytes TEXT,"
  " result TEXT NOT NULL CHECK (result IN ('PASS', 'FAIL')), cause TEXT,"
  " connect_s DOUBLE PRECISION, preflight_s DOUBLE PRECISION, compare_s DOUBLE PRECISION, erase_s DOUBLE PRECISION,"
  " program_s DOUBLE PRECISION, verify_s DOUBLE PRECISION, reset_s DOUBLE PRECISION,"
  " option_bytes_s DOUBLE PRECISION, total_s DOUBLE PRECISION, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
  " UNIQUE (station, time, chip_uid));"
  "CREATE INDEX kiln_records_station ON kiln_records (station, id);"
  "CREATE TABLE kiln_serials ("
  " id BIGSERIAL PRIMARY KEY,"
  " series TEXT NOT NULL, number BIGINT, value TEXT NOT NULL, chip_uid TEXT NOT NULL,"
  " station TEXT, probe_serial TEXT, allocated TEXT NOT NULL,"
  " record_id BIGINT REFERENCES kiln_records (id), result TEXT,"
  " UNIQUE (series, value), UNIQUE (series, chip_uid));"
  "CREATE INDEX kiln_serials_number ON kiln_serials (series, number);",

  /* 2: who, where and why (older entries keep NULL there, and their hashes). */
  "ALTER TABLE kiln_records ADD COLUMN slot TEXT, ADD COLUMN operator TEXT, ADD COLUMN profile_key TEXT,"
  " ADD COLUMN profile_sha256 TEXT, ADD COLUMN cause_code TEXT, ADD COLUMN cause_group TEXT;"
  "CREATE INDEX kiln_records_time ON kiln_records (time);",

  /* 3: a number given to a board whose result never reached the line (its
   * station stopped first) is marked consumed, with when and why; a record
   * that comes later for it completes it and clears the mark. */
  ("ALTER TABLE kiln_serials ADD COLUMN consumed TEXT, ADD COLUMN consumed_cause TEXT;"
   "CREATE INDEX kiln_serials_open ON kiln_serials (station) WHERE record_id IS NULL;"),
};

/* How long a station waits for its own name to be free when it starts
 * (the connection of the process it replaces, killed, is still closing). */
#define CLAIM_SECONDS 10

struct _KilnLineRecord
{
  GObject  parent_instance;

  char    *conninfo;
  char    *name;
  char    *station;   /* the station this process runs as, once claimed */
  gboolean held;      /* this process has held the station's name */
  PGconn  *conn;
  GMutex   lock;
};

G_DEFINE_FINAL_TYPE (KilnLineRecord, kiln_line_record, G_TYPE_OBJECT)

static void
kiln_line_record_finalize (GObject *object)
{
  KilnLineRecord *self = (KilnLineRecord *) object;

  if (self->conn != NULL)
    PQfinish (self->conn);
  g_free (self->conninfo);
  g_free (self->name);
  g_free (self->station);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (kiln_line_record_parent_class)->finalize (object);
}

static void
kiln_line_record_class_init (KilnLineRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_line_record_finalize;
}

static void
kiln_line_record_init (KilnLineRecord *self)
{
  g_mutex_init (&self->lock);
}

const char *
kiln_line_record_get_name (KilnLineRecord *self)
{
  return self->name;
}

/* The server's message, first line only. */
static char *
server_message (KilnLineRecord *self)
{
  g_autofree char *text = g_strdup (self->conn ? PQerrorMessage (self->conn) : "");
  char *nl = strchr (text, '\n');

  if (nl != NULL)
    *nl = '\0';
  return g_strdup (g_strstrip (text));
}

static gboolean
unreachable (KilnLineRecord  *self,
             GError         **error)
{
  g_autofree char *message = server_message (self);

  g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_LINE_UNREACHABLE,
               _("The line database (%s) cannot be reached: %s. Check this computer's network, or ask whoever "
                 "runs the database."),
               self->name, message);
  return FALSE;
}

static void
ignore_notice (void       *data,
               const char *message)
{
}

static gboolean take_station (KilnLineRecord  *self,
                              GError         **error);

static gboolean
connected (KilnLineRecord  *self,
           GError         **error)
{
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;
  if (self->conn == NULL)
    self->conn = PQconnectdb (self->conninfo);
  else
    PQreset (self->conn);
  if (PQstatus (self->conn) != CONNECTION_OK)
    return unreachable (self, error);
  PQsetNoticeProcessor (self->conn, ignore_notice, NULL);
  /* A new session: the station's name is held again, or nothing is done. */
  if (self->station != NULL && !take_station (self, error))
    {
      PQfinish (self->conn);
      self->conn = NULL;
      return FALSE;
    }
  return TRUE;
}

/* Runs @sql with text parameters; NULL with @error on failure. */
static PGresult *
run (KilnLineRecord     *self,
     const char         *sql,
     int                 n,
     const char *const  *values,
     GError            **error)
{
  /* Without parameters, several statements may run at once (a migration). */
  PGresult *res = n == 0 ? PQexec (self->conn, sql) : PQexecParams (self->conn, sql, n, NULL, values, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus (res);

  const char *state;
  gboolean lost;

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return res;
  /* The connection went (08…), the server is shutting down or restarting
   * (57…), or two stations collided (40…): all worth another try. */
  state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  lost = PQstatus (self->conn) != CONNECTION_OK || state == NULL || g_str_has_prefix (state, "08")
         || g_str_has_prefix (state, "57") || g_str_has_prefix (state, "40");
  PQclear (res);
  if (lost)
    unreachable (self, error);
  else
    {
      g_autofree char *message = server_message (self);

      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_DATABASE,
                   _("The line database (%s) refused an operation: %s"), self->name, message);
    }
  return NULL;
}

static gboolean
run_ok (KilnLineRecord    *self,
        const char        *sql,
        int                n,
        const char *const *values,
        GError           **error)
{
  PGresult *res = run (self, sql, n, values, error);

  PQclear (res);
  return res != NULL;
}

/* The station's name, held by this session (an advisory lock the server
 * lets go of when the session ends, a killed station's too). */
static gboolean
take_station (KilnLineRecord  *self,
              GError         **error)
{
  const char *values[] = { self->station };
  PGresult *res;
  gboolean taken;

  /* Over a network, a station that vanishes (unplugged, powered off) would
   * keep its name until the server's TCP keepalive notices, two hours by
   * default: ask the server to probe this session after 5 s of silence,
   * every 2 s, 3 times (ignored on a Unix socket). */
  if (!run_ok (self, "SET SESSION tcp_keepalives_idle = 5; SET SESSION tcp_keepalives_interval = 2; "
               "SET SESSION tcp_keepalives_count = 3", 0, NULL, error))
    return FALSE;
  res = run (self, "SELECT pg_try_advisory_lock(4799004, hashtext($1))", 1, values, error);
  if (res == NULL)
    return FALSE;
  taken = g_str_equal (PQgetvalue (res, 0, 0), "t");
  PQclear (res);
  if (taken)
    self->held = TRUE;
  else if (self->held)
    /* This process held the name: its own earlier session, from before the
     * connection broke, is what the server still counts. */
    g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_LINE_UNREACHABLE,
                 _("The line database (%s) still holds this station's connection from before it broke; the server "
                   "lets it go within about 15 seconds. Then start the board again."),
                 self->name);
  else
    g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_STATION_TAKEN,
                 _("Another station is running as “%s” on the line database (%s): give each station its own name, "
                   "or close the other one, then start this one again."),
                 self->station, self->name);
  return taken;
}

typedef gboolean (*Transaction) (KilnLineRecord *self,
                                 gpointer        data,
                                 GError        **error);

/* Runs @body in a transaction, again while the database cannot be reached
 * (a restart) for up to RETRY_SECONDS. Every body is idempotent. */
static gboolean
transaction (KilnLineRecord *self,
             Transaction     body,
             gpointer        data,
             GError        **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gint64 give_up = g_get_monotonic_time () + RETRY_SECONDS * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(GError) local = NULL;

      if (connected (self, &local)
          && run_ok (self, "BEGIN ISOLATION LEVEL READ COMMITTED", 0, NULL, &local)
          && body (self, data, &local)
          && run_ok (self, "COMMIT", 0, NULL, &local))
        return TRUE;
      if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
        {
          PGresult *res = PQexec (self->conn, "ROLLBACK");

          PQclear (res);
        }
      if (!g_error_matches (local, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_LINE_UNREACHABLE)
          || g_get_monotonic_time () > give_up)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK && PQtransactionStatus (self->conn) != PQTRANS_IDLE)
        PQreset (self->conn);
      g_usleep (200 * 1000);
    }
}

static gboolean
migrate (KilnLineRecord *self,
         gpointer        data,
         GError        **error)
{
  PGresult *res;
  int version = 0;

  /* One station at a time upgrades the schema. */
  if (!run_ok (self, "SELECT pg_advisory_xact_lock(4799001)", 0, NULL, error)
      || !run_ok (self, "CREATE TABLE IF NOT EXISTS kiln_schema (version INTEGER NOT NULL, applied TEXT NOT NULL)",
                  0, NULL, error)
      || (res = run (self, "SELECT COALESCE(MAX(version), 0) FROM kiln_schema", 0, NULL, error)) == NULL)
    return FALSE;
  version = atoi (PQgetvalue (res, 0, 0));
  PQclear (res);
  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_DATABASE,
                   _("The line database (%s) was set up by a newer Kiln (schema %d): update Kiln on this station"),
                   self->name, version);
      return FALSE;
    }
  for (guint i = (guint) version; i < G_N_ELEMENTS (migrations); i++)
    {
      g_autofree char *v = g_strdup_printf ("%u", i + 1);
      g_autofree char *now = kiln_production_now_iso8601 ();
      const char *values[] = { v, now };

      if (!run_ok (self, migrations[i], 0, NULL, error)
          || !run_ok (self, "INSERT INTO kiln_schema (version, applied) VALUES ($1, $2)", 2, values, error))
        return FALSE;
    }
  return TRUE;
}

/* "host=/run/pg dbname=line password=x" → without the password. */
static char *
display_name (const char *conninfo)
{
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);
  g_autoptr(GString) out = g_string_new (NULL);

  if (options == NULL)
    return g_strdup ("?");
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (o->val != NULL && *o->val != '\0' && g_strcmp0 (o->keyword, "password") != 0)
      g_string_append_printf (out, "%s%s=%s", out->len ? " " : "", o->keyword, o->val);
  PQconninfoFree (options);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
kiln_line_conninfo_has_password (const char *conninfo)
{
  PQconninfoOption *options;
  gboolean found = FALSE;

  if (conninfo == NULL || *conninfo == '\0')
    return FALSE;
  options = PQconninfoParse (conninfo, NULL);
  if (options == NULL)
    return FALSE;
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (g_strcmp0 (o->keyword, "password") == 0 && o->val != NULL && *o->val != '\0')
      found = TRUE;
  PQconninfoFree (options);
  return found;
}

KilnLineRecord *
kiln_line_record_open (const char  *conninfo,
                       GError     **error)
{
  g_autoptr(KilnLineRecord) self = g_object_new (KILN_TYPE_LINE_RECORD, NULL);
  char *parse_error = NULL;
  PQconninfoOption *options = PQconninfoParse (conninfo, &parse_error);

  if (options == NULL)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_DATABASE,
                   _("“%s” is not a PostgreSQL connection string or URI (%s): give one such as "
                     "“host=db.example dbname=line user=station1” or “postgresql://station1@db.example/line”"),
                   conninfo, parse_error ? g_strstrip (parse_error) : "");
      PQfreemem (parse_error);
      return NULL;
    }
  PQconninfoFree (options);
  self->conninfo = g_strdup (conninfo);
  self->name = display_name (conninfo);
  if (!transaction (self, migrate, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

typedef struct
{
  guint own;
  guint others;
} Claim;

static gboolean
claim (KilnLineRecord *self,
       gpointer        data,
       GError        **error)
{
  Claim *c = data;

  /* Holding the name, no other process runs as this station: a number
   * it gave without a result was given by one that stopped. */
  c->own = c->others = 0;
  return take_station (self, error)
         && kiln_line_mark_consumed (self, self->station, NULL, NULL, kiln_line_stopped_cause (), &c->own, error)
         && kiln_line_sweep (self, self->station, &c->others, error);
}

gboolean
kiln_line_record_claim_station (KilnLineRecord  *self,
                                const char      *station,
                                guint           *consumed,
                                guint           *swept,
                                GError         **error)
{
  gint64 give_up = g_get_monotonic_time () + CLAIM_SECONDS * G_USEC_PER_SEC;
  Claim count = { 0, 0 };

  g_return_val_if_fail (KILN_IS_LINE_RECORD (self), FALSE);
  g_return_val_if_fail (station != NULL, FALSE);

  g_mutex_lock (&self->lock);
  g_free (self->station);
  self->station = g_strdup (station);
  self->held = FALSE;
  g_mutex_unlock (&self->lock);
  for (;;)
    {
      g_autoptr(GError) local = NULL;

      if (transaction (self, claim, &count, &local))
        break;
      if (!g_error_matches (local, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_STATION_TAKEN)
          || g_get_monotonic_time () > give_up)
        {
          g_mutex_lock (&self->lock);
          g_clear_pointer (&self->station, g_free);
          g_mutex_unlock (&self->lock);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_usleep (250 * 1000);
    }
  if (consumed != NULL)
    *consumed = count.own;
  if (swept != NULL)
    *swept = count.others;
  return TRUE;
}

void
kiln_line_record_release_station (KilnLineRecord *self)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->station == NULL)
    return;
  self->held = FALSE;
  g_clear_pointer (&self->station, g_free);
  /* Its session ends, and the name with it; a later use connects afresh. */
  g_clear_pointer (&self->conn, PQfinish);
}

typedef struct
{
  const KilnSerialSettings *settings;
  const char               *series;
  GPtrArray                *list;
  const char               *uid;
  const char               *station;
  const char               *probe_serial;
  gint64                    id;
  char                     *value;
  guint64                   number;
  gboolean                  reused;
} Allocation;

static gboolean
allocate (KilnLineRecord *self,
          gpointer        data,
          GError        **error)
{
  Allocation *a = data;
  const char *key[] = { a->series, a->uid };
  g_autofree char *number = NULL;
  g_autofree char *now = kiln_production_now_iso8601 ();
  gboolean have_number = TRUE;
  PGresult *res;

  g_clear_pointer (&a->value, g_free);
  a->reused = FALSE;
  /* One allocation at a time in a series, across the line. */
  if (!run_ok (self, "SELECT pg_advisory_xact_lock(4799002, hashtext($1))", 1, key, error))
    return FALSE;
  /* This slot's board before this one never got its result into the line
   * (the database was gone when it ended): its number is spent. */
  if (self->station != NULL && g_strcmp0 (self->station, a->station) == 0 && a->probe_serial != NULL
      && !kiln_line_mark_consumed (self, self->station, a->probe_serial, a->uid,
                                   _("The line database did not take the board's result (the station had lost it)"),
                                   NULL, error))
    return FALSE;
  if ((res = run (self, "SELECT id, value, number FROM kiln_serials WHERE series = $1 AND chip_uid = $2", 2, key,
                  error)) == NULL)
    return FALSE;
  if (PQntuples (res) == 1)
    {
      a->id = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
      a->value = g_strdup (PQgetvalue (res, 0, 1));
      a->number = PQgetisnull (res, 0, 2) ? 0 : g_ascii_strtoull (PQgetvalue (res, 0, 2), NULL, 10);
      a->reused = TRUE;
      PQclear (res);
      return TRUE;
    }
  PQclear (res);

  switch (a->settings->source)
    {
    case KILN_SERIAL_SOURCE_COUNTER:
      if ((res = run (self, "SELECT MAX(number) FROM kiln_serials WHERE series = $1", 1, key, error)) == NULL)
        return FALSE;
      a->number = a->settings->start;
      if (!PQgetisnull (res, 0, 0))
        a->number = MAX (a->settings->start, g_ascii_strtoull (PQgetvalue (res, 0, 0), NULL, 10) + 1);
      PQclear (res);
      a->value = kiln_serial_settings_format (a->settings, a->number, NULL);
      break;
    case KILN_SERIAL_SOURCE_LIST:
      {
        g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

        if ((res = run (self, "SELECT value FROM kiln_serials WHERE series = $1", 1, key, error)) == NULL)
          return FALSE;
        for (int i = 0; i < PQntuples (res); i++)
          g_hash_table_add (used, g_strdup (PQgetvalue (res, i, 0)));
        PQclear (res);
        for (guint i = 0; i < a->list->len && a->value == NULL; i++)
          if (!g_hash_table_contains (used, g_ptr_array_index (a->list, i)))
            {
              a->value = g_strdup (g_ptr_array_index (a->list, i));
              a->number = i + 1;
            }
        if (a->value == NULL)
          {
            g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL,
                         _("Every serial number of the list has been used on the line (%u numbers): the board was "
                           "not programmed. Ask the engineer for more numbers."),
                         a->list->len);
            return FALSE;
          }
        break;
      }
    case KILN_SERIAL_SOURCE_UID:
    case KILN_SERIAL_SOURCE_NONE:
    default:
      have_number = FALSE;
      a->value = kiln_serial_settings_format (a->settings, 0, a->uid);
      break;
    }
  if (a->value == NULL)
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL,
                           _("The profile's serial number format is not valid"));
      return FALSE;
    }
  number = have_number ? g_strdup_printf ("%" G_GUINT64_FORMAT, a->number) : NULL;
  {
    const char *values[] = { a->series, number, a->value, a->uid, a->station, a->probe_serial, now };

    res = run (self,
               "INSERT INTO kiln_serials (series, number, value, chip_uid, station, probe_serial, allocated) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
               7, values, error);
  }
  if (res == NULL)
    return FALSE;
  a->id = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  return TRUE;
}

gboolean
kiln_line_record_allocate (KilnLineRecord           *self,
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
                           GError                  **error)
{
  Allocation a = { settings, series, list, uid, station, probe_serial, 0, NULL, 0, FALSE };

  if (!transaction (self, allocate, &a, error))
    {
      g_free (a.value);
      return FALSE;
    }
  *id = a.id;
  *value = a.value;
  *number = a.number;
  *reused = a.reused;
  return TRUE;
}

typedef struct
{
  const KilnProductionEntry *entry;
  const char                *series;
} Append;

static gboolean
append (KilnLineRecord *self,
        gpointer        data,
        GError        **error)
{
  Append *ap = data;
  KilnProductionEntry copy = *ap->entry;
  const char *result = copy.pass ? "PASS" : "FAIL";
  const char *key[] = { copy.station, copy.time, copy.chip_uid };
  const char *values[KILN_PRODUCTION_COLUMNS];
  char numbers[KILN_PRODUCTION_COLUMNS][G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *prev = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *columns = kiln_production_columns_join (0, KILN_PRODUCTION_COLUMNS, ", ");
  g_autoptr(GString) sql = g_string_new (NULL);
  PGresult *res;
  guint n = 0;

  /* One entry at a time per station: the chain has one order. */
  if (!run_ok (self, "SELECT pg_advisory_xact_lock(4799003, hashtext(COALESCE($1, '')))", 1, key, error))
    return FALSE;
  /* Already there: an earlier attempt committed before the connection went. */
  if ((res = run (self, "SELECT id FROM kiln_records WHERE station IS NOT DISTINCT FROM $1 AND time = $2 "
                        "AND chip_uid IS NOT DISTINCT FROM $3", 3, key, error)) == NULL)
    return FALSE;
  n = (guint) PQntuples (res);
  PQclear (res);
  if (n > 0)
    return TRUE;
  if ((res = run (self, "SELECT hash FROM kiln_records WHERE station IS NOT DISTINCT FROM $1 ORDER BY id DESC LIMIT 1",
                  1, key, error)) == NULL)
    return FALSE;
  prev = g_strdup (PQntuples (res) ? PQgetvalue (res, 0, 0) : "");
  PQclear (res);
  copy.prev_hash = prev;
  hash = kiln_production_chain_hash (prev, &copy);

  copy.hash = hash;
  for (guint i = 0; i < KILN_PRODUCTION_COLUMNS; i++)
    values[i] = kiln_production_column_is_seconds (i)
                ? g_ascii_formatd (numbers[i], sizeof numbers[i], "%.17g", kiln_production_entry_get_seconds (&copy, i))
                : kiln_production_entry_get_text (&copy, i);
  n = KILN_PRODUCTION_COLUMNS;
  g_string_append_printf (sql, "INSERT INTO kiln_records (%s) VALUES (", columns);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%s$%u", i ? ", " : "", i + 1);
  g_string_append (sql, ") RETURNING id");
  if ((res = run (self, sql->str, (int) n, values, error)) == NULL)
    return FALSE;
  record_id = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);

  if (ap->series != NULL && copy.serial_number != NULL)
    {
      const char *mark[] = { record_id, result, ap->series, copy.serial_number };

      if (!run_ok (self, "UPDATE kiln_serials SET record_id = $1, result = $2, consumed = NULL, consumed_cause = NULL "
                        "WHERE series = $3 AND value = $4", 4,
                   mark, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
kiln_line_record_append (KilnLineRecord             *self,
                         const KilnProductionEntry  *entry,
                         const char                 *series,
                         GError                    **error)
{
  Append ap = { entry, series };

  return transaction (self, append, &ap, error);
}

static char *
value_or_null (PGresult *res,
               int       row,
               int       column)
{
  return PQgetisnull (res, row, column) ? NULL : g_strdup (PQgetvalue (res, row, column));
}

typedef struct
{
  const char *sql;
  PGresult   *res;
} Query;

static gboolean
query (KilnLineRecord *self,
       gpointer        data,
       GError        **error)
{
  Query *q = data;

  g_clear_pointer (&q->res, PQclear);
  q->res = run (self, q->sql, 0, NULL, error);
  return q->res != NULL;
}

GPtrArray *
kiln_line_record_list (KilnLineRecord  *self,
                       GError         **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_production_entry_free);
  g_autofree char *columns = kiln_production_columns_join (0, KILN_PRODUCTION_COLUMNS, ", ");
  g_autofree char *sql = g_strdup_printf ("SELECT id, %s FROM kiln_records ORDER BY id", columns);
  Query q = { sql, NULL };

  if (!transaction (self, query, &q, error))
    return NULL;
  for (int r = 0; r < PQntuples (q.res); r++)
    {
      KilnProductionEntry *e = kiln_production_entry_new ();

      e->id = g_ascii_strtoll (PQgetvalue (q.res, r, 0), NULL, 10);
      for (guint i = 0; i < KILN_PRODUCTION_COLUMNS; i++)
        if (kiln_production_column_is_seconds (i))
          kiln_production_entry_set_seconds (e, i, g_ascii_strtod (PQgetvalue (q.res, r, (int) i + 1), NULL));
        else
          kiln_production_entry_set_text (e, i, PQgetisnull (q.res, r, (int) i + 1) ? NULL
                                                 : PQgetvalue (q.res, r, (int) i + 1));
      g_ptr_array_add (entries, e);
    }
  PQclear (q.res);
  return g_steal_pointer (&entries);
}

const char *const kiln_line_serial_columns[KILN_LINE_SERIAL_COLUMNS + 1] = {
  "series", "number", "value", "chip_uid", "station", "probe_serial", "allocated", "record_id", "result", "consumed",
  "consumed_cause", NULL,
};

static void
row_free (char **row)
{
  for (guint c = 0; c < KILN_LINE_SERIAL_COLUMNS; c++)
    g_free (row[c]);
  g_free (row);
}

GPtrArray *
kiln_line_record_list_serials (KilnLineRecord  *self,
                               GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  Query q = { "SELECT series, number, value, chip_uid, station, probe_serial, allocated, record_id, result, consumed, "
              "consumed_cause FROM kiln_serials ORDER BY id", NULL };

  if (!transaction (self, query, &q, error))
    return NULL;
  for (int r = 0; r < PQntuples (q.res); r++)
    {
      char **row = g_new0 (char *, KILN_LINE_SERIAL_COLUMNS);

      for (int c = 0; c < KILN_LINE_SERIAL_COLUMNS; c++)
        row[c] = value_or_null (q.res, r, c);
      g_ptr_array_add (rows, row);
    }
  PQclear (q.res);
  return g_steal_pointer (&rows);
}

PGresult *
kiln_line_record_run (KilnLineRecord     *self,
                      const char         *sql,
                      int                 n,
                      const char *const  *values,
                      GError            **error)
{
  return run (self, sql, n, values, error);
}

gboolean
kiln_line_record_transaction (KilnLineRecord     *self,
                              KilnLineTransaction body,
                              gpointer            data,
                              GError            **error)
{
  return transaction (self, body, data, error);
}
