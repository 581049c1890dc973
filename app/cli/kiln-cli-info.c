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

int
kiln_cli_info (int    argc,
               char **argv)
{
  g_autofree char *serial = NULL;
  gboolean simulator = FALSE, json = FALSE, under_reset = FALSE;
  int khz = 4000;
  GOptionEntry entries[] = {
    { "probe", 0, 0, G_OPTION_ARG_STRING, &serial, N_("The probe to use, by serial (see “kiln-cli list”)"), N_("SERIAL") },
    { "simulator", 0, 0, G_OPTION_ARG_NONE, &simulator, N_("Use the simulated board (KILN_SIM, or the built-in bench)"), NULL },
    { "connect-under-reset", 0, 0, G_OPTION_ARG_NONE, &under_reset, N_("Hold the target in reset while connecting"), NULL },
    { "freq", 0, 0, G_OPTION_ARG_INT, &khz, N_("SWD clock in kHz (default 4000)"), N_("KHZ") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— show the probe and the chip it is connected to"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(KilnArmTarget) target = NULL;
  g_autoptr(GArray) protected = NULL;
  g_autoptr(GString) prot = g_string_new (NULL);
  KilnUsbProbeInfo *info;
  KilnStlink *stlink;
  KilnChip *chip;
  double volts = -1;
  gboolean measured;
  g_auto(GStrv) costs = NULL;
  guint32 optcr, optcr1;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 1 || khz <= 0)
    {
      fprintf (stderr, "kiln-cli info: %s\n", error ? error->message : _("bad arguments"));
      return KILN_CLI_EXIT_USAGE;
    }

  bench = kiln_cli_probe_bench (simulator, &error);
  if (error != NULL)
    {
      fprintf (stderr, "kiln-cli info: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  probes = kiln_usb_list_probes (bench, NULL);
  info = kiln_cli_probe_choose (probes, serial, &error);
  if (info != NULL)
    target = kiln_cli_probe_connect (info, (guint) khz, under_reset, &error);
  if (target == NULL)
    {
      /* The same words as the job commands, with the hint for --connect-under-reset. */
      KilnCliCommon common = { .under_reset = under_reset, .json = json };

      return kiln_cli_fail ("info", &common, error, NULL);
    }

  stlink = kiln_arm_target_get_stlink (target);
  chip = kiln_arm_target_get_chip (target);
  measured = kiln_stlink_read_voltage (stlink, &volts, NULL);
  costs = kiln_stlink_firmware_costs (kiln_stlink_get_version (stlink));
  optcr = kiln_arm_target_get_optcr (target);
  optcr1 = kiln_arm_target_get_optcr1 (target);
  protected = kiln_arm_target_dup_protected (target);
  for (guint i = 0; i < protected->len; i++)
    g_string_append_printf (prot, "%s%u", i ? ", " : "",
                            kiln_chip_get_sector (chip, g_array_index (protected, guint, i))->index);

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\"probe\":{\"serial\":");

      kiln_json_append_string (out, kiln_usb_probe_info_get_serial (info));
      g_string_append (out, ",\"model\":");
      kiln_json_append_string (out, kiln_usb_probe_info_get_model (info));
      g_string_append (out, ",\"firmware\":");
      kiln_json_append_string (out, kiln_stlink_get_firmware (stlink));
      g_string_append_printf (out, ",\"swd_khz\":%u,\"voltage\":", kiln_stlink_get_swd_khz (stlink));
      if (measured)
        g_string_append_printf (out, "%.3f", volts);
      else
        g_string_append (out, "null");
      g_string_append (out, ",\"firmware_limits\":[");
      for (guint i = 0; costs[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          kiln_json_append_string (out, costs[i]);
        }
      g_string_append (out, "]},\"chip\":{\"line\":");
      kiln_json_append_string (out, kiln_chip_get_line (chip)->line);
      g_string_append_printf (out, ",\"dev_id\":%u,\"revision\":", kiln_arm_target_get_dev_id (target));
      kiln_json_append_string (out, kiln_arm_target_get_revision (target));
      g_string_append_printf (out, ",\"flash_kib\":%u,\"dual_bank\":%s,\"sectors\":%u,\"ram_kib\":%u,\"uid\":",
                              kiln_chip_get_flash_kib (chip), kiln_chip_is_dual_bank (chip) ? "true" : "false",
                              kiln_chip_get_n_sectors (chip), kiln_chip_get_ram_total (chip) / 1024);
      kiln_json_append_string (out, kiln_arm_target_get_uid (target));
      g_string_append_printf (out, ",\"package\":%u,\"rdp_level\":%u,\"protected_sectors\":[%s],",
                              kiln_arm_target_get_package (target), kiln_arm_target_get_rdp_level (target),
                              prot->str);
      /* Boot addresses are options only on the F7 (BOOT_ADD0/1 in OPTCR1);
       * the F2 and F4 boot from flash or system memory by the BOOT pins. */
      if (kiln_chip_get_line (chip)->has_boot_add)
        g_string_append_printf (out, "\"boot_add0\":%u,\"boot_add1\":%u,", (optcr1 & 0xFFFF) << 14,
                                (optcr1 >> 16) << 14);
      else
        g_string_append (out, "\"boot_add0\":null,\"boot_add1\":null,");
      g_string_append_printf (out, "\"iwdg_sw\":%s,\"optcr\":%u}}", (optcr & (1u << 5)) ? "true" : "false", optcr);
      printf ("%s\n", out->str);
    }
  else
    {
      const char *rdp[] = { N_("level 0 (off)"), N_("level 1 (flash cannot be read by a debugger)"),
                            N_("level 2 (debugging disabled for good)") };

      printf (_("Probe:                   %s %s, firmware %s, SWD %u kHz\n"), kiln_usb_probe_info_get_model (info),
              kiln_usb_probe_info_get_serial (info), kiln_stlink_get_firmware (stlink),
              kiln_stlink_get_swd_khz (stlink));
      if (costs[0] == NULL)
        printf (_("Probe firmware limits:   none\n"));
      for (guint i = 0; costs[i] != NULL; i++)
        /* Translators: keep the label as wide as the others */
        printf ("%s%s\n", i == 0 ? _("Probe firmware limits:   ") : "                         ", costs[i]);
      if (measured)
        printf (_("Target power:            %.2f V\n"), volts);
      else
        printf (_("Target power:            not measured by this probe\n"));
      printf (_("Chip:                    %s (DEV_ID 0x%03X, revision %s), %s\n"), kiln_chip_get_line (chip)->line,
              kiln_arm_target_get_dev_id (target), kiln_arm_target_get_revision (target),
              kiln_chip_get_line (chip)->core);
      printf (_("Flash:                   %u KiB, %s, %u sectors\n"), kiln_chip_get_flash_kib (chip),
              kiln_chip_is_dual_bank (chip) ? _("two banks") : _("one bank"), kiln_chip_get_n_sectors (chip));
      printf (_("RAM:                     %u KiB\n"), kiln_chip_get_ram_total (chip) / 1024);
      printf (_("UID:                     %s\n"), kiln_arm_target_get_uid (target));
      printf (_("Read protection:         %s\n"), _(rdp[kiln_arm_target_get_rdp_level (target)]));
      printf (_("Write-protected sectors: %s\n"), protected->len ? prot->str : _("none"));
      if (kiln_chip_get_line (chip)->has_boot_add)
        printf (_("Boot addresses:          0x%08X (BOOT0 low), 0x%08X (BOOT0 high)\n"), (optcr1 & 0xFFFF) << 14,
                (optcr1 >> 16) << 14);
      else
        printf (_("Boot:                    from flash (BOOT0 low) or the system bootloader (BOOT0 high, BOOT1 low)\n"));
      printf (_("Watchdog:                %s\n"), (optcr & (1u << 5)) ? _("started by software") : _("hardware watchdog runs from reset"));
    }

  kiln_stlink_close (stlink);
  return KILN_CLI_EXIT_OK;
}
