/* fuzz-profile.c — libFuzzer target for production profiles (the files a
 * line operator opens), through the same loader kiln and kiln-cli use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kiln-production-profile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static char *dir;
static char *path;

static void
remove_files (void)
{
  g_unlink (path);
  g_rmdir (dir);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionProfile) profile = NULL;

  if (path == NULL)
    {
      /* In memory where there is a tmpfs: the loader reads a file. */
      g_autofree char *tmpl = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR)
                              ? g_strdup ("/dev/shm/kiln-fuzz-profile-XXXXXX")
                              : g_build_filename (g_get_tmp_dir (), "kiln-fuzz-profile-XXXXXX", NULL);
      dir = g_mkdtemp (g_steal_pointer (&tmpl));
      g_assert (dir != NULL);
      path = g_build_filename (dir, "fuzz.kiln-profile", NULL);
      atexit (remove_files);
    }
  /* A plain write: g_file_set_contents() would sync every input to disk. */
  {
    FILE *f = fopen (path, "wb");

    g_assert (f != NULL);
    g_assert (fwrite (data, 1, size, f) == size);
    g_assert (fclose (f) == 0);
  }
  profile = kiln_production_profile_load (path, &error);
  g_assert ((profile == NULL) != (error == NULL));
  /* What was accepted can be written back and read again (one input in
   * 64: saving syncs the file to disk, which would slow every run). */
  if (profile != NULL && (size == 0 || data[0] % 64 == 0))
    {
      g_autofree char *again = g_strconcat (path, ".saved", NULL);

      g_assert (kiln_production_profile_save (profile, again, NULL));
      g_clear_object (&profile);
      profile = kiln_production_profile_load (again, &error);
      g_assert_no_error (error);
      g_unlink (again);
    }
  return 0;
}
