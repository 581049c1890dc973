/* kiln-usb-monitor.h — ST-LINKs arriving and leaving
 *
 * The probes attached now, as a GListModel of KilnUsbProbeInfo, kept up to
 * date by a thread of its own: from libusb's hotplug events where the
 * platform has them, else by scanning the bus every poll interval; the
 * probes of a simulated bench are checked at the same interval. Changes
 * reach the main context that was the thread default when the monitor was
 * made, as ::probe-removed and ::probe-added (and items-changed), in the
 * order they happened. A probe that is unplugged and plugged in again is
 * removed and then added as a new item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

#define KILN_TYPE_USB_MONITOR (kiln_usb_monitor_get_type ())

G_DECLARE_FINAL_TYPE (KilnUsbMonitor, kiln_usb_monitor, KILN, USB_MONITOR, GObject)

/* Watches the USB bus and the probes of @bench (NULL: none). */
KilnUsbMonitor   *kiln_usb_monitor_new               (KilnSimBench   *bench);
/* With @use_hotplug FALSE the bus is scanned every @poll_interval_ms even
 * where libusb has hotplug events. */
KilnUsbMonitor   *kiln_usb_monitor_new_full          (KilnSimBench   *bench,
                                                      gboolean        use_hotplug,
                                                      guint           poll_interval_ms);
/* TRUE when libusb's hotplug events drive it, FALSE when it polls. */
gboolean          kiln_usb_monitor_get_uses_hotplug  (KilnUsbMonitor *self);
/* The attached probe with @serial, or NULL. */
KilnUsbProbeInfo *kiln_usb_monitor_find              (KilnUsbMonitor *self,
                                                      const char     *serial);

G_END_DECLS
