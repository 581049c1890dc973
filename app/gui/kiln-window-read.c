/* kiln-window-read.c — Read…: a range of the chip's flash or RAM into a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-window-private.h"

char *
_kiln_window_dup_read_name (KilnWindow *self,
                            guint32     address,
                            guint32     length)
{
  g_autofree char *chip = g_strdup (self->chip != NULL ? kiln_chip_get_name (self->chip) : "kiln");
  gboolean whole = self->chip != NULL && address == kiln_chip_get_flash_base (self->chip)
                   && length == kiln_chip_get_flash_size (self->chip);

  /* A chip's name may hold a slash ("STM32F74x/F75x"): a file name may not. */
  g_strdelimit (chip, "/\\:*?\"<>| ", '-');
  if (whole)
    return g_strdup_printf ("%s-flash.bin", chip);
  return g_strdup_printf ("%s-%08X-%08X.bin", chip, address, (guint32) (address + length - 1));
}

static gboolean
parse_number (const char *text,
              guint64    *value)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  guint64 scale = 1;
  gsize n = strlen (t);
  int base = 10;

  if (n > 0 && (t[n - 1] == 'K' || t[n - 1] == 'k'))
    scale = 1024, t[--n] = '\0';
  else if (n > 0 && (t[n - 1] == 'M' || t[n - 1] == 'm'))
    scale = 1024 * 1024, t[--n] = '\0';
  if (g_str_has_prefix (t, "0x") || g_str_has_prefix (t, "0X"))
    base = 16, memmove (t, t + 2, n - 1), n -= 2;
  if (n == 0 || !g_ascii_string_to_unsigned (t, base, 0, G_MAXUINT32, value, NULL))
    return FALSE;
  *value *= scale;
  return TRUE;
}

gboolean
_kiln_window_parse_range (KilnWindow  *self,
                          const char  *address_text,
                          const char  *length_text,
                          guint32     *address,
                          guint32     *length,
                          GError     **error)
{
  guint64 a, n;

  if (!parse_number (address_text, &a))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an address. Enter a hexadecimal address such as 0x08000000."), address_text);
      return FALSE;
    }
  if (!parse_number (length_text, &n) || n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a length. Enter a number of bytes such as 0x10000, 65536 or 64K."), length_text);
      return FALSE;
    }
  if (self->chip != NULL)
    {
      guint32 base = kiln_chip_get_flash_base (self->chip);
      guint64 size = kiln_chip_get_flash_size (self->chip);
      gboolean inside = a >= base && a + n <= base + size;

      for (guint i = 0; !inside && i < kiln_chip_get_n_ram (self->chip); i++)
        {
          const KilnMemRegion *r = kiln_chip_get_ram (self->chip, i);

          inside = a >= r->address && a + n <= (guint64) r->address + r->size;
        }
      if (!inside)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("0x%08X to 0x%08X is not all in the chip’s flash (0x%08X to 0x%08X) or in one of its RAM "
                         "regions. Enter a range inside one of them."),
                       (guint32) a, (guint32) (a + n - 1), base, (guint32) (base + size - 1));
          return FALSE;
        }
    }
  *address = (guint32) a;
  *length = (guint32) n;
  return TRUE;
}

static void
file_response (GtkNativeDialog *dialog,
               int              response,
               KilnWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      guint32 address = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "kiln-address"));
      guint32 length = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "kiln-length"));

      _kiln_window_read_range_to_file (self, file, address, length);
    }
  g_object_unref (dialog);
}

static void
choose_file (KilnWindow *self,
             guint32     address,
             guint32     length)
{
  g_autofree char *name = _kiln_window_dup_read_name (self, address, length);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Read to File"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Read"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_object_set_data (G_OBJECT (dialog), "kiln-address", GUINT_TO_POINTER (address));
  g_object_set_data (G_OBJECT (dialog), "kiln-length", GUINT_TO_POINTER (length));
  g_signal_connect (dialog, "response", G_CALLBACK (file_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
range_response (AdwMessageDialog *dialog,
                const char       *response,
                KilnWindow       *self)
{
  GtkEditable *address_entry = g_object_get_data (G_OBJECT (dialog), "kiln-address");
  GtkEditable *length_entry = g_object_get_data (G_OBJECT (dialog), "kiln-length");
  g_autoptr(GError) error = NULL;
  guint32 address, length;

  if (g_strcmp0 (response, "next") != 0)
    return;
  if (!_kiln_window_parse_range (self, gtk_editable_get_text (address_entry), gtk_editable_get_text (length_entry),
                                 &address, &length, &error))
    {
      GtkWidget *refusal = adw_message_dialog_new (GTK_WINDOW (self), _("Nothing Was Read"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (refusal), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (refusal));
      return;
    }
  choose_file (self, address, length);
}

static GtkWidget *
range_row (GtkWidget  *grid,
           int         row,
           const char *title,
           const char *text)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (title);
  GtkWidget *entry = gtk_entry_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_grid_attach (GTK_GRID (grid), label, 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), entry, 1, row, 1, 1);
  return entry;
}

/* Read…: the range first (the whole flash unless changed), then the file. */
static void
read_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KilnWindow *self = KILN_WINDOW (widget);
  g_autofree char *address = NULL;
  g_autofree char *length = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog, *grid;

  if (self->chip == NULL)
    return;
  address = g_strdup_printf ("0x%08X", kiln_chip_get_flash_base (self->chip));
  length = g_strdup_printf ("0x%X", kiln_chip_get_flash_size (self->chip));
  g_string_append (body, _("Read the whole flash, or any range of the flash or RAM. Lengths may be given in bytes "
                           "(65536 or 0x10000) or with K or M (64K)."));
  for (guint i = 0; i < kiln_chip_get_n_ram (self->chip); i++)
    {
      const KilnMemRegion *r = kiln_chip_get_ram (self->chip, i);

      g_string_append_printf (body, "\n%s: 0x%08X, %u KiB", r->name, r->address, r->size / 1024);
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Read From the Chip"), body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "next", _("_Choose File…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "next", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "next");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  g_object_set_data (G_OBJECT (dialog), "kiln-address", range_row (grid, 0, _("_Address"), address));
  g_object_set_data (G_OBJECT (dialog), "kiln-length", range_row (grid, 1, _("_Length"), length));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), grid);
  g_signal_connect_object (dialog, "response", G_CALLBACK (range_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_kiln_window_class_init_read (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.read", NULL, read_action);
}
