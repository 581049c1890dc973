/* kiln-flash-loader-records.h — the records a program run streams to the
 * SRAM loader: each block of the operations' data, LZ4-compressed where
 * that pays (internal to the loader's host side)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-flash-loader.h"

G_BEGIN_DECLS

/* One record of the stream (see the loader's source): @stored bytes of
 * @data, an LZ4 block when @stored differs from @raw. */
typedef struct
{
  const guint8 *data;
  guint8       *owned;
  guint32       raw;
  guint32       stored;
  guint32       program;  /* bytes in words that are not all 0xFF: the flash's work */
} KilnLoaderRecord;

/* Its size in the ring: the header word and the stored bytes, padded to a word. */
guint32  kiln_loader_record_size        (const KilnLoaderRecord *r);
/* The records of the program operations of @ops, in order; with
 * @compress, each block compressed where that saves at least a sixteenth. */
GArray  *kiln_loader_make_records       (gboolean                compress,
                                         const KilnLoaderOp     *ops,
                                         guint                   n_ops);
/* Whether any of @records is compressed (the loader then needs its decoder). */
gboolean kiln_loader_records_compressed (GArray                 *records);
void     kiln_loader_free_records       (GArray                 *records);

G_END_DECLS
