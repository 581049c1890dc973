/* kiln-usb-libusb-device.h — a probe on the USB bus, through libusb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-usb-device.h"

G_BEGIN_DECLS

#define KILN_TYPE_USB_LIBUSB_DEVICE (kiln_usb_libusb_device_get_type ())

G_DECLARE_FINAL_TYPE (KilnUsbLibusbDevice, kiln_usb_libusb_device, KILN, USB_LIBUSB_DEVICE, KilnUsbDevice)

/* @handle is a libusb_device_handle whose interface 0 is claimed; the
 * device takes it over. */
KilnUsbDevice *_kiln_usb_libusb_device_new (gpointer    handle,
                                            guint16     product_id,
                                            const char *serial);

G_END_DECLS
