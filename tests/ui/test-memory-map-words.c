/* test-memory-map-words.c — every state word of the memory map drawn whole
 * inside its tile and clear of the tile's icon or tick box, on every tile
 * size of the F746, F767 (one bank and two) and F4 (F407, F429) maps, at
 * 1024×600 and 1920×1080, with and without Select Sectors. The build runs
 * it twice: in English and in German (memory-map-words-de). The legend's
 * descriptions are checked whole as well.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "kiln-test-input.h"
#include "kiln-test-window.h"

typedef struct
{
  const char *name;
  const char *bench;      /* the bench's board lines */
  guint       n_sectors;
} Board;

static const Board boards[] = {
  { "STM32F746NG",           "",                                 8 },
  { "STM32F767ZI one bank",  "chip=STM32F767ZI\n",              12 },
  { "STM32F767ZI two banks", "chip=STM32F767ZI\nndbank=0\n",    24 },
  { "STM32F407VG",           "chip=STM32F407VG\n",              12 },
  { "STM32F429ZI",           "chip=STM32F429ZI\n",              24 },
};

static const struct
{
  int width;
  int height;
} sizes[] = { { 1024, 600 }, { 1920, 1080 } };

/* The states a tile can be drawn in; KILN_SECTOR_STATE_PLANNED is "write". */
static const KilnSectorState states[] = {
  KILN_SECTOR_STATE_UNTOUCHED, KILN_SECTOR_STATE_PLANNED, KILN_SECTOR_STATE_UNCHANGED,
  KILN_SECTOR_STATE_PROTECTED, KILN_SECTOR_STATE_ERASING, KILN_SECTOR_STATE_WRITING,
  KILN_SECTOR_STATE_VERIFYING, KILN_SECTOR_STATE_VERIFIED, KILN_SECTOR_STATE_FAILED,
  KILN_SECTOR_STATE_BLANK, KILN_MAP_STATE_ERASED,
};

/* In the German run the words must be German: a test that fell back to
 * English would measure the wrong words. */
static void
assert_language (void)
{
  const char *language = g_getenv ("KILN_TEST_EXPECT_LANGUAGE");

  if (g_strcmp0 (language, "de") == 0)
    g_assert_cmpstr (kiln_memory_map_state_word (KILN_SECTOR_STATE_PLANNED), !=, "write");
  else
    g_assert_cmpstr (kiln_memory_map_state_word (KILN_SECTOR_STATE_PLANNED), ==, "write");
}

typedef struct
{
  guint left_out;   /* words that did not fit a tile and were not drawn */
  guint drawn;
  guint smaller;    /* of those drawn, drawn a size smaller */
  guint planned_left_out;
} Count;

/* Every tile of @map in @state, drawn: each word drawn is as wide as Pango
 * lays it out, inside its tile, and touches neither the icon nor the tick
 * box; a word is left out only when Pango's width exceeds the tile's. */
static void
measure_state (KilnWindow     *window,
               KilnMemoryMap  *map,
               KilnSectorState state,
               const char     *what,
               Count          *count)
{
  const char *word = kiln_memory_map_state_word (state);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (map), word);
  g_autoptr(PangoLayout) small = gtk_widget_create_pango_layout (GTK_WIDGET (map), word);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
  int normal_w, normal_h, small_w, small_h;

  pango_layout_get_pixel_size (layout, &normal_w, &normal_h);
  /* A narrow tile may draw the word a size smaller. */
  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (small, attrs);
  pango_layout_get_pixel_size (small, &small_w, &small_h);
  for (guint i = 0; i < kiln_memory_map_get_n_sectors (map); i++)
    kiln_memory_map_set_sector_state (map, i, state, NULL);
  kiln_test_wait_drawn (GTK_WIDGET (window));

  for (guint i = 0; i < kiln_memory_map_get_n_sectors (map); i++)
    {
      graphene_rect_t tile, at = GRAPHENE_RECT_INIT (0, 0, 0, 0), corner, drawn;
      /* The tile's border and 4 px of padding on each side. */
      double room;
      int word_w, word_h;
      gboolean shown = kiln_memory_map_get_word_bounds (map, i, &tile, &at, &corner);

      room = tile.size.width - 8;
      word_w = normal_w <= room ? normal_w : small_w;
      word_h = normal_w <= room ? normal_h : small_h;
      if (!shown)
        {
          if (word_w <= room)
            g_error ("%s: sector %u (%.0f px wide) left out \"%s\" (%d px) though it fits",
                     what, i, tile.size.width, word, word_w);
          g_test_message ("%s: sector %u (%.0f px) has no room for \"%s\" (%d px, %d px smaller)",
                          what, i, tile.size.width, word, normal_w, small_w);
          count->left_out++;
          if (state == KILN_SECTOR_STATE_PLANNED)
            count->planned_left_out++;
          continue;
        }
      count->drawn++;
      if (word_w != normal_w)
        count->smaller++;
      /* The map drew the word at the size that fits, as wide as Pango lays
       * it out there. */
      g_assert_cmpfloat_with_epsilon (at.size.width, word_w, 0.5);
      /* What Pango lays out for the word, where the map put it. */
      graphene_rect_init (&drawn, at.origin.x, at.origin.y, word_w, word_h);
      if (drawn.origin.x < tile.origin.x + 1
          || drawn.origin.x + drawn.size.width > tile.origin.x + tile.size.width - 1
          || drawn.origin.y + drawn.size.height > tile.origin.y + tile.size.height - 1)
        g_error ("%s: sector %u: \"%s\" (%d px at x %.0f) runs out of its tile (x %.0f–%.0f)",
                 what, i, word, word_w, drawn.origin.x, tile.origin.x, tile.origin.x + tile.size.width);
      if (graphene_rect_intersection (&drawn, &corner, NULL))
        g_error ("%s: sector %u: \"%s\" (x %.0f–%.0f, y %.0f–%.0f) is under the %s (x %.0f–%.0f, y %.0f–%.0f)",
                 what, i, word, drawn.origin.x, drawn.origin.x + drawn.size.width,
                 drawn.origin.y, drawn.origin.y + drawn.size.height,
                 kiln_memory_map_get_selecting (map) ? "tick box" : "icon",
                 corner.origin.x, corner.origin.x + corner.size.width,
                 corner.origin.y, corner.origin.y + corner.size.height);
    }
}

static void
test_words (void)
{
  assert_language ();
  for (guint b = 0; b < G_N_ELEMENTS (boards); b++)
    for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
      {
        g_autofree char *flash_path = kiln_test_use_bench (boards[b].bench);
        gsize size = 16 * 1024;
        g_autofree char *data = kiln_test_pattern (size);
        g_autofree char *path = kiln_test_write_temp ("app.bin", data, size);
        g_autoptr(GFile) file = g_file_new_for_path (path);
        KilnWindow *window = kiln_test_window_new (sizes[z].width, sizes[z].height);
        KilnMemoryMap *map = _kiln_window_get_memory_map (window);
        Count count = { 0, };

        kiln_test_wait_identified (window);
        kiln_window_open_file_at (window, file, 0x08000000);
        kiln_test_wait_loaded (window);
        _kiln_window_set_log_expanded (window, TRUE);
        kiln_test_wait_drawn (GTK_WIDGET (window));
        g_assert_cmpuint (kiln_memory_map_get_n_sectors (map), ==, boards[b].n_sectors);

        for (guint mode = 0; mode < 2; mode++)
          {
            if (mode == 1)
              {
                /* Select Sectors, as a person presses it. */
                kiln_test_input_click (GTK_WIDGET (window->select_button));
                g_assert_true (kiln_memory_map_get_selecting (map));
                kiln_memory_map_set_ticked (map, 0, TRUE);
              }
            for (guint st = 0; st < G_N_ELEMENTS (states); st++)
              {
                g_autofree char *what = g_strdup_printf ("%s at %d×%d%s", boards[b].name,
                                                         sizes[z].width, sizes[z].height,
                                                         mode == 1 ? ", Select Sectors" : "");

                measure_state (window, map, states[st], what, &count);
              }
          }
        /* The legend's descriptions are drawn whole too. */
        for (guint st = 0; st < G_N_ELEMENTS (states); st++)
          {
            const char *text = kiln_memory_map_describe_state (states[st]);
            g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (map), text);
            double room = gtk_widget_get_width (GTK_WIDGET (map)) / (double) kiln_memory_map_get_legend_columns (map) - 30;
            int w, h;

            pango_layout_get_pixel_size (layout, &w, &h);
            if (w > room)
              g_error ("%s at %d×%d: the legend's \"%s\" (%d px) is cut to %.0f px",
                       boards[b].name, sizes[z].width, sizes[z].height, text, w, room);
          }
        g_test_message ("%s at %d×%d: %u words drawn whole (%u a size smaller), %u left out for want of room",
                        boards[b].name, sizes[z].width, sizes[z].height, count.drawn, count.smaller,
                        count.left_out);
        /* The plan's word is what Select Sectors is about: it is on every
         * tile, however narrow. */
        g_assert_cmpuint (count.planned_left_out, ==, 0);
        /* At 1920×1080 every tile has room for every word, and at 1024×600
         * on the F746's eight sectors. */
        if (sizes[z].width == 1920 || boards[b].n_sectors == 8)
          g_assert_cmpuint (count.left_out, ==, 0);
        if ((b == 0 || b == 4) && g_strcmp0 (g_getenv ("KILN_TEST_EXPECT_LANGUAGE"), "de") == 0)
          {
            for (guint i = 0; i < kiln_memory_map_get_n_sectors (map); i++)
              kiln_memory_map_set_sector_state (map, i, i < 3 ? KILN_SECTOR_STATE_PLANNED
                                                              : KILN_SECTOR_STATE_UNTOUCHED, NULL);
            gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (
                GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (map), GTK_TYPE_SCROLLED_WINDOW))), 0);
            kiln_test_wait_drawn (GTK_WIDGET (window));
            {
              g_autofree char *name = g_strdup_printf ("de-select-%s-%dx%d.png", b == 0 ? "f746" : "f429",
                                                       sizes[z].width, sizes[z].height);

              kiln_test_save_screenshot (GTK_WIDGET (window), name);
            }
          }
        kiln_test_close (window, flash_path);
        g_unlink (path);
      }
}

int
main (int    argc,
      char **argv)
{
  kiln_test_ui_init (&argc, &argv);
  g_test_add_func ("/Kiln/UI/memory-map/words", test_words);
  return g_test_run ();
}
