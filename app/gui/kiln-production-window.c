/* kiln-production-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-line-view-private.h"
#include "kiln-production-window-private.h"

G_DEFINE_FINAL_TYPE (KilnProductionWindow, kiln_production_window, ADW_TYPE_APPLICATION_WINDOW)

/* PASS, FAIL and the first-pass yield, large: read from the operator's seat. */
static void
update_counters (KilnProductionWindow *self)
{
  guint boards = g_hash_table_size (self->first_outcome);
  g_autofree char *pass = g_strdup_printf ("%u", self->passed);
  g_autofree char *fail = g_strdup_printf ("%u", self->failed);
  g_autofree char *yield = NULL;
  g_autofree char *text = NULL;

  if (boards == 0)
    {
      yield = g_strdup ("—");
      /* Translators: the shift's counters in the production view */
      text = g_strdup_printf (_("PASS %u · FAIL %u"), self->passed, self->failed);
    }
  else
    {
      guint percent = (guint) (100.0 * self->first_passed / boards + 0.5);

      yield = g_strdup_printf ("%u %%", percent);
      /* Translators: the shift's counters and its first-pass yield: the share of
       * boards (told apart by their chip UID) that passed at their first try */
      text = g_strdup_printf (_("PASS %u · FAIL %u · first-pass yield %u %%"), self->passed, self->failed, percent);
    }
  gtk_label_set_label (self->pass_count_label, pass);
  gtk_label_set_label (self->fail_count_label, fail);
  gtk_label_set_label (self->yield_count_label, yield);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->counters_box), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static gboolean
needs_ack (KilnProductionWindow *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    if (kiln_production_slot_needs_ack (g_ptr_array_index (self->slots, i)))
      return TRUE;
  return FALSE;
}

/* The line under the slots says what Space and Enter do now. */
static void
update_hint (KilnProductionWindow *self)
{
  gtk_label_set_label (self->hint_label,
                       needs_ack (self) ? _("Do what the FAIL asks, then press Space or Enter (or click Done) to go on")
                                        : _("Press Space or Enter to program"));
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label),
                          self->problem == NULL && kiln_production_line_get_problem (self->line) == NULL
                          && self->slots->len > 0);
}

/* The profile's problem first; then the line database's (being connected,
 * or lost: one line saying what happened and what to do, shown as NOT READY
 * since no board was touched). */
void
_kiln_production_window_update_blocked (KilnProductionWindow *self)
{
  const char *problem = self->problem != NULL ? self->problem : kiln_production_line_get_problem (self->line);
  gboolean fails = self->problem != NULL && (self->profile != NULL || self->problem_fails);

  for (guint i = 0; i < self->slots->len; i++)
    kiln_production_slot_set_blocked (g_ptr_array_index (self->slots, i), problem, fails);
  update_hint (self);
}

/* The Line views opened from this station show the board just recorded. */
static void
refresh_line_views (KilnProductionWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (KILN_IS_LINE_VIEW (window) && gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (self))
        kiln_line_view_refresh (KILN_LINE_VIEW (window));
    }
}

static void
slot_finished_cb (KilnProductionSlot   *slot,
                  gboolean              recorded,
                  KilnProductionWindow *self)
{
  const KilnProductionEntry *entry = kiln_production_slot_get_entry (slot);

  if (recorded && entry != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *time = g_date_time_format (now, "%X");
      g_autofree char *last = NULL;

      if (entry->pass)
        self->passed++;
      else
        self->failed++;
      if (entry->chip_uid != NULL && !g_hash_table_contains (self->first_outcome, entry->chip_uid))
        {
          g_hash_table_insert (self->first_outcome, g_strdup (entry->chip_uid), GINT_TO_POINTER (entry->pass));
          self->first_passed += entry->pass;
        }
      /* Translators: the last board in the production view: its chip UID and when it was done */
      last = g_strdup_printf (_("Last board: UID %s at %s"), entry->chip_uid ? entry->chip_uid : "?", time);
      gtk_label_set_label (self->last_label, last);
      update_counters (self);
      refresh_line_views (self);
    }
  else
    {
      /* The record failed: nothing more may be programmed. */
      g_free (self->problem);
      self->problem = g_strdup (_("The record database failed: no board is programmed without its record"));
      gtk_switch_set_active (self->auto_switch, FALSE);
    }

  /* A FAIL waits for the operator's key (the slot refuses to arm). */
  if (self->problem == NULL && gtk_switch_get_active (self->auto_switch))
    kiln_production_slot_arm (slot, TRUE);
  update_hint (self);
}

/* A FAIL confirmed with a click on its slot. */
static void
slot_acknowledged_cb (KilnProductionSlot   *slot,
                      KilnProductionWindow *self)
{
  if (self->problem == NULL && self->profile != NULL && gtk_switch_get_active (self->auto_switch))
    kiln_production_slot_arm (slot, FALSE);
  update_hint (self);
}

static KilnProductionJob *
new_job (KilnProductionWindow *self,
         KilnProductionSlot   *slot)
{
  KilnProductionJob *job = kiln_production_job_new (self->profile, self->record, self->allocator,
                                                    kiln_production_slot_get_info (slot), self->station);
  g_autofree char *operator_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->operator_entry))));
  guint index = 0;

  if (g_ptr_array_find (self->slots, slot, &index))
    job->slot = g_strdup_printf ("%u", index + 1);
  if (*operator_name != '\0')
    job->operator_name = g_steal_pointer (&operator_name);
  return job;
}

static void
slot_board_ready_cb (KilnProductionSlot   *slot,
                     KilnProductionWindow *self)
{
  if (self->problem == NULL && self->profile != NULL)
    kiln_production_slot_start (slot, new_job (self, slot));
}

void
kiln_production_window_start (KilnProductionWindow *self)
{
  g_return_if_fail (KILN_IS_PRODUCTION_WINDOW (self));

  if (self->problem != NULL || self->profile == NULL)
    return;
  /* The line database lost: this key press tries it again. */
  if (kiln_production_line_get_problem (self->line) != NULL)
    {
      kiln_production_line_retry (self->line);
      return;
    }
  /* A failed board is confirmed first: this key press starts nothing. */
  if (needs_ack (self))
    {
      for (guint i = 0; i < self->slots->len; i++)
        {
          KilnProductionSlot *slot = g_ptr_array_index (self->slots, i);

          /* The key says the failed board was dealt with: the board in
           * the socket now is the next one (the bench or the line may have
           * swapped it while the FAIL was shown). */
          if (kiln_production_slot_acknowledge (slot) && gtk_switch_get_active (self->auto_switch))
            kiln_production_slot_arm (slot, FALSE);
        }
      update_hint (self);
      return;
    }
  for (guint i = 0; i < self->slots->len; i++)
    {
      KilnProductionSlot *slot = g_ptr_array_index (self->slots, i);

      if (!kiln_production_slot_is_busy (slot))
        kiln_production_slot_start (slot, new_job (self, slot));
    }
}

/* Space and Enter start the boards (or confirm a FAIL) whatever has the
 * focus: the window takes them before any button or switch could. Only an
 * open menu keeps them, for its items. */
static gboolean
key_pressed_cb (KilnProductionWindow  *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  GtkWidget *focus;

  if (keyval != GDK_KEY_space && keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter
      && keyval != GDK_KEY_ISO_Enter && keyval != GDK_KEY_KP_Space)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL)
    return FALSE;
  kiln_production_window_start (self);
  return TRUE;
}

void
kiln_production_window_set_auto_start (KilnProductionWindow *self,
                                       gboolean              auto_start)
{
  gtk_switch_set_active (self->auto_switch, auto_start);
}

static void
auto_switch_cb (KilnProductionWindow *self)
{
  gboolean active = gtk_switch_get_active (self->auto_switch);

  for (guint i = 0; i < self->slots->len; i++)
    {
      KilnProductionSlot *slot = g_ptr_array_index (self->slots, i);

      kiln_production_slot_set_auto_start (slot, active);
      if (active && self->problem == NULL && self->profile != NULL)
        kiln_production_slot_arm (slot, FALSE);
      else if (!active)
        kiln_production_slot_disarm (slot);
    }
}

static void
update_slots_layout (KilnProductionWindow *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      kiln_production_slot_set_compact (g_ptr_array_index (self->slots, i), self->slots->len > 2);
      kiln_production_slot_set_large (g_ptr_array_index (self->slots, i), self->large);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->slots_box), self->slots->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_probe_page), self->slots->len == 0);
  _kiln_production_window_update_blocked (self);
}

/* One slot per probe: the attached ST-LINKs and, on the simulator, the
 * bench's probes, as they come and go. */
static void
probe_added_cb (KilnProductionWindow *self,
                KilnUsbProbeInfo     *info)
{
  KilnProductionSlot *slot;

  if (!kiln_usb_probe_info_can_open (info))
    return;
  for (guint i = 0; i < self->slots->len; i++)
    if (kiln_production_slot_get_info (g_ptr_array_index (self->slots, i)) == info)
      return;
  slot = kiln_production_slot_new (info, ++self->next_slot);
  kiln_production_slot_set_auto_start (slot, gtk_switch_get_active (self->auto_switch));
  g_signal_connect_object (slot, "finished", G_CALLBACK (slot_finished_cb), self, 0);
  g_signal_connect_object (slot, "board-ready", G_CALLBACK (slot_board_ready_cb), self, 0);
  g_signal_connect_object (slot, "acknowledged", G_CALLBACK (slot_acknowledged_cb), self, 0);
  gtk_box_append (self->slots_box, GTK_WIDGET (slot));
  g_ptr_array_add (self->slots, slot);
  update_slots_layout (self);
  if (self->problem == NULL && self->profile != NULL && gtk_switch_get_active (self->auto_switch))
    kiln_production_slot_arm (slot, FALSE);
}

static void
probe_removed_cb (KilnProductionWindow *self,
                  KilnUsbProbeInfo     *info)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      KilnProductionSlot *slot = g_ptr_array_index (self->slots, i);

      if (kiln_production_slot_get_info (slot) != info)
        continue;
      /* A job in progress ends on its own (the probe is gone) and is
       * recorded; the slot leaves the view now. */
      kiln_production_slot_cancel (slot);
      g_ptr_array_remove_index (self->slots, i);
      gtk_box_remove (self->slots_box, GTK_WIDGET (slot));
      break;
    }
  update_slots_layout (self);
}


void
kiln_production_window_set_operator (KilnProductionWindow *self,
                                     const char           *operator_name)
{
  gtk_editable_set_text (GTK_EDITABLE (self->operator_entry), operator_name ? operator_name : "");
}


/* GObject */

static void
kiln_production_window_dispose (GObject *object)
{
  KilnProductionWindow *self = (KilnProductionWindow *) object;

  if (self->start_cancellable != NULL)
    g_cancellable_cancel (self->start_cancellable);
  g_clear_object (&self->start_cancellable);
  g_clear_pointer (&self->line, kiln_production_line_free);
  g_clear_handle_id (&self->large_idle, g_source_remove);
  g_clear_pointer (&self->lockdown, kiln_production_lockdown_free);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
    kiln_production_slot_cancel (g_ptr_array_index (self->slots, i));
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_PRODUCTION_WINDOW);

  G_OBJECT_CLASS (kiln_production_window_parent_class)->dispose (object);
}

static void
kiln_production_window_finalize (GObject *object)
{
  KilnProductionWindow *self = (KilnProductionWindow *) object;

  g_clear_object (&self->bench);
  g_clear_object (&self->profile);
  g_clear_object (&self->allocator);
  g_clear_object (&self->record);
  g_free (self->record_path);
  g_free (self->station);
  g_free (self->problem);
  g_clear_pointer (&self->first_outcome, g_hash_table_unref);

  G_OBJECT_CLASS (kiln_production_window_parent_class)->finalize (object);
}

/* A large window (a 1920×1080 station screen) gets larger type and
 * pictograms, so that the slots use the room rather than leave it empty. */
static gboolean
apply_large_cb (gpointer data)
{
  KilnProductionWindow *self = data;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  self->large_idle = 0;
  self->large = width >= 1500 && height >= 900;
  if (self->large)
    gtk_widget_add_css_class (GTK_WIDGET (self), "large");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "large");
  update_slots_layout (self);
  return G_SOURCE_REMOVE;
}

static void
kiln_production_window_size_allocate (GtkWidget *widget,
                                      int        width,
                                      int        height,
                                      int        baseline)
{
  KilnProductionWindow *self = KILN_PRODUCTION_WINDOW (widget);
  gboolean large = width >= 1500 && height >= 900;

  GTK_WIDGET_CLASS (kiln_production_window_parent_class)->size_allocate (widget, width, height, baseline);
  /* Not during the allocation: the change resizes what is being placed. */
  if (large != self->large && self->large_idle == 0)
    self->large_idle = g_idle_add (apply_large_cb, self);
}

/* In operator mode the station stays open: closing it would bring back the
 * windows it hid. */
static gboolean
kiln_production_window_close_request (GtkWindow *window)
{
  KilnProductionWindow *self = KILN_PRODUCTION_WINDOW (window);

  if (kiln_production_lockdown_is_on (self->lockdown))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.leave-operator-mode", NULL);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (kiln_production_window_parent_class)->close_request (window);
}

static void
kiln_production_window_class_init (KilnProductionWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kiln_production_window_dispose;
  window_class->close_request = kiln_production_window_close_request;
  widget_class->size_allocate = kiln_production_window_size_allocate;
  object_class->finalize = kiln_production_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kiln/Kiln/kiln-production-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, auto_switch);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, file_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, last_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, auto_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, operator_button);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, counters_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, pass_count_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, fail_count_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, yield_count_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, slots_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, no_probe_page);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, hint_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProductionWindow, operator_entry);

  _kiln_production_window_class_actions_init (widget_class);
}

static void
load_css (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      GtkCssProvider *provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider, "/org/kiln/Kiln/production.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_once_init_leave (&once, 1);
    }
}

static void
kiln_production_window_init (KilnProductionWindow *self)
{
  load_css ();
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->slots = g_ptr_array_new ();
  /* Operator mode: only boards are programmed. Other profiles, the
   * auto-start switch, the record's export, the settings and the
   * application's other windows are out of reach until the engineer's
   * password or key is given. */
  self->lockdown = kiln_production_lockdown_new (GTK_WINDOW (self));
  kiln_production_lockdown_hide (self->lockdown, self->open_button);
  kiln_production_lockdown_hide (self->lockdown, self->auto_box);
  kiln_production_lockdown_hide (self->lockdown, self->export_button);
  kiln_production_lockdown_show (self->lockdown, self->operator_button);
  kiln_production_lockdown_disable (self->lockdown, "win.open-profile");
  kiln_production_lockdown_disable (self->lockdown, "win.export");
  kiln_production_lockdown_disable (self->lockdown, "win.new-profile");
  kiln_production_lockdown_disable (self->lockdown, "win.edit-profile");
  self->first_outcome = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  self->station = g_strdup (g_get_host_name ());
  self->line = kiln_production_line_new (G_CALLBACK (_kiln_production_window_update_blocked), self);
  g_signal_connect_object (self->auto_switch, "notify::active", G_CALLBACK (auto_switch_cb), self,
                           G_CONNECT_SWAPPED);
  update_counters (self);
  gtk_label_set_label (self->file_label, _("No profile open"));
}

typedef struct
{
  gboolean        simulator;
  KilnSimBench   *bench;
  KilnUsbMonitor *monitor;
  char           *bench_error;
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_object (&data->bench);
  g_clear_object (&data->monitor);
  g_free (data->bench_error);
  g_free (data);
}

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StartData *data = task_data;

  if (data->simulator)
    {
      g_autoptr(GError) error = NULL;

      data->bench = kiln_sim_bench_new_from_env (&error);
      if (data->bench == NULL && error == NULL)
        data->bench = kiln_sim_bench_new_default ();
      if (error != NULL)
        data->bench_error = g_strdup (error->message);
    }
  /* Its changes reach the main context. */
  data->monitor = kiln_usb_monitor_new (data->bench);
  g_task_return_boolean (task, TRUE);
}

static void
start_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  KilnProductionWindow *self = KILN_PRODUCTION_WINDOW (source);
  StartData *data = g_task_get_task_data (G_TASK (result));

  if (self->start_cancellable == NULL || g_cancellable_is_cancelled (self->start_cancellable) || self->slots == NULL)
    return;
  g_clear_object (&self->start_cancellable);
  self->bench = g_steal_pointer (&data->bench);
  self->monitor = g_steal_pointer (&data->monitor);
  if (data->bench_error != NULL)
    {
      g_free (self->problem);
      self->problem = g_strdup (data->bench_error);
      self->problem_fails = TRUE;
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->monitor)); i++)
    {
      g_autoptr(KilnUsbProbeInfo) info = g_list_model_get_item (G_LIST_MODEL (self->monitor), i);

      probe_added_cb (self, info);
    }
  g_signal_connect_object (self->monitor, "probe-added", G_CALLBACK (probe_added_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "probe-removed", G_CALLBACK (probe_removed_cb), self, G_CONNECT_SWAPPED);
  update_slots_layout (self);
  _kiln_production_window_update_blocked (self);
}

KilnProductionWindow *
kiln_production_window_new (AdwApplication *application,
                            gboolean        simulator,
                            const char     *record_path)
{
  KilnProductionWindow *self = g_object_new (KILN_TYPE_PRODUCTION_WINDOW, "application", application, NULL);

  self->simulator = simulator;
  self->record_path = record_path ? g_strdup (record_path)
                                  : g_build_filename (g_get_user_data_dir (), "kiln", "production.db", NULL);
  if (self->problem == NULL)
    self->problem = g_strdup (_("Open a signed production profile to start"));
  _kiln_production_window_update_blocked (self);

  /* The bench and the first scan of the probes (which opens every ST-LINK
   * for its serial) are made off the main loop. */
  {
    g_autoptr(GTask) task = NULL;
    StartData *data = g_new0 (StartData, 1);

    data->simulator = simulator;
    self->start_cancellable = g_cancellable_new ();
    task = g_task_new (self, self->start_cancellable, start_ready, NULL);
    g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);
    g_task_run_in_thread (task, start_thread);
  }
  return self;
}

gboolean
kiln_production_window_is_ready (KilnProductionWindow *self)
{
  return self->start_cancellable == NULL;
}

guint
kiln_production_window_get_n_slots (KilnProductionWindow *self)
{
  return self->slots->len;
}

KilnProductionSlot *
kiln_production_window_get_slot (KilnProductionWindow *self,
                                 guint                 index)
{
  g_return_val_if_fail (index < self->slots->len, NULL);
  return g_ptr_array_index (self->slots, index);
}

void
kiln_production_window_get_counts (KilnProductionWindow *self,
                                   guint                *passed,
                                   guint                *failed)
{
  *passed = self->passed;
  *failed = self->failed;
}

KilnProductionRecord *
kiln_production_window_get_record (KilnProductionWindow *self)
{
  return self->record;
}

KilnSimBench *
kiln_production_window_get_bench (KilnProductionWindow *self)
{
  return self->bench;
}
