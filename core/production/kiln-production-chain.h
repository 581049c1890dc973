/* kiln-production-chain.h — each record entry carries the hash of the one
 * before it at its station, so that a deleted or edited entry is found
 *
 * hash = SHA-256 (prev_hash "\n" canonical), where canonical is every field
 * of the entry but its id and hashes (kiln_production_entry_canonical) and
 * prev_hash is the hash of the station's previous entry, "" for its first.
 * Deleting an entry breaks the next one's link; editing one breaks its own
 * hash. (The last entries of a station can be removed without a trace in the
 * record itself: compare the head printed by `kiln-cli log verify` with one
 * kept elsewhere.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-production-record.h"

G_BEGIN_DECLS

char     *kiln_production_chain_hash   (const char                *prev_hash,
                                        const KilnProductionEntry *entry);

/* Checks @entries (oldest first, as listed). TRUE when every link holds;
 * otherwise *@broken names the first broken link in plain words. *@heads
 * (when not NULL) gets "station: hash" lines for the last entry of each. */
gboolean  kiln_production_chain_verify (GPtrArray                 *entries,
                                        char                     **broken,
                                        char                     **heads);

G_END_DECLS
