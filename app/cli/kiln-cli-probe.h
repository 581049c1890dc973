/* kiln-cli-probe.h — finding and opening the probe a command works with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-target.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

/* The bench the command works with: $KILN_SIM, or the built-in one with
 * @simulator; NULL when neither (only real probes). */
KilnSimBench  *kiln_cli_probe_bench       (gboolean        simulator,
                                           GError        **error);
/* The probe named by @serial, or the only one attached. Errors list the
 * probes when several are attached and none was chosen. */
KilnUsbProbeInfo *kiln_cli_probe_choose   (GPtrArray      *probes,
                                           const char     *serial,
                                           GError        **error);
/* Opens, connects and identifies the target. */
KilnArmTarget *kiln_cli_probe_connect     (KilnUsbProbeInfo *info,
                                           guint            khz,
                                           gboolean         under_reset,
                                           GError         **error);

G_END_DECLS
