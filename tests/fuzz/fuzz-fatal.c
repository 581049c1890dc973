/* fuzz-fatal.c — linked into every fuzz target: a GLib critical or warning
 * aborts, so that a failed precondition (a NULL reaching a GLib function,
 * say) is a finding with its input saved, not a line in the log the run
 * goes past. The first long run of fuzz-profile printed thousands of such
 * lines from an empty item in a sector list and reported no crash.
 *
 * GLib's own fatal mask would stop the process with SIGTRAP, which libFuzzer
 * does not catch (no crash input is written); abort() it catches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>

#include <glib.h>

static GLogWriterOutput
abort_on_critical (GLogLevelFlags   level,
                   const GLogField *fields,
                   gsize            n_fields,
                   gpointer         user_data)
{
  GLogWriterOutput out = g_log_writer_default (level, fields, n_fields, user_data);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return out;
}

__attribute__((constructor)) static void
kiln_fuzz_fatal_criticals (void)
{
  g_log_set_writer_func (abort_on_critical, NULL, NULL);
}
