/* test-progress.c — progress from a worker, coalesced onto the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>

#include "kiln-progress.h"

typedef struct
{
  KilnProgress *progress;
  gint64        duration_us;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  gint64 start = g_get_monotonic_time ();
  guint64 done = 0;

  kiln_progress_begin_phase (w->progress, KILN_FLASH_PHASE_ERASE, 0);
  kiln_progress_set_sector_state (w->progress, 3, 4);
  kiln_progress_begin_phase (w->progress, KILN_FLASH_PHASE_PROGRAM, G_MAXUINT32);
  kiln_progress_message (w->progress, KILN_PROGRESS_MESSAGE_INFO, "writing sector %u", 3);
  while (g_get_monotonic_time () - start < w->duration_us)
    kiln_progress_set_done (w->progress, ++done);
  kiln_progress_set_sector_state (w->progress, 3, 6);
  kiln_progress_finish (w->progress, NULL);
  return NULL;
}

typedef struct
{
  guint     changed;
  GArray   *phases;
  GPtrArray *messages;
  guint     finished;
  gint64    longest_gap_us;
  gint64    last_us;
} Seen;

static void
on_changed (KilnProgress *progress,
            Seen         *seen)
{
  seen->changed++;
}

static void
on_phase (KilnProgress *progress,
          guint         phase,
          Seen         *seen)
{
  g_array_append_val (seen->phases, phase);
}

static void
on_message (KilnProgress *progress,
            guint         level,
            const char   *text,
            Seen         *seen)
{
  g_ptr_array_add (seen->messages, g_strdup (text));
}

static void
on_finished (KilnProgress *progress,
             const GError *error,
             Seen         *seen)
{
  g_assert_null (error);
  seen->finished++;
}

static void
test_coalesced (void)
{
  g_autoptr(KilnProgress) progress = kiln_progress_new ();
  Writer w = { progress, 400 * 1000 };
  Seen seen = { 0 };
  GThread *thread;

  seen.phases = g_array_new (FALSE, FALSE, sizeof (guint));
  seen.messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (progress, "changed", G_CALLBACK (on_changed), &seen);
  g_signal_connect (progress, "phase-started", G_CALLBACK (on_phase), &seen);
  g_signal_connect (progress, "message", G_CALLBACK (on_message), &seen);
  g_signal_connect (progress, "finished", G_CALLBACK (on_finished), &seen);

  thread = g_thread_new ("writer", writer_thread, &w);
  while (!kiln_progress_get_finished (progress))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);

  /* Millions of updates in 400 ms; the main loop saw a handful: one per
   * interval plus the urgent ones (two phase starts, a message, the end). */
  g_assert_cmpuint (seen.changed, >=, 2);
  g_assert_cmpuint (seen.changed, <=, 400 / KILN_PROGRESS_INTERVAL_MS + 8);
  g_assert_cmpuint (kiln_progress_get_n_dispatches (progress), ==, seen.changed);

  /* Nothing that must not be lost was lost. */
  g_assert_cmpuint (seen.phases->len, ==, 3);
  g_assert_cmpuint (g_array_index (seen.phases, guint, 0), ==, KILN_FLASH_PHASE_ERASE);
  g_assert_cmpuint (g_array_index (seen.phases, guint, 1), ==, KILN_FLASH_PHASE_PROGRAM);
  g_assert_cmpuint (g_array_index (seen.phases, guint, 2), ==, KILN_FLASH_PHASE_FINISHED);
  g_assert_cmpuint (seen.messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen.messages, 0), ==, "writing sector 3");
  g_assert_cmpuint (seen.finished, ==, 1);
  g_assert_cmpint (kiln_progress_get_sector_state (progress, 3), ==, 6);
  g_assert_cmpint (kiln_progress_get_sector_state (progress, 2), ==, -1);
  g_assert_cmpint (kiln_progress_get_sector_state (progress, 99), ==, -1);
  g_assert_cmpuint (kiln_progress_get_done (progress), >, 1000);

  g_array_unref (seen.phases);
  g_ptr_array_unref (seen.messages);
}

static void
test_fraction_and_rate (void)
{
  g_autoptr(KilnProgress) progress = kiln_progress_new ();

  g_assert_cmpfloat (kiln_progress_get_fraction (progress), ==, 0.0);
  kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_VERIFY, 4096);
  g_usleep (20 * 1000);
  kiln_progress_set_done (progress, 1024);
  /* Counter updates wait for the interval; iterate until they arrive. */
  while (kiln_progress_get_done (progress) != 1024)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (kiln_progress_get_phase (progress), ==, KILN_FLASH_PHASE_VERIFY);
  g_assert_cmpfloat_with_epsilon (kiln_progress_get_fraction (progress), 0.25, 1e-9);
  g_assert_cmpfloat (kiln_progress_get_rate (progress), >, 0.0);
  /* 1024 bytes in at least 20 ms: at most 51200 B/s. */
  g_assert_cmpfloat (kiln_progress_get_rate (progress), <=, 1024 / 0.020 + 1);
  g_assert_cmpfloat (kiln_progress_get_seconds_left (progress), >, 0.0);
  g_assert_cmpstr (kiln_flash_phase_to_label (KILN_FLASH_PHASE_VERIFY), ==, "Verifying");
}

static void
test_finish_once (void)
{
  g_autoptr(KilnProgress) progress = kiln_progress_new ();
  g_autoptr(GError) first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "first");
  g_autoptr(GError) second = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "second");

  kiln_progress_finish (progress, first);
  kiln_progress_finish (progress, second);
  while (!kiln_progress_get_finished (progress))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (kiln_progress_get_error (progress)->message, ==, "first");
  g_assert_cmpfloat (kiln_progress_get_fraction (progress), ==, 1.0);
}

/* Events arrive in the order the worker reported them, and a phase's last
 * counters are shown before the next phase starts. */
static void
on_ordered_event (KilnProgress *progress,
                  GString      *log)
{
  g_string_append_printf (log, "changed %u %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "; ",
                          kiln_progress_get_phase (progress), kiln_progress_get_done (progress),
                          kiln_progress_get_total (progress));
}

static void
on_ordered_phase (KilnProgress *progress,
                  guint         phase,
                  GString      *log)
{
  g_string_append_printf (log, "phase %u; ", phase);
}

static void
on_ordered_sector (KilnProgress *progress,
                   guint         sector,
                   guint         state,
                   GString      *log)
{
  g_string_append_printf (log, "sector %u=%u; ", sector, state);
}

static void
test_ordered (void)
{
  g_autoptr(KilnProgress) progress = kiln_progress_new ();
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *want = NULL;

  g_signal_connect (progress, "changed", G_CALLBACK (on_ordered_event), log);
  g_signal_connect (progress, "phase-started", G_CALLBACK (on_ordered_phase), log);
  g_signal_connect (progress, "sector-changed", G_CALLBACK (on_ordered_sector), log);

  /* All reported before the main loop runs once: one batch for it. */
  kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_PROGRAM, 100);
  kiln_progress_set_sector_state (progress, 0, 4);
  kiln_progress_set_done (progress, 100);
  kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_VERIFY, 200);
  kiln_progress_set_sector_state (progress, 0, 5);
  kiln_progress_set_done (progress, 50);
  kiln_progress_finish (progress, NULL);
  while (!kiln_progress_get_finished (progress))
    g_main_context_iteration (NULL, TRUE);

  want = g_strdup_printf ("phase %u; sector 0=4; changed %u 100/100; "
                          "phase %u; sector 0=5; changed %u 50/200; "
                          "phase %u; changed %u 50/200; ",
                          KILN_FLASH_PHASE_PROGRAM, KILN_FLASH_PHASE_PROGRAM,
                          KILN_FLASH_PHASE_VERIFY, KILN_FLASH_PHASE_VERIFY,
                          KILN_FLASH_PHASE_FINISHED, KILN_FLASH_PHASE_FINISHED);
  g_assert_cmpstr (log->str, ==, want);
}

/* A phase's last bytes, reported after its start was shown and just before
 * the next phase, are shown before that next phase starts. */
static void
test_last_bytes (void)
{
  g_autoptr(KilnProgress) progress = kiln_progress_new ();
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *want = NULL;

  g_signal_connect (progress, "changed", G_CALLBACK (on_ordered_event), log);
  g_signal_connect (progress, "phase-started", G_CALLBACK (on_ordered_phase), log);

  kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_PROGRAM, 100);
  while (kiln_progress_get_phase (progress) != KILN_FLASH_PHASE_PROGRAM)
    g_main_context_iteration (NULL, TRUE);
  kiln_progress_set_done (progress, 100);
  kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_VERIFY, 200);
  kiln_progress_finish (progress, NULL);
  while (!kiln_progress_get_finished (progress))
    g_main_context_iteration (NULL, TRUE);

  want = g_strdup_printf ("phase %u; changed %u 0/100; changed %u 100/100; phase %u; changed %u 0/200; "
                          "phase %u; changed %u 0/200; ",
                          KILN_FLASH_PHASE_PROGRAM, KILN_FLASH_PHASE_PROGRAM, KILN_FLASH_PHASE_PROGRAM,
                          KILN_FLASH_PHASE_VERIFY, KILN_FLASH_PHASE_VERIFY,
                          KILN_FLASH_PHASE_FINISHED, KILN_FLASH_PHASE_FINISHED);
  g_assert_cmpstr (log->str, ==, want);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Job/progress/coalesced", test_coalesced);
  g_test_add_func ("/Kiln/Job/progress/fraction-and-rate", test_fraction_and_rate);
  g_test_add_func ("/Kiln/Job/progress/finish-once", test_finish_once);
  g_test_add_func ("/Kiln/Job/progress/ordered", test_ordered);
  g_test_add_func ("/Kiln/Job/progress/last-bytes", test_last_bytes);

  return g_test_run ();
}
