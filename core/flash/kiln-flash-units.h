/* kiln-flash-units.h — which bytes of a sector's new content need
 * programming: runs of units that are not erased (all 0xFF)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A run of a sector's content, as offsets into it. */
typedef struct
{
  guint32 offset;
  guint32 length;
} KilnFlashRange;

/* The runs of @content (@size bytes) to program: every @unit (4 or 8, a
 * divisor of @size) that is not all 0xFF is in one, erased gaps shorter
 * than a few hundred bytes are merged into the runs around them, and at
 * most @max_runs runs are made (the shortest gaps are merged first). */
GArray  *kiln_flash_runs_to_program  (const guint8 *content,
                                      guint32       size,
                                      guint         unit,
                                      guint         max_runs);
/* Bytes of @content (@size bytes) in units of @unit bytes that are all
 * 0xFF: what an erased sector already holds and need not be programmed. */
guint64  kiln_flash_erased_bytes     (const guint8 *content,
                                      guint32       size,
                                      guint         unit);
/* Whether all @size bytes of @data are 0xFF. */
gboolean kiln_flash_is_erased        (const guint8 *data,
                                      gsize         size);

G_END_DECLS
