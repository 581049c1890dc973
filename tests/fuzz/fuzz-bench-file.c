/* fuzz-bench-file.c — libFuzzer target for reading a bench file (KILN_SIM
 * key file) into its description, without building it: any text is refused
 * with an error or gives a description of at least one probe and board,
 * never a crash. fuzz-bench builds the whole bench from the same text; this
 * target runs the reading alone, which is thousands of times cheaper, so it
 * goes through many more inputs in the same time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stddef.h>
#include <stdint.h>

#include "kiln-sim-bench-file.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBenchFile) file = NULL;

  /* Reading writes nothing and opens no file, so the paths in it can
   * stay as they are (relative ones resolve against a folder that is
   * never looked at). */
  file = kiln_sim_bench_file_new_from_data (text, "/nonexistent", &error);
  g_assert ((file == NULL) != (error == NULL));
  if (file != NULL)
    {
      g_assert (file->rigs->len > 0);
      for (guint i = 0; i < file->rigs->len; i++)
        {
          const KilnSimBenchRig *rig = &g_array_index (file->rigs, KilnSimBenchRig, i);

          g_assert (rig->probe_group != NULL && rig->board_group != NULL);
          g_assert (rig->sequence <= 100000);
        }
    }
  return 0;
}
