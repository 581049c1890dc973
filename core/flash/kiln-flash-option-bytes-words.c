/* kiln-flash-option-bytes-words.c — the option bytes in words: a description,
 * JSON, what a change changes and what it does to the chip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include "kiln-flash-json.h"
#include "kiln-flash-ops.h"
#include "kiln-flash-option-bytes.h"

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
  g_autofree char *list = kiln_flash_dup_sector_numbers (chip, prot, ", ");

  g_string_append_printf (out, _("Read protection (RDP 0x%02X):   %s\n"), self->rdp,
                          rdp_words (kiln_option_bytes_get_rdp_level (self)));
  g_string_append_printf (out, _("Write-protected sectors:      %s\n"), prot->len ? list : _("none"));
  if (kiln_option_bytes_has_ndbank (self))
    {
      g_string_append_printf (out, _("Bank mode (nDBANK):           %s\n"),
                              self->ndbank ? _("single bank") : _("dual bank"));
      g_string_append_printf (out, _("Dual boot (nDBOOT):           %s\n"), self->ndboot ? _("off") : _("on"));
    }
  if (kiln_option_bytes_has_db1m (self, chip))
    g_string_append_printf (out, _("Bank mode (DB1M):             %s\n"),
                            self->db1m ? _("dual bank: 2 × 512 KiB, sectors 0–7 and 12–19")
                                       : _("single bank: sectors 0–11"));
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

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

char *
kiln_option_bytes_to_json (const KilnOptionBytes *self,
                           KilnChip              *chip)
{
  static const char *bor_ids[] = { "3", "2", "1", "off" };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GArray) prot = kiln_option_bytes_dup_protected (self, chip);

  json_builder_begin_object (builder);
  add_int (builder, "optcr", self->optcr);
  add_int (builder, "optcr1", self->optcr1);
  add_int (builder, "rdp", self->rdp);
  add_int (builder, "rdp_level", kiln_option_bytes_get_rdp_level (self));
  json_builder_set_member_name (builder, "protected_sectors");
  json_builder_begin_array (builder);
  for (guint i = 0; i < prot->len; i++)
    json_builder_add_int_value (builder, kiln_chip_get_sector (chip, g_array_index (prot, guint, i))->index);
  json_builder_end_array (builder);
  add_int (builder, "nwrp", self->nwrp);
  json_builder_set_member_name (builder, "bor");
  json_builder_add_string_value (builder, bor_ids[self->bor & 3]);
  add_bool (builder, "iwdg_sw", self->iwdg_sw);
  add_bool (builder, "nrst_stop", self->nrst_stop);
  add_bool (builder, "nrst_stdby", self->nrst_stdby);
  if (kiln_option_bytes_has_f7_fields (self))
    {
      add_bool (builder, "wwdg_sw", self->wwdg_sw);
      add_bool (builder, "iwdg_stop", self->iwdg_stop);
      add_bool (builder, "iwdg_stdby", self->iwdg_stdby);
      add_int (builder, "boot_add0", self->boot_add0);
      add_int (builder, "boot_add1", self->boot_add1);
    }
  if (kiln_option_bytes_has_ndbank (self))
    {
      add_bool (builder, "dual_bank", !self->ndbank);
      add_bool (builder, "dual_boot", !self->ndboot);
    }
  if (kiln_option_bytes_has_db1m (self, chip))
    add_bool (builder, "db1m", self->db1m);
  json_builder_end_object (builder);
  return kiln_json_builder_to_line (builder);
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
  if (from->db1m != to->db1m)
    add_change (out, _("Bank mode (DB1M)"), from->db1m ? _("dual bank") : _("single bank"),
                to->db1m ? _("dual bank") : _("single bank"));
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
  if (from->ndbank != to->ndbank || from->db1m != to->db1m)
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
      g_autofree char *list = kiln_flash_dup_sector_numbers (chip, gone, ", ");

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
      g_autofree char *list = kiln_flash_dup_sector_numbers (chip, added, ", ");

      g_ptr_array_add (out, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "Sector %s becomes write-protected: erasing or programming "
                                                          "it fails until the protection is removed. Its contents stay.",
                                                          "Sectors %s become write-protected: erasing or programming "
                                                          "them fails until the protection is removed. Their contents "
                                                          "stay.",
                                                          added->len),
                                             list));
    }
  if ((impact & KILN_OPTION_IMPACT_LAYOUT) && from->db1m != to->db1m)
    g_ptr_array_add (out, g_strdup (to->db1m
                                    ? _("DB1M splits the 1 MiB flash into two banks of 512 KiB after the reset: "
                                        "bank 1 keeps sectors 0 to 7 (0x08000000), bank 2 at 0x08080000 becomes "
                                        "sectors 12 to 19 (four of 16 KiB, one of 64 KiB, three of 128 KiB), and "
                                        "sectors 8 to 11 no longer exist. The image keeps its addresses, but "
                                        "anything that names sectors by number (the firmware’s own erase and "
                                        "write code, a bootloader, write protection) must use the new numbers. "
                                        "Program the firmware again afterwards.")
                                    : _("Clearing DB1M makes the 1 MiB flash one bank again after the reset: "
                                        "sectors 0 to 11, with 128 KiB sectors from 0x08080000, and sectors 12 to "
                                        "19 no longer exist. The image keeps its addresses, but anything that "
                                        "names sectors by number (the firmware’s own erase and write code, a "
                                        "bootloader, write protection) must use the new numbers. Program the "
                                        "firmware again afterwards.")));
  else if (impact & KILN_OPTION_IMPACT_LAYOUT)
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
