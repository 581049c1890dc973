/* kiln-memory-map-draw.c — how the memory map draws itself: sector tiles
 * with their number, size, state word and icon, the file's segments in the
 * lane under them, RAM, segments outside the chip, and the legend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiln-memory-map-internal.h"

static const struct
{
  const char *icon;
  const char *rgba;
  gboolean    dark_text;
} state_style[KILN_N_SECTOR_STATES] = {
  [KILN_SECTOR_STATE_UNTOUCHED]   = { NULL,                            NULL,      FALSE },
  [KILN_SECTOR_STATE_PLANNED] = { "document-edit-symbolic",        "#3584e4", FALSE },
  [KILN_SECTOR_STATE_UNCHANGED]   = { "media-skip-forward-symbolic",   "#9a9996", TRUE },
  [KILN_SECTOR_STATE_PROTECTED]   = { "changes-prevent-symbolic",      "#813d9c", FALSE },
  [KILN_SECTOR_STATE_ERASING]     = { "edit-clear-all-symbolic",       "#ffa348", TRUE },
  [KILN_SECTOR_STATE_WRITING]     = { "emblem-synchronizing-symbolic", "#f6d32d", TRUE },
  [KILN_SECTOR_STATE_VERIFYING]   = { "system-search-symbolic",        "#8ff0a4", TRUE },
  [KILN_SECTOR_STATE_VERIFIED]    = { "object-select-symbolic",        "#26a269", FALSE },
  [KILN_SECTOR_STATE_FAILED]      = { "dialog-error-symbolic",         "#c01c28", FALSE },
  [KILN_SECTOR_STATE_BLANK]       = { "document-new-symbolic",         "#99c1f1", TRUE },
  [KILN_MAP_STATE_ERASED]         = { "edit-clear-symbolic",           "#deddda", TRUE },
};

static void
get_fg_color (GtkWidget *widget,
              GdkRGBA   *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
}

/* @layout drawn with its top left corner at (@x, @y). */
static void
append_layout_at (GtkSnapshot   *snapshot,
                  PangoLayout   *layout,
                  double         x,
                  double         y,
                  const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
draw_text (GtkWidget   *widget,
           GtkSnapshot *snapshot,
           const char  *text,
           double       x,
           double       y,
           double       width,
           gboolean     bold,
           gboolean     centered,
           const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int tw, th;

  if (bold)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
    }
  pango_layout_set_width (layout, (int) (MAX (width, 1) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, centered ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
  pango_layout_get_pixel_size (layout, &tw, &th);

  append_layout_at (snapshot, layout, x, y, color);
}

/* A state's word is drawn whole or not at all: "chec…" says less than the
 * tile's colour, icon and tooltip. A word too long for a narrow tile is
 * drawn a size smaller (PANGO_SCALE_SMALL) when that fits. Where it went is
 * kept in @bounds. */
static gboolean
draw_word (GtkWidget       *widget,
           GtkSnapshot     *snapshot,
           const char      *text,
           double           x,
           double           y,
           double           width,
           const GdkRGBA   *color,
           graphene_rect_t *bounds)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int tw, th;

  if (*text == '\0')
    return FALSE;
  pango_layout_get_pixel_size (layout, &tw, &th);
  if (tw > width)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
      pango_layout_set_attributes (layout, attrs);
      pango_layout_get_pixel_size (layout, &tw, &th);
      if (tw > width)
        return FALSE;
    }
  append_layout_at (snapshot, layout, x, y, color);
  graphene_rect_init (bounds, x, y, tw, th);
  return TRUE;
}

static void
draw_icon (GtkWidget     *widget,
           GtkSnapshot   *snapshot,
           const char    *name,
           double         x,
           double         y,
           const GdkRGBA *color)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));
  g_autoptr(GtkIconPaintable) icon = NULL;

  icon = gtk_icon_theme_lookup_icon (theme, name, NULL, (int) ICON_SIZE,
                                     gtk_widget_get_scale_factor (widget),
                                     gtk_widget_get_direction (widget), 0);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot,
                                            ICON_SIZE, ICON_SIZE, color, 1);
  gtk_snapshot_restore (snapshot);
}

static void
state_colors (GtkWidget       *widget,
              KilnSectorState  state,
              GdkRGBA         *fill,
              GdkRGBA         *text)
{
  GdkRGBA fg;

  get_fg_color (widget, &fg);
  if (state_style[state].rgba == NULL)
    {
      *fill = fg;
      fill->alpha = 0.07;
      *text = fg;
      return;
    }
  gdk_rgba_parse (fill, state_style[state].rgba);
  if (state_style[state].dark_text)
    gdk_rgba_parse (text, "#241f31");
  else
    gdk_rgba_parse (text, "#ffffff");
}

static void
draw_box (GtkSnapshot           *snapshot,
          const graphene_rect_t *r,
          const GdkRGBA         *fill,
          const GdkRGBA         *border)
{
  GskRoundedRect rr;
  float widths[4] = { 1, 1, 1, 1 };
  GdkRGBA borders[4] = { *border, *border, *border, *border };

  gsk_rounded_rect_init_from_rect (&rr, r, 6);
  gtk_snapshot_push_rounded_clip (snapshot, &rr);
  gtk_snapshot_append_color (snapshot, fill, r);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &rr, widths, borders);
}

/* The tick box of selection mode: empty, or ticked. */
static void
draw_tick (GtkWidget     *widget,
           GtkSnapshot   *snapshot,
           gboolean       ticked,
           double         x,
           double         y,
           const GdkRGBA *color)
{
  GskRoundedRect rr;
  float widths[4] = { 1.5, 1.5, 1.5, 1.5 };
  GdkRGBA borders[4] = { *color, *color, *color, *color };
  GdkRGBA back = { 1, 1, 1, 0.85 };

  gsk_rounded_rect_init_from_rect (&rr, &GRAPHENE_RECT_INIT (x, y, ICON_SIZE, ICON_SIZE), 3);
  gtk_snapshot_push_rounded_clip (snapshot, &rr);
  gtk_snapshot_append_color (snapshot, &back, &GRAPHENE_RECT_INIT (x, y, ICON_SIZE, ICON_SIZE));
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &rr, widths, borders);
  if (ticked)
    {
      GdkRGBA black = { 0, 0, 0, 1 };

      draw_icon (widget, snapshot, "object-select-symbolic", x, y, &black);
    }
}

/* The keyboard's tile: a ring in the accent colour inside its border. */
static void
draw_focus (GtkSnapshot           *snapshot,
            const graphene_rect_t *r)
{
  GskRoundedRect rr;
  graphene_rect_t inner;
  float widths[4] = { 3, 3, 3, 3 };
  GdkRGBA accent;
  GdkRGBA borders[4];

  gdk_rgba_parse (&accent, "#1c71d8");
  for (guint i = 0; i < 4; i++)
    borders[i] = accent;
  graphene_rect_inset_r (r, 1, 1, &inner);
  gsk_rounded_rect_init_from_rect (&rr, &inner, 5);
  gtk_snapshot_append_border (snapshot, &rr, widths, borders);
}

static void
draw_segment_lane (KilnMemoryMap *self,
                   GtkSnapshot   *snapshot,
                   guint          bank,
                   double         y,
                   const GdkRGBA *fg)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA bar;
  double next_free = -1;

  gdk_rgba_parse (&bar, "#1c71d8");
  for (guint i = 0; i < self->segments->len; i++)
    {
      const Region *seg = &g_array_index (self->segments, Region, i);
      double x1 = -1, x2 = -1;
      guint64 start = seg->address;
      guint64 end = (guint64) seg->address + seg->size;

      /* Clip the segment to this bank's sectors. */
      for (guint j = 0; j < self->sectors->len; j++)
        {
          const Sector *s = &g_array_index (self->sectors, Sector, j);
          guint64 s_end = (guint64) s->sector.address + s->sector.size;
          double a, b;

          if (s->sector.bank != bank || !_kiln_memory_map_overlaps (seg->address, seg->size,
                                                          s->sector.address, s->sector.size))
            continue;
          a = _kiln_memory_map_address_to_x (self, bank, MAX (start, s->sector.address));
          b = _kiln_memory_map_address_to_x (self, bank, MIN (end, s_end));
          x1 = x1 < 0 ? a : MIN (x1, a);
          x2 = MAX (x2, b);
        }
      if (x1 < 0)
        continue;
      x2 = MAX (x2, x1 + 3);
      gtk_snapshot_append_color (snapshot, &bar,
                                 &GRAPHENE_RECT_INIT (x1, y + 2, x2 - x1, 5));
      /* Names never overlap: a name that would is moved right, or left to
       * the tooltip when there is no room. */
      {
        g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, seg->name);
        int tw, th;
        double lx = MAX (x1, next_free);

        pango_layout_get_pixel_size (layout, &tw, &th);
        /* A name running past the right edge (a segment ending in a bank's
         * last sector) is drawn ending there, not cut. */
        if (lx + tw > gtk_widget_get_width (widget))
          lx = MAX (MAX (next_free, 0), gtk_widget_get_width (widget) - tw);
        if (lx + MIN (tw, 40) <= gtk_widget_get_width (widget))
          {
            draw_text (widget, snapshot, seg->name, lx, y + 7,
                       gtk_widget_get_width (widget) - lx, FALSE, FALSE, fg);
            next_free = lx + tw + 8;
          }
      }
    }
}

void
_kiln_memory_map_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  KilnMemoryMap *self = KILN_MEMORY_MAP (widget);
  double width = gtk_widget_get_width (widget);
  double y;
  gboolean short_sizes = FALSE;
  GdkRGBA fg, border, dim;

  if (self->sectors->len == 0)
    return;

  _kiln_memory_map_compute_layout (self, width);
  get_fg_color (widget, &fg);

  /* One size style for the whole map: "128 KiB" everywhere, or "128K"
   * everywhere when the narrowest sector has no room for the long form. */
  for (guint i = 0; i < self->sectors->len && !short_sizes; i++)
    {
      const Sector *s = &g_array_index (self->sectors, Sector, i);
      g_autofree char *size = _kiln_memory_map_format_size (s->sector.size);
      g_autoptr(PangoLayout) probe = gtk_widget_create_pango_layout (widget, size);
      int sw, sh;

      pango_layout_get_pixel_size (probe, &sw, &sh);
      short_sizes = sw > s->rect.size.width - 11;
    }
  border = fg;
  border.alpha = 0.3;
  dim = fg;
  dim.alpha = 0.7;

  for (guint bank = 0; bank < self->n_banks; bank++)
    {
      double row_y = bank * (self->sector_height + LANE_HEIGHT + ROW_GAP);

      if (self->n_banks > 1)
        {
          g_autofree char *label = g_strdup_printf (_("Bank %u"), bank + 1);
          draw_text (widget, snapshot, label, 0, row_y + self->sector_height / 2 - 9,
                     ROW_LABEL_WIDTH - 6, TRUE, FALSE, &fg);
        }
      for (guint i = 0; i < self->sectors->len; i++)
        {
          Sector *s = &g_array_index (self->sectors, Sector, i);
          graphene_rect_t r;
          GdkRGBA fill, text;
          g_autofree char *number = NULL;
          g_autofree char *size = NULL;
          double tw;

          if (s->sector.bank != bank)
            continue;
          graphene_rect_inset_r (&s->rect, 1.5, 0, &r);
          state_colors (widget, s->state, &fill, &text);
          draw_box (snapshot, &r, &fill, &border);

          tw = r.size.width - 8;
          number = g_strdup_printf ("%u", s->sector.number);
          size = _kiln_memory_map_format_size (s->sector.size);
          draw_text (widget, snapshot, number, r.origin.x + 4, r.origin.y + 3, tw - ICON_SIZE, TRUE, FALSE, &text);
          if (short_sizes && s->sector.size % 1024 == 0)
            {
              g_free (size);
              /* Translators: a short size in KiB drawn inside a narrow sector */
              size = g_strdup_printf (C_("sector", "%uK"), s->sector.size / 1024);
            }
          draw_text (widget, snapshot, size, r.origin.x + 4, r.origin.y + 22, tw, FALSE, FALSE, &text);
          /* The word has the tile's whole width on its own line: the
           * corner beside the number holds the state's icon, or in
           * selection mode the tick box (the colour and the word still say
           * the state), so nothing is drawn over the word. */
          s->word_shown = draw_word (widget, snapshot, kiln_memory_map_state_word (s->state),
                                     r.origin.x + 4, r.origin.y + 40, tw, &text, &s->word_rect);
          graphene_rect_init (&s->corner_rect, r.origin.x + r.size.width - ICON_SIZE - 4,
                              r.origin.y + 4, ICON_SIZE, ICON_SIZE);
          if (self->selecting)
            draw_tick (widget, snapshot, s->ticked, s->corner_rect.origin.x, s->corner_rect.origin.y, &text);
          else if (state_style[s->state].icon != NULL)
            draw_icon (widget, snapshot, state_style[s->state].icon,
                       s->corner_rect.origin.x, s->corner_rect.origin.y, &text);
          if (i == self->focus && gtk_widget_has_focus (widget))
            draw_focus (snapshot, &r);
        }
      draw_segment_lane (self, snapshot, bank, row_y + self->sector_height, &fg);
    }

  y = self->n_banks * (self->sector_height + LANE_HEIGHT + ROW_GAP);

  if (self->ram->len > 0)
    {
      double x0 = self->n_banks > 1 ? ROW_LABEL_WIDTH : 0;
      double label_w = self->n_banks > 1 ? 0 : 48;
      double avail = width - x0 - label_w;
      double total = 0;
      double x = x0 + label_w;

      draw_text (widget, snapshot, _("RAM"), 0, y + RAM_HEIGHT / 2 - 9,
                 MAX (x0, 44), TRUE, FALSE, &fg);
      for (guint i = 0; i < self->ram->len; i++)
        total += 1.0 + log2 (MAX (g_array_index (self->ram, Region, i).size, 1024) / 1024.0);
      for (guint i = 0; i < self->ram->len; i++)
        {
          Region *r = &g_array_index (self->ram, Region, i);
          double w = avail * (1.0 + log2 (MAX (r->size, 1024) / 1024.0)) / total;
          GdkRGBA fill = fg;
          g_autofree char *size = _kiln_memory_map_format_size (r->size);
          g_autofree char *label = g_strdup_printf ("%s · %s", r->name, size);

          fill.alpha = 0.04;
          graphene_rect_init (&r->rect, x, y, w, RAM_HEIGHT + LANE_HEIGHT);
          draw_box (snapshot, &GRAPHENE_RECT_INIT (x + 1.5, y, w - 3, RAM_HEIGHT), &fill, &border);
          draw_text (widget, snapshot, label, x + 6, y + 6, w - 12, FALSE, FALSE, &dim);
          /* Segments loaded into this RAM region */
          for (guint j = 0; j < self->segments->len; j++)
            {
              const Region *seg = &g_array_index (self->segments, Region, j);
              GdkRGBA bar;
              double a, b;

              if (!_kiln_memory_map_overlaps (seg->address, seg->size, r->address, r->size))
                continue;
              gdk_rgba_parse (&bar, "#1c71d8");
              a = x + w * (double) (MAX (seg->address, r->address) - r->address) / r->size;
              b = x + w * (double) (MIN ((guint64) seg->address + seg->size, (guint64) r->address + r->size) - r->address) / r->size;
              gtk_snapshot_append_color (snapshot, &bar,
                                         &GRAPHENE_RECT_INIT (a, y + RAM_HEIGHT + 2, MAX (b - a, 3), 5));
              draw_text (widget, snapshot, seg->name, a, y + RAM_HEIGHT + 7, 90, FALSE, FALSE, &fg);
            }
          x += w;
        }
      y += RAM_HEIGHT + LANE_HEIGHT + ROW_GAP;
    }

  /* Segments that land in neither flash nor RAM: said in red, in words. */
  for (guint i = 0; i < self->segments->len; i++)
    {
      const Region *seg = &g_array_index (self->segments, Region, i);
      GdkRGBA red;

      if (!_kiln_memory_map_segment_inside (self, seg))
        {
          g_autofree char *size = _kiln_memory_map_format_size (seg->size);
          /* Translators: a file segment that is neither in flash nor in RAM */
          g_autofree char *text = g_strdup_printf (_("%s at 0x%08X (%s) is outside the chip’s flash and RAM"),
                                                   seg->name, seg->address, size);
          gdk_rgba_parse (&red, "#e01b24");
          draw_icon (widget, snapshot, "dialog-error-symbolic", 0, y + 2, &red);
          draw_text (widget, snapshot, text, ICON_SIZE + 6, y + 1, width - ICON_SIZE - 6, TRUE, FALSE, &red);
          y += LEGEND_ROW;
        }
    }

  /* The legend, always visible */
  {
    guint per_row = _kiln_memory_map_legend_columns (self, width);

    for (guint st = 0; st < KILN_N_SECTOR_STATES; st++)
      {
        double lx = (st % per_row) * (width / per_row);
        double ly = y + (st / per_row) * LEGEND_ROW;
        GdkRGBA fill, text;

        state_colors (widget, st, &fill, &text);
        draw_box (snapshot, &GRAPHENE_RECT_INIT (lx, ly + 1, 20, 18), &fill, &border);
        if (state_style[st].icon != NULL)
          {
            gtk_snapshot_save (snapshot);
            gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (lx + 2, ly + 2));
            gtk_snapshot_scale (snapshot, 1.0, 1.0);
            draw_icon (widget, snapshot, state_style[st].icon, 0, 0, &text);
            gtk_snapshot_restore (snapshot);
          }
        draw_text (widget, snapshot, kiln_memory_map_describe_state (st), lx + 26, ly + 1,
                   width / per_row - 30, FALSE, FALSE, &dim);
      }
  }
}
