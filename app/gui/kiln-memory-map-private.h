/* kiln-memory-map-private.h — a drawn map of a chip's flash sectors and a file's segments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kiln-flash-types.h"

G_BEGIN_DECLS

/* KilnSectorState comes from the flash engine (kiln-flash-types.h). The
 * map adds one of its own: a sector an Erase emptied (the engine says
 * "untouched" then, as it holds nothing of any image). */
#define KILN_MAP_STATE_ERASED ((KilnSectorState) (KILN_SECTOR_STATE_BLANK + 1))
#define KILN_N_SECTOR_STATES  (KILN_MAP_STATE_ERASED + 1)

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

/* Where sector @index's tile, its state word and its corner (the state's
 * icon, or the tick box in selection mode) were last drawn, in widget
 * coordinates. FALSE, and @word left alone, when the word was left out. */
gboolean         kiln_memory_map_get_word_bounds     (KilnMemoryMap       *self,
                                                      guint                index,
                                                      graphene_rect_t     *tile,
                                                      graphene_rect_t     *word,
                                                      graphene_rect_t     *corner);
/* How many legend entries the map draws in a row at its width now (each
 * has width / columns, its box and gap 30 px of that). */
guint            kiln_memory_map_get_legend_columns  (KilnMemoryMap       *self);
/* Selection mode: each tile carries a tick box; a click, Space or the
 * context menu ticks or unticks the tile ("ticks-changed"). */
void             kiln_memory_map_set_selecting       (KilnMemoryMap       *self,
                                                      gboolean             selecting);
gboolean         kiln_memory_map_get_selecting       (KilnMemoryMap       *self);
void             kiln_memory_map_set_ticked          (KilnMemoryMap       *self,
                                                      guint                index,
                                                      gboolean             ticked);
gboolean         kiln_memory_map_get_ticked          (KilnMemoryMap       *self,
                                                      guint                index);
guint            kiln_memory_map_get_n_ticked        (KilnMemoryMap       *self);
void             kiln_memory_map_clear_ticks         (KilnMemoryMap       *self);
const KilnMapSector *kiln_memory_map_get_sector      (KilnMemoryMap       *self,
                                                      guint                index);
/* The tile the keyboard is on (arrows move it; Enter, a double click or
 * the context menu's Show Memory emit "sector-activated"). */
guint            kiln_memory_map_get_focus           (KilnMemoryMap       *self);
void             kiln_memory_map_set_focus           (KilnMemoryMap       *self,
                                                      guint                index);
/* Sector @index in words: its number, addresses, size, state and tick. */
char            *kiln_memory_map_dup_sector_label    (KilnMemoryMap       *self,
                                                      guint                index);
/* Widget coordinates of the middle of sector @index's tile. */
gboolean         kiln_memory_map_get_sector_point    (KilnMemoryMap       *self,
                                                      guint                index,
                                                      double              *x,
                                                      double              *y);
/* The height of what the map draws (tiles, RAM, legend) at its width. */
double           kiln_memory_map_get_drawn_height    (KilnMemoryMap       *self);

G_END_DECLS
