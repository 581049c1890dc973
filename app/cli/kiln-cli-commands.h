/* kiln-cli-commands.h — the subcommands of kiln-cli, one file each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes, documented in the man page. */
typedef enum
{
  KILN_CLI_EXIT_OK = 0,
  KILN_CLI_EXIT_FAILURE = 1,      /* anything not listed below */
  KILN_CLI_EXIT_USAGE = 2,        /* bad arguments or a bad file: nothing was touched */
  KILN_CLI_EXIT_NO_PROBE = 3,     /* no probe, no permission, several and none chosen */
  KILN_CLI_EXIT_CONNECTION = 4,   /* the target does not answer, no power, link lost */
  KILN_CLI_EXIT_PROTECTION = 5,   /* read or write protection stops the job */
  KILN_CLI_EXIT_FLASH = 6,        /* erase, program or verify failed */
  KILN_CLI_EXIT_CANCELLED = 7,    /* interrupted (Ctrl-C); the controller was locked */
} KilnCliExit;

/* Each subcommand gets argv with argv[0] = the subcommand's name. */
typedef int (*KilnCliCommandFunc) (int    argc,
                                   char **argv);

typedef struct
{
  const char         *name;
  const char         *summary;   /* translatable, marked with N_() */
  KilnCliCommandFunc  func;
} KilnCliCommand;

/* Shared argument parsing (kiln-cli-inspect.c). */
#include "kiln-flash-types.h"

gboolean kiln_cli_parse_address (const char      *text,
                                 guint32         *address,
                                 GError         **error);
/* "FILE ADDRESS": two arguments whose second is an address become one file
 * and its base (in *@base_text, unless --base gave one). Returns the number
 * of files. */
guint    kiln_cli_take_address_argument (GStrv        files,
                                         const char **base_text);
/* What to say of a raw binary given without its base address. */
char    *kiln_cli_needs_base_message    (const char  *command,
                                         const char  *file);
/* A length as people write it: 4096, 0x1000, 64K, 1M (1 to 4 GiB). */
gboolean kiln_cli_parse_length  (const char      *text,
                                 gsize           *length);
gboolean kiln_cli_parse_psize   (const char      *text,
                                 KilnFlashPsize  *psize,
                                 GError         **error);

int      kiln_cli_inspect       (int              argc,
                                 char           **argv);
int      kiln_cli_list          (int              argc,
                                 char           **argv);
int      kiln_cli_info          (int              argc,
                                 char           **argv);
int      kiln_cli_flash         (int              argc,
                                 char           **argv);
int      kiln_cli_production    (int              argc,
                                 char           **argv);
int      kiln_cli_line          (int              argc,
                                 char           **argv);
int      kiln_cli_log           (int              argc,
                                 char           **argv);
int      kiln_cli_profile       (int              argc,
                                 char           **argv);
/* kiln-cli-verify.c, kiln-cli-erase.c, kiln-cli-read.c, kiln-cli-option-bytes.c */
int      kiln_cli_verify        (int              argc,
                                 char           **argv);
int      kiln_cli_erase         (int              argc,
                                 char           **argv);
int      kiln_cli_read          (int              argc,
                                 char           **argv);
int      kiln_cli_option_bytes  (int              argc,
                                 char           **argv);
/* kiln-cli-otp.c */
int      kiln_cli_otp           (int              argc,
                                 char           **argv);

G_END_DECLS
