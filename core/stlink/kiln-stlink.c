/* kiln-stlink.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-stlink.h"

#define WAIT_RETRIES 8

struct _KilnStlink
{
  GObject            parent_instance;

  KilnUsbDevice     *device;
  KilnStlinkVersion  version;
  char              *firmware;
  guint              swd_khz;
  gboolean           in_debug;
};

G_DEFINE_FINAL_TYPE (KilnStlink, kiln_stlink, G_TYPE_OBJECT)

static void
kiln_stlink_finalize (GObject *object)
{
  KilnStlink *self = (KilnStlink *) object;

  g_clear_object (&self->device);
  g_free (self->firmware);
  G_OBJECT_CLASS (kiln_stlink_parent_class)->finalize (object);
}

static void
kiln_stlink_class_init (KilnStlinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_stlink_finalize;
}

static void
kiln_stlink_init (KilnStlink *self)
{
}

/* Every round trip on stderr, for whoever counts them: KILN_STLINK_TRACE=1
 * (README.md, "The simulator"). Looked up once. */
static gboolean
tracing (void)
{
  static gsize once = 0;
  static gboolean on = FALSE;

  if (g_once_init_enter (&once))
    {
      on = g_strcmp0 (g_getenv ("KILN_STLINK_TRACE"), "1") == 0;
      g_once_init_leave (&once, 1);
    }
  return on;
}

/* One command and, when @answer_len > 0, its answer. */
static gboolean
command (KilnStlink   *self,
         const guint8 *cmd,
         guint8       *answer,
         gsize         answer_len,
         GError      **error)
{
  gssize n;

  if (G_UNLIKELY (tracing ()))
    g_printerr ("kiln-stlink: command %02X %02X, address 0x%02X%02X%02X%02X, length %u, answer %zu bytes\n", cmd[0],
                cmd[1], cmd[5], cmd[4], cmd[3], cmd[2], (guint) (cmd[6] | cmd[7] << 8), answer_len);
  if (!kiln_usb_device_write (self->device, cmd, KILN_STLINK_CMD_SIZE, error))
    return FALSE;
  if (answer_len == 0)
    return TRUE;
  n = kiln_usb_device_read (self->device, answer, answer_len, error);
  if (n < 0)
    return FALSE;
  if ((gsize) n < answer_len)
    {
      g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_PROTOCOL,
                   _("The probe answered with %zd bytes where %zu were expected: "
                     "unplug it and plug it in again"), n, answer_len);
      return FALSE;
    }
  return TRUE;
}

static gboolean
status_ok (guint8   status,
           GError **error)
{
  if (status == KILN_STLINK_STATUS_OK)
    return TRUE;
  if (status == 0x09 || status == 0x16 || status == 0x05)
    g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET,
                 _("The target does not answer on SWD (probe status 0x%02X). Check that the board is powered "
                   "and wired (SWDIO, SWCLK, GND); if its firmware turns the SWD pins off, connect under reset."),
                 status);
  else
    g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_STATUS,
                 _("The probe reports: %s (status 0x%02X)"), kiln_stlink_status_to_string (status), status);
  return FALSE;
}

static gboolean
simple (KilnStlink   *self,
        const guint8 *cmd,
        GError      **error)
{
  guint8 answer[2];

  return command (self, cmd, answer, 2, error) && status_ok (answer[0], error);
}

KilnStlink *
kiln_stlink_open (KilnUsbDevice  *device,
                  GError        **error)
{
  g_autoptr(KilnStlink) self = g_object_new (KILN_TYPE_STLINK, NULL);
  KilnStlinkCmd cmd;
  guint8 answer[12];

  self->device = g_object_ref (device);

  kiln_stlink_cmd_get_version (cmd);
  if (!command (self, cmd, answer, 6, error))
    return NULL;
  kiln_stlink_decode_version (answer, &self->version);
  if (self->version.hw >= 3)
    {
      kiln_stlink_cmd_get_version_ex (cmd);
      if (!command (self, cmd, answer, 12, error))
        return NULL;
      kiln_stlink_decode_version_ex (answer, &self->version);
    }
  self->firmware = kiln_stlink_version_to_string (&self->version);

  if (self->version.hw < 2 || (self->version.hw == 2 && self->version.jtag < KILN_STLINK_V2_OLDEST_JTAG))
    {
      g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FIRMWARE_TOO_OLD,
                   _("This ST-LINK has firmware %s, which lacks the debug commands Kiln needs (they came with "
                     "V2J%u). Update the probe's firmware with ST's ST-LINK upgrade tool."),
                   self->firmware, KILN_STLINK_V2_OLDEST_JTAG);
      return NULL;
    }

  /* Leave whatever mode the probe is in. */
  kiln_stlink_cmd_get_current_mode (cmd);
  if (!command (self, cmd, answer, 2, error))
    return NULL;
  if (answer[0] == 0x00)
    {
      kiln_stlink_cmd_dfu_exit (cmd);
      if (!command (self, cmd, NULL, 0, error))
        return NULL;
    }
  else if (answer[0] == 0x02)
    {
      kiln_stlink_cmd_debug_exit (cmd);
      if (!command (self, cmd, NULL, 0, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

const KilnStlinkVersion *
kiln_stlink_get_version (KilnStlink *self)
{
  return &self->version;
}

const char *
kiln_stlink_get_firmware (KilnStlink *self)
{
  return self->firmware;
}

KilnUsbDevice *
kiln_stlink_get_device (KilnStlink *self)
{
  return self->device;
}

guint
kiln_stlink_get_swd_khz (KilnStlink *self)
{
  return self->swd_khz;
}

gboolean
kiln_stlink_read_voltage (KilnStlink  *self,
                          double      *volts,
                          GError     **error)
{
  KilnStlinkCmd cmd;
  guint8 answer[8];

  if (!kiln_stlink_has_feature (&self->version, KILN_STLINK_FEATURE_TARGET_VOLTAGE))
    {
      g_autofree char *why = kiln_stlink_feature_missing (&self->version, KILN_STLINK_FEATURE_TARGET_VOLTAGE);

      g_set_error_literal (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FIRMWARE_TOO_OLD, why);
      return FALSE;
    }
  kiln_stlink_cmd_get_target_voltage (cmd);
  if (!command (self, cmd, answer, 8, error))
    return FALSE;
  *volts = kiln_stlink_decode_voltage (answer);
  return TRUE;
}

/* When the target does not answer, its supply is the first suspect: say so
 * when the probe measures none. */
static void
blame_power (KilnStlink  *self,
             GError     **error)
{
  double volts = 0;

  if (error == NULL || !g_error_matches (*error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET))
    return;
  if (!kiln_stlink_has_feature (&self->version, KILN_STLINK_FEATURE_TARGET_VOLTAGE)
      || !kiln_stlink_read_voltage (self, &volts, NULL) || volts >= 1.5)
    return;
  g_clear_error (error);
  g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET_VOLTAGE,
               _("The target has no power (the probe measures %.2f V): power the board and check that the "
                 "probe's VCC pin is connected to it"), volts);
}

gboolean
kiln_stlink_set_nrst (KilnStlink  *self,
                      gboolean     asserted,
                      GError     **error)
{
  KilnStlinkCmd cmd;

  kiln_stlink_cmd_drive_nrst (cmd, asserted ? 0 : 1);
  return simple (self, cmd, error);
}

gboolean
kiln_stlink_connect (KilnStlink  *self,
                     guint        khz,
                     gboolean     under_reset,
                     GError     **error)
{
  KilnStlinkCmd cmd;
  guint8 answer[12];

  if (self->version.hw >= 3)
    {
      kiln_stlink_cmd_set_com_freq (cmd, khz);
      if (!command (self, cmd, answer, 8, error) || !status_ok (answer[0], error))
        return FALSE;
      self->swd_khz = kiln_stlink_decode_u32 (answer + 4);
    }
  else if (kiln_stlink_has_feature (&self->version, KILN_STLINK_FEATURE_SWD_SET_FREQ))
    {
      kiln_stlink_cmd_swd_set_freq (cmd, kiln_stlink_swd_divisor (khz, &self->swd_khz));
      if (!simple (self, cmd, error))
        return FALSE;
    }
  else
    self->swd_khz = KILN_STLINK_FIXED_SWD_KHZ;

  if (under_reset)
    {
      self->in_debug = TRUE;
      if (!kiln_stlink_set_nrst (self, TRUE, error))
        return FALSE;
    }

  kiln_stlink_cmd_enter_swd (cmd);
  if (!command (self, cmd, answer, 2, error))
    return FALSE;
  self->in_debug = TRUE;
  if (!status_ok (answer[0], error))
    {
      blame_power (self, error);
      return FALSE;
    }

  /* AP 0 is the firmware's own until J37 (V3J7), which refuses access to
   * an AP nobody opened: opened only there (a round trip saved before). */
  if (kiln_stlink_has_feature (&self->version, KILN_STLINK_FEATURE_AP_MUST_INIT))
    {
      kiln_stlink_cmd_init_ap (cmd, 0);
      if (!simple (self, cmd, error))
        return FALSE;
    }

  /* ENTER has read the DP's IDCODE already (its status says whether the
   * target answered): READ_IDCODES waits until someone asks for it. */
  return TRUE;
}

gboolean
kiln_stlink_read_idcode (KilnStlink  *self,
                         guint32     *idcode,
                         GError     **error)
{
  KilnStlinkCmd cmd;
  guint8 answer[12];

  kiln_stlink_cmd_read_idcodes (cmd);
  if (!command (self, cmd, answer, 12, error))
    return FALSE;
  if (!status_ok (answer[0], error))
    {
      blame_power (self, error);
      return FALSE;
    }
  *idcode = kiln_stlink_decode_u32 (answer + 4);
  return TRUE;
}

static gboolean
last_status (KilnStlink  *self,
             guint32      address,
             guint8      *status,
             GError     **error)
{
  KilnStlinkCmd cmd;
  guint8 answer[12];
  gboolean v2 = kiln_stlink_has_feature (&self->version, KILN_STLINK_FEATURE_RW_STATUS2);

  kiln_stlink_cmd_last_rw_status (cmd, v2);
  if (!command (self, cmd, answer, v2 ? 12 : 2, error))
    return FALSE;
  *status = answer[0];
  if (*status == KILN_STLINK_STATUS_OK || kiln_stlink_status_is_wait (*status))
    return TRUE;
  if (*status == 0x11)
    g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FAULT,
                 _("The target refused the access at 0x%08X: the memory is read-protected or not there"),
                 v2 ? kiln_stlink_decode_u32 (answer + 4) : address);
  else
    status_ok (*status, error);
  return FALSE;
}

/* After the target answered WAIT on its bus at @address: sleeps before
 * attempt @attempt + 1 (1, 2, 4… ms) and returns TRUE, or, once the
 * retries are spent, sets @error and returns FALSE. */
static gboolean
wait_and_retry (guint     attempt,
                guint32   address,
                GError  **error)
{
  if (attempt >= WAIT_RETRIES)
    {
      g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_WAIT,
                   _("The target kept the bus busy at 0x%08X: it may be stuck in a flash operation; reset it and retry"),
                   address);
      return FALSE;
    }
  g_usleep ((1u << attempt) * 1000);
  return TRUE;
}

/* One command of @size-byte accesses (at most KILN_STLINK_MAX_RW32 bytes
 * inside one 1 KiB block, or the firmware's 8-bit limit), retried while
 * the target answers WAIT. */
static gboolean
transfer (KilnStlink   *self,
          gboolean      write,
          guint32       address,
          guint8       *buffer,
          gsize         length,
          guint         size,
          GError      **error)
{
  for (guint attempt = 0;; attempt++)
    {
      KilnStlinkCmd cmd;
      guint8 status;

      if (write)
        {
          if (size == 4)
            kiln_stlink_cmd_write_mem32 (cmd, address, (guint16) length);
          else if (size == 2)
            kiln_stlink_cmd_write_mem16 (cmd, address, (guint16) length);
          else
            kiln_stlink_cmd_write_mem8 (cmd, address, (guint16) length);
          if (!command (self, cmd, NULL, 0, error) || !kiln_usb_device_write (self->device, buffer, length, error))
            return FALSE;
        }
      else
        {
          g_autofree guint8 *tmp = g_malloc (MAX (length, 2));

          if (size == 4)
            kiln_stlink_cmd_read_mem32 (cmd, address, (guint16) length);
          else if (size == 2)
            kiln_stlink_cmd_read_mem16 (cmd, address, (guint16) length);
          else
            kiln_stlink_cmd_read_mem8 (cmd, address, (guint16) length);
          /* One byte comes back as two. */
          if (!command (self, cmd, tmp, length == 1 ? 2 : length, error))
            return FALSE;
          memcpy (buffer, tmp, length);
        }

      if (!last_status (self, address, &status, error))
        return FALSE;
      if (status == KILN_STLINK_STATUS_OK)
        return TRUE;
      if (!wait_and_retry (attempt, address, error))
        return FALSE;
    }
}

/* The most bytes one 8-bit command may carry: 64 on V2 and V2-1, 512 on V3
 * from J6 (reads kept under 256: V3J7 fails longer 8-bit reads). */
static gsize
max_bytes8 (KilnStlink *self,
            gboolean    write)
{
  if (self->version.hw >= 3 && self->version.jtag >= 6)
    return write ? 512 : 252;
  return 64;
}

static gboolean
memory (KilnStlink      *self,
        gboolean         write,
        guint32          address,
        guint8          *buffer,
        gsize            length,
        KilnStlinkWidth  width,
        GError         **error)
{
  guint unit = width;

  g_return_val_if_fail (width == KILN_STLINK_WIDTH_8 || width == KILN_STLINK_WIDTH_16
                        || width == KILN_STLINK_WIDTH_32, FALSE);

  if (unit == 2 && !kiln_stlink_has_feature (&self->version, KILN_STLINK_FEATURE_MEM_16BIT))
    unit = 1;

  while (length > 0)
    {
      gsize chunk;
      guint size;

      if (unit > 1 && address % unit == 0 && length >= unit)
        {
          /* Whole units, never across a 1 KiB boundary (the AP's address
           * only counts up within one). */
          size = unit;
          chunk = MIN (length - length % unit, (gsize) KILN_STLINK_MAX_RW32);
          chunk = MIN (chunk, (gsize) (0x400 - (address & 0x3FF)));
        }
      else
        {
          /* Bytes: the unaligned head or the short tail of a wider access,
           * or everything at 8 bits. */
          size = 1;
          chunk = unit > 1 ? MIN (length, (gsize) (unit - address % unit)) : length;
          chunk = MIN (chunk, max_bytes8 (self, write));
        }
      if (!transfer (self, write, address, buffer, chunk, size, error))
        {
          blame_power (self, error);
          return FALSE;
        }
      address += (guint32) chunk;
      buffer += chunk;
      length -= chunk;
    }
  return TRUE;
}

gboolean
kiln_stlink_read_mem (KilnStlink  *self,
                      guint32      address,
                      guint8      *buffer,
                      gsize        length,
                      GError     **error)
{
  return memory (self, FALSE, address, buffer, length, KILN_STLINK_WIDTH_32, error);
}

gboolean
kiln_stlink_write_mem (KilnStlink    *self,
                       guint32        address,
                       const guint8  *buffer,
                       gsize          length,
                       GError       **error)
{
  return memory (self, TRUE, address, (guint8 *) buffer, length, KILN_STLINK_WIDTH_32, error);
}

gboolean
kiln_stlink_read_unchecked (KilnStlink  *self,
                            guint32      address,
                            guint8      *buffer,
                            gsize        length,
                            GError     **error)
{
  KilnStlinkCmd cmd;

  g_return_val_if_fail (address % 4 == 0 && length % 4 == 0 && length > 0, FALSE);
  g_return_val_if_fail (length <= KILN_STLINK_MAX_RW32 && (address & 0x3FF) + length <= 0x400, FALSE);

  kiln_stlink_cmd_read_mem32 (cmd, address, (guint16) length);
  return command (self, cmd, buffer, length, error);
}

gboolean
kiln_stlink_check_read (KilnStlink  *self,
                        guint32      address,
                        gboolean    *again,
                        GError     **error)
{
  guint8 status;

  *again = FALSE;
  if (!last_status (self, address, &status, error))
    {
      blame_power (self, error);
      return FALSE;
    }
  *again = status != KILN_STLINK_STATUS_OK;
  return TRUE;
}

/* The commands of a stream write, without a status query. */
static gboolean
stream_commands (KilnStlink    *self,
                 guint32        address,
                 const guint8  *buffer,
                 gsize          length,
                 GError       **error)
{
  for (gsize done = 0; done < length;)
    {
      KilnStlinkCmd cmd;
      gsize chunk = MIN (length - done, (gsize) KILN_STLINK_MAX_STREAM_WRITE);

      kiln_stlink_cmd_write_mem32 (cmd, address + (guint32) done, (guint16) chunk);
      if (!command (self, cmd, NULL, 0, error)
          || !kiln_usb_device_write (self->device, buffer + done, chunk, error))
        return FALSE;
      done += chunk;
    }
  return TRUE;
}

gboolean
kiln_stlink_write_stream_unchecked (KilnStlink    *self,
                                    guint32        address,
                                    const guint8  *buffer,
                                    gsize          length,
                                    GError       **error)
{
  g_return_val_if_fail (address % 4 == 0 && length % 4 == 0, FALSE);

  return stream_commands (self, address, buffer, length, error);
}

gboolean
kiln_stlink_write_stream (KilnStlink    *self,
                          guint32        address,
                          const guint8  *buffer,
                          gsize          length,
                          GError       **error)
{
  g_return_val_if_fail (address % 4 == 0 && length % 4 == 0, FALSE);

  for (guint attempt = 0;; attempt++)
    {
      guint8 status;

      if (!stream_commands (self, address, buffer, length, error))
        return FALSE;
      if (!last_status (self, address, &status, error))
        {
          blame_power (self, error);
          return FALSE;
        }
      if (status == KILN_STLINK_STATUS_OK)
        return TRUE;
      if (!wait_and_retry (attempt, address, error))
        return FALSE;
    }
}

gboolean
kiln_stlink_read_mem_width (KilnStlink       *self,
                            guint32           address,
                            guint8           *buffer,
                            gsize             length,
                            KilnStlinkWidth   width,
                            GError          **error)
{
  return memory (self, FALSE, address, buffer, length, width, error);
}

gboolean
kiln_stlink_write_mem_width (KilnStlink       *self,
                             guint32           address,
                             const guint8     *buffer,
                             gsize             length,
                             KilnStlinkWidth   width,
                             GError          **error)
{
  return memory (self, TRUE, address, (guint8 *) buffer, length, width, error);
}

gboolean
kiln_stlink_read16 (KilnStlink  *self,
                    guint32      address,
                    guint16     *value,
                    GError     **error)
{
  guint8 b[2];

  if (!memory (self, FALSE, address, b, 2, KILN_STLINK_WIDTH_16, error))
    return FALSE;
  *value = (guint16) (b[0] | b[1] << 8);
  return TRUE;
}

gboolean
kiln_stlink_write16 (KilnStlink  *self,
                     guint32      address,
                     guint16      value,
                     GError     **error)
{
  guint8 b[2] = { value & 0xFF, value >> 8 };

  return memory (self, TRUE, address, b, 2, KILN_STLINK_WIDTH_16, error);
}

/* One aligned word through READDEBUGREG/WRITEDEBUGREG: the answer carries
 * the transfer's status, so a word costs one command instead of a memory
 * command and a status query (twice as fast on a full-speed probe, where
 * every command takes a millisecond). */
static gboolean
debug_word (KilnStlink  *self,
            gboolean     write,
            guint32      address,
            guint32     *value,
            GError     **error)
{
  for (guint attempt = 0;; attempt++)
    {
      KilnStlinkCmd cmd;
      guint8 answer[8];
      guint8 status;

      if (write)
        kiln_stlink_cmd_write_debug_reg (cmd, address, *value);
      else
        kiln_stlink_cmd_read_debug_reg (cmd, address);
      if (!command (self, cmd, answer, write ? 2 : 8, error))
        return FALSE;
      status = answer[0];
      if (status == KILN_STLINK_STATUS_OK)
        {
          if (!write)
            *value = kiln_stlink_decode_u32 (answer + 4);
          return TRUE;
        }
      if (status == 0x11)
        {
          g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FAULT,
                       _("The target refused the access at 0x%08X: the memory is read-protected or not there"),
                       address);
          return FALSE;
        }
      if (!kiln_stlink_status_is_wait (status))
        return status_ok (status, error);
      if (!wait_and_retry (attempt, address, error))
        return FALSE;
    }
}

gboolean
kiln_stlink_read32 (KilnStlink  *self,
                    guint32      address,
                    guint32     *value,
                    GError     **error)
{
  guint8 b[4];

  if (address % 4 == 0)
    {
      if (debug_word (self, FALSE, address, value, error))
        return TRUE;
      blame_power (self, error);
      return FALSE;
    }
  if (!kiln_stlink_read_mem (self, address, b, 4, error))
    return FALSE;
  *value = kiln_stlink_decode_u32 (b);
  return TRUE;
}

gboolean
kiln_stlink_write32 (KilnStlink  *self,
                     guint32      address,
                     guint32      value,
                     GError     **error)
{
  guint8 b[4];

  kiln_stlink_encode_u32 (b, value);
  if (address % 4 == 0)
    {
      if (debug_word (self, TRUE, address, &value, error))
        return TRUE;
      blame_power (self, error);
      return FALSE;
    }
  return kiln_stlink_write_mem (self, address, b, 4, error);
}

/* Words one command each. */
static gboolean
words_one_by_one (KilnStlink     *self,
                  KilnStlinkWord *words,
                  guint           n,
                  GError        **error)
{
  for (guint i = 0; i < n; i++)
    {
      GError *local_error = NULL;
      gboolean ok = words[i].write ? kiln_stlink_write32 (self, words[i].address, words[i].value, &local_error)
                                   : kiln_stlink_read32 (self, words[i].address, &words[i].value, &local_error);

      if (ok)
        continue;
      if (!words[i].may_fail)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      g_error_free (local_error);
    }
  return TRUE;
}

/* At most KILN_STLINK_MISC_MAX_V2 words in one RW_MISC_OUT / RW_MISC_IN
 * pair; *@done says how many went through (the rest: a WAIT). */
static gboolean
words_batch (KilnStlink     *self,
             KilnStlinkWord *words,
             guint           n,
             guint          *done,
             GError        **error)
{
  guint items = 0;
  g_autofree guint8 *ops = NULL;
  g_autofree guint8 *answer = NULL;
  g_autofree guint *item_of = g_new (guint, n);
  gsize out_len;
  KilnStlinkCmd cmd;

  for (guint i = 0; i < n; i++)
    {
      /* A write is two items: its address, then its value. */
      items += words[i].write ? 2 : 1;
      item_of[i] = items - 1;
    }
  out_len = ((items + 3) & ~3u) + 4 * (gsize) items;
  ops = g_malloc0 (out_len);
  answer = g_malloc0 (8 * (gsize) items);
  {
    guint8 *operands = ops + ((items + 3) & ~3u);
    guint k = 0;

    for (guint i = 0; i < n; i++)
      {
        if (words[i].write)
          {
            ops[k] = KILN_STLINK_MISC_ADDRESS;
            kiln_stlink_encode_u32 (operands + 4 * k++, words[i].address);
            ops[k] = KILN_STLINK_MISC_WRITE;
            kiln_stlink_encode_u32 (operands + 4 * k++, words[i].value);
          }
        else
          {
            ops[k] = KILN_STLINK_MISC_READ;
            kiln_stlink_encode_u32 (operands + 4 * k++, words[i].address);
          }
      }
  }

  kiln_stlink_cmd_rw_misc_out (cmd, items);
  if (!command (self, cmd, NULL, 0, error) || !kiln_usb_device_write (self->device, ops, out_len, error))
    return FALSE;
  kiln_stlink_cmd_rw_misc_in (cmd);
  if (!command (self, cmd, answer, 8 * (gsize) items, error))
    return FALSE;

  *done = 0;
  for (guint i = 0; i < n; i++)
    {
      guint k = item_of[i];
      guint8 status = answer[4 * (gsize) items + 4 * (gsize) k];

      /* A write's address item answers too. */
      if (words[i].write && answer[4 * (gsize) items + 4 * (gsize) (k - 1)] != KILN_STLINK_STATUS_OK)
        status = answer[4 * (gsize) items + 4 * (gsize) (k - 1)];
      if (status == KILN_STLINK_STATUS_OK || words[i].may_fail)
        {
          if (!words[i].write)
            words[i].value = kiln_stlink_decode_u32 (answer + 4 * (gsize) k);
          *done = i + 1;
          continue;
        }
      if (kiln_stlink_status_is_wait (status))
        return TRUE;
      if (status == 0x11)
        g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FAULT,
                     _("The target refused the access at 0x%08X: the memory is read-protected or not there"),
                     words[i].address);
      else
        status_ok (status, error);
      blame_power (self, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
kiln_stlink_words (KilnStlink     *self,
                   KilnStlinkWord *words,
                   guint           n,
                   GError        **error)
{
  /* A batch costs two commands: for one or two words, one each is as cheap. */
  if (n <= 2 || !kiln_stlink_has_feature (&self->version, KILN_STLINK_FEATURE_RW_MISC))
    return words_one_by_one (self, words, n, error);
  while (n > 0)
    {
      guint take = MIN (n, (guint) KILN_STLINK_MISC_MAX_V2 / 2), done = 0;

      if (!words_batch (self, words, take, &done, error))
        return FALSE;
      if (done < take)
        {
          /* A WAIT: that word and the rest of this batch one at a time. */
          if (!words_one_by_one (self, words + done, take - done, error))
            return FALSE;
        }
      words += take;
      n -= take;
    }
  return TRUE;
}

void
kiln_stlink_close (KilnStlink *self)
{
  KilnStlinkCmd cmd;

  if (!self->in_debug)
    return;
  kiln_stlink_cmd_debug_exit (cmd);
  command (self, cmd, NULL, 0, NULL);
  self->in_debug = FALSE;
}
