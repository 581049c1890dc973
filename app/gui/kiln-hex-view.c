/* kiln-hex-view.c — rows of a memory range as hex and ASCII beside a file's bytes
 *
 * Each row: the address, the chip's bytes in hex, the same bytes as ASCII,
 * and the file's bytes at those addresses. A chip byte not read yet is
 * "--"; an address the file does not cover is left blank in its column. A
 * byte the file holds with another value is drawn in white on red in both
 * columns, so the difference does not rest on colour alone: the two hex
 * pairs side by side say it too. Only the rows in sight are laid out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-hex-view-private.h"

#define ADDRESS_CHARS 10   /* "08000000" and two spaces */

struct _KilnHexView
{
  GtkWidget      parent_instance;

  guint32        base;
  guint32        length;
  guint8        *chip;
  guint8        *chip_read;   /* per byte: read from the chip */
  guint8        *file;
  guint8        *file_has;    /* per byte: the file covers it */
  guint          n_differences;
  guint32        cursor;      /* offset from @base */
  guint32        match;
  guint32        match_length;
  guint          per_row;     /* 16, or 8 when the window is narrow */
  double         char_width;
  double         row_height;
  GtkAdjustment *adjustment;  /* in rows */
};

G_DEFINE_FINAL_TYPE (KilnHexView, kiln_hex_view, GTK_TYPE_WIDGET)

enum
{
  CURSOR_MOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
differs (KilnHexView *self,
         guint32      offset)
{
  return self->chip_read[offset] && self->file_has[offset] && self->chip[offset] != self->file[offset];
}

static guint
count_differences (KilnHexView *self,
                   guint32      offset,
                   gsize        length)
{
  guint n = 0;

  for (gsize i = 0; i < length; i++)
    n += differs (self, offset + i);
  return n;
}

static guint
n_rows (KilnHexView *self)
{
  return (self->length + self->per_row - 1) / self->per_row;
}

/* Characters before the @i-th byte of a row's hex, and the widths. */
static guint
hex_column (KilnHexView *self,
            guint        i)
{
  return ADDRESS_CHARS + 3 * i + (i >= 8 ? 1 : 0);
}

static guint
ascii_column (KilnHexView *self)
{
  return hex_column (self, self->per_row) + 1;
}

static guint
file_column (KilnHexView *self)
{
  return ascii_column (self) + self->per_row + 2;
}

static guint
row_chars (guint per_row)
{
  /* address, hex (and the gap after 8), space, ASCII, two spaces, file hex */
  return ADDRESS_CHARS + 3 * per_row + (per_row > 8 ? 1 : 0) + 1 + per_row + 2 + 3 * per_row + (per_row > 8 ? 1 : 0);
}

static PangoLayout *
create_layout (KilnHexView *self,
               const char  *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));

  pango_font_description_set_family (font, "Monospace");
  /* A little smaller than the text around it: 16 bytes a row fit beside
   * the file's at 1024 pixels. */
  if (pango_font_description_get_size_is_absolute (font))
    pango_font_description_set_absolute_size (font, pango_font_description_get_size (font) * 9 / 10);
  else
    pango_font_description_set_size (font, pango_font_description_get_size (font) * 9 / 10);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  return layout;
}

static void
update_metrics (KilnHexView *self)
{
  g_autoptr(PangoLayout) layout = create_layout (self, "0123456789ABCDEF");
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  self->char_width = w / 16.0;
  self->row_height = h + 4;
}

static void
update_adjustment (KilnHexView *self)
{
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double page = MAX (1, (int) ((height - self->row_height) / self->row_height));
  double upper = MAX (n_rows (self), 1);

  gtk_adjustment_configure (self->adjustment,
                            CLAMP (gtk_adjustment_get_value (self->adjustment), 0, MAX (upper - page, 0)),
                            0, upper, 1, MAX (page - 1, 1), MIN (page, upper));
}

static void
scroll_to_cursor (KilnHexView *self)
{
  double row = self->cursor / self->per_row;
  double first = gtk_adjustment_get_value (self->adjustment);
  double page = gtk_adjustment_get_page_size (self->adjustment);

  if (row < first)
    gtk_adjustment_set_value (self->adjustment, row);
  else if (row >= first + page)
    gtk_adjustment_set_value (self->adjustment, row - page + 1);
}

static void
move_cursor (KilnHexView *self,
             gint64       offset)
{
  if (self->length == 0)
    return;
  self->cursor = (guint32) CLAMP (offset, 0, (gint64) self->length - 1);
  scroll_to_cursor (self);
  {
    g_autofree char *text = kiln_hex_view_dup_cursor_text (self);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[CURSOR_MOVED], 0);
}

static void
add_attr (PangoAttrList  *attrs,
          PangoAttribute *attr,
          guint           start,
          guint           end)
{
  attr->start_index = start;
  attr->end_index = end;
  pango_attr_list_insert (attrs, attr);
}

/* White on @rgb over [start, end). */
static void
mark (PangoAttrList *attrs,
      guint          start,
      guint          end,
      guint          rgb,
      gboolean       dark_text)
{
  guint16 r = ((rgb >> 16) & 0xff) * 257, g = ((rgb >> 8) & 0xff) * 257, b = (rgb & 0xff) * 257;

  add_attr (attrs, pango_attr_background_new (r, g, b), start, end);
  if (dark_text)
    add_attr (attrs, pango_attr_foreground_new (0, 0, 0), start, end);
  else
    add_attr (attrs, pango_attr_foreground_new (0xffff, 0xffff, 0xffff), start, end);
}

/* One row as text; with @attrs, its highlights. */
static char *
row_text (KilnHexView   *self,
          guint32        first,
          PangoAttrList *attrs)
{
  GString *s = g_string_new (NULL);
  guint n = MIN (self->per_row, self->length - first);

  g_string_append_printf (s, "%08X  ", self->base + first);
  for (guint i = 0; i < self->per_row; i++)
    {
      guint32 o = first + i;
      guint start;

      if (i == 8)
        g_string_append_c (s, ' ');
      start = s->len;
      if (i >= n)
        g_string_append (s, "  ");
      else if (self->chip_read[o])
        g_string_append_printf (s, "%02X", self->chip[o]);
      else
        g_string_append (s, "--");
      if (attrs != NULL && i < n)
        {
          if (o == self->cursor && gtk_widget_has_focus (GTK_WIDGET (self)))
            mark (attrs, start, start + 2, 0x1c71d8, FALSE);
          else if (self->match_length > 0 && o >= self->match && o < self->match + self->match_length)
            mark (attrs, start, start + 2, 0xf6d32d, TRUE);
          else if (differs (self, o))
            mark (attrs, start, start + 2, 0xc01c28, FALSE);
          else if (o == self->cursor)
            add_attr (attrs, pango_attr_underline_new (PANGO_UNDERLINE_SINGLE), start, start + 2);
          else if (!self->chip_read[o])
            add_attr (attrs, pango_attr_foreground_alpha_new (0x6000), start, start + 2);
        }
      g_string_append_c (s, ' ');
    }
  g_string_append_c (s, ' ');
  for (guint i = 0; i < self->per_row; i++)
    {
      guint32 o = first + i;
      guint start = s->len;

      if (i >= n)
        g_string_append_c (s, ' ');
      else if (!self->chip_read[o])
        g_string_append_c (s, ' ');
      else
        g_string_append_c (s, g_ascii_isprint (self->chip[o]) ? (char) self->chip[o] : '.');
      if (attrs != NULL && i < n && self->chip_read[o])
        {
          if (o == self->cursor)
            mark (attrs, start, start + 1, 0x1c71d8, FALSE);
          else if (self->match_length > 0 && o >= self->match && o < self->match + self->match_length)
            mark (attrs, start, start + 1, 0xf6d32d, TRUE);
          else if (differs (self, o))
            mark (attrs, start, start + 1, 0xc01c28, FALSE);
          else if (!g_ascii_isprint (self->chip[o]))
            add_attr (attrs, pango_attr_foreground_alpha_new (0x6000), start, start + 1);
        }
    }
  g_string_append (s, "  ");
  for (guint i = 0; i < self->per_row; i++)
    {
      guint32 o = first + i;
      guint start;

      if (i == 8)
        g_string_append_c (s, ' ');
      start = s->len;
      if (i < n && self->file_has[o])
        g_string_append_printf (s, "%02X", self->file[o]);
      else
        g_string_append (s, "  ");
      if (attrs != NULL && i < n && differs (self, o))
        mark (attrs, start, start + 2, 0xc01c28, FALSE);
      g_string_append_c (s, ' ');
    }
  while (s->len > 0 && s->str[s->len - 1] == ' ')
    g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

static void
kiln_hex_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  KilnHexView *self = KILN_HEX_VIEW (widget);
  guint first_row = (guint) gtk_adjustment_get_value (self->adjustment);
  double height = gtk_widget_get_height (widget);
  GdkRGBA fg, dim;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  dim = fg;
  dim.alpha = 0.6;

  /* The column heads */
  {
    const struct { guint column; const char *text; } heads[] = {
      { 0, _("Address") },
      { hex_column (self, 0), _("Chip") },
      { ascii_column (self), _("ASCII") },
      { file_column (self), _("File") },
    };

    for (guint i = 0; i < G_N_ELEMENTS (heads); i++)
      {
        g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, heads[i].text);

        gtk_snapshot_save (snapshot);
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (6 + heads[i].column * self->char_width, 2));
        gtk_snapshot_append_layout (snapshot, layout, &dim);
        gtk_snapshot_restore (snapshot);
      }
  }

  for (guint row = first_row; row < n_rows (self); row++)
    {
      double y = (row - first_row + 1) * self->row_height;
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
      g_autofree char *text = NULL;
      g_autoptr(PangoLayout) layout = NULL;

      if (y + self->row_height > height)
        break;
      text = row_text (self, row * self->per_row, attrs);
      layout = create_layout (self, text);
      pango_layout_set_attributes (layout, attrs);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (6, y + 2));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
    }
}

static void
kiln_hex_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  KilnHexView *self = KILN_HEX_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = (int) (row_chars (8) * self->char_width) + 12;
      *natural = (int) (row_chars (16) * self->char_width) + 12;
    }
  else
    {
      *minimum = (int) (self->row_height * 4);
      *natural = (int) (self->row_height * 24);
    }
}

static void
kiln_hex_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  KilnHexView *self = KILN_HEX_VIEW (widget);
  guint per_row = width >= row_chars (16) * self->char_width + 12 ? 16 : 8;

  if (per_row != self->per_row)
    {
      double first = gtk_adjustment_get_value (self->adjustment) * self->per_row;

      self->per_row = per_row;
      update_adjustment (self);
      gtk_adjustment_set_value (self->adjustment, first / per_row);
    }
  update_adjustment (self);
  scroll_to_cursor (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                KilnHexView           *self)
{
  gint64 c = self->cursor;
  gint64 page = (gint64) gtk_adjustment_get_page_size (self->adjustment) * self->per_row;
  gboolean ctrl = (state & GDK_CONTROL_MASK) != 0;

  switch (keyval)
    {
    case GDK_KEY_Left:      case GDK_KEY_KP_Left:      move_cursor (self, c - 1); return TRUE;
    case GDK_KEY_Right:     case GDK_KEY_KP_Right:     move_cursor (self, c + 1); return TRUE;
    case GDK_KEY_Up:        case GDK_KEY_KP_Up:        move_cursor (self, c - self->per_row); return TRUE;
    case GDK_KEY_Down:      case GDK_KEY_KP_Down:      move_cursor (self, c + self->per_row); return TRUE;
    case GDK_KEY_Page_Up:   case GDK_KEY_KP_Page_Up:   move_cursor (self, c - page); return TRUE;
    case GDK_KEY_Page_Down: case GDK_KEY_KP_Page_Down: move_cursor (self, c + page); return TRUE;
    case GDK_KEY_Home:      case GDK_KEY_KP_Home:
      move_cursor (self, ctrl ? 0 : c - c % self->per_row);
      return TRUE;
    case GDK_KEY_End:       case GDK_KEY_KP_End:
      move_cursor (self, ctrl ? (gint64) self->length - 1 : c - c % self->per_row + self->per_row - 1);
      return TRUE;
    default:
      return FALSE;
    }
}

/* The byte under (@x, @y), in the hex or the ASCII column, or -1. */
static gint64
byte_at (KilnHexView *self,
         double       x,
         double       y)
{
  guint row = (guint) gtk_adjustment_get_value (self->adjustment) + (guint) (y / self->row_height) - 1;
  double col = (x - 6) / self->char_width;
  gint64 i = -1;

  if (y < self->row_height || row >= n_rows (self))
    return -1;
  for (guint k = 0; k < self->per_row; k++)
    if (col >= hex_column (self, k) && col < hex_column (self, k) + 3)
      i = k;
  if (col >= ascii_column (self) && col < ascii_column (self) + self->per_row)
    i = (gint64) (col - ascii_column (self));
  if (i < 0 || (gint64) row * self->per_row + i >= self->length)
    return -1;
  return (gint64) row * self->per_row + i;
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            KilnHexView     *self)
{
  gint64 o = byte_at (self, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (o >= 0)
    move_cursor (self, o);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           KilnHexView              *self)
{
  gtk_adjustment_set_value (self->adjustment, gtk_adjustment_get_value (self->adjustment) + dy * 3);
  return TRUE;
}

static void
focus_changed_cb (KilnHexView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
kiln_hex_view_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (kiln_hex_view_parent_class)->css_changed (widget, change);
  update_metrics (KILN_HEX_VIEW (widget));
  gtk_widget_queue_resize (widget);
}

static void
kiln_hex_view_finalize (GObject *object)
{
  KilnHexView *self = KILN_HEX_VIEW (object);

  g_free (self->chip);
  g_free (self->chip_read);
  g_free (self->file);
  g_free (self->file_has);
  g_clear_object (&self->adjustment);

  G_OBJECT_CLASS (kiln_hex_view_parent_class)->finalize (object);
}

static void
kiln_hex_view_class_init (KilnHexViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kiln_hex_view_finalize;
  widget_class->snapshot = kiln_hex_view_snapshot;
  widget_class->measure = kiln_hex_view_measure;
  widget_class->size_allocate = kiln_hex_view_size_allocate;
  widget_class->css_changed = kiln_hex_view_css_changed;

  signals[CURSOR_MOVED] = g_signal_new ("cursor-moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "hexview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
kiln_hex_view_init (KilnHexView *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->per_row = 16;
  self->adjustment = g_object_ref_sink (gtk_adjustment_new (0, 0, 1, 1, 1, 1));
  g_signal_connect_object (self->adjustment, "value-changed", G_CALLBACK (gtk_widget_queue_draw), self,
                           G_CONNECT_SWAPPED);
  update_metrics (self);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Memory: the chip’s bytes beside the file’s"),
                                  -1);
}

GtkWidget *
kiln_hex_view_new (void)
{
  return g_object_new (KILN_TYPE_HEX_VIEW, NULL);
}

void
kiln_hex_view_set_range (KilnHexView *self,
                         guint32      base,
                         guint32      length)
{
  g_return_if_fail (KILN_IS_HEX_VIEW (self));

  self->base = base;
  self->length = length;
  g_free (self->chip);
  g_free (self->chip_read);
  g_free (self->file);
  g_free (self->file_has);
  self->chip = g_malloc0 (length);
  self->chip_read = g_malloc0 (length);
  self->file = g_malloc0 (length);
  self->file_has = g_malloc0 (length);
  self->n_differences = 0;
  self->cursor = 0;
  self->match_length = 0;
  gtk_adjustment_set_value (self->adjustment, 0);
  update_adjustment (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint32
kiln_hex_view_get_base (KilnHexView *self)
{
  return self->base;
}

guint32
kiln_hex_view_get_length (KilnHexView *self)
{
  return self->length;
}

/* The part of [@address, @address + @length) inside the range, as offsets. */
static gboolean
clip (KilnHexView *self,
      guint32      address,
      gsize        length,
      guint32     *offset,
      gsize       *skip,
      gsize       *n)
{
  guint64 start = MAX ((guint64) address, self->base);
  guint64 end = MIN ((guint64) address + length, (guint64) self->base + self->length);

  if (start >= end)
    return FALSE;
  *offset = (guint32) (start - self->base);
  *skip = start - address;
  *n = end - start;
  return TRUE;
}

/* @bytes (the chip's or the file's) at @address, marked as known in @known. */
static void
set_bytes (KilnHexView  *self,
           guint8       *bytes,
           guint8       *known,
           guint32       address,
           const guint8 *data,
           gsize         length)
{
  guint32 offset;
  gsize skip, n;

  if (!clip (self, address, length, &offset, &skip, &n))
    return;
  self->n_differences -= count_differences (self, offset, n);
  memcpy (bytes + offset, data + skip, n);
  memset (known + offset, 1, n);
  self->n_differences += count_differences (self, offset, n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
kiln_hex_view_set_chip_bytes (KilnHexView  *self,
                              guint32       address,
                              const guint8 *data,
                              gsize         length)
{
  g_return_if_fail (KILN_IS_HEX_VIEW (self));
  set_bytes (self, self->chip, self->chip_read, address, data, length);
}

void
kiln_hex_view_set_file_bytes (KilnHexView  *self,
                              guint32       address,
                              const guint8 *data,
                              gsize         length)
{
  g_return_if_fail (KILN_IS_HEX_VIEW (self));
  set_bytes (self, self->file, self->file_has, address, data, length);
}

/* Whether each of the @n per-byte marks is set. */
static gboolean
all_marked (const guint8 *marks,
            gsize         n)
{
  for (gsize i = 0; i < n; i++)
    if (!marks[i])
      return FALSE;
  return TRUE;
}

gboolean
kiln_hex_view_is_read (KilnHexView *self,
                       guint32      address,
                       guint32      length)
{
  guint32 offset;
  gsize skip, n;

  g_return_val_if_fail (KILN_IS_HEX_VIEW (self), FALSE);
  /* Outside the view counts as read: nothing there is left to read. */
  if (!clip (self, address, length, &offset, &skip, &n))
    return TRUE;
  return all_marked (self->chip_read + offset, n);
}

const guint8 *
kiln_hex_view_get_chip_data (KilnHexView *self)
{
  return self->chip;
}

void
kiln_hex_view_forget_chip_bytes (KilnHexView *self)
{
  g_return_if_fail (KILN_IS_HEX_VIEW (self));

  memset (self->chip_read, 0, self->length);
  self->n_differences = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
kiln_hex_view_is_in_file (KilnHexView *self,
                          guint32      address,
                          guint32      length)
{
  guint32 offset;
  gsize skip, n;

  g_return_val_if_fail (KILN_IS_HEX_VIEW (self), FALSE);
  /* But no byte outside the view is in the file. */
  if (!clip (self, address, length, &offset, &skip, &n) || n < length)
    return FALSE;
  return all_marked (self->file_has + offset, n);
}

const guint8 *
kiln_hex_view_get_file_data (KilnHexView *self)
{
  return self->file;
}

guint
kiln_hex_view_get_n_differences (KilnHexView *self)
{
  return self->n_differences;
}

gboolean
kiln_hex_view_find_difference (KilnHexView *self,
                               guint32      address,
                               guint32     *found)
{
  guint32 start = address >= self->base ? address - self->base : 0;

  for (guint32 k = 1; k <= self->length; k++)
    {
      guint32 o = (guint32) (((guint64) start + k) % self->length);

      if (differs (self, o))
        {
          *found = self->base + o;
          return TRUE;
        }
    }
  return FALSE;
}

void
kiln_hex_view_set_cursor (KilnHexView *self,
                          guint32      address)
{
  g_return_if_fail (KILN_IS_HEX_VIEW (self));
  if (address < self->base || address - self->base >= self->length)
    return;
  move_cursor (self, address - self->base);
  /* The row goes to the top third, not the last line, so what follows it is
   * in sight too. */
  gtk_adjustment_set_value (self->adjustment,
                            (double) (self->cursor / self->per_row)
                            - gtk_adjustment_get_page_size (self->adjustment) / 3);
}

guint32
kiln_hex_view_get_cursor (KilnHexView *self)
{
  return self->base + self->cursor;
}

void
kiln_hex_view_set_match (KilnHexView *self,
                         guint32      address,
                         guint32      length)
{
  self->match = address - self->base;
  self->match_length = length;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
kiln_hex_view_get_visible (KilnHexView *self,
                           guint32     *first,
                           guint32     *last)
{
  guint64 row = (guint64) gtk_adjustment_get_value (self->adjustment);
  guint64 rows = (guint64) gtk_adjustment_get_page_size (self->adjustment) + 1;

  if (self->length == 0)
    {
      *first = *last = self->base;
      return;
    }
  *first = self->base + (guint32) MIN (row * self->per_row, self->length);
  *last = self->base + (guint32) MIN ((row + rows) * self->per_row, self->length) - 1;
}

GtkAdjustment *
kiln_hex_view_get_adjustment (KilnHexView *self)
{
  return self->adjustment;
}

char *
kiln_hex_view_dup_cursor_text (KilnHexView *self)
{
  guint32 o = self->cursor;
  g_autofree char *chip = NULL;
  g_autofree char *file = NULL;

  if (self->length == 0)
    return g_strdup ("");
  chip = self->chip_read[o] ? g_strdup_printf ("0x%02X", self->chip[o]) : g_strdup (_("not read yet"));
  file = self->file_has[o] ? g_strdup_printf ("0x%02X", self->file[o]) : g_strdup (_("not in the file"));
  /* Translators: "0x08000010: chip 0x12, file 0x34, differs" */
  return g_strdup_printf (differs (self, o) ? _("0x%08X: chip %s, file %s, differs")
                                            : _("0x%08X: chip %s, file %s"),
                          self->base + o, chip, file);
}

gboolean
kiln_hex_view_differs_at (KilnHexView *self,
                          guint32      address)
{
  if (address < self->base || address - self->base >= self->length)
    return FALSE;
  return differs (self, address - self->base);
}

char *
kiln_hex_view_dup_row_text (KilnHexView *self,
                            guint32      address)
{
  guint32 o = address - self->base;

  if (address < self->base || o >= self->length)
    return NULL;
  return row_text (self, o - o % self->per_row, NULL);
}

gboolean
kiln_hex_view_get_byte_point (KilnHexView *self,
                              guint32      address,
                              double      *x,
                              double      *y)
{
  guint32 o = address - self->base;
  double first = gtk_adjustment_get_value (self->adjustment);
  double row;

  if (address < self->base || o >= self->length)
    return FALSE;
  row = (double) (o / self->per_row) - first;
  if (row < 0 || (row + 2) * self->row_height > gtk_widget_get_height (GTK_WIDGET (self)))
    return FALSE;
  *x = 6 + (hex_column (self, o % self->per_row) + 1) * self->char_width;
  *y = (row + 1.5) * self->row_height;
  return TRUE;
}
