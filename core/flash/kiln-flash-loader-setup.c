/* kiln-flash-loader-setup.c — the host side of the SRAM flash loader: the
 * CRC the loader computes, where the loader goes in the target's RAM,
 * uploading its code and the parts that go up only when needed, and its
 * end (halted, or the chip reset by the loader itself)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-flash-error.h"
#include "kiln-flash-loader.h"
#include "kiln-flash-loader-private.h"

#define MAX_OPS      512
#define STACK_SIZE   512
#define RING_MAX     (192 * 1024)
#define RING_MIN     (4 * 1024)
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

gboolean
kiln_loader_error (GError **error,
                   GError  *cause)
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
  return kiln_flash_loader_setup_at (self, target, KILN_FLASH_PSIZE_X32, error);
}

static gboolean setup (KilnFlashLoader  *self,
                       KilnArmTarget    *target,
                       KilnFlashPsize    psize,
                       gboolean          crc_first,
                       GError          **error);

gboolean
kiln_flash_loader_setup_at (KilnFlashLoader  *self,
                            KilnArmTarget    *target,
                            KilnFlashPsize    psize,
                            GError          **error)
{
  return setup (self, target, psize, FALSE, error);
}

gboolean
kiln_flash_loader_setup_crc_first (KilnFlashLoader  *self,
                                   KilnArmTarget    *target,
                                   KilnFlashPsize    psize,
                                   GError          **error)
{
  return setup (self, target, psize, TRUE, error);
}

static gboolean
setup (KilnFlashLoader  *self,
       KilnArmTarget    *target,
       KilnFlashPsize    psize,
       gboolean          crc_first,
       GError          **error)
{
  KilnChip *chip = kiln_arm_target_get_chip (target);
  guint32 best_start = 0, best_end = 0, after_results;
  /* The writes at x8, x16 and x64 and the decoder stay behind (a fifth
   * of the code): most runs program at x32 and send no compressed record.
   * For a job at another PSIZE its writes go up in the same transfer. */
  gboolean narrow = psize != KILN_FLASH_PSIZE_X32;
  gsize program_end = narrow ? kiln_flash_loader_lz4_offset : kiln_flash_loader_narrow_offset;
  gsize code_size = ((crc_first ? kiln_flash_loader_program_offset : program_end) + 15) & ~(gsize) 15;
  gsize full_size = (kiln_flash_loader_code_size + 15) & ~(gsize) 15;
  g_autofree guint8 *code = g_malloc0 (full_size);

  memset (self, 0, sizeof *self);
  self->target = target;
  self->stlink = kiln_arm_target_get_stlink (target);
  self->timeout_ms = STALL_MS;
  /* Whatever an earlier job left in the ring has other seqs. */
  self->seq = g_random_int ();

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
   * as a core with caches or an emulator tracking code pages prefers. The
   * ring follows the results (a program command's starts right after the
   * results it clears: kiln_loader_ring()); then the stack, and the
   * scratch buffer for decoded blocks above its top. */
  self->code = best_start;
  self->params = self->code + KILN_LOADER_PARAMS;
  g_assert (full_size <= KILN_LOADER_OPS_AREA);
  G_STATIC_ASSERT (MAX_OPS * KILN_LOADER_OP_SIZE <= KILN_LOADER_PARAMS - KILN_LOADER_OPS_AREA);
  self->ops = self->code + KILN_LOADER_OPS_AREA;
  self->results = self->params + KILN_LOADER_RESULTS;
  self->max_ops = MAX_OPS;
  /* After the results: a program command's, the least ring (and the
   * 1 KiB its end is rounded down by), the stack, the scratch buffer. */
  after_results = KILN_LOADER_MAX_AFTER * KILN_LOADER_RESULT_SIZE + RING_MIN + 1024 + STACK_SIZE + KILN_LOADER_BLOCK;
  if (best_end <= self->results || best_end - self->results < after_results)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER,
                   _("The chip has no RAM large enough for Kiln's flash loader (it needs %u KiB)"),
                   (guint) ((self->results - best_start + after_results + 1023) / 1024));
      return FALSE;
    }
  self->ring_end = (self->results + MIN (best_end - self->results - STACK_SIZE - KILN_LOADER_BLOCK, (guint32) RING_MAX))
                   & ~1023u;
  self->stack_top = self->ring_end + STACK_SIZE;

  memcpy (code, kiln_flash_loader_code, kiln_flash_loader_code_size);
  self->code_size = (guint32) code_size;
  self->narrow_loaded = narrow;
  /* Else the program part goes up during the first CRC command, and the
   * program command checks it by the words set here, in the code that
   * command's check of the code covers. */
  self->program_end = crc_first ? (guint32) program_end : 0;
  if (crc_first)
    {
      gsize length = program_end - kiln_flash_loader_program_offset;

      self->program_check[0] = (guint32) length;
      self->program_check[1] = kiln_flash_crc32 (0xFFFFFFFF, code + kiln_flash_loader_program_offset, length);
      kiln_stlink_encode_u32 (code + kiln_flash_loader_program_check_offset, self->program_check[0]);
      kiln_stlink_encode_u32 (code + kiln_flash_loader_program_check_offset + 4, self->program_check[1]);
    }
  self->code_crc = kiln_flash_crc32 (0xFFFFFFFF, code, code_size);
  self->code_checked = FALSE;
  /* The code goes up with the first command (kiln_loader_code_bytes()),
   * in one transfer without a status query: that command's first CRC is
   * of the code itself, and a write that did not arrive whole does not
   * start the core. */
  self->code_pending = TRUE;
  self->upload_end = (guint32) code_size;
  return TRUE;
}

guint32
kiln_loader_ring (KilnFlashLoader *self,
                  guint            n_cleared)
{
  return self->results + n_cleared * KILN_LOADER_RESULT_SIZE;
}

guint8 *
kiln_loader_code_bytes (KilnFlashLoader *self,
                        gsize            extra)
{
  guint8 *bytes = g_malloc0 (self->upload_end + extra);

  memcpy (bytes, kiln_flash_loader_code, MIN ((gsize) self->upload_end, kiln_flash_loader_code_size));
  if (self->upload_end >= kiln_flash_loader_program_check_offset + 8)
    {
      kiln_stlink_encode_u32 (bytes + kiln_flash_loader_program_check_offset, self->program_check[0]);
      kiln_stlink_encode_u32 (bytes + kiln_flash_loader_program_check_offset + 4, self->program_check[1]);
    }
  return bytes;
}

/* Uploads the code from @from to @to (offsets, multiples of 4), checked
 * by its status query (the first command's CRC has gone) unless the code
 * checks it (@checked FALSE: the program part); before the first command,
 * with the code (what lies between goes too). */
static gboolean
load_part (KilnFlashLoader  *self,
           gsize             from,
           gsize             to,
           gboolean          checked,
           GError          **error)
{
  g_autofree guint8 *code = NULL;

  if (self->code_pending)
    {
      self->upload_end = MAX (self->upload_end, (guint32) to);
      return TRUE;
    }
  code = g_malloc0 (to - from);

  memcpy (code, kiln_flash_loader_code + from, MIN (to, kiln_flash_loader_code_size) - from);
  if (!checked)
    return kiln_stlink_write_stream_unchecked (self->stlink, self->code + (guint32) from, code, to - from, error);
  return kiln_stlink_write_stream (self->stlink, self->code + (guint32) from, code, to - from, error);
}

gboolean
kiln_loader_load_program (KilnFlashLoader  *self,
                          GError          **error)
{
  if (self->program_end == 0)
    return TRUE;
  if (!load_part (self, self->code_size, self->program_end, FALSE, error))
    return FALSE;
  self->program_end = 0;
  return TRUE;
}

gboolean
kiln_flash_loader_load_narrow (KilnFlashLoader  *self,
                               GError          **error)
{
  if (self->narrow_loaded)
    return TRUE;
  if (!load_part (self, kiln_flash_loader_narrow_offset, kiln_flash_loader_lz4_offset, TRUE, error))
    return FALSE;
  self->narrow_loaded = TRUE;
  return TRUE;
}

gboolean
kiln_flash_loader_load_lz4 (KilnFlashLoader  *self,
                            GError          **error)
{
  if (self->lz4_loaded)
    return TRUE;
  if (!load_part (self, kiln_flash_loader_lz4_offset, (kiln_flash_loader_code_size + 3) & ~(gsize) 3, TRUE, error))
    return FALSE;
  self->lz4_loaded = TRUE;
  return TRUE;
}

void
kiln_flash_loader_set_after (KilnFlashLoader *self,
                             const guint32   *ranges,
                             guint            n)
{
  self->after_ready = FALSE;
  self->n_after = n <= KILN_LOADER_MAX_AFTER ? n : 0;
  if (self->n_after > 0)
    memcpy (self->after_ranges, ranges, 2 * sizeof (guint32) * self->n_after);
}

void
kiln_flash_loader_stop (KilnFlashLoader *self)
{
  if (!self->running)
    return;
  kiln_arm_halt (self->target, NULL);
  self->running = FALSE;
}

gboolean
kiln_flash_loader_reset_run (KilnFlashLoader  *self,
                             gboolean         *reset,
                             GError          **error)
{
  *reset = FALSE;
  if (!self->running || !self->program_ran)
    return TRUE;
  /* The loader's last command ended (DONE), so it waits for the next. */
  self->running = FALSE;
  kiln_arm_target_set_demcr (self->target, FALSE, 0);
  if (!kiln_stlink_write32 (self->stlink, self->params + KILN_LOADER_P_COMMAND, KILN_LOADER_COMMAND_RESET, error))
    return FALSE;
  *reset = TRUE;
  return TRUE;
}
