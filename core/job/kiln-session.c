/* kiln-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-job-error.h"
#include "kiln-session.h"

typedef struct
{
  KilnSession        *session;    /* not a reference; see the worker */
  KilnSessionWorkFunc func;
  gpointer            data;
  GDestroyNotify      destroy;
  KilnProgress       *progress;
  GCancellable       *cancellable;
  GTask              *task;       /* async jobs */

  /* Synchronous jobs. */
  GMutex              mutex;
  GCond               cond;
  gboolean            done;
  gboolean            ok;
  GError             *error;
  gboolean            quit;
} Job;

/* Shared by the session and its thread, so that the session may be
 * finalized on any thread, the worker's own included. */
typedef struct
{
  GAsyncQueue *queue;
  GThread     *thread;
  GObject     *resource;   /* touched only on the worker thread */
} Worker;

struct _KilnSession
{
  GObject      parent_instance;

  char        *name;
  Worker      *worker;
};

G_DEFINE_FINAL_TYPE (KilnSession, kiln_session, G_TYPE_OBJECT)

static void
job_free (Job *job)
{
  if (job->destroy != NULL && job->data != NULL)
    job->destroy (job->data);
  g_clear_object (&job->progress);
  g_clear_object (&job->cancellable);
  g_clear_error (&job->error);
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
  g_free (job);
}

static Job *
job_new (KilnSessionWorkFunc  func,
         gpointer             data,
         GDestroyNotify       destroy,
         KilnProgress        *progress,
         GCancellable        *cancellable)
{
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  job->destroy = destroy;
  job->progress = progress ? g_object_ref (progress) : NULL;
  job->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  g_mutex_init (&job->mutex);
  g_cond_init (&job->cond);
  return job;
}

static gpointer
kiln_session_worker (gpointer data)
{
  Worker *worker = data;

  for (;;)
    {
      Job *job = g_async_queue_pop (worker->queue);
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (job->quit)
        {
          g_clear_object (&worker->resource);
          job_free (job);
          break;
        }

      /* The job holds the session alive while it runs: the task's source
       * object for async jobs, the blocked caller for sync ones. */
      if (g_cancellable_set_error_if_cancelled (job->cancellable, &error))
        ok = FALSE;
      else
        ok = job->func (job->session, job->data, job->progress, job->cancellable, &error);

      /* A work function must set an error when it fails. */
      if (!ok && error == NULL)
        g_set_error_literal (&error, KILN_JOB_ERROR, KILN_JOB_ERROR_BUSY,
                             _("The job failed without saying why"));
      if (ok)
        g_clear_error (&error);

      if (job->progress != NULL)
        kiln_progress_finish (job->progress, error);

      if (job->task != NULL)
        {
          GTask *task = g_steal_pointer (&job->task);

          if (ok)
            g_task_return_boolean (task, TRUE);
          else
            g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
        }
      else
        {
          g_mutex_lock (&job->mutex);
          job->ok = ok;
          job->error = g_steal_pointer (&error);
          job->done = TRUE;
          g_cond_signal (&job->cond);
          g_mutex_unlock (&job->mutex);
        }
    }

  g_async_queue_unref (worker->queue);
  g_free (worker);
  return NULL;
}

static void
kiln_session_finalize (GObject *object)
{
  KilnSession *self = (KilnSession *) object;
  Worker *worker = g_steal_pointer (&self->worker);
  GThread *thread = worker->thread;
  Job *quit = job_new (NULL, NULL, NULL, NULL, NULL);

  /* Queued after every pending job: they run to the end first. The worker
   * frees itself when it leaves. */
  quit->quit = TRUE;
  g_async_queue_push (worker->queue, quit);
  if (g_thread_self () == thread)
    g_thread_unref (thread);
  else
    g_thread_join (thread);

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (kiln_session_parent_class)->finalize (object);
}

static void
kiln_session_class_init (KilnSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kiln_session_finalize;
}

static void
kiln_session_init (KilnSession *self)
{
}

KilnSession *
kiln_session_new (const char *name)
{
  KilnSession *self = g_object_new (KILN_TYPE_SESSION, NULL);
  g_autofree char *thread_name = g_strdup_printf ("kiln-%s", name ? name : "session");

  self->name = g_strdup (name);
  self->worker = g_new0 (Worker, 1);
  self->worker->queue = g_async_queue_new ();
  /* The thread holds no reference to the session: finalize stops it. */
  self->worker->thread = g_thread_new (thread_name, kiln_session_worker, self->worker);
  return self;
}

const char *
kiln_session_get_name (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return self->name;
}

gboolean
kiln_session_is_worker_thread (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), FALSE);
  return g_thread_self () == self->worker->thread;
}

GObject *
kiln_session_get_resource (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  g_return_val_if_fail (kiln_session_is_worker_thread (self), NULL);
  return self->worker->resource;
}

void
kiln_session_set_resource (KilnSession *self,
                           GObject     *resource)
{
  g_return_if_fail (KILN_IS_SESSION (self));
  g_return_if_fail (kiln_session_is_worker_thread (self));
  g_set_object (&self->worker->resource, resource);
}

void
kiln_session_run_async (KilnSession         *self,
                        KilnSessionWorkFunc  func,
                        gpointer             data,
                        GDestroyNotify       destroy,
                        KilnProgress        *progress,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (KILN_IS_SESSION (self));
  g_return_if_fail (func != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_session_run_async);
  /* The job's result is reported whatever the cancellable says later: the
   * work function decides when it is safe to stop. */
  g_task_set_check_cancellable (task, FALSE);

  job = job_new (func, data, destroy, progress, cancellable);
  job->session = self;
  job->task = g_object_ref (task);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_async_queue_push (self->worker->queue, job);
}

gboolean
kiln_session_run_finish (KilnSession   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kiln_session_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
kiln_session_run_sync (KilnSession          *self,
                       KilnSessionWorkFunc   func,
                       gpointer              data,
                       KilnProgress         *progress,
                       GCancellable         *cancellable,
                       GError              **error)
{
  Job *job;
  gboolean ok;

  g_return_val_if_fail (KILN_IS_SESSION (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (!kiln_session_is_worker_thread (self), FALSE);

  job = job_new (func, data, NULL, progress, cancellable);
  job->session = self;
  g_async_queue_push (self->worker->queue, job);

  g_mutex_lock (&job->mutex);
  while (!job->done)
    g_cond_wait (&job->cond, &job->mutex);
  g_mutex_unlock (&job->mutex);

  ok = job->ok;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&job->error));
  job_free (job);
  return ok;
}
