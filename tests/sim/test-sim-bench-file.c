/* test-sim-bench-file.c — reading a bench file into its description, apart
 * from building it: the same errors, and the bench's order between an error
 * in the keys and a file it cannot open
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>

#include "kiln-sim-bench.h"
#include "kiln-sim-bench-file.h"
#include "kiln-sim-error.h"

/* A folder of its own for relative paths, with nothing in it. */
static char *
make_dir (void)
{
  char *dir = g_dir_make_tmp ("kiln-sim-bench-file-XXXXXX", NULL);

  g_assert_nonnull (dir);
  return dir;
}

static void
test_description (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBenchFile) file = NULL;
  const KilnSimBenchRig *rig;

  file = kiln_sim_bench_file_new_from_data ("[probe 1]\n[board 1]\nsequence = 4\nremove-after = 10\n"
                                            "[probe 2]\nmodel = stlink-v3\n[board 2]\nchip = STM32F722RE\n",
                                            NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file->rigs->len, ==, 2);
  rig = &g_array_index (file->rigs, KilnSimBenchRig, 0);
  g_assert_cmpstr (rig->probe_group, ==, "probe 1");
  g_assert_cmpstr (rig->board_group, ==, "board 1");
  g_assert_cmpuint (rig->sequence, ==, 4);
  g_assert_cmpuint (rig->remove_after_ns, ==, 10000000);
  g_assert_cmpuint (rig->arrive_after_ns, ==, 300000000);
  rig = &g_array_index (file->rigs, KilnSimBenchRig, 1);
  g_assert_cmpstr (rig->probe_group, ==, "probe 2");
  g_assert_cmpuint (rig->sequence, ==, 0);
  g_assert_null (file->pace);
}

/* Each mistake in the keys gives the bench's own error, from reading alone. */
static void
test_same_errors (void)
{
  static const char *const files[] = {
    "[probe]\n[board]\nchip = STM32F999\n",
    "[probe]\nmodel = stlink-v9\n[board]\n",
    "[probe]\nfirmware = V3J7M2\n[board]\n",
    "[probe]\nfirmware = X\n[board]\n",
    "[bench]\nhost-gaps = sometimes\n[probe]\n[board]\n",
    "[bench]\nhold = read:10\n[probe]\n[board]\n",
    "[probe]\n[board]\nsequence = 0\n",
    "[probe]\n[board]\nsequence = 2\narrive-after = -1\n",
    "[probe]\n[board]\nsequence = 2\n[board.1]\nchip = STM32F1\n",
    "[probe]\n[board]\nchip = STM32F746NG\\\n",
    "[probe 1]\n[board 1]\n[probe 2]\nmodel = x\n",
  };
  g_autofree char *dir = make_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) read_error = NULL;
      g_autoptr(GError) build_error = NULL;
      g_autoptr(KilnSimBenchFile) file = kiln_sim_bench_file_new_from_data (files[i], dir, &read_error);
      g_autoptr(KilnSimBench) bench = kiln_sim_bench_new_from_data (files[i], dir, &build_error);

      g_test_message ("%s", files[i]);
      g_assert_null (file);
      g_assert_null (bench);
      g_assert_error (read_error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG);
      g_assert_error (build_error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG);
      g_assert_cmpstr (read_error->message, ==, build_error->message);
    }
  g_rmdir (dir);
}

/* Reading opens none of the files the keys name; building does, and gives
 * the error it meets first, as when it read and built in one pass: the
 * missing image of a board before a mistake in a later probe's keys (or its
 * own probe's), a mistake in an earlier rig's keys before a missing image. */
static void
test_error_order (void)
{
  static const struct {
    const char *text;
    gboolean    file_error;
  } cases[] = {
    { "[probe]\nmodel = bogus\n[board]\nflash-image = missing.bin\n", TRUE },
    { "[probe 1]\n[board 1]\nflash-image = missing.bin\n[probe 2]\nmodel = bogus\n", TRUE },
    { "[probe 1]\n[board 1]\nchip = nope\n[probe 2]\n[board 2]\nflash-image = missing.bin\n", FALSE },
    { "[probe 1]\nmodel = bogus\n[board 1]\n[probe 2]\n[board 2]\nflash-image = missing.bin\n", FALSE },
  };
  g_autofree char *dir = make_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KilnSimBench) bench = kiln_sim_bench_new_from_data (cases[i].text, dir, &error);

      g_test_message ("%s", cases[i].text);
      g_assert_null (bench);
      if (cases[i].file_error)
        g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      else
        g_assert_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG);
    }

  /* The image is not looked for while reading. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KilnSimBenchFile) file = kiln_sim_bench_file_new_from_data ("[probe]\n[board]\nflash-image = missing.bin\n",
                                                                          dir, &error);

    g_assert_no_error (error);
    g_assert_nonnull (file);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/bench-file/description", test_description);
  g_test_add_func ("/sim/bench-file/same-errors", test_same_errors);
  g_test_add_func ("/sim/bench-file/error-order", test_error_order);
  return g_test_run ();
}
