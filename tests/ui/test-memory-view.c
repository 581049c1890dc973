/* test-memory-view.c — the chip's memory in the window: the memory view
 * (the bench's bytes beside the file's, a planted difference, Go to, Find,
 * RAM), the map's tiles under the keyboard, and erasing the sectors ticked
 * on the map, driven by real key presses and clicks under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kiln-test-input.h"
#include "kiln-test-window.h"

#define FLASH_BASE 0x08000000u
#define FLASH_SIZE (1024 * 1024)   /* the bench's STM32F746NG */

/* Writes @flash as the bench board's flash.bin before the bench starts. */
static void
plant_flash (const char   *flash_path,
             const guint8 *flash)
{
  g_autofree char *dir = g_path_get_dirname (flash_path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (flash_path, (const char *) flash, FLASH_SIZE, NULL));
}

/* A window on the bench with @file_data loaded at the flash's base; the
 * planted flash.bin is removed once the bench has read it, so that closing
 * the window waits for the bench's own. */
static KilnWindow *
open_window (const char   *flash_path,
             const guint8 *file_data,
             gsize         file_size,
             int           width,
             int           height)
{
  g_autofree char *path = kiln_test_write_temp ("view.bin", file_data, file_size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (width, height);

  kiln_test_wait_identified (window);
  g_assert_cmpint (g_unlink (flash_path), ==, 0);
  kiln_window_open_file_at (window, file, FLASH_BASE);
  kiln_test_wait_loaded (window);
  return window;
}

static gboolean
view_open (gpointer data)
{
  KilnWindow *window = data;

  return window->memory_view != NULL && gtk_widget_get_mapped (GTK_WIDGET (window->memory_view));
}

typedef struct
{
  KilnHexView *hex;
  guint32      address;
  guint32      length;
} ReadWait;

static gboolean
bytes_read (gpointer data)
{
  ReadWait *w = data;

  return kiln_hex_view_is_read (w->hex, w->address, w->length);
}

static void
wait_read (KilnHexView *hex,
           guint32      address,
           guint32      length)
{
  ReadWait w = { hex, address, length };

  g_assert_true (kiln_test_spin_until (bytes_read, &w, 60000));
}

static gboolean
view_idle (gpointer data)
{
  return _kiln_memory_view_is_idle (data);
}

static gboolean
has_result (gpointer data)
{
  return kiln_test_has_result (data);
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0
      && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  return find_message_dialog () == NULL;
}

/* From the map, Shift+Tab twice reaches Erase N Sectors… above it (the
 * map's scrolled area brings it into sight), and Space presses it. */
static void
press_erase_ticked (KilnWindow *window)
{
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (_kiln_window_get_memory_map (window))));
  kiln_test_input_keys (GTK_WINDOW (window), "shift+Tab shift+Tab");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (window->erase_ticked_button)));
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_true (kiln_test_spin_until (dialog_shown, NULL, 5000));
}

/* The view opened from the map's first tile (a double click) shows the
 * bench's bytes beside the file's, with the one byte the test planted
 * differently highlighted; Ctrl+D goes to it, Ctrl+G to an address, Ctrl+F
 * finds hex bytes and text anywhere in the flash, and RAM is shown too. */
static void
test_view (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  g_autofree guint8 *flash = g_malloc (FLASH_SIZE);
  g_autofree guint8 *file = g_malloc (4096);
  g_autofree char *row = NULL;
  g_autofree char *expected = NULL;
  KilnWindow *window;
  KilnMemoryMap *map;
  KilnMemoryView *view;
  KilnHexView *hex;
  double x, y;

  memset (flash, 0xFF, FLASH_SIZE);
  for (guint i = 0; i < 4096; i++)
    flash[i] = file[i] = (guint8) (i * 7 + 3);
  flash[0x21] ^= 0x5A;                               /* the planted difference */
  memcpy (flash + 0x14000, "\xDE\xAD\xBE\xEF", 4);   /* for Find, hex */
  memcpy (flash + 0x30000, "KILN-MARK", 9);          /* for Find, text */
  plant_flash (flash_path, flash);
  window = open_window (flash_path, file, 4096, 1024, 600);
  map = _kiln_window_get_memory_map (window);

  g_assert_true (kiln_memory_map_get_sector_point (map, 0, &x, &y));
  kiln_test_input_click_at (GTK_WIDGET (map), x, y, 1, 2);
  g_assert_true (kiln_test_spin_until (view_open, window, 10000));
  view = window->memory_view;
  hex = _kiln_memory_view_get_hex_view (view);
  gtk_window_set_default_size (GTK_WINDOW (view), 1024, 600);
  wait_read (hex, FLASH_BASE, 0x100);
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE);

  /* The row at 0x08000020: the chip's bytes (one changed), the file's. */
  row = kiln_hex_view_dup_row_text (hex, FLASH_BASE + 0x20);
  g_test_message ("row: %s", row);
  expected = g_strdup_printf ("08000020  %02X %02X %02X", flash[0x20], flash[0x21], flash[0x22]);
  g_assert_true (g_str_has_prefix (row, expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("  %02X %02X %02X", file[0x20], file[0x21], file[0x22]);
  g_assert_nonnull (strstr (row, expected));
  g_assert_true (kiln_hex_view_differs_at (hex, FLASH_BASE + 0x21));
  g_assert_false (kiln_hex_view_differs_at (hex, FLASH_BASE + 0x20));
  g_assert_false (kiln_hex_view_differs_at (hex, FLASH_BASE + 0x22));
  g_assert_cmpuint (kiln_hex_view_get_n_differences (hex), ==, 1);
  g_assert_true (kiln_test_spin_until (view_idle, view, 60000));
  g_assert_cmpstr (_kiln_memory_view_get_status (view), ==, "1 byte read differs from the file.");
  kiln_test_save_screenshot (GTK_WIDGET (view), "memory-view.png");

  /* Ctrl+D: the next difference. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+d");
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE + 0x21);

  /* Ctrl+G: an address typed; a wrong one is said and changes nothing. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+g");
  kiln_test_input_type (GTK_WINDOW (view), "0x0900zz");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  g_assert_cmpstr (_kiln_memory_view_get_status (view), ==,
                   "“0x0900zz” is not an address. Enter a hexadecimal address such as 0x08004000.");
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE + 0x21);
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+a BackSpace");
  kiln_test_input_type (GTK_WINDOW (view), "0x08004010");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE + 0x4010);
  wait_read (hex, FLASH_BASE + 0x4000, 0x100);
  /* The arrows move the cursor; 16 bytes a row at 1024 pixels. */
  kiln_test_input_keys (GTK_WINDOW (view), "Right Right Left Down");
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE + 0x4021);

  /* Ctrl+F: hex bytes, found past everything read so far. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+f");
  kiln_test_input_type (GTK_WINDOW (view), "DE AD BE EF");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  g_assert_true (kiln_test_spin_until (view_idle, view, 120000));
  g_test_message ("find: %s", _kiln_memory_view_get_status (view));
  g_assert_cmpstr (_kiln_memory_view_get_status (view), ==,
                   "Found “DE AD BE EF” at 0x08014000 in the chip (not in the file there).");
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE + 0x14000);
  g_assert_true (kiln_hex_view_is_read (hex, FLASH_BASE, FLASH_SIZE));
  kiln_test_save_screenshot (GTK_WIDGET (view), "memory-view-find.png");

  /* Text, and text that is nowhere. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+f");
  kiln_test_input_type (GTK_WINDOW (view), "KILN-MARK");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  g_assert_true (kiln_test_spin_until (view_idle, view, 60000));
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE + 0x30000);
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+f");
  kiln_test_input_type (GTK_WINDOW (view), "nowhere at all");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  g_assert_true (kiln_test_spin_until (view_idle, view, 60000));
  g_assert_cmpstr (_kiln_memory_view_get_status (view), ==,
                   "“nowhere at all” is not in Flash, neither in the chip nor in the file.");
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE + 0x30000);

  /* RAM: Go to switches the region and reads it from the chip. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+g");
  kiln_test_input_type (GTK_WINDOW (view), "20010000");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, 0x20010000);
  wait_read (hex, 0x20010000, 0x100);
  g_clear_pointer (&row, g_free);
  row = kiln_hex_view_dup_row_text (hex, 0x20010000);
  g_test_message ("RAM row: %s", row);
  g_assert_true (g_str_has_prefix (row, "20010000  "));
  g_assert_false (strstr (row, "--"));

  /* The big screen. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+g");
  kiln_test_input_type (GTK_WINDOW (view), "0x08000000");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  gtk_window_set_default_size (GTK_WINDOW (view), 1920, 1080);
  kiln_test_spin (300);
  g_assert_true (kiln_test_spin_until (view_idle, view, 60000));
  kiln_test_save_screenshot (GTK_WIDGET (view), "memory-view-wide.png");

  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+w");
  g_assert_null (window->memory_view);
  kiln_test_close (window, flash_path);
}

typedef struct
{
  KilnMemoryView *view;
  guint32         address;
} ViewMatches;

/* The view has read the rows at @address again and they match the file. */
static gboolean
view_matches (gpointer data)
{
  ViewMatches *m = data;
  KilnHexView *hex = _kiln_memory_view_get_hex_view (m->view);

  return _kiln_memory_view_is_idle (m->view) && kiln_hex_view_is_read (hex, m->address, 0x100)
         && kiln_hex_view_get_n_differences (hex) == 0;
}

/* Find looks on the file's side too and says where; after Program the
 * open view forgets the blank chip it had read and reads the rows in view
 * again, which now match the file. */
static void
test_find_file_and_refresh (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  g_autofree guint8 *flash = g_malloc (FLASH_SIZE);
  g_autofree guint8 *file = g_malloc (4096);
  KilnWindow *window;
  KilnMemoryView *view;
  KilnHexView *hex;
  ViewMatches matches;

  memset (flash, 0xFF, FLASH_SIZE);
  for (guint i = 0; i < 4096; i++)
    file[i] = (guint8) (i * 5 + 1);
  memcpy (file + 0x800, "FILE-MARK", 9);
  plant_flash (flash_path, flash);
  window = open_window (flash_path, file, 4096, 1024, 600);

  /* Ctrl+M: the view, at the flash's start; the blank chip differs from
   * the file everywhere the file has bytes. */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+m");
  g_assert_true (kiln_test_spin_until (view_open, window, 10000));
  view = window->memory_view;
  hex = _kiln_memory_view_get_hex_view (view);
  gtk_window_set_default_size (GTK_WINDOW (view), 1024, 600);
  wait_read (hex, FLASH_BASE, 0x100);
  g_assert_true (kiln_test_spin_until (view_idle, view, 60000));
  g_assert_cmpuint (kiln_hex_view_get_n_differences (hex), >, 0);

  /* Text only the file holds. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+f");
  kiln_test_input_type (GTK_WINDOW (view), "FILE-MARK");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  g_assert_true (kiln_test_spin_until (view_idle, view, 120000));
  g_test_message ("find: %s", _kiln_memory_view_get_status (view));
  g_assert_cmpstr (_kiln_memory_view_get_status (view), ==,
                   "Found “FILE-MARK” at 0x08000800 in the file (not in the chip there).");
  g_assert_cmphex (kiln_hex_view_get_cursor (hex), ==, FLASH_BASE + 0x800);

  /* Program, from the main window: the view reads its rows again. */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
  g_assert_true (kiln_test_spin_until (has_result, window, 60000));
  g_test_message ("program: %s", _kiln_window_get_result_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Programmed and verified"));
  matches.view = view;
  matches.address = FLASH_BASE + 0x800;
  g_assert_true (kiln_test_spin_until (view_matches, &matches, 60000));
  g_assert_cmpstr (_kiln_memory_view_get_status (view), ==, "What was read matches the file.");
  kiln_test_save_screenshot (GTK_WIDGET (view), "memory-view-programmed.png");

  /* Found again, now on both sides. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+f");
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+a BackSpace");
  kiln_test_input_type (GTK_WINDOW (view), "FILE-MARK");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  g_assert_true (kiln_test_spin_until (view_idle, view, 120000));
  g_assert_cmpstr (_kiln_memory_view_get_status (view), ==,
                   "Found “FILE-MARK” at 0x08000800 in the chip and in the file.");

  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+w");
  g_assert_null (window->memory_view);
  kiln_test_close (window, flash_path);
}

/* Tab reaches the map; the arrows move from tile to tile and the map says
 * the tile's address and state; Enter opens its memory. */
static void
test_tile_focus (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  g_autofree guint8 *flash = g_malloc (FLASH_SIZE);
  g_autofree guint8 *file = g_malloc (1024);
  g_autofree char *label = NULL;
  KilnWindow *window;
  KilnMemoryMap *map;
  guint tabs = 0;

  memset (flash, 0xFF, FLASH_SIZE);
  memset (file, 0x11, 1024);
  plant_flash (flash_path, flash);
  window = open_window (flash_path, file, 1024, 1024, 600);
  map = _kiln_window_get_memory_map (window);

  while (!gtk_widget_has_focus (GTK_WIDGET (map)) && tabs++ < 80)
    kiln_test_input_keys (GTK_WINDOW (window), "Tab");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (map)));
  g_assert_cmpuint (kiln_memory_map_get_focus (map), ==, 0);
  kiln_test_input_keys (GTK_WINDOW (window), "Right Right");
  g_assert_cmpuint (kiln_memory_map_get_focus (map), ==, 2);
  label = kiln_memory_map_dup_sector_label (map, 2);
  g_assert_cmpstr (label, ==, "Sector 2, 0x08010000 to 0x08017FFF, 32 KiB, Untouched");
  g_clear_pointer (&label, g_free);
  label = kiln_memory_map_dup_sector_label (map, 0);
  g_assert_cmpstr (label, ==, "Sector 0, 0x08000000 to 0x08007FFF, 32 KiB, Will be erased and written");
  kiln_test_save_screenshot (GTK_WIDGET (window), "memory-view-tile-focus.png");
  kiln_test_input_keys (GTK_WINDOW (window), "End");
  g_assert_cmpuint (kiln_memory_map_get_focus (map), ==, 7);
  kiln_test_input_keys (GTK_WINDOW (window), "Left Left Left Left Left");
  g_assert_cmpuint (kiln_memory_map_get_focus (map), ==, 2);

  kiln_test_input_keys (GTK_WINDOW (window), "Return");
  g_assert_true (kiln_test_spin_until (view_open, window, 10000));
  g_assert_cmphex (kiln_hex_view_get_cursor (_kiln_memory_view_get_hex_view (window->memory_view)), ==,
                   FLASH_BASE + 0x10000);
  g_assert_true (kiln_test_spin_until (view_idle, window->memory_view, 60000));
  kiln_test_close (window, flash_path);
}

/* Select Sectors, Space and a click tick tiles; Erase 2 Sectors… lists
 * them, and the bench's flash loses exactly those two; the tiles then say
 * "erased". */
static void
test_erase_ticked (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  g_autofree guint8 *flash = (guint8 *) kiln_test_pattern (FLASH_SIZE);
  g_autofree char *after = NULL;
  KilnWindow *window;
  KilnMemoryMap *map;
  AdwMessageDialog *dialog;
  const char *body;
  GtkWidget *erase;
  double x, y;
  gsize length;

  plant_flash (flash_path, flash);
  window = open_window (flash_path, flash, 1024, 1024, 600);
  map = _kiln_window_get_memory_map (window);

  kiln_test_input_click (GTK_WIDGET (window->select_button));
  g_assert_true (kiln_memory_map_get_selecting (map));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (map)));
  kiln_test_input_keys (GTK_WINDOW (window), "Right space Right Right space");
  g_assert_true (kiln_memory_map_get_ticked (map, 1));
  g_assert_true (kiln_memory_map_get_ticked (map, 3));
  /* A click ticks, a second click unticks. */
  g_assert_true (kiln_memory_map_get_sector_point (map, 5, &x, &y));
  kiln_test_input_click_at (GTK_WIDGET (map), x, y, 1, 1);
  g_assert_true (kiln_memory_map_get_ticked (map, 5));
  kiln_test_spin (600);   /* not a double click */
  kiln_test_input_click_at (GTK_WIDGET (map), x, y, 1, 1);
  g_assert_false (kiln_memory_map_get_ticked (map, 5));
  g_assert_cmpuint (kiln_memory_map_get_n_ticked (map), ==, 2);
  g_assert_cmpstr (gtk_button_get_label (window->erase_ticked_button), ==, "_Erase 2 Sectors…");
  kiln_test_save_screenshot (GTK_WIDGET (window), "memory-view-ticked.png");

  press_erase_ticked (window);
  dialog = find_message_dialog ();
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("erase: %s", body);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Erase 2 Sectors?");
  g_assert_nonnull (strstr (body, "• Sector 1: 0x08008000 – 0x0800FFFF"));
  g_assert_nonnull (strstr (body, "• Sector 3: 0x08018000 – 0x0801FFFF"));
  g_assert_null (strstr (body, "Sector 0"));
  kiln_test_spin (300);
  erase = find_button (GTK_WIDGET (dialog), "_Erase");
  g_assert_nonnull (erase);
  kiln_test_input_click (erase);
  g_assert_true (kiln_test_spin_until (has_result, window, 60000));
  g_test_message ("result: %s", _kiln_window_get_result_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Erased 2 sectors"));
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 1), ==, KILN_MAP_STATE_ERASED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 3), ==, KILN_MAP_STATE_ERASED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 2), !=, KILN_MAP_STATE_ERASED);
  g_assert_cmpstr (kiln_memory_map_state_word (kiln_memory_map_get_sector_state (map, 1)), ==, "erased");
  g_assert_false (kiln_memory_map_get_selecting (map));
  kiln_test_save_screenshot (GTK_WIDGET (window), "memory-view-erased.png");
  kiln_test_close (window, flash_path);

  /* Exactly sectors 1 and 3 are blank now. */
  g_assert_true (g_file_get_contents (flash_path, &after, &length, NULL));
  g_assert_cmpuint (length, ==, FLASH_SIZE);
  for (gsize i = 0; i < FLASH_SIZE; i++)
    {
      gboolean erased = (i >= 0x8000 && i < 0x10000) || (i >= 0x18000 && i < 0x20000);

      if ((guint8) after[i] != (erased ? 0xFF : flash[i]))
        g_error ("byte 0x%08" G_GSIZE_MODIFIER "X holds 0x%02X", FLASH_BASE + i, (guint8) after[i]);
    }
}

/* A write-protected sector ticked: nothing is erased, and the reason says
 * which sector and what to do. */
static void
test_erase_ticked_protected (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("nwrp=0xF7\n");
  g_autofree guint8 *flash = (guint8 *) kiln_test_pattern (FLASH_SIZE);
  g_autofree char *after = NULL;
  KilnWindow *window;
  KilnMemoryMap *map;
  AdwMessageDialog *dialog;
  gsize length;

  plant_flash (flash_path, flash);
  window = open_window (flash_path, flash, 1024, 1024, 600);
  map = _kiln_window_get_memory_map (window);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 3), ==, KILN_SECTOR_STATE_PROTECTED);

  kiln_test_input_click (GTK_WIDGET (window->select_button));
  kiln_test_input_keys (GTK_WINDOW (window), "Right Right space Right space");
  g_assert_cmpuint (kiln_memory_map_get_n_ticked (map), ==, 2);
  press_erase_ticked (window);
  dialog = find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Nothing Was Erased");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "Sector 3 is write-protected, so it cannot be erased. Untick it, or remove its protection in "
                   "Option Bytes first.");
  kiln_test_spin (300);
  kiln_test_input_keys (GTK_WINDOW (dialog), "Escape");
  g_assert_true (kiln_test_spin_until (dialog_gone, NULL, 5000));
  g_assert_false (kiln_test_has_result (window));
  kiln_test_close (window, flash_path);

  g_assert_true (g_file_get_contents (flash_path, &after, &length, NULL));
  g_assert_cmpmem (after, length, flash, FLASH_SIZE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.TestMemoryView");

  g_test_add_func ("/Kiln/UI/memory-view/view", test_view);
  g_test_add_func ("/Kiln/UI/memory-view/find-file-and-refresh", test_find_file_and_refresh);
  g_test_add_func ("/Kiln/UI/memory-view/tile-focus", test_tile_focus);
  g_test_add_func ("/Kiln/UI/memory-view/erase-ticked", test_erase_ticked);
  g_test_add_func ("/Kiln/UI/memory-view/erase-ticked-protected", test_erase_ticked_protected);

  return g_test_run ();
}
