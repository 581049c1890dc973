/* kiln-usb-sim-device.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-usb-sim-device.h"

struct _KilnUsbSimDevice
{
  KilnUsbDevice  parent_instance;

  KilnSimBench  *bench;   /* keeps the probe's bench alive */
  KilnSimProbe  *probe;
  guint8         address;  /* where it was when opened: a replugged probe is another device */
};

G_DEFINE_FINAL_TYPE (KilnUsbSimDevice, kiln_usb_sim_device, KILN_TYPE_USB_DEVICE)

static gssize
kiln_usb_sim_device_transfer (KilnUsbDevice  *device,
                              guint8          endpoint,
                              guint8         *data,
                              gsize           length,
                              guint           timeout_ms,
                              GError        **error)
{
  KilnUsbSimDevice *self = (KilnUsbSimDevice *) device;
  gsize done = 0;
  KilnSimUsbStatus status = KILN_SIM_USB_NO_DEVICE;

  if (kiln_sim_probe_get_device_address (self->probe) == self->address)
    status = kiln_sim_probe_bulk_transfer (self->probe, endpoint, data, length, &done, timeout_ms);

  switch (status)
    {
    case KILN_SIM_USB_OK:
      return (gssize) done;
    case KILN_SIM_USB_NO_DEVICE:
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED,
                           _("The probe was unplugged: reconnect it and try again"));
      return -1;
    case KILN_SIM_USB_TIMEOUT:
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_TIMEOUT,
                           _("The probe stopped answering: unplug it, plug it in again and retry"));
      return -1;
    default:
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_IO,
                           _("A USB transfer to the probe failed: check the cable and try again"));
      return -1;
    }
}

static void
kiln_usb_sim_device_finalize (GObject *object)
{
  KilnUsbSimDevice *self = (KilnUsbSimDevice *) object;

  g_clear_object (&self->probe);
  g_clear_object (&self->bench);
  G_OBJECT_CLASS (kiln_usb_sim_device_parent_class)->finalize (object);
}

static void
kiln_usb_sim_device_class_init (KilnUsbSimDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_usb_sim_device_finalize;
  KILN_USB_DEVICE_CLASS (klass)->transfer = kiln_usb_sim_device_transfer;
}

static void
kiln_usb_sim_device_init (KilnUsbSimDevice *self)
{
}

KilnUsbDevice *
kiln_usb_sim_device_new (KilnSimBench *bench,
                         KilnSimProbe *probe)
{
  KilnUsbSimDevice *self = g_object_new (KILN_TYPE_USB_SIM_DEVICE, NULL);

  self->bench = g_object_ref (bench);
  self->probe = g_object_ref (probe);
  self->address = kiln_sim_probe_get_device_address (probe);
  _kiln_usb_device_set_identity (KILN_USB_DEVICE (self), kiln_sim_probe_get_product_id (probe),
                                 kiln_sim_probe_get_serial (probe));
  return KILN_USB_DEVICE (self);
}
