/* kiln-flash-driver.c — sector erase, programming and verification
 *
 * The fast path runs Kiln's loader in the target's SRAM: it erases and
 * programs while the host streams the next blocks into its ring buffer, so
 * the flash, not the link, sets the pace; it also computes the CRCs of the
 * differential and of verification on the target. When the loader cannot
 * run (no usable RAM, it faults, hangs or is reset), the host drives the
 * controller word by word instead, and the result says so and why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-flash-controller.h"
#include "kiln-flash-driver.h"
#include "kiln-flash-job.h"
#include "kiln-flash-loader.h"
#include "kiln-flash-units.h"

#define DBGMCU_APB1FZ 0xE0042008u

#define CHUNK         1024
/* Runs per sector when the host programs (each is one more round trip). */
#define MAX_RANGES    16


void
kiln_flash_options_init (KilnFlashOptions *options)
{
  memset (options, 0, sizeof *options);
  options->verify = TRUE;
  options->skip_unchanged = TRUE;
  options->reset = TRUE;
  options->verify_method = KILN_FLASH_VERIFY_CRC;
}

void
kiln_flash_result_clear (KilnFlashResult *result)
{
  g_free (result->fallback_reason);
  memset (result, 0, sizeof *result);
}


/* A sector this job writes: in the plan and not found unchanged. */
static gboolean
to_write (Job   *job,
          guint  position)
{
  return plan_sector (job, position)->action == KILN_FLASH_ACTION_PROGRAM
         && kiln_flash_plan_get_sector_state (job->plan, position) != KILN_SECTOR_STATE_UNCHANGED;
}

void
kiln_flash_job_fall_back (Job    *job,
                          GError *why)
{
  if (job->result->fallback_reason == NULL)
    job->result->fallback_reason = g_strdup (why->message);
  job->loader_ok = FALSE;
  if (job->loader.target != NULL)
    kiln_flash_loader_stop (&job->loader);
  kiln_arm_halt (job->target, NULL);
}

static gboolean
preflight (Job     *job,
           GError **error)
{
  g_autoptr(GArray) protected = kiln_arm_target_dup_protected (job->target);
  double volts = 3.3;
  gboolean measured;

  kiln_flash_progress_phase (job->progress, KILN_FLASH_PHASE_PREFLIGHT, 0);

  if (kiln_arm_target_get_rdp_level (job->target) > 0)
    {
      g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_READ_PROTECTED,
                           _("The chip is read-protected (RDP level 1): its flash cannot be programmed through the "
                             "debugger. Lowering the protection to level 0 erases the whole chip; do it from Option "
                             "bytes if you mean to. Nothing was erased."));
      return FALSE;
    }

  for (guint i = 0; i < protected->len; i++)
    {
      guint pos = g_array_index (protected, guint, i);

      if (plan_sector (job, pos)->action == KILN_FLASH_ACTION_PROGRAM)
        {
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED,
                       _("Sector %u is write-protected (option byte nWRP), and the image has %u bytes for it. "
                         "Remove the protection in Option bytes, or leave the sector out of the image. Nothing was erased."),
                       kiln_chip_get_sector (job->chip, pos)->index, plan_sector (job, pos)->bytes);
          return FALSE;
        }
    }

  /* A probe that cannot measure the supply (before V2J13): the width that
   * is safe at any supply. The connection just measured it (a round trip
   * saved); else it is measured here. */
  measured = kiln_arm_target_take_supply (job->target, &volts) || kiln_stlink_read_voltage (job->stlink, &volts, NULL);
  if (measured && volts < 1.8)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VOLTAGE,
                   _("The target supply is %.2f V, too low to program flash: check the board's power. Nothing was erased."),
                   volts);
      return FALSE;
    }
  if (job->options->vpp && measured && volts < 2.7)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VOLTAGE,
                   _("Programming at x64 with VPP needs a supply of 2.7 to 3.6 V, and the target has %.2f V: "
                     "check the board's power, or program without VPP. Nothing was erased."),
                   volts);
      return FALSE;
    }
  job->psize = measured ? kiln_flash_psize_for_voltage (volts, job->options->vpp) : KILN_FLASH_PSIZE_X8;

  /* Watchdogs freeze while the core is halted; then a reset that stops the
   * core before its firmware's first instruction, so that nothing the
   * firmware set up (clocks, DMA into RAM, the MPU) is in the way. DBGMCU
   * keeps its value across the reset: one batch does both. */
  {
    KilnStlinkWord freeze = { DBGMCU_APB1FZ, (1u << 11) | (1u << 12), TRUE, FALSE };

    return kiln_arm_reset_halt_after (job->target, &freeze, 1, error);
  }
}

/* A sector found blank: written without an erase. */
void
kiln_flash_job_set_blank (Job   *job,
                          guint  i)
{
  if (!job->blank[i])
    job->result->blank++;
  job->blank[i] = TRUE;
  kiln_flash_plan_set_blank (job->plan, i, TRUE);
  kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_BLANK);
}

/* What the sector must hold: the image's bytes, and 0xFF (or, preserving,
 * the bytes the flash holds now) elsewhere. */
static gboolean
prepare_content (Job     *job,
                 guint    i,
                 guint    max_runs,
                 GError **error)
{
  const KilnFlashPlanSector *s = plan_sector (job, i);
  guint8 *want = g_malloc (s->sector->size);

  kiln_flash_plan_fill_sector (job->plan, i, want);
  if (job->options->preserve_unwritten)
    {
      g_autofree guint8 *now = g_malloc (s->sector->size);

      if (!kiln_stlink_read_mem (job->stlink, s->sector->address, now, s->sector->size, error))
        {
          g_free (want);
          return FALSE;
        }
      if (kiln_flash_is_erased (now, s->sector->size))
        kiln_flash_job_set_blank (job, i);
      for (guint p = 0; p < s->pieces->len; p++)
        {
          const KilnFlashPiece *piece = &g_array_index (s->pieces, KilnFlashPiece, p);
          guint32 off = piece->address - s->sector->address;

          memcpy (now + off, want + off, piece->size);
        }
      memcpy (want, now, s->sector->size);
    }
  job->content[i] = want;
  job->ranges[i] = kiln_flash_runs_to_program (want, s->sector->size, MAX (kiln_flash_psize_bytes (job->psize), 4),
                                               job->loader_ok ? max_runs : MAX_RANGES);
  return TRUE;
}

static void
sector_written (Job   *job,
                guint  i)
{
  job->done[i] = TRUE;
  job->result->written++;
  job->result->bytes_written += plan_sector (job, i)->bytes;
}

/* The loader is about to start on a sector with @op: erasing it, or, blank,
 * writing it (from here on it counts as half-written until done). */
static void
begin_sector (Job                *job,
              const KilnLoaderOp *op)
{
  if (op->kind == KILN_LOADER_OP_ERASE || op->kind == KILN_LOADER_OP_ERASE_STARTED)
    {
      job->started[op->tag] = TRUE;
      kiln_flash_progress_sector (job->progress, op->tag, KILN_SECTOR_STATE_ERASING);
      return;
    }
  job->erased[op->tag] = TRUE;
  kiln_flash_progress_sector (job->progress, op->tag, KILN_SECTOR_STATE_WRITING);
}

static void
on_loader_progress (gpointer user_data,
                    guint    ops_done,
                    guint64  bytes_done)
{
  Job *job = user_data;

  for (; job->ops_seen < ops_done; job->ops_seen++)
    {
      const KilnLoaderOp *op = &job->ops[job->ops_seen];
      gboolean last = job->ops_seen + 1 == job->n_ops || job->ops[job->ops_seen + 1].tag != op->tag;

      if (op->kind == KILN_LOADER_OP_ERASE || op->kind == KILN_LOADER_OP_ERASE_STARTED)
        {
          job->erased[op->tag] = TRUE;
          job->result->erased++;
          kiln_flash_progress_sector (job->progress, op->tag, KILN_SECTOR_STATE_WRITING);
        }
      if (last)
        sector_written (job, op->tag);
      if (!last || job->ops_seen + 1 >= job->n_ops)
        continue;
      begin_sector (job, &job->ops[job->ops_seen + 1]);
    }
  if (bytes_done != G_MAXUINT64)
    kiln_flash_progress_bytes (job->progress, MIN (job->base_done + bytes_done, job->total));
}

static gboolean
program_with_loader (Job     *job,
                     GError **error)
{
  g_autoptr(GArray) ops = g_array_new (FALSE, FALSE, sizeof (KilnLoaderOp));
  guint ops_done = 0;
  guint32 error_sr = 0, error_at = 0;
  GError *local_error = NULL;
  gboolean ok;

  for (guint i = 0; i < job->n; i++)
    {
      const KilnFlashPlanSector *s = plan_sector (job, i);
      KilnLoaderOp erase = { KILN_LOADER_OP_ERASE, 0, s->sector->address, 0, NULL, i };

      if (!to_write (job, i) || job->done[i])
        continue;
      erase.arg = ((guint32) job->psize << 8) | KILN_FLASH_CR_SER | (s->sector->snb << 3);
      if (job->blank[i])
        {
          /* Blank: programmed without an erase. */
        }
      else if (job->options->host_erase)
        {
          kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_ERASING);
          job->started[i] = TRUE;
          if (!kiln_flash_controller_erase_sector (&job->ctrl, s->sector, job->psize, job->cancellable, error))
            return FALSE;
          job->erased[i] = TRUE;
          job->result->erased++;
          kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_WRITING);
        }
      else
        {
          /* The erase the compare started goes on only as the run's
           * first operation (else it is done again). */
          if ((gint) i == job->pre_erased && ops->len == 0)
            erase.kind = KILN_LOADER_OP_ERASE_STARTED;
          g_array_append_val (ops, erase);
        }
      for (guint r = 0; r < job->ranges[i]->len; r++)
        {
          Range *range = &g_array_index (job->ranges[i], Range, r);
          KilnLoaderOp program = { KILN_LOADER_OP_PROGRAM, 0, s->sector->address + range->offset, range->length,
                                   job->content[i] + range->offset, i };

          g_array_append_val (ops, program);
        }
      if ((job->options->host_erase || job->blank[i]) && job->ranges[i]->len == 0)
        sector_written (job, i);
      job->result->bytes_erased_skipped += kiln_flash_erased_bytes (job->content[i], s->sector->size,
                                                                    kiln_flash_psize_bytes (job->psize));
    }
  if (ops->len == 0)
    return TRUE;

  job->ops = (KilnLoaderOp *) ops->data;
  job->n_ops = ops->len;
  job->ops_seen = 0;
  begin_sector (job, &job->ops[0]);

  /* Verification by CRC asks for the sectors written, whole: the loader
   * computes each once it is done with that sector, in the same run. */
  if (job->options->verify && job->options->verify_method == KILN_FLASH_VERIFY_CRC)
    {
      g_autoptr(GArray) after = g_array_new (FALSE, FALSE, sizeof (guint32));

      for (guint i = 0; i < job->n; i++)
        if (to_write (job, i))
          {
            guint32 pair[2] = { plan_sector (job, i)->sector->address, plan_sector (job, i)->sector->size };

            g_array_append_vals (after, pair, 2);
          }
      kiln_flash_loader_set_after (&job->loader, (const guint32 *) after->data, after->len / 2);
    }

  ok = kiln_flash_loader_program (&job->loader, job->ctrl.regs, job->psize, job->ops, job->n_ops, on_loader_progress,
                                  job, job->cancellable, &ops_done, &error_sr, &error_at, &local_error);
  on_loader_progress (job, ops_done, G_MAXUINT64);
  /* Where the link failed, the loader may have gone on after its last
   * answer: each further sector it may have begun is named too, as one
   * that may be untouched or written in part. */
  for (guint k = ops_done; !ok && k < job->loader.ops_begun && k < job->n_ops; k++)
    if (!job->done[job->ops[k].tag])
      job->unsure[job->ops[k].tag] = TRUE;
  job->ops = NULL;
  if (ok)
    {
      job->loader_locked = TRUE;
      kiln_flash_progress_bytes (job->progress, job->total);
      return TRUE;
    }

  if (g_error_matches (local_error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER))
    {
      /* The host takes over from the first sector not completely written. */
      kiln_flash_job_fall_back (job, local_error);
      g_error_free (local_error);
      return TRUE;
    }
  if (error_at != 0)
    {
      int pos = kiln_chip_find_sector (job->chip, error_at);

      job->result->error_address = error_at;
      if (pos >= 0)
        kiln_flash_progress_sector (job->progress, (guint) pos, KILN_SECTOR_STATE_FAILED);
    }
  if (job->psize == KILN_FLASH_PSIZE_X64 && (error_sr & (KILN_FLASH_SR_PGPERR | KILN_FLASH_SR_ERSERR)))
    {
      /* SWD cannot sense VPP: a refused x64 unit or erase is the sign. */
      if (error_sr & KILN_FLASH_SR_ERSERR)
        g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER,
                     _("The flash refused to erase at x64 (at 0x%08X, flash status 0x%08X): the board does not seem "
                       "to supply VPP (8 to 9 V on the VPP pin). Check the fixture's VPP supply, or program without "
                       "VPP."),
                     error_at, error_sr);
      else
        g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER,
                     _("The flash refused to program at x64 (at 0x%08X, flash status 0x%08X): the board does not "
                       "seem to supply VPP (8 to 9 V on the VPP pin). Check the fixture's VPP supply, or program "
                       "without VPP."),
                     error_at, error_sr);
      g_error_free (local_error);
      return FALSE;
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
program_host_driven (Job     *job,
                     GError **error)
{
  /* Each bus access is one programming unit: its width is the PSIZE. */
  KilnStlinkWidth width = job->psize == KILN_FLASH_PSIZE_X8    ? KILN_STLINK_WIDTH_8
                          : job->psize == KILN_FLASH_PSIZE_X16 ? KILN_STLINK_WIDTH_16
                                                               : KILN_STLINK_WIDTH_32;

  if (width == KILN_STLINK_WIDTH_16
      && !kiln_stlink_has_feature (kiln_stlink_get_version (job->stlink), KILN_STLINK_FEATURE_MEM_16BIT))
    {
      g_autofree char *why = kiln_stlink_feature_missing (kiln_stlink_get_version (job->stlink),
                                                         KILN_STLINK_FEATURE_MEM_16BIT);

      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                   _("At this supply the flash is programmed in halfwords, which the host can only write with "
                     "16-bit memory access, and Kiln's loader could not run (%s). %s"),
                   job->result->fallback_reason ? job->result->fallback_reason : "", why);
      return FALSE;
    }

  for (guint i = 0; i < job->n; i++)
    {
      const KilnFlashPlanSector *s = plan_sector (job, i);
      guint32 cr = (guint32) job->psize << 8;

      if (!to_write (job, i) || job->done[i])
        continue;

      if (!job->blank[i])
        {
          kiln_flash_progress_phase (job->progress, KILN_FLASH_PHASE_ERASE, s->sector->size);
          kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_ERASING);
          job->started[i] = TRUE;
          if (!kiln_flash_controller_erase_sector (&job->ctrl, s->sector, job->psize, job->cancellable, error))
            {
              kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_FAILED);
              return FALSE;
            }
          if (!job->erased[i])
            job->result->erased++;
        }
      job->erased[i] = TRUE;

      kiln_flash_progress_phase (job->progress, KILN_FLASH_PHASE_PROGRAM, job->total);
      kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_WRITING);
      if (!kiln_stlink_write32 (job->stlink, job->ctrl.regs + KILN_FLASH_CR, cr | KILN_FLASH_CR_PG, error))
        return FALSE;
      for (guint r = 0; r < job->ranges[i]->len; r++)
        {
          Range *range = &g_array_index (job->ranges[i], Range, r);

          for (guint32 a = range->offset; a < range->offset + range->length; a += CHUNK)
            {
              guint32 len = MIN ((guint32) CHUNK, range->offset + range->length - a);

              if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
                return FALSE;
              if (!kiln_stlink_write_mem_width (job->stlink, s->sector->address + a, job->content[i] + a, len, width,
                                                error)
                  || !kiln_flash_controller_wait (&job->ctrl, s->sector, 10, error))
                {
                  kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_FAILED);
                  return FALSE;
                }
              job->base_done += len;
              kiln_flash_progress_bytes (job->progress, MIN (job->base_done, job->total));
            }
        }
      sector_written (job, i);
    }
  return TRUE;
}

static gboolean
verify (Job     *job,
        GError **error)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (KilnFlashVerifyRange));
  KilnFlashVerifier verifier = { job->stlink, job->plan, job->content, NULL, job->progress, job->cancellable };
  KilnFlashVerifyOutcome outcome;
  gboolean ok;

  for (guint i = 0; i < job->n; i++)
    {
      const KilnSector *s = plan_sector (job, i)->sector;
      KilnFlashVerifyRange r = { i, s->address, s->address + s->size };

      if (job->done[i])
        g_array_append_val (ranges, r);
    }
  if (job->options->verify_method == KILN_FLASH_VERIFY_CRC && job->loader_ok)
    verifier.loader = &job->loader;
  ok = kiln_flash_verifier_run (&verifier, ranges, &outcome, error);
  if (outcome.fallback != NULL)
    kiln_flash_job_fall_back (job, outcome.fallback);
  job->result->verify_method = outcome.method;
  job->result->verified = ok;
  if (!ok)
    job->result->error_address = outcome.error_address;
  kiln_flash_verify_outcome_clear (&outcome);
  return ok;
}

/* Sectors erased by this job (or whose erase it started: a stopped erase
 * leaves the sector neither old nor new) and not completely written. */
static void
note_incomplete (Job *job)
{
  job->result->n_incomplete = 0;
  job->result->n_unsure = 0;
  for (guint i = 0; i < job->n && job->result->n_incomplete < KILN_FLASH_MAX_SECTORS; i++)
    if ((job->erased[i] || job->started[i]) && !job->done[i])
      job->result->incomplete[job->result->n_incomplete++] = i;
  /* Those the loader may have begun without saying so come last. */
  for (guint i = 0; i < job->n && job->result->n_incomplete < KILN_FLASH_MAX_SECTORS; i++)
    if (job->unsure[i] && !job->erased[i] && !job->started[i] && !job->done[i])
      {
        job->result->incomplete[job->result->n_incomplete++] = i;
        job->result->n_unsure++;
      }
}

static char *
incomplete_list (Job *job)
{
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < job->result->n_incomplete; k++)
    g_string_append_printf (out, "%s%u", k ? ", " : "",
                            plan_sector (job, job->result->incomplete[k])->sector->index);
  return g_string_free (out, FALSE);
}

gboolean
kiln_flash_program (KilnArmTarget           *target,
                    KilnFlashPlan           *plan,
                    const KilnFlashOptions  *options,
                    const KilnFlashProgress *progress,
                    GCancellable            *cancellable,
                    KilnFlashResult         *result,
                    GError                 **error)
{
  Job job = { 0 };
  g_autoptr(GError) local_error = NULL;
  gboolean ok = FALSE, unlocked = FALSE, any = FALSE;
  guint n_write = 0, max_runs;

  kiln_flash_result_clear (result);
  job.target = target;
  job.stlink = kiln_arm_target_get_stlink (target);
  job.chip = kiln_flash_plan_get_chip (plan);
  job.plan = plan;
  job.options = options;
  job.progress = progress;
  job.cancellable = cancellable;
  job.result = result;
  job.n = kiln_flash_plan_get_n_sectors (plan);
  job.content = g_new0 (guint8 *, job.n);
  job.ranges = g_new0 (GArray *, job.n);
  job.erased = g_new0 (gboolean, job.n);
  job.blank = g_new0 (gboolean, job.n);
  job.done = g_new0 (gboolean, job.n);
  job.started = g_new0 (gboolean, job.n);
  job.unsure = g_new0 (gboolean, job.n);
  job.pre_erased = -1;
  kiln_flash_controller_init (&job.ctrl, target);

  if (!preflight (&job, &local_error))
    goto out;
  result->psize = job.psize;
  kiln_flash_plan_set_psize (plan, job.psize);
  kiln_flash_plan_set_link (plan, kiln_stlink_get_version (job.stlink)->hw, kiln_stlink_get_swd_khz (job.stlink));

  if (kiln_flash_plan_get_n_program (plan) > 0)
    {
      if (options->host_driven)
        result->fallback_reason = g_strdup (_("the host-driven path was asked for"));
      else
        {
          GError *setup_error = NULL;

          /* The comparison and the first erase, which the loader starts
           * after it, do not wait for the upload of the program part. */
          job.loader_ok = options->skip_unchanged
                          ? kiln_flash_loader_setup_crc_first (&job.loader, target, job.psize, &setup_error)
                          : kiln_flash_loader_setup_at (&job.loader, target, job.psize, &setup_error);
          /* One start of the loader serves the whole job. */
          job.loader.persistent = TRUE;
          job.loader.supply_psize = job.psize;
          if (!job.loader_ok)
            {
              if (setup_error->domain != KILN_FLASH_ERROR)
                {
                  g_propagate_error (&local_error, setup_error);
                  goto out;
                }
              kiln_flash_job_fall_back (&job, setup_error);
              g_error_free (setup_error);
            }
        }
    }

  /* The reset left its catch set for the loader's start to take off;
   * without the loader it goes now. */
  if (!job.loader_ok && !kiln_arm_clear_reset_catch (target, &local_error))
    goto out;

  if (options->skip_unchanged && kiln_flash_plan_get_n_program (plan) > 0)
    {
      if (!kiln_flash_job_compare (&job, &local_error))
        goto out;
      kiln_flash_plan_set_compared (plan);
    }
  result->estimated_seconds = kiln_flash_plan_get_estimated_seconds (plan);

  for (guint i = 0; i < job.n; i++)
    n_write += to_write (&job, i);
  /* Runs per sector: as many as the loader's operation table holds. */
  max_runs = n_write > 0 && job.loader_ok ? MAX (job.loader.max_ops / n_write, 2u) - 1 : MAX_RANGES;
  for (guint i = 0; i < job.n; i++)
    {
      if (!to_write (&job, i))
        continue;
      if (!prepare_content (&job, i, max_runs, &local_error))
        goto out;
      any = TRUE;
      for (guint r = 0; r < job.ranges[i]->len; r++)
        job.total += g_array_index (job.ranges[i], Range, r).length;
    }

  if (any)
    {
      /* Error flags left from before say nothing about this job, and an
       * operation refuses to start while they are set: the loader clears
       * them and unlocks the controller itself (no round trips). */
      unlocked = TRUE;

      kiln_flash_progress_phase (job.progress, KILN_FLASH_PHASE_PROGRAM, job.total);
      if (job.loader_ok && !program_with_loader (&job, &local_error))
        goto out;
      if (!job.loader_ok)
        {
          /* Whatever the loader did not finish, the host does, from a
           * clean status register. */
          if (!kiln_flash_controller_clear_errors (&job.ctrl, &local_error)
              || !kiln_flash_controller_unlock (&job.ctrl, &local_error))
            goto out;
          for (guint i = 0; i < job.n; i++)
            if (job.done[i])
              for (guint r = 0; r < job.ranges[i]->len; r++)
                job.base_done += g_array_index (job.ranges[i], Range, r).length;
          if (!program_host_driven (&job, &local_error))
            goto out;
        }
      result->used_loader = job.loader_ok;
      result->bytes_link = job.loader.link_bytes;
      /* A loader that went through all its operations locked it already. */
      if (!job.loader_locked || !job.loader_ok)
        kiln_flash_controller_lock (&job.ctrl);
      unlocked = FALSE;

      if (options->verify && result->written > 0 && !verify (&job, &local_error))
        goto out;
    }

  ok = TRUE;

out:
  /* Never leave the controller unlocked; whatever the core was doing, it
   * stops first (a loader stopped mid-run must not go on writing). */
  if (!ok)
    {
      kiln_arm_halt (target, NULL);
      kiln_arm_clear_reset_catch (target, NULL);
      {
        g_autoptr(GError) ignored = NULL;

        kiln_flash_controller_wait (&job.ctrl, NULL, 60, &ignored);
      }
    }
  if (unlocked || !ok)
    kiln_flash_controller_lock (&job.ctrl);
  note_incomplete (&job);

  if (!ok && (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
              || g_cancellable_is_cancelled (cancellable)))
    {
      g_autofree char *list = incomplete_list (&job);

      g_clear_error (&local_error);
      if (result->n_incomplete > 0)
        g_set_error (&local_error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "Programming was cancelled. Sector %s was left half-written, so the chip does not "
                                  "hold a complete firmware: program it again.",
                                  "Programming was cancelled. Sectors %s were left half-written, so the chip does not "
                                  "hold a complete firmware: program it again.",
                                  result->n_incomplete),
                     list);
      else
        g_set_error_literal (&local_error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED,
                             _("Programming was cancelled. No sector was left half-written."));
    }

  /* Reset and run when asked (also after a cancel); else stay halted, at
   * the firmware's first instruction rather than in Kiln's loader. */
  if (ok || g_error_matches (local_error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED))
    {
      if (options->reset)
        {
          gboolean by_loader = FALSE;

          kiln_flash_progress_phase (job.progress, KILN_FLASH_PHASE_RESET, 0);
          /* The loader that just programmed the flash resets the chip
           * itself where it can; a write that failed leaves it to the
           * host's own reset, which says what is wrong. */
          if (ok && !kiln_flash_loader_reset_run (&job.loader, &by_loader, NULL))
            by_loader = FALSE;
          if (!by_loader)
            kiln_arm_reset_run (target, ok ? &local_error : NULL);
        }
      else if (job.loader.code != 0)
        kiln_arm_reset_halt (target, ok ? &local_error : NULL);
      if (ok && local_error != NULL)
        ok = FALSE;
    }

  for (guint i = 0; i < job.n; i++)
    {
      g_free (job.content[i]);
      if (job.ranges[i])
        g_array_unref (job.ranges[i]);
    }
  g_free (job.content);
  g_free (job.ranges);
  g_free (job.erased);
  g_free (job.blank);
  g_free (job.done);
  g_free (job.started);
  g_free (job.unsure);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
