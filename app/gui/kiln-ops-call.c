/* kiln-ops-call.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-ops-call-private.h"
#include "kiln-file-write.h"

KilnOpsCall *
kiln_ops_call_new (KilnTargetJobKind  kind,
                   KilnUsbProbeInfo  *info)
{
  KilnOpsCall *call = g_new0 (KilnOpsCall, 1);

  call->job = kiln_target_job_new (kind, info);
  return call;
}

void
kiln_ops_call_free (KilnOpsCall *call)
{
  if (call == NULL)
    return;
  g_clear_pointer (&call->job, kiln_target_job_free);
  g_clear_object (&call->file);
  g_free (call);
}

static char *
format_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

gboolean
kiln_ops_call_run (KilnSession   *session,
                   gpointer       data,
                   KilnProgress  *progress,
                   GCancellable  *cancellable,
                   GError       **error)
{
  KilnOpsCall *call = data;
  KilnTargetJob *job = call->job;
  g_autofree char *summary = NULL;

  if (!kiln_target_job_run (session, job, progress, cancellable, error))
    return FALSE;

  switch (job->kind)
    {
    case KILN_TARGET_JOB_VERIFY:
      {
        g_autofree char *size = format_size (job->verify_result.bytes);

        summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "Verified: the chip holds the file’s %s exactly (%u sector compared)",
                                                "Verified: the chip holds the file’s %s exactly (%u sectors compared)",
                                                job->verify_result.sectors),
                                   size, job->verify_result.sectors);
      }
      break;

    case KILN_TARGET_JOB_ERASE:
      {
        g_autofree char *size = format_size (job->erase_result.bytes);

        if (job->erase_result.mass)
          summary = g_strdup_printf (_("Erased the whole chip (%s)"), size);
        else
          summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Erased %u sector (%s)", "Erased %u sectors (%s)",
                                                  job->erase_result.sectors),
                                     job->erase_result.sectors, size);
      }
      break;

    case KILN_TARGET_JOB_READ:
      {
        g_autofree char *size = format_size (job->length);
        g_autofree char *name = g_file_get_basename (call->file);
        g_autoptr(GError) local_error = NULL;

        g_autofree char *path = g_file_get_path (call->file);
        gboolean written;

        /* On the worker: a few MiB to disk never waits on the main loop.
         * A local path goes through kiln_file_write (never renamed over a
         * device or a link); anything else through GIO, which refuses to
         * replace what is not a regular file. */
        if (path != NULL)
          written = kiln_file_write (path, g_bytes_get_data (job->data, NULL), g_bytes_get_size (job->data), 0666,
                                     &local_error);
        else
          written = g_file_replace_contents (call->file, g_bytes_get_data (job->data, NULL),
                                             g_bytes_get_size (job->data), NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                                             cancellable, &local_error);
        if (!written)
          {
            g_set_error (error, local_error->domain, local_error->code,
                         _("The flash was read, but not saved. %s. Choose another place."),
                         local_error->message);
            return FALSE;
          }
        /* Translators: "Read 1.0 MiB of flash from 0x08000000 into board.bin" */
        summary = g_strdup_printf (_("Read %s of flash from 0x%08X into %s"), size, job->address, name);
      }
      break;

    case KILN_TARGET_JOB_OPTION_BYTES_READ:
      summary = g_strdup (_("Read the option bytes"));
      break;

    case KILN_TARGET_JOB_OPTION_BYTES_WRITE:
      summary = g_strdup (job->options_written ? _("The option bytes were written and read back")
                                               : _("The option bytes already held these values: nothing was written"));
      break;

    default:
      g_assert_not_reached ();
    }

  if (progress != NULL)
    kiln_progress_message (progress, KILN_PROGRESS_MESSAGE_INFO, "%s", summary);
  return TRUE;
}
