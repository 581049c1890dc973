/* kiln-sim-probe-swd.c — the probe's SWD master and the time it charges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every USB transfer and SWD transaction advances the bench's clock by its
 * modeled duration; the firmware retries WAIT answers as the real one does.
 */

#include "config.h"

#include <string.h>

#include "kiln-sim-probe-private.h"

/* ------------------------------------------------------------------ */
/* Time                                                                 */

/* A payload's bytes on the USB (a command's fixed cost apart). */
static void
charge_usb_bytes (KilnSimProbe *self,
                  gsize         payload)
{
  kiln_sim_clock_advance (self->clock, payload * (_kiln_sim_probe_high_speed (self) ? 30 : 1000));
}

void
_kiln_sim_probe_charge_usb (KilnSimProbe *self,
                            gsize         payload)
{
  kiln_sim_clock_advance (self->clock, _kiln_sim_probe_high_speed (self) ? 200000 : 1000000);
  charge_usb_bytes (self, payload);
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

Xfer
_kiln_sim_probe_ap_rw (KilnSimProbe *self,
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

Xfer
_kiln_sim_probe_dp_rw (KilnSimProbe *self,
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

guint8
_kiln_sim_probe_xfer_status (Xfer x)
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

  _kiln_sim_probe_dp_rw (self, 0x0, TRUE, &abort);
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

  if (!_kiln_sim_probe_fw_at_least (self, 37, 7))
    return;
  if (_kiln_sim_probe_ap_rw (self, 0, 0xF8, FALSE, &base, FALSE) != XFER_OK || (base & 3) != 3)
    return;
  base &= ~0xFFFu;
  if (_kiln_sim_probe_ap_rw (self, 0, 0x00, TRUE, &csw, FALSE) != XFER_OK)
    return;
  a = base + 0xFE4;
  if (_kiln_sim_probe_ap_rw (self, 0, 0x04, TRUE, &a, FALSE) != XFER_OK || _kiln_sim_probe_ap_rw (self, 0, 0x0C, FALSE, &pidr1, TRUE) != XFER_OK)
    return;
  a = base + 0xFE8;
  if (_kiln_sim_probe_ap_rw (self, 0, 0x04, TRUE, &a, FALSE) != XFER_OK || _kiln_sim_probe_ap_rw (self, 0, 0x0C, FALSE, &pidr2, TRUE) != XFER_OK)
    return;
  /* JEP106 identity code: PIDR1[7:4] and PIDR2[2:0]; PIDR2[3] says it is used. */
  if ((pidr2 & 0x8) && ((((pidr1 >> 4) & 0xF) | ((pidr2 & 0x7) << 4)) == 0x20))
    self->ap_open[0] = TRUE;
}

gboolean
_kiln_sim_probe_swd_connect (KilnSimProbe *self)
{
  guint32 id = 0, ctrl;

  kiln_sim_board_swd_line_reset (self->board);
  charge_swd (self, 2);
  if (_kiln_sim_probe_dp_rw (self, 0x0, FALSE, &id) != XFER_OK)
    {
      self->connected = FALSE;
      return FALSE;
    }
  clear_sticky (self);
  ctrl = 0x50000000;
  _kiln_sim_probe_dp_rw (self, 0x4, TRUE, &ctrl);
  _kiln_sim_probe_dp_rw (self, 0x4, FALSE, &ctrl);
  self->connected = TRUE;
  open_st_ap (self);
  return TRUE;
}

guint8
_kiln_sim_probe_check_ap (KilnSimProbe *self,
                          guint8        apsel)
{
  if (!self->connected)
    return STATUS_SWD_DP_ERROR;
  /* From V2J37 / V3J7 an AP must be opened with INIT_AP first. */
  if (_kiln_sim_probe_fw_at_least (self, 37, 7) && !self->ap_open[apsel])
    return STATUS_BAD_AP;
  return STATUS_OK;
}

/* A memory transfer of @len bytes in units of @size through AP @apsel.
 * With @packet (a write that streams), each USB packet of @packet bytes
 * is charged as it comes, before its words go on the wire. */
static guint8
mem_transfer (KilnSimProbe *self,
              gboolean      write,
              guint32       address,
              guint8       *buf,
              gsize         len,
              guint         size,
              gboolean      increment,
              guint8        apsel,
              gsize         packet)
{
  guint32 csw = (size == 1 ? 0 : size == 2 ? 1 : 2) | (increment ? 0x10 : 0) | 0x23000000;
  guint8 status = _kiln_sim_probe_check_ap (self, apsel);
  gsize charged = 0;
  Xfer x;

  if (status == STATUS_OK && ((address & (size - 1)) || (len % size)))
    status = STATUS_ALIGNMENT;
  if (status != STATUS_OK)
    {
      if (packet > 0)
        charge_usb_bytes (self, len);
      return status;
    }

  x = _kiln_sim_probe_ap_rw (self, apsel, 0x00, TRUE, &csw, FALSE);
  if (x == XFER_OK)
    x = _kiln_sim_probe_ap_rw (self, apsel, 0x04, TRUE, &address, FALSE);

  for (gsize i = 0; x == XFER_OK && i < len; i += size)
    {
      guint32 a = increment ? address + (guint32) i : address;
      guint32 lane = (a & 3) * 8;
      guint32 v = 0;

      if (packet > 0 && i % packet == 0)
        {
          charge_usb_bytes (self, MIN (packet, len - i));
          charged = i + MIN (packet, len - i);
        }

      /* The AP's TAR only counts within 1 KiB: the firmware reloads it at
       * each boundary (st-flash streams 32 KiB in one command). */
      if (increment && i > 0 && (a & 0x3FF) == 0)
        x = _kiln_sim_probe_ap_rw (self, apsel, 0x04, TRUE, &a, FALSE);
      if (x != XFER_OK)
        break;

      if (write)
        {
          for (guint b = 0; b < size; b++)
            v |= (guint32) buf[i + b] << (8 * b);
          v <<= lane;
          x = _kiln_sim_probe_ap_rw (self, apsel, 0x0C, TRUE, &v, TRUE);
        }
      else
        {
          x = _kiln_sim_probe_ap_rw (self, apsel, 0x0C, FALSE, &v, TRUE);
          v >>= lane;
          for (guint b = 0; b < size; b++)
            buf[i + b] = (guint8) (v >> (8 * b));
        }
      if (x != XFER_OK)
        self->last_fault_address = a;
    }

  if (x == XFER_FAULT)
    clear_sticky (self);
  /* The packets after a word that failed come all the same. */
  if (packet > 0 && charged < len)
    charge_usb_bytes (self, len - charged);
  return _kiln_sim_probe_xfer_status (x);
}

guint8
_kiln_sim_probe_mem_transfer (KilnSimProbe *self,
                              gboolean      write,
                              guint32       address,
                              guint8       *buf,
                              gsize         len,
                              guint         size,
                              gboolean      increment,
                              guint8        apsel)
{
  return mem_transfer (self, write, address, buf, len, size, increment, apsel, 0);
}

guint8
_kiln_sim_probe_mem_write_streamed (KilnSimProbe *self,
                                   guint32       address,
                                   guint8       *buf,
                                   gsize         len,
                                   guint         size,
                                   gboolean      increment,
                                   guint8        apsel)
{
  _kiln_sim_probe_charge_usb (self, 0);
  return mem_transfer (self, TRUE, address, buf, len, size, increment, apsel, _kiln_sim_probe_max_packet (self));
}

guint8
_kiln_sim_probe_read_word (KilnSimProbe *self,
                           guint32       address,
                           guint32      *value)
{
  guint8 buf[4] = { 0 };
  guint8 status = _kiln_sim_probe_mem_transfer (self, FALSE, address, buf, 4, 4, TRUE, 0);

  *value = (guint32) buf[0] | (guint32) buf[1] << 8 | (guint32) buf[2] << 16 | (guint32) buf[3] << 24;
  return status;
}

guint8
_kiln_sim_probe_write_word (KilnSimProbe *self,
                            guint32       address,
                            guint32       value)
{
  guint8 buf[4] = { value, value >> 8, value >> 16, value >> 24 };

  return _kiln_sim_probe_mem_transfer (self, TRUE, address, buf, 4, 4, TRUE, 0);
}
