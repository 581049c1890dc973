/* test-sim-timing.c — every timing constant of the bench, measured through
 * the probe as a host sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expected figures are the bench's timing model (core/sim/README.md,
 * "Time"), written here independently of the code that implements it. Host
 * gaps are ignored ([bench] host-gaps = ignore), so every figure is the
 * bench's own virtual time and exact.
 */

#include <string.h>

#include "kiln-sim-bench.h"

#define V2 "model = stlink-v2\nfirmware = V2J37S7\n"
#define V3 "model = stlink-v3\nfirmware = V3J7M2\n"

#define FLASH_KEYR 0x40023C04u
#define FLASH_SR   0x40023C0Cu
#define FLASH_CR   0x40023C10u
#define SR_BSY     (1u << 16)
#define SRAM       0x20010000u

typedef struct
{
  KilnSimBench *bench;
  KilnSimProbe *probe;
  guint8        out_ep;
  gboolean      v3;
} Bench;

static Bench *
bench_new (const char *probe)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[bench]\nhost-gaps = ignore\n[probe]\n%s[board]\nchip = STM32F746NG\n", probe);
  Bench *b = g_new0 (Bench, 1);

  b->bench = kiln_sim_bench_new_from_data (text, g_get_tmp_dir (), &error);
  g_assert_no_error (error);
  b->probe = kiln_sim_bench_get_probe (b->bench, 0);
  b->v3 = strstr (probe, "stlink-v3") != NULL;
  b->out_ep = b->v3 ? 0x01 : 0x02;
  return b;
}

static void
bench_free (Bench *b)
{
  g_object_unref (b->bench);
  g_free (b);
}

static guint64
now (Bench *b)
{
  return kiln_sim_bench_get_device_ns (b->bench, 0);
}

static void
send (Bench        *b,
      const guint8 *data,
      gsize         length)
{
  g_autofree guint8 *buf = g_memdup2 (data, length);
  gsize done = 0;

  g_assert_cmpint (kiln_sim_probe_bulk_transfer (b->probe, b->out_ep, buf, length, &done, 1000), ==, KILN_SIM_USB_OK);
  g_assert_cmpuint (done, ==, length);
}

static gsize
receive (Bench  *b,
         guint8 *data,
         gsize   length)
{
  gsize done = 0;

  g_assert_cmpint (kiln_sim_probe_bulk_transfer (b->probe, 0x81, data, length, &done, 1000), ==, KILN_SIM_USB_OK);
  return done;
}

/* A command block of 16 bytes from its first bytes. */
static void
command (Bench        *b,
         const guint8 *head,
         gsize         length)
{
  guint8 cmd[16] = { 0 };

  memcpy (cmd, head, length);
  send (b, cmd, 16);
}

static void
put32 (guint8  *p,
       guint32  v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

static void
enter_swd (Bench *b)
{
  guint8 r[2];

  command (b, (const guint8[]) { 0xF2, 0x30, 0xA3 }, 3);
  receive (b, r, 2);
  g_assert_cmphex (r[0], ==, 0x80);
}

static void
write_reg (Bench   *b,
           guint32  address,
           guint32  value)
{
  guint8 cmd[10] = { 0xF2, 0x35 };
  guint8 r[2];

  put32 (cmd + 2, address);
  put32 (cmd + 6, value);
  command (b, cmd, sizeof cmd);
  receive (b, r, 2);
  g_assert_cmphex (r[0], ==, 0x80);
}

static guint32
read_reg (Bench   *b,
          guint32  address)
{
  guint8 cmd[6] = { 0xF2, 0x36 };
  guint8 r[8];

  put32 (cmd + 2, address);
  command (b, cmd, sizeof cmd);
  receive (b, r, 8);
  g_assert_cmphex (r[0], ==, 0x80);
  return (guint32) r[4] | (guint32) r[5] << 8 | (guint32) r[6] << 16 | (guint32) r[7] << 24;
}

/* READMEM or WRITEMEM (@opcode) of @length bytes at @address; returns the
 * virtual time it took. */
static guint64
memory (Bench   *b,
        guint8   opcode,
        gboolean write,
        guint32  address,
        guint16  length)
{
  guint8 cmd[8] = { 0xF2, opcode };
  g_autofree guint8 *data = g_malloc0 (length);
  guint64 start = now (b);
  guint8 r[2];

  put32 (cmd + 2, address);
  cmd[6] = length & 0xFF;
  cmd[7] = length >> 8;
  command (b, cmd, sizeof cmd);
  if (write)
    send (b, data, length);
  else
    g_assert_cmpuint (receive (b, data, length), ==, length);
  start = now (b) - start;
  command (b, (const guint8[]) { 0xF2, 0x3B }, 2);
  receive (b, r, 2);
  g_assert_cmphex (r[0], ==, 0x80);
  return start;
}

static void
set_swd_khz (Bench *b,
             guint  khz)
{
  if (b->v3)
    {
      guint8 cmd[8] = { 0xF2, 0x61, 0x00, 0x00 };
      guint8 r[8];

      put32 (cmd + 4, khz);
      command (b, cmd, sizeof cmd);
      receive (b, r, 8);
      g_assert_cmphex (r[0], ==, 0x80);
      g_assert_cmpuint (r[4] | r[5] << 8 | r[6] << 16, ==, khz);
    }
  else
    {
      static const struct { guint khz; guint16 divisor; } divisors[] = {
        { 4000, 0 }, { 1800, 1 }, { 950, 3 }, { 5, 798 },
      };
      guint8 cmd[4] = { 0xF2, 0x43 };
      guint8 r[2];
      guint i;

      for (i = 0; i < G_N_ELEMENTS (divisors) && divisors[i].khz != khz; i++)
        ;
      g_assert_cmpuint (i, <, G_N_ELEMENTS (divisors));
      cmd[2] = divisors[i].divisor & 0xFF;
      cmd[3] = divisors[i].divisor >> 8;
      command (b, cmd, sizeof cmd);
      receive (b, r, 2);
      g_assert_cmphex (r[0], ==, 0x80);
    }
}

/* USB: full speed 1.0 ms per command plus 1 µs per byte; high speed 0.2 ms
 * per command plus 0.03 µs per byte. */
static guint64
usb_command_ns (Bench *b)
{
  return b->v3 ? 200000 : 1000000;
}

static guint64
usb_bytes_ns (Bench *b,
              guint64 bytes)
{
  return b->v3 ? bytes * 30 : bytes * 1000;
}

static void
test_usb (gconstpointer data)
{
  Bench *b = bench_new (data);
  guint items = b->v3 ? 1000 : 64;
  gsize out_len = ((items + 3) & ~3u) + 4 * items;
  g_autofree guint8 *batch = g_malloc0 (out_len);
  g_autofree guint8 *answers = g_malloc0 (8 * items);
  guint8 cmd[6] = { 0xF2, 0x51 };
  guint8 r[2];
  guint64 t;

  /* A command with a 2-byte answer. */
  t = now (b);
  command (b, (const guint8[]) { 0xF5 }, 1);
  receive (b, r, 2);
  g_assert_cmpuint (now (b) - t, ==, usb_command_ns (b) + usb_bytes_ns (b, 2));

  /* A batch of RW_MISC items that only set the address: USB time only,
   * the items' bytes out and 8 bytes per item back. */
  memset (batch, 1, items);
  put32 (cmd + 2, items);
  t = now (b);
  command (b, cmd, sizeof cmd);
  send (b, batch, out_len);
  g_assert_cmpuint (now (b) - t, ==, usb_command_ns (b) + usb_bytes_ns (b, out_len));
  t = now (b);
  command (b, (const guint8[]) { 0xF2, 0x52 }, 2);
  g_assert_cmpuint (receive (b, answers, 8 * items), ==, 8 * items);
  g_assert_cmpuint (now (b) - t, ==, usb_command_ns (b) + usb_bytes_ns (b, 8 * items));

  /* EXIT has no answer: the command alone. */
  t = now (b);
  command (b, (const guint8[]) { 0xF2, 0x21 }, 2);
  g_assert_cmpuint (now (b) - t, ==, usb_command_ns (b));
  bench_free (b);
}

typedef struct
{
  const char *name;
  const char *probe;
  guint       khz;       /* 0: the probe's default */
  guint64     read_ns;   /* per 32-bit word on the wire */
  guint64     write_ns;
} SwdCase;

/* 60 SWD clock cycles per word; V3's firmware takes at least 6.4 µs per
 * word read and 4.2 µs per word written. */
static const SwdCase swd_cases[] = {
  { "v2-default-1800khz", V2, 0,     33333, 33333 },
  { "v2-4000khz",         V2, 4000,  15000, 15000 },
  { "v2-950khz",          V2, 950,   63157, 63157 },
  { "v3-default-8000khz", V3, 0,     7500,  7500 },
  { "v3-1000khz",         V3, 1000,  60000, 60000 },
  { "v3-24000khz-floors", V3, 24000, 6400,  4200 },
};

/* The difference between 101 and 1 words moved in one command: 100 words
 * on the wire and 400 bytes on USB; the command's fixed costs cancel. */
static void
test_swd_word (gconstpointer data)
{
  const SwdCase *c = data;
  Bench *b = bench_new (c->probe);
  guint64 one, many;

  enter_swd (b);
  if (c->khz != 0)
    set_swd_khz (b, c->khz);

  one = memory (b, 0x07, FALSE, SRAM, 4);
  many = memory (b, 0x07, FALSE, SRAM, 404);
  g_assert_cmpuint (many - one, ==, 100 * c->read_ns + usb_bytes_ns (b, 400));

  one = memory (b, 0x08, TRUE, SRAM, 4);
  many = memory (b, 0x08, TRUE, SRAM, 404);
  g_assert_cmpuint (many - one, ==, 100 * c->write_ns + usb_bytes_ns (b, 400));
  bench_free (b);
}

/* A write's words land on the wire as its USB packets come (64 bytes at
 * full speed, 512 at high speed), not after the whole data phase: a
 * V2's STM32F103 has 20 KiB of RAM and takes 32 KiB writes. A routine on
 * the core counts loop trips (4 instructions, 250 ns at 16 MHz after
 * reset) until the write's first word lands, then until its last does:
 * between them, every packet but the first crosses the USB and every word
 * but the first goes on the wire (with the TAR reloaded at each 1 KiB). */
static void
test_write_lands (gconstpointer data)
{
  /* r0 the first word, r4 the last, r3 where the counts go, r1 counts:
   * 1: ldr r2, [r0]; adds r1, #1; cmp r2, #0; beq 1b; str r1, [r3]
   * 2: ldr r2, [r4]; adds r1, #1; cmp r2, #0; beq 2b; str r1, [r3, #4]
   * bkpt; nop */
  static const guint16 code[] = {
    0x6802, 0x3101, 0x2A00, 0xD0FB, 0x6019, 0x6822, 0x3101, 0x2A00, 0xD0FB, 0x6059, 0xBE00, 0xBF00,
  };
  static const struct { guint32 reg, value; } regs[] = {
    { 0, 0x20020000 }, { 4, 0x20020000 + 32768 - 4 }, { 3, SRAM + 0x100 }, { 1, 0 },
    { 15, SRAM }, { 16, 0x01000000 },
  };
  Bench *b = bench_new (data);
  const guint32 length = 32768;
  guint64 packet = b->v3 ? 512 : 64, word_ns = b->v3 ? 7500 : 15000, expected, between;
  g_autofree guint8 *bytes = g_malloc (length);
  guint8 cmd[8] = { 0xF2, 0x08 };
  guint8 r[2];
  guint32 first, last;

  enter_swd (b);
  if (!b->v3)
    set_swd_khz (b, 4000);
  write_reg (b, 0xE000EDF0, 0xA05F0003);
  for (guint i = 0; i < G_N_ELEMENTS (code); i += 2)
    write_reg (b, SRAM + 2 * i, code[i] | (guint32) code[i + 1] << 16);
  write_reg (b, regs[0].value, 0);
  write_reg (b, regs[1].value, 0);
  for (guint i = 0; i < G_N_ELEMENTS (regs); i++)
    {
      write_reg (b, 0xE000EDF8, regs[i].value);
      write_reg (b, 0xE000EDF4, 0x10000 | regs[i].reg);
    }
  write_reg (b, 0xE000EDF0, 0xA05F0001);

  memset (bytes, 0xA5, length);
  put32 (cmd + 2, 0x20020000);
  cmd[6] = length & 0xFF;
  cmd[7] = length >> 8;
  command (b, cmd, sizeof cmd);
  send (b, bytes, length);
  command (b, (const guint8[]) { 0xF2, 0x3B }, 2);
  receive (b, r, 2);
  g_assert_cmphex (r[0], ==, 0x80);

  g_assert_cmphex (read_reg (b, 0xE000EDF0) & (1u << 17), !=, 0);
  first = read_reg (b, SRAM + 0x100);
  last = read_reg (b, SRAM + 0x104);
  g_assert_cmpuint (first, >, 0);
  between = (guint64) (last - first) * 250;
  expected = usb_bytes_ns (b, length - packet) + (length / 4 - 1 + length / 1024 - 1) * word_ns;
  g_test_message ("last word %.3f ms after the first (streamed: %.3f ms)", between / 1e6, expected / 1e6);
  g_assert_cmpuint (between + word_ns + 1000, >=, expected);
  g_assert_cmpuint (between, <=, expected + word_ns + 1000);
  bench_free (b);
}

static void
unlock_flash (Bench *b)
{
  write_reg (b, 0xE000EDF0, 0xA05F0003);  /* halt the core */
  write_reg (b, FLASH_KEYR, 0x45670123);
  write_reg (b, FLASH_KEYR, 0xCDEF89AB);
  g_assert_cmphex (read_reg (b, FLASH_CR) & 0x80000000u, ==, 0);
}

static double
report_number (Bench      *b,
               const char *key)
{
  g_autofree char *json = kiln_sim_bench_dup_report_json (b->bench);
  g_autofree char *pattern = g_strdup_printf ("\"%s\":", key);
  const char *at = strstr (json, pattern);

  g_assert_nonnull (at);
  return g_ascii_strtod (at + strlen (pattern), NULL);
}

/* 16 µs per programmed unit (a byte at x8, a half-word at x16, a word at
 * x32). Through a V3 at 24 MHz the wire is faster than the flash, so the
 * flash sets the pace: the probe waits on the stalled bus. */
static void
test_program_unit (void)
{
  static const guint8 opcodes[] = { 0x0D, 0x48, 0x08 };

  for (guint psize = 0; psize < 3; psize++)
    {
      Bench *b = bench_new (V3);
      guint units = 256 >> psize;
      guint64 took;

      enter_swd (b);
      set_swd_khz (b, 24000);
      unlock_flash (b);
      write_reg (b, FLASH_CR, psize << 8 | 1u);
      took = memory (b, opcodes[psize], TRUE, 0x08000000u + 0x1000u * psize, 256);
      g_assert_cmpfloat_with_epsilon (report_number (b, "flash_program_busy_s"), units * 16e-6, 1e-9);
      g_assert_cmpuint (report_number (b, "flash_units_programmed"), ==, units);
      /* The first unit starts after the command's setup, the last ends
       * before its USB time: at least units - 1 whole programming times,
       * and no more than one retry period (2.5 µs) and the V3 floor per
       * unit on top. */
      g_assert_cmpuint (took, >=, (units - 1) * 16000ull);
      g_assert_cmpuint (took, <=, units * (16000ull + 2500 + 4200) + usb_command_ns (b) + usb_bytes_ns (b, 256));
      bench_free (b);
    }
}

typedef struct
{
  const char *name;
  guint32     cr;        /* SER with SNB, or MER; PSIZE */
  guint64     ms;
} EraseCase;

/* Sector erase by size and PSIZE (x8/x16/x32): 32 KiB 400/300/250 ms,
 * 128 KiB 1200/700/550 ms, 256 KiB 2000/1300/1000 ms; mass erase
 * 16/11/8 s. On the F746, sector 0 is 32 KiB, 4 is 128 KiB, 5 is 256 KiB. */
#define SER(snb, psize) (2u | (snb) << 3 | (psize) << 8)
#define MER(psize)      (4u | (psize) << 8)
static const EraseCase erase_cases[] = {
  { "sector-32k-x8",   SER (0, 0), 400 },
  { "sector-32k-x16",  SER (1, 1), 300 },
  { "sector-32k-x32",  SER (2, 2), 250 },
  { "sector-128k-x8",  SER (4, 0), 1200 },
  { "sector-128k-x16", SER (4, 1), 700 },
  { "sector-128k-x32", SER (4, 2), 550 },
  { "sector-256k-x8",  SER (5, 0), 2000 },
  { "sector-256k-x16", SER (6, 1), 1300 },
  { "sector-256k-x32", SER (7, 2), 1000 },
  { "mass-x8",         MER (0), 16000 },
  { "mass-x16",        MER (1), 11000 },
  { "mass-x32",        MER (2), 8000 },
};

/* The host starts the erase and polls FLASH_SR until BSY clears, as a
 * flashing tool does. The erase started during the command that set STRT
 * and BSY was seen clear within two polls of its end, so the time from
 * before that command to the poll that saw BSY clear is the erase time
 * plus at most one command and two polls (each about 1.1 ms). */
static void
test_erase (gconstpointer data)
{
  const EraseCase *c = data;
  Bench *b = bench_new (V2);
  guint64 start, poll_start, poll = 0, setup, took;

  enter_swd (b);
  unlock_flash (b);
  write_reg (b, FLASH_CR, c->cr);
  start = now (b);
  write_reg (b, FLASH_CR, c->cr | 1u << 16);
  setup = now (b) - start;
  g_assert_cmphex (read_reg (b, FLASH_SR) & SR_BSY, !=, 0);
  for (;;)
    {
      poll_start = now (b);
      if (!(read_reg (b, FLASH_SR) & SR_BSY))
        break;
      poll = now (b) - poll_start;
      g_assert_cmpuint (now (b) - start, <, 2 * c->ms * 1000000ull);
    }
  took = now (b) - start;
  g_assert_cmphex (read_reg (b, FLASH_SR) & 0xF2, ==, 0);
  g_assert_cmpuint (poll, >, 0);
  g_assert_cmpuint (poll, <, 2000000);
  g_assert_cmpuint (took, >=, c->ms * 1000000ull);
  g_assert_cmpuint (took, <=, c->ms * 1000000ull + setup + 2 * poll);
  bench_free (b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/Kiln/Sim/Timing/usb/v2", V2, test_usb);
  g_test_add_data_func ("/Kiln/Sim/Timing/usb/v3", V3, test_usb);
  for (guint i = 0; i < G_N_ELEMENTS (swd_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Kiln/Sim/Timing/swd-word/%s", swd_cases[i].name);

      g_test_add_data_func (path, &swd_cases[i], test_swd_word);
    }
  g_test_add_data_func ("/Kiln/Sim/Timing/write-lands/v2", V2, test_write_lands);
  g_test_add_data_func ("/Kiln/Sim/Timing/write-lands/v3", V3, test_write_lands);
  g_test_add_func ("/Kiln/Sim/Timing/program-unit", test_program_unit);
  for (guint i = 0; i < G_N_ELEMENTS (erase_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Kiln/Sim/Timing/erase/%s", erase_cases[i].name);

      g_test_add_data_func (path, &erase_cases[i], test_erase);
    }
  return g_test_run ();
}
