/* test-sim-output.c — the bench's output files never replace what is not a
 * regular file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * KILN_SIM_REPORT=/dev/null run as root once turned /dev/null into a regular
 * file: the report was renamed over it. Each test makes its own special file
 * in a temporary folder (a FIFO; a character device when run as root) and
 * checks that it is still there, of its kind, after the bench wrote to it.
 */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kiln-sim-bench.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("kiln-sim-output-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

static gpointer
read_fifo (gpointer data)
{
  const char *path = data;
  g_autoptr(GString) text = g_string_new (NULL);
  char buf[4096];
  gssize n;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (text, buf, n);
  close (fd);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static KilnSimBench *
bench_new (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nstate = %s/state\n", f->dir);
  KilnSimBench *bench = kiln_sim_bench_new_from_data (text, f->dir, &error);

  g_assert_no_error (error);
  return bench;
}

/* The report written to a FIFO: a reader gets the whole report, the FIFO
 * stays a FIFO. */
static void
test_report_to_fifo (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "report", NULL);
  g_autoptr(KilnSimBench) bench = bench_new (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  GThread *reader;
  struct stat st;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  reader = g_thread_new ("reader", read_fifo, path);
  kiln_sim_bench_set_report_path (bench, path);
  g_assert_true (kiln_sim_bench_save (bench, &error));
  g_assert_no_error (error);
  /* Checked before joining: a report renamed over the FIFO would leave the
   * reader waiting for a writer forever. */
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  received = g_thread_join (reader);
  g_assert_true (g_str_has_prefix (received, "{\"device_time_s\":"));
  g_assert_true (g_str_has_suffix (received, "}\n"));
}

/* The report written to a character device of the test's own, with the
 * numbers of /dev/null (1, 3): it stays that device. Only root can make one. */
static void
test_report_to_device (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "null", NULL);
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  if (mknod (path, S_IFCHR | 0666, makedev (1, 3)) != 0)
    {
      g_autofree char *why = g_strdup_printf ("mknod: %s (a FIFO is tested instead)", g_strerror (errno));

      g_test_skip (why);
      return;
    }
  bench = bench_new (f);
  kiln_sim_bench_set_report_path (bench, path);
  g_assert_true (kiln_sim_bench_save (bench, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (major (st.st_rdev), ==, 1);
  g_assert_cmpuint (minor (st.st_rdev), ==, 3);
}

/* A state file that is a symbolic link stays a link; the file it points to
 * gets the contents. A regular report is replaced as a whole. */
static void
test_state_through_link (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *state = g_build_filename (f->dir, "state", NULL);
  g_autofree char *link = g_build_filename (state, "uid", NULL);
  g_autofree char *target = g_build_filename (f->dir, "uid-elsewhere", NULL);
  g_autofree char *report = g_build_filename (f->dir, "report.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(KilnSimBench) bench = bench_new (f);
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_cmpint (g_mkdir_with_parents (state, 0755), ==, 0);
  g_assert_true (g_file_set_contents (target, "a much longer text than a UID line, to be truncated\n", -1, &error));
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_true (g_file_set_contents (report, "old", -1, &error));

  kiln_sim_bench_set_report_path (bench, report);
  g_assert_true (kiln_sim_bench_save (bench, &error));
  g_assert_no_error (error);

  g_assert_cmpint (lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_assert_true (g_file_get_contents (target, &contents, NULL, &error));
  g_assert_true (g_regex_match_simple ("^[0-9A-F]{8} [0-9A-F]{8} [0-9A-F]{8}\n$", contents, 0, 0));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (report, &contents, NULL, &error));
  g_assert_true (g_str_has_prefix (contents, "{\"device_time_s\":"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/Kiln/Sim/Output/report-to-fifo", Fixture, NULL, fixture_set_up, test_report_to_fifo, fixture_tear_down);
  g_test_add ("/Kiln/Sim/Output/report-to-device", Fixture, NULL, fixture_set_up, test_report_to_device, fixture_tear_down);
  g_test_add ("/Kiln/Sim/Output/state-through-link", Fixture, NULL, fixture_set_up, test_state_through_link, fixture_tear_down);
  return g_test_run ();
}
