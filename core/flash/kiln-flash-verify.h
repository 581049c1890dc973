/* kiln-flash-verify.h — the one verifier: after programming and for
 * `verify`, the flash is compared with what it must hold
 *
 * The CRC way has Kiln's loader compute a CRC-32 of every range on the
 * target and compares it with the host's; a range whose CRC differs is read
 * back to name the first address that differs. When the loader fails, the
 * verifier reads everything back instead and says why. The read-back way
 * compares every byte on the host. A difference is always the same error
 * (KILN_FLASH_ERROR_VERIFY), naming the sector and the first address.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-flash-loader.h"
#include "kiln-flash-plan.h"
#include "kiln-flash-progress.h"
#include "kiln-stlink.h"

G_BEGIN_DECLS

/* How written sectors are verified. */
typedef enum
{
  KILN_FLASH_VERIFY_CRC,        /* CRC-32 of each sector computed on the target (default) */
  KILN_FLASH_VERIFY_READ_BACK,  /* every byte read back and compared on the host */
} KilnFlashVerifyMethod;

/* A stretch of one sector to compare: [start, end). */
typedef struct
{
  guint   position;   /* the sector's plan position */
  guint32 start;
  guint32 end;
} KilnFlashVerifyRange;

typedef struct
{
  KilnStlink               *stlink;
  KilnFlashPlan            *plan;
  /* Per plan position, the whole sector as it must be (only the bytes of
   * the ranges count). */
  guint8 * const           *content;
  /* A loader set up on the target for the CRC way; NULL reads back. */
  KilnFlashLoader          *loader;
  const KilnFlashProgress  *progress;
  GCancellable             *cancellable;
} KilnFlashVerifier;

typedef struct
{
  KilnFlashVerifyMethod method;         /* the way used in the end */
  GError               *fallback;       /* why the CRC way gave way to read-back, owned */
  guint                 sectors;        /* sectors verified */
  guint64               bytes;          /* bytes compared */
  guint32               error_address;  /* the address a difference names, else 0 */
} KilnFlashVerifyOutcome;

/* @ranges (KilnFlashVerifyRange) are in address order, each within its
 * sector. Reports phase VERIFY (total = the ranges' bytes) and each sector
 * VERIFYING → VERIFIED, or FAILED where the flash differs. */
gboolean kiln_flash_verifier_run     (const KilnFlashVerifier *verifier,
                                      GArray                  *ranges,
                                      KilnFlashVerifyOutcome  *outcome,
                                      GError                 **error);
void     kiln_flash_verify_outcome_clear (KilnFlashVerifyOutcome *outcome);

G_END_DECLS
