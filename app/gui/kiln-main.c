/* kiln-main.c — entry point of the Kiln application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-application-private.h"
#include "kiln-locale.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KilnApplication) app = NULL;

  kiln_locale_init ();

  g_set_application_name (_("Kiln"));
  app = kiln_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
