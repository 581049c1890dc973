/* kiln-stlink-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-stlink-error.h"

G_DEFINE_QUARK (kiln-stlink-error-quark, kiln_stlink_error)
