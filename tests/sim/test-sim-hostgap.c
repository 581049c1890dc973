/* test-sim-hostgap.c — the host's gaps between transfers, counted so that
 * the machine's load cannot move them ([bench] host-gaps = load-free)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * core/sim/README.md, "Host gaps": with load-free gaps the bench counts the
 * wall-clock time between two transfers less the time the host's thread
 * waited for a CPU, so the host's own computing and its sleeps count and
 * the machine's other work does not. The checks compare times the test
 * takes itself (its thread's CPU time, a sleep it asks for), never a
 * duration this machine should manage.
 */

#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kiln-sim-bench.h"

static KilnSimBench *
bench_new (const char *gaps)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[bench]\nhost-gaps = %s\n[probe]\nmodel = stlink-v2\n[board]\n", gaps);
  KilnSimBench *bench = kiln_sim_bench_new_from_data (text, g_get_tmp_dir (), &error);

  g_assert_no_error (error);
  return bench;
}

/* GET_VERSION: one command block and its answer, two transfers. */
static void
transfer (KilnSimBench *bench)
{
  KilnSimProbe *probe = kiln_sim_bench_get_probe (bench, 0);
  guint8 cmd[16] = { 0xF1 };
  guint8 answer[6];
  gsize done = 0;

  g_assert_cmpint (kiln_sim_probe_bulk_transfer (probe, 0x02, cmd, sizeof cmd, &done, 1000), ==, KILN_SIM_USB_OK);
  g_assert_cmpint (kiln_sim_probe_bulk_transfer (probe, 0x81, answer, sizeof answer, &done, 1000), ==, KILN_SIM_USB_OK);
  g_assert_cmpuint (done, ==, 6);
}

static guint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (guint64) ts.tv_sec * 1000000000ull + (guint64) ts.tv_nsec;
}

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = kiln_sim_bench_new_from_data ("[bench]\nhost-gaps = sometimes\n[probe]\n[board]\n",
                                                                g_get_tmp_dir (), &error);

  g_assert_null (bench);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "load-free"));
}

/* A sleep the host asks for is its own time: counted whole. */
static void
test_sleep_counts (void)
{
  g_autoptr(KilnSimBench) bench = bench_new ("load-free");
  guint64 before, after;

  transfer (bench);
  before = kiln_sim_bench_get_host_ns (bench, 0, NULL);
  g_usleep (40000);
  transfer (bench);
  after = kiln_sim_bench_get_host_ns (bench, 0, NULL);
  g_assert_cmpuint (after - before, >=, 40000000ull);
}

typedef struct
{
  gint     stop;
  gint     tid;
  cpu_set_t cpu;
} Hog;

static gpointer
hog_run (gpointer data)
{
  Hog *hog = data;
  volatile guint64 x = 0;

  sched_setaffinity (0, sizeof hog->cpu, &hog->cpu);
  g_atomic_int_set (&hog->tid, (gint) syscall (SYS_gettid));
  while (!g_atomic_int_get (&hog->stop))
    x++;
  return NULL;
}

/* A second thread spinning on the test's only CPU: the test's thread then
 * waits for the CPU about half the time while it computes between two
 * transfers. The wall-clock count takes that wait in, the load-free one
 * leaves it out and keeps the thread's CPU time. */
static void
test_cpu_wait_left_out (void)
{
  g_autoptr(KilnSimBench) free_bench = bench_new ("load-free");
  g_autoptr(KilnSimBench) wall_bench = bench_new ("count");
  Hog hog = { 0 };
  cpu_set_t old;
  GThread *thread;
  guint64 free_before, wall_before, free_gap, wall_gap, waited = 0, cpu0, spent;
  volatile guint64 x = 0;

  if (!g_file_test ("/proc/thread-self/schedstat", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the kernel gives no /proc/thread-self/schedstat");
      return;
    }
  g_assert_cmpint (sched_getaffinity (0, sizeof old, &old), ==, 0);
  CPU_ZERO (&hog.cpu);
  for (int i = 0; i < CPU_SETSIZE; i++)
    if (CPU_ISSET (i, &old))
      {
        CPU_SET (i, &hog.cpu);
        break;
      }
  if (sched_setaffinity (0, sizeof hog.cpu, &hog.cpu) != 0)
    {
      g_test_skip ("this thread cannot be bound to one CPU");
      return;
    }
  thread = g_thread_new ("hog", hog_run, &hog);
  while (g_atomic_int_get (&hog.tid) == 0)
    g_usleep (1000);

  transfer (free_bench);
  transfer (wall_bench);
  free_before = kiln_sim_bench_get_host_ns (free_bench, 0, NULL);
  wall_before = kiln_sim_bench_get_host_ns (wall_bench, 0, NULL);
  cpu0 = thread_cpu_ns ();
  while (thread_cpu_ns () - cpu0 < 50000000ull)
    x++;
  spent = thread_cpu_ns () - cpu0;
  transfer (free_bench);
  transfer (wall_bench);
  free_gap = kiln_sim_bench_get_host_ns (free_bench, 0, &waited) - free_before;
  wall_gap = kiln_sim_bench_get_host_ns (wall_bench, 0, NULL) - wall_before;

  g_atomic_int_set (&hog.stop, 1);
  g_thread_join (thread);
  sched_setaffinity (0, sizeof old, &old);

  if (g_test_verbose ())
    g_printerr ("cpu %.1f ms, load-free gap %.1f ms (wait left out %.1f ms), wall gap %.1f ms\n",
                spent / 1e6, free_gap / 1e6, waited / 1e6, wall_gap / 1e6);
  /* The host's computing counts… */
  g_assert_cmpuint (free_gap, >=, spent);
  /* …its wait for the CPU (about as long, shared with the hog) does not. */
  g_assert_cmpuint (waited, >=, spent / 4);
  g_assert_cmpuint (free_gap + spent / 4, <=, wall_gap);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Sim/HostGaps/Parse", test_parse);
  g_test_add_func ("/Kiln/Sim/HostGaps/SleepCounts", test_sleep_counts);
  g_test_add_func ("/Kiln/Sim/HostGaps/CpuWaitLeftOut", test_cpu_wait_left_out);
  return g_test_run ();
}
