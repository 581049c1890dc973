/* kiln-cli-list.c — `kiln-cli list`: every probe, its firmware, and the chip
 * it is connected to (or why not)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-cli-probe.h"
#include "kiln-flash-plan.h"
#include "kiln-job-probe.h"

typedef struct
{
  char   *firmware;
  double  volts;
  char   *chip;       /* "STM32F74x/F75x rev Z, 1024 KiB", as in the JSON */
  char   *chip_text;  /* the same, translated, for the table */
  char   *problem;
} Row;

static void
probe_row (KilnUsbProbeInfo *info,
           Row              *row)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnStlink) stlink = NULL;
  g_autoptr(KilnArmTarget) target = NULL;

  row->volts = -1;
  if (!kiln_usb_probe_info_can_open (info))
    {
      row->problem = g_strdup (kiln_usb_probe_info_get_problem (info));
      return;
    }
  stlink = kiln_job_open_probe (info, &error);
  if (stlink == NULL)
    {
      row->problem = g_strdup (error->message);
      return;
    }
  row->firmware = g_strdup (kiln_stlink_get_firmware (stlink));
  if (!kiln_stlink_read_voltage (stlink, &row->volts, NULL))
    row->volts = -1;
  if (row->volts >= 0 && row->volts < 1.5)
    {
      row->problem = g_strdup (_("no target power"));
      return;
    }
  if (!kiln_stlink_connect (stlink, 4000, FALSE, &error))
    {
      row->problem = g_strdup (error->message);
      kiln_stlink_close (stlink);
      return;
    }
  target = kiln_arm_target_new (stlink);
  if (kiln_arm_target_detect (target, &error))
    {
      const char *line = kiln_chip_get_line (kiln_arm_target_get_chip (target))->line;
      const char *revision = kiln_arm_target_get_revision (target);
      guint kib = kiln_chip_get_flash_kib (kiln_arm_target_get_chip (target));

      row->chip = g_strdup_printf ("%s rev %s, %u KiB", line, revision, kib);
      /* Translators: the chip in "kiln-cli list", e.g. "STM32F74x/F75x rev Z, 1024 KiB" */
      row->chip_text = g_strdup_printf (_("%s rev %s, %u KiB"), line, revision, kib);
    }
  else
    row->problem = g_strdup (error->message);
  kiln_stlink_close (stlink);
}

int
kiln_cli_list (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list the attached ST-LINK probes"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  KilnCliCommon common;
  gboolean json;
  int code;

  kiln_cli_common_init (&common);
  common.simulator_help = N_("Also list the simulated probes (KILN_SIM, or the built-in bench)");
  common.json_help = N_("Print one JSON object per probe");
  kiln_cli_common_add_entries (&common, context, KILN_CLI_OPTION_SIMULATOR | KILN_CLI_OPTION_JSON);
  code = kiln_cli_common_parse (&common, context, "list", &argc, &argv);
  if (code == KILN_CLI_EXIT_OK && argc > 1)
    code = kiln_cli_usage_error ("list", &common, _("this command takes no arguments"));
  json = common.json;
  if (code == KILN_CLI_EXIT_OK)
    bench = kiln_cli_probe_bench (common.simulator, &error);
  kiln_cli_common_clear (&common);
  if (code != KILN_CLI_EXIT_OK)
    return code;
  if (error != NULL)
    return kiln_cli_usage_error ("list", NULL, error->message);

  probes = kiln_usb_list_probes (bench, &error);
  if (probes->len == 0)
    {
      if (!json)
        fprintf (stderr, _("No ST-LINK is attached. Plug one in; if it is plugged in, install Kiln's udev rules "
                           "(60-kiln-stlink.rules). “kiln-cli list --simulator” shows the simulated board.\n"));
      return KILN_CLI_EXIT_NO_PROBE;
    }

  if (!json)
    printf ("%-26s %-13s %-9s %-7s %s\n", _("SERIAL"), _("MODEL"), _("FIRMWARE"), _("TARGET"), _("CHIP"));

  for (guint i = 0; i < probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (probes, i);
      Row row = { 0 };
      g_autofree char *volts = NULL;

      probe_row (info, &row);
      /* Translators: the target voltage in "kiln-cli list", e.g. "3.30 V" */
      volts = row.volts >= 0 ? g_strdup_printf (_("%.2f V"), row.volts) : g_strdup ("?");

      if (json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autofree char *line = NULL;

          json_builder_begin_object (b);
          kiln_cli_json_string (b, "serial", kiln_usb_probe_info_get_serial (info));
          kiln_cli_json_string (b, "model", kiln_usb_probe_info_get_model (info));
          kiln_cli_json_string (b, "location", kiln_usb_probe_info_get_location (info));
          kiln_cli_json_string (b, "firmware", row.firmware);
          if (row.volts >= 0)
            {
              json_builder_set_member_name (b, "voltage");
              kiln_json_builder_add_fixed (b, row.volts, 3);
            }
          kiln_cli_json_string (b, "chip", row.chip);
          kiln_cli_json_string (b, "problem", row.problem);
          json_builder_end_object (b);
          line = kiln_json_builder_to_line (b);
          printf ("%s\n", line);
        }
      else
        printf ("%-26s %-13s %-9s %-7s %s\n", kiln_usb_probe_info_get_serial (info),
                kiln_usb_probe_info_get_model (info), row.firmware ? row.firmware : "-", volts,
                row.chip_text ? row.chip_text : row.problem);

      g_free (row.firmware);
      g_free (row.chip);
      g_free (row.chip_text);
      g_free (row.problem);
    }

  return KILN_CLI_EXIT_OK;
}
