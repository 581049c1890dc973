/* kiln-production-unlock-private.h — asks for the engineer's password that
 * leaves operator mode, checked off the GUI against the profile's hash; a
 * wrong password is said so and asked again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Completes with TRUE once the right password was given; with
 * G_IO_ERROR_CANCELLED when the engineer gives up. */
void     kiln_production_unlock_async  (GtkWindow            *parent,
                                        const char           *hash,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean kiln_production_unlock_finish (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
