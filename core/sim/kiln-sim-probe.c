/* kiln-sim-probe.c — a simulated ST-LINK: USB device, firmware, SWD master
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The probe takes 16-byte command blocks on its OUT endpoint, answers on its
 * IN endpoint, and turns memory and register commands into SWD transfers on
 * the board, charging their time to the clock. Which commands exist, and how
 * large a transfer may be, follows the firmware version it was given.
 */

#include "config.h"

#include <string.h>

#include "kiln-sim-probe-private.h"

#define STATUS_OK             0x80
#define STATUS_FAULT          0x81
#define STATUS_GET_IDCODE_ERR 0x09
#define STATUS_ALIGNMENT      0x0A
#define STATUS_SWD_AP_WAIT    0x10
#define STATUS_SWD_AP_FAULT   0x11
#define STATUS_SWD_AP_ERROR   0x12
#define STATUS_SWD_DP_ERROR   0x16
#define STATUS_BAD_AP         0x1D
#define STATUS_FREQ_UNSUP     0x41
#define STATUS_UNKNOWN_CMD    0x42

#define MODE_DFU   0x00
#define MODE_MASS  0x01
#define MODE_DEBUG 0x02

#define CMD_SIZE 16
#define MAX_RW   6144

/* RW_MISC batches: the most items the firmware's buffer holds. */
#define MISC_MAX_ITEMS_V2 64
#define MISC_MAX_ITEMS_V3 1227

#define MISC_OP_ADDRESS 1
#define MISC_OP_WRITE   2
#define MISC_OP_READ    3
#define MISC_OP_APNUM   5

/* How many SWD WAIT answers the firmware retries before it reports
 * SWD_AP_WAIT to the host. */
#define WAIT_RETRIES 256

typedef enum
{
  MODEL_V2,
  MODEL_V2_1,
  MODEL_V3,
} Model;

struct _KilnSimProbe
{
  GObject        parent_instance;

  KilnSimBoard  *board;
  KilnSimClock  *clock;
  KilnSimReport *report;
  GMutex         mutex;

  Model          model;
  guint16        pid;
  guint          hw_version;   /* 2 or 3 */
  guint          jtag_version;
  guint          swim_version;
  guint          msd_version;
  char          *serial;
  gboolean       binary_serial;
  guint8         bus;
  guint8         address;

  guint8         mode;
  gboolean       connected;    /* SWD entered and the target answered */
  guint          swd_khz;
  guint8         last_status;
  guint32        last_fault_address;
  gboolean       ap_open[256];
  int            configuration;
  gboolean       claimed;

  /* The transaction in progress. */
  GByteArray    *in_queue;
  guint8         pending_cmd[CMD_SIZE];
  gsize          out_expected;
  GByteArray    *out_data;

  /* RW_MISC: the answers of the last batch, fetched with RW_MISC_IN. */
  GByteArray    *misc_result;

  /* Host time between transfers. */
  gint64         last_transfer_end_us;
  gboolean       count_host_gaps;

  /* Faults */
  guint64        disconnect_at;
  guint64        hang_at;
  gboolean       disconnect_armed;
  gboolean       hang_armed;
  gboolean       gone;
  gboolean       hung;
};

G_DEFINE_FINAL_TYPE (KilnSimProbe, kiln_sim_probe, G_TYPE_OBJECT)

static gboolean
fw_at_least (KilnSimProbe *self,
             guint         v2_j,
             guint         v3_j)
{
  if (self->hw_version >= 3)
    return v3_j != G_MAXUINT && self->jtag_version >= v3_j;
  return v2_j != G_MAXUINT && self->jtag_version >= v2_j;
}

static gboolean
high_speed (KilnSimProbe *self)
{
  return self->model == MODEL_V3;
}

static guint
max_packet (KilnSimProbe *self)
{
  return high_speed (self) ? 512 : 64;
}

/* ------------------------------------------------------------------ */
/* Time                                                                 */

static void
charge_usb (KilnSimProbe *self,
            gsize         payload)
{
  if (high_speed (self))
    kiln_sim_clock_advance (self->clock, 200000 + payload * 30 / 1000);
  else
    kiln_sim_clock_advance (self->clock, 1000000 + payload * 1000);
}

static guint64
swd_transfer_ns (KilnSimProbe *self)
{
  return 60ull * 1000000ull / MAX (self->swd_khz, 1u);
}

static void
charge_swd (KilnSimProbe *self,
            guint         transfers)
{
  self->report->swd_transfers += transfers;
  kiln_sim_clock_advance (self->clock, swd_transfer_ns (self) * transfers);
}

/* V3's firmware cannot go below these per memory word, whatever the clock. */
static void
charge_word (KilnSimProbe *self,
             gboolean      write)
{
  guint64 t = swd_transfer_ns (self);

  if (self->model == MODEL_V3)
    t = MAX (t, write ? 4200ull : 6400ull);
  self->report->swd_transfers++;
  kiln_sim_clock_advance (self->clock, t);
}

/* ------------------------------------------------------------------ */
/* SWD operations with the firmware's WAIT handling                     */

typedef enum
{
  XFER_OK,
  XFER_WAIT,
  XFER_FAULT,
  XFER_NO_TARGET,
} Xfer;

static Xfer
retry_wait (KilnSimProbe *self,
            guint64       ready_at,
            guint        *retries)
{
  guint64 t = swd_transfer_ns (self);
  guint64 now = self->clock->now_ns;
  guint64 needed = ready_at > now ? (ready_at - now + t - 1) / t : 1;

  if (*retries + needed > WAIT_RETRIES)
    {
      charge_swd (self, WAIT_RETRIES - *retries);
      *retries = WAIT_RETRIES;
      return XFER_WAIT;
    }
  *retries += (guint) needed;
  charge_swd (self, (guint) needed);
  return XFER_OK;
}

static Xfer
ack_to_xfer (KilnSimAck ack)
{
  switch (ack)
    {
    case KILN_SIM_ACK_OK:    return XFER_OK;
    case KILN_SIM_ACK_WAIT:  return XFER_WAIT;
    case KILN_SIM_ACK_FAULT: return XFER_FAULT;
    case KILN_SIM_ACK_NONE:
    default:                 return XFER_NO_TARGET;
    }
}

static Xfer
ap_rw (KilnSimProbe *self,
       guint8        apsel,
       guint8        reg,
       gboolean      write,
       guint32      *value,
       gboolean      data_word)
{
  guint retries = 0;

  for (;;)
    {
      guint64 ready = 0;
      KilnSimAck ack;

      if (data_word)
        charge_word (self, write);
      else
        charge_swd (self, 1);

      if (write)
        ack = kiln_sim_board_ap_write (self->board, apsel, reg, *value, &ready);
      else
        ack = kiln_sim_board_ap_read (self->board, apsel, reg, value, &ready);

      if (ack != KILN_SIM_ACK_WAIT)
        return ack_to_xfer (ack);
      if (retry_wait (self, ready, &retries) == XFER_WAIT)
        return XFER_WAIT;
    }
}

static Xfer
dp_rw (KilnSimProbe *self,
       guint8        reg,
       gboolean      write,
       guint32      *value)
{
  guint64 ready = 0;
  KilnSimAck ack;

  charge_swd (self, 1);
  if (write)
    ack = kiln_sim_board_dp_write (self->board, reg, *value, &ready);
  else
    ack = kiln_sim_board_dp_read (self->board, reg, value, &ready);
  return ack_to_xfer (ack);
}

static guint8
xfer_status (Xfer x)
{
  switch (x)
    {
    case XFER_OK:        return STATUS_OK;
    case XFER_WAIT:      return STATUS_SWD_AP_WAIT;
    case XFER_FAULT:     return STATUS_SWD_AP_FAULT;
    case XFER_NO_TARGET:
    default:             return STATUS_SWD_DP_ERROR;
    }
}

/* After a fault the firmware clears the sticky flags so the next command can
 * go on. */
static void
clear_sticky (KilnSimProbe *self)
{
  guint32 abort = 0x1E;

  dp_rw (self, 0x0, TRUE, &abort);
}

/* Firmware from V2J37/V3J7 wants INIT_AP before an AP is used, but opens
 * AP 0 by itself when the ROM table behind it names ST as its designer
 * (JEP106 0x20): st-flash 1.7 never sends INIT_AP and works on those
 * probes with STM32 targets, while non-ST targets answer BAD_AP (pyOCD
 * issue 918). The probe reads the table as any host would. */
static void
open_st_ap (KilnSimProbe *self)
{
  guint32 csw = 0x23000002, base = 0, pidr1 = 0, pidr2 = 0, a;

  if (!fw_at_least (self, 37, 7))
    return;
  if (ap_rw (self, 0, 0xF8, FALSE, &base, FALSE) != XFER_OK || (base & 3) != 3)
    return;
  base &= ~0xFFFu;
  if (ap_rw (self, 0, 0x00, TRUE, &csw, FALSE) != XFER_OK)
    return;
  a = base + 0xFE4;
  if (ap_rw (self, 0, 0x04, TRUE, &a, FALSE) != XFER_OK || ap_rw (self, 0, 0x0C, FALSE, &pidr1, TRUE) != XFER_OK)
    return;
  a = base + 0xFE8;
  if (ap_rw (self, 0, 0x04, TRUE, &a, FALSE) != XFER_OK || ap_rw (self, 0, 0x0C, FALSE, &pidr2, TRUE) != XFER_OK)
    return;
  /* JEP106 identity code: PIDR1[7:4] and PIDR2[2:0]; PIDR2[3] says it is used. */
  if ((pidr2 & 0x8) && ((((pidr1 >> 4) & 0xF) | ((pidr2 & 0x7) << 4)) == 0x20))
    self->ap_open[0] = TRUE;
}

static gboolean
swd_connect (KilnSimProbe *self)
{
  guint32 id = 0, ctrl;

  kiln_sim_board_swd_line_reset (self->board);
  charge_swd (self, 2);
  if (dp_rw (self, 0x0, FALSE, &id) != XFER_OK)
    {
      self->connected = FALSE;
      return FALSE;
    }
  clear_sticky (self);
  ctrl = 0x50000000;
  dp_rw (self, 0x4, TRUE, &ctrl);
  dp_rw (self, 0x4, FALSE, &ctrl);
  self->connected = TRUE;
  open_st_ap (self);
  return TRUE;
}

static guint8
check_ap (KilnSimProbe *self,
          guint8        apsel)
{
  if (!self->connected)
    return STATUS_SWD_DP_ERROR;
  /* From V2J37 / V3J7 an AP must be opened with INIT_AP first. */
  if (fw_at_least (self, 37, 7) && !self->ap_open[apsel])
    return STATUS_BAD_AP;
  return STATUS_OK;
}

/* A memory transfer of @len bytes in units of @size through AP @apsel. */
static guint8
mem_transfer (KilnSimProbe *self,
              gboolean      write,
              guint32       address,
              guint8       *buf,
              gsize         len,
              guint         size,
              gboolean      increment,
              guint8        apsel)
{
  guint32 csw = (size == 1 ? 0 : size == 2 ? 1 : 2) | (increment ? 0x10 : 0) | 0x23000000;
  guint8 status = check_ap (self, apsel);
  Xfer x;

  if (status != STATUS_OK)
    return status;
  if ((address & (size - 1)) || (len % size))
    return STATUS_ALIGNMENT;

  x = ap_rw (self, apsel, 0x00, TRUE, &csw, FALSE);
  if (x == XFER_OK)
    x = ap_rw (self, apsel, 0x04, TRUE, &address, FALSE);

  for (gsize i = 0; x == XFER_OK && i < len; i += size)
    {
      guint32 a = increment ? address + (guint32) i : address;
      guint32 lane = (a & 3) * 8;
      guint32 v = 0;

      /* The AP's TAR only counts within 1 KiB: the firmware reloads it at
       * each boundary (st-flash streams 32 KiB in one command). */
      if (increment && i > 0 && (a & 0x3FF) == 0)
        x = ap_rw (self, apsel, 0x04, TRUE, &a, FALSE);
      if (x != XFER_OK)
        break;

      if (write)
        {
          for (guint b = 0; b < size; b++)
            v |= (guint32) buf[i + b] << (8 * b);
          v <<= lane;
          x = ap_rw (self, apsel, 0x0C, TRUE, &v, TRUE);
        }
      else
        {
          x = ap_rw (self, apsel, 0x0C, FALSE, &v, TRUE);
          v >>= lane;
          for (guint b = 0; b < size; b++)
            buf[i + b] = (guint8) (v >> (8 * b));
        }
      if (x != XFER_OK)
        self->last_fault_address = a;
    }

  if (x == XFER_FAULT)
    clear_sticky (self);
  return xfer_status (x);
}

static guint8
read_word (KilnSimProbe *self,
           guint32       address,
           guint32      *value)
{
  guint8 buf[4] = { 0 };
  guint8 status = mem_transfer (self, FALSE, address, buf, 4, 4, TRUE, 0);

  *value = (guint32) buf[0] | (guint32) buf[1] << 8 | (guint32) buf[2] << 16 | (guint32) buf[3] << 24;
  return status;
}

static guint8
write_word (KilnSimProbe *self,
            guint32       address,
            guint32       value)
{
  guint8 buf[4] = { value, value >> 8, value >> 16, value >> 24 };

  return mem_transfer (self, TRUE, address, buf, 4, 4, TRUE, 0);
}

/* ------------------------------------------------------------------ */
/* Responses                                                            */

static void
reply (KilnSimProbe *self,
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
  reply (self, r, 2);
}

static void
put32 (guint8  *p,
       guint32  v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

static guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint16
get16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
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
  reply (self, r, 8);
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

static void
memory_read_command (KilnSimProbe *self,
                     const guint8 *cmd,
                     guint         size,
                     gboolean      increment)
{
  guint32 address = get32 (cmd + 2);
  guint16 len = get16 (cmd + 6);
  guint8 apsel = cmd[8];
  gsize max = size == 1 ? (fw_at_least (self, G_MAXUINT, 6) ? 512 : 64) : MAX_RW;
  gsize out_len = len;
  g_autofree guint8 *buf = NULL;

  if ((apsel != 0 || (cmd[9] | cmd[10] | cmd[11]) != 0) && !fw_at_least (self, 32, 2))
    apsel = 0; /* older firmware ignores the AP and CSW fields */

  if (size == 1 && len == 1)
    out_len = 2; /* one byte comes back as two */
  buf = g_malloc0 (MAX (out_len, 1));

  if (len > max)
    {
      /* Past the firmware's buffer: what comes back is garbage. */
      self->last_status = STATUS_FAULT;
      reply (self, buf, out_len);
      return;
    }

  self->last_status = mem_transfer (self, FALSE, address, buf, len, size, increment, apsel);
  charge_usb (self, out_len);
  reply (self, buf, out_len);
}

static void
memory_write_command (KilnSimProbe *self,
                      const guint8 *cmd)
{
  guint16 len = get16 (cmd + 6);

  memcpy (self->pending_cmd, cmd, CMD_SIZE);
  self->out_expected = len;
  g_byte_array_set_size (self->out_data, 0);
  if (len == 0)
    self->last_status = STATUS_OK;
}

/* RW_MISC_OUT: a batch of single-word AP operations. The data phase holds
 * one opcode byte per item (padded to 4 bytes), then one 32-bit operand per
 * item; RW_MISC_IN then returns one 32-bit value per item followed by one
 * 32-bit status per item. */
static guint32
misc_items (const guint8 *cmd)
{
  return get32 (cmd + 2);
}

static gsize
misc_out_length (guint32 items)
{
  return (gsize) ((items + 3) & ~3u) + 4 * (gsize) items;
}

static void
misc_out_command (KilnSimProbe *self,
                  const guint8 *cmd)
{
  guint32 items = misc_items (cmd);

  memcpy (self->pending_cmd, cmd, CMD_SIZE);
  g_byte_array_set_size (self->out_data, 0);
  g_byte_array_set_size (self->misc_result, 0);
  self->out_expected = items <= 0xFFFF ? misc_out_length (items) : 0;
}

static void
misc_out_complete (KilnSimProbe *self)
{
  guint32 items = misc_items (self->pending_cmd);
  guint32 max = self->hw_version >= 3 ? MISC_MAX_ITEMS_V3 : MISC_MAX_ITEMS_V2;
  const guint8 *ops = self->out_data->data;
  const guint8 *operands = ops + ((items + 3) & ~3u);
  guint8 apsel = 0;
  guint32 address = 0;

  charge_usb (self, misc_out_length (items));
  self->out_expected = 0;
  g_byte_array_set_size (self->misc_result, 8 * items);
  memset (self->misc_result->data, 0, 8 * items);
  if (items > max)
    kiln_sim_report_violation (self->report, "RW_MISC batch of %u items, the firmware holds %u", items, max);

  for (guint32 i = 0; i < items; i++)
    {
      guint32 operand = get32 (operands + 4 * i);
      guint32 value = 0;
      guint8 status;

      if (i >= max)
        status = STATUS_FAULT;
      else
        switch (ops[i])
          {
          case MISC_OP_APNUM:
            apsel = (guint8) operand;
            status = check_ap (self, apsel);
            break;
          case MISC_OP_ADDRESS:
            address = operand;
            status = STATUS_OK;
            break;
          case MISC_OP_WRITE:
            {
              guint8 buf[4] = { operand, operand >> 8, operand >> 16, operand >> 24 };

              status = mem_transfer (self, TRUE, address, buf, 4, 4, TRUE, apsel);
              address += 4;
            }
            break;
          case MISC_OP_READ:
            {
              guint8 buf[4] = { 0 };

              status = mem_transfer (self, FALSE, operand, buf, 4, 4, TRUE, apsel);
              value = get32 (buf);
            }
            break;
          default:
            status = STATUS_UNKNOWN_CMD;
            break;
          }
      if (status != STATUS_OK)
        kiln_sim_report_host_error (self->report, status);
      put32 (self->misc_result->data + 4 * i, value);
      put32 (self->misc_result->data + 4 * items + 4 * i, status);
    }
}

static void
memory_write_complete (KilnSimProbe *self)
{
  const guint8 *cmd = self->pending_cmd;
  guint32 address = get32 (cmd + 2);
  guint16 len = get16 (cmd + 6);
  guint8 apsel = fw_at_least (self, 32, 2) ? cmd[8] : 0;
  guint size;
  gboolean increment = TRUE;

  switch (cmd[1])
    {
    case 0x0D: size = 1; break;
    case 0x48: size = 2; break;
    case 0x50: size = 4; increment = FALSE; break;
    case 0x08:
    default:   size = 4; break;
    }

  charge_usb (self, len);
  /* Writes stream from USB to the wire: st-flash sends 32 KiB at once and
   * real probes take it. Only 8-bit writes are bounded by the firmware. */
  if (size == 1 && len > (fw_at_least (self, G_MAXUINT, 6) ? 512u : 64u))
    self->last_status = STATUS_FAULT;
  else
    self->last_status = mem_transfer (self, TRUE, address, self->out_data->data, len, size, increment, apsel);
  self->out_expected = 0;
}

static void
data_out_complete (KilnSimProbe *self)
{
  if (self->pending_cmd[0] == 0xF2 && self->pending_cmd[1] == 0x51)
    misc_out_complete (self);
  else
    memory_write_complete (self);
}

static guint8
write_debug_reg (KilnSimProbe *self,
                 guint32       address,
                 guint32       value)
{
  return write_word (self, address, value);
}

static guint8
wait_regrdy (KilnSimProbe *self)
{
  guint32 dhcsr = 0;
  guint8 status = read_word (self, 0xE000EDF0, &dhcsr);

  if (status == STATUS_OK && !(dhcsr & (1u << 16)))
    return STATUS_FAULT;
  return status;
}

static guint8
read_core_reg (KilnSimProbe *self,
               guint         sel,
               guint32      *value)
{
  guint8 status = write_word (self, 0xE000EDF4, sel);

  if (status == STATUS_OK)
    status = wait_regrdy (self);
  if (status == STATUS_OK)
    status = read_word (self, 0xE000EDF8, value);
  return status;
}

static guint8
write_core_reg (KilnSimProbe *self,
                guint         sel,
                guint32       value)
{
  guint8 status = write_word (self, 0xE000EDF8, value);

  if (status == STATUS_OK)
    status = write_word (self, 0xE000EDF4, sel | (1u << 16));
  if (status == STATUS_OK)
    status = wait_regrdy (self);
  return status;
}

static void
debug_command (KilnSimProbe *self,
               const guint8 *cmd)
{
  guint8 sub = cmd[1];

  switch (sub)
    {
    case 0x30: /* APIV2_ENTER */
    case 0x20: /* API v1 enter */
      self->mode = MODE_DEBUG;
      memset (self->ap_open, 0, sizeof self->ap_open);
      charge_usb (self, 2);
      if (cmd[2] == 0xA3 || cmd[2] == 0x00 || cmd[2] == 0xA4)
        reply_status (self, swd_connect (self) ? STATUS_OK : STATUS_GET_IDCODE_ERR);
      else
        reply_status (self, STATUS_UNKNOWN_CMD);
      return;

    case 0x21: /* EXIT: no answer */
      self->mode = self->model == MODEL_V2 ? MODE_DFU : MODE_MASS;
      self->connected = FALSE;
      charge_usb (self, 0);
      return;

    case 0x31: /* READ_IDCODES */
      {
        guint8 r[12] = { 0 };
        guint32 id = 0;
        Xfer x = self->connected ? dp_rw (self, 0x0, FALSE, &id) : XFER_NO_TARGET;

        r[0] = x == XFER_OK ? STATUS_OK : STATUS_GET_IDCODE_ERR;
        put32 (r + 4, id);
        charge_usb (self, 12);
        reply (self, r, 12);
      }
      return;

    case 0x22: /* READ_IDCODE (API v1) */
      {
        guint32 id = 0;

        if (self->connected)
          dp_rw (self, 0x0, FALSE, &id);
        charge_usb (self, 4);
        {
          guint8 r[4];

          put32 (r, id);
          reply (self, r, 4);
        }
      }
      return;

    case 0x07: memory_read_command (self, cmd, 4, TRUE); return;
    case 0x0C: memory_read_command (self, cmd, 1, TRUE); return;
    case 0x47:
      if (!fw_at_least (self, 26, 1))
        break;
      memory_read_command (self, cmd, 2, TRUE);
      return;
    case 0x54:
      if (!fw_at_least (self, 32, 2))
        break;
      memory_read_command (self, cmd, 4, FALSE);
      return;

    case 0x08:
    case 0x0D:
      memory_write_command (self, cmd);
      return;
    case 0x48:
    case 0x50:
      if (!fw_at_least (self, 26, 1))
        break;
      memory_write_command (self, cmd);
      return;

    case 0x51: /* RW_MISC_OUT (J32+ / V3J2+): no answer */
      if (!fw_at_least (self, 32, 2))
        break;
      misc_out_command (self, cmd);
      if (self->out_expected == 0)
        misc_out_complete (self);
      return;

    case 0x52: /* RW_MISC_IN */
      if (!fw_at_least (self, 32, 2))
        break;
      charge_usb (self, self->misc_result->len);
      reply (self, self->misc_result->data, self->misc_result->len);
      return;

    case 0x3B: /* GETLASTRWSTATUS */
      charge_usb (self, 2);
      reply_status (self, self->last_status);
      return;

    case 0x3E: /* GETLASTRWSTATUS2 */
      if (!fw_at_least (self, 15, 1))
        break;
      {
        guint8 r[12] = { self->last_status, 0 };

        if (self->last_status != STATUS_OK)
          kiln_sim_report_host_error (self->report, self->last_status);
        put32 (r + 4, self->last_status == STATUS_OK ? 0 : self->last_fault_address);
        charge_usb (self, 12);
        reply (self, r, 12);
      }
      return;

    case 0x33: /* APIV2_READREG */
      {
        guint32 v = 0;
        guint8 status = check_ap (self, 0);

        if (cmd[2] > 0x1F && !fw_at_least (self, 15, 1))
          status = STATUS_FAULT;
        if (status == STATUS_OK)
          status = read_core_reg (self, cmd[2], &v);
        charge_usb (self, 8);
        reply_value (self, status, v);
      }
      return;

    case 0x34: /* APIV2_WRITEREG */
      {
        guint8 status = check_ap (self, 0);

        if (status == STATUS_OK)
          status = write_core_reg (self, cmd[2], get32 (cmd + 3));
        charge_usb (self, 2);
        reply_status (self, status);
      }
      return;

    case 0x3A: /* APIV2_READALLREGS */
      {
        guint8 r[88] = { 0 };
        guint8 status = check_ap (self, 0);
        static const guint sels[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20 };

        for (guint i = 0; status == STATUS_OK && i < G_N_ELEMENTS (sels); i++)
          {
            guint32 v = 0;

            status = read_core_reg (self, sels[i], &v);
            put32 (r + 4 + 4 * i, v);
          }
        r[0] = status;
        charge_usb (self, 88);
        reply (self, r, 88);
      }
      return;

    case 0x36: /* READDEBUGREG */
      {
        guint32 v = 0;
        guint8 status = check_ap (self, 0);

        if (status == STATUS_OK)
          status = read_word (self, get32 (cmd + 2), &v);
        charge_usb (self, 8);
        reply_value (self, status, v);
      }
      return;

    case 0x35: /* WRITEDEBUGREG */
      {
        guint8 status = check_ap (self, 0);

        if (status == STATUS_OK)
          status = write_debug_reg (self, get32 (cmd + 2), get32 (cmd + 6));
        charge_usb (self, 2);
        reply_status (self, status);
      }
      return;

    case 0x32: /* APIV2_RESETSYS */
    case 0x03: /* RESETSYS (API v1) */
      {
        guint8 status = check_ap (self, 0);

        if (status == STATUS_OK)
          status = write_word (self, 0xE000ED0C, 0x05FA0004);
        charge_usb (self, 2);
        reply_status (self, status);
      }
      return;

    case 0x3C: /* DRIVE_NRST */
      charge_usb (self, 2);
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
      return;

    case 0x01: /* GETSTATUS (API v1) */
      {
        guint32 dhcsr = 0;
        guint8 status = self->connected ? read_word (self, 0xE000EDF0, &dhcsr) : STATUS_SWD_DP_ERROR;
        guint8 r[2] = { status == STATUS_OK && (dhcsr & (1u << 17)) ? 0x81 : 0x80, 0 };

        charge_usb (self, 2);
        reply (self, r, 2);
      }
      return;

    case 0x02: /* FORCEDEBUG */
    case 0x09: /* RUNCORE */
    case 0x0A: /* STEPCORE */
      {
        guint32 v = sub == 0x02 ? 0xA05F0003 : sub == 0x09 ? 0xA05F0001 : 0xA05F0005;
        guint8 status = self->connected ? write_word (self, 0xE000EDF0, v) : STATUS_SWD_DP_ERROR;

        charge_usb (self, 2);
        reply_status (self, status);
      }
      return;

    case 0x43: /* SWD_SET_FREQ (V2, J22+) */
      if (self->hw_version >= 3 || !fw_at_least (self, 22, G_MAXUINT))
        break;
      {
        guint16 div = get16 (cmd + 2);
        guint8 status = STATUS_FREQ_UNSUP;

        for (guint i = 0; i < G_N_ELEMENTS (v2_divisors); i++)
          if (v2_divisors[i].divisor == div)
            {
              self->swd_khz = v2_divisors[i].khz;
              status = STATUS_OK;
            }
        charge_usb (self, 2);
        reply_status (self, status);
      }
      return;

    case 0x44: /* JTAG_SET_FREQ (V2, J24+) */
      if (self->hw_version >= 3 || !fw_at_least (self, 24, G_MAXUINT))
        break;
      charge_usb (self, 2);
      reply_status (self, STATUS_OK);
      return;

    case 0x61: /* SET_COM_FREQ (V3) */
      if (self->hw_version < 3)
        break;
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
        charge_usb (self, 8);
        reply (self, r, 8);
      }
      return;

    case 0x62: /* GET_COM_FREQ (V3) */
      if (self->hw_version < 3)
        break;
      {
        guint8 r[52] = { STATUS_OK, 0 };

        put32 (r + 4, self->swd_khz);
        put32 (r + 8, G_N_ELEMENTS (v3_khz));
        for (guint i = 0; i < G_N_ELEMENTS (v3_khz); i++)
          put32 (r + 12 + 4 * i, v3_khz[i]);
        charge_usb (self, 52);
        reply (self, r, 52);
      }
      return;

    case 0x45: /* READ_DAP_REG (J24+) */
      if (!fw_at_least (self, 24, 1))
        break;
      {
        guint16 port = get16 (cmd + 2);
        guint16 reg = get16 (cmd + 4);
        guint32 v = 0;
        Xfer x;

        if (!self->connected)
          x = XFER_NO_TARGET;
        else if (port == 0xFFFF)
          x = dp_rw (self, reg & 0xFF, FALSE, &v);
        else
          x = ap_rw (self, (guint8) port, reg & 0xFF, FALSE, &v, FALSE);
        charge_usb (self, 8);
        reply_value (self, xfer_status (x), v);
      }
      return;

    case 0x46: /* WRITE_DAP_REG (J24+) */
      if (!fw_at_least (self, 24, 1))
        break;
      {
        guint16 port = get16 (cmd + 2);
        guint16 reg = get16 (cmd + 4);
        guint32 v = get32 (cmd + 6);
        Xfer x;

        if (!self->connected)
          x = XFER_NO_TARGET;
        else if (port == 0xFFFF)
          x = dp_rw (self, reg & 0xFF, TRUE, &v);
        else
          x = ap_rw (self, (guint8) port, reg & 0xFF, TRUE, &v, FALSE);
        charge_usb (self, 2);
        reply_status (self, xfer_status (x));
      }
      return;

    case 0x4B: /* INIT_AP (J28+) */
      if (!fw_at_least (self, 28, 2))
        break;
      self->ap_open[cmd[2]] = TRUE;
      charge_usb (self, 2);
      reply_status (self, STATUS_OK);
      return;

    case 0x4C: /* CLOSE_AP_DBG (J28+) */
      if (!fw_at_least (self, 28, 2))
        break;
      self->ap_open[cmd[2]] = FALSE;
      charge_usb (self, 2);
      /* J28 answers BAD_AP even when it worked. */
      reply_status (self, self->hw_version < 3 && self->jtag_version == 28 ? STATUS_BAD_AP : STATUS_OK);
      return;

    case 0x40: /* START_TRACE_RX */
    case 0x41: /* STOP_TRACE_RX */
      if (!fw_at_least (self, 13, 1))
        break;
      charge_usb (self, 2);
      reply_status (self, STATUS_OK);
      return;

    case 0x42: /* GET_TRACE_NB */
      if (!fw_at_least (self, 13, 1))
        break;
      {
        guint8 r[2] = { 0, 0 };

        charge_usb (self, 2);
        reply (self, r, 2);
      }
      return;

    default:
      break;
    }

  charge_usb (self, 2);
  unknown_command (self);
}

static void
handle_command (KilnSimProbe *self,
                const guint8 *cmd)
{
  g_byte_array_set_size (self->in_queue, 0);

  switch (cmd[0])
    {
    case 0xF1: /* GET_VERSION */
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
        charge_usb (self, 6);
        reply (self, r, 6);
      }
      return;

    case 0xFB: /* GET_VERSION_EX (V3) */
      if (self->hw_version < 3)
        break;
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
        charge_usb (self, 12);
        reply (self, r, 12);
      }
      return;

    case 0xF5: /* GET_CURRENT_MODE */
      {
        guint8 r[2] = { self->mode, 0 };

        charge_usb (self, 2);
        reply (self, r, 2);
      }
      return;

    case 0xF3: /* DFU */
      if (cmd[1] == 0x07)
        {
          self->mode = MODE_MASS;
          charge_usb (self, 0);
          return;
        }
      break;

    case 0xF4: /* SWIM */
      if (cmd[1] == 0x01)
        {
          charge_usb (self, 0);
          return;
        }
      break;

    case 0xF7: /* GET_TARGET_VOLTAGE (J13+) */
      if (!fw_at_least (self, 13, 1))
        break;
      {
        guint8 r[8];
        guint32 ref = 1489;
        double v = kiln_sim_board_get_voltage (self->board);
        guint32 half = (guint32) (v * ref / 2.4 + 0.5);

        put32 (r, ref);
        put32 (r + 4, half);
        charge_usb (self, 8);
        reply (self, r, 8);
      }
      return;

    case 0xF2:
      debug_command (self, cmd);
      return;

    default:
      break;
    }

  charge_usb (self, 2);
  unknown_command (self);
}

/* ------------------------------------------------------------------ */
/* USB                                                                  */

static gboolean
check_faults (KilnSimProbe *self)
{
  if (!self->gone && self->disconnect_armed && self->clock->now_ns >= self->disconnect_at)
    {
      self->gone = TRUE;
      self->disconnect_armed = FALSE;
      kiln_sim_report_fault (self->report, "usb-disconnect-after-ms");
    }
  if (!self->hung && self->hang_armed && self->clock->now_ns >= self->hang_at)
    {
      self->hung = TRUE;
      self->hang_armed = FALSE;
      kiln_sim_report_fault (self->report, "usb-hang-after-ms");
    }
  return !self->gone && !self->hung;
}

static void
begin_transfer (KilnSimProbe *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->last_transfer_end_us != 0 && self->count_host_gaps)
    kiln_sim_clock_host_gap (self->clock, (guint64) (now - self->last_transfer_end_us) * 1000);
  self->report->usb_transfers++;
}

static void
end_transfer (KilnSimProbe *self)
{
  self->last_transfer_end_us = g_get_monotonic_time ();
}

KilnSimUsbStatus
kiln_sim_probe_bulk_transfer (KilnSimProbe *self,
                              guint8        endpoint,
                              guint8       *data,
                              gsize         length,
                              gsize        *transferred,
                              guint         timeout_ms)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  guint8 out_ep = self->model == MODEL_V2 ? 0x02 : 0x01;
  KilnSimUsbStatus status = KILN_SIM_USB_OK;

  *transferred = 0;

  if (self->gone)
    return KILN_SIM_USB_NO_DEVICE;
  if (self->hung)
    return KILN_SIM_USB_TIMEOUT;

  begin_transfer (self);

  if (endpoint == out_ep)
    {
      self->report->usb_bytes_out += length;
      if (self->out_expected > 0)
        {
          gsize take = MIN (length, self->out_expected - self->out_data->len);

          g_byte_array_append (self->out_data, data, (guint) take);
          *transferred = length;
          if (self->out_data->len >= self->out_expected)
            data_out_complete (self);
        }
      else
        {
          guint8 cmd[CMD_SIZE] = { 0 };

          memcpy (cmd, data, MIN (length, (gsize) CMD_SIZE));
          *transferred = length;
          handle_command (self, cmd);
          /* Data after the block in the same transfer is the data phase. */
          if (length > CMD_SIZE && self->out_expected > 0)
            {
              g_byte_array_append (self->out_data, data + CMD_SIZE,
                                   (guint) MIN (length - CMD_SIZE, self->out_expected));
              if (self->out_data->len >= self->out_expected)
                data_out_complete (self);
            }
        }
    }
  else if (endpoint == 0x81)
    {
      gsize queued = self->in_queue->len;

      if (queued == 0)
        status = KILN_SIM_USB_TIMEOUT;  /* the device NAKs until the host gives up */
      else if (length >= queued)
        {
          memcpy (data, self->in_queue->data, queued);
          *transferred = queued;
          g_byte_array_set_size (self->in_queue, 0);
        }
      else if (length % max_packet (self) == 0)
        {
          memcpy (data, self->in_queue->data, length);
          *transferred = length;
          g_byte_array_remove_range (self->in_queue, 0, (guint) length);
        }
      else
        {
          /* The device sends a packet larger than the host's buffer. */
          gsize whole = length - length % max_packet (self);

          memcpy (data, self->in_queue->data, whole);
          *transferred = whole;
          g_byte_array_set_size (self->in_queue, 0);
          status = KILN_SIM_USB_OVERFLOW;
        }
    }
  else if (endpoint == (self->model == MODEL_V2 ? 0x83 : 0x82))
    status = KILN_SIM_USB_TIMEOUT;  /* trace endpoint: nothing to say */
  else
    status = KILN_SIM_USB_PIPE;

  check_faults (self);
  end_transfer (self);
  return status;
}

/* Descriptors */

static GBytes *
string_descriptor (const char *text)
{
  glong n = 0;
  g_autofree gunichar2 *utf16 = g_utf8_to_utf16 (text, -1, NULL, &n, NULL);
  GByteArray *d = g_byte_array_new ();
  guint8 head[2] = { (guint8) (2 + 2 * n), 3 };

  g_byte_array_append (d, head, 2);
  for (glong i = 0; i < n; i++)
    {
      guint8 u[2] = { utf16[i] & 0xFF, utf16[i] >> 8 };

      g_byte_array_append (d, u, 2);
    }
  return g_byte_array_free_to_bytes (d);
}

static GBytes *
config_descriptor (KilnSimProbe *self)
{
  guint mps = max_packet (self);
  guint8 in_ep = 0x81;
  guint8 out_ep = self->model == MODEL_V2 ? 0x02 : 0x01;
  guint8 trace_ep = self->model == MODEL_V2 ? 0x83 : 0x82;
  gboolean msd = self->model != MODEL_V2;
  guint8 d[9 + 9 + 7 * 3 + 9 + 7 * 2];
  guint n = 0;
  guint total;

#define EP(addr) \
  d[n++] = 7; d[n++] = 5; d[n++] = (addr); d[n++] = 2; d[n++] = mps & 0xFF; d[n++] = mps >> 8; d[n++] = 0

  d[n++] = 9; d[n++] = 2; d[n++] = 0; d[n++] = 0; d[n++] = msd ? 2 : 1; d[n++] = 1; d[n++] = 0;
  d[n++] = 0x80; d[n++] = 50;
  d[n++] = 9; d[n++] = 4; d[n++] = 0; d[n++] = 0; d[n++] = 3; d[n++] = 0xFF; d[n++] = 0xFF; d[n++] = 0xFF;
  d[n++] = 4;
  EP (in_ep);
  EP (out_ep);
  EP (trace_ep);
  if (msd)
    {
      d[n++] = 9; d[n++] = 4; d[n++] = 1; d[n++] = 0; d[n++] = 2; d[n++] = 0x08; d[n++] = 0x06; d[n++] = 0x50;
      d[n++] = 5;
      EP (0x83);
      EP (0x03);
    }
#undef EP
  total = n;
  d[2] = total & 0xFF;
  d[3] = total >> 8;
  return g_bytes_new (d, total);
}

int
kiln_sim_probe_get_descriptor (KilnSimProbe *self,
                               guint8        type,
                               guint8        index,
                               guint16       langid,
                               guint8       *buffer,
                               gsize         length)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const guint8 *data;

  if (self->gone)
    return KILN_SIM_USB_NO_DEVICE;

  switch (type)
    {
    case 1:
      {
        guint8 d[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x83, 0x04, self->pid & 0xFF, self->pid >> 8,
                         0x00, 0x01, 1, 2, 3, 1 };

        bytes = g_bytes_new (d, sizeof d);
      }
      break;

    case 2:
      if (index != 0)
        return KILN_SIM_USB_PIPE;
      bytes = config_descriptor (self);
      break;

    case 3:
      switch (index)
        {
        case 0:
          {
            guint8 d[4] = { 4, 3, 0x09, 0x04 };

            bytes = g_bytes_new (d, sizeof d);
          }
          break;
        case 1:
          bytes = string_descriptor ("STMicroelectronics");
          break;
        case 2:
          bytes = string_descriptor (self->model == MODEL_V3 ? "STLINK-V3" : "STM32 STLink");
          break;
        case 3:
          if (self->binary_serial)
            {
              /* Old V2 units: 12 raw bytes, one per UTF-16 unit. */
              guint8 d[26] = { 26, 3 };

              for (guint i = 0; i < 12 && self->serial[2 * i] != '\0'; i++)
                d[2 + 2 * i] = (guint8) (g_ascii_xdigit_value (self->serial[2 * i]) << 4
                                         | g_ascii_xdigit_value (self->serial[2 * i + 1]));
              bytes = g_bytes_new (d, sizeof d);
            }
          else
            bytes = string_descriptor (self->serial);
          break;
        default:
          return KILN_SIM_USB_PIPE;
        }
      break;

    default:
      return KILN_SIM_USB_PIPE;
    }

  data = g_bytes_get_data (bytes, &size);
  size = MIN (size, length);
  memcpy (buffer, data, size);
  return (int) size;
}

int
kiln_sim_probe_control_transfer (KilnSimProbe *self,
                                 guint8        request_type,
                                 guint8        request,
                                 guint16       value,
                                 guint16       index,
                                 guint8       *data,
                                 guint16       length,
                                 guint         timeout_ms)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  if (self->gone)
    return KILN_SIM_USB_NO_DEVICE;

  /* Standard requests only. */
  if ((request_type & 0x60) != 0)
    return KILN_SIM_USB_PIPE;

  switch (request)
    {
    case 0x06: /* GET_DESCRIPTOR */
      return kiln_sim_probe_get_descriptor (self, value >> 8, value & 0xFF, index, data, length);
    case 0x00: /* GET_STATUS */
      if (length < 2)
        return KILN_SIM_USB_PIPE;
      data[0] = 0;
      data[1] = 0;
      return 2;
    case 0x08: /* GET_CONFIGURATION */
      if (length < 1)
        return KILN_SIM_USB_PIPE;
      data[0] = (guint8) self->configuration;
      return 1;
    case 0x09: /* SET_CONFIGURATION */
      self->configuration = value;
      return 0;
    case 0x0A: /* GET_INTERFACE */
      if (length < 1)
        return KILN_SIM_USB_PIPE;
      data[0] = 0;
      return 1;
    case 0x0B: /* SET_INTERFACE */
    case 0x01: /* CLEAR_FEATURE */
    case 0x03: /* SET_FEATURE */
      return 0;
    default:
      return KILN_SIM_USB_PIPE;
    }
}

KilnSimUsbStatus
kiln_sim_probe_claim_interface (KilnSimProbe *self,
                                int           interface)
{
  if (self->gone)
    return KILN_SIM_USB_NO_DEVICE;
  if (interface < 0 || interface > 1)
    return KILN_SIM_USB_NOT_FOUND;
  self->claimed = TRUE;
  return KILN_SIM_USB_OK;
}

KilnSimUsbStatus
kiln_sim_probe_release_interface (KilnSimProbe *self,
                                  int           interface)
{
  if (self->gone)
    return KILN_SIM_USB_NO_DEVICE;
  self->claimed = FALSE;
  return KILN_SIM_USB_OK;
}

KilnSimUsbStatus
kiln_sim_probe_set_configuration (KilnSimProbe *self,
                                  int           configuration)
{
  if (self->gone)
    return KILN_SIM_USB_NO_DEVICE;
  self->configuration = configuration;
  return KILN_SIM_USB_OK;
}

int
kiln_sim_probe_get_configuration (KilnSimProbe *self)
{
  return self->configuration;
}

KilnSimUsbStatus
kiln_sim_probe_reset_device (KilnSimProbe *self)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  if (self->gone)
    return KILN_SIM_USB_NO_DEVICE;
  g_byte_array_set_size (self->in_queue, 0);
  self->out_expected = 0;
  return KILN_SIM_USB_OK;
}

KilnSimUsbStatus
kiln_sim_probe_clear_halt (KilnSimProbe *self,
                           guint8        endpoint)
{
  return self->gone ? KILN_SIM_USB_NO_DEVICE : KILN_SIM_USB_OK;
}

guint16
kiln_sim_probe_get_vendor_id (KilnSimProbe *self)
{
  return 0x0483;
}

guint16
kiln_sim_probe_get_product_id (KilnSimProbe *self)
{
  return self->pid;
}

const char *
kiln_sim_probe_get_serial (KilnSimProbe *self)
{
  return self->serial;
}

gboolean
kiln_sim_probe_is_present (KilnSimProbe *self)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  return !self->gone;
}

void
kiln_sim_probe_unplug (KilnSimProbe *self)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  self->gone = TRUE;
}

void
kiln_sim_probe_plug (KilnSimProbe *self)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  if (!self->gone && !self->hung)
    return;

  /* Power-on state of the firmware, and a new address from the host's
   * enumeration. A fault that fired stays spent. */
  self->gone = FALSE;
  self->hung = FALSE;
  self->mode = self->model == MODEL_V2 ? MODE_DFU : MODE_MASS;
  self->connected = FALSE;
  self->swd_khz = self->model == MODEL_V3 ? 8000 : 1800;
  self->last_status = STATUS_OK;
  self->last_fault_address = 0;
  memset (self->ap_open, 0, sizeof self->ap_open);
  self->claimed = FALSE;
  self->configuration = 1;
  g_byte_array_set_size (self->in_queue, 0);
  g_byte_array_set_size (self->out_data, 0);
  g_byte_array_set_size (self->misc_result, 0);
  self->out_expected = 0;
  self->last_transfer_end_us = 0;
  self->address = (guint8) ((self->address - 1 + 32) % 127 + 1);
}

guint8
kiln_sim_probe_get_bus_number (KilnSimProbe *self)
{
  return self->bus;
}

guint8
kiln_sim_probe_get_device_address (KilnSimProbe *self)
{
  return self->address;
}

KilnSimBoard *
kiln_sim_probe_get_board (KilnSimProbe *self)
{
  return self->board;
}

/* A board swap on a production line: the old board is unplugged (its debug
 * link is gone with its power) and @board is plugged in, powered from reset. */
void
kiln_sim_probe_set_board (KilnSimProbe *self,
                          KilnSimBoard *board)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  g_set_object (&self->board, board);
  self->connected = FALSE;
  memset (self->ap_open, 0, sizeof self->ap_open);
}

/* ------------------------------------------------------------------ */
/* Construction                                                         */

static void
kiln_sim_probe_finalize (GObject *object)
{
  KilnSimProbe *self = (KilnSimProbe *) object;

  g_clear_object (&self->board);
  g_clear_pointer (&self->serial, g_free);
  g_clear_pointer (&self->in_queue, g_byte_array_unref);
  g_clear_pointer (&self->out_data, g_byte_array_unref);
  g_clear_pointer (&self->misc_result, g_byte_array_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (kiln_sim_probe_parent_class)->finalize (object);
}

static void
kiln_sim_probe_class_init (KilnSimProbeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_sim_probe_finalize;
}

static void
kiln_sim_probe_init (KilnSimProbe *self)
{
  g_mutex_init (&self->mutex);
  self->in_queue = g_byte_array_new ();
  self->out_data = g_byte_array_new ();
  self->misc_result = g_byte_array_new ();
  self->configuration = 1;
}

/* "V2J34S7", "V2J37M26", "V3J7M2" */
static gboolean
parse_firmware (KilnSimProbe  *self,
                const char    *text,
                GError       **error)
{
  const char *p = text;
  char *end;

  if (*p != 'V' && *p != 'v')
    goto bad;
  self->hw_version = (guint) g_ascii_strtoull (p + 1, &end, 10);
  p = end;
  if (*p != 'J' && *p != 'j')
    goto bad;
  self->jtag_version = (guint) g_ascii_strtoull (p + 1, &end, 10);
  p = end;
  while (*p != '\0')
    {
      char kind = g_ascii_toupper (*p);
      guint v = (guint) g_ascii_strtoull (p + 1, &end, 10);

      if (end == p + 1)
        goto bad;
      if (kind == 'S')
        self->swim_version = v;
      else if (kind == 'M')
        self->msd_version = v;
      else if (kind != 'B' && kind != 'P')
        goto bad;
      p = end;
    }
  if (self->hw_version < 2 || self->hw_version > 3 || self->jtag_version > 63)
    goto bad;
  return TRUE;

bad:
  g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
               "firmware = %s: write it as the probe reports it, like V2J34S7, V2J37M26 or V3J7M2", text);
  return FALSE;
}

KilnSimProbe *
kiln_sim_probe_new (GKeyFile      *key_file,
                    const char    *group,
                    KilnSimBoard  *board,
                    KilnSimClock  *clock,
                    KilnSimReport *report,
                    guint8         bus,
                    guint8         address,
                    GError       **error)
{
  g_autoptr(KilnSimProbe) self = g_object_new (KILN_TYPE_SIM_PROBE, NULL);
  g_autofree char *model = g_key_file_get_string (key_file, group, "model", NULL);
  g_autofree char *firmware = g_key_file_get_string (key_file, group, "firmware", NULL);
  g_autofree char *serial = g_key_file_get_string (key_file, group, "serial", NULL);
  g_autofree char *quirk = g_key_file_get_string (key_file, group, "binary-serial", NULL);
  g_autofree char *pid = g_key_file_get_string (key_file, group, "pid", NULL);
  g_autofree char *gaps = g_key_file_get_string (key_file, "bench", "host-gaps", NULL);

  if (model == NULL || g_ascii_strcasecmp (g_strstrip (model), "stlink-v2") == 0)
    {
      self->model = MODEL_V2;
      self->pid = 0x3748;
    }
  else if (g_ascii_strcasecmp (model, "stlink-v2-1") == 0)
    {
      self->model = MODEL_V2_1;
      self->pid = 0x374B;
    }
  else if (g_ascii_strcasecmp (model, "stlink-v3") == 0)
    {
      self->model = MODEL_V3;
      self->pid = 0x374F;
    }
  else
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                   "[%s] model = %s: use stlink-v2, stlink-v2-1 or stlink-v3", group, model);
      return NULL;
    }
  if (pid != NULL)
    self->pid = (guint16) g_ascii_strtoull (pid, NULL, 0);

  if (firmware == NULL)
    firmware = g_strdup (self->model == MODEL_V2 ? "V2J34S7" : self->model == MODEL_V2_1 ? "V2J37M26" : "V3J7M2");
  if (!parse_firmware (self, g_strstrip (firmware), error))
    return NULL;
  if ((self->model == MODEL_V3) != (self->hw_version == 3))
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                   "[%s] firmware %s does not run on a %s", group, firmware, model ? model : "stlink-v2");
      return NULL;
    }

  self->serial = serial ? g_ascii_strup (g_strstrip (serial), -1)
                        : g_strdup_printf ("0671FF3833354B50431443%02X", (guint) (bus * 16 + address) & 0xFF);
  self->binary_serial = quirk != NULL && g_ascii_strcasecmp (g_strstrip (quirk), "true") == 0;
  self->board = g_object_ref (board);
  self->clock = clock;
  self->report = report;
  self->bus = bus;
  self->address = address;
  self->mode = self->model == MODEL_V2 ? MODE_DFU : MODE_MASS;
  self->swd_khz = self->model == MODEL_V3 ? 8000 : 1800;
  self->last_status = STATUS_OK;
  self->count_host_gaps = gaps == NULL || g_ascii_strcasecmp (g_strstrip (gaps), "ignore") != 0;

  self->disconnect_armed = g_key_file_has_key (key_file, "faults", "usb-disconnect-after-ms", NULL);
  self->hang_armed = g_key_file_has_key (key_file, "faults", "usb-hang-after-ms", NULL);
  if (self->disconnect_armed)
    self->disconnect_at = (guint64) g_key_file_get_uint64 (key_file, "faults", "usb-disconnect-after-ms", NULL) * 1000000ull;
  if (self->hang_armed)
    self->hang_at = (guint64) g_key_file_get_uint64 (key_file, "faults", "usb-hang-after-ms", NULL) * 1000000ull;

  check_faults (self);
  return g_steal_pointer (&self);
}
