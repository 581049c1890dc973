/* kiln-cli-read.c — `kiln-cli read ADDR LEN OUT`: target memory to a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-file-write.h"
#include "kiln-cli-job.h"
#include "kiln-target-job.h"

/* 4096, 0x1000, 4K, 4KiB, 1M, 1MiB */
int
kiln_cli_read (int    argc,
               char **argv)
{
  g_auto(GStrv) args = NULL;
  GOptionEntry entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ADDR LEN OUT — read target memory into a file"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnTargetJob) job = NULL;
  g_autoptr(KilnCliOutput) output = NULL;
  g_autofree char *dir = NULL;
  KilnCliCommon common;
  guint32 address;
  gsize length;
  gint64 start;
  int code = KILN_CLI_EXIT_OK;

  kiln_cli_common_init (&common);
  kiln_cli_common_add_entries (&common, context, KILN_CLI_OPTIONS_JOB);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  code = kiln_cli_common_parse (&common, context, "read", &argc, &argv);
  if (code != KILN_CLI_EXIT_OK)
    goto out;
  if (args == NULL || g_strv_length (args) != 3)
    {
      code = kiln_cli_usage_error ("read", &common, _("give an address, a length and an output file: "
                                             "kiln-cli read 0x08000000 64K flash.bin"));
      goto out;
    }
  if (!kiln_cli_parse_address (args[0], &address, &error))
    {
      code = kiln_cli_usage_error ("read", &common, error->message);
      goto out;
    }
  if (!kiln_cli_parse_length (args[1], &length) || (guint64) address + length > G_GUINT64_CONSTANT (0x100000000))
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” is not a length that fits from 0x%08X: write it like 4096, "
                                                "0x1000 or 64K"), args[1], address);

      code = kiln_cli_usage_error ("read", &common, msg);
      goto out;
    }
  dir = g_path_get_dirname (args[2]);
  if (g_file_test (args[2], G_FILE_TEST_IS_DIR))
    {
      g_autofree char *msg = g_strdup_printf (_("%s is a folder: give the name of the file to write, like %s"),
                                              args[2], "flash.bin");

      code = kiln_cli_usage_error ("read", &common, msg);
      goto out;
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *msg = g_strdup_printf (_("cannot write %s: the folder %s does not exist"), args[2], dir);

      code = kiln_cli_usage_error ("read", &common, msg);
      goto out;
    }
  /* Checked before the target is read, so that a long read is not lost. */
  if (g_access (dir, W_OK) != 0)
    {
      g_autofree char *msg = g_strdup_printf (_("cannot write %s: you may not create files in the folder %s"),
                                              args[2], dir);

      code = kiln_cli_usage_error ("read", &common, msg);
      goto out;
    }

  job = kiln_cli_target_job_new (&common, "read", KILN_TARGET_JOB_READ, &code);
  if (job == NULL)
    goto out;
  job->address = address;
  job->length = length;
  output = kiln_cli_common_new_output (&common);
  start = g_get_monotonic_time ();
  code = kiln_cli_run_command_job ("read", &common, job->probe.info, output, kiln_target_job_run, job);
  if (code != KILN_CLI_EXIT_OK)
    goto out;
  if (!kiln_file_write (args[2], g_bytes_get_data (job->data, NULL), length, 0666, &error))
    {
      /* Translators: %s says which file and why ("Could not write
       * /dev/full: No space left on device") */
      g_autofree char *msg = g_strdup_printf (_("The memory was read, but not saved. %s. Check the disk and the "
                                                "file name, and read again."),
                                              error->message);

      code = kiln_cli_fail_with ("read", &common, KILN_CLI_EXIT_FAILURE, msg);
      goto out;
    }

  {
    double secs = (g_get_monotonic_time () - start) / 1e6;
    g_autofree char *size = kiln_cli_format_size (length);

    if (common.json)
      {
        JsonBuilder *b = kiln_cli_json_result_new (TRUE);

        kiln_cli_json_string (b, "chip", job->probe.chip_name);
        kiln_cli_json_int (b, "address", address);
        kiln_cli_json_int (b, "bytes", (gint64) length);
        kiln_cli_json_string (b, "file", args[2]);
        kiln_cli_json_seconds (b, secs);
        kiln_cli_json_result_print (b);
      }
    else if (!common.quiet)
      printf (_("%s: read %s from 0x%08X into %s in %.1f s\n"), job->probe.chip_name, size, address, args[2], secs);
  }

out:
  kiln_cli_common_clear (&common);
  return code;
}
