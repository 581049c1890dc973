/* kiln-usb-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_USB_ERROR (kiln_usb_error_quark ())

typedef enum
{
  KILN_USB_ERROR_NO_PROBE,
  KILN_USB_ERROR_PERMISSION,
  KILN_USB_ERROR_UNPLUGGED,
  KILN_USB_ERROR_TIMEOUT,
  KILN_USB_ERROR_BUSY,
  KILN_USB_ERROR_IO,
  KILN_USB_ERROR_NOT_FOUND,
  KILN_USB_ERROR_AMBIGUOUS,
} KilnUsbError;

GQuark kiln_usb_error_quark (void);

G_END_DECLS
