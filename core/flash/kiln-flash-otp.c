/* kiln-flash-otp.c — the one-time-programmable area, host-driven
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-flash-controller.h"
#include "kiln-flash-ops.h"
#include "kiln-flash-otp.h"
#include "kiln-stlink-protocol.h"

gboolean
kiln_flash_otp_get_line_layout (const KilnChipLine *line,
                                KilnFlashOtpLayout *layout)
{
  guint size = line->otp_size;

  memset (layout, 0, sizeof *layout);
  /* The chip database gives 1024 data bytes on F74x/F76x, and 528 bytes on
   * F72x/F2/F4: 512 data bytes with the 16 lock bytes. */
  if (size % 64 == 16)
    size -= KILN_FLASH_OTP_BLOCKS;
  if (line->otp_base == 0 || size == 0 || size > KILN_FLASH_OTP_MAX_SIZE || size % KILN_FLASH_OTP_BLOCKS != 0)
    return FALSE;
  layout->base = line->otp_base;
  layout->size = size;
  layout->block_size = size / KILN_FLASH_OTP_BLOCKS;
  layout->lock_base = line->otp_base + size;
  return TRUE;
}

gboolean
kiln_flash_otp_get_layout (KilnChip           *chip,
                           KilnFlashOtpLayout *layout,
                           GError            **error)
{
  const KilnChipLine *line = kiln_chip_get_line (chip);

  if (!kiln_flash_otp_get_line_layout (line, layout))
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   _("Kiln does not know the one-time-programmable area of the %s."), line->line);
      return FALSE;
    }
  return TRUE;
}

const KilnChipLine *
kiln_flash_otp_find_line (guint32 address,
                          gsize   length)
{
  for (guint i = 0; i < kiln_chip_db_get_n_lines (); i++)
    {
      const KilnChipLine *line = kiln_chip_db_get_line (i);
      KilnFlashOtpLayout l;

      if (kiln_flash_otp_get_line_layout (line, &l) && address >= l.base && address - l.base < l.size
          && length <= l.size - (address - l.base))
        return line;
    }
  return NULL;
}

GBytes *
kiln_flash_otp_parse_bytes (const char  *text,
                            GError     **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  int high = -1;

  for (const char *p = text; *p != '\0'; p++)
    {
      int v = g_ascii_xdigit_value (*p);

      if (v < 0)
        {
          if ((*p == ' ' || *p == ':' || *p == ',') && high < 0)
            continue;
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                       _("“%s” is not bytes in hexadecimal, like DEADBEEF or “de ad be ef”"), text);
          return NULL;
        }
      if (high < 0)
        high = v;
      else
        {
          guint8 b = (guint8) (high << 4 | v);

          g_byte_array_append (out, &b, 1);
          high = -1;
        }
    }
  if (high >= 0 || out->len == 0)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   _("“%s” is not whole bytes in hexadecimal, like DEADBEEF or “de ad be ef”"), text);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

int
kiln_flash_otp_block_at (const KilnFlashOtpLayout *layout,
                         guint32                   address)
{
  if (address < layout->base || address - layout->base >= layout->size)
    return -1;
  return (int) ((address - layout->base) / layout->block_size);
}

gboolean
kiln_flash_otp_is_locked (const KilnFlashOtp *otp,
                          guint               block)
{
  /* 0x00 locks; any other programmed value is treated as locked too, since
   * the block can no longer be trusted to accept programming. */
  return block < KILN_FLASH_OTP_BLOCKS && otp->locks[block] != 0xFF;
}

gboolean
kiln_flash_otp_read (KilnArmTarget  *target,
                     KilnFlashOtp   *otp,
                     GError        **error)
{
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  g_autoptr(GError) local_error = NULL;

  memset (otp, 0xFF, sizeof *otp);
  if (!kiln_flash_otp_get_layout (kiln_arm_target_get_chip (target), &otp->layout, error))
    return FALSE;
  if (!kiln_stlink_read_mem (stlink, otp->layout.base, otp->data, otp->layout.size, &local_error)
      || !kiln_stlink_read_mem (stlink, otp->layout.lock_base, otp->locks, KILN_FLASH_OTP_BLOCKS, &local_error))
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER,
                   _("The one-time-programmable area could not be read: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
kiln_flash_otp_check_write (const KilnFlashOtp *otp,
                            guint32             address,
                            const guint8       *data,
                            gsize               length,
                            GError            **error)
{
  const KilnFlashOtpLayout *l = &otp->layout;

  if (length == 0)
    {
      g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                           _("There are no bytes to write to the one-time-programmable area."));
      return FALSE;
    }
  if (address < l->base || address - l->base > l->size || length > l->size - (address - l->base))
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                   _("%zu bytes at 0x%08X do not fit in the one-time-programmable area "
                     "(0x%08X–0x%08X). Nothing was written."),
                   length, address, l->base, l->base + l->size - 1);
      return FALSE;
    }
  for (gsize i = 0; i < length; i++)
    {
      guint32 off = address - l->base + (guint32) i;
      guint block = off / l->block_size;
      guint8 now = otp->data[off];

      if (now == data[i])
        continue;
      if (kiln_flash_otp_is_locked (otp, block))
        {
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED,
                       _("OTP block %u (0x%08X–0x%08X) is locked: it can never be programmed again, and "
                         "0x%08X would change. Nothing was written."),
                       block, l->base + block * l->block_size, l->base + (block + 1) * l->block_size - 1,
                       l->base + off);
          return FALSE;
        }
      if (now != 0xFF)
        {
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED,
                       _("OTP block %u already holds 0x%02X at 0x%08X where 0x%02X was to be written: "
                         "one-time-programmable bytes cannot be changed once written. Nothing was written."),
                       block, now, l->base + off, data[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* Waits for one programming access; an error in words for the OTP. */
static gboolean
otp_wait (KilnFlashController *ctrl,
          guint32              address,
          GError             **error)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  for (;;)
    {
      guint32 sr;

      if (!kiln_stlink_read32 (ctrl->stlink, ctrl->regs + KILN_FLASH_SR, &sr, error))
        return FALSE;
      if (!(sr & KILN_FLASH_SR_BSY))
        {
          g_autofree char *why = NULL;

          if (!(sr & KILN_FLASH_SR_ERRORS))
            return TRUE;
          if (sr & KILN_FLASH_SR_WRPERR)
            {
              g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED,
                           _("The flash controller refused to program the OTP at 0x%08X (WRPERR): its block is "
                             "locked."),
                           address);
              return FALSE;
            }
          why = kiln_flash_describe_sr (sr, NULL);
          g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER,
                       _("Programming the OTP at 0x%08X failed. %s"), address, why);
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CONTROLLER,
                               _("The flash stayed busy while programming the OTP: power-cycle the board and try "
                                 "again"));
          return FALSE;
        }
    }
}

/* One programming access of @width bytes (1, 2 or 4) at the matching
 * PSIZE. */
static gboolean
program_unit (KilnFlashController *ctrl,
              guint32              address,
              const guint8        *bytes,
              guint                width,
              GError             **error)
{
  KilnFlashPsize psize = width == 4 ? KILN_FLASH_PSIZE_X32 : width == 2 ? KILN_FLASH_PSIZE_X16 : KILN_FLASH_PSIZE_X8;
  KilnStlinkWidth w = width == 4 ? KILN_STLINK_WIDTH_32 : width == 2 ? KILN_STLINK_WIDTH_16 : KILN_STLINK_WIDTH_8;

  return kiln_stlink_write32 (ctrl->stlink, ctrl->regs + KILN_FLASH_CR, ((guint32) psize << 8) | KILN_FLASH_CR_PG,
                              error)
         && kiln_stlink_write_mem_width (ctrl->stlink, address, bytes, width, w, error)
         && otp_wait (ctrl, address, error);
}

/* The pre-flight shared by writing and locking; halts the core and unlocks
 * the controller. */
static gboolean
begin (KilnArmTarget       *target,
       KilnFlashController *ctrl,
       KilnFlashPsize      *psize,
       gboolean            *was_running,
       GError             **error)
{
  KilnStlink *stlink = kiln_arm_target_get_stlink (target);
  double volts = 3.3;
  gboolean measured;

  if (kiln_arm_target_get_rdp_level (target) == 2)
    {
      g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_READ_PROTECTED,
                           _("The chip is at read protection level 2: the OTP cannot be programmed through a "
                             "debugger."));
      return FALSE;
    }
  /* A probe that cannot measure the supply (before V2J13): the width that
   * is safe at any supply. */
  measured = kiln_stlink_read_voltage (stlink, &volts, NULL);
  if (measured && volts < 1.8)
    {
      g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VOLTAGE,
                   _("The target supply is %.2f V, too low to program: check the board's power. Nothing was "
                     "written."),
                   volts);
      return FALSE;
    }
  *psize = measured ? kiln_flash_psize_for_voltage (volts, FALSE) : KILN_FLASH_PSIZE_X8;
  /* Halfwords need true 16-bit accesses from the probe; bytes always work. */
  if (*psize == KILN_FLASH_PSIZE_X16
      && !kiln_stlink_has_feature (kiln_stlink_get_version (stlink), KILN_STLINK_FEATURE_MEM_16BIT))
    *psize = KILN_FLASH_PSIZE_X8;

  kiln_flash_controller_init (ctrl, target);
  if (!kiln_flash_halt_core (target, was_running, error))
    return FALSE;
  return kiln_flash_controller_clear_errors (ctrl, error) && kiln_flash_controller_unlock (ctrl, error);
}

static void
end (KilnArmTarget       *target,
     KilnFlashController *ctrl,
     gboolean             was_running)
{
  if (ctrl->stlink == NULL)
    return;  /* refused before anything was touched */
  kiln_flash_controller_lock (ctrl);
  if (was_running)
    kiln_flash_resume_core (target);
}

static gboolean
lock_blocks (KilnFlashController *ctrl,
             const KilnFlashOtp  *otp,
             guint32              blocks,
             KilnFlashOtpResult  *result,
             GError             **error)
{
  static const guint8 zero = 0x00;

  for (guint b = 0; b < KILN_FLASH_OTP_BLOCKS; b++)
    {
      if (!(blocks & (1u << b)) || otp->locks[b] == 0x00)
        continue;
      if (!program_unit (ctrl, otp->layout.lock_base + b, &zero, 1, error))
        return FALSE;
      result->units++;
      result->locked |= 1u << b;
    }
  return TRUE;
}

static gboolean
check_locks (KilnFlashController *ctrl,
             guint32              lock_base,
             guint32              blocks,
             GError             **error)
{
  guint8 locks[KILN_FLASH_OTP_BLOCKS];

  if (!kiln_stlink_read_mem (ctrl->stlink, lock_base, locks, sizeof locks, error))
    return FALSE;
  for (guint b = 0; b < KILN_FLASH_OTP_BLOCKS; b++)
    if ((blocks & (1u << b)) && locks[b] != 0x00)
      {
        g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY,
                     _("The lock byte of OTP block %u reads 0x%02X after programming it to 0x00."), b, locks[b]);
        return FALSE;
      }
  return TRUE;
}

gboolean
kiln_flash_otp_write (KilnArmTarget      *target,
                      guint32             address,
                      const guint8       *data,
                      gsize               length,
                      gboolean            lock,
                      KilnFlashOtpResult *result,
                      GError            **error)
{
  KilnFlashController ctrl = { 0 };
  KilnFlashOtp otp;
  guint8 after[KILN_FLASH_OTP_MAX_SIZE];
  gboolean was_running = FALSE, ok = FALSE;
  guint32 touched = 0, first, last;
  guint unit;

  memset (result, 0, sizeof *result);
  /* The area as it is now: nothing is written if any byte is in the way. */
  if (!kiln_flash_otp_read (target, &otp, error) || !kiln_flash_otp_check_write (&otp, address, data, length, error))
    return FALSE;
  first = address - otp.layout.base;
  last = first + (guint32) length;
  for (guint32 off = first; off < last; off++)
    {
      touched |= 1u << (off / otp.layout.block_size);
      if (otp.data[off] == data[off - first])
        result->unchanged++;
    }

  /* A retry of a write that went through: nothing to do. */
  if (result->unchanged == length && !lock)
    return TRUE;

  if (!begin (target, &ctrl, &result->psize, &was_running, error))
    goto out;
  unit = 1u << MIN (result->psize, KILN_FLASH_PSIZE_X32);

  for (guint32 u = first - first % unit; u < last; u += unit)
    {
      guint8 bytes[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
      gboolean whole_erased = TRUE, any = FALSE;

      for (guint i = 0; i < unit; i++)
        {
          guint32 off = u + i;

          if (otp.data[off] != 0xFF)
            whole_erased = FALSE;
          if (off >= first && off < last && otp.data[off] != data[off - first])
            {
              bytes[i] = data[off - first];
              any = TRUE;
            }
        }
      if (!any)
        continue;
      if (whole_erased)
        {
          if (!program_unit (&ctrl, otp.layout.base + u, bytes, unit, error))
            goto out;
          result->units++;
          continue;
        }
      /* The unit shares bytes already programmed: only its erased bytes
       * are programmed, one at a time. */
      for (guint i = 0; i < unit; i++)
        if (bytes[i] != 0xFF)
          {
            if (!program_unit (&ctrl, otp.layout.base + u + i, &bytes[i], 1, error))
              goto out;
            result->units++;
          }
    }
  for (guint32 off = first; off < last; off++)
    if (otp.data[off] != data[off - first])
      result->written++;

  if (!kiln_stlink_read_mem (ctrl.stlink, address, after, length, error))
    goto out;
  for (gsize i = 0; i < length; i++)
    if (after[i] != data[i])
      {
        g_set_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY,
                     _("The OTP reads 0x%02X at 0x%08X after programming 0x%02X. OTP cannot be written again: "
                       "set the board aside for an engineer."),
                     after[i], address + (guint32) i, data[i]);
        goto out;
      }

  if (lock && !(lock_blocks (&ctrl, &otp, touched, result, error) && check_locks (&ctrl, otp.layout.lock_base, touched, error)))
    goto out;
  ok = TRUE;

out:
  end (target, &ctrl, was_running);
  return ok;
}

gboolean
kiln_flash_otp_lock (KilnArmTarget      *target,
                     guint32             blocks,
                     KilnFlashOtpResult *result,
                     GError            **error)
{
  KilnFlashController ctrl = { 0 };
  KilnFlashOtp otp;
  gboolean was_running = FALSE, ok = FALSE;

  memset (result, 0, sizeof *result);
  if (blocks == 0 || blocks >= (1u << KILN_FLASH_OTP_BLOCKS))
    {
      g_set_error_literal (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN,
                           _("OTP blocks are numbered 0 to 15. Nothing was locked."));
      return FALSE;
    }
  if (!kiln_flash_otp_read (target, &otp, error))
    return FALSE;
  if (!begin (target, &ctrl, &result->psize, &was_running, error))
    goto out;
  ok = lock_blocks (&ctrl, &otp, blocks, result, error) && check_locks (&ctrl, otp.layout.lock_base, blocks, error);

out:
  end (target, &ctrl, was_running);
  return ok;
}
