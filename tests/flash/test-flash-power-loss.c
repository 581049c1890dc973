/* test-flash-power-loss.c — the board's power lost in the middle of a job,
 * on the virtual bench
 *
 * The job fails with the supply's message, and its result names every
 * sector the loader may have begun: those from the last answer it gave
 * up to the last whose data was sent (it may have gone on after that
 * answer, until the power went). Every other sector is either whole (the
 * image's bytes) or untouched. With the power back, the next run finishes
 * the job, erasing no sector that was not named.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "flash-bench.h"

/* 586 KiB: sectors 0 to 6 of an F746 (4 × 32 KiB, 128 KiB, then 256 KiB). */
#define IMAGE_SIZE 600000
#define BOARD "[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n[board]\nchip = STM32F746NG\n" \
              "[bench]\nhost-gaps = ignore\n"

static guint32
sector_start (guint s)
{
  static const guint32 starts_kib[] = { 0, 32, 64, 96, 128, 256, 512, 768, 1024 };

  return starts_kib[s] * 1024;
}

typedef struct
{
  guint n;
  guint sectors[KILN_FLASH_MAX_SECTORS];
} Named;

static gboolean
named (const Named *cut,
       guint        s)
{
  for (guint k = 0; k < cut->n; k++)
    if (cut->sectors[k] == s)
      return TRUE;
  return FALSE;
}

/* The power goes @data milliseconds of device time into the job (the
 * host's gaps left out: the same point each run). */
static void
test_power_loss (gconstpointer data)
{
  const char *after_ms = data;
  g_autofree char *ini = g_strdup_printf (BOARD "[faults]\npower-loss-after-ms = %s\n", after_ms);
  g_autoptr(Bench) b = bench_new (ini);
  g_autofree guint8 *bytes = pattern (IMAGE_SIZE, 71);
  g_autoptr(KilnImage) image = image_bin (bytes, IMAGE_SIZE, FLASH);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *report = NULL;
  g_autofree char *erased = NULL;
  KilnFlashResult result = { 0 };
  Named cut = { 0 };
  const guint8 *held;
  guint first;

  g_assert_false (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, "no power") != NULL);
  g_assert_cmpuint (result.n_incomplete, >=, 1);
  first = result.incomplete[0];
  cut.n = result.n_incomplete;
  memcpy (cut.sectors, result.incomplete, sizeof cut.sectors);
  for (guint k = 0; k < cut.n; k++)
    g_test_message ("sector %u named%s", cut.sectors[k],
                    k >= result.n_incomplete - result.n_unsure ? " (may have been begun)" : "");
  /* The one the loader's last answer said it was on is always known. */
  g_assert_cmpuint (result.n_unsure, <, result.n_incomplete);
  g_clear_error (&error);
  kiln_flash_result_clear (&result);
  g_assert_true (kiln_sim_bench_save (b->bench, NULL));

  /* Every sector is whole (the image's bytes, before the first one
   * named), untouched (blank, after it), or named. */
  flash = bench_flash (b);
  held = g_bytes_get_data (flash, NULL);
  for (guint s = 0; s < 8; s++)
    {
      guint32 from = sector_start (s), to = sector_start (s + 1), image_to = MIN (to, IMAGE_SIZE);
      gboolean whole = from < IMAGE_SIZE && memcmp (held + from, bytes + from, image_to - from) == 0;
      gboolean blank = TRUE;

      for (guint32 a = from; a < to && blank; a++)
        blank = held[a] == 0xFF;
      if (named (&cut, s))
        continue;
      if (s < first)
        g_assert_true (whole);
      else if (!blank)
        g_error ("sector %u holds something and was not named", s);
    }
  g_clear_pointer (&flash, g_bytes_unref);

  /* The power is back: the next run finishes the job, erases no more
   * than the sectors named, and writes nothing before the first of them. */
  g_free (b->ini);
  b->ini = g_strdup (BOARD);
  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.n_incomplete, ==, 0);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, IMAGE_SIZE) == 0);
  report = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (report);
  g_assert_cmpfloat (report_number (report, "flash_units_programmed"), <=,
                     (double) (IMAGE_SIZE - sector_start (first)) / 4);
  erased = report_erased (report);
  g_test_message ("the next run erased sectors %s", erased);
  if (*erased != '\0')
    {
      g_auto(GStrv) list = g_strsplit (erased, ",", -1);

      for (guint k = 0; list[k] != NULL; k++)
        g_assert_true (named (&cut, (guint) g_ascii_strtoull (list[k], NULL, 10)));
    }
  kiln_flash_result_clear (&result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Before the loader's first answer (sector 0 named as begun, 1 to 4 as
   * perhaps begun; the power went in sector 2); in sector 5, the last
   * answer in sector 4; in sector 6, the last answer in sector 5. */
  g_test_add_data_func ("/Kiln/Flash/power-loss/400", "400", test_power_loss);
  g_test_add_data_func ("/Kiln/Flash/power-loss/1400", "1400", test_power_loss);
  g_test_add_data_func ("/Kiln/Flash/power-loss/2700", "2700", test_power_loss);
  return g_test_run ();
}
