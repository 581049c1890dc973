/* kiln-production-job.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-flash-option-bytes.h"
#include "kiln-flash-otp.h"
#include "kiln-job-error.h"
#include "kiln-production-diagnosis.h"
#include "kiln-production-job.h"
#include "kiln-production-signature.h"

KilnProductionJob *
kiln_production_job_new (KilnProductionProfile *profile,
                         KilnProductionRecord  *record,
                         KilnSerialAllocator   *allocator,
                         KilnUsbProbeInfo      *info,
                         const char            *station)
{
  KilnProductionJob *job = g_new0 (KilnProductionJob, 1);

  job->profile = g_object_ref (profile);
  job->record = g_object_ref (record);
  if (allocator != NULL)
    job->allocator = g_object_ref (allocator);
  else if (kiln_production_profile_get_serial (profile)->source != KILN_SERIAL_SOURCE_NONE)
    {
      g_autofree char *list = kiln_production_profile_dup_list_path (profile);

      job->allocator = kiln_serial_allocator_new (record, kiln_production_profile_get_serial (profile), list);
    }
  kiln_job_probe_init (&job->probe, info);
  job->station = g_strdup (station);
  return job;
}

void
kiln_production_job_free (KilnProductionJob *job)
{
  if (job == NULL)
    return;
  g_clear_object (&job->profile);
  g_clear_object (&job->record);
  g_clear_object (&job->allocator);
  kiln_job_probe_clear (&job->probe);
  g_free (job->station);
  g_free (job->slot);
  g_free (job->operator_name);
  g_clear_pointer (&job->entry, kiln_production_entry_free);
  g_clear_pointer (&job->serial, kiln_serial_allocation_free);
  g_free (job);
}

gboolean
kiln_production_check_chip (const char  *expected,
                            KilnChip    *chip,
                            GError     **error)
{
  const KilnChipPart *part;
  const KilnChipLine *line = kiln_chip_get_line (chip);

  if (expected == NULL)
    return TRUE;
  part = kiln_chip_db_find_part (expected);
  if (part != NULL ? part->dev_id == kiln_chip_get_dev_id (chip) && part->flash_kib == kiln_chip_get_flash_kib (chip)
                   : g_ascii_strcasecmp (expected, line->line) == 0)
    return TRUE;
  g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_WRONG_CHIP,
               _("This board carries an %s with %u KiB of flash, but the profile is for an %s: nothing was programmed. "
                 "Set the board aside for an engineer."),
               line->line, kiln_chip_get_flash_kib (chip), expected);
  return FALSE;
}

static guint
rdp_level (guint32 optcr)
{
  guint8 rdp = (optcr >> 8) & 0xFF;

  return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

/* "rdp=0 wrp=none optcr=0x… optcr1=0x…" */
static char *
describe_option_bytes (KilnChip *chip,
                       guint32   optcr,
                       guint32   optcr1,
                       guint32   wrp)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean any = FALSE;

  g_string_append_printf (out, "rdp=%u wrp=", rdp_level (optcr));
  for (guint i = 0; i < 32; i++)
    if (wrp & (1u << i))
      {
        g_string_append_printf (out, "%s%u", any ? "," : "", i);
        any = TRUE;
      }
  if (!any)
    g_string_append (out, "none");
  g_string_append_printf (out, " optcr=0x%08X optcr1=0x%08X", optcr, optcr1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static guint32
protected_mask (KilnArmTarget *target)
{
  g_autoptr(GArray) protected = kiln_arm_target_dup_protected (target);
  KilnChip *chip = kiln_arm_target_get_chip (target);
  guint32 mask = 0;

  for (guint i = 0; protected != NULL && i < protected->len; i++)
    {
      guint position = g_array_index (protected, guint, i);
      const KilnSector *sector = kiln_chip_get_sector (chip, position);

      if (sector != NULL && sector->index < 32)
        mask |= 1u << sector->index;
    }
  return mask;
}

/* A serial number outside the flash goes to the OTP area (the profile
 * accepts no other place). */
static gboolean
serial_in_otp (const KilnSerialSettings *serial)
{
  return serial->source != KILN_SERIAL_SOURCE_NONE && (serial->address < 0x08000000u || serial->address >= 0x10000000u);
}

/* Whether the board's OTP can take the serial number: its slot erased, or
 * holding this very number (a board that comes back). Checked before
 * anything is programmed. */
static gboolean
check_otp_slot (KilnProductionJob  *job,
                KilnArmTarget      *target,
                GError            **error)
{
  const KilnSerialSettings *serial = kiln_production_profile_get_serial (job->profile);
  KilnFlashOtp otp;
  gsize size;
  const guint8 *data = g_bytes_get_data (job->serial->bytes, &size);

  if (!kiln_flash_otp_read (target, &otp, error))
    return FALSE;
  if (!kiln_flash_otp_check_write (&otp, serial->address, data, size, error))
    {
      g_prefix_error (error, _("Serial number %s cannot go to the OTP at 0x%08X, so nothing was programmed: "),
                      job->serial->value, serial->address);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_identified (KilnFlashJob   *flash_job,
               KilnArmTarget  *target,
               gpointer        user_data,
               GError        **error)
{
  KilnProductionJob *job = user_data;
  KilnProductionEntry *entry = job->entry;
  KilnChip *chip = kiln_arm_target_get_chip (target);
  const KilnOptionBytesExpectation *expected = kiln_production_profile_get_option_bytes (job->profile);
  const KilnSerialSettings *serial = kiln_production_profile_get_serial (job->profile);
  guint32 wrp = protected_mask (target);
  guint rdp = kiln_arm_target_get_rdp_level (target);

  entry->chip_uid = g_strdup (kiln_arm_target_get_uid (target));
  entry->chip = g_strdup (kiln_chip_get_name (chip));
  entry->revision = g_strdup (kiln_arm_target_get_revision (target));
  entry->option_bytes = describe_option_bytes (chip, kiln_arm_target_get_optcr (target),
                                               kiln_arm_target_get_optcr1 (target), wrp);

  if (!kiln_production_check_chip (kiln_production_profile_get_chip (job->profile), chip, error))
    return FALSE;

  if (expected->rdp >= 0 && (guint) expected->rdp != rdp)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_OPTION_BYTES,
                   _("The chip's read protection is level %u, but the profile expects level %d: nothing was "
                     "programmed. Set the board aside for an engineer."),
                   rdp, expected->rdp);
      return FALSE;
    }
  if (expected->wrp_enforced && expected->wrp != wrp)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_OPTION_BYTES,
                   _("The chip's write protection (%s) is not what the profile expects: nothing was programmed. Set "
                     "the board aside for an engineer."),
                   entry->option_bytes);
      return FALSE;
    }

  if (job->allocator != NULL)
    {
      KilnImage *with_serial;
      gsize size;
      const guint8 *data;

      job->serial = kiln_serial_allocator_allocate (job->allocator, entry->chip_uid, job->station,
                                                    entry->probe_serial, error);
      if (job->serial == NULL)
        return FALSE;
      entry->serial_number = g_strdup (job->serial->value);
      if (serial_in_otp (serial))
        return check_otp_slot (job, target, error);
      data = g_bytes_get_data (job->serial->bytes, &size);
      /* Translators: the name of the piece of the image that holds the serial number */
      with_serial = kiln_image_new_with_data (flash_job->image, serial->address, data, size, _("serial number"), error);
      if (with_serial == NULL)
        return FALSE;
      g_object_unref (flash_job->image);
      flash_job->image = with_serial;
    }
  return TRUE;
}

/* The option bytes the profile sets once the board is programmed and
 * verified (read protection for the shipped product, say), read back. */
static gboolean
set_option_bytes (KilnProductionJob  *job,
                  KilnArmTarget      *target,
                  GError            **error)
{
  const KilnOptionBytesExpectation *ob = kiln_production_profile_get_option_bytes (job->profile);
  KilnChip *chip = kiln_arm_target_get_chip (target);
  KilnOptionBytes now, wanted, after;
  g_autoptr(GError) local = NULL;

  if (!kiln_option_bytes_read (target, &now, error))
    return FALSE;
  wanted = now;
  for (guint i = 0; ob->set[i] != NULL; i++)
    if (!kiln_option_bytes_set (&wanted, chip, ob->set[i], error))
      return FALSE;
  kiln_option_bytes_encode (&wanted);
  if (!kiln_option_bytes_write (target, &wanted, TRUE, ob->allow_irreversible, NULL, &after, &local))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_OPTION_BYTES,
                   _("The board was programmed and verified, but its option bytes could not be set: %s"),
                   local->message);
      return FALSE;
    }
  if (after.optcr != wanted.optcr || after.optcr1 != wanted.optcr1)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_OPTION_BYTES,
                   _("The board was programmed and verified, but its option bytes read back as OPTCR 0x%08X, OPTCR1 "
                     "0x%08X instead of 0x%08X, 0x%08X"),
                   after.optcr, after.optcr1, wanted.optcr, wanted.optcr1);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_otp_serial (KilnProductionJob  *job,
                  KilnArmTarget      *target,
                  GError            **error)
{
  const KilnSerialSettings *serial = kiln_production_profile_get_serial (job->profile);
  KilnFlashOtpResult result;
  gsize size;
  const guint8 *data = g_bytes_get_data (job->serial->bytes, &size);

  if (!kiln_flash_otp_write (target, serial->address, data, size, FALSE, &result, error))
    {
      g_prefix_error (error, _("The board was programmed and verified, but serial number %s could not be written to "
                               "the OTP at 0x%08X: "),
                      job->serial->value, serial->address);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_finished (KilnFlashJob   *flash_job,
             KilnArmTarget  *target,
             gpointer        user_data,
             GError        **error)
{
  KilnProductionJob *job = user_data;
  const KilnOptionBytesExpectation *ob = kiln_production_profile_get_option_bytes (job->profile);
  KilnOptionBytes now;
  gboolean ok = TRUE;

  /* The serial number goes to the OTP once the firmware is programmed and
   * verified, before option bytes may close the debug port; then the board
   * starts, with its number. */
  if (flash_job->programmed && job->serial != NULL
      && serial_in_otp (kiln_production_profile_get_serial (job->profile)))
    {
      ok = write_otp_serial (job, target, error);
      /* Reset halted, then run: the core may be halted at the firmware's
       * first instruction, and firmware that turns the SWD pins off must
       * not start before the reset is requested. */
      if (ok && kiln_production_profile_get_reset (job->profile) && (ob->set == NULL || ob->set[0] == NULL))
        ok = kiln_arm_reset_halt (target, error) && kiln_arm_resume (target, FALSE, error);
    }
  if (ok && flash_job->programmed && ob->set != NULL && ob->set[0] != NULL)
    ok = set_option_bytes (job, target, error);

  /* The option bytes as the controller holds them now, for the record. */
  if (kiln_option_bytes_read (target, &now, NULL))
    {
      KilnChip *chip = kiln_arm_target_get_chip (target);
      g_autoptr(GArray) protected = kiln_option_bytes_dup_protected (&now, chip);
      guint32 mask = 0;

      for (guint i = 0; protected != NULL && i < protected->len; i++)
        {
          const KilnSector *sector = kiln_chip_get_sector (chip, g_array_index (protected, guint, i));

          if (sector != NULL && sector->index < 32)
            mask |= 1u << sector->index;
        }
      g_free (job->entry->option_bytes);
      job->entry->option_bytes = describe_option_bytes (chip, now.optcr, now.optcr1, mask);
    }
  return ok;
}

gboolean
kiln_production_job_run (KilnSession   *session,
                         gpointer       data,
                         KilnProgress  *progress,
                         GCancellable  *cancellable,
                         GError       **error)
{
  KilnProductionJob *job = data;
  KilnProductionEntry *entry;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnFlashJob) flash_job = NULL;
  g_autoptr(GError) cause = NULL;
  g_autoptr(GError) record_error = NULL;
  g_autofree char *firmware = kiln_production_profile_dup_firmware_path (job->profile);
  gint64 start = g_get_monotonic_time ();

  g_clear_pointer (&job->entry, kiln_production_entry_free);
  g_clear_pointer (&job->serial, kiln_serial_allocation_free);
  entry = job->entry = kiln_production_entry_new ();
  entry->station = g_strdup (job->station);
  entry->profile = g_strdup (kiln_production_profile_get_name (job->profile));
  entry->probe_serial = g_strdup (kiln_usb_probe_info_get_serial (job->probe.info));
  entry->file_name = firmware ? g_path_get_basename (firmware) : NULL;
  entry->file_sha256 = g_strdup (kiln_production_profile_get_sha256 (job->profile));
  entry->slot = g_strdup (job->slot);
  entry->operator_name = g_strdup (job->operator_name);
  entry->profile_key = g_strdup (kiln_production_profile_get_signer (job->profile));
  entry->profile_sha256 = g_strdup (kiln_production_profile_get_signed_sha256 (job->profile));

  if (!kiln_production_profile_is_locked (job->profile))
    g_set_error_literal (&cause, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_NOT_LOCKED,
                         _("The production profile is not locked: an engineer must check and lock it before the line "
                           "uses it"));
  else
    image = kiln_production_profile_load_image (job->profile, &cause);

  if (image != NULL)
    {
      flash_job = kiln_flash_job_new (job->probe.info, image);
      flash_job->probe.khz = job->probe.khz;
      flash_job->probe.under_reset = job->probe.under_reset;
      flash_job->options.verify = kiln_production_profile_get_verify (job->profile);
      /* With the serial number in OTP, the board is reset once it is written. */
      flash_job->options.reset = kiln_production_profile_get_reset (job->profile)
                                 && !serial_in_otp (kiln_production_profile_get_serial (job->profile));
      flash_job->options.skip_unchanged = kiln_production_profile_get_skip_unchanged (job->profile);
      flash_job->options.vpp = kiln_production_profile_get_vpp (job->profile);
      flash_job->identified = on_identified;
      flash_job->finished = on_finished;
      flash_job->hook_data = job;
      kiln_flash_job_run (session, flash_job, progress, cancellable, &cause);
      memcpy (entry->phase_seconds, flash_job->phase_seconds, sizeof entry->phase_seconds);
    }

  entry->total_seconds = (g_get_monotonic_time () - start) / 1e6;
  entry->pass = cause == NULL;
  entry->cause = cause ? g_strdup (cause->message) : NULL;
  if (cause != NULL)
    {
      const char *code, *group;

      kiln_production_diagnose (cause, &code, &group);
      entry->cause_code = g_strdup (code);
      entry->cause_group = g_strdup (group);
    }

  if (!kiln_production_record_append (job->record, entry, job->serial ? job->serial->id : 0, &record_error))
    {
      g_propagate_error (error, g_steal_pointer (&record_error));
      return FALSE;
    }
  if (cause != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&cause));
      return FALSE;
    }
  return TRUE;
}

KilnProductionAction
kiln_production_action_for (const GError *error)
{
  if (error == NULL)
    return KILN_PRODUCTION_ACTION_NONE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED)
      || g_error_matches (error, KILN_JOB_ERROR, KILN_JOB_ERROR_CANCELLED))
    return KILN_PRODUCTION_ACTION_STOPPED;

  if (error->domain == KILN_PRODUCTION_ERROR)
    switch (error->code)
      {
      case KILN_PRODUCTION_ERROR_WRONG_CHIP:
      case KILN_PRODUCTION_ERROR_OPTION_BYTES:
        return KILN_PRODUCTION_ACTION_SET_ASIDE;
      case KILN_PRODUCTION_ERROR_LINE_UNREACHABLE:
        return KILN_PRODUCTION_ACTION_WAIT_FOR_LINE;
      default:
        return KILN_PRODUCTION_ACTION_CALL_ENGINEER;
      }

  if (error->domain == KILN_FLASH_ERROR)
    switch (error->code)
      {
      case KILN_FLASH_ERROR_PROTECTED:
      case KILN_FLASH_ERROR_READ_PROTECTED:
        return KILN_PRODUCTION_ACTION_SET_ASIDE;
      case KILN_FLASH_ERROR_PLAN:
        return KILN_PRODUCTION_ACTION_CALL_ENGINEER;
      case KILN_FLASH_ERROR_VOLTAGE:
        return KILN_PRODUCTION_ACTION_CHECK_POWER;
      default:
        return KILN_PRODUCTION_ACTION_RETRY;
      }

  if (error->domain == KILN_USB_ERROR)
    return KILN_PRODUCTION_ACTION_CHECK_CABLE;
  if (error->domain == KILN_STLINK_ERROR || error->domain == KILN_ARM_ERROR)
    return KILN_PRODUCTION_ACTION_RESEAT;
  return KILN_PRODUCTION_ACTION_RETRY;
}

const char *
kiln_production_action_text (KilnProductionAction action)
{
  switch (action)
    {
    case KILN_PRODUCTION_ACTION_NONE:
      return NULL;
    case KILN_PRODUCTION_ACTION_STOPPED:
      return _("The job was stopped before the end: program the board again.");
    case KILN_PRODUCTION_ACTION_SET_ASIDE:
      return _("Set the board aside for an engineer.");
    case KILN_PRODUCTION_ACTION_CALL_ENGINEER:
      return _("Stop the line and call the engineer: no board can be programmed until this is fixed.");
    case KILN_PRODUCTION_ACTION_CHECK_POWER:
      return _("Check the board's power supply, reseat the board and program it again.");
    case KILN_PRODUCTION_ACTION_CHECK_CABLE:
      return _("Check the probe's USB cable, then program the board again.");
    case KILN_PRODUCTION_ACTION_RESEAT:
      return _("Reseat the board (check the probe's cable and the board's power), then program it again.");
    case KILN_PRODUCTION_ACTION_WAIT_FOR_LINE:
      return _("Nothing was programmed: keep the board and program it again once the line database answers.");
    case KILN_PRODUCTION_ACTION_RETRY:
    default:
      return _("Program the board again; if it fails a second time, set it aside for an engineer.");
    }
}

const char *
kiln_production_advice (const GError *error)
{
  return kiln_production_action_text (kiln_production_action_for (error));
}

/* A board is there when the probe measures at least this on VCC. */
#define BOARD_VOLTS 1.5

KilnBoardWait *
kiln_board_wait_new (KilnUsbProbeInfo *info,
                     gboolean          after_removal)
{
  KilnBoardWait *wait = g_new0 (KilnBoardWait, 1);

  wait->info = g_object_ref (info);
  wait->after_removal = after_removal;
  wait->poll_ms = 100;
  return wait;
}

void
kiln_board_wait_free (KilnBoardWait *wait)
{
  if (wait == NULL)
    return;
  g_clear_object (&wait->info);
  g_free (wait->last_uid);
  g_free (wait);
}

void
kiln_board_wait_set_last_uid (KilnBoardWait *wait,
                              const char    *uid)
{
  g_free (wait->last_uid);
  wait->last_uid = g_strdup (uid);
}

/* Whether the board on the probe is another one than @uid: its UID, read
 * through a short debug connection (FALSE when it cannot be read). The same
 * board is let go again; another one is kept in hand (the probe stays in
 * debug mode) until the job takes it, so that the line does not take it
 * away as a board the station is done with. */
static gboolean
is_other_board (KilnUsbProbeInfo *info,
                const char       *uid)
{
  g_autoptr(KilnArmTarget) target = kiln_job_connect (info, 0, FALSE, NULL);

  if (target == NULL)
    return FALSE;
  if (g_strcmp0 (kiln_arm_target_get_uid (target), uid) != 0)
    return TRUE;
  kiln_stlink_close (kiln_arm_target_get_stlink (target));
  return FALSE;
}

gboolean
kiln_production_wait_for_board (KilnSession   *session,
                                gpointer       data,
                                KilnProgress  *progress,
                                GCancellable  *cancellable,
                                GError       **error)
{
  KilnBoardWait *wait = data;
  gboolean removed = !wait->after_removal;
  guint powered = 0;
  /* Polls of a board still there before the removal; the UID is read at
   * the first and then ever more rarely (at most every 32 polls), since
   * reading it takes the board in hand again as the job did. */
  guint still = 0, next_check = 0, interval = 4;

  while (!g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_autoptr(KilnStlink) stlink = kiln_job_open_probe (wait->info, error);
      double volts = 0;

      if (stlink == NULL || !kiln_stlink_read_voltage (stlink, &volts, error))
        return FALSE;
      g_clear_object (&stlink);

      if (volts < BOARD_VOLTS)
        {
          removed = TRUE;
          powered = 0;
        }
      else if (removed && ++powered >= 2)
        return TRUE;
      else if (!removed && wait->last_uid != NULL && still++ == next_check)
        {
          next_check += interval;
          interval = MIN (interval * 2, 32);
          if (is_other_board (wait->info, wait->last_uid))
            return TRUE;
        }
      g_usleep (wait->poll_ms * 1000);
    }
  return FALSE;
}
