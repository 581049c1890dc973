/* kiln-flash-plan.h — what a job will do to which sector, decided before any
 * probe work (pure: no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "kiln-chip.h"
#include "kiln-flash-types.h"
#include "kiln-image.h"
#include "kiln-flash-json.h"

G_BEGIN_DECLS

/* A piece of the image inside one sector (AXIM addresses). */
typedef struct
{
  guint32     address;
  guint32     size;
  const char *origin;
} KilnFlashPiece;

typedef struct
{
  const KilnSector *sector;
  KilnFlashAction   action;
  guint32           bytes;          /* image bytes inside the sector */
  GArray           *pieces;         /* KilnFlashPiece */
  double            erase_seconds;  /* estimated, 0 when not erased or known blank */
  double            program_seconds;
  gboolean          blank;          /* found blank on the target: written without an erase */
  guint32           program_bytes;  /* bytes in units not all 0xFF at the plan's psize */
  guint32           link_bytes;     /* what the link carries for them (LZ4 blocks where shorter) */
} KilnFlashPlanSector;

/* A piece of the image that lands in RAM: reported, never programmed. */
typedef struct
{
  guint32     address;
  guint32     size;
  const char *region;
  const char *origin;
} KilnFlashRamPiece;

#define KILN_TYPE_FLASH_PLAN (kiln_flash_plan_get_type ())

G_DECLARE_FINAL_TYPE (KilnFlashPlan, kiln_flash_plan, KILN, FLASH_PLAN, GObject)

/* Refuses (KILN_FLASH_ERROR_PLAN) an image with bytes outside the chip's
 * flash and RAM, crossing the end of flash, or larger than the flash. */
KilnFlashPlan             *kiln_flash_plan_new              (KilnImage       *image,
                                                              KilnChip        *chip,
                                                              KilnFlashPsize   psize,
                                                              GError         **error);
KilnImage                 *kiln_flash_plan_get_image        (KilnFlashPlan   *self);
KilnChip                  *kiln_flash_plan_get_chip         (KilnFlashPlan   *self);
KilnFlashPsize             kiln_flash_plan_get_psize        (KilnFlashPlan   *self);
/* One entry per chip sector, in address order. */
guint                      kiln_flash_plan_get_n_sectors    (KilnFlashPlan   *self);
const KilnFlashPlanSector *kiln_flash_plan_get_sector       (KilnFlashPlan   *self,
                                                              guint            position);
guint                      kiln_flash_plan_get_n_ram_pieces (KilnFlashPlan   *self);
const KilnFlashRamPiece   *kiln_flash_plan_get_ram_piece    (KilnFlashPlan   *self,
                                                              guint            index);
/* The differential step: the chip already holds this sector's bytes. */
void                       kiln_flash_plan_set_unchanged    (KilnFlashPlan   *self,
                                                              guint            position,
                                                              gboolean         unchanged);
/* What the comparison on the target found: the sector is blank and is
 * written without an erase. */
void                       kiln_flash_plan_set_blank        (KilnFlashPlan   *self,
                                                              guint            position,
                                                              gboolean         blank);
/* The comparison on the target is done: every sector not found blank is
 * known to need its erase (before it, the estimate assumes so). */
void                       kiln_flash_plan_set_compared     (KilnFlashPlan   *self);
gboolean                   kiln_flash_plan_get_compared     (KilnFlashPlan   *self);
/* The parallelism the supply allows, once measured (x64 with VPP). */
void                       kiln_flash_plan_set_psize        (KilnFlashPlan   *self,
                                                              KilnFlashPsize   psize);
/* The probe's link: @probe_hw 2 or 3 (ST-LINK/V2 or V3) and the SWD clock.
 * Until set, the estimate assumes an ST-LINK/V2 at 4 MHz. */
void                       kiln_flash_plan_set_link         (KilnFlashPlan   *self,
                                                              guint            probe_hw,
                                                              guint            khz);
/* Fills @buffer (the sector's size) with what the sector must hold: the
 * image's bytes, and 0xFF (erased) where the image has none. Returns how
 * many bytes came from the image. */
guint32                    kiln_flash_plan_fill_sector      (KilnFlashPlan   *self,
                                                              guint            position,
                                                              guint8          *buffer);
KilnSectorState            kiln_flash_plan_get_sector_state (KilnFlashPlan   *self,
                                                              guint            position);

/* Totals over the sectors that will be erased and written. */
guint                      kiln_flash_plan_get_n_program    (KilnFlashPlan   *self);
guint                      kiln_flash_plan_get_n_skipped    (KilnFlashPlan   *self);
guint                      kiln_flash_plan_get_n_untouched  (KilnFlashPlan   *self);
guint64                    kiln_flash_plan_get_erase_bytes  (KilnFlashPlan   *self);
guint64                    kiln_flash_plan_get_program_bytes (KilnFlashPlan  *self);
/* Of the program bytes, those in units that are not all 0xFF. */
guint64                    kiln_flash_plan_get_program_units_bytes (KilnFlashPlan *self);
guint64                    kiln_flash_plan_get_link_bytes   (KilnFlashPlan   *self);
/* The flash's busy time: erases not known to be unneeded, and units that
 * are not all 0xFF. */
double                     kiln_flash_plan_get_flash_seconds (KilnFlashPlan  *self);
/* The link's time to carry kiln_flash_plan_get_link_bytes(). */
double                     kiln_flash_plan_get_link_seconds (KilnFlashPlan   *self);
/* The longer of the two (the link streams while the flash works), plus the
 * fixed costs (connect, loader, comparing and checking on the target,
 * reset); 0 when nothing is to be written. */
double                     kiln_flash_plan_get_estimated_seconds (KilnFlashPlan *self);
/* "3 sectors will be erased and written (416 KiB), 5 untouched · about 2.4 s",
 * and before the comparison on the target what the estimate assumes. */
char                      *kiln_flash_plan_dup_summary      (KilnFlashPlan   *self);
/* One JSON object: chip, psize, sectors[], ranges[], ram_segments[], totals. */
char                      *kiln_flash_plan_to_json          (KilnFlashPlan   *self);

G_END_DECLS
