/* kiln-otp-window-private.h — the chip's one-time-programmable area: its
 * 16 blocks and their lock bytes, writing a block and locking one, with the
 * same guards as `kiln-cli otp` (checked against the chip before asking;
 * nothing written without confirmation; locking needs a second, explicit
 * "I understand")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-flash-otp.h"
#include "kiln-session.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

#define KILN_TYPE_OTP_WINDOW (kiln_otp_window_get_type ())

G_DECLARE_FINAL_TYPE (KilnOtpWindow, kiln_otp_window, KILN, OTP_WINDOW, AdwWindow)

/* Reads the OTP area on @session's worker as soon as it is made. */
KilnOtpWindow *kiln_otp_window_new (GtkWindow        *parent,
                                    KilnSession      *session,
                                    KilnUsbProbeInfo *probe,
                                    guint             khz,
                                    gboolean          under_reset);

/* For tests */
gboolean            _kiln_otp_window_is_ready     (KilnOtpWindow *self);
const char         *_kiln_otp_window_get_status   (KilnOtpWindow *self);
/* The OTP area as last read (NULL before the first read). */
const KilnFlashOtp *_kiln_otp_window_get_otp      (KilnOtpWindow *self);
GtkWidget          *_kiln_otp_window_get_block_entry (KilnOtpWindow *self);
GtkWidget          *_kiln_otp_window_get_bytes_entry (KilnOtpWindow *self);
GtkWidget          *_kiln_otp_window_get_lock_check  (KilnOtpWindow *self);
GtkWidget          *_kiln_otp_window_get_write_button (KilnOtpWindow *self);
/* The Lock… button of block @block's row. */
GtkWidget          *_kiln_otp_window_get_lock_button (KilnOtpWindow *self,
                                                      guint          block);
/* The text of block @block's row ("Block 2: DE AD …, open"). */
char               *_kiln_otp_window_dup_row_text (KilnOtpWindow *self,
                                                   guint          block);

G_END_DECLS
