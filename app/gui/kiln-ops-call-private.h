/* kiln-ops-call-private.h — Verify, Erase, Read and option bytes from the
 * window: core/job's target job, plus what the window needs around it (the
 * summary in words, the read data saved to the chosen file), on the
 * session's worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-target-job.h"

G_BEGIN_DECLS

typedef struct
{
  KilnTargetJob *job;
  GFile         *file;     /* Read: where the flash goes */
} KilnOpsCall;

KilnOpsCall *kiln_ops_call_new  (KilnTargetJobKind  kind,
                                 KilnUsbProbeInfo  *info);
void         kiln_ops_call_free (KilnOpsCall       *call);
/* A KilnSessionWorkFunc: runs the target job, saves what Read read, and
 * reports one summary message (the window's result line). */
gboolean     kiln_ops_call_run  (KilnSession       *session,
                                 gpointer           call,
                                 KilnProgress      *progress,
                                 GCancellable      *cancellable,
                                 GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnOpsCall, kiln_ops_call_free)

G_END_DECLS
