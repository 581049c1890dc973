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

G_BEGIN_DECLS

typedef struct
{
  gboolean verify;        /* read back and compare every written sector */
  gboolean skip_unchanged;/* compare first and leave identical sectors alone */
  gboolean reset;         /* reset and run afterwards */
} KilnFlashOptions;

/* Progress: phase changes and bytes, sector states (KilnSectorState). */
typedef void (*KilnFlashPhaseFunc)  (gpointer user_data, guint phase, guint64 total);
typedef void (*KilnFlashBytesFunc)  (gpointer user_data, guint64 done);
typedef void (*KilnFlashSectorFunc) (gpointer user_data, guint position, KilnSectorState state);

typedef struct
{
  KilnFlashPhaseFunc  phase;
  KilnFlashBytesFunc  bytes;
  KilnFlashSectorFunc sector;
  gpointer            user_data;
} KilnFlashProgress;

typedef struct
{
  guint   erased;
  guint   written;
  guint   skipped;
  guint64 bytes_written;
  gboolean verified;
  KilnFlashPsize psize;
} KilnFlashResult;

/* The whole job: pre-flight (protection, voltage, watchdogs) before anything
 * is erased, differential erase and program, verify, lock, reset. A plan
 * that cannot succeed is refused with the reason and nothing is erased. On
 * any failure the controller is locked again. The phase numbers are
 * KilnProgressPhase values of core/job. */
gboolean kiln_flash_program  (KilnArmTarget           *target,
                              KilnFlashPlan           *plan,
                              const KilnFlashOptions  *options,
                              const KilnFlashProgress *progress,
                              GCancellable            *cancellable,
                              KilnFlashResult         *result,
                              GError                 **error);

G_END_DECLS
