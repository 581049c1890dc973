/* kiln-test-station.c — what the production station's tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-test-station.h"

void
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

void
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

KilnSimBench *
make_bench (Fixture    *f,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  KilnSimBench *bench = kiln_sim_bench_new_from_data (text, f->dir, &error);

  g_assert_no_error (error);
  return bench;
}

KilnUsbProbeInfo *
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
void
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

KilnProductionProfile *
load_profile (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  KilnProductionProfile *profile = kiln_production_profile_load_signed (f->profile_path, f->trusted, &error);

  g_assert_no_error (error);
  g_assert_true (kiln_production_profile_is_locked (profile));
  return profile;
}

/* One board through a production job; returns the entry's result. */
gboolean
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


void
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
wait_cancellable (KilnSession      *session,
                  KilnUsbProbeInfo *info,
                  gboolean          after_removal,
                  const char       *last_uid,
                  GCancellable     *cancellable,
                  GError          **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GError *local = NULL;
  gpointer done[2] = { &local, loop };
  KilnBoardWait *wait = kiln_board_wait_new (info, after_removal);

  if (last_uid != NULL)
    kiln_board_wait_set_last_uid (wait, last_uid);
  kiln_session_run_async (session, kiln_production_wait_for_board, wait,
                          (GDestroyNotify) kiln_board_wait_free, NULL, cancellable, on_wait_done, done);
  g_main_loop_run (loop);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

gboolean
wait_for_board_within (KilnSession      *session,
                       KilnUsbProbeInfo *info,
                       gboolean          after_removal,
                       const char       *last_uid,
                       guint             seconds,
                       GError          **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint timeout = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, seconds, cancel_cb, g_object_ref (cancellable),
                                              g_object_unref);
  gboolean found = wait_cancellable (session, info, after_removal, last_uid, cancellable, error);

  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);
  return found;
}

/* A line that works brings the next board within a second of modeled time,
 * which is well under a minute of this machine's time even under load: a
 * wait longer than that is a line that stopped, and fails with a message
 * instead of hanging until the test harness kills the test. */
#define BOARD_WAIT_LIMIT_S 120

gboolean
wait_for_board (KilnSession      *session,
                KilnUsbProbeInfo *info,
                gboolean          after_removal,
                const char       *last_uid,
                GCancellable     *cancellable,
                GError          **error)
{
  GError *local = NULL;

  if (cancellable != NULL)
    return wait_cancellable (session, info, after_removal, last_uid, cancellable, error);
  if (wait_for_board_within (session, info, after_removal, last_uid, BOARD_WAIT_LIMIT_S, &local))
    return TRUE;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&local);
      g_set_error (&local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "no board came within %d s: the bench's line did not take the last board away "
                   "or did not bring the next one", BOARD_WAIT_LIMIT_S);
    }
  g_printerr ("wait_for_board: %s\n", local->message);
  g_propagate_error (error, local);
  return FALSE;
}

char *
last_board_uid (KilnProductionRecord *record)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = kiln_production_record_list (record, &error);
  const KilnProductionEntry *last;

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, >, 0);
  last = g_ptr_array_index (entries, entries->len - 1);
  return g_strdup (last->chip_uid);
}

/* A host that takes the board in debug mode and lets go of it. */
void
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
