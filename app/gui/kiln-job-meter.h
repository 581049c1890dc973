/* kiln-job-meter.h — one overall progress for a job, weighted by the time
 * each part is expected to take, with the phase in words
 *
 * A job reports phases, bytes within a phase and sector states; the meter
 * turns them into one fraction that only moves forward and a line such as
 * "Erasing sector 4 of 8 · 38 % · about 5 s left". With a plan, each
 * sector's erase, write and check weigh what the plan estimates for them;
 * without one, each phase weighs what a typical job spends in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-flash-plan.h"
#include "kiln-flash-progress.h"

G_BEGIN_DECLS

typedef struct _KilnJobMeter KilnJobMeter;

/* @plan: the Program job's plan, or NULL; @verify: the job checks what it
 * wrote; @n_sectors: without a plan, how many sectors an erase touches
 * (0: not an erase). */
KilnJobMeter *kiln_job_meter_new          (KilnFlashPlan   *plan,
                                           gboolean         verify,
                                           guint            n_sectors);
void          kiln_job_meter_free         (KilnJobMeter    *self);
void          kiln_job_meter_phase        (KilnJobMeter    *self,
                                           KilnFlashPhase   phase,
                                           guint64          total_bytes);
void          kiln_job_meter_bytes        (KilnJobMeter    *self,
                                           guint64          done_bytes);
void          kiln_job_meter_sector       (KilnJobMeter    *self,
                                           guint            position,
                                           KilnSectorState  state);
/* 0…1, never smaller than before. */
double        kiln_job_meter_get_fraction (KilnJobMeter    *self);
/* "Writing sector 3 of 7 · 38 % · about 5 s left"; @elapsed_seconds is
 * how long the job has run (for the time left; < 0: not said). */
char         *kiln_job_meter_dup_text     (KilnJobMeter    *self,
                                           double           elapsed_seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnJobMeter, kiln_job_meter_free)

G_END_DECLS
