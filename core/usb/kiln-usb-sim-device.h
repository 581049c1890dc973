/* kiln-usb-sim-device.h — a probe of the virtual bench, in process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-sim-bench.h"
#include "kiln-usb-device.h"

G_BEGIN_DECLS

#define KILN_TYPE_USB_SIM_DEVICE (kiln_usb_sim_device_get_type ())

G_DECLARE_FINAL_TYPE (KilnUsbSimDevice, kiln_usb_sim_device, KILN, USB_SIM_DEVICE, KilnUsbDevice)

KilnUsbDevice *kiln_usb_sim_device_new (KilnSimBench *bench,
                                        KilnSimProbe *probe);

G_END_DECLS
