/* kiln-stlink-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_STLINK_ERROR (kiln_stlink_error_quark ())

typedef enum
{
  KILN_STLINK_ERROR_PROTOCOL,
  KILN_STLINK_ERROR_FIRMWARE_TOO_OLD,
  KILN_STLINK_ERROR_STATUS,
  KILN_STLINK_ERROR_NO_TARGET_VOLTAGE,
  KILN_STLINK_ERROR_NO_TARGET,
  KILN_STLINK_ERROR_WAIT,
  KILN_STLINK_ERROR_FAULT,
} KilnStlinkError;

GQuark kiln_stlink_error_quark (void);

G_END_DECLS
