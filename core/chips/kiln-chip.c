/* kiln-chip.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-chip.h"

struct _KilnChip
{
  GObject             parent_instance;

  const KilnChipLine *line;
  char               *name;
  guint               flash_kib;
  gboolean            dual_bank;
  GArray             *sectors;   /* KilnSector */
  guint               n_ram;
};

G_DEFINE_FINAL_TYPE (KilnChip, kiln_chip, G_TYPE_OBJECT)

static void
kiln_chip_finalize (GObject *object)
{
  KilnChip *self = (KilnChip *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->sectors, g_array_unref);

  G_OBJECT_CLASS (kiln_chip_parent_class)->finalize (object);
}

static void
kiln_chip_class_init (KilnChipClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_chip_finalize;
}

static void
kiln_chip_init (KilnChip *self)
{
  self->sectors = g_array_new (FALSE, TRUE, sizeof (KilnSector));
}

/* Lays out sectors from @runs starting at @address until @size_kib is used. */
static void
lay_out (KilnChip            *self,
         const KilnSectorRun *runs,
         guint32              address,
         guint                size_kib,
         guint                first_index,
         guint                first_snb,
         guint                bank)
{
  guint used = 0, n = 0;

  for (guint r = 0; r < KILN_CHIP_MAX_RUNS && runs[r].count > 0; r++)
    {
      for (guint i = 0; i < runs[r].count && used + runs[r].size_kib <= size_kib; i++)
        {
          KilnSector s;

          s.index = first_index + n;
          s.snb = first_snb + n;
          s.address = address + used * 1024;
          s.size = runs[r].size_kib * 1024;
          s.bank = bank;
          g_array_append_val (self->sectors, s);
          used += runs[r].size_kib;
          n++;
        }
    }
}

KilnChip *
kiln_chip_new (const KilnChipLine  *line,
               guint                flash_kib,
               gboolean             dual_bank,
               GError             **error)
{
  g_autoptr(KilnChip) self = NULL;

  g_return_val_if_fail (line != NULL, NULL);

  if (flash_kib == 0 || flash_kib > line->max_flash_kib)
    flash_kib = line->max_flash_kib;

  switch (line->dual_bank)
    {
    case KILN_DUAL_BANK_NONE:
      if (dual_bank)
        {
          g_set_error (error, KILN_CHIPS_ERROR, KILN_CHIPS_ERROR_UNKNOWN_CHIP,
                       _("The %s line has a single flash bank: dual-bank mode does not apply"), line->line);
          return NULL;
        }
      break;
    case KILN_DUAL_BANK_2M:
      /* Two banks at 2 MiB; at 1 MiB only with OPTCR.DB1M (RM0090). */
      dual_bank = flash_kib == 2048 || (flash_kib == 1024 && dual_bank);
      break;
    case KILN_DUAL_BANK_OPTION:
    default:
      break;
    }

  self = g_object_new (KILN_TYPE_CHIP, NULL);
  self->line = line;
  self->name = g_strdup (line->line);
  self->flash_kib = flash_kib;
  self->dual_bank = dual_bank;

  if (dual_bank)
    {
      guint half = flash_kib / 2;

      lay_out (self, line->dual, KILN_CHIP_FLASH_BASE, half, 0, 0, 1);
      lay_out (self, line->dual, KILN_CHIP_FLASH_BASE + half * 1024, half, 12, 0x10, 2);
    }
  else
    lay_out (self, line->single, KILN_CHIP_FLASH_BASE, flash_kib, 0, 0, 1);

  for (self->n_ram = 0; self->n_ram < KILN_CHIP_MAX_RAM && line->ram[self->n_ram].name != NULL; self->n_ram++)
    ;

  return g_steal_pointer (&self);
}

KilnChip *
kiln_chip_new_for_dev_id (guint16    dev_id,
                          guint      flash_kib,
                          gboolean   dual_bank,
                          GError   **error)
{
  const KilnChipLine *line = kiln_chip_db_find_line (dev_id);

  if (line == NULL)
    {
      g_set_error (error, KILN_CHIPS_ERROR, KILN_CHIPS_ERROR_UNKNOWN_CHIP,
                   _("The chip reports device ID 0x%03X, which Kiln does not know: it supports STM32F2, F4 and F7"),
                   dev_id);
      return NULL;
    }
  return kiln_chip_new (line, flash_kib, dual_bank, error);
}

KilnChip *
kiln_chip_new_for_part (const char  *part,
                        gboolean     dual_bank,
                        GError     **error)
{
  const KilnChipPart *p = kiln_chip_db_find_part (part);
  KilnChip *self;

  if (p == NULL)
    {
      g_set_error (error, KILN_CHIPS_ERROR, KILN_CHIPS_ERROR_UNKNOWN_CHIP,
                   _("“%s” is not a chip Kiln knows; try a part number such as STM32F746NG, STM32F767ZI or STM32F722RE"),
                   part);
      return NULL;
    }

  self = kiln_chip_new (kiln_chip_db_find_line (p->dev_id), p->flash_kib, dual_bank, error);
  if (self != NULL)
    {
      g_free (self->name);
      self->name = g_strdup (p->name);
    }
  return self;
}

const char *
kiln_chip_get_name (KilnChip *self)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), NULL);
  return self->name;
}

const KilnChipLine *
kiln_chip_get_line (KilnChip *self)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), NULL);
  return self->line;
}

guint16
kiln_chip_get_dev_id (KilnChip *self)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), 0);
  return self->line->dev_id;
}

guint
kiln_chip_get_flash_kib (KilnChip *self)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), 0);
  return self->flash_kib;
}

guint32
kiln_chip_get_flash_base (KilnChip *self)
{
  return KILN_CHIP_FLASH_BASE;
}

guint32
kiln_chip_get_flash_size (KilnChip *self)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), 0);
  return self->flash_kib * 1024;
}

gboolean
kiln_chip_is_dual_bank (KilnChip *self)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), FALSE);
  return self->dual_bank;
}

guint
kiln_chip_get_n_sectors (KilnChip *self)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), 0);
  return self->sectors->len;
}

const KilnSector *
kiln_chip_get_sector (KilnChip *self,
                      guint     position)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), NULL);
  g_return_val_if_fail (position < self->sectors->len, NULL);
  return &g_array_index (self->sectors, KilnSector, position);
}

guint32
kiln_chip_to_axim (KilnChip *self,
                   guint32   address)
{
  guint32 itcm = self->line->itcm_flash;

  if (itcm != 0 && address >= itcm && address - itcm < kiln_chip_get_flash_size (self))
    return address - itcm + KILN_CHIP_FLASH_BASE;
  return address;
}

gboolean
kiln_chip_is_flash_address (KilnChip *self,
                            guint32   address)
{
  address = kiln_chip_to_axim (self, address);
  return address >= KILN_CHIP_FLASH_BASE && address - KILN_CHIP_FLASH_BASE < kiln_chip_get_flash_size (self);
}

int
kiln_chip_find_sector (KilnChip *self,
                       guint32   address)
{
  guint lo = 0, hi;

  g_return_val_if_fail (KILN_IS_CHIP (self), -1);

  address = kiln_chip_to_axim (self, address);
  hi = self->sectors->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      const KilnSector *s = &g_array_index (self->sectors, KilnSector, mid);

      if (address < s->address)
        hi = mid;
      else if (address - s->address >= s->size)
        lo = mid + 1;
      else
        return (int) mid;
    }
  return -1;
}

const KilnMemRegion *
kiln_chip_find_ram (KilnChip *self,
                    guint32   address,
                    guint32   size)
{
  for (guint i = 0; i < self->n_ram; i++)
    {
      const KilnMemRegion *r = &self->line->ram[i];

      if (address >= r->address && address - r->address < r->size && size <= r->size - (address - r->address))
        return r;
    }
  return NULL;
}

guint
kiln_chip_get_n_ram (KilnChip *self)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), 0);
  return self->n_ram;
}

const KilnMemRegion *
kiln_chip_get_ram (KilnChip *self,
                   guint     index)
{
  g_return_val_if_fail (KILN_IS_CHIP (self), NULL);
  g_return_val_if_fail (index < self->n_ram, NULL);
  return &self->line->ram[index];
}

guint32
kiln_chip_get_ram_total (KilnChip *self)
{
  guint32 total = 0;

  for (guint i = 0; i < self->n_ram; i++)
    total += self->line->ram[i].size;
  return total;
}
