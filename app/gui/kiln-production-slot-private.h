/* kiln-production-slot-private.h — one probe of the production view: its own
 * session (worker thread), its own state, READY / PROGRAMMING / PASS / FAIL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-production-job.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_PRODUCTION_SLOT_READY,
  KILN_PRODUCTION_SLOT_WAITING,      /* armed: waits for a board to be powered */
  KILN_PRODUCTION_SLOT_PROGRAMMING,
  KILN_PRODUCTION_SLOT_PASS,
  KILN_PRODUCTION_SLOT_FAIL,
  KILN_PRODUCTION_SLOT_NOT_READY,    /* no profile: nothing can start */
} KilnProductionSlotState;

#define KILN_TYPE_PRODUCTION_SLOT (kiln_production_slot_get_type ())

G_DECLARE_FINAL_TYPE (KilnProductionSlot, kiln_production_slot, KILN, PRODUCTION_SLOT, AdwBin)

/* The slot sees boards come and go through the probe only (on the bench,
 * its line advances by itself: core/sim/README.md). */
KilnProductionSlot     *kiln_production_slot_new          (KilnUsbProbeInfo      *info,
                                                           guint                  number);
KilnProductionSlotState kiln_production_slot_get_state    (KilnProductionSlot    *self);
gboolean                kiln_production_slot_is_busy      (KilnProductionSlot    *self);
/* Programs the board in front of the probe now. */
void                    kiln_production_slot_start        (KilnProductionSlot    *self,
                                                           KilnProductionJob     *job);
/* Waits until a board is taken out (when @after_removal) and one is powered,
 * then emits "board-ready". */
void                    kiln_production_slot_arm          (KilnProductionSlot    *self,
                                                           gboolean               after_removal);
/* The line starts each board by itself, once the probe has seen the last
 * one taken away and the next one powered. */
void                    kiln_production_slot_set_auto_start (KilnProductionSlot *self,
                                                             gboolean            auto_start);
/* Smaller type, for several slots side by side. */
void                    kiln_production_slot_set_compact  (KilnProductionSlot    *self,
                                                           gboolean               compact);
/* Larger pictograms, for a large screen (the type follows the window's
 * "large" style class). */
void                    kiln_production_slot_set_large    (KilnProductionSlot    *self,
                                                           gboolean               large);
void                    kiln_production_slot_cancel       (KilnProductionSlot    *self);
/* Stops waiting for a board (a job in progress goes on). */
void                    kiln_production_slot_disarm       (KilnProductionSlot    *self);
KilnUsbProbeInfo       *kiln_production_slot_get_info     (KilnProductionSlot    *self);
/* The worker of the slot's probe (jobs queued there run one after another). */
KilnSession            *kiln_production_slot_get_session  (KilnProductionSlot    *self);
/* The last board's entry in the record, or NULL. */
const KilnProductionEntry *kiln_production_slot_get_entry (KilnProductionSlot    *self);
/* A board's FAIL stays until the operator confirms it with a key: until
 * then the slot starts nothing. */
gboolean                kiln_production_slot_needs_ack    (KilnProductionSlot    *self);
/* Confirms the FAIL shown; FALSE if there was none to confirm. */
gboolean                kiln_production_slot_acknowledge  (KilnProductionSlot    *self);
/* The action a FAIL asks of the operator (its pictogram), else NONE. */
KilnProductionAction    kiln_production_slot_get_action   (KilnProductionSlot    *self);
/* Shows what keeps the slot from starting (NULL: nothing): as a FAIL that
 * stops the line with @failure, else as NOT READY (no profile open yet). */
void                    kiln_production_slot_set_blocked  (KilnProductionSlot    *self,
                                                           const char            *message,
                                                           gboolean               failure);

G_END_DECLS
