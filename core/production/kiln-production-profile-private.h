/* kiln-production-profile-private.h — the profile's fields, shared by its
 * object (kiln-production-profile.c) and its text form (-io.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kiln-production-profile.h"

G_BEGIN_DECLS

#define GROUP_PROFILE "profile"
#define GROUP_OPTIONS "option-bytes"
#define GROUP_SERIAL  "serial"

struct _KilnProductionProfile
{
  GObject                    parent_instance;

  char                      *path;
  char                      *dir;
  char                      *name;
  char                      *firmware;   /* as written */
  char                      *sha256;
  gboolean                   has_base;
  guint32                    base;
  char                      *chip;
  gboolean                   verify;
  gboolean                   reset;
  gboolean                   skip_unchanged;
  gboolean                   vpp;
  KilnOptionBytesExpectation option_bytes;
  KilnSerialSettings         serial;
  KilnOperatorSettings       operator_settings;
  gboolean                   locked;
};

/* Each "KEY=VALUE" of [option-bytes] set against every line Kiln knows. */
gboolean kiln_production_profile_check_assignments (char                    **set,
                                                    GError                  **error);
void     kiln_serial_settings_copy                 (KilnSerialSettings       *to,
                                                    const KilnSerialSettings *from);

G_END_DECLS
