/* test-chips.c — the chip database and sector layouts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>

#include "kiln-chip.h"

static void
check_layout (KilnChip *chip)
{
  guint64 total = 0;
  guint32 expect = kiln_chip_get_flash_base (chip);

  for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
    {
      const KilnSector *s = kiln_chip_get_sector (chip, i);

      /* Contiguous, in order, each sector found at its first and last byte. */
      g_assert_cmphex (s->address, ==, expect);
      g_assert_cmpint (kiln_chip_find_sector (chip, s->address), ==, (int) i);
      g_assert_cmpint (kiln_chip_find_sector (chip, s->address + s->size - 1), ==, (int) i);
      expect += s->size;
      total += s->size;
    }
  g_assert_cmpuint (total, ==, kiln_chip_get_flash_size (chip));
  g_assert_cmpint (kiln_chip_find_sector (chip, kiln_chip_get_flash_base (chip) - 1), ==, -1);
  g_assert_cmpint (kiln_chip_find_sector (chip, expect), ==, -1);
}

static void
test_every_line_every_size (void)
{
  static const guint sizes[] = { 64, 128, 256, 512, 1024, 1536, 2048 };

  for (guint l = 0; l < kiln_chip_db_get_n_lines (); l++)
    {
      const KilnChipLine *line = kiln_chip_db_get_line (l);

      for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
        {
          g_autoptr(KilnChip) single = NULL;

          if (sizes[k] > line->max_flash_kib)
            continue;
          single = kiln_chip_new (line, sizes[k], FALSE, NULL);
          g_assert_nonnull (single);
          g_test_message ("%s %u KiB: %u sectors", line->line, sizes[k], kiln_chip_get_n_sectors (single));
          check_layout (single);

          if (line->dual_bank == KILN_DUAL_BANK_OPTION && sizes[k] >= 1024)
            {
              g_autoptr(KilnChip) dual = kiln_chip_new (line, sizes[k], TRUE, NULL);

              g_assert_true (kiln_chip_is_dual_bank (dual));
              check_layout (dual);
            }
        }
    }
}

static void
test_f746 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnChip) chip = kiln_chip_new_for_part ("stm32f746ng", FALSE, &error);
  static const guint32 addresses[] = { 0x08000000, 0x08008000, 0x08010000, 0x08018000,
                                       0x08020000, 0x08040000, 0x08080000, 0x080C0000 };

  g_assert_no_error (error);
  g_assert_cmpstr (kiln_chip_get_name (chip), ==, "STM32F746NG");
  g_assert_cmphex (kiln_chip_get_dev_id (chip), ==, 0x449);
  g_assert_cmpuint (kiln_chip_get_n_sectors (chip), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      g_assert_cmphex (kiln_chip_get_sector (chip, i)->address, ==, addresses[i]);
      g_assert_cmpuint (kiln_chip_get_sector (chip, i)->snb, ==, i);
    }
  g_assert_cmpuint (kiln_chip_get_sector (chip, 4)->size, ==, 128 * 1024);
  /* The ITCM alias maps to the same sectors. */
  g_assert_cmpint (kiln_chip_find_sector (chip, 0x00240000), ==, 5);
  g_assert_cmphex (kiln_chip_to_axim (chip, 0x00200010), ==, 0x08000010);
  g_assert_true (kiln_chip_is_flash_address (chip, 0x002FFFFF));
  g_assert_false (kiln_chip_is_flash_address (chip, 0x00300000));
  g_assert_cmpuint (kiln_chip_get_ram_total (chip), ==, 336 * 1024);
  g_assert_cmpstr (kiln_chip_find_ram (chip, 0x20010000, 1024)->name, ==, "SRAM1");
  g_assert_null (kiln_chip_find_ram (chip, 0x2004BF00, 0x200));
  g_assert_cmpstr (kiln_chip_line_revision_name (kiln_chip_get_line (chip), 0x1001), ==, "Z");
  g_assert_cmpstr (kiln_chip_line_revision_name (kiln_chip_get_line (chip), 0x2222), ==, "0x2222");
}

static void
test_f767_dual_bank (void)
{
  g_autoptr(KilnChip) single = kiln_chip_new_for_part ("STM32F767ZI", FALSE, NULL);
  g_autoptr(KilnChip) dual = kiln_chip_new_for_part ("STM32F767ZI", TRUE, NULL);
  const KilnSector *s;
  int pos;

  g_assert_cmpuint (kiln_chip_get_n_sectors (single), ==, 12);
  g_assert_cmpuint (kiln_chip_get_sector (single, 11)->size, ==, 256 * 1024);
  g_assert_cmphex (kiln_chip_get_sector (single, 11)->address, ==, 0x081C0000);

  g_assert_cmpuint (kiln_chip_get_n_sectors (dual), ==, 24);
  g_assert_cmpuint (kiln_chip_get_sector (dual, 0)->size, ==, 16 * 1024);
  g_assert_cmphex (kiln_chip_get_sector (dual, 4)->address, ==, 0x08010000);
  pos = kiln_chip_find_sector (dual, 0x08100000);
  g_assert_cmpint (pos, ==, 12);
  s = kiln_chip_get_sector (dual, pos);
  g_assert_cmpuint (s->index, ==, 12);
  g_assert_cmphex (s->snb, ==, 0x10);
  g_assert_cmpuint (s->bank, ==, 2);
  s = kiln_chip_get_sector (dual, 23);
  g_assert_cmphex (s->address, ==, 0x081E0000);
  g_assert_cmphex (s->snb, ==, 0x1B);
  g_assert_cmphex (kiln_chip_get_line (dual)->snb_mask, ==, 0xF8);
  g_assert_cmpuint (kiln_chip_get_sector (dual, 11)->snb, ==, 11);
}

static void
test_f767_1m_dual_bank (void)
{
  g_autoptr(KilnChip) chip = kiln_chip_new_for_part ("STM32F767ZG", TRUE, NULL);

  g_assert_cmpuint (kiln_chip_get_n_sectors (chip), ==, 16);
  g_assert_cmphex (kiln_chip_get_sector (chip, 8)->address, ==, 0x08080000);
  g_assert_cmpuint (kiln_chip_get_sector (chip, 8)->index, ==, 12);
  g_assert_cmphex (kiln_chip_get_sector (chip, 12)->address, ==, 0x08090000);
  g_assert_cmpuint (kiln_chip_get_sector (chip, 12)->size, ==, 64 * 1024);
}

static void
test_f722 (void)
{
  g_autoptr(KilnChip) chip = kiln_chip_new_for_part ("STM32F722RE", FALSE, NULL);
  g_autoptr(KilnChip) small = kiln_chip_new_for_part ("STM32F722RC", FALSE, NULL);

  g_assert_cmpuint (kiln_chip_get_n_sectors (chip), ==, 8);
  g_assert_cmpuint (kiln_chip_get_sector (chip, 4)->size, ==, 64 * 1024);
  g_assert_cmphex (kiln_chip_get_sector (chip, 5)->address, ==, 0x08020000);
  g_assert_cmphex (kiln_chip_get_line (chip)->flash_size_reg, ==, 0x1FF07A22);
  g_assert_true (kiln_chip_get_line (chip)->has_pcrop);
  g_assert_cmpuint (kiln_chip_get_n_sectors (small), ==, 6);
}

static void
test_f4 (void)
{
  g_autoptr(KilnChip) f407 = kiln_chip_new_for_part ("STM32F407VG", FALSE, NULL);
  g_autoptr(KilnChip) f429 = kiln_chip_new_for_part ("STM32F429ZI", FALSE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnChip) bad = kiln_chip_new_for_part ("STM32F407VG", TRUE, &error);

  g_assert_cmpuint (kiln_chip_get_n_sectors (f407), ==, 12);
  g_assert_cmphex (kiln_chip_get_sector (f407, 11)->address, ==, 0x080E0000);
  /* F42x at 2 MiB always has two banks. */
  g_assert_true (kiln_chip_is_dual_bank (f429));
  g_assert_cmpuint (kiln_chip_get_n_sectors (f429), ==, 24);
  g_assert_cmphex (kiln_chip_get_sector (f429, 12)->snb, ==, 0x10);
  g_assert_null (bad);
  g_assert_error (error, KILN_CHIPS_ERROR, KILN_CHIPS_ERROR_UNKNOWN_CHIP);
}

static void
test_unknown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnChip) a = kiln_chip_new_for_part ("STM32H743ZI", FALSE, &error);
  g_autoptr(KilnChip) b = NULL;

  g_assert_null (a);
  g_assert_error (error, KILN_CHIPS_ERROR, KILN_CHIPS_ERROR_UNKNOWN_CHIP);
  g_assert_nonnull (g_strstr_len (error->message, -1, "STM32H743ZI"));
  g_clear_error (&error);
  b = kiln_chip_new_for_dev_id (0x450, 0, FALSE, &error);
  g_assert_null (b);
  g_assert_nonnull (g_strstr_len (error->message, -1, "0x450"));
}

static void
test_parts_resolve (void)
{
  for (guint i = 0; i < kiln_chip_db_get_n_parts (); i++)
    {
      const KilnChipPart *p = kiln_chip_db_get_part (i);
      const KilnChipLine *line = kiln_chip_db_find_line (p->dev_id);

      g_assert_nonnull (line);
      g_assert_cmpuint (p->flash_kib, <=, line->max_flash_kib);
      g_assert_true (kiln_chip_db_find_part (p->name) == p);
    }
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Chips/every-line-every-size", test_every_line_every_size);
  g_test_add_func ("/Kiln/Chips/f746", test_f746);
  g_test_add_func ("/Kiln/Chips/f767-dual-bank", test_f767_dual_bank);
  g_test_add_func ("/Kiln/Chips/f767-1m-dual-bank", test_f767_1m_dual_bank);
  g_test_add_func ("/Kiln/Chips/f722", test_f722);
  g_test_add_func ("/Kiln/Chips/f4", test_f4);
  g_test_add_func ("/Kiln/Chips/unknown", test_unknown);
  g_test_add_func ("/Kiln/Chips/parts-resolve", test_parts_resolve);

  return g_test_run ();
}
