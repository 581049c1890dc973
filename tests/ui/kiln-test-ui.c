/* kiln-test-ui.c — the main loop and pictures for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "kiln-test-ui.h"

void
kiln_test_ui_init (int    *argc,
                   char ***argv)
{
  const char *localedir = g_getenv ("KILN_TEST_LOCALEDIR");
  GdkDisplay *display;

  if (localedir != NULL)
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  gtk_test_init (argc, argv, NULL);
  /* Screenshots in another language (tests/ui/screenshots-de.sh): the
   * tests' checks of English words would stop them before their pictures. */
  if (g_getenv ("KILN_TEST_SCREENSHOTS_ONLY") != NULL)
    g_test_set_nonfatal_assertions ();
  adw_init ();
  /* Each test has its own X server: no key repeats on it. On a loaded
   * machine xdotool's release of a key can come after the server's repeat
   * delay, and one key would type several characters. */
  display = gdk_display_get_default ();
  if (GDK_IS_X11_DISPLAY (display))
    {
      XAutoRepeatOff (gdk_x11_display_get_xdisplay (display));
      gdk_display_sync (display);
    }
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
}

void
kiln_test_ui_register (GApplication *app)
{
  g_application_register (app, NULL, NULL);
  g_application_set_default (app);
}

AdwApplication *
kiln_test_ui_application (const char *id)
{
  AdwApplication *app = g_object_new (ADW_TYPE_APPLICATION,
                                      "application-id", id,
                                      "flags", G_APPLICATION_NON_UNIQUE,
                                      "resource-base-path", "/org/kiln/Kiln",
                                      NULL);

  kiln_test_ui_register (G_APPLICATION (app));
  return app;
}

static gboolean
set_done (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
kiln_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* KILN_TEST_SLOWDOWN (set by the sanitizer setup) stretches @timeout_ms,
 * as meson stretches the test's own timeout. */
gboolean
kiln_test_spin_until (KilnTestCondition cond,
                      gpointer          data,
                      guint             timeout_ms)
{
  const char *slowdown = g_getenv ("KILN_TEST_SLOWDOWN");
  gint64 factor = slowdown != NULL ? MAX (1, g_ascii_strtoll (slowdown, NULL, 10)) : 1;
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000 * factor;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

typedef struct
{
  GtkWidget *widget;
  guint      painted;
} Drawn;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  ((Drawn *) data)->painted++;
}

static gboolean
drawn (gpointer data)
{
  Drawn *d = data;

  return d->painted > 0 && gtk_widget_get_mapped (d->widget)
         && gtk_widget_get_width (d->widget) > 0 && gtk_widget_get_height (d->widget) > 0;
}

static gboolean
has_clock (gpointer data)
{
  return gtk_widget_get_frame_clock (data) != NULL;
}

void
kiln_test_wait_drawn (GtkWidget *widget)
{
  Drawn d = { widget, 0 };
  GdkFrameClock *clock;
  gulong id;

  /* A window is drawn once it is mapped; its frame clock comes with it. */
  g_assert_true (kiln_test_spin_until (has_clock, widget, 30000));
  clock = gtk_widget_get_frame_clock (widget);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &d);
  gtk_widget_queue_draw (widget);
  /* The frame that paints what the caller just changed, then one more so
   * that a relayout it caused is drawn too. */
  g_assert_true (kiln_test_spin_until (drawn, &d, 30000));
  d.painted = 0;
  gtk_widget_queue_draw (widget);
  g_assert_true (kiln_test_spin_until (drawn, &d, 30000));
  g_signal_handler_disconnect (clock, id);
}

void
kiln_test_save_screenshot (GtkWidget  *widget,
                           const char *name)
{
  const char *dir = g_getenv ("KILN_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  kiln_test_wait_drawn (widget);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  if (node == NULL)
    g_error ("no picture of %s: mapped %d, %d×%d", name, gtk_widget_get_mapped (widget), width, height);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

GtkWidget *
kiln_test_find_widget (GtkWidget           *root,
                       KilnTestWidgetMatch  match,
                       gconstpointer        data)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found;

      if (match (w, data))
        return w;
      if ((found = kiln_test_find_widget (w, match, data)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_type (GtkWidget     *widget,
         gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, (GType) GPOINTER_TO_SIZE (type));
}

GtkWidget *
kiln_test_find_type (GtkWidget *root,
                     GType      type)
{
  return kiln_test_find_widget (root, is_type, GSIZE_TO_POINTER (type));
}

static gboolean
has_action (GtkWidget     *widget,
            gconstpointer  action)
{
  return GTK_IS_ACTIONABLE (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

GtkWidget *
kiln_test_find_actionable (GtkWidget  *root,
                           const char *action)
{
  return kiln_test_find_widget (root, has_action, action);
}

GtkWindow *
kiln_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
toplevel_there (gpointer type)
{
  return kiln_test_find_toplevel ((GType) GPOINTER_TO_SIZE (type)) != NULL;
}

GtkWindow *
kiln_test_wait_toplevel (GType type,
                         guint timeout_ms)
{
  g_assert_true (kiln_test_spin_until (toplevel_there, GSIZE_TO_POINTER (type), timeout_ms));
  kiln_test_wait_drawn (GTK_WIDGET (kiln_test_find_toplevel (type)));
  return kiln_test_find_toplevel (type);
}
