/* test-flash-driver.c — programming on the virtual bench: every chip and
 * probe, the SRAM loader and its fallback, the differential, preserved and
 * erased gaps, on-target CRC verification, faults and cancellation
 *
 * flash.bin (the board's saved state) is compared with the image
 * independently of Kiln's own read-back; the bench's report says which
 * sectors were erased and whether anything broke a rule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kiln-arm-core.h"
#include "kiln-flash-driver.h"
#include "kiln-flash-job.h"
#include "kiln-flash-loader.h"

#define FLASH 0x08000000u

typedef struct
{
  char         *dir;
  char         *ini;
  KilnSimBench *bench;
  KilnArmTarget *target;
} Bench;

static Bench *
bench_new (const char *text)
{
  Bench *b = g_new0 (Bench, 1);
  g_autoptr(GError) error = NULL;

  b->dir = g_dir_make_tmp ("kiln-flash-XXXXXX", &error);
  g_assert_no_error (error);
  b->ini = g_strdup (text);
  return b;
}

/* (Re)opens the bench on the same state directory and connects. */
static KilnArmTarget *
bench_open (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  g_autofree char *state = g_build_filename (b->dir, "state", NULL);
  g_autofree char *text = NULL;
  char **parts = g_strsplit (b->ini, "[board]\n", 2);

  /* The state directory goes into the [board] group. */
  g_assert_nonnull (parts[1]);
  text = g_strdup_printf ("%s[board]\nstate = %s\n%s", parts[0], state, parts[1]);
  g_strfreev (parts);

  g_clear_object (&b->target);
  g_clear_object (&b->bench);
  b->bench = kiln_sim_bench_new_from_data (text, b->dir, &error);
  g_assert_no_error (error);
  probes = kiln_usb_list_probes (b->bench, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (probes->len, >=, 1);
  b->target = kiln_job_connect (g_ptr_array_index (probes, 0), 4000, FALSE, &error);
  g_assert_no_error (error);
  return b->target;
}

static GBytes *
bench_flash (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (b->dir, "state", "flash.bin", NULL);
  char *data = NULL;
  gsize len = 0;

  g_assert_true (kiln_sim_bench_save (b->bench, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static double
report_number (const char *json,
               const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (json, needle);

  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen (needle), NULL);
}

/* The sectors the bench saw erased, in order, as "0,5". */
static char *
report_erased (const char *json)
{
  GString *out = g_string_new (NULL);
  const char *p = strstr (json, "\"sectors_erased\":[");

  g_assert_nonnull (p);
  while ((p = strstr (p, "{\"sector\":")) != NULL && p < strstr (json, "\"mass_erases\""))
    {
      p += strlen ("{\"sector\":");
      g_string_append_printf (out, "%s%u", out->len ? "," : "", (guint) g_ascii_strtoull (p, NULL, 10));
    }
  return g_string_free (out, FALSE);
}

static void
assert_no_violations (const char *json)
{
  if (strstr (json, "\"violations\":[]") == NULL)
    g_error ("the bench reports violations: %s", strstr (json, "\"violations\""));
}

static void
bench_free (Bench *b)
{
  g_clear_object (&b->target);
  g_clear_object (&b->bench);
  {
    g_autofree char *state = g_build_filename (b->dir, "state", NULL);
    g_autoptr(GDir) dir = g_dir_open (state, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (state, name, NULL);

        g_unlink (path);
      }
    g_rmdir (state);
  }
  {
    g_autoptr(GDir) dir = g_dir_open (b->dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (b->dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (b->dir);
  g_free (b->dir);
  g_free (b->ini);
  g_free (b);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bench, bench_free)

/* Pseudo-random bytes that are never a whole erased word. */
static guint8 *
pattern (gsize  size,
         guint  seed)
{
  guint8 *p = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i++)
    p[i] = (guint8) g_rand_int_range (rand, 0, 255);
  g_rand_free (rand);
  return p;
}

static KilnImage *
image_bin (const guint8 *data,
           gsize         size,
           guint32       base)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  KilnImage *image = kiln_image_load_bytes (bytes, "test.bin", KILN_IMAGE_FORMAT_BIN, TRUE, base, &error);

  g_assert_no_error (error);
  return image;
}

static gboolean
program (KilnArmTarget          *target,
         KilnImage              *image,
         const KilnFlashOptions *options,
         GCancellable           *cancellable,
         KilnFlashResult        *result,
         GError                **error)
{
  g_autoptr(KilnFlashPlan) plan = NULL;
  KilnFlashOptions defaults;

  plan = kiln_flash_plan_new (image, kiln_arm_target_get_chip (target), KILN_FLASH_PSIZE_X32, error);
  g_assert_nonnull (plan);
  if (options == NULL)
    {
      kiln_flash_options_init (&defaults);
      options = &defaults;
    }
  return kiln_flash_program (target, plan, options, NULL, cancellable, result, error);
}

/* ------------------------------------------------------------------ */

typedef struct
{
  const char *name;
  const char *ini;
  guint32     flash_size;
  guint       last_sector;   /* logical number of the sector at the end */
} Case;

static const char *const probes[][2] = {
  { "v2j24", "[probe]\nmodel = stlink-v2\nfirmware = V2J24S7\n" },
  { "v2j34", "[probe]\nmodel = stlink-v2\nfirmware = V2J34S7\n" },
  { "v2-1", "[probe]\nmodel = stlink-v2-1\n" },
  { "v3", "[probe]\nmodel = stlink-v3\n" },
};

static const struct { const char *name; const char *board; guint32 size; } chips[] = {
  { "f746", "[board]\nchip = STM32F746NG\n", 1024 * 1024 },
  { "f767", "[board]\nchip = STM32F767ZI\n", 2048 * 1024 },
  { "f767-dual", "[board]\nchip = STM32F767ZI\nndbank = 0\n", 2048 * 1024 },
  { "f722", "[board]\nchip = STM32F722RE\n", 512 * 1024 },
};

typedef struct
{
  guint chip;
  guint probe;
} Matrix;

/* Program an image with bytes in the first, a middle and the last sector
 * (gaps between), verify, compare flash.bin; then change one byte and see
 * only that sector erased again. */
static void
test_matrix (gconstpointer data)
{
  const Matrix *m = data;
  guint32 size = chips[m->chip].size;
  g_autofree char *ini = g_strconcat (probes[m->probe][1], chips[m->chip].board, NULL);
  g_autoptr(Bench) b = bench_new (ini);
  g_autofree guint8 *want = g_malloc (size);
  g_autofree guint8 *head = pattern (40 * 1024, m->chip * 10 + m->probe);
  g_autofree guint8 *tail = pattern (4096, 7);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  g_autofree guint8 *file = NULL;
  KilnFlashResult result = { 0 };
  KilnArmTarget *target = bench_open (b);
  g_autoptr(KilnChip) chip = g_object_ref (kiln_arm_target_get_chip (target));
  guint last = kiln_chip_get_n_sectors (chip) - 1;
  guint32 tail_at = size - 4096;
  gsize file_size = size;

  /* One file: 40 KiB at the start, 4 KiB at the end, erased in between
   * (a raw binary covers it all, so the plan touches every sector: the
   * differential finds the untouched ones erased). */
  memset (want, 0xFF, size);
  memcpy (want, head, 40 * 1024);
  memcpy (want + tail_at, tail, 4096);
  file = g_memdup2 (want, file_size);
  image = image_bin (file, file_size, FLASH);

  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  if (result.fallback_reason)
    g_test_message ("fallback: %s", result.fallback_reason);
  g_assert_true (result.used_loader);
  g_assert_null (result.fallback_reason);
  g_assert_true (result.verified);
  g_assert_cmpint (result.verify_method, ==, KILN_FLASH_VERIFY_CRC);
  flash = bench_flash (b);
  g_assert_cmpuint (g_bytes_get_size (flash), ==, size);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, size) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  g_test_message ("%s/%s: erased %s, device %.3f s", chips[m->chip].name, probes[m->probe][0], erased,
                  report_number (json, "device_time_s"));
  /* A fresh chip is erased: only the sectors with data are rewritten. */
  {
    g_autofree char *expect = NULL;
    const KilnSector *s_last = kiln_chip_get_sector (chip, last);
    GString *e = g_string_new (NULL);

    for (guint i = 0; i <= last; i++)
      {
        const KilnSector *s = kiln_chip_get_sector (chip, i);

        if (s->address < FLASH + 40 * 1024)
          g_string_append_printf (e, "%s%u", e->len ? "," : "", s->index);
      }
    g_string_append_printf (e, ",%u", s_last->index);
    expect = g_string_free (e, FALSE);
    g_assert_cmpstr (erased, ==, expect);
  }
  kiln_flash_result_clear (&result);
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&erased, g_free);
  g_clear_pointer (&flash, g_bytes_unref);
  g_clear_object (&image);

  /* One byte changed in the last sector: only it is erased and written. */
  file[tail_at + 100] ^= 0x5A;
  want[tail_at + 100] ^= 0x5A;
  image = image_bin (file, file_size, FLASH);
  target = bench_open (b);
  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.written, ==, 1);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, size) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  {
    g_autofree char *expect = g_strdup_printf ("%u", kiln_chip_get_sector (chip, last)->index);

    g_assert_cmpstr (erased, ==, expect);
  }
  kiln_flash_result_clear (&result);
}

/* Sectors outside the image keep their bytes; a touched sector's bytes
 * outside the image are erased, or kept with preserve_unwritten. */
static void
test_untouched_and_preserved (gconstpointer data)
{
  gboolean preserve = GPOINTER_TO_INT (data);
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\nflash-image = old.bin\n");
  g_autofree guint8 *old = pattern (1024 * 1024, 99);
  g_autofree guint8 *piece = pattern (1000, 5);
  g_autofree char *old_path = g_build_filename (b->dir, "old.bin", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  g_autofree char *erased = NULL;
  g_autofree guint8 *want = g_memdup2 (old, 1024 * 1024);
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnArmTarget *target;
  /* 1000 bytes in the middle of sector 1 (0x08008000, 32 KiB). */
  guint32 at = 0x08008000 + 0x1234;

  g_assert_true (g_file_set_contents (old_path, (const char *) old, 1024 * 1024, &error));
  target = bench_open (b);
  image = image_bin (piece, 1000, at);
  kiln_flash_options_init (&options);
  options.preserve_unwritten = preserve;
  g_assert_true (program (target, image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  if (result.fallback_reason)
    g_test_message ("fallback: %s", result.fallback_reason);
  g_assert_true (result.used_loader);

  if (!preserve)
    memset (want + 0x8000, 0xFF, 0x8000);
  memcpy (want + (at - FLASH), piece, 1000);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), want, 1024 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, "1");
  kiln_flash_result_clear (&result);
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&erased, g_free);

  /* The same again: the differential finds the sector right. */
  target = bench_open (b);
  g_assert_true (program (target, image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.written, ==, 0);
  g_assert_cmpuint (result.skipped, ==, 1);
  json = kiln_sim_bench_dup_report_json (b->bench);
  erased = report_erased (json);
  g_assert_cmpstr (erased, ==, "");
  kiln_flash_result_clear (&result);
}

static void
test_host_driven (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = pattern (70 * 1024, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 70 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;

  kiln_flash_options_init (&options);
  options.host_driven = TRUE;
  options.verify_method = KILN_FLASH_VERIFY_READ_BACK;
  g_assert_true (program (bench_open (b), image, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_false (result.used_loader);
  g_assert_nonnull (result.fallback_reason);
  g_assert_true (result.verified);
  g_assert_cmpint (result.verify_method, ==, KILN_FLASH_VERIFY_READ_BACK);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 70 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  kiln_flash_result_clear (&result);
}

/* Something to do when a sector reaches a state during a job. */
typedef struct
{
  KilnArmTarget  *target;
  guint           position;
  KilnSectorState state;
  guint32         code;       /* the loader's address, to break it */
  GCancellable   *cancel;
  gboolean        fired;
} Trigger;

static void
on_sector (gpointer        user_data,
           guint           position,
           KilnSectorState state)
{
  Trigger *t = user_data;

  if (t->fired || position != t->position || state != t->state)
    return;
  t->fired = TRUE;
  if (t->cancel)
    g_cancellable_cancel (t->cancel);
  if (t->code)
    {
      guint8 udf[128];

      /* The loader's code turns into undefined instructions under it. */
      for (guint i = 0; i < sizeof udf; i += 2)
        {
          udf[i] = 0x00;
          udf[i + 1] = 0xDE;
        }
      g_assert_true (kiln_stlink_write_mem (kiln_arm_target_get_stlink (t->target), t->code, udf, sizeof udf, NULL));
    }
}

/* A loader that faults mid-job: the host finishes the job word by word and
 * the result says why. */
static void
test_fallback_on_fault (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = pattern (200 * 1024, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 200 * 1024, FLASH);
  g_autoptr(KilnFlashPlan) plan = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnFlashLoader loader;
  KilnArmTarget *target = bench_open (b);
  Trigger trigger = { target, 4, KILN_SECTOR_STATE_WRITING, 0, NULL, FALSE };
  KilnFlashProgress progress = { NULL, NULL, on_sector, &trigger };

  g_assert_true (kiln_flash_loader_setup (&loader, target, &error));
  g_assert_no_error (error);
  trigger.code = loader.code;

  kiln_flash_options_init (&options);
  plan = kiln_flash_plan_new (image, kiln_arm_target_get_chip (target), KILN_FLASH_PSIZE_X32, &error);
  g_assert_true (kiln_flash_program (target, plan, &options, &progress, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (trigger.fired);
  g_assert_false (result.used_loader);
  g_assert_nonnull (result.fallback_reason);
  g_test_message ("fallback: %s", result.fallback_reason);
  g_assert_nonnull (strstr (result.fallback_reason, "UNDEFINSTR"));
  g_assert_true (result.verified);
  g_assert_cmpuint (result.written, ==, 5);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 200 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  kiln_flash_result_clear (&result);
}

static void
test_stale_errors (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n[faults]\nstale-flash-errors = PGPERR,ERSERR,PGAERR\n");
  g_autofree guint8 *data = pattern (10 * 1024, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 10 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  KilnFlashResult result = { 0 };

  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 10 * 1024) == 0);
  kiln_flash_result_clear (&result);
}

/* A hardware watchdog (IWDG_SW = 0, 100 ms) must not reset the core while
 * the loader erases 256 KiB sectors (1 s each). */
static void
test_hardware_watchdog (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\niwdg-sw = 0\niwdg-timeout-ms = 100\n");
  g_autofree guint8 *data = pattern (600 * 1024, 9);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 600 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };

  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.used_loader);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 600 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  g_assert_null (strstr (json, "iwdg-reset"));
  assert_no_violations (json);
  kiln_flash_result_clear (&result);
}

static void
test_weak_words (gconstpointer data)
{
  KilnFlashVerifyMethod method = GPOINTER_TO_INT (data);
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n[faults]\nweak-words = 0x08010404\n");
  g_autofree guint8 *bytes = pattern (80 * 1024, 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;

  /* The weak word must hold a zero bit that stays erased. */
  memset (bytes + 0x10404, 0x00, 4);
  image = image_bin (bytes, 80 * 1024, FLASH);
  kiln_flash_options_init (&options);
  options.verify_method = method;
  g_assert_false (program (bench_open (b), image, &options, NULL, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_VERIFY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "0x08010404"));
  g_assert_nonnull (strstr (error->message, "sector 2"));
  g_assert_cmphex (result.error_address, ==, 0x08010404);
  kiln_flash_result_clear (&result);
}

/* Cancelled while sector 4 is being written: the loader stops between
 * blocks, the controller is locked, the core halted (reset off), and the
 * error names sector 4 as incomplete; a second run completes. */
static void
test_cancel (void)
{
  g_autoptr(Bench) b = bench_new ("[probe]\n[board]\n");
  g_autofree guint8 *data = pattern (512 * 1024, 11);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (data, 512 * 1024, FLASH);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(KilnFlashPlan) plan = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *json = NULL;
  KilnFlashResult result = { 0 };
  KilnFlashOptions options;
  KilnArmTarget *target = bench_open (b);
  gboolean locked = FALSE, halted = FALSE;
  KilnFlashController ctrl;
  Trigger trigger = { target, 4, KILN_SECTOR_STATE_WRITING, 0, cancellable, FALSE };
  KilnFlashProgress progress = { NULL, NULL, on_sector, &trigger };

  kiln_flash_options_init (&options);
  options.reset = FALSE;
  plan = kiln_flash_plan_new (image, kiln_arm_target_get_chip (target), KILN_FLASH_PSIZE_X32, &error);
  g_assert_false (kiln_flash_program (target, plan, &options, &progress, cancellable, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_CANCELLED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Sector 4 "));
  g_assert_cmpuint (result.n_incomplete, ==, 1);
  g_assert_cmpuint (result.incomplete[0], ==, 4);
  g_assert_cmpuint (result.written, ==, 4);
  kiln_flash_controller_init (&ctrl, target);
  g_assert_true (kiln_flash_controller_is_locked (&ctrl, &locked, NULL));
  g_assert_true (locked);
  g_assert_true (kiln_arm_is_halted (target, &halted, NULL));
  g_assert_true (halted);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 4 * 32 * 1024) == 0);
  g_assert_false (memcmp (g_bytes_get_data (flash, NULL), data, 512 * 1024) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  kiln_flash_result_clear (&result);
  g_clear_error (&error);
  g_clear_pointer (&flash, g_bytes_unref);

  /* Again, to the end: the finished sectors are skipped. */
  target = bench_open (b);
  g_assert_true (program (target, image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.skipped, ==, 4);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), data, 512 * 1024) == 0);
  kiln_flash_result_clear (&result);
}

/* The probe vanishes or stops answering in the middle of writing: the
 * error says so, nothing waits forever, and the next run (probe back)
 * programs the chip. */
static void
test_link_fault (gconstpointer data)
{
  const char *fault = data;
  g_autofree char *ini = g_strdup_printf ("[probe]\n[board]\n[faults]\n%s = 1500\n", fault);
  g_autoptr(Bench) b = bench_new (ini);
  g_autofree guint8 *bytes = pattern (400 * 1024, 12);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = image_bin (bytes, 400 * 1024, FLASH);
  g_autoptr(GBytes) flash = NULL;
  KilnFlashResult result = { 0 };
  gint64 started = g_get_monotonic_time ();

  g_assert_false (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_nonnull (error);
  g_test_message ("%s: %s", fault, error->message);
  g_assert_true (error->domain == KILN_USB_ERROR);
  g_assert_cmpint (error->code, ==, g_str_has_prefix (fault, "usb-hang") ? KILN_USB_ERROR_TIMEOUT
                                                                           : KILN_USB_ERROR_UNPLUGGED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 60 * G_USEC_PER_SEC);
  kiln_flash_result_clear (&result);
  g_clear_error (&error);
  g_assert_true (kiln_sim_bench_save (b->bench, NULL));

  /* The probe is back. */
  g_free (b->ini);
  b->ini = g_strdup ("[probe]\n[board]\n");
  g_assert_true (program (bench_open (b), image, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), bytes, 400 * 1024) == 0);
  assert_no_violations (kiln_sim_bench_dup_report_json (b->bench));
  kiln_flash_result_clear (&result);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  static Matrix matrix[G_N_ELEMENTS (chips) * G_N_ELEMENTS (probes)];

  g_test_init (&argc, &argv, NULL);

  for (guint c = 0; c < G_N_ELEMENTS (chips); c++)
    for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
      {
        Matrix *m = &matrix[c * G_N_ELEMENTS (probes) + p];
        char *name = g_strdup_printf ("/flash/program/%s/%s", chips[c].name, probes[p][0]);

        m->chip = c;
        m->probe = p;
        g_ptr_array_add (names, name);
        g_test_add_data_func (name, m, test_matrix);
      }
  g_test_add_data_func ("/flash/untouched-erased", GINT_TO_POINTER (FALSE), test_untouched_and_preserved);
  g_test_add_data_func ("/flash/untouched-preserved", GINT_TO_POINTER (TRUE), test_untouched_and_preserved);
  g_test_add_func ("/flash/host-driven", test_host_driven);
  g_test_add_func ("/flash/loader-fault", test_fallback_on_fault);
  g_test_add_func ("/flash/stale-errors", test_stale_errors);
  g_test_add_func ("/flash/hardware-watchdog", test_hardware_watchdog);
  g_test_add_data_func ("/flash/weak-words/crc", GINT_TO_POINTER (KILN_FLASH_VERIFY_CRC), test_weak_words);
  g_test_add_data_func ("/flash/weak-words/read-back", GINT_TO_POINTER (KILN_FLASH_VERIFY_READ_BACK),
                        test_weak_words);
  g_test_add_func ("/flash/cancel", test_cancel);
  g_test_add_data_func ("/flash/unplug", "usb-disconnect-after-ms", test_link_fault);
  g_test_add_data_func ("/flash/hang", "usb-hang-after-ms", test_link_fault);

  return g_test_run ();
}
