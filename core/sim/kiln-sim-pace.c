/* kiln-sim-pace.c — the bench in real time, and holding a job at a chosen point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-sim-error.h"
#include "kiln-sim-file.h"
#include "kiln-sim-pace.h"

typedef enum
{
  HOLD_NONE,
  HOLD_ERASE,
  HOLD_PROGRAM,
  HOLD_READ,
  HOLD_TIME,
} HoldKind;

typedef enum
{
  REAL_TIME_OFF,
  REAL_TIME_ON,
  REAL_TIME_AFTER_HOLD,
} RealTime;

struct _KilnSimPace
{
  GMutex    mutex;
  RealTime  real_time;
  HoldKind  hold;
  guint64   hold_at;
  char     *hold_name;   /* as written: "read:65536" */
  char     *hold_file;
  gboolean  fired;       /* the hold point was reached (once per bench) */
  gboolean  released;
};

#define POLL_US 2000

static gboolean
parse_hold (KilnSimPace  *self,
            const char   *text,
            GError      **error)
{
  static const struct { const char *name; HoldKind kind; } kinds[] = {
    { "erase", HOLD_ERASE }, { "program", HOLD_PROGRAM }, { "read", HOLD_READ }, { "time", HOLD_TIME },
  };
  const char *colon = strchr (text, ':');
  char *end = NULL;

  for (guint i = 0; colon != NULL && i < G_N_ELEMENTS (kinds); i++)
    {
      if (strlen (kinds[i].name) != (gsize) (colon - text) || strncmp (text, kinds[i].name, colon - text) != 0)
        continue;
      self->hold_at = g_ascii_strtoull (colon + 1, &end, 0);
      if (end == colon + 1 || *end != '\0' || colon[1] == '-')
        break;
      self->hold = kinds[i].kind;
      self->hold_name = g_strdup (text);
      return TRUE;
    }
  g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
               "[bench] hold = %s: give erase:N, program:N, read:N or time:MS", text);
  return FALSE;
}

KilnSimPace *
kiln_sim_pace_new (GKeyFile    *key_file,
                   const char  *base_dir,
                   GError     **error)
{
  g_autofree char *real_time = g_key_file_get_string (key_file, "bench", "real-time", NULL);
  g_autofree char *hold = g_key_file_get_string (key_file, "bench", "hold", NULL);
  g_autofree char *hold_file = g_key_file_get_string (key_file, "bench", "hold-file", NULL);
  KilnSimPace *self;

  if (real_time == NULL && hold == NULL && hold_file == NULL)
    return NULL;

  self = g_new0 (KilnSimPace, 1);
  g_mutex_init (&self->mutex);
  g_strstrip (real_time != NULL ? real_time : (real_time = g_strdup ("false")));
  if (g_str_equal (real_time, "true"))
    self->real_time = REAL_TIME_ON;
  else if (g_str_equal (real_time, "after-hold"))
    self->real_time = REAL_TIME_AFTER_HOLD;
  else if (!g_str_equal (real_time, "false"))
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                   "[bench] real-time = %s: give true, false or after-hold", real_time);
      kiln_sim_pace_free (self);
      return NULL;
    }
  if ((hold == NULL) != (hold_file == NULL))
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                   "[bench] hold and hold-file go together: where to stop, and the file that releases it");
      kiln_sim_pace_free (self);
      return NULL;
    }
  if (hold != NULL && !parse_hold (self, g_strstrip (hold), error))
    {
      kiln_sim_pace_free (self);
      return NULL;
    }
  if (hold_file != NULL)
    self->hold_file = g_path_is_absolute (hold_file) || base_dir == NULL
                      ? g_strdup (hold_file) : g_build_filename (base_dir, hold_file, NULL);
  if (self->real_time == REAL_TIME_AFTER_HOLD && self->hold == HOLD_NONE)
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                   "[bench] real-time = after-hold needs a hold");
      kiln_sim_pace_free (self);
      return NULL;
    }
  return self;
}

void
kiln_sim_pace_free (KilnSimPace *self)
{
  if (self == NULL)
    return;
  g_mutex_clear (&self->mutex);
  g_free (self->hold_name);
  g_free (self->hold_file);
  g_free (self);
}

static gboolean
reached (KilnSimPace         *self,
         const KilnSimClock  *clock,
         const KilnSimReport *report)
{
  switch (self->hold)
    {
    case HOLD_ERASE:
      return (guint64) report->sectors_erased->len + report->mass_erases >= self->hold_at;
    case HOLD_PROGRAM:
      return report->flash_units_programmed >= self->hold_at;
    case HOLD_READ:
      return report->usb_bytes_in >= self->hold_at;
    case HOLD_TIME:
      return clock->device_ns >= self->hold_at * G_GUINT64_CONSTANT (1000000);
    case HOLD_NONE:
    default:
      return FALSE;
    }
}

gboolean
kiln_sim_pace_hold (KilnSimPace         *self,
                    const KilnSimClock  *clock,
                    const KilnSimReport *report)
{
  if (self == NULL || self->hold == HOLD_NONE)
    return FALSE;

  g_mutex_lock (&self->mutex);
  if (self->fired || !reached (self, clock, report))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  self->fired = TRUE;
  g_mutex_unlock (&self->mutex);

  /* The probe stops answering until the test removes the file. */
  if (!kiln_sim_file_write (self->hold_file, self->hold_name, -1, NULL))
    g_printerr ("kiln-sim: cannot create the hold file %s: not holding\n", self->hold_file);
  else
    while (g_file_test (self->hold_file, G_FILE_TEST_EXISTS))
      g_usleep (POLL_US);

  g_mutex_lock (&self->mutex);
  self->released = TRUE;
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

gboolean
kiln_sim_pace_catch_up (KilnSimPace  *self,
                        KilnSimClock *clock)
{
  gint64 now = g_get_monotonic_time ();
  gint64 ahead_us;
  gboolean on;

  if (self == NULL || self->real_time == REAL_TIME_OFF)
    return FALSE;
  g_mutex_lock (&self->mutex);
  on = self->real_time == REAL_TIME_ON || self->released;
  g_mutex_unlock (&self->mutex);
  if (!on)
    return FALSE;

  if (!clock->paced)
    {
      /* From here on, board time and wall time advance together. */
      clock->paced = TRUE;
      clock->paced_wall_us = now;
      clock->paced_now_ns = clock->now_ns;
      return FALSE;
    }
  ahead_us = (gint64) ((clock->now_ns - clock->paced_now_ns) / 1000) - (now - clock->paced_wall_us);
  if (ahead_us <= 0)
    return FALSE;
  g_usleep ((gulong) ahead_us);
  return TRUE;
}
