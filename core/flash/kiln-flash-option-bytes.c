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
#define OPTCR_DB1M        (1u << 30)  /* F42x/F43x (RM0090): the same bit */
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

gboolean
kiln_option_bytes_has_db1m (const KilnOptionBytes *self,
                            KilnChip              *chip)
{
  return self->line->dual_bank == KILN_DUAL_BANK_2M && kiln_chip_get_flash_kib (chip) == 1024;
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
  self->db1m = line->dual_bank == KILN_DUAL_BANK_2M && (optcr & OPTCR_DB1M) != 0;
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
    {
      r = put (r, OPTCR_DB1M, self->db1m);
      self->optcr1 = (self->optcr1 & ~(0xFFFu << 16)) | ((self->nwrp2 & 0xFFF) << 16);
    }
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

      /* An empty item ("1,,2", "1,") splits into no string at all. */
      if (range[0] == NULL
          || !g_ascii_string_to_unsigned (range[0], 10, 0, 63, &lo, NULL)
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
  else if (g_str_equal (key, "db1m") && !kiln_option_bytes_has_db1m (self, chip))
    {
      g_set_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID,
                   _("DB1M applies only to STM32F42x/F43x parts with 1 MiB of flash; this %s has %u KiB. "
                     "Nothing was changed."),
                   self->line->line, kiln_chip_get_flash_kib (chip));
      return FALSE;
    }
  else if (g_str_equal (key, "db1m"))
    ok = parse_bool (value, "1", "0", &self->db1m) || parse_bool (value, "on", "off", &self->db1m);
  else
    {
      g_set_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_INVALID,
                   _("%s has no option “%s”. Known here: %s"), self->line->line, key,
                   f7 ? (kiln_option_bytes_has_ndbank (self)
                           ? "rdp, wrp, protect, unprotect, bor, iwdg, wwdg, iwdg-stop, iwdg-standby, reset-on-stop, "
                             "reset-on-standby, boot-add0, boot-add1, dual-bank, dual-boot"
                           : "rdp, wrp, protect, unprotect, bor, iwdg, wwdg, iwdg-stop, iwdg-standby, reset-on-stop, "
                             "reset-on-standby, boot-add0, boot-add1")
                      : kiln_option_bytes_has_db1m (self, chip)
                          ? "rdp, wrp, protect, unprotect, bor, iwdg, reset-on-stop, reset-on-standby, db1m"
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
  /* The chip as it is now: layout (nDBANK, DB1M) and protection. */
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
