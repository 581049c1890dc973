/* test-job-meter.c — the window's overall progress: weighted by the plan,
 * moving only forward, saying the sector and the share done
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "kiln-chip.h"
#include "kiln-image.h"
#include "kiln-job-meter.h"

static KilnFlashPlan *
new_plan (gsize size)
{
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnChip) chip = kiln_chip_new_for_part ("STM32F746NG", FALSE, NULL);
  g_autoptr(GError) error = NULL;
  KilnFlashPlan *plan;

  memset (data, 0x5A, size);
  bytes = g_bytes_new (data, size);
  image = kiln_image_load_bytes (bytes, "app.bin", KILN_IMAGE_FORMAT_BIN, TRUE, 0x08000000, &error);
  g_assert_no_error (error);
  plan = kiln_flash_plan_new (image, chip, KILN_FLASH_PSIZE_X32, &error);
  g_assert_no_error (error);
  return plan;
}

/* Program 256 KiB (sectors 0–4) as the loader reports it: the bar moves
 * while sectors are erased (no bytes yet), never goes back, says which
 * sector of how many, and ends full. */
static void
test_program (void)
{
  g_autoptr(KilnFlashPlan) plan = new_plan (256 * 1024);
  g_autoptr(KilnJobMeter) meter = kiln_job_meter_new (plan, TRUE, 0);
  guint64 total = 256 * 1024;
  double last = 0, after_erase0;
  g_autofree char *text = NULL;

  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_CONNECT, 0);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), ==, 0);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_PREFLIGHT, 0);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), >, 0);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_COMPARE, 0);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_PROGRAM, total);
  last = kiln_job_meter_get_fraction (meter);
  kiln_job_meter_sector (meter, 0, KILN_SECTOR_STATE_ERASING);
  text = kiln_job_meter_dup_text (meter, -1);
  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, "Erasing sector 1 of 5 · "));
  kiln_job_meter_sector (meter, 0, KILN_SECTOR_STATE_WRITING);
  after_erase0 = kiln_job_meter_get_fraction (meter);
  /* An erase done moves the bar before any byte is written. */
  g_assert_cmpfloat (after_erase0, >, last);
  for (guint s = 1; s < 5; s++)
    {
      kiln_job_meter_sector (meter, s, KILN_SECTOR_STATE_ERASING);
      kiln_job_meter_bytes (meter, total * s / 5);
      g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), >=, last);
      last = kiln_job_meter_get_fraction (meter);
      kiln_job_meter_sector (meter, s, KILN_SECTOR_STATE_WRITING);
      g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), >=, last);
      last = kiln_job_meter_get_fraction (meter);
    }
  g_clear_pointer (&text, g_free);
  text = kiln_job_meter_dup_text (meter, 10);
  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, "Writing sector 5 of 5 · "));
  g_assert_nonnull (strstr (text, " s left"));
  kiln_job_meter_bytes (meter, total);
  /* Checking is still to come: not full yet. */
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), <, 1);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_VERIFY, total);
  kiln_job_meter_sector (meter, 0, KILN_SECTOR_STATE_VERIFYING);
  kiln_job_meter_bytes (meter, total / 2);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), >=, last);
  /* A phase that starts with 0 bytes does not take the bar back. */
  last = kiln_job_meter_get_fraction (meter);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_RESET, 0);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), >=, last);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_FINISHED, 0);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), ==, 1);
}

/* Sectors found unchanged drop out of "of N". */
static void
test_unchanged (void)
{
  g_autoptr(KilnFlashPlan) plan = new_plan (256 * 1024);
  g_autoptr(KilnJobMeter) meter = kiln_job_meter_new (plan, FALSE, 0);
  g_autofree char *text = NULL;

  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_COMPARE, 0);
  for (guint s = 0; s < 4; s++)
    kiln_job_meter_sector (meter, s, KILN_SECTOR_STATE_UNCHANGED);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_PROGRAM, 128 * 1024);
  kiln_job_meter_sector (meter, 4, KILN_SECTOR_STATE_ERASING);
  text = kiln_job_meter_dup_text (meter, -1);
  g_assert_true (g_str_has_prefix (text, "Erasing sector 1 of 1 · "));
}

/* Half of 256 KiB written, three sectors started, with or without the
 * comparison having found every sector blank. */
static double
half_written (KilnFlashPlan *plan,
              gboolean       blank,
              char         **text)
{
  g_autoptr(KilnJobMeter) meter = kiln_job_meter_new (plan, TRUE, 0);

  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_COMPARE, 0);
  if (blank)
    for (guint s = 0; s < 5; s++)
      kiln_job_meter_sector (meter, s, KILN_SECTOR_STATE_BLANK);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_PROGRAM, 256 * 1024);
  for (guint s = 0; s < 3; s++)
    kiln_job_meter_sector (meter, s, KILN_SECTOR_STATE_WRITING);
  kiln_job_meter_bytes (meter, 128 * 1024);
  *text = kiln_job_meter_dup_text (meter, 1);
  return kiln_job_meter_get_fraction (meter);
}

/* Sectors found blank need no erase: the bar weighs only their writing,
 * so half the bytes written is about half the job and less time is left
 * than when every sector is erased first. */
static void
test_blank (void)
{
  g_autoptr(KilnFlashPlan) plan = new_plan (256 * 1024);
  g_autofree char *blank_text = NULL;
  g_autofree char *erase_text = NULL;
  double blank = half_written (plan, TRUE, &blank_text);
  double erase = half_written (plan, FALSE, &erase_text);

  g_test_message ("blank: %s; erased first: %s", blank_text, erase_text);
  g_assert_cmpfloat (blank, >, erase + 0.05);
  g_assert_cmpfloat (blank, >, 0.4);
  g_assert_cmpfloat (blank, <, 0.8);
}

/* An erase without bytes moves with its sectors. */
static void
test_erase (void)
{
  g_autoptr(KilnJobMeter) meter = kiln_job_meter_new (NULL, FALSE, 4);
  g_autofree char *text = NULL;

  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_ERASE, 0);
  kiln_job_meter_sector (meter, 0, KILN_SECTOR_STATE_ERASING);
  kiln_job_meter_sector (meter, 1, KILN_SECTOR_STATE_ERASING);
  kiln_job_meter_sector (meter, 2, KILN_SECTOR_STATE_ERASING);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), ==, 0.5);
  text = kiln_job_meter_dup_text (meter, -1);
  g_test_message ("%s", text);
  g_assert_cmpstr (text, ==, "Erasing sector 3 of 4 · 50 %");
}

/* A production job (no plan): each phase adds its share, reading the
 * whole of it is not needed for the bar to move. */
static void
test_no_plan (void)
{
  g_autoptr(KilnJobMeter) meter = kiln_job_meter_new (NULL, TRUE, 0);
  double last;

  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_CONNECT, 0);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_PROGRAM, 1000);
  last = kiln_job_meter_get_fraction (meter);
  g_assert_cmpfloat (last, >, 0);
  kiln_job_meter_bytes (meter, 500);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), >, last);
  kiln_job_meter_phase (meter, KILN_FLASH_PHASE_VERIFY, 1000);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), >, last);
  g_assert_cmpfloat (kiln_job_meter_get_fraction (meter), <, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/UI/job-meter/program", test_program);
  g_test_add_func ("/Kiln/UI/job-meter/unchanged", test_unchanged);
  g_test_add_func ("/Kiln/UI/job-meter/blank", test_blank);
  g_test_add_func ("/Kiln/UI/job-meter/erase", test_erase);
  g_test_add_func ("/Kiln/UI/job-meter/no-plan", test_no_plan);
  return g_test_run ();
}
