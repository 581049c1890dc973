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
  g_auto(GStrv) costs = NULL;
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
  kiln_cli_common_set_connection (&common, &job->probe);
  if (!kiln_identify_job_run (NULL, job, NULL, NULL, &error))
    {
      /* The same words as the job commands, with the hint for --connect-under-reset. */
      code = kiln_cli_fail ("info", &common, error, NULL, NULL);
      goto out;
    }

  chip = job->chip;
  costs = kiln_stlink_firmware_costs (&job->version);
  volts = job->have_volts ? job->volts : -1;
  optcr = job->optcr;
  optcr1 = job->optcr1;
  for (guint i = 0; i < job->protected->len; i++)
    g_string_append_printf (prot, "%s%u", i ? ", " : "",
                            kiln_chip_get_sector (chip, g_array_index (job->protected, guint, i))->index);
  json = common.json;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *line = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "probe");
      json_builder_begin_object (b);
      kiln_cli_json_string (b, "serial", kiln_usb_probe_info_get_serial (info));
      kiln_cli_json_string (b, "model", kiln_usb_probe_info_get_model (info));
      kiln_cli_json_string (b, "firmware", job->firmware);
      kiln_cli_json_int (b, "swd_khz", job->swd_khz);
      /* Null when the probe cannot measure it (firmware before V2J13). */
      json_builder_set_member_name (b, "voltage");
      if (job->have_volts)
        kiln_json_builder_add_fixed (b, volts, 3);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "firmware_limits");
      json_builder_begin_array (b);
      for (guint i = 0; costs[i] != NULL; i++)
        json_builder_add_string_value (b, costs[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "chip");
      json_builder_begin_object (b);
      kiln_cli_json_string (b, "line", kiln_chip_get_line (chip)->line);
      kiln_cli_json_int (b, "dev_id", job->dev_id);
      kiln_cli_json_string (b, "revision", job->revision);
      kiln_cli_json_int (b, "flash_kib", kiln_chip_get_flash_kib (chip));
      kiln_cli_json_bool (b, "dual_bank", kiln_chip_is_dual_bank (chip));
      kiln_cli_json_int (b, "sectors", kiln_chip_get_n_sectors (chip));
      kiln_cli_json_int (b, "ram_kib", kiln_chip_get_ram_total (chip) / 1024);
      kiln_cli_json_string (b, "uid", job->uid);
      kiln_cli_json_int (b, "package", job->package);
      kiln_cli_json_int (b, "rdp_level", job->rdp_level);
      json_builder_set_member_name (b, "protected_sectors");
      json_builder_begin_array (b);
      for (guint i = 0; i < job->protected->len; i++)
        json_builder_add_int_value (b, kiln_chip_get_sector (chip, g_array_index (job->protected, guint, i))->index);
      json_builder_end_array (b);
      /* Boot addresses are options only on the F7 (BOOT_ADD0/1 in OPTCR1);
       * the F2 and F4 boot from flash or system memory by the BOOT pins. */
      json_builder_set_member_name (b, "boot_add0");
      if (kiln_chip_get_line (chip)->has_boot_add)
        json_builder_add_int_value (b, (optcr1 & 0xFFFF) << 14);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "boot_add1");
      if (kiln_chip_get_line (chip)->has_boot_add)
        json_builder_add_int_value (b, (optcr1 >> 16) << 14);
      else
        json_builder_add_null_value (b);
      kiln_cli_json_bool (b, "iwdg_sw", (optcr & (1u << 5)) != 0);
      kiln_cli_json_int (b, "optcr", optcr);
      json_builder_end_object (b);
      json_builder_end_object (b);
      line = kiln_json_builder_to_line (b);
      printf ("%s\n", line);
    }
  else
    {
      const char *rdp[] = { N_("level 0 (off)"), N_("level 1 (flash cannot be read by a debugger)"),
                            N_("level 2 (debugging disabled for good)") };

      printf (_("Probe:                   %s %s, firmware %s, SWD %u kHz\n"), kiln_usb_probe_info_get_model (info),
              kiln_usb_probe_info_get_serial (info), job->firmware,
              job->swd_khz);
      if (costs[0] == NULL)
        printf (_("Probe firmware limits:   none\n"));
      for (guint i = 0; costs[i] != NULL; i++)
        /* Translators: keep the label as wide as the others */
        printf ("%s%s\n", i == 0 ? _("Probe firmware limits:   ") : "                         ", costs[i]);
      if (job->have_volts)
        printf (_("Target power:            %.2f V\n"), volts);
      else
        printf (_("Target power:            not measured by this probe\n"));
      printf (_("Chip:                    %s (DEV_ID 0x%03X, revision %s), %s\n"), kiln_chip_get_line (chip)->line,
              job->dev_id, job->revision,
              kiln_chip_get_line (chip)->core);
      printf (_("Flash:                   %u KiB, %s, %u sectors\n"), kiln_chip_get_flash_kib (chip),
              kiln_chip_is_dual_bank (chip) ? _("two banks") : _("one bank"), kiln_chip_get_n_sectors (chip));
      printf (_("RAM:                     %u KiB\n"), kiln_chip_get_ram_total (chip) / 1024);
      printf (_("UID:                     %s\n"), job->uid);
      printf (_("Read protection:         %s\n"), _(rdp[job->rdp_level]));
      printf (_("Write-protected sectors: %s\n"), job->protected->len ? prot->str : _("none"));
      if (kiln_chip_get_line (chip)->has_boot_add)
        printf (_("Boot addresses:          0x%08X (BOOT0 low), 0x%08X (BOOT0 high)\n"), (optcr1 & 0xFFFF) << 14,
                (optcr1 >> 16) << 14);
      else
        printf (_("Boot:                    from flash (BOOT0 low) or the system bootloader (BOOT0 high, BOOT1 low)\n"));
      printf (_("Watchdog:                %s\n"), (optcr & (1u << 5)) ? _("started by software") : _("hardware watchdog runs from reset"));
    }

out:
  kiln_cli_common_clear (&common);
  return code;
}
