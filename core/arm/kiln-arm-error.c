/* kiln-arm-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-arm-error.h"

G_DEFINE_QUARK (kiln-arm-error-quark, kiln_arm_error)
