/* kiln-sim-board-power.c — PWR: voltage scaling (VOS), over-drive, and the
 * highest HCLK they allow (core/sim/README.md, "Voltage scaling and
 * over-drive")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-sim-board-private.h"

#define PWR_CR       0x00u   /* PWR_CR on F2/F4, PWR_CR1 on F7 */
#define PWR_CSR      0x04u   /* PWR_CSR on F2/F4, PWR_CSR1 on F7 */
#define CR_VOS_1     (1u << 14)
#define CR_VOS_2     (3u << 14)
#define CR_ODEN      (1u << 16)
#define CR_ODSWEN    (1u << 17)
#define CSR_VOSRDY   (1u << 14)
#define CSR_ODRDY    (1u << 16)
#define CSR_ODSWRDY  (1u << 17)
/* CWUF and CSBF (bits 2, 3) are actions and read as 0; the other bits up
 * to 13 (PVD, DBP, FPDS, the regulators' low-power modes) are kept as
 * written and change nothing on the bench. */
#define CR_KEPT      (0x3FFFu & ~0xCu)
#define APB1_PWREN   (1u << 28)
#define RCC_PLLON    (1u << 24)

/* The datasheets' over-drive switching times (DS9405 F42x, DS10693 F446,
 * DS10916 F746, table "Over-drive switching characteristics"): the switch
 * to over-drive takes typically 45 µs, the switch back 20 µs. */
#define OD_SWITCH_ON_NS   45000ull
#define OD_SWITCH_OFF_NS  20000ull

static guint32
vos_mask (KilnSimBoard *self)
{
  switch (self->chip->vos)
    {
    case KILN_SIM_VOS_ONE_BIT:   return CR_VOS_1;
    case KILN_SIM_VOS_TWO_BITS:
    case KILN_SIM_VOS_OVERDRIVE: return CR_VOS_2;
    case KILN_SIM_VOS_NONE:
    default:                     return 0;
    }
}

/* The scale VOS selects: 1 (highest HCLK) to 3. Two bits: 11 scale 1,
 * 10 scale 2, 01 scale 3, 00 reserved (scale 3). One bit: 1 scale 1, 0
 * scale 2. */
static guint
vos_scale (KilnSimBoard *self)
{
  if (self->chip->vos == KILN_SIM_VOS_ONE_BIT)
    return (self->pwr_cr & CR_VOS_1) ? 1 : 2;
  switch ((self->pwr_cr >> 14) & 3)
    {
    case 3:  return 1;
    case 2:  return 2;
    default: return 3;
    }
}

static gboolean
odswrdy (KilnSimBoard *self,
         guint64       now)
{
  return now >= self->pwr_odsw_from && now < self->pwr_odsw_until;
}

static gboolean
sysclk_from_pll (KilnSimBoard *self)
{
  return ((self->rcc_cfgr >> 2) & 3) == 2;
}

void
_kiln_sim_board_pwr_reset (KilnSimBoard *self)
{
  self->rcc_apb1enr = 0;
  self->pwr_cr = self->chip->pwr_cr_reset;
  self->pwr_odsw_from = G_MAXUINT64;
  self->pwr_odsw_until = G_MAXUINT64;
}

void
_kiln_sim_board_check_scale (KilnSimBoard *self,
                             guint64       hz,
                             guint64       now,
                             const char   *what)
{
  const KilnSimChip *chip = self->chip;
  guint scale;
  gboolean can_od, od;
  guint mhz;

  if (chip->vos == KILN_SIM_VOS_NONE)
    return;
  scale = vos_scale (self);
  can_od = chip->vos == KILN_SIM_VOS_OVERDRIVE && scale <= 2;
  od = can_od && odswrdy (self, now);
  mhz = od ? chip->overdrive_mhz[scale - 1] : chip->scale_mhz[scale - 1];
  if (mhz == 0 || hz <= mhz * 1000000ull)
    return;
  kiln_sim_report_violation (self->report,
                             "%s: SYSCLK %" G_GUINT64_FORMAT " Hz above %u MHz, the most at voltage scale %u%s",
                             what, hz, mhz, scale,
                             od ? " with over-drive" : can_od ? " without over-drive" : "");
}

guint32
_kiln_sim_board_pwr_read (KilnSimBoard *self,
                          guint32       address,
                          guint64       now)
{
  guint32 v = 0;

  /* Without its clock the PWR reads as zero (as the CRC unit does). */
  if (!(self->rcc_apb1enr & APB1_PWREN))
    return 0;
  switch (address - PWR_BASE)
    {
    case PWR_CR:
      return self->pwr_cr;
    case PWR_CSR:
      /* VOSRDY: at once on the F405/407; where VOS acts only with the PLL
       * on, once the PLL has locked at that scale. */
      if (self->chip->vos == KILN_SIM_VOS_ONE_BIT)
        v |= CSR_VOSRDY;
      else if (self->chip->vos != KILN_SIM_VOS_NONE)
        {
          guint64 pll = _kiln_sim_board_pll_ready_at (self);

          if (now >= pll)
            v |= CSR_VOSRDY;
          else if (pll != G_MAXUINT64)
            self->trip_dirty = TRUE;   /* a loop polling VOSRDY is not idle */
        }
      if (self->chip->vos == KILN_SIM_VOS_OVERDRIVE)
        {
          if (self->pwr_cr & CR_ODEN)
            v |= CSR_ODRDY;
          if (odswrdy (self, now))
            v |= CSR_ODSWRDY;
          /* A loop polling ODSWRDY while it changes is not idle. */
          if ((self->pwr_odsw_from != G_MAXUINT64 && now < self->pwr_odsw_from)
              || (self->pwr_odsw_until != G_MAXUINT64 && now < self->pwr_odsw_until))
            self->trip_dirty = TRUE;
        }
      return v;
    default:
      _kiln_sim_board_note_unmodeled (self, address, FALSE);
      return 0;
    }
}

static void
write_overdrive (KilnSimBoard *self,
                 guint32       value,
                 guint64       now)
{
  guint32 was = self->pwr_cr;
  gboolean oden = (value & CR_ODEN) != 0;
  gboolean odswen = oden && (value & CR_ODSWEN);

  /* RM0385 and RM0090: ODEN and ODSWEN change only while SYSCLK runs from
   * HSI or HSE; ODSWEN is set once ODRDY is. */
  if ((oden != ((was & CR_ODEN) != 0) || odswen != ((was & CR_ODSWEN) != 0)) && sysclk_from_pll (self))
    kiln_sim_report_violation (self->report, "over-drive switched while SYSCLK runs from the PLL (only with HSI or HSE)");
  if (odswen && !(was & CR_ODSWEN) && !(was & CR_ODEN))
    {
      kiln_sim_report_violation (self->report, "ODSWEN set before ODRDY (ignored)");
      odswen = FALSE;
    }

  if (odswen && !(was & CR_ODSWEN))
    {
      self->pwr_odsw_from = now + OD_SWITCH_ON_NS;
      self->pwr_odsw_until = G_MAXUINT64;
    }
  else if (!odswen && (was & CR_ODSWEN))
    {
      if (now >= self->pwr_odsw_from)
        self->pwr_odsw_until = now + OD_SWITCH_OFF_NS;
      else
        self->pwr_odsw_from = G_MAXUINT64;
    }
  self->pwr_cr = (self->pwr_cr & ~(CR_ODEN | CR_ODSWEN)) | (oden ? CR_ODEN : 0) | (odswen ? CR_ODSWEN : 0);
}

void
_kiln_sim_board_pwr_write (KilnSimBoard *self,
                           guint32       address,
                           guint32       value,
                           guint64       now)
{
  guint32 mask = vos_mask (self);

  if (!(self->rcc_apb1enr & APB1_PWREN))
    return;
  switch (address - PWR_BASE)
    {
    case PWR_CR:
      self->pwr_cr = (self->pwr_cr & ~CR_KEPT) | (value & CR_KEPT);
      if ((value ^ self->pwr_cr) & mask)
        {
          /* Two-bit VOS changes only with the PLL off (it acts once the
           * PLL runs); the F405/407's bit at any time. */
          if (self->chip->vos != KILN_SIM_VOS_ONE_BIT && (self->rcc_cr & RCC_PLLON))
            kiln_sim_report_violation (self->report, "PWR VOS written while the PLL is on (ignored)");
          else
            {
              self->pwr_cr = (self->pwr_cr & ~mask) | (value & mask);
              _kiln_sim_board_check_scale (self, _kiln_sim_board_sysclk_hz (self), now, "voltage scale changed");
            }
        }
      if (self->chip->vos == KILN_SIM_VOS_OVERDRIVE)
        write_overdrive (self, value, now);
      break;
    case PWR_CSR:
      break;
    default:
      _kiln_sim_board_note_unmodeled (self, address, TRUE);
      break;
    }
}
