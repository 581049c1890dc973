/* kiln-flash-controller.h — the STM32 sector flash controller (F7; F2/F4
 * share it) driven register by register from the host: unlock and lock,
 * error flags, sector and mass erase
 *
 * Every flash operation of core/flash goes through here, so that the rules
 * live in one place: stale error flags are cleared before an operation, a
 * failure is decoded into words, and the controller is locked again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-target.h"
#include "kiln-flash-error.h"
#include "kiln-flash-types.h"

G_BEGIN_DECLS

/* FLASH register offsets and bits (reference manual RM0385 §3.7). */
#define KILN_FLASH_KEYR     0x04u
#define KILN_FLASH_OPTKEYR  0x08u
#define KILN_FLASH_SR       0x0Cu
#define KILN_FLASH_CR       0x10u
#define KILN_FLASH_OPTCR    0x14u
#define KILN_FLASH_OPTCR1   0x18u

#define KILN_FLASH_SR_EOP    (1u << 0)
#define KILN_FLASH_SR_OPERR  (1u << 1)
#define KILN_FLASH_SR_WRPERR (1u << 4)
#define KILN_FLASH_SR_PGAERR (1u << 5)
#define KILN_FLASH_SR_PGPERR (1u << 6)
#define KILN_FLASH_SR_ERSERR (1u << 7)
#define KILN_FLASH_SR_BSY    (1u << 16)
#define KILN_FLASH_SR_ERRORS (KILN_FLASH_SR_OPERR | KILN_FLASH_SR_WRPERR | KILN_FLASH_SR_PGAERR \
                              | KILN_FLASH_SR_PGPERR | KILN_FLASH_SR_ERSERR)

#define KILN_FLASH_CR_PG     (1u << 0)
#define KILN_FLASH_CR_SER    (1u << 1)
#define KILN_FLASH_CR_MER    (1u << 2)
#define KILN_FLASH_CR_MER2   (1u << 15)
#define KILN_FLASH_CR_STRT   (1u << 16)
#define KILN_FLASH_CR_LOCK   (1u << 31)

#define KILN_FLASH_OPTCR_OPTLOCK (1u << 0)
#define KILN_FLASH_OPTCR_OPTSTRT (1u << 1)

typedef struct
{
  KilnStlink *stlink;
  guint32     regs;      /* FLASH register base */
} KilnFlashController;

void      kiln_flash_controller_init         (KilnFlashController *self,
                                              KilnArmTarget       *target);
/* Waits while BSY is set; a set error flag becomes a GError naming @sector
 * (or the flash when NULL) in words. */
gboolean  kiln_flash_controller_wait         (KilnFlashController *self,
                                              const KilnSector    *sector,
                                              guint               timeout_s,
                                              GError             **error);
/* Clears error flags left over from before: they say nothing about this
 * job, but an operation refuses to start while they are set. */
gboolean  kiln_flash_controller_clear_errors (KilnFlashController *self,
                                              GError             **error);
gboolean  kiln_flash_controller_unlock       (KilnFlashController *self,
                                              GError             **error);
/* Best effort: sets LOCK even when the link is failing. */
void      kiln_flash_controller_lock         (KilnFlashController *self);
gboolean  kiln_flash_controller_is_locked    (KilnFlashController *self,
                                              gboolean            *locked,
                                              GError             **error);
/* Needs the controller unlocked. */
gboolean  kiln_flash_controller_erase_sector (KilnFlashController *self,
                                              const KilnSector    *sector,
                                              KilnFlashPsize       psize,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* Erases every sector of bank 1 (@bank1), bank 2 (@bank2), or the whole
 * single-bank array (@bank1 alone). Needs the controller unlocked. */
gboolean  kiln_flash_controller_mass_erase   (KilnFlashController *self,
                                              gboolean            bank1,
                                              gboolean            bank2,
                                              KilnFlashPsize      psize,
                                              GError             **error);
/* What a FLASH_SR error value means here, in words, with what to do. */
char     *kiln_flash_describe_sr             (guint32              sr,
                                              const KilnSector    *sector);

G_END_DECLS
