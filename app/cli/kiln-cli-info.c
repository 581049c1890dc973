/* kiln-cli-info.c — `kiln-cli info`: the probe and the chip it is connected to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-cli-output.h"
#include "kiln-cli-probe.h"
#include "kiln-flash-plan.h"
#include "kiln-identify-job.h"

int
kiln_cli_info (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— show the probe and the chip it is connected to"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnIdentifyJob) job = NULL;
  g_autoptr(GString) prot = g_string_new (NULL);
  KilnCliCommon common;
  KilnUsbProbeInfo *info;
  KilnChip *chip;
  double volts;
  guint32 optcr, optcr1;
  gboolean json;
  int code;

  kiln_cli_common_init (&common);
  common.json_help = N_("Print one JSON object");
  kiln_cli_common_add_entries (&common, context,
                               KILN_CLI_OPTION_PROBE | KILN_CLI_OPTION_SIMULATOR | KILN_CLI_OPTION_CONNECT
                               | KILN_CLI_OPTION_JSON);
  code = kiln_cli_common_parse (&common, context, "info", &argc, &argv);
  if (code == KILN_CLI_EXIT_OK && argc > 1)
    code = kiln_cli_usage_error ("info", &common, _("this command takes no arguments"));
  if (code != KILN_CLI_EXIT_OK)
    goto out;

  info = kiln_cli_common_choose_probe (&common, "info", &code);
  if (info == NULL)
    goto out;
  /* The window's identification: the probe, its firmware, the target. */
  job = kiln_identify_job_new (info);
  job->khz = (guint) common.khz;
  job->under_reset = common.under_reset;
  if (!kiln_identify_job_run (NULL, job, NULL, NULL, &error))
    {
      /* The same words as the job commands, with the hint for --connect-under-reset. */
      code = kiln_cli_fail ("info", &common, error, NULL);
      goto out;
    }

  chip = job->chip;
  volts = job->have_volts ? job->volts : -1;
  optcr = job->optcr;
  optcr1 = job->optcr1;
  for (guint i = 0; i < job->protected->len; i++)
    g_string_append_printf (prot, "%s%u", i ? ", " : "",
                            kiln_chip_get_sector (chip, g_array_index (job->protected, guint, i))->index);
  json = common.json;

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\"probe\":{\"serial\":");

      kiln_json_append_string (out, kiln_usb_probe_info_get_serial (info));
      g_string_append (out, ",\"model\":");
      kiln_json_append_string (out, kiln_usb_probe_info_get_model (info));
      g_string_append (out, ",\"firmware\":");
      kiln_json_append_string (out, job->firmware);
      g_string_append_printf (out, ",\"swd_khz\":%u,\"voltage\":%.3f},\"chip\":{\"line\":",
                              job->swd_khz, volts);
      kiln_json_append_string (out, kiln_chip_get_line (chip)->line);
      g_string_append_printf (out, ",\"dev_id\":%u,\"revision\":", job->dev_id);
      kiln_json_append_string (out, job->revision);
      g_string_append_printf (out, ",\"flash_kib\":%u,\"dual_bank\":%s,\"sectors\":%u,\"ram_kib\":%u,\"uid\":",
                              kiln_chip_get_flash_kib (chip), kiln_chip_is_dual_bank (chip) ? "true" : "false",
                              kiln_chip_get_n_sectors (chip), kiln_chip_get_ram_total (chip) / 1024);
      kiln_json_append_string (out, job->uid);
      g_string_append_printf (out, ",\"package\":%u,\"rdp_level\":%u,\"protected_sectors\":[%s],"
                              "\"boot_add0\":%u,\"boot_add1\":%u,\"iwdg_sw\":%s,\"optcr\":%u}}",
                              job->package, job->rdp_level,
                              prot->str, (optcr1 & 0xFFFF) << 14, (optcr1 >> 16) << 14,
                              (optcr & (1u << 5)) ? "true" : "false", optcr);
      printf ("%s\n", out->str);
    }
  else
    {
      const char *rdp[] = { N_("level 0 (off)"), N_("level 1 (flash cannot be read by a debugger)"),
                            N_("level 2 (debugging disabled for good)") };

      printf (_("Probe:                   %s %s, firmware %s, SWD %u kHz\n"), kiln_usb_probe_info_get_model (info),
              kiln_usb_probe_info_get_serial (info), job->firmware,
              job->swd_khz);
      printf (_("Target power:            %.2f V\n"), volts);
      printf (_("Chip:                    %s (DEV_ID 0x%03X, revision %s), %s\n"), kiln_chip_get_line (chip)->line,
              job->dev_id, job->revision,
              kiln_chip_get_line (chip)->core);
      printf (_("Flash:                   %u KiB, %s, %u sectors\n"), kiln_chip_get_flash_kib (chip),
              kiln_chip_is_dual_bank (chip) ? _("two banks") : _("one bank"), kiln_chip_get_n_sectors (chip));
      printf (_("RAM:                     %u KiB\n"), kiln_chip_get_ram_total (chip) / 1024);
      printf (_("UID:                     %s\n"), job->uid);
      printf (_("Read protection:         %s\n"), _(rdp[job->rdp_level]));
      printf (_("Write-protected sectors: %s\n"), job->protected->len ? prot->str : _("none"));
      printf (_("Boot addresses:          0x%08X (BOOT0 low), 0x%08X (BOOT0 high)\n"), (optcr1 & 0xFFFF) << 14,
              (optcr1 >> 16) << 14);
      printf (_("Watchdog:                %s\n"), (optcr & (1u << 5)) ? _("started by software") : _("hardware watchdog runs from reset"));
    }

out:
  kiln_cli_common_clear (&common);
  return code;
}
