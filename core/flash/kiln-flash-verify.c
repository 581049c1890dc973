/* kiln-flash-verify.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-chip.h"
#include "kiln-flash-error.h"
#include "kiln-flash-verify.h"

/* Small enough to cancel promptly and report progress often. */
#define READ_CHUNK (8 * 1024)

typedef KilnFlashVerifyRange Range;

static const KilnSector *
sector_of (const KilnFlashVerifier *v,
           const Range             *r)
{
  return kiln_flash_plan_get_sector (v->plan, r->position)->sector;
}

static gboolean
first_of_sector (GArray *ranges,
                 guint   i)
{
  return i == 0 || g_array_index (ranges, Range, i - 1).position != g_array_index (ranges, Range, i).position;
}

static gboolean
last_of_sector (GArray *ranges,
                guint   i)
{
  return i + 1 == ranges->len
         || g_array_index (ranges, Range, i + 1).position != g_array_index (ranges, Range, i).position;
}

/* Reads @r back and compares it; a difference is the error. *@done counts
 * the bytes compared when @done is not NULL. */
static gboolean
read_back (const KilnFlashVerifier *v,
           const Range             *r,
           guint64                 *done,
           KilnFlashVerifyOutcome  *outcome,
           GError                 **error)
{
  const KilnSector *s = sector_of (v, r);
  const guint8 *want = v->content[r->position] + (r->start - s->address);
  g_autofree guint8 *have = g_malloc (MIN ((guint32) READ_CHUNK, r->end - r->start) + 1);

  for (guint32 o = 0; o < r->end - r->start; o += READ_CHUNK)
    {
      guint32 len = MIN ((guint32) READ_CHUNK, r->end - r->start - o);

      if (g_cancellable_set_error_if_cancelled (v->cancellable, error))
        return FALSE;
      if (!kiln_stlink_read_mem (v->stlink, r->start + o, have, len, error))
        return FALSE;
      for (guint32 b = 0; b < len; b++)
        {
          if (want[o + b] != have[b])
            {
              kiln_flash_progress_sector (v->progress, r->position, KILN_SECTOR_STATE_FAILED);
              outcome->error_address = r->start + o + b;
              g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY,
                           _("Verification failed in sector %u at 0x%08X: the flash holds 0x%02X where the file "
                             "has 0x%02X. Program the file again; if it fails at the same place, the chip's flash "
                             "may be worn."),
                           s->index, r->start + o + b, have[b], want[o + b]);
              return FALSE;
            }
        }
      if (done != NULL)
        {
          *done += len;
          kiln_flash_progress_bytes (v->progress, *done);
        }
    }
  return TRUE;
}

/* The CRC the range must have: a word-aligned stretch, the bytes outside
 * the range taken from the flash itself so that only the range's count. */
static gboolean
expected_crc (const KilnFlashVerifier *v,
              const Range             *r,
              guint32                  pair[2],
              guint32                 *crc,
              GError                 **error)
{
  const KilnSector *s = sector_of (v, r);
  guint32 a0 = r->start & ~3u, a1 = (r->end + 3) & ~3u;
  g_autofree guint8 *want = g_memdup2 (v->content[r->position] + (a0 - s->address), a1 - a0);
  guint8 word[4];

  if (a0 != r->start)
    {
      if (!kiln_stlink_read_mem (v->stlink, a0, word, 4, error))
        return FALSE;
      memcpy (want, word, r->start - a0);
    }
  if (a1 != r->end)
    {
      if (!kiln_stlink_read_mem (v->stlink, a1 - 4, word, 4, error))
        return FALSE;
      for (guint32 a = r->end; a < a1; a++)
        want[a - a0] = word[a - (a1 - 4)];
    }
  pair[0] = a0;
  pair[1] = a1 - a0;
  *crc = kiln_flash_crc32 (0xFFFFFFFF, want, a1 - a0);
  return TRUE;
}

/* TRUE with *@fell_back set when the loader failed and read-back must do. */
static gboolean
verify_crc (const KilnFlashVerifier *v,
            GArray                  *ranges,
            KilnFlashVerifyOutcome  *outcome,
            gboolean                *fell_back,
            GError                 **error)
{
  g_autofree guint32 *pairs = g_new0 (guint32, 2 * MAX (ranges->len, 1));
  g_autofree guint32 *expected = g_new0 (guint32, MAX (ranges->len, 1));
  g_autofree guint32 *crcs = g_new0 (guint32, MAX (ranges->len, 1));
  GError *local_error = NULL;
  guint64 done = 0;

  for (guint i = 0; i < ranges->len; i++)
    if (!expected_crc (v, &g_array_index (ranges, Range, i), pairs + 2 * i, expected + i, error))
      return FALSE;
  for (guint i = 0; i < ranges->len; i++)
    if (first_of_sector (ranges, i))
      kiln_flash_progress_sector (v->progress, g_array_index (ranges, Range, i).position,
                                  KILN_SECTOR_STATE_VERIFYING);

  if (!kiln_flash_loader_crc (v->loader, pairs, ranges->len, crcs, NULL, v->cancellable, &local_error))
    {
      if (local_error->domain != KILN_FLASH_ERROR)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      outcome->fallback = local_error;
      *fell_back = TRUE;
      return TRUE;
    }

  for (guint i = 0; i < ranges->len; i++)
    {
      const Range *r = &g_array_index (ranges, Range, i);

      if (crcs[i] != expected[i])
        {
          const KilnSector *s = sector_of (v, r);

          /* Name the address by reading the range back. */
          if (!read_back (v, r, NULL, outcome, error))
            return FALSE;
          /* The CRC differed but the bytes did not. */
          kiln_flash_progress_sector (v->progress, r->position, KILN_SECTOR_STATE_FAILED);
          outcome->error_address = r->start;
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY,
                       _("Verification failed in sector %u (0x%08X): its CRC on the target does not match the "
                         "file, but the bytes read back do, so something is changing the flash or the reads are "
                         "unreliable. Check the board's supply and the probe's wiring, reset the board and try "
                         "again."),
                       s->index, r->start);
          return FALSE;
        }
      done += r->end - r->start;
      kiln_flash_progress_bytes (v->progress, done);
      if (last_of_sector (ranges, i))
        {
          kiln_flash_progress_sector (v->progress, r->position, KILN_SECTOR_STATE_VERIFIED);
          outcome->sectors++;
        }
    }
  return TRUE;
}

gboolean
kiln_flash_verifier_run (const KilnFlashVerifier *v,
                         GArray                  *ranges,
                         KilnFlashVerifyOutcome  *outcome,
                         GError                 **error)
{
  guint64 total = 0, done = 0;
  gboolean fell_back = FALSE;

  memset (outcome, 0, sizeof *outcome);
  for (guint i = 0; i < ranges->len; i++)
    total += g_array_index (ranges, Range, i).end - g_array_index (ranges, Range, i).start;
  kiln_flash_progress_phase (v->progress, KILN_FLASH_PHASE_VERIFY, total);
  outcome->bytes = total;

  if (v->loader != NULL)
    {
      outcome->method = KILN_FLASH_VERIFY_CRC;
      if (!verify_crc (v, ranges, outcome, &fell_back, error))
        return FALSE;
      if (!fell_back)
        return TRUE;
    }

  outcome->method = KILN_FLASH_VERIFY_READ_BACK;
  outcome->sectors = 0;
  for (guint i = 0; i < ranges->len; i++)
    {
      const Range *r = &g_array_index (ranges, Range, i);

      if (first_of_sector (ranges, i))
        kiln_flash_progress_sector (v->progress, r->position, KILN_SECTOR_STATE_VERIFYING);
      if (!read_back (v, r, &done, outcome, error))
        return FALSE;
      if (last_of_sector (ranges, i))
        {
          kiln_flash_progress_sector (v->progress, r->position, KILN_SECTOR_STATE_VERIFIED);
          outcome->sectors++;
        }
    }
  return TRUE;
}

void
kiln_flash_verify_outcome_clear (KilnFlashVerifyOutcome *outcome)
{
  g_clear_error (&outcome->fallback);
  memset (outcome, 0, sizeof *outcome);
}
