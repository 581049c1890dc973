/* kiln-profile-editor-private.h — the engineer's window for a production
 * profile: every key with its own widget, checked as it is typed with the
 * core's own parsing; Check, Try on One Board, Save, Sign and a new key pair
 *
 * The form (kiln-profile-editor.c) makes the profile's text from its
 * widgets and reads it back through kiln_production_profile_load_data(), so
 * the editor never accepts what a station would refuse. Signing and keys are
 * in kiln-profile-editor-sign.c, the trial on one board in
 * kiln-profile-editor-try.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kiln-minisign.h"
#include "kiln-production-profile.h"
#include "kiln-session.h"
#include "kiln-usb-probe-info.h"

G_BEGIN_DECLS

#define KILN_TYPE_PROFILE_EDITOR (kiln_profile_editor_get_type ())

G_DECLARE_FINAL_TYPE (KilnProfileEditor, kiln_profile_editor, KILN, PROFILE_EDITOR, AdwWindow)

typedef enum
{
  KILN_PROFILE_EDITOR_TRY_NONE,
  KILN_PROFILE_EDITOR_TRY_RUNNING,
  KILN_PROFILE_EDITOR_TRY_PASS,
  KILN_PROFILE_EDITOR_TRY_FAIL,
} KilnProfileEditorTry;

struct _KilnProfileEditor
{
  AdwWindow             parent_instance;

  AdwWindowTitle       *window_title;
  AdwToastOverlay      *toasts;
  GtkWidget            *save_button;

  /* Product */
  AdwEntryRow          *name_row;
  AdwEntryRow          *firmware_row;
  AdwActionRow         *sha_row;
  AdwEntryRow          *base_row;
  AdwEntryRow          *chip_row;
  /* Programming */
  GtkSwitch            *verify_switch;
  GtkSwitch            *reset_switch;
  GtkSwitch            *skip_switch;
  GtkSwitch            *vpp_switch;
  /* Option bytes */
  AdwComboRow          *rdp_row;
  AdwEntryRow          *wrp_row;
  AdwEntryRow          *set_row;
  GtkSwitch            *irreversible_switch;
  /* Serial number */
  AdwComboRow          *source_row;
  AdwEntryRow          *address_row;
  AdwEntryRow          *format_row;
  AdwEntryRow          *start_row;
  AdwEntryRow          *list_row;
  AdwEntryRow          *series_row;
  AdwComboRow          *encoding_row;
  AdwEntryRow          *size_row;
  /* Operator mode */
  GtkSwitch            *operator_switch;
  AdwEntryRow          *engineer_row;
  /* Check, try, sign */
  GtkLabel             *check_label;
  GtkWidget            *try_button;
  GtkLabel             *try_label;
  AdwActionRow         *signature_row;
  AdwEntryRow          *secret_row;
  GtkWidget            *sign_button;

  GHashTable           *errors;     /* an entry row → its error label */
  char                 *path;       /* the profile's file, NULL until saved */
  char                 *sha256;     /* the firmware's, as read when it was chosen */
  char                 *signer;     /* the key id that signed the file as saved, or NULL */
  gboolean              signer_trusted; /* by a key this computer trusts (or signed here) */
  KilnMinisignPublicKey signed_with;  /* the key this editor signed with, if any */
  gboolean              has_signed_with;
  gboolean              changed;    /* edited since saved (or signed) */
  gboolean              filling;    /* the widgets are being set from a file */

  KilnSession          *session;    /* the probe a trial runs on, or NULL */
  KilnUsbProbeInfo     *info;
  GCancellable         *cancellable;
  KilnProfileEditorTry  try_state;
  AdwToast             *unlocking;  /* shown while a password is applied */
};

/* @path NULL: a new profile. */
KilnProfileEditor *kiln_profile_editor_new        (GtkWindow          *parent,
                                                   const char         *path,
                                                   GError            **error);
/* Opens an editor from a window's menu: a new profile, the profile at
 * @path, or (@path NULL) one the engineer chooses; Try on One Board uses
 * @session's probe @info (NULL: none). */
void               kiln_profile_editor_open       (GtkWindow          *parent,
                                                   gboolean            new_profile,
                                                   const char         *path,
                                                   KilnSession        *session,
                                                   KilnUsbProbeInfo   *info);
/* The probe "Try on One Board" programs through (its worker, @session). */
void               kiln_profile_editor_set_probe  (KilnProfileEditor  *self,
                                                   KilnSession        *session,
                                                   KilnUsbProbeInfo   *info);
/* The profile as the form holds it, checked by the core's own parsing
 * (not yet against its firmware: see kiln_profile_editor_check). */
KilnProductionProfile *kiln_profile_editor_build  (KilnProfileEditor  *self,
                                                   GError            **error);
/* Everything a station checks: the firmware pinned and unchanged, the chip
 * known, the serial settings valid and outside the firmware. */
KilnProductionProfile *kiln_profile_editor_check  (KilnProfileEditor  *self,
                                                   GError            **error);
/* Writes the profile to @path (its comments regenerated from the key table). */
gboolean           kiln_profile_editor_save_to    (KilnProfileEditor  *self,
                                                   const char         *path,
                                                   GError            **error);
const char        *kiln_profile_editor_get_path   (KilnProfileEditor  *self);
/* The key id that signed the profile as it is, or NULL (never signed, or
 * edited since). */
const char        *kiln_profile_editor_get_signer (KilnProfileEditor  *self);
KilnProfileEditorTry kiln_profile_editor_get_try  (KilnProfileEditor  *self);
/* The first error shown next to a field, or NULL. */
const char        *kiln_profile_editor_get_field_error (KilnProfileEditor *self);

/* kiln-profile-editor.c, for its other parts */
void               _kiln_profile_editor_set_field_error (KilnProfileEditor *self,
                                                         AdwEntryRow       *row,
                                                         const char        *message);
void               _kiln_profile_editor_show_signature (KilnProfileEditor *self);
/* The toast shown (owned by the overlay). */
AdwToast          *_kiln_profile_editor_toast     (KilnProfileEditor  *self,
                                                   const char         *text);

/* kiln-profile-editor-fields.c */
char              *_kiln_profile_editor_row_text  (AdwEntryRow        *row);
/* The profile's path, or a name in the current folder while unsaved. */
const char        *_kiln_profile_editor_nominal_path (KilnProfileEditor *self);
char              *_kiln_profile_editor_resolve_firmware (KilnProfileEditor *self,
                                                          const char        *firmware);
/* The firmware as a profile at @profile_path names it (relative when beside it). */
char              *_kiln_profile_editor_written_firmware (KilnProfileEditor *self,
                                                          const char        *profile_path);
/* The profile's text as the form holds it, written as if at @profile_path. */
char              *_kiln_profile_editor_form_text (KilnProfileEditor  *self,
                                                   const char         *profile_path);
void               _kiln_profile_editor_check_firmware (KilnProfileEditor *self);
void               _kiln_profile_editor_check_chip (KilnProfileEditor *self);
void               _kiln_profile_editor_check_key (KilnProfileEditor *self,
                                                   AdwEntryRow       *row,
                                                   const char        *group,
                                                   const char        *key);
void               _kiln_profile_editor_check_serial (KilnProfileEditor *self,
                                                      GtkWidget         *edited);
void               _kiln_profile_editor_check_operator (KilnProfileEditor *self);
gboolean           _kiln_profile_editor_is_serial_field (KilnProfileEditor *self,
                                                         GtkWidget         *widget);

/* kiln-profile-editor-sign.c */
void               _kiln_profile_editor_sign      (KilnProfileEditor  *self);
void               _kiln_profile_editor_keygen    (KilnProfileEditor  *self);
void               _kiln_profile_editor_choose_key (KilnProfileEditor *self);
/* A file chooser whose choice is written into @row. */
void               _kiln_profile_editor_choose_file (KilnProfileEditor *self,
                                                     const char        *title,
                                                     AdwEntryRow       *row);
/* The key id whose signature (the .minisig beside @path) covers the file
 * as it is, or whose key is unknown here (*@trusted FALSE); NULL when
 * there is none or it no longer matches. */
char              *_kiln_profile_editor_read_signer (KilnProfileEditor *self,
                                                     const char        *path,
                                                     gboolean          *trusted);

/* kiln-profile-editor-try.c */
void               _kiln_profile_editor_try       (KilnProfileEditor  *self);

G_END_DECLS
