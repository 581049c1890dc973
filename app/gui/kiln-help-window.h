/* kiln-help-window.h — the offline help: task pages in a window of their own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KILN_TYPE_HELP_WINDOW (kiln_help_window_get_type ())
G_DECLARE_FINAL_TYPE (KilnHelpWindow, kiln_help_window, KILN, HELP_WINDOW, AdwWindow)

/* Shows the help on page @page_id (see kiln-help-pages.h; %NULL or an
 * unknown id opens the first page), reusing the help window already open
 * for @parent's application. */
KilnHelpWindow *kiln_help_window_present       (GtkWindow      *parent,
                                                const char     *page_id);
void            kiln_help_window_show_page     (KilnHelpWindow *self,
                                                const char     *page_id);
/* The list of pages, for tests. */
GtkListBox     *kiln_help_window_get_page_list (KilnHelpWindow *self);
/* The page shown, for tests. */
const char     *kiln_help_window_get_page      (KilnHelpWindow *self);

G_END_DECLS
