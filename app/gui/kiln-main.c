/* kiln-main.c — entry point of the Kiln application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "kiln-application-private.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KilnApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Kiln"));
  app = kiln_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
