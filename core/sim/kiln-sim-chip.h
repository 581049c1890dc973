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
} KilnSimChip;

const KilnSimChip *kiln_sim_chip_find (const char *name);

G_END_DECLS
