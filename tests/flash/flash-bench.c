/* flash-bench.c — the virtual bench for the flash tests: the shared one
 * (tests/lib/kiln-test-bench.h) under the names these tests use, and what
 * only they need (patterns, images, programming, the report's erases)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "flash-bench.h"

Bench *
bench_new (const char *text)
{
  return kiln_test_bench_new (text);
}

KilnSimBench *
bench_create (Bench *b)
{
  return kiln_test_bench_create (b);
}

KilnArmTarget *
bench_open_full (Bench    *b,
                 gboolean  under_reset)
{
  return kiln_test_bench_connect (b, under_reset);
}

KilnArmTarget *
bench_open (Bench *b)
{
  return kiln_test_bench_connect (b, FALSE);
}

GBytes *
bench_flash (Bench *b)
{
  return kiln_test_bench_state_file (b, "flash.bin");
}

double
report_number (const char *json,
               const char *key)
{
  return kiln_test_report_number (json, key);
}

guint64
bench_usb_transfers (Bench *b)
{
  g_autofree char *json = kiln_sim_bench_dup_report_json (b->bench);

  return (guint64) report_number (json, "usb_transfers");
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
  kiln_test_bench_free (b);
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
