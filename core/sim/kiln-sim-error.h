/* kiln-sim-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_SIM_ERROR (kiln_sim_error_quark ())

typedef enum
{
  KILN_SIM_ERROR_CONFIG,
  KILN_SIM_ERROR_STATE,
  KILN_SIM_ERROR_UNSUPPORTED,
} KilnSimError;

GQuark kiln_sim_error_quark (void);

G_END_DECLS
