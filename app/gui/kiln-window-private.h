/* kiln-window-private.h — Kiln's main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-chip.h"
#include "kiln-flash-job.h"
#include "kiln-flash-plan.h"
#include "kiln-identify-job.h"
#include "kiln-job-meter.h"
#include "kiln-image.h"
#include "kiln-memory-map-private.h"
#include "kiln-memory-view-private.h"
#include "kiln-probe-selector-private.h"
#include "kiln-progress.h"

G_BEGIN_DECLS

typedef enum
{
  JOB_PROGRAM,
  JOB_VERIFY,
  JOB_ERASE,
  JOB_READ,
} KilnWindowJob;

/* A log line's level, most severe first: the log shows the chosen level
 * and those above it (the order of the Show list and of the "log-level"
 * setting). */
typedef enum
{
  KILN_LOG_ERROR,
  KILN_LOG_WARNING,
  KILN_LOG_INFO,
  KILN_LOG_DEBUG,
} KilnLogLevel;

#define KILN_TYPE_WINDOW (kiln_window_get_type ())

G_DECLARE_FINAL_TYPE (KilnWindow, kiln_window, KILN, WINDOW, AdwApplicationWindow)

/* The window is written in four files that share this state: kiln-window.c
 * (the object, the chip and the plan), kiln-window-file.c (loading, reload,
 * recent files, drop, the log), kiln-window-target.c (the probe and the live
 * target panel) and kiln-window-jobs.c (jobs, their dialogs and progress). */
struct _KilnWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GFile                *file;
  KilnImage            *image;
  KilnChip             *chip;
  KilnFlashPlan        *plan;
  GFileMonitor         *monitor;
  GCancellable         *load_cancellable;
  guint                 reload_source;
  gboolean              simulator;
  KilnProgress         *progress;
  KilnJobMeter         *meter;     /* the running job's overall progress */
  GCancellable         *job_cancellable;
  gint64                job_started;
  char                 *error_text;
  char                 *last_message; /* the running job's latest summary */
  char                 *last_toast;   /* the text of the last toast raised */
  KilnSimBench         *bench;     /* the simulated board, when a probe of it is used */
  KilnUsbProbeInfo     *probe;     /* the probe chosen, NULL: none */
  KilnSession          *session;   /* the worker that owns the probe */
  KilnFlashJob         *running_job; /* owned by the window until its result is shown */
  /* A job's result is shown once both its progress said it finished and the
   * worker handed the job back (a flash job's result names the sectors it
   * left half-written). */
  gboolean              progress_done;
  gboolean              worker_done;
  GError               *job_error;
  /* What Retry runs again: the last job and its arguments. */
  KilnWindowJob         last_job_kind;
  gboolean              plan_checked;
  char                 *file_detail;   /* the file's size: "96.0 KiB in 1 segment" */  /* the header says the plan after the comparison */
  char                 *last_sectors;
  GFile                *last_file;
  gboolean              banner_is_target;
  guint32               read_address;     /* what Read… reads */
  guint32               read_length; /* the result banner says why the target cannot be read */
  KilnIdentifyJob      *target;    /* what the last identification found */
  char                 *target_serial; /* through the probe with this serial */
  char                 *target_error;
  GError               *target_gerror;
  gboolean              identifying;
  gboolean              identify_again;
  gboolean              disposed;
  KilnMemoryView       *memory_view;   /* weak: the open memory view, or NULL */
  GArray               *log_entries;   /* every log line, of any level */
  KilnLogLevel          log_level;     /* the least severe level shown */
  guint                 log_to_end;    /* idle: scroll the log to its end */
  gboolean              log_follow;    /* the log follows its newest line */
  double                log_seen[3];   /* its adjustment's value, upper and page size, as last seen */

  /* Template widgets */
  KilnProbeSelector    *probe_selector;
  GtkSpinner           *identify_spinner;
  AdwActionRow         *chip_row;
  AdwActionRow         *uid_row;
  AdwActionRow         *voltage_row;
  AdwActionRow         *rdp_row;
  AdwActionRow         *wrp_row;
  AdwActionRow         *probe_row;
  GtkLabel             *target_status;
  GtkWidget            *option_bytes_button;
  GtkButton            *target_action;
  GtkWidget            *choose_probe_button;
  GtkWidget            *udev_help_button;
  GtkButton            *result_action;
  GtkWidget            *no_probe_box;
  AdwWindowTitle       *window_title;
  AdwToastOverlay      *toast_overlay;
  AdwComboRow          *chip_combo;
  GtkStringList        *chip_list;
  AdwActionRow         *dual_bank_row;
  GtkSwitch            *dual_bank_switch;
  AdwActionRow         *line_row;
  AdwActionRow         *flash_row;
  AdwActionRow         *ram_row;
  GtkLabel             *no_probe_title;
  GtkLabel             *no_probe_description;
  GtkButton            *simulator_button;
  GtkStack             *file_stack;
  AdwStatusPage        *error_page;
  GtkLabel             *file_label;
  GtkLabel             *flash_label;
  KilnMemoryMap        *memory_map;
  GtkToggleButton      *select_button;
  GtkButton            *erase_ticked_button;
  GtkLabel             *plan_label;
  GtkButton            *program_button;
  GtkButton            *verify_button;
  GtkButton            *erase_button;
  GtkButton            *read_button;
  GtkButton            *cancel_button;
  GtkLabel             *action_hint;
  GtkRevealer          *progress_revealer;
  GtkLabel             *phase_label;
  GtkProgressBar       *progress_bar;
  GtkLabel             *progress_label;
  GtkRevealer          *result_revealer;
  GtkBox               *result_box;
  GtkImage             *result_icon;
  GtkLabel             *result_label;
  GtkTextView          *log_view;
  GtkExpander          *log_expander;
  GtkWidget            *log_handle;
  GtkScrolledWindow    *log_scroller;
  GtkWidget            *content_box;      /* the page above the actions and the log */
  int                   log_drag_height;  /* the log's height when a drag began */
  int                   log_drag_most;    /* and the most it may have in that drag */
  double                log_drag_start_y; /* where it began, in the window */
  GtkDropDown          *log_level_dropdown;
  GMenu                *recent_section;
};

/* kiln-window.c */
void           _kiln_window_update_actions  (KilnWindow     *self);
/* Hides the last job's result (the file, target or plan changed). */
void           _kiln_window_clear_result    (KilnWindow     *self);
void           _kiln_window_toast           (KilnWindow     *self,
                                             const char     *text);
const char    *_kiln_window_get_last_toast  (KilnWindow     *self);
/* The Target panel's chip rows and the map's layout, from self->chip. */
void           _kiln_window_update_chip     (KilnWindow     *self);
/* The plan of the loaded file on self->chip, drawn on the map. */
void           _kiln_window_update_plan     (KilnWindow     *self);
/* The chip the user picked in the Target panel, unless a live target decides. */
void           _kiln_window_chip_selected   (KilnWindow     *self);

/* kiln-window-file.c */
void           _kiln_window_class_init_file (GtkWidgetClass *widget_class);
void           _kiln_window_init_file       (KilnWindow     *self);

/* kiln-window-log.c: the log, its levels, Copy Log and Save Log… */
void           _kiln_window_class_init_log  (GtkWidgetClass *widget_class);
void           _kiln_window_init_log        (KilnWindow     *self);
void           _kiln_window_dispose_log     (KilnWindow     *self);
void           _kiln_window_finalize_log    (KilnWindow     *self);
/* A job's message level (KilnProgressMessageLevel) as the log's. */
KilnLogLevel   _kiln_window_log_level_from_progress (guint    level);
KilnLogLevel   _kiln_window_get_log_level   (KilnWindow     *self);

/* kiln-window-log-size.c: the log's height, dragged and remembered */
void           _kiln_window_class_init_log_size (GtkWidgetClass *widget_class);
void           _kiln_window_init_log_size   (KilnWindow     *self);

/* kiln-window-target.c */
void           _kiln_window_class_init_target (GtkWidgetClass *widget_class);
void           _kiln_window_init_target     (KilnWindow     *self);
/* Reads the target again on the session's worker (once more if busy). */
void           _kiln_window_identify        (KilnWindow     *self);
/* Shows on @button the suggested next step for @error, or hides it. */
void           _kiln_window_offer_action    (KilnWindow     *self,
                                             GtkButton      *button,
                                             const GError   *error,
                                             const char     *retry_action);

/* kiln-window-words.c: @error in the window's words (no command-line
 * advice beside the window's own buttons, no probe status codes). */
char          *_kiln_window_dup_error_words (KilnWindow     *self,
                                             const GError   *error);

/* kiln-window-jobs.c */
void           _kiln_window_class_init_jobs (GtkWidgetClass *widget_class);
/* Erases @sectors ("1,3", as people number them) after the caller asked. */
void           _kiln_window_erase_sectors   (KilnWindow     *self,
                                             const char     *sectors);

/* kiln-window-memory.c: the memory view and erasing ticked sectors */
void           _kiln_window_class_init_memory (GtkWidgetClass *widget_class);
void           _kiln_window_init_memory     (KilnWindow     *self);
void           _kiln_window_dispose_memory  (KilnWindow     *self);
/* Opens (or raises) the memory view at @address; NULL without a live chip. */
KilnMemoryView *_kiln_window_show_memory    (KilnWindow     *self,
                                             guint32         address);

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
/* TRUE while the window works on the simulated bench (chosen on the
 * command line or with its "Use the Simulator" button). */
gboolean       kiln_window_uses_simulator   (KilnWindow     *self);
/* A line of the log at the Info level. */
void           kiln_window_log              (KilnWindow     *self,
                                             const char     *format,
                                             ...) G_GNUC_PRINTF (2, 3);
void           kiln_window_log_at           (KilnWindow     *self,
                                             KilnLogLevel    level,
                                             const char     *format,
                                             ...) G_GNUC_PRINTF (3, 4);

/* The job layer's plug point: show a running job's progress events
 * (phases, bytes, sector states, messages, the result); Cancel (Escape)
 * cancels @cancellable. */
void           _kiln_window_watch_progress  (KilnWindow     *self,
                                             KilnProgress   *progress,
                                             GCancellable   *cancellable);

/* For tests */
KilnMemoryMap *_kiln_window_get_memory_map  (KilnWindow     *self);
void           _kiln_window_set_log_expanded (KilnWindow    *self,
                                              gboolean       expanded);
/* The running job's overall bar and its line, or 0 and NULL. */
double         _kiln_window_get_progress_fraction (KilnWindow *self);
const char    *_kiln_window_get_progress_text (KilnWindow   *self);
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
/* Everything the log shows (the lines at its level and above), one line
 * per entry. */
char          *_kiln_window_dup_log_text    (KilnWindow     *self);
void           _kiln_window_show_file_line  (KilnWindow     *self);
/* Whether the log follows its newest line (the reader has not scrolled up). */
gboolean       _kiln_window_get_log_follows (KilnWindow     *self);
/* What Read… does once its file is chosen: the whole flash, or a range. */
void           _kiln_window_read_to_file    (KilnWindow     *self,
                                             GFile          *file);
void           _kiln_window_read_range_to_file (KilnWindow  *self,
                                             GFile          *file,
                                             guint32         address,
                                             guint32         length);

/* kiln-window-read.c: Read… asks for a range, then a file. */
void           _kiln_window_class_init_read (GtkWidgetClass *widget_class);
/* The name Read… suggests for @address and @length (no slashes). */
char          *_kiln_window_dup_read_name   (KilnWindow     *self,
                                             guint32         address,
                                             guint32         length);
/* Reads "0x08000000" and "64K" / "0x10000" as a range of the chip's
 * flash or RAM; FALSE with the reason in words otherwise. */
gboolean       _kiln_window_parse_range     (KilnWindow     *self,
                                             const char     *address_text,
                                             const char     *length_text,
                                             guint32        *address,
                                             guint32        *length,
                                             GError        **error);

G_END_DECLS
