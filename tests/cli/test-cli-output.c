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

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Cli/json-string", test_json_string);
  g_test_add_func ("/Kiln/Cli/sizes", test_sizes);
  g_test_add_func ("/Kiln/Cli/durations", test_durations);

  return g_test_run ();
}
