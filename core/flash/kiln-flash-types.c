/* kiln-flash-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-flash-types.h"

guint
kiln_flash_psize_bytes (KilnFlashPsize psize)
{
  return 1u << psize;
}

const char *
kiln_flash_psize_to_string (KilnFlashPsize psize)
{
  static const char *names[] = { "x8", "x16", "x32", "x64" };

  return names[psize & 3];
}

KilnFlashPsize
kiln_flash_psize_for_voltage (double   volts,
                              gboolean vpp)
{
  if (volts >= 2.7)
    return vpp ? KILN_FLASH_PSIZE_X64 : KILN_FLASH_PSIZE_X32;
  if (volts >= 2.1)
    return KILN_FLASH_PSIZE_X16;
  return KILN_FLASH_PSIZE_X8;
}

double
kiln_flash_erase_seconds (guint32        sector_size,
                          KilnFlashPsize psize)
{
  /* Datasheet typical values for 32, 128 and 256 KiB sectors at x8/x16/x32;
   * other sizes scale with size from the nearest of them; x64 erases as x32. */
  static const double t32[] = { 0.400, 0.300, 0.250, 0.250 };
  static const double t128[] = { 1.200, 0.700, 0.550, 0.550 };
  static const double t256[] = { 2.000, 1.300, 1.000, 1.000 };
  guint kib = sector_size / 1024;

  if (kib <= 32)
    return t32[psize] * kib / 32.0;
  if (kib <= 128)
    return t128[psize] * kib / 128.0;
  return t256[psize] * kib / 256.0;
}

double
kiln_flash_program_seconds (guint64        bytes,
                            KilnFlashPsize psize)
{
  guint unit = kiln_flash_psize_bytes (psize);

  return (double) ((bytes + unit - 1) / unit) * 16e-6;
}

double
kiln_flash_link_seconds (guint64 bytes,
                         guint   probe_hw,
                         guint   khz)
{
  double word_s = 60.0 / (MAX (khz, 1) * 1e3);

  if (probe_hw >= 3)
    return (double) bytes * (0.03e-6 + MAX (4.2e-6, word_s) / 4);
  return (double) bytes * (1e-6 + word_s / 4);
}
