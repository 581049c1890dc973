/* kiln-production-signature.h — profiles signed by the engineer who prepared
 * them, run only when a trusted key signed them
 *
 * `kiln-cli profile sign` pins the firmware's SHA-256 in the profile, checks
 * the profile, and writes PROFILE.minisig beside it: a minisign signature of
 * the profile file's bytes (so every setting and the firmware's hash), whose
 * trusted comment lists the settings as signed. `minisign -Vm PROFILE -p
 * KEY.pub` checks it. A station loads a profile only through
 * kiln_production_profile_load_signed(): a missing or untrusted signature, or
 * a profile changed after signing, is refused naming the settings that
 * changed; a changed firmware is refused when it is read (its SHA-256).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-minisign.h"
#include "kiln-production-profile.h"

G_BEGIN_DECLS

/* The station's configuration folder for trusted keys (every *.pub in it):
 * $XDG_CONFIG_HOME/kiln/trusted-keys. */
char                  *kiln_production_trust_dir          (void);

/* The keys from @sources (files or base64 lines, as --trust takes them)
 * and, when @with_config_dir, the configuration folder's. An unreadable
 * key is an error; an empty result is not (the profile is refused then). */
GArray                *kiln_production_trust_load         (const char * const      *sources,
                                                           gboolean                 with_config_dir,
                                                           GError                 **error);

/* The engineer's key proves itself: a fresh random challenge is signed with
 * the secret key at @secret_path (@password for a key protected by one,
 * else NULL) and the signature checked against @trusted
 * (KilnMinisignPublicKey, as kiln_production_trust_load() returns them). A
 * file that is no secret key, a wrong password, or a key not among @trusted
 * is refused saying so. Slow with a password (scrypt): not on the GUI. */
gboolean               kiln_production_trust_check_key    (const char              *secret_path,
                                                           const char              *password,
                                                           GArray                  *trusted,
                                                           GError                 **error);

/* Pins the firmware as it is now (when none is pinned, or @repin), checks
 * the profile (a pinned firmware that changed is refused), saves it and
 * writes PROFILE.minisig. Returns the signature file's path. */
char                  *kiln_production_profile_sign_file  (const char              *path,
                                                           const KilnMinisignSecretKey *key,
                                                           gboolean                 repin,
                                                           GError                 **error);

/* Loads the profile at @path and checks its signature against @trusted;
 * the profile returned is locked. KILN_PRODUCTION_ERROR_NOT_SIGNED says
 * why not, in words the operator can pass on. */
KilnProductionProfile *kiln_production_profile_load_signed (const char             *path,
                                                            GArray                 *trusted,
                                                            GError                **error);

/* The identity of a profile loaded by kiln_production_profile_load_signed:
 * the id of the key that signed it and the SHA-256 of its file as signed
 * (NULL for a profile that was not loaded that way). */
const char            *kiln_production_profile_get_signer  (KilnProductionProfile  *profile);
const char            *kiln_production_profile_get_signed_sha256 (KilnProductionProfile *profile);

G_END_DECLS
