/* kiln-locale.c — where Kiln's translations are found
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-locale.h"

#include <glib/gi18n.h>
#include <locale.h>

static char *bound_dir;

char *
kiln_locale_find_build_dir (const char *exe)
{
  g_autofree char *bin_dir = NULL;
  g_autofree char *top = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *po = NULL;
  g_autofree char *mo = NULL;

  if (exe == NULL || !g_path_is_absolute (exe))
    return NULL;

  /* Executables live in <build>/app/cli and <build>/app/gui. */
  bin_dir = g_path_get_dirname (exe);
  top = g_build_filename (bin_dir, "..", "..", NULL);
  marker = g_build_filename (top, "meson-private", NULL);
  if (!g_file_test (marker, G_FILE_TEST_IS_DIR))
    return NULL;

  po = g_build_filename (top, "po", NULL);
  /* German is the translation kept complete: its catalogue tells that the
   * tree's translations were compiled. */
  mo = g_build_filename (po, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  if (!g_file_test (mo, G_FILE_TEST_IS_REGULAR))
    return NULL;

  return g_canonicalize_filename (po, NULL);
}

void
kiln_locale_init (void)
{
  g_autofree char *exe = NULL;
  g_autofree char *build_dir = NULL;

  setlocale (LC_ALL, "");

  exe = g_file_read_link ("/proc/self/exe", NULL);
  build_dir = kiln_locale_find_build_dir (exe);

  g_free (bound_dir);
  bound_dir = g_steal_pointer (&build_dir);
  if (bound_dir == NULL)
    bound_dir = g_strdup (LOCALEDIR);

  bindtextdomain (GETTEXT_PACKAGE, bound_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

const char *
kiln_locale_get_dir (void)
{
  return bound_dir;
}
