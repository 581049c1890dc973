/* test-flash-driver.c — programming on the virtual bench: every chip and
 * probe, the SRAM loader and its fallback, the differential, preserved and
 * erased gaps, on-target CRC verification, faults and cancellation
 *
 * flash.bin (the board's saved state) is compared with the image
 * independently of Kiln's own read-back; the bench's report says which
 * sectors were erased and whether anything broke a rule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "flash-bench.h"

/* ------------------------------------------------------------------ */

typedef struct
{
  const char *name;
  const char *ini;
  guint32     flash_size;
  guint       last_sector;   /* logical number of the sector at the end */
} Case;

static const char *const probes[][2] = {
  { "v2j24", "[probe]\nmodel = stlink-v2\nfirmware = V2J24S7\n" },
  { "v2j34", "[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n" },
  { "v2-1", "[probe]\nmodel = stlink-v2-1\n" },
  { "v3", "[probe]\nmodel = stlink-v3\n" },
};

static const struct { const char *name; const char *board; guint32 size; } chips[] = {
  { "f746", "[board]\nchip = STM32F746NG\n", 1024 * 1024 },
  { "f767", "[board]\nchip = STM32F767ZI\n", 2048 * 1024 },
  { "f767-dual", "[board]\nchip = STM32F767ZI\nndbank = 0\n", 2048 * 1024 },
  { "f722", "[board]\nchip = STM32F722RE\n", 512 * 1024 },
};

typedef struct
{
  guint chip;
  guint probe;
} Matrix;

/* Program an image with bytes in the first, a middle and the last sector
 * (gaps between), verify, compare flash.bin; then change one byte and see
 * only that sector erased again. */
static void
test_matrix (gconstpointer data)
{
  const Matrix *m = data;
  guint32 size = chips[m->chip].size;
  g_autofree char *ini = g_strconcat (probes[m->probe][1], chips[m->chip].board, NULL);
  g_autoptr(Bench) b = bench_new (ini);
  g_autofree guint8 *want = g_malloc (size);
  g_autofree guint8 *head = pattern (40 * 1024, m->chip * 10 + m->probe);
  g_autofree guint8 *tail = pattern (4096, 7);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  g_autofree guint8 *file = NULL;
  KilnFlashResult result = { 0 };
  KilnArmTarget *target = bench_open (b);
  g_autoptr(KilnChip) chip = g_object_ref (kiln_arm_target_get_chip (target));
  guint last = kiln_chip_get_n_sectors (chip) - 1;
  guint32 tail_at = size - 4096;
  gsize file_size = size;

  /* One file: 40 KiB at the start, 4 KiB at the end, erased in between
   * (a raw binary covers it all, so the plan touches every sector: the
   * differential finds the untouched ones erased). */
  memset (want, 0xFF, size);
  memcpy (want, head, 40 * 1024);
  memcpy (want + tail_at, tail, 4096);
  file = g_memdup2 (want, file_size);
  image = image_bin (file, file_size, FLASH);

  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  if (result.fallback_reason)
    g_test_message ("fallback: %s", result.fallback_reason);
  g_assert_true (result.used_loader);
  g_assert_null (result.fallback_reason);
  g_assert_true (result.verified);
  g_assert_cmpint (result.verify_method, ==, KILN_FLASH_VERIFY_CRC);
  flash = bench_flash (b);
  g_assert_cmpuint (g_bytes_get_size (flash), ==, size);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, size) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  g_test_message ("%s/%s: erased %s, device %.3f s", chips[m->chip].name, probes[m->probe][0], erased,
                  report_number (json, "device_time_s"));
  /* A fresh chip is erased: the sectors with data are found blank and
   * programmed without an erase. */
  {
    guint with_data = 0;

    for (guint i = 0; i <= last; i++)
      {
        const KilnSector *s = kiln_chip_get_sector (chip, i);

        with_data += s->address < FLASH + 40 * 1024 || i == last;
      }
    g_assert_cmpstr (erased, ==, "");
    g_assert_cmpuint (result.erased, ==, 0);
    g_assert_cmpuint (result.blank, ==, with_data);
    g_assert_cmpuint (result.written, ==, with_data);
  }
  kiln_flash_result_clear (&result);
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&erased, g_free);
  g_clear_pointer (&flash, g_bytes_unref);
  g_clear_object (&image);

  /* One byte changed in the last sector: only it is erased and written. */
  file[tail_at + 100] ^= 0x5A;
  want[tail_at + 100] ^= 0x5A;
  image = image_bin (file, file_size, FLASH);
  target = bench_open (b);
  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.written, ==, 1);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, size) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  {
    g_autofree char *expect = g_strdup_printf ("%u", kiln_chip_get_sector (chip, last)->index);

    g_assert_cmpstr (erased, ==, expect);
  }
  kiln_flash_result_clear (&result);
}

/* Sectors outside the image keep their bytes; a touched sector's bytes
 * outside the image are erased, or kept with preserve_unwritten. */
static void
test_untouched_and_preserved (gconstpointer data)
{
  gboolean preserve = GPOINTER_TO_INT (data);
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\nflash-image = old.bin\n");
  g_autofree guint8 *old = pattern (1024 * 1024, 99);
  g_autofree guint8 *piece = pattern (1000, 5);
  g_autofree char *old_path = g_build_filename (b->dir, "old.bin", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  g_autofree guint8 *want = g_memdup2 (old, 1024 * 1024);
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnArmTarget *target;
  /* 1000 bytes in the middle of sector 1 (0x08008000, 32 KiB). */
  guint32 at = 0x08008000 + 0x1234;

  g_assert_true (g_file_set_contents (old_path, (const char *) old, 1024 * 1024, &error));
  target = bench_open (b);
  image = image_bin (piece, 1000, at);
  kiln_flash_options_init (&options);
  options.preserve_unwritten = preserve;
  g_assert_true (program (target, image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  if (result.fallback_reason)
    g_test_message ("fallback: %s", result.fallback_reason);
  g_assert_true (result.used_loader);

  if (!preserve)
    memset (want + 0x8000, 0xFF, 0x8000);
  memcpy (want + (at - FLASH), piece, 1000);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, 1024 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, "1");
  kiln_flash_result_clear (&result);
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&erased, g_free);

  /* The same again: the differential finds the sector right. */
  target = bench_open (b);
  g_assert_true (program (target, image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.written, ==, 0);
  g_assert_cmpuint (result.skipped, ==, 1);
  json = kiln_sim_bench_dup_report_json (b->bench);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, "");
  kiln_flash_result_clear (&result);
}

static void
test_host_driven (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = pattern (70 * 1024, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 70 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;

  kiln_flash_options_init (&options);
  options.host_driven = TRUE;
  options.verify_method = KILN_FLASH_VERIFY_READ_BACK;
  g_assert_true (program (bench_open (b), image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_false (result.used_loader);
  g_assert_nonnull (result.fallback_reason);
  g_assert_true (result.verified);
  g_assert_cmpint (result.verify_method, ==, KILN_FLASH_VERIFY_READ_BACK);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 70 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  kiln_flash_result_clear (&result);

  /* Left halted without the loader: the reset's catch is taken off all
   * the same (the loader's start would have), so that the firmware runs
   * after the next reset. */
  {
    g_autoptr(KilnImage) small = NULL;
    KilnArmTarget *target = b->target;
    guint32 demcr = 0;

    data[5] ^= 0xFF;
    small = image_bin (data, 4096, FLASH);
    options.reset = FALSE;
    g_assert_true (program (target, small, &options, NULL, &result, &error));
    g_assert_no_error (error);
    g_assert_true (kiln_stlink_read32 (kiln_arm_target_get_stlink (target), 0xE000EDFC, &demcr, &error));
    g_assert_no_error (error);
    g_assert_cmphex (demcr & 0x1, ==, 0);
    kiln_flash_result_clear (&result);
  }
}

/* Something to do when a sector reaches a state during a job. */
typedef struct
{
  KilnArmTarget  *target;
  guint           position;
  KilnSectorState state;
  guint32         code;       /* the loader's address, to break it */
  GCancellable   *cancel;
  gboolean        fired;
} Trigger;

static void
on_sector (gpointer        user_data,
           guint           position,
           KilnSectorState state)
{
  Trigger *t = user_data;

  if (t->fired || position != t->position || state != t->state)
    return;
  t->fired = TRUE;
  if (t->cancel)
    g_cancellable_cancel (t->cancel);
  if (t->code)
    {
      gsize size = (kiln_flash_loader_code_size + 3) & ~(gsize) 3;
      g_autofree guint8 *udf = g_malloc (size);

      /* The loader's code turns into undefined instructions under it. */
      for (guint i = 0; i < size; i += 2)
        {
          udf[i] = 0x00;
          udf[i + 1] = 0xDE;
        }
      g_assert_true (kiln_stlink_write_mem (kiln_arm_target_get_stlink (t->target), t->code, udf, size, NULL));
    }
}

/* A loader that faults mid-job: the host finishes the job word by word and
 * the result says why. */
static void
test_fallback_on_fault (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = pattern (200 * 1024, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 200 * 1024, FLASH);
  g_autoptr(KilnFlashPlan) plan = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnFlashLoader loader;
  KilnArmTarget *target = bench_open (b);
  Trigger trigger = { target, 3, KILN_SECTOR_STATE_WRITING, 0, NULL, FALSE };
  KilnFlashProgress progress = { NULL, NULL, on_sector, &trigger };

  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  trigger.code = loader.code;

  kiln_flash_options_init (&options);
  plan = kiln_flash_plan_new (image, kiln_arm_target_get_chip (target), KILN_FLASH_PSIZE_X32, &error);
  g_assert_true (kiln_flash_program (target, plan, &options, &progress, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (trigger.fired);
  g_assert_false (result.used_loader);
  g_assert_nonnull (result.fallback_reason);
  g_test_message ("fallback: %s", result.fallback_reason);
  g_assert_nonnull (strstr (result.fallback_reason, "UNDEFINSTR"));
  g_assert_true (result.verified);
  g_assert_cmpuint (result.written, ==, 5);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 200 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  kiln_flash_result_clear (&result);
}

static void
test_stale_errors (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n[faults]\nstale-flash-errors = PGPERR,ERSERR,PGAERR\n");
  g_autofree guint8 *data = pattern (10 * 1024, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 10 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  KilnFlashResult result = { 0 };

  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 10 * 1024) == 0);
  kiln_flash_result_clear (&result);
}

/* A hardware watchdog (IWDG_SW = 0, 100 ms) must not reset the core while
 * the loader erases 256 KiB sectors (1 s each). */
static void
test_hardware_watchdog (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\niwdg-sw = 0\niwdg-timeout-ms = 100\n");
  g_autofree guint8 *data = pattern (600 * 1024, 9);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 600 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };

  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 600 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  g_assert_null (strstr (json, "iwdg-reset"));
  assert_no_violations (json);
  kiln_flash_result_clear (&result);
}

static void
test_weak_words (gconstpointer data)
{
  KilnFlashVerifyMethod method = GPOINTER_TO_INT (data);
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n[faults]\nweak-words = 0x08010404\n");
  g_autofree guint8 *bytes = pattern (80 * 1024, 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;

  /* The weak word must hold a zero bit that stays erased. */
  memset (bytes + 0x10404, 0x00, 4);
  image = image_bin (bytes, 80 * 1024, FLASH);
  kiln_flash_options_init (&options);
  options.verify_method = method;
  g_assert_false (program (bench_open (b), image, &options, NULL, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "0x08010404"));
  g_assert_nonnull (strstr (error->message, "sector 2"));
  g_assert_cmphex (result.error_address, ==, 0x08010404);
  {
    KilnFlashController ctrl;
    gboolean locked = FALSE;

    kiln_flash_controller_init (&ctrl, b->target);
    g_assert_true (kiln_flash_controller_is_locked (&ctrl, &locked, NULL));
    g_assert_true (locked);
  }
  kiln_flash_result_clear (&result);
}

/* Cancelled while sector 4 is being written: the loader stops between
 * blocks, the controller is locked, the core halted (reset off), and the
 * error names the sector it stopped in as incomplete (4, or 5 where it
 * finished 4 before the stop reached it: the records for it were in the
 * ring), every sector before it written; a second run completes. */
static void
test_cancel (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = pattern (512 * 1024, 11);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 512 * 1024, FLASH);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(KilnFlashPlan) plan = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnArmTarget *target = bench_open (b);
  gboolean locked = FALSE, halted = FALSE;
  KilnFlashController ctrl;
  guint stopped_in;
  Trigger trigger = { target, 4, KILN_SECTOR_STATE_WRITING, 0, cancellable, FALSE };
  KilnFlashProgress progress = { NULL, NULL, on_sector, &trigger };

  kiln_flash_options_init (&options);
  options.reset = FALSE;
  plan = kiln_flash_plan_new (image, kiln_arm_target_get_chip (target), KILN_FLASH_PSIZE_X32, &error);
  g_assert_false (kiln_flash_program (target, plan, &options, &progress, cancellable, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (result.n_incomplete, ==, 1);
  g_assert_cmpuint (result.incomplete[0], >=, 4);
  g_assert_cmpuint (result.incomplete[0], <=, 5);
  {
    g_autofree char *named = g_strdup_printf ("Sector %u ", result.incomplete[0]);

    g_assert_nonnull (strstr (error->message, named));
  }
  g_assert_cmpuint (result.written, ==, result.incomplete[0]);
  stopped_in = result.incomplete[0];
  kiln_flash_controller_init (&ctrl, target);
  g_assert_true (kiln_flash_controller_is_locked (&ctrl, &locked, NULL));
  g_assert_true (locked);
  g_assert_true (kiln_arm_is_halted (target, &halted, NULL));
  g_assert_true (halted);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 4 * 32 * 1024) == 0);
  g_assert_false (memcmp (g_bytes_get_data (flash, NULL), data, 512 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  kiln_flash_result_clear (&result);
  g_clear_error (&error);
  g_clear_pointer (&flash, g_bytes_unref);

  /* Again, to the end: the finished sectors are skipped. */
  target = bench_open (b);
  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.skipped, ==, stopped_in);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 512 * 1024) == 0);
  kiln_flash_result_clear (&result);
}

/* The probe vanishes or stops answering in the middle of writing: the
 * error says so, nothing waits forever, and the next run (probe back)
 * programs the chip. */
static void
test_link_fault (gconstpointer data)
{
  const char *fault = data;
  g_autofree char *ini = g_strdup_printf ("[probe]\n[board]\n[faults]\n%s = 1500\n", fault);
  g_autoptr(Bench) b = bench_new (ini);
  g_autofree guint8 *bytes = pattern (400 * 1024, 12);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (bytes, 400 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  KilnFlashResult result = { 0 };
  g_autofree char *report = NULL;
  gint64 started = g_get_monotonic_time ();

  g_assert_false (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_nonnull (error);
  g_test_message ("%s: %s", fault, error->message);
  g_assert_true (error->domain == KILN_USB_ERROR);
  g_assert_cmpint (error->code, ==, g_str_has_prefix (fault, "usb-hang") ? KILN_USB_ERROR_TIMEOUT
                                                                           : KILN_USB_ERROR_UNPLUGGED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 60 * G_USEC_PER_SEC);
  kiln_flash_result_clear (&result);
  g_clear_error (&error);
  g_assert_true (kiln_sim_bench_save (b->bench, NULL));

  /* The probe is back. */
  g_free (b->ini);
  b->ini = g_strdup ("[probe]\n[board]\n");
  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, 400 * 1024) == 0);
  report = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (report);
  kiln_flash_result_clear (&result);
}

/* Speed on the bench (reported, not asserted on: the goal is the flash's
 * own busy time, erase and programming, times at most 1.10). A full 1 MiB
 * image into an F746 through a V2 at 4 MHz, with the loader erasing, with
 * the host erasing first, and host-driven; then the same image again (the
 * differential: CRC only) and with one sector changed. */
static double
busy_seconds (const char *json)
{
  const char *p = strstr (json, "\"sectors_erased\":[");
  double erase = 0;

  while ((p = strstr (p, "\"time_s\":")) != NULL && p < strstr (json, "\"mass_erases\""))
    {
      p += strlen ("\"time_s\":");
      erase += g_ascii_strtod (p, NULL);
    }
  return erase + report_number (json, "flash_units_programmed") * 16e-6;
}

static void
test_speed (void)
{
  static const struct { const char *name; gboolean host_erase; gboolean host_driven; } ways[] = {
    { "loader", FALSE, FALSE },
    { "loader, host erases first", TRUE, FALSE },
    { "host-driven", FALSE, TRUE },
  };
  g_autofree guint8 *data = pattern (1024 * 1024, 13);
  g_autoptr(KilnImage) image = image_bin (data, 1024 * 1024, FLASH);
  double full = 0;

  for (guint w = 0; w < G_N_ELEMENTS (ways); w++)
    {
      g_autoptr(Bench) b = bench_new ("[bench]\nhost-gaps = ignore\n[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n"
                                      "[board]\nchip = STM32F746NG\n");
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) flash = NULL;
      g_autofree char *json = NULL;
      KilnFlashResult result = { 0 };
      KilnFlashOptions options;
      double device, busy;

      if (ways[w].host_driven && !g_test_slow ())
        continue;
      kiln_flash_options_init (&options);
      options.host_erase = ways[w].host_erase;
      options.host_driven = ways[w].host_driven;
      g_assert_true (program (bench_open (b), image, &options, NULL, &result, &error));
      g_assert_no_error (error);
      g_assert_true (result.used_loader == !ways[w].host_driven);
      flash = bench_flash (b);
      g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 1024 * 1024) == 0);
      json = kiln_sim_bench_dup_report_json (b->bench);
      assert_no_violations (json);
      device = report_number (json, "device_time_s");
      busy = busy_seconds (json);
      g_test_message ("1 MiB into STM32F746 via ST-LINK/V2 at 4 MHz (%s): device time %.3f s, flash busy %.3f s, "
                      "%.3f x", ways[w].name, device, busy, device / busy);
      kiln_flash_result_clear (&result);
      if (w > 0)
        continue;
      full = device;

      /* The same image again: nothing to write, CRCs only. */
      {
        g_autofree char *again = NULL;

        g_assert_true (program (bench_open (b), image, &options, NULL, &result, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (result.written, ==, 0);
        again = kiln_sim_bench_dup_report_json (b->bench);
        g_test_message ("the same 1 MiB again (on-target CRC of every sector, nothing written): device time %.3f s",
                        report_number (again, "device_time_s"));
        kiln_flash_result_clear (&result);
      }
      /* One sector changed: a 32 KiB one, then a 256 KiB one. */
      for (guint k = 0; k < 2; k++)
        {
          static const guint32 at[] = { 0x8100, 0x90000 };
          g_autofree char *again = NULL;
          g_autoptr(KilnImage) changed = NULL;

          data[at[k]] ^= 0xFF;
          changed = image_bin (data, 1024 * 1024, FLASH);
          g_assert_true (program (bench_open (b), changed, &options, NULL, &result, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (result.written, ==, 1);
          again = kiln_sim_bench_dup_report_json (b->bench);
          g_test_message ("one %s sector changed: device time %.3f s (%.0f %% of the full time), flash busy %.3f s",
                          k == 0 ? "32 KiB" : "256 KiB", report_number (again, "device_time_s"),
                          100 * report_number (again, "device_time_s") / full, busy_seconds (again));
          kiln_flash_result_clear (&result);
        }
      data[0x8100] ^= 0xFF;
      data[0x90000] ^= 0xFF;
    }
}

/* Below 2.7 V the loader programs halves (x16), below 2.1 V bytes (x8);
 * the bench checks the parallelism against the supply (of the erase too:
 * the board holds another image, so the sectors are not blank). */
static void
test_voltage (gconstpointer data)
{
  const char *volts = data;
  gboolean host = g_str_has_suffix (volts, "host");
  g_autofree char *ini = g_strdup_printf ("[probe]\n[board]\nvoltage = %.1f\nflash-image = old.bin\n",
                                          g_ascii_strtod (volts, NULL));
  g_autoptr(Bench) b = bench_new (ini);
  g_autofree char *old_path = g_build_filename (b->dir, "old.bin", NULL);
  g_autofree guint8 *old = pattern (40 * 1024, 15);
  g_autofree guint8 *bytes = pattern (40 * 1024, 14);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (bytes, 40 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  guint bits = g_ascii_strtod (volts, NULL) >= 2.7 ? 32 : g_ascii_strtod (volts, NULL) >= 2.1 ? 16 : 8;
  g_autofree char *psize = g_strdup_printf ("\"psize\":%u", bits);
  KilnFlashOptions options;

  g_assert_true (g_file_set_contents (old_path, (const char *) old, 40 * 1024, &error));
  kiln_flash_options_init (&options);
  options.host_driven = host;
  g_assert_true (program (bench_open (b), image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader == !host);
  g_assert_cmpuint (8u << result.psize, ==, bits);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, 40 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  g_assert_nonnull (strstr (json, psize));
  g_assert_cmpfloat (report_number (json, "flash_units_programmed"), ==, 40 * 1024 / (bits / 8));
  kiln_flash_result_clear (&result);
}

/* A flash error under the loader comes back decoded, with the address:
 * erasing and programming a write-protected sector (the driver's pre-flight
 * refuses such a plan; the loader is driven directly here). */
static void
test_loader_flash_error (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\nnwrp = 0xFD\n");
  g_autoptr(GError) error = NULL;
  KilnArmTarget *target = bench_open (b);
  KilnChip *chip = kiln_arm_target_get_chip (target);
  const KilnSector *s1 = kiln_chip_get_sector (chip, 1);
  guint8 data[64];
  KilnFlashLoader loader;
  KilnFlashController ctrl;
  guint done = 0;
  guint32 sr = 0, at = 0;
  KilnLoaderOp erase[] = { { KILN_LOADER_OP_ERASE, (2u << 8) | (1u << 1) | (s1->snb << 3), s1->address, 0, NULL, 1 } };
  KilnLoaderOp write[] = { { KILN_LOADER_OP_PROGRAM, 0, s1->address + 0x40, sizeof data, data, 1 } };

  memset (data, 0x11, sizeof data);
  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  kiln_flash_controller_init (&ctrl, target);
  g_assert_true (kiln_flash_controller_clear_errors (&ctrl, &error));
  g_assert_true (kiln_flash_controller_unlock (&ctrl, &error));
  g_assert_no_error (error);

  g_assert_false (kiln_flash_loader_program (&loader, ctrl.regs, KILN_FLASH_PSIZE_X32, erase, 1, NULL, NULL, NULL,
                                             &done, &sr, &at, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "WRPERR"));
  g_assert_nonnull (strstr (error->message, "sector 1"));
  g_assert_cmphex (at, ==, 0x08008000);
  g_assert_cmpuint (done, ==, 0);
  g_clear_error (&error);

  g_assert_true (kiln_flash_controller_clear_errors (&ctrl, &error));
  g_assert_false (kiln_flash_loader_program (&loader, ctrl.regs, KILN_FLASH_PSIZE_X32, write, 1, NULL, NULL, NULL,
                                             &done, &sr, &at, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
  g_test_message ("%s", error->message);
  g_assert_cmphex (at, ==, 0x08008040);
  g_assert_true (sr & KILN_FLASH_SR_WRPERR);
  kiln_flash_controller_lock (&ctrl);
}

/* Firmware that turns the SWD pins off as it starts: connecting under
 * reset halts the core before its first instruction, and programming
 * works. */
static void
test_under_reset (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\nflash-image = old.bin\n[faults]\nswd-disabled-by-firmware = true\n");
  g_autofree char *old_path = g_build_filename (b->dir, "old.bin", NULL);
  g_autofree guint8 *old = pattern (64 * 1024, 15);
  g_autofree guint8 *data = pattern (48 * 1024, 16);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 48 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  KilnArmTarget *target;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;

  /* A vector table that points into the flash: the firmware "runs". */
  old[0] = 0x00; old[1] = 0x10; old[2] = 0x00; old[3] = 0x20;
  old[4] = 0x09; old[5] = 0x00; old[6] = 0x00; old[7] = 0x08;
  old[8] = 0xFE; old[9] = 0xE7;
  g_assert_true (g_file_set_contents (old_path, (const char *) old, 64 * 1024, &error));
  target = bench_open_full (b, TRUE);
  {
    gboolean halted = FALSE;

    g_assert_true (kiln_arm_is_halted (target, &halted, &error));
    g_assert_no_error (error);
    g_assert_true (halted);
  }
  kiln_flash_options_init (&options);
  options.reset = FALSE;
  g_assert_true (program (target, image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader);
  g_assert_cmpuint (result.written, ==, 2);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 48 * 1024) == 0);
  kiln_flash_result_clear (&result);
}

/* A loader that hangs (here: its code replaced by a branch to itself) is
 * halted after its stall timeout and reported as the loader's failure,
 * which the driver answers with the host-driven path. */
static void
test_loader_hang (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autoptr(GError) error = NULL;
  KilnArmTarget *target = bench_open (b);
  KilnFlashLoader loader;
  KilnFlashController ctrl;
  guint8 data[256];
  guint8 loop[16];
  guint done = 0;
  guint32 sr = 0, at = 0;
  gboolean halted = FALSE;
  KilnLoaderOp ops[] = { { KILN_LOADER_OP_PROGRAM, 0, FLASH, sizeof data, data, 0 } };
  guint32 ranges[2] = { FLASH, 1024 }, crc = 0;
  gint64 started;

  memset (data, 0x22, sizeof data);
  for (guint i = 0; i < sizeof loop; i += 2)
    {
      loop[i] = 0xFE;
      loop[i + 1] = 0xE7;
    }
  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  /* The code goes up with the first command; the second starts the core
   * again, on what the code has become. */
  g_assert_true (kiln_flash_loader_crc (&loader, ranges, 1, &crc, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (loader.running);
  g_assert_true (kiln_stlink_write_mem (kiln_arm_target_get_stlink (target), loader.code, loop, sizeof loop, &error));
  g_assert_no_error (error);
  loader.timeout_ms = 300;
  kiln_flash_controller_init (&ctrl, target);
  started = g_get_monotonic_time ();
  g_assert_false (kiln_flash_loader_program (&loader, ctrl.regs, KILN_FLASH_PSIZE_X32, ops, 1, NULL, NULL, NULL,
                                             &done, &sr, &at, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER);
  g_test_message ("%s", error->message);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  g_assert_true (kiln_arm_is_halted (target, &halted, NULL));
  g_assert_true (halted);
}

/* The job the CLI and the window run: defaults (loader, CRC verify,
 * differential, reset), result fields filled in. */
static void
test_job (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = pattern (100 * 1024, 17);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 100 * 1024, FLASH);
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(KilnFlashJob) job = NULL;
  g_autoptr(GBytes) flash = NULL;

  bench_open (b);
  g_clear_object (&b->target);
  job = kiln_flash_job_new_for_bench (b->bench, image);
  g_assert_true (job->options.verify && job->options.skip_unchanged && job->options.reset);
  g_assert_cmpint (job->options.verify_method, ==, KILN_FLASH_VERIFY_CRC);
  g_assert_false (job->options.preserve_unwritten);
  g_assert_true (kiln_session_run_sync (session, kiln_flash_job_run, job, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (job->result.used_loader);
  g_assert_true (job->result.verified);
  g_assert_cmpuint (job->result.written, ==, 4);
  g_assert_cmpuint (job->result.n_incomplete, ==, 0);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 100 * 1024) == 0);
}

/* The CRC the loader computes with the chip's CRC unit is the one the host
 * computes, for lengths around the loader's 16-byte steps, in RAM too. */
static void
test_loader_crc (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\nflash-image = old.bin\n");
  g_autofree char *old_path = g_build_filename (b->dir, "old.bin", NULL);
  g_autofree guint8 *old = pattern (8192, 18);
  g_autoptr(GError) error = NULL;
  static const guint32 lengths[] = { 4, 8, 12, 16, 20, 28, 32, 36, 1020, 4096, 8192 };
  guint32 ranges[2 * G_N_ELEMENTS (lengths)], crcs[G_N_ELEMENTS (lengths)];
  KilnFlashLoader loader;
  KilnArmTarget *target;

  g_assert_true (g_file_set_contents (old_path, (const char *) old, 8192, &error));
  target = bench_open (b);
  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      ranges[2 * i] = FLASH + (lengths[i] < 8192 ? 4 * i : 0);
      ranges[2 * i + 1] = lengths[i];
    }
  g_assert_true (kiln_flash_loader_crc (&loader, ranges, G_N_ELEMENTS (lengths), crcs, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    g_assert_cmphex (crcs[i], ==, kiln_flash_crc32 (0xFFFFFFFF, old + (ranges[2 * i] - FLASH), lengths[i]));

  /* The same loader again (it is halted between commands by default). */
  ranges[0] = loader.ring_end - 4096;
  ranges[1] = 1024;
  g_assert_true (kiln_stlink_write_mem (kiln_arm_target_get_stlink (target), loader.ring_end - 4096, old, 1024, &error));
  g_assert_true (kiln_flash_loader_crc (&loader, ranges, 1, crcs, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmphex (crcs[0], ==, kiln_flash_crc32 (0xFFFFFFFF, old, 1024));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  static Matrix matrix[G_N_ELEMENTS (chips) * G_N_ELEMENTS (probes)];

  g_test_init (&argc, &argv, NULL);

  for (guint c = 0; c < G_N_ELEMENTS (chips); c++)
    for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
      {
        Matrix *m = &matrix[c * G_N_ELEMENTS (probes) + p];
        char *name = g_strdup_printf ("/Kiln/Flash/program/%s/%s", chips[c].name, probes[p][0]);

        m->chip = c;
        m->probe = p;
        g_ptr_array_add (names, name);
        g_test_add_data_func (name, m, test_matrix);
      }
  g_test_add_data_func ("/Kiln/Flash/untouched-erased", GINT_TO_POINTER (FALSE), test_untouched_and_preserved);
  g_test_add_data_func ("/Kiln/Flash/untouched-preserved", GINT_TO_POINTER (TRUE), test_untouched_and_preserved);
  g_test_add_func ("/Kiln/Flash/host-driven", test_host_driven);
  g_test_add_func ("/Kiln/Flash/loader-fault", test_fallback_on_fault);
  g_test_add_func ("/Kiln/Flash/stale-errors", test_stale_errors);
  g_test_add_func ("/Kiln/Flash/hardware-watchdog", test_hardware_watchdog);
  g_test_add_data_func ("/Kiln/Flash/weak-words/crc", GINT_TO_POINTER (KILN_FLASH_VERIFY_CRC), test_weak_words);
  g_test_add_data_func ("/Kiln/Flash/weak-words/read-back", GINT_TO_POINTER (KILN_FLASH_VERIFY_READ_BACK),
                        test_weak_words);
  g_test_add_func ("/Kiln/Flash/cancel", test_cancel);
  g_test_add_func ("/Kiln/Flash/speed", test_speed);
  g_test_add_data_func ("/Kiln/Flash/voltage/2.5", "2.5", test_voltage);
  g_test_add_data_func ("/Kiln/Flash/voltage/2.0", "2.0", test_voltage);
  g_test_add_data_func ("/Kiln/Flash/voltage/2.5-host", "2.5-host", test_voltage);
  g_test_add_data_func ("/Kiln/Flash/voltage/2.0-host", "2.0-host", test_voltage);
  g_test_add_func ("/Kiln/Flash/loader-flash-error", test_loader_flash_error);
  g_test_add_func ("/Kiln/Flash/under-reset", test_under_reset);
  g_test_add_func ("/Kiln/Flash/loader-hang", test_loader_hang);
  g_test_add_func ("/Kiln/Flash/job", test_job);
  g_test_add_func ("/Kiln/Flash/loader-crc", test_loader_crc);
  g_test_add_data_func ("/Kiln/Flash/unplug", "usb-disconnect-after-ms", test_link_fault);
  g_test_add_data_func ("/Kiln/Flash/hang", "usb-hang-after-ms", test_link_fault);

  return g_test_run ();
}
