/* kiln-flash-units.c — runs to program and erased units of a sector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kiln-flash-units.h"

/* Erased gaps shorter than this are programmed through (the loader skips
 * their units anyway) rather than splitting a run. */
#define GAP_MERGE 256

gboolean
kiln_flash_is_erased (const guint8 *data,
                      gsize         size)
{
  for (gsize i = 0; i < size; i++)
    if (data[i] != 0xFF)
      return FALSE;
  return TRUE;
}

guint64
kiln_flash_erased_bytes (const guint8 *content,
                         guint32       size,
                         guint         unit)
{
  guint64 erased = 0;

  for (guint32 u = 0; u + unit <= size; u += unit)
    if (kiln_flash_is_erased (content + u, unit))
      erased += unit;
  return erased;
}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

GArray *
kiln_flash_runs_to_program (const guint8 *content,
                            guint32       size,
                            guint         unit,
                            guint         max_runs)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (KilnFlashRange));
  guint32 u = 0;

  g_return_val_if_fail (unit == 4 || unit == 8, out);
  max_runs = MAX (max_runs, 1);

  while (u < size)
    {
      KilnFlashRange r;

      while (u < size && kiln_flash_is_erased (content + u, unit))
        u += unit;
      if (u >= size)
        break;
      r.offset = u;
      for (;;)
        {
          guint32 gap;

          while (u < size && !kiln_flash_is_erased (content + u, unit))
            u += unit;
          gap = u;
          while (gap < size && kiln_flash_is_erased (content + gap, unit))
            gap += unit;
          if (gap < size && gap - u < GAP_MERGE)
            u = gap;
          else
            break;
        }
      r.length = u - r.offset;
      g_array_append_val (out, r);
    }

  if (out->len > max_runs)
    {
      /* Too many runs: the shortest gaps are programmed through, up to a
       * threshold that leaves at most max_runs. */
      g_autoptr(GArray) gaps = g_array_sized_new (FALSE, FALSE, sizeof (guint32), out->len - 1);
      guint32 threshold;
      guint kept = 0;

      for (guint i = 1; i < out->len; i++)
        {
          KilnFlashRange *a = &g_array_index (out, KilnFlashRange, i - 1);
          guint32 gap = g_array_index (out, KilnFlashRange, i).offset - (a->offset + a->length);

          g_array_append_val (gaps, gap);
        }
      g_array_sort (gaps, compare_gaps);
      threshold = g_array_index (gaps, guint32, out->len - max_runs - 1);

      for (guint i = 1; i < out->len; i++)
        {
          KilnFlashRange *a = &g_array_index (out, KilnFlashRange, kept);
          KilnFlashRange *b = &g_array_index (out, KilnFlashRange, i);

          if (b->offset - (a->offset + a->length) <= threshold)
            a->length = b->offset + b->length - a->offset;
          else
            g_array_index (out, KilnFlashRange, ++kept) = *b;
        }
      g_array_set_size (out, kept + 1);
    }
  return out;
}
