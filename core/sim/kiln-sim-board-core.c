/* kiln-sim-board-core.c — the Cortex-M7 core, executed by Unicorn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core executes one instruction per SYSCLK cycle from core_ns up to the
 * probe's time; see kiln-sim-board.c for how time works.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "kiln-sim-board-private.h"

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

guint32
_kiln_sim_board_core_read_reg (KilnSimBoard *self,
                               guint         sel)
{
  guint32 v = 0;
  int id;

  _kiln_sim_board_core_engine (self);
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

void
_kiln_sim_board_core_write_reg (KilnSimBoard *self,
                                guint         sel,
                                guint32       v)
{
  int id;

  _kiln_sim_board_core_engine (self);
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

guint64
_kiln_sim_board_core_time_now (KilnSimBoard *self)
{
  return self->run_start_ns + (self->run_count + self->stall_cycles) * 1000000000ull / _kiln_sim_board_sysclk_hz (self);
}

/* Flash writes by the core happen in Unicorn's memory before the controller
 * sees them: remember the old bytes and put the controller's result in place
 * at the next point the core could observe it. */
void
_kiln_sim_board_apply_pending (KilnSimBoard *self)
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
      _kiln_sim_board_flash_array_write (self, w->address, w->size, value, _kiln_sim_board_core_time_now (self));
    }
  if (self->pending->len > 0)
    {
      g_array_set_size (self->pending, 0);
      self->flash_code_dirty = TRUE;
    }
}

static void
on_code (uc_engine *uc,
         guint64    address,
         guint32    size,
         gpointer   user_data)
{
  KilnSimBoard *self = user_data;

  /* Marks the pages of RAM code runs from, unless the instruction lies
   * whole in the page marked last. */
  if (G_UNLIKELY ((guint32) address - self->code_page_seen > CODE_PAGE - MIN (size, CODE_PAGE)))
    _kiln_sim_board_note_code_page (self, (guint32) address, size);
  self->insn_pc = (guint32) address;
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
  /* Only a jump backwards can end a trip round a loop (see
   * kiln-sim-board-idle.c): most instructions never call the detector. */
  if ((guint32) address <= self->last_pc && _kiln_sim_board_core_idle (self, (guint32) address))
    {
      self->idle_skipped = TRUE;
      self->run_budget = self->run_count;
      uc_emu_stop (uc);
      return;
    }
  self->last_pc = (guint32) address;
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

/* The core waits for the flash (or a stalled bus) until @until: its clock
 * jumps there instead of the host spinning, but never past the end of the
 * current run; a wait that goes further ends the run at its end. Returns
 * TRUE when the wait is over within this run. Stopping Unicorn from inside a
 * memory callback is not safe, so the run ends through the code hook. */
static gboolean
core_fast_forward (KilnSimBoard *self,
                   guint64       until)
{
  guint64 now = _kiln_sim_board_core_time_now (self);
  guint64 target = MIN (until, self->run_target_ns);
  guint64 hz = _kiln_sim_board_sysclk_hz (self);

  if (target > now)
    {
      guint64 skipped = (target - now) * hz / 1000000000ull;

      self->run_start_ns += target - now;
      self->run_budget = self->run_budget > skipped ? self->run_budget - skipped : self->run_count;
      _kiln_sim_board_advance_events (self, target);
    }
  if (until > self->run_target_ns)
    {
      self->run_budget = self->run_count;  /* stop at the next instruction */
      return FALSE;
    }
  return TRUE;
}

/* The core touches the flash array while an operation runs: the bus stalls
 * until it ends (the core's clock jumps there, even past the end of this
 * run), and the access sees the array as the operation left it. */
static void
core_wait_for_flash (KilnSimBoard *self)
{
  if (!_kiln_sim_board_flash_busy (self, _kiln_sim_board_core_time_now (self)))
    return;
  if (self->busy_until > self->run_target_ns)
    self->run_target_ns = self->busy_until;
  core_fast_forward (self, self->busy_until);
}

/* A data read of the flash array by the core takes LATENCY wait states
 * (FLASH_ACR): HCLK cycles in which the core stalls, counted on its clock
 * like instructions but not as instructions (core/sim/README.md, "Flash
 * wait states"). The cycles come out of the run's budget, so that the run
 * still ends at its time. */
static void
core_flash_wait_states (KilnSimBoard *self)
{
  guint ws = self->acr & 0xF;

  if (ws == 0)
    return;
  self->stall_cycles += ws;
  self->run_budget = self->run_budget > self->run_count + ws ? self->run_budget - ws : self->run_count;
}

static void
on_flash_read (uc_engine   *uc,
               uc_mem_type  type,
               guint64      address,
               int          size,
               gint64       value,
               gpointer     user_data)
{
  KilnSimBoard *self = user_data;

  _kiln_sim_board_trip_note (self, (guint32) address, 0, FALSE);
  if (self->pending->len > 0)
    _kiln_sim_board_apply_pending (self);
  if (self->op != OP_NONE)
    core_wait_for_flash (self);
  core_flash_wait_states (self);
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

  self->trip_dirty = TRUE;
  _kiln_sim_board_apply_pending (self);
  core_wait_for_flash (self);
  w.address = (guint32) address;
  w.size = (guint) size;
  w.old = 0;
  for (int b = 0; b < size && address + b < AXIM_FLASH + self->flash_size; b++)
    w.old |= (guint32) self->flash[address - AXIM_FLASH + b] << (8 * b);
  g_array_append_val (self->pending, w);
}

/* RDP level 1 with a debugger connected: any access of the core to the
 * flash is a bus error. The flash leaves the core's map while that holds. */
static void
core_map_flash (KilnSimBoard *self)
{
  gboolean blocked = self->rdp_level >= 1 && self->debugger_seen;

  if (blocked == self->flash_unmapped)
    return;
  if (blocked)
    {
      uc_mem_unmap (self->uc, FLASH_ALIAS (self), self->flash_size);
      uc_mem_unmap (self->uc, AXIM_FLASH, self->flash_size);
    }
  else
    {
      uc_mem_map_ptr (self->uc, FLASH_ALIAS (self), self->flash_size, UC_PROT_READ | UC_PROT_EXEC, self->flash);
      uc_mem_map_ptr (self->uc, AXIM_FLASH, self->flash_size, UC_PROT_ALL, self->flash);
    }
  self->flash_unmapped = blocked;
}

/* During a run, from a memory callback: the instruction making the access
 * (on_code saw it last; Unicorn's PC is the same, at the cost of a register
 * read per access). */
static gboolean
core_in_firmware (KilnSimBoard *self)
{
  guint32 pc = self->insn_pc;

  return (pc >= AXIM_FLASH && pc - AXIM_FLASH < self->flash_size)
         || (pc >= FLASH_ALIAS (self) && pc - FLASH_ALIAS (self) < self->flash_size);
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

  _kiln_sim_board_apply_pending (self);
  now = _kiln_sim_board_core_time_now (self);
  _kiln_sim_board_advance_events (self, now);

  /* Polling a busy flash: fast-forward to the end of the operation. */
  if ((base + offset) >= FLASH_BASE + 0x0C && (base + offset) < FLASH_BASE + 0x10 && _kiln_sim_board_flash_busy (self, now))
    core_fast_forward (self, self->busy_until);

  self->firmware_access = core_in_firmware (self);
  ack = _kiln_sim_board_bus_read (self, (guint32) (base + offset), size, &value, _kiln_sim_board_core_time_now (self), FALSE, &ready);
  if (ack == KILN_SIM_ACK_WAIT && core_fast_forward (self, ready))
    ack = _kiln_sim_board_bus_read (self, (guint32) (base + offset), size, &value, _kiln_sim_board_core_time_now (self), FALSE, &ready);
  self->firmware_access = FALSE;
  _kiln_sim_board_trip_note (self, (guint32) (base + offset), value, FALSE);
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

  _kiln_sim_board_trip_note_write (self, (guint32) (base + offset), size, (guint32) value);
  _kiln_sim_board_apply_pending (self);
  now = _kiln_sim_board_core_time_now (self);
  _kiln_sim_board_advance_events (self, now);
  /* A write that would stall completes when the bus frees up: the core
   * waits for it, even past the end of this run. */
  self->firmware_access = core_in_firmware (self);
  if (_kiln_sim_board_bus_write (self, (guint32) (base + offset), size, (guint32) value, now, FALSE, &ready) == KILN_SIM_ACK_WAIT)
    {
      if (ready > self->run_target_ns)
        self->run_target_ns = ready;
      core_fast_forward (self, ready);
      _kiln_sim_board_bus_write (self, (guint32) (base + offset), size, (guint32) value, _kiln_sim_board_core_time_now (self), FALSE, &ready);
    }
  self->firmware_access = FALSE;
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
  return on_mmio_read (uc, offset, size, user_data, SYS_BASE ((KilnSimBoard *) user_data));
}

static void
mmio_write_sys (uc_engine *uc, guint64 offset, unsigned size, guint64 value, gpointer user_data)
{
  on_mmio_write (uc, offset, size, value, user_data, SYS_BASE ((KilnSimBoard *) user_data));
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

static void core_load_reset (KilnSimBoard *self);

/* The Unicorn engine is made when the core first needs it: when it runs, or
 * when the debugger reads or writes its registers. Making one costs far
 * more than the rest of a board, and a board whose core never runs (a bench
 * file only parsed, as fuzz-bench does, or a blank chip the host only
 * programs through the debugger) never needs it. Until then a reset leaves
 * the vector it fetched in reset_sp and reset_pc, loaded when the engine is
 * made; nothing the host can observe depends on when that is. */
void
_kiln_sim_board_core_engine (KilnSimBoard *self)
{
  uc_err err;

  if (self->uc != NULL)
    return;
  err = uc_open (UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &self->uc);
  if (err != UC_ERR_OK)
    g_error ("Unicorn cannot make an ARM core: %s", uc_strerror (err));
  uc_ctl_set_cpu_model (self->uc, self->chip->family == KILN_SIM_FAMILY_F2 ? UC_CPU_ARM_CORTEX_M3
                                   : self->chip->family == KILN_SIM_FAMILY_F4 ? UC_CPU_ARM_CORTEX_M4
                                                                              : UC_CPU_ARM_CORTEX_M7);

  _kiln_sim_board_flash_mem (self);
  _kiln_sim_board_ram_mem (self);
  if (IS_F7 (self))
    {
      uc_mem_map_ptr (self->uc, 0x00000000, self->chip->itcm_ram_size, UC_PROT_ALL, self->itcm);
      uc_mem_map_ptr (self->uc, ITCM_FLASH, self->flash_size, UC_PROT_READ | UC_PROT_EXEC, self->flash);
    }
  else
    /* Booting from flash, the F2 and F4 show it at 0 as well. */
    uc_mem_map_ptr (self->uc, 0x00000000, self->flash_size, UC_PROT_READ | UC_PROT_EXEC, self->flash);
  uc_mem_map_ptr (self->uc, AXIM_FLASH, self->flash_size, UC_PROT_ALL, self->flash);
  uc_mem_map_ptr (self->uc, SRAM_BASE, self->chip->sram_size, UC_PROT_ALL, self->sram);
  /* CCM is on the data bus only: no instruction fetch from it. */
  if (self->chip->ccm_size > 0)
    uc_mem_map_ptr (self->uc, CCM_BASE, self->chip->ccm_size, UC_PROT_READ | UC_PROT_WRITE, self->ccm);
  uc_mmio_map (self->uc, SYS_BASE (self), SYS_SIZE (self), mmio_read_sys, self, mmio_write_sys, self);
  uc_mmio_map (self->uc, PERIPH_BASE, PERIPH_SIZE, mmio_read_periph, self, mmio_write_periph, self);
  uc_mmio_map (self->uc, PPB_BASE, PPB_SIZE, mmio_read_ppb, self, mmio_write_ppb, self);

  /* No exit address: runs end on the instruction budget, a halt or an
   * error. With an exit address (uc_emu_start's until), Unicorn drops the
   * translation there after every run, which on this core means a failed
   * instruction fetch from 0xFFFFFFFE per run: the exits list, left empty,
   * saves that on every synchronisation. */
  uc_ctl_exits_enable (self->uc);
  uc_hook_add (self->uc, &self->hook_code, UC_HOOK_CODE, on_code, self, 1, 0);
  uc_hook_add (self->uc, &self->hook_intr, UC_HOOK_INTR, on_intr, self, 1, 0);
  uc_hook_add (self->uc, &self->hook_unmapped, UC_HOOK_MEM_UNMAPPED, on_unmapped, self, 1, 0);
  uc_hook_add (self->uc, &self->hook_flash_write, UC_HOOK_MEM_WRITE, on_flash_write, self,
               AXIM_FLASH, AXIM_FLASH + self->flash_size - 1);
  self->code_pages = g_malloc0 (self->flash_size / CODE_PAGE);
  self->ram_code_pages = g_malloc0 ((self->chip->sram_size + self->chip->itcm_ram_size) / CODE_PAGE);
  self->code_page_seen = CODE_PAGE_NONE;
  uc_hook_add (self->uc, &self->hook_flash_block, UC_HOOK_BLOCK, _kiln_sim_board_on_flash_block, self,
               AXIM_FLASH, AXIM_FLASH + self->flash_size - 1);
  uc_hook_add (self->uc, &self->hook_itcm_block, UC_HOOK_BLOCK, _kiln_sim_board_on_flash_block, self,
               FLASH_ALIAS (self), FLASH_ALIAS (self) + self->flash_size - 1);
  uc_hook_add (self->uc, &self->hook_flash_read, UC_HOOK_MEM_READ, on_flash_read, self,
               AXIM_FLASH, AXIM_FLASH + self->flash_size - 1);
  uc_hook_add (self->uc, &self->hook_itcm_read, UC_HOOK_MEM_READ, on_flash_read, self,
               FLASH_ALIAS (self), FLASH_ALIAS (self) + self->flash_size - 1);
  self->flash_unmapped = FALSE;
  if (self->reset_pending)
    core_load_reset (self);
}

/* Checks that Unicorn has what the core needs, without making the core. */
gboolean
_kiln_sim_board_core_setup (KilnSimBoard  *self,
                            GError       **error)
{
  if (!uc_arch_supported (UC_ARCH_ARM))
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_UNSUPPORTED, "Unicorn: %s", uc_strerror (UC_ERR_ARCH));
      return FALSE;
    }
  return TRUE;
}

static gboolean
pc_executable (KilnSimBoard *self,
               guint32       pc)
{
  if (!IS_F7 (self))
    return pc < self->flash_size
           || (pc >= AXIM_FLASH && pc - AXIM_FLASH < self->flash_size)
           || (pc >= SRAM_BASE && pc - SRAM_BASE < self->chip->sram_size);
  return (pc < self->chip->itcm_ram_size)
         || (pc >= FLASH_ALIAS (self) && pc - FLASH_ALIAS (self) < self->flash_size)
         || (pc >= AXIM_FLASH && pc - AXIM_FLASH < self->flash_size)
         || (pc >= SRAM_BASE && pc - SRAM_BASE < self->chip->sram_size);
}

gboolean
_kiln_sim_board_core_running (KilnSimBoard *self)
{
  return _kiln_sim_board_powered (self) && !self->in_reset && !self->halted && !self->lockup;
}

void
_kiln_sim_board_core_enter_halt (KilnSimBoard *self)
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
  _kiln_sim_board_bus_read (self, self->vtor + 12, 4, &vector, _kiln_sim_board_core_time_now (self), FALSE, &ready);
  vector &= ~1u;
  ipsr = 0x01000003;
  uc_reg_write (self->uc, UC_ARM_REG_SP, &sp);
  uc_reg_write (self->uc, UC_ARM_REG_LR, &lr);
  uc_reg_write (self->uc, UC_ARM_REG_PC, &vector);
  uc_reg_write (self->uc, UC_ARM_REG_XPSR, &ipsr);
  _kiln_sim_board_core_enter_halt (self);
  self->dfsr |= DFSR_VCATCH;
}

/* Runs the core from core_ns up to @t. */
void
_kiln_sim_board_core_run_until (KilnSimBoard *self,
                                guint64       t)
{
  guint budget_total = MAX_INSTRUCTIONS_PER_SYNC;

  _kiln_sim_board_core_engine (self);
  core_map_flash (self);
  _kiln_sim_board_flush_flash_code (self);

  while (_kiln_sim_board_core_running (self) && self->core_ns < t && budget_total > 0)
    {
      guint64 hz = _kiln_sim_board_sysclk_hz (self);
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
              || (pc >= FLASH_ALIAS (self) && pc - FLASH_ALIAS (self) < self->flash_size)))
        {
          /* The firmware's first instructions turn the SWD pins into GPIOs
           * (code a debugger runs from RAM is not the firmware). */
          self->swd_pins_off = TRUE;
          self->swd_active = FALSE;
          kiln_sim_report_fault (self->report, "swd-disabled-by-firmware");
        }

      self->run_budget = MIN (want, (guint64) budget_total);
      self->run_count = 0;
      self->stall_cycles = 0;
      self->run_start_ns = self->core_ns;
      self->run_target_ns = t;
      self->stop_halt = FALSE;
      /* The debugger may have changed memory since the last run. */
      _kiln_sim_board_idle_forget (self);
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
      self->idle_skipped = FALSE;
      self->in_run = TRUE;
      err = uc_emu_start (self->uc, pc | 1, 0xFFFFFFFFull, 0, 0);
      self->in_run = FALSE;
      if (self->reset_requested)
        {
          /* The core asked for a system reset: from its time on, the core
           * starts again (the rest of this sync runs the code it finds). */
          guint64 at = _kiln_sim_board_core_time_now (self);

          self->reset_requested = FALSE;
          _kiln_sim_board_apply_pending (self);
          budget_total -= (guint) MIN ((guint64) budget_total, self->run_count);
          self->report->core_instructions += self->run_count;
          _kiln_sim_board_advance_events (self, at);
          _kiln_sim_board_reset (self, FALSE);
          self->core_ns = at;
          continue;
        }
      if (self->idle_skipped)
        _kiln_sim_board_core_skip_idle (self, t);
      _kiln_sim_board_apply_pending (self);
      _kiln_sim_board_flush_flash_code (self);

      if (self->debug)
        {
          guint32 npc = 0, sr = self->sr;

          uc_reg_read (self->uc, UC_ARM_REG_PC, &npc);
          g_printerr ("%.3f %.6f core: pc %08x -> %08x, %" G_GUINT64_FORMAT " instr, err %d halt %d wait %d sr %08x cr %08x\n", g_get_monotonic_time () / 1e6, self->core_ns / 1e9,
                      pc, npc, self->run_count, err, self->stop_halt, 0, sr, self->cr);
        }
      if (!self->idle_skipped)
        budget_total -= (guint) MIN ((guint64) budget_total, self->run_count);
      self->report->core_instructions += self->run_count;
      progressed = _kiln_sim_board_core_time_now (self) > self->core_ns;
      self->core_ns = _kiln_sim_board_core_time_now (self);
      _kiln_sim_board_advance_events (self, self->core_ns);

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
          _kiln_sim_board_core_enter_halt (self);
          break;
        }

      if (self->run_count >= self->run_budget)
        self->core_ns = MAX (self->core_ns, MIN (t, self->run_target_ns));
    }

  if (self->core_ns < t)
    self->core_ns = t;
}

/* Loads the reset's registers into the engine (ARMv7-M: R0–R12 and LR
 * unknown, here 0 and 0xFFFFFFFF; SP and PC from the vector table). */
static void
core_load_reset (KilnSimBoard *self)
{
  guint32 sp = self->reset_sp, pc = self->reset_pc, xpsr = 0x01000000, zero = 0;

  for (int r = UC_ARM_REG_R0; r <= UC_ARM_REG_R12; r++)
    uc_reg_write (self->uc, r, &zero);
  uc_reg_write (self->uc, UC_ARM_REG_LR, &(guint32) { 0xFFFFFFFF });
  uc_reg_write (self->uc, UC_ARM_REG_MSP, &sp);
  uc_reg_write (self->uc, UC_ARM_REG_SP, &sp);
  uc_reg_write (self->uc, UC_ARM_REG_XPSR, &xpsr);
  uc_reg_write (self->uc, UC_ARM_REG_PRIMASK, &zero);
  uc_reg_write (self->uc, UC_ARM_REG_CONTROL, &zero);
  uc_reg_write (self->uc, UC_ARM_REG_PC, &pc);
  self->reset_pending = FALSE;
}

void
_kiln_sim_board_core_reset (KilnSimBoard *self)
{
  guint32 boot = self->optcr1 & 0xFFFF;
  /* F7: the boot address option; F2/F4: flash, mapped at 0. */
  guint32 base = IS_F7 (self) ? boot << 14 : 0;
  guint32 sp = 0, pc = 0;
  guint8 buf[8];
  guint64 ready;

  /* Vector fetch from the boot address (ITCM flash by default). */
  for (guint i = 0; i < 8; i += 4)
    {
      guint32 v = 0xFFFFFFFF;

      _kiln_sim_board_bus_read (self, base + i, 4, &v, self->clock->now_ns, FALSE, &ready);
      wr32 (buf + i, v);
    }
  sp = rd32 (buf);
  pc = rd32 (buf + 4);
  self->vtor = base;

  self->lockup = FALSE;
  if (pc == 0xFFFFFFFF || sp == 0xFFFFFFFF || !(pc & 1))
    {
      /* An erased vector table: the core locks up at once. */
      self->lockup = pc == 0xFFFFFFFF || !(pc & 1);
      pc = 0xFFFFFFFE;
    }
  self->reset_sp = sp;
  self->reset_pc = pc & ~1u;
  self->reset_pending = TRUE;
  if (self->uc != NULL)
    core_load_reset (self);
}
