/* test-sim-ram-code.c — code the debugger writes over code the core has
 * already run: the core runs the new code (core/sim/README.md, "The core").
 * Unicorn keeps its translations of code the core ran; the bench drops
 * those a debugger write changes, and only those.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-sim-board.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u

/* Thumb: movs r0, #N; adds r0, #N; bkpt; nop */
#define MOVS(n) (0x2000u | (n))
#define ADDS(n) (0x3000u | (n))
#define BKPT 0xBE00u
#define NOP  0xBF00u

typedef struct
{
  KilnSimClock   clock;
  KilnSimReport *report;
  KilnSimBoard  *board;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  guint32 v = 0;
  guint64 ready;

  g_assert_true (g_key_file_load_from_data (kf, "[board]\n", -1, G_KEY_FILE_NONE, &error));
  memset (&f->clock, 0, sizeof f->clock);
  f->report = kiln_sim_report_new ();
  f->board = kiln_sim_board_new (kf, "board", NULL, &f->clock, f->report, &error);
  g_assert_no_error (error);

  kiln_sim_board_swd_line_reset (f->board);
  g_assert_cmpint (kiln_sim_board_dp_read (f->board, 0x0, &v, &ready), ==, KILN_SIM_ACK_OK);
  g_assert_cmpint (kiln_sim_board_dp_write (f->board, 0x4, 0x50000000, &ready), ==, KILN_SIM_ACK_OK);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->board);
  kiln_sim_report_free (f->report);
}

static void
write32 (Fixture *f,
         guint32  address,
         guint32  value)
{
  guint64 ready;

  kiln_sim_board_ap_write (f->board, 0, 0x00, 0x23000012, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x04, address, &ready);
  g_assert_cmpint (kiln_sim_board_ap_write (f->board, 0, 0x0C, value, &ready), ==, KILN_SIM_ACK_OK);
}

static guint32
read32 (Fixture *f,
        guint32  address)
{
  guint64 ready;
  guint32 v = 0xDEADBEEF;

  kiln_sim_board_ap_write (f->board, 0, 0x00, 0x23000012, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x04, address, &ready);
  g_assert_cmpint (kiln_sim_board_ap_read (f->board, 0, 0x0C, &v, &ready), ==, KILN_SIM_ACK_OK);
  return v;
}

/* Two Thumb halfwords at @address (word aligned) by the debugger. */
static void
write_code (Fixture *f,
            guint32  address,
            guint16  first,
            guint16  second)
{
  write32 (f, address, first | (guint32) second << 16);
}

/* Runs the halted core from @pc to its breakpoint; r0. */
static guint32
run_from (Fixture *f,
          guint32  pc)
{
  write32 (f, DCRDR, pc);
  write32 (f, DCRSR, 0x10000 | 15);
  write32 (f, DHCSR, 0xA05F0001);
  f->clock.now_ns += 1000000;
  g_assert_cmphex (read32 (f, DHCSR) & (1u << 17), !=, 0);
  write32 (f, DCRSR, 15);
  g_assert_cmphex (read32 (f, DCRDR) & 1u, ==, 0);
  write32 (f, DCRSR, 0);
  return read32 (f, DCRDR);
}

/* Steps the halted core one instruction from @pc (C_STEP); r0. */
static guint32
step_from (Fixture *f,
           guint32  pc)
{
  write32 (f, DCRDR, pc);
  write32 (f, DCRSR, 0x10000 | 15);
  write32 (f, DHCSR, 0xA05F0005);
  g_assert_cmphex (read32 (f, DHCSR) & (1u << 17), !=, 0);
  write32 (f, DCRSR, 0);
  return read32 (f, DCRDR);
}

static void
halt (Fixture *f)
{
  write32 (f, DHCSR, 0xA05F0003);
  g_assert_cmphex (read32 (f, DHCSR) & (1u << 17), !=, 0);
}

/* The whole block rewritten, in SRAM and in the F7's ITCM RAM. */
static void
test_rewritten (Fixture       *f,
                gconstpointer  data)
{
  static const guint32 bases[] = { 0x20000000, 0x20010200, 0x00000100 };

  halt (f);
  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      write_code (f, bases[i], MOVS (1), BKPT);
      g_assert_cmpuint (run_from (f, bases[i]), ==, 1);
      write_code (f, bases[i], MOVS (2), BKPT);
      g_assert_cmpuint (run_from (f, bases[i]), ==, 2);
      g_assert_cmpuint (run_from (f, bases[i]), ==, 2);
    }
}

/* One word in the middle of a block the core ran, written between runs
 * beside writes to RAM that holds no code. */
static void
test_middle_of_block (Fixture       *f,
                      gconstpointer  data)
{
  const guint32 code = 0x20000400;

  halt (f);
  write_code (f, code, MOVS (0), ADDS (1));
  write_code (f, code + 4, ADDS (1), ADDS (1));
  write_code (f, code + 8, BKPT, NOP);
  g_assert_cmpuint (run_from (f, code), ==, 3);
  for (guint32 a = 0x20002000; a < 0x20002100; a += 4)
    write32 (f, a, a);
  g_assert_cmpuint (run_from (f, code), ==, 3);
  write_code (f, code + 4, ADDS (5), ADDS (1));
  for (guint32 a = 0x20002000; a < 0x20002100; a += 4)
    write32 (f, a, ~a);
  g_assert_cmpuint (run_from (f, code), ==, 7);
}

/* Code written into a page after the core ran code from another one, then
 * rewritten: the first version is never translated, the second must be. */
static void
test_other_page (Fixture       *f,
                 gconstpointer  data)
{
  halt (f);
  write_code (f, 0x20000000, MOVS (9), BKPT);
  g_assert_cmpuint (run_from (f, 0x20000000), ==, 9);
  write_code (f, 0x20001000, MOVS (3), BKPT);
  g_assert_cmpuint (run_from (f, 0x20001000), ==, 3);
  write_code (f, 0x20001000, MOVS (4), BKPT);
  g_assert_cmpuint (run_from (f, 0x20001000), ==, 4);
  g_assert_cmpuint (run_from (f, 0x20000000), ==, 9);
}

/* A 32-bit instruction across two pages (movw r0, #imm16 at the last
 * halfword of one): a write to its second half, in the next page, takes
 * effect. */
static void
test_across_pages (Fixture       *f,
                   gconstpointer  data)
{
  halt (f);
  write_code (f, 0x200007FC, NOP, 0xF241);
  write_code (f, 0x20000800, 0x2034, BKPT);
  g_assert_cmphex (run_from (f, 0x200007FC), ==, 0x1234);
  write_code (f, 0x20000800, 0x20AB, BKPT);
  g_assert_cmphex (run_from (f, 0x200007FC), ==, 0x12AB);
  /* The same, the core starting at the instruction itself. */
  write_code (f, 0x20000800, 0x2056, BKPT);
  g_assert_cmphex (run_from (f, 0x200007FE), ==, 0x1256);
  write_code (f, 0x20000800, 0x2078, BKPT);
  g_assert_cmphex (run_from (f, 0x200007FE), ==, 0x1278);
}

/* The same, stepped: the core runs the instruction across the pages and
 * nothing after it in the next page, so only the instruction itself says
 * that page holds code. */
static void
test_across_pages_stepped (Fixture       *f,
                           gconstpointer  data)
{
  halt (f);
  write_code (f, 0x20000BFC, MOVS (0), 0xF241);
  write_code (f, 0x20000C00, 0x2034, BKPT);
  g_assert_cmphex (step_from (f, 0x20000BFC), ==, 0);
  g_assert_cmphex (step_from (f, 0x20000BFE), ==, 0x1234);
  write_code (f, 0x20000C00, 0x20AB, BKPT);
  g_assert_cmphex (step_from (f, 0x20000BFE), ==, 0x12AB);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/Kiln/Sim/RamCode/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("rewritten", test_rewritten);
  ADD ("middle-of-block", test_middle_of_block);
  ADD ("other-page", test_other_page);
  ADD ("across-pages", test_across_pages);
  ADD ("across-pages-stepped", test_across_pages_stepped);

  return g_test_run ();
}
