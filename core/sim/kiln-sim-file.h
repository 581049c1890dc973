/* kiln-sim-file.h — how the bench writes its output files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean kiln_sim_file_write (const char  *path,
                              const char  *contents,
                              gssize       length,
                              GError     **error);

G_END_DECLS
