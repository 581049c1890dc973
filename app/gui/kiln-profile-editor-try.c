/* kiln-profile-editor-try.c — Try on One Board: the profile as the form holds
 * it (checked as a station checks it), run by the production job on the
 * worker of the current probe, PASS or FAIL
 *
 * A trial is not production: its entry, and the serial number it takes,
 * go to a throwaway record made for the trial and removed after it, never
 * to the station's record. A profile with serial numbers therefore writes
 * the series' first number (its start) into the trial board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "kiln-production-job.h"
#include "kiln-profile-editor-private.h"

typedef struct
{
  KilnProfileEditor    *self;
  KilnProductionJob    *job;
  KilnProductionRecord *record;
  char                 *dir;
} Trial;

/* The throwaway record's folder and everything SQLite left in it. */
static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
trial_free (Trial *trial)
{
  g_clear_pointer (&trial->job, kiln_production_job_free);
  g_clear_object (&trial->record);
  if (trial->dir != NULL)
    remove_dir (trial->dir);
  g_free (trial->dir);
  g_clear_object (&trial->self);
  g_free (trial);
}

static void
show (KilnProfileEditor    *self,
      KilnProfileEditorTry  state,
      const char           *text)
{
  self->try_state = state;
  gtk_label_set_label (self->try_label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->try_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->try_label), "error");
  if (state == KILN_PROFILE_EDITOR_TRY_PASS)
    gtk_widget_add_css_class (GTK_WIDGET (self->try_label), "success");
  else if (state == KILN_PROFILE_EDITOR_TRY_FAIL)
    gtk_widget_add_css_class (GTK_WIDGET (self->try_label), "error");
  gtk_widget_set_sensitive (self->try_button, self->session != NULL && state != KILN_PROFILE_EDITOR_TRY_RUNNING);
}

static void
trial_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Trial *trial = user_data;
  KilnProfileEditor *self = trial->self;
  const KilnProductionEntry *entry = trial->job->entry;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* The editor was closed: nothing to show it in. */
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      trial_free (trial);
      return;
    }
  if (!kiln_session_run_finish (KILN_SESSION (source), result, &error))
    {
      const char *advice = kiln_production_advice (error);

      /* Translators: the trial's result: FAIL, the cause, and what to do */
      text = g_strdup_printf (_("FAIL: %s%s%s"), error->message, advice ? " " : "", advice ? advice : "");
      show (self, KILN_PROFILE_EDITOR_TRY_FAIL, text);
    }
  else if (entry != NULL && entry->serial_number != NULL)
    {
      /* Translators: the trial's result; %s is the serial number written */
      text = g_strdup_printf (_("PASS: programmed and verified, serial number %s written. A trial: it is not in "
                                "the station's record."),
                              entry->serial_number);
      show (self, KILN_PROFILE_EDITOR_TRY_PASS, text);
    }
  else
    show (self, KILN_PROFILE_EDITOR_TRY_PASS,
          _("PASS: programmed and verified. A trial: it is not in the station's record."));
  trial_free (trial);
}

void
_kiln_profile_editor_try (KilnProfileEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionProfile) profile = NULL;
  g_autofree char *db = NULL;
  g_autofree char *station = NULL;
  Trial *trial;

  if (self->session == NULL || self->try_state == KILN_PROFILE_EDITOR_TRY_RUNNING)
    return;
  profile = kiln_profile_editor_check (self, &error);
  if (profile == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Not tried: %s"), error->message);

      show (self, KILN_PROFILE_EDITOR_TRY_FAIL, text);
      return;
    }
  trial = g_new0 (Trial, 1);
  trial->self = g_object_ref (self);
  trial->dir = g_dir_make_tmp ("kiln-trial-XXXXXX", &error);
  if (trial->dir != NULL)
    {
      db = g_build_filename (trial->dir, "trial.db", NULL);
      trial->record = kiln_production_record_open (db, &error);
    }
  if (trial->record == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Not tried: %s"), error->message);

      show (self, KILN_PROFILE_EDITOR_TRY_FAIL, text);
      trial_free (trial);
      return;
    }
  /* Translators: the station name a trial is recorded under (in the throwaway record) */
  station = g_strdup_printf (_("%s (trial)"), g_get_host_name ());
  trial->job = kiln_production_job_new (profile, trial->record, NULL, self->info, station);
  show (self, KILN_PROFILE_EDITOR_TRY_RUNNING, _("Programming one board…"));
  kiln_session_run_async (self->session, kiln_production_job_run, trial->job, NULL, NULL, self->cancellable,
                          trial_done_cb, trial);
}

void
kiln_profile_editor_set_probe (KilnProfileEditor *self,
                               KilnSession       *session,
                               KilnUsbProbeInfo  *info)
{
  g_return_if_fail (KILN_IS_PROFILE_EDITOR (self));

  if (session == NULL || info == NULL)
    session = NULL, info = NULL;
  g_set_object (&self->session, session);
  g_set_object (&self->info, info);
  gtk_widget_set_tooltip_text (self->try_button,
                               self->session ? _("Program the board on the current probe with this profile, as a "
                                                 "trial kept out of the station's record")
                                             : _("No probe: choose one in the main window first"));
  gtk_widget_set_sensitive (self->try_button,
                            self->session != NULL && self->try_state != KILN_PROFILE_EDITOR_TRY_RUNNING);
  if (self->try_state == KILN_PROFILE_EDITOR_TRY_NONE)
    gtk_label_set_label (self->try_label, self->session ? "" : _("No probe: choose one in the main window first"));
}

KilnProfileEditorTry
kiln_profile_editor_get_try (KilnProfileEditor *self)
{
  return self->try_state;
}
