/* kiln-sim-libusb-events.c — the drop-in libusb's asynchronous transfers,
 * event handling and hotplug (see kiln-sim-libusb.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kiln-sim-libusb-private.h"

/* Asynchronous transfers */

typedef struct
{
  struct libusb_context *ctx;
  gboolean               in_flight;
} TransferPriv;

EXPORT struct libusb_transfer *
libusb_alloc_transfer (int iso_packets)
{
  gsize size = sizeof (struct libusb_transfer) + sizeof (struct libusb_iso_packet_descriptor) * (gsize) iso_packets;
  struct libusb_transfer *t = g_malloc0 (size + sizeof (TransferPriv));

  t->num_iso_packets = iso_packets;
  return t;
}

static TransferPriv *
transfer_priv (struct libusb_transfer *t)
{
  gsize size = sizeof (struct libusb_transfer) + sizeof (struct libusb_iso_packet_descriptor) * (gsize) t->num_iso_packets;

  return (TransferPriv *) ((guint8 *) t + size);
}

EXPORT void
libusb_free_transfer (struct libusb_transfer *transfer)
{
  if (transfer == NULL)
    return;
  if (transfer->flags & LIBUSB_TRANSFER_FREE_BUFFER)
    free (transfer->buffer);
  g_free (transfer);
}

EXPORT int
libusb_submit_transfer (struct libusb_transfer *transfer)
{
  KilnSimProbe *probe = transfer->dev_handle->dev->probe;
  TransferPriv *priv = transfer_priv (transfer);
  struct libusb_context *ctx = kiln_dropin_ctx (NULL);
  KilnSimUsbStatus status;
  gsize done = 0;

  if (kiln_dropin_device_gone (transfer->dev_handle->dev))
    return LIBUSB_ERROR_NO_DEVICE;

  switch (transfer->type)
    {
    case LIBUSB_TRANSFER_TYPE_CONTROL:
      {
        struct libusb_control_setup *setup = (struct libusb_control_setup *) transfer->buffer;
        int n = kiln_sim_probe_control_transfer (probe, setup->bmRequestType, setup->bRequest,
                                                 libusb_le16_to_cpu (setup->wValue),
                                                 libusb_le16_to_cpu (setup->wIndex),
                                                 transfer->buffer + LIBUSB_CONTROL_SETUP_SIZE,
                                                 libusb_le16_to_cpu (setup->wLength), transfer->timeout);

        status = n < 0 ? (KilnSimUsbStatus) n : KILN_SIM_USB_OK;
        done = n < 0 ? 0 : (gsize) n;
      }
      break;
    case LIBUSB_TRANSFER_TYPE_BULK:
    case LIBUSB_TRANSFER_TYPE_INTERRUPT:
      status = kiln_sim_probe_bulk_transfer (probe, transfer->endpoint, transfer->buffer,
                                             (gsize) MAX (transfer->length, 0), &done, transfer->timeout);
      break;
    default:
      return LIBUSB_ERROR_NOT_SUPPORTED;
    }

  transfer->actual_length = (int) done;
  switch (status)
    {
    case KILN_SIM_USB_OK:        transfer->status = LIBUSB_TRANSFER_COMPLETED; break;
    case KILN_SIM_USB_TIMEOUT:   transfer->status = LIBUSB_TRANSFER_TIMED_OUT; break;
    case KILN_SIM_USB_NO_DEVICE: transfer->status = LIBUSB_TRANSFER_NO_DEVICE; break;
    case KILN_SIM_USB_PIPE:      transfer->status = LIBUSB_TRANSFER_STALL; break;
    case KILN_SIM_USB_OVERFLOW:  transfer->status = LIBUSB_TRANSFER_OVERFLOW; break;
    default:                     transfer->status = LIBUSB_TRANSFER_ERROR; break;
    }

  priv->ctx = ctx;
  priv->in_flight = TRUE;
  g_mutex_lock (&kiln_dropin_lock);
  g_queue_push_tail (&ctx->completed, transfer);
  g_cond_broadcast (&kiln_dropin_events_cond);
  g_mutex_unlock (&kiln_dropin_lock);
  return 0;
}

EXPORT int
libusb_cancel_transfer (struct libusb_transfer *transfer)
{
  /* Every transfer has completed by the time it could be cancelled. */
  return LIBUSB_ERROR_NOT_FOUND;
}

/* Runs the callbacks of completed transfers; returns how many ran. */
static int
run_completions (libusb_context *ctx,
                 int            *completed)
{
  struct libusb_context *c = kiln_dropin_ctx (ctx);
  int ran = 0;

  for (;;)
    {
      struct libusb_transfer *t;
      TransferPriv *priv;

      g_mutex_lock (&kiln_dropin_lock);
      t = g_queue_pop_head (&c->completed);
      if (t == NULL && c != &kiln_dropin_default_context)
        t = g_queue_pop_head (&kiln_dropin_default_context.completed);
      g_mutex_unlock (&kiln_dropin_lock);
      if (t == NULL)
        break;

      ran++;
      priv = transfer_priv (t);
      priv->in_flight = FALSE;
      if (t->callback != NULL)
        {
          gboolean free_it = (t->flags & LIBUSB_TRANSFER_FREE_TRANSFER) != 0;

          t->callback (t);
          if (free_it)
            libusb_free_transfer (t);
        }
      if (completed != NULL && *completed)
        break;
    }
  return ran;
}

static int hotplug_dispatch (libusb_context *ctx);

/* One round of event handling: completions and hotplug events, or, when
 * there are none, a wait for one until @timeout_us has passed (probes that
 * leave by a fault are noticed within 10 ms). */
static int
handle_events (libusb_context *ctx,
               gint64          timeout_us,
               int            *completed)
{
  gint64 deadline = g_get_monotonic_time () + MAX (timeout_us, 0);

  if (completed != NULL && *completed)
    return 0;
  for (;;)
    {
      gint64 now;

      if (run_completions (ctx, completed) + hotplug_dispatch (ctx) > 0)
        return 0;
      if (completed != NULL && *completed)
        return 0;

      g_mutex_lock (&kiln_dropin_lock);
      now = g_get_monotonic_time ();
      if (kiln_dropin_events_interrupted || now >= deadline)
        {
          kiln_dropin_events_interrupted = FALSE;
          g_mutex_unlock (&kiln_dropin_lock);
          return 0;
        }
      if (g_queue_is_empty (&kiln_dropin_ctx (ctx)->completed) && g_queue_is_empty (&kiln_dropin_default_context.completed))
        g_cond_wait_until (&kiln_dropin_events_cond, &kiln_dropin_lock, MIN (deadline, now + 10000));
      g_mutex_unlock (&kiln_dropin_lock);
    }
}

static gint64
timeval_us (struct timeval *tv)
{
  return tv == NULL ? 60 * G_USEC_PER_SEC : (gint64) tv->tv_sec * G_USEC_PER_SEC + tv->tv_usec;
}

EXPORT int
libusb_handle_events_timeout_completed (libusb_context *ctx,
                                        struct timeval *tv,
                                        int            *completed)
{
  return handle_events (ctx, timeval_us (tv), completed);
}

EXPORT int
libusb_handle_events_timeout (libusb_context *ctx,
                              struct timeval *tv)
{
  return handle_events (ctx, timeval_us (tv), NULL);
}

EXPORT int
libusb_handle_events (libusb_context *ctx)
{
  return handle_events (ctx, timeval_us (NULL), NULL);
}

EXPORT int
libusb_handle_events_completed (libusb_context *ctx,
                                int            *completed)
{
  return handle_events (ctx, timeval_us (NULL), completed);
}

EXPORT int
libusb_handle_events_locked (libusb_context *ctx,
                             struct timeval *tv)
{
  return handle_events (ctx, timeval_us (tv), NULL);
}

EXPORT int
libusb_get_next_timeout (libusb_context *ctx,
                         struct timeval *tv)
{
  return 0;
}

EXPORT const struct libusb_pollfd **
libusb_get_pollfds (libusb_context *ctx)
{
  return g_new0 (const struct libusb_pollfd *, 1);
}

EXPORT void
libusb_free_pollfds (const struct libusb_pollfd **pollfds)
{
  g_free (pollfds);
}

EXPORT void
libusb_set_pollfd_notifiers (libusb_context               *ctx,
                             libusb_pollfd_added_cb        added_cb,
                             libusb_pollfd_removed_cb      removed_cb,
                             void                         *user_data)
{
}

EXPORT int
libusb_pollfds_handle_timeouts (libusb_context *ctx)
{
  return 1;
}

EXPORT int
libusb_try_lock_events (libusb_context *ctx)
{
  return 0;
}

EXPORT void
libusb_lock_events (libusb_context *ctx)
{
}

EXPORT void
libusb_unlock_events (libusb_context *ctx)
{
}

EXPORT int
libusb_event_handling_ok (libusb_context *ctx)
{
  return 1;
}

EXPORT int
libusb_event_handler_active (libusb_context *ctx)
{
  return 0;
}

EXPORT void
libusb_interrupt_event_handler (libusb_context *ctx)
{
  g_mutex_lock (&kiln_dropin_lock);
  kiln_dropin_events_interrupted = TRUE;
  g_cond_broadcast (&kiln_dropin_events_cond);
  g_mutex_unlock (&kiln_dropin_lock);
}

/* Hotplug. Each callback keeps the devices it was last told about, so that
 * every registration hears of every departure and arrival once. */

typedef struct
{
  int                             refs;
  libusb_hotplug_callback_handle  handle;
  struct libusb_context          *ctx;
  int                             events;
  int                             vendor_id;
  int                             product_id;
  libusb_hotplug_callback_fn      fn;
  void                           *user_data;
  GHashTable                     *attached;  /* KilnSimProbe * → struct libusb_device * */
} HotplugCallback;

static GList *hotplug_callbacks;  /* HotplugCallback *, under lock */

static HotplugCallback *
hotplug_callback_ref (HotplugCallback *cb)
{
  g_atomic_int_inc (&cb->refs);
  return cb;
}

static void
hotplug_callback_unref (HotplugCallback *cb)
{
  if (g_atomic_int_dec_and_test (&cb->refs))
    {
      g_hash_table_unref (cb->attached);
      g_free (cb);
    }
}

static gboolean
hotplug_matches (HotplugCallback *cb,
                 KilnSimProbe    *probe)
{
  return (cb->vendor_id == LIBUSB_HOTPLUG_MATCH_ANY || cb->vendor_id == kiln_sim_probe_get_vendor_id (probe))
         && (cb->product_id == LIBUSB_HOTPLUG_MATCH_ANY || cb->product_id == kiln_sim_probe_get_product_id (probe));
}

static struct libusb_device *
device_new (KilnSimProbe *probe)
{
  struct libusb_device *dev = g_new0 (struct libusb_device, 1);

  dev->refs = 1;
  dev->probe = g_object_ref (probe);
  dev->address = kiln_sim_probe_get_device_address (probe);
  return dev;
}

typedef struct
{
  HotplugCallback      *cb;
  struct libusb_device *dev;
  int                   event;
} HotplugEvent;

/* Called with lock held: what changed on the bus since @cb last heard. */
static void
hotplug_collect (HotplugCallback *cb,
                 GArray          *events)
{
  for (guint i = 0; kiln_dropin_bench != NULL && i < kiln_sim_bench_get_n_probes (kiln_dropin_bench); i++)
    {
      KilnSimProbe *probe = kiln_sim_bench_get_probe (kiln_dropin_bench, i);
      struct libusb_device *known = g_hash_table_lookup (cb->attached, probe);
      gboolean present = kiln_sim_probe_is_present (probe);

      if (!hotplug_matches (cb, probe))
        continue;
      /* A new address means the probe left and came back in between. */
      if (known != NULL && (!present || libusb_get_device_address (known) != kiln_sim_probe_get_device_address (probe)))
        {
          HotplugEvent e = { hotplug_callback_ref (cb), libusb_ref_device (known), LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT };

          g_array_append_val (events, e);
          g_hash_table_remove (cb->attached, probe);
          known = NULL;
        }
      if (known == NULL && present)
        {
          struct libusb_device *dev = device_new (probe);
          HotplugEvent e = { hotplug_callback_ref (cb), libusb_ref_device (dev), LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED };

          g_array_append_val (events, e);
          g_hash_table_insert (cb->attached, probe, dev);
        }
    }
}

static int
hotplug_dispatch (libusb_context *ctx)
{
  struct libusb_context *c = kiln_dropin_ctx (ctx);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (HotplugEvent));

  g_mutex_lock (&kiln_dropin_lock);
  for (GList *l = hotplug_callbacks; l != NULL; l = l->next)
    {
      HotplugCallback *cb = l->data;

      if (cb->ctx == c)
        hotplug_collect (cb, events);
    }
  g_mutex_unlock (&kiln_dropin_lock);

  for (guint i = 0; i < events->len; i++)
    {
      HotplugEvent *e = &g_array_index (events, HotplugEvent, i);
      gboolean registered;

      g_mutex_lock (&kiln_dropin_lock);
      registered = g_list_find (hotplug_callbacks, e->cb) != NULL;
      g_mutex_unlock (&kiln_dropin_lock);
      if (registered && (e->cb->events & e->event) && e->cb->fn (c, e->dev, e->event, e->cb->user_data))
        libusb_hotplug_deregister_callback (ctx, e->cb->handle);
      libusb_unref_device (e->dev);
      hotplug_callback_unref (e->cb);
    }
  return (int) events->len;
}

EXPORT int
libusb_hotplug_register_callback (libusb_context              *ctx,
                                  int                          events,
                                  int                          flags,
                                  int                          vendor_id,
                                  int                          product_id,
                                  int                          dev_class,
                                  libusb_hotplug_callback_fn   cb_fn,
                                  void                        *user_data,
                                  libusb_hotplug_callback_handle *callback_handle)
{
  static int next_handle = 1;
  HotplugCallback *cb = g_new0 (HotplugCallback, 1);
  g_autoptr(GArray) arrived = g_array_new (FALSE, FALSE, sizeof (HotplugEvent));

  cb->refs = 1;
  cb->ctx = kiln_dropin_ctx (ctx);
  cb->events = events;
  cb->vendor_id = vendor_id;
  cb->product_id = product_id;
  cb->fn = cb_fn;
  cb->user_data = user_data;
  cb->attached = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) libusb_unref_device);

  g_mutex_lock (&kiln_dropin_lock);
  cb->handle = next_handle++;
  /* The devices there now are known to it from the start. */
  hotplug_collect (cb, arrived);
  hotplug_callbacks = g_list_append (hotplug_callbacks, cb);
  g_mutex_unlock (&kiln_dropin_lock);

  for (guint i = 0; i < arrived->len; i++)
    {
      HotplugEvent *e = &g_array_index (arrived, HotplugEvent, i);

      if ((flags & LIBUSB_HOTPLUG_ENUMERATE) && (events & LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED))
        cb_fn (cb->ctx, e->dev, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, user_data);
      libusb_unref_device (e->dev);
      hotplug_callback_unref (e->cb);
    }
  if (callback_handle != NULL)
    *callback_handle = cb->handle;
  return 0;
}

EXPORT void
libusb_hotplug_deregister_callback (libusb_context                  *ctx,
                                    libusb_hotplug_callback_handle   callback_handle)
{
  HotplugCallback *found = NULL;

  g_mutex_lock (&kiln_dropin_lock);
  for (GList *l = hotplug_callbacks; l != NULL; l = l->next)
    if (((HotplugCallback *) l->data)->handle == callback_handle)
      {
        found = l->data;
        hotplug_callbacks = g_list_delete_link (hotplug_callbacks, l);
        break;
      }
  g_cond_broadcast (&kiln_dropin_events_cond);
  g_mutex_unlock (&kiln_dropin_lock);
  /* Events being dispatched may still hold it. */
  if (found != NULL)
    hotplug_callback_unref (found);
}

EXPORT void *
libusb_hotplug_get_user_data (libusb_context                  *ctx,
                              libusb_hotplug_callback_handle   callback_handle)
{
  void *user_data = NULL;

  g_mutex_lock (&kiln_dropin_lock);
  for (GList *l = hotplug_callbacks; l != NULL; l = l->next)
    if (((HotplugCallback *) l->data)->handle == callback_handle)
      user_data = ((HotplugCallback *) l->data)->user_data;
  g_mutex_unlock (&kiln_dropin_lock);
  return user_data;
}

/* Not part of libusb: lets a test unplug and replug a bench probe from the
 * outside. Returns 0, or LIBUSB_ERROR_NOT_FOUND for an unknown serial. */
EXPORT int kiln_sim_dropin_set_plugged (const char *serial,
                                        int         plugged);

EXPORT int
kiln_sim_dropin_set_plugged (const char *serial,
                             int         plugged)
{
  int rc = LIBUSB_ERROR_NOT_FOUND;

  g_mutex_lock (&kiln_dropin_lock);
  for (guint i = 0; kiln_dropin_bench != NULL && i < kiln_sim_bench_get_n_probes (kiln_dropin_bench); i++)
    {
      KilnSimProbe *probe = kiln_sim_bench_get_probe (kiln_dropin_bench, i);

      if (g_strcmp0 (kiln_sim_probe_get_serial (probe), serial) != 0)
        continue;
      if (plugged)
        kiln_sim_probe_plug (probe);
      else
        kiln_sim_probe_unplug (probe);
      rc = 0;
    }
  g_cond_broadcast (&kiln_dropin_events_cond);
  g_mutex_unlock (&kiln_dropin_lock);
  return rc;
}
