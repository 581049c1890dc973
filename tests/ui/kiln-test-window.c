/* kiln-test-window.c — what the window tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kiln-test-window.h"

KilnWindow *
kiln_test_window_new (int width,
                      int height)
{
  KilnWindow *window = kiln_window_new (ADW_APPLICATION (g_application_get_default ()));

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  kiln_test_spin (200);
  return window;
}

static char *
use_bench (const char  *hold,
           const char  *board,
           char       **hold_file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-ui-bench-XXXXXX", &error);
  g_autofree char *ini = NULL;
  g_autofree char *state = NULL;
  g_autofree char *bench = NULL;
  g_autofree char *config = NULL;

  g_assert_no_error (error);
  ini = g_build_filename (dir, "sim.ini", NULL);
  state = g_build_filename (dir, "state", NULL);
  if (hold != NULL)
    {
      *hold_file = g_build_filename (dir, "held", NULL);
      bench = g_strdup_printf ("[bench]\nhold=%s\nhold-file=%s\n", hold, *hold_file);
    }
  config = g_strdup_printf ("%s[probe]\n[board]\nstate=%s\n%s", bench != NULL ? bench : "", state, board);
  g_assert_true (g_file_set_contents (ini, config, -1, NULL));
  g_setenv ("KILN_SIM", ini, TRUE);
  return g_build_filename (state, "flash.bin", NULL);
}

char *
kiln_test_use_bench (const char *board)
{
  return use_bench (NULL, board, NULL);
}

char *
kiln_test_use_bench_held (const char  *hold,
                          const char  *board,
                          char       **hold_file)
{
  return use_bench (hold, board, hold_file);
}

void
kiln_test_release (const char *hold_file)
{
  g_assert_true (g_file_test (hold_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (hold_file), ==, 0);
}

char *
kiln_test_write_temp (const char *name,
                      const void *contents,
                      gsize       len)
{
  g_autofree char *dir = g_dir_make_tmp ("kiln-ui-XXXXXX", NULL);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  return path;
}

char *
kiln_test_pattern (gsize size)
{
  char *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (char) (i * 13 + (i >> 10));
  return data;
}

static gboolean
identified (gpointer data)
{
  return _kiln_window_get_target_uid (data) != NULL && !_kiln_window_is_identifying (data);
}

void
kiln_test_wait_identified (KilnWindow *window)
{
  g_assert_true (kiln_test_spin_until (identified, window, 30000));
  kiln_test_spin (50);
}

static gboolean
not_loading (gpointer data)
{
  return !_kiln_window_is_loading (data);
}

void
kiln_test_wait_loaded (KilnWindow *window)
{
  g_assert_true (kiln_test_spin_until (not_loading, window, 10000));
  kiln_test_spin (50);
}

void
kiln_test_load (KilnWindow *window,
                const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  kiln_window_open_file (window, file);
  g_assert_true (kiln_test_spin_until (not_loading, window, 10000));
  kiln_test_spin (100);
}

gboolean
kiln_test_has_result (gpointer window)
{
  const char *text = _kiln_window_get_result_text (window);

  return text != NULL && *text != '\0';
}

gboolean
kiln_test_file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
kiln_test_all_erased (const char *flash_path)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (flash_path, &contents, &length, NULL));
  for (gsize i = 0; i < length; i++)
    if ((guint8) contents[i] != 0xFF)
      return FALSE;
  return TRUE;
}

GtkWindow *
kiln_test_find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;  /* still referenced by the toplevel list */
    }
  return NULL;
}

gboolean
kiln_test_dialog_shown (gpointer unused)
{
  return kiln_test_find_message_dialog () != NULL;
}

KilnOptionBytesWindow *
kiln_test_find_option_bytes_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (KILN_IS_OPTION_BYTES_WINDOW (w))
        return KILN_OPTION_BYTES_WINDOW (w);
    }
  return NULL;
}

const char *
kiln_test_fixture_elf (void)
{
  const char *path = g_getenv ("KILN_FIXTURE_ELF");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  return path;
}

void
kiln_test_close (KilnWindow *window,
                 const char *flash_path)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (kiln_test_spin_until (kiln_test_file_exists, (gpointer) flash_path, 10000));
  g_unsetenv ("KILN_SIM");
}

gboolean
kiln_test_sector_is (gpointer data)
{
  KilnTestSectorIs *w = data;

  return kiln_memory_map_get_sector_state (_kiln_window_get_memory_map (w->window), w->sector) == w->state;
}
