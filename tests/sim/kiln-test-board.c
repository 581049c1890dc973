/* kiln-test-board.c — one simulated board driven at the DP/AP level, as a
 * probe's firmware drives it: the fixture the sim tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "kiln-test-board.h"

/* The board's folder, made before the board when a test puts files there
 * (a flash image) first. */
void
kiln_test_board_make_dir (KilnTestBoard *f)
{
  g_autoptr(GError) error = NULL;

  memset (f, 0, sizeof *f);
  f->dir = g_dir_make_tmp ("kiln-sim-XXXXXX", &error);
  g_assert_no_error (error);
}

/* The board of "[board]" with its state in its folder and the keys of
 * @config (lines "key = value"). */
void
kiln_test_board_open (KilnTestBoard *f,
                      const char    *config)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[board]\nstate=%s/state\n%s", f->dir, config ? config : "");

  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, &error));
  f->report = kiln_sim_report_new ();
  f->board = kiln_sim_board_new (kf, "board", f->dir, &f->clock, f->report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->board);
}

void
kiln_test_board_set_up (KilnTestBoard *f,
                        const char    *config)
{
  kiln_test_board_make_dir (f);
  kiln_test_board_open (f, config);
}

void
kiln_test_board_tear_down (KilnTestBoard *f)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_clear_object (&f->board);
  g_clear_pointer (&f->report, kiln_sim_report_free);
  g_assert_cmpint (system (cmd), ==, 0);
  g_clear_pointer (&f->dir, g_free);
}

/* A little of what a probe's firmware does to connect: a line reset, the
 * DP's IDCODE, the power-up request acknowledged. */
void
kiln_test_board_connect (KilnTestBoard *f)
{
  guint32 v = 0;
  guint64 ready;

  kiln_sim_board_swd_line_reset (f->board);
  g_assert_cmpint (kiln_sim_board_dp_read (f->board, 0x0, &v, &ready), ==, KILN_SIM_ACK_OK);
  g_assert_true (v == 0x5BA02477 || v == 0x2BA01477);  /* M7, M3/M4 */
  g_assert_cmpint (kiln_sim_board_dp_write (f->board, 0x4, 0x50000000, &ready), ==, KILN_SIM_ACK_OK);
  g_assert_cmpint (kiln_sim_board_dp_read (f->board, 0x4, &v, &ready), ==, KILN_SIM_ACK_OK);
  g_assert_cmphex (v & 0xF0000000, ==, 0xF0000000);
}

/* As g_test_add() fixtures: the board of @config (a string of keys, or
 * NULL), connected or not, and its end. */
void
kiln_test_board_fixture (KilnTestBoard *f,
                         gconstpointer  config)
{
  kiln_test_board_set_up (f, config);
}

void
kiln_test_board_fixture_connected (KilnTestBoard *f,
                                   gconstpointer  config)
{
  kiln_test_board_set_up (f, config);
  kiln_test_board_connect (f);
}

void
kiln_test_board_fixture_tear_down (KilnTestBoard *f,
                                   gconstpointer  data)
{
  kiln_test_board_tear_down (f);
}

/* One 32-bit access through the MEM-AP: WAIT is waited out on the virtual
 * clock, and a FAULT's STICKYERR cleared, as a probe's firmware does. */
static KilnSimAck
access32 (KilnTestBoard *f,
          gboolean       write,
          guint32        address,
          guint32       *value)
{
  guint64 ready;
  KilnSimAck ack;

  kiln_sim_board_ap_write (f->board, 0, 0x00, 0x23000012, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x04, address, &ready);
  for (;;)
    {
      ack = write ? kiln_sim_board_ap_write (f->board, 0, 0x0C, *value, &ready)
                  : kiln_sim_board_ap_read (f->board, 0, 0x0C, value, &ready);
      if (ack != KILN_SIM_ACK_WAIT)
        break;
      f->clock.now_ns = ready;
    }
  if (ack == KILN_SIM_ACK_FAULT)
    kiln_sim_board_dp_write (f->board, 0x0, 0x1E, &ready);
  return ack;
}

KilnSimAck
kiln_test_try_write32 (KilnTestBoard *f,
                       guint32        address,
                       guint32        value)
{
  return access32 (f, TRUE, address, &value);
}

KilnSimAck
kiln_test_try_read32 (KilnTestBoard *f,
                      guint32        address,
                      guint32       *value)
{
  return access32 (f, FALSE, address, value);
}

void
kiln_test_write32 (KilnTestBoard *f,
                   guint32        address,
                   guint32        value)
{
  g_assert_cmpint (kiln_test_try_write32 (f, address, value), ==, KILN_SIM_ACK_OK);
}

guint32
kiln_test_read32 (KilnTestBoard *f,
                  guint32        address)
{
  guint32 v = 0xDEADBEEF;

  g_assert_cmpint (kiln_test_try_read32 (f, address, &v), ==, KILN_SIM_ACK_OK);
  return v;
}
