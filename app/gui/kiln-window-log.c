/* kiln-window-log.c — the main window's log: every line with its level
 * (error, warning, info, debug), the lines at the chosen level and above on
 * view (Show: Errors / Warnings / Info / Debug, kept in GSettings), Copy Log
 * and Save Log…
 *
 * The text view holds only the lines shown; the window keeps them all, so
 * choosing another level shows the earlier lines too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-window-private.h"

typedef struct
{
  KilnLogLevel  level;
  char         *line;   /* "12:00:00.000  text\n", as shown */
} Entry;

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_free (e->line);
}

static const char *
level_tag (KilnLogLevel level)
{
  switch (level)
    {
    case KILN_LOG_ERROR:
      return "error";
    case KILN_LOG_WARNING:
      return "warning";
    case KILN_LOG_DEBUG:
      return "debug";
    case KILN_LOG_INFO:
    default:
      return NULL;
    }
}

static void
append_line (KilnWindow  *self,
             const Entry *e)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter end;
  const char *tag = level_tag (e->level);

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (tag != NULL)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, e->line, -1, tag, NULL);
  else
    gtk_text_buffer_insert (buffer, &end, e->line, -1);
}

/* New text is laid out in the text view's next allocation, which is asked
 * for here. Without it GTK 4.8 lays the lines out only while drawing them,
 * after the scrolled window has allocated its scrollbar: the adjustment
 * then moves under an allocated scrollbar, and drawing it warns "Trying to
 * snapshot GtkGizmo without a current allocation" (each time a level was
 * chosen, and now and then when a burst of lines came, depending on whether
 * the view's own idle had got to the lines before the frame). A view not on
 * screen (the log folded away) is laid out when it is shown. */
static void
lines_changed (KilnWindow *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self->log_view)))
    gtk_widget_queue_resize (GTK_WIDGET (self->log_view));
}

/* The log follows its newest line while the reader is at its end, and keeps
 * the reader's place once they scroll up, until they are back at the end
 * (wheel, scrollbar, keys: whatever moves the view).
 *
 * Whether the reader moved is told from the adjustment alone, which every
 * way of scrolling goes through. The text view moves it too, for reasons of
 * its own: when lines are added or laid out its height (upper) grows, and it
 * then sets the value again from the line at its top; the window resizing
 * changes the page size. So a value that went down counts as the reader
 * scrolling up only when upper and the page size are what they were when
 * last seen; a value at the end always means following again. Anything else
 * (the text growing under a reader who is not at the end) leaves the choice
 * as it was. */
static gboolean
at_end (KilnWindow    *self,
        GtkAdjustment *adj)
{
  /* Ctrl+End shows the last line, not the margin under it. */
  double slack = gtk_text_view_get_bottom_margin (self->log_view) + 1;

  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >= gtk_adjustment_get_upper (adj) - slack;
}

static void
remember (KilnWindow    *self,
          GtkAdjustment *adj)
{
  self->log_seen[0] = gtk_adjustment_get_value (adj);
  self->log_seen[1] = gtk_adjustment_get_upper (adj);
  self->log_seen[2] = gtk_adjustment_get_page_size (adj);
}

/* Not from the "changed" handler itself: the text view sets the value
 * again after it, from the line at its top; and it lays lines out in
 * steps, so this runs after each step while following. */
static gboolean
log_to_end_cb (gpointer data)
{
  KilnWindow *self = data;
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->log_view));

  self->log_to_end = 0;
  if (self->log_follow)
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  return G_SOURCE_REMOVE;
}

static void
log_adjustment_changed_cb (KilnWindow    *self,
                           GtkAdjustment *adj)
{
  remember (self, adj);
  if (self->log_follow && self->log_to_end == 0)
    self->log_to_end = g_idle_add (log_to_end_cb, self);
}

static void
log_value_changed_cb (KilnWindow    *self,
                      GtkAdjustment *adj)
{
  double value = gtk_adjustment_get_value (adj);

  if (at_end (self, adj))
    self->log_follow = TRUE;
  else if (value < self->log_seen[0] - 0.5
           && gtk_adjustment_get_upper (adj) == self->log_seen[1]
           && gtk_adjustment_get_page_size (adj) == self->log_seen[2])
    self->log_follow = FALSE;
  remember (self, adj);
}

gboolean
_kiln_window_get_log_follows (KilnWindow *self)
{
  return self->log_follow;
}

static void
refill (KilnWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);

  /* Other lines: from their end. */
  self->log_follow = TRUE;
  gtk_text_buffer_set_text (buffer, "", 0);
  for (guint i = 0; i < self->log_entries->len; i++)
    {
      const Entry *e = &g_array_index (self->log_entries, Entry, i);

      if (e->level <= self->log_level)
        append_line (self, e);
    }
  lines_changed (self);
}

void
kiln_window_log_at (KilnWindow   *self,
                    KilnLogLevel  level,
                    const char   *format,
                    ...)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *message = NULL;
  const char *word = NULL;
  Entry e;
  va_list args;

  g_return_if_fail (KILN_IS_WINDOW (self));

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  switch (level)
    {
    case KILN_LOG_ERROR:
      /* Translators: the word before an error's line in the log */
      word = _("Error:");
      break;
    case KILN_LOG_WARNING:
      /* Translators: the word before a warning's line in the log */
      word = _("Warning:");
      break;
    case KILN_LOG_DEBUG:
      /* Translators: the word before a line shown only at the Debug level */
      word = _("Debug:");
      break;
    case KILN_LOG_INFO:
    default:
      break;
    }
  e.level = level;
  e.line = g_strdup_printf ("%s.%03d  %s%s%s\n", stamp, g_date_time_get_microsecond (now) / 1000,
                            word != NULL ? word : "", word != NULL ? " " : "", message);
  g_array_append_val (self->log_entries, e);
  if (level <= self->log_level)
    {
      append_line (self, &e);
      lines_changed (self);
    }
}

void
kiln_window_log (KilnWindow *self,
                 const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  g_return_if_fail (KILN_IS_WINDOW (self));

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  kiln_window_log_at (self, KILN_LOG_INFO, "%s", message);
}

KilnLogLevel
_kiln_window_log_level_from_progress (guint level)
{
  switch (level)
    {
    case KILN_PROGRESS_MESSAGE_ERROR:
      return KILN_LOG_ERROR;
    case KILN_PROGRESS_MESSAGE_WARNING:
      return KILN_LOG_WARNING;
    case KILN_PROGRESS_MESSAGE_DEBUG:
      return KILN_LOG_DEBUG;
    case KILN_PROGRESS_MESSAGE_INFO:
    default:
      return KILN_LOG_INFO;
    }
}

char *
_kiln_window_dup_log_text (KilnWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

KilnLogLevel
_kiln_window_get_log_level (KilnWindow *self)
{
  return self->log_level;
}

/* ------------------------------------------------------------- level */

static void
level_selected_cb (KilnWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->log_level_dropdown);

  if (selected > KILN_LOG_DEBUG || selected == self->log_level)
    return;
  self->log_level = selected;
  g_settings_set_enum (self->settings, "log-level", selected);
  refill (self);
}

static void
level_setting_cb (KilnWindow *self)
{
  guint level = g_settings_get_enum (self->settings, "log-level");

  if (level != gtk_drop_down_get_selected (self->log_level_dropdown))
    gtk_drop_down_set_selected (self->log_level_dropdown, level);
}

/* Shown again (the log unfolded): laid out, and so scrolled to its end. */
static void
log_mapped_cb (KilnWindow *self)
{
  lines_changed (self);
}

/* ------------------------------------------------------ copy and save */

static void
copy_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  g_autofree char *text = _kiln_window_dup_log_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  _kiln_window_toast (self, _("Log copied"));
}

static void
save_log_response (GtkNativeDialog *dialog,
                   int              response,
                   KilnWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *text = _kiln_window_dup_log_text (self);
      g_autoptr(GError) error = NULL;

      /* A log is small; writing it is quick enough for the main thread. */
      if (!g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                    G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error))
        {
          g_autofree char *msg = g_strdup_printf (_("Could not save the log: %s"), error->message);
          _kiln_window_toast (self, msg);
        }
    }
  g_object_unref (dialog);
}

static void
save_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M%S");
  g_autofree char *name = g_strdup_printf ("kiln-%s.log", stamp);

  dialog = gtk_file_chooser_native_new (_("Save Log"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (save_log_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ------------------------------------------------------------- setup */

void
_kiln_window_class_init_log (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, log_view);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, log_expander);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, log_level_dropdown);
  gtk_widget_class_install_action (widget_class, "win.copy-log", NULL, copy_log_action);
  gtk_widget_class_install_action (widget_class, "win.save-log", NULL, save_log_action);
}

void
_kiln_window_init_log (KilnWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);

  self->log_entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (self->log_entries, entry_clear);
  gtk_text_buffer_create_tag (buffer, "error", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "warning", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "debug", "foreground", "#808080", NULL);
  self->log_level = g_settings_get_enum (self->settings, "log-level");
  gtk_drop_down_set_selected (self->log_level_dropdown, self->log_level);
  g_signal_connect_object (self->log_level_dropdown, "notify::selected", G_CALLBACK (level_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::log-level", G_CALLBACK (level_setting_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->log_view, "map", G_CALLBACK (log_mapped_cb), self, G_CONNECT_SWAPPED);
  {
    GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->log_view));

    self->log_follow = TRUE;
    remember (self, adj);
    g_signal_connect_object (adj, "changed", G_CALLBACK (log_adjustment_changed_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (adj, "value-changed", G_CALLBACK (log_value_changed_cb), self, G_CONNECT_SWAPPED);
  }
}

void
_kiln_window_dispose_log (KilnWindow *self)
{
  g_clear_handle_id (&self->log_to_end, g_source_remove);
}

void
_kiln_window_finalize_log (KilnWindow *self)
{
  g_clear_pointer (&self->log_entries, g_array_unref);
}
