/* kiln-production-profile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-chip.h"
#include "kiln-flash-option-bytes.h"
#include "kiln-flash-otp.h"
#include "kiln-production-profile.h"
#include "kiln-production-operator.h"
#include "kiln-production-profile-keys.h"

#define GROUP_PROFILE "profile"
#define GROUP_OPTIONS "option-bytes"
#define GROUP_SERIAL  "serial"

struct _KilnProductionProfile
{
  GObject                    parent_instance;

  char                      *path;
  char                      *dir;
  char                      *name;
  char                      *firmware;   /* as written */
  char                      *sha256;
  gboolean                   has_base;
  guint32                    base;
  char                      *chip;
  gboolean                   verify;
  gboolean                   reset;
  gboolean                   skip_unchanged;
  gboolean                   vpp;
  KilnOptionBytesExpectation option_bytes;
  KilnSerialSettings         serial;
  KilnOperatorSettings       operator_settings;
  gboolean                   locked;
};

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

/* Serial settings */

void
kiln_serial_settings_clear (KilnSerialSettings *settings)
{
  g_clear_pointer (&settings->format, g_free);
  g_clear_pointer (&settings->list, g_free);
  g_clear_pointer (&settings->series, g_free);
  memset (settings, 0, sizeof *settings);
}

static void
serial_settings_copy (KilnSerialSettings       *to,
                      const KilnSerialSettings *from)
{
  kiln_serial_settings_clear (to);
  *to = *from;
  to->format = g_strdup (from->format);
  to->list = g_strdup (from->list);
  to->series = g_strdup (from->series);
}

const char *
kiln_serial_source_to_string (KilnSerialSource source)
{
  switch (source)
    {
    case KILN_SERIAL_SOURCE_COUNTER: return "counter";
    case KILN_SERIAL_SOURCE_LIST:    return "list";
    case KILN_SERIAL_SOURCE_UID:     return "uid";
    case KILN_SERIAL_SOURCE_NONE:
    default:                         return "none";
    }
}

/* The format's single conversion: "%06u" → zero TRUE, width 6, conv 'u'.
 * Returns FALSE when there is not exactly one or it is not one we allow. */
static gboolean
parse_format (const char *format,
              gsize      *conv_start,
              gsize      *conv_end,
              gboolean   *zero,
              guint      *width,
              char       *conv)
{
  gboolean found = FALSE;

  for (gsize i = 0; format[i] != '\0'; i++)
    {
      gsize j;

      if (format[i] != '%')
        continue;
      if (format[i + 1] == '%')
        {
          i++;
          continue;
        }
      if (found)
        return FALSE;
      found = TRUE;
      *conv_start = i;
      j = i + 1;
      *zero = format[j] == '0';
      if (*zero)
        j++;
      *width = 0;
      while (g_ascii_isdigit (format[j]) && *width < 100)
        *width = *width * 10 + (guint) (format[j++] - '0');
      if (strchr ("udxXs", format[j]) == NULL || format[j] == '\0' || *width > 64)
        return FALSE;
      *conv = format[j];
      *conv_end = j + 1;
      i = j;
    }
  return found;
}

static void
append_literal (GString    *out,
                const char *text,
                gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      g_string_append_c (out, text[i]);
      if (text[i] == '%' && i + 1 < length && text[i + 1] == '%')
        i++;
    }
}

char *
kiln_serial_settings_format (const KilnSerialSettings *settings,
                             guint64                   number,
                             const char               *text)
{
  const char *format = settings->format;
  gsize start, end;
  gboolean zero;
  guint width;
  char conv;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *value = NULL;

  if (settings->source == KILN_SERIAL_SOURCE_LIST)
    return g_strdup (text);
  if (format == NULL)
    format = settings->source == KILN_SERIAL_SOURCE_UID ? "%s" : "%u";
  if (!parse_format (format, &start, &end, &zero, &width, &conv))
    return NULL;

  switch (conv)
    {
    case 'u':
    case 'd': value = g_strdup_printf ("%" G_GUINT64_FORMAT, number); break;
    case 'x': value = g_strdup_printf ("%" G_GINT64_MODIFIER "x", number); break;
    case 'X': value = g_strdup_printf ("%" G_GINT64_MODIFIER "X", number); break;
    default:  value = g_strdup (text ? text : ""); break;
    }

  append_literal (out, format, start);
  for (gsize n = strlen (value); n < width; n++)
    g_string_append_c (out, zero && conv != 's' ? '0' : ' ');
  g_string_append (out, value);
  append_literal (out, format + end, strlen (format + end));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
kiln_serial_settings_validate (const KilnSerialSettings  *settings,
                               GError                   **error)
{
  gsize start, end;
  gboolean zero;
  guint width;
  char conv = 0;

  if (settings->source == KILN_SERIAL_SOURCE_NONE)
    return TRUE;

  /* In flash (patched into the image), or in a one-time-programmable area
   * (written after the firmware is programmed and verified). */
  if ((settings->address < 0x08000000u || settings->address >= 0x10000000u)
      && kiln_flash_otp_find_line (settings->address, MAX (settings->size, 1)) == NULL)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("The serial number address 0x%08X is neither in flash (0x08000000 on) nor in a "
                     "one-time-programmable area with room for the number (0x1FF0F000–0x1FF0F3FF on STM32F74x/F76x, "
                     "0x1FF07800–0x1FF079FF on F72x/F73x)"),
                   settings->address);
      return FALSE;
    }

  if (settings->source == KILN_SERIAL_SOURCE_LIST)
    {
      if (settings->list == NULL || *settings->list == '\0')
        {
          g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                               _("Serial numbers come from a list, but the profile names no list file "
                                 "(add “list = FILE” to [serial])"));
          return FALSE;
        }
    }
  else if (settings->format != NULL
           && (!parse_format (settings->format, &start, &end, &zero, &width, &conv)
               || (settings->source == KILN_SERIAL_SOURCE_UID) != (conv == 's')))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   settings->source == KILN_SERIAL_SOURCE_UID
                     ? _("The serial number format “%s” must hold exactly one %%s (the chip's UID), such as “SN-%%s”")
                     : _("The serial number format “%s” must hold exactly one number conversion (%%u, %%d, %%x or "
                         "%%X, with an optional zero-padded width), such as “SN-%%06u”"),
                   settings->format);
      return FALSE;
    }

  if (settings->encoding == KILN_SERIAL_ENCODING_U32LE
      && (settings->source != KILN_SERIAL_SOURCE_COUNTER || (settings->size != 0 && settings->size != 4)))
    {
      g_set_error_literal (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("The u32le encoding writes the counter as a 4-byte number: use it with source = counter "
                             "and size = 4 (or no size)"));
      return FALSE;
    }
  if (settings->size > 256)
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("The serial number field is %u bytes; at most 256 are allowed"), settings->size);
      return FALSE;
    }
  return TRUE;
}

/* Loading and saving */

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

/* Each assignment against a chip of every line Kiln knows that takes it
 * (the sectors and fields depend on the chip, checked again on the board). */
static gboolean
check_assignments (char   **set,
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
      if (!check_assignments (self->option_bytes.set, error))
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

  data = g_key_file_to_data (kf, NULL, NULL);
  if (!g_file_set_contents (path, data, -1, error))
    return FALSE;
  if (g_strcmp0 (self->path, path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (path);
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
  if (!check_assignments (expected->set, error))
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
  serial_settings_copy (&self->serial, settings);
  return TRUE;
}

/* Locking */

/* A part ("STM32F746NG") or a line ("STM32F74x/F75x"). */
static gboolean
chip_is_known (const char *chip)
{
  if (kiln_chip_db_find_part (chip) != NULL)
    return TRUE;
  for (guint i = 0; i < kiln_chip_db_get_n_lines (); i++)
    if (g_ascii_strcasecmp (kiln_chip_db_get_line (i)->line, chip) == 0)
      return TRUE;
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
  if (self->chip == NULL || !chip_is_known (self->chip))
    {
      g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                   _("The profile's chip “%s” is not one Kiln knows: give a part such as STM32F746NG or a line such as "
                     "STM32F74x/F75x"),
                   self->chip ? self->chip : "");
      return FALSE;
    }
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
