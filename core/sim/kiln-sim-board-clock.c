/* kiln-sim-board-clock.c — RCC: the oscillators, the PLL, the system clock
 * switch, the peripheral clock enables the bench uses (AHB1ENR, APB1ENR),
 * and the flash wait states SYSCLK needs at the board's supply
 * (core/sim/README.md, "Clocks")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-sim-board-private.h"

static guint64 sysclk_compute (guint   sws,
                               guint32 pllcfgr,
                               guint64 hse);

guint64
_kiln_sim_board_sysclk_hz (KilnSimBoard *self)
{
  guint sws = (self->rcc_cfgr >> 2) & 3;
  /* The board's crystal: 25 MHz on the F7 boards, the chip table's else. */
  guint64 hse = self->chip->hse_mhz ? self->chip->hse_mhz * 1000000ull : 25000000;

  /* Asked at every access the core makes: remembered for the RCC values
   * it was computed from. */
  if (self->sysclk_for_cfgr == self->rcc_cfgr && self->sysclk_for_pllcfgr == self->rcc_pllcfgr
      && self->sysclk != 0)
    return self->sysclk;
  self->sysclk_for_cfgr = self->rcc_cfgr;
  self->sysclk_for_pllcfgr = self->rcc_pllcfgr;
  self->sysclk = sysclk_compute (sws, self->rcc_pllcfgr, hse);
  return self->sysclk;
}

static guint64
sysclk_compute (guint   sws,
                guint32 pllcfgr,
                guint64 hse)
{
  guint64 src, m, n, p;

  switch (sws)
    {
    case 1:
      return hse;
    case 2:
      src = (pllcfgr & (1u << 22)) ? hse : 16000000;
      m = pllcfgr & 0x3F;
      n = (pllcfgr >> 6) & 0x1FF;
      p = (((pllcfgr >> 16) & 3) + 1) * 2;
      if (m < 2 || n < 50)
        return 16000000;
      return src / m * n / p;
    default:
      return 16000000;
    }
}

/* The PLL's limits from the reference manuals: VCO input 1–2 MHz, VCO
 * output 192–432 MHz on the F2 (RM0033), 100–432 MHz on the F4 and F7;
 * SYSCLK at most the chip's highest. */
static void
check_pll (KilnSimBoard *self,
           guint64       hz)
{
  guint64 src = (self->rcc_pllcfgr & (1u << 22)) ? (self->chip->hse_mhz ? self->chip->hse_mhz : 25) * 1000000ull
                                                 : 16000000;
  guint64 m = self->rcc_pllcfgr & 0x3F, n = (self->rcc_pllcfgr >> 6) & 0x1FF;
  guint64 vco_min = self->chip->family == KILN_SIM_FAMILY_F2 ? 192000000 : 100000000;
  guint64 in, vco;

  if (m < 2)
    return;
  in = src / m;
  vco = in * n;
  if (in < 1000000 || in > 2000000)
    kiln_sim_report_violation (self->report, "PLL input at %" G_GUINT64_FORMAT " Hz, outside 1–2 MHz", in);
  if (vco < vco_min || vco > 432000000)
    kiln_sim_report_violation (self->report, "PLL VCO at %" G_GUINT64_FORMAT " Hz, outside %" G_GUINT64_FORMAT
                               "–432000000 Hz on this chip", vco, vco_min);
  if (self->chip->max_sysclk_mhz && hz > self->chip->max_sysclk_mhz * 1000000ull)
    kiln_sim_report_violation (self->report, "SYSCLK at %" G_GUINT64_FORMAT " Hz, above this chip's %u MHz",
                               hz, self->chip->max_sysclk_mhz);
}

/* Flash wait states by supply (core/sim/README.md, "Clocks"): HCLK per
 * wait state 30 MHz at 2.7–3.6 V, 24 MHz at 2.4–2.7 V, then the chip's. */
void
_kiln_sim_board_check_wait_states (KilnSimBoard *self,
                                   guint64       hz,
                                   const char   *what)
{
  guint64 step;
  guint needed;

  if (self->voltage >= 2.7)
    step = 30;
  else if (self->voltage >= 2.4)
    step = 24;
  else
    step = self->chip->ws_mhz_low[self->voltage >= 2.1 ? 0 : 1];
  if (step == 0)
    step = 30;
  step *= 1000000;
  needed = (guint) ((hz + step - 1) / step) - 1;
  if ((self->acr & 0xF) < needed)
    kiln_sim_report_violation (self->report,
                               "%s: SYSCLK %" G_GUINT64_FORMAT " Hz with %u flash wait states (needs %u at %.2f V)",
                               what, hz, self->acr & 0xF, needed, self->voltage);
}

/* ------------------------------------------------------------------ */
/* Oscillators and the system clock switch                              */

/* From the datasheets (DS10916 F746, DS8626 F407 and the other F2/F4
 * ones): the HSE crystal oscillator's start-up time tSU(HSE) is typically
 * 2 ms (an external clock in bypass mode needs none); the main PLL locks
 * within 75–200 µs (VCO at 100 MHz) or 100–300 µs (432 MHz): 100 µs is
 * inside both ranges. */
#define RCC_HSION       (1u << 0)
#define RCC_HSEON       (1u << 16)
#define RCC_HSEBYP      (1u << 18)
#define RCC_PLLON       (1u << 24)
#define HSE_STARTUP_NS  2000000ull
#define PLL_LOCK_NS     100000ull

static guint64
hse_ready_at (KilnSimBoard *self)
{
  if (!(self->rcc_cr & RCC_HSEON))
    return G_MAXUINT64;
  return self->rcc_hse_on_ns + (self->rcc_cr & RCC_HSEBYP ? 0 : HSE_STARTUP_NS);
}

guint64
_kiln_sim_board_pll_ready_at (KilnSimBoard *self)
{
  guint64 start = self->rcc_pll_on_ns;

  if (!(self->rcc_cr & RCC_PLLON))
    return G_MAXUINT64;
  /* The PLL locks only once its source runs. */
  if (self->rcc_pllcfgr & (1u << 22))
    {
      guint64 hse = hse_ready_at (self);

      if (hse == G_MAXUINT64)
        return G_MAXUINT64;
      start = MAX (start, hse);
    }
  return start + PLL_LOCK_NS;
}

static guint32
rcc_cr_read (KilnSimBoard *self,
             guint64       now)
{
  guint32 v = self->rcc_cr;
  guint64 hse = hse_ready_at (self), pll = _kiln_sim_board_pll_ready_at (self);

  if (v & RCC_HSION)
    v |= 1u << 1;
  if (now >= hse)
    v |= 1u << 17;
  if (now >= pll)
    v |= 1u << 25;
  /* While an oscillator starts, the same read gives another value later:
   * a loop polling it is not idle (kiln-sim-board-idle.c). */
  if ((hse != G_MAXUINT64 && now < hse) || (pll != G_MAXUINT64 && now < pll))
    self->trip_dirty = TRUE;
  return v;
}

/* SYSCLK moves to the source SW names (SWS follows) once that source is
 * ready: at once for HSI; else, while the core runs, at its first RCC access
 * after that (code waits for SWS anyway), and while it is halted as soon as
 * the board's time passes that moment (_kiln_sim_board_rcc_settle_halted). */
static void
rcc_settle (KilnSimBoard *self,
            guint64       now)
{
  guint sw = self->rcc_cfgr & 3, sws = (self->rcc_cfgr >> 2) & 3;
  guint64 old, hz;

  if (sw == sws || sw == 3)
    return;
  if ((sw == 1 && now < hse_ready_at (self)) || (sw == 2 && now < _kiln_sim_board_pll_ready_at (self)))
    return;
  old = _kiln_sim_board_sysclk_hz (self);
  self->rcc_cfgr = (self->rcc_cfgr & ~0xCu) | (sw << 2);
  hz = _kiln_sim_board_sysclk_hz (self);
  if (sw == 2 && hz != old)
    check_pll (self, hz);
  if (hz == old)
    return;
  _kiln_sim_board_check_wait_states (self, hz, "clock switched");
  _kiln_sim_board_check_scale (self, hz, now, "clock switched");
  if (!_kiln_sim_board_core_running (self))
    return;
  /* Keep the core's time continuous across the switch: the instructions
   * run so far in this run count at the old clock (they end at @now), the
   * rest of the run at the new one. */
  self->report->core_instructions += self->run_count;
  self->run_start_ns = now;
  self->run_count = 0;
  self->stall_cycles = 0;
  self->run_budget = self->run_target_ns > now
                       ? MIN ((self->run_target_ns - now) * hz / 1000000000ull,
                              (guint64) MAX_INSTRUCTIONS_PER_SYNC)
                       : 0;
}

void
_kiln_sim_board_rcc_settle_halted (KilnSimBoard *self,
                                   guint64       now)
{
  if ((self->rcc_cfgr & 3) != ((self->rcc_cfgr >> 2) & 3) && !_kiln_sim_board_core_running (self))
    rcc_settle (self, now);
}

guint32
_kiln_sim_board_rcc_read (KilnSimBoard *self,
                          guint32       address,
                          guint64       now)
{
  rcc_settle (self, now);
  switch (address - RCC_BASE)
    {
    case 0x00: return rcc_cr_read (self, now);
    case 0x04: return self->rcc_pllcfgr;
    case 0x08: return self->rcc_cfgr;
    case 0x30: return self->rcc_ahb1enr;
    case 0x40: return self->rcc_apb1enr;
    default:
      _kiln_sim_board_note_unmodeled (self, address, FALSE);
      return 0;
    }
}

void
_kiln_sim_board_rcc_write (KilnSimBoard *self,
                           guint32       address,
                           guint32       value,
                           guint64       now)
{
  switch (address - RCC_BASE)
    {
    case 0x00:
      {
        guint32 was = self->rcc_cr;
        guint sws = (self->rcc_cfgr >> 2) & 3;

        self->rcc_cr = value & (RCC_HSION | RCC_HSEON | RCC_HSEBYP | RCC_PLLON);
        /* The clock SYSCLK runs from cannot be stopped. */
        self->rcc_cr |= was & (sws == 0 ? RCC_HSION : sws == 1 ? RCC_HSEON : sws == 2 ? RCC_PLLON : 0);
        if ((self->rcc_cr & RCC_HSEON) && !(was & RCC_HSEON))
          self->rcc_hse_on_ns = now;
        if ((self->rcc_cr & RCC_PLLON) && !(was & RCC_PLLON))
          self->rcc_pll_on_ns = now;
      }
      break;
    case 0x04: self->rcc_pllcfgr = value; break;
    case 0x08:
      /* SW now, SWS once the source is ready (rcc_settle below). */
      self->rcc_cfgr = (value & ~0xCu) | (self->rcc_cfgr & 0xCu);
      break;
    case 0x30: self->rcc_ahb1enr = value; break;
    case 0x40: self->rcc_apb1enr = value; break;
    default:   _kiln_sim_board_note_unmodeled (self, address, TRUE); break;
    }
  rcc_settle (self, now);
}
