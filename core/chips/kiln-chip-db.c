/* kiln-chip-db.c — the tables
 *
 * Facts: ST's reference manuals RM0385 (F74x/F75x), RM0410 (F76x/F77x),
 * RM0431 (F72x/F73x) and RM0090 (F4), and the lines' datasheets. RAM sizes
 * of the F2/F4 lines are the largest member's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-chip-db.h"

#define F7_UID      0x1FF0F420u
#define F7_FSIZE    0x1FF0F442u
#define F7_PACKAGE  0x1FF0F7E0u
#define F4_UID      0x1FFF7A10u
#define F4_FSIZE    0x1FFF7A22u
#define FLASH_REGS  0x40023C00u

#define F4_REVS { { 0x1000, "A" }, { 0x1001, "Z" }, { 0x1003, "Y" }, { 0x1007, "1" }, { 0x2001, "3" } }
#define F4_SECTORS { { 16, 4 }, { 64, 1 }, { 128, 11 } }

static const KilnChipLine lines[] = {
  {
    .dev_id = 0x449, .line = "STM32F74x/F75x", .family = "STM32F7", .core = "Cortex-M7",
    .max_flash_kib = 1024, .flash_size_reg = F7_FSIZE, .uid_reg = F7_UID, .package_reg = F7_PACKAGE,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 8, .has_boot_add = TRUE,
    .itcm_flash = 0x00200000, .otp_base = 0x1FF0F000, .otp_size = 1024,
    .dual_bank = KILN_DUAL_BANK_NONE,
    .single = { { 32, 4 }, { 128, 1 }, { 256, 3 } },
    .ram = { { "ITCM RAM", 0x00000000, 16 * 1024 }, { "DTCM", 0x20000000, 64 * 1024 },
             { "SRAM1", 0x20010000, 240 * 1024 }, { "SRAM2", 0x2004C000, 16 * 1024 } },
    .revisions = { { 0x1000, "A" }, { 0x1001, "Z" } },
  },
  {
    .dev_id = 0x451, .line = "STM32F76x/F77x", .family = "STM32F7", .core = "Cortex-M7",
    .max_flash_kib = 2048, .flash_size_reg = F7_FSIZE, .uid_reg = F7_UID, .package_reg = F7_PACKAGE,
    .flash_regs = FLASH_REGS, .snb_mask = 0xF8, .nwrp_bits = 12, .has_boot_add = TRUE,
    .itcm_flash = 0x00200000, .otp_base = 0x1FF0F000, .otp_size = 1024,
    .dual_bank = KILN_DUAL_BANK_OPTION,
    .single = { { 32, 4 }, { 128, 1 }, { 256, 7 } },
    .dual = { { 16, 4 }, { 64, 1 }, { 128, 7 } },
    .ram = { { "ITCM RAM", 0x00000000, 16 * 1024 }, { "DTCM", 0x20000000, 128 * 1024 },
             { "SRAM1", 0x20020000, 368 * 1024 }, { "SRAM2", 0x2007C000, 16 * 1024 } },
    .revisions = { { 0x1000, "A" }, { 0x1001, "Z" } },
  },
  {
    .dev_id = 0x452, .line = "STM32F72x/F73x", .family = "STM32F7", .core = "Cortex-M7",
    .max_flash_kib = 512, .flash_size_reg = 0x1FF07A22, .uid_reg = 0x1FF07A10, .package_reg = 0x1FF07BF0,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 8, .has_pcrop = TRUE, .has_boot_add = TRUE,
    .itcm_flash = 0x00200000, .otp_base = 0x1FF07800, .otp_size = 528,
    .dual_bank = KILN_DUAL_BANK_NONE,
    .single = { { 16, 4 }, { 64, 1 }, { 128, 3 } },
    .ram = { { "ITCM RAM", 0x00000000, 16 * 1024 }, { "DTCM", 0x20000000, 64 * 1024 },
             { "SRAM1", 0x20010000, 176 * 1024 }, { "SRAM2", 0x2003C000, 16 * 1024 } },
    .revisions = { { 0x1000, "A" } },
  },
  {
    .dev_id = 0x411, .line = "STM32F20x/F21x", .family = "STM32F2", .core = "Cortex-M3",
    .max_flash_kib = 1024, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 12,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "SRAM", 0x20000000, 128 * 1024 } },
    .revisions = { { 0x1000, "A" }, { 0x2000, "B" }, { 0x1001, "Z" }, { 0x2001, "Y" }, { 0x2003, "X" } },
  },
  {
    .dev_id = 0x413, .line = "STM32F40x/F41x", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 1024, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 12,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "CCM", 0x10000000, 64 * 1024 }, { "SRAM", 0x20000000, 128 * 1024 } },
    .revisions = F4_REVS,
  },
  {
    .dev_id = 0x419, .line = "STM32F42x/F43x", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 2048, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0xF8, .nwrp_bits = 12,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_2M,
    .single = F4_SECTORS,
    .dual = { { 16, 4 }, { 64, 1 }, { 128, 7 } },
    /* 112 + 16 + 64 KiB of SRAM; "256 KiB" in ST's summary counts the CCM. */
    .ram = { { "CCM", 0x10000000, 64 * 1024 }, { "SRAM", 0x20000000, 192 * 1024 } },
    .revisions = F4_REVS,
  },
  {
    .dev_id = 0x434, .line = "STM32F469/F479", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 2048, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0xF8, .nwrp_bits = 12,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_2M,
    .single = F4_SECTORS,
    .dual = { { 16, 4 }, { 64, 1 }, { 128, 7 } },
    .ram = { { "CCM", 0x10000000, 64 * 1024 }, { "SRAM", 0x20000000, 320 * 1024 } },
    .revisions = F4_REVS,
  },
  {
    .dev_id = 0x423, .line = "STM32F401xB/C", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 256, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 8,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "SRAM", 0x20000000, 64 * 1024 } },
    .revisions = F4_REVS,
  },
  {
    .dev_id = 0x433, .line = "STM32F401xD/E", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 512, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 8,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "SRAM", 0x20000000, 96 * 1024 } },
    .revisions = F4_REVS,
  },
  {
    .dev_id = 0x431, .line = "STM32F411", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 512, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 8,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "SRAM", 0x20000000, 128 * 1024 } },
    .revisions = F4_REVS,
  },
  {
    .dev_id = 0x441, .line = "STM32F412", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 1024, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 12,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "SRAM", 0x20000000, 256 * 1024 } },
    .revisions = F4_REVS,
  },
  {
    .dev_id = 0x458, .line = "STM32F410", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 128, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 5,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "SRAM", 0x20000000, 32 * 1024 } },
    .revisions = F4_REVS,
  },
  {
    .dev_id = 0x421, .line = "STM32F446", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 512, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0x78, .nwrp_bits = 8,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "SRAM", 0x20000000, 128 * 1024 } },
    .revisions = { { 0x1000, "A" } },
  },
  {
    .dev_id = 0x463, .line = "STM32F413/F423", .family = "STM32F4", .core = "Cortex-M4",
    .max_flash_kib = 1536, .flash_size_reg = F4_FSIZE, .uid_reg = F4_UID,
    .flash_regs = FLASH_REGS, .snb_mask = 0xF8, .nwrp_bits = 16,
    .otp_base = 0x1FFF7800, .otp_size = 528, .dual_bank = KILN_DUAL_BANK_NONE,
    .single = F4_SECTORS,
    .ram = { { "SRAM", 0x20000000, 320 * 1024 } },
    .revisions = { { 0x1000, "A" } },
  },
};

static const KilnChipPart parts[] = {
  { "STM32F745VG", 0x449, 1024, "LQFP100" },
  { "STM32F745ZG", 0x449, 1024, "LQFP144" },
  { "STM32F746BG", 0x449, 1024, "LQFP208" },
  { "STM32F746IG", 0x449, 1024, "LQFP176/UFBGA176" },
  { "STM32F746NG", 0x449, 1024, "TFBGA216" },
  { "STM32F746VG", 0x449, 1024, "LQFP100" },
  { "STM32F746ZG", 0x449, 1024, "LQFP144" },
  { "STM32F746ZE", 0x449, 512, "LQFP144" },
  { "STM32F750N8", 0x449, 64, "TFBGA216" },
  { "STM32F756NG", 0x449, 1024, "TFBGA216" },
  { "STM32F756ZG", 0x449, 1024, "LQFP144" },
  { "STM32F765ZI", 0x451, 2048, "LQFP144" },
  { "STM32F767ZG", 0x451, 1024, "LQFP144" },
  { "STM32F767ZI", 0x451, 2048, "LQFP144" },
  { "STM32F767NI", 0x451, 2048, "TFBGA216" },
  { "STM32F769NI", 0x451, 2048, "TFBGA216" },
  { "STM32F777ZI", 0x451, 2048, "LQFP144" },
  { "STM32F779NI", 0x451, 2048, "TFBGA216" },
  { "STM32F722RC", 0x452, 256, "LQFP64" },
  { "STM32F722RE", 0x452, 512, "LQFP64" },
  { "STM32F722ZE", 0x452, 512, "LQFP144" },
  { "STM32F723ZE", 0x452, 512, "LQFP144" },
  { "STM32F730R8", 0x452, 64, "LQFP64" },
  { "STM32F732RE", 0x452, 512, "LQFP64" },
  { "STM32F733ZE", 0x452, 512, "LQFP144" },
  { "STM32F205RG", 0x411, 1024, "LQFP64" },
  { "STM32F207ZG", 0x411, 1024, "LQFP144" },
  { "STM32F401CC", 0x423, 256, "UFQFPN48" },
  { "STM32F401RE", 0x433, 512, "LQFP64" },
  { "STM32F405RG", 0x413, 1024, "LQFP64" },
  { "STM32F407VG", 0x413, 1024, "LQFP100" },
  { "STM32F407ZG", 0x413, 1024, "LQFP144" },
  { "STM32F410RB", 0x458, 128, "LQFP64" },
  { "STM32F411CE", 0x431, 512, "UFQFPN48" },
  { "STM32F411RE", 0x431, 512, "LQFP64" },
  { "STM32F412ZG", 0x441, 1024, "LQFP144" },
  { "STM32F413ZH", 0x463, 1536, "LQFP144" },
  { "STM32F427VG", 0x419, 1024, "LQFP100" },
  { "STM32F427VI", 0x419, 2048, "LQFP100" },
  { "STM32F429ZG", 0x419, 1024, "LQFP144" },
  { "STM32F429ZI", 0x419, 2048, "LQFP144" },
  { "STM32F439ZI", 0x419, 2048, "LQFP144" },
  { "STM32F446RE", 0x421, 512, "LQFP64" },
  { "STM32F469NI", 0x434, 2048, "TFBGA216" },
};

const KilnChipLine *
kiln_chip_db_find_line (guint16 dev_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    if (lines[i].dev_id == dev_id)
      return &lines[i];
  return NULL;
}

const KilnChipPart *
kiln_chip_db_find_part (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (g_ascii_strcasecmp (parts[i].name, name) == 0)
      return &parts[i];
  return NULL;
}

guint
kiln_chip_db_get_n_lines (void)
{
  return G_N_ELEMENTS (lines);
}

const KilnChipLine *
kiln_chip_db_get_line (guint index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (lines), NULL);
  return &lines[index];
}

guint
kiln_chip_db_get_n_parts (void)
{
  return G_N_ELEMENTS (parts);
}

const KilnChipPart *
kiln_chip_db_get_part (guint index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (parts), NULL);
  return &parts[index];
}

const char *
kiln_chip_line_revision_name (const KilnChipLine *line,
                              guint16             rev_id)
{
  g_autofree char *unknown = NULL;

  for (guint i = 0; i < KILN_CHIP_MAX_REVS && line->revisions[i].name != NULL; i++)
    if (line->revisions[i].rev_id == rev_id)
      return line->revisions[i].name;

  unknown = g_strdup_printf ("0x%04X", rev_id);
  return g_intern_string (unknown);
}
