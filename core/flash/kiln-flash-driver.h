/* kiln-flash-driver.h — erase, program and verify an STM32 sector flash
 * (F7; F2/F4 share the controller) through a connected target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-target.h"
#include "kiln-flash-controller.h"
#include "kiln-flash-error.h"
#include "kiln-flash-plan.h"
#include "kiln-flash-progress.h"
#include "kiln-flash-verify.h"

G_BEGIN_DECLS

/* All-zero is not the default: see kiln_flash_options_init(). */
typedef struct
{
  gboolean verify;        /* verify every written sector */
  gboolean skip_unchanged;/* compare first and leave identical sectors alone */
  gboolean reset;         /* reset and run afterwards (also after a cancel) */
  KilnFlashVerifyMethod verify_method;
  gboolean preserve_unwritten; /* keep the bytes of a touched sector outside the image (default: erased) */
  gboolean host_driven;   /* never use the SRAM loader: the host writes every word */
  gboolean host_erase;    /* the host erases all sectors before the loader programs (for measurements) */
  gboolean vpp;           /* the board supplies VPP (8–9 V): program and erase at x64 */
} KilnFlashOptions;

#define KILN_FLASH_MAX_SECTORS 32

typedef struct
{
  guint   erased;
  guint   written;
  guint   skipped;
  /* Sectors written that were found blank and needed no erase. */
  guint   blank;
  guint64 bytes_written;
  /* Bytes of written sectors left unprogrammed because they are 0xFF,
   * which an erased or blank sector already holds. */
  guint64 bytes_erased_skipped;
  /* What the link carried for the written bytes through the loader
   * (compressed where that was shorter, with the blocks' headers). */
  guint64 bytes_link;
  gboolean verified;
  KilnFlashPsize psize;
  /* The SRAM loader programmed the flash; when it could not, the host did
   * and @fallback_reason says why (owned; kiln_flash_result_clear()). */
  gboolean used_loader;
  char    *fallback_reason;
  KilnFlashVerifyMethod verify_method;
  /* After a failure or a cancel: sectors (plan positions) that were erased
   * but not completely written. The last @n_unsure of them are sectors the
   * loader may have begun after its last answer, before the link failed:
   * each may be untouched, or written in part. */
  guint   n_incomplete;
  guint   incomplete[KILN_FLASH_MAX_SECTORS];
  guint   n_unsure;
  /* The plan's time estimate once the probe, the supply and (with
   * skip_unchanged) the comparison on the target are known. */
  double  estimated_seconds;
  /* The address a flash or verify error names, else 0. */
  guint32 error_address;
} KilnFlashResult;

/* verify, skip_unchanged, reset on; CRC verification; erased gaps. */
void     kiln_flash_options_init (KilnFlashOptions *options);
/* Frees what a result owns and zeroes it. */
void     kiln_flash_result_clear (KilnFlashResult  *result);

/* The whole job: pre-flight (protection, voltage, watchdogs) before anything
 * is erased, differential erase and program, verify, lock, reset. A plan
 * that cannot succeed is refused with the reason and nothing is erased. On
 * any failure the controller is locked again. @progress receives the
 * events kiln-flash-progress.h lists, in that order. */
gboolean kiln_flash_program  (KilnArmTarget           *target,
                              KilnFlashPlan           *plan,
                              const KilnFlashOptions  *options,
                              const KilnFlashProgress *progress,
                              GCancellable            *cancellable,
                              KilnFlashResult         *result,
                              GError                 **error);

G_END_DECLS
