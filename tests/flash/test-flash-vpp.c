/* test-flash-vpp.c — x64 with external VPP on the virtual bench: twice the
 * bytes per programming unit where the board supplies VPP; where it does
 * not, the flash refuses x64 (PGPERR on a unit, the erase error flag on an
 * erase) and the job fails safely, saying what happened and what to do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "flash-bench.h"

#define SIZE (64 * 1024)

static Bench *
board (gboolean    vpp,
       const char *flash_image)
{
  g_autofree char *ini = g_strdup_printf ("[probe]\nmodel = stlink-v3\n[board]\nchip = STM32F746NG\n%s%s%s%s",
                                          vpp ? "vpp = true\n" : "", flash_image ? "flash-image = " : "",
                                          flash_image ? flash_image : "", flash_image ? "\n" : "");

  return bench_new (ini);
}

static gboolean
all_ff (const guint8 *p,
        gsize         n)
{
  for (gsize i = 0; i < n; i++)
    if (p[i] != 0xFF)
      return FALSE;
  return TRUE;
}

/* With VPP: x64 units, half as many as at x32, and the image in flash. */
static void
test_with_vpp (void)
{
  g_autoptr(Bench) b = board (TRUE, NULL);
  g_autofree guint8 *data = pattern (SIZE, 64);
  g_autoptr(KilnImage) image = image_bin (data, SIZE, FLASH);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnArmTarget *target = bench_open (b);

  kiln_flash_options_init (&options);
  options.vpp = TRUE;
  g_assert_true (program (target, image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.psize, ==, KILN_FLASH_PSIZE_X64);
  g_assert_true (result.used_loader);
  g_assert_true (result.verified);
  kiln_flash_result_clear (&result);

  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, SIZE) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  g_assert_cmpfloat (report_number (json, "flash_units_programmed"), ==, SIZE / 8);
}

/* Without VPP on the board: the first x64 unit is refused; nothing is
 * written, the message names VPP, the controller ends locked. */
static void
test_without_vpp (void)
{
  g_autoptr(Bench) b = board (FALSE, NULL);
  g_autofree guint8 *data = pattern (SIZE, 65);
  g_autoptr(KilnImage) image = image_bin (data, SIZE, FLASH);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnArmTarget *target = bench_open (b);

  kiln_flash_options_init (&options);
  options.vpp = TRUE;
  g_assert_false (program (target, image, &options, NULL, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "VPP"));
  g_assert_nonnull (strstr (error->message, "without VPP"));
  kiln_flash_result_clear (&result);

  flash = bench_flash (b);
  g_assert_true (all_ff (g_bytes_get_data (flash, NULL), SIZE));
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  g_assert_nonnull (strstr (json, "\"flash_locked_at_exit\":true"));
}

/* Without VPP, over another image: the x64 erase does not happen (the
 * erase error flag); the job fails naming VPP and the sector keeps what it
 * held. */
static void
test_erase_without_vpp (void)
{
  g_autoptr(Bench) b = board (FALSE, "before.bin");
  g_autofree guint8 *before = pattern (SIZE, 66);
  g_autofree guint8 *data = pattern (SIZE, 67);
  g_autofree char *path = g_build_filename (b->dir, "before.bin", NULL);
  g_autoptr(KilnImage) image = image_bin (data, SIZE, FLASH);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnArmTarget *target;

  g_assert_true (g_file_set_contents (path, (const char *) before, SIZE, &error));
  target = bench_open (b);
  kiln_flash_options_init (&options);
  options.vpp = TRUE;
  g_assert_false (program (target, image, &options, NULL, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "VPP"));
  kiln_flash_result_clear (&result);

  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), before, 32 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  g_assert_nonnull (strstr (json, "\"flash_locked_at_exit\":true"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/flash/vpp/with-vpp", test_with_vpp);
  g_test_add_func ("/flash/vpp/without-vpp", test_without_vpp);
  g_test_add_func ("/flash/vpp/erase-without-vpp", test_erase_without_vpp);
  return g_test_run ();
}
