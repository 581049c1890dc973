/* kiln-cli-otp.c — `kiln-cli otp [show]`, `kiln-cli otp write ADDR
 * FILE|--hex BYTES --confirm [--lock --irreversible]` and `kiln-cli otp lock
 * BLOCK… --confirm --irreversible`
 *
 * The one-time-programmable area can never be erased: without --confirm,
 * write checks the chip and says what it would write, and exits with the
 * usage code having written nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-job.h"
#include "kiln-target-job.h"

/* "3", "0,1,4-7" */
static gboolean
parse_blocks (const char *text,
              guint32    *blocks)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  *blocks = 0;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_auto(GStrv) range = g_strsplit (parts[i], "-", 2);
      guint64 a, b;

      if (!g_ascii_string_to_unsigned (g_strstrip (range[0]), 10, 0, KILN_FLASH_OTP_BLOCKS - 1, &a, NULL))
        return FALSE;
      b = a;
      if (range[1] != NULL
          && (!g_ascii_string_to_unsigned (g_strstrip (range[1]), 10, 0, KILN_FLASH_OTP_BLOCKS - 1, &b, NULL) || b < a))
        return FALSE;
      for (guint64 n = a; n <= b; n++)
        *blocks |= 1u << n;
    }
  return *blocks != 0;
}

static char *
hex_of (const guint8 *data,
        gsize         length)
{
  GString *out = g_string_sized_new (length * 2);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (out, "%02X", data[i]);
  return g_string_free (out, FALSE);
}

static gboolean
all_erased (const guint8 *data,
            gsize         length)
{
  for (gsize i = 0; i < length; i++)
    if (data[i] != 0xFF)
      return FALSE;
  return TRUE;
}

static void
print_otp_json (KilnTargetJob *job)
{
  const KilnFlashOtp *otp = &job->otp;
  const KilnFlashOtpLayout *l = &otp->layout;
  JsonBuilder *b = kiln_cli_json_result_new (TRUE);

  kiln_cli_json_string (b, "chip", job->probe.chip_name);
  json_builder_set_member_name (b, "otp");
  json_builder_begin_object (b);
  kiln_cli_json_int (b, "base", l->base);
  kiln_cli_json_int (b, "size", l->size);
  kiln_cli_json_int (b, "block_size", l->block_size);
  kiln_cli_json_int (b, "lock_base", l->lock_base);
  json_builder_set_member_name (b, "blocks");
  json_builder_begin_array (b);
  for (guint i = 0; i < KILN_FLASH_OTP_BLOCKS; i++)
    {
      g_autofree char *hex = hex_of (otp->data + i * l->block_size, l->block_size);

      json_builder_begin_object (b);
      kiln_cli_json_int (b, "block", i);
      kiln_cli_json_int (b, "address", l->base + i * l->block_size);
      kiln_cli_json_bool (b, "locked", kiln_flash_otp_is_locked (otp, i));
      kiln_cli_json_int (b, "lock_byte", otp->locks[i]);
      kiln_cli_json_bool (b, "erased", all_erased (otp->data + i * l->block_size, l->block_size));
      kiln_cli_json_string (b, "data", hex);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  kiln_cli_json_int (b, "written", job->otp_result.written);
  kiln_cli_json_int (b, "unchanged", job->otp_result.unchanged);
  kiln_cli_json_int (b, "units", job->otp_result.units);
  json_builder_set_member_name (b, "locked");
  json_builder_begin_array (b);
  for (guint i = 0; i < KILN_FLASH_OTP_BLOCKS; i++)
    if (job->otp_result.locked & (1u << i))
      json_builder_add_int_value (b, i);
  json_builder_end_array (b);
  kiln_cli_json_result_print (b);
}

static void
print_otp_text (KilnTargetJob *job)
{
  const KilnFlashOtp *otp = &job->otp;
  const KilnFlashOtpLayout *l = &otp->layout;

  printf (_("%s one-time-programmable area: 16 blocks of %u bytes at 0x%08X, lock bytes at 0x%08X\n"),
          job->probe.chip_name, l->block_size, l->base, l->lock_base);
  for (guint b = 0; b < KILN_FLASH_OTP_BLOCKS; b++)
    {
      const guint8 *data = otp->data + b * l->block_size;
      const char *lock = kiln_flash_otp_is_locked (otp, b) ? _("locked") : _("open");

      if (all_erased (data, l->block_size))
        {
          printf (_("  block %2u  0x%08X  %-6s  erased\n"), b, l->base + b * l->block_size, lock);
          continue;
        }
      printf (_("  block %2u  0x%08X  %-6s\n"), b, l->base + b * l->block_size, lock);
      for (guint row = 0; row < l->block_size; row += 16)
        {
          printf ("    %08X ", l->base + b * l->block_size + row);
          for (guint i = 0; i < 16 && row + i < l->block_size; i++)
            printf (" %02X", data[row + i]);
          printf ("\n");
        }
    }
}

static char *
block_list (guint32 blocks)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint b = 0; b < KILN_FLASH_OTP_BLOCKS; b++)
    if (blocks & (1u << b))
      g_string_append_printf (out, "%s%u", out->len ? "," : "", b);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

int
kiln_cli_otp (int    argc,
              char **argv)
{
  g_auto(GStrv) args = NULL;
  g_autofree char *hex = NULL;
  gboolean confirm = FALSE, irreversible = FALSE, lock = FALSE;
  GOptionEntry entries[] = {
    { "hex", 0, 0, G_OPTION_ARG_STRING, &hex, N_("The bytes to write, in hexadecimal, instead of a file"), N_("BYTES") },
    { "confirm", 0, 0, G_OPTION_ARG_NONE, &confirm, N_("Write (without it, write only shows what it would do)"), NULL },
    { "lock", 0, 0, G_OPTION_ARG_NONE, &lock, N_("Lock the blocks written, for good (needs --irreversible)"), NULL },
    { "irreversible", 0, 0, G_OPTION_ARG_NONE, &irreversible, N_("Needed to lock blocks, which can never be undone"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("[show | write ADDR FILE|--hex BYTES | lock BLOCK…] — the one-time-programmable area"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnTargetJob) job = NULL;
  g_autoptr(KilnCliOutput) output = NULL;
  g_autoptr(GBytes) bytes = NULL;
  KilnCliCommon common;
  KilnTargetJobKind kind = KILN_TARGET_JOB_OTP_READ;
  guint32 address = 0, blocks = 0;
  guint n;
  int code = KILN_CLI_EXIT_OK;

  kiln_cli_common_init (&common);
  kiln_cli_common_add_entries (&common, context, KILN_CLI_OPTIONS_JOB);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("OTP bytes can be written once and never erased; a locked block can never be "
                                  "written again. write refuses bytes that are already written with another value."));
  code = kiln_cli_common_parse (&common, context, "otp", &argc, &argv);
  if (code != KILN_CLI_EXIT_OK)
    goto out;
  n = args ? g_strv_length (args) : 0;
  if (n >= 1 && g_str_equal (args[0], "write"))
    {
      kind = KILN_TARGET_JOB_OTP_WRITE;
      if (!((n == 3 && hex == NULL) || (n == 2 && hex != NULL)))
        {
          code = kiln_cli_usage_error ("otp", &common, _("write needs an address and a file, or an address and --hex BYTES: "
                                                "kiln-cli otp write 0x1FF0F000 --hex 0011AABB --confirm"));
          goto out;
        }
      if (!kiln_cli_parse_address (args[1], &address, &error))
        {
          code = kiln_cli_usage_error ("otp", &common, error->message);
          goto out;
        }
      if (hex != NULL)
        bytes = kiln_flash_otp_parse_bytes (hex, &error);
      else
        {
          g_autofree char *contents = NULL;
          gsize length = 0;

          if (g_file_get_contents (args[2], &contents, &length, &error))
            bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
        }
      if (bytes == NULL)
        {
          code = kiln_cli_usage_error ("otp", &common, error->message);
          goto out;
        }
      if (g_bytes_get_size (bytes) == 0 || g_bytes_get_size (bytes) > KILN_FLASH_OTP_MAX_SIZE)
        {
          code = kiln_cli_usage_error ("otp", &common, _("the file must hold between 1 and 1024 bytes"));
          goto out;
        }
      if (lock && !irreversible)
        {
          code = kiln_cli_usage_error ("otp", &common, _("--lock can never be undone: it needs --irreversible as well"));
          goto out;
        }
    }
  else if (n >= 1 && g_str_equal (args[0], "lock"))
    {
      g_autofree char *joined = NULL;

      kind = KILN_TARGET_JOB_OTP_LOCK;
      joined = n >= 2 ? g_strjoinv (",", args + 1) : NULL;
      if (joined == NULL || !parse_blocks (joined, &blocks))
        {
          code = kiln_cli_usage_error ("otp", &common, _("lock needs block numbers from 0 to 15, like 3 or 0,1,4-7"));
          goto out;
        }
      if (!confirm || !irreversible)
        {
          code = kiln_cli_usage_error ("otp", &common, _("locking OTP blocks can never be undone: it needs --confirm and "
                                                "--irreversible. Nothing was changed."));
          goto out;
        }
    }
  else if (n >= 1 && (!g_str_equal (args[0], "show") || n > 1))
    {
      code = kiln_cli_usage_error ("otp", &common, _("use “otp”, “otp show”, “otp write ADDR FILE|--hex BYTES --confirm” or "
                                            "“otp lock BLOCK --confirm --irreversible”"));
      goto out;
    }
  if (kind != KILN_TARGET_JOB_OTP_WRITE && (hex != NULL || lock))
    {
      code = kiln_cli_usage_error ("otp", &common, _("--hex and --lock go with write"));
      goto out;
    }
  job = kiln_cli_target_job_new (&common, "otp", kind, &code);
  if (job == NULL)
    goto out;
  job->address = address;
  job->otp_bytes = bytes ? g_bytes_ref (bytes) : NULL;
  job->otp_lock = lock;
  job->otp_blocks = blocks;
  job->confirm = confirm;
  job->irreversible = irreversible;
  job->dry_run = kind == KILN_TARGET_JOB_OTP_WRITE && !confirm;
  output = kiln_cli_common_new_output (&common);
  code = kiln_cli_run_command_job ("otp", &common, job->probe.info, output, kiln_target_job_run, job);
  if (code != KILN_CLI_EXIT_OK)
    goto out;

  if (job->dry_run)
    {
      gsize length = g_bytes_get_size (bytes);
      g_autofree char *data = hex_of (g_bytes_get_data (bytes, NULL), length);

      /* Checked, shown, not done. */
      code = KILN_CLI_EXIT_USAGE;
      if (common.json)
        {
          JsonBuilder *b = kiln_cli_json_result_new (FALSE);

          kiln_cli_json_bool (b, "dry_run", TRUE);
          kiln_cli_json_int (b, "exit_code", KILN_CLI_EXIT_USAGE);
          kiln_cli_json_int (b, "address", address);
          kiln_cli_json_int (b, "bytes", (gint64) length);
          kiln_cli_json_string (b, "data", data);
          kiln_cli_json_result_print (b);
        }
      else
        printf (_("%s: this would write %zu bytes to the OTP at 0x%08X, for good: %s\n"),
                job->probe.chip_name, length, address, data);
      fprintf (stderr, _("kiln-cli otp: nothing was written; add --confirm to write.\n"));
      goto out;
    }

  if (common.json)
    print_otp_json (job);
  else if (!common.quiet)
    {
      g_autofree char *locked = block_list (job->otp_result.locked);

      if (kind == KILN_TARGET_JOB_OTP_WRITE)
        printf (_("%s: wrote %u bytes to the OTP at 0x%08X (%u already held their value), read back and checked.\n"),
                job->probe.chip_name, job->otp_result.written, address, job->otp_result.unchanged);
      if (*locked != '\0')
        printf (_("%s: OTP blocks locked for good: %s.\n"), job->probe.chip_name, locked);
      else if (kind == KILN_TARGET_JOB_OTP_LOCK)
        printf (_("%s: these OTP blocks were already locked.\n"), job->probe.chip_name);
      if (kind == KILN_TARGET_JOB_OTP_READ || common.verbose)
        print_otp_text (job);
    }

out:
  kiln_cli_common_clear (&common);
  return code;
}
