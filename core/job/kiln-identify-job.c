/* kiln-identify-job.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-flash-job.h"
#include "kiln-identify-job.h"

KilnIdentifyJob *
kiln_identify_job_new (KilnUsbProbeInfo *info)
{
  KilnIdentifyJob *job = g_new0 (KilnIdentifyJob, 1);

  kiln_job_probe_init (&job->probe, info);
  return job;
}

void
kiln_identify_job_free (KilnIdentifyJob *job)
{
  if (job == NULL)
    return;
  kiln_job_probe_clear (&job->probe);
  g_clear_object (&job->chip);
  g_free (job->firmware);
  g_free (job->revision);
  g_free (job->uid);
  g_clear_pointer (&job->protected, g_array_unref);
  g_free (job);
}

gboolean
kiln_identify_job_run (KilnSession   *session,
                       gpointer       data,
                       KilnProgress  *progress,
                       GCancellable  *cancellable,
                       GError       **error)
{
  KilnIdentifyJob *job = data;
  g_autoptr(KilnArmTarget) target = NULL;
  KilnStlink *stlink;

  /* The probe on its own first, so that the panel can say which firmware
   * it has even when the target is off or does not answer. */
  {
    g_autoptr(KilnStlink) probe = kiln_job_open_probe (job->probe.info, error);

    if (probe == NULL)
      return FALSE;
    job->have_probe = TRUE;
    job->version = *kiln_stlink_get_version (probe);
    job->firmware = g_strdup (kiln_stlink_get_firmware (probe));
    job->have_volts = kiln_stlink_read_voltage (probe, &job->volts, NULL);
  }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  target = kiln_job_probe_connect (&job->probe, NULL, error);
  if (target == NULL)
    return FALSE;
  stlink = kiln_arm_target_get_stlink (target);
  job->have_volts = kiln_stlink_read_voltage (stlink, &job->volts, NULL) || job->have_volts;
  job->swd_khz = kiln_stlink_get_swd_khz (stlink);
  job->chip = g_object_ref (kiln_arm_target_get_chip (target));
  job->dev_id = kiln_arm_target_get_dev_id (target);
  job->revision = g_strdup (kiln_arm_target_get_revision (target));
  job->uid = g_strdup (kiln_arm_target_get_uid (target));
  job->package = kiln_arm_target_get_package (target);
  job->rdp_level = kiln_arm_target_get_rdp_level (target);
  job->optcr = kiln_arm_target_get_optcr (target);
  job->optcr1 = kiln_arm_target_get_optcr1 (target);
  job->protected = kiln_arm_target_dup_protected (target);
  /* Leaves debug mode: the target runs on as before. */
  kiln_stlink_close (stlink);
  return TRUE;
}

gboolean
kiln_identify_job_is_protected (KilnIdentifyJob *job,
                                guint            position)
{
  for (guint i = 0; job->protected != NULL && i < job->protected->len; i++)
    if (g_array_index (job->protected, guint, i) == position)
      return TRUE;
  return FALSE;
}

char *
kiln_identify_job_dup_protected (KilnIdentifyJob *job)
{
  g_autoptr(GString) list = g_string_new (NULL);
  guint n = job->protected != NULL ? job->protected->len : 0;

  if (n == 0 || job->chip == NULL)
    return g_strdup (_("None"));
  for (guint i = 0; i < n; i++)
    {
      const KilnSector *sector = kiln_chip_get_sector (job->chip, g_array_index (job->protected, guint, i));

      if (i > 0)
        g_string_append (list, ", ");
      g_string_append_printf (list, "%u", sector->index);
    }
  /* Translators: "Sector 1" or "Sectors 1, 3"; the sectors cannot be
   * erased or written until the protection is removed */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Sector %s", "Sectors %s", n), list->str);
}

char *
kiln_probe_firmware_statement (const KilnStlinkVersion *version)
{
  g_autofree char *name = kiln_stlink_version_to_string (version);
  g_auto(GStrv) costs = kiln_stlink_firmware_costs (version);
  g_autoptr(GString) text = g_string_new (NULL);

  if (costs[0] == NULL)
    /* Translators: %s is the firmware version, e.g. V2J34S7 */
    return g_strdup_printf (_("Firmware %s: everything Kiln does works with it."), name);
  /* Translators: %s is the firmware version, e.g. V2J17S4; what the firmware lacks follows */
  g_string_printf (text, _("Firmware %s: programming, verifying and reading work. What it lacks:"), name);
  for (guint i = 0; costs[i] != NULL; i++)
    g_string_append_printf (text, "\n• %s", costs[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
kiln_probe_read_version (KilnUsbProbeInfo   *info,
                         KilnStlinkVersion  *version,
                         GError            **error)
{
  g_autoptr(KilnStlink) stlink = kiln_job_open_probe (info, error);

  if (stlink == NULL)
    return FALSE;
  *version = *kiln_stlink_get_version (stlink);
  return TRUE;
}
