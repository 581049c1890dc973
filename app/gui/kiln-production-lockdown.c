/* kiln-production-lockdown.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-production-lockdown-private.h"
#include "kiln-production-unlock-private.h"

struct _KilnProductionLockdown
{
  GtkWindow    *station;
  gboolean      on;
  char         *engineer_password;
  GPtrArray    *hide;            /* GtkWidget */
  GPtrArray    *show;            /* GtkWidget */
  GPtrArray    *actions;         /* char *: the station's actions */
  GPtrArray    *hidden_windows;  /* the application's others, hidden */
  GCancellable *cancellable;      /* while the engineer's password or key is asked */
};

/* The application's actions an operator must not reach. */
static const char *app_actions[] = { "preferences", "production" };

KilnProductionLockdown *
kiln_production_lockdown_new (GtkWindow *station)
{
  KilnProductionLockdown *self = g_new0 (KilnProductionLockdown, 1);

  self->station = station;
  self->hide = g_ptr_array_new ();
  self->show = g_ptr_array_new ();
  self->actions = g_ptr_array_new_with_free_func (g_free);
  self->hidden_windows = g_ptr_array_new_with_free_func (g_object_unref);
  return self;
}

static void
apply (KilnProductionLockdown *self,
       gboolean                on)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (self->station));

  self->on = on;
  for (guint i = 0; i < self->hide->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->hide, i), !on);
  for (guint i = 0; i < self->show->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->show, i), on);
  for (guint i = 0; i < self->actions->len; i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self->station), g_ptr_array_index (self->actions, i), !on);
  for (guint i = 0; app != NULL && i < G_N_ELEMENTS (app_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (app), app_actions[i]);

      if (G_IS_SIMPLE_ACTION (action))
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !on);
    }
  if (on && app != NULL)
    {
      /* The main window, with its option bytes and its own profiles. */
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
        if (l->data != (gpointer) self->station && gtk_widget_get_visible (l->data))
          {
            gtk_widget_set_visible (l->data, FALSE);
            g_ptr_array_add (self->hidden_windows, g_object_ref (l->data));
          }
    }
  else if (!on)
    {
      for (guint i = 0; i < self->hidden_windows->len; i++)
        gtk_window_present (g_ptr_array_index (self->hidden_windows, i));
      g_ptr_array_set_size (self->hidden_windows, 0);
    }
}

void
kiln_production_lockdown_free (KilnProductionLockdown *self)
{
  if (self == NULL)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->on)
    apply (self, FALSE);
  g_ptr_array_unref (self->hide);
  g_ptr_array_unref (self->show);
  g_ptr_array_unref (self->actions);
  g_ptr_array_unref (self->hidden_windows);
  g_free (self->engineer_password);
  g_free (self);
}

void
kiln_production_lockdown_hide (KilnProductionLockdown *self,
                               GtkWidget              *widget)
{
  g_ptr_array_add (self->hide, widget);
  gtk_widget_set_visible (widget, !self->on);
}

void
kiln_production_lockdown_show (KilnProductionLockdown *self,
                               GtkWidget              *widget)
{
  g_ptr_array_add (self->show, widget);
  gtk_widget_set_visible (widget, self->on);
}

void
kiln_production_lockdown_disable (KilnProductionLockdown *self,
                                  const char             *name)
{
  g_ptr_array_add (self->actions, g_strdup (name));
  gtk_widget_action_set_enabled (GTK_WIDGET (self->station), name, !self->on);
}

void
kiln_production_lockdown_enter (KilnProductionLockdown *self,
                                const char             *engineer_password)
{
  g_free (self->engineer_password);
  self->engineer_password = g_strdup (engineer_password);
  apply (self, TRUE);
}

static void
unlocked_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  KilnProductionLockdown *self = user_data;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  gboolean unlocked = kiln_production_unlock_finish (result, NULL);

  /* Only freeing the lockdown cancels the question: then @self is gone
   * (nothing of the station's is held for a callback that may come after
   * the process has ended, as in a test). */
  if (g_cancellable_is_cancelled (cancellable))
    return;
  g_clear_object (&self->cancellable);
  if (unlocked)
    apply (self, FALSE);
}

void
kiln_production_lockdown_ask (KilnProductionLockdown *self)
{
  if (!self->on || self->cancellable != NULL)
    return;
  self->cancellable = g_cancellable_new ();
  kiln_production_unlock_async (self->station, self->engineer_password, self->cancellable, unlocked_cb, self);
}

gboolean
kiln_production_lockdown_is_on (KilnProductionLockdown *self)
{
  return self->on;
}
