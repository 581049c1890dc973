/* kiln-usb-device.h — an open ST-LINK's bulk pipes, over libusb or the bench
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-usb-error.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_USB_BACKEND_LIBUSB,
  KILN_USB_BACKEND_SIMULATOR,
} KilnUsbBackend;

#define KILN_TYPE_USB_DEVICE (kiln_usb_device_get_type ())

G_DECLARE_DERIVABLE_TYPE (KilnUsbDevice, kiln_usb_device, KILN, USB_DEVICE, GObject)

struct _KilnUsbDeviceClass
{
  GObjectClass parent_class;

  /* Returns bytes transferred or -1 with @error set. */
  gssize (*transfer) (KilnUsbDevice  *self,
                      guint8          endpoint,
                      guint8         *data,
                      gsize           length,
                      guint           timeout_ms,
                      GError        **error);
};

/* The probe's endpoints: commands go out on @out, answers come in on @in. */
guint8  kiln_usb_device_get_out_endpoint (KilnUsbDevice  *self);
guint8  kiln_usb_device_get_in_endpoint  (KilnUsbDevice  *self);
guint16 kiln_usb_device_get_product_id   (KilnUsbDevice  *self);
const char *kiln_usb_device_get_serial   (KilnUsbDevice  *self);
void    _kiln_usb_device_set_identity    (KilnUsbDevice  *self,
                                          guint16         product_id,
                                          const char     *serial);

/* Sends all of @data; fails with KILN_USB_ERROR_UNPLUGGED or _TIMEOUT in
 * words an operator understands. */
gboolean kiln_usb_device_write           (KilnUsbDevice  *self,
                                          const guint8   *data,
                                          gsize           length,
                                          GError        **error);
/* Reads up to @length bytes; returns how many came. */
gssize   kiln_usb_device_read            (KilnUsbDevice  *self,
                                          guint8         *data,
                                          gsize           length,
                                          GError        **error);

G_END_DECLS
