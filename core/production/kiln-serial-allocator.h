/* kiln-serial-allocator.h — serial numbers for boards, allocated crash-safely
 *
 * A number is allocated and written to the station's record database in one
 * transaction, tied to the chip's UID, before anything is programmed; the
 * entry that ends the job marks it used. So a crash or a power cut can never
 * give two boards one number (the database refuses a value twice in a series)
 * nor lose one: a number whose job never ended stays in the database with the
 * UID it was given to, and that board gets the same number when it comes back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-production-profile.h"
#include "kiln-production-record.h"

G_BEGIN_DECLS

typedef struct
{
  gint64   id;          /* row in the database, for kiln_production_record_append() */
  char    *value;       /* the text, "SN-000042" */
  guint64  number;      /* the counter value or the list line; 0 for UID-derived */
  gboolean reused;      /* this chip already had the number (a retried board) */
  GBytes  *bytes;       /* what is written at the profile's address */
} KilnSerialAllocation;

void kiln_serial_allocation_free (KilnSerialAllocation *allocation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnSerialAllocation, kiln_serial_allocation_free)

#define KILN_TYPE_SERIAL_ALLOCATOR (kiln_serial_allocator_get_type ())

G_DECLARE_FINAL_TYPE (KilnSerialAllocator, kiln_serial_allocator, KILN, SERIAL_ALLOCATOR, GObject)

/* @list_path: the list file (source = list), resolved. */
KilnSerialAllocator  *kiln_serial_allocator_new      (KilnProductionRecord     *record,
                                                      const KilnSerialSettings *settings,
                                                      const char               *list_path);
const char           *kiln_serial_allocator_get_series (KilnSerialAllocator    *self);
/* The chip @uid's number: the one it already has, or the next one. */
KilnSerialAllocation *kiln_serial_allocator_allocate (KilnSerialAllocator      *self,
                                                      const char               *uid,
                                                      const char               *station,
                                                      const char               *probe_serial,
                                                      GError                  **error);

G_END_DECLS
