/* kiln-sim-clock.h — the virtual clock of one probe+board pair, in nanoseconds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kiln-sim-hostgap.h"

G_BEGIN_DECLS

typedef struct _KilnSimPace KilnSimPace;

typedef struct _KilnSimClock
{
  guint64 now_ns;      /* the board's timeline: device time plus counted host gaps */
  guint64 device_ns;   /* time the bench itself spent: USB, SWD, waits */
  guint64 host_ns;     /* host gaps between transfers, kept apart */
  guint64 host_cpu_wait_ns;  /* with load-free gaps: the host's waits for a CPU left out */
  KilnSimHostGaps host_gaps;
  /* Real time and holds (kiln-sim-pace.h), shared by the bench's clocks;
   * NULL when the bench asks for neither. */
  KilnSimPace *pace;
  gint64   paced_wall_us;    /* wall clock and board time when pacing began */
  guint64  paced_now_ns;
  gboolean paced;
} KilnSimClock;

/* Time the bench spends (USB, SWD, retries). */
static inline void
kiln_sim_clock_advance (KilnSimClock *clock,
                        guint64       ns)
{
  clock->now_ns += ns;
  clock->device_ns += ns;
}

/* Time the host spent between two transfers. */
static inline void
kiln_sim_clock_host_gap (KilnSimClock *clock,
                         guint64       ns)
{
  clock->now_ns += ns;
  clock->host_ns += ns;
}

G_END_DECLS
