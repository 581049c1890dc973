/* kiln-flash-job.h — one programming job of kiln-flash-driver.c, shared
 * with the differential (kiln-flash-compare.c) (internal)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-target.h"
#include "kiln-flash-controller.h"
#include "kiln-flash-driver.h"
#include "kiln-flash-loader.h"
#include "kiln-flash-units.h"

G_BEGIN_DECLS

typedef KilnFlashRange Range;

typedef struct
{
  KilnArmTarget           *target;
  KilnStlink              *stlink;
  KilnChip                *chip;
  KilnFlashPlan           *plan;
  const KilnFlashOptions  *options;
  KilnFlashController      ctrl;
  const KilnFlashProgress *progress;
  GCancellable            *cancellable;
  KilnFlashResult         *result;
  KilnFlashPsize           psize;
  KilnFlashLoader          loader;
  gboolean                 loader_ok;
  gboolean                 loader_locked;  /* the loader finished its operations and locked the controller */
  guint                    n;
  guint8                 **content;    /* per position: what a changed sector must hold */
  GArray                 **ranges;     /* per position: Range to program */
  gboolean                *erased;     /* per position: erased by this job, or blank and being written */
  gboolean                *blank;      /* per position: found blank, written without an erase */
  gboolean                *done;       /* per position: completely written */
  gboolean                *started;    /* per position: its erase was started (it no longer holds what it held) */
  gboolean                *unsure;     /* per position: the loader may have begun it after its last answer */
  gint                     pre_erased; /* the position whose erase the compare started, or -1 */
  guint64                  total;      /* bytes to program */
  guint64                  base_done;  /* bytes programmed before the current stream */
  /* Loader ops while it streams */
  KilnLoaderOp            *ops;
  guint                    n_ops;
  guint                    ops_seen;
} Job;

static inline const KilnFlashPlanSector *
plan_sector (Job   *job,
             guint  position)
{
  return kiln_flash_plan_get_sector (job->plan, position);
}

/* The host takes over from the loader, saying why. */
void     kiln_flash_job_fall_back (Job     *job,
                                   GError  *why);
/* The sector at @i is blank: written without an erase. */
void     kiln_flash_job_set_blank (Job     *job,
                                   guint    i);
/* Differential: sectors that already hold their bytes are left alone (and
 * the loader may start the first erase; see kiln_flash_loader_compare()). */
gboolean kiln_flash_job_compare   (Job     *job,
                                   GError **error);

G_END_DECLS
