/* fuzz-bench.c — libFuzzer target for bench files (KILN_SIM key files):
 * any text is refused with an error or gives a bench, never a crash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "kiln-sim-bench.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static char *dir;

static void
remove_dir (void)
{
  g_rmdir (dir);
}

/* The bench saves its boards' state= folders when it goes away: a fuzzed
 * path could be anywhere on this machine, so every state key is taken out
 * (after the key file parser has seen it) and the boards stay in memory. */
static char *
without_state (const char *text)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL))
    return g_strdup (text);
  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    while (g_key_file_has_key (kf, groups[i], "state", NULL))
      g_key_file_remove_key (kf, groups[i], "state", NULL);
  return g_key_file_to_data (kf, NULL, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *raw = g_strndup ((const char *) data, size);
  g_autofree char *text = without_state (raw);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;

  /* Relative paths in the file resolve to an empty folder of our own. */
  if (dir == NULL)
    {
      dir = g_dir_make_tmp ("kiln-fuzz-bench-XXXXXX", NULL);
      g_assert (dir != NULL);
      atexit (remove_dir);
    }
  bench = kiln_sim_bench_new_from_data (text, dir, &error);
  g_assert ((bench == NULL) != (error == NULL));
  if (bench != NULL)
    g_assert (kiln_sim_bench_get_n_probes (bench) > 0);
  return 0;
}
