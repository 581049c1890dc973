/* kiln-flash-job.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-flash-job.h"


KilnFlashJob *
kiln_flash_job_new (KilnUsbProbeInfo *info,
                    KilnImage        *image)
{
  KilnFlashJob *job = g_new0 (KilnFlashJob, 1);

  kiln_job_probe_init (&job->probe, info);
  job->image = g_object_ref (image);
  kiln_flash_options_init (&job->options);
  return job;
}

KilnFlashJob *
kiln_flash_job_new_for_bench (KilnSimBench *bench,
                              KilnImage    *image)
{
  KilnFlashJob *job = kiln_flash_job_new (NULL, image);

  kiln_job_probe_init_for_bench (&job->probe, bench);
  return job;
}

void
kiln_flash_job_free (KilnFlashJob *job)
{
  if (job == NULL)
    return;
  kiln_job_probe_clear (&job->probe);
  g_clear_object (&job->image);
  kiln_flash_result_clear (&job->result);
  g_free (job);
}

typedef struct
{
  KilnProgress   *progress;
  KilnFlashJob   *job;
  KilnFlashPhase  phase;
  gint64          phase_start;
  guint64         phase_total;  /* bytes the driver announced for its phase */
  GCancellable   *cancellable;
  KilnFlashPlan  *plan;         /* while kiln_flash_program() runs */
} Forward;

/* Closes the time of the phase in progress and starts @phase's. */
static void
forward_phase (Forward        *forward,
               KilnFlashPhase  phase)
{
  gint64 now = g_get_monotonic_time ();

  if (forward->phase < G_N_ELEMENTS (forward->job->phase_seconds))
    forward->job->phase_seconds[forward->phase] += (now - forward->phase_start) / 1e6;
  forward->phase = phase;
  forward->phase_start = now;
}

static void
on_phase (gpointer user_data, KilnFlashPhase p, guint64 total)
{
  Forward *forward = user_data;

  /* The driver goes on to a later phase only once the one before is done
   * (the loader may not have reported its last bytes yet): say so, unless
   * it moves on because the job was cancelled. */
  if (forward->progress != NULL && p > forward->phase && forward->phase_total > 0
      && !g_cancellable_is_cancelled (forward->cancellable))
    kiln_progress_set_done (forward->progress, forward->phase_total);
  forward_phase (forward, p);
  forward->phase_total = total;
  /* Once the target was compared, the phases after it carry the estimate
   * as the plan stands now (blank and unchanged sectors known). */
  if (forward->progress != NULL && forward->plan != NULL && kiln_flash_plan_get_compared (forward->plan))
    kiln_progress_set_estimate (forward->progress, kiln_flash_plan_get_estimated_seconds (forward->plan));
  if (forward->progress != NULL)
    kiln_progress_begin_phase (forward->progress, p, total);
}

static void
on_bytes (gpointer user_data, guint64 done)
{
  Forward *forward = user_data;

  if (forward->progress != NULL)
    kiln_progress_set_done (forward->progress, done);
}

static void
on_sector (gpointer user_data, guint position, KilnSectorState state)
{
  Forward *forward = user_data;

  if (forward->progress != NULL)
    kiln_progress_set_sector_state (forward->progress, position, state);
}

static gboolean flash_job_run (KilnSession   *session,
                               KilnFlashJob  *job,
                               Forward       *forward,
                               KilnProgress  *progress,
                               GCancellable  *cancellable,
                               GError       **error);

gboolean
kiln_flash_job_run (KilnSession   *session,
                    gpointer       data,
                    KilnProgress  *progress,
                    GCancellable  *cancellable,
                    GError       **error)
{
  KilnFlashJob *job = data;
  gint64 start = g_get_monotonic_time ();
  Forward forward = { progress, job, KILN_FLASH_PHASE_CONNECT, start, 0, cancellable };
  gboolean ok;

  memset (job->phase_seconds, 0, sizeof job->phase_seconds);
  job->programmed = FALSE;
  ok = flash_job_run (session, job, &forward, progress, cancellable, error);
  forward_phase (&forward, KILN_FLASH_PHASE_FINISHED);
  job->total_seconds = (g_get_monotonic_time () - start) / 1e6;
  return ok;
}

static gboolean
flash_job_run (KilnSession   *session,
               KilnFlashJob  *job,
               Forward       *forward,
               KilnProgress  *progress,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(KilnArmTarget) target = NULL;
  g_autoptr(KilnFlashPlan) plan = NULL;
  KilnFlashProgress callbacks = { on_phase, on_bytes, on_sector, forward };
  g_autofree char *summary = NULL;
  KilnChip *chip;
  gboolean ok;

  target = kiln_job_probe_connect (&job->probe, progress, error);
  if (target == NULL)
    return FALSE;
  chip = kiln_arm_target_get_chip (target);
  if (job->identified != NULL && !job->identified (job, target, job->hook_data, error))
    return FALSE;

  plan = kiln_flash_plan_new (job->image, chip, KILN_FLASH_PSIZE_X32, error);
  if (plan == NULL)
    return FALSE;
  /* The probe and its clock are known now; blank sectors not yet. */
  {
    KilnStlink *stlink = kiln_arm_target_get_stlink (target);

    const KilnStlinkVersion *version = kiln_stlink_get_version (stlink);

    kiln_flash_plan_set_link (plan, version->hw, kiln_stlink_get_swd_khz (stlink));
    if (progress != NULL)
      /* Translators: a detail for the log's Debug level: "ST-LINK/V2 firmware J45, SWD at 4000 kHz, STM32F74x/F75x" */
      kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_DEBUG, _("ST-LINK/V%u firmware J%u, SWD at %u kHz, %s"),
                             version->hw, version->jtag, kiln_stlink_get_swd_khz (stlink), job->probe.chip_name);
  }
  summary = kiln_flash_plan_dup_summary (plan);
  if (progress != NULL)
    kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_INFO, "%s: %s", job->probe.chip_name, summary);
  if (job->dry_run)
    return TRUE;

  forward->plan = plan;
  ok = kiln_flash_program (target, plan, &job->options, &callbacks, cancellable, &job->result, error);
  forward->plan = NULL;
  job->programmed = ok;
  if (job->finished != NULL)
    {
      forward_phase (forward, KILN_FLASH_PHASE_OPTION_BYTES);
      if (!job->finished (job, target, job->hook_data, ok ? error : NULL))
        ok = FALSE;
    }
  kiln_stlink_close (kiln_arm_target_get_stlink (target));

  if (progress != NULL)
    {
      g_autofree char *written = g_strdup_printf ("%" G_GUINT64_FORMAT, job->result.bytes_written);
      g_autofree char *link = g_strdup_printf ("%" G_GUINT64_FORMAT, job->result.bytes_link);

      /* Translators: a detail for the log's Debug level; the last %s is
       * "the SRAM loader" or "the host" */
      kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_DEBUG,
                             _("Sectors erased %u, written %u, unchanged %u, blank %u; %s bytes written, "
                               "%s bytes over the link, by %s"),
                             job->result.erased, job->result.written, job->result.skipped, job->result.blank,
                             written, link, job->result.used_loader ? _("the SRAM loader") : _("the host"));
    }

  if (progress != NULL && job->result.fallback_reason != NULL && !job->options.host_driven
      && job->result.written > 0)
    kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_WARNING,
                           _("Programmed by the host, word by word, instead of by Kiln's SRAM loader (slower): %s"),
                           job->result.fallback_reason);
  if (ok && progress != NULL && !job->no_summary_message)
    {
      guint64 n = job->result.bytes_written;
      g_autofree char *size = n < 1024       ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u byte", "%u bytes", (gulong) n), (guint) n)
                              : n % 1024 == 0 ? g_strdup_printf (_("%u KiB"), (guint) (n / 1024))
                                              : g_strdup_printf (_("%.1f KiB"), n / 1024.0);

      if (job->result.written == 0 && job->result.skipped == 0)
        kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_INFO,
                               _("The file has nothing for the flash (RAM is not programmed): nothing was erased "
                                 "or written"));
      else if (job->result.written == 0)
        kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_INFO,
                               _("The chip already holds this image: nothing was erased or written"));
      else
        kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_INFO,
                               job->result.verified
                                 ? g_dngettext (GETTEXT_PACKAGE, "Programmed and verified %s (%u sector, %u unchanged)",
                                                "Programmed and verified %s (%u sectors, %u unchanged)",
                                                job->result.written)
                                 : g_dngettext (GETTEXT_PACKAGE, "Programmed %s without verifying (%u sector, %u unchanged)",
                                                "Programmed %s without verifying (%u sectors, %u unchanged)",
                                                job->result.written),
                               size, job->result.written, job->result.skipped);
    }
  return ok;
}
