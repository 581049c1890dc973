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
#include "kiln-stlink.h"
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

/* The same where the probe's last command starts at @last_at bytes of the
 * records, @before bytes of them coming before this one: those before it
 * end there, shrinking towards it as above; from there on they start at
 * TAIL_MIN and grow by a thirty-second each (*@grow). Record sizes are
 * multiples of 16 bytes but for an operation's last. */
static guint32
block_size_to (guint32  left,
               guint32  before,
               guint32  last_at,
               guint32 *grow)
{
  guint32 size = MIN ((guint32) KILN_LOADER_BLOCK, left);
  guint32 to_last = before < last_at ? last_at - before : 0;
  guint32 cut;

  if (to_last > 12 + 16)
    {
      cut = (to_last - 12) & ~15u;
      if (to_last < 6 * KILN_LOADER_BLOCK)
        cut = MIN (cut, MAX ((guint32) TAIL_MIN, (to_last / 6 + 15) & ~15u));
      return MIN (size, cut);
    }
  size = MIN (size, *grow & ~15u);
  *grow += *grow / 32;
  return size;
}

/* Decoding costs the target a little time: a block is sent compressed
 * only when that saves at least a sixteenth. */
GArray *
kiln_loader_make_records (gboolean            compress,
                          const KilnLoaderOp *ops,
                          guint               n_ops,
                          guint32             seq,
                          guint32             last_at)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (KilnLoaderRecord));
  int bound = LZ4_compressBound (KILN_LOADER_BLOCK);
  guint64 stream_left = 0;
  guint32 before = 0, grow = TAIL_MIN;

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

          raw = r.raw = last_at > 0 ? block_size_to (ops[i].length - off, before, last_at, &grow)
                                    : block_size (ops[i].length - off, stream_left);
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
          before += kiln_loader_record_size (&r);
          g_array_append_val (records, r);
        }
    }
  return records;
}

guint32
kiln_loader_stream_last_command (GArray  *records,
                                 guint32  ring_size,
                                 guint   *n_commands)
{
  g_autofree guint8 *batch = g_malloc (KILN_LOADER_BATCH + KILN_LOADER_MARKER_SIZE);
  g_autofree guint8 *current = g_malloc (KILN_LOADER_BLOCK + 12);
  g_autofree guint32 *ends = g_new0 (guint32, records->len + 1);
  g_autofree guint64 *raw_upto = g_new0 (guint64, records->len + 1);
  KilnLoaderStream st = { 0 };
  guint32 rp = 0, since_poll = 0, last = 0;

  st.records = records;
  st.current = current;
  st.ends = ends;
  st.raw_upto = raw_upto;
  for (guint i = 0; i < records->len; i++)
    st.total += kiln_loader_record_size (&g_array_index (records, KilnLoaderRecord, i));
  *n_commands = 0;
  /* As kiln_flash_loader_program() sends them, the loader taking each
   * byte as it comes: after a poll the ring is empty. */
  while (st.rec < records->len)
    {
      guint32 free_bytes = ring_size - (st.wp - rp);
      guint32 sent = st.sent, skip, tail, n = 0;

      if (since_poll < KILN_LOADER_PROGRESS_EVERY
          && free_bytes >= MIN ((guint32) KILN_LOADER_BATCH_MIN, st.total - st.sent) + KILN_LOADER_MARKER_SIZE)
        n = kiln_loader_stream_gather (&st, ring_size, batch, free_bytes, KILN_LOADER_BATCH, &skip, &tail);
      if (n == 0)
        {
          if (rp == st.wp && since_poll == 0)
            break;
          since_poll = 0;
          rp = st.wp;
          continue;
        }
      *n_commands += (n + tail + KILN_STLINK_MAX_RW32 - 1) / KILN_STLINK_MAX_RW32;
      /* The last command that carries records (not the end marker alone). */
      last = sent + (n - 1) / KILN_STLINK_MAX_RW32 * KILN_STLINK_MAX_RW32;
      st.wp += n + skip;
      since_poll += n;
    }
  return last;
}

/* Whether the run's erases (at least 250 ms each, at x32) and programming
 * take the flash longer than the link takes to carry the records (4.75 µs
 * a byte via a full-speed probe): the link then runs ahead and the flash
 * finishes at its own pace. */
static gboolean
erases_set_pace (const KilnLoaderOp *ops,
                 guint               n_ops,
                 GArray             *records)
{
  double flash_us = 0, link_us = 0;

  for (guint i = 0; i < n_ops; i++)
    if (ops[i].kind != KILN_LOADER_OP_PROGRAM)
      flash_us += 250000;
  for (guint i = 0; i < records->len; i++)
    {
      flash_us += 4.0 * g_array_index (records, KilnLoaderRecord, i).program;
      link_us += 4.75 * kiln_loader_record_size (&g_array_index (records, KilnLoaderRecord, i));
    }
  return flash_us >= link_us;
}

GArray *
kiln_loader_shape_records (GArray             *records,
                           gboolean            compress,
                           const KilnLoaderOp *ops,
                           guint               n_ops,
                           guint32             seq,
                           guint32             ring_size)
{
  guint n_commands, n_shaped;
  guint32 last_at;
  GArray *shaped;

  if (erases_set_pace (ops, n_ops, records))
    return records;
  last_at = kiln_loader_stream_last_command (records, ring_size, &n_commands);
  if (last_at == 0)
    return records;
  shaped = kiln_loader_make_records (compress, ops, n_ops, seq, last_at);
  if (kiln_loader_stream_last_command (shaped, ring_size, &n_shaped) != last_at || n_shaped > n_commands)
    {
      kiln_loader_free_records (shaped);
      return records;
    }
  kiln_loader_free_records (records);
  return shaped;
}

/* Whether operation @op writes inside the range at @address, @length bytes. */
static gboolean
op_inside (const KilnLoaderOp *op,
           guint32             address,
           guint32             length)
{
  return op->address >= address && op->address - address < length;
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
  gboolean *placed = g_new0 (gboolean, n_after + 1);
  guint t = 0;

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
      /* The CRC of each range whose last operation this is (at the end,
       * those of ranges no operation wrote), its result counted from the
       * last range's: the results of the table's end come first. */
      for (guint j = 0; j < n_after; j++)
        {
          guint8 *entry;

          if (placed[j] || (i < n_ops && (!op_inside (&ops[i], after[2 * j], after[2 * j + 1])
                                          || (i + 1 < n_ops && op_inside (&ops[i + 1], after[2 * j], after[2 * j + 1])))))
            continue;
          entry = table + KILN_LOADER_OP_SIZE * t;
          kiln_stlink_encode_u32 (entry, KILN_LOADER_OP_CRC | (n_after - 1 - j) << 8);
          kiln_stlink_encode_u32 (entry + 4, after[2 * j]);
          kiln_stlink_encode_u32 (entry + 8, after[2 * j + 1]);
          placed[j] = TRUE;
          done[t + 1] = done[t];
          t++;
        }
    }
  g_free (placed);
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
