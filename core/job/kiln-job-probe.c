/* kiln-job-probe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-job-probe.h"

void
kiln_job_probe_init (KilnJobProbe     *probe,
                     KilnUsbProbeInfo *info)
{
  memset (probe, 0, sizeof *probe);
  probe->info = info ? g_object_ref (info) : NULL;
  probe->khz = 4000;
}

void
kiln_job_probe_init_for_bench (KilnJobProbe *probe,
                               KilnSimBench *bench)
{
  kiln_job_probe_init (probe, NULL);
  probe->bench = bench ? g_object_ref (bench) : NULL;
  probe->simulator = TRUE;
}

void
kiln_job_probe_clear (KilnJobProbe *probe)
{
  g_clear_object (&probe->info);
  g_clear_object (&probe->bench);
  g_clear_pointer (&probe->chip_name, g_free);
}

KilnArmTarget *
kiln_job_probe_connect (KilnJobProbe  *probe,
                        KilnProgress  *progress,
                        GError       **error)
{
  KilnArmTarget *target;

  if (progress != NULL)
    kiln_progress_begin_phase (progress, KILN_FLASH_PHASE_CONNECT, 0);
  if (!kiln_job_find_probe (&probe->info, &probe->bench, probe->simulator, error))
    return NULL;
  target = kiln_job_connect (probe->info, probe->khz, probe->under_reset, error);
  if (target == NULL)
    return NULL;
  g_free (probe->chip_name);
  probe->chip_name = g_strdup (kiln_chip_get_line (kiln_arm_target_get_chip (target))->line);
  return target;
}

gboolean
kiln_job_find_probe (KilnUsbProbeInfo **info,
                     KilnSimBench     **bench,
                     gboolean           simulator,
                     GError           **error)
{
  /* The bench (a whole simulated board) is built here, off the main loop. */
  if (*info == NULL && *bench == NULL && simulator)
    {
      *bench = kiln_sim_bench_new_from_env (error);
      if (*bench == NULL && error != NULL && *error != NULL)
        return FALSE;
      if (*bench == NULL)
        *bench = kiln_sim_bench_new_default ();
    }
  if (*info == NULL && *bench != NULL)
    {
      g_autoptr(GPtrArray) probes = kiln_usb_list_probes (*bench, NULL);

      for (guint i = 0; i < probes->len && *info == NULL; i++)
        if (kiln_usb_probe_info_get_backend (g_ptr_array_index (probes, i)) == KILN_USB_BACKEND_SIMULATOR)
          *info = g_object_ref (g_ptr_array_index (probes, i));
    }
  if (*info == NULL)
    {
      g_set_error_literal (error, KILN_USB_ERROR, KILN_USB_ERROR_NO_PROBE,
                           _("The simulated probe is gone (an unplug fault?): restart Kiln"));
      return FALSE;
    }
  return TRUE;
}

KilnStlink *
kiln_job_open_probe (KilnUsbProbeInfo  *info,
                     GError           **error)
{
  g_autoptr(KilnUsbDevice) device = kiln_usb_probe_info_open (info, error);

  if (device == NULL)
    return NULL;
  /* The ST-LINK holds the device from here on. */
  return kiln_stlink_open (device, error);
}

KilnArmTarget *
kiln_job_connect (KilnUsbProbeInfo  *info,
                  guint              khz,
                  gboolean           under_reset,
                  GError           **error)
{
  g_autoptr(KilnStlink) stlink = kiln_job_open_probe (info, error);
  g_autoptr(KilnArmTarget) target = NULL;
  double volts = 0;
  gboolean measured;

  if (stlink == NULL)
    return NULL;

  measured = kiln_stlink_read_voltage (stlink, &volts, NULL);
  if (measured && volts < 1.5)
    {
      g_set_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_NO_TARGET_VOLTAGE,
                   _("The target has no power (the probe measures %.2f V): power the board and check that the "
                     "probe's VCC pin is connected to it"), volts);
      return NULL;
    }

  if (!kiln_stlink_connect (stlink, khz, under_reset, error))
    return NULL;
  target = kiln_arm_target_new (stlink);
  if (!kiln_arm_target_detect (target, error))
    return NULL;
  /* A flash job's preflight takes it instead of measuring again. */
  if (measured)
    kiln_arm_target_set_supply (target, volts);
  if (under_reset)
    {
      /* The core stops at its first instruction when NRST is released, so
       * firmware that turns the SWD pins off never runs. */
      if (!kiln_arm_catch_reset (target, error) || !kiln_stlink_set_nrst (stlink, FALSE, error))
        return NULL;
    }
  return g_steal_pointer (&target);
}
