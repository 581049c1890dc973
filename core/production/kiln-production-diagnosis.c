/* kiln-production-diagnosis.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "kiln-arm-error.h"
#include "kiln-chips-error.h"
#include "kiln-flash-error.h"
#include "kiln-image-error.h"
#include "kiln-job-error.h"
#include "kiln-production-diagnosis.h"
#include "kiln-production-error.h"
#include "kiln-stlink-error.h"
#include "kiln-usb-error.h"

typedef struct
{
  GQuark      (*domain) (void);
  int          code;     /* -1: any code of the domain */
  const char  *name;
  const char  *group;
} Diagnosis;

/* The first match wins: specific codes before their domain's catch-all. */
static const Diagnosis diagnoses[] = {
  { g_io_error_quark, G_IO_ERROR_CANCELLED, "stopped", "stopped" },
  { kiln_job_error_quark, KILN_JOB_ERROR_CANCELLED, "stopped", "stopped" },
  { kiln_job_error_quark, KILN_JOB_ERROR_BUSY, "probe-busy", "probe" },
  { kiln_flash_error_quark, KILN_FLASH_ERROR_CANCELLED, "stopped", "stopped" },
  { kiln_flash_error_quark, KILN_FLASH_ERROR_PLAN, "flash-plan", "file" },
  { kiln_flash_error_quark, KILN_FLASH_ERROR_PROTECTED, "flash-protected", "chip" },
  { kiln_flash_error_quark, KILN_FLASH_ERROR_READ_PROTECTED, "flash-read-protected", "chip" },
  { kiln_flash_error_quark, KILN_FLASH_ERROR_VOLTAGE, "flash-voltage", "board" },
  { kiln_flash_error_quark, KILN_FLASH_ERROR_CONTROLLER, "flash-controller", "flash" },
  { kiln_flash_error_quark, KILN_FLASH_ERROR_VERIFY, "flash-verify", "flash" },
  { kiln_flash_error_quark, KILN_FLASH_ERROR_LOADER, "flash-loader", "flash" },
  { kiln_flash_error_quark, -1, "flash", "flash" },
  { kiln_option_bytes_error_quark, -1, "option-bytes", "option-bytes" },
  { kiln_usb_error_quark, KILN_USB_ERROR_UNPLUGGED, "probe-unplugged", "probe" },
  { kiln_usb_error_quark, KILN_USB_ERROR_TIMEOUT, "probe-timeout", "probe" },
  { kiln_usb_error_quark, KILN_USB_ERROR_PERMISSION, "probe-permission", "probe" },
  { kiln_usb_error_quark, -1, "probe-usb", "probe" },
  { kiln_stlink_error_quark, KILN_STLINK_ERROR_NO_TARGET_VOLTAGE, "board-no-power", "board" },
  { kiln_stlink_error_quark, KILN_STLINK_ERROR_NO_TARGET, "board-no-target", "board" },
  { kiln_stlink_error_quark, KILN_STLINK_ERROR_FIRMWARE_TOO_OLD, "probe-firmware", "probe" },
  { kiln_stlink_error_quark, -1, "probe-link", "probe" },
  { kiln_arm_error_quark, KILN_ARM_ERROR_READ_PROTECTED, "chip-read-protected", "chip" },
  { kiln_arm_error_quark, KILN_ARM_ERROR_UNKNOWN_CHIP, "chip-unknown", "chip" },
  { kiln_arm_error_quark, -1, "board-core", "board" },
  { kiln_chips_error_quark, -1, "chip-unknown", "chip" },
  { kiln_image_error_quark, -1, "file-image", "file" },
  { kiln_production_error_quark, KILN_PRODUCTION_ERROR_WRONG_CHIP, "chip-wrong", "chip" },
  { kiln_production_error_quark, KILN_PRODUCTION_ERROR_OPTION_BYTES, "option-bytes-differ", "option-bytes" },
  { kiln_production_error_quark, KILN_PRODUCTION_ERROR_FILE_CHANGED, "file-changed", "file" },
  { kiln_production_error_quark, KILN_PRODUCTION_ERROR_SERIAL, "serial", "serial" },
  { kiln_production_error_quark, KILN_PRODUCTION_ERROR_DATABASE, "record-database", "record" },
  { kiln_production_error_quark, KILN_PRODUCTION_ERROR_LINE_UNREACHABLE, "record-line", "record" },
  { kiln_production_error_quark, -1, "profile", "profile" },
};

void
kiln_production_diagnose (const GError  *error,
                          const char   **code,
                          const char   **group)
{
  *code = "other";
  *group = "other";
  if (error == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (diagnoses); i++)
    if (error->domain == diagnoses[i].domain () && (diagnoses[i].code < 0 || diagnoses[i].code == error->code))
      {
        *code = diagnoses[i].name;
        *group = diagnoses[i].group;
        return;
      }
}

const char *
kiln_production_diagnosis_group_label (const char *group)
{
  static const struct
  {
    const char *group;
    const char *label;
  } labels[] = {
    { "flash", N_("Flash programming") },
    { "probe", N_("Probe or USB") },
    { "board", N_("Board contact or power") },
    { "chip", N_("Chip") },
    { "option-bytes", N_("Option bytes") },
    { "file", N_("Firmware file") },
    { "profile", N_("Profile") },
    { "serial", N_("Serial number") },
    { "record", N_("Record database") },
    { "stopped", N_("Stopped") },
    { "other", N_("Other") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (group, labels[i].group) == 0)
      return g_dgettext (GETTEXT_PACKAGE, labels[i].label);
  return group;
}
