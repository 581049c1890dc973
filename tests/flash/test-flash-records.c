/* test-flash-records.c — the records and the operation table a program
 * run sends the SRAM loader, made on the host (no bench)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "flash-bench.h"
#include "kiln-flash-loader-records.h"
#include "kiln-stlink-protocol.h"

/* The stream's records: whole blocks, then, over its last six blocks'
 * worth, each about five sixths of the one before (the flash, 4 us a byte,
 * finishes one while the next comes at 4.75 us a byte), down to 256 bytes:
 * little is left to program once the link is done. 64 KiB in one
 * operation. */
static void
test_shrinking_tail (void)
{
  g_autofree guint8 *bytes = pattern (64 * 1024, 7);
  KilnLoaderOp op = { KILN_LOADER_OP_PROGRAM, 0, FLASH, 64 * 1024, bytes, 0 };
  GArray *records = kiln_loader_make_records (FALSE, &op, 1, 1);
  guint32 raw = 0;
  guint shrinking = 0;

  g_assert_cmpuint (g_array_index (records, KilnLoaderRecord, 0).raw, ==, KILN_LOADER_BLOCK);
  for (guint i = 0; i < records->len; i++)
    {
      const KilnLoaderRecord *r = &g_array_index (records, KilnLoaderRecord, i);

      g_assert_cmpuint (r->seq, ==, 1 + i);
      raw += r->raw;
      if (i == 0)
        continue;
      g_assert_cmpuint (r->raw, <=, g_array_index (records, KilnLoaderRecord, i - 1).raw);
      if (r->raw < KILN_LOADER_BLOCK)
        {
          /* Never so much smaller that the flash falls behind the link (but
           * for rounding to 256 bytes). */
          g_assert_cmpuint ((r->raw + 256) * 6, >=, g_array_index (records, KilnLoaderRecord, i - 1).raw * 5);
          shrinking++;
        }
    }
  g_assert_cmpuint (raw, ==, 64 * 1024);
  g_assert_cmpuint (shrinking, >=, 6);
  g_assert_cmpuint (g_array_index (records, KilnLoaderRecord, records->len - 1).raw, <=, 256);
  kiln_loader_free_records (records);
}

/* The table of a program run: each CRC right after the last operation
 * inside its range (an erase counts), those of ranges no operation writes
 * at the end, each naming its result (the last range's first); and how
 * many of the caller's operations the first entries hold. */
static void
test_table (void)
{
  static const guint8 data[16];
  const KilnLoaderOp ops[] = {
    { KILN_LOADER_OP_PROGRAM, 0, FLASH, 16, data, 0 },
    { KILN_LOADER_OP_PROGRAM, 0, FLASH + 0x100, 16, data, 0 },
    { KILN_LOADER_OP_ERASE, 0x12, FLASH + 0x8000, 0, NULL, 1 },
    { KILN_LOADER_OP_PROGRAM, 0, FLASH + 0x8000, 16, data, 1 },
  };
  const guint32 after[] = { FLASH, 0x8000, FLASH + 0x8000, 0x8000, FLASH + 0x10000, 0x8000 };
  /* kind, then the caller's operations done once it is */
  const guint32 want[][2] = {
    { KILN_LOADER_OP_PROGRAM, 1 },
    { KILN_LOADER_OP_PROGRAM, 2 },
    { KILN_LOADER_OP_CRC | 2 << 8, 2 },
    { KILN_LOADER_OP_ERASE, 3 },
    { KILN_LOADER_OP_PROGRAM, 4 },
    { KILN_LOADER_OP_CRC | 1 << 8, 4 },
    { KILN_LOADER_OP_CRC | 0 << 8, 4 },
  };
  g_autofree guint *done_of = NULL;
  g_autofree guint8 *table = kiln_loader_make_table (ops, G_N_ELEMENTS (ops), after, 3, &done_of);

  g_assert_cmpuint (done_of[0], ==, 0);
  for (guint t = 0; t < G_N_ELEMENTS (want); t++)
    {
      g_assert_cmphex (kiln_stlink_decode_u32 (table + KILN_LOADER_OP_SIZE * t), ==, want[t][0]);
      g_assert_cmpuint (done_of[t + 1], ==, want[t][1]);
    }
  g_assert_cmphex (kiln_stlink_decode_u32 (table + KILN_LOADER_OP_SIZE * 2 + 4), ==, FLASH);
  g_assert_cmphex (kiln_stlink_decode_u32 (table + KILN_LOADER_OP_SIZE * 3 + 4), ==, 0x12);
  g_assert_cmphex (kiln_stlink_decode_u32 (table + KILN_LOADER_OP_SIZE * 6 + 8), ==, 0x8000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Flash/records/shrinking-tail", test_shrinking_tail);
  g_test_add_func ("/Kiln/Flash/records/table", test_table);
  return g_test_run ();
}
