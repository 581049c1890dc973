/* kiln-sim-board-dap.c — the SWD debug port (DP) and the AHB access port (AP)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "kiln-sim-board-private.h"

static gboolean
dp_answers (KilnSimBoard *self)
{
  return self->swd_active && _kiln_sim_board_powered (self) && !self->swd_pins_off && self->rdp_level != 2;
}

KilnSimAck
kiln_sim_board_dp_read (KilnSimBoard *self,
                        guint8        address,
                        guint32      *value,
                        guint64      *ready_at_ns)
{
  kiln_sim_board_sync (self);
  if (!dp_answers (self))
    return KILN_SIM_ACK_NONE;

  switch (address & 0xC)
    {
    case 0x0:
      *value = IS_F7 (self) ? DPIDR_F7 : DPIDR_M3M4;
      break;
    case 0x4:
      *value = self->dp_ctrl;
      if (self->dp_ctrl & CTRL_CDBGPWRUPREQ)
        *value |= CTRL_CDBGPWRUPACK;
      if (self->dp_ctrl & CTRL_CSYSPWRUPREQ)
        *value |= CTRL_CSYSPWRUPACK;
      break;
    case 0x8:
      *value = 0; /* RESEND */
      break;
    case 0xC:
      *value = 0;
      break;
    }
  return KILN_SIM_ACK_OK;
}

KilnSimAck
kiln_sim_board_dp_write (KilnSimBoard *self,
                         guint8        address,
                         guint32       value,
                         guint64      *ready_at_ns)
{
  kiln_sim_board_sync (self);
  if (!dp_answers (self))
    return KILN_SIM_ACK_NONE;

  switch (address & 0xC)
    {
    case 0x0: /* ABORT */
      if (value & (1u << 2))
        self->dp_ctrl &= ~CTRL_STICKYERR;
      if (value & (1u << 3))
        self->dp_ctrl &= ~CTRL_WDATAERR;
      if (value & (1u << 4))
        self->dp_ctrl &= ~CTRL_STICKYORUN;
      if (value & (1u << 1))
        self->dp_ctrl &= ~CTRL_STICKYCMP;
      break;
    case 0x4:
      self->dp_ctrl = (self->dp_ctrl & (CTRL_STICKYERR | CTRL_STICKYORUN | CTRL_STICKYCMP | CTRL_WDATAERR))
                      | (value & (CTRL_CDBGPWRUPREQ | CTRL_CSYSPWRUPREQ | 0x0FFFFF00u | 1u));
      break;
    case 0x8:
      self->dp_select = value;
      break;
    default:
      break;
    }
  return KILN_SIM_ACK_OK;
}

static KilnSimAck
ap_fault (KilnSimBoard *self)
{
  self->dp_ctrl |= CTRL_STICKYERR;
  return KILN_SIM_ACK_FAULT;
}

static guint
csw_size (KilnSimBoard *self)
{
  switch (self->ap_csw & 7)
    {
    case 0: return 1;
    case 1: return 2;
    default: return 4;
    }
}

static void
tar_increment (KilnSimBoard *self)
{
  guint inc = (self->ap_csw >> 4) & 3;

  if (inc == 1)
    {
      /* Auto-increment wraps within the 1 KiB boundary, as on silicon. */
      guint32 low = (self->ap_tar + csw_size (self)) & 0x3FF;

      self->ap_tar = (self->ap_tar & ~0x3FFu) | low;
    }
}

static KilnSimAck
drw_access (KilnSimBoard *self,
            guint32       address,
            gboolean      write,
            guint32      *value,
            guint64      *ready_at_ns)
{
  guint size = csw_size (self);
  guint64 now = self->clock->now_ns;
  KilnSimAck ack;

  if (address & (size - 1))
    return ap_fault (self);

  if (write)
    {
      guint32 data = *value;

      if (size < 4)
        data = (data >> (8 * (address & 3))) & (size == 2 ? 0xFFFF : 0xFF);
      ack = _kiln_sim_board_bus_write (self, address, size, data, now, TRUE, ready_at_ns);
    }
  else
    {
      guint32 data = 0;

      ack = _kiln_sim_board_bus_read (self, address, size, &data, now, TRUE, ready_at_ns);
      *value = size < 4 ? data << (8 * (address & 3)) : data;
    }

  if (ack == KILN_SIM_ACK_FAULT)
    return ap_fault (self);
  return ack;
}

static KilnSimAck
ap_access (KilnSimBoard *self,
           guint8        apsel,
           guint8        address,
           gboolean      write,
           guint32      *value,
           guint64      *ready_at_ns)
{
  KilnSimAck ack;

  kiln_sim_board_sync (self);
  if (!dp_answers (self))
    return KILN_SIM_ACK_NONE;
  if (self->dp_ctrl & CTRL_STICKYERR)
    return KILN_SIM_ACK_FAULT;
  if (!(self->dp_ctrl & CTRL_CDBGPWRUPREQ))
    return ap_fault (self);

  self->dp_select = (guint32) apsel << 24 | (address & 0xF0);

  if (apsel != 0)
    {
      if (!write)
        *value = 0;
      return KILN_SIM_ACK_OK;
    }

  switch (address)
    {
    case 0x00:
      if (write)
        self->ap_csw = (*value & 0xFF000037u) | 0x40;
      else
        *value = self->ap_csw | 0x40 | 0x03000000;
      return KILN_SIM_ACK_OK;
    case 0x04:
      if (write)
        self->ap_tar = *value;
      else
        *value = self->ap_tar;
      return KILN_SIM_ACK_OK;
    case 0x0C:
      ack = drw_access (self, self->ap_tar, write, value, ready_at_ns);
      if (ack == KILN_SIM_ACK_OK)
        tar_increment (self);
      return ack;
    case 0x10:
    case 0x14:
    case 0x18:
    case 0x1C:
      return drw_access (self, (self->ap_tar & ~0xFu) | (address & 0xC), write, value, ready_at_ns);
    case 0xF8:
      if (!write)
        *value = (IS_F7 (self) ? ROM_ST : ROM_PPB) | 3;
      return KILN_SIM_ACK_OK;
    case 0xFC:
      if (!write)
        *value = IS_F7 (self) ? AHBAP_IDR : AHBAP_IDR_M3M4;
      return KILN_SIM_ACK_OK;
    default:
      if (!write)
        *value = 0;
      return KILN_SIM_ACK_OK;
    }
}

KilnSimAck
kiln_sim_board_ap_read (KilnSimBoard *self,
                        guint8        apsel,
                        guint8        address,
                        guint32      *value,
                        guint64      *ready_at_ns)
{
  return ap_access (self, apsel, address, FALSE, value, ready_at_ns);
}

KilnSimAck
kiln_sim_board_ap_write (KilnSimBoard *self,
                         guint8        apsel,
                         guint8        address,
                         guint32       value,
                         guint64      *ready_at_ns)
{
  return ap_access (self, apsel, address, TRUE, &value, ready_at_ns);
}
