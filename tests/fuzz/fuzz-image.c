/* fuzz-image.c — libFuzzer target for one image parser, chosen at build time (KILN_FUZZ_FORMAT)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stddef.h>
#include <stdint.h>

#include "kiln-image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;

  image = kiln_image_load_bytes (bytes, "fuzz", KILN_FUZZ_FORMAT, FALSE, 0, &error);
  /* Exactly one of an image or an error. */
  g_assert ((image == NULL) != (error == NULL));
  if (image != NULL)
    {
      guint64 total = 0;

      for (guint i = 0; i < kiln_image_get_n_ranges (image); i++)
        {
          const KilnImageRange *r = kiln_image_get_range (image, i);

          g_assert (r->size > 0);
          g_assert ((guint64) r->address + r->size <= G_MAXUINT32 + (guint64) 1);
          if (i > 0)
            {
              const KilnImageRange *prev = kiln_image_get_range (image, i - 1);

              /* Sorted, and never touching or overlapping. */
              g_assert ((guint64) prev->address + prev->size < r->address);
            }
          total += r->size;
        }
      g_assert (total == kiln_image_get_total_size (image));
    }
  return 0;
}
