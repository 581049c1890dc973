/* test-sim-board.c — the simulated board driven at the DP/AP level, as a
 * probe's firmware drives it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "kiln-test-board.h"

typedef KilnTestBoard Fixture;

static void
test_dp_and_ids (Fixture       *f,
                 gconstpointer  data)
{
  guint32 v;
  guint64 ready;

  /* Before the power-up request, AP access faults and sets STICKYERR. */
  kiln_sim_board_swd_line_reset (f->board);
  g_assert_cmpint (kiln_sim_board_ap_read (f->board, 0, 0xFC, &v, &ready), ==, KILN_SIM_ACK_FAULT);
  kiln_sim_board_dp_read (f->board, 0x4, &v, &ready);
  g_assert_cmphex (v & 0x20, ==, 0x20);
  kiln_sim_board_dp_write (f->board, 0x0, 0x1E, &ready);
  kiln_test_board_connect (f);

  g_assert_cmpint (kiln_sim_board_ap_read (f->board, 0, 0xFC, &v, &ready), ==, KILN_SIM_ACK_OK);
  g_assert_cmphex (v, ==, 0x74770001);
  g_assert_cmphex (kiln_test_read32 (f, 0xE0042000), ==, 0x10010449);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000ED00), ==, 0x410FC271);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F440) >> 16, ==, 1024);
  /* ROM table: the ST table's CIDR is a class 1 ROM table. */
  g_assert_cmphex (kiln_test_read32 (f, 0xE00FDFF4), ==, 0x10);
}

static void
test_memory_and_tar_wrap (Fixture       *f,
                          gconstpointer  data)
{
  guint64 ready;
  guint32 v;

  kiln_test_board_connect (f);
  kiln_test_write32 (f, 0x20010000, 0x11223344);
  g_assert_cmphex (kiln_test_read32 (f, 0x20010000), ==, 0x11223344);

  /* 8-bit access uses its byte lane of DRW. */
  kiln_sim_board_ap_write (f->board, 0, 0x00, 0x23000000, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x04, 0x20010002, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x0C, 0xAB << 16, &ready);
  g_assert_cmphex (kiln_test_read32 (f, 0x20010000), ==, 0x11AB3344);

  /* TAR auto-increment wraps within 1 KiB, as on silicon. */
  kiln_sim_board_ap_write (f->board, 0, 0x00, 0x23000012, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x04, 0x200103FC, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x0C, 0xAAAAAAAA, &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x0C, 0xBBBBBBBB, &ready);
  g_assert_cmphex (kiln_test_read32 (f, 0x20010000), ==, 0xBBBBBBBB);
  g_assert_cmphex (kiln_test_read32 (f, 0x20010400), ==, 0);

  /* Unmapped memory faults. */
  kiln_sim_board_ap_write (f->board, 0, 0x04, 0x60000000, &ready);
  g_assert_cmpint (kiln_sim_board_ap_read (f->board, 0, 0x0C, &v, &ready), ==, KILN_SIM_ACK_FAULT);
}

static void
unlock (Fixture *f)
{
  kiln_test_write32 (f, 0x40023C04, 0x45670123);
  kiln_test_write32 (f, 0x40023C04, 0xCDEF89AB);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C10) & 0x80000000, ==, 0);
}

static void
test_flash_erase_program (Fixture       *f,
                          gconstpointer  data)
{
  guint64 start;
  gsize size;
  const guint8 *flash;

  kiln_test_board_connect (f);
  unlock (f);

  /* Erase sector 4 (128 KiB) at x32: busy for 550 ms of virtual time. */
  start = f->clock.now_ns;
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | (4u << 3) | 2u | (1u << 16));
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & (1u << 16), !=, 0);
  f->clock.now_ns = start + 549 * 1000000ull;
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & (1u << 16), !=, 0);
  f->clock.now_ns = start + 551 * 1000000ull;
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & (1u << 16), ==, 0);
  g_assert_cmpuint (f->report->sectors_erased->len, ==, 1);
  g_assert_cmpuint (g_array_index (f->report->sectors_erased, KilnSimReportErase, 0).sector, ==, 4);

  /* Program a word at x32; programming only clears bits. */
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | 1u);
  kiln_test_write32 (f, 0x08020000, 0x12345678);
  g_assert_cmphex (kiln_test_read32 (f, 0x08020000), ==, 0x12345678);
  kiln_test_write32 (f, 0x08020000, 0xFFFF00FF);
  g_assert_cmphex (kiln_test_read32 (f, 0x08020000), ==, 0x12340078);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & 0xF2, ==, 0);

  /* A 32-bit write at x16 is a parallelism error and changes nothing. */
  kiln_test_write32 (f, 0x40023C10, (1u << 8) | 1u);
  kiln_test_write32 (f, 0x08020004, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & (1u << 6), !=, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x08020004), ==, 0xFFFFFFFF);
  kiln_test_write32 (f, 0x40023C0C, 0xF2);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C), ==, 0);

  /* The state keeps what was programmed. */
  flash = kiln_sim_board_peek_flash (f->board, &size);
  g_assert_cmpuint (size, ==, 1024 * 1024);
  g_assert_cmphex (flash[0x20000], ==, 0x78);
}

static void
test_flash_keys (Fixture       *f,
                 gconstpointer  data)
{
  kiln_test_board_connect (f);
  /* A wrong key faults and keeps the controller locked until reset. */
  g_assert_cmpint (kiln_test_try_write32 (f, 0x40023C04, 0x11111111), ==, KILN_SIM_ACK_FAULT);
  kiln_sim_board_dp_write (f->board, 0x0, 0x1E, &(guint64) { 0 });
  g_assert_cmpint (kiln_test_try_write32 (f, 0x40023C04, 0x45670123), ==, KILN_SIM_ACK_FAULT);
  kiln_sim_board_dp_write (f->board, 0x0, 0x1E, &(guint64) { 0 });
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C10) & 0x80000000, !=, 0);
  kiln_sim_board_set_nrst (f->board, TRUE);
  kiln_sim_board_set_nrst (f->board, FALSE);
  unlock (f);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C10) & 0x80000000, ==, 0);

  /* A key written while unlocked faults and locks again, until reset. */
  g_assert_cmpint (kiln_test_try_write32 (f, 0x40023C04, 0x45670123), ==, KILN_SIM_ACK_FAULT);
  kiln_sim_board_dp_write (f->board, 0x0, 0x1E, &(guint64) { 0 });
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C10) & 0x80000000, !=, 0);
  g_assert_cmpint (kiln_test_try_write32 (f, 0x40023C04, 0x45670123), ==, KILN_SIM_ACK_FAULT);
}

static void
test_write_protection (Fixture       *f,
                       gconstpointer  data)
{
  kiln_test_board_connect (f);
  unlock (f);
  /* nwrp = 0xDF: sector 5 is protected. */
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | (5u << 3) | 2u | (1u << 16));
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & (1u << 4), !=, 0);
  g_assert_cmpuint (f->report->sectors_erased->len, ==, 0);
}

static void
test_core_runs_to_bkpt (Fixture       *f,
                        gconstpointer  data)
{
  kiln_test_board_connect (f);
  /* Halt, load "movs r0, #42; adds r0, #1; bkpt", run it. */
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), !=, 0);
  kiln_test_write32 (f, 0x20000000, 0x3001202A);
  kiln_test_write32 (f, 0x20000004, 0xBF00BE00);
  kiln_test_write32 (f, 0xE000EDF8, 0x20000000);
  kiln_test_write32 (f, 0xE000EDF4, 0x1000F);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0001);
  f->clock.now_ns += 1000000;
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), !=, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000ED30) & 2, !=, 0);  /* DFSR.BKPT */
  kiln_test_write32 (f, 0xE000EDF4, 0);
  g_assert_cmpuint (kiln_test_read32 (f, 0xE000EDF8), ==, 43);
  kiln_test_write32 (f, 0xE000EDF4, 15);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF8), ==, 0x20000004);
  g_assert_cmpuint (f->report->core_instructions, >=, 2);
}

/* Code on the core and the flash controller. The stubs run from SRAM with
 * r0 = FLASH registers, r1 = sector 1 (0x08008000), r2 = a FLASH_CR value. */
#define STUB_SECTOR 0x08008000u

static void
write_core_reg (Fixture *f,
                guint    sel,
                guint32  value)
{
  kiln_test_write32 (f, 0xE000EDF8, value);
  kiln_test_write32 (f, 0xE000EDF4, 0x10000 | sel);
}

static guint32
read_core_reg (Fixture *f,
               guint    sel)
{
  kiln_test_write32 (f, 0xE000EDF4, sel);
  return kiln_test_read32 (f, 0xE000EDF8);
}

/* Halts the core, loads @code (Thumb halfwords) at 0x20000000, sets r0-r2
 * and runs it for @ms of virtual time. */
static void
run_stub (Fixture        *f,
          const guint16  *code,
          guint           n,
          guint32         cr,
          guint           ms)
{
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  for (guint i = 0; i < n; i += 2)
    kiln_test_write32 (f, 0x20000000 + 2 * i, code[i] | (i + 1 < n ? (guint32) code[i + 1] << 16 : 0xBF00u << 16));
  write_core_reg (f, 0, 0x40023C00);
  write_core_reg (f, 1, STUB_SECTOR);
  write_core_reg (f, 2, cr);
  write_core_reg (f, 15, 0x20000000);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0001);
  f->clock.now_ns += ms * 1000000ull;
  kiln_sim_board_sync (f->board);
}

/* Two words programmed into sector 1 by the debugger. */
static void
program_two_words (Fixture *f)
{
  unlock (f);
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | 1u);
  kiln_test_write32 (f, STUB_SECTOR, 0x12345678);
  kiln_test_write32 (f, STUB_SECTOR + 4, 0x9ABCDEF0);
  kiln_test_write32 (f, 0x40023C10, 0);
}

/* Firmware that resets the chip itself (AIRCR SYSRESETREQ from the core,
 * as NVIC_SystemReset() does): the core starts again from the vector table
 * in flash, or stops at its first instruction when DEMCR.VC_CORERESET asks.
 * The vector table sends it to SRAM: "movs r0, #42; bkpt" at 0x20000010. */
static void
core_system_reset (Fixture *f,
                   guint32  demcr)
{
  kiln_test_board_connect (f);
  unlock (f);
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | 1u);
  kiln_test_write32 (f, 0x08000000, 0x20010000);
  kiln_test_write32 (f, 0x08000004, 0x20000011);
  kiln_test_write32 (f, 0x40023C10, 0x80000000);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  /* str r2, [r1]; b . */
  kiln_test_write32 (f, 0x20000000, 0xE7FE600A);
  kiln_test_write32 (f, 0x20000010, 0xBE00202A);
  kiln_test_write32 (f, 0xE000EDFC, demcr);
  kiln_test_read32 (f, 0xE000EDF0); /* clears S_RESET_ST */
  write_core_reg (f, 1, 0xE000ED0C);
  write_core_reg (f, 2, 0x05FA0004);
  write_core_reg (f, 15, 0x20000000);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0001);
  f->clock.now_ns += 1000000;
  kiln_sim_board_sync (f->board);
}

static void
test_core_system_reset_runs (Fixture       *f,
                             gconstpointer  data)
{
  core_system_reset (f, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & ((1u << 25) | (1u << 17)), ==, (1u << 25) | (1u << 17));
  g_assert_cmphex (kiln_test_read32 (f, 0xE000ED30) & 2, !=, 0);  /* DFSR.BKPT */
  g_assert_cmpuint (read_core_reg (f, 0), ==, 42);
  g_assert_cmphex (read_core_reg (f, 15), ==, 0x20000012);
  g_assert_cmphex (read_core_reg (f, 13), ==, 0x20010000);
}

static void
test_core_system_reset_caught (Fixture       *f,
                               gconstpointer  data)
{
  core_system_reset (f, 1);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & ((1u << 25) | (1u << 17)), ==, (1u << 25) | (1u << 17));
  g_assert_cmphex (kiln_test_read32 (f, 0xE000ED30) & 8, !=, 0);  /* DFSR.VCATCH */
  g_assert_cmphex (read_core_reg (f, 15), ==, 0x20000010);
  g_assert_cmpuint (read_core_reg (f, 0), ==, 0);
}

/* A stub starts a sector erase and reads the sector: the read stalls until
 * the erase ends and sees it erased; BSY is clear by then. */
static void
test_core_read_stalls_on_erase (Fixture       *f,
                                gconstpointer  data)
{
  /* str r2, [r0, #16]; ldr r3, [r1]; ldr r4, [r0, #12]; bkpt */
  static const guint16 stub[] = { 0x6102, 0x680B, 0x68C4, 0xBE00 };
  guint32 cr = (2u << 8) | (1u << 3) | 2u;

  kiln_test_board_connect (f);
  program_two_words (f);
  kiln_test_write32 (f, 0x40023C10, cr);
  run_stub (f, stub, G_N_ELEMENTS (stub), cr | (1u << 16), 1000);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), !=, 0);
  g_assert_cmphex (read_core_reg (f, 3), ==, 0xFFFFFFFF);
  g_assert_cmphex (read_core_reg (f, 4) & (1u << 16), ==, 0);
  g_assert_cmpuint (f->report->sectors_erased->len, ==, 1);
}

/* A stub that writes the array while an erase runs waits for it: the erase
 * happens (it used to vanish, replaced by the programming), then the word
 * is programmed. */
static void
test_core_write_waits_for_erase (Fixture       *f,
                                 gconstpointer  data)
{
  /* str r2, [r0, #16]; movs r3, #0x5A; str r3, [r1]; bkpt */
  static const guint16 stub[] = { 0x6102, 0x235A, 0x600B, 0xBE00 };
  guint32 cr = (2u << 8) | (1u << 3) | 2u | 1u;

  kiln_test_board_connect (f);
  program_two_words (f);
  kiln_test_write32 (f, 0x40023C10, cr);
  run_stub (f, stub, G_N_ELEMENTS (stub), cr | (1u << 16), 1000);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), !=, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & ((1u << 16) | 0xF2), ==, 0);
  g_assert_cmphex (kiln_test_read32 (f, STUB_SECTOR), ==, 0x0000005A);
  g_assert_cmphex (kiln_test_read32 (f, STUB_SECTOR + 4), ==, 0xFFFFFFFF);
  g_assert_cmpuint (f->report->sectors_erased->len, ==, 1);
}

/* RDP level 1 with a debugger connected: the core's read of the flash is a
 * bus error (a precise one, with BFAR), not the data. */
static void
test_core_read_refused_at_rdp1 (Fixture       *f,
                                gconstpointer  data)
{
  /* ldr r3, [r1]; bkpt */
  static const guint16 stub[] = { 0x680B, 0xBE00 };

  kiln_test_board_connect (f);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  write_core_reg (f, 3, 0xA5A5A5A5);
  run_stub (f, stub, G_N_ELEMENTS (stub), 0, 10);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 19), !=, 0);  /* S_LOCKUP */
  g_assert_cmphex (kiln_test_read32 (f, 0xE000ED28) & 0x8200, ==, 0x8200);  /* PRECISERR, BFARVALID */
  g_assert_cmphex (kiln_test_read32 (f, 0xE000ED38), ==, STUB_SECTOR);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  g_assert_cmphex (read_core_reg (f, 3), ==, 0xA5A5A5A5);
}

/* A core waiting for the host, kicking the watchdog as it spins, waits as
 * long as it must: the watchdog never bites, the loop ends when the host
 * sets the flag, and every instruction of the wait is counted. */
static void
test_core_idle_wait (Fixture       *f,
                     gconstpointer  data)
{
  /* loop: str r6, [r5]; ldr r3, [r7]; cmp r3, #0; beq loop; bkpt */
  static const guint16 stub[] = { 0x602E, 0x683B, 0x2B00, 0xD0FB, 0xBE00 };

  kiln_test_board_connect (f);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  kiln_test_write32 (f, 0x20001000, 0);
  write_core_reg (f, 5, 0x40003000);
  write_core_reg (f, 6, 0xAAAA);
  write_core_reg (f, 7, 0x20001000);
  run_stub (f, stub, G_N_ELEMENTS (stub), 0, 5000);
  for (guint i = 0; i < f->report->faults_injected->len; i++)
    g_test_message ("fault: %s", (char *) g_ptr_array_index (f->report->faults_injected, i));
  g_assert_cmpuint (f->report->faults_injected->len, ==, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & ((1u << 17) | (1u << 19)), ==, 0);
  g_assert_cmpuint (f->report->faults_injected->len, ==, 0);
  g_assert_cmpuint (f->report->core_instructions, >=, 5ull * 16000000ull - 16);

  kiln_test_write32 (f, 0x20001000, 1);
  f->clock.now_ns += 1000000;
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), !=, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000ED30) & 2, !=, 0);
  g_assert_cmpuint (read_core_reg (f, 3), ==, 1);
  g_assert_cmpuint (f->report->faults_injected->len, ==, 0);
}

/* A loop whose registers change every trip runs trip by trip: halfway
 * through its time it is halfway through its count. */
static void
test_core_busy_loop (Fixture       *f,
                     gconstpointer  data)
{
  /* loop: subs r3, #1; bne loop; bkpt */
  static const guint16 stub[] = { 0x3B01, 0xD1FD, 0xBE00 };
  guint32 left;

  kiln_test_board_connect (f);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  write_core_reg (f, 3, 1600000);
  run_stub (f, stub, G_N_ELEMENTS (stub), 0, 100);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), ==, 0);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  left = read_core_reg (f, 3);
  g_assert_cmpuint (left, >=, 800000 - 1000);
  g_assert_cmpuint (left, <=, 800000 + 1000);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0001);
  f->clock.now_ns += 200 * 1000000ull;
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), !=, 0);
  g_assert_cmpuint (read_core_reg (f, 3), ==, 0);
}

/* Runs a loop reading the flash with LATENCY @ws for 100 ms at the
 * reset clock (HSI, 16 MHz); returns how many trips the core made. */
static guint32
flash_read_trips (Fixture *f,
                  guint    ws)
{
  /* loop: ldr r4, [r1]; subs r3, #1; bne loop; bkpt */
  static const guint16 stub[] = { 0x680C, 0x3B01, 0xD1FC, 0xBE00 };

  kiln_test_board_connect (f);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  kiln_test_write32 (f, 0x40023C00, ws);
  write_core_reg (f, 3, 10000000);
  run_stub (f, stub, G_N_ELEMENTS (stub), 0, 100);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  return 10000000 - read_core_reg (f, 3);
}

/* A data read of the flash by the core takes LATENCY wait states
 * (core/sim/README.md, "Flash wait states"): with LATENCY 0 a trip of the
 * loop above is its 3 instructions, 3 cycles; with LATENCY 7 it is 3 + 7
 * cycles, and the stalls are not counted as instructions. */
static void
test_core_flash_wait_states (Fixture       *f,
                             gconstpointer  data)
{
  guint32 trips = flash_read_trips (f, 0);
  guint64 cycles = 16000000 / 10;

  g_test_message ("LATENCY 0: %u trips, %" G_GUINT64_FORMAT " instructions", trips,
                  f->report->core_instructions);
  g_assert_cmpuint (trips, >=, cycles / 3 - 2);
  g_assert_cmpuint (trips, <=, cycles / 3 + 2);
}

static void
test_core_flash_wait_states_7 (Fixture       *f,
                               gconstpointer  data)
{
  guint32 trips = flash_read_trips (f, 7);
  guint64 cycles = 16000000 / 10;

  g_test_message ("LATENCY 7: %u trips, %" G_GUINT64_FORMAT " instructions", trips,
                  f->report->core_instructions);
  g_assert_cmpuint (trips, >=, cycles / 10 - 2);
  g_assert_cmpuint (trips, <=, cycles / 10 + 2);
  g_assert_cmpuint (f->report->core_instructions, >=, 3ull * trips);
  g_assert_cmpuint (f->report->core_instructions, <=, 3ull * trips + 4);
}

/* An idle loop that reads the flash is skipped with its stalls: with
 * LATENCY 7 each trip of its 5 instructions takes 12 cycles, so 100 ms at
 * 16 MHz count 5/12 of 1.6 million cycles as instructions. */
static void
test_core_idle_flash_wait_states (Fixture       *f,
                                  gconstpointer  data)
{
  /* loop: ldr r4, [r1]; str r6, [r5]; ldr r3, [r7]; cmp r3, #0; beq loop; bkpt */
  static const guint16 stub[] = { 0x680C, 0x602E, 0x683B, 0x2B00, 0xD0FA, 0xBE00 };

  kiln_test_board_connect (f);
  kiln_test_write32 (f, 0xE000EDF0, 0xA05F0003);
  kiln_test_write32 (f, 0x40023C00, 7);
  kiln_test_write32 (f, 0x20001000, 0);
  write_core_reg (f, 5, 0x40003000);
  write_core_reg (f, 6, 0xAAAA);
  write_core_reg (f, 7, 0x20001000);
  run_stub (f, stub, G_N_ELEMENTS (stub), 0, 100);
  g_test_message ("%" G_GUINT64_FORMAT " instructions", f->report->core_instructions);
  g_assert_cmphex (kiln_test_read32 (f, 0xE000EDF0) & (1u << 17), ==, 0);
  g_assert_cmpuint (f->report->core_instructions, >=, 1600000ull * 5 / 12 - 12);
  g_assert_cmpuint (f->report->core_instructions, <=, 1600000ull * 5 / 12 + 12);
}

static guint32
crc32_mpeg2 (const guint32 *words,
             guint          n)
{
  guint32 crc = 0xFFFFFFFF;

  for (guint i = 0; i < n; i++)
    {
      crc ^= words[i];
      for (int b = 0; b < 32; b++)
        crc = (crc & 0x80000000) ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
    }
  return crc;
}

/* The CRC of a stream of @bits-bit values, most significant bit first, as
 * the unit computes it without reflection. */
static guint32
crc32_bits (guint32 crc,
            guint32 value,
            guint   bits)
{
  for (int b = (int) bits - 1; b >= 0; b--)
    {
      guint32 bit = (value >> b) & 1;

      crc = (((crc >> 31) & 1) != bit) ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
    }
  return crc;
}

static void
write_narrow (Fixture *f,
              guint32  address,
              guint    size,
              guint32  value)
{
  guint64 ready;

  kiln_sim_board_ap_write (f->board, 0, 0x00, 0x23000000 | (size == 2 ? 1 : 0), &ready);
  kiln_sim_board_ap_write (f->board, 0, 0x04, address, &ready);
  g_assert_cmpint (kiln_sim_board_ap_write (f->board, 0, 0x0C, value << (8 * (address & 3)), &ready), ==, KILN_SIM_ACK_OK);
}

/* 8- and 16-bit writes to CRC_DR feed 8 and 16 bits, not a whole word. */
static void
test_crc_narrow_writes (Fixture       *f,
                        gconstpointer  data)
{
  guint32 expected = 0xFFFFFFFF;

  kiln_test_board_connect (f);
  kiln_test_write32 (f, 0x40023830, kiln_test_read32 (f, 0x40023830) | (1u << 12));
  kiln_test_write32 (f, 0x40023008, 1);
  write_narrow (f, 0x40023000, 1, 0x12);
  write_narrow (f, 0x40023000, 1, 0x34);
  write_narrow (f, 0x40023000, 2, 0x5678);
  kiln_test_write32 (f, 0x40023000, 0x9ABCDEF0);
  expected = crc32_bits (expected, 0x12, 8);
  expected = crc32_bits (expected, 0x34, 8);
  expected = crc32_bits (expected, 0x5678, 16);
  expected = crc32_bits (expected, 0x9ABCDEF0, 32);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023000), ==, expected);
}

/* A register the bench does not model (GPIOA_MODER here) reads as zero and
 * ignores writes; the first read and the first write are violations. */
static void
test_unmodeled_register (Fixture       *f,
                         gconstpointer  data)
{
  kiln_test_board_connect (f);
  g_assert_cmpuint (f->report->violations->len, ==, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x40020000), ==, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x40020000), ==, 0);
  g_assert_cmpuint (f->report->violations->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->report->violations, 0), "read of 0x40020000"));
  kiln_test_write32 (f, 0x40020000, 0x12345678);
  kiln_test_write32 (f, 0x40020000, 0x12345678);
  g_assert_cmphex (kiln_test_read32 (f, 0x40020000), ==, 0);
  g_assert_cmpuint (f->report->violations->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (f->report->violations, 1), "write to 0x40020000"));
  /* Modeled registers are not listed. */
  kiln_test_read32 (f, 0x40023C0C);
  kiln_test_read32 (f, 0xE000EDF0);
  g_assert_cmpuint (f->report->violations->len, ==, 2);
  g_assert_cmpuint (f->report->unmodeled->len, ==, 2);
  /* A DWT comparator's function (debuggers clear them): listed as
   * unmodeled, not a violation. */
  kiln_test_write32 (f, 0xE0001028, 0);
  g_assert_cmpuint (f->report->violations->len, ==, 2);
  g_assert_cmpuint (f->report->unmodeled->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (f->report->unmodeled, 2), ==, "write 0xE0001028");
}

static void
test_crc_unit (Fixture       *f,
               gconstpointer  data)
{
  static const guint32 words[] = { 0x12345678, 0xDEADBEEF, 0, 0xFFFFFFFF };

  kiln_test_board_connect (f);
  /* Without its clock the unit reads as zero. */
  kiln_test_write32 (f, 0x40023000, 0x12345678);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023000), ==, 0);
  kiln_test_write32 (f, 0x40023830, kiln_test_read32 (f, 0x40023830) | (1u << 12));
  kiln_test_write32 (f, 0x40023008, 1);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    kiln_test_write32 (f, 0x40023000, words[i]);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023000), ==, crc32_mpeg2 (words, G_N_ELEMENTS (words)));
}

static void
test_state_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "state", "flash.bin", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  kiln_test_board_connect (f);
  unlock (f);
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | 1u);
  kiln_test_write32 (f, 0x08000010, 0xCAFEF00D);
  f->clock.now_ns += 1000000;
  kiln_sim_board_sync (f->board);
  g_assert_true (kiln_sim_board_save (f->board, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, ==, 1024 * 1024);
  g_assert_cmphex (((guint8 *) contents)[0x10], ==, 0x0D);
  g_assert_cmphex (((guint8 *) contents)[0x14], ==, 0xFF);

  /* A new board on the same state starts with those bytes. */
  g_clear_object (&f->board);
  kiln_sim_report_free (f->report);
  {
    g_autoptr(GKeyFile) kf = g_key_file_new ();
    g_autofree char *text = g_strdup_printf ("[board]\nstate=%s/state\n", f->dir);

    g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL);
    f->report = kiln_sim_report_new ();
    f->board = kiln_sim_board_new (kf, "board", f->dir, &f->clock, f->report, &error);
    g_assert_no_error (error);
  }
  kiln_test_board_connect (f);
  g_assert_cmphex (kiln_test_read32 (f, 0x08000010), ==, 0xCAFEF00D);
}

/* The OTP area is programmed like the flash, never erased, and a block whose
 * lock byte is 0x00 refuses programming (WRPERR). */
/* The oscillators take their datasheet time, in the board's time: HSERDY
 * 2 ms after HSEON, PLLRDY 100 µs after PLLON; a switch to a PLL that has
 * not locked waits for it (SWS stays on HSI); too few flash wait states for
 * the new SYSCLK is a violation. Before, all three were ready at once. */
static void
test_clock_start_up (Fixture       *f,
                     gconstpointer  data)
{
  guint64 t0;

  kiln_test_board_connect (f);
  t0 = f->clock.now_ns;
  kiln_test_write32 (f, 0x40023800, (1u << 0) | (1u << 16));
  g_assert_cmphex (kiln_test_read32 (f, 0x40023800) & (1u << 17), ==, 0);
  f->clock.now_ns = t0 + 1900000;
  kiln_sim_board_sync (f->board);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023800) & (1u << 17), ==, 0);
  f->clock.now_ns = t0 + 2000000;
  kiln_sim_board_sync (f->board);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023800) & (1u << 17), !=, 0);

  /* The PLL from HSI: 16 / 16 × 256 / 4 = 64 MHz, with no wait state. */
  kiln_test_write32 (f, 0x40023804, 16 | (256u << 6) | (1u << 16));
  t0 = f->clock.now_ns;
  kiln_test_write32 (f, 0x40023800, (1u << 0) | (1u << 16) | (1u << 24));
  kiln_test_write32 (f, 0x40023808, 2);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023800) & (1u << 25), ==, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023808) & 0xF, ==, 0x2);    /* SW PLL, SWS still HSI */
  f->clock.now_ns = t0 + 90000;
  kiln_sim_board_sync (f->board);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023808) & 0xF, ==, 0x2);
  g_assert_cmpuint (f->report->violations->len, ==, 0);
  f->clock.now_ns = t0 + 100000;
  kiln_sim_board_sync (f->board);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023800) & (1u << 25), !=, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023808) & 0xF, ==, 0xA);    /* SWS PLL */
  g_assert_cmpuint (f->report->violations->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->report->violations, 0),
                            "SYSCLK 64000000 Hz with 0 flash wait states (needs 2 at 3.30 V)"));

  /* The clock SYSCLK runs from cannot be stopped. */
  kiln_test_write32 (f, 0x40023800, 1u << 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023800) & (1u << 24), !=, 0);
}

/* Wait states by supply: 64 MHz needs 2 at 3.3 V (30 MHz each), 2 at 2.5 V
 * (24 MHz), 2 at 2.2 V on an F7 (22 MHz) but 3 on an F411 (18 MHz), 3 at
 * 1.9 V on an F7 (20 MHz). The PLL is switched to with 2 wait states. */
static void
test_wait_states_by_voltage (Fixture       *f,
                             gconstpointer  data)
{
  const char *want = strstr ((const char *) data, "want=") + 5;
  g_autofree char *wanted = g_strndup (want, strcspn (want, "\n"));

  kiln_test_board_connect (f);
  kiln_test_write32 (f, 0x40023C00, 2);
  kiln_test_write32 (f, 0x40023804, 16 | (256u << 6) | (1u << 16));
  kiln_test_write32 (f, 0x40023800, (1u << 0) | (1u << 24));
  f->clock.now_ns += 200000;
  kiln_sim_board_sync (f->board);
  kiln_test_write32 (f, 0x40023808, 2);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023808) & 0xF, ==, 0xA);
  if (*wanted == '-')
    g_assert_cmpuint (f->report->violations->len, ==, 0);
  else
    {
      g_assert_cmpuint (f->report->violations->len, ==, 1);
      g_assert_nonnull (strstr (g_ptr_array_index (f->report->violations, 0), wanted));
    }

  /* Lowering the wait states under the running clock is one too. */
  kiln_test_write32 (f, 0x40023C00, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->report->violations, f->report->violations->len - 1),
                            "flash wait states lowered"));
}

static void
test_otp (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "state", "otp.bin", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  kiln_test_board_connect (f);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F000), ==, 0xFFFFFFFF);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F400), ==, 0xFFFFFFFF);

  /* Written while the controller is locked: a sequence error, nothing changes. */
  kiln_test_write32 (f, 0x1FF0F000, 0x12345678);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & (1u << 7), !=, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F000), ==, 0xFFFFFFFF);
  kiln_test_write32 (f, 0x40023C0C, 0xF2);

  unlock (f);
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | 1u);
  kiln_test_write32 (f, 0x1FF0F000, 0x12345678);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F000), ==, 0x12345678);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & 0xF2, ==, 0);
  /* Programming only clears bits. */
  kiln_test_write32 (f, 0x1FF0F000, 0xFFFF00FF);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F000), ==, 0x12340078);

  /* A sector erase leaves the OTP as it is. */
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | (0u << 3) | 2u | (1u << 16));
  f->clock.now_ns += 2000000000ull;
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F000), ==, 0x12340078);

  /* Lock block 1 (lock byte at 0x1FF0F401): its writes are refused. */
  kiln_test_write32 (f, 0x40023C10, (2u << 8) | 1u);
  kiln_test_write32 (f, 0x1FF0F400, 0xFFFF00FF);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F400), ==, 0xFFFF00FF);
  kiln_test_write32 (f, 0x1FF0F040, 0x00000000);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & (1u << 4), !=, 0);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F040), ==, 0xFFFFFFFF);
  kiln_test_write32 (f, 0x40023C0C, 0xF2);
  /* Block 2 is still open. */
  kiln_test_write32 (f, 0x1FF0F080, 0xA5A5A5A5);
  g_assert_cmphex (kiln_test_read32 (f, 0x1FF0F080), ==, 0xA5A5A5A5);
  g_assert_cmphex (kiln_test_read32 (f, 0x40023C0C) & 0xF2, ==, 0);
  kiln_test_write32 (f, 0x40023C10, 1u << 31);

  /* otp.bin holds the 16 blocks, then the 16 lock bytes. */
  f->clock.now_ns += 1000000;
  kiln_sim_board_sync (f->board);
  g_assert_true (kiln_sim_board_save (f->board, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, ==, 1024 + 16);
  g_assert_cmphex (((guint8 *) contents)[0], ==, 0x78);
  g_assert_cmphex (((guint8 *) contents)[0x80], ==, 0xA5);
  g_assert_cmphex (((guint8 *) contents)[1024 + 1], ==, 0x00);
  g_assert_cmphex (((guint8 *) contents)[1024 + 2], ==, 0xFF);
}

static void
test_power_loss_and_swd_off (Fixture       *f,
                             gconstpointer  data)
{
  guint32 v;
  guint64 ready;

  kiln_test_board_connect (f);
  f->clock.now_ns = 20 * 1000000ull;
  g_assert_cmpint (kiln_sim_board_dp_read (f->board, 0, &v, &ready), ==, KILN_SIM_ACK_NONE);
  g_assert_cmpfloat (kiln_sim_board_get_voltage (f->board), ==, 0.0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, config) \
  g_test_add ("/Kiln/Sim/Board/" path, Fixture, config, kiln_test_board_fixture, func, \
              kiln_test_board_fixture_tear_down)

  ADD ("dp-and-ids", test_dp_and_ids, NULL);
  ADD ("memory-and-tar-wrap", test_memory_and_tar_wrap, NULL);
  ADD ("flash-erase-program", test_flash_erase_program, NULL);
  ADD ("flash-keys", test_flash_keys, NULL);
  ADD ("write-protection", test_write_protection, "nwrp=0xDF\n");
  ADD ("core-runs-to-bkpt", test_core_runs_to_bkpt, NULL);
  ADD ("core-system-reset-runs", test_core_system_reset_runs, NULL);
  ADD ("core-system-reset-caught", test_core_system_reset_caught, NULL);
  ADD ("core-read-stalls-on-erase", test_core_read_stalls_on_erase, NULL);
  ADD ("core-write-waits-for-erase", test_core_write_waits_for_erase, NULL);
  ADD ("core-read-refused-at-rdp1", test_core_read_refused_at_rdp1, "rdp=0x55\n");
  ADD ("core-idle-wait", test_core_idle_wait, "iwdg-sw=0\n");
  ADD ("core-busy-loop", test_core_busy_loop, NULL);
  ADD ("core-flash-wait-states-0", test_core_flash_wait_states, NULL);
  ADD ("core-flash-wait-states-7", test_core_flash_wait_states_7, NULL);
  ADD ("core-idle-flash-wait-states", test_core_idle_flash_wait_states, NULL);
  ADD ("crc-unit", test_crc_unit, NULL);
  ADD ("crc-narrow-writes", test_crc_narrow_writes, NULL);
  ADD ("unmodeled-register", test_unmodeled_register, NULL);
  ADD ("state-round-trip", test_state_round_trip, NULL);
  ADD ("otp", test_otp, NULL);
  ADD ("clock-start-up", test_clock_start_up, NULL);
  ADD ("wait-states-3v3", test_wait_states_by_voltage, "voltage=3.3\n#want=-\n");
  ADD ("wait-states-2v5", test_wait_states_by_voltage, "voltage=2.5\n#want=-\n");
  ADD ("wait-states-f7-2v2", test_wait_states_by_voltage, "voltage=2.2\n#want=-\n");
  ADD ("wait-states-f411-2v2", test_wait_states_by_voltage,
       "chip=STM32F411RE\nvoltage=2.2\n#want=with 2 flash wait states (needs 3 at 2.20 V)\n");
  ADD ("wait-states-f7-1v9", test_wait_states_by_voltage,
       "voltage=1.9\n#want=with 2 flash wait states (needs 3 at 1.90 V)\n");
  ADD ("power-loss", test_power_loss_and_swd_off, "[faults]\npower-loss-after-ms=10\n");

  return g_test_run ();
}
