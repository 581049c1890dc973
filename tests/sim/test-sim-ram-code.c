/* test-sim-ram-code.c — code the debugger writes over code the core has
 * already run: the core runs the new code (core/sim/README.md, "The core").
 * Unicorn keeps its translations of code the core ran; the bench drops
 * those a debugger write changes, and only those.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "kiln-test-board.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u

/* Thumb: movs r0, #N; adds r0, #N; bkpt; nop */
#define MOVS(n) (0x2000u | (n))
#define ADDS(n) (0x3000u | (n))
#define BKPT 0xBE00u
#define NOP  0xBF00u

typedef KilnTestBoard Fixture;

/* Two Thumb halfwords at @address (word aligned) by the debugger. */
static void
write_code (Fixture *f,
            guint32  address,
            guint16  first,
            guint16  second)
{
  kiln_test_write32 (f, address, first | (guint32) second << 16);
}

/* Runs the halted core from @pc to its breakpoint; r0. */
static guint32
run_from (Fixture *f,
          guint32  pc)
{
  kiln_test_write32 (f, DCRDR, pc);
  kiln_test_write32 (f, DCRSR, 0x10000 | 15);
  kiln_test_write32 (f, DHCSR, 0xA05F0001);
  f->clock.now_ns += 1000000;
  g_assert_cmphex (kiln_test_read32 (f, DHCSR) & (1u << 17), !=, 0);
  kiln_test_write32 (f, DCRSR, 15);
  g_assert_cmphex (kiln_test_read32 (f, DCRDR) & 1u, ==, 0);
  kiln_test_write32 (f, DCRSR, 0);
  return kiln_test_read32 (f, DCRDR);
}

/* Steps the halted core one instruction from @pc (C_STEP); r0. */
static guint32
step_from (Fixture *f,
           guint32  pc)
{
  kiln_test_write32 (f, DCRDR, pc);
  kiln_test_write32 (f, DCRSR, 0x10000 | 15);
  kiln_test_write32 (f, DHCSR, 0xA05F0005);
  g_assert_cmphex (kiln_test_read32 (f, DHCSR) & (1u << 17), !=, 0);
  kiln_test_write32 (f, DCRSR, 0);
  return kiln_test_read32 (f, DCRDR);
}

static void
halt (Fixture *f)
{
  kiln_test_write32 (f, DHCSR, 0xA05F0003);
  g_assert_cmphex (kiln_test_read32 (f, DHCSR) & (1u << 17), !=, 0);
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
    kiln_test_write32 (f, a, a);
  g_assert_cmpuint (run_from (f, code), ==, 3);
  write_code (f, code + 4, ADDS (5), ADDS (1));
  for (guint32 a = 0x20002000; a < 0x20002100; a += 4)
    kiln_test_write32 (f, a, ~a);
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
  g_test_add ("/Kiln/Sim/RamCode/" path, Fixture, NULL, kiln_test_board_fixture_connected, func, \
              kiln_test_board_fixture_tear_down)

  ADD ("rewritten", test_rewritten);
  ADD ("middle-of-block", test_middle_of_block);
  ADD ("other-page", test_other_page);
  ADD ("across-pages", test_across_pages);
  ADD ("across-pages-stepped", test_across_pages_stepped);

  return g_test_run ();
}
