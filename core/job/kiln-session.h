/* kiln-session.h — one worker thread that owns a probe for its whole life
 *
 * Every piece of probe work runs on the session's own thread, in the order it
 * was queued; the thread owns the session's resource (the open probe or
 * target object), which is created and finally released there. Callers use
 * kiln_session_run_async()/_finish() from a main loop (the GUI) or
 * kiln_session_run_sync() (the CLI, tests). Cancellation is cooperative: the
 * work function checks its GCancellable between transfers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-progress.h"

G_BEGIN_DECLS

#define KILN_TYPE_SESSION (kiln_session_get_type ())

G_DECLARE_FINAL_TYPE (KilnSession, kiln_session, KILN, SESSION, GObject)

/* Runs on the session's thread. @progress may be NULL. */
typedef gboolean (*KilnSessionWorkFunc) (KilnSession   *session,
                                         gpointer       data,
                                         KilnProgress  *progress,
                                         GCancellable  *cancellable,
                                         GError       **error);

KilnSession *kiln_session_new                  (const char          *name);
const char  *kiln_session_get_name             (KilnSession         *self);
gboolean     kiln_session_is_worker_thread     (KilnSession         *self);

/* Worker thread only: the object the session owns (an open probe, a target).
 * Setting a new one releases the old one on the worker thread. */
GObject     *kiln_session_get_resource         (KilnSession         *self);
void         kiln_session_set_resource         (KilnSession         *self,
                                                GObject             *resource);

/* @data is the work function's; @destroy frees it when the job is done (on
 * whichever thread drops the last reference). If @progress is given it is
 * finished with the job's result. */
void         kiln_session_run_async            (KilnSession         *self,
                                                KilnSessionWorkFunc  func,
                                                gpointer             data,
                                                GDestroyNotify       destroy,
                                                KilnProgress        *progress,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean     kiln_session_run_finish           (KilnSession         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Blocks the caller until the job has run on the worker thread. Must not be
 * called from the worker thread itself. */
gboolean     kiln_session_run_sync             (KilnSession         *self,
                                                KilnSessionWorkFunc  func,
                                                gpointer             data,
                                                KilnProgress        *progress,
                                                GCancellable        *cancellable,
                                                GError             **error);

G_END_DECLS
