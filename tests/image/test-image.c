/* test-image.c — firmware image parsers: ELF, Intel HEX, S-record, BIN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gelf.h>
#include <locale.h>
#include <string.h>

#include "elf-writer.h"
#include "kiln-image.h"
#include "kiln-test.h"
#define FIXTURES_MISSING "the fixture firmware was not built (arm-none-eabi-gcc/objcopy not installed)"

static KilnImage *
load_text (const char       *name,
           const char       *text,
           KilnImageFormat   format,
           GError          **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return kiln_image_load_bytes (bytes, name, format, FALSE, 0, error);
}

static char *
fixture_path (const char *name)
{
  const char *build = g_getenv ("KILN_BUILD_DIR");

  if (build == NULL)
    return NULL;
  return g_build_filename (build, "tests", "fixtures", name, NULL);
}

static KilnImage *
load_fixture (const char *name,
              gboolean    has_base,
              guint32     base)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  KilnImage *image;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  image = kiln_image_load_file (path, KILN_IMAGE_FORMAT_AUTO, has_base, base, &error);
  g_assert_no_error (error);
  return image;
}

/* Intel HEX */

static const char good_hex[] =
  ":020000040800F2\n"
  ":100000000000012009020008110200081302000884\n"
  ":0400100001020304E2\n"
  ":10010000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\n"
  ":04000005080001F9F5\n"
  ":00000001FF\n";

static void
test_ihex_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = load_text ("good.hex", good_hex, KILN_IMAGE_FORMAT_AUTO, &error);
  const KilnImageRange *r;
  guint32 entry = 0;

  g_assert_no_error (error);
  g_assert_cmpint (kiln_image_get_format (image), ==, KILN_IMAGE_FORMAT_IHEX);
  /* 0x08000000..0x08000013 merges (adjacent records); 0x08000100 is apart. */
  g_assert_cmpuint (kiln_image_get_n_ranges (image), ==, 2);
  r = kiln_image_get_range (image, 0);
  g_assert_cmphex (r->address, ==, 0x08000000);
  g_assert_cmpuint (r->size, ==, 20);
  g_assert_cmpuint (r->data[3], ==, 0x20);
  g_assert_cmpuint (r->data[16], ==, 0x01);
  g_assert_cmpuint (r->data[19], ==, 0x04);
  r = kiln_image_get_range (image, 1);
  g_assert_cmphex (r->address, ==, 0x08000100);
  g_assert_cmpuint (r->size, ==, 16);
  g_assert_cmpstr (r->origin, ==, "line 4");
  g_assert_cmpuint (kiln_image_get_total_size (image), ==, 36);
  g_assert_true (kiln_image_get_entry_point (image, &entry));
  g_assert_cmphex (entry, ==, 0x080001F9);
}

static void
test_ihex_segment_address (void)
{
  g_autoptr(GError) error = NULL;
  /* Extended segment address 0x1000 → base 0x10000. */
  g_autoptr(KilnImage) image = load_text ("seg.hex",
                                          ":020000021000EC\n"
                                          ":040020001122334432\n"
                                          ":00000001FF\n",
                                          KILN_IMAGE_FORMAT_IHEX, &error);

  g_assert_no_error (error);
  g_assert_cmphex (kiln_image_get_range (image, 0)->address, ==, 0x10020);
}

typedef struct
{
  const char *text;
  int         code;
  const char *needle;
} BadCase;

static void
check_bad (const char      *name,
           const BadCase   *cases,
           guint            n,
           KilnImageFormat  format)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KilnImage) image = load_text (name, cases[i].text, format, &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(no error)");
      g_assert_null (image);
      g_assert_error (error, KILN_IMAGE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, name));
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
}

static void
test_ihex_bad (void)
{
  static const BadCase cases[] = {
    /* bad checksum on line 2 */
    { ":020000040800F2\n:0400100001020304E3\n:00000001FF\n", KILN_IMAGE_ERROR_CHECKSUM, "line 2: the checksum is 0xE3 but the record adds up to 0xE2" },
    /* no end-of-file record */
    { ":020000040800F2\n:0400100001020304E2\n", KILN_IMAGE_ERROR_TRUNCATED, "end-of-file record" },
    /* unknown record type 06 */
    { ":00000006FA\n:00000001FF\n", KILN_IMAGE_ERROR_SYNTAX, "line 1: record type 06" },
    /* odd number of digits */
    { ":0400100001020304E\n:00000001FF\n", KILN_IMAGE_ERROR_SYNTAX, "line 1: the record has an odd number" },
    /* length byte says 5, record holds 4 */
    { ":0500100001020304E1\n:00000001FF\n", KILN_IMAGE_ERROR_TRUNCATED, "holds 5 data bytes but has 4" },
    /* not hex */
    { ":04001000010203G4E2\n:00000001FF\n", KILN_IMAGE_ERROR_SYNTAX, "not a hex digit" },
    /* not a record */
    { "hello\n", KILN_IMAGE_ERROR_SYNTAX, "line 1" },
    /* data after the end */
    { ":00000001FF\n:0400100001020304E2\n", KILN_IMAGE_ERROR_SYNTAX, "after the end-of-file record on line 1" },
    /* too short */
    { ":0000\n", KILN_IMAGE_ERROR_TRUNCATED, "too short" },
    /* nothing to program */
    { ":00000001FF\n", KILN_IMAGE_ERROR_EMPTY, "no data" },
    /* runs past 4 GiB: 0xFFFF0000 + 0xFFF8 + 16 bytes */
    { ":02000004FFFFFC\n:10FFF80000000000000000000000000000000000F9\n:00000001FF\n", KILN_IMAGE_ERROR_RANGE, "past the end of the 32-bit address space" },
    /* two records put different bytes at 0x10 */
    { ":0400100001020304E2\n:010012009954\n:00000001FF\n", KILN_IMAGE_ERROR_OVERLAP, "line 1 and line 2 both place data at 0x00000012" },
  };

  check_bad ("bad.hex", cases, G_N_ELEMENTS (cases), KILN_IMAGE_FORMAT_IHEX);
}

static void
test_ihex_identical_overlap_merges (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = load_text ("same.hex",
                                          ":0400100001020304E2\n"
                                          ":0100120003EA\n"
                                          ":00000001FF\n",
                                          KILN_IMAGE_FORMAT_IHEX, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kiln_image_get_n_ranges (image), ==, 1);
  g_assert_cmpuint (kiln_image_get_range (image, 0)->size, ==, 4);
}

/* S-records */

static const char good_srec[] =
  "S00F000068656C6C6F202020202000003C\n"
  "S3090800000001020304E4\n"
  "S3090800000405060708D0\n"
  "S5030002FA\n"
  "S70508000101F0\n";

static void
test_srec_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = load_text ("good.srec", good_srec, KILN_IMAGE_FORMAT_AUTO, &error);
  guint32 entry;

  g_assert_no_error (error);
  g_assert_cmpint (kiln_image_get_format (image), ==, KILN_IMAGE_FORMAT_SREC);
  g_assert_cmpuint (kiln_image_get_n_ranges (image), ==, 1);
  g_assert_cmphex (kiln_image_get_range (image, 0)->address, ==, 0x08000000);
  g_assert_cmpuint (kiln_image_get_range (image, 0)->size, ==, 8);
  g_assert_cmpuint (kiln_image_get_range (image, 0)->data[7], ==, 8);
  g_assert_true (kiln_image_get_entry_point (image, &entry));
  g_assert_cmphex (entry, ==, 0x08000101);
}

static void
test_srec_bad (void)
{
  static const BadCase cases[] = {
    { "S3090800000001020304E5\nS70508000101F0\n", KILN_IMAGE_ERROR_CHECKSUM, "line 1: the checksum is 0xE5" },
    { "S3090800000001020304E4\n", KILN_IMAGE_ERROR_TRUNCATED, "termination record" },
    { "S3090800000001020304E4\nS5030002FA\nS70508000101F0\n", KILN_IMAGE_ERROR_TRUNCATED, "says 2 data records but the file has 1" },
    { "S4090800000001020304E4\nS70508000101F0\n", KILN_IMAGE_ERROR_SYNTAX, "S4 is not" },
    { "X3090800000001020304E4\n", KILN_IMAGE_ERROR_SYNTAX, "line 1" },
    { "S30A0800000001020304E4\nS70508000101F0\n", KILN_IMAGE_ERROR_TRUNCATED, "byte count is 10" },
    { "S70508000101F0\n", KILN_IMAGE_ERROR_EMPTY, "no data" },
  };

  check_bad ("bad.srec", cases, G_N_ELEMENTS (cases), KILN_IMAGE_FORMAT_SREC);
}

/* BIN */

static void
test_bin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new ("\x01\x02\x03", 3);
  g_autoptr(KilnImage) none = kiln_image_load_bytes (bytes, "raw.bin", KILN_IMAGE_FORMAT_AUTO, FALSE, 0, &error);
  g_autoptr(KilnImage) image = NULL;

  g_assert_null (none);
  g_assert_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_NEEDS_BASE);
  g_assert_nonnull (strstr (error->message, "raw.bin"));
  g_clear_error (&error);

  image = kiln_image_load_bytes (bytes, "raw.bin", KILN_IMAGE_FORMAT_AUTO, TRUE, 0x08010000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kiln_image_get_format (image), ==, KILN_IMAGE_FORMAT_BIN);
  g_assert_cmphex (kiln_image_get_range (image, 0)->address, ==, 0x08010000);
  g_assert_cmpuint (kiln_image_get_range (image, 0)->size, ==, 3);
  g_assert_false (kiln_image_get_entry_point (image, NULL));
}

static void
test_bin_empty_and_overflow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) empty = g_bytes_new ("", 0);
  g_autoptr(GBytes) four = g_bytes_new ("abcd", 4);
  g_autoptr(KilnImage) a = kiln_image_load_bytes (empty, "empty.bin", KILN_IMAGE_FORMAT_BIN, TRUE, 0x08000000, &error);
  g_autoptr(KilnImage) b = NULL;

  g_assert_null (a);
  g_assert_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_EMPTY);
  g_clear_error (&error);
  b = kiln_image_load_bytes (four, "top.bin", KILN_IMAGE_FORMAT_BIN, TRUE, 0xFFFFFFFE, &error);
  g_assert_null (b);
  g_assert_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_RANGE);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = kiln_image_load_file ("/nonexistent/firmware.elf", KILN_IMAGE_FORMAT_AUTO, FALSE, 0, &error);

  g_assert_null (image);
  g_assert_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "firmware.elf"));
}

static void
test_guess_format (void)
{
  g_autoptr(GBytes) elf = g_bytes_new ("\177ELF\1\1\1", 7);
  g_autoptr(GBytes) hex = g_bytes_new ("\n:00000001FF\n", 13);
  g_autoptr(GBytes) srec = g_bytes_new ("S9030000FC\r\n", 12);
  g_autoptr(GBytes) bin = g_bytes_new ("\0\0\1\2", 4);
  /* Binary images that begin like a text record by chance (a random
   * firmware file of the line test began with ":1" and a few hex digits). */
  g_autoptr(GBytes) colon = g_bytes_new ("\n:1A0F\x93\0\0\x08", 10);
  g_autoptr(GBytes) odd = g_bytes_new (":0000000\n", 9);
  g_autoptr(GBytes) bad_sum = g_bytes_new (":00000001FE\n", 12);
  g_autoptr(GBytes) short_count = g_bytes_new (":0200000001FD\n", 14);
  g_autoptr(GBytes) s_digit = g_bytes_new ("S1\xff\xfe\0\x20", 6);
  g_autoptr(GBytes) s_bad_sum = g_bytes_new ("S9030000FD\n", 11);

  g_assert_cmpint (kiln_image_guess_format ("x.bin", elf), ==, KILN_IMAGE_FORMAT_ELF);
  g_assert_cmpint (kiln_image_guess_format (NULL, hex), ==, KILN_IMAGE_FORMAT_IHEX);
  g_assert_cmpint (kiln_image_guess_format (NULL, srec), ==, KILN_IMAGE_FORMAT_SREC);
  g_assert_cmpint (kiln_image_guess_format ("fw.bin", bin), ==, KILN_IMAGE_FORMAT_BIN);
  g_assert_cmpint (kiln_image_guess_format ("fw.bin", colon), ==, KILN_IMAGE_FORMAT_BIN);
  g_assert_cmpint (kiln_image_guess_format (NULL, colon), ==, KILN_IMAGE_FORMAT_BIN);
  g_assert_cmpint (kiln_image_guess_format (NULL, odd), ==, KILN_IMAGE_FORMAT_BIN);
  g_assert_cmpint (kiln_image_guess_format (NULL, bad_sum), ==, KILN_IMAGE_FORMAT_BIN);
  g_assert_cmpint (kiln_image_guess_format (NULL, short_count), ==, KILN_IMAGE_FORMAT_BIN);
  g_assert_cmpint (kiln_image_guess_format ("fw.bin", s_digit), ==, KILN_IMAGE_FORMAT_BIN);
  g_assert_cmpint (kiln_image_guess_format (NULL, s_bad_sum), ==, KILN_IMAGE_FORMAT_BIN);
  /* The contents win over the name; a text file whose first record is
   * broken is still read by its name, and the error names the line. */
  g_assert_cmpint (kiln_image_guess_format ("fw.bin", hex), ==, KILN_IMAGE_FORMAT_IHEX);
  g_assert_cmpint (kiln_image_guess_format ("fw.hex", bad_sum), ==, KILN_IMAGE_FORMAT_IHEX);
  g_assert_cmpint (kiln_image_guess_format ("fw.srec", s_bad_sum), ==, KILN_IMAGE_FORMAT_SREC);
  g_assert_cmpint (kiln_image_guess_format ("FW.HEX", NULL), ==, KILN_IMAGE_FORMAT_IHEX);
  g_assert_cmpint (kiln_image_guess_format ("fw.s19", NULL), ==, KILN_IMAGE_FORMAT_SREC);
  g_assert_cmpint (kiln_image_guess_format ("fw.axf", NULL), ==, KILN_IMAGE_FORMAT_ELF);
}

/* ELF */

static void
test_elf_fixture (void)
{
  g_autoptr(KilnImage) image = load_fixture ("blinky.elf", FALSE, 0);
  gboolean seen_isr = FALSE, seen_text = FALSE, seen_data = FALSE;
  guint32 text_end = 0, data_addr = 0, entry = 0;

  if (image == NULL)
    {
      kiln_test_skip_missing (FIXTURES_MISSING);
      return;
    }

  g_assert_cmpint (kiln_image_get_format (image), ==, KILN_IMAGE_FORMAT_ELF);
  /* .isr_vector, .text, .rodata and .data's load image are contiguous in flash. */
  g_assert_cmpuint (kiln_image_get_n_ranges (image), ==, 1);
  g_assert_cmphex (kiln_image_get_range (image, 0)->address, ==, 0x08000000);
  g_assert_true (kiln_image_get_entry_point (image, &entry));
  g_assert_cmphex (entry & 1, ==, 1);
  g_assert_cmphex (entry, >, 0x08000000);

  for (guint i = 0; i < kiln_image_get_n_segments (image); i++)
    {
      const KilnImageSegment *s = kiln_image_get_segment (image, i);

      g_test_message ("%s at 0x%08X, %u bytes", s->name, s->address, s->size);
      if (g_str_equal (s->name, ".isr_vector"))
        seen_isr = s->address == 0x08000000;
      if (g_str_equal (s->name, ".text"))
        {
          seen_text = TRUE;
          text_end = s->address + s->size;
        }
      if (g_str_equal (s->name, ".data"))
        {
          seen_data = TRUE;
          data_addr = s->address;
        }
      g_assert_cmpstr (s->name, !=, ".bss");
    }
  g_assert_true (seen_isr);
  g_assert_true (seen_text);
  g_assert_true (seen_data);
  /* .data is shown at its load address in flash, after .text, not in RAM. */
  g_assert_cmphex (data_addr, >=, text_end);
  g_assert_cmphex (data_addr, <, 0x08100000);
  /* The vector table's first word is the initial stack pointer, in RAM. */
  g_assert_cmphex (*(const guint32 *) kiln_image_get_range (image, 0)->data, ==, 0x2004C000);
}

static gboolean
same_ranges (KilnImage *a,
             KilnImage *b)
{
  if (kiln_image_get_n_ranges (a) != kiln_image_get_n_ranges (b))
    return FALSE;
  for (guint i = 0; i < kiln_image_get_n_ranges (a); i++)
    {
      const KilnImageRange *ra = kiln_image_get_range (a, i);
      const KilnImageRange *rb = kiln_image_get_range (b, i);

      if (ra->address != rb->address || ra->size != rb->size || memcmp (ra->data, rb->data, ra->size) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
test_cross_format (void)
{
  g_autoptr(KilnImage) elf = load_fixture ("blinky.elf", FALSE, 0);
  g_autoptr(KilnImage) hex = load_fixture ("blinky.hex", FALSE, 0);
  g_autoptr(KilnImage) srec = load_fixture ("blinky.srec", FALSE, 0);
  g_autoptr(KilnImage) bin = load_fixture ("blinky.bin", TRUE, 0x08000000);
  guint32 e1 = 0, e2 = 0, e3 = 0;

  if (elf == NULL)
    {
      kiln_test_skip_missing (FIXTURES_MISSING);
      return;
    }
  g_assert_true (same_ranges (elf, hex));
  g_assert_true (same_ranges (elf, srec));
  g_assert_true (same_ranges (elf, bin));
  g_assert_true (kiln_image_get_entry_point (elf, &e1));
  g_assert_true (kiln_image_get_entry_point (hex, &e2));
  g_assert_true (kiln_image_get_entry_point (srec, &e3));
  g_assert_cmphex (e1, ==, e2);
  g_assert_cmphex (e1, ==, e3);
}

static void
test_elf_itcm (void)
{
  g_autoptr(KilnImage) image = load_fixture ("blinky-itcm.elf", FALSE, 0);

  if (image == NULL)
    {
      kiln_test_skip_missing (FIXTURES_MISSING);
      return;
    }
  g_assert_cmphex (kiln_image_get_range (image, 0)->address, ==, 0x00200000);
}

static const guint8 pattern_a[64] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const guint8 pattern_b[32] = { 9, 9, 9, 9 };

static void
test_elf_written (void)
{
  g_autoptr(GError) error = NULL;

  /* Two segments with a gap, and a .bss tail that is not programmed. */
  {
    TestSegment segs[] = {
      { ".text", 0x08000000, 0x08000000, pattern_a, 64, 64 },
      { ".data", 0x08004000, 0x20010000, pattern_b, 32, 4096 },
    };
    g_autoptr(GBytes) bytes = test_elf_write (segs, 2, EM_ARM, 0x08000041);
    g_autoptr(KilnImage) image = kiln_image_load_bytes (bytes, "gap.elf", KILN_IMAGE_FORMAT_AUTO, FALSE, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (kiln_image_get_n_ranges (image), ==, 2);
    g_assert_cmphex (kiln_image_get_range (image, 1)->address, ==, 0x08004000);
    g_assert_cmpuint (kiln_image_get_range (image, 1)->size, ==, 32);
    g_assert_cmpuint (kiln_image_get_total_size (image), ==, 96);
    g_assert_cmpuint (kiln_image_get_n_segments (image), ==, 2);
    g_assert_cmpstr (kiln_image_get_segment (image, 1)->name, ==, ".data");
    g_assert_cmphex (kiln_image_get_segment (image, 1)->address, ==, 0x08004000);
  }

  /* An image crossing into an F767's bank 2 stays one range. */
  {
    TestSegment segs[] = {
      { ".a", 0x080FFFE0, 0x080FFFE0, pattern_a, 64, 64 },
    };
    g_autoptr(GBytes) bytes = test_elf_write (segs, 1, EM_ARM, 0);
    g_autoptr(KilnImage) image = kiln_image_load_bytes (bytes, "cross.elf", KILN_IMAGE_FORMAT_ELF, FALSE, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (kiln_image_get_n_ranges (image), ==, 1);
    g_assert_cmphex (kiln_image_get_range (image, 0)->address + kiln_image_get_range (image, 0)->size, ==, 0x08100020);
  }

  /* Overlapping segments with different bytes. */
  {
    TestSegment segs[] = {
      { ".a", 0x08000000, 0x08000000, pattern_a, 64, 64 },
      { ".b", 0x08000020, 0x08000020, pattern_b, 32, 32 },
    };
    g_autoptr(GBytes) bytes = test_elf_write (segs, 2, EM_ARM, 0);
    g_autoptr(KilnImage) image = kiln_image_load_bytes (bytes, "overlap.elf", KILN_IMAGE_FORMAT_ELF, FALSE, 0, &error);

    g_assert_null (image);
    g_assert_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_OVERLAP);
    g_assert_nonnull (strstr (error->message, "segment 0 and segment 1 both place data at 0x08000020"));
    g_clear_error (&error);
  }

  /* A segment that claims more bytes than the file has. */
  {
    TestSegment segs[] = {
      { ".a", 0x08000000, 0x08000000, pattern_a, 64, 64 },
    };
    g_autoptr(GBytes) good = test_elf_write (segs, 1, EM_ARM, 0);
    g_autoptr(GBytes) bad = test_elf_patch_filesz (good, 0, 0x100000);
    g_autoptr(KilnImage) image = kiln_image_load_bytes (bad, "beyond.elf", KILN_IMAGE_FORMAT_ELF, FALSE, 0, &error);

    g_assert_null (image);
    g_assert_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_RANGE);
    g_assert_nonnull (strstr (error->message, "beyond.elf: segment 0 claims 1048576 bytes"));
    g_clear_error (&error);
  }

  /* Truncated files: every cut of a good file is refused cleanly or parses
   * to a subset, never crashes. A cut inside the headers is refused. */
  {
    TestSegment segs[] = {
      { ".a", 0x08000000, 0x08000000, pattern_a, 64, 64 },
    };
    g_autoptr(GBytes) good = test_elf_write (segs, 1, EM_ARM, 0);
    gsize size = g_bytes_get_size (good);

    for (gsize cut = 0; cut < size; cut++)
      {
        g_autoptr(GBytes) part = g_bytes_new_from_bytes (good, 0, cut);
        g_autoptr(KilnImage) image = kiln_image_load_bytes (part, "cut.elf", KILN_IMAGE_FORMAT_ELF, FALSE, 0, &error);

        if (cut < 52 + 32)
          {
            g_assert_null (image);
            g_assert_nonnull (error);
          }
        g_clear_error (&error);
      }
  }

  /* A program for another machine. */
  {
    TestSegment segs[] = {
      { ".text", 0x400000, 0x400000, pattern_a, 64, 64 },
    };
    g_autoptr(GBytes) bytes = test_elf_write (segs, 1, EM_386, 0);
    g_autoptr(KilnImage) image = kiln_image_load_bytes (bytes, "host.elf", KILN_IMAGE_FORMAT_ELF, FALSE, 0, &error);

    g_assert_null (image);
    g_assert_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "not for an ARM microcontroller"));
    g_clear_error (&error);
  }

  /* No loadable data at all. */
  {
    TestSegment segs[] = {
      { ".bss", 0x20000000, 0x20000000, pattern_a, 0, 64 },
    };
    g_autoptr(GBytes) bytes = test_elf_write (segs, 1, EM_ARM, 0);
    g_autoptr(KilnImage) image = kiln_image_load_bytes (bytes, "empty.elf", KILN_IMAGE_FORMAT_ELF, FALSE, 0, &error);

    g_assert_null (image);
    g_assert_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_EMPTY);
    g_clear_error (&error);
  }
}

static void
test_not_elf (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new ("\177ELFgarbage", 11);
  g_autoptr(KilnImage) image = kiln_image_load_bytes (bytes, "junk.elf", KILN_IMAGE_FORMAT_AUTO, FALSE, 0, &error);

  g_assert_null (image);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "junk.elf"));
}

static void
test_copy_into (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = load_text ("good.hex", good_hex, KILN_IMAGE_FORMAT_IHEX, &error);
  guint8 buffer[0x200];

  g_assert_no_error (error);
  memset (buffer, 0xAA, sizeof buffer);
  /* A window starting 4 bytes into the first range and covering both. */
  g_assert_cmpuint (kiln_image_copy_into (image, 0x08000004, sizeof buffer, buffer), ==, 16 + 16);
  g_assert_cmpuint (buffer[0], ==, 0x09);
  g_assert_cmpuint (buffer[16], ==, 0xAA);
  g_assert_cmpuint (buffer[0xFC], ==, 0xFF);
  g_assert_cmpuint (buffer[0x10C], ==, 0xAA);
  g_assert_cmpuint (kiln_image_copy_into (image, 0x09000000, 16, buffer), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Image/ihex/good", test_ihex_good);
  g_test_add_func ("/Kiln/Image/ihex/segment-address", test_ihex_segment_address);
  g_test_add_func ("/Kiln/Image/ihex/bad", test_ihex_bad);
  g_test_add_func ("/Kiln/Image/ihex/identical-overlap", test_ihex_identical_overlap_merges);
  g_test_add_func ("/Kiln/Image/srec/good", test_srec_good);
  g_test_add_func ("/Kiln/Image/srec/bad", test_srec_bad);
  g_test_add_func ("/Kiln/Image/bin/base", test_bin);
  g_test_add_func ("/Kiln/Image/bin/empty-and-overflow", test_bin_empty_and_overflow);
  g_test_add_func ("/Kiln/Image/missing-file", test_missing_file);
  g_test_add_func ("/Kiln/Image/guess-format", test_guess_format);
  g_test_add_func ("/Kiln/Image/elf/fixture", test_elf_fixture);
  g_test_add_func ("/Kiln/Image/elf/itcm", test_elf_itcm);
  g_test_add_func ("/Kiln/Image/elf/written", test_elf_written);
  g_test_add_func ("/Kiln/Image/elf/not-elf", test_not_elf);
  g_test_add_func ("/Kiln/Image/cross-format", test_cross_format);
  g_test_add_func ("/Kiln/Image/copy-into", test_copy_into);

  return g_test_run ();
}
