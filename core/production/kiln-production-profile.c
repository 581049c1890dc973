/* kiln-production-profile.c — the profile object: its fields, the engineer's
 * setters, locking and the pinned firmware (text form: -io.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-chip.h"
#include "kiln-flash-option-bytes.h"
#include "kiln-production-profile-private.h"

G_DEFINE_FINAL_TYPE (KilnProductionProfile, kiln_production_profile, G_TYPE_OBJECT)

static char *resolve (KilnProductionProfile *self,
                      const char            *path);

static void
kiln_production_profile_finalize (GObject *object)
{
  KilnProductionProfile *self = (KilnProductionProfile *) object;

  g_free (self->path);
  g_free (self->dir);
  g_free (self->name);
  g_free (self->firmware);
  g_free (self->sha256);
  g_free (self->chip);
  kiln_serial_settings_clear (&self->serial);
  kiln_operator_settings_clear (&self->operator_settings);
  g_strfreev (self->option_bytes.set);

  G_OBJECT_CLASS (kiln_production_profile_parent_class)->finalize (object);
}

static void
kiln_production_profile_class_init (KilnProductionProfileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_production_profile_finalize;
}

static void
kiln_production_profile_init (KilnProductionProfile *self)
{
  self->verify = TRUE;
  self->reset = TRUE;
  self->skip_unchanged = TRUE;
  self->option_bytes.rdp = -1;
}

KilnProductionProfile *
kiln_production_profile_new (void)
{
  return g_object_new (KILN_TYPE_PRODUCTION_PROFILE, NULL);
}

static gboolean
refuse_locked (KilnProductionProfile  *self,
               GError                **error)
{
  if (!self->locked)
    return FALSE;
  g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_LOCKED,
                       _("The profile is locked: unlock it deliberately before changing it"));
  return TRUE;
}

/* Each assignment against a chip of every line Kiln knows that takes it
 * (the sectors and fields depend on the chip, checked again on the board). */
gboolean
kiln_production_profile_check_assignments (char   **set,
                   GError **error)
{
  for (guint i = 0; set != NULL && set[i] != NULL; i++)
    {
      g_autoptr(GError) first = NULL;
      gboolean ok = FALSE;

      for (guint l = 0; l < kiln_chip_db_get_n_lines () && !ok; l++)
        {
          const KilnChipLine *line = kiln_chip_db_get_line (l);
          g_autoptr(KilnChip) chip = kiln_chip_new (line, 0, FALSE, NULL);
          g_autoptr(GError) local = NULL;
          KilnOptionBytes ob;

          if (chip == NULL)
            continue;
          kiln_option_bytes_decode (&ob, line, 0xC0FFAAFD, 0x00400080);
          ok = kiln_option_bytes_set (&ob, chip, set[i], &local);
          if (!ok && first == NULL)
            first = g_steal_pointer (&local);
        }
      if (!ok)
        {
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE, _("[option-bytes] set: %s"),
                       first ? first->message : set[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* Accessors */

const char *
kiln_production_profile_get_path (KilnProductionProfile *self)
{
  return self->path;
}

const char *
kiln_production_profile_get_name (KilnProductionProfile *self)
{
  return self->name;
}

static char *
resolve (KilnProductionProfile *self,
         const char            *path)
{
  if (path == NULL || g_path_is_absolute (path) || self->dir == NULL)
    return g_strdup (path);
  return g_build_filename (self->dir, path, NULL);
}

char *
kiln_production_profile_dup_firmware_path (KilnProductionProfile *self)
{
  return resolve (self, self->firmware);
}

char *
kiln_production_profile_dup_list_path (KilnProductionProfile *self)
{
  return resolve (self, self->serial.list);
}

gboolean
kiln_production_profile_get_base (KilnProductionProfile *self,
                                  guint32               *base)
{
  if (base != NULL)
    *base = self->base;
  return self->has_base;
}

const char *
kiln_production_profile_get_sha256 (KilnProductionProfile *self)
{
  return self->sha256;
}

const char *
kiln_production_profile_get_chip (KilnProductionProfile *self)
{
  return self->chip;
}

gboolean
kiln_production_profile_get_verify (KilnProductionProfile *self)
{
  return self->verify;
}

gboolean
kiln_production_profile_get_reset (KilnProductionProfile *self)
{
  return self->reset;
}

gboolean
kiln_production_profile_get_skip_unchanged (KilnProductionProfile *self)
{
  return self->skip_unchanged;
}

gboolean
kiln_production_profile_get_vpp (KilnProductionProfile *self)
{
  return self->vpp;
}

const KilnSerialSettings *
kiln_production_profile_get_serial (KilnProductionProfile *self)
{
  return &self->serial;
}

const KilnOptionBytesExpectation *
kiln_production_profile_get_option_bytes (KilnProductionProfile *self)
{
  return &self->option_bytes;
}

/* Setters */

const KilnOperatorSettings *
kiln_production_profile_get_operator (KilnProductionProfile *self)
{
  return &self->operator_settings;
}

gboolean
kiln_production_profile_set_operator (KilnProductionProfile  *self,
                                      gboolean                mode,
                                      const char             *engineer_password,
                                      GError                **error)
{
  if (refuse_locked (self, error))
    return FALSE;
  kiln_operator_settings_clear (&self->operator_settings);
  self->operator_settings.mode = mode;
  self->operator_settings.engineer_password = g_strdup (engineer_password);
  return TRUE;
}

gboolean
kiln_production_profile_set_name (KilnProductionProfile  *self,
                                  const char             *name,
                                  GError                **error)
{
  if (refuse_locked (self, error))
    return FALSE;
  g_free (self->name);
  self->name = g_strdup (name);
  return TRUE;
}

static char *
sha256_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

gboolean
kiln_production_profile_set_firmware (KilnProductionProfile  *self,
                                      const char             *path,
                                      gboolean                has_base,
                                      guint32                 base,
                                      GError                **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autofree char *basename = NULL;

  g_autofree char *resolved = NULL;

  if (refuse_locked (self, error))
    return FALSE;
  /* A relative path is relative to the profile's folder, as when loading. */
  resolved = resolve (self, path);
  file = g_file_new_for_path (resolved);
  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return FALSE;
  basename = g_path_get_basename (path);
  image = kiln_image_load_bytes (bytes, basename, KILN_IMAGE_FORMAT_AUTO, has_base, base, error);
  if (image == NULL)
    return FALSE;

  g_free (self->firmware);
  self->firmware = self->dir == NULL && !g_path_is_absolute (path) ? g_canonicalize_filename (path, NULL)
                                                                   : g_strdup (path);
  g_free (self->sha256);
  self->sha256 = sha256_of (bytes);
  self->has_base = has_base;
  self->base = base;
  return TRUE;
}

gboolean
kiln_production_profile_set_chip (KilnProductionProfile  *self,
                                  const char             *chip,
                                  GError                **error)
{
  if (refuse_locked (self, error))
    return FALSE;
  g_free (self->chip);
  self->chip = g_strdup (chip);
  return TRUE;
}

gboolean
kiln_production_profile_set_options (KilnProductionProfile  *self,
                                     gboolean                verify,
                                     gboolean                reset,
                                     gboolean                skip_unchanged,
                                     GError                **error)
{
  if (refuse_locked (self, error))
    return FALSE;
  self->verify = verify;
  self->reset = reset;
  self->skip_unchanged = skip_unchanged;
  return TRUE;
}

gboolean
kiln_production_profile_set_option_bytes (KilnProductionProfile            *self,
                                          const KilnOptionBytesExpectation *expected,
                                          GError                          **error)
{
  if (refuse_locked (self, error))
    return FALSE;
  if (!kiln_production_profile_check_assignments (expected->set, error))
    return FALSE;
  g_strfreev (self->option_bytes.set);
  self->option_bytes = *expected;
  self->option_bytes.set = g_strdupv (expected->set);
  return TRUE;
}

gboolean
kiln_production_profile_set_serial (KilnProductionProfile     *self,
                                    const KilnSerialSettings  *settings,
                                    GError                   **error)
{
  if (refuse_locked (self, error))
    return FALSE;
  if (!kiln_serial_settings_validate (settings, error))
    return FALSE;
  kiln_serial_settings_copy (&self->serial, settings);
  return TRUE;
}

/* Locking */

gboolean
kiln_production_profile_check_chip (const char  *chip,
                                    GError     **error)
{
  if (chip != NULL && kiln_chip_db_find_part (chip) != NULL)
    return TRUE;
  for (guint i = 0; chip != NULL && i < kiln_chip_db_get_n_lines (); i++)
    if (g_ascii_strcasecmp (kiln_chip_db_get_line (i)->line, chip) == 0)
      return TRUE;
  g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
               _("The profile's chip “%s” is not one Kiln knows: give a part such as STM32F746NG or a line such as "
                 "STM32F74x/F75x"),
               chip ? chip : "");
  return FALSE;
}

gboolean
kiln_production_profile_lock (KilnProductionProfile  *self,
                              GError                **error)
{
  g_autoptr(KilnImage) image = NULL;

  g_return_val_if_fail (KILN_IS_PRODUCTION_PROFILE (self), FALSE);

  if (self->firmware == NULL || self->sha256 == NULL)
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("The profile has no firmware file pinned: choose the file before locking"));
      return FALSE;
    }
  if (!kiln_production_profile_check_chip (self->chip, error))
    return FALSE;
  if (!kiln_serial_settings_validate (&self->serial, error))
    return FALSE;
  /* The file must still be the pinned one, and the serial must fit beside it. */
  image = kiln_production_profile_load_image (self, error);
  if (image == NULL)
    return FALSE;
  self->locked = TRUE;
  return TRUE;
}

void
kiln_production_profile_unlock (KilnProductionProfile *self)
{
  g_return_if_fail (KILN_IS_PRODUCTION_PROFILE (self));
  self->locked = FALSE;
}

gboolean
kiln_production_profile_is_locked (KilnProductionProfile *self)
{
  return self->locked;
}

KilnImage *
kiln_production_profile_load_image (KilnProductionProfile  *self,
                                    GError                **error)
{
  g_autofree char *path = kiln_production_profile_dup_firmware_path (self);
  g_autofree char *basename = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(KilnImage) image = NULL;

  if (path == NULL || self->sha256 == NULL)
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("The profile pins no firmware file (firmware and sha256 in [profile])"));
      return NULL;
    }
  basename = g_path_get_basename (path);
  file = g_file_new_for_path (path);
  bytes = g_file_load_bytes (file, NULL, NULL, &local);
  if (bytes == NULL)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_FILE_CHANGED,
                   _("The profile's firmware %s cannot be read (%s): nothing was programmed. Ask the engineer who "
                     "prepared the profile to restore the file."),
                   path, local->message);
      return NULL;
    }
  sha = sha256_of (bytes);
  if (g_ascii_strcasecmp (sha, self->sha256) != 0)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_FILE_CHANGED,
                   _("%s has changed since the profile was signed (its SHA-256 is now %.12s…, the profile pins "
                     "%.12s…): it was not used and nothing was programmed. Ask the engineer who prepared the profile "
                     "to check the file and update the profile."),
                   basename, sha, self->sha256);
      return NULL;
    }
  image = kiln_image_load_bytes (bytes, basename, KILN_IMAGE_FORMAT_AUTO, self->has_base, self->base, error);
  if (image == NULL)
    return NULL;

  if (self->serial.source != KILN_SERIAL_SOURCE_NONE)
    {
      guint size = self->serial.size ? self->serial.size : 4;

      for (guint i = 0; i < kiln_image_get_n_ranges (image); i++)
        {
          const KilnImageRange *r = kiln_image_get_range (image, i);

          if ((guint64) self->serial.address < (guint64) r->address + r->size
              && (guint64) self->serial.address + size > r->address)
            {
              g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("The serial number at 0x%08X would overwrite %s's own data (0x%08X–0x%08X): choose an "
                             "address outside the firmware"),
                           self->serial.address, basename, r->address, (guint32) (r->address + r->size - 1));
              return NULL;
            }
        }
    }
  return g_steal_pointer (&image);
}
