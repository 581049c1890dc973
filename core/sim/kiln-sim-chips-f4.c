/* kiln-sim-chips-f4.c — the bench's STM32F4 and STM32F2 boards
 *
 * Written for the bench from ST's documents, not from Kiln's chip database
 * (the ruler must not share the thing it measures):
 *  - RM0090 (F405/407/415/417, F42x/43x), RM0383 (F411), RM0402 (F412),
 *    RM0390 (F446), RM0033 (F2): DBGMCU_IDCODE (DEV_ID, REV_ID), flash size
 *    register 0x1FFF7A22, unique ID 0x1FFF7A10, OTP 0x1FFF7800 (16 blocks of
 *    32 bytes, then 16 lock bytes at 0x1FFF7A00), sectors of 16/64/128 KiB
 *    (F42x: bank 2 numbered 12–23, SNB 0x10 + n; DB1M splits 1 MiB into two
 *    banks of 512 KiB), OPTCR reset value 0x0FFFAAED, OPTCR1 0x0FFF0000 on
 *    F42x (bank 2's nWRP), SRAM and CCM sizes;
 *  - the datasheets (DS8626 F405/407, DS10314 F411, DS11139 F412, DS9405
 *    F427/429 (ZG 1 MiB, ZI 2 MiB), DS10693 F446, DS6329 F205/207): Cortex-M4F (CPUID 0x410FC241)
 *    or Cortex-M3 r2p0 (0x412FC230), typical sector erase times by PSIZE
 *    (16 KiB 400/300/250 ms, 64 KiB 1200/700/550 ms, 128 KiB 2/1.3/1 s at
 *    x8/x16/x32; word programming 16 µs whatever the width), the highest
 *    SYSCLK (168, 100, 100, 180, 180, 120 MHz);
 *  - the flash wait states by supply (RM0090 and RM0390: HCLK per wait
 *    state 30/24/22/20 MHz at 2.7–3.6/2.4–2.7/2.1–2.4/1.8–2.1 V; RM0383,
 *    RM0402 and RM0033: 30/24/18/16 MHz);
 *  - voltage scaling (PWR_CR's VOS and reset value; the highest HCLK per
 *    scale from the datasheets): F405/407 one bit, scale 1 at reset, 168
 *    and 144 MHz (RM0090, DS8626); F411 and F412 two bits, scale 2 at
 *    reset, 100/84/64 MHz (RM0383, RM0402, DS10314, DS11139); F42x and F446
 *    two bits, scale 1 at reset, 168/144/120 MHz, 180/168 MHz with
 *    over-drive at scale 1/2 (RM0090, RM0390, DS9405, DS10693); the F2 has
 *    none (RM0033);
 *  - the boards: F4DISCOVERY (F407VG, 8 MHz crystal), Nucleo-64/144 (8 MHz
 *    from the ST-LINK's MCO), STM3220G-EVAL (F207ZG, 25 MHz).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-sim-chip.h"

#define F4_SYSMEM  .sysmem_base = 0x1FFF0000, .sysmem_size = 0x10000, \
                   .flash_size_reg = 0x1FFF7A22, .uid_reg = 0x1FFF7A10, \
                   .otp_base = 0x1FFF7800, .otp_size = 512 + 16, .otp_block_size = 32
#define F4_ERASE   .erase_kib = { 16, 64, 128 }, \
                   .erase_s = { { 0.400, 0.300, 0.250 }, { 1.200, 0.700, 0.550 }, { 2.000, 1.300, 1.000 } }
#define F40X_POWER .vos = KILN_SIM_VOS_ONE_BIT, .pwr_cr_reset = 0x00004000, .scale_mhz = { 168, 144, 0 }
#define F41X_POWER .vos = KILN_SIM_VOS_TWO_BITS, .pwr_cr_reset = 0x00008000, .scale_mhz = { 100, 84, 64 }
#define F42X_POWER .vos = KILN_SIM_VOS_OVERDRIVE, .pwr_cr_reset = 0x0000C000, \
                   .scale_mhz = { 168, 144, 120 }, .overdrive_mhz = { 180, 168 }
#define SECTORS_1M { { 16, 4 }, { 64, 1 }, { 128, 7 } }
#define SECTORS_512K { { 16, 4 }, { 64, 1 }, { 128, 3 } }

const KilnSimChip kiln_sim_chips_f4[] = {
  {
    .name = "STM32F407VG", .family = KILN_SIM_FAMILY_F4, .dev_id = 0x413, .rev_id = 0x1001, .cpuid = 0x410FC241,
    .flash_kib = 1024, .single = SECTORS_1M, .snb_bits = 4, .nwrp_bits = 12,
    F4_SYSMEM, F4_ERASE,
    .sram_size = 128 * 1024, .ccm_size = 64 * 1024,
    .optcr_default = 0x0FFFAAED, .max_sysclk_mhz = 168, .hse_mhz = 8, .ws_mhz_low = { 22, 20 },
    F40X_POWER,
  },
  {
    .name = "STM32F411RE", .family = KILN_SIM_FAMILY_F4, .dev_id = 0x431, .rev_id = 0x1000, .cpuid = 0x410FC241,
    .flash_kib = 512, .single = SECTORS_512K, .snb_bits = 4, .nwrp_bits = 8,
    F4_SYSMEM, F4_ERASE,
    .sram_size = 128 * 1024,
    .optcr_default = 0x0FFFAAED, .max_sysclk_mhz = 100, .hse_mhz = 8, .ws_mhz_low = { 18, 16 },
    F41X_POWER,
  },
  {
    .name = "STM32F412ZG", .family = KILN_SIM_FAMILY_F4, .dev_id = 0x441, .rev_id = 0x1001, .cpuid = 0x410FC241,
    .flash_kib = 1024, .single = SECTORS_1M, .snb_bits = 4, .nwrp_bits = 12,
    F4_SYSMEM, F4_ERASE,
    .sram_size = 256 * 1024,
    .optcr_default = 0x0FFFAAED, .max_sysclk_mhz = 100, .hse_mhz = 8, .ws_mhz_low = { 18, 16 },
    F41X_POWER,
  },
  {
    .name = "STM32F429ZI", .family = KILN_SIM_FAMILY_F4, .dev_id = 0x419, .rev_id = 0x2001, .cpuid = 0x410FC241,
    .flash_kib = 2048, .single = SECTORS_1M, .dual = SECTORS_1M, .dual_always = TRUE, .has_db1m = TRUE,
    .snb_bits = 5, .nwrp_bits = 12,
    F4_SYSMEM, F4_ERASE,
    .sram_size = 192 * 1024, .ccm_size = 64 * 1024,
    .optcr_default = 0x0FFFAAED, .optcr1_default = 0x0FFF0000, .max_sysclk_mhz = 180, .hse_mhz = 8, .ws_mhz_low = { 22, 20 },
    F42X_POWER,
  },
  {
    /* The same die with 1 MiB: one bank of sectors 0–11, or with DB1M two
     * banks of 512 KiB (sectors 0–7 and 12–19). */
    .name = "STM32F429ZG", .family = KILN_SIM_FAMILY_F4, .dev_id = 0x419, .rev_id = 0x2001, .cpuid = 0x410FC241,
    .flash_kib = 1024, .single = SECTORS_1M, .dual = SECTORS_1M, .dual_always = TRUE, .has_db1m = TRUE,
    .snb_bits = 5, .nwrp_bits = 12,
    F4_SYSMEM, F4_ERASE,
    .sram_size = 192 * 1024, .ccm_size = 64 * 1024,
    .optcr_default = 0x0FFFAAED, .optcr1_default = 0x0FFF0000, .max_sysclk_mhz = 180, .hse_mhz = 8, .ws_mhz_low = { 22, 20 },
    F42X_POWER,
  },
  {
    .name = "STM32F446RE", .family = KILN_SIM_FAMILY_F4, .dev_id = 0x421, .rev_id = 0x1000, .cpuid = 0x410FC241,
    .flash_kib = 512, .single = SECTORS_512K, .snb_bits = 4, .nwrp_bits = 8,
    F4_SYSMEM, F4_ERASE,
    .sram_size = 128 * 1024,
    .optcr_default = 0x0FFFAAED, .max_sysclk_mhz = 180, .hse_mhz = 8, .ws_mhz_low = { 22, 20 },
    F42X_POWER,
  },
  {
    .name = "STM32F207ZG", .family = KILN_SIM_FAMILY_F2, .dev_id = 0x411, .rev_id = 0x2003, .cpuid = 0x412FC230,
    .flash_kib = 1024, .single = SECTORS_1M, .snb_bits = 4, .nwrp_bits = 12,
    F4_SYSMEM, F4_ERASE,
    .sram_size = 128 * 1024,
    .optcr_default = 0x0FFFAAED, .max_sysclk_mhz = 120, .hse_mhz = 25, .ws_mhz_low = { 18, 16 },
  },
};

const guint kiln_sim_n_chips_f4 = G_N_ELEMENTS (kiln_sim_chips_f4);
