/* kiln-production-job.h — one board on a production line: the pinned file,
 * the expected chip and option bytes, a serial number, programming through
 * the flash job, and one entry in the station's record, PASS or FAIL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-flash-job.h"
#include "kiln-production-profile.h"
#include "kiln-production-record.h"
#include "kiln-serial-allocator.h"

G_BEGIN_DECLS

typedef struct
{
  /* In */
  KilnProductionProfile *profile;
  KilnProductionRecord  *record;
  KilnSerialAllocator   *allocator;   /* NULL: the profile injects no serial */
  KilnJobProbe           probe;         /* the probe and how to connect, handed to the flash job */
  char                  *station;
  char                  *slot;          /* the slot's number, for the record (NULL: none) */
  char                  *operator_name; /* who runs the station (NULL: not given) */
  /* Out: the entry appended to the record (also on FAIL) and the serial
   * number the board was given, if any. */
  KilnProductionEntry   *entry;
  KilnSerialAllocation  *serial;
} KilnProductionJob;

/* @allocator NULL: one is made from the profile when it injects serials. */
KilnProductionJob *kiln_production_job_new  (KilnProductionProfile *profile,
                                             KilnProductionRecord  *record,
                                             KilnSerialAllocator   *allocator,
                                             KilnUsbProbeInfo      *info,
                                             const char            *station);
void               kiln_production_job_free (KilnProductionJob     *job);
/* A KilnSessionWorkFunc. TRUE for PASS; FALSE with the cause for FAIL. The
 * entry is in the record either way, unless the record itself failed
 * (KILN_PRODUCTION_ERROR_DATABASE: stop the line). */
gboolean           kiln_production_job_run  (KilnSession           *session,
                                             gpointer               job,
                                             KilnProgress          *progress,
                                             GCancellable          *cancellable,
                                             GError               **error);

/* Does the connected chip match the profile's "chip" (a part or a line)? */
gboolean           kiln_production_check_chip (const char          *expected,
                                               KilnChip            *chip,
                                               GError             **error);

/* Waiting for a board swap on a probe: the target's supply goes away (the
 * board is taken out; skipped without @after_removal), then stays on for two
 * polls in a row (the next board is in). With @last_uid (the chip UID of the
 * board just done), a board found powered before any removal was seen is
 * identified now and then: a different UID is the next board, swapped while
 * the station looked elsewhere (a slow record, a database restart). */
typedef struct
{
  KilnUsbProbeInfo *info;
  gboolean          after_removal;
  guint             poll_ms;
  char             *last_uid;
} KilnBoardWait;

KilnBoardWait     *kiln_board_wait_new        (KilnUsbProbeInfo    *info,
                                               gboolean             after_removal);
/* The UID of the board just done (see KilnBoardWait). */
void               kiln_board_wait_set_last_uid (KilnBoardWait     *wait,
                                                 const char        *uid);
void               kiln_board_wait_free       (KilnBoardWait       *wait);
/* A KilnSessionWorkFunc on a KilnBoardWait; fails only when cancelled or
 * when the probe itself fails. */
gboolean           kiln_production_wait_for_board (KilnSession     *session,
                                                   gpointer         wait,
                                                   KilnProgress    *progress,
                                                   GCancellable    *cancellable,
                                                   GError         **error);

/* What the operator does after a failed board, one pictogram each. */
typedef enum
{
  KILN_PRODUCTION_ACTION_NONE,
  KILN_PRODUCTION_ACTION_RETRY,          /* program it again */
  KILN_PRODUCTION_ACTION_STOPPED,        /* the job was stopped: program it again */
  KILN_PRODUCTION_ACTION_SET_ASIDE,      /* the board goes to an engineer */
  KILN_PRODUCTION_ACTION_CALL_ENGINEER,  /* the line stops */
  KILN_PRODUCTION_ACTION_CHECK_CABLE,    /* the probe's USB cable */
  KILN_PRODUCTION_ACTION_CHECK_POWER,    /* the board's supply */
  KILN_PRODUCTION_ACTION_RESEAT,         /* the board in its fixture */
  KILN_PRODUCTION_ACTION_WAIT_FOR_LINE,  /* nothing programmed: again once the line database answers */
} KilnProductionAction;

KilnProductionAction kiln_production_action_for  (const GError        *error);
/* The action in words, or NULL for NONE. */
const char        *kiln_production_action_text (KilnProductionAction action);
/* What the operator should do after a FAIL with @error, in a few words
 * (retry, reseat the board, set it aside, call the engineer). */
const char        *kiln_production_advice     (const GError        *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnProductionJob, kiln_production_job_free)

G_END_DECLS
