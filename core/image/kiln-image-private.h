/* kiln-image-private.h — what the parsers use to build a KilnImage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-image.h"

G_BEGIN_DECLS

typedef struct _KilnImageBuilder KilnImageBuilder;

KilnImageBuilder *kiln_image_builder_new          (const char        *display_name,
                                                   KilnImageFormat    format);
void              kiln_image_builder_free         (KilnImageBuilder  *builder);
/* Adds @size bytes at @address. Fails with KILN_IMAGE_ERROR_RANGE when the
 * piece would run past 0xFFFFFFFF. The origin is for messages. */
gboolean          kiln_image_builder_add          (KilnImageBuilder  *builder,
                                                   guint64            address,
                                                   const guint8      *data,
                                                   gsize              size,
                                                   const char        *origin,
                                                   GError           **error);
void              kiln_image_builder_add_segment  (KilnImageBuilder  *builder,
                                                   const char        *name,
                                                   guint32            address,
                                                   guint32            size);
void              kiln_image_builder_set_entry    (KilnImageBuilder  *builder,
                                                   guint32            entry);
/* Sorts and merges; identical overlaps merge, differing ones are refused. */
KilnImage        *kiln_image_builder_end          (KilnImageBuilder  *builder,
                                                   GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnImageBuilder, kiln_image_builder_free)

/* The parsers. */
gboolean          kiln_image_parse_elf            (KilnImageBuilder  *builder,
                                                   GBytes            *bytes,
                                                   const char        *name,
                                                   GError           **error);
gboolean          kiln_image_parse_ihex           (KilnImageBuilder  *builder,
                                                   GBytes            *bytes,
                                                   const char        *name,
                                                   GError           **error);
gboolean          kiln_image_parse_srec           (KilnImageBuilder  *builder,
                                                   GBytes            *bytes,
                                                   const char        *name,
                                                   GError           **error);
gboolean          kiln_image_parse_bin            (KilnImageBuilder  *builder,
                                                   GBytes            *bytes,
                                                   const char        *name,
                                                   guint32            base,
                                                   GError           **error);

/* Helpers shared by the text formats. */
typedef struct
{
  const char *data;
  gsize       length;
  gsize       pos;
  guint       line;
} KilnImageLines;

/* Returns the next line without its end (\n, \r\n or \r), or FALSE at the end. */
gboolean          kiln_image_lines_next           (KilnImageLines    *lines,
                                                   const char       **line,
                                                   gsize             *length);
/* Sets "NAME line N: what" (KILN_IMAGE_ERROR, @code) and returns FALSE. */
gboolean          kiln_image_fail_at_line         (GError           **error,
                                                   int                code,
                                                   const char        *name,
                                                   guint              line,
                                                   const char        *format,
                                                   ...) G_GNUC_PRINTF (5, 6);
/* Decodes 2*@n hex digits into @out; FALSE on a non-hex character. */
gboolean          kiln_image_hex_decode           (const char        *text,
                                                   gsize              n,
                                                   guint8            *out);
/* A record line's @n_digits hex digits into @record (@size bytes at most),
 * their count in @n: FALSE with a syntax error on line @line of @name for an
 * odd number of digits, more than @size bytes or a character that is not a
 * hex digit. Fewer than @min bytes are left for the caller to refuse (in
 * its own words), undecoded. */
gboolean          kiln_image_decode_record        (const char        *digits,
                                                   gsize              n_digits,
                                                   gsize              min,
                                                   guint8            *record,
                                                   gsize              size,
                                                   gsize             *n,
                                                   const char        *name,
                                                   guint              line,
                                                   GError           **error);

G_END_DECLS
