/* kiln-flash-controller.c — the STM32 sector flash controller, host-driven
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-flash-controller.h"

void
kiln_flash_controller_init (KilnFlashController *self,
                            KilnArmTarget       *target)
{
  self->stlink = kiln_arm_target_get_stlink (target);
  self->regs = kiln_chip_get_line (kiln_arm_target_get_chip (target))->flash_regs;
}

char *
kiln_flash_describe_sr (guint32           sr,
                        const KilnSector *s)
{
  g_autofree char *where = s ? g_strdup_printf (_("sector %u"), s->index) : g_strdup (_("the flash"));

  if (sr & KILN_FLASH_SR_WRPERR)
    return g_strdup_printf (_("The flash controller refused to change %s: it is write-protected (WRPERR). "
                              "Remove the protection in the option bytes, or leave the sector out of the image."), where);
  if (sr & KILN_FLASH_SR_PGPERR)
    return g_strdup_printf (_("Programming %s failed: the access width did not match the programming parallelism "
                              "(PGPERR). This is a host error; try again, and report it if it repeats."), where);
  if (sr & KILN_FLASH_SR_PGAERR)
    return g_strdup_printf (_("Programming %s failed: a write was not aligned (PGAERR). This is a host error; try again, "
                              "and report it if it repeats."), where);
  if (sr & KILN_FLASH_SR_ERSERR)
    return g_strdup_printf (_("The flash controller reports an erase/program sequence error on %s (ERSERR): something "
                              "wrote to the flash while it was not set up for it, often the firmware still running. "
                              "Connect under reset and try again."), where);
  if (sr & KILN_FLASH_SR_OPERR)
    return g_strdup_printf (_("The flash operation on %s failed (OPERR). Check the supply voltage and try again."), where);
  return g_strdup_printf (_("The flash controller reports status 0x%08X on %s."), sr, where);
}

gboolean
kiln_flash_controller_wait (KilnFlashController *self,
                            const KilnSector    *sector,
                            guint                timeout_s,
                            GError             **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  for (;;)
    {
      guint32 sr;

      if (!kiln_stlink_read32 (self->stlink, self->regs + KILN_FLASH_SR, &sr, error))
        return FALSE;
      if (!(sr & KILN_FLASH_SR_BSY))
        {
          if (sr & KILN_FLASH_SR_ERRORS)
            {
              g_autofree char *why = kiln_flash_describe_sr (sr, sector);

              g_set_error_literal (error, KILN_FLASH_ERROR,
                                   (sr & KILN_FLASH_SR_WRPERR) ? KILN_FLASH_ERROR_PROTECTED
                                                               : KILN_FLASH_ERROR_CONTROLLER,
                                   why);
              return FALSE;
            }
          return TRUE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER,
                       _("The flash stayed busy for %u seconds: power-cycle the board and try again"), timeout_s);
          return FALSE;
        }
      g_usleep (1000);
    }
}

gboolean
kiln_flash_controller_clear_errors (KilnFlashController *self,
                                    GError             **error)
{
  g_autoptr(GError) ignored = NULL;

  /* An operation still running (left by a previous host) ends first. */
  kiln_flash_controller_wait (self, NULL, 60, &ignored);
  return kiln_stlink_write32 (self->stlink, self->regs + KILN_FLASH_SR,
                              KILN_FLASH_SR_ERRORS | KILN_FLASH_SR_EOP, error);
}

gboolean
kiln_flash_controller_is_locked (KilnFlashController *self,
                                 gboolean            *locked,
                                 GError             **error)
{
  guint32 cr;

  if (!kiln_stlink_read32 (self->stlink, self->regs + KILN_FLASH_CR, &cr, error))
    return FALSE;
  *locked = (cr & KILN_FLASH_CR_LOCK) != 0;
  return TRUE;
}

gboolean
kiln_flash_controller_unlock (KilnFlashController *self,
                              GError             **error)
{
  gboolean locked;

  if (!kiln_flash_controller_is_locked (self, &locked, error))
    return FALSE;
  if (!locked)
    return TRUE;
  if (!kiln_stlink_write32 (self->stlink, self->regs + KILN_FLASH_KEYR, 0x45670123, error)
      || !kiln_stlink_write32 (self->stlink, self->regs + KILN_FLASH_KEYR, 0xCDEF89AB, error)
      || !kiln_flash_controller_is_locked (self, &locked, error))
    return FALSE;
  if (locked)
    {
      g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER,
                           _("The flash controller stayed locked after the unlock keys: reset the board and try again"));
      return FALSE;
    }
  return TRUE;
}

void
kiln_flash_controller_lock (KilnFlashController *self)
{
  kiln_stlink_write32 (self->stlink, self->regs + KILN_FLASH_CR, KILN_FLASH_CR_LOCK, NULL);
}

gboolean
kiln_flash_controller_erase_sector (KilnFlashController *self,
                                    const KilnSector    *sector,
                                    KilnFlashPsize       psize,
                                    GCancellable        *cancellable,
                                    GError             **error)
{
  guint32 cr = ((guint32) psize << 8) | KILN_FLASH_CR_SER | (sector->snb << 3);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return kiln_stlink_write32 (self->stlink, self->regs + KILN_FLASH_CR, cr, error)
         && kiln_stlink_write32 (self->stlink, self->regs + KILN_FLASH_CR, cr | KILN_FLASH_CR_STRT, error)
         && kiln_flash_controller_wait (self, sector, 60, error);
}

gboolean
kiln_flash_controller_mass_erase (KilnFlashController *self,
                                  gboolean             bank1,
                                  gboolean             bank2,
                                  KilnFlashPsize       psize,
                                  GError             **error)
{
  guint32 cr = (guint32) psize << 8;

  if (bank1)
    cr |= KILN_FLASH_CR_MER;
  if (bank2)
    cr |= KILN_FLASH_CR_MER2;
  /* A mass erase of 2 MiB at x8 takes up to half a minute on silicon. */
  return kiln_stlink_write32 (self->stlink, self->regs + KILN_FLASH_CR, cr, error)
         && kiln_stlink_write32 (self->stlink, self->regs + KILN_FLASH_CR, cr | KILN_FLASH_CR_STRT, error)
         && kiln_flash_controller_wait (self, NULL, 120, error);
}
