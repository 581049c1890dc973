/* kiln-chips-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_CHIPS_ERROR (kiln_chips_error_quark ())

typedef enum
{
  KILN_CHIPS_ERROR_UNKNOWN_CHIP,
  KILN_CHIPS_ERROR_DATABASE,
} KilnChipsError;

GQuark kiln_chips_error_quark (void);

G_END_DECLS
