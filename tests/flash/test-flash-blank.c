/* test-flash-blank.c — blank sectors are programmed without an erase, and
 * erased units (all 0xFF) are not programmed, on the virtual bench
 *
 * The bench's report says which sectors it erased and how many units it
 * programmed; flash.bin is compared with the image. (A blank sector that
 * fails to program, and a cancel on a blank board, are in
 * test-flash-driver's weak-words and cancel tests, whose boards are fresh.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "flash-bench.h"

/* The CRC unit's step for one word, undone: the word that takes the CRC
 * from @from to @to. */
static guint32
forge_word (guint32 from,
            guint32 to)
{
  guint32 c = to;
  guint8 word[4];

  /* The step is 32 shifts of c, each xoring in the polynomial when the top
   * bit falls out; the polynomial's low bit says which shifts did. */
  for (guint i = 0; i < 32; i++)
    c = (c & 1) ? ((c ^ 0x04C11DB7u) >> 1) | 0x80000000u : c >> 1;
  c ^= from;
  /* The unit takes the little-endian word as it is. */
  word[0] = c;
  word[1] = c >> 8;
  word[2] = c >> 16;
  word[3] = c >> 24;
  g_assert_cmphex (kiln_flash_crc32 (from, word, 4), ==, to);
  return c;
}

/* The loader says which ranges are blank: all 0xFF, or not, also when a
 * range's CRC is the erased one (forged here): it checks the words. The
 * CRC of a range that is not blank is its own, wherever its first word
 * that is not erased lies (the blank check stops there). */
static void
test_loader_check (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *ram = g_malloc (4 * 4096);
  guint32 ranges[8], crcs[4], blank_crc;
  gboolean blank[4] = { TRUE, TRUE, FALSE, TRUE };
  KilnFlashLoader loader;
  KilnArmTarget *target = bench_open (b);

  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);

  memset (ram, 0xFF, 4 * 4096);
  blank_crc = kiln_flash_crc32 (0xFFFFFFFF, ram, 4096);
  /* Range 0: one zero bit, in the second half of the blank check's third
   * 48-byte step. Range 1: its first word zero, its last forged so that
   * the CRC is the erased one. Range 2: erased. Range 3: 4092 bytes (not
   * whole 48-byte steps), erased but its last word. */
  ram[124] = 0xFE;
  ram[3 * 4096 + 4088] = 0x12;
  memset (ram + 4096, 0, 4);
  {
    guint32 w = forge_word (kiln_flash_crc32 (0xFFFFFFFF, ram + 4096, 4092), blank_crc);

    ram[4096 + 4092] = w;
    ram[4096 + 4093] = w >> 8;
    ram[4096 + 4094] = w >> 16;
    ram[4096 + 4095] = w >> 24;
  }
  g_assert_cmphex (kiln_flash_crc32 (0xFFFFFFFF, ram + 4096, 4096), ==, blank_crc);
  g_assert_true (kiln_stlink_write_mem (kiln_arm_target_get_stlink (target), loader.ring_end - 4 * 4096, ram, 4 * 4096, &error));
  for (guint i = 0; i < 4; i++)
    {
      ranges[2 * i] = loader.ring_end - 4 * 4096 + 4096 * i;
      ranges[2 * i + 1] = i == 3 ? 4092 : 4096;
    }
  g_assert_true (kiln_flash_loader_crc (&loader, ranges, 4, crcs, blank, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (blank[0]);
  g_assert_cmphex (crcs[0], ==, kiln_flash_crc32 (0xFFFFFFFF, ram, 4096));
  g_assert_false (blank[3]);
  g_assert_cmphex (crcs[3], ==, kiln_flash_crc32 (0xFFFFFFFF, ram + 3 * 4096, 4092));
  g_assert_cmphex (crcs[1], ==, blank_crc);
  g_assert_false (blank[1]);
  g_assert_true (blank[2]);
  g_assert_cmphex (crcs[2], ==, blank_crc);
}

/* The device time of one CRC command over the F746's sectors that cover
 * @size bytes, each range @each bytes long (0: the whole sector); all
 * must read blank. */
static double
check_time (Bench           *b,
            KilnFlashLoader *loader,
            guint32          size,
            guint32          each)
{
  guint32 ranges[2 * 8], crcs[8];
  gboolean blank[8];
  guint n = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  /* Four sectors of 32 KiB, one of 128, three of 256. */
  for (guint32 at = 0, len; at < size; at += len, n++)
    {
      len = n < 4 ? 32 * 1024 : n == 4 ? 128 * 1024 : 256 * 1024;
      ranges[2 * n] = FLASH + at;
      ranges[2 * n + 1] = each ? each : len;
    }
  before = kiln_sim_bench_dup_report_json (b->bench);
  g_assert_true (kiln_flash_loader_crc (loader, ranges, n, crcs, blank, NULL, &error));
  g_assert_no_error (error);
  after = kiln_sim_bench_dup_report_json (b->bench);
  for (guint i = 0; i < n; i++)
    g_assert_true (blank[i]);
  return report_number (after, "device_time_s") - report_number (before, "device_time_s");
}

/* The blank check costs under 1 % of the job's floor (issue 15). On a
 * blank F746 the loader's check reads every word of the sectors a job
 * writes (where a range is not blank, it stops within its first 48 bytes
 * and the CRC goes on). What it adds to the comparison's command, via a V2
 * at 4 MHz: the command over whole sectors less the same command over one
 * 48-byte step of each, for the 64 KiB job's two sectors against its
 * 0.31 s floor (the link's), and for all eight against the 1 MiB jobs'
 * lowest floor, 4.19 s (the flash's: half zeros, or via a V3). */
static void
test_check_cost (void)
{
  static const struct
  {
    guint32 size;
    double  floor_s;
  } jobs[] = { { 64 * 1024, 0.31 }, { 1024 * 1024, 4.19 } };
  g_autoptr(Bench) b = bench_new ("[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n"
                                  "[board]\nchip = STM32F746NG\n[bench]\nhost-gaps = ignore\n");
  g_autoptr(GError) error = NULL;
  KilnFlashLoader loader;
  KilnArmTarget *target = bench_open (b);

  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  /* The first command also sets the core's clock. */
  check_time (b, &loader, 32 * 1024, 48);

  for (guint j = 0; j < G_N_ELEMENTS (jobs); j++)
    {
      double command_s = check_time (b, &loader, jobs[j].size, 48);
      double whole_s = check_time (b, &loader, jobs[j].size, 0);
      /* The report gives device time to the microsecond. */
      double check_s = round ((whole_s - command_s) * 1e6) / 1e6 + 0.0;

      g_test_message ("blank check of %u KiB: %.2f ms (%.2f %% of the floor) in a command of %.2f ms",
                      jobs[j].size / 1024, check_s * 1e3, check_s / jobs[j].floor_s * 100, whole_s * 1e3);
      g_assert_cmpfloat (check_s, <, jobs[j].floor_s / 100);
    }
}

/* A fresh board: every sector the image needs is blank, none is erased;
 * a board holding another image in sector 0 only: only sector 0 is. */
static void
test_no_erase (gconstpointer data)
{
  gboolean old_in_sector0 = GPOINTER_TO_INT (data);
  g_autoptr(Bench) b = bench_new (old_in_sector0 ? "[probe]\n[board]\nflash-image = old.bin\n" : "[probe]\n[board]\n");
  g_autofree char *old_path = g_build_filename (b->dir, "old.bin", NULL);
  g_autofree guint8 *old = pattern (32 * 1024, 3);
  g_autofree guint8 *data_bytes = pattern (96 * 1024, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data_bytes, 96 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  KilnFlashResult result = { 0 };

  g_assert_true (g_file_set_contents (old_path, (const char *) old, 32 * 1024, &error));
  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader);
  g_assert_true (result.verified);
  g_assert_cmpuint (result.written, ==, 3);
  g_assert_cmpuint (result.erased, ==, old_in_sector0 ? 1 : 0);
  g_assert_cmpuint (result.blank, ==, old_in_sector0 ? 2 : 3);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data_bytes, 96 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, old_in_sector0 ? "0" : "");
  kiln_flash_result_clear (&result);
}

/* An image of 256 KiB whose every other KiB is 0xFF, with single erased
 * words scattered in the data, onto a board holding another image (so
 * every sector is erased first): the bench programs only the units that
 * are not all 0xFF, and the result counts the others; flash.bin holds the
 * image exactly (the 0xFF bytes included). */
static void
test_erased_units (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\nflash-image = old.bin\n");
  g_autofree char *old_path = g_build_filename (b->dir, "old.bin", NULL);
  g_autofree guint8 *old = pattern (256 * 1024, 5);
  g_autofree guint8 *bytes = pattern (256 * 1024, 6);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  guint64 data_words = 0;

  for (guint32 k = 1; k < 256; k += 2)
    memset (bytes + k * 1024, 0xFF, 1024);
  for (guint32 a = 40; a < 256 * 1024; a += 4 * 1024)
    memset (bytes + a, 0xFF, 4);
  for (guint32 a = 0; a < 256 * 1024; a += 4)
    data_words += memcmp (bytes + a, "\xff\xff\xff\xff", 4) != 0;
  g_assert_cmpuint (data_words, <, 256 * 1024 / 8);

  image = image_bin (bytes, 256 * 1024, FLASH);
  g_assert_true (g_file_set_contents (old_path, (const char *) old, 256 * 1024, &error));
  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader);
  g_assert_cmpuint (result.erased, ==, 5);
  g_assert_cmpuint (result.bytes_erased_skipped, ==, 256 * 1024 - 4 * data_words);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, 256 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  g_assert_cmpfloat (report_number (json, "flash_units_programmed"), ==, data_words);
  kiln_flash_result_clear (&result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Flash/blank/loader-check", test_loader_check);
  g_test_add_func ("/Kiln/Flash/blank/check-cost", test_check_cost);
  g_test_add_data_func ("/Kiln/Flash/blank/fresh-board", GINT_TO_POINTER (FALSE), test_no_erase);
  g_test_add_data_func ("/Kiln/Flash/blank/one-sector-used", GINT_TO_POINTER (TRUE), test_no_erase);
  g_test_add_func ("/Kiln/Flash/blank/erased-units", test_erased_units);
  return g_test_run ();
}
