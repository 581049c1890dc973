/* test-production.c — the production station on the virtual bench: a locked
 * profile with a pinned file, serial numbers, the record, board sequences,
 * a write-protected board, four probes at once
 *
 * Every flash.bin is checked byte for byte against what the board should
 * hold, independently of the engine's own read-back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-production-job.h"
#include "kiln-production-signature.h"

#define FIRMWARE_SIZE  (20 * 1024)
#define SERIAL_ADDRESS 0x08010000u
#define SERIAL_SIZE    16u
#define FLASH_SIZE     (1024 * 1024)

typedef struct
{
  char   *dir;
  char   *firmware;
  guint8 *firmware_data;
  char   *profile_path;
  char   *db_path;
  GArray *trusted;
  KilnMinisignSecretKey key;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionProfile) profile = kiln_production_profile_new ();
  KilnSerialSettings serial = { 0 };
  GRand *rand = g_rand_new_with_seed (0x4B494C4E);

  f->dir = g_dir_make_tmp ("kiln-production-XXXXXX", &error);
  g_assert_no_error (error);
  f->firmware = g_build_filename (f->dir, "widget.bin", NULL);
  f->firmware_data = g_malloc (FIRMWARE_SIZE);
  for (guint i = 0; i < FIRMWARE_SIZE; i++)
    f->firmware_data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  g_assert_true (g_file_set_contents (f->firmware, (char *) f->firmware_data, FIRMWARE_SIZE, &error));

  /* The engineer prepares and locks the profile. */
  g_assert_true (kiln_production_profile_set_name (profile, "Widget rev B", &error));
  g_assert_true (kiln_production_profile_set_firmware (profile, f->firmware, TRUE, 0x08000000, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F746NG", &error));
  serial.source = KILN_SERIAL_SOURCE_COUNTER;
  serial.address = SERIAL_ADDRESS;
  serial.format = (char *) "SN-%06u";
  serial.start = 1;
  serial.size = SERIAL_SIZE;
  g_assert_true (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_true (kiln_production_profile_lock (profile, &error));
  g_assert_no_error (error);
  f->profile_path = g_build_filename (f->dir, "widget.kiln-profile", NULL);
  g_assert_true (kiln_production_profile_save (profile, f->profile_path, &error));
  g_assert_no_error (error);
  /* … and signs it; the station trusts the engineer's key. */
  {
    g_autofree char *pub = NULL, *sec = NULL;
    g_autofree char *key_path = g_build_filename (f->dir, "engineer.key", NULL);
    g_autofree char *sig_path = NULL;
    KilnMinisignPublicKey trusted;

    kiln_minisign_generate (&pub, &sec);
    g_assert_true (g_file_set_contents (key_path, sec, -1, NULL));
    g_assert_true (kiln_minisign_secret_key_load (key_path, &f->key, &error));
    g_assert_true (kiln_minisign_public_key_parse (pub, &trusted, &error));
    f->trusted = g_array_new (FALSE, FALSE, sizeof trusted);
    g_array_append_val (f->trusted, trusted);
    sig_path = kiln_production_profile_sign_file (f->profile_path, &f->key, FALSE, &error);
    g_assert_no_error (error);
    g_assert_nonnull (sig_path);
  }
  f->db_path = g_build_filename (f->dir, "station.db", NULL);
}

static gboolean
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  return g_rmdir (path) == 0;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (!g_test_failed ())
    remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->firmware);
  g_free (f->firmware_data);
  g_free (f->profile_path);
  g_free (f->db_path);
  g_array_unref (f->trusted);
}

static KilnSimBench *
make_bench (Fixture    *f,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  KilnSimBench *bench = kiln_sim_bench_new_from_data (text, f->dir, &error);

  g_assert_no_error (error);
  return bench;
}

static KilnUsbProbeInfo *
probe_info (KilnSimBench *bench,
            guint         index)
{
  g_autoptr(GPtrArray) probes = kiln_usb_list_probes (bench, NULL);
  const char *serial = kiln_sim_probe_get_serial (kiln_sim_bench_get_probe (bench, index));

  for (guint i = 0; i < probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (probes, i);

      if (kiln_usb_probe_info_get_backend (info) == KILN_USB_BACKEND_SIMULATOR
          && g_strcmp0 (kiln_usb_probe_info_get_serial (info), serial) == 0)
        return g_object_ref (info);
    }
  g_assert_not_reached ();
}

/* What flash.bin must hold: the firmware, the serial's field, the rest erased. */
static void
assert_board_flash (Fixture    *f,
                    const char *state_dir,
                    const char *serial)
{
  g_autofree char *path = g_build_filename (state_dir, "flash.bin", NULL);
  g_autofree char *contents = NULL;
  g_autofree guint8 *expected = g_malloc (FLASH_SIZE);
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, FLASH_SIZE);
  memset (expected, 0xFF, FLASH_SIZE);
  memcpy (expected, f->firmware_data, FIRMWARE_SIZE);
  if (serial != NULL)
    {
      memset (expected + (SERIAL_ADDRESS - 0x08000000), 0, SERIAL_SIZE);
      memcpy (expected + (SERIAL_ADDRESS - 0x08000000), serial, strlen (serial));
    }
  for (gsize i = 0; i < FLASH_SIZE; i++)
    if ((guint8) contents[i] != expected[i])
      g_error ("%s: byte 0x%08zX is 0x%02X, want 0x%02X", path, 0x08000000 + i, (guint8) contents[i], expected[i]);
}

static KilnProductionProfile *
load_profile (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  KilnProductionProfile *profile = kiln_production_profile_load_signed (f->profile_path, f->trusted, &error);

  g_assert_no_error (error);
  g_assert_true (kiln_production_profile_is_locked (profile));
  return profile;
}

/* One board through a production job; returns the entry's result. */
static gboolean
run_board (KilnSession           *session,
           KilnProductionProfile *profile,
           KilnProductionRecord  *record,
           KilnSerialAllocator   *allocator,
           KilnUsbProbeInfo      *info,
           GError               **error)
{
  g_autoptr(KilnProductionJob) job = kiln_production_job_new (profile, record, allocator, info, "test-station");

  return kiln_session_run_sync (session, kiln_production_job_run, job, NULL, NULL, error);
}

static void
test_pinned_file (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = NULL;
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *state = g_build_filename (f->dir, "board", NULL);
  g_autofree char *bench_text = g_strdup_printf ("[probe]\n[board]\nstate = %s\n", state);
  const KilnProductionEntry *entry;

  /* The pinned file loads. */
  image = kiln_production_profile_load_image (profile, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiln_image_get_total_size (image), ==, FIRMWARE_SIZE);
  g_clear_object (&image);

  /* A locked profile refuses changes until it is deliberately unlocked. */
  g_assert_false (kiln_production_profile_set_chip (profile, "STM32F767ZI", &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_LOCKED);
  g_clear_error (&error);

  /* One byte changed in the file: refused, not used. */
  f->firmware_data[100] ^= 0x01;
  g_assert_true (g_file_set_contents (f->firmware, (char *) f->firmware_data, FIRMWARE_SIZE, &error));
  image = kiln_production_profile_load_image (profile, &error);
  g_assert_null (image);
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_FILE_CHANGED);
  g_assert_nonnull (strstr (error->message, "widget.bin has changed since the profile was signed"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* On the line: FAIL in the record with that cause, and the board untouched. */
  bench = make_bench (f, bench_text);
  info = probe_info (bench, 0);
  session = kiln_session_new ("probe");
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_false (run_board (session, profile, record, NULL, info, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_FILE_CHANGED);
  g_clear_error (&error);
  entries = kiln_production_record_list (record, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_false (entry->pass);
  g_assert_nonnull (strstr (entry->cause, "has changed"));
  g_assert_null (entry->serial_number);
  g_assert_true (kiln_sim_bench_save (bench, &error));
  g_assert_no_error (error);
  {
    g_autofree char *path = g_build_filename (state, "flash.bin", NULL);
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    for (gsize i = 0; i < length; i++)
      g_assert_cmphex ((guint8) contents[i], ==, 0xFF);
  }

  /* Unlocked on purpose, the engineer can change it again. */
  kiln_production_profile_unlock (profile);
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F767ZI", &error));
  g_assert_no_error (error);
}

static void
test_profile_refusals (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = kiln_production_profile_new ();
  g_autoptr(KilnProductionProfile) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "bad.kiln-profile", NULL);
  KilnSerialSettings serial = { 0 };

  /* A serial number inside the firmware is refused when locking. */
  g_assert_true (kiln_production_profile_set_firmware (profile, f->firmware, TRUE, 0x08000000, &error));
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F746NG", &error));
  serial.source = KILN_SERIAL_SOURCE_COUNTER;
  serial.address = 0x08000100;
  serial.format = (char *) "SN-%06u";
  g_assert_true (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_false (kiln_production_profile_lock (profile, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "would overwrite"));
  g_clear_error (&error);
  g_assert_false (kiln_production_profile_is_locked (profile));

  /* Bad formats. */
  serial.address = SERIAL_ADDRESS;
  serial.format = (char *) "SN-%s";
  g_assert_false (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE);
  g_clear_error (&error);
  serial.format = (char *) "%u-%u";
  g_assert_false (kiln_production_profile_set_serial (profile, &serial, &error));
  g_clear_error (&error);

  /* An unknown chip cannot be locked. */
  serial.format = (char *) "SN-%06u";
  g_assert_true (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F999", &error));
  g_assert_false (kiln_production_profile_lock (profile, &error));
  g_clear_error (&error);

  /* Saved unlocked and loaded back: still unlocked, the same settings. */
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F74x/F75x", &error));
  g_assert_true (kiln_production_profile_save (profile, path, &error));
  loaded = kiln_production_profile_load (path, &error);
  g_assert_no_error (error);
  g_assert_false (kiln_production_profile_is_locked (loaded));
  g_assert_cmpstr (kiln_production_profile_get_serial (loaded)->format, ==, "SN-%06u");
  g_assert_cmphex (kiln_production_profile_get_serial (loaded)->address, ==, SERIAL_ADDRESS);
  g_assert_true (kiln_production_profile_lock (loaded, &error));
  g_assert_no_error (error);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* The station's wait for the next board (the bench's line advances by
 * itself once the host has let go of the board). */
static gboolean
wait_for_board (KilnSession      *session,
                KilnUsbProbeInfo *info,
                gboolean          after_removal,
                GCancellable     *cancellable,
                GError          **error);

static void
test_sequence (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("probe");
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) uids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *boards = g_build_filename (f->dir, "boards", NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nsequence = 20\nstate = %s\n"
                                           "remove-after = 100\narrive-after = 150\n", boards);
  const guint n = 20;

  bench = make_bench (f, text);
  g_assert_cmpuint (kiln_sim_bench_get_sequence_length (bench, 0), ==, n);
  info = probe_info (bench, 0);
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);

  for (guint i = 1; i <= n; i++)
    {
      g_assert_cmpuint (kiln_sim_bench_get_board_number (bench, 0), ==, i);
      g_assert_true (run_board (session, profile, record, NULL, info, &error));
      g_assert_no_error (error);
      if (i < n)
        {
          g_assert_true (wait_for_board (session, info, TRUE, NULL, &error));
          g_assert_no_error (error);
        }
    }
  /* The sequence is over: the last board is taken away, none comes. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 1, cancel_cb, g_object_ref (cancellable), g_object_unref);
    g_assert_false (wait_for_board (session, info, TRUE, cancellable, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_cmpuint (kiln_sim_bench_get_board_number (bench, 0), ==, 0);
  }
  g_assert_true (kiln_sim_bench_save (bench, &error));

  entries = kiln_production_record_list (record, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const KilnProductionEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *expected = g_strdup_printf ("SN-%06u", i + 1);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *state = g_build_filename (boards, number, NULL);

      g_assert_true (e->pass);
      g_assert_null (e->cause);
      g_assert_cmpstr (e->serial_number, ==, expected);
      g_assert_cmpuint (strlen (e->chip_uid), ==, 24);
      g_assert_false (g_hash_table_contains (uids, e->chip_uid));
      g_hash_table_add (uids, e->chip_uid);
      g_assert_cmpstr (e->chip, ==, "STM32F74x/F75x");
      g_assert_cmpstr (e->station, ==, "test-station");
      g_assert_cmpstr (e->file_name, ==, "widget.bin");
      g_assert_cmpstr (e->file_sha256, ==, kiln_production_profile_get_sha256 (profile));
      g_assert_cmpstr (e->option_bytes, !=, NULL);
      g_assert_true (g_str_has_prefix (e->option_bytes, "rdp=0 wrp=none optcr=0x"));
      g_assert_cmpfloat (e->phase_seconds[KILN_FLASH_PHASE_PROGRAM], >, 0);
      g_assert_cmpfloat (e->total_seconds, >, 0);
      assert_board_flash (f, state, expected);
    }
}

static void
test_write_protected_board (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("probe");
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *boards = g_build_filename (f->dir, "boards", NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nsequence = 5\nstate = %s\n"
                                           "remove-after = 100\narrive-after = 150\n[board.3]\nnwrp = 0xFE\n", boards);

  bench = make_bench (f, text);
  info = probe_info (bench, 0);
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);

  for (guint i = 1; i <= 5; i++)
    {
      gboolean pass = run_board (session, profile, record, NULL, info, &error);

      if (i == 3)
        {
          g_assert_false (pass);
          g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_true (pass);
        }
      if (i < 5)
        g_assert_true (wait_for_board (session, info, TRUE, NULL, NULL));
    }
  g_assert_true (kiln_sim_bench_save (bench, &error));

  entries = kiln_production_record_list (record, &error);
  g_assert_cmpuint (entries->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      const KilnProductionEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *expected = g_strdup_printf ("SN-%06u", i + 1);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *state = g_build_filename (boards, number, NULL);

      /* The failed board's number stays recorded against its UID. */
      g_assert_cmpstr (e->serial_number, ==, expected);
      if (i == 2)
        {
          g_autofree char *contents = NULL;
          g_autofree char *path = g_build_filename (state, "flash.bin", NULL);
          gsize length;

          g_assert_false (e->pass);
          g_test_message ("board 3: %s", e->cause);
          g_assert_nonnull (strstr (e->cause, "Sector 0 is write-protected"));
          g_assert_true (g_str_has_prefix (e->option_bytes, "rdp=0 wrp=0 "));
          g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
          for (gsize j = 0; j < length; j++)
            g_assert_cmphex ((guint8) contents[j], ==, 0xFF);
        }
      else
        {
          g_assert_true (e->pass);
          assert_board_flash (f, state, expected);
        }
    }
}

typedef struct
{
  guint     pending;
  GMainLoop *loop;
  GError   *errors[4];
} Parallel;

static void
on_parallel_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Parallel *p = user_data;
  guint index = GPOINTER_TO_UINT (g_object_get_data (source, "index"));

  kiln_session_run_finish (KILN_SESSION (source), result, &p->errors[index]);
  if (--p->pending == 0)
    g_main_loop_quit (p->loop);
}

static double
run_four (Fixture    *f,
          const char *name,
          gboolean    parallel)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *db = g_strdup_printf ("%s/%s.db", f->dir, name);
  KilnSession *sessions[4];
  gint64 start;
  double seconds;
  Parallel p = { 4, g_main_loop_new (NULL, FALSE), { NULL } };
  g_autoptr(GHashTable) serials = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 1; i <= 4; i++)
    g_string_append_printf (text, "[probe %u]\nmodel = stlink-v3\n[board %u]\nstate = %s/%s/%u\n", i, i, f->dir, name, i);
  bench = make_bench (f, text->str);
  g_assert_cmpuint (kiln_sim_bench_get_n_probes (bench), ==, 4);
  record = kiln_production_record_open (db, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 4; i++)
    {
      sessions[i] = kiln_session_new (kiln_sim_probe_get_serial (kiln_sim_bench_get_probe (bench, i)));
      g_object_set_data (G_OBJECT (sessions[i]), "index", GUINT_TO_POINTER (i));
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(KilnUsbProbeInfo) info = probe_info (bench, i);
      KilnProductionJob *job = kiln_production_job_new (profile, record, NULL, info, name);

      if (parallel)
        kiln_session_run_async (sessions[i], kiln_production_job_run, job,
                                (GDestroyNotify) kiln_production_job_free, NULL, NULL, on_parallel_done, &p);
      else
        {
          g_assert_true (kiln_session_run_sync (sessions[i], kiln_production_job_run, job, NULL, NULL, &error));
          g_assert_no_error (error);
          kiln_production_job_free (job);
        }
    }
  if (parallel)
    g_main_loop_run (p.loop);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_main_loop_unref (p.loop);

  for (guint i = 0; i < 4; i++)
    {
      g_assert_no_error (p.errors[i]);
      g_object_unref (sessions[i]);
    }
  g_assert_true (kiln_sim_bench_save (bench, &error));

  /* Each board: PASS, its own serial number, its flash right. */
  entries = kiln_production_record_list (record, &error);
  g_assert_cmpuint (entries->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const KilnProductionEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *state = NULL;

      g_assert_true (e->pass);
      g_assert_false (g_hash_table_contains (serials, e->serial_number));
      g_hash_table_add (serials, e->serial_number);
      for (guint k = 0; k < 4; k++)
        if (g_strcmp0 (e->probe_serial, kiln_sim_probe_get_serial (kiln_sim_bench_get_probe (bench, k))) == 0)
          state = g_strdup_printf ("%s/%s/%u", f->dir, name, k + 1);
      g_assert_nonnull (state);
      assert_board_flash (f, state, e->serial_number);
    }
  for (guint i = 1; i <= 4; i++)
    {
      g_autofree char *s = g_strdup_printf ("SN-%06u", i);

      g_assert_true (g_hash_table_contains (serials, s));
    }
  return seconds;
}

static void
test_four_probes (Fixture       *f,
                  gconstpointer  data)
{
  double parallel = run_four (f, "parallel", TRUE);
  double sequential = run_four (f, "sequential", FALSE);

  /* Timing is printed, not asserted: the machine may be busy. */
  g_test_message ("four probes in parallel: %.2f s wall time; one after another: %.2f s (%.1fx)", parallel,
                  sequential, sequential / parallel);
  g_printerr ("# four probes in parallel: %.2f s wall time; one after another: %.2f s (%.1fx)\n", parallel,
              sequential, sequential / parallel);
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionRecord) record = kiln_production_record_open (f->db_path, &error);
  g_autoptr(KilnProductionEntry) a = kiln_production_entry_new ();
  g_autoptr(KilnProductionEntry) b = kiln_production_entry_new ();
  g_autoptr(GOutputStream) csv = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) jsonl = g_memory_output_stream_new_resizable ();
  g_autofree char *csv_text = NULL;
  g_autofree char *jsonl_text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  a->station = g_strdup ("line 1");
  a->chip_uid = g_strdup ("00210041");
  a->pass = TRUE;
  a->serial_number = g_strdup ("SN-1");
  a->phase_seconds[KILN_FLASH_PHASE_ERASE] = 0.25;
  b->station = g_strdup ("line 1");
  b->pass = FALSE;
  b->cause = g_strdup ("Sector 0 is write-protected, \"really\"\nsecond line");
  g_assert_true (kiln_production_record_append (record, a, 0, &error));
  g_assert_true (kiln_production_record_append (record, b, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (b->id, ==, a->id + 1);

  g_assert_true (kiln_production_record_export (record, KILN_PRODUCTION_EXPORT_CSV, csv, &error));
  g_assert_true (kiln_production_record_export (record, KILN_PRODUCTION_EXPORT_JSONL, jsonl, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (csv, "", 1, NULL, NULL, NULL);
  g_output_stream_write_all (jsonl, "", 1, NULL, NULL, NULL);
  g_output_stream_close (csv, NULL, NULL);
  g_output_stream_close (jsonl, NULL, NULL);
  csv_text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (csv));
  jsonl_text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (jsonl));

  g_assert_true (g_str_has_prefix (csv_text, "id,time,station,profile,probe_serial,chip_uid,chip,revision,file_name,"
                                             "file_sha256,serial_number,option_bytes,result,cause,connect_s,"));
  g_assert_nonnull (strstr (csv_text, ",SN-1,,PASS,,"));
  g_assert_nonnull (strstr (csv_text, "0.250000"));
  g_assert_nonnull (strstr (csv_text, ",FAIL,\"Sector 0 is write-protected, \"\"really\"\"\nsecond line\","));
  lines = g_strsplit (jsonl_text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_nonnull (strstr (lines[0], "\"result\":\"PASS\""));
  g_assert_nonnull (strstr (lines[1], "\"cause\":\"Sector 0 is write-protected, \\\"really\\\"\\nsecond line\""));
  g_assert_cmpstr (lines[2], ==, "");
}

static void
on_wait_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = ((gpointer *) user_data)[0];
  GMainLoop *loop = ((gpointer *) user_data)[1];

  kiln_session_run_finish (KILN_SESSION (source), result, error);
  g_main_loop_quit (loop);
}

static gboolean
wait_for_board (KilnSession      *session,
                KilnUsbProbeInfo *info,
                gboolean          after_removal,
                GCancellable     *cancellable,
                GError          **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GError *local = NULL;
  gpointer done[2] = { &local, loop };

  kiln_session_run_async (session, kiln_production_wait_for_board, kiln_board_wait_new (info, after_removal),
                          (GDestroyNotify) kiln_board_wait_free, NULL, cancellable, on_wait_done, done);
  g_main_loop_run (loop);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

/* A host that takes the board in debug mode and lets go of it. */
static void
hold_and_release (KilnUsbProbeInfo *info)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnUsbDevice) device = kiln_usb_probe_info_open (info, &error);
  g_autoptr(KilnStlink) stlink = NULL;

  g_assert_no_error (error);
  stlink = kiln_stlink_open (device, &error);
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_connect (stlink, 1800, FALSE, &error));
  g_assert_no_error (error);
  kiln_stlink_close (stlink);
}

/* A board taken out: the probe measures no supply, a job records FAIL with
 * that cause; the slot's wait ends only when the next board is powered. */
static void
test_board_swap (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("probe");
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *boards = g_build_filename (f->dir, "boards", NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nsequence = 2\nstate = %s\n"
                                           "remove-after = 0\narrive-after = 300\n", boards);
  gpointer done[2] = { &error, loop };
  const KilnProductionEntry *e;
  gint64 start;

  bench = make_bench (f, text);
  info = probe_info (bench, 0);
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);

  /* The first board is held and let go of: the line takes it away. */
  hold_and_release (info);
  g_assert_false (run_board (session, profile, record, NULL, info, &error));
  g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET_VOLTAGE);
  g_clear_error (&error);

  g_assert_cmpuint (kiln_sim_bench_get_board_number (bench, 0), ==, 0);

  /* Armed on an empty socket: the wait ends once the next board is in,
   * arrive-after (300 ms of the board's time, nearly all of it the
   * station's 100 ms sleeps between polls) later. */
  start = g_get_monotonic_time ();
  kiln_session_run_async (session, kiln_production_wait_for_board, kiln_board_wait_new (info, FALSE),
                          (GDestroyNotify) kiln_board_wait_free, NULL, NULL, on_wait_done, done);
  g_main_loop_run (loop);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200000);
  g_assert_cmpuint (kiln_sim_bench_get_board_number (bench, 0), ==, 2);
  g_assert_true (run_board (session, profile, record, NULL, info, &error));
  g_assert_no_error (error);

  entries = kiln_production_record_list (record, &error);
  g_assert_cmpuint (entries->len, ==, 2);
  e = g_ptr_array_index (entries, 0);
  g_assert_false (e->pass);
  g_assert_nonnull (strstr (e->cause, "no power"));
  g_assert_null (e->serial_number);
  e = g_ptr_array_index (entries, 1);
  g_assert_true (e->pass);
  /* No number was spent on the empty socket. */
  g_assert_cmpstr (e->serial_number, ==, "SN-000001");
  g_assert_true (kiln_sim_bench_save (bench, &error));
  {
    g_autofree char *state = g_build_filename (boards, "2", NULL);

    assert_board_flash (f, state, "SN-000001");
  }
}

/* The station looked elsewhere for longer than the line takes to swap the
 * board (a slow record, a database restart): it never saw the empty socket.
 * Waiting for a removal alone would wait for good; told the last board's UID,
 * the wait finds the next board by its own UID and keeps it in hand for the
 * job. */
static void
test_unseen_swap (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("probe");
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *boards = g_build_filename (f->dir, "boards", NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nsequence = 2\nstate = %s\n"
                                           "remove-after = 100\narrive-after = 150\n", boards);
  gpointer done[2] = { &error, loop };
  g_autofree char *first_uid = NULL;

  bench = make_bench (f, text);
  info = probe_info (bench, 0);
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_true (run_board (session, profile, record, NULL, info, &error));
  g_assert_no_error (error);
  entries = kiln_production_record_list (record, &error);
  g_assert_no_error (error);
  first_uid = g_strdup (((KilnProductionEntry *) g_ptr_array_index (entries, 0))->chip_uid);
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* Away for 400 ms (the host's gap is board time): more than the 250 ms
   * the swap takes, however loaded the machine. */
  g_usleep (400 * 1000);

  /* Without the UID, nothing tells the new board from the old one. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 1, cancel_cb, g_object_ref (cancellable), g_object_unref);
    g_assert_false (wait_for_board (session, info, TRUE, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  g_assert_cmpuint (kiln_sim_bench_get_board_number (bench, 0), ==, 2);

  /* With it, the wait ends on the new board, taken in hand. */
  {
    KilnBoardWait *wait = kiln_board_wait_new (info, TRUE);

    kiln_board_wait_set_last_uid (wait, first_uid);
    kiln_session_run_async (session, kiln_production_wait_for_board, wait, (GDestroyNotify) kiln_board_wait_free,
                            NULL, NULL, on_wait_done, done);
    g_main_loop_run (loop);
    g_assert_no_error (error);
  }
  /* However long the station takes to start the job now. */
  g_usleep (400 * 1000);
  g_assert_cmpuint (kiln_sim_bench_get_board_number (bench, 0), ==, 2);
  g_assert_true (run_board (session, profile, record, NULL, info, &error));
  g_assert_no_error (error);
  entries = kiln_production_record_list (record, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_true (((KilnProductionEntry *) g_ptr_array_index (entries, 1))->pass);
  g_assert_cmpstr (((KilnProductionEntry *) g_ptr_array_index (entries, 1))->chip_uid, !=, first_uid);
}

/* A profile that read-protects each board once it is programmed and
 * verified: PASS, the option bytes read back at level 1 in the record and in
 * the board's own option bytes; the same board again is refused by the
 * engine (read-protected) and keeps its number. */
static void
test_set_option_bytes (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("probe");
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GKeyFile) options = g_key_file_new ();
  g_autofree char *state = g_build_filename (f->dir, "board", NULL);
  g_autofree char *options_path = g_build_filename (state, "options.ini", NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nstate = %s\n", state);
  g_autofree char *optcr = NULL;
  char *set[] = { (char *) "rdp=1", NULL };
  KilnOptionBytesExpectation expected = { -1, FALSE, 0, set, FALSE };
  const KilnProductionEntry *e;

  kiln_production_profile_unlock (profile);
  g_assert_true (kiln_production_profile_set_option_bytes (profile, &expected, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_production_profile_lock (profile, &error));
  g_assert_true (kiln_production_profile_save (profile, f->profile_path, &error));
  g_clear_object (&profile);
  /* Changed after signing: refused until the engineer signs it again. */
  g_assert_null (kiln_production_profile_load_signed (f->profile_path, f->trusted, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_NOT_SIGNED);
  g_assert_nonnull (strstr (error->message, "option-bytes.set = rdp=1 was added"));
  g_clear_error (&error);
  g_free (kiln_production_profile_sign_file (f->profile_path, &f->key, FALSE, &error));
  g_assert_no_error (error);
  profile = load_profile (f);
  g_assert_cmpstr (kiln_production_profile_get_option_bytes (profile)->set[0], ==, "rdp=1");

  bench = make_bench (f, text);
  info = probe_info (bench, 0);
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);

  g_assert_true (run_board (session, profile, record, NULL, info, &error));
  g_assert_no_error (error);
  g_assert_false (run_board (session, profile, record, NULL, info, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_READ_PROTECTED);
  g_clear_error (&error);
  g_assert_true (kiln_sim_bench_save (bench, &error));

  entries = kiln_production_record_list (record, &error);
  g_assert_cmpuint (entries->len, ==, 2);
  e = g_ptr_array_index (entries, 0);
  g_assert_true (e->pass);
  g_assert_true (g_str_has_prefix (e->option_bytes, "rdp=1 "));
  g_assert_cmpfloat (e->phase_seconds[KILN_FLASH_PHASE_OPTION_BYTES], >, 0);
  e = g_ptr_array_index (entries, 1);
  g_assert_false (e->pass);
  g_assert_cmpstr (e->serial_number, ==, "SN-000001");

  /* The board's own option bytes, as the bench keeps them. */
  g_assert_true (g_key_file_load_from_file (options, options_path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  optcr = g_key_file_get_string (options, "options", "optcr", &error);
  g_assert_no_error (error);
  g_assert_cmphex ((g_ascii_strtoull (optcr, NULL, 0) >> 8) & 0xFF, !=, 0xAA);
  g_assert_cmphex ((g_ascii_strtoull (optcr, NULL, 0) >> 8) & 0xFF, !=, 0xCC);

  /* A bad assignment is refused when the profile is prepared. */
  kiln_production_profile_unlock (profile);
  set[0] = (char *) "rdp=7";
  g_assert_false (kiln_production_profile_set_option_bytes (profile, &expected, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE);
}

static KilnSerialAllocation *
allocate (KilnSerialAllocator *allocator,
          const char          *uid)
{
  g_autoptr(GError) error = NULL;
  KilnSerialAllocation *a = kiln_serial_allocator_allocate (allocator, uid, "station", "probe", &error);

  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

/* The three sources and two encodings, without a board. */
static void
test_serial_sources (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionRecord) record = kiln_production_record_open (f->db_path, &error);
  g_autofree char *list_path = g_build_filename (f->dir, "serials.txt", NULL);
  KilnSerialSettings counter = { KILN_SERIAL_SOURCE_COUNTER, SERIAL_ADDRESS, (char *) "K%04X-rev%%B", 0xFFE, NULL,
                                 NULL, KILN_SERIAL_ENCODING_ASCII, 0 };
  KilnSerialSettings word = { KILN_SERIAL_SOURCE_COUNTER, SERIAL_ADDRESS, NULL, 7, NULL, (char *) "words",
                              KILN_SERIAL_ENCODING_U32LE, 0 };
  KilnSerialSettings list = { KILN_SERIAL_SOURCE_LIST, SERIAL_ADDRESS, NULL, 0, (char *) "serials.txt", NULL,
                              KILN_SERIAL_ENCODING_ASCII, 8 };
  KilnSerialSettings uid = { KILN_SERIAL_SOURCE_UID, SERIAL_ADDRESS, (char *) "U-%s", 0, NULL, NULL,
                             KILN_SERIAL_ENCODING_ASCII, 0 };
  g_autoptr(KilnSerialAllocator) a_counter = NULL;
  g_autoptr(KilnSerialAllocator) a_word = NULL;
  g_autoptr(KilnSerialAllocator) a_list = NULL;
  g_autoptr(KilnSerialAllocator) a_uid = NULL;
  g_autoptr(KilnSerialAllocation) x = NULL;
  g_autoptr(KilnSerialAllocation) y = NULL;
  g_autoptr(KilnSerialAllocation) z = NULL;
  gsize size;
  const guint8 *bytes;

  g_assert_no_error (error);
  g_assert_true (kiln_serial_settings_validate (&counter, &error));
  a_counter = kiln_serial_allocator_new (record, &counter, NULL);
  a_word = kiln_serial_allocator_new (record, &word, NULL);

  /* A hexadecimal counter with a literal %, NUL-padded to a word. */
  x = allocate (a_counter, "A");
  g_assert_cmpstr (x->value, ==, "K0FFE-rev%B");
  bytes = g_bytes_get_data (x->bytes, &size);
  g_assert_cmpuint (size, ==, 12);
  g_assert_cmpmem (bytes, 12, "K0FFE-rev%B\0", 12);
  y = allocate (a_counter, "B");
  g_assert_cmpstr (y->value, ==, "K0FFF-rev%B");
  g_assert_false (y->reused);
  /* The same chip again keeps its number. */
  z = allocate (a_counter, "A");
  g_assert_cmpstr (z->value, ==, "K0FFE-rev%B");
  g_assert_true (z->reused);
  g_assert_cmpint (z->id, ==, x->id);
  g_clear_pointer (&x, kiln_serial_allocation_free);
  g_clear_pointer (&y, kiln_serial_allocation_free);
  g_clear_pointer (&z, kiln_serial_allocation_free);

  /* A 32-bit little-endian counter in its own series, starting at 7. */
  x = allocate (a_word, "A");
  bytes = g_bytes_get_data (x->bytes, &size);
  g_assert_cmpmem (bytes, size, "\x07\0\0\0", 4);
  g_clear_pointer (&x, kiln_serial_allocation_free);

  /* A list: in order, comments and blank lines skipped, used up with a clear error. */
  g_assert_true (g_file_set_contents (list_path, "# batch 12\nLOT-A1\n\nLOT-A2\n", -1, NULL));
  a_list = kiln_serial_allocator_new (record, &list, list_path);
  x = allocate (a_list, "A");
  y = allocate (a_list, "B");
  g_assert_cmpstr (x->value, ==, "LOT-A1");
  g_assert_cmpstr (y->value, ==, "LOT-A2");
  g_assert_cmpuint (g_bytes_get_size (y->bytes), ==, 8);
  g_assert_null (kiln_serial_allocator_allocate (a_list, "C", "station", "probe", &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL);
  g_assert_nonnull (strstr (error->message, "has been used"));
  g_clear_error (&error);
  /* More numbers in the list: the next board gets the first new one. */
  g_assert_true (g_file_set_contents (list_path, "# batch 12\nLOT-A1\n\nLOT-A2\nLOT-B1\n", -1, NULL));
  z = allocate (a_list, "C");
  g_assert_cmpstr (z->value, ==, "LOT-B1");
  g_clear_pointer (&x, kiln_serial_allocation_free);
  g_clear_pointer (&y, kiln_serial_allocation_free);
  g_clear_pointer (&z, kiln_serial_allocation_free);

  /* Derived from the UID. */
  a_uid = kiln_serial_allocator_new (record, &uid, NULL);
  x = allocate (a_uid, "3C12DA743236510C00210041");
  g_assert_cmpstr (x->value, ==, "U-3C12DA743236510C00210041");
  g_assert_cmpuint (g_bytes_get_size (x->bytes), ==, 28);

  /* A value longer than its field is refused, and spends no number. */
  list.size = 4;
  g_clear_object (&a_list);
  a_list = kiln_serial_allocator_new (record, &list, list_path);
  g_assert_null (kiln_serial_allocator_allocate (a_list, "D", "station", "probe", &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL);
  g_clear_error (&error);
  list.size = 8;
  g_clear_object (&a_list);
  g_assert_true (g_file_set_contents (list_path, "LOT-A1\nLOT-A2\nLOT-B1\nLOT-B2\n", -1, NULL));
  a_list = kiln_serial_allocator_new (record, &list, list_path);
  y = allocate (a_list, "D");
  g_assert_cmpstr (y->value, ==, "LOT-B2");
}

/* A virgin board whose firmware will turn the SWD pins off: Kiln's loader
 * runs from RAM, which does not, so the board programs (without the final
 * reset, the firmware does not run yet). */
static void
test_swd_off_firmware (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("probe");
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autofree char *state = g_build_filename (f->dir, "board", NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nstate = %s\n[faults]\nswd-disabled-by-firmware = true\n",
                                           state);
  g_autofree char *report = NULL;

  kiln_production_profile_unlock (profile);
  g_assert_true (kiln_production_profile_set_options (profile, TRUE, FALSE, TRUE, &error));
  g_assert_true (kiln_production_profile_lock (profile, &error));
  g_assert_no_error (error);

  bench = make_bench (f, text);
  info = probe_info (bench, 0);
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_true (run_board (session, profile, record, NULL, info, &error));
  g_assert_no_error (error);
  report = kiln_sim_bench_dup_report_json (bench);
  g_assert_null (strstr (report, "swd-disabled-by-firmware"));
  g_assert_true (kiln_sim_bench_save (bench, &error));
  assert_board_flash (f, state, "SN-000001");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/Kiln/Production/pinned-file", Fixture, NULL, fixture_set_up, test_pinned_file, fixture_tear_down);
  g_test_add ("/Kiln/Production/profile-refusals", Fixture, NULL, fixture_set_up, test_profile_refusals,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/serial-sources", Fixture, NULL, fixture_set_up, test_serial_sources,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/Kiln/Production/sequence-of-20", Fixture, NULL, fixture_set_up, test_sequence, fixture_tear_down);
  g_test_add ("/Kiln/Production/write-protected-board", Fixture, NULL, fixture_set_up, test_write_protected_board,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/board-swap", Fixture, NULL, fixture_set_up, test_board_swap, fixture_tear_down);
  g_test_add ("/Kiln/Production/unseen-swap", Fixture, NULL, fixture_set_up, test_unseen_swap, fixture_tear_down);
  g_test_add ("/Kiln/Production/set-option-bytes", Fixture, NULL, fixture_set_up, test_set_option_bytes,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/swd-off-firmware", Fixture, NULL, fixture_set_up, test_swd_off_firmware,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/four-probes", Fixture, NULL, fixture_set_up, test_four_probes, fixture_tear_down);
  return g_test_run ();
}
