/* test-flash-stream.c — the loader's stream of records on the virtual
 * bench: damaged records and LZ4 blocks are refused before anything of them
 * is written, and decoding never writes outside the scratch buffer
 *
 * Each case writes one record into the ring and posts a program command by
 * hand (the layout of kiln-flash-loader.h), then checks the loader's
 * status, that the ring after the record and the flash are as they were,
 * and that the loader still takes the next command.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "flash-bench.h"

#define GUARD_SIZE (8 * 1024)
#define FLASH_REGS 0x40023C00u

typedef struct
{
  Bench          *b;
  KilnArmTarget  *target;
  KilnStlink     *stlink;
  KilnFlashLoader loader;
  gboolean       flash_blank;   /* a refused record leaves it blank */
  guint32        seq;           /* the next run's first record's */
} Fixture;

static void
put32 (guint8  *p,
       guint32  v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->b = bench_new (data != NULL ? data : "[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n[board]\nchip = STM32F746NG\n");
  f->target = bench_open (f->b);
  f->stlink = kiln_arm_target_get_stlink (f->target);
  g_assert_true (kiln_arm_reset_halt (f->target, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_flash_loader_setup (&f->loader, f->target, &error));
  g_assert_no_error (error);
  /* The records below are written by hand, some compressed. */
  g_assert_true (kiln_flash_loader_load_lz4 (&f->loader, &error));
  g_assert_no_error (error);
  f->loader.persistent = TRUE;
  f->flash_blank = TRUE;
  f->seq = 0x5EC00000;
  /* Starts the loader and checks its code. */
  g_assert_true (kiln_flash_loader_crc (&f->loader, NULL, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  kiln_flash_loader_stop (&f->loader);
  bench_free (f->b);
}

/* One program operation of @length bytes at the flash's start, from the
 * ring at the fixture's seq, posted to the running loader. */
static void
post_program (Fixture *f,
              guint32  length)
{
  g_autoptr(GError) error = NULL;
  guint8 block[KILN_LOADER_OP_SIZE + KILN_LOADER_P_SIZE] = { 0 };
  guint8 *params = block + KILN_LOADER_OP_SIZE;

  put32 (block, KILN_LOADER_OP_PROGRAM);
  put32 (block + 4, FLASH);
  put32 (block + 8, length);
  put32 (params + KILN_LOADER_P_FLASH, FLASH_REGS);
  put32 (params + KILN_LOADER_P_CR_PSIZE, 2 << 8);
  put32 (params + KILN_LOADER_P_PSIZE, 2);
  put32 (params + KILN_LOADER_P_RING, f->loader.results);
  put32 (params + KILN_LOADER_P_RING_END, f->loader.ring_end);
  put32 (params + KILN_LOADER_P_SEQ, f->seq);
  put32 (params + KILN_LOADER_P_N_OPS, 1);
  put32 (params + KILN_LOADER_P_OPS, f->loader.params - KILN_LOADER_OP_SIZE);
  put32 (params + KILN_LOADER_P_STACK, f->loader.stack_top);
  put32 (params + KILN_LOADER_P_COMMAND, KILN_LOADER_COMMAND_PROGRAM);
  g_assert_true (kiln_stlink_write_mem (f->stlink, f->loader.params - KILN_LOADER_OP_SIZE, block, sizeof block,
                                        &error));
  g_assert_no_error (error);
}

/* Writes @record (@size bytes, a multiple of 4: records made for f->seq
 * on) at the ring's start and a guard after it, runs one program operation
 * of @length bytes at the flash's start over it, and returns the loader's
 * final status. The next run's records start at a seq of 16 more. */
static guint32
run_record (Fixture      *f,
            const guint8 *record,
            gsize         size,
            guint32       length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *guard = g_malloc (GUARD_SIZE);
  g_autofree guint8 *back = g_malloc (GUARD_SIZE);
  g_autofree guint8 *flash = g_malloc (4096);
  guint32 status = 0, rp = 0;

  g_assert_cmpuint (size % 4, ==, 0);
  for (guint i = 0; i < GUARD_SIZE; i++)
    guard[i] = (guint8) (0xA5 ^ i);
  g_assert_true (kiln_stlink_write_mem (f->stlink, f->loader.results, record, size, &error));
  g_assert_true (kiln_stlink_write_mem (f->stlink, f->loader.results + (guint32) size, guard, GUARD_SIZE, &error));
  g_assert_no_error (error);

  post_program (f, length);

  /* Every case ends within a few polls of modeled time. */
  for (guint i = 0; i < 200 && status == KILN_LOADER_STATUS_RUNNING; i++)
    g_assert_true (kiln_stlink_read32 (f->stlink, f->loader.params + KILN_LOADER_P_STATUS, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, !=, KILN_LOADER_STATUS_RUNNING);
  g_assert_true (kiln_stlink_read32 (f->stlink, f->loader.params + KILN_LOADER_P_RP, &rp, &error));

  /* Nothing written outside the scratch buffer: the ring after the record
   * is as it was, and so is the record. */
  g_assert_true (kiln_stlink_read_mem (f->stlink, f->loader.results + (guint32) size, back, GUARD_SIZE, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (back, guard, GUARD_SIZE) == 0);
  g_assert_true (kiln_stlink_read_mem (f->stlink, f->loader.results, back, size, &error));
  g_assert_true (memcmp (back, record, size) == 0);
  f->seq += 16;
  if (status == KILN_LOADER_STATUS_BAD_STREAM && f->flash_blank)
    {
      /* Refused before anything of it was written. */
      g_assert_true (kiln_stlink_read_mem (f->stlink, FLASH, flash, 4096, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < 4096; i++)
        g_assert_cmpuint (flash[i], ==, 0xFF);
    }
  return status;
}

/* A record of @stored bytes for @raw raw bytes, padded to words, between
 * its header and trailer with @seq. */
static guint8 *
make_record_seq (guint32       raw,
                 const guint8 *stored,
                 guint32       stored_size,
                 guint32       seq,
                 gsize        *size)
{
  guint8 *r;

  *size = 12 + ((stored_size + 3) & ~3u);
  r = g_malloc0 (*size);
  put32 (r, raw | stored_size << 16);
  put32 (r + 4, seq);
  memcpy (r + 8, stored, stored_size);
  put32 (r + *size - 4, seq);
  return r;
}

/* The same, as the first record of the fixture's next run. */
static guint8 *
make_record (Fixture      *f,
             guint32       raw,
             const guint8 *stored,
             guint32       stored_size,
             gsize        *size)
{
  return make_record_seq (raw, stored, stored_size, f->seq, size);
}

typedef struct
{
  const char   *name;
  guint32       raw;
  guint32       length;   /* of the operation */
  const guint8 *block;
  guint32       block_size;
} Damaged;

/* Literal runs that end past the block, matches before the first byte or
 * at offset 0, matches and literals past the raw length, blocks that
 * decode short, and headers that do not fit the operation, the scratch
 * buffer or the unit. */
static const guint8 literals_past_end[] = { 0x50, 'a', 'b' };
static const guint8 long_literals_past_end[] = { 0xF0, 0xFF, 0xFF, 0x10, 'a' };
static const guint8 offset_before_start[] = { 0x14, 'a', 0x02, 0x00, 0x00 };
static const guint8 offset_zero[] = { 0x14, 'a', 0x00, 0x00, 0x10, 'b' };
/* 'a', then a match of 15 + 20 × 255 + 16 + 4 bytes: past the scratch
 * buffer's 4 KiB. */
static const guint8 match_past_raw[] = { 0x1F, 'a', 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                         0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                         0x10, 'b' };
static const guint8 literals_past_raw[] = { 0x90, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i' };
static const guint8 short_output[] = { 0x40, 'a', 'b', 'c', 'd' };
static const guint8 truncated_offset[] = { 0x14, 'a', 0x01 };
static const guint8 truncated_length[] = { 0x1F, 'a', 0x01, 0x00 };
static const guint8 empty_block[] = { 0x00 };

static const Damaged damaged[] = {
  { "literals-past-end", 16, 16, literals_past_end, sizeof literals_past_end },
  { "long-literals-past-end", 64, 64, long_literals_past_end, sizeof long_literals_past_end },
  { "offset-before-start", 16, 16, offset_before_start, sizeof offset_before_start },
  { "offset-zero", 16, 16, offset_zero, sizeof offset_zero },
  { "match-past-raw", 4096, 4096, match_past_raw, sizeof match_past_raw },
  { "literals-past-raw-and-scratch", 4096, 4096, NULL, 0 },
  { "literals-past-raw", 8, 8, literals_past_raw, sizeof literals_past_raw },
  { "short-output", 8, 8, short_output, sizeof short_output },
  { "truncated-offset", 16, 16, truncated_offset, sizeof truncated_offset },
  { "truncated-length", 16, 16, truncated_length, sizeof truncated_length },
  { "empty-block", 16, 16, empty_block, sizeof empty_block },
  { "raw-zero", 0, 16, short_output, sizeof short_output },
  { "raw-past-operation", 32, 16, short_output, sizeof short_output },
  { "raw-past-scratch", 8192, 8192, short_output, sizeof short_output },
  { "raw-not-whole-words", 6, 8, short_output, sizeof short_output },
};

static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      const Damaged *d = &damaged[i];
      gsize size;
      g_autofree guint8 *literals = NULL;
      g_autofree guint8 *record = NULL;

      if (d->block == NULL)
        {
          /* 4200 literals (15 + 16 × 255 + 105) for 4096 raw bytes. */
          literals = g_malloc (18 + 4200);
          literals[0] = 0xF0;
          memset (literals + 1, 0xFF, 16);
          literals[17] = 105;
          memset (literals + 18, 'x', 4200);
          record = make_record (f, d->raw, literals, 18 + 4200, &size);
        }
      else
        record = make_record (f, d->raw, d->block, d->block_size, &size);

      g_test_message ("%s", d->name);
      g_assert_cmpuint (run_record (f, record, size, d->length), ==, KILN_LOADER_STATUS_BAD_STREAM);
    }

  /* The loader still works: a sound block decodes and is written. */
  {
    /* 'a', 14 more from offset 1, then one literal 'a': 16 bytes. */
    static const guint8 sound[] = { 0x1A, 'a', 0x01, 0x00, 0x10, 'a' };
    g_autofree guint8 *flash = g_malloc (16);
    gsize size;
    g_autofree guint8 *record = make_record (f, 16, sound, sizeof sound, &size);

    g_assert_cmpuint (run_record (f, record, size, 16), ==, KILN_LOADER_STATUS_DONE);
    g_assert_true (kiln_stlink_read_mem (f->stlink, FLASH, flash, 16, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < 16; i++)
      g_assert_cmpuint (flash[i], ==, 'a');
  }
}

/* Random blocks: whatever they decode to, nothing is written outside the
 * scratch buffer and the loader ends each one (most are refused). */
static void
test_random (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  guint refused = 0;

  /* A block that happens to decode is written: the flash is not blank
   * afterwards. */
  f->flash_blank = FALSE;
  for (guint n = 0; n < 24; n++)
    {
      guint32 stored_size = 1 + g_rand_int_range (rand, 0, 96);
      guint32 raw = 4 * g_rand_int_range (rand, 1, 64);
      g_autofree guint8 *block = g_malloc (stored_size);
      g_autofree guint8 *record = NULL;
      gsize size;
      guint32 status;

      for (guint i = 0; i < stored_size; i++)
        block[i] = (guint8) g_rand_int (rand);
      /* A random stored length equal to the raw one would be a raw record. */
      if (stored_size == raw)
        stored_size--;
      record = make_record (f, raw, block, stored_size, &size);
      status = run_record (f, record, size, raw);
      g_assert_true (status == KILN_LOADER_STATUS_BAD_STREAM || status == KILN_LOADER_STATUS_DONE
                     || status == KILN_LOADER_STATUS_ERROR);
      refused += status == KILN_LOADER_STATUS_BAD_STREAM;
    }
  g_assert_cmpuint (refused, >, 0);
}

/* A record that goes through: written, and the loader locks the
 * controller before it says it is done (the host does not lock it again). */
static void
test_done_locks (Fixture       *f,
                 gconstpointer  data)
{
  static const guint8 bytes[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *record = NULL;
  guint8 back[16];
  guint32 cr = 0;
  gsize size;

  record = make_record (f, sizeof bytes, bytes, sizeof bytes, &size);
  g_assert_cmpuint (run_record (f, record, size, sizeof bytes), ==, KILN_LOADER_STATUS_DONE);
  g_assert_true (kiln_stlink_read_mem (f->stlink, FLASH, back, sizeof back, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (back, bytes, sizeof bytes) == 0);
  g_assert_true (kiln_stlink_read32 (f->stlink, FLASH_REGS + 0x10, &cr, &error));
  g_assert_no_error (error);
  g_assert_cmphex (cr & 0x80000000u, ==, 0x80000000u);
}

/* A program run asked for CRCs after its operations computes them in the
 * same command: the CRC of exactly those ranges right after it needs no
 * command of its own, and is what the flash holds; once only, and any
 * other ranges run a command. */
static void
test_crc_after (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = pattern (512, 31);
  KilnLoaderOp op = { KILN_LOADER_OP_PROGRAM, 0, FLASH, 512, bytes, 0 };
  guint32 after[4] = { FLASH, 512, FLASH + 512, 512 };
  guint32 crcs[2] = { 0 }, error_sr = 0, error_at = 0;
  guint done = 0;
  guint64 before;
  guint8 ff[512];

  memset (ff, 0xFF, sizeof ff);
  kiln_flash_loader_set_after (&f->loader, after, 2);
  g_assert_true (kiln_flash_loader_program (&f->loader, FLASH_REGS, KILN_FLASH_PSIZE_X32, &op, 1, NULL, NULL, NULL,
                                            &done, &error_sr, &error_at, &error));
  g_assert_no_error (error);
  /* The CRC operations are not the caller's. */
  g_assert_cmpuint (done, ==, 1);

  before = bench_usb_transfers (f->b);
  g_assert_true (kiln_flash_loader_crc (&f->loader, after, 2, crcs, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bench_usb_transfers (f->b), ==, before);
  g_assert_cmphex (crcs[0], ==, kiln_flash_crc32 (0xFFFFFFFF, bytes, 512));
  g_assert_cmphex (crcs[1], ==, kiln_flash_crc32 (0xFFFFFFFF, ff, 512));

  /* Asked again: computed again, the same. */
  crcs[0] = 0;
  g_assert_true (kiln_flash_loader_crc (&f->loader, after, 1, crcs, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bench_usb_transfers (f->b), >, before);
  g_assert_cmphex (crcs[0], ==, kiln_flash_crc32 (0xFFFFFFFF, bytes, 512));
}

/* The USB transfers of a program run of @length bytes at @address in
 * @n_ops operations, with the CRCs of @n_after ranges after it. */
static guint64
program_ops_transfers (Fixture       *f,
                       guint32        address,
                       guint32        length,
                       guint          n_ops,
                       const guint32 *after,
                       guint          n_after)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = pattern (length, address);
  g_autofree KilnLoaderOp *ops = g_new0 (KilnLoaderOp, n_ops);
  guint32 error_sr = 0, error_at = 0, each = length / n_ops;
  guint done = 0;
  guint64 before = bench_usb_transfers (f->b);

  for (guint i = 0; i < n_ops; i++)
    ops[i] = (KilnLoaderOp) { KILN_LOADER_OP_PROGRAM, 0, address + i * each, each, bytes + i * each, 0 };
  if (n_after > 0)
    kiln_flash_loader_set_after (&f->loader, after, n_after);
  g_assert_true (kiln_flash_loader_program (&f->loader, FLASH_REGS, KILN_FLASH_PSIZE_X32, ops, n_ops, NULL, NULL,
                                            NULL, &done, &error_sr, &error_at, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (done, ==, n_ops);
  return bench_usb_transfers (f->b) - before;
}

static guint64
program_transfers (Fixture       *f,
                   guint32        address,
                   guint32        length,
                   const guint32 *after,
                   guint          n_after)
{
  return program_ops_transfers (f, address, length, 1, after, n_after);
}

/* The CRCs after a program run come with the status that says it is done:
 * the run takes no more transfers than one without them (the board's time
 * is device time only, so both poll alike), and the CRCs are right. */
static void
test_crc_after_with_status (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = pattern (512, FLASH + 0x8000);
  guint32 after[4] = { FLASH + 0x8000, 512, FLASH + 0x8200, 512 };
  guint32 crcs[2] = { 0 };
  guint8 ff[512];
  guint64 plain, with_after, before;

  memset (ff, 0xFF, sizeof ff);
  plain = program_transfers (f, FLASH, 512, NULL, 0);
  with_after = program_transfers (f, FLASH + 0x8000, 512, after, 2);
  g_assert_cmpuint (with_after, ==, plain);

  before = bench_usb_transfers (f->b);
  g_assert_true (kiln_flash_loader_crc (&f->loader, after, 2, crcs, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bench_usb_transfers (f->b), ==, before);
  g_assert_cmphex (crcs[0], ==, kiln_flash_crc32 (0xFFFFFFFF, bytes, 512));
  g_assert_cmphex (crcs[1], ==, kiln_flash_crc32 (0xFFFFFFFF, ff, 512));
}

/* The same after a run of many operations (sixteen): the CRC operations
 * count their results from the table's end, so the few come with the
 * status however many operations came before them. */
static void
test_crc_after_many_ops (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = pattern (1024, FLASH + 0x8000);
  guint32 after[4] = { FLASH + 0x8000, 1024, FLASH + 0x8400, 512 };
  guint32 crcs[2] = { 0 };
  guint8 ff[512];
  guint64 plain, with_after, before;

  memset (ff, 0xFF, sizeof ff);
  plain = program_ops_transfers (f, FLASH, 1024, 16, NULL, 0);
  with_after = program_ops_transfers (f, FLASH + 0x8000, 1024, 16, after, 2);
  g_assert_cmpuint (with_after, ==, plain);

  before = bench_usb_transfers (f->b);
  g_assert_true (kiln_flash_loader_crc (&f->loader, after, 2, crcs, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bench_usb_transfers (f->b), ==, before);
  g_assert_cmphex (crcs[0], ==, kiln_flash_crc32 (0xFFFFFFFF, bytes, 1024));
  g_assert_cmphex (crcs[1], ==, kiln_flash_crc32 (0xFFFFFFFF, ff, 512));
}

/* The stream needs no pointer: the command to the running loader with
 * the data of a 512-byte run into a blank sector right behind it, in one
 * write (a command and its data, 2 transfers: no status query, as a write
 * that failed leaves the loader on its last command, which answers no
 * poll of this one), then what sees it done: two polls, each a read
 * without a status query (a command and its answer, 2): the first says
 * the loader runs, the second that it is done with all the data and every
 * operation, the results cleared by the command. The command in a write
 * of its own would add 2; a write of the pointer after the data 2 more; a
 * status query after each poll, as before, 4. Device time only, so the
 * polls fall alike each run. */
static void
test_no_pointer_writes (Fixture       *f,
                        gconstpointer  data)
{
  guint64 n = program_transfers (f, FLASH, 512, NULL, 0);

  g_test_message ("%" G_GUINT64_FORMAT " transfers", n);
  g_assert_cmpuint (n, ==, 2 + 2 + 2);
}

/* Records that break the stream's order stop the loader (BAD_STREAM)
 * instead of leaving it waiting: a trailer that does not match while the
 * next record's header is there, a later record where this one belongs,
 * an end marker where a record belongs (after a record that went
 * through), and a wrap marker at the ring's start. */
static void
test_order (Fixture       *f,
            gconstpointer  data)
{
  static const guint8 bytes[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
  g_autoptr(GError) error = NULL;
  guint8 stream[64] = { 0 }, back[16];
  gsize size;

  {
    g_autofree guint8 *first = make_record_seq (16, bytes, 16, f->seq, &size);
    g_autofree guint8 *next = make_record_seq (16, bytes, 16, f->seq + 1, &size);

    g_test_message ("damaged trailer, the next record after it");
    memcpy (stream, first, size);
    stream[size - 1] ^= 0x40;
    memcpy (stream + size, next, size);
    g_assert_cmpuint (run_record (f, stream, 2 * size, 32), ==, KILN_LOADER_STATUS_BAD_STREAM);
  }
  {
    g_autofree guint8 *later = make_record_seq (16, bytes, 16, f->seq + 1, &size);

    g_test_message ("a later record where the next belongs");
    g_assert_cmpuint (run_record (f, later, size, 16), ==, KILN_LOADER_STATUS_BAD_STREAM);
  }
  {
    g_test_message ("a wrap marker at the ring's start");
    memset (stream, 0, sizeof stream);
    put32 (stream + 4, f->seq);
    g_assert_cmpuint (run_record (f, stream, 8, 16), ==, KILN_LOADER_STATUS_BAD_STREAM);
  }
  {
    g_autofree guint8 *first = make_record_seq (16, bytes, 16, f->seq, &size);

    g_test_message ("the end marker where a record belongs");
    memcpy (stream, first, size);
    put32 (stream + size, 0xFFFFFFFFu);
    put32 (stream + size + 4, f->seq + 1);
    f->flash_blank = FALSE;
    g_assert_cmpuint (run_record (f, stream, size + 8, 32), ==, KILN_LOADER_STATUS_BAD_STREAM);
    g_assert_true (kiln_stlink_read_mem (f->stlink, FLASH, back, sizeof back, &error));
    g_assert_no_error (error);
    g_assert_true (memcmp (back, bytes, sizeof bytes) == 0);
  }
}

/* A wrap marker sends the loader to the ring's start, where it waits for
 * the record with the marker's seq (what is there is the record before,
 * already written), and takes it once it comes: RP then counts the rest of
 * the ring as taken. */
static void
test_wrap (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = pattern (32, 77);
  g_autofree guint8 *first = NULL, *second = NULL;
  guint8 marker[8], back[32];
  guint32 status = 0, rp = 0;
  gsize size;

  first = make_record_seq (16, bytes, 16, f->seq, &size);
  second = make_record_seq (16, bytes + 16, 16, f->seq + 1, &size);
  put32 (marker, 0);
  put32 (marker + 4, f->seq + 1);
  g_assert_true (kiln_stlink_write_mem (f->stlink, f->loader.results, first, size, &error));
  g_assert_true (kiln_stlink_write_mem (f->stlink, f->loader.results + (guint32) size, marker, sizeof marker, &error));
  g_assert_no_error (error);
  post_program (f, 32);

  /* The first record is taken (RP moves once a record is written), and
   * the loader waits at the ring's start. */
  for (guint i = 0; i < 200 && rp != size; i++)
    g_assert_true (kiln_stlink_read32 (f->stlink, f->loader.params + KILN_LOADER_P_RP, &rp, &error));
  g_assert_cmpuint (rp, ==, size);
  g_assert_true (kiln_stlink_read32 (f->stlink, f->loader.params + KILN_LOADER_P_STATUS, &status, &error));
  g_assert_cmpuint (status, ==, KILN_LOADER_STATUS_RUNNING);

  g_assert_true (kiln_stlink_write_mem (f->stlink, f->loader.results, second, size, &error));
  for (guint i = 0; i < 200 && status == KILN_LOADER_STATUS_RUNNING; i++)
    g_assert_true (kiln_stlink_read32 (f->stlink, f->loader.params + KILN_LOADER_P_STATUS, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, KILN_LOADER_STATUS_DONE);
  g_assert_true (kiln_stlink_read32 (f->stlink, f->loader.params + KILN_LOADER_P_RP, &rp, &error));
  g_assert_cmpuint (rp, ==, f->loader.ring_end - f->loader.results + size);
  g_assert_true (kiln_stlink_read_mem (f->stlink, FLASH, back, sizeof back, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (back, bytes, sizeof back) == 0);
}

/* A run longer than the ring: its records wrap round it (the host waits
 * for room), the loader is asked for its progress on the way, and every
 * byte lands. */
static void
on_progress (gpointer user_data,
             guint    ops_done,
             guint64  bytes_done)
{
  guint *calls = user_data;

  (*calls)++;
}

static void
test_longer_than_ring (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  guint32 length = 512 * 1024;
  g_autofree guint8 *bytes = pattern (length, 93);
  KilnLoaderOp op = { KILN_LOADER_OP_PROGRAM, 0, FLASH, length, bytes, 0 };
  guint32 error_sr = 0, error_at = 0;
  guint done = 0, calls = 0;

  g_assert_cmpuint (f->loader.ring_end - f->loader.results, <, length / 2);
  g_assert_true (kiln_flash_loader_program (&f->loader, FLASH_REGS, KILN_FLASH_PSIZE_X32, &op, 1, on_progress, &calls,
                                            NULL, &done, &error_sr, &error_at, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (done, ==, 1);
  g_assert_cmpuint (calls, >=, 3);
  kiln_flash_loader_stop (&f->loader);
  flash = bench_flash (f->b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, length) == 0);
}

/* A program run's post clears the result slots of its CRC operations:
 * while the loader still programs, a range not yet done reads 0, not what
 * an earlier command left there (a status taken without a query could
 * otherwise bring a stale CRC that matches). A range the run is done with
 * has its CRC computed while the link still brings later records (the
 * first range's, right after its operation): from then on its slot holds
 * it. The CRCs at the end are right. */
typedef struct
{
  Fixture *f;
  guint    n_ops;
  guint32  first_crc;
  guint    checks;
  guint    first_seen;
  guint    cleared_seen;
} ClearedCheck;

static void
on_progress_check_cleared (gpointer user_data,
                           guint    ops_done,
                           guint64  bytes_done)
{
  ClearedCheck *c = user_data;
  g_autoptr(GError) error = NULL;
  guint8 slots[2 * KILN_LOADER_RESULT_SIZE];
  static const guint8 zeros[KILN_LOADER_RESULT_SIZE] = { 0 };
  guint32 first, table_done = 0;

  if (ops_done >= c->n_ops)
    return;
  g_assert_true (kiln_stlink_read_mem (c->f->stlink, c->f->loader.results, slots, sizeof slots, &error));
  g_assert_no_error (error);
  /* The loader goes on while the host reads: the operations it has done
   * by now, read after the slots. The last range's CRC (its result comes
   * first) follows the last program operation, the table's 17th entry. */
  g_assert_true (kiln_stlink_read32 (c->f->stlink, c->f->loader.params + KILN_LOADER_P_OPS_DONE, &table_done, &error));
  g_assert_no_error (error);
  if (table_done <= c->n_ops)
    {
      g_assert_true (memcmp (slots, zeros, sizeof zeros) == 0);
      c->cleared_seen++;
    }
  first = kiln_stlink_decode_u32 (slots + KILN_LOADER_RESULT_SIZE);
  if (first == c->first_crc)
    c->first_seen++;
  else
    g_assert_cmphex (first, ==, 0);
  c->checks++;
}

static void
test_results_cleared (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const guint n_ops = 16, op_length = 32 * 1024;
  g_autofree guint8 *bytes = pattern (n_ops * op_length, 61);
  guint32 after[4] = { FLASH, op_length, FLASH + (n_ops - 1) * op_length, op_length };
  guint8 junk[2 * KILN_LOADER_RESULT_SIZE];
  KilnLoaderOp ops[16];
  ClearedCheck c = { f, n_ops, kiln_flash_crc32 (0xFFFFFFFF, bytes, op_length), 0, 0, 0 };
  guint32 crcs[2] = { 0 }, error_sr = 0, error_at = 0;
  guint done = 0;

  memset (junk, 0xA5, sizeof junk);
  g_assert_true (kiln_stlink_write_mem (f->stlink, f->loader.results, junk, sizeof junk, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n_ops; i++)
    ops[i] = (KilnLoaderOp) { KILN_LOADER_OP_PROGRAM, 0, FLASH + i * op_length, op_length, bytes + i * op_length, 0 };
  kiln_flash_loader_set_after (&f->loader, after, 2);
  g_assert_true (kiln_flash_loader_program (&f->loader, FLASH_REGS, KILN_FLASH_PSIZE_X32, ops, n_ops,
                                            on_progress_check_cleared, &c, NULL, &done, &error_sr, &error_at, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (done, ==, n_ops);
  g_assert_cmpuint (c.checks, >=, 1);
  g_assert_cmpuint (c.cleared_seen, >=, 1);
  g_assert_cmpuint (c.first_seen, >=, 1);

  g_assert_true (kiln_flash_loader_crc (&f->loader, after, 2, crcs, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmphex (crcs[0], ==, kiln_flash_crc32 (0xFFFFFFFF, bytes, op_length));
  g_assert_cmphex (crcs[1], ==, kiln_flash_crc32 (0xFFFFFFFF, bytes + (n_ops - 1) * op_length, op_length));
}

/* Power lost in the middle of a run: the job fails, and the operations it
 * says are done are those of the last answer the loader gave before the
 * target went away (not of the bytes a dead link returns), each of them
 * written whole. */
static void
test_power_lost_mid_run (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  const guint n_ops = 16, op_length = 32 * 1024;
  g_autofree guint8 *bytes = pattern (n_ops * op_length, 97);
  KilnLoaderOp ops[16];
  guint32 error_sr = 0, error_at = 0;
  guint done = 0;

  for (guint i = 0; i < n_ops; i++)
    ops[i] = (KilnLoaderOp) { KILN_LOADER_OP_PROGRAM, 0, FLASH + i * op_length, op_length, bytes + i * op_length, 0 };
  g_assert_false (kiln_flash_loader_program (&f->loader, FLASH_REGS, KILN_FLASH_PSIZE_X32, ops, n_ops, NULL, NULL,
                                             NULL, &done, &error_sr, &error_at, &error));
  g_assert_nonnull (error);
  g_test_message ("%u of %u operations done: %s", done, n_ops, error->message);
  /* The power went at about half the run's modeled time. */
  g_assert_cmpuint (done, >=, 2);
  g_assert_cmpuint (done, <, n_ops);
  g_assert_true (kiln_sim_bench_save (f->b->bench, NULL));
  flash = bench_flash (f->b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, done * op_length) == 0);
}

/* The LZ4 decoder is uploaded only before the first run that sends a
 * compressed record: a run of bytes that do not compress leaves its place
 * in SRAM as it was; a run of zeros uploads it, once, and decodes. */
static void
test_lz4_on_demand (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n[board]\nchip = STM32F746NG\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree guint8 *random = pattern (8192, 41);
  g_autofree guint8 *zeros = g_malloc0 (8192);
  KilnArmTarget *target = bench_open (b);
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  KilnFlashLoader loader;
  gsize from = kiln_flash_loader_lz4_offset;
  gsize length = kiln_flash_loader_code_size - from;
  g_autofree guint8 *sram = g_malloc (length);
  guint32 error_sr = 0, error_at = 0;
  guint done = 0;

  g_assert_cmpuint (from, <, kiln_flash_loader_code_size);
  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  loader.persistent = TRUE;

  for (guint pass = 0; pass < 2; pass++)
    {
      KilnLoaderOp op = { KILN_LOADER_OP_PROGRAM, 0, FLASH + pass * 8192, 8192, pass == 0 ? random : zeros, 0 };

      g_assert_true (kiln_flash_loader_program (&loader, FLASH_REGS, KILN_FLASH_PSIZE_X32, &op, 1, NULL, NULL, NULL,
                                                &done, &error_sr, &error_at, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (done, ==, 1);
      g_assert_true (kiln_stlink_read_mem (stlink, loader.code + (guint32) from, sram, length, &error));
      g_assert_no_error (error);
      if (pass == 0)
        {
          g_assert_false (loader.lz4_loaded);
          g_assert_cmpuint (loader.link_bytes, >=, 8192);
          g_assert_false (memcmp (sram, kiln_flash_loader_code + from, length) == 0);
        }
      else
        {
          g_assert_true (loader.lz4_loaded);
          g_assert_true (memcmp (sram, kiln_flash_loader_code + from, length) == 0);
        }
    }
  /* Once loaded, it is not sent again. */
  g_assert_true (kiln_flash_loader_load_lz4 (&loader, &error));
  g_assert_no_error (error);
  kiln_flash_loader_stop (&loader);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), random, 8192) == 0);
  g_assert_true (memcmp ((const guint8 *) g_bytes_get_data (flash, NULL) + 8192, zeros, 8192) == 0);
}

/* The writes at x8, x16 and x64 are uploaded only before the first run at
 * one of those: a run at x32 leaves their place in SRAM as it was; a run
 * at x8 uploads them, once, and programs. */
static void
test_narrow_on_demand (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n[board]\nchip = STM32F746NG\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree guint8 *bytes = pattern (2048, 43);
  KilnArmTarget *target = bench_open (b);
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  KilnFlashLoader loader;
  /* What the setup's upload (rounded up to 16 bytes) leaves out. */
  gsize from = (kiln_flash_loader_narrow_offset + 15) & ~(gsize) 15;
  gsize length = kiln_flash_loader_lz4_offset - from;
  g_autofree guint8 *sram = g_malloc (length);
  guint32 error_sr = 0, error_at = 0, ranges[2] = { FLASH, 1024 }, crc = 0;
  guint done = 0;

  g_assert_cmpuint (from, <, kiln_flash_loader_lz4_offset);
  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  loader.persistent = TRUE;

  for (guint pass = 0; pass < 3; pass++)
    {
      KilnFlashPsize psize = pass == 0 ? KILN_FLASH_PSIZE_X32 : KILN_FLASH_PSIZE_X8;
      KilnLoaderOp op = { KILN_LOADER_OP_PROGRAM, 0, FLASH + pass * 1024, 1024, bytes + (pass % 2) * 1024, 0 };

      g_assert_true (kiln_flash_loader_program (&loader, FLASH_REGS, psize, &op, 1, NULL, NULL, NULL, &done, &error_sr,
                                                &error_at, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (done, ==, 1);
      g_assert_true (kiln_stlink_read_mem (stlink, loader.code + (guint32) from, sram, length, &error));
      g_assert_no_error (error);
      g_assert_cmpint (loader.narrow_loaded, ==, pass > 0);
      g_assert_cmpint (memcmp (sram, kiln_flash_loader_code + from, length) == 0, ==, pass > 0);
    }
  kiln_flash_loader_stop (&loader);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, 2048) == 0);
  g_assert_true (memcmp ((const guint8 *) g_bytes_get_data (flash, NULL) + 2048, bytes, 1024) == 0);

  /* A loader set up for a job at x8 has them from the start: they go up
   * with the code, which goes with the first command. */
  memset (sram, 0, length);
  g_assert_true (kiln_stlink_write_mem (stlink, loader.code + (guint32) from, sram, length, &error));
  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup_at (&loader, target, KILN_FLASH_PSIZE_X8, &error));
  g_assert_no_error (error);
  g_assert_true (loader.narrow_loaded);
  g_assert_true (kiln_flash_loader_crc (&loader, ranges, 1, &crc, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_read_mem (stlink, loader.code + (guint32) from, sram, length, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (sram, kiln_flash_loader_code + from, length) == 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/Kiln/Flash/stream/damaged", Fixture, NULL, fixture_set_up, test_damaged, fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/random", Fixture, NULL, fixture_set_up, test_random, fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/done-locks", Fixture, NULL, fixture_set_up, test_done_locks, fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/crc-after", Fixture, NULL, fixture_set_up, test_crc_after, fixture_tear_down);
  g_test_add_func ("/Kiln/Flash/stream/lz4-on-demand", test_lz4_on_demand);
  g_test_add_func ("/Kiln/Flash/stream/narrow-on-demand", test_narrow_on_demand);
  g_test_add ("/Kiln/Flash/stream/no-pointer-writes", Fixture,
              "[bench]\nhost-gaps = ignore\n[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n[board]\nchip = STM32F746NG\n",
              fixture_set_up, test_no_pointer_writes, fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/order", Fixture, NULL, fixture_set_up, test_order, fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/wrap", Fixture, NULL, fixture_set_up, test_wrap, fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/longer-than-ring", Fixture, NULL, fixture_set_up, test_longer_than_ring,
              fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/crc-after-with-status", Fixture,
              "[bench]\nhost-gaps = ignore\n[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n[board]\nchip = STM32F746NG\n",
              fixture_set_up, test_crc_after_with_status, fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/crc-after-many-ops", Fixture,
              "[bench]\nhost-gaps = ignore\n[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n[board]\nchip = STM32F746NG\n",
              fixture_set_up, test_crc_after_many_ops, fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/results-cleared", Fixture, NULL, fixture_set_up, test_results_cleared,
              fixture_tear_down);
  g_test_add ("/Kiln/Flash/stream/power-lost-mid-run", Fixture,
              "[bench]\nhost-gaps = ignore\n[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n[board]\nchip = STM32F746NG\n"
              "[faults]\npower-loss-after-ms = 1500\n",
              fixture_set_up, test_power_lost_mid_run, fixture_tear_down);
  return g_test_run ();
}
