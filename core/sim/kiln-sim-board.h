/* kiln-sim-board.h — a simulated STM32 board as the probe's firmware sees it
 *
 * Internal to core/sim: the contract between the probe model (which turns
 * ST-LINK commands into SWD transfers and charges their time) and the board
 * model (debug port, AHB-AP, memory map, flash controller, core).
 *
 * Every call happens at the clock's current time; the board first brings
 * itself lazily up to that time (running the core, finishing flash
 * operations, counting down the watchdog).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "kiln-sim-clock.h"
#include "kiln-sim-report.h"

G_BEGIN_DECLS

/* SWD acknowledgement of one DP/AP transfer. */
typedef enum
{
  KILN_SIM_ACK_OK,
  KILN_SIM_ACK_WAIT,   /* target stalled; *ready_at_ns says until when */
  KILN_SIM_ACK_FAULT,  /* sticky error set in CTRL/STAT (bus fault etc.) */
  KILN_SIM_ACK_NONE,   /* no answer on the wire: no power, SWD off, not connected */
} KilnSimAck;

#define KILN_TYPE_SIM_BOARD (kiln_sim_board_get_type ())

G_DECLARE_FINAL_TYPE (KilnSimBoard, kiln_sim_board, KILN, SIM_BOARD, GObject)

/* @group is the [board] (or [board N]) group of the bench's key file, with
 * the [faults] group; @base_dir resolves relative paths. */
KilnSimBoard *kiln_sim_board_new           (GKeyFile      *key_file,
                                            const char    *group,
                                            const char    *base_dir,
                                            KilnSimClock  *clock,
                                            KilnSimReport *report,
                                            GError       **error);
/* Checks the keys of @group that kiln_sim_board_new() refuses (the chip)
 * without making a board: no file is read. */
gboolean      kiln_sim_board_check_keys    (GKeyFile      *key_file,
                                            const char    *group,
                                            GError       **error);
gboolean      kiln_sim_board_save          (KilnSimBoard  *self,
                                            GError       **error);

/* Target supply as the probe's ADC measures it (0 when power is lost). */
double        kiln_sim_board_get_voltage   (KilnSimBoard  *self);
/* The target's supply switched off or on. Switching it on again also ends
 * a power-loss fault; the chip starts from its power-on reset. */
void          kiln_sim_board_set_power     (KilnSimBoard  *self,
                                            gboolean       on);
/* NRST as driven by the probe (TRUE = held low). */
void          kiln_sim_board_set_nrst      (KilnSimBoard  *self,
                                            gboolean       asserted);

/* JTAG-to-SWD switch and line reset. Afterwards the DP answers (DPIDR read)
 * unless the target is unpowered or its firmware turned the SWD pins off. */
void          kiln_sim_board_swd_line_reset (KilnSimBoard *self);

/* DP registers by address (0x0 DPIDR/ABORT, 0x4 CTRL/STAT, 0x8 SELECT,
 * 0xC RDBUFF). AP registers by APSEL and address (0x00 CSW, 0x04 TAR,
 * 0x0C DRW, 0xF8 BASE, 0xFC IDR); the bank comes from the address, the
 * board keeps SELECT coherent. Reads return the value directly (the probe's
 * firmware hides SWD's posted reads). */
KilnSimAck    kiln_sim_board_dp_read       (KilnSimBoard  *self,
                                            guint8         address,
                                            guint32       *value,
                                            guint64       *ready_at_ns);
KilnSimAck    kiln_sim_board_dp_write      (KilnSimBoard  *self,
                                            guint8         address,
                                            guint32        value,
                                            guint64       *ready_at_ns);
KilnSimAck    kiln_sim_board_ap_read       (KilnSimBoard  *self,
                                            guint8         apsel,
                                            guint8         address,
                                            guint32       *value,
                                            guint64       *ready_at_ns);
KilnSimAck    kiln_sim_board_ap_write      (KilnSimBoard  *self,
                                            guint8         apsel,
                                            guint8         address,
                                            guint32        value,
                                            guint64       *ready_at_ns);

/* Brings the board up to the clock's time (core, flash, watchdog). */
void          kiln_sim_board_sync          (KilnSimBoard  *self);

/* The flash array as flash.bin would hold it (tests, the report). */
const guint8 *kiln_sim_board_peek_flash    (KilnSimBoard  *self,
                                            gsize         *size);

G_END_DECLS
