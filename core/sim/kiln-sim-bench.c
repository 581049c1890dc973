/* kiln-sim-bench.c — the bench: probes paired with boards, from a key file
 *
 * Board sequences: a production line, boards presented one after another on
 * the same probe, power off between them. The line advances by itself, as a
 * real one does: the product only talks to the probe (see README.md, "Board
 * sequences", for the keys and the timing).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "kiln-sim-bench.h"
#include "kiln-sim-bench-file.h"
#include "kiln-sim-file.h"
#include "kiln-sim-pace.h"
#include "kiln-sim-probe-private.h"

typedef enum
{
  LINE_PRESENT,   /* a board is in the socket */
  LINE_RELEASED,  /* the host has let go of it: it goes after remove-after */
  LINE_EMPTY,     /* the socket is empty: the next comes after arrive-after */
  LINE_DONE,      /* every board has been presented: the socket stays empty */
} LinePhase;

typedef struct
{
  KilnSimClock *clock;
  KilnSimProbe *probe;
  KilnSimBoard *board;
  const KilnSimBenchRig *spec;  /* what the bench file says of it */
  guint         sequence;     /* boards in the sequence; 0: no sequence */
  guint         number;       /* the board presented, 1-based; 0: the socket is empty */
  guint         last;         /* the last board presented */
  /* The line's fixture (sequences only): see line_tick(). */
  LinePhase     phase;
  gboolean      held;         /* the host has had the board in debug mode */
  gboolean      watched;      /* a transfer came during the removal delay */
  guint64       released_at;  /* board time of the last transfer in debug mode */
  guint64       empty_since;
  guint64       remove_after_ns;
  guint64       arrive_after_ns;
} Rig;

struct _KilnSimBench
{
  GObject        parent_instance;

  GArray        *rigs;     /* Rig */
  KilnSimBenchFile *file;  /* the description the rigs were built from */
  GMutex         mutex;    /* board swaps against saves */
  KilnSimReport *report;
  char          *report_path;
  gboolean       saved;
};

G_DEFINE_FINAL_TYPE (KilnSimBench, kiln_sim_bench, G_TYPE_OBJECT)

static void line_tick (KilnSimProbe *probe,
                       gpointer      data);

static void
rig_clear (gpointer data)
{
  Rig *rig = data;

  g_clear_object (&rig->probe);
  g_clear_object (&rig->board);
  g_clear_pointer (&rig->clock, g_free);
}

static void
kiln_sim_bench_dispose (GObject *object)
{
  KilnSimBench *self = (KilnSimBench *) object;

  if (!self->saved && self->rigs != NULL)
    kiln_sim_bench_save (self, NULL);
  for (guint i = 0; self->rigs != NULL && i < self->rigs->len; i++)
    kiln_sim_probe_set_fixture (g_array_index (self->rigs, Rig, i).probe, NULL, NULL);

  G_OBJECT_CLASS (kiln_sim_bench_parent_class)->dispose (object);
}

static void
kiln_sim_bench_finalize (GObject *object)
{
  KilnSimBench *self = (KilnSimBench *) object;

  g_clear_pointer (&self->rigs, g_array_unref);
  g_clear_pointer (&self->report, kiln_sim_report_free);
  g_clear_pointer (&self->report_path, g_free);
  g_clear_pointer (&self->file, kiln_sim_bench_file_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (kiln_sim_bench_parent_class)->finalize (object);
}

static void
kiln_sim_bench_class_init (KilnSimBenchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kiln_sim_bench_dispose;
  object_class->finalize = kiln_sim_bench_finalize;
}

static void
kiln_sim_bench_init (KilnSimBench *self)
{
  self->rigs = g_array_new (FALSE, TRUE, sizeof (Rig));
  g_array_set_clear_func (self->rigs, rig_clear);
  self->report = kiln_sim_report_new ();
  self->report_path = g_strdup (g_getenv ("KILN_SIM_REPORT"));
  g_mutex_init (&self->mutex);
}

/* Board @number of @rig's sequence (see kiln_sim_bench_file_sequence_keys());
 * @number 0 is an empty socket (no board: nothing powers the probe's VCC
 * pin). */
static KilnSimBoard *
sequence_board (KilnSimBench  *self,
                Rig           *rig,
                guint          number,
                GError       **error)
{
  g_autofree char *group = NULL;
  g_autoptr(GKeyFile) kf = kiln_sim_bench_file_sequence_keys (self->file, rig->spec, number, &group);

  return kiln_sim_board_new (kf, group, self->file->base_dir, rig->clock, self->report, error);
}

/* Builds the probe and board of rig @index of the bench file: this fails
 * only on the files the keys name or on the core's emulator. */
static gboolean
add_rig (KilnSimBench  *self,
         guint          index,
         GError       **error)
{
  const KilnSimBenchRig *spec = &g_array_index (self->file->rigs, KilnSimBenchRig, index);
  GKeyFile *kf = self->file->key_file;
  Rig rig = { 0 };
  guint n = self->rigs->len;

  rig.clock = g_new0 (KilnSimClock, 1);
  rig.clock->pace = self->file->pace;
  rig.spec = spec;
  rig.sequence = spec->sequence;
  rig.remove_after_ns = spec->remove_after_ns;
  rig.arrive_after_ns = spec->arrive_after_ns;
  rig.number = rig.last = 1;
  if (rig.sequence > 0)
    rig.board = sequence_board (self, &rig, 1, error);
  else
    rig.board = kiln_sim_board_new (kf, spec->board_group, self->file->base_dir, rig.clock, self->report, error);
  if (rig.board == NULL)
    {
      g_free (rig.clock);
      return FALSE;
    }
  if (spec->probe_group == NULL)
    {
      /* Its probe's keys were wrong: the board was made only so that its
       * own error, if any, comes first, as when the bench was read and
       * built in one pass. */
      g_object_unref (rig.board);
      g_free (rig.clock);
      return TRUE;
    }
  rig.probe = kiln_sim_probe_new (kf, spec->probe_group, rig.board, rig.clock, self->report, 1, (guint8) (n + 2), error);
  if (rig.probe == NULL)
    {
      g_object_unref (rig.board);
      g_free (rig.clock);
      return FALSE;
    }
  g_array_append_val (self->rigs, rig);
  if (rig.sequence > 0)
    kiln_sim_probe_set_fixture (rig.probe, line_tick, self);
  return TRUE;
}

/* Reads the file's keys and builds what they describe, rig by rig: an error
 * in the keys is given once every rig before it (and the board of its own
 * rig, when its probe's keys were wrong) has been built without error. */
static KilnSimBench *
bench_from_key_file (GKeyFile    *kf,
                     const char  *base_dir,
                     GError     **error)
{
  g_autoptr(KilnSimBench) self = g_object_new (KILN_TYPE_SIM_BENCH, NULL);
  GError *key_error = NULL;

  self->file = _kiln_sim_bench_file_read (kf, base_dir, &key_error);
  for (guint i = 0; self->file != NULL && i < self->file->rigs->len; i++)
    if (!add_rig (self, i, error))
      {
        g_clear_error (&key_error);
        return NULL;
      }
  if (key_error != NULL)
    {
      g_propagate_error (error, key_error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

KilnSimBench *
kiln_sim_bench_new_from_data (const char  *key_file_data,
                              const char  *base_dir,
                              GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_data (kf, key_file_data, -1, G_KEY_FILE_NONE, error))
    return NULL;
  return bench_from_key_file (kf, base_dir, error);
}

KilnSimBench *
kiln_sim_bench_new_from_file (const char  *path,
                              GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *dir = g_path_get_dirname (path);

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return NULL;
  return bench_from_key_file (kf, dir, error);
}

KilnSimBench *
kiln_sim_bench_new_default (void)
{
  g_autoptr(GError) error = NULL;
  KilnSimBench *self = kiln_sim_bench_new_from_data ("[probe]\n[board]\n", NULL, &error);

  g_assert_no_error (error);
  return self;
}

KilnSimBench *
kiln_sim_bench_new_from_env (GError **error)
{
  const char *path = g_getenv ("KILN_SIM");

  if (path == NULL || *path == '\0')
    return NULL;
  return kiln_sim_bench_new_from_file (path, error);
}

guint
kiln_sim_bench_get_n_probes (KilnSimBench *self)
{
  g_return_val_if_fail (KILN_IS_SIM_BENCH (self), 0);
  return self->rigs->len;
}

KilnSimProbe *
kiln_sim_bench_get_probe (KilnSimBench *self,
                          guint         index)
{
  g_return_val_if_fail (KILN_IS_SIM_BENCH (self), NULL);
  g_return_val_if_fail (index < self->rigs->len, NULL);
  return g_array_index (self->rigs, Rig, index).probe;
}

guint64
kiln_sim_bench_get_device_ns (KilnSimBench *self,
                              guint         index)
{
  g_return_val_if_fail (KILN_IS_SIM_BENCH (self), 0);
  g_return_val_if_fail (index < self->rigs->len, 0);
  return g_array_index (self->rigs, Rig, index).clock->device_ns;
}

guint64
kiln_sim_bench_get_host_ns (KilnSimBench *self,
                            guint         index,
                            guint64      *cpu_wait_ns)
{
  const KilnSimClock *clock;

  g_return_val_if_fail (KILN_IS_SIM_BENCH (self), 0);
  g_return_val_if_fail (index < self->rigs->len, 0);
  clock = g_array_index (self->rigs, Rig, index).clock;
  if (cpu_wait_ns)
    *cpu_wait_ns = clock->host_cpu_wait_ns;
  return clock->host_ns;
}

guint
kiln_sim_bench_get_sequence_length (KilnSimBench *self,
                                    guint         index)
{
  g_return_val_if_fail (KILN_IS_SIM_BENCH (self), 0);
  g_return_val_if_fail (index < self->rigs->len, 0);
  return MAX (g_array_index (self->rigs, Rig, index).sequence, 1);
}

guint
kiln_sim_bench_get_board_number (KilnSimBench *self,
                                 guint         index)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (KILN_IS_SIM_BENCH (self), 0);
  g_return_val_if_fail (index < self->rigs->len, 0);
  locker = g_mutex_locker_new (&self->mutex);
  return g_array_index (self->rigs, Rig, index).number;
}

/* Unplugs the board of @rig (saving its state) and plugs @board in. */
static gboolean
swap_board (KilnSimBench  *self,
            Rig           *rig,
            KilnSimBoard  *board,
            guint          number,
            GError       **error)
{
  g_autoptr(KilnSimBoard) old = g_object_ref (rig->board);

  /* Once the probe holds the new board (under its lock, so never in the
   * middle of a transfer), nothing reaches the old one: it is brought up to
   * the time it was unplugged and its state saved. */
  kiln_sim_probe_set_board (rig->probe, board);
  g_set_object (&rig->board, board);
  rig->number = number;
  kiln_sim_board_sync (old);
  return kiln_sim_board_save (old, error);
}

/* Leaves @rig's socket empty (the probe measures 0 V). */
static gboolean
remove_board (KilnSimBench  *self,
              Rig           *rig,
              GError       **error)
{
  g_autoptr(KilnSimBoard) empty = NULL;

  if (rig->number == 0)
    return TRUE;
  empty = sequence_board (self, rig, 0, error);
  return empty != NULL && swap_board (self, rig, empty, 0, error);
}

/* Plugs the next board of @rig's sequence in, powered up from reset. */
static gboolean
present_next_board (KilnSimBench  *self,
                    Rig           *rig,
                    GError       **error)
{
  g_autoptr(KilnSimBoard) next = NULL;
  guint number = rig->last + 1;

  next = sequence_board (self, rig, number, error);
  if (next == NULL || !swap_board (self, rig, next, number, error))
    return FALSE;
  rig->last = number;
  return TRUE;
}

static void
line_warn (Rig    *rig,
           GError *error)
{
  if (error != NULL)
    g_warning ("%s: the next board could not be presented: %s", rig->spec->board_group, error->message);
}

/* The line's fixture, before each transfer of the probe, in the board's time
 * (device time plus the host's gaps, unless [bench] host-gaps = ignore):
 *
 * - the host holds a board while the probe is in debug mode; once it has let
 *   go (the probe has left debug mode: DEBUG_EXIT, or a new session that
 *   finds it elsewhere), the board is taken away remove-after later (the
 *   probe measures 0 V) and the next one arrives arrive-after after that;
 * - if the host takes the board again before it has gone, it stays;
 * - once a transfer has come within remove-after of letting go (a station
 *   polling the voltage), or when the first one comes between the removal
 *   and the arrival, the empty socket lasts arrive-after from the first
 *   transfer that finds it empty, so that a polling station sees it unless
 *   its polls come further apart than arrive-after (README.md, "Board
 *   sequences"); when nobody looked until both were due, both have happened;
 * - after the last board of the sequence the socket stays empty. */
static void
line_tick (KilnSimProbe *probe,
           gpointer      data)
{
  KilnSimBench *self = data;
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(GError) error = NULL;
  Rig *rig = NULL;
  guint64 now, device, removal;
  gboolean debug;

  for (guint i = 0; i < self->rigs->len && rig == NULL; i++)
    if (g_array_index (self->rigs, Rig, i).probe == probe)
      rig = &g_array_index (self->rigs, Rig, i);
  if (rig == NULL || rig->sequence == 0)
    return;
  kiln_sim_probe_get_line_state (probe, &now, &device, &debug);

  switch (rig->phase)
    {
    case LINE_PRESENT:
      if (debug)
        {
          rig->held = TRUE;
          rig->released_at = now;
          return;
        }
      if (!rig->held)
        return;
      rig->phase = LINE_RELEASED;
      rig->watched = FALSE;
      G_GNUC_FALLTHROUGH;

    case LINE_RELEASED:
      if (debug)
        {
          /* Taken again before it went: it stays. */
          rig->phase = LINE_PRESENT;
          rig->released_at = now;
          return;
        }
      removal = rig->released_at + rig->remove_after_ns;
      if (now < removal)
        {
          rig->watched = TRUE;
          return;
        }
      if (!remove_board (self, rig, &error))
        {
          line_warn (rig, error);
          return;
        }
      rig->phase = LINE_EMPTY;
      if (rig->watched || now < removal + rig->arrive_after_ns)
        {
          /* Seen by this transfer. */
          rig->empty_since = now;
          return;
        }
      rig->empty_since = removal;
      G_GNUC_FALLTHROUGH;

    case LINE_EMPTY:
      if (now < rig->empty_since + rig->arrive_after_ns)
        return;
      if (rig->last >= rig->sequence)
        {
          rig->phase = LINE_DONE;
          return;
        }
      if (!present_next_board (self, rig, &error))
        {
          line_warn (rig, error);
          return;
        }
      rig->phase = LINE_PRESENT;
      rig->held = FALSE;
      return;

    case LINE_DONE:
    default:
      return;
    }
}

void
kiln_sim_bench_set_report_path (KilnSimBench *self,
                                const char   *path)
{
  g_return_if_fail (KILN_IS_SIM_BENCH (self));
  g_free (self->report_path);
  self->report_path = g_strdup (path);
}

/* The bench writes its report with this small writer of its own rather
 * than with the product's JSON code (or a library the product uses): the
 * ruler stays independent of what it measures (see README.md). */
static void
json_string (GString    *out,
             const char *s)
{
  g_string_append_c (out, '"');
  for (; *s; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_c (out, '\\');
      if ((guchar) *s < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *s);
      else
        g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

char *
kiln_sim_bench_dup_report_json (KilnSimBench *self)
{
  KilnSimReport *r = self->report;
  g_autoptr(GString) out = g_string_new ("{");
  guint64 device = 0, host = 0, total = 0, cpu_wait = 0;
  KilnSimHostGaps gaps = KILN_SIM_HOST_GAPS_WALL;
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  GHashTableIter iter;
  gpointer key, value;
  gboolean first = TRUE;

  /* Rigs run in parallel: the bench took as long as its slowest rig. */
  for (guint i = 0; i < self->rigs->len; i++)
    {
      const KilnSimClock *c = g_array_index (self->rigs, Rig, i).clock;

      device = MAX (device, c->device_ns);
      host = MAX (host, c->host_ns);
      cpu_wait = MAX (cpu_wait, c->host_cpu_wait_ns);
      gaps = c->host_gaps;
      total = MAX (total, c->device_ns + c->host_ns);
    }

  g_string_append_printf (out, "\"device_time_s\":%s,", g_ascii_formatd (num, sizeof num, "%.6f", device / 1e9));
  g_string_append_printf (out, "\"host_time_s\":%s,", g_ascii_formatd (num, sizeof num, "%.6f", host / 1e9));
  g_string_append_printf (out, "\"total_time_s\":%s,", g_ascii_formatd (num, sizeof num, "%.6f", total / 1e9));
  g_string_append_printf (out, "\"host_gaps\":\"%s\",", kiln_sim_host_gaps_name (gaps));
  g_string_append_printf (out, "\"host_cpu_wait_s\":%s,", g_ascii_formatd (num, sizeof num, "%.6f", cpu_wait / 1e9));
  g_string_append_printf (out,
                          "\"usb_transfers\":%" G_GUINT64_FORMAT ",\"usb_bytes_out\":%" G_GUINT64_FORMAT
                          ",\"usb_bytes_in\":%" G_GUINT64_FORMAT ",\"swd_transfers\":%" G_GUINT64_FORMAT
                          ",\"flash_units_programmed\":%" G_GUINT64_FORMAT ",",
                          r->usb_transfers, r->usb_bytes_out, r->usb_bytes_in, r->swd_transfers,
                          r->flash_units_programmed);

  g_string_append_printf (out, "\"flash_erase_busy_s\":%s,",
                          g_ascii_formatd (num, sizeof num, "%.6f", r->flash_erase_busy_s));
  g_string_append_printf (out, "\"flash_program_busy_s\":%s,",
                          g_ascii_formatd (num, sizeof num, "%.6f", r->flash_program_busy_s));
  g_string_append_printf (out, "\"flash_first_start_s\":%s,",
                          g_ascii_formatd (num, sizeof num, "%.6f", r->flash_first_start_ns / 1e9));
  g_string_append_printf (out, "\"flash_last_end_s\":%s,",
                          g_ascii_formatd (num, sizeof num, "%.6f", r->flash_last_end_ns / 1e9));
  g_string_append (out, "\"sectors_erased\":[");
  for (guint i = 0; i < r->sectors_erased->len; i++)
    {
      const KilnSimReportErase *e = &g_array_index (r->sectors_erased, KilnSimReportErase, i);

      g_string_append_printf (out, "%s{\"sector\":%u,\"psize\":%u,\"time_s\":%s}", i ? "," : "", e->sector,
                              e->psize_bits, g_ascii_formatd (num, sizeof num, "%.6f", e->time_s));
    }
  g_string_append_printf (out, "],\"mass_erases\":%u,\"core_instructions\":%" G_GUINT64_FORMAT ",",
                          r->mass_erases, r->core_instructions);
  g_string_append_printf (out, "\"flash_locked_at_exit\":%s,\"option_bytes_locked_at_exit\":%s,",
                          r->flash_unlocked_at_exit ? "false" : "true", r->options_unlocked_at_exit ? "false" : "true");

  g_string_append (out, "\"violations\":[");
  for (guint i = 0; i < r->violations->len; i++)
    {
      if (i)
        g_string_append_c (out, ',');
      json_string (out, g_ptr_array_index (r->violations, i));
    }
  g_string_append (out, "],\"unmodeled_registers\":[");
  for (guint i = 0; i < r->unmodeled->len; i++)
    {
      if (i)
        g_string_append_c (out, ',');
      json_string (out, g_ptr_array_index (r->unmodeled, i));
    }
  g_string_append (out, "],\"faults_injected\":[");
  for (guint i = 0; i < r->faults_injected->len; i++)
    {
      if (i)
        g_string_append_c (out, ',');
      json_string (out, g_ptr_array_index (r->faults_injected, i));
    }
  g_string_append (out, "],\"host_errors\":{");
  g_hash_table_iter_init (&iter, r->host_errors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      json_string (out, key);
      g_string_append_printf (out, ":%u", GPOINTER_TO_UINT (value));
    }
  g_string_append (out, "}}");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
kiln_sim_bench_save (KilnSimBench  *self,
                     GError       **error)
{
  g_return_val_if_fail (KILN_IS_SIM_BENCH (self), FALSE);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->rigs->len; i++)
    {
      Rig *rig = &g_array_index (self->rigs, Rig, i);

      kiln_sim_board_sync (rig->board);
      if (!kiln_sim_board_save (rig->board, error))
        {
          g_mutex_unlock (&self->mutex);
          return FALSE;
        }
    }
  g_mutex_unlock (&self->mutex);

  if (self->report_path != NULL && *self->report_path != '\0')
    {
      g_autofree char *json = kiln_sim_bench_dup_report_json (self);
      g_autofree char *line = g_strconcat (json, "\n", NULL);

      if (!kiln_sim_file_write (self->report_path, line, -1, error))
        return FALSE;
    }

  self->saved = TRUE;
  return TRUE;
}
