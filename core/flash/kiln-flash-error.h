/* kiln-flash-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_FLASH_ERROR (kiln_flash_error_quark ())

typedef enum
{
  KILN_FLASH_ERROR_PLAN,
  KILN_FLASH_ERROR_PROTECTED,
  KILN_FLASH_ERROR_READ_PROTECTED,
  KILN_FLASH_ERROR_VOLTAGE,
  KILN_FLASH_ERROR_CONTROLLER,
  KILN_FLASH_ERROR_VERIFY,
  KILN_FLASH_ERROR_CANCELLED,
  /* The SRAM loader could not run (Kiln falls back to host-driven writes). */
  KILN_FLASH_ERROR_LOADER,
} KilnFlashError;

GQuark kiln_flash_error_quark (void);

G_END_DECLS
