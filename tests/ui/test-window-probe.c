/* test-window-probe.c — the window with a probe on the bench: what it reads
 * from the target (chip, protection, power), Verify/Read/Erase, the option
 * bytes, hotplug, connect under reset and a choice of two probes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kiln-sim-bench.h"
#include "kiln-test.h"
#include "kiln-test-input.h"
#include "kiln-test-window.h"

/* With a probe, the panel shows the chip the probe found, not a guess:
 * the UID is the board's own. */
static void
test_identify (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("uid0=0x11223344\nuid1=0x55667788\nuid2=0x99AABBCC\n");
  g_autofree char *text = NULL;
  KilnWindow *window = kiln_test_window_new (1100, 760);

  /* KILN_SIM's probe is the only one: the window takes it by itself. */
  kiln_test_wait_identified (window);
  g_assert_cmpstr (_kiln_window_get_target_uid (window), ==, "99AABBCC5566778811223344");
  text = _kiln_window_dup_target_text (window);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "STM32F74x/F75x, revision Z"));
  g_assert_nonnull (strstr (text, "99AABBCC5566778811223344"));
  g_assert_nonnull (strstr (text, "3.30 V"));
  g_assert_nonnull (strstr (text, "Off (level 0)"));
  g_assert_nonnull (strstr (text, "Write Protection: None"));
  g_assert_nonnull (strstr (text, "V2J34S7: everything Kiln does works with it"));
  g_assert_nonnull (strstr (text, "1 MiB, one bank, 8 sectors"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "target.png");

  /* Identify again on demand: the same board answers the same. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.identify", NULL));
  g_assert_true (_kiln_window_is_identifying (window));
  kiln_test_wait_identified (window);
  g_assert_cmpstr (_kiln_window_get_target_uid (window), ==, "99AABBCC5566778811223344");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
}

/* A write-protected sector shows as such before Program, the plan says
 * Program would be refused, and Program is refused with nothing erased. */
static void
test_protected_before_program (void)
{
  /* nWRP bit 1 clear: sector 1 is write-protected */
  g_autofree char *flash_path = kiln_test_use_bench ("nwrp=0xFD\n");
  gsize size = 96 * 1024;
  g_autofree char *data = g_malloc0 (size);
  g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *text = NULL;
  KilnMemoryMap *map;
  KilnWindow *window = kiln_test_window_new (1100, 760);

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  map = _kiln_window_get_memory_map (window);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 0), ==, KILN_SECTOR_STATE_PLANNED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 1), ==, KILN_SECTOR_STATE_PROTECTED);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 2), ==, KILN_SECTOR_STATE_PLANNED);
  g_assert_nonnull (strstr (_kiln_window_get_plan_text (window), "Program would be refused"));
  g_assert_nonnull (strstr (_kiln_window_get_plan_text (window), "sector 1 is write-protected"));
  text = _kiln_window_dup_target_text (window);
  g_assert_nonnull (strstr (text, "Write Protection: Sector 1"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "protected.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.program", NULL));
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_assert_nonnull (strstr (_kiln_window_get_result_text (window), "Sector 1 is write-protected"));
  /* The next step is one click away */
  g_assert_cmpstr (_kiln_window_get_result_action (window), ==, "win.option-bytes");
  /* Still shown as protected after the refusal */
  kiln_test_wait_identified (window);
  g_assert_cmpint (kiln_memory_map_get_sector_state (map, 1), ==, KILN_SECTOR_STATE_PROTECTED);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
  g_assert_true (kiln_test_all_erased (flash_path));
  g_unlink (path);
}

/* Read protection level 1 is said in words, before any job. */
static void
test_read_protected (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("rdp=0xBB\n");
  const char *hex = ":020000040800F2\n:0400000000000120DB\n:00000001FF\n";
  g_autofree char *path = kiln_test_write_temp ("app.hex", hex, strlen (hex));
  g_autofree char *text = NULL;
  KilnWindow *window = kiln_test_window_new (1100, 760);

  kiln_test_wait_identified (window);
  kiln_test_load (window, path);
  text = _kiln_window_dup_target_text (window);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Read Protection: Level 1: the flash cannot be read or programmed"));
  g_assert_nonnull (strstr (_kiln_window_get_plan_text (window), "read-protected (level 1)"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "read-protected.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
  g_unlink (path);
}


static gboolean
target_error_shown (gpointer data)
{
  g_autofree char *text = _kiln_window_dup_target_text (data);

  return !_kiln_window_is_identifying (data) && strstr (text, "no power") != NULL;
}

/* A board without power: the panel says so and what to do, and keeps the
 * probe (whose firmware it could read). */
static void
test_no_power (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("voltage=0\n");
  g_autofree char *text = NULL;
  KilnWindow *window = kiln_test_window_new (1100, 760);

  g_assert_true (kiln_test_spin_until (target_error_shown, window, 30000));
  text = _kiln_window_dup_target_text (window);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "power the board"));
  g_assert_nonnull (strstr (text, "V2J34S7"));
  g_assert_null (_kiln_window_get_target_uid (window));
  kiln_test_save_screenshot (GTK_WIDGET (window), "no-power.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
}


/* g_format_size() puts a no-break space between number and unit */
#define NBSP "\xc2\xa0"

/* Verify, Read and Erase on the bench after Program: each says what it did,
 * Read's file holds the flash, Erase asks first with the sectors it would
 * erase, and Verify then finds the difference. */
static void
test_verify_read_erase (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  gsize size = 40 * 1024;
  g_autofree char *data = g_malloc (size);
  g_autofree char *path = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-ui-read-XXXXXX", NULL);
  g_autofree char *out_path = g_build_filename (dir, "board.bin", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autofree char *contents = NULL;
  gsize length;
  GtkWindow *dialog;
  const char *body;
  KilnWindow *window;

  for (gsize i = 0; i < size; i++)
    data[i] = (char) (i * 5 + (i >> 11));
  path = kiln_test_write_temp ("app.bin", data, size);
  file = g_file_new_for_path (path);
  window = kiln_test_window_new (1100, 760);
  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.program", NULL));
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Programmed and verified"));
  kiln_test_wait_identified (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.verify", NULL));
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_test_message ("verify: %s", _kiln_window_get_result_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window),
                                   "Verified: the chip holds the file’s 40.0" NBSP "KiB exactly (2 sectors compared) in "));
  kiln_test_save_screenshot (GTK_WIDGET (window), "verified.png");
  kiln_test_wait_identified (window);

  _kiln_window_read_to_file (window, out);
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_test_message ("read: %s", _kiln_window_get_result_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window),
                                   "Read 1.0" NBSP "MiB of flash from 0x08000000 into board.bin in "));
  g_assert_true (g_file_get_contents (out_path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, 1024 * 1024);
  g_assert_cmpmem (contents, size, data, size);
  g_assert_cmpint ((guint8) contents[size], ==, 0xFF);
  kiln_test_wait_identified (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.erase", NULL));
  g_assert_true (kiln_test_spin_until (kiln_test_dialog_shown, NULL, 5000));
  dialog = kiln_test_find_message_dialog ();
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_test_message ("erase: %s", body);
  g_assert_nonnull (strstr (body, "The sectors the file uses: 0, 1 (64.0" NBSP "KiB)"));
  g_assert_nonnull (strstr (body, "The whole chip: sectors 0 to 7 (1.0" NBSP "MiB)"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "sectors"));
  kiln_test_save_screenshot (GTK_WIDGET (dialog), "erase.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "sectors");
  gtk_window_destroy (dialog);
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_test_message ("erase: %s", _kiln_window_get_result_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Erased 2 sectors (64.0" NBSP "KiB) in "));
  /* The header no longer says the chip holds the file. */
  g_test_message ("header after the erase: %s", _kiln_window_get_plan_text (window));
  g_assert_true (g_str_has_prefix (_kiln_window_get_plan_text (window), "The chip was erased since it was last checked"));
  kiln_test_wait_identified (window);

  /* The chip no longer holds the file: Verify says where. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.verify", NULL));
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_test_message ("verify: %s", _kiln_window_get_result_text (window));
  g_assert_nonnull (strstr (_kiln_window_get_result_text (window), "0x08000000"));
  g_test_message ("header after the verify: %s", _kiln_window_get_plan_text (window));
  g_assert_cmpstr (_kiln_window_get_plan_text (window), ==,
                   "Checked: the chip does not hold this file (see below). Program writes it.");
  kiln_test_save_screenshot (GTK_WIDGET (window), "verify-failed.png");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
  g_assert_true (kiln_test_all_erased (flash_path));
  g_unlink (path);
  g_unlink (out_path);
}



static gboolean
ob_ready (gpointer data)
{
  return _kiln_option_bytes_window_is_ready (data);
}

typedef struct
{
  KilnWindow *window;
  const char *needle;
} TargetSays;

static gboolean
target_says (gpointer data)
{
  TargetSays *t = data;
  g_autofree char *text = _kiln_window_dup_target_text (t->window);

  return !_kiln_window_is_identifying (t->window) && strstr (text, t->needle) != NULL;
}

/* Presses Write…, checks the confirmation, answers @response. */
static void
ob_write (KilnOptionBytesWindow *ob,
          const char            *heading,
          const char            *response,
          const char            *screenshot)
{
  GtkWindow *dialog;

  _kiln_option_bytes_window_write (ob);
  g_assert_true (kiln_test_spin_until (kiln_test_dialog_shown, NULL, 5000));
  dialog = kiln_test_find_message_dialog ();
  g_test_message ("%s\n%s", adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)),
                  adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, heading);
  if (screenshot != NULL)
    kiln_test_save_screenshot (GTK_WIDGET (dialog), screenshot);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  /* A response given from code leaves the dialog up; a click would close it. */
  gtk_window_destroy (dialog);
  kiln_test_spin (100);
}

/* Option bytes: read from the chip, each change confirmed in words, the
 * target panel follows; lowering RDP says it erases the chip and does;
 * level 2 needs a second, explicit yes. */
static void
test_option_bytes (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("nwrp=0xFD\n");
  g_auto(GStrv) assignments = NULL;
  KilnOptionBytesWindow *ob;
  TargetSays says;
  GtkWindow *dialog;
  KilnWindow *window = kiln_test_window_new (1100, 760);

  kiln_test_wait_identified (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.option-bytes", NULL));
  ob = kiln_test_find_option_bytes_window ();
  g_assert_nonnull (ob);
  g_assert_true (kiln_test_spin_until (ob_ready, ob, 30000));
  assignments = _kiln_option_bytes_window_dup_assignments (ob);
  g_assert_cmpuint (g_strv_length (assignments), ==, 0);
  kiln_test_save_screenshot (GTK_WIDGET (ob), "option-bytes.png");

  /* A boot address the chip cannot take is refused before anything is asked */
  g_assert_false (_kiln_option_bytes_window_can_write (ob));
  _kiln_option_bytes_window_set_boot (ob, 0, "somewhere");
  g_test_message ("%s", _kiln_option_bytes_window_get_changes (ob));
  g_assert_nonnull (strstr (_kiln_option_bytes_window_get_changes (ob), "somewhere"));
  g_assert_false (_kiln_option_bytes_window_can_write (ob));
  _kiln_option_bytes_window_set_boot (ob, 0, "0x00200000");
  g_assert_false (_kiln_option_bytes_window_can_write (ob));
  g_assert_cmpstr (_kiln_option_bytes_window_get_changes (ob), ==, "Nothing changed yet.");

  /* Remove sector 1's protection */
  _kiln_option_bytes_window_set_protected (ob, 1, FALSE);
  g_clear_pointer (&assignments, g_strfreev);
  assignments = _kiln_option_bytes_window_dup_assignments (ob);
  g_assert_cmpstrv (assignments, ((const char *[]) { "wrp=none", NULL }));
  ob_write (ob, "Write Option Bytes?", "write", "option-bytes-confirm.png");
  says = (TargetSays) { window, "Write Protection: None" };
  g_assert_true (kiln_test_spin_until (target_says, &says, 30000));
  g_assert_true (kiln_test_spin_until (ob_ready, ob, 30000));

  /* Program something, then read-protect the chip */
  {
    gsize size = 8 * 1024;
    g_autofree char *data = g_malloc (size);
    g_autofree char *path = NULL;
    g_autoptr(GFile) file = NULL;

    memset (data, 0x5A, size);
    path = kiln_test_write_temp ("app.bin", data, size);
    file = g_file_new_for_path (path);
    gtk_window_close (GTK_WINDOW (ob));
    kiln_test_spin (100);
    kiln_window_open_file_at (window, file, 0x08000000);
    kiln_test_wait_loaded (window);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.program", NULL));
    g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
    g_assert_true (g_str_has_prefix (_kiln_window_get_result_text (window), "Programmed and verified"));
    kiln_test_wait_identified (window);
    g_unlink (path);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.option-bytes", NULL));
  ob = kiln_test_find_option_bytes_window ();
  g_assert_true (kiln_test_spin_until (ob_ready, ob, 30000));
  _kiln_option_bytes_window_set_rdp (ob, 1);
  ob_write (ob, "Write Option Bytes?", "write", NULL);
  says = (TargetSays) { window, "Read Protection: Level 1" };
  g_assert_true (kiln_test_spin_until (target_says, &says, 30000));
  g_assert_true (kiln_test_spin_until (ob_ready, ob, 30000));

  /* Back to level 0: the confirmation says the chip is erased first */
  _kiln_option_bytes_window_set_rdp (ob, 0);
  ob_write (ob, "Erase the Whole Chip?", "write", "option-bytes-rdp0.png");
  says = (TargetSays) { window, "Read Protection: Off (level 0)" };
  g_assert_true (kiln_test_spin_until (target_says, &says, 60000));
  g_assert_true (kiln_test_spin_until (ob_ready, ob, 30000));

  /* Level 2: a first yes is not enough */
  _kiln_option_bytes_window_set_rdp (ob, 2);
  ob_write (ob, "Set Read Protection Level 2?", "write", NULL);
  g_assert_true (kiln_test_spin_until (kiln_test_dialog_shown, NULL, 5000));
  dialog = kiln_test_find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Disable Debugging for Good?");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "level2"));
  kiln_test_save_screenshot (GTK_WIDGET (dialog), "option-bytes-rdp2.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (dialog);
  kiln_test_spin (200);
  g_assert_true (_kiln_option_bytes_window_is_ready (ob));
  gtk_window_close (GTK_WINDOW (ob));
  kiln_test_wait_identified (window);
  says = (TargetSays) { window, "Off (level 0)" };
  g_assert_true (target_says (&says));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
  /* Lowering the protection erased the flash */
  g_assert_true (kiln_test_all_erased (flash_path));
}


static gboolean
changes_say_db1m (gpointer data)
{
  return strstr (_kiln_option_bytes_window_get_changes (data), "Bank mode (DB1M): single bank → dual bank") != NULL;
}

/* DB1M on a 1 MiB F429ZG: a key press on the switch, the confirmation says
 * the sectors are renumbered and what that means for the image, and the
 * window then shows the chip's two banks (sectors 0–7 and 12–19). */
static void
test_option_bytes_db1m (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("chip=STM32F429ZG\n");
  g_auto(GStrv) assignments = NULL;
  g_autofree char *text = NULL;
  KilnOptionBytesWindow *ob;
  GtkWidget *sw;
  GtkWindow *dialog;
  const char *body;
  TargetSays says;
  KilnWindow *window = kiln_test_window_new (1100, 760);

  kiln_test_wait_identified (window);
  text = _kiln_window_dup_target_text (window);
  g_assert_nonnull (strstr (text, "1 MiB, one bank, 12 sectors"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.option-bytes", NULL));
  ob = kiln_test_find_option_bytes_window ();
  g_assert_nonnull (ob);
  g_assert_true (kiln_test_spin_until (ob_ready, ob, 30000));
  sw = _kiln_option_bytes_window_get_db1m_switch (ob);
  g_assert_true (gtk_widget_get_mapped (sw) || gtk_widget_is_visible (sw));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (sw)));

  /* The switch, as a person reaches it: focused, then Space. */
  gtk_widget_grab_focus (sw);
  kiln_test_spin (100);
  kiln_test_input_keys (GTK_WINDOW (ob), "space");
  g_assert_true (kiln_test_spin_until (changes_say_db1m, ob, 5000));
  assignments = _kiln_option_bytes_window_dup_assignments (ob);
  g_assert_cmpstrv (assignments, ((const char *[]) { "db1m=1", NULL }));
  g_assert_true (_kiln_option_bytes_window_can_write (ob));

  kiln_test_input_click (_kiln_option_bytes_window_get_write_button (ob));
  g_assert_true (kiln_test_spin_until (kiln_test_dialog_shown, NULL, 5000));
  dialog = kiln_test_find_message_dialog ();
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_test_message ("%s", body);
  g_assert_nonnull (strstr (body, "sectors 12 to 19"));
  g_assert_nonnull (strstr (body, "sectors 8 to 11 no longer exist"));
  g_assert_nonnull (strstr (body, "The image keeps its addresses"));
  kiln_test_save_screenshot (GTK_WIDGET (dialog), "option-bytes-db1m.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "write");
  gtk_window_destroy (dialog);

  /* The chip as it now is: two banks. */
  says = (TargetSays) { window, "1 MiB, two banks, 16 sectors" };
  g_assert_true (kiln_test_spin_until (target_says, &says, 30000));
  gtk_window_destroy (GTK_WINDOW (ob));
  kiln_test_spin (100);
  kiln_test_close (window, flash_path);
}

static gboolean
no_probe_selected (gpointer data)
{
  return kiln_probe_selector_get_selected (_kiln_window_get_probe_selector (data)) == NULL;
}

/* Hotplug: the probe leaves, the window says so and stops offering its
 * jobs; it comes back, and the window takes it and reads the target again. */
static void
test_hotplug (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  const char *hex = ":020000040800F2\n:0400000000000120DB\n:00000001FF\n";
  g_autofree char *path = kiln_test_write_temp ("app.hex", hex, strlen (hex));
  KilnWindow *window = kiln_test_window_new (1100, 760);
  KilnProbeSelector *selector = _kiln_window_get_probe_selector (window);
  KilnSimProbe *probe;
  g_autofree char *text = NULL;

  kiln_test_wait_identified (window);
  kiln_test_load (window, path);
  g_assert_true (_kiln_window_can_program (window));
  probe = kiln_sim_bench_get_probe (kiln_probe_selector_get_bench (selector), 0);

  kiln_sim_probe_unplug (probe);
  g_assert_true (kiln_test_spin_until (no_probe_selected, window, 10000));
  kiln_test_spin (100);
  g_assert_null (_kiln_window_get_target_uid (window));
  g_assert_false (_kiln_window_can_program (window));
  text = _kiln_window_dup_target_text (window);
  g_test_message ("%s", text);
  g_assert_null (strstr (text, "Probe:"));
  /* What the probe found stays on view, and the map with it */
  g_assert_nonnull (strstr (text, "The probe is gone"));
  g_assert_nonnull (strstr (text, "STM32F74x/F75x, revision Z"));
  /* No job and no result on view: a toast says it too. */
  g_assert_nonnull (_kiln_window_get_last_toast (window));
  g_assert_nonnull (strstr (_kiln_window_get_last_toast (window), "is gone (unplugged?)"));
  g_assert_cmpint (kiln_memory_map_get_sector_state (_kiln_window_get_memory_map (window), 0), ==,
                   KILN_SECTOR_STATE_PLANNED);
  kiln_test_save_screenshot (GTK_WIDGET (window), "unplugged.png");

  kiln_sim_probe_plug (probe);
  kiln_test_wait_identified (window);
  g_assert_true (_kiln_window_can_program (window));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
  g_unlink (path);
}


static gboolean
target_action_is_reset (gpointer data)
{
  return !_kiln_window_is_identifying (data)
         && g_strcmp0 (_kiln_window_get_target_action (data), "win.connect-under-reset") == 0;
}

/* Firmware that turns the SWD pins off: the target panel says what is
 * wrong and offers to connect under reset, which then works. */
static void
test_connect_under_reset (void)
{
  g_autofree char *image = NULL;
  g_autofree char *flash_path = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("org.kiln.Kiln");
  g_autofree char *text = NULL;
  KilnWindow *window;

  if (kiln_test_fixture_elf () == NULL)
    {
      kiln_test_skip_missing (KILN_TEST_FIXTURES_MISSING);
      return;
    }
  /* The board runs a firmware, which turns SWD off */
  image = g_strdup_printf ("flash-image=%s\n[faults]\nswd-disabled-by-firmware=true\n", kiln_test_fixture_elf ());
  flash_path = kiln_test_use_bench (image);
  g_settings_set_boolean (settings, "connect-under-reset", FALSE);
  window = kiln_test_window_new (1100, 760);
  g_assert_true (kiln_test_spin_until (target_action_is_reset, window, 30000));
  text = _kiln_window_dup_target_text (window);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "connect under reset"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "swd-disabled.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.connect-under-reset", NULL));
  g_assert_true (g_settings_get_boolean (settings, "connect-under-reset"));
  kiln_test_wait_identified (window);
  g_assert_null (_kiln_window_get_target_action (window));
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_set_boolean (settings, "connect-under-reset", FALSE);
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, flash_path, 10000));
  g_unsetenv ("KILN_SIM");
}

static gboolean
n_probes_is_2 (gpointer data)
{
  KilnProbeSelector *selector = data;

  return kiln_probe_selector_get_probes (selector)->len == 2 && !kiln_probe_selector_is_listing (selector);
}

/* Two probes: none is taken by itself; choosing one identifies its board,
 * through the same path a real probe takes. */
static void
test_two_probes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-ui-two-XXXXXX", &error);
  g_autofree char *ini = g_build_filename (dir, "sim.ini", NULL);
  const char *config = "[probe 1]\nserial=AAAA1111\n[board 1]\nuid0=1\nuid1=2\nuid2=3\n"
                       "[probe 2]\nmodel=stlink-v3\nfirmware=V3J7M2\nserial=BBBB2222\n"
                       "[board 2]\nchip=STM32F767ZI\nuid0=4\nuid1=5\nuid2=6\n";
  KilnProbeSelector *selector;
  KilnUsbProbeInfo *second;
  g_autofree char *text = NULL;
  KilnWindow *window;

  g_assert_true (g_file_set_contents (ini, config, -1, NULL));
  g_setenv ("KILN_SIM", ini, TRUE);
  window = kiln_test_window_new (1100, 760);
  selector = _kiln_window_get_probe_selector (window);
  g_assert_true (kiln_test_spin_until (n_probes_is_2, selector, 10000));
  kiln_test_spin (100);
  g_assert_null (kiln_probe_selector_get_selected (selector));
  g_assert_false (_kiln_window_can_program (window));
  {
    g_autofree char *panel = _kiln_window_dup_target_text (window);

    g_test_message ("%s", panel);
    g_assert_nonnull (strstr (panel, "Choose a Probe"));
    g_assert_nonnull (strstr (panel, "2 probes are attached"));
  }
  kiln_test_save_screenshot (GTK_WIDGET (window), "choose-probe.png");
  {
    GtkWidget *popover = _kiln_probe_selector_get_popover (selector);

    gtk_popover_popup (GTK_POPOVER (popover));
    kiln_test_spin (300);
    kiln_test_save_screenshot (popover, "probes.png");
    gtk_popover_popdown (GTK_POPOVER (popover));
  }

  second = g_ptr_array_index (kiln_probe_selector_get_probes (selector), 1);
  g_assert_cmpstr (kiln_usb_probe_info_get_serial (second), ==, "BBBB2222");
  kiln_probe_selector_select (selector, second);
  kiln_test_wait_identified (window);
  g_assert_cmpstr (_kiln_window_get_target_uid (window), ==, "000000060000000500000004");
  text = _kiln_window_dup_target_text (window);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "STM32F76x/F77x"));
  g_assert_nonnull (strstr (text, "V3J7M2"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "two-probes.png");
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (200);
  g_unsetenv ("KILN_SIM");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.TestProbe");

  g_test_add_func ("/Kiln/UI/identify", test_identify);
  g_test_add_func ("/Kiln/UI/protected-before-program", test_protected_before_program);
  g_test_add_func ("/Kiln/UI/read-protected", test_read_protected);
  g_test_add_func ("/Kiln/UI/two-probes", test_two_probes);
  g_test_add_func ("/Kiln/UI/no-power", test_no_power);
  g_test_add_func ("/Kiln/UI/verify-read-erase", test_verify_read_erase);
  g_test_add_func ("/Kiln/UI/option-bytes", test_option_bytes);
  g_test_add_func ("/Kiln/UI/option-bytes-db1m", test_option_bytes_db1m);
  g_test_add_func ("/Kiln/UI/hotplug", test_hotplug);
  g_test_add_func ("/Kiln/UI/connect-under-reset", test_connect_under_reset);

  return g_test_run ();
}
