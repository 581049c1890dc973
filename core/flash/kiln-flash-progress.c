/* kiln-flash-progress.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-flash-progress.h"

void
kiln_flash_progress_phase (const KilnFlashProgress *progress,
                           KilnFlashPhase           phase,
                           guint64                  total)
{
  if (progress != NULL && progress->phase != NULL)
    progress->phase (progress->user_data, phase, total);
}

void
kiln_flash_progress_bytes (const KilnFlashProgress *progress,
                           guint64                  done)
{
  if (progress != NULL && progress->bytes != NULL)
    progress->bytes (progress->user_data, done);
}

void
kiln_flash_progress_sector (const KilnFlashProgress *progress,
                            guint                    position,
                            KilnSectorState          state)
{
  if (progress != NULL && progress->sector != NULL)
    progress->sector (progress->user_data, position, state);
}

const char *
kiln_flash_phase_to_id (KilnFlashPhase phase)
{
  switch (phase)
    {
    case KILN_FLASH_PHASE_IDLE:         return "idle";
    case KILN_FLASH_PHASE_CONNECT:      return "connect";
    case KILN_FLASH_PHASE_PREFLIGHT:    return "preflight";
    case KILN_FLASH_PHASE_COMPARE:      return "compare";
    case KILN_FLASH_PHASE_ERASE:        return "erase";
    case KILN_FLASH_PHASE_PROGRAM:      return "program";
    case KILN_FLASH_PHASE_VERIFY:       return "verify";
    case KILN_FLASH_PHASE_READ:         return "read";
    case KILN_FLASH_PHASE_RESET:        return "reset";
    case KILN_FLASH_PHASE_OPTION_BYTES: return "option-bytes";
    case KILN_FLASH_PHASE_FINISHED:     return "finished";
    default:                            return "unknown";
    }
}

const char *
kiln_flash_phase_to_label (KilnFlashPhase phase)
{
  switch (phase)
    {
    case KILN_FLASH_PHASE_IDLE:         return _("Idle");
    case KILN_FLASH_PHASE_CONNECT:      return _("Connecting");
    case KILN_FLASH_PHASE_PREFLIGHT:    return _("Checking the target");
    case KILN_FLASH_PHASE_COMPARE:      return _("Comparing");
    case KILN_FLASH_PHASE_ERASE:        return _("Erasing");
    case KILN_FLASH_PHASE_PROGRAM:      return _("Writing");
    case KILN_FLASH_PHASE_VERIFY:       return _("Verifying");
    case KILN_FLASH_PHASE_READ:         return _("Reading");
    case KILN_FLASH_PHASE_RESET:        return _("Resetting");
    case KILN_FLASH_PHASE_OPTION_BYTES: return _("Writing option bytes");
    case KILN_FLASH_PHASE_FINISHED:     return _("Finished");
    default:                            return "";
    }
}

const char *
kiln_sector_state_to_id (KilnSectorState state)
{
  switch (state)
    {
    case KILN_SECTOR_STATE_UNTOUCHED: return "untouched";
    case KILN_SECTOR_STATE_PLANNED:   return "planned";
    case KILN_SECTOR_STATE_UNCHANGED: return "unchanged";
    case KILN_SECTOR_STATE_PROTECTED: return "protected";
    case KILN_SECTOR_STATE_ERASING:   return "erasing";
    case KILN_SECTOR_STATE_WRITING:   return "writing";
    case KILN_SECTOR_STATE_VERIFYING: return "verifying";
    case KILN_SECTOR_STATE_VERIFIED:  return "verified";
    case KILN_SECTOR_STATE_FAILED:    return "failed";
    case KILN_SECTOR_STATE_BLANK:     return "blank";
    default:                          return "unknown";
    }
}

const char *
kiln_sector_state_to_label (KilnSectorState state)
{
  switch (state)
    {
    case KILN_SECTOR_STATE_UNTOUCHED: return _("Untouched");
    case KILN_SECTOR_STATE_PLANNED:   return _("Will be erased and written");
    case KILN_SECTOR_STATE_UNCHANGED: return _("Unchanged");
    case KILN_SECTOR_STATE_PROTECTED: return _("Write-protected");
    case KILN_SECTOR_STATE_ERASING:   return _("Erasing");
    case KILN_SECTOR_STATE_WRITING:   return _("Writing");
    case KILN_SECTOR_STATE_VERIFYING: return _("Verifying");
    case KILN_SECTOR_STATE_VERIFIED:  return _("Verified");
    case KILN_SECTOR_STATE_FAILED:    return _("Failed");
    case KILN_SECTOR_STATE_BLANK:     return _("Blank: no erase needed");
    default:                          return "";
    }
}
