/* kiln-sim-chip.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-sim-chip.h"

/* RM0385 (PWR_CR1: VOS reset value 11, scale 1) and the datasheets (DS10916
 * F746, DS11532 F767, DS11853 F722): HCLK at most 180/168/144 MHz at scale
 * 1/2/3, 216/180 MHz with over-drive at scale 1/2. */
#define F7_POWER .vos = KILN_SIM_VOS_OVERDRIVE, .pwr_cr_reset = 0x0000C000, \
                 .scale_mhz = { 180, 168, 144 }, .overdrive_mhz = { 216, 180 }

static const KilnSimChip chips[] = {
  {
    .name = "STM32F746NG", .dev_id = 0x449, .rev_id = 0x1001, .cpuid = 0x410FC271,
    .flash_kib = 1024, .single = { { 32, 4 }, { 128, 1 }, { 256, 3 } },
    .snb_bits = 4, .nwrp_bits = 8,
    .flash_size_reg = 0x1FF0F442, .uid_reg = 0x1FF0F420, .package_reg = 0x1FF0F7E0, .package = 0x0700,
    .otp_base = 0x1FF0F000, .otp_size = 1024 + 16, .otp_block_size = 64,
    .sram_size = 320 * 1024, .itcm_ram_size = 16 * 1024,
    .optcr_default = 0xC0FFAAFD, .ws_mhz_low = { 22, 20 }, F7_POWER,
  },
  {
    .name = "STM32F767ZI", .dev_id = 0x451, .rev_id = 0x1001, .cpuid = 0x411FC270,
    .flash_kib = 2048, .single = { { 32, 4 }, { 128, 1 }, { 256, 7 } },
    .dual = { { 16, 4 }, { 64, 1 }, { 128, 7 } },
    .snb_bits = 5, .nwrp_bits = 12,
    .flash_size_reg = 0x1FF0F442, .uid_reg = 0x1FF0F420, .package_reg = 0x1FF0F7E0, .package = 0x0300,
    .otp_base = 0x1FF0F000, .otp_size = 1024 + 16, .otp_block_size = 64,
    .sram_size = 512 * 1024, .itcm_ram_size = 16 * 1024,
    .optcr_default = 0xFFFFAAFD, .ws_mhz_low = { 22, 20 }, F7_POWER,
  },
  {
    .name = "STM32F722RE", .dev_id = 0x452, .rev_id = 0x1000, .cpuid = 0x411FC270,
    .flash_kib = 512, .single = { { 16, 4 }, { 64, 1 }, { 128, 3 } },
    .snb_bits = 4, .nwrp_bits = 8, .has_optcr2 = TRUE,
    .flash_size_reg = 0x1FF07A22, .uid_reg = 0x1FF07A10, .package_reg = 0x1FF07BF0, .package = 0x0000,
    .otp_base = 0x1FF07800, .otp_size = 512 + 16, .otp_block_size = 32,
    .sram_size = 256 * 1024, .itcm_ram_size = 16 * 1024,
    .optcr_default = 0xC0FFAAFD, .ws_mhz_low = { 22, 20 }, F7_POWER,
  },
};

const KilnSimChip *
kiln_sim_chip_find (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    if (g_ascii_strcasecmp (chips[i].name, name) == 0)
      return &chips[i];
  for (guint i = 0; i < kiln_sim_n_chips_f4; i++)
    if (g_ascii_strcasecmp (kiln_sim_chips_f4[i].name, name) == 0)
      return &kiln_sim_chips_f4[i];
  return NULL;
}
