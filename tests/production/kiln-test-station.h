/* kiln-test-station.h — what the production station's tests share: a
 * locked, signed profile with a pinned firmware (the fixture), the bench,
 * one board through a job, the wait for the next board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-production-job.h"
#include "kiln-production-signature.h"

G_BEGIN_DECLS

#define FIRMWARE_SIZE  (20 * 1024)
#define SERIAL_ADDRESS 0x08010000u
#define SERIAL_SIZE    16u
#define FLASH_SIZE     (1024 * 1024)

typedef struct
{
  char   *dir;
  char   *firmware;
  guint8 *firmware_data;
  char   *profile_path;
  char   *db_path;
  GArray *trusted;
  KilnMinisignSecretKey key;
} Fixture;

void                   fixture_set_up     (Fixture               *f,
                                           gconstpointer          data);
void                   fixture_tear_down  (Fixture               *f,
                                           gconstpointer          data);
KilnSimBench          *make_bench         (Fixture               *f,
                                           const char            *text);
/* The listing's entry for the bench's probe @index. */
KilnUsbProbeInfo      *probe_info         (KilnSimBench          *bench,
                                           guint                  index);
/* What flash.bin must hold: the firmware, the serial's field, the rest erased. */
void                   assert_board_flash (Fixture               *f,
                                           const char            *state_dir,
                                           const char            *serial);
KilnProductionProfile *load_profile       (Fixture               *f);
/* One board through a production job; returns the entry's result. */
gboolean               run_board          (KilnSession           *session,
                                           KilnProductionProfile *profile,
                                           KilnProductionRecord  *record,
                                           KilnSerialAllocator   *allocator,
                                           KilnUsbProbeInfo      *info,
                                           GError               **error);
/* For kiln_session_run_async(): @user_data is { GError **, GMainLoop * }. */
void                   on_wait_done       (GObject               *source,
                                           GAsyncResult          *result,
                                           gpointer               user_data);
/* The station's wait for the next board (the bench's line advances by
 * itself once the host has let go of the board). @last_uid, the UID of the
 * board the station last ran (or NULL), lets it notice a swap it did not see
 * happen, as kiln-cli production and the window's station do: a poll that
 * comes later than the line's arrive-after misses the empty socket, as it
 * would on a real line, under load. Without @cancellable it
 * fails with G_IO_ERROR_TIMED_OUT after two minutes of this machine's time
 * (a line that stopped), instead of hanging. */
gboolean               wait_for_board     (KilnSession           *session,
                                           KilnUsbProbeInfo      *info,
                                           gboolean               after_removal,
                                           const char            *last_uid,
                                           GCancellable          *cancellable,
                                           GError               **error);
/* wait_for_board(), cancelled after @seconds if no board came: a check
 * that none comes fails with G_IO_ERROR_CANCELLED. */
gboolean               wait_for_board_within (KilnSession        *session,
                                              KilnUsbProbeInfo   *info,
                                              gboolean            after_removal,
                                              const char         *last_uid,
                                              guint               seconds,
                                              GError            **error);
/* The chip UID of the board @record holds last, as the station keeps it. */
char                  *last_board_uid     (KilnProductionRecord  *record);
/* A host that takes the board in debug mode and lets go of it. */
void                   hold_and_release   (KilnUsbProbeInfo      *info);

G_END_DECLS
