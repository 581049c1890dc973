/* test-plan.c — the flash plan: image × chip → sectors, before any probe work
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>
#include <string.h>

#include "kiln-flash-error.h"
#include "kiln-flash-plan.h"

static KilnImage *
bin_image (guint32 base,
           gsize   size,
           guint8  seed)
{
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  KilnImage *image;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + seed);
  bytes = g_bytes_new (data, size);
  image = kiln_image_load_bytes (bytes, "test.bin", KILN_IMAGE_FORMAT_BIN, TRUE, base, &error);
  g_assert_no_error (error);
  return image;
}

static KilnImage *
hex_image (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  KilnImage *image = kiln_image_load_bytes (bytes, "test.hex", KILN_IMAGE_FORMAT_IHEX, FALSE, 0, &error);

  g_assert_no_error (error);
  return image;
}

static KilnChip *
chip (const char *part,
      gboolean    dual)
{
  g_autoptr(GError) error = NULL;
  KilnChip *c = kiln_chip_new_for_part (part, dual, &error);

  g_assert_no_error (error);
  return c;
}

static void
test_f746_full (void)
{
  g_autoptr(KilnImage) image = bin_image (0x08000000, 1024 * 1024, 1);
  g_autoptr(KilnChip) c = chip ("STM32F746NG", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnFlashPlan) plan = kiln_flash_plan_new (image, c, KILN_FLASH_PSIZE_X32, &error);
  double busy;

  g_assert_no_error (error);
  g_assert_cmpuint (kiln_flash_plan_get_n_sectors (plan), ==, 8);
  g_assert_cmpuint (kiln_flash_plan_get_n_program (plan), ==, 8);
  g_assert_cmpuint (kiln_flash_plan_get_n_untouched (plan), ==, 0);
  g_assert_cmpuint (kiln_flash_plan_get_program_bytes (plan), ==, 1024 * 1024);
  /* Datasheet x32: 4 × 0.25 + 0.55 + 3 × 1.0 s erase, 262144 × 16 µs program. */
  busy = 4 * 0.25 + 0.55 + 3 * 1.0 + 262144 * 16e-6;
  g_assert_cmpfloat (kiln_flash_plan_get_estimated_seconds (plan), >=, busy);
  g_assert_cmpfloat (kiln_flash_plan_get_estimated_seconds (plan), <=, busy * 1.1 + 0.1);
}

static void
test_f746_small_image (void)
{
  /* 40 KiB from 0x08000000: sectors 0 and 1 (32 KiB each), the rest untouched. */
  g_autoptr(KilnImage) image = bin_image (0x08000000, 40 * 1024, 2);
  g_autoptr(KilnChip) c = chip ("STM32F746NG", FALSE);
  g_autoptr(KilnFlashPlan) plan = kiln_flash_plan_new (image, c, KILN_FLASH_PSIZE_X32, NULL);
  g_autofree guint8 *buffer = g_malloc (32 * 1024);
  g_autofree char *summary = NULL;

  g_assert_cmpuint (kiln_flash_plan_get_sector (plan, 0)->action, ==, KILN_FLASH_ACTION_PROGRAM);
  g_assert_cmpuint (kiln_flash_plan_get_sector (plan, 0)->bytes, ==, 32 * 1024);
  g_assert_cmpuint (kiln_flash_plan_get_sector (plan, 1)->bytes, ==, 8 * 1024);
  g_assert_cmpuint (kiln_flash_plan_get_sector (plan, 2)->action, ==, KILN_FLASH_ACTION_UNTOUCHED);
  g_assert_cmpuint (kiln_flash_plan_get_n_program (plan), ==, 2);
  g_assert_cmpuint (kiln_flash_plan_get_erase_bytes (plan), ==, 64 * 1024);

  /* Sector 1: 8 KiB of image, then erased bytes. */
  g_assert_cmpuint (kiln_flash_plan_fill_sector (plan, 1, buffer), ==, 8 * 1024);
  g_assert_cmpuint (buffer[0], ==, (guint8) (32 * 1024 * 7 + 2));
  g_assert_cmpuint (buffer[8 * 1024], ==, 0xFF);
  g_assert_cmpuint (buffer[32 * 1024 - 1], ==, 0xFF);

  summary = kiln_flash_plan_dup_summary (plan);
  g_assert_true (g_str_has_prefix (summary, "2 sectors will be erased and written (40 KiB), 6 untouched · about "));

  /* The differential step marks a sector unchanged. */
  kiln_flash_plan_set_unchanged (plan, 0, TRUE);
  g_assert_cmpuint (kiln_flash_plan_get_n_program (plan), ==, 1);
  g_assert_cmpuint (kiln_flash_plan_get_n_skipped (plan), ==, 1);
  g_assert_cmpuint (kiln_flash_plan_get_sector_state (plan, 0), ==, KILN_SECTOR_STATE_UNCHANGED);
  g_assert_cmpuint (kiln_flash_plan_get_sector_state (plan, 1), ==, KILN_SECTOR_STATE_PLANNED);
  g_assert_cmpuint (kiln_flash_plan_get_sector_state (plan, 2), ==, KILN_SECTOR_STATE_UNTOUCHED);
  /* An untouched sector cannot become "unchanged". */
  kiln_flash_plan_set_unchanged (plan, 2, TRUE);
  g_assert_cmpuint (kiln_flash_plan_get_sector (plan, 2)->action, ==, KILN_FLASH_ACTION_UNTOUCHED);
}

static void
test_f767_dual_bank_crossing (void)
{
  /* 64 KiB ending at 0x08100000 and 32 KiB after it: sector 11 (bank 1,
   * SNB 0x0B) and sectors 12, 13 (bank 2, SNB 0x10, 0x11). */
  g_autoptr(KilnImage) image = bin_image (0x080F0000, 96 * 1024, 3);
  g_autoptr(KilnChip) c = chip ("STM32F767ZI", TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnFlashPlan) plan = kiln_flash_plan_new (image, c, KILN_FLASH_PSIZE_X32, &error);
  const KilnFlashPlanSector *s;

  g_assert_no_error (error);
  g_assert_cmpuint (kiln_flash_plan_get_n_sectors (plan), ==, 24);
  g_assert_cmpuint (kiln_flash_plan_get_n_program (plan), ==, 3);
  s = kiln_flash_plan_get_sector (plan, 11);
  g_assert_cmpuint (s->action, ==, KILN_FLASH_ACTION_PROGRAM);
  g_assert_cmphex (s->sector->snb, ==, 0x0B);
  g_assert_cmpuint (s->bytes, ==, 64 * 1024);
  s = kiln_flash_plan_get_sector (plan, 12);
  g_assert_cmpuint (s->action, ==, KILN_FLASH_ACTION_PROGRAM);
  g_assert_cmphex (s->sector->snb, ==, 0x10);
  g_assert_cmpuint (s->sector->bank, ==, 2);
  g_assert_cmpuint (s->bytes, ==, 16 * 1024);
  s = kiln_flash_plan_get_sector (plan, 13);
  g_assert_cmphex (s->sector->snb, ==, 0x11);
  g_assert_cmpuint (s->bytes, ==, 16 * 1024);
  g_assert_cmpuint (kiln_flash_plan_get_sector (plan, 14)->action, ==, KILN_FLASH_ACTION_UNTOUCHED);

  /* The same image on the single-bank layout: one 256 KiB sector (7). */
  {
    g_autoptr(KilnChip) single = chip ("STM32F767ZI", FALSE);
    g_autoptr(KilnFlashPlan) p2 = kiln_flash_plan_new (image, single, KILN_FLASH_PSIZE_X32, NULL);

    g_assert_cmpuint (kiln_flash_plan_get_n_program (p2), ==, 2);
    g_assert_cmpuint (kiln_flash_plan_get_sector (p2, 7)->bytes, ==, 64 * 1024);
    g_assert_cmpuint (kiln_flash_plan_get_sector (p2, 8)->bytes, ==, 32 * 1024);
  }
}

static void
test_f722 (void)
{
  g_autoptr(KilnImage) image = bin_image (0x08000000, 100 * 1024, 4);
  g_autoptr(KilnChip) c = chip ("STM32F722RE", FALSE);
  g_autoptr(KilnFlashPlan) plan = kiln_flash_plan_new (image, c, KILN_FLASH_PSIZE_X16, NULL);

  /* 4 × 16 KiB + 36 KiB of the 64 KiB sector 4. */
  g_assert_cmpuint (kiln_flash_plan_get_n_program (plan), ==, 5);
  g_assert_cmpuint (kiln_flash_plan_get_sector (plan, 4)->bytes, ==, 36 * 1024);
  g_assert_cmpuint (kiln_flash_plan_get_n_untouched (plan), ==, 3);
  /* x16 erase of a 16 KiB sector: half of 32 KiB's 300 ms. */
  g_assert_cmpfloat_with_epsilon (kiln_flash_plan_get_sector (plan, 0)->erase_seconds, 0.150, 1e-9);
  g_assert_cmpfloat_with_epsilon (kiln_flash_plan_get_sector (plan, 0)->program_seconds, 8192 * 16e-6, 1e-9);
}

static void
test_itcm_maps_to_axim (void)
{
  g_autoptr(KilnImage) image = bin_image (0x00208000, 4096, 5);
  g_autoptr(KilnChip) c = chip ("STM32F746NG", FALSE);
  g_autoptr(KilnFlashPlan) plan = kiln_flash_plan_new (image, c, KILN_FLASH_PSIZE_X32, NULL);
  const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (plan, 1);
  g_autofree guint8 *buffer = g_malloc (32 * 1024);

  g_assert_cmpuint (s->action, ==, KILN_FLASH_ACTION_PROGRAM);
  g_assert_cmpuint (s->pieces->len, ==, 1);
  g_assert_cmphex (g_array_index (s->pieces, KilnFlashPiece, 0).address, ==, 0x08008000);
  g_assert_cmpuint (kiln_flash_plan_fill_sector (plan, 1, buffer), ==, 4096);
  g_assert_cmpuint (buffer[1], ==, 12);
}

static void
test_ram_segment_reported (void)
{
  /* Flash bytes, plus a piece linked into SRAM1 (e.g. a RAM function image). */
  g_autoptr(KilnImage) image = hex_image (":020000040800F2\n"
                                          ":0400000001020304F2\n"
                                          ":020000042001D9\n"
                                          ":040000001122334452\n"
                                          ":00000001FF\n");
  g_autoptr(KilnChip) c = chip ("STM32F746NG", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnFlashPlan) plan = kiln_flash_plan_new (image, c, KILN_FLASH_PSIZE_X32, &error);
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (kiln_flash_plan_get_n_program (plan), ==, 1);
  g_assert_cmpuint (kiln_flash_plan_get_n_ram_pieces (plan), ==, 1);
  g_assert_cmphex (kiln_flash_plan_get_ram_piece (plan, 0)->address, ==, 0x20010000);
  g_assert_cmpstr (kiln_flash_plan_get_ram_piece (plan, 0)->region, ==, "SRAM1");
  g_assert_cmpuint (kiln_flash_plan_get_program_bytes (plan), ==, 4);

  json = kiln_flash_plan_to_json (plan);
  g_assert_nonnull (strstr (json, "\"ram_segments\":[{\"address\":536936448,\"size\":4,\"region\":\"SRAM1\""));
  g_assert_nonnull (strstr (json, "{\"sector\":0,\"snb\":0,\"bank\":1,\"address\":134217728,\"size\":32768,\"action\":\"program\",\"bytes\":4,"));
}

static void
test_refused (void)
{
  struct {
    guint32     base;
    gsize       size;
    const char *part;
    const char *needle;
  } cases[] = {
    /* runs past the end of the F746's 1 MiB */
    { 0x080F0000, 128 * 1024, "STM32F746NG", "past the end of the STM32F746NG’s flash at 0x080FFFFF" },
    /* outside flash and RAM */
    { 0x09000000, 256, "STM32F746NG", "outside the STM32F746NG’s flash (0x08000000–0x080FFFFF) and RAM" },
    /* an F746 image on a 512 KiB F722 */
    { 0x08000000, 600 * 1024, "STM32F722RE", "past the end of the STM32F722RE’s flash" },
    /* an F407 image beyond the F411's 512 KiB */
    { 0x08000000, 600 * 1024, "STM32F411RE", "past the end of the STM32F411RE’s flash at 0x0807FFFF" },
    /* straddling the end of SRAM2 */
    { 0x2004FF00, 512, "STM32F746NG", "outside" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KilnImage) image = bin_image (cases[i].base, cases[i].size, 6);
      g_autoptr(KilnChip) c = chip (cases[i].part, FALSE);
      g_autoptr(GError) error = NULL;
      g_autoptr(KilnFlashPlan) plan = kiln_flash_plan_new (image, c, KILN_FLASH_PSIZE_X32, &error);

      g_test_message ("%s", error ? error->message : "(no error)");
      g_assert_null (plan);
      g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      g_assert_nonnull (strstr (error->message, "test.bin"));
    }
}

/* A vector table at the start of flash says which RAM and flash the
 * firmware expects: an image built for a chip with more RAM (an F7's) or
 * started from flash the chip does not have (the F7's ITCM alias) is
 * refused for the chip found; each image is accepted where it belongs. */
static void
test_vector_table (void)
{
  struct {
    guint32     sp;
    guint32     reset;
    const char *part;
    const char *needle;   /* NULL: accepted */
  } cases[] = {
    { 0x20050000, 0x08000199, "STM32F746NG", NULL },
    { 0x20050000, 0x08000199, "STM32F407VG", "needs RAM up to 0x2004FFFF (its initial stack pointer is 0x20050000), "
                                             "but the chip found is an STM32F407VG, whose RAM ends at 0x2001FFFF" },
    { 0x20020000, 0x08000199, "STM32F407VG", NULL },
    { 0x20020000, 0x08000199, "STM32F207ZG", NULL },
    { 0x20020004, 0x08000199, "STM32F207ZG", "RAM ends at 0x2001FFFF" },
    { 0x10010000, 0x08000199, "STM32F407VG", NULL },                 /* stack in CCM */
    { 0x10010000, 0x08000199, "STM32F746NG", "needs RAM up to 0x1000FFFF" },
    { 0x20010000, 0x00200199, "STM32F746NG", NULL },                 /* ITCM-linked */
    { 0x20010000, 0x00200199, "STM32F411RE", "starts at 0x00200198 (its reset handler), which is not in the flash "
                                             "of the chip found, an STM32F411RE (0x08000000–0x0807FFFF)" },
    { 0x20010000, 0x08080199, "STM32F411RE", "starts at 0x08080198" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KilnImage) image = NULL;
      g_autoptr(KilnChip) c = chip (cases[i].part, FALSE);
      g_autoptr(GError) error = NULL;
      g_autoptr(KilnFlashPlan) plan = NULL;
      g_autoptr(GBytes) bytes = NULL;
      guint8 data[256];

      memset (data, 0x5A, sizeof data);
      for (guint b = 0; b < 4; b++)
        {
          data[b] = (guint8) (cases[i].sp >> (8 * b));
          data[4 + b] = (guint8) (cases[i].reset >> (8 * b));
        }
      bytes = g_bytes_new (data, sizeof data);
      image = kiln_image_load_bytes (bytes, "app.bin", KILN_IMAGE_FORMAT_BIN, TRUE, 0x08000000, &error);
      g_assert_no_error (error);
      plan = kiln_flash_plan_new (image, c, KILN_FLASH_PSIZE_X32, &error);
      g_test_message ("%s: %s", cases[i].part, error ? error->message : "(accepted)");
      if (cases[i].needle == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (plan);
          continue;
        }
      g_assert_null (plan);
      g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      g_assert_nonnull (strstr (error->message, "Nothing was erased"));
    }
}

static void
test_psize_and_times (void)
{
  g_assert_cmpuint (kiln_flash_psize_for_voltage (3.3, FALSE), ==, KILN_FLASH_PSIZE_X32);
  g_assert_cmpuint (kiln_flash_psize_for_voltage (3.3, TRUE), ==, KILN_FLASH_PSIZE_X64);
  g_assert_cmpuint (kiln_flash_psize_for_voltage (2.5, FALSE), ==, KILN_FLASH_PSIZE_X16);
  g_assert_cmpuint (kiln_flash_psize_for_voltage (1.9, FALSE), ==, KILN_FLASH_PSIZE_X8);
  g_assert_cmpfloat_with_epsilon (kiln_flash_erase_seconds (32 * 1024, KILN_FLASH_PSIZE_X8), 0.4, 1e-9);
  g_assert_cmpfloat_with_epsilon (kiln_flash_erase_seconds (128 * 1024, KILN_FLASH_PSIZE_X16), 0.7, 1e-9);
  g_assert_cmpfloat_with_epsilon (kiln_flash_erase_seconds (256 * 1024, KILN_FLASH_PSIZE_X32), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (kiln_flash_erase_seconds (64 * 1024, KILN_FLASH_PSIZE_X32), 0.275, 1e-9);
  g_assert_cmpfloat_with_epsilon (kiln_flash_program_seconds (1024, KILN_FLASH_PSIZE_X8), 1024 * 16e-6, 1e-12);
  g_assert_cmpfloat_with_epsilon (kiln_flash_program_seconds (1026, KILN_FLASH_PSIZE_X32), 257 * 16e-6, 1e-12);
  g_assert_cmpstr (kiln_sector_state_to_id (KILN_SECTOR_STATE_VERIFIED), ==, "verified");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Kiln/Flash/plan/f746-full", test_f746_full);
  g_test_add_func ("/Kiln/Flash/plan/f746-small-image", test_f746_small_image);
  g_test_add_func ("/Kiln/Flash/plan/f767-dual-bank-crossing", test_f767_dual_bank_crossing);
  g_test_add_func ("/Kiln/Flash/plan/f722", test_f722);
  g_test_add_func ("/Kiln/Flash/plan/itcm-maps-to-axim", test_itcm_maps_to_axim);
  g_test_add_func ("/Kiln/Flash/plan/ram-segment-reported", test_ram_segment_reported);
  g_test_add_func ("/Kiln/Flash/plan/refused", test_refused);
  g_test_add_func ("/Kiln/Flash/plan/vector-table", test_vector_table);
  g_test_add_func ("/Kiln/Flash/plan/psize-and-times", test_psize_and_times);

  return g_test_run ();
}
