/* kiln-cli-output.h — how kiln-cli shows a job: live lines on a terminal,
 * JSON lines for scripts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>

#include "kiln-progress.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_CLI_OUTPUT_TEXT,
  KILN_CLI_OUTPUT_JSON,
} KilnCliOutputFormat;

/* Names a sector state value carried by KilnProgress (the flash layer's
 * enum); NULL means "state N". */
typedef const char *(*KilnCliSectorStateName) (guint state);

typedef struct _KilnCliOutput KilnCliOutput;

KilnCliOutput *kiln_cli_output_new            (KilnCliOutputFormat     format,
                                               gboolean                quiet,
                                               gboolean                verbose);
void           kiln_cli_output_free           (KilnCliOutput          *self);
void           kiln_cli_output_set_sector_state_name (KilnCliOutput          *self,
                                                      KilnCliSectorStateName  func);
/* The words for a sector state in -v output (default: the flash layer's
 * labels). */
void           kiln_cli_output_set_sector_state_label (KilnCliOutput          *self,
                                                       KilnCliSectorStateName  func);
/* Shows every event of @progress until it finishes. */
void           kiln_cli_output_attach         (KilnCliOutput          *self,
                                               KilnProgress           *progress);
/* Ends a live line, if one is open, so other output starts on a fresh line. */
void           kiln_cli_output_break_line     (KilnCliOutput          *self);

/* "1.5 KiB", "256 KiB", "2.0 MiB" (translatable units). */
char          *kiln_cli_format_size           (guint64                 bytes);
/* "0.4 s", "12 s", "2 min 5 s". */
char          *kiln_cli_format_duration       (double                  seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnCliOutput, kiln_cli_output_free)

G_END_DECLS
