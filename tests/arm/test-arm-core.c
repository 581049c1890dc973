/* test-arm-core.c — run control on the virtual bench: halt, step, core
 * registers, routines in RAM run to their breakpoint, faults and timeouts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-sim-bench.h"
#include "kiln-usb-probe-info.h"

#define CODE 0x20000000u
#define STACK 0x20001000u

typedef struct
{
  KilnSimBench  *bench;
  KilnArmTarget *target;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(KilnUsbDevice) device = NULL;
  g_autoptr(KilnStlink) stlink = NULL;
  const char *ini = data ? data : "[probe]\n[board]\n";

  f->bench = kiln_sim_bench_new_from_data (ini, NULL, &error);
  g_assert_no_error (error);
  probes = kiln_usb_list_probes (f->bench, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (probes->len, >=, 1);
  device = kiln_usb_probe_info_open (g_ptr_array_index (probes, 0), &error);
  g_assert_no_error (error);
  stlink = kiln_stlink_open (device, &error);
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  f->target = kiln_arm_target_new (stlink);
  g_assert_true (kiln_arm_target_detect (f->target, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->target);
  g_clear_object (&f->bench);
}

static void
load (Fixture       *f,
      const guint16 *code,
      gsize          n)
{
  g_autoptr(GError) error = NULL;
  guint8 bytes[64];

  g_assert_cmpuint (n * 2, <=, sizeof bytes);
  for (gsize i = 0; i < n; i++)
    {
      bytes[2 * i] = code[i] & 0xFF;
      bytes[2 * i + 1] = code[i] >> 8;
    }
  g_assert_true (kiln_stlink_write_mem (kiln_arm_target_get_stlink (f->target), CODE, bytes, n * 2, &error));
  g_assert_no_error (error);
}

static void
test_halt_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean halted = TRUE;

  g_assert_true (kiln_arm_reset_halt (f->target, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_arm_is_halted (f->target, &halted, &error));
  g_assert_true (halted);

  /* A loop in RAM: running, then halted again where it loops. */
  load (f, (const guint16[]) { 0xE7FE }, 1);
  g_assert_true (kiln_arm_write_reg (f->target, KILN_ARM_REG_PC, CODE, &error));
  g_assert_true (kiln_arm_resume (f->target, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_arm_is_halted (f->target, &halted, &error));
  g_assert_false (halted);
  g_assert_true (kiln_arm_halt (f->target, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_arm_is_halted (f->target, &halted, &error));
  g_assert_true (halted);
}

static void
test_registers (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kiln_arm_halt (f->target, &error));
  g_assert_no_error (error);
  for (guint r = KILN_ARM_REG_R0; r <= KILN_ARM_REG_R12; r++)
    {
      guint32 value = 0;

      g_assert_true (kiln_arm_write_reg (f->target, r, 0x1234567u * (r + 1), &error));
      g_assert_no_error (error);
      g_assert_true (kiln_arm_read_reg (f->target, r, &value, &error));
      g_assert_no_error (error);
      g_assert_cmphex (value, ==, 0x1234567u * (r + 1));
    }
  {
    guint32 pc = 0, sp = 0;

    g_assert_true (kiln_arm_write_reg (f->target, KILN_ARM_REG_PC, 0x20000100, &error));
    g_assert_true (kiln_arm_write_reg (f->target, KILN_ARM_REG_SP, 0x20002000, &error));
    g_assert_true (kiln_arm_read_reg (f->target, KILN_ARM_REG_PC, &pc, &error));
    g_assert_true (kiln_arm_read_reg (f->target, KILN_ARM_REG_SP, &sp, &error));
    g_assert_no_error (error);
    g_assert_cmphex (pc, ==, 0x20000100);
    g_assert_cmphex (sp, ==, 0x20002000);
  }

  /* Registers of a running core cannot be read. */
  load (f, (const guint16[]) { 0xE7FE }, 1);
  g_assert_true (kiln_arm_write_reg (f->target, KILN_ARM_REG_PC, CODE, &error));
  g_assert_true (kiln_arm_resume (f->target, TRUE, &error));
  {
    guint32 v;

    g_assert_false (kiln_arm_read_reg (f->target, KILN_ARM_REG_R0, &v, &error));
    g_assert_error (error, KILN_ARM_ERROR, KILN_ARM_ERROR_NOT_HALTED);
  }
}

static void
test_step (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint32 pc = 0, r0 = 0;

  /* movs r0, #1; adds r0, #2; adds r0, #3; b . */
  load (f, (const guint16[]) { 0x2001, 0x3002, 0x3003, 0xE7FE }, 4);
  g_assert_true (kiln_arm_halt (f->target, &error));
  g_assert_true (kiln_arm_write_reg (f->target, KILN_ARM_REG_PC, CODE, &error));
  g_assert_true (kiln_arm_write_reg (f->target, KILN_ARM_REG_XPSR, 0x01000000, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (kiln_arm_step (f->target, &error));
      g_assert_no_error (error);
    }
  g_assert_true (kiln_arm_read_reg (f->target, KILN_ARM_REG_PC, &pc, &error));
  g_assert_true (kiln_arm_read_reg (f->target, KILN_ARM_REG_R0, &r0, &error));
  g_assert_no_error (error);
  g_assert_cmphex (pc, ==, CODE + 6);
  g_assert_cmpuint (r0, ==, 6);
}

static void
test_run_to_breakpoint (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* r2 = 0; do r2 += r0 while (--r0); r0 = r2; bkpt 0x2A */
  static const guint16 sum[] = { 0x2200, 0x1812, 0x3801, 0xD1FC, 0x4610, 0xBE2A };
  guint32 args[] = { 1000 };
  guint32 result = 0, pc = 0;

  load (f, sum, G_N_ELEMENTS (sum));
  g_assert_true (kiln_arm_run_code (f->target, CODE | 1, STACK, args, 1, 2000, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result, ==, 500500);
  g_assert_true (kiln_arm_read_reg (f->target, KILN_ARM_REG_PC, &pc, &error));
  g_assert_cmphex (pc, ==, CODE + 10);

  /* Again, from a core that has been reset and halted. */
  g_assert_true (kiln_arm_reset_halt (f->target, &error));
  args[0] = 10;
  g_assert_true (kiln_arm_run_code (f->target, CODE | 1, STACK, args, 1, 2000, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result, ==, 55);
}

static guint64
usb_transfers (Fixture *f)
{
  g_autofree char *json = kiln_sim_bench_dup_report_json (f->bench);
  const char *p = strstr (json, "\"usb_transfers\":");

  g_assert_nonnull (p);
  return g_ascii_strtoull (p + strlen ("\"usb_transfers\":"), NULL, 10);
}

/* Starting a routine: the registers, DEMCR and the fault status go in one
 * RW_MISC batch, and DEMCR is not read again while only Kiln's code ran
 * since Kiln wrote it; once the firmware has run, it is. */
static void
test_start_round_trips (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const guint16 sum[] = { 0x2200, 0x1812, 0x3801, 0xD1FC, 0x4610, 0xBE2A };
  KilnStlink *link = kiln_arm_target_get_stlink (f->target);
  guint32 args[] = { 10 }, result = 0, demcr = 0;
  guint64 before;

  load (f, sum, G_N_ELEMENTS (sum));
  before = usb_transfers (f);
  g_assert_true (kiln_arm_reset_halt (f->target, &error));
  g_assert_no_error (error);
  /* The first reset that halts after the connection: DEMCR as identifying
   * the target read it (no read of its own), one batch that resets and
   * reads DHCSR (the core has stopped: no polling), and the write that
   * takes the reset catch off. */
  g_assert_cmpuint (usb_transfers (f) - before, ==, 4 + 2);
  /* Once the firmware ran, DEMCR is read first. */
  g_assert_true (kiln_arm_resume (f->target, FALSE, &error));
  before = usb_transfers (f);
  g_assert_true (kiln_arm_reset_halt (f->target, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usb_transfers (f) - before, ==, 2 + 4 + 2);
  before = usb_transfers (f);
  g_assert_true (kiln_arm_start_code (f->target, CODE | 1, STACK, args, 1, &error));
  g_assert_no_error (error);
  /* The batch (a halt first, so no DHCSR read before it: its command and
   * data, RW_MISC_IN and its answer), and the write that lets the core
   * run: each a command and its answer. */
  g_assert_cmpuint (usb_transfers (f) - before, ==, 4 + 2);
  g_assert_true (kiln_arm_wait_code (f->target, 2000, NULL, &error));
  g_assert_true (kiln_arm_read_reg (f->target, KILN_ARM_REG_R0, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result, ==, 55);
  /* What Kiln keeps is what the core has: fault catches on, reset catch off. */
  g_assert_true (kiln_stlink_read32 (link, 0xE000EDFC, &demcr, &error));
  g_assert_no_error (error);
  g_assert_cmphex (demcr & 0x7F1, ==, 0x7F0);

  /* The firmware ran in between, and still runs: DEMCR is read first, and
   * the batch's first word halts the core. */
  g_assert_true (kiln_arm_resume (f->target, FALSE, &error));
  g_assert_no_error (error);
  before = usb_transfers (f);
  g_assert_true (kiln_arm_start_code (f->target, CODE | 1, STACK, args, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usb_transfers (f) - before, ==, 2 + 4 + 2);
  g_assert_true (kiln_arm_wait_code (f->target, 2000, NULL, &error));
  g_assert_no_error (error);
}

/* A reset for code that starts next keeps its catch (no write to take it
 * off): starting the code takes it off in its batch; else
 * kiln_arm_clear_reset_catch() does, once. */
static void
test_reset_keeps_catch (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const guint16 sum[] = { 0x2200, 0x1812, 0x3801, 0xD1FC, 0x4610, 0xBE2A };
  KilnStlink *link = kiln_arm_target_get_stlink (f->target);
  guint32 args[] = { 10 }, demcr = 0;
  guint64 before;

  load (f, sum, G_N_ELEMENTS (sum));
  for (guint pass = 0; pass < 2; pass++)
    {
      before = usb_transfers (f);
      g_assert_true (kiln_arm_reset_halt_after (f->target, NULL, 0, &error));
      g_assert_no_error (error);
      /* The reset's batch (DEMCR as the connection read it at first,
       * then as Kiln wrote it): no read, and no write after it. */
      g_assert_cmpuint (usb_transfers (f) - before, ==, 4);
      g_assert_true (kiln_stlink_read32 (link, 0xE000EDFC, &demcr, &error));
      g_assert_no_error (error);
      g_assert_cmphex (demcr & 0x7F1, ==, 0x001);
      if (pass == 0)
        {
          before = usb_transfers (f);
          g_assert_true (kiln_arm_start_code (f->target, CODE | 1, STACK, args, 1, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (usb_transfers (f) - before, ==, 4 + 2);
          g_assert_true (kiln_arm_wait_code (f->target, 2000, NULL, &error));
          g_assert_no_error (error);
          g_assert_true (kiln_stlink_read32 (link, 0xE000EDFC, &demcr, &error));
          g_assert_no_error (error);
          g_assert_cmphex (demcr & 0x7F1, ==, 0x7F0);
        }
      else
        {
          g_assert_true (kiln_arm_clear_reset_catch (f->target, &error));
          g_assert_no_error (error);
          g_assert_true (kiln_stlink_read32 (link, 0xE000EDFC, &demcr, &error));
          g_assert_no_error (error);
          g_assert_cmphex (demcr & 0x7F1, ==, 0x000);
          /* Once: nothing left to take off. */
          before = usb_transfers (f);
          g_assert_true (kiln_arm_clear_reset_catch (f->target, &error));
          g_assert_cmpuint (usb_transfers (f) - before, ==, 0);
        }
    }
}

static void
test_fault_bus_error (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* ldr r0, [r1]; bkpt — r1 points nowhere. */
  guint32 args[] = { 0, 0x60000000 };

  load (f, (const guint16[]) { 0x6808, 0xBE00 }, 2);
  g_assert_false (kiln_arm_run_code (f->target, CODE | 1, STACK, args, 2, 2000, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == KILN_ARM_ERROR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "PRECISERR"));
  g_assert_nonnull (strstr (error->message, "0x20000000"));
}

static void
test_fault_undefined (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean halted = FALSE;

  /* nop; udf #0 */
  load (f, (const guint16[]) { 0xBF00, 0xDE00, 0xBE00 }, 3);
  g_assert_false (kiln_arm_run_code (f->target, CODE | 1, STACK, NULL, 0, 2000, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "UNDEFINSTR"));
  g_assert_nonnull (strstr (error->message, "0x20000002"));
  g_assert_true (kiln_arm_is_halted (f->target, &halted, NULL));
  g_assert_true (halted);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean halted = FALSE;
  guint32 result = 0;
  static const guint16 sum[] = { 0x2200, 0x1812, 0x3801, 0xD1FC, 0x4610, 0xBE2A };
  guint32 args[] = { 3 };

  load (f, (const guint16[]) { 0xBF00, 0xE7FE }, 2);
  g_assert_false (kiln_arm_run_code (f->target, CODE | 1, STACK, NULL, 0, 200, NULL, NULL, &error));
  g_assert_error (error, KILN_ARM_ERROR, KILN_ARM_ERROR_TIMEOUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "0x20000002"));
  g_assert_true (kiln_arm_is_halted (f->target, &halted, NULL));
  g_assert_true (halted);
  g_clear_error (&error);

  /* The core is usable afterwards. */
  load (f, sum, G_N_ELEMENTS (sum));
  g_assert_true (kiln_arm_run_code (f->target, CODE | 1, STACK, args, 1, 2000, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result, ==, 6);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean halted = FALSE;

  load (f, (const guint16[]) { 0xE7FE }, 1);
  g_assert_true (kiln_arm_start_code (f->target, CODE | 1, STACK, NULL, 0, &error));
  g_cancellable_cancel (cancellable);
  g_assert_false (kiln_arm_wait_code (f->target, 10000, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (kiln_arm_is_halted (f->target, &halted, NULL));
  g_assert_true (halted);
}

static void
test_watchdog_reset (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* A hardware watchdog runs while the core does; a routine that never
   * reloads it is reset under it, and that is said. */
  g_assert_true (kiln_arm_reset_halt (f->target, &error));
  load (f, (const guint16[]) { 0xE7FE }, 1);
  g_assert_false (kiln_arm_run_code (f->target, CODE | 1, STACK, NULL, 0, 5000, NULL, NULL, &error));
  g_assert_error (error, KILN_ARM_ERROR, KILN_ARM_ERROR_FAULT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "reset"));
}

/* Code whose data went up without a status query starts only when the
 * word written last is there: a stale one leaves the core halted, and
 * says so. */
static void
test_start_checked (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const guint16 sum[] = { 0x2200, 0x1812, 0x3801, 0xD1FC, 0x4610, 0xBE2A };
  KilnStlink *link = kiln_arm_target_get_stlink (f->target);
  guint32 args[] = { 10 }, result = 0, dhcsr = 0;
  guint64 before;

  load (f, sum, G_N_ELEMENTS (sum));
  g_assert_true (kiln_stlink_write32 (link, STACK, 0x600DF00D, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_arm_reset_halt (f->target, &error));
  g_assert_no_error (error);

  /* The word holds something else: not started. */
  g_assert_false (kiln_arm_start_code_checked (f->target, CODE | 1, STACK, args, 1, STACK, 0x600DF00E, &error));
  g_assert_error (error, KILN_ARM_ERROR, KILN_ARM_ERROR_RAM);
  g_assert_nonnull (strstr (error->message, "0x20001000"));
  g_clear_error (&error);
  g_assert_true (kiln_stlink_read32 (link, 0xE000EDF0, &dhcsr, &error));
  g_assert_no_error (error);
  g_assert_cmphex (dhcsr & 0x20000, ==, 0x20000);  /* S_HALT */

  /* It holds what was written: started, in the same round trips as
   * without the check. */
  before = usb_transfers (f);
  g_assert_true (kiln_arm_start_code_checked (f->target, CODE | 1, STACK, args, 1, STACK, 0x600DF00D, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usb_transfers (f) - before, ==, 4 + 2);
  g_assert_true (kiln_arm_wait_code (f->target, 2000, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_arm_read_reg (f->target, KILN_ARM_REG_R0, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result, ==, 55);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn, data) g_test_add (name, Fixture, data, fixture_set_up, fn, fixture_tear_down)
  ADD ("/Kiln/Arm/halt-resume", test_halt_resume, NULL);
  ADD ("/Kiln/Arm/registers", test_registers, NULL);
  ADD ("/Kiln/Arm/step", test_step, NULL);
  ADD ("/Kiln/Arm/run-to-breakpoint", test_run_to_breakpoint, NULL);
  ADD ("/Kiln/Arm/start-round-trips", test_start_round_trips, NULL);
  ADD ("/Kiln/Arm/start-checked", test_start_checked, NULL);
  ADD ("/Kiln/Arm/reset-keeps-catch", test_reset_keeps_catch, NULL);
  ADD ("/Kiln/Arm/fault/bus-error", test_fault_bus_error, NULL);
  ADD ("/Kiln/Arm/fault/undefined", test_fault_undefined, NULL);
  ADD ("/Kiln/Arm/timeout", test_timeout, NULL);
  ADD ("/Kiln/Arm/cancel", test_cancel, NULL);
  ADD ("/Kiln/Arm/watchdog-reset", test_watchdog_reset, "[probe]\n[board]\niwdg-sw = 0\niwdg-timeout-ms = 100\n");
  ADD ("/Kiln/Arm/v3/run-to-breakpoint", test_run_to_breakpoint, "[probe]\nmodel = stlink-v3\n[board]\n");
  ADD ("/Kiln/Arm/v2j24/run-to-breakpoint", test_run_to_breakpoint, "[probe]\nfirmware = V2J24S7\n[board]\n");
#undef ADD

  return g_test_run ();
}
