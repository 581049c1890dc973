/* kiln-image-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-image-error.h"

G_DEFINE_QUARK (kiln-image-error-quark, kiln_image_error)
