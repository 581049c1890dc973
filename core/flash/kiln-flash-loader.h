/* kiln-flash-loader.h — the host side of Kiln's SRAM flash loader: where it
 * goes in the target's RAM, the on-target CRC, and streaming erase and
 * program operations through its ring buffer while it runs
 *
 * The loader itself is loader/kiln-flash-loader.S; its bytes are in
 * kiln-flash-loader-code.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-arm-target.h"
#include "kiln-flash-types.h"

G_BEGIN_DECLS

extern const guint8 kiln_flash_loader_code[];
extern const gsize  kiln_flash_loader_code_size;
/* Where the code only program runs use starts: see
 * kiln_flash_loader_setup_crc_first(). */
extern const gsize  kiln_flash_loader_program_offset;
/* Two words in the code the CRC command needs: the length and CRC of the
 * program part from kiln_flash_loader_program_offset on, which the program
 * command checks first when the part went up on its own (0: it did not). */
extern const gsize  kiln_flash_loader_program_check_offset;
/* Where the writes at x8, x16 and x64 start: the code from there to the
 * LZ4 decoder is uploaded only before the first program run at those
 * PSIZEs. */
extern const gsize  kiln_flash_loader_narrow_offset;
/* Where the LZ4 decoder starts: the code from there on is uploaded only
 * before the first program run that sends a compressed record. */
extern const gsize  kiln_flash_loader_lz4_offset;

/* The layout, as in kiln-flash-loader.S: the operation table in the 8 KiB
 * from 4 KiB after the code, ending where the parameter block starts (12.5
 * KiB after the code), so that one transfer writes both, COMMAND last,
 * which posts the command; a CRC command's results follow the block. The
 * block sits mid-way in a 1 KiB block (the probe's transfers stop at 1 KiB
 * boundaries): a table of up to 512 bytes goes in one transfer, and the
 * status with up to 448 bytes of results comes in one. */
#define KILN_LOADER_OPS_AREA    0x1000
#define KILN_LOADER_PARAMS      0x3200
#define KILN_LOADER_RESULTS     0x40
#define KILN_LOADER_P_FLASH     0x00
#define KILN_LOADER_P_CR_PSIZE  0x04
#define KILN_LOADER_P_PSIZE     0x08
#define KILN_LOADER_P_RING      0x0C
#define KILN_LOADER_P_RING_END  0x10
/* STATUS comes before the words it vouches for: the host reads upwards,
 * the loader writes them before it. */
#define KILN_LOADER_P_STATUS    0x14
/* The first record's seq (see the source); the loader counts on from it. */
#define KILN_LOADER_P_SEQ       0x18
#define KILN_LOADER_P_RP        0x1C
#define KILN_LOADER_P_ERROR_SR  0x20
#define KILN_LOADER_P_ERROR_AT  0x24
#define KILN_LOADER_P_OPS_DONE  0x28
#define KILN_LOADER_P_ABORT     0x2C
#define KILN_LOADER_P_N_OPS     0x30
#define KILN_LOADER_P_OPS       0x34
#define KILN_LOADER_P_STACK     0x38
#define KILN_LOADER_P_COMMAND   0x3C
#define KILN_LOADER_P_SIZE      0x40

/* A CRC command's range: address, length, expected CRC, and where the
 * table has erases (P_CR_PSIZE says its stride) the erase's FLASH_CR
 * value; its result: CRC, blank (see the source). */
#define KILN_LOADER_CRC_OP_SIZE 12
#define KILN_LOADER_CRC_ERASE_OP_SIZE 16
/* A result's blank word: erased, or not erased and its erase started. */
#define KILN_LOADER_RESULT_BLANK        0xFFFFFFFFu
#define KILN_LOADER_RESULT_ERASE_STARTED 2
#define KILN_LOADER_RESULT_SIZE 8
#define KILN_LOADER_OP_SIZE     12

#define KILN_LOADER_COMMAND_PROGRAM 1
#define KILN_LOADER_COMMAND_CRC     2
#define KILN_LOADER_COMMAND_EXIT    3
#define KILN_LOADER_COMMAND_RESET   4

#define KILN_LOADER_STATUS_RUNNING  0
#define KILN_LOADER_STATUS_DONE     1
#define KILN_LOADER_STATUS_ERROR    2
#define KILN_LOADER_STATUS_ABORTED  3
#define KILN_LOADER_STATUS_BAD_STREAM 4
#define KILN_LOADER_STATUS_BAD_CODE 5

/* The stream's records: at most this many raw bytes each, decoded into a
 * scratch buffer of this size just before the ring. */
#define KILN_LOADER_BLOCK       4096

typedef enum
{
  KILN_LOADER_OP_ERASE = 1,
  KILN_LOADER_OP_PROGRAM = 2,
  KILN_LOADER_OP_CRC = 3,       /* internal: see kiln_flash_loader_set_after () */
  /* The erase kiln_flash_loader_compare() started: only the first
   * operation, where it waits for the erase and checks its flags. */
  KILN_LOADER_OP_ERASE_STARTED = 4,
} KilnLoaderOpKind;

/* The most ranges a program run takes a CRC of after its operations. */
#define KILN_LOADER_MAX_AFTER 32

/* One operation of a program run. For an erase, @arg is the FLASH_CR value
 * (SER | SNB | PSIZE) and @address the sector's; a program operation writes
 * @length bytes (a multiple of 4) from @data at @address. @tag is the
 * caller's (the plan position of the sector). */
typedef struct
{
  KilnLoaderOpKind kind;
  guint32          arg;
  guint32          address;
  guint32          length;
  const guint8    *data;
  guint            tag;
} KilnLoaderOp;

typedef struct
{
  KilnArmTarget *target;
  KilnStlink    *stlink;
  guint32        code;
  guint32        params;
  guint32        ops;           /* the operation table's area */
  guint32        results;
  guint          max_ops;
  guint32        ring_end;      /* a program command's ring: kiln_loader_ring() up to here */
  guint32        stack_top;
  guint          timeout_ms;
  /* Kept running between commands (one start per job) until
   * kiln_flash_loader_stop(); else halted after each. */
  gboolean       persistent;
  gboolean       running;
  /* The code is written without reading it back: the first command's CRC
   * covers it (one transfer instead of a full read-back). */
  guint32        code_size;
  guint32        code_crc;
  gboolean       code_checked;
  /* Set up but not yet uploaded: it goes with the first command, up to
   * upload_end (the parts asked for before it included). */
  gboolean       code_pending;
  guint32        upload_end;
  /* The writes at x8, x16 and x64, and the LZ4 decoder, after the
   * checked code, once uploaded. */
  gboolean       narrow_loaded;
  /* Where setup left the program part behind, its end (else 0), and the
   * two words the program command checks it by (kiln-flash-loader.S,
   * program_check), set in the code that goes up first. */
  guint32        program_end;
  guint32        program_check[2];
  /* A program command went through: the program part (which has the
   * reset command's code) was checked and runs. */
  gboolean       program_ran;
  gboolean       lz4_loaded;
  /* The next record's seq: random at setup, then counted on by every run,
   * so that no record left in the ring has the seq the loader expects. */
  guint32        seq;
  /* The widest PSIZE the measured supply allows (x8 when unknown): the
   * loader takes fewer flash wait states for its CRCs at x32 and x64
   * (2.7-3.6 V). Set after kiln_flash_loader_setup(). */
  KilnFlashPsize supply_psize;
  /* Blocks are sent as LZ4 where that makes them shorter (default). */
  gboolean       no_compression;
  /* What program runs streamed: the raw bytes and what the link carried
   * for them (headers and compressed blocks). */
  guint64        raw_bytes;
  guint64        link_bytes;
  /* Ranges (address, length) whose CRCs the next program run computes
   * after its last operation, and those CRCs, kept for the CRC command
   * that asks for exactly these ranges next (verification). */
  guint32        after_ranges[2 * KILN_LOADER_MAX_AFTER];
  guint32        after_crcs[KILN_LOADER_MAX_AFTER];
  guint          n_after;
  gboolean       after_ready;
  /* After a program run that failed: how many of its operations the
   * loader may have begun. Where it said it stopped, the one after those
   * done; where the link failed first, every operation up to the first
   * whose records it did not all get (that one too when it got some),
   * since it may have gone on after its last answer. */
  guint          ops_begun;
} KilnFlashLoader;

/* Called while a program run streams: operations completed and bytes the
 * loader has taken from the ring. */
typedef void (*KilnLoaderProgressFunc) (gpointer user_data,
                                        guint    ops_done,
                                        guint64  bytes_done);

/* Picks the loader's place in the chip's RAM (the largest contiguous SRAM),
 * writes the code there (checked by the first command, which fails with
 * KILN_FLASH_ERROR_LOADER when the RAM did not keep it), and leaves the
 * core halted. Fails
 * (KILN_FLASH_ERROR_LOADER) when the chip has no RAM large enough. */
gboolean kiln_flash_loader_setup    (KilnFlashLoader         *self,
                                     KilnArmTarget           *target,
                                     GError                 **error);
/* Has the next program run also compute the CRCs of @n ranges (pairs of
 * address and length, multiples of 4) in the same command, each once the
 * run's operations inside it are done (while the link still brings the
 * records of later ranges): a kiln_flash_loader_crc() of exactly these ranges
 * right after it is answered from them, without a command of its own.
 * More than KILN_LOADER_MAX_AFTER ranges, or a table that would not hold
 * them, and the run computes none. */
void     kiln_flash_loader_set_after (KilnFlashLoader        *self,
                                      const guint32          *ranges,
                                      guint                   n);
/* The same for a job that programs at @psize: where that is not x32, the
 * writes at x8, x16 and x64 go up with the code, in the same transfer. */
gboolean kiln_flash_loader_setup_at (KilnFlashLoader         *self,
                                     KilnArmTarget           *target,
                                     KilnFlashPsize           psize,
                                     GError                 **error);
/* The same, but only the code the CRC command needs goes up now; the
 * program part goes up while the first CRC command runs (or before the
 * first program run), without a status query: the program command checks
 * its CRC before it runs any of it (a part that did not arrive whole
 * fails the run with KILN_FLASH_ERROR_LOADER, nothing done). For a job
 * that compares first: the comparison, and the first erase the loader
 * starts after it, need not wait for that upload. */
gboolean kiln_flash_loader_setup_crc_first (KilnFlashLoader  *self,
                                            KilnArmTarget    *target,
                                            KilnFlashPsize    psize,
                                            GError          **error);
/* Halts a loader left running (persistent). */
void     kiln_flash_loader_stop     (KilnFlashLoader         *self);
/* Ends the job with a system reset the loader makes itself (command 4:
 * the vector catches off, then SYSRESETREQ), so that the firmware runs:
 * one write of the host's instead of a batch. Only a running loader whose
 * program command went through does it; *@reset says whether it was asked
 * (else the caller resets the core itself). */
gboolean kiln_flash_loader_reset_run (KilnFlashLoader        *self,
                                      gboolean               *reset,
                                      GError                **error);
/* Uploads the writes at x8, x16 and x64 (kiln_flash_loader_program()
 * does, before the first run at one of those); once. */
gboolean kiln_flash_loader_load_narrow (KilnFlashLoader      *self,
                                        GError              **error);
/* Uploads the LZ4 decoder (kiln_flash_loader_program() does, before the
 * first run that sends a compressed record); once. */
gboolean kiln_flash_loader_load_lz4 (KilnFlashLoader         *self,
                                     GError                 **error);
/* CRC-32 (STM32 CRC unit) of each range computed on the target.
 * @ranges holds @n pairs (address, length), lengths multiples of 4. When
 * @blank is not NULL, it says of each range whether all its bits are erased
 * (checked on the target, word by word, where the CRC is an erased one). */
gboolean kiln_flash_loader_crc      (KilnFlashLoader         *self,
                                     const guint32           *ranges,
                                     guint                    n,
                                     guint32                 *crcs,
                                     gboolean                *blank,
                                     GCancellable            *cancellable,
                                     GError                 **error);
/* The differential's CRCs: as kiln_flash_loader_crc() (@blank is not
 * NULL), and where @erase_crs is not NULL, the loader starts the erase of
 * the first range whose CRC is not @expected's, when no blank range comes
 * before it, it is not blank and its @erase_crs value (FLASH_CR: SER |
 * SNB | PSIZE of the controller at @flash_regs) is not 0, without waiting
 * for the host: *@erase_started is that range's index, else -1 (also on
 * failure, once the loader's results say so). The program run after it
 * must then begin with KILN_LOADER_OP_ERASE_STARTED for that sector. */
gboolean kiln_flash_loader_compare  (KilnFlashLoader         *self,
                                     guint32                  flash_regs,
                                     const guint32           *ranges,
                                     guint                    n,
                                     const guint32           *expected,
                                     const guint32           *erase_crs,
                                     guint32                 *crcs,
                                     gboolean                *blank,
                                     gint                    *erase_started,
                                     GCancellable            *cancellable,
                                     GError                 **error);
/* Runs @ops (the loader waits for the controller, clears its error flags
 * and unlocks it; the caller locks it again) while streaming
 * the program operations' bytes, in blocks compressed with LZ4 where that
 * makes them shorter; units that are all 0xFF are not written
 * (each program operation must go to an erased or blank sector). *@ops_done says how many completed, also
 * on failure. A flash error is KILN_FLASH_ERROR_CONTROLLER naming the
 * address (*@error_sr and *@error_at set); cancellation stops the loader
 * between blocks (G_IO_ERROR_CANCELLED); a loader that faults, is reset or
 * stops answering is KILN_FLASH_ERROR_LOADER. */
gboolean kiln_flash_loader_program  (KilnFlashLoader         *self,
                                     guint32                  flash_regs,
                                     KilnFlashPsize           psize,
                                     const KilnLoaderOp      *ops,
                                     guint                    n_ops,
                                     KilnLoaderProgressFunc   progress,
                                     gpointer                 user_data,
                                     GCancellable            *cancellable,
                                     guint                   *ops_done,
                                     guint32                 *error_sr,
                                     guint32                 *error_at,
                                     GError                 **error);

/* The STM32 CRC unit's CRC-32 computed on the host: @crc is 0xFFFFFFFF to
 * start; @length is a multiple of 4 (little-endian words). This is the
 * unreflected CRC-32/MPEG-2, not zlib's crc32() (the reflected CRC-32): the
 * F7's unit could be set to reflect input and output (CRC_CR REV_IN/REV_OUT)
 * to match zlib, but the F2 and F4 units cannot reflect, and the loader
 * serves them with the same code, so the host computes the unit's CRC. */
guint32  kiln_flash_crc32           (guint32                  crc,
                                     const guint8            *data,
                                     gsize                    length);

G_END_DECLS
