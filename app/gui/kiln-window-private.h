/* kiln-window-private.h — Kiln's main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-memory-map-private.h"
#include "kiln-probe-selector-private.h"
#include "kiln-progress.h"

G_BEGIN_DECLS

#define KILN_TYPE_WINDOW (kiln_window_get_type ())

G_DECLARE_FINAL_TYPE (KilnWindow, kiln_window, KILN, WINDOW, AdwApplicationWindow)

KilnWindow    *kiln_window_new              (AdwApplication *application);
/* Loads @file in a worker thread; the window shows the result when done. */
void           kiln_window_open_file        (KilnWindow     *self,
                                             GFile          *file);
/* Loads a raw binary at @base without asking. */
void           kiln_window_open_file_at     (KilnWindow     *self,
                                             GFile          *file,
                                             guint32         base);
/* Chooses the target chip by its name in the chip database (used with no
 * probe attached, e.g. on the simulator). Returns FALSE if unknown. */
gboolean       kiln_window_set_chip_name    (KilnWindow     *self,
                                             const char     *name);
/* Opens the sample firmware of the simulated bench, if it was built. */
void           kiln_window_open_sample      (KilnWindow     *self);
void           kiln_window_set_dual_bank    (KilnWindow     *self,
                                             gboolean        dual_bank);
void           kiln_window_set_simulator    (KilnWindow     *self,
                                             gboolean        simulator);
void           kiln_window_log              (KilnWindow     *self,
                                             const char     *format,
                                             ...) G_GNUC_PRINTF (2, 3);

/* The job layer's plug point: show a running job's progress events
 * (phases, bytes, sector states, messages, the result); Cancel (Escape)
 * cancels @cancellable. */
void           _kiln_window_watch_progress  (KilnWindow     *self,
                                             KilnProgress   *progress,
                                             GCancellable   *cancellable);

/* For tests */
KilnMemoryMap *_kiln_window_get_memory_map  (KilnWindow     *self);
const char    *_kiln_window_get_page        (KilnWindow     *self);
const char    *_kiln_window_get_plan_text   (KilnWindow     *self);
const char    *_kiln_window_get_error_text  (KilnWindow     *self);
gboolean       _kiln_window_is_loading      (KilnWindow     *self);
gboolean       _kiln_window_can_program     (KilnWindow     *self);
const char    *_kiln_window_get_result_text (KilnWindow     *self);
/* The live target's UID once identified, else NULL. */
const char    *_kiln_window_get_target_uid  (KilnWindow     *self);
gboolean       _kiln_window_is_identifying  (KilnWindow     *self);
/* Every visible row of the target panel, "Title: subtitle" per line. */
char          *_kiln_window_dup_target_text (KilnWindow     *self);
KilnProbeSelector *_kiln_window_get_probe_selector (KilnWindow *self);
/* The suggested step offered beside the result or under the target, or
 * NULL when none is shown. */
const char    *_kiln_window_get_result_action (KilnWindow   *self);
const char    *_kiln_window_get_target_action (KilnWindow   *self);
/* What Read… does once its file is chosen. */
void           _kiln_window_read_to_file    (KilnWindow     *self,
                                             GFile          *file);

G_END_DECLS
