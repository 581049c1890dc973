/* kiln-production-profile.h — what a production line programs, prepared and
 * signed by an engineer (kiln-production-signature.h)
 *
 * A profile is a key file (usually NAME.kiln-profile) beside the firmware:
 *
 *   [profile]
 *   name = Widget rev B
 *   firmware = widget.elf        ; relative to the profile's folder
 *   sha256 = 3f2a…               ; the file is pinned: another file is refused
 *   base = 0x08000000            ; raw binaries only
 *   chip = STM32F746NG           ; a part (DEV_ID and flash size) or a line
 *   verify = true
 *   reset = true
 *   skip-unchanged = true
 *
 *   [option-bytes]
 *   rdp = 0                      ; expected on arrival (checked before programming)
 *   wrp = none                   ; expected write-protected sectors on arrival: none, or 0,1,…
 *   set = rdp=1 bor=3            ; written once the board is programmed and verified,
 *                                ; then read back (KEY=VALUE as kiln-cli option-bytes takes them)
 *   allow-irreversible = false   ; true: "set" may hold rdp=2 (the chip is locked for good)
 *
 *   [serial]                     ; optional serial-number injection
 *   source = counter             ; counter | list | uid
 *   address = 0x080FFF00         ; in flash, outside the firmware's bytes, or in OTP
 *                                ; (0x1FF0F000…, written once the firmware is verified)
 *   format = SN-%06u             ; counter: one %u/%d/%x/%X, uid: one %s
 *   start = 1                    ; counter: the first number
 *   list = serials.txt           ; list: one number a line (# comments)
 *   series = widget              ; numbers are unique within a series
 *   encoding = ascii             ; ascii (NUL padded) | u32le (counter only)
 *   size = 16                    ; bytes written at the address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kiln-image.h"
#include "kiln-production-error.h"
#include "kiln-production-operator.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_SERIAL_SOURCE_NONE,
  KILN_SERIAL_SOURCE_COUNTER,
  KILN_SERIAL_SOURCE_LIST,
  KILN_SERIAL_SOURCE_UID,
} KilnSerialSource;

typedef enum
{
  KILN_SERIAL_ENCODING_ASCII,
  KILN_SERIAL_ENCODING_U32LE,
} KilnSerialEncoding;

typedef struct
{
  KilnSerialSource   source;
  guint32            address;
  char              *format;     /* NULL: "%u" for a counter, "%s" for the UID */
  guint64            start;
  char              *list;       /* as written in the profile */
  char              *series;     /* NULL: the format */
  KilnSerialEncoding encoding;
  guint              size;       /* 0: the text and a NUL, rounded up to a word */
} KilnSerialSettings;

typedef struct
{
  int      rdp;            /* expected RDP level 0–2; -1: not enforced */
  gboolean wrp_enforced;
  guint32  wrp;            /* bit i: sector position i expected write-protected */
  char   **set;            /* KEY=VALUE written after programming, or NULL (owned by the profile) */
  gboolean allow_irreversible;
} KilnOptionBytesExpectation;

#define KILN_TYPE_PRODUCTION_PROFILE (kiln_production_profile_get_type ())

G_DECLARE_FINAL_TYPE (KilnProductionProfile, kiln_production_profile, KILN, PRODUCTION_PROFILE, GObject)

KilnProductionProfile *kiln_production_profile_new              (void);
KilnProductionProfile *kiln_production_profile_load             (const char             *path,
                                                                 GError                **error);
gboolean               kiln_production_profile_save             (KilnProductionProfile  *self,
                                                                 const char             *path,
                                                                 GError                **error);
/* The profile in @text (@length bytes), read from @path. */
KilnProductionProfile *kiln_production_profile_load_data        (const char             *path,
                                                                 const char             *text,
                                                                 gsize                   length,
                                                                 GError                **error);
/* The file it was loaded from or saved to, or NULL. */
const char            *kiln_production_profile_get_path         (KilnProductionProfile  *self);

const char            *kiln_production_profile_get_name         (KilnProductionProfile  *self);
/* The firmware path as written, resolved against the profile's folder. */
char                  *kiln_production_profile_dup_firmware_path (KilnProductionProfile *self);
/* TRUE when the firmware is a raw binary loaded at *@base. */
gboolean               kiln_production_profile_get_base         (KilnProductionProfile  *self,
                                                                 guint32                *base);
const char            *kiln_production_profile_get_sha256       (KilnProductionProfile  *self);
const char            *kiln_production_profile_get_chip         (KilnProductionProfile  *self);
gboolean               kiln_production_profile_get_verify       (KilnProductionProfile  *self);
gboolean               kiln_production_profile_get_reset        (KilnProductionProfile  *self);
gboolean               kiln_production_profile_get_skip_unchanged (KilnProductionProfile *self);
/* The fixture supplies VPP: x64 (vpp = true). */
gboolean               kiln_production_profile_get_vpp          (KilnProductionProfile  *self);
const KilnSerialSettings *kiln_production_profile_get_serial    (KilnProductionProfile  *self);
/* The list file resolved against the profile's folder, or NULL. */
char                  *kiln_production_profile_dup_list_path    (KilnProductionProfile  *self);
const KilnOptionBytesExpectation *kiln_production_profile_get_option_bytes (KilnProductionProfile *self);

/* The engineer's side: every setter refuses a locked profile. */
/* [operator]: whether opening the profile puts the station in operator mode,
 * and the engineer's password hash that leaves it. */
const KilnOperatorSettings *kiln_production_profile_get_operator (KilnProductionProfile *self);
gboolean               kiln_production_profile_set_operator     (KilnProductionProfile  *self,
                                                                 gboolean                mode,
                                                                 const char             *engineer_password,
                                                                 GError                **error);
gboolean               kiln_production_profile_set_name         (KilnProductionProfile  *self,
                                                                 const char             *name,
                                                                 GError                **error);
/* Reads the file and pins its SHA-256. A raw binary needs @has_base. A
 * relative @path is relative to the profile's folder (when it has one). */
gboolean               kiln_production_profile_set_firmware     (KilnProductionProfile  *self,
                                                                 const char             *path,
                                                                 gboolean                has_base,
                                                                 guint32                 base,
                                                                 GError                **error);
gboolean               kiln_production_profile_set_chip         (KilnProductionProfile  *self,
                                                                 const char             *chip,
                                                                 GError                **error);
gboolean               kiln_production_profile_set_options      (KilnProductionProfile  *self,
                                                                 gboolean                verify,
                                                                 gboolean                reset,
                                                                 gboolean                skip_unchanged,
                                                                 GError                **error);
gboolean               kiln_production_profile_set_option_bytes (KilnProductionProfile  *self,
                                                                 const KilnOptionBytesExpectation *expected,
                                                                 GError                **error);
gboolean               kiln_production_profile_set_serial       (KilnProductionProfile  *self,
                                                                 const KilnSerialSettings *settings,
                                                                 GError                **error);

/* Checks the profile is complete and coherent (file pinned, chip known,
 * serial settings valid, the serial outside the firmware) and locks it in
 * memory; a profile loaded from a file is locked only once its signature
 * was verified (kiln_production_profile_load_signed). */
gboolean               kiln_production_profile_lock             (KilnProductionProfile  *self,
                                                                 GError                **error);
/* Is @chip a part ("STM32F746NG") or a line ("STM32F74x/F75x") Kiln knows? */
gboolean               kiln_production_profile_check_chip       (const char             *chip,
                                                                 GError                **error);
/* The deliberate action that makes a locked profile editable again. */
void                   kiln_production_profile_unlock           (KilnProductionProfile  *self);
gboolean               kiln_production_profile_is_locked        (KilnProductionProfile  *self);

/* Reads the firmware, checks it against the pinned SHA-256 (a changed file is
 * refused with KILN_PRODUCTION_ERROR_FILE_CHANGED) and parses exactly the
 * bytes that were hashed. */
KilnImage             *kiln_production_profile_load_image       (KilnProductionProfile  *self,
                                                                 GError                **error);

/* Serial settings helpers. */
void                   kiln_serial_settings_clear               (KilnSerialSettings     *settings);
/* The format's one conversion is checked against the source. */
gboolean               kiln_serial_settings_validate            (const KilnSerialSettings *settings,
                                                                 GError                **error);
/* The value for a counter @number, or for the UID or list entry @text;
 * NULL when the settings' format is not valid. */
char                  *kiln_serial_settings_format              (const KilnSerialSettings *settings,
                                                                 guint64                 number,
                                                                 const char             *text);
const char            *kiln_serial_source_to_string             (KilnSerialSource        source);

G_END_DECLS
