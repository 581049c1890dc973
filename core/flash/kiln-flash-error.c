/* kiln-flash-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-flash-error.h"

G_DEFINE_QUARK (kiln-flash-error-quark, kiln_flash_error)
G_DEFINE_QUARK (kiln-option-bytes-error-quark, kiln_option_bytes_error)
