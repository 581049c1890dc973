/* kiln-flash-loader-private.h — what the files of the loader's host side
 * share (internal)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-flash-loader.h"

G_BEGIN_DECLS

/* KILN_FLASH_ERROR_LOADER saying the loader could not run, with @cause's
 * message (freed); returns FALSE. */
gboolean kiln_loader_error        (GError          **error,
                                   GError           *cause);
/* The program part, where setup left it behind (see
 * kiln_flash_loader_setup_crc_first()): its own checked write, once. */
gboolean kiln_loader_load_program (KilnFlashLoader  *self,
                                   GError          **error);
/* Where a program command's ring starts: right after the @n_cleared
 * results its post clears, so that the post and the stream's first bytes
 * go up in one transfer. It ends at ring_end. */
guint32  kiln_loader_ring         (KilnFlashLoader  *self,
                                   guint             n_cleared);
/* The code that goes up with the first command (upload_end bytes), then
 * @extra bytes of zeros. */
guint8  *kiln_loader_code_bytes   (KilnFlashLoader  *self,
                                   gsize             extra);

G_END_DECLS
