/* kiln-image.h — a firmware image: sorted, merged address ranges with their bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-image-error.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_IMAGE_FORMAT_AUTO,
  KILN_IMAGE_FORMAT_ELF,
  KILN_IMAGE_FORMAT_IHEX,
  KILN_IMAGE_FORMAT_SREC,
  KILN_IMAGE_FORMAT_BIN,
} KilnImageFormat;

/* One merged, contiguous piece of the image. Ranges are sorted by address
 * and never touch or overlap each other. @origin says where the bytes came
 * from, for messages ("segment 1", "lines 3–212"). */
typedef struct
{
  guint32       address;
  guint32       size;
  const guint8 *data;
  const char   *origin;
} KilnImageRange;

/* A named piece of the file for display (an ELF section such as .text at its
 * load address; for other formats one per contiguous run of records). */
typedef struct
{
  const char *name;
  guint32     address;
  guint32     size;
} KilnImageSegment;

#define KILN_TYPE_IMAGE (kiln_image_get_type ())

G_DECLARE_FINAL_TYPE (KilnImage, kiln_image, KILN, IMAGE, GObject)

/* @base is used only for KILN_IMAGE_FORMAT_BIN (or AUTO that resolves to a
 * raw binary); a raw binary with @has_base FALSE is refused with
 * KILN_IMAGE_ERROR_NEEDS_BASE. Errors name the file and the place
 * (byte offset or line). */
KilnImage              *kiln_image_load_file        (const char       *path,
                                                     KilnImageFormat   format,
                                                     gboolean          has_base,
                                                     guint32           base,
                                                     GError          **error);
KilnImage              *kiln_image_load_bytes       (GBytes           *bytes,
                                                     const char       *display_name,
                                                     KilnImageFormat   format,
                                                     gboolean          has_base,
                                                     guint32           base,
                                                     GError          **error);
KilnImageFormat         kiln_image_guess_format     (const char       *path,
                                                     GBytes           *contents);
const char             *kiln_image_format_to_string (KilnImageFormat   format);

const char             *kiln_image_get_display_name (KilnImage        *self);
KilnImageFormat         kiln_image_get_format       (KilnImage        *self);
guint                   kiln_image_get_n_ranges     (KilnImage        *self);
const KilnImageRange   *kiln_image_get_range        (KilnImage        *self,
                                                     guint             index);
guint                   kiln_image_get_n_segments   (KilnImage        *self);
const KilnImageSegment *kiln_image_get_segment      (KilnImage        *self,
                                                     guint             index);
/* Total number of bytes in all ranges. */
guint64                 kiln_image_get_total_size   (KilnImage        *self);
gboolean                kiln_image_get_entry_point  (KilnImage        *self,
                                                     guint32          *entry);
/* Copies the image's bytes in [address, address+size) into @buffer, leaving
 * bytes the image does not cover untouched; returns how many were covered. */
guint32                 kiln_image_copy_into        (KilnImage        *self,
                                                     guint32           address,
                                                     guint32           size,
                                                     guint8           *buffer);
/* A copy of @self with @size more bytes at @address, shown as segment @name
 * (a serial number a production station adds, say). Bytes of @self at those
 * addresses are refused with KILN_IMAGE_ERROR_OVERLAP. */
KilnImage              *kiln_image_new_with_data    (KilnImage        *self,
                                                     guint32           address,
                                                     const guint8     *data,
                                                     gsize             size,
                                                     const char       *name,
                                                     GError          **error);

G_END_DECLS
