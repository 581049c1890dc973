/* kiln-test-window.h — what the main window's tests share: opening a window
 * on a bench, waiting for its states (the main loop and screenshots are in
 * kiln-test-ui.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-flash-types.h"
#include "kiln-option-bytes-window-private.h"
#include "kiln-test-ui.h"
#include "kiln-window-private.h"

G_BEGIN_DECLS

/* A window of @width × @height, presented. */
KilnWindow *kiln_test_window_new       (int          width,
                                        int          height);
/* Writes a bench description with @board lines and points KILN_SIM at it;
 * returns the bench's flash.bin path (saved when the window lets go). */
char       *kiln_test_use_bench        (const char  *board);
/* The same, with the bench holding the probe at @hold ("program:N",
 * "erase:N"…: core/sim/README.md, Real time and holds) until the file
 * returned in @hold_file is removed: a test sees a job running whatever
 * the machine's speed. */
char       *kiln_test_use_bench_held   (const char  *hold,
                                        const char  *board,
                                        char       **hold_file);
/* Asserts the bench is holding at @hold_file and lets it go on. */
void        kiln_test_release          (const char  *hold_file);
/* Writes @len bytes to a new temporary file called @name. */
char       *kiln_test_write_temp       (const char  *name,
                                        const void  *contents,
                                        gsize        len);
/* @size bytes of a pattern no sector of the bench holds. */
char       *kiln_test_pattern          (gsize        size);
void        kiln_test_wait_identified  (KilnWindow  *window);
void        kiln_test_wait_loaded      (KilnWindow  *window);
/* Opens @path in @window and waits until it is read. */
void        kiln_test_load             (KilnWindow  *window,
                                        const char  *path);
gboolean    kiln_test_has_result       (gpointer     window);
gboolean    kiln_test_file_exists      (gpointer     path);
/* Whether every byte of the bench's saved flash at @flash_path is 0xFF. */
gboolean    kiln_test_all_erased       (const char  *flash_path);
/* The message dialog on screen, or NULL. */
GtkWindow  *kiln_test_find_message_dialog (void);
gboolean    kiln_test_dialog_shown     (gpointer     unused);
/* The Option Bytes window that is open, or NULL. */
KilnOptionBytesWindow *kiln_test_find_option_bytes_window (void);

#define KILN_TEST_FIXTURES_MISSING "the fixture firmware was not built (arm-none-eabi-gcc/objcopy not installed)"

/* The fixture firmware (KILN_FIXTURE_ELF), or NULL when it was not built. */
const char *kiln_test_fixture_elf      (void);
/* Closes @window and waits until the bench saved @flash_path. */
void        kiln_test_close            (KilnWindow  *window,
                                        const char  *flash_path);

typedef struct
{
  KilnWindow     *window;
  guint           sector;
  KilnSectorState state;
} KilnTestSectorIs;

gboolean    kiln_test_sector_is        (gpointer     sector_is);

G_END_DECLS
