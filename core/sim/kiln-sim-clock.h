/* kiln-sim-clock.h — the virtual clock of one probe+board pair, in nanoseconds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 now_ns;      /* device time: advanced by USB, SWD, flash, core */
  guint64 host_ns;     /* host gaps between transfers, kept apart */
} KilnSimClock;

static inline void
kiln_sim_clock_advance (KilnSimClock *clock,
                        guint64       ns)
{
  clock->now_ns += ns;
}

G_END_DECLS
