/* test-stlink-protocol.c — ST-LINK commands byte for byte, answers decoded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>
#include <string.h>

#include "kiln-stlink-protocol.h"

static void
assert_cmd (const KilnStlinkCmd  cmd,
            const guint8        *expect,
            gsize                n)
{
  g_assert_cmpmem (cmd, n, expect, n);
  for (gsize i = n; i < KILN_STLINK_CMD_SIZE; i++)
    g_assert_cmpuint (cmd[i], ==, 0);
}

static void
test_commands (void)
{
  KilnStlinkCmd cmd;

  kiln_stlink_cmd_get_version (cmd);
  assert_cmd (cmd, (const guint8[]) { 0xF1 }, 1);
  kiln_stlink_cmd_enter_swd (cmd);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x30, 0xA3 }, 3);
  kiln_stlink_cmd_dfu_exit (cmd);
  assert_cmd (cmd, (const guint8[]) { 0xF3, 0x07 }, 2);
  kiln_stlink_cmd_swd_set_freq (cmd, 798);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x43, 0x1E, 0x03 }, 4);
  kiln_stlink_cmd_set_com_freq (cmd, 24000);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x61, 0x00, 0x00, 0xC0, 0x5D, 0x00, 0x00 }, 8);
  kiln_stlink_cmd_read_mem32 (cmd, 0x08000400, 0x1800);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x07, 0x00, 0x04, 0x00, 0x08, 0x00, 0x18 }, 8);
  kiln_stlink_cmd_write_mem8 (cmd, 0x20000001, 3);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x0D, 0x01, 0x00, 0x00, 0x20, 0x03, 0x00 }, 8);
  kiln_stlink_cmd_read_mem16 (cmd, 0x200103FE, 0x0402);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x47, 0xFE, 0x03, 0x01, 0x20, 0x02, 0x04 }, 8);
  kiln_stlink_cmd_write_mem16 (cmd, 0x08000002, 2);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x48, 0x02, 0x00, 0x00, 0x08, 0x02, 0x00 }, 8);
  kiln_stlink_cmd_write_debug_reg (cmd, 0xE000EDF0, 0xA05F0003);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x35, 0xF0, 0xED, 0x00, 0xE0, 0x03, 0x00, 0x5F, 0xA0 }, 10);
  kiln_stlink_cmd_last_rw_status (cmd, TRUE);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x3E }, 2);
  kiln_stlink_cmd_last_rw_status (cmd, FALSE);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x3B }, 2);
  kiln_stlink_cmd_drive_nrst (cmd, 0);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x3C, 0x00 }, 3);
  kiln_stlink_cmd_init_ap (cmd, 0);
  assert_cmd (cmd, (const guint8[]) { 0xF2, 0x4B, 0x00 }, 3);
}

static void
test_versions (void)
{
  KilnStlinkVersion v;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  /* V2J34S7 = 0x2887 on PID 0x3748 */
  kiln_stlink_decode_version ((const guint8[]) { 0x28, 0x87, 0x83, 0x04, 0x48, 0x37 }, &v);
  g_assert_cmpuint (v.hw, ==, 2);
  g_assert_cmpuint (v.jtag, ==, 34);
  g_assert_cmpuint (v.swim, ==, 7);
  g_assert_cmphex (v.pid, ==, 0x3748);
  a = kiln_stlink_version_to_string (&v);
  g_assert_cmpstr (a, ==, "V2J34S7");

  /* 0x295A on PID 0x374B is V2J37M26 */
  kiln_stlink_decode_version ((const guint8[]) { 0x29, 0x5A, 0x83, 0x04, 0x4B, 0x37 }, &v);
  b = kiln_stlink_version_to_string (&v);
  g_assert_cmpstr (b, ==, "V2J37M26");

  /* V3: GET_VERSION says V3 only; GET_VERSION_EX has the rest */
  kiln_stlink_decode_version ((const guint8[]) { 0x30, 0x00, 0x83, 0x04, 0x4F, 0x37 }, &v);
  g_assert_cmpuint (v.hw, ==, 3);
  kiln_stlink_decode_version_ex ((const guint8[]) { 3, 0, 7, 2, 0, 0, 0, 0, 0x83, 0x04, 0x4F, 0x37 }, &v);
  c = kiln_stlink_version_to_string (&v);
  g_assert_cmpstr (c, ==, "V3J7M2");
}

static void
test_features (void)
{
  KilnStlinkVersion j24 = { .hw = 2, .jtag = 24, .swim = 4, .pid = 0x3748 };
  KilnStlinkVersion j37 = { .hw = 2, .jtag = 37, .swim = 7, .pid = 0x3748 };
  KilnStlinkVersion v3 = { .hw = 3, .jtag = 7, .msd = 2, .pid = 0x374F };
  g_autofree char *why = NULL;
  g_autofree char *why3 = NULL;

  g_assert_false (kiln_stlink_has_feature (&j24, KILN_STLINK_FEATURE_MEM_16BIT));
  g_assert_true (kiln_stlink_has_feature (&j24, KILN_STLINK_FEATURE_DAP_REG));
  g_assert_true (kiln_stlink_has_feature (&j37, KILN_STLINK_FEATURE_AP_MUST_INIT));
  g_assert_false (kiln_stlink_has_feature (&j24, KILN_STLINK_FEATURE_INIT_AP));
  g_assert_true (kiln_stlink_has_feature (&v3, KILN_STLINK_FEATURE_AP_MUST_INIT));
  g_assert_false (kiln_stlink_has_feature (&v3, KILN_STLINK_FEATURE_SWD_SET_FREQ));

  why = kiln_stlink_feature_missing (&j24, KILN_STLINK_FEATURE_MEM_16BIT);
  g_assert_cmpstr (why, ==, "16-bit memory access needs firmware V2J26 or later; this probe has V2J24S4");
  why3 = kiln_stlink_feature_missing (&v3, KILN_STLINK_FEATURE_SWD_SET_FREQ);
  g_assert_nonnull (strstr (why3, "not available"));
}

/* What older firmware costs, one sentence for each missing feature, oldest
 * first; V3 has everything (its clock is set another way). */
static void
test_costs (void)
{
  static const struct { guint jtag; guint n; const char *first; } cases[] = {
    { 11, 5, "V2J13" }, { 13, 4, "V2J15" }, { 15, 3, "1800 kHz" }, { 22, 2, "V2J24" }, { 24, 1, "V2J26" },
    { 26, 0, NULL }, { 37, 0, NULL },
  };
  KilnStlinkVersion v3 = { .hw = 3, .jtag = 1, .msd = 2, .pid = 0x374F };
  g_auto(GStrv) none = kiln_stlink_firmware_costs (&v3);

  g_assert_cmpuint (g_strv_length (none), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      KilnStlinkVersion v = { .hw = 2, .jtag = cases[i].jtag, .swim = 4, .pid = 0x3748 };
      g_auto(GStrv) costs = kiln_stlink_firmware_costs (&v);

      g_assert_cmpuint (g_strv_length (costs), ==, cases[i].n);
      if (cases[i].first != NULL)
        g_assert_nonnull (strstr (costs[0], cases[i].first));
    }
}

static void
test_voltage_and_divisors (void)
{
  guint khz = 0;

  /* The reference's example: f1 05 00 00 0b 08 00 00 → 3.25 V */
  g_assert_cmpfloat_with_epsilon (kiln_stlink_decode_voltage ((const guint8[]) { 0xF1, 0x05, 0, 0, 0x0B, 0x08, 0, 0 }),
                                  3.25, 0.01);
  g_assert_cmpuint (kiln_stlink_swd_divisor (4000, &khz), ==, 0);
  g_assert_cmpuint (khz, ==, 4000);
  g_assert_cmpuint (kiln_stlink_swd_divisor (2000, &khz), ==, 1);
  g_assert_cmpuint (khz, ==, 1800);
  g_assert_cmpuint (kiln_stlink_swd_divisor (100, &khz), ==, 40);
  g_assert_cmpuint (kiln_stlink_swd_divisor (1, &khz), ==, 798);
  g_assert_cmpuint (khz, ==, 5);
  g_assert_true (kiln_stlink_status_is_wait (0x10));
  g_assert_false (kiln_stlink_status_is_wait (0x11));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Stlink/commands", test_commands);
  g_test_add_func ("/Kiln/Stlink/versions", test_versions);
  g_test_add_func ("/Kiln/Stlink/features", test_features);
  g_test_add_func ("/Kiln/Stlink/costs", test_costs);
  g_test_add_func ("/Kiln/Stlink/voltage-and-divisors", test_voltage_and_divisors);
  return g_test_run ();
}
