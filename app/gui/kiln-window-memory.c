/* kiln-window-memory.c — the main window's way into the chip's memory: the
 * memory view (from the menu, or a tile of the map), erasing the sectors
 * ticked on the map, and the one-time-programmable area
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-memory-view-private.h"
#include "kiln-otp-window-private.h"
#include "kiln-window-private.h"

static gboolean
have_live_chip (KilnWindow *self)
{
  return self->probe != NULL && self->session != NULL && self->target != NULL && self->target->chip != NULL;
}

KilnMemoryView *
_kiln_window_show_memory (KilnWindow *self,
                          guint32     address)
{
  if (!have_live_chip (self))
    {
      _kiln_window_toast (self, _("Choose a probe with a chip behind it to see the chip’s memory"));
      return NULL;
    }
  if (self->memory_view == NULL)
    {
      self->memory_view = kiln_memory_view_new (GTK_WINDOW (self), self->session, self->probe,
                                                g_settings_get_uint (self->settings, "swd-clock"),
                                                g_settings_get_boolean (self->settings, "connect-under-reset"),
                                                self->target->chip, self->image);
      g_object_add_weak_pointer (G_OBJECT (self->memory_view), (gpointer *) &self->memory_view);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (self->memory_view), TRUE);
    }
  else
    kiln_memory_view_set_image (self->memory_view, self->image);
  kiln_memory_view_go_to (self->memory_view, address);
  gtk_window_present (GTK_WINDOW (self->memory_view));
  return self->memory_view;
}

static void
memory_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  guint n = kiln_memory_map_get_n_sectors (self->memory_map);
  guint32 address = self->target != NULL && self->target->chip != NULL
                    ? kiln_chip_get_flash_base (self->target->chip) : 0;

  /* The tile the keyboard is on, if the map has one. */
  if (n > 0 && kiln_memory_map_get_focus (self->memory_map) < n)
    address = kiln_memory_map_get_sector (self->memory_map, kiln_memory_map_get_focus (self->memory_map))->address;
  _kiln_window_show_memory (self, address);
}

static void
sector_activated_cb (KilnWindow    *self,
                     guint          index,
                     KilnMemoryMap *map)
{
  _kiln_window_show_memory (self, kiln_memory_map_get_sector (map, index)->address);
}

static void
otp_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  KilnOtpWindow *window;

  if (!have_live_chip (self))
    return;
  window = kiln_otp_window_new (GTK_WINDOW (self), self->session, self->probe,
                                g_settings_get_uint (self->settings, "swd-clock"),
                                g_settings_get_boolean (self->settings, "connect-under-reset"));
  gtk_window_present (GTK_WINDOW (window));
}

/* ------------------------------------------------- erase ticked sectors */

static void
ticks_changed_cb (KilnWindow *self)
{
  guint n = kiln_memory_map_get_n_ticked (self->memory_map);
  g_autofree char *label = NULL;

  /* Translators: the button that erases the sectors ticked on the map */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Erase %u Sector…", "_Erase %u Sectors…", n), n);
  gtk_button_set_label (self->erase_ticked_button, label);
  gtk_widget_set_visible (GTK_WIDGET (self->erase_ticked_button), n > 0);
  if (gtk_toggle_button_get_active (self->select_button) != kiln_memory_map_get_selecting (self->memory_map))
    gtk_toggle_button_set_active (self->select_button, kiln_memory_map_get_selecting (self->memory_map));
}

static void
select_toggled_cb (KilnWindow *self)
{
  kiln_memory_map_set_selecting (self->memory_map, gtk_toggle_button_get_active (self->select_button));
  if (gtk_toggle_button_get_active (self->select_button))
    gtk_widget_grab_focus (GTK_WIDGET (self->memory_map));
}

static void
erase_ticked_response (AdwMessageDialog *dialog,
                       const char       *response,
                       KilnWindow       *self)
{
  if (g_strcmp0 (response, "erase") != 0)
    return;
  kiln_memory_map_set_selecting (self->memory_map, FALSE);
  _kiln_window_erase_sectors (self, g_object_get_data (G_OBJECT (dialog), "kiln-sectors"));
}

static void
erase_ticked_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  g_autoptr(GString) list = g_string_new (NULL);
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GString) locked = g_string_new (NULL);
  guint n = 0, n_locked = 0;
  guint64 bytes = 0;
  GtkWidget *dialog;

  for (guint i = 0; i < kiln_memory_map_get_n_sectors (self->memory_map); i++)
    {
      const KilnMapSector *s = kiln_memory_map_get_sector (self->memory_map, i);
      g_autofree char *size = NULL;

      if (!kiln_memory_map_get_ticked (self->memory_map, i))
        continue;
      if (self->target != NULL && self->target->chip == self->chip && kiln_identify_job_is_protected (self->target, i))
        {
          g_string_append_printf (locked, "%s%u", locked->len ? ", " : "", s->number);
          n_locked++;
        }
      size = g_format_size_full (s->size, G_FORMAT_SIZE_IEC_UNITS);
      g_string_append_printf (list, "%s%u", list->len ? "," : "", s->number);
      /* Translators: one line of the list of sectors to erase */
      g_string_append_printf (lines, _("\n• Sector %u: 0x%08X – 0x%08X (%s)"), s->number, s->address,
                              (guint32) (s->address + s->size - 1), size);
      bytes += s->size;
      n++;
    }
  if (n == 0)
    return;

  if (n_locked > 0)
    {
      /* Translators: %s is a sector number or a list of them ("1, 3") */
      g_autofree char *body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Sector %s is write-protected, so it cannot be erased. Untick "
                                                            "it, or remove its protection in Option Bytes first.",
                                                            "Sectors %s are write-protected, so they cannot be erased. "
                                                            "Untick them, or remove their protection in Option Bytes "
                                                            "first.", n_locked), locked->str);

      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Nothing Was Erased"), body);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      kiln_window_log_at (self, KILN_LOG_WARNING, _("Erase refused: write-protected sectors %s are ticked"), locked->str);
      return;
    }

  {
    g_autofree char *size = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
    g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Erase %u Sector?", "Erase %u Sectors?", n), n);
    /* Translators: %s is a size ("64.0 KiB"); the list of sectors follows */
    g_autofree char *body = g_strdup_printf (_("Erasing removes what these sectors hold (%s); the other sectors are "
                                               "left as they are.%s"), size, lines->str);

    dialog = adw_message_dialog_new (GTK_WINDOW (self), title, body);
  }
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "erase", _("_Erase"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "erase", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "kiln-sectors", g_strdup (list->str), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (erase_ticked_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_kiln_window_class_init_memory (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, select_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, erase_ticked_button);
  gtk_widget_class_install_action (widget_class, "win.memory", NULL, memory_action);
  gtk_widget_class_install_action (widget_class, "win.erase-ticked", NULL, erase_ticked_action);
  gtk_widget_class_install_action (widget_class, "win.otp", NULL, otp_action);
}

void
_kiln_window_init_memory (KilnWindow *self)
{
  g_signal_connect_object (self->memory_map, "sector-activated", G_CALLBACK (sector_activated_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->memory_map, "ticks-changed", G_CALLBACK (ticks_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->select_button, "toggled", G_CALLBACK (select_toggled_cb), self,
                           G_CONNECT_SWAPPED);
  ticks_changed_cb (self);
}

void
_kiln_window_dispose_memory (KilnWindow *self)
{
  if (self->memory_view != NULL)
    gtk_window_destroy (GTK_WINDOW (self->memory_view));
}
