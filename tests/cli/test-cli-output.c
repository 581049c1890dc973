/* test-cli-output.c — JSON strings and human sizes in kiln-cli's output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>

#include "kiln-cli-output.h"
#include "kiln-flash-plan.h"

static void
test_json_string (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  kiln_json_append_string (out, "sector \"5\"\\\n\tend\x01");
  g_assert_cmpstr (out->str, ==, "\"sector \\\"5\\\"\\\\\\n\\tend\\u0001\"");

  g_string_truncate (out, 0);
  kiln_json_append_string (out, NULL);
  g_assert_cmpstr (out->str, ==, "\"\"");

  g_string_truncate (out, 0);
  kiln_json_append_string (out, "Übertragung");
  g_assert_cmpstr (out->str, ==, "\"Übertragung\"");
}

static void
test_sizes (void)
{
  struct { guint64 bytes; const char *text; } cases[] = {
    { 0, "0 bytes" },
    { 1, "1 byte" },
    { 1023, "1023 bytes" },
    { 1024, "1 KiB" },
    { 1536, "1.5 KiB" },
    { 262144, "256 KiB" },
    { 1048576, "1.0 MiB" },
    { 2097152, "2.0 MiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = kiln_cli_format_size (cases[i].bytes);
      g_assert_cmpstr (s, ==, cases[i].text);
    }
}

static void
test_durations (void)
{
  g_autofree char *a = kiln_cli_format_duration (0.42);
  g_autofree char *b = kiln_cli_format_duration (12.4);
  g_autofree char *c = kiln_cli_format_duration (125);

  g_assert_cmpstr (a, ==, "0.4 s");
  g_assert_cmpstr (b, ==, "12 s");
  g_assert_cmpstr (c, ==, "2 min 5 s");
}

/* Numbers as people read them: the shortest form that reads back exactly,
 * a fraction kept a fraction; members in their order, strings escaped. */
static void
test_json_line (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *line = NULL;
  g_autoptr(JsonNode) back = NULL;
  JsonObject *o;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seconds");
  kiln_json_builder_add_fixed (b, 0.025999, 3);
  json_builder_set_member_name (b, "sum");
  json_builder_add_double_value (b, 0.1 + 0.2);
  json_builder_set_member_name (b, "whole");
  json_builder_add_double_value (b, 2.0);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, 4294967296);
  json_builder_set_member_name (b, "list");
  json_builder_begin_array (b);
  json_builder_add_boolean_value (b, TRUE);
  json_builder_add_null_value (b);
  json_builder_add_string_value (b, "a \"b\"");
  json_builder_end_array (b);
  json_builder_end_object (b);
  line = kiln_json_builder_to_line (b);
  g_assert_cmpstr (line, ==, "{\"seconds\":0.026,\"sum\":0.30000000000000004,\"whole\":2.0,"
                             "\"bytes\":4294967296,\"list\":[true,null,\"a \\\"b\\\"\"]}");
  /* And reads back to the same values. */
  back = json_from_string (line, NULL);
  o = json_node_get_object (back);
  g_assert_cmpfloat (json_object_get_double_member (o, "seconds"), ==, 0.026);
  g_assert_cmpfloat (json_object_get_double_member (o, "sum"), ==, 0.1 + 0.2);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Cli/json-string", test_json_string);
  g_test_add_func ("/Kiln/Cli/json-line", test_json_line);
  g_test_add_func ("/Kiln/Cli/sizes", test_sizes);
  g_test_add_func ("/Kiln/Cli/durations", test_durations);

  return g_test_run ();
}
