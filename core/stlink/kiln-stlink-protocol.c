/* kiln-stlink-protocol.c
 *
 * Facts: ST has not published the protocol; what is encoded here follows
 * the open-source hosts (OpenOCD's stlink_usb.c, the stlink tools, pyOCD,
 * probe-rs), and tests/peers checks it against OpenOCD, stlink-tools and
 * pyOCD.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-stlink-protocol.h"

static void
put16 (guint8  *p,
       guint16  v)
{
  p[0] = v & 0xFF;
  p[1] = v >> 8;
}

void
kiln_stlink_encode_u32 (guint8  *p,
                        guint32  v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

guint32
kiln_stlink_decode_u32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

void
kiln_stlink_decode_version (const guint8      *a,
                            KilnStlinkVersion *v)
{
  guint16 word = (guint16) (a[0] << 8 | a[1]);

  memset (v, 0, sizeof *v);
  v->hw = word >> 12;
  v->jtag = (word >> 6) & 0x3F;
  v->vid = (guint16) (a[2] | a[3] << 8);
  v->pid = (guint16) (a[4] | a[5] << 8);
  /* The low field is SWIM on V2 probes and mass storage on V2-1. */
  if (v->pid == 0x3748)
    v->swim = word & 0x3F;
  else
    v->msd = word & 0x3F;
}

void
kiln_stlink_decode_version_ex (const guint8      *a,
                               KilnStlinkVersion *v)
{
  v->hw = a[0];
  v->swim = a[1];
  v->jtag = a[2];
  v->msd = a[3];
  v->vid = (guint16) (a[8] | a[9] << 8);
  v->pid = (guint16) (a[10] | a[11] << 8);
}

char *
kiln_stlink_version_to_string (const KilnStlinkVersion *v)
{
  if (v->hw >= 3)
    return g_strdup_printf ("V%uJ%uM%u", v->hw, v->jtag, v->msd);
  if (v->pid == 0x3748)
    return g_strdup_printf ("V%uJ%uS%u", v->hw, v->jtag, v->swim);
  return g_strdup_printf ("V%uJ%uM%u", v->hw, v->jtag, v->msd);
}

double
kiln_stlink_decode_voltage (const guint8 *a)
{
  guint32 ref = kiln_stlink_decode_u32 (a);
  guint32 half = kiln_stlink_decode_u32 (a + 4);

  if (ref == 0)
    return 0.0;
  return 2.0 * 1.2 * half / ref;
}

const char *
kiln_stlink_status_to_string (guint8 status)
{
  switch (status)
    {
    case 0x80: return _("done");
    case 0x81: return _("the command failed");
    case 0x05: return _("no device on the debug port");
    case 0x09: return _("the target's debug port does not answer");
    case 0x0A: return _("the address or length is not aligned");
    case 0x0B: return _("the target's debug power is off");
    case 0x0C: return _("a write failed");
    case 0x0D: return _("a written value read back wrong");
    case 0x0E: return _("the probe is in use in another mode");
    case 0x10: return _("the target kept the memory bus busy (AP wait)");
    case 0x11: return _("the target refused the memory access (bus fault)");
    case 0x12: return _("the memory access failed (AP error)");
    case 0x14: return _("the debug port kept answering wait");
    case 0x15: return _("the debug port refused the access");
    case 0x16: return _("the debug port does not answer");
    case 0x13:
    case 0x17: return _("a parity error on the SWD wires: check the wiring");
    case 0x1D: return _("the access port is not open");
    case 0x41: return _("the probe does not support that clock");
    case 0x42: return _("the probe's firmware does not know that command");
    default:   return _("an unknown status");
    }
}

gboolean
kiln_stlink_status_is_wait (guint8 status)
{
  return status == 0x10 || status == 0x14;
}

/* The first firmware with each feature: V2 J number, V3 J number
 * (G_MAXUINT: never on that hardware; 0: always). */
static const struct
{
  guint v2;
  guint v3;
} feature_table[KILN_STLINK_N_FEATURES] = {
  [KILN_STLINK_FEATURE_TARGET_VOLTAGE] = { 13, 0 },
  [KILN_STLINK_FEATURE_RW_STATUS2] = { 15, 0 },
  [KILN_STLINK_FEATURE_SWD_SET_FREQ] = { 22, G_MAXUINT },
  [KILN_STLINK_FEATURE_DAP_REG] = { 24, 0 },
  [KILN_STLINK_FEATURE_MEM_16BIT] = { 26, 0 },
  [KILN_STLINK_FEATURE_INIT_AP] = { 28, 0 },
  [KILN_STLINK_FEATURE_AP_MUST_INIT] = { 37, 7 },
  [KILN_STLINK_FEATURE_RW_MISC] = { 32, 2 },
};

gboolean
kiln_stlink_has_feature (const KilnStlinkVersion *v,
                         KilnStlinkFeature        feature)
{
  guint first = v->hw >= 3 ? feature_table[feature].v3 : feature_table[feature].v2;

  return first != G_MAXUINT && v->jtag >= first;
}

const char *
kiln_stlink_feature_name (KilnStlinkFeature feature)
{
  switch (feature)
    {
    case KILN_STLINK_FEATURE_TARGET_VOLTAGE: return _("reading the target voltage");
    case KILN_STLINK_FEATURE_RW_STATUS2:     return _("reporting the address of a failed access");
    case KILN_STLINK_FEATURE_SWD_SET_FREQ:   return _("setting the SWD clock");
    case KILN_STLINK_FEATURE_DAP_REG:        return _("direct debug-port register access");
    case KILN_STLINK_FEATURE_MEM_16BIT:      return _("16-bit memory access");
    case KILN_STLINK_FEATURE_INIT_AP:        return _("opening access ports");
    case KILN_STLINK_FEATURE_AP_MUST_INIT:   return _("access ports that must be opened first");
    case KILN_STLINK_FEATURE_RW_MISC:        return _("several register accesses in one round trip");
    default:                                 return "";
    }
}

char *
kiln_stlink_feature_missing (const KilnStlinkVersion *v,
                             KilnStlinkFeature        feature)
{
  g_autofree char *have = kiln_stlink_version_to_string (v);
  guint first = v->hw >= 3 ? feature_table[feature].v3 : feature_table[feature].v2;

  if (first == G_MAXUINT)
    /* Translators: "setting the SWD clock is not available on an ST-LINK/V3 (firmware V3J7M2)" */
    return g_strdup_printf (_("%s is not available on this probe (firmware %s)"),
                            kiln_stlink_feature_name (feature), have);
  /* Translators: "16-bit memory access needs firmware V2J26 or later; this probe has V2J24S4" */
  return g_strdup_printf (_("%s needs firmware V%uJ%u or later; this probe has %s"),
                          kiln_stlink_feature_name (feature), v->hw, first, have);
}

guint16
kiln_stlink_swd_divisor (guint  khz,
                         guint *actual_khz)
{
  static const struct { guint16 divisor; guint khz; } table[] = {
    { 0, 4000 }, { 1, 1800 }, { 2, 1200 }, { 3, 950 }, { 7, 480 }, { 15, 240 },
    { 31, 125 }, { 40, 100 }, { 79, 50 }, { 158, 25 }, { 265, 15 }, { 798, 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      if (table[i].khz <= khz)
        {
          if (actual_khz)
            *actual_khz = table[i].khz;
          return table[i].divisor;
        }
    }
  if (actual_khz)
    *actual_khz = 5;
  return 798;
}

char **
kiln_stlink_firmware_costs (const KilnStlinkVersion *v)
{
  GPtrArray *costs = g_ptr_array_new ();

  if (!kiln_stlink_has_feature (v, KILN_STLINK_FEATURE_TARGET_VOLTAGE))
    g_ptr_array_add (costs, g_strdup_printf (
      /* Translators: %u is a firmware number, e.g. "came with V2J13" */
      _("It cannot measure the target's supply (that came with V2J%u): Kiln cannot check the board's power "
        "and programs flash one byte at a time, the width that is safe at any supply, about four times slower "
        "than at 3.3 V."), feature_table[KILN_STLINK_FEATURE_TARGET_VOLTAGE].v2));
  if (!kiln_stlink_has_feature (v, KILN_STLINK_FEATURE_RW_STATUS2))
    g_ptr_array_add (costs, g_strdup_printf (
      _("It does not report the address of a refused memory access (that came with V2J%u): an error names the "
        "start of the transfer instead."), feature_table[KILN_STLINK_FEATURE_RW_STATUS2].v2));
  if (v->hw < 3 && !kiln_stlink_has_feature (v, KILN_STLINK_FEATURE_SWD_SET_FREQ))
    g_ptr_array_add (costs, g_strdup_printf (
      _("Its SWD clock is fixed at %u kHz (setting it came with V2J%u): a faster clock is not possible, nor a "
        "slower one for long wires."), KILN_STLINK_FIXED_SWD_KHZ, feature_table[KILN_STLINK_FEATURE_SWD_SET_FREQ].v2));
  if (!kiln_stlink_has_feature (v, KILN_STLINK_FEATURE_DAP_REG))
    g_ptr_array_add (costs, g_strdup_printf (
      _("It has no direct debug-port access (that came with V2J%u): Kiln does not need it, but OpenOCD’s "
        "“st-link” driver and pyOCD refuse this probe (OpenOCD’s “hla” driver works)."),
      feature_table[KILN_STLINK_FEATURE_DAP_REG].v2));
  if (!kiln_stlink_has_feature (v, KILN_STLINK_FEATURE_MEM_16BIT))
    g_ptr_array_add (costs, g_strdup_printf (
      _("It has no 16-bit memory access (that came with V2J%u): Kiln writes option bytes and OTP in bytes, and "
        "cannot program flash in halfwords without its loader."), feature_table[KILN_STLINK_FEATURE_MEM_16BIT].v2));
  g_ptr_array_add (costs, NULL);
  return (char **) g_ptr_array_free (costs, FALSE);
}

static void
cmd2 (KilnStlinkCmd cmd,
      guint8        a,
      guint8        b)
{
  memset (cmd, 0, KILN_STLINK_CMD_SIZE);
  cmd[0] = a;
  cmd[1] = b;
}

void kiln_stlink_cmd_get_version (KilnStlinkCmd cmd)        { cmd2 (cmd, 0xF1, 0x00); }
void kiln_stlink_cmd_get_version_ex (KilnStlinkCmd cmd)     { cmd2 (cmd, 0xFB, 0x80); }
void kiln_stlink_cmd_get_current_mode (KilnStlinkCmd cmd)   { cmd2 (cmd, 0xF5, 0x00); }
void kiln_stlink_cmd_dfu_exit (KilnStlinkCmd cmd)           { cmd2 (cmd, 0xF3, 0x07); }
void kiln_stlink_cmd_debug_exit (KilnStlinkCmd cmd)         { cmd2 (cmd, 0xF2, 0x21); }
void kiln_stlink_cmd_get_target_voltage (KilnStlinkCmd cmd) { cmd2 (cmd, 0xF7, 0x00); }
void kiln_stlink_cmd_read_idcodes (KilnStlinkCmd cmd)       { cmd2 (cmd, 0xF2, 0x31); }

void
kiln_stlink_cmd_enter_swd (KilnStlinkCmd cmd)
{
  cmd2 (cmd, 0xF2, 0x30);
  cmd[2] = 0xA3;
}

void
kiln_stlink_cmd_swd_set_freq (KilnStlinkCmd cmd,
                              guint16       divisor)
{
  cmd2 (cmd, 0xF2, 0x43);
  put16 (cmd + 2, divisor);
}

void
kiln_stlink_cmd_set_com_freq (KilnStlinkCmd cmd,
                              guint32       khz)
{
  cmd2 (cmd, 0xF2, 0x61);
  cmd[2] = 0; /* SWD */
  kiln_stlink_encode_u32 (cmd + 4, khz);
}

void
kiln_stlink_cmd_init_ap (KilnStlinkCmd cmd,
                         guint8        ap)
{
  cmd2 (cmd, 0xF2, 0x4B);
  cmd[2] = ap;
}

void
kiln_stlink_cmd_drive_nrst (KilnStlinkCmd cmd,
                            guint8        state)
{
  cmd2 (cmd, 0xF2, 0x3C);
  cmd[2] = state;
}

static void
mem_cmd (KilnStlinkCmd cmd,
         guint8        sub,
         guint32       address,
         guint16       length)
{
  cmd2 (cmd, 0xF2, sub);
  kiln_stlink_encode_u32 (cmd + 2, address);
  put16 (cmd + 6, length);
}

void kiln_stlink_cmd_read_mem32 (KilnStlinkCmd cmd, guint32 address, guint16 length)  { mem_cmd (cmd, 0x07, address, length); }
void kiln_stlink_cmd_write_mem32 (KilnStlinkCmd cmd, guint32 address, guint16 length) { mem_cmd (cmd, 0x08, address, length); }
void kiln_stlink_cmd_read_mem8 (KilnStlinkCmd cmd, guint32 address, guint16 length)   { mem_cmd (cmd, 0x0C, address, length); }
void kiln_stlink_cmd_write_mem8 (KilnStlinkCmd cmd, guint32 address, guint16 length)  { mem_cmd (cmd, 0x0D, address, length); }
void kiln_stlink_cmd_read_mem16 (KilnStlinkCmd cmd, guint32 address, guint16 length)  { mem_cmd (cmd, 0x47, address, length); }
void kiln_stlink_cmd_write_mem16 (KilnStlinkCmd cmd, guint32 address, guint16 length) { mem_cmd (cmd, 0x48, address, length); }

void
kiln_stlink_cmd_last_rw_status (KilnStlinkCmd cmd,
                                gboolean      v2)
{
  cmd2 (cmd, 0xF2, v2 ? 0x3E : 0x3B);
}

void
kiln_stlink_cmd_rw_misc_out (KilnStlinkCmd cmd,
                             guint32       items)
{
  cmd2 (cmd, 0xF2, 0x51);
  kiln_stlink_encode_u32 (cmd + 2, items);
}

void
kiln_stlink_cmd_rw_misc_in (KilnStlinkCmd cmd)
{
  cmd2 (cmd, 0xF2, 0x52);
}

void
kiln_stlink_cmd_read_debug_reg (KilnStlinkCmd cmd,
                                guint32       address)
{
  cmd2 (cmd, 0xF2, 0x36);
  kiln_stlink_encode_u32 (cmd + 2, address);
}

void
kiln_stlink_cmd_write_debug_reg (KilnStlinkCmd cmd,
                                 guint32       address,
                                 guint32       value)
{
  cmd2 (cmd, 0xF2, 0x35);
  kiln_stlink_encode_u32 (cmd + 2, address);
  kiln_stlink_encode_u32 (cmd + 6, value);
}
