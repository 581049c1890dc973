/* kiln-production-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_PRODUCTION_ERROR (kiln_production_error_quark ())

typedef enum
{
  KILN_PRODUCTION_ERROR_PROFILE,       /* the profile is malformed or incomplete */
  KILN_PRODUCTION_ERROR_LOCKED,        /* a locked profile cannot be changed */
  KILN_PRODUCTION_ERROR_NOT_LOCKED,    /* the line runs only locked profiles */
  KILN_PRODUCTION_ERROR_FILE_CHANGED,  /* the firmware no longer matches its pinned SHA-256 */
  KILN_PRODUCTION_ERROR_WRONG_CHIP,    /* the board carries another chip than the profile's */
  KILN_PRODUCTION_ERROR_OPTION_BYTES,  /* option bytes differ from what the profile enforces */
  KILN_PRODUCTION_ERROR_SERIAL,        /* no serial number could be allocated */
  KILN_PRODUCTION_ERROR_DATABASE,      /* the record database failed */
  KILN_PRODUCTION_ERROR_SIGNATURE,     /* a key or signature file is unusable */
  KILN_PRODUCTION_ERROR_NOT_SIGNED,    /* no trusted signature, or the profile changed after signing */
  KILN_PRODUCTION_ERROR_LINE_UNREACHABLE, /* the line's database cannot be reached */
  KILN_PRODUCTION_ERROR_PASSWORD,      /* a secret key's password is not the right one */
  KILN_PRODUCTION_ERROR_STATION_TAKEN, /* another process runs as this station on the line */
} KilnProductionError;

GQuark kiln_production_error_quark (void);

G_END_DECLS
