/* kiln-memory-map.c — a drawn map of a chip's flash sectors and a file's segments
 *
 * Sector widths grow with the logarithm of their size, so a 32 KiB sector
 * stays clickable next to a 256 KiB one; every sector says its number, size
 * and state in words, and carries an icon, so colour is never the only cue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiln-memory-map-private.h"

#define ROW_LABEL_WIDTH   64.0
#define SECTOR_HEIGHT     62.0
#define SECTOR_MIN_WIDTH  46.0
#define LANE_HEIGHT       24.0
#define ROW_GAP           10.0
#define RAM_HEIGHT        30.0
#define LEGEND_ROW        24.0
#define ICON_SIZE         16.0

typedef struct
{
  KilnMapSector   sector;
  KilnSectorState state;
  char           *reason;
  graphene_rect_t rect;
  gboolean        word_shown;   /* the state's word fitted when last drawn */
} Sector;

typedef struct
{
  char            *name;
  guint32          address;
  guint32          size;
  graphene_rect_t  rect;   /* RAM regions: where it was last drawn */
} Region;

struct _KilnMemoryMap
{
  GtkWidget  parent_instance;

  GArray    *sectors;   /* of Sector */
  GArray    *ram;       /* of Region */
  GArray    *segments;  /* of Region */
  guint      n_banks;
  double     sector_height;  /* SECTOR_HEIGHT, or taller when there is room */
};

G_DEFINE_FINAL_TYPE (KilnMemoryMap, kiln_memory_map, GTK_TYPE_WIDGET)

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
};

const char *
kiln_memory_map_describe_state (KilnSectorState state)
{
  switch (state)
    {
    case KILN_SECTOR_STATE_UNTOUCHED:   return _("Untouched");
    case KILN_SECTOR_STATE_PLANNED: return _("Will be erased and written");
    case KILN_SECTOR_STATE_UNCHANGED:   return _("Unchanged, skipped");
    case KILN_SECTOR_STATE_PROTECTED:   return _("Write-protected");
    case KILN_SECTOR_STATE_ERASING:     return _("Erasing");
    case KILN_SECTOR_STATE_WRITING:     return _("Writing");
    case KILN_SECTOR_STATE_VERIFYING:   return _("Verifying");
    case KILN_SECTOR_STATE_VERIFIED:    return _("Verified");
    case KILN_SECTOR_STATE_FAILED:      return _("Failed");
    case KILN_SECTOR_STATE_BLANK:       return _("Blank: no erase needed");
    default:                            return "";
    }
}

/* The short word drawn inside a sector: the legend's word where it is
 * one word, so a tile and the legend never name a state differently. */
const char *
kiln_memory_map_state_word (KilnSectorState state)
{
  switch (state)
    {
    /* Translators: short words drawn inside a flash sector of the memory map */
    case KILN_SECTOR_STATE_UNTOUCHED:   return C_("sector", "untouched");
    case KILN_SECTOR_STATE_PLANNED: return C_("sector", "write");
    case KILN_SECTOR_STATE_UNCHANGED:   return C_("sector", "skip");
    case KILN_SECTOR_STATE_PROTECTED:   return C_("sector", "locked");
    case KILN_SECTOR_STATE_ERASING:     return C_("sector", "erasing");
    case KILN_SECTOR_STATE_WRITING:     return C_("sector", "writing");
    case KILN_SECTOR_STATE_VERIFYING:   return C_("sector", "checking");
    case KILN_SECTOR_STATE_VERIFIED:    return C_("sector", "verified");
    case KILN_SECTOR_STATE_FAILED:      return C_("sector", "failed");
    case KILN_SECTOR_STATE_BLANK:       return C_("sector", "blank");
    default:                            return "";
    }
}

static char *
format_size (guint64 size)
{
  if (size >= 1024 * 1024 && size % (1024 * 1024) == 0)
    return g_strdup_printf (_("%u MiB"), (guint) (size / (1024 * 1024)));
  if (size >= 1024 && size % 1024 == 0)
    return g_strdup_printf (_("%u KiB"), (guint) (size / 1024));
  return g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
}

static void
sector_clear (gpointer data)
{
  Sector *s = data;
  g_clear_pointer (&s->reason, g_free);
}

static void
region_clear (gpointer data)
{
  Region *r = data;
  g_clear_pointer (&r->name, g_free);
}

static double
sector_weight (guint32 size,
               guint32 smallest)
{
  return 1.0 + log2 ((double) MAX (size, smallest) / (double) MAX (smallest, 1));
}

static gboolean
region_overlaps (guint32 a,
                 guint32 a_size,
                 guint32 b,
                 guint32 b_size)
{
  guint64 a_end = (guint64) a + a_size;
  guint64 b_end = (guint64) b + b_size;
  return a < b_end && b < a_end;
}

static double
legend_height (double width)
{
  guint per_row = MAX (1, (guint) (width / 240.0));
  guint rows = (KILN_N_SECTOR_STATES + per_row - 1) / per_row;
  return rows * LEGEND_ROW;
}

static guint
n_outside_segments (KilnMemoryMap *self)
{
  guint n = 0;

  for (guint i = 0; i < self->segments->len; i++)
    {
      const Region *seg = &g_array_index (self->segments, Region, i);
      gboolean inside = FALSE;

      for (guint j = 0; j < self->sectors->len && !inside; j++)
        {
          const Sector *s = &g_array_index (self->sectors, Sector, j);
          inside = region_overlaps (seg->address, seg->size, s->sector.address, s->sector.size);
        }
      for (guint j = 0; j < self->ram->len && !inside; j++)
        {
          const Region *r = &g_array_index (self->ram, Region, j);
          inside = region_overlaps (seg->address, seg->size, r->address, r->size);
        }
      if (!inside)
        n++;
    }
  return n;
}

static double
content_height (KilnMemoryMap *self,
                double         width)
{
  double h = 0;

  if (self->sectors->len == 0)
    return 0;
  h += self->n_banks * (SECTOR_HEIGHT + LANE_HEIGHT + ROW_GAP);
  if (self->ram->len > 0)
    h += RAM_HEIGHT + LANE_HEIGHT + ROW_GAP;
  h += n_outside_segments (self) * LEGEND_ROW;
  h += legend_height (width);
  return h;
}

/* Lays the sectors of each bank out across @width; stores the rectangles. */
static void
compute_layout (KilnMemoryMap *self,
                double         width)
{
  guint32 smallest = G_MAXUINT32;
  double x0 = self->n_banks > 1 ? ROW_LABEL_WIDTH : 0;
  double room = gtk_widget_get_height (GTK_WIDGET (self)) - content_height (self, width);

  /* A large window gives its room to the sectors (up to 4 times as tall)
   * rather than leaving it empty under the legend. */
  self->sector_height = SECTOR_HEIGHT;
  if (room > 0 && self->n_banks > 0)
    self->sector_height += MIN (room / self->n_banks, 3 * SECTOR_HEIGHT);

  for (guint i = 0; i < self->sectors->len; i++)
    smallest = MIN (smallest, g_array_index (self->sectors, Sector, i).sector.size);

  for (guint bank = 0; bank < self->n_banks; bank++)
    {
      double total = 0;
      double avail = MAX (width - x0, 1);
      double x = x0;
      double y = bank * (self->sector_height + LANE_HEIGHT + ROW_GAP);
      guint n = 0;
      double extra;

      for (guint i = 0; i < self->sectors->len; i++)
        {
          Sector *s = &g_array_index (self->sectors, Sector, i);
          if (s->sector.bank == bank)
            {
              total += sector_weight (s->sector.size, smallest);
              n++;
            }
        }
      if (n == 0)
        continue;

      /* Give each sector its minimum, share the rest by weight. */
      extra = MAX (avail - n * SECTOR_MIN_WIDTH, 0);
      for (guint i = 0; i < self->sectors->len; i++)
        {
          Sector *s = &g_array_index (self->sectors, Sector, i);
          double w;

          if (s->sector.bank != bank)
            continue;
          w = SECTOR_MIN_WIDTH + extra * sector_weight (s->sector.size, smallest) / total;
          graphene_rect_init (&s->rect, x, y, w, self->sector_height);
          x += w;
        }
    }
}

/* x position of @address inside the row of @bank, or -1 if not in it. */
static double
address_to_x (KilnMemoryMap *self,
              guint          bank,
              guint64        address)
{
  for (guint i = 0; i < self->sectors->len; i++)
    {
      const Sector *s = &g_array_index (self->sectors, Sector, i);
      guint64 end = (guint64) s->sector.address + s->sector.size;

      if (s->sector.bank != bank)
        continue;
      if (address >= s->sector.address && address <= end)
        return s->rect.origin.x
               + s->rect.size.width * (double) (address - s->sector.address) / s->sector.size;
    }
  return -1;
}

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
 * tile's colour, icon and tooltip. */
static gboolean
draw_word (GtkWidget     *widget,
           GtkSnapshot   *snapshot,
           const char    *text,
           double         x,
           double         y,
           double         width,
           const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int tw, th;

  pango_layout_get_pixel_size (layout, &tw, &th);
  if (*text == '\0' || tw > width)
    return FALSE;
  append_layout_at (snapshot, layout, x, y, color);
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

          if (s->sector.bank != bank || !region_overlaps (seg->address, seg->size,
                                                          s->sector.address, s->sector.size))
            continue;
          a = address_to_x (self, bank, MAX (start, s->sector.address));
          b = address_to_x (self, bank, MIN (end, s_end));
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
        if (lx + MIN (tw, 40) <= gtk_widget_get_width (widget))
          {
            draw_text (widget, snapshot, seg->name, lx, y + 7,
                       gtk_widget_get_width (widget) - lx, FALSE, FALSE, fg);
            next_free = lx + tw + 8;
          }
      }
    }
}

static void
kiln_memory_map_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  KilnMemoryMap *self = KILN_MEMORY_MAP (widget);
  double width = gtk_widget_get_width (widget);
  double y;
  gboolean short_sizes = FALSE;
  GdkRGBA fg, border, dim;

  if (self->sectors->len == 0)
    return;

  compute_layout (self, width);
  get_fg_color (widget, &fg);

  /* One size style for the whole map: "128 KiB" everywhere, or "128K"
   * everywhere when the narrowest sector has no room for the long form. */
  for (guint i = 0; i < self->sectors->len && !short_sizes; i++)
    {
      const Sector *s = &g_array_index (self->sectors, Sector, i);
      g_autofree char *size = format_size (s->sector.size);
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
          size = format_size (s->sector.size);
          draw_text (widget, snapshot, number, r.origin.x + 4, r.origin.y + 3, tw - ICON_SIZE, TRUE, FALSE, &text);
          if (short_sizes && s->sector.size % 1024 == 0)
            {
              g_free (size);
              /* Translators: a short size in KiB drawn inside a narrow sector */
              size = g_strdup_printf (C_("sector", "%uK"), s->sector.size / 1024);
            }
          draw_text (widget, snapshot, size, r.origin.x + 4, r.origin.y + 22, tw, FALSE, FALSE, &text);
          s->word_shown = draw_word (widget, snapshot, kiln_memory_map_state_word (s->state),
                                     r.origin.x + 4, r.origin.y + 40, tw, &text);
          if (state_style[s->state].icon != NULL)
            draw_icon (widget, snapshot, state_style[s->state].icon,
                       r.origin.x + r.size.width - ICON_SIZE - 4, r.origin.y + 4, &text);
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
          g_autofree char *size = format_size (r->size);
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

              if (!region_overlaps (seg->address, seg->size, r->address, r->size))
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
      gboolean inside = FALSE;
      GdkRGBA red;

      for (guint j = 0; j < self->sectors->len && !inside; j++)
        {
          const Sector *s = &g_array_index (self->sectors, Sector, j);
          inside = region_overlaps (seg->address, seg->size, s->sector.address, s->sector.size);
        }
      for (guint j = 0; j < self->ram->len && !inside; j++)
        {
          const Region *r = &g_array_index (self->ram, Region, j);
          inside = region_overlaps (seg->address, seg->size, r->address, r->size);
        }
      if (!inside)
        {
          g_autofree char *size = format_size (seg->size);
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
    guint per_row = MAX (1, (guint) (width / 240.0));

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

static void
kiln_memory_map_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  KilnMemoryMap *self = KILN_MEMORY_MAP (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      guint max_per_bank = 0;

      for (guint bank = 0; bank < self->n_banks; bank++)
        {
          guint n = 0;
          for (guint i = 0; i < self->sectors->len; i++)
            if (g_array_index (self->sectors, Sector, i).sector.bank == bank)
              n++;
          max_per_bank = MAX (max_per_bank, n);
        }
      *minimum = (int) ((self->n_banks > 1 ? ROW_LABEL_WIDTH : 0) + max_per_bank * SECTOR_MIN_WIDTH);
      *natural = MAX (*minimum, 640);
    }
  else
    {
      double width = for_size > 0 ? for_size : 640;
      *minimum = *natural = (int) ceil (content_height (self, width));
    }
}

static GtkSizeRequestMode
kiln_memory_map_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

char *
kiln_memory_map_describe_at (KilnMemoryMap *self,
                             double         x,
                             double         y)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), NULL);

  compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)));

  for (guint i = 0; i < self->sectors->len; i++)
    {
      const Sector *s = &g_array_index (self->sectors, Sector, i);
      graphene_rect_t hit = s->rect;
      GString *str;
      g_autofree char *size = NULL;

      /* The sector and the segment lane under it */
      hit.size.height += LANE_HEIGHT;
      if (!graphene_rect_contains_point (&hit, &GRAPHENE_POINT_INIT (x, y)))
        continue;

      size = format_size (s->sector.size);
      str = g_string_new (NULL);
      if (self->n_banks > 1)
        g_string_append_printf (str, _("Bank %u, sector %u"), s->sector.bank + 1, s->sector.number);
      else
        g_string_append_printf (str, _("Sector %u"), s->sector.number);
      g_string_append_printf (str, "\n0x%08X – 0x%08X · %s\n%s",
                              s->sector.address,
                              (guint32) (s->sector.address + s->sector.size - 1),
                              size, kiln_memory_map_describe_state (s->state));
      if (s->reason != NULL)
        g_string_append_printf (str, "\n%s", s->reason);
      for (guint j = 0; j < self->segments->len; j++)
        {
          const Region *seg = &g_array_index (self->segments, Region, j);
          g_autofree char *seg_size = NULL;

          if (!region_overlaps (seg->address, seg->size, s->sector.address, s->sector.size))
            continue;
          seg_size = g_format_size_full (seg->size, G_FORMAT_SIZE_IEC_UNITS);
          g_string_append_printf (str, "\n%s: 0x%08X – 0x%08X · %s", seg->name, seg->address,
                                  (guint32) (seg->address + seg->size - 1), seg_size);
        }
      return g_string_free (str, FALSE);
    }

  for (guint i = 0; i < self->ram->len; i++)
    {
      const Region *r = &g_array_index (self->ram, Region, i);
      g_autofree char *size = NULL;
      GString *str;

      if (!graphene_rect_contains_point (&r->rect, &GRAPHENE_POINT_INIT (x, y)))
        continue;
      size = format_size (r->size);
      str = g_string_new (NULL);
      g_string_append_printf (str, "%s\n0x%08X – 0x%08X · %s", r->name, r->address,
                              (guint32) (r->address + r->size - 1), size);
      for (guint j = 0; j < self->segments->len; j++)
        {
          const Region *seg = &g_array_index (self->segments, Region, j);
          g_autofree char *seg_size = NULL;

          if (!region_overlaps (seg->address, seg->size, r->address, r->size))
            continue;
          seg_size = g_format_size_full (seg->size, G_FORMAT_SIZE_IEC_UNITS);
          g_string_append_printf (str, "\n%s: 0x%08X – 0x%08X · %s", seg->name, seg->address,
                                  (guint32) (seg->address + seg->size - 1), seg_size);
        }
      return g_string_free (str, FALSE);
    }
  return NULL;
}

static gboolean
kiln_memory_map_query_tooltip (GtkWidget  *widget,
                               int         x,
                               int         y,
                               gboolean    keyboard,
                               GtkTooltip *tooltip)
{
  g_autofree char *text = kiln_memory_map_describe_at (KILN_MEMORY_MAP (widget), x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
update_accessible (KilnMemoryMap *self)
{
  guint counts[KILN_N_SECTOR_STATES] = { 0 };
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < self->sectors->len; i++)
    counts[g_array_index (self->sectors, Sector, i).state]++;
  for (guint st = 0; st < KILN_N_SECTOR_STATES; st++)
    if (counts[st] > 0)
      g_string_append_printf (str, "%s%s: %u", str->len ? "; " : "",
                              kiln_memory_map_describe_state (st), counts[st]);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, str->str,
                                  -1);
  g_string_free (str, TRUE);
}

static void
kiln_memory_map_finalize (GObject *object)
{
  KilnMemoryMap *self = KILN_MEMORY_MAP (object);

  g_clear_pointer (&self->sectors, g_array_unref);
  g_clear_pointer (&self->ram, g_array_unref);
  g_clear_pointer (&self->segments, g_array_unref);

  G_OBJECT_CLASS (kiln_memory_map_parent_class)->finalize (object);
}

static void
kiln_memory_map_class_init (KilnMemoryMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kiln_memory_map_finalize;
  widget_class->snapshot = kiln_memory_map_snapshot;
  widget_class->measure = kiln_memory_map_measure;
  widget_class->get_request_mode = kiln_memory_map_get_request_mode;
  widget_class->query_tooltip = kiln_memory_map_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "memorymap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
kiln_memory_map_init (KilnMemoryMap *self)
{
  self->sectors = g_array_new (FALSE, TRUE, sizeof (Sector));
  g_array_set_clear_func (self->sectors, sector_clear);
  self->ram = g_array_new (FALSE, TRUE, sizeof (Region));
  g_array_set_clear_func (self->ram, region_clear);
  self->segments = g_array_new (FALSE, TRUE, sizeof (Region));
  g_array_set_clear_func (self->segments, region_clear);
  self->n_banks = 1;
  self->sector_height = SECTOR_HEIGHT;

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Flash memory map"),
                                  -1);
}

GtkWidget *
kiln_memory_map_new (void)
{
  return g_object_new (KILN_TYPE_MEMORY_MAP, NULL);
}

static void
set_regions (GArray              *array,
             const KilnMapRegion *regions,
             guint                n)
{
  g_array_set_size (array, 0);
  for (guint i = 0; i < n; i++)
    {
      Region r = { g_strdup (regions[i].name), regions[i].address, regions[i].size, GRAPHENE_RECT_INIT (0, 0, 0, 0) };
      g_array_append_val (array, r);
    }
}

void
kiln_memory_map_set_layout (KilnMemoryMap       *self,
                            const KilnMapSector *sectors,
                            guint                n_sectors,
                            const KilnMapRegion *ram,
                            guint                n_ram)
{
  g_return_if_fail (KILN_IS_MEMORY_MAP (self));

  g_array_set_size (self->sectors, 0);
  self->n_banks = 1;
  self->sector_height = SECTOR_HEIGHT;
  for (guint i = 0; i < n_sectors; i++)
    {
      Sector s = { sectors[i], KILN_SECTOR_STATE_UNTOUCHED, NULL, GRAPHENE_RECT_INIT (0, 0, 0, 0) };
      g_array_append_val (self->sectors, s);
      self->n_banks = MAX (self->n_banks, MIN (sectors[i].bank, 1) + 1);
    }
  set_regions (self->ram, ram, n_ram);
  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
kiln_memory_map_set_segments (KilnMemoryMap       *self,
                              const KilnMapRegion *segments,
                              guint                n_segments)
{
  g_return_if_fail (KILN_IS_MEMORY_MAP (self));

  set_regions (self->segments, segments, n_segments);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
kiln_memory_map_get_n_sectors (KilnMemoryMap *self)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), 0);
  return self->sectors->len;
}

void
kiln_memory_map_set_sector_state (KilnMemoryMap   *self,
                                  guint            index,
                                  KilnSectorState  state,
                                  const char      *reason)
{
  Sector *s;

  g_return_if_fail (KILN_IS_MEMORY_MAP (self));
  g_return_if_fail (index < self->sectors->len);
  g_return_if_fail (state < KILN_N_SECTOR_STATES);

  s = &g_array_index (self->sectors, Sector, index);
  s->state = state;
  g_free (s->reason);
  s->reason = g_strdup (reason);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

KilnSectorState
kiln_memory_map_get_sector_state (KilnMemoryMap *self,
                                  guint          index)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), KILN_SECTOR_STATE_UNTOUCHED);
  g_return_val_if_fail (index < self->sectors->len, KILN_SECTOR_STATE_UNTOUCHED);
  return g_array_index (self->sectors, Sector, index).state;
}

gboolean
kiln_memory_map_get_word_shown (KilnMemoryMap *self,
                                guint          index)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), FALSE);
  g_return_val_if_fail (index < self->sectors->len, FALSE);
  return g_array_index (self->sectors, Sector, index).word_shown;
}

void
kiln_memory_map_reset_states (KilnMemoryMap *self)
{
  g_return_if_fail (KILN_IS_MEMORY_MAP (self));

  for (guint i = 0; i < self->sectors->len; i++)
    {
      Sector *s = &g_array_index (self->sectors, Sector, i);
      s->state = KILN_SECTOR_STATE_UNTOUCHED;
      g_clear_pointer (&s->reason, g_free);
    }
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
