/* test-flash-f4.c — Kiln on the bench's STM32F4 and F2 boards
 *
 * Each board (its facts written for the bench from ST's documents, not from
 * Kiln's chip database) is found by Kiln as the chip it is, programmed with
 * bytes in the first sectors and the last, and verified on the target;
 * flash.bin must hold exactly the image and the bench must report nothing
 * broken (wait states, PLL limits, PSIZE, the flash sequence). On the
 * F429ZI an image crossing from bank 1 into bank 2 is changed and written
 * again: exactly sectors 11, 12 and 13 are erased. The loader's clock, on
 * these boards and the F7's: 64 MHz on F2/F4 (below each one's highest),
 * 180 MHz on F7 (its highest without over-drive), with wait states enough
 * at any supply and the APB clocks within their limits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "flash-bench.h"

typedef struct
{
  const char *part;
  guint16     dev_id;
  guint       flash_kib;
  guint       n_sectors;
  gboolean    dual_bank;
} Board;

static const Board boards[] = {
  { "STM32F407VG", 0x413, 1024, 12, FALSE },
  { "STM32F411RE", 0x431, 512, 8, FALSE },
  { "STM32F412ZG", 0x441, 1024, 12, FALSE },
  { "STM32F429ZI", 0x419, 2048, 24, TRUE },
  { "STM32F446RE", 0x421, 512, 8, FALSE },
  { "STM32F207ZG", 0x411, 1024, 12, FALSE },
};

static void
test_program (gconstpointer data)
{
  const Board *bd = data;
  guint32 size = bd->flash_kib * 1024;
  g_autofree char *ini = g_strdup_printf ("[probe]\n[board]\nchip = %s\n", bd->part);
  g_autoptr(Bench) b = bench_new (ini);
  g_autofree guint8 *want = g_malloc (size);
  g_autofree guint8 *head = pattern (40 * 1024, bd->dev_id);
  g_autofree guint8 *tail = pattern (4096, 9);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnArmTarget *target = bench_open (b);
  KilnChip *chip = kiln_arm_target_get_chip (target);

  g_assert_cmphex (kiln_chip_get_dev_id (chip), ==, bd->dev_id);
  g_assert_cmpuint (kiln_chip_get_flash_kib (chip), ==, bd->flash_kib);
  g_assert_cmpuint (kiln_chip_get_n_sectors (chip), ==, bd->n_sectors);
  g_assert_cmpint (kiln_chip_is_dual_bank (chip), ==, bd->dual_bank);

  memset (want, 0xFF, size);
  memcpy (want, head, 40 * 1024);
  memcpy (want + size - 4096, tail, 4096);
  image = image_bin (want, size, FLASH);
  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader);
  g_assert_null (result.fallback_reason);
  g_assert_true (result.verified);
  g_assert_cmpint (result.verify_method, ==, KILN_FLASH_VERIFY_CRC);
  flash = bench_flash (b);
  g_assert_cmpuint (g_bytes_get_size (flash), ==, size);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, size) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  g_assert_cmpfloat (report_number (json, "core_instructions"), >, 0);
  kiln_flash_result_clear (&result);
}

typedef struct
{
  const char *part;
  guint       mhz;      /* the loader's SYSCLK */
  guint       apb1_mhz; /* the highest APB1 and APB2 clocks */
  guint       apb2_mhz;
  guint       ws_mhz;   /* HCLK per wait state at 1.8-2.1 V */
} LoaderClock;

static const LoaderClock clocks[] = {
  { "STM32F746NG", 180, 45, 90, 20 },
  { "STM32F767ZI", 180, 45, 90, 20 },
  { "STM32F722RE", 180, 45, 90, 20 },
  { "STM32F407VG", 64, 42, 84, 20 },
  { "STM32F411RE", 64, 50, 100, 16 },
  { "STM32F207ZG", 64, 30, 60, 16 },
};

/* The divider of an APB prescaler field (PPRE1 or PPRE2). */
static guint
apb_divider (guint32 ppre)
{
  return (ppre & 4) ? 2u << (ppre & 3) : 1;
}

/* The loader's clock after a CRC command on a board at @volts, the host
 * having told it the PSIZE the supply allows (@supply): SYSCLK, its APB
 * and 48 MHz domains within the chip's limits, and the flash wait states
 * enough for HCLK at @ws_mhz per wait state; with @fewest, no more than
 * that (a wait state costs the CRC loop a cycle per word). */
static void
check_loader_clock (const LoaderClock *lc,
                    const char        *volts,
                    KilnFlashPsize     supply,
                    guint              ws_mhz,
                    gboolean           fewest)
{
  g_autofree char *ini = g_strdup_printf ("[probe]\n[board]\nchip = %s\nvoltage = %s\n", lc->part, volts);
  g_autoptr(Bench) b = bench_new (ini);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  KilnArmTarget *target = bench_open (b);
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  KilnFlashLoader loader;
  guint32 ranges[2] = { FLASH, 4096 }, crc, cfgr, pllcfgr, acr, m, n, p, hz;
  gboolean blank;

  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  loader.supply_psize = supply;
  g_assert_true (kiln_flash_loader_crc (&loader, ranges, 1, &crc, &blank, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (blank);
  g_assert_true (kiln_stlink_read32 (stlink, 0x40023808, &cfgr, &error));
  g_assert_true (kiln_stlink_read32 (stlink, 0x40023804, &pllcfgr, &error));
  g_assert_true (kiln_stlink_read32 (stlink, 0x40023C00, &acr, &error));
  g_assert_no_error (error);
  /* SYSCLK from the PLL, from HSI (16 MHz). */
  g_assert_cmphex (cfgr & 0xC, ==, 0x8);
  g_assert_cmphex (pllcfgr & (1u << 22), ==, 0);
  m = pllcfgr & 0x3F;
  n = (pllcfgr >> 6) & 0x1FF;
  p = (((pllcfgr >> 16) & 3) + 1) * 2;
  hz = 16000000 / m * n / p;
  g_assert_cmpuint (hz, ==, lc->mhz * 1000000);
  g_assert_cmpuint (hz / apb_divider ((cfgr >> 10) & 7), <=, lc->apb1_mhz * 1000000);
  g_assert_cmpuint (hz / apb_divider ((cfgr >> 13) & 7), <=, lc->apb2_mhz * 1000000);
  /* Its 48 MHz domain (PLLQ) within what the reference manuals allow. */
  g_assert_cmpuint (16000000 / m * n / ((pllcfgr >> 24) & 0xF), <=, 75000000);
  /* Wait states for the supply. */
  g_assert_cmpuint (((acr & 0xF) + 1) * ws_mhz, >=, lc->mhz);
  if (fewest)
    g_assert_cmpuint ((acr & 0xF) * ws_mhz, <, lc->mhz);
  kiln_flash_loader_stop (&loader);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
}

/* At the lowest supply, where the bench wants the most wait states: the
 * host did not say (x8), so the loader takes enough for any supply. */
static void
test_loader_clock (gconstpointer data)
{
  const LoaderClock *lc = data;

  check_loader_clock (lc, "1.8", KILN_FLASH_PSIZE_X8, lc->ws_mhz, FALSE);
}

/* At 3.3 V, where the host programs at x32 (or x64 with VPP): 30 MHz per
 * wait state (RM0385, RM0090, RM0033), and no more wait states than that. */
static void
test_loader_clock_3v3 (gconstpointer data)
{
  const LoaderClock *lc = data;

  check_loader_clock (lc, "3.3", KILN_FLASH_PSIZE_X32, 30, TRUE);
  check_loader_clock (lc, "3.3", KILN_FLASH_PSIZE_X64, 30, TRUE);
}

static void
test_f429_across_banks (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\nchip = STM32F429ZI\n");
  g_autofree guint8 *bytes = pattern (96 * 1024, 29);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  KilnFlashResult result = { 0 };

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(KilnImage) image = NULL;

      bytes[pass * 70 * 1024] ^= 0x5A;   /* the second pass changes all three sectors */
      bytes[90 * 1024] ^= (guint8) pass;
      bytes[3] ^= (guint8) pass;
      image = image_bin (bytes, 96 * 1024, 0x080F0000);
      g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
      g_assert_no_error (error);
      g_assert_true (result.verified);
      kiln_flash_result_clear (&result);
    }
  flash = bench_flash (b);
  g_assert_true (memcmp ((const guint8 *) g_bytes_get_data (flash, NULL) + 0xF0000, bytes, 96 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, "11,12,13");
}

/* F42x bank 2's write protection lives in OPTCR1: Kiln sees it and
 * refuses before erasing anything. */
static void
test_f429_bank2_protected (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\nchip = STM32F429ZI\nnwrp2 = 0xFFE\n");
  g_autofree guint8 *bytes = pattern (8 * 1024, 12);
  g_autoptr(KilnImage) image = image_bin (bytes, 8 * 1024, 0x08100000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) protected = NULL;
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  KilnFlashResult result = { 0 };
  KilnArmTarget *target = bench_open (b);

  protected = kiln_arm_target_dup_protected (target);
  g_assert_cmpuint (protected->len, ==, 1);
  g_assert_cmpuint (kiln_chip_get_sector (kiln_arm_target_get_chip (target),
                                          g_array_index (protected, guint, 0))->index, ==, 12);
  g_assert_false (program (target, image, NULL, NULL, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
  g_assert_nonnull (strstr (error->message, "Sector 12 is write-protected"));
  g_assert_nonnull (strstr (error->message, "Nothing was erased"));
  json = kiln_sim_bench_dup_report_json (b->bench);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, "");
  g_assert_cmpfloat (report_number (json, "flash_units_programmed"), ==, 0);
  kiln_flash_result_clear (&result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (boards); i++)
    {
      g_autofree char *name = g_strdup_printf ("/Kiln/Flash/f4/%s", boards[i].part);

      g_test_add_data_func (name, &boards[i], test_program);
    }
  for (guint i = 0; i < G_N_ELEMENTS (clocks); i++)
    {
      g_autofree char *name = g_strdup_printf ("/Kiln/Flash/f4/loader-clock/%s", clocks[i].part);

      g_test_add_data_func (name, &clocks[i], test_loader_clock);
    }
  for (guint i = 0; i < G_N_ELEMENTS (clocks); i++)
    {
      g_autofree char *name = g_strdup_printf ("/Kiln/Flash/f4/loader-clock-3v3/%s", clocks[i].part);

      g_test_add_data_func (name, &clocks[i], test_loader_clock_3v3);
    }
  g_test_add_func ("/Kiln/Flash/f4/f429-across-banks", test_f429_across_banks);
  g_test_add_func ("/Kiln/Flash/f4/f429-bank2-protected", test_f429_bank2_protected);
  return g_test_run ();
}
