/* test-sim-options.c — the simulated board's option bytes as silicon has
 * them: OPTLOCK and its keys, the OPTSTRT sequence, values loaded at reset,
 * WRP, RDP 1 → 0 erasing the flash, state and report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "kiln-sim-board.h"

#define FLASH_REGS 0x40023C00u
#define OPTKEYR    (FLASH_REGS + 0x08)
#define SR         (FLASH_REGS + 0x0C)
#define CR         (FLASH_REGS + 0x10)
#define OPTCR      (FLASH_REGS + 0x14)
#define OPTCR1     (FLASH_REGS + 0x18)
#define AIRCR      0xE000ED0Cu
#define DHCSR      0xE000EDF0u

typedef struct
{
  KilnSimClock   clock;
  KilnSimReport *report;
  KilnSimBoard  *board;
  char          *dir;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint32 v = 0;
  guint64 ready;

  f->dir = g_dir_make_tmp ("kiln-sim-opt-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *img = g_build_filename (f->dir, "img.bin", NULL);
    guint8 bytes[4096];

    /* The flash starts with something an erase would remove. */
    memset (bytes, 0x11, sizeof bytes);
    g_assert_true (g_file_set_contents (img, (const char *) bytes, sizeof bytes, NULL));
  }
  text = g_strdup_printf ("[board]\nstate=%s/state\nflash-image=%s/img.bin\n%s", f->dir, f->dir,
                          data ? (const char *) data : "");
  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, &error));
  memset (&f->clock, 0, sizeof f->clock);
  f->report = kiln_sim_report_new ();
  f->board = kiln_sim_board_new (kf, "board", f->dir, &f->clock, f->report, &error);
  g_assert_no_error (error);

  kiln_sim_board_swd_line_reset (f->board);
  kiln_sim_board_dp_read (f->board, 0x0, &v, &ready);
  kiln_sim_board_dp_write (f->board, 0x4, 0x50000000, &ready);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_clear_object (&f->board);
  kiln_sim_report_free (f->report);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

static KilnSimAck
write32 (Fixture *f,
         guint32  address,
         guint32  value)
{
  guint64 ready;
  KilnSimAck ack;

  kiln_sim_board_ap_write (f->board, 0, 0x00, 0x23000012, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x04, address, &ready);
  ack = kiln_sim_board_ap_write (f->board, 0, 0x0C, value, &ready);
  while (ack == KILN_SIM_ACK_WAIT)
    {
      f->clock.now_ns = ready;
      ack = kiln_sim_board_ap_write (f->board, 0, 0x0C, value, &ready);
    }
  /* A fault leaves STICKYERR set; clear it as a probe's firmware does. */
  if (ack == KILN_SIM_ACK_FAULT)
    kiln_sim_board_dp_write (f->board, 0x0, 0x1E, &ready);
  return ack;
}

static KilnSimAck
try_read32 (Fixture *f,
            guint32  address,
            guint32 *v)
{
  guint64 ready;
  KilnSimAck ack;

  kiln_sim_board_ap_write (f->board, 0, 0x00, 0x23000012, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x04, address, &ready);
  ack = kiln_sim_board_ap_read (f->board, 0, 0x0C, v, &ready);
  while (ack == KILN_SIM_ACK_WAIT)
    {
      f->clock.now_ns = ready;
      ack = kiln_sim_board_ap_read (f->board, 0, 0x0C, v, &ready);
    }
  if (ack == KILN_SIM_ACK_FAULT)
    kiln_sim_board_dp_write (f->board, 0x0, 0x1E, &ready);
  return ack;
}

static guint32
read32 (Fixture *f,
        guint32  address)
{
  guint32 v = 0xDEADBEEF;

  g_assert_cmpint (try_read32 (f, address, &v), ==, KILN_SIM_ACK_OK);
  return v;
}

/* Waits for BSY to clear on the virtual clock; returns how long it took. */
static double
wait_busy (Fixture *f)
{
  guint64 start = f->clock.now_ns;

  while (read32 (f, SR) & (1u << 16))
    f->clock.now_ns += 1000000;
  return (f->clock.now_ns - start) / 1e9;
}

static void
unlock_options (Fixture *f)
{
  g_assert_cmpint (write32 (f, OPTKEYR, 0x08192A3B), ==, KILN_SIM_ACK_OK);
  g_assert_cmpint (write32 (f, OPTKEYR, 0x4C5D6E7F), ==, KILN_SIM_ACK_OK);
  g_assert_cmphex (read32 (f, OPTCR) & 1, ==, 0);
}

static void
system_reset (Fixture *f)
{
  write32 (f, AIRCR, 0x05FA0004);
}

static void
test_optlock (Fixture       *f,
              gconstpointer  data)
{
  guint32 before = read32 (f, OPTCR);

  /* Locked from reset: writes are ignored, except setting OPTLOCK. */
  g_assert_cmphex (before & 1, ==, 1);
  write32 (f, OPTCR, (before & ~1u) & ~(1u << 16));
  g_assert_cmphex (read32 (f, OPTCR), ==, before);

  /* A wrong key faults and locks the option registers until reset. */
  g_assert_cmpint (write32 (f, OPTKEYR, 0x12345678), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmpint (write32 (f, OPTKEYR, 0x08192A3B), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmpint (write32 (f, OPTKEYR, 0x4C5D6E7F), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmphex (read32 (f, OPTCR) & 1, ==, 1);
  system_reset (f);
  unlock_options (f);

  /* A second unlock faults too and locks again. */
  g_assert_cmpint (write32 (f, OPTKEYR, 0x08192A3B), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmphex (read32 (f, OPTCR) & 1, ==, 1);
}

static void
test_program_and_reload (Fixture       *f,
                         gconstpointer  data)
{
  guint32 optcr = read32 (f, OPTCR) & ~3u;
  guint32 wanted = (optcr & ~(1u << 16)) & ~(3u << 2);   /* protect sector 0, BOR level 3 */
  gsize size;

  /* A value written without OPTSTRT is not kept: the reset loads the stored one. */
  unlock_options (f);
  write32 (f, OPTCR, wanted);
  system_reset (f);
  g_assert_cmphex (read32 (f, OPTCR), ==, optcr | 1);

  unlock_options (f);
  write32 (f, OPTCR1, 0x00402000);
  write32 (f, OPTCR, wanted);
  write32 (f, OPTCR, wanted | 2);
  g_assert_cmphex (read32 (f, SR) & (1u << 16), !=, 0);
  wait_busy (f);
  g_assert_cmphex (read32 (f, SR) & 0xF2, ==, 0);
  write32 (f, OPTCR, wanted | 1);
  system_reset (f);
  g_assert_cmphex (read32 (f, OPTCR), ==, wanted | 1);
  g_assert_cmphex (read32 (f, OPTCR1), ==, 0x00402000);

  /* Sector 0 is write-protected now: its erase fails with WRPERR. */
  write32 (f, FLASH_REGS + 0x04, 0x45670123);
  write32 (f, FLASH_REGS + 0x04, 0xCDEF89AB);
  write32 (f, CR, (2u << 8) | 2u);
  write32 (f, CR, (2u << 8) | 2u | (1u << 16));
  wait_busy (f);
  g_assert_cmphex (read32 (f, SR) & (1u << 4), !=, 0);
  g_assert_cmpuint (f->report->sectors_erased->len, ==, 0);
  write32 (f, CR, 1u << 31);

  /* Kept across a power cycle: options.ini. */
  g_assert_true (kiln_sim_board_save (f->board, NULL));
  {
    g_autofree char *path = g_build_filename (f->dir, "state", "options.ini", NULL);
    g_autofree char *text = NULL;
    const char *line;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    line = strstr (text, "optcr=");
    g_assert_nonnull (line);
    /* OPTLOCK and OPTSTRT are register bits, not stored options. */
    g_assert_cmphex ((guint32) g_ascii_strtoull (line + 6, NULL, 0) & ~3u, ==, wanted);
  }
  g_assert_false (f->report->flash_unlocked_at_exit);
  g_assert_false (f->report->options_unlocked_at_exit);
  (void) kiln_sim_board_peek_flash (f->board, &size);
}

/* nWRP cleared in OPTCR but never committed with OPTSTRT protects nothing:
 * the erase of that sector goes ahead. */
static void
test_wrp_needs_optstrt (Fixture       *f,
                        gconstpointer  data)
{
  guint32 optcr = read32 (f, OPTCR) & ~3u;
  gsize size;

  unlock_options (f);
  write32 (f, OPTCR, optcr & ~(1u << 17));
  write32 (f, OPTCR, (optcr & ~(1u << 17)) | 1);
  write32 (f, FLASH_REGS + 0x04, 0x45670123);
  write32 (f, FLASH_REGS + 0x04, 0xCDEF89AB);
  write32 (f, CR, (2u << 8) | (1u << 3) | 2u);
  write32 (f, CR, (2u << 8) | (1u << 3) | 2u | (1u << 16));
  wait_busy (f);
  g_assert_cmphex (read32 (f, SR) & 0xF2, ==, 0);
  g_assert_cmpuint (f->report->sectors_erased->len, ==, 1);
  g_assert_cmphex (kiln_sim_board_peek_flash (f->board, &size)[0], ==, 0x11);
  g_assert_cmphex (read32 (f, 0x08008000), ==, 0xFFFFFFFF);
  write32 (f, CR, 1u << 31);
}

static void
test_optcr_waits_for_erase (Fixture       *f,
                            gconstpointer  data)
{
  guint32 optcr = read32 (f, OPTCR) & ~3u;
  gsize size;
  guint64 start;

  /* A sector erase is running when the option change starts: it completes. */
  write32 (f, FLASH_REGS + 0x04, 0x45670123);
  write32 (f, FLASH_REGS + 0x04, 0xCDEF89AB);
  unlock_options (f);
  write32 (f, CR, (2u << 8) | 2u);
  write32 (f, CR, (2u << 8) | 2u | (1u << 16));
  start = f->clock.now_ns;
  write32 (f, OPTCR, optcr & ~(1u << 17));
  g_assert_cmpuint (f->clock.now_ns - start, >=, 200 * 1000000ull);
  write32 (f, OPTCR, (optcr & ~(1u << 17)) | 2);
  wait_busy (f);
  g_assert_cmphex (kiln_sim_board_peek_flash (f->board, &size)[0], ==, 0xFF);
  write32 (f, OPTCR, (optcr & ~(1u << 17)) | 1);
  write32 (f, CR, 1u << 31);
  system_reset (f);
  g_assert_cmphex (read32 (f, OPTCR) & (1u << 17), ==, 0);
}

static void
test_rdp_regression (Fixture       *f,
                     gconstpointer  data)
{
  guint32 optcr = read32 (f, OPTCR) & ~3u;
  guint32 v;
  const guint8 *flash;
  gsize size;
  double t;

  /* A debugger is attached (DHCSR written) and RDP is level 1: flash reads fault. */
  write32 (f, DHCSR, 0xA05F0003);
  g_assert_cmpint (try_read32 (f, 0x08000000, &v), ==, KILN_SIM_ACK_FAULT);
  flash = kiln_sim_board_peek_flash (f->board, &size);
  g_assert_cmphex (flash[0], ==, 0x11);

  unlock_options (f);
  write32 (f, OPTCR, (optcr & ~0xFF00u) | (0xAAu << 8));
  write32 (f, OPTCR, (optcr & ~0xFF00u) | (0xAAu << 8) | 2);
  t = wait_busy (f);
  g_assert_cmpfloat (t, >, 1.0);
  write32 (f, OPTCR, ((optcr & ~0xFF00u) | (0xAAu << 8)) | 1);

  /* The whole flash was erased on the way to level 0. */
  flash = kiln_sim_board_peek_flash (f->board, &size);
  for (gsize i = 0; i < size; i++)
    if (flash[i] != 0xFF)
      g_error ("flash byte 0x%" G_GSIZE_MODIFIER "x is 0x%02X after RDP 1 → 0", i, flash[i]);
  g_assert_cmpuint (f->report->mass_erases, ==, 1);
  system_reset (f);
  g_assert_cmphex ((read32 (f, OPTCR) >> 8) & 0xFF, ==, 0xAA);
  g_assert_cmphex (read32 (f, 0x08000000), ==, 0xFFFFFFFF);
}

static void
test_rdp_raise_keeps_flash (Fixture       *f,
                            gconstpointer  data)
{
  guint32 optcr = read32 (f, OPTCR) & ~3u;
  guint32 v;
  gsize size;

  write32 (f, DHCSR, 0xA05F0003);
  g_assert_cmphex (read32 (f, 0x08000000), ==, 0x11111111);
  unlock_options (f);
  write32 (f, OPTCR, (optcr & ~0xFF00u) | (0x55u << 8));
  write32 (f, OPTCR, (optcr & ~0xFF00u) | (0x55u << 8) | 2);
  wait_busy (f);
  system_reset (f);
  g_assert_cmpint (try_read32 (f, 0x08000000, &v), ==, KILN_SIM_ACK_FAULT);
  g_assert_cmpuint (f->report->mass_erases, ==, 0);
  /* Nor can the debugger program it. */
  write32 (f, FLASH_REGS + 0x04, 0x45670123);
  write32 (f, FLASH_REGS + 0x04, 0xCDEF89AB);
  write32 (f, CR, (2u << 8) | 1u);
  g_assert_cmpint (write32 (f, 0x08000000, 0), ==, KILN_SIM_ACK_FAULT);
  write32 (f, CR, 1u << 31);
  g_assert_cmphex (kiln_sim_board_peek_flash (f->board, &size)[0], ==, 0x11);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/Kiln/Sim/options/optlock", Fixture, NULL, set_up, test_optlock, tear_down);
  g_test_add ("/Kiln/Sim/options/program-and-reload", Fixture, NULL, set_up, test_program_and_reload, tear_down);
  g_test_add ("/Kiln/Sim/options/wrp-needs-optstrt", Fixture, NULL, set_up, test_wrp_needs_optstrt, tear_down);
  g_test_add ("/Kiln/Sim/options/optcr-waits-for-erase", Fixture, NULL, set_up, test_optcr_waits_for_erase, tear_down);
  g_test_add ("/Kiln/Sim/options/rdp-regression", Fixture, "rdp=0x55\n", set_up, test_rdp_regression, tear_down);
  g_test_add ("/Kiln/Sim/options/rdp-raise", Fixture, NULL, set_up, test_rdp_raise_keeps_flash, tear_down);
  return g_test_run ();
}
