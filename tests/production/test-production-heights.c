/* test-production-heights.c — the operator's station fits a 1024×600
 * screen in every state it shows: NOT READY, READY, WAITING, PROGRAMMING,
 * PASS and FAIL, each FAIL with its action and its cause (a write-protected
 * board, a word that does not keep what was written, no power, the probe
 * unplugged, a firmware changed since the profile was signed, a profile not
 * signed), driven on the virtual bench with real key presses and clicks
 * under Xvfb, on a screen of that size. production-heights-de runs it again
 * in German.
 *
 * Two heights are measured in each state, at the screen's width:
 *
 * - what the window asks of the screen: its minimum height, measured each
 *   time GDK asks GTK for the window's size (the surface's compute-size), as
 *   GTK measures it then. That includes the frame in which a new state's
 *   words are set but its style not yet applied: GDK asks before GTK
 *   applies the frame's style. Above 600 px the window grows past the
 *   screen, and stays that tall once the state is drawn (nothing asks it
 *   back): without a window manager, as under Xvfb, the 611 px once seen by
 *   production-operator after a FAIL;
 * - what the state needs once drawn: the window's natural height, the
 *   height that shows all of it without scrolling.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "kiln-production-signature.h"
#include "kiln-production-window-private.h"
#include "kiln-test-input.h"
#include "kiln-test-ui.h"

#define SCREEN_WIDTH  1024
#define SCREEN_HEIGHT 600
#define FIRMWARE_SIZE (64 * 1024)
#define N_STATES      (KILN_PRODUCTION_SLOT_NOT_READY + 1)

static const char *state_names[N_STATES] = { "READY", "WAITING", "PROGRAMMING", "PASS", "FAIL", "NOT READY" };

static char *tmp_dir;
static char *profile_path;   /* signed by a trusted key */
static char *changed_path;   /* signed, but its firmware changed since */
static char *unsigned_path;  /* not signed */
static KilnMinisignSecretKey engineer_key;

/* The largest heights seen in each state of the window on screen, and
 * what its slot said then. */
typedef struct
{
  int   asked;
  char *asked_words;
  int   needed;
  char *needed_words;
} Heights;

static Heights heights[N_STATES];
static gboolean seen[N_STATES];
static int surface_height;        /* the tallest its X window was */
static guint n_too_tall;          /* the states too tall so far, in all windows */
static gboolean seen_anywhere[N_STATES];

static gboolean
is_visible_with_class (GtkWidget     *widget,
                       gconstpointer  css_class)
{
  return gtk_widget_get_visible (widget) && gtk_widget_has_css_class (widget, css_class);
}

/* The slot's words: its state, its action and its detail (or cause). */
static char *
slot_words (KilnProductionSlot *slot)
{
  g_autoptr(GString) words = g_string_new (NULL);
  static const char *classes[] = { "production-status", "production-advice", "production-detail" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      GtkWidget *w = kiln_test_find_widget (GTK_WIDGET (slot), is_visible_with_class, classes[i]);

      if (w != NULL && *gtk_label_get_label (GTK_LABEL (w)) != '\0')
        g_string_append_printf (words, "%s\"%s\"", words->len ? " " : "", gtk_label_get_label (GTK_LABEL (w)));
    }
  return g_string_free (g_steal_pointer (&words), FALSE);
}

static void
note (int                 *height,
      char               **words,
      int                  value,
      KilnProductionSlot  *slot)
{
  if (value <= *height)
    return;
  *height = value;
  g_free (*words);
  *words = slot_words (slot);
}

static KilnProductionSlot *
first_slot (KilnProductionWindow *window)
{
  return kiln_production_window_get_n_slots (window) > 0 ? kiln_production_window_get_slot (window, 0) : NULL;
}

/* GDK asks for the window's size: what GTK measures now is what it asks
 * of the screen (its minimum at the screen's width). */
static void
compute_size_cb (GdkToplevel          *toplevel,
                 GdkToplevelSize      *size,
                 KilnProductionWindow *window)
{
  KilnProductionSlot *slot = first_slot (window);
  int minimum = 0;
  KilnProductionSlotState state;

  if (slot == NULL)
    return;
  state = kiln_production_slot_get_state (slot);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, SCREEN_WIDTH, &minimum, NULL, NULL, NULL);
  note (&heights[state].asked, &heights[state].asked_words, minimum, slot);
}

/* What the scrolled window in @slot (if it has one) counts in the
 * window's natural height, less what its content needs at the width it
 * has: GTK 4.8 measures a scrolled window's content without a width (its
 * labels at their natural widths, max-width-chars), not as it shows it. */
static int
scrolled_excess (KilnProductionSlot *slot)
{
  GtkWidget *scrolled = kiln_test_find_type (GTK_WIDGET (slot), GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *child;
  int natural = 0, content = 0;

  if (scrolled == NULL)
    return 0;
  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  gtk_widget_measure (scrolled, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (scrolled), NULL, &natural, NULL,
                      NULL);
  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (child), NULL, &content, NULL, NULL);
  return natural - content;
}

/* A frame drawn: the state as it is on the screen, styled. What it needs is
 * the window's natural height at the screen's width, the slot's scrolled
 * content counted at the width it has (a window of one slot). */
static void
after_paint_cb (GdkFrameClock        *clock,
                KilnProductionWindow *window)
{
  KilnProductionSlot *slot = first_slot (window);
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  int natural = 0;
  KilnProductionSlotState state;

  surface_height = MAX (surface_height, gdk_surface_get_height (surface));
  if (slot == NULL || !gtk_widget_get_mapped (GTK_WIDGET (slot)))
    return;
  state = kiln_production_slot_get_state (slot);
  seen[state] = TRUE;
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, SCREEN_WIDTH, NULL, &natural, NULL, NULL);
  note (&heights[state].needed, &heights[state].needed_words, natural - scrolled_excess (slot), slot);
}

static void
realize_cb (KilnProductionWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  g_signal_connect_object (surface, "compute-size", G_CALLBACK (compute_size_cb), window, 0);
  g_signal_connect_object (gdk_surface_get_frame_clock (surface), "after-paint", G_CALLBACK (after_paint_cb),
                           window, 0);
}

static gboolean
window_ready (gpointer data)
{
  return kiln_production_window_is_ready (data);
}

/* The slot's state as each board finished (-1: none yet). */
static void
finished_cb (KilnProductionSlot *slot,
             gboolean            recorded,
             int                *ended)
{
  *ended = (int) kiln_production_slot_get_state (slot);
}

static gboolean
slot_idle (gpointer data)
{
  return !kiln_production_slot_is_busy (data);
}

/* Waiting no longer: auto-start switched off. */
static gboolean
slot_stopped (gpointer data)
{
  return !kiln_production_slot_is_busy (data)
         && kiln_production_slot_get_state (data) != KILN_PRODUCTION_SLOT_WAITING;
}

static gboolean
slot_waiting (gpointer data)
{
  return kiln_production_slot_get_state (data) == KILN_PRODUCTION_SLOT_WAITING;
}

/* A station at 1024×600 on the bench @bench_text (@name its board's and
 * record's name), its slot in state @state. */
static KilnProductionWindow *
new_window (const char              *name,
            const char              *bench_text,
            KilnProductionSlotState  state)
{
  g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);
  g_autofree char *board = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nstate = %s\n%s", board, bench_text);
  g_autofree char *db_name = g_strconcat (name, ".db", NULL);
  g_autofree char *db = g_build_filename (tmp_dir, db_name, NULL);
  KilnProductionWindow *window;

  g_assert_true (g_file_set_contents (sim, text, -1, NULL));
  window = kiln_production_window_new (ADW_APPLICATION (g_application_get_default ()), TRUE, db);
  g_signal_connect (window, "realize", G_CALLBACK (realize_cb), NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), SCREEN_WIDTH, SCREEN_HEIGHT);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (window_ready, window, 20000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpuint (kiln_production_window_get_n_slots (window), ==, 1);
  g_assert_cmpint (kiln_production_slot_get_state (first_slot (window)), ==, state);
  return window;
}

static void
open_profile (KilnProductionWindow *window,
              const char           *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kiln_production_window_open_profile (window, path, &error));
  g_assert_no_error (error);
  kiln_test_wait_drawn (GTK_WIDGET (window));
}

typedef struct
{
  KilnProductionSlot *slot;
  int                 ended;
  gboolean            may_vanish;
} Watch;

/* The board finished; or, where the probe goes away, the station said so
 * (NOT READY, idle: before the key it was READY). */
static gboolean
board_over (gpointer data)
{
  Watch *w = data;

  return w->ended >= 0
         || (w->may_vanish && !kiln_production_slot_is_busy (w->slot)
             && kiln_production_slot_get_state (w->slot) == KILN_PRODUCTION_SLOT_NOT_READY);
}

/* Space programs the board; the slot ends in @state. With @may_vanish
 * (the probe unplugged mid-job), the station may instead find the probe
 * gone before the job's end reaches the slot, and say NOT READY. */
static void
program (KilnProductionWindow    *window,
         KilnProductionSlotState  state,
         gboolean                 may_vanish)
{
  Watch w = { first_slot (window), -1, may_vanish };
  gulong handler = g_signal_connect (w.slot, "finished", G_CALLBACK (finished_cb), &w.ended);

  kiln_test_input_keys (GTK_WINDOW (window), "space");
  g_assert_true (kiln_test_spin_until (board_over, &w, 60000));
  g_signal_handler_disconnect (w.slot, handler);
  /* As it ended: a station whose probe was unplugged goes on to NOT
   * READY by itself, maybe in the same turn of the main loop. */
  if (w.ended >= 0 || !may_vanish)
    g_assert_cmpint (w.ended, ==, state);
  g_assert_true (kiln_test_spin_until (slot_idle, w.slot, 60000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
}

/* Says what the window @name asked for and needed in each state it
 * showed, and counts those too tall. */
static void
destroy (KilnProductionWindow *window,
         const char           *name)
{
  kiln_test_spin (200);
  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_spin (100);
  for (guint s = 0; s < N_STATES; s++)
    {
      gboolean fits = heights[s].asked <= SCREEN_HEIGHT && heights[s].needed <= SCREEN_HEIGHT;

      if (seen[s])
        g_test_message ("%-9s %-11s asks %3d px, needs %3d px%s: %s", name, state_names[s], heights[s].asked,
                        heights[s].needed, fits ? "" : " (TOO TALL)",
                        heights[s].needed > heights[s].asked || heights[s].asked_words == NULL
                          ? heights[s].needed_words
                          : heights[s].asked_words);
      else if (heights[s].asked > 0)
        g_test_message ("%-9s %-11s asks %3d px%s, not drawn: %s", name, state_names[s], heights[s].asked,
                        fits ? "" : " (TOO TALL)", heights[s].asked_words);
      if (!fits)
        n_too_tall++;
      g_clear_pointer (&heights[s].asked_words, g_free);
      g_clear_pointer (&heights[s].needed_words, g_free);
      heights[s].asked = heights[s].needed = 0;
      seen_anywhere[s] |= seen[s];
      seen[s] = FALSE;
    }
  g_test_message ("%-9s the window was at most %d px high", name, surface_height);
  if (surface_height > SCREEN_HEIGHT)
    n_too_tall++;
  surface_height = 0;
}

/* No profile, then READY; the board programmed and passed. */
static void
drive_pass (void)
{
  KilnProductionWindow *window = new_window ("pass", "", KILN_PRODUCTION_SLOT_NOT_READY);

  open_profile (window, profile_path);
  g_assert_cmpint (kiln_production_slot_get_state (first_slot (window)), ==, KILN_PRODUCTION_SLOT_READY);
  program (window, KILN_PRODUCTION_SLOT_PASS, FALSE);
  destroy (window, "pass");
}

/* Auto-start switched on by a click with no board powered: WAITING. */
static void
drive_waiting (void)
{
  KilnProductionWindow *window = new_window ("waiting", "voltage = 0\n", KILN_PRODUCTION_SLOT_NOT_READY);

  open_profile (window, profile_path);
  kiln_test_input_click (kiln_test_find_type (GTK_WIDGET (window), GTK_TYPE_SWITCH));
  g_assert_true (kiln_test_spin_until (slot_waiting, first_slot (window), 20000));
  kiln_test_wait_drawn (GTK_WIDGET (window));
  kiln_production_window_set_auto_start (window, FALSE);
  g_assert_true (kiln_test_spin_until (slot_stopped, first_slot (window), 20000));
  destroy (window, "waiting");
}

/* A board that fails: write-protected, a word that does not keep what was
 * written, power lost, the probe unplugged. */
static void
drive_failure (const char *name,
               const char *bench_text)
{
  KilnProductionWindow *window = new_window (name, bench_text, KILN_PRODUCTION_SLOT_NOT_READY);

  open_profile (window, profile_path);
  program (window, KILN_PRODUCTION_SLOT_FAIL, g_str_equal (name, "unplug"));
  destroy (window, name);
}

/* A profile the station refuses: FAIL before any board. */
static void
drive_refused (const char *name,
               const char *path)
{
  KilnProductionWindow *window = new_window (name, "", KILN_PRODUCTION_SLOT_NOT_READY);

  open_profile (window, path);
  g_assert_cmpint (kiln_production_slot_get_state (first_slot (window)), ==, KILN_PRODUCTION_SLOT_FAIL);
  destroy (window, name);
}

static void
test_heights (void)
{
  drive_pass ();
  drive_waiting ();
  drive_failure ("protected", "nwrp = 0xFE\n");
  drive_failure ("weak", "[faults]\nweak-words = 0x08000100\n");
  drive_failure ("power", "[faults]\npower-loss-after-ms = 0\n");
  drive_failure ("unplug", "[faults]\nusb-disconnect-after-ms = 300\n");
  drive_refused ("changed", changed_path);
  drive_refused ("unsigned", unsigned_path);

  for (guint s = 0; s < N_STATES; s++)
    g_assert_true (seen_anywhere[s]);
  g_assert_cmpuint (n_too_tall, ==, 0);
}

static char *
write_profile (const char *name,
               const char *firmware_name,
               gboolean    sign)
{
  g_autoptr(KilnProductionProfile) profile = kiln_production_profile_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *firmware = g_build_filename (tmp_dir, firmware_name, NULL);
  g_autofree guint8 *data = g_malloc (FIRMWARE_SIZE);
  g_autofree char *text = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *sig_path = NULL;
  GRand *rand = g_rand_new_with_seed (g_str_hash (name));
  KilnSerialSettings serial = { 0 };
  char *path = g_build_filename (tmp_dir, name, NULL);
  gsize length = 0;

  for (guint i = 0; i < FIRMWARE_SIZE; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  g_assert_true (g_file_set_contents (firmware, (char *) data, FIRMWARE_SIZE, NULL));
  g_assert_true (kiln_production_profile_set_name (profile, "Widget rev B", &error));
  g_assert_true (kiln_production_profile_set_firmware (profile, firmware, TRUE, 0x08000000, &error));
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F746NG", &error));
  serial.source = KILN_SERIAL_SOURCE_COUNTER;
  serial.address = 0x08010000;
  serial.format = (char *) "SN-%06u";
  serial.start = 1;
  serial.size = 16;
  g_assert_true (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_true (kiln_production_profile_save (profile, path, &error));
  g_assert_no_error (error);
  if (sign)
    {
      g_assert_true (g_file_get_contents (path, &text, &length, NULL));
      signature = kiln_minisign_sign (&engineer_key, (const guint8 *) text, length, "test");
      sig_path = g_strconcat (path, ".minisig", NULL);
      g_assert_true (g_file_set_contents (sig_path, signature, -1, NULL));
    }
  return path;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  g_autofree char *config = g_build_filename (g_get_tmp_dir (), "kiln-production-heights-config-XXXXXX", NULL);
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_assert_nonnull (g_mkdtemp (config));
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  tmp_dir = g_dir_make_tmp ("kiln-production-heights-XXXXXX", NULL);
  /* The bench each window opens, named before GTK starts its threads. */
  {
    g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);

    g_setenv ("KILN_SIM", sim, TRUE);
  }
  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.HeightsTest");

  /* The engineer's key, trusted by the station. */
  {
    g_autofree char *keys = g_build_filename (config, "kiln", "trusted-keys", NULL);
    g_autofree char *pub_path = g_build_filename (keys, "engineer.pub", NULL);
    g_autofree char *key_path = g_build_filename (tmp_dir, "engineer.key", NULL);
    g_autofree char *pub = NULL, *sec = NULL;

    g_assert_cmpint (g_mkdir_with_parents (keys, 0700), ==, 0);
    kiln_minisign_generate (&pub, &sec);
    g_assert_true (g_file_set_contents (pub_path, pub, -1, NULL));
    g_assert_true (g_file_set_contents (key_path, sec, -1, NULL));
    g_assert_true (kiln_minisign_secret_key_load (key_path, &engineer_key, NULL));
  }
  profile_path = write_profile ("widget.kiln-profile", "widget.bin", TRUE);
  unsigned_path = write_profile ("unsigned.kiln-profile", "unsigned.bin", FALSE);
  changed_path = write_profile ("changed.kiln-profile", "changed.bin", TRUE);
  /* The firmware changes after the engineer signed its profile. */
  {
    g_autofree char *firmware = g_build_filename (tmp_dir, "changed.bin", NULL);
    g_autofree char *data = g_malloc0 (FIRMWARE_SIZE);

    g_assert_true (g_file_set_contents (firmware, data, FIRMWARE_SIZE, NULL));
  }

  g_test_add_func ("/Kiln/Production/heights/1024x600", test_heights);
  status = g_test_run ();
  g_free (tmp_dir);
  g_free (profile_path);
  g_free (changed_path);
  g_free (unsigned_path);
  return status;
}
