/* kiln-probe-selector.c — the probe button in the header bar
 *
 * core/usb's KilnUsbMonitor follows probes arriving and leaving (hotplug
 * events, or polling where there are none); it is made on a worker thread,
 * since its first scan opens USB devices, and so is the simulated bench and
 * every read of a probe's firmware version: never USB on the main loop. A
 * probe that cannot be opened is listed with the reason and the way to fix
 * it; a probe's firmware is stated with what it supports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-identify-job.h"
#include "kiln-probe-selector-private.h"
#include "kiln-usb-monitor.h"

struct _KilnProbeSelector
{
  AdwBin             parent_instance;

  GPtrArray         *probes;         /* KilnUsbProbeInfo */
  GHashTable        *versions;       /* serial → KilnStlinkVersion */
  KilnUsbProbeInfo  *selected;
  gboolean           chosen;         /* the user (or a caller) chose: no automatic choice */
  KilnSimBench      *bench;
  KilnUsbMonitor    *monitor;
  char              *bench_error;
  gboolean           want_bench;
  gboolean           select_bench;
  GCancellable      *cancellable;
  gboolean           listing;
  gboolean           list_again;
  char              *signature;      /* what the rows show, to rebuild only on change */

  /* Template widgets */
  GtkMenuButton     *button;
  GtkLabel          *label;
  GtkListBox        *list;
  GtkLabel          *status_label;
};

G_DEFINE_FINAL_TYPE (KilnProbeSelector, kiln_probe_selector, ADW_TYPE_BIN)

enum
{
  PROBE_SELECTED,
  PROBES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void list_probes (KilnProbeSelector *self);

/* ------------------------------------------------------------ the listing */

typedef struct
{
  KilnSimBench *bench;
  gboolean      make_bench;
  gboolean      make_monitor;
  GPtrArray    *probes;    /* the monitor's probes now, when it exists */
  GPtrArray    *skip;      /* serials whose firmware is known or that are in use */
} ListData;

typedef struct
{
  KilnUsbMonitor *monitor;  /* a new one */
  KilnSimBench *bench;
  char         *bench_error;
  GHashTable   *versions;
} ListResult;

static void
list_data_free (ListData *data)
{
  g_clear_object (&data->bench);
  g_clear_pointer (&data->probes, g_ptr_array_unref);
  g_clear_pointer (&data->skip, g_ptr_array_unref);
  g_free (data);
}

static gpointer
drop_thread (gpointer data)
{
  /* A monitor's dispose joins its thread: not on the main loop. */
  g_object_unref (data);
  return NULL;
}

static void
drop_in_thread (gpointer object)
{
  if (object != NULL)
    g_thread_unref (g_thread_new ("kiln-drop", drop_thread, object));
}

static void
list_result_free (ListResult *result)
{
  drop_in_thread (g_steal_pointer (&result->monitor));
  g_clear_object (&result->bench);
  g_free (result->bench_error);
  g_clear_pointer (&result->versions, g_hash_table_unref);
  g_free (result);
}

static gboolean
str_in (GPtrArray  *array,
        const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), s) == 0)
      return TRUE;
  return FALSE;
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ListData *data = task_data;
  ListResult *result = g_new0 (ListResult, 1);
  g_autoptr(GPtrArray) probes = data->probes ? g_ptr_array_ref (data->probes) : NULL;

  result->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  result->bench = data->bench ? g_object_ref (data->bench) : NULL;
  if (result->bench == NULL && data->make_bench)
    {
      g_autoptr(GError) error = NULL;

      /* A whole simulated board: built here, off the main loop. */
      result->bench = kiln_sim_bench_new_from_env (&error);
      if (error != NULL)
        result->bench_error = g_strdup (error->message);
      else if (result->bench == NULL)
        result->bench = kiln_sim_bench_new_default ();
    }
  if (data->make_monitor)
    {
      /* Its first scan opens every ST-LINK for its serial: here, not on
       * the main loop. Its changes reach the main context. */
      result->monitor = kiln_usb_monitor_new (result->bench);
      g_clear_pointer (&probes, g_ptr_array_unref);
      probes = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (result->monitor)); i++)
        g_ptr_array_add (probes, g_list_model_get_item (G_LIST_MODEL (result->monitor), i));
    }

  /* Real probes' firmware, read once per probe while nobody uses it. */
  for (guint i = 0; probes != NULL && i < probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (probes, i);
      const char *serial = kiln_usb_probe_info_get_serial (info);
      KilnStlinkVersion version;

      if (kiln_usb_probe_info_get_backend (info) != KILN_USB_BACKEND_LIBUSB
          || !kiln_usb_probe_info_can_open (info) || str_in (data->skip, serial)
          || g_cancellable_is_cancelled (cancellable))
        continue;
      if (kiln_probe_read_version (info, &version, NULL))
        g_hash_table_insert (result->versions, g_strdup (serial), g_memdup2 (&version, sizeof version));
    }
  g_task_return_pointer (task, result, (GDestroyNotify) list_result_free);
}

static gboolean
same_probe (KilnUsbProbeInfo *a,
            KilnUsbProbeInfo *b)
{
  return a != NULL && b != NULL && kiln_usb_probe_info_get_backend (a) == kiln_usb_probe_info_get_backend (b)
         && g_strcmp0 (kiln_usb_probe_info_get_serial (a), kiln_usb_probe_info_get_serial (b)) == 0;
}

static char *
dup_title (KilnUsbProbeInfo *info)
{
  if (kiln_usb_probe_info_get_backend (info) == KILN_USB_BACKEND_SIMULATOR)
    /* Translators: "Simulated ST-LINK/V2" */
    return g_strdup_printf (_("Simulated %s"), kiln_usb_probe_info_get_model (info));
  return g_strdup (kiln_usb_probe_info_get_model (info));
}

static char *
dup_subtitle (KilnProbeSelector *self,
              KilnUsbProbeInfo  *info)
{
  const KilnStlinkVersion *version = g_hash_table_lookup (self->versions, kiln_usb_probe_info_get_serial (info));
  g_autofree char *statement = version ? kiln_probe_firmware_statement (version) : NULL;

  if (!kiln_usb_probe_info_can_open (info))
    return g_strdup (kiln_usb_probe_info_get_problem (info));
  if (statement == NULL)
    /* Translators: %s is the probe's serial number */
    return g_strdup_printf (_("Serial %s"), kiln_usb_probe_info_get_serial (info));
  /* Translators: the probe's serial, then what its firmware supports */
  return g_strdup_printf (_("Serial %s\n%s"), kiln_usb_probe_info_get_serial (info), statement);
}

static void
row_activated_cb (KilnProbeSelector *self,
                  GtkListBoxRow     *row)
{
  KilnUsbProbeInfo *info = g_object_get_data (G_OBJECT (row), "kiln-probe");

  gtk_menu_button_popdown (self->button);
  if (info != NULL)
    kiln_probe_selector_select (self, info);
  else
    kiln_probe_selector_select_simulator (self);
}

static void
update_label (KilnProbeSelector *self)
{
  g_autofree char *text = NULL;

  if (self->selected == NULL)
    text = g_strdup (self->select_bench ? _("Starting the simulator…") : _("No probe"));
  else if (kiln_usb_probe_info_get_backend (self->selected) == KILN_USB_BACKEND_SIMULATOR)
    text = g_strdup (_("Simulator"));
  else
    {
      const char *serial = kiln_usb_probe_info_get_serial (self->selected);
      gsize len = strlen (serial);

      /* Translators: model and the end of the serial: "ST-LINK/V2 …4312" */
      text = g_strdup_printf (_("%s …%s"), kiln_usb_probe_info_get_model (self->selected),
                              len > 4 ? serial + len - 4 : serial);
    }
  gtk_label_set_label (self->label, text);
}

static void
rebuild_rows (KilnProbeSelector *self)
{
  g_autoptr(GString) signature = g_string_new (NULL);
  GtkWidget *child;
  gboolean have_bench_probe = FALSE;
  guint n_real = 0;

  for (guint i = 0; i < self->probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (self->probes, i);
      g_autofree char *subtitle = dup_subtitle (self, info);

      g_string_append_printf (signature, "%d|%s|%s|%d\n", kiln_usb_probe_info_get_backend (info),
                              kiln_usb_probe_info_get_serial (info), subtitle, same_probe (info, self->selected));
    }
  g_string_append_printf (signature, "%s|%d", self->bench_error, self->bench != NULL);
  if (g_strcmp0 (signature->str, self->signature) == 0)
    return;
  g_free (self->signature);
  self->signature = g_strdup (signature->str);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  for (guint i = 0; i < self->probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (self->probes, i);
      g_autofree char *title = dup_title (info);
      g_autofree char *subtitle = dup_subtitle (self, info);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

      if (kiln_usb_probe_info_get_backend (info) == KILN_USB_BACKEND_SIMULATOR)
        have_bench_probe = TRUE;
      else
        n_real++;
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_opacity (check, same_probe (info, self->selected) ? 1 : 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Selected"), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      if (kiln_usb_probe_info_can_open (info))
        {
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_object_set_data_full (G_OBJECT (row), "kiln-probe", g_object_ref (info), g_object_unref);
        }
      else
        {
          GtkWidget *help = gtk_button_new_with_mnemonic (_("_Help"));

          gtk_widget_set_valign (help, GTK_ALIGN_CENTER);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (help), "win.udev-help");
          gtk_widget_set_tooltip_text (help, _("How to give Kiln access to USB probes"));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), help);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
          gtk_widget_add_css_class (row, "warning");
        }
      gtk_list_box_append (self->list, row);
    }

  /* The simulated board is always one choice away. */
  if (!have_bench_probe)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

      gtk_widget_set_opacity (check, 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Simulated Board"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   self->bench_error != NULL
                                   ? self->bench_error
                                   : _("A simulated ST-LINK with an STM32F746NG: try Kiln without hardware"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->list, row);
    }

  gtk_label_set_label (self->status_label,
                       n_real == 0
                       ? _("No ST-LINK is attached. Plug one in; if it is plugged in but not listed, "
                           "Linux may not let Kiln see it: see USB Access Help.")
                       : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), n_real == 0);
}

static gboolean
needs_version (KilnProbeSelector *self)
{
  for (guint i = 0; i < self->probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (self->probes, i);

      if (kiln_usb_probe_info_get_backend (info) == KILN_USB_BACKEND_LIBUSB && kiln_usb_probe_info_can_open (info)
          && !g_hash_table_contains (self->versions, kiln_usb_probe_info_get_serial (info))
          && !same_probe (info, self->selected))
        return TRUE;
    }
  return FALSE;
}

/* The monitor's list as it is now: rows, the selection, an automatic choice. */
static void
sync_probes (KilnProbeSelector *self)
{
  KilnUsbProbeInfo *still_there = NULL;

  g_ptr_array_set_size (self->probes, 0);
  for (guint i = 0; self->monitor != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->monitor)); i++)
    g_ptr_array_add (self->probes, g_list_model_get_item (G_LIST_MODEL (self->monitor), i));

  for (guint i = 0; i < self->probes->len; i++)
    if (same_probe (g_ptr_array_index (self->probes, i), self->selected))
      still_there = g_ptr_array_index (self->probes, i);

  rebuild_rows (self);
  g_signal_emit (self, signals[PROBES_CHANGED], 0);

  if (self->selected != NULL && still_there == NULL)
    {
      /* Unplugged: nothing is selected until it comes back or another is chosen. */
      g_clear_object (&self->selected);
      self->chosen = FALSE;
      update_label (self);
      g_signal_emit (self, signals[PROBE_SELECTED], 0, NULL);
    }

  if (self->select_bench && self->bench != NULL)
    {
      self->select_bench = FALSE;
      for (guint i = 0; i < self->probes->len; i++)
        {
          KilnUsbProbeInfo *info = g_ptr_array_index (self->probes, i);

          if (kiln_usb_probe_info_get_backend (info) == KILN_USB_BACKEND_SIMULATOR)
            {
              kiln_probe_selector_select (self, info);
              break;
            }
        }
    }
  else if (self->selected == NULL && !self->chosen)
    {
      /* One probe that can be used: take it, as an operator would. */
      KilnUsbProbeInfo *only = NULL;
      guint n = 0;

      for (guint i = 0; i < self->probes->len; i++)
        if (kiln_usb_probe_info_can_open (g_ptr_array_index (self->probes, i)))
          {
            only = g_ptr_array_index (self->probes, i);
            n++;
          }
      if (n == 1)
        kiln_probe_selector_select (self, only);
    }
  update_label (self);
}

static void
monitor_changed_cb (KilnProbeSelector *self)
{
  sync_probes (self);
  if (needs_version (self))
    list_probes (self);
}

static void
list_ready (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  KilnProbeSelector *self;
  ListResult *result = g_task_propagate_pointer (G_TASK (res), NULL);

  if (result == NULL)
    return;   /* cancelled: the selector is gone */
  self = KILN_PROBE_SELECTOR (source);
  self->listing = FALSE;

  if (self->bench == NULL && result->bench != NULL)
    self->bench = g_object_ref (result->bench);
  g_free (self->bench_error);
  self->bench_error = g_strdup (result->bench_error);
  if (self->bench_error != NULL)
    self->select_bench = FALSE;
  if (result->monitor != NULL)
    {
      if (self->monitor != NULL)
        g_signal_handlers_disconnect_by_data (self->monitor, self);
      drop_in_thread (g_steal_pointer (&self->monitor));
      self->monitor = g_steal_pointer (&result->monitor);
      g_signal_connect_object (self->monitor, "items-changed", G_CALLBACK (monitor_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, result->versions);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_hash_table_insert (self->versions, g_strdup (key), g_memdup2 (value, sizeof (KilnStlinkVersion)));
  }
  list_result_free (result);

  sync_probes (self);

  if (self->list_again)
    {
      self->list_again = FALSE;
      list_probes (self);
    }
}

static void
list_probes (KilnProbeSelector *self)
{
  g_autoptr(GTask) task = NULL;
  ListData *data;

  if (self->listing)
    {
      self->list_again = TRUE;
      return;
    }
  self->listing = TRUE;

  data = g_new0 (ListData, 1);
  data->bench = self->bench ? g_object_ref (self->bench) : NULL;
  data->make_bench = self->want_bench || g_getenv ("KILN_SIM") != NULL;
  /* A monitor to start with, and a new one once there is a bench to watch. */
  data->make_monitor = self->monitor == NULL || (self->bench == NULL && data->make_bench);
  data->probes = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->probes->len; i++)
    g_ptr_array_add (data->probes, g_object_ref (g_ptr_array_index (self->probes, i)));
  data->skip = g_ptr_array_new_with_free_func (g_free);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->versions);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (data->skip, g_strdup (key));
  }
  if (self->selected != NULL)
    g_ptr_array_add (data->skip, g_strdup (kiln_usb_probe_info_get_serial (self->selected)));

  task = g_task_new (self, self->cancellable, list_ready, NULL);
  g_task_set_source_tag (task, list_probes);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);
  g_task_run_in_thread (task, list_thread);
}

/* --------------------------------------------------------------- public */

GtkWidget *
kiln_probe_selector_new (void)
{
  return g_object_new (KILN_TYPE_PROBE_SELECTOR, NULL);
}

GPtrArray *
kiln_probe_selector_get_probes (KilnProbeSelector *self)
{
  g_return_val_if_fail (KILN_IS_PROBE_SELECTOR (self), NULL);
  return self->probes;
}

KilnUsbProbeInfo *
kiln_probe_selector_get_selected (KilnProbeSelector *self)
{
  g_return_val_if_fail (KILN_IS_PROBE_SELECTOR (self), NULL);
  return self->selected;
}

KilnSimBench *
kiln_probe_selector_get_bench (KilnProbeSelector *self)
{
  g_return_val_if_fail (KILN_IS_PROBE_SELECTOR (self), NULL);
  return self->bench;
}

gboolean
kiln_probe_selector_is_listing (KilnProbeSelector *self)
{
  g_return_val_if_fail (KILN_IS_PROBE_SELECTOR (self), FALSE);
  return self->listing;
}

void
kiln_probe_selector_select (KilnProbeSelector *self,
                            KilnUsbProbeInfo  *info)
{
  g_return_if_fail (KILN_IS_PROBE_SELECTOR (self));
  g_return_if_fail (info == NULL || KILN_IS_USB_PROBE_INFO (info));

  self->chosen = TRUE;
  if (same_probe (info, self->selected))
    return;
  g_set_object (&self->selected, info);
  g_clear_pointer (&self->signature, g_free);
  rebuild_rows (self);
  update_label (self);
  g_signal_emit (self, signals[PROBE_SELECTED], 0, info);
}

void
kiln_probe_selector_select_simulator (KilnProbeSelector *self)
{
  g_return_if_fail (KILN_IS_PROBE_SELECTOR (self));

  self->chosen = TRUE;
  self->want_bench = TRUE;
  self->select_bench = TRUE;
  update_label (self);
  list_probes (self);
}

void
kiln_probe_selector_refresh (KilnProbeSelector *self)
{
  g_return_if_fail (KILN_IS_PROBE_SELECTOR (self));
  list_probes (self);
}

void
kiln_probe_selector_set_version (KilnProbeSelector       *self,
                                 const char              *serial,
                                 const KilnStlinkVersion *version)
{
  g_return_if_fail (KILN_IS_PROBE_SELECTOR (self));

  g_hash_table_insert (self->versions, g_strdup (serial), g_memdup2 (version, sizeof *version));
  rebuild_rows (self);
}

void
kiln_probe_selector_popup (KilnProbeSelector *self)
{
  g_return_if_fail (KILN_IS_PROBE_SELECTOR (self));
  gtk_menu_button_popup (self->button);
}

GtkWidget *
_kiln_probe_selector_get_popover (KilnProbeSelector *self)
{
  return GTK_WIDGET (gtk_menu_button_get_popover (self->button));
}

/* --------------------------------------------------------------- object */

static void
popover_shown_cb (KilnProbeSelector *self)
{
  if (needs_version (self))
    list_probes (self);
}

static void
kiln_probe_selector_dispose (GObject *object)
{
  KilnProbeSelector *self = KILN_PROBE_SELECTOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  drop_in_thread (g_steal_pointer (&self->monitor));
  G_OBJECT_CLASS (kiln_probe_selector_parent_class)->dispose (object);
}

static void
kiln_probe_selector_finalize (GObject *object)
{
  KilnProbeSelector *self = KILN_PROBE_SELECTOR (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->probes, g_ptr_array_unref);
  g_clear_pointer (&self->versions, g_hash_table_unref);
  g_clear_object (&self->selected);
  g_clear_object (&self->bench);
  g_clear_pointer (&self->bench_error, g_free);
  g_clear_pointer (&self->signature, g_free);
  G_OBJECT_CLASS (kiln_probe_selector_parent_class)->finalize (object);
}

static void
kiln_probe_selector_class_init (KilnProbeSelectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_probe_selector_dispose;
  object_class->finalize = kiln_probe_selector_finalize;

  /* The probe chosen (NULL: none, e.g. it was unplugged). */
  signals[PROBE_SELECTED] = g_signal_new ("probe-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, KILN_TYPE_USB_PROBE_INFO);
  /* A listing finished (the list may or may not differ). */
  signals[PROBES_CHANGED] = g_signal_new ("probes-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kiln/Kiln/kiln-probe-selector.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnProbeSelector, button);
  gtk_widget_class_bind_template_child (widget_class, KilnProbeSelector, label);
  gtk_widget_class_bind_template_child (widget_class, KilnProbeSelector, list);
  gtk_widget_class_bind_template_child (widget_class, KilnProbeSelector, status_label);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, popover_shown_cb);
}

static void
kiln_probe_selector_init (KilnProbeSelector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->probes = g_ptr_array_new_with_free_func (g_object_unref);
  self->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
  rebuild_rows (self);
  update_label (self);
  list_probes (self);
}
