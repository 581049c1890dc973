/* kiln-flash-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-flash-json.h"

static char *
node_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

char *
kiln_json_builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return node_to_string (root);
}

void
kiln_json_append_string (GString    *out,
                         const char *value)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), value != NULL ? value : "");
  g_autofree char *text = node_to_string (node);

  g_string_append (out, text);
}

void
kiln_json_builder_add_fixed (JsonBuilder *builder,
                             double       value,
                             guint        decimals)
{
  char format[8], buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (format, sizeof format, "%%.%uf", MIN (decimals, 9u));
  json_builder_add_double_value (builder, g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, format, value), NULL));
}
