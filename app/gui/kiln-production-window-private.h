/* kiln-production-window-private.h — the production station: a signed
 * profile, one slot per probe, READY / PROGRAMMING / PASS / FAIL filling the
 * window, the shift's counters, the record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-production-line-private.h"
#include "kiln-production-lockdown-private.h"
#include "kiln-production-slot-private.h"
#include "kiln-usb-monitor.h"

G_BEGIN_DECLS

#define KILN_TYPE_PRODUCTION_WINDOW (kiln_production_window_get_type ())

G_DECLARE_FINAL_TYPE (KilnProductionWindow, kiln_production_window, KILN, PRODUCTION_WINDOW, AdwApplicationWindow)

/* The station is written in two files that share this state:
 * kiln-production-window.c (the object, its slots, the keys that start
 * them, the counters) and kiln-production-window-actions.c (the profile
 * being opened and the header's actions: open, export, the line view,
 * the profile editor, leaving operator mode). */
struct _KilnProductionWindow
{
  AdwApplicationWindow   parent_instance;

  AdwWindowTitle        *window_title;
  GtkSwitch             *auto_switch;
  GtkWidget             *auto_box;
  GtkWidget             *open_button;
  GtkWidget             *export_button;
  GtkWidget             *operator_button;
  GtkLabel              *file_label;
  GtkLabel              *last_label;
  GtkWidget             *counters_box;
  GtkLabel              *pass_count_label;
  GtkLabel              *fail_count_label;
  GtkLabel              *yield_count_label;
  GtkBox                *slots_box;
  AdwStatusPage         *no_probe_page;
  GtkLabel              *hint_label;
  GtkEntry              *operator_entry;

  gboolean               simulator;
  char                  *record_path;
  char                  *station;
  KilnSimBench          *bench;
  KilnUsbMonitor        *monitor;
  KilnProductionProfile *profile;
  KilnProductionRecord  *record;
  KilnSerialAllocator   *allocator;
  GPtrArray             *slots;       /* KilnProductionSlot */
  char                  *problem;     /* why nothing can start, or NULL */
  gboolean               problem_fails; /* shown as FAIL (else as a hint) */
  guint                  next_slot;   /* the number the next slot gets */
  guint                  passed;
  guint                  failed;
  GHashTable            *first_outcome; /* chip UID → its first board's PASS */
  guint                  first_passed;  /* boards that passed the first time */
  GCancellable          *start_cancellable; /* probes being found; NULL once ready */
  KilnProductionLockdown *lockdown;   /* operator mode */
  gboolean               large;       /* a large screen: larger type */
  guint                  large_idle;
  KilnProductionLine    *line;        /* the line database of the settings */
};

/* kiln-production-window.c: the slots show the profile's or the line
 * database's problem (or none), and the hint under them follows. */
void _kiln_production_window_update_blocked       (KilnProductionWindow *self);
/* kiln-production-window-actions.c */
void _kiln_production_window_class_actions_init   (GtkWidgetClass       *widget_class);

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
/* Who runs the station, kept in each board's record (NULL or "": nobody named). */
void                  kiln_production_window_set_operator (KilnProductionWindow *self,
                                                           const char           *operator_name);
/* A signed profile with [operator] mode = true was opened and the engineer's
 * password or key has not been given since. */
gboolean              kiln_production_window_get_operator_mode (KilnProductionWindow *self);
/* The simulated bench, or NULL. */
KilnSimBench         *kiln_production_window_get_bench    (KilnProductionWindow *self);

G_END_DECLS
