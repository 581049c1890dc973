/* kiln-sim-board.c — a simulated STM32F7 board behind the SWD wire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How time works. The board has no clock of its own: every call happens at
 * the probe's clock->now_ns, and kiln_sim_board_sync() first brings the board
 * up to that time. Flash operations are a busy_until timestamp; the watchdog
 * a deadline; the core executes one instruction per SYSCLK cycle from
 * core_ns up to now (through Unicorn), and when it polls a busy flash it is
 * fast-forwarded to the end of the operation instead of spinning on the host.
 *
 * How stalls work. An access that the real bus would stall (flash array or
 * FLASH_CR while BSY) answers KILN_SIM_ACK_WAIT with *ready_at_ns, the time
 * it would complete; the probe's firmware decides whether to retry (charging
 * SWD time) or to give up with a WAIT status to the host.
 *
 * Nothing here knows who the host is.
 *
 * This file holds the board object, reset, power, NRST and the events in
 * time; the other parts are listed in kiln-sim-board-private.h.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "kiln-sim-board-private.h"

G_DEFINE_FINAL_TYPE (KilnSimBoard, kiln_sim_board, G_TYPE_OBJECT)

gboolean
_kiln_sim_board_powered (KilnSimBoard *self)
{
  return !self->power_lost && self->voltage >= 1.7;
}

/* An access to a register the bench does not model reads as zero and
 * ignores writes, which silicon would not. The first read and the first
 * write of each register by the host (through the debugger, or with code it
 * runs from RAM, such as a flash loader) are listed in the report's
 * unmodeled_registers; those outside the private peripheral bus also in
 * its violations, so that a host relying on one is noticed: a job's outcome
 * depends on the peripherals (RCC, FLASH, CRC, IWDG, …), while what the
 * bench leaves out of the PPB (identification registers of the debug
 * components, DWT comparators, cache identification) is what debuggers
 * read to find their way and does not change what the core does. The
 * board's own firmware, running from flash, may use any peripheral: that is
 * not the host's doing, and the bench does not claim to model it. */
void
_kiln_sim_board_note_unmodeled (KilnSimBoard *self,
                                guint32       address,
                                gboolean      write)
{
  guint32 key = (address & ~3u) | (write ? 1u : 0u);

  if (g_hash_table_contains (self->unmodeled, GUINT_TO_POINTER (key)))
    return;
  g_hash_table_add (self->unmodeled, GUINT_TO_POINTER (key));
  if (self->firmware_access)
    return;
  g_ptr_array_add (self->report->unmodeled, g_strdup_printf ("%s 0x%08X", write ? "write" : "read", address & ~3u));
  if (address >= PPB_BASE && address - PPB_BASE < PPB_SIZE)
    return;
  kiln_sim_report_violation (self->report,
                             write ? "write to 0x%08X, a register the bench does not model (ignored)"
                                   : "read of 0x%08X, a register the bench does not model (read as 0)",
                             address & ~3u);
}

/* ------------------------------------------------------------------ */
/* Events in time                                                       */

void
_kiln_sim_board_advance_events (KilnSimBoard *self,
                                guint64       t)
{
  if (self->power_loss_armed && t >= self->power_loss_at && !self->power_lost)
    {
      self->power_lost = TRUE;
      self->swd_active = FALSE;
      kiln_sim_report_fault (self->report, "power-loss-after-ms");
    }

  _kiln_sim_board_flash_busy (self, t);
  _kiln_sim_board_rcc_settle_halted (self, t);

  if (self->iwdg_running)
    {
      if (_kiln_sim_board_iwdg_frozen (self))
        {
          if (self->iwdg_frozen_at == 0)
            self->iwdg_frozen_at = t;
        }
      else
        {
          if (self->iwdg_frozen_at != 0)
            {
              self->iwdg_deadline += t - self->iwdg_frozen_at;
              self->iwdg_frozen_at = 0;
            }
          if (t >= self->iwdg_deadline)
            {
              kiln_sim_report_fault (self->report, "iwdg-reset");
              _kiln_sim_board_reset (self, FALSE);
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* Reset                                                                */

void
_kiln_sim_board_reset (KilnSimBoard *self,
                       gboolean      power_on)
{
  /* Option bytes are (re)loaded: layout and read protection. */
  self->optcr = self->nv_optcr | OPT_LOCK;
  self->optcr1 = self->nv_optcr1;
  self->optcr2 = self->nv_optcr2;
  self->rdp_level = _kiln_sim_board_rdp_level_of (self->nv_optcr);
  _kiln_sim_board_lay_out_sectors (self);

  /* A reset aborts the flash operation: the array is free at once. */
  self->op = OP_NONE;
  self->busy_until = 0;
  self->cr = CR_LOCK;
  self->sr = power_on ? self->stale_errors : 0;
  self->acr = 0;
  self->key_stage = 0;
  self->optkey_stage = 0;
  self->key_locked_until_reset = FALSE;
  self->optkey_locked_until_reset = FALSE;

  self->rcc_cr = 1;
  self->rcc_hse_on_ns = 0;
  self->rcc_pll_on_ns = 0;
  self->rcc_pllcfgr = 0x24003010;
  self->rcc_cfgr = 0;
  self->rcc_ahb1enr = 0x00100000;
  _kiln_sim_board_pwr_reset (self);
  self->crc_dr = 0xFFFFFFFF;
  self->crc_init = 0xFFFFFFFF;
  self->crc_pol = 0x04C11DB7;
  self->crc_cr = 0;
  self->crc_idr = 0;

  self->iwdg_pr = 0;
  self->iwdg_rlr = 0xFFF;
  self->iwdg_unlocked = FALSE;
  self->iwdg_frozen_at = 0;
  self->iwdg_running = !(self->nv_optcr & (1u << 5));
  if (self->iwdg_running)
    self->iwdg_deadline = self->clock->now_ns + (guint64) self->iwdg_default_ms * 1000000ull;

  self->cfsr = 0;
  self->hfsr = 0;
  self->bfar = 0;
  self->fault_cfsr = 0;
  self->fault_bfar = 0xFFFFFFFF;
  self->halted = FALSE;
  self->reset_st = TRUE;
  self->core_ns = self->clock->now_ns;
  g_array_set_size (self->pending, 0);
  _kiln_sim_board_core_reset (self);

  /* Vector catch halts the core at its first instruction. */
  if ((self->dhcsr_c & DHCSR_C_DEBUGEN) && (self->demcr & DEMCR_VC_CORERESET))
    {
      _kiln_sim_board_core_enter_halt (self);
      self->dfsr |= DFSR_VCATCH;
    }

  if (power_on)
    {
      self->dhcsr_c = 0;
      self->demcr = 0;
      self->dfsr = 0;
      self->fp_ctrl = 0;
      memset (self->fp_comp, 0, sizeof self->fp_comp);
      self->dbgmcu_cr = 0;
      self->apb1_fz = 0;
      self->apb2_fz = 0;
    }
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
kiln_sim_board_finalize (GObject *object)
{
  KilnSimBoard *self = (KilnSimBoard *) object;

  if (self->uc != NULL)
    uc_close (self->uc);
  g_free (self->flash);
  g_free (self->sram);
  g_free (self->itcm);
  g_free (self->ccm);
  g_free (self->otp);
  g_free (self->code_pages);
  g_free (self->ram_code_pages);
  g_free (self->crc_table);
  g_free (self->state_dir);
  g_clear_pointer (&self->sectors, g_array_unref);
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->weak_words, g_array_unref);
  g_clear_pointer (&self->unmodeled, g_hash_table_unref);

  G_OBJECT_CLASS (kiln_sim_board_parent_class)->finalize (object);
}

static void
kiln_sim_board_class_init (KilnSimBoardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_sim_board_finalize;
}

static void
kiln_sim_board_init (KilnSimBoard *self)
{
  self->sectors = g_array_new (FALSE, TRUE, sizeof (Sector));
  self->pending = g_array_new (FALSE, TRUE, sizeof (PendingWrite));
  self->weak_words = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->unmodeled = g_hash_table_new (NULL, NULL);
}

static guint32
key_hex (GKeyFile   *kf,
         const char *group,
         const char *key,
         guint32     fallback)
{
  g_autofree char *s = g_key_file_get_string (kf, group, key, NULL);

  return s != NULL ? (guint32) g_ascii_strtoull (g_strstrip (s), NULL, 0) : fallback;
}

static gboolean
key_bool (GKeyFile   *kf,
          const char *group,
          const char *key,
          gboolean    fallback)
{
  g_autofree char *s = g_key_file_get_string (kf, group, key, NULL);

  if (s == NULL)
    return fallback;
  g_strstrip (s);
  return g_ascii_strcasecmp (s, "true") == 0 || g_str_equal (s, "1") || g_ascii_strcasecmp (s, "yes") == 0;
}

static char *
resolve_path (const char *base_dir,
              const char *path)
{
  if (path == NULL || g_path_is_absolute (path) || base_dir == NULL)
    return g_strdup (path);
  return g_build_filename (base_dir, path, NULL);
}

/* The core's RAMs (SRAM, CCM, ITCM RAM), made zeroed on first use. */
void
_kiln_sim_board_ram_mem (KilnSimBoard *self)
{
  if (self->sram != NULL)
    return;
  self->sram = g_malloc0 (self->chip->sram_size);
  self->itcm = g_malloc0 (MAX (self->chip->itcm_ram_size, 1u));
  self->ccm = g_malloc0 (MAX (self->chip->ccm_size, 1u));
}

/* [board] chip: STM32F746NG when not given. */
static const KilnSimChip *
board_chip (GKeyFile    *key_file,
            const char  *group,
            GError     **error)
{
  g_autofree char *chip_name = g_key_file_get_string (key_file, group, "chip", NULL);
  const KilnSimChip *chip = kiln_sim_chip_find (chip_name ? g_strstrip (chip_name) : "STM32F746NG");

  if (chip == NULL)
    g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                 "[%s] chip = %s: the bench has STM32F746NG, STM32F767ZI and STM32F722RE", group, chip_name);
  return chip;
}

gboolean
kiln_sim_board_check_keys (GKeyFile    *key_file,
                           const char  *group,
                           GError     **error)
{
  return board_chip (key_file, group, error) != NULL;
}

KilnSimBoard *
kiln_sim_board_new (GKeyFile      *key_file,
                    const char    *group,
                    const char    *base_dir,
                    KilnSimClock  *clock,
                    KilnSimReport *report,
                    GError       **error)
{
  g_autoptr(KilnSimBoard) self = g_object_new (KILN_TYPE_SIM_BOARD, NULL);
  g_autofree char *state = NULL;
  g_autofree char *image = NULL;
  g_autofree char *voltage = NULL;
  g_autofree char *stale = NULL;
  g_autofree char *weak = NULL;
  g_autofree char *flash_path = NULL;
  gboolean fresh;
  guint32 rdp, nwrp;

  self->chip = board_chip (key_file, group, error);
  if (self->chip == NULL)
    return NULL;

  self->clock = clock;
  self->report = report;
  self->flash_size = self->chip->flash_kib * 1024;
  /* The flash array is made erased when something first writes it or the
   * core maps it (_kiln_sim_board_flash_mem); until then it reads 0xFF. */
  self->flash = NULL;
  /* So are the RAMs, zeroed, when first written or mapped
   * (_kiln_sim_board_ram_mem); until then they read 0. A bench file names
   * boards by the dozen, and most are never run. */
  self->sram = NULL;
  self->itcm = NULL;
  self->ccm = NULL;
  self->otp = g_malloc (self->chip->otp_size);
  memset (self->otp, 0xFF, self->chip->otp_size);

  voltage = g_key_file_get_string (key_file, group, "voltage", NULL);
  self->voltage = voltage ? g_ascii_strtod (g_strstrip (voltage), NULL) : 3.3;
  self->vpp = key_bool (key_file, group, "vpp", FALSE);
  self->iwdg_default_ms = key_hex (key_file, group, "iwdg-timeout-ms", 500);

  /* A UID of the board's own: from the key file, else derived from the group. */
  self->uid[0] = key_hex (key_file, group, "uid0", 0x00210041);
  self->uid[1] = key_hex (key_file, group, "uid1", 0x3236510C);
  self->uid[2] = key_hex (key_file, group, "uid2", 0x33383139 ^ g_str_hash (group));

  rdp = key_hex (key_file, group, "rdp", 0xAA);
  nwrp = key_hex (key_file, group, "nwrp", 0xFFFF);
  self->nv_optcr = self->chip->optcr_default;
  self->nv_optcr = (self->nv_optcr & ~0xFF00u) | (rdp & 0xFF) << 8;
  self->nv_optcr = (self->nv_optcr & ~(((1u << self->chip->nwrp_bits) - 1) << 16))
                   | (nwrp & ((1u << self->chip->nwrp_bits) - 1)) << 16;
  if (IS_F7 (self) && self->chip->dual[0][1] != 0 && g_key_file_has_key (key_file, group, "ndbank", NULL))
    {
      if (key_hex (key_file, group, "ndbank", 1))
        self->nv_optcr |= 1u << 29;
      else
        self->nv_optcr &= ~(1u << 29);
    }
  if (!key_bool (key_file, group, "iwdg-sw", TRUE))
    self->nv_optcr &= ~(1u << 5);
  if (self->chip->has_db1m && key_bool (key_file, group, "db1m", FALSE))
    self->nv_optcr |= 1u << 30;
  /* F7: BOOT_ADD0/1; F42x: bank 2's nWRP, from nwrp2. */
  self->nv_optcr1 = IS_F7 (self) ? 0x00400080 : self->chip->optcr1_default;
  if (self->chip->dual[0][1] != 0 && !IS_F7 (self))
    self->nv_optcr1 = (self->nv_optcr1 & ~(0xFFFu << 16)) | (key_hex (key_file, group, "nwrp2", 0xFFF) & 0xFFF) << 16;
  self->nv_optcr2 = self->chip->has_optcr2 ? 0x000000FF : 0;

  state = g_key_file_get_string (key_file, group, "state", NULL);
  self->state_dir = resolve_path (base_dir, state ? g_strstrip (state) : NULL);
  flash_path = self->state_dir ? g_build_filename (self->state_dir, "flash.bin", NULL) : NULL;
  fresh = flash_path == NULL || !g_file_test (flash_path, G_FILE_TEST_EXISTS);

  if (self->state_dir != NULL && !_kiln_sim_board_load_state (self, error))
    return NULL;

  image = g_key_file_get_string (key_file, group, "flash-image", NULL);
  if (image != NULL && fresh)
    {
      g_autofree char *p = resolve_path (base_dir, g_strstrip (image));

      if (!_kiln_sim_board_preload_flash (self, p, error))
        return NULL;
    }

  /* Faults of the board */
  stale = g_key_file_get_string (key_file, "faults", "stale-flash-errors", NULL);
  if (stale != NULL)
    {
      g_auto(GStrv) names = g_strsplit_set (stale, ", ", -1);

      for (guint i = 0; names[i] != NULL; i++)
        {
          const char *n = names[i];

          if (g_ascii_strcasecmp (n, "OPERR") == 0) self->stale_errors |= SR_OPERR;
          else if (g_ascii_strcasecmp (n, "WRPERR") == 0) self->stale_errors |= SR_WRPERR;
          else if (g_ascii_strcasecmp (n, "PGAERR") == 0) self->stale_errors |= SR_PGAERR;
          else if (g_ascii_strcasecmp (n, "PGPERR") == 0) self->stale_errors |= SR_PGPERR;
          else if (g_ascii_strcasecmp (n, "ERSERR") == 0 || g_ascii_strcasecmp (n, "PGSERR") == 0)
            self->stale_errors |= SR_ERSERR;
        }
      if (self->stale_errors)
        kiln_sim_report_fault (report, "stale-flash-errors");
    }
  weak = g_key_file_get_string (key_file, "faults", "weak-words", NULL);
  if (weak != NULL)
    {
      g_auto(GStrv) words = g_strsplit_set (weak, ", ", -1);

      for (guint i = 0; words[i] != NULL; i++)
        {
          guint32 a;

          if (words[i][0] == '\0')
            continue;
          a = (guint32) g_ascii_strtoull (words[i], NULL, 0);
          g_array_append_val (self->weak_words, a);
        }
    }
  if (g_key_file_has_key (key_file, "faults", "power-loss-after-ms", NULL))
    {
      self->power_loss_at = (guint64) key_hex (key_file, "faults", "power-loss-after-ms", 0) * 1000000ull;
      self->power_loss_armed = TRUE;
    }
  self->swd_disable_fault = key_bool (key_file, "faults", "swd-disabled-by-firmware", FALSE);

  /* KILN_SIM_DEBUG=1 logs each core run, =2 each instruction. */
  self->debug = g_getenv ("KILN_SIM_DEBUG") != NULL;
  self->trace = g_strcmp0 (g_getenv ("KILN_SIM_DEBUG"), "2") == 0;
  if (!_kiln_sim_board_core_setup (self, error))
    return NULL;

  _kiln_sim_board_reset (self, TRUE);
  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------ */
/* The probe's view                                                     */

void
kiln_sim_board_sync (KilnSimBoard *self)
{
  guint64 t = self->clock->now_ns;

  /* Events (the watchdog, power loss) come in time order with what the
   * core does: up to where the core is now, then along its run. A core
   * kicking the watchdog is not reset because the host was away longer
   * than the watchdog's period. */
  if (_kiln_sim_board_core_running (self))
    _kiln_sim_board_advance_events (self, MIN (t, self->core_ns));
  else
    _kiln_sim_board_advance_events (self, t);
  if (_kiln_sim_board_core_running (self))
    _kiln_sim_board_core_run_until (self, t);
  else
    self->core_ns = t;
  _kiln_sim_board_advance_events (self, t);
}

double
kiln_sim_board_get_voltage (KilnSimBoard *self)
{
  kiln_sim_board_sync (self);
  return _kiln_sim_board_powered (self) ? self->voltage : 0.0;
}

void
kiln_sim_board_set_power (KilnSimBoard *self,
                          gboolean      on)
{
  kiln_sim_board_sync (self);
  if (on == !self->power_lost)
    return;
  self->power_loss_armed = FALSE;
  self->power_lost = !on;
  self->swd_active = FALSE;
  if (on)
    {
      /* The firmware starts again (and may turn the SWD pins off again). */
      self->swd_pins_off = FALSE;
      _kiln_sim_board_reset (self, TRUE);
    }
}

void
kiln_sim_board_set_nrst (KilnSimBoard *self,
                         gboolean      asserted)
{
  kiln_sim_board_sync (self);
  if (asserted == self->in_reset)
    return;
  self->in_reset = asserted;
  if (asserted)
    {
      /* In reset the pins are back in their default (SWD) function. */
      self->swd_pins_off = FALSE;
      _kiln_sim_board_reset (self, FALSE);
    }
  else
    _kiln_sim_board_reset (self, FALSE);
}

void
kiln_sim_board_swd_line_reset (KilnSimBoard *self)
{
  kiln_sim_board_sync (self);
  if (!_kiln_sim_board_powered (self) || self->swd_pins_off || self->rdp_level == 2)
    {
      self->swd_active = FALSE;
      return;
    }
  self->swd_active = TRUE;
  self->debugger_seen = TRUE;
}
