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

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GError **error = ((gpointer *) user_data)[0];
  GMainLoop *loop = ((gpointer *) user_data)[1];

  kiln_session_run_finish (KILN_SESSION (source), result, error);
  g_main_loop_quit (loop);
}

int
kiln_cli_flash (int    argc,
                char **argv)
{
  g_autofree char *serial = NULL;
  g_autofree char *base_text = NULL;
  g_autofree char *verify_text = NULL;
  g_auto(GStrv) files = NULL;
  gboolean simulator = FALSE, json = FALSE, no_verify = FALSE, full = FALSE, no_reset = FALSE;
  gboolean under_reset = FALSE, dry_run = FALSE, quiet = FALSE, verbose = FALSE, preserve = FALSE;
  int khz = 4000;
  GOptionEntry entries[] = {
    { "probe", 0, 0, G_OPTION_ARG_STRING, &serial, N_("The probe to use, by serial"), N_("SERIAL") },
    { "simulator", 0, 0, G_OPTION_ARG_NONE, &simulator, N_("Use the simulated board (KILN_SIM, or the built-in bench)"), NULL },
    { "base", 0, 0, G_OPTION_ARG_STRING, &base_text, N_("Load address of a raw binary"), N_("ADDR") },
    { "no-verify", 0, 0, G_OPTION_ARG_NONE, &no_verify, N_("Do not verify the written sectors"), NULL },
    { "verify", 0, 0, G_OPTION_ARG_STRING, &verify_text, N_("How to verify: crc (on the target, default) or readback"), N_("METHOD") },
    { "preserve-unwritten", 0, 0, G_OPTION_ARG_NONE, &preserve, N_("Keep the bytes of a rewritten sector that the file does not cover (default: erased)"), NULL },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full, N_("Rewrite every sector of the image, even unchanged ones"), NULL },
    { "no-reset", 0, 0, G_OPTION_ARG_NONE, &no_reset, N_("Leave the core halted afterwards"), NULL },
    { "connect-under-reset", 0, 0, G_OPTION_ARG_NONE, &under_reset, N_("Hold the target in reset while connecting"), NULL },
    { "freq", 0, 0, G_OPTION_ARG_INT, &khz, N_("SWD clock in kHz (default 4000)"), N_("KHZ") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Connect and print the plan, change nothing"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("One JSON object per line for each event and the result"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print only errors"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Print every sector's state"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — program a firmware file and verify it"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnSession) session = NULL;
  g_autoptr(KilnProgress) progress = NULL;
  g_autoptr(KilnCliOutput) output = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(KilnFlashJob) job = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  KilnUsbProbeInfo *info;
  guint sigint;
  gpointer done_data[2];
  gint64 start;
  guint32 base = 0;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "kiln-cli flash: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  if (files == NULL || files[0] == NULL || files[1] != NULL || khz <= 0)
    {
      fprintf (stderr, _("kiln-cli flash: give exactly one firmware file\n"));
      return KILN_CLI_EXIT_USAGE;
    }
  if (base_text != NULL && !kiln_cli_parse_address (base_text, &base, &error))
    {
      fprintf (stderr, "kiln-cli flash: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  if (verify_text != NULL && g_ascii_strcasecmp (verify_text, "crc") != 0
      && g_ascii_strcasecmp (verify_text, "readback") != 0)
    return kiln_cli_usage_error ("flash", _("--verify is crc or readback"));
  if (verify_text != NULL && no_verify)
    return kiln_cli_usage_error ("flash", _("--verify and --no-verify contradict each other"));

  /* The file is read and checked before any probe is touched. */
  image = kiln_image_load_file (files[0], KILN_IMAGE_FORMAT_AUTO, base_text != NULL, base, &error);
  if (image == NULL)
    {
      fprintf (stderr, "kiln-cli flash: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }

  bench = kiln_cli_probe_bench (simulator, &error);
  if (error != NULL)
    {
      fprintf (stderr, "kiln-cli flash: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  probes = kiln_usb_list_probes (bench, NULL);
  info = kiln_cli_probe_choose (probes, serial, &error);
  if (info == NULL)
    {
      fprintf (stderr, "kiln-cli flash: %s\n", error->message);
      return kiln_cli_exit_code_for (error);
    }

  job = kiln_flash_job_new (info, image);
  job->khz = (guint) khz;
  job->under_reset = under_reset;
  job->dry_run = dry_run;
  job->options.verify = !no_verify;
  job->options.skip_unchanged = !full;
  job->options.reset = !no_reset;
  job->options.preserve_unwritten = preserve;
  if (verify_text != NULL)
    job->options.verify_method = g_ascii_strcasecmp (verify_text, "crc") == 0 ? KILN_FLASH_VERIFY_CRC
                                                                              : KILN_FLASH_VERIFY_READ_BACK;

  progress = kiln_progress_new ();
  output = kiln_cli_output_new (json ? KILN_CLI_OUTPUT_JSON : KILN_CLI_OUTPUT_TEXT, quiet, verbose);
  kiln_cli_output_set_sector_state_name (output, state_name);
  kiln_cli_output_attach (output, progress);

  session = kiln_session_new (kiln_usb_probe_info_get_serial (info));
  loop = g_main_loop_new (NULL, FALSE);
  done_data[0] = &error;
  done_data[1] = loop;
  start = g_get_monotonic_time ();
  /* Ctrl-C cancels the job; it stops between two transfers and locks the controller. */
  sigint = kiln_cli_watch_sigint (cancellable);
  kiln_session_run_async (session, kiln_flash_job_run, job, NULL, progress, cancellable, on_done, done_data);
  g_main_loop_run (loop);
  while (!kiln_progress_get_finished (progress))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (sigint);
  kiln_cli_output_break_line (output);

  if (error != NULL && kiln_cli_exit_code_for_job (error) == KILN_CLI_EXIT_CANCELLED)
    {
      KilnCliCommon common = { .json = json };
      g_autoptr(GString) unfinished = g_string_new (NULL);

      /* Plan positions are the logical sector numbers on every supported layout. */
      for (guint i = 0; i < job->result.n_incomplete; i++)
        g_string_append_printf (unfinished, "%s%u", i ? "," : "", job->result.incomplete[i]);
      return kiln_cli_fail ("flash", &common, error, unfinished->len ? unfinished->str : NULL);
    }
  if (error != NULL)
    {
      if (json)
        {
          g_autoptr(GString) out = g_string_new ("{\"event\":\"result\",\"ok\":false,\"error\":");

          kiln_json_append_string (out, error->message);
          g_string_append (out, "}");
          printf ("%s\n", out->str);
        }
      fprintf (stderr, "kiln-cli flash: %s\n", error->message);
      if (error->domain == KILN_FLASH_ERROR)
        return error->code == KILN_FLASH_ERROR_PROTECTED || error->code == KILN_FLASH_ERROR_READ_PROTECTED
                 ? KILN_CLI_EXIT_PROTECTION
               : error->code == KILN_FLASH_ERROR_PLAN ? KILN_CLI_EXIT_USAGE
                                                      : KILN_CLI_EXIT_FLASH;
      return kiln_cli_exit_code_for (error);
    }

  {
    double secs = (g_get_monotonic_time () - start) / 1e6;
    g_autofree char *size = kiln_cli_format_size (job->result.bytes_written);

    if (json)
      {
        g_autoptr(GString) out = g_string_new (NULL);

        g_string_append_printf (out,
                                "{\"event\":\"result\",\"ok\":true,\"chip\":\"%s\",\"sectors_erased\":%u,"
                                "\"sectors_written\":%u,\"sectors_skipped\":%u,\"bytes\":%" G_GUINT64_FORMAT
                                ",\"verified\":%s,\"verify_method\":\"%s\",\"psize\":\"%s\",\"loader\":%s,"
                                "\"fallback_reason\":",
                                job->chip_name, job->result.erased, job->result.written, job->result.skipped,
                                job->result.bytes_written, job->result.verified ? "true" : "false",
                                job->result.verify_method == KILN_FLASH_VERIFY_CRC ? "crc" : "readback",
                                kiln_flash_psize_to_string (job->result.psize),
                                job->result.used_loader ? "true" : "false");
        if (job->result.fallback_reason != NULL)
          kiln_json_append_string (out, job->result.fallback_reason);
        else
          g_string_append (out, "null");
        g_string_append_printf (out, ",\"seconds\":%.3f}", secs);
        printf ("%s\n", out->str);
      }
    else if (!quiet && !dry_run && job->result.written == 0)
      printf (_("%s: the flash already holds this image; nothing was erased or written (%.1f s)\n"),
              job->chip_name, secs);
    else if (!quiet && !dry_run)
      printf (g_dngettext (GETTEXT_PACKAGE,
                           "%s: %u sector erased and written (%s), %u unchanged and skipped, %s, in %.1f s\n",
                           "%s: %u sectors erased and written (%s), %u unchanged and skipped, %s, in %.1f s\n",
                           job->result.written),
              job->chip_name, job->result.written, size, job->result.skipped,
              job->result.verified ? _("verified") : _("not verified"), secs);
  }
  return KILN_CLI_EXIT_OK;
}
