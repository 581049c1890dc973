/* kiln-flash-loader-records.c — the records a program run streams to the
 * SRAM loader, and how they are gathered into the ring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <lz4.h>
#include <string.h>

#include "kiln-flash-loader-records.h"
#include "kiln-flash-units.h"
#include "kiln-stlink-protocol.h"

/* The smallest of the last records. */
#define TAIL_MIN 256

guint32
kiln_loader_record_size (const KilnLoaderRecord *r)
{
  return 12 + ((r->stored + 3) & ~3u);
}

void
kiln_loader_record_encode (const KilnLoaderRecord *r,
                           guint8                 *out)
{
  guint32 size = kiln_loader_record_size (r);

  /* The seq after the lengths, the trailer last: the probe writes upwards. */
  kiln_stlink_encode_u32 (out, r->raw | r->stored << 16);
  kiln_stlink_encode_u32 (out + 4, r->seq);
  memcpy (out + 8, r->data, r->stored);
  memset (out + 8 + r->stored, 0, size - 12 - r->stored);
  kiln_stlink_encode_u32 (out + size - 4, r->seq);
}

void
kiln_loader_marker_encode (gboolean  end,
                           guint32   seq,
                           guint8   *out)
{
  kiln_stlink_encode_u32 (out, end ? 0xFFFFFFFFu : 0);
  kiln_stlink_encode_u32 (out + 4, seq);
}

/* How many raw bytes the next record takes, @left in the operation and
 * @stream_left in the whole stream. Via a full-speed probe the link
 * carries a byte in about 4.75 µs and the flash programs it in about 4:
 * records of a sixth of what is left (each five sixths of the one before)
 * keep the flash ahead of the link, and the last one is short. */
static guint32
block_size (guint32 left,
            guint64 stream_left)
{
  guint32 size = MIN ((guint32) KILN_LOADER_BLOCK, left);

  if (stream_left < 6 * KILN_LOADER_BLOCK)
    size = MIN (size, MAX ((guint32) TAIL_MIN, ((guint32) (stream_left / 6) + TAIL_MIN - 1) & ~(guint32) (TAIL_MIN - 1)));
  return size;
}

/* Decoding costs the target a little time: a block is sent compressed
 * only when that saves at least a sixteenth. */
GArray *
kiln_loader_make_records (gboolean            compress,
                          const KilnLoaderOp *ops,
                          guint               n_ops,
                          guint32             seq)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (KilnLoaderRecord));
  int bound = LZ4_compressBound (KILN_LOADER_BLOCK);
  guint64 stream_left = 0;

  for (guint i = 0; i < n_ops; i++)
    if (ops[i].kind == KILN_LOADER_OP_PROGRAM)
      stream_left += ops[i].length;
  for (guint i = 0; i < n_ops; i++)
    {
      guint32 raw;

      if (ops[i].kind != KILN_LOADER_OP_PROGRAM)
        continue;
      for (guint32 off = 0; off < ops[i].length; off += raw, stream_left -= raw)
        {
          KilnLoaderRecord r = { ops[i].data + off, NULL, 0, 0, 0, seq++, i };
          int packed = 0;

          raw = r.raw = block_size (ops[i].length - off, stream_left);
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

void
kiln_loader_records_totals (GArray  *records,
                            guint64 *link,
                            guint64 *program)
{
  *link = 0;
  *program = 0;
  for (guint i = 0; i < records->len; i++)
    {
      *link += kiln_loader_record_size (&g_array_index (records, KilnLoaderRecord, i));
      *program += g_array_index (records, KilnLoaderRecord, i).program;
    }
}

guint8 *
kiln_loader_make_table (const KilnLoaderOp  *ops,
                        guint                n_ops,
                        const guint32       *after,
                        guint                n_after,
                        guint              **done_of)
{
  guint8 *table = g_malloc0 ((gsize) (n_ops + n_after) * KILN_LOADER_OP_SIZE);
  guint *done = g_new0 (guint, n_ops + n_after + 1);
  g_autofree guint *last = g_new (guint, n_after + 1);
  guint t = 0;

  /* Each range's last operation inside it (n_ops where none is). */
  for (guint j = 0; j < n_after; j++)
    {
      last[j] = n_ops;
      for (guint i = 0; i < n_ops; i++)
        if (ops[i].address >= after[2 * j] && ops[i].address - after[2 * j] < after[2 * j + 1])
          last[j] = i;
    }
  /* The CRC of a range right after its last operation, those of ranges no
   * operation wrote at the end; each names its result, counted from the
   * last range's: the results of the table's end come first. */
  for (guint i = 0; i <= n_ops; i++)
    {
      if (i < n_ops)
        {
          guint8 *entry = table + KILN_LOADER_OP_SIZE * t;
          gboolean erase = ops[i].kind != KILN_LOADER_OP_PROGRAM;

          kiln_stlink_encode_u32 (entry, ops[i].kind);
          kiln_stlink_encode_u32 (entry + 4, erase ? ops[i].arg : ops[i].address);
          kiln_stlink_encode_u32 (entry + 8, erase ? ops[i].address : ops[i].length);
          done[++t] = i + 1;
        }
      for (guint j = 0; j < n_after; j++)
        if (last[j] == i)
          {
            guint8 *entry = table + KILN_LOADER_OP_SIZE * t;

            kiln_stlink_encode_u32 (entry, KILN_LOADER_OP_CRC | (n_after - 1 - j) << 8);
            kiln_stlink_encode_u32 (entry + 4, after[2 * j]);
            kiln_stlink_encode_u32 (entry + 8, after[2 * j + 1]);
            done[t + 1] = done[t];
            t++;
          }
    }
  *done_of = done;
  return table;
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

guint32
kiln_loader_stream_gather (KilnLoaderStream *st,
                           guint32           ring_size,
                           guint8           *batch,
                           guint32           free_bytes,
                           guint32           limit,
                           guint32          *skip,
                           guint32          *tail)
{
  guint32 at = st->wp % ring_size, n = 0;
  guint32 room = MIN (limit, free_bytes - KILN_LOADER_MARKER_SIZE);

  *skip = 0;
  *tail = 0;
  while (st->rec < st->records->len && n < room)
    {
      const KilnLoaderRecord *r = &g_array_index (st->records, KilnLoaderRecord, st->rec);
      guint32 size = kiln_loader_record_size (r), take;

      if (st->offset == 0)
        {
          if (at + n + size + KILN_LOADER_MARKER_SIZE > ring_size)
            {
              if (ring_size - at <= free_bytes)
                {
                  kiln_loader_marker_encode (FALSE, r->seq, batch + n);
                  n += KILN_LOADER_MARKER_SIZE;
                  *skip = ring_size - at - n;
                }
              break;
            }
          kiln_loader_record_encode (r, st->current);
        }
      take = MIN (size - st->offset, room - n);
      memcpy (batch + n, st->current + st->offset, take);
      n += take;
      st->offset += take;
      st->sent += take;
      if (st->offset == size)
        {
          st->raw_sent += r->raw;
          st->ends[st->rec] = st->wp + n;
          st->raw_upto[st->rec] = st->raw_sent;
          st->rec++;
          st->offset = 0;
          if (st->rec == st->records->len)
            {
              kiln_loader_marker_encode (TRUE, r->seq + 1, batch + n);
              *tail = KILN_LOADER_MARKER_SIZE;
            }
        }
    }
  return n;
}
