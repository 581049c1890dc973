/* kiln-flash-loader.c — the host side of the SRAM flash loader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-flash-controller.h"
#include "kiln-flash-error.h"
#include "kiln-flash-loader.h"
#include "kiln-flash-loader-private.h"
#include "kiln-flash-loader-records.h"
#include "kiln-stlink-protocol.h"

/* Writes the @n_ops operations of @table (@op_size bytes each) and the
 * parameter block in one transfer, the table ending where the block
 * starts and COMMAND last: a running loader takes it from there. A halted
 * core is started on the loader first, without a status query after the
 * write: a word of its own after the block (where the results go), new
 * each time, is read back in the batch that starts the core, which starts
 * it only when that word arrived and so everything before it. The first
 * command goes up with the code, in the same transfer: right behind the
 * code, after a header { where it goes, its length }, and the loader
 * copies it to its place before anything else (r0 says where it is). */
/* The bytes post() writes for @n_ops operations of @op_size bytes and
 * @n_cleared results: the table, the parameter block, the results. */
static gsize
post_size (guint n_ops,
           guint op_size,
           guint n_cleared)
{
  return (gsize) n_ops * op_size + KILN_LOADER_P_SIZE + (gsize) n_cleared * KILN_LOADER_RESULT_SIZE;
}

static gboolean
post (KilnFlashLoader  *self,
      const guint8     *table,
      guint             n_ops,
      guint             op_size,
      guint8           *params,
      guint32           command,
      guint             n_cleared,
      const guint8     *after,
      gsize             after_size,
      GError          **error)
{
  gsize table_size = (gsize) n_ops * op_size;
  gsize size = post_size (n_ops, op_size, n_cleared);
  gsize head = self->code_pending ? self->upload_end + 8 : 0;
  g_autofree guint8 *buffer = self->code_pending ? kiln_loader_code_bytes (self, size + 12)
                                                 : g_malloc0 (size + MAX (after_size, 4));
  guint8 *block = buffer + head;
  guint32 at = self->params - (guint32) table_size;
  guint32 mark = g_random_int () | 1;
  guint32 copy = 0;
  GError *local_error = NULL;
  gboolean ok;

  g_assert (at >= self->ops);
  /* Bytes behind the block (the stream's first) go only to a running
   * loader, which takes nothing before COMMAND arrives. */
  g_assert (after_size == 0 || (self->running && !self->code_pending));
  /* CRCs kept from a run are for the command right after it. */
  self->after_ready = FALSE;
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_N_OPS, n_ops);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_OPS, at);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_STACK, self->stack_top);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_COMMAND, command);
  if (table_size > 0)
    memcpy (block, table, table_size);
  memcpy (block + table_size, params, KILN_LOADER_P_SIZE);
  G_STATIC_ASSERT (KILN_LOADER_RESULTS == KILN_LOADER_P_SIZE);
  kiln_stlink_encode_u32 (block + size, mark);
  if (self->code_pending)
    {
      copy = self->code + self->upload_end;
      kiln_stlink_encode_u32 (block - 8, at);
      kiln_stlink_encode_u32 (block - 4, (guint32) size);
    }
  /* A long table crosses 1 KiB boundaries: as few commands as the probe
   * takes. No status query either way. A running loader takes nothing
   * before COMMAND arrives, and a write that failed stops at the word
   * that failed: then the loader keeps the last command's status, RP
   * and operations, which answer no poll of this one (they are asked
   * about and end in an error). The mark after the block goes only to a
   * halted core (read back as it starts). */
  if (after_size > 0)
    memcpy (block + size, after, after_size);
  ok = kiln_stlink_write_stream_unchecked (self->stlink, self->code_pending ? self->code : at, buffer,
                                           head + (self->running ? size + after_size : size + 4), &local_error);
  if (!ok)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (self->running)
    return TRUE;
  if (!kiln_arm_start_code_checked (self->target, self->code | 1, 0, &copy, 1,
                                    (copy ? copy + 8 : at) + (guint32) size, mark, &local_error))
    {
      /* Link errors are the link's; anything else is the loader's. */
      if (local_error->domain != KILN_ARM_ERROR)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      return kiln_loader_error (error, local_error);
    }
  /* Whatever goes up behind the code from now on may overwrite the copy
   * the loader took before its first instruction of its own. */
  self->code_pending = FALSE;
  self->running = TRUE;
  return TRUE;
}

/* After a command: a loader that is not kept running is halted. */
static void
done_with (KilnFlashLoader *self)
{
  if (!self->persistent)
    kiln_flash_loader_stop (self);
}

typedef struct
{
  guint32 rp;
  guint32 status;
  guint32 error_sr;
  guint32 error_at;
  guint32 ops_done;
} Snapshot;

typedef struct
{
  gint64   last_change;
  guint32  last_rp;
  guint32  last_ops;
  guint    idle_polls;
  /* With a limit, an answer that says the loader runs and lies between
   * the last one and these is taken without a status query (below). */
  gboolean limited;
  guint32  rp_limit;
  guint32  ops_limit;
  /* An answer that says the loader is done, with RP at rp_limit and every
   * operation done, is taken without a status query too: for a program
   * run whose results were cleared by its post (a stale result is then 0
   * and fails the verification, which reads the flash back). */
  gboolean done_ok;
  /* A CRC command's results read with the status: what the host put in
   * ERROR_AT (0: none), whose inverse the loader writes after them. An
   * answer that says it is done, with every range done and that inverse
   * after the results (a value no write of the host carried, so not the
   * stale bytes of a read that failed), was read whole and is taken
   * without a status query. */
  guint32  echo;
} Watch;

static gboolean poll (KilnFlashLoader  *self,
                      Watch            *watch,
                      Snapshot         *s,
                      guint8           *results,
                      gsize             results_size,
                      GError          **error);

/* The CRC of @length bytes of 0xFF, as the loader's CRC command gives it
 * for an erased range. */
static guint32
blank_crc (guint32 length)
{
  static const guint8 ff[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
  guint32 crc = 0xFFFFFFFF;

  for (guint32 i = 0; i + 4 <= length; i += 4)
    crc = kiln_flash_crc32 (crc, ff, 4);
  return crc;
}

/* Results read with each status while the CRC runs (when they are few);
 * else once, after it. */
#define RESULTS_WITH_STATUS 256

/* Results read with each status at the end of a program run, when they
 * are this few. They make every such status longer (via a V2 at 4 MHz,
 * 1 µs per byte and 15 µs of SWD per word), so the end is seen later:
 * with more, that ate the read they save on the bench's 1 MiB jobs. */
#define TAIL_RESULTS_WITH_STATUS 64

gboolean
kiln_flash_loader_crc (KilnFlashLoader  *self,
                       const guint32    *ranges,
                       guint             n,
                       guint32          *crcs,
                       gboolean         *blank,
                       GCancellable     *cancellable,
                       GError          **error)
{
  /* The ranges the program run just before took the CRCs of. */
  if (blank == NULL && self->after_ready && n == self->n_after
      && memcmp (ranges, self->after_ranges, 2 * sizeof (guint32) * n) == 0)
    {
      memcpy (crcs, self->after_crcs, sizeof (guint32) * n);
      self->after_ready = FALSE;
      done_with (self);
      return TRUE;
    }
  return kiln_flash_loader_compare (self, 0, ranges, n, NULL, NULL, crcs, blank, NULL, cancellable, error);
}

/* After a CRC command that may have started an erase stopped early: its
 * results say whether it did (-2 when they cannot be read). */
static gint
erase_started_after_stop (KilnFlashLoader *self,
                          guint            count,
                          guint            skip)
{
  g_autofree guint8 *results = g_malloc (count * KILN_LOADER_RESULT_SIZE);

  if (!kiln_stlink_read_mem (self->stlink, self->results, results, count * KILN_LOADER_RESULT_SIZE, NULL))
    return -2;
  for (guint i = skip; i < count; i++)
    if (kiln_stlink_decode_u32 (results + KILN_LOADER_RESULT_SIZE * i + 4) == KILN_LOADER_RESULT_ERASE_STARTED)
      return (gint) i;
  return -1;
}

gboolean
kiln_flash_loader_compare (KilnFlashLoader  *self,
                           guint32           flash_regs,
                           const guint32    *ranges,
                           guint             n,
                           const guint32    *expected,
                           const guint32    *erase_crs,
                           guint32          *crcs,
                           gboolean         *blank,
                           gint             *erase_started,
                           GCancellable     *cancellable,
                           GError          **error)
{
  /* The first command also checks the loader's own code. */
  guint extra = self->code_checked ? 0 : 1;
  guint first = 0;
  /* Erases only while every range before matched and was not blank. */
  gboolean armed = erase_crs != NULL;
  guint32 known_length = 0, known_crc = blank_crc (0);

  if (erase_started)
    *erase_started = -1;
  while (first < n || extra > 0)
    {
      guint count = MIN (n - first + extra, self->max_ops);
      guint op_size = armed ? KILN_LOADER_CRC_ERASE_OP_SIZE : KILN_LOADER_CRC_OP_SIZE;
      g_autofree guint8 *ops = g_malloc0 (count * op_size);
      g_autofree guint8 *results = g_malloc0 (count * KILN_LOADER_RESULT_SIZE);
      gsize with_status = count * KILN_LOADER_RESULT_SIZE <= RESULTS_WITH_STATUS ? count * KILN_LOADER_RESULT_SIZE : 0;
      guint8 params[KILN_LOADER_P_SIZE] = { 0 };
      /* RP stays where the post put it; the code check counts too. */
      Watch watch = { g_get_monotonic_time (), 0, 0, 0, TRUE, 0, count };
      Snapshot snap = { 0 };

      for (guint i = 0; i < count; i++)
        {
          guint8 *op = ops + op_size * i;
          guint k = first + i - extra;

          if (i < extra)
            {
              kiln_stlink_encode_u32 (op, self->code);
              kiln_stlink_encode_u32 (op + 4, self->code_size);
              kiln_stlink_encode_u32 (op + 8, self->code_crc);
              continue;
            }
          kiln_stlink_encode_u32 (op, ranges[2 * k]);
          kiln_stlink_encode_u32 (op + 4, ranges[2 * k + 1]);
          if (expected)
            kiln_stlink_encode_u32 (op + 8, expected[k]);
          if (armed)
            kiln_stlink_encode_u32 (op + 12, erase_crs[k]);
        }

      kiln_stlink_encode_u32 (params + KILN_LOADER_P_FLASH, flash_regs);
      /* The table's stride: 16 says it has erases. */
      kiln_stlink_encode_u32 (params + KILN_LOADER_P_CR_PSIZE, op_size);
      kiln_stlink_encode_u32 (params + KILN_LOADER_P_PSIZE, (guint32) self->supply_psize);
      /* Echoed after the results (see Watch). */
      if (with_status)
        {
          watch.echo = g_random_int () | 1;
          kiln_stlink_encode_u32 (params + KILN_LOADER_P_ERROR_AT, watch.echo);
        }
      if (!post (self, ops, count, op_size, params, KILN_LOADER_COMMAND_CRC, 0, NULL, 0, error))
        return FALSE;
      /* The program part, while the CRCs run (setup left it behind for
       * a job that compares first). */
      if (!kiln_loader_load_program (self, error))
        {
          kiln_flash_loader_stop (self);
          return FALSE;
        }
      /* The flash's wait states cost a cycle each per word read: about
       * 9 ms per MiB on F7 (180 MHz, 5 wait states at x32), 14 ms at 8;
       * about twice that on F2/F4 (64 MHz). */
      do
        {
          gboolean cancelled = g_cancellable_is_cancelled (cancellable);

          if (cancelled || !poll (self, &watch, &snap, with_status ? results : NULL, with_status, error))
            {
              if (cancelled)
                kiln_flash_loader_stop (self);
              if (armed && erase_started)
                {
                  gint at = erase_started_after_stop (self, count, extra);

                  *erase_started = at >= 0 ? (gint) (first + at - extra) : at;
                }
              return cancelled ? !g_cancellable_set_error_if_cancelled (cancellable, error) : FALSE;
            }
        }
      while (snap.status == KILN_LOADER_STATUS_RUNNING);

      if (snap.status != KILN_LOADER_STATUS_DONE)
        {
          kiln_flash_loader_stop (self);
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                       _("Kiln's flash loader stopped with status %u instead of finishing its CRC"), snap.status);
          return FALSE;
        }
      if (!with_status
          && !kiln_stlink_read_mem (self->stlink, self->results, results, count * KILN_LOADER_RESULT_SIZE, error))
        {
          if (armed && erase_started)
            *erase_started = -2;
          return FALSE;
        }
      if (extra && kiln_stlink_decode_u32 (results) != self->code_crc)
        {
          kiln_flash_loader_stop (self);
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                       _("The RAM at 0x%08X does not keep what is written to it, so Kiln's flash loader cannot run there"),
                       self->code);
          return FALSE;
        }
      self->code_checked = TRUE;
      for (guint i = extra; i < count; i++)
        {
          const guint8 *result = results + KILN_LOADER_RESULT_SIZE * i;
          guint k = first + i - extra;
          guint32 word = kiln_stlink_decode_u32 (result + 4);

          /* An erased range's CRC is known here (the loader gives 0). */
          if (word == KILN_LOADER_RESULT_BLANK && ranges[2 * k + 1] != known_length)
            {
              known_length = ranges[2 * k + 1];
              known_crc = blank_crc (known_length);
            }
          crcs[k] = word == KILN_LOADER_RESULT_BLANK ? known_crc : kiln_stlink_decode_u32 (result);
          if (blank)
            blank[k] = word == KILN_LOADER_RESULT_BLANK;
          if (word == KILN_LOADER_RESULT_ERASE_STARTED && erase_started)
            *erase_started = (gint) k;
          if (word == KILN_LOADER_RESULT_BLANK || (expected && crcs[k] != expected[k]))
            armed = FALSE;
        }
      first += count - extra;
      extra = 0;
    }
  done_with (self);
  return TRUE;
}

static void
decode (Snapshot     *s,
        const guint8 *b)
{
  s->status = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_STATUS - KILN_LOADER_P_STATUS));
  s->rp = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_RP - KILN_LOADER_P_STATUS));
  s->error_sr = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_ERROR_SR - KILN_LOADER_P_STATUS));
  s->error_at = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_ERROR_AT - KILN_LOADER_P_STATUS));
  s->ops_done = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_OPS_DONE - KILN_LOADER_P_STATUS));
}

/* With @results, also reads that many bytes of a CRC command's results
 * (after the block) in the same transfer; with @watch, as poll() asks. */
static gboolean
snapshot (KilnFlashLoader  *self,
          Snapshot         *s,
          guint8           *results,
          gsize             results_size,
          const Watch      *watch,
          GError          **error)
{
  gboolean echo = results && watch && watch->echo != 0;
  gsize size = results ? KILN_LOADER_RESULTS + results_size - KILN_LOADER_P_STATUS + (echo ? 4 : 0)
                       : KILN_LOADER_P_ABORT - KILN_LOADER_P_STATUS;
  g_autofree guint8 *b = g_malloc (size);
  guint32 at = self->params + KILN_LOADER_P_STATUS;
  GError *local_error = NULL;
  gboolean again = TRUE;
  Snapshot t;

  /* The words are read upwards while the loader runs. STATUS comes first:
   * once it says the loader stopped, the words after it are final.
   *
   * While it runs, the status query after the read is left out where a
   * failed read could not mislead: an answer that says the loader runs,
   * with RP and the operations done between the last answer's and what
   * the host gave it, changes nothing but how far the host thinks it is
   * (stale bytes only hold it back). Any other answer is asked about; a
   * target that is gone fails the next query or the check of the core
   * below, and a loader that seems to stand still is timed out. */
  if (watch && watch->limited && size <= 0x400 - (at & 0x3FF))
    {
      if (!kiln_stlink_read_unchecked (self->stlink, at, b, size, &local_error))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      decode (&t, b);
      if (t.status == KILN_LOADER_STATUS_RUNNING && t.rp - watch->last_rp <= watch->rp_limit - watch->last_rp
          && t.ops_done >= watch->last_ops && t.ops_done <= watch->ops_limit)
        again = FALSE;
      else if (watch->done_ok && t.status == KILN_LOADER_STATUS_DONE && t.rp == watch->rp_limit
               && t.ops_done == watch->ops_limit)
        again = FALSE;
      else if (echo && t.status == KILN_LOADER_STATUS_DONE && t.ops_done == watch->ops_limit
               && kiln_stlink_decode_u32 (b + size - 4) == ~watch->echo)
        again = FALSE;
      else if (!kiln_stlink_check_read (self->stlink, at, &again, &local_error))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }
  if (again)
    {
      if (!kiln_stlink_read_mem (self->stlink, at, b, size, &local_error))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      decode (&t, b);
    }
  /* Only a snapshot that was taken replaces the last one: a caller that
   * fails here (the target gone) still knows how far the loader got. */
  *s = t;
  if (results)
    memcpy (results, b + (KILN_LOADER_RESULTS - KILN_LOADER_P_STATUS), results_size);
  return TRUE;
}

/* Waits for progress: a new snapshot, checking that the core still runs
 * the loader and has not stalled. */

static gboolean
poll (KilnFlashLoader  *self,
      Watch            *watch,
      Snapshot         *s,
      guint8           *results,
      gsize             results_size,
      GError          **error)
{
  GError *local_error = NULL;

  if (!snapshot (self, s, results, results_size, watch, error))
    return FALSE;
  if (s->status != KILN_LOADER_STATUS_RUNNING)
    return TRUE;
  if (s->rp != watch->last_rp || s->ops_done != watch->last_ops)
    {
      watch->last_rp = s->rp;
      watch->last_ops = s->ops_done;
      watch->last_change = g_get_monotonic_time ();
      watch->idle_polls = 0;
      return TRUE;
    }
  /* Whether the core still runs the loader is asked every fourth poll
   * without progress (a flash operation takes its time; the CRC of a
   * sector at the end of a run often keeps one or two polls idle). */
  if (++watch->idle_polls % 4 != 0)
    return TRUE;
  {
    gboolean running;

    /* No progress: is the loader still there? */
    if (!kiln_arm_poll_code (self->target, &running, &local_error))
      {
        /* Link errors are the link's; anything else is the loader's. */
        if (local_error->domain != KILN_ARM_ERROR)
          {
            g_propagate_error (error, local_error);
            return FALSE;
          }
        self->running = FALSE;
        return kiln_loader_error (error, local_error);
      }
    if (!running)
      {
        self->running = FALSE;
        g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                             _("Kiln's flash loader stopped in the middle of its work"));
        return FALSE;
      }
  }
  if (g_get_monotonic_time () - watch->last_change > (gint64) self->timeout_ms * 1000)
    {
      kiln_flash_loader_stop (self);
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                   _("Kiln's flash loader made no progress for %.1f seconds and was halted"), self->timeout_ms / 1000.0);
      return FALSE;
    }
  return TRUE;
}

/* Asks the loader to stop between blocks and waits until it has. */
static void
stop_loader (KilnFlashLoader *self,
             Snapshot        *s)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (kiln_stlink_write32 (self->stlink, self->params + KILN_LOADER_P_ABORT, 1, NULL))
    {
      while (g_get_monotonic_time () < deadline)
        {
          Watch watch = { g_get_monotonic_time (), s->rp, s->ops_done, 0 };

          if (!poll (self, &watch, s, NULL, 0, NULL))
            break;
          if (s->status != KILN_LOADER_STATUS_RUNNING)
            {
              done_with (self);
              return;
            }
        }
    }
  kiln_flash_loader_stop (self);
  snapshot (self, s, NULL, 0, NULL, NULL);
}

/* The decoder goes up before the first run that sends a compressed record. */
static gboolean
load_lz4_for (KilnFlashLoader  *self,
              GArray           *records,
              GError          **error)
{
  return !kiln_loader_records_compressed (records) || kiln_flash_loader_load_lz4 (self, error);
}

/* How many of @ops the loader may have begun when the link failed: it
 * takes the operations in order and cannot pass a program operation before
 * all its records are there (those before st->rec were sent whole). */
static guint
ops_begun_bound (const KilnLoaderStream *st,
                 const KilnLoaderOp     *ops,
                 guint                   n_ops)
{
  guint begun = 0, r = 0;

  for (guint i = 0; i < n_ops; i++)
    {
      if (ops[i].kind != KILN_LOADER_OP_PROGRAM)
        {
          begun = i + 1;
          continue;
        }
      if (r >= st->rec)
        break;
      begun = i + 1;
      while (r < st->records->len && g_array_index (st->records, KilnLoaderRecord, r).op == i)
        r++;
      if (r > st->rec)
        break;
    }
  return begun;
}

/* Via a full-speed probe the link carries about 4.75 µs per byte and the
 * flash programs about 4 µs per byte at x32 (erased words skipped): the
 * link sets the pace unless the blocks compress by more than a fifth of
 * the bytes the flash must program. When the flash does (or via a
 * high-speed probe), the first record goes alone, so that the flash starts
 * as early as it can; when the link does, that would only cost a command. */
static gboolean
flash_sets_pace (KilnFlashLoader *self,
                 GArray          *records)
{
  guint64 total, program;

  kiln_loader_records_totals (records, &total, &program);
  return kiln_stlink_get_version (self->stlink)->hw >= 3 || total * 5 < program * 4;
}

gboolean
kiln_flash_loader_program (KilnFlashLoader         *self,
                           guint32                  flash_regs,
                           KilnFlashPsize           psize,
                           const KilnLoaderOp      *ops,
                           guint                    n_ops,
                           KilnLoaderProgressFunc   progress,
                           gpointer                 user_data,
                           GCancellable            *cancellable,
                           guint                   *ops_done,
                           guint32                 *error_sr,
                           guint32                 *error_at,
                           GError                 **error)
{
  g_autofree guint8 *table = NULL;
  g_autofree guint *done_of = NULL;
  g_autofree guint8 *batch = g_malloc (KILN_LOADER_BATCH + KILN_LOADER_MARKER_SIZE);
  g_autofree guint8 *current = g_malloc (KILN_LOADER_BLOCK + 12);
  /* Results read with the status at the end of the run (when few). */
  g_autofree guint8 *tail_results = NULL;
  gsize tail_size = 0;
  guint32 since_poll = 0;
  gboolean with_results = FALSE, flash_bound, posted = FALSE, with_stream, erases = FALSE;
  g_autofree guint32 *ends = NULL;
  g_autofree guint64 *raw_upto = NULL;
  GArray *records;
  KilnLoaderStream st = { 0 };
  guint8 params[KILN_LOADER_P_SIZE] = { 0 };
  Snapshot s = { 0 };
  Watch watch = { g_get_monotonic_time (), 0, 0, 0, TRUE, 0, 0 };
  guint consumed = 0;
  gboolean ok = FALSE, stopped = FALSE;
  guint n_after, n_cleared;
  guint32 ring, ring_size;

  *ops_done = 0;
  *error_sr = 0;
  *error_at = 0;
  self->after_ready = FALSE;
  /* The CRCs of the ranges written, when the table holds them. */
  n_after = n_ops + self->n_after <= self->max_ops ? self->n_after : 0;
  self->n_after = 0;
  if (n_ops > self->max_ops)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                   _("The job has %u flash operations, more than Kiln's flash loader takes at once (%u)"), n_ops,
                   self->max_ops);
      return FALSE;
    }

  for (guint i = 0; i < n_ops; i++)
    {
      gboolean erase = ops[i].kind == KILN_LOADER_OP_ERASE || ops[i].kind == KILN_LOADER_OP_ERASE_STARTED;

      g_return_val_if_fail (erase || ops[i].kind == KILN_LOADER_OP_PROGRAM, FALSE);
      g_return_val_if_fail (ops[i].kind != KILN_LOADER_OP_ERASE_STARTED || i == 0, FALSE);
    }
  table = kiln_loader_make_table (ops, n_ops, self->after_ranges, n_after, &done_of);
  n_cleared = n_ops > 0 ? n_after : 0;
  records = kiln_loader_make_records (!self->no_compression, ops, n_ops, self->seq);
  flash_bound = flash_sets_pace (self, records);
  for (guint i = 0; i < n_ops; i++)
    erases |= ops[i].kind != KILN_LOADER_OP_PROGRAM;
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_SEQ, self->seq);
  /* The end marker takes a seq too: the next run starts after it. */
  self->seq += records->len + 1;
  ends = g_new0 (guint32, records->len + 1);
  raw_upto = g_new0 (guint64, records->len + 1);
  st.records = records;
  st.current = current;
  st.ends = ends;
  st.raw_upto = raw_upto;
  for (guint i = 0; i < records->len; i++)
    st.total += kiln_loader_record_size (&g_array_index (records, KilnLoaderRecord, i));
  /* Each CRC operation names its result (the last range's is the first),
   * wherever it is in the table. */
  tail_size = (gsize) KILN_LOADER_RESULT_SIZE * n_after;
  if (n_after > 0 && tail_size <= TAIL_RESULTS_WITH_STATUS)
    tail_results = g_malloc0 (tail_size);

  kiln_stlink_encode_u32 (params + KILN_LOADER_P_FLASH, flash_regs);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_CR_PSIZE, (guint32) psize << 8);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_PSIZE, (guint32) psize);
  /* A loader whose code no command has checked yet checks it first. */
  if (!self->code_checked && !kiln_flash_loader_crc (self, NULL, 0, NULL, NULL, cancellable, error))
    goto out;
  if (!kiln_loader_load_program (self, error))
    goto out;
  if (!load_lz4_for (self, records, error))
    goto out;
  if (records->len > 0 && psize != KILN_FLASH_PSIZE_X32 && !kiln_flash_loader_load_narrow (self, error))
    goto out;
  /* The command first: the loader then takes each record as soon as its
   * trailer is written, and an erase runs while the data comes. To a
   * running loader the command goes with the stream's first bytes, in
   * one transfer (the ring starts right after it). Else, where the flash
   * sets the pace and the run starts by programming, the first record
   * goes first, so that the loader starts on it at once. */
  with_stream = self->running && !self->code_pending && records->len > 0;
  /* The ring right after the results the post clears; a post to a halted
   * core leaves its mark word there, and the ring starts after it. */
  ring = kiln_loader_ring (self, n_cleared) + (self->running ? 0 : 8);
  ring_size = self->ring_end - ring;
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_RING, ring);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_RING_END, self->ring_end);
  if (!with_stream && !(flash_bound && records->len > 0 && ops[0].kind == KILN_LOADER_OP_PROGRAM))
    {
      if (!post (self, table, n_ops + n_after, KILN_LOADER_OP_SIZE, params, KILN_LOADER_COMMAND_PROGRAM, n_cleared,
                 NULL, 0, error))
        goto out;
      posted = TRUE;
    }

  for (;;)
    {
      guint32 free_bytes = ring_size - (st.wp - s.rp);

      if (g_cancellable_is_cancelled (cancellable))
        {
          if (posted)
            {
              stop_loader (self, &s);
              *ops_done = done_of[MIN (s.ops_done, n_ops + n_after)];
              stopped = s.status != KILN_LOADER_STATUS_RUNNING;
            }
          g_cancellable_set_error_if_cancelled (cancellable, error);
          goto out;
        }

      /* The stream, without a status query and without a pointer: the
       * loader notices each record by its own write. The ring's room is
       * asked only when the last answer says it ran out, and the progress
       * every KILN_LOADER_PROGRESS_EVERY bytes. */
      if (st.rec < records->len && since_poll < KILN_LOADER_PROGRESS_EVERY
          && free_bytes >= MIN ((guint32) KILN_LOADER_BATCH_MIN, st.total - st.sent) + KILN_LOADER_MARKER_SIZE)
        {
          guint32 at = st.wp % ring_size, skip, tail;
          guint32 limit = flash_bound && st.rec == 0
                          ? kiln_loader_record_size (&g_array_index (records, KilnLoaderRecord, 0))
                          : flash_bound ? KILN_STLINK_MAX_RW32 : KILN_LOADER_BATCH;
          guint32 n;

          /* The command, when it goes with them, counts in the probe's
           * commands that carry the batch. */
          if (with_stream && !posted && limit == KILN_LOADER_BATCH)
            limit -= MIN (limit / 2, (guint32) post_size (n_ops + n_after, KILN_LOADER_OP_SIZE, n_cleared));
          n = kiln_loader_stream_gather (&st, ring_size, batch, free_bytes, limit, &skip, &tail);

          if (n > 0)
            {
              if (with_stream && !posted)
                {
                  /* Whatever part of it arrived, the loader may run. */
                  posted = TRUE;
                  if (!post (self, table, n_ops + n_after, KILN_LOADER_OP_SIZE, params, KILN_LOADER_COMMAND_PROGRAM,
                             n_cleared, batch, n + tail, error))
                    {
                      kiln_flash_loader_stop (self);
                      goto out;
                    }
                }
              else if (!kiln_stlink_write_stream_unchecked (self->stlink, ring + at, batch, n + tail, error))
                {
                  kiln_flash_loader_stop (self);
                  goto out;
                }
              st.wp += n + skip;
              since_poll += n;
              self->link_bytes += n + tail;
              if (!posted
                  && !post (self, table, n_ops + n_after, KILN_LOADER_OP_SIZE, params, KILN_LOADER_COMMAND_PROGRAM,
                            n_cleared, NULL, 0, error))
                goto out;
              posted = TRUE;
              continue;
            }
        }
      since_poll = 0;

      /* The ring is full, everything is sent, or the progress is due: ask
       * the loader. Once it works on the last block's worth of records, a
       * few results come with each status, so that the one saying DONE
       * brings the CRCs of the ranges written (no read of their own after
       * it). Where the link sets the pace and nothing is erased, the
       * loader keeps up with the records, so the first answer after the
       * last of them already may say DONE. */
      with_results = tail_results != NULL && st.rec == records->len
                     && ((!flash_bound && !erases)
                         || st.wp - s.rp <= KILN_LOADER_BLOCK + KILN_LOADER_MARKER_SIZE + 4);
      watch.rp_limit = st.wp;
      watch.ops_limit = n_ops + n_after;
      watch.done_ok = n_ops > 0 && st.rec == records->len;
      if (!poll (self, &watch, &s, with_results ? tail_results : NULL, with_results ? tail_size : 0, error))
        {
          *ops_done = done_of[MIN (s.ops_done, n_ops + n_after)];
          goto out;
        }
      /* The CRC operations among the caller's are not the caller's. */
      *ops_done = done_of[MIN (s.ops_done, n_ops + n_after)];
      while (consumed < st.rec && ends[consumed] <= s.rp)
        consumed++;
      if (progress)
        progress (user_data, *ops_done, consumed > 0 ? raw_upto[consumed - 1] : 0);

      if (s.status == KILN_LOADER_STATUS_ERROR)
        {
          KilnChip *chip = kiln_arm_target_get_chip (self->target);
          int pos = kiln_chip_find_sector (chip, s.error_at);
          g_autofree char *why = kiln_flash_describe_sr (s.error_sr, pos >= 0 ? kiln_chip_get_sector (chip, (guint) pos) : NULL);

          *error_sr = s.error_sr;
          stopped = TRUE;
          done_with (self);
          if (s.error_at == 0xFFFFFFFFu)
            {
              g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER,
                                   _("The flash controller stayed locked after the unlock keys: reset the board and try again"));
              goto out;
            }
          *error_at = s.error_at;
          g_set_error (error, KILN_FLASH_ERROR,
                       (s.error_sr & KILN_FLASH_SR_WRPERR) ? KILN_FLASH_ERROR_PROTECTED : KILN_FLASH_ERROR_CONTROLLER,
                       _("%s (at 0x%08X, flash status 0x%08X)"), why, s.error_at, s.error_sr);
          goto out;
        }
      if (s.status == KILN_LOADER_STATUS_BAD_STREAM)
        {
          stopped = TRUE;
          done_with (self);
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                       _("Kiln's flash loader found a damaged block in its data (at 0x%08X) and stopped before writing it"),
                       s.error_at);
          goto out;
        }
      if (s.status == KILN_LOADER_STATUS_BAD_CODE)
        {
          stopped = TRUE;
          done_with (self);
          g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                               _("The program part of Kiln's flash loader did not arrive whole in the target's RAM; "
                                 "the loader stopped before running it"));
          goto out;
        }
      if (s.status == KILN_LOADER_STATUS_DONE)
        {
          stopped = TRUE;
          done_with (self);
          if (st.rec < records->len || s.rp != st.wp)
            {
              g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                           _("Kiln's flash loader finished before taking all the data (%u of %u bytes)"), s.rp, st.wp);
              goto out;
            }
          self->raw_bytes += st.raw_sent;
          self->program_ran = TRUE;
          if (n_after > 0)
            {
              g_autofree guint8 *results = NULL;
              const guint8 *after;

              /* The results of the CRC operations (the last one's first),
               * read with the status or else now. */
              if (with_results)
                after = tail_results;
              else
                {
                  results = g_malloc (tail_size);
                  if (!kiln_stlink_read_mem (self->stlink, self->results, results, tail_size, error))
                    goto out;
                  after = results;
                }
              for (guint i = 0; i < n_after; i++)
                self->after_crcs[i] = kiln_stlink_decode_u32 (after + KILN_LOADER_RESULT_SIZE * (n_after - 1 - i));
              self->n_after = n_after;
              self->after_ready = TRUE;
            }
          ok = TRUE;
          goto out;
        }
      if (s.status != KILN_LOADER_STATUS_RUNNING)
        {
          stopped = TRUE;
          kiln_flash_loader_stop (self);
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                       _("Kiln's flash loader stopped with status %u"), s.status);
          goto out;
        }
    }

out:
  if (ok)
    self->ops_begun = n_ops;
  else if (!posted)
    self->ops_begun = 0;
  else if (stopped)
    self->ops_begun = MIN (*ops_done + 1, n_ops);
  else
    self->ops_begun = MAX (ops_begun_bound (&st, ops, n_ops), MIN (*ops_done + 1, n_ops));
  kiln_loader_free_records (records);
  return ok;
}
