/* test-flash-old-probes.c — programming through ST-LINK/V2 firmware older
 * than V2J24, as clone probes ship with it
 *
 * The bench's probe answers only the commands its firmware version has
 * (anything newer is "unknown command"), so a program that needs a newer
 * command fails here. Each firmware programs and verifies a 3.3 V board;
 * flash.bin is compared with the image, the bench's count of programmed
 * units says the programming width, and what the probe lacks is checked as Kiln says it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "flash-bench.h"

typedef struct
{
  const char *firmware;
  guint       psize_bits;   /* 8: no supply reading, so the width safe at any supply */
  guint       swd_khz;      /* the clock the probe ends up at, asked for 4000 kHz */
  guint       n_costs;      /* sentences in kiln_stlink_firmware_costs () */
} Case;

static const Case cases[] = {
  { "V2J11S3", 8, 1800, 5 },
  { "V2J13S3", 32, 1800, 4 },
  { "V2J17S4", 32, 1800, 3 },
  { "V2J21S4", 32, 1800, 3 },
  { "V2J23S4", 32, 4000, 2 },
};

static void
test_program (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *ini = g_strdup_printf ("[probe]\nmodel = stlink-v2\nfirmware = %s\n[board]\nchip = STM32F746NG\n",
                                          c->firmware);
  g_autoptr(Bench) b = bench_new (ini);
  g_autofree guint8 *bytes = pattern (48 * 1024, 21);
  g_autoptr(KilnImage) image = image_bin (bytes, 48 * 1024, FLASH);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnArmTarget *target = bench_open (b);
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  const KilnStlinkVersion *version = kiln_stlink_get_version (stlink);
  g_auto(GStrv) costs = kiln_stlink_firmware_costs (version);
  double volts = 0;

  g_assert_cmpstr (kiln_stlink_get_firmware (stlink), ==, c->firmware);
  g_assert_cmpuint (kiln_stlink_get_swd_khz (stlink), ==, c->swd_khz);
  g_assert_cmpuint (g_strv_length (costs), ==, c->n_costs);
  g_assert_true (kiln_stlink_read_voltage (stlink, &volts, &error) == (c->psize_bits == 32));
  if (c->psize_bits == 8)
    {
      g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FIRMWARE_TOO_OLD);
      g_assert_nonnull (strstr (costs[0], "V2J13"));
      g_clear_error (&error);
    }

  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader);
  g_assert_true (result.verified);
  g_assert_cmpuint (8u << result.psize, ==, c->psize_bits);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, 48 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  g_assert_cmpfloat (report_number (json, "flash_units_programmed"), ==, 48 * 1024 / (c->psize_bits / 8));
  kiln_flash_result_clear (&result);
}

/* Firmware before V2J11 (API v1, the first ST-LINK's) is refused when the
 * probe is opened, naming the version it has and the one Kiln needs. */
static void
test_too_old (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Bench) b = bench_new ("[probe]\nmodel = stlink-v2\nfirmware = V2J10S3\n[board]\n");
  g_autoptr(GPtrArray) probes = kiln_usb_list_probes (bench_create (b), &error);
  g_autoptr(KilnUsbDevice) device = NULL;
  g_autoptr(KilnStlink) stlink = NULL;

  g_assert_no_error (error);
  device = kiln_usb_probe_info_open (g_ptr_array_index (probes, 0), &error);
  g_assert_no_error (error);
  stlink = kiln_stlink_open (device, &error);
  g_assert_null (stlink);
  g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FIRMWARE_TOO_OLD);
  g_assert_nonnull (strstr (error->message, "V2J10S3"));
  g_assert_nonnull (strstr (error->message, "V2J11"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/Kiln/Flash/old-probe/%s", cases[i].firmware);

      g_test_add_data_func (name, &cases[i], test_program);
    }
  g_test_add_func ("/Kiln/Flash/old-probe/too-old", test_too_old);
  return g_test_run ();
}
