/* kiln-cli-output.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include <inttypes.h>

#include <glib/gi18n.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kiln-cli-output.h"
#include "kiln-flash-plan.h"

#define BAR_WIDTH 28
#define BAR_MIN_WIDTH 8
/* Room kept for "896 KiB / 896 KiB · 231 KiB/s · 3.5 s left" beside the bar. */
#define TAIL_WIDTH 42

struct _KilnCliOutput
{
  KilnCliOutputFormat    format;
  gboolean               quiet;
  gboolean               verbose;
  gboolean               tty;
  gboolean               line_open;
  /* The phase on the live line: since when it runs (main-loop time) and
   * the largest total it announced. */
  KilnFlashPhase      phase;
  gint64                 phase_start_us;
  guint64                phase_total;
  /* What the live line last showed of it. */
  guint64                shown_done;
  double                 shown_rate;
  double                 shown_left;
  KilnCliSectorStateName state_name;
  KilnCliSectorStateName state_label;
  GPtrArray             *progresses;
};

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

/* "231 KiB/s", "1.4 MiB/s": whole KiB from 100 KiB/s on, the line is short. */
static char *
format_rate (double bytes_per_second)
{
  g_autofree char *size = NULL;

  if (bytes_per_second >= 100 * 1024 && bytes_per_second < 1024 * 1024)
    size = g_strdup_printf (_("%u KiB"), (guint) (bytes_per_second / 1024 + 0.5));
  else
    size = kiln_cli_format_size ((guint64) bytes_per_second);
  /* Translators: a transfer rate, e.g. "231 KiB/s" */
  return g_strdup_printf (_("%s/s"), size);
}

/* Starts the object of an event: {"event": @event, … */
static JsonBuilder *
begin_event (const char *event)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event);
  return b;
}

static void
member_string (JsonBuilder *b,
               const char  *name,
               const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value != NULL ? value : "");
}

static void
member_int (JsonBuilder *b,
            const char  *name,
            gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

/* Ends the event's object and prints it as one line. */
static void
emit_event (JsonBuilder *b)
{
  g_autofree char *line = NULL;

  json_builder_end_object (b);
  line = kiln_json_builder_to_line (b);
  printf ("%s\n", line);
  fflush (stdout);
  g_object_unref (b);
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

/* The terminal's width, so that the live line never wraps (a wrapped line
 * cannot be redrawn in place). */
static guint
terminal_columns (void)
{
  struct winsize ws;
  const char *env = g_getenv ("COLUMNS");

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  if (env != NULL && g_ascii_strtoull (env, NULL, 10) > 0)
    return (guint) g_ascii_strtoull (env, NULL, 10);
  return 80;
}

/* "Writing              [#####-----] 212 KiB / 416 KiB · 231 KiB/s · about 2.1 s left"
 * while a phase runs; "Writing              [##########] 416 KiB · 231 KiB/s · 1.8 s"
 * once it is done. */
static char *
format_line (KilnFlashPhase phase,
             guint64           done,
             guint64           total,
             double            rate,
             double            left,
             double            elapsed,
             gboolean          complete,
             guint             columns)
{
  g_autoptr(GString) tail = g_string_new (NULL);
  /* Phases line up in a column, unless the terminal is too narrow to spare it. */
  g_autofree char *label = g_strdup_printf (columns >= 60 ? "%-20s" : "%s", kiln_flash_phase_to_label (phase));
  g_autofree char *done_s = kiln_cli_format_size (done);
  g_autofree char *total_s = kiln_cli_format_size (total);
  GString *line = g_string_new (label);
  glong room;

  if (complete)
    {
      g_autofree char *elapsed_s = kiln_cli_format_duration (elapsed);

      if (total > 0)
        g_string_append (tail, total_s);
      if (total > 0 && elapsed >= 0.05)
        {
          g_autofree char *rate_s = format_rate (total / elapsed);

          g_string_append_printf (tail, " · %s", rate_s);
        }
      /* Translators: how long a finished phase took, e.g. "done in 1.8 s" */
      g_string_append_printf (tail, total > 0 ? _(" · %s") : _("done in %s"), elapsed_s);
    }
  else if (total > 0)
    {
      /* Translators: bytes done of total, e.g. "212 KiB / 416 KiB" */
      g_string_append_printf (tail, _("%s / %s"), done_s, total_s);
      if (rate > 0)
        {
          g_autofree char *rate_s = format_rate (rate);

          g_string_append_printf (tail, " · %s", rate_s);
        }
      if (left >= 0 && done < total)
        {
          g_autofree char *left_s = kiln_cli_format_duration (left);

          /* Translators: time left, e.g. "2.1 s left" */
          g_string_append_printf (tail, _(" · %s left"), left_s);
        }
    }

  /* The bar takes what room is left on the terminal, if enough. */
  room = (glong) columns - 1 - g_utf8_strlen (line->str, -1) - MAX (g_utf8_strlen (tail->str, -1), TAIL_WIDTH) - 4;
  if (total > 0 && room >= BAR_MIN_WIDTH)
    {
      guint width = MIN ((guint) room, BAR_WIDTH);
      guint filled = complete ? width : (guint) ((double) MIN (done, total) / total * width);

      g_string_append (line, " [");
      for (guint i = 0; i < width; i++)
        g_string_append_c (line, i < filled ? '#' : '-');
      g_string_append (line, "]");
    }
  if (tail->len > 0)
    {
      g_string_append_c (line, ' ');
      g_string_append (line, tail->str);
    }
  /* A terminal narrower than the words: cut them rather than wrap. */
  if (g_utf8_strlen (line->str, -1) > (glong) columns - 1 && columns > 1)
    {
      const char *cut = g_utf8_offset_to_pointer (line->str, (glong) columns - 1);

      g_string_truncate (line, cut - line->str);
    }
  return g_string_free (line, FALSE);
}

static void
draw_live_line (KilnCliOutput *self,
                KilnProgress  *progress)
{
  g_autofree char *line = NULL;

  if (!self->tty || self->phase == KILN_FLASH_PHASE_IDLE)
    return;
  /* The newest counters may belong to a later phase (or to the end of the
   * job): the line then keeps what it last showed of its own. */
  if (kiln_progress_get_phase (progress) == self->phase)
    {
      self->shown_done = kiln_progress_get_done (progress);
      self->shown_rate = kiln_progress_get_rate (progress);
      self->shown_left = kiln_progress_get_seconds_left (progress);
    }
  line = format_line (self->phase, self->shown_done, self->phase_total, self->shown_rate, self->shown_left, 0,
                      FALSE, terminal_columns ());
  fprintf (stderr, "\r\033[K%s", line);
  self->line_open = TRUE;
}

/* The phase on the live line is over: draw it as it ended and move on. A
 * phase that stopped short (cancelled) keeps its bytes done of its total;
 * one that reported no bytes at all says only how long it took. */
static void
complete_live_line (KilnCliOutput *self)
{
  g_autofree char *line = NULL;
  double elapsed = (g_get_monotonic_time () - self->phase_start_us) / (double) G_USEC_PER_SEC;
  guint columns = terminal_columns ();

  if (!self->line_open)
    return;
  if (self->phase_total > 0 && self->shown_done >= self->phase_total)
    line = format_line (self->phase, self->phase_total, self->phase_total, 0, -1, elapsed, TRUE, columns);
  else if (self->shown_done > 0)
    line = format_line (self->phase, self->shown_done, self->phase_total, 0, -1, elapsed, FALSE, columns);
  else
    line = format_line (self->phase, 0, 0, 0, -1, elapsed, TRUE, columns);
  fprintf (stderr, "\r\033[K%s\n", line);
  self->line_open = FALSE;
}

static void
note_total (KilnCliOutput *self,
            KilnProgress  *progress)
{
  if (kiln_progress_get_phase (progress) == self->phase)
    self->phase_total = MAX (self->phase_total, kiln_progress_get_total (progress));
}

static void
on_phase_started (KilnProgress  *progress,
                  KilnFlashPhase  phase,
                  KilnCliOutput *self)
{
  if (self->format == KILN_CLI_OUTPUT_JSON)
    {
      JsonBuilder *b = begin_event ("phase");

      member_string (b, "phase", kiln_flash_phase_to_id (phase));
      member_int (b, "total", (gint64) kiln_progress_get_total (progress));
      /* After the comparison on the target: the job's estimate as it stands now */
      if (kiln_progress_get_estimated_seconds (progress) >= 0)
        {
          json_builder_set_member_name (b, "estimated_seconds");
          kiln_json_builder_add_fixed (b, kiln_progress_get_estimated_seconds (progress), 3);
        }
      emit_event (b);
      return;
    }

  if (self->quiet)
    return;
  if (phase == KILN_FLASH_PHASE_FINISHED)
    {
      /* Whether the last phase is done or cut short is known at "finished". */
      return;
    }

  if (!self->tty)
    {
      fprintf (stderr, "%s…\n", kiln_flash_phase_to_label (phase));
      return;
    }
  complete_live_line (self);
  self->phase = phase;
  self->phase_start_us = g_get_monotonic_time ();
  self->phase_total = 0;
  self->shown_done = 0;
  self->shown_rate = 0;
  self->shown_left = -1;
  note_total (self, progress);
  draw_live_line (self, progress);
}

static void
on_changed (KilnProgress  *progress,
            KilnCliOutput *self)
{
  if (self->format == KILN_CLI_OUTPUT_JSON)
    {
      JsonBuilder *b;

      if (kiln_progress_get_phase (progress) == KILN_FLASH_PHASE_FINISHED)
        return;
      b = begin_event ("progress");
      member_string (b, "phase", kiln_flash_phase_to_id (kiln_progress_get_phase (progress)));
      member_int (b, "done", (gint64) kiln_progress_get_done (progress));
      member_int (b, "total", (gint64) kiln_progress_get_total (progress));
      /* Whole bytes per second, as "%.0f" rounds them. */
      member_int (b, "rate", (gint64) nearbyint (kiln_progress_get_rate (progress)));
      emit_event (b);
      return;
    }

  if (!self->quiet && self->tty && self->line_open)
    {
      note_total (self, progress);
      draw_live_line (self, progress);
    }
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
      JsonBuilder *b = begin_event ("sector");

      member_int (b, "sector", sector);
      if (name != NULL)
        member_string (b, "state", name);
      else
        member_int (b, "state", state);
      emit_event (b);
      return;
    }

  /* Words on a terminal; the ids above are for scripts. */
  name = self->state_label ? self->state_label (state) : kiln_sector_state_to_label (state);
  if (self->verbose && name != NULL && *name != '\0')
    {
      gboolean redraw = self->line_open;

      if (redraw)
        fputs ("\r\033[K", stderr);
      self->line_open = FALSE;
      fprintf (stderr, _("  Sector %u: %s\n"), sector, name);
      if (redraw)
        draw_live_line (self, progress);
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
      JsonBuilder *b = begin_event ("message");

      member_string (b, "level", level_id (level));
      member_string (b, "text", text);
      emit_event (b);
      return;
    }

  if (level == KILN_PROGRESS_MESSAGE_DEBUG && !self->verbose)
    return;
  if (level == KILN_PROGRESS_MESSAGE_INFO && self->quiet)
    return;
  {
    /* Above the live line, which is drawn again below the message. */
    gboolean redraw = self->line_open;

    if (redraw)
      fputs ("\r\033[K", stderr);
    self->line_open = FALSE;
    if (level == KILN_PROGRESS_MESSAGE_WARNING)
      fprintf (stderr, _("Warning: %s\n"), text);
    else
      fprintf (stderr, "%s\n", text);
    if (redraw)
      draw_live_line (self, progress);
  }
}

static void
on_finished (KilnProgress  *progress,
             const GError  *error,
             KilnCliOutput *self)
{
  if (self->format != KILN_CLI_OUTPUT_TEXT)
    return;
  /* Done: the last phase is drawn complete. Failed or cancelled: its line
   * stays as it was, showing how far it got. */
  if (error == NULL)
    complete_live_line (self);
  else
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
kiln_cli_output_set_sector_state_label (KilnCliOutput          *self,
                                        KilnCliSectorStateName  func)
{
  self->state_label = func;
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
