/* test-flash-goals.c — Kiln's speed against the floor of each job, on the
 * bench's modeled device time (deterministic: not the machine's clock)
 *
 * The floor of a job is the longer of two times. The flash's busy time it
 * physically needs: erase only the sectors that must change and are not
 * blank, program only the units that are not all 0xFF, at the widest
 * parallelism the supply allows (x32 at 3.3 V, x64 with VPP), 16 µs per
 * unit. And the link's least time to carry the bytes that must be
 * programmed, as Kiln sends them (compressed: each 4 KiB block counts
 * as the shorter of its LZ4 block and its bytes to program): via a V2 at 4
 * MHz 4.75 µs per byte (1 µs per USB byte and 60 SWD clocks per word), via
 * a V3 0.03 µs per byte plus 4.2 µs per word. Each job must finish within
 * the goal, and via a V3 within 1.05× its floor (the issue's
 * words). The V2 goals are 1.10× their floors but for the 64 KiB row's
 * (0.35 s, 1.125×): via a V2 the goal counts. The floors are those of
 * tests/bench/RESULTS.md.
 *
 * Each job's time estimate (the plan's, once the probe, the supply and the
 * comparison on the target are known) is within ±10 % of its modeled time.
 *
 * Rows Kiln does not meet yet are marked so (met = FALSE) and reported as
 * incomplete with their figures; such a row fails once it is met, so that
 * the table is kept true, and when it takes longer than it does now.
 *
 * The fixed costs (item 5 of the issue: at most 30 ms via a V2, 10 ms via
 * a V3) are measured on a one-sector job of a 64 KiB image (below: the
 * comparison of the image is not a fixed cost), kept at or below today's
 * figures, and reported as incomplete while above the goal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <lz4.h>
#include <string.h>

#include "flash-bench.h"
#include "kiln-session.h"

#define MIB (1024 * 1024)

typedef enum
{
  IMAGE_RANDOM,         /* 1 MiB of random bytes */
  IMAGE_HALF_ZERO,      /* each KiB 512 random bytes, then 512 zeros */
  IMAGE_RANDOM_64K,
  IMAGE_SPARSE,         /* sectors 0, 4 and 7, every other KiB 0xFF */
} ImageKind;

typedef enum
{
  BOARD_BLANK,
  BOARD_OTHER,          /* holding another image: every sector changes */
  BOARD_ONE_SECTOR,     /* holding this image but for one sector */
} BoardKind;

typedef struct
{
  const char *name;
  gboolean    v3;
  gboolean    vpp;
  ImageKind   image;
  BoardKind   board;
  double      flash_s;  /* the table's figures: flash busy time */
  double      link_s;   /* link time of the raw bytes */
  double      goal_s;   /* and the goal */
  gboolean    met;
  double      guard_s;  /* a row not met: what Kiln takes now, kept */
} Goal;

static const Goal goals[] = {
  { "v2-1m-half-zero", FALSE, FALSE, IMAGE_HALF_ZERO, BOARD_BLANK, 4.19, 4.98, 4.61, TRUE },
  { "v2-1m-blank", FALSE, FALSE, IMAGE_RANDOM, BOARD_BLANK, 4.19, 4.98, 5.48, TRUE },
  { "v3-1m-blank", TRUE, FALSE, IMAGE_RANDOM, BOARD_BLANK, 4.19, 1.13, 4.40, TRUE },
  { "v3-1m-vpp", TRUE, TRUE, IMAGE_RANDOM, BOARD_BLANK, 2.10, 1.13, 2.31, TRUE },
  { "v2-1m-other", FALSE, FALSE, IMAGE_RANDOM, BOARD_OTHER, 8.74, 4.98, 9.61, TRUE },
  { "v2-1m-one-sector", FALSE, FALSE, IMAGE_RANDOM, BOARD_ONE_SECTOR, 0.38, 0.16, 0.42, TRUE },
  { "v2-sparse-blank", FALSE, FALSE, IMAGE_SPARSE, BOARD_BLANK, 0.85, 1.01, 1.11, TRUE },
  { "v2-64k-blank", FALSE, FALSE, IMAGE_RANDOM_64K, BOARD_BLANK, 0.26, 0.31, 0.35, TRUE },
};

/* F746: 4 × 32 KiB, 128 KiB, 3 × 256 KiB; erase at x32 (x64 erases as x32). */
static const guint32 sector_kib[] = { 32, 32, 32, 32, 128, 256, 256, 256 };
static const double erase_x32_s[] = { 0.25, 0.25, 0.25, 0.25, 0.55, 1.0, 1.0, 1.0 };

static guint8 *
make_image (ImageKind  kind,
            gsize     *size)
{
  guint8 *data;

  switch (kind)
    {
    case IMAGE_RANDOM_64K:
      *size = 64 * 1024;
      return pattern (*size, 2);
    case IMAGE_HALF_ZERO:
      *size = MIB;
      data = pattern (*size, 1);
      for (gsize k = 0; k < *size; k += 1024)
        memset (data + k + 512, 0, 512);
      return data;
    case IMAGE_SPARSE:
      {
        static const guint32 used[] = { 0, 0x20000, 0xC0000 };
        static const guint32 used_kib[] = { 32, 128, 256 };

        *size = MIB;
        data = pattern (*size, 3);
        memset (data, 0xFF, *size);
        for (guint s = 0; s < G_N_ELEMENTS (used); s++)
          {
            g_autofree guint8 *bytes = pattern (used_kib[s] * 1024, 10 + s);

            for (guint32 k = 0; k < used_kib[s]; k += 2)
              memcpy (data + used[s] + k * 1024, bytes + k * 1024, 1024);
          }
        return data;
      }
    case IMAGE_RANDOM:
    default:
      *size = MIB;
      return pattern (*size, 1);
    }
}

static gboolean
all_ff (const guint8 *p,
        guint         n)
{
  for (guint i = 0; i < n; i++)
    if (p[i] != 0xFF)
      return FALSE;
  return TRUE;
}

/* The floor's parts, from the image and what the board held before: the
 * flash busy time, the link time of the raw bytes (the table's column), and
 * the link time as Kiln sends them, compressed. */
static void
floor_of (const Goal   *goal,
          const guint8 *image,
          gsize         size,
          const guint8 *before,
          double       *flash_s,
          double       *link_s,
          double       *packed_link_s)
{
  guint unit = goal->vpp ? 8 : 4;
  guint64 bytes = 0, packed = 0;
  guint32 at = 0;
  int bound = LZ4_compressBound (4096);
  g_autofree char *block = g_malloc (bound);

  *flash_s = 0;
  for (guint s = 0; s < G_N_ELEMENTS (sector_kib) && at < size; s++)
    {
      guint32 end = MIN (at + sector_kib[s] * 1024, size);
      gboolean blank = TRUE;

      if (memcmp (image + at, before + at, end - at) == 0)
        {
          at += sector_kib[s] * 1024;
          continue;
        }
      for (guint32 a = at; a < end && blank; a++)
        blank = before[a] == 0xFF;
      if (!blank)
        *flash_s += erase_x32_s[s];
      for (guint32 b = at; b < end; b += 4096)
        {
          guint32 block_end = MIN (b + 4096, end), raw = 0;
          int n;

          for (guint32 a = b; a < block_end; a += unit)
            if (!all_ff (image + a, unit))
              {
                *flash_s += 16e-6;
                raw += unit;
              }
          n = LZ4_compress_default ((const char *) image + b, block, (int) (block_end - b), bound);
          bytes += raw;
          packed += n > 0 ? MIN ((guint32) n, raw) : raw;
        }
      at += sector_kib[s] * 1024;
    }
  *link_s = goal->v3 ? bytes * (0.03e-6 + 4.2e-6 / 4) : bytes * (1e-6 + 60 / 4e6 / 4);
  *packed_link_s = goal->v3 ? packed * (0.03e-6 + 4.2e-6 / 4) : packed * (1e-6 + 60 / 4e6 / 4);
}

/* What the board holds before @goal's job. */
static guint8 *
board_before (const Goal   *goal,
              const guint8 *image_bytes,
              gsize         size)
{
  guint8 *before = g_malloc (MIB);

  memset (before, 0xFF, MIB);
  if (goal->board == BOARD_OTHER)
    {
      g_autofree guint8 *other = pattern (MIB, 99);

      memcpy (before, other, MIB);
    }
  else if (goal->board == BOARD_ONE_SECTOR)
    {
      /* Sector 2 of an image that reaches it, else sector 0. */
      guint32 changed = size > 0x10000 ? 0x10000 : 0x4000;

      memcpy (before, image_bytes, size);
      for (guint32 a = changed; a < changed + 4096; a++)
        before[a] ^= 0x5A;
    }
  return before;
}

/* Runs @goal's job on a fresh bench and checks what the flash holds; the
 * bench's report, and the job's estimate in @estimated_s. */
static char *
run_job (const Goal   *goal,
         const guint8 *image_bytes,
         gsize         size,
         const guint8 *before,
         double       *estimated_s)
{
  g_autofree char *ini = NULL;
  g_autoptr(Bench) b = NULL;
  g_autofree char *before_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("test");
  g_autoptr(KilnFlashJob) job = NULL;
  g_autoptr(GBytes) flash = NULL;
  char *json;

  /* The host's gaps between transfers do not advance the board: device
   * time does not depend on the machine's speed or load. */
  ini = g_strdup_printf ("[probe]\nmodel = %s\nfirmware = %s\n[board]\nchip = STM32F746NG\n%s%s[bench]\nhost-gaps = ignore\n",
                         goal->v3 ? "stlink-v3" : "stlink-v2", goal->v3 ? "V3J7M2" : "V2J34S7",
                         goal->vpp ? "vpp = true\n" : "",
                         goal->board != BOARD_BLANK ? "flash-image = before.bin\n" : "");
  b = bench_new (ini);
  before_path = g_build_filename (b->dir, "before.bin", NULL);
  g_assert_true (g_file_set_contents (before_path, (const char *) before, MIB, &error));

  image = image_bin (image_bytes, size, FLASH);
  job = kiln_flash_job_new_for_bench (bench_create (b), image);
  job->probe.khz = goal->v3 ? 24000 : 4000;
  job->options.vpp = goal->vpp;
  kiln_session_run_sync (session, kiln_flash_job_run, job, NULL, NULL, &error);
  g_assert_no_error (error);
  if (job->result.fallback_reason)
    g_test_message ("fallback: %s", job->result.fallback_reason);
  g_assert_true (job->result.used_loader);
  g_assert_true (job->result.verified);
  *estimated_s = job->result.estimated_seconds;

  flash = bench_flash (b);
  g_assert_true (memcmp (g_bytes_get_data (flash, NULL), image_bytes, size) == 0);
  json = kiln_sim_bench_dup_report_json (b->bench);
  assert_no_violations (json);
  if (g_getenv ("KILN_GOALS_REPORT"))
    g_printerr ("%s\n", json);
  return json;
}

static void
test_goal (gconstpointer data)
{
  const Goal *goal = data;
  g_autofree guint8 *image_bytes = NULL;
  g_autofree guint8 *before = NULL;
  g_autofree char *json = NULL;
  double flash_s, link_s, packed_link_s, floor_s, device_s, estimated_s, ratio = goal->v3 ? 1.05 : G_MAXDOUBLE;
  gsize size;

  image_bytes = make_image (goal->image, &size);
  before = board_before (goal, image_bytes, size);

  floor_of (goal, image_bytes, size, before, &flash_s, &link_s, &packed_link_s);
  g_assert_cmpfloat_with_epsilon (flash_s, goal->flash_s, 0.006);
  g_assert_cmpfloat_with_epsilon (link_s, goal->link_s, 0.006);

  json = run_job (goal, image_bytes, size, before, &estimated_s);
  device_s = report_number (json, "device_time_s");
  floor_s = MAX (flash_s, packed_link_s);
  g_test_message ("%s: estimate %.3f s, modeled %.3f s (%+.1f %%)", goal->name, estimated_s,
                  device_s, (estimated_s / device_s - 1) * 100);
  /* What the plan says once the comparison on the target is done: within
   * a tenth of the time the job takes on the bench. */
  g_assert_cmpfloat (estimated_s, >=, 0.9 * device_s);
  g_assert_cmpfloat (estimated_s, <=, 1.1 * device_s);
  g_test_message ("%s: floor %.3f s (flash %.3f s, link %.3f s raw, %.3f s compressed), Kiln %.3f s = %.3fx the floor, "
                  "goal %.2f s", goal->name, floor_s, flash_s, link_s, packed_link_s, device_s, device_s / floor_s,
                  goal->goal_s);
  if (goal->met)
    {
      g_assert_cmpfloat (device_s, <=, ratio * floor_s);
      g_assert_cmpfloat (device_s, <=, goal->goal_s);
    }
  else if (device_s <= ratio * floor_s && device_s <= goal->goal_s)
    g_error ("%s meets its goal now (%.3f s): mark it met", goal->name, device_s);
  else if (device_s > goal->guard_s)
    g_error ("%s takes %.4f s, more than the %.4f s it took: a regression", goal->name, device_s, goal->guard_s);
  else
    g_test_incomplete_printf ("%s: Kiln %.3f s, goal %.2f s: not met yet", goal->name, device_s, goal->goal_s);
}

typedef struct
{
  gboolean   v3;
  ImageKind  image;
  double     limit_s;   /* what Kiln takes now: a regression guard */
  double     goal_s;    /* item 5 of the issue; 0: reported only */
  gboolean   met;
} FixedCost;

/* The fixed costs (item 5): on a one-sector job, which is flash-bound,
 * everything before the first flash operation (connect, identify, reset,
 * the loader's upload and start, the comparison on the target, the
 * program command) and after the last (seeing the end, the CRCs, the
 * reset, leaving debug mode) is neither flash busy time nor streaming.
 *
 * The comparison reads the whole image on the target, so its time grows
 * with the image (about 8.7 ms per MiB at the bench's flash read rate):
 * it is the differential's work, not a fixed cost. The goal is measured
 * on a 64 KiB image with one sector changed (its comparison takes about
 * 0.5 ms); the same job on 1 MiB, its comparison of 1 MiB included, is
 * kept at or below what it is now. A goal not met is reported as
 * incomplete, and fails once met until marked. */
static void
test_fixed_costs (gconstpointer data)
{
  const FixedCost *fc = data;
  Goal goal = { "fixed", fc->v3, FALSE, fc->image, BOARD_ONE_SECTOR, 0, 0, 0, FALSE };
  g_autofree guint8 *image_bytes = NULL;
  g_autofree guint8 *before = NULL;
  g_autofree char *json = NULL;
  double first_s, tail_s, fixed_s, estimated_s;
  const char *probe = fc->v3 ? "V3" : "V2";
  gsize size;

  image_bytes = make_image (goal.image, &size);
  before = board_before (&goal, image_bytes, size);
  json = run_job (&goal, image_bytes, size, before, &estimated_s);
  first_s = report_number (json, "flash_first_start_s");
  tail_s = report_number (json, "device_time_s") - report_number (json, "flash_last_end_s");
  fixed_s = first_s + tail_s;
  g_test_message ("fixed costs via %s, %zu KiB image: %.1f ms before the first erase, %.1f ms after the last "
                  "operation: %.1f ms (%s)", probe, size / 1024, first_s * 1e3, tail_s * 1e3, fixed_s * 1e3,
                  fc->goal_s > 0 ? "the goal's job" : "its comparison of the whole image included");
  g_assert_cmpfloat (fixed_s, <=, fc->limit_s);
  if (fc->goal_s == 0)
    return;
  if (fc->met)
    g_assert_cmpfloat (fixed_s, <=, fc->goal_s);
  else if (fixed_s <= fc->goal_s)
    g_error ("fixed costs via %s meet the goal now (%.1f ms): mark them met", probe, fixed_s * 1e3);
  else
    g_test_incomplete_printf ("fixed costs via %s %.1f ms, goal %.0f ms: not met yet", probe, fixed_s * 1e3,
                              fc->goal_s * 1e3);
}

static const FixedCost fixed_costs[] = {
  { FALSE, IMAGE_RANDOM_64K, 0.0262, 0.030, TRUE },
  { TRUE, IMAGE_RANDOM_64K, 0.0063, 0.010, TRUE },
  { FALSE, IMAGE_RANDOM, 0.0353, 0, FALSE },
  { TRUE, IMAGE_RANDOM, 0.0152, 0, FALSE },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (goals); i++)
    {
      g_autofree char *name = g_strdup_printf ("/Kiln/Flash/goals/%s", goals[i].name);

      g_test_add_data_func (name, &goals[i], test_goal);
    }
  g_test_add_data_func ("/Kiln/Flash/goals/fixed-costs/v2", &fixed_costs[0], test_fixed_costs);
  g_test_add_data_func ("/Kiln/Flash/goals/fixed-costs/v3", &fixed_costs[1], test_fixed_costs);
  g_test_add_data_func ("/Kiln/Flash/goals/fixed-costs/v2-1m", &fixed_costs[2], test_fixed_costs);
  g_test_add_data_func ("/Kiln/Flash/goals/fixed-costs/v3-1m", &fixed_costs[3], test_fixed_costs);
  return g_test_run ();
}
