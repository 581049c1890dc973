/* kiln-image-ihex.c — Intel HEX (record types 00–05)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-image-private.h"

static gboolean
is_blank (const char *line,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (line[i]))
      return FALSE;
  return TRUE;
}

gboolean
kiln_image_parse_ihex (KilnImageBuilder  *builder,
                       GBytes            *bytes,
                       const char        *name,
                       GError           **error)
{
  KilnImageLines lines = { 0 };
  const char *line;
  gsize length;
  guint64 upper = 0;       /* from type 04, shifted */
  guint64 segment = 0;     /* from type 02, times 16 */
  gboolean seen_eof = FALSE;
  guint eof_line = 0;

  lines.data = g_bytes_get_data (bytes, &lines.length);

  /* Skip a UTF-8 byte-order mark. */
  if (lines.length >= 3 && (guchar) lines.data[0] == 0xEF && (guchar) lines.data[1] == 0xBB
      && (guchar) lines.data[2] == 0xBF)
    lines.pos = 3;

  while (kiln_image_lines_next (&lines, &line, &length))
    {
      guint8 record[5 + 255];
      gsize n;
      guint8 count, type, sum = 0;
      guint16 offset;
      g_autofree char *origin = NULL;

      /* Trailing spaces are harmless; blank lines too. */
      while (length > 0 && g_ascii_isspace (line[length - 1]))
        length--;
      if (is_blank (line, length))
        continue;

      if (seen_eof)
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                     _("there is a record after the end-of-file record on line %u"), eof_line);

      if (line[0] != ':')
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                     _("a record must start with “:”; this is not an Intel HEX line"));

      if (!kiln_image_decode_record (line + 1, length - 1, 5, record, sizeof record, &n, name, lines.line, error))
        return FALSE;
      if (n < 5)
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_TRUNCATED, name, lines.line,
                     _("the record is too short (%zu bytes; a record has at least 5)"), n);

      count = record[0];
      offset = (guint16) (record[1] << 8 | record[2]);
      type = record[3];

      if ((gsize) count + 5 != n)
        return kiln_image_fail_at_line (error, (gsize) count + 5 > n ? KILN_IMAGE_ERROR_TRUNCATED : KILN_IMAGE_ERROR_SYNTAX,
                     name, lines.line,
                     _("the record says it holds %u data bytes but has %d"), count, (int) n - 5);

      for (gsize i = 0; i < n - 1; i++)
        sum += record[i];
      sum = (guint8) (0x100 - sum);
      if (sum != record[n - 1])
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_CHECKSUM, name, lines.line,
                     _("the checksum is 0x%02X but the record adds up to 0x%02X"), record[n - 1], sum);

      switch (type)
        {
        case 0x00:
          origin = g_strdup_printf (_("line %u"), lines.line);
          if (!kiln_image_builder_add (builder, (upper ? upper : segment) + offset, record + 4, count,
                                       origin, error))
            return FALSE;
          break;

        case 0x01:
          if (count != 0)
            return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                         _("the end-of-file record must hold no data"));
          seen_eof = TRUE;
          eof_line = lines.line;
          break;

        case 0x02:
          if (count != 2)
            return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                         _("an extended segment address record must hold 2 bytes, not %u"), count);
          segment = (guint64) (record[4] << 8 | record[5]) << 4;
          upper = 0;
          break;

        case 0x03:
          if (count != 4)
            return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                         _("a start segment address record must hold 4 bytes, not %u"), count);
          kiln_image_builder_set_entry (builder,
                                        ((guint32) (record[4] << 8 | record[5]) << 4)
                                          + (guint32) (record[6] << 8 | record[7]));
          break;

        case 0x04:
          if (count != 2)
            return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                         _("an extended linear address record must hold 2 bytes, not %u"), count);
          upper = (guint64) (record[4] << 8 | record[5]) << 16;
          segment = 0;
          break;

        case 0x05:
          if (count != 4)
            return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                         _("a start linear address record must hold 4 bytes, not %u"), count);
          kiln_image_builder_set_entry (builder, (guint32) record[4] << 24 | (guint32) record[5] << 16
                                                   | (guint32) record[6] << 8 | record[7]);
          break;

        default:
          return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                       _("record type %02X is not an Intel HEX record type (00 to 05)"), type);
        }
    }

  if (!seen_eof)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_TRUNCATED,
                   _("%s ends without an end-of-file record (line %u is the last): the file may be cut short"),
                   name, lines.line);
      return FALSE;
    }

  return TRUE;
}
