/* flash-bench.c — the virtual bench for the flash tests: a board state in
 * a temporary directory, connecting, flash.bin and the bench's report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "flash-bench.h"

Bench *
bench_new (const char *text)
{
  Bench *b = g_new0 (Bench, 1);
  g_autoptr(GError) error = NULL;

  b->dir = g_dir_make_tmp ("kiln-flash-XXXXXX", &error);
  g_assert_no_error (error);
  b->ini = g_strdup (text);
  return b;
}

/* (Re)opens the bench on the same state directory and connects. */
KilnSimBench *
bench_create (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = g_build_filename (b->dir, "state", NULL);
  g_autofree char *text = NULL;
  char **parts = g_strsplit (b->ini, "[board]\n", 2);

  /* The state directory goes into the [board] group. */
  g_assert_nonnull (parts[1]);
  text = g_strdup_printf ("%s[board]\nstate = %s\n%s", parts[0], state, parts[1]);
  g_strfreev (parts);

  g_clear_object (&b->target);
  g_clear_object (&b->bench);
  b->bench = kiln_sim_bench_new_from_data (text, b->dir, &error);
  g_assert_no_error (error);
  return b->bench;
}

KilnArmTarget *
bench_open_full (Bench    *b,
                 gboolean  under_reset)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) probes = NULL;

  probes = kiln_usb_list_probes (bench_create (b), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (probes->len, >=, 1);
  b->target = kiln_job_connect (g_ptr_array_index (probes, 0), 4000, under_reset, &error);
  g_assert_no_error (error);
  return b->target;
}

KilnArmTarget *
bench_open (Bench *b)
{
  return bench_open_full (b, FALSE);
}

GBytes *
bench_flash (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (b->dir, "state", "flash.bin", NULL);
  char *data = NULL;
  gsize len = 0;

  g_assert_true (kiln_sim_bench_save (b->bench, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

double
report_number (const char *json,
               const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (json, needle);

  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen (needle), NULL);
}

/* The sectors the bench saw erased, in order, as "0,5". */
char *
report_erased (const char *json)
{
  GString *out = g_string_new (NULL);
  const char *p = strstr (json, "\"sectors_erased\":[");

  g_assert_nonnull (p);
  while ((p = strstr (p, "{\"sector\":")) != NULL && p < strstr (json, "\"mass_erases\""))
    {
      p += strlen ("{\"sector\":");
      g_string_append_printf (out, "%s%u", out->len ? "," : "", (guint) g_ascii_strtoull (p, NULL, 10));
    }
  return g_string_free (out, FALSE);
}

void
assert_no_violations (const char *json)
{
  double busy = report_number (json, "flash_erase_busy_s") + report_number (json, "flash_program_busy_s");
  double span = report_number (json, "flash_last_end_s") - report_number (json, "flash_first_start_s");

  if (strstr (json, "\"violations\":[]") == NULL)
    g_error ("the bench reports violations: %s", strstr (json, "\"violations\""));
  /* The ruler itself: the flash does one operation at a time, so the
   * operations cannot fit in less time than they take together. */
  if (busy > 0 && span < busy - 1e-6)
    g_error ("the bench's flash operations overlap: %.6f s of work in %.6f s", busy, span);
}

void
bench_free (Bench *b)
{
  g_clear_object (&b->target);
  g_clear_object (&b->bench);
  {
    g_autofree char *state = g_build_filename (b->dir, "state", NULL);
    g_autoptr(GDir) dir = g_dir_open (state, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (state, name, NULL);

        g_unlink (path);
      }
    g_rmdir (state);
  }
  {
    g_autoptr(GDir) dir = g_dir_open (b->dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (b->dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (b->dir);
  g_free (b->dir);
  g_free (b->ini);
  g_free (b);
}


/* Pseudo-random bytes that are never a whole erased word. */
guint8 *
pattern (gsize  size,
         guint  seed)
{
  guint8 *p = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i++)
    p[i] = (guint8) g_rand_int_range (rand, 0, 255);
  g_rand_free (rand);
  return p;
}

KilnImage *
image_bin (const guint8 *data,
           gsize         size,
           guint32       base)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  KilnImage *image = kiln_image_load_bytes (bytes, "test.bin", KILN_IMAGE_FORMAT_BIN, TRUE, base, &error);

  g_assert_no_error (error);
  return image;
}

gboolean
program (KilnArmTarget          *target,
         KilnImage              *image,
         const KilnFlashOptions *options,
         GCancellable           *cancellable,
         KilnFlashResult        *result,
         GError                **error)
{
  g_autoptr(KilnFlashPlan) plan = NULL;
  KilnFlashOptions defaults;

  plan = kiln_flash_plan_new (image, kiln_arm_target_get_chip (target), KILN_FLASH_PSIZE_X32, error);
  g_assert_nonnull (plan);
  if (options == NULL)
    {
      kiln_flash_options_init (&defaults);
      options = &defaults;
    }
  return kiln_flash_program (target, plan, options, NULL, cancellable, result, error);
}
