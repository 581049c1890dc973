/* kiln-usb-probe-info.h — an ST-LINK that is attached (or simulated), as
 * listed before anything is opened for work
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-sim-bench.h"
#include "kiln-usb-device.h"

G_BEGIN_DECLS

#define KILN_TYPE_USB_PROBE_INFO (kiln_usb_probe_info_get_type ())

G_DECLARE_FINAL_TYPE (KilnUsbProbeInfo, kiln_usb_probe_info, KILN, USB_PROBE_INFO, GObject)

/* Every ST-LINK on the USB bus, then the probes of @bench (NULL: none).
 * A probe that cannot be opened is listed with the reason. */
GPtrArray        *kiln_usb_list_probes               (KilnSimBench      *bench,
                                                      GError           **error);
/* The model for a product ID ("ST-LINK/V2", "ST-LINK/V2-1", "STLINK-V3"),
 * NULL for a product that is not an ST-LINK. */
const char       *kiln_usb_model_for_product_id      (guint16            product_id);

const char       *kiln_usb_probe_info_get_serial     (KilnUsbProbeInfo  *self);
const char       *kiln_usb_probe_info_get_model      (KilnUsbProbeInfo  *self);
guint16           kiln_usb_probe_info_get_product_id (KilnUsbProbeInfo  *self);
KilnUsbBackend    kiln_usb_probe_info_get_backend    (KilnUsbProbeInfo  *self);
/* "bus 1 port 3" or "simulator" */
const char       *kiln_usb_probe_info_get_location   (KilnUsbProbeInfo  *self);
gboolean          kiln_usb_probe_info_can_open       (KilnUsbProbeInfo  *self);
/* Why it cannot be opened, and what to do; NULL when it can. */
const char       *kiln_usb_probe_info_get_problem    (KilnUsbProbeInfo  *self);
KilnUsbDevice    *kiln_usb_probe_info_open           (KilnUsbProbeInfo  *self,
                                                      GError           **error);

G_END_DECLS
