/* test-window.c — Kiln's window under Xvfb: states, memory map, screenshots
 *
 * With KILN_SCREENSHOT_DIR set, each test saves a PNG of what it shows there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiln-chip.h"
#include "kiln-flash-plan.h"
#include "kiln-image.h"
#include "kiln-sim-bench.h"
#include "kiln-memory-map-private.h"
#include "kiln-option-bytes-window-private.h"
#include "kiln-preferences-window-private.h"
#include "kiln-window-private.h"
#include "kiln-test.h"
#include "kiln-test-window.h"

static gboolean
not_loading (gpointer data)
{
  return !_kiln_window_is_loading (data);
}

static void
test_empty (void)
{
  KilnWindow *window = kiln_test_window_new (1100, 760);

  g_assert_cmpstr (_kiln_window_get_page (window), ==, "empty");
  /* No probe: nothing may pretend to program */
  g_assert_false (_kiln_window_can_program (window));
  kiln_test_save_screenshot (GTK_WIDGET (window), "empty.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bad_file (void)
{
  KilnWindow *window = kiln_test_window_new (1100, 760);
  g_autofree char *path = kiln_test_write_temp ("notes.hex", ":10000000ZZ\nthis is not a HEX file\n", 33);

  kiln_test_load (window, path);
  g_assert_cmpstr (_kiln_window_get_page (window), ==, "error");
  g_assert_nonnull (_kiln_window_get_error_text (window));
  /* The message names the file so that the operator knows what to fix */
  g_assert_nonnull (strstr (_kiln_window_get_error_text (window), "notes.hex"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "bad-file.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

/* The map on its own, with a layout shaped like an STM32F76x in dual-bank
 * mode, to check that states, labels and the legend render. */
static void
test_memory_map_states (void)
{
  GtkWidget *window = gtk_window_new ();
  KilnMemoryMap *map = KILN_MEMORY_MAP (kiln_memory_map_new ());
  KilnMapSector sectors[24];
  KilnMapRegion ram[] = { { "DTCM", 0x20000000, 128 * 1024 }, { "SRAM1", 0x20020000, 368 * 1024 },
                          { "SRAM2", 0x2007C000, 16 * 1024 } };
  KilnMapRegion segments[] = { { ".isr_vector", 0x08000000, 0x1F8 }, { ".text", 0x08000200, 90 * 1024 },
                               { ".calib", 0x08100000, 1024 }, { ".noinit", 0x30000000, 64 } };
  guint32 addr = 0x08000000;
  g_autofree char *desc = NULL;

  for (guint bank = 0; bank < 2; bank++)
    for (guint i = 0; i < 12; i++)
      {
        guint32 size = i < 4 ? 16 * 1024 : i == 4 ? 64 * 1024 : 128 * 1024;
        sectors[bank * 12 + i] = (KilnMapSector) { bank, bank * 12 + i, addr, size };
        addr += size;
      }
  kiln_memory_map_set_layout (map, sectors, G_N_ELEMENTS (sectors), ram, G_N_ELEMENTS (ram));
  kiln_memory_map_set_segments (map, segments, G_N_ELEMENTS (segments));
  for (guint st = 0; st < KILN_N_SECTOR_STATES; st++)
    kiln_memory_map_set_sector_state (map, st, st, st == KILN_SECTOR_STATE_FAILED ? "PGPERR: programming parallelism error" : NULL);
  kiln_memory_map_set_sector_state (map, 12, KILN_SECTOR_STATE_PLANNED, NULL);

  g_assert_cmpuint (kiln_memory_map_get_n_sectors (map), ==, 24);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 3), ==, KILN_SECTOR_STATE_PROTECTED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 12), ==, KILN_SECTOR_STATE_PLANNED);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (map));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, -1);
  gtk_window_present (GTK_WINDOW (window));
  kiln_test_spin (300);

  /* Every sector is wide enough to click */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (map)), >=, 64 + 12 * 46);
  /* Hovering the first sector names it, its addresses, and the segment in it */
  desc = kiln_memory_map_describe_at (map, 64 + 10, 10);
  g_assert_nonnull (desc);
  g_assert_nonnull (strstr (desc, "0x08000000"));
  g_assert_nonnull (strstr (desc, ".isr_vector"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "memory-map-states.png");
  gtk_window_destroy (GTK_WINDOW (window));
}


/* The map shows, sector by sector, what the engine's plan says. */
static void
check_map_matches_plan (KilnWindow *window,
                        const char *image_path,
                        const char *part,
                        gboolean    dual_bank,
                        gboolean    has_base,
                        guint32     base)
{
  KilnMemoryMap *map = _kiln_window_get_memory_map (window);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = kiln_image_load_file (image_path, KILN_IMAGE_FORMAT_AUTO, has_base, base, &error);
  g_autoptr(KilnChip) chip = NULL;
  g_autoptr(KilnFlashPlan) plan = NULL;
  g_autofree char *summary = NULL;

  g_assert_no_error (error);
  chip = kiln_chip_new_for_part (part, dual_bank, &error);
  g_assert_no_error (error);
  plan = kiln_flash_plan_new (image, chip, KILN_FLASH_PSIZE_X32, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (kiln_memory_map_get_n_sectors (map), ==, kiln_chip_get_n_sectors (chip));
  for (guint i = 0; i < kiln_flash_plan_get_n_sectors (plan); i++)
    g_assert_cmpint (kiln_memory_map_get_sector_state (map, i), ==,
                     kiln_flash_plan_get_sector_state (plan, i));
  summary = kiln_flash_plan_dup_summary (plan);
  g_assert_cmpstr (_kiln_window_get_plan_text (window), ==, summary);
}

static void
test_file_loaded (void)
{
  const char *path = kiln_test_fixture_elf ();
  KilnWindow *window;
  KilnMemoryMap *map;

  if (path == NULL)
    {
      kiln_test_skip_missing (KILN_TEST_FIXTURES_MISSING);
      return;
    }
  /* What `kiln --simulator` shows */
  window = kiln_test_window_new (1100, 760);
  kiln_window_set_simulator (window, TRUE);
  g_assert_true (kiln_window_set_chip_name (window, "STM32F746NG"));
  kiln_test_load (window, path);
  g_assert_cmpstr (_kiln_window_get_page (window), ==, "loaded");
  map = _kiln_window_get_memory_map (window);
  /* The fixture starts at the beginning of flash: sector 0 gets written */
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 0), ==, KILN_SECTOR_STATE_PLANNED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 7), ==, KILN_SECTOR_STATE_UNTOUCHED);
  check_map_matches_plan (window, path, "STM32F746NG", FALSE, FALSE, 0);
  /* On the simulated board, Program is there for real. */
  g_assert_true (_kiln_window_can_program (window));
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.kiln.Kiln");
    g_auto(GStrv) recent = g_settings_get_strv (settings, "recent-files");
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autofree char *uri = g_file_get_uri (file);

    g_assert_nonnull (recent[0]);
    g_assert_cmpstr (recent[0], ==, uri);
  }
  kiln_test_save_screenshot (GTK_WIDGET (window), "file-loaded.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_dual_bank (void)
{
  const char *path = kiln_test_fixture_elf ();
  KilnWindow *window;

  if (path == NULL)
    {
      kiln_test_skip_missing (KILN_TEST_FIXTURES_MISSING);
      return;
    }
  window = kiln_test_window_new (1100, 760);
  g_assert_true (kiln_window_set_chip_name (window, "STM32F767ZI"));
  kiln_window_set_dual_bank (window, TRUE);
  kiln_test_load (window, path);
  g_assert_cmpuint (kiln_memory_map_get_n_sectors (_kiln_window_get_memory_map (window)), ==, 24);
  check_map_matches_plan (window, path, "STM32F767ZI", TRUE, FALSE, 0);
  kiln_test_save_screenshot (GTK_WIDGET (window), "dual-bank.png");

  /* Back to single bank: 12 sectors */
  kiln_window_set_dual_bank (window, FALSE);
  kiln_test_spin (50);
  g_assert_cmpuint (kiln_memory_map_get_n_sectors (_kiln_window_get_memory_map (window)), ==, 12);
  check_map_matches_plan (window, path, "STM32F767ZI", FALSE, FALSE, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bin_at_base (void)
{
  KilnWindow *window = kiln_test_window_new (1100, 760);
  guint8 data[3000];
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  KilnMemoryMap *map;

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 7);
  path = kiln_test_write_temp ("app.bin", (const char *) data, sizeof data);
  file = g_file_new_for_path (path);

  g_assert_true (kiln_window_set_chip_name (window, "STM32F746NG"));
  kiln_window_open_file_at (window, file, 0x08040000);
  g_assert_true (kiln_test_spin_until (not_loading, window, 10000));
  g_assert_cmpstr (_kiln_window_get_page (window), ==, "loaded");
  map = _kiln_window_get_memory_map (window);
  /* 0x08040000 is the start of sector 5 (256 KiB) on a 1 MiB F746 */
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 5), ==, KILN_SECTOR_STATE_PLANNED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 0), ==, KILN_SECTOR_STATE_UNTOUCHED);
  check_map_matches_plan (window, path, "STM32F746NG", FALSE, TRUE, 0x08040000);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

static void
test_outside_flash (void)
{
  KilnWindow *window = kiln_test_window_new (1100, 760);
  const char *hex = ":020000040800F2\n:0400000000000120DB\n:020000043000CA\n:04000000DEADBEEFC4\n:00000001FF\n";
  g_autofree char *path = kiln_test_write_temp ("outside.hex", hex, strlen (hex));

  g_assert_true (kiln_window_set_chip_name (window, "STM32F746NG"));
  kiln_test_load (window, path);
  g_assert_cmpstr (_kiln_window_get_page (window), ==, "loaded");
  /* The plan is refused before anything could be erased, and says why */
  g_assert_nonnull (strstr (_kiln_window_get_plan_text (window), "0x30000000"));
  for (guint i = 0; i < kiln_memory_map_get_n_sectors (_kiln_window_get_memory_map (window)); i++)
    g_assert_cmpint (kiln_memory_map_get_sector_state (_kiln_window_get_memory_map (window), i), ==,
                     KILN_SECTOR_STATE_UNTOUCHED);
  kiln_test_save_screenshot (GTK_WIDGET (window), "outside-flash.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

typedef struct
{
  KilnMemoryMap *map;
  guint          sector;
} SectorWait;

static gboolean
sector_planned (gpointer data)
{
  SectorWait *w = data;
  return kiln_memory_map_get_n_sectors (w->map) > w->sector &&
         kiln_memory_map_get_sector_state (w->map, w->sector) == KILN_SECTOR_STATE_PLANNED;
}

/* A developer rebuilds; the window reloads the file by itself. */
static void
test_reload_on_change (void)
{
  KilnWindow *window = kiln_test_window_new (1100, 760);
  const char *first = ":020000040800F2\n:0400000000000120DB\n:00000001FF\n";
  const char *second = ":020000040804EE\n:0400000000000120DB\n:00000001FF\n";
  g_autofree char *path = kiln_test_write_temp ("app.hex", first, strlen (first));
  SectorWait w = { _kiln_window_get_memory_map (window), 5 };

  g_assert_true (kiln_window_set_chip_name (window, "STM32F746NG"));
  kiln_test_load (window, path);
  g_assert_cmpint (kiln_memory_map_get_sector_state (w.map, 0), ==, KILN_SECTOR_STATE_PLANNED);
  g_assert_false (sector_planned (&w));

  g_assert_true (g_file_set_contents (path, second, strlen (second), NULL));
  g_assert_true (kiln_test_spin_until (sector_planned, &w, 5000));
  g_assert_cmpint (kiln_memory_map_get_sector_state (w.map, 0), ==, KILN_SECTOR_STATE_UNTOUCHED);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

static gboolean
result_shown (gpointer data)
{
  return _kiln_window_get_result_text (data) != NULL;
}

static gpointer
report_thread (gpointer data)
{
  KilnProgress *progress = data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                 "Sector 1 is write-protected (WRP option byte)");

  kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_ERASE, 32768);
  kiln_progress_set_sector_state (progress, 0, KILN_SECTOR_STATE_ERASING);
  kiln_progress_set_done (progress, 16384);
  kiln_progress_set_sector_state (progress, 0, KILN_SECTOR_STATE_VERIFIED);
  kiln_progress_set_sector_state (progress, 1, KILN_SECTOR_STATE_FAILED);
  kiln_progress_finish (progress, error);
  return NULL;
}

/* The window follows a job's progress events reported from another thread:
 * sector states reach the map, and a failure's cause is shown. */
static void
test_progress_events (void)
{
  KilnWindow *window = kiln_test_window_new (1100, 760);
  const char *hex = ":020000040800F2\n:0400000000000120DB\n:00000001FF\n";
  g_autofree char *path = kiln_test_write_temp ("app.hex", hex, strlen (hex));
  g_autoptr(KilnProgress) progress = kiln_progress_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  KilnMemoryMap *map = _kiln_window_get_memory_map (window);
  GThread *thread;

  g_assert_true (kiln_window_set_chip_name (window, "STM32F746NG"));
  kiln_test_load (window, path);
  g_assert_null (_kiln_window_get_result_text (window));

  /* Cancel reaches the job's cancellable */
  _kiln_window_watch_progress (window, progress, cancellable);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL));
  g_assert_true (g_cancellable_is_cancelled (cancellable));

  thread = g_thread_new ("report", report_thread, progress);
  g_assert_true (kiln_test_spin_until (result_shown, window, 5000));
  g_thread_join (thread);

  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 0), ==, KILN_SECTOR_STATE_VERIFIED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 1), ==, KILN_SECTOR_STATE_FAILED);
  g_assert_nonnull (strstr (_kiln_window_get_result_text (window), "write-protected"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

/* Dark style: the map's colours and text stay readable */
static void
test_dark (void)
{
  const char *path = kiln_test_fixture_elf ();
  AdwStyleManager *style = adw_style_manager_get_default ();
  KilnWindow *window;

  if (path == NULL)
    {
      kiln_test_skip_missing (KILN_TEST_FIXTURES_MISSING);
      return;
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  window = kiln_test_window_new (1100, 760);
  g_assert_true (adw_style_manager_get_dark (style));
  /* The fixture's own chip: on an F722 its stack (the top of the F746's
   * SRAM1) is past the end of RAM, and the plan refuses the file. */
  g_assert_true (kiln_window_set_chip_name (window, "STM32F746NG"));
  kiln_test_load (window, path);
  g_assert_cmpint (kiln_memory_map_get_sector_state (_kiln_window_get_memory_map (window), 0), ==,
                   KILN_SECTOR_STATE_PLANNED);
  kiln_test_save_screenshot (GTK_WIDGET (window), "dark.png");
  gtk_window_destroy (GTK_WINDOW (window));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* A raw binary does not say where it goes: the window asks. */
static void
test_bin_asks_base (void)
{
  KilnWindow *window = kiln_test_window_new (1100, 760);
  const char data[64] = { 1, 2, 3 };
  g_autofree char *path = kiln_test_write_temp ("firmware.bin", data, sizeof data);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWindow *dialog;

  kiln_window_open_file (window, file);
  g_assert_true (kiln_test_spin_until (kiln_test_dialog_shown, NULL, 5000));
  dialog = kiln_test_find_message_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "firmware.bin"));
  kiln_test_save_screenshot (GTK_WIDGET (dialog), "bin-base-address.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "load");
  g_assert_true (kiln_test_spin_until (not_loading, window, 5000));
  kiln_test_spin (100);
  g_assert_true (kiln_test_spin_until (not_loading, window, 5000));
  g_assert_cmpstr (_kiln_window_get_page (window), ==, "loaded");
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

typedef struct
{
  const char *path;
  const char *data;
  gsize       size;
} PipeWriter;

static gpointer
write_pipe (gpointer user_data)
{
  PipeWriter *w = user_data;
  int fd = g_open (w->path, O_WRONLY, 0);
  gsize done = 0;

  g_assert_cmpint (fd, >=, 0);
  while (done < w->size)
    {
      gssize n = write (fd, w->data + done, w->size - done);

      g_assert_cmpint (n, >, 0);
      done += (gsize) n;
    }
  close (fd);
  return NULL;
}

/* Reading a file never holds up the main loop. The file is a named pipe
 * that gets its bytes only after the window has drawn a frame with the
 * load under way: were it read on the main thread, opening it would never
 * return (nothing here depends on how fast the machine is). */
static void
test_no_stall (void)
{
  KilnWindow *window = kiln_test_window_new (1100, 760);
  gsize size = 960 * 1024;
  g_autofree char *data = g_malloc (size);
  g_autofree char *dir = g_dir_make_tmp ("kiln-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "big.bin", NULL);
  g_autoptr(GFile) file = NULL;
  PipeWriter writer;
  GThread *thread;

  for (gsize i = 0; i < size; i++)
    data[i] = (char) (i * 31 + (i >> 8));
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  file = g_file_new_for_path (path);
  g_assert_true (kiln_window_set_chip_name (window, "STM32F746NG"));

  kiln_window_open_file_at (window, file, 0x08000000);
  g_assert_true (_kiln_window_is_loading (window));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (_kiln_window_is_loading (window));

  writer = (PipeWriter) { path, data, size };
  thread = g_thread_new ("pipe-writer", write_pipe, &writer);
  g_assert_true (kiln_test_spin_until (not_loading, window, 30000));
  g_thread_join (thread);

  g_assert_cmpstr (_kiln_window_get_page (window), ==, "loaded");
  /* All of it arrived: the last 256 KiB sector (0x080C0000) gets written. */
  g_assert_cmpint (kiln_memory_map_get_sector_state (_kiln_window_get_memory_map (window), 7), ==,
                   KILN_SECTOR_STATE_PLANNED);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
page_loaded (gpointer data)
{
  return g_strcmp0 (_kiln_window_get_page (data), "loaded") == 0;
}

/* "Try the Simulator" picks the bench's chip and opens the sample firmware */
static void
test_try_simulator (void)
{
  KilnWindow *window;

  if (kiln_test_fixture_elf () == NULL)
    {
      kiln_test_skip_missing (KILN_TEST_FIXTURES_MISSING);
      return;
    }
  window = kiln_test_window_new (1100, 760);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.simulator", NULL));
  g_assert_true (kiln_test_spin_until (page_loaded, window, 5000));
  kiln_test_wait_identified (window);
  g_assert_cmpint (kiln_memory_map_get_sector_state (_kiln_window_get_memory_map (window), 0), ==,
                   KILN_SECTOR_STATE_PLANNED);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Every control an operator (or a screen reader) meets says what it is: a
 * label, a tooltip, or the title of the row it sits in. */
static gboolean
has_text_label (GtkWidget *widget)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && gtk_widget_get_visible (c) && *gtk_label_get_text (GTK_LABEL (c)) != '\0')
        return TRUE;
      if (has_text_label (c))
        return TRUE;
    }
  return FALSE;
}

static gboolean
control_is_named (GtkWidget *widget)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);
  GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);

  if (tooltip != NULL && *tooltip != '\0')
    return TRUE;
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL
      && *gtk_button_get_label (GTK_BUTTON (widget)) != '\0')
    return TRUE;
  if (GTK_IS_CHECK_BUTTON (widget) && gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)) != NULL)
    return TRUE;
  if (row != NULL && *adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) != '\0')
    return TRUE;
  return has_text_label (widget);
}

static void
collect_unnamed (GtkWidget *widget,
                 GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget)
       || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) || GTK_IS_ENTRY (widget)
       || GTK_IS_SPIN_BUTTON (widget))
      && gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW_CONTROLS) == NULL /* GTK names its own */
      && !control_is_named (widget))
    {
      g_auto(GStrv) classes = gtk_widget_get_css_classes (widget);
      g_autofree char *joined = g_strjoinv (".", classes);

      g_string_append_printf (out, " %s(%s .%s in %s)", G_OBJECT_TYPE_NAME (widget),
                              gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) ?: "?", joined,
                              G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)));
    }
  if (GTK_IS_MENU_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) || GTK_IS_SPIN_BUTTON (widget))
    return;  /* their insides are theirs */
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_unnamed (c, out);
}

static void
test_controls_named (void)
{
  KilnWindow *window;
  g_autoptr(GString) unnamed = g_string_new (NULL);

  if (kiln_test_fixture_elf () == NULL)
    {
      kiln_test_skip_missing (KILN_TEST_FIXTURES_MISSING);
      return;
    }
  window = kiln_test_window_new (1100, 760);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.simulator", NULL));
  g_assert_true (kiln_test_spin_until (page_loaded, window, 5000));
  kiln_test_wait_identified (window);
  collect_unnamed (GTK_WIDGET (window), unnamed);
  if (unnamed->len > 0)
    g_error ("controls without a label, tooltip or row title:%s", unnamed->str);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Runs Program on a bench described by @config (with @state as its state
 * directory) for @size bytes of a pattern; returns the window with the job
 * started. */
static KilnWindow *
start_program_on_bench (const char  *dir,
                        const char  *config,
                        gsize        size,
                        char       **data_out,
                        char       **path_out)
{
  g_autofree char *ini = g_build_filename (dir, "sim.ini", NULL);
  g_autoptr(GFile) file = NULL;
  KilnWindow *window;
  char *data;

  g_assert_true (g_file_set_contents (ini, config, -1, NULL));
  g_setenv ("KILN_SIM", ini, TRUE);
  data = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    data[i] = (char) (i * 13 + (i >> 10));
  *path_out = kiln_test_write_temp ("job.bin", data, size);
  *data_out = data;
  file = g_file_new_for_path (*path_out);

  window = kiln_test_window_new (1100, 760);
  kiln_window_set_simulator (window, TRUE);
  kiln_window_open_file_at (window, file, 0x08000000);
  g_assert_true (kiln_test_spin_until (not_loading, window, 10000));
  kiln_test_wait_identified (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.program", NULL));
  return window;
}

/* The bench lines that hold the probe at @point until @dir/held is removed. */
static char *
hold_lines (const char *dir,
            const char *point)
{
  return g_strdup_printf ("[bench]\nhold=%s\nhold-file=%s/held\n", point, dir);
}

static gboolean
held (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
some_sector_writing (gpointer data)
{
  KilnMemoryMap *map = _kiln_window_get_memory_map (data);

  for (guint s = 0; s < kiln_memory_map_get_n_sectors (map); s++)
    if (kiln_memory_map_get_sector_state (map, s) == KILN_SECTOR_STATE_WRITING)
      return TRUE;
  return FALSE;
}

/* Program on the simulated board: the sectors go through their states to
 * verified, the result says so, and the board's flash.bin holds the image
 * afterwards. The probe work is not on the main thread: with the probe held
 * mid-job, the window still draws and shows the sector being written (were
 * the job on the main thread, Program would never return). */
static void
test_program_on_simulator (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-ui-sim-XXXXXX", &error);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *flash_path = g_build_filename (state, "flash.bin", NULL);
  g_autofree char *hold_file = g_build_filename (dir, "held", NULL);
  g_autofree char *hold = hold_lines (dir, "program:12288");
  g_autofree char *config = g_strdup_printf ("%s[probe]\n[board]\nstate=%s\n", hold, state);
  g_autofree char *contents = NULL;
  g_autofree char *data = NULL;
  g_autofree char *path = NULL;
  gsize size = 160 * 1024, length;
  KilnWindow *window;

  g_assert_no_error (error);
  window = start_program_on_bench (dir, config, size, &data, &path);
  g_assert_true (kiln_test_spin_until (held, hold_file, 120000));
  /* The window shows what the job reported before the hold: writing. */
  g_assert_true (kiln_test_spin_until (some_sector_writing, window, 60000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_false (kiln_test_has_result (window));
  g_assert_true (held (hold_file));
  g_assert_cmpint (g_unlink (hold_file), ==, 0);

  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 120000));
  g_test_message ("result: %s", _kiln_window_get_result_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Programmed and verified 160 KiB (5 sectors, 0 unchanged) in "));
  for (guint s = 0; s < 5; s++)
    g_assert_cmpint (kiln_memory_map_get_sector_state (_kiln_window_get_memory_map (window), s), ==,
                     KILN_SECTOR_STATE_VERIFIED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (_kiln_window_get_memory_map (window), 5), ==,
                   KILN_SECTOR_STATE_UNTOUCHED);
  kiln_test_save_screenshot (GTK_WIDGET (window), "programmed.png");

  gtk_window_destroy (GTK_WINDOW (window));
  /* The board is saved when the window lets go of it. */
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");

  /* The window saved the board when it went away. */
  g_assert_true (g_file_get_contents (flash_path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, 1024 * 1024);
  g_assert_cmpmem (contents, size, data, size);
  g_unlink (path);
}

/* A write-protected sector in the plan: the job is refused before anything
 * is erased, and the result names the sector and what to do. */
static void
test_program_fault (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-ui-wrp-XXXXXX", &error);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *flash_path = g_build_filename (state, "flash.bin", NULL);
  /* nWRP bit 1 clear: sector 1 is write-protected */
  g_autofree char *config = g_strdup_printf ("[probe]\n[board]\nstate=%s\nnwrp=0xFD\n", state);
  g_autofree char *data = NULL;
  g_autofree char *path = NULL;
  KilnWindow *window;
  const char *text;

  g_assert_no_error (error);
  window = start_program_on_bench (dir, config, 96 * 1024, &data, &path);
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  text = _kiln_window_get_result_text (window);
  g_test_message ("result: %s", text);
  g_assert_nonnull (strstr (text, "Sector 1 is write-protected"));
  g_assert_nonnull (strstr (text, "Nothing was erased"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "failed.png");
  gtk_window_destroy (GTK_WINDOW (window));
  /* The board is saved when the window lets go of it. */
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
  g_assert_true (kiln_test_all_erased (flash_path));
  g_unlink (path);
}

/* Cancel while the worker writes: the job stops, the result says it was
 * cancelled, and the window is ready for the next job. */
static void
test_program_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-ui-cancel-XXXXXX", &error);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *flash_path = g_build_filename (state, "flash.bin", NULL);
  g_autofree char *hold_file = g_build_filename (dir, "held", NULL);
  g_autofree char *hold = hold_lines (dir, "program:12288");
  g_autofree char *config = g_strdup_printf ("%s[probe]\n[board]\nstate=%s\n", hold, state);
  g_autofree char *data = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize size = 512 * 1024, length;
  KilnWindow *window;
  const char *text;

  g_assert_no_error (error);
  window = start_program_on_bench (dir, config, size, &data, &path);
  /* Cancel while the probe is held mid-write: it lands mid-job on any
   * machine. */
  g_assert_true (kiln_test_spin_until (held, hold_file, 120000));
  g_assert_true (kiln_test_spin_until (some_sector_writing, window, 60000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL));
  g_assert_cmpint (g_unlink (hold_file), ==, 0);
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  text = _kiln_window_get_result_text (window);
  g_test_message ("result: %s", text);
  g_assert_nonnull (strstr (text, "ancel"));
  g_assert_true (_kiln_window_can_program (window));
  kiln_test_save_screenshot (GTK_WIDGET (window), "cancelled.png");
  gtk_window_destroy (GTK_WINDOW (window));
  /* The board is saved when the window lets go of it. */
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
  /* The job stopped: the image is not all there. */
  g_assert_true (g_file_get_contents (flash_path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, 1024 * 1024);
  g_assert_true (memcmp (contents, data, size) != 0);
  g_unlink (path);
}


static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.kiln.Kiln");
  GtkWindow *prefs = kiln_preferences_window_new (NULL);
  GtkWidget *focus;

  gtk_window_present (prefs);
  kiln_test_spin (200);
  /* Bound to GSettings both ways */
  g_settings_set_boolean (settings, "connect-under-reset", TRUE);
  kiln_test_spin (50);
  focus = gtk_widget_get_first_child (GTK_WIDGET (prefs));
  g_assert_nonnull (focus);
  kiln_test_save_screenshot (GTK_WIDGET (prefs), "preferences.png");
  g_settings_set_boolean (settings, "connect-under-reset", FALSE);
  gtk_window_destroy (prefs);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  kiln_test_ui_init (&argc, &argv);

  app = kiln_test_ui_application ("org.kiln.Kiln.Test");

  g_test_add_func ("/Kiln/UI/empty", test_empty);
  g_test_add_func ("/Kiln/UI/bad-file", test_bad_file);
  g_test_add_func ("/Kiln/UI/memory-map-states", test_memory_map_states);
  g_test_add_func ("/Kiln/UI/file-loaded", test_file_loaded);
  g_test_add_func ("/Kiln/UI/dual-bank", test_dual_bank);
  g_test_add_func ("/Kiln/UI/bin-at-base", test_bin_at_base);
  g_test_add_func ("/Kiln/UI/outside-flash", test_outside_flash);
  g_test_add_func ("/Kiln/UI/reload-on-change", test_reload_on_change);
  g_test_add_func ("/Kiln/UI/progress-events", test_progress_events);
  g_test_add_func ("/Kiln/UI/dark", test_dark);
  g_test_add_func ("/Kiln/UI/try-simulator", test_try_simulator);
  g_test_add_func ("/Kiln/UI/program-on-simulator", test_program_on_simulator);
  g_test_add_func ("/Kiln/UI/controls-named", test_controls_named);
  g_test_add_func ("/Kiln/UI/program-fault", test_program_fault);
  g_test_add_func ("/Kiln/UI/program-cancel", test_program_cancel);
  g_test_add_func ("/Kiln/UI/bin-asks-base", test_bin_asks_base);
  g_test_add_func ("/Kiln/UI/no-stall", test_no_stall);
  g_test_add_func ("/Kiln/UI/preferences", test_preferences);

  return g_test_run ();
}
