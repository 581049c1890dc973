/* kiln-chip-db.h — the STM32 chip database, as data
 *
 * Adding an STM32 line means adding a row to the tables in kiln-chip-db.c;
 * no code path knows a chip by name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_CHIP_FLASH_BASE   0x08000000u
#define KILN_CHIP_MAX_RUNS     4
#define KILN_CHIP_MAX_RAM      5
#define KILN_CHIP_MAX_REVS     6

/* @count sectors of @size_kib each. */
typedef struct
{
  guint size_kib;
  guint count;
} KilnSectorRun;

typedef struct
{
  const char *name;       /* "DTCM", "SRAM1", "CCM" … */
  guint32     address;
  guint32     size;
} KilnMemRegion;

typedef struct
{
  guint16     rev_id;
  const char *name;       /* "A", "Z", "Y", "1", "3" */
} KilnChipRevision;

typedef enum
{
  KILN_DUAL_BANK_NONE,    /* one bank at every size */
  KILN_DUAL_BANK_OPTION,  /* chosen by OPTCR.nDBANK (F76x/F77x) */
  KILN_DUAL_BANK_2M,      /* two banks on 2 MiB parts (F42x/F43x, F469/F479); on 1 MiB
                           * parts with OPTCR.DB1M */
} KilnDualBankMode;

typedef struct
{
  guint16          dev_id;
  const char      *line;            /* "STM32F74x/F75x" */
  const char      *family;          /* "STM32F7" */
  const char      *core;            /* "Cortex-M7" */
  guint            max_flash_kib;
  guint32          flash_size_reg;  /* u16, KiB */
  guint32          uid_reg;         /* 96 bits */
  guint32          package_reg;     /* 0 when the line has none */
  guint32          flash_regs;      /* flash interface base (0x40023C00) */
  guint8           snb_mask;        /* CR.SNB field mask: 0x78 or 0xF8 */
  guint            nwrp_bits;       /* width of OPTCR.nWRP */
  gboolean         has_pcrop;       /* OPTCR2 (F72x/F73x) */
  gboolean         has_boot_add;    /* OPTCR1 BOOT_ADD0/1 (F7) */
  guint32          itcm_flash;      /* ITCM flash alias, 0 when none */
  guint32          otp_base;
  guint            otp_size;
  KilnDualBankMode dual_bank;
  /* One bank (or the only one), sector sizes in order; the layout is cut at
   * the part's flash size. */
  KilnSectorRun    single[KILN_CHIP_MAX_RUNS];
  /* Each bank of a dual-bank layout; bank 2's logical sectors start at 12
   * and its SNB at 0x10. */
  KilnSectorRun    dual[KILN_CHIP_MAX_RUNS];
  KilnMemRegion    ram[KILN_CHIP_MAX_RAM];
  KilnChipRevision revisions[KILN_CHIP_MAX_REVS];
} KilnChipLine;

typedef struct
{
  const char *name;        /* "STM32F746NG" */
  guint16     dev_id;
  guint       flash_kib;
  const char *package;     /* "LQFP216/TFBGA216" … */
} KilnChipPart;

const KilnChipLine *kiln_chip_db_find_line      (guint16             dev_id);
/* Case-insensitive; NULL when unknown. */
const KilnChipPart *kiln_chip_db_find_part      (const char         *name);
guint               kiln_chip_db_get_n_lines    (void);
const KilnChipLine *kiln_chip_db_get_line       (guint               index);
guint               kiln_chip_db_get_n_parts    (void);
const KilnChipPart *kiln_chip_db_get_part       (guint               index);
/* "Z", or "0x1001" for an unknown revision (static or interned). */
const char         *kiln_chip_line_revision_name (const KilnChipLine *line,
                                                  guint16             rev_id);

G_END_DECLS
