/* kiln-sim-report.h — what the bench measured, written as KILN_SIM_REPORT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint   sector;
  guint   psize_bits;   /* 8, 16, 32 or 64 */
  double  time_s;
} KilnSimReportErase;

typedef struct
{
  guint64     usb_transfers;
  guint64     usb_bytes_out;
  guint64     usb_bytes_in;
  guint64     swd_transfers;
  guint64     flash_units_programmed;
  /* The flash's own busy time, and when on the board's timeline (device
   * time plus host gaps) it first started and last finished an operation:
   * what benchmarks split a job's time by. */
  double      flash_erase_busy_s;
  double      flash_program_busy_s;
  guint64     flash_first_start_ns;
  guint64     flash_last_end_ns;
  gboolean    flash_used;
  GArray     *sectors_erased;     /* KilnSimReportErase */
  guint       mass_erases;
  guint64     core_instructions;
  GPtrArray  *violations;         /* char*, one sentence each */
  GPtrArray  *unmodeled;          /* char*: "read 0x…" / "write 0x…", the host's accesses to unmodeled registers */
  GPtrArray  *faults_injected;    /* char* */
  GHashTable *host_errors;        /* "0x10" → GUINT_TO_POINTER (count) */
  gboolean    flash_unlocked_at_exit;    /* FLASH_CR.LOCK clear when the state was saved */
  gboolean    options_unlocked_at_exit;  /* FLASH_OPTCR.OPTLOCK clear then */
} KilnSimReport;

KilnSimReport *kiln_sim_report_new         (void);
void           kiln_sim_report_free        (KilnSimReport *report);
void           kiln_sim_report_violation   (KilnSimReport *report,
                                            const char    *format,
                                            ...) G_GNUC_PRINTF (2, 3);
void           kiln_sim_report_fault       (KilnSimReport *report,
                                            const char    *name);
void           kiln_sim_report_host_error  (KilnSimReport *report,
                                            guint8         status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnSimReport, kiln_sim_report_free)

G_END_DECLS
