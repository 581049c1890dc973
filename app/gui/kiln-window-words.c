/* kiln-window-words.c — what the window says for an engine's error
 *
 * The engine's messages are written for every front end; a few name the
 * command-line tool's way out ("kiln-cli option-bytes set …") or a probe's
 * status code. Beside the window's own Option Bytes… button and Retry, the
 * window says the same in its own words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-window-private.h"

char *
_kiln_window_dup_error_words (KilnWindow   *self,
                              const GError *error)
{
  gboolean names_cli = strstr (error->message, "kiln-cli") != NULL;

  if (g_error_matches (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET))
    return g_strdup (_("The chip does not answer on SWD. Check that the board is powered and wired to the probe "
                       "(SWDIO, SWCLK, GND); if its firmware turns the SWD pins off, connect under reset."));
  if (names_cli && (g_error_matches (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_READ_PROTECTED)
                    || g_error_matches (error, KILN_ARM_ERROR, KILN_ARM_ERROR_READ_PROTECTED)))
    return g_strdup (_("The chip is read-protected (level 1): its flash can be neither read nor written through "
                       "the debugger. Lowering the protection to level 0 in Option Bytes erases the whole chip."));
  if (names_cli && g_error_matches (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED))
    {
      g_autofree char *sectors = self->target != NULL ? kiln_identify_job_dup_protected (self->target) : NULL;

      if (sectors == NULL || self->target->protected == NULL || self->target->protected->len == 0)
        return g_strdup (_("Write-protected sectors are in the way. Remove the protection in Option Bytes, or "
                           "leave those sectors out. Nothing was erased."));
      /* Translators: %s is "Sector 1" or "Sectors 1, 3" */
      return g_strdup_printf (_("%s is write-protected. Remove the protection in Option Bytes, or leave it out. "
                                "Nothing was erased."),
                              sectors);
    }
  return g_strdup (error->message);
}
