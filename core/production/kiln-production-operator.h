/* kiln-production-operator.h — operator mode: a profile may lock the
 * station down to programming boards; only the engineer's password (kept in
 * the signed profile as a salted Argon2id hash, never as itself) or a key
 * the station trusts (kiln_production_trust_check_key()) leaves it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_OPERATOR_GROUP "operator"

typedef struct
{
  gboolean  mode;               /* [operator] mode */
  char     *engineer_password;  /* [operator] engineer-password: the hash */
} KilnOperatorSettings;

void      kiln_operator_settings_clear (KilnOperatorSettings  *settings);
/* Reads [operator] of a profile: mode = true needs engineer-password, and
 * that must be a hash (as kiln_operator_hash_password() writes it), never a
 * password in clear. */
gboolean  kiln_operator_settings_read  (KilnOperatorSettings  *settings,
                                        GKeyFile              *kf,
                                        GError               **error);
void      kiln_operator_settings_write (const KilnOperatorSettings *settings,
                                        GKeyFile              *kf);
/* A salted Argon2id hash of @password (libsodium's string form, salt and
 * costs included), or NULL with @error. Takes a noticeable time on purpose. */
char     *kiln_operator_hash_password  (const char            *password,
                                        GError               **error);
/* @password matches @hash (a slow check on purpose: call it off the GUI). */
gboolean  kiln_operator_check_password (const char            *hash,
                                        const char            *password);

G_END_DECLS
