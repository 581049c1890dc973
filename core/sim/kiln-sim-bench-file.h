/* kiln-sim-bench-file.h — a KILN_SIM key file read and checked into a
 * description of the bench, before any board or probe is made
 *
 * Reading is cheap (no file but the key file itself is opened, no core is
 * made) and gives every error of the file's keys; kiln-sim-bench.c then
 * builds the boards and probes it describes, which can only fail on the
 * files the keys name (state=, flash-image=) or on the core's emulator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kiln-sim-pace.h"

G_BEGIN_DECLS

/* A probe and the board (or line of boards) in front of it. */
typedef struct
{
  char    *probe_group;      /* "probe" or "probe N" (NULL: see _kiln_sim_bench_file_read()) */
  char    *board_group;      /* "board" or "board N" */
  guint    sequence;         /* boards presented one after another; 0: no sequence */
  guint64  remove_after_ns;  /* sequences: [board] remove-after */
  guint64  arrive_after_ns;  /* sequences: [board] arrive-after */
} KilnSimBenchRig;

typedef struct
{
  GKeyFile    *key_file;
  char        *base_dir;     /* relative paths resolve here; may be NULL */
  KilnSimPace *pace;         /* [bench] real-time and hold; NULL: neither */
  GArray      *rigs;         /* KilnSimBenchRig, at least one */
} KilnSimBenchFile;

KilnSimBenchFile *kiln_sim_bench_file_new_from_data (const char              *key_file_data,
                                                     const char              *base_dir,
                                                     GError                 **error);
KilnSimBenchFile *kiln_sim_bench_file_new_from_file (const char              *path,
                                                     GError                 **error);
void              kiln_sim_bench_file_free          (KilnSimBenchFile        *file);

/* For kiln-sim-bench.c, which builds each rig as soon as it is read, so that
 * a file with both a mistake in its keys and a file that cannot be opened
 * gives the error the bench meets first. On an error in a rig's keys (in
 * @error) it returns the rigs read before it, and that rig too, without a
 * probe (probe_group NULL), when only its probe's keys were wrong. NULL only
 * on an error before any rig (escapes, [bench]). */
KilnSimBenchFile *_kiln_sim_bench_file_read         (GKeyFile                *key_file,
                                                     const char              *base_dir,
                                                     GError                 **error);

/* The keys board @number (1-based) of @rig's sequence is made from, in the
 * group returned in @group: the board group's keys, then those of
 * "GROUP.NUMBER", its own state folder and UID, and [faults]. @number 0 is
 * the empty socket (0 V). */
GKeyFile         *kiln_sim_bench_file_sequence_keys (const KilnSimBenchFile  *file,
                                                     const KilnSimBenchRig   *rig,
                                                     guint                    number,
                                                     char                   **group);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnSimBenchFile, kiln_sim_bench_file_free)

G_END_DECLS
