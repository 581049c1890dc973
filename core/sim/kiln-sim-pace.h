/* kiln-sim-pace.h — the bench in real time, and holding a job at a chosen point
 *
 *   [bench]
 *   real-time = true          ; true: the virtual clock never runs ahead of the
 *                             ; wall clock (a 1 MiB job takes its real time);
 *                             ; after-hold: only once a hold has been released
 *   hold = read:65536         ; where the probe stops answering (see below)
 *   hold-file = held          ; created when the hold point is reached; the
 *                             ; probe answers again once it has been removed
 *
 * Hold points, checked before each USB transfer, each once per bench:
 *   erase:N    N sectors have been erased (a mass erase counts as one)
 *   program:N  the flash has taken N program operations (units of the
 *              parallelism in use: 4 bytes each at x32)
 *   read:N     the probe has sent N bytes to the host
 *   time:MS    MS milliseconds of device time have passed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kiln-sim-clock.h"
#include "kiln-sim-report.h"

G_BEGIN_DECLS

/* NULL without error when the [bench] group asks for neither. */
KilnSimPace *kiln_sim_pace_new      (GKeyFile            *key_file,
                                     const char          *base_dir,
                                     GError             **error);
void         kiln_sim_pace_free     (KilnSimPace         *pace);

/* Before a transfer: waits while the hold point has been reached and its
 * file not yet removed. TRUE when it waited. */
gboolean     kiln_sim_pace_hold     (KilnSimPace         *pace,
                                     const KilnSimClock  *clock,
                                     const KilnSimReport *report);
/* After a transfer: in real time, sleeps until the wall clock has caught
 * up with @clock. TRUE when it slept. */
gboolean     kiln_sim_pace_catch_up (KilnSimPace         *pace,
                                     KilnSimClock        *clock);

G_END_DECLS
