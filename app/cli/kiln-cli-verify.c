/* kiln-cli-verify.c — `kiln-cli verify FILE`: compare the flash with a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-target-job.h"

static const char *
state_name (guint state)
{
  return kiln_sector_state_to_id (state);
}

int
kiln_cli_verify (int    argc,
                 char **argv)
{
  g_auto(GStrv) files = NULL;
  g_autofree char *base_text = NULL;
  GOptionEntry entries[] = {
    { "base", 0, 0, G_OPTION_ARG_STRING, &base_text, N_("Load address of a raw binary"), N_("ADDR") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE [ADDRESS] — compare the chip's flash with a firmware file (ADDRESS: where a raw binary goes, as --base)"));
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnTargetJob) job = NULL;
  g_autoptr(KilnCliOutput) output = NULL;
  KilnCliCommon common;
  gint64 start;
  int code = KILN_CLI_EXIT_OK;

  kiln_cli_common_init (&common);
  kiln_cli_common_add_entries (&common, context, KILN_CLI_OPTIONS_JOB | KILN_CLI_OPTION_VERIFY_METHOD);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  code = kiln_cli_common_parse (&common, context, "verify", &argc, &argv);
  if (code != KILN_CLI_EXIT_OK)
    goto out;
  /* The file is read and checked before any probe is touched. */
  image = kiln_cli_load_one_image ("verify", &common, files, base_text, &code);
  if (image == NULL)
    goto out;

  job = kiln_cli_target_job_new (&common, "verify", KILN_TARGET_JOB_VERIFY, &code);
  if (job == NULL)
    goto out;
  job->image = g_object_ref (image);
  job->method = common.verify_method;
  output = kiln_cli_common_new_output (&common);
  kiln_cli_output_set_sector_state_name (output, state_name);
  start = g_get_monotonic_time ();
  code = kiln_cli_run_command_job ("verify", &common, job->probe.info, output, kiln_target_job_run, job);
  if (code != KILN_CLI_EXIT_OK)
    goto out;

  {
    double secs = (g_get_monotonic_time () - start) / 1e6;
    g_autofree char *size = kiln_cli_format_size (job->verify_result.bytes);
    const KilnFlashVerifyResult *r = &job->verify_result;
    const char *how = r->method == KILN_FLASH_VERIFY_CRC ? _("CRC on the target") : _("read back");

    if (r->fallback && !common.json && !common.quiet)
      fprintf (stderr, _("Note: the flash was read back instead of checked by CRC on the target: %s\n"),
               r->fallback_reason ? r->fallback_reason : "");
    if (r->core_reset && !common.json && !common.quiet)
      fprintf (stderr, _("Note: the firmware was reset afterwards: the CRC ran in its RAM.\n"));
    if (common.json)
      {
        JsonBuilder *b = kiln_cli_json_result_new (TRUE);

        kiln_cli_json_string (b, "chip", job->probe.chip_name);
        kiln_cli_json_bool (b, "match", TRUE);
        /* verify_method as in flash's result; method is its old name, kept
         * for scripts as --method is. */
        kiln_cli_json_string (b, "verify_method", r->method == KILN_FLASH_VERIFY_CRC ? "crc" : "readback");
        kiln_cli_json_string (b, "method", r->method == KILN_FLASH_VERIFY_CRC ? "crc" : "readback");
        kiln_cli_json_bool (b, "fallback", r->fallback);
        kiln_cli_json_string (b, "fallback_reason", r->fallback_reason);
        kiln_cli_json_bool (b, "core_reset", r->core_reset);
        kiln_cli_json_int (b, "sectors", r->sectors);
        kiln_cli_json_int (b, "bytes", (gint64) r->bytes);
        kiln_cli_json_seconds (b, secs);
        kiln_cli_json_result_print (b);
      }
    else if (!common.quiet)
      printf (g_dngettext (GETTEXT_PACKAGE,
                           "%s: the flash matches %s (%s in %u sector, %s) in %.1f s\n",
                           "%s: the flash matches %s (%s in %u sectors, %s) in %.1f s\n",
                           r->sectors),
              job->probe.chip_name, kiln_image_get_display_name (image), size, r->sectors, how, secs);
  }

out:
  kiln_cli_common_clear (&common);
  return code;
}
