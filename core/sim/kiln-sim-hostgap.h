/* kiln-sim-hostgap.h — how long the host took between two transfers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  KILN_SIM_HOST_GAPS_WALL,       /* count: the monotonic clock between transfers */
  KILN_SIM_HOST_GAPS_IGNORE,     /* ignore: device time only */
  KILN_SIM_HOST_GAPS_LOAD_FREE,  /* load-free: the wall gap less the host's wait for a CPU */
} KilnSimHostGaps;

/* A moment of the thread that makes the transfers. */
typedef struct
{
  gint64  wall_ns;   /* monotonic clock */
  guint64 wait_ns;   /* time this thread has spent runnable but not running */
  gint    tid;
  gboolean have_wait;
} KilnSimHostStamp;

KilnSimHostGaps kiln_sim_host_gaps_parse (const char *value,
                                          GError    **error);
const char     *kiln_sim_host_gaps_name  (KilnSimHostGaps mode);

void            kiln_sim_host_stamp      (KilnSimHostStamp *stamp,
                                          KilnSimHostGaps   mode);

/* The gap from @from to @to as @mode counts it; @cpu_wait_ns gets the time
 * left out because the host waited for a CPU. */
guint64         kiln_sim_host_gap_ns     (const KilnSimHostStamp *from,
                                          const KilnSimHostStamp *to,
                                          KilnSimHostGaps         mode,
                                          guint64                *cpu_wait_ns);

G_END_DECLS
