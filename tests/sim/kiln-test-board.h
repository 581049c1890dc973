/* kiln-test-board.h — one simulated board driven at the DP/AP level, as a
 * probe's firmware drives it: the fixture the sim tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-sim-board.h"

G_BEGIN_DECLS

typedef struct
{
  KilnSimClock   clock;
  KilnSimReport *report;
  KilnSimBoard  *board;
  char          *dir;     /* the board's own folder (its state), removed at the end */
} KilnTestBoard;

void       kiln_test_board_make_dir  (KilnTestBoard *f);
void       kiln_test_board_open      (KilnTestBoard *f,
                                      const char    *config);
void       kiln_test_board_set_up    (KilnTestBoard *f,
                                      const char    *config);
void       kiln_test_board_tear_down (KilnTestBoard *f);
void       kiln_test_board_connect   (KilnTestBoard *f);
void       kiln_test_board_fixture   (KilnTestBoard *f,
                                      gconstpointer  config);
void       kiln_test_board_fixture_connected (KilnTestBoard *f,
                                              gconstpointer  config);
void       kiln_test_board_fixture_tear_down (KilnTestBoard *f,
                                              gconstpointer  data);
KilnSimAck kiln_test_try_write32     (KilnTestBoard *f,
                                      guint32        address,
                                      guint32        value);
KilnSimAck kiln_test_try_read32      (KilnTestBoard *f,
                                      guint32        address,
                                      guint32       *value);
void       kiln_test_write32         (KilnTestBoard *f,
                                      guint32        address,
                                      guint32        value);
guint32    kiln_test_read32          (KilnTestBoard *f,
                                      guint32        address);

G_END_DECLS
