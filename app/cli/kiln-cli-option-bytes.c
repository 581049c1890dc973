/* kiln-cli-option-bytes.c — `kiln-cli option-bytes [show]` and
 * `kiln-cli option-bytes set KEY=VALUE… --confirm [--irreversible]`
 *
 * Without --confirm, set prints what would change and what that does, and
 * exits with the usage code having changed nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-target-job.h"

static void
add_list (JsonBuilder *b,
          const char  *name,
          GPtrArray   *list)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; list != NULL && i < list->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (list, i));
  json_builder_end_array (b);
}

/* The result line of --json: what would change (@dry_run) or the option
 * bytes as they now read. */
static void
print_json_result (KilnTargetJob *job,
                   gboolean       dry_run)
{
  JsonBuilder *b = kiln_cli_json_result_new (!dry_run);

  if (dry_run)
    {
      kiln_cli_json_bool (b, "dry_run", TRUE);
      kiln_cli_json_int (b, "exit_code", KILN_CLI_EXIT_USAGE);
      add_list (b, "changes", job->changes);
      add_list (b, "consequences", job->consequences);
      kiln_cli_json_string (b, "error", _("Nothing was changed: add --confirm to make this change."));
    }
  else
    {
      g_autofree char *options = kiln_option_bytes_to_json (&job->options_after, job->chip);

      kiln_cli_json_string (b, "chip", job->probe.chip_name != NULL ? job->probe.chip_name : "");
      kiln_cli_json_bool (b, "written", job->options_written);
      add_list (b, "changes", job->changes);
      json_builder_set_member_name (b, "option_bytes");
      json_builder_add_value (b, json_from_string (options, NULL));
    }
  kiln_cli_json_result_print (b);
}

static void
print_list (const char *title,
            GPtrArray  *list)
{
  printf ("%s\n", title);
  for (guint i = 0; i < list->len; i++)
    printf ("  • %s\n", (const char *) g_ptr_array_index (list, i));
}

int
kiln_cli_option_bytes (int    argc,
                       char **argv)
{
  g_auto(GStrv) args = NULL;
  gboolean confirm = FALSE, irreversible = FALSE;
  GOptionEntry entries[] = {
    { "confirm", 0, 0, G_OPTION_ARG_NONE, &confirm, N_("Make the change (without it, set only shows what it would do)"), NULL },
    { "irreversible", 0, 0, G_OPTION_ARG_NONE, &irreversible, N_("Also needed for rdp=2, which can never be undone"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[show | set KEY=VALUE…] — show or change the option bytes"));
  g_autoptr(KilnTargetJob) job = NULL;
  g_autoptr(KilnCliOutput) output = NULL;
  KilnCliCommon common;
  gboolean set = FALSE;
  int code = KILN_CLI_EXIT_OK;

  kiln_cli_common_init (&common);
  kiln_cli_common_add_entries (&common, context, KILN_CLI_OPTIONS_JOB);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Keys for set: rdp=0|1|2, wrp=LIST|none, protect=LIST, unprotect=LIST|all, "
                                  "bor=off|1|2|3, iwdg=software|hardware, wwdg=software|hardware, "
                                  "iwdg-stop=run|freeze, iwdg-standby=run|freeze, reset-on-stop=yes|no, "
                                  "reset-on-standby=yes|no, boot-add0=ADDR, boot-add1=ADDR, dual-bank=on|off, "
                                  "dual-boot=on|off, db1m=1|0 (1 MiB STM32F42x/F43x: two banks of 512 KiB, "
                                  "sectors renumbered)."));
  code = kiln_cli_common_parse (&common, context, "option-bytes", &argc, &argv);
  if (code != KILN_CLI_EXIT_OK)
    goto out;
  if (args != NULL && args[0] != NULL && g_str_equal (args[0], "set"))
    {
      set = TRUE;
      if (args[1] == NULL)
        {
          code = kiln_cli_usage_error ("option-bytes", &common, _("set needs at least one KEY=VALUE, like rdp=1 or unprotect=all"));
          goto out;
        }
      for (guint i = 1; args[i] != NULL; i++)
        {
          const char *eq = strchr (args[i], '=');

          if (eq == NULL || eq == args[i] || eq[1] == '\0')
            {
              g_autofree char *msg = g_strdup_printf (_("“%s” is not KEY=VALUE (like rdp=1 or unprotect=all)"), args[i]);

              code = kiln_cli_usage_error ("option-bytes", &common, msg);
              goto out;
            }
        }
    }
  else if (args != NULL && args[0] != NULL && (!g_str_equal (args[0], "show") || args[1] != NULL))
    {
      code = kiln_cli_usage_error ("option-bytes", &common, _("use “option-bytes”, “option-bytes show” or "
                                                     "“option-bytes set KEY=VALUE… --confirm”"));
      goto out;
    }
  job = kiln_cli_target_job_new (&common, "option-bytes",
                                 set ? KILN_TARGET_JOB_OPTION_BYTES_WRITE : KILN_TARGET_JOB_OPTION_BYTES_READ, &code);
  if (job == NULL)
    goto out;
  if (set)
    {
      job->assignments = g_strdupv (args + 1);
      job->confirm = confirm;
      job->irreversible = irreversible;
      job->dry_run = !confirm;
    }
  output = kiln_cli_common_new_output (&common);
  code = kiln_cli_run_command_job ("option-bytes", &common, job->probe.info, output, kiln_target_job_run, job);
  if (code != KILN_CLI_EXIT_OK)
    goto out;

  if (set && !confirm && job->changes->len > 0)
    {
      /* Shown, not done. */
      code = KILN_CLI_EXIT_USAGE;
      if (common.json)
        print_json_result (job, TRUE);
      else
        {
          g_autofree char *title = g_strdup_printf (_("%s: this would change:"), job->probe.chip_name);

          print_list (title, job->changes);
          print_list (_("What it does:"), job->consequences);
        }
      if (kiln_option_bytes_get_rdp_level (&job->options_after) == 2)
        fprintf (stderr, _("kiln-cli option-bytes: nothing was changed. Read protection level 2 can never be undone: "
                           "it needs --confirm and --irreversible.\n"));
      else
        fprintf (stderr, _("kiln-cli option-bytes: nothing was changed; add --confirm to make this change.\n"));
      goto out;
    }

  {
    g_autofree char *words = kiln_option_bytes_describe (&job->options_after, job->chip);

    if (common.json)
      print_json_result (job, FALSE);
    else if (!common.quiet)
      {
        if (job->options_written && kiln_option_bytes_get_rdp_level (&job->options_after) == 2)
          {
            printf (_("%s: read protection level 2 is set; the chip's debug port is closed for good.\n"),
                    job->probe.chip_name);
            goto out;
          }
        if (job->options_written)
          printf (_("%s: option bytes written and loaded; they now read:\n"), job->probe.chip_name);
        else if (!set)
          printf (_("%s option bytes:\n"), job->probe.chip_name);
        printf ("%s", words);
      }
  }

out:
  kiln_cli_common_clear (&common);
  return code;
}
