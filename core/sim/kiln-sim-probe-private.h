/* kiln-sim-probe-private.h — how the bench builds its probes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-sim-board.h"
#include "kiln-sim-error.h"
#include "kiln-sim-probe.h"

G_BEGIN_DECLS

KilnSimProbe *kiln_sim_probe_new       (GKeyFile      *key_file,
                                        const char    *group,
                                        KilnSimBoard  *board,
                                        KilnSimClock  *clock,
                                        KilnSimReport *report,
                                        guint8         bus,
                                        guint8         address,
                                        GError       **error);
KilnSimBoard *kiln_sim_probe_get_board (KilnSimProbe  *self);
/* Replaces the board behind the probe (a board swap; see kiln-sim-bench.c). */
void          kiln_sim_probe_set_board (KilnSimProbe  *self,
                                        KilnSimBoard  *board);

G_END_DECLS
