/* test-sim-line.c — a board sequence advances by itself, in virtual time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The line's fixture (core/sim/README.md, "Board sequences") as a host sees
 * it through the probe: raw ST-LINK/V2 commands, host gaps ignored ([bench]
 * host-gaps = ignore), so the board's time is the bench's device time and
 * every count below is exact whatever the machine's load.
 */

#include <string.h>

#include "kiln-sim-bench.h"

#define BENCH_TEXT "[bench]\nhost-gaps = ignore\n[probe]\nmodel = stlink-v2\nfirmware = V2J37S7\n" \
                   "[board]\nchip = STM32F746NG\nsequence = 2\nremove-after = 20\narrive-after = 30\n"
#define MS 1000000ull

typedef struct
{
  KilnSimBench *bench;
  KilnSimProbe *probe;
} Line;

static void
send (Line         *l,
      const guint8 *head,
      gsize         length)
{
  guint8 cmd[16] = { 0 };
  gsize done = 0;

  memcpy (cmd, head, length);
  g_assert_cmpint (kiln_sim_probe_bulk_transfer (l->probe, 0x02, cmd, 16, &done, 1000), ==, KILN_SIM_USB_OK);
  g_assert_cmpuint (done, ==, 16);
}

static void
receive (Line   *l,
         guint8 *data,
         gsize   length)
{
  gsize done = 0;

  g_assert_cmpint (kiln_sim_probe_bulk_transfer (l->probe, 0x81, data, length, &done, 1000), ==, KILN_SIM_USB_OK);
  g_assert_cmpuint (done, ==, length);
}

/* GET_TARGET_VOLTAGE: TRUE when the target is powered. */
static gboolean
powered (Line *l)
{
  guint8 r[8];

  send (l, (const guint8[]) { 0xF7 }, 1);
  receive (l, r, 8);
  return (r[4] | r[5] << 8) != 0;
}

/* The host takes the board in debug mode and lets go of it. */
static void
hold_and_release (Line *l)
{
  guint8 r[2];

  send (l, (const guint8[]) { 0xF1, 0x80 }, 2);   /* DFU_EXIT */
  send (l, (const guint8[]) { 0xF2, 0x30, 0xA3 }, 3);
  receive (l, r, 2);
  g_assert_cmphex (r[0], ==, 0x80);
  send (l, (const guint8[]) { 0xF2, 0x21 }, 2);   /* DEBUG_EXIT */
}

static guint64
now (Line *l)
{
  return kiln_sim_bench_get_device_ns (l->bench, 0);
}

static void
test_sequence_timing (void)
{
  g_autoptr(GError) error = NULL;
  Line l;
  guint64 released, t, poll_ns, removed_at = 0, arrived_at = 0;
  guint polls = 0, empty_polls = 0;

  l.bench = kiln_sim_bench_new_from_data (BENCH_TEXT, g_get_tmp_dir (), &error);
  g_assert_no_error (error);
  l.probe = kiln_sim_bench_get_probe (l.bench, 0);

  /* Polls alone hold nothing: the first board stays. */
  for (guint i = 0; i < 200; i++)
    g_assert_true (powered (&l));
  g_assert_cmpuint (kiln_sim_bench_get_board_number (l.bench, 0), ==, 1);
  t = now (&l);
  g_assert_true (powered (&l));
  poll_ns = now (&l) - t;
  g_assert_cmpuint (poll_ns, >, 0);

  /* Held, let go: taken away remove-after later, the next board comes
   * arrive-after after that; every poll in between finds 0 V. */
  hold_and_release (&l);
  released = now (&l);
  while (arrived_at == 0 && polls < 100000)
    {
      gboolean on;

      t = now (&l);
      on = powered (&l);
      polls++;
      if (!on && removed_at == 0)
        removed_at = t;
      if (!on)
        empty_polls++;
      if (on && removed_at != 0)
        arrived_at = t;
    }
  g_assert_cmpuint (removed_at, !=, 0);
  g_assert_cmpuint (arrived_at, !=, 0);
  g_assert_cmpuint (kiln_sim_bench_get_board_number (l.bench, 0), ==, 2);
  /* The removal came at the first transfer at or after remove-after... */
  g_assert_cmpuint (removed_at + poll_ns, >, released + 20 * MS);
  g_assert_cmpuint (removed_at, <=, released + 20 * MS);
  /* ... and the empty socket lasted arrive-after, a fixed number of polls. */
  g_assert_cmpuint (arrived_at - removed_at, >=, 30 * MS);
  g_assert_cmpuint (arrived_at - removed_at, <, 30 * MS + poll_ns);
  g_assert_cmpuint (empty_polls, ==, (30 * MS + poll_ns - 1) / poll_ns);

  /* Taken again each time before it went (3 ms and a poll < remove-after): the board
   * stays, for longer than remove-after in all. */
  for (guint i = 0; i < 5; i++)
    {
      hold_and_release (&l);
      t = now (&l);
      while (now (&l) < t + 3 * MS)
        g_assert_true (powered (&l));
    }
  hold_and_release (&l);
  g_assert_cmpuint (kiln_sim_bench_get_board_number (l.bench, 0), ==, 2);

  /* After the last board the socket stays empty. */
  t = now (&l);
  while (now (&l) < t + 100 * MS)
    powered (&l);
  g_assert_false (powered (&l));
  g_assert_cmpuint (kiln_sim_bench_get_board_number (l.bench, 0), ==, 0);

  g_object_unref (l.bench);
}

/* Out-of-range delays are refused with the key's name. */
static void
test_bad_delay (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench =
    kiln_sim_bench_new_from_data ("[probe]\n[board]\nsequence = 2\narrive-after = soon\n", g_get_tmp_dir (), &error);

  g_assert_null (bench);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "arrive-after"));
}

/* A bench file's value ending in an unfinished escape is refused by name,
 * without the GLib warning reading it would give (g_test makes that fatal). */
static void
test_unfinished_escape (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench =
    kiln_sim_bench_new_from_data ("[probe]\n[board]\nchip = STM32F746NG\\\n", g_get_tmp_dir (), &error);

  g_assert_null (bench);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "[board] chip: the value ends with a lone backslash"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Sim/Line/sequence-timing", test_sequence_timing);
  g_test_add_func ("/Kiln/Sim/Line/bad-delay", test_bad_delay);
  g_test_add_func ("/Kiln/Sim/Bench/unfinished-escape", test_unfinished_escape);
  return g_test_run ();
}
