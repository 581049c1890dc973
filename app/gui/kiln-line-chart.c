/* kiln-line-chart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "kiln-line-chart-private.h"

#define ROW_HEIGHT  30
#define HOURS_HEIGHT 250

/* libadwaita's palette: green 4, red 3, and a neutral for attempts. */
static const GdkRGBA pass_color = { 0.149, 0.635, 0.412, 1 };
static const GdkRGBA fail_color = { 0.878, 0.106, 0.141, 1 };

typedef struct
{
  char  *label;
  guint  count;
  guint  attempts;
} Row;

struct _KilnLineChart
{
  GtkWidget parent_instance;

  gboolean               ranked;
  gboolean               of_attempts;
  KilnLineChartLabelFunc label;
  GArray                *hours;   /* KilnStatsHour */
  GArray                *rows;    /* Row */
};

G_DEFINE_FINAL_TYPE (KilnLineChart, kiln_line_chart, GTK_TYPE_WIDGET)

static void
row_clear (gpointer data)
{
  g_free (((Row *) data)->label);
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *color,
            double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

/* Draws @text with its left (align 0), centre (0.5) or right (1) at @x and
 * its middle at @y. */
static void
draw_text (KilnLineChart *self,
           cairo_t       *cr,
           const char    *text,
           double         x,
           double         y,
           double         align,
           double         max_width,
           gboolean       bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  if (bold)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - align * w, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static guint
hour_total (const KilnStatsHour *h)
{
  return h->passed + h->failed;
}

/* A round step for the value axis: 1, 2, 5, 10, 20, 50… */
static guint
nice_step (guint max,
           guint lines)
{
  guint step = 1;

  while (step * lines < max)
    {
      if (step * 2 * lines >= max)
        return step * 2;
      if (step * 5 * lines >= max)
        return step * 5;
      step *= 10;
    }
  return step;
}

static void
draw_hours (KilnLineChart *self,
            cairo_t       *cr,
            double         width,
            double         height,
            const GdkRGBA *fg)
{
  guint n = self->hours ? self->hours->len : 0;
  guint max = 0, step, top;
  double left = 44, right = 12, top_margin = 46, bottom = 26;
  double plot_w = width - left - right, plot_h = height - top_margin - bottom;
  double slot, bar;
  guint label_every;

  for (guint i = 0; i < n; i++)
    max = MAX (max, hour_total (&g_array_index (self->hours, KilnStatsHour, i)));

  /* Legend. */
  cairo_rectangle (cr, width - right - 150, 8, 12, 12);
  gdk_cairo_set_source_rgba (cr, &pass_color);
  cairo_fill (cr);
  set_source (cr, fg, 1);
  draw_text (self, cr, _("PASS"), width - right - 132, 14, 0, 0, FALSE);
  cairo_rectangle (cr, width - right - 76, 8, 12, 12);
  gdk_cairo_set_source_rgba (cr, &fail_color);
  cairo_fill (cr);
  set_source (cr, fg, 1);
  draw_text (self, cr, _("FAIL"), width - right - 58, 14, 0, 0, FALSE);

  if (n == 0 || plot_w < 20 || plot_h < 20)
    {
      set_source (cr, fg, 0.6);
      draw_text (self, cr, _("No board in this range"), width / 2, height / 2, 0.5, 0, FALSE);
      return;
    }

  step = nice_step (MAX (max, 1), 4);
  top = ((MAX (max, 1) + step - 1) / step) * step;
  /* Grid lines and their values. */
  cairo_set_line_width (cr, 1);
  for (guint v = 0; v <= top; v += step)
    {
      double y = top_margin + plot_h - plot_h * v / top;
      g_autofree char *text = g_strdup_printf ("%u", v);

      set_source (cr, fg, 0.15);
      cairo_move_to (cr, left, (int) y + 0.5);
      cairo_line_to (cr, left + plot_w, (int) y + 0.5);
      cairo_stroke (cr);
      set_source (cr, fg, 0.7);
      draw_text (self, cr, text, left - 8, y, 1, 0, FALSE);
    }

  slot = plot_w / n;
  bar = MAX (2, slot * 0.7);
  label_every = (guint) MAX (1, 52 / slot + 1);
  for (guint i = 0; i < n; i++)
    {
      const KilnStatsHour *h = &g_array_index (self->hours, KilnStatsHour, i);
      double x = left + slot * i + (slot - bar) / 2;
      double pass_h = plot_h * h->passed / top;
      double fail_h = plot_h * h->failed / top;
      double base = top_margin + plot_h;

      gdk_cairo_set_source_rgba (cr, &pass_color);
      cairo_rectangle (cr, x, base - pass_h, bar, pass_h);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &fail_color);
      cairo_rectangle (cr, x, base - pass_h - fail_h, bar, fail_h);
      cairo_fill (cr);
      if (hour_total (h) > 0 && bar >= 18)
        {
          g_autofree char *text = g_strdup_printf ("%u", hour_total (h));

          set_source (cr, fg, 0.85);
          draw_text (self, cr, text, x + bar / 2, base - pass_h - fail_h - 9, 0.5, 0, FALSE);
        }
      if (i % label_every == 0)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (h->start);
          g_autofree char *text = g_date_time_format (dt, "%H:00");

          set_source (cr, fg, 0.7);
          draw_text (self, cr, text, left + slot * i + slot / 2, base + bottom / 2 + 2, 0.5, 0, FALSE);
        }
    }
}

static void
draw_ranked (KilnLineChart *self,
             cairo_t       *cr,
             double         width,
             const GdkRGBA *fg)
{
  guint n = self->rows ? self->rows->len : 0;
  guint max = 1;
  double label_w = MIN (220, width * 0.38), value_w = 78;
  double bar_x = label_w + 12, bar_w = MAX (10, width - bar_x - value_w - 8);

  if (n == 0)
    {
      set_source (cr, fg, 0.6);
      draw_text (self, cr, _("No failures"), 4, ROW_HEIGHT / 2.0, 0, 0, FALSE);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      const Row *r = &g_array_index (self->rows, Row, i);

      max = MAX (max, self->of_attempts ? r->attempts : r->count);
    }
  for (guint i = 0; i < n; i++)
    {
      const Row *r = &g_array_index (self->rows, Row, i);
      double y = i * ROW_HEIGHT, mid = y + ROW_HEIGHT / 2.0;
      double h = ROW_HEIGHT - 10;
      g_autofree char *value = self->of_attempts
                               /* Translators: failures out of attempts, beside a bar */
                               ? g_strdup_printf (_("%u of %u"), r->count, r->attempts)
                               : g_strdup_printf ("%u", r->count);

      set_source (cr, fg, 0.9);
      draw_text (self, cr, r->label, 4, mid, 0, label_w - 4, FALSE);
      if (self->of_attempts)
        {
          set_source (cr, fg, 0.12);
          cairo_rectangle (cr, bar_x, mid - h / 2, bar_w * r->attempts / max, h);
          cairo_fill (cr);
        }
      gdk_cairo_set_source_rgba (cr, &fail_color);
      cairo_rectangle (cr, bar_x, mid - h / 2, MAX (r->count ? 2 : 0, bar_w * r->count / max), h);
      cairo_fill (cr);
      set_source (cr, fg, 0.9);
      draw_text (self, cr, value, width - 4, mid, 1, 0, TRUE);
    }
}

static void
kiln_line_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  KilnLineChart *self = KILN_LINE_CHART (widget);
  double width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  GdkRGBA fg;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (self->ranked)
    draw_ranked (self, cr, width, &fg);
  else
    draw_hours (self, cr, width, height, &fg);
  cairo_destroy (cr);
}

static void
kiln_line_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  KilnLineChart *self = KILN_LINE_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 480;
    }
  else if (self->ranked)
    *minimum = *natural = ROW_HEIGHT * MAX (1, self->rows ? self->rows->len : 0);
  else
    *minimum = *natural = HOURS_HEIGHT;
}

static void
kiln_line_chart_finalize (GObject *object)
{
  KilnLineChart *self = KILN_LINE_CHART (object);

  g_clear_pointer (&self->hours, g_array_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  G_OBJECT_CLASS (kiln_line_chart_parent_class)->finalize (object);
}

static void
kiln_line_chart_class_init (KilnLineChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = kiln_line_chart_finalize;
  widget_class->snapshot = kiln_line_chart_snapshot;
  widget_class->measure = kiln_line_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "kiln-line-chart");
}

static void
kiln_line_chart_init (KilnLineChart *self)
{
}

GtkWidget *
kiln_line_chart_new_hours (void)
{
  KilnLineChart *self = g_object_new (KILN_TYPE_LINE_CHART, NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attempts per hour, PASS and FAIL"), -1);
  return GTK_WIDGET (self);
}

GtkWidget *
kiln_line_chart_new_ranked (KilnLineChartLabelFunc label,
                            gboolean               of_attempts)
{
  KilnLineChart *self = g_object_new (KILN_TYPE_LINE_CHART, NULL);

  self->ranked = TRUE;
  self->label = label;
  self->of_attempts = of_attempts;
  return GTK_WIDGET (self);
}

void
kiln_line_chart_set_hours (KilnLineChart *self,
                           GArray        *hours)
{
  g_clear_pointer (&self->hours, g_array_unref);
  if (hours != NULL)
    {
      self->hours = g_array_sized_new (FALSE, FALSE, sizeof (KilnStatsHour), hours->len);
      g_array_append_vals (self->hours, hours->data, hours->len);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
kiln_line_chart_set_counts (KilnLineChart *self,
                            GPtrArray     *counts)
{
  g_clear_pointer (&self->rows, g_array_unref);
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  for (guint i = 0; counts != NULL && i < counts->len; i++)
    {
      const KilnStatsCount *c = g_ptr_array_index (counts, i);
      Row row = { self->label ? self->label (c->key) : g_strdup (c->key), c->count, c->attempts };

      g_array_append_val (self->rows, row);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
kiln_line_chart_get_n_bars (KilnLineChart *self)
{
  if (self->ranked)
    return self->rows ? self->rows->len : 0;
  return self->hours ? self->hours->len : 0;
}

guint
kiln_line_chart_get_max (KilnLineChart *self)
{
  guint max = 0;

  for (guint i = 0; self->ranked && self->rows && i < self->rows->len; i++)
    max = MAX (max, g_array_index (self->rows, Row, i).count);
  for (guint i = 0; !self->ranked && self->hours && i < self->hours->len; i++)
    max = MAX (max, hour_total (&g_array_index (self->hours, KilnStatsHour, i)));
  return max;
}
