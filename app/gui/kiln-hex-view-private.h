/* kiln-hex-view-private.h — rows of a memory range as hex and ASCII (the
 * chip's bytes) beside the loaded file's bytes at the same addresses, with
 * the bytes that differ highlighted; drawn row by row, only the rows in
 * sight, so a 2 MiB flash costs no more than a page of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KILN_TYPE_HEX_VIEW (kiln_hex_view_get_type ())

G_DECLARE_FINAL_TYPE (KilnHexView, kiln_hex_view, KILN, HEX_VIEW, GtkWidget)

GtkWidget     *kiln_hex_view_new             (void);
/* The range shown; forgets every byte read and the file's bytes. */
void           kiln_hex_view_set_range       (KilnHexView   *self,
                                              guint32        base,
                                              guint32        length);
guint32        kiln_hex_view_get_base        (KilnHexView   *self);
guint32        kiln_hex_view_get_length      (KilnHexView   *self);
/* The chip's bytes at @address, as read. */
void           kiln_hex_view_set_chip_bytes  (KilnHexView   *self,
                                              guint32        address,
                                              const guint8  *data,
                                              gsize          length);
/* The file's bytes at @address (the others stay "not in the file"). */
void           kiln_hex_view_set_file_bytes  (KilnHexView   *self,
                                              guint32        address,
                                              const guint8  *data,
                                              gsize          length);
/* Whether every chip byte of [@address, @address + @length) was read. */
gboolean       kiln_hex_view_is_read         (KilnHexView   *self,
                                              guint32        address,
                                              guint32        length);
/* The chip's bytes as read (length kiln_hex_view_get_length()). */
const guint8  *kiln_hex_view_get_chip_data   (KilnHexView   *self);
/* Forgets every chip byte read (the chip changed); the file's bytes, the
 * cursor and the scroll stay. */
void           kiln_hex_view_forget_chip_bytes (KilnHexView *self);
/* Whether the file has every byte of [@address, @address + @length). */
gboolean       kiln_hex_view_is_in_file      (KilnHexView   *self,
                                              guint32        address,
                                              guint32        length);
/* The file's bytes (length kiln_hex_view_get_length(); where the file has
 * none, zero). */
const guint8  *kiln_hex_view_get_file_data   (KilnHexView   *self);
/* Bytes read that the file holds with another value. */
guint          kiln_hex_view_get_n_differences (KilnHexView *self);
/* The first differing byte after @address (wrapping), or FALSE. */
gboolean       kiln_hex_view_find_difference (KilnHexView   *self,
                                              guint32        address,
                                              guint32       *found);
/* Moves the cursor to @address and scrolls it into sight. */
void           kiln_hex_view_set_cursor      (KilnHexView   *self,
                                              guint32        address);
guint32        kiln_hex_view_get_cursor      (KilnHexView   *self);
/* Highlights @length bytes at @address (a search's match); 0: none. */
void           kiln_hex_view_set_match       (KilnHexView   *self,
                                              guint32        address,
                                              guint32        length);
/* The first and last address of the rows in sight. */
void           kiln_hex_view_get_visible     (KilnHexView   *self,
                                              guint32       *first,
                                              guint32       *last);
GtkAdjustment *kiln_hex_view_get_adjustment  (KilnHexView   *self);
/* The cursor's byte in words: "0x08000010: chip 0x12, file 0x34, differs". */
char          *kiln_hex_view_dup_cursor_text (KilnHexView   *self);
/* Whether the byte at @address is drawn as differing from the file. */
gboolean       kiln_hex_view_differs_at      (KilnHexView   *self,
                                              guint32        address);
/* The row at @address as drawn (address, hex, ASCII, file), for tests. */
char          *kiln_hex_view_dup_row_text    (KilnHexView   *self,
                                              guint32        address);
/* Widget coordinates of the middle of the chip byte at @address, if it is in
 * sight. */
gboolean       kiln_hex_view_get_byte_point  (KilnHexView   *self,
                                              guint32        address,
                                              double        *x,
                                              double        *y);

G_END_DECLS
