/* kiln-locale.h — where Kiln's translations are found
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets the locale from the environment and binds Kiln's text domain: to
 * the installed locale folder, or, when the program runs from a meson
 * build tree (it finds meson-private/ two folders above itself), to the
 * translations compiled in that tree, so that a developer's build speaks
 * the user's language before it is installed. No build path is compiled
 * in: the tree is found from /proc/self/exe at run time. */
void          kiln_locale_init             (void);

/* The folder kiln_locale_init() bound, for tests and diagnostics. */
const char   *kiln_locale_get_dir          (void);

/* The build tree's translation folder for an executable at @exe (a path),
 * or %NULL when @exe is not inside a meson build tree that holds compiled
 * translations. */
char         *kiln_locale_find_build_dir   (const char *exe);

G_END_DECLS
