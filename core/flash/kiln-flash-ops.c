/* kiln-flash-ops.c — erase, read and verify, with their pre-flight
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-flash-controller.h"
#include "kiln-flash-loader.h"
#include "kiln-flash-ops.h"
#include "kiln-flash-option-bytes.h"
#include "kiln-flash-plan.h"

#define DBGMCU_APB1FZ 0xE0042008u
#define FZ_WATCHDOGS  ((1u << 11) | (1u << 12))

/* Small enough to cancel promptly and report progress often. */
#define READ_CHUNK (8 * 1024)

static void
phase (const KilnFlashProgress *p,
       guint                    ph,
       guint64                  total)
{
  if (p && p->phase)
    p->phase (p->user_data, ph, total);
}

static void
bytes (const KilnFlashProgress *p,
       guint64                  done)
{
  if (p && p->bytes)
    p->bytes (p->user_data, done);
}

static void
sector_state (const KilnFlashProgress *p,
              guint                    position,
              KilnSectorState          state)
{
  if (p && p->sector)
    p->sector (p->user_data, position, state);
}

gboolean
kiln_flash_halt_core (KilnArmTarget  *target,
                      gboolean       *was_running,
                      GError        **error)
{
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  gboolean halted = FALSE;
  guint32 fz = 0;

  if (!kiln_arm_is_halted (target, &halted, error))
    return FALSE;
  *was_running = !halted;
  /* Freeze the watchdogs while the core is halted, so a hardware watchdog
   * cannot reset the chip under the operation. */
  return kiln_arm_halt (target, error)
         && kiln_stlink_read32 (stlink, DBGMCU_APB1FZ, &fz, error)
         && kiln_stlink_write32 (stlink, DBGMCU_APB1FZ, fz | FZ_WATCHDOGS, error);
}

void
kiln_flash_resume_core (KilnArmTarget *target)
{
  kiln_arm_resume (target, FALSE, NULL);
}

/* ------------------------------------------------------------------ */
/* Erase                                                                */

static char *
sector_numbers (KilnChip *chip,
                GArray   *positions)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < positions->len; i++)
    g_string_append_printf (out, "%s%u", i ? "," : "",
                            kiln_chip_get_sector (chip, g_array_index (positions, guint, i))->index);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
refuse_read_protected (KilnArmTarget  *target,
                       const char     *what,
                       GError        **error)
{
  guint level = kiln_arm_target_get_rdp_level (target);

  if (level == 0)
    return TRUE;
  if (level == 2)
    g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_READ_PROTECTED,
                 _("The chip is at read protection level 2: %s is impossible through a debugger, for good."), what);
  else
    g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_READ_PROTECTED,
                 _("The chip is read-protected (RDP level 1): %s is not possible through the debugger. Lowering the "
                   "protection to level 0 erases the whole chip; do it with “kiln-cli option-bytes set rdp=0 "
                   "--confirm” if you mean to."),
                 what);
  return FALSE;
}

gboolean
kiln_flash_erase (KilnArmTarget           *target,
                  GArray                  *positions,
                  const KilnFlashProgress *progress,
                  GCancellable            *cancellable,
                  KilnFlashEraseResult    *result,
                  GError                 **error)
{
  KilnChip *chip = kiln_arm_target_get_chip (target);
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  g_autoptr(GArray) protected = NULL;
  g_autoptr(GArray) blocked = g_array_new (FALSE, FALSE, sizeof (guint));
  KilnFlashController ctrl;
  KilnOptionBytes ob;
  double volts = 3.3;
  gboolean measured;
  gboolean was_running = FALSE, ok = FALSE, keeps_vectors = TRUE;
  guint64 total = 0, done = 0;

  memset (result, 0, sizeof *result);
  result->mass = positions == NULL;
  phase (progress, KILN_FLASH_PHASE_PREFLIGHT, 0);

  if (positions != NULL && positions->len == 0)
    {
      g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                           _("No sectors were named to erase. Nothing was erased."));
      return FALSE;
    }
  if (!refuse_read_protected (target, _("erasing sectors"), error))
    return FALSE;

  /* The option bytes as they are now, not as they were at connection. */
  if (!kiln_option_bytes_read (target, &ob, error))
    return FALSE;
  protected = kiln_option_bytes_dup_protected (&ob, chip);
  for (guint i = 0; i < protected->len; i++)
    {
      guint p = g_array_index (protected, guint, i);
      gboolean named = positions == NULL;

      for (guint j = 0; positions != NULL && j < positions->len && !named; j++)
        named = g_array_index (positions, guint, j) == p;
      if (named)
        g_array_append_val (blocked, p);
    }
  if (blocked->len > 0)
    {
      g_autofree char *list = sector_numbers (chip, blocked);

      if (positions == NULL)
        g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "A mass erase is refused while sector %s is write-protected. Remove the "
                                  "protection with “kiln-cli option-bytes set unprotect=all --confirm”, or erase "
                                  "the other sectors by number. Nothing was erased.",
                                  "A mass erase is refused while sectors %s are write-protected. Remove the "
                                  "protection with “kiln-cli option-bytes set unprotect=all --confirm”, or erase "
                                  "the other sectors by number. Nothing was erased.",
                                  blocked->len),
                     list);
      else
        g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "Sector %s is write-protected (option byte nWRP). Remove the protection with "
                                  "“kiln-cli option-bytes set unprotect=%s --confirm”, or leave it out. Nothing "
                                  "was erased.",
                                  "Sectors %s are write-protected (option byte nWRP). Remove the protection with "
                                  "“kiln-cli option-bytes set unprotect=%s --confirm”, or leave them out. Nothing "
                                  "was erased.",
                                  blocked->len),
                     list, list);
      return FALSE;
    }

  /* A probe that cannot measure the supply (before V2J13): the width that
   * is safe at any supply. */
  measured = kiln_stlink_read_voltage (stlink, &volts, NULL);
  if (measured && volts < 1.8)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VOLTAGE,
                   _("The target supply is %.2f V, too low to erase flash: check the board's power. Nothing was erased."),
                   volts);
      return FALSE;
    }
  result->psize = measured ? kiln_flash_psize_for_voltage (volts, FALSE) : KILN_FLASH_PSIZE_X8;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  kiln_flash_controller_init (&ctrl, target);
  if (!kiln_flash_halt_core (target, &was_running, error))
    return FALSE;
  if (!kiln_flash_controller_clear_errors (&ctrl, error) || !kiln_flash_controller_unlock (&ctrl, error))
    goto out;

  if (positions == NULL)
    {
      total = kiln_chip_get_flash_size (chip);
      phase (progress, KILN_FLASH_PHASE_ERASE, total);
      for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
        sector_state (progress, i, KILN_SECTOR_STATE_ERASING);
      /* Both banks at once in dual-bank mode (MER and MER2). */
      if (!kiln_flash_controller_mass_erase (&ctrl, TRUE, kiln_chip_is_dual_bank (chip), result->psize, error))
        {
          for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
            sector_state (progress, i, KILN_SECTOR_STATE_FAILED);
          goto out;
        }
      for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
        sector_state (progress, i, KILN_SECTOR_STATE_UNTOUCHED);
      result->sectors = kiln_chip_get_n_sectors (chip);
      result->bytes = total;
      bytes (progress, total);
      keeps_vectors = FALSE;
      ok = TRUE;
      goto out;
    }

  for (guint i = 0; i < positions->len; i++)
    total += kiln_chip_get_sector (chip, g_array_index (positions, guint, i))->size;
  phase (progress, KILN_FLASH_PHASE_ERASE, total);
  for (guint i = 0; i < positions->len; i++)
    sector_state (progress, g_array_index (positions, guint, i), KILN_SECTOR_STATE_PLANNED);
  for (guint i = 0; i < positions->len; i++)
    {
      guint p = g_array_index (positions, guint, i);
      const KilnSector *s = kiln_chip_get_sector (chip, p);

      sector_state (progress, p, KILN_SECTOR_STATE_ERASING);
      if (!kiln_flash_controller_erase_sector (&ctrl, s, result->psize, cancellable, error))
        {
          sector_state (progress, p, KILN_SECTOR_STATE_FAILED);
          goto out;
        }
      /* Erased: it holds nothing of any image now. */
      sector_state (progress, p, KILN_SECTOR_STATE_UNTOUCHED);
      if (s->address == kiln_chip_get_flash_base (chip))
        keeps_vectors = FALSE;
      result->sectors++;
      result->bytes += s->size;
      done += s->size;
      bytes (progress, done);
    }
  ok = TRUE;

out:
  kiln_flash_controller_lock (&ctrl);
  /* Firmware that ran before runs on, unless its vector table was erased. */
  if (ok && was_running && keeps_vectors)
    kiln_flash_resume_core (target);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Read                                                                 */

static gboolean
touches_flash (KilnChip *chip,
               guint32   address,
               guint64   length)
{
  guint64 end = (guint64) address + length;
  guint32 size = kiln_chip_get_flash_size (chip);
  guint32 itcm = kiln_chip_get_line (chip)->itcm_flash;

  if (address < (guint64) KILN_CHIP_FLASH_BASE + size && end > KILN_CHIP_FLASH_BASE)
    return TRUE;
  return itcm != 0 && address < (guint64) itcm + size && end > itcm;
}

/* "The flash is 0x08000000–0x080FFFFF; RAM: DTCM 0x20000000–…" */
static char *
memory_map_words (KilnChip *chip)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_string_append_printf (out, _("On this chip the flash is 0x%08X–0x%08X"), kiln_chip_get_flash_base (chip),
                          kiln_chip_get_flash_base (chip) + kiln_chip_get_flash_size (chip) - 1);
  for (guint i = 0; i < kiln_chip_get_n_ram (chip); i++)
    {
      const KilnMemRegion *r = kiln_chip_get_ram (chip, i);

      g_string_append_printf (out, ", %s 0x%08X–0x%08X", r->name, r->address, r->address + r->size - 1);
    }
  g_string_append_c (out, '.');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
kiln_flash_read (KilnArmTarget           *target,
                 guint32                  address,
                 guint8                  *buffer,
                 gsize                    length,
                 const KilnFlashProgress *progress,
                 GCancellable            *cancellable,
                 GError                 **error)
{
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  g_autoptr(GError) local_error = NULL;
  gsize done = 0;

  phase (progress, KILN_FLASH_PHASE_PREFLIGHT, 0);
  if ((guint64) address + length > G_GUINT64_CONSTANT (0x100000000))
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   _("0x%08X plus %zu bytes runs past the end of the address space"), address, length);
      return FALSE;
    }
  if (touches_flash (kiln_arm_target_get_chip (target), address, length)
      && !refuse_read_protected (target, _("reading the flash"), error))
    return FALSE;

  phase (progress, KILN_FLASH_OPS_PHASE_READ, length);
  while (done < length)
    {
      gsize n = MIN ((gsize) READ_CHUNK, length - done);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!kiln_stlink_read_mem (stlink, address + (guint32) done, buffer + done, n, &local_error))
        {
          if (g_error_matches (local_error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FAULT))
            {
              /* A bus fault: nothing is mapped there. Say where memory is. */
              g_autofree char *where = memory_map_words (kiln_arm_target_get_chip (target));

              g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                           _("Nothing answers between 0x%08X and 0x%08X (the target refused the access): check "
                             "the address and the length. %s Nothing was read."),
                           address + (guint32) done, address + (guint32) (done + n - 1), where);
              return FALSE;
            }
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("Reading 0x%08X failed: "),
                                      address + (guint32) done);
          return FALSE;
        }
      done += n;
      bytes (progress, done);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Verify                                                               */

void
kiln_flash_verify_result_clear (KilnFlashVerifyResult *result)
{
  g_free (result->fallback_reason);
  memset (result, 0, sizeof *result);
}

/* Compares [address, address + length) of the flash with @want by reading
 * it back; a difference is the error. */
static gboolean
read_back_range (KilnStlink               *stlink,
                 const KilnSector         *sector,
                 guint                     position,
                 guint32                   address,
                 guint32                   length,
                 const guint8             *want,
                 guint8                   *have,
                 const KilnFlashProgress  *progress,
                 GCancellable             *cancellable,
                 guint64                  *done,
                 GError                  **error)
{
  for (guint32 o = 0; o < length; o += READ_CHUNK)
    {
      guint32 len = MIN ((guint32) READ_CHUNK, length - o);
      guint32 off = address - sector->address + o;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!kiln_stlink_read_mem (stlink, address + o, have + off, len, error))
        return FALSE;
      for (guint32 b = off; b < off + len; b++)
        {
          if (want[b] != have[b])
            {
              sector_state (progress, position, KILN_SECTOR_STATE_FAILED);
              g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY,
                           _("The flash differs from the file in sector %u at 0x%08X: it holds 0x%02X where "
                             "the file has 0x%02X. Program the file to make them match."),
                           sector->index, sector->address + b, have[b], want[b]);
              return FALSE;
            }
        }
      if (done != NULL)
        {
          *done += len;
          bytes (progress, *done);
        }
    }
  return TRUE;
}

typedef struct
{
  guint   position;   /* plan position */
  guint32 start;      /* image bytes */
  guint32 end;
} VerifyRange;

/* The CRC way. Returns FALSE with @error for a difference or a failure;
 * *@fall_back (with @error unset) when the loader cannot run here. */
static gboolean
verify_crc (KilnArmTarget           *target,
            KilnFlashPlan           *plan,
            GArray                  *vranges,
            const KilnFlashProgress *progress,
            GCancellable            *cancellable,
            KilnFlashVerifyResult   *result,
            gboolean                *fall_back,
            GError                 **error)
{
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  KilnFlashLoader loader;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree guint32 *crcs = NULL;
  g_autofree guint8 *want = NULL;
  g_autofree guint8 *have = NULL;
  g_autofree guint8 *mine = NULL;
  gboolean was_running = FALSE, ok = FALSE;
  guint64 done = 0, total = 0;

  *fall_back = FALSE;
  if (!kiln_flash_halt_core (target, &was_running, error))
    return FALSE;
  if (!kiln_flash_loader_setup (&loader, target, &local_error))
    {
      if (local_error->domain != KILN_FLASH_ERROR)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      result->fallback_reason = g_strdup (local_error->message);
      *fall_back = TRUE;
      goto out;
    }

  /* Word-aligned ranges. The bytes a range takes in around the image's
   * come from the flash itself (read here), so that only the image's bytes
   * count; @mine marks the image's bytes. */
  want = g_malloc (kiln_chip_get_flash_size (kiln_flash_plan_get_chip (plan)));
  mine = g_malloc0 (kiln_chip_get_flash_size (kiln_flash_plan_get_chip (plan)));
  for (guint r = 0; r < vranges->len; r++)
    {
      const VerifyRange *v = &g_array_index (vranges, VerifyRange, r);

      memset (mine + (v->start - KILN_CHIP_FLASH_BASE), 1, v->end - v->start);
      if (r == 0 || g_array_index (vranges, VerifyRange, r - 1).position != v->position)
        {
          const KilnSector *s = kiln_flash_plan_get_sector (plan, v->position)->sector;

          kiln_flash_plan_fill_sector (plan, v->position, want + (s->address - KILN_CHIP_FLASH_BASE));
        }
    }
  for (guint r = 0; r < vranges->len; r++)
    {
      const VerifyRange *v = &g_array_index (vranges, VerifyRange, r);
      guint32 a0 = v->start & ~3u, a1 = (v->end + 3) & ~3u;
      guint32 pair[2] = { a0, a1 - a0 };
      guint32 edges[2] = { a0, a1 - 4 };
      guint32 crc;

      for (guint e = 0; e < 2; e++)
        {
          guint8 word[4];

          if ((e == 0 && a0 == v->start) || (e == 1 && a1 == v->end))
            continue;
          if (!kiln_stlink_read_mem (stlink, edges[e], word, 4, error))
            goto out;
          for (guint b = 0; b < 4; b++)
            if (!mine[edges[e] + b - KILN_CHIP_FLASH_BASE])
              want[edges[e] + b - KILN_CHIP_FLASH_BASE] = word[b];
        }
      crc = kiln_flash_crc32 (0xFFFFFFFF, want + (a0 - KILN_CHIP_FLASH_BASE), a1 - a0);
      g_array_append_vals (ranges, pair, 2);
      g_array_append_val (expected, crc);
      total += v->end - v->start;
    }

  phase (progress, KILN_FLASH_PHASE_VERIFY, total);
  for (guint r = 0; r < vranges->len; r++)
    sector_state (progress, g_array_index (vranges, VerifyRange, r).position, KILN_SECTOR_STATE_VERIFYING);
  crcs = g_new0 (guint32, MAX (vranges->len, 1));
  if (!kiln_flash_loader_crc (&loader, (guint32 *) ranges->data, vranges->len, crcs, NULL, cancellable, &local_error))
    {
      if (local_error->domain != KILN_FLASH_ERROR)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }
      result->fallback_reason = g_strdup (local_error->message);
      *fall_back = TRUE;
      goto out;
    }

  have = g_malloc (kiln_chip_get_flash_size (kiln_flash_plan_get_chip (plan)));
  for (guint r = 0; r < vranges->len; r++)
    {
      const VerifyRange *v = &g_array_index (vranges, VerifyRange, r);
      const KilnSector *s = kiln_flash_plan_get_sector (plan, v->position)->sector;
      guint8 *w = want + (s->address - KILN_CHIP_FLASH_BASE);
      guint8 *h = have + (s->address - KILN_CHIP_FLASH_BASE);

      if (crcs[r] != g_array_index (expected, guint32, r))
        {
          /* Find the address by reading the range back. */
          if (!read_back_range (stlink, s, v->position, v->start, v->end - v->start, w, h, progress, cancellable,
                                NULL, error))
            goto out;
          /* The CRC differed but the bytes did not: the flash changed in between. */
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY,
                       _("Sector %u gave a different CRC on the target, but its bytes read back right: something "
                         "is changing the flash. Reset the board and verify again."), s->index);
          goto out;
        }
      done += v->end - v->start;
      bytes (progress, done);
      if (r + 1 == vranges->len || g_array_index (vranges, VerifyRange, r + 1).position != v->position)
        {
          sector_state (progress, v->position, KILN_SECTOR_STATE_VERIFIED);
          result->sectors++;
        }
    }
  result->method = KILN_FLASH_VERIFY_CRC;
  result->bytes = total;
  ok = TRUE;

out:
  /* Firmware that ran had its RAM borrowed by the loader: start it afresh. */
  if (was_running && (ok || *fall_back))
    {
      kiln_arm_reset_run (target, NULL);
      result->core_reset = TRUE;
    }
  return ok;
}

gboolean
kiln_flash_verify (KilnArmTarget           *target,
                   KilnImage               *image,
                   KilnFlashVerifyMethod    method,
                   const KilnFlashProgress *progress,
                   GCancellable            *cancellable,
                   KilnFlashVerifyResult   *result,
                   GError                 **error)
{
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  KilnChip *chip = kiln_arm_target_get_chip (target);
  g_autoptr(KilnFlashPlan) plan = NULL;
  g_autoptr(GArray) vranges = g_array_new (FALSE, FALSE, sizeof (VerifyRange));
  g_autofree guint8 *want = NULL;
  g_autofree guint8 *have = NULL;
  guint32 max_sector = 0;
  guint64 total = 0, done = 0;
  guint n;

  memset (result, 0, sizeof *result);
  phase (progress, KILN_FLASH_PHASE_PREFLIGHT, 0);
  plan = kiln_flash_plan_new (image, chip, KILN_FLASH_PSIZE_X32, error);
  if (plan == NULL)
    return FALSE;
  if (!refuse_read_protected (target, _("verifying the flash"), error))
    return FALSE;

  n = kiln_flash_plan_get_n_sectors (plan);
  for (guint i = 0; i < n; i++)
    {
      const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (plan, i);

      if (s->action != KILN_FLASH_ACTION_PROGRAM)
        continue;
      max_sector = MAX (max_sector, s->sector->size);
      for (guint p = 0; p < s->pieces->len; p++)
        {
          const KilnFlashPiece *piece = &g_array_index (s->pieces, KilnFlashPiece, p);
          VerifyRange v = { i, piece->address, piece->address + piece->size };

          g_array_append_val (vranges, v);
          total += piece->size;
        }
    }

  if (method == KILN_FLASH_VERIFY_CRC)
    {
      gboolean fall_back = FALSE;

      if (verify_crc (target, plan, vranges, progress, cancellable, result, &fall_back, error))
        return TRUE;
      if (!fall_back)
        return FALSE;
      result->fallback = TRUE;
    }

  result->method = KILN_FLASH_VERIFY_READ_BACK;
  want = g_malloc (MAX (max_sector, 1));
  have = g_malloc (MAX (max_sector, 1));
  phase (progress, KILN_FLASH_PHASE_VERIFY, total);
  for (guint r = 0; r < vranges->len; r++)
    {
      const VerifyRange *v = &g_array_index (vranges, VerifyRange, r);
      const KilnSector *s = kiln_flash_plan_get_sector (plan, v->position)->sector;

      if (r == 0 || g_array_index (vranges, VerifyRange, r - 1).position != v->position)
        {
          sector_state (progress, v->position, KILN_SECTOR_STATE_VERIFYING);
          kiln_flash_plan_fill_sector (plan, v->position, want);
        }
      if (!read_back_range (stlink, s, v->position, v->start, v->end - v->start, want, have, progress, cancellable,
                            &done, error))
        return FALSE;
      if (r + 1 == vranges->len || g_array_index (vranges, VerifyRange, r + 1).position != v->position)
        {
          sector_state (progress, v->position, KILN_SECTOR_STATE_VERIFIED);
          result->sectors++;
        }
    }
  result->bytes = total;
  return TRUE;
}
