/* kiln-cli-job.h — what the probe subcommands share: the common options,
 * running a job on a session with its progress shown, Ctrl-C, exit codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "kiln-cli-output.h"
#include "kiln-flash-verify.h"
#include "kiln-image.h"
#include "kiln-job-probe.h"
#include "kiln-session.h"
#include "kiln-target-job.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

/* Which of the shared options a command takes. */
typedef enum
{
  KILN_CLI_OPTION_PROBE         = 1 << 0,  /* --probe */
  KILN_CLI_OPTION_SIMULATOR     = 1 << 1,  /* --simulator */
  KILN_CLI_OPTION_CONNECT       = 1 << 2,  /* --connect-under-reset, --freq */
  KILN_CLI_OPTION_JSON          = 1 << 3,  /* --json */
  KILN_CLI_OPTION_QUIET         = 1 << 4,  /* -q, --quiet */
  KILN_CLI_OPTION_VERBOSE       = 1 << 5,  /* -v, --verbose */
  KILN_CLI_OPTION_VERIFY_METHOD = 1 << 6,  /* --verify=crc|readback */
  /* What every command that runs a job on a probe takes. */
  KILN_CLI_OPTIONS_JOB = KILN_CLI_OPTION_PROBE | KILN_CLI_OPTION_SIMULATOR | KILN_CLI_OPTION_CONNECT
                         | KILN_CLI_OPTION_JSON | KILN_CLI_OPTION_QUIET | KILN_CLI_OPTION_VERBOSE,
} KilnCliOptions;

typedef struct
{
  /* Help texts a command words its own way (set before adding the entries). */
  const char *probe_help;
  const char *simulator_help;
  const char *json_help;
  const char *quiet_help;

  char     *serial;
  gboolean  simulator;
  gboolean  json;
  gboolean  quiet;
  gboolean  verbose;
  gboolean  under_reset;
  int       khz;
  /* --verify: the method, and whether it was given */
  char     *verify_text;
  KilnFlashVerifyMethod verify_method;
  /* Set by the commands that erase or write the flash: a sector the job
   * marked failed is then named as left in an unknown state. */
  gboolean  changes_flash;
  /* Filled by kiln_cli_common_choose_probe() */
  KilnSimBench *bench;
  GPtrArray    *probes;
} KilnCliCommon;

void              kiln_cli_common_init          (KilnCliCommon   *common);
void              kiln_cli_common_clear         (KilnCliCommon   *common);
/* The shared options @options names, with one help text each. */
void              kiln_cli_common_add_entries   (KilnCliCommon   *common,
                                                 GOptionContext  *context,
                                                 KilnCliOptions   options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KilnCliCommon, kiln_cli_common_clear)

/* The probe to use; NULL when there is none to use, the reason printed as
 * @command's last word and its exit code in @exit_code. */
KilnUsbProbeInfo *kiln_cli_common_choose_probe  (KilnCliCommon   *common,
                                                 const char      *command,
                                                 int             *exit_code);

/* Sets on @probe (a job's) the connection the options ask for: --freq and
 * --connect-under-reset. */
void              kiln_cli_common_set_connection (KilnCliCommon  *common,
                                                  KilnJobProbe   *probe);
/* The output the options ask for: text or --json, --quiet, --verbose. */
KilnCliOutput    *kiln_cli_common_new_output    (KilnCliCommon   *common);

/* A target job of @kind on the probe the options choose, with their
 * connection; NULL when there is no probe to use (printed, as
 * kiln_cli_common_choose_probe() does, its exit code in @exit_code). */
KilnTargetJob    *kiln_cli_target_job_new       (KilnCliCommon     *common,
                                                 const char        *command,
                                                 KilnTargetJobKind  kind,
                                                 int               *exit_code);

/* Cancels @cancellable on SIGINT (Ctrl-C), SIGTERM (a CI job's timeout)
 * and SIGHUP (the terminal went away) until kiln_cli_unwatch_signals(). */
typedef struct
{
  guint ids[3];
} KilnCliSignalWatch;

void              kiln_cli_watch_signals        (KilnCliSignalWatch *watch,
                                                 GCancellable       *cancellable);
void              kiln_cli_unwatch_signals      (KilnCliSignalWatch *watch);

/* Runs @func on a new session for @info with its progress shown by
 * @output; Ctrl-C cancels it. Returns FALSE with @error when the job
 * failed. */
gboolean          kiln_cli_run_job              (KilnUsbProbeInfo    *info,
                                                 KilnCliOutput       *output,
                                                 KilnSessionWorkFunc  func,
                                                 gpointer             job,
                                                 KilnProgress       **progress_out,
                                                 GError             **error);

/* kiln_cli_run_job() for @command: a failure is printed as its last word
 * (kiln_cli_fail_job()). The exit code. */
int               kiln_cli_run_command_job      (const char          *command,
                                                 KilnCliCommon       *common,
                                                 KilnUsbProbeInfo    *info,
                                                 KilnCliOutput       *output,
                                                 KilnSessionWorkFunc  func,
                                                 gpointer             job);
/* The one exit code for an error, of any layer (cancelled: 7; protection: 5; …). */
int               kiln_cli_exit_code            (const GError    *error);
/* Prints the error as the command's last word (a JSON result with --json,
 * always the message on stderr) and returns the exit code. @unfinished
 * (may be NULL) names the sectors a cancelled job left incomplete, "4,5";
 * @unsure (may be NULL) those the loader may have begun before the link
 * failed, without saying so. */
int               kiln_cli_fail                 (const char      *command,
                                                 KilnCliCommon   *common,
                                                 const GError    *error,
                                                 const char      *unfinished,
                                                 const char      *unsure);
/* The same, naming the sectors @progress last saw being erased or written. */
int               kiln_cli_fail_job             (const char      *command,
                                                 KilnCliCommon   *common,
                                                 const GError    *error,
                                                 KilnProgress    *progress);
/* Prints @message as the command's last word (a JSON result with --json when
 * @common says so, always the message on stderr) and returns @code. */
int               kiln_cli_fail_with            (const char      *command,
                                                 KilnCliCommon   *common,
                                                 int              code,
                                                 const char      *message);
/* Parses the command line (with the common options added): a bad option,
 * --freq or --verify is a usage error, printed, and its exit code returned;
 * else KILN_CLI_EXIT_OK. Every command parses its options here. */
int               kiln_cli_common_parse         (KilnCliCommon   *common,
                                                 GOptionContext  *context,
                                                 const char      *command,
                                                 int             *argc,
                                                 char          ***argv);
/* Prints a usage error (a bad argument or file: nothing was touched) and
 * returns KILN_CLI_EXIT_USAGE. @common may be NULL. */
int               kiln_cli_usage_error          (const char      *command,
                                                 KilnCliCommon   *common,
                                                 const char      *message);
/* Reads the one firmware file in @files (a raw binary at @base_text, when
 * given), before any probe is touched: no file or more than one, a bad
 * address or a file that does not load is a usage error, printed, its exit
 * code in @code, and NULL returned. */
/* The --json result line, built with json-glib: "event":"result" and
 * "ok", then the command's members; _print() ends, prints and frees it. */
JsonBuilder      *kiln_cli_json_result_new      (gboolean         ok);
void              kiln_cli_json_result_print    (JsonBuilder     *b);
void              kiln_cli_json_bool            (JsonBuilder     *b,
                                                 const char      *name,
                                                 gboolean         value);
void              kiln_cli_json_int             (JsonBuilder     *b,
                                                 const char      *name,
                                                 gint64           value);
/* null for a NULL @value. */
void              kiln_cli_json_string          (JsonBuilder     *b,
                                                 const char      *name,
                                                 const char      *value);
/* "seconds", rounded to milliseconds as the documented format has it. */
void              kiln_cli_json_seconds         (JsonBuilder     *b,
                                                 double           seconds);
KilnImage        *kiln_cli_load_one_image       (const char      *command,
                                                 KilnCliCommon   *common,
                                                 GStrv            files,
                                                 const char      *base_text,
                                                 int             *code);

G_END_DECLS
