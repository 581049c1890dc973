/* kiln-sim-probe.c — a simulated ST-LINK: USB device, firmware, SWD master
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The probe takes 16-byte command blocks on its OUT endpoint, answers on its
 * IN endpoint, and turns memory and register commands into SWD transfers on
 * the board, charging their time to the clock. Which commands exist, and how
 * large a transfer may be, follows the firmware version it was given.
 *
 * This file is the USB device and the probe object; the other parts are
 * listed in kiln-sim-probe-private.h.
 */

#include "config.h"

#include <string.h>

#include "kiln-sim-pace.h"
#include "kiln-sim-probe-private.h"

G_DEFINE_FINAL_TYPE (KilnSimProbe, kiln_sim_probe, G_TYPE_OBJECT)

gboolean
_kiln_sim_probe_fw_at_least (KilnSimProbe *self,
                             guint         v2_j,
                             guint         v3_j)
{
  if (self->hw_version >= 3)
    return v3_j != G_MAXUINT && self->jtag_version >= v3_j;
  return v2_j != G_MAXUINT && self->jtag_version >= v2_j;
}

gboolean
_kiln_sim_probe_high_speed (KilnSimProbe *self)
{
  return self->model == MODEL_V3;
}

guint
_kiln_sim_probe_max_packet (KilnSimProbe *self)
{
  return _kiln_sim_probe_high_speed (self) ? 512 : 64;
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

/* The host's time since the last transfer ([bench] host-gaps; see
 * kiln-sim-hostgap.c). */
static guint64
host_gap_now (KilnSimProbe *self,
              guint64      *cpu_wait_ns)
{
  KilnSimHostStamp now;

  *cpu_wait_ns = 0;
  if (!self->transferred_once || self->clock->host_gaps == KILN_SIM_HOST_GAPS_IGNORE)
    return 0;
  kiln_sim_host_stamp (&now, self->clock->host_gaps);
  return kiln_sim_host_gap_ns (&self->last_transfer_end, &now, self->clock->host_gaps, cpu_wait_ns);
}

static void
begin_transfer (KilnSimProbe *self)
{
  guint64 wait = 0;
  guint64 gap = host_gap_now (self, &wait);

  if (gap > 0)
    kiln_sim_clock_host_gap (self->clock, gap);
  self->clock->host_cpu_wait_ns += wait;
  self->report->usb_transfers++;
}

static void
end_transfer (KilnSimProbe *self)
{
  kiln_sim_host_stamp (&self->last_transfer_end, self->clock->host_gaps);
  self->transferred_once = TRUE;
}

static KilnSimUsbStatus
bulk_transfer (KilnSimProbe *self,
               guint8        endpoint,
               guint8       *data,
               gsize         length,
               gsize        *transferred)
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
            _kiln_sim_probe_data_out_complete (self);
        }
      else
        {
          guint8 cmd[CMD_SIZE] = { 0 };

          memcpy (cmd, data, MIN (length, (gsize) CMD_SIZE));
          *transferred = length;
          _kiln_sim_probe_handle_command (self, cmd);
          /* Data after the block in the same transfer is the data phase. */
          if (length > CMD_SIZE && self->out_expected > 0)
            {
              g_byte_array_append (self->out_data, data + CMD_SIZE,
                                   (guint) MIN (length - CMD_SIZE, self->out_expected));
              if (self->out_data->len >= self->out_expected)
                _kiln_sim_probe_data_out_complete (self);
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
      else if (length % _kiln_sim_probe_max_packet (self) == 0)
        {
          memcpy (data, self->in_queue->data, length);
          *transferred = length;
          g_byte_array_remove_range (self->in_queue, 0, (guint) length);
        }
      else
        {
          /* The device sends a packet larger than the host's buffer. */
          gsize whole = length - length % _kiln_sim_probe_max_packet (self);

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

/* The probe's own wait (a hold, or real-time pacing) is not host time. */
static void
restart_host_gap (KilnSimProbe *self)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  end_transfer (self);
}

/* Holds and real-time pacing (kiln-sim-pace.c) wait outside the lock: the
 * probe stays present and the rest of the bench keeps answering. */
KilnSimUsbStatus
kiln_sim_probe_bulk_transfer (KilnSimProbe *self,
                              guint8        endpoint,
                              guint8       *data,
                              gsize         length,
                              gsize        *transferred,
                              guint         timeout_ms)
{
  KilnSimUsbStatus status;

  if (self->fixture != NULL)
    self->fixture (self, self->fixture_data);
  if (kiln_sim_pace_hold (self->clock->pace, self->clock, self->report))
    restart_host_gap (self);
  status = bulk_transfer (self, endpoint, data, length, transferred);
  if (kiln_sim_pace_catch_up (self->clock->pace, self->clock))
    restart_host_gap (self);
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
  guint mps = _kiln_sim_probe_max_packet (self);
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
  self->transferred_once = FALSE;
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

void
kiln_sim_probe_set_fixture (KilnSimProbe        *self,
                            KilnSimProbeFixture  fixture,
                            gpointer             data)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  self->fixture = fixture;
  self->fixture_data = data;
}

void
kiln_sim_probe_get_line_state (KilnSimProbe *self,
                               guint64      *now_ns,
                               guint64      *device_ns,
                               gboolean     *debug)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  guint64 wait = 0;
  guint64 gap = host_gap_now (self, &wait);

  *now_ns = self->clock->now_ns + gap;
  *device_ns = self->clock->device_ns;
  *debug = self->mode == MODE_DEBUG;
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

/* What a [probe] group says, read and checked before a probe is made
 * (kiln_sim_probe_check_keys() reads it alone, for the bench file's parse). */
typedef struct
{
  Model           model;
  guint16         pid;
  guint           hw_version;
  guint           jtag_version;
  guint           swim_version;
  guint           msd_version;
  KilnSimHostGaps host_gaps;
} ProbeKeys;

/* "V2J34S7", "V2J37M26", "V3J7M2" */
static gboolean
parse_firmware (ProbeKeys   *keys,
                const char  *text,
                GError     **error)
{
  const char *p = text;
  char *end;

  if (*p != 'V' && *p != 'v')
    goto bad;
  keys->hw_version = (guint) g_ascii_strtoull (p + 1, &end, 10);
  p = end;
  if (*p != 'J' && *p != 'j')
    goto bad;
  keys->jtag_version = (guint) g_ascii_strtoull (p + 1, &end, 10);
  p = end;
  while (*p != '\0')
    {
      char kind = g_ascii_toupper (*p);
      guint v = (guint) g_ascii_strtoull (p + 1, &end, 10);

      if (end == p + 1)
        goto bad;
      if (kind == 'S')
        keys->swim_version = v;
      else if (kind == 'M')
        keys->msd_version = v;
      else if (kind != 'B' && kind != 'P')
        goto bad;
      p = end;
    }
  if (keys->hw_version < 2 || keys->hw_version > 3 || keys->jtag_version > 63)
    goto bad;
  return TRUE;

bad:
  g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
               "firmware = %s: write it as the probe reports it, like V2J34S7, V2J37M26 or V3J7M2", text);
  return FALSE;
}

static gboolean
read_keys (GKeyFile    *key_file,
           const char  *group,
           ProbeKeys   *keys,
           GError     **error)
{
  g_autofree char *model = g_key_file_get_string (key_file, group, "model", NULL);
  g_autofree char *firmware = g_key_file_get_string (key_file, group, "firmware", NULL);
  g_autofree char *pid = g_key_file_get_string (key_file, group, "pid", NULL);
  g_autofree char *gaps = g_key_file_get_string (key_file, "bench", "host-gaps", NULL);
  GError *gaps_error = NULL;

  *keys = (ProbeKeys) { 0 };
  if (model == NULL || g_ascii_strcasecmp (g_strstrip (model), "stlink-v2") == 0)
    {
      keys->model = MODEL_V2;
      keys->pid = 0x3748;
    }
  else if (g_ascii_strcasecmp (model, "stlink-v2-1") == 0)
    {
      keys->model = MODEL_V2_1;
      keys->pid = 0x374B;
    }
  else if (g_ascii_strcasecmp (model, "stlink-v3") == 0)
    {
      keys->model = MODEL_V3;
      keys->pid = 0x374F;
    }
  else
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                   "[%s] model = %s: use stlink-v2, stlink-v2-1 or stlink-v3", group, model);
      return FALSE;
    }
  if (pid != NULL)
    keys->pid = (guint16) g_ascii_strtoull (pid, NULL, 0);

  if (firmware == NULL)
    firmware = g_strdup (keys->model == MODEL_V2 ? "V2J34S7" : keys->model == MODEL_V2_1 ? "V2J37M26" : "V3J7M2");
  if (!parse_firmware (keys, g_strstrip (firmware), error))
    return FALSE;
  if ((keys->model == MODEL_V3) != (keys->hw_version == 3))
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                   "[%s] firmware %s does not run on a %s", group, firmware, model ? model : "stlink-v2");
      return FALSE;
    }
  keys->host_gaps = kiln_sim_host_gaps_parse (gaps, &gaps_error);
  if (gaps_error != NULL)
    {
      g_propagate_error (error, gaps_error);
      return FALSE;
    }
  return TRUE;
}

gboolean
kiln_sim_probe_check_keys (GKeyFile    *key_file,
                           const char  *group,
                           GError     **error)
{
  ProbeKeys keys;

  return read_keys (key_file, group, &keys, error);
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
  g_autoptr(KilnSimProbe) self = NULL;
  g_autofree char *serial = g_key_file_get_string (key_file, group, "serial", NULL);
  g_autofree char *quirk = g_key_file_get_string (key_file, group, "binary-serial", NULL);
  ProbeKeys keys;

  if (!read_keys (key_file, group, &keys, error))
    return NULL;
  self = g_object_new (KILN_TYPE_SIM_PROBE, NULL);
  self->model = keys.model;
  self->pid = keys.pid;
  self->hw_version = keys.hw_version;
  self->jtag_version = keys.jtag_version;
  self->swim_version = keys.swim_version;
  self->msd_version = keys.msd_version;
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
  self->clock->host_gaps = keys.host_gaps;

  self->disconnect_armed = g_key_file_has_key (key_file, "faults", "usb-disconnect-after-ms", NULL);
  self->hang_armed = g_key_file_has_key (key_file, "faults", "usb-hang-after-ms", NULL);
  if (self->disconnect_armed)
    self->disconnect_at = (guint64) g_key_file_get_uint64 (key_file, "faults", "usb-disconnect-after-ms", NULL) * 1000000ull;
  if (self->hang_armed)
    self->hang_at = (guint64) g_key_file_get_uint64 (key_file, "faults", "usb-hang-after-ms", NULL) * 1000000ull;

  check_faults (self);
  return g_steal_pointer (&self);
}
