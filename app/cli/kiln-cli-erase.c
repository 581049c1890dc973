/* kiln-cli-erase.c — `kiln-cli erase --sectors LIST | --mass`
 *
 * Asks nothing (scripts run it), refuses without one of the two options,
 * and says what it erased.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-target-job.h"

/* An erased sector holds nothing of any image: the flash layer reports it
 * as untouched from then on. */
static const char *
state_name (guint state)
{
  if (state == KILN_SECTOR_STATE_UNTOUCHED)
    return "erased";
  return kiln_sector_state_to_id (state);
}

static const char *
state_label (guint state)
{
  if (state == KILN_SECTOR_STATE_UNTOUCHED)
    return _("Erased");
  if (state == KILN_SECTOR_STATE_PLANNED)
    return _("Will be erased");
  return kiln_sector_state_to_label (state);
}

static gboolean
looks_like_sector_list (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (text, "all") == 0)
    return TRUE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && *p != ',' && *p != '-' && *p != ' ')
      return FALSE;
  return TRUE;
}

int
kiln_cli_erase (int    argc,
                char **argv)
{
  g_autofree char *sectors = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean mass = FALSE;
  GOptionEntry entries[] = {
    { "sectors", 0, 0, G_OPTION_ARG_STRING, &sectors, N_("The sectors to erase, by number: 0,1,4-7"), N_("LIST") },
    { "mass", 0, 0, G_OPTION_ARG_NONE, &mass, N_("Erase the whole flash (both banks in dual-bank mode)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("--sectors LIST | --mass — erase flash sectors or the whole chip"));
  g_autoptr(KilnTargetJob) job = NULL;
  g_autoptr(KilnCliOutput) output = NULL;
  KilnCliCommon common;
  gint64 start;
  int code = KILN_CLI_EXIT_OK;

  kiln_cli_common_init (&common);
  common.changes_flash = TRUE;
  kiln_cli_common_add_entries (&common, context, KILN_CLI_OPTIONS_JOB);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  code = kiln_cli_common_parse (&common, context, "erase", &argc, &argv);
  if (code != KILN_CLI_EXIT_OK)
    goto out;
  if (rest != NULL && rest[0] != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("unexpected argument “%s”"), rest[0]);

      code = kiln_cli_usage_error ("erase", &common, msg);
      goto out;
    }
  if ((sectors == NULL) == !mass)
    {
      code = kiln_cli_usage_error ("erase", &common, _("say what to erase: --sectors LIST (like 0,1,4-7) or --mass for the "
                                              "whole chip. Nothing was erased."));
      goto out;
    }
  if (sectors != NULL && !looks_like_sector_list (sectors))
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” is not a list of sector numbers (write them like 0,1,4-7). "
                                                "Nothing was erased."), sectors);

      code = kiln_cli_usage_error ("erase", &common, msg);
      goto out;
    }

  job = kiln_cli_target_job_new (&common, "erase", KILN_TARGET_JOB_ERASE, &code);
  if (job == NULL)
    goto out;
  job->sectors = g_strdup (sectors);
  job->mass = mass;
  output = kiln_cli_common_new_output (&common);
  kiln_cli_output_set_sector_state_name (output, state_name);
  kiln_cli_output_set_sector_state_label (output, state_label);
  start = g_get_monotonic_time ();
  code = kiln_cli_run_command_job ("erase", &common, job->probe.info, output, kiln_target_job_run, job);
  if (code != KILN_CLI_EXIT_OK)
    goto out;

  {
    double secs = (g_get_monotonic_time () - start) / 1e6;
    g_autofree char *size = kiln_cli_format_size (job->erase_result.bytes);
    g_autoptr(GArray) positions = mass ? NULL : kiln_flash_parse_sector_list (job->chip, sectors, NULL);
    g_autofree char *list = positions != NULL ? kiln_flash_dup_sector_numbers (job->chip, positions, ",") : g_strdup ("");
    if (common.json)
      {
        JsonBuilder *b = kiln_cli_json_result_new (TRUE);

        kiln_cli_json_string (b, "chip", job->probe.chip_name);
        kiln_cli_json_bool (b, "mass", mass);
        json_builder_set_member_name (b, "sectors");
        json_builder_begin_array (b);
        for (guint i = 0; positions != NULL && i < positions->len; i++)
          json_builder_add_int_value (b, kiln_chip_get_sector (job->chip, g_array_index (positions, guint, i))->index);
        json_builder_end_array (b);
        kiln_cli_json_int (b, "sectors_erased", job->erase_result.sectors);
        kiln_cli_json_int (b, "bytes", (gint64) job->erase_result.bytes);
        kiln_cli_json_string (b, "psize", kiln_flash_psize_to_string (job->erase_result.psize));
        kiln_cli_json_seconds (b, secs);
        kiln_cli_json_result_print (b);
      }
    else if (!common.quiet && mass)
      printf (_("%s: erased the whole flash (mass erase, %u sectors, %s) in %.1f s\n"), job->probe.chip_name,
              job->erase_result.sectors, size, secs);
    else if (!common.quiet)
      printf (g_dngettext (GETTEXT_PACKAGE, "%s: erased sector %s (%s) in %.1f s\n",
                           "%s: erased sectors %s (%s) in %.1f s\n", job->erase_result.sectors),
              job->probe.chip_name, list, size, secs);
  }

out:
  kiln_cli_common_clear (&common);
  return code;
}
