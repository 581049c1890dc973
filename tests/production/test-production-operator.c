/* test-production-operator.c — the production station as the operator meets
 * it, under Xvfb on the virtual bench, with real key presses and clicks: no
 * READY without a profile; a FAIL says what to do first (with its
 * pictogram), then why, and is confirmed (a key or a click on the slot)
 * before the next board, by hand, in gang and with auto-start; the counters;
 * operator mode from a signed profile, left only with the engineer's
 * password or a key file the station trusts (a password-protected one asks
 * for its password). Screenshots at 1024×600 and 1920×1080.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "kiln-production-operator.h"
#include "kiln-production-signature.h"
#include "kiln-production-window-private.h"
#include "kiln-test-input.h"
#include "kiln-test-ui.h"

#define FIRMWARE_SIZE (64 * 1024)
#define PASSWORD      "secret42"
#define PASSWORD_KEYS "s e c r e t 4 2"
#define KEY_PASSWORD  "sesame"
#define KEY_PASSWORD_KEYS "s e s a m e"

static char *tmp_dir;
static char *profile_path;           /* a signed profile */
static char *operator_profile_path;  /* the same, in operator mode */
static char *engineer_key_path;      /* trusted, no password */
static char *locked_key_path;        /* trusted, protected by KEY_PASSWORD */
static char *stranger_key_path;      /* a key the station does not trust */
static KilnMinisignSecretKey engineer_key;

static void
sign_as_is (const char *path)
{
  g_autofree char *text = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *sig_path = g_strconcat (path, ".minisig", NULL);
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  signature = kiln_minisign_sign (&engineer_key, (const guint8 *) text, length, "test");
  g_assert_true (g_file_set_contents (sig_path, signature, -1, NULL));
}

/* The first visible widget of @root (itself included) with @css_class. */
static GtkWidget *
find_class (GtkWidget  *root,
            const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class) && gtk_widget_get_visible (root))
    return root;
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found = find_class (w, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
label_of (GtkWidget  *root,
          const char *css_class)
{
  GtkWidget *w = find_class (root, css_class);

  g_assert_true (GTK_IS_LABEL (w));
  return gtk_label_get_label (GTK_LABEL (w));
}

/* The slot's visible pictogram: the image showing a kiln-action icon. */
static const char *
pictogram_of (GtkWidget *root)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      const char *found;

      if (!gtk_widget_get_visible (w))
        continue;
      if (GTK_IS_IMAGE (w) && g_str_has_prefix (gtk_image_get_icon_name (GTK_IMAGE (w)) ?: "", "kiln-action-"))
        return gtk_image_get_icon_name (GTK_IMAGE (w));
      if ((found = pictogram_of (w)) != NULL)
        return found;
    }
  return NULL;
}

/* Which of two CSS classes comes first (above) among the visible widgets. */
static const char *
first_of (GtkWidget  *root,
          const char *a,
          const char *b)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      const char *found;

      if (!gtk_widget_get_visible (w))
        continue;
      if (gtk_widget_has_css_class (w, a))
        return a;
      if (gtk_widget_has_css_class (w, b))
        return b;
      if ((found = first_of (w, a, b)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
window_ready (gpointer data)
{
  return kiln_production_window_is_ready (data);
}

static gboolean
slot_idle (gpointer data)
{
  return !kiln_production_slot_is_busy (data);
}

static gboolean
all_idle (gpointer data)
{
  for (guint i = 0; i < kiln_production_window_get_n_slots (data); i++)
    if (kiln_production_slot_is_busy (kiln_production_window_get_slot (data, i)))
      return FALSE;
  return TRUE;
}

static guint records_wanted;

/* Boards done (passed or failed), as counted by the station. */
static gboolean
records_reached (gpointer data)
{
  guint passed, failed;

  kiln_production_window_get_counts (data, &passed, &failed);
  return passed + failed >= records_wanted;
}

static gboolean
slot_passed (gpointer data)
{
  return kiln_production_slot_get_state (data) == KILN_PRODUCTION_SLOT_PASS;
}

static guint
n_records (KilnProductionWindow *window)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = kiln_production_record_list (kiln_production_window_get_record (window), &error);

  g_assert_no_error (error);
  return entries->len;
}

static KilnProductionWindow *
new_window (const char *bench_text,
            const char *db_name,
            int         width,
            int         height)
{
  g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);
  g_autofree char *db = g_build_filename (tmp_dir, db_name, NULL);
  KilnProductionWindow *window;

  g_assert_true (g_file_set_contents (sim, bench_text, -1, NULL));
  window = kiln_production_window_new (ADW_APPLICATION (g_application_get_default ()), TRUE, db);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (window_ready, window, 20000));
  kiln_test_spin (200);
  return window;
}

typedef struct
{
  GtkWidget *window;
  int        width;
  int        height;
} Size;

static gboolean
fits (gpointer data)
{
  const Size *size = data;

  return gtk_widget_get_width (size->window) <= size->width && gtk_widget_get_height (size->window) <= size->height;
}

/* The window at @width × @height, saved as @name. A slow machine may
 * still be laying out what the last state showed: the window gets the
 * time to settle (the checks below then say whether it fits). */
static void
resize_and_save (KilnProductionWindow *window,
                 int                   width,
                 int                   height,
                 const char           *name)
{
  Size size = { GTK_WIDGET (window), width, height };

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  kiln_test_spin (200);
  /* A window that grew while a state was being laid out keeps its size
   * (Xvfb has no window manager to hold it to the screen): the size is
   * asked for again, up to ten times. One that cannot shrink that far
   * still fails the checks below. */
  for (guint i = 0; i < 10 && !kiln_test_spin_until (fits, &size, 1000); i++)
    {
      gtk_window_set_default_size (GTK_WINDOW (window), width, height - 1);
      kiln_test_spin (100);
      gtk_window_set_default_size (GTK_WINDOW (window), width, height);
    }
  kiln_test_wait_drawn (GTK_WIDGET (window));
  kiln_test_save_screenshot (GTK_WIDGET (window), name);
  /* Everything fits: the window is no larger than asked for (its frame
   * takes a few pixels of it). */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, width);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >, width - 32);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, height);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), >, height - 32);
}

static void
destroy (KilnProductionWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);
}

/* No profile, no READY: the slot says what to do instead, and Space
 * starts nothing. */
static void
test_no_profile (void)
{
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nstate = %s/none\n", tmp_dir);
  KilnProductionWindow *window = new_window (text, "none.db", 1100, 760);
  KilnProductionSlot *slot = kiln_production_window_get_slot (window, 0);

  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_NOT_READY);
  g_assert_cmpstr (label_of (GTK_WIDGET (slot), "production-status"), ==, "NOT READY");
  g_assert_cmpstr (label_of (GTK_WIDGET (slot), "production-detail"), ==, "Open a signed production profile to start");
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  kiln_test_input_keys (GTK_WINDOW (window), "Return");
  g_assert_false (kiln_production_slot_is_busy (slot));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_NOT_READY);
  g_assert_cmpstr (label_of (GTK_WIDGET (slot), "production-status"), !=, "READY");
  destroy (window);
}

/* Board 1 is write-protected: FAIL with "set it aside" and its pictogram
 * above the cause. The next key press confirms it and starts nothing; the
 * one after starts board 2. */
static void
test_fail_ack (void)
{
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nsequence = 2\nstate = %s/ack\n"
                                           "[board.1]\nnwrp = 0xFE\n", tmp_dir);
  KilnProductionWindow *window = new_window (text, "ack.db", 1024, 600);
  KilnProductionSlot *slot = kiln_production_window_get_slot (window, 0);
  g_autoptr(GError) error = NULL;
  GtkWidget *done;

  g_assert_true (kiln_production_window_open_profile (window, profile_path, &error));
  g_assert_no_error (error);
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_true (kiln_test_spin_until (slot_idle, slot, 60000));
  kiln_test_spin (100);
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_FAIL);
  g_assert_true (kiln_production_slot_needs_ack (slot));
  g_assert_cmpint (kiln_production_slot_get_action (slot), ==, KILN_PRODUCTION_ACTION_SET_ASIDE);
  /* The action first, with its pictogram (one of ours, found in the theme),
   * the cause after it for the engineer. */
  g_assert_cmpstr (pictogram_of (GTK_WIDGET (slot)), ==, "kiln-action-set-aside-symbolic");
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                          "kiln-action-set-aside-symbolic"));
  g_assert_cmpstr (label_of (GTK_WIDGET (slot), "production-advice"), ==, "Set the board aside for an engineer.");
  g_assert_cmpstr (first_of (GTK_WIDGET (slot), "production-advice", "production-detail"), ==, "production-advice");
  g_assert_true (g_str_has_prefix (label_of (GTK_WIDGET (slot), "production-detail"), "Cause, for the engineer: "));
  /* Which key confirms it is on the screen. */
  done = find_class (GTK_WIDGET (slot), "production-ack");
  g_assert_nonnull (done);
  g_assert_true (gtk_widget_get_mapped (done));
  g_assert_nonnull (strstr (gtk_button_get_label (GTK_BUTTON (done)), "Space or Enter"));
  /* The counters, large. */
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-pass"), ==, "0");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-fail"), ==, "1");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-yield"), ==, "0 %");

  resize_and_save (window, 1024, 600, "operator-fail-1024x600.png");
  resize_and_save (window, 1920, 1080, "operator-fail-1920x1080.png");

  /* Space confirms: nothing starts, nothing is recorded. */
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_false (kiln_production_slot_needs_ack (slot));
  g_assert_false (kiln_production_slot_is_busy (slot));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_READY);
  g_assert_false (gtk_widget_get_visible (done));
  g_assert_cmpuint (n_records (window), ==, 1);

  /* The next Space programs board 2 (the bench swapped it meanwhile). */
  kiln_test_spin (1000);
  kiln_test_input_keys (GTK_WINDOW (window), "Return");
  g_assert_true (kiln_test_spin_until (slot_passed, slot, 60000));
  kiln_test_spin (100);
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_PASS);
  g_assert_cmpuint (n_records (window), ==, 2);
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-pass"), ==, "1");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-yield"), ==, "50 %");
  destroy (window);
}

/* Two slots, both boards protected, auto-start on (switched by a click):
 * a FAIL keeps its slot from waiting for the next board until it is
 * confirmed, by a click on its Done for one and by Space for the other. */
static void
test_gang_ack (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  KilnProductionWindow *window;
  KilnProductionSlot *slots[2];
  g_autoptr(GError) error = NULL;
  GtkWidget *auto_switch;

  for (guint i = 1; i <= 2; i++)
    g_string_append_printf (text, "[probe %u]\nmodel = stlink-v3\n[board %u]\nsequence = 2\nstate = %s/gang%u\n"
                                  "[board %u.1]\nnwrp = 0xFE\n", i, i, tmp_dir, i, i);
  window = new_window (text->str, "gang.db", 1400, 760);
  g_assert_cmpuint (kiln_production_window_get_n_slots (window), ==, 2);
  for (guint i = 0; i < 2; i++)
    slots[i] = kiln_production_window_get_slot (window, i);
  g_assert_true (kiln_production_window_open_profile (window, profile_path, &error));
  g_assert_no_error (error);
  auto_switch = kiln_test_find_type (GTK_WIDGET (window), GTK_TYPE_SWITCH);
  kiln_test_input_click (auto_switch);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (auto_switch)));

  /* Each slot starts its board by itself; both fail. */
  records_wanted = 2;
  g_assert_true (kiln_test_spin_until (records_reached, window, 60000));
  g_assert_true (kiln_test_spin_until (all_idle, window, 60000));
  kiln_test_spin (100);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (kiln_production_slot_get_state (slots[i]), ==, KILN_PRODUCTION_SLOT_FAIL);
      g_assert_true (kiln_production_slot_needs_ack (slots[i]));
    }
  /* Unconfirmed, neither waits for its next board, whatever the bench does. */
  kiln_test_spin (1500);
  g_assert_true (all_idle (window));
  g_assert_cmpuint (n_records (window), ==, 2);

  /* A click on slot 1's Done: slot 1 goes on (waits for its next board and
   * programs it), slot 2 still shows its FAIL. */
  kiln_test_input_click (find_class (GTK_WIDGET (slots[0]), "production-ack"));
  g_assert_false (kiln_production_slot_needs_ack (slots[0]));
  g_assert_true (kiln_production_slot_needs_ack (slots[1]));
  g_assert_cmpint (kiln_production_slot_get_state (slots[1]), ==, KILN_PRODUCTION_SLOT_FAIL);
  records_wanted = 3;
  g_assert_true (kiln_test_spin_until (records_reached, window, 60000));
  g_assert_true (kiln_test_spin_until (slot_passed, slots[0], 60000));
  g_assert_false (kiln_production_slot_is_busy (slots[1]));
  g_assert_cmpint (kiln_production_slot_get_state (slots[1]), ==, KILN_PRODUCTION_SLOT_FAIL);

  /* Space confirms slot 2, which then goes on by itself. */
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_false (kiln_production_slot_needs_ack (slots[1]));
  records_wanted = 4;
  g_assert_true (kiln_test_spin_until (records_reached, window, 60000));
  g_assert_true (kiln_test_spin_until (slot_passed, slots[1], 60000));
  kiln_production_window_set_auto_start (window, FALSE);
  g_assert_true (kiln_test_spin_until (all_idle, window, 60000));
  g_assert_cmpuint (n_records (window), ==, 4);
  destroy (window);
}

static guint
n_toplevels (void)
{
  return g_list_model_get_n_items (gtk_window_get_toplevels ());
}

/* The message dialog on screen whose body holds @text, or NULL. */
static GtkWindow *
find_dialog (const char *text)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w))
          && strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (w)), text) != NULL)
        return w;
    }
  return NULL;
}

static const char *dialog_wanted;

static gboolean
dialog_there (gpointer data)
{
  return find_dialog (dialog_wanted) != NULL;
}

static gboolean
no_dialog (gpointer data)
{
  return find_dialog ("") == NULL;
}

static gboolean
operator_mode_left (gpointer data)
{
  return !kiln_production_window_get_operator_mode (data);
}

/* Operator mode from the signed profile: other profiles, auto-start, the
 * record's export and the settings are gone; Space still programs; the
 * wrong password leaves it on, the engineer's turns it off. */
static void
test_operator_mode (void)
{
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nsequence = 2\nstate = %s/operator\n", tmp_dir);
  KilnProductionWindow *window = new_window (text, "operator.db", 1024, 600);
  KilnProductionSlot *slot = kiln_production_window_get_slot (window, 0);
  GAction *preferences = g_action_map_lookup_action (G_ACTION_MAP (g_application_get_default ()), "preferences");
  GtkWidget *open_button = kiln_test_find_actionable (GTK_WIDGET (window), "win.open-profile");
  GtkWidget *leave_button = kiln_test_find_actionable (GTK_WIDGET (window), "win.leave-operator-mode");
  GtkWidget *auto_switch = kiln_test_find_type (GTK_WIDGET (window), GTK_TYPE_SWITCH);
  GtkWindow *dialog;
  g_autoptr(GError) error = NULL;
  guint toplevels;
  /* Another of the application's windows (as the main window would be). */
  GtkWidget *other = gtk_application_window_new (GTK_APPLICATION (g_application_get_default ()));

  gtk_window_present (GTK_WINDOW (other));

  g_assert_true (gtk_widget_get_mapped (open_button));
  g_assert_false (gtk_widget_get_mapped (leave_button));
  g_assert_true (kiln_production_window_open_profile (window, operator_profile_path, &error));
  g_assert_no_error (error);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (kiln_production_window_get_operator_mode (window));
  g_assert_false (gtk_widget_get_mapped (open_button));
  g_assert_false (gtk_widget_get_mapped (auto_switch));
  g_assert_null (kiln_test_find_actionable (GTK_WIDGET (window), "win.export") != NULL
                   && gtk_widget_get_mapped (kiln_test_find_actionable (GTK_WIDGET (window), "win.export")) ? "export" : NULL);
  g_assert_false (g_action_get_enabled (preferences));
  g_assert_false (gtk_widget_get_visible (other));
  g_assert_true (gtk_widget_get_mapped (leave_button));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_READY);
  g_assert_cmpstr (label_of (GTK_WIDGET (slot), "production-status"), ==, "READY");

  resize_and_save (window, 1024, 600, "operator-mode-ready-1024x600.png");
  resize_and_save (window, 1920, 1080, "operator-mode-ready-1920x1080.png");

  /* Ctrl+O opens no file chooser; closing the window asks for the password. */
  toplevels = n_toplevels ();
  kiln_test_input_keys (GTK_WINDOW (window), "ctrl+o");
  kiln_test_spin (300);
  g_assert_cmpuint (n_toplevels (), ==, toplevels);

  /* Space still programs the board. */
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_true (kiln_test_spin_until (slot_idle, slot, 60000));
  kiln_test_spin (100);
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_PASS);

  /* The window's close button asks for the password too; Escape gives up
   * and the station stays, in operator mode. */
  kiln_test_input_click (find_class (GTK_WIDGET (window), "close"));
  dialog_wanted = "Enter the engineer's password";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 10000));
  kiln_test_input_keys (find_dialog (dialog_wanted), "Escape");
  g_assert_true (kiln_test_spin_until (no_dialog, NULL, 10000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (kiln_production_window_get_operator_mode (window));

  /* A wrong password: said so, and operator mode stays. */
  kiln_test_input_click (leave_button);
  dialog_wanted = "Enter the engineer's password";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 10000));
  dialog = find_dialog (dialog_wanted);
  kiln_test_input_keys (dialog, "w r o n g Return");
  dialog_wanted = "Wrong password";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 60000));
  g_assert_true (kiln_production_window_get_operator_mode (window));
  g_assert_false (gtk_widget_get_mapped (open_button));

  /* The engineer's password leaves it: everything is back. */
  kiln_test_input_keys (find_dialog (dialog_wanted), PASSWORD_KEYS " Return");
  g_assert_true (kiln_test_spin_until (operator_mode_left, window, 60000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (open_button));
  g_assert_true (gtk_widget_get_mapped (auto_switch));
  g_assert_false (gtk_widget_get_mapped (leave_button));
  g_assert_true (g_action_get_enabled (preferences));
  g_assert_true (gtk_widget_get_visible (other));
  gtk_window_destroy (GTK_WINDOW (other));
  destroy (window);
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
no_chooser (gpointer data)
{
  return kiln_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) == NULL;
}

/* In the Leave dialog on screen (whose body holds @body): Use Key File…,
 * then @path typed into the file chooser's location. */
static void
leave_with_key_file (const char *body,
                     const char *path)
{
  GtkWindow *dialog = find_dialog (body);
  GtkWidget *button;
  GtkWindow *chooser;

  g_assert_nonnull (dialog);
  button = kiln_test_find_widget (GTK_WIDGET (dialog), is_button_labelled, "Use _Key File…");
  g_assert_nonnull (button);
  kiln_test_wait_drawn (button);
  kiln_test_input_click (button);
  chooser = kiln_test_wait_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, 20000);
  kiln_test_input_keys (chooser, "ctrl+l");
  kiln_test_spin (300);
  kiln_test_input_type (chooser, path);
  kiln_test_spin (300);
  kiln_test_input_keys (chooser, "Return");
}

/* Operator mode left with the engineer's key file instead of the password:
 * a key the station does not trust is refused, and a protected key's wrong
 * password too, each saying why, and operator mode stays; the trusted key
 * (with its password, or one without) leaves it. */
static void
test_operator_key (void)
{
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nstate = %s/operator-key\n", tmp_dir);
  KilnProductionWindow *window = new_window (text, "operator-key.db", 1024, 600);
  GtkWidget *open_button = kiln_test_find_actionable (GTK_WIDGET (window), "win.open-profile");
  GtkWidget *leave_button = kiln_test_find_actionable (GTK_WIDGET (window), "win.leave-operator-mode");
  g_autoptr(GError) error = NULL;

  g_assert_true (kiln_production_window_open_profile (window, operator_profile_path, &error));
  g_assert_no_error (error);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (kiln_production_window_get_operator_mode (window));

  /* A key the station does not trust. */
  kiln_test_input_click (leave_button);
  dialog_wanted = "use the engineer's key file";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 10000));
  kiln_test_save_screenshot (GTK_WIDGET (find_dialog (dialog_wanted)), "operator-leave-dialog.png");
  leave_with_key_file (dialog_wanted, stranger_key_path);
  dialog_wanted = "is not one this station trusts";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 60000));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (find_dialog (dialog_wanted))),
                            "The station stays in operator mode."));
  g_assert_true (kiln_production_window_get_operator_mode (window));
  g_assert_false (gtk_widget_get_mapped (open_button));

  /* The trusted key protected by a password: the wrong one is refused. */
  leave_with_key_file (dialog_wanted, locked_key_path);
  dialog_wanted = "is protected by a password";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 20000));
  kiln_test_input_keys (find_dialog (dialog_wanted), "w r o n g Return");
  dialog_wanted = "is not the right one";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 60000));
  g_assert_true (kiln_production_window_get_operator_mode (window));
  g_assert_false (gtk_widget_get_mapped (open_button));

  /* Its right password leaves operator mode. */
  leave_with_key_file (dialog_wanted, locked_key_path);
  dialog_wanted = "is protected by a password";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 20000));
  kiln_test_input_keys (find_dialog (dialog_wanted), KEY_PASSWORD_KEYS " Return");
  g_assert_true (kiln_test_spin_until (operator_mode_left, window, 60000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (open_button));
  g_assert_false (gtk_widget_get_mapped (leave_button));
  g_assert_true (kiln_test_spin_until (no_dialog, NULL, 10000));

  /* Back in operator mode: a trusted key without a password leaves at once. */
  g_assert_true (kiln_production_window_open_profile (window, operator_profile_path, &error));
  g_assert_no_error (error);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (kiln_production_window_get_operator_mode (window));
  kiln_test_input_click (leave_button);
  dialog_wanted = "use the engineer's key file";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 10000));
  leave_with_key_file (dialog_wanted, engineer_key_path);
  g_assert_true (kiln_test_spin_until (operator_mode_left, window, 60000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (open_button));

  /* The station closed (by the session) while the key is being chosen:
   * the chooser goes with it. */
  g_assert_true (kiln_production_window_open_profile (window, operator_profile_path, &error));
  g_assert_no_error (error);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  kiln_test_input_click (leave_button);
  dialog_wanted = "use the engineer's key file";
  g_assert_true (kiln_test_spin_until (dialog_there, NULL, 10000));
  kiln_test_input_click (kiln_test_find_widget (GTK_WIDGET (find_dialog (dialog_wanted)), is_button_labelled,
                                                "Use _Key File…"));
  kiln_test_wait_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, 20000);
  destroy (window);
  g_assert_true (kiln_test_spin_until (no_chooser, NULL, 10000));
}

static char *
write_profile (const char *name,
               const char *firmware_path,
               gboolean    operator_mode)
{
  g_autoptr(KilnProductionProfile) profile = kiln_production_profile_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (kiln_production_profile_set_name (profile, "Widget rev B", &error));
  g_assert_true (kiln_production_profile_set_firmware (profile, firmware_path, TRUE, 0x08000000, &error));
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F746NG", &error));
  if (operator_mode)
    {
      hash = kiln_operator_hash_password (PASSWORD, &error);
      g_assert_no_error (error);
      g_assert_true (kiln_production_profile_set_operator (profile, TRUE, hash, &error));
    }
  g_assert_true (kiln_production_profile_save (profile, path, &error));
  g_assert_no_error (error);
  sign_as_is (path);
  return path;
}

static void
noop_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       data)
{
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  static const GActionEntry app_actions[] = { { "preferences", noop_action } };
  g_autofree char *firmware_path = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  {
    g_autofree char *config = g_build_filename (g_get_tmp_dir (), "kiln-production-operator-config-XXXXXX", NULL);

    g_assert_nonnull (g_mkdtemp (config));
    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  }
  tmp_dir = g_dir_make_tmp ("kiln-production-operator-XXXXXX", NULL);
  /* The bench every window here opens, set before GTK starts its threads
   * (setenv() is not safe once they run; each test rewrites the file). */
  {
    g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);

    g_setenv ("KILN_SIM", sim, TRUE);
  }
  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.OperatorTest");
  /* The application's settings, which operator mode takes away. */
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);

  {
    g_autofree char *keys = g_build_filename (g_get_user_config_dir (), "kiln", "trusted-keys", NULL);
    g_autofree char *pub_path = g_build_filename (keys, "engineer.pub", NULL);
    g_autofree char *key_path = g_build_filename (tmp_dir, "engineer.key", NULL);
    g_autofree char *pub = NULL, *sec = NULL;
    g_autofree guint8 *data = g_malloc (FIRMWARE_SIZE);
    GRand *rand = g_rand_new_with_seed (11);

    g_assert_cmpint (g_mkdir_with_parents (keys, 0700), ==, 0);
    kiln_minisign_generate (&pub, &sec);
    g_assert_true (g_file_set_contents (pub_path, pub, -1, NULL));
    g_assert_true (g_file_set_contents (key_path, sec, -1, NULL));
    g_assert_true (kiln_minisign_secret_key_load (key_path, &engineer_key, NULL));
    engineer_key_path = g_strdup (key_path);
    /* A second trusted key, protected by a password, and one not trusted. */
    g_clear_pointer (&pub, g_free);
    g_clear_pointer (&sec, g_free);
    kiln_minisign_generate_with_password (KEY_PASSWORD, &pub, &sec);
    g_free (pub_path);
    pub_path = g_build_filename (keys, "engineer-2.pub", NULL);
    locked_key_path = g_build_filename (tmp_dir, "locked.key", NULL);
    g_assert_true (g_file_set_contents (pub_path, pub, -1, NULL));
    g_assert_true (g_file_set_contents (locked_key_path, sec, -1, NULL));
    g_clear_pointer (&pub, g_free);
    g_clear_pointer (&sec, g_free);
    kiln_minisign_generate (&pub, &sec);
    stranger_key_path = g_build_filename (tmp_dir, "stranger.key", NULL);
    g_assert_true (g_file_set_contents (stranger_key_path, sec, -1, NULL));
    for (guint i = 0; i < FIRMWARE_SIZE; i++)
      data[i] = (guint8) g_rand_int (rand);
    g_rand_free (rand);
    firmware_path = g_build_filename (tmp_dir, "widget.bin", NULL);
    g_assert_true (g_file_set_contents (firmware_path, (char *) data, FIRMWARE_SIZE, NULL));
  }
  profile_path = write_profile ("widget.kiln-profile", firmware_path, FALSE);
  operator_profile_path = write_profile ("widget-operator.kiln-profile", firmware_path, TRUE);

  g_test_add_func ("/Kiln/Production/operator/no-profile", test_no_profile);
  g_test_add_func ("/Kiln/Production/operator/fail-ack", test_fail_ack);
  g_test_add_func ("/Kiln/Production/operator/gang-ack", test_gang_ack);
  g_test_add_func ("/Kiln/Production/operator/operator-mode", test_operator_mode);
  g_test_add_func ("/Kiln/Production/operator/operator-key", test_operator_key);
  status = g_test_run ();
  g_free (tmp_dir);
  g_free (profile_path);
  g_free (operator_profile_path);
  g_free (engineer_key_path);
  g_free (locked_key_path);
  g_free (stranger_key_path);
  return status;
}
