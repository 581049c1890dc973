/* test-stlink-faults.c — the bench's link faults (core/sim/README.md) as KilnStlink sees them
 *
 * Each fault (unplug, hang, power loss, SWD turned off by the target's
 * firmware) must end the work with its own error, quickly (no waiting on a
 * probe that will never answer), and the next attempt must succeed once the
 * fault is cleared: the probe plugged in again, power back, or a connection
 * under reset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "kiln-sim-probe-private.h"
#include "kiln-stlink.h"
#include "kiln-usb-probe-info.h"

#define DBGMCU_IDCODE 0xE0042000u
#define DHCSR         0xE000EDF0u
#define DEMCR         0xE000EDFCu
#define SERIAL        "KILNFAULT1"

/* A fault must show within this much wall time. */
#define PROMPT_US (3 * G_USEC_PER_SEC)

static char *tmp_dir;
static char *image_path;

typedef struct
{
  KilnSimBench *bench;
  KilnSimProbe *probe;
} Fixture;

typedef struct
{
  const char *probe;   /* more [probe] keys */
  const char *faults;  /* the [faults] group */
} Bench;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const Bench *b = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[probe]\nserial=" SERIAL "\n%s\n[board]\nflash-image=%s\n[faults]\n%s\n",
                                           b->probe, image_path, b->faults);

  f->bench = kiln_sim_bench_new_from_data (text, tmp_dir, &error);
  g_assert_no_error (error);
  f->probe = kiln_sim_bench_get_probe (f->bench, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->bench);
}

/* The probe as the bus lists it now, or NULL. */
static KilnUsbProbeInfo *
find_probe (Fixture *f)
{
  g_autoptr(GPtrArray) probes = kiln_usb_list_probes (f->bench, NULL);

  for (guint i = 0; i < probes->len; i++)
    if (g_strcmp0 (kiln_usb_probe_info_get_serial (g_ptr_array_index (probes, i)), SERIAL) == 0)
      return g_object_ref (g_ptr_array_index (probes, i));
  return NULL;
}

static KilnStlink *
open_probe (Fixture  *f,
            GError  **error)
{
  g_autoptr(KilnUsbProbeInfo) info = find_probe (f);
  g_autoptr(KilnUsbDevice) device = NULL;

  g_assert_nonnull (info);
  device = kiln_usb_probe_info_open (info, error);
  if (device == NULL)
    return NULL;
  return kiln_stlink_open (device, error);
}

/* Reads until something fails; returns the error, within PROMPT_US. */
static GError *
work_until_error (KilnStlink *stlink)
{
  gint64 start = g_get_monotonic_time ();
  GError *error = NULL;
  guint32 v;

  for (guint i = 0; i < 100000; i++)
    {
      if (!kiln_stlink_read32 (stlink, DBGMCU_IDCODE, &v, &error))
        break;
      g_assert_cmphex (v & 0xFFF, ==, 0x449);
    }
  g_assert_nonnull (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, PROMPT_US);
  g_test_message ("error: %s", error->message);
  return error;
}

static void
assert_works (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnStlink) stlink = open_probe (f, &error);
  guint32 v = 0;

  g_assert_no_error (error);
  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_read32 (stlink, DBGMCU_IDCODE, &v, &error));
  g_assert_no_error (error);
  g_assert_cmphex (v & 0xFFF, ==, 0x449);
  kiln_stlink_close (stlink);
}

static void
test_unplug (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnStlink) stlink = open_probe (f, &error);
  g_autoptr(KilnUsbProbeInfo) gone = NULL;

  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&error, g_error_free);
  error = work_until_error (stlink);
  g_assert_error (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED);
  g_clear_object (&stlink);

  /* Off the bus. */
  gone = find_probe (f);
  g_assert_null (gone);

  kiln_sim_probe_plug (f->probe);
  assert_works (f);
}

static void
test_hang (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnStlink) stlink = open_probe (f, &error);
  g_autoptr(KilnUsbProbeInfo) still = NULL;

  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&error, g_error_free);
  error = work_until_error (stlink);
  g_assert_error (error, KILN_USB_ERROR, KILN_USB_ERROR_TIMEOUT);
  g_clear_object (&stlink);

  /* Still on the bus, and still not answering. */
  still = find_probe (f);
  g_assert_nonnull (still);
  g_clear_pointer (&error, g_error_free);
  g_assert_null (open_probe (f, &error));
  g_assert_error (error, KILN_USB_ERROR, KILN_USB_ERROR_TIMEOUT);

  /* Unplugged and plugged in again, it answers. */
  kiln_sim_probe_unplug (f->probe);
  kiln_sim_probe_plug (f->probe);
  assert_works (f);
}

static void
test_power_loss (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnStlink) stlink = open_probe (f, &error);
  double volts = -1;
  guint32 v = 0;

  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&error, g_error_free);
  error = work_until_error (stlink);
  g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET_VOLTAGE);
  g_clear_pointer (&error, g_error_free);
  g_assert_true (kiln_stlink_read_voltage (stlink, &volts, &error));
  g_assert_cmpfloat (volts, <, 0.1);

  /* Connecting again fails the same way while the power is off. */
  g_assert_false (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET_VOLTAGE);
  g_clear_pointer (&error, g_error_free);

  /* Power back: the same session connects again. */
  kiln_sim_board_set_power (kiln_sim_probe_get_board (f->probe), TRUE);
  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_read32 (stlink, DBGMCU_IDCODE, &v, &error));
  g_assert_no_error (error);
  g_assert_cmphex (v & 0xFFF, ==, 0x449);
  kiln_stlink_close (stlink);
}

static void
test_swd_disabled (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnStlink) stlink = open_probe (f, &error);
  gint64 start = g_get_monotonic_time ();
  guint32 v = 0;

  g_assert_no_error (error);
  g_assert_false (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET);
  g_assert_nonnull (strstr (error->message, "connect under reset"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, PROMPT_US);
  g_clear_pointer (&error, g_error_free);

  /* Under reset the pins are SWD again: connect, make the core stop at its
   * reset vector, then let go of reset; the firmware never runs. */
  g_assert_true (kiln_stlink_connect (stlink, 4000, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_write32 (stlink, DHCSR, 0xA05F0003, &error));
  g_assert_true (kiln_stlink_write32 (stlink, DEMCR, 0x00000001, &error));
  g_assert_true (kiln_stlink_set_nrst (stlink, FALSE, &error));
  g_assert_true (kiln_stlink_read32 (stlink, DBGMCU_IDCODE, &v, &error));
  g_assert_no_error (error);
  g_assert_cmphex (v & 0xFFF, ==, 0x449);
  g_assert_true (kiln_stlink_read32 (stlink, DHCSR, &v, &error));
  g_assert_no_error (error);
  g_assert_cmphex (v & 0x00020000, !=, 0); /* S_HALT */
  kiln_stlink_close (stlink);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  /* Initial SP, reset handler at 0x08000008 (Thumb): "b ." */
  static const guint8 image[] = { 0x00, 0x00, 0x05, 0x20, 0x09, 0x00, 0x00, 0x08, 0xFE, 0xE7, 0x00, 0xBF };
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("KILN_SIM");

  tmp_dir = g_dir_make_tmp ("kiln-stlink-faults-XXXXXX", &error);
  g_assert_no_error (error);
  image_path = g_build_filename (tmp_dir, "spin.bin", NULL);
  g_assert_true (g_file_set_contents (image_path, (const char *) image, sizeof image, &error));
  g_assert_no_error (error);

  {
    static const Bench unplug = { "", "usb-disconnect-after-ms=300" };
    static const Bench unplug_v3 = { "model=stlink-v3", "usb-disconnect-after-ms=300" };
    static const Bench hang = { "", "usb-hang-after-ms=300" };
    static const Bench power = { "", "power-loss-after-ms=300" };
    static const Bench swd_off = { "", "swd-disabled-by-firmware=true" };

    g_test_add ("/Kiln/Stlink/faults/unplug", Fixture, &unplug, fixture_set_up, test_unplug, fixture_tear_down);
    g_test_add ("/Kiln/Stlink/faults/unplug-v3", Fixture, &unplug_v3, fixture_set_up, test_unplug, fixture_tear_down);
    g_test_add ("/Kiln/Stlink/faults/hang", Fixture, &hang, fixture_set_up, test_hang, fixture_tear_down);
    g_test_add ("/Kiln/Stlink/faults/power-loss", Fixture, &power, fixture_set_up, test_power_loss, fixture_tear_down);
    g_test_add ("/Kiln/Stlink/faults/swd-disabled-by-firmware", Fixture, &swd_off,
                fixture_set_up, test_swd_disabled, fixture_tear_down);
  }

  status = g_test_run ();
  g_unlink (image_path);
  g_rmdir (tmp_dir);
  g_free (image_path);
  g_free (tmp_dir);
  return status;
}
