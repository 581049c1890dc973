/* kiln-flash-loader-records.c — the records a program run streams to the
 * SRAM loader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <lz4.h>

#include "kiln-flash-loader-records.h"
#include "kiln-flash-units.h"

guint32
kiln_loader_record_size (const KilnLoaderRecord *r)
{
  return 4 + ((r->stored + 3) & ~3u);
}

/* Decoding costs the target a little time: a block is sent compressed
 * only when that saves at least a sixteenth. */
GArray *
kiln_loader_make_records (gboolean            compress,
                          const KilnLoaderOp *ops,
                          guint               n_ops)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (KilnLoaderRecord));
  int bound = LZ4_compressBound (KILN_LOADER_BLOCK);

  for (guint i = 0; i < n_ops; i++)
    {
      if (ops[i].kind != KILN_LOADER_OP_PROGRAM)
        continue;
      for (guint32 off = 0; off < ops[i].length; off += KILN_LOADER_BLOCK)
        {
          KilnLoaderRecord r = { ops[i].data + off, NULL, MIN ((guint32) KILN_LOADER_BLOCK, ops[i].length - off), 0, 0 };
          int packed = 0;

          r.stored = r.raw;
          r.program = r.raw - (guint32) kiln_flash_erased_bytes (r.data, r.raw, 4);
          if (compress)
            {
              r.owned = g_malloc (bound);
              packed = LZ4_compress_default ((const char *) r.data, (char *) r.owned, (int) r.raw, bound);
            }
          if (packed > 0 && (guint32) packed <= r.raw - r.raw / 16)
            {
              r.data = r.owned;
              r.stored = (guint32) packed;
            }
          else
            g_clear_pointer (&r.owned, g_free);
          g_array_append_val (records, r);
        }
    }
  return records;
}

gboolean
kiln_loader_records_compressed (GArray *records)
{
  for (guint i = 0; i < records->len; i++)
    if (g_array_index (records, KilnLoaderRecord, i).stored != g_array_index (records, KilnLoaderRecord, i).raw)
      return TRUE;
  return FALSE;
}

void
kiln_loader_free_records (GArray *records)
{
  for (guint i = 0; i < records->len; i++)
    g_free (g_array_index (records, KilnLoaderRecord, i).owned);
  g_array_unref (records);
}
