/* kiln-sim-chip.h — the facts of the simulated chips
 *
 * The bench keeps its own small table (it does not use Kiln's chip
 * database: the ruler must not share the thing it measures).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Which reference manual the chip follows where the lines differ; the
 * zero values are the F7's, so the F7 table needs none of the fields after
 * optcr_default. */
typedef enum
{
  KILN_SIM_FAMILY_F7,
  KILN_SIM_FAMILY_F4,   /* RM0090, RM0383, RM0402, RM0390 */
  KILN_SIM_FAMILY_F2,   /* RM0033 */
} KilnSimFamily;

/* What the chip's power controller (PWR) has to scale its regulator
 * (core/sim/README.md, "Voltage scaling and over-drive"). */
typedef enum
{
  KILN_SIM_VOS_NONE,      /* F2: no voltage scaling */
  KILN_SIM_VOS_ONE_BIT,   /* F405/407: VOS is bit 14, scale 1 or 2 */
  KILN_SIM_VOS_TWO_BITS,  /* F411, F412: VOS[15:14], written with the PLL off */
  KILN_SIM_VOS_OVERDRIVE, /* F42x, F446, F7: the same, and over-drive */
} KilnSimVos;

typedef struct
{
  const char *name;
  guint16     dev_id;
  guint16     rev_id;
  guint32     cpuid;
  guint       flash_kib;
  guint       single[4][2];     /* {size KiB, count} runs */
  guint       dual[4][2];       /* per bank; {0,0} when no dual-bank mode */
  guint8      snb_bits;         /* 4 or 5 */
  guint       nwrp_bits;        /* 8 or 12 */
  gboolean    has_optcr2;
  guint32     flash_size_reg;
  guint32     uid_reg;
  guint32     package_reg;
  guint16     package;
  guint32     otp_base;
  guint       otp_size;         /* the whole OTP area: 16 data blocks, then 16 lock bytes */
  guint       otp_block_size;   /* bytes in one of the 16 data blocks */
  guint32     sram_size;        /* contiguous from 0x20000000 */
  guint32     itcm_ram_size;
  guint32     optcr_default;

  KilnSimFamily family;
  guint32     ccm_size;         /* core-coupled RAM at 0x10000000 (F405/407, F42x) */
  guint32     sysmem_base;      /* system memory with OTP, UID, flash size */
  guint32     sysmem_size;
  gboolean    dual_always;      /* two banks whatever the options (2 MiB F42x) */
  gboolean    has_db1m;         /* OPTCR bit 30 splits 1 MiB into two banks (F42x) */
  guint32     optcr1_default;   /* F42x: bank 2's nWRP in bits 16–27 */
  guint       erase_kib[3];     /* the sector sizes of the datasheet's erase times */
  double      erase_s[3][3];    /* typical erase time: [size class][x8, x16, x32] */
  guint       max_sysclk_mhz;
  guint       hse_mhz;          /* the board's external clock */
  guint8      ws_mhz_low[2];    /* HCLK per flash wait state at 2.1–2.4 V and 1.8–2.1 V
                                 * (30 MHz at 2.7–3.6 V and 24 MHz at 2.4–2.7 V on all) */
  KilnSimVos  vos;
  guint32     pwr_cr_reset;     /* PWR_CR (F2/F4) or PWR_CR1 (F7) after a reset */
  guint16     scale_mhz[3];     /* the highest HCLK at VOS scale 1, 2, 3 */
  guint16     overdrive_mhz[2]; /* the same with over-drive at scale 1, 2 */
} KilnSimChip;

const KilnSimChip *kiln_sim_chip_find (const char *name);

/* kiln-sim-chips-f4.c */
extern const KilnSimChip kiln_sim_chips_f4[];
extern const guint       kiln_sim_n_chips_f4;

G_END_DECLS
