/* kiln-test.c — helpers shared by the C test suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-test.h"

gboolean
kiln_test_on_ci (void)
{
  const char *ci = g_getenv ("CI");

  return ci != NULL && (g_ascii_strcasecmp (ci, "true") == 0 || g_strcmp0 (ci, "1") == 0
                        || g_ascii_strcasecmp (ci, "yes") == 0);
}

void
kiln_test_skip_missing (const char *reason)
{
  if (kiln_test_on_ci ())
    g_test_fail_printf ("%s (CI=true: every tool must be installed)", reason);
  else
    g_test_skip (reason);
}
