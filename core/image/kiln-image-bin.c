/* kiln-image-bin.c — a raw binary at a base address the user gives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-image-private.h"

gboolean
kiln_image_parse_bin (KilnImageBuilder  *builder,
                      GBytes            *bytes,
                      const char        *name,
                      guint32            base,
                      GError           **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree char *origin = g_strdup_printf (_("bytes 0–%zu"), size ? size - 1 : 0);

  return kiln_image_builder_add (builder, base, data, size, origin, error);
}
