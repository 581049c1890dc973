/* kiln-preferences-window.c — preferences, bound to GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-preferences-window-private.h"

#include "kiln-line-record.h"

struct _KilnPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  GtkSpinButton        *swd_clock;
  AdwComboRow          *verify_method;
  GtkSwitch            *verify;
  GtkSwitch            *skip_unchanged;
  GtkSwitch            *preserve_unwritten;
  GtkSwitch            *vpp;
  GtkSwitch            *reset_after;
  GtkSwitch            *connect_under_reset;
  AdwEntryRow          *line_database;
  GtkLabel             *line_database_problem;
};

G_DEFINE_FINAL_TYPE (KilnPreferencesWindow, kiln_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
verify_method_get (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  g_value_set_uint (value, g_strcmp0 (g_variant_get_string (variant, NULL), "readback") == 0 ? 1 : 0);
  return TRUE;
}

static GVariant *
verify_method_set (const GValue       *value,
                   const GVariantType *type,
                   gpointer            user_data)
{
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "readback" : "crc");
}

static void
kiln_preferences_window_finalize (GObject *object)
{
  KilnPreferencesWindow *self = KILN_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (kiln_preferences_window_parent_class)->finalize (object);
}

static void
kiln_preferences_window_class_init (KilnPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kiln_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kiln/Kiln/kiln-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, swd_clock);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, verify_method);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, verify);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, skip_unchanged);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, preserve_unwritten);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, vpp);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, reset_after);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, connect_under_reset);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, line_database);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, line_database_problem);
}

/* A password in the connection string would sit in plain text in the
 * settings, readable by anything that can read the user's files: it is
 * refused, with where it belongs instead. */
static gboolean
line_database_check (KilnPreferencesWindow *self,
                     const char            *conninfo)
{
  gboolean bad = kiln_line_conninfo_has_password (conninfo);

  gtk_widget_set_visible (GTK_WIDGET (self->line_database_problem), bad);
  if (bad)
    gtk_widget_add_css_class (GTK_WIDGET (self->line_database), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->line_database), "error");
  return !bad;
}

/* The line database is taken when applied (Enter or the row's button), not
 * at each key: the production window connects to each new value. */
static void
line_database_apply_cb (KilnPreferencesWindow *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->line_database)));

  if (line_database_check (self, g_strstrip (text)))
    g_settings_set_string (self->settings, "line-database", text);
}

static void
kiln_preferences_window_init (KilnPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "swd-clock", self->swd_clock, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "verify", self->verify, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "skip-unchanged", self->skip_unchanged, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "preserve-unwritten", self->preserve_unwritten, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "vpp", self->vpp, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reset-after", self->reset_after, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "connect-under-reset", self->connect_under_reset, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "verify-method", self->verify_method, "selected",
                                G_SETTINGS_BIND_DEFAULT, verify_method_get, verify_method_set,
                                NULL, NULL);
  g_object_bind_property (self->verify, "active", self->verify_method, "sensitive", G_BINDING_SYNC_CREATE);
  {
    g_autofree char *line = g_settings_get_string (self->settings, "line-database");

    gtk_editable_set_text (GTK_EDITABLE (self->line_database), line);
    /* A password saved by an older Kiln is pointed out as well. */
    line_database_check (self, line);
  }
  g_signal_connect_object (self->line_database, "apply", G_CALLBACK (line_database_apply_cb), self,
                           G_CONNECT_SWAPPED);
}

GtkWindow *
kiln_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (KILN_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
