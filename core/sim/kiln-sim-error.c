/* kiln-sim-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-sim-error.h"

G_DEFINE_QUARK (kiln-sim-error-quark, kiln_sim_error)
