/* kiln-sim-probe.h — one simulated ST-LINK as a USB device
 *
 * Everything a USB host can do to a device: descriptors, control requests,
 * bulk transfers on the model's endpoints, reset. Transfers are synchronous
 * and thread-safe (one lock per probe); asynchronous hosts (the drop-in
 * libusb) build on these.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Mirrors the libusb_error codes a host needs to see. */
typedef enum
{
  KILN_SIM_USB_OK = 0,
  KILN_SIM_USB_IO = -1,
  KILN_SIM_USB_INVALID_PARAM = -2,
  KILN_SIM_USB_ACCESS = -3,
  KILN_SIM_USB_NO_DEVICE = -4,
  KILN_SIM_USB_NOT_FOUND = -5,
  KILN_SIM_USB_BUSY = -6,
  KILN_SIM_USB_TIMEOUT = -7,
  KILN_SIM_USB_OVERFLOW = -8,
  KILN_SIM_USB_PIPE = -9,
} KilnSimUsbStatus;

#define KILN_TYPE_SIM_PROBE (kiln_sim_probe_get_type ())

G_DECLARE_FINAL_TYPE (KilnSimProbe, kiln_sim_probe, KILN, SIM_PROBE, GObject)

guint16          kiln_sim_probe_get_vendor_id      (KilnSimProbe  *self);
guint16          kiln_sim_probe_get_product_id     (KilnSimProbe  *self);
/* The serial as a host shows it (hex text; see the V2 binary-serial quirk). */
const char      *kiln_sim_probe_get_serial         (KilnSimProbe  *self);
/* FALSE once an unplug fault has fired or kiln_sim_probe_unplug() was
 * called: the device is gone from the bus. */
gboolean         kiln_sim_probe_is_present         (KilnSimProbe  *self);
/* Pulls the probe off the bus: every transfer fails as unplugged. */
void             kiln_sim_probe_unplug             (KilnSimProbe  *self);
/* Plugs it back in, also after the usb-disconnect and usb-hang faults (which
 * do not fire again): the firmware starts afresh and the device gets a new
 * address, as a real probe does when the host enumerates it again. */
void             kiln_sim_probe_plug               (KilnSimProbe  *self);
/* Bus position for hosts that list devices (1-based, stable per bench). */
guint8           kiln_sim_probe_get_bus_number     (KilnSimProbe  *self);
guint8           kiln_sim_probe_get_device_address (KilnSimProbe  *self);

/* Raw descriptors exactly as GET_DESCRIPTOR returns them. Returns the
 * descriptor's length copied into @buffer (at most @length), or a negative
 * KilnSimUsbStatus. */
int              kiln_sim_probe_get_descriptor     (KilnSimProbe  *self,
                                                    guint8         type,
                                                    guint8         index,
                                                    guint16        langid,
                                                    guint8        *buffer,
                                                    gsize          length);
/* A control transfer on endpoint 0 (standard requests; others stall). Returns
 * bytes transferred or a negative KilnSimUsbStatus. */
int              kiln_sim_probe_control_transfer   (KilnSimProbe  *self,
                                                    guint8         request_type,
                                                    guint8         request,
                                                    guint16        value,
                                                    guint16        index,
                                                    guint8        *data,
                                                    guint16        length,
                                                    guint          timeout_ms);
/* Bulk transfer; @endpoint carries the direction bit (0x81 is IN). */
KilnSimUsbStatus kiln_sim_probe_bulk_transfer      (KilnSimProbe  *self,
                                                    guint8         endpoint,
                                                    guint8        *data,
                                                    gsize          length,
                                                    gsize         *transferred,
                                                    guint          timeout_ms);
KilnSimUsbStatus kiln_sim_probe_claim_interface    (KilnSimProbe  *self,
                                                    int            interface);
KilnSimUsbStatus kiln_sim_probe_release_interface  (KilnSimProbe  *self,
                                                    int            interface);
KilnSimUsbStatus kiln_sim_probe_set_configuration  (KilnSimProbe  *self,
                                                    int            configuration);
int              kiln_sim_probe_get_configuration  (KilnSimProbe  *self);
KilnSimUsbStatus kiln_sim_probe_reset_device       (KilnSimProbe  *self);
KilnSimUsbStatus kiln_sim_probe_clear_halt         (KilnSimProbe  *self,
                                                    guint8         endpoint);

G_END_DECLS
