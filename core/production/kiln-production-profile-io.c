/* kiln-production-profile-io.c — a profile read from and written as its
 * key-file text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-production-profile-private.h"
#include "kiln-file-write.h"
#include "kiln-production-profile-keys.h"

static gboolean
get_bool (GKeyFile    *kf,
          const char  *group,
          const char  *key,
          gboolean     fallback,
          gboolean    *value,
          GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (!g_key_file_has_key (kf, group, key, NULL))
    {
      *value = fallback;
      return TRUE;
    }
  *value = g_key_file_get_boolean (kf, group, key, &local);
  if (local != NULL)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("[%s] %s: write true or false"), group, key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_number (GKeyFile    *kf,
            const char  *group,
            const char  *key,
            guint64      fallback,
            guint64      max,
            guint64     *value,
            GError     **error)
{
  g_autofree char *text = g_key_file_get_string (kf, group, key, NULL);
  char *end = NULL;

  if (text == NULL)
    {
      *value = fallback;
      return TRUE;
    }
  g_strstrip (text);
  *value = g_ascii_strtoull (text, &end, 0);
  if (*text == '\0' || *end != '\0' || *text == '-' || *value > max)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("[%s] %s = %s: write a number (decimal, or hexadecimal with 0x)"), group, key, text);
      return FALSE;
    }
  return TRUE;
}

static char *
get_string (GKeyFile   *kf,
            const char *group,
            const char *key)
{
  char *s = g_key_file_get_string (kf, group, key, NULL);

  if (s != NULL && *g_strstrip (s) == '\0')
    g_clear_pointer (&s, g_free);
  return s;
}

static gboolean
parse_wrp (const char  *text,
           guint32     *mask,
           GError     **error)
{
  g_auto(GStrv) parts = NULL;

  *mask = 0;
  if (g_ascii_strcasecmp (text, "none") == 0)
    return TRUE;
  parts = g_strsplit_set (text, ", ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *end;
      guint64 n;

      if (*parts[i] == '\0')
        continue;
      n = g_ascii_strtoull (parts[i], &end, 10);
      if (*end != '\0' || n > 31)
        {
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                       _("[option-bytes] wrp = %s: write none, or the sector numbers expected write-protected "
                         "(such as 0,1)"),
                       text);
          return FALSE;
        }
      *mask |= 1u << n;
    }
  return TRUE;
}

/* "rdp=1 bor=3" → { "rdp=1", "bor=3" } (spaces or semicolons between). */
static char **
split_assignments (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text, " ;\t", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

KilnProductionProfile *
kiln_production_profile_load (const char  *path,
                              GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &text, &length, &local))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("Cannot read the production profile %s: %s"), path, local->message);
      return NULL;
    }
  return kiln_production_profile_load_data (path, text, length, error);
}

KilnProductionProfile *
kiln_production_profile_load_data (const char  *path,
                                   const char  *text,
                                   gsize        length,
                                   GError     **error)
{
  g_autoptr(KilnProductionProfile) self = kiln_production_profile_new ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *base = NULL;
  g_autofree char *rdp = NULL;
  g_autofree char *wrp = NULL;
  g_autofree char *set = NULL;
  g_autofree char *source = NULL;
  g_autofree char *encoding = NULL;
  g_autofree char *address = NULL;
  guint64 n;

  if (!g_key_file_load_from_data (kf, text, length, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("Cannot read the production profile %s: %s"), path, local->message);
      return NULL;
    }
  /* A misspelt key would otherwise be ignored silently (verfy = false). */
  if (!kiln_profile_keys_check (kf, text, path, error))
    return NULL;
  self->path = g_strdup (path);
  self->dir = g_path_get_dirname (path);

  self->name = get_string (kf, GROUP_PROFILE, "name");
  self->firmware = get_string (kf, GROUP_PROFILE, "firmware");
  self->sha256 = get_string (kf, GROUP_PROFILE, "sha256");
  if (self->sha256 != NULL)
    {
      char *lower = g_ascii_strdown (self->sha256, -1);

      g_free (self->sha256);
      self->sha256 = lower;
    }
  self->chip = get_string (kf, GROUP_PROFILE, "chip");
  base = get_string (kf, GROUP_PROFILE, "base");
  if (base != NULL)
    {
      if (!get_number (kf, GROUP_PROFILE, "base", 0, G_MAXUINT32, &n, error))
        return NULL;
      self->has_base = TRUE;
      self->base = (guint32) n;
    }
  if (!get_bool (kf, GROUP_PROFILE, "verify", TRUE, &self->verify, error)
      || !get_bool (kf, GROUP_PROFILE, "reset", TRUE, &self->reset, error)
      || !get_bool (kf, GROUP_PROFILE, "skip-unchanged", TRUE, &self->skip_unchanged, error)
      || !get_bool (kf, GROUP_PROFILE, "vpp", FALSE, &self->vpp, error))
    return NULL;

  rdp = get_string (kf, GROUP_OPTIONS, "rdp");
  if (rdp != NULL)
    {
      if (!get_number (kf, GROUP_OPTIONS, "rdp", 0, 2, &n, error))
        return NULL;
      self->option_bytes.rdp = (int) n;
    }
  wrp = get_string (kf, GROUP_OPTIONS, "wrp");
  if (wrp != NULL)
    {
      if (!parse_wrp (wrp, &self->option_bytes.wrp, error))
        return NULL;
      self->option_bytes.wrp_enforced = TRUE;
    }
  set = get_string (kf, GROUP_OPTIONS, "set");
  if (set != NULL)
    {
      self->option_bytes.set = split_assignments (set);
      if (!kiln_production_profile_check_assignments (self->option_bytes.set, error))
        return NULL;
    }
  if (!get_bool (kf, GROUP_OPTIONS, "allow-irreversible", FALSE, &self->option_bytes.allow_irreversible, error))
    return NULL;

  source = get_string (kf, GROUP_SERIAL, "source");
  if (source != NULL)
    {
      KilnSerialSettings *s = &self->serial;

      if (g_ascii_strcasecmp (source, "counter") == 0)
        s->source = KILN_SERIAL_SOURCE_COUNTER;
      else if (g_ascii_strcasecmp (source, "list") == 0)
        s->source = KILN_SERIAL_SOURCE_LIST;
      else if (g_ascii_strcasecmp (source, "uid") == 0)
        s->source = KILN_SERIAL_SOURCE_UID;
      else if (g_ascii_strcasecmp (source, "none") != 0)
        {
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                       _("[serial] source = %s: use counter, list, uid or none"), source);
          return NULL;
        }
      address = get_string (kf, GROUP_SERIAL, "address");
      if (s->source != KILN_SERIAL_SOURCE_NONE && address == NULL)
        {
          g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                               _("[serial] needs the address the number is written at (address = 0x…)"));
          return NULL;
        }
      if (!get_number (kf, GROUP_SERIAL, "address", 0, G_MAXUINT32, &n, error))
        return NULL;
      s->address = (guint32) n;
      if (!get_number (kf, GROUP_SERIAL, "start", 1, G_MAXUINT32, &s->start, error))
        return NULL;
      if (!get_number (kf, GROUP_SERIAL, "size", 0, 256, &n, error))
        return NULL;
      s->size = (guint) n;
      s->format = get_string (kf, GROUP_SERIAL, "format");
      s->list = get_string (kf, GROUP_SERIAL, "list");
      s->series = get_string (kf, GROUP_SERIAL, "series");
      encoding = get_string (kf, GROUP_SERIAL, "encoding");
      if (encoding == NULL || g_ascii_strcasecmp (encoding, "ascii") == 0)
        s->encoding = KILN_SERIAL_ENCODING_ASCII;
      else if (g_ascii_strcasecmp (encoding, "u32le") == 0)
        s->encoding = KILN_SERIAL_ENCODING_U32LE;
      else
        {
          g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                       _("[serial] encoding = %s: use ascii or u32le"), encoding);
          return NULL;
        }
      if (!kiln_serial_settings_validate (s, error))
        return NULL;
    }
  if (!kiln_operator_settings_read (&self->operator_settings, kf, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* What each key means above it (the template's words), and a first line
 * saying what the file is: a saved profile stays readable. */
static void
add_comments (GKeyFile *kf)
{
  guint n_keys = 0;
  const KilnProfileKey *keys = kiln_profile_keys_get (&n_keys);

  g_key_file_set_comment (kf, NULL, NULL,
                          _(" A Kiln production profile (kiln-cli profile show checks it, kiln-cli profile sign signs it)"),
                          NULL);
  for (guint i = 0; i < n_keys; i++)
    if (g_key_file_has_key (kf, keys[i].group, keys[i].key, NULL))
      {
        g_autofree char *comment = g_strconcat (" ", _(keys[i].doc), NULL);

        g_key_file_set_comment (kf, keys[i].group, keys[i].key, comment, NULL);
      }
}

gboolean
kiln_production_profile_save (KilnProductionProfile  *self,
                              const char             *path,
                              GError                **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *data = NULL;
  const KilnSerialSettings *s = &self->serial;

  g_return_val_if_fail (KILN_IS_PRODUCTION_PROFILE (self), FALSE);

  if (self->name)
    g_key_file_set_string (kf, GROUP_PROFILE, "name", self->name);
  if (self->firmware)
    g_key_file_set_string (kf, GROUP_PROFILE, "firmware", self->firmware);
  if (self->sha256)
    g_key_file_set_string (kf, GROUP_PROFILE, "sha256", self->sha256);
  if (self->has_base)
    {
      g_autofree char *b = g_strdup_printf ("0x%08X", self->base);

      g_key_file_set_string (kf, GROUP_PROFILE, "base", b);
    }
  if (self->chip)
    g_key_file_set_string (kf, GROUP_PROFILE, "chip", self->chip);
  g_key_file_set_boolean (kf, GROUP_PROFILE, "verify", self->verify);
  g_key_file_set_boolean (kf, GROUP_PROFILE, "reset", self->reset);
  g_key_file_set_boolean (kf, GROUP_PROFILE, "skip-unchanged", self->skip_unchanged);
  if (self->vpp)
    g_key_file_set_boolean (kf, GROUP_PROFILE, "vpp", TRUE);

  if (self->option_bytes.rdp >= 0)
    g_key_file_set_integer (kf, GROUP_OPTIONS, "rdp", self->option_bytes.rdp);
  if (self->option_bytes.wrp_enforced)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < 32; i++)
        if (self->option_bytes.wrp & (1u << i))
          g_string_append_printf (list, "%s%u", list->len ? "," : "", i);
      g_key_file_set_string (kf, GROUP_OPTIONS, "wrp", list->len ? list->str : "none");
    }
  if (self->option_bytes.set != NULL && self->option_bytes.set[0] != NULL)
    {
      g_autofree char *set = g_strjoinv (" ", self->option_bytes.set);

      g_key_file_set_string (kf, GROUP_OPTIONS, "set", set);
    }
  if (self->option_bytes.allow_irreversible)
    g_key_file_set_boolean (kf, GROUP_OPTIONS, "allow-irreversible", TRUE);

  if (s->source != KILN_SERIAL_SOURCE_NONE)
    {
      g_autofree char *address = g_strdup_printf ("0x%08X", s->address);

      g_key_file_set_string (kf, GROUP_SERIAL, "source", kiln_serial_source_to_string (s->source));
      g_key_file_set_string (kf, GROUP_SERIAL, "address", address);
      if (s->format)
        g_key_file_set_string (kf, GROUP_SERIAL, "format", s->format);
      if (s->source == KILN_SERIAL_SOURCE_COUNTER)
        g_key_file_set_uint64 (kf, GROUP_SERIAL, "start", s->start);
      if (s->list)
        g_key_file_set_string (kf, GROUP_SERIAL, "list", s->list);
      if (s->series)
        g_key_file_set_string (kf, GROUP_SERIAL, "series", s->series);
      g_key_file_set_string (kf, GROUP_SERIAL, "encoding", s->encoding == KILN_SERIAL_ENCODING_U32LE ? "u32le" : "ascii");
      if (s->size)
        g_key_file_set_integer (kf, GROUP_SERIAL, "size", (int) s->size);
    }

  kiln_operator_settings_write (&self->operator_settings, kf);

  add_comments (kf);
  data = g_key_file_to_data (kf, NULL, NULL);
  if (!kiln_file_write (path, data, strlen (data), 0666, error))
    return FALSE;
  if (g_strcmp0 (self->path, path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (path);
      g_free (self->dir);
      self->dir = g_path_get_dirname (path);
    }
  return TRUE;
}
