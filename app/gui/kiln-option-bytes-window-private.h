/* kiln-option-bytes-window-private.h — the chip's option bytes (read
 * protection, write protection per sector, boot addresses, brown-out reset,
 * watchdog and low-power bits, the bank layout), read and changed with a
 * confirmation that says what the change does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-session.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

#define KILN_TYPE_OPTION_BYTES_WINDOW (kiln_option_bytes_window_get_type ())

G_DECLARE_FINAL_TYPE (KilnOptionBytesWindow, kiln_option_bytes_window, KILN, OPTION_BYTES_WINDOW, AdwWindow)

/* Reads the option bytes on @session's worker as soon as it is shown. */
KilnOptionBytesWindow *kiln_option_bytes_window_new         (GtkWindow             *parent,
                                                             KilnSession           *session,
                                                             KilnUsbProbeInfo      *probe,
                                                             guint                  khz,
                                                             gboolean               under_reset);

/* For tests */
gboolean               _kiln_option_bytes_window_is_ready    (KilnOptionBytesWindow *self);
/* The KEY=VALUE assignments the widgets amount to (NULL-terminated). */
GStrv                  _kiln_option_bytes_window_dup_assignments (KilnOptionBytesWindow *self);
void                   _kiln_option_bytes_window_set_rdp     (KilnOptionBytesWindow *self,
                                                             guint                  level);
void                   _kiln_option_bytes_window_set_protected (KilnOptionBytesWindow *self,
                                                             guint                  position,
                                                             gboolean               protect);
const char            *_kiln_option_bytes_window_get_status  (KilnOptionBytesWindow *self);
void                   _kiln_option_bytes_window_set_boot    (KilnOptionBytesWindow *self,
                                                             guint                  which,
                                                             const char            *text);
/* What the window says under the options (the changes, or what is wrong). */
const char            *_kiln_option_bytes_window_get_changes (KilnOptionBytesWindow *self);
gboolean               _kiln_option_bytes_window_can_write   (KilnOptionBytesWindow *self);
void                   _kiln_option_bytes_window_write       (KilnOptionBytesWindow *self);
GtkWidget             *_kiln_option_bytes_window_get_write_button (KilnOptionBytesWindow *self);
/* The DB1M switch (shown on 1 MiB F42x/F43x parts only). */
GtkWidget             *_kiln_option_bytes_window_get_db1m_switch  (KilnOptionBytesWindow *self);

G_END_DECLS
