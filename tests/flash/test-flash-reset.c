/* test-flash-reset.c — the job's end: the loader that programmed the
 * flash resets the chip itself (its command 4), so that the firmware runs
 * as it would without a debugger (its vector catches off, its interrupts
 * not masked by the debugger), for one write of the host's
 *
 * The firmware here is a vector table whose reset handler is
 * "movs r0, #42; bkpt" in flash: a core that runs it stops on the BKPT
 * with r0 = 42 (halting debug stays enabled after a job).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "flash-bench.h"

#define DHCSR      0xE000EDF0u
#define DEMCR      0xE000EDFCu
#define DFSR       0xE000ED30u
#define S_RESET_ST (1u << 25)
#define S_HALT     (1u << 17)
#define C_MASKINTS (1u << 3)
#define VC_ALL     0x7F1u     /* VC_CORERESET and the fault catches */
#define FLASH_REGS 0x40023C00u

/* 4 KiB of firmware: SP, reset handler at 0x08000008, then pattern. */
static guint8 *
firmware (void)
{
  guint8 *data = pattern (4096, 21);
  static const guint8 head[] = {
    0x00, 0x00, 0x01, 0x20,     /* SP 0x20010000 */
    0x09, 0x00, 0x00, 0x08,     /* reset handler 0x08000008, Thumb */
    0x2A, 0x20, 0x00, 0xBE,     /* movs r0, #42; bkpt */
  };

  memcpy (data, head, sizeof head);
  return data;
}

static guint32
read32 (KilnArmTarget *target,
        guint32        address)
{
  g_autoptr(GError) error = NULL;
  guint32 v = 0;

  g_assert_true (kiln_stlink_read32 (kiln_arm_target_get_stlink (target), address, &v, &error));
  g_assert_no_error (error);
  return v;
}

/* The core ran the firmware from its reset vector to its BKPT. */
static void
assert_firmware_ran (KilnArmTarget *target)
{
  g_autoptr(GError) error = NULL;
  guint32 dhcsr = read32 (target, DHCSR), r0 = 0;

  g_assert_cmphex (dhcsr & (S_RESET_ST | S_HALT), ==, S_RESET_ST | S_HALT);
  g_assert_cmphex (dhcsr & C_MASKINTS, ==, 0);
  g_assert_cmphex (read32 (target, DFSR) & 2, !=, 0);        /* BKPT */
  g_assert_cmphex (read32 (target, DEMCR) & VC_ALL, ==, 0);
  g_assert_true (kiln_arm_read_reg (target, KILN_ARM_REG_R0, &r0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r0, ==, 42);
}

/* A whole job: programmed, verified, and the firmware runs. */
static void
test_job (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = firmware ();
  g_autoptr(KilnImage) image = image_bin (data, 4096, FLASH);
  g_autoptr(GError) error = NULL;
  KilnArmTarget *target = bench_open (b);
  KilnFlashResult result = { 0 };

  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader);
  g_assert_true (result.verified);
  assert_firmware_ran (target);
  kiln_flash_result_clear (&result);
}

/* The loader directly: before a program command went through it does not
 * reset (its reset is in the part that command checks); after one it
 * does, for one command of the host's (its answer included). */
static void
test_loader (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = firmware ();
  g_autoptr(GError) error = NULL;
  KilnArmTarget *target = bench_open (b);
  KilnFlashLoader loader;
  KilnLoaderOp write[] = { { KILN_LOADER_OP_PROGRAM, 0, FLASH, 4096, data, 1 } };
  guint done = 0;
  guint64 before;
  guint32 sr = 0, at = 0;
  gboolean reset = TRUE;

  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  loader.persistent = TRUE;

  /* Started by its code check (a CRC command): no reset yet. */
  g_assert_true (kiln_flash_loader_crc (&loader, NULL, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (loader.running);
  read32 (target, DHCSR);       /* clears S_RESET_ST */
  before = bench_usb_transfers (b);
  g_assert_true (kiln_flash_loader_reset_run (&loader, &reset, &error));
  g_assert_no_error (error);
  g_assert_false (reset);
  g_assert_true (loader.running);
  g_assert_cmpuint (bench_usb_transfers (b), ==, before);
  g_assert_cmphex (read32 (target, DHCSR) & (S_RESET_ST | S_HALT), ==, 0);

  g_assert_true (kiln_flash_loader_program (&loader, FLASH_REGS, KILN_FLASH_PSIZE_X32, write, 1, NULL, NULL, NULL,
                                            &done, &sr, &at, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (done, ==, 1);
  g_assert_true (loader.running);

  before = bench_usb_transfers (b);
  g_assert_true (kiln_flash_loader_reset_run (&loader, &reset, &error));
  g_assert_no_error (error);
  g_assert_true (reset);
  g_assert_false (loader.running);
  /* One write: its command and its status. */
  g_assert_cmpuint (bench_usb_transfers (b), ==, before + 2);
  assert_firmware_ran (target);

  /* Not running any more: asked again, it leaves the reset to the host. */
  g_assert_true (kiln_flash_loader_reset_run (&loader, &reset, &error));
  g_assert_false (reset);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Flash/reset/job", test_job);
  g_test_add_func ("/Kiln/Flash/reset/loader", test_loader);
  return g_test_run ();
}
