/* kiln-sim-board-flash.c — the flash array, its controller and the OTP area
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sector layout follows the option bytes as they were at the last reset;
 * an erase or a program is a busy_until timestamp (see kiln-sim-board.c).
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "kiln-sim-board-private.h"

/* ------------------------------------------------------------------ */
/* Sector layout from the option bytes                                  */

void
_kiln_sim_board_lay_out_sectors (KilnSimBoard *self)
{
  const KilnSimChip *chip = self->chip;
  /* F76x/F77x: nDBANK (bit 29) clear; F42x: always at 2 MiB, with DB1M
   * (bit 30) at 1 MiB. */
  gboolean dual = chip->dual[0][1] != 0
                  && (IS_F7 (self) ? !(self->nv_optcr & (1u << 29))
                                   : chip->dual_always && chip->flash_kib == 2048 ? TRUE
                                                                                 : (self->nv_optcr & (1u << 30)) != 0);

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
              /* Dual bank on F76x: nWRP[i] covers sectors 2i and 2i+1;
               * on F42x bank 2's sectors have their bits in OPTCR1. */
              s.wrp_bit = !IS_F7 (self) ? n : dual ? s.number / 2 : s.number;
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
  /* What OPTSTRT committed, not what OPTCR holds before it; F42x bank 2's
   * sectors in OPTCR1. */
  if (!IS_F7 (self) && s->bank == 2)
    return !(self->nv_optcr1 & (1u << (16 + s->wrp_bit)));
  return !(self->nv_optcr & (1u << (16 + s->wrp_bit)));
}

guint
_kiln_sim_board_rdp_level_of (guint32 optcr)
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
erase_seconds (const KilnSimChip *chip,
               guint32            size,
               guint              psize)
{
  static const double t32[] = { 0.400, 0.300, 0.250, 0.250 };
  static const double t128[] = { 1.200, 0.700, 0.550, 0.550 };
  static const double t256[] = { 2.000, 1.300, 1.000, 1.000 };
  guint kib = size / 1024;

  if (chip->erase_kib[0] != 0)
    {
      /* The datasheet's times for its three sector sizes (x64 as x32). */
      guint c = kib <= chip->erase_kib[0] ? 0 : kib <= chip->erase_kib[1] ? 1 : 2;

      return chip->erase_s[c][MIN (psize, 2u)] * kib / chip->erase_kib[c];
    }

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
          memset (_kiln_sim_board_flash_mem (self) + (s->address - AXIM_FLASH), 0xFF, s->size);
      }
      break;

    case OP_MASS:
      for (guint i = 0; i < self->sectors->len; i++)
        {
          const Sector *s = &g_array_index (self->sectors, Sector, i);

          if (self->op_banks & (1u << (s->bank - 1)))
            memset (_kiln_sim_board_flash_mem (self) + (s->address - AXIM_FLASH), 0xFF, s->size);
        }
      break;

    case OP_OPTIONS:
      {
        guint old_level = _kiln_sim_board_rdp_level_of (self->nv_optcr);
        guint new_level = _kiln_sim_board_rdp_level_of (self->optcr);

        if (old_level == 1 && new_level == 0)
          {
            /* Regression: the main flash is erased first. */
            memset (_kiln_sim_board_flash_mem (self), 0xFF, self->flash_size);
            self->report->mass_erases++;
          }
        if (old_level == 2)
          break;
        self->nv_optcr = (self->optcr & ~(OPT_LOCK | OPT_STRT)) | (self->nv_optcr & OPT_LOCK);
        self->nv_optcr1 = self->optcr1;
        self->nv_optcr2 = self->optcr2;
        /* RDP changes take effect at once for the debugger; the bank layout
         * waits for a reset. */
        self->rdp_level = _kiln_sim_board_rdp_level_of (self->nv_optcr);
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

gboolean
_kiln_sim_board_flash_busy (KilnSimBoard *self,
                            guint64       t)
{
  if (self->op != OP_NONE && t >= self->busy_until)
    finish_flash_op (self);
  return self->op != OP_NONE;
}

/* A new operation starts after the one before has ended (the stalled bus
 * sees to that): whatever the earlier one does to the array is applied
 * first, so that no operation is ever lost. */
static void
flash_settle (KilnSimBoard *self)
{
  if (self->op != OP_NONE)
    finish_flash_op (self);
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

  flash_settle (self);
  if ((self->cr & CR_SER) && (self->cr & (CR_MER | CR_MER2)))
    return; /* MER and SER together: nothing happens */

  /* x64 without VPP on the board: the erase does not happen and the erase
   * error flag says so (bit 7: ERSERR on F7, PGSERR on F2/F4). */
  if (psize == 3 && !self->vpp && psize_allowed (self) == 2 && (self->cr & CR_SER))
    {
      flash_set_error (self, SR_ERSERR);
      return;
    }
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
      e.time_s = erase_seconds (self->chip, s->size, psize);
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
void
_kiln_sim_board_flash_array_write (KilnSimBoard *self,
                                   guint32       address,
                                   guint         size,
                                   guint32       value,
                                   guint64       now)
{
  guint psize = (self->cr >> 8) & 3;
  guint32 offset = address - AXIM_FLASH;
  const Sector *s = sector_at (self, address);

  flash_settle (self);
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

  /* x64 without VPP on the board: the unit is refused with PGPERR, the
   * bytes left as they were. */
  if (psize == 3 && !self->vpp && psize_allowed (self) == 2)
    {
      flash_set_error (self, SR_PGPERR);
      return;
    }

  /* x64 is one unit of two words: the first is latched, the second starts
   * the programming of both (16 µs, as a unit at x32). */
  if (psize == 3 && size == 4 && !(address & 4))
    {
      for (guint i = 0; i < size; i++)
        _kiln_sim_board_flash_mem (self)[offset + i] &= (guint8) (value >> (8 * i));
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
    _kiln_sim_board_flash_mem (self)[offset + i] &= (guint8) (value >> (8 * i));

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
void
_kiln_sim_board_otp_array_write (KilnSimBoard *self,
                                 guint32       address,
                                 guint         size,
                                 guint32       value,
                                 guint64       now)
{
  const KilnSimChip *chip = self->chip;
  guint psize = (self->cr >> 8) & 3;
  guint32 offset = address - chip->otp_base;
  guint32 data_size = 16 * chip->otp_block_size;

  flash_settle (self);
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

/* The two-word unlock of a key register (KEYR, OPTKEYR). A key written
 * while the register is unlocked, or any wrong key, locks it (sets the
 * lock bit) until the next reset; that write is a bus fault. */
static gboolean
key_write (guint32  *reg,
           guint32   lock_bit,
           guint    *stage,
           gboolean *locked_until_reset,
           guint32   value,
           guint32   key1,
           guint32   key2)
{
  if (!(*reg & lock_bit) || *locked_until_reset)
    {
      *locked_until_reset = TRUE;
      *reg |= lock_bit;
      return FALSE;
    }
  if (*stage == 0 && value == key1)
    {
      *stage = 1;
      return TRUE;
    }
  if (*stage == 1 && value == key2)
    {
      *stage = 0;
      *reg &= ~lock_bit;
      return TRUE;
    }
  *stage = 0;
  *locked_until_reset = TRUE;
  return FALSE;
}

void
_kiln_sim_board_flash_reg_write (KilnSimBoard *self,
                                 guint32       offset,
                                 guint32       value,
                                 guint64       now,
                                 gboolean     *fault)
{
  switch (offset)
    {
    case 0x00: /* ACR */
      {
        guint was = self->acr & 0xF;

        self->acr = value & 0x0B0F;
        if ((self->acr & 0xF) < was)
          _kiln_sim_board_check_wait_states (self, _kiln_sim_board_sysclk_hz (self), "flash wait states lowered");
      }
      break;

    case 0x04: /* KEYR */
      *fault = !key_write (&self->cr, CR_LOCK, &self->key_stage,
                           &self->key_locked_until_reset, value,
                           0x45670123, 0xCDEF89AB);
      break;

    case 0x08: /* OPTKEYR */
      *fault = !key_write (&self->optcr, OPT_LOCK, &self->optkey_stage,
                           &self->optkey_locked_until_reset, value,
                           0x08192A3B, 0x4C5D6E7F);
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
          flash_settle (self);
          if (self->nv_optcr != self->optcr)
            flash_start_busy (self, OP_OPTIONS,
                              now, _kiln_sim_board_rdp_level_of (self->nv_optcr) == 1 && _kiln_sim_board_rdp_level_of (self->optcr) == 0 ? 16.0 : 0.05);
          else
            flash_start_busy (self, OP_OPTIONS, now, 0.05);
        }
      break;

    case 0x18: /* OPTCR1: F7, and F42x (bank 2's nWRP) */
      if (!(self->optcr & OPT_LOCK) && (IS_F7 (self) || self->chip->dual[0][1] != 0))
        self->optcr1 = IS_F7 (self) ? value : value & (0xFFFu << 16);
      break;

    case 0x1C: /* OPTCR2 (F72x/F73x) */
      if (!(self->optcr & OPT_LOCK) && self->chip->has_optcr2)
        self->optcr2 = value;
      break;

    default:
      break;
    }
}

guint32
_kiln_sim_board_flash_reg_read (KilnSimBoard *self,
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

/* For tests: the board's flash, as the state file would hold it. */
const guint8 *
kiln_sim_board_peek_flash (KilnSimBoard *self,
                           gsize        *size)
{
  *size = self->flash_size;
  return _kiln_sim_board_flash_mem (self);
}

/* The flash array, made (erased) on first use. */
guint8 *
_kiln_sim_board_flash_mem (KilnSimBoard *self)
{
  if (self->flash == NULL)
    {
      self->flash = g_malloc (self->flash_size);
      memset (self->flash, 0xFF, self->flash_size);
    }
  return self->flash;
}
