/* kiln-memory-view-private.h — the chip's flash or RAM as hex and ASCII
 * beside the loaded file's bytes: read through the probe's worker in
 * chunks as they come into sight, differences highlighted, Go to Address
 * (Ctrl+G) and Find (Ctrl+F)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-chip.h"
#include "kiln-hex-view-private.h"
#include "kiln-image.h"
#include "kiln-session.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

#define KILN_TYPE_MEMORY_VIEW (kiln_memory_view_get_type ())

G_DECLARE_FINAL_TYPE (KilnMemoryView, kiln_memory_view, KILN, MEMORY_VIEW, AdwWindow)

/* The chip's memory as @chip lays it out, read on @session's worker;
 * @image (may be NULL) is shown beside it. */
KilnMemoryView *kiln_memory_view_new        (GtkWindow        *parent,
                                             KilnSession      *session,
                                             KilnUsbProbeInfo *probe,
                                             guint             khz,
                                             gboolean          under_reset,
                                             KilnChip         *chip,
                                             KilnImage        *image);
/* Shows the region holding @address (flash or a RAM region) with the
 * cursor on @address; FALSE when the chip has no memory there. */
gboolean        kiln_memory_view_go_to      (KilnMemoryView   *self,
                                             guint32           address);
void            kiln_memory_view_set_image  (KilnMemoryView   *self,
                                             KilnImage        *image);
/* The chip changed (or may have): forgets what was read and reads the
 * rows in view again; @why (may be NULL) is said meanwhile. */
void            kiln_memory_view_read_again (KilnMemoryView   *self,
                                             const char       *why);

/* For tests */
KilnHexView    *_kiln_memory_view_get_hex_view (KilnMemoryView *self);
/* The line under the rows: what is being read, found, or went wrong. */
const char     *_kiln_memory_view_get_status   (KilnMemoryView *self);
/* No chunk is being read or waiting to be. */
gboolean        _kiln_memory_view_is_idle      (KilnMemoryView *self);

G_END_DECLS
