/* kiln-production-profile-keys.h — every group and key a production profile
 * may hold: unknown ones are refused (with the line and the nearest known
 * name), and the commented template of `kiln-cli profile new` is written
 * from the same table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *group;
  const char *key;
  const char *example;     /* the value the template shows */
  gboolean    active;      /* the template sets it (otherwise it is commented out) */
  const char *doc;         /* N_(): one line, what it means */
} KilnProfileKey;

/* The table, in template order; *@n_keys is set. */
const KilnProfileKey *kiln_profile_keys_get        (guint       *n_keys);
/* Refuses a group or key the table does not hold, naming the line of @text
 * (the file as read, for the line number) and the nearest known name. */
gboolean              kiln_profile_keys_check      (GKeyFile    *kf,
                                                    const char  *text,
                                                    const char  *path,
                                                    GError     **error);
/* A commented profile: every key with what it means; @firmware (or a
 * placeholder) as the firmware, @name as the name. */
char                 *kiln_profile_keys_template   (const char  *name,
                                                    const char  *firmware);

G_END_DECLS
