/* kiln-arm-core.c — Cortex-M run control through the SCS debug registers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-arm-core.h"

#define AIRCR  0xE000ED0Cu
#define CFSR   0xE000ED28u
#define HFSR   0xE000ED2Cu
#define DFSR   0xE000ED30u
#define MMFAR  0xE000ED34u
#define BFAR   0xE000ED38u
#define DHCSR  0xE000EDF0u
#define DCRSR  0xE000EDF4u
#define DCRDR  0xE000EDF8u
#define DEMCR  0xE000EDFCu

#define DHCSR_KEY        0xA05F0000u
#define C_DEBUGEN        (1u << 0)
#define C_HALT           (1u << 1)
#define C_STEP           (1u << 2)
#define C_MASKINTS       (1u << 3)
#define S_REGRDY         (1u << 16)
#define S_HALT           (1u << 17)
#define S_LOCKUP         (1u << 19)
#define S_RESET_ST       (1u << 25)

#define DFSR_HALTED      (1u << 0)
#define DFSR_BKPT        (1u << 1)
#define DFSR_DWTTRAP     (1u << 2)
#define DFSR_VCATCH      (1u << 3)
#define DFSR_EXTERNAL    (1u << 4)
#define DFSR_ALL         0x1Fu

#define VC_CORERESET     (1u << 0)
/* MMERR, NOCPERR, CHKERR, STATERR, BUSERR, INTERR, HARDERR */
#define VC_FAULTS        (0x7Fu << 4)

#define REGWNR           (1u << 16)
#define POLL_LIMIT       100

static KilnStlink *
link_of (KilnArmTarget *target)
{
  return kiln_arm_target_get_stlink (target);
}

gboolean
kiln_arm_is_halted (KilnArmTarget  *target,
                    gboolean       *halted,
                    GError        **error)
{
  guint32 dhcsr;

  if (!kiln_stlink_read32 (link_of (target), DHCSR, &dhcsr, error))
    return FALSE;
  *halted = (dhcsr & S_HALT) != 0;
  return TRUE;
}

static gboolean
wait_halted (KilnArmTarget  *target,
             GError        **error)
{
  for (guint i = 0; i < POLL_LIMIT; i++)
    {
      gboolean halted;

      if (!kiln_arm_is_halted (target, &halted, error))
        return FALSE;
      if (halted)
        return TRUE;
    }
  g_set_error_literal (error, KILN_ARM_ERROR, KILN_ARM_ERROR_NOT_HALTED,
                       _("The core does not stop when the debugger asks it to: reset the board, or connect under "
                         "reset, and try again"));
  return FALSE;
}

gboolean
kiln_arm_halt (KilnArmTarget  *target,
               GError        **error)
{
  if (!kiln_stlink_write32 (link_of (target), DHCSR, DHCSR_KEY | C_HALT | C_DEBUGEN, error))
    return FALSE;
  return wait_halted (target, error);
}

gboolean
kiln_arm_resume (KilnArmTarget  *target,
                 gboolean        mask_interrupts,
                 GError        **error)
{
  KilnStlink *link = link_of (target);

  /* The firmware runs: it may change DEMCR (TRCENA). */
  kiln_arm_target_set_demcr (target, FALSE, 0);
  /* C_MASKINTS may only change while the core is halted; the write that
   * clears C_HALT keeps it. */
  if (mask_interrupts
      && !kiln_stlink_write32 (link, DHCSR, DHCSR_KEY | C_MASKINTS | C_HALT | C_DEBUGEN, error))
    return FALSE;
  return kiln_stlink_write32 (link, DFSR, DFSR_ALL, error)
         && kiln_stlink_write32 (link, DHCSR, DHCSR_KEY | (mask_interrupts ? C_MASKINTS : 0) | C_DEBUGEN, error);
}

gboolean
kiln_arm_step (KilnArmTarget  *target,
               GError        **error)
{
  KilnStlink *link = link_of (target);

  kiln_arm_target_set_demcr (target, FALSE, 0);
  return kiln_stlink_write32 (link, DHCSR, DHCSR_KEY | C_MASKINTS | C_HALT | C_DEBUGEN, error)
         && kiln_stlink_write32 (link, DHCSR, DHCSR_KEY | C_MASKINTS | C_STEP | C_DEBUGEN, error)
         && wait_halted (target, error);
}

static gboolean
reset (KilnArmTarget         *target,
       gboolean               halt,
       gboolean               keep_catch,
       const KilnStlinkWord  *first,
       guint                  n_first,
       GError               **error)
{
  KilnStlink *link = link_of (target);
  guint32 demcr, dhcsr;
  gboolean seen_halted = FALSE;

  /* DEMCR as Kiln left it, when only Kiln's code ran since; else as the
   * connection read it (once: the reset follows), else read now. */
  if (!kiln_arm_target_get_demcr (target, &demcr) && !kiln_arm_target_take_seen_demcr (target, &demcr)
      && !kiln_stlink_read32 (link, DEMCR, &demcr, error))
    return FALSE;
  /* Vector catch on reset to stop at the first instruction; the fault
   * catches a loader run set are taken off so the firmware's own handlers
   * run afterwards. */
  demcr &= ~(VC_FAULTS | VC_CORERESET);
  if (halt)
    demcr |= VC_CORERESET;
  kiln_arm_target_set_demcr (target, FALSE, 0);
  {
    /* Without C_HALT the firmware runs after the reset as it would without
     * a debugger. The reset's write may fail as the core resets under it:
     * what counts is the state afterwards. */
    KilnStlinkWord reset_words[] = {
      { DHCSR, DHCSR_KEY | (halt ? C_HALT : 0) | C_DEBUGEN, TRUE, FALSE },
      { DEMCR, demcr, TRUE, FALSE },
      { AIRCR, 0x05FA0004, TRUE, TRUE },
      /* Whether the core stopped already (saves a round trip when it did;
       * else it is polled below). */
      { DHCSR, 0, FALSE, TRUE },
    };
    guint n_reset = G_N_ELEMENTS (reset_words) - (halt ? 0 : 1);
    g_autofree KilnStlinkWord *words = g_new (KilnStlinkWord, n_first + n_reset);

    if (n_first > 0)
      memcpy (words, first, n_first * sizeof *words);
    memcpy (words + n_first, reset_words, n_reset * sizeof *words);
    if (!kiln_stlink_words (link, words, n_first + n_reset, error))
      return FALSE;
    /* A word that failed keeps the 0 it was given: no S_HALT. */
    seen_halted = halt && (words[n_first + n_reset - 1].value & S_HALT) != 0;
  }

  /* To run, that is all: C_HALT was cleared above and a system reset
   * keeps the debug registers, so the firmware starts as it would without
   * a debugger. Firmware that turns the SWD pins off as it starts makes
   * every later access fail; that is the firmware running, not an error. */
  if (!halt)
    return TRUE;

  for (guint i = 0; i < POLL_LIMIT; i++)
    {
      if (seen_halted)
        dhcsr = S_HALT;
      else if (!kiln_stlink_read32 (link, DHCSR, &dhcsr, error))
        return FALSE;
      seen_halted = FALSE;
      if (dhcsr & S_HALT)
        {
          /* Kept, the catch is known to be set: whatever comes next
           * (kiln_arm_start_code(), a reset, kiln_arm_clear_reset_catch())
           * writes DEMCR anyway. */
          if (keep_catch)
            {
              kiln_arm_target_set_demcr (target, TRUE, demcr);
              kiln_arm_target_set_fresh (target);
              return TRUE;
            }
          if (!kiln_stlink_write32 (link, DEMCR, demcr & ~VC_CORERESET, error))
            return FALSE;
          kiln_arm_target_set_demcr (target, TRUE, demcr & ~VC_CORERESET);
          kiln_arm_target_set_fresh (target);
          return TRUE;
        }
    }
  g_set_error_literal (error, KILN_ARM_ERROR, KILN_ARM_ERROR_NOT_HALTED,
                       _("The core did not stop after a reset: connect under reset and try again"));
  return FALSE;
}

gboolean
kiln_arm_catch_reset (KilnArmTarget  *target,
                      GError        **error)
{
  KilnStlink *link = link_of (target);
  guint32 demcr;

  kiln_arm_target_set_demcr (target, FALSE, 0);
  return kiln_stlink_write32 (link, DHCSR, DHCSR_KEY | C_HALT | C_DEBUGEN, error)
         && kiln_stlink_read32 (link, DEMCR, &demcr, error)
         && kiln_stlink_write32 (link, DEMCR, (demcr & ~VC_FAULTS) | VC_CORERESET, error);
}

gboolean
kiln_arm_reset_halt (KilnArmTarget  *target,
                     GError        **error)
{
  return reset (target, TRUE, FALSE, NULL, 0, error);
}

gboolean
kiln_arm_reset_halt_after (KilnArmTarget         *target,
                           const KilnStlinkWord  *first,
                           guint                  n_first,
                           GError               **error)
{
  return reset (target, TRUE, TRUE, first, n_first, error);
}

gboolean
kiln_arm_clear_reset_catch (KilnArmTarget  *target,
                            GError        **error)
{
  guint32 demcr;

  if (!kiln_arm_target_get_demcr (target, &demcr) || !(demcr & VC_CORERESET))
    return TRUE;
  if (!kiln_stlink_write32 (link_of (target), DEMCR, demcr & ~VC_CORERESET, error))
    return FALSE;
  kiln_arm_target_set_demcr (target, TRUE, demcr & ~VC_CORERESET);
  return TRUE;
}

gboolean
kiln_arm_reset_run (KilnArmTarget  *target,
                    GError        **error)
{
  return reset (target, FALSE, FALSE, NULL, 0, error);
}

static gboolean
wait_regrdy (KilnArmTarget  *target,
             GError        **error)
{
  for (guint i = 0; i < POLL_LIMIT; i++)
    {
      guint32 dhcsr;

      if (!kiln_stlink_read32 (link_of (target), DHCSR, &dhcsr, error))
        return FALSE;
      if (!(dhcsr & S_HALT))
        {
          g_set_error_literal (error, KILN_ARM_ERROR, KILN_ARM_ERROR_NOT_HALTED,
                               _("The core registers can only be read or written while the core is halted"));
          return FALSE;
        }
      if (dhcsr & S_REGRDY)
        return TRUE;
    }
  g_set_error_literal (error, KILN_ARM_ERROR, KILN_ARM_ERROR_TIMEOUT,
                       _("The core did not complete a register transfer (DHCSR.S_REGRDY stayed clear): reset the "
                         "board and try again"));
  return FALSE;
}

gboolean
kiln_arm_read_reg (KilnArmTarget  *target,
                   KilnArmReg      reg,
                   guint32        *value,
                   GError        **error)
{
  return kiln_stlink_write32 (link_of (target), DCRSR, (guint32) reg, error)
         && wait_regrdy (target, error)
         && kiln_stlink_read32 (link_of (target), DCRDR, value, error);
}

gboolean
kiln_arm_write_reg (KilnArmTarget  *target,
                    KilnArmReg      reg,
                    guint32         value,
                    GError        **error)
{
  return kiln_stlink_write32 (link_of (target), DCRDR, value, error)
         && kiln_stlink_write32 (link_of (target), DCRSR, REGWNR | (guint32) reg, error)
         && wait_regrdy (target, error);
}

gboolean
kiln_arm_start_code (KilnArmTarget  *target,
                     guint32         entry,
                     guint32         stack_top,
                     const guint32  *args,
                     guint           n_args,
                     GError        **error)
{
  return kiln_arm_start_code_checked (target, entry, stack_top, args, n_args, 0, 0, error);
}

gboolean
kiln_arm_start_code_checked (KilnArmTarget  *target,
                             guint32         entry,
                             guint32         stack_top,
                             const guint32  *args,
                             guint           n_args,
                             guint32         check,
                             guint32         expected,
                             GError        **error)
{
  KilnStlink *link = link_of (target);
  guint32 demcr;

  g_return_val_if_fail (n_args <= 4, FALSE);

  {
    /* A halt (nothing to a halted core), then the registers, DEMCR and
     * the fault status in one batch: each register is its DCRDR and DCRSR
     * writes, then a read of DHCSR that must show the transfer done
     * (S_REGRDY) on a halted core. Reading DHCSR also clears S_RESET_ST,
     * so a reset seen later happened while the routine ran. */
    KilnStlinkWord words[1 + 3 * 9 + 5];
    guint32 regs[9], values[9];
    guint n_regs = 0, n = 0;
    /* A core that Kiln's reset stopped at its first instruction, and that
     * nothing ran on since, is halted, and its CFSR and HFSR hold their
     * reset values (0): the halt and their writes are left out. */
    gboolean fresh = kiln_arm_target_get_fresh (target);
    guint first = fresh ? 0 : 1;

    for (guint i = 0; i < n_args; i++)
      {
        regs[n_regs] = KILN_ARM_REG_R0 + i;
        values[n_regs++] = args[i];
      }
    /* A routine that sets up its own stack (stack_top 0) gets no SP and
     * LR. */
    if (stack_top != 0)
      {
        regs[n_regs] = KILN_ARM_REG_SP;
        values[n_regs++] = stack_top & ~7u;
        /* A return from the routine lands on an invalid address and faults. */
        regs[n_regs] = KILN_ARM_REG_LR;
        values[n_regs++] = 0xFFFFFFFF;
      }
    /* Privileged, main stack, no FPU context, PRIMASK set: interrupts
     * stay off through the core's own mask, not DHCSR.C_MASKINTS, so
     * that DHCSR needs no write of the debugger's before the firmware
     * runs again (a routine may end the job with a system reset of its
     * own). */
    regs[n_regs] = KILN_ARM_REG_CONTROL_PRIMASK;
    values[n_regs++] = 1;
    regs[n_regs] = KILN_ARM_REG_PC;
    values[n_regs++] = entry & ~1u;
    regs[n_regs] = KILN_ARM_REG_XPSR;
    values[n_regs++] = 0x01000000;

    if (!fresh)
      words[n++] = (KilnStlinkWord) { DHCSR, DHCSR_KEY | C_HALT | C_DEBUGEN, TRUE, FALSE };
    for (guint i = 0; i < n_regs; i++)
      {
        words[n++] = (KilnStlinkWord) { DCRDR, values[i], TRUE, FALSE };
        words[n++] = (KilnStlinkWord) { DCRSR, REGWNR | regs[i], TRUE, FALSE };
        words[n++] = (KilnStlinkWord) { DHCSR, 0, FALSE, FALSE };
      }

    /* Faults halt the core for the debugger instead of entering the
     * firmware's handlers; the reset catch is not wanted while it runs.
     * DEMCR is read only when Kiln does not know it. The fault status
     * registers (CFSR, HFSR, DFSR) start clear. */
    if (!kiln_arm_target_get_demcr (target, &demcr) && !kiln_stlink_read32 (link, DEMCR, &demcr, error))
      return FALSE;
    demcr = (demcr & ~VC_CORERESET) | VC_FAULTS;
    words[n++] = (KilnStlinkWord) { DEMCR, demcr, TRUE, FALSE };
    if (!fresh)
      {
        words[n++] = (KilnStlinkWord) { CFSR, 0xFFFFFFFF, TRUE, FALSE };
        words[n++] = (KilnStlinkWord) { HFSR, 0xFFFFFFFF, TRUE, FALSE };
      }
    words[n++] = (KilnStlinkWord) { DFSR, 0xFFFFFFFF, TRUE, FALSE };
    /* Last, so that a stale word cannot pass for a complete write. */
    if (check != 0)
      words[n++] = (KilnStlinkWord) { check, ~expected, FALSE, FALSE };
    kiln_arm_target_set_demcr (target, FALSE, 0);
    if (!kiln_stlink_words (link, words, n, error))
      return FALSE;
    kiln_arm_target_set_demcr (target, TRUE, demcr);
    if (check != 0 && words[n - 1].value != expected)
      {
        g_set_error (error, KILN_ARM_ERROR, KILN_ARM_ERROR_RAM,
                     _("The target's RAM at 0x%08X did not take what was written to it"), check);
        return FALSE;
      }

    for (guint i = 0; i < n_regs; i++)
      {
        guint32 dhcsr = words[first + 3 * i + 2].value;

        if (!(dhcsr & S_HALT))
          {
            g_set_error_literal (error, KILN_ARM_ERROR, KILN_ARM_ERROR_NOT_HALTED,
                                 _("The core registers can only be read or written while the core is halted"));
            return FALSE;
          }
        /* A transfer still under way when DHCSR was read: this register
         * once more, waiting for it. */
        if (!(dhcsr & S_REGRDY) && !kiln_arm_write_reg (target, regs[i], values[i], error))
          return FALSE;
      }
  }
  return kiln_stlink_write32 (link, DHCSR, DHCSR_KEY | C_DEBUGEN, error);
}

gboolean
kiln_arm_read_fault (KilnArmTarget  *target,
                     KilnArmFault   *fault,
                     GError        **error)
{
  KilnStlink *link = link_of (target);
  guint8 scb[0x14];
  guint32 xpsr = 0;

  memset (fault, 0, sizeof *fault);
  if (!kiln_stlink_read32 (link, DHCSR, &fault->dhcsr, error)
      || !kiln_stlink_read_mem (link, CFSR, scb, sizeof scb, error))
    return FALSE;
  fault->cfsr = kiln_stlink_decode_u32 (scb);
  fault->hfsr = kiln_stlink_decode_u32 (scb + 4);
  fault->dfsr = kiln_stlink_decode_u32 (scb + 8);
  fault->mmfar = kiln_stlink_decode_u32 (scb + 12);
  fault->bfar = kiln_stlink_decode_u32 (scb + 16);
  fault->lockup = (fault->dhcsr & S_LOCKUP) != 0;

  /* Halting also takes a locked-up core out of lockup. */
  if (!(fault->dhcsr & S_HALT) && !kiln_arm_halt (target, error))
    return FALSE;
  if (!kiln_arm_read_reg (target, KILN_ARM_REG_PC, &fault->pc, error)
      || !kiln_arm_read_reg (target, KILN_ARM_REG_LR, &fault->lr, error)
      || !kiln_arm_read_reg (target, KILN_ARM_REG_SP, &fault->sp, error)
      || !kiln_arm_read_reg (target, KILN_ARM_REG_XPSR, &xpsr, error))
    return FALSE;

  /* Caught on entry to a fault handler: the faulting context is the frame
   * the core stacked (r0–r3, r12, LR, PC, xPSR). */
  if ((fault->dfsr & DFSR_VCATCH) && (xpsr & 0x1FF) != 0)
    {
      guint8 frame[32];

      if (!kiln_stlink_read_mem (link, fault->sp, frame, sizeof frame, error))
        return FALSE;
      fault->lr = kiln_stlink_decode_u32 (frame + 20);
      fault->pc = kiln_stlink_decode_u32 (frame + 24);
      fault->sp += 32;
    }
  return TRUE;
}

char *
kiln_arm_describe_fault (const KilnArmFault *f)
{
  GString *out = g_string_new (NULL);
  guint32 cfsr = f->cfsr;

  if (f->lockup)
    g_string_append_printf (out, _("The core locked up (a fault it could not handle) near 0x%08X"), f->pc);
  else
    g_string_append_printf (out, _("The core stopped on a fault at 0x%08X"), f->pc);

  if (cfsr & (1u << 16))
    g_string_append (out, _(": an undefined instruction (UNDEFINSTR)"));
  else if (cfsr & (1u << 17))
    g_string_append (out, _(": an instruction in a state the core cannot execute (INVSTATE, Thumb bit clear)"));
  else if (cfsr & (1u << 18))
    g_string_append (out, _(": a bad exception return (INVPC)"));
  else if (cfsr & (1u << 19))
    g_string_append (out, _(": a coprocessor instruction with the coprocessor off (NOCP)"));
  else if (cfsr & (1u << 24))
    g_string_append (out, _(": an unaligned access (UNALIGNED)"));
  else if (cfsr & (1u << 25))
    g_string_append (out, _(": a division by zero (DIVBYZERO)"));
  else if (cfsr & (1u << 9))
    {
      if (cfsr & (1u << 15))
        g_string_append_printf (out, _(": a bus error on a data access at 0x%08X (PRECISERR)"), f->bfar);
      else
        g_string_append (out, _(": a bus error on a data access (PRECISERR)"));
    }
  else if (cfsr & (1u << 10))
    g_string_append (out, _(": a bus error on a buffered write (IMPRECISERR)"));
  else if (cfsr & (1u << 8))
    g_string_append (out, _(": a bus error fetching an instruction (IBUSERR)"));
  else if (cfsr & (1u << 1))
    g_string_append_printf (out, _(": a memory protection violation on a data access at 0x%08X (DACCVIOL)"), f->mmfar);
  else if (cfsr & (1u << 0))
    g_string_append (out, _(": a memory protection violation fetching an instruction (IACCVIOL)"));
  else if (f->hfsr & (1u << 1))
    g_string_append (out, _(": a bus error reading the vector table (VECTTBL)"));

  g_string_append_printf (out, _(" (CFSR 0x%08X, HFSR 0x%08X, DFSR 0x%08X, LR 0x%08X, SP 0x%08X)"), f->cfsr,
                          f->hfsr, f->dfsr, f->lr, f->sp);
  return g_string_free (out, FALSE);
}

static gboolean
fault_error (KilnArmTarget  *target,
             const char     *what,
             GError        **error)
{
  KilnArmFault fault;
  g_autofree char *words = NULL;

  if (!kiln_arm_read_fault (target, &fault, error))
    return FALSE;
  words = kiln_arm_describe_fault (&fault);
  g_set_error (error, KILN_ARM_ERROR, fault.lockup ? KILN_ARM_ERROR_LOCKUP : KILN_ARM_ERROR_FAULT,
               "%s: %s", what, words);
  return FALSE;
}

gboolean
kiln_arm_poll_code (KilnArmTarget  *target,
                    gboolean       *running,
                    GError        **error)
{
  KilnStlink *link = link_of (target);
  guint32 dhcsr, dfsr;

  *running = TRUE;
  if (!kiln_stlink_read32 (link, DHCSR, &dhcsr, error))
    return FALSE;
  if (dhcsr & S_RESET_ST)
    {
      kiln_arm_halt (target, NULL);
      g_set_error_literal (error, KILN_ARM_ERROR, KILN_ARM_ERROR_FAULT,
                           _("The core was reset while Kiln's code ran on it: a watchdog or the reset pin. "
                             "Check the board's reset circuit and try again"));
      return FALSE;
    }
  if (dhcsr & S_LOCKUP)
    return fault_error (target, _("The code Kiln ran on the target failed"), error);
  if (!(dhcsr & S_HALT))
    return TRUE;

  *running = FALSE;
  if (!kiln_stlink_read32 (link, DFSR, &dfsr, error))
    return FALSE;
  if (dfsr & DFSR_VCATCH)
    return fault_error (target, _("The code Kiln ran on the target failed"), error);
  if (!(dfsr & DFSR_BKPT))
    {
      g_set_error (error, KILN_ARM_ERROR, KILN_ARM_ERROR_NOT_HALTED,
                   _("Something else halted the core while Kiln's code ran on it (DFSR 0x%08X): close other "
                     "debuggers using this probe and try again"), dfsr);
      return FALSE;
    }
  return kiln_stlink_write32 (link, DFSR, DFSR_ALL, error);
}

gboolean
kiln_arm_wait_code (KilnArmTarget  *target,
                    guint           timeout_ms,
                    GCancellable   *cancellable,
                    GError        **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gboolean running;

      if (!kiln_arm_poll_code (target, &running, error))
        return FALSE;
      if (!running)
        return TRUE;
      if (g_cancellable_is_cancelled (cancellable))
        {
          kiln_arm_halt (target, NULL);
          return !g_cancellable_set_error_if_cancelled (cancellable, error);
        }
      if (g_get_monotonic_time () > deadline)
        {
          guint32 pc = 0;

          kiln_arm_halt (target, NULL);
          kiln_arm_read_reg (target, KILN_ARM_REG_PC, &pc, NULL);
          g_set_error (error, KILN_ARM_ERROR, KILN_ARM_ERROR_TIMEOUT,
                       _("The code Kiln ran on the target did not finish within %u ms (it was at 0x%08X and has "
                         "been halted)"), timeout_ms, pc);
          return FALSE;
        }
    }
}

gboolean
kiln_arm_run_code (KilnArmTarget  *target,
                   guint32         entry,
                   guint32         stack_top,
                   const guint32  *args,
                   guint           n_args,
                   guint           timeout_ms,
                   GCancellable   *cancellable,
                   guint32        *result,
                   GError        **error)
{
  if (!kiln_arm_start_code (target, entry, stack_top, args, n_args, error)
      || !kiln_arm_wait_code (target, timeout_ms, cancellable, error))
    return FALSE;
  return result == NULL || kiln_arm_read_reg (target, KILN_ARM_REG_R0, result, error);
}
