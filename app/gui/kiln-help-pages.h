/* kiln-help-pages.h — the offline help's task pages, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  KILN_HELP_END,
  KILN_HELP_HEADING,     /* a section heading (translated) */
  KILN_HELP_PARAGRAPH,   /* running text (translated) */
  KILN_HELP_STEP,        /* one numbered step (translated) */
  KILN_HELP_COMMAND,     /* a command or file line, shown as typed (not translated) */
} KilnHelpBlockKind;

typedef struct
{
  KilnHelpBlockKind  kind;
  const char        *text;   /* N_() marked; translate with _() when shown */
} KilnHelpBlock;

typedef struct
{
  const char          *id;       /* "program", "read-protection", "production", "usb", "simulator" */
  const char          *title;    /* N_() marked */
  const char          *summary;  /* N_() marked: one line under the title in the page list */
  const KilnHelpBlock *blocks;   /* ends with KILN_HELP_END */
} KilnHelpPage;

/* The pages in the order the help lists them; ends with an entry whose id
 * is %NULL. */
const KilnHelpPage *kiln_help_pages          (void);
/* The page with @id, or %NULL. */
const KilnHelpPage *kiln_help_page_lookup    (const char *id);

G_END_DECLS
