/* test-flash-erase-first.c — what comes before the first erase, on the
 * virtual bench: the loader starts the first erase the differential finds
 * needed itself, at the end of its CRC command, without waiting for the
 * host's program command; and its program part goes up while that
 * command runs
 *
 * Only the first sector to be written is erased that way, and only when it
 * is not blank and the host gave it an erase; the program run that follows
 * checks how that erase went; a cancel while it runs names the sector.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "flash-bench.h"

#define SECTOR (32 * 1024)

/* A board whose first four sectors hold @old (sector 1 blank when
 * @blank1), and what they should hold: @old but for sectors 2 and 3. */
static Bench *
board (gboolean   blank1,
       const char *extra,
       guint8   **old_out,
       guint8   **want_out)
{
  g_autofree char *ini = g_strdup_printf ("[probe]\n[board]\nflash-image = old.bin\n%s", extra);
  Bench *b = bench_new (ini);
  g_autofree char *path = g_build_filename (b->dir, "old.bin", NULL);
  guint8 *old = pattern (4 * SECTOR, 5);
  guint8 *want = g_memdup2 (old, 4 * SECTOR);
  g_autoptr(GError) error = NULL;

  if (blank1)
    {
      memset (old + SECTOR, 0xFF, SECTOR);
      memset (want + SECTOR, 0xFF, SECTOR);
    }
  for (guint i = 2 * SECTOR; i < 4 * SECTOR; i += 997)
    want[i] ^= 0x5A;
  g_assert_true (g_file_set_contents (path, (const char *) old, 4 * SECTOR, &error));
  *old_out = old;
  *want_out = want;
  return b;
}

typedef struct
{
  guint32 ranges[8];
  guint32 expected[4];
  guint32 erase_crs[4];
  guint32 crcs[4];
  gboolean blank[4];
} Compare;

static void
compare_setup (Compare       *c,
               KilnArmTarget *target,
               const guint8  *want)
{
  KilnChip *chip = kiln_arm_target_get_chip (target);

  for (guint i = 0; i < 4; i++)
    {
      const KilnSector *s = kiln_chip_get_sector (chip, i);

      c->ranges[2 * i] = s->address;
      c->ranges[2 * i + 1] = s->size;
      c->expected[i] = kiln_flash_crc32 (0xFFFFFFFF, want + SECTOR * i, SECTOR);
      c->erase_crs[i] = (2u << 8) | (1u << 1) | (s->snb << 3);
    }
}

/* Sectors 0 and 1 hold what they should, 2 and 3 do not: the loader
 * erases sector 2 (only), says so, and the program run that begins with
 * that erase writes both. Without erases in the table, or with a blank
 * sector before the first that changed, it erases nothing. */
static void
test_loader (gconstpointer data)
{
  const char *mode = data;
  gboolean blank1 = g_str_equal (mode, "blank-before");
  g_autofree guint8 *old = NULL;
  g_autofree guint8 *want = NULL;
  g_autoptr(Bench) b = board (blank1, "", &old, &want);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *now = g_malloc (4 * SECTOR);
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  KilnArmTarget *target = bench_open (b);
  KilnStlink *link = kiln_arm_target_get_stlink (target);
  KilnFlashLoader loader;
  KilnFlashController ctrl;
  Compare c;
  gint started = 99;
  gboolean locked = FALSE;

  if (blank1)
    {
      /* Sector 1 blank but meant to hold bytes: the first to be written,
       * without an erase. */
      memset (want + SECTOR, 0x11, 64);
    }
  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  loader.persistent = TRUE;
  kiln_flash_controller_init (&ctrl, target);
  compare_setup (&c, target, want);
  g_assert_true (kiln_flash_loader_compare (&loader, ctrl.regs, c.ranges, 4, c.expected,
                                            g_str_equal (mode, "no-erases") ? NULL : c.erase_crs, c.crcs, c.blank,
                                            &started, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmphex (c.crcs[i], ==, kiln_flash_crc32 (0xFFFFFFFF, old + SECTOR * i, SECTOR));
      g_assert_cmpint (c.blank[i], ==, blank1 && i == 1);
    }
  g_assert_true (kiln_flash_controller_wait (&ctrl, NULL, 10, &error));
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_read_mem (link, FLASH, now, 4 * SECTOR, &error));
  if (!g_str_equal (mode, "erase"))
    {
      /* Nothing erased, and the controller still locked. */
      g_assert_cmpint (started, ==, -1);
      g_assert_true (memcmp (now, old, 4 * SECTOR) == 0);
      g_assert_true (kiln_flash_controller_is_locked (&ctrl, &locked, &error));
      g_assert_true (locked);
      kiln_flash_loader_stop (&loader);
      json = kiln_sim_bench_dup_report_json (b->bench);
      erased = report_erased (json);
      g_assert_cmpstr (erased, ==, "");
      return;
    }

  g_assert_cmpint (started, ==, 2);
  g_assert_true (memcmp (now, old, 2 * SECTOR) == 0);
  for (guint i = 2 * SECTOR; i < 3 * SECTOR; i++)
    g_assert_cmpuint (now[i], ==, 0xFF);
  g_assert_true (memcmp (now + 3 * SECTOR, old + 3 * SECTOR, SECTOR) == 0);

  {
    KilnChip *chip = kiln_arm_target_get_chip (target);
    const KilnSector *s2 = kiln_chip_get_sector (chip, 2), *s3 = kiln_chip_get_sector (chip, 3);
    KilnLoaderOp ops[] = {
      { KILN_LOADER_OP_ERASE_STARTED, c.erase_crs[2], s2->address, 0, NULL, 2 },
      { KILN_LOADER_OP_PROGRAM, 0, s2->address, SECTOR, want + 2 * SECTOR, 2 },
      { KILN_LOADER_OP_ERASE, c.erase_crs[3], s3->address, 0, NULL, 3 },
      { KILN_LOADER_OP_PROGRAM, 0, s3->address, SECTOR, want + 3 * SECTOR, 3 },
    };
    guint done = 0;
    guint32 sr = 0, at = 0;

    g_assert_true (kiln_flash_loader_program (&loader, ctrl.regs, KILN_FLASH_PSIZE_X32, ops, G_N_ELEMENTS (ops), NULL,
                                              NULL, NULL, &done, &sr, &at, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (done, ==, 4);
  }
  kiln_flash_loader_stop (&loader);
  g_assert_true (kiln_stlink_read_mem (link, FLASH, now, 4 * SECTOR, &error));
  g_assert_true (memcmp (now, want, 4 * SECTOR) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, "2,3");
}

/* The erase the loader started is refused (sector 2 write-protected, as
 * the host refuses before a job; here the loader is driven directly): the
 * program run that begins with it fails naming the sector and WRPERR, and
 * writes nothing. */
static void
test_refused (void)
{
  g_autofree guint8 *old = NULL;
  g_autofree guint8 *want = NULL;
  g_autoptr(Bench) b = board (FALSE, "nwrp = 0xFB\n", &old, &want);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *now = g_malloc (4 * SECTOR);
  KilnArmTarget *target = bench_open (b);
  KilnChip *chip = kiln_arm_target_get_chip (target);
  const KilnSector *s2 = kiln_chip_get_sector (chip, 2);
  KilnFlashLoader loader;
  KilnFlashController ctrl;
  Compare c;
  gint started = -1;
  guint done = 0;
  guint32 sr = 0, at = 0;

  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  loader.persistent = TRUE;
  kiln_flash_controller_init (&ctrl, target);
  compare_setup (&c, target, want);
  g_assert_true (kiln_flash_loader_compare (&loader, ctrl.regs, c.ranges, 4, c.expected, c.erase_crs, c.crcs, c.blank,
                                            &started, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (started, ==, 2);
  {
    KilnLoaderOp ops[] = {
      { KILN_LOADER_OP_ERASE_STARTED, c.erase_crs[2], s2->address, 0, NULL, 2 },
      { KILN_LOADER_OP_PROGRAM, 0, s2->address, SECTOR, want + 2 * SECTOR, 2 },
    };

    g_assert_false (kiln_flash_loader_program (&loader, ctrl.regs, KILN_FLASH_PSIZE_X32, ops, G_N_ELEMENTS (ops), NULL,
                                               NULL, NULL, &done, &sr, &at, &error));
  }
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "WRPERR"));
  g_assert_cmphex (at, ==, s2->address);
  g_assert_cmpuint (done, ==, 0);
  kiln_flash_loader_stop (&loader);
  kiln_flash_controller_lock (&ctrl);
  g_assert_true (kiln_stlink_read_mem (kiln_arm_target_get_stlink (target), FLASH, now, 4 * SECTOR, &error));
  g_assert_true (memcmp (now, old, 4 * SECTOR) == 0);
}

typedef struct
{
  GCancellable *cancel;
  gboolean      fired;
} Trigger;

/* Cancels once sector 2 is being erased. */
static void
on_sector (gpointer        user_data,
           guint           position,
           KilnSectorState state)
{
  Trigger *t = user_data;

  if (t->fired || position != 2 || state != KILN_SECTOR_STATE_ERASING)
    return;
  t->fired = TRUE;
  g_cancellable_cancel (t->cancel);
}

/* A whole job: the plan says sectors 0 and 1 unchanged, 2 and 3 erased
 * (the loader started the first itself); a cancel while that erase runs
 * leaves the controller locked and names sector 2, and the next run
 * finishes the job. */
static void
test_job (gconstpointer data)
{
  gboolean cancel = GPOINTER_TO_INT (data);
  g_autofree guint8 *old = NULL;
  g_autofree guint8 *want = NULL;
  g_autoptr(Bench) b = board (FALSE, "", &old, &want);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (want, 4 * SECTOR, FLASH);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(KilnFlashPlan) plan = NULL;
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  KilnArmTarget *target = bench_open (b);
  Trigger trigger = { cancellable, FALSE };
  KilnFlashProgress progress = { NULL, NULL, on_sector, &trigger };
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnFlashController ctrl;
  gboolean locked = FALSE;

  kiln_flash_options_init (&options);
  options.reset = FALSE;
  plan = kiln_flash_plan_new (image, kiln_arm_target_get_chip (target), KILN_FLASH_PSIZE_X32, &error);
  g_assert_no_error (error);
  if (!cancel)
    {
      g_assert_true (kiln_flash_program (target, plan, &options, &progress, NULL, &result, &error));
      g_assert_no_error (error);
      g_assert_true (result.used_loader);
      g_assert_true (result.verified);
      g_assert_cmpuint (result.skipped, ==, 2);
      g_assert_cmpuint (result.erased, ==, 2);
      g_assert_cmpuint (result.written, ==, 2);
      g_assert_true (trigger.fired);
      g_assert_cmpint (kiln_flash_plan_get_sector_state (plan, 0), ==, KILN_SECTOR_STATE_UNCHANGED);
      json = kiln_sim_bench_dup_report_json (b->bench);
      assert_no_violations (json);
      erased = report_erased (json);
      g_assert_cmpstr (erased, ==, "2,3");
      flash = bench_flash (b);
      g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, 4 * SECTOR) == 0);
      kiln_flash_result_clear (&result);
      return;
    }

  g_assert_false (kiln_flash_program (target, plan, &options, &progress, cancellable, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Sector 2 was left half-written"));
  g_assert_cmpuint (result.n_incomplete, ==, 1);
  g_assert_cmpuint (result.incomplete[0], ==, 2);
  kiln_flash_controller_init (&ctrl, target);
  g_assert_true (kiln_flash_controller_is_locked (&ctrl, &locked, NULL));
  g_assert_true (locked);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, "2");
  kiln_flash_result_clear (&result);
  g_clear_error (&error);

  /* Again, to the end. */
  target = bench_open (b);
  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.skipped, ==, 2);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, 4 * SECTOR) == 0);
  kiln_flash_result_clear (&result);
}

/* A loader set up CRC first: the program part is not in SRAM until the
 * first CRC command (which uploads it while it runs) or, without one, the
 * first program run; either way the run programs. */
static void
test_program_part (gconstpointer data)
{
  gboolean with_crc = GPOINTER_TO_INT (data);
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = pattern (1024, 7);
  g_autofree guint8 *now = g_malloc (1024);
  KilnArmTarget *target = bench_open (b);
  KilnStlink *link = kiln_arm_target_get_stlink (target);
  KilnFlashLoader loader;
  KilnFlashController ctrl;
  KilnLoaderOp op = { KILN_LOADER_OP_PROGRAM, 0, FLASH + 0x100, 1024, bytes, 0 };
  gsize from, length;
  g_autofree guint8 *sram = NULL;
  guint32 ranges[2] = { FLASH, SECTOR }, crc = 0;
  guint done = 0;
  guint32 sr = 0, at = 0;

  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup_crc_first (&loader, target, KILN_FLASH_PSIZE_X32, &error));
  g_assert_no_error (error);
  loader.persistent = TRUE;
  from = loader.code_size;
  length = kiln_flash_loader_narrow_offset - from;
  g_assert_cmpuint (from, <, kiln_flash_loader_narrow_offset);
  sram = g_malloc (length);
  g_assert_true (kiln_stlink_read_mem (link, loader.code + (guint32) from, sram, length, &error));
  g_assert_false (memcmp (sram, kiln_flash_loader_code + from, length) == 0);
  if (with_crc)
    {
      g_assert_true (kiln_flash_loader_crc (&loader, ranges, 1, &crc, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (kiln_stlink_read_mem (link, loader.code + (guint32) from, sram, length, &error));
      g_assert_true (memcmp (sram, kiln_flash_loader_code + from, length) == 0);
    }
  kiln_flash_controller_init (&ctrl, target);
  g_assert_true (kiln_flash_loader_program (&loader, ctrl.regs, KILN_FLASH_PSIZE_X32, &op, 1, NULL, NULL, NULL, &done,
                                            &sr, &at, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (done, ==, 1);
  kiln_flash_loader_stop (&loader);
  g_assert_true (kiln_stlink_read_mem (link, FLASH + 0x100, now, 1024, &error));
  g_assert_true (memcmp (now, bytes, 1024) == 0);
}

/* A program part that did not arrive whole (a word of it changed in the
 * target's RAM after its upload, which has no status query of its own):
 * the program command checks its CRC first and stops before running any
 * of it; nothing is written and the controller stays locked. The CRC
 * command before it left the inverse of the word the host gave it after
 * its results. */
static void
test_program_part_damaged (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = pattern (1024, 9);
  guint8 now[1024];
  KilnArmTarget *target = bench_open (b);
  KilnStlink *link = kiln_arm_target_get_stlink (target);
  KilnFlashLoader loader;
  KilnFlashController ctrl;
  KilnLoaderOp op = { KILN_LOADER_OP_PROGRAM, 0, FLASH + 0x100, 1024, bytes, 0 };
  guint32 ranges[2] = { FLASH, SECTOR }, crc = 0, echo = 0, after = 0, word = 0, cr = 0;
  guint32 damaged = 0;
  guint done = 0;
  guint32 sr = 0, at = 0;

  g_assert_true (kiln_arm_reset_halt (target, &error));
  g_assert_true (kiln_flash_loader_setup_crc_first (&loader, target, KILN_FLASH_PSIZE_X32, &error));
  loader.persistent = TRUE;
  g_assert_true (kiln_flash_loader_crc (&loader, ranges, 1, &crc, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Two results (the code's check and the range), then the word. */
  g_assert_true (kiln_stlink_read32 (link, loader.params + KILN_LOADER_P_ERROR_AT, &echo, &error));
  g_assert_true (kiln_stlink_read32 (link, loader.results + 2 * KILN_LOADER_RESULT_SIZE, &after, &error));
  g_assert_cmpuint (echo, !=, 0);
  g_assert_cmpuint (after, ==, ~echo);

  damaged = loader.code + (guint32) kiln_flash_loader_program_offset + 0x40;
  g_assert_true (kiln_stlink_read32 (link, damaged, &word, &error));
  g_assert_true (kiln_stlink_write32 (link, damaged, word ^ 0x00010000, &error));
  kiln_flash_controller_init (&ctrl, target);
  g_assert_false (kiln_flash_loader_program (&loader, ctrl.regs, KILN_FLASH_PSIZE_X32, &op, 1, NULL, NULL, NULL, &done,
                                             &sr, &at, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_LOADER);
  g_assert_nonnull (strstr (error->message, "did not arrive whole"));
  g_clear_error (&error);
  g_assert_cmpuint (done, ==, 0);
  kiln_flash_loader_stop (&loader);
  g_assert_true (kiln_stlink_read_mem (link, FLASH + 0x100, now, sizeof now, &error));
  for (gsize i = 0; i < sizeof now; i++)
    g_assert_cmpuint (now[i], ==, 0xFF);
  g_assert_true (kiln_stlink_read32 (link, ctrl.regs + KILN_FLASH_CR, &cr, &error));
  g_assert_true (cr & KILN_FLASH_CR_LOCK);
}

/* The code goes up with the first command, in its transfer: the setup
 * sends nothing, and the first command takes as many transfers as the
 * same command to a loader whose code is there already (started again);
 * the loader found its table and parameter block behind the code, and
 * answered right. */
static void
test_code_with_first_command (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autoptr(GError) error = NULL;
  KilnArmTarget *target = bench_open (b);
  KilnStlink *link = kiln_arm_target_get_stlink (target);
  KilnFlashLoader loader;
  g_autoptr(GBytes) flash = NULL;
  g_autofree guint8 *sram = NULL;
  guint32 ranges[4] = { FLASH, SECTOR, FLASH + SECTOR, SECTOR }, crcs[2] = { 0 }, again[2] = { 0 };
  guint64 before, first, second;

  g_assert_true (kiln_arm_reset_halt (target, &error));
  before = bench_usb_transfers (b);
  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bench_usb_transfers (b), ==, before);
  g_assert_true (loader.code_pending);

  g_assert_true (kiln_flash_loader_crc (&loader, ranges, 2, crcs, NULL, NULL, &error));
  g_assert_no_error (error);
  first = bench_usb_transfers (b) - before;
  g_assert_false (loader.code_pending);
  g_assert_false (loader.running);
  sram = g_malloc (loader.code_size);
  g_assert_true (kiln_stlink_read_mem (link, loader.code, sram, loader.code_size, &error));
  g_assert_true (memcmp (sram, kiln_flash_loader_code, loader.code_size) == 0);

  before = bench_usb_transfers (b);
  g_assert_true (kiln_flash_loader_crc (&loader, ranges, 2, again, NULL, NULL, &error));
  g_assert_no_error (error);
  second = bench_usb_transfers (b) - before;
  g_assert_cmpuint (first, ==, second);

  flash = bench_flash (b);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmphex (crcs[i], ==, kiln_flash_crc32 (0xFFFFFFFF, (const guint8 *) g_bytes_get_data (flash, NULL)
                                                      + i * SECTOR, SECTOR));
      g_assert_cmphex (again[i], ==, crcs[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/Kiln/Flash/erase-first/loader", "erase", test_loader);
  g_test_add_data_func ("/Kiln/Flash/erase-first/no-erases", "no-erases", test_loader);
  g_test_add_data_func ("/Kiln/Flash/erase-first/blank-before", "blank-before", test_loader);
  g_test_add_func ("/Kiln/Flash/erase-first/refused", test_refused);
  g_test_add_data_func ("/Kiln/Flash/erase-first/job", GINT_TO_POINTER (FALSE), test_job);
  g_test_add_data_func ("/Kiln/Flash/erase-first/cancel", GINT_TO_POINTER (TRUE), test_job);
  g_test_add_data_func ("/Kiln/Flash/erase-first/program-part-during-crc", GINT_TO_POINTER (TRUE), test_program_part);
  g_test_add_data_func ("/Kiln/Flash/erase-first/program-part-before-run", GINT_TO_POINTER (FALSE), test_program_part);
  g_test_add_func ("/Kiln/Flash/erase-first/code-with-first-command", test_code_with_first_command);
  g_test_add_func ("/Kiln/Flash/erase-first/program-part-damaged", test_program_part_damaged);
  return g_test_run ();
}
