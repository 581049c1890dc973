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
#include "kiln-stlink-protocol.h"

#define MAX_OPS      512
#define STACK_SIZE   512
#define RING_MAX     (192 * 1024)
#define RING_MIN     (4 * 1024)
/* Bytes streamed before the write pointer is published: at most four of
 * the probe's largest commands; the first and the last batches are
 * smaller, so that the flash starts early and the last batch, programmed
 * after the link is done, is short. */
#define BATCH        (24 * 1024)
#define BATCH_MIN    (2 * 1024)
/* A loader that makes no progress for this long has hung (a sector erase at
 * x8 takes up to 4 s on silicon). */
#define STALL_MS     15000

guint32
kiln_flash_crc32 (guint32       crc,
                  const guint8 *data,
                  gsize         length)
{
  static guint32 table[256];
  static gsize table_ready;

  if (g_once_init_enter (&table_ready))
    {
      for (guint32 i = 0; i < 256; i++)
        {
          guint32 c = i << 24;

          for (guint b = 0; b < 8; b++)
            c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
          table[i] = c;
        }
      g_once_init_leave (&table_ready, 1);
    }

  /* The unit takes each little-endian word most significant bit first. */
  for (gsize i = 0; i + 4 <= length; i += 4)
    for (int b = 3; b >= 0; b--)
      crc = (crc << 8) ^ table[(crc >> 24) ^ data[i + (gsize) b]];
  return crc;
}

static gboolean
loader_error (GError     **error,
              GError      *cause)
{
  g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
               _("Kiln's flash loader could not run on the target: %s"), cause->message);
  g_error_free (cause);
  return FALSE;
}

gboolean
kiln_flash_loader_setup (KilnFlashLoader  *self,
                         KilnArmTarget    *target,
                         GError          **error)
{
  KilnChip *chip = kiln_arm_target_get_chip (target);
  guint32 best_start = 0, best_end = 0;
  gsize code_size = (kiln_flash_loader_code_size + 15) & ~(gsize) 15;
  g_autofree guint8 *code = g_malloc0 (code_size);
  g_autofree guint8 *back = g_malloc0 (code_size);
  GError *local_error = NULL;

  memset (self, 0, sizeof *self);
  self->target = target;
  self->stlink = kiln_arm_target_get_stlink (target);
  self->timeout_ms = STALL_MS;

  /* The largest run of adjacent SRAM regions the core can execute from. */
  for (guint i = 0; i < kiln_chip_get_n_ram (chip); i++)
    {
      const KilnMemRegion *r = kiln_chip_get_ram (chip, i);
      guint32 start = r->address, end = r->address + r->size;
      gboolean grown = TRUE;

      if (start < 0x20000000u || start >= 0x40000000u)
        continue;
      while (grown)
        {
          grown = FALSE;
          for (guint j = 0; j < kiln_chip_get_n_ram (chip); j++)
            {
              const KilnMemRegion *n = kiln_chip_get_ram (chip, j);

              if (n->address == end && n->size > 0)
                {
                  end += n->size;
                  grown = TRUE;
                }
            }
        }
      if (end - start > best_end - best_start)
        {
          best_start = start;
          best_end = end;
        }
    }

  /* The data the loader writes lives on another 4 KiB page than its code,
   * as a core with caches or an emulator tracking code pages prefers. */
  self->code = best_start;
  self->params = self->code + KILN_LOADER_PARAMS;
  g_assert (code_size <= KILN_LOADER_PARAMS);
  self->ops = self->params + KILN_LOADER_P_SIZE;
  self->max_ops = MAX_OPS;
  self->stack_top = self->ops + MAX_OPS * KILN_LOADER_CRC_OP_SIZE + STACK_SIZE;
  self->ring = self->stack_top;
  if (best_end <= self->ring || best_end - self->ring < RING_MIN)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                   _("The chip has no RAM large enough for Kiln's flash loader (it needs %u KiB)"),
                   (guint) ((self->ring - best_start + RING_MIN) / 1024));
      return FALSE;
    }
  self->ring_size = MIN (best_end - self->ring, (guint32) RING_MAX) & ~1023u;

  memcpy (code, kiln_flash_loader_code, kiln_flash_loader_code_size);
  if (!kiln_stlink_write_mem (self->stlink, self->code, code, code_size, &local_error)
      || !kiln_stlink_read_mem (self->stlink, self->code, back, code_size, &local_error))
    return loader_error (error, local_error);
  if (memcmp (code, back, code_size) != 0)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                   _("The RAM at 0x%08X does not keep what is written to it, so Kiln's flash loader cannot run there"),
                   self->code);
      return FALSE;
    }
  return TRUE;
}

void
kiln_flash_loader_stop (KilnFlashLoader *self)
{
  if (!self->running)
    return;
  kiln_arm_halt (self->target, NULL);
  self->running = FALSE;
}

/* Writes the parameter block, COMMAND last: a running loader takes it from
 * there; a halted core is started on the loader first. */
static gboolean
post (KilnFlashLoader  *self,
      guint8           *params,
      guint32           command,
      GError          **error)
{
  GError *local_error = NULL;

  kiln_stlink_encode_u32 (params + KILN_LOADER_P_STACK, self->stack_top);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_COMMAND, command);
  if (!kiln_stlink_write_mem (self->stlink, self->params, params, KILN_LOADER_P_SIZE, &local_error))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (self->running)
    return TRUE;
  if (!kiln_arm_start_code (self->target, self->code | 1, 0, NULL, 0, &local_error))
    return loader_error (error, local_error);
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
  guint32 wp;
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
} Watch;

static gboolean poll (KilnFlashLoader  *self,
                      Watch            *watch,
                      Snapshot         *s,
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

gboolean
kiln_flash_loader_crc (KilnFlashLoader  *self,
                       const guint32    *ranges,
                       guint             n,
                       guint32          *crcs,
                       gboolean         *blank,
                       GCancellable     *cancellable,
                       GError          **error)
{
  guint32 known_length = 0, known_crc = blank_crc (0);

  for (guint first = 0; first < n; first += self->max_ops)
    {
      guint count = MIN (n - first, self->max_ops);
      g_autofree guint8 *ops = g_malloc0 (count * KILN_LOADER_CRC_OP_SIZE);
      guint8 params[KILN_LOADER_P_SIZE] = { 0 };
      Watch watch = { g_get_monotonic_time (), 0, 0, 0 };
      Snapshot snap = { 0 };

      for (guint i = 0; i < count; i++)
        {
          guint8 *op = ops + KILN_LOADER_CRC_OP_SIZE * i;
          guint32 length = ranges[2 * (first + i) + 1];

          if (length != known_length)
            {
              known_length = length;
              known_crc = blank_crc (length);
            }
          kiln_stlink_encode_u32 (op, ranges[2 * (first + i)]);
          kiln_stlink_encode_u32 (op + 4, length);
          kiln_stlink_encode_u32 (op + 12, known_crc);
        }
      kiln_stlink_encode_u32 (params + KILN_LOADER_P_N_OPS, count);
      kiln_stlink_encode_u32 (params + KILN_LOADER_P_OPS, self->ops);

      if (!kiln_stlink_write_mem (self->stlink, self->ops, ops, count * KILN_LOADER_CRC_OP_SIZE, error)
          || !post (self, params, KILN_LOADER_COMMAND_CRC, error))
        return FALSE;
      /* At 16 MHz the unit takes about 30 ms per MiB. */
      do
        {
          if (g_cancellable_is_cancelled (cancellable))
            {
              kiln_flash_loader_stop (self);
              return !g_cancellable_set_error_if_cancelled (cancellable, error);
            }
          if (!poll (self, &watch, &snap, error))
            return FALSE;
        }
      while (snap.status == KILN_LOADER_STATUS_RUNNING);

      if (snap.status != KILN_LOADER_STATUS_DONE)
        {
          kiln_flash_loader_stop (self);
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                       _("Kiln's flash loader stopped with status %u instead of finishing its CRC"), snap.status);
          return FALSE;
        }
      if (!kiln_stlink_read_mem (self->stlink, self->ops, ops, count * KILN_LOADER_CRC_OP_SIZE, error))
        return FALSE;
      for (guint i = 0; i < count; i++)
        {
          const guint8 *op = ops + KILN_LOADER_CRC_OP_SIZE * i;

          crcs[first + i] = kiln_stlink_decode_u32 (op + 8);
          if (blank)
            blank[first + i] = kiln_stlink_decode_u32 (op + 12) == 0xFFFFFFFFu;
        }
    }
  done_with (self);
  return TRUE;
}

static gboolean
snapshot (KilnFlashLoader  *self,
          Snapshot         *s,
          GError          **error)
{
  guint8 b[KILN_LOADER_P_ABORT - KILN_LOADER_P_STATUS];
  GError *local_error = NULL;

  /* The words are read upwards while the loader runs. STATUS comes first:
   * once it says the loader stopped, the words after it are final. */
  if (!kiln_stlink_read_mem (self->stlink, self->params + KILN_LOADER_P_STATUS, b, sizeof b, &local_error))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  s->status = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_STATUS - KILN_LOADER_P_STATUS));
  s->wp = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_WP - KILN_LOADER_P_STATUS));
  s->rp = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_RP - KILN_LOADER_P_STATUS));
  s->error_sr = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_ERROR_SR - KILN_LOADER_P_STATUS));
  s->error_at = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_ERROR_AT - KILN_LOADER_P_STATUS));
  s->ops_done = kiln_stlink_decode_u32 (b + (KILN_LOADER_P_OPS_DONE - KILN_LOADER_P_STATUS));
  return TRUE;
}

/* Waits for progress: a new snapshot, checking that the core still runs
 * the loader and has not stalled. */

static gboolean
poll (KilnFlashLoader  *self,
      Watch            *watch,
      Snapshot         *s,
      GError          **error)
{
  GError *local_error = NULL;

  if (!snapshot (self, s, error))
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
  /* Whether the core still runs the loader is asked every few polls
   * without progress (a flash operation takes its time). */
  if (++watch->idle_polls % 4 != 1)
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
        return loader_error (error, local_error);
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

          if (!poll (self, &watch, s, NULL))
            break;
          if (s->status != KILN_LOADER_STATUS_RUNNING)
            {
              done_with (self);
              return;
            }
        }
    }
  kiln_flash_loader_stop (self);
  snapshot (self, s, NULL);
}

/* The next batch's size after @sent of @total bytes: doubling from
 * BATCH_MIN up to BATCH, then halving towards the end (whole KiB). */
static guint32
batch_size (guint32 sent,
            guint32 total)
{
  guint32 left = total - sent;
  guint32 size = MIN ((guint32) BATCH, MAX ((guint32) BATCH_MIN, sent));

  if (left < 2 * size)
    size = MAX ((guint32) BATCH_MIN, ((left / 2) + 1023) & ~1023u);
  return size;
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
  g_autofree guint8 *batch = g_malloc (BATCH);
  guint8 params[KILN_LOADER_P_SIZE] = { 0 };
  Snapshot s = { 0 };
  Watch watch = { g_get_monotonic_time (), 0, 0, 0 };
  guint op = 0;
  guint32 offset = 0;   /* into ops[op] */
  guint32 wp = 0, total = 0;

  *ops_done = 0;
  *error_sr = 0;
  *error_at = 0;
  if (n_ops > self->max_ops)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                   _("The job has %u flash operations, more than Kiln's flash loader takes at once (%u)"), n_ops,
                   self->max_ops);
      return FALSE;
    }

  table = g_malloc0 ((gsize) n_ops * 12);
  for (guint i = 0; i < n_ops; i++)
    {
      if (ops[i].kind == KILN_LOADER_OP_PROGRAM)
        total += ops[i].length;
      kiln_stlink_encode_u32 (table + 12 * i, ops[i].kind);
      kiln_stlink_encode_u32 (table + 12 * i + 4, ops[i].kind == KILN_LOADER_OP_ERASE ? ops[i].arg : ops[i].address);
      kiln_stlink_encode_u32 (table + 12 * i + 8, ops[i].kind == KILN_LOADER_OP_ERASE ? ops[i].address : ops[i].length);
    }
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_FLASH, flash_regs);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_CR_PSIZE, (guint32) psize << 8);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_PSIZE, (guint32) psize);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_RING, self->ring);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_RING_END, self->ring + self->ring_size);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_N_OPS, n_ops);
  kiln_stlink_encode_u32 (params + KILN_LOADER_P_OPS, self->ops);
  if (!kiln_stlink_write_mem (self->stlink, self->ops, table, (gsize) n_ops * 12, error)
      || !post (self, params, KILN_LOADER_COMMAND_PROGRAM, error))
    return FALSE;

  for (;;)
    {
      guint32 free_bytes, n = 0, at, target;

      /* Skip past erase operations and finished program operations. */
      while (op < n_ops && (ops[op].kind != KILN_LOADER_OP_PROGRAM || offset >= ops[op].length))
        {
          op++;
          offset = 0;
        }

      if (g_cancellable_is_cancelled (cancellable))
        {
          stop_loader (self, &s);
          *ops_done = s.ops_done;
          g_cancellable_set_error_if_cancelled (cancellable, error);
          return FALSE;
        }

      free_bytes = self->ring_size - (wp - s.rp);
      target = batch_size (wp, total);
      if (op < n_ops && free_bytes >= MIN (target, total - wp))
        {
          /* Gather the next batch, up to the ring's end. */
          at = wp % self->ring_size;
          while (op < n_ops && n < target && n < self->ring_size - at && n < free_bytes)
            {
              guint32 take;

              if (ops[op].kind != KILN_LOADER_OP_PROGRAM || offset >= ops[op].length)
                {
                  op++;
                  offset = 0;
                  continue;
                }
              take = MIN (ops[op].length - offset, MIN (target - n, self->ring_size - at - n));
              take = MIN (take, free_bytes - n);
              memcpy (batch + n, ops[op].data + offset, take);
              n += take;
              offset += take;
            }
          if (!kiln_stlink_write_stream (self->stlink, self->ring + at, batch, n, error)
              || !kiln_stlink_write32 (self->stlink, self->params + KILN_LOADER_P_WP, wp + n, error))
            {
              kiln_flash_loader_stop (self);
              return FALSE;
            }
          wp += n;
          continue;
        }

      /* The ring is full, or everything is sent: wait for the loader. */
      if (!poll (self, &watch, &s, error))
        {
          *ops_done = s.ops_done;
          return FALSE;
        }
      *ops_done = s.ops_done;
      if (progress)
        progress (user_data, s.ops_done, s.rp);

      if (s.status == KILN_LOADER_STATUS_ERROR)
        {
          KilnChip *chip = kiln_arm_target_get_chip (self->target);
          int pos = kiln_chip_find_sector (chip, s.error_at);
          g_autofree char *why = kiln_flash_describe_sr (s.error_sr, pos >= 0 ? kiln_chip_get_sector (chip, (guint) pos) : NULL);

          *error_sr = s.error_sr;
          *error_at = s.error_at;
          done_with (self);
          g_set_error (error, KILN_FLASH_ERROR,
                       (s.error_sr & KILN_FLASH_SR_WRPERR) ? KILN_FLASH_ERROR_PROTECTED : KILN_FLASH_ERROR_CONTROLLER,
                       _("%s (at 0x%08X, flash status 0x%08X)"), why, s.error_at, s.error_sr);
          return FALSE;
        }
      if (s.status == KILN_LOADER_STATUS_DONE)
        {
          done_with (self);
          if (op < n_ops || s.rp != wp)
            {
              g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                           _("Kiln's flash loader finished before taking all the data (%u of %u bytes)"), s.rp, wp);
              return FALSE;
            }
          return TRUE;
        }
      if (s.status != KILN_LOADER_STATUS_RUNNING)
        {
          kiln_flash_loader_stop (self);
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                       _("Kiln's flash loader stopped with status %u"), s.status);
          return FALSE;
        }
    }
}
