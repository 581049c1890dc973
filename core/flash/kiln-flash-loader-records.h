/* kiln-flash-loader-records.h — the records a program run streams to the
 * SRAM loader: each block of the operations' data, LZ4-compressed where
 * that pays, between its header and trailer, and how they are gathered
 * into the ring (internal to the loader's host side)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-flash-loader.h"

G_BEGIN_DECLS

/* One record of the stream (see the loader's source): @stored bytes of
 * @data, an LZ4 block when @stored differs from @raw, between a header and
 * a trailer that carry @seq. */
typedef struct
{
  const guint8 *data;
  guint8       *owned;
  guint32       raw;
  guint32       stored;
  guint32       program;  /* bytes in words that are not all 0xFF: the flash's work */
  guint32       seq;
  guint         op;       /* its operation's index */
} KilnLoaderRecord;

/* The most bytes of the stream written at once (two of the probe's
 * longest stream writes), and the least room in the ring worth a write:
 * with less, the host waits for the loader. */
#define KILN_LOADER_BATCH          (64 * 1024)
#define KILN_LOADER_BATCH_MIN      (12 * 1024)
/* The loader is asked how far it is (for the progress) after this many
 * bytes of the stream; the ring's room is asked only when it runs out. */
#define KILN_LOADER_PROGRESS_EVERY (128 * 1024)

/* A marker's size: a header without bytes (wrap: raw 0; end: raw 0xFFFF). */
#define KILN_LOADER_MARKER_SIZE 8

/* Its size in the ring: the header, the stored bytes padded to a word,
 * the trailer. */
guint32  kiln_loader_record_size        (const KilnLoaderRecord *r);
/* Writes @r as it goes into the ring (kiln_loader_record_size() bytes). */
void     kiln_loader_record_encode      (const KilnLoaderRecord *r,
                                         guint8                 *out);
/* Writes a marker carrying @seq: wrap (@end FALSE) or end of the stream. */
void     kiln_loader_marker_encode      (gboolean                end,
                                         guint32                 seq,
                                         guint8                 *out);
/* The records of the program operations of @ops, in order, their seqs
 * counted from @seq; with @compress, each block compressed where that
 * saves at least a sixteenth. The last records of the stream are smaller,
 * so that little is left to program once the link is done (a record is
 * programmed once all of it is there). */
GArray  *kiln_loader_make_records       (gboolean                compress,
                                         const KilnLoaderOp     *ops,
                                         guint                   n_ops,
                                         guint32                 seq);
/* The bytes @records take in the ring (*@link: what the link carries for
 * them) and the bytes in them the flash must program (*@program). */
void     kiln_loader_records_totals     (GArray                 *records,
                                         guint64                *link,
                                         guint64                *program);
/* The operation table of a program run (kiln_flash_loader_program()):
 * @ops in order, each of the @n_after CRCs of @after (address and length
 * pairs) right after the last operation that writes inside its range (so
 * that the loader computes it while the link still brings later records;
 * at the end where none does), its result the (@n_after - 1 - j)th.
 * (*@done_of)[k] is how many of @ops the first k entries hold. */
guint8  *kiln_loader_make_table         (const KilnLoaderOp     *ops,
                                         guint                   n_ops,
                                         const guint32          *after,
                                         guint                   n_after,
                                         guint                 **done_of);
/* Whether any of @records is compressed (the loader then needs its decoder). */
gboolean kiln_loader_records_compressed (GArray                 *records);
void     kiln_loader_free_records       (GArray                 *records);

/* Where a program run's stream stands. */
typedef struct
{
  GArray   *records;
  guint     rec;       /* the next record to send, or the one being sent */
  guint32   offset;    /* bytes of it sent */
  guint8   *current;   /* it, as it goes into the ring */
  guint32   wp;        /* bytes of the ring written or skipped, in all */
  guint32   sent;      /* bytes of the records sent */
  guint32   total;
  guint64   raw_sent;
  /* Where each record ends in wp's count, and the raw bytes up to there:
   * the loader's RP says how much is written. */
  guint32  *ends;
  guint64  *raw_upto;
} KilnLoaderStream;

/* Gathers into @batch at most @limit of the stream's next bytes for the
 * ring at its wp, @free_bytes of the ring being free: records in order (a
 * batch may end inside one; the loader waits for its trailer), leaving a
 * marker's room after each; a wrap marker where the next record would not
 * leave it before the ring's end (once all the rest of the ring is free;
 * the batch ends there, *@skip the rest of the ring); and the end marker
 * after the last record (*@tail: written, but not in wp's count, as the
 * loader never takes it). Returns the bytes gathered for wp. */
guint32  kiln_loader_stream_gather      (KilnLoaderStream       *st,
                                         guint32                 ring_size,
                                         guint8                 *batch,
                                         guint32                 free_bytes,
                                         guint32                 limit,
                                         guint32                *skip,
                                         guint32                *tail);

G_END_DECLS
