/* kiln-cli-flash.c — `kiln-cli flash FILE`: plan, pre-flight, differential
 * erase and program, verify, reset
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
#include "kiln-flash-job.h"

static const char *
state_name (guint state)
{
  return kiln_sector_state_to_id (state);
}

int
kiln_cli_flash (int    argc,
                char **argv)
{
  g_autofree char *base_text = NULL;
  g_auto(GStrv) files = NULL;
  gboolean no_verify = FALSE, full = FALSE, no_reset = FALSE, dry_run = FALSE, preserve = FALSE, vpp = FALSE;
  GOptionEntry entries[] = {
    { "base", 0, 0, G_OPTION_ARG_STRING, &base_text, N_("Load address of a raw binary"), N_("ADDR") },
    { "no-verify", 0, 0, G_OPTION_ARG_NONE, &no_verify, N_("Do not verify the written sectors"), NULL },
    { "preserve-unwritten", 0, 0, G_OPTION_ARG_NONE, &preserve, N_("Keep the bytes of a rewritten sector that the file does not cover (default: erased)"), NULL },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full, N_("Rewrite every sector of the image, even unchanged ones"), NULL },
    { "no-reset", 0, 0, G_OPTION_ARG_NONE, &no_reset, N_("Leave the core halted afterwards"), NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Connect and print the plan, change nothing"), NULL },
    { "vpp", 0, 0, G_OPTION_ARG_NONE, &vpp, N_("The board supplies VPP (8 to 9 V): program and erase at x64, twice as fast"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE [ADDRESS] — program a firmware file and verify it (ADDRESS: where a raw binary goes, as --base)"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnProgress) progress = NULL;
  g_autoptr(KilnCliOutput) output = NULL;
  g_autoptr(KilnFlashJob) job = NULL;
  KilnCliCommon common;
  KilnUsbProbeInfo *info;
  gint64 start;
  int code = KILN_CLI_EXIT_OK;

  kiln_cli_common_init (&common);
  common.changes_flash = TRUE;
  kiln_cli_common_add_entries (&common, context, KILN_CLI_OPTIONS_JOB | KILN_CLI_OPTION_VERIFY_METHOD);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  code = kiln_cli_common_parse (&common, context, "flash", &argc, &argv);
  if (code != KILN_CLI_EXIT_OK)
    goto out;
  if (common.verify_text != NULL && no_verify)
    {
      code = kiln_cli_usage_error ("flash", &common, _("--verify and --no-verify contradict each other"));
      goto out;
    }
  /* The file is read and checked before any probe is touched. */
  image = kiln_cli_load_one_image ("flash", &common, files, base_text, &code);
  if (image == NULL)
    goto out;

  info = kiln_cli_common_choose_probe (&common, "flash", &code);
  if (info == NULL)
    goto out;

  job = kiln_flash_job_new (info, image);
  kiln_cli_common_set_connection (&common, &job->probe);
  job->dry_run = dry_run;
  /* The summary below says what was done, with the chip and the time. */
  job->no_summary_message = TRUE;
  job->options.verify = !no_verify;
  job->options.skip_unchanged = !full;
  job->options.reset = !no_reset;
  job->options.preserve_unwritten = preserve;
  job->options.verify_method = common.verify_method;
  job->options.vpp = vpp;

  output = kiln_cli_common_new_output (&common);
  kiln_cli_output_set_sector_state_name (output, state_name);
  start = g_get_monotonic_time ();
  /* Ctrl-C cancels the job; it stops between two transfers and locks the controller. */
  if (!kiln_cli_run_job (info, output, kiln_flash_job_run, job, &progress, &error))
    {
      if (job->result.n_incomplete > 0)
        {
          g_autoptr(GString) unfinished = g_string_new (NULL);
          g_autoptr(GString) unsure = g_string_new (NULL);
          guint n_known = job->result.n_incomplete - job->result.n_unsure;

          /* Plan positions are the logical sector numbers on every supported layout. */
          for (guint i = 0; i < job->result.n_incomplete; i++)
            {
              GString *list = i < n_known ? unfinished : unsure;

              g_string_append_printf (list, "%s%u", list->len ? "," : "", job->result.incomplete[i]);
            }
          code = kiln_cli_fail ("flash", &common, error, unfinished->len ? unfinished->str : NULL,
                                unsure->len ? unsure->str : NULL);
        }
      else
        code = kiln_cli_fail_job ("flash", &common, error, progress);
      goto out;
    }

  {
    double secs = (g_get_monotonic_time () - start) / 1e6;
    g_autofree char *size = kiln_cli_format_size (job->result.bytes_written);

    if (common.json)
      {
        JsonBuilder *b = kiln_cli_json_result_new (TRUE);

        kiln_cli_json_bool (b, "dry_run", dry_run);
        kiln_cli_json_string (b, "chip", job->probe.chip_name);
        kiln_cli_json_int (b, "sectors_erased", job->result.erased);
        kiln_cli_json_int (b, "sectors_written", job->result.written);
        kiln_cli_json_int (b, "sectors_skipped", job->result.skipped);
        kiln_cli_json_int (b, "bytes", (gint64) job->result.bytes_written);
        kiln_cli_json_int (b, "sectors_blank", job->result.blank);
        kiln_cli_json_int (b, "bytes_skipped_erased", (gint64) job->result.bytes_erased_skipped);
        kiln_cli_json_int (b, "bytes_link", (gint64) job->result.bytes_link);
        kiln_cli_json_bool (b, "verified", job->result.verified);
        kiln_cli_json_string (b, "verify_method", job->result.verify_method == KILN_FLASH_VERIFY_CRC ? "crc" : "readback");
        kiln_cli_json_string (b, "psize", kiln_flash_psize_to_string (job->result.psize));
        kiln_cli_json_bool (b, "loader", job->result.used_loader);
        kiln_cli_json_string (b, "fallback_reason", job->result.fallback_reason);
        /* The plan's estimate once the probe, the supply and the blank
         * sectors were known. */
        json_builder_set_member_name (b, "estimated_seconds");
        kiln_json_builder_add_fixed (b, job->result.estimated_seconds, 3);
        kiln_cli_json_seconds (b, secs);
        kiln_cli_json_result_print (b);
      }
    else if (common.quiet)
      ;
    else if (dry_run)
      printf (_("%s: dry run, nothing was erased or written.\n"), job->probe.chip_name);
    else if (job->result.written == 0 && job->result.skipped == 0)
      printf (_("%s: the file has nothing for the flash (its bytes are all in RAM, which is not programmed); "
                "nothing was erased or written.\n"), job->probe.chip_name);
    else if (job->result.written == 0)
      printf (_("%s: the flash already holds this image; nothing was erased or written (%.1f s)\n"),
              job->probe.chip_name, secs);
    else
      printf (g_dngettext (GETTEXT_PACKAGE,
                           "%s: %u sector written (%s), %u unchanged and skipped, %s, in %.1f s\n",
                           "%s: %u sectors written (%s), %u unchanged and skipped, %s, in %.1f s\n",
                           job->result.written),
              job->probe.chip_name, job->result.written, size, job->result.skipped,
              job->result.verified ? _("verified") : _("not verified"), secs);
    /* The second line says how the written sectors were reached: a
     * sector is either erased first or found blank (so "written" above
     * never claims an erase that did not happen). */
    if (!common.json && !common.quiet && !dry_run && job->result.written > 0)
      {
        g_autofree char *skipped = kiln_cli_format_size (job->result.bytes_erased_skipped);
        g_autofree char *link = kiln_cli_format_size (job->result.bytes_link);
        g_autofree char *erased = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "%u sector erased first",
                                                                "%u sectors erased first",
                                                                job->result.erased),
                                                   job->result.erased);
        g_autofree char *blank = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u was blank and needed no erase",
                                                               "%u were blank and needed no erase",
                                                               job->result.blank),
                                                  job->result.blank);

        /* Translators: the first two %s are "2 sectors erased first" and
         * "3 were blank and needed no erase"; then two sizes ("60.7 KiB").
         * The 0xFF bytes are those of the written sectors, the file's and
         * the rest of each sector the file does not cover. */
        printf (_("  %s, %s; %s in them held only 0xFF and stayed erased; the link carried %s\n"),
                erased, blank, skipped, link);
      }
  }
out:
  kiln_cli_common_clear (&common);
  return code;
}
