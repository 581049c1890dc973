/* kiln-job-meter.c — one overall progress for a job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiln-job-meter.h"

/* Without a plan: the share of a typical job each phase takes. */
static const double phase_weight[KILN_FLASH_N_PHASES] = {
  [KILN_FLASH_PHASE_CONNECT] = 0.04,
  [KILN_FLASH_PHASE_PREFLIGHT] = 0.02,
  [KILN_FLASH_PHASE_COMPARE] = 0.08,
  [KILN_FLASH_PHASE_ERASE] = 0.25,
  [KILN_FLASH_PHASE_PROGRAM] = 0.40,
  [KILN_FLASH_PHASE_VERIFY] = 0.12,
  [KILN_FLASH_PHASE_READ] = 0.40,
  [KILN_FLASH_PHASE_RESET] = 0.02,
  [KILN_FLASH_PHASE_OPTION_BYTES] = 0.05,
};

/* With a plan: the fixed costs around the sectors, in seconds. */
#define CONNECT_SECONDS 0.3
#define COMPARE_SECONDS_PER_SECTOR 0.02
/* Checking a sector (a CRC on the target) against writing it. */
#define VERIFY_SHARE 0.15

typedef struct
{
  double   erase, program, verify;   /* estimated seconds */
  gboolean write;                    /* still to be written */
  KilnSectorState state;
} Sector;

struct _KilnJobMeter
{
  Sector        *sectors;
  guint          n;
  gboolean       planned;
  gboolean       verify;
  guint          n_erase;          /* without a plan: sectors an erase touches */
  guint          n_started;        /* without a plan: sectors an erase started */
  KilnFlashPhase phase;
  guint64        phase_total;
  guint64        phase_done;
  double         phase_base;       /* without a plan: the weight of the phases before */
  double         fraction;
  int            current;          /* the sector being worked on, -1: none */
};

KilnJobMeter *
kiln_job_meter_new (KilnFlashPlan *plan,
                    gboolean       verify,
                    guint          n_sectors)
{
  KilnJobMeter *self = g_new0 (KilnJobMeter, 1);

  self->verify = verify;
  self->n_erase = n_sectors;
  self->current = -1;
  self->phase = KILN_FLASH_PHASE_IDLE;
  if (plan == NULL)
    return self;
  self->planned = TRUE;
  self->n = kiln_flash_plan_get_n_sectors (plan);
  self->sectors = g_new0 (Sector, MAX (self->n, 1));
  for (guint i = 0; i < self->n; i++)
    {
      const KilnFlashPlanSector *ps = kiln_flash_plan_get_sector (plan, i);
      Sector *s = &self->sectors[i];

      s->write = ps->action == KILN_FLASH_ACTION_PROGRAM;
      s->erase = ps->erase_seconds;
      s->program = ps->program_seconds;
      s->verify = verify ? ps->program_seconds * VERIFY_SHARE : 0;
      s->state = s->write ? KILN_SECTOR_STATE_PLANNED : KILN_SECTOR_STATE_UNTOUCHED;
    }
  return self;
}

void
kiln_job_meter_free (KilnJobMeter *self)
{
  if (self == NULL)
    return;
  g_free (self->sectors);
  g_free (self);
}

static double
phase_fraction (KilnJobMeter *self)
{
  if (self->phase_total == 0)
    return 0;
  return MIN ((double) self->phase_done / (double) self->phase_total, 1.0);
}

/* The plan's sectors: what is done of what is still to do, in seconds. */
static double
planned_fraction (KilnJobMeter *self)
{
  double total = CONNECT_SECONDS, done = 0, program_total = 0, verify_total = 0;
  gboolean past_connect = self->phase > KILN_FLASH_PHASE_CONNECT;

  for (guint i = 0; i < self->n; i++)
    {
      const Sector *s = &self->sectors[i];

      total += COMPARE_SECONDS_PER_SECTOR;
      if (!s->write)
        continue;
      total += s->erase + s->program + s->verify;
      program_total += s->program;
      verify_total += s->verify;
      /* Erased once it is being written or checked. */
      if (s->state >= KILN_SECTOR_STATE_WRITING && s->state != KILN_SECTOR_STATE_FAILED)
        done += s->erase;
    }
  if (past_connect)
    done += CONNECT_SECONDS;
  if (self->phase > KILN_FLASH_PHASE_COMPARE)
    done += COMPARE_SECONDS_PER_SECTOR * self->n;
  /* Writing and checking move with the bytes. */
  if (self->phase == KILN_FLASH_PHASE_PROGRAM)
    done += program_total * phase_fraction (self);
  else if (self->phase > KILN_FLASH_PHASE_PROGRAM)
    done += program_total;
  if (self->phase == KILN_FLASH_PHASE_VERIFY)
    done += verify_total * phase_fraction (self);
  else if (self->phase > KILN_FLASH_PHASE_VERIFY)
    done += verify_total;
  return total > 0 ? done / total : 0;
}

static double
unplanned_fraction (KilnJobMeter *self)
{
  double all = 0, f;

  /* An erase without bytes moves with its sectors. */
  if (self->n_erase > 0)
    return MIN ((double) (self->n_started > 0 ? self->n_started - 1 : 0) / self->n_erase, 1.0);
  for (guint p = KILN_FLASH_PHASE_CONNECT; p < KILN_FLASH_PHASE_FINISHED; p++)
    all += phase_weight[p];
  f = (self->phase_base + phase_weight[self->phase] * phase_fraction (self)) / all;
  /* A job that reads or checks is mostly that. */
  if (self->phase == KILN_FLASH_PHASE_READ || (self->phase == KILN_FLASH_PHASE_VERIFY && self->phase_base < 0.1))
    f = 0.05 + 0.95 * phase_fraction (self);
  return f;
}

static void
update (KilnJobMeter *self)
{
  double f = self->planned ? planned_fraction (self) : unplanned_fraction (self);

  if (self->phase == KILN_FLASH_PHASE_FINISHED)
    f = 1;
  self->fraction = MAX (self->fraction, MIN (f, 1.0));
}

void
kiln_job_meter_phase (KilnJobMeter   *self,
                      KilnFlashPhase  phase,
                      guint64         total_bytes)
{
  if (phase > self->phase && phase < KILN_FLASH_N_PHASES)
    for (guint p = self->phase; p < phase; p++)
      self->phase_base += phase_weight[p];
  if (phase < KILN_FLASH_N_PHASES)
    self->phase = phase;
  self->phase_total = total_bytes;
  self->phase_done = 0;
  update (self);
}

void
kiln_job_meter_bytes (KilnJobMeter *self,
                      guint64       done_bytes)
{
  self->phase_done = done_bytes;
  update (self);
}

void
kiln_job_meter_sector (KilnJobMeter    *self,
                       guint            position,
                       KilnSectorState  state)
{
  if (state == KILN_SECTOR_STATE_ERASING || state == KILN_SECTOR_STATE_WRITING
      || state == KILN_SECTOR_STATE_VERIFYING)
    self->current = (int) position;
  if (!self->planned)
    {
      /* An erase job: a sector is done once the next one starts, or at the end. */
      if (state == KILN_SECTOR_STATE_ERASING && self->n_started < self->n_erase)
        self->n_started++;
      update (self);
      return;
    }
  if (position >= self->n)
    return;
  /* Found already right: nothing to do for it. Found blank: no erase. */
  if (state == KILN_SECTOR_STATE_UNCHANGED)
    self->sectors[position].write = FALSE;
  if (state == KILN_SECTOR_STATE_BLANK)
    self->sectors[position].erase = 0;
  self->sectors[position].state = state;
  update (self);
}

double
kiln_job_meter_get_fraction (KilnJobMeter *self)
{
  return self->fraction;
}

char *
kiln_job_meter_dup_text (KilnJobMeter *self,
                         double        elapsed_seconds)
{
  GString *text = g_string_new (NULL);
  guint k = 0, n = 0;
  KilnSectorState verb = KILN_SECTOR_STATE_UNTOUCHED;

  if (self->planned && self->current >= 0 && (guint) self->current < self->n)
    {
      KilnSectorState st = self->sectors[self->current].state;

      for (guint i = 0; i < self->n; i++)
        if (self->sectors[i].write)
          {
            n++;
            if (i <= (guint) self->current)
              k++;
          }
      verb = st;
    }
  else if (!self->planned && self->n_erase > 0 && self->phase == KILN_FLASH_PHASE_ERASE)
    {
      verb = KILN_SECTOR_STATE_ERASING;
      n = self->n_erase;
      k = MAX (self->n_started, 1);
    }

  if (k > 0 && n > 0 && verb == KILN_SECTOR_STATE_ERASING)
    /* Translators: "Erasing sector 4 of 8" */
    g_string_append_printf (text, _("Erasing sector %u of %u"), k, n);
  else if (k > 0 && n > 0 && verb == KILN_SECTOR_STATE_WRITING)
    g_string_append_printf (text, _("Writing sector %u of %u"), k, n);
  else if (k > 0 && n > 0 && verb == KILN_SECTOR_STATE_VERIFYING)
    g_string_append_printf (text, _("Checking sector %u of %u"), k, n);
  else
    g_string_append (text, kiln_flash_phase_to_label (self->phase));
  /* Translators: the overall progress, " · 38 %" */
  g_string_append_printf (text, _(" · %.0f %%"), floor (self->fraction * 100));
  if (elapsed_seconds >= 0 && self->fraction >= 0.05 && self->fraction < 1)
    {
      double left = elapsed_seconds * (1 - self->fraction) / self->fraction;

      g_string_append_printf (text, _(" · about %.0f s left"), MAX (ceil (left), 1));
    }
  return g_string_free (text, FALSE);
}
