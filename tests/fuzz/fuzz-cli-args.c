/* fuzz-cli-args.c — libFuzzer target for the arguments kiln-cli reads from
 * the command line: addresses, lengths, sector lists and option-byte
 * assignments (KEY=VALUE), and the OTP bytes in hexadecimal that `otp
 * write` and the OTP window read. The first byte chooses the parser and the chip;
 * the rest is the argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kiln-chip.h"
#include "kiln-chip-db.h"
#include "kiln-cli-commands.h"
#include "kiln-flash-ops.h"
#include "kiln-flash-option-bytes.h"
#include "kiln-flash-otp.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static KilnChip *
chip_for (guint8 choice)
{
  guint n = kiln_chip_db_get_n_parts ();
  const KilnChipPart *part = kiln_chip_db_get_part (choice % n);
  g_autoptr(GError) error = NULL;
  KilnChip *chip;

  /* Single and dual bank where the part has both layouts. */
  chip = kiln_chip_new_for_part (part->name, (choice & 0x80) != 0, &error);
  if (chip == NULL)
    chip = kiln_chip_new_for_part (part->name, FALSE, NULL);
  g_assert (chip != NULL);
  return chip;
}

static void
fuzz_sector_list (KilnChip   *chip,
                  const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) positions = kiln_flash_parse_sector_list (chip, text, &error);

  g_assert ((positions == NULL) != (error == NULL));
  if (positions == NULL)
    return;
  for (guint i = 0; i < positions->len; i++)
    g_assert (g_array_index (positions, guint, i) < kiln_chip_get_n_sectors (chip));
}

static void
fuzz_option_bytes (KilnChip   *chip,
                   const char *text)
{
  g_autoptr(GError) error = NULL;
  KilnOptionBytes ob = { 0 }, again = { 0 };
  const KilnChipLine *line = kiln_chip_get_line (chip);
  gboolean ok;

  /* Start from the factory state of the line. */
  kiln_option_bytes_decode (&ob, line, 0x0FFFAAFD, 0x0FFF0FFF);
  ok = kiln_option_bytes_set (&ob, chip, text, &error);
  g_assert (ok == (error == NULL));
  if (!ok)
    return;
  /* What was set survives encoding and decoding again. */
  kiln_option_bytes_encode (&ob);
  kiln_option_bytes_decode (&again, line, ob.optcr, ob.optcr1);
  g_assert (again.rdp == ob.rdp);
  g_assert (again.nwrp == ob.nwrp);
  g_assert (again.bor == ob.bor);
  g_free (kiln_option_bytes_describe (&ob, chip));
  g_free (kiln_option_bytes_to_json (&ob, chip));
}

static void
fuzz_otp_bytes (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = kiln_flash_otp_parse_bytes (text, &error);
  g_autoptr(GString) again = g_string_new (NULL);
  g_autoptr(GBytes) reread = NULL;
  const guint8 *data;
  gsize size;
  guint digits = 0;

  g_assert ((bytes == NULL) != (error == NULL));
  if (bytes == NULL)
    return;
  /* Two digits a byte, nothing else counted; written out plainly, the
   * bytes read back the same. */
  for (const char *p = text; *p != '\0'; p++)
    digits += g_ascii_isxdigit (*p) ? 1 : 0;
  data = g_bytes_get_data (bytes, &size);
  g_assert (size > 0 && digits == 2 * size);
  for (gsize i = 0; i < size; i++)
    g_string_append_printf (again, i % 2 ? "%02X" : "%02x ", data[i]);
  reread = kiln_flash_otp_parse_bytes (again->str, NULL);
  g_assert (reread != NULL && g_bytes_equal (bytes, reread));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  guint8 choice;

  if (size < 2)
    return 0;
  choice = data[1];
  text = g_strndup ((const char *) data + 2, size - 2);
  switch (data[0] % 5)
    {
    case 0:
      {
        g_autoptr(GError) error = NULL;
        guint32 address = 0;
        gboolean ok = kiln_cli_parse_address (text, &address, &error);

        g_assert (ok == (error == NULL));
        break;
      }
    case 1:
      {
        gsize length = 0;

        if (kiln_cli_parse_length (text, &length))
          g_assert (length > 0 && length <= G_GUINT64_CONSTANT (0x100000000));
        break;
      }
    case 2:
      {
        g_autoptr(KilnChip) chip = chip_for (choice);

        fuzz_sector_list (chip, text);
        break;
      }
    case 3:
      {
        g_autoptr(KilnChip) chip = chip_for (choice);

        fuzz_option_bytes (chip, text);
        break;
      }
    default:
      fuzz_otp_bytes (text);
      break;
    }
  return 0;
}
