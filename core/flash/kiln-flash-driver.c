/* kiln-flash-driver.c — host-driven sector erase and programming
 *
 * This is the direct path: the host writes each word through the probe and
 * the flash's BSY stalls the bus between words. The loader stub that lets the
 * flash, not the link, set the pace is the next step (issue 5); the result
 * of this path is correct, only slower.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-flash-controller.h"
#include "kiln-flash-driver.h"

#define DHCSR         0xE000EDF0u
#define AIRCR         0xE000ED0Cu
#define DBGMCU_APB1FZ 0xE0042008u

#define CHUNK 1024

typedef struct
{
  KilnArmTarget           *target;
  KilnStlink              *stlink;
  KilnChip                *chip;
  KilnFlashController      ctrl;
  const KilnFlashProgress *progress;
} Job;

static void
phase (Job   *job,
       guint  p,
       guint64 total)
{
  if (job->progress && job->progress->phase)
    job->progress->phase (job->progress->user_data, p, total);
}

static void
bytes (Job     *job,
       guint64  done)
{
  if (job->progress && job->progress->bytes)
    job->progress->bytes (job->progress->user_data, done);
}

static void
sector_state (Job             *job,
              guint            position,
              KilnSectorState  state)
{
  if (job->progress && job->progress->sector)
    job->progress->sector (job->progress->user_data, position, state);
}

static gboolean
preflight (Job            *job,
           KilnFlashPlan  *plan,
           KilnFlashPsize *psize,
           GError        **error)
{
  g_autoptr(GArray) protected = kiln_arm_target_dup_protected (job->target);
  double volts = 3.3;

  phase (job, KILN_FLASH_PHASE_PREFLIGHT, 0);

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

      if (kiln_flash_plan_get_sector (plan, pos)->action == KILN_FLASH_ACTION_PROGRAM)
        {
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED,
                       _("Sector %u is write-protected (option byte nWRP), and the image has %u bytes for it. "
                         "Remove the protection in Option bytes, or leave the sector out of the image. Nothing was erased."),
                       kiln_chip_get_sector (job->chip, pos)->index, kiln_flash_plan_get_sector (plan, pos)->bytes);
          return FALSE;
        }
    }

  if (kiln_stlink_read_voltage (job->stlink, &volts, NULL) && volts < 1.8)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VOLTAGE,
                   _("The target supply is %.2f V, too low to program flash: check the board's power. Nothing was erased."),
                   volts);
      return FALSE;
    }
  *psize = kiln_flash_psize_for_voltage (volts, FALSE);

  /* Halt the core so running firmware cannot touch the flash, and freeze
   * the watchdogs while it is halted. */
  if (!kiln_stlink_write32 (job->stlink, DHCSR, 0xA05F0003, error)
      || !kiln_stlink_write32 (job->stlink, DBGMCU_APB1FZ, (1u << 11) | (1u << 12), error))
    return FALSE;
  return TRUE;
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
  Job job = { target, kiln_arm_target_get_stlink (target), kiln_flash_plan_get_chip (plan), { 0 }, progress };
  guint n = kiln_flash_plan_get_n_sectors (plan);
  g_autofree guint8 *want = NULL;
  g_autofree guint8 *have = NULL;
  KilnFlashPsize psize = KILN_FLASH_PSIZE_X32;
  guint64 total = 0, done = 0;
  gboolean ok = FALSE;
  guint32 max_sector = 0;

  memset (result, 0, sizeof *result);
  kiln_flash_controller_init (&job.ctrl, target);

  if (!preflight (&job, plan, &psize, error))
    return FALSE;
  result->psize = psize;

  for (guint i = 0; i < n; i++)
    max_sector = MAX (max_sector, kiln_flash_plan_get_sector (plan, i)->sector->size);
  want = g_malloc (max_sector);
  have = g_malloc (max_sector);

  /* Differential: a sector that already holds exactly its bytes is left alone. */
  if (options->skip_unchanged)
    {
      phase (&job, KILN_FLASH_PHASE_COMPARE, kiln_flash_plan_get_erase_bytes (plan));
      for (guint i = 0; i < n; i++)
        {
          const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (plan, i);

          if (s->action != KILN_FLASH_ACTION_PROGRAM)
            continue;
          kiln_flash_plan_fill_sector (plan, i, want);
          if (!kiln_stlink_read_mem (job.stlink, s->sector->address, have, s->sector->size, error))
            return FALSE;
          done += s->sector->size;
          bytes (&job, done);
          if (memcmp (want, have, s->sector->size) == 0)
            {
              kiln_flash_plan_set_unchanged (plan, i, TRUE);
              sector_state (&job, i, KILN_SECTOR_STATE_UNCHANGED);
              result->skipped++;
            }
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
        }
    }

  total = kiln_flash_plan_get_program_bytes (plan);
  if (kiln_flash_plan_get_n_program (plan) > 0)
    {
      /* Error flags left from before are cleared first; they say nothing
       * about this job. */
      if (!kiln_flash_controller_clear_errors (&job.ctrl, error) || !kiln_flash_controller_unlock (&job.ctrl, error))
        return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (plan, i);
      guint32 cr = (guint32) psize << 8;

      if (s->action != KILN_FLASH_ACTION_PROGRAM)
        continue;

      phase (&job, KILN_FLASH_PHASE_ERASE, s->sector->size);
      sector_state (&job, i, KILN_SECTOR_STATE_ERASING);
      if (!kiln_flash_controller_erase_sector (&job.ctrl, s->sector, psize, cancellable, error))
        goto out;
      result->erased++;

      phase (&job, KILN_FLASH_PHASE_PROGRAM, total);
      sector_state (&job, i, KILN_SECTOR_STATE_WRITING);
      if (!kiln_stlink_write32 (job.stlink, job.ctrl.regs + KILN_FLASH_CR, cr | KILN_FLASH_CR_PG, error))
        goto out;
      kiln_flash_plan_fill_sector (plan, i, want);
      for (guint p = 0; p < s->pieces->len; p++)
        {
          const KilnFlashPiece *piece = &g_array_index (s->pieces, KilnFlashPiece, p);
          guint32 start = piece->address & ~3u;
          guint32 end = (piece->address + piece->size + 3) & ~3u;

          for (guint32 a = start; a < end; a += CHUNK)
            {
              guint32 len = MIN ((guint32) CHUNK, end - a);

              if (g_cancellable_set_error_if_cancelled (cancellable, error))
                goto out;
              if (!kiln_stlink_write_mem (job.stlink, a, want + (a - s->sector->address), len, error)
                  || !kiln_flash_controller_wait (&job.ctrl, s->sector, 10, error))
                goto out;
              done += len;
              bytes (&job, MIN (done, total));
            }
        }
      result->written++;
      result->bytes_written += s->bytes;
    }

  kiln_flash_controller_lock (&job.ctrl);

  if (options->verify && kiln_flash_plan_get_n_program (plan) > 0)
    {
      done = 0;
      phase (&job, KILN_FLASH_PHASE_VERIFY, kiln_flash_plan_get_erase_bytes (plan));
      for (guint i = 0; i < n; i++)
        {
          const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (plan, i);

          if (s->action != KILN_FLASH_ACTION_PROGRAM)
            continue;
          sector_state (&job, i, KILN_SECTOR_STATE_VERIFYING);
          kiln_flash_plan_fill_sector (plan, i, want);
          if (!kiln_stlink_read_mem (job.stlink, s->sector->address, have, s->sector->size, error))
            goto out;
          for (guint32 b = 0; b < s->sector->size; b++)
            {
              if (want[b] != have[b])
                {
                  sector_state (&job, i, KILN_SECTOR_STATE_FAILED);
                  g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY,
                               _("Verification failed in sector %u at 0x%08X: the flash holds 0x%02X where the image "
                                 "has 0x%02X. Program again; if it fails at the same place, the chip's flash may be worn."),
                               s->sector->index, s->sector->address + b, have[b], want[b]);
                  goto out;
                }
            }
          done += s->sector->size;
          bytes (&job, done);
          sector_state (&job, i, KILN_SECTOR_STATE_VERIFIED);
        }
      result->verified = TRUE;
    }

  if (options->reset)
    {
      phase (&job, KILN_FLASH_PHASE_RESET, 0);
      /* A system reset while halted: the core restarts from its reset
       * vector and runs the new firmware. */
      kiln_stlink_write32 (job.stlink, AIRCR, 0x05FA0004, NULL);
      kiln_stlink_write32 (job.stlink, DHCSR, 0xA05F0001, NULL);
    }
  ok = TRUE;

out:
  /* Never leave the controller unlocked. */
  kiln_flash_controller_lock (&job.ctrl);
  return ok;
}
