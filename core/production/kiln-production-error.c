/* kiln-production-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-production-error.h"

G_DEFINE_QUARK (kiln-production-error-quark, kiln_production_error)
