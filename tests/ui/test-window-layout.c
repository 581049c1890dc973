/* test-window-layout.c — nothing jumps, nothing hides: the actions stay in
 * place and in reach at 1024×600, the plan stays in view, and the map
 * takes the room a large window gives it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "kiln-test-input.h"
#include "kiln-memory-map-private.h"
#include "kiln-memory-view-private.h"
#include "kiln-test-window.h"

static graphene_rect_t
bounds_in_window (GtkWidget *widget)
{
  graphene_rect_t r;

  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (gtk_widget_get_root (widget)), &r));
  return r;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *action)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (c) && gtk_widget_get_mapped (c)
          && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (c)), action) == 0)
        return c;
      found = find_button (c, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Inside the window, and not cut by it. */
static void
assert_in_reach (KilnWindow *window,
                 const char *action)
{
  GtkWidget *button = find_button (GTK_WIDGET (window), action);
  graphene_rect_t r;

  g_assert_nonnull (button);
  r = bounds_in_window (button);
  g_test_message ("%s at %.0f,%.0f %.0f×%.0f", action, r.origin.x, r.origin.y, r.size.width, r.size.height);
  g_assert_cmpfloat (r.origin.y + r.size.height, <=, gtk_widget_get_height (GTK_WIDGET (window)));
  g_assert_cmpfloat (r.origin.x + r.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)));
}

/* Seen: inside the window and inside every scrolled window around it, so
 * nobody has to scroll to find it. */
static void
assert_seen (KilnWindow *window,
             GtkWidget  *widget)
{
  GtkWidget *root = GTK_WIDGET (window);
  graphene_rect_t r;

  g_assert_true (gtk_widget_get_mapped (widget));
  r = bounds_in_window (widget);
  g_test_message ("%s at %.0f,%.0f %.0f×%.0f in %d×%d", G_OBJECT_TYPE_NAME (widget),
                  r.origin.x, r.origin.y, r.size.width, r.size.height,
                  gtk_widget_get_width (root), gtk_widget_get_height (root));
  g_assert_cmpfloat (r.origin.x, >=, 0);
  g_assert_cmpfloat (r.origin.y, >=, 0);
  g_assert_cmpfloat (r.origin.y + r.size.height, <=, gtk_widget_get_height (root));
  g_assert_cmpfloat (r.origin.x + r.size.width, <=, gtk_widget_get_width (root));
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    {
      graphene_rect_t in;

      if (!GTK_IS_SCROLLED_WINDOW (w))
        continue;
      /* The viewport shows 0…height of the scrolled window. */
      g_assert_true (gtk_widget_compute_bounds (widget, w, &in));
      g_test_message ("  in a scrolled window of %d×%d: %.0f,%.0f",
                      gtk_widget_get_width (w), gtk_widget_get_height (w), in.origin.x, in.origin.y);
      g_assert_cmpfloat (in.origin.y, >=, 0);
      g_assert_cmpfloat (in.origin.y + in.size.height, <=, gtk_widget_get_height (w));
      g_assert_cmpfloat (in.origin.x + in.size.width, <=, gtk_widget_get_width (w));
    }
}

static double
program_y (KilnWindow *window)
{
  return bounds_in_window (find_button (GTK_WIDGET (window), "win.program")).origin.y;
}

static gboolean
running (gpointer data)
{
  return _kiln_window_get_progress_text (data) != NULL;
}

/* 1024×600 with the log open: every action in reach; Program stays where
 * it is while progress and the result come and go. */
static void
test_small_window (void)
{
  g_autofree char *hold_file = NULL;
  /* Held halfway (48 KiB of 96 at x32): the job is seen running on any machine. */
  g_autofree char *flash_path = kiln_test_use_bench_held ("program:12288", "", &hold_file);
  gsize size = 96 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1024, 600);
  double y;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  _kiln_window_set_log_expanded (window, TRUE);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  assert_in_reach (window, "win.program");
  assert_in_reach (window, "win.verify");
  assert_in_reach (window, "win.erase");
  assert_in_reach (window, "win.read");
  assert_in_reach (window, "win.option-bytes");
  g_test_message ("map in view: %d px high, log %d px",
                  gtk_widget_get_height (gtk_widget_get_ancestor (GTK_WIDGET (_kiln_window_get_memory_map (window)), GTK_TYPE_SCROLLED_WINDOW)),
                  gtk_widget_get_height (GTK_WIDGET (window->log_view)));
  g_assert_cmpfloat (gtk_widget_get_height (GTK_WIDGET (_kiln_window_get_memory_map (window))), >=, 60);
  kiln_test_save_screenshot (GTK_WIDGET (window), "small-log.png");
  /* The F746's eight tiles are each given room for the longest state
   * word, so even a 32 KiB tile says "untouched" (memory-map-words checks
   * every word, map and size). */
  for (guint i = 0; i < 8; i++)
    g_assert_true (kiln_memory_map_get_word_shown (_kiln_window_get_memory_map (window), i));
  /* The file's pieces are named by their addresses, not by file offsets. */
  {
    g_autofree char *tip = kiln_memory_map_describe_at (_kiln_window_get_memory_map (window), 10, 20);

    g_test_message ("%s", tip);
    g_assert_nonnull (tip);
    g_assert_nonnull (strstr (tip, "0x08000000–0x08017FFF:"));
    g_assert_null (strstr (tip, "bytes 0"));
  }

  y = program_y (window);
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, hold_file, 60000));
  g_assert_true (kiln_test_spin_until (running, window, 30000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_false (kiln_test_has_result (window));
  g_assert_cmpfloat (program_y (window), ==, y);
  kiln_test_release (hold_file);
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpfloat (program_y (window), ==, y);
  kiln_test_close (window, flash_path);
  g_unlink (path);
}

static gboolean
map_scrolled (gpointer data)
{
  return gtk_adjustment_get_value (data) > 0;
}

static gboolean tile_in_sight (KilnMemoryMap *map,
                               guint          index);

static gboolean
first_tile_in_sight (gpointer map)
{
  return tile_in_sight (map, 0);
}

static gboolean
no_dialog (gpointer unused)
{
  return kiln_test_find_message_dialog () == NULL;
}

static gboolean
ticked (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (KILN_WINDOW (data)->erase_ticked_button));
}

/* Whether the middle of sector @index's tile is inside the map's scroller. */
static gboolean
tile_in_sight (KilnMemoryMap *map,
               guint          index)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (map), GTK_TYPE_SCROLLED_WINDOW);
  graphene_point_t in;
  double x, y;

  g_assert_true (kiln_memory_map_get_sector_point (map, index, &x, &y));
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (map), scroller, &GRAPHENE_POINT_INIT (x, y), &in));
  g_test_message ("sector %u's middle at %.0f in a scroller %d high", index, in.y, gtk_widget_get_height (scroller));
  return in.y >= 0 && in.y <= gtk_widget_get_height (scroller);
}

/* 1024×600 with the log open: the map scrolls on its own, so Select
 * Sectors, Erase N Sectors… and Show Memory stay in sight and answer a
 * real click whatever the map's scroll; the keyboard's tile is scrolled
 * into sight. */
static void
test_small_map_actions (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  gsize size = 96 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1024, 600);
  KilnMemoryMap *map = _kiln_window_get_memory_map (window);
  GtkWidget *memory_button;
  GtkAdjustment *adj;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  _kiln_window_set_log_expanded (window, TRUE);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  memory_button = kiln_test_find_actionable (GTK_WIDGET (window), "win.memory");
  g_assert_nonnull (memory_button);
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (map),
                                                                                        GTK_TYPE_SCROLLED_WINDOW)));

  /* The wheel over the map scrolls it to its legend… */
  {
    double x, y;

    g_assert_true (kiln_memory_map_get_sector_point (map, 4, &x, &y));
    kiln_test_input_click_at (GTK_WIDGET (map), x, y, 5, 6);
  }
  g_assert_true (kiln_test_spin_until (map_scrolled, adj, 10000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_false (tile_in_sight (map, 0));
  /* …and the map's actions stay where they were, whole. */
  assert_seen (window, GTK_WIDGET (window->select_button));
  assert_seen (window, memory_button);
  assert_seen (window, GTK_WIDGET (window->plan_label));
  kiln_test_save_screenshot (GTK_WIDGET (window), "map-scrolled-1024x600.png");

  /* A real click on Select Sectors; the keyboard goes to the map, and
   * Home brings sector 0's tile back into sight. */
  kiln_test_input_click (GTK_WIDGET (window->select_button));
  g_assert_true (gtk_toggle_button_get_active (window->select_button));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (map)));
  kiln_test_input_keys (GTK_WINDOW (window), "End Home");
  g_assert_true (kiln_test_spin_until (first_tile_in_sight, map, 10000));
  g_assert_cmpuint (kiln_memory_map_get_focus (map), ==, 0);

  /* Space ticks it; Erase 1 Sector… is in sight and answers a click. */
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_true (kiln_test_spin_until (ticked, window, 10000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  assert_seen (window, GTK_WIDGET (window->erase_ticked_button));
  /* With the three buttons beside it, the file's name is whole (in German
   * too: KILN_TEST_LOCALEDIR=_build/po LANGUAGE=de). */
  g_test_message ("file: %s", gtk_label_get_label (window->file_label));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (window->file_label)));
  kiln_test_save_screenshot (GTK_WIDGET (window), "map-actions-1024x600.png");
  kiln_test_input_click (GTK_WIDGET (window->erase_ticked_button));
  g_assert_true (kiln_test_spin_until (kiln_test_dialog_shown, NULL, 10000));
  kiln_test_input_keys (kiln_test_find_message_dialog (), "Escape");
  g_assert_true (kiln_test_spin_until (no_dialog, NULL, 10000));
  /* Escape left the chip alone: no job ran. */
  g_assert_false (kiln_test_has_result (window));

  /* Show Memory, clicked, opens the memory view. */
  kiln_test_input_click (memory_button);
  gtk_window_destroy (kiln_test_wait_toplevel (KILN_TYPE_MEMORY_VIEW, 30000));

  kiln_test_close (window, flash_path);
  g_unlink (path);
}

/* 1024×600 with no probe (no bench, nothing on USB): the way out, USB
 * Access Help and the simulator, is seen without scrolling. */
static void
test_small_no_probe (void)
{
  KilnWindow *window;

  g_unsetenv ("KILN_SIM");
  window = kiln_test_window_new (1024, 600);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  assert_seen (window, window->udev_help_button);
  assert_seen (window, GTK_WIDGET (window->simulator_button));
  kiln_test_save_screenshot (GTK_WIDGET (window), "no-probe-1024x600.png");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* An F429ZI (2 MiB, two banks of twelve sectors) with an image that runs
 * from bank 1 into bank 2: the map shows both banks, with the image's
 * sectors planned on both sides of the line, at 1920×1080. */
static void
test_f429zi (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("chip=STM32F429ZI\n");
  /* From 0x080F0000 (sector 11, bank 1's last) 128 KiB: 64 KiB in each bank. */
  gsize size = 128 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1920, 1080);
  KilnMemoryMap *map = _kiln_window_get_memory_map (window);
  guint n_bank[2] = { 0, 0 };

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x080F0000);
  kiln_test_wait_loaded (window);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpuint (kiln_memory_map_get_n_sectors (map), ==, 24);
  for (guint i = 0; i < 24; i++)
    {
      const KilnMapSector *s = kiln_memory_map_get_sector (map, i);

      g_assert_cmpuint (s->bank, <, 2);
      n_bank[s->bank]++;
    }
  g_assert_cmpuint (n_bank[0], ==, 12);
  g_assert_cmpuint (n_bank[1], ==, 12);
  g_assert_cmpuint (kiln_memory_map_get_sector (map, 11)->address, ==, 0x080E0000);
  g_assert_cmpuint (kiln_memory_map_get_sector (map, 12)->address, ==, 0x08100000);
  g_assert_cmpuint (kiln_memory_map_get_sector (map, 12)->bank, ==, 1);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 10), !=, KILN_SECTOR_STATE_PLANNED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 11), ==, KILN_SECTOR_STATE_PLANNED);
  /* Bank 2 starts with four 16 KiB sectors: 64 KiB fill 12–15. */
  for (guint i = 12; i <= 15; i++)
    g_assert_cmpint (kiln_memory_map_get_sector_state (map, i), ==, KILN_SECTOR_STATE_PLANNED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 16), !=, KILN_SECTOR_STATE_PLANNED);
  /* Every planned tile, however narrow, says "write". */
  for (guint i = 11; i <= 15; i++)
    g_assert_true (kiln_memory_map_get_word_shown (map, i));
  kiln_test_save_screenshot (GTK_WIDGET (window), "f429zi.png");
  kiln_test_close (window, flash_path);
  g_unlink (path);
}

/* 1920×1080: the map takes the width. */
static void
test_large_window (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  gsize size = 96 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1920, 1080);
  GtkWidget *map = GTK_WIDGET (_kiln_window_get_memory_map (window));

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_test_message ("map %d×%d, drawn %.0f high", gtk_widget_get_width (map), gtk_widget_get_height (map),
                  kiln_memory_map_get_drawn_height (KILN_MEMORY_MAP (map)));
  g_assert_cmpint (gtk_widget_get_width (map), >=, 1920 / 2);
  /* What the map draws fills it, and it reaches down to the actions: no
   * third of the column is left empty under the legend. */
  g_assert_cmpfloat (kiln_memory_map_get_drawn_height (KILN_MEMORY_MAP (map)), >=, gtk_widget_get_height (map) - 1);
  {
    graphene_rect_t m = bounds_in_window (map);

    g_test_message ("map ends at %.0f, Program starts at %.0f", m.origin.y + m.size.height, program_y (window));
    g_assert_cmpfloat (program_y (window) - (m.origin.y + m.size.height), <, 40);
  }
  /* and the height: its sectors grow into the room rather than leave most
   * of the window empty under the legend. */
  g_assert_cmpint (gtk_widget_get_height (map), >=, 1080 / 3);
  {
    /* Sector 0's tile reaches twice its least height (62 px) and more. */
    g_autofree char *top = kiln_memory_map_describe_at (KILN_MEMORY_MAP (map), 10, 10);
    g_autofree char *low = kiln_memory_map_describe_at (KILN_MEMORY_MAP (map), 10, 2 * 62 + 6);

    g_assert_nonnull (top);
    g_assert_cmpstr (low, ==, top);
  }
  /* With the room, every tile has its word. */
  for (guint i = 0; i < kiln_memory_map_get_n_sectors (KILN_MEMORY_MAP (map)); i++)
    g_assert_true (kiln_memory_map_get_word_shown (KILN_MEMORY_MAP (map), i));
  kiln_test_save_screenshot (GTK_WIDGET (window), "large.png");
  kiln_test_close (window, flash_path);
  g_unlink (path);
}

static int
map_view_height (KilnWindow *window)
{
  return gtk_widget_get_height (gtk_widget_get_ancestor (GTK_WIDGET (_kiln_window_get_memory_map (window)),
                                                         GTK_TYPE_SCROLLED_WINDOW));
}

/* At 1024×600 with the log open, the map has room for its sectors and
 * their addresses without scrolling, and the log shows three lines; folding
 * the log (a click on its title) gives the map more. */
static void
test_small_log_room (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  gsize size = 96 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1024, 600);
  KilnMemoryMap *map = _kiln_window_get_memory_map (window);
  GtkWidget *log = GTK_WIDGET (window->log_view);
  int map_h, log_h;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  _kiln_window_set_log_expanded (window, TRUE);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  map_h = map_view_height (window);
  log_h = gtk_widget_get_height (log);
  g_test_message ("log open: map %d px in view, log %d px", map_h, log_h);
  g_assert_cmpint (map_h, >=, 110);
  for (guint i = 0; i < 8; i++)
    g_assert_true (tile_in_sight (map, i));
  g_assert_cmpint (log_h, >=, 3 * 16);
  assert_in_reach (window, "win.program");

  kiln_test_input_click (gtk_expander_get_label_widget (window->log_expander));
  g_assert_false (gtk_expander_get_expanded (window->log_expander));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_test_message ("folded: map %d px", map_view_height (window));
  g_assert_cmpint (map_view_height (window), >, map_h);

  kiln_test_close (window, flash_path);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.TestLayout");

  g_test_add_func ("/Kiln/UI/small-window", test_small_window);
  g_test_add_func ("/Kiln/UI/large-window", test_large_window);
  g_test_add_func ("/Kiln/UI/small-window-map-actions", test_small_map_actions);
  g_test_add_func ("/Kiln/UI/small-window-log-room", test_small_log_room);
  g_test_add_func ("/Kiln/UI/small-window-no-probe", test_small_no_probe);
  g_test_add_func ("/Kiln/UI/f429zi", test_f429zi);

  return g_test_run ();
}
