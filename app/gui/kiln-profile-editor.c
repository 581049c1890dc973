/* kiln-profile-editor.c — the form: widgets grouped as an engineer prepares a
 * line (product, programming, option bytes, serial number), each field
 * checked as it is typed by the core's own parsing, Check and Save
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiln-image.h"
#include "kiln-production-profile-keys.h"
#include "kiln-profile-editor-private.h"

G_DEFINE_FINAL_TYPE (KilnProfileEditor, kiln_profile_editor, ADW_TYPE_WINDOW)

/* Widgets */

char *
_kiln_profile_editor_row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

void
_kiln_profile_editor_set_field_error (KilnProfileEditor *self,
                 AdwEntryRow       *row,
                 const char        *message)
{
  GtkLabel *label = g_hash_table_lookup (self->errors, row);

  gtk_label_set_label (label, message ? message : "");
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (label)), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void field_changed_cb (KilnProfileEditor *self,
                              GtkWidget         *row);

/* A switch or a combo row changed (notify::…: the object comes last). */
static void
field_notify_cb (KilnProfileEditor *self,
                 GParamSpec        *pspec,
                 GtkWidget         *widget)
{
  field_changed_cb (self, widget);
}

static AdwPreferencesGroup *
add_group (GtkWidget  *column,
           const char *title,
           const char *description)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_group_set_title (group, title);
  adw_preferences_group_set_description (group, description);
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (group));
  return group;
}

/* A column of groups: two side by side on a wide screen, one under the
 * other on a narrow one. */
static GtkWidget *
add_column (GtkFlowBox *columns)
{
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);

  gtk_widget_set_size_request (column, 420, -1);
  gtk_widget_set_hexpand (column, TRUE);
  gtk_flow_box_append (columns, column);
  gtk_widget_set_focusable (gtk_widget_get_parent (column), FALSE);
  return column;
}

/* An entry row with the line under it that shows its error. */
static AdwEntryRow *
add_entry (KilnProfileEditor   *self,
           AdwPreferencesGroup *group,
           const char          *title,
           const char          *tooltip)
{
  AdwEntryRow *row = ADW_ENTRY_ROW (adw_entry_row_new ());
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *error_row = gtk_list_box_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), tooltip);
  adw_preferences_group_add (group, GTK_WIDGET (row));

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_add_css_class (label, "field-error");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (error_row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (error_row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (error_row), FALSE);
  gtk_widget_set_visible (error_row, FALSE);
  adw_preferences_group_add (group, error_row);

  g_hash_table_insert (self->errors, row, label);
  g_signal_connect_object (row, "changed", G_CALLBACK (field_changed_cb), self, G_CONNECT_SWAPPED);
  return row;
}

static GtkSwitch *
add_switch (KilnProfileEditor   *self,
            AdwPreferencesGroup *group,
            const char          *title,
            const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  adw_preferences_group_add (group, row);
  g_signal_connect_object (sw, "notify::active", G_CALLBACK (field_notify_cb), self, G_CONNECT_SWAPPED);
  return GTK_SWITCH (sw);
}

static AdwComboRow *
add_combo (KilnProfileEditor   *self,
           AdwPreferencesGroup *group,
           const char          *title,
           const char          *subtitle,
           const char * const  *labels)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  g_autoptr(GtkStringList) model = gtk_string_list_new (labels);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  adw_preferences_group_add (group, GTK_WIDGET (row));
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (field_notify_cb), self, G_CONNECT_SWAPPED);
  return row;
}

static GtkWidget *
add_button_suffix (AdwEntryRow *row,
                   const char  *icon,
                   const char  *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  adw_entry_row_add_suffix (row, button);
  return button;
}

static void
update_title (KilnProfileEditor *self)
{
  g_autofree char *name = _kiln_profile_editor_row_text (self->name_row);
  g_autofree char *title = NULL;

  if (*name == '\0')
    title = g_strdup (self->path ? _("Production Profile") : _("New Production Profile"));
  else
    title = g_strdup_printf ("%s%s", self->changed ? "• " : "", name);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, self->path ? self->path : _("Not saved yet"));
}

static void
field_changed_cb (KilnProfileEditor *self,
                  GtkWidget         *row)
{
  /* The key that signs is not part of the profile. */
  if (row == GTK_WIDGET (self->secret_row))
    {
      _kiln_profile_editor_set_field_error (self, self->secret_row, NULL);
      return;
    }
  if (row == GTK_WIDGET (self->firmware_row) || row == GTK_WIDGET (self->base_row))
    _kiln_profile_editor_check_firmware (self);
  else if (row == GTK_WIDGET (self->chip_row))
    _kiln_profile_editor_check_chip (self);
  else if (row == GTK_WIDGET (self->wrp_row))
    _kiln_profile_editor_check_key (self, self->wrp_row, "option-bytes", "wrp");
  else if (row == GTK_WIDGET (self->set_row))
    _kiln_profile_editor_check_key (self, self->set_row, "option-bytes", "set");
  else if (row == GTK_WIDGET (self->operator_switch) || row == GTK_WIDGET (self->engineer_row))
    _kiln_profile_editor_check_operator (self);
  else if (_kiln_profile_editor_is_serial_field (self, row))
    _kiln_profile_editor_check_serial (self, row);
  if (self->filling)
    return;
  /* Any edit: the signature no longer covers what the form holds. */
  self->changed = TRUE;
  gtk_label_set_label (self->check_label, "");
  _kiln_profile_editor_show_signature (self);
  update_title (self);
}

/* Building, checking, saving */

KilnProductionProfile *
kiln_profile_editor_build (KilnProfileEditor  *self,
                           GError            **error)
{
  g_autofree char *text = _kiln_profile_editor_form_text (self, _kiln_profile_editor_nominal_path (self));
  const char *field_error = kiln_profile_editor_get_field_error (self);

  if (field_error != NULL)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("A field is not right yet: %s"), field_error);
      return NULL;
    }
  return kiln_production_profile_load_data (_kiln_profile_editor_nominal_path (self), text, strlen (text), error);
}

KilnProductionProfile *
kiln_profile_editor_check (KilnProfileEditor  *self,
                           GError            **error)
{
  g_autoptr(KilnProductionProfile) profile = kiln_profile_editor_build (self, error);

  if (profile == NULL || !kiln_production_profile_lock (profile, error))
    return NULL;
  return g_steal_pointer (&profile);
}

gboolean
kiln_profile_editor_save_to (KilnProfileEditor  *self,
                             const char         *path,
                             GError            **error)
{
  g_autofree char *text = _kiln_profile_editor_form_text (self, path);
  g_autoptr(KilnProductionProfile) profile = NULL;
  const char *field_error = kiln_profile_editor_get_field_error (self);
  gboolean trusted = FALSE;

  if (field_error != NULL)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("A field is not right yet: %s"), field_error);
      return FALSE;
    }
  profile = kiln_production_profile_load_data (path, text, strlen (text), error);
  if (profile == NULL || !kiln_production_profile_save (profile, path, error))
    return FALSE;
  if (g_strcmp0 (self->path, path) != 0)
    {
      g_autofree char *firmware = _kiln_profile_editor_written_firmware (self, path);

      g_free (self->path);
      self->path = g_strdup (path);
      /* The field shows the firmware as the file names it. */
      self->filling = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->firmware_row), firmware ? firmware : "");
      self->filling = FALSE;
    }
  self->changed = FALSE;
  /* Saved as it was signed, the signature still holds. */
  g_free (self->signer);
  self->signer = _kiln_profile_editor_read_signer (self, path, &trusted);
  self->signer_trusted = trusted;
  _kiln_profile_editor_show_signature (self);
  update_title (self);
  return TRUE;
}

const char *
kiln_profile_editor_get_field_error (KilnProfileEditor *self)
{
  GHashTableIter iter;
  gpointer row, label;

  g_hash_table_iter_init (&iter, self->errors);
  while (g_hash_table_iter_next (&iter, &row, &label))
    if (row != (gpointer) self->secret_row && gtk_widget_get_visible (gtk_widget_get_parent (label))
        && gtk_widget_get_visible (row))
      return gtk_label_get_label (label);
  return NULL;
}

const char *
kiln_profile_editor_get_path (KilnProfileEditor *self)
{
  return self->path;
}

const char *
kiln_profile_editor_get_signer (KilnProfileEditor *self)
{
  return self->changed ? NULL : self->signer;
}

AdwToast *
_kiln_profile_editor_toast (KilnProfileEditor *self,
                            const char        *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_overlay_add_toast (self->toasts, toast);
  return toast;
}

void
_kiln_profile_editor_show_signature (KilnProfileEditor *self)
{
  g_autofree char *title = NULL;
  const char *subtitle;

  if (self->signer != NULL && !self->changed)
    {
      /* Translators: %s is the signing key's id, 16 hexadecimal digits */
      title = g_strdup_printf (_("Signed by %s"), self->signer);
      subtitle = self->signer_trusted ? _("A station that trusts this key runs the profile as it is")
                                      : _("This computer does not trust the key: a station needs its .pub file in "
                                          "its trusted-keys folder");
    }
  else if (self->signer != NULL)
    {
      title = g_strdup (_("Not signed: edited since it was signed"));
      subtitle = _("Save and sign it again: a station refuses a profile changed after signing");
    }
  else
    {
      title = g_strdup (_("Not signed"));
      subtitle = _("A station runs only a profile signed by a key it trusts");
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->signature_row), title);
  adw_action_row_set_subtitle (self->signature_row, subtitle);
}

static void
show_result (GtkLabel   *label,
             gboolean    ok,
             const char *text)
{
  gtk_label_set_label (label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (label), ok ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (label), ok ? "success" : "error");
}

static void
check_clicked_cb (KilnProfileEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionProfile) profile = kiln_profile_editor_check (self, &error);

  if (profile == NULL)
    show_result (self->check_label, FALSE, error->message);
  else
    show_result (self->check_label, TRUE,
                 _("The profile is complete: the firmware is the pinned file, the chip is known and the settings "
                   "hang together"));
}

static void
save_response_cb (GtkNativeDialog   *dialog,
                  int                response,
                  KilnProfileEditor *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path != NULL && !kiln_profile_editor_save_to (self, path, &error))
        show_result (self->check_label, FALSE, error->message);
      else if (path != NULL)
        _kiln_profile_editor_toast (self, _("Profile saved"));
    }
  g_object_unref (dialog);
}

static void
save_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  KilnProfileEditor *self = KILN_PROFILE_EDITOR (widget);
  g_autoptr(GError) error = NULL;
  GtkFileChooserNative *dialog;
  g_autofree char *suggested = NULL;
  g_autofree char *firmware = _kiln_profile_editor_row_text (self->firmware_row);
  g_autofree char *profile_name = _kiln_profile_editor_row_text (self->name_row);

  if (self->path != NULL)
    {
      if (!kiln_profile_editor_save_to (self, self->path, &error))
        show_result (self->check_label, FALSE, error->message);
      else
        _kiln_profile_editor_toast (self, _("Profile saved"));
      return;
    }
  /* Beside the firmware, named after the product, unless told otherwise. */
  dialog = gtk_file_chooser_native_new (_("Save the Production Profile"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  if (*firmware != '\0')
    {
      g_autofree char *path = _kiln_profile_editor_resolve_firmware (self, firmware);
      g_autofree char *dir = g_path_get_dirname (path);
      g_autoptr(GFile) folder = g_file_new_for_path (dir);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
    }
  g_strdelimit (profile_name, "/\\:", '-');
  suggested = g_strconcat (*profile_name ? profile_name : "profile", ".kiln-profile", NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_signal_connect (dialog, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
file_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  GtkEditable     *row)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        gtk_editable_set_text (row, path);
    }
  g_object_unref (dialog);
}

void
_kiln_profile_editor_choose_file (KilnProfileEditor *self,
                                  const char        *title,
                                  AdwEntryRow       *row)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                                              _("_Choose"), _("_Cancel"));

  g_signal_connect (dialog, "response", G_CALLBACK (file_response_cb), row);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
choose_firmware_cb (KilnProfileEditor *self)
{
  _kiln_profile_editor_choose_file (self, _("Choose the Firmware"), self->firmware_row);
}

/* Filling the form from a profile */

static void
set_row (AdwEntryRow *row,
         const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
}

static void
fill (KilnProfileEditor     *self,
      KilnProductionProfile *profile,
      const char            *firmware_as_written)
{
  const KilnOptionBytesExpectation *ob = kiln_production_profile_get_option_bytes (profile);
  const KilnSerialSettings *serial = kiln_production_profile_get_serial (profile);
  guint32 base = 0;

  self->filling = TRUE;
  set_row (self->name_row, kiln_production_profile_get_name (profile));
  if (kiln_production_profile_get_base (profile, &base))
    {
      g_autofree char *text = g_strdup_printf ("0x%08X", base);

      set_row (self->base_row, text);
    }
  set_row (self->firmware_row, firmware_as_written);
  set_row (self->chip_row, kiln_production_profile_get_chip (profile));
  gtk_switch_set_active (self->verify_switch, kiln_production_profile_get_verify (profile));
  gtk_switch_set_active (self->reset_switch, kiln_production_profile_get_reset (profile));
  gtk_switch_set_active (self->skip_switch, kiln_production_profile_get_skip_unchanged (profile));
  gtk_switch_set_active (self->vpp_switch, kiln_production_profile_get_vpp (profile));

  adw_combo_row_set_selected (self->rdp_row, (guint) (ob->rdp + 1));
  if (ob->wrp_enforced)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < 32; i++)
        if (ob->wrp & (1u << i))
          g_string_append_printf (list, "%s%u", list->len ? "," : "", i);
      set_row (self->wrp_row, list->len ? list->str : "none");
    }
  if (ob->set != NULL)
    {
      g_autofree char *set = g_strjoinv (" ", ob->set);

      set_row (self->set_row, set);
    }
  gtk_switch_set_active (self->irreversible_switch, ob->allow_irreversible);
  gtk_switch_set_active (self->operator_switch, kiln_production_profile_get_operator (profile)->mode);
  set_row (self->engineer_row, kiln_production_profile_get_operator (profile)->engineer_password);

  if (serial->source != KILN_SERIAL_SOURCE_NONE)
    {
      g_autofree char *address = g_strdup_printf ("0x%08X", serial->address);
      g_autofree char *start = g_strdup_printf ("%" G_GUINT64_FORMAT, serial->start);
      g_autofree char *size = serial->size ? g_strdup_printf ("%u", serial->size) : NULL;

      adw_combo_row_set_selected (self->source_row, (guint) serial->source);
      set_row (self->address_row, address);
      set_row (self->format_row, serial->format);
      set_row (self->start_row, start);
      set_row (self->list_row, serial->list);
      set_row (self->series_row, serial->series);
      adw_combo_row_set_selected (self->encoding_row, serial->encoding == KILN_SERIAL_ENCODING_U32LE);
      set_row (self->size_row, size);
    }
  self->filling = FALSE;
}

/* GObject */

static void
kiln_profile_editor_dispose (GObject *object)
{
  KilnProfileEditor *self = (KilnProfileEditor *) object;

  /* What is still running sees it and leaves the widgets alone. */
  g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->unlocking);
  g_clear_object (&self->session);
  g_clear_object (&self->info);
  g_clear_pointer (&self->errors, g_hash_table_unref);

  G_OBJECT_CLASS (kiln_profile_editor_parent_class)->dispose (object);
}

static void
kiln_profile_editor_finalize (GObject *object)
{
  KilnProfileEditor *self = (KilnProfileEditor *) object;

  g_clear_object (&self->cancellable);
  g_free (self->path);
  g_free (self->sha256);
  g_free (self->signer);

  G_OBJECT_CLASS (kiln_profile_editor_parent_class)->finalize (object);
}

static void
kiln_profile_editor_class_init (KilnProfileEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_profile_editor_dispose;
  object_class->finalize = kiln_profile_editor_finalize;

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

/* The doc line of the key table, for a field's tooltip. */
static const char *
doc_of (const char *group,
        const char *key)
{
  guint n = 0;
  const KilnProfileKey *keys = kiln_profile_keys_get (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (keys[i].group, group) && g_str_equal (keys[i].key, key))
      return _(keys[i].doc);
  return NULL;
}

static GtkWidget *
add_button_row (AdwPreferencesGroup *group,
                const char          *label,
                GtkLabel           **result)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), button);
  if (result != NULL)
    {
      *result = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_wrap (*result, TRUE);
      gtk_label_set_xalign (*result, 0);
      gtk_label_set_selectable (*result, TRUE);
      gtk_widget_set_hexpand (GTK_WIDGET (*result), TRUE);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (*result));
    }
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  adw_preferences_group_add (group, box);
  return button;
}

static void
kiln_profile_editor_init (KilnProfileEditor *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *viewport = gtk_viewport_new (NULL, NULL);
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *columns = gtk_flow_box_new ();
  GtkWidget *page;
  AdwPreferencesGroup *group;
  GtkWidget *button;
  const char *rdp_labels[] = { _("Not checked"), _("Level 0 (open)"), _("Level 1 (read-protected)"),
                               _("Level 2 (locked for good)"), NULL };
  const char *source_labels[] = { _("None"), _("Counter"), _("List file"), _("Chip UID"), NULL };
  const char *encoding_labels[] = { _("Text (ASCII)"), _("32-bit number"), NULL };

  self->errors = g_hash_table_new (NULL, NULL);
  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 1000, 860);

  self->window_title = ADW_WINDOW_TITLE (adw_window_title_new ("", NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->window_title));
  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->save_button), "editor.save");
  gtk_widget_set_tooltip_text (self->save_button, _("Save the profile (Ctrl+S)"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_box_append (GTK_BOX (box), header);
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (columns), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (columns), 2);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (columns), 24);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (columns), 24);
  gtk_widget_set_margin_top (columns, 24);
  gtk_widget_set_margin_bottom (columns, 24);
  gtk_widget_set_margin_start (columns, 12);
  gtk_widget_set_margin_end (columns, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1400);
  adw_clamp_set_child (ADW_CLAMP (clamp), columns);
  /* The field with the focus is scrolled into view (Tab, or an error). */
  gtk_viewport_set_scroll_to_focus (GTK_VIEWPORT (viewport), TRUE);
  gtk_viewport_set_child (GTK_VIEWPORT (viewport), clamp);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), viewport);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  adw_toast_overlay_set_child (self->toasts, scrolled);
  page = add_column (GTK_FLOW_BOX (columns));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));
  adw_window_set_content (ADW_WINDOW (self), box);

  group = add_group (page, _("Product"), _("What the line programs, and on which chip"));
  self->name_row = add_entry (self, group, _("Name"), doc_of ("profile", "name"));
  self->firmware_row = add_entry (self, group, _("Firmware file"), doc_of ("profile", "firmware"));
  button = add_button_suffix (self->firmware_row, "document-open-symbolic", _("Choose the firmware file"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (choose_firmware_cb), self, G_CONNECT_SWAPPED);
  self->sha_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->sha_row), _("SHA-256 pinned"));
  adw_action_row_set_subtitle (self->sha_row, _("No firmware chosen"));
  gtk_widget_add_css_class (GTK_WIDGET (self->sha_row), "property");
  adw_preferences_group_add (group, GTK_WIDGET (self->sha_row));
  self->base_row = add_entry (self, group, _("Load address (raw binaries only)"), doc_of ("profile", "base"));
  self->chip_row = add_entry (self, group, _("Chip"), doc_of ("profile", "chip"));

  group = add_group (page, _("Programming"), NULL);
  self->verify_switch = add_switch (self, group, _("Verify"), _("Read back every written sector"));
  self->reset_switch = add_switch (self, group, _("Reset and run"), _("Start the board once it is programmed"));
  self->skip_switch = add_switch (self, group, _("Skip unchanged sectors"),
                                  _("Leave sectors that already hold the right bytes alone"));
  self->vpp_switch = add_switch (self, group, _("Fixture supplies VPP"),
                                 _("8 to 9 V on the VPP pin: program and erase twice as fast"));

  group = add_group (page, _("Option Bytes"),
                     _("What every board must arrive with, and what is set once it is programmed and verified"));
  self->rdp_row = add_combo (self, group, _("Read protection on arrival"), NULL, rdp_labels);
  self->wrp_row = add_entry (self, group, _("Write-protected sectors on arrival (none, or 0,1,…)"),
                             doc_of ("option-bytes", "wrp"));
  self->set_row = add_entry (self, group, _("Set after programming (such as rdp=1 bor=3)"),
                             doc_of ("option-bytes", "set"));
  self->irreversible_switch = add_switch (self, group, _("Allow irreversible settings"),
                                          _("Lets the setting above hold rdp=2, which locks the chip for good"));

  page = add_column (GTK_FLOW_BOX (columns));
  group = add_group (page, _("Serial Number"), _("A number written into each board, unique within its series"));
  self->source_row = add_combo (self, group, _("Source"), NULL, source_labels);
  self->address_row = add_entry (self, group, _("Address"), doc_of ("serial", "address"));
  self->format_row = add_entry (self, group, _("Format (such as SN-%06u)"), doc_of ("serial", "format"));
  self->start_row = add_entry (self, group, _("First number"), doc_of ("serial", "start"));
  self->list_row = add_entry (self, group, _("List file"), doc_of ("serial", "list"));
  self->series_row = add_entry (self, group, _("Series"), doc_of ("serial", "series"));
  self->encoding_row = add_combo (self, group, _("Encoding"), doc_of ("serial", "encoding"), encoding_labels);
  self->size_row = add_entry (self, group, _("Size in bytes (empty: the text and a NUL)"),
                              doc_of ("serial", "size"));

  group = add_group (page, _("Operator Mode"), _("What an operator may not change at the station"));
  self->operator_switch = add_switch (self, group, _("Operator mode"),
                                      _("Opening the profile locks the station down to programming boards"));
  self->engineer_row = add_entry (self, group, _("Engineer password hash (kiln-cli profile hash-password)"),
                                  doc_of ("operator", "engineer-password"));

  group = add_group (page, _("Check and Try"), NULL);
  button = add_button_row (group, _("_Check"), &self->check_label);
  gtk_widget_set_tooltip_text (button, _("Check the profile as a station will"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (check_clicked_cb), self, G_CONNECT_SWAPPED);
  self->try_button = add_button_row (group, _("_Try on One Board"), &self->try_label);
  g_signal_connect_object (self->try_button, "clicked", G_CALLBACK (_kiln_profile_editor_try), self,
                           G_CONNECT_SWAPPED);

  group = add_group (page, _("Signature"), _("Keep the secret key safe: whoever holds it can sign profiles your "
                                            "stations run"));
  self->signature_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_group_add (group, GTK_WIDGET (self->signature_row));
  self->secret_row = add_entry (self, group, _("Secret key file"), _("A minisign secret key (.key)"));
  button = add_button_suffix (self->secret_row, "document-open-symbolic", _("Choose the secret key file"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (_kiln_profile_editor_choose_key), self,
                           G_CONNECT_SWAPPED);
  self->sign_button = add_button_row (group, _("Si_gn"), NULL);
  gtk_widget_set_tooltip_text (self->sign_button, _("Save the profile and sign it with the secret key"));
  g_signal_connect_object (self->sign_button, "clicked", G_CALLBACK (_kiln_profile_editor_sign), self,
                           G_CONNECT_SWAPPED);
  button = gtk_button_new_with_mnemonic (_("_Generate Key Pair…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (gtk_widget_get_parent (self->sign_button)), button);
  g_signal_connect_object (button, "clicked", G_CALLBACK (_kiln_profile_editor_keygen), self, G_CONNECT_SWAPPED);

  gtk_switch_set_active (self->verify_switch, TRUE);
  gtk_switch_set_active (self->reset_switch, TRUE);
  gtk_switch_set_active (self->skip_switch, TRUE);
  _kiln_profile_editor_check_serial (self, NULL);
  kiln_profile_editor_set_probe (self, NULL, NULL);
  self->changed = FALSE;
  _kiln_profile_editor_show_signature (self);
  update_title (self);
}

KilnProfileEditor *
kiln_profile_editor_new (GtkWindow   *parent,
                         const char  *path,
                         GError     **error)
{
  /* As gtk_window_new(): GTK holds the window until it is destroyed. */
  KilnProfileEditor *self = g_object_new (KILN_TYPE_PROFILE_EDITOR, NULL);

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  if (path != NULL)
    {
      g_autoptr(KilnProductionProfile) profile = kiln_production_profile_load (path, error);
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autofree char *firmware = NULL;
      gboolean trusted = FALSE;

      if (profile == NULL)
        {
          gtk_window_destroy (GTK_WINDOW (self));
          return NULL;
        }
      self->path = g_strdup (path);
      if (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
        firmware = g_key_file_get_string (kf, "profile", "firmware", NULL);
      fill (self, profile, firmware ? g_strstrip (firmware) : NULL);
      /* The pin as the file holds it: a changed firmware shows as such at Check. */
      if (kiln_production_profile_get_sha256 (profile) != NULL && self->sha256 != NULL
          && g_ascii_strcasecmp (self->sha256, kiln_production_profile_get_sha256 (profile)) != 0)
        {
          g_free (self->sha256);
          self->sha256 = g_strdup (kiln_production_profile_get_sha256 (profile));
          adw_action_row_set_subtitle (self->sha_row, self->sha256);
          _kiln_profile_editor_set_field_error (self, self->firmware_row,
                           _("The file has changed since the profile pinned it: choose it again to pin it as it is "
                             "now"));
        }
      self->signer = _kiln_profile_editor_read_signer (self, path, &trusted);
      self->signer_trusted = trusted;
      self->changed = FALSE;
      _kiln_profile_editor_show_signature (self);
      update_title (self);
    }
  return self;
}

/* Opening from the windows' menus */

typedef struct
{
  KilnSession      *session;
  KilnUsbProbeInfo *info;
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_object (&probe->session);
  g_clear_object (&probe->info);
  g_free (probe);
}

static void
open_path (GtkWindow        *parent,
           const char       *path,
           KilnSession      *session,
           KilnUsbProbeInfo *info)
{
  g_autoptr(GError) error = NULL;
  KilnProfileEditor *editor = kiln_profile_editor_new (parent, path, &error);

  if (editor == NULL)
    {
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (parent, _("The Profile Cannot Be Opened"), error->message));

      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  kiln_profile_editor_set_probe (editor, session, info);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
open_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  Probe           *probe)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        open_path (gtk_native_dialog_get_transient_for (dialog), path, probe->session, probe->info);
    }
  probe_free (probe);
  g_object_unref (dialog);
}

void
kiln_profile_editor_open (GtkWindow        *parent,
                          gboolean          new_profile,
                          const char       *path,
                          KilnSession      *session,
                          KilnUsbProbeInfo *info)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = NULL;
  Probe *probe;

  if (new_profile || path != NULL)
    {
      open_path (parent, new_profile ? NULL : path, session, info);
      return;
    }
  dialog = gtk_file_chooser_native_new (_("Edit a Production Profile"), parent, GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Production profiles"));
  gtk_file_filter_add_pattern (filter, "*.kiln-profile");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  probe = g_new0 (Probe, 1);
  g_set_object (&probe->session, session);
  g_set_object (&probe->info, info);
  g_signal_connect (dialog, "response", G_CALLBACK (open_response_cb), probe);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
