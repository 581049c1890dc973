/* kiln-sim-probe-private.h — how the bench builds its probes, and the parts of a probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-sim-board.h"
#include "kiln-sim-error.h"
#include "kiln-sim-probe.h"

G_BEGIN_DECLS

KilnSimProbe *kiln_sim_probe_new       (GKeyFile      *key_file,
                                        const char    *group,
                                        KilnSimBoard  *board,
                                        KilnSimClock  *clock,
                                        KilnSimReport *report,
                                        guint8         bus,
                                        guint8         address,
                                        GError       **error);
/* Reads and checks the keys of probe group @group (and [bench] host-gaps)
 * without making a probe: the errors kiln_sim_probe_new() would give. */
gboolean      kiln_sim_probe_check_keys (GKeyFile     *key_file,
                                         const char   *group,
                                         GError      **error);
KilnSimBoard *kiln_sim_probe_get_board (KilnSimProbe  *self);
/* Replaces the board behind the probe (a board swap; see kiln-sim-bench.c). */
void          kiln_sim_probe_set_board (KilnSimProbe  *self,
                                        KilnSimBoard  *board);
/* The line's fixture (kiln-sim-line.c): called before each bulk transfer,
 * outside the probe's lock, so that it may swap the board. */
typedef void (*KilnSimProbeFixture) (KilnSimProbe *probe,
                                     gpointer      data);
void          kiln_sim_probe_set_fixture (KilnSimProbe        *self,
                                          KilnSimProbeFixture  fixture,
                                          gpointer             data);
/* What the fixture sees: the board's time now (the host's gap since the last
 * transfer counted when the bench counts host gaps), the probe's device time,
 * and whether the probe is in debug mode (it holds the board). */
void          kiln_sim_probe_get_line_state (KilnSimProbe *self,
                                             guint64      *now_ns,
                                             guint64      *device_ns,
                                             gboolean     *debug);

/* The probe's parts: kiln-sim-probe.c is the USB device; -swd.c the SWD
 * master and its timing; -commands.c the command set; -memory.c the memory
 * commands. What follows is shared by them only. */

#define STATUS_OK             0x80
#define STATUS_FAULT          0x81
#define STATUS_GET_IDCODE_ERR 0x09
#define STATUS_ALIGNMENT      0x0A
#define STATUS_SWD_AP_WAIT    0x10
#define STATUS_SWD_AP_FAULT   0x11
#define STATUS_SWD_AP_ERROR   0x12
#define STATUS_SWD_DP_ERROR   0x16
#define STATUS_BAD_AP         0x1D
#define STATUS_FREQ_UNSUP     0x41
#define STATUS_UNKNOWN_CMD    0x42

#define MODE_DFU   0x00
#define MODE_MASS  0x01
#define MODE_DEBUG 0x02

#define CMD_SIZE 16
#define MAX_RW   6144

/* RW_MISC batches: the most items the firmware's buffer holds. */
#define MISC_MAX_ITEMS_V2 64
#define MISC_MAX_ITEMS_V3 1227

#define MISC_OP_ADDRESS 1
#define MISC_OP_WRITE   2
#define MISC_OP_READ    3
#define MISC_OP_APNUM   5

/* How many SWD WAIT answers the firmware retries before it reports
 * SWD_AP_WAIT to the host. */
#define WAIT_RETRIES 256

typedef enum
{
  MODEL_V2,
  MODEL_V2_1,
  MODEL_V3,
} Model;

struct _KilnSimProbe
{
  GObject        parent_instance;

  KilnSimBoard  *board;
  KilnSimClock  *clock;
  KilnSimReport *report;
  GMutex         mutex;

  Model          model;
  guint16        pid;
  guint          hw_version;   /* 2 or 3 */
  guint          jtag_version;
  guint          swim_version;
  guint          msd_version;
  char          *serial;
  gboolean       binary_serial;
  guint8         bus;
  guint8         address;

  guint8         mode;
  gboolean       connected;    /* SWD entered and the target answered */
  guint          swd_khz;
  guint8         last_status;
  guint32        last_fault_address;
  gboolean       ap_open[256];
  int            configuration;
  gboolean       claimed;

  /* The transaction in progress. */
  GByteArray    *in_queue;
  guint8         pending_cmd[CMD_SIZE];
  gsize          out_expected;
  GByteArray    *out_data;

  /* RW_MISC: the answers of the last batch, fetched with RW_MISC_IN. */
  GByteArray    *misc_result;

  /* Host time between transfers. */
  KilnSimHostStamp last_transfer_end;
  gboolean       transferred_once;

  /* The line's fixture (see kiln-sim-line.c). */
  KilnSimProbeFixture fixture;
  gpointer       fixture_data;

  /* Faults */
  guint64        disconnect_at;
  guint64        hang_at;
  gboolean       disconnect_armed;
  gboolean       hang_armed;
  gboolean       gone;
  gboolean       hung;
};

/* Opcodes: the first byte of a command block, */
enum
{
  CMD_GET_VERSION        = 0xF1,
  CMD_DEBUG_COMMAND      = 0xF2,
  CMD_DFU_COMMAND        = 0xF3,
  CMD_SWIM_COMMAND       = 0xF4,
  CMD_GET_CURRENT_MODE   = 0xF5,
  CMD_GET_TARGET_VOLTAGE = 0xF7,
  CMD_GET_VERSION_EX     = 0xFB,
};

/* the second byte after DFU_COMMAND and SWIM_COMMAND, */
#define DFU_EXIT  0x07
#define SWIM_EXIT 0x01

/* and the second byte after DEBUG_COMMAND. */
enum
{
  DEBUG_GETSTATUS               = 0x01,
  DEBUG_FORCEDEBUG              = 0x02,
  DEBUG_RESETSYS                = 0x03,
  DEBUG_READMEM_32BIT           = 0x07,
  DEBUG_WRITEMEM_32BIT          = 0x08,
  DEBUG_RUNCORE                 = 0x09,
  DEBUG_STEPCORE                = 0x0A,
  DEBUG_READMEM_8BIT            = 0x0C,
  DEBUG_WRITEMEM_8BIT           = 0x0D,
  DEBUG_ENTER                   = 0x20,
  DEBUG_EXIT                    = 0x21,
  DEBUG_READCOREID              = 0x22,
  DEBUG_APIV2_ENTER             = 0x30,
  DEBUG_APIV2_READ_IDCODES      = 0x31,
  DEBUG_APIV2_RESETSYS          = 0x32,
  DEBUG_APIV2_READREG           = 0x33,
  DEBUG_APIV2_WRITEREG          = 0x34,
  DEBUG_APIV2_WRITEDEBUGREG     = 0x35,
  DEBUG_APIV2_READDEBUGREG      = 0x36,
  DEBUG_APIV2_READALLREGS       = 0x3A,
  DEBUG_APIV2_GETLASTRWSTATUS   = 0x3B,
  DEBUG_APIV2_DRIVE_NRST        = 0x3C,
  DEBUG_APIV2_GETLASTRWSTATUS2  = 0x3E,
  DEBUG_APIV2_START_TRACE_RX    = 0x40,
  DEBUG_APIV2_STOP_TRACE_RX     = 0x41,
  DEBUG_APIV2_GET_TRACE_NB      = 0x42,
  DEBUG_APIV2_SWD_SET_FREQ      = 0x43,
  DEBUG_APIV2_JTAG_SET_FREQ     = 0x44,
  DEBUG_APIV2_READ_DAP_REG      = 0x45,
  DEBUG_APIV2_WRITE_DAP_REG     = 0x46,
  DEBUG_APIV2_READMEM_16BIT     = 0x47,
  DEBUG_APIV2_WRITEMEM_16BIT    = 0x48,
  DEBUG_APIV2_INIT_AP           = 0x4B,
  DEBUG_APIV2_CLOSE_AP_DBG      = 0x4C,
  DEBUG_WRITEMEM_32BIT_NO_INC   = 0x50,
  DEBUG_RW_MISC_OUT             = 0x51,
  DEBUG_RW_MISC_IN              = 0x52,
  DEBUG_READMEM_32BIT_NO_INC    = 0x54,
  DEBUG_APIV3_SET_COM_FREQ      = 0x61,
  DEBUG_APIV3_GET_COM_FREQ      = 0x62,
};

typedef enum
{
  XFER_OK,
  XFER_WAIT,
  XFER_FAULT,
  XFER_NO_TARGET,
} Xfer;

static inline void
put32 (guint8  *p,
       guint32  v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

static inline guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static inline guint16
get16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

/* kiln-sim-probe.c */

gboolean
_kiln_sim_probe_fw_at_least (KilnSimProbe *self,
                             guint         v2_j,
                             guint         v3_j);

gboolean
_kiln_sim_probe_high_speed (KilnSimProbe *self);

/* A bulk packet's size: 64 bytes at full speed, 512 at high speed. */
guint
_kiln_sim_probe_max_packet (KilnSimProbe *self);

/* kiln-sim-probe-swd.c */

void
_kiln_sim_probe_charge_usb (KilnSimProbe *self,
                            gsize         payload);

Xfer
_kiln_sim_probe_ap_rw (KilnSimProbe *self,
                       guint8        apsel,
                       guint8        reg,
                       gboolean      write,
                       guint32      *value,
                       gboolean      data_word);

Xfer
_kiln_sim_probe_dp_rw (KilnSimProbe *self,
                       guint8        reg,
                       gboolean      write,
                       guint32      *value);

guint8
_kiln_sim_probe_xfer_status (Xfer x);

gboolean
_kiln_sim_probe_swd_connect (KilnSimProbe *self);

guint8
_kiln_sim_probe_check_ap (KilnSimProbe *self,
                          guint8        apsel);

guint8
_kiln_sim_probe_mem_transfer (KilnSimProbe *self,
                              gboolean      write,
                              guint32       address,
                              guint8       *buf,
                              gsize         len,
                              guint         size,
                              gboolean      increment,
                              guint8        apsel);

/* A write command's data phase from USB to the wire: the command's fixed
 * cost, then each USB packet charged as it comes, before its words are
 * written (the probe does not hold the whole write first). */
guint8
_kiln_sim_probe_mem_write_streamed (KilnSimProbe *self,
                                   guint32       address,
                                   guint8       *buf,
                                   gsize         len,
                                   guint         size,
                                   gboolean      increment,
                                   guint8        apsel);

guint8
_kiln_sim_probe_read_word (KilnSimProbe *self,
                           guint32       address,
                           guint32      *value);

guint8
_kiln_sim_probe_write_word (KilnSimProbe *self,
                            guint32       address,
                            guint32       value);

/* kiln-sim-probe-memory.c */

void
_kiln_sim_probe_memory_read_command (KilnSimProbe *self,
                                     const guint8 *cmd,
                                     guint         size,
                                     gboolean      increment);

void
_kiln_sim_probe_memory_write_command (KilnSimProbe *self,
                                      const guint8 *cmd);

void
_kiln_sim_probe_misc_out_command (KilnSimProbe *self,
                                  const guint8 *cmd);

void
_kiln_sim_probe_misc_out_complete (KilnSimProbe *self);

void
_kiln_sim_probe_data_out_complete (KilnSimProbe *self);

/* kiln-sim-probe-commands.c */

void
_kiln_sim_probe_reply (KilnSimProbe *self,
                       const guint8 *data,
                       gsize         len);

void
_kiln_sim_probe_handle_command (KilnSimProbe *self,
                                const guint8 *cmd);

G_END_DECLS
