/* test-window-jobs.c — the window's jobs when things go wrong, driven by
 * real key presses and clicks under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kiln-sim-bench.h"
#include "kiln-test-input.h"
#include "kiln-test-window.h"

static gboolean
probe_back (gpointer data)
{
  return _kiln_window_can_program (data);
}

static gboolean
no_probe_selected (gpointer data)
{
  return kiln_probe_selector_get_selected (_kiln_window_get_probe_selector (data)) == NULL;
}

static gboolean
widget_sensitive (gpointer data)
{
  return gtk_widget_is_sensitive (data);
}

static gboolean
no_result (gpointer data)
{
  return !kiln_test_has_result (data);
}

/* The probe is pulled out while Program writes: the result says the probe
 * went and which sectors were left half-written, the map keeps the plan
 * with those sectors marked, the log never says "Finished", and Retry
 * (clicked) programs the board once the probe is back. */
static void
test_unplug_mid_job (void)
{
  g_autofree char *hold_file = NULL;
  /* Held 96 KiB in (x32), when the window shows sector 1 being written, whatever
   * the machine's speed. */
  g_autofree char *flash_path = kiln_test_use_bench_held ("program:24576", "", &hold_file);
  gsize size = 768 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("job.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *log = NULL;
  g_autofree char *contents = NULL;
  KilnWindow *window = kiln_test_window_new (1024, 600);
  KilnMemoryMap *map = _kiln_window_get_memory_map (window);
  KilnTestSectorIs writing = { window, 1, KILN_SECTOR_STATE_WRITING };
  KilnSimProbe *probe;
  const char *text;
  GtkWidget *retry;
  guint n_failed = 0;
  gsize length;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  probe = kiln_sim_bench_get_probe (kiln_probe_selector_get_bench (_kiln_window_get_probe_selector (window)), 0);

  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, hold_file, 60000));
  g_assert_true (kiln_test_spin_until (kiln_test_sector_is, &writing, 60000));
  /* One bar for the whole job, already moved by the erases, and the
   * sector in words. */
  g_test_message ("progress: %s", _kiln_window_get_progress_text (window));
  g_assert_cmpfloat (_kiln_window_get_progress_fraction (window), >, 0);
  g_assert_nonnull (strstr (_kiln_window_get_progress_text (window), " sector "));
  g_assert_nonnull (strstr (_kiln_window_get_progress_text (window), " of 7 · "));
  kiln_test_save_screenshot (GTK_WIDGET (window), "programming.png");
  kiln_sim_probe_unplug (probe);
  kiln_test_release (hold_file);
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  kiln_test_spin (200);

  text = _kiln_window_get_result_text (window);
  g_test_message ("result: %s", text);
  g_assert_nonnull (strstr (text, "unplugged"));
  /* The map stays, and no tile still says a job is running on it. */
  g_assert_cmpuint (kiln_memory_map_get_n_sectors (map), ==, 8);
  /* The file covers sectors 0 to 6. */
  for (guint i = 0; i < 7; i++)
    {
      KilnSectorState st = kiln_memory_map_get_sector_state (map, i);
      g_autofree char *number = g_strdup_printf ("%u", i);

      g_test_message ("sector %u: %d", i, st);
      g_assert_cmpint (st, !=, KILN_SECTOR_STATE_ERASING);
      g_assert_cmpint (st, !=, KILN_SECTOR_STATE_WRITING);
      g_assert_cmpint (st, !=, KILN_SECTOR_STATE_VERIFYING);
      g_assert_cmpint (st, !=, KILN_SECTOR_STATE_UNTOUCHED);
      /* Each half-written sector is marked and named. */
      if (st == KILN_SECTOR_STATE_FAILED)
        {
          g_assert_nonnull (strstr (text, "left half-written"));
          const char *named = strstr (text, "ector");

          g_assert_nonnull (named);
          if (named != NULL)
            g_assert_nonnull (strstr (named, number));
          n_failed++;
        }
    }
  /* Sector 1 was being written when the probe went: something after it is
   * unfinished whatever moment the unplug landed. */
  g_assert_cmpuint (n_failed, >=, 1);
  log = _kiln_window_dup_log_text (window);
  g_assert_null (strstr (log, "Finished"));
  g_assert_cmpstr (_kiln_window_get_result_action (window), ==, "win.retry");
  /* The header no longer gives the plan as if it were being carried out. */
  g_test_message ("header: %s", _kiln_window_get_plan_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_plan_text (window), "Not finished: the chip does not hold this file."));
  kiln_test_save_screenshot (GTK_WIDGET (window), "unplugged-mid-job.png");
  /* The same on a large screen. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1920, 1080);
  kiln_test_spin (200);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  kiln_test_save_screenshot (GTK_WIDGET (window), "unplugged-mid-job-1920x1080.png");

  /* Back again (once the window has seen it go): Retry programs the board. */
  g_assert_true (kiln_test_spin_until (no_probe_selected, window, 30000));
  /* The banner says the probe was unplugged: no toast over it saying the
   * same (it covered the banner's last line). */
  g_test_message ("last toast: %s", _kiln_window_get_last_toast (window));
  g_assert_true (_kiln_window_get_last_toast (window) == NULL
                 || strstr (_kiln_window_get_last_toast (window), "is gone") == NULL);
  kiln_sim_probe_plug (probe);
  g_assert_true (kiln_test_spin_until (probe_back, window, 30000));
  kiln_test_wait_identified (window);
  if (!kiln_test_has_result (window))
    {
      g_clear_pointer (&log, g_free);
      log = _kiln_window_dup_log_text (window);
      g_test_message ("%s", log);
    }
  g_assert_true (kiln_test_has_result (window));
  retry = GTK_WIDGET (window->result_action);
  /* The button follows its action's state on the main loop. */
  g_assert_true (kiln_test_spin_until (widget_sensitive, retry, 10000));
  kiln_test_wait_drawn (retry);
  kiln_test_input_click (retry);
  /* The click started the job: the old result went. */
  if (!kiln_test_spin_until (no_result, window, 10000))
    {
      g_clear_pointer (&log, g_free);
      log = _kiln_window_dup_log_text (window);
      g_test_message ("%s", log);
      kiln_test_save_screenshot (GTK_WIDGET (window), "retry-missed.png");
      g_assert_not_reached ();
    }
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 120000));
  text = _kiln_window_get_result_text (window);
  g_test_message ("result after Retry: %s", text);
  g_clear_pointer (&log, g_free);
  log = _kiln_window_dup_log_text (window);
  g_test_message ("%s", log);
  g_assert_true (g_str_has_prefix (text, "Programmed and verified"));
  for (guint i = 0; i < 7; i++)
    g_assert_cmpint (kiln_memory_map_get_sector_state (map, i), !=, KILN_SECTOR_STATE_FAILED);

  kiln_test_close (window, flash_path);
  g_assert_true (g_file_get_contents (flash_path, &contents, &length, NULL));
  g_assert_cmpmem (contents, size, data, size);
  g_unlink (path);
}

/* Read…: the suggested name has no slash, a range of flash or RAM can be
 * read, and a range outside both is refused before anything is read. */
static void
test_read_range (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  gsize size = 8 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autofree char *out_path = kiln_test_write_temp ("out.bin", "", 0);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *range_name = NULL;
  g_autofree char *contents = NULL;
  KilnWindow *window = kiln_test_window_new (1280, 800);
  guint32 address = 0, length = 0;
  gsize n;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Programmed"));
  kiln_test_wait_identified (window);

  name = _kiln_window_dup_read_name (window, 0x08000000, 1024 * 1024);
  g_test_message ("suggested: %s", name);
  g_assert_null (strchr (name, '/'));
  g_assert_true (g_str_has_suffix (name, "-flash.bin"));
  range_name = _kiln_window_dup_read_name (window, 0x08000100, 0x100);
  g_assert_null (strchr (range_name, '/'));
  g_assert_nonnull (strstr (range_name, "080001FF"));

  g_assert_true (_kiln_window_parse_range (window, "0x20000000", "16K", &address, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, 16384);
  g_assert_false (_kiln_window_parse_range (window, "0x07000000", "1", &address, &length, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "not all in the chip"));
  g_clear_error (&error);
  g_assert_false (_kiln_window_parse_range (window, "somewhere", "1", &address, &length, &error));
  g_assert_nonnull (strstr (error->message, "not an address"));
  g_clear_error (&error);
  g_assert_false (_kiln_window_parse_range (window, "0x08000000", "0", &address, &length, &error));
  g_clear_error (&error);

  g_assert_true (_kiln_window_parse_range (window, " 0x08000100 ", "0x100", &address, &length, &error));
  _kiln_window_read_range_to_file (window, out, address, length);
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_test_message ("read: %s", _kiln_window_get_result_text (window));
  g_assert_true (g_file_get_contents (out_path, &contents, &n, NULL));
  g_assert_cmpuint (n, ==, 0x100);
  g_assert_cmpmem (contents, n, data + 0x100, 0x100);

  kiln_test_close (window, flash_path);
  g_unlink (path);
  g_unlink (out_path);
}

static gboolean
plan_checked (gpointer data)
{
  const char *text = _kiln_window_get_plan_text (data);

  return g_str_has_prefix (text, "Checked on the chip: ") || g_str_has_prefix (text, "Not compared with the chip first");
}

/* "… · about 1.2 s …" → 1.2 */
static double
plan_seconds (const char *text)
{
  const char *about = strstr (text, " · about ");

  g_assert_nonnull (about);
  return g_ascii_strtod (about + strlen (" · about "), NULL);
}

/* A Program (Ctrl+P) on a blank board: before it, the header gives the
 * estimate that assumes every sector needs its erase; once the job has
 * compared the board with the file, while it is still writing (held), the
 * header says what the plan is now: the three sectors are blank and are
 * written without an erase, and the estimate is the job's own, smaller. */
static void
test_plan_after_compare (void)
{
  g_autofree char *hold_file = NULL;
  /* Held 32 KiB into the writing: the comparison is over by then. */
  g_autofree char *flash_path = kiln_test_use_bench_held ("program:8192", "", &hold_file);
  gsize size = 96 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("blank.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  KilnWindow *window = kiln_test_window_new (1024, 600);

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  before = g_strdup (_kiln_window_get_plan_text (window));
  g_test_message ("before: %s", before);
  g_assert_true (g_str_has_prefix (before, "3 sectors will be erased and written (96 KiB), 5 untouched · about "));
  g_assert_nonnull (strstr (before, "if no sector is blank"));

  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, hold_file, 60000));
  g_assert_true (kiln_test_spin_until (plan_checked, window, 60000));
  after = g_strdup (_kiln_window_get_plan_text (window));
  g_test_message ("after the comparison: %s", after);
  g_assert_cmpstr (strstr (after, ": ") + 2, ==, strstr (after, "3 blank sectors"));
  g_assert_true (g_str_has_prefix (strstr (after, ": ") + 2,
                                   "3 blank sectors will be written without an erase (96 KiB), 5 untouched · about "));
  g_assert_null (strstr (after, "erased"));
  g_assert_null (strstr (after, "if no sector is blank"));
  g_assert_cmpfloat (plan_seconds (after), <, plan_seconds (before));
  g_assert_cmpfloat (plan_seconds (after), >, 0);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  kiln_test_save_screenshot (GTK_WIDGET (window), "plan-after-compare.png");
  kiln_test_release (hold_file);
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_test_message ("result: %s", _kiln_window_get_result_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Programmed and verified"));
  /* After the job the header says what was done. */
  g_assert_true (g_str_has_prefix (_kiln_window_get_plan_text (window), "Done: "));

  kiln_test_close (window, flash_path);
  g_unlink (path);
}

typedef struct
{
  gboolean    skip_unchanged;
  gboolean    verify;
  const char *during;    /* how the header starts while the job writes */
  const char *first;     /* the header after the first Program */
  const char *second;    /* and after the second, of the same file */
} Mode;

/* After a Program, in every mode the settings allow (skip unchanged on or
 * off, verify on or off), the header says what was done, not what the plan
 * was before the job: a second Program of the same file too. */
static void
test_header_after_job (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  static const Mode modes[] = {
    { TRUE, TRUE, "Checked on the chip: 3 blank sectors will be written without an erase (96 KiB), 5 untouched · about ",
      "Done: Programmed and verified 96 KiB (3 sectors, 0 unchanged). The chip holds this file.",
      "Done: The chip already holds this image: nothing was erased or written." },
    { FALSE, TRUE, "Not compared with the chip first (Skip Unchanged Sectors is off): 3 sectors will be erased and "
                   "written (96 KiB), 5 untouched",
      "Done: Programmed and verified 96 KiB (3 sectors, 0 unchanged). The chip holds this file.",
      "Done: Programmed and verified 96 KiB (3 sectors, 0 unchanged). The chip holds this file." },
    { TRUE, FALSE, "Checked on the chip: 3 blank sectors will be written without an erase (96 KiB), 5 untouched · about ",
      "Done: Programmed 96 KiB without verifying (3 sectors, 0 unchanged). Not checked: Verify reads the chip back "
      "against this file.",
      "Done: The chip already holds this image: nothing was erased or written." },
    { FALSE, FALSE, "Not compared with the chip first (Skip Unchanged Sectors is off): 3 sectors will be erased and "
                    "written (96 KiB), 5 untouched",
      "Done: Programmed 96 KiB without verifying (3 sectors, 0 unchanged). Not checked: Verify reads the chip back "
      "against this file.",
      "Done: Programmed 96 KiB without verifying (3 sectors, 0 unchanged). Not checked: Verify reads the chip back "
      "against this file." },
  };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *hold_file = NULL;
      /* The first Program is held mid-write: what the header says then. */
      g_autofree char *flash_path = kiln_test_use_bench_held ("program:8192", "", &hold_file);
      gsize size = 96 * 1024;
      g_autofree char *data = kiln_test_pattern (size);
      g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      KilnWindow *window;

      g_settings_set_boolean (settings, "skip-unchanged", modes[m].skip_unchanged);
      g_settings_set_boolean (settings, "verify", modes[m].verify);
      window = kiln_test_window_new (1024, 600);
      kiln_test_wait_identified (window);
      kiln_window_open_file_at (window, file, 0x08000000);
      kiln_test_wait_loaded (window);
      for (guint run = 0; run < 2; run++)
        {
          const char *header;

          g_test_message ("skip unchanged %s, verify %s, Program %u: before: %s",
                          modes[m].skip_unchanged ? "on" : "off", modes[m].verify ? "on" : "off",
                          run + 1, _kiln_window_get_plan_text (window));
          kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
          if (run == 0)
            {
              g_assert_true (kiln_test_spin_until (kiln_test_file_exists, hold_file, 60000));
              g_assert_true (kiln_test_spin_until (plan_checked, window, 60000));
              header = _kiln_window_get_plan_text (window);
              g_test_message ("while writing: %s", header);
              g_assert_true (g_str_has_prefix (header, modes[m].during));
              kiln_test_release (hold_file);
            }
          g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
          header = _kiln_window_get_plan_text (window);
          g_test_message ("result: %s", _kiln_window_get_result_text (window));
          g_test_message ("header: %s", header);
          g_assert_cmpstr (header, ==, run == 0 ? modes[m].first : modes[m].second);
        }
      kiln_test_close (window, flash_path);
      g_unlink (path);
    }
  g_settings_reset (settings, "skip-unchanged");
  g_settings_reset (settings, "verify");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.TestJobs");

  g_test_add_func ("/Kiln/UI/unplug-mid-job", test_unplug_mid_job);
  g_test_add_func ("/Kiln/UI/read-range", test_read_range);
  g_test_add_func ("/Kiln/UI/plan-after-compare", test_plan_after_compare);
  g_test_add_func ("/Kiln/UI/header-after-job", test_header_after_job);

  return g_test_run ();
}
