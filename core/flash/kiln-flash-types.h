/* kiln-flash-types.h — enums shared by the plan, the driver and the views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Programming (and erase) parallelism: the FLASH_CR.PSIZE values. */
typedef enum
{
  KILN_FLASH_PSIZE_X8 = 0,
  KILN_FLASH_PSIZE_X16 = 1,
  KILN_FLASH_PSIZE_X32 = 2,
  KILN_FLASH_PSIZE_X64 = 3,
} KilnFlashPsize;

/* What the plan does with a sector. */
typedef enum
{
  KILN_FLASH_ACTION_UNTOUCHED,   /* the image has no bytes here: never erased */
  KILN_FLASH_ACTION_PROGRAM,     /* erase, then write the image's bytes */
  KILN_FLASH_ACTION_SKIP,        /* the chip already holds exactly these bytes */
} KilnFlashAction;

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
} KilnSectorState;

/* The phases of a flash job; the values are those of core/job's
 * KilnProgressPhase (checked there). */
typedef enum
{
  KILN_FLASH_PHASE_PREFLIGHT = 2,
  KILN_FLASH_PHASE_COMPARE = 3,
  KILN_FLASH_PHASE_ERASE = 4,
  KILN_FLASH_PHASE_PROGRAM = 5,
  KILN_FLASH_PHASE_VERIFY = 6,
  KILN_FLASH_PHASE_RESET = 8,
} KilnFlashPhase;

guint        kiln_flash_psize_bytes         (KilnFlashPsize  psize);
const char  *kiln_flash_psize_to_string     (KilnFlashPsize  psize);
/* The widest parallelism the supply allows (x64 only with VPP). */
KilnFlashPsize kiln_flash_psize_for_voltage (double          volts,
                                             gboolean        vpp);
/* A stable identifier ("untouched", "planned", …) for JSON and logs. */
const char  *kiln_sector_state_to_id        (KilnSectorState state);
/* A short translated label ("Unchanged", "Writing"…). */
const char  *kiln_sector_state_to_label     (KilnSectorState state);
/* Datasheet typical times for one sector erase at @psize, in seconds. */
double       kiln_flash_erase_seconds       (guint32         sector_size,
                                             KilnFlashPsize  psize);
/* Datasheet typical time to program @bytes at @psize (16 µs per unit). */
double       kiln_flash_program_seconds     (guint64         bytes,
                                             KilnFlashPsize  psize);

G_END_DECLS
