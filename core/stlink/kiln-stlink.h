/* kiln-stlink.h — a session with one ST-LINK: modes, clock, SWD, memory
 *
 * Used from one thread (the session's worker). Works with every firmware
 * from V2J11 and V3J1 on, using only what the firmware has; a missing
 * feature is named with the version that brought it, and only when the job
 * needs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-stlink-error.h"
#include "kiln-stlink-protocol.h"
#include "kiln-usb-device.h"

G_BEGIN_DECLS

#define KILN_TYPE_STLINK (kiln_stlink_get_type ())

/* The width of each bus access of a memory transfer. */
typedef enum
{
  KILN_STLINK_WIDTH_8 = 1,
  KILN_STLINK_WIDTH_16 = 2,
  KILN_STLINK_WIDTH_32 = 4,
} KilnStlinkWidth;

/* The most bytes one 16- or 32-bit memory command carries (the firmware's
 * buffer, which holds a read's answer). */
#define KILN_STLINK_MAX_RW32 6144
/* The most bytes one 32-bit write of a stream carries: the firmware passes
 * a write's USB packets on to the target as they come, so its buffer does
 * not bound it (st-flash writes its loader's 32 KiB buffers in one command
 * to every ST-LINK). kiln_stlink_write_stream() and its unchecked twin use
 * it; on a full-speed probe each command saves a millisecond. */
#define KILN_STLINK_MAX_STREAM_WRITE 32768

G_DECLARE_FINAL_TYPE (KilnStlink, kiln_stlink, KILN, STLINK, GObject)

/* Reads the firmware version and leaves whatever mode the probe was in. */
KilnStlink              *kiln_stlink_open           (KilnUsbDevice  *device,
                                                     GError        **error);
const KilnStlinkVersion *kiln_stlink_get_version    (KilnStlink     *self);
/* "V2J34S7" */
const char              *kiln_stlink_get_firmware   (KilnStlink     *self);
KilnUsbDevice           *kiln_stlink_get_device     (KilnStlink     *self);
/* The target's supply as the probe measures it. */
gboolean                 kiln_stlink_read_voltage   (KilnStlink     *self,
                                                     double         *volts,
                                                     GError        **error);
/* Sets the SWD clock (the fastest the probe has at or below @khz), enters
 * SWD and checks the target answers. With @under_reset, NRST is held low
 * while connecting (for firmware that turns SWD off) and stays low until
 * kiln_stlink_set_nrst() releases it. */
gboolean                 kiln_stlink_connect        (KilnStlink     *self,
                                                     guint           khz,
                                                     gboolean        under_reset,
                                                     GError        **error);
guint                    kiln_stlink_get_swd_khz    (KilnStlink     *self);
/* The SW-DP's IDCODE (DPIDR), read when asked (a round trip). */
gboolean                 kiln_stlink_read_idcode    (KilnStlink     *self,
                                                     guint32        *idcode,
                                                     GError        **error);
gboolean                 kiln_stlink_set_nrst       (KilnStlink     *self,
                                                     gboolean        asserted,
                                                     GError        **error);
/* Memory in 32-bit accesses where aligned, bytes elsewhere. */
gboolean                 kiln_stlink_read_mem       (KilnStlink     *self,
                                                     guint32         address,
                                                     guint8         *buffer,
                                                     gsize           length,
                                                     GError        **error);
gboolean                 kiln_stlink_write_mem      (KilnStlink     *self,
                                                     guint32         address,
                                                     const guint8   *buffer,
                                                     gsize           length,
                                                     GError        **error);
/* Writes word-aligned RAM as fast as the link allows: commands of the
 * firmware's largest 32-bit size, across 1 KiB boundaries (the firmware
 * reloads the AP's address at each, as st-flash relies on), and one status
 * query after the last (a WAIT writes it all again). For bulk data whose
 * use is checked later (a flash loader's ring: verification covers it). */
gboolean                 kiln_stlink_write_stream   (KilnStlink     *self,
                                                     guint32         address,
                                                     const guint8   *buffer,
                                                     gsize           length,
                                                     GError        **error);
/* The same without the status query (one round trip less): for data
 * whose arrival the caller learns otherwise, before it counts on it (a
 * flash loader's ring, published by a checked write after it that fails
 * as well when the target is gone; verification covers the flash). */
gboolean                 kiln_stlink_write_stream_unchecked (KilnStlink     *self,
                                                             guint32         address,
                                                             const guint8   *buffer,
                                                             gsize           length,
                                                             GError        **error);
/* Reads @length bytes (a multiple of 4 inside one 1 KiB block) in one
 * command without the status query: when the access failed the bytes may
 * be stale or wrong. For a caller that can tell most answers apart from
 * such bytes and asks kiln_stlink_check_read() about the others. */
gboolean                 kiln_stlink_read_unchecked (KilnStlink     *self,
                                                     guint32         address,
                                                     guint8         *buffer,
                                                     gsize           length,
                                                     GError        **error);
/* Whether the read just before it succeeded: TRUE with *@again FALSE when
 * it did, TRUE with *@again TRUE when the target answered WAIT (read once
 * more), FALSE with @error (naming @address) when it failed. */
gboolean                 kiln_stlink_check_read     (KilnStlink     *self,
                                                     guint32         address,
                                                     gboolean       *again,
                                                     GError        **error);
/* Memory in accesses of @width where the address and the length allow it;
 * an unaligned head and a tail shorter than one access go as bytes (the
 * firmware's 8-bit commands). Firmware without 16-bit access (before V2J26)
 * does 16-bit requests as bytes: a caller that needs true halfword bus
 * accesses checks KILN_STLINK_FEATURE_MEM_16BIT first. */
gboolean                 kiln_stlink_read_mem_width (KilnStlink     *self,
                                                     guint32         address,
                                                     guint8         *buffer,
                                                     gsize           length,
                                                     KilnStlinkWidth width,
                                                     GError        **error);
gboolean                 kiln_stlink_write_mem_width (KilnStlink    *self,
                                                      guint32        address,
                                                      const guint8  *buffer,
                                                      gsize          length,
                                                      KilnStlinkWidth width,
                                                      GError       **error);
gboolean                 kiln_stlink_read16         (KilnStlink     *self,
                                                     guint32         address,
                                                     guint16        *value,
                                                     GError        **error);
gboolean                 kiln_stlink_write16        (KilnStlink     *self,
                                                     guint32         address,
                                                     guint16         value,
                                                     GError        **error);
gboolean                 kiln_stlink_read32         (KilnStlink     *self,
                                                     guint32         address,
                                                     guint32        *value,
                                                     GError        **error);
gboolean                 kiln_stlink_write32        (KilnStlink     *self,
                                                     guint32         address,
                                                     guint32         value,
                                                     GError        **error);
/* One aligned word access of a batch. */
typedef struct
{
  guint32  address;
  guint32  value;      /* written, or what was read */
  gboolean write;
  gboolean may_fail;   /* its failure is not an error (a write that resets the target) */
} KilnStlinkWord;

/* Runs @n word accesses in order in as few round trips as the firmware
 * allows: batches of RW_MISC (V2J32 / V3J2 on: two commands for up to 64
 * words) where that is cheaper, else one command per word. Stops at the
 * first refused access (naming its address); a word the target answers
 * WAIT to is done again on its own, with the words after it. */
gboolean                 kiln_stlink_words          (KilnStlink     *self,
                                                     KilnStlinkWord *words,
                                                     guint           n,
                                                     GError        **error);
/* Leaves debug mode (the target runs on). */
void                     kiln_stlink_close          (KilnStlink     *self);

G_END_DECLS
