/* kiln-target-job.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-target-job.h"


KilnTargetJob *
kiln_target_job_new (KilnTargetJobKind  kind,
                     KilnUsbProbeInfo  *info)
{
  KilnTargetJob *job = g_new0 (KilnTargetJob, 1);

  job->kind = kind;
  kiln_job_probe_init (&job->probe, info);
  job->method = KILN_FLASH_VERIFY_CRC;
  return job;
}

KilnTargetJob *
kiln_target_job_new_for_bench (KilnTargetJobKind  kind,
                               KilnSimBench      *bench)
{
  KilnTargetJob *job = kiln_target_job_new (kind, NULL);

  kiln_job_probe_init_for_bench (&job->probe, bench);
  return job;
}

void
kiln_target_job_free (KilnTargetJob *job)
{
  if (job == NULL)
    return;
  kiln_job_probe_clear (&job->probe);
  g_clear_object (&job->image);
  g_clear_object (&job->chip);
  g_free (job->sectors);
  g_strfreev (job->assignments);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_clear_pointer (&job->otp_bytes, g_bytes_unref);
  kiln_flash_verify_result_clear (&job->verify_result);
  g_clear_pointer (&job->changes, g_ptr_array_unref);
  g_clear_pointer (&job->consequences, g_ptr_array_unref);
  g_free (job);
}

static void
message (KilnProgress *progress,
         const char   *text)
{
  if (progress != NULL)
    kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_INFO, "%s", text);
}

static gboolean
run_option_bytes_write (KilnTargetJob  *job,
                        KilnArmTarget  *target,
                        KilnProgress   *progress,
                        GCancellable   *cancellable,
                        GError        **error)
{
  KilnChip *chip = kiln_arm_target_get_chip (target);
  KilnOptionBytes wanted;

  if (!kiln_option_bytes_read (target, &job->options_before, error))
    return FALSE;
  wanted = job->options_before;
  for (guint i = 0; job->assignments != NULL && job->assignments[i] != NULL; i++)
    if (!kiln_option_bytes_set (&wanted, chip, job->assignments[i], error))
      return FALSE;

  job->changes = kiln_option_bytes_dup_changes (&job->options_before, &wanted, chip);
  job->consequences = kiln_option_bytes_dup_consequences (&job->options_before, &wanted, chip);
  job->options_after = wanted;
  if (job->changes->len == 0)
    {
      message (progress, _("The option bytes already hold these values: nothing was written."));
      return TRUE;
    }
  if (job->dry_run)
    return TRUE;

  /* Refusals come before the announcement (kiln_option_bytes_write()
   * checks the same again). */
  if (kiln_option_bytes_get_rdp_level (&wanted) == 2 && kiln_option_bytes_get_rdp_level (&job->options_before) != 2
      && !job->irreversible)
    {
      g_set_error_literal (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_IRREVERSIBLE,
                           _("Read protection level 2 disables debugging for good and cannot be undone; it is set "
                             "only when that is confirmed as irreversible as well. Nothing was changed."));
      return FALSE;
    }
  if (!job->confirm)
    {
      g_set_error_literal (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_NOT_CONFIRMED,
                           _("Changing option bytes needs confirmation. Nothing was changed."));
      return FALSE;
    }

  if (progress != NULL)
    kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_OPTION_BYTES, 0);
  /* Say what is about to happen before it happens. */
  for (guint i = 0; i < job->changes->len; i++)
    message (progress, g_ptr_array_index (job->changes, i));
  for (guint i = 0; i < job->consequences->len; i++)
    message (progress, g_ptr_array_index (job->consequences, i));

  if (!kiln_option_bytes_write (target, &wanted, job->confirm, job->irreversible, cancellable, &job->options_after,
                                error))
    return FALSE;
  job->options_written = TRUE;
  /* The layout may have changed (nDBANK): the chip as it is now. */
  g_set_object (&job->chip, kiln_arm_target_get_chip (target));
  return TRUE;
}

static gboolean
refuse_unconfirmed_otp (KilnTargetJob  *job,
                        gboolean        lock,
                        GError        **error)
{
  if (lock && !job->irreversible)
    {
      g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                           _("Locking OTP blocks can never be undone; it is done only when confirmed as "
                             "irreversible as well. Nothing was changed."));
      return FALSE;
    }
  if (!job->confirm)
    {
      g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                           _("Writing the one-time-programmable area can never be undone and needs "
                             "confirmation. Nothing was changed."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_otp (KilnTargetJob  *job,
         KilnArmTarget  *target,
         KilnProgress   *progress,
         GError        **error)
{
  g_autofree char *said = NULL;
  gsize length = 0;
  const guint8 *bytes = job->otp_bytes ? g_bytes_get_data (job->otp_bytes, &length) : NULL;

  if (!kiln_flash_otp_read (target, &job->otp, error))
    return FALSE;
  if (job->kind == KILN_TARGET_JOB_OTP_READ)
    return TRUE;

  if (job->kind == KILN_TARGET_JOB_OTP_WRITE)
    {
      /* Refusals before anything is asked or written. */
      if (!kiln_flash_otp_check_write (&job->otp, job->address, bytes, length, error))
        return FALSE;
      if (job->dry_run)
        return TRUE;
      if (length > 0 && memcmp (job->otp.data + (job->address - job->otp.layout.base), bytes, length) == 0
          && !job->otp_lock)
        {
          job->otp_result.unchanged = (guint) length;
          message (progress, _("The OTP already holds these bytes: nothing was written."));
          return TRUE;
        }
      if (!refuse_unconfirmed_otp (job, job->otp_lock, error))
        return FALSE;
      said = g_strdup_printf (_("Writing %zu bytes to the OTP at 0x%08X: this cannot be undone."),
                              length, job->address);
    }
  else
    {
      if (!refuse_unconfirmed_otp (job, TRUE, error))
        return FALSE;
      said = g_strdup (_("Locking OTP blocks: this cannot be undone."));
    }

  if (progress != NULL)
    kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_PROGRAM, 0);
  message (progress, said);
  if (job->kind == KILN_TARGET_JOB_OTP_WRITE
      ? !kiln_flash_otp_write (target, job->address, bytes, length, job->otp_lock, &job->otp_result, error)
      : !kiln_flash_otp_lock (target, job->otp_blocks, &job->otp_result, error))
    return FALSE;
  return kiln_flash_otp_read (target, &job->otp, error);
}

gboolean
kiln_target_job_run (KilnSession   *session,
                     gpointer       data,
                     KilnProgress  *progress,
                     GCancellable  *cancellable,
                     GError       **error)
{
  KilnTargetJob *job = data;
  g_autoptr(KilnArmTarget) target = NULL;
  KilnFlashProgress callbacks = { 0 };
  const KilnFlashProgress *cb = NULL;
  KilnChip *chip;
  gboolean ok = FALSE;

  if (progress != NULL)
    {
      kiln_progress_get_flash_callbacks (progress, &callbacks);
      cb = &callbacks;
    }
  target = kiln_job_probe_connect (&job->probe, progress, error);
  if (target == NULL)
    return FALSE;
  chip = kiln_arm_target_get_chip (target);
  g_set_object (&job->chip, chip);

  switch (job->kind)
    {
    case KILN_TARGET_JOB_VERIFY:
      ok = kiln_flash_verify (target, job->image, job->method, cb, cancellable, &job->verify_result, error);
      break;

    case KILN_TARGET_JOB_ERASE:
      {
        g_autoptr(GArray) positions = NULL;

        if (!job->mass)
          {
            positions = kiln_flash_parse_sector_list (chip, job->sectors ? job->sectors : "", error);
            if (positions == NULL)
              break;
          }
        ok = kiln_flash_erase (target, positions, cb, cancellable, &job->erase_result, error);
      }
      break;

    case KILN_TARGET_JOB_READ:
      {
        g_autofree guint8 *buffer = g_try_malloc (MAX (job->length, 1));

        if (buffer == NULL)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                         _("Not enough memory to read %zu bytes"), job->length);
            break;
          }
        ok = kiln_flash_read (target, job->address, buffer, job->length, cb, cancellable, error);
        if (ok)
          job->data = g_bytes_new_take (g_steal_pointer (&buffer), job->length);
      }
      break;

    case KILN_TARGET_JOB_OPTION_BYTES_READ:
      ok = kiln_option_bytes_read (target, &job->options_before, error);
      job->options_after = job->options_before;
      break;

    case KILN_TARGET_JOB_OPTION_BYTES_WRITE:
      ok = run_option_bytes_write (job, target, progress, cancellable, error);
      break;

    case KILN_TARGET_JOB_OTP_READ:
    case KILN_TARGET_JOB_OTP_WRITE:
    case KILN_TARGET_JOB_OTP_LOCK:
      ok = run_otp (job, target, progress, error);
      break;

    default:
      g_assert_not_reached ();
    }

  kiln_stlink_close (kiln_arm_target_get_stlink (target));
  return ok;
}
