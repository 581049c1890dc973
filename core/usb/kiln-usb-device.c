/* kiln-usb-device.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-usb-device.h"

#define TIMEOUT_MS 3000

typedef struct
{
  guint16  product_id;
  char    *serial;
} KilnUsbDevicePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (KilnUsbDevice, kiln_usb_device, G_TYPE_OBJECT)

static void
kiln_usb_device_finalize (GObject *object)
{
  KilnUsbDevicePrivate *priv = kiln_usb_device_get_instance_private (KILN_USB_DEVICE (object));

  g_free (priv->serial);
  G_OBJECT_CLASS (kiln_usb_device_parent_class)->finalize (object);
}

static void
kiln_usb_device_class_init (KilnUsbDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_usb_device_finalize;
}

static void
kiln_usb_device_init (KilnUsbDevice *self)
{
}

void
_kiln_usb_device_set_identity (KilnUsbDevice *self,
                               guint16        product_id,
                               const char    *serial)
{
  KilnUsbDevicePrivate *priv = kiln_usb_device_get_instance_private (self);

  priv->product_id = product_id;
  g_free (priv->serial);
  priv->serial = g_strdup (serial);
}

guint16
kiln_usb_device_get_product_id (KilnUsbDevice *self)
{
  KilnUsbDevicePrivate *priv = kiln_usb_device_get_instance_private (self);

  return priv->product_id;
}

const char *
kiln_usb_device_get_serial (KilnUsbDevice *self)
{
  KilnUsbDevicePrivate *priv = kiln_usb_device_get_instance_private (self);

  return priv->serial;
}

guint8
kiln_usb_device_get_out_endpoint (KilnUsbDevice *self)
{
  /* ST-LINK/V2 sends on 0x02; V2-1 and V3 on 0x01. */
  return kiln_usb_device_get_product_id (self) == 0x3748 ? 0x02 : 0x01;
}

guint8
kiln_usb_device_get_in_endpoint (KilnUsbDevice *self)
{
  return 0x81;
}

gboolean
kiln_usb_device_write (KilnUsbDevice  *self,
                       const guint8   *data,
                       gsize           length,
                       GError        **error)
{
  gssize n = KILN_USB_DEVICE_GET_CLASS (self)->transfer (self, kiln_usb_device_get_out_endpoint (self),
                                                          (guint8 *) data, length, TIMEOUT_MS, error);

  if (n < 0)
    return FALSE;
  if ((gsize) n != length)
    {
      g_set_error (error, KILN_USB_ERROR, KILN_USB_ERROR_IO,
                   _("The probe took only %zd of %zu bytes: check the USB cable"),
                   n, length);
      return FALSE;
    }
  return TRUE;
}

gssize
kiln_usb_device_read (KilnUsbDevice  *self,
                      guint8         *data,
                      gsize           length,
                      GError        **error)
{
  return KILN_USB_DEVICE_GET_CLASS (self)->transfer (self, kiln_usb_device_get_in_endpoint (self), data, length,
                                                      TIMEOUT_MS, error);
}
