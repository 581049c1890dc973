/* kiln-sim-probe-memory.c — the probe's memory commands: reads, writes with
 * their data phase, and RW_MISC batches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kiln-sim-probe-private.h"

void
_kiln_sim_probe_memory_read_command (KilnSimProbe *self,
                                     const guint8 *cmd,
                                     guint         size,
                                     gboolean      increment)
{
  guint32 address = get32 (cmd + 2);
  guint16 len = get16 (cmd + 6);
  guint8 apsel = cmd[8];
  gsize max = size == 1 ? (_kiln_sim_probe_fw_at_least (self, G_MAXUINT, 6) ? 512 : 64) : MAX_RW;
  gsize out_len = len;
  g_autofree guint8 *buf = NULL;

  if ((apsel != 0 || (cmd[9] | cmd[10] | cmd[11]) != 0) && !_kiln_sim_probe_fw_at_least (self, 32, 2))
    apsel = 0; /* older firmware ignores the AP and CSW fields */

  if (size == 1 && len == 1)
    out_len = 2; /* one byte comes back as two */
  buf = g_malloc0 (MAX (out_len, 1));

  if (len > max)
    {
      /* Past the firmware's buffer: what comes back is garbage. */
      self->last_status = STATUS_FAULT;
      _kiln_sim_probe_reply (self, buf, out_len);
      return;
    }

  self->last_status = _kiln_sim_probe_mem_transfer (self, FALSE, address, buf, len, size, increment, apsel);
  _kiln_sim_probe_charge_usb (self, out_len);
  _kiln_sim_probe_reply (self, buf, out_len);
}

void
_kiln_sim_probe_memory_write_command (KilnSimProbe *self,
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

void
_kiln_sim_probe_misc_out_command (KilnSimProbe *self,
                                  const guint8 *cmd)
{
  guint32 items = misc_items (cmd);

  memcpy (self->pending_cmd, cmd, CMD_SIZE);
  g_byte_array_set_size (self->out_data, 0);
  g_byte_array_set_size (self->misc_result, 0);
  self->out_expected = items <= 0xFFFF ? misc_out_length (items) : 0;
}

void
_kiln_sim_probe_misc_out_complete (KilnSimProbe *self)
{
  guint32 items = misc_items (self->pending_cmd);
  guint32 max = self->hw_version >= 3 ? MISC_MAX_ITEMS_V3 : MISC_MAX_ITEMS_V2;
  const guint8 *ops = self->out_data->data;
  const guint8 *operands = ops + ((items + 3) & ~3u);
  guint8 apsel = 0;
  guint32 address = 0;

  _kiln_sim_probe_charge_usb (self, misc_out_length (items));
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
            status = _kiln_sim_probe_check_ap (self, apsel);
            break;
          case MISC_OP_ADDRESS:
            address = operand;
            status = STATUS_OK;
            break;
          case MISC_OP_WRITE:
            {
              guint8 buf[4] = { operand, operand >> 8, operand >> 16, operand >> 24 };

              status = _kiln_sim_probe_mem_transfer (self, TRUE, address, buf, 4, 4, TRUE, apsel);
              address += 4;
            }
            break;
          case MISC_OP_READ:
            {
              guint8 buf[4] = { 0 };

              status = _kiln_sim_probe_mem_transfer (self, FALSE, operand, buf, 4, 4, TRUE, apsel);
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
  guint8 apsel = _kiln_sim_probe_fw_at_least (self, 32, 2) ? cmd[8] : 0;
  guint size;
  gboolean increment = TRUE;

  switch (cmd[1])
    {
    case DEBUG_WRITEMEM_8BIT:         size = 1; break;
    case DEBUG_APIV2_WRITEMEM_16BIT:  size = 2; break;
    case DEBUG_WRITEMEM_32BIT_NO_INC: size = 4; increment = FALSE; break;
    case DEBUG_WRITEMEM_32BIT:
    default:                          size = 4; break;
    }

  /* Writes stream from USB to the wire: st-flash sends 32 KiB at once and
   * real probes take it (a V2's STM32F103 has 20 KiB of RAM: it cannot
   * hold such a write first), so each packet's words land as it comes.
   * Only 8-bit writes are bounded by the firmware. */
  if (size == 1 && len > (_kiln_sim_probe_fw_at_least (self, G_MAXUINT, 6) ? 512u : 64u))
    {
      _kiln_sim_probe_charge_usb (self, len);
      self->last_status = STATUS_FAULT;
    }
  else
    self->last_status = _kiln_sim_probe_mem_write_streamed (self, address, self->out_data->data, len, size, increment,
                                                            apsel);
  self->out_expected = 0;
}

void
_kiln_sim_probe_data_out_complete (KilnSimProbe *self)
{
  if (self->pending_cmd[0] == CMD_DEBUG_COMMAND && self->pending_cmd[1] == DEBUG_RW_MISC_OUT)
    _kiln_sim_probe_misc_out_complete (self);
  else
    memory_write_complete (self);
}
