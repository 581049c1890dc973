/* test-window-station.c — the production station opened from the main
 * window works on the probes the main window works on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-application-private.h"
#include "kiln-production-window-private.h"
#include "kiln-test-window.h"

static gboolean
station_ready (gpointer data)
{
  return kiln_production_window_is_ready (data);
}

static KilnProductionWindow *
find_station (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (g_application_get_default ())); l != NULL; l = l->next)
    if (KILN_IS_PRODUCTION_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* The main window works on the simulated bench although the application
 * was not started with --simulator: the station opened from it lists the
 * bench's probe instead of saying no ST-LINK is attached. */
static void
test_station_sees_window_probe (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  KilnWindow *window = kiln_test_window_new (1024, 600);
  KilnProductionWindow *station;

  kiln_test_wait_identified (window);
  g_assert_true (kiln_window_uses_simulator (window));
  g_action_group_activate_action (G_ACTION_GROUP (g_application_get_default ()), "production", NULL);
  station = find_station ();
  g_assert_nonnull (station);
  g_assert_true (kiln_test_spin_until (station_ready, station, 30000));
  g_assert_cmpuint (kiln_production_window_get_n_slots (station), ==, 1);
  gtk_window_destroy (GTK_WINDOW (station));
  kiln_test_close (window, flash_path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KilnApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_application_new ();
  kiln_test_ui_register (G_APPLICATION (app));

  g_test_add_func ("/Kiln/UI/station-sees-window-probe", test_station_sees_window_probe);

  return g_test_run ();
}
