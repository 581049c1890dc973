/* kiln-flash-ops.h — what a programmer does to a flash besides programming
 * it: erase sectors or the whole chip, read memory, verify a file
 *
 * Every operation checks first what would stop it (read protection, write
 * protection of the sectors it names, the supply) and refuses with the
 * reason before anything is changed. The core is halted first so running
 * firmware cannot interfere, and the flash controller is locked at the end
 * whatever happened, cancellation included.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-target.h"
#include "kiln-flash-driver.h"
#include "kiln-image.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean       mass;          /* the whole chip, both banks in dual-bank mode */
  guint          sectors;       /* sectors erased */
  guint64        bytes;
  KilnFlashPsize psize;
} KilnFlashEraseResult;

typedef struct
{
  KilnFlashVerifyMethod method;    /* the method used */
  gboolean              fallback;  /* CRC was asked for and read-back used */
  char                 *fallback_reason;  /* why, owned (kiln_flash_verify_result_clear()) */
  gboolean              core_reset;/* the loader borrowed the RAM of running firmware: it was reset */
  guint                 sectors;   /* sectors holding bytes of the image */
  guint64               bytes;     /* image bytes compared */
  guint32               error_address; /* the first address that differs, else 0 */
} KilnFlashVerifyResult;

/* Halts the core (and freezes the watchdogs while it is halted).
 * @was_running says whether it ran before. */
gboolean kiln_flash_halt_core          (KilnArmTarget          *target,
                                        gboolean               *was_running,
                                        GError                **error);
/* Best effort. */
void     kiln_flash_resume_core        (KilnArmTarget          *target);

/* Sector numbers as people write them ("0,1,4-7", "all") to positions in
 * kiln_chip_get_sector() order. */
GArray  *kiln_flash_parse_sector_list  (KilnChip               *chip,
                                        const char             *text,
                                        GError                **error);

/* Erases the sectors at @positions (kiln_chip_get_sector() order), or with
 * @positions NULL the whole chip by mass erase. Refused, with nothing erased,
 * at read protection level 1 or 2, when a named sector (any sector, for a
 * mass erase) is write-protected, or when the supply is too low. */
gboolean kiln_flash_erase              (KilnArmTarget          *target,
                                        GArray                 *positions,
                                        const KilnFlashProgress *progress,
                                        GCancellable           *cancellable,
                                        KilnFlashEraseResult   *result,
                                        GError                **error);
/* Reads @length bytes of target memory from @address. A range that touches
 * the flash is refused at read protection level 1 or 2. */
gboolean kiln_flash_read               (KilnArmTarget          *target,
                                        guint32                 address,
                                        guint8                 *buffer,
                                        gsize                   length,
                                        const KilnFlashProgress *progress,
                                        GCancellable           *cancellable,
                                        GError                **error);
/* Compares the flash with every byte @image has for it, through the same
 * verifier as programming (kiln-flash-verify.h). A difference is a
 * KILN_FLASH_ERROR_VERIFY naming the address and the sector; bytes of the
 * image outside the chip's flash refuse the file (KILN_FLASH_ERROR_PLAN).
 * KILN_FLASH_VERIFY_CRC runs Kiln's loader in the target's RAM (the core is
 * halted, and reset afterwards if it was running); when the loader cannot
 * run it reads back instead and the result says why. */
gboolean kiln_flash_verify             (KilnArmTarget          *target,
                                        KilnImage              *image,
                                        KilnFlashVerifyMethod   method,
                                        const KilnFlashProgress *progress,
                                        GCancellable           *cancellable,
                                        KilnFlashVerifyResult  *result,
                                        GError                **error);
void     kiln_flash_verify_result_clear (KilnFlashVerifyResult *result);

/* The sectors at @positions (kiln_chip_get_sector() order) by number,
 * joined by @separator: "0,1,4" or "0, 1, 4". */
char    *kiln_flash_dup_sector_numbers (KilnChip               *chip,
                                        GArray                 *positions,
                                        const char             *separator);

G_END_DECLS
