/* kiln-progress.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The worker only stores: under the mutex it records the newest counters,
 * the phases begun, the sector states changed and the messages since the
 * last dispatch, then asks the one GSource on the main context to become
 * ready — now for events that must not wait (phase start, message, finish),
 * or KILN_PROGRESS_INTERVAL_MS after the last dispatch for plain counter
 * updates. The dispatch takes everything at once and emits signals, so a
 * worker that reports a million times a second costs the main loop at most
 * one wake-up per interval.
 *
 * Phases, sector states and messages are one queue, emitted in the order
 * the worker reported them. A dispatch stops before a phase that follows
 * other events (or before a phase that comes first, when the counters of
 * the one before changed since the last dispatch), so that the "changed" it
 * ends with shows the counters the earlier phase ended with (a phase's last
 * bytes are never lost to the next one); the rest follows at once in another
 * dispatch.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-progress.h"

typedef enum
{
  EVENT_PHASE,
  EVENT_SECTOR,
  EVENT_MESSAGE,
} EventKind;

typedef struct
{
  EventKind                kind;
  /* EVENT_PHASE: the phase begun, and the counters the one before ended with */
  KilnFlashPhase        phase;
  KilnFlashPhase        ended_phase;
  guint64                  ended_done;
  guint64                  ended_total;
  gint64                   ended_start_us;
  gint64                   ended_done_at_us;
  double                   estimate;     /* the job's estimated seconds, -1 when not known */
  /* EVENT_SECTOR */
  guint                    sector;
  guint                    state;
  /* EVENT_MESSAGE */
  KilnProgressMessageLevel level;
  char                    *text;
} Event;

struct _KilnProgress
{
  GObject       parent_instance;

  GMainContext *context;
  GSource      *source;

  /* Written by the worker, under the mutex. */
  GMutex        mutex;
  KilnFlashPhase w_phase;
  guint64       w_done;
  guint64       w_total;
  gint64        w_phase_start_us;
  gint64        w_done_at_us;
  double        w_estimate;
  GArray       *w_events;    /* Event, in the order reported */
  gboolean      w_finished;
  GError       *w_error;
  gint64        last_dispatch_us;
  gboolean      urgent;

  /* Main-context snapshot. */
  KilnFlashPhase phase;
  guint64       done;
  guint64       total;
  double        rate;
  double        estimate;
  GArray       *sectors;     /* int per sector, -1 = none */
  gboolean      finished;
  GError       *error;
  guint         n_dispatches;
};

G_DEFINE_FINAL_TYPE (KilnProgress, kiln_progress, G_TYPE_OBJECT)

enum {
  PHASE_STARTED,
  SECTOR_CHANGED,
  MESSAGE,
  CHANGED,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
event_clear (gpointer data)
{
  Event *e = data;

  g_clear_pointer (&e->text, g_free);
}

static GArray *
event_array_new (void)
{
  GArray *events = g_array_new (FALSE, TRUE, sizeof (Event));

  g_array_set_clear_func (events, event_clear);
  return events;
}

static gboolean
kiln_progress_dispatch (gpointer data)
{
  GWeakRef *weak = data;
  g_autoptr(KilnProgress) self = g_weak_ref_get (weak);
  g_autoptr(GArray) events = NULL;
  g_autoptr(GError) error = NULL;
  gboolean finished;
  gint64 start_us, done_at_us;
  guint cut;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->mutex);
  g_source_set_ready_time (self->source, -1);
  self->urgent = FALSE;
  self->last_dispatch_us = g_get_monotonic_time ();
  events = g_steal_pointer (&self->w_events);
  self->w_events = event_array_new ();
  /* Up to the first phase that follows other events; or, when a phase comes
   * first and the counters of the one before changed since they were last
   * shown, none at all: this dispatch shows those counters only. */
  for (cut = 1; cut < events->len; cut++)
    if (g_array_index (events, Event, cut).kind == EVENT_PHASE)
      break;
  if (events->len > 0 && g_array_index (events, Event, 0).kind == EVENT_PHASE)
    {
      const Event *first = &g_array_index (events, Event, 0);

      if (first->ended_phase == self->phase && (first->ended_done != self->done || first->ended_total != self->total))
        cut = 0;
    }
  if (cut < events->len)
    {
      const Event *next = &g_array_index (events, Event, cut);

      self->phase = next->ended_phase;
      self->done = next->ended_done;
      self->total = next->ended_total;
      start_us = next->ended_start_us;
      done_at_us = next->ended_done_at_us;
      /* The rest goes back to the front of the queue, at once. */
      g_array_insert_vals (self->w_events, 0, next, events->len - cut);
      memset (&g_array_index (events, Event, cut), 0, sizeof (Event) * (events->len - cut));
      g_array_set_size (events, cut);
      self->urgent = TRUE;
      g_source_set_ready_time (self->source, 0);
      finished = FALSE;
    }
  else
    {
      self->phase = self->w_phase;
      self->done = self->w_done;
      self->total = self->w_total;
      start_us = self->w_phase_start_us;
      done_at_us = self->w_done_at_us;
      finished = self->w_finished && !self->finished;
      if (finished && self->w_error != NULL)
        error = g_error_copy (self->w_error);
    }
  g_mutex_unlock (&self->mutex);

  self->n_dispatches++;
  if (done_at_us > start_us && self->done > 0)
    self->rate = (double) self->done / ((double) (done_at_us - start_us) / G_USEC_PER_SEC);
  else
    self->rate = 0;

  for (guint i = 0; i < events->len; i++)
    {
      const Event *e = &g_array_index (events, Event, i);

      switch (e->kind)
        {
        case EVENT_PHASE:
          self->estimate = e->estimate;
          g_signal_emit (self, signals[PHASE_STARTED], 0, e->phase);
          break;

        case EVENT_SECTOR:
          if (e->sector >= self->sectors->len)
            {
              guint old = self->sectors->len;

              g_array_set_size (self->sectors, e->sector + 1);
              for (guint j = old; j < self->sectors->len; j++)
                g_array_index (self->sectors, int, j) = -1;
            }
          g_array_index (self->sectors, int, e->sector) = (int) e->state;
          g_signal_emit (self, signals[SECTOR_CHANGED], 0, e->sector, e->state);
          break;

        case EVENT_MESSAGE:
          g_signal_emit (self, signals[MESSAGE], 0, e->level, e->text);
          break;

        default:
          break;
        }
    }

  g_signal_emit (self, signals[CHANGED], 0);

  if (finished)
    {
      self->finished = TRUE;
      self->error = g_steal_pointer (&error);
      g_signal_emit (self, signals[FINISHED], 0, self->error);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
source_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs source_funcs = {
  .dispatch = source_dispatch,
};

static void
weak_ref_free (gpointer data)
{
  GWeakRef *weak = data;

  g_weak_ref_clear (weak);
  g_free (weak);
}

/* Called with the mutex held. */
static void
schedule_locked (KilnProgress *self,
                 gboolean      urgent)
{
  gint64 when;

  if (urgent)
    self->urgent = TRUE;

  if (self->urgent)
    when = 0;
  else
    when = self->last_dispatch_us + KILN_PROGRESS_INTERVAL_MS * 1000;

  /* Never postpone a dispatch that is already due sooner. */
  if (g_source_get_ready_time (self->source) == -1 || when < g_source_get_ready_time (self->source))
    g_source_set_ready_time (self->source, when);
}

static void
kiln_progress_finalize (GObject *object)
{
  KilnProgress *self = (KilnProgress *) object;

  g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->w_events, g_array_unref);
  g_clear_pointer (&self->sectors, g_array_unref);
  g_clear_error (&self->w_error);
  g_clear_error (&self->error);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (kiln_progress_parent_class)->finalize (object);
}

static void
kiln_progress_class_init (KilnProgressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kiln_progress_finalize;

  /* KilnProgress::phase-started: a new phase began (one emission per phase,
   * even when several began between two dispatches). */
  signals[PHASE_STARTED] =
    g_signal_new ("phase-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* KilnProgress::sector-changed: (sector, state), in the order reported. */
  signals[SECTOR_CHANGED] =
    g_signal_new ("sector-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  /* KilnProgress::message: (level, text); none is dropped. */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  /* KilnProgress::changed: counters may have moved; once per dispatch. */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* KilnProgress::finished: (error or NULL), once. */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
kiln_progress_init (KilnProgress *self)
{
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_mutex_init (&self->mutex);
  self->w_events = event_array_new ();
  self->w_estimate = self->estimate = -1;
  self->sectors = g_array_new (FALSE, FALSE, sizeof (int));

  self->context = g_main_context_ref_thread_default ();
  self->source = g_source_new (&source_funcs, sizeof (GSource));
  g_source_set_name (self->source, "[kiln] progress");
  g_source_set_priority (self->source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_ready_time (self->source, -1);
  g_weak_ref_init (weak, self);
  g_source_set_callback (self->source, kiln_progress_dispatch, weak, weak_ref_free);
  g_source_attach (self->source, self->context);
}

/* Called with the mutex held, before the counters are reset for @phase. */
static void
append_phase_locked (KilnProgress      *self,
                     KilnFlashPhase  phase)
{
  Event e = { 0 };

  e.kind = EVENT_PHASE;
  e.phase = phase;
  e.ended_phase = self->w_phase;
  e.ended_done = self->w_done;
  e.ended_total = self->w_total;
  e.ended_start_us = self->w_phase_start_us;
  e.ended_done_at_us = self->w_done_at_us;
  e.estimate = self->w_estimate;
  g_array_append_val (self->w_events, e);
}

KilnProgress *
kiln_progress_new (void)
{
  return g_object_new (KILN_TYPE_PROGRESS, NULL);
}

void
kiln_progress_begin_phase (KilnProgress      *self,
                           KilnFlashPhase  phase,
                           guint64            total_bytes)
{
  g_return_if_fail (KILN_IS_PROGRESS (self));

  g_mutex_lock (&self->mutex);
  append_phase_locked (self, phase);
  self->w_phase = phase;
  self->w_total = total_bytes;
  self->w_done = 0;
  self->w_phase_start_us = g_get_monotonic_time ();
  self->w_done_at_us = self->w_phase_start_us;
  schedule_locked (self, TRUE);
  g_mutex_unlock (&self->mutex);
}

void
kiln_progress_set_estimate (KilnProgress *self,
                            double        seconds)
{
  g_return_if_fail (KILN_IS_PROGRESS (self));

  g_mutex_lock (&self->mutex);
  self->w_estimate = seconds;
  g_mutex_unlock (&self->mutex);
}

void
kiln_progress_set_done (KilnProgress *self,
                        guint64       done_bytes)
{
  g_return_if_fail (KILN_IS_PROGRESS (self));

  g_mutex_lock (&self->mutex);
  self->w_done = done_bytes;
  self->w_done_at_us = g_get_monotonic_time ();
  schedule_locked (self, FALSE);
  g_mutex_unlock (&self->mutex);
}

void
kiln_progress_add_done (KilnProgress *self,
                        guint64       bytes)
{
  g_return_if_fail (KILN_IS_PROGRESS (self));

  g_mutex_lock (&self->mutex);
  self->w_done += bytes;
  self->w_done_at_us = g_get_monotonic_time ();
  schedule_locked (self, FALSE);
  g_mutex_unlock (&self->mutex);
}

void
kiln_progress_set_sector_state (KilnProgress    *self,
                                guint            sector,
                                KilnSectorState  state)
{
  Event e = { 0 };

  g_return_if_fail (KILN_IS_PROGRESS (self));

  e.kind = EVENT_SECTOR;
  e.sector = sector;
  e.state = state;
  g_mutex_lock (&self->mutex);
  g_array_append_val (self->w_events, e);
  schedule_locked (self, FALSE);
  g_mutex_unlock (&self->mutex);
}

void
kiln_progress_message (KilnProgress             *self,
                       KilnProgressMessageLevel  level,
                       const char               *format,
                       ...)
{
  Event e = { 0 };
  va_list args;

  g_return_if_fail (KILN_IS_PROGRESS (self));

  va_start (args, format);
  e.kind = EVENT_MESSAGE;
  e.level = level;
  e.text = g_strdup_vprintf (format, args);
  va_end (args);

  g_mutex_lock (&self->mutex);
  g_array_append_val (self->w_events, e);
  schedule_locked (self, level != KILN_PROGRESS_MESSAGE_DEBUG);
  g_mutex_unlock (&self->mutex);
}

static void
on_flash_phase (gpointer user_data, KilnFlashPhase phase, guint64 total)
{
  kiln_progress_begin_phase (user_data, phase, total);
}

static void
on_flash_bytes (gpointer user_data, guint64 done)
{
  kiln_progress_set_done (user_data, done);
}

static void
on_flash_sector (gpointer user_data, guint position, KilnSectorState state)
{
  kiln_progress_set_sector_state (user_data, position, state);
}

void
kiln_progress_get_flash_callbacks (KilnProgress      *self,
                                   KilnFlashProgress *callbacks)
{
  g_return_if_fail (KILN_IS_PROGRESS (self));

  callbacks->phase = on_flash_phase;
  callbacks->bytes = on_flash_bytes;
  callbacks->sector = on_flash_sector;
  callbacks->user_data = self;
}

void
kiln_progress_finish (KilnProgress *self,
                      const GError *error)
{
  g_return_if_fail (KILN_IS_PROGRESS (self));

  g_mutex_lock (&self->mutex);
  if (!self->w_finished)
    {
      KilnFlashPhase phase = KILN_FLASH_PHASE_FINISHED;

      self->w_finished = TRUE;
      self->w_error = error ? g_error_copy (error) : NULL;
      append_phase_locked (self, phase);
      self->w_phase = phase;
      schedule_locked (self, TRUE);
    }
  g_mutex_unlock (&self->mutex);
}

KilnFlashPhase
kiln_progress_get_phase (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), KILN_FLASH_PHASE_IDLE);
  return self->phase;
}

guint64
kiln_progress_get_done (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), 0);
  return self->done;
}

guint64
kiln_progress_get_total (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), 0);
  return self->total;
}

double
kiln_progress_get_fraction (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), 0);

  if (self->total == 0)
    return self->finished ? 1.0 : 0.0;
  return CLAMP ((double) self->done / (double) self->total, 0.0, 1.0);
}

double
kiln_progress_get_estimated_seconds (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), -1);
  return self->estimate;
}

double
kiln_progress_get_rate (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), 0);
  return self->rate;
}

double
kiln_progress_get_seconds_left (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), -1);

  if (self->rate <= 0 || self->total == 0 || self->done > self->total)
    return -1;
  return (double) (self->total - self->done) / self->rate;
}

int
kiln_progress_get_sector_state (KilnProgress *self,
                                guint         sector)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), -1);

  if (sector >= self->sectors->len)
    return -1;
  return g_array_index (self->sectors, int, sector);
}

gboolean
kiln_progress_get_finished (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), FALSE);
  return self->finished;
}

const GError *
kiln_progress_get_error (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), NULL);
  return self->error;
}

guint
kiln_progress_get_n_dispatches (KilnProgress *self)
{
  g_return_val_if_fail (KILN_IS_PROGRESS (self), 0);
  return self->n_dispatches;
}
