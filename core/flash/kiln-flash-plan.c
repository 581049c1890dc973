/* kiln-flash-plan.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <lz4.h>
#include <string.h>

#include "kiln-flash-error.h"
#include "kiln-flash-loader.h"
#include "kiln-flash-plan.h"
#include "kiln-flash-units.h"

/* Until the probe is known: an ST-LINK/V2 at 4 MHz. */
#define DEFAULT_PROBE_HW 2
#define DEFAULT_KHZ      4000

/* What neither the flash nor the link hides (tests/bench/RESULTS.md):
 * connecting, uploading and starting the loader, the reset, per job; the
 * on-target CRCs of the comparison and the check, per byte compared (the
 * loader's core at 180 MHz on F7, with the polls that see the end; F2/F4
 * run it at 64 MHz, about twice as long). */
#define FIXED_V2_S         0.030
#define FIXED_V3_S         0.020
#define CRC_SECONDS_PER_MIB 0.005
/* Into a blank sector the loader programs each record once all of it has
 * arrived: the handshake between the link and the flash is not hidden
 * behind an erase, and costs about this share of the shorter of the two
 * (fitted on the bench's modeled time: 5 % while the stream went in
 * commands of 6 KiB, 1 % since it goes in commands of 32 KiB). */
#define LOCKSTEP_SHARE     0.01

struct _KilnFlashPlan
{
  GObject         parent_instance;

  KilnImage      *image;
  KilnChip       *chip;
  KilnFlashPsize  psize;
  GArray         *sectors;     /* KilnFlashPlanSector */
  GArray         *ram;         /* KilnFlashRamPiece */
  guint           probe_hw;
  guint           khz;
  gboolean        compared;
};

G_DEFINE_FINAL_TYPE (KilnFlashPlan, kiln_flash_plan, G_TYPE_OBJECT)

static void
plan_sector_clear (gpointer data)
{
  KilnFlashPlanSector *s = data;

  g_clear_pointer (&s->pieces, g_array_unref);
}

static void
kiln_flash_plan_finalize (GObject *object)
{
  KilnFlashPlan *self = (KilnFlashPlan *) object;

  g_clear_object (&self->image);
  g_clear_object (&self->chip);
  g_clear_pointer (&self->sectors, g_array_unref);
  g_clear_pointer (&self->ram, g_array_unref);

  G_OBJECT_CLASS (kiln_flash_plan_parent_class)->finalize (object);
}

static void
kiln_flash_plan_class_init (KilnFlashPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_flash_plan_finalize;
}

static void
kiln_flash_plan_init (KilnFlashPlan *self)
{
  self->sectors = g_array_new (FALSE, TRUE, sizeof (KilnFlashPlanSector));
  g_array_set_clear_func (self->sectors, plan_sector_clear);
  self->ram = g_array_new (FALSE, TRUE, sizeof (KilnFlashRamPiece));
  self->probe_hw = DEFAULT_PROBE_HW;
  self->khz = DEFAULT_KHZ;
}

static void
update_estimate (KilnFlashPlanSector *s,
                 KilnFlashPsize       psize)
{
  if (s->action == KILN_FLASH_ACTION_PROGRAM)
    {
      s->erase_seconds = s->blank ? 0 : kiln_flash_erase_seconds (s->sector->size, psize);
      s->program_seconds = kiln_flash_program_seconds (s->program_bytes, psize);
    }
  else
    {
      s->erase_seconds = 0;
      s->program_seconds = 0;
    }
}

/* Adds the flash part [axim, axim+size) of a range to the sectors. */
static void
add_flash_piece (KilnFlashPlan *self,
                 guint32        axim,
                 guint32        size,
                 const char    *origin)
{
  while (size > 0)
    {
      int pos = kiln_chip_find_sector (self->chip, axim);
      KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, pos);
      guint32 room = s->sector->address + s->sector->size - axim;
      KilnFlashPiece piece = { axim, MIN (size, room), origin };

      g_assert (pos >= 0);
      g_array_append_val (s->pieces, piece);
      s->bytes += piece.size;
      s->action = KILN_FLASH_ACTION_PROGRAM;
      axim += piece.size;
      size -= piece.size;
    }
}

/* The vector table at the start of flash, when the image has one there: a
 * stack pointer in some chip's SRAM (or an F4's CCM) and a Thumb reset
 * handler in some chip's flash. An image built for a chip with more RAM
 * (an F7 image on an F4, say) is refused here, before anything is erased:
 * the chip would not even start it. Data that merely happens to be at the
 * flash base rarely looks like that and is left alone. */
static gboolean
check_vector_table (KilnFlashPlan  *self,
                    GError        **error)
{
  KilnChip *chip = self->chip;
  guint32 base = kiln_chip_get_flash_base (chip);
  guint8 words[8];
  guint32 sp, reset, ram_end = 0;
  gboolean looks_like_sp, looks_like_reset;

  if (kiln_image_copy_into (self->image, base, sizeof words, words) != sizeof words)
    return TRUE;
  sp = (guint32) words[0] | (guint32) words[1] << 8 | (guint32) words[2] << 16 | (guint32) words[3] << 24;
  reset = (guint32) words[4] | (guint32) words[5] << 8 | (guint32) words[6] << 16 | (guint32) words[7] << 24;
  looks_like_sp = sp % 4 == 0 && (((sp - 1) >> 24) == 0x20 || ((sp - 1) >> 16) == 0x1000);
  looks_like_reset = (reset & 1) && ((reset >> 24) == 0x08 || (reset >> 21) == 0x1);
  if (!looks_like_sp || !looks_like_reset)
    return TRUE;

  for (guint i = 0; i < kiln_chip_get_n_ram (chip); i++)
    {
      const KilnMemRegion *r = kiln_chip_get_ram (chip, i);

      if ((r->address >> 24) == 0x20)
        ram_end = MAX (ram_end, r->address + r->size);
    }
  if (kiln_chip_find_ram (chip, sp - 4, 4) == NULL)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   /* Translators: "blinky.elf needs RAM up to 0x2004FFFF (its initial stack pointer is
                    * 0x20050000), but the chip found is an STM32F407VG, whose RAM ends at 0x2001FFFF: …" */
                   _("%s needs RAM up to 0x%08X (its initial stack pointer is 0x%08X), but the chip found is "
                     "an %s, whose RAM ends at 0x%08X: the file was built for another chip. Build it for the "
                     "%s. Nothing was erased."),
                   kiln_image_get_display_name (self->image), sp - 1, sp, kiln_chip_get_name (chip),
                   ram_end - 1, kiln_chip_get_name (chip));
      return FALSE;
    }
  if (!kiln_chip_is_flash_address (chip, reset & ~1u) && kiln_chip_find_ram (chip, reset & ~1u, 2) == NULL)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   _("%s starts at 0x%08X (its reset handler), which is not in the flash of the chip found, an "
                     "%s (0x%08X–0x%08X): the file was built for another chip. Build it for the %s. Nothing was "
                     "erased."),
                   kiln_image_get_display_name (self->image), reset & ~1u, kiln_chip_get_name (chip), base,
                   base + kiln_chip_get_flash_size (chip) - 1, kiln_chip_get_name (chip));
      return FALSE;
    }
  return TRUE;
}

/* From the image alone: which units of each written sector need
 * programming (not all 0xFF), and what the loader's stream carries for
 * them: per block the shorter of its LZ4 block, as the loader packs it,
 * and the bytes it programs, with the record's header. */
static void
analyse_sectors (KilnFlashPlan *self)
{
  guint unit = kiln_flash_psize_bytes (self->psize);
  int bound = LZ4_compressBound (KILN_LOADER_BLOCK);
  g_autofree char *packed = g_malloc (bound);
  g_autofree guint8 *content = NULL;
  guint32 largest = 0;

  for (guint i = 0; i < self->sectors->len; i++)
    largest = MAX (largest, g_array_index (self->sectors, KilnFlashPlanSector, i).sector->size);
  content = g_malloc (MAX (largest, 1));

  for (guint i = 0; i < self->sectors->len; i++)
    {
      KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, i);

      s->program_bytes = 0;
      s->link_bytes = 0;
      if (s->bytes == 0)
        continue;
      kiln_flash_plan_fill_sector (self, i, content);
      for (guint32 off = 0; off < s->sector->size; off += KILN_LOADER_BLOCK)
        {
          guint32 raw = MIN ((guint32) KILN_LOADER_BLOCK, s->sector->size - off);
          guint32 program = raw - (guint32) kiln_flash_erased_bytes (content + off, raw, unit);
          int n;

          if (program == 0)
            continue;
          n = LZ4_compress_default ((const char *) content + off, packed, (int) raw, bound);
          s->program_bytes += program;
          s->link_bytes += 4 + (n > 0 && (guint32) n <= raw - raw / 16 ? MIN ((guint32) n, program) : program);
        }
      update_estimate (s, self->psize);
    }
}

KilnFlashPlan *
kiln_flash_plan_new (KilnImage       *image,
                     KilnChip        *chip,
                     KilnFlashPsize   psize,
                     GError         **error)
{
  g_autoptr(KilnFlashPlan) self = NULL;
  const char *chip_name;
  guint32 flash_base, flash_size;
  guint64 flash_bytes = 0;

  g_return_val_if_fail (KILN_IS_IMAGE (image), NULL);
  g_return_val_if_fail (KILN_IS_CHIP (chip), NULL);

  self = g_object_new (KILN_TYPE_FLASH_PLAN, NULL);
  self->image = g_object_ref (image);
  self->chip = g_object_ref (chip);
  self->psize = psize;
  chip_name = kiln_chip_get_name (chip);
  flash_base = kiln_chip_get_flash_base (chip);
  flash_size = kiln_chip_get_flash_size (chip);

  for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
    {
      KilnFlashPlanSector s = { 0 };

      s.sector = kiln_chip_get_sector (chip, i);
      s.action = KILN_FLASH_ACTION_UNTOUCHED;
      s.pieces = g_array_new (FALSE, FALSE, sizeof (KilnFlashPiece));
      g_array_append_val (self->sectors, s);
    }

  for (guint i = 0; i < kiln_image_get_n_ranges (image); i++)
    {
      const KilnImageRange *r = kiln_image_get_range (image, i);
      guint64 last = (guint64) r->address + r->size - 1;

      if (kiln_chip_is_flash_address (chip, r->address))
        {
          guint32 axim = kiln_chip_to_axim (chip, r->address);

          if ((guint64) axim + r->size > (guint64) flash_base + flash_size)
            {
              g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                           _("%s (%s) runs from 0x%08X to 0x%08" PRIX64 ", past the end of the %s’s flash at 0x%08X: the image is too big for this chip, or built for another one"),
                           kiln_image_get_display_name (image), r->origin, r->address, last, chip_name,
                           flash_base + flash_size - 1);
              return NULL;
            }
          add_flash_piece (self, axim, r->size, r->origin);
          flash_bytes += r->size;
          continue;
        }

      {
        const KilnMemRegion *ram = kiln_chip_find_ram (chip, r->address, r->size);

        if (ram != NULL)
          {
            KilnFlashRamPiece piece = { r->address, r->size, ram->name, r->origin };

            g_array_append_val (self->ram, piece);
            continue;
          }
      }

      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   _("%s (%s) places data at 0x%08X–0x%08" PRIX64 ", outside the %s’s flash (0x%08X–0x%08X) and RAM: was the firmware linked for another chip?"),
                   kiln_image_get_display_name (image), r->origin, r->address, last, chip_name,
                   flash_base, flash_base + flash_size - 1);
      return NULL;
    }

  if (flash_bytes > flash_size)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   _("%s needs %" PRIu64 " KiB of flash but the %s has %u KiB"),
                   kiln_image_get_display_name (image), flash_bytes / 1024, chip_name, flash_size / 1024);
      return NULL;
    }

  if (!check_vector_table (self, error))
    return NULL;

  analyse_sectors (self);

  return g_steal_pointer (&self);
}

KilnImage *
kiln_flash_plan_get_image (KilnFlashPlan *self)
{
  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), NULL);
  return self->image;
}

KilnChip *
kiln_flash_plan_get_chip (KilnFlashPlan *self)
{
  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), NULL);
  return self->chip;
}

KilnFlashPsize
kiln_flash_plan_get_psize (KilnFlashPlan *self)
{
  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), KILN_FLASH_PSIZE_X8);
  return self->psize;
}

guint
kiln_flash_plan_get_n_sectors (KilnFlashPlan *self)
{
  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), 0);
  return self->sectors->len;
}

const KilnFlashPlanSector *
kiln_flash_plan_get_sector (KilnFlashPlan *self,
                            guint          position)
{
  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), NULL);
  g_return_val_if_fail (position < self->sectors->len, NULL);
  return &g_array_index (self->sectors, KilnFlashPlanSector, position);
}

guint
kiln_flash_plan_get_n_ram_pieces (KilnFlashPlan *self)
{
  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), 0);
  return self->ram->len;
}

const KilnFlashRamPiece *
kiln_flash_plan_get_ram_piece (KilnFlashPlan *self,
                               guint          index)
{
  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), NULL);
  g_return_val_if_fail (index < self->ram->len, NULL);
  return &g_array_index (self->ram, KilnFlashRamPiece, index);
}

void
kiln_flash_plan_set_unchanged (KilnFlashPlan *self,
                               guint          position,
                               gboolean       unchanged)
{
  KilnFlashPlanSector *s;

  g_return_if_fail (KILN_IS_FLASH_PLAN (self));
  g_return_if_fail (position < self->sectors->len);

  s = &g_array_index (self->sectors, KilnFlashPlanSector, position);
  if (s->bytes == 0)
    return;
  s->action = unchanged ? KILN_FLASH_ACTION_SKIP : KILN_FLASH_ACTION_PROGRAM;
  update_estimate (s, self->psize);
}

void
kiln_flash_plan_set_blank (KilnFlashPlan *self,
                           guint          position,
                           gboolean       blank)
{
  KilnFlashPlanSector *s;

  g_return_if_fail (KILN_IS_FLASH_PLAN (self));
  g_return_if_fail (position < self->sectors->len);

  s = &g_array_index (self->sectors, KilnFlashPlanSector, position);
  s->blank = blank;
  update_estimate (s, self->psize);
}

void
kiln_flash_plan_set_compared (KilnFlashPlan *self)
{
  g_return_if_fail (KILN_IS_FLASH_PLAN (self));
  self->compared = TRUE;
}

gboolean
kiln_flash_plan_get_compared (KilnFlashPlan *self)
{
  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), FALSE);
  return self->compared;
}

void
kiln_flash_plan_set_psize (KilnFlashPlan  *self,
                           KilnFlashPsize  psize)
{
  g_return_if_fail (KILN_IS_FLASH_PLAN (self));
  if (psize == self->psize)
    return;
  self->psize = psize;
  analyse_sectors (self);
}

void
kiln_flash_plan_set_link (KilnFlashPlan *self,
                          guint          probe_hw,
                          guint          khz)
{
  g_return_if_fail (KILN_IS_FLASH_PLAN (self));
  self->probe_hw = probe_hw;
  self->khz = khz > 0 ? khz : DEFAULT_KHZ;
}

guint32
kiln_flash_plan_fill_sector (KilnFlashPlan *self,
                             guint          position,
                             guint8        *buffer)
{
  const KilnFlashPlanSector *s;
  guint32 covered = 0;

  g_return_val_if_fail (KILN_IS_FLASH_PLAN (self), 0);
  g_return_val_if_fail (position < self->sectors->len, 0);

  s = &g_array_index (self->sectors, KilnFlashPlanSector, position);
  memset (buffer, 0xFF, s->sector->size);

  /* The image's ranges hold source addresses, which may be in the ITCM
   * alias: copy each range through its AXIM address. */
  for (guint i = 0; i < kiln_image_get_n_ranges (self->image); i++)
    {
      const KilnImageRange *r = kiln_image_get_range (self->image, i);
      guint64 start, end, lo, hi;

      if (!kiln_chip_is_flash_address (self->chip, r->address))
        continue;
      start = kiln_chip_to_axim (self->chip, r->address);
      end = start + r->size;
      lo = MAX (start, (guint64) s->sector->address);
      hi = MIN (end, (guint64) s->sector->address + s->sector->size);
      if (lo >= hi)
        continue;
      memcpy (buffer + (lo - s->sector->address), r->data + (lo - start), hi - lo);
      covered += (guint32) (hi - lo);
    }

  return covered;
}

KilnSectorState
kiln_flash_plan_get_sector_state (KilnFlashPlan *self,
                                  guint          position)
{
  const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (self, position);

  switch (s->action)
    {
    case KILN_FLASH_ACTION_PROGRAM: return KILN_SECTOR_STATE_PLANNED;
    case KILN_FLASH_ACTION_SKIP:    return KILN_SECTOR_STATE_UNCHANGED;
    case KILN_FLASH_ACTION_UNTOUCHED:
    default:                        return KILN_SECTOR_STATE_UNTOUCHED;
    }
}

static guint
count_action (KilnFlashPlan   *self,
              KilnFlashAction  action)
{
  guint n = 0;

  for (guint i = 0; i < self->sectors->len; i++)
    if (g_array_index (self->sectors, KilnFlashPlanSector, i).action == action)
      n++;
  return n;
}

guint
kiln_flash_plan_get_n_program (KilnFlashPlan *self)
{
  return count_action (self, KILN_FLASH_ACTION_PROGRAM);
}

guint
kiln_flash_plan_get_n_skipped (KilnFlashPlan *self)
{
  return count_action (self, KILN_FLASH_ACTION_SKIP);
}

guint
kiln_flash_plan_get_n_untouched (KilnFlashPlan *self)
{
  return count_action (self, KILN_FLASH_ACTION_UNTOUCHED);
}

guint64
kiln_flash_plan_get_erase_bytes (KilnFlashPlan *self)
{
  guint64 n = 0;

  for (guint i = 0; i < self->sectors->len; i++)
    {
      const KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, i);

      if (s->action == KILN_FLASH_ACTION_PROGRAM)
        n += s->sector->size;
    }
  return n;
}

guint64
kiln_flash_plan_get_program_bytes (KilnFlashPlan *self)
{
  guint64 n = 0;

  for (guint i = 0; i < self->sectors->len; i++)
    {
      const KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, i);

      if (s->action == KILN_FLASH_ACTION_PROGRAM)
        n += s->bytes;
    }
  return n;
}

guint64
kiln_flash_plan_get_program_units_bytes (KilnFlashPlan *self)
{
  guint64 n = 0;

  for (guint i = 0; i < self->sectors->len; i++)
    {
      const KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, i);

      if (s->action == KILN_FLASH_ACTION_PROGRAM)
        n += s->program_bytes;
    }
  return n;
}

guint64
kiln_flash_plan_get_link_bytes (KilnFlashPlan *self)
{
  guint64 n = 0;

  for (guint i = 0; i < self->sectors->len; i++)
    {
      const KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, i);

      if (s->action == KILN_FLASH_ACTION_PROGRAM)
        n += s->link_bytes;
    }
  return n;
}

double
kiln_flash_plan_get_flash_seconds (KilnFlashPlan *self)
{
  double busy = 0;

  for (guint i = 0; i < self->sectors->len; i++)
    {
      const KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, i);

      busy += s->erase_seconds + s->program_seconds;
    }
  return busy;
}

double
kiln_flash_plan_get_link_seconds (KilnFlashPlan *self)
{
  return kiln_flash_link_seconds (kiln_flash_plan_get_link_bytes (self), self->probe_hw, self->khz);
}

double
kiln_flash_plan_get_estimated_seconds (KilnFlashPlan *self)
{
  double fixed = self->probe_hw >= 3 ? FIXED_V3_S : FIXED_V2_S;
  double lockstep = 0, fill;
  guint64 compared = 0, written = 0, link_bytes, program_bytes = 0;

  if (kiln_flash_plan_get_n_program (self) == 0)
    return 0;
  for (guint i = 0; i < self->sectors->len; i++)
    {
      const KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, i);

      if (s->bytes > 0)
        compared += s->sector->size;
      if (s->action != KILN_FLASH_ACTION_PROGRAM)
        continue;
      written += s->bytes;
      program_bytes += s->program_bytes;
      if (s->blank)
        lockstep += MIN (s->program_seconds, kiln_flash_link_seconds (s->link_bytes, self->probe_hw, self->khz));
    }
  /* The first block crosses the link before the flash has work, and the
   * last one is programmed after the link is done. */
  link_bytes = kiln_flash_plan_get_link_bytes (self);
  fill = kiln_flash_link_seconds (MIN (link_bytes, (guint64) KILN_LOADER_BLOCK + 4), self->probe_hw, self->khz)
         + kiln_flash_program_seconds (MIN (program_bytes, (guint64) KILN_LOADER_BLOCK), self->psize);
  fixed += (compared + written) / (1024.0 * 1024.0) * CRC_SECONDS_PER_MIB;
  return MAX (kiln_flash_plan_get_flash_seconds (self), kiln_flash_plan_get_link_seconds (self))
         + fill + LOCKSTEP_SHARE * lockstep + fixed;
}

static char *
format_kib (guint64 bytes)
{
  if (bytes % 1024 == 0 || bytes >= 100 * 1024)
    return g_strdup_printf (_("%" PRIu64 " KiB"), (bytes + 512) / 1024);
  return g_strdup_printf (_("%.1f KiB"), bytes / 1024.0);
}

char *
kiln_flash_plan_dup_summary (KilnFlashPlan *self)
{
  guint n_program = kiln_flash_plan_get_n_program (self);
  guint n_skip = kiln_flash_plan_get_n_skipped (self);
  guint n_untouched = kiln_flash_plan_get_n_untouched (self);
  g_autofree char *bytes = format_kib (kiln_flash_plan_get_program_bytes (self));
  g_autoptr(GString) out = g_string_new (NULL);

  if (n_program == 0)
    g_string_append (out, _("Nothing to write"));
  else
    g_string_append_printf (out,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "%u sector will be erased and written (%s)",
                                         "%u sectors will be erased and written (%s)", n_program),
                            n_program, bytes);

  if (n_skip > 0)
    g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, ", %u unchanged", ", %u unchanged", n_skip),
                            n_skip);
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, ", %u untouched", ", %u untouched", n_untouched),
                          n_untouched);
  if (n_program > 0 && self->compared)
    /* Translators: the estimated time of a job, e.g. " · about 2.4 s" */
    g_string_append_printf (out, _(" · about %.1f s"), kiln_flash_plan_get_estimated_seconds (self));
  else if (n_program > 0)
    /* Translators: the estimated time before the target was read, e.g.
     * " · about 2.4 s if no sector is blank (ST-LINK/V2 at 4.0 MHz)" */
    g_string_append_printf (out, _(" · about %.1f s if no sector is blank (ST-LINK/V%u at %.1f MHz)"),
                            kiln_flash_plan_get_estimated_seconds (self), self->probe_hw, self->khz / 1000.0);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
action_id (KilnFlashAction action)
{
  switch (action)
    {
    case KILN_FLASH_ACTION_PROGRAM: return "program";
    case KILN_FLASH_ACTION_SKIP:    return "skip";
    case KILN_FLASH_ACTION_UNTOUCHED:
    default:                        return "untouched";
    }
}

static void
member_int (JsonBuilder *b,
            const char  *name,
            gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
member_string (JsonBuilder *b,
               const char  *name,
               const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value != NULL ? value : "");
}

char *
kiln_flash_plan_to_json (KilnFlashPlan *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  KilnChip *chip = self->chip;

  json_builder_begin_object (b);
  member_string (b, "file", kiln_image_get_display_name (self->image));
  member_string (b, "format", kiln_image_format_to_string (kiln_image_get_format (self->image)));
  member_string (b, "chip", kiln_chip_get_name (chip));
  member_int (b, "dev_id", kiln_chip_get_dev_id (chip));
  member_int (b, "flash_size", kiln_chip_get_flash_size (chip));
  json_builder_set_member_name (b, "dual_bank");
  json_builder_add_boolean_value (b, kiln_chip_is_dual_bank (chip));
  member_string (b, "psize", kiln_flash_psize_to_string (self->psize));

  json_builder_set_member_name (b, "ranges");
  json_builder_begin_array (b);
  for (guint i = 0; i < kiln_image_get_n_ranges (self->image); i++)
    {
      const KilnImageRange *r = kiln_image_get_range (self->image, i);

      json_builder_begin_object (b);
      member_int (b, "address", r->address);
      member_int (b, "size", r->size);
      member_string (b, "origin", r->origin);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "segments");
  json_builder_begin_array (b);
  for (guint i = 0; i < kiln_image_get_n_segments (self->image); i++)
    {
      const KilnImageSegment *s = kiln_image_get_segment (self->image, i);

      json_builder_begin_object (b);
      member_string (b, "name", s->name);
      member_int (b, "address", s->address);
      member_int (b, "size", s->size);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "sectors");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->sectors->len; i++)
    {
      const KilnFlashPlanSector *s = &g_array_index (self->sectors, KilnFlashPlanSector, i);

      json_builder_begin_object (b);
      member_int (b, "sector", s->sector->index);
      member_int (b, "snb", s->sector->snb);
      member_int (b, "bank", s->sector->bank);
      member_int (b, "address", s->sector->address);
      member_int (b, "size", s->sector->size);
      member_string (b, "action", action_id (s->action));
      member_int (b, "bytes", s->bytes);
      json_builder_set_member_name (b, "seconds");
      kiln_json_builder_add_fixed (b, s->erase_seconds + s->program_seconds, 3);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "ram_segments");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->ram->len; i++)
    {
      const KilnFlashRamPiece *p = &g_array_index (self->ram, KilnFlashRamPiece, i);

      json_builder_begin_object (b);
      member_int (b, "address", p->address);
      member_int (b, "size", p->size);
      member_string (b, "region", p->region);
      member_string (b, "origin", p->origin);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  member_int (b, "sectors_program", kiln_flash_plan_get_n_program (self));
  member_int (b, "sectors_skipped", kiln_flash_plan_get_n_skipped (self));
  member_int (b, "sectors_untouched", kiln_flash_plan_get_n_untouched (self));
  member_int (b, "erase_bytes", (gint64) kiln_flash_plan_get_erase_bytes (self));
  member_int (b, "program_bytes", (gint64) kiln_flash_plan_get_program_bytes (self));
  json_builder_set_member_name (b, "estimated_seconds");
  kiln_json_builder_add_fixed (b, kiln_flash_plan_get_estimated_seconds (self), 3);
  /* What the estimate rests on: the bytes to program and carry, the probe,
   * and whether the target was read (before that, no sector is blank). */
  member_int (b, "program_units_bytes", (gint64) kiln_flash_plan_get_program_units_bytes (self));
  member_int (b, "link_bytes", (gint64) kiln_flash_plan_get_link_bytes (self));
  json_builder_set_member_name (b, "flash_seconds");
  kiln_json_builder_add_fixed (b, kiln_flash_plan_get_flash_seconds (self), 3);
  json_builder_set_member_name (b, "link_seconds");
  kiln_json_builder_add_fixed (b, kiln_flash_plan_get_link_seconds (self), 3);
  member_int (b, "estimate_probe", self->probe_hw);
  member_int (b, "estimate_swd_khz", self->khz);
  json_builder_set_member_name (b, "estimate_blank_known");
  json_builder_add_boolean_value (b, self->compared);
  json_builder_end_object (b);
  return kiln_json_builder_to_line (b);
}
