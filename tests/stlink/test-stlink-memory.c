/* test-stlink-memory.c — KilnStlink against the bench, every probe personality
 *
 * Each personality (V2J11, V2J17, V2J24, V2J34S7, V2J37, V2-1, V3) is listed and opened,
 * then 8/16/32-bit reads and writes of odd lengths and alignments across
 * 1 KiB boundaries are checked against the board's memory:
 *  - flash, preloaded from a file the test wrote, is read at every width;
 *  - SRAM is written and read at every width against a shadow copy kept
 *    here, and in process also against the board itself (its AHB-AP,
 *    bypassing the probe's firmware, USB and KilnStlink);
 *  - a halfword is programmed into flash with PSIZE x16, which the flash
 *    controller refuses (PGPERR) unless the access on the bus really is
 *    16 bits wide: so firmware with 16-bit access must use it, and V2J24,
 *    which has none, falls back to bytes.
 *
 * Without arguments the bench is in process (core/usb's simulator
 * transport). With --dropin the probes are found through libusb, and the
 * test must be run with LD_LIBRARY_PATH pointing at the drop-in
 * libusb-1.0.so.0, so that the real libusb code path of core/usb runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "kiln-sim-probe-private.h"
#include "kiln-stlink.h"
#include "kiln-usb-probe-info.h"

#define FLASH_BASE   0x08000000u
#define IMAGE_SIZE   (40 * 1024)
#define SRAM_BASE    0x20010000u
#define SRAM_SIZE    0x3000u
#define FLASH_KEYR   0x40023C04u
#define FLASH_SR     0x40023C0Cu
#define FLASH_CR     0x40023C10u
#define DHCSR        0xE000EDF0u

typedef struct
{
  const char *serial;
  const char *model;     /* [probe] model = */
  const char *firmware;
  const char *shown;     /* kiln_usb_probe_info_get_model () */
  gboolean    has16;
} Personality;

static const Personality personalities[] = {
  { "KILNMEMV2J11", "stlink-v2", "V2J11S3", "ST-LINK/V2", FALSE },
  { "KILNMEMV2J17", "stlink-v2", "V2J17S4", "ST-LINK/V2", FALSE },
  { "KILNMEMV2J24", "stlink-v2", "V2J24S4", "ST-LINK/V2", FALSE },
  { "KILNMEMV2J34", "stlink-v2", "V2J34S7", "ST-LINK/V2", TRUE },
  { "KILNMEMV2J37", "stlink-v2", "V2J37S7", "ST-LINK/V2", TRUE },
  { "KILNMEMV21J37", "stlink-v2-1", "V2J37M26", "ST-LINK/V2-1", TRUE },
  { "KILNMEMV3J7", "stlink-v3", "V3J7M2", "STLINK-V3", TRUE },
};

static gboolean via_dropin;
static char *tmp_dir;
static GBytes *image;
static KilnSimBench *bench;   /* in process only */

/* ------------------------------------------------------------------ */
/* The board's own view, in process: its AHB-AP, no probe in between.   */

static KilnSimProbe *
sim_probe_for (const char *serial)
{
  for (guint i = 0; bench != NULL && i < kiln_sim_bench_get_n_probes (bench); i++)
    if (g_strcmp0 (kiln_sim_probe_get_serial (kiln_sim_bench_get_probe (bench, i)), serial) == 0)
      return kiln_sim_bench_get_probe (bench, i);
  return NULL;
}

static void
board_read (KilnSimBoard *board,
            guint32       address,
            guint8       *out,
            gsize         length)
{
  guint64 ready;

  g_assert_cmpint (address % 4, ==, 0);
  g_assert_cmpint (length % 4, ==, 0);
  g_assert_cmpint (kiln_sim_board_ap_write (board, 0, 0x00, 0x23000002, &ready), ==, KILN_SIM_ACK_OK);
  for (gsize i = 0; i < length; i += 4)
    {
      guint32 v = 0;

      g_assert_cmpint (kiln_sim_board_ap_write (board, 0, 0x04, address + (guint32) i, &ready), ==, KILN_SIM_ACK_OK);
      g_assert_cmpint (kiln_sim_board_ap_read (board, 0, 0x0C, &v, &ready), ==, KILN_SIM_ACK_OK);
      out[i] = v;
      out[i + 1] = v >> 8;
      out[i + 2] = v >> 16;
      out[i + 3] = v >> 24;
    }
}

/* ------------------------------------------------------------------ */

static KilnUsbProbeInfo *
find_probe (const Personality *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) probes = kiln_usb_list_probes (via_dropin ? NULL : bench, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < probes->len; i++)
    {
      KilnUsbProbeInfo *info = g_ptr_array_index (probes, i);

      if (g_strcmp0 (kiln_usb_probe_info_get_serial (info), p->serial) == 0)
        return g_object_ref (info);
    }
  return NULL;
}

static KilnStlink *
open_and_connect (const Personality *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnUsbProbeInfo) info = find_probe (p);
  g_autoptr(KilnUsbDevice) device = NULL;
  g_autoptr(KilnStlink) stlink = NULL;

  g_assert_nonnull (info);
  device = kiln_usb_probe_info_open (info, &error);
  g_assert_no_error (error);
  stlink = kiln_stlink_open (device, &error);
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  /* The image's reset handler spins in place; stop it for good measure. */
  g_assert_true (kiln_stlink_write32 (stlink, DHCSR, 0xA05F0003, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&stlink);
}

static void
test_lists_and_opens (gconstpointer data)
{
  const Personality *p = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnUsbProbeInfo) info = find_probe (p);
  g_autoptr(KilnUsbDevice) device = NULL;
  g_autoptr(KilnStlink) stlink = NULL;
  double volts = 0;
  guint32 idcode = 0;

  g_assert_nonnull (info);
  g_assert_cmpstr (kiln_usb_probe_info_get_model (info), ==, p->shown);
  g_assert_cmpint (kiln_usb_probe_info_get_backend (info), ==,
                   via_dropin ? KILN_USB_BACKEND_LIBUSB : KILN_USB_BACKEND_SIMULATOR);
  g_assert_true (kiln_usb_probe_info_can_open (info));

  device = kiln_usb_probe_info_open (info, &error);
  g_assert_no_error (error);
  stlink = kiln_stlink_open (device, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiln_stlink_get_firmware (stlink), ==, p->firmware);
  g_assert_cmpint (kiln_stlink_has_feature (kiln_stlink_get_version (stlink), KILN_STLINK_FEATURE_MEM_16BIT),
                   ==, p->has16);
  /* The supply reading came with V2J13. */
  if (kiln_stlink_get_version (stlink)->jtag >= 13 || kiln_stlink_get_version (stlink)->hw >= 3)
    {
      g_assert_true (kiln_stlink_read_voltage (stlink, &volts, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (volts, 3.3, 0.05);
    }
  else
    {
      g_assert_false (kiln_stlink_read_voltage (stlink, &volts, &error));
      g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FIRMWARE_TOO_OLD);
      g_clear_error (&error);
    }
  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_read_idcode (stlink, &idcode, &error));
  g_assert_no_error (error);
  g_assert_cmphex (idcode, ==, 0x5BA02477);
  kiln_stlink_close (stlink);
}

/* Odd lengths and alignments, many across a 1 KiB boundary. */
static const struct { guint32 offset; gsize length; } windows[] = {
  { 0, 4 }, { 1, 1 }, { 2, 2 }, { 3, 5 }, { 0x3FF, 2 }, { 0x3FE, 4 }, { 0x3FD, 7 },
  { 0x3FC, 0x404 }, { 0x401, 0x7FF }, { 0x7FE, 0x803 }, { 0x123, 0x1A01 }, { 0x2, 0x1802 },
  { 0x1FFF, 3 }, { 0x2000, 0x1000 }, { 0x17F1, 0x60F },
};

static const KilnStlinkWidth widths[] = { KILN_STLINK_WIDTH_8, KILN_STLINK_WIDTH_16, KILN_STLINK_WIDTH_32 };

static void
test_flash_reads (gconstpointer data)
{
  const Personality *p = data;
  g_autoptr(KilnStlink) stlink = open_and_connect (p);
  const guint8 *expect = g_bytes_get_data (image, NULL);

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree guint8 *buf = g_malloc (windows[i].length);

        g_test_message ("read %zu bytes at 0x%08X in %u-bit accesses", windows[i].length,
                        FLASH_BASE + windows[i].offset, widths[w] * 8);
        g_assert_true (kiln_stlink_read_mem_width (stlink, FLASH_BASE + windows[i].offset, buf,
                                                   windows[i].length, widths[w], &error));
        g_assert_no_error (error);
        g_assert_cmpmem (buf, windows[i].length, expect + windows[i].offset, windows[i].length);
      }
  kiln_stlink_close (stlink);
}

static void
test_sram (gconstpointer data)
{
  const Personality *p = data;
  g_autoptr(KilnStlink) stlink = open_and_connect (p);
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x5EED + (guint32) strlen (p->serial));
  g_autofree guint8 *shadow = g_malloc (SRAM_SIZE);
  g_autofree guint8 *buf = g_malloc (SRAM_SIZE);
  g_autoptr(GError) error = NULL;
  KilnSimProbe *sim = sim_probe_for (p->serial);

  for (gsize i = 0; i < SRAM_SIZE; i++)
    shadow[i] = (guint8) (i * 7 + 3);
  g_assert_true (kiln_stlink_write_mem (stlink, SRAM_BASE, shadow, SRAM_SIZE, &error));
  g_assert_no_error (error);

  for (guint round = 0; round < 3; round++)
    for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
      for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
        {
          KilnStlinkWidth rw = widths[g_rand_int_range (rand, 0, G_N_ELEMENTS (widths))];
          guint32 offset = windows[i].offset + round * 0x11;
          gsize length = MIN (windows[i].length, SRAM_SIZE - offset);

          for (gsize b = 0; b < length; b++)
            buf[b] = (guint8) g_rand_int (rand);
          g_test_message ("write %zu bytes at 0x%08X in %u-bit accesses, read back in %u-bit", length,
                          SRAM_BASE + offset, widths[w] * 8, rw * 8);
          g_assert_true (kiln_stlink_write_mem_width (stlink, SRAM_BASE + offset, buf, length, widths[w], &error));
          g_assert_no_error (error);
          memcpy (shadow + offset, buf, length);

          memset (buf, 0, length);
          g_assert_true (kiln_stlink_read_mem_width (stlink, SRAM_BASE + offset, buf, length, rw, &error));
          g_assert_no_error (error);
          g_assert_cmpmem (buf, length, shadow + offset, length);
        }

  /* Everything, including what the writes must have left alone. */
  g_assert_true (kiln_stlink_read_mem (stlink, SRAM_BASE, buf, SRAM_SIZE, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (buf, SRAM_SIZE, shadow, SRAM_SIZE);
  if (sim != NULL)
    {
      board_read (kiln_sim_probe_get_board (sim), SRAM_BASE, buf, SRAM_SIZE);
      g_assert_cmpmem (buf, SRAM_SIZE, shadow, SRAM_SIZE);
    }

  /* Single accesses. */
  {
    guint16 h = 0;
    guint32 v = 0;

    g_assert_true (kiln_stlink_write16 (stlink, SRAM_BASE + 0x3FE, 0xBEEF, &error));
    g_assert_true (kiln_stlink_read16 (stlink, SRAM_BASE + 0x3FE, &h, &error));
    g_assert_true (kiln_stlink_read32 (stlink, SRAM_BASE + 0x3FC, &v, &error));
    g_assert_no_error (error);
    g_assert_cmphex (h, ==, 0xBEEF);
    g_assert_cmphex (v, ==, 0xBEEF0000u | shadow[0x3FD] << 8 | shadow[0x3FC]);

    /* Aligned words go as one debug-register command each; unaligned
     * ones as memory. Both land where the memory says. */
    g_assert_true (kiln_stlink_write32 (stlink, SRAM_BASE + 0x800, 0x12345678, &error));
    g_assert_true (kiln_stlink_write32 (stlink, SRAM_BASE + 0x805, 0xA1B2C3D4, &error));
    g_assert_no_error (error);
    g_assert_true (kiln_stlink_read32 (stlink, SRAM_BASE + 0x800, &v, &error));
    g_assert_cmphex (v, ==, 0x12345678);
    g_assert_true (kiln_stlink_read32 (stlink, SRAM_BASE + 0x805, &v, &error));
    g_assert_cmphex (v, ==, 0xA1B2C3D4);
    g_assert_no_error (error);
    if (sim != NULL)
      {
        guint8 w[4];

        board_read (kiln_sim_probe_get_board (sim), SRAM_BASE + 0x800, w, 4);
        g_assert_cmphex (w[0] | w[1] << 8 | w[2] << 16 | (guint32) w[3] << 24, ==, 0x12345678);
      }
    /* Nothing is mapped there: a fault, said as one. */
    g_assert_false (kiln_stlink_read32 (stlink, 0x60000000, &v, &error));
    g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FAULT);
    g_clear_error (&error);
    g_assert_true (kiln_stlink_read32 (stlink, SRAM_BASE + 0x800, &v, &error));
    g_assert_no_error (error);
  }
  kiln_stlink_close (stlink);
}

/* The USB transfers the in-process bench has seen so far. */
static guint64
usb_transfers (void)
{
  g_autofree char *json = kiln_sim_bench_dup_report_json (bench);
  const char *p = strstr (json, "\"usb_transfers\":");

  g_assert_nonnull (p);
  return g_ascii_strtoull (p + strlen ("\"usb_transfers\":"), NULL, 10);
}

/* Word batches: in order, each read seeing the writes before it; with
 * RW_MISC (V2J32 and V3J2 on) in two round trips per 32 words, else one
 * per word; a refused word is an error naming it, unless it may fail. */
static void
test_words (gconstpointer data)
{
  const Personality *p = data;
  g_autoptr(KilnStlink) stlink = open_and_connect (p);
  g_autoptr(GError) error = NULL;
  KilnStlinkWord words[40];
  gboolean misc = kiln_stlink_has_feature (kiln_stlink_get_version (stlink), KILN_STLINK_FEATURE_RW_MISC);
  guint64 before = 0;

  /* 20 writes, each read back right after it. */
  for (guint i = 0; i < 20; i++)
    {
      words[2 * i] = (KilnStlinkWord) { SRAM_BASE + 0x1000 + 4 * i, 0xC0DE0000u + i * 0x111, TRUE, FALSE };
      words[2 * i + 1] = (KilnStlinkWord) { SRAM_BASE + 0x1000 + 4 * i, 0, FALSE, FALSE };
    }
  if (!via_dropin)
    before = usb_transfers ();
  g_assert_true (kiln_stlink_words (stlink, words, G_N_ELEMENTS (words), &error));
  g_assert_no_error (error);
  if (!via_dropin)
    /* Two batches (32 + 8 words: each command and its data or answer),
     * or a command and its answer per word. */
    g_assert_cmpuint (usb_transfers () - before, ==, misc ? 8 : 2 * G_N_ELEMENTS (words));
  for (guint i = 0; i < 20; i++)
    g_assert_cmphex (words[2 * i + 1].value, ==, 0xC0DE0000u + i * 0x111);
  {
    guint32 v = 0;

    g_assert_true (kiln_stlink_read32 (stlink, SRAM_BASE + 0x1000 + 4 * 19, &v, &error));
    g_assert_cmphex (v, ==, 0xC0DE0000u + 19 * 0x111);
  }

  /* Nothing is mapped at 0x60000000: the word that may fail does not stop
   * the batch; the one that may not is an error. */
  words[0] = (KilnStlinkWord) { SRAM_BASE + 0x1100, 0x600DF00D, TRUE, FALSE };
  words[1] = (KilnStlinkWord) { 0x60000000, 0, FALSE, TRUE };
  words[2] = (KilnStlinkWord) { SRAM_BASE + 0x1100, 0, FALSE, FALSE };
  g_assert_true (kiln_stlink_words (stlink, words, 3, &error));
  g_assert_no_error (error);
  g_assert_cmphex (words[2].value, ==, 0x600DF00D);
  words[1].may_fail = FALSE;
  g_assert_false (kiln_stlink_words (stlink, words, 3, &error));
  g_assert_error (error, KILN_STLINK_ERROR, KILN_STLINK_ERROR_FAULT);
  g_assert_nonnull (strstr (error->message, "0x60000000"));
  kiln_stlink_close (stlink);
}

static void
test_flash_halfword (gconstpointer data)
{
  const Personality *p = data;
  g_autoptr(KilnStlink) stlink = open_and_connect (p);
  g_autoptr(GError) error = NULL;
  /* Erased: past the preloaded image, in sector 2 (32 KiB at 0x08010000). */
  guint32 target = 0x08010000u + 0x1000u + 2u * (guint32) strlen (p->serial);
  guint32 sr = 0, cr = 0;
  guint16 got = 0;

  g_assert_true (kiln_stlink_read32 (stlink, FLASH_CR, &cr, &error));
  g_assert_cmphex (cr & 0x80000000u, !=, 0);
  g_assert_true (kiln_stlink_write32 (stlink, FLASH_KEYR, 0x45670123, &error));
  g_assert_true (kiln_stlink_write32 (stlink, FLASH_KEYR, 0xCDEF89AB, &error));
  g_assert_true (kiln_stlink_write32 (stlink, FLASH_CR, 0x00000101, &error)); /* PG, PSIZE x16 */
  g_assert_no_error (error);

  g_assert_true (kiln_stlink_write16 (stlink, target, 0x1234, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 100; i++)
    {
      g_assert_true (kiln_stlink_read32 (stlink, FLASH_SR, &sr, &error));
      g_assert_no_error (error);
      if (!(sr & (1u << 16)))
        break;
    }
  g_assert_true (kiln_stlink_read16 (stlink, target, &got, &error));
  g_assert_no_error (error);

  if (p->has16)
    {
      /* A true halfword access programs the halfword. */
      g_assert_cmphex (sr & 0xF2, ==, 0);
      g_assert_cmphex (got, ==, 0x1234);
    }
  else
    {
      /* V2J24 has no 16-bit access: bytes, which PSIZE x16 refuses. */
      g_assert_cmphex (sr & 0x40, ==, 0x40);
      g_assert_cmphex (got, ==, 0xFFFF);
    }
  g_assert_true (kiln_stlink_write32 (stlink, FLASH_SR, 0xF2, &error));
  g_assert_true (kiln_stlink_write32 (stlink, FLASH_CR, 0x80000000u, &error));
  g_assert_no_error (error);
  kiln_stlink_close (stlink);
}

static char *
bench_text (const char *image_path)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (personalities); i++)
    g_string_append_printf (text,
                            "[probe %u]\nmodel=%s\nfirmware=%s\nserial=%s\n"
                            "[board %u]\nchip=STM32F746NG\nflash-image=%s\n",
                            i + 1, personalities[i].model, personalities[i].firmware, personalities[i].serial,
                            i + 1, image_path);
  return g_string_free (text, FALSE);
}

static void
make_image (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  guint8 *data = g_malloc (IMAGE_SIZE);

  for (gsize i = 0; i < IMAGE_SIZE; i++)
    data[i] = (guint8) g_rand_int (rand);
  /* Initial SP, reset handler at 0x08000008 (Thumb): "b ." */
  memcpy (data, (const guint8[]) { 0x00, 0x00, 0x05, 0x20, 0x09, 0x00, 0x00, 0x08, 0xFE, 0xE7 }, 10);
  image = g_bytes_new_take (data, IMAGE_SIZE);
  g_assert_true (g_file_set_contents (path, (const char *) data, IMAGE_SIZE, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *image_path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *ini = NULL;
  int status;

  setlocale (LC_ALL, "");
  for (int i = 1; i < argc; i++)
    if (g_strcmp0 (argv[i], "--dropin") == 0)
      via_dropin = TRUE;
  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("kiln-stlink-mem-XXXXXX", &error);
  g_assert_no_error (error);
  image_path = g_build_filename (tmp_dir, "image.bin", NULL);
  make_image (image_path);
  text = bench_text (image_path);

  if (via_dropin)
    {
      /* The drop-in builds its bench from KILN_SIM when libusb starts. */
      ini = g_build_filename (tmp_dir, "bench.ini", NULL);
      g_assert_true (g_file_set_contents (ini, text, -1, &error));
      g_assert_no_error (error);
      g_setenv ("KILN_SIM", ini, TRUE);
    }
  else
    {
      g_unsetenv ("KILN_SIM");
      bench = kiln_sim_bench_new_from_data (text, tmp_dir, &error);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (personalities); i++)
    {
      const Personality *p = &personalities[i];
      g_autofree char *a = g_strdup_printf ("/Kiln/Stlink/%s/lists-and-opens", p->firmware);
      g_autofree char *b = g_strdup_printf ("/Kiln/Stlink/%s/flash-reads", p->firmware);
      g_autofree char *c = g_strdup_printf ("/Kiln/Stlink/%s/sram", p->firmware);
      g_autofree char *d = g_strdup_printf ("/Kiln/Stlink/%s/flash-halfword", p->firmware);
      g_autofree char *e = g_strdup_printf ("/Kiln/Stlink/%s/words", p->firmware);

      g_test_add_data_func (a, p, test_lists_and_opens);
      g_test_add_data_func (b, p, test_flash_reads);
      g_test_add_data_func (c, p, test_sram);
      g_test_add_data_func (d, p, test_flash_halfword);
      g_test_add_data_func (e, p, test_words);
    }

  status = g_test_run ();

  g_clear_object (&bench);
  g_clear_pointer (&image, g_bytes_unref);
  if (ini != NULL)
    g_unlink (ini);
  g_unlink (image_path);
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
