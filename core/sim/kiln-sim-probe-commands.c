/* kiln-sim-probe-commands.c — the probe's command set
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One handler per command, found through a table of {opcode, first V2
 * firmware, first V3 firmware, handler}; a command the probe's firmware
 * does not have is answered as the real one answers an unknown command.
 */

#include "config.h"

#include <string.h>

#include "kiln-sim-probe-private.h"

/* ------------------------------------------------------------------ */
/* Responses                                                            */

void
_kiln_sim_probe_reply (KilnSimProbe *self,
                       const guint8 *data,
                       gsize         len)
{
  g_byte_array_append (self->in_queue, data, (guint) len);
  self->report->usb_bytes_in += len;
}

static void
reply_status (KilnSimProbe *self,
              guint8        status)
{
  guint8 r[2] = { status, 0 };

  if (status != STATUS_OK)
    kiln_sim_report_host_error (self->report, status);
  _kiln_sim_probe_reply (self, r, 2);
}

static void
reply_value (KilnSimProbe *self,
             guint8        status,
             guint32       value)
{
  guint8 r[8] = { status, 0, 0, 0 };

  if (status != STATUS_OK)
    kiln_sim_report_host_error (self->report, status);
  put32 (r + 4, value);
  _kiln_sim_probe_reply (self, r, 8);
}

static void
unknown_command (KilnSimProbe *self)
{
  reply_status (self, STATUS_UNKNOWN_CMD);
}

/* ------------------------------------------------------------------ */
/* Commands                                                             */

static const struct { guint16 divisor; guint khz; } v2_divisors[] = {
  { 0, 4000 }, { 1, 1800 }, { 2, 1200 }, { 3, 950 }, { 7, 480 }, { 15, 240 },
  { 31, 125 }, { 40, 100 }, { 79, 50 }, { 158, 25 }, { 265, 15 }, { 798, 5 },
};

static const guint v3_khz[] = { 24000, 8000, 3300, 1000, 200, 50, 5 };

/* A command the firmware does not know, or one it knows with an argument it
 * refuses. */
static void
refuse_command (KilnSimProbe *self)
{
  _kiln_sim_probe_charge_usb (self, 2);
  unknown_command (self);
}

static guint8
write_debug_reg (KilnSimProbe *self,
                 guint32       address,
                 guint32       value)
{
  return _kiln_sim_probe_write_word (self, address, value);
}

static guint8
wait_regrdy (KilnSimProbe *self)
{
  guint32 dhcsr = 0;
  guint8 status = _kiln_sim_probe_read_word (self, 0xE000EDF0, &dhcsr);

  if (status == STATUS_OK && !(dhcsr & (1u << 16)))
    return STATUS_FAULT;
  return status;
}

static guint8
read_core_reg (KilnSimProbe *self,
               guint         sel,
               guint32      *value)
{
  guint8 status = _kiln_sim_probe_write_word (self, 0xE000EDF4, sel);

  if (status == STATUS_OK)
    status = wait_regrdy (self);
  if (status == STATUS_OK)
    status = _kiln_sim_probe_read_word (self, 0xE000EDF8, value);
  return status;
}

static guint8
write_core_reg (KilnSimProbe *self,
                guint         sel,
                guint32       value)
{
  guint8 status = _kiln_sim_probe_write_word (self, 0xE000EDF8, value);

  if (status == STATUS_OK)
    status = _kiln_sim_probe_write_word (self, 0xE000EDF4, sel | (1u << 16));
  if (status == STATUS_OK)
    status = wait_regrdy (self);
  return status;
}

/* Debug commands (DEBUG_COMMAND, then the opcode in the second byte) */

static void
debug_enter (KilnSimProbe *self,
             const guint8 *cmd)
{
  self->mode = MODE_DEBUG;
  memset (self->ap_open, 0, sizeof self->ap_open);
  _kiln_sim_probe_charge_usb (self, 2);
  if (cmd[2] == 0xA3 || cmd[2] == 0x00 || cmd[2] == 0xA4)
    reply_status (self, _kiln_sim_probe_swd_connect (self) ? STATUS_OK : STATUS_GET_IDCODE_ERR);
  else
    reply_status (self, STATUS_UNKNOWN_CMD);
}

/* No answer. */
static void
debug_exit (KilnSimProbe *self,
            const guint8 *cmd)
{
  self->mode = self->model == MODEL_V2 ? MODE_DFU : MODE_MASS;
  self->connected = FALSE;
  _kiln_sim_probe_charge_usb (self, 0);
}

static void
debug_read_idcodes (KilnSimProbe *self,
                    const guint8 *cmd)
{
  guint8 r[12] = { 0 };
  guint32 id = 0;
  Xfer x = self->connected ? _kiln_sim_probe_dp_rw (self, 0x0, FALSE, &id) : XFER_NO_TARGET;

  r[0] = x == XFER_OK ? STATUS_OK : STATUS_GET_IDCODE_ERR;
  put32 (r + 4, id);
  _kiln_sim_probe_charge_usb (self, 12);
  _kiln_sim_probe_reply (self, r, 12);
}

/* READ_IDCODE of API v1. */
static void
debug_read_coreid (KilnSimProbe *self,
                   const guint8 *cmd)
{
  guint32 id = 0;
  guint8 r[4];

  if (self->connected)
    _kiln_sim_probe_dp_rw (self, 0x0, FALSE, &id);
  _kiln_sim_probe_charge_usb (self, 4);
  put32 (r, id);
  _kiln_sim_probe_reply (self, r, 4);
}

static void
debug_readmem_32bit (KilnSimProbe *self,
                     const guint8 *cmd)
{
  _kiln_sim_probe_memory_read_command (self, cmd, 4, TRUE);
}

static void
debug_readmem_8bit (KilnSimProbe *self,
                    const guint8 *cmd)
{
  _kiln_sim_probe_memory_read_command (self, cmd, 1, TRUE);
}

static void
debug_readmem_16bit (KilnSimProbe *self,
                     const guint8 *cmd)
{
  _kiln_sim_probe_memory_read_command (self, cmd, 2, TRUE);
}

static void
debug_readmem_32bit_no_inc (KilnSimProbe *self,
                            const guint8 *cmd)
{
  _kiln_sim_probe_memory_read_command (self, cmd, 4, FALSE);
}

/* The data follows in the OUT phase; no answer. */
static void
debug_writemem (KilnSimProbe *self,
                const guint8 *cmd)
{
  _kiln_sim_probe_memory_write_command (self, cmd);
}

/* The items follow in the OUT phase; no answer. */
static void
debug_rw_misc_out (KilnSimProbe *self,
                   const guint8 *cmd)
{
  _kiln_sim_probe_misc_out_command (self, cmd);
  if (self->out_expected == 0)
    _kiln_sim_probe_misc_out_complete (self);
}

static void
debug_rw_misc_in (KilnSimProbe *self,
                  const guint8 *cmd)
{
  _kiln_sim_probe_charge_usb (self, self->misc_result->len);
  _kiln_sim_probe_reply (self, self->misc_result->data, self->misc_result->len);
}

static void
debug_getlastrwstatus (KilnSimProbe *self,
                       const guint8 *cmd)
{
  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, self->last_status);
}

static void
debug_getlastrwstatus2 (KilnSimProbe *self,
                        const guint8 *cmd)
{
  guint8 r[12] = { self->last_status, 0 };

  if (self->last_status != STATUS_OK)
    kiln_sim_report_host_error (self->report, self->last_status);
  put32 (r + 4, self->last_status == STATUS_OK ? 0 : self->last_fault_address);
  _kiln_sim_probe_charge_usb (self, 12);
  _kiln_sim_probe_reply (self, r, 12);
}

static void
debug_readreg (KilnSimProbe *self,
               const guint8 *cmd)
{
  guint32 v = 0;
  guint8 status = _kiln_sim_probe_check_ap (self, 0);

  if (cmd[2] > 0x1F && !_kiln_sim_probe_fw_at_least (self, 15, 1))
    status = STATUS_FAULT;
  if (status == STATUS_OK)
    status = read_core_reg (self, cmd[2], &v);
  _kiln_sim_probe_charge_usb (self, 8);
  reply_value (self, status, v);
}

static void
debug_writereg (KilnSimProbe *self,
                const guint8 *cmd)
{
  guint8 status = _kiln_sim_probe_check_ap (self, 0);

  if (status == STATUS_OK)
    status = write_core_reg (self, cmd[2], get32 (cmd + 3));
  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, status);
}

static void
debug_readallregs (KilnSimProbe *self,
                   const guint8 *cmd)
{
  static const guint sels[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20 };
  guint8 r[88] = { 0 };
  guint8 status = _kiln_sim_probe_check_ap (self, 0);

  for (guint i = 0; status == STATUS_OK && i < G_N_ELEMENTS (sels); i++)
    {
      guint32 v = 0;

      status = read_core_reg (self, sels[i], &v);
      put32 (r + 4 + 4 * i, v);
    }
  r[0] = status;
  _kiln_sim_probe_charge_usb (self, 88);
  _kiln_sim_probe_reply (self, r, 88);
}

static void
debug_readdebugreg (KilnSimProbe *self,
                    const guint8 *cmd)
{
  guint32 v = 0;
  guint8 status = _kiln_sim_probe_check_ap (self, 0);

  if (status == STATUS_OK)
    status = _kiln_sim_probe_read_word (self, get32 (cmd + 2), &v);
  _kiln_sim_probe_charge_usb (self, 8);
  reply_value (self, status, v);
}

static void
debug_writedebugreg (KilnSimProbe *self,
                     const guint8 *cmd)
{
  guint8 status = _kiln_sim_probe_check_ap (self, 0);

  if (status == STATUS_OK)
    status = write_debug_reg (self, get32 (cmd + 2), get32 (cmd + 6));
  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, status);
}

static void
debug_resetsys (KilnSimProbe *self,
                const guint8 *cmd)
{
  guint8 status = _kiln_sim_probe_check_ap (self, 0);

  if (status == STATUS_OK)
    status = _kiln_sim_probe_write_word (self, 0xE000ED0C, 0x05FA0004);
  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, status);
}

static void
debug_drive_nrst (KilnSimProbe *self,
                  const guint8 *cmd)
{
  _kiln_sim_probe_charge_usb (self, 2);
  if (cmd[2] == 0x00)
    kiln_sim_board_set_nrst (self->board, TRUE);
  else if (cmd[2] == 0x01)
    kiln_sim_board_set_nrst (self->board, FALSE);
  else
    {
      kiln_sim_board_set_nrst (self->board, TRUE);
      kiln_sim_clock_advance (self->clock, 1000000);
      kiln_sim_board_set_nrst (self->board, FALSE);
    }
  reply_status (self, STATUS_OK);
}

static void
debug_getstatus (KilnSimProbe *self,
                 const guint8 *cmd)
{
  guint32 dhcsr = 0;
  guint8 status = self->connected ? _kiln_sim_probe_read_word (self, 0xE000EDF0, &dhcsr) : STATUS_SWD_DP_ERROR;
  guint8 r[2] = { status == STATUS_OK && (dhcsr & (1u << 17)) ? 0x81 : 0x80, 0 };

  _kiln_sim_probe_charge_usb (self, 2);
  _kiln_sim_probe_reply (self, r, 2);
}

/* FORCEDEBUG, RUNCORE and STEPCORE: one write to DHCSR. */
static void
debug_dhcsr_command (KilnSimProbe *self,
                     const guint8 *cmd)
{
  guint32 v = cmd[1] == DEBUG_FORCEDEBUG ? 0xA05F0003 : cmd[1] == DEBUG_RUNCORE ? 0xA05F0001 : 0xA05F0005;
  guint8 status = self->connected ? _kiln_sim_probe_write_word (self, 0xE000EDF0, v) : STATUS_SWD_DP_ERROR;

  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, status);
}

static void
debug_swd_set_freq (KilnSimProbe *self,
                    const guint8 *cmd)
{
  guint16 div = get16 (cmd + 2);
  guint8 status = STATUS_FREQ_UNSUP;

  for (guint i = 0; i < G_N_ELEMENTS (v2_divisors); i++)
    if (v2_divisors[i].divisor == div)
      {
        self->swd_khz = v2_divisors[i].khz;
        status = STATUS_OK;
      }
  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, status);
}

/* Also START_TRACE_RX and STOP_TRACE_RX: accepted, nothing modeled. */
static void
debug_accept (KilnSimProbe *self,
              const guint8 *cmd)
{
  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, STATUS_OK);
}

static void
debug_set_com_freq (KilnSimProbe *self,
                    const guint8 *cmd)
{
  guint32 want = get32 (cmd + 4);
  guint khz = v3_khz[G_N_ELEMENTS (v3_khz) - 1];
  guint8 r[8] = { STATUS_OK, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (v3_khz); i++)
    if (v3_khz[i] <= want)
      {
        khz = v3_khz[i];
        break;
      }
  if (cmd[2] == 0)
    self->swd_khz = khz;
  put32 (r + 4, khz);
  _kiln_sim_probe_charge_usb (self, 8);
  _kiln_sim_probe_reply (self, r, 8);
}

static void
debug_get_com_freq (KilnSimProbe *self,
                    const guint8 *cmd)
{
  guint8 r[52] = { STATUS_OK, 0 };

  put32 (r + 4, self->swd_khz);
  put32 (r + 8, G_N_ELEMENTS (v3_khz));
  for (guint i = 0; i < G_N_ELEMENTS (v3_khz); i++)
    put32 (r + 12 + 4 * i, v3_khz[i]);
  _kiln_sim_probe_charge_usb (self, 52);
  _kiln_sim_probe_reply (self, r, 52);
}

static void
debug_read_dap_reg (KilnSimProbe *self,
                    const guint8 *cmd)
{
  guint16 port = get16 (cmd + 2);
  guint16 reg = get16 (cmd + 4);
  guint32 v = 0;
  Xfer x;

  if (!self->connected)
    x = XFER_NO_TARGET;
  else if (port == 0xFFFF)
    x = _kiln_sim_probe_dp_rw (self, reg & 0xFF, FALSE, &v);
  else
    x = _kiln_sim_probe_ap_rw (self, (guint8) port, reg & 0xFF, FALSE, &v, FALSE);
  _kiln_sim_probe_charge_usb (self, 8);
  reply_value (self, _kiln_sim_probe_xfer_status (x), v);
}

static void
debug_write_dap_reg (KilnSimProbe *self,
                     const guint8 *cmd)
{
  guint16 port = get16 (cmd + 2);
  guint16 reg = get16 (cmd + 4);
  guint32 v = get32 (cmd + 6);
  Xfer x;

  if (!self->connected)
    x = XFER_NO_TARGET;
  else if (port == 0xFFFF)
    x = _kiln_sim_probe_dp_rw (self, reg & 0xFF, TRUE, &v);
  else
    x = _kiln_sim_probe_ap_rw (self, (guint8) port, reg & 0xFF, TRUE, &v, FALSE);
  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, _kiln_sim_probe_xfer_status (x));
}

static void
debug_init_ap (KilnSimProbe *self,
               const guint8 *cmd)
{
  self->ap_open[cmd[2]] = TRUE;
  _kiln_sim_probe_charge_usb (self, 2);
  reply_status (self, STATUS_OK);
}

static void
debug_close_ap_dbg (KilnSimProbe *self,
                    const guint8 *cmd)
{
  self->ap_open[cmd[2]] = FALSE;
  _kiln_sim_probe_charge_usb (self, 2);
  /* J28 answers BAD_AP even when it worked. */
  reply_status (self, self->hw_version < 3 && self->jtag_version == 28 ? STATUS_BAD_AP : STATUS_OK);
}

static void
debug_get_trace_nb (KilnSimProbe *self,
                    const guint8 *cmd)
{
  guint8 r[2] = { 0, 0 };

  _kiln_sim_probe_charge_usb (self, 2);
  _kiln_sim_probe_reply (self, r, 2);
}

/* Commands (the opcode in the first byte) */

static void
get_version (KilnSimProbe *self,
             const guint8 *cmd)
{
  guint16 word;
  guint8 r[6];

  if (self->hw_version >= 3)
    word = (guint16) (self->hw_version << 12);
  else
    word = (guint16) (self->hw_version << 12 | (self->jtag_version & 0x3F) << 6
                      | ((self->model == MODEL_V2 ? self->swim_version : self->msd_version) & 0x3F));
  r[0] = word >> 8;
  r[1] = word & 0xFF;
  r[2] = 0x83;
  r[3] = 0x04;
  r[4] = self->pid & 0xFF;
  r[5] = self->pid >> 8;
  _kiln_sim_probe_charge_usb (self, 6);
  _kiln_sim_probe_reply (self, r, 6);
}

static void
get_version_ex (KilnSimProbe *self,
                const guint8 *cmd)
{
  guint8 r[12] = { 0 };

  r[0] = self->hw_version;
  r[1] = 0;
  r[2] = self->jtag_version;
  r[3] = self->msd_version;
  r[4] = 0;
  r[8] = 0x83;
  r[9] = 0x04;
  r[10] = self->pid & 0xFF;
  r[11] = self->pid >> 8;
  _kiln_sim_probe_charge_usb (self, 12);
  _kiln_sim_probe_reply (self, r, 12);
}

static void
get_current_mode (KilnSimProbe *self,
                  const guint8 *cmd)
{
  guint8 r[2] = { self->mode, 0 };

  _kiln_sim_probe_charge_usb (self, 2);
  _kiln_sim_probe_reply (self, r, 2);
}

/* Only DFU_EXIT is modeled; no answer. */
static void
dfu_command (KilnSimProbe *self,
             const guint8 *cmd)
{
  if (cmd[1] != DFU_EXIT)
    {
      refuse_command (self);
      return;
    }
  self->mode = MODE_MASS;
  _kiln_sim_probe_charge_usb (self, 0);
}

/* Only SWIM_EXIT is modeled; no answer. */
static void
swim_command (KilnSimProbe *self,
              const guint8 *cmd)
{
  if (cmd[1] != SWIM_EXIT)
    {
      refuse_command (self);
      return;
    }
  _kiln_sim_probe_charge_usb (self, 0);
}

static void
get_target_voltage (KilnSimProbe *self,
                    const guint8 *cmd)
{
  guint8 r[8];
  guint32 ref = 1489;
  double v = kiln_sim_board_get_voltage (self->board);
  guint32 half = (guint32) (v * ref / 2.4 + 0.5);

  put32 (r, ref);
  put32 (r + 4, half);
  _kiln_sim_probe_charge_usb (self, 8);
  _kiln_sim_probe_reply (self, r, 8);
}

static void debug_command (KilnSimProbe *self,
                           const guint8 *cmd);

/* The command set. A command exists from the firmware named in its row, for
 * V2 and for V3 probes: ALL in every version, NONE in none, else the first
 * J number that has it (V2J26, V3J1). */

#define ALL  0u
#define NONE G_MAXUINT

typedef void (*CommandHandler) (KilnSimProbe *self,
                                const guint8 *cmd);

typedef struct
{
  guint8         opcode;
  guint          first_v2;
  guint          first_v3;
  CommandHandler handler;
} Command;

static const Command commands[] = {
  { CMD_GET_VERSION,        ALL,  ALL,  get_version },
  { CMD_DEBUG_COMMAND,      ALL,  ALL,  debug_command },
  { CMD_DFU_COMMAND,        ALL,  ALL,  dfu_command },
  { CMD_SWIM_COMMAND,       ALL,  ALL,  swim_command },
  { CMD_GET_CURRENT_MODE,   ALL,  ALL,  get_current_mode },
  { CMD_GET_TARGET_VOLTAGE, 13,   1,    get_target_voltage },
  { CMD_GET_VERSION_EX,     NONE, ALL,  get_version_ex },
};

static const Command debug_commands[] = {
  { DEBUG_GETSTATUS,             ALL,  ALL,  debug_getstatus },
  { DEBUG_FORCEDEBUG,            ALL,  ALL,  debug_dhcsr_command },
  { DEBUG_RESETSYS,              ALL,  ALL,  debug_resetsys },
  { DEBUG_READMEM_32BIT,         ALL,  ALL,  debug_readmem_32bit },
  { DEBUG_WRITEMEM_32BIT,        ALL,  ALL,  debug_writemem },
  { DEBUG_RUNCORE,               ALL,  ALL,  debug_dhcsr_command },
  { DEBUG_STEPCORE,              ALL,  ALL,  debug_dhcsr_command },
  { DEBUG_READMEM_8BIT,          ALL,  ALL,  debug_readmem_8bit },
  { DEBUG_WRITEMEM_8BIT,         ALL,  ALL,  debug_writemem },
  { DEBUG_ENTER,                 ALL,  ALL,  debug_enter },
  { DEBUG_EXIT,                  ALL,  ALL,  debug_exit },
  { DEBUG_READCOREID,            ALL,  ALL,  debug_read_coreid },
  { DEBUG_APIV2_ENTER,           ALL,  ALL,  debug_enter },
  { DEBUG_APIV2_READ_IDCODES,    ALL,  ALL,  debug_read_idcodes },
  { DEBUG_APIV2_RESETSYS,        ALL,  ALL,  debug_resetsys },
  { DEBUG_APIV2_READREG,         ALL,  ALL,  debug_readreg },
  { DEBUG_APIV2_WRITEREG,        ALL,  ALL,  debug_writereg },
  { DEBUG_APIV2_WRITEDEBUGREG,   ALL,  ALL,  debug_writedebugreg },
  { DEBUG_APIV2_READDEBUGREG,    ALL,  ALL,  debug_readdebugreg },
  { DEBUG_APIV2_READALLREGS,     ALL,  ALL,  debug_readallregs },
  { DEBUG_APIV2_GETLASTRWSTATUS, ALL,  ALL,  debug_getlastrwstatus },
  { DEBUG_APIV2_DRIVE_NRST,      ALL,  ALL,  debug_drive_nrst },
  { DEBUG_APIV2_GETLASTRWSTATUS2, 15,  1,    debug_getlastrwstatus2 },
  { DEBUG_APIV2_START_TRACE_RX,  13,   1,    debug_accept },
  { DEBUG_APIV2_STOP_TRACE_RX,   13,   1,    debug_accept },
  { DEBUG_APIV2_GET_TRACE_NB,    13,   1,    debug_get_trace_nb },
  { DEBUG_APIV2_SWD_SET_FREQ,    22,   NONE, debug_swd_set_freq },
  { DEBUG_APIV2_JTAG_SET_FREQ,   24,   NONE, debug_accept },
  { DEBUG_APIV2_READ_DAP_REG,    24,   1,    debug_read_dap_reg },
  { DEBUG_APIV2_WRITE_DAP_REG,   24,   1,    debug_write_dap_reg },
  { DEBUG_APIV2_READMEM_16BIT,   26,   1,    debug_readmem_16bit },
  { DEBUG_APIV2_WRITEMEM_16BIT,  26,   1,    debug_writemem },
  { DEBUG_APIV2_INIT_AP,         28,   2,    debug_init_ap },
  { DEBUG_APIV2_CLOSE_AP_DBG,    28,   2,    debug_close_ap_dbg },
  { DEBUG_WRITEMEM_32BIT_NO_INC, 26,   1,    debug_writemem },
  { DEBUG_RW_MISC_OUT,           32,   2,    debug_rw_misc_out },
  { DEBUG_RW_MISC_IN,            32,   2,    debug_rw_misc_in },
  { DEBUG_READMEM_32BIT_NO_INC,  32,   2,    debug_readmem_32bit_no_inc },
  { DEBUG_APIV3_SET_COM_FREQ,    NONE, ALL,  debug_set_com_freq },
  { DEBUG_APIV3_GET_COM_FREQ,    NONE, ALL,  debug_get_com_freq },
};

static void
dispatch (KilnSimProbe  *self,
          const Command *table,
          gsize          n_entries,
          guint8         opcode,
          const guint8  *cmd)
{
  for (gsize i = 0; i < n_entries; i++)
    if (table[i].opcode == opcode)
      {
        if (!_kiln_sim_probe_fw_at_least (self, table[i].first_v2, table[i].first_v3))
          break;
        table[i].handler (self, cmd);
        return;
      }
  refuse_command (self);
}

static void
debug_command (KilnSimProbe *self,
               const guint8 *cmd)
{
  dispatch (self, debug_commands, G_N_ELEMENTS (debug_commands), cmd[1], cmd);
}

void
_kiln_sim_probe_handle_command (KilnSimProbe *self,
                                const guint8 *cmd)
{
  g_byte_array_set_size (self->in_queue, 0);
  dispatch (self, commands, G_N_ELEMENTS (commands), cmd[0], cmd);
}
