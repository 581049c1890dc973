/* kiln-memory-map.c — a drawn map of a chip's flash sectors and a file's segments
 *
 * Sector widths grow with the logarithm of their size, so a 32 KiB sector
 * stays clickable next to a 256 KiB one; every sector says its number, size
 * and state in words, and carries an icon, so colour is never the only cue.
 * This file holds the map's model, its layout and its API; the drawing is
 * in kiln-memory-map-draw.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiln-memory-map-internal.h"

G_DEFINE_FINAL_TYPE (KilnMemoryMap, kiln_memory_map, GTK_TYPE_WIDGET)


const char *
kiln_memory_map_describe_state (KilnSectorState state)
{
  switch ((guint) state)
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
    case KILN_MAP_STATE_ERASED:         return _("Erased: empty until programmed");
    default:                            return "";
    }
}

/* The short word drawn inside a sector: the legend's word where it is
 * one word, so a tile and the legend never name a state differently. */
const char *
kiln_memory_map_state_word (KilnSectorState state)
{
  switch ((guint) state)
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
    case KILN_MAP_STATE_ERASED:         return C_("sector", "erased");
    default:                            return "";
    }
}

char *
_kiln_memory_map_format_size (guint64 size)
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

gboolean
_kiln_memory_map_overlaps (guint32 a,
                 guint32 a_size,
                 guint32 b,
                 guint32 b_size)
{
  guint64 a_end = (guint64) a + a_size;
  guint64 b_end = (guint64) b + b_size;
  return a < b_end && b < a_end;
}

static double
legend_height (KilnMemoryMap *self,
               double         width)
{
  guint per_row = _kiln_memory_map_legend_columns (self, width);
  guint rows = (KILN_N_SECTOR_STATES + per_row - 1) / per_row;
  return rows * LEGEND_ROW;
}

gboolean
_kiln_memory_map_segment_inside (KilnMemoryMap *self,
                                 const Region  *segment)
{
  for (guint j = 0; j < self->sectors->len; j++)
    {
      const Sector *s = &g_array_index (self->sectors, Sector, j);

      if (_kiln_memory_map_overlaps (segment->address, segment->size, s->sector.address, s->sector.size))
        return TRUE;
    }
  for (guint j = 0; j < self->ram->len; j++)
    {
      const Region *r = &g_array_index (self->ram, Region, j);

      if (_kiln_memory_map_overlaps (segment->address, segment->size, r->address, r->size))
        return TRUE;
    }
  return FALSE;
}

static guint
n_outside_segments (KilnMemoryMap *self)
{
  guint n = 0;

  for (guint i = 0; i < self->segments->len; i++)
    if (!_kiln_memory_map_segment_inside (self, &g_array_index (self->segments, Region, i)))
      n++;
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
  h += legend_height (self, width);
  return h;
}

/* The width Pango gives the widest of @text's texts for the sector states,
 * in this language and font. */
static int
widest_of (KilnMemoryMap *self,
           const char    *(*text) (KilnSectorState state))
{
  int widest = 0;

  for (guint st = 0; st < KILN_N_SECTOR_STATES; st++)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text (st));
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      widest = MAX (widest, w);
    }
  return widest;
}

/* The width Pango gives the longest state word in this language and font. */
static double
widest_word (KilnMemoryMap *self)
{
  if (self->widest_word < 0)
    self->widest_word = widest_of (self, kiln_memory_map_state_word);
  return self->widest_word;
}

/* The legend's columns at @width: at least 240 px each, and wide enough
 * for its longest description (its box and gap: 30 px) so none is cut. */
guint
_kiln_memory_map_legend_columns (KilnMemoryMap *self,
                                 double         width)
{
  if (self->widest_legend < 0)
    self->widest_legend = widest_of (self, kiln_memory_map_describe_state);
  return MAX (1, (guint) (width / MAX (240.0, self->widest_legend + 30 + 8)));
}

void
_kiln_memory_map_compute_layout (KilnMemoryMap *self,
                double         width)
{
  guint32 smallest = G_MAXUINT32;
  double x0 = self->n_banks > 1 ? ROW_LABEL_WIDTH : 0;
  double room = gtk_widget_get_height (GTK_WIDGET (self)) - content_height (self, width);

  /* A large window gives all its room to the sectors rather than leaving
   * it empty under the legend (at 1920×1080 a third of the column). */
  self->sector_height = SECTOR_HEIGHT;
  if (room > 0 && self->n_banks > 0)
    self->sector_height += room / self->n_banks;

  for (guint i = 0; i < self->sectors->len; i++)
    smallest = MIN (smallest, g_array_index (self->sectors, Sector, i).sector.size);

  for (guint bank = 0; bank < self->n_banks; bank++)
    {
      double total = 0;
      double avail = MAX (width - x0, 1);
      double x = x0;
      double y = bank * (self->sector_height + LANE_HEIGHT + ROW_GAP);
      guint n = 0;
      double least, extra;

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

      /* Give each sector room for every state's word (its padding and the
       * gap to its neighbours: 11 px) when the row has that room, or as much
       * of it as the row has; share the rest by weight. The tiles' sizes
       * still grow with the sectors' wherever there is more room. */
      least = MAX (SECTOR_MIN_WIDTH, MIN (widest_word (self) + 11, avail / n));
      extra = MAX (avail - n * least, 0);
      for (guint i = 0; i < self->sectors->len; i++)
        {
          Sector *s = &g_array_index (self->sectors, Sector, i);
          double w;

          if (s->sector.bank != bank)
            continue;
          w = least + extra * sector_weight (s->sector.size, smallest) / total;
          graphene_rect_init (&s->rect, x, y, w, self->sector_height);
          x += w;
        }
    }
}

double
_kiln_memory_map_address_to_x (KilnMemoryMap *self,
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

int
_kiln_memory_map_sector_at (KilnMemoryMap *self,
                            double         x,
                            double         y)
{
  _kiln_memory_map_compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)));
  for (guint i = 0; i < self->sectors->len; i++)
    {
      graphene_rect_t hit = g_array_index (self->sectors, Sector, i).rect;

      hit.size.height += LANE_HEIGHT;
      if (graphene_rect_contains_point (&hit, &GRAPHENE_POINT_INIT (x, y)))
        return (int) i;
    }
  return -1;
}

char *
kiln_memory_map_dup_sector_label (KilnMemoryMap *self,
                                  guint          index)
{
  const Sector *s;
  g_autofree char *size = NULL;
  g_autofree char *name = NULL;
  GString *str;

  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), NULL);
  g_return_val_if_fail (index < self->sectors->len, NULL);

  s = &g_array_index (self->sectors, Sector, index);
  size = _kiln_memory_map_format_size (s->sector.size);
  name = self->n_banks > 1 ? g_strdup_printf (_("Bank %u, sector %u"), s->sector.bank + 1, s->sector.number)
                           : g_strdup_printf (_("Sector %u"), s->sector.number);
  str = g_string_new (name);
  /* Translators: a sector's first and last address, its size and its state */
  g_string_append_printf (str, _(", 0x%08X to 0x%08X, %s, %s"), s->sector.address,
                          (guint32) (s->sector.address + s->sector.size - 1), size,
                          kiln_memory_map_describe_state (s->state));
  if (self->selecting)
    g_string_append (str, s->ticked ? _(", ticked for erasing") : _(", not ticked"));
  return g_string_free (str, FALSE);
}

const KilnMapSector *
kiln_memory_map_get_sector (KilnMemoryMap *self,
                            guint          index)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), NULL);
  g_return_val_if_fail (index < self->sectors->len, NULL);
  return &g_array_index (self->sectors, Sector, index).sector;
}

double
kiln_memory_map_get_drawn_height (KilnMemoryMap *self)
{
  double width;

  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), 0);
  width = gtk_widget_get_width (GTK_WIDGET (self));
  _kiln_memory_map_compute_layout (self, width);
  return content_height (self, width) + self->n_banks * (self->sector_height - SECTOR_HEIGHT);
}

gboolean
kiln_memory_map_get_sector_point (KilnMemoryMap *self,
                                  guint          index,
                                  double        *x,
                                  double        *y)
{
  const Sector *s;

  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), FALSE);
  if (index >= self->sectors->len)
    return FALSE;
  _kiln_memory_map_compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)));
  s = &g_array_index (self->sectors, Sector, index);
  *x = s->rect.origin.x + s->rect.size.width / 2;
  *y = s->rect.origin.y + s->rect.size.height / 2;
  return TRUE;
}

char *
kiln_memory_map_describe_at (KilnMemoryMap *self,
                             double         x,
                             double         y)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), NULL);

  _kiln_memory_map_compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)));

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

      size = _kiln_memory_map_format_size (s->sector.size);
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

          if (!_kiln_memory_map_overlaps (seg->address, seg->size, s->sector.address, s->sector.size))
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
      size = _kiln_memory_map_format_size (r->size);
      str = g_string_new (NULL);
      g_string_append_printf (str, "%s\n0x%08X – 0x%08X · %s", r->name, r->address,
                              (guint32) (r->address + r->size - 1), size);
      for (guint j = 0; j < self->segments->len; j++)
        {
          const Region *seg = &g_array_index (self->segments, Region, j);
          g_autofree char *seg_size = NULL;

          if (!_kiln_memory_map_overlaps (seg->address, seg->size, r->address, r->size))
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

void
_kiln_memory_map_update_accessible (KilnMemoryMap *self)
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
  /* The tile the keyboard is on, said whole: the map is one widget, so its
   * label follows the focus from tile to tile. */
  if (self->focus < self->sectors->len)
    {
      g_autofree char *tile = kiln_memory_map_dup_sector_label (self, self->focus);
      /* Translators: the memory map's accessible name, then the focused sector in words */
      g_autofree char *label = g_strdup_printf (_("Flash memory map: %s"), tile);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
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

/* A new font or style measures the words again. */
static void
forget_widths (KilnMemoryMap *self)
{
  self->widest_word = -1;
  self->widest_legend = -1;
}

static void
kiln_memory_map_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  forget_widths (KILN_MEMORY_MAP (widget));
  GTK_WIDGET_CLASS (kiln_memory_map_parent_class)->css_changed (widget, change);
}

static void
kiln_memory_map_system_setting_changed (GtkWidget        *widget,
                                        GtkSystemSetting  setting)
{
  forget_widths (KILN_MEMORY_MAP (widget));
  GTK_WIDGET_CLASS (kiln_memory_map_parent_class)->system_setting_changed (widget, setting);
}

static void
kiln_memory_map_class_init (KilnMemoryMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kiln_memory_map_finalize;
  widget_class->snapshot = _kiln_memory_map_snapshot;
  widget_class->measure = kiln_memory_map_measure;
  widget_class->get_request_mode = kiln_memory_map_get_request_mode;
  widget_class->query_tooltip = kiln_memory_map_query_tooltip;
  widget_class->css_changed = kiln_memory_map_css_changed;
  widget_class->system_setting_changed = kiln_memory_map_system_setting_changed;

  gtk_widget_class_set_css_name (widget_class, "memorymap");
  /* A focusable picture whose label follows the tile under the keyboard */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  _kiln_memory_map_class_init_input (widget_class);
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
  forget_widths (self);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  _kiln_memory_map_init_input (self);
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
      Sector s = { .sector = sectors[i], .state = KILN_SECTOR_STATE_UNTOUCHED };
      g_array_append_val (self->sectors, s);
      self->n_banks = MAX (self->n_banks, MIN (sectors[i].bank, 1) + 1);
    }
  self->focus = 0;
  set_regions (self->ram, ram, n_ram);
  _kiln_memory_map_update_accessible (self);
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
  _kiln_memory_map_update_accessible (self);
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

guint
kiln_memory_map_get_legend_columns (KilnMemoryMap *self)
{
  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), 1);
  return _kiln_memory_map_legend_columns (self, gtk_widget_get_width (GTK_WIDGET (self)));
}

gboolean
kiln_memory_map_get_word_bounds (KilnMemoryMap   *self,
                                 guint            index,
                                 graphene_rect_t *tile,
                                 graphene_rect_t *word,
                                 graphene_rect_t *corner)
{
  const Sector *s;

  g_return_val_if_fail (KILN_IS_MEMORY_MAP (self), FALSE);
  g_return_val_if_fail (index < self->sectors->len, FALSE);

  s = &g_array_index (self->sectors, Sector, index);
  /* The tile as drawn: its slot less the gap to its neighbours. */
  graphene_rect_inset_r (&s->rect, 1.5, 0, tile);
  *corner = s->corner_rect;
  if (s->word_shown)
    *word = s->word_rect;
  return s->word_shown;
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
  _kiln_memory_map_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
