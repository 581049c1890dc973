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

char *
kiln_flash_dup_sector_numbers (KilnChip   *chip,
                               GArray     *positions,
                               const char *separator)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < positions->len; i++)
    g_string_append_printf (out, "%s%u", i ? separator : "",
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
  kiln_flash_progress_phase (progress, KILN_FLASH_PHASE_PREFLIGHT, 0);

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
      g_autofree char *list = kiln_flash_dup_sector_numbers (chip, blocked, ",");

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
      kiln_flash_progress_phase (progress, KILN_FLASH_PHASE_ERASE, total);
      for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
        kiln_flash_progress_sector (progress, i, KILN_SECTOR_STATE_ERASING);
      /* Both banks at once in dual-bank mode (MER and MER2). */
      if (!kiln_flash_controller_mass_erase (&ctrl, TRUE, kiln_chip_is_dual_bank (chip), result->psize, error))
        {
          for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
            kiln_flash_progress_sector (progress, i, KILN_SECTOR_STATE_FAILED);
          goto out;
        }
      for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
        kiln_flash_progress_sector (progress, i, KILN_SECTOR_STATE_UNTOUCHED);
      result->sectors = kiln_chip_get_n_sectors (chip);
      result->bytes = total;
      kiln_flash_progress_bytes (progress, total);
      keeps_vectors = FALSE;
      ok = TRUE;
      goto out;
    }

  for (guint i = 0; i < positions->len; i++)
    total += kiln_chip_get_sector (chip, g_array_index (positions, guint, i))->size;
  kiln_flash_progress_phase (progress, KILN_FLASH_PHASE_ERASE, total);
  for (guint i = 0; i < positions->len; i++)
    kiln_flash_progress_sector (progress, g_array_index (positions, guint, i), KILN_SECTOR_STATE_PLANNED);
  for (guint i = 0; i < positions->len; i++)
    {
      guint p = g_array_index (positions, guint, i);
      const KilnSector *s = kiln_chip_get_sector (chip, p);

      kiln_flash_progress_sector (progress, p, KILN_SECTOR_STATE_ERASING);
      if (!kiln_flash_controller_erase_sector (&ctrl, s, result->psize, cancellable, error))
        {
          kiln_flash_progress_sector (progress, p, KILN_SECTOR_STATE_FAILED);
          goto out;
        }
      /* Erased: it holds nothing of any image now. */
      kiln_flash_progress_sector (progress, p, KILN_SECTOR_STATE_UNTOUCHED);
      if (s->address == kiln_chip_get_flash_base (chip))
        keeps_vectors = FALSE;
      result->sectors++;
      result->bytes += s->size;
      done += s->size;
      kiln_flash_progress_bytes (progress, done);
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

  kiln_flash_progress_phase (progress, KILN_FLASH_PHASE_PREFLIGHT, 0);
  if ((guint64) address + length > G_GUINT64_CONSTANT (0x100000000))
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   _("0x%08X plus %zu bytes runs past the end of the address space"), address, length);
      return FALSE;
    }
  if (touches_flash (kiln_arm_target_get_chip (target), address, length)
      && !refuse_read_protected (target, _("reading the flash"), error))
    return FALSE;

  kiln_flash_progress_phase (progress, KILN_FLASH_PHASE_READ, length);
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
      kiln_flash_progress_bytes (progress, done);
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

gboolean
kiln_flash_verify (KilnArmTarget           *target,
                   KilnImage               *image,
                   KilnFlashVerifyMethod    method,
                   const KilnFlashProgress *progress,
                   GCancellable            *cancellable,
                   KilnFlashVerifyResult   *result,
                   GError                 **error)
{
  KilnChip *chip = kiln_arm_target_get_chip (target);
  g_autoptr(KilnFlashPlan) plan = NULL;
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (KilnFlashVerifyRange));
  g_autoptr(GPtrArray) content = g_ptr_array_new_with_free_func (g_free);
  KilnFlashVerifier verifier = { kiln_arm_target_get_stlink (target), NULL, NULL, NULL, progress, cancellable };
  KilnFlashVerifyOutcome outcome = { 0 };
  KilnFlashLoader loader;
  gboolean was_running = FALSE, ok;
  guint n;

  memset (result, 0, sizeof *result);
  kiln_flash_progress_phase (progress, KILN_FLASH_PHASE_PREFLIGHT, 0);
  plan = kiln_flash_plan_new (image, chip, KILN_FLASH_PSIZE_X32, error);
  if (plan == NULL)
    return FALSE;
  if (!refuse_read_protected (target, _("verifying the flash"), error))
    return FALSE;

  n = kiln_flash_plan_get_n_sectors (plan);
  g_ptr_array_set_size (content, n);
  for (guint i = 0; i < n; i++)
    {
      const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (plan, i);

      if (s->action != KILN_FLASH_ACTION_PROGRAM)
        continue;
      content->pdata[i] = g_malloc (s->sector->size);
      kiln_flash_plan_fill_sector (plan, i, content->pdata[i]);
      for (guint p = 0; p < s->pieces->len; p++)
        {
          const KilnFlashPiece *piece = &g_array_index (s->pieces, KilnFlashPiece, p);
          KilnFlashVerifyRange r = { i, piece->address, piece->address + piece->size };

          g_array_append_val (ranges, r);
        }
    }
  verifier.plan = plan;
  verifier.content = (guint8 * const *) content->pdata;

  if (method == KILN_FLASH_VERIFY_CRC)
    {
      GError *local_error = NULL;

      if (!kiln_flash_halt_core (target, &was_running, error))
        return FALSE;
      if (kiln_flash_loader_setup (&loader, target, &local_error))
        verifier.loader = &loader;
      else if (local_error->domain == KILN_FLASH_ERROR)
        outcome.fallback = local_error;
      else
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }

  if (outcome.fallback != NULL)
    {
      /* The loader could not be set up: read back, and say why. */
      KilnFlashVerifyOutcome again;

      ok = kiln_flash_verifier_run (&verifier, ranges, &again, error);
      again.fallback = g_steal_pointer (&outcome.fallback);
      kiln_flash_verify_outcome_clear (&outcome);
      outcome = again;
    }
  else
    ok = kiln_flash_verifier_run (&verifier, ranges, &outcome, error);

  result->method = outcome.method;
  result->fallback = outcome.fallback != NULL;
  result->fallback_reason = outcome.fallback != NULL ? g_strdup (outcome.fallback->message) : NULL;
  result->sectors = outcome.sectors;
  result->bytes = outcome.bytes;
  result->error_address = outcome.error_address;
  /* Firmware that ran had its RAM borrowed by the loader: start it afresh. */
  if (was_running && (ok || result->fallback))
    {
      kiln_arm_reset_run (target, NULL);
      result->core_reset = TRUE;
    }
  kiln_flash_verify_outcome_clear (&outcome);
  return ok;
}
