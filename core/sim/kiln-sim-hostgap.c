/* kiln-sim-hostgap.c — how long the host took between two transfers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The drop-in runs inside the host's process, on the thread that calls
 * libusb. Between two transfers that thread computes, sleeps, or waits for
 * a CPU. On a loaded machine the last grows without bound, so the
 * load-free count leaves it out: the wall-clock gap less the growth of the
 * thread's run-queue delay (the second field of the kernel's
 * /proc/thread-self/schedstat, in nanoseconds). What remains is the host's
 * CPU time and the time it was blocked (its sleeps, its waits for I/O).
 * core/sim/README.md, "Host gaps".
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kiln-sim-error.h"
#include "kiln-sim-hostgap.h"

KilnSimHostGaps
kiln_sim_host_gaps_parse (const char *value,
                          GError    **error)
{
  g_autofree char *v = g_strstrip (g_strdup (value ? value : "count"));

  if (g_ascii_strcasecmp (v, "count") == 0)
    return KILN_SIM_HOST_GAPS_WALL;
  if (g_ascii_strcasecmp (v, "ignore") == 0)
    return KILN_SIM_HOST_GAPS_IGNORE;
  if (g_ascii_strcasecmp (v, "load-free") == 0)
    return KILN_SIM_HOST_GAPS_LOAD_FREE;
  g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
               "[bench] host-gaps = %s: want count, ignore or load-free", v);
  return KILN_SIM_HOST_GAPS_WALL;
}

const char *
kiln_sim_host_gaps_name (KilnSimHostGaps mode)
{
  switch (mode)
    {
    case KILN_SIM_HOST_GAPS_IGNORE:    return "ignore";
    case KILN_SIM_HOST_GAPS_LOAD_FREE: return "load-free";
    case KILN_SIM_HOST_GAPS_WALL:
    default:                           return "count";
    }
}

static void
close_schedstat (gpointer data)
{
  close (GPOINTER_TO_INT (data) - 1);
}

/* The calling thread's run-queue delay. Each thread keeps its file open
 * until it ends. */
static gboolean
read_wait_ns (guint64 *wait_ns)
{
  static GPrivate schedstat = G_PRIVATE_INIT (close_schedstat);
  int fd = GPOINTER_TO_INT (g_private_get (&schedstat)) - 1;
  char buf[96];
  ssize_t n;
  char *end;

  if (fd < 0)
    {
      fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return FALSE;
      g_private_set (&schedstat, GINT_TO_POINTER (fd + 1));
    }
  n = pread (fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  /* "<on-cpu ns> <run-queue ns> <timeslices>" */
  g_ascii_strtoull (buf, &end, 10);
  if (end == buf)
    return FALSE;
  *wait_ns = g_ascii_strtoull (end, NULL, 10);
  return TRUE;
}

void
kiln_sim_host_stamp (KilnSimHostStamp *stamp,
                     KilnSimHostGaps   mode)
{
  stamp->wall_ns = g_get_monotonic_time () * 1000;
  stamp->tid = 0;
  stamp->wait_ns = 0;
  stamp->have_wait = FALSE;
  if (mode != KILN_SIM_HOST_GAPS_LOAD_FREE)
    return;
  stamp->tid = (gint) syscall (SYS_gettid);
  stamp->have_wait = read_wait_ns (&stamp->wait_ns);
}

guint64
kiln_sim_host_gap_ns (const KilnSimHostStamp *from,
                      const KilnSimHostStamp *to,
                      KilnSimHostGaps         mode,
                      guint64                *cpu_wait_ns)
{
  guint64 wall = to->wall_ns > from->wall_ns ? (guint64) (to->wall_ns - from->wall_ns) : 0;
  guint64 wait = 0;

  if (mode == KILN_SIM_HOST_GAPS_IGNORE)
    wall = 0;
  /* The same thread on both sides: its own run-queue delay in between.
   * (A transfer from another thread keeps the wall gap.) */
  if (mode == KILN_SIM_HOST_GAPS_LOAD_FREE && from->have_wait && to->have_wait
      && from->tid == to->tid && to->wait_ns >= from->wait_ns)
    wait = MIN (to->wait_ns - from->wait_ns, wall);
  if (cpu_wait_ns)
    *cpu_wait_ns = wait;
  return wall - wait;
}
