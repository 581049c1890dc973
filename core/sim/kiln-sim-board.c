/* kiln-sim-board.c — a simulated STM32F7 board behind the SWD wire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How time works. The board has no clock of its own: every call happens at
 * the probe's clock->now_ns, and kiln_sim_board_sync() first brings the board
 * up to that time. Flash operations are a busy_until timestamp; the watchdog
 * a deadline; the core executes one instruction per SYSCLK cycle from
 * core_ns up to now (through Unicorn), and when it polls a busy flash it is
 * fast-forwarded to the end of the operation instead of spinning on the host.
 *
 * How stalls work. An access that the real bus would stall (flash array or
 * FLASH_CR while BSY) answers KILN_SIM_ACK_WAIT with *ready_at_ns, the time
 * it would complete; the probe's firmware decides whether to retry (charging
 * SWD time) or to give up with a WAIT status to the host.
 *
 * Nothing here knows who the host is.
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "kiln-sim-board.h"
#include "kiln-sim-chip.h"
#include "kiln-sim-error.h"

/* Memory map */
#define ITCM_FLASH      0x00200000u
#define AXIM_FLASH      0x08000000u
#define SRAM_BASE       0x20000000u
#define SYSMEM_BASE     0x1FF00000u
#define SYSMEM_SIZE     0x00010000u
#define PERIPH_BASE     0x40000000u
#define PERIPH_SIZE     0x20000000u
#define PPB_BASE        0xE0000000u
#define PPB_SIZE        0x00100000u

#define CRC_BASE        0x40023000u
#define RCC_BASE        0x40023800u
#define FLASH_BASE      0x40023C00u
#define IWDG_BASE       0x40003000u
#define DBGMCU_BASE     0xE0042000u

#define FPB_BASE        0xE0002000u
#define DWT_BASE        0xE0001000u
#define ITM_BASE        0xE0000000u
#define SCS_BASE        0xE000E000u
#define ROM_ST          0xE00FD000u
#define ROM_M7          0xE00FE000u
#define ROM_PPB         0xE00FF000u

/* FLASH_SR / FLASH_CR bits */
#define SR_EOP    (1u << 0)
#define SR_OPERR  (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_ERSERR (1u << 7)
#define SR_BSY    (1u << 16)
#define SR_ERRORS (SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_ERSERR)
#define CR_PG     (1u << 0)
#define CR_SER    (1u << 1)
#define CR_MER    (1u << 2)
#define CR_MER2   (1u << 15)
#define CR_STRT   (1u << 16)
#define CR_EOPIE  (1u << 24)
#define CR_ERRIE  (1u << 25)
#define CR_LOCK   (1u << 31)
#define OPT_LOCK  (1u << 0)
#define OPT_STRT  (1u << 1)

/* DHCSR */
#define DHCSR_C_DEBUGEN  (1u << 0)
#define DHCSR_C_HALT     (1u << 1)
#define DHCSR_C_STEP     (1u << 2)
#define DHCSR_C_MASKINTS (1u << 3)
#define DHCSR_S_REGRDY   (1u << 16)
#define DHCSR_S_HALT     (1u << 17)
#define DHCSR_S_SLEEP    (1u << 18)
#define DHCSR_S_LOCKUP   (1u << 19)
#define DHCSR_S_RETIRE   (1u << 24)
#define DHCSR_S_RESET    (1u << 25)
#define DEMCR_VC_CORERESET (1u << 0)
#define DFSR_HALTED  (1u << 0)
#define DFSR_BKPT    (1u << 1)
#define DFSR_VCATCH  (1u << 3)
#define DEMCR_VC_HARDERR (1u << 10)
#define CFSR_PRECISERR   (1u << 9)
#define CFSR_BFARVALID   (1u << 15)
#define CFSR_UNDEFINSTR  (1u << 16)
#define CFSR_INVSTATE    (1u << 17)
#define CFSR_NOCP        (1u << 19)
#define CFSR_UNALIGNED   (1u << 24)
#define HFSR_FORCED      (1u << 30)

/* DP CTRL/STAT */
#define CTRL_STICKYORUN (1u << 1)
#define CTRL_STICKYCMP  (1u << 4)
#define CTRL_STICKYERR  (1u << 5)
#define CTRL_WDATAERR   (1u << 7)
#define CTRL_CDBGPWRUPREQ (1u << 28)
#define CTRL_CDBGPWRUPACK (1u << 29)
#define CTRL_CSYSPWRUPREQ (1u << 30)
#define CTRL_CSYSPWRUPACK (1u << 31)

#define DPIDR_F7   0x5BA02477u
#define AHBAP_IDR  0x74770001u

/* The core runs at most this many instructions per sync: a host that leaves
 * the core running for longer between two accesses sees the rest of the time
 * pass with the core's state as it was (documented in SIMULATOR notes). */
#define MAX_INSTRUCTIONS_PER_SYNC (64u * 1000u * 1000u)

typedef enum
{
  OP_NONE,
  OP_ERASE,
  OP_MASS,
  OP_PROGRAM,
  OP_OPTIONS,
} FlashOp;

typedef struct
{
  guint32 address;
  guint32 size;
  guint   number;   /* logical sector number */
  guint   snb;
  guint   wrp_bit;  /* nWRP bit guarding it */
  guint   bank;
} Sector;

typedef struct
{
  guint32 address;
  guint   size;
  guint32 old;
} PendingWrite;

struct _KilnSimBoard
{
  GObject            parent_instance;

  const KilnSimChip *chip;
  KilnSimClock      *clock;
  KilnSimReport     *report;
  char              *state_dir;
  double             voltage;
  gboolean           vpp;

  /* Memory */
  guint8            *flash;
  guint32            flash_size;
  guint8            *sram;
  guint8            *itcm;
  guint8            *otp;
  guint32            uid[3];

  /* Option bytes as stored, and the layout they selected at the last reset. */
  guint32            nv_optcr;
  guint32            nv_optcr1;
  guint32            nv_optcr2;
  gboolean           dual_bank;
  guint              rdp_level;
  GArray            *sectors;   /* Sector */

  /* Flash controller */
  guint32            acr;
  guint32            cr;
  guint32            sr;
  guint32            optcr;
  guint32            optcr1;
  guint32            optcr2;
  guint              key_stage;
  guint              optkey_stage;
  gboolean           key_locked_until_reset;
  gboolean           optkey_locked_until_reset;
  FlashOp            op;
  guint64            busy_until;
  int                op_sector;
  guint              op_banks;
  GArray            *weak_words;  /* guint32 */

  /* Debug port */
  gboolean           swd_active;
  gboolean           debugger_seen;
  guint32            dp_ctrl;
  guint32            dp_select;
  guint32            ap_csw;
  guint32            ap_tar;

  /* Core debug */
  guint32            dhcsr_c;     /* C_* bits */
  gboolean           halted;
  gboolean           lockup;
  gboolean           reset_st;
  gboolean           retire_st;
  gboolean           in_reset;    /* NRST held low */
  guint32            demcr;
  guint32            dfsr;
  guint32            cfsr;
  guint32            hfsr;
  guint32            bfar;
  guint32            fault_cfsr;  /* what the failing instruction raised */
  guint32            fault_bfar;
  guint32            dcrdr;
  guint32            fp_ctrl;
  guint32            fp_comp[8];
  guint32            vtor;
  guint32            dbgmcu_cr;
  guint32            apb1_fz;
  guint32            apb2_fz;

  /* The core */
  uc_engine         *uc;
  uc_hook            hook_code;
  uc_hook            hook_intr;
  uc_hook            hook_unmapped;
  uc_hook            hook_flash_write;
  guint64            core_ns;
  guint64            run_count;
  guint64            run_budget;
  guint64            run_start_ns;
  guint64            run_target_ns;
  gboolean           stop_halt;
  GArray            *pending;     /* PendingWrite */
  gboolean           flash_code_dirty;
  guint32            ram_dirty_lo;   /* RAM the debugger wrote since the last run */
  guint32            ram_dirty_hi;
  gboolean           fp_any;
  gboolean           trace;
  gboolean           debug;

  /* RCC, CRC, IWDG */
  guint32            rcc_cr;
  guint32            rcc_pllcfgr;
  guint32            rcc_cfgr;
  guint32            rcc_ahb1enr;
  guint32            crc_dr;
  guint32            crc_idr;
  guint32            crc_cr;
  guint32            crc_init;
  guint32            crc_pol;
  gboolean           iwdg_running;
  gboolean           iwdg_unlocked;
  guint32            iwdg_pr;
  guint32            iwdg_rlr;
  guint64            iwdg_deadline;
  guint64            iwdg_frozen_at;
  guint              iwdg_default_ms;

  /* Faults */
  guint32            stale_errors;
  guint64            power_loss_at;
  gboolean           power_loss_armed;
  gboolean           power_lost;
  gboolean           swd_disable_fault;
  gboolean           swd_pins_off;

  GHashTable        *unmodeled;
};

G_DEFINE_FINAL_TYPE (KilnSimBoard, kiln_sim_board, G_TYPE_OBJECT)

static void board_reset (KilnSimBoard *self,
                         gboolean      power_on);
static void advance_events (KilnSimBoard *self,
                            guint64       t);

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static inline guint32
rd32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static inline void
wr32 (guint8 *p,
      guint32 v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

static guint64
sysclk_hz (KilnSimBoard *self)
{
  guint sws = (self->rcc_cfgr >> 2) & 3;
  guint64 src, m, n, p;

  switch (sws)
    {
    case 1:
      return 25000000;
    case 2:
      src = (self->rcc_pllcfgr & (1u << 22)) ? 25000000 : 16000000;
      m = self->rcc_pllcfgr & 0x3F;
      n = (self->rcc_pllcfgr >> 6) & 0x1FF;
      p = (((self->rcc_pllcfgr >> 16) & 3) + 1) * 2;
      if (m < 2 || n < 50)
        return 16000000;
      return src / m * n / p;
    default:
      return 16000000;
    }
}

static gboolean
powered (KilnSimBoard *self)
{
  return !self->power_lost && self->voltage >= 1.7;
}

static void
note_unmodeled (KilnSimBoard *self,
                guint32       address,
                gboolean      write)
{
  guint32 key = address & ~3u;

  if (!g_hash_table_contains (self->unmodeled, GUINT_TO_POINTER (key)))
    g_hash_table_add (self->unmodeled, GUINT_TO_POINTER (key));
}

/* ------------------------------------------------------------------ */
/* Sector layout from the option bytes                                  */

static void
lay_out_sectors (KilnSimBoard *self)
{
  const KilnSimChip *chip = self->chip;
  gboolean dual = chip->dual[0][1] != 0 && !(self->nv_optcr & (1u << 29));

  g_array_set_size (self->sectors, 0);
  self->dual_bank = dual;

  for (guint bank = 0; bank < (dual ? 2u : 1u); bank++)
    {
      const guint (*runs)[2] = dual ? chip->dual : chip->single;
      guint32 address = AXIM_FLASH + bank * (self->flash_size / 2);
      guint32 end = AXIM_FLASH + (dual ? (bank + 1) * (self->flash_size / 2) : self->flash_size);
      guint n = 0;

      for (guint r = 0; r < 4 && runs[r][1] > 0; r++)
        {
          for (guint i = 0; i < runs[r][1] && address < end; i++)
            {
              Sector s;

              s.address = address;
              s.size = runs[r][0] * 1024;
              s.number = bank * 12 + n;
              s.snb = bank * 0x10 + n;
              s.bank = bank + 1;
              /* Dual bank on F76x: nWRP[i] covers sectors 2i and 2i+1. */
              s.wrp_bit = dual ? s.number / 2 : s.number;
              g_array_append_val (self->sectors, s);
              address += s.size;
              n++;
            }
        }
    }
}

static const Sector *
sector_by_snb (KilnSimBoard *self,
               guint         snb)
{
  for (guint i = 0; i < self->sectors->len; i++)
    {
      const Sector *s = &g_array_index (self->sectors, Sector, i);

      if (s->snb == snb)
        return s;
    }
  return NULL;
}

static const Sector *
sector_at (KilnSimBoard *self,
           guint32       address)
{
  for (guint i = 0; i < self->sectors->len; i++)
    {
      const Sector *s = &g_array_index (self->sectors, Sector, i);

      if (address >= s->address && address - s->address < s->size)
        return s;
    }
  return NULL;
}

static gboolean
sector_protected (KilnSimBoard *self,
                  const Sector *s)
{
  return !(self->optcr & (1u << (16 + s->wrp_bit)));
}

static guint
rdp_level_of (guint32 optcr)
{
  guint rdp = (optcr >> 8) & 0xFF;

  if (rdp == 0xAA)
    return 0;
  if (rdp == 0xCC)
    return 2;
  return 1;
}

/* ------------------------------------------------------------------ */
/* Flash controller                                                     */

static double
erase_seconds (guint32 size,
               guint   psize)
{
  static const double t32[] = { 0.400, 0.300, 0.250, 0.250 };
  static const double t128[] = { 1.200, 0.700, 0.550, 0.550 };
  static const double t256[] = { 2.000, 1.300, 1.000, 1.000 };
  guint kib = size / 1024;

  if (kib <= 32)
    return t32[psize] * kib / 32.0;
  if (kib <= 128)
    return t128[psize] * kib / 128.0;
  return t256[psize] * kib / 256.0;
}

static guint
psize_allowed (KilnSimBoard *self)
{
  if (self->voltage >= 2.7)
    return self->vpp ? 3 : 2;
  if (self->voltage >= 2.1)
    return 1;
  return 0;
}

static void
finish_flash_op (KilnSimBoard *self)
{
  switch (self->op)
    {
    case OP_ERASE:
      {
        const Sector *s = sector_by_snb (self, (guint) self->op_sector);

        if (s != NULL)
          memset (self->flash + (s->address - AXIM_FLASH), 0xFF, s->size);
      }
      break;

    case OP_MASS:
      for (guint i = 0; i < self->sectors->len; i++)
        {
          const Sector *s = &g_array_index (self->sectors, Sector, i);

          if (self->op_banks & (1u << (s->bank - 1)))
            memset (self->flash + (s->address - AXIM_FLASH), 0xFF, s->size);
        }
      break;

    case OP_OPTIONS:
      {
        guint old_level = rdp_level_of (self->nv_optcr);
        guint new_level = rdp_level_of (self->optcr);

        if (old_level == 1 && new_level == 0)
          {
            /* Regression: the main flash is erased first. */
            memset (self->flash, 0xFF, self->flash_size);
            self->report->mass_erases++;
          }
        if (old_level == 2)
          break;
        self->nv_optcr = (self->optcr & ~(OPT_LOCK | OPT_STRT)) | (self->nv_optcr & OPT_LOCK);
        self->nv_optcr1 = self->optcr1;
        self->nv_optcr2 = self->optcr2;
        /* RDP changes take effect at once for the debugger; the bank layout
         * waits for a reset. */
        self->rdp_level = rdp_level_of (self->nv_optcr);
      }
      break;

    case OP_PROGRAM:
    case OP_NONE:
    default:
      break;
    }

  if (self->op != OP_PROGRAM)
    self->flash_code_dirty = TRUE;
  self->op = OP_NONE;
  self->sr &= ~SR_BSY;
  if (self->cr & CR_EOPIE)
    self->sr |= SR_EOP;
}

static gboolean
flash_busy (KilnSimBoard *self,
            guint64       t)
{
  if (self->op != OP_NONE && t >= self->busy_until)
    finish_flash_op (self);
  return self->op != OP_NONE;
}

static void
flash_start_busy (KilnSimBoard *self,
                  FlashOp       op,
                  guint64       now,
                  double        seconds)
{
  /* The array does one thing at a time. The core's clock runs behind the
   * debugger's between two synchronisations, so the core can see an
   * operation finished (the debugger's time passed its end) at a core time
   * before that end: the new operation starts when the previous one really
   * ended, as the stalled bus would make it on silicon. */
  guint64 start = MAX (now, self->busy_until);

  self->op = op;
  self->sr |= SR_BSY;
  self->busy_until = start + (guint64) (seconds * 1e9);
  if (!self->report->flash_used)
    self->report->flash_first_start_ns = start;
  self->report->flash_used = TRUE;
  self->report->flash_last_end_ns = MAX (self->report->flash_last_end_ns, self->busy_until);
  if (op == OP_PROGRAM)
    self->report->flash_program_busy_s += seconds;
  else if (op == OP_ERASE || op == OP_MASS)
    self->report->flash_erase_busy_s += seconds;
}

static void
flash_set_error (KilnSimBoard *self,
                 guint32       flag)
{
  self->sr |= flag;
  if ((self->cr & CR_ERRIE) && (flag & (SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_ERSERR)))
    self->sr |= SR_OPERR;
}

static void
flash_cr_start (KilnSimBoard *self,
                guint64       now)
{
  guint psize = (self->cr >> 8) & 3;
  guint snb_mask = self->chip->snb_bits == 5 ? 0x1F : 0x0F;

  if ((self->cr & CR_SER) && (self->cr & (CR_MER | CR_MER2)))
    return; /* MER and SER together: nothing happens */

  if (psize > psize_allowed (self))
    kiln_sim_report_violation (self->report,
                               "erase at PSIZE x%u with a %.2f V supply%s (allowed: x%u)",
                               8u << psize, self->voltage, self->vpp ? " and VPP" : "",
                               8u << psize_allowed (self));

  if (self->cr & CR_SER)
    {
      guint snb = (self->cr >> 3) & snb_mask;
      const Sector *s = sector_by_snb (self, snb);
      KilnSimReportErase e;

      if (s == NULL)
        {
          flash_set_error (self, SR_ERSERR);
          return;
        }
      if (sector_protected (self, s))
        {
          flash_set_error (self, SR_WRPERR);
          return;
        }
      e.sector = s->number;
      e.psize_bits = 8u << psize;
      e.time_s = erase_seconds (s->size, psize);
      g_array_append_val (self->report->sectors_erased, e);
      self->op_sector = (int) snb;
      flash_start_busy (self, OP_ERASE, now, e.time_s);
      return;
    }

  if (self->cr & (CR_MER | CR_MER2))
    {
      static const double mass[] = { 16.0, 11.0, 8.0, 8.0 };
      guint banks = 0;
      double t;

      if (self->cr & CR_MER)
        banks |= 1;
      if (self->cr & CR_MER2)
        banks |= self->dual_bank ? 2 : 0;
      if (!self->dual_bank && (self->cr & CR_MER))
        banks = 3;

      for (guint i = 0; i < self->sectors->len; i++)
        {
          const Sector *s = &g_array_index (self->sectors, Sector, i);

          if ((banks & (1u << (s->bank - 1))) && sector_protected (self, s))
            {
              flash_set_error (self, SR_WRPERR);
              return;
            }
        }
      t = mass[psize];
      if (self->dual_bank && banks != 3)
        t /= 2;
      self->op_banks = banks;
      self->report->mass_erases++;
      flash_start_busy (self, OP_MASS, now, t);
    }
}

/* A write to the flash array (AXIM) by the debugger or the core. */
static void
flash_array_write (KilnSimBoard *self,
                   guint32       address,
                   guint         size,
                   guint32       value,
                   guint64       now)
{
  guint psize = (self->cr >> 8) & 3;
  guint32 offset = address - AXIM_FLASH;
  const Sector *s = sector_at (self, address);

  if (!(self->cr & CR_PG) || (self->cr & CR_LOCK))
    {
      /* The array is written while the controller is not set up for it. */
      flash_set_error (self, SR_ERSERR);
      return;
    }
  if (size != (1u << psize) && !(psize == 3 && size == 4))
    {
      flash_set_error (self, SR_PGPERR);
      return;
    }
  if (address & (size - 1))
    {
      flash_set_error (self, SR_PGAERR);
      return;
    }
  if (s == NULL || sector_protected (self, s))
    {
      flash_set_error (self, SR_WRPERR);
      return;
    }

  self->report->flash_units_programmed++;

  if (psize > psize_allowed (self))
    {
      kiln_sim_report_violation (self->report,
                                 "program at 0x%08X with PSIZE x%u on a %.2f V supply%s: the word is left unprogrammed",
                                 address, 8u << psize, self->voltage, self->vpp ? " and VPP" : "");
      flash_start_busy (self, OP_PROGRAM, now, 16e-6);
      return;
    }

  for (guint i = 0; i < size; i++)
    self->flash[offset + i] &= (guint8) (value >> (8 * i));

  for (guint i = 0; i < self->weak_words->len; i++)
    {
      guint32 w = g_array_index (self->weak_words, guint32, i);

      if (w >= address - (address % 4) && w < address + size)
        {
          guint8 *p = self->flash + (w & ~3u) - AXIM_FLASH;
          guint32 word = rd32 (p);
          guint32 zeros = ~word;

          /* A weak cell: one bit that should have been programmed stays erased. */
          if (zeros != 0)
            wr32 (p, word | (zeros & -zeros));
          kiln_sim_report_fault (self->report, "weak-words");
        }
    }

  flash_start_busy (self, OP_PROGRAM, now, 16e-6);
}

/* A write to the OTP area, programmed like the flash array (PG, PSIZE,
 * alignment) but never erased: bits only go from 1 to 0. The 16 lock bytes
 * follow the 16 data blocks; a lock byte programmed to 0x00 locks its block
 * for good, and programming a locked block is refused (WRPERR). */
static void
otp_array_write (KilnSimBoard *self,
                 guint32       address,
                 guint         size,
                 guint32       value,
                 guint64       now)
{
  const KilnSimChip *chip = self->chip;
  guint psize = (self->cr >> 8) & 3;
  guint32 offset = address - chip->otp_base;
  guint32 data_size = 16 * chip->otp_block_size;

  if (!(self->cr & CR_PG) || (self->cr & CR_LOCK))
    {
      flash_set_error (self, SR_ERSERR);
      return;
    }
  if (size != (1u << psize) && !(psize == 3 && size == 4))
    {
      flash_set_error (self, SR_PGPERR);
      return;
    }
  if ((address & (size - 1)) || offset + size > chip->otp_size)
    {
      flash_set_error (self, SR_PGAERR);
      return;
    }
  if (offset < data_size && self->otp[data_size + offset / chip->otp_block_size] == 0x00)
    {
      flash_set_error (self, SR_WRPERR);
      return;
    }

  self->report->flash_units_programmed++;
  if (psize > psize_allowed (self))
    {
      kiln_sim_report_violation (self->report,
                                 "program OTP at 0x%08X with PSIZE x%u on a %.2f V supply%s: the word is left unprogrammed",
                                 address, 8u << psize, self->voltage, self->vpp ? " and VPP" : "");
      flash_start_busy (self, OP_PROGRAM, now, 16e-6);
      return;
    }
  for (guint i = 0; i < size; i++)
    self->otp[offset + i] &= (guint8) (value >> (8 * i));
  flash_start_busy (self, OP_PROGRAM, now, 16e-6);
}

static void
flash_reg_write (KilnSimBoard *self,
                 guint32       offset,
                 guint32       value,
                 guint64       now,
                 gboolean     *fault)
{
  switch (offset)
    {
    case 0x00: /* ACR */
      self->acr = value & 0x0B0F;
      break;

    case 0x04: /* KEYR */
      if (!(self->cr & CR_LOCK) || self->key_locked_until_reset)
        {
          self->key_locked_until_reset = TRUE;
          self->cr |= CR_LOCK;
          *fault = TRUE;
          break;
        }
      if (self->key_stage == 0 && value == 0x45670123)
        self->key_stage = 1;
      else if (self->key_stage == 1 && value == 0xCDEF89AB)
        {
          self->key_stage = 0;
          self->cr &= ~CR_LOCK;
        }
      else
        {
          self->key_stage = 0;
          self->key_locked_until_reset = TRUE;
          *fault = TRUE;
        }
      break;

    case 0x08: /* OPTKEYR */
      if (!(self->optcr & OPT_LOCK) || self->optkey_locked_until_reset)
        {
          /* A second unlock, or any key after a wrong one: the option
           * registers stay locked until the next reset. */
          self->optkey_locked_until_reset = TRUE;
          self->optcr |= OPT_LOCK;
          *fault = TRUE;
          break;
        }
      if (self->optkey_stage == 0 && value == 0x08192A3B)
        self->optkey_stage = 1;
      else if (self->optkey_stage == 1 && value == 0x4C5D6E7F)
        {
          self->optkey_stage = 0;
          self->optcr &= ~OPT_LOCK;
        }
      else
        {
          self->optkey_stage = 0;
          self->optkey_locked_until_reset = TRUE;
          *fault = TRUE;
        }
      break;

    case 0x0C: /* SR: write 1 to clear */
      self->sr &= ~(value & (SR_EOP | SR_ERRORS));
      break;

    case 0x10: /* CR */
      if (self->cr & CR_LOCK)
        {
          /* Only LOCK can be written (set) while locked. */
          break;
        }
      {
        guint32 mask = CR_PG | CR_SER | CR_MER | CR_MER2 | (3u << 8) | CR_EOPIE | CR_ERRIE | CR_LOCK
                       | ((self->chip->snb_bits == 5 ? 0x1Fu : 0x0Fu) << 3);

        self->cr = value & mask;
        if (value & CR_STRT)
          flash_cr_start (self, now);
      }
      break;

    case 0x14: /* OPTCR */
      if (self->optcr & OPT_LOCK)
        {
          if (value & OPT_LOCK)
            self->optcr |= OPT_LOCK;
          break;
        }
      self->optcr = value & ~OPT_STRT;
      if (value & OPT_STRT)
        {
          if (self->nv_optcr != self->optcr)
            flash_start_busy (self, OP_OPTIONS,
                              now, rdp_level_of (self->nv_optcr) == 1 && rdp_level_of (self->optcr) == 0 ? 16.0 : 0.05);
          else
            flash_start_busy (self, OP_OPTIONS, now, 0.05);
        }
      break;

    case 0x18: /* OPTCR1 */
      if (!(self->optcr & OPT_LOCK))
        self->optcr1 = value;
      break;

    case 0x1C: /* OPTCR2 (F72x/F73x) */
      if (!(self->optcr & OPT_LOCK) && self->chip->has_optcr2)
        self->optcr2 = value;
      break;

    default:
      break;
    }
}

static guint32
flash_reg_read (KilnSimBoard *self,
                guint32       offset)
{
  switch (offset)
    {
    case 0x00: return self->acr;
    case 0x0C: return self->sr;
    case 0x10: return self->cr;
    case 0x14: return self->optcr;
    case 0x18: return self->optcr1;
    case 0x1C: return self->chip->has_optcr2 ? self->optcr2 : 0;
    default:   return 0;
    }
}

/* ------------------------------------------------------------------ */
/* CRC unit                                                             */

static guint32
reflect (guint32 v,
         guint   bits)
{
  guint32 r = 0;

  for (guint i = 0; i < bits; i++)
    if (v & (1u << i))
      r |= 1u << (bits - 1 - i);
  return r;
}

static void
crc_feed (KilnSimBoard *self,
          guint32       value,
          guint         size)
{
  guint polysize = (self->crc_cr >> 3) & 3;
  guint width = polysize == 0 ? 32 : polysize == 1 ? 16 : polysize == 2 ? 8 : 7;
  guint rev_in = (self->crc_cr >> 5) & 3;
  guint bits = size * 8;
  guint64 crc = self->crc_dr;
  guint64 top = 1ull << (width - 1);
  guint64 mask = width == 32 ? 0xFFFFFFFFull : ((1ull << width) - 1);

  value &= bits == 32 ? 0xFFFFFFFFu : ((1u << bits) - 1);
  if (rev_in == 1)
    {
      guint32 out = 0;

      for (guint b = 0; b < size; b++)
        out |= reflect ((value >> (8 * b)) & 0xFF, 8) << (8 * b);
      value = out;
    }
  else if (rev_in == 2)
    {
      guint32 out = 0;

      for (guint h = 0; h < (size + 1) / 2; h++)
        out |= reflect ((value >> (16 * h)) & 0xFFFF, 16) << (16 * h);
      value = size == 1 ? reflect (value, 8) : out;
    }
  else if (rev_in == 3)
    value = reflect (value, bits);

  for (int i = (int) bits - 1; i >= 0; i--)
    {
      gboolean bit = ((value >> i) & 1) != 0;
      gboolean msb = (crc & top) != 0;

      crc = (crc << 1) & mask;
      if (bit != msb)
        crc ^= self->crc_pol & mask;
    }
  self->crc_dr = (guint32) crc;
}

static guint32
crc_result (KilnSimBoard *self)
{
  if (self->crc_cr & (1u << 7))
    {
      guint polysize = (self->crc_cr >> 3) & 3;
      guint width = polysize == 0 ? 32 : polysize == 1 ? 16 : polysize == 2 ? 8 : 7;

      return reflect (self->crc_dr, width);
    }
  return self->crc_dr;
}

/* ------------------------------------------------------------------ */
/* Watchdog                                                             */

static guint64
iwdg_period_ns (KilnSimBoard *self)
{
  /* LSI 32 kHz, prescaler 4 << PR. */
  guint64 div = 4ull << MIN (self->iwdg_pr, 6u);

  return (guint64) (self->iwdg_rlr + 1) * div * 1000000000ull / 32000;
}

static gboolean
iwdg_frozen (KilnSimBoard *self)
{
  return (self->apb1_fz & (1u << 12)) && self->halted;
}

/* ------------------------------------------------------------------ */
/* ROM tables and CoreSight IDs                                         */

typedef struct
{
  guint32        base;
  guint32        cidr;
  guint16        part;
  guint16        designer;  /* JEP106: continuation << 8 | code */
  const guint32 *entries;
  guint          n_entries;
} Component;

static const guint32 st_entries[] = { ROM_M7 - ROM_ST + 3 };
static const guint32 m7_entries[] = { ROM_PPB - ROM_M7 + 3 };
static const guint32 ppb_entries[] = {
  (guint32) (SCS_BASE - ROM_PPB) | 3,
  (guint32) (DWT_BASE - ROM_PPB) | 3,
  (guint32) (FPB_BASE - ROM_PPB) | 3,
  (guint32) (ITM_BASE - ROM_PPB) | 3,
};

static const Component *
component_at (KilnSimBoard *self,
              guint32       base)
{
  static Component table[] = {
    { ROM_ST, 0xB105100D, 0x449, 0x020, st_entries, G_N_ELEMENTS (st_entries) },
    { ROM_M7, 0xB105100D, 0x4C8, 0x43B, m7_entries, G_N_ELEMENTS (m7_entries) },
    { ROM_PPB, 0xB105100D, 0x4C7, 0x43B, ppb_entries, G_N_ELEMENTS (ppb_entries) },
    { SCS_BASE, 0xB105E00D, 0x00C, 0x43B, NULL, 0 },
    { DWT_BASE, 0xB105E00D, 0x002, 0x43B, NULL, 0 },
    { FPB_BASE, 0xB105E00D, 0x00E, 0x43B, NULL, 0 },
    { ITM_BASE, 0xB105E00D, 0x001, 0x43B, NULL, 0 },
  };

  table[0].part = self->chip->dev_id;
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].base == base)
      return &table[i];
  return NULL;
}

static gboolean
component_read (KilnSimBoard *self,
                guint32       address,
                guint32      *value)
{
  const Component *c = component_at (self, address & ~0xFFFu);
  guint32 off = address & 0xFFF;

  if (c == NULL)
    return FALSE;

  if (off >= 0xFF0)
    {
      *value = (c->cidr >> (8 * ((off - 0xFF0) / 4))) & 0xFF;
      return TRUE;
    }
  if (off >= 0xFE0 && off < 0xFF0)
    {
      guint idx = (off - 0xFE0) / 4;
      guint code = c->designer & 0x7F;

      switch (idx)
        {
        case 0: *value = c->part & 0xFF; break;
        case 1: *value = ((c->part >> 8) & 0xF) | ((code & 0xF) << 4); break;
        case 2: *value = ((code >> 4) & 0x7) | 0x8; break;
        default: *value = 0; break;
        }
      return TRUE;
    }
  if (off == 0xFD0)
    {
      *value = (c->designer >> 8) & 0xF;
      return TRUE;
    }
  if (off == 0xFCC && c->entries != NULL)
    {
      *value = 1; /* MEMTYPE: system memory present */
      return TRUE;
    }
  if (c->entries != NULL && off < 0xF00)
    {
      guint idx = off / 4;

      *value = idx < c->n_entries ? c->entries[idx] : 0;
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Core (Unicorn)                                                       */

static int
core_reg_id (guint sel)
{
  static const int ids[] = {
    UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
    UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
    UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_XPSR, UC_ARM_REG_MSP,
    UC_ARM_REG_PSP,
  };

  if (sel < G_N_ELEMENTS (ids))
    return ids[sel];
  if (sel >= 0x40 && sel < 0x60)
    return UC_ARM_REG_S0 + (int) (sel - 0x40);
  if (sel == 0x21)
    return UC_ARM_REG_FPSCR;
  return -1;
}

static guint32
core_read_reg (KilnSimBoard *self,
               guint         sel)
{
  guint32 v = 0;
  int id;

  if (sel == 20)
    {
      guint32 control = 0, faultmask = 0, basepri = 0, primask = 0;

      uc_reg_read (self->uc, UC_ARM_REG_CONTROL, &control);
      uc_reg_read (self->uc, UC_ARM_REG_FAULTMASK, &faultmask);
      uc_reg_read (self->uc, UC_ARM_REG_BASEPRI, &basepri);
      uc_reg_read (self->uc, UC_ARM_REG_PRIMASK, &primask);
      return (control & 0xFF) << 24 | (faultmask & 1) << 16 | (basepri & 0xFF) << 8 | (primask & 1);
    }
  id = core_reg_id (sel);
  if (id >= 0)
    uc_reg_read (self->uc, id, &v);
  if (sel == 16)
    v |= 0x01000000; /* Thumb state is the only state */
  return v;
}

static void
core_write_reg (KilnSimBoard *self,
                guint         sel,
                guint32       v)
{
  int id;

  if (sel == 20)
    {
      guint32 control = v >> 24, faultmask = (v >> 16) & 1, basepri = (v >> 8) & 0xFF, primask = v & 1;

      uc_reg_write (self->uc, UC_ARM_REG_CONTROL, &control);
      uc_reg_write (self->uc, UC_ARM_REG_FAULTMASK, &faultmask);
      uc_reg_write (self->uc, UC_ARM_REG_BASEPRI, &basepri);
      uc_reg_write (self->uc, UC_ARM_REG_PRIMASK, &primask);
      return;
    }
  id = core_reg_id (sel);
  if (id < 0)
    return;
  if (sel == 15)
    v &= ~1u;
  uc_reg_write (self->uc, id, &v);
}

static guint64
core_time_now (KilnSimBoard *self)
{
  return self->run_start_ns + self->run_count * 1000000000ull / sysclk_hz (self);
}

/* Flash writes by the core happen in Unicorn's memory before the controller
 * sees them: remember the old bytes and put the controller's result in place
 * at the next point the core could observe it. */
static void
apply_pending (KilnSimBoard *self)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      PendingWrite *w = &g_array_index (self->pending, PendingWrite, i);
      guint8 *p = self->flash + (w->address - AXIM_FLASH);
      guint32 value = 0;

      for (guint b = 0; b < w->size; b++)
        value |= (guint32) p[b] << (8 * b);
      for (guint b = 0; b < w->size; b++)
        p[b] = (guint8) (w->old >> (8 * b));
      flash_array_write (self, w->address, w->size, value, core_time_now (self));
    }
  if (self->pending->len > 0)
    {
      g_array_set_size (self->pending, 0);
      self->flash_code_dirty = TRUE;
    }
}

/* Translated code from flash that changed is dropped, outside emulation
 * (dropping it from a hook would free the block being executed). */
static void
mark_ram_dirty (KilnSimBoard *self,
                guint32       address,
                guint         size)
{
  if (self->ram_dirty_hi <= self->ram_dirty_lo)
    {
      self->ram_dirty_lo = address;
      self->ram_dirty_hi = address + size;
      return;
    }
  self->ram_dirty_lo = MIN (self->ram_dirty_lo, address);
  self->ram_dirty_hi = MAX (self->ram_dirty_hi, address + size);
}

static void
flush_flash_code (KilnSimBoard *self)
{
  /* Code the debugger wrote into RAM replaces what Unicorn translated. */
  if (self->ram_dirty_hi > self->ram_dirty_lo)
    {
      uc_ctl_remove_cache (self->uc, self->ram_dirty_lo, self->ram_dirty_hi);
      self->ram_dirty_lo = self->ram_dirty_hi = 0;
    }

  if (!self->flash_code_dirty)
    return;
  self->flash_code_dirty = FALSE;
  uc_ctl_remove_cache (self->uc, AXIM_FLASH, AXIM_FLASH + self->flash_size);
  uc_ctl_remove_cache (self->uc, ITCM_FLASH, ITCM_FLASH + self->flash_size);
}

static void
on_flash_write (uc_engine   *uc,
                uc_mem_type  type,
                guint64      address,
                int          size,
                gint64       value,
                gpointer     user_data)
{
  KilnSimBoard *self = user_data;
  PendingWrite w;

  apply_pending (self);
  w.address = (guint32) address;
  w.size = (guint) size;
  w.old = 0;
  for (int b = 0; b < size && address + b < AXIM_FLASH + self->flash_size; b++)
    w.old |= (guint32) self->flash[address - AXIM_FLASH + b] << (8 * b);
  g_array_append_val (self->pending, w);
}

static void
on_code (uc_engine *uc,
         guint64    address,
         guint32    size,
         gpointer   user_data)
{
  KilnSimBoard *self = user_data;

  if (self->fp_any)
    {
      for (guint i = 0; i < 8; i++)
        {
          if ((self->fp_comp[i] & 1) && (self->fp_comp[i] & ~1u) == (guint32) address)
            {
              self->stop_halt = TRUE;
              self->dfsr |= DFSR_BKPT;
              uc_emu_stop (uc);
              return;
            }
        }
    }

  if (self->run_count >= self->run_budget)
    {
      uc_emu_stop (uc);
      return;
    }
  if (self->trace)
    {
      guint32 r[5];

      uc_reg_read (uc, UC_ARM_REG_R0, &r[0]);
      uc_reg_read (uc, UC_ARM_REG_R1, &r[1]);
      uc_reg_read (uc, UC_ARM_REG_R4, &r[2]);
      uc_reg_read (uc, UC_ARM_REG_R10, &r[3]);
      uc_reg_read (uc, UC_ARM_REG_R12, &r[4]);
      g_printerr ("  %08x r0 %08x r1 %08x r4 %08x r10 %08x r12 %08x\n", (guint32) address, r[0], r[1], r[2], r[3], r[4]);
    }
  self->run_count++;
}

static void
on_intr (uc_engine *uc,
         guint32    intno,
         gpointer   user_data)
{
  KilnSimBoard *self = user_data;

  /* EXCP_BKPT: halting debug stops at the BKPT instruction. */
  if (intno == 7)
    {
      self->stop_halt = TRUE;
      self->dfsr |= DFSR_BKPT;
      uc_emu_stop (uc);
      return;
    }
  /* Faults the instruction raised (QEMU's EXCP_UDEF, EXCP_NOCP,
   * EXCP_INVSTATE, EXCP_UNALIGNED): UsageFault, escalated to HardFault as
   * UsageFault is disabled out of reset. */
  switch (intno)
    {
    case 1:  self->fault_cfsr |= CFSR_UNDEFINSTR; break;
    case 17: self->fault_cfsr |= CFSR_NOCP; break;
    case 18: self->fault_cfsr |= CFSR_INVSTATE; break;
    case 22: self->fault_cfsr |= CFSR_UNALIGNED; break;
    default: return;
    }
  uc_emu_stop (uc);
}


static KilnSimAck bus_read (KilnSimBoard *self,
                            guint32       address,
                            guint         size,
                            guint32      *value,
                            guint64       now,
                            gboolean      debugger,
                            guint64      *ready_at);
static KilnSimAck bus_write (KilnSimBoard *self,
                             guint32       address,
                             guint         size,
                             guint32       value,
                             guint64       now,
                             gboolean      debugger,
                             guint64      *ready_at);

/* The core waits for the flash (or a stalled bus) until @until: its clock
 * jumps there instead of the host spinning, but never past the end of the
 * current run; a wait that goes further ends the run at its end. Returns
 * TRUE when the wait is over within this run. Stopping Unicorn from inside a
 * memory callback is not safe, so the run ends through the code hook. */
static gboolean
core_fast_forward (KilnSimBoard *self,
                   guint64       until)
{
  guint64 now = core_time_now (self);
  guint64 target = MIN (until, self->run_target_ns);
  guint64 hz = sysclk_hz (self);

  if (target > now)
    {
      guint64 skipped = (target - now) * hz / 1000000000ull;

      self->run_start_ns += target - now;
      self->run_budget = self->run_budget > skipped ? self->run_budget - skipped : self->run_count;
      advance_events (self, target);
    }
  if (until > self->run_target_ns)
    {
      self->run_budget = self->run_count;  /* stop at the next instruction */
      return FALSE;
    }
  return TRUE;
}

static guint64
on_mmio_read (uc_engine *uc,
              guint64    offset,
              unsigned   size,
              gpointer   user_data,
              guint32    base)
{
  KilnSimBoard *self = user_data;
  guint64 now;
  guint64 ready = 0;
  guint32 value = 0;
  KilnSimAck ack;

  apply_pending (self);
  now = core_time_now (self);
  advance_events (self, now);

  /* Polling a busy flash: fast-forward to the end of the operation. */
  if ((base + offset) >= FLASH_BASE + 0x0C && (base + offset) < FLASH_BASE + 0x10 && flash_busy (self, now))
    core_fast_forward (self, self->busy_until);

  ack = bus_read (self, (guint32) (base + offset), size, &value, core_time_now (self), FALSE, &ready);
  if (ack == KILN_SIM_ACK_WAIT && core_fast_forward (self, ready))
    ack = bus_read (self, (guint32) (base + offset), size, &value, core_time_now (self), FALSE, &ready);
  return value;
}

static void
on_mmio_write (uc_engine *uc,
               guint64    offset,
               unsigned   size,
               guint64    value,
               gpointer   user_data,
               guint32    base)
{
  KilnSimBoard *self = user_data;
  guint64 now, ready = 0;

  apply_pending (self);
  now = core_time_now (self);
  advance_events (self, now);
  /* A write that would stall completes when the bus frees up: the core
   * waits for it, even past the end of this run. */
  if (bus_write (self, (guint32) (base + offset), size, (guint32) value, now, FALSE, &ready) == KILN_SIM_ACK_WAIT)
    {
      if (ready > self->run_target_ns)
        self->run_target_ns = ready;
      core_fast_forward (self, ready);
      bus_write (self, (guint32) (base + offset), size, (guint32) value, core_time_now (self), FALSE, &ready);
    }
}

static guint64
mmio_read_periph (uc_engine *uc, guint64 offset, unsigned size, gpointer user_data)
{
  return on_mmio_read (uc, offset, size, user_data, PERIPH_BASE);
}

static void
mmio_write_periph (uc_engine *uc, guint64 offset, unsigned size, guint64 value, gpointer user_data)
{
  on_mmio_write (uc, offset, size, value, user_data, PERIPH_BASE);
}

static guint64
mmio_read_ppb (uc_engine *uc, guint64 offset, unsigned size, gpointer user_data)
{
  return on_mmio_read (uc, offset, size, user_data, PPB_BASE);
}

static void
mmio_write_ppb (uc_engine *uc, guint64 offset, unsigned size, guint64 value, gpointer user_data)
{
  on_mmio_write (uc, offset, size, value, user_data, PPB_BASE);
}

static guint64
mmio_read_sys (uc_engine *uc, guint64 offset, unsigned size, gpointer user_data)
{
  return on_mmio_read (uc, offset, size, user_data, SYSMEM_BASE);
}

static void
mmio_write_sys (uc_engine *uc, guint64 offset, unsigned size, guint64 value, gpointer user_data)
{
  on_mmio_write (uc, offset, size, value, user_data, SYSMEM_BASE);
}

static bool
on_unmapped (uc_engine   *uc,
             uc_mem_type  type,
             guint64      address,
             int          size,
             gint64       value,
             gpointer     user_data)
{
  if (type == UC_MEM_READ_UNMAPPED || type == UC_MEM_WRITE_UNMAPPED)
    ((KilnSimBoard *) user_data)->fault_bfar = (guint32) address;
  if (((KilnSimBoard *) user_data)->debug)
    g_printerr ("core: unmapped access type %d at 0x%08" G_GINT64_MODIFIER "x size %d\n", type, address, size);
  return false;
}

static gboolean
core_setup (KilnSimBoard  *self,
            GError       **error)
{
  uc_err err = uc_open (UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &self->uc);

  if (err != UC_ERR_OK)
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_UNSUPPORTED, "Unicorn: %s", uc_strerror (err));
      return FALSE;
    }
  uc_ctl_set_cpu_model (self->uc, UC_CPU_ARM_CORTEX_M7);

  uc_mem_map_ptr (self->uc, 0x00000000, self->chip->itcm_ram_size, UC_PROT_ALL, self->itcm);
  uc_mem_map_ptr (self->uc, ITCM_FLASH, self->flash_size, UC_PROT_READ | UC_PROT_EXEC, self->flash);
  uc_mem_map_ptr (self->uc, AXIM_FLASH, self->flash_size, UC_PROT_ALL, self->flash);
  uc_mem_map_ptr (self->uc, SRAM_BASE, self->chip->sram_size, UC_PROT_ALL, self->sram);
  uc_mmio_map (self->uc, SYSMEM_BASE, SYSMEM_SIZE, mmio_read_sys, self, mmio_write_sys, self);
  uc_mmio_map (self->uc, PERIPH_BASE, PERIPH_SIZE, mmio_read_periph, self, mmio_write_periph, self);
  uc_mmio_map (self->uc, PPB_BASE, PPB_SIZE, mmio_read_ppb, self, mmio_write_ppb, self);

  uc_hook_add (self->uc, &self->hook_code, UC_HOOK_CODE, on_code, self, 1, 0);
  uc_hook_add (self->uc, &self->hook_intr, UC_HOOK_INTR, on_intr, self, 1, 0);
  uc_hook_add (self->uc, &self->hook_unmapped, UC_HOOK_MEM_UNMAPPED, on_unmapped, self, 1, 0);
  uc_hook_add (self->uc, &self->hook_flash_write, UC_HOOK_MEM_WRITE, on_flash_write, self,
               AXIM_FLASH, AXIM_FLASH + self->flash_size - 1);
  return TRUE;
}

static gboolean
pc_executable (KilnSimBoard *self,
               guint32       pc)
{
  return (pc < self->chip->itcm_ram_size)
         || (pc >= ITCM_FLASH && pc - ITCM_FLASH < self->flash_size)
         || (pc >= AXIM_FLASH && pc - AXIM_FLASH < self->flash_size)
         || (pc >= SRAM_BASE && pc - SRAM_BASE < self->chip->sram_size);
}

static gboolean
core_running (KilnSimBoard *self)
{
  return powered (self) && !self->in_reset && !self->halted && !self->lockup;
}

static void
core_enter_halt (KilnSimBoard *self)
{
  /* A halt request also takes the core out of lockup (ARMv7-M). */
  self->lockup = FALSE;
  self->halted = TRUE;
  /* Entering Debug state sets C_HALT, whatever made the core stop. */
  self->dhcsr_c |= DHCSR_C_HALT;
  self->dfsr |= DFSR_HALTED;
}

/* A fault the core takes: HardFault (the configurable faults are disabled
 * out of reset). With DEMCR.VC_HARDERR the core enters the handler and halts
 * there for the debugger, the faulting context stacked as on exception entry
 * (ARMv7-M); without it the model does not run handlers and the core locks
 * up as it would in a fault inside a fault. */
static void
core_take_fault (KilnSimBoard *self)
{
  guint32 cfsr = self->fault_cfsr ? self->fault_cfsr : CFSR_PRECISERR;
  guint32 frame[8], sp = 0, vector = 0xFFFFFFFF, lr = 0xFFFFFFF9, ipsr;
  static const int stacked[] = { UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
                                 UC_ARM_REG_R12, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_XPSR };
  guint64 ready;

  self->cfsr |= cfsr;
  if ((cfsr & CFSR_PRECISERR) && !self->fault_cfsr && self->fault_bfar != 0xFFFFFFFF)
    {
      self->cfsr |= CFSR_BFARVALID;
      self->bfar = self->fault_bfar;
    }
  self->hfsr |= HFSR_FORCED;
  self->fault_cfsr = 0;
  self->fault_bfar = 0xFFFFFFFF;

  if (!(self->demcr & DEMCR_VC_HARDERR))
    {
      self->lockup = TRUE;
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (stacked); i++)
    uc_reg_read (self->uc, stacked[i], &frame[i]);
  frame[7] |= 0x01000000;
  uc_reg_read (self->uc, UC_ARM_REG_SP, &sp);
  sp = (sp - 32) & ~7u;
  if (uc_mem_write (self->uc, sp, frame, sizeof frame) != UC_ERR_OK)
    {
      /* Stacking failed: a fault while entering the fault handler. */
      self->lockup = TRUE;
      return;
    }
  bus_read (self, self->vtor + 12, 4, &vector, core_time_now (self), FALSE, &ready);
  vector &= ~1u;
  ipsr = 0x01000003;
  uc_reg_write (self->uc, UC_ARM_REG_SP, &sp);
  uc_reg_write (self->uc, UC_ARM_REG_LR, &lr);
  uc_reg_write (self->uc, UC_ARM_REG_PC, &vector);
  uc_reg_write (self->uc, UC_ARM_REG_XPSR, &ipsr);
  core_enter_halt (self);
  self->dfsr |= DFSR_VCATCH;
}

/* Runs the core from core_ns up to @t. */
static void
core_run_until (KilnSimBoard *self,
                guint64       t)
{
  guint budget_total = MAX_INSTRUCTIONS_PER_SYNC;

  flush_flash_code (self);

  while (core_running (self) && self->core_ns < t && budget_total > 0)
    {
      guint64 hz = sysclk_hz (self);
      guint64 want = (t - self->core_ns) * hz / 1000000000ull;
      guint32 pc = 0;
      gboolean progressed;
      uc_err err;

      if (want == 0)
        {
          self->core_ns = t;
          break;
        }

      uc_reg_read (self->uc, UC_ARM_REG_PC, &pc);
      if (self->swd_disable_fault && !self->swd_pins_off
          && ((pc >= AXIM_FLASH && pc - AXIM_FLASH < self->flash_size)
              || (pc >= ITCM_FLASH && pc - ITCM_FLASH < self->flash_size)))
        {
          /* The firmware's first instructions turn the SWD pins into GPIOs
           * (code a debugger runs from RAM is not the firmware). */
          self->swd_pins_off = TRUE;
          self->swd_active = FALSE;
          kiln_sim_report_fault (self->report, "swd-disabled-by-firmware");
        }

      self->run_budget = MIN (want, (guint64) budget_total);
      self->run_count = 0;
      self->run_start_ns = self->core_ns;
      self->run_target_ns = t;
      self->stop_halt = FALSE;
      self->fp_any = FALSE;
      if (self->fp_ctrl & 1)
        for (guint i = 0; i < 8; i++)
          self->fp_any |= (self->fp_comp[i] & 1) != 0;

      uc_reg_read (self->uc, UC_ARM_REG_PC, &pc);
      if (!pc_executable (self, pc))
        {
          /* Running from nowhere (an erased vector, a PC set to junk): the
           * core locks up, as on silicon. */
          self->lockup = TRUE;
          self->hfsr |= 1u << 30;
          break;
        }
      if (self->trace)
        {
          guint32 xpsr = 0, sp = 0;

          uc_reg_read (self->uc, UC_ARM_REG_XPSR, &xpsr);
          uc_reg_read (self->uc, UC_ARM_REG_SP, &sp);
          g_printerr ("core: run from pc %08x sp %08x xpsr %08x budget %" G_GUINT64_FORMAT "\n", pc, sp, xpsr,
                      self->run_budget);
        }
      /* No wall-clock timeout: Unicorn implements one with a thread per
       * call, which costs more than the runs themselves. Runs end on the
       * instruction budget, a halt, or an emulation error. */
      err = uc_emu_start (self->uc, pc | 1, 0xFFFFFFFFull, 0, 0);
      apply_pending (self);
      flush_flash_code (self);

      if (self->debug)
        {
          guint32 npc = 0, sr = self->sr;

          uc_reg_read (self->uc, UC_ARM_REG_PC, &npc);
          g_printerr ("%.3f %.6f core: pc %08x -> %08x, %" G_GUINT64_FORMAT " instr, err %d halt %d wait %d sr %08x cr %08x\n", g_get_monotonic_time () / 1e6, self->core_ns / 1e9,
                      pc, npc, self->run_count, err, self->stop_halt, 0, sr, self->cr);
        }
      budget_total -= (guint) MIN ((guint64) budget_total, self->run_count);
      self->report->core_instructions += self->run_count;
      progressed = core_time_now (self) > self->core_ns;
      self->core_ns = core_time_now (self);
      advance_events (self, self->core_ns);

      if ((err != UC_ERR_OK || !progressed) && !self->stop_halt)
        {
          /* Unicorn reports some faults as its own errors. */
          if (self->fault_cfsr == 0)
            {
              if (err == UC_ERR_INSN_INVALID)
                self->fault_cfsr = CFSR_UNDEFINSTR;
              else if (err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT)
                self->fault_cfsr = 1u << 8; /* IBUSERR */
              else if (err == UC_ERR_READ_UNALIGNED || err == UC_ERR_WRITE_UNALIGNED
                       || err == UC_ERR_FETCH_UNALIGNED)
                self->fault_cfsr = CFSR_UNALIGNED;
            }
          core_take_fault (self);
          break;
        }

      if (self->stop_halt)
        {
          core_enter_halt (self);
          break;
        }

      if (self->run_count >= self->run_budget)
        self->core_ns = MAX (self->core_ns, MIN (t, self->run_target_ns));
    }

  if (self->core_ns < t)
    self->core_ns = t;
}

static void
core_reset (KilnSimBoard *self)
{
  guint32 boot = self->optcr1 & 0xFFFF;
  guint32 base = boot << 14;
  guint32 sp = 0, pc = 0, xpsr = 0x01000000, zero = 0;
  guint8 buf[8];
  guint64 ready;

  for (int r = UC_ARM_REG_R0; r <= UC_ARM_REG_R12; r++)
    uc_reg_write (self->uc, r, &zero);
  uc_reg_write (self->uc, UC_ARM_REG_LR, &(guint32) { 0xFFFFFFFF });

  /* Vector fetch from the boot address (ITCM flash by default). */
  for (guint i = 0; i < 8; i += 4)
    {
      guint32 v = 0xFFFFFFFF;

      bus_read (self, base + i, 4, &v, self->clock->now_ns, FALSE, &ready);
      wr32 (buf + i, v);
    }
  sp = rd32 (buf);
  pc = rd32 (buf + 4);
  self->vtor = base;
  uc_reg_write (self->uc, UC_ARM_REG_MSP, &sp);
  uc_reg_write (self->uc, UC_ARM_REG_SP, &sp);
  uc_reg_write (self->uc, UC_ARM_REG_XPSR, &xpsr);
  uc_reg_write (self->uc, UC_ARM_REG_PRIMASK, &zero);
  uc_reg_write (self->uc, UC_ARM_REG_CONTROL, &zero);

  self->lockup = FALSE;
  if (pc == 0xFFFFFFFF || sp == 0xFFFFFFFF || !(pc & 1))
    {
      /* An erased vector table: the core locks up at once. */
      self->lockup = pc == 0xFFFFFFFF || !(pc & 1);
      pc = 0xFFFFFFFE;
    }
  pc &= ~1u;
  uc_reg_write (self->uc, UC_ARM_REG_PC, &pc);
}

/* ------------------------------------------------------------------ */
/* Events in time                                                       */

static void
advance_events (KilnSimBoard *self,
                guint64       t)
{
  if (self->power_loss_armed && t >= self->power_loss_at && !self->power_lost)
    {
      self->power_lost = TRUE;
      self->swd_active = FALSE;
      kiln_sim_report_fault (self->report, "power-loss-after-ms");
    }

  flash_busy (self, t);

  if (self->iwdg_running)
    {
      if (iwdg_frozen (self))
        {
          if (self->iwdg_frozen_at == 0)
            self->iwdg_frozen_at = t;
        }
      else
        {
          if (self->iwdg_frozen_at != 0)
            {
              self->iwdg_deadline += t - self->iwdg_frozen_at;
              self->iwdg_frozen_at = 0;
            }
          if (t >= self->iwdg_deadline)
            {
              kiln_sim_report_fault (self->report, "iwdg-reset");
              board_reset (self, FALSE);
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* System bus                                                           */

static KilnSimAck
periph_read (KilnSimBoard *self,
             guint32       address,
             guint32      *value,
             guint64       now)
{
  guint32 off;

  if (address >= FLASH_BASE && address < FLASH_BASE + 0x400)
    {
      flash_busy (self, now);
      *value = flash_reg_read (self, address - FLASH_BASE);
      return KILN_SIM_ACK_OK;
    }
  if (address >= RCC_BASE && address < RCC_BASE + 0x400)
    {
      off = address - RCC_BASE;
      switch (off)
        {
        case 0x00:
          *value = self->rcc_cr | (self->rcc_cr & 1 ? 2 : 0) | (self->rcc_cr & (1u << 16) ? 1u << 17 : 0)
                   | (self->rcc_cr & (1u << 24) ? 1u << 25 : 0);
          break;
        case 0x04: *value = self->rcc_pllcfgr; break;
        case 0x08: *value = self->rcc_cfgr; break;
        case 0x30: *value = self->rcc_ahb1enr; break;
        default:   *value = 0; note_unmodeled (self, address, FALSE); break;
        }
      return KILN_SIM_ACK_OK;
    }
  if (address >= CRC_BASE && address < CRC_BASE + 0x400)
    {
      off = address - CRC_BASE;
      if (!(self->rcc_ahb1enr & (1u << 12)))
        {
          *value = 0;
          return KILN_SIM_ACK_OK;
        }
      switch (off)
        {
        case 0x00: *value = crc_result (self); break;
        case 0x04: *value = self->crc_idr; break;
        case 0x08: *value = self->crc_cr; break;
        case 0x10: *value = self->crc_init; break;
        case 0x14: *value = self->crc_pol; break;
        default:   *value = 0; break;
        }
      return KILN_SIM_ACK_OK;
    }
  if (address >= IWDG_BASE && address < IWDG_BASE + 0x400)
    {
      off = address - IWDG_BASE;
      *value = off == 0x04 ? self->iwdg_pr : off == 0x08 ? self->iwdg_rlr : 0;
      return KILN_SIM_ACK_OK;
    }

  *value = 0;
  note_unmodeled (self, address, FALSE);
  return KILN_SIM_ACK_OK;
}

static KilnSimAck
periph_write (KilnSimBoard *self,
              guint32       address,
              guint32       value,
              guint64       now)
{
  gboolean fault = FALSE;
  guint32 off;

  if (address >= FLASH_BASE && address < FLASH_BASE + 0x400)
    {
      off = address - FLASH_BASE;
      /* CR and OPTCR start operations: a write to either waits for the
       * one in progress (an option change never cuts an erase short). */
      if (flash_busy (self, now) && (off == 0x10 || off == 0x14))
        return KILN_SIM_ACK_WAIT;
      flash_reg_write (self, off, value, now, &fault);
      return fault ? KILN_SIM_ACK_FAULT : KILN_SIM_ACK_OK;
    }
  if (address >= RCC_BASE && address < RCC_BASE + 0x400)
    {
      off = address - RCC_BASE;
      switch (off)
        {
        case 0x00: self->rcc_cr = value & ((1u << 0) | (1u << 16) | (1u << 24)); break;
        case 0x04: self->rcc_pllcfgr = value; break;
        case 0x08:
          {
            guint sw = value & 3;
            guint64 old = sysclk_hz (self);
            guint64 hz;
            guint needed;

            if (sw == 2 && !(self->rcc_cr & (1u << 24)))
              sw = (self->rcc_cfgr >> 2) & 3; /* PLL not on: no switch */
            self->rcc_cfgr = (value & ~0xCu) | (sw << 2);
            hz = sysclk_hz (self);
            needed = (guint) ((hz + 29999999) / 30000000) - 1;
            if (hz != old && (self->acr & 0xF) < needed)
              kiln_sim_report_violation (self->report,
                                         "SYSCLK switched to %" G_GUINT64_FORMAT " Hz with %u flash wait states (needs %u at 3.3 V)",
                                         hz, self->acr & 0xF, needed);
            /* Keep the core's time continuous across the switch: the
             * instructions run so far in this run count at the old clock
             * (they end at @now), the rest of the run at the new one. */
            if (hz != old)
              {
                self->report->core_instructions += self->run_count;
                self->run_start_ns = now;
                self->run_count = 0;
                self->run_budget = self->run_target_ns > now
                                     ? MIN ((self->run_target_ns - now) * hz / 1000000000ull,
                                            (guint64) MAX_INSTRUCTIONS_PER_SYNC)
                                     : 0;
              }
          }
          break;
        case 0x30: self->rcc_ahb1enr = value; break;
        default:   note_unmodeled (self, address, TRUE); break;
        }
      return KILN_SIM_ACK_OK;
    }
  if (address >= CRC_BASE && address < CRC_BASE + 0x400)
    {
      off = address - CRC_BASE;
      if (!(self->rcc_ahb1enr & (1u << 12)))
        return KILN_SIM_ACK_OK;
      switch (off)
        {
        case 0x00: crc_feed (self, value, 4); break;
        case 0x04: self->crc_idr = value & 0xFF; break;
        case 0x08:
          self->crc_cr = value & 0xF8;
          if (value & 1)
            self->crc_dr = self->crc_init;
          break;
        case 0x10: self->crc_init = value; self->crc_dr = value; break;
        case 0x14: self->crc_pol = value; break;
        default: break;
        }
      return KILN_SIM_ACK_OK;
    }
  if (address >= IWDG_BASE && address < IWDG_BASE + 0x400)
    {
      off = address - IWDG_BASE;
      if (off == 0x00)
        {
          switch (value & 0xFFFF)
            {
            case 0xCCCC:
              self->iwdg_running = TRUE;
              self->iwdg_deadline = now + iwdg_period_ns (self);
              break;
            case 0xAAAA:
              self->iwdg_deadline = now + iwdg_period_ns (self);
              self->iwdg_frozen_at = 0;
              break;
            case 0x5555:
              self->iwdg_unlocked = TRUE;
              break;
            default:
              self->iwdg_unlocked = FALSE;
              break;
            }
        }
      else if (off == 0x04 && self->iwdg_unlocked)
        self->iwdg_pr = value & 7;
      else if (off == 0x08 && self->iwdg_unlocked)
        self->iwdg_rlr = value & 0xFFF;
      return KILN_SIM_ACK_OK;
    }

  note_unmodeled (self, address, TRUE);
  return KILN_SIM_ACK_OK;
}

static KilnSimAck ppb_write (KilnSimBoard *self,
                             guint32       address,
                             guint32       value,
                             guint64       now);

static KilnSimAck
ppb_read (KilnSimBoard *self,
          guint32       address,
          guint32      *value)
{
  if (component_read (self, address, value))
    return KILN_SIM_ACK_OK;

  switch (address)
    {
    case 0xE000ED00: *value = self->chip->cpuid; return KILN_SIM_ACK_OK;
    case 0xE000ED08: *value = self->vtor; return KILN_SIM_ACK_OK;
    case 0xE000ED0C: *value = 0xFA050000; return KILN_SIM_ACK_OK;
    case 0xE000ED28: *value = self->cfsr; return KILN_SIM_ACK_OK;
    case 0xE000ED2C: *value = self->hfsr; return KILN_SIM_ACK_OK;
    case 0xE000ED30: *value = self->dfsr; return KILN_SIM_ACK_OK;
    case 0xE000ED38: *value = self->bfar; return KILN_SIM_ACK_OK;
    case 0xE000EDF0:
      *value = (self->dhcsr_c & 0xF) | DHCSR_S_REGRDY | (self->halted ? DHCSR_S_HALT : 0)
               | (self->lockup ? DHCSR_S_LOCKUP : 0) | (self->reset_st ? DHCSR_S_RESET : 0)
               | (self->retire_st ? DHCSR_S_RETIRE : 0);
      self->reset_st = FALSE;
      self->retire_st = FALSE;
      return KILN_SIM_ACK_OK;
    case 0xE000EDF8: *value = self->dcrdr; return KILN_SIM_ACK_OK;
    case 0xE000EDFC: *value = self->demcr; return KILN_SIM_ACK_OK;
    case FPB_BASE: *value = 0x10000080 | (self->fp_ctrl & 1); return KILN_SIM_ACK_OK;
    case DWT_BASE: *value = 0x40000000; return KILN_SIM_ACK_OK;
    case DBGMCU_BASE: *value = (guint32) self->chip->rev_id << 16 | self->chip->dev_id; return KILN_SIM_ACK_OK;
    case DBGMCU_BASE + 4: *value = self->dbgmcu_cr; return KILN_SIM_ACK_OK;
    case DBGMCU_BASE + 8: *value = self->apb1_fz; return KILN_SIM_ACK_OK;
    case DBGMCU_BASE + 12: *value = self->apb2_fz; return KILN_SIM_ACK_OK;
    default:
      break;
    }

  if (address >= FPB_BASE + 8 && address < FPB_BASE + 8 + 8 * 4)
    {
      *value = self->fp_comp[(address - FPB_BASE - 8) / 4];
      return KILN_SIM_ACK_OK;
    }

  *value = 0;
  note_unmodeled (self, address, FALSE);
  return KILN_SIM_ACK_OK;
}

static void
system_reset (KilnSimBoard *self)
{
  board_reset (self, FALSE);
}

static KilnSimAck
ppb_write (KilnSimBoard *self,
           guint32       address,
           guint32       value,
           guint64       now)
{
  switch (address)
    {
    case 0xE000ED08:
      self->vtor = value & ~0x7Fu;
      return KILN_SIM_ACK_OK;
    case 0xE000ED0C: /* AIRCR */
      if ((value >> 16) == 0x05FA && (value & ((1u << 2) | 1u)))
        system_reset (self);
      return KILN_SIM_ACK_OK;
    case 0xE000ED28: self->cfsr &= ~value; return KILN_SIM_ACK_OK;
    case 0xE000ED2C: self->hfsr &= ~value; return KILN_SIM_ACK_OK;
    case 0xE000ED30: self->dfsr &= ~value; return KILN_SIM_ACK_OK;
    case 0xE000EDF0: /* DHCSR */
      if ((value >> 16) != 0xA05F)
        return KILN_SIM_ACK_OK;
      self->dhcsr_c = value & 0xF;
      self->debugger_seen = TRUE;
      if (!(value & DHCSR_C_DEBUGEN))
        {
          self->halted = FALSE;
          return KILN_SIM_ACK_OK;
        }
      if (value & DHCSR_C_HALT)
        {
          if (!self->halted)
            core_enter_halt (self);
        }
      else if (self->halted)
        {
          self->halted = FALSE;
          self->retire_st = TRUE;
          if (value & DHCSR_C_STEP)
            {
              /* One instruction, then halt again. */
              guint32 pc = 0;

              self->run_budget = 1;
              self->run_count = 0;
              self->run_start_ns = self->core_ns;
              uc_reg_read (self->uc, UC_ARM_REG_PC, &pc);
              uc_emu_start (self->uc, pc | 1, 0xFFFFFFFFull, 0, 1);
              apply_pending (self);
              flush_flash_code (self);
              self->report->core_instructions++;
              core_enter_halt (self);
            }
          else
            self->core_ns = MAX (self->core_ns, now);
        }
      return KILN_SIM_ACK_OK;
    case 0xE000EDF4: /* DCRSR */
      if (!self->halted)
        return KILN_SIM_ACK_OK;
      if (value & (1u << 16))
        core_write_reg (self, value & 0x7F, self->dcrdr);
      else
        self->dcrdr = core_read_reg (self, value & 0x7F);
      return KILN_SIM_ACK_OK;
    case 0xE000EDF8: self->dcrdr = value; return KILN_SIM_ACK_OK;
    case 0xE000EDFC: self->demcr = value & 0x010F07F1; return KILN_SIM_ACK_OK;
    case FPB_BASE:
      if (value & 2)
        self->fp_ctrl = value & 1;
      return KILN_SIM_ACK_OK;
    case DBGMCU_BASE + 4: self->dbgmcu_cr = value & 7; return KILN_SIM_ACK_OK;
    case DBGMCU_BASE + 8: self->apb1_fz = value; return KILN_SIM_ACK_OK;
    case DBGMCU_BASE + 12: self->apb2_fz = value; return KILN_SIM_ACK_OK;
    default:
      break;
    }

  if (address >= FPB_BASE + 8 && address < FPB_BASE + 8 + 8 * 4)
    {
      self->fp_comp[(address - FPB_BASE - 8) / 4] = value;
      return KILN_SIM_ACK_OK;
    }

  note_unmodeled (self, address, TRUE);
  return KILN_SIM_ACK_OK;
}

static gboolean
flash_read_blocked (KilnSimBoard *self)
{
  return self->rdp_level >= 1 && self->debugger_seen;
}

static KilnSimAck
sys_read (KilnSimBoard *self,
          guint32       address,
          guint32      *value)
{
  const KilnSimChip *chip = self->chip;

  if (address >= chip->uid_reg && address < chip->uid_reg + 12)
    {
      guint32 off = address - chip->uid_reg;
      guint8 bytes[12];

      for (guint i = 0; i < 3; i++)
        wr32 (bytes + 4 * i, self->uid[i]);
      *value = rd32 (bytes + (off & ~3u));
      return KILN_SIM_ACK_OK;
    }
  if ((address & ~3u) == (chip->flash_size_reg & ~3u))
    {
      *value = (guint32) chip->flash_kib << (8 * (chip->flash_size_reg & 3));
      return KILN_SIM_ACK_OK;
    }
  if ((address & ~3u) == (chip->package_reg & ~3u))
    {
      *value = chip->package;
      return KILN_SIM_ACK_OK;
    }
  if (address >= chip->otp_base && address < chip->otp_base + chip->otp_size)
    {
      guint32 off = (address - chip->otp_base) & ~3u;

      *value = off + 4 <= chip->otp_size ? rd32 (self->otp + off) : 0xFFFFFFFF;
      return KILN_SIM_ACK_OK;
    }
  *value = 0xFFFFFFFF;
  return KILN_SIM_ACK_OK;
}

static guint32
lane_extract (guint32 word,
              guint32 address,
              guint   size)
{
  if (size == 4)
    return word;
  word >>= 8 * (address & 3);
  return size == 2 ? word & 0xFFFF : word & 0xFF;
}

static KilnSimAck
bus_read (KilnSimBoard *self,
          guint32       address,
          guint         size,
          guint32      *value,
          guint64       now,
          gboolean      debugger,
          guint64      *ready_at)
{
  guint32 word = 0;
  KilnSimAck ack;

  if (address >= AXIM_FLASH && address - AXIM_FLASH < self->flash_size)
    {
      if (flash_busy (self, now))
        {
          *ready_at = self->busy_until;
          return KILN_SIM_ACK_WAIT;
        }
      if (flash_read_blocked (self))
        return KILN_SIM_ACK_FAULT;
      *value = 0;
      for (guint i = 0; i < size; i++)
        *value |= (guint32) self->flash[address - AXIM_FLASH + i] << (8 * i);
      return KILN_SIM_ACK_OK;
    }
  if (address >= ITCM_FLASH && address - ITCM_FLASH < self->flash_size)
    return bus_read (self, address - ITCM_FLASH + AXIM_FLASH, size, value, now, debugger, ready_at);
  if (address >= SRAM_BASE && address - SRAM_BASE < self->chip->sram_size)
    {
      *value = 0;
      for (guint i = 0; i < size; i++)
        *value |= (guint32) self->sram[address - SRAM_BASE + i] << (8 * i);
      return KILN_SIM_ACK_OK;
    }
  if (address < self->chip->itcm_ram_size)
    {
      *value = 0;
      for (guint i = 0; i < size; i++)
        *value |= (guint32) self->itcm[address + i] << (8 * i);
      return KILN_SIM_ACK_OK;
    }

  if (address >= SYSMEM_BASE && address - SYSMEM_BASE < SYSMEM_SIZE)
    ack = sys_read (self, address & ~3u, &word);
  else if (address >= PERIPH_BASE && address - PERIPH_BASE < PERIPH_SIZE)
    ack = periph_read (self, address & ~3u, &word, now);
  else if (address >= PPB_BASE && address - PPB_BASE < PPB_SIZE)
    ack = ppb_read (self, address & ~3u, &word);
  else
    return KILN_SIM_ACK_FAULT;

  *value = lane_extract (word, address, size);
  return ack;
}

static KilnSimAck
bus_write (KilnSimBoard *self,
           guint32       address,
           guint         size,
           guint32       value,
           guint64       now,
           gboolean      debugger,
           guint64      *ready_at)
{
  if (address >= AXIM_FLASH && address - AXIM_FLASH < self->flash_size)
    {
      if (flash_busy (self, now))
        {
          *ready_at = self->busy_until;
          return KILN_SIM_ACK_WAIT;
        }
      /* RDP level 1 with a debugger connected: no access to the flash,
       * programming included (a bus error, as for reads). */
      if (debugger && flash_read_blocked (self))
        return KILN_SIM_ACK_FAULT;
      flash_array_write (self, address, size, value, now);
      return KILN_SIM_ACK_OK;
    }
  if (address >= ITCM_FLASH && address - ITCM_FLASH < self->flash_size)
    return KILN_SIM_ACK_FAULT; /* read-only alias */
  if (address >= SRAM_BASE && address - SRAM_BASE < self->chip->sram_size)
    {
      for (guint i = 0; i < size; i++)
        self->sram[address - SRAM_BASE + i] = (guint8) (value >> (8 * i));
      if (debugger)
        mark_ram_dirty (self, address, size);
      return KILN_SIM_ACK_OK;
    }
  if (address < self->chip->itcm_ram_size)
    {
      for (guint i = 0; i < size; i++)
        self->itcm[address + i] = (guint8) (value >> (8 * i));
      if (debugger)
        mark_ram_dirty (self, address, size);
      return KILN_SIM_ACK_OK;
    }
  if (address >= self->chip->otp_base && address - self->chip->otp_base < self->chip->otp_size)
    {
      if (flash_busy (self, now))
        {
          *ready_at = self->busy_until;
          return KILN_SIM_ACK_WAIT;
        }
      otp_array_write (self, address, size, value, now);
      return KILN_SIM_ACK_OK;
    }
  if (address >= SYSMEM_BASE && address - SYSMEM_BASE < SYSMEM_SIZE)
    return KILN_SIM_ACK_OK;

  /* Narrow writes to registers land in their lane of the register. */
  if (size < 4)
    value <<= 8 * (address & 3);

  if (address >= PERIPH_BASE && address - PERIPH_BASE < PERIPH_SIZE)
    {
      KilnSimAck ack = periph_write (self, address & ~3u, value, now);

      if (ack == KILN_SIM_ACK_WAIT)
        *ready_at = self->busy_until;
      return ack;
    }
  if (address >= PPB_BASE && address - PPB_BASE < PPB_SIZE)
    return ppb_write (self, address & ~3u, value, now);

  return KILN_SIM_ACK_FAULT;
}

/* ------------------------------------------------------------------ */
/* Reset                                                                */

static void
board_reset (KilnSimBoard *self,
             gboolean      power_on)
{
  /* Option bytes are (re)loaded: layout and read protection. */
  self->optcr = self->nv_optcr | OPT_LOCK;
  self->optcr1 = self->nv_optcr1;
  self->optcr2 = self->nv_optcr2;
  self->rdp_level = rdp_level_of (self->nv_optcr);
  lay_out_sectors (self);

  /* A reset aborts the flash operation: the array is free at once. */
  self->op = OP_NONE;
  self->busy_until = 0;
  self->cr = CR_LOCK;
  self->sr = power_on ? self->stale_errors : 0;
  self->acr = 0;
  self->key_stage = 0;
  self->optkey_stage = 0;
  self->key_locked_until_reset = FALSE;
  self->optkey_locked_until_reset = FALSE;

  self->rcc_cr = 1;
  self->rcc_pllcfgr = 0x24003010;
  self->rcc_cfgr = 0;
  self->rcc_ahb1enr = 0x00100000;
  self->crc_dr = 0xFFFFFFFF;
  self->crc_init = 0xFFFFFFFF;
  self->crc_pol = 0x04C11DB7;
  self->crc_cr = 0;
  self->crc_idr = 0;

  self->iwdg_pr = 0;
  self->iwdg_rlr = 0xFFF;
  self->iwdg_unlocked = FALSE;
  self->iwdg_frozen_at = 0;
  self->iwdg_running = !(self->nv_optcr & (1u << 5));
  if (self->iwdg_running)
    self->iwdg_deadline = self->clock->now_ns + (guint64) self->iwdg_default_ms * 1000000ull;

  self->cfsr = 0;
  self->hfsr = 0;
  self->bfar = 0;
  self->fault_cfsr = 0;
  self->fault_bfar = 0xFFFFFFFF;
  self->halted = FALSE;
  self->reset_st = TRUE;
  self->core_ns = self->clock->now_ns;
  g_array_set_size (self->pending, 0);
  core_reset (self);

  /* Vector catch halts the core at its first instruction. */
  if ((self->dhcsr_c & DHCSR_C_DEBUGEN) && (self->demcr & DEMCR_VC_CORERESET))
    {
      core_enter_halt (self);
      self->dfsr |= DFSR_VCATCH;
    }

  if (power_on)
    {
      self->dhcsr_c = 0;
      self->demcr = 0;
      self->dfsr = 0;
      self->fp_ctrl = 0;
      memset (self->fp_comp, 0, sizeof self->fp_comp);
      self->dbgmcu_cr = 0;
      self->apb1_fz = 0;
      self->apb2_fz = 0;
    }
}

/* ------------------------------------------------------------------ */
/* State                                                                */

static gboolean
load_state (KilnSimBoard  *self,
            GError       **error)
{
  g_autofree char *flash_path = g_build_filename (self->state_dir, "flash.bin", NULL);
  g_autofree char *opt_path = g_build_filename (self->state_dir, "options.ini", NULL);
  g_autofree char *otp_path = g_build_filename (self->state_dir, "otp.bin", NULL);
  g_autofree char *uid_path = g_build_filename (self->state_dir, "uid", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  if (g_file_get_contents (flash_path, &contents, &length, NULL))
    {
      if (length != self->flash_size)
        {
          g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_STATE,
                       "%s holds %" G_GSIZE_FORMAT " bytes, but the %s has %u bytes of flash",
                       flash_path, length, self->chip->name, self->flash_size);
          return FALSE;
        }
      memcpy (self->flash, contents, length);
      g_clear_pointer (&contents, g_free);
    }

  if (g_file_get_contents (otp_path, &contents, &length, NULL))
    {
      memcpy (self->otp, contents, MIN (length, self->chip->otp_size));
      g_clear_pointer (&contents, g_free);
    }

  if (g_file_get_contents (uid_path, &contents, &length, NULL))
    {
      g_auto(GStrv) words = g_strsplit (g_strstrip (contents), " ", 3);

      for (guint i = 0; i < 3 && words[i] != NULL; i++)
        self->uid[i] = (guint32) g_ascii_strtoull (words[i], NULL, 16);
      g_clear_pointer (&contents, g_free);
    }

  {
    g_autoptr(GKeyFile) kf = g_key_file_new ();

    if (g_key_file_load_from_file (kf, opt_path, G_KEY_FILE_NONE, NULL))
      {
        g_autofree char *a = g_key_file_get_string (kf, "options", "optcr", NULL);
        g_autofree char *b = g_key_file_get_string (kf, "options", "optcr1", NULL);
        g_autofree char *c = g_key_file_get_string (kf, "options", "optcr2", NULL);

        if (a != NULL)
          self->nv_optcr = (guint32) g_ascii_strtoull (a, NULL, 0);
        if (b != NULL)
          self->nv_optcr1 = (guint32) g_ascii_strtoull (b, NULL, 0);
        if (c != NULL)
          self->nv_optcr2 = (guint32) g_ascii_strtoull (c, NULL, 0);
      }
  }
  return TRUE;
}

gboolean
kiln_sim_board_save (KilnSimBoard  *self,
                     GError       **error)
{
  g_autofree char *flash_path = NULL;
  g_autofree char *opt_path = NULL;
  g_autofree char *otp_path = NULL;
  g_autofree char *uid_path = NULL;
  g_autofree char *options = NULL;
  g_autofree char *uid = NULL;

  g_return_val_if_fail (KILN_IS_SIM_BOARD (self), FALSE);

  /* How the host left the controller: the report says so. */
  if (!(self->cr & CR_LOCK))
    self->report->flash_unlocked_at_exit = TRUE;
  if (!(self->optcr & OPT_LOCK))
    self->report->options_unlocked_at_exit = TRUE;

  if (self->state_dir == NULL)
    return TRUE;

  if (g_mkdir_with_parents (self->state_dir, 0755) != 0)
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_STATE, "Cannot create %s: %s", self->state_dir,
                   g_strerror (errno));
      return FALSE;
    }

  flash_path = g_build_filename (self->state_dir, "flash.bin", NULL);
  opt_path = g_build_filename (self->state_dir, "options.ini", NULL);
  otp_path = g_build_filename (self->state_dir, "otp.bin", NULL);
  uid_path = g_build_filename (self->state_dir, "uid", NULL);
  options = g_strdup_printf ("[options]\noptcr=0x%08X\noptcr1=0x%08X\noptcr2=0x%08X\n",
                             self->nv_optcr, self->nv_optcr1, self->nv_optcr2);
  uid = g_strdup_printf ("%08X %08X %08X\n", self->uid[0], self->uid[1], self->uid[2]);

  return g_file_set_contents (flash_path, (const char *) self->flash, self->flash_size, error)
         && g_file_set_contents (opt_path, options, -1, error)
         && g_file_set_contents (otp_path, (const char *) self->otp, self->chip->otp_size, error)
         && g_file_set_contents (uid_path, uid, -1, error);
}

/* Preloads flash from an ELF (program headers), Intel HEX or raw binary. */
static gboolean
preload_flash (KilnSimBoard  *self,
               const char    *path,
               GError       **error)
{
  g_autofree char *data = NULL;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, error))
    return FALSE;

  if (length >= 52 && memcmp (data, "\177ELF", 4) == 0 && data[4] == 1)
    {
      const guint8 *d = (const guint8 *) data;
      guint32 phoff = rd32 (d + 28);
      guint16 phentsize = d[42] | d[43] << 8;
      guint16 phnum = d[44] | d[45] << 8;

      for (guint i = 0; i < phnum; i++)
        {
          const guint8 *ph;
          guint32 offset, paddr, filesz;

          if ((guint64) phoff + (guint64) (i + 1) * phentsize > length)
            break;
          ph = d + phoff + i * phentsize;
          if (rd32 (ph) != 1) /* PT_LOAD */
            continue;
          offset = rd32 (ph + 4);
          paddr = rd32 (ph + 12);
          filesz = rd32 (ph + 16);
          if (paddr >= ITCM_FLASH && paddr - ITCM_FLASH < self->flash_size)
            paddr = paddr - ITCM_FLASH + AXIM_FLASH;
          if ((guint64) offset + filesz > length || paddr < AXIM_FLASH
              || (guint64) paddr + filesz > (guint64) AXIM_FLASH + self->flash_size)
            continue;
          memcpy (self->flash + (paddr - AXIM_FLASH), d + offset, filesz);
        }
      return TRUE;
    }

  if (length > 0 && data[0] == ':')
    {
      g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
      guint32 upper = 0;

      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *l = g_strstrip (lines[i]);
          guint8 rec[260];
          gsize n = (strlen (l) - 1) / 2;

          if (l[0] != ':' || n < 5 || n > sizeof rec)
            continue;
          for (gsize j = 0; j < n; j++)
            rec[j] = (guint8) (g_ascii_xdigit_value (l[1 + 2 * j]) << 4 | g_ascii_xdigit_value (l[2 + 2 * j]));
          if (rec[3] == 4)
            upper = (guint32) (rec[4] << 8 | rec[5]) << 16;
          else if (rec[3] == 0)
            {
              guint32 a = upper + (guint32) (rec[1] << 8 | rec[2]);

              if (a >= AXIM_FLASH && a - AXIM_FLASH + rec[0] <= self->flash_size)
                memcpy (self->flash + (a - AXIM_FLASH), rec + 4, rec[0]);
            }
        }
      return TRUE;
    }

  memcpy (self->flash, data, MIN (length, self->flash_size));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
kiln_sim_board_finalize (GObject *object)
{
  KilnSimBoard *self = (KilnSimBoard *) object;

  if (self->uc != NULL)
    uc_close (self->uc);
  g_free (self->flash);
  g_free (self->sram);
  g_free (self->itcm);
  g_free (self->otp);
  g_free (self->state_dir);
  g_clear_pointer (&self->sectors, g_array_unref);
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->weak_words, g_array_unref);
  g_clear_pointer (&self->unmodeled, g_hash_table_unref);

  G_OBJECT_CLASS (kiln_sim_board_parent_class)->finalize (object);
}

static void
kiln_sim_board_class_init (KilnSimBoardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_sim_board_finalize;
}

static void
kiln_sim_board_init (KilnSimBoard *self)
{
  self->sectors = g_array_new (FALSE, TRUE, sizeof (Sector));
  self->pending = g_array_new (FALSE, TRUE, sizeof (PendingWrite));
  self->weak_words = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->unmodeled = g_hash_table_new (NULL, NULL);
}

static guint32
key_hex (GKeyFile   *kf,
         const char *group,
         const char *key,
         guint32     fallback)
{
  g_autofree char *s = g_key_file_get_string (kf, group, key, NULL);

  return s != NULL ? (guint32) g_ascii_strtoull (g_strstrip (s), NULL, 0) : fallback;
}

static gboolean
key_bool (GKeyFile   *kf,
          const char *group,
          const char *key,
          gboolean    fallback)
{
  g_autofree char *s = g_key_file_get_string (kf, group, key, NULL);

  if (s == NULL)
    return fallback;
  g_strstrip (s);
  return g_ascii_strcasecmp (s, "true") == 0 || g_str_equal (s, "1") || g_ascii_strcasecmp (s, "yes") == 0;
}

static char *
resolve_path (const char *base_dir,
              const char *path)
{
  if (path == NULL || g_path_is_absolute (path) || base_dir == NULL)
    return g_strdup (path);
  return g_build_filename (base_dir, path, NULL);
}

KilnSimBoard *
kiln_sim_board_new (GKeyFile      *key_file,
                    const char    *group,
                    const char    *base_dir,
                    KilnSimClock  *clock,
                    KilnSimReport *report,
                    GError       **error)
{
  g_autoptr(KilnSimBoard) self = g_object_new (KILN_TYPE_SIM_BOARD, NULL);
  g_autofree char *chip_name = NULL;
  g_autofree char *state = NULL;
  g_autofree char *image = NULL;
  g_autofree char *voltage = NULL;
  g_autofree char *stale = NULL;
  g_autofree char *weak = NULL;
  g_autofree char *flash_path = NULL;
  gboolean fresh;
  guint32 rdp, nwrp;

  chip_name = g_key_file_get_string (key_file, group, "chip", NULL);
  self->chip = kiln_sim_chip_find (chip_name ? g_strstrip (chip_name) : "STM32F746NG");
  if (self->chip == NULL)
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                   "[%s] chip = %s: the bench has STM32F746NG, STM32F767ZI and STM32F722RE", group, chip_name);
      return NULL;
    }

  self->clock = clock;
  self->report = report;
  self->flash_size = self->chip->flash_kib * 1024;
  self->flash = g_malloc (self->flash_size);
  memset (self->flash, 0xFF, self->flash_size);
  self->sram = g_malloc0 (self->chip->sram_size);
  self->itcm = g_malloc0 (self->chip->itcm_ram_size);
  self->otp = g_malloc (self->chip->otp_size);
  memset (self->otp, 0xFF, self->chip->otp_size);

  voltage = g_key_file_get_string (key_file, group, "voltage", NULL);
  self->voltage = voltage ? g_ascii_strtod (g_strstrip (voltage), NULL) : 3.3;
  self->vpp = key_bool (key_file, group, "vpp", FALSE);
  self->iwdg_default_ms = key_hex (key_file, group, "iwdg-timeout-ms", 500);

  /* A UID of the board's own: from the key file, else derived from the group. */
  self->uid[0] = key_hex (key_file, group, "uid0", 0x00210041);
  self->uid[1] = key_hex (key_file, group, "uid1", 0x3236510C);
  self->uid[2] = key_hex (key_file, group, "uid2", 0x33383139 ^ g_str_hash (group));

  rdp = key_hex (key_file, group, "rdp", 0xAA);
  nwrp = key_hex (key_file, group, "nwrp", 0xFFFF);
  self->nv_optcr = self->chip->optcr_default;
  self->nv_optcr = (self->nv_optcr & ~0xFF00u) | (rdp & 0xFF) << 8;
  self->nv_optcr = (self->nv_optcr & ~(((1u << self->chip->nwrp_bits) - 1) << 16))
                   | (nwrp & ((1u << self->chip->nwrp_bits) - 1)) << 16;
  if (self->chip->dual[0][1] != 0 && g_key_file_has_key (key_file, group, "ndbank", NULL))
    {
      if (key_hex (key_file, group, "ndbank", 1))
        self->nv_optcr |= 1u << 29;
      else
        self->nv_optcr &= ~(1u << 29);
    }
  if (!key_bool (key_file, group, "iwdg-sw", TRUE))
    self->nv_optcr &= ~(1u << 5);
  self->nv_optcr1 = 0x00400080;
  self->nv_optcr2 = self->chip->has_optcr2 ? 0x000000FF : 0;

  state = g_key_file_get_string (key_file, group, "state", NULL);
  self->state_dir = resolve_path (base_dir, state ? g_strstrip (state) : NULL);
  flash_path = self->state_dir ? g_build_filename (self->state_dir, "flash.bin", NULL) : NULL;
  fresh = flash_path == NULL || !g_file_test (flash_path, G_FILE_TEST_EXISTS);

  if (self->state_dir != NULL && !load_state (self, error))
    return NULL;

  image = g_key_file_get_string (key_file, group, "flash-image", NULL);
  if (image != NULL && fresh)
    {
      g_autofree char *p = resolve_path (base_dir, g_strstrip (image));

      if (!preload_flash (self, p, error))
        return NULL;
    }

  /* Faults of the board */
  stale = g_key_file_get_string (key_file, "faults", "stale-flash-errors", NULL);
  if (stale != NULL)
    {
      g_auto(GStrv) names = g_strsplit_set (stale, ", ", -1);

      for (guint i = 0; names[i] != NULL; i++)
        {
          const char *n = names[i];

          if (g_ascii_strcasecmp (n, "OPERR") == 0) self->stale_errors |= SR_OPERR;
          else if (g_ascii_strcasecmp (n, "WRPERR") == 0) self->stale_errors |= SR_WRPERR;
          else if (g_ascii_strcasecmp (n, "PGAERR") == 0) self->stale_errors |= SR_PGAERR;
          else if (g_ascii_strcasecmp (n, "PGPERR") == 0) self->stale_errors |= SR_PGPERR;
          else if (g_ascii_strcasecmp (n, "ERSERR") == 0 || g_ascii_strcasecmp (n, "PGSERR") == 0)
            self->stale_errors |= SR_ERSERR;
        }
      if (self->stale_errors)
        kiln_sim_report_fault (report, "stale-flash-errors");
    }
  weak = g_key_file_get_string (key_file, "faults", "weak-words", NULL);
  if (weak != NULL)
    {
      g_auto(GStrv) words = g_strsplit_set (weak, ", ", -1);

      for (guint i = 0; words[i] != NULL; i++)
        {
          guint32 a;

          if (words[i][0] == '\0')
            continue;
          a = (guint32) g_ascii_strtoull (words[i], NULL, 0);
          g_array_append_val (self->weak_words, a);
        }
    }
  if (g_key_file_has_key (key_file, "faults", "power-loss-after-ms", NULL))
    {
      self->power_loss_at = (guint64) key_hex (key_file, "faults", "power-loss-after-ms", 0) * 1000000ull;
      self->power_loss_armed = TRUE;
    }
  self->swd_disable_fault = key_bool (key_file, "faults", "swd-disabled-by-firmware", FALSE);

  /* KILN_SIM_DEBUG=1 logs each core run, =2 each instruction. */
  self->debug = g_getenv ("KILN_SIM_DEBUG") != NULL;
  self->trace = g_strcmp0 (g_getenv ("KILN_SIM_DEBUG"), "2") == 0;
  if (!core_setup (self, error))
    return NULL;

  board_reset (self, TRUE);
  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------ */
/* The probe's view                                                     */

void
kiln_sim_board_sync (KilnSimBoard *self)
{
  guint64 t = self->clock->now_ns;

  advance_events (self, t);
  if (core_running (self))
    core_run_until (self, t);
  else
    self->core_ns = t;
  advance_events (self, t);
}

double
kiln_sim_board_get_voltage (KilnSimBoard *self)
{
  kiln_sim_board_sync (self);
  return powered (self) ? self->voltage : 0.0;
}

void
kiln_sim_board_set_power (KilnSimBoard *self,
                          gboolean      on)
{
  kiln_sim_board_sync (self);
  if (on == !self->power_lost)
    return;
  self->power_loss_armed = FALSE;
  self->power_lost = !on;
  self->swd_active = FALSE;
  if (on)
    {
      /* The firmware starts again (and may turn the SWD pins off again). */
      self->swd_pins_off = FALSE;
      board_reset (self, TRUE);
    }
}

void
kiln_sim_board_set_nrst (KilnSimBoard *self,
                         gboolean      asserted)
{
  kiln_sim_board_sync (self);
  if (asserted == self->in_reset)
    return;
  self->in_reset = asserted;
  if (asserted)
    {
      /* In reset the pins are back in their default (SWD) function. */
      self->swd_pins_off = FALSE;
      board_reset (self, FALSE);
    }
  else
    board_reset (self, FALSE);
}

void
kiln_sim_board_swd_line_reset (KilnSimBoard *self)
{
  kiln_sim_board_sync (self);
  if (!powered (self) || self->swd_pins_off || self->rdp_level == 2)
    {
      self->swd_active = FALSE;
      return;
    }
  self->swd_active = TRUE;
  self->debugger_seen = TRUE;
}

static gboolean
dp_answers (KilnSimBoard *self)
{
  return self->swd_active && powered (self) && !self->swd_pins_off && self->rdp_level != 2;
}

KilnSimAck
kiln_sim_board_dp_read (KilnSimBoard *self,
                        guint8        address,
                        guint32      *value,
                        guint64      *ready_at_ns)
{
  kiln_sim_board_sync (self);
  if (!dp_answers (self))
    return KILN_SIM_ACK_NONE;

  switch (address & 0xC)
    {
    case 0x0:
      *value = DPIDR_F7;
      break;
    case 0x4:
      *value = self->dp_ctrl;
      if (self->dp_ctrl & CTRL_CDBGPWRUPREQ)
        *value |= CTRL_CDBGPWRUPACK;
      if (self->dp_ctrl & CTRL_CSYSPWRUPREQ)
        *value |= CTRL_CSYSPWRUPACK;
      break;
    case 0x8:
      *value = 0; /* RESEND */
      break;
    case 0xC:
      *value = 0;
      break;
    }
  return KILN_SIM_ACK_OK;
}

KilnSimAck
kiln_sim_board_dp_write (KilnSimBoard *self,
                         guint8        address,
                         guint32       value,
                         guint64      *ready_at_ns)
{
  kiln_sim_board_sync (self);
  if (!dp_answers (self))
    return KILN_SIM_ACK_NONE;

  switch (address & 0xC)
    {
    case 0x0: /* ABORT */
      if (value & (1u << 2))
        self->dp_ctrl &= ~CTRL_STICKYERR;
      if (value & (1u << 3))
        self->dp_ctrl &= ~CTRL_WDATAERR;
      if (value & (1u << 4))
        self->dp_ctrl &= ~CTRL_STICKYORUN;
      if (value & (1u << 1))
        self->dp_ctrl &= ~CTRL_STICKYCMP;
      break;
    case 0x4:
      self->dp_ctrl = (self->dp_ctrl & (CTRL_STICKYERR | CTRL_STICKYORUN | CTRL_STICKYCMP | CTRL_WDATAERR))
                      | (value & (CTRL_CDBGPWRUPREQ | CTRL_CSYSPWRUPREQ | 0x0FFFFF00u | 1u));
      break;
    case 0x8:
      self->dp_select = value;
      break;
    default:
      break;
    }
  return KILN_SIM_ACK_OK;
}

static KilnSimAck
ap_fault (KilnSimBoard *self)
{
  self->dp_ctrl |= CTRL_STICKYERR;
  return KILN_SIM_ACK_FAULT;
}

static guint
csw_size (KilnSimBoard *self)
{
  switch (self->ap_csw & 7)
    {
    case 0: return 1;
    case 1: return 2;
    default: return 4;
    }
}

static void
tar_increment (KilnSimBoard *self)
{
  guint inc = (self->ap_csw >> 4) & 3;

  if (inc == 1)
    {
      /* Auto-increment wraps within the 1 KiB boundary, as on silicon. */
      guint32 low = (self->ap_tar + csw_size (self)) & 0x3FF;

      self->ap_tar = (self->ap_tar & ~0x3FFu) | low;
    }
}

static KilnSimAck
drw_access (KilnSimBoard *self,
            guint32       address,
            gboolean      write,
            guint32      *value,
            guint64      *ready_at_ns)
{
  guint size = csw_size (self);
  guint64 now = self->clock->now_ns;
  KilnSimAck ack;

  if (address & (size - 1))
    return ap_fault (self);

  if (write)
    {
      guint32 data = *value;

      if (size < 4)
        data = (data >> (8 * (address & 3))) & (size == 2 ? 0xFFFF : 0xFF);
      ack = bus_write (self, address, size, data, now, TRUE, ready_at_ns);
    }
  else
    {
      guint32 data = 0;

      ack = bus_read (self, address, size, &data, now, TRUE, ready_at_ns);
      *value = size < 4 ? data << (8 * (address & 3)) : data;
    }

  if (ack == KILN_SIM_ACK_FAULT)
    return ap_fault (self);
  return ack;
}

static KilnSimAck
ap_access (KilnSimBoard *self,
           guint8        apsel,
           guint8        address,
           gboolean      write,
           guint32      *value,
           guint64      *ready_at_ns)
{
  KilnSimAck ack;

  kiln_sim_board_sync (self);
  if (!dp_answers (self))
    return KILN_SIM_ACK_NONE;
  if (self->dp_ctrl & CTRL_STICKYERR)
    return KILN_SIM_ACK_FAULT;
  if (!(self->dp_ctrl & CTRL_CDBGPWRUPREQ))
    return ap_fault (self);

  self->dp_select = (guint32) apsel << 24 | (address & 0xF0);

  if (apsel != 0)
    {
      if (!write)
        *value = 0;
      return KILN_SIM_ACK_OK;
    }

  switch (address)
    {
    case 0x00:
      if (write)
        self->ap_csw = (*value & 0xFF000037u) | 0x40;
      else
        *value = self->ap_csw | 0x40 | 0x03000000;
      return KILN_SIM_ACK_OK;
    case 0x04:
      if (write)
        self->ap_tar = *value;
      else
        *value = self->ap_tar;
      return KILN_SIM_ACK_OK;
    case 0x0C:
      ack = drw_access (self, self->ap_tar, write, value, ready_at_ns);
      if (ack == KILN_SIM_ACK_OK)
        tar_increment (self);
      return ack;
    case 0x10:
    case 0x14:
    case 0x18:
    case 0x1C:
      return drw_access (self, (self->ap_tar & ~0xFu) | (address & 0xC), write, value, ready_at_ns);
    case 0xF8:
      if (!write)
        *value = ROM_ST | 3;
      return KILN_SIM_ACK_OK;
    case 0xFC:
      if (!write)
        *value = AHBAP_IDR;
      return KILN_SIM_ACK_OK;
    default:
      if (!write)
        *value = 0;
      return KILN_SIM_ACK_OK;
    }
}

KilnSimAck
kiln_sim_board_ap_read (KilnSimBoard *self,
                        guint8        apsel,
                        guint8        address,
                        guint32      *value,
                        guint64      *ready_at_ns)
{
  return ap_access (self, apsel, address, FALSE, value, ready_at_ns);
}

KilnSimAck
kiln_sim_board_ap_write (KilnSimBoard *self,
                         guint8        apsel,
                         guint8        address,
                         guint32       value,
                         guint64      *ready_at_ns)
{
  return ap_access (self, apsel, address, TRUE, &value, ready_at_ns);
}

/* For tests: the board's flash, as the state file would hold it. */
const guint8 *
kiln_sim_board_peek_flash (KilnSimBoard *self,
                           gsize        *size)
{
  *size = self->flash_size;
  return self->flash;
}
