/* kiln-job-probe.h — what every job on a target starts with: which probe
 * (a real one, or the first of a simulated bench found on the worker), how
 * to connect through it, and the chip it found
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-target.h"
#include "kiln-progress.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

/* The first member of KilnFlashJob and KilnTargetJob; held by
 * KilnIdentifyJob and KilnProductionJob too. */
typedef struct
{
  /* In: the probe, or (info NULL) the first probe of @bench, looked up on
   * the worker so that a main loop never waits for USB. */
  KilnUsbProbeInfo *info;
  KilnSimBench     *bench;       /* in, or out when @simulator made one */
  gboolean          simulator;
  guint             khz;         /* SWD clock, 4000 unless set */
  gboolean          under_reset;
  /* Out: the chip's line ("STM32F405/415"), once connected */
  char             *chip_name;
} KilnJobProbe;

/* @info (may be NULL: the bench's first probe) at 4000 kHz. */
void           kiln_job_probe_init           (KilnJobProbe      *probe,
                                              KilnUsbProbeInfo  *info);
/* The first probe of @bench; @bench NULL: $KILN_SIM or the built-in bench,
 * made on the worker. */
void           kiln_job_probe_init_for_bench (KilnJobProbe      *probe,
                                              KilnSimBench      *bench);
void           kiln_job_probe_clear          (KilnJobProbe      *probe);
/* On the worker: begins the connect phase on @progress (may be NULL), finds
 * the probe, connects and identifies the chip, and sets @chip_name. */
KilnArmTarget *kiln_job_probe_connect        (KilnJobProbe      *probe,
                                              KilnProgress      *progress,
                                              GError           **error);

/* The probe a job runs on: *@info as given, else the first simulated probe
 * of *@bench, which is made from $KILN_SIM or the built-in bench when
 * @simulator and none was given. Call on the worker: a bench is a whole
 * simulated board. */
gboolean       kiln_job_find_probe           (KilnUsbProbeInfo **info,
                                              KilnSimBench     **bench,
                                              gboolean           simulator,
                                              GError           **error);
/* Opens the probe @info and its ST-LINK, and nothing more (no target
 * connection): the one way a job opens a probe. */
KilnStlink    *kiln_job_open_probe           (KilnUsbProbeInfo  *info,
                                              GError           **error);
/* Opens the probe, checks target power, connects and identifies the chip.
 * Under reset, the core is left halted at its first instruction. */
KilnArmTarget *kiln_job_connect              (KilnUsbProbeInfo  *info,
                                              guint              khz,
                                              gboolean           under_reset,
                                              GError           **error);

G_END_DECLS
