/* kiln-production-slot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-job-meter.h"
#include "kiln-production-slot-private.h"

struct _KilnProductionSlot
{
  AdwBin                   parent_instance;

  GtkBox                  *box;
  GtkLabel                *probe_label;
  GtkBox                  *content_box;
  GtkImage                *status_icon;
  GtkLabel                *status_label;
  GtkLabel                *detail_label;
  GtkProgressBar          *progress_bar;
  GtkBox                  *action_box;
  GtkImage                *action_icon;
  GtkLabel                *advice_label;
  GtkButton               *ack_button;

  KilnUsbProbeInfo        *info;
  guint                    number;
  KilnSession             *session;
  GCancellable            *cancellable;
  KilnProgress            *progress;
  KilnJobMeter            *meter;
  KilnProductionSlotState  state;
  KilnProductionEntry     *entry;
  gboolean                 busy;
  gboolean                 blocked;
  gboolean                 auto_start;
  gboolean                 armed;
  gboolean                 needs_ack;  /* a board's FAIL not yet confirmed */
  KilnProductionAction     action;     /* the FAIL's, else NONE */
  gboolean                 compact;
  gboolean                 large;
};

G_DEFINE_FINAL_TYPE (KilnProductionSlot, kiln_production_slot, ADW_TYPE_BIN)

enum
{
  FINISHED,
  BOARD_READY,
  ACKNOWLEDGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *state_classes[] = { "ready", "waiting", "programming", "pass", "fail", "not-ready" };

static void
set_state (KilnProductionSlot      *self,
           KilnProductionSlotState  state,
           const char              *detail,
           const char              *advice)
{
  static const char *icons[] = {
    "media-playback-start-symbolic", "content-loading-symbolic", "document-save-symbolic",
    "object-select-symbolic", "dialog-error-symbolic", "action-unavailable-symbolic",
  };
  const char *titles[] = {
    /* Translators: the production view's big state words, read from across the room */
    _("READY"), _("WAITING"), _("PROGRAMMING"), _("PASS"), _("FAIL"), _("NOT READY"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->box), state_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->box), state_classes[state]);
  self->state = state;
  self->action = KILN_PRODUCTION_ACTION_NONE;
  gtk_image_set_from_icon_name (self->status_icon, icons[state]);
  gtk_label_set_label (self->status_label, titles[state]);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), state == KILN_PRODUCTION_SLOT_PROGRAMMING);
  gtk_label_set_label (self->advice_label, advice ? advice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->action_box), advice != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->action_icon), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->ack_button), FALSE);
  /* On a FAIL the operator's action comes first, big; the cause follows,
   * smaller, for the engineer. */
  if (state == KILN_PRODUCTION_SLOT_FAIL && advice != NULL && detail != NULL)
    {
      /* Translators: under FAIL and the operator's action: why the board failed */
      g_autofree char *cause = g_strdup_printf (_("Cause, for the engineer: %s"), detail);

      gtk_label_set_label (self->detail_label, cause);
      gtk_box_reorder_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->action_box))),
                                   GTK_WIDGET (self->action_box), GTK_WIDGET (self->status_label));
      gtk_widget_add_css_class (GTK_WIDGET (self->detail_label), "production-cause");
    }
  else
    {
      gtk_label_set_label (self->detail_label, detail ? detail : "");
      gtk_box_reorder_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->action_box))),
                                   GTK_WIDGET (self->action_box), GTK_WIDGET (self->progress_bar));
      gtk_widget_remove_css_class (GTK_WIDGET (self->detail_label), "production-cause");
    }
  /* Screen readers hear the state change. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->box), GTK_ACCESSIBLE_PROPERTY_LABEL, titles[state], -1);
}

/* A FAIL: the action in words beside its pictogram, instead of the state's
 * icon; @ack: the operator must confirm it before the next board. */
static void
set_fail (KilnProductionSlot   *self,
          const char           *cause,
          KilnProductionAction  action,
          gboolean              ack)
{
  static const char *pictograms[] = {
    [KILN_PRODUCTION_ACTION_NONE] = NULL,
    [KILN_PRODUCTION_ACTION_RETRY] = "kiln-action-retry-symbolic",
    [KILN_PRODUCTION_ACTION_STOPPED] = "kiln-action-retry-symbolic",
    [KILN_PRODUCTION_ACTION_SET_ASIDE] = "kiln-action-set-aside-symbolic",
    [KILN_PRODUCTION_ACTION_CALL_ENGINEER] = "kiln-action-call-engineer-symbolic",
    [KILN_PRODUCTION_ACTION_CHECK_CABLE] = "kiln-action-check-cable-symbolic",
    [KILN_PRODUCTION_ACTION_CHECK_POWER] = "kiln-action-check-power-symbolic",
    [KILN_PRODUCTION_ACTION_RESEAT] = "kiln-action-reseat-symbolic",
    [KILN_PRODUCTION_ACTION_WAIT_FOR_LINE] = "kiln-action-retry-symbolic",
  };

  set_state (self, KILN_PRODUCTION_SLOT_FAIL, cause, kiln_production_action_text (action));
  self->action = action;
  if (action != KILN_PRODUCTION_ACTION_NONE && (guint) action < G_N_ELEMENTS (pictograms))
    {
      gtk_image_set_from_icon_name (self->action_icon, pictograms[action]);
      gtk_widget_set_visible (GTK_WIDGET (self->action_icon), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->status_icon), FALSE);
    }
  self->needs_ack = ack;
  gtk_widget_set_visible (GTK_WIDGET (self->ack_button), ack);
}

static void
ack_clicked_cb (KilnProductionSlot *self)
{
  if (kiln_production_slot_acknowledge (self))
    g_signal_emit (self, signals[ACKNOWLEDGED], 0);
}

KilnProductionAction
kiln_production_slot_get_action (KilnProductionSlot *self)
{
  return self->action;
}

static void
kiln_production_slot_dispose (GObject *object)
{
  KilnProductionSlot *self = (KilnProductionSlot *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  g_clear_object (&self->progress);
  g_clear_pointer (&self->meter, kiln_job_meter_free);
  /* AdwBin releases its child (the template's box) itself. */

  G_OBJECT_CLASS (kiln_production_slot_parent_class)->dispose (object);
}

static void
kiln_production_slot_finalize (GObject *object)
{
  KilnProductionSlot *self = (KilnProductionSlot *) object;

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->info);
  g_clear_pointer (&self->entry, kiln_production_entry_free);

  G_OBJECT_CLASS (kiln_production_slot_parent_class)->finalize (object);
}

static void
kiln_production_slot_class_init (KilnProductionSlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_production_slot_dispose;
  object_class->finalize = kiln_production_slot_finalize;

  /* After each board, its entry in the record (NULL if the record failed). */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* An armed slot saw a board powered up. */
  signals[BOARD_READY] = g_signal_new ("board-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                       NULL, G_TYPE_NONE, 0);
  /* The operator confirmed the FAIL with a click on the slot. */
  signals[ACKNOWLEDGED] = g_signal_new ("acknowledged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kiln/Kiln/kiln-production-slot.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, probe_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, content_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, status_icon);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, status_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, detail_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, action_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, action_icon);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, advice_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionSlot, ack_button);
  gtk_widget_class_bind_template_callback (widget_class, ack_clicked_cb);
}

static void
kiln_production_slot_init (KilnProductionSlot *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

KilnProductionSlot *
kiln_production_slot_new (KilnUsbProbeInfo *info,
                          guint             number)
{
  KilnProductionSlot *self = g_object_new (KILN_TYPE_PRODUCTION_SLOT, NULL);
  g_autofree char *label = NULL;

  self->info = g_object_ref (info);
  self->number = number;
  self->session = kiln_session_new (kiln_usb_probe_info_get_serial (info));
  /* Translators: a production slot's heading: its number, the probe's model and serial */
  label = g_strdup_printf (_("Slot %u · %s %s"), number, kiln_usb_probe_info_get_model (info),
                           kiln_usb_probe_info_get_serial (info));
  gtk_label_set_label (self->probe_label, label);
  set_state (self, KILN_PRODUCTION_SLOT_READY, _("Put a board in and press Space"), NULL);
  return self;
}

KilnProductionSlotState
kiln_production_slot_get_state (KilnProductionSlot *self)
{
  return self->state;
}

gboolean
kiln_production_slot_is_busy (KilnProductionSlot *self)
{
  return self->busy;
}

KilnUsbProbeInfo *
kiln_production_slot_get_info (KilnProductionSlot *self)
{
  return self->info;
}

KilnSession *
kiln_production_slot_get_session (KilnProductionSlot *self)
{
  return self->session;
}

const KilnProductionEntry *
kiln_production_slot_get_entry (KilnProductionSlot *self)
{
  return self->entry;
}

gboolean
kiln_production_slot_needs_ack (KilnProductionSlot *self)
{
  return self->needs_ack;
}

gboolean
kiln_production_slot_acknowledge (KilnProductionSlot *self)
{
  if (!self->needs_ack)
    return FALSE;
  self->needs_ack = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->ack_button), FALSE);
  if (!self->busy)
    set_state (self, KILN_PRODUCTION_SLOT_READY, _("Put a board in and press Space"), NULL);
  return TRUE;
}

void
kiln_production_slot_set_blocked (KilnProductionSlot *self,
                                  const char         *message,
                                  gboolean            failure)
{
  self->blocked = message != NULL;
  if (self->busy)
    return;
  if (message != NULL && failure)
    set_fail (self, message, KILN_PRODUCTION_ACTION_CALL_ENGINEER, FALSE);
  else if (message != NULL)
    set_state (self, KILN_PRODUCTION_SLOT_NOT_READY, message, NULL);
  else if (self->state != KILN_PRODUCTION_SLOT_PASS && self->state != KILN_PRODUCTION_SLOT_FAIL)
    set_state (self, KILN_PRODUCTION_SLOT_READY, _("Put a board in and press Space"), NULL);
}

void
kiln_production_slot_cancel (KilnProductionSlot *self)
{
  g_cancellable_cancel (self->cancellable);
}

void
kiln_production_slot_disarm (KilnProductionSlot *self)
{
  if (self->armed)
    g_cancellable_cancel (self->cancellable);
}

/* One overall bar for the board, with the phase in words. */
static void
show_meter (KilnProductionSlot *self)
{
  g_autofree char *line = kiln_job_meter_dup_text (self->meter, -1);

  gtk_label_set_label (self->detail_label, line);
  gtk_progress_bar_set_fraction (self->progress_bar, kiln_job_meter_get_fraction (self->meter));
}

static void
phase_started_cb (KilnProductionSlot *self,
                  KilnFlashPhase      phase,
                  KilnProgress       *progress)
{
  if (phase == KILN_FLASH_PHASE_FINISHED)
    return;
  kiln_job_meter_phase (self->meter, phase, kiln_progress_get_total (progress));
  show_meter (self);
}

static void
changed_cb (KilnProductionSlot *self,
            KilnProgress       *progress)
{
  if (kiln_progress_get_finished (progress))
    return;
  kiln_job_meter_bytes (self->meter, kiln_progress_get_done (progress));
  show_meter (self);
}

static void
sector_changed_cb (KilnProductionSlot *self,
                   guint               sector,
                   guint               state,
                   KilnProgress       *progress)
{
  kiln_job_meter_sector (self->meter, sector, state);
}

typedef struct
{
  KilnProductionSlot *slot;
  KilnProductionJob  *job;
} JobData;

void
kiln_production_slot_set_compact (KilnProductionSlot *self,
                                  gboolean            compact)
{
  self->compact = compact;
  gtk_image_set_pixel_size (self->status_icon, compact ? 72 : self->large ? 200 : 128);
  gtk_image_set_pixel_size (self->action_icon, compact ? 56 : self->large ? 150 : 80);
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self->box), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->box), "compact");
}

void
kiln_production_slot_set_large (KilnProductionSlot *self,
                                gboolean            large)
{
  self->large = large;
  /* Tighter on a small screen (1024×600), where every line counts. */
  gtk_box_set_spacing (self->box, large ? 12 : 6);
  gtk_box_set_spacing (self->content_box, large ? 12 : 8);
  kiln_production_slot_set_compact (self, self->compact);
}

void
kiln_production_slot_set_auto_start (KilnProductionSlot *self,
                                     gboolean            auto_start)
{
  self->auto_start = auto_start;
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JobData *data = user_data;
  g_autoptr(KilnProductionSlot) self = data->slot;
  g_autoptr(GError) error = NULL;
  KilnProductionEntry *entry;
  gboolean recorded;

  kiln_session_run_finish (KILN_SESSION (source), result, &error);
  entry = g_steal_pointer (&data->job->entry);
  kiln_production_job_free (data->job);
  g_free (data);
  self->busy = FALSE;
  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  g_clear_object (&self->progress);

  if (g_cancellable_is_cancelled (self->cancellable) && gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    {
      kiln_production_entry_free (entry);
      return;
    }

  g_clear_pointer (&self->entry, kiln_production_entry_free);
  self->entry = entry;
  recorded = entry != NULL && entry->id > 0;

  if (!recorded)
    set_fail (self, error ? error->message : _("The board's record was not written"),
              KILN_PRODUCTION_ACTION_CALL_ENGINEER, FALSE);
  else if (entry->pass)
    {
      g_autofree char *detail = entry->serial_number
                                  /* Translators: under PASS: the serial number given to the board, and the time taken */
                                  ? g_strdup_printf (_("Serial number %s · %.1f s"), entry->serial_number,
                                                     entry->total_seconds)
                                  : g_strdup_printf (_("Programmed and verified in %.1f s"), entry->total_seconds);

      set_state (self, KILN_PRODUCTION_SLOT_PASS, detail, _("Take the board out and put the next one in"));
    }
  else
    {
      set_fail (self, entry->cause, kiln_production_action_for (error), TRUE);
    }

  g_signal_emit (self, signals[FINISHED], 0, recorded);
}

void
kiln_production_slot_start (KilnProductionSlot *self,
                            KilnProductionJob  *job)
{
  JobData *data;

  g_return_if_fail (KILN_IS_PRODUCTION_SLOT (self));
  if (self->busy || self->blocked || self->needs_ack)
    {
      kiln_production_job_free (job);
      return;
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    g_set_object (&self->cancellable, g_cancellable_new ());

  self->busy = TRUE;
  self->progress = kiln_progress_new ();
  g_clear_pointer (&self->meter, kiln_job_meter_free);
  self->meter = kiln_job_meter_new (NULL, TRUE, 0);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  g_signal_connect_object (self->progress, "phase-started", G_CALLBACK (phase_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->progress, "sector-changed", G_CALLBACK (sector_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->progress, "changed", G_CALLBACK (changed_cb), self, G_CONNECT_SWAPPED);
  set_state (self, KILN_PRODUCTION_SLOT_PROGRAMMING, kiln_flash_phase_to_label (KILN_FLASH_PHASE_CONNECT), NULL);

  data = g_new0 (JobData, 1);
  data->slot = g_object_ref (self);
  data->job = job;
  kiln_session_run_async (self->session, kiln_production_job_run, job, NULL, self->progress, self->cancellable,
                          job_done_cb, data);
}

static void
armed_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(KilnProductionSlot) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = kiln_session_run_finish (KILN_SESSION (source), result, &error);

  self->busy = FALSE;
  self->armed = FALSE;
  if (ok)
    {
      g_signal_emit (self, signals[BOARD_READY], 0);
      return;
    }
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    return;
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      if (self->state == KILN_PRODUCTION_SLOT_WAITING)
        set_state (self, KILN_PRODUCTION_SLOT_READY, _("Put a board in and press Space"), NULL);
    }
  else
    {
      set_fail (self, error->message, kiln_production_action_for (error), TRUE);
    }
}

void
kiln_production_slot_arm (KilnProductionSlot *self,
                          gboolean            after_removal)
{
  KilnBoardWait *wait;

  g_return_if_fail (KILN_IS_PRODUCTION_SLOT (self));
  if (self->busy || self->blocked || self->needs_ack)
    return;
  if (g_cancellable_is_cancelled (self->cancellable))
    g_set_object (&self->cancellable, g_cancellable_new ());
  self->busy = TRUE;
  self->armed = TRUE;
  if (!after_removal)
    set_state (self, KILN_PRODUCTION_SLOT_WAITING, _("Waiting for a board to be powered"), NULL);
  wait = kiln_board_wait_new (self->info, after_removal);
  if (after_removal && self->entry != NULL)
    kiln_board_wait_set_last_uid (wait, self->entry->chip_uid);
  kiln_session_run_async (self->session, kiln_production_wait_for_board, wait, (GDestroyNotify) kiln_board_wait_free,
                          NULL, self->cancellable, armed_cb, g_object_ref (self));
}
