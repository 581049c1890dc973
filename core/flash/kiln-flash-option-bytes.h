/* kiln-flash-option-bytes.h — the user option bytes of an STM32 sector flash
 * (F7; the F2/F4 subset): read, decode, describe in words, change
 *
 * A change is described before it is made: kiln_option_bytes_dup_changes()
 * says what changes and kiln_option_bytes_dup_consequences() what that does
 * to the chip (the CLI prints both; the window shows them in its
 * confirmation). kiln_option_bytes_write() refuses unless the caller passes
 * @confirm, and refuses read protection level 2 unless it also passes
 * @irreversible.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-arm-target.h"
#include "kiln-flash-error.h"

G_BEGIN_DECLS

/* FLASH_OPTCR.BOR_LEV values. */
typedef enum
{
  KILN_BOR_LEVEL_3 = 0,   /* 2.70–3.60 V */
  KILN_BOR_LEVEL_2 = 1,   /* 2.40–2.70 V */
  KILN_BOR_LEVEL_1 = 2,   /* 2.10–2.40 V */
  KILN_BOR_OFF = 3,       /* POR/PDR only, 1.70–2.10 V */
} KilnBorLevel;

/* What a change does beyond setting bits. */
typedef enum
{
  KILN_OPTION_IMPACT_NONE = 0,
  KILN_OPTION_IMPACT_ERASES_FLASH = 1 << 0,  /* RDP 1 → 0: mass erase */
  KILN_OPTION_IMPACT_IRREVERSIBLE = 1 << 1,  /* RDP → 2 */
  KILN_OPTION_IMPACT_READ_PROTECT = 1 << 2,  /* RDP 0 → 1 */
  KILN_OPTION_IMPACT_UNPROTECT = 1 << 3,     /* write protection removed */
  KILN_OPTION_IMPACT_PROTECT = 1 << 4,       /* write protection added */
  KILN_OPTION_IMPACT_LAYOUT = 1 << 5,        /* nDBANK or DB1M: the sectors change */
} KilnOptionImpact;

typedef struct
{
  const KilnChipLine *line;
  /* The registers, as read or as they will be written (OPTLOCK and OPTSTRT
   * left out). Reserved bits are kept as read. */
  guint32      optcr;
  guint32      optcr1;
  /* Decoded */
  guint8       rdp;          /* 0xAA level 0, 0xCC level 2, anything else level 1 */
  guint32      nwrp;         /* OPTCR.nWRP: bit i = 0 protects (see is_sector_protected) */
  guint32      nwrp2;        /* OPTCR1.nWRP, bank 2 of F42x/F43x 2 MiB parts */
  KilnBorLevel bor;
  gboolean     wwdg_sw;      /* F7: window watchdog started by software */
  gboolean     iwdg_sw;      /* independent watchdog started by software (F2/F4: WDG_SW) */
  gboolean     nrst_stop;    /* FALSE: entering Stop mode resets the chip */
  gboolean     nrst_stdby;   /* FALSE: entering Standby mode resets the chip */
  gboolean     iwdg_stop;    /* F7: the IWDG keeps counting in Stop mode */
  gboolean     iwdg_stdby;   /* F7: the IWDG keeps counting in Standby mode */
  gboolean     ndbank;       /* F76x/F77x: TRUE single bank */
  gboolean     ndboot;       /* F76x/F77x: TRUE dual boot off */
  gboolean     db1m;         /* F42x/F43x, 1 MiB parts: OPTCR.DB1M, TRUE two banks of 512 KiB */
  guint32      boot_add0;    /* F7: boot address with BOOT0 low (an address) */
  guint32      boot_add1;    /* F7: boot address with BOOT0 high */
} KilnOptionBytes;

/* Pure decoding and encoding of the registers for @line. */
void       kiln_option_bytes_decode               (KilnOptionBytes        *self,
                                                   const KilnChipLine     *line,
                                                   guint32                 optcr,
                                                   guint32                 optcr1);
/* Folds the decoded fields back into optcr/optcr1. */
void       kiln_option_bytes_encode               (KilnOptionBytes        *self);
guint      kiln_option_bytes_get_rdp_level        (const KilnOptionBytes  *self);
gboolean   kiln_option_bytes_has_f7_fields        (const KilnOptionBytes  *self);
gboolean   kiln_option_bytes_has_ndbank           (const KilnOptionBytes  *self);
/* Whether @chip takes DB1M: a 1 MiB STM32F42x/F43x (RM0090: dual bank with
 * 2 × 512 KiB, bank 2's sectors numbered 12 to 19). */
gboolean   kiln_option_bytes_has_db1m             (const KilnOptionBytes  *self,
                                                   KilnChip               *chip);

/* @position in kiln_chip_get_sector() order. On F76x/F77x in dual-bank
 * mode one nWRP bit guards a pair of sectors (2i and 2i+1). */
gboolean   kiln_option_bytes_is_sector_protected  (const KilnOptionBytes  *self,
                                                   KilnChip               *chip,
                                                   guint                   position);
void       kiln_option_bytes_set_sector_protected (KilnOptionBytes        *self,
                                                   KilnChip               *chip,
                                                   guint                   position,
                                                   gboolean                protect);
/* Sector positions that are write-protected. */
GArray    *kiln_option_bytes_dup_protected        (const KilnOptionBytes  *self,
                                                   KilnChip               *chip);

/* One KEY=VALUE assignment, as the CLI takes it: rdp=0|1|2, wrp=LIST|none,
 * protect=LIST, unprotect=LIST|all, bor=off|1|2|3, iwdg=software|hardware,
 * wwdg=software|hardware, iwdg-stop=run|freeze, iwdg-standby=run|freeze,
 * reset-on-stop=yes|no, reset-on-standby=yes|no, dual-bank=on|off,
 * dual-boot=on|off, boot-add0=ADDR, boot-add1=ADDR, db1m=1|0 (1 MiB
 * F42x/F43x only). LIST names sectors by
 * number, with ranges: "0,1,4-7". */
gboolean   kiln_option_bytes_set                  (KilnOptionBytes        *self,
                                                   KilnChip               *chip,
                                                   const char             *assignment,
                                                   GError                **error);

/* Several lines, one per field, in words. */
char      *kiln_option_bytes_describe             (const KilnOptionBytes  *self,
                                                   KilnChip               *chip);
/* One JSON object with every decoded field. */
char      *kiln_option_bytes_to_json              (const KilnOptionBytes  *self,
                                                   KilnChip               *chip);
/* "Read protection: level 0 → level 1", one string per changed field. */
GPtrArray *kiln_option_bytes_dup_changes          (const KilnOptionBytes  *from,
                                                   const KilnOptionBytes  *to,
                                                   KilnChip               *chip);
/* What the change does to the chip, in words, most serious first. */
GPtrArray *kiln_option_bytes_dup_consequences     (const KilnOptionBytes  *from,
                                                   const KilnOptionBytes  *to,
                                                   KilnChip               *chip);
KilnOptionImpact kiln_option_bytes_get_impact     (const KilnOptionBytes  *from,
                                                   const KilnOptionBytes  *to);

/* Reads FLASH_OPTCR (and OPTCR1) now. */
gboolean   kiln_option_bytes_read                 (KilnArmTarget          *target,
                                                   KilnOptionBytes        *self,
                                                   GError                **error);
/* Programs @wanted: halts the core, unlocks OPTCR, writes OPTCR1 and OPTCR,
 * starts the operation and waits for it (a regression to level 0 erases the
 * flash first and can take half a minute), locks OPTCR again, then resets
 * the chip so that the new values are loaded and reads them back into
 * @after (which may be NULL). The target is identified again afterwards, so
 * its chip and layout follow the new values. Nothing is written unless
 * @confirm; RDP level 2 also needs @irreversible. Unchanged values write
 * nothing. */
gboolean   kiln_option_bytes_write                (KilnArmTarget          *target,
                                                   const KilnOptionBytes  *wanted,
                                                   gboolean                confirm,
                                                   gboolean                irreversible,
                                                   GCancellable           *cancellable,
                                                   KilnOptionBytes        *after,
                                                   GError                **error);

G_END_DECLS
