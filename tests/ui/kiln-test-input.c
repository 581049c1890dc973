/* kiln-test-input.c — real key presses and clicks for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk/x11/gdkx.h>

#include "kiln-test-input.h"
#include "kiln-test-ui.h"

static void
xdotool (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) "xdotool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xdotool %s failed: %s", args[0], err);
}

static char *
dup_xid (GtkWidget *widget)
{
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (widget));

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  return g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
}

static gboolean
has_focus (gpointer data)
{
  return gtk_window_is_active (data);
}

static void
focus (GtkWindow *window)
{
  g_autofree char *xid = dup_xid (GTK_WIDGET (window));
  const char *args[] = { "windowfocus", "--sync", xid, NULL };

  if (gtk_window_is_active (window))
    return;
  xdotool (args);
  g_assert_true (kiln_test_spin_until (has_focus, window, 20000));
}

/* Runs the main loop until the X server has answered a round trip, so that
 * every event it sent before (the keys, the clicks) has been handled. */
static void
flush (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);

  gdk_display_sync (display);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
kiln_test_input_keys (GtkWindow  *window,
                      const char *keys)
{
  g_auto(GStrv) names = g_strsplit (keys, " ", -1);

  focus (window);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *args[] = { "key", "--clearmodifiers", names[i], NULL };

      xdotool (args);
      flush (GTK_WIDGET (window));
    }
}

void
kiln_test_input_hold_key (GtkWindow  *window,
                          const char *key,
                          guint       ms)
{
  const char *down[] = { "keydown", key, NULL };
  const char *up[] = { "keyup", key, NULL };

  focus (window);
  xdotool (down);
  kiln_test_spin (ms);
  xdotool (up);
  flush (GTK_WIDGET (window));
}

/* Where @widget's point (@wx, @wy) is on the X screen (root window
 * coordinates); the window is given the focus, as a hand on the mouse
 * gives it. */
static void
screen_point (GtkWidget *widget,
              double     wx,
              double     wy,
              int       *x,
              int       *y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = gtk_native_get_surface (native);
  Display *xdisplay = gdk_x11_display_get_xdisplay (gtk_widget_get_display (widget));
  graphene_point_t at = GRAPHENE_POINT_INIT (wx, wy);
  graphene_point_t point;
  double sx, sy;
  Window child;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (GDK_IS_X11_SURFACE (surface));
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &at, &point));
  gtk_native_get_surface_transform (native, &sx, &sy);
  g_assert_true (XTranslateCoordinates (xdisplay, gdk_x11_surface_get_xid (surface), DefaultRootWindow (xdisplay),
                                        (int) (point.x + sx), (int) (point.y + sy), x, y, &child));
  if (GTK_IS_WINDOW (native))
    focus (GTK_WINDOW (native));
}

/* Puts the pointer at (@x, @y) on the screen and waits until the X server
 * has moved it. xdotool's `mousemove --sync` (3.20160805, Debian 12) waits
 * for the pointer to leave where it was, so to the place it already is it
 * waits out its own limit (15 s, then carries on): a second click on the
 * same spot cost 15 s. There the pointer first moves one pixel aside and
 * back, as a hand does: a window that appeared under a still pointer
 * (the next dialog's button where the last one's was) is then entered by
 * it, and takes the click; without the motion GTK gave it to nobody. */
static void
pointer_to (GtkWidget *widget,
            int        x,
            int        y)
{
  Display *xdisplay = gdk_x11_display_get_xdisplay (gtk_widget_get_display (widget));
  g_autofree char *sx = g_strdup_printf ("%d", x);
  g_autofree char *sy = g_strdup_printf ("%d", y);
  const char *args[] = { "mousemove", "--sync", sx, sy, NULL };
  Window root, child;
  int px, py, cx, cy;
  unsigned int mask;

  g_assert_true (XQueryPointer (xdisplay, DefaultRootWindow (xdisplay), &root, &child, &px, &py, &cx, &cy, &mask));
  if (px == x && py == y)
    {
      g_autofree char *ax = g_strdup_printf ("%d", x > 0 ? x - 1 : x + 1);
      const char *aside[] = { "mousemove", "--sync", ax, sy, NULL };

      xdotool (aside);
      flush (widget);
    }
  xdotool (args);
}

void
kiln_test_input_click_at (GtkWidget *widget,
                          double     wx,
                          double     wy,
                          guint      button,
                          guint      n_clicks)
{
  g_autofree char *b = g_strdup_printf ("%u", button);
  g_autofree char *n = g_strdup_printf ("%u", n_clicks);
  const char *args[] = { "click", "--repeat", n, "--delay", "80", b, NULL };
  int x, y;

  screen_point (widget, wx, wy, &x, &y);
  pointer_to (widget, x, y);
  xdotool (args);
  flush (widget);
}

void
kiln_test_input_drag (GtkWidget *widget,
                      double     wx,
                      double     wy,
                      double     dx,
                      double     dy)
{
  const char *down[] = { "mousedown", "1", NULL };
  const char *up[] = { "mouseup", "1", NULL };
  int x, y;

  screen_point (widget, wx, wy, &x, &y);
  pointer_to (widget, x, y);
  xdotool (down);
  flush (widget);
  /* In steps, as a hand moves: each motion is handled before the next. */
  for (guint step = 1; step <= 5; step++)
    {
      g_autofree char *mx = g_strdup_printf ("%d", (int) (x + dx * step / 5));
      g_autofree char *my = g_strdup_printf ("%d", (int) (y + dy * step / 5));
      const char *args[] = { "mousemove", mx, my, NULL };

      xdotool (args);
      flush (widget);
      kiln_test_spin (20);
    }
  xdotool (up);
  flush (widget);
}

void
kiln_test_input_click (GtkWidget *widget)
{
  kiln_test_input_click_at (widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0, 1, 1);
}

void
kiln_test_input_type (GtkWindow  *window,
                      const char *text)
{
  const char *args[] = { "type", "--delay", "20", text, NULL };

  focus (window);
  xdotool (args);
  flush (GTK_WIDGET (window));
}
