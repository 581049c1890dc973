/* kiln-flash-compare.c — the differential of a programming job: which
 * sectors already hold their bytes, which are blank, on the target by the
 * loader's CRCs (which may start the first erase itself), else by reading
 * them back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kiln-flash-job.h"
#include "kiln-flash-units.h"

/* The ranges the differential compares: the whole sector, or with
 * preserve_unwritten only the image's pieces (word-aligned). */
static void
compare_ranges (Job    *job,
                guint   i,
                GArray *out)
{
  const KilnFlashPlanSector *s = plan_sector (job, i);

  if (!job->options->preserve_unwritten)
    {
      Range r = { 0, s->sector->size };

      g_array_append_val (out, r);
      return;
    }
  for (guint p = 0; p < s->pieces->len; p++)
    {
      const KilnFlashPiece *piece = &g_array_index (s->pieces, KilnFlashPiece, p);
      guint32 start = (piece->address - s->sector->address) & ~3u;
      guint32 end = (piece->address - s->sector->address + piece->size + 3) & ~3u;
      Range r = { start, end - start };

      g_array_append_val (out, r);
    }
}

/* Differential: sectors that already hold their bytes are left alone. */
gboolean
kiln_flash_job_compare (Job     *job,
                        GError **error)
{
  g_autofree guint8 *want = NULL;
  g_autofree guint8 *have = NULL;
  guint64 done = 0;

  kiln_flash_progress_phase (job->progress, KILN_FLASH_PHASE_COMPARE, kiln_flash_plan_get_erase_bytes (job->plan));

  if (job->loader_ok)
    {
      g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) owner = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) erase_crs = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) local = g_array_new (FALSE, FALSE, sizeof (Range));
      g_autofree guint32 *crcs = NULL;
      g_autofree gboolean *blank = NULL;
      GError *local_error = NULL;
      /* The loader may start the first erase itself (see
       * kiln_flash_loader_compare()), where this job would erase the
       * sector anyway: a whole sector the loader erases (not with
       * host_erase), and not preserving bytes (whose ranges are pieces). */
      gboolean loader_erases = !job->options->host_erase && !job->options->preserve_unwritten;
      gint erase_started = -1;
      gboolean ok;

      for (guint i = 0; i < job->n; i++)
        {
          const KilnFlashPlanSector *s = plan_sector (job, i);

          if (s->action != KILN_FLASH_ACTION_PROGRAM)
            continue;
          g_free (want);
          want = g_malloc (s->sector->size);
          kiln_flash_plan_fill_sector (job->plan, i, want);
          g_array_set_size (local, 0);
          compare_ranges (job, i, local);
          for (guint r = 0; r < local->len; r++)
            {
              Range *range = &g_array_index (local, Range, r);
              guint32 pair[2] = { s->sector->address + range->offset, range->length };
              guint32 crc = kiln_flash_crc32 (0xFFFFFFFF, want + range->offset, range->length);
              guint32 cr = loader_erases && range->offset == 0 && range->length == s->sector->size
                           ? ((guint32) job->psize << 8) | KILN_FLASH_CR_SER | (s->sector->snb << 3) : 0;

              g_array_append_vals (ranges, pair, 2);
              g_array_append_val (owner, i);
              g_array_append_val (expected, crc);
              g_array_append_val (erase_crs, cr);
            }
        }
      crcs = g_new0 (guint32, MAX (owner->len, 1));
      blank = g_new0 (gboolean, MAX (owner->len, 1));
      ok = kiln_flash_loader_compare (&job->loader, job->ctrl.regs, (guint32 *) ranges->data, owner->len,
                                      (guint32 *) expected->data, loader_erases ? (guint32 *) erase_crs->data : NULL,
                                      crcs, blank, &erase_started, job->cancellable, &local_error);
      /* The sector whose erase the loader started no longer holds what it
       * held; where the loader's results cannot say, any it may have. */
      if (erase_started >= 0)
        {
          job->pre_erased = (gint) g_array_index (owner, guint, erase_started);
          job->started[job->pre_erased] = TRUE;
          kiln_flash_progress_sector (job->progress, (guint) job->pre_erased, KILN_SECTOR_STATE_ERASING);
        }
      else if (erase_started == -2)
        for (guint k = 0; k < owner->len; k++)
          if (g_array_index (erase_crs, guint32, k) != 0)
            job->started[g_array_index (owner, guint, k)] = TRUE;
      if (ok)
        {
          guint k = 0;

          for (guint i = 0; i < job->n; i++)
            {
              const KilnFlashPlanSector *s = plan_sector (job, i);
              gboolean same = TRUE, is_blank = FALSE;

              if (s->action != KILN_FLASH_ACTION_PROGRAM)
                continue;
              for (; k < owner->len && g_array_index (owner, guint, k) == i; k++)
                {
                  guint32 *pair = &g_array_index (ranges, guint32, 2 * k);

                  if (g_array_index (expected, guint32, k) != crcs[k])
                    same = FALSE;
                  /* Only a range that is the whole sector says it is blank. */
                  if (blank[k] && pair[0] == s->sector->address && pair[1] == s->sector->size)
                    is_blank = TRUE;
                }
              if (same)
                {
                  kiln_flash_plan_set_unchanged (job->plan, i, TRUE);
                  kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_UNCHANGED);
                  job->result->skipped++;
                }
              else if (is_blank)
                kiln_flash_job_set_blank (job, i);
              done += s->sector->size;
            }
          kiln_flash_progress_bytes (job->progress, done);
          return TRUE;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || local_error->domain != KILN_FLASH_ERROR)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      /* The host erases again what the loader may have started. */
      job->pre_erased = -1;
      kiln_flash_job_fall_back (job, local_error);
      g_error_free (local_error);
    }

  /* Without the loader: read every planned sector back. */
  for (guint i = 0; i < job->n; i++)
    {
      const KilnFlashPlanSector *s = plan_sector (job, i);
      g_autoptr(GArray) local = g_array_new (FALSE, FALSE, sizeof (Range));
      gboolean same = TRUE;

      if (s->action != KILN_FLASH_ACTION_PROGRAM)
        continue;
      g_free (want);
      g_free (have);
      want = g_malloc (s->sector->size);
      have = g_malloc (s->sector->size);
      kiln_flash_plan_fill_sector (job->plan, i, want);
      if (!kiln_stlink_read_mem (job->stlink, s->sector->address, have, s->sector->size, error))
        return FALSE;
      compare_ranges (job, i, local);
      for (guint r = 0; r < local->len; r++)
        {
          Range *range = &g_array_index (local, Range, r);

          if (memcmp (want + range->offset, have + range->offset, range->length) != 0)
            same = FALSE;
        }
      done += s->sector->size;
      kiln_flash_progress_bytes (job->progress, done);
      if (same)
        {
          kiln_flash_plan_set_unchanged (job->plan, i, TRUE);
          kiln_flash_progress_sector (job->progress, i, KILN_SECTOR_STATE_UNCHANGED);
          job->result->skipped++;
        }
      else if (!job->options->preserve_unwritten && kiln_flash_is_erased (have, s->sector->size))
        kiln_flash_job_set_blank (job, i);
      if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

