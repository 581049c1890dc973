/* test-profile-editor.c — the profile editor under Xvfb, driven with real
 * key presses and clicks: a new profile from the production window's menu,
 * a refused value shown next to its field, Check, Save (the file's text), a
 * key pair made in the editor with a password, Sign (checked by the core and
 * by minisign itself when installed), an edit marking it unsigned, and Try
 * on One Board on the bench (the board's flash.bin, and nothing in the
 * station's record)
 *
 * With KILN_SCREENSHOT_DIR set, the editor is saved there as PNGs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kiln-production-signature.h"
#include "kiln-production-window-private.h"
#include "kiln-profile-editor-private.h"
#include "kiln-test-input.h"
#include "kiln-test-ui.h"

#define FIRMWARE_SIZE (64 * 1024)

static char *tmp_dir;

/* The window's menu: the first menu button under @root that has a menu
 * model (the person button beside it has a popover of its own). */
static gboolean
has_menu_model (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)) != NULL;
}

static GtkWidget *
find_menu_button (GtkWidget *root)
{
  return kiln_test_find_widget (root, has_menu_model, NULL);
}

/* The label of @root that reads @text (a menu's item, say). */
static gboolean
is_label_reading (GtkWidget     *widget,
                  gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  return kiln_test_find_widget (root, is_label_reading, text);
}

/* The button of @root whose label is @label (mnemonics as written; in the
 * language the test runs in). */
static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), _(label)) == 0;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  return kiln_test_find_widget (root, is_button_labelled, label);
}

static gboolean
has_tooltip (GtkWidget     *widget,
             gconstpointer  text)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), _(text)) == 0;
}

static KilnProfileEditor *current_editor;

/* The firmware row holds @data. */
static gboolean
row_holds (gpointer data)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (current_editor->firmware_row)), data) == 0;
}

/* Brings @widget into view in its scrolled page (as a person scrolls to
 * it), then clicks it. */
static void
click (GtkWidget *widget)
{
  gtk_widget_grab_focus (widget);
  kiln_test_spin (150);
  kiln_test_wait_drawn (widget);
  kiln_test_input_click (widget);
}

/* The key names xdotool types @text with. */
static char *
keys_for (const char *text)
{
  g_autoptr(GString) keys = g_string_new (NULL);
  static const struct { char c; const char *name; } names[] = {
    { '/', "slash" }, { '.', "period" }, { '-', "minus" }, { '_', "underscore" }, { ' ', "space" },
    { '%', "percent" }, { ',', "comma" }, { '=', "equal" }, { ':', "colon" },
  };

  for (const char *p = text; *p; p++)
    {
      const char *name = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        if (names[i].c == *p)
          name = names[i].name;
      if (keys->len > 0)
        g_string_append_c (keys, ' ');
      if (name != NULL)
        g_string_append (keys, name);
      else
        {
          g_assert_true (g_ascii_isalnum (*p));
          g_string_append_c (keys, *p);
        }
    }
  return g_string_free (g_steal_pointer (&keys), FALSE);
}

/* Replaces what @row holds by typing @text into it. */
static void
type_into (GtkWidget  *row,
           const char *text)
{
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (row));
  g_autofree char *keys = keys_for (text);

  click (row);
  kiln_test_input_keys (window, "ctrl+a BackSpace");
  if (*text != '\0')
    kiln_test_input_keys (window, keys);
}

static const char *
field_error_of (KilnProfileEditor *editor,
                AdwEntryRow       *row)
{
  GtkWidget *label = g_hash_table_lookup (editor->errors, row);

  return gtk_widget_get_visible (gtk_widget_get_parent (label)) ? gtk_label_get_label (GTK_LABEL (label)) : NULL;
}

static gboolean
editor_saved (gpointer editor)
{
  return kiln_profile_editor_get_path (editor) != NULL;
}

static gboolean
editor_signed (gpointer editor)
{
  return kiln_profile_editor_get_signer (editor) != NULL;
}

static gboolean
secret_chosen (gpointer editor)
{
  return *gtk_editable_get_text (GTK_EDITABLE (((KilnProfileEditor *) editor)->secret_row)) != '\0';
}

static gboolean
trial_done (gpointer editor)
{
  KilnProfileEditorTry state = kiln_profile_editor_get_try (editor);

  return state == KILN_PROFILE_EDITOR_TRY_PASS || state == KILN_PROFILE_EDITOR_TRY_FAIL;
}

static gboolean
window_ready (gpointer data)
{
  return kiln_production_window_is_ready (data);
}

static gboolean
file_there (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static int
run_minisign (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  return g_subprocess_get_exit_status (process);
}

/* The profile opened again (as Edit Profile… does), at @width × @height:
 * signed by @signer as saved. */
static void
screenshot_at (const char *path,
               const char *signer,
               int         width,
               int         height,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  KilnProfileEditor *editor = kiln_profile_editor_new (NULL, path, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (kiln_profile_editor_get_signer (editor), ==, signer);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor->firmware_row)), ==, "widget.bin");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor->start_row)), ==, "41");
  gtk_window_set_default_size (GTK_WINDOW (editor), width, height);
  gtk_window_present (GTK_WINDOW (editor));
  kiln_test_wait_drawn (GTK_WIDGET (editor));
  kiln_test_spin (300);
  kiln_test_save_screenshot (GTK_WIDGET (editor), name);
  gtk_window_destroy (GTK_WINDOW (editor));
  kiln_test_spin (100);
}

static void
test_create_sign_try (void)
{
  g_autofree char *firmware = g_build_filename (tmp_dir, "widget.bin", NULL);
  g_autofree char *board_dir = g_build_filename (tmp_dir, "board", NULL);
  g_autofree char *flash_path = g_build_filename (board_dir, "flash.bin", NULL);
  g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);
  g_autofree char *bench = g_strdup_printf ("[probe]\n[board]\nstate = %s\n", board_dir);
  g_autofree char *db = g_build_filename (tmp_dir, "station.db", NULL);
  g_autofree char *key_path = g_build_filename (tmp_dir, "engineer.key", NULL);
  g_autofree char *pub_path = g_build_filename (tmp_dir, "engineer.pub", NULL);
  g_autofree guint8 *data = g_malloc (FIRMWARE_SIZE);
  g_autofree char *sha = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pub = NULL;
  g_autofree char *flash = NULL;
  g_autofree char *profile_path = NULL;
  g_autofree char *expected_title = NULL;
  g_autofree char *minisign = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) trusted = g_array_new (FALSE, FALSE, sizeof (KilnMinisignPublicKey));
  g_autoptr(KilnProductionProfile) signed_profile = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  KilnMinisignPublicKey key;
  KilnProductionWindow *window;
  KilnProfileEditor *editor;
  GtkWidget *menu_button, *item;
  GtkWindow *dialog;
  gsize flash_len = 0;
  GRand *rand = g_rand_new_with_seed (11);

  for (guint i = 0; i < FIRMWARE_SIZE; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  g_assert_true (g_file_set_contents (firmware, (char *) data, FIRMWARE_SIZE, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, FIRMWARE_SIZE);

  g_assert_true (g_file_set_contents (sim, bench, -1, NULL));
  window = kiln_production_window_new (ADW_APPLICATION (g_application_get_default ()), TRUE, db);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (window_ready, window, 20000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpuint (kiln_production_window_get_n_slots (window), ==, 1);

  /* New Profile… from the production window's menu. */
  menu_button = find_menu_button (GTK_WIDGET (window));
  g_assert_nonnull (menu_button);
  kiln_test_input_click (menu_button);
  kiln_test_wait_drawn (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button))));
  {
    /* The menu's words as shown (in the language the test runs in). */
    g_autoptr(GString) words = g_string_new (_("_New Profile…"));

    g_string_replace (words, "_", "", 0);
    item = find_label (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button))), words->str);
  }
  g_assert_nonnull (item);
  kiln_test_input_click (item);
  editor = KILN_PROFILE_EDITOR (kiln_test_wait_toplevel (KILN_TYPE_PROFILE_EDITOR, 20000));
  current_editor = editor;
  g_assert_null (kiln_profile_editor_get_path (editor));
  g_assert_true (gtk_widget_get_sensitive (editor->try_button));

  type_into (GTK_WIDGET (editor->name_row), "Widget rev C");
  /* The firmware through its Choose button and the file chooser. */
  {
    GtkWidget *choose = kiln_test_find_widget (GTK_WIDGET (editor->firmware_row), has_tooltip,
                                               "Choose the firmware file");
    GtkWindow *chooser;

    g_assert_nonnull (choose);
    click (choose);
    chooser = kiln_test_wait_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, 20000);
    kiln_test_input_keys (chooser, "ctrl+l");
    kiln_test_spin (300);
    kiln_test_input_type (chooser, firmware);
    kiln_test_spin (300);
    kiln_test_input_keys (chooser, "Return");
    g_assert_true (kiln_test_spin_until (row_holds, (gpointer) firmware, 20000));
  }
  /* A raw binary needs its load address: said under the field. */
  g_assert_nonnull (field_error_of (editor, editor->firmware_row));
  type_into (GTK_WIDGET (editor->base_row), "0x08000000");
  g_assert_null (field_error_of (editor, editor->firmware_row));
  g_assert_cmpstr (adw_action_row_get_subtitle (editor->sha_row), ==, sha);

  /* An unknown chip and a malformed sector list are refused as typed,
   * with the core's words, next to their fields. */
  type_into (GTK_WIDGET (editor->chip_row), "STM32F746XY");
  g_assert_nonnull (strstr (field_error_of (editor, editor->chip_row), "is not one Kiln knows"));
  type_into (GTK_WIDGET (editor->wrp_row), "0,x");
  g_assert_nonnull (strstr (field_error_of (editor, editor->wrp_row), "wrp = 0,x"));
  kiln_test_save_screenshot (GTK_WIDGET (editor), "profile-editor-invalid.png");
  click (find_button (GTK_WIDGET (editor), "_Check"));
  g_assert_nonnull (strstr (gtk_label_get_label (editor->check_label), "A field is not right yet"));
  type_into (GTK_WIDGET (editor->chip_row), "STM32F746NG");
  g_assert_null (field_error_of (editor, editor->chip_row));
  type_into (GTK_WIDGET (editor->wrp_row), "none");
  g_assert_null (field_error_of (editor, editor->wrp_row));

  /* Operator mode without the engineer's password hash is refused. */
  click (GTK_WIDGET (editor->operator_switch));
  g_assert_true (gtk_switch_get_active (editor->operator_switch));
  g_assert_nonnull (field_error_of (editor, editor->engineer_row));
  click (GTK_WIDGET (editor->operator_switch));
  g_assert_false (gtk_switch_get_active (editor->operator_switch));
  g_assert_null (field_error_of (editor, editor->engineer_row));

  /* Serial numbers from a counter: the source chosen with the keyboard. */
  click (GTK_WIDGET (editor->source_row));
  kiln_test_spin (300);
  kiln_test_input_keys (GTK_WINDOW (editor), "Down Return");
  kiln_test_spin (300);
  g_assert_cmpuint (adw_combo_row_get_selected (editor->source_row), ==, 1);
  type_into (GTK_WIDGET (editor->address_row), "0x080C0000");
  type_into (GTK_WIDGET (editor->format_row), "SN-%u");
  g_assert_null (field_error_of (editor, editor->format_row));
  type_into (GTK_WIDGET (editor->format_row), "SN-%s");
  g_assert_nonnull (strstr (field_error_of (editor, editor->format_row), "exactly one number conversion"));
  type_into (GTK_WIDGET (editor->format_row), "SN-%06u");
  g_assert_null (field_error_of (editor, editor->format_row));
  type_into (GTK_WIDGET (editor->start_row), "41");

  click (find_button (GTK_WIDGET (editor), "_Check"));
  g_assert_nonnull (strstr (gtk_label_get_label (editor->check_label), "The profile is complete"));

  /* Save: the chooser suggests the product's name beside the firmware. */
  kiln_test_input_keys (GTK_WINDOW (editor), "ctrl+s");
  dialog = kiln_test_wait_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, 20000);
  kiln_test_input_keys (dialog, "Return");
  g_assert_true (kiln_test_spin_until (editor_saved, editor, 20000));
  profile_path = g_build_filename (tmp_dir, "Widget rev C.kiln-profile", NULL);
  g_assert_cmpstr (kiln_profile_editor_get_path (editor), ==, profile_path);
  g_assert_true (g_file_get_contents (profile_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "[profile]\n"));
  g_assert_nonnull (strstr (text, "name=Widget rev C\n"));
  g_assert_nonnull (strstr (text, "firmware=widget.bin\n"));
  g_assert_nonnull (strstr (text, sha));
  g_assert_nonnull (strstr (text, "base=0x08000000\n"));
  g_assert_nonnull (strstr (text, "chip=STM32F746NG\n"));
  g_assert_nonnull (strstr (text, "wrp=none\n"));
  g_assert_nonnull (strstr (text, "[serial]\n"));
  g_assert_nonnull (strstr (text, "source=counter\n"));
  g_assert_nonnull (strstr (text, "address=0x080C0000\n"));
  g_assert_nonnull (strstr (text, "format=SN-%06u\n"));
  g_assert_nonnull (strstr (text, "start=41\n"));
  /* What each key means stays in the file. */
  g_assert_nonnull (strstr (text, "# What the line calls this product"));
  g_assert_nonnull (strstr (text, "# A counter's first number"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (editor->signature_row)), ==, "Not signed");

  /* A key pair from the editor, protected by a password. */
  click (find_button (GTK_WIDGET (editor), "_Generate Key Pair…"));
  dialog = kiln_test_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, 20000);
  {
    GtkWidget *box = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
    GtkWidget *path_row = gtk_widget_get_first_child (box);
    GtkWidget *password_row = gtk_widget_get_next_sibling (path_row);
    GtkWidget *again_row = gtk_widget_get_next_sibling (password_row);

    type_into (path_row, key_path);
    type_into (password_row, "sesame");
    type_into (again_row, "sesame");
    kiln_test_input_click (find_button (GTK_WIDGET (dialog), "_Generate"));
  }
  g_assert_true (kiln_test_spin_until (secret_chosen, editor, 60000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor->secret_row)), ==, key_path);
  g_assert_true (g_file_test (pub_path, G_FILE_TEST_EXISTS));
  dialog = kiln_test_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, 20000);
  kiln_test_input_click (find_button (GTK_WIDGET (dialog), "_Close"));
  kiln_test_spin (200);

  /* Sign: the password is asked for, the key id shown. */
  click (editor->sign_button);
  dialog = kiln_test_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, 20000);
  kiln_test_input_keys (dialog, "s e s a m e Return");
  g_assert_true (kiln_test_spin_until (editor_signed, editor, 60000));
  g_assert_true (g_file_get_contents (pub_path, &pub, NULL, NULL));
  g_assert_true (kiln_minisign_public_key_parse (pub, &key, &error));
  {
    g_autofree char *id = kiln_minisign_key_id_to_string (key.id);

    g_assert_cmpstr (kiln_profile_editor_get_signer (editor), ==, id);
    expected_title = g_strdup_printf ("Signed by %s", id);
  }
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (editor->signature_row)), ==, expected_title);
  kiln_test_save_screenshot (GTK_WIDGET (editor), "profile-editor-signed.png");

  /* The core and minisign take the signature. */
  g_array_append_val (trusted, key);
  signed_profile = kiln_production_profile_load_signed (profile_path, trusted, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiln_production_profile_get_name (signed_profile), ==, "Widget rev C");
  if ((minisign = g_find_program_in_path ("minisign")) != NULL)
    {
      const char *argv[] = { "minisign", "-V", "-q", "-p", pub_path, "-m", profile_path, NULL };

      g_assert_cmpint (run_minisign (argv), ==, 0);
    }
  else
    g_test_message ("minisign is not installed: the signature was checked by Kiln alone");

  /* Any edit: not signed until signed again. */
  type_into (GTK_WIDGET (editor->series_row), "widget");
  g_assert_null (kiln_profile_editor_get_signer (editor));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (editor->signature_row)), ==,
                   "Not signed: edited since it was signed");

  /* Try on One Board: the bench's board gets the firmware and the series'
   * first number; the station's record gets nothing. */
  click (editor->try_button);
  g_assert_true (kiln_test_spin_until (trial_done, editor, 120000));
  g_test_message ("trial: %s", gtk_label_get_label (editor->try_label));
  g_assert_cmpint (kiln_profile_editor_get_try (editor), ==, KILN_PROFILE_EDITOR_TRY_PASS);
  g_assert_nonnull (strstr (gtk_label_get_label (editor->try_label), "SN-000041"));
  kiln_test_save_screenshot (GTK_WIDGET (editor), "profile-editor-trial.png");
  if (kiln_production_window_get_record (window) != NULL)
    {
      entries = kiln_production_record_list (kiln_production_window_get_record (window), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (entries->len, ==, 0);
    }

  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (file_there, flash_path, 30000));
  kiln_test_spin (200);
  g_assert_true (g_file_get_contents (flash_path, &flash, &flash_len, NULL));
  g_assert_cmpuint (flash_len, >=, 0xC0000 + 16);
  g_assert_cmpmem (flash, FIRMWARE_SIZE, data, FIRMWARE_SIZE);
  g_assert_cmpmem (flash + 0xC0000, 10, "SN-000041", 10);

  /* The editor as an engineer sees it, on a small and a large screen. */
  {
    g_autofree char *id = kiln_minisign_key_id_to_string (key.id);

    screenshot_at (profile_path, id, 1024, 600, "profile-editor-1024x600.png");
    screenshot_at (profile_path, id, 1920, 1080, "profile-editor-1920x1080.png");
  }
}

/* A key whose release comes late (a loaded machine) types it once: the X
 * server's autorepeat is off for the tests (kiln_test_ui_init), or a
 * typed name could come out as "Widget rev CC". */
static void
test_held_key (void)
{
  g_autoptr(GError) error = NULL;
  KilnProfileEditor *editor = kiln_profile_editor_new (NULL, NULL, &error);

  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (editor));
  kiln_test_wait_drawn (GTK_WIDGET (editor));
  click (GTK_WIDGET (editor->name_row));
  kiln_test_input_hold_key (GTK_WINDOW (editor), "a", 1500);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor->name_row)), ==, "a");
  gtk_window_destroy (GTK_WINDOW (editor));
  kiln_test_spin (100);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  {
    g_autofree char *config = g_build_filename (g_get_tmp_dir (), "kiln-profile-editor-config-XXXXXX", NULL);

    g_assert_nonnull (g_mkdtemp (config));
    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  }
  tmp_dir = g_dir_make_tmp ("kiln-profile-editor-XXXXXX", NULL);
  /* The bench every window here opens, set before GTK starts its threads
   * (setenv() is not safe once they run; each test rewrites the file). */
  {
    g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);

    g_setenv ("KILN_SIM", sim, TRUE);
  }
  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.ProfileEditorTest");

  g_test_add_func ("/Kiln/Production/profile-editor/held-key", test_held_key);
  g_test_add_func ("/Kiln/Production/profile-editor/create-sign-try", test_create_sign_try);
  status = g_test_run ();
  g_free (tmp_dir);
  return status;
}
