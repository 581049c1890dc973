/* test-sim-options.c — the simulated board's option bytes as silicon has
 * them: OPTLOCK and its keys, the OPTSTRT sequence, values loaded at reset,
 * WRP, RDP 1 → 0 erasing the flash, state and report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "kiln-test-board.h"

#define FLASH_REGS 0x40023C00u
#define OPTKEYR    (FLASH_REGS + 0x08)
#define SR         (FLASH_REGS + 0x0C)
#define CR         (FLASH_REGS + 0x10)
#define OPTCR      (FLASH_REGS + 0x14)
#define OPTCR1     (FLASH_REGS + 0x18)
#define AIRCR      0xE000ED0Cu
#define DHCSR      0xE000EDF0u

typedef KilnTestBoard Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  g_autofree char *img = NULL;
  g_autofree char *config = NULL;
  guint8 bytes[4096];

  kiln_test_board_make_dir (f);
  /* The flash starts with something an erase would remove. */
  img = g_build_filename (f->dir, "img.bin", NULL);
  memset (bytes, 0x11, sizeof bytes);
  g_assert_true (g_file_set_contents (img, (const char *) bytes, sizeof bytes, NULL));
  config = g_strdup_printf ("flash-image=%s\n%s", img, data ? (const char *) data : "");
  kiln_test_board_open (f, config);
  kiln_test_board_connect (f);
}

/* Waits for BSY to clear on the virtual clock; returns how long it took. */
static double
wait_busy (Fixture *f)
{
  guint64 start = f->clock.now_ns;

  while (kiln_test_read32 (f, SR) & (1u << 16))
    f->clock.now_ns += 1000000;
  return (f->clock.now_ns - start) / 1e9;
}

static void
unlock_options (Fixture *f)
{
  kiln_test_write32 (f, OPTKEYR, 0x08192A3B);
  kiln_test_write32 (f, OPTKEYR, 0x4C5D6E7F);
  g_assert_cmphex (kiln_test_read32 (f, OPTCR) & 1, ==, 0);
}

static void
system_reset (Fixture *f)
{
  kiln_test_write32 (f, AIRCR, 0x05FA0004);
}

static void
test_optlock (Fixture       *f,
              gconstpointer  data)
{
  guint32 before = kiln_test_read32 (f, OPTCR);

  /* Locked from reset: writes are ignored, except setting OPTLOCK. */
  g_assert_cmphex (before & 1, ==, 1);
  kiln_test_write32 (f, OPTCR, (before & ~1u) & ~(1u << 16));
  g_assert_cmphex (kiln_test_read32 (f, OPTCR), ==, before);

  /* A wrong key faults and locks the option registers until reset. */
  g_assert_cmpint (kiln_test_try_write32 (f, OPTKEYR, 0x12345678), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmpint (kiln_test_try_write32 (f, OPTKEYR, 0x08192A3B), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmpint (kiln_test_try_write32 (f, OPTKEYR, 0x4C5D6E7F), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmphex (kiln_test_read32 (f, OPTCR) & 1, ==, 1);
  system_reset (f);
  unlock_options (f);

  /* A second unlock faults too and locks again. */
  g_assert_cmpint (kiln_test_try_write32 (f, OPTKEYR, 0x08192A3B), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmphex (kiln_test_read32 (f, OPTCR) & 1, ==, 1);
}

static void
test_program_and_reload (Fixture       *f,
                         gconstpointer  data)
{
  guint32 optcr = kiln_test_read32 (f, OPTCR) & ~3u;
  guint32 wanted = (optcr & ~(1u << 16)) & ~(3u << 2);   /* protect sector 0, BOR level 3 */
  gsize size;

  /* A value written without OPTSTRT is not kept: the reset loads the stored one. */
  unlock_options (f);
  kiln_test_write32 (f, OPTCR, wanted);
  system_reset (f);
  g_assert_cmphex (kiln_test_read32 (f, OPTCR), ==, optcr | 1);

  unlock_options (f);
  kiln_test_write32 (f, OPTCR1, 0x00402000);
  kiln_test_write32 (f, OPTCR, wanted);
  kiln_test_write32 (f, OPTCR, wanted | 2);
  g_assert_cmphex (kiln_test_read32 (f, SR) & (1u << 16), !=, 0);
  wait_busy (f);
  g_assert_cmphex (kiln_test_read32 (f, SR) & 0xF2, ==, 0);
  kiln_test_write32 (f, OPTCR, wanted | 1);
  system_reset (f);
  g_assert_cmphex (kiln_test_read32 (f, OPTCR), ==, wanted | 1);
  g_assert_cmphex (kiln_test_read32 (f, OPTCR1), ==, 0x00402000);

  /* Sector 0 is write-protected now: its erase fails with WRPERR. */
  kiln_test_write32 (f, FLASH_REGS + 0x04, 0x45670123);
  kiln_test_write32 (f, FLASH_REGS + 0x04, 0xCDEF89AB);
  kiln_test_write32 (f, CR, (2u << 8) | 2u);
  kiln_test_write32 (f, CR, (2u << 8) | 2u | (1u << 16));
  wait_busy (f);
  g_assert_cmphex (kiln_test_read32 (f, SR) & (1u << 4), !=, 0);
  g_assert_cmpuint (f->report->sectors_erased->len, ==, 0);
  kiln_test_write32 (f, CR, 1u << 31);

  /* Kept across a power cycle: options.ini. */
  g_assert_true (kiln_sim_board_save (f->board, NULL));
  {
    g_autofree char *path = g_build_filename (f->dir, "state", "options.ini", NULL);
    g_autofree char *text = NULL;
    const char *line;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    line = strstr (text, "optcr=");
    g_assert_nonnull (line);
    /* OPTLOCK and OPTSTRT are register bits, not stored options. */
    g_assert_cmphex ((guint32) g_ascii_strtoull (line + 6, NULL, 0) & ~3u, ==, wanted);
  }
  g_assert_false (f->report->flash_unlocked_at_exit);
  g_assert_false (f->report->options_unlocked_at_exit);
  (void) kiln_sim_board_peek_flash (f->board, &size);
}

/* nWRP cleared in OPTCR but never committed with OPTSTRT protects nothing:
 * the erase of that sector goes ahead. */
static void
test_wrp_needs_optstrt (Fixture       *f,
                        gconstpointer  data)
{
  guint32 optcr = kiln_test_read32 (f, OPTCR) & ~3u;
  gsize size;

  unlock_options (f);
  kiln_test_write32 (f, OPTCR, optcr & ~(1u << 17));
  kiln_test_write32 (f, OPTCR, (optcr & ~(1u << 17)) | 1);
  kiln_test_write32 (f, FLASH_REGS + 0x04, 0x45670123);
  kiln_test_write32 (f, FLASH_REGS + 0x04, 0xCDEF89AB);
  kiln_test_write32 (f, CR, (2u << 8) | (1u << 3) | 2u);
  kiln_test_write32 (f, CR, (2u << 8) | (1u << 3) | 2u | (1u << 16));
  wait_busy (f);
  g_assert_cmphex (kiln_test_read32 (f, SR) & 0xF2, ==, 0);
  g_assert_cmpuint (f->report->sectors_erased->len, ==, 1);
  g_assert_cmphex (kiln_sim_board_peek_flash (f->board, &size)[0], ==, 0x11);
  g_assert_cmphex (kiln_test_read32 (f, 0x08008000), ==, 0xFFFFFFFF);
  kiln_test_write32 (f, CR, 1u << 31);
}

static void
test_optcr_waits_for_erase (Fixture       *f,
                            gconstpointer  data)
{
  guint32 optcr = kiln_test_read32 (f, OPTCR) & ~3u;
  gsize size;
  guint64 start;

  /* A sector erase is running when the option change starts: it completes. */
  kiln_test_write32 (f, FLASH_REGS + 0x04, 0x45670123);
  kiln_test_write32 (f, FLASH_REGS + 0x04, 0xCDEF89AB);
  unlock_options (f);
  kiln_test_write32 (f, CR, (2u << 8) | 2u);
  kiln_test_write32 (f, CR, (2u << 8) | 2u | (1u << 16));
  start = f->clock.now_ns;
  kiln_test_write32 (f, OPTCR, optcr & ~(1u << 17));
  g_assert_cmpuint (f->clock.now_ns - start, >=, 200 * 1000000ull);
  kiln_test_write32 (f, OPTCR, (optcr & ~(1u << 17)) | 2);
  wait_busy (f);
  g_assert_cmphex (kiln_sim_board_peek_flash (f->board, &size)[0], ==, 0xFF);
  kiln_test_write32 (f, OPTCR, (optcr & ~(1u << 17)) | 1);
  kiln_test_write32 (f, CR, 1u << 31);
  system_reset (f);
  g_assert_cmphex (kiln_test_read32 (f, OPTCR) & (1u << 17), ==, 0);
}

static void
test_rdp_regression (Fixture       *f,
                     gconstpointer  data)
{
  guint32 optcr = kiln_test_read32 (f, OPTCR) & ~3u;
  guint32 v;
  const guint8 *flash;
  gsize size;
  double t;

  /* A debugger is attached (DHCSR written) and RDP is level 1: flash reads fault. */
  kiln_test_write32 (f, DHCSR, 0xA05F0003);
  g_assert_cmpint (kiln_test_try_read32 (f, 0x08000000, &v), ==, KILN_SIM_ACK_FAULT);
  flash = kiln_sim_board_peek_flash (f->board, &size);
  g_assert_cmphex (flash[0], ==, 0x11);

  unlock_options (f);
  kiln_test_write32 (f, OPTCR, (optcr & ~0xFF00u) | (0xAAu << 8));
  kiln_test_write32 (f, OPTCR, (optcr & ~0xFF00u) | (0xAAu << 8) | 2);
  t = wait_busy (f);
  g_assert_cmpfloat (t, >, 1.0);
  kiln_test_write32 (f, OPTCR, ((optcr & ~0xFF00u) | (0xAAu << 8)) | 1);

  /* The whole flash was erased on the way to level 0. */
  flash = kiln_sim_board_peek_flash (f->board, &size);
  for (gsize i = 0; i < size; i++)
    if (flash[i] != 0xFF)
      g_error ("flash byte 0x%" G_GSIZE_MODIFIER "x is 0x%02X after RDP 1 → 0", i, flash[i]);
  g_assert_cmpuint (f->report->mass_erases, ==, 1);
  system_reset (f);
  g_assert_cmphex ((kiln_test_read32 (f, OPTCR) >> 8) & 0xFF, ==, 0xAA);
  g_assert_cmphex (kiln_test_read32 (f, 0x08000000), ==, 0xFFFFFFFF);
}

static void
test_rdp_raise_keeps_flash (Fixture       *f,
                            gconstpointer  data)
{
  guint32 optcr = kiln_test_read32 (f, OPTCR) & ~3u;
  guint32 v;
  gsize size;

  kiln_test_write32 (f, DHCSR, 0xA05F0003);
  g_assert_cmphex (kiln_test_read32 (f, 0x08000000), ==, 0x11111111);
  unlock_options (f);
  kiln_test_write32 (f, OPTCR, (optcr & ~0xFF00u) | (0x55u << 8));
  kiln_test_write32 (f, OPTCR, (optcr & ~0xFF00u) | (0x55u << 8) | 2);
  wait_busy (f);
  system_reset (f);
  g_assert_cmpint (kiln_test_try_read32 (f, 0x08000000, &v), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmpuint (f->report->mass_erases, ==, 0);
  /* Nor can the debugger program it. */
  kiln_test_write32 (f, FLASH_REGS + 0x04, 0x45670123);
  kiln_test_write32 (f, FLASH_REGS + 0x04, 0xCDEF89AB);
  kiln_test_write32 (f, CR, (2u << 8) | 1u);
  g_assert_cmpint (kiln_test_try_write32 (f, 0x08000000, 0), ==, KILN_SIM_ACK_FAULT);
  kiln_test_write32 (f, CR, 1u << 31);
  g_assert_cmphex (kiln_sim_board_peek_flash (f->board, &size)[0], ==, 0x11);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, config) \
  g_test_add ("/Kiln/Sim/options/" path, Fixture, config, set_up, func, kiln_test_board_fixture_tear_down)

  ADD ("optlock", test_optlock, NULL);
  ADD ("program-and-reload", test_program_and_reload, NULL);
  ADD ("wrp-needs-optstrt", test_wrp_needs_optstrt, NULL);
  ADD ("optcr-waits-for-erase", test_optcr_waits_for_erase, NULL);
  ADD ("rdp-regression", test_rdp_regression, "rdp=0x55\n");
  ADD ("rdp-raise", test_rdp_raise_keeps_flash, NULL);
  return g_test_run ();
}
