/* test-production-boards.c — the production station with boards that do
 * not simply take their firmware: one taken out and swapped, option bytes
 * set after programming, firmware that turns SWD off, four probes at once
 *
 * Every flash.bin is checked byte for byte against what the board should
 * hold, independently of the engine's own read-back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-test-station.h"

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
    g_assert_false (wait_for_board_within (session, info, TRUE, NULL, 1, &error));
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/Kiln/Production/board-swap", Fixture, NULL, fixture_set_up, test_board_swap, fixture_tear_down);
  g_test_add ("/Kiln/Production/unseen-swap", Fixture, NULL, fixture_set_up, test_unseen_swap, fixture_tear_down);
  g_test_add ("/Kiln/Production/set-option-bytes", Fixture, NULL, fixture_set_up, test_set_option_bytes,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/swd-off-firmware", Fixture, NULL, fixture_set_up, test_swd_off_firmware,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/four-probes", Fixture, NULL, fixture_set_up, test_four_probes, fixture_tear_down);
  return g_test_run ();
}
