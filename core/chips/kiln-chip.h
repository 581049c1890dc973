/* kiln-chip.h — one resolved chip: a line from the database at a flash size
 * and bank mode, with its sectors laid out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "kiln-chip-db.h"
#include "kiln-chips-error.h"

G_BEGIN_DECLS

typedef struct
{
  guint   index;    /* logical sector number: 0–11, then 12–23 in bank 2 */
  guint   snb;      /* the value for FLASH_CR.SNB (bank 2 starts at 0x10) */
  guint32 address;  /* AXIM address */
  guint32 size;
  guint   bank;     /* 1 or 2 */
} KilnSector;

#define KILN_TYPE_CHIP (kiln_chip_get_type ())

G_DECLARE_FINAL_TYPE (KilnChip, kiln_chip, KILN, CHIP, GObject)

/* @flash_kib 0 means the line's largest. @dual_bank selects the dual-bank
 * layout where nDBANK chooses it, and on 1 MiB parts of lines that have
 * two banks at 2 MiB (DB1M); at 2 MiB it follows the size, and asking for
 * it elsewhere is an error. */
KilnChip            *kiln_chip_new              (const KilnChipLine  *line,
                                                 guint                flash_kib,
                                                 gboolean             dual_bank,
                                                 GError             **error);
KilnChip            *kiln_chip_new_for_part     (const char          *part,
                                                 gboolean             dual_bank,
                                                 GError             **error);
KilnChip            *kiln_chip_new_for_dev_id   (guint16              dev_id,
                                                 guint                flash_kib,
                                                 gboolean             dual_bank,
                                                 GError             **error);

/* The part number when known ("STM32F746NG"), else the line. */
const char          *kiln_chip_get_name         (KilnChip            *self);
const KilnChipLine  *kiln_chip_get_line         (KilnChip            *self);
guint16              kiln_chip_get_dev_id       (KilnChip            *self);
guint                kiln_chip_get_flash_kib    (KilnChip            *self);
guint32              kiln_chip_get_flash_base   (KilnChip            *self);
guint32              kiln_chip_get_flash_size   (KilnChip            *self);
gboolean             kiln_chip_is_dual_bank     (KilnChip            *self);
guint                kiln_chip_get_n_sectors    (KilnChip            *self);
const KilnSector    *kiln_chip_get_sector       (KilnChip            *self,
                                                 guint                position);
/* The position in the sector list of the sector holding @address (AXIM or
 * ITCM alias), or -1. */
int                  kiln_chip_find_sector      (KilnChip            *self,
                                                 guint32              address);
/* Maps an ITCM-alias flash address to its AXIM address; others unchanged. */
guint32              kiln_chip_to_axim          (KilnChip            *self,
                                                 guint32              address);
gboolean             kiln_chip_is_flash_address (KilnChip            *self,
                                                 guint32              address);
/* The RAM region holding [address, address+size), or NULL. */
const KilnMemRegion *kiln_chip_find_ram         (KilnChip            *self,
                                                 guint32              address,
                                                 guint32              size);
guint                kiln_chip_get_n_ram        (KilnChip            *self);
const KilnMemRegion *kiln_chip_get_ram          (KilnChip            *self,
                                                 guint                index);
guint32              kiln_chip_get_ram_total    (KilnChip            *self);

G_END_DECLS
