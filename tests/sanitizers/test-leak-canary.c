/* test-leak-canary.c — the sanitizer pass finds a leak of Kiln's wherever it
 * is made, with tests/lsan.supp in force
 *
 * The suppressions in tests/lsan.supp match any frame of a leak's stack. A
 * pattern broader than meant (a library's module, a frame every thread or
 * callback passes through) would hide Kiln's own leaks made below it, and
 * the pass would stay green. Each canary here loses one block, of a size of
 * its own, on a path Kiln's code takes: plain code, a callback of a GLib main
 * loop, a GObject signal handler, a job on a session's worker thread, and
 * through GIO (a GTask's thread). Then the test asks LeakSanitizer for a
 * report, with the suppressions the suite uses, and checks that every block
 * is in it. The test is built only in the sanitizer pass (it needs
 * LeakSanitizer's interface); it runs twice there, with the fast unwinder
 * and with the slow one the window tests use (tests/meson.build).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "kiln-session.h"

/* The blocks are kept only as their addresses XOR this, which LeakSanitizer
 * cannot take for a pointer: to it they are lost, and the test frees them
 * once it has seen them reported. */
#define HIDE ((uintptr_t) 0x5a5a5a5a5a5a5a5aULL)

typedef enum {
  CANARY_PLAIN,
  CANARY_MAIN_LOOP,
  CANARY_SIGNAL,
  CANARY_SESSION,
  CANARY_TASK,
  N_CANARIES
} Canary;

/* Sizes nothing else in the process allocates, so that each block can be
 * told apart in the report. */
static const gsize canary_size[N_CANARIES] = { 4093, 4091, 4079, 4073, 4057 };
static const char *canary_name[N_CANARIES] = {
  "plain code", "a main-loop callback", "a signal handler", "a session's job", "a GTask's thread",
};
static uintptr_t hidden[N_CANARIES];

G_GNUC_NO_INLINE static void
lose (Canary canary)
{
  char *block = g_malloc (canary_size[canary]);

  /* Written, so that the allocation cannot be left out. */
  memset (block, 0x2a, canary_size[canary]);
  hidden[canary] = (uintptr_t) block ^ HIDE;
}

static gboolean
on_idle (gpointer data)
{
  lose (CANARY_MAIN_LOOP);
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  lose (CANARY_SIGNAL);
}

static gboolean
session_job (KilnSession   *session,
             gpointer       data,
             KilnProgress  *progress,
             GCancellable  *cancellable,
             GError       **error)
{
  lose (CANARY_SESSION);
  return TRUE;
}

static void
task_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  lose (CANARY_TASK);
  g_task_return_boolean (task, TRUE);
}

/* Every canary but the plain one, on a thread that has ended before the
 * check: no stale copy of a block's address stays on a live stack, where
 * the check would find it and count the block as reachable. */
static gpointer
lose_on_paths (gpointer unused)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(KilnSession) session = kiln_session_new ("leak-canary");
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSource) idle = g_idle_source_new ();
  gboolean ran = FALSE;

  g_main_context_push_thread_default (context);

  g_source_set_callback (idle, on_idle, &ran, NULL);
  g_source_attach (idle, context);
  while (!ran)
    g_main_context_iteration (context, TRUE);

  g_signal_connect (cancellable, "cancelled", G_CALLBACK (on_cancelled), NULL);
  g_cancellable_cancel (cancellable);

  g_assert_true (kiln_session_run_sync (session, session_job, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_run_in_thread_sync (task, task_thread);
  g_assert_true (g_task_propagate_boolean (task, &error));
  g_assert_no_error (error);

  g_main_context_pop_thread_default (context);
  return NULL;
}

/* LeakSanitizer's report of now, from its stderr. */
static char *
leak_report (int *found)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  int fd = g_file_open_tmp ("kiln-leak-canary-XXXXXX", &path, &error);
  int saved;

  g_assert_no_error (error);
  saved = dup (STDERR_FILENO);
  g_assert_cmpint (saved, >=, 0);
  g_assert_cmpint (dup2 (fd, STDERR_FILENO), ==, STDERR_FILENO);
  *found = __lsan_do_recoverable_leak_check ();
  g_assert_cmpint (dup2 (saved, STDERR_FILENO), ==, STDERR_FILENO);
  close (saved);
  close (fd);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_unlink (path);
  return text;
}

static void
test_every_path (void)
{
  g_autofree char *report = NULL;
  GThread *thread;
  int found = 0;

  lose (CANARY_PLAIN);
  thread = g_thread_new ("leak-canary", lose_on_paths, NULL);
  g_thread_join (thread);

  report = leak_report (&found);
  g_test_message ("LeakSanitizer (LSAN_OPTIONS=%s):\n%s", g_getenv ("LSAN_OPTIONS"), report);
  g_assert_cmpint (found, ==, 1);
  for (guint i = 0; i < N_CANARIES; i++)
    {
      g_autofree char *line = g_strdup_printf ("Direct leak of %" G_GSIZE_FORMAT " byte(s) in 1 object(s)",
                                               canary_size[i]);

      if (strstr (report, line) == NULL)
        g_error ("the block lost in %s (%" G_GSIZE_FORMAT " bytes) is not in the leak report: "
                 "a suppression in tests/lsan.supp hides it", canary_name[i], canary_size[i]);
    }

  for (guint i = 0; i < N_CANARIES; i++)
    g_free ((gpointer) (hidden[i] ^ HIDE));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Sanitizers/leak-canary", test_every_path);
  return g_test_run ();
}
