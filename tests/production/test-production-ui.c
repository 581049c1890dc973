/* test-production-ui.c — the production view under Xvfb on the virtual
 * bench: READY, PROGRAMMING, PASS and FAIL (a write-protected board), the
 * shift's counters, starting by itself when a board is powered, and a
 * changed file refused; screenshots of each state
 *
 * With KILN_SCREENSHOT_DIR set, each state is saved there as a PNG.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kiln-preferences-window-private.h"
#include "kiln-production-signature.h"
#include "kiln-production-window-private.h"
#include "kiln-test-input.h"
#include "kiln-test-ui.h"

#define FIRMWARE_SIZE (200 * 1024)

static char *tmp_dir;
static char *firmware_path;
static char *profile_path;
static KilnMinisignSecretKey engineer_key;

/* Signs @path as it is (minisign's format), with the key the station trusts. */
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

static KilnProductionSlot *
first_slot (KilnProductionWindow *window)
{
  g_assert_cmpuint (kiln_production_window_get_n_slots (window), >=, 1);
  return kiln_production_window_get_slot (window, 0);
}

static gboolean
slot_idle (gpointer data)
{
  return !kiln_production_slot_is_busy (data);
}

static gboolean
file_there (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
slot_erasing (gpointer data)
{
  KilnProductionSlot *slot = data;

  /* Well into the job: the progress bar shows the erase. */
  return kiln_production_slot_get_state (slot) == KILN_PRODUCTION_SLOT_PROGRAMMING;
}

static guint passes_wanted;

static gboolean
passes_reached (gpointer data)
{
  guint passed, failed;

  kiln_production_window_get_counts (data, &passed, &failed);
  return passed >= passes_wanted;
}

static const char *
label_of (GtkWidget  *root,
          const char *css_class)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      const char *found;

      if (GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, css_class))
        return gtk_label_get_label (GTK_LABEL (w));
      if ((found = label_of (w, css_class)) != NULL)
        return found;
    }
  return NULL;
}

static guint
n_toplevels (void)
{
  return g_list_model_get_n_items (gtk_window_get_toplevels ());
}

/* The board after a PASS was started (it may already have failed). */
static gboolean
slot_not_pass (gpointer data)
{
  return kiln_production_slot_get_state (data) != KILN_PRODUCTION_SLOT_PASS;
}

/* The board was started (it may already be done). */
static gboolean
slot_started (gpointer data)
{
  return kiln_production_slot_get_state (data) != KILN_PRODUCTION_SLOT_READY;
}

/* Which of two labels, by their CSS classes, comes first (on screen: above)
 * in their box. */
static const char *
first_of (GtkWidget  *root,
          const char *a,
          const char *b)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      const char *found;

      if (GTK_IS_LABEL (w) && gtk_widget_get_visible (w) && gtk_widget_has_css_class (w, a))
        return a;
      if (GTK_IS_LABEL (w) && gtk_widget_get_visible (w) && gtk_widget_has_css_class (w, b))
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

static KilnProductionWindow *
new_window (const char *bench_text,
            const char *db_name)
{
  g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);
  g_autofree char *db = g_build_filename (tmp_dir, db_name, NULL);
  KilnProductionWindow *window;

  g_assert_true (g_file_set_contents (sim, bench_text, -1, NULL));
  window = kiln_production_window_new (ADW_APPLICATION (g_application_get_default ()), TRUE, db);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  /* The probes are found off the main loop. */
  g_assert_true (kiln_test_spin_until (window_ready, window, 20000));
  kiln_test_spin (200);
  return window;
}

static void
test_states (void)
{
  g_autofree char *held = g_build_filename (tmp_dir, "states.held", NULL);
  g_autofree char *text = g_strdup_printf ("[bench]\nhold = program:4096\nhold-file = %s\n"
                                           "[probe]\n[board]\nsequence = 4\nstate = %s/states\n"
                                           "[board.2]\nnwrp = 0xFE\n", held, tmp_dir);
  KilnProductionWindow *window = new_window (text, "states.db");
  KilnProductionSlot *slot = first_slot (window);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  guint passed, failed;

  GtkWidget *open_button = kiln_test_find_actionable (GTK_WIDGET (window), "win.open-profile");
  GtkWidget *auto_switch = kiln_test_find_type (GTK_WIDGET (window), GTK_TYPE_SWITCH);
  guint toplevels = n_toplevels ();

  /* Nothing starts without a profile, and READY is not shown. */
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_NOT_READY);
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-status"), ==, "NOT READY");
  g_assert_nonnull (open_button);
  g_assert_nonnull (auto_switch);

  g_assert_true (kiln_production_window_open_profile (window, profile_path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_READY);
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-status"), ==, "READY");
  kiln_test_save_screenshot (GTK_WIDGET (window), "production-ready.png");

  /* Space starts the board even with the focus on the header's Open
   * Profile button, which it used to press instead. */
  gtk_widget_grab_focus (open_button);
  g_assert_true (gtk_widget_has_focus (open_button));
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  /* With Kiln's loader the whole board takes a fraction of a second on the
   * bench, as long as the key's delivery: the bench holds the job in the
   * middle of programming (the first board only) while it is looked at. */
  g_assert_true (kiln_test_spin_until (file_there, held, 60000));
  g_assert_true (kiln_test_spin_until (slot_erasing, slot, 10000));
  g_assert_cmpuint (n_toplevels (), ==, toplevels);
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-status"), ==, "PROGRAMMING");
  kiln_test_save_screenshot (GTK_WIDGET (window), "production-programming.png");
  g_assert_cmpint (g_unlink (held), ==, 0);

  g_assert_true (kiln_test_spin_until (slot_idle, slot, 60000));
  kiln_test_spin (100);
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_PASS);
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-status"), ==, "PASS");
  g_assert_nonnull (strstr (label_of (GTK_WIDGET (window), "production-detail"), "SN-000001"));
  kiln_production_window_get_counts (window, &passed, &failed);
  g_assert_cmpuint (passed, ==, 1);
  g_assert_cmpuint (failed, ==, 0);
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-pass"), ==, "1");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-fail"), ==, "0");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-yield"), ==, "100 %");
  kiln_test_save_screenshot (GTK_WIDGET (window), "production-pass.png");

  /* The next board is write-protected: FAIL, what to do first, the cause
   * after it. Enter starts it, with the focus on the auto-start switch,
   * which it leaves alone. The bench's line has swapped the board by then
   * (remove-after + arrive-after, 0.5 s of the board's time, which the
   * host's wait counts in: core/sim/README.md). */
  kiln_test_spin (1000);
  gtk_widget_grab_focus (auto_switch);
  kiln_test_input_keys (GTK_WINDOW (window), "Return");
  g_assert_true (kiln_test_spin_until (slot_not_pass, slot, 10000));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (auto_switch)));
  g_assert_true (kiln_test_spin_until (slot_idle, slot, 60000));
  kiln_test_spin (100);
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_FAIL);
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-advice"), ==, "Set the board aside for an engineer.");
  g_assert_cmpstr (first_of (GTK_WIDGET (slot), "production-advice", "production-detail"), ==, "production-advice");
  g_assert_nonnull (strstr (label_of (GTK_WIDGET (window), "production-detail"), "Sector 0 is write-protected"));
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-pass"), ==, "1");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-fail"), ==, "1");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-yield"), ==, "50 %");
  kiln_test_save_screenshot (GTK_WIDGET (window), "production-fail.png");

  /* A FAIL is confirmed with a key before the next board: that key press
   * starts nothing, the next one does. */
  g_assert_true (kiln_production_slot_needs_ack (slot));
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_false (kiln_production_slot_needs_ack (slot));
  g_assert_false (kiln_production_slot_is_busy (slot));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_READY);

  /* Starting by itself: the two remaining boards, each once it is powered. */
  passes_wanted = 3;
  kiln_production_window_set_auto_start (window, TRUE);
  g_assert_true (kiln_test_spin_until (passes_reached, window, 60000));
  kiln_production_window_set_auto_start (window, FALSE);
  g_assert_true (kiln_test_spin_until (slot_idle, slot, 10000));
  kiln_production_window_get_counts (window, &passed, &failed);
  g_assert_cmpuint (passed, ==, 3);
  g_assert_cmpuint (failed, ==, 1);
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-pass"), ==, "3");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-fail"), ==, "1");
  g_assert_cmpstr (label_of (GTK_WIDGET (window), "production-count-yield"), ==, "75 %");

  entries = kiln_production_record_list (kiln_production_window_get_record (window), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const KilnProductionEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *sn = g_strdup_printf ("SN-%06u", i + 1);

      g_assert_cmpstr (e->serial_number, ==, sn);
      g_assert_true (e->pass == (i != 1));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);
}

/* Cancel while a board is being written (the view cancels a slot when its
 * probe goes away or the station closes): with the probe held mid-write it
 * lands mid-job on any machine; the board is recorded as failed, not passed,
 * and the slot is free for the next one. */
static void
test_cancel (void)
{
  g_autofree char *held = g_build_filename (tmp_dir, "cancel.held", NULL);
  g_autofree char *text = g_strdup_printf ("[bench]\nhold = program:4096\nhold-file = %s\n"
                                           "[probe]\n[board]\nsequence = 2\nstate = %s/cancel\n", held, tmp_dir);
  KilnProductionWindow *window = new_window (text, "cancel.db");
  KilnProductionSlot *slot = first_slot (window);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  guint passed, failed;

  g_assert_true (kiln_production_window_open_profile (window, profile_path, &error));
  g_assert_no_error (error);
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_true (kiln_test_spin_until (file_there, held, 60000));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_PROGRAMMING);
  kiln_production_slot_cancel (slot);
  g_assert_cmpint (g_unlink (held), ==, 0);
  g_assert_true (kiln_test_spin_until (slot_idle, slot, 60000));
  g_assert_cmpint (kiln_production_slot_get_state (slot), !=, KILN_PRODUCTION_SLOT_PASS);
  kiln_production_window_get_counts (window, &passed, &failed);
  g_assert_cmpuint (passed, ==, 0);
  entries = kiln_production_record_list (kiln_production_window_get_record (window), &error);
  g_assert_no_error (error);
  for (guint k = 0; k < entries->len; k++)
    g_assert_false (((const KilnProductionEntry *) g_ptr_array_index (entries, k))->pass);
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);
}

static void
test_changed_file (void)
{
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nstate = %s/changed\n", tmp_dir);
  g_autofree char *dir = g_build_filename (tmp_dir, "changed", NULL);
  g_autofree char *copy = g_build_filename (dir, "widget.kiln-profile", NULL);
  g_autofree char *fw_copy = g_build_filename (dir, "widget.bin", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  KilnProductionWindow *window;
  KilnProductionSlot *slot;
  g_autoptr(GError) error = NULL;

  /* The same profile beside a copy of the file with one byte changed. */
  g_mkdir_with_parents (dir, 0755);
  g_assert_true (g_file_get_contents (firmware_path, &contents, &length, NULL));
  contents[7] ^= 0x10;
  g_assert_true (g_file_set_contents (fw_copy, contents, length, NULL));
  g_free (contents);
  g_assert_true (g_file_get_contents (profile_path, &contents, &length, NULL));
  {
    /* The profile names its file relative to itself. */
    g_autofree char *absolute = g_strdup_printf ("firmware=%s\n", firmware_path);
    g_autoptr(GString) profile_text = g_string_new (contents);

    g_assert_cmpuint (g_string_replace (profile_text, absolute, "firmware=widget.bin\n", 1), ==, 1);
    g_assert_true (g_file_set_contents (copy, profile_text->str, -1, NULL));
  }
  sign_as_is (copy);

  window = new_window (text, "changed.db");
  slot = first_slot (window);
  g_assert_true (kiln_production_window_open_profile (window, copy, &error));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_FAIL);
  g_assert_nonnull (strstr (label_of (GTK_WIDGET (window), "production-detail"), "has changed since the profile was signed"));
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_false (kiln_production_slot_is_busy (slot));
  kiln_test_save_screenshot (GTK_WIDGET (window), "production-changed-file.png");
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);

  /* A profile that cannot be read: FAIL, and why. */
  window = new_window (text, "missing.db");
  slot = first_slot (window);
  g_clear_error (&error);
  g_assert_false (kiln_production_window_open_profile (window, "/nonexistent/widget.kiln-profile", &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE);
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_FAIL);
  g_assert_nonnull (strstr (label_of (GTK_WIDGET (window), "production-detail"), "Cannot read the production profile"));
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);
}

static gboolean
all_idle (gpointer data)
{
  KilnProductionWindow *window = data;

  for (guint i = 0; i < kiln_production_window_get_n_slots (window); i++)
    if (kiln_production_slot_is_busy (kiln_production_window_get_slot (window, i)))
      return FALSE;
  return TRUE;
}

static guint n_wanted;

static gboolean
n_slots_is (gpointer data)
{
  return kiln_production_window_get_n_slots (data) == n_wanted;
}

/* Four probes: four slots, each on its own worker; the protected board of
 * slot 3 fails without disturbing the others. */
static void
test_gang (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  KilnProductionWindow *window;
  KilnSimBench *bench;
  g_autoptr(GError) error = NULL;
  guint passed, failed;

  for (guint i = 1; i <= 4; i++)
    g_string_append_printf (text, "[probe %u]\nmodel = stlink-v3\n[board %u]\nstate = %s/gang%u\n%s", i, i, tmp_dir, i,
                            i == 3 ? "nwrp = 0xFE\n" : "");
  window = new_window (text->str, "gang.db");
  g_assert_cmpuint (kiln_production_window_get_n_slots (window), ==, 4);
  g_assert_true (kiln_production_window_open_profile (window, profile_path, &error));
  g_assert_no_error (error);
  kiln_test_input_keys (GTK_WINDOW (window), "KP_Enter");
  for (guint i = 0; i < 4; i++)
    g_assert_true (kiln_test_spin_until (slot_started, kiln_production_window_get_slot (window, i), 10000));
  g_assert_true (kiln_test_spin_until (all_idle, window, 60000));
  kiln_test_spin (100);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (kiln_production_slot_get_state (kiln_production_window_get_slot (window, i)), ==,
                     i == 2 ? KILN_PRODUCTION_SLOT_FAIL : KILN_PRODUCTION_SLOT_PASS);
  kiln_production_window_get_counts (window, &passed, &failed);
  g_assert_cmpuint (passed, ==, 3);
  g_assert_cmpuint (failed, ==, 1);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 760);
  kiln_test_spin (200);
  kiln_test_save_screenshot (GTK_WIDGET (window), "production-gang.png");

  /* A probe unplugged leaves the view; plugged in again, it is a slot again. */
  bench = kiln_production_window_get_bench (window);
  kiln_sim_probe_unplug (kiln_sim_bench_get_probe (bench, 3));
  n_wanted = 3;
  g_assert_true (kiln_test_spin_until (n_slots_is, window, 15000));
  kiln_sim_probe_plug (kiln_sim_bench_get_probe (bench, 3));
  n_wanted = 4;
  g_assert_true (kiln_test_spin_until (n_slots_is, window, 15000));
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);
}

/* The label of @root that reads @text, or NULL. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (w) && gtk_widget_get_mapped (w) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (w)), text) == 0)
        return w;
      if ((found = find_label (w, text)) != NULL)
        return found;
    }
  return NULL;
}

/* @text typed key by key (xdotool key names). */
static void
type_text (GtkWindow  *window,
           const char *text)
{
  g_autoptr(GString) keys = g_string_new (NULL);

  for (const char *c = text; *c != '\0'; c++)
    {
      const char *name = *c == '=' ? "equal" : *c == '/' ? "slash" : *c == '-' ? "minus" : *c == ' ' ? "space" : NULL;

      if (keys->len > 0)
        g_string_append_c (keys, ' ');
      if (name != NULL)
        g_string_append (keys, name);
      else
        g_string_append_c (keys, *c);
    }
  kiln_test_input_keys (window, keys->str);
}

static const char *detail_wanted;

static gboolean
detail_reads (gpointer data)
{
  const char *detail = label_of (data, "production-detail");

  return detail != NULL && strstr (detail, detail_wanted) != NULL;
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* The preferences' line database, set by a person: the Production page's
 * tab clicked, the entry row clicked, the connection typed, Enter. */
static gboolean
widget_named (GtkWidget     *widget,
              gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

/* What the preferences' line row must say after Enter (NULL: nothing). */
static const char *line_problem_wanted;

static void
set_line_in_preferences (KilnProductionWindow *window,
                         const char           *conninfo)
{
  GtkWindow *prefs = kiln_preferences_window_new (GTK_WINDOW (window));
  GtkWidget *tab, *row;

  gtk_window_present (prefs);
  g_assert_true (kiln_test_spin_until (widget_mapped, prefs, 10000));
  kiln_test_spin (300);
  tab = find_label (GTK_WIDGET (prefs), "Production");
  g_assert_nonnull (tab);
  row = kiln_test_find_type (GTK_WIDGET (prefs), ADW_TYPE_ENTRY_ROW);
  g_assert_nonnull (row);
  /* Clicked again if the window was not yet where the pointer went. */
  for (guint i = 0; i < 5 && !gtk_widget_get_mapped (row); i++)
    {
      kiln_test_input_click (tab);
      kiln_test_spin_until (widget_mapped, row, 3000);
    }
  if (!gtk_widget_get_mapped (row))
    kiln_test_save_screenshot (GTK_WIDGET (prefs), "production-line-preferences-tab.png");
  g_assert_true (gtk_widget_get_mapped (row));
  kiln_test_spin (100);
  kiln_test_input_click (row);
  kiln_test_spin (100);
  kiln_test_input_keys (prefs, "ctrl+a BackSpace");
  if (*conninfo != '\0')
    type_text (prefs, conninfo);
  kiln_test_input_keys (prefs, "Return");
  kiln_test_spin (100);
  {
    GtkWidget *problem = kiln_test_find_widget (GTK_WIDGET (prefs), widget_named,
                                                    "line-database-problem");

    g_assert_nonnull (problem);
    g_assert_cmpint (gtk_widget_get_mapped (problem), ==, line_problem_wanted != NULL);
    if (line_problem_wanted != NULL)
      {
        g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (problem)), line_problem_wanted));
        kiln_test_save_screenshot (GTK_WIDGET (prefs), "production-line-password.png");
      }
  }
  kiln_test_save_screenshot (GTK_WIDGET (prefs), "production-line-preferences.png");
  kiln_test_input_keys (prefs, "Escape");
  kiln_test_spin (200);
}

/* The production window's line database, from its preferences: while it
 * cannot be reached, the slots say so in one line with what to do and
 * nothing starts; Space tries again; without a line the station works on
 * its own record. */
static void
test_line_setting (void)
{
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nstate = %s/line-board\n", tmp_dir);
  KilnProductionWindow *window = new_window (text, "line.db");
  KilnProductionSlot *slot = first_slot (window);
  g_autoptr(GSettings) settings = g_settings_new ("org.kiln.Kiln");
  g_autoptr(GError) error = NULL;
  g_autofree char *nowhere = g_strdup_printf ("host=%s/nowhere", tmp_dir);
  g_autofree char *setting = NULL;
  const char *detail;

  g_assert_true (kiln_production_window_open_profile (window, profile_path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_READY);

  /* A password is not kept in the settings: refused, with where it goes. */
  {
    g_autofree char *with_password = g_strdup_printf ("host=%s/nowhere password=hunter2", tmp_dir);

    line_problem_wanted = "~/.pgpass";
    set_line_in_preferences (window, with_password);
    line_problem_wanted = NULL;
    setting = g_settings_get_string (settings, "line-database");
    g_assert_cmpstr (setting, ==, "");
    g_clear_pointer (&setting, g_free);
    g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_READY);
  }

  set_line_in_preferences (window, nowhere);
  setting = g_settings_get_string (settings, "line-database");
  g_assert_cmpstr (setting, ==, nowhere);

  /* Connected off the main thread, then lost: one line, what to do. */
  detail_wanted = "cannot be reached";
  g_assert_true (kiln_test_spin_until (detail_reads, window, 60000));
  detail = label_of (GTK_WIDGET (window), "production-detail");
  g_assert_null (strchr (detail, '\n'));
  g_assert_nonnull (strstr (detail, "ask whoever runs the database"));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_NOT_READY);
  g_assert_null (find_label (GTK_WIDGET (window), "Press Space or Enter to program"));
  kiln_test_save_screenshot (GTK_WIDGET (window), "production-line-lost.png");

  /* Space starts no board: it tries the database again. */
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  detail_wanted = "Connecting to the line database";
  g_assert_true (kiln_test_spin_until (detail_reads, window, 10000));
  detail_wanted = "cannot be reached";
  g_assert_true (kiln_test_spin_until (detail_reads, window, 60000));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_NOT_READY);

  /* No line: the station programs on its own record. */
  set_line_in_preferences (window, "");
  setting = (g_free (setting), g_settings_get_string (settings, "line-database"));
  g_assert_cmpstr (setting, ==, "");
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_READY);
  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_true (kiln_test_spin_until (slot_started, slot, 10000));
  g_assert_true (kiln_test_spin_until (slot_idle, slot, 60000));
  g_assert_cmpint (kiln_production_slot_get_state (slot), ==, KILN_PRODUCTION_SLOT_PASS);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
make_profile (void)
{
  g_autoptr(KilnProductionProfile) profile = kiln_production_profile_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = g_malloc (FIRMWARE_SIZE);
  KilnSerialSettings serial = { 0 };
  GRand *rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < FIRMWARE_SIZE; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  firmware_path = g_build_filename (tmp_dir, "widget.bin", NULL);
  g_assert_true (g_file_set_contents (firmware_path, (char *) data, FIRMWARE_SIZE, NULL));
  g_assert_true (kiln_production_profile_set_name (profile, "Widget rev B", &error));
  g_assert_true (kiln_production_profile_set_firmware (profile, firmware_path, TRUE, 0x08000000, &error));
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F746NG", &error));
  serial.source = KILN_SERIAL_SOURCE_COUNTER;
  serial.address = 0x080C0000;
  serial.format = (char *) "SN-%06u";
  serial.start = 1;
  g_assert_true (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_true (kiln_production_profile_lock (profile, &error));
  g_assert_no_error (error);
  profile_path = g_build_filename (tmp_dir, "widget.kiln-profile", NULL);
  g_assert_true (kiln_production_profile_save (profile, profile_path, &error));
  sign_as_is (profile_path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* Before GLib caches it: the station's trusted keys are the test's. */
  {
    g_autofree char *config = g_build_filename (g_get_tmp_dir (), "kiln-production-ui-config-XXXXXX", NULL);

    g_assert_nonnull (g_mkdtemp (config));
    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  }
  tmp_dir = g_dir_make_tmp ("kiln-production-ui-XXXXXX", NULL);
  /* The bench every window here opens, set before GTK starts its threads
   * (setenv() is not safe once they run; each test rewrites the file). */
  {
    g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);

    g_setenv ("KILN_SIM", sim, TRUE);
  }
  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.ProductionTest");

  {
    /* The station trusts the engineer's key from its configuration folder. */
    g_autofree char *keys = g_build_filename (g_get_user_config_dir (), "kiln", "trusted-keys", NULL);
    g_autofree char *pub_path = g_build_filename (keys, "engineer.pub", NULL);
    g_autofree char *key_path = g_build_filename (tmp_dir, "engineer.key", NULL);
    g_autofree char *pub = NULL, *sec = NULL;

    g_assert_cmpint (g_mkdir_with_parents (keys, 0700), ==, 0);
    kiln_minisign_generate (&pub, &sec);
    g_assert_true (g_file_set_contents (pub_path, pub, -1, NULL));
    g_assert_true (g_file_set_contents (key_path, sec, -1, NULL));
    g_assert_true (kiln_minisign_secret_key_load (key_path, &engineer_key, NULL));
  }
  make_profile ();

  g_test_add_func ("/Kiln/Production/ui/states", test_states);
  g_test_add_func ("/Kiln/Production/ui/changed-file", test_changed_file);
  g_test_add_func ("/Kiln/Production/ui/cancel", test_cancel);
  g_test_add_func ("/Kiln/Production/ui/gang", test_gang);
  g_test_add_func ("/Kiln/Production/ui/line-setting", test_line_setting);
  status = g_test_run ();
  g_free (tmp_dir);
  g_free (firmware_path);
  g_free (profile_path);
  return status;
}
