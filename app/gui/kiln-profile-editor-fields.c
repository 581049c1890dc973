/* kiln-profile-editor-fields.c — the profile's text made from the form, and
 * each field checked as it is typed by the core's own parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiln-image.h"
#include "kiln-profile-editor-private.h"

/* The choices of the combo rows, in the order of their position. */
static const char * const rdp_values[] = { NULL, "0", "1", "2" };
static const char * const source_values[] = { "none", "counter", "list", "uid" };
static const char * const encoding_values[] = { "ascii", "u32le" };

/* The profile's text */

const char *
_kiln_profile_editor_nominal_path (KilnProfileEditor *self)
{
  static char *unsaved;

  if (self->path != NULL)
    return self->path;
  /* Relative names of an unsaved profile are relative to the current folder. */
  if (unsaved == NULL)
    {
      g_autofree char *cwd = g_get_current_dir ();

      unsaved = g_build_filename (cwd, "unsaved.kiln-profile", NULL);
    }
  return unsaved;
}

char *
_kiln_profile_editor_resolve_firmware (KilnProfileEditor *self,
                                       const char        *firmware)
{
  g_autofree char *dir = g_path_get_dirname (_kiln_profile_editor_nominal_path (self));

  if (g_path_is_absolute (firmware))
    return g_strdup (firmware);
  return g_build_filename (dir, firmware, NULL);
}

/* The firmware as the profile at @profile_path writes it: relative when it
 * is in the profile's folder (or below), so that both can move together. */
char *
_kiln_profile_editor_written_firmware (KilnProfileEditor *self,
                                       const char        *profile_path)
{
  g_autofree char *firmware = _kiln_profile_editor_row_text (self->firmware_row);
  g_autofree char *absolute = NULL;
  g_autofree char *dir = g_path_get_dirname (profile_path);
  g_autofree char *prefix = g_strconcat (dir, G_DIR_SEPARATOR_S, NULL);

  if (*firmware == '\0')
    return NULL;
  absolute = _kiln_profile_editor_resolve_firmware (self, firmware);
  if (g_str_has_prefix (absolute, prefix))
    return g_strdup (absolute + strlen (prefix));
  return g_steal_pointer (&absolute);
}

static void
set_if (GKeyFile    *kf,
        const char  *group,
        const char  *key,
        AdwEntryRow *row)
{
  g_autofree char *text = _kiln_profile_editor_row_text (row);

  if (*text != '\0')
    g_key_file_set_string (kf, group, key, text);
}

static void
add_serial (KilnProfileEditor *self,
            GKeyFile          *kf)
{
  guint source = adw_combo_row_get_selected (self->source_row);

  if (source == 0 || source >= G_N_ELEMENTS (source_values))
    return;
  g_key_file_set_string (kf, "serial", "source", source_values[source]);
  set_if (kf, "serial", "address", self->address_row);
  set_if (kf, "serial", "format", self->format_row);
  if (g_str_equal (source_values[source], "counter"))
    set_if (kf, "serial", "start", self->start_row);
  if (g_str_equal (source_values[source], "list"))
    set_if (kf, "serial", "list", self->list_row);
  set_if (kf, "serial", "series", self->series_row);
  g_key_file_set_string (kf, "serial", "encoding",
                         encoding_values[MIN (adw_combo_row_get_selected (self->encoding_row), 1)]);
  set_if (kf, "serial", "size", self->size_row);
}

/* The profile's text as the form holds it, written as if at @profile_path. */
char *
_kiln_profile_editor_form_text (KilnProfileEditor *self,
                                const char        *profile_path)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *firmware = _kiln_profile_editor_written_firmware (self, profile_path);
  guint rdp = adw_combo_row_get_selected (self->rdp_row);

  set_if (kf, "profile", "name", self->name_row);
  if (firmware != NULL)
    g_key_file_set_string (kf, "profile", "firmware", firmware);
  if (firmware != NULL && self->sha256 != NULL)
    g_key_file_set_string (kf, "profile", "sha256", self->sha256);
  set_if (kf, "profile", "base", self->base_row);
  set_if (kf, "profile", "chip", self->chip_row);
  g_key_file_set_boolean (kf, "profile", "verify", gtk_switch_get_active (self->verify_switch));
  g_key_file_set_boolean (kf, "profile", "reset", gtk_switch_get_active (self->reset_switch));
  g_key_file_set_boolean (kf, "profile", "skip-unchanged", gtk_switch_get_active (self->skip_switch));
  if (gtk_switch_get_active (self->vpp_switch))
    g_key_file_set_boolean (kf, "profile", "vpp", TRUE);

  if (rdp > 0 && rdp < G_N_ELEMENTS (rdp_values))
    g_key_file_set_string (kf, "option-bytes", "rdp", rdp_values[rdp]);
  set_if (kf, "option-bytes", "wrp", self->wrp_row);
  set_if (kf, "option-bytes", "set", self->set_row);
  if (gtk_switch_get_active (self->irreversible_switch))
    g_key_file_set_boolean (kf, "option-bytes", "allow-irreversible", TRUE);
  add_serial (self, kf);
  if (gtk_switch_get_active (self->operator_switch))
    g_key_file_set_boolean (kf, "operator", "mode", TRUE);
  set_if (kf, "operator", "engineer-password", self->engineer_row);
  return g_key_file_to_data (kf, NULL, NULL);
}

/* What the core says of @text alone, or NULL when it takes it. */
static char *
core_error (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionProfile) profile = kiln_production_profile_load_data ("-", text, strlen (text), &error);

  return profile == NULL ? g_strdup (error->message) : NULL;
}

/* Checking each field as it is typed */

static gboolean
parse_base (KilnProfileEditor  *self,
            guint32            *base,
            char              **message)
{
  g_autofree char *text = _kiln_profile_editor_row_text (self->base_row);
  g_autofree char *snippet = NULL;

  *base = 0;
  if (*text == '\0')
    return FALSE;
  snippet = g_strdup_printf ("[profile]\nbase = %s\n", text);
  if ((*message = core_error (snippet)) != NULL)
    return FALSE;
  *base = (guint32) g_ascii_strtoull (text, NULL, 0);
  return TRUE;
}

/* Reads the firmware, shows its SHA-256, and parses it as the line will. */
void
_kiln_profile_editor_check_firmware (KilnProfileEditor *self)
{
  g_autofree char *firmware = _kiln_profile_editor_row_text (self->firmware_row);
  g_autofree char *path = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *base_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(KilnImage) image = NULL;
  guint32 base;
  gboolean has_base = parse_base (self, &base, &base_error);

  _kiln_profile_editor_set_field_error (self, self->base_row, base_error);
  g_clear_pointer (&self->sha256, g_free);
  if (*firmware == '\0')
    {
      adw_action_row_set_subtitle (self->sha_row, _("No firmware chosen"));
      _kiln_profile_editor_set_field_error (self, self->firmware_row, NULL);
      return;
    }
  path = _kiln_profile_editor_resolve_firmware (self, firmware);
  basename = g_path_get_basename (path);
  file = g_file_new_for_path (path);
  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  if (bytes != NULL)
    image = kiln_image_load_bytes (bytes, basename, KILN_IMAGE_FORMAT_AUTO, has_base, base, &error);
  if (image == NULL)
    {
      adw_action_row_set_subtitle (self->sha_row, _("No firmware chosen"));
      _kiln_profile_editor_set_field_error (self, self->firmware_row, error->message);
      return;
    }
  self->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  adw_action_row_set_subtitle (self->sha_row, self->sha256);
  _kiln_profile_editor_set_field_error (self, self->firmware_row, NULL);
}

void
_kiln_profile_editor_check_chip (KilnProfileEditor *self)
{
  g_autofree char *chip = _kiln_profile_editor_row_text (self->chip_row);
  g_autoptr(GError) error = NULL;

  if (*chip == '\0' || kiln_production_profile_check_chip (chip, &error))
    _kiln_profile_editor_set_field_error (self, self->chip_row, NULL);
  else
    _kiln_profile_editor_set_field_error (self, self->chip_row, error->message);
}

void
_kiln_profile_editor_check_key (KilnProfileEditor *self,
                                AdwEntryRow       *row,
                                const char        *group,
                                const char        *key)
{
  g_autofree char *text = _kiln_profile_editor_row_text (row);
  g_autofree char *snippet = g_strdup_printf ("[%s]\n%s = %s\n", group, key, text);
  g_autofree char *message = *text != '\0' ? core_error (snippet) : NULL;

  _kiln_profile_editor_set_field_error (self, row, message);
}

/* The serial settings hang together (a format fits its source): the whole
 * group is checked, the error shown under the field being edited. */
void
_kiln_profile_editor_check_serial (KilnProfileEditor *self,
                                   GtkWidget         *edited)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  AdwEntryRow *rows[] = { self->address_row, self->format_row, self->start_row, self->list_row, self->series_row,
                          self->size_row };
  AdwEntryRow *shown = ADW_IS_ENTRY_ROW (edited) ? ADW_ENTRY_ROW (edited) : self->address_row;
  guint source = adw_combo_row_get_selected (self->source_row);

  add_serial (self, kf);
  text = g_key_file_to_data (kf, NULL, NULL);
  message = core_error (text);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    _kiln_profile_editor_set_field_error (self, rows[i], rows[i] == shown ? message : NULL);

  /* Only the fields of the chosen source. */
  gtk_widget_set_visible (GTK_WIDGET (self->address_row), source != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->format_row), source != 0 && source != 2);
  gtk_widget_set_visible (GTK_WIDGET (self->start_row), source == 1);
  gtk_widget_set_visible (GTK_WIDGET (self->list_row), source == 2);
  gtk_widget_set_visible (GTK_WIDGET (self->series_row), source != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->encoding_row), source != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->size_row), source != 0);
}

gboolean
_kiln_profile_editor_is_serial_field (KilnProfileEditor *self,
                                      GtkWidget         *w)
{
  return w == GTK_WIDGET (self->source_row) || w == GTK_WIDGET (self->address_row)
         || w == GTK_WIDGET (self->format_row) || w == GTK_WIDGET (self->start_row)
         || w == GTK_WIDGET (self->list_row) || w == GTK_WIDGET (self->series_row)
         || w == GTK_WIDGET (self->encoding_row) || w == GTK_WIDGET (self->size_row);
}

/* Operator mode needs the engineer's password hash: both checked together. */
void
_kiln_profile_editor_check_operator (KilnProfileEditor *self)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;

  if (gtk_switch_get_active (self->operator_switch))
    g_key_file_set_boolean (kf, "operator", "mode", TRUE);
  set_if (kf, "operator", "engineer-password", self->engineer_row);
  text = g_key_file_to_data (kf, NULL, NULL);
  message = core_error (text);
  _kiln_profile_editor_set_field_error (self, self->engineer_row, message);
}
