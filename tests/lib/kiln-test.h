/* kiln-test.h — helpers shared by the C test suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether this run is on CI (CI=true), where every tool must be installed. */
gboolean kiln_test_on_ci            (void);
/* Skips the current test case because something it needs is missing from
 * the machine (@reason says what), or fails it with CI=true. */
void     kiln_test_skip_missing     (const char *reason);

G_END_DECLS
