/* kiln-arm-core.h — run control of a Cortex-M core through its debug
 * registers: halt, resume, step, reset-and-halt, core registers, and running
 * a routine placed in RAM to its breakpoint (what flash loaders need)
 *
 * Everything goes through memory accesses to the SCS (DHCSR, DCRSR, DCRDR,
 * DEMCR, AIRCR), which every ST-LINK firmware has; no core-register command
 * of the probe is needed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-arm-target.h"

G_BEGIN_DECLS

/* Core register selectors for DCRSR.REGSEL. */
typedef enum
{
  KILN_ARM_REG_R0 = 0,
  KILN_ARM_REG_R1,
  KILN_ARM_REG_R2,
  KILN_ARM_REG_R3,
  KILN_ARM_REG_R4,
  KILN_ARM_REG_R5,
  KILN_ARM_REG_R6,
  KILN_ARM_REG_R7,
  KILN_ARM_REG_R8,
  KILN_ARM_REG_R9,
  KILN_ARM_REG_R10,
  KILN_ARM_REG_R11,
  KILN_ARM_REG_R12,
  KILN_ARM_REG_SP,
  KILN_ARM_REG_LR,
  KILN_ARM_REG_PC,
  KILN_ARM_REG_XPSR,
  KILN_ARM_REG_MSP,
  KILN_ARM_REG_PSP,
  KILN_ARM_REG_CONTROL_PRIMASK = 20,
} KilnArmReg;

/* Why a core stopped or could not go on, as read from the SCS. */
typedef struct
{
  guint32  dhcsr;
  guint32  dfsr;
  guint32  cfsr;
  guint32  hfsr;
  guint32  bfar;
  guint32  mmfar;
  guint32  pc;
  guint32  lr;
  guint32  sp;
  gboolean lockup;
} KilnArmFault;

gboolean kiln_arm_is_halted     (KilnArmTarget  *target,
                                 gboolean       *halted,
                                 GError        **error);
/* Enables halting debug and stops the core (waits until it has stopped). */
gboolean kiln_arm_halt          (KilnArmTarget  *target,
                                 GError        **error);
/* Lets a halted core run; @mask_interrupts keeps its interrupts off. */
gboolean kiln_arm_resume        (KilnArmTarget  *target,
                                 gboolean        mask_interrupts,
                                 GError        **error);
/* Executes one instruction of a halted core. */
gboolean kiln_arm_step          (KilnArmTarget  *target,
                                 GError        **error);
/* A system reset (AIRCR.SYSRESETREQ) that stops the core at its first
 * instruction (DEMCR.VC_CORERESET). */
gboolean kiln_arm_reset_halt    (KilnArmTarget  *target,
                                 GError        **error);
/* The same, with the @n_first words of @first written in the same batch
 * before the reset (registers a reset keeps, such as DBGMCU's); the reset
 * catch stays set (a round trip saved) until kiln_arm_start_code(), the
 * next reset or kiln_arm_clear_reset_catch() takes it off: for a caller
 * that starts code next, and clears it on every other way out. */
gboolean kiln_arm_reset_halt_after (KilnArmTarget         *target,
                                    const KilnStlinkWord  *first,
                                    guint                  n_first,
                                    GError               **error);
/* Takes off the reset catch kiln_arm_reset_halt_after() left set (nothing
 * when there is none). */
gboolean kiln_arm_clear_reset_catch (KilnArmTarget         *target,
                                     GError               **error);
/* Arms a halt at the first instruction after the next reset (for example
 * the release of NRST after connecting under reset), so that firmware that
 * turns the SWD pins off never runs. */
gboolean kiln_arm_catch_reset   (KilnArmTarget  *target,
                                 GError        **error);
/* A system reset after which the core runs its firmware. */
gboolean kiln_arm_reset_run     (KilnArmTarget  *target,
                                 GError        **error);
/* Core registers of a halted core, through DCRSR/DCRDR. */
gboolean kiln_arm_read_reg      (KilnArmTarget  *target,
                                 KilnArmReg      reg,
                                 guint32        *value,
                                 GError        **error);
gboolean kiln_arm_write_reg     (KilnArmTarget  *target,
                                 KilnArmReg      reg,
                                 guint32         value,
                                 GError        **error);

/* Starts code already placed in RAM on a halted core: r0–r3 from @args
 * (@n_args ≤ 4), SP = @stack_top (with LR invalid; 0 leaves them: for code
 * that sets up its own stack), PC = @entry (Thumb), privileged on the main
 * stack with interrupts masked (PRIMASK; DHCSR is left with C_DEBUGEN
 * alone), and faults caught by the debugger (DEMCR vector catch) rather
 * than by the firmware's handlers. The routine ends with a BKPT. */
gboolean kiln_arm_start_code    (KilnArmTarget  *target,
                                 guint32         entry,
                                 guint32         stack_top,
                                 const guint32  *args,
                                 guint           n_args,
                                 GError        **error);
/* The same, for code whose data went up without a status query: the batch
 * that sets the registers also reads the word at @check, and the core is
 * started only when it holds @expected (written last, it shows that the
 * whole write arrived); else KILN_ARM_ERROR_RAM and the core stays
 * halted. */
gboolean kiln_arm_start_code_checked (KilnArmTarget  *target,
                                      guint32         entry,
                                      guint32         stack_top,
                                      const guint32  *args,
                                      guint           n_args,
                                      guint32         check,
                                      guint32         expected,
                                      GError        **error);
/* Whether a started routine is still running: FALSE in *@running once it
 * stopped at its breakpoint. A fault (vector catch, lockup) or a core that
 * was reset under it is an error (KILN_ARM_ERROR_FAULT) naming the fault in
 * words. */
gboolean kiln_arm_poll_code     (KilnArmTarget  *target,
                                 gboolean       *running,
                                 GError        **error);
/* Polls until the routine stops at its breakpoint, @timeout_ms passes
 * (KILN_ARM_ERROR_TIMEOUT; the core is halted again) or @cancellable is
 * cancelled (G_IO_ERROR_CANCELLED; halted too). */
gboolean kiln_arm_wait_code     (KilnArmTarget  *target,
                                 guint           timeout_ms,
                                 GCancellable   *cancellable,
                                 GError        **error);
/* start + wait; r0 after the breakpoint in *@result (may be NULL). */
gboolean kiln_arm_run_code      (KilnArmTarget  *target,
                                 guint32         entry,
                                 guint32         stack_top,
                                 const guint32  *args,
                                 guint           n_args,
                                 guint           timeout_ms,
                                 GCancellable   *cancellable,
                                 guint32        *result,
                                 GError        **error);

/* Reads the fault status registers (and, when the core can be halted, PC,
 * LR and SP). */
gboolean kiln_arm_read_fault    (KilnArmTarget  *target,
                                 KilnArmFault   *fault,
                                 GError        **error);
/* The fault in words: what the core did, where, and what it means. */
char    *kiln_arm_describe_fault (const KilnArmFault *fault);

G_END_DECLS
