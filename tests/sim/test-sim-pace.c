/* test-sim-pace.c — the bench in real time, and holding a probe at a chosen
 * point until the test releases it ([bench] real-time, hold, hold-file)
 *
 * Nothing here depends on how fast the machine runs: pacing is checked in
 * the direction a slow machine cannot break (the board's time never runs
 * ahead of the wall clock), and a hold is seen by the file it creates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln-sim-bench.h"
#include "kiln-sim-error.h"
#include "kiln-sim-probe.h"

#define GET_VERSION 0xF1

/* One GET_VERSION round trip on a V2: the command out, six bytes back. */
static void
get_version (KilnSimProbe *probe)
{
  guint8 cmd[16] = { GET_VERSION };
  guint8 answer[64];
  gsize n = 0;

  g_assert_cmpint (kiln_sim_probe_bulk_transfer (probe, 0x02, cmd, sizeof cmd, &n, 1000), ==, KILN_SIM_USB_OK);
  g_assert_cmpint (kiln_sim_probe_bulk_transfer (probe, 0x81, answer, 6, &n, 1000), ==, KILN_SIM_USB_OK);
  g_assert_cmpuint (n, ==, 6);
}

static double
report_number (KilnSimBench *bench,
               const char   *key)
{
  g_autofree char *json = kiln_sim_bench_dup_report_json (bench);
  g_autofree char *pattern = g_strdup_printf ("\"%s\":", key);
  const char *at = strstr (json, pattern);

  g_assert_nonnull (at);
  return g_ascii_strtod (at + strlen (pattern), NULL);
}

static KilnSimBench *
bench_new (const char *bench_lines,
           const char *dir)
{
  g_autofree char *text = g_strdup_printf ("[bench]\n%s\n[probe]\n[board]\n", bench_lines);
  g_autoptr(GError) error = NULL;
  KilnSimBench *bench = kiln_sim_bench_new_from_data (text, dir, &error);

  g_assert_no_error (error);
  return bench;
}

/* In real time the board's timeline never runs ahead of the wall clock. */
static void
test_real_time (void)
{
  g_autoptr(KilnSimBench) bench = bench_new ("real-time = true", NULL);
  KilnSimProbe *probe = kiln_sim_bench_get_probe (bench, 0);
  gint64 wall0 = g_get_monotonic_time ();
  double first, virtual_s, wall_s;

  get_version (probe);
  first = report_number (bench, "total_time_s");
  for (guint i = 0; i < 200; i++)
    {
      get_version (probe);
      virtual_s = report_number (bench, "total_time_s") - first;
      wall_s = (g_get_monotonic_time () - wall0) / 1e6;
      if (virtual_s > wall_s)
        g_error ("after %u commands the board is at %.6f s, the wall clock at %.6f s", i + 1, virtual_s, wall_s);
    }
  g_assert_cmpfloat (virtual_s, >, 0);
  g_test_message ("200 commands: %.3f s modeled, %.3f s on the wall clock", virtual_s, wall_s);
}

typedef struct
{
  KilnSimProbe *probe;
  guint         done;   /* atomic: commands answered */
  guint         total;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; i < w->total; i++)
    {
      get_version (w->probe);
      g_atomic_int_inc (&w->done);
    }
  return NULL;
}

/* hold = read:N: once the probe has sent N bytes it stops answering, with
 * the hold file there, until the file is removed; the probe stays present
 * meanwhile (the rest of the bench answers). */
static void
test_hold (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-sim-pace-XXXXXX", &error);
  g_autofree char *held = g_build_filename (dir, "held", NULL);
  g_autoptr(KilnSimBench) bench = bench_new ("hold = read:60\nhold-file = held", dir);
  Worker w = { kiln_sim_bench_get_probe (bench, 0), 0, 20 };
  g_autofree char *contents = NULL;
  GThread *thread;
  guint done;

  g_assert_no_error (error);
  thread = g_thread_new ("commands", worker_run, &w);
  while (!g_file_test (held, G_FILE_TEST_EXISTS))
    g_usleep (1000);
  g_assert_true (g_file_get_contents (held, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "read:60");
  /* The bench counts an answer's six bytes when the command queues it: the
   * tenth answer is the one held back. */
  done = (guint) g_atomic_int_get (&w.done);
  g_assert_cmpuint (done, ==, 9);
  g_assert_true (kiln_sim_probe_is_present (w.probe));
  g_assert_cmpuint ((guint) g_atomic_int_get (&w.done), ==, done);
  g_assert_cmpfloat (report_number (bench, "usb_bytes_in"), ==, 60);

  g_assert_cmpint (g_unlink (held), ==, 0);
  g_thread_join (thread);
  g_assert_cmpuint (w.done, ==, 20);
  /* Once only. */
  g_assert_false (g_file_test (held, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

/* Bad keys are refused with what to write instead. */
static void
test_bad_keys (void)
{
  const char *bad[] = {
    "real-time = sometimes",
    "hold = read:60",
    "hold-file = held",
    "hold = write:3\nhold-file = held",
    "hold = erase:\nhold-file = held",
    "hold = erase:-1\nhold-file = held",
    "real-time = after-hold",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strdup_printf ("[bench]\n%s\n[probe]\n[board]\n", bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(KilnSimBench) bench = kiln_sim_bench_new_from_data (text, NULL, &error);

      g_assert_null (bench);
      g_assert_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, "[bench]"));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Sim/pace/real-time", test_real_time);
  g_test_add_func ("/Kiln/Sim/pace/hold", test_hold);
  g_test_add_func ("/Kiln/Sim/pace/bad-keys", test_bad_keys);
  return g_test_run ();
}
