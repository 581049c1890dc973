/* kiln-application-private.h — the Kiln application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KILN_TYPE_APPLICATION (kiln_application_get_type ())

G_DECLARE_FINAL_TYPE (KilnApplication, kiln_application, KILN, APPLICATION, AdwApplication)

KilnApplication *kiln_application_new (void);

G_END_DECLS
