/* kiln-memory-map-private.h — a drawn map of a chip's flash sectors and a file's segments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kiln-flash-types.h"

G_BEGIN_DECLS

/* KilnSectorState comes from the flash engine (kiln-flash-types.h). */
#define KILN_N_SECTOR_STATES (KILN_SECTOR_STATE_BLANK + 1)

/* One flash sector as the map draws it. */
typedef struct
{
  guint   bank;    /* 0 or 1; a second bank is drawn as a second row */
  guint   number;  /* the sector number the reference manual uses */
  guint32 address;
  guint32 size;
} KilnMapSector;

/* A named address range: a file segment, or a RAM region of the chip. */
typedef struct
{
  const char *name;
  guint32     address;
  guint32     size;
} KilnMapRegion;

#define KILN_TYPE_MEMORY_MAP (kiln_memory_map_get_type ())

G_DECLARE_FINAL_TYPE (KilnMemoryMap, kiln_memory_map, KILN, MEMORY_MAP, GtkWidget)

GtkWidget       *kiln_memory_map_new                 (void);
void             kiln_memory_map_set_layout          (KilnMemoryMap       *self,
                                                      const KilnMapSector *sectors,
                                                      guint                n_sectors,
                                                      const KilnMapRegion *ram,
                                                      guint                n_ram);
void             kiln_memory_map_set_segments        (KilnMemoryMap       *self,
                                                      const KilnMapRegion *segments,
                                                      guint                n_segments);
guint            kiln_memory_map_get_n_sectors       (KilnMemoryMap       *self);
void             kiln_memory_map_set_sector_state    (KilnMemoryMap       *self,
                                                      guint                index,
                                                      KilnSectorState      state,
                                                      const char          *reason);
KilnSectorState  kiln_memory_map_get_sector_state    (KilnMemoryMap       *self,
                                                      guint                index);
void             kiln_memory_map_reset_states        (KilnMemoryMap       *self);
/* Text for hovering at (x, y) in widget coordinates, or NULL. */
char            *kiln_memory_map_describe_at         (KilnMemoryMap       *self,
                                                      double               x,
                                                      double               y);
const char      *kiln_memory_map_describe_state      (KilnSectorState      state);
const char      *kiln_memory_map_state_word          (KilnSectorState      state);
/* Whether sector @index's state word fitted its tile when last drawn (a
 * word that does not fit is left out, never cut). */
gboolean         kiln_memory_map_get_word_shown      (KilnMemoryMap       *self,
                                                      guint                index);

G_END_DECLS
