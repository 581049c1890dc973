/* fuzz-stlink.c — libFuzzer target for what Kiln believes of a probe's
 * answers: a probe that says anything at all drives a whole session
 * (versions, modes, voltage, connect, IDCODE, memory, chip detection)
 *
 * The input is one byte choosing the probe model (and connect under reset
 * in its top bit), then a stream of answers: each a little-endian 16-bit
 * length and that many bytes (fewer when the input runs out); commands the
 * host sends are swallowed. A probe that answers nonsense must give errors,
 * never a crash, a hang or undefined behaviour.
 *
 * With KILN_FUZZ_RECORD=FILE the target first runs the same session against
 * the built-in bench and writes its answers to FILE: that is how the seed in
 * corpus/stlink/ was made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kiln-arm-target.h"
#include "kiln-sim-bench.h"
#include "kiln-stlink.h"
#include "kiln-usb-device.h"
#include "kiln-usb-sim-device.h"

int LLVMFuzzerInitialize    (int            *argc,
                             char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define FUZZ_TYPE_DEVICE (fuzz_device_get_type ())
G_DECLARE_FINAL_TYPE (FuzzDevice, fuzz_device, FUZZ, DEVICE, KilnUsbDevice)

struct _FuzzDevice
{
  KilnUsbDevice  parent_instance;
  const guint8  *data;
  gsize          size;
  gsize          pos;
  KilnUsbDevice *inner;    /* recording: the real answers come from here */
  GByteArray    *record;
};

G_DEFINE_FINAL_TYPE (FuzzDevice, fuzz_device, KILN_TYPE_USB_DEVICE)

static gssize
fuzz_device_transfer (KilnUsbDevice  *device,
                      guint8          endpoint,
                      guint8         *buffer,
                      gsize           length,
                      guint           timeout_ms,
                      GError        **error)
{
  FuzzDevice *self = FUZZ_DEVICE (device);
  gsize n;

  if (self->inner != NULL)
    {
      gssize got = KILN_USB_DEVICE_GET_CLASS (self->inner)->transfer (self->inner, endpoint, buffer, length,
                                                                       timeout_ms, error);
      if (got >= 0 && endpoint == kiln_usb_device_get_in_endpoint (device))
        {
          guint8 len[2] = { (guint8) got, (guint8) (got >> 8) };

          g_byte_array_append (self->record, len, 2);
          g_byte_array_append (self->record, buffer, (guint) got);
        }
      return got;
    }
  if (endpoint == kiln_usb_device_get_out_endpoint (device))
    return (gssize) length;
  if (self->size - self->pos < 2)
    {
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_TIMEOUT, "the fuzz input ran out");
      return -1;
    }
  n = self->data[self->pos] | (gsize) self->data[self->pos + 1] << 8;
  self->pos += 2;
  n = MIN (n, length);
  n = MIN (n, self->size - self->pos);
  memcpy (buffer, self->data + self->pos, n);
  self->pos += n;
  return (gssize) n;
}

static void
fuzz_device_finalize (GObject *object)
{
  FuzzDevice *self = FUZZ_DEVICE (object);

  g_clear_object (&self->inner);
  g_clear_pointer (&self->record, g_byte_array_unref);
  G_OBJECT_CLASS (fuzz_device_parent_class)->finalize (object);
}

static void
fuzz_device_class_init (FuzzDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fuzz_device_finalize;
  KILN_USB_DEVICE_CLASS (klass)->transfer = fuzz_device_transfer;
}

static void
fuzz_device_init (FuzzDevice *self)
{
}

/* A failed call says why; a successful one leaves no error. */
#define CHECK(ok, error) g_assert ((ok) == ((error) == NULL))

static const guint16 pids[] = { 0x3748, 0x374b, 0x374e, 0x374f, 0x3752, 0x3753, 0x3754 };

static void
run_session (FuzzDevice *device,
             gboolean    under_reset)
{
  g_autoptr(KilnStlink) stlink = NULL;
  g_autoptr(KilnArmTarget) target = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buffer[2100];
  double volts = 0;
  guint32 word = 0;
  gboolean ok;

  stlink = kiln_stlink_open (KILN_USB_DEVICE (device), &error);
  g_assert ((stlink == NULL) == (error != NULL));
  if (stlink == NULL)
    return;
  g_assert (kiln_stlink_get_firmware (stlink) != NULL);

  ok = kiln_stlink_read_voltage (stlink, &volts, &error);
  CHECK (ok, error);
  g_clear_error (&error);

  ok = kiln_stlink_connect (stlink, 4000, under_reset, &error);
  CHECK (ok, error);
  if (!ok)
    return;

  /* Odd lengths and alignments, across a 1 KiB boundary. */
  ok = kiln_stlink_read_mem (stlink, 0x200003FD, buffer, 2053, &error);
  CHECK (ok, error);
  g_clear_error (&error);
  memset (buffer, 0x5A, sizeof buffer);
  ok = kiln_stlink_write_mem (stlink, 0x20000003, buffer, 1029, &error);
  CHECK (ok, error);
  g_clear_error (&error);
  ok = kiln_stlink_read32 (stlink, 0xE0042000, &word, &error);
  CHECK (ok, error);
  g_clear_error (&error);

  target = kiln_arm_target_new (stlink);
  ok = kiln_arm_target_detect (target, &error);
  CHECK (ok, error);
  if (ok)
    {
      g_autoptr(GArray) protected = kiln_arm_target_dup_protected (target);

      g_assert (kiln_arm_target_get_chip (target) != NULL);
      g_assert (strlen (kiln_arm_target_get_uid (target)) == 24);
      g_assert (kiln_arm_target_get_rdp_level (target) <= 2);
      for (guint i = 0; i < protected->len; i++)
        g_assert (g_array_index (protected, guint, i) < kiln_chip_get_n_sectors (kiln_arm_target_get_chip (target)));
    }
  kiln_stlink_close (stlink);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  const char *path = g_getenv ("KILN_FUZZ_RECORD");
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(FuzzDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  KilnSimProbe *probe;

  if (path == NULL)
    return 0;
  bench = kiln_sim_bench_new_default ();
  probe = kiln_sim_bench_get_probe (bench, 0);
  device = g_object_new (FUZZ_TYPE_DEVICE, NULL);
  device->inner = kiln_usb_sim_device_new (bench, probe);
  device->record = g_byte_array_new ();
  _kiln_usb_device_set_identity (KILN_USB_DEVICE (device), kiln_usb_device_get_product_id (device->inner), "FUZZ");
  g_byte_array_prepend (device->record, (const guint8 *) "\0", 1);
  run_session (device, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    if (pids[i] == kiln_usb_device_get_product_id (device->inner))
      device->record->data[0] = (guint8) i;
  if (!g_file_set_contents (path, (const char *) device->record->data, device->record->len, &error))
    g_error ("%s", error->message);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(FuzzDevice) device = NULL;

  if (size < 1)
    return 0;
  device = g_object_new (FUZZ_TYPE_DEVICE, NULL);
  _kiln_usb_device_set_identity (KILN_USB_DEVICE (device), pids[data[0] % G_N_ELEMENTS (pids)], "FUZZ");
  device->data = data + 1;
  device->size = size - 1;
  run_session (device, (data[0] & 0x80) != 0);
  return 0;
}
