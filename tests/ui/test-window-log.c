/* test-window-log.c — the log's levels: Show Errors / Warnings / Info /
 * Debug, chosen with real clicks, kept in GSettings; a job's worker
 * messages carry their level, and the log shows the chosen level and the
 * more severe ones, earlier lines included
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "kiln-test-input.h"
#include "kiln-test-window.h"

static gboolean
is_label_reading (GtkWidget     *widget,
                  gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
popover_shown (gpointer data)
{
  GtkWidget *popover = kiln_test_find_type (data, GTK_TYPE_POPOVER);

  return popover != NULL && gtk_widget_get_mapped (popover);
}

static gboolean
popover_gone (gpointer data)
{
  return !popover_shown (data);
}

/* Opens Show with a click and clicks @level in its list. */
static void
choose_level (KilnWindow *window,
              const char *level)
{
  GtkWidget *dropdown = GTK_WIDGET (window->log_level_dropdown);
  GtkWidget *popover;
  GtkWidget *label;

  kiln_test_wait_drawn (dropdown);
  kiln_test_input_click (dropdown);
  g_assert_true (kiln_test_spin_until (popover_shown, dropdown, 10000));
  popover = kiln_test_find_type (dropdown, GTK_TYPE_POPOVER);
  kiln_test_wait_drawn (popover);
  label = kiln_test_find_widget (popover, is_label_reading, level);
  g_assert_nonnull (label);
  kiln_test_input_click (label);
  g_assert_true (kiln_test_spin_until (popover_gone, dropdown, 10000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
}

/* Every line of the log that is not empty passes @check. */
static gboolean
every_line (const char *log,
            gboolean  (*check) (const char *line))
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0' && !check (lines[i]))
      {
        g_test_message ("line: %s", lines[i]);
        return FALSE;
      }
  return TRUE;
}

static gboolean
is_error (const char *line)
{
  return strstr (line, "  Error: ") != NULL;
}

static gboolean
is_error_or_warning (const char *line)
{
  return is_error (line) || strstr (line, "  Warning: ") != NULL;
}

static gboolean
is_not_debug (const char *line)
{
  return strstr (line, "  Debug: ") == NULL;
}

/* The log's newest line is in sight. */
static gboolean
at_end (gpointer data)
{
  KilnWindow *window = data;
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (window->log_view));

  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >= gtk_adjustment_get_upper (adj) - 1;
}

static KilnLogLevel
saved_level (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  return g_settings_get_enum (settings, "log-level");
}

static gboolean
log_has (KilnWindow *window,
         const char *text)
{
  g_autofree char *log = _kiln_window_dup_log_text (window);

  return strstr (log, text) != NULL;
}

static void
test_levels (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  gsize size = 96 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autofree char *bad = kiln_test_write_temp ("bad.hex", ":10zz\n", 6);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1024, 600);
  KilnWindow *again;
  char *log;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  _kiln_window_set_log_expanded (window, TRUE);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpint (_kiln_window_get_log_level (window), ==, KILN_LOG_INFO);
  g_assert_cmpuint (gtk_drop_down_get_selected (window->log_level_dropdown), ==, KILN_LOG_INFO);

  /* At Info (the default), a Program shows its summary and no detail. */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Programmed and verified"));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  log = _kiln_window_dup_log_text (window);
  g_test_message ("Info:\n%s", log);
  g_assert_nonnull (strstr (log, "Programmed and verified"));
  g_assert_true (every_line (log, is_not_debug));
  g_clear_pointer (&log, g_free);

  /* Debug, clicked: the job's detail, from the worker (the probe and the
   * sectors' counts) and from its sector states, which were there all
   * along; the earlier lines stay. */
  choose_level (window, "Debug");
  g_assert_cmpint (_kiln_window_get_log_level (window), ==, KILN_LOG_DEBUG);
  g_assert_cmpint (saved_level (), ==, KILN_LOG_DEBUG);
  log = _kiln_window_dup_log_text (window);
  g_test_message ("Debug:\n%s", log);
  g_assert_nonnull (strstr (log, "  Debug: ST-LINK/V2 firmware J"));
  g_assert_nonnull (strstr (log, "  Debug: Sectors erased 0, written 3, unchanged 0, blank 3"));
  g_assert_nonnull (strstr (log, "  Debug: Sector 0: Verified"));
  g_assert_nonnull (strstr (log, "Kiln " PACKAGE_VERSION " started"));
  g_assert_nonnull (strstr (log, "Programmed and verified"));
  g_clear_pointer (&log, g_free);
  /* …and it follows its newest line. */
  g_assert_true (kiln_test_spin_until (at_end, window, 10000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  kiln_test_save_screenshot (GTK_WIDGET (window), "log-debug-1024x600.png");

  /* A file that cannot be used is an error. At Errors the log shows only
   * errors, that one among them. */
  kiln_test_load (window, bad);
  g_assert_cmpstr (_kiln_window_get_page (window), ==, "error");
  choose_level (window, "Errors");
  g_assert_cmpint (saved_level (), ==, KILN_LOG_ERROR);
  log = _kiln_window_dup_log_text (window);
  g_test_message ("Errors:\n%s", log);
  g_assert_nonnull (strstr (log, "bad.hex"));
  g_assert_true (every_line (log, is_error));
  g_clear_pointer (&log, g_free);
  kiln_test_save_screenshot (GTK_WIDGET (window), "log-errors-1024x600.png");

  /* Folded away, the log still takes lines at its level; unfolded, they
   * are there. */
  _kiln_window_set_log_expanded (window, FALSE);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  kiln_window_log_at (window, KILN_LOG_ERROR, "%s", "an error while folded");
  kiln_window_log_at (window, KILN_LOG_INFO, "%s", "an info line while folded");
  kiln_test_input_click (GTK_WIDGET (window->log_expander));
  g_assert_true (gtk_expander_get_expanded (window->log_expander));
  kiln_test_wait_drawn (GTK_WIDGET (window->log_view));
  g_assert_true (log_has (window, "Error: an error while folded"));
  g_assert_false (log_has (window, "an info line while folded"));

  /* Warnings: errors and warnings, no info. */
  choose_level (window, "Warnings");
  kiln_window_log_at (window, KILN_LOG_WARNING, "%s", "a warning");
  log = _kiln_window_dup_log_text (window);
  g_assert_nonnull (strstr (log, "Warning: a warning"));
  g_assert_nonnull (strstr (log, "Error: an error while folded"));
  g_assert_true (every_line (log, is_error_or_warning));
  g_clear_pointer (&log, g_free);

  /* Kept: the next window starts at Warnings. */
  again = kiln_test_window_new (1024, 600);
  g_assert_cmpint (_kiln_window_get_log_level (again), ==, KILN_LOG_WARNING);
  g_assert_cmpuint (gtk_drop_down_get_selected (again->log_level_dropdown), ==, KILN_LOG_WARNING);
  g_assert_false (log_has (again, "started"));
  gtk_window_destroy (GTK_WINDOW (again));

  /* Back to Info for the tests after this one. */
  choose_level (window, "Info");
  g_assert_true (log_has (window, "an info line while folded"));
  kiln_test_close (window, flash_path);
  g_unlink (path);
  g_unlink (bad);
}

static gboolean
follows (gpointer data)
{
  return _kiln_window_get_log_follows (data);
}

static gboolean
not_at_end (gpointer data)
{
  return !at_end (data);
}

/* The line at the top of the log's view. */
static int
top_line (KilnWindow *window)
{
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (window->log_view));
  GtkTextIter iter;

  gtk_text_view_get_line_at_y (window->log_view, &iter, (int) gtk_adjustment_get_value (adj) + 8, NULL);
  return gtk_text_iter_get_line (&iter);
}

/* @n lines arrive, a few at a time, with frames drawn between them, as a
 * job's lines do. */
static void
lines_arrive (KilnWindow *window,
              const char *what,
              guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      kiln_window_log (window, "%s %u", what, i);
      if (i % 4 == 3)
        kiln_test_wait_drawn (GTK_WIDGET (window->log_view));
    }
  kiln_test_wait_drawn (GTK_WIDGET (window->log_view));
  kiln_test_spin (50);
  kiln_test_wait_drawn (GTK_WIDGET (window->log_view));
}

/* The log keeps the reader's place when they scroll up (real wheel clicks)
 * while lines arrive, and follows its newest line again once they are back
 * at the end (the wheel, or Ctrl+End in the log). */
static void
test_follow (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  KilnWindow *window = kiln_test_window_new (1024, 600);
  GtkWidget *view = GTK_WIDGET (window->log_view);
  int top;

  kiln_test_wait_identified (window);
  _kiln_window_set_log_expanded (window, TRUE);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  lines_arrive (window, "first", 40);
  g_assert_true (kiln_test_spin_until (at_end, window, 10000));
  g_assert_true (_kiln_window_get_log_follows (window));

  /* Up three wheel clicks, over the log: it stays where the reader is
   * while lines come in, and says nothing has moved. */
  kiln_test_input_click_at (view, gtk_widget_get_width (view) / 2.0, gtk_widget_get_height (view) / 2.0, 4, 3);
  g_assert_true (kiln_test_spin_until (not_at_end, window, 10000));
  kiln_test_spin (300);
  kiln_test_wait_drawn (view);
  top = top_line (window);
  g_test_message ("scrolled up: top line %d", top);
  lines_arrive (window, "while reading", 12);
  g_assert_false (at_end (window));
  g_assert_cmpint (top_line (window), ==, top);
  g_assert_false (_kiln_window_get_log_follows (window));

  /* Down to the end with the wheel: it follows again. */
  for (guint i = 0; i < 60 && !at_end (window); i++)
    {
      /* Never where the pointer already is: xdotool's mousemove --sync
       * waits for the pointer to move. */
      kiln_test_input_click_at (view, gtk_widget_get_width (view) / 2.0 + (i % 2 ? 7 : -7),
                                gtk_widget_get_height (view) / 2.0, 5, 1);
      kiln_test_wait_drawn (view);
    }
  g_assert_true (kiln_test_spin_until (at_end, window, 10000));
  g_assert_true (_kiln_window_get_log_follows (window));
  lines_arrive (window, "followed", 20);
  g_assert_true (kiln_test_spin_until (at_end, window, 10000));
  g_assert_true (log_has (window, "followed 19"));

  /* Up again, then Ctrl+End in the log (a click puts the focus there). */
  kiln_test_input_click_at (view, gtk_widget_get_width (view) / 3.0, gtk_widget_get_height (view) / 2.0, 4, 5);
  g_assert_true (kiln_test_spin_until (not_at_end, window, 10000));
  kiln_test_spin (300);
  kiln_test_input_click_at (view, gtk_widget_get_width (view) / 2.0, 10, 1, 1);
  lines_arrive (window, "unread", 10);
  g_assert_false (at_end (window));
  g_assert_false (_kiln_window_get_log_follows (window));
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+End");
  g_assert_true (kiln_test_spin_until (follows, window, 10000));
  lines_arrive (window, "at the end", 20);
  g_assert_true (kiln_test_spin_until (at_end, window, 10000));
  g_assert_true (_kiln_window_get_log_follows (window));

  kiln_test_close (window, flash_path);
}

static int
log_height (KilnWindow *window)
{
  return gtk_widget_get_height (GTK_WIDGET (window->log_scroller));
}

static gboolean
log_folded (gpointer data)
{
  KilnWindow *window = data;

  return !gtk_expander_get_expanded (window->log_expander);
}

static gboolean
log_open (gpointer data)
{
  return !log_folded (data);
}

/* The log's handle, dragged up with the mouse, makes the log taller (and
 * the height is kept in GSettings); the "Log" title still folds and opens
 * the log with a click afterwards, and the log opens again at the height
 * it was given; dragged far down, the log keeps its three lines. */
static gboolean
handle_has_focus (GtkWidget *handle)
{
  return (gtk_widget_get_state_flags (handle) & GTK_STATE_FLAG_FOCUS_WITHIN) != 0;
}

static void
test_drag_height (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  KilnWindow *window = kiln_test_window_new (1280, 900);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWidget *map_view;
  GtkWidget *handle = window->log_handle;
  int before, after;

  gsize size = 16 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);

  g_settings_reset (settings, "log-height");
  kiln_test_wait_identified (window);
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);

    kiln_window_open_file_at (window, file, 0x08000000);
    kiln_test_wait_loaded (window);
  }
  _kiln_window_set_log_expanded (window, TRUE);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  map_view = gtk_widget_get_ancestor (GTK_WIDGET (_kiln_window_get_memory_map (window)), GTK_TYPE_SCROLLED_WINDOW);
  g_assert_true (gtk_widget_get_mapped (handle));
  before = log_height (window);
  g_test_message ("log %d px, map's view %d px before the drag", before, gtk_widget_get_height (map_view));

  /* Up by 150 px, as a hand drags. */
  kiln_test_input_drag (handle, gtk_widget_get_width (handle) / 2.0, gtk_widget_get_height (handle) / 2.0, 0, -150);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  after = log_height (window);
  g_test_message ("log %d px, map's view %d px after", after, gtk_widget_get_height (map_view));
  g_assert_cmpint (after, >=, before + 140);
  g_assert_cmpint (after, <=, before + 160);
  g_assert_cmpint (gtk_widget_get_height (map_view), >=, 80);
  g_assert_cmpint (g_settings_get_int (settings, "log-height"), ==, after);

  /* A real click on "Log" folds it, and one more opens it at that height. */
  kiln_test_input_click (gtk_expander_get_label_widget (window->log_expander));
  g_assert_true (kiln_test_spin_until (log_folded, window, 10000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_mapped (handle));
  kiln_test_input_click_at (gtk_expander_get_label_widget (window->log_expander), 4, 4, 1, 1);
  g_assert_true (kiln_test_spin_until (log_open, window, 10000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpint (log_height (window), ==, after);

  /* Far down: the log keeps its least (three lines). */
  kiln_test_input_drag (handle, gtk_widget_get_width (handle) / 3.0, gtk_widget_get_height (handle) / 2.0, 0, 400);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_test_message ("log %d px after dragging down", log_height (window));
  g_assert_cmpint (log_height (window), ==, before);
  g_assert_cmpint (g_settings_get_int (settings, "log-height"), ==, 60);

  /* From the keyboard: Tab until the handle has the focus, as a person
   * would, then the arrow keys move it a step (24 px) each. */
  for (guint i = 0; i < 60 && !handle_has_focus (handle); i++)
    kiln_test_input_keys (GTK_WINDOW (window), "Tab");
  g_assert_true (handle_has_focus (handle));
  kiln_test_input_keys (GTK_WINDOW (window), "Up Up Up");
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_test_message ("log %d px after Up three times", log_height (window));
  g_assert_cmpint (log_height (window), ==, before + 3 * 24);
  g_assert_cmpint (g_settings_get_int (settings, "log-height"), ==, 60 + 3 * 24);
  kiln_test_input_keys (GTK_WINDOW (window), "Down");
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpint (log_height (window), ==, before + 2 * 24);
  g_assert_cmpint (g_settings_get_int (settings, "log-height"), ==, 60 + 2 * 24);
  /* Down past the least: it stays at three lines. */
  kiln_test_input_keys (GTK_WINDOW (window), "Down Down Down");
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpint (log_height (window), ==, before);

  kiln_test_close (window, flash_path);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.TestLog");

  g_test_add_func ("/Kiln/UI/log-levels", test_levels);
  g_test_add_func ("/Kiln/UI/log-follow", test_follow);
  g_test_add_func ("/Kiln/UI/log-drag-height", test_drag_height);

  return g_test_run ();
}
