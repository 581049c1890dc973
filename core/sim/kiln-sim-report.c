/* kiln-sim-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdarg.h>

#include "kiln-sim-report.h"

KilnSimReport *
kiln_sim_report_new (void)
{
  KilnSimReport *report = g_new0 (KilnSimReport, 1);

  report->sectors_erased = g_array_new (FALSE, TRUE, sizeof (KilnSimReportErase));
  report->violations = g_ptr_array_new_with_free_func (g_free);
  report->unmodeled = g_ptr_array_new_with_free_func (g_free);
  report->faults_injected = g_ptr_array_new_with_free_func (g_free);
  report->host_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return report;
}

void
kiln_sim_report_free (KilnSimReport *report)
{
  if (report == NULL)
    return;
  g_array_unref (report->sectors_erased);
  g_ptr_array_unref (report->violations);
  g_ptr_array_unref (report->unmodeled);
  g_ptr_array_unref (report->faults_injected);
  g_hash_table_unref (report->host_errors);
  g_free (report);
}

void
kiln_sim_report_violation (KilnSimReport *report,
                           const char    *format,
                           ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (report->violations, text);
}

void
kiln_sim_report_fault (KilnSimReport *report,
                       const char    *name)
{
  for (guint i = 0; i < report->faults_injected->len; i++)
    if (g_str_equal (g_ptr_array_index (report->faults_injected, i), name))
      return;
  g_ptr_array_add (report->faults_injected, g_strdup (name));
}

void
kiln_sim_report_host_error (KilnSimReport *report,
                            guint8         status)
{
  char key[8];
  gpointer old;

  g_snprintf (key, sizeof key, "0x%02x", status);
  old = g_hash_table_lookup (report->host_errors, key);
  g_hash_table_replace (report->host_errors, g_strdup (key), GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
}
