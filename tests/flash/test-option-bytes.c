/* test-option-bytes.c — FLASH_OPTCR/OPTCR1 decoded, encoded, changed by
 * KEY=VALUE, and described, without a probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>
#include <string.h>

#include "kiln-flash-ops.h"
#include "kiln-flash-option-bytes.h"

static KilnChip *
chip (const char *part,
      gboolean    dual)
{
  g_autoptr(GError) error = NULL;
  KilnChip *c = kiln_chip_new_for_part (part, dual, &error);

  g_assert_no_error (error);
  return c;
}

static GArray *
protected_numbers (KilnOptionBytes *ob,
                   KilnChip        *c)
{
  GArray *pos = kiln_option_bytes_dup_protected (ob, c);

  for (guint i = 0; i < pos->len; i++)
    g_array_index (pos, guint, i) = kiln_chip_get_sector (c, g_array_index (pos, guint, i))->index;
  return pos;
}

static void
assert_protected (KilnOptionBytes *ob,
                  KilnChip        *c,
                  const guint     *want,
                  guint            n)
{
  g_autoptr(GArray) got = protected_numbers (ob, c);

  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (got, guint, i), ==, want[i]);
}

static void
test_decode_f746 (void)
{
  g_autoptr(KilnChip) c = chip ("STM32F746NG", FALSE);
  KilnOptionBytes ob;
  guint32 optcr = 0xC0FFAAFD, optcr1 = 0x00400080;

  kiln_option_bytes_decode (&ob, kiln_chip_get_line (c), optcr, optcr1);
  g_assert_cmpuint (ob.rdp, ==, 0xAA);
  g_assert_cmpuint (kiln_option_bytes_get_rdp_level (&ob), ==, 0);
  g_assert_cmpuint (ob.nwrp, ==, 0xFF);
  g_assert_cmpint (ob.bor, ==, KILN_BOR_OFF);
  g_assert_true (ob.iwdg_sw && ob.wwdg_sw && ob.nrst_stop && ob.nrst_stdby && ob.iwdg_stop && ob.iwdg_stdby);
  g_assert_cmphex (ob.boot_add0, ==, 0x00200000);
  g_assert_cmphex (ob.boot_add1, ==, 0x00100000);
  g_assert_false (kiln_option_bytes_has_ndbank (&ob));
  assert_protected (&ob, c, NULL, 0);

  /* OPTLOCK/OPTSTRT are left out; everything else comes back as it was. */
  kiln_option_bytes_encode (&ob);
  g_assert_cmphex (ob.optcr, ==, optcr & ~3u);
  g_assert_cmphex (ob.optcr1, ==, optcr1);

  kiln_option_bytes_decode (&ob, kiln_chip_get_line (c), 0x40F555FD & ~(1u << 5), optcr1);
  g_assert_cmpuint (kiln_option_bytes_get_rdp_level (&ob), ==, 1);
  g_assert_false (ob.iwdg_sw);
  g_assert_false (ob.iwdg_stop);
  assert_protected (&ob, c, (guint[]) { 1, 3 }, 2);
  kiln_option_bytes_decode (&ob, kiln_chip_get_line (c), 0xC0FFCCFD, optcr1);
  g_assert_cmpuint (kiln_option_bytes_get_rdp_level (&ob), ==, 2);
}

static void
test_set (void)
{
  g_autoptr(KilnChip) c = chip ("STM32F746NG", FALSE);
  KilnOptionBytes ob, before;
  const char *bad[] = { "rdp=7", "rdp", "=1", "colour=blue", "protect=8", "protect=x", "protect=3-1", "bor=4",
                        "iwdg=maybe", "boot-add0=0x08000001", "boot-add1=0x40000000", "dual-bank=on",
                        "reset-on-stop=perhaps" };

  kiln_option_bytes_decode (&before, kiln_chip_get_line (c), 0xC0FFAAFD, 0x00400080);
  ob = before;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (kiln_option_bytes_set (&ob, c, bad[i], &error));
      g_assert_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID);
    }
  g_assert_cmphex (ob.optcr, ==, before.optcr);

  g_assert_true (kiln_option_bytes_set (&ob, c, "protect=0,2-3", NULL));
  assert_protected (&ob, c, (guint[]) { 0, 2, 3 }, 3);
  g_assert_cmphex ((ob.optcr >> 16) & 0xFF, ==, 0xF2);
  g_assert_true (kiln_option_bytes_set (&ob, c, "unprotect=2", NULL));
  assert_protected (&ob, c, (guint[]) { 0, 3 }, 2);
  g_assert_true (kiln_option_bytes_set (&ob, c, "wrp=7", NULL));
  assert_protected (&ob, c, (guint[]) { 7 }, 1);
  g_assert_true (kiln_option_bytes_set (&ob, c, "wrp=none", NULL));
  assert_protected (&ob, c, NULL, 0);

  g_assert_true (kiln_option_bytes_set (&ob, c, "rdp=1", NULL));
  g_assert_cmpuint (kiln_option_bytes_get_rdp_level (&ob), ==, 1);
  g_assert_true (kiln_option_bytes_set (&ob, c, "bor=2", NULL));
  g_assert_cmphex (ob.optcr & 0xC, ==, 0x4);
  g_assert_true (kiln_option_bytes_set (&ob, c, "iwdg=hardware", NULL));
  g_assert_cmphex (ob.optcr & (1u << 5), ==, 0);
  g_assert_true (kiln_option_bytes_set (&ob, c, "iwdg-stop=freeze", NULL));
  g_assert_cmphex (ob.optcr & (1u << 31), ==, 0);
  g_assert_true (kiln_option_bytes_set (&ob, c, "reset-on-standby=yes", NULL));
  g_assert_cmphex (ob.optcr & (1u << 7), ==, 0);
  g_assert_true (kiln_option_bytes_set (&ob, c, "boot-add0=0x08000000", NULL));
  g_assert_cmphex (ob.optcr1, ==, 0x00402000);
  g_assert_cmphex (ob.optcr & 3u, ==, 0);
}

static void
test_dual_bank_pairs (void)
{
  g_autoptr(KilnChip) dual = chip ("STM32F767ZI", TRUE);
  g_autoptr(KilnChip) single = chip ("STM32F767ZI", FALSE);
  KilnOptionBytes ob;

  kiln_option_bytes_decode (&ob, kiln_chip_get_line (dual), 0xCFFFAAFD, 0x00400080);
  g_assert_true (kiln_option_bytes_has_ndbank (&ob));
  g_assert_false (ob.ndbank);
  /* One nWRP bit guards sectors 2i and 2i+1. */
  g_assert_true (kiln_option_bytes_set (&ob, dual, "protect=3", NULL));
  assert_protected (&ob, dual, (guint[]) { 2, 3 }, 2);
  g_assert_cmphex ((ob.optcr >> 16) & 0xFFF, ==, 0xFFD);
  g_assert_true (kiln_option_bytes_set (&ob, dual, "protect=12", NULL));
  assert_protected (&ob, dual, (guint[]) { 2, 3, 12, 13 }, 4);
  g_assert_cmphex ((ob.optcr >> 16) & 0xFFF, ==, 0xFBD);

  /* The same bits in single-bank mode: one sector each. */
  kiln_option_bytes_decode (&ob, kiln_chip_get_line (single), 0xEFFFAAFD, 0x00400080);
  g_assert_true (ob.ndbank);
  g_assert_true (kiln_option_bytes_set (&ob, single, "protect=11", NULL));
  assert_protected (&ob, single, (guint[]) { 11 }, 1);
  g_assert_true (kiln_option_bytes_set (&ob, single, "dual-bank=on", NULL));
  g_assert_cmphex (ob.optcr & (1u << 29), ==, 0);
}

static void
test_f4 (void)
{
  g_autoptr(KilnChip) f407 = chip ("STM32F407VG", FALSE);
  g_autoptr(KilnChip) f429 = chip ("STM32F429ZI", TRUE);
  g_autoptr(GError) error = NULL;
  KilnOptionBytes ob;

  /* F2/F4: no BOOT_ADD, WWDG_SW, IWDG_STOP/STDBY or nDBANK; WDG_SW is bit 5. */
  kiln_option_bytes_decode (&ob, kiln_chip_get_line (f407), 0x0FFFAAED, 0);
  g_assert_false (kiln_option_bytes_has_f7_fields (&ob));
  g_assert_false (kiln_option_bytes_has_ndbank (&ob));
  g_assert_true (ob.iwdg_sw);
  g_assert_false (kiln_option_bytes_set (&ob, f407, "wwdg=software", &error));
  g_assert_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (kiln_option_bytes_set (&ob, f407, "boot-add0=0x08000000", &error));
  g_clear_error (&error);
  g_assert_true (kiln_option_bytes_set (&ob, f407, "protect=11", NULL));
  assert_protected (&ob, f407, (guint[]) { 11 }, 1);
  g_assert_cmphex (ob.optcr & (1u << 27), ==, 0);

  /* F42x/F43x 2 MiB: bank 2's sectors are guarded by OPTCR1.nWRP. */
  kiln_option_bytes_decode (&ob, kiln_chip_get_line (f429), 0x0FFFAAED, 0x0FFF0000);
  g_assert_true (kiln_option_bytes_set (&ob, f429, "protect=13", NULL));
  assert_protected (&ob, f429, (guint[]) { 13 }, 1);
  g_assert_cmphex (ob.optcr1, ==, 0x0FFD0000);
  g_assert_cmphex (ob.optcr & 0x0FFF0000, ==, 0x0FFF0000);
}

static gboolean
any_contains (GPtrArray  *list,
              const char *needle)
{
  for (guint i = 0; i < list->len; i++)
    if (strstr (g_ptr_array_index (list, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_consequences (void)
{
  g_autoptr(KilnChip) c = chip ("STM32F746NG", FALSE);
  KilnOptionBytes l0, l1, l2, wrp;

  kiln_option_bytes_decode (&l0, kiln_chip_get_line (c), 0xC0FFAAFD, 0x00400080);
  l1 = l0;
  g_assert_true (kiln_option_bytes_set (&l1, c, "rdp=1", NULL));
  l2 = l0;
  g_assert_true (kiln_option_bytes_set (&l2, c, "rdp=2", NULL));
  wrp = l0;
  g_assert_true (kiln_option_bytes_set (&wrp, c, "protect=0", NULL));

  g_assert_cmpint (kiln_option_bytes_get_impact (&l1, &l0), ==, KILN_OPTION_IMPACT_ERASES_FLASH);
  g_assert_cmpint (kiln_option_bytes_get_impact (&l0, &l1), ==, KILN_OPTION_IMPACT_READ_PROTECT);
  g_assert_cmpint (kiln_option_bytes_get_impact (&l0, &l2), ==, KILN_OPTION_IMPACT_IRREVERSIBLE);
  g_assert_cmpint (kiln_option_bytes_get_impact (&l0, &wrp), ==, KILN_OPTION_IMPACT_PROTECT);
  g_assert_cmpint (kiln_option_bytes_get_impact (&wrp, &l0), ==, KILN_OPTION_IMPACT_UNPROTECT);
  g_assert_cmpint (kiln_option_bytes_get_impact (&l0, &l0), ==, KILN_OPTION_IMPACT_NONE);

  {
    g_autoptr(GPtrArray) changes = kiln_option_bytes_dup_changes (&l1, &l0, c);
    g_autoptr(GPtrArray) what = kiln_option_bytes_dup_consequences (&l1, &l0, c);
    g_autoptr(GPtrArray) none = kiln_option_bytes_dup_changes (&l0, &l0, c);

    g_assert_cmpuint (changes->len, ==, 1);
    g_assert_true (g_str_has_prefix (g_ptr_array_index (changes, 0), "Read protection: level 1"));
    g_assert_true (any_contains (what, "erases the whole flash (1024 KiB"));
    g_assert_cmpuint (none->len, ==, 0);
  }
  {
    g_autoptr(GPtrArray) what = kiln_option_bytes_dup_consequences (&l0, &l2, c);

    g_assert_true (g_str_has_prefix (g_ptr_array_index (what, 0), "IRREVERSIBLE"));
  }
  {
    g_autoptr(GPtrArray) what = kiln_option_bytes_dup_consequences (&wrp, &l0, c);

    g_assert_true (any_contains (what, "Sector 0 will no longer be write-protected"));
  }
  {
    g_autofree char *words = kiln_option_bytes_describe (&wrp, c);
    g_autofree char *json = kiln_option_bytes_to_json (&wrp, c);

    g_assert_nonnull (strstr (words, "Write-protected sectors:      0\n"));
    g_assert_nonnull (strstr (json, "\"protected_sectors\":[0]"));
  }
}

static void
test_sector_list (void)
{
  g_autoptr(KilnChip) c = chip ("STM32F767ZI", TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) list = kiln_flash_parse_sector_list (c, "0,12-13", &error);
  g_autoptr(GArray) missing = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpuint (kiln_chip_get_sector (c, g_array_index (list, guint, 2))->index, ==, 13);
  g_assert_cmphex (kiln_chip_get_sector (c, g_array_index (list, guint, 1))->address, ==, 0x08100000);
  {
    g_autoptr(GArray) twice = kiln_flash_parse_sector_list (c, "1,0-1,1", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (twice->len, ==, 2);
  }
  /* Bank 2 is numbered 12–23: there is no sector 24. */
  missing = kiln_flash_parse_sector_list (c, "24", &error);
  g_assert_null (missing);
  g_assert_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID);

  /* An empty item is an error, not a NULL handed to GLib (a critical, which
   * this test would abort on; found by fuzz-profile). */
  for (guint i = 0; i < 3; i++)
    {
      static const char *const empty[] = { "1,,4", "0,", "," };
      g_autoptr(GArray) none = NULL;

      g_clear_error (&error);
      none = kiln_flash_parse_sector_list (c, empty[i], &error);
      g_assert_null (none);
      g_assert_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID);
    }
}

/* DB1M (RM0090, OPTCR bit 30): a 1 MiB F42x/F43x becomes two banks of
 * 512 KiB, bank 2's sectors numbered 12 to 19; refused where it does not
 * apply. */
static void
test_db1m (void)
{
  g_autoptr(KilnChip) zg = chip ("STM32F429ZG", FALSE);
  g_autoptr(KilnChip) zg_dual = chip ("STM32F429ZG", TRUE);
  g_autoptr(KilnChip) zi = chip ("STM32F429ZI", TRUE);
  g_autoptr(KilnChip) f407 = chip ("STM32F407VG", FALSE);
  g_autoptr(KilnChip) f767 = chip ("STM32F767ZI", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) consequences = NULL;
  g_autofree char *words = NULL;
  g_autofree char *json = NULL;
  KilnOptionBytes before, ob;
  const KilnSector *s;

  /* The layouts: one bank of 0–11, or 0–7 and 12–19 with bank 2 at 512 KiB. */
  g_assert_cmpuint (kiln_chip_get_n_sectors (zg), ==, 12);
  g_assert_false (kiln_chip_is_dual_bank (zg));
  g_assert_cmpuint (kiln_chip_get_n_sectors (zg_dual), ==, 16);
  g_assert_true (kiln_chip_is_dual_bank (zg_dual));
  s = kiln_chip_get_sector (zg_dual, 8);
  g_assert_cmpuint (s->index, ==, 12);
  g_assert_cmphex (s->address, ==, 0x08080000);
  g_assert_cmpuint (s->size, ==, 16 * 1024);
  g_assert_cmpuint (s->bank, ==, 2);
  s = kiln_chip_get_sector (zg_dual, 15);
  g_assert_cmpuint (s->index, ==, 19);
  g_assert_cmphex (s->address + s->size, ==, 0x08100000);

  kiln_option_bytes_decode (&before, kiln_chip_get_line (zg), 0x0FFFAAED, 0x0FFF0000);
  g_assert_true (kiln_option_bytes_has_db1m (&before, zg));
  g_assert_false (before.db1m);
  ob = before;
  g_assert_true (kiln_option_bytes_set (&ob, zg, "db1m=1", &error));
  g_assert_no_error (error);
  g_assert_true (ob.db1m);
  g_assert_cmphex (ob.optcr, ==, 0x4FFFAAEC);
  g_assert_cmphex (ob.optcr1, ==, 0x0FFF0000);
  g_assert_cmpint (kiln_option_bytes_get_impact (&before, &ob), ==, KILN_OPTION_IMPACT_LAYOUT);
  changes = kiln_option_bytes_dup_changes (&before, &ob, zg);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (changes, 0), ==, "Bank mode (DB1M): single bank → dual bank");
  consequences = kiln_option_bytes_dup_consequences (&before, &ob, zg);
  g_assert_true (any_contains (consequences, "sectors 12 to 19"));
  g_assert_true (any_contains (consequences, "sectors 8 to 11 no longer exist"));
  g_assert_true (any_contains (consequences, "The image keeps its addresses"));
  words = kiln_option_bytes_describe (&ob, zg_dual);
  g_assert_nonnull (strstr (words, "Bank mode (DB1M):             dual bank: 2 × 512 KiB, sectors 0–7 and 12–19"));
  json = kiln_option_bytes_to_json (&ob, zg_dual);
  g_assert_nonnull (strstr (json, "\"db1m\":true"));

  /* Decoded back from the register, and cleared again. */
  kiln_option_bytes_decode (&ob, kiln_chip_get_line (zg), 0x4FFFAAEC, 0x0FFF0000);
  g_assert_true (ob.db1m);
  g_assert_true (kiln_option_bytes_set (&ob, zg_dual, "db1m=off", NULL));
  g_assert_cmphex (ob.optcr, ==, 0x0FFFAAEC);
  g_assert_false (kiln_option_bytes_set (&ob, zg, "db1m=maybe", &error));
  g_assert_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID);
  g_clear_error (&error);

  /* Bank 2's sectors are guarded by OPTCR1 as on 2 MiB parts. */
  ob = before;
  ob.db1m = TRUE;
  g_assert_true (kiln_option_bytes_set (&ob, zg_dual, "protect=12", NULL));
  g_assert_cmphex (ob.optcr1, ==, 0x0FFE0000);

  /* 2 MiB F42x (always two banks), F407 and F767 (bit 30 is IWDG_STDBY): refused. */
  kiln_option_bytes_decode (&ob, kiln_chip_get_line (zi), 0x0FFFAAED, 0x0FFF0000);
  g_assert_false (kiln_option_bytes_has_db1m (&ob, zi));
  g_assert_false (kiln_option_bytes_set (&ob, zi, "db1m=1", &error));
  g_assert_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "DB1M applies only to STM32F42x/F43x parts with 1 MiB"));
  g_clear_error (&error);
  kiln_option_bytes_decode (&ob, kiln_chip_get_line (f407), 0x0FFFAAED, 0);
  g_assert_false (kiln_option_bytes_set (&ob, f407, "db1m=1", &error));
  g_clear_error (&error);
  kiln_option_bytes_decode (&ob, kiln_chip_get_line (f767), 0xC0FFAAFD, 0x00400080);
  g_assert_false (ob.db1m);
  g_assert_false (kiln_option_bytes_set (&ob, f767, "db1m=1", &error));
  g_clear_error (&error);
  g_assert_cmphex (ob.optcr, ==, 0xC0FFAAFC);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Flash/option-bytes/decode-f746", test_decode_f746);
  g_test_add_func ("/Kiln/Flash/option-bytes/set", test_set);
  g_test_add_func ("/Kiln/Flash/option-bytes/dual-bank-pairs", test_dual_bank_pairs);
  g_test_add_func ("/Kiln/Flash/option-bytes/consequences", test_consequences);
  g_test_add_func ("/Kiln/Flash/option-bytes/f4", test_f4);
  g_test_add_func ("/Kiln/Flash/option-bytes/sector-list", test_sector_list);
  g_test_add_func ("/Kiln/Flash/option-bytes/db1m", test_db1m);
  return g_test_run ();
}
