/* kiln-cli-probe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-probe.h"
#include "kiln-flash-job.h"

KilnSimBench *
kiln_cli_probe_bench (gboolean   simulator,
                      GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  KilnSimBench *bench;

  if (!simulator)
    return NULL;
  bench = kiln_sim_bench_new_from_env (&local_error);
  if (local_error != NULL)
    {
      /* Name the file: the bench's own words may not ("No such file or directory"). */
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("The bench in KILN_SIM=%s: "),
                                  g_getenv ("KILN_SIM"));
      return NULL;
    }
  return bench ? bench : kiln_sim_bench_new_default ();
}

/* One line a probe, "\n  SERIAL  MODEL (LOCATION)", for the errors that
 * ask which probe was meant. */
static char *
dup_probe_lines (GPtrArray *probes)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (probes, i);

      g_string_append_printf (list, "\n  %s  %s (%s)", kiln_usb_probe_info_get_serial (info),
                              kiln_usb_probe_info_get_model (info), kiln_usb_probe_info_get_location (info));
    }
  return g_string_free (g_steal_pointer (&list), FALSE);
}

KilnUsbProbeInfo *
kiln_cli_probe_choose (GPtrArray   *probes,
                       const char  *serial,
                       GError     **error)
{
  if (serial != NULL)
    {
      for (guint i = 0; i < probes->len; i++)
        {
          KilnUsbProbeInfo *info = g_ptr_array_index (probes, i);

          if (g_ascii_strcasecmp (kiln_usb_probe_info_get_serial (info), serial) == 0)
            return info;
        }
      if (probes->len == 0)
        g_set_error (error, KILN_USB_ERROR, KILN_USB_ERROR_NOT_FOUND,
                     _("No ST-LINK with serial %s is attached, nor any other: plug it in."), serial);
      else
        {
          g_autofree char *list = dup_probe_lines (probes);

          g_set_error (error, KILN_USB_ERROR, KILN_USB_ERROR_NOT_FOUND,
                       g_dngettext (GETTEXT_PACKAGE, "No ST-LINK with serial %s is attached. This one is:%s",
                                    "No ST-LINK with serial %s is attached. These are:%s", probes->len),
                       serial, list);
        }
      return NULL;
    }

  if (probes->len == 0)
    {
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_NO_PROBE,
                           _("No ST-LINK is attached. Plug one in; if it is plugged in, install Kiln's udev rules "
                             "(60-kiln-stlink.rules). Use --simulator to try the built-in simulated board."));
      return NULL;
    }

  if (probes->len > 1)
    {
      g_autofree char *list = dup_probe_lines (probes);

      g_set_error (error, KILN_USB_ERROR, KILN_USB_ERROR_AMBIGUOUS,
                   _("%u ST-LINKs are attached: choose one with --probe SERIAL:%s"), probes->len, list);
      return NULL;
    }

  return g_ptr_array_index (probes, 0);
}

KilnArmTarget *
kiln_cli_probe_connect (KilnUsbProbeInfo  *info,
                        guint              khz,
                        gboolean           under_reset,
                        GError           **error)
{
  return kiln_job_connect (info, khz, under_reset, error);
}
