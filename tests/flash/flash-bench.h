/* flash-bench.h — the virtual bench for the flash tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-arm-core.h"
#include "kiln-flash-driver.h"
#include "kiln-flash-job.h"
#include "kiln-flash-loader.h"
#include "kiln-test-bench.h"

#define FLASH 0x08000000u

typedef KilnTestBench Bench;

/* A bench whose ini is @text (a [probe] group, then [board]). */
Bench         *bench_new            (const char             *text);
/* (Re)creates the bench on the same state directory, not connected. */
KilnSimBench  *bench_create         (Bench                  *b);
/* (Re)opens the bench on the same state directory and connects. */
KilnArmTarget *bench_open_full      (Bench                  *b,
                                     gboolean                under_reset);
KilnArmTarget *bench_open           (Bench                  *b);
/* The board's flash as saved (flash.bin). */
GBytes        *bench_flash          (Bench                  *b);
void           bench_free           (Bench                  *b);
/* A number of the bench's report (JSON). */
double         report_number        (const char             *json,
                                     const char             *key);
/* The USB transfers the probe has seen so far (the report's count). */
guint64        bench_usb_transfers  (Bench                  *b);
/* The sectors the bench saw erased, in order, as "0,5". */
char          *report_erased        (const char             *json);
/* Fails the test when the report names a violation or overlapping flash
 * operations. */
void           assert_no_violations (const char             *json);
/* Pseudo-random bytes that are never a whole erased word. */
guint8        *pattern              (gsize                   size,
                                     guint                   seed);
KilnImage     *image_bin            (const guint8           *data,
                                     gsize                   size,
                                     guint32                 base);
/* Plans @image for the target's chip and runs the job (@options NULL:
 * the defaults). */
gboolean       program              (KilnArmTarget          *target,
                                     KilnImage              *image,
                                     const KilnFlashOptions *options,
                                     GCancellable           *cancellable,
                                     KilnFlashResult        *result,
                                     GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bench, bench_free)
