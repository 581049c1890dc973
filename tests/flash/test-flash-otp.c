/* test-flash-otp.c — the OTP area: layouts from the chip database, the
 * checks that refuse a write before anything is written, and programming
 * on the virtual bench at the parallelism the supply and the probe allow
 *
 * otp.bin (the board's saved state: 16 blocks, then the 16 lock bytes) is
 * compared independently of Kiln's own read-back; the bench's report counts
 * the programming accesses and says whether anything broke a rule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "kiln-flash-controller.h"
#include "kiln-flash-otp.h"
#include "kiln-test-bench.h"

static void
test_layouts (void)
{
  static const struct { guint16 dev_id; guint32 base; guint block; guint32 locks; } want[] = {
    { 0x449, 0x1FF0F000, 64, 0x1FF0F400 },
    { 0x451, 0x1FF0F000, 64, 0x1FF0F400 },
    { 0x452, 0x1FF07800, 32, 0x1FF07A00 },
    { 0x413, 0x1FFF7800, 32, 0x1FFF7A00 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const KilnChipLine *line = kiln_chip_db_find_line (want[i].dev_id);
      KilnFlashOtpLayout l;

      g_assert_nonnull (line);
      g_assert_true (kiln_flash_otp_get_line_layout (line, &l));
      g_assert_cmphex (l.base, ==, want[i].base);
      g_assert_cmpuint (l.block_size, ==, want[i].block);
      g_assert_cmpuint (l.size, ==, 16 * want[i].block);
      g_assert_cmphex (l.lock_base, ==, want[i].locks);
      g_assert_cmpint (kiln_flash_otp_block_at (&l, l.base), ==, 0);
      g_assert_cmpint (kiln_flash_otp_block_at (&l, l.base + l.size - 1), ==, 15);
      g_assert_cmpint (kiln_flash_otp_block_at (&l, l.lock_base), ==, -1);
    }

  g_assert_nonnull (kiln_flash_otp_find_line (0x1FF0F3FF, 1));
  g_assert_null (kiln_flash_otp_find_line (0x1FF0F3FF, 2));
  g_assert_null (kiln_flash_otp_find_line (0x1FF0F400, 1));
  g_assert_nonnull (kiln_flash_otp_find_line (0x1FF07800, 512));
  g_assert_null (kiln_flash_otp_find_line (0x1FF07800, 513));
  g_assert_null (kiln_flash_otp_find_line (0x08000000, 4));
}

static void
test_check_write (void)
{
  KilnFlashOtp otp;
  static const guint8 same[] = { 0x12, 0xFF };
  static const guint8 other[] = { 0x13 };
  static const guint8 one[] = { 0x00 };
  g_autoptr(GError) error = NULL;

  memset (&otp, 0xFF, sizeof otp);
  g_assert_true (kiln_flash_otp_get_line_layout (kiln_chip_db_find_line (0x449), &otp.layout));
  otp.data[5] = 0x12;
  otp.locks[2] = 0x00;

  /* Bytes that already hold their value, and erased bytes: fine. */
  g_assert_true (kiln_flash_otp_check_write (&otp, 0x1FF0F005, same, sizeof same, &error));
  g_assert_no_error (error);
  /* Another value over a written byte: refused, naming the block and the address. */
  g_assert_false (kiln_flash_otp_check_write (&otp, 0x1FF0F005, other, sizeof other, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
  g_assert_nonnull (strstr (error->message, "OTP block 0 already holds 0x12 at 0x1FF0F005"));
  g_clear_error (&error);
  /* A locked block, even where its bytes are erased. */
  g_assert_false (kiln_flash_otp_check_write (&otp, 0x1FF0F080, one, sizeof one, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
  g_assert_nonnull (strstr (error->message, "OTP block 2 (0x1FF0F080–0x1FF0F0BF) is locked"));
  g_clear_error (&error);
  /* Outside the data blocks, and nothing at all. */
  g_assert_false (kiln_flash_otp_check_write (&otp, 0x1FF0F400, one, sizeof one, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN);
  g_clear_error (&error);
  g_assert_false (kiln_flash_otp_check_write (&otp, 0x1FF0EFFF, one, sizeof one, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN);
  g_clear_error (&error);
  g_assert_false (kiln_flash_otp_check_write (&otp, 0x1FF0F000, one, 0, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN);
}

static guint
units_programmed (KilnTestBench *b)
{
  g_autofree char *json = kiln_test_bench_dup_report (b);

  if (strstr (json, "\"violations\":[]") == NULL)
    g_error ("the bench reports violations: %s", strstr (json, "\"violations\""));
  return (guint) kiln_test_report_number (json, "flash_units_programmed");
}

static void
assert_locked (KilnTestBench *b)
{
  KilnFlashController ctrl;
  gboolean locked = FALSE;
  g_autoptr(GError) error = NULL;

  kiln_flash_controller_init (&ctrl, b->target);
  g_assert_true (kiln_flash_controller_is_locked (&ctrl, &locked, &error));
  g_assert_no_error (error);
  g_assert_true (locked);
}

typedef struct
{
  const char *ini;
  guint32     base;
  guint       data_size;
  guint       units;        /* accesses for 6 bytes at base + 1 */
  KilnFlashPsize psize;
} WriteCase;

static const WriteCase write_cases[] = {
  /* x32 at 3.3 V: bytes 1–3 and 4–6 in two words. */
  { "[probe]\nmodel = stlink-v3\n[board]\nchip = STM32F746NG", 0x1FF0F000, 1024, 2, KILN_FLASH_PSIZE_X32 },
  /* x16 at 2.4 V with a probe that has 16-bit access: four halfwords. */
  { "[probe]\nmodel = stlink-v3\n[board]\nchip = STM32F746NG\nvoltage = 2.4", 0x1FF0F000, 1024, 4,
    KILN_FLASH_PSIZE_X16 },
  /* x16 allowed, but the probe (V2J24) has no 16-bit access: bytes. */
  { "[probe]\nmodel = stlink-v2\nfirmware = V2J24S7\n[board]\nchip = STM32F746NG\nvoltage = 2.4", 0x1FF0F000, 1024,
    6, KILN_FLASH_PSIZE_X8 },
  /* x8 at 1.9 V, and the F72x layout. */
  { "[probe]\nmodel = stlink-v3\n[board]\nchip = STM32F722RE\nvoltage = 1.9", 0x1FF07800, 512, 6,
    KILN_FLASH_PSIZE_X8 },
};

static void
test_write (gconstpointer data)
{
  const WriteCase *c = data;
  g_autoptr(KilnTestBench) b = kiln_test_bench_new (c->ini);
  static const guint8 bytes[] = { 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6 };
  static const guint8 next[] = { 0x5A, 0x5B };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) otp = NULL;
  KilnFlashOtpResult result;
  KilnFlashOtp read;
  const guint8 *o;
  gsize len;

  kiln_test_bench_connect (b, FALSE);
  g_assert_true (kiln_flash_otp_write (b->target, c->base + 1, bytes, sizeof bytes, FALSE, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.psize, ==, c->psize);
  g_assert_cmpuint (result.units, ==, c->units);
  g_assert_cmpuint (result.written, ==, 6);
  g_assert_cmpuint (units_programmed (b), ==, c->units);
  assert_locked (b);

  /* Beside them, in a unit that holds programmed bytes: byte by byte. */
  g_assert_true (kiln_flash_otp_write (b->target, c->base + 7, next, sizeof next, FALSE, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.written, ==, 2);

  /* Block 15 written and locked in one go. */
  g_assert_true (kiln_flash_otp_write (b->target, c->base + c->data_size - 2, next, sizeof next, TRUE, &result,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmphex (result.locked, ==, 1u << 15);
  assert_locked (b);

  otp = kiln_test_bench_state_file (b, "otp.bin");
  o = g_bytes_get_data (otp, &len);
  g_assert_cmpuint (len, ==, c->data_size + 16);
  g_assert_cmphex (o[0], ==, 0xFF);
  g_assert_cmpmem (o + 1, 6, bytes, 6);
  g_assert_cmpmem (o + 7, 2, next, 2);
  g_assert_cmphex (o[9], ==, 0xFF);
  g_assert_cmpmem (o + c->data_size - 2, 2, next, 2);
  g_assert_cmphex (o[c->data_size + 15], ==, 0x00);
  g_assert_cmphex (o[c->data_size + 14], ==, 0xFF);

  /* Kiln reads what the bench holds. */
  g_assert_true (kiln_flash_otp_read (b->target, &read, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (read.data, c->data_size, o, c->data_size);
  g_assert_true (kiln_flash_otp_is_locked (&read, 15));
  g_assert_false (kiln_flash_otp_is_locked (&read, 0));

  /* Refused before anything is written: the report counts no access. */
  {
    guint before = units_programmed (b);
    static const guint8 clash[] = { 0x00 };

    g_assert_false (kiln_flash_otp_write (b->target, c->base + 1, clash, 1, FALSE, &result, &error));
    g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
    g_clear_error (&error);
    g_assert_false (kiln_flash_otp_write (b->target, c->base + c->data_size - 4, clash, 1, FALSE, &result, &error));
    g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
    g_clear_error (&error);
    g_assert_cmpuint (units_programmed (b), ==, before);
    assert_locked (b);
  }

  /* Locking again changes nothing; lock accepts block numbers 0–15 only. */
  g_assert_true (kiln_flash_otp_lock (b->target, 1u << 15, &result, &error));
  g_assert_no_error (error);
  g_assert_cmphex (result.locked, ==, 0);
  g_assert_false (kiln_flash_otp_lock (b->target, 1u << 16, &result, &error));
  g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PLAN);
  assert_locked (b);
}

int
main (int    argc,
      char **argv)
{
  static const char *const names[] = { "f746-x32", "f746-x16", "f746-x16-old-probe", "f722-x8" };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Kiln/Flash/otp/layouts", test_layouts);
  g_test_add_func ("/Kiln/Flash/otp/check-write", test_check_write);
  for (guint i = 0; i < G_N_ELEMENTS (write_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Kiln/Flash/otp/write/%s", names[i]);

      g_test_add_data_func (path, &write_cases[i], test_write);
    }
  return g_test_run ();
}
