/* kiln-test-ui.h — the main loop and pictures for the UI tests
 * (tests/ui, tests/production)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* What every window test does before anything else: GTK's test set-up,
 * libadwaita, no animations (each software-rendered frame costs tens of
 * milliseconds under Xvfb, and the tests measure Kiln's own work), and,
 * when KILN_TEST_LOCALEDIR names the build tree's po/ (with LANGUAGE=de),
 * the windows in that language for looking at screenshots. */
void            kiln_test_ui_init        (int           *argc,
                                          char        ***argv);
/* A non-unique application @id with Kiln's resources, registered and made
 * the default application (windows find their actions and settings there). */
AdwApplication *kiln_test_ui_application (const char    *id);
/* @app registered and made the default application. */
void            kiln_test_ui_register    (GApplication  *app);

typedef gboolean (*KilnTestCondition) (gpointer data);

/* Runs the main loop for @ms milliseconds (lets frames be drawn; nothing
 * may be asserted on what happened in that time alone). */
void     kiln_test_spin             (guint              ms);
/* Runs the main loop until @cond holds; FALSE after @timeout_ms. The
 * timeout only bounds a hang: nothing is asserted on how fast it holds. */
gboolean kiln_test_spin_until       (KilnTestCondition  cond,
                                     gpointer           data,
                                     guint              timeout_ms);
/* Runs the main loop until @widget is mapped, has a size and its window
 * has drawn a frame since the call: what it shows now is on screen. */
void     kiln_test_wait_drawn       (GtkWidget         *widget);
/* With KILN_SCREENSHOT_DIR set, saves a PNG of @widget as drawn there. */
void     kiln_test_save_screenshot  (GtkWidget         *widget,
                                     const char        *name);

/* Whether @widget is the one a search looks for. */
typedef gboolean (*KilnTestWidgetMatch) (GtkWidget     *widget,
                                         gconstpointer  data);

/* The first descendant of @root (depth first, @root itself left out) for
 * which @match holds, or %NULL. */
GtkWidget *kiln_test_find_widget    (GtkWidget          *root,
                                     KilnTestWidgetMatch match,
                                     gconstpointer       data);
/* The first descendant of @root that is a @type, or %NULL. */
GtkWidget *kiln_test_find_type      (GtkWidget          *root,
                                     GType               type);
/* The first descendant of @root whose action is @action, or %NULL. */
GtkWidget *kiln_test_find_actionable (GtkWidget         *root,
                                      const char        *action);
/* The first visible toplevel window that is a @type, or %NULL. */
GtkWindow *kiln_test_find_toplevel  (GType               type);
/* Runs the main loop until a visible toplevel that is a @type exists
 * (fails the test after @timeout_ms) and is drawn; returns it. */
GtkWindow *kiln_test_wait_toplevel  (GType               type,
                                     guint               timeout_ms);

G_END_DECLS
