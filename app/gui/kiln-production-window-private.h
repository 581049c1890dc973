/* kiln-production-window-private.h — the production station: a signed
 * profile, one slot per probe, READY / PROGRAMMING / PASS / FAIL filling the
 * window, the shift's counters, the record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-production-slot-private.h"

G_BEGIN_DECLS

#define KILN_TYPE_PRODUCTION_WINDOW (kiln_production_window_get_type ())

G_DECLARE_FINAL_TYPE (KilnProductionWindow, kiln_production_window, KILN, PRODUCTION_WINDOW, AdwApplicationWindow)

/* @simulator: the simulated boards ($KILN_SIM or the built-in bench) beside
 * any real probe. @record_path NULL: production.db in Kiln's data folder. */
KilnProductionWindow *kiln_production_window_new          (AdwApplication       *application,
                                                           gboolean              simulator,
                                                           const char           *record_path);
/* Opens a profile; a profile not signed by a trusted key, or whose file changed, is
 * shown as the reason nothing can start. */
gboolean              kiln_production_window_open_profile (KilnProductionWindow *self,
                                                           const char           *path,
                                                           GError              **error);
/* Space / Enter: every idle slot programs the board in front of it. */
void                  kiln_production_window_start        (KilnProductionWindow *self);
void                  kiln_production_window_set_auto_start (KilnProductionWindow *self,
                                                             gboolean              auto_start);
/* The probes (and the simulated bench) have been found. */
gboolean              kiln_production_window_is_ready     (KilnProductionWindow *self);
guint                 kiln_production_window_get_n_slots  (KilnProductionWindow *self);
KilnProductionSlot   *kiln_production_window_get_slot     (KilnProductionWindow *self,
                                                           guint                 index);
void                  kiln_production_window_get_counts   (KilnProductionWindow *self,
                                                           guint                *passed,
                                                           guint                *failed);
KilnProductionRecord *kiln_production_window_get_record   (KilnProductionWindow *self);
/* A signed profile with [operator] mode = true was opened and the engineer's
 * password has not been given since. */
gboolean              kiln_production_window_get_operator_mode (KilnProductionWindow *self);
/* The simulated bench, or NULL. */
KilnSimBench         *kiln_production_window_get_bench    (KilnProductionWindow *self);

G_END_DECLS
