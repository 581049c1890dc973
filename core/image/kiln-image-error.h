/* kiln-image-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_IMAGE_ERROR (kiln_image_error_quark ())

typedef enum
{
  KILN_IMAGE_ERROR_IO,          /* the file could not be read */
  KILN_IMAGE_ERROR_FORMAT,      /* not a file of a format Kiln knows */
  KILN_IMAGE_ERROR_TRUNCATED,   /* the file ends early */
  KILN_IMAGE_ERROR_SYNTAX,      /* a malformed record or header */
  KILN_IMAGE_ERROR_CHECKSUM,    /* a record's checksum does not match */
  KILN_IMAGE_ERROR_RANGE,       /* data beyond the file, or an address overflow */
  KILN_IMAGE_ERROR_OVERLAP,     /* two pieces of the file claim one address with different bytes */
  KILN_IMAGE_ERROR_EMPTY,       /* nothing to program */
  KILN_IMAGE_ERROR_NEEDS_BASE,  /* a raw binary needs a base address */
} KilnImageError;

GQuark kiln_image_error_quark (void);

G_END_DECLS
