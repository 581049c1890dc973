/* kiln-test-bench.c — a virtual bench for the C suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-flash-job.h"
#include "kiln-test-bench.h"
#include "kiln-usb-probe-info.h"

KilnTestBench *
kiln_test_bench_new (const char *key_lines)
{
  KilnTestBench *b = g_new0 (KilnTestBench, 1);
  g_autoptr(GError) error = NULL;

  b->dir = g_dir_make_tmp ("kiln-test-bench-XXXXXX", &error);
  g_assert_no_error (error);
  b->ini = g_strdup (key_lines);
  return b;
}

KilnSimBench *
kiln_test_bench_create (KilnTestBench *b)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = g_build_filename (b->dir, "state", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = g_strsplit (b->ini, "[board]\n", 2);

  /* The state folder goes into the [board] group. */
  g_assert_nonnull (parts[1]);
  text = g_strdup_printf ("%s[board]\nstate = %s\n%s", parts[0], state, parts[1]);

  g_clear_object (&b->target);
  g_clear_object (&b->bench);
  b->bench = kiln_sim_bench_new_from_data (text, b->dir, &error);
  g_assert_no_error (error);
  return b->bench;
}

KilnArmTarget *
kiln_test_bench_connect (KilnTestBench *b,
                         gboolean       under_reset)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) probes = NULL;

  probes = kiln_usb_list_probes (kiln_test_bench_create (b), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (probes->len, >=, 1);
  b->target = kiln_job_connect (g_ptr_array_index (probes, 0), 4000, under_reset, &error);
  g_assert_no_error (error);
  return b->target;
}

GBytes *
kiln_test_bench_state_file (KilnTestBench *b,
                            const char    *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (b->dir, "state", name, NULL);
  char *data = NULL;
  gsize len = 0;

  g_assert_true (kiln_sim_bench_save (b->bench, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

char *
kiln_test_bench_dup_report (KilnTestBench *b)
{
  return kiln_sim_bench_dup_report_json (b->bench);
}

double
kiln_test_report_number (const char *json,
                         const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (json, needle);

  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen (needle), NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
kiln_test_bench_free (KilnTestBench *b)
{
  g_clear_object (&b->target);
  g_clear_object (&b->bench);
  remove_tree (b->dir);
  g_free (b->dir);
  g_free (b->ini);
  g_free (b);
}
