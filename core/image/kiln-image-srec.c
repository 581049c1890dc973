/* kiln-image-srec.c — Motorola S-records (S0–S9)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-image-private.h"

gboolean
kiln_image_parse_srec (KilnImageBuilder  *builder,
                       GBytes            *bytes,
                       const char        *name,
                       GError           **error)
{
  KilnImageLines lines = { 0 };
  const char *line;
  gsize length;
  guint data_records = 0;
  gboolean seen_end = FALSE;
  guint end_line = 0;

  lines.data = g_bytes_get_data (bytes, &lines.length);

  while (kiln_image_lines_next (&lines, &line, &length))
    {
      guint8 record[1 + 255];
      guint8 sum = 0;
      int type;
      gsize n, addr_len;
      guint64 address = 0;
      g_autofree char *origin = NULL;

      while (length > 0 && g_ascii_isspace (line[length - 1]))
        length--;
      while (length > 0 && g_ascii_isspace (line[0]))
        line++, length--;
      if (length == 0)
        continue;

      if (seen_end)
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                     _("there is a record after the termination record on line %u"), end_line);

      if (line[0] != 'S' || length < 2 || !g_ascii_isdigit (line[1]))
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                     _("a record must start with “S” and a digit; this is not an S-record line"));
      type = line[1] - '0';

      if (!kiln_image_decode_record (line + 2, length - 2, 1, record, sizeof record, &n, name, lines.line, error))
        return FALSE;
      if (n < 1)
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_TRUNCATED, name, lines.line,
                     _("the record has no byte count"));
      if ((gsize) record[0] + 1 != n)
        return kiln_image_fail_at_line (error, (gsize) record[0] + 1 > n ? KILN_IMAGE_ERROR_TRUNCATED : KILN_IMAGE_ERROR_SYNTAX,
                     name, lines.line,
                     _("the record's byte count is %u but it has %d bytes after it"), record[0], (int) n - 1);

      for (gsize i = 0; i < n - 1; i++)
        sum += record[i];
      sum = (guint8) ~sum;
      if (sum != record[n - 1])
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_CHECKSUM, name, lines.line,
                     _("the checksum is 0x%02X but the record adds up to 0x%02X"), record[n - 1], sum);

      switch (type)
        {
        case 0: case 1: case 5: case 9: addr_len = 2; break;
        case 2: case 6: case 8:         addr_len = 3; break;
        case 3: case 7:                 addr_len = 4; break;
        default:
          return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, lines.line,
                       _("S%d is not an S-record type (S0 to S3, S5 to S9)"), type);
        }

      if (n < 1 + addr_len + 1)
        return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_TRUNCATED, name, lines.line,
                     _("the record is too short for its %zu-byte address"), addr_len);

      for (gsize i = 0; i < addr_len; i++)
        address = address << 8 | record[1 + i];

      switch (type)
        {
        case 0:
          break;

        case 1: case 2: case 3:
          origin = g_strdup_printf (_("line %u"), lines.line);
          if (!kiln_image_builder_add (builder, address, record + 1 + addr_len, n - 2 - addr_len,
                                       origin, error))
            return FALSE;
          data_records++;
          break;

        case 5: case 6:
          if (address != data_records)
            return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_TRUNCATED, name, lines.line,
                         _("the count record says %u data records but the file has %u: records are missing"),
                         (guint) address, data_records);
          break;

        case 7: case 8: case 9:
          kiln_image_builder_set_entry (builder, (guint32) address);
          seen_end = TRUE;
          end_line = lines.line;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (!seen_end)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_TRUNCATED,
                   _("%s ends without a termination record (S7, S8 or S9; line %u is the last): the file may be cut short"),
                   name, lines.line);
      return FALSE;
    }

  return TRUE;
}
