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

/* The option bytes' own domain (kiln-flash-option-bytes.h). */
#define KILN_OPTION_BYTES_ERROR (kiln_option_bytes_error_quark ())

typedef enum
{
  KILN_OPTION_BYTES_ERROR_INVALID,          /* an unknown key or a value it cannot take */
  KILN_OPTION_BYTES_ERROR_NOT_CONFIRMED,    /* the caller did not confirm the change */
  KILN_OPTION_BYTES_ERROR_IRREVERSIBLE,     /* RDP level 2 asked for without @irreversible */
  KILN_OPTION_BYTES_ERROR_LOCKED_FOR_GOOD,  /* the chip is at RDP level 2 */
  KILN_OPTION_BYTES_ERROR_FAILED,           /* the controller did not take the new values */
} KilnOptionBytesError;

GQuark kiln_option_bytes_error_quark (void);

G_END_DECLS
