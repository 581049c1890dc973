/* kiln-window-log-size.c — the log's height: a handle above the log that a
 * drag (or the arrow keys on it) moves, remembered in GSettings
 *
 * Not a GtkPaned: under GTK 4.8 a paned with the log as its end child kept
 * clicks on the log's "Log" title from folding it. The paned's drag gesture
 * runs in the capture phase on the paned itself, before any gesture of its
 * children, and the handle's hit area reaches 6 px past its line; the title
 * sat right under the line. This handle is a widget of its own with its own
 * gesture, beside the expander rather than above it, so it can only ever
 * take presses on itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-window-private.h"

/* Three lines (the log's default); the map keeps at least MAP_KEEP px in
 * view, or with no map shown, the page above the log CONTENT_KEEP px. */
#define LOG_LEAST     60
#define MAP_KEEP      80
#define CONTENT_KEEP 200
#define KEY_STEP      24

/* The tallest the log may be now: what it has, and what the map's view (or
 * the page) can give up while keeping its least. */
static int
log_most (KilnWindow *self)
{
  GtkWidget *map_view = gtk_widget_get_ancestor (GTK_WIDGET (self->memory_map), GTK_TYPE_SCROLLED_WINDOW);
  int log_h = gtk_widget_get_height (GTK_WIDGET (self->log_scroller));

  if (map_view != NULL && gtk_widget_get_mapped (map_view))
    return MAX (LOG_LEAST, log_h + gtk_widget_get_height (map_view) - MAP_KEEP);
  return MAX (LOG_LEAST, log_h + gtk_widget_get_height (self->content_box) - CONTENT_KEEP);
}

static void
set_log_height (KilnWindow *self,
                int         height,
                int         most)
{
  height = CLAMP (height, LOG_LEAST, MAX (most, LOG_LEAST));
  gtk_scrolled_window_set_min_content_height (self->log_scroller, height);
}

static void
save_log_height (KilnWindow *self)
{
  g_settings_set_int (self->settings, "log-height",
                      gtk_scrolled_window_get_min_content_height (self->log_scroller));
}

/* The pointer's height in the window: the handle moves under it as the
 * log grows, so the drag's own offsets (in the handle's coordinates) would
 * fall behind the hand. */
static double
pointer_y_in_window (KilnWindow *self,
                     double      x,
                     double      y)
{
  graphene_point_t point;

  if (!gtk_widget_compute_point (self->log_handle, GTK_WIDGET (self), &GRAPHENE_POINT_INIT (x, y), &point))
    return y;
  return point.y;
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               KilnWindow     *self)
{
  self->log_drag_height = gtk_widget_get_height (GTK_WIDGET (self->log_scroller));
  self->log_drag_most = log_most (self);
  self->log_drag_start_y = pointer_y_in_window (self, x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* Up makes the log taller: the handle follows the pointer. */
static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                KilnWindow     *self)
{
  double x, y;

  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  dy = pointer_y_in_window (self, x + dx, y + dy) - self->log_drag_start_y;
  set_log_height (self, self->log_drag_height - (int) dy, self->log_drag_most);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             KilnWindow     *self)
{
  save_log_height (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                KilnWindow            *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self->log_scroller));

  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_KP_Up:
      set_log_height (self, height + KEY_STEP, log_most (self));
      break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down:
      set_log_height (self, height - KEY_STEP, log_most (self));
      break;
    default:
      return FALSE;
    }
  save_log_height (self);
  return TRUE;
}

void
_kiln_window_class_init_log_size (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, log_handle);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, log_scroller);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, content_box);
}

void
_kiln_window_init_log_size (KilnWindow *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();
  int saved = g_settings_get_int (self->settings, "log-height");
  int window_h = g_settings_get_int (self->settings, "window-height");

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (self->log_handle, GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (self->log_handle, keys);

  /* The handle is there while the log is open. */
  g_object_bind_property (self->log_expander, "expanded", self->log_handle, "visible",
                          G_BINDING_SYNC_CREATE);
  /* The height the log was given last time, as far as the window the
   * settings restore leaves the map its room (the rest of the window takes
   * about 540 px at 1024×600 with the log at its least). */
  set_log_height (self, saved, MAX (LOG_LEAST, window_h - 540 + LOG_LEAST));
}
