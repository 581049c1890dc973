/* kiln-memory-map-internal.h — what the map's two files share: its state
 * (kiln-memory-map.c: the model, the layout, the API) and its drawing
 * (kiln-memory-map-draw.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-memory-map-private.h"

G_BEGIN_DECLS

#define ROW_LABEL_WIDTH   64.0
#define SECTOR_HEIGHT     62.0
#define SECTOR_MIN_WIDTH  46.0
#define LANE_HEIGHT       24.0
#define ROW_GAP           10.0
#define RAM_HEIGHT        30.0
#define LEGEND_ROW        24.0
#define ICON_SIZE         16.0

typedef struct
{
  KilnMapSector   sector;
  KilnSectorState state;
  char           *reason;
  graphene_rect_t rect;
  gboolean        word_shown;   /* the state's word fitted when last drawn */
  graphene_rect_t word_rect;    /* where it was drawn */
  graphene_rect_t corner_rect;  /* the icon's or the tick box's place */
  gboolean        ticked;       /* chosen for Erase Sectors */
} Sector;

typedef struct
{
  char            *name;
  guint32          address;
  guint32          size;
  graphene_rect_t  rect;   /* RAM regions: where it was last drawn */
} Region;

struct _KilnMemoryMap
{
  GtkWidget  parent_instance;

  GArray    *sectors;   /* of Sector */
  GArray    *ram;       /* of Region */
  GArray    *segments;  /* of Region */
  guint      n_banks;
  double     sector_height;  /* SECTOR_HEIGHT, or taller when there is room */
  double     widest_word;    /* the longest state word's width, or -1 */
  double     widest_legend;  /* the longest legend description's, or -1 */
  guint      focus;      /* the tile the keyboard is on */
  gboolean   selecting;  /* tiles carry a tick box */
  GtkWidget *menu;       /* the tiles' context menu */
};

char    *_kiln_memory_map_format_size     (guint64        size);
gboolean _kiln_memory_map_overlaps        (guint32        a,
                                           guint32        a_size,
                                           guint32        b,
                                           guint32        b_size);
/* Whether @segment lands in a flash sector or a RAM region of the chip. */
gboolean _kiln_memory_map_segment_inside (KilnMemoryMap *self,
                                          const Region  *segment);
/* How many legend entries go in a row at @width. */
guint    _kiln_memory_map_legend_columns  (KilnMemoryMap *self,
                                           double         width);
/* Lays the sectors of each bank out across @width; stores the rectangles. */
void     _kiln_memory_map_compute_layout  (KilnMemoryMap *self,
                                           double         width);
/* x position of @address inside the row of @bank, or -1 if not in it. */
double   _kiln_memory_map_address_to_x    (KilnMemoryMap *self,
                                           guint          bank,
                                           guint64        address);
/* The sector whose tile (or lane under it) holds (@x, @y), or -1. */
int      _kiln_memory_map_sector_at       (KilnMemoryMap *self,
                                           double         x,
                                           double         y);
void     _kiln_memory_map_update_accessible (KilnMemoryMap *self);
/* kiln-memory-map-input.c: focus, keys, clicks, the context menu */
void     _kiln_memory_map_class_init_input (GtkWidgetClass *widget_class);
void     _kiln_memory_map_init_input      (KilnMemoryMap *self);
/* kiln-memory-map-draw.c: GtkWidget.snapshot */
void     _kiln_memory_map_snapshot        (GtkWidget     *widget,
                                           GtkSnapshot   *snapshot);

G_END_DECLS
