/* kiln-production-diagnosis.h — Kiln's diagnosis of a failed board: a
 * stable code and the group it belongs to, kept in the record so that a
 * line's failures can be counted and ranked by cause
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The code ("flash-verify", "probe-unplugged", …) and group ("flash",
 * "probe", "board", "chip", "option-bytes", "file", "profile", "serial",
 * "record", "stopped", "other") of @error. Both are static strings. */
void        kiln_production_diagnose          (const GError *error,
                                               const char  **code,
                                               const char  **group);
/* The group's name for people (translated); @group itself when unknown. */
const char *kiln_production_diagnosis_group_label (const char *group);

G_END_DECLS
