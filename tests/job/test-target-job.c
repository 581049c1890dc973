/* test-target-job.c — verify, erase, read and option bytes as session jobs
 * on an in-process bench (the window's path: the bench and probe are
 * looked up on the worker)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "kiln-target-job.h"

static KilnSimBench *
make_bench (const char *board)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\n%s\n", board ? board : "");
  KilnSimBench *bench = kiln_sim_bench_new_from_data (text, NULL, &error);

  g_assert_no_error (error);
  return bench;
}

static gboolean
run (KilnSession   *session,
     KilnTargetJob *job,
     GCancellable  *cancellable,
     GError       **error)
{
  return kiln_session_run_sync (session, kiln_target_job_run, job, NULL, cancellable, error);
}

static GBytes *
read_flash (KilnSession  *session,
            KilnSimBench *bench,
            guint32       address,
            gsize         length)
{
  g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_READ, bench);
  g_autoptr(GError) error = NULL;

  job->address = address;
  job->length = length;
  g_assert_true (run (session, job, NULL, &error));
  g_assert_no_error (error);
  return g_bytes_ref (job->data);
}

static gboolean
all_bytes (GBytes *bytes,
           guint8  value)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (bytes, &n);

  for (gsize i = 0; i < n; i++)
    if (p[i] != value)
      return FALSE;
  return TRUE;
}

static void
test_erase_read_verify (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kiln-target-job-XXXXXX", NULL);
  g_autofree char *img = g_build_filename (dir, "img.bin", NULL);
  g_autofree char *board = g_strdup_printf ("flash-image=%s", img);
  g_autofree guint8 *pattern = g_malloc (96 * 1024);
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;

  /* The flash starts with 96 KiB of 0x5A: sectors 0–2. */
  memset (pattern, 0x5A, 96 * 1024);
  g_assert_true (g_file_set_contents (img, (const char *) pattern, 96 * 1024, NULL));
  bench = make_bench (board);
  before = read_flash (session, bench, 0x08000000, 96 * 1024);
  g_assert_true (all_bytes (before, 0x5A));

  /* Verify: the same bytes match (by CRC on the target); zeros do not. */
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_VERIFY, bench);
    g_autoptr(GBytes) data = g_bytes_new (pattern, 96 * 1024);

    job->image = kiln_image_load_bytes (data, "same.bin", KILN_IMAGE_FORMAT_BIN, TRUE, 0x08000000, &error);
    job->method = KILN_FLASH_VERIFY_CRC;
    g_assert_true (run (session, job, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (job->verify_result.sectors, ==, 3);
    g_assert_cmpuint (job->verify_result.bytes, ==, 96 * 1024);
    g_assert_false (job->verify_result.fallback);
    g_assert_cmpint (job->verify_result.method, ==, KILN_FLASH_VERIFY_CRC);
  }
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_VERIFY, bench);
    g_autofree guint8 *zeros = g_malloc0 (256);
    g_autoptr(GBytes) data = g_bytes_new (zeros, 256);

    job->image = kiln_image_load_bytes (data, "zeros.bin", KILN_IMAGE_FORMAT_BIN, TRUE, 0x08008000, &error);
    g_assert_no_error (error);
    g_assert_false (run (session, job, NULL, &error));
    g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY);
    g_assert_nonnull (strstr (error->message, "sector 1 at 0x08008000"));
    g_clear_error (&error);
  }

  /* Erase: sector list, then nothing named, then a cancelled job. */
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_ERASE, bench);

    job->sectors = g_strdup ("0-1");
    g_assert_true (run (session, job, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (job->erase_result.sectors, ==, 2);
    g_assert_cmpuint (job->erase_result.bytes, ==, 64 * 1024);
    g_assert_cmpint (job->erase_result.psize, ==, KILN_FLASH_PSIZE_X32);
  }
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_ERASE, bench);

    job->sectors = g_strdup ("");
    g_assert_false (run (session, job, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_ERASE, bench);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    job->mass = TRUE;
    g_cancellable_cancel (cancellable);
    g_assert_false (run (session, job, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint (job->erase_result.sectors, ==, 0);
  }
  after = read_flash (session, bench, 0x08000000, 96 * 1024);
  {
    g_autoptr(GBytes) erased = g_bytes_new_from_bytes (after, 0, 64 * 1024);
    g_autoptr(GBytes) kept = g_bytes_new_from_bytes (after, 64 * 1024, 32 * 1024);

    g_assert_true (all_bytes (erased, 0xFF));
    g_assert_true (all_bytes (kept, 0x5A));
  }
  g_remove (img);
  g_rmdir (dir);
}

static void
test_option_bytes (void)
{
  g_autoptr(KilnSimBench) bench = make_bench ("rdp=0x55");
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(GError) error = NULL;

  /* Read: level 1. */
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_OPTION_BYTES_READ, bench);

    g_assert_true (run (session, job, NULL, &error));
    g_assert_cmpuint (kiln_option_bytes_get_rdp_level (&job->options_before), ==, 1);
  }
  /* A dry run works out the change and its consequences, writes nothing. */
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_OPTION_BYTES_WRITE, bench);

    job->assignments = g_strsplit ("rdp=0 protect=2", " ", -1);
    job->dry_run = TRUE;
    g_assert_true (run (session, job, NULL, &error));
    g_assert_false (job->options_written);
    g_assert_cmpuint (job->changes->len, ==, 2);
    g_assert_cmpint (kiln_option_bytes_get_impact (&job->options_before, &job->options_after) & KILN_OPTION_IMPACT_ERASES_FLASH,
                     !=, 0);
  }
  /* Not confirmed: refused. Level 2 without irreversible: refused. */
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_OPTION_BYTES_WRITE, bench);

    job->assignments = g_strsplit ("rdp=0", " ", -1);
    g_assert_false (run (session, job, NULL, &error));
    g_assert_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_NOT_CONFIRMED);
    g_clear_error (&error);
    g_strfreev (job->assignments);
    job->assignments = g_strsplit ("rdp=2", " ", -1);
    job->confirm = TRUE;
    g_assert_false (run (session, job, NULL, &error));
    g_assert_error (error, KILN_OPTION_BYTES_ERROR, KILN_OPTION_BYTES_ERROR_IRREVERSIBLE);
    g_clear_error (&error);
  }
  /* Confirmed: level 0, and the flash is readable (and erased). */
  {
    g_autoptr(KilnTargetJob) job = kiln_target_job_new_for_bench (KILN_TARGET_JOB_OPTION_BYTES_WRITE, bench);
    g_autoptr(GBytes) flash = NULL;

    job->assignments = g_strsplit ("rdp=0", " ", -1);
    job->confirm = TRUE;
    g_assert_true (run (session, job, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (job->options_written);
    g_assert_cmpuint (kiln_option_bytes_get_rdp_level (&job->options_after), ==, 0);
    flash = read_flash (session, bench, 0x08000000, 4096);
    g_assert_true (all_bytes (flash, 0xFF));
  }
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_unsetenv ("KILN_SIM");
  g_unsetenv ("KILN_SIM_REPORT");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Job/target-job/erase-read-verify", test_erase_read_verify);
  g_test_add_func ("/Kiln/Job/target-job/option-bytes", test_option_bytes);
  return g_test_run ();
}
