/* kiln-identify-job.h — what the target behind a probe is: the window runs
 * it on the probe's session worker (never on its main thread), kiln-cli info
 * runs it directly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-target.h"
#include "kiln-job-probe.h"
#include "kiln-session.h"

G_BEGIN_DECLS

typedef struct
{
  KilnJobProbe       probe;        /* in: the probe; out: the chip's name */

  /* Out: the probe (known even when the target is not) */
  gboolean           have_probe;
  KilnStlinkVersion  version;
  char              *firmware;     /* "V2J34S7" */
  gboolean           have_volts;
  double             volts;
  guint              swd_khz;

  /* Out: the target */
  KilnChip          *chip;
  guint16            dev_id;
  char              *revision;
  char              *uid;
  guint16            package;
  guint              rdp_level;
  guint32            optcr;
  guint32            optcr1;
  GArray            *protected;    /* guint sector positions */
} KilnIdentifyJob;

KilnIdentifyJob *kiln_identify_job_new             (KilnUsbProbeInfo        *info);
void             kiln_identify_job_free            (KilnIdentifyJob         *job);
/* A KilnSessionWorkFunc: opens the probe, reads its firmware and the target
 * voltage, connects, identifies the chip and reads its protection. */
gboolean         kiln_identify_job_run             (KilnSession             *session,
                                                    gpointer                 job,
                                                    KilnProgress            *progress,
                                                    GCancellable            *cancellable,
                                                    GError                 **error);
gboolean         kiln_identify_job_is_protected    (KilnIdentifyJob         *job,
                                                    guint                    position);
/* "Sectors 1 and 3", "none" */
char            *kiln_identify_job_dup_protected   (KilnIdentifyJob         *job);

/* What a probe's firmware lets Kiln do, in one plain sentence; never a
 * demand to upgrade. */
char            *kiln_probe_firmware_statement     (const KilnStlinkVersion *version);
/* Opens @info only long enough to read its firmware version (list thread). */
gboolean         kiln_probe_read_version           (KilnUsbProbeInfo        *info,
                                                    KilnStlinkVersion       *version,
                                                    GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnIdentifyJob, kiln_identify_job_free)

G_END_DECLS
