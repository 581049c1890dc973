/* kiln-test-input.h — real input for the UI tests: key presses and clicks
 * delivered to a window under Xvfb through the X server (XTest, by
 * xdotool), so that they travel the same way as a person's: through the
 * focused widget, its key bindings and the window's controllers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Gives @window the X input focus and presses @keys (xdotool key names,
 * "space", "Return", "ctrl+p", "F1"), one after the other. */
void     kiln_test_input_keys   (GtkWindow   *window,
                                 const char  *keys);
/* Holds @key down for @ms milliseconds of the main loop, as a slow machine
 * may between xdotool's press and release. */
void     kiln_test_input_hold_key (GtkWindow *window,
                                   const char *key,
                                   guint      ms);
/* Moves the pointer to the middle of @widget and clicks the first button. */
void     kiln_test_input_click  (GtkWidget   *widget);
/* Moves the pointer to (@x, @y) in @widget's coordinates and clicks
 * @button (1 the first, 3 the context menu's) @n_clicks times. */
void     kiln_test_input_click_at (GtkWidget *widget,
                                   double     x,
                                   double     y,
                                   guint      button,
                                   guint      n_clicks);
/* Presses the first button at (@x, @y) in @widget's coordinates, moves the
 * pointer by (@dx, @dy) in a few steps and lets go: a drag. */
void     kiln_test_input_drag   (GtkWidget   *widget,
                                 double       x,
                                 double       y,
                                 double       dx,
                                 double       dy);
/* Gives @window the X input focus and types @text as keys. */
void     kiln_test_input_type   (GtkWindow   *window,
                                 const char  *text);

G_END_DECLS
