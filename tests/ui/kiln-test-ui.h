/* kiln-test-ui.h — the main loop and pictures for the UI tests
 * (tests/ui, tests/production)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

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

G_END_DECLS
