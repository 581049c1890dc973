/* kiln-application.c — the Kiln application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-application-private.h"
#include "kiln-help-window.h"
#include "kiln-preferences-window-private.h"
#include "kiln-line-view-private.h"
#include "kiln-production-window-private.h"
#include "kiln-window-private.h"

#define SIMULATOR_CHIP "STM32F746NG"

struct _KilnApplication
{
  AdwApplication  parent_instance;

  gboolean        simulator;
  char           *chip;
  char           *production;   /* --production PROFILE */
};

G_DEFINE_FINAL_TYPE (KilnApplication, kiln_application, ADW_TYPE_APPLICATION)

static KilnWindow *
get_window (KilnApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (KILN_IS_WINDOW (window))
    return KILN_WINDOW (window);

  window = GTK_WINDOW (kiln_window_new (ADW_APPLICATION (self)));
  if (self->simulator)
    kiln_window_set_simulator (KILN_WINDOW (window), TRUE);
  if (self->chip != NULL || self->simulator)
    kiln_window_set_chip_name (KILN_WINDOW (window),
                               self->chip != NULL ? self->chip : SIMULATOR_CHIP);
  return KILN_WINDOW (window);
}

static void
kiln_application_activate (GApplication *app)
{
  KilnApplication *self = KILN_APPLICATION (app);
  gboolean first = gtk_application_get_active_window (GTK_APPLICATION (app)) == NULL;
  KilnWindow *window;

  if (first && self->production != NULL)
    {
      KilnProductionWindow *station = kiln_production_window_new (ADW_APPLICATION (app), self->simulator, NULL);
      g_autoptr(GError) error = NULL;

      /* A profile that cannot be opened is shown in the window. */
      kiln_production_window_open_profile (station, self->production, &error);
      gtk_window_present (GTK_WINDOW (station));
      return;
    }
  window = get_window (self);

  if (first && self->simulator)
    kiln_window_open_sample (window);
  gtk_window_present (GTK_WINDOW (window));
}

static void
kiln_application_open (GApplication  *app,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  KilnWindow *window = get_window (KILN_APPLICATION (app));

  /* One firmware file at a time: the last one given wins. */
  if (n_files > 0)
    kiln_window_open_file (window, files[n_files - 1]);
  gtk_window_present (GTK_WINDOW (window));
}

static int
kiln_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  KilnApplication *self = KILN_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("kiln %s\n", PACKAGE_VERSION);
      return 0;
    }
  self->simulator = g_variant_dict_contains (options, "simulator");
  g_variant_dict_lookup (options, "chip", "s", &self->chip);
  g_variant_dict_lookup (options, "production", "^ay", &self->production);
  return -1;
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  KilnApplication *self = user_data;
  GtkWindow *window = kiln_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)));

  gtk_window_present (window);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  KilnApplication *self = user_data;
  const char *developers[] = { _("The Kiln developers"), NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Kiln"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Program STM32 microcontrollers through an ST-LINK probe"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         /* Translators: put your name here */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
production_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  KilnApplication *self = user_data;
  gboolean simulator = self->simulator;
  KilnProductionWindow *station;

  /* The station works on the probes the main window works on: a window
   * switched to the simulator with its button (not on the command line)
   * would otherwise leave the station looking for ST-LINKs on USB and
   * saying none is attached. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (KILN_IS_WINDOW (l->data) && kiln_window_uses_simulator (l->data))
      simulator = TRUE;
  station = kiln_production_window_new (ADW_APPLICATION (self), simulator, NULL);
  gtk_window_present (GTK_WINDOW (station));
}

/* The Line view over the record of an open station (and its line), or over
 * the station's default record. */
static void
line_view_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  KilnApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "kiln", "production.db", NULL);
  KilnLineRecord *line = NULL;
  KilnLineView *view;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (KILN_IS_PRODUCTION_WINDOW (l->data) && kiln_production_window_get_record (l->data) != NULL)
      {
        KilnProductionRecord *record = kiln_production_window_get_record (l->data);

        g_free (path);
        path = g_strdup (kiln_production_record_get_path (record));
        line = kiln_production_record_get_line (record);
        break;
      }
  view = kiln_line_view_new (parent, path, line);
  gtk_window_present (GTK_WINDOW (view));
}

static void
help_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  kiln_help_window_present (parent, g_variant_get_string (param, NULL));
}

static const GActionEntry app_actions[] = {
  { "help", help_action, "s" },
  { "production", production_action },
  { "line-view", line_view_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
kiln_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (kiln_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  /* Dark style follows the system (libadwaita's default, stated here on purpose). */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

static void
kiln_application_finalize (GObject *object)
{
  KilnApplication *self = KILN_APPLICATION (object);

  g_clear_pointer (&self->chip, g_free);
  g_clear_pointer (&self->production, g_free);
  G_OBJECT_CLASS (kiln_application_parent_class)->finalize (object);
}

static void
kiln_application_class_init (KilnApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = kiln_application_finalize;
  app_class->activate = kiln_application_activate;
  app_class->open = kiln_application_open;
  app_class->startup = kiln_application_startup;
  app_class->handle_local_options = kiln_application_handle_local_options;
}

static void
kiln_application_init (KilnApplication *self)
{
  const GOptionEntry entries[] = {
    { "simulator", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Open on the built-in simulated board with a sample firmware"), NULL },
    { "chip", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Assume this target chip, e.g. STM32F767ZI"), N_("NAME") },
    { "production", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open the production station with this signed profile"), N_("PROFILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE]"));
}

KilnApplication *
kiln_application_new (void)
{
  return g_object_new (KILN_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/kiln/Kiln",
                       NULL);
}
