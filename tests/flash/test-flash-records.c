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

/* Where the link sets the pace, the stream's last records go in a command
 * of their own: they start small (the flash has caught up with the
 * commands before, and starts on the command's first bytes) and grow
 * slowly enough that the flash never waits. Those before shrink towards
 * them. 64 KiB in one operation. */
static void
test_last_command (void)
{
  g_autofree guint8 *bytes = pattern (64 * 1024, 7);
  KilnLoaderOp op = { KILN_LOADER_OP_PROGRAM, 0, FLASH, 64 * 1024, bytes, 0 };
  guint tail_first, plain_first;
  GArray *plain = kiln_loader_make_records (FALSE, &op, 1, 1, 0, &plain_first);
  GArray *shaped = kiln_loader_make_records (FALSE, &op, 1, 1, KILN_LOADER_LAST_COMMAND - KILN_LOADER_LAST_HEADERS,
                                             &tail_first);
  guint32 raw = 0, size = KILN_LOADER_MARKER_SIZE;

  /* Without a tail, none. */
  g_assert_cmpuint (plain_first, ==, plain->len);
  g_assert_cmpuint (tail_first, <, shaped->len);
  for (guint i = tail_first; i < shaped->len; i++)
    {
      raw += g_array_index (shaped, KilnLoaderRecord, i).raw;
      size += kiln_loader_record_size (&g_array_index (shaped, KilnLoaderRecord, i));
    }
  /* The stream's last bytes, in one command of at most the size asked. */
  g_assert_cmpuint (raw, >=, KILN_LOADER_LAST_COMMAND - KILN_LOADER_LAST_HEADERS - 16);
  g_assert_cmpuint (raw, <=, KILN_LOADER_LAST_COMMAND - KILN_LOADER_LAST_HEADERS + 16);
  g_assert_cmpuint (size, <=, KILN_LOADER_LAST_COMMAND);
  g_assert_cmpuint (g_array_index (shaped, KilnLoaderRecord, tail_first - 1).raw, <=, 1024);
  g_assert_cmpuint (g_array_index (shaped, KilnLoaderRecord, tail_first).raw, ==, 256);
  for (guint i = tail_first + 1; i + 1 < shaped->len; i++)
    {
      guint32 before = g_array_index (shaped, KilnLoaderRecord, i - 1).raw;
      guint32 now = g_array_index (shaped, KilnLoaderRecord, i).raw;

      g_assert_cmpuint (now, >=, before);
      g_assert_cmpuint (now, <=, before + before / 32 + 16);
    }
  kiln_loader_free_records (shaped);
  kiln_loader_free_records (plain);
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
  g_test_add_func ("/Kiln/Flash/records/last-command", test_last_command);
  g_test_add_func ("/Kiln/Flash/records/table", test_table);
  return g_test_run ();
}
