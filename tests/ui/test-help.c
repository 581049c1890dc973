/* test-help.c — help and keyboard: F1 opens the offline help on the page
 * of the window it is pressed in, Ctrl+? lists the shortcuts, every listed
 * shortcut does what it says, the main actions are a few Tab stops away,
 * and USB Access Help installs the udev rules through pkexec when the
 * user agrees. All by real key presses and clicks under Xvfb.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kiln-application-private.h"
#include "kiln-help-pages.h"
#include "kiln-help-window.h"
#include "kiln-option-bytes-window-private.h"
#include "kiln-production-window-private.h"
#include "kiln-test-input.h"
#include "kiln-test-window.h"

static gboolean
toplevel_gone (gpointer type)
{
  return kiln_test_find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

static gboolean
widget_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gpointer
wait_for (GType type)
{
  return kiln_test_wait_toplevel (type, 20000);
}

/* A message dialog whose heading is @heading. */
static gboolean
dialog_shown (gpointer heading)
{
  GListModel *list = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (list, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w))
          && g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (w)), heading) == 0)
        return TRUE;
    }
  return FALSE;
}

static AdwMessageDialog *
wait_dialog (const char *heading)
{
  GListModel *list = gtk_window_get_toplevels ();

  g_assert_true (kiln_test_spin_until (dialog_shown, (gpointer) heading, 20000));
  kiln_test_spin (100);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (list, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w))
          && g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (w)), heading) == 0)
        return ADW_MESSAGE_DIALOG (w);
    }
  g_assert_not_reached ();
}

static void
close_all_dialogs (void)
{
  GListModel *list = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (list); i > 0; i--)
    {
      g_autoptr(GObject) w = g_list_model_get_item (list, i - 1);

      if (ADW_IS_MESSAGE_DIALOG (w))
        gtk_window_destroy (GTK_WINDOW (w));
    }
  kiln_test_spin (100);
}

/* F1 in the main window opens the help on "Program a Board"; a click on
 * another page in its list shows that page; Escape closes it. */
static void
test_f1_main (void)
{
  KilnWindow *window = kiln_test_window_new (1024, 600);
  KilnHelpWindow *help;
  GtkWidget *row;

  kiln_test_input_keys (GTK_WINDOW (window), "F1");
  help = wait_for (KILN_TYPE_HELP_WINDOW);
  g_assert_cmpstr (kiln_help_window_get_page (help), ==, "program");
  kiln_test_save_screenshot (GTK_WIDGET (help), "help.png");

  /* The second row of the page list: "Read Protection Explained". */
  row = gtk_widget_get_first_child (GTK_WIDGET (kiln_help_window_get_page_list (help)));
  row = gtk_widget_get_next_sibling (row);
  kiln_test_input_click (row);
  kiln_test_spin (200);
  g_assert_cmpstr (kiln_help_window_get_page (help), ==, "read-protection");

  kiln_test_input_keys (GTK_WINDOW (help), "Escape");
  g_assert_true (kiln_test_spin_until (toplevel_gone, GSIZE_TO_POINTER (KILN_TYPE_HELP_WINDOW), 10000));
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);
}

/* Every page has a title, a summary and text, translated strings that the
 * German catalogue covers (checked by msgfmt in the po suite); none is
 * empty, and lookup finds each by its id. */
static void
test_pages (void)
{
  guint n = 0;

  for (const KilnHelpPage *p = kiln_help_pages (); p->id != NULL; p++, n++)
    {
      guint blocks = 0;

      g_assert_true (kiln_help_page_lookup (p->id) == p);
      g_assert_cmpstr (p->title, !=, "");
      g_assert_cmpstr (p->summary, !=, "");
      for (const KilnHelpBlock *b = p->blocks; b->kind != KILN_HELP_END; b++, blocks++)
        g_assert_cmpstr (b->text, !=, "");
      g_assert_cmpuint (blocks, >=, 5);
    }
  /* The four task pages the issue names, and the simulator. */
  g_assert_nonnull (kiln_help_page_lookup ("program"));
  g_assert_nonnull (kiln_help_page_lookup ("read-protection"));
  g_assert_nonnull (kiln_help_page_lookup ("production"));
  g_assert_nonnull (kiln_help_page_lookup ("usb"));
  g_assert_cmpuint (n, ==, 5);
  g_assert_null (kiln_help_page_lookup ("nothing"));
}

/* Ctrl+Shift+P opens the production station; F1 there opens the help on
 * setting up a production line. */
static void
test_f1_station (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  KilnWindow *window = kiln_test_window_new (1024, 600);
  KilnProductionWindow *station;
  KilnHelpWindow *help;

  kiln_test_wait_identified (window);
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+shift+p");
  station = wait_for (KILN_TYPE_PRODUCTION_WINDOW);
  kiln_test_input_keys (GTK_WINDOW (station), "F1");
  help = wait_for (KILN_TYPE_HELP_WINDOW);
  g_assert_cmpstr (kiln_help_window_get_page (help), ==, "production");
  gtk_window_destroy (GTK_WINDOW (help));
  gtk_window_destroy (GTK_WINDOW (station));
  kiln_test_close (window, flash_path);
}

/* Each shortcut the shortcuts window (Ctrl+?, resources/gtk/help-overlay.ui)
 * lists for the window's actions does what its title says. (Showing that
 * window is left out: GTK 4.8 warns when a shown GtkShortcutsShortcut is
 * finalized, which a test must treat as fatal.) */
static void
test_shortcuts (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  gsize size = 64 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("keys.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1024, 600);
  GtkWindow *options;
  GtkWidget *popover;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);

  /* Erase… asks first; Escape answers "Cancel". */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+shift+e");
  wait_for (ADW_TYPE_MESSAGE_DIALOG);
  close_all_dialogs ();

  /* Read… asks for the range first. */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+shift+r");
  wait_dialog ("Read From the Chip");
  close_all_dialogs ();

  /* Option bytes. */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+b");
  options = wait_for (KILN_TYPE_OPTION_BYTES_WINDOW);
  gtk_window_destroy (options);
  kiln_test_spin (100);

  /* The probe menu. */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+d");
  popover = _kiln_probe_selector_get_popover (_kiln_window_get_probe_selector (window));
  g_assert_true (kiln_test_spin_until (widget_mapped, popover, 10000));
  kiln_test_input_keys (GTK_WINDOW (window), "Escape");
  kiln_test_spin (200);

  /* Verify compares the chip (blank) with the file: a mismatch, named. */
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+shift+v");
  g_assert_true (kiln_test_spin_until (kiln_test_has_result, window, 60000));
  g_test_message ("verify: %s", _kiln_window_get_result_text (window));
  g_assert_nonnull (strstr (_kiln_window_get_result_text (window), "0x08000000"));

  kiln_test_close (window, flash_path);
}

typedef struct
{
  const char *action;
  GType       type;
} Actionable;

static gboolean
is_actionable (GtkWidget     *widget,
               gconstpointer  data)
{
  const Actionable *a = data;

  return G_TYPE_CHECK_INSTANCE_TYPE (widget, a->type) && GTK_IS_ACTIONABLE (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), a->action) == 0;
}

static gboolean
has_focus (gpointer widget)
{
  return gtk_widget_has_focus (widget);
}

/* From the file button, Program is at most a few Tab stops away once a
 * file is loaded (counted with real Tab presses). */
static void
test_tab_reach (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  gsize size = 64 * 1024;
  g_autofree char *data = kiln_test_pattern (size);
  g_autofree char *path = kiln_test_write_temp ("tab.bin", data, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KilnWindow *window = kiln_test_window_new (1024, 600);
  GtkWidget *program = GTK_WIDGET (window->program_button);
  GtkWidget *open;
  guint presses = 0;

  kiln_test_wait_identified (window);
  kiln_window_open_file_at (window, file, 0x08000000);
  kiln_test_wait_loaded (window);
  g_assert_true (gtk_widget_get_sensitive (program));
  open = kiln_test_find_widget (GTK_WIDGET (window), is_actionable, &(Actionable) { "win.open", ADW_TYPE_SPLIT_BUTTON });
  g_assert_nonnull (open);
  gtk_widget_grab_focus (open);
  while (!gtk_widget_has_focus (program) && presses < 20)
    {
      GtkWidget *f;

      kiln_test_input_keys (GTK_WINDOW (window), "Tab");
      kiln_test_spin (50);
      presses++;
      f = gtk_root_get_focus (GTK_ROOT (window));
      g_test_message ("Tab %u: %s %s", presses, f ? G_OBJECT_TYPE_NAME (f) : "-",
                      f && GTK_IS_ACTIONABLE (f) ? gtk_actionable_get_action_name (GTK_ACTIONABLE (f)) : "");
    }
  g_test_message ("Tab presses from Open to Program: %u", presses);
  g_assert_true (has_focus (program));
  /* The probe menu (2), Read Target, Select Sectors, Show Memory, the map
   * (its tiles take the arrow keys), then Program. */
  g_assert_cmpuint (presses, <=, 7);
  kiln_test_close (window, flash_path);
}

/* A pkexec of the test's own, first on PATH: it records its arguments and
 * keeps a copy of the rules file it was given, then exits with
 * $KILN_TEST_PKEXEC_EXIT. */
static char *
fake_pkexec (const char *dir)
{
  g_autofree char *script = g_build_filename (dir, "pkexec", NULL);
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  g_autofree char *xdotool_link = g_build_filename (dir, "xdotool", NULL);
  const char *body =
    "#!/bin/sh\n"
    "printf '%s\\n' \"$@\" > \"$KILN_TEST_PKEXEC_LOG\"\n"
    "/bin/cp \"$5\" \"$KILN_TEST_PKEXEC_LOG.rules\"\n"
    "exit \"${KILN_TEST_PKEXEC_EXIT:-0}\"\n";

  g_assert_true (g_file_set_contents (script, body, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  /* The test's own input still needs xdotool on the narrowed PATH. */
  g_assert_nonnull (xdotool);
  g_assert_cmpint (symlink (xdotool, xdotool_link), ==, 0);
  return g_build_filename (dir, "pkexec.log", NULL);
}

static void
press_usb_help (KilnWindow *window)
{
  GtkWidget *button = window->udev_help_button;

  g_assert_true (gtk_widget_get_mapped (button));
  kiln_test_input_click (button);
}

/* With no probe usable, USB Access Help offers to install the rules;
 * Enter (the suggested answer) runs pkexec with the rules Kiln carries,
 * and the result says what to do next. A dismissed password prompt says
 * nothing changed and shows the commands; without pkexec, only the
 * commands are shown. */
static void
test_usb_install (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kiln-pkexec-XXXXXX", NULL);
  g_autofree char *log = fake_pkexec (dir);
  g_autofree char *rules_copy = g_strconcat (log, ".rules", NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *args = NULL;
  g_autofree char *installed = NULL;
  g_autofree char *carried = NULL;
  KilnWindow *window;
  AdwMessageDialog *dialog;

  g_setenv ("PATH", dir, TRUE);
  g_setenv ("KILN_TEST_PKEXEC_LOG", log, TRUE);
  g_setenv ("KILN_TEST_PKEXEC_EXIT", "0", TRUE);
  /* No bench, and no ST-LINK on this machine's USB: nothing is usable. */
  g_unsetenv ("KILN_SIM");
  /* Tall enough that the help sits in view under the target panel. */
  window = kiln_test_window_new (1280, 900);
  kiln_test_spin (500);

  press_usb_help (window);
  dialog = wait_dialog ("USB Access to ST-LINK Probes");
  kiln_test_save_screenshot (GTK_WIDGET (dialog), "usb-help.png");
  kiln_test_input_keys (GTK_WINDOW (dialog), "Return");
  wait_dialog ("USB Access Rules Installed");
  g_assert_true (g_file_get_contents (log, &args, NULL, NULL));
  g_test_message ("pkexec %s", args);
  g_assert_true (g_str_has_prefix (args, "/bin/sh\n-c\n"));
  g_assert_nonnull (strstr (args, "/etc/udev/rules.d/60-kiln-stlink.rules"));
  g_assert_nonnull (strstr (args, "udevadm control --reload"));
  g_assert_nonnull (strstr (args, "udevadm trigger"));
  /* The file pkexec was given holds Kiln's rules, byte for byte, and is
   * gone afterwards. */
  g_assert_true (g_file_get_contents (rules_copy, &installed, NULL, NULL));
  g_assert_true (g_file_get_contents (KILN_TEST_UDEV_RULES, &carried, NULL, NULL));
  g_assert_cmpstr (installed, ==, carried);
  {
    g_auto(GStrv) lines = g_strsplit (args, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), >=, 5);
    g_assert_false (g_file_test (lines[4], G_FILE_TEST_EXISTS));
  }
  close_all_dialogs ();

  /* The password prompt dismissed: pkexec exits 126. */
  g_setenv ("KILN_TEST_PKEXEC_EXIT", "126", TRUE);
  press_usb_help (window);
  dialog = wait_dialog ("USB Access to ST-LINK Probes");
  kiln_test_input_keys (GTK_WINDOW (dialog), "Return");
  dialog = wait_dialog ("The Rules Were Not Installed");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "nothing was changed"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "sudo udevadm control --reload"));
  close_all_dialogs ();

  /* No pkexec: the commands, and no Install button. */
  {
    g_autofree char *pkexec = g_build_filename (dir, "pkexec", NULL);

    g_assert_cmpint (g_unlink (pkexec), ==, 0);
  }
  press_usb_help (window);
  dialog = wait_dialog ("USB Access to ST-LINK Probes");
  g_assert_false (adw_message_dialog_has_response (dialog, "install"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "sudo cp 60-kiln-stlink.rules"));
  close_all_dialogs ();

  g_setenv ("PATH", old_path, TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KilnApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_application_new ();
  kiln_test_ui_register (G_APPLICATION (app));

  g_test_add_func ("/Kiln/UI/help/pages", test_pages);
  g_test_add_func ("/Kiln/UI/help/f1-main", test_f1_main);
  g_test_add_func ("/Kiln/UI/help/f1-station", test_f1_station);
  g_test_add_func ("/Kiln/UI/shortcuts", test_shortcuts);
  g_test_add_func ("/Kiln/UI/tab-reach", test_tab_reach);
  g_test_add_func ("/Kiln/UI/usb-install", test_usb_install);

  return g_test_run ();
}
