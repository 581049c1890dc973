/* kiln-arm-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_ARM_ERROR (kiln_arm_error_quark ())

typedef enum
{
  KILN_ARM_ERROR_NOT_HALTED,
  KILN_ARM_ERROR_TIMEOUT,
  KILN_ARM_ERROR_FAULT,
  KILN_ARM_ERROR_LOCKUP,
  KILN_ARM_ERROR_READ_PROTECTED,
  KILN_ARM_ERROR_UNKNOWN_CHIP,
  KILN_ARM_ERROR_RAM,
} KilnArmError;

GQuark kiln_arm_error_quark (void);

G_END_DECLS
