/* kiln-job-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kiln-job-error.h"

G_DEFINE_QUARK (kiln-job-error-quark, kiln_job_error)
