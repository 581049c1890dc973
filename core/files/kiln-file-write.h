/* kiln-file-write.h — writing a file the user named without harming what is there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean kiln_file_write (const char  *path,
                          const void  *data,
                          gsize        length,
                          int          mode,
                          GError     **error);

G_END_DECLS
