/* kiln-flash-option-bytes.c — FLASH_OPTCR/OPTCR1 in words, and changing them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-flash-controller.h"
#include "kiln-flash-ops.h"
#include "kiln-flash-option-bytes.h"
#include "kiln-flash-plan.h"

#define OPTCR_BOR_SHIFT   2
#define OPTCR_WWDG_SW     (1u << 4)
#define OPTCR_IWDG_SW     (1u << 5)
#define OPTCR_NRST_STOP   (1u << 6)
#define OPTCR_NRST_STDBY  (1u << 7)
#define OPTCR_RDP_SHIFT   8
#define OPTCR_NWRP_SHIFT  16
#define OPTCR_NDBOOT      (1u << 28)
#define OPTCR_NDBANK      (1u << 29)
#define OPTCR_IWDG_STDBY  (1u << 30)
#define OPTCR_IWDG_STOP   (1u << 31)

#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu


gboolean
kiln_option_bytes_has_f7_fields (const KilnOptionBytes *self)
{
  return self->line->has_boot_add;
}

gboolean
kiln_option_bytes_has_ndbank (const KilnOptionBytes *self)
{
  return self->line->dual_bank == KILN_DUAL_BANK_OPTION;
}

static guint32
nwrp_mask (const KilnChipLine *line)
{
  return (1u << line->nwrp_bits) - 1;
}

void
kiln_option_bytes_decode (KilnOptionBytes    *self,
                          const KilnChipLine *line,
                          guint32             optcr,
                          guint32             optcr1)
{
  memset (self, 0, sizeof *self);
  self->line = line;
  self->optcr = optcr & ~(KILN_FLASH_OPTCR_OPTLOCK | KILN_FLASH_OPTCR_OPTSTRT);
  self->optcr1 = optcr1;
  self->rdp = (optcr >> OPTCR_RDP_SHIFT) & 0xFF;
  self->nwrp = (optcr >> OPTCR_NWRP_SHIFT) & nwrp_mask (line);
  self->nwrp2 = line->dual_bank == KILN_DUAL_BANK_2M ? (optcr1 >> 16) & 0xFFF : 0xFFF;
  self->bor = (optcr >> OPTCR_BOR_SHIFT) & 3;
  self->iwdg_sw = (optcr & OPTCR_IWDG_SW) != 0;
  self->nrst_stop = (optcr & OPTCR_NRST_STOP) != 0;
  self->nrst_stdby = (optcr & OPTCR_NRST_STDBY) != 0;
  if (line->has_boot_add)
    {
      self->wwdg_sw = (optcr & OPTCR_WWDG_SW) != 0;
      self->iwdg_stop = (optcr & OPTCR_IWDG_STOP) != 0;
      self->iwdg_stdby = (optcr & OPTCR_IWDG_STDBY) != 0;
      self->boot_add0 = (optcr1 & 0xFFFF) << 14;
      self->boot_add1 = (optcr1 >> 16) << 14;
    }
  self->ndbank = TRUE;
  self->ndboot = TRUE;
  if (line->dual_bank == KILN_DUAL_BANK_OPTION)
    {
      self->ndbank = (optcr & OPTCR_NDBANK) != 0;
      self->ndboot = (optcr & OPTCR_NDBOOT) != 0;
    }
}

static guint32
put (guint32  reg,
     guint32  bit,
     gboolean on)
{
  return on ? reg | bit : reg & ~bit;
}

void
kiln_option_bytes_encode (KilnOptionBytes *self)
{
  const KilnChipLine *line = self->line;
  guint32 r = self->optcr;

  r &= ~(3u << OPTCR_BOR_SHIFT);
  r |= (guint32) self->bor << OPTCR_BOR_SHIFT;
  r = put (r, OPTCR_IWDG_SW, self->iwdg_sw);
  r = put (r, OPTCR_NRST_STOP, self->nrst_stop);
  r = put (r, OPTCR_NRST_STDBY, self->nrst_stdby);
  r &= ~(0xFFu << OPTCR_RDP_SHIFT);
  r |= (guint32) self->rdp << OPTCR_RDP_SHIFT;
  r &= ~(nwrp_mask (line) << OPTCR_NWRP_SHIFT);
  r |= (self->nwrp & nwrp_mask (line)) << OPTCR_NWRP_SHIFT;
  if (line->has_boot_add)
    {
      r = put (r, OPTCR_WWDG_SW, self->wwdg_sw);
      r = put (r, OPTCR_IWDG_STOP, self->iwdg_stop);
      r = put (r, OPTCR_IWDG_STDBY, self->iwdg_stdby);
      self->optcr1 = ((self->boot_add1 >> 14) << 16) | ((self->boot_add0 >> 14) & 0xFFFF);
    }
  if (line->dual_bank == KILN_DUAL_BANK_OPTION)
    {
      r = put (r, OPTCR_NDBANK, self->ndbank);
      r = put (r, OPTCR_NDBOOT, self->ndboot);
    }
  if (line->dual_bank == KILN_DUAL_BANK_2M)
    self->optcr1 = (self->optcr1 & ~(0xFFFu << 16)) | ((self->nwrp2 & 0xFFF) << 16);
  self->optcr = r & ~(KILN_FLASH_OPTCR_OPTLOCK | KILN_FLASH_OPTCR_OPTSTRT);
}

guint
kiln_option_bytes_get_rdp_level (const KilnOptionBytes *self)
{
  return self->rdp == 0xAA ? 0 : self->rdp == 0xCC ? 2 : 1;
}

/* Which register field and bit guard the sector: FALSE for none. */
static gboolean
wrp_bit (const KilnOptionBytes *self,
         KilnChip              *chip,
         guint                  position,
         gboolean              *in_optcr1,
         guint                 *bit)
{
  const KilnSector *s = kiln_chip_get_sector (chip, position);
  gboolean dual = kiln_chip_is_dual_bank (chip);

  *in_optcr1 = FALSE;
  if (dual && self->line->dual_bank == KILN_DUAL_BANK_OPTION)
    *bit = s->index / 2;
  else if (dual && self->line->dual_bank == KILN_DUAL_BANK_2M && s->index >= 12)
    {
      *in_optcr1 = TRUE;
      *bit = s->index - 12;
      return *bit < 12;
    }
  else
    *bit = s->index;
  return *bit < self->line->nwrp_bits;
}

gboolean
kiln_option_bytes_is_sector_protected (const KilnOptionBytes *self,
                                       KilnChip              *chip,
                                       guint                  position)
{
  gboolean in_optcr1;
  guint bit;

  if (!wrp_bit (self, chip, position, &in_optcr1, &bit))
    return FALSE;
  return !(((in_optcr1 ? self->nwrp2 : self->nwrp) >> bit) & 1);
}

void
kiln_option_bytes_set_sector_protected (KilnOptionBytes *self,
                                        KilnChip        *chip,
                                        guint            position,
                                        gboolean         protect)
{
  gboolean in_optcr1;
  guint bit;
  guint32 *field;

  if (!wrp_bit (self, chip, position, &in_optcr1, &bit))
    return;
  field = in_optcr1 ? &self->nwrp2 : &self->nwrp;
  *field = protect ? *field & ~(1u << bit) : *field | (1u << bit);
}

GArray *
kiln_option_bytes_dup_protected (const KilnOptionBytes *self,
                                 KilnChip              *chip)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
    if (kiln_option_bytes_is_sector_protected (self, chip, i))
      g_array_append_val (out, i);
  return out;
}

/* ------------------------------------------------------------------ */
/* Words                                                                */

static const char *
rdp_words (guint level)
{
  switch (level)
    {
    case 0:  return _("level 0 (no read protection)");
    case 1:  return _("level 1 (a debugger cannot read the flash)");
    default: return _("level 2 (debugging disabled for good)");
    }
}

static const char *
bor_words (KilnBorLevel bor)
{
  switch (bor)
    {
    case KILN_BOR_LEVEL_3: return _("level 3 (reset below 2.70 V)");
    case KILN_BOR_LEVEL_2: return _("level 2 (reset below 2.40 V)");
    case KILN_BOR_LEVEL_1: return _("level 1 (reset below 2.10 V)");
    default:               return _("off (power-on/power-down reset only, about 1.7 V)");
    }
}

static char *
boot_words (guint32 address)
{
  const char *what = NULL;

  switch (address)
    {
    case 0x00000000: what = _("ITCM RAM"); break;
    case 0x00100000: what = _("system memory: ST bootloader"); break;
    case 0x00200000: what = _("flash through ITCM"); break;
    case 0x08000000: what = _("flash through AXIM"); break;
    case 0x20000000: what = _("DTCM RAM"); break;
    default: break;
    }
  return what ? g_strdup_printf ("0x%08X (%s)", address, what) : g_strdup_printf ("0x%08X", address);
}

/* "0, 1, 4" from sector positions. */
static char *
sector_list (KilnChip *chip,
             GArray   *positions)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < positions->len; i++)
    g_string_append_printf (out, "%s%u", i ? ", " : "",
                            kiln_chip_get_sector (chip, g_array_index (positions, guint, i))->index);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
yes_no_reset (gboolean no_reset)
{
  return no_reset ? _("no reset") : _("the chip resets");
}

char *
kiln_option_bytes_describe (const KilnOptionBytes *self,
                            KilnChip              *chip)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) prot = kiln_option_bytes_dup_protected (self, chip);
  g_autofree char *list = sector_list (chip, prot);

  g_string_append_printf (out, _("Read protection (RDP 0x%02X):   %s\n"), self->rdp,
                          rdp_words (kiln_option_bytes_get_rdp_level (self)));
  g_string_append_printf (out, _("Write-protected sectors:      %s\n"), prot->len ? list : _("none"));
  if (kiln_option_bytes_has_ndbank (self))
    {
      g_string_append_printf (out, _("Bank mode (nDBANK):           %s\n"),
                              self->ndbank ? _("single bank") : _("dual bank"));
      g_string_append_printf (out, _("Dual boot (nDBOOT):           %s\n"), self->ndboot ? _("off") : _("on"));
    }
  if (kiln_option_bytes_has_f7_fields (self))
    {
      g_autofree char *b0 = boot_words (self->boot_add0);
      g_autofree char *b1 = boot_words (self->boot_add1);

      g_string_append_printf (out, _("Boot address, BOOT0 low:      %s\n"), b0);
      g_string_append_printf (out, _("Boot address, BOOT0 high:     %s\n"), b1);
    }
  g_string_append_printf (out, _("Brown-out reset:              %s\n"), bor_words (self->bor));
  g_string_append_printf (out, _("Independent watchdog:         %s\n"),
                          self->iwdg_sw ? _("started by software") : _("hardware: runs from reset"));
  if (kiln_option_bytes_has_f7_fields (self))
    {
      g_string_append_printf (out, _("Window watchdog:              %s\n"),
                              self->wwdg_sw ? _("started by software") : _("hardware: runs from reset"));
      g_string_append_printf (out, _("IWDG in Stop mode:            %s\n"),
                              self->iwdg_stop ? _("keeps counting") : _("frozen"));
      g_string_append_printf (out, _("IWDG in Standby mode:         %s\n"),
                              self->iwdg_stdby ? _("keeps counting") : _("frozen"));
    }
  g_string_append_printf (out, _("Entering Stop mode:           %s\n"), yes_no_reset (self->nrst_stop));
  g_string_append_printf (out, _("Entering Standby mode:        %s\n"), yes_no_reset (self->nrst_stdby));
  g_string_append_printf (out, _("Registers:                    OPTCR 0x%08X, OPTCR1 0x%08X\n"), self->optcr,
                          self->optcr1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
json_bool (gboolean v)
{
  return v ? "true" : "false";
}

char *
kiln_option_bytes_to_json (const KilnOptionBytes *self,
                           KilnChip              *chip)
{
  static const char *bor_ids[] = { "3", "2", "1", "off" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) prot = kiln_option_bytes_dup_protected (self, chip);

  for (guint i = 0; i < prot->len; i++)
    g_array_index (prot, guint, i) = kiln_chip_get_sector (chip, g_array_index (prot, guint, i))->index;
  g_string_append_printf (out, "{\"optcr\":%u,\"optcr1\":%u,\"rdp\":%u,\"rdp_level\":%u,\"protected_sectors\":[",
                          self->optcr, self->optcr1, self->rdp, kiln_option_bytes_get_rdp_level (self));
  for (guint i = 0; i < prot->len; i++)
    g_string_append_printf (out, "%s%u", i ? "," : "", g_array_index (prot, guint, i));
  g_string_append_printf (out, "],\"nwrp\":%u,\"bor\":\"%s\",\"iwdg_sw\":%s,\"nrst_stop\":%s,\"nrst_stdby\":%s",
                          self->nwrp, bor_ids[self->bor & 3], json_bool (self->iwdg_sw), json_bool (self->nrst_stop),
                          json_bool (self->nrst_stdby));
  if (kiln_option_bytes_has_f7_fields (self))
    g_string_append_printf (out, ",\"wwdg_sw\":%s,\"iwdg_stop\":%s,\"iwdg_stdby\":%s,\"boot_add0\":%u,\"boot_add1\":%u",
                            json_bool (self->wwdg_sw), json_bool (self->iwdg_stop), json_bool (self->iwdg_stdby),
                            self->boot_add0, self->boot_add1);
  if (kiln_option_bytes_has_ndbank (self))
    g_string_append_printf (out, ",\"dual_bank\":%s,\"dual_boot\":%s", json_bool (!self->ndbank),
                            json_bool (!self->ndboot));
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
add_change (GPtrArray  *out,
            const char *what,
            const char *from,
            const char *to)
{
  /* Translators: an option byte change, "Read protection: level 0 → level 1" */
  g_ptr_array_add (out, g_strdup_printf (_("%s: %s → %s"), what, from, to));
}

GPtrArray *
kiln_option_bytes_dup_changes (const KilnOptionBytes *from,
                               const KilnOptionBytes *to,
                               KilnChip              *chip)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  guint l0 = kiln_option_bytes_get_rdp_level (from), l1 = kiln_option_bytes_get_rdp_level (to);

  if (from->rdp != to->rdp)
    add_change (out, _("Read protection"), rdp_words (l0), rdp_words (l1));
  for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
    {
      gboolean a = kiln_option_bytes_is_sector_protected (from, chip, i);
      gboolean b = kiln_option_bytes_is_sector_protected (to, chip, i);

      if (a != b)
        g_ptr_array_add (out, g_strdup_printf (b ? _("Sector %u: becomes write-protected")
                                                 : _("Sector %u: write protection removed"),
                                               kiln_chip_get_sector (chip, i)->index));
    }
  if (from->ndbank != to->ndbank)
    add_change (out, _("Bank mode"), from->ndbank ? _("single bank") : _("dual bank"),
                to->ndbank ? _("single bank") : _("dual bank"));
  if (from->ndboot != to->ndboot)
    add_change (out, _("Dual boot"), from->ndboot ? _("off") : _("on"), to->ndboot ? _("off") : _("on"));
  if (from->boot_add0 != to->boot_add0)
    {
      g_autofree char *a = boot_words (from->boot_add0);
      g_autofree char *b = boot_words (to->boot_add0);

      add_change (out, _("Boot address, BOOT0 low"), a, b);
    }
  if (from->boot_add1 != to->boot_add1)
    {
      g_autofree char *a = boot_words (from->boot_add1);
      g_autofree char *b = boot_words (to->boot_add1);

      add_change (out, _("Boot address, BOOT0 high"), a, b);
    }
  if (from->bor != to->bor)
    add_change (out, _("Brown-out reset"), bor_words (from->bor), bor_words (to->bor));
  if (from->iwdg_sw != to->iwdg_sw)
    add_change (out, _("Independent watchdog"), from->iwdg_sw ? _("software") : _("hardware"),
                to->iwdg_sw ? _("software") : _("hardware"));
  if (from->wwdg_sw != to->wwdg_sw)
    add_change (out, _("Window watchdog"), from->wwdg_sw ? _("software") : _("hardware"),
                to->wwdg_sw ? _("software") : _("hardware"));
  if (from->iwdg_stop != to->iwdg_stop)
    add_change (out, _("IWDG in Stop mode"), from->iwdg_stop ? _("keeps counting") : _("frozen"),
                to->iwdg_stop ? _("keeps counting") : _("frozen"));
  if (from->iwdg_stdby != to->iwdg_stdby)
    add_change (out, _("IWDG in Standby mode"), from->iwdg_stdby ? _("keeps counting") : _("frozen"),
                to->iwdg_stdby ? _("keeps counting") : _("frozen"));
  if (from->nrst_stop != to->nrst_stop)
    add_change (out, _("Entering Stop mode"), yes_no_reset (from->nrst_stop), yes_no_reset (to->nrst_stop));
  if (from->nrst_stdby != to->nrst_stdby)
    add_change (out, _("Entering Standby mode"), yes_no_reset (from->nrst_stdby), yes_no_reset (to->nrst_stdby));
  return out;
}

KilnOptionImpact
kiln_option_bytes_get_impact (const KilnOptionBytes *from,
                              const KilnOptionBytes *to)
{
  KilnOptionImpact impact = KILN_OPTION_IMPACT_NONE;
  guint l0 = kiln_option_bytes_get_rdp_level (from), l1 = kiln_option_bytes_get_rdp_level (to);

  if (l0 == 1 && l1 == 0)
    impact |= KILN_OPTION_IMPACT_ERASES_FLASH;
  if (l1 == 2 && l0 != 2)
    impact |= KILN_OPTION_IMPACT_IRREVERSIBLE;
  if (l0 == 0 && l1 == 1)
    impact |= KILN_OPTION_IMPACT_READ_PROTECT;
  if ((to->nwrp & ~from->nwrp) || (to->nwrp2 & ~from->nwrp2))
    impact |= KILN_OPTION_IMPACT_UNPROTECT;
  if ((from->nwrp & ~to->nwrp) || (from->nwrp2 & ~to->nwrp2))
    impact |= KILN_OPTION_IMPACT_PROTECT;
  if (from->ndbank != to->ndbank)
    impact |= KILN_OPTION_IMPACT_LAYOUT;
  return impact;
}

GPtrArray *
kiln_option_bytes_dup_consequences (const KilnOptionBytes *from,
                                    const KilnOptionBytes *to,
                                    KilnChip              *chip)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  KilnOptionImpact impact = kiln_option_bytes_get_impact (from, to);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) added = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
    {
      gboolean a = kiln_option_bytes_is_sector_protected (from, chip, i);
      gboolean b = kiln_option_bytes_is_sector_protected (to, chip, i);

      if (a && !b)
        g_array_append_val (gone, i);
      if (!a && b)
        g_array_append_val (added, i);
    }

  if (impact & KILN_OPTION_IMPACT_IRREVERSIBLE)
    g_ptr_array_add (out, g_strdup (_("IRREVERSIBLE: read protection level 2 disables the debug port for good. "
                                      "No probe will ever connect to this chip again, and the option bytes can "
                                      "never be changed again, not even by the chip's own firmware.")));
  if (impact & KILN_OPTION_IMPACT_ERASES_FLASH)
    g_ptr_array_add (out, g_strdup_printf (_("Lowering read protection to level 0 erases the whole flash "
                                             "(%u KiB, every sector) and the backup SRAM before the protection "
                                             "is lifted. The OTP area is kept."),
                                           kiln_chip_get_flash_kib (chip)));
  if (impact & KILN_OPTION_IMPACT_READ_PROTECT)
    g_ptr_array_add (out, g_strdup (_("With read protection level 1 a debugger can no longer read, erase or "
                                      "program the flash: Kiln will refuse to program or read it. Going back to "
                                      "level 0 erases the whole flash.")));
  if (gone->len)
    {
      g_autofree char *list = sector_list (chip, gone);

      g_ptr_array_add (out, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "Sector %s will no longer be write-protected: it can be "
                                                          "erased and programmed again. Nothing is erased now.",
                                                          "Sectors %s will no longer be write-protected: they can be "
                                                          "erased and programmed again. Nothing is erased now.",
                                                          gone->len),
                                             list));
    }
  if (added->len)
    {
      g_autofree char *list = sector_list (chip, added);

      g_ptr_array_add (out, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "Sector %s becomes write-protected: erasing or programming "
                                                          "it fails until the protection is removed. Its contents stay.",
                                                          "Sectors %s become write-protected: erasing or programming "
                                                          "them fails until the protection is removed. Their contents "
                                                          "stay.",
                                                          added->len),
                                             list));
    }
  if (impact & KILN_OPTION_IMPACT_LAYOUT)
    g_ptr_array_add (out, g_strdup (_("The bank mode changes after the reset: the sectors are laid out anew "
                                      "and numbered differently. Program the firmware again afterwards.")));
  if (from->iwdg_sw && !to->iwdg_sw)
    g_ptr_array_add (out, g_strdup (_("The independent watchdog will start at every reset: firmware that does "
                                      "not reload it will be reset over and over.")));
  if (from->boot_add0 != to->boot_add0 || from->boot_add1 != to->boot_add1)
    g_ptr_array_add (out, g_strdup (_("The chip will start from the new boot address at its next reset.")));
  if (out->len == 0 || impact == KILN_OPTION_IMPACT_NONE)
    g_ptr_array_add (out, g_strdup (_("The chip is reset so that the new values take effect; the flash is not "
                                      "changed.")));
  else
    g_ptr_array_add (out, g_strdup (_("The chip is reset so that the new values take effect.")));
  return out;
}

/* ------------------------------------------------------------------ */
/* KEY=VALUE                                                            */

static gboolean
parse_bool (const char *value,
            const char *yes,
            const char *no,
            gboolean   *out)
{
  if (g_ascii_strcasecmp (value, yes) == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, no) == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* Sector numbers ("0,1,4-7") to positions; "all" for every sector. */
static GArray *
parse_sectors (KilnChip    *chip,
               const char  *text,
               GError     **error)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) parts = NULL;

  if (g_ascii_strcasecmp (text, "all") == 0)
    {
      for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
        g_array_append_val (out, i);
      return g_steal_pointer (&out);
    }
  if (g_ascii_strcasecmp (text, "none") == 0)
    return g_steal_pointer (&out);

  parts = g_strsplit (text, ",", -1);
  for (guint p = 0; parts[p] != NULL; p++)
    {
      g_auto(GStrv) range = g_strsplit (g_strstrip (parts[p]), "-", 2);
      guint64 lo, hi;

      if (!g_ascii_string_to_unsigned (range[0], 10, 0, 63, &lo, NULL)
          || !g_ascii_string_to_unsigned (range[1] ? range[1] : range[0], 10, lo, 63, &hi, NULL))
        {
          g_set_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID,
                       _("“%s” is not a list of sector numbers (write them like 0,1,4-7)"), text);
          return NULL;
        }
      for (guint64 n = lo; n <= hi; n++)
        {
          gboolean found = FALSE;

          for (guint i = 0; i < kiln_chip_get_n_sectors (chip) && !found; i++)
            {
              if (kiln_chip_get_sector (chip, i)->index == n)
                {
                  gboolean listed = FALSE;

                  /* "0,0-1" names sector 0 once. */
                  for (guint k = 0; k < out->len && !listed; k++)
                    listed = g_array_index (out, guint, k) == i;
                  if (!listed)
                    g_array_append_val (out, i);
                  found = TRUE;
                }
            }
          if (!found)
            {
              g_set_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID,
                           _("This chip has no sector %u (run “kiln-cli info” to see its sectors)"), (guint) n);
              return NULL;
            }
        }
    }
  return g_steal_pointer (&out);
}

GArray *
kiln_flash_parse_sector_list (KilnChip    *chip,
                              const char  *text,
                              GError     **error)
{
  return parse_sectors (chip, text, error);
}

static gboolean
parse_boot_address (const char *value,
                    guint32    *out)
{
  guint64 v;
  char *end = NULL;

  v = g_ascii_strtoull (value, &end, 0);
  if (end == value || *end != '\0' || v > 0x3FFFC000u || (v & 0x3FFF) != 0)
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

gboolean
kiln_option_bytes_set (KilnOptionBytes  *self,
                       KilnChip         *chip,
                       const char       *assignment,
                       GError          **error)
{
  const char *eq = strchr (assignment, '=');
  g_autofree char *key = NULL;
  const char *value;
  gboolean f7 = kiln_option_bytes_has_f7_fields (self);
  gboolean ok = TRUE, b;

  if (eq == NULL || eq == assignment || eq[1] == '\0')
    {
      g_set_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID,
                   _("“%s” is not KEY=VALUE (for example rdp=1 or unprotect=all)"), assignment);
      return FALSE;
    }
  key = g_ascii_strdown (assignment, eq - assignment);
  value = eq + 1;

  if (g_str_equal (key, "rdp"))
    {
      if (g_str_equal (value, "0"))
        self->rdp = 0xAA;
      else if (g_str_equal (value, "1"))
        self->rdp = kiln_option_bytes_get_rdp_level (self) == 1 ? self->rdp : 0x55;
      else if (g_str_equal (value, "2"))
        self->rdp = 0xCC;
      else
        ok = FALSE;
    }
  else if (g_str_equal (key, "wrp") || g_str_equal (key, "protect") || g_str_equal (key, "unprotect"))
    {
      g_autoptr(GArray) list = parse_sectors (chip, value, error);

      if (list == NULL)
        return FALSE;
      if (g_str_equal (key, "wrp"))
        for (guint i = 0; i < kiln_chip_get_n_sectors (chip); i++)
          kiln_option_bytes_set_sector_protected (self, chip, i, FALSE);
      for (guint i = 0; i < list->len; i++)
        kiln_option_bytes_set_sector_protected (self, chip, g_array_index (list, guint, i),
                                                !g_str_equal (key, "unprotect"));
    }
  else if (g_str_equal (key, "bor"))
    {
      if (g_ascii_strcasecmp (value, "off") == 0)
        self->bor = KILN_BOR_OFF;
      else if (g_str_equal (value, "1"))
        self->bor = KILN_BOR_LEVEL_1;
      else if (g_str_equal (value, "2"))
        self->bor = KILN_BOR_LEVEL_2;
      else if (g_str_equal (value, "3"))
        self->bor = KILN_BOR_LEVEL_3;
      else
        ok = FALSE;
    }
  else if (g_str_equal (key, "iwdg"))
    ok = parse_bool (value, "software", "hardware", &self->iwdg_sw);
  else if (g_str_equal (key, "reset-on-stop") && parse_bool (value, "yes", "no", &b))
    self->nrst_stop = !b;
  else if (g_str_equal (key, "reset-on-standby") && parse_bool (value, "yes", "no", &b))
    self->nrst_stdby = !b;
  else if (g_str_equal (key, "reset-on-stop") || g_str_equal (key, "reset-on-standby"))
    ok = FALSE;
  else if (f7 && g_str_equal (key, "wwdg"))
    ok = parse_bool (value, "software", "hardware", &self->wwdg_sw);
  else if (f7 && g_str_equal (key, "iwdg-stop"))
    ok = parse_bool (value, "run", "freeze", &self->iwdg_stop);
  else if (f7 && g_str_equal (key, "iwdg-standby"))
    ok = parse_bool (value, "run", "freeze", &self->iwdg_stdby);
  else if (f7 && g_str_equal (key, "boot-add0"))
    ok = parse_boot_address (value, &self->boot_add0);
  else if (f7 && g_str_equal (key, "boot-add1"))
    ok = parse_boot_address (value, &self->boot_add1);
  else if (kiln_option_bytes_has_ndbank (self) && g_str_equal (key, "dual-bank") && parse_bool (value, "on", "off", &b))
    self->ndbank = !b;
  else if (kiln_option_bytes_has_ndbank (self) && g_str_equal (key, "dual-boot") && parse_bool (value, "on", "off", &b))
    self->ndboot = !b;
  else if (kiln_option_bytes_has_ndbank (self) && (g_str_equal (key, "dual-bank") || g_str_equal (key, "dual-boot")))
    ok = FALSE;
  else
    {
      g_set_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID,
                   _("%s has no option “%s”. Known here: %s"), self->line->line, key,
                   f7 ? (kiln_option_bytes_has_ndbank (self)
                           ? "rdp, wrp, protect, unprotect, bor, iwdg, wwdg, iwdg-stop, iwdg-standby, reset-on-stop, "
                             "reset-on-standby, boot-add0, boot-add1, dual-bank, dual-boot"
                           : "rdp, wrp, protect, unprotect, bor, iwdg, wwdg, iwdg-stop, iwdg-standby, reset-on-stop, "
                             "reset-on-standby, boot-add0, boot-add1")
                      : "rdp, wrp, protect, unprotect, bor, iwdg, reset-on-stop, reset-on-standby");
      return FALSE;
    }

  if (!ok)
    {
      g_set_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID,
                   _("“%s” is not a value for %s (see “man kiln-cli” for the values each option takes)"), value, key);
      return FALSE;
    }
  kiln_option_bytes_encode (self);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* On the chip                                                          */

gboolean
kiln_option_bytes_read (KilnArmTarget    *target,
                        KilnOptionBytes  *self,
                        GError          **error)
{
  const KilnChipLine *line = kiln_chip_get_line (kiln_arm_target_get_chip (target));
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  guint32 optcr, optcr1 = 0;

  if (!kiln_stlink_read32 (stlink, line->flash_regs + KILN_FLASH_OPTCR, &optcr, error))
    return FALSE;
  if ((line->has_boot_add || line->dual_bank == KILN_DUAL_BANK_2M)
      && !kiln_stlink_read32 (stlink, line->flash_regs + KILN_FLASH_OPTCR1, &optcr1, error))
    return FALSE;
  kiln_option_bytes_decode (self, line, optcr, optcr1);
  return TRUE;
}

static gboolean
same_values (const KilnOptionBytes *a,
             const KilnOptionBytes *b)
{
  gboolean opt1 = a->line->has_boot_add || a->line->dual_bank == KILN_DUAL_BANK_2M;

  return a->optcr == b->optcr && (!opt1 || a->optcr1 == b->optcr1);
}

gboolean
kiln_option_bytes_write (KilnArmTarget          *target,
                         const KilnOptionBytes  *wanted_in,
                         gboolean                confirm,
                         gboolean                irreversible,
                         GCancellable           *cancellable,
                         KilnOptionBytes        *after,
                         GError                **error)
{
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  KilnOptionBytes now, wanted = *wanted_in, check;
  KilnFlashController ctrl;
  g_autoptr(GError) local_error = NULL;
  gboolean was_running = FALSE;
  guint32 optcr;
  gboolean ok = FALSE;

  kiln_option_bytes_encode (&wanted);
  if (!kiln_option_bytes_read (target, &now, error))
    return FALSE;

  if (kiln_option_bytes_get_rdp_level (&now) == 2)
    {
      g_set_error_literal (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_LOCKED_FOR_GOOD,
                           _("The chip is at read protection level 2: its option bytes can never be changed again."));
      return FALSE;
    }
  if (same_values (&now, &wanted))
    {
      if (after)
        *after = now;
      return TRUE;
    }
  if (kiln_option_bytes_get_rdp_level (&wanted) == 2 && !irreversible)
    {
      g_set_error_literal (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_IRREVERSIBLE,
                           _("Read protection level 2 disables debugging for good and cannot be undone; it is set "
                             "only when that is confirmed as irreversible as well. Nothing was changed."));
      return FALSE;
    }
  if (!confirm)
    {
      g_set_error_literal (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_NOT_CONFIRMED,
                           _("Changing option bytes needs confirmation. Nothing was changed."));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  kiln_flash_controller_init (&ctrl, target);
  if (!kiln_flash_halt_core (target, &was_running, error)
      || !kiln_flash_controller_clear_errors (&ctrl, error))
    goto out;

  /* Unlock OPTCR: the keys only while OPTLOCK is set (a second unlock faults). */
  if (!kiln_stlink_read32 (stlink, ctrl.regs + KILN_FLASH_OPTCR, &optcr, error))
    goto out;
  if (optcr & KILN_FLASH_OPTCR_OPTLOCK)
    {
      if (!kiln_stlink_write32 (stlink, ctrl.regs + KILN_FLASH_OPTKEYR, OPTKEY1, error)
          || !kiln_stlink_write32 (stlink, ctrl.regs + KILN_FLASH_OPTKEYR, OPTKEY2, error)
          || !kiln_stlink_read32 (stlink, ctrl.regs + KILN_FLASH_OPTCR, &optcr, error))
        goto out;
      if (optcr & KILN_FLASH_OPTCR_OPTLOCK)
        {
          g_set_error_literal (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_FAILED,
                               _("The option bytes stayed locked after the unlock keys: power-cycle the board "
                                 "and try again. Nothing was changed."));
          goto out;
        }
    }

  if ((wanted.line->has_boot_add || wanted.line->dual_bank == KILN_DUAL_BANK_2M)
      && !kiln_stlink_write32 (stlink, ctrl.regs + KILN_FLASH_OPTCR1, wanted.optcr1, error))
    goto out;
  if (!kiln_stlink_write32 (stlink, ctrl.regs + KILN_FLASH_OPTCR, wanted.optcr, error)
      || !kiln_stlink_write32 (stlink, ctrl.regs + KILN_FLASH_OPTCR, wanted.optcr | KILN_FLASH_OPTCR_OPTSTRT, error))
    goto out;
  /* A regression to level 0 erases the flash first: up to about half a minute. */
  if (!kiln_flash_controller_wait (&ctrl, NULL, 90, &local_error))
    {
      if (kiln_option_bytes_get_rdp_level (&wanted) == 2 && local_error->domain != KILN_FLASH_ERROR)
        {
          /* Level 2 closes the debug port as it takes effect: the link
           * going away is the proof. */
          if (after)
            *after = wanted;
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto out;
    }
  kiln_stlink_write32 (stlink, ctrl.regs + KILN_FLASH_OPTCR, wanted.optcr | KILN_FLASH_OPTCR_OPTLOCK, NULL);

  /* The new values are loaded at the next reset. */
  if (!kiln_arm_reset_halt (target, &local_error))
    {
      if (kiln_option_bytes_get_rdp_level (&wanted) == 2)
        {
          /* Level 2 closes the debug port: the link going away is the proof. */
          if (after)
            *after = wanted;
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!kiln_option_bytes_read (target, &check, error))
    return FALSE;
  if (!same_values (&check, &wanted))
    {
      g_set_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_FAILED,
                   _("The option bytes did not take the new values: OPTCR reads 0x%08X after the reset, "
                     "0x%08X was written. Power-cycle the board and read them again."),
                   check.optcr, wanted.optcr);
      goto out;
    }
  if (after)
    *after = check;
  /* The chip as it is now: layout (nDBANK) and protection. */
  if (!kiln_arm_target_detect (target, error))
    return FALSE;
  ok = TRUE;

out:
  /* Never leave the option bytes or the controller unlocked. */
  if (kiln_stlink_read32 (stlink, ctrl.regs + KILN_FLASH_OPTCR, &optcr, NULL)
      && !(optcr & KILN_FLASH_OPTCR_OPTLOCK))
    kiln_stlink_write32 (stlink, ctrl.regs + KILN_FLASH_OPTCR, optcr | KILN_FLASH_OPTCR_OPTLOCK, NULL);
  kiln_flash_controller_lock (&ctrl);
  /* Firmware that was running runs on, unless the flash was just erased. */
  if (ok && was_running && !(kiln_option_bytes_get_impact (&now, &wanted) & KILN_OPTION_IMPACT_ERASES_FLASH))
    kiln_flash_resume_core (target);
  return ok;
}
