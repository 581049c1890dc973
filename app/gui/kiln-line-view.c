/* kiln-line-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-line-chart-private.h"
#include "kiln-line-view-private.h"
#include "kiln-production-diagnosis.h"

struct _KilnLineView
{
  AdwWindow       parent_instance;

  char           *record_path;
  KilnLineRecord *line;
  GFile          *export_folder;
  gint64          now;
  KilnLineRange   range;
  gint64          custom_since;
  gint64          custom_until;
  gint64          since;          /* of the figures shown */
  gint64          until;
  guint           generation;
  guint           n_updates;
  GCancellable   *cancellable;
  GPtrArray      *entries;        /* the whole record, from the last query */
  KilnProductionStats *stats;

  AdwWindowTitle *title;
  GtkToggleButton *range_buttons[3];
  GtkMenuButton  *custom_button;
  GtkEntry       *from_entry;
  GtkEntry       *to_entry;
  GtkLabel       *custom_error;
  GtkLabel       *status;
  GtkSpinner     *spinner;
  GtkLabel       *figures[6];
  GtkLabel       *captions[6];
  GtkWidget      *consumed_card;  /* why numbers were consumed (the line only) */
  GtkBox         *consumed_causes;
  KilnLineChart  *hours;
  KilnLineChart  *causes;
  KilnLineChart  *stations;
  KilnLineChart  *slots;
  KilnLineChart  *probes;
};

G_DEFINE_FINAL_TYPE (KilnLineView, kiln_line_view, ADW_TYPE_WINDOW)

enum { FIG_BOARDS, FIG_YIELD, FIG_RATE, FIG_CYCLE, FIG_FAILED, FIG_CONSUMED };

/* The query, off the main thread */

typedef struct
{
  char           *record_path;
  KilnLineRecord *line;
  gint64          since;
  gint64          until;
  guint           generation;
} Query;

typedef struct
{
  GPtrArray           *entries;
  KilnProductionStats *stats;
} Answer;

static void
query_free (Query *q)
{
  g_free (q->record_path);
  g_clear_object (&q->line);
  g_free (q);
}

static void
answer_free (Answer *a)
{
  g_clear_pointer (&a->entries, g_ptr_array_unref);
  g_clear_pointer (&a->stats, kiln_production_stats_free);
  g_free (a);
}

static void
query_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Query *q = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionRecord) record = NULL;
  GPtrArray *entries = NULL;
  Answer *a;

  if (q->line != NULL)
    entries = kiln_line_record_list (q->line, &error);
  else if (!g_file_test (q->record_path, G_FILE_TEST_IS_REGULAR))
    entries = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_production_entry_free);
  else if ((record = kiln_production_record_open (q->record_path, &error)) != NULL)
    entries = kiln_production_record_list (record, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  a = g_new0 (Answer, 1);
  a->entries = entries;
  a->stats = kiln_production_stats_compute (entries, q->since, q->until);
  if (q->line != NULL)
    {
      /* The line also knows the numbers its stations spent without a result. */
      g_autoptr(GPtrArray) rows = kiln_line_record_list_serials (q->line, &error);
      g_autoptr(GPtrArray) times = NULL;
      g_autoptr(GPtrArray) causes = NULL;

      if (rows == NULL)
        {
          answer_free (a);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      kiln_line_serials_consumed (rows, &times, &causes);
      kiln_production_stats_count_consumed (a->stats, times, causes);
    }
  g_task_return_pointer (task, a, (GDestroyNotify) answer_free);
}

/* Showing the figures */

static char *
cause_label (const char *key)
{
  return g_strdup (kiln_production_diagnosis_group_label (key));
}

static char *
name_label (const char *key)
{
  return g_strdup (*key ? key : _("(not recorded)"));
}

static char *
slot_label (const char *key)
{
  /* Translators: a slot of a station, by its number */
  return *key ? g_strdup_printf (_("Slot %s"), key) : g_strdup (_("(not recorded)"));
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);

  return g_date_time_format (dt, "%Y-%m-%d %H:%M");
}

/* The serial numbers consumed without a board's result, and why: only the
 * line's record knows them (a station's own record cannot tell a board
 * being programmed from one that never got its result). */
static void
show_consumed (KilnLineView *self)
{
  const KilnProductionStats *s = self->stats;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->consumed_causes))) != NULL)
    gtk_box_remove (self->consumed_causes, child);
  gtk_widget_set_visible (self->consumed_card, s->consumed >= 0);
  if (s->consumed < 0)
    {
      gtk_label_set_label (self->figures[FIG_CONSUMED], "—");
      gtk_label_set_label (self->captions[FIG_CONSUMED],
                           _("Numbers consumed (only a line database records them)"));
      return;
    }
  {
    g_autofree char *n = g_strdup_printf ("%d", s->consumed);

    gtk_label_set_label (self->figures[FIG_CONSUMED], n);
    gtk_label_set_label (self->captions[FIG_CONSUMED], _("Numbers consumed without a result"));
  }
  if (s->consumed_causes->len == 0)
    {
      GtkWidget *none = gtk_label_new (_("None in this range"));

      gtk_label_set_xalign (GTK_LABEL (none), 0);
      gtk_widget_add_css_class (none, "dim-label");
      gtk_box_append (self->consumed_causes, none);
    }
  for (guint i = 0; i < s->consumed_causes->len; i++)
    {
      const KilnStatsCount *c = g_ptr_array_index (s->consumed_causes, i);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_autofree char *count = g_strdup_printf ("%u", c->count);
      GtkWidget *number = gtk_label_new (count);
      /* Stored as the station wrote it: in this language if it is one of Kiln's messages in English. */
      GtkWidget *why = gtk_label_new (*c->key ? g_dgettext (GETTEXT_PACKAGE, c->key) : _("(not recorded)"));

      gtk_widget_add_css_class (number, "numeric");
      gtk_widget_add_css_class (number, "heading");
      gtk_label_set_xalign (GTK_LABEL (number), 1);
      gtk_label_set_width_chars (GTK_LABEL (number), 4);
      gtk_label_set_xalign (GTK_LABEL (why), 0);
      gtk_label_set_wrap (GTK_LABEL (why), TRUE);
      gtk_widget_set_hexpand (why, TRUE);
      gtk_box_append (GTK_BOX (row), number);
      gtk_box_append (GTK_BOX (row), why);
      gtk_box_append (self->consumed_causes, row);
    }
}

static void
show_stats (KilnLineView *self)
{
  const KilnProductionStats *s = self->stats;
  g_autofree char *boards = g_strdup_printf ("%u", s->boards);
  g_autofree char *yield = s->boards ? g_strdup_printf ("%.1f %%", 100.0 * s->first_pass_yield) : g_strdup ("—");
  g_autofree char *rate = s->attempts ? g_strdup_printf ("%.1f", s->boards_per_hour) : g_strdup ("—");
  g_autofree char *cycle = s->n_cycles ? g_strdup_printf (_("%.1f s"), s->cycle_median) : g_strdup ("—");
  g_autofree char *failed = g_strdup_printf ("%u", s->failed);
  g_autofree char *yield_caption = g_strdup_printf (_("First-pass yield (%u of %u)"), s->first_pass, s->boards);
  g_autofree char *cycle_caption = s->n_cycles ? g_strdup_printf (_("Median cycle · 90 %% ≤ %.1f s"), s->cycle_p90)
                                               : g_strdup (_("Median cycle"));
  g_autofree char *failed_caption = g_strdup_printf (_("Failed attempts (of %u)"), s->attempts);
  g_autofree char *from = s->since ? format_time (s->since) : g_strdup (_("the beginning"));
  g_autofree char *to = s->until ? format_time (s->until) : g_strdup (_("now"));
  g_autofree char *range = g_strdup_printf (_("From %s to %s"), from, to);

  gtk_label_set_label (self->figures[FIG_BOARDS], boards);
  gtk_label_set_label (self->figures[FIG_YIELD], yield);
  gtk_label_set_label (self->figures[FIG_RATE], rate);
  gtk_label_set_label (self->figures[FIG_CYCLE], cycle);
  gtk_label_set_label (self->figures[FIG_FAILED], failed);
  gtk_label_set_label (self->captions[FIG_YIELD], yield_caption);
  gtk_label_set_label (self->captions[FIG_CYCLE], cycle_caption);
  gtk_label_set_label (self->captions[FIG_FAILED], failed_caption);
  gtk_label_set_label (self->status, range);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status), "error");
  show_consumed (self);

  kiln_line_chart_set_hours (self->hours, s->hours);
  kiln_line_chart_set_counts (self->causes, s->causes);
  kiln_line_chart_set_counts (self->stations, s->stations);
  kiln_line_chart_set_counts (self->slots, s->slots);
  kiln_line_chart_set_counts (self->probes, s->probes);
}

static void
query_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  KilnLineView *self = KILN_LINE_VIEW (source);
  Query *q = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Answer *a = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || q->generation != self->generation)
    {
      g_clear_pointer (&a, answer_free);
      return;
    }
  gtk_spinner_stop (self->spinner);
  if (a == NULL)
    {
      gtk_label_set_label (self->status, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->status), "error");
      self->n_updates++;
      return;
    }
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->stats, kiln_production_stats_free);
  self->entries = g_steal_pointer (&a->entries);
  self->stats = g_steal_pointer (&a->stats);
  answer_free (a);
  self->since = q->since;
  self->until = q->until;
  self->n_updates++;
  show_stats (self);
}

static void
refresh (KilnLineView *self)
{
  g_autoptr(GTask) task = NULL;
  Query *q = g_new0 (Query, 1);
  gint64 now = self->now ? self->now : g_get_real_time () / G_USEC_PER_SEC;

  switch (self->range)
    {
    case KILN_LINE_RANGE_SHIFT:
      kiln_production_stats_shift (now, &q->since, &q->until);
      break;
    case KILN_LINE_RANGE_DAY:
      kiln_production_stats_day (now, &q->since, &q->until);
      break;
    case KILN_LINE_RANGE_CUSTOM:
      q->since = self->custom_since;
      q->until = self->custom_until;
      break;
    case KILN_LINE_RANGE_ALL:
    default:
      break;
    }
  q->record_path = g_strdup (self->record_path);
  q->line = self->line ? g_object_ref (self->line) : NULL;
  q->generation = ++self->generation;
  gtk_spinner_start (self->spinner);
  task = g_task_new (self, self->cancellable, query_done, NULL);
  g_task_set_task_data (task, q, (GDestroyNotify) query_free);
  g_task_run_in_thread (task, query_thread);
}

/* The range chooser */

static void
range_toggled (GtkToggleButton *button,
               KilnLineView    *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (self->range_buttons); i++)
    if (self->range_buttons[i] == button)
      self->range = (KilnLineRange) i;
  refresh (self);
}

static void
apply_custom (KilnLineView *self)
{
  g_autoptr(GError) error = NULL;
  const char *from = gtk_editable_get_text (GTK_EDITABLE (self->from_entry));
  const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_entry));
  gint64 since = 0, until = 0;

  if ((*from && !kiln_production_stats_parse_time (from, &since, &error))
      || (*to && !kiln_production_stats_parse_time (to, &until, &error)))
    {
      gtk_label_set_label (self->custom_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->custom_error), TRUE);
      return;
    }
  if (since != 0 && until != 0 && until <= since)
    {
      gtk_label_set_label (self->custom_error, _("The range ends before it begins"));
      gtk_widget_set_visible (GTK_WIDGET (self->custom_error), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->custom_error), FALSE);
  self->custom_since = since;
  self->custom_until = until;
  self->range = KILN_LINE_RANGE_CUSTOM;
  /* None of the fixed ranges is chosen now. */
  for (guint i = 0; i < G_N_ELEMENTS (self->range_buttons); i++)
    {
      g_signal_handlers_block_by_func (self->range_buttons[i], range_toggled, self);
      gtk_toggle_button_set_active (self->range_buttons[i], FALSE);
      g_signal_handlers_unblock_by_func (self->range_buttons[i], range_toggled, self);
    }
  gtk_menu_button_popdown (self->custom_button);
  refresh (self);
}

/* Export of the range */

static void
export_response (GtkNativeDialog *dialog,
                 int              response,
                 KilnLineView    *self)
{
  KilnProductionExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GPtrArray) range = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->entries != NULL
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL)
    {
      range = kiln_production_stats_filter (self->entries, self->since, self->until);
      out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
      if (out == NULL || !kiln_production_entries_export (range, format, G_OUTPUT_STREAM (out), &error)
          || !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error))
        {
          gtk_label_set_label (self->status, error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->status), "error");
        }
      else
        {
          g_autofree char *name = g_file_get_parse_name (file);
          g_autofree char *done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u board attempt exported to %s",
                                                                "%u board attempts exported to %s", range->len),
                                                   range->len, name);

          gtk_label_set_label (self->status, done);
          g_clear_object (&self->export_folder);
          self->export_folder = g_file_get_parent (file);
        }
    }
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  KilnLineView *self = KILN_LINE_VIEW (widget);
  gboolean csv = g_str_equal (g_variant_get_string (param, NULL), "csv");
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Export the Range"), GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                                              _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), csv ? "line-record.csv" : "line-record.jsonl");
  if (self->export_folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), self->export_folder, NULL);
  g_object_set_data (G_OBJECT (dialog), "format",
                     GINT_TO_POINTER (csv ? KILN_PRODUCTION_EXPORT_CSV : KILN_PRODUCTION_EXPORT_JSONL));
  g_signal_connect (dialog, "response", G_CALLBACK (export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
refresh_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  refresh (KILN_LINE_VIEW (widget));
}

/* Building the window */

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

/* A card with a heading over @child. */
static GtkWidget *
card (const char *title,
      GtkWidget  *child)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "line-card");
  gtk_box_append (GTK_BOX (box), heading (title));
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

static GtkWidget *
figure (KilnLineView *self,
        guint         index,
        const char   *caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "line-figure");
  self->figures[index] = GTK_LABEL (gtk_label_new ("—"));
  gtk_widget_add_css_class (GTK_WIDGET (self->figures[index]), "title-1");
  gtk_widget_add_css_class (GTK_WIDGET (self->figures[index]), "numeric");
  self->captions[index] = GTK_LABEL (gtk_label_new (caption));
  gtk_label_set_wrap (self->captions[index], TRUE);
  gtk_label_set_justify (self->captions[index], GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->captions[index]), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->figures[index]));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->captions[index]));
  return box;
}

static GtkWidget *
build_custom_popover (KilnLineView *self)
{
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *apply = gtk_button_new_with_mnemonic (_("_Show"));
  GtkWidget *from_label = gtk_label_new_with_mnemonic (_("_From"));
  GtkWidget *to_label = gtk_label_new_with_mnemonic (_("_To"));
  GtkWidget *hint = gtk_label_new (_("A date (2026-12-02) or a date and time (2026-12-02 14:30); empty: open"));
  GtkWidget *popover = gtk_popover_new ();

  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  self->from_entry = GTK_ENTRY (gtk_entry_new ());
  self->to_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->from_entry, "2026-12-02 06:00");
  gtk_entry_set_placeholder_text (self->to_entry, "2026-12-02 14:00");
  gtk_entry_set_activates_default (self->from_entry, TRUE);
  gtk_entry_set_activates_default (self->to_entry, TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (from_label), GTK_WIDGET (self->from_entry));
  gtk_label_set_mnemonic_widget (GTK_LABEL (to_label), GTK_WIDGET (self->to_entry));
  gtk_label_set_xalign (GTK_LABEL (from_label), 1);
  gtk_label_set_xalign (GTK_LABEL (to_label), 1);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (hint), 36);
  gtk_widget_add_css_class (hint, "dim-label");
  self->custom_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->custom_error, TRUE);
  gtk_label_set_max_width_chars (self->custom_error, 36);
  gtk_widget_add_css_class (GTK_WIDGET (self->custom_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->custom_error), FALSE);
  gtk_widget_add_css_class (apply, "suggested-action");
  g_signal_connect_object (apply, "clicked", G_CALLBACK (apply_custom), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->from_entry, "activate", G_CALLBACK (apply_custom), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->to_entry, "activate", G_CALLBACK (apply_custom), self, G_CONNECT_SWAPPED);

  gtk_grid_attach (GTK_GRID (grid), from_label, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->from_entry), 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), to_label, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->to_entry), 1, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), hint, 0, 2, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->custom_error), 0, 3, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), apply, 1, 4, 1, 1);
  gtk_popover_set_child (GTK_POPOVER (popover), grid);
  return popover;
}

static GtkWidget *
build_header (KilnLineView *self)
{
  static const char *labels[] = { N_("_Shift"), N_("_Day"), N_("_All") };
  static const char *tips[] = { N_("The last 8 hours"), N_("Today, since midnight"), N_("The whole record") };
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *ranges = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *export = gtk_menu_button_new ();
  GtkWidget *reload = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  g_autoptr(GMenu) menu = g_menu_new ();

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("Production Line"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));

  gtk_widget_add_css_class (ranges, "linked");
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      GtkWidget *b = gtk_toggle_button_new_with_mnemonic (_(labels[i]));

      gtk_widget_set_tooltip_text (b, _(tips[i]));
      self->range_buttons[i] = GTK_TOGGLE_BUTTON (b);
      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (b), self->range_buttons[0]);
      gtk_box_append (GTK_BOX (ranges), b);
    }
  self->custom_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_label (self->custom_button, _("_Custom…"));
  gtk_menu_button_set_use_underline (self->custom_button, TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->custom_button), _("Choose the range"));
  gtk_menu_button_set_popover (self->custom_button, build_custom_popover (self));
  gtk_box_append (GTK_BOX (ranges), GTK_WIDGET (self->custom_button));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), ranges);

  g_menu_append (menu, _("Export Range as _CSV…"), "win.export::csv");
  g_menu_append (menu, _("Export Range as _JSON Lines…"), "win.export::jsonl");
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (export), "document-save-as-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (export), G_MENU_MODEL (menu));
  gtk_widget_set_tooltip_text (export, _("Export the boards of this range"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), export);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reload), "win.refresh");
  gtk_widget_set_tooltip_text (reload, _("Read the record again (F5)"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), reload);
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->spinner));
  return header;
}

static void
build (KilnLineView *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 14);
  GtkWidget *figures = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *columns = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 14);
  GtkWidget *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 14);
  GtkWidget *right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 14);

  gtk_box_append (GTK_BOX (outer), build_header (self));

  self->status = GTK_LABEL (gtk_label_new (_("Reading the record…")));
  gtk_label_set_xalign (self->status, 0);
  gtk_label_set_wrap (self->status, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->status));

  gtk_box_set_homogeneous (GTK_BOX (figures), TRUE);
  gtk_box_append (GTK_BOX (figures), figure (self, FIG_BOARDS, _("Boards")));
  gtk_box_append (GTK_BOX (figures), figure (self, FIG_YIELD, _("First-pass yield")));
  gtk_box_append (GTK_BOX (figures), figure (self, FIG_RATE, _("Boards per hour")));
  gtk_box_append (GTK_BOX (figures), figure (self, FIG_CYCLE, _("Median cycle")));
  gtk_box_append (GTK_BOX (figures), figure (self, FIG_FAILED, _("Failed attempts")));
  gtk_box_append (GTK_BOX (figures), figure (self, FIG_CONSUMED, _("Numbers consumed without a result")));
  gtk_box_append (GTK_BOX (page), figures);

  self->hours = KILN_LINE_CHART (kiln_line_chart_new_hours ());
  gtk_box_append (GTK_BOX (page), card (_("Attempts per hour"), GTK_WIDGET (self->hours)));

  self->causes = KILN_LINE_CHART (kiln_line_chart_new_ranked (cause_label, FALSE));
  self->stations = KILN_LINE_CHART (kiln_line_chart_new_ranked (name_label, TRUE));
  self->slots = KILN_LINE_CHART (kiln_line_chart_new_ranked (slot_label, TRUE));
  self->probes = KILN_LINE_CHART (kiln_line_chart_new_ranked (name_label, TRUE));
  gtk_box_set_homogeneous (GTK_BOX (columns), TRUE);
  self->consumed_causes = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  self->consumed_card = card (_("Why serial numbers were consumed"), GTK_WIDGET (self->consumed_causes));
  gtk_widget_set_visible (self->consumed_card, FALSE);
  gtk_box_append (GTK_BOX (left), card (_("Failure causes"), GTK_WIDGET (self->causes)));
  gtk_box_append (GTK_BOX (left), self->consumed_card);
  gtk_widget_set_valign (left, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (columns), left);
  gtk_box_append (GTK_BOX (right), card (_("Failures per station"), GTK_WIDGET (self->stations)));
  gtk_box_append (GTK_BOX (right), card (_("Failures per slot"), GTK_WIDGET (self->slots)));
  gtk_box_append (GTK_BOX (right), card (_("Failures per probe"), GTK_WIDGET (self->probes)));
  gtk_box_append (GTK_BOX (columns), right);
  gtk_box_append (GTK_BOX (page), columns);

  gtk_widget_set_margin_start (page, 18);
  gtk_widget_set_margin_end (page, 18);
  gtk_widget_set_margin_top (page, 12);
  gtk_widget_set_margin_bottom (page, 18);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1800);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), 1400);
  adw_clamp_set_child (ADW_CLAMP (clamp), page);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (outer), scroller);
  adw_window_set_content (ADW_WINDOW (self), outer);
}

/* GObject */

static void
kiln_line_view_dispose (GObject *object)
{
  KilnLineView *self = KILN_LINE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (kiln_line_view_parent_class)->dispose (object);
}

static void
kiln_line_view_finalize (GObject *object)
{
  KilnLineView *self = KILN_LINE_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->line);
  g_clear_object (&self->export_folder);
  g_free (self->record_path);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->stats, kiln_production_stats_free);
  G_OBJECT_CLASS (kiln_line_view_parent_class)->finalize (object);
}

static void
kiln_line_view_class_init (KilnLineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_line_view_dispose;
  object_class->finalize = kiln_line_view_finalize;
  gtk_widget_class_install_action (widget_class, "win.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kiln_line_view_init (KilnLineView *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Production Line"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1100, 800);
  build (self);
  gtk_toggle_button_set_active (self->range_buttons[KILN_LINE_RANGE_SHIFT], TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (self->range_buttons); i++)
    g_signal_connect_object (self->range_buttons[i], "toggled", G_CALLBACK (range_toggled), self, 0);
}

KilnLineView *
kiln_line_view_new (GtkWindow      *parent,
                    const char     *record_path,
                    KilnLineRecord *line)
{
  KilnLineView *self = g_object_new (KILN_TYPE_LINE_VIEW, NULL);
  g_autofree char *dir = record_path ? g_path_get_dirname (record_path) : NULL;

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  self->record_path = g_strdup (record_path);
  self->line = line ? g_object_ref (line) : NULL;
  self->export_folder = dir ? g_file_new_for_path (dir) : NULL;
  adw_window_title_set_subtitle (self->title, line ? kiln_line_record_get_name (line) : record_path);
  refresh (self);
  return self;
}

void
kiln_line_view_refresh (KilnLineView *self)
{
  refresh (self);
}

const KilnProductionStats *
kiln_line_view_get_stats (KilnLineView *self)
{
  return self->stats;
}

guint
kiln_line_view_get_n_updates (KilnLineView *self)
{
  return self->n_updates;
}

KilnLineRange
kiln_line_view_get_range (KilnLineView *self)
{
  return self->range;
}

void
kiln_line_view_set_export_folder (KilnLineView *self,
                                  GFile        *folder)
{
  g_set_object (&self->export_folder, folder);
}

void
kiln_line_view_set_now (KilnLineView *self,
                        gint64        now)
{
  self->now = now;
  refresh (self);
}
