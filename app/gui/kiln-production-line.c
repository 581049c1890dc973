/* kiln-production-line.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-line-record.h"
#include "kiln-production-line-private.h"

struct _KilnProductionLine
{
  GSettings            *settings;
  KilnProductionRecord *record;
  char                 *problem;
  GCancellable         *cancellable;  /* the database being opened */
  KilnLineRecord       *claimed;      /* the line last given to the record: it holds the station's name */
  GCallback             changed;
  gpointer              data;
};

static void
notify (KilnProductionLine *self)
{
  ((void (*) (gpointer)) self->changed) (self->data);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnLineRecord) line = g_task_propagate_pointer (G_TASK (result), &error);
  KilnProductionLine *self = user_data;

  /* Cancelled: @self may be gone (or connects again). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->problem, g_free);
  if (line != NULL)
    {
      kiln_production_record_set_line (self->record, line);
      g_set_object (&self->claimed, line);
    }
  else if (error != NULL)
    self->problem = g_strdup (error->message);
  notify (self);
}

typedef struct
{
  char           *conninfo;
  KilnLineRecord *old;      /* the line the record had, which may live on (a Line view holds it) */
} Open;

static void
open_free (Open *open)
{
  g_free (open->conninfo);
  g_clear_object (&open->old);
  g_free (open);
}

static void
open_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  Open *open = data;
  GError *error = NULL;
  KilnLineRecord *line = NULL;

  /* The station's name goes with the record's new line, not the old one. */
  if (open->old != NULL)
    kiln_line_record_release_station (open->old);
  if (open->conninfo != NULL)
    line = kiln_line_record_open (open->conninfo, &error);

  /* The station runs under its host name (as the production window
   * records it): two windows on one line cannot both be that station. */
  if (line != NULL && !kiln_line_record_claim_station (line, g_get_host_name (), NULL, NULL, &error))
    g_clear_object (&line);
  if (g_task_return_error_if_cancelled (task))
    g_clear_object (&line);
  else if (open->conninfo == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else if (line == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, line, g_object_unref);
  g_clear_error (&error);
}

static void
connect_line (KilnProductionLine *self)
{
  g_autofree char *conninfo = g_settings_get_string (self->settings, "line-database");
  g_autoptr(GTask) task = NULL;
  Open *open;

  if (self->record == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->problem, g_free);
  kiln_production_record_set_line (self->record, NULL);
  if (*g_strstrip (conninfo) != '\0' || self->claimed != NULL)
    {
      open = g_new0 (Open, 1);
      open->conninfo = *conninfo != '\0' ? g_steal_pointer (&conninfo) : NULL;
      open->old = g_steal_pointer (&self->claimed);
      self->cancellable = g_cancellable_new ();
      if (open->conninfo != NULL)
        self->problem = g_strdup (_("Connecting to the line database…"));
      task = g_task_new (NULL, self->cancellable, opened_cb, self);
      g_task_set_task_data (task, open, (GDestroyNotify) open_free);
      g_task_run_in_thread (task, open_thread);
    }
  notify (self);
}

KilnProductionLine *
kiln_production_line_new (GCallback changed,
                          gpointer  data)
{
  KilnProductionLine *self = g_new0 (KilnProductionLine, 1);

  self->changed = changed;
  self->data = data;
  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_swapped (self->settings, "changed::line-database", G_CALLBACK (connect_line), self);
  /* GSettings tells of changes to a key only once it has been read. */
  g_free (g_settings_get_string (self->settings, "line-database"));
  return self;
}

void
kiln_production_line_free (KilnProductionLine *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* The station's name is let go of off the main thread (a Line view may
   * keep the line open after the window). */
  if (self->claimed != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
      Open *open = g_new0 (Open, 1);

      open->old = g_steal_pointer (&self->claimed);
      g_task_set_task_data (task, open, (GDestroyNotify) open_free);
      g_task_run_in_thread (task, open_thread);
    }
  g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->record);
  g_free (self->problem);
  g_free (self);
}

void
kiln_production_line_attach (KilnProductionLine   *self,
                             KilnProductionRecord *record)
{
  g_set_object (&self->record, record);
  connect_line (self);
}

void
kiln_production_line_retry (KilnProductionLine *self)
{
  if (self->problem != NULL && self->cancellable == NULL)
    connect_line (self);
}

const char *
kiln_production_line_get_problem (KilnProductionLine *self)
{
  return self != NULL ? self->problem : NULL;
}
