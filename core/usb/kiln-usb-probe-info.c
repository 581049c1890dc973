/* kiln-usb-probe-info.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libusb-1.0/libusb.h>
#include <string.h>

#include "kiln-usb-libusb-device.h"
#include "kiln-usb-probe-info-private.h"
#include "kiln-usb-sim-device.h"

struct _KilnUsbProbeInfo
{
  GObject         parent_instance;

  KilnUsbBackend  backend;
  char           *serial;
  guint16         product_id;
  char           *location;
  char           *problem;
  char           *key;
  guint8          bus;
  guint8          address;
  KilnSimBench   *bench;
  KilnSimProbe   *sim_probe;
};

G_DEFINE_FINAL_TYPE (KilnUsbProbeInfo, kiln_usb_probe_info, G_TYPE_OBJECT)

static libusb_context *usb_context;

libusb_context *
_kiln_usb_get_context (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      if (libusb_init (&usb_context) != 0)
        usb_context = NULL;
      g_once_init_leave (&done, 1);
    }
  return usb_context;
}

static void
kiln_usb_probe_info_finalize (GObject *object)
{
  KilnUsbProbeInfo *self = (KilnUsbProbeInfo *) object;

  g_free (self->serial);
  g_free (self->location);
  g_free (self->problem);
  g_free (self->key);
  g_clear_object (&self->sim_probe);
  g_clear_object (&self->bench);
  G_OBJECT_CLASS (kiln_usb_probe_info_parent_class)->finalize (object);
}

static void
kiln_usb_probe_info_class_init (KilnUsbProbeInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_usb_probe_info_finalize;
}

static void
kiln_usb_probe_info_init (KilnUsbProbeInfo *self)
{
}

const char *
kiln_usb_model_for_product_id (guint16 product_id)
{
  switch (product_id)
    {
    case 0x3748:
      return "ST-LINK/V2";
    case 0x374A:
    case 0x374B:
    case 0x3752:
      return "ST-LINK/V2-1";
    case 0x374E:
    case 0x374F:
    case 0x3753:
    case 0x3754:
    case 0x3757:
      return "STLINK-V3";
    default:
      return NULL;
    }
}

/* The serial as hosts show it: old V2 units return 12 raw bytes in a
 * 26-byte string descriptor instead of 24 hex digits. */
static char *
read_serial (libusb_device_handle *handle,
             guint8                index)
{
  guint8 raw[256];
  int n = libusb_get_string_descriptor (handle, index, 0x0409, raw, sizeof raw);
  GString *out;
  gboolean binary = FALSE;

  if (n < 2)
    return NULL;
  n = MIN (n, (int) raw[0]);
  for (int i = 2; i + 1 < n; i += 2)
    if (raw[i + 1] != 0 || !g_ascii_isprint (raw[i]))
      binary = TRUE;

  out = g_string_new (NULL);
  for (int i = 2; i + 1 < n; i += 2)
    {
      if (binary)
        g_string_append_printf (out, "%02X", raw[i]);
      else
        g_string_append_c (out, (char) raw[i]);
    }
  return g_string_free (out, FALSE);
}

char *
_kiln_usb_key_for_device (libusb_device *device)
{
  return g_strdup_printf ("usb:%u:%u", libusb_get_bus_number (device), libusb_get_device_address (device));
}

KilnUsbProbeInfo *
_kiln_usb_probe_info_new_for_device (libusb_device *device)
{
  struct libusb_device_descriptor desc;
  libusb_device_handle *handle = NULL;
  KilnUsbProbeInfo *info;
  int rc;

  if (libusb_get_device_descriptor (device, &desc) != 0 || desc.idVendor != 0x0483
      || kiln_usb_model_for_product_id (desc.idProduct) == NULL)
    return NULL;

  info = g_object_new (KILN_TYPE_USB_PROBE_INFO, NULL);
  info->backend = KILN_USB_BACKEND_LIBUSB;
  info->product_id = desc.idProduct;
  info->bus = libusb_get_bus_number (device);
  info->address = libusb_get_device_address (device);
  info->key = _kiln_usb_key_for_device (device);
  info->location = g_strdup_printf (_("bus %u device %u"), info->bus, info->address);

  rc = libusb_open (device, &handle);
  if (rc == LIBUSB_ERROR_ACCESS)
    info->problem = g_strdup (_("You may not open this probe: install Kiln's udev rules "
                                "(60-kiln-stlink.rules) and plug the probe in again"));
  else if (rc != 0)
    info->problem = g_strdup_printf (_("The probe cannot be opened (%s): unplug it and plug it in again"),
                                     libusb_strerror (rc));
  else
    {
      info->serial = read_serial (handle, desc.iSerialNumber);
      libusb_close (handle);
    }
  if (info->serial == NULL)
    info->serial = g_strdup (info->location);
  return info;
}

KilnUsbProbeInfo *
_kiln_usb_probe_info_new_for_sim (KilnSimBench *bench,
                                  KilnSimProbe *probe)
{
  KilnUsbProbeInfo *info = g_object_new (KILN_TYPE_USB_PROBE_INFO, NULL);

  info->backend = KILN_USB_BACKEND_SIMULATOR;
  info->product_id = kiln_sim_probe_get_product_id (probe);
  info->serial = g_strdup (kiln_sim_probe_get_serial (probe));
  info->key = g_strdup_printf ("sim:%s:%u", info->serial, kiln_sim_probe_get_device_address (probe));
  info->address = kiln_sim_probe_get_device_address (probe);
  info->location = g_strdup (_("simulator"));
  info->bench = g_object_ref (bench);
  info->sim_probe = g_object_ref (probe);
  return info;
}

const char *
_kiln_usb_probe_info_get_key (KilnUsbProbeInfo *self)
{
  return self->key;
}

static void
list_libusb (GPtrArray *probes)
{
  libusb_context *context = _kiln_usb_get_context ();
  libusb_device **list = NULL;
  ssize_t n;

  if (context == NULL)
    return;

  n = libusb_get_device_list (context, &list);
  for (ssize_t i = 0; i < n; i++)
    {
      KilnUsbProbeInfo *info = _kiln_usb_probe_info_new_for_device (list[i]);

      if (info != NULL)
        g_ptr_array_add (probes, info);
    }
  libusb_free_device_list (list, 1);
}

GPtrArray *
kiln_usb_list_probes (KilnSimBench  *bench,
                      GError       **error)
{
  GPtrArray *probes = g_ptr_array_new_with_free_func (g_object_unref);

  list_libusb (probes);

  for (guint i = 0; bench != NULL && i < kiln_sim_bench_get_n_probes (bench); i++)
    {
      KilnSimProbe *probe = kiln_sim_bench_get_probe (bench, i);

      if (kiln_sim_probe_is_present (probe))
        g_ptr_array_add (probes, _kiln_usb_probe_info_new_for_sim (bench, probe));
    }

  return probes;
}

const char *
kiln_usb_probe_info_get_serial (KilnUsbProbeInfo *self)
{
  return self->serial;
}

const char *
kiln_usb_probe_info_get_model (KilnUsbProbeInfo *self)
{
  return kiln_usb_model_for_product_id (self->product_id);
}

guint16
kiln_usb_probe_info_get_product_id (KilnUsbProbeInfo *self)
{
  return self->product_id;
}

KilnUsbBackend
kiln_usb_probe_info_get_backend (KilnUsbProbeInfo *self)
{
  return self->backend;
}

const char *
kiln_usb_probe_info_get_location (KilnUsbProbeInfo *self)
{
  return self->location;
}

gboolean
kiln_usb_probe_info_can_open (KilnUsbProbeInfo *self)
{
  return self->problem == NULL;
}

const char *
kiln_usb_probe_info_get_problem (KilnUsbProbeInfo *self)
{
  return self->problem;
}

KilnUsbDevice *
kiln_usb_probe_info_open (KilnUsbProbeInfo  *self,
                          GError           **error)
{
  libusb_device **list = NULL;
  KilnUsbDevice *device = NULL;
  ssize_t n;

  if (self->problem != NULL)
    {
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_PERMISSION, self->problem);
      return NULL;
    }

  if (self->backend == KILN_USB_BACKEND_SIMULATOR)
    {
      /* Gone, or plugged in again since it was listed (another attachment). */
      if (!kiln_sim_probe_is_present (self->sim_probe)
          || kiln_sim_probe_get_device_address (self->sim_probe) != self->address)
        {
          g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED,
                               _("The probe is no longer connected: plug it in again"));
          return NULL;
        }
      return kiln_usb_sim_device_new (self->bench, self->sim_probe);
    }

  if (_kiln_usb_get_context () == NULL)
    n = 0;
  else
    n = libusb_get_device_list (_kiln_usb_get_context (), &list);
  for (ssize_t i = 0; i < n && device == NULL; i++)
    {
      libusb_device_handle *handle = NULL;
      int rc;

      if (libusb_get_bus_number (list[i]) != self->bus || libusb_get_device_address (list[i]) != self->address)
        continue;
      rc = libusb_open (list[i], &handle);
      if (rc == 0)
        rc = libusb_claim_interface (handle, 0);
      if (rc == 0)
        device = _kiln_usb_libusb_device_new (handle, self->product_id, self->serial);
      else
        {
          if (handle != NULL)
            libusb_close (handle);
          if (rc == LIBUSB_ERROR_BUSY)
            g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_BUSY,
                                 _("Another program is using the probe: close it (an IDE, OpenOCD, st-util) and try again"));
          else if (rc == LIBUSB_ERROR_ACCESS)
            g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_PERMISSION,
                                 _("You may not open this probe: install Kiln's udev rules (60-kiln-stlink.rules) and plug the probe in again"));
          else
            g_set_error (error, KILN_USB_ERROR, KILN_USB_ERROR_IO,
                         _("The probe cannot be opened (%s): unplug it and plug it in again"), libusb_strerror (rc));
        }
    }
  libusb_free_device_list (list, 1);

  if (device == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED,
                         _("The probe is no longer connected: plug it in again"));
  return device;
}
