/* kiln-sim-libusb-private.h — what the drop-in libusb's files share: its
 * objects, the bench behind them and the lock that guards both
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libusb-1.0/libusb.h>

#include "kiln-sim-bench.h"

#define EXPORT __attribute__ ((visibility ("default")))

struct libusb_context
{
  int     refs;
  GQueue  completed;  /* struct libusb_transfer * */
};

struct libusb_device
{
  int           refs;
  KilnSimProbe *probe;
  guint8        address;  /* where the host enumerated it; a replug moves the probe */
};

struct libusb_device_handle
{
  struct libusb_device *dev;
};

/* Hidden (the library's visibility is hidden but for EXPORT). */
extern GMutex                kiln_dropin_lock;
extern GCond                 kiln_dropin_events_cond;  /* with the lock: something for the event handler */
extern gboolean              kiln_dropin_events_interrupted;
extern KilnSimBench         *kiln_dropin_bench;
extern struct libusb_context kiln_dropin_default_context;

struct libusb_context *kiln_dropin_ctx          (struct libusb_context *ctx);
/* A device the host enumerated before the probe was unplugged is gone for
 * good, even when the probe comes back. */
gboolean               kiln_dropin_device_gone  (struct libusb_device  *dev);
