/* kiln-flash-otp.h — the one-time-programmable area: read it, program
 * bytes into it, lock its blocks
 *
 * The OTP area is 16 data blocks (64 bytes on F74x/F76x, 32 bytes on
 * F72x/F73x and F2/F4) followed by 16 lock bytes; it is programmed like
 * the main flash (FLASH_CR.PG) and can never be erased. Kiln programs a
 * unit only while every byte of it is still erased (0xFF): bytes that
 * already hold another value refuse the whole write before anything is
 * written. A lock byte programmed to 0x00 locks its block for good.
 *
 * The controller is locked again at the end on every path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-arm-target.h"
#include "kiln-flash-types.h"

G_BEGIN_DECLS

#define KILN_FLASH_OTP_BLOCKS   16
#define KILN_FLASH_OTP_MAX_SIZE 1024

typedef struct
{
  guint32 base;        /* first data byte */
  guint   block_size;  /* bytes in one block */
  guint   size;        /* data bytes: 16 blocks */
  guint32 lock_base;   /* the 16 lock bytes */
} KilnFlashOtpLayout;

typedef struct
{
  KilnFlashOtpLayout layout;
  guint8             data[KILN_FLASH_OTP_MAX_SIZE];
  guint8             locks[KILN_FLASH_OTP_BLOCKS];
} KilnFlashOtp;

typedef struct
{
  KilnFlashPsize psize;      /* parallelism of whole units */
  guint          units;      /* program accesses made */
  guint          written;    /* bytes that changed */
  guint          unchanged;  /* bytes that already held the value */
  guint32        locked;     /* blocks locked by this call (bit i = block i) */
} KilnFlashOtpResult;

/* The chip's OTP layout; FALSE with an error when it has none. */
gboolean kiln_flash_otp_get_layout   (KilnChip           *chip,
                                      KilnFlashOtpLayout *layout,
                                      GError            **error);
/* The OTP layout of a line of the chip database. */
gboolean kiln_flash_otp_get_line_layout (const KilnChipLine *line,
                                         KilnFlashOtpLayout *layout);
/* The first line of the chip database whose OTP data blocks hold the
 * @length bytes at @address, or NULL. */
const KilnChipLine *kiln_flash_otp_find_line (guint32 address,
                                              gsize   length);
/* Bytes written in hexadecimal as a person types them: "DEADBEEF",
 * "de ad be ef", "de:ad:be:ef" or "de,ad,be,ef" (a separator only between
 * whole bytes). NULL with an error for anything else, an odd digit or no
 * byte at all. Kiln-cli's `otp write` and the OTP window read bytes here. */
GBytes  *kiln_flash_otp_parse_bytes  (const char         *text,
                                      GError            **error);
/* The block holding @address, or -1 when it is not an OTP data byte. */
int      kiln_flash_otp_block_at     (const KilnFlashOtpLayout *layout,
                                      guint32                   address);
gboolean kiln_flash_otp_is_locked    (const KilnFlashOtp *otp,
                                      guint               block);
/* Reads the data blocks and the lock bytes. */
gboolean kiln_flash_otp_read         (KilnArmTarget      *target,
                                      KilnFlashOtp       *otp,
                                      GError            **error);
/* Checks, against @otp as read, that @data can go to @address: inside the
 * data blocks, no locked block to change, no programmed byte to change.
 * Bytes that already hold their value are fine (nothing to do). */
gboolean kiln_flash_otp_check_write  (const KilnFlashOtp *otp,
                                      guint32             address,
                                      const guint8       *data,
                                      gsize               length,
                                      GError            **error);
/* Programs @data at @address (after kiln_flash_otp_check_write() on a
 * fresh read), reads it back, and with @lock locks every block it touched:
 * irreversible. */
gboolean kiln_flash_otp_write        (KilnArmTarget      *target,
                                      guint32             address,
                                      const guint8       *data,
                                      gsize               length,
                                      gboolean            lock,
                                      KilnFlashOtpResult *result,
                                      GError            **error);
/* Locks the blocks in @blocks (bit i = block i): irreversible. Blocks
 * already locked are left as they are. */
gboolean kiln_flash_otp_lock         (KilnArmTarget      *target,
                                      guint32             blocks,
                                      KilnFlashOtpResult *result,
                                      GError            **error);

G_END_DECLS
