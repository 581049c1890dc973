/* kiln-minisign.h — Ed25519 key pairs and signatures in minisign's format
 *
 * Keys made by `minisign -G` sign and verify here, and `minisign -V` checks
 * what Kiln signs: a public key is "Ed" + key id (8 bytes) + key (32 bytes)
 * in base64 under an untrusted comment line; a signature file holds
 * "ED" + key id + the Ed25519 signature of the message's BLAKE2b-512, a
 * trusted comment, and a second signature over the first one and that
 * comment. Legacy "Ed" signatures (of the message itself) are verified too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint8 id[8];
  guint8 key[32];
} KilnMinisignPublicKey;

typedef struct
{
  guint8 id[8];
  guint8 key[64];
} KilnMinisignSecretKey;

typedef enum
{
  KILN_MINISIGN_VALID,
  KILN_MINISIGN_UNTRUSTED,         /* signed by a key not among those given */
  KILN_MINISIGN_COMMENT_FORGED,    /* the trusted comment or the signature was altered */
  KILN_MINISIGN_MESSAGE_CHANGED,   /* the comment is genuine, the message is not what was signed */
} KilnMinisignVerdict;

/* libsodium initialised once for the whole process (the minisign keys here
 * and the operator password's hash use it); FALSE if it cannot be. */
gboolean kiln_sodium_ready                (void);

/* The key id as minisign prints it (16 hexadecimal digits). */
char    *kiln_minisign_key_id_to_string   (const guint8            id[8]);

/* @text: a public key file's contents, or its base64 line alone. */
gboolean kiln_minisign_public_key_parse   (const char              *text,
                                           KilnMinisignPublicKey   *key,
                                           GError                 **error);
/* @source: a file, or the base64 line itself (as minisign -P takes it). */
gboolean kiln_minisign_public_key_load    (const char              *source,
                                           KilnMinisignPublicKey   *key,
                                           GError                 **error);
/* Only keys without a password (minisign -G -W, or kiln-cli profile keygen);
 * a password-protected key is refused saying so. */
gboolean kiln_minisign_secret_key_load    (const char              *path,
                                           KilnMinisignSecretKey   *key,
                                           GError                 **error);
/* TRUE when the secret key at @path is protected by a password (minisign -G
 * without -W); FALSE also when it is no secret key. */
gboolean kiln_minisign_secret_key_needs_password (const char       *path);
/* @password NULL: the key must have none. A wrong password is refused
 * with KILN_PRODUCTION_ERROR_PASSWORD. Deriving the key from a password
 * takes a second or more (scrypt): not on the GUI thread. */
gboolean kiln_minisign_secret_key_load_with_password (const char    *path,
                                           const char              *password,
                                           KilnMinisignSecretKey   *key,
                                           GError                 **error);

/* A new key pair as the two files' contents. */
void     kiln_minisign_generate           (char                   **public_text,
                                           char                   **secret_text);
/* The same, the secret key protected by @password (NULL or "": none) as
 * minisign -G protects it. */
void     kiln_minisign_generate_with_password (const char          *password,
                                           char                   **public_text,
                                           char                   **secret_text);

/* The signature file's contents; @trusted_comment is one line. */
char    *kiln_minisign_sign               (const KilnMinisignSecretKey *key,
                                           const guint8            *message,
                                           gsize                    length,
                                           const char              *trusted_comment);

/* FALSE with @error when @signature is not a signature file. Otherwise the
 * verdict; *@trusted_comment is set when the comment is genuine (VALID and
 * MESSAGE_CHANGED) and *@signer to the key that signed (or NULL). */
gboolean kiln_minisign_verify             (const char              *signature,
                                           const guint8            *message,
                                           gsize                    length,
                                           const KilnMinisignPublicKey *trusted,
                                           guint                    n_trusted,
                                           KilnMinisignVerdict     *verdict,
                                           char                   **trusted_comment,
                                           guint8                   signer_id[8],
                                           GError                 **error);

G_END_DECLS
