/* kiln-window-jobs.c — the main window's jobs: program, verify, erase, read, their dialogs and progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-ops-call-private.h"
#include "kiln-window-private.h"

/* The window starts a job of core/job (program, verify, erase, read) on the
 * probe session's worker, and the job's progress events arrive here on the
 * main thread: phase started → progress_revealer with phase_label,
 * progress_bar and progress_label; sector state changed →
 * kiln_memory_map_set_sector_state(); finished or failed → result_revealer. */


/* The overall bar and its line ("Writing sector 3 of 7 · 38 % · about
 * 5 s left"), and the phase's bytes and rate beside it. */
static void
show_meter (KilnWindow   *self,
            KilnProgress *progress)
{
  guint64 total = kiln_progress_get_total (progress);
  double rate = kiln_progress_get_rate (progress);
  double elapsed = (g_get_monotonic_time () - self->job_started) / (double) G_USEC_PER_SEC;
  g_autofree char *line = kiln_job_meter_dup_text (self->meter, elapsed);
  g_autoptr(GString) text = g_string_new (NULL);

  gtk_progress_bar_set_fraction (self->progress_bar, kiln_job_meter_get_fraction (self->meter));
  gtk_label_set_label (self->phase_label, line);
  if (total > 0)
    {
      g_autofree char *done_s = g_format_size_full (kiln_progress_get_done (progress), G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *total_s = g_format_size_full (total, G_FORMAT_SIZE_IEC_UNITS);

      /* Translators: bytes done / bytes in this phase */
      g_string_append_printf (text, _("%s of %s"), done_s, total_s);
    }
  if (rate > 0 && total > 0)
    {
      g_autofree char *rate_s = g_format_size_full ((guint64) rate, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: a transfer rate, e.g. "231.0 KiB/s" */
      g_string_append_printf (text, _(" · %s/s"), rate_s);
    }
  gtk_label_set_label (self->progress_label, text->str);
}

static char *
format_kib (guint64 bytes)
{
  return bytes % 1024 == 0 ? g_strdup_printf (_("%u KiB"), (guint) (bytes / 1024))
                           : g_strdup_printf (_("%.1f KiB"), bytes / 1024.0);
}

/* Once the job has compared the target with the file, the header says what
 * the plan is now: the sectors still to erase, those found blank (written
 * without an erase) or already right, and the job's estimate as it stands,
 * from the sector states and the estimate the job's phases carry. */
static void
show_checked_plan (KilnWindow     *self,
                   KilnFlashPhase  phase,
                   KilnProgress   *progress)
{
  double seconds = kiln_progress_get_estimated_seconds (progress);
  guint n_erase = 0, n_blank = 0, n_unchanged = 0;
  guint64 bytes = 0;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *size = NULL;
  /* With Skip Unchanged Sectors off nothing is compared: once the job
   * erases or writes, the header says so, and that the plan stands. */
  gboolean compared = seconds >= 0;

  if (self->plan_checked || self->last_job_kind != JOB_PROGRAM || self->plan == NULL)
    return;
  if (!compared && phase != KILN_FLASH_PHASE_ERASE && phase != KILN_FLASH_PHASE_PROGRAM)
    return;
  self->plan_checked = TRUE;
  for (guint i = 0; i < kiln_flash_plan_get_n_sectors (self->plan); i++)
    {
      const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (self->plan, i);
      int state = kiln_progress_get_sector_state (progress, i);

      if (s->action != KILN_FLASH_ACTION_PROGRAM)
        continue;
      if (state == KILN_SECTOR_STATE_UNCHANGED)
        {
          n_unchanged++;
          continue;
        }
      bytes += s->bytes;
      if (state == KILN_SECTOR_STATE_BLANK)
        n_blank++;
      else
        n_erase++;
    }
  size = format_kib (bytes);

  if (n_erase + n_blank == 0)
    g_string_append (text, _("Nothing to write"));
  if (n_erase > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u sector will be erased and written",
                                               "%u sectors will be erased and written", n_erase),
                            n_erase);
  if (n_blank > 0)
    {
      if (n_erase > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u blank sector will be written without an erase",
                                                 "%u blank sectors will be written without an erase", n_blank),
                              n_blank);
    }
  if (n_erase + n_blank > 0)
    /* Translators: the bytes to write, e.g. " (96 KiB)" */
    g_string_append_printf (text, _(" (%s)"), size);
  if (n_unchanged > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, ", %u unchanged", ", %u unchanged", n_unchanged),
                            n_unchanged);
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, ", %u untouched", ", %u untouched",
                                             kiln_flash_plan_get_n_untouched (self->plan)),
                          kiln_flash_plan_get_n_untouched (self->plan));
  if (n_erase + n_blank > 0 && compared)
    g_string_append_printf (text, _(" · about %.1f s"), seconds);

  {
    /* Translators: %s is the plan after the comparison on the target, e.g.
     * "3 blank sectors will be written without an erase (96 KiB), 5 untouched · about 0.4 s" */
    g_autofree char *header = compared ? g_strdup_printf (_("Checked on the chip: %s"), text->str)
                                       /* Translators: %s is the plan, e.g. "3 sectors will be erased and
                                        * written (96 KiB), 5 untouched" */
                                       : g_strdup_printf (_("Not compared with the chip first (Skip Unchanged "
                                                            "Sectors is off): %s"), text->str);

    gtk_widget_remove_css_class (GTK_WIDGET (self->plan_label), "error");
    gtk_label_set_label (self->plan_label, header);
    kiln_window_log (self, "%s", header);
  }
}

static void
progress_phase_started_cb (KilnWindow        *self,
                           KilnFlashPhase     phase,
                           KilnProgress      *progress)
{
  /* The end of a job is said by its result, which may be a failure. */
  if (phase == KILN_FLASH_PHASE_FINISHED)
    return;
  kiln_job_meter_phase (self->meter, phase, kiln_progress_get_total (progress));
  show_meter (self, progress);
  show_checked_plan (self, phase, progress);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  kiln_window_log (self, "%s", kiln_flash_phase_to_label (phase));
}

static void
progress_changed_cb (KilnWindow   *self,
                     KilnProgress *progress)
{
  if (kiln_progress_get_finished (progress))
    return;
  kiln_job_meter_bytes (self->meter, kiln_progress_get_done (progress));
  show_meter (self, progress);
}

static void
progress_sector_changed_cb (KilnWindow   *self,
                            guint         sector,
                            guint         state,
                            KilnProgress *progress)
{
  if (state < KILN_N_SECTOR_STATES)
    kiln_job_meter_sector (self->meter, sector, state);
  /* What an Erase emptied is said as such, not as "untouched". */
  if (self->last_job_kind == JOB_ERASE && state == KILN_SECTOR_STATE_UNTOUCHED)
    state = KILN_MAP_STATE_ERASED;
  if (sector < kiln_memory_map_get_n_sectors (self->memory_map) && state < KILN_N_SECTOR_STATES)
    {
      kiln_memory_map_set_sector_state (self->memory_map, sector, state, NULL);
      /* Translators: a Debug line of the log, "Sector 4: Erasing" */
      kiln_window_log_at (self, KILN_LOG_DEBUG, _("Sector %u: %s"),
                          kiln_memory_map_get_sector (self->memory_map, sector)->number,
                          kiln_memory_map_describe_state (state));
    }
}

static void
progress_message_cb (KilnWindow   *self,
                     guint         level,
                     const char   *text,
                     KilnProgress *progress)
{
  kiln_window_log_at (self, _kiln_window_log_level_from_progress (level), "%s", text);
  if (level == KILN_PROGRESS_MESSAGE_INFO)
    {
      g_free (self->last_message);
      self->last_message = g_strdup (text);
    }
}

/* The sectors a failed flash job erased and did not finish writing, as
 * people number them ("0, 1"), or NULL; in @unsure those the loader may
 * have begun before the link failed, without saying so. They are marked
 * on the map. */
static char *
mark_incomplete (KilnWindow          *self,
                 const KilnFlashJob  *job,
                 char               **unsure)
{
  g_autoptr(GString) list = g_string_new (NULL);
  g_autoptr(GString) maybe = g_string_new (NULL);
  guint n_map = kiln_memory_map_get_n_sectors (self->memory_map);

  *unsure = NULL;
  if (job == NULL || self->chip == NULL)
    return NULL;
  for (guint k = 0; k < job->result.n_incomplete; k++)
    {
      guint pos = job->result.incomplete[k];
      gboolean known = k < job->result.n_incomplete - job->result.n_unsure;
      GString *to = known ? list : maybe;

      if (pos >= kiln_chip_get_n_sectors (self->chip))
        continue;
      g_string_append_printf (to, "%s%u", to->len ? ", " : "", kiln_chip_get_sector (self->chip, pos)->index);
      if (pos < n_map)
        kiln_memory_map_set_sector_state (self->memory_map, pos, KILN_SECTOR_STATE_FAILED,
                                          known ? _("Half-written: the board will not start from this firmware "
                                                    "until it is programmed again")
                                                : _("Perhaps written in part: Kiln lost touch with the board "
                                                    "before it could tell; program it again"));
    }
  if (maybe->len)
    *unsure = g_strdup (maybe->str);
  return list->len ? g_strdup (list->str) : NULL;
}

/* What the header says once a job is over (NULL: it stays as it is). Only
 * what was checked is said to be so: a Program without its verify says the
 * chip was not checked, and a job that found the chip already right says it
 * once. */
static char *
header_after_job (KilnWindow         *self,
                  const KilnFlashJob *flash_job,
                  const GError       *error)
{
  if (self->image == NULL)
    return NULL;
  if (error == NULL && self->last_message != NULL
      && (self->last_job_kind == JOB_PROGRAM || self->last_job_kind == JOB_VERIFY))
    {
      if (self->last_job_kind == JOB_VERIFY
          || (flash_job != NULL && flash_job->result.written == 0 && flash_job->result.erased == 0))
        /* Translators: %s is the job's summary ("The chip already holds this image: nothing was erased or
         * written", or Verify's "Verified: the chip holds the file's 40.0 KiB exactly…"), which says it already */
        return g_strdup_printf (_("Done: %s."), self->last_message);
      if (flash_job != NULL && !flash_job->result.verified)
        /* Translators: %s is the job's summary ("Programmed 160 KiB without verifying (5 sectors, 0 unchanged)") */
        return g_strdup_printf (_("Done: %s. Not checked: Verify reads the chip back against this file."),
                                self->last_message);
      /* Translators: %s is the job's summary ("Programmed and verified 160 KiB (5 sectors, 0 unchanged)") */
      return g_strdup_printf (_("Done: %s. The chip holds this file."), self->last_message);
    }
  /* A Program that stopped did not do what the header planned: it says so,
   * and the result under it says why and what is left half-written. */
  if (error != NULL && self->last_job_kind == JOB_PROGRAM)
    return g_strdup (_("Not finished: the chip does not hold this file. Program it again once the "
                       "cause below is dealt with."));
  if (error != NULL && self->last_job_kind == JOB_VERIFY)
    return g_strdup (_("Checked: the chip does not hold this file (see below). Program writes it."));
  /* An Erase changed the chip: an earlier "holds this file" is old news. */
  if (self->last_job_kind == JOB_ERASE)
    return g_strdup (_("The chip was erased since it was last checked: Program writes this file, "
                       "Verify compares it."));
  return NULL;
}

/* The job is over on both sides: its progress finished and the worker
 * handed it back. Shows the result, marks what a failure left behind. */
static void
show_result (KilnWindow *self)
{
  double seconds = (g_get_monotonic_time () - self->job_started) / (double) G_USEC_PER_SEC;
  const GError *error = self->job_error;
  KilnFlashJob *flash_job = self->running_job;

  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_box), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_box), "failure");

  /* Sectors a stopped job left mid-way are not done: they still need
   * Program. A sector that failed keeps its reason. */
  for (guint i = 0; error != NULL && i < kiln_memory_map_get_n_sectors (self->memory_map); i++)
    {
      KilnSectorState st = kiln_memory_map_get_sector_state (self->memory_map, i);

      if (st == KILN_SECTOR_STATE_ERASING || st == KILN_SECTOR_STATE_WRITING || st == KILN_SECTOR_STATE_VERIFYING)
        kiln_memory_map_set_sector_state (self->memory_map, i, KILN_SECTOR_STATE_PLANNED,
                                          st == KILN_SECTOR_STATE_ERASING
                                          ? _("The job stopped before this sector was finished: program it again")
                                          : _("Written, but the job stopped before checking it: program again to verify it"));
    }

  if (error == NULL)
    {
      /* The job's own summary when it gave one ("Programmed and verified
       * 160 KiB…"), with the time it took. */
      g_autofree char *text = self->last_message != NULL
                              ? g_strdup_printf (_("%s in %.1f s"), self->last_message, seconds)
                              : g_strdup_printf (_("Done in %.1f s"), seconds);
      gtk_widget_add_css_class (GTK_WIDGET (self->result_box), "success");
      _kiln_window_offer_action (self, self->result_action, NULL, NULL);
      gtk_image_set_from_icon_name (self->result_icon, "object-select-symbolic");
      gtk_label_set_label (self->result_label, text);
      kiln_window_log (self, "%s", text);
    }
  else
    {
      g_autofree char *unsure = NULL;
      g_autofree char *incomplete = mark_incomplete (self, flash_job, &unsure);
      g_autofree char *words = _kiln_window_dup_error_words (self, error);
      g_autofree char *text = NULL;
      guint n = flash_job != NULL ? flash_job->result.n_incomplete - flash_job->result.n_unsure : 0;
      guint n_unsure = flash_job != NULL ? flash_job->result.n_unsure : 0;

      /* GLib's own "Operation was cancelled" says nothing about the board. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        text = g_strdup (_("Cancelled. The flash controller was locked again; sectors that were being written "
                            "are incomplete: program again before running the board."));
      else if (incomplete != NULL && !g_error_matches (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED))
        /* Translators: the first %s is why the job stopped ("The probe was
         * unplugged: …"), the second a sector number or list ("0, 1") */
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%s\nSector %s was left half-written, so the board does not hold a "
                                             "complete firmware and will not start: program it again.",
                                             "%s\nSectors %s were left half-written, so the board does not hold a "
                                             "complete firmware and will not start: program it again.",
                                             n),
                                words, incomplete);
      else
        text = g_steal_pointer (&words);
      if (unsure != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *before = g_steal_pointer (&text);

          /* Translators: as in kiln-cli's message; here the second %s
           * lists sectors as "5, 6" */
          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%s Sector %s may have been written in part too: Kiln lost touch "
                                               "with the board before it could tell.",
                                               "%s Sectors %s may have been written in part too: Kiln lost touch "
                                               "with the board before it could tell.",
                                               n_unsure),
                                  before, unsure);
        }

      gtk_widget_add_css_class (GTK_WIDGET (self->result_box), "failure");
      _kiln_window_offer_action (self, self->result_action, error, "win.retry");
      gtk_image_set_from_icon_name (self->result_icon, "dialog-error-symbolic");
      gtk_label_set_label (self->result_label, text);
      kiln_window_log_at (self, KILN_LOG_ERROR, "%s", text);
    }
  gtk_revealer_set_reveal_child (self->result_revealer, TRUE);
  self->banner_is_target = FALSE;
  /* The header says what was done, until the file, target or plan changes. */
  {
    g_autofree char *header = header_after_job (self, flash_job, error);

    if (header != NULL)
      {
        gtk_widget_remove_css_class (GTK_WIDGET (self->plan_label), "error");
        gtk_label_set_label (self->plan_label, header);
      }
  }
  /* An open memory view shows what the chip held before: a Program or an
   * Erase (done, failed or cancelled midway) may have changed it. */
  if (self->memory_view != NULL && (self->last_job_kind == JOB_PROGRAM || self->last_job_kind == JOB_ERASE))
    kiln_memory_view_read_again (self->memory_view,
                                 self->last_job_kind == JOB_PROGRAM
                                 ? _("The chip was programmed: reading the rows in view again…")
                                 : _("The chip was erased: reading the rows in view again…"));
  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  g_clear_object (&self->progress);
  g_clear_object (&self->job_cancellable);
  g_clear_error (&self->job_error);
  g_clear_pointer (&self->running_job, kiln_flash_job_free);
  g_clear_pointer (&self->meter, kiln_job_meter_free);
  self->progress_done = self->worker_done = FALSE;
  _kiln_window_update_actions (self);
}

static void
progress_finished_cb (KilnWindow   *self,
                      const GError *error,
                      KilnProgress *progress)
{
  g_clear_error (&self->job_error);
  self->job_error = error != NULL ? g_error_copy (error) : NULL;
  self->progress_done = TRUE;
  if (self->worker_done)
    show_result (self);
}
/* Shows a running job: its phases, bytes, rate, sector states and result.
 * The caller (the job starter) owns the job; the window only listens. */
void
_kiln_window_watch_progress (KilnWindow   *self,
                             KilnProgress *progress,
                             GCancellable *cancellable)
{
  g_return_if_fail (KILN_IS_WINDOW (self));
  g_return_if_fail (KILN_IS_PROGRESS (progress));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  g_set_object (&self->progress, progress);
  /* A job of the window's own has its meter already (start_job()). */
  if (self->meter == NULL)
    self->meter = kiln_job_meter_new (NULL, FALSE, 0);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  g_clear_pointer (&self->last_message, g_free);
  g_clear_error (&self->job_error);
  /* A job of the window's own also waits for its worker (start_job()). */
  self->progress_done = FALSE;
  self->worker_done = TRUE;
  self->job_started = g_get_monotonic_time ();

  gtk_revealer_set_reveal_child (self->result_revealer, FALSE);
  g_set_object (&self->job_cancellable, cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", cancellable != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), cancellable != NULL);
  g_signal_connect_object (progress, "phase-started", G_CALLBACK (progress_phase_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (progress, "changed", G_CALLBACK (progress_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (progress, "sector-changed", G_CALLBACK (progress_sector_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (progress, "message", G_CALLBACK (progress_message_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (progress, "finished", G_CALLBACK (progress_finished_cb), self, G_CONNECT_SWAPPED);
}


typedef struct
{
  KilnWindow   *window;
  KilnFlashJob *flash_job;  /* the window frees it once the result is shown */
} JobCall;

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JobCall *call = user_data;
  g_autoptr(KilnWindow) self = call->window;
  KilnFlashJob *flash_job = call->flash_job;
  g_autoptr(GError) error = NULL;

  g_free (call);
  /* The result is shown once the progress said the job finished too. The
   * bench the job made (built off the main loop) stays with the window. */
  kiln_session_run_finish (KILN_SESSION (source), result, &error);
  if (self->disposed || flash_job != self->running_job)
    {
      if (flash_job != self->running_job)
        g_clear_pointer (&flash_job, kiln_flash_job_free);
      return;
    }
  self->worker_done = TRUE;
  if (self->progress_done)
    show_result (self);
  _kiln_window_update_actions (self);
  /* The job may have changed what the panel shows (or found the target
   * gone); a session dropped with its probe has nothing to ask. */
  if (KILN_SESSION (source) == self->session)
    _kiln_window_identify (self);
}

/* The one place a job starts: a KilnProgress watched by the window, and the
 * job queued on the session's worker (kiln_session_run_async). The actions
 * that lead here are disabled while there is no probe session
 * (_kiln_window_update_actions()). */
static void
start_job (KilnWindow *self,
           KilnWindowJob kind,
           GFile      *target_file,
           const char *sectors)
{
  g_autoptr(KilnProgress) progress = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  guint khz = g_settings_get_uint (self->settings, "swd-clock");
  gboolean under_reset = g_settings_get_boolean (self->settings, "connect-under-reset");
  KilnSessionWorkFunc func;
  GDestroyNotify destroy;
  gpointer data;
  JobCall *done_call;

  if (self->probe == NULL || self->session == NULL || self->progress != NULL
      || ((kind == JOB_PROGRAM || kind == JOB_VERIFY) && self->image == NULL)
      || (kind == JOB_READ && (self->chip == NULL || target_file == NULL)))
    {
      kiln_window_log_at (self, KILN_LOG_WARNING, "%s", _("No probe is chosen: choose an ST-LINK probe (or the simulated board) first"));
      return;
    }

  if (kind == JOB_PROGRAM)
    {
      KilnFlashJob *job = kiln_flash_job_new (self->probe, self->image);

      job->probe.khz = khz;
      job->probe.under_reset = under_reset;
      job->options.verify = g_settings_get_boolean (self->settings, "verify");
      job->options.skip_unchanged = g_settings_get_boolean (self->settings, "skip-unchanged");
      job->options.reset = g_settings_get_boolean (self->settings, "reset-after");
      job->options.vpp = g_settings_get_boolean (self->settings, "vpp");
      if (self->simulator)
        kiln_window_log (self, _("Programming %s on the simulated board"), kiln_image_get_display_name (self->image));
      else
        kiln_window_log (self, _("Programming %s through %s %s"), kiln_image_get_display_name (self->image),
                         kiln_usb_probe_info_get_model (self->probe), kiln_usb_probe_info_get_serial (self->probe));
      self->running_job = job;
      func = kiln_flash_job_run;
      destroy = NULL;   /* the window reads its result, then frees it */
      data = job;
    }
  else
    {
      static const KilnTargetJobKind kinds[] = { [JOB_VERIFY] = KILN_TARGET_JOB_VERIFY,
                                                 [JOB_ERASE] = KILN_TARGET_JOB_ERASE,
                                                 [JOB_READ] = KILN_TARGET_JOB_READ };
      KilnOpsCall *call = kiln_ops_call_new (kinds[kind], self->probe);
      KilnTargetJob *job = call->job;

      job->probe.khz = khz;
      job->probe.under_reset = under_reset;
      switch (kind)
        {
        case JOB_VERIFY:
          job->image = g_object_ref (self->image);
          job->method = g_settings_get_enum (self->settings, "verify-method") == 1 ? KILN_FLASH_VERIFY_READ_BACK
                                                                                   : KILN_FLASH_VERIFY_CRC;
          kiln_window_log (self, _("Verifying the chip against %s"), kiln_image_get_display_name (self->image));
          break;
        case JOB_ERASE:
          job->mass = sectors == NULL;
          job->sectors = g_strdup (sectors);
          if (sectors == NULL)
            kiln_window_log (self, "%s", _("Erasing the whole chip"));
          else
            kiln_window_log (self, _("Erasing sectors %s"), sectors);
          break;
        case JOB_READ:
          {
            g_autofree char *path = g_file_get_path (target_file);

            job->address = self->read_address;
            job->length = self->read_length;
            call->file = g_object_ref (target_file);
            /* Translators: "Reading 0x08000000–0x080FFFFF into /tmp/flash.bin" */
            kiln_window_log (self, _("Reading 0x%08X–0x%08X into %s"), self->read_address,
                             (guint32) (self->read_address + self->read_length - 1), path);
          }
          break;
        case JOB_PROGRAM:
        default:
          g_assert_not_reached ();
        }
      func = kiln_ops_call_run;
      destroy = (GDestroyNotify) kiln_ops_call_free;
      data = call;
    }

  self->last_job_kind = kind;
  self->plan_checked = FALSE;
  if (sectors != self->last_sectors)
    {
      g_free (self->last_sectors);
      self->last_sectors = g_strdup (sectors);
    }
  g_set_object (&self->last_file, target_file);
  g_clear_pointer (&self->meter, kiln_job_meter_free);
  if (kind == JOB_PROGRAM)
    self->meter = kiln_job_meter_new (self->plan, g_settings_get_boolean (self->settings, "verify"), 0);
  else if (kind == JOB_ERASE)
    {
      g_auto(GStrv) list = sectors != NULL ? g_strsplit (sectors, ",", -1) : NULL;

      self->meter = kiln_job_meter_new (NULL, FALSE, list != NULL ? g_strv_length (list)
                                                                  : kiln_chip_get_n_sectors (self->chip));
    }
  progress = kiln_progress_new ();
  cancellable = g_cancellable_new ();
  _kiln_window_watch_progress (self, progress, cancellable);
  self->worker_done = FALSE;
  done_call = g_new0 (JobCall, 1);
  done_call->window = g_object_ref (self);
  done_call->flash_job = self->running_job;
  kiln_session_run_async (self->session, func, data, destroy, progress, cancellable, job_done_cb, done_call);
  _kiln_window_update_actions (self);
}

static void
job_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);

  if (g_str_equal (action_name, "win.program"))
    start_job (self, JOB_PROGRAM, NULL, NULL);
  else if (g_str_equal (action_name, "win.verify"))
    start_job (self, JOB_VERIFY, NULL, NULL);
}

static void
erase_response (AdwMessageDialog *dialog,
                const char       *response,
                KilnWindow       *self)
{
  if (g_strcmp0 (response, "sectors") == 0)
    start_job (self, JOB_ERASE, NULL, g_object_get_data (G_OBJECT (dialog), "kiln-sectors"));
  else if (g_strcmp0 (response, "all") == 0)
    start_job (self, JOB_ERASE, NULL, NULL);
}

/* The sectors the loaded file would write, as people number them. */
static char *
dup_file_sectors (KilnWindow *self,
                  guint64    *bytes)
{
  g_autoptr(GString) list = g_string_new (NULL);

  *bytes = 0;
  if (self->plan == NULL)
    return NULL;
  for (guint i = 0; i < kiln_flash_plan_get_n_sectors (self->plan); i++)
    {
      const KilnFlashPlanSector *ps = kiln_flash_plan_get_sector (self->plan, i);

      if (ps->action == KILN_FLASH_ACTION_UNTOUCHED)
        continue;
      g_string_append_printf (list, "%s%u", list->len ? ", " : "", ps->sector->index);
      *bytes += ps->sector->size;
    }
  return list->len ? g_strdup (list->str) : NULL;
}

static void
erase_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  guint64 file_bytes = 0;
  g_autofree char *file_sectors = dup_file_sectors (self, &file_bytes);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *chip_size = self->chip ? g_format_size_full (kiln_chip_get_flash_size (self->chip), G_FORMAT_SIZE_IEC_UNITS) : NULL;
  GtkWidget *dialog;

  g_string_append (body, _("Erasing removes the firmware from those sectors: the board will not run until it is programmed again."));
  if (file_sectors != NULL)
    {
      g_autofree char *size = g_format_size_full (file_bytes, G_FORMAT_SIZE_IEC_UNITS);

      g_string_append (body, "\n\n• ");
      /* Translators: "The sectors the file uses: 0, 1, 2 (96.0 KiB)" */
      g_string_append_printf (body, _("The sectors the file uses: %s (%s)"), file_sectors, size);
    }
  if (self->chip != NULL)
    {
      g_string_append (body, "\n• ");
      /* Translators: "The whole chip: sectors 0 to 7 (1.0 MiB)" */
      g_string_append_printf (body, _("The whole chip: sectors %u to %u (%s)"),
                              kiln_chip_get_sector (self->chip, 0)->index,
                              kiln_chip_get_sector (self->chip, kiln_chip_get_n_sectors (self->chip) - 1)->index,
                              chip_size);
    }
  if (self->target != NULL && self->target->protected != NULL && self->target->protected->len > 0)
    {
      g_autofree char *prot = kiln_identify_job_dup_protected (self->target);

      g_string_append (body, "\n\n");
      /* Translators: %s is "Sector 1" or "Sectors 1, 3" */
      g_string_append_printf (body, _("%s is write-protected: erasing it will be refused until the protection is removed in Option Bytes."), prot);
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Erase Flash?"), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  if (file_sectors != NULL)
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "sectors", _("Erase _File’s Sectors"));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sectors", ADW_RESPONSE_DESTRUCTIVE);
      g_object_set_data_full (G_OBJECT (dialog), "kiln-sectors", g_steal_pointer (&file_sectors), g_free);
    }
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "all", _("Erase _Whole Chip"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "all", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (erase_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);

  /* The job stops between two transfers, leaves the flash controller
   * locked, and reports which sectors are incomplete. */
  if (self->job_cancellable != NULL && !g_cancellable_is_cancelled (self->job_cancellable))
    {
      kiln_window_log (self, "%s", _("Cancelling…"));
      g_cancellable_cancel (self->job_cancellable);
    }
}

/* Runs the last job again with what it was given (after a failure). */
static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  g_autofree char *sectors = g_strdup (self->last_sectors);
  g_autoptr(GFile) file = self->last_file ? g_object_ref (self->last_file) : NULL;

  gtk_revealer_set_reveal_child (self->result_revealer, FALSE);
  start_job (self, self->last_job_kind, file, sectors);
}

void
_kiln_window_read_to_file (KilnWindow *self,
                           GFile      *file)
{
  g_return_if_fail (self->chip != NULL);
  self->read_address = kiln_chip_get_flash_base (self->chip);
  self->read_length = kiln_chip_get_flash_size (self->chip);
  start_job (self, JOB_READ, file, NULL);
}

void
_kiln_window_read_range_to_file (KilnWindow *self,
                                 GFile      *file,
                                 guint32     address,
                                 guint32     length)
{
  self->read_address = address;
  self->read_length = length;
  start_job (self, JOB_READ, file, NULL);
}

void
_kiln_window_erase_sectors (KilnWindow *self,
                            const char *sectors)
{
  g_return_if_fail (sectors != NULL);
  start_job (self, JOB_ERASE, NULL, sectors);
}

void
_kiln_window_class_init_jobs (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.program", NULL, job_action);
  gtk_widget_class_install_action (widget_class, "win.verify", NULL, job_action);
  gtk_widget_class_install_action (widget_class, "win.erase", NULL, erase_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.program", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}
