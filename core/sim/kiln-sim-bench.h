/* kiln-sim-bench.h — the virtual bench: one or more simulated ST-LINK probes,
 * each with a simulated STM32 board, configured by a KILN_SIM key file.
 *
 * This is the public face of core/sim, used by core/usb's in-process
 * transport and by the drop-in libusb-1.0.so.0. The bench never knows who is
 * talking to it: it only sees USB transfers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-sim-probe.h"

G_BEGIN_DECLS

#define KILN_TYPE_SIM_BENCH (kiln_sim_bench_get_type ())

G_DECLARE_FINAL_TYPE (KilnSimBench, kiln_sim_bench, KILN, SIM_BENCH, GObject)

/* The built-in default bench: ST-LINK/V2 V2J34S7 and a fresh STM32F746NG. */
KilnSimBench *kiln_sim_bench_new_default    (void);
/* A bench from a KILN_SIM key file (see core/sim/README.md); relative
 * paths in it are resolved against the file's directory. */
KilnSimBench *kiln_sim_bench_new_from_file  (const char    *path,
                                             GError       **error);
KilnSimBench *kiln_sim_bench_new_from_data  (const char    *key_file_data,
                                             const char    *base_dir,
                                             GError       **error);
/* From $KILN_SIM if it is set, else NULL without error. */
KilnSimBench *kiln_sim_bench_new_from_env   (GError       **error);

guint         kiln_sim_bench_get_n_probes   (KilnSimBench  *self);
KilnSimProbe *kiln_sim_bench_get_probe      (KilnSimBench  *self,
                                             guint          index);

/* The time probe @index and its board have spent (USB, SWD, waits), host
 * gaps excluded: what tests measure the bench's timing constants by. */
guint64       kiln_sim_bench_get_device_ns  (KilnSimBench  *self,
                                             guint          index);

/* The host's gaps counted on probe @index's timeline ([bench] host-gaps),
 * and in @cpu_wait_ns (may be NULL) the time left out because the host
 * waited for a CPU (load-free gaps only). */
guint64       kiln_sim_bench_get_host_ns    (KilnSimBench  *self,
                                             guint          index,
                                             guint64       *cpu_wait_ns);

/* Board sequences (core/sim/README.md): how many boards probe @index is
 * presented one after another (1 without "sequence"), and which one is there
 * now (1-based; 0 while the socket is empty). For tests: the product sees
 * the line only through the probe. */
guint         kiln_sim_bench_get_sequence_length (KilnSimBench *self,
                                                  guint         index);
guint         kiln_sim_bench_get_board_number    (KilnSimBench *self,
                                                  guint         index);

/* Writes every persistent board state (flash.bin, options.ini, otp.bin, uid)
 * and the report if KILN_SIM_REPORT (or a report path set here) asks for
 * one: atomically, or in place when the target is not a regular file (see
 * kiln-sim-file.c). Also done on finalize. */
gboolean      kiln_sim_bench_save           (KilnSimBench  *self,
                                             GError       **error);
void          kiln_sim_bench_set_report_path (KilnSimBench *self,
                                              const char   *path);
/* The report as a JSON object (the keys in core/sim/README.md). */
char         *kiln_sim_bench_dup_report_json (KilnSimBench *self);

G_END_DECLS
