/* kiln-window-file.c — the main window's file: loading, reload, recent files, drop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-window-private.h"

#define MAX_RECENT        10
#define RELOAD_DELAY_MS  300

static void load_file (KilnWindow *self,
                       GFile      *file,
                       gboolean    has_base,
                       guint32     base,
                       gboolean    is_reload);

/* ----------------------------------------------------------- recent files */

static void
update_recent_menu (KilnWindow *self)
{
  g_auto(GStrv) uris = g_settings_get_strv (self->settings, "recent-files");

  g_menu_remove_all (self->recent_section);
  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (uris[i]);
      g_autofree char *name = g_file_get_basename (file);
      g_autoptr(GMenuItem) item = g_menu_item_new (name, NULL);

      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uris[i]);
      g_menu_append_item (self->recent_section, item);
    }
  if (uris[0] == NULL)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Files"), "win.none");
      g_menu_append_item (self->recent_section, item);
    }
}

static void
add_recent (KilnWindow *self,
            GFile      *file)
{
  g_auto(GStrv) uris = g_settings_get_strv (self->settings, "recent-files");
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  g_strv_builder_add (builder, uri);
  for (guint i = 0; uris[i] != NULL && n < MAX_RECENT; i++)
    if (g_strcmp0 (uris[i], uri) != 0)
      {
        g_strv_builder_add (builder, uris[i]);
        n++;
      }
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *) updated);
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));

  kiln_window_open_file (KILN_WINDOW (widget), file);
}

/* ------------------------------------------------------------ file loading */

typedef struct
{
  GFile    *file;
  gboolean  has_base;
  guint32   base;
  gboolean  is_reload;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->file);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autofree char *path = g_file_get_path (data->file);
  g_autoptr(GError) error = NULL;
  KilnImage *image;

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only local files can be opened"));
      return;
    }
  image = kiln_image_load_file (path, KILN_IMAGE_FORMAT_AUTO, data->has_base, data->base, &error);
  if (image == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, image, g_object_unref);
}

static void
show_error (KilnWindow *self,
            GFile      *file,
            GError     *error)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *title = g_strdup_printf (_("%s Cannot Be Used"), name);

  g_free (self->error_text);
  self->error_text = g_strdup (error->message);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->file_stack, "error");
  kiln_window_log_at (self, KILN_LOG_ERROR, "%s", error->message);
}

static void
base_dialog_response (AdwMessageDialog *dialog,
                      const char       *response,
                      KilnWindow       *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  GFile *file = g_object_get_data (G_OBJECT (dialog), "file");
  const char *text = gtk_editable_get_text (entry);
  guint64 base = 0;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "load") != 0)
    return;

  if (!g_ascii_string_to_unsigned (g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X") ? text + 2 : text,
                                   16, 0, G_MAXUINT32, &base, &error))
    {
      g_autoptr(GError) parse_error =
        g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("“%s” is not an address. Enter a hexadecimal address such as 0x08000000."),
                     text);
      show_error (self, file, parse_error);
      return;
    }
  g_settings_set_uint (self->settings, "bin-base-address", (guint32) base);
  load_file (self, file, TRUE, (guint32) base, FALSE);
}

static void
ask_base (KilnWindow *self,
          GFile      *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *body = g_strdup_printf (_("%s is a raw binary: it does not say where in memory it belongs. Enter the address of its first byte (the start of flash is 0x08000000)."), name);
  g_autofree char *initial = g_strdup_printf ("0x%08X", g_settings_get_uint (self->settings, "bin-base-address"));
  GtkWidget *dialog;
  GtkWidget *entry;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Base Address"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "load", _("_Load"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "load",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "load");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), initial);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Base address"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "file", g_object_ref (file), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (base_dialog_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 KilnWindow        *self);

static void
show_image (KilnWindow *self)
{
  g_autofree char *name = g_file_get_basename (self->file);
  g_autofree char *size = g_format_size_full (kiln_image_get_total_size (self->image),
                                              G_FORMAT_SIZE_IEC_UNITS);
  guint n_segments = kiln_image_get_n_segments (self->image);
  g_autofree KilnMapRegion *regions = g_new0 (KilnMapRegion, MAX (n_segments, 1));
  g_autofree char *path = g_file_get_path (self->file);

  /* The name alone on the line of the map's buttons (it has their room
   * left, and shortens in the middle); its size on the line below. */
  gtk_label_set_label (self->file_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_label), path);
  g_free (self->file_detail);
  /* Translators: the loaded file's size, "38.2 KiB in 3 segments" */
  self->file_detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s in %u segment", "%s in %u segments",
                                                    n_segments),
                                       size, n_segments);
  _kiln_window_show_file_line (self);
  adw_window_title_set_subtitle (self->window_title, name);

  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n_segments; i++)
    {
      const KilnImageSegment *seg = kiln_image_get_segment (self->image, i);

      /* An ELF names its segments; the other formats only say where in the
       * file they were, which is no help on a memory map: the addresses. */
      if (kiln_image_get_format (self->image) == KILN_IMAGE_FORMAT_ELF || seg->size == 0)
        regions[i].name = seg->name;
      else
        {
          char *range = g_strdup_printf ("0x%08X–0x%08X", seg->address, (guint32) (seg->address + seg->size - 1));

          g_ptr_array_add (names, range);
          regions[i].name = range;
        }
      regions[i].address = seg->address;
      regions[i].size = seg->size;
    }
  kiln_memory_map_set_segments (self->memory_map, regions, n_segments);
  gtk_stack_set_visible_child_name (self->file_stack, "loaded");
  _kiln_window_update_plan (self);
  _kiln_window_update_actions (self);
}

static void
load_ready (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  KilnWindow *self = KILN_WINDOW (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *name = g_file_get_basename (data->file);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->load_cancellable);

  if (g_error_matches (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_NEEDS_BASE))
    {
      ask_base (self, data->file);
      return;
    }

  g_set_object (&self->file, data->file);
  g_clear_object (&self->monitor);
  self->monitor = g_file_monitor_file (data->file, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (file_changed_cb), self);
  /* Remember the base so that a reload of a raw binary uses it again. */
  g_object_set_data (G_OBJECT (self->file), "kiln-has-base", GUINT_TO_POINTER (data->has_base));
  g_object_set_data (G_OBJECT (self->file), "kiln-base", GUINT_TO_POINTER (data->base));

  if (error != NULL)
    {
      g_clear_object (&self->image);
      show_error (self, data->file, error);
      _kiln_window_update_actions (self);
      return;
    }

  g_set_object (&self->image, image);
  add_recent (self, data->file);
  kiln_window_log (self, _("Loaded %s (%s)"), name,
                   kiln_image_format_to_string (kiln_image_get_format (image)));
  if (data->is_reload)
    {
      g_autofree char *msg = g_strdup_printf (_("Reloaded %s"), name);
      _kiln_window_toast (self, msg);
    }
  show_image (self);
}

static void
load_file (KilnWindow *self,
           GFile      *file,
           gboolean    has_base,
           guint32     base,
           gboolean    is_reload)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  data = g_new0 (LoadData, 1);
  data->file = g_object_ref (file);
  data->has_base = has_base;
  data->base = base;
  data->is_reload = is_reload;

  task = g_task_new (self, self->load_cancellable, load_ready, NULL);
  g_task_set_source_tag (task, load_file);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

void
kiln_window_open_file (KilnWindow *self,
                       GFile      *file)
{
  g_return_if_fail (KILN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  load_file (self, file, FALSE, 0, FALSE);
}

void
kiln_window_open_file_at (KilnWindow *self,
                          GFile      *file,
                          guint32     base)
{
  g_return_if_fail (KILN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  load_file (self, file, TRUE, base, FALSE);
}

static void
reload (KilnWindow *self,
        gboolean    automatic)
{
  gboolean has_base;
  guint32 base;

  if (self->file == NULL)
    return;
  has_base = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self->file), "kiln-has-base"));
  base = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self->file), "kiln-base"));
  load_file (self, self->file, has_base, base, automatic);
}

static gboolean
reload_timeout (gpointer user_data)
{
  KilnWindow *self = user_data;

  self->reload_source = 0;
  reload (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 KilnWindow        *self)
{
  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT &&
      event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_CHANGED)
    return;
  /* A build writes in bursts; wait until it settles. */
  g_clear_handle_id (&self->reload_source, g_source_remove);
  self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_timeout, self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  reload (KILN_WINDOW (widget), FALSE);
}

static void
open_response (GtkNativeDialog *dialog,
               int              response,
               KilnWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      kiln_window_open_file (self, file);
    }
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) firmware = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  const char *patterns[] = { "*.elf", "*.axf", "*.out", "*.hex", "*.ihex", "*.ihx",
                             "*.srec", "*.s19", "*.s28", "*.s37", "*.mot", "*.bin" };

  gtk_file_filter_set_name (firmware, _("Firmware Files"));
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    gtk_file_filter_add_pattern (firmware, patterns[i]);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");

  dialog = gtk_file_chooser_native_new (_("Open Firmware"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), firmware);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         KilnWindow    *self)
{
  GFile *file;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;
  file = g_value_get_object (value);
  kiln_window_open_file (self, file);
  return TRUE;
}

void
_kiln_window_class_init_file (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reload", NULL);
}

void
_kiln_window_init_file (KilnWindow *self)
{
  GtkDropTarget *drop;

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (update_recent_menu), self, G_CONNECT_SWAPPED);
  update_recent_menu (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.none", FALSE);
}
