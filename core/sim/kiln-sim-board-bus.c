/* kiln-sim-board-bus.c — the system bus: address decode, RCC, CRC, IWDG, the
 * core's debug registers and the CoreSight ROM tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The clocks (RCC, SYSCLK, wait states) are in kiln-sim-board-clock.c.
 *
 * Both the debugger (through the AHB-AP) and the core reach the board's
 * registers here; an access the real bus would stall answers
 * KILN_SIM_ACK_WAIT with the time it would complete.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "kiln-sim-board-private.h"

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

/* The common case (a 32-bit polynomial, 32-bit words, no reversal) a byte
 * at a time from a table, which is what keeps an on-target CRC of a whole
 * flash cheap for this machine; the same result as bit by bit. */
static gboolean
crc_feed_fast (KilnSimBoard *self,
               guint32       value,
               guint         size)
{
  guint32 crc = self->crc_dr;

  if (size != 4 || (self->crc_cr & 0x78) != 0)
    return FALSE;
  if (self->crc_table == NULL || self->crc_table_pol != self->crc_pol)
    {
      if (self->crc_table == NULL)
        self->crc_table = g_new (guint32, 256);
      for (guint32 i = 0; i < 256; i++)
        {
          guint32 c = i << 24;

          for (guint b = 0; b < 8; b++)
            c = (c & 0x80000000u) ? (c << 1) ^ self->crc_pol : c << 1;
          self->crc_table[i] = c;
        }
      self->crc_table_pol = self->crc_pol;
    }
  for (int shift = 24; shift >= 0; shift -= 8)
    crc = (crc << 8) ^ self->crc_table[((crc >> 24) ^ (value >> shift)) & 0xFF];
  self->crc_dr = crc;
  return TRUE;
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

  if (crc_feed_fast (self, value, size))
    return;

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

gboolean
_kiln_sim_board_iwdg_frozen (KilnSimBoard *self)
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

  /* The F2 and F4: one ROM table (ST's part number) with the core's
   * components, where the AP's BASE points. */
  static Component table_m3m4[] = {
    { ROM_PPB, 0xB105100D, 0x413, 0x020, ppb_entries, G_N_ELEMENTS (ppb_entries) },
    { SCS_BASE, 0xB105E00D, 0x000, 0x43B, NULL, 0 },
    { DWT_BASE, 0xB105E00D, 0x002, 0x43B, NULL, 0 },
    { FPB_BASE, 0xB105E00D, 0x003, 0x43B, NULL, 0 },
    { ITM_BASE, 0xB105E00D, 0x001, 0x43B, NULL, 0 },
  };
  Component *t = IS_F7 (self) ? table : table_m3m4;
  guint n = IS_F7 (self) ? G_N_ELEMENTS (table) : G_N_ELEMENTS (table_m3m4);

  t[0].part = self->chip->dev_id;
  for (guint i = 0; i < n; i++)
    if (t[i].base == base)
      return &t[i];
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
      _kiln_sim_board_flash_busy (self, now);
      *value = _kiln_sim_board_flash_reg_read (self, address - FLASH_BASE);
      return KILN_SIM_ACK_OK;
    }
  if (address >= RCC_BASE && address < RCC_BASE + 0x400)
    {
      *value = _kiln_sim_board_rcc_read (self, address, now);
      return KILN_SIM_ACK_OK;
    }
  if (address >= PWR_BASE && address < PWR_BASE + 0x400)
    {
      *value = _kiln_sim_board_pwr_read (self, address, now);
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
        case 0x10: *value = IS_F7 (self) ? self->crc_init : 0; break;
        case 0x14: *value = IS_F7 (self) ? self->crc_pol : 0; break;
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
  _kiln_sim_board_note_unmodeled (self, address, FALSE);
  return KILN_SIM_ACK_OK;
}

static KilnSimAck
periph_write (KilnSimBoard *self,
              guint32       address,
              guint         size,
              guint32       value,
              guint64       now)
{
  gboolean fault = FALSE;
  guint32 lane = address & 3;
  guint32 off;

  address &= ~3u;

  if (address >= FLASH_BASE && address < FLASH_BASE + 0x400)
    {
      off = address - FLASH_BASE;
      /* CR and OPTCR start operations: a write to either waits for the
       * one in progress (an option change never cuts an erase short). */
      if (_kiln_sim_board_flash_busy (self, now) && (off == 0x10 || off == 0x14))
        return KILN_SIM_ACK_WAIT;
      _kiln_sim_board_flash_reg_write (self, off, value, now, &fault);
      return fault ? KILN_SIM_ACK_FAULT : KILN_SIM_ACK_OK;
    }
  if (address >= RCC_BASE && address < RCC_BASE + 0x400)
    {
      _kiln_sim_board_rcc_write (self, address, value, now);
      return KILN_SIM_ACK_OK;
    }
  if (address >= PWR_BASE && address < PWR_BASE + 0x400)
    {
      _kiln_sim_board_pwr_write (self, address, value, now);
      return KILN_SIM_ACK_OK;
    }
  if (address >= CRC_BASE && address < CRC_BASE + 0x400)
    {
      off = address - CRC_BASE;
      if (!(self->rcc_ahb1enr & (1u << 12)))
        return KILN_SIM_ACK_OK;
      switch (off)
        {
        case 0x00:
          /* An 8- or 16-bit write feeds that many bits (its lane of DR). */
          crc_feed (self, value >> (8 * lane), size);
          break;
        case 0x04: self->crc_idr = value & 0xFF; break;
        case 0x08:
          /* The F2/F4 unit has only RESET: a fixed polynomial, no
           * reversal, 32-bit words, 0xFFFFFFFF after a reset. */
          self->crc_cr = IS_F7 (self) ? value & 0xF8 : 0;
          if (value & 1)
            self->crc_dr = IS_F7 (self) ? self->crc_init : 0xFFFFFFFF;
          break;
        case 0x10:
          if (IS_F7 (self))
            {
              self->crc_init = value;
              self->crc_dr = value;
            }
          break;
        case 0x14:
          if (IS_F7 (self))
            self->crc_pol = value;
          break;
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

  _kiln_sim_board_note_unmodeled (self, address, TRUE);
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
    case 0xE000ED34: /* MMFAR: one register with BFAR on the Cortex-M7 */
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
  _kiln_sim_board_note_unmodeled (self, address, FALSE);
  return KILN_SIM_ACK_OK;
}

static void
system_reset (KilnSimBoard *self)
{
  _kiln_sim_board_reset (self, FALSE);
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
      if ((value >> 16) != 0x05FA || !(value & ((1u << 2) | 1u)))
        return KILN_SIM_ACK_OK;
      /* The core's own request (NVIC_SystemReset ()) ends its run at the
       * next instruction and resets it then: the registers of a core that
       * Unicorn runs cannot change under it. */
      if (self->in_run)
        {
          self->reset_requested = TRUE;
          self->run_budget = self->run_count;
        }
      else
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
            _kiln_sim_board_core_enter_halt (self);
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
              self->stall_cycles = 0;
              self->run_start_ns = self->core_ns;
              _kiln_sim_board_core_engine (self);
              /* Code the debugger wrote since the last run replaces its
               * translation before the step, as before a run. */
              _kiln_sim_board_flush_flash_code (self);
              uc_reg_read (self->uc, UC_ARM_REG_PC, &pc);
              uc_emu_start (self->uc, pc | 1, 0xFFFFFFFFull, 0, 1);
              _kiln_sim_board_apply_pending (self);
              _kiln_sim_board_flush_flash_code (self);
              self->report->core_instructions++;
              _kiln_sim_board_core_enter_halt (self);
            }
          else
            self->core_ns = MAX (self->core_ns, now);
        }
      return KILN_SIM_ACK_OK;
    case 0xE000EDF4: /* DCRSR */
      if (!self->halted)
        return KILN_SIM_ACK_OK;
      if (value & (1u << 16))
        _kiln_sim_board_core_write_reg (self, value & 0x7F, self->dcrdr);
      else
        self->dcrdr = _kiln_sim_board_core_read_reg (self, value & 0x7F);
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

  _kiln_sim_board_note_unmodeled (self, address, TRUE);
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

KilnSimAck
_kiln_sim_board_bus_read (KilnSimBoard *self,
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
      if (_kiln_sim_board_flash_busy (self, now))
        {
          *ready_at = self->busy_until;
          return KILN_SIM_ACK_WAIT;
        }
      if (flash_read_blocked (self))
        return KILN_SIM_ACK_FAULT;
      *value = 0;
      for (guint i = 0; i < size; i++)
        *value |= (guint32) (self->flash ? self->flash[address - AXIM_FLASH + i] : 0xFF) << (8 * i);
      return KILN_SIM_ACK_OK;
    }
  if (IS_F7 (self) && address >= ITCM_FLASH && address - ITCM_FLASH < self->flash_size)
    return _kiln_sim_board_bus_read (self, address - ITCM_FLASH + AXIM_FLASH, size, value, now, debugger, ready_at);
  if (!IS_F7 (self) && address < self->flash_size)
    return _kiln_sim_board_bus_read (self, address + AXIM_FLASH, size, value, now, debugger, ready_at);
  if (address >= SRAM_BASE && address - SRAM_BASE < self->chip->sram_size)
    {
      *value = 0;
      for (guint i = 0; i < size; i++)
        *value |= (guint32) (self->sram ? self->sram[address - SRAM_BASE + i] : 0) << (8 * i);
      return KILN_SIM_ACK_OK;
    }
  if (address >= CCM_BASE && address - CCM_BASE < self->chip->ccm_size)
    {
      *value = 0;
      for (guint i = 0; i < size; i++)
        *value |= (guint32) (self->ccm ? self->ccm[address - CCM_BASE + i] : 0) << (8 * i);
      return KILN_SIM_ACK_OK;
    }
  if (address < self->chip->itcm_ram_size)
    {
      *value = 0;
      for (guint i = 0; i < size; i++)
        *value |= (guint32) (self->itcm ? self->itcm[address + i] : 0) << (8 * i);
      return KILN_SIM_ACK_OK;
    }

  if (address >= SYS_BASE (self) && address - SYS_BASE (self) < SYS_SIZE (self))
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

KilnSimAck
_kiln_sim_board_bus_write (KilnSimBoard *self,
                           guint32       address,
                           guint         size,
                           guint32       value,
                           guint64       now,
                           gboolean      debugger,
                           guint64      *ready_at)
{
  if (address >= AXIM_FLASH && address - AXIM_FLASH < self->flash_size)
    {
      if (_kiln_sim_board_flash_busy (self, now))
        {
          *ready_at = self->busy_until;
          return KILN_SIM_ACK_WAIT;
        }
      /* RDP level 1 with a debugger connected: no access to the flash,
       * programming included (a bus error, as for reads). */
      if (debugger && flash_read_blocked (self))
        return KILN_SIM_ACK_FAULT;
      _kiln_sim_board_flash_array_write (self, address, size, value, now);
      return KILN_SIM_ACK_OK;
    }
  if (IS_F7 (self) ? address >= ITCM_FLASH && address - ITCM_FLASH < self->flash_size : address < self->flash_size)
    return KILN_SIM_ACK_FAULT; /* read-only alias */
  if (address >= CCM_BASE && address - CCM_BASE < self->chip->ccm_size)
    {
      _kiln_sim_board_ram_mem (self);
      for (guint i = 0; i < size; i++)
        self->ccm[address - CCM_BASE + i] = (guint8) (value >> (8 * i));
      return KILN_SIM_ACK_OK;
    }
  if (address >= SRAM_BASE && address - SRAM_BASE < self->chip->sram_size)
    {
      _kiln_sim_board_ram_mem (self);
      for (guint i = 0; i < size; i++)
        self->sram[address - SRAM_BASE + i] = (guint8) (value >> (8 * i));
      if (debugger)
        _kiln_sim_board_mark_ram_dirty (self, address, size);
      return KILN_SIM_ACK_OK;
    }
  if (address < self->chip->itcm_ram_size)
    {
      _kiln_sim_board_ram_mem (self);
      for (guint i = 0; i < size; i++)
        self->itcm[address + i] = (guint8) (value >> (8 * i));
      if (debugger)
        _kiln_sim_board_mark_ram_dirty (self, address, size);
      return KILN_SIM_ACK_OK;
    }
  if (address >= self->chip->otp_base && address - self->chip->otp_base < self->chip->otp_size)
    {
      if (_kiln_sim_board_flash_busy (self, now))
        {
          *ready_at = self->busy_until;
          return KILN_SIM_ACK_WAIT;
        }
      _kiln_sim_board_otp_array_write (self, address, size, value, now);
      return KILN_SIM_ACK_OK;
    }
  if (address >= SYS_BASE (self) && address - SYS_BASE (self) < SYS_SIZE (self))
    return KILN_SIM_ACK_OK;

  /* Narrow writes to registers land in their lane of the register. */
  if (size < 4)
    value <<= 8 * (address & 3);

  if (address >= PERIPH_BASE && address - PERIPH_BASE < PERIPH_SIZE)
    {
      KilnSimAck ack = periph_write (self, address, size, value, now);

      if (ack == KILN_SIM_ACK_WAIT)
        *ready_at = self->busy_until;
      return ack;
    }
  if (address >= PPB_BASE && address - PPB_BASE < PPB_SIZE)
    return ppb_write (self, address & ~3u, value, now);

  return KILN_SIM_ACK_FAULT;
}
