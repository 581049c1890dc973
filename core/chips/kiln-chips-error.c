/* kiln-chips-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-chips-error.h"

G_DEFINE_QUARK (kiln-chips-error-quark, kiln_chips_error)
