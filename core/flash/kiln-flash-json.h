/* kiln-flash-json.h — JSON as Kiln writes it, through json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The builder's root written on one line; the builder is then spent. */
char    *kiln_json_builder_to_string  (JsonBuilder *builder);
/* The builder's root on one line with every number in its shortest exact
 * form (0.026, where json-glib writes 0.025999999999999999); the builder
 * is then spent. For what people and scripts read; the production
 * record's hashed form keeps kiln_json_builder_to_string(). */
char    *kiln_json_builder_to_line    (JsonBuilder *builder);
/* Appends @value as a JSON string ("" for NULL). */
void     kiln_json_append_string      (GString     *out,
                                       const char  *value);
/* Adds @value rounded to @decimals places: the number that "%.Nf" would
 * have printed, so readers get the same value. */
void     kiln_json_builder_add_fixed  (JsonBuilder *builder,
                                       double       value,
                                       guint        decimals);

G_END_DECLS
