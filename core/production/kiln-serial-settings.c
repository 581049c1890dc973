/* kiln-serial-settings.c — a profile's serial-number settings: the format's
 * one conversion, formatting a number, and checking the settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-flash-otp.h"
#include "kiln-production-profile-private.h"

void
kiln_serial_settings_clear (KilnSerialSettings *settings)
{
  g_clear_pointer (&settings->format, g_free);
  g_clear_pointer (&settings->list, g_free);
  g_clear_pointer (&settings->series, g_free);
  memset (settings, 0, sizeof *settings);
}

void
kiln_serial_settings_copy (KilnSerialSettings       *to,
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
