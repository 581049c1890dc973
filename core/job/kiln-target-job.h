/* kiln-target-job.h — the flash operations besides programming (verify,
 * erase, read, option bytes, OTP) as jobs on a session's worker thread, used by
 * kiln-cli and the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-flash-ops.h"
#include "kiln-flash-option-bytes.h"
#include "kiln-flash-otp.h"
#include "kiln-job-probe.h"
#include "kiln-session.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_TARGET_JOB_VERIFY,
  KILN_TARGET_JOB_ERASE,
  KILN_TARGET_JOB_READ,
  KILN_TARGET_JOB_OPTION_BYTES_READ,
  KILN_TARGET_JOB_OPTION_BYTES_WRITE,
  KILN_TARGET_JOB_OTP_READ,
  KILN_TARGET_JOB_OTP_WRITE,
  KILN_TARGET_JOB_OTP_LOCK,
} KilnTargetJobKind;

typedef struct
{
  KilnTargetJobKind     kind;
  KilnJobProbe          probe;          /* in: the probe; out: the chip's name */

  /* Verify */
  KilnImage            *image;
  KilnFlashVerifyMethod method;
  /* Erase: sector numbers as people write them ("0,1,4-7"), or @mass. */
  char                 *sectors;
  gboolean              mass;
  /* Read */
  guint32               address;
  gsize                 length;
  /* Option bytes write: KEY=VALUE assignments applied to what the chip
   * holds; nothing is written unless @confirm (and @irreversible for RDP
   * level 2). With @dry_run the change and its consequences are worked out
   * and nothing is written. */
  GStrv                 assignments;
  gboolean              confirm;
  gboolean              irreversible;
  gboolean              dry_run;
  /* OTP write: @otp_bytes at @address (checked against the chip, nothing
   * written without @confirm, or with @dry_run); with @otp_lock (needs
   * @irreversible) the blocks written are locked. OTP lock: the blocks in
   * @otp_blocks (bit i = block i), with @confirm and @irreversible. */
  GBytes               *otp_bytes;
  gboolean              otp_lock;
  guint32               otp_blocks;

  /* Out */
  KilnChip             *chip;
  KilnFlashEraseResult  erase_result;
  KilnFlashVerifyResult verify_result;
  GBytes               *data;           /* read */
  KilnOptionBytes       options_before;
  KilnOptionBytes       options_after;  /* what was asked (dry run) or what the chip holds now */
  GPtrArray            *changes;        /* strings, option bytes write */
  GPtrArray            *consequences;   /* strings, option bytes write */
  gboolean              options_written;
  KilnFlashOtp          otp;            /* the OTP area as read last (after a write or lock) */
  KilnFlashOtpResult    otp_result;
} KilnTargetJob;

KilnTargetJob *kiln_target_job_new           (KilnTargetJobKind  kind,
                                              KilnUsbProbeInfo  *info);
/* @bench NULL: $KILN_SIM or the built-in bench, made on the worker. */
KilnTargetJob *kiln_target_job_new_for_bench (KilnTargetJobKind  kind,
                                              KilnSimBench      *bench);
void           kiln_target_job_free          (KilnTargetJob     *job);
/* A KilnSessionWorkFunc: connect, identify, do the job. */
gboolean       kiln_target_job_run           (KilnSession       *session,
                                              gpointer           job,
                                              KilnProgress      *progress,
                                              GCancellable      *cancellable,
                                              GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnTargetJob, kiln_target_job_free)

G_END_DECLS
