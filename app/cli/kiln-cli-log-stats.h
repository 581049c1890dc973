/* kiln-cli-log-stats.h — `kiln-cli log stats`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-cli-commands.h"

G_BEGIN_DECLS

/* Prints the figures of @entries (the record @name) in the range given by
 * the options; returns the exit code. */
/* @consumed: when each serial number consumed without a board's result was
 * marked (the line's record), or NULL; @consumed_causes: why, each. */
int kiln_cli_log_stats (GPtrArray  *entries,
                        GPtrArray  *consumed,
                        GPtrArray  *consumed_causes,
                        const char *name,
                        const char *since,
                        const char *until,
                        gboolean    shift,
                        gboolean    day,
                        gboolean    json);

G_END_DECLS
