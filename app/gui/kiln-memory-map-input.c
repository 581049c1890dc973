/* kiln-memory-map-input.c — the memory map under the keyboard and pointer
 *
 * The map takes the keyboard focus; the arrows move it from tile to tile
 * (Up and Down between the banks), Enter or a double click opens the tile's
 * memory ("sector-activated"), and the context menu (right click, Menu or
 * Shift+F10) offers the same and the tick for erasing. In selection mode
 * a click or Space ticks a tile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-memory-map-internal.h"

enum
{
  SECTOR_ACTIVATED,
  TICKS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* In a scrolled window (the main window's, at 1024×600), the focused tile
 * and the lane under it are scrolled into sight. */
static void
scroll_to_tile (KilnMemoryMap *self,
                guint          index)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adj;
  const Sector *s;
  graphene_point_t top, bottom;
  double shift, page;

  if (scroller == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  _kiln_memory_map_compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)));
  s = &g_array_index (self->sectors, Sector, index);
  if (!gtk_widget_compute_point (GTK_WIDGET (self), scroller,
                                 &GRAPHENE_POINT_INIT (0, s->rect.origin.y), &top)
      || !gtk_widget_compute_point (GTK_WIDGET (self), scroller,
                                    &GRAPHENE_POINT_INIT (0, s->rect.origin.y + s->rect.size.height + LANE_HEIGHT),
                                    &bottom))
    return;
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  page = gtk_adjustment_get_page_size (adj);
  /* The scroller shows 0…page of its own height; of a tile taller than
   * that, the top is shown. */
  shift = bottom.y > page ? bottom.y - page : 0;
  if (top.y - shift < 0)
    shift = top.y;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + shift);
}

static void
focus_tile (KilnMemoryMap *self,
            guint          index)
{
  if (index >= self->sectors->len)
    return;
  self->focus = index;
  scroll_to_tile (self, index);
  _kiln_memory_map_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
toggle_tick (KilnMemoryMap *self,
             guint          index)
{
  if (index < self->sectors->len)
    kiln_memory_map_set_ticked (self, index, !g_array_index (self->sectors, Sector, index).ticked);
}

/* The tile of the other bank nearest under or over the focused one. */
static int
tile_in_other_bank (KilnMemoryMap *self,
                    int            direction)
{
  const Sector *from = &g_array_index (self->sectors, Sector, self->focus);
  double x = from->rect.origin.x + from->rect.size.width / 2;
  int best = -1;
  double best_d = G_MAXDOUBLE;

  for (guint i = 0; i < self->sectors->len; i++)
    {
      const Sector *s = &g_array_index (self->sectors, Sector, i);
      double d = ABS (s->rect.origin.x + s->rect.size.width / 2 - x);

      if ((int) s->sector.bank - (int) from->sector.bank != direction)
        continue;
      if (d < best_d)
        best = (int) i, best_d = d;
    }
  return best;
}

static void
popup_menu (KilnMemoryMap *self)
{
  const Sector *s;
  GdkRectangle rect;

  if (self->focus >= self->sectors->len)
    return;
  _kiln_memory_map_compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)));
  s = &g_array_index (self->sectors, Sector, self->focus);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "map.toggle-tick", s->state != KILN_SECTOR_STATE_PROTECTED);
  rect.x = (int) s->rect.origin.x;
  rect.y = (int) s->rect.origin.y;
  rect.width = (int) s->rect.size.width;
  rect.height = (int) s->rect.size.height;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                KilnMemoryMap         *self)
{
  int other;

  if (self->sectors->len == 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left:
      if (self->focus > 0)
        focus_tile (self, self->focus - 1);
      return TRUE;
    case GDK_KEY_Right: case GDK_KEY_KP_Right:
      focus_tile (self, self->focus + 1);
      return TRUE;
    case GDK_KEY_Up: case GDK_KEY_KP_Up:
    case GDK_KEY_Down: case GDK_KEY_KP_Down:
      other = tile_in_other_bank (self, keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up ? -1 : 1);
      if (other < 0)
        return FALSE;
      focus_tile (self, other);
      return TRUE;
    case GDK_KEY_Home: case GDK_KEY_KP_Home:
      focus_tile (self, 0);
      return TRUE;
    case GDK_KEY_End: case GDK_KEY_KP_End:
      focus_tile (self, self->sectors->len - 1);
      return TRUE;
    case GDK_KEY_space: case GDK_KEY_KP_Space:
      if (!self->selecting)
        return FALSE;
      toggle_tick (self, self->focus);
      return TRUE;
    case GDK_KEY_Return: case GDK_KEY_KP_Enter: case GDK_KEY_ISO_Enter:
      g_signal_emit (self, signals[SECTOR_ACTIVATED], 0, self->focus);
      return TRUE;
    case GDK_KEY_Menu:
      popup_menu (self);
      return TRUE;
    case GDK_KEY_F10:
      if ((state & GDK_SHIFT_MASK) == 0)
        return FALSE;
      popup_menu (self);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            KilnMemoryMap   *self)
{
  int index = _kiln_memory_map_sector_at (self, x, y);
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (index < 0)
    return;
  focus_tile (self, index);
  if (button == GDK_BUTTON_SECONDARY)
    {
      popup_menu (self);
      return;
    }
  if (button != GDK_BUTTON_PRIMARY)
    return;
  /* A double click opens the memory; in selection mode its first click
   * ticked the tile and the second unticks it again. */
  if (self->selecting)
    toggle_tick (self, index);
  if (n_press == 2)
    g_signal_emit (self, signals[SECTOR_ACTIVATED], 0, (guint) index);
}

static void
focus_changed_cb (KilnMemoryMap *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
show_memory_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  KilnMemoryMap *self = KILN_MEMORY_MAP (widget);

  g_signal_emit (self, signals[SECTOR_ACTIVATED], 0, self->focus);
}

static void
toggle_tick_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  KilnMemoryMap *self = KILN_MEMORY_MAP (widget);

  kiln_memory_map_set_selecting (self, TRUE);
  toggle_tick (self, self->focus);
}

static void
kiln_memory_map_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  KilnMemoryMap *self = KILN_MEMORY_MAP (widget);

  if (self->menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->menu));
}

static void
kiln_memory_map_dispose (GObject *object)
{
  KilnMemoryMap *self = KILN_MEMORY_MAP (object);

  g_clear_pointer (&self->menu, gtk_widget_unparent);
  G_OBJECT_CLASS (g_type_class_peek (GTK_TYPE_WIDGET))->dispose (object);
}

void
_kiln_memory_map_class_init_input (GtkWidgetClass *widget_class)
{
  G_OBJECT_CLASS (widget_class)->dispose = kiln_memory_map_dispose;
  widget_class->size_allocate = kiln_memory_map_size_allocate;

  signals[SECTOR_ACTIVATED] = g_signal_new ("sector-activated", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[TICKS_CHANGED] = g_signal_new ("ticks-changed", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "map.show-memory", NULL, show_memory_action);
  gtk_widget_class_install_action (widget_class, "map.toggle-tick", NULL, toggle_tick_action);
}

void
_kiln_memory_map_init_input (KilnMemoryMap *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  g_autoptr(GMenu) menu = g_menu_new ();

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  g_menu_append (menu, _("Show _Memory"), "map.show-memory");
  g_menu_append (menu, _("_Tick for Erasing"), "map.toggle-tick");
  self->menu = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), TRUE);
}

/* ------------------------------------------------------------- API */

void
kiln_memory_map_set_selecting (KilnMemoryMap *self,
                               gboolean       selecting)
{
  g_return_if_fail (KILN_IS_MEMORY_MAP (self));

  if (self->selecting == !!selecting)
    return;
  self->selecting = !!selecting;
  if (!selecting)
    kiln_memory_map_clear_ticks (self);
  _kiln_memory_map_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[TICKS_CHANGED], 0);
}

gboolean
kiln_memory_map_get_selecting (KilnMemoryMap *self)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), FALSE);
  return self->selecting;
}

void
kiln_memory_map_set_ticked (KilnMemoryMap *self,
                            guint          index,
                            gboolean       ticked)
{
  Sector *s;

  g_return_if_fail (KILN_IS_MEMORY_MAP (self));
  g_return_if_fail (index < self->sectors->len);

  s = &g_array_index (self->sectors, Sector, index);
  if (s->ticked == !!ticked)
    return;
  s->ticked = !!ticked;
  if (ticked)
    self->selecting = TRUE;
  _kiln_memory_map_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[TICKS_CHANGED], 0);
}

gboolean
kiln_memory_map_get_ticked (KilnMemoryMap *self,
                            guint          index)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), FALSE);
  g_return_val_if_fail (index < self->sectors->len, FALSE);
  return g_array_index (self->sectors, Sector, index).ticked;
}

guint
kiln_memory_map_get_n_ticked (KilnMemoryMap *self)
{
  guint n = 0;

  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), 0);
  for (guint i = 0; i < self->sectors->len; i++)
    n += g_array_index (self->sectors, Sector, i).ticked;
  return n;
}

void
kiln_memory_map_clear_ticks (KilnMemoryMap *self)
{
  gboolean changed = FALSE;

  g_return_if_fail (KILN_IS_MEMORY_MAP (self));
  for (guint i = 0; i < self->sectors->len; i++)
    {
      Sector *s = &g_array_index (self->sectors, Sector, i);

      changed |= s->ticked;
      s->ticked = FALSE;
    }
  if (!changed)
    return;
  _kiln_memory_map_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[TICKS_CHANGED], 0);
}

guint
kiln_memory_map_get_focus (KilnMemoryMap *self)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), 0);
  return self->focus;
}

void
kiln_memory_map_set_focus (KilnMemoryMap *self,
                           guint          index)
{
  g_return_if_fail (KILN_IS_MEMORY_MAP (self));
  focus_tile (self, index);
}
