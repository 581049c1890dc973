/* kiln-cli-output.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <unistd.h>

#include "kiln-cli-output.h"
#include "kiln-flash-plan.h"

#define BAR_WIDTH 28

struct _KilnCliOutput
{
  KilnCliOutputFormat    format;
  gboolean               quiet;
  gboolean               verbose;
  gboolean               tty;
  gboolean               line_open;
  KilnCliSectorStateName state_name;
  GPtrArray             *progresses;
};

static const char *
phase_id (KilnProgressPhase phase)
{
  switch (phase)
    {
    case KILN_PROGRESS_PHASE_IDLE:         return "idle";
    case KILN_PROGRESS_PHASE_CONNECT:      return "connect";
    case KILN_PROGRESS_PHASE_PREFLIGHT:    return "preflight";
    case KILN_PROGRESS_PHASE_COMPARE:      return "compare";
    case KILN_PROGRESS_PHASE_ERASE:        return "erase";
    case KILN_PROGRESS_PHASE_PROGRAM:      return "program";
    case KILN_PROGRESS_PHASE_VERIFY:       return "verify";
    case KILN_PROGRESS_PHASE_READ:         return "read";
    case KILN_PROGRESS_PHASE_RESET:        return "reset";
    case KILN_PROGRESS_PHASE_OPTION_BYTES: return "option-bytes";
    case KILN_PROGRESS_PHASE_FINISHED:     return "finished";
    default:                               return "unknown";
    }
}

static const char *
level_id (KilnProgressMessageLevel level)
{
  switch (level)
    {
    case KILN_PROGRESS_MESSAGE_INFO:    return "info";
    case KILN_PROGRESS_MESSAGE_WARNING: return "warning";
    case KILN_PROGRESS_MESSAGE_ERROR:   return "error";
    case KILN_PROGRESS_MESSAGE_DEBUG:   return "debug";
    default:                            return "info";
    }
}

char *
kiln_cli_format_size (guint64 bytes)
{
  if (bytes < 1024)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u byte", "%u bytes", (gulong) bytes), (guint) bytes);
  if (bytes < 1024 * 1024)
    {
      if (bytes % 1024 == 0)
        return g_strdup_printf (_("%u KiB"), (guint) (bytes / 1024));
      return g_strdup_printf (_("%.1f KiB"), bytes / 1024.0);
    }
  return g_strdup_printf (_("%.1f MiB"), bytes / (1024.0 * 1024.0));
}

char *
kiln_cli_format_duration (double seconds)
{
  if (seconds < 10)
    return g_strdup_printf (_("%.1f s"), seconds);
  if (seconds < 60)
    return g_strdup_printf (_("%.0f s"), seconds);
  return g_strdup_printf (_("%u min %u s"), (guint) (seconds / 60), (guint) seconds % 60);
}

static void
emit_json (GString *line)
{
  g_string_append_c (line, '\n');
  fputs (line->str, stdout);
  fflush (stdout);
}

void
kiln_cli_output_break_line (KilnCliOutput *self)
{
  if (self->line_open)
    {
      fputc ('\n', stderr);
      self->line_open = FALSE;
    }
}

static void
draw_live_line (KilnCliOutput *self,
                KilnProgress  *progress)
{
  KilnProgressPhase phase = kiln_progress_get_phase (progress);
  guint64 done = kiln_progress_get_done (progress);
  guint64 total = kiln_progress_get_total (progress);
  double rate = kiln_progress_get_rate (progress);
  double left = kiln_progress_get_seconds_left (progress);
  g_autofree char *done_s = kiln_cli_format_size (done);
  g_autofree char *total_s = kiln_cli_format_size (total);
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append_printf (line, "%-22s ", kiln_progress_phase_to_string (phase));
  if (total > 0)
    {
      guint filled = (guint) (kiln_progress_get_fraction (progress) * BAR_WIDTH);

      g_string_append_c (line, '[');
      for (guint i = 0; i < BAR_WIDTH; i++)
        g_string_append (line, i < filled ? "#" : "-");
      g_string_append (line, "] ");
      /* Translators: bytes done of total, e.g. "212 KiB / 416 KiB" */
      g_string_append_printf (line, _("%s / %s"), done_s, total_s);
      if (rate > 0)
        {
          g_autofree char *rate_s = kiln_cli_format_size ((guint64) rate);

          /* Translators: a transfer rate, e.g. "231 KiB/s" */
          g_string_append_printf (line, _(" · %s/s"), rate_s);
        }
      if (left >= 0 && done < total)
        {
          g_autofree char *left_s = kiln_cli_format_duration (left);

          /* Translators: time left, e.g. "about 2.1 s left" */
          g_string_append_printf (line, _(" · about %s left"), left_s);
        }
    }

  if (self->tty)
    {
      fprintf (stderr, "\r\033[K%s", line->str);
      self->line_open = TRUE;
    }
}

static void
on_phase_started (KilnProgress  *progress,
                  guint          phase,
                  KilnCliOutput *self)
{
  if (self->format == KILN_CLI_OUTPUT_JSON)
    {
      g_autoptr(GString) line = g_string_new ("{\"event\":\"phase\",\"phase\":");

      kiln_json_append_string (line, phase_id (phase));
      g_string_append_printf (line, ",\"total\":%" PRIu64 "}",
                              kiln_progress_get_total (progress));
      emit_json (line);
      return;
    }

  if (self->quiet || phase == KILN_PROGRESS_PHASE_FINISHED)
    return;

  kiln_cli_output_break_line (self);
  if (!self->tty)
    fprintf (stderr, "%s…\n", kiln_progress_phase_to_string (phase));
  else
    draw_live_line (self, progress);
}

static void
on_changed (KilnProgress  *progress,
            KilnCliOutput *self)
{
  if (self->format == KILN_CLI_OUTPUT_JSON)
    {
      g_autoptr(GString) line = g_string_new ("{\"event\":\"progress\",\"phase\":");

      if (kiln_progress_get_phase (progress) == KILN_PROGRESS_PHASE_FINISHED)
        return;
      kiln_json_append_string (line, phase_id (kiln_progress_get_phase (progress)));
      g_string_append_printf (line, ",\"done\":%" PRIu64 ",\"total\":%" PRIu64
                              ",\"rate\":%.0f}",
                              kiln_progress_get_done (progress), kiln_progress_get_total (progress),
                              kiln_progress_get_rate (progress));
      emit_json (line);
      return;
    }

  if (!self->quiet && self->tty && kiln_progress_get_phase (progress) != KILN_PROGRESS_PHASE_FINISHED)
    draw_live_line (self, progress);
}

static void
on_sector_changed (KilnProgress  *progress,
                   guint          sector,
                   guint          state,
                   KilnCliOutput *self)
{
  const char *name = self->state_name ? self->state_name (state) : NULL;

  if (self->format == KILN_CLI_OUTPUT_JSON)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      g_string_append_printf (line, "{\"event\":\"sector\",\"sector\":%u,\"state\":", sector);
      if (name != NULL)
        kiln_json_append_string (line, name);
      else
        g_string_append_printf (line, "%u", state);
      g_string_append_c (line, '}');
      emit_json (line);
      return;
    }

  if (self->verbose && name != NULL)
    {
      kiln_cli_output_break_line (self);
      fprintf (stderr, _("  sector %u: %s\n"), sector, name);
    }
}

static void
on_message (KilnProgress  *progress,
            guint          level,
            const char    *text,
            KilnCliOutput *self)
{
  if (self->format == KILN_CLI_OUTPUT_JSON)
    {
      g_autoptr(GString) line = g_string_new ("{\"event\":\"message\",\"level\":");

      kiln_json_append_string (line, level_id (level));
      g_string_append (line, ",\"text\":");
      kiln_json_append_string (line, text);
      g_string_append_c (line, '}');
      emit_json (line);
      return;
    }

  if (level == KILN_PROGRESS_MESSAGE_DEBUG && !self->verbose)
    return;
  if (level == KILN_PROGRESS_MESSAGE_INFO && self->quiet)
    return;

  kiln_cli_output_break_line (self);
  if (level == KILN_PROGRESS_MESSAGE_WARNING)
    fprintf (stderr, _("Warning: %s\n"), text);
  else
    fprintf (stderr, "%s\n", text);
}

static void
on_finished (KilnProgress  *progress,
             const GError  *error,
             KilnCliOutput *self)
{
  if (self->format == KILN_CLI_OUTPUT_TEXT)
    kiln_cli_output_break_line (self);
}

KilnCliOutput *
kiln_cli_output_new (KilnCliOutputFormat format,
                     gboolean            quiet,
                     gboolean            verbose)
{
  KilnCliOutput *self = g_new0 (KilnCliOutput, 1);

  self->format = format;
  self->quiet = quiet;
  self->verbose = verbose;
  self->tty = isatty (STDERR_FILENO);
  self->progresses = g_ptr_array_new_with_free_func (g_object_unref);
  return self;
}

void
kiln_cli_output_free (KilnCliOutput *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->progresses->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->progresses, i), self);
  g_ptr_array_unref (self->progresses);
  kiln_cli_output_break_line (self);
  g_free (self);
}

void
kiln_cli_output_set_sector_state_name (KilnCliOutput          *self,
                                       KilnCliSectorStateName  func)
{
  self->state_name = func;
}

void
kiln_cli_output_attach (KilnCliOutput *self,
                        KilnProgress  *progress)
{
  g_ptr_array_add (self->progresses, g_object_ref (progress));
  g_signal_connect (progress, "phase-started", G_CALLBACK (on_phase_started), self);
  g_signal_connect (progress, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect (progress, "sector-changed", G_CALLBACK (on_sector_changed), self);
  g_signal_connect (progress, "message", G_CALLBACK (on_message), self);
  g_signal_connect (progress, "finished", G_CALLBACK (on_finished), self);
}
