/* kiln-arm-target.h — the Cortex-M target behind a probe: what chip it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-error.h"
#include "kiln-chip.h"
#include "kiln-stlink.h"

G_BEGIN_DECLS

#define KILN_TYPE_ARM_TARGET (kiln_arm_target_get_type ())

G_DECLARE_FINAL_TYPE (KilnArmTarget, kiln_arm_target, KILN, ARM_TARGET, GObject)

KilnArmTarget *kiln_arm_target_new           (KilnStlink     *stlink);
KilnStlink    *kiln_arm_target_get_stlink    (KilnArmTarget  *self);
/* Reads DBGMCU_IDCODE, the flash-size register, the UID, the package and the
 * option bytes, and resolves the chip in the database. */
gboolean       kiln_arm_target_detect        (KilnArmTarget  *self,
                                              GError        **error);
KilnChip      *kiln_arm_target_get_chip      (KilnArmTarget  *self);
guint16        kiln_arm_target_get_dev_id    (KilnArmTarget  *self);
const char    *kiln_arm_target_get_revision  (KilnArmTarget  *self);
guint32        kiln_arm_target_get_cpuid     (KilnArmTarget  *self);
/* 24 hex digits */
const char    *kiln_arm_target_get_uid       (KilnArmTarget  *self);
guint16        kiln_arm_target_get_package   (KilnArmTarget  *self);
/* 0, 1 or 2 */
guint          kiln_arm_target_get_rdp_level (KilnArmTarget  *self);
guint32        kiln_arm_target_get_optcr     (KilnArmTarget  *self);
guint32        kiln_arm_target_get_optcr1    (KilnArmTarget  *self);
/* Sector positions (in kiln_chip_get_sector order) that are write-protected. */
GArray        *kiln_arm_target_dup_protected (KilnArmTarget  *self);
/* DEMCR as Kiln last wrote it, kept while only Kiln's own code runs on the
 * core (a round trip saved at each start and reset); FALSE when unknown. */
gboolean       kiln_arm_target_get_demcr     (KilnArmTarget  *self,
                                              guint32        *demcr);
void           kiln_arm_target_set_demcr     (KilnArmTarget  *self,
                                              gboolean        known,
                                              guint32         demcr);
/* Whether the core has stood halted since Kiln's reset stopped it at its
 * first instruction (nothing ran since: the fault status registers hold
 * their reset values): set by that reset, cleared by any
 * kiln_arm_target_set_demcr() (every start, resume, step and reset). */
void           kiln_arm_target_set_fresh     (KilnArmTarget  *self);
gboolean       kiln_arm_target_get_fresh     (KilnArmTarget  *self);
/* DEMCR as read when the target was identified, handed to the first reset
 * (which writes it back with its catch set, just before the core resets,
 * so a change the firmware made since is lost only to a firmware that
 * starts again): TRUE once; FALSE after that or once the core was resumed
 * (kiln_arm_target_set_demcr() with @known FALSE). */
gboolean       kiln_arm_target_take_seen_demcr (KilnArmTarget *self,
                                                guint32       *demcr);
/* The supply the probe measured as the connection was made, handed to
 * the first job step that needs it (a round trip saved): TRUE once, with
 * @volts; after that, or when none was measured, FALSE (measure again). */
void           kiln_arm_target_set_supply    (KilnArmTarget  *self,
                                              double          volts);
gboolean       kiln_arm_target_take_supply   (KilnArmTarget  *self,
                                              double         *volts);

G_END_DECLS
