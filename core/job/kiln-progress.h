/* kiln-progress.h — a job's progress, written by a worker, read on a main loop
 *
 * All setters are thread-safe and cheap; they only store the latest state.
 * The object schedules at most one dispatch on the main context it was
 * created in, at most every KILN_PROGRESS_INTERVAL_MS except for phase
 * starts, messages and the end of the job, which are delivered at once.
 * Properties change and signals are emitted only on that main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-flash-progress.h"

G_BEGIN_DECLS

#define KILN_PROGRESS_INTERVAL_MS 80

typedef enum
{
  KILN_PROGRESS_MESSAGE_INFO,
  KILN_PROGRESS_MESSAGE_WARNING,
  KILN_PROGRESS_MESSAGE_ERROR,
  KILN_PROGRESS_MESSAGE_DEBUG,
} KilnProgressMessageLevel;

#define KILN_TYPE_PROGRESS (kiln_progress_get_type ())

G_DECLARE_FINAL_TYPE (KilnProgress, kiln_progress, KILN, PROGRESS, GObject)

/* Dispatches on the thread-default main context of the caller. */
KilnProgress      *kiln_progress_new               (void);

/* Worker side (any thread). */
void               kiln_progress_begin_phase       (KilnProgress      *self,
                                                    KilnFlashPhase  phase,
                                                    guint64            total_bytes);
/* The job's estimated seconds as its plan stands now (after the comparison
 * on the target: blank sectors need no erase, unchanged ones nothing);
 * carried by the phases begun from here on. */
void               kiln_progress_set_estimate      (KilnProgress      *self,
                                                    double             seconds);
void               kiln_progress_set_done          (KilnProgress      *self,
                                                    guint64            done_bytes);
void               kiln_progress_add_done          (KilnProgress      *self,
                                                    guint64            bytes);
void               kiln_progress_set_sector_state  (KilnProgress      *self,
                                                    guint              sector,
                                                    KilnSectorState    state);
void               kiln_progress_message           (KilnProgress      *self,
                                                    KilnProgressMessageLevel level,
                                                    const char        *format,
                                                    ...) G_GNUC_PRINTF (3, 4);
/* Fills @callbacks so that the flash layer reports straight into @self. */
void               kiln_progress_get_flash_callbacks (KilnProgress    *self,
                                                    KilnFlashProgress *callbacks);
/* The job is over: @error NULL for success. */
void               kiln_progress_finish            (KilnProgress      *self,
                                                    const GError      *error);

/* Main-context side. */
KilnFlashPhase  kiln_progress_get_phase         (KilnProgress      *self);
guint64            kiln_progress_get_done          (KilnProgress      *self);
guint64            kiln_progress_get_total         (KilnProgress      *self);
double             kiln_progress_get_fraction      (KilnProgress      *self);
/* Bytes per second in the current phase, 0 when not known yet. */
double             kiln_progress_get_rate          (KilnProgress      *self);
/* The job's estimated seconds when the current phase began, -1 when the
 * job gave none (kiln_progress_set_estimate()). */
double             kiln_progress_get_estimated_seconds (KilnProgress  *self);
/* Seconds left in the current phase, -1 when not known. */
double             kiln_progress_get_seconds_left  (KilnProgress      *self);
/* Returns -1 for a sector with no state reported. */
int                kiln_progress_get_sector_state  (KilnProgress      *self,
                                                    guint              sector);
gboolean           kiln_progress_get_finished      (KilnProgress      *self);
const GError      *kiln_progress_get_error         (KilnProgress      *self);
guint              kiln_progress_get_n_dispatches  (KilnProgress      *self);

G_END_DECLS
