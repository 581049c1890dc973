/* kiln-flash-progress.h — the one progress vocabulary: phases, sector
 * states and the callbacks the flash layer reports them through
 *
 * core/job carries these values to the views (KilnProgress) and the CLI
 * writes them as events; neither defines phases or states of its own.
 *
 * Events of kiln_flash_program(), in order:
 *   1. phase PREFLIGHT (total 0): protection, supply and watchdogs are
 *      checked; a refusal ends the job here with nothing erased.
 *   2. phase COMPARE (total = bytes of the planned sectors): each planned
 *      sector is read or CRC-checked; a sector that already holds the image
 *      reports UNCHANGED. Bytes count the sectors compared.
 *   3. phase PROGRAM (total = bytes to write): each written sector goes
 *      ERASING → WRITING (a blank sector straight to WRITING). When the host
 *      programs word by word instead of the loader, each sector it erases
 *      has its own phase ERASE (total = the sector's size) before PROGRAM
 *      begins again. Bytes count what was programmed.
 *   4. phase VERIFY (total = bytes of the written sectors), when verifying:
 *      each sector goes VERIFYING → VERIFIED.
 *   5. phase RESET (total 0) when the target is reset and run.
 * A sector that fails at any step reports FAILED, and the job ends.
 *
 * kiln_flash_erase(): PREFLIGHT, then ERASE (total = bytes erased) with each
 * sector PLANNED → ERASING → UNTOUCHED (erased), or FAILED.
 * kiln_flash_read(): PREFLIGHT, then READ (total = bytes read).
 * kiln_flash_verify(): PREFLIGHT, then VERIFY as in 4 above.
 * IDLE, CONNECT, OPTION_BYTES and FINISHED are reported by core/job around
 * these calls: CONNECT first, FINISHED last.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The phases of a job, in the order a job may pass through them. */
typedef enum
{
  KILN_FLASH_PHASE_IDLE,
  KILN_FLASH_PHASE_CONNECT,
  KILN_FLASH_PHASE_PREFLIGHT,
  KILN_FLASH_PHASE_COMPARE,
  KILN_FLASH_PHASE_ERASE,
  KILN_FLASH_PHASE_PROGRAM,
  KILN_FLASH_PHASE_VERIFY,
  KILN_FLASH_PHASE_READ,
  KILN_FLASH_PHASE_RESET,
  KILN_FLASH_PHASE_OPTION_BYTES,
  KILN_FLASH_PHASE_FINISHED,
} KilnFlashPhase;

#define KILN_FLASH_N_PHASES (KILN_FLASH_PHASE_FINISHED + 1)

/* A sector's state as views show it, before and during a job. */
typedef enum
{
  KILN_SECTOR_STATE_UNTOUCHED,
  KILN_SECTOR_STATE_PLANNED,      /* will be erased and written */
  KILN_SECTOR_STATE_UNCHANGED,    /* skipped: already right */
  KILN_SECTOR_STATE_PROTECTED,    /* write-protected */
  KILN_SECTOR_STATE_ERASING,
  KILN_SECTOR_STATE_WRITING,
  KILN_SECTOR_STATE_VERIFYING,
  KILN_SECTOR_STATE_VERIFIED,
  KILN_SECTOR_STATE_FAILED,
  KILN_SECTOR_STATE_BLANK,        /* found blank: written without an erase */
} KilnSectorState;

/* A phase begins; @total is its size in bytes, 0 when it has none. */
typedef void (*KilnFlashPhaseFunc)  (gpointer user_data, KilnFlashPhase phase, guint64 total);
/* Bytes done in the current phase (not an increment). */
typedef void (*KilnFlashBytesFunc)  (gpointer user_data, guint64 done);
/* The sector at plan position @position is now in @state. */
typedef void (*KilnFlashSectorFunc) (gpointer user_data, guint position, KilnSectorState state);

/* Any callback may be NULL, and so may a whole KilnFlashProgress. They are
 * called on the thread doing the work. */
typedef struct
{
  KilnFlashPhaseFunc  phase;
  KilnFlashBytesFunc  bytes;
  KilnFlashSectorFunc sector;
  gpointer            user_data;
} KilnFlashProgress;

/* Report through @progress (which may be NULL). */
void         kiln_flash_progress_phase  (const KilnFlashProgress *progress,
                                         KilnFlashPhase           phase,
                                         guint64                  total);
void         kiln_flash_progress_bytes  (const KilnFlashProgress *progress,
                                         guint64                  done);
void         kiln_flash_progress_sector (const KilnFlashProgress *progress,
                                         guint                    position,
                                         KilnSectorState          state);

/* A stable identifier ("connect", "option-bytes"…) for JSON and logs. */
const char  *kiln_flash_phase_to_id     (KilnFlashPhase  phase);
/* A short translated label ("Erasing", "Checking the target"…). */
const char  *kiln_flash_phase_to_label  (KilnFlashPhase  phase);
/* A stable identifier ("untouched", "planned", …) for JSON and logs. */
const char  *kiln_sector_state_to_id    (KilnSectorState state);
/* A short translated label ("Unchanged", "Writing"…). */
const char  *kiln_sector_state_to_label (KilnSectorState state);

G_END_DECLS
