/* kiln-sim-board-idle.c — idle loops of the core, skipped without running
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kiln-sim-board-private.h"

/* A core waiting for the host spins in a loop that reads memory nobody but
 * the debugger changes (and kicks the watchdog). Running it instruction by
 * instruction until the host's next access costs this machine as much as
 * the virtual time is long, for nothing. So each trip round a loop (from
 * one arrival at its head, a backward branch taken, to the next) is
 * summarised by the register and flash accesses it made, with their values
 * (the head is the lowest address the loop branches back to: a loop may
 * call a function).
 * When IDLE_TRIPS trips in a row made the same accesses as the trip before
 * them and left the core's registers at the head as they found them, every
 * further trip is the same until something outside the core changes, which
 * can only happen after this run: the rest of the run's instructions are
 * counted as executed (every run waits through this, once per access of the
 * host, so the fewer trips it takes to be sure the better), the
 * last trip's register writes are made once more at the end of the run (a
 * watchdog kicked all along is kicked then), and the run ends. A trip that
 * wrote the flash, or more registers than that, is never skipped. The
 * decision depends on the emulated state only, so it is deterministic. */
#define IDLE_TRIPS 2

static const int idle_reg_ids[16] = {
  UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
  UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
  UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_XPSR,
};

static void
trip_reset (KilnSimBoard *self)
{
  self->trip_hash = 0xCBF29CE484222325ull;
  self->trip_dirty = FALSE;
  self->trip_n_writes = 0;
}

void
_kiln_sim_board_trip_note (KilnSimBoard *self,
                           guint32       address,
                           guint32       value,
                           gboolean      write)
{
  guint64 h = self->trip_hash;

  h = (h ^ address) * 0x100000001B3ull;
  h = (h ^ value) * 0x100000001B3ull;
  h = (h ^ (write ? 1u : 2u)) * 0x100000001B3ull;
  self->trip_hash = h;
}

void
_kiln_sim_board_trip_note_write (KilnSimBoard *self,
                                 guint32       address,
                                 guint         size,
                                 guint32       value)
{
  _kiln_sim_board_trip_note (self, address, value, TRUE);
  if (self->trip_n_writes == G_N_ELEMENTS (self->trip_writes))
    {
      self->trip_dirty = TRUE;
      return;
    }
  self->trip_writes[self->trip_n_writes++] = (IdleWrite) { address, size, value };
}

void
_kiln_sim_board_idle_forget (KilnSimBoard *self)
{
  self->idle_valid = FALSE;
  self->loop_head = 0xFFFFFFFF;
  self->last_pc = 0;
  self->loop_trips = 0;
  self->stable_trips = 0;
  trip_reset (self);
}

gboolean
_kiln_sim_board_core_idle (KilnSimBoard *self,
                           guint32       address)
{
  guint32 regs[16] = { 0 };
  void *vals[16];

  if (address > self->last_pc)
    return FALSE;
  /* A backward jump into the loop's body (the return from a call the loop
   * makes) does not end a trip, unless the trip has gone on so long that
   * the core has left the loop. */
  if (self->loop_head != 0xFFFFFFFF && address > self->loop_head
      && self->run_count - self->trip_start < 4096)
    return FALSE;
  if (address != self->loop_head)
    {
      _kiln_sim_board_idle_forget (self);
      self->loop_head = address;
      self->trip_start = self->run_count;
      self->trip_start_stall = self->stall_cycles;
      return FALSE;
    }
  self->last_trip_insns = self->run_count - self->trip_start;
  self->last_trip_stall = self->stall_cycles - self->trip_start_stall;
  self->trip_start = self->run_count;
  self->trip_start_stall = self->stall_cycles;

  /* A trip ended. */
  if (self->trip_dirty || self->trip_hash != self->last_trip_hash)
    self->stable_trips = 0;
  else
    self->stable_trips++;
  self->last_trip_hash = self->trip_hash;
  self->last_trip_n_writes = self->trip_n_writes;
  memcpy (self->last_trip_writes, self->trip_writes, sizeof self->trip_writes);
  trip_reset (self);

  self->loop_trips++;
  for (guint i = 0; i < G_N_ELEMENTS (regs); i++)
    vals[i] = &regs[i];
  uc_reg_read_batch (self->uc, (int *) idle_reg_ids, vals, G_N_ELEMENTS (regs));
  if (!self->idle_valid || memcmp (regs, self->idle_regs, sizeof regs) != 0)
    {
      self->same_regs_trips = 0;
      memcpy (self->idle_regs, regs, sizeof regs);
      self->idle_valid = TRUE;
      return FALSE;
    }
  self->same_regs_trips++;
  return self->stable_trips >= IDLE_TRIPS && self->same_regs_trips >= IDLE_TRIPS;
}

/* The rest of the time up to @t is the same trip over and over: its
 * instructions are counted, its register writes made once more at the end.
 * These instructions cost this machine nothing, so they do not count
 * against the instructions a sync may execute. */
void
_kiln_sim_board_core_skip_idle (KilnSimBoard *self,
                                guint64       t)
{
  guint64 ready;
  guint64 total, used, insns;

  /* As many instructions as fit between the run's start and @t, as a run
   * that executed them would count, wherever the loop was found idle; a
   * trip that stalled on the flash's wait states (flash reads) shares the
   * remaining cycles between instructions and stalls as the last trip did. */
  if (t > self->run_start_ns)
    {
      total = (t - self->run_start_ns) * _kiln_sim_board_sysclk_hz (self) / 1000000000ull;
      used = self->run_count + self->stall_cycles;
      if (total > used)
        {
          insns = total - used;
          if (self->last_trip_stall > 0)
            insns = insns * self->last_trip_insns / (self->last_trip_insns + self->last_trip_stall);
          self->stall_cycles += total - used - insns;
          self->run_count += insns;
        }
    }
  for (guint i = 0; i < self->last_trip_n_writes; i++)
    {
      const IdleWrite *w = &self->last_trip_writes[i];

      _kiln_sim_board_bus_write (self, w->address, w->size, w->value, _kiln_sim_board_core_time_now (self), FALSE, &ready);
    }
}
