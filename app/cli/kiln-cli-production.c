/* kiln-cli-production.c — `kiln-cli production PROFILE`: a headless station
 * for rigs with no screen
 *
 * One slot per probe, each on its own session (worker thread); a slot runs
 * the signed profile on the board in front of it, appends the record, then
 * waits for the board to be taken away and the next one to be powered, which
 * it sees through the probe's target voltage, on a real line as on the
 * virtual bench (whose line advances by itself: core/sim/README.md). A line
 * per board is printed once its record is committed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-cli-output.h"
#include "kiln-cli-probe.h"
#include "kiln-flash-plan.h"
#include "kiln-job-error.h"
#include "kiln-line-record.h"
#include "kiln-production-job.h"
#include "kiln-production-signature.h"

typedef struct _Station Station;

typedef struct
{
  Station          *station;
  guint             number;       /* 1-based slot number */
  KilnUsbProbeInfo *info;
  KilnSession      *session;
  GCancellable     *cancellable;
  guint             boards;       /* boards this slot has run */
  char             *last_uid;     /* the chip UID of its last board */
  gboolean          in_job;       /* a board is being programmed */
  gboolean          idle;         /* --wait-for=enter: waits for the next Enter */
  gboolean          done;
} Slot;

struct _Station
{
  KilnProductionProfile *profile;
  KilnProductionRecord  *record;
  KilnSerialAllocator   *allocator;
  GPtrArray             *slots;
  GMainLoop             *loop;
  char                  *station;
  char                  *operator_name;  /* NULL: not given */
  gboolean               json;
  gboolean               quiet;
  guint                  khz;
  gboolean               under_reset;
  guint                  count;       /* 0: no limit */
  guint                  started;
  guint                  passed;
  guint                  failed;
  guint                  running;
  int                    exit_code;   /* of the first failure */
  gboolean               stopping;
  gboolean               wait_enter;  /* boards start on Enter, not on power */
  guint                  stdin_watch;
  gboolean               input_closed;
  GError                *fatal;       /* the record failed: the line stops */
};

static void slot_start_job (Slot *slot);
static void slot_next_board (Slot *slot, gboolean first);

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  g_clear_object (&slot->info);
  g_clear_object (&slot->session);
  g_clear_object (&slot->cancellable);
  g_free (slot->last_uid);
  g_free (slot);
}

static void
station_check_done (Station *st)
{
  for (guint i = 0; i < st->slots->len; i++)
    if (!((Slot *) g_ptr_array_index (st->slots, i))->done)
      return;
  g_main_loop_quit (st->loop);
}

static void
slot_finish (Slot *slot)
{
  slot->done = TRUE;
  station_check_done (slot->station);
}

static void
station_stop (Station *st)
{
  st->stopping = TRUE;
  for (guint i = 0; i < st->slots->len; i++)
    g_cancellable_cancel (((Slot *) g_ptr_array_index (st->slots, i))->cancellable);
}

/* The board line, once the record holds it. */
static void
print_board (Slot                      *slot,
             const KilnProductionEntry *entry,
             const GError              *error)
{
  Station *st = slot->station;

  if (st->json)
    {
      g_autofree char *json = kiln_production_entry_to_json (entry);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *line = NULL;

      json_builder_begin_object (b);
      kiln_cli_json_string (b, "event", "board");
      kiln_cli_json_int (b, "slot", slot->number);
      kiln_cli_json_int (b, "board", slot->boards);
      json_builder_set_member_name (b, "record");
      json_builder_add_value (b, json_from_string (json, NULL));
      json_builder_end_object (b);
      line = kiln_json_builder_to_line (b);
      printf ("%s\n", line);
    }
  else if (entry->pass)
    {
      /* Translators: one board's result on a production line; PASS stays in capitals */
      printf (_("PASS  slot %u  board %u  UID %s  %s  %.1f s\n"), slot->number, slot->boards,
              entry->chip_uid ? entry->chip_uid : "?", entry->serial_number ? entry->serial_number : "-",
              entry->total_seconds);
    }
  else
    {
      const char *advice = kiln_production_advice (error);

      printf (_("FAIL  slot %u  board %u  UID %s  %s\n      %s\n"), slot->number, slot->boards,
              entry->chip_uid ? entry->chip_uid : "?", entry->serial_number ? entry->serial_number : "-",
              entry->cause ? entry->cause : "");
      if (advice != NULL)
        printf ("      %s\n", advice);
    }
  fflush (stdout);
}

typedef struct
{
  Slot              *slot;
  KilnProductionJob *job;
} JobData;

static void
on_job_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JobData *data = user_data;
  Slot *slot = data->slot;
  Station *st = slot->station;
  g_autoptr(GError) error = NULL;

  kiln_session_run_finish (KILN_SESSION (source), result, &error);
  st->running--;
  slot->in_job = FALSE;
  if (data->job->entry != NULL && data->job->entry->chip_uid != NULL)
    {
      g_free (slot->last_uid);
      slot->last_uid = g_strdup (data->job->entry->chip_uid);
    }

  if (data->job->entry != NULL && data->job->entry->id > 0)
    {
      print_board (slot, data->job->entry, error);
      if (data->job->entry->pass)
        st->passed++;
      else
        {
          st->failed++;
          if (st->exit_code == KILN_CLI_EXIT_OK && error != NULL)
            st->exit_code = kiln_cli_exit_code (error);
        }
    }
  else if (g_error_matches (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_DATABASE) && st->fatal == NULL)
    {
      /* The record itself failed: nothing more may be programmed. */
      st->fatal = g_steal_pointer (&error);
      station_stop (st);
    }
  /* Else the job was cancelled before it started: nothing was touched. */

  kiln_production_job_free (data->job);
  g_free (data);

  if (st->fatal == NULL && error != NULL && error->domain == KILN_PRODUCTION_ERROR
      && error->code == KILN_PRODUCTION_ERROR_FILE_CHANGED)
    {
      /* Every board would fail the same way: stop the line. */
      station_stop (st);
    }

  if (st->stopping || (st->count > 0 && st->started >= st->count))
    {
      slot_finish (slot);
      return;
    }
  slot_next_board (slot, FALSE);
}

static void
slot_start_job (Slot *slot)
{
  Station *st = slot->station;
  JobData *data;

  if (st->stopping || (st->count > 0 && st->started >= st->count))
    {
      slot_finish (slot);
      return;
    }
  st->started++;
  st->running++;
  if (st->count > 0 && st->started >= st->count)
    {
      /* The last board has started: the other slots wait for no more. */
      for (guint i = 0; i < st->slots->len; i++)
        {
          Slot *other = g_ptr_array_index (st->slots, i);

          if (other == slot || other->in_job || other->done)
            continue;
          if (other->idle)
            {
              other->idle = FALSE;
              slot_finish (other);
            }
          else
            g_cancellable_cancel (other->cancellable);
        }
    }
  slot->boards++;
  slot->in_job = TRUE;
  data = g_new0 (JobData, 1);
  data->slot = slot;
  data->job = kiln_production_job_new (st->profile, st->record, st->allocator, slot->info, st->station);
  data->job->probe.khz = st->khz;
  data->job->probe.under_reset = st->under_reset;
  data->job->slot = g_strdup_printf ("%u", slot->number);
  data->job->operator_name = g_strdup (st->operator_name);
  kiln_session_run_async (slot->session, kiln_production_job_run, data->job, NULL, NULL, slot->cancellable,
                          on_job_done, data);
}

static void
on_board_ready (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Slot *slot = user_data;
  g_autoptr(GError) error = NULL;

  if (!kiln_session_run_finish (KILN_SESSION (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, KILN_JOB_ERROR, KILN_JOB_ERROR_CANCELLED))
        {
          fprintf (stderr, _("kiln-cli production: slot %u stops: %s\n"), slot->number, error->message);
          if (slot->station->exit_code == KILN_CLI_EXIT_OK)
            slot->station->exit_code = kiln_cli_exit_code (error);
        }
      slot_finish (slot);
      return;
    }
  slot_start_job (slot);
}

/* --wait-for=enter: the slot waits for the operator's Enter (a foot switch,
 * a scanner), for rigs where the target's supply never goes away. */
static void
slot_wait_enter (Slot *slot)
{
  Station *st = slot->station;

  if (st->input_closed)
    {
      slot_finish (slot);
      return;
    }
  slot->idle = TRUE;
  if (!st->quiet && !st->json)
    {
      printf (_("Slot %u: put the next board in and press Enter\n"), slot->number);
      fflush (stdout);
    }
}

static gboolean
on_stdin (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      user_data)
{
  Station *st = user_data;
  g_autofree char *line = NULL;
  GIOStatus status = g_io_channel_read_line (channel, &line, NULL, NULL, NULL);

  if (status == G_IO_STATUS_AGAIN)
    return G_SOURCE_CONTINUE;
  if (status != G_IO_STATUS_NORMAL)
    {
      st->input_closed = TRUE;
      st->stdin_watch = 0;
    }
  for (guint i = 0; i < st->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (st->slots, i);

      if (!slot->idle || slot->done)
        continue;
      slot->idle = FALSE;
      if (status != G_IO_STATUS_NORMAL || st->stopping)
        {
          /* End of input: the line is over. */
          slot_finish (slot);
          continue;
        }
      slot_start_job (slot);
    }
  return status == G_IO_STATUS_NORMAL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
slot_next_board (Slot     *slot,
                 gboolean  first)
{
  Station *st = slot->station;
  KilnBoardWait *wait;

  if (st->wait_enter)
    {
      slot_wait_enter (slot);
      return;
    }
  wait = kiln_board_wait_new (slot->info, !first);
  if (!first)
    kiln_board_wait_set_last_uid (wait, slot->last_uid);

  if (!first && !st->quiet && !st->json)
    {
      printf (_("Slot %u: take the board out and put the next one in\n"), slot->number);
      fflush (stdout);
    }
  kiln_session_run_async (slot->session, kiln_production_wait_for_board, wait, (GDestroyNotify) kiln_board_wait_free,
                          NULL, slot->cancellable, on_board_ready, slot);
}

/* Ctrl-C: the boards in progress are finished and recorded, no new board
 * starts; a second Ctrl-C cancels them too (the controller is locked, the
 * board is recorded as FAIL). */
static gboolean
on_signal (gpointer user_data)
{
  Station *st = user_data;

  if (st->exit_code == KILN_CLI_EXIT_OK)
    st->exit_code = KILN_CLI_EXIT_CANCELLED;
  if (st->stopping)
    {
      fprintf (stderr, _("kiln-cli production: cancelling the boards in progress\n"));
      station_stop (st);
      return G_SOURCE_CONTINUE;
    }
  st->stopping = TRUE;
  fprintf (stderr, _("kiln-cli production: stopping after the boards in progress (Ctrl-C again cancels them)\n"));
  for (guint i = 0; i < st->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (st->slots, i);

      if (!slot->in_job)
        g_cancellable_cancel (slot->cancellable);
      if (slot->idle)
        {
          slot->idle = FALSE;
          slot_finish (slot);
        }
    }
  return G_SOURCE_CONTINUE;
}

static char *
default_log_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "kiln", "production.db", NULL);
}

int
kiln_cli_production (int    argc,
                     char **argv)
{
  g_autofree char *log_path = NULL;
  g_autofree char *station_name = NULL;
  g_autofree char *operator_name = NULL;
  g_autofree char *wait_for = NULL;
  g_auto(GStrv) files = NULL;
  g_auto(GStrv) trust = NULL;
  g_autofree char *line = NULL;
  g_autoptr(KilnLineRecord) line_record = NULL;
  g_autoptr(GArray) trusted = NULL;
  int count = 0, code;
  g_auto(KilnCliCommon) common = { 0 };
  GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_("Stop after this many boards (default: run until stopped)"), N_("N") },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &log_path, N_("The station's record database (default: production.db in Kiln's data folder)"), N_("DB") },
    { "station", 0, 0, G_OPTION_ARG_STRING, &station_name, N_("The station's name in the record (default: the host name)"), N_("NAME") },
    { "operator", 0, 0, G_OPTION_ARG_STRING, &operator_name, N_("Who runs the station, kept in each board's record"), N_("NAME") },
    { "wait-for", 0, 0, G_OPTION_ARG_STRING, &wait_for, N_("What starts each board: power (a board powered on the probe, the default) or enter (a line on standard input, from a foot switch or scanner)"), N_("power|enter") },
    { "line", 0, 0, G_OPTION_ARG_STRING, &line, N_("The line's PostgreSQL database (a connection string or URI): serial numbers are allocated and every board is recorded there too"), N_("CONNINFO") },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &trust, N_("A public key whose signatures this station trusts (repeatable; the keys in the station's trusted-keys folder are trusted too)"), N_("KEY.pub") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("PROFILE — program boards with a signed production profile"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionProfile) profile = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (slot_free);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(KilnSerialAllocator) allocator = NULL;
  Station st = { 0 };
  guint sigint, sigterm;
  guint consumed = 0, swept = 0;

  kiln_cli_common_init (&common);
  common.probe_help = N_("Use only this probe, by serial (default: every attached probe, one slot each)");
  common.simulator_help = N_("Use the simulated boards (KILN_SIM, or the built-in bench)");
  common.json_help = N_("One JSON object per line for each board and the result");
  common.quiet_help = N_("Print only the boards' results and errors");
  kiln_cli_common_add_entries (&common, context,
                               KILN_CLI_OPTION_PROBE | KILN_CLI_OPTION_SIMULATOR | KILN_CLI_OPTION_CONNECT
                               | KILN_CLI_OPTION_JSON | KILN_CLI_OPTION_QUIET);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  code = kiln_cli_common_parse (&common, context, "production", &argc, &argv);
  if (code != KILN_CLI_EXIT_OK)
    return code;
  if (files == NULL || files[0] == NULL || files[1] != NULL || count < 0)
    {
      fprintf (stderr, _("kiln-cli production: give exactly one production profile\n"));
      return KILN_CLI_EXIT_USAGE;
    }
  if (wait_for != NULL && !g_str_equal (wait_for, "power") && !g_str_equal (wait_for, "enter"))
    {
      fprintf (stderr, _("kiln-cli production: --wait-for takes power or enter\n"));
      return KILN_CLI_EXIT_USAGE;
    }

  /* The profile, signed by a trusted key, and its file as pinned: before any probe is touched. */
  trusted = kiln_production_trust_load ((const char * const *) trust, TRUE, &error);
  if (trusted != NULL)
    profile = kiln_production_profile_load_signed (files[0], trusted, &error);
  if (profile == NULL)
    {
      fprintf (stderr, "kiln-cli production: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  image = kiln_production_profile_load_image (profile, &error);
  if (image == NULL)
    {
      fprintf (stderr, "kiln-cli production: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }

  if (log_path == NULL)
    log_path = default_log_path ();
  record = kiln_production_record_open (log_path, &error);
  if (record == NULL)
    {
      fprintf (stderr, "kiln-cli production: %s\n", error->message);
      return KILN_CLI_EXIT_FAILURE;
    }
  if (line != NULL)
    {
      line_record = kiln_line_record_open (line, &error);
      if (line_record == NULL)
        {
          fprintf (stderr, "kiln-cli production: %s\n", error->message);
          return KILN_CLI_EXIT_FAILURE;
        }
      if (!kiln_line_record_claim_station (line_record, station_name ? station_name : g_get_host_name (), &consumed,
                                           &swept, &error))
        {
          /* Another process running as this station is refused before any
           * probe is touched: 2, as `line retire` of a running station. */
          fprintf (stderr, "kiln-cli production: %s\n", error->message);
          return kiln_cli_exit_code (error);
        }
      if (consumed > 0 && !common.quiet && !common.json)
        printf (g_dngettext (GETTEXT_PACKAGE,
                             "%u serial number this station gave to a board before it stopped, with no result "
                             "recorded, is now recorded as consumed\n",
                             "%u serial numbers this station gave to boards before it stopped, with no result "
                             "recorded, are now recorded as consumed\n", consumed),
                consumed);
      if (swept > 0 && !common.quiet && !common.json)
        printf (g_dngettext (GETTEXT_PACKAGE,
                             "%u serial number given by a station that is not running, with no result recorded, "
                             "is now recorded as consumed\n",
                             "%u serial numbers given by stations that are not running, with no result recorded, "
                             "are now recorded as consumed\n", swept),
                swept);
      kiln_production_record_set_line (record, line_record);
    }
  if (kiln_production_profile_get_serial (profile)->source != KILN_SERIAL_SOURCE_NONE)
    {
      g_autofree char *list = kiln_production_profile_dup_list_path (profile);

      allocator = kiln_serial_allocator_new (record, kiln_production_profile_get_serial (profile), list);
    }

  bench = kiln_cli_probe_bench (common.simulator, &error);
  if (error != NULL)
    {
      fprintf (stderr, "kiln-cli production: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }
  probes = kiln_usb_list_probes (bench, NULL);
  if (common.serial != NULL || probes->len == 0)
    {
      KilnUsbProbeInfo *info = kiln_cli_probe_choose (probes, common.serial, &error);

      if (info == NULL)
        {
          fprintf (stderr, "kiln-cli production: %s\n", error->message);
          return kiln_cli_exit_code (error);
        }
      g_ptr_array_set_size (probes, 0);
      g_ptr_array_add (probes, g_object_ref (info));
    }

  st.profile = profile;
  st.record = record;
  st.allocator = allocator;
  st.slots = slots;
  st.loop = loop;
  st.station = station_name ? g_strdup (station_name) : g_strdup (g_get_host_name ());
  st.operator_name = operator_name;
  st.json = common.json;
  st.quiet = common.quiet;
  st.khz = (guint) common.khz;
  st.under_reset = common.under_reset;
  st.count = (guint) count;
  st.wait_enter = g_strcmp0 (wait_for, "enter") == 0;

  for (guint i = 0; i < probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (probes, i);
      Slot *slot = g_new0 (Slot, 1);

      slot->station = &st;
      slot->number = i + 1;
      slot->info = g_object_ref (info);
      slot->session = kiln_session_new (kiln_usb_probe_info_get_serial (info));
      slot->cancellable = g_cancellable_new ();
      g_ptr_array_add (slots, slot);
    }

  if (!common.quiet && !common.json)
    {
      printf (_("%s — %s (SHA-256 %.16s…), %u slot(s), record %s\n"),
              kiln_production_profile_get_name (profile) ? kiln_production_profile_get_name (profile) : files[0],
              kiln_image_get_display_name (image), kiln_production_profile_get_sha256 (profile), slots->len, log_path);
      fflush (stdout);
    }

  sigint = g_unix_signal_add (SIGINT, on_signal, &st);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &st);
  if (st.wait_enter)
    {
      g_autoptr(GIOChannel) channel = g_io_channel_unix_new (0);

      g_io_channel_set_encoding (channel, NULL, NULL);
      g_io_channel_set_flags (channel, G_IO_FLAG_NONBLOCK, NULL);
      st.stdin_watch = g_io_add_watch (channel, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &st);
    }
  for (guint i = 0; i < slots->len; i++)
    slot_next_board (g_ptr_array_index (slots, i), TRUE);
  g_main_loop_run (loop);
  if (st.stdin_watch != 0)
    g_source_remove (st.stdin_watch);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  /* The bench's last boards keep their state. */
  if (bench != NULL)
    kiln_sim_bench_save (bench, NULL);

  if (common.json)
    {
      JsonBuilder *b = kiln_cli_json_result_new (st.fatal == NULL && st.failed == 0 && st.exit_code == KILN_CLI_EXIT_OK);

      kiln_cli_json_int (b, "boards", st.passed + st.failed);
      kiln_cli_json_int (b, "pass", st.passed);
      kiln_cli_json_int (b, "fail", st.failed);
      kiln_cli_json_result_print (b);
    }
  else if (!common.quiet)
    printf (g_dngettext (GETTEXT_PACKAGE, "%u board: %u PASS, %u FAIL\n", "%u boards: %u PASS, %u FAIL\n",
                         st.passed + st.failed),
            st.passed + st.failed, st.passed, st.failed);

  g_free (st.station);
  if (st.fatal != NULL)
    {
      fprintf (stderr, "kiln-cli production: %s\n", st.fatal->message);
      g_error_free (st.fatal);
      return KILN_CLI_EXIT_FAILURE;
    }
  return st.exit_code;
}
