/* kiln-usb-probe-info-private.h — how core/usb makes its probe infos
 *
 * Shared by the one-shot listing and the monitor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libusb-1.0/libusb.h>

#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

/* Kiln's libusb context, made on first use; NULL where libusb cannot start. */
libusb_context   *_kiln_usb_get_context            (void);
/* The key of a device on the bus, the same for its info. */
char             *_kiln_usb_key_for_device         (libusb_device  *device);
/* NULL when @device is not an ST-LINK; opens it to read the serial. */
KilnUsbProbeInfo *_kiln_usb_probe_info_new_for_device (libusb_device *device);
KilnUsbProbeInfo *_kiln_usb_probe_info_new_for_sim (KilnSimBench   *bench,
                                                    KilnSimProbe   *probe);
/* Tells two infos of the same attachment apart from those of another one
 * (a replugged probe is another attachment). */
const char       *_kiln_usb_probe_info_get_key     (KilnUsbProbeInfo *self);

G_END_DECLS
