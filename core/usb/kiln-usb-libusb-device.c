/* kiln-usb-libusb-device.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libusb-1.0/libusb.h>

#include "kiln-usb-libusb-device.h"

struct _KilnUsbLibusbDevice
{
  KilnUsbDevice         parent_instance;

  libusb_device_handle *handle;
};

G_DEFINE_FINAL_TYPE (KilnUsbLibusbDevice, kiln_usb_libusb_device, KILN_TYPE_USB_DEVICE)

static gssize
kiln_usb_libusb_device_transfer (KilnUsbDevice  *device,
                                 guint8          endpoint,
                                 guint8         *data,
                                 gsize           length,
                                 guint           timeout_ms,
                                 GError        **error)
{
  KilnUsbLibusbDevice *self = (KilnUsbLibusbDevice *) device;
  int done = 0;
  int rc = libusb_bulk_transfer (self->handle, endpoint, data, (int) length, &done, timeout_ms);

  switch (rc)
    {
    case LIBUSB_SUCCESS:
      return done;
    case LIBUSB_ERROR_NO_DEVICE:
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED,
                           _("The probe was unplugged: reconnect it and try again"));
      return -1;
    case LIBUSB_ERROR_TIMEOUT:
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_TIMEOUT,
                           _("The probe stopped answering: unplug it, plug it in again and retry"));
      return -1;
    default:
      g_set_error (error, KILN_USB_ERROR, KILN_USB_ERROR_IO,
                   _("A USB transfer to the probe failed (%s): check the cable and try again"),
                   libusb_strerror (rc));
      return -1;
    }
}

static void
kiln_usb_libusb_device_finalize (GObject *object)
{
  KilnUsbLibusbDevice *self = (KilnUsbLibusbDevice *) object;

  if (self->handle != NULL)
    {
      libusb_release_interface (self->handle, 0);
      libusb_close (self->handle);
    }
  G_OBJECT_CLASS (kiln_usb_libusb_device_parent_class)->finalize (object);
}

static void
kiln_usb_libusb_device_class_init (KilnUsbLibusbDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_usb_libusb_device_finalize;
  KILN_USB_DEVICE_CLASS (klass)->transfer = kiln_usb_libusb_device_transfer;
}

static void
kiln_usb_libusb_device_init (KilnUsbLibusbDevice *self)
{
}

KilnUsbDevice *
_kiln_usb_libusb_device_new (gpointer    handle,
                             guint16     product_id,
                             const char *serial)
{
  KilnUsbLibusbDevice *self = g_object_new (KILN_TYPE_USB_LIBUSB_DEVICE, NULL);

  self->handle = handle;
  _kiln_usb_device_set_identity (KILN_USB_DEVICE (self), product_id, serial);
  return KILN_USB_DEVICE (self);
}
