/* kiln-sim-board-private.h — the board's state, shared by its parts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * kiln-sim-board.c holds the object, reset, power and NRST; -flash.c the flash
 * array, controller and OTP; -core.c the Unicorn core; -bus.c the bus decode
 * with RCC, CRC, IWDG and the ROM tables; -dap.c the DP and AP; -state.c the
 * state files. Nothing outside core/sim/kiln-sim-board*.c includes this.
 */

#pragma once

#include <unicorn/unicorn.h>

#include "kiln-sim-board.h"
#include "kiln-sim-chip.h"
#include "kiln-sim-error.h"

G_BEGIN_DECLS

/* Memory map */
#define ITCM_FLASH      0x00200000u
#define AXIM_FLASH      0x08000000u
#define SRAM_BASE       0x20000000u
#define SYSMEM_BASE     0x1FF00000u
#define SYSMEM_SIZE     0x00010000u
#define PERIPH_BASE     0x40000000u
#define PERIPH_SIZE     0x20000000u
#define PPB_BASE        0xE0000000u
#define PPB_SIZE        0x00100000u

#define CRC_BASE        0x40023000u
#define RCC_BASE        0x40023800u
#define FLASH_BASE      0x40023C00u
#define IWDG_BASE       0x40003000u
#define PWR_BASE        0x40007000u
#define DBGMCU_BASE     0xE0042000u

#define FPB_BASE        0xE0002000u
#define DWT_BASE        0xE0001000u
#define ITM_BASE        0xE0000000u
#define SCS_BASE        0xE000E000u
#define ROM_ST          0xE00FD000u
#define ROM_M7          0xE00FE000u
#define ROM_PPB         0xE00FF000u

/* FLASH_SR / FLASH_CR bits */
#define SR_EOP    (1u << 0)
#define SR_OPERR  (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_ERSERR (1u << 7)
#define SR_BSY    (1u << 16)
#define SR_ERRORS (SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_ERSERR)
#define CR_PG     (1u << 0)
#define CR_SER    (1u << 1)
#define CR_MER    (1u << 2)
#define CR_MER2   (1u << 15)
#define CR_STRT   (1u << 16)
#define CR_EOPIE  (1u << 24)
#define CR_ERRIE  (1u << 25)
#define CR_LOCK   (1u << 31)
#define OPT_LOCK  (1u << 0)
#define OPT_STRT  (1u << 1)

/* DHCSR */
#define DHCSR_C_DEBUGEN  (1u << 0)
#define DHCSR_C_HALT     (1u << 1)
#define DHCSR_C_STEP     (1u << 2)
#define DHCSR_C_MASKINTS (1u << 3)
#define DHCSR_S_REGRDY   (1u << 16)
#define DHCSR_S_HALT     (1u << 17)
#define DHCSR_S_SLEEP    (1u << 18)
#define DHCSR_S_LOCKUP   (1u << 19)
#define DHCSR_S_RETIRE   (1u << 24)
#define DHCSR_S_RESET    (1u << 25)
#define DEMCR_VC_CORERESET (1u << 0)
#define DFSR_HALTED  (1u << 0)
#define DFSR_BKPT    (1u << 1)
#define DFSR_VCATCH  (1u << 3)
#define DEMCR_VC_HARDERR (1u << 10)
#define CFSR_PRECISERR   (1u << 9)
#define CFSR_BFARVALID   (1u << 15)
#define CFSR_UNDEFINSTR  (1u << 16)
#define CFSR_INVSTATE    (1u << 17)
#define CFSR_NOCP        (1u << 19)
#define CFSR_UNALIGNED   (1u << 24)
#define HFSR_FORCED      (1u << 30)

/* DP CTRL/STAT */
#define CTRL_STICKYORUN (1u << 1)
#define CTRL_STICKYCMP  (1u << 4)
#define CTRL_STICKYERR  (1u << 5)
#define CTRL_WDATAERR   (1u << 7)
#define CTRL_CDBGPWRUPREQ (1u << 28)
#define CTRL_CDBGPWRUPACK (1u << 29)
#define CTRL_CSYSPWRUPREQ (1u << 30)
#define CTRL_CSYSPWRUPACK (1u << 31)

#define DPIDR_F7   0x5BA02477u
#define AHBAP_IDR  0x74770001u
#define DPIDR_M3M4 0x2BA01477u   /* SW-DP of the Cortex-M3 and M4 */
#define AHBAP_IDR_M3M4 0x24770011u
#define CCM_BASE   0x10000000u

/* The F2 and F4 map their flash at 0 (booting from it) and keep system
 * memory at 0x1FFF0000; the F7 has ITCM there and its system memory lower. */
#define IS_F7(self) ((self)->chip->family == KILN_SIM_FAMILY_F7)
/* Where flash shows a second time: the F7's ITCM alias, 0 on the F2/F4. */
#define FLASH_ALIAS(self) (IS_F7 (self) ? ITCM_FLASH : 0u)
#define SYS_BASE(self) ((self)->chip->sysmem_size ? (self)->chip->sysmem_base : SYSMEM_BASE)
#define SYS_SIZE(self) ((self)->chip->sysmem_size ? (self)->chip->sysmem_size : SYSMEM_SIZE)

/* The core runs at most this many instructions per sync: a host that leaves
 * the core running for longer between two accesses sees the rest of the time
 * pass with the core's state as it was (see README.md, "Time"). */
#define MAX_INSTRUCTIONS_PER_SYNC (64u * 1000u * 1000u)

typedef enum
{
  OP_NONE,
  OP_ERASE,
  OP_MASS,
  OP_PROGRAM,
  OP_OPTIONS,
} FlashOp;

typedef struct
{
  guint32 address;
  guint32 size;
  guint   number;   /* logical sector number */
  guint   snb;
  guint   wrp_bit;  /* nWRP bit guarding it */
  guint   bank;
} Sector;

typedef struct
{
  guint32 address;
  guint   size;
  guint32 old;
} PendingWrite;

typedef struct
{
  guint32 address;
  guint   size;
  guint32 value;
} IdleWrite;

struct _KilnSimBoard
{
  GObject            parent_instance;

  const KilnSimChip *chip;
  KilnSimClock      *clock;
  KilnSimReport     *report;
  char              *state_dir;
  double             voltage;
  gboolean           vpp;

  /* Memory */
  guint8            *flash;
  guint32            flash_size;
  guint8            *sram;
  guint8            *itcm;
  guint8            *ccm;
  guint8            *otp;
  guint32            uid[3];

  /* Option bytes as stored, and the layout they selected at the last reset. */
  guint32            nv_optcr;
  guint32            nv_optcr1;
  guint32            nv_optcr2;
  gboolean           dual_bank;
  guint              rdp_level;
  GArray            *sectors;   /* Sector */

  /* Flash controller */
  guint32            acr;
  guint32            cr;
  guint32            sr;
  guint32            optcr;
  guint32            optcr1;
  guint32            optcr2;
  guint              key_stage;
  guint              optkey_stage;
  gboolean           key_locked_until_reset;
  gboolean           optkey_locked_until_reset;
  FlashOp            op;
  guint64            busy_until;
  int                op_sector;
  guint              op_banks;
  GArray            *weak_words;  /* guint32 */

  /* Debug port */
  gboolean           swd_active;
  gboolean           debugger_seen;
  guint32            dp_ctrl;
  guint32            dp_select;
  guint32            ap_csw;
  guint32            ap_tar;

  /* Core debug */
  guint32            dhcsr_c;     /* C_* bits */
  gboolean           halted;
  gboolean           lockup;
  gboolean           reset_st;
  gboolean           retire_st;
  gboolean           in_reset;    /* NRST held low */
  guint32            demcr;
  guint32            dfsr;
  guint32            cfsr;
  guint32            hfsr;
  guint32            bfar;
  guint32            fault_cfsr;  /* what the failing instruction raised */
  guint32            fault_bfar;
  guint32            dcrdr;
  guint32            fp_ctrl;
  guint32            fp_comp[8];
  guint32            vtor;
  guint32            dbgmcu_cr;
  guint32            apb1_fz;
  guint32            apb2_fz;

  /* The core */
  uc_engine         *uc;          /* NULL until the core is needed */
  gboolean           reset_pending;  /* reset_sp/pc not loaded into uc yet */
  guint32            reset_sp;
  guint32            reset_pc;
  uc_hook            hook_code;
  uc_hook            hook_intr;
  uc_hook            hook_unmapped;
  uc_hook            hook_flash_write;
  uc_hook            hook_flash_read;
  uc_hook            hook_itcm_read;
  gboolean           flash_unmapped;  /* RDP 1 with a debugger: no core access */
  guint64            core_ns;
  guint64            run_count;
  guint64            stall_cycles;  /* of this run: flash wait states */
  guint64            run_budget;
  guint64            run_start_ns;
  guint64            run_target_ns;
  gboolean           stop_halt;
  gboolean           in_run;          /* Unicorn runs the core: its callbacks may not reset it */
  gboolean           reset_requested; /* by the core (AIRCR), once the run stops */
  GArray            *pending;     /* PendingWrite */
  gboolean           flash_code_dirty;
  /* Pages of flash (1 KiB, Unicorn's page) code has run from since the
   * last flush, through either alias: only those hold translated code. */
  guint8            *code_pages;
  guint              n_code_pages;
  uc_hook            hook_flash_block;
  uc_hook            hook_itcm_block;
  guint32            ram_dirty_lo;   /* code in RAM the debugger wrote since the last run */
  guint32            ram_dirty_hi;
  /* Pages of RAM (SRAM, then ITCM RAM) code has run from since their
   * translations were last dropped, and the page on_code saw last (see
   * kiln-sim-board-core.c, "Code in RAM"). */
  guint8            *ram_code_pages;
  guint32            code_page_seen;
  gboolean           fp_any;
  guint32            insn_pc;        /* the instruction on_code saw last */
  /* Idle loops (see core_idle in kiln-sim-board-core.c) */
  guint32            last_pc;
  guint32            loop_head;
  guint              loop_trips;
  guint64            trip_start_stall;
  guint64            last_trip_insns;
  guint64            last_trip_stall;
  guint              stable_trips;
  guint              same_regs_trips;
  guint64            trip_start;     /* run_count when this trip began */
  gboolean           idle_skipped;
  gboolean           idle_valid;
  guint32            idle_regs[16];
  guint64            trip_hash;      /* the register and flash accesses of this trip */
  gboolean           trip_dirty;     /* this trip did what a skip cannot repeat */
  guint              trip_n_writes;
  IdleWrite          trip_writes[4];
  guint64            last_trip_hash;
  guint              last_trip_n_writes;
  IdleWrite          last_trip_writes[4];
  gboolean           trace;
  gboolean           debug;

  /* RCC, CRC, IWDG */
  guint32            rcc_cr;
  guint64            rcc_hse_on_ns;       /* when HSEON was set (its start-up counts from there) */
  guint64            rcc_pll_on_ns;       /* when PLLON was set */
  guint32            rcc_pllcfgr;
  guint32            rcc_cfgr;
  guint32            rcc_ahb1enr;
  guint32            rcc_apb1enr;
  /* PWR (kiln-sim-board-power.c): PWR_CR(1), and ODSWRDY's span: set from
   * the first time until the second (G_MAXUINT64: never, for ever). */
  guint32            pwr_cr;
  guint64            pwr_odsw_from;
  guint64            pwr_odsw_until;
  guint64            sysclk;              /* SYSCLK for the two values below */
  guint32            sysclk_for_cfgr;
  guint32            sysclk_for_pllcfgr;
  guint32            crc_dr;
  guint32            crc_idr;
  guint32            crc_cr;
  guint32            crc_init;
  guint32            crc_pol;
  guint32            crc_table_pol;   /* the polynomial crc_table is for */
  guint32           *crc_table;       /* 256 entries, MSB first; NULL until needed */
  gboolean           iwdg_running;
  gboolean           iwdg_unlocked;
  guint32            iwdg_pr;
  guint32            iwdg_rlr;
  guint64            iwdg_deadline;
  guint64            iwdg_frozen_at;
  guint              iwdg_default_ms;

  /* Faults */
  guint32            stale_errors;
  guint64            power_loss_at;
  gboolean           power_loss_armed;
  gboolean           power_lost;
  gboolean           swd_disable_fault;
  gboolean           swd_pins_off;

  GHashTable        *unmodeled;
  gboolean           firmware_access;  /* the core runs the board's own code from flash */
};

/* Helpers */

static inline guint32
rd32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static inline void
wr32 (guint8 *p,
      guint32 v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

/* kiln-sim-board.c */

gboolean
_kiln_sim_board_powered (KilnSimBoard *self);

void
_kiln_sim_board_note_unmodeled (KilnSimBoard *self,
                                guint32       address,
                                gboolean      write);

void
_kiln_sim_board_advance_events (KilnSimBoard *self,
                                guint64       t);

void
_kiln_sim_board_reset (KilnSimBoard *self,
                       gboolean      power_on);

/* kiln-sim-board-flash.c */

void
_kiln_sim_board_lay_out_sectors (KilnSimBoard *self);

guint
_kiln_sim_board_rdp_level_of (guint32 optcr);

guint8 *
_kiln_sim_board_flash_mem (KilnSimBoard *self);

void
_kiln_sim_board_ram_mem (KilnSimBoard *self);

gboolean
_kiln_sim_board_flash_busy (KilnSimBoard *self,
                            guint64       t);

void
_kiln_sim_board_flash_array_write (KilnSimBoard *self,
                                   guint32       address,
                                   guint         size,
                                   guint32       value,
                                   guint64       now);

void
_kiln_sim_board_otp_array_write (KilnSimBoard *self,
                                 guint32       address,
                                 guint         size,
                                 guint32       value,
                                 guint64       now);

void
_kiln_sim_board_flash_reg_write (KilnSimBoard *self,
                                 guint32       offset,
                                 guint32       value,
                                 guint64       now,
                                 gboolean     *fault);

guint32
_kiln_sim_board_flash_reg_read (KilnSimBoard *self,
                                guint32       offset);

/* kiln-sim-board-bus.c */

guint64
_kiln_sim_board_sysclk_hz (KilnSimBoard *self);
/* kiln-sim-board-clock.c: RCC's registers (RCC_BASE + offset). */
guint32  _kiln_sim_board_rcc_read           (KilnSimBoard *self,
                                            guint32       address,
                                            guint64       now);
void     _kiln_sim_board_rcc_write          (KilnSimBoard *self,
                                            guint32       address,
                                            guint32       value,
                                            guint64       now);
/* A clock switch waiting for its source, while the core is halted. */
void     _kiln_sim_board_rcc_settle_halted (KilnSimBoard *self,
                                            guint64       now);
/* Reports a violation when the flash's wait states (ACR LATENCY) are too few
 * for @hz at the board's supply voltage; @what says what changed. */
void     _kiln_sim_board_check_wait_states (KilnSimBoard *self,
                                            guint64       hz,
                                            const char   *what);

/* When PLLRDY is (or will be) set; G_MAXUINT64 while the PLL is off. */
guint64  _kiln_sim_board_pll_ready_at      (KilnSimBoard *self);

/* kiln-sim-board-power.c: PWR's registers (PWR_BASE + offset), gated by
 * RCC_APB1ENR's PWREN. */
void     _kiln_sim_board_pwr_reset         (KilnSimBoard *self);
guint32  _kiln_sim_board_pwr_read          (KilnSimBoard *self,
                                            guint32       address,
                                            guint64       now);
void     _kiln_sim_board_pwr_write         (KilnSimBoard *self,
                                            guint32       address,
                                            guint32       value,
                                            guint64       now);
/* Reports a violation when @hz is above what the voltage scale and
 * over-drive allow at @now; @what says what changed. */
void     _kiln_sim_board_check_scale       (KilnSimBoard *self,
                                            guint64       hz,
                                            guint64       now,
                                            const char   *what);

gboolean
_kiln_sim_board_iwdg_frozen (KilnSimBoard *self);

KilnSimAck
_kiln_sim_board_bus_read (KilnSimBoard *self,
                          guint32       address,
                          guint         size,
                          guint32      *value,
                          guint64       now,
                          gboolean      debugger,
                          guint64      *ready_at);

KilnSimAck
_kiln_sim_board_bus_write (KilnSimBoard *self,
                           guint32       address,
                           guint         size,
                           guint32       value,
                           guint64       now,
                           gboolean      debugger,
                           guint64      *ready_at);

/* kiln-sim-board-core.c */

guint64
_kiln_sim_board_core_time_now (KilnSimBoard *self);

guint32
_kiln_sim_board_core_read_reg (KilnSimBoard *self,
                               guint         sel);

void
_kiln_sim_board_core_write_reg (KilnSimBoard *self,
                                guint         sel,
                                guint32       v);

void
_kiln_sim_board_apply_pending (KilnSimBoard *self);

/* kiln-sim-board-code.c: the pages translated code came from (1 KiB,
 * Unicorn's page), and dropping the translations a write made stale. */
#define CODE_PAGE 1024u
/* code_page_seen when no page is: in the system region, where no code
 * runs (execute never), so no instruction lies within a page of it. */
#define CODE_PAGE_NONE 0xF0000000u

void
_kiln_sim_board_mark_ram_dirty (KilnSimBoard *self,
                                guint32       address,
                                guint         size);

void
_kiln_sim_board_flush_flash_code (KilnSimBoard *self);

/* From the core's instruction hook: the instruction at @address of @size
 * bytes runs (its pages of RAM are marked). */
void
_kiln_sim_board_note_code_page (KilnSimBoard *self,
                                guint32       address,
                                guint32       size);

/* Unicorn's block hook over the flash and its alias. */
void
_kiln_sim_board_on_flash_block (uc_engine    *uc,
                                guint64       address,
                                guint32       size,
                                gpointer      user_data);

gboolean
_kiln_sim_board_core_setup (KilnSimBoard  *self,
                            GError       **error);

void
_kiln_sim_board_core_engine (KilnSimBoard *self);

gboolean
_kiln_sim_board_core_running (KilnSimBoard *self);

void
_kiln_sim_board_core_enter_halt (KilnSimBoard *self);

void
_kiln_sim_board_core_run_until (KilnSimBoard *self,
                                guint64       t);

void
_kiln_sim_board_core_reset (KilnSimBoard *self);

/* kiln-sim-board-idle.c */

void
_kiln_sim_board_trip_note (KilnSimBoard *self,
                           guint32       address,
                           guint32       value,
                           gboolean      write);

void
_kiln_sim_board_trip_note_write (KilnSimBoard *self,
                                 guint32       address,
                                 guint         size,
                                 guint32       value);

void
_kiln_sim_board_idle_forget (KilnSimBoard *self);

gboolean
_kiln_sim_board_core_idle (KilnSimBoard *self,
                           guint32       address);

void
_kiln_sim_board_core_skip_idle (KilnSimBoard *self,
                                guint64       t);

/* kiln-sim-board-state.c */

gboolean
_kiln_sim_board_load_state (KilnSimBoard  *self,
                            GError       **error);

gboolean
_kiln_sim_board_preload_flash (KilnSimBoard  *self,
                               const char    *path,
                               GError       **error);

G_END_DECLS
