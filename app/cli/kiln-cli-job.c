/* kiln-cli-job.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-cli-probe.h"
#include "kiln-flash-error.h"
#include "kiln-flash-option-bytes.h"
#include "kiln-flash-plan.h"
#include "kiln-flash-types.h"
#include "kiln-image.h"
#include "kiln-job-error.h"
#include "kiln-production-error.h"

void
kiln_cli_common_init (KilnCliCommon *common)
{
  memset (common, 0, sizeof *common);
  common->khz = 4000;
}

void
kiln_cli_common_clear (KilnCliCommon *common)
{
  g_clear_pointer (&common->serial, g_free);
  g_clear_pointer (&common->verify_text, g_free);
  g_clear_pointer (&common->probes, g_ptr_array_unref);
  g_clear_object (&common->bench);
}

void
kiln_cli_common_add_entries (KilnCliCommon  *common,
                             GOptionContext *context,
                             KilnCliOptions  options)
{
  const GOptionEntry all[] = {
    { "probe", 0, 0, G_OPTION_ARG_STRING, &common->serial,
      common->probe_help ? common->probe_help : N_("The probe to use, by serial (see “kiln-cli list”)"), N_("SERIAL") },
    { "simulator", 0, 0, G_OPTION_ARG_NONE, &common->simulator,
      common->simulator_help ? common->simulator_help : N_("Use the simulated board (KILN_SIM, or the built-in bench)"),
      NULL },
    { "connect-under-reset", 0, 0, G_OPTION_ARG_NONE, &common->under_reset, N_("Hold the target in reset while connecting"), NULL },
    { "freq", 0, 0, G_OPTION_ARG_INT, &common->khz, N_("SWD clock in kHz (default 4000)"), N_("KHZ") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &common->json,
      common->json_help ? common->json_help : N_("One JSON object per line for each event and the result"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &common->quiet, common->quiet_help ? common->quiet_help : N_("Print only errors"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &common->verbose, N_("Print every sector's state"), NULL },
    { "verify", 0, 0, G_OPTION_ARG_STRING, &common->verify_text, N_("How to verify: crc (on the target, default) or readback"), N_("METHOD") },
    /* The old spelling of --verify for `verify`, kept for scripts. */
    { "method", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &common->verify_text, NULL, N_("METHOD") },
  };
  const KilnCliOptions owner[] = {
    KILN_CLI_OPTION_PROBE, KILN_CLI_OPTION_SIMULATOR, KILN_CLI_OPTION_CONNECT, KILN_CLI_OPTION_CONNECT,
    KILN_CLI_OPTION_JSON, KILN_CLI_OPTION_QUIET, KILN_CLI_OPTION_VERBOSE, KILN_CLI_OPTION_VERIFY_METHOD,
    KILN_CLI_OPTION_VERIFY_METHOD,
  };
  GOptionEntry entries[G_N_ELEMENTS (all) + 1] = { { NULL } };
  guint n = 0;

  G_STATIC_ASSERT (G_N_ELEMENTS (all) == G_N_ELEMENTS (owner));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (options & owner[i])
      entries[n++] = all[i];
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

int
kiln_cli_common_parse (KilnCliCommon   *common,
                       GOptionContext  *context,
                       const char      *command,
                       int             *argc,
                       char          ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    return kiln_cli_usage_error (command, common, error->message);
  if (common->khz <= 0)
    return kiln_cli_usage_error (command, common, _("--freq takes the SWD clock in kHz, like --freq 4000"));
  if (common->verify_text == NULL || g_ascii_strcasecmp (common->verify_text, "crc") == 0)
    common->verify_method = KILN_FLASH_VERIFY_CRC;
  else if (g_ascii_strcasecmp (common->verify_text, "readback") == 0)
    common->verify_method = KILN_FLASH_VERIFY_READ_BACK;
  else
    return kiln_cli_usage_error (command, common, _("--verify is crc or readback"));
  return KILN_CLI_EXIT_OK;
}

void
kiln_cli_common_set_connection (KilnCliCommon *common,
                                KilnJobProbe  *probe)
{
  probe->khz = (guint) common->khz;
  probe->under_reset = common->under_reset;
}

KilnCliOutput *
kiln_cli_common_new_output (KilnCliCommon *common)
{
  return kiln_cli_output_new (common->json ? KILN_CLI_OUTPUT_JSON : KILN_CLI_OUTPUT_TEXT, common->quiet,
                              common->verbose);
}

KilnUsbProbeInfo *
kiln_cli_common_choose_probe (KilnCliCommon *common,
                              const char    *command,
                              int           *exit_code)
{
  g_autoptr(GError) error = NULL;
  KilnUsbProbeInfo *info;

  common->bench = kiln_cli_probe_bench (common->simulator, &error);
  if (error != NULL)
    {
      *exit_code = kiln_cli_usage_error (command, common, error->message);
      return NULL;
    }
  common->probes = kiln_usb_list_probes (common->bench, NULL);
  info = kiln_cli_probe_choose (common->probes, common->serial, &error);
  if (info == NULL)
    *exit_code = kiln_cli_fail_with (command, common, kiln_cli_exit_code (error), error->message);
  return info;
}

KilnTargetJob *
kiln_cli_target_job_new (KilnCliCommon     *common,
                         const char        *command,
                         KilnTargetJobKind  kind,
                         int               *exit_code)
{
  KilnUsbProbeInfo *info = kiln_cli_common_choose_probe (common, command, exit_code);
  KilnTargetJob *job;

  if (info == NULL)
    return NULL;
  job = kiln_target_job_new (kind, info);
  kiln_cli_common_set_connection (common, &job->probe);
  return job;
}

static gboolean
on_sigint (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

void
kiln_cli_watch_signals (KilnCliSignalWatch *watch,
                        GCancellable       *cancellable)
{
  const int signals[] = { SIGINT, SIGTERM, SIGHUP };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    watch->ids[i] = g_unix_signal_add_full (G_PRIORITY_HIGH, signals[i], on_sigint, g_object_ref (cancellable),
                                            g_object_unref);
}

void
kiln_cli_unwatch_signals (KilnCliSignalWatch *watch)
{
  for (guint i = 0; i < G_N_ELEMENTS (watch->ids); i++)
    g_clear_handle_id (&watch->ids[i], g_source_remove);
}

typedef struct
{
  GMainLoop *loop;
  GError   **error;
  gboolean   ok;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = kiln_session_run_finish (KILN_SESSION (source), result, wait->error);
  g_main_loop_quit (wait->loop);
}

gboolean
kiln_cli_run_job (KilnUsbProbeInfo    *info,
                  KilnCliOutput       *output,
                  KilnSessionWorkFunc  func,
                  gpointer             job,
                  KilnProgress       **progress_out,
                  GError             **error)
{
  g_autoptr(KilnSession) session = kiln_session_new (kiln_usb_probe_info_get_serial (info));
  g_autoptr(KilnProgress) progress = kiln_progress_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop, error, FALSE };
  KilnCliSignalWatch signals;

  kiln_cli_output_attach (output, progress);
  kiln_cli_watch_signals (&signals, cancellable);
  kiln_session_run_async (session, func, job, NULL, progress, cancellable, on_done, &wait);
  g_main_loop_run (loop);
  while (!kiln_progress_get_finished (progress))
    g_main_context_iteration (NULL, TRUE);
  kiln_cli_unwatch_signals (&signals);
  kiln_cli_output_break_line (output);
  if (progress_out != NULL)
    *progress_out = g_object_ref (progress);
  return wait.ok;
}

int
kiln_cli_run_command_job (const char          *command,
                          KilnCliCommon       *common,
                          KilnUsbProbeInfo    *info,
                          KilnCliOutput       *output,
                          KilnSessionWorkFunc  func,
                          gpointer             job)
{
  g_autoptr(KilnProgress) progress = NULL;
  g_autoptr(GError) error = NULL;

  if (kiln_cli_run_job (info, output, func, job, &progress, &error))
    return KILN_CLI_EXIT_OK;
  return kiln_cli_fail_job (command, common, error, progress);
}

int
kiln_cli_exit_code (const GError *error)
{
  if (error == NULL)
    return KILN_CLI_EXIT_OK;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, KILN_JOB_ERROR, KILN_JOB_ERROR_CANCELLED)
      || g_error_matches (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED))
    return KILN_CLI_EXIT_CANCELLED;
  if (error->domain == KILN_FLASH_ERROR)
    {
      switch (error->code)
        {
        case KILN_FLASH_ERROR_PROTECTED:
        case KILN_FLASH_ERROR_READ_PROTECTED:
          return KILN_CLI_EXIT_PROTECTION;
        case KILN_FLASH_ERROR_PLAN:
          return KILN_CLI_EXIT_USAGE;
        case KILN_FLASH_ERROR_VOLTAGE:
          /* A supply too low to erase or program: the board's power, not its flash. */
          return KILN_CLI_EXIT_CONNECTION;
        default:
          return KILN_CLI_EXIT_FLASH;
        }
    }
  if (error->domain == KILN_OPTION_BYTES_ERROR)
    {
      switch (error->code)
        {
        case KILN_OPTION_BYTES_ERROR_LOCKED_FOR_GOOD:
          return KILN_CLI_EXIT_PROTECTION;
        case KILN_OPTION_BYTES_ERROR_FAILED:
          return KILN_CLI_EXIT_FLASH;
        default:
          return KILN_CLI_EXIT_USAGE;
        }
    }
  if (error->domain == KILN_PRODUCTION_ERROR)
    {
      switch (error->code)
        {
        case KILN_PRODUCTION_ERROR_PROFILE:
        case KILN_PRODUCTION_ERROR_NOT_LOCKED:
        case KILN_PRODUCTION_ERROR_FILE_CHANGED:
        /* `line retire` of a station that is still running: refused, nothing touched. */
        case KILN_PRODUCTION_ERROR_STATION_TAKEN:
          return KILN_CLI_EXIT_USAGE;
        case KILN_PRODUCTION_ERROR_OPTION_BYTES:
          return KILN_CLI_EXIT_PROTECTION;
        default:
          return KILN_CLI_EXIT_FAILURE;
        }
    }
  if (error->domain == KILN_USB_ERROR)
    {
      switch (error->code)
        {
        case KILN_USB_ERROR_NO_PROBE:
        case KILN_USB_ERROR_PERMISSION:
        case KILN_USB_ERROR_NOT_FOUND:
        case KILN_USB_ERROR_AMBIGUOUS:
        case KILN_USB_ERROR_BUSY:
          return KILN_CLI_EXIT_NO_PROBE;
        default:
          return KILN_CLI_EXIT_CONNECTION;
        }
    }
  if (error->domain == KILN_STLINK_ERROR)
    return error->code == KILN_STLINK_ERROR_FIRMWARE_TOO_OLD ? KILN_CLI_EXIT_FAILURE : KILN_CLI_EXIT_CONNECTION;
  if (error->domain == KILN_ARM_ERROR)
    return KILN_CLI_EXIT_CONNECTION;
  return KILN_CLI_EXIT_FAILURE;
}

/* The sectors a job was erasing or writing when it stopped, "4,5", or NULL. */
static char *
unfinished_sectors (KilnProgress *progress,
                    gboolean      failed_too)
{
  g_autoptr(GString) out = g_string_new (NULL);

  /* Sector positions are the logical sector numbers on every supported layout. */
  for (guint i = 0; progress != NULL && i < 64; i++)
    {
      int state = kiln_progress_get_sector_state (progress, i);

      if (state == KILN_SECTOR_STATE_ERASING || state == KILN_SECTOR_STATE_WRITING
          || (failed_too && state == KILN_SECTOR_STATE_FAILED))
        g_string_append_printf (out, "%s%u", out->len ? "," : "", i);
    }
  return out->len ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

int
kiln_cli_fail_with (const char    *command,
                    KilnCliCommon *common,
                    int            code,
                    const char    *message)
{
  if (common != NULL && common->json)
    {
      JsonBuilder *b = kiln_cli_json_result_new (FALSE);

      kiln_cli_json_int (b, "exit_code", code);
      kiln_cli_json_string (b, "error", message);
      kiln_cli_json_result_print (b);
    }
  fprintf (stderr, "kiln-cli %s: %s\n", command, message);
  return code;
}

/* @text ending with a full stop, so that another sentence can follow. */
static char *
sentence (const char *text)
{
  gsize len = strlen (text);

  if (len > 0 && strchr (".!?", text[len - 1]) == NULL)
    return g_strconcat (text, ".", NULL);
  return g_strdup (text);
}

int
kiln_cli_fail (const char    *command,
               KilnCliCommon *common,
               const GError  *error,
               const char    *unfinished,
               const char    *unsure)
{
  int code = kiln_cli_exit_code (error);
  g_autofree char *text = NULL;
  g_autofree char *with_unsure = NULL;
  const char *message = error->message;
  gulong n_unfinished = 1, n_unsure = 1;

  for (const char *p = unfinished; p != NULL && *p != '\0'; p++)
    n_unfinished += *p == ',';
  for (const char *p = unsure; p != NULL && *p != '\0'; p++)
    n_unsure += *p == ',';

  if (code == KILN_CLI_EXIT_CANCELLED)
    {
      if (unfinished != NULL)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Cancelled. The flash controller was locked. Sector %s was left "
                                             "half-done: run the command again.",
                                             "Cancelled. The flash controller was locked. Sectors %s were left "
                                             "half-done: run the command again.",
                                             n_unfinished),
                                unfinished);
      else
        text = g_strdup (_("Cancelled. The flash controller was locked; no sector was left half-done."));
      message = text;
    }
  else if (unfinished != NULL)
    {
      g_autofree char *first = sentence (error->message);

      /* The job stopped in the middle of an erase or a write: say what the
       * flash holds now and what to do about it. */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%s Sector %s was being erased or written and may hold anything now: "
                                           "erase or program it again once this is fixed.",
                                           "%s Sectors %s were being erased or written and may hold anything "
                                           "now: erase or program them again once this is fixed.",
                                           n_unfinished),
                              first, unfinished);
      message = text;
    }
  else if (g_error_matches (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET)
           && common != NULL && !common->under_reset)
    {
      /* The engine's words name the remedy; the command line has a flag for it. */
      g_autofree char *first = sentence (error->message);

      text = g_strdup_printf (_("%s For that, run the command again with --connect-under-reset."), first);
      message = text;
    }
  if (unsure != NULL && code != KILN_CLI_EXIT_CANCELLED)
    {
      g_autofree char *first = sentence (message);

      /* Translators: the first %s is what was said before (ending in a
       * full stop), the second a sector number or list ("5,6") */
      with_unsure = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%s Sector %s may have been written in part too: Kiln lost touch "
                                                  "with the board before it could tell.",
                                                  "%s Sectors %s may have been written in part too: Kiln lost touch "
                                                  "with the board before it could tell.",
                                                  n_unsure),
                                     first, unsure);
      message = with_unsure;
    }
  return kiln_cli_fail_with (command, common, code, message);
}

int
kiln_cli_fail_job (const char    *command,
                   KilnCliCommon *common,
                   const GError  *error,
                   KilnProgress  *progress)
{
  /* A sector that failed while the flash was being changed (not one that
   * only failed verification) holds who knows what. */
  gboolean failed_too = common != NULL && common->changes_flash
                        && !g_error_matches (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY);
  g_autofree char *unfinished = unfinished_sectors (progress, failed_too);

  return kiln_cli_fail (command, common, error, unfinished, NULL);
}

int
kiln_cli_usage_error (const char    *command,
                      KilnCliCommon *common,
                      const char    *message)
{
  return kiln_cli_fail_with (command, common, KILN_CLI_EXIT_USAGE, message);
}

KilnImage *
kiln_cli_load_one_image (const char    *command,
                         KilnCliCommon *common,
                         GStrv          files,
                         const char    *base_text,
                         int           *code)
{
  g_autoptr(GError) error = NULL;
  KilnImage *image;
  guint32 base = 0;

  if (kiln_cli_take_address_argument (files, &base_text) != 1)
    {
      *code = kiln_cli_usage_error (command, common, _("give exactly one firmware file"));
      return NULL;
    }
  if (base_text != NULL && !kiln_cli_parse_address (base_text, &base, &error))
    {
      *code = kiln_cli_usage_error (command, common, error->message);
      return NULL;
    }
  image = kiln_image_load_file (files[0], KILN_IMAGE_FORMAT_AUTO, base_text != NULL, base, &error);
  if (image == NULL && g_error_matches (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_NEEDS_BASE))
    {
      g_autofree char *message = kiln_cli_needs_base_message (command, files[0]);

      *code = kiln_cli_usage_error (command, common, message);
      return NULL;
    }
  if (image == NULL)
    *code = kiln_cli_usage_error (command, common, error->message);
  return image;
}

JsonBuilder *
kiln_cli_json_result_new (gboolean ok)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  kiln_cli_json_string (b, "event", "result");
  kiln_cli_json_bool (b, "ok", ok);
  return b;
}

void
kiln_cli_json_result_print (JsonBuilder *b)
{
  g_autofree char *line = NULL;

  json_builder_end_object (b);
  line = kiln_json_builder_to_line (b);
  g_object_unref (b);
  printf ("%s\n", line);
  fflush (stdout);
}

void
kiln_cli_json_bool (JsonBuilder *b,
                    const char  *name,
                    gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

void
kiln_cli_json_int (JsonBuilder *b,
                   const char  *name,
                   gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
kiln_cli_json_string (JsonBuilder *b,
                      const char  *name,
                      const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
kiln_cli_json_seconds (JsonBuilder *b,
                       double       seconds)
{
  json_builder_set_member_name (b, "seconds");
  kiln_json_builder_add_fixed (b, seconds, 3);
}
