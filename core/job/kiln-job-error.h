/* kiln-job-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_JOB_ERROR (kiln_job_error_quark ())

typedef enum
{
  KILN_JOB_ERROR_CANCELLED,
  KILN_JOB_ERROR_BUSY,
} KilnJobError;

GQuark kiln_job_error_quark (void);

G_END_DECLS
