/* test-sim-power.c — voltage scaling and over-drive (PWR) and the highest
 * SYSCLK they allow (core/sim/README.md, "Voltage scaling and over-drive")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "kiln-test-board.h"

#define RCC_CR       0x40023800u
#define RCC_PLLCFGR  0x40023804u
#define RCC_CFGR     0x40023808u
#define RCC_APB1ENR  0x40023840u
#define FLASH_ACR    0x40023C00u
#define PWR_CR       0x40007000u
#define PWR_CSR      0x40007004u

#define PWREN        (1u << 28)
#define ODEN         (1u << 16)
#define ODSWEN       (1u << 17)
#define VOSRDY       (1u << 14)
#define ODRDY        (1u << 16)
#define ODSWRDY      (1u << 17)

typedef KilnTestBoard Fixture;

static void
wait_us (Fixture *f,
         guint    us)
{
  f->clock.now_ns += us * 1000ull;
  kiln_sim_board_sync (f->board);
}

static guint
n_violations (Fixture *f)
{
  return f->report->violations->len;
}

static const char *
last_violation (Fixture *f)
{
  g_assert_cmpuint (n_violations (f), >, 0);
  return g_ptr_array_index (f->report->violations, n_violations (f) - 1);
}

/* The PLL set up from HSE (@m, @n, P = 2) and locked, with @latency flash
 * wait states; SYSCLK still on HSI. */
static void
pll_ready (Fixture *f,
           guint    m,
           guint    n,
           guint    latency)
{
  kiln_test_write32 (f, FLASH_ACR, latency);
  kiln_test_write32 (f, RCC_CR, (1u << 0) | (1u << 16));
  wait_us (f, 2000);
  kiln_test_write32 (f, RCC_PLLCFGR, m | (n << 6) | (1u << 22));
  kiln_test_write32 (f, RCC_CR, (1u << 0) | (1u << 16) | (1u << 24));
  wait_us (f, 200);
  g_assert_cmphex (kiln_test_read32 (f, RCC_CR) & (1u << 25), !=, 0);
}

/* A stub on the core switches SYSCLK to the PLL and waits for SWS:
 *   str r1, [r0]; 1: ldr r2, [r0]; and r2, r2, #12; cmp r2, #8; bne 1b; bkpt
 * with r0 = RCC_CFGR, r1 = 2 (SW = PLL). */
static void
switch_to_pll_on_core (Fixture *f)
{
  static const guint16 stub[] = { 0x6001, 0x6802, 0xF002, 0x020C, 0x2A08, 0xD1FA, 0xBE00, 0xBF00 };

  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  for (guint i = 0; i < G_N_ELEMENTS (stub); i += 2)
    kiln_test_write32 (f, 0x20000000 + 2 * i, stub[i] | (guint32) stub[i + 1] << 16);
  kiln_test_write32 (f, 0xE000EDF8, RCC_CFGR);
  kiln_test_write32 (f, 0xE000EDF4, 0x10000 | 0);
  kiln_test_write32 (f, 0xE000EDF8, 2);
  kiln_test_write32 (f, 0xE000EDF4, 0x10000 | 1);
  kiln_test_write32 (f, 0xE000EDF8, 0x20000000);
  kiln_test_write32 (f, 0xE000EDF4, 0x10000 | 15);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0001);
  wait_us (f, 100);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), !=, 0);   /* halted at the bkpt */
  g_assert_cmphex (kiln_test_read32 (f, RCC_CFGR) & 0xF, ==, 0xA);           /* SWS = PLL */
}

/* An F746 at 216 MHz (HSE 25 MHz / 25 × 432 / 2) with 7 wait states. Without
 * over-drive that is above scale 1's 180 MHz: a violation. With over-drive
 * (ODEN, ODRDY, ODSWEN, ODSWRDY 45 µs later) it is allowed. */
static void
test_f746_216 (Fixture       *f,
               gconstpointer  data)
{
  pll_ready (f, 25, 432, 7);
  switch_to_pll_on_core (f);
  g_assert_cmpuint (n_violations (f), ==, 1);
  g_assert_cmpstr (last_violation (f), ==,
                   "clock switched: SYSCLK 216000000 Hz above 180 MHz, the most at voltage scale 1 without over-drive");
}

static void
test_f746_216_overdrive (Fixture       *f,
                         gconstpointer  data)
{
  pll_ready (f, 25, 432, 7);
  kiln_test_write32 (f, RCC_APB1ENR, PWREN);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0x0000C000);   /* scale 1 */
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & ODRDY, !=, 0);
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN | ODSWEN);
  wait_us (f, 40);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & ODSWRDY, ==, 0);
  wait_us (f, 5);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & ODSWRDY, !=, 0);
  switch_to_pll_on_core (f);
  g_assert_cmpuint (n_violations (f), ==, 0);
}

/* Switching before ODSWRDY is too soon: the regulator is not in over-drive
 * yet. */
static void
test_f746_216_overdrive_too_soon (Fixture       *f,
                                  gconstpointer  data)
{
  pll_ready (f, 25, 432, 7);
  kiln_test_write32 (f, RCC_APB1ENR, PWREN);
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN);
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN | ODSWEN);
  kiln_test_write32 (f, RCC_CFGR, 2);
  g_assert_cmpuint (n_violations (f), ==, 1);
  g_assert_nonnull (strstr (last_violation (f), "above 180 MHz, the most at voltage scale 1 without over-drive"));
}

/* ODSWEN before ODRDY is ignored (a violation); clearing ODSWEN drops
 * ODSWRDY 20 µs later; clearing ODEN clears ODRDY and ODSWEN. */
static void
test_overdrive_sequence (Fixture       *f,
                         gconstpointer  data)
{
  kiln_test_write32 (f, RCC_APB1ENR, PWREN);
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN | ODSWEN);
  g_assert_cmpstr (last_violation (f), ==, "ODSWEN set before ODRDY (ignored)");
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0x0000C000 | ODEN);
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN | ODSWEN);
  wait_us (f, 45);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & (ODRDY | ODSWRDY), ==, ODRDY | ODSWRDY);
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN);
  wait_us (f, 19);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & ODSWRDY, !=, 0);
  wait_us (f, 1);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & ODSWRDY, ==, 0);
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN | ODSWEN);
  kiln_test_write32 (f, PWR_CR, 0x0000C000);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0x0000C000);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & (ODRDY | ODSWRDY), ==, 0);
  g_assert_cmpuint (n_violations (f), ==, 1);
}

/* 180 MHz at scale 1 needs no over-drive. */
static void
test_f746_180 (Fixture       *f,
               gconstpointer  data)
{
  pll_ready (f, 25, 360, 5);
  switch_to_pll_on_core (f);
  g_assert_cmpuint (n_violations (f), ==, 0);
}

/* At scale 3 (VOS written with the PLL off) the F746 allows 144 MHz, with
 * or without over-drive. */
static void
test_f746_scale3 (Fixture       *f,
                  gconstpointer  data)
{
  kiln_test_write32 (f, RCC_APB1ENR, PWREN);
  kiln_test_write32 (f, PWR_CR, 0x00004000);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & VOSRDY, ==, 0);   /* PLL off */
  pll_ready (f, 25, 336, 5);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & VOSRDY, !=, 0);
  kiln_test_write32 (f, RCC_CFGR, 2);
  g_assert_cmpuint (n_violations (f), ==, 1);
  g_assert_cmpstr (last_violation (f), ==,
                   "clock switched: SYSCLK 168000000 Hz above 144 MHz, the most at voltage scale 3");
}

/* Without PWREN the PWR reads as zero and ignores writes; VOS does not
 * change while the PLL runs. */
static void
test_pwr_clock_and_pll (Fixture       *f,
                        gconstpointer  data)
{
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0);
  kiln_test_write32 (f, PWR_CR, 0x00004000);
  kiln_test_write32 (f, RCC_APB1ENR, PWREN);
  g_assert_cmphex (kiln_test_read32 (f, RCC_APB1ENR), ==, PWREN);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0x0000C000);
  g_assert_cmpuint (n_violations (f), ==, 0);

  pll_ready (f, 25, 336, 5);
  kiln_test_write32 (f, PWR_CR, 0x00004000);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0x0000C000);
  g_assert_cmpstr (last_violation (f), ==, "PWR VOS written while the PLL is on (ignored)");

  /* Over-drive switched with SYSCLK on the PLL is against the manual. */
  kiln_test_write32 (f, RCC_CFGR, 2);
  g_assert_cmphex (kiln_test_read32 (f, RCC_CFGR) & 0xF, ==, 0xA);
  kiln_test_write32 (f, PWR_CR, 0x0000C000 | ODEN);
  g_assert_cmpstr (last_violation (f), ==,
                   "over-drive switched while SYSCLK runs from the PLL (only with HSI or HSE)");
}

/* F407 at 168 MHz (HSE 8 MHz / 8 × 336 / 2) with 5 wait states: allowed at
 * scale 1 (the reset value), a violation at scale 2 (VOS cleared). */
static void
test_f407_168 (Fixture       *f,
               gconstpointer  data)
{
  gboolean scale2 = strstr ((const char *) data, "#scale2") != NULL;

  kiln_test_write32 (f, RCC_APB1ENR, PWREN);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0x00004000);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR) & VOSRDY, !=, 0);
  if (scale2)
    kiln_test_write32 (f, PWR_CR, 0);
  pll_ready (f, 8, 336, 5);
  kiln_test_write32 (f, RCC_CFGR, 2);
  g_assert_cmphex (kiln_test_read32 (f, RCC_CFGR) & 0xF, ==, 0xA);
  if (!scale2)
    {
      g_assert_cmpuint (n_violations (f), ==, 0);
      /* Lowering the scale under 168 MHz is one. */
      kiln_test_write32 (f, PWR_CR, 0);
      g_assert_cmpstr (last_violation (f), ==,
                       "voltage scale changed: SYSCLK 168000000 Hz above 144 MHz, the most at voltage scale 2");
      return;
    }
  g_assert_cmpuint (n_violations (f), ==, 1);
  g_assert_cmpstr (last_violation (f), ==,
                   "clock switched: SYSCLK 168000000 Hz above 144 MHz, the most at voltage scale 2");
}

/* F411 starts at scale 2 (84 MHz): 100 MHz needs scale 1. */
static void
test_f411_100 (Fixture       *f,
               gconstpointer  data)
{
  kiln_test_write32 (f, RCC_APB1ENR, PWREN);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0x00008000);
  pll_ready (f, 4, 100, 3);
  kiln_test_write32 (f, RCC_CFGR, 2);
  g_assert_cmpuint (n_violations (f), ==, 1);
  g_assert_cmpstr (last_violation (f), ==,
                   "clock switched: SYSCLK 100000000 Hz above 84 MHz, the most at voltage scale 2");
}

/* F429 at 180 MHz needs over-drive; F207 at 120 MHz has no scaling. */
static void
test_f429_180 (Fixture       *f,
               gconstpointer  data)
{
  pll_ready (f, 8, 360, 5);
  kiln_test_write32 (f, RCC_CFGR, 2);
  g_assert_cmpuint (n_violations (f), ==, 1);
  g_assert_cmpstr (last_violation (f), ==,
                   "clock switched: SYSCLK 180000000 Hz above 168 MHz, the most at voltage scale 1 without over-drive");
}

static void
test_f207_120 (Fixture       *f,
               gconstpointer  data)
{
  kiln_test_write32 (f, RCC_APB1ENR, PWREN);
  kiln_test_write32 (f, PWR_CR, 0x00034000);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CR), ==, 0);
  g_assert_cmphex (kiln_test_read32 (f, PWR_CSR), ==, 0);
  pll_ready (f, 25, 240, 3);
  kiln_test_write32 (f, RCC_CFGR, 2);
  g_assert_cmphex (kiln_test_read32 (f, RCC_CFGR) & 0xF, ==, 0xA);
  g_assert_cmpuint (n_violations (f), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, config) \
  g_test_add ("/Kiln/Sim/Power/" path, Fixture, config, kiln_test_board_fixture_connected, func, \
              kiln_test_board_fixture_tear_down)

  ADD ("f746-216-no-overdrive", test_f746_216, NULL);
  ADD ("f746-216-overdrive", test_f746_216_overdrive, NULL);
  ADD ("f746-216-overdrive-too-soon", test_f746_216_overdrive_too_soon, NULL);
  ADD ("overdrive-sequence", test_overdrive_sequence, NULL);
  ADD ("f746-180-scale1", test_f746_180, NULL);
  ADD ("f746-168-scale3", test_f746_scale3, NULL);
  ADD ("pwr-clock-and-pll", test_pwr_clock_and_pll, NULL);
  ADD ("f407-168-scale1", test_f407_168, "chip=STM32F407VG\n#scale1\n");
  ADD ("f407-168-scale2", test_f407_168, "chip=STM32F407VG\n#scale2\n");
  ADD ("f411-100-scale2", test_f411_100, "chip=STM32F411RE\n");
  ADD ("f429-180-no-overdrive", test_f429_180, "chip=STM32F429ZI\n");
  ADD ("f207-120", test_f207_120, "chip=STM32F207ZG\n");

  return g_test_run ();
}
