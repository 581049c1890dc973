/* test-line-view-ui.c — the Line view under Xvfb, driven by clicks and keys:
 * the operator named in the production window and the slot in a board's
 * record; the view opened from the station's menu over its record, the
 * shift, the day, a custom range (a bad one refused) and the whole record,
 * the figures as the core computes them, the charts, the export of the
 * range, the view following the station's next board, and screenshots at
 * 1024×600 and 1920×1080
 *
 * The record holds known boards of 2026-03-10 (UTC; the test runs in UTC),
 * and the view is told it is 16:30 that day. With KILN_TEST_LINE (a real
 * PostgreSQL started by with-line-db.py) the same runs against the line
 * database set in the station's settings: the known boards are in the line
 * only, the station's own record stays empty but for its boards, and the
 * view reads the line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kiln-line-chart-private.h"
#include "kiln-line-record.h"
#include "kiln-line-view-private.h"
#include "kiln-minisign.h"
#include "kiln-production-window-private.h"
#include "kiln-test-input.h"
#include "kiln-test-ui.h"

static char *tmp_dir;
static char *db_path;
static char *profile_path;
static char *signer;       /* the id of the key that signs the profile */
static GPtrArray *known;   /* the entries written, as the record lists them */
static const char *line_conninfo;  /* KILN_TEST_LINE: the line database, or NULL */

/* A small signed profile, and its key trusted by the station. */
static void
make_profile (void)
{
  g_autoptr(KilnProductionProfile) profile = kiln_production_profile_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = g_build_filename (g_get_user_config_dir (), "kiln", "trusted-keys", NULL);
  g_autofree char *pub_path = g_build_filename (keys, "engineer.pub", NULL);
  g_autofree char *key_path = g_build_filename (tmp_dir, "engineer.key", NULL);
  g_autofree char *firmware = g_build_filename (tmp_dir, "widget.bin", NULL);
  g_autofree char *pub = NULL, *sec = NULL, *text = NULL, *signature = NULL, *sig_path = NULL;
  g_autofree guint8 *data = g_malloc (8192);
  KilnMinisignSecretKey key;
  gsize length = 0;

  g_assert_cmpint (g_mkdir_with_parents (keys, 0700), ==, 0);
  kiln_minisign_generate (&pub, &sec);
  g_assert_true (g_file_set_contents (pub_path, pub, -1, NULL));
  g_assert_true (g_file_set_contents (key_path, sec, -1, NULL));
  g_assert_true (kiln_minisign_secret_key_load (key_path, &key, NULL));
  /* "untrusted comment: minisign public key <ID>" */
  {
    g_auto(GStrv) lines = g_strsplit (pub, "\n", 2);

    signer = g_strdup (strrchr (lines[0], ' ') + 1);
  }

  for (guint i = 0; i < 8192; i++)
    data[i] = (guint8) (i * 7);
  g_assert_true (g_file_set_contents (firmware, (char *) data, 8192, NULL));
  g_assert_true (kiln_production_profile_set_name (profile, "Widget rev B", &error));
  g_assert_true (kiln_production_profile_set_firmware (profile, firmware, TRUE, 0x08000000, &error));
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F746NG", &error));
  g_assert_true (kiln_production_profile_lock (profile, &error));
  g_assert_no_error (error);
  profile_path = g_build_filename (tmp_dir, "widget.kiln-profile", NULL);
  g_assert_true (kiln_production_profile_save (profile, profile_path, &error));
  g_assert_true (g_file_get_contents (profile_path, &text, &length, NULL));
  signature = kiln_minisign_sign (&key, (const guint8 *) text, length, "test");
  sig_path = g_strconcat (profile_path, ".minisig", NULL);
  g_assert_true (g_file_set_contents (sig_path, signature, -1, NULL));
}

static gint64
at (int hour,
    int minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (2026, 3, 10, hour, minute, 0);

  return g_date_time_to_unix (dt);
}

/* With a line, the known boards go to the line only: a view that showed
 * the station's own record would show none of them. */
static gboolean
append (KilnProductionRecord  *record,
        KilnLineRecord        *line,
        KilnProductionEntry   *entry,
        GError               **error)
{
  return line ? kiln_line_record_append (line, entry, NULL, error)
              : kiln_production_record_append (record, entry, 0, error);
}

/* Three serial numbers spent without a board's result at "Station D",
 * through the line's own calls, now (not on 2026-03-10): the station gives
 * slot P1 a board's number, then the slot's next board one, so the first
 * board's result, never taken by the line, is spent; slot P2 gets one; the
 * station stops (its connection closes) and starts again, which spends the
 * two left open. */
static void
make_consumed (void)
{
  KilnSerialSettings serial = { .source = KILN_SERIAL_SOURCE_COUNTER, .format = (char *) "D-%05u", .start = 1 };
  static const char *boards[][2] = { { "DUID1", "P1" }, { "DUID2", "P1" }, { "DUID3", "P2" } };
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnLineRecord) first = kiln_line_record_open (line_conninfo, &error);
  g_autoptr(KilnLineRecord) again = NULL;
  guint consumed = 0;

  g_assert_no_error (error);
  g_assert_true (kiln_line_record_claim_station (first, "Station D", NULL, NULL, &error));
  for (guint i = 0; i < G_N_ELEMENTS (boards); i++)
    {
      g_autofree char *value = NULL;
      gint64 id;
      guint64 number;
      gboolean reused;

      g_assert_true (kiln_line_record_allocate (first, &serial, "D", NULL, boards[i][0], "Station D", boards[i][1], &id,
                                                &value, &number, &reused, &error));
      g_assert_no_error (error);
      g_assert_false (reused);
    }
  kiln_line_record_release_station (first);
  again = kiln_line_record_open (line_conninfo, &error);
  g_assert_no_error (error);
  g_assert_true (kiln_line_record_claim_station (again, "Station D", &consumed, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, 2);
  kiln_line_record_release_station (again);
}

/* Eight hours (08:00 to 16:00) of three stations with two slots each: 76
 * boards, 6 to 14 an hour (10, 6, 11, 7, 12, 8, 13, 9), a FAIL now and then
 * (causes in turn), each failed board tried again a minute later. */
static void
make_record (void)
{
  static const char *groups[][2] = {
    { "flash", "flash-verify" }, { "board", "board-no-power" }, { "flash", "flash-verify" },
    { "probe", "probe-unplugged" }, { "chip", "chip-wrong" }, { "flash", "flash-controller" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionRecord) record = kiln_production_record_open (db_path, &error);
  g_autoptr(KilnLineRecord) line = NULL;
  guint n = 0, fails = 0;

  g_assert_no_error (error);
  if (line_conninfo != NULL)
    {
      line = kiln_line_record_open (line_conninfo, &error);
      g_assert_no_error (error);
    }
  for (int hour = 8; hour < 16; hour++)
    for (int k = 0; k < 6 + (hour * 5) % 9; k++)
      {
        g_autoptr(KilnProductionEntry) e = kiln_production_entry_new ();
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (at (hour, (k * 59) / (6 + (hour * 5) % 9)));
        gboolean fail = (++n % 7) == 0 || (hour == 13 && k % 3 == 0);

        e->time = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S.000000Z");
        e->station = g_strdup_printf ("Station %c", 'A' + n % 3);
        e->slot = g_strdup_printf ("%u", 1 + (n / 3) % 2);
        e->probe_serial = g_strdup_printf ("0671FF38333548%02u", n % 6);
        e->chip_uid = g_strdup_printf ("UID%04u", n);
        e->profile = g_strdup ("Widget rev B");
        e->operator_name = g_strdup ("Ann Lee");
        e->pass = !fail;
        e->total_seconds = 9.5 + (n * 37 % 40) / 10.0;
        if (fail)
          {
            e->cause = g_strdup ("it failed");
            e->cause_group = g_strdup (groups[fails % G_N_ELEMENTS (groups)][0]);
            e->cause_code = g_strdup (groups[fails % G_N_ELEMENTS (groups)][1]);
            fails++;
          }
        g_assert_true (append (record, line, e, &error));
        g_assert_no_error (error);
        if (fail)
          {
            /* The board again, a minute later: PASS (not a first pass). */
            g_autoptr(KilnProductionEntry) again = kiln_production_entry_new ();
            g_autoptr(GDateTime) later = g_date_time_add_minutes (t, 1);

            again->time = g_date_time_format (later, "%Y-%m-%dT%H:%M:%S.000000Z");
            again->station = g_strdup (e->station);
            again->slot = g_strdup (e->slot);
            again->probe_serial = g_strdup (e->probe_serial);
            again->chip_uid = g_strdup (e->chip_uid);
            again->pass = TRUE;
            again->total_seconds = 10.5;
            g_assert_true (append (record, line, again, &error));
            g_assert_no_error (error);
          }
      }
  known = line ? kiln_line_record_list (line, &error) : kiln_production_record_list (record, &error);
  g_assert_no_error (error);
  if (line != NULL)
    make_consumed ();
}

/* The entries of the record the view reads: the line's, or the station's. */
static GPtrArray *
list_entries (KilnProductionRecord *record)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = line_conninfo ? kiln_line_record_list (kiln_production_record_get_line (record), &error)
                                     : kiln_production_record_list (record, &error);

  g_assert_no_error (error);
  return entries;
}

/* The item of an open menu whose text is @text (its label, without the mnemonic). */
static gboolean
is_label_reading (GtkWidget     *widget,
                  gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static GtkWidget *
find_item (GtkWidget  *root,
           const char *text)
{
  GtkWidget *label = kiln_test_find_widget (root, is_label_reading, text);

  return label != NULL ? gtk_widget_get_parent (label) : NULL;
}

/* The button (toggle, menu) of @root whose label is @label. */
static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  if (GTK_IS_BUTTON (widget))
    return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
  return GTK_IS_MENU_BUTTON (widget) && g_strcmp0 (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)), label) == 0;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  return kiln_test_find_widget (root, is_button_labelled, label);
}

/* The @nth widget of @type in @root, depth first (*@nth counts down). */
static GtkWidget *
find_nth (GtkWidget *root,
          GType      type,
          guint     *nth)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && (*nth)-- == 0)
        return w;
      if ((found = find_nth (w, type, nth)) != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type,
           guint      nth)
{
  return find_nth (root, type, &nth);
}

static gboolean
is_menu_button_with_icon (GtkWidget     *widget,
                          gconstpointer  icon_name)
{
  return GTK_IS_MENU_BUTTON (widget)
         && g_strcmp0 (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)), icon_name) == 0;
}

static GtkWidget *
find_menu_button (GtkWidget  *root,
                  const char *icon_name)
{
  return kiln_test_find_widget (root, is_menu_button_with_icon, icon_name);
}

/* The text of the figure whose caption starts with @caption. */
static const char *
figure (GtkWidget  *root,
        const char *caption)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      const char *found;

      if (gtk_widget_has_css_class (w, "line-figure"))
        {
          GtkWidget *value = gtk_widget_get_first_child (w);
          GtkWidget *label = gtk_widget_get_next_sibling (value);

          if (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (label)), caption))
            return gtk_label_get_label (GTK_LABEL (value));
        }
      if ((found = figure (w, caption)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
view_open (gpointer data)
{
  return kiln_test_find_toplevel (KILN_TYPE_LINE_VIEW) != NULL;
}

static gboolean
chooser_open (gpointer data)
{
  return kiln_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

static guint updates_wanted;

static gboolean
updated (gpointer data)
{
  return kiln_line_view_get_n_updates (data) >= updates_wanted;
}

static void
wait_update (KilnLineView *view,
             guint         before)
{
  updates_wanted = before + 1;
  g_assert_true (kiln_test_spin_until (updated, view, 30000));
}

static gboolean
window_ready (gpointer data)
{
  return kiln_production_window_is_ready (data);
}

static gboolean
line_connected (gpointer data)
{
  KilnProductionRecord *record = kiln_production_window_get_record (data);

  return record != NULL && kiln_production_record_get_line (record) != NULL;
}

static gboolean
slot_done (gpointer data)
{
  KilnProductionSlotState state = kiln_production_slot_get_state (data);

  return !kiln_production_slot_is_busy (data)
         && (state == KILN_PRODUCTION_SLOT_PASS || state == KILN_PRODUCTION_SLOT_FAIL);
}

static gboolean
file_there (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

/* Types @text with real key presses (digits, letters, '-', ':', ' '). */
static void
type_text (GtkWindow  *window,
           const char *text)
{
  g_autoptr(GString) keys = g_string_new (NULL);

  for (const char *c = text; *c; c++)
    {
      if (keys->len)
        g_string_append_c (keys, ' ');
      if (*c == '-')
        g_string_append (keys, "minus");
      else if (*c == ':')
        g_string_append (keys, "colon");
      else if (*c == ' ')
        g_string_append (keys, "space");
      else if (g_ascii_isupper (*c))
        g_string_append_printf (keys, "shift+%c", g_ascii_tolower (*c));
      else
        g_string_append_c (keys, *c);
    }
  kiln_test_input_keys (window, keys->str);
}

/* The view shows what the core computes for [@since, @until). */
static void
assert_figures (KilnLineView *view,
                gint64        since,
                gint64        until,
                guint         boards)
{
  g_autoptr(KilnProductionStats) want = kiln_production_stats_compute (known, since, until);
  const KilnProductionStats *shown = kiln_line_view_get_stats (view);
  g_autofree char *n = g_strdup_printf ("%u", want->boards);
  g_autofree char *failed = g_strdup_printf ("%u", want->failed);
  g_autofree char *yield = g_strdup_printf ("%.1f %%", 100.0 * want->first_pass_yield);
  KilnLineChart *hours = KILN_LINE_CHART (find_type (GTK_WIDGET (view), KILN_TYPE_LINE_CHART, 0));
  KilnLineChart *causes = KILN_LINE_CHART (find_type (GTK_WIDGET (view), KILN_TYPE_LINE_CHART, 1));

  g_assert_nonnull (shown);
  g_assert_cmpint (shown->since, ==, since);
  g_assert_cmpint (shown->until, ==, until);
  g_assert_cmpuint (want->boards, ==, boards);
  g_assert_cmpstr (figure (GTK_WIDGET (view), "Boards"), ==, n);
  g_assert_cmpstr (figure (GTK_WIDGET (view), "Failed attempts"), ==, failed);
  g_assert_cmpstr (figure (GTK_WIDGET (view), "First-pass yield"), ==, yield);
  g_assert_cmpuint (kiln_line_chart_get_n_bars (hours), ==, want->hours->len);
  g_assert_cmpuint (kiln_line_chart_get_n_bars (causes), ==, want->causes->len);
  if (want->causes->len > 0)
    g_assert_cmpuint (kiln_line_chart_get_max (causes), ==,
                      ((KilnStatsCount *) g_ptr_array_index (want->causes, 0))->count);
}

/* The serial numbers consumed the view shows for its range: from the line,
 * @want of them, as many as the line says, each cause with its count; from
 * a station's record, which cannot tell, a dash saying so. */
static void
assert_consumed (KilnLineView *view,
                 guint         want)
{
  const KilnProductionStats *shown = kiln_line_view_get_stats (view);
  GtkWidget *heading = kiln_test_find_widget (GTK_WIDGET (view), is_label_reading, "Why serial numbers were consumed");
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnLineRecord) line = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) times = NULL;
  g_autoptr(GPtrArray) causes = NULL;
  g_autoptr(KilnProductionStats) expected = NULL;
  g_autofree char *n = NULL;

  g_assert_nonnull (heading);
  if (line_conninfo == NULL)
    {
      g_assert_cmpint (shown->consumed, ==, -1);
      g_assert_cmpstr (figure (GTK_WIDGET (view), "Numbers consumed (only a line database records them)"), ==,
                       "—");
      g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (heading)));
      return;
    }
  line = kiln_line_record_open (line_conninfo, &error);
  g_assert_no_error (error);
  rows = kiln_line_record_list_serials (line, &error);
  g_assert_no_error (error);
  kiln_line_serials_consumed (rows, &times, &causes);
  expected = kiln_production_stats_compute (known, shown->since, shown->until);
  kiln_production_stats_count_consumed (expected, times, causes);
  g_assert_cmpint (expected->consumed, ==, want);
  g_assert_cmpint (shown->consumed, ==, want);
  n = g_strdup_printf ("%u", want);
  g_assert_cmpstr (figure (GTK_WIDGET (view), "Numbers consumed without a result"), ==, n);
  g_assert_true (gtk_widget_get_mapped (heading));
  if (want == 0)
    g_assert_nonnull (kiln_test_find_widget (gtk_widget_get_parent (heading), is_label_reading, "None in this range"));
  for (guint i = 0; i < expected->consumed_causes->len; i++)
    {
      const KilnStatsCount *c = g_ptr_array_index (expected->consumed_causes, i);
      GtkWidget *why = kiln_test_find_widget (gtk_widget_get_parent (heading), is_label_reading, c->key);
      g_autofree char *count = g_strdup_printf ("%u", c->count);

      g_assert_nonnull (why);
      g_assert_true (gtk_widget_get_mapped (why));
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_widget_get_prev_sibling (why))), ==, count);
    }
}

static void
resize_and_shoot (GtkWindow  *window,
                  int         width,
                  int         height,
                  const char *name)
{
  int dw, dh;

  /* The window's frame takes a few pixels of its default size: ask for as
   * many more, so that the picture is @width × @height. The picture shows
   * the view as a glance finds it, without the keyboard focus ring. */
  gtk_window_set_focus_visible (window, FALSE);
  gtk_window_set_default_size (window, width, height);
  kiln_test_spin (300);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  dw = width - gtk_widget_get_width (GTK_WIDGET (window));
  dh = height - gtk_widget_get_height (GTK_WIDGET (window));
  gtk_window_set_default_size (window, width + dw, height + dh);
  kiln_test_spin (300);
  kiln_test_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), ==, height);
  kiln_test_save_screenshot (GTK_WIDGET (window), name);
}

static void
test_line_view (void)
{
  g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);
  g_autofree char *export_path = g_build_filename (tmp_dir, "line-record.csv", NULL);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (tmp_dir);
  g_autoptr(GPtrArray) in_range = NULL;
  KilnProductionWindow *station;
  KilnLineView *view;
  GtkWidget *menu, *item, *button, *entry;
  guint before;

  g_assert_true (g_file_set_contents (sim, "[probe]\n[board]\n", -1, NULL));
  if (line_conninfo != NULL)
    {
      g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

      g_settings_set_string (settings, "line-database", line_conninfo);
    }
  station = kiln_production_window_new (ADW_APPLICATION (g_application_get_default ()), TRUE, db_path);
  gtk_window_set_default_size (GTK_WINDOW (station), 1100, 760);
  gtk_window_present (GTK_WINDOW (station));
  g_assert_true (kiln_test_spin_until (window_ready, station, 20000));
  kiln_test_wait_drawn (GTK_WIDGET (station));

  /* The operator gives a name (the person button), then programs a board:
   * its record names the operator, the slot and the profile's signer. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) entries = NULL;
    KilnProductionEntry *last;
    GtkWidget *person = find_menu_button (GTK_WIDGET (station), "avatar-default-symbolic");

    g_assert_true (kiln_production_window_open_profile (station, profile_path, &error));
    g_assert_no_error (error);
    /* The station connects to its line (off the main thread) for the profile's record. */
    if (line_conninfo != NULL)
      g_assert_true (kiln_test_spin_until (line_connected, station, 30000));
    g_assert_nonnull (person);
    kiln_test_input_click (person);
    kiln_test_spin (200);
    entry = find_type (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (person))), GTK_TYPE_ENTRY, 0);
    kiln_test_wait_drawn (entry);
    kiln_test_input_click (entry);
    type_text (GTK_WINDOW (station), "Ann Lee");
    kiln_test_input_keys (GTK_WINDOW (station), "Escape");
    kiln_test_spin (200);
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (person)))));
    kiln_test_input_keys (GTK_WINDOW (station), "space");
    g_assert_true (kiln_test_spin_until (slot_done, kiln_production_window_get_slot (station, 0), 60000));
    entries = list_entries (kiln_production_window_get_record (station));
    g_assert_cmpuint (entries->len, ==, known->len + 1);
    if (line_conninfo != NULL)
      {
        /* The station's own record has its board, and only that. */
        g_autoptr(GPtrArray) own = kiln_production_record_list (kiln_production_window_get_record (station), &error);

        g_assert_no_error (error);
        g_assert_cmpuint (own->len, ==, 1);
      }
    last = g_ptr_array_index (entries, entries->len - 1);
    g_assert_true (last->pass);
    g_assert_cmpstr (last->operator_name, ==, "Ann Lee");
    g_assert_cmpstr (last->slot, ==, "1");
    g_assert_cmpstr (last->profile_key, ==, signer);
    g_assert_cmpuint (strlen (last->profile_sha256), ==, 64);
  }

  /* The station's menu opens the Line view over its record. */
  menu = find_menu_button (GTK_WIDGET (station), "open-menu-symbolic");
  g_assert_nonnull (menu);
  kiln_test_input_click (menu);
  kiln_test_spin (200);
  item = find_item (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu))), "Line View");
  g_assert_nonnull (item);
  kiln_test_wait_drawn (item);
  kiln_test_input_click (item);
  g_assert_true (kiln_test_spin_until (view_open, NULL, 20000));
  view = KILN_LINE_VIEW (kiln_test_find_toplevel (KILN_TYPE_LINE_VIEW));
  gtk_window_set_default_size (GTK_WINDOW (view), 1100, 800);
  kiln_test_wait_drawn (GTK_WIDGET (view));
  g_assert_cmpint (kiln_line_view_get_range (view), ==, KILN_LINE_RANGE_SHIFT);
  /* The view names what it reads: the line's database, or the station's file. */
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (find_type (GTK_WIDGET (view),
                                                                                 ADW_TYPE_WINDOW_TITLE, 0))),
                   ==,
                   line_conninfo ? kiln_line_record_get_name (kiln_production_record_get_line (
                                     kiln_production_window_get_record (station)))
                                 : db_path);

  /* 16:30: the shift is 08:30 to 16:30. */
  before = kiln_line_view_get_n_updates (view);
  kiln_line_view_set_now (view, at (16, 30));
  wait_update (view, before);
  /* 08:00's boards come at minutes 0, 5, 11 … 53: four of them after 08:30. */
  assert_figures (view, at (8, 30), at (16, 30) + 1, 70);

  /* Day: a click. */
  button = find_button (GTK_WIDGET (view), "_Day");
  before = kiln_line_view_get_n_updates (view);
  kiln_test_input_click (button);
  wait_update (view, before);
  g_assert_cmpint (kiln_line_view_get_range (view), ==, KILN_LINE_RANGE_DAY);
  assert_figures (view, at (0, 0), at (0, 0) + 24 * 3600, 76);
  /* The line's numbers were spent today, not on the day shown. */
  assert_consumed (view, 0);
  /* Against the line, pictures of their own (the subtitle names the database). */
  resize_and_shoot (GTK_WINDOW (view), 1920, 1080, line_conninfo ? "line-view-pg-1920x1080.png"
                                                                 : "line-view-1920x1080.png");
  resize_and_shoot (GTK_WINDOW (view), 1024, 600, line_conninfo ? "line-view-pg-1024x600.png"
                                                                : "line-view-1024x600.png");
  gtk_window_set_default_size (GTK_WINDOW (view), 1100, 800);
  kiln_test_spin (200);

  /* Custom: a range that is not one is refused, in words, and nothing changes. */
  button = find_button (GTK_WIDGET (view), "_Custom…");
  kiln_test_input_click (button);
  kiln_test_spin (200);
  entry = find_type (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))), GTK_TYPE_ENTRY, 0);
  kiln_test_wait_drawn (entry);
  kiln_test_input_click (entry);
  type_text (GTK_WINDOW (view), "tomorrow");
  before = kiln_line_view_get_n_updates (view);
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  kiln_test_spin (200);
  g_assert_cmpuint (kiln_line_view_get_n_updates (view), ==, before);
  g_assert_cmpint (kiln_line_view_get_range (view), ==, KILN_LINE_RANGE_DAY);
  g_assert_true (gtk_widget_get_visible (find_type (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))),
                                                    GTK_TYPE_ENTRY, 0)));

  /* 09:00 to 11:00, typed. */
  kiln_test_input_keys (GTK_WINDOW (view), "ctrl+a");
  type_text (GTK_WINDOW (view), "2026-03-10 09:00");
  kiln_test_input_keys (GTK_WINDOW (view), "Tab");
  type_text (GTK_WINDOW (view), "2026-03-10 11:00");
  kiln_test_input_keys (GTK_WINDOW (view), "Return");
  wait_update (view, before);
  g_assert_cmpint (kiln_line_view_get_range (view), ==, KILN_LINE_RANGE_CUSTOM);
  assert_figures (view, at (9, 0), at (11, 0), 6 + 11);

  /* Export of the range: the menu, CSV, the file chooser's Export. */
  kiln_line_view_set_export_folder (view, folder);
  menu = find_menu_button (GTK_WIDGET (view), "document-save-as-symbolic");
  g_assert_nonnull (menu);
  kiln_test_input_click (menu);
  kiln_test_spin (200);
  item = find_item (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu))), "Export Range as CSV…");
  g_assert_nonnull (item);
  kiln_test_wait_drawn (item);
  kiln_test_input_click (item);
  g_assert_true (kiln_test_spin_until (chooser_open, NULL, 20000));
  kiln_test_wait_drawn (GTK_WIDGET (kiln_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG)));
  kiln_test_input_keys (kiln_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG), "Return");
  g_assert_true (kiln_test_spin_until (file_there, export_path, 20000));
  kiln_test_spin (200);
  g_assert_true (g_file_get_contents (export_path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\r\n", -1);
  in_range = kiln_production_stats_filter (known, at (9, 0), at (11, 0));
  /* The header, one row per attempt of the range, the empty end. */
  g_assert_cmpuint (g_strv_length (lines), ==, in_range->len + 2);
  g_assert_true (g_str_has_prefix (lines[0], "id,time,station"));
  g_assert_true (g_str_has_prefix (strchr (lines[1], ',') + 1, "2026-03-10T09:"));

  /* All: the fixture and the board programmed above. */
  button = find_button (GTK_WIDGET (view), "_All");
  before = kiln_line_view_get_n_updates (view);
  kiln_test_input_click (button);
  wait_update (view, before);
  g_assert_cmpint (kiln_line_view_get_range (view), ==, KILN_LINE_RANGE_ALL);
  g_assert_cmpuint (kiln_line_view_get_stats (view)->boards, ==, 76 + 1);
  g_assert_cmpuint (kiln_line_view_get_stats (view)->attempts, ==, known->len + 1);
  /* Two numbers spent as the station stopped, one the line did not take. */
  assert_consumed (view, 3);
  if (line_conninfo != NULL)
    {
      g_assert_cmpuint (kiln_line_view_get_stats (view)->consumed_causes->len, ==, 2);
      g_assert_cmpuint (((KilnStatsCount *) g_ptr_array_index (kiln_line_view_get_stats (view)->consumed_causes, 0))->count,
                        ==, 2);
      /* A picture of the whole line, with the numbers consumed and why. */
      resize_and_shoot (GTK_WINDOW (view), 1920, 1080, "line-view-pg-all-1920x1080.png");
      gtk_window_set_default_size (GTK_WINDOW (view), 1100, 800);
      kiln_test_spin (200);
    }

  if (line_conninfo != NULL)
    {
      /* The station's line database is set again (the same one, written
       * otherwise) while the view keeps the line it was opened with: the
       * station connects anew and its name goes with the new connection,
       * so it is not refused as a second station of that name. */
      g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
      g_autofree char *again = g_strconcat (line_conninfo, " connect_timeout=10", NULL);

      g_settings_set_string (settings, "line-database", again);
      g_assert_null (kiln_production_record_get_line (kiln_production_window_get_record (station)));
      g_assert_true (kiln_test_spin_until (line_connected, station, 30000));
    }

  /* The station programs the board again: the view follows by itself. */
  before = kiln_line_view_get_n_updates (view);
  kiln_test_input_keys (GTK_WINDOW (station), "space");
  wait_update (view, before);
  g_assert_true (kiln_test_spin_until (slot_done, kiln_production_window_get_slot (station, 0), 60000));
  g_assert_cmpuint (kiln_line_view_get_stats (view)->boards, ==, 76 + 1);
  g_assert_cmpuint (kiln_line_view_get_stats (view)->attempts, ==, known->len + 2);

  gtk_window_destroy (GTK_WINDOW (view));
  gtk_window_destroy (GTK_WINDOW (station));
  kiln_test_spin (100);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  int status;

  /* The record's times and the view's hours in one zone, whatever the machine's. */
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* Before GLib caches it: the station's trusted keys are the test's. */
  {
    g_autofree char *config = g_build_filename (g_get_tmp_dir (), "kiln-line-view-ui-config-XXXXXX", NULL);

    g_assert_nonnull (g_mkdtemp (config));
    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  }
  tmp_dir = g_dir_make_tmp ("kiln-line-view-ui-XXXXXX", NULL);
  /* The bench every window here opens, set before GTK starts its threads
   * (setenv() is not safe once they run; each test rewrites the file). */
  {
    g_autofree char *sim = g_build_filename (tmp_dir, "sim.ini", NULL);

    g_setenv ("KILN_SIM", sim, TRUE);
  }
  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.LineViewTest");

  line_conninfo = g_getenv ("KILN_TEST_LINE");
  db_path = g_build_filename (tmp_dir, "production.db", NULL);
  make_record ();
  make_profile ();

  g_test_add_func ("/Kiln/Production/ui/line-view", test_line_view);
  status = g_test_run ();
  g_clear_pointer (&known, g_ptr_array_unref);
  g_free (db_path);
  g_free (profile_path);
  g_free (signer);
  g_free (tmp_dir);
  return status;
}
