/* kiln-arm-target.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-arm-target.h"

#define DBGMCU_IDCODE 0xE0042000u
#define CPUID         0xE000ED00u
#define DEMCR         0xE000EDFCu
#define OPTCR_OFFSET  0x14u
#define OPTCR1_OFFSET 0x18u

struct _KilnArmTarget
{
  GObject     parent_instance;

  KilnStlink *stlink;
  KilnChip   *chip;
  guint16     dev_id;
  const char *revision;
  guint32     cpuid;
  char       *uid;
  guint16     package;
  guint32     optcr;
  guint32     optcr1;
  gboolean    demcr_known;
  guint32     demcr;
  gboolean    demcr_seen;  /* read as the target was identified */
  guint32     demcr_seen_value;
  gboolean    fresh;       /* halted since Kiln's reset, nothing ran */
  gboolean    supply_known;
  double      supply;
};

G_DEFINE_FINAL_TYPE (KilnArmTarget, kiln_arm_target, G_TYPE_OBJECT)

static void
kiln_arm_target_finalize (GObject *object)
{
  KilnArmTarget *self = (KilnArmTarget *) object;

  g_clear_object (&self->stlink);
  g_clear_object (&self->chip);
  g_free (self->uid);
  G_OBJECT_CLASS (kiln_arm_target_parent_class)->finalize (object);
}

static void
kiln_arm_target_class_init (KilnArmTargetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_arm_target_finalize;
}

static void
kiln_arm_target_init (KilnArmTarget *self)
{
}

KilnArmTarget *
kiln_arm_target_new (KilnStlink *stlink)
{
  KilnArmTarget *self = g_object_new (KILN_TYPE_ARM_TARGET, NULL);

  self->stlink = g_object_ref (stlink);
  return self;
}

KilnStlink *
kiln_arm_target_get_stlink (KilnArmTarget *self)
{
  return self->stlink;
}

gboolean
kiln_arm_target_detect (KilnArmTarget  *self,
                        GError        **error)
{
  const KilnChipLine *line;
  guint32 idcode, fsize_word, uid[3], package_word = 0;
  guint flash_kib;
  gboolean dual = FALSE;
  g_autoptr(GError) local_error = NULL;

  if (!kiln_stlink_read32 (self->stlink, DBGMCU_IDCODE, &idcode, error))
    return FALSE;

  self->dev_id = idcode & 0xFFF;
  line = kiln_chip_db_find_line (self->dev_id);
  if (line == NULL)
    {
      g_set_error (error, KILN_ARM_ERROR, KILN_ARM_ERROR_UNKNOWN_CHIP,
                   _("The target reports device ID 0x%03X (DBGMCU_IDCODE 0x%08X), which Kiln does not know: "
                     "it supports STM32F2, F4 and F7"), self->dev_id, idcode);
      return FALSE;
    }
  self->revision = kiln_chip_line_revision_name (line, idcode >> 16);

  /* The rest in one batch (two round trips instead of nine); DEMCR for
   * the reset that usually follows; the package register is not on every
   * part, so it comes last. */
  {
    KilnStlinkWord words[] = {
      { CPUID, 0, FALSE, FALSE },
      { line->flash_size_reg & ~3u, 0, FALSE, FALSE },
      { line->uid_reg, 0, FALSE, FALSE },
      { line->uid_reg + 4, 0, FALSE, FALSE },
      { line->uid_reg + 8, 0, FALSE, FALSE },
      { line->flash_regs + OPTCR_OFFSET, 0, FALSE, FALSE },
      { line->flash_regs + OPTCR1_OFFSET, 0, FALSE, FALSE },
      { DEMCR, 0, FALSE, FALSE },
      { line->package_reg & ~3u, 0, FALSE, TRUE },
    };

    if (!kiln_stlink_words (self->stlink, words, G_N_ELEMENTS (words) - (line->package_reg == 0), error))
      return FALSE;
    self->cpuid = words[0].value;
    fsize_word = words[1].value;
    for (guint i = 0; i < 3; i++)
      uid[i] = GUINT32_TO_LE (words[2 + i].value);
    self->optcr = words[5].value;
    self->optcr1 = words[6].value;
    self->demcr_seen = TRUE;
    self->demcr_seen_value = words[7].value;
    if (line->package_reg != 0)
      package_word = words[8].value;
  }

  flash_kib = (fsize_word >> (8 * (line->flash_size_reg & 3))) & 0xFFFF;
  /* An unprogrammed flash-size register: assume the line's largest part. */
  if (flash_kib == 0 || flash_kib == 0xFFFF)
    flash_kib = line->max_flash_kib;
  if (line->dual_bank == KILN_DUAL_BANK_OPTION)
    dual = !(self->optcr & (1u << 29));
  else if (line->dual_bank == KILN_DUAL_BANK_2M)
    dual = (self->optcr & (1u << 30)) != 0;  /* DB1M: counts on 1 MiB parts only */

  g_free (self->uid);
  self->uid = g_strdup_printf ("%08X%08X%08X", GUINT32_FROM_LE (uid[2]), GUINT32_FROM_LE (uid[1]),
                               GUINT32_FROM_LE (uid[0]));
  self->package = (guint16) (package_word >> (8 * (line->package_reg & 3)));

  g_clear_object (&self->chip);
  self->chip = kiln_chip_new (line, flash_kib, dual, &local_error);
  if (self->chip == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

KilnChip *
kiln_arm_target_get_chip (KilnArmTarget *self)
{
  return self->chip;
}

guint16
kiln_arm_target_get_dev_id (KilnArmTarget *self)
{
  return self->dev_id;
}

const char *
kiln_arm_target_get_revision (KilnArmTarget *self)
{
  return self->revision;
}

guint32
kiln_arm_target_get_cpuid (KilnArmTarget *self)
{
  return self->cpuid;
}

const char *
kiln_arm_target_get_uid (KilnArmTarget *self)
{
  return self->uid;
}

guint16
kiln_arm_target_get_package (KilnArmTarget *self)
{
  return self->package;
}

guint
kiln_arm_target_get_rdp_level (KilnArmTarget *self)
{
  guint rdp = (self->optcr >> 8) & 0xFF;

  return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

guint32
kiln_arm_target_get_optcr (KilnArmTarget *self)
{
  return self->optcr;
}

guint32
kiln_arm_target_get_optcr1 (KilnArmTarget *self)
{
  return self->optcr1;
}

GArray *
kiln_arm_target_dup_protected (KilnArmTarget *self)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  const KilnChipLine *line = kiln_chip_get_line (self->chip);
  gboolean dual = kiln_chip_is_dual_bank (self->chip);

  for (guint i = 0; i < kiln_chip_get_n_sectors (self->chip); i++)
    {
      const KilnSector *s = kiln_chip_get_sector (self->chip, i);
      /* Dual bank on F76x: nWRP[i] covers sectors 2i and 2i+1. */
      guint bit = dual && line->dual_bank == KILN_DUAL_BANK_OPTION ? s->index / 2 : s->index;

      /* F42x: bank 2's sectors (12–23) have their nWRP bits in OPTCR1. */
      if (line->dual_bank == KILN_DUAL_BANK_2M && s->bank == 2)
        {
          if (s->index >= 12 && !(self->optcr1 & (1u << (16 + s->index - 12))))
            g_array_append_val (out, i);
          continue;
        }
      if (bit < line->nwrp_bits && !(self->optcr & (1u << (16 + bit))))
        g_array_append_val (out, i);
    }
  return out;
}

gboolean
kiln_arm_target_get_demcr (KilnArmTarget *self,
                           guint32       *demcr)
{
  *demcr = self->demcr;
  return self->demcr_known;
}

void
kiln_arm_target_set_demcr (KilnArmTarget *self,
                           gboolean       known,
                           guint32        demcr)
{
  self->demcr_known = known;
  self->demcr = demcr;
  self->fresh = FALSE;
  /* The firmware runs again: what was read before may have changed. */
  if (!known)
    self->demcr_seen = FALSE;
}

void
kiln_arm_target_set_fresh (KilnArmTarget *self)
{
  self->fresh = TRUE;
}

gboolean
kiln_arm_target_get_fresh (KilnArmTarget *self)
{
  return self->fresh;
}

gboolean
kiln_arm_target_take_seen_demcr (KilnArmTarget *self,
                                 guint32       *demcr)
{
  if (!self->demcr_seen)
    return FALSE;
  self->demcr_seen = FALSE;
  *demcr = self->demcr_seen_value;
  return TRUE;
}

void
kiln_arm_target_set_supply (KilnArmTarget *self,
                            double         volts)
{
  self->supply_known = TRUE;
  self->supply = volts;
}

gboolean
kiln_arm_target_take_supply (KilnArmTarget *self,
                             double        *volts)
{
  if (!self->supply_known)
    return FALSE;
  self->supply_known = FALSE;
  *volts = self->supply;
  return TRUE;
}
