/* kiln-sim-libusb.c — a drop-in libusb-1.0.so.0 whose devices are the bench's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With LD_LIBRARY_PATH pointing at this directory, an unmodified program
 * that uses libusb-1.0 sees the simulated ST-LINKs of $KILN_SIM (or of the
 * built-in default bench). Transfers are carried out synchronously; an
 * asynchronous transfer completes at submission and its callback runs from
 * the next libusb_handle_events*() call, as libusb would run it. Hotplug
 * callbacks run from libusb_handle_events*() too, when a probe leaves or
 * comes back (a fault, or kiln_sim_dropin_set_plugged()); with nothing to
 * report, event handling waits out its timeout as libusb's does.
 *
 * State is saved and the report written at libusb_exit() and at process exit.
 * This file: the context, devices, handles and synchronous transfers;
 * kiln-sim-libusb-events.c: asynchronous transfers, events and hotplug.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kiln-sim-libusb-private.h"

GMutex kiln_dropin_lock;
GCond kiln_dropin_events_cond;
gboolean kiln_dropin_events_interrupted;
KilnSimBench *kiln_dropin_bench;
struct libusb_context kiln_dropin_default_context;
static int n_contexts;
static gboolean atexit_registered;

static void
save_bench (void)
{
  g_mutex_lock (&kiln_dropin_lock);
  if (kiln_dropin_bench != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!kiln_sim_bench_save (kiln_dropin_bench, &error))
        g_printerr ("kiln-sim: %s\n", error->message);
    }
  g_mutex_unlock (&kiln_dropin_lock);
}

struct libusb_context *
kiln_dropin_ctx (struct libusb_context *ctx)
{
  return ctx ? ctx : &kiln_dropin_default_context;
}

static int
status_to_error (KilnSimUsbStatus status)
{
  return (int) status;
}

EXPORT int
libusb_init (libusb_context **ctx)
{
  g_mutex_lock (&kiln_dropin_lock);
  if (kiln_dropin_bench == NULL)
    {
      g_autoptr(GError) error = NULL;

      kiln_dropin_bench = kiln_sim_bench_new_from_env (&error);
      if (kiln_dropin_bench == NULL && error != NULL)
        {
          g_printerr ("kiln-sim: KILN_SIM: %s\n", error->message);
          g_mutex_unlock (&kiln_dropin_lock);
          return LIBUSB_ERROR_OTHER;
        }
      if (kiln_dropin_bench == NULL)
        kiln_dropin_bench = kiln_sim_bench_new_default ();
    }
  if (!atexit_registered)
    {
      atexit (save_bench);
      atexit_registered = TRUE;
    }
  n_contexts++;
  g_mutex_unlock (&kiln_dropin_lock);

  if (ctx != NULL)
    {
      *ctx = g_new0 (struct libusb_context, 1);
      (*ctx)->refs = 1;
      g_queue_init (&(*ctx)->completed);
    }
  return 0;
}

EXPORT void
libusb_exit (libusb_context *ctx)
{
  if (ctx != NULL && ctx != &kiln_dropin_default_context)
    {
      g_queue_clear (&ctx->completed);
      g_free (ctx);
    }
  g_mutex_lock (&kiln_dropin_lock);
  n_contexts--;
  g_mutex_unlock (&kiln_dropin_lock);
  save_bench ();
}

EXPORT void
libusb_set_debug (libusb_context *ctx,
                  int             level)
{
}

EXPORT int
libusb_set_option (libusb_context       *ctx,
                   enum libusb_option    option,
                   ...)
{
  return 0;
}

EXPORT const struct libusb_version *
libusb_get_version (void)
{
  static const struct libusb_version v = { 1, 0, 26, 11724, "", "kiln-sim" };

  return &v;
}

EXPORT int
libusb_has_capability (uint32_t capability)
{
  return capability == LIBUSB_CAP_HAS_CAPABILITY || capability == LIBUSB_CAP_HAS_HOTPLUG;
}

EXPORT const char *
libusb_error_name (int code)
{
  switch (code)
    {
    case LIBUSB_SUCCESS: return "LIBUSB_SUCCESS";
    case LIBUSB_ERROR_IO: return "LIBUSB_ERROR_IO";
    case LIBUSB_ERROR_INVALID_PARAM: return "LIBUSB_ERROR_INVALID_PARAM";
    case LIBUSB_ERROR_ACCESS: return "LIBUSB_ERROR_ACCESS";
    case LIBUSB_ERROR_NO_DEVICE: return "LIBUSB_ERROR_NO_DEVICE";
    case LIBUSB_ERROR_NOT_FOUND: return "LIBUSB_ERROR_NOT_FOUND";
    case LIBUSB_ERROR_BUSY: return "LIBUSB_ERROR_BUSY";
    case LIBUSB_ERROR_TIMEOUT: return "LIBUSB_ERROR_TIMEOUT";
    case LIBUSB_ERROR_OVERFLOW: return "LIBUSB_ERROR_OVERFLOW";
    case LIBUSB_ERROR_PIPE: return "LIBUSB_ERROR_PIPE";
    case LIBUSB_ERROR_INTERRUPTED: return "LIBUSB_ERROR_INTERRUPTED";
    case LIBUSB_ERROR_NO_MEM: return "LIBUSB_ERROR_NO_MEM";
    case LIBUSB_ERROR_NOT_SUPPORTED: return "LIBUSB_ERROR_NOT_SUPPORTED";
    default: return "LIBUSB_ERROR_OTHER";
    }
}

EXPORT const char *
libusb_strerror (int code)
{
  switch (code)
    {
    case LIBUSB_SUCCESS: return "Success";
    case LIBUSB_ERROR_IO: return "Input/Output Error";
    case LIBUSB_ERROR_INVALID_PARAM: return "Invalid parameter";
    case LIBUSB_ERROR_ACCESS: return "Access denied (insufficient permissions)";
    case LIBUSB_ERROR_NO_DEVICE: return "No such device (it may have been disconnected)";
    case LIBUSB_ERROR_NOT_FOUND: return "Entity not found";
    case LIBUSB_ERROR_BUSY: return "Resource busy";
    case LIBUSB_ERROR_TIMEOUT: return "Operation timed out";
    case LIBUSB_ERROR_OVERFLOW: return "Overflow";
    case LIBUSB_ERROR_PIPE: return "Pipe error";
    case LIBUSB_ERROR_INTERRUPTED: return "System call interrupted (perhaps due to signal)";
    case LIBUSB_ERROR_NO_MEM: return "Insufficient memory";
    case LIBUSB_ERROR_NOT_SUPPORTED: return "Operation not supported or unimplemented on this platform";
    default: return "Other error";
    }
}

/* Devices */

EXPORT ssize_t
libusb_get_device_list (libusb_context   *ctx,
                        libusb_device  ***list)
{
  GPtrArray *devs = g_ptr_array_new ();

  g_mutex_lock (&kiln_dropin_lock);
  for (guint i = 0; kiln_dropin_bench != NULL && i < kiln_sim_bench_get_n_probes (kiln_dropin_bench); i++)
    {
      KilnSimProbe *probe = kiln_sim_bench_get_probe (kiln_dropin_bench, i);
      struct libusb_device *dev;

      if (!kiln_sim_probe_is_present (probe))
        continue;
      dev = g_new0 (struct libusb_device, 1);
      dev->refs = 1;
      dev->probe = g_object_ref (probe);
      dev->address = kiln_sim_probe_get_device_address (probe);
      g_ptr_array_add (devs, dev);
    }
  g_mutex_unlock (&kiln_dropin_lock);

  g_ptr_array_add (devs, NULL);
  *list = (libusb_device **) g_ptr_array_free (devs, FALSE);
  return (ssize_t) (g_strv_length ((char **) *list));
}

EXPORT libusb_device *
libusb_ref_device (libusb_device *dev)
{
  g_atomic_int_inc (&dev->refs);
  return dev;
}

EXPORT void
libusb_unref_device (libusb_device *dev)
{
  if (dev != NULL && g_atomic_int_dec_and_test (&dev->refs))
    {
      g_object_unref (dev->probe);
      g_free (dev);
    }
}

EXPORT void
libusb_free_device_list (libusb_device **list,
                         int             unref_devices)
{
  if (list == NULL)
    return;
  if (unref_devices)
    for (guint i = 0; list[i] != NULL; i++)
      libusb_unref_device (list[i]);
  g_free (list);
}

EXPORT uint8_t
libusb_get_bus_number (libusb_device *dev)
{
  return kiln_sim_probe_get_bus_number (dev->probe);
}

EXPORT uint8_t
libusb_get_device_address (libusb_device *dev)
{
  return dev->address;
}

EXPORT uint8_t
libusb_get_port_number (libusb_device *dev)
{
  return dev->address;
}

EXPORT int
libusb_get_port_numbers (libusb_device *dev,
                         uint8_t       *port_numbers,
                         int            port_numbers_len)
{
  if (port_numbers_len < 1)
    return LIBUSB_ERROR_OVERFLOW;
  port_numbers[0] = dev->address;
  return 1;
}

EXPORT libusb_device *
libusb_get_parent (libusb_device *dev)
{
  return NULL;
}

EXPORT int
libusb_get_device_speed (libusb_device *dev)
{
  return kiln_sim_probe_get_product_id (dev->probe) >= 0x374E ? LIBUSB_SPEED_HIGH : LIBUSB_SPEED_FULL;
}

EXPORT int
libusb_get_device_descriptor (libusb_device                   *dev,
                              struct libusb_device_descriptor *desc)
{
  guint8 d[18];

  if (kiln_sim_probe_get_descriptor (dev->probe, LIBUSB_DT_DEVICE, 0, 0, d, sizeof d) != 18)
    return LIBUSB_ERROR_NO_DEVICE;
  desc->bLength = d[0];
  desc->bDescriptorType = d[1];
  desc->bcdUSB = d[2] | d[3] << 8;
  desc->bDeviceClass = d[4];
  desc->bDeviceSubClass = d[5];
  desc->bDeviceProtocol = d[6];
  desc->bMaxPacketSize0 = d[7];
  desc->idVendor = d[8] | d[9] << 8;
  desc->idProduct = d[10] | d[11] << 8;
  desc->bcdDevice = d[12] | d[13] << 8;
  desc->iManufacturer = d[14];
  desc->iProduct = d[15];
  desc->iSerialNumber = d[16];
  desc->bNumConfigurations = d[17];
  return 0;
}

EXPORT int
libusb_get_config_descriptor (libusb_device                    *dev,
                              uint8_t                           config_index,
                              struct libusb_config_descriptor **config)
{
  guint8 raw[256];
  int n = kiln_sim_probe_get_descriptor (dev->probe, LIBUSB_DT_CONFIG, config_index, 0, raw, sizeof raw);
  struct libusb_config_descriptor *c;
  struct libusb_interface *ifaces;
  int pos, iface = -1;

  if (n < 9)
    return n < 0 ? n : LIBUSB_ERROR_IO;

  c = g_new0 (struct libusb_config_descriptor, 1);
  c->bLength = raw[0];
  c->bDescriptorType = raw[1];
  c->wTotalLength = raw[2] | raw[3] << 8;
  c->bNumInterfaces = raw[4];
  c->bConfigurationValue = raw[5];
  c->iConfiguration = raw[6];
  c->bmAttributes = raw[7];
  c->MaxPower = raw[8];
  ifaces = g_new0 (struct libusb_interface, c->bNumInterfaces);
  c->interface = ifaces;

  for (pos = raw[0]; pos + 2 <= n && raw[pos] > 0; pos += raw[pos])
    {
      if (raw[pos + 1] == LIBUSB_DT_INTERFACE && raw[pos + 2] < c->bNumInterfaces)
        {
          struct libusb_interface_descriptor *alt = g_new0 (struct libusb_interface_descriptor, 1);

          iface = raw[pos + 2];
          alt->bLength = raw[pos];
          alt->bDescriptorType = raw[pos + 1];
          alt->bInterfaceNumber = raw[pos + 2];
          alt->bAlternateSetting = raw[pos + 3];
          alt->bNumEndpoints = raw[pos + 4];
          alt->bInterfaceClass = raw[pos + 5];
          alt->bInterfaceSubClass = raw[pos + 6];
          alt->bInterfaceProtocol = raw[pos + 7];
          alt->iInterface = raw[pos + 8];
          alt->endpoint = g_new0 (struct libusb_endpoint_descriptor, alt->bNumEndpoints);
          alt->bNumEndpoints = 0;
          ifaces[iface].altsetting = alt;
          ifaces[iface].num_altsetting = 1;
        }
      else if (raw[pos + 1] == LIBUSB_DT_ENDPOINT && iface >= 0)
        {
          struct libusb_interface_descriptor *alt = (struct libusb_interface_descriptor *) ifaces[iface].altsetting;
          struct libusb_endpoint_descriptor *ep = (struct libusb_endpoint_descriptor *) &alt->endpoint[alt->bNumEndpoints++];

          ep->bLength = raw[pos];
          ep->bDescriptorType = raw[pos + 1];
          ep->bEndpointAddress = raw[pos + 2];
          ep->bmAttributes = raw[pos + 3];
          ep->wMaxPacketSize = raw[pos + 4] | raw[pos + 5] << 8;
          ep->bInterval = raw[pos + 6];
        }
    }

  *config = c;
  return 0;
}

EXPORT int
libusb_get_active_config_descriptor (libusb_device                    *dev,
                                     struct libusb_config_descriptor **config)
{
  return libusb_get_config_descriptor (dev, 0, config);
}

EXPORT void
libusb_free_config_descriptor (struct libusb_config_descriptor *config)
{
  if (config == NULL)
    return;
  for (int i = 0; i < config->bNumInterfaces; i++)
    {
      struct libusb_interface_descriptor *alt = (struct libusb_interface_descriptor *) config->interface[i].altsetting;

      if (alt != NULL)
        {
          g_free ((gpointer) alt->endpoint);
          g_free (alt);
        }
    }
  g_free ((gpointer) config->interface);
  g_free (config);
}

EXPORT int
libusb_get_max_packet_size (libusb_device *dev,
                            unsigned char  endpoint)
{
  return libusb_get_device_speed (dev) == LIBUSB_SPEED_HIGH ? 512 : 64;
}

EXPORT int
libusb_get_max_iso_packet_size (libusb_device *dev,
                                unsigned char  endpoint)
{
  return libusb_get_max_packet_size (dev, endpoint);
}

/* Handles */

/* A device the host enumerated before the probe was unplugged is gone for
 * good, even once the probe is back (at another address). */
gboolean
kiln_dropin_device_gone (struct libusb_device *dev)
{
  return !kiln_sim_probe_is_present (dev->probe) || dev->address != kiln_sim_probe_get_device_address (dev->probe);
}

EXPORT int
libusb_open (libusb_device         *dev,
             libusb_device_handle **handle)
{
  if (kiln_dropin_device_gone (dev))
    return LIBUSB_ERROR_NO_DEVICE;
  *handle = g_new0 (struct libusb_device_handle, 1);
  (*handle)->dev = libusb_ref_device (dev);
  return 0;
}

EXPORT libusb_device_handle *
libusb_open_device_with_vid_pid (libusb_context *ctx,
                                 uint16_t        vendor_id,
                                 uint16_t        product_id)
{
  libusb_device **list = NULL;
  libusb_device_handle *handle = NULL;

  libusb_get_device_list (ctx, &list);
  for (guint i = 0; list[i] != NULL && handle == NULL; i++)
    {
      if (kiln_sim_probe_get_vendor_id (list[i]->probe) == vendor_id
          && kiln_sim_probe_get_product_id (list[i]->probe) == product_id)
        libusb_open (list[i], &handle);
    }
  libusb_free_device_list (list, 1);
  return handle;
}

EXPORT void
libusb_close (libusb_device_handle *handle)
{
  if (handle == NULL)
    return;
  libusb_unref_device (handle->dev);
  g_free (handle);
}

EXPORT libusb_device *
libusb_get_device (libusb_device_handle *handle)
{
  return handle->dev;
}

EXPORT int
libusb_get_configuration (libusb_device_handle *handle,
                          int                  *config)
{
  *config = kiln_sim_probe_get_configuration (handle->dev->probe);
  return 0;
}

EXPORT int
libusb_set_configuration (libusb_device_handle *handle,
                          int                   configuration)
{
  return status_to_error (kiln_sim_probe_set_configuration (handle->dev->probe, configuration));
}

EXPORT int
libusb_claim_interface (libusb_device_handle *handle,
                        int                   interface_number)
{
  if (kiln_dropin_device_gone (handle->dev))
    return LIBUSB_ERROR_NO_DEVICE;
  return status_to_error (kiln_sim_probe_claim_interface (handle->dev->probe, interface_number));
}

EXPORT int
libusb_release_interface (libusb_device_handle *handle,
                          int                   interface_number)
{
  return status_to_error (kiln_sim_probe_release_interface (handle->dev->probe, interface_number));
}

EXPORT int
libusb_set_interface_alt_setting (libusb_device_handle *handle,
                                  int                   interface_number,
                                  int                   alternate_setting)
{
  return kiln_dropin_device_gone (handle->dev) ? LIBUSB_ERROR_NO_DEVICE : 0;
}

EXPORT int
libusb_clear_halt (libusb_device_handle *handle,
                   unsigned char         endpoint)
{
  return status_to_error (kiln_sim_probe_clear_halt (handle->dev->probe, endpoint));
}

EXPORT int
libusb_reset_device (libusb_device_handle *handle)
{
  return status_to_error (kiln_sim_probe_reset_device (handle->dev->probe));
}

EXPORT int
libusb_kernel_driver_active (libusb_device_handle *handle,
                             int                   interface_number)
{
  return 0;
}

EXPORT int
libusb_detach_kernel_driver (libusb_device_handle *handle,
                             int                   interface_number)
{
  return LIBUSB_ERROR_NOT_FOUND;
}

EXPORT int
libusb_attach_kernel_driver (libusb_device_handle *handle,
                             int                   interface_number)
{
  return LIBUSB_ERROR_NOT_FOUND;
}

EXPORT int
libusb_set_auto_detach_kernel_driver (libusb_device_handle *handle,
                                      int                   enable)
{
  return 0;
}

/* Synchronous transfers */

EXPORT int
libusb_control_transfer (libusb_device_handle *handle,
                         uint8_t               request_type,
                         uint8_t               bRequest,
                         uint16_t              wValue,
                         uint16_t              wIndex,
                         unsigned char        *data,
                         uint16_t              wLength,
                         unsigned int          timeout)
{
  if (kiln_dropin_device_gone (handle->dev))
    return LIBUSB_ERROR_NO_DEVICE;
  return kiln_sim_probe_control_transfer (handle->dev->probe, request_type, bRequest, wValue, wIndex, data,
                                          wLength, timeout);
}

EXPORT int
libusb_bulk_transfer (libusb_device_handle *handle,
                      unsigned char         endpoint,
                      unsigned char        *data,
                      int                   length,
                      int                  *actual_length,
                      unsigned int          timeout)
{
  gsize done = 0;
  KilnSimUsbStatus status = kiln_dropin_device_gone (handle->dev)
                            ? KILN_SIM_USB_NO_DEVICE
                            : kiln_sim_probe_bulk_transfer (handle->dev->probe, endpoint, data,
                                                            (gsize) MAX (length, 0), &done, timeout);

  if (actual_length != NULL)
    *actual_length = (int) done;
  return status_to_error (status);
}

EXPORT int
libusb_interrupt_transfer (libusb_device_handle *handle,
                           unsigned char         endpoint,
                           unsigned char        *data,
                           int                   length,
                           int                  *actual_length,
                           unsigned int          timeout)
{
  return libusb_bulk_transfer (handle, endpoint, data, length, actual_length, timeout);
}

EXPORT int
libusb_get_string_descriptor_ascii (libusb_device_handle *handle,
                                    uint8_t               desc_index,
                                    unsigned char        *data,
                                    int                   length)
{
  guint8 buf[256];
  int n, di = 0;

  if (desc_index == 0)
    return LIBUSB_ERROR_INVALID_PARAM;
  if (kiln_dropin_device_gone (handle->dev))
    return LIBUSB_ERROR_NO_DEVICE;
  n = kiln_sim_probe_get_descriptor (handle->dev->probe, LIBUSB_DT_STRING, desc_index, 0x0409, buf, sizeof buf);
  if (n < 0)
    return n;
  if (n < 2 || buf[1] != LIBUSB_DT_STRING)
    return LIBUSB_ERROR_IO;
  for (int si = 2; si + 1 < MIN (n, (int) buf[0]) + 0 && di < length - 1; si += 2)
    data[di++] = (buf[si + 1] != 0 || buf[si] & 0x80) ? '?' : buf[si];
  if (length > 0)
    data[di] = 0;
  return di;
}
