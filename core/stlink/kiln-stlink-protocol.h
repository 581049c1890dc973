/* kiln-stlink-protocol.h — ST-LINK commands as bytes, and answers decoded
 *
 * Pure functions, no I/O: each command is a 16-byte block.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_STLINK_CMD_SIZE 16
#define KILN_STLINK_STATUS_OK 0x80

/* The oldest V2 firmware Kiln works with: the debug command set Kiln uses
 * ("API v2": SWD, memory with status, debug and core registers, NRST) is
 * there from J11 on, and every ST-LINK/V2 speaks it; older firmware only
 * ever ran on the first ST-LINK, which Kiln does not support. */
#define KILN_STLINK_V2_OLDEST_JTAG 11

typedef struct
{
  guint   hw;       /* 2 or 3 */
  guint   jtag;     /* the "J" number: the debug firmware version */
  guint   swim;
  guint   msd;
  guint16 vid;
  guint16 pid;
} KilnStlinkVersion;

typedef enum
{
  KILN_STLINK_FEATURE_TARGET_VOLTAGE,
  KILN_STLINK_FEATURE_RW_STATUS2,
  KILN_STLINK_FEATURE_SWD_SET_FREQ,
  KILN_STLINK_FEATURE_DAP_REG,
  KILN_STLINK_FEATURE_MEM_16BIT,
  KILN_STLINK_FEATURE_INIT_AP,
  KILN_STLINK_FEATURE_AP_MUST_INIT,
  KILN_STLINK_FEATURE_RW_MISC,
  KILN_STLINK_N_FEATURES,
} KilnStlinkFeature;

typedef guint8 KilnStlinkCmd[KILN_STLINK_CMD_SIZE];

/* Answers */
void         kiln_stlink_decode_version      (const guint8            *answer6,
                                              KilnStlinkVersion       *version);
void         kiln_stlink_decode_version_ex   (const guint8            *answer12,
                                              KilnStlinkVersion       *version);
/* "V2J34S7", "V2J37M26", "V3J7M2" */
char        *kiln_stlink_version_to_string   (const KilnStlinkVersion *version);
/* Volts, from GET_TARGET_VOLTAGE's two ADC readings. */
double       kiln_stlink_decode_voltage      (const guint8            *answer8);
/* Target words are little-endian: the codec for 32-bit values in
 * answers, commands and buffers written to the target. */
guint32      kiln_stlink_decode_u32          (const guint8            *p);
void         kiln_stlink_encode_u32          (guint8                  *p,
                                              guint32                  v);
/* What a status byte means, in words. */
const char  *kiln_stlink_status_to_string    (guint8                   status);
gboolean     kiln_stlink_status_is_wait      (guint8                   status);

/* Firmware features */
gboolean     kiln_stlink_has_feature         (const KilnStlinkVersion *version,
                                              KilnStlinkFeature        feature);
const char  *kiln_stlink_feature_name        (KilnStlinkFeature        feature);
/* "the target voltage reading needs V2J13 or later; this probe has V2J12S4" */
char        *kiln_stlink_feature_missing     (const KilnStlinkVersion *version,
                                              KilnStlinkFeature        feature);
/* What the firmware lacks that a newer one has, each in one sentence that
 * says what it costs the user (NULL-terminated, empty when nothing). */
char       **kiln_stlink_firmware_costs      (const KilnStlinkVersion *version);
/* The clock of firmware that cannot set it (before V2J22). */
#define KILN_STLINK_FIXED_SWD_KHZ 1800
/* The V2 SWD clock divisor for the fastest clock not above @khz. */
guint16      kiln_stlink_swd_divisor         (guint                    khz,
                                              guint                   *actual_khz);

/* Commands */
void kiln_stlink_cmd_get_version        (KilnStlinkCmd cmd);
void kiln_stlink_cmd_get_version_ex     (KilnStlinkCmd cmd);
void kiln_stlink_cmd_get_current_mode   (KilnStlinkCmd cmd);
void kiln_stlink_cmd_dfu_exit           (KilnStlinkCmd cmd);
void kiln_stlink_cmd_debug_exit         (KilnStlinkCmd cmd);
void kiln_stlink_cmd_enter_swd          (KilnStlinkCmd cmd);
void kiln_stlink_cmd_get_target_voltage (KilnStlinkCmd cmd);
void kiln_stlink_cmd_swd_set_freq       (KilnStlinkCmd cmd,
                                         guint16       divisor);
void kiln_stlink_cmd_set_com_freq       (KilnStlinkCmd cmd,
                                         guint32       khz);
void kiln_stlink_cmd_read_idcodes       (KilnStlinkCmd cmd);
void kiln_stlink_cmd_init_ap            (KilnStlinkCmd cmd,
                                         guint8        ap);
void kiln_stlink_cmd_drive_nrst         (KilnStlinkCmd cmd,
                                         guint8        state);
void kiln_stlink_cmd_read_mem32         (KilnStlinkCmd cmd,
                                         guint32       address,
                                         guint16       length);
void kiln_stlink_cmd_write_mem32        (KilnStlinkCmd cmd,
                                         guint32       address,
                                         guint16       length);
void kiln_stlink_cmd_read_mem8          (KilnStlinkCmd cmd,
                                         guint32       address,
                                         guint16       length);
void kiln_stlink_cmd_write_mem8         (KilnStlinkCmd cmd,
                                         guint32       address,
                                         guint16       length);
/* 16-bit access: V2J26 / V3 on; address and length even. */
void kiln_stlink_cmd_read_mem16         (KilnStlinkCmd cmd,
                                         guint32       address,
                                         guint16       length);
void kiln_stlink_cmd_write_mem16        (KilnStlinkCmd cmd,
                                         guint32       address,
                                         guint16       length);
void kiln_stlink_cmd_last_rw_status     (KilnStlinkCmd cmd,
                                         gboolean      v2);
/* RW_MISC (V2J32 / V3J2 on): a batch of single-word AP accesses. OUT
 * carries one opcode byte per item (padded to a word), then one operand
 * word per item; IN answers one value word per item, then one status word
 * per item. */
#define KILN_STLINK_MISC_ADDRESS 1   /* operand: the address of the next WRITE */
#define KILN_STLINK_MISC_WRITE   2   /* operand: the value; the address then advances by 4 */
#define KILN_STLINK_MISC_READ    3   /* operand: the address */
#define KILN_STLINK_MISC_MAX_V2  64  /* items the V2 firmware's buffer holds */
void kiln_stlink_cmd_rw_misc_out        (KilnStlinkCmd cmd,
                                         guint32       items);
void kiln_stlink_cmd_rw_misc_in         (KilnStlinkCmd cmd);
void kiln_stlink_cmd_read_debug_reg     (KilnStlinkCmd cmd,
                                         guint32       address);
void kiln_stlink_cmd_write_debug_reg    (KilnStlinkCmd cmd,
                                         guint32       address,
                                         guint32       value);

G_END_DECLS
