/* kiln-flash-job.h — programming a file onto the chip behind a probe, as one
 * job on a session's worker thread (used by kiln-cli and the window)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-flash-driver.h"
#include "kiln-job-probe.h"
#include "kiln-session.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

typedef struct _KilnFlashJob KilnFlashJob;

/* A hook on the worker thread with the target connected (see below). */
typedef gboolean (*KilnFlashJobTargetFunc) (KilnFlashJob   *job,
                                            KilnArmTarget  *target,
                                            gpointer        user_data,
                                            GError        **error);

struct _KilnFlashJob
{
  KilnJobProbe      probe;       /* in: the probe; out: the chip's name */
  KilnImage        *image;
  gboolean          dry_run;
  KilnFlashOptions  options;
  /* The caller says what was done in its own words (kiln-cli's summary):
   * no closing info message on the progress. */
  gboolean          no_summary_message;
  /* Optional hooks (a production station's): @identified runs once the chip
   * is known and before the plan is made, and may replace @image or refuse
   * the target; @finished runs after programming, whether it worked or not
   * (@error of the job is then already set), with the target still
   * connected. */
  KilnFlashJobTargetFunc identified;
  KilnFlashJobTargetFunc finished;
  gpointer          hook_data;
  /* Out */
  KilnFlashResult   result;
  gboolean          programmed;   /* programmed (and verified), set before @finished runs */
  /* Seconds spent in each KilnFlashPhase, and in all. */
  double            phase_seconds[KILN_FLASH_N_PHASES];
  double            total_seconds;
};

KilnFlashJob  *kiln_flash_job_new     (KilnUsbProbeInfo *info,
                                       KilnImage        *image);
/* @bench NULL: $KILN_SIM or the built-in bench, made on the worker. */
KilnFlashJob  *kiln_flash_job_new_for_bench (KilnSimBench *bench,
                                             KilnImage    *image);
void           kiln_flash_job_free    (KilnFlashJob     *job);
/* A KilnSessionWorkFunc: connect, identify, plan, program. */
gboolean       kiln_flash_job_run     (KilnSession      *session,
                                       gpointer          job,
                                       KilnProgress     *progress,
                                       GCancellable     *cancellable,
                                       GError          **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnFlashJob, kiln_flash_job_free)

G_END_DECLS
