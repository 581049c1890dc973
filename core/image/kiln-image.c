/* kiln-image.c — a firmware image as sorted, merged address ranges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-image-private.h"

typedef struct
{
  guint64  address;
  GBytes  *bytes;
  char    *origin;
  guint    order;
} Piece;

struct _KilnImageBuilder
{
  char            *display_name;
  KilnImageFormat  format;
  GArray          *pieces;     /* Piece */
  GArray          *segments;   /* KilnImageSegment, names owned */
  gboolean         has_entry;
  guint32          entry;
};

struct _KilnImage
{
  GObject          parent_instance;

  char            *display_name;
  KilnImageFormat  format;
  GArray          *ranges;     /* KilnImageRange, data and origin owned */
  GArray          *segments;   /* KilnImageSegment, names owned */
  guint64          total_size;
  gboolean         has_entry;
  guint32          entry;
};

G_DEFINE_FINAL_TYPE (KilnImage, kiln_image, G_TYPE_OBJECT)

static void
piece_clear (gpointer data)
{
  Piece *piece = data;

  g_clear_pointer (&piece->bytes, g_bytes_unref);
  g_clear_pointer (&piece->origin, g_free);
}

static void
range_clear (gpointer data)
{
  KilnImageRange *range = data;

  g_free ((gpointer) range->data);
  g_free ((gpointer) range->origin);
}

static void
segment_clear (gpointer data)
{
  KilnImageSegment *segment = data;

  g_free ((gpointer) segment->name);
}

static void
kiln_image_finalize (GObject *object)
{
  KilnImage *self = (KilnImage *) object;

  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->ranges, g_array_unref);
  g_clear_pointer (&self->segments, g_array_unref);

  G_OBJECT_CLASS (kiln_image_parent_class)->finalize (object);
}

static void
kiln_image_class_init (KilnImageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_image_finalize;
}

static void
kiln_image_init (KilnImage *self)
{
  self->ranges = g_array_new (FALSE, TRUE, sizeof (KilnImageRange));
  g_array_set_clear_func (self->ranges, range_clear);
  self->segments = g_array_new (FALSE, TRUE, sizeof (KilnImageSegment));
  g_array_set_clear_func (self->segments, segment_clear);
}

KilnImageBuilder *
kiln_image_builder_new (const char      *display_name,
                        KilnImageFormat  format)
{
  KilnImageBuilder *builder = g_new0 (KilnImageBuilder, 1);

  builder->display_name = g_strdup (display_name);
  builder->format = format;
  builder->pieces = g_array_new (FALSE, TRUE, sizeof (Piece));
  g_array_set_clear_func (builder->pieces, piece_clear);
  builder->segments = g_array_new (FALSE, TRUE, sizeof (KilnImageSegment));
  g_array_set_clear_func (builder->segments, segment_clear);
  return builder;
}

void
kiln_image_builder_free (KilnImageBuilder *builder)
{
  if (builder == NULL)
    return;
  g_free (builder->display_name);
  g_clear_pointer (&builder->pieces, g_array_unref);
  g_clear_pointer (&builder->segments, g_array_unref);
  g_free (builder);
}

gboolean
kiln_image_builder_add (KilnImageBuilder  *builder,
                        guint64            address,
                        const guint8      *data,
                        gsize              size,
                        const char        *origin,
                        GError           **error)
{
  Piece piece;

  if (size == 0)
    return TRUE;

  if (address > G_MAXUINT32 || size > (guint64) G_MAXUINT32 + 1 - address)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_RANGE,
                   _("%s, %s: %zu bytes at 0x%08" PRIX64 " run past the end of the 32-bit address space"),
                   builder->display_name, origin, size, address);
      return FALSE;
    }

  piece.address = address;
  piece.bytes = g_bytes_new (data, size);
  piece.origin = g_strdup (origin);
  piece.order = builder->pieces->len;
  g_array_append_val (builder->pieces, piece);
  return TRUE;
}

void
kiln_image_builder_add_segment (KilnImageBuilder *builder,
                                const char       *name,
                                guint32           address,
                                guint32           size)
{
  KilnImageSegment segment = { g_strdup (name), address, size };

  g_array_append_val (builder->segments, segment);
}

void
kiln_image_builder_set_entry (KilnImageBuilder *builder,
                              guint32           entry)
{
  builder->has_entry = TRUE;
  builder->entry = entry;
}

static int
compare_pieces (gconstpointer a,
                gconstpointer b)
{
  const Piece *pa = a;
  const Piece *pb = b;

  if (pa->address != pb->address)
    return pa->address < pb->address ? -1 : 1;
  return pa->order < pb->order ? -1 : (pa->order > pb->order);
}

static int
compare_segments (gconstpointer a,
                  gconstpointer b)
{
  const KilnImageSegment *sa = a;
  const KilnImageSegment *sb = b;

  if (sa->address != sb->address)
    return sa->address < sb->address ? -1 : 1;
  return 0;
}

/* "segment 0", "segment 0 and segment 1", "segment 0, segment 1 and 4 more" */
static char *
join_origins (GPtrArray *origins)
{
  if (origins->len == 1)
    return g_strdup (g_ptr_array_index (origins, 0));
  if (origins->len == 2)
    /* Translators: where the bytes of a range came from, e.g. "segment 0 and segment 1" */
    return g_strdup_printf (_("%s and %s"), (char *) g_ptr_array_index (origins, 0),
                            (char *) g_ptr_array_index (origins, 1));
  /* Translators: e.g. "line 1 … line 212 (40 pieces)" */
  return g_strdup_printf (_("%s … %s (%u pieces)"), (char *) g_ptr_array_index (origins, 0),
                          (char *) g_ptr_array_index (origins, origins->len - 1), origins->len);
}

static void
flush_range (KilnImage  *image,
             guint64     start,
             GByteArray *bytes,
             GPtrArray  *origins)
{
  KilnImageRange range;

  range.address = (guint32) start;
  range.size = bytes->len;
  range.data = g_memdup2 (bytes->data, bytes->len);
  range.origin = join_origins (origins);
  g_array_append_val (image->ranges, range);
  image->total_size += bytes->len;
}

KilnImage *
kiln_image_builder_end (KilnImageBuilder  *builder,
                        GError           **error)
{
  g_autoptr(KilnImage) image = g_object_new (KILN_TYPE_IMAGE, NULL);
  g_autoptr(GByteArray) current = g_byte_array_new ();
  g_autoptr(GPtrArray) origins = g_ptr_array_new ();
  guint64 start = 0;

  image->display_name = g_strdup (builder->display_name);
  image->format = builder->format;
  image->has_entry = builder->has_entry;
  image->entry = builder->entry;

  if (builder->pieces->len == 0)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_EMPTY,
                   _("%s holds no data to program"), builder->display_name);
      return NULL;
    }

  g_array_sort (builder->pieces, compare_pieces);

  for (guint i = 0; i < builder->pieces->len; i++)
    {
      const Piece *piece = &g_array_index (builder->pieces, Piece, i);
      gsize size;
      const guint8 *data = g_bytes_get_data (piece->bytes, &size);
      guint64 end = start + current->len;

      if (current->len > 0 && piece->address > end)
        {
          flush_range (image, start, current, origins);
          g_byte_array_set_size (current, 0);
          g_ptr_array_set_size (origins, 0);
        }

      if (current->len == 0)
        {
          start = piece->address;
          g_byte_array_append (current, data, size);
          g_ptr_array_add (origins, piece->origin);
          continue;
        }

      /* The piece starts inside or right at the end of the current range. */
      {
        gsize offset = piece->address - start;
        gsize overlap = MIN (size, current->len - offset);

        for (gsize j = 0; j < overlap; j++)
          {
            if (current->data[offset + j] != data[j])
              {
                const char *other = g_ptr_array_index (origins, origins->len - 1);

                /* Find the earlier piece that put the byte there. */
                for (guint k = 0; k < i; k++)
                  {
                    const Piece *p = &g_array_index (builder->pieces, Piece, k);
                    guint64 a = piece->address + j;

                    if (a >= p->address && a < p->address + g_bytes_get_size (p->bytes))
                      other = p->origin;
                  }
                g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_OVERLAP,
                             _("%s: %s and %s both place data at 0x%08" PRIX64 ", with different bytes (0x%02X and 0x%02X)"),
                             builder->display_name, other, piece->origin,
                             piece->address + j, current->data[offset + j], data[j]);
                return NULL;
              }
          }
        if (size > overlap)
          g_byte_array_append (current, data + overlap, size - overlap);
        g_ptr_array_add (origins, piece->origin);
      }
    }
  flush_range (image, start, current, origins);

  if (builder->segments->len > 0)
    {
      for (guint i = 0; i < builder->segments->len; i++)
        {
          const KilnImageSegment *s = &g_array_index (builder->segments, KilnImageSegment, i);
          KilnImageSegment copy = { g_strdup (s->name), s->address, s->size };

          g_array_append_val (image->segments, copy);
        }
      g_array_sort (image->segments, compare_segments);
    }
  else
    {
      for (guint i = 0; i < image->ranges->len; i++)
        {
          const KilnImageRange *r = &g_array_index (image->ranges, KilnImageRange, i);
          KilnImageSegment s = { g_strdup (r->origin), r->address, r->size };

          g_array_append_val (image->segments, s);
        }
    }

  return g_steal_pointer (&image);
}

/* Line splitting and hex decoding for the text formats. */

gboolean
kiln_image_lines_next (KilnImageLines  *lines,
                       const char     **line,
                       gsize           *length)
{
  gsize start = lines->pos;
  gsize end;

  if (lines->pos >= lines->length)
    return FALSE;

  end = start;
  while (end < lines->length && lines->data[end] != '\n' && lines->data[end] != '\r')
    end++;

  *line = lines->data + start;
  *length = end - start;
  lines->line++;

  if (end < lines->length && lines->data[end] == '\r')
    end++;
  if (end < lines->length && lines->data[end] == '\n')
    end++;
  lines->pos = end;
  return TRUE;
}

gboolean
kiln_image_fail_at_line (GError     **error,
                         int          code,
                         const char  *name,
                         guint        line,
                         const char  *format,
                         ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: "blinky.hex line 14: the checksum …" */
  g_set_error (error, KILN_IMAGE_ERROR, code, _("%s line %u: %s"), name, line, what);
  return FALSE;
}

gboolean
kiln_image_hex_decode (const char *text,
                       gsize       n,
                       guint8     *out)
{
  for (gsize i = 0; i < n; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]);
      int lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

gboolean
kiln_image_decode_record (const char  *digits,
                          gsize        n_digits,
                          gsize        min,
                          guint8      *record,
                          gsize        size,
                          gsize       *n,
                          const char  *name,
                          guint        line,
                          GError     **error)
{
  if (n_digits % 2 != 0)
    return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, line,
                                    _("the record has an odd number of hex digits"));
  *n = n_digits / 2;
  if (*n < min)
    return TRUE;
  if (*n > size)
    return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, line,
                                    _("the record is too long (%zu bytes)"), *n);
  if (!kiln_image_hex_decode (digits, *n, record))
    return kiln_image_fail_at_line (error, KILN_IMAGE_ERROR_SYNTAX, name, line,
                                    _("the record contains a character that is not a hex digit"));
  return TRUE;
}

/* Public API */

const char *
kiln_image_format_to_string (KilnImageFormat format)
{
  switch (format)
    {
    case KILN_IMAGE_FORMAT_ELF:  return "ELF";
    case KILN_IMAGE_FORMAT_IHEX: return "Intel HEX";
    case KILN_IMAGE_FORMAT_SREC: return "Motorola S-record";
    case KILN_IMAGE_FORMAT_BIN:  return _("raw binary");
    case KILN_IMAGE_FORMAT_AUTO:
    default:                     return _("unknown");
    }
}

/* Whether @data starts with one whole record of a text format (after a
 * byte-order mark and blank lines): @mark (and for S-records the type
 * digit), then pairs of hex digits up to the end of the line, as many as
 * the record's count says, with a checksum that adds up. A binary image
 * may begin with a ':' or an 'S' and a digit by chance (one random file in
 * a few hundred does); a whole record with its checksum it does not. */
static gboolean
starts_with_record (const guint8 *data,
                    gsize         size,
                    char          mark)
{
  guint8 bytes[261];
  gsize i = 0, n = 0;
  guint sum = 0;

  if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    i = 3;
  while (i < size && (data[i] == '\n' || data[i] == '\r' || data[i] == ' ' || data[i] == '\t'))
    i++;
  if (i >= size || data[i++] != mark)
    return FALSE;
  if (mark == 'S' && (i >= size || !g_ascii_isdigit (data[i++])))
    return FALSE;
  while (i + 1 < size && n < sizeof bytes && g_ascii_isxdigit (data[i]) && g_ascii_isxdigit (data[i + 1]))
    {
      bytes[n] = g_ascii_xdigit_value (data[i]) << 4 | g_ascii_xdigit_value (data[i + 1]);
      sum += bytes[n++];
      i += 2;
    }
  if (i < size && data[i] != '\n' && data[i] != '\r')
    return FALSE;
  /* Intel HEX: count, address (2), type, data, checksum; all add up to 0.
   * S-record: count (of what follows), address, data, checksum; all add
   * up to 0xFF. */
  if (mark == ':')
    return n >= 5 && n == bytes[0] + 5u && (sum & 0xFF) == 0;
  return n >= 4 && n == bytes[0] + 1u && (sum & 0xFF) == 0xFF;
}

KilnImageFormat
kiln_image_guess_format (const char *path,
                         GBytes     *contents)
{
  gsize size = 0;
  const guint8 *data = contents ? g_bytes_get_data (contents, &size) : NULL;
  g_autofree char *lower = path ? g_ascii_strdown (path, -1) : NULL;

  if (data != NULL)
    {
      if (size >= 4 && memcmp (data, "\177ELF", 4) == 0)
        return KILN_IMAGE_FORMAT_ELF;
      if (starts_with_record (data, size, ':'))
        return KILN_IMAGE_FORMAT_IHEX;
      if (starts_with_record (data, size, 'S'))
        return KILN_IMAGE_FORMAT_SREC;
    }

  if (lower != NULL)
    {
      if (g_str_has_suffix (lower, ".elf") || g_str_has_suffix (lower, ".axf") || g_str_has_suffix (lower, ".out"))
        return KILN_IMAGE_FORMAT_ELF;
      if (g_str_has_suffix (lower, ".hex") || g_str_has_suffix (lower, ".ihex") || g_str_has_suffix (lower, ".ihx"))
        return KILN_IMAGE_FORMAT_IHEX;
      if (g_str_has_suffix (lower, ".srec") || g_str_has_suffix (lower, ".s19") || g_str_has_suffix (lower, ".s28")
          || g_str_has_suffix (lower, ".s37") || g_str_has_suffix (lower, ".mot"))
        return KILN_IMAGE_FORMAT_SREC;
    }

  return KILN_IMAGE_FORMAT_BIN;
}

KilnImage *
kiln_image_load_bytes (GBytes           *bytes,
                       const char       *display_name,
                       KilnImageFormat   format,
                       gboolean          has_base,
                       guint32           base,
                       GError          **error)
{
  g_autoptr(KilnImageBuilder) builder = NULL;
  const char *name = display_name ? display_name : _("the image");
  gboolean ok = FALSE;

  g_return_val_if_fail (bytes != NULL, NULL);

  if (format == KILN_IMAGE_FORMAT_AUTO)
    format = kiln_image_guess_format (display_name, bytes);

  builder = kiln_image_builder_new (name, format);

  switch (format)
    {
    case KILN_IMAGE_FORMAT_ELF:
      ok = kiln_image_parse_elf (builder, bytes, name, error);
      break;
    case KILN_IMAGE_FORMAT_IHEX:
      ok = kiln_image_parse_ihex (builder, bytes, name, error);
      break;
    case KILN_IMAGE_FORMAT_SREC:
      ok = kiln_image_parse_srec (builder, bytes, name, error);
      break;
    case KILN_IMAGE_FORMAT_BIN:
      if (!has_base)
        {
          g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_NEEDS_BASE,
                       _("%s is a raw binary, which does not say where it belongs in memory: give its base address (for example 0x08000000)"),
                       name);
          return NULL;
        }
      ok = kiln_image_parse_bin (builder, bytes, name, base, error);
      break;
    case KILN_IMAGE_FORMAT_AUTO:
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    return NULL;

  return kiln_image_builder_end (builder, error);
}

KilnImage *
kiln_image_load_file (const char       *path,
                      KilnImageFormat   format,
                      gboolean          has_base,
                      guint32           base,
                      GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *display_name = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  display_name = g_filename_display_basename (path);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_autofree char *full_name = g_filename_display_name (path);

      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_IO,
                     _("There is no file %s: check its name and folder"), full_name);
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
        g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_IO,
                     _("You may not read %s: check its permissions"), full_name);
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ISDIR))
        g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_IO,
                     _("%s is a folder, not a firmware file"), full_name);
      else
        g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_IO,
                     _("Could not read %s: %s"), display_name, local_error->message);
      return NULL;
    }

  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  return kiln_image_load_bytes (bytes, display_name, format, has_base, base, error);
}

const char *
kiln_image_get_display_name (KilnImage *self)
{
  g_return_val_if_fail (KILN_IS_IMAGE (self), NULL);
  return self->display_name;
}

KilnImageFormat
kiln_image_get_format (KilnImage *self)
{
  g_return_val_if_fail (KILN_IS_IMAGE (self), KILN_IMAGE_FORMAT_AUTO);
  return self->format;
}

guint
kiln_image_get_n_ranges (KilnImage *self)
{
  g_return_val_if_fail (KILN_IS_IMAGE (self), 0);
  return self->ranges->len;
}

const KilnImageRange *
kiln_image_get_range (KilnImage *self,
                      guint      index)
{
  g_return_val_if_fail (KILN_IS_IMAGE (self), NULL);
  g_return_val_if_fail (index < self->ranges->len, NULL);
  return &g_array_index (self->ranges, KilnImageRange, index);
}

guint
kiln_image_get_n_segments (KilnImage *self)
{
  g_return_val_if_fail (KILN_IS_IMAGE (self), 0);
  return self->segments->len;
}

const KilnImageSegment *
kiln_image_get_segment (KilnImage *self,
                        guint      index)
{
  g_return_val_if_fail (KILN_IS_IMAGE (self), NULL);
  g_return_val_if_fail (index < self->segments->len, NULL);
  return &g_array_index (self->segments, KilnImageSegment, index);
}

guint64
kiln_image_get_total_size (KilnImage *self)
{
  g_return_val_if_fail (KILN_IS_IMAGE (self), 0);
  return self->total_size;
}

gboolean
kiln_image_get_entry_point (KilnImage *self,
                            guint32   *entry)
{
  g_return_val_if_fail (KILN_IS_IMAGE (self), FALSE);
  if (self->has_entry && entry != NULL)
    *entry = self->entry;
  return self->has_entry;
}

guint32
kiln_image_copy_into (KilnImage *self,
                      guint32    address,
                      guint32    size,
                      guint8    *buffer)
{
  guint64 end = (guint64) address + size;
  guint32 covered = 0;

  g_return_val_if_fail (KILN_IS_IMAGE (self), 0);

  for (guint i = 0; i < self->ranges->len; i++)
    {
      const KilnImageRange *r = &g_array_index (self->ranges, KilnImageRange, i);
      guint64 r_end = (guint64) r->address + r->size;
      guint64 lo = MAX ((guint64) address, r->address);
      guint64 hi = MIN (end, r_end);

      if (lo >= hi)
        continue;
      memcpy (buffer + (lo - address), r->data + (lo - r->address), hi - lo);
      covered += (guint32) (hi - lo);
    }

  return covered;
}

KilnImage *
kiln_image_new_with_data (KilnImage     *self,
                          guint32        address,
                          const guint8  *data,
                          gsize          size,
                          const char    *name,
                          GError       **error)
{
  g_autoptr(KilnImageBuilder) builder = NULL;

  g_return_val_if_fail (KILN_IS_IMAGE (self), NULL);

  for (guint i = 0; i < self->ranges->len; i++)
    {
      const KilnImageRange *r = &g_array_index (self->ranges, KilnImageRange, i);

      if ((guint64) address < (guint64) r->address + r->size && (guint64) address + size > r->address)
        {
          g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_OVERLAP,
                       _("%s: %s at 0x%08X (%zu bytes) would overwrite the file's own data at 0x%08X–0x%08X"),
                       self->display_name, name, address, size, r->address, (guint32) (r->address + r->size - 1));
          return NULL;
        }
    }

  builder = kiln_image_builder_new (self->display_name, self->format);
  for (guint i = 0; i < self->ranges->len; i++)
    {
      const KilnImageRange *r = &g_array_index (self->ranges, KilnImageRange, i);

      if (!kiln_image_builder_add (builder, r->address, r->data, r->size, r->origin, error))
        return NULL;
    }
  if (!kiln_image_builder_add (builder, address, data, size, name, error))
    return NULL;
  for (guint i = 0; i < self->segments->len; i++)
    {
      const KilnImageSegment *s = &g_array_index (self->segments, KilnImageSegment, i);

      kiln_image_builder_add_segment (builder, s->name, s->address, s->size);
    }
  kiln_image_builder_add_segment (builder, name, address, (guint32) size);
  if (self->has_entry)
    kiln_image_builder_set_entry (builder, self->entry);
  return kiln_image_builder_end (builder, error);
}
