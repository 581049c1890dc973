/* kiln-usb-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-usb-error.h"

G_DEFINE_QUARK (kiln-usb-error-quark, kiln_usb_error)
