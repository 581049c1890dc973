/* test-window-words.c — the window's words stay true: banners and the plan
 * header follow the file, the target and the plan; messages offer the
 * window's own way out, never the command line's or a status code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kiln-test-input.h"
#include "kiln-test-window.h"

static gboolean
ob_ready (gpointer data)
{
  return _kiln_option_bytes_window_is_ready (data);
}

static gboolean
unprotected (gpointer data)
{
  g_autofree char *text = _kiln_window_dup_target_text (data);

  return !_kiln_window_is_identifying (data) && strstr (text, "Write Protection: None") != NULL;
}

static gboolean
plan_is_not_done (gpointer data)
{
  return !g_str_has_prefix (_kiln_window_get_plan_text (data), "Done:");
}

/* A refused Program's banner goes once the protection is removed; after a
 * Program the header says what was done, and both go when the file
 * changes on disk. */
static void
test_stale_words (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("nwrp=0xFD\n");
  gsize size = 96 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1280, 800);
  KilnMemoryMap *map = _kiln_window_get_memory_map (window);
  KilnOptionBytesWindow *ob;
  AdwMessageDialog *dialog;
  const char *text;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  text = _kiln_window_get_result_text (window);
  g_test_message ("refused: %s", text);
  g_assert_nonnull (strstr (text, "Sector 1 is write-protected"));
  g_assert_null (strstr (text, "kiln-cli"));
  g_assert_cmpstr (_kiln_window_get_result_action (window), ==, "win.option-bytes");
  kiln_test_wait_identified (window);

  /* Remove the protection in Option Bytes: its Write is styled as what it does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.option-bytes", NULL));
  ob = kiln_test_find_option_bytes_window ();
  g_assert_nonnull (ob);
  g_assert_true (kiln_test_spin_until (ob_ready, ob, 30000));
  _kiln_option_bytes_window_set_protected (ob, 1, FALSE);
  g_assert_true (_kiln_option_bytes_window_can_write (ob));
  g_assert_true (gtk_widget_has_css_class (_kiln_option_bytes_window_get_write_button (ob), "destructive-action"));
  _kiln_option_bytes_window_write (ob);
  g_assert_true (kiln_test_spin_until (kiln_test_dialog_shown, NULL, 5000));
  dialog = ADW_MESSAGE_DIALOG (kiln_test_find_message_dialog ());
  adw_message_dialog_response (dialog, "write");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (kiln_test_spin_until (unprotected, window, 30000));
  g_assert_true (kiln_test_spin_until (ob_ready, ob, 30000));
  gtk_window_destroy (GTK_WINDOW (ob));
  kiln_test_spin (100);
  /* The banner said sector 1 was protected: it is not any more. */
  g_assert_null (_kiln_window_get_result_text (window));
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 1), ==, KILN_SECTOR_STATE_PLANNED);
  g_assert_null (strstr (_kiln_window_get_plan_text (window), "refused"));

  /* Program: the header says what was done. */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+p");
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_test_message ("programmed: %s / header: %s", _kiln_window_get_result_text (window),
                  _kiln_window_get_plan_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Programmed"));
  g_assert_true (g_str_has_prefix (_kiln_window_get_plan_text (window), "Done: Programmed"));
  kiln_test_wait_identified (window);
  g_assert_true (g_str_has_prefix (_kiln_window_get_plan_text (window), "Done: Programmed"));

  /* The file changes on disk: "the chip holds this file" is no longer true. */
  data[0] ^= 0xFF;
  g_assert_true (g_file_set_contents (path, data, size, NULL));
  g_assert_true (kiln_test_spin_until (plan_is_not_done, window, 10000));
  g_test_message ("after the change: %s", _kiln_window_get_plan_text (window));
  g_assert_nonnull (strstr (_kiln_window_get_plan_text (window), "will be erased and written"));
  g_assert_null (_kiln_window_get_result_text (window));

  kiln_test_close (window, flash_path);
  g_unlink (path);
}

/* Erasing a chip with a protected sector, and Verify on a read-protected
 * chip: the window says to use its Option Bytes, and offers it. */
static void
test_words_point_to_option_bytes (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("nwrp=0xFD\n");
  KilnWindow *window = kiln_test_window_new (1280, 800);
  AdwMessageDialog *dialog;
  const char *text;

  kiln_test_wait_identified (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.erase", NULL));
  g_assert_true (kiln_test_spin_until (kiln_test_dialog_shown, NULL, 5000));
  dialog = ADW_MESSAGE_DIALOG (kiln_test_find_message_dialog ());
  adw_message_dialog_response (dialog, "all");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  text = _kiln_window_get_result_text (window);
  g_test_message ("erase: %s", text);
  g_assert_null (strstr (text, "kiln-cli"));
  g_assert_nonnull (strstr (text, "Option Bytes"));
  g_assert_nonnull (strstr (text, "Sector 1"));
  g_assert_cmpstr (_kiln_window_get_result_action (window), ==, "win.option-bytes");
  kiln_test_close (window, flash_path);
}

static void
test_verify_read_protected (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("rdp=0xBB\n");
  gsize size = 8 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1280, 800);
  const char *text;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.verify", NULL));
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  text = _kiln_window_get_result_text (window);
  g_test_message ("verify: %s", text);
  g_assert_null (strstr (text, "kiln-cli"));
  g_assert_nonnull (strstr (text, "Option Bytes"));
  g_assert_cmpstr (_kiln_window_get_result_action (window), ==, "win.option-bytes");
  kiln_test_close (window, flash_path);
  g_unlink (path);
}

static gboolean
target_problem_shown (gpointer data)
{
  return !_kiln_window_is_identifying (data) && kiln_test_has_result (data);
}

/* No power: the main area says so where the plan would be, with Retry,
 * and (pressed once the board has power) Retry reads the chip. */
static void
test_no_power_in_main_area (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("voltage=0\n");
  const char *hex = ":020000040800F2\n:0400000000000120DB\n:00000001FF\n";
  g_autofree char *path = kiln_test_write_temp ("app.hex", hex, strlen (hex));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1024, 600);
  const char *text;

  kiln_window_open_file (window, file);
  kiln_test_wait_loaded (window);
  g_assert_true (kiln_test_spin_until (target_problem_shown, window, 30000));
  text = _kiln_window_get_result_text (window);
  g_test_message ("main area: %s / %s", _kiln_window_get_plan_text (window), text);
  g_assert_nonnull (strstr (text, "no power"));
  g_assert_null (strstr (_kiln_window_get_plan_text (window), "Connect a probe"));
  g_assert_nonnull (strstr (_kiln_window_get_plan_text (window), "could not be read"));
  g_assert_cmpstr (_kiln_window_get_result_action (window), ==, "win.identify");
  kiln_test_save_screenshot (GTK_WIDGET (window), "no-power-main.png");
  kiln_test_close (window, flash_path);
  g_unlink (path);
}

/* SWD turned off by the firmware: the words carry no probe status code. */
static void
test_swd_off_words (void)
{
  const char *elf = g_getenv ("KILN_FIXTURE_ELF");
  g_autoptr(GSettings) settings = g_settings_new ("org.kiln.Kiln");
  g_autofree char *board = NULL;
  g_autofree char *flash_path = NULL;
  g_autofree char *panel = NULL;
  KilnWindow *window;
  const char *text;

  if (elf == NULL)
    {
      g_test_skip ("the fixture firmware was not built (arm-none-eabi-gcc missing)");
      return;
    }
  board = g_strdup_printf ("flash-image=%s\n[faults]\nswd-disabled-by-firmware=true\n", elf);
  flash_path = kiln_test_use_bench (board);
  g_settings_set_boolean (settings, "connect-under-reset", FALSE);
  window = kiln_test_window_new (1280, 800);
  g_assert_true (kiln_test_spin_until (target_problem_shown, window, 30000));
  text = _kiln_window_get_result_text (window);
  panel = _kiln_window_dup_target_text (window);
  g_test_message ("%s\n%s", text, panel);
  g_assert_null (strstr (text, "0x"));
  g_assert_null (strstr (panel, "status 0x"));
  g_assert_nonnull (strstr (text, "connect under reset"));
  g_assert_cmpstr (_kiln_window_get_result_action (window), ==, "win.connect-under-reset");
  kiln_test_close (window, flash_path);
}

/* A sector the job leaves alone has one name: the tile's word is the
 * legend's. */
static void
test_untouched_word (void)
{
  g_autofree char *legend = g_utf8_strdown (kiln_memory_map_describe_state (KILN_SECTOR_STATE_UNTOUCHED), -1);

  g_assert_cmpstr (kiln_memory_map_state_word (KILN_SECTOR_STATE_UNTOUCHED), ==, legend);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.TestWords");

  g_test_add_func ("/Kiln/UI/stale-words", test_stale_words);
  g_test_add_func ("/Kiln/UI/untouched-word", test_untouched_word);
  g_test_add_func ("/Kiln/UI/words-point-to-option-bytes", test_words_point_to_option_bytes);
  g_test_add_func ("/Kiln/UI/verify-read-protected", test_verify_read_protected);
  g_test_add_func ("/Kiln/UI/no-power-in-main-area", test_no_power_in_main_area);
  g_test_add_func ("/Kiln/UI/swd-off-words", test_swd_off_words);

  return g_test_run ();
}
