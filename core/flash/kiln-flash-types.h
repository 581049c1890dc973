/* kiln-flash-types.h — enums shared by the plan, the driver and the views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kiln-flash-progress.h"

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

guint        kiln_flash_psize_bytes         (KilnFlashPsize  psize);
const char  *kiln_flash_psize_to_string     (KilnFlashPsize  psize);
/* The widest parallelism the supply allows (x64 only with VPP). */
KilnFlashPsize kiln_flash_psize_for_voltage (double          volts,
                                             gboolean        vpp);
/* Datasheet typical times for one sector erase at @psize, in seconds. */
double       kiln_flash_erase_seconds       (guint32         sector_size,
                                             KilnFlashPsize  psize);
/* Datasheet typical time to program @bytes at @psize (16 µs per unit). */
double       kiln_flash_program_seconds     (guint64         bytes,
                                             KilnFlashPsize  psize);

/* The least time the link takes to carry @bytes to the target through the
 * loader: an ST-LINK/V2 (@probe_hw 2) about 1 µs per USB byte plus 60 SWD
 * clocks per word, a V3 about 0.03 µs per byte plus 4.2 µs per word (or
 * 60 clocks, when the clock is slower). */
double       kiln_flash_link_seconds        (guint64         bytes,
                                             guint           probe_hw,
                                             guint           khz);

G_END_DECLS
