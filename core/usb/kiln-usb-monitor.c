/* kiln-usb-monitor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The worker thread keeps its own table of what is attached (key → info)
 * and sends each change to the main context; the main context's side keeps
 * the list model. Keys tell attachments apart: bus and address for libusb
 * devices (a replugged device gets a new address), serial and address for
 * the bench's probes.
 */

#include "config.h"

#include "kiln-usb-monitor.h"
#include "kiln-usb-probe-info-private.h"

#define DEFAULT_POLL_INTERVAL_MS 1000

struct _KilnUsbMonitor
{
  GObject                         parent_instance;

  KilnSimBench                   *bench;
  gboolean                        want_hotplug;
  guint                           poll_interval_ms;
  GMainContext                   *context;
  GPtrArray                      *items;        /* KilnUsbProbeInfo *, main context side */

  /* The worker */
  libusb_context                 *usb;
  gboolean                        uses_hotplug;
  libusb_hotplug_callback_handle  hotplug_handle;
  GThread                        *thread;
  GMutex                          mutex;
  GCond                           cond;
  int                             stopping;     /* under mutex; also libusb's "completed" flag */
  GQueue                          hotplug_events; /* HotplugEvent *, under mutex */
  GHashTable                     *known;        /* key → KilnUsbProbeInfo *, worker only */
};

static void kiln_usb_monitor_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KilnUsbMonitor, kiln_usb_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, kiln_usb_monitor_list_model_init))

enum
{
  PROP_0,
  PROP_BENCH,
  PROP_USE_HOTPLUG,
  PROP_POLL_INTERVAL,
  PROP_USES_HOTPLUG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  PROBE_ADDED,
  PROBE_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  libusb_device           *device;
  libusb_hotplug_event     event;
} HotplugEvent;

typedef struct
{
  gboolean          added;
  char             *key;
  KilnUsbProbeInfo *info;
} Change;

typedef struct
{
  GWeakRef   monitor;
  GPtrArray *changes;   /* Change * */
} Delivery;

static void
change_free (Change *change)
{
  g_free (change->key);
  g_clear_object (&change->info);
  g_free (change);
}

static void
delivery_free (Delivery *delivery)
{
  g_weak_ref_clear (&delivery->monitor);
  g_ptr_array_unref (delivery->changes);
  g_free (delivery);
}

/* ------------------------------------------------------------------ */
/* The main context's side                                              */

static gboolean
apply_changes (gpointer user_data)
{
  Delivery *delivery = user_data;
  g_autoptr(KilnUsbMonitor) self = g_weak_ref_get (&delivery->monitor);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  for (guint i = 0; i < delivery->changes->len; i++)
    {
      Change *change = g_ptr_array_index (delivery->changes, i);
      guint position = G_MAXUINT;

      for (guint j = 0; j < self->items->len; j++)
        if (g_strcmp0 (_kiln_usb_probe_info_get_key (g_ptr_array_index (self->items, j)), change->key) == 0)
          position = j;

      if (change->added && position == G_MAXUINT)
        {
          g_ptr_array_add (self->items, g_object_ref (change->info));
          g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
          g_signal_emit (self, signals[PROBE_ADDED], 0, change->info);
        }
      else if (!change->added && position != G_MAXUINT)
        {
          g_autoptr(KilnUsbProbeInfo) info = g_ptr_array_steal_index (self->items, position);

          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
          g_signal_emit (self, signals[PROBE_REMOVED], 0, info);
        }
    }
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* The worker's side                                                    */

static void
note_added (KilnUsbMonitor   *self,
            GPtrArray        *changes,
            KilnUsbProbeInfo *info)
{
  Change *change = g_new0 (Change, 1);
  const char *key = _kiln_usb_probe_info_get_key (info);

  change->added = TRUE;
  change->key = g_strdup (key);
  change->info = g_object_ref (info);
  g_ptr_array_add (changes, change);
  g_hash_table_replace (self->known, g_strdup (key), info);
}

static void
note_removed (KilnUsbMonitor *self,
              GPtrArray      *changes,
              const char     *key)
{
  Change *change = g_new0 (Change, 1);

  change->added = FALSE;
  change->key = g_strdup (key);
  g_ptr_array_add (changes, change);
  g_hash_table_remove (self->known, key);
}

/* The bench's probes: what is plugged in now against what was. */
static void
scan_bench (KilnUsbMonitor *self,
            GPtrArray      *changes)
{
  g_autoptr(GHashTable) present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  if (self->bench == NULL)
    return;

  for (guint i = 0; i < kiln_sim_bench_get_n_probes (self->bench); i++)
    {
      KilnSimProbe *probe = kiln_sim_bench_get_probe (self->bench, i);

      if (kiln_sim_probe_is_present (probe))
        g_hash_table_add (present, g_strdup_printf ("sim:%s:%u", kiln_sim_probe_get_serial (probe),
                                                    kiln_sim_probe_get_device_address (probe)));
    }

  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, "sim:") && !g_hash_table_contains (present, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    note_removed (self, changes, g_ptr_array_index (gone, i));

  for (guint i = 0; i < kiln_sim_bench_get_n_probes (self->bench); i++)
    {
      KilnSimProbe *probe = kiln_sim_bench_get_probe (self->bench, i);
      g_autoptr(KilnUsbProbeInfo) info = NULL;

      if (!kiln_sim_probe_is_present (probe))
        continue;
      info = _kiln_usb_probe_info_new_for_sim (self->bench, probe);
      if (!g_hash_table_contains (self->known, _kiln_usb_probe_info_get_key (info)))
        note_added (self, changes, g_steal_pointer (&info));
    }
}

/* The whole bus, when there are no hotplug events to go by. */
static void
scan_usb (KilnUsbMonitor *self,
          GPtrArray      *changes)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  libusb_device **list = NULL;
  GHashTableIter iter;
  gpointer key;
  ssize_t n;

  if (self->usb == NULL)
    return;

  n = libusb_get_device_list (self->usb, &list);
  for (ssize_t i = 0; i < n; i++)
    {
      struct libusb_device_descriptor desc;
      char *device_key;

      if (libusb_get_device_descriptor (list[i], &desc) != 0 || desc.idVendor != 0x0483
          || kiln_usb_model_for_product_id (desc.idProduct) == NULL)
        continue;
      device_key = _kiln_usb_key_for_device (list[i]);
      g_hash_table_add (seen, device_key);
      if (!g_hash_table_contains (self->known, device_key))
        {
          KilnUsbProbeInfo *info = _kiln_usb_probe_info_new_for_device (list[i]);

          if (info != NULL)
            note_added (self, changes, info);
        }
    }
  if (list != NULL)
    libusb_free_device_list (list, 1);

  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, "usb:") && !g_hash_table_contains (seen, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    note_removed (self, changes, g_ptr_array_index (gone, i));
}

/* Runs inside libusb's event handling, on whichever thread handles events:
 * only queue the event. */
static int
on_hotplug (libusb_context       *context,
            libusb_device        *device,
            libusb_hotplug_event  event,
            void                 *user_data)
{
  KilnUsbMonitor *self = user_data;
  HotplugEvent *e = g_new0 (HotplugEvent, 1);

  e->device = libusb_ref_device (device);
  e->event = event;
  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->hotplug_events, e);
  g_mutex_unlock (&self->mutex);
  return 0;
}

static void
take_hotplug_events (KilnUsbMonitor *self,
                     GPtrArray      *changes)
{
  for (;;)
    {
      HotplugEvent *e;
      g_autofree char *key = NULL;

      g_mutex_lock (&self->mutex);
      e = g_queue_pop_head (&self->hotplug_events);
      g_mutex_unlock (&self->mutex);
      if (e == NULL)
        break;

      key = _kiln_usb_key_for_device (e->device);
      if (e->event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT)
        {
          if (g_hash_table_contains (self->known, key))
            note_removed (self, changes, key);
        }
      else if (!g_hash_table_contains (self->known, key))
        {
          KilnUsbProbeInfo *info = _kiln_usb_probe_info_new_for_device (e->device);

          if (info != NULL)
            note_added (self, changes, info);
        }
      libusb_unref_device (e->device);
      g_free (e);
    }
}

static gboolean
stopping (KilnUsbMonitor *self)
{
  gboolean stop;

  g_mutex_lock (&self->mutex);
  stop = self->stopping;
  g_mutex_unlock (&self->mutex);
  return stop;
}

static gpointer
worker (gpointer user_data)
{
  KilnUsbMonitor *self = user_data;

  while (!stopping (self))
    {
      Delivery *delivery;
      GSource *source;
      g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);

      if (self->uses_hotplug)
        {
          struct timeval tv = { self->poll_interval_ms / 1000, (self->poll_interval_ms % 1000) * 1000 };

          libusb_handle_events_timeout_completed (self->usb, &tv, &self->stopping);
          take_hotplug_events (self, changes);
        }
      else
        {
          g_mutex_lock (&self->mutex);
          if (!self->stopping)
            g_cond_wait_until (&self->cond, &self->mutex,
                               g_get_monotonic_time () + (gint64) self->poll_interval_ms * G_TIME_SPAN_MILLISECOND);
          g_mutex_unlock (&self->mutex);
          if (stopping (self))
            break;
          scan_usb (self, changes);
        }
      scan_bench (self, changes);

      if (changes->len == 0)
        continue;
      delivery = g_new0 (Delivery, 1);
      g_weak_ref_init (&delivery->monitor, self);
      delivery->changes = g_steal_pointer (&changes);
      /* A source, not g_main_context_invoke(): that runs the callback right
       * here when the caller's context happens to be free, and then the
       * signals are emitted on this thread, and the monitor's last
       * reference can be dropped here (the weak reference taken while the
       * caller let go of it), whose dispose joins this very thread
       * (GLib: "Resource deadlock avoided"). */
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, apply_changes, delivery, (GDestroyNotify) delivery_free);
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
kiln_usb_monitor_constructed (GObject *object)
{
  KilnUsbMonitor *self = (KilnUsbMonitor *) object;
  g_autoptr(GPtrArray) initial = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);

  G_OBJECT_CLASS (kiln_usb_monitor_parent_class)->constructed (object);

  self->context = g_main_context_ref_thread_default ();
  self->usb = _kiln_usb_get_context ();

  if (self->usb != NULL && self->want_hotplug && libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG))
    self->uses_hotplug = libusb_hotplug_register_callback (self->usb,
                                                           LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED
                                                           | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                                                           0, 0x0483, LIBUSB_HOTPLUG_MATCH_ANY,
                                                           LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, self,
                                                           &self->hotplug_handle) == LIBUSB_SUCCESS;

  /* What is there now is there from the start, without signals. Events
   * for it that come later are recognised by their keys. */
  scan_usb (self, initial);
  scan_bench (self, initial);
  for (guint i = 0; i < initial->len; i++)
    g_ptr_array_add (self->items, g_object_ref (((Change *) g_ptr_array_index (initial, i))->info));

  if (self->usb != NULL || self->bench != NULL)
    self->thread = g_thread_new ("kiln-usb-monitor", worker, self);
}

static void
kiln_usb_monitor_dispose (GObject *object)
{
  KilnUsbMonitor *self = (KilnUsbMonitor *) object;

  if (self->thread != NULL)
    {
      g_mutex_lock (&self->mutex);
      self->stopping = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
      if (self->uses_hotplug)
        libusb_interrupt_event_handler (self->usb);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  if (self->uses_hotplug)
    {
      libusb_hotplug_deregister_callback (self->usb, self->hotplug_handle);
      self->uses_hotplug = FALSE;
    }
  for (HotplugEvent *e; (e = g_queue_pop_head (&self->hotplug_events)) != NULL;)
    {
      libusb_unref_device (e->device);
      g_free (e);
    }
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_object (&self->bench);
  g_clear_pointer (&self->context, g_main_context_unref);
  if (self->items != NULL && self->items->len > 0)
    {
      guint n = self->items->len;

      g_ptr_array_set_size (self->items, 0);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
    }

  G_OBJECT_CLASS (kiln_usb_monitor_parent_class)->dispose (object);
}

static void
kiln_usb_monitor_finalize (GObject *object)
{
  KilnUsbMonitor *self = (KilnUsbMonitor *) object;

  g_ptr_array_unref (self->items);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (kiln_usb_monitor_parent_class)->finalize (object);
}

static void
kiln_usb_monitor_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KilnUsbMonitor *self = KILN_USB_MONITOR (object);

  switch (prop_id)
    {
    case PROP_BENCH:
      g_value_set_object (value, self->bench);
      break;
    case PROP_USE_HOTPLUG:
      g_value_set_boolean (value, self->want_hotplug);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_interval_ms);
      break;
    case PROP_USES_HOTPLUG:
      g_value_set_boolean (value, self->uses_hotplug);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_usb_monitor_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KilnUsbMonitor *self = KILN_USB_MONITOR (object);

  switch (prop_id)
    {
    case PROP_BENCH:
      self->bench = g_value_dup_object (value);
      g_warn_if_fail (self->bench == NULL || KILN_IS_SIM_BENCH (self->bench));
      break;
    case PROP_USE_HOTPLUG:
      self->want_hotplug = g_value_get_boolean (value);
      break;
    case PROP_POLL_INTERVAL:
      self->poll_interval_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_usb_monitor_class_init (KilnUsbMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = kiln_usb_monitor_constructed;
  object_class->dispose = kiln_usb_monitor_dispose;
  object_class->finalize = kiln_usb_monitor_finalize;
  object_class->get_property = kiln_usb_monitor_get_property;
  object_class->set_property = kiln_usb_monitor_set_property;

  /* Typed as GObject: naming KILN_TYPE_SIM_BENCH here would register the
   * bench's types in every program that makes a monitor, and a program run
   * on the drop-in libusb (which has its own copy of them) must not. */
  properties[PROP_BENCH] =
    g_param_spec_object ("bench", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USE_HOTPLUG] =
    g_param_spec_boolean ("use-hotplug", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 1, 60000, DEFAULT_POLL_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USES_HOTPLUG] =
    g_param_spec_boolean ("uses-hotplug", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KilnUsbMonitor::probe-added:
   * @info: the probe that was plugged in
   */
  signals[PROBE_ADDED] =
    g_signal_new ("probe-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, KILN_TYPE_USB_PROBE_INFO);
  /**
   * KilnUsbMonitor::probe-removed:
   * @info: the probe that went away; opening it fails
   */
  signals[PROBE_REMOVED] =
    g_signal_new ("probe-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, KILN_TYPE_USB_PROBE_INFO);
}

static void
kiln_usb_monitor_init (KilnUsbMonitor *self)
{
  self->want_hotplug = TRUE;
  self->poll_interval_ms = DEFAULT_POLL_INTERVAL_MS;
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->hotplug_events);
}

/* GListModel */

static GType
kiln_usb_monitor_get_item_type (GListModel *model)
{
  return KILN_TYPE_USB_PROBE_INFO;
}

static guint
kiln_usb_monitor_get_n_items (GListModel *model)
{
  return KILN_USB_MONITOR (model)->items->len;
}

static gpointer
kiln_usb_monitor_get_item (GListModel *model,
                           guint       position)
{
  KilnUsbMonitor *self = KILN_USB_MONITOR (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
kiln_usb_monitor_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = kiln_usb_monitor_get_item_type;
  iface->get_n_items = kiln_usb_monitor_get_n_items;
  iface->get_item = kiln_usb_monitor_get_item;
}

/* ------------------------------------------------------------------ */

KilnUsbMonitor *
kiln_usb_monitor_new (KilnSimBench *bench)
{
  return g_object_new (KILN_TYPE_USB_MONITOR, "bench", bench, NULL);
}

KilnUsbMonitor *
kiln_usb_monitor_new_full (KilnSimBench *bench,
                           gboolean      use_hotplug,
                           guint         poll_interval_ms)
{
  return g_object_new (KILN_TYPE_USB_MONITOR,
                       "bench", bench,
                       "use-hotplug", use_hotplug,
                       "poll-interval", MAX (poll_interval_ms, 1u),
                       NULL);
}

gboolean
kiln_usb_monitor_get_uses_hotplug (KilnUsbMonitor *self)
{
  g_return_val_if_fail (KILN_IS_USB_MONITOR (self), FALSE);

  return self->uses_hotplug;
}

KilnUsbProbeInfo *
kiln_usb_monitor_find (KilnUsbMonitor *self,
                       const char     *serial)
{
  g_return_val_if_fail (KILN_IS_USB_MONITOR (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    if (g_strcmp0 (kiln_usb_probe_info_get_serial (g_ptr_array_index (self->items, i)), serial) == 0)
      return g_ptr_array_index (self->items, i);
  return NULL;
}
