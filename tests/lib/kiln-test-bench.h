/* kiln-test-bench.h — a virtual bench for the C suites: key lines, a board
 * state in a temporary folder, the first probe connected, the state files
 * and the report, and cleaning up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-arm-target.h"
#include "kiln-sim-bench.h"

G_BEGIN_DECLS

typedef struct
{
  char          *dir;      /* the temporary folder; the board's state is in dir/state */
  char          *ini;      /* the key lines as given */
  KilnSimBench  *bench;
  KilnArmTarget *target;
} KilnTestBench;

/* A bench from key lines (a [probe] group, then [board]; the state folder
 * is added to [board]). Nothing is created until it is opened. */
KilnTestBench *kiln_test_bench_new            (const char    *key_lines);
/* (Re)creates the bench on the same state folder, not connected. */
KilnSimBench  *kiln_test_bench_create         (KilnTestBench *b);
/* (Re)creates it and connects to the first probe's target. */
KilnArmTarget *kiln_test_bench_connect        (KilnTestBench *b,
                                               gboolean       under_reset);
/* Saves the board and returns one of its state files (flash.bin, otp.bin,
 * options.ini). */
GBytes        *kiln_test_bench_state_file     (KilnTestBench *b,
                                               const char    *name);
/* The bench's report (JSON), and one number of it. */
char          *kiln_test_bench_dup_report     (KilnTestBench *b);
double         kiln_test_report_number        (const char    *json,
                                               const char    *key);
/* Disconnects and removes the temporary folder. */
void           kiln_test_bench_free           (KilnTestBench *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnTestBench, kiln_test_bench_free)

G_END_DECLS
