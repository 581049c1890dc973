/* kiln-probe-selector-private.h — the probe button in the header bar: every
 * ST-LINK on the bus (and the simulated board), kept up to date
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-stlink-protocol.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

#define KILN_TYPE_PROBE_SELECTOR (kiln_probe_selector_get_type ())

G_DECLARE_FINAL_TYPE (KilnProbeSelector, kiln_probe_selector, KILN, PROBE_SELECTOR, AdwBin)

GtkWidget        *kiln_probe_selector_new             (void);
/* The probes seen by the last listing (KilnUsbProbeInfo), real ones first. */
GPtrArray        *kiln_probe_selector_get_probes      (KilnProbeSelector       *self);
KilnUsbProbeInfo *kiln_probe_selector_get_selected    (KilnProbeSelector       *self);
/* Selects @info (or nothing) and emits ::probe-selected. */
void              kiln_probe_selector_select          (KilnProbeSelector       *self,
                                                       KilnUsbProbeInfo        *info);
/* Makes the simulated board (KILN_SIM's bench, or the built-in one) off the
 * main loop, then selects its first probe. */
void              kiln_probe_selector_select_simulator (KilnProbeSelector      *self);
/* The bench, once made (NULL before). */
KilnSimBench     *kiln_probe_selector_get_bench       (KilnProbeSelector       *self);
/* Lists the probes again now (it also does so every two seconds). */
void              kiln_probe_selector_refresh         (KilnProbeSelector       *self);
/* What the selected probe's firmware is, once a job has read it. */
void              kiln_probe_selector_set_version     (KilnProbeSelector       *self,
                                                       const char              *serial,
                                                       const KilnStlinkVersion *version);
gboolean          kiln_probe_selector_is_listing      (KilnProbeSelector       *self);
/* Opens the list of probes. */
void              kiln_probe_selector_popup           (KilnProbeSelector       *self);
/* For tests */
GtkWidget        *_kiln_probe_selector_get_popover    (KilnProbeSelector       *self);

G_END_DECLS
