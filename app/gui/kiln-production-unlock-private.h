/* kiln-production-unlock-private.h — asks for what leaves operator mode:
 * the engineer's password, checked off the GUI against the profile's hash,
 * or the engineer's secret key file (a key the station trusts, asking for
 * its password if it has one), proven off the GUI by signing a fresh random
 * challenge that its trusted public key verifies; a wrong password or key is
 * said so and asked again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Completes with TRUE once the right password or key was given; with
 * G_IO_ERROR_CANCELLED when the engineer gives up. */
void     kiln_production_unlock_async  (GtkWindow            *parent,
                                        const char           *hash,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean kiln_production_unlock_finish (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
