/* test-session.c — the worker thread that owns a probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>

#include "kiln-session.h"

typedef struct
{
  GThread *ran_on;
  int      value;
  GArray  *order;
} WorkData;

static gboolean
record_thread (KilnSession   *session,
               gpointer       data,
               KilnProgress  *progress,
               GCancellable  *cancellable,
               GError       **error)
{
  WorkData *w = data;

  g_assert_true (kiln_session_is_worker_thread (session));
  w->ran_on = g_thread_self ();
  w->value *= 2;
  return TRUE;
}

static gboolean
fail_with_error (KilnSession   *session,
                 gpointer       data,
                 KilnProgress  *progress,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the probe stopped answering");
  return FALSE;
}

static void
test_sync_runs_on_worker (void)
{
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(GError) error = NULL;
  WorkData w = { NULL, 21, NULL };

  g_assert_false (kiln_session_is_worker_thread (session));
  g_assert_true (kiln_session_run_sync (session, record_thread, &w, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (w.value, ==, 42);
  g_assert_nonnull (w.ran_on);
  g_assert_true (w.ran_on != g_thread_self ());
}

static void
test_sync_error (void)
{
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(GError) error = NULL;

  g_assert_false (kiln_session_run_sync (session, fail_with_error, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static gboolean
append_value (KilnSession   *session,
              gpointer       data,
              KilnProgress  *progress,
              GCancellable  *cancellable,
              GError       **error)
{
  WorkData *w = data;

  g_usleep (1000);
  g_array_append_val (w->order, w->value);
  return TRUE;
}

typedef struct
{
  GMainLoop *loop;
  int        pending;
  GThread   *main_thread;
} AsyncState;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  AsyncState *state = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_thread_self () == state->main_thread);
  g_assert_true (kiln_session_run_finish (KILN_SESSION (source), result, &error));
  g_assert_no_error (error);
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
test_async_in_order (void)
{
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  WorkData w[5];
  AsyncState state = { loop, 5, g_thread_self () };

  for (int i = 0; i < 5; i++)
    {
      w[i] = (WorkData) { NULL, i, order };
      kiln_session_run_async (session, append_value, &w[i], NULL, NULL, NULL, on_done, &state);
    }
  g_main_loop_run (loop);

  g_assert_cmpuint (order->len, ==, 5);
  for (int i = 0; i < 5; i++)
    g_assert_cmpint (g_array_index (order, int, i), ==, i);
}

static void
test_cancelled_before_start (void)
{
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  WorkData w = { NULL, 1, NULL };

  g_cancellable_cancel (cancellable);
  g_assert_false (kiln_session_run_sync (session, record_thread, &w, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (w.value, ==, 1);
}

static GThread *resource_finalized_on;

static void
resource_gone (gpointer  data,
               GObject  *where)
{
  resource_finalized_on = g_thread_self ();
}

static gboolean
open_resource (KilnSession   *session,
               gpointer       data,
               KilnProgress  *progress,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GObject) resource = g_object_new (G_TYPE_OBJECT, NULL);
  GThread **worker = data;

  g_object_weak_ref (resource, resource_gone, NULL);
  kiln_session_set_resource (session, resource);
  g_assert_true (kiln_session_get_resource (session) == resource);
  *worker = g_thread_self ();
  return TRUE;
}

static void
test_resource_released_on_worker (void)
{
  KilnSession *session = kiln_session_new ("test");
  GThread *worker = NULL;

  resource_finalized_on = NULL;
  g_assert_true (kiln_session_run_sync (session, open_resource, &worker, NULL, NULL, NULL));
  g_assert_null (resource_finalized_on);
  g_object_unref (session);
  g_assert_nonnull (resource_finalized_on);
  g_assert_true (resource_finalized_on == worker);
}

static gboolean
report_progress (KilnSession   *session,
                 gpointer       data,
                 KilnProgress  *progress,
                 GCancellable  *cancellable,
                 GError       **error)
{
  kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_PROGRAM, 1000);
  for (int i = 1; i <= 1000; i++)
    kiln_progress_set_done (progress, i);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "sector 5 is write-protected");
  return FALSE;
}

static void
on_progress_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (kiln_session_run_finish (KILN_SESSION (source), result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_main_loop_quit (user_data);
}

static void
test_progress_finished_with_job (void)
{
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(KilnProgress) progress = kiln_progress_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  kiln_session_run_async (session, report_progress, NULL, NULL, progress, NULL, on_progress_done,
                          loop);
  g_main_loop_run (loop);
  /* The progress dispatch may come after the task's callback: let it run. */
  while (!kiln_progress_get_finished (progress))
    g_main_context_iteration (NULL, TRUE);

  g_assert_nonnull (kiln_progress_get_error (progress));
  g_assert_cmpstr (kiln_progress_get_error (progress)->message, ==, "sector 5 is write-protected");
  g_assert_cmpuint (kiln_progress_get_done (progress), ==, 1000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Job/session/sync-runs-on-worker", test_sync_runs_on_worker);
  g_test_add_func ("/Kiln/Job/session/sync-error", test_sync_error);
  g_test_add_func ("/Kiln/Job/session/async-in-order", test_async_in_order);
  g_test_add_func ("/Kiln/Job/session/cancelled-before-start", test_cancelled_before_start);
  g_test_add_func ("/Kiln/Job/session/resource-released-on-worker", test_resource_released_on_worker);
  g_test_add_func ("/Kiln/Job/session/progress-finished-with-job", test_progress_finished_with_job);

  return g_test_run ();
}
