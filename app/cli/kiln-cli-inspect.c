/* kiln-cli-inspect.c — `kiln-cli inspect FILE`: the image and the plan, no probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "kiln-cli-commands.h"
#include "kiln-cli-output.h"
#include "kiln-flash-plan.h"

gboolean
kiln_cli_parse_address (const char  *text,
                        guint32     *address,
                        GError     **error)
{
  guint64 value;
  char *end = NULL;

  value = g_ascii_strtoull (text, &end, 0);
  if (text[0] == '\0' || end == NULL || *end != '\0' || value > G_MAXUINT32)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not an address; write it like 0x08000000"), text);
      return FALSE;
    }
  *address = (guint32) value;
  return TRUE;
}

guint
kiln_cli_take_address_argument (GStrv        files,
                                 const char **base_text)
{
  guint n = files != NULL ? g_strv_length (files) : 0;
  guint32 base;

  /* "FILE ADDRESS", as st-flash takes a raw binary: the address after the
   * file is its base, as with --base. */
  if (n == 2 && *base_text == NULL && kiln_cli_parse_address (files[1], &base, NULL))
    {
      *base_text = files[1];
      return 1;
    }
  return n;
}

char *
kiln_cli_needs_base_message (const char *command,
                             const char *file)
{
  g_autofree char *name = g_path_get_basename (file);

  return g_strdup_printf (_("%s is a raw binary, which does not say where it belongs in memory: give its base address "
                            "after it or with --base (for example “kiln-cli %s %s 0x08000000”)"),
                          name, command, file);
}

gboolean
kiln_cli_parse_length (const char *text,
                       gsize      *length)
{
  char *end = NULL;
  guint64 v = g_ascii_strtoull (text, &end, 0);
  guint64 unit = 1;

  if (end == text || text[0] == '-')
    return FALSE;
  if (g_ascii_strcasecmp (end, "k") == 0 || g_ascii_strcasecmp (end, "kib") == 0)
    unit = 1024;
  else if (g_ascii_strcasecmp (end, "m") == 0 || g_ascii_strcasecmp (end, "mib") == 0)
    unit = 1024 * 1024;
  else if (*end != '\0')
    return FALSE;
  if (v == 0 || v > G_GUINT64_CONSTANT (0x100000000) / unit)
    return FALSE;
  *length = (gsize) (v * unit);
  return TRUE;
}

gboolean
kiln_cli_parse_psize (const char      *text,
                      KilnFlashPsize  *psize,
                      GError         **error)
{
  for (guint i = 0; i < 4; i++)
    {
      if (g_ascii_strcasecmp (text, kiln_flash_psize_to_string (i)) == 0)
        {
          *psize = i;
          return TRUE;
        }
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a parallelism; use x8, x16, x32 or x64"), text);
  return FALSE;
}

static const char *
action_label (KilnFlashAction action)
{
  switch (action)
    {
    case KILN_FLASH_ACTION_PROGRAM: return _("erase + write");
    case KILN_FLASH_ACTION_SKIP:    return _("unchanged");
    case KILN_FLASH_ACTION_UNTOUCHED:
    default:                        return _("untouched");
    }
}

static void
print_text (KilnFlashPlan *plan)
{
  KilnImage *image = kiln_flash_plan_get_image (plan);
  KilnChip *chip = kiln_flash_plan_get_chip (plan);
  g_autofree char *total = kiln_cli_format_size (kiln_image_get_total_size (image));
  g_autofree char *summary = kiln_flash_plan_dup_summary (plan);
  guint32 entry;

  printf ("%s — %s, %s", kiln_image_get_display_name (image),
          kiln_image_format_to_string (kiln_image_get_format (image)), total);
  if (kiln_image_get_entry_point (image, &entry))
    printf (_(", entry point 0x%08X"), entry);
  printf ("\n\n");

  printf (_("Ranges:\n"));
  for (guint i = 0; i < kiln_image_get_n_ranges (image); i++)
    {
      const KilnImageRange *r = kiln_image_get_range (image, i);
      g_autofree char *size = kiln_cli_format_size (r->size);

      printf ("  0x%08X–0x%08X  %10s  %s\n", r->address, r->address + r->size - 1, size, r->origin);
    }

  printf (_("\nSegments:\n"));
  for (guint i = 0; i < kiln_image_get_n_segments (image); i++)
    {
      const KilnImageSegment *s = kiln_image_get_segment (image, i);
      g_autofree char *size = kiln_cli_format_size (s->size);

      printf ("  %-20s 0x%08X  %10s\n", s->name, s->address, size);
    }

  printf ("\n");
  /* Translators: "STM32F767ZI: 2048 KiB of flash in two banks, programmed x32" */
  printf (kiln_chip_is_dual_bank (chip) ? _("%s: %u KiB of flash in two banks, programmed %s\n")
                                        : _("%s: %u KiB of flash in one bank, programmed %s\n"),
          kiln_chip_get_name (chip), kiln_chip_get_flash_kib (chip),
          kiln_flash_psize_to_string (kiln_flash_plan_get_psize (plan)));
  printf ("  %-6s %-4s %-10s %8s  %-14s %10s\n", _("Sector"), _("Bank"), _("Address"), _("Size"),
          _("Action"), _("Bytes"));
  for (guint i = 0; i < kiln_flash_plan_get_n_sectors (plan); i++)
    {
      const KilnFlashPlanSector *s = kiln_flash_plan_get_sector (plan, i);
      g_autofree char *size = kiln_cli_format_size (s->sector->size);

      printf ("  %6u %4u 0x%08X %8s  %-14s", s->sector->index, s->sector->bank, s->sector->address,
              size, action_label (s->action));
      if (s->bytes > 0)
        printf (" %10u", s->bytes);
      printf ("\n");
    }

  for (guint i = 0; i < kiln_flash_plan_get_n_ram_pieces (plan); i++)
    {
      const KilnFlashRamPiece *p = kiln_flash_plan_get_ram_piece (plan, i);

      printf (g_dngettext (GETTEXT_PACKAGE, "  Not programmed: %u byte at 0x%08X (%s) is in RAM (%s)\n",
                           "  Not programmed: %u bytes at 0x%08X (%s) are in RAM (%s)\n", p->size),
              p->size, p->address, p->origin, p->region);
    }

  printf ("\n%s\n", summary);
}

int
kiln_cli_inspect (int    argc,
                  char **argv)
{
  g_autofree char *chip_name = NULL;
  g_autofree char *base_option = NULL;
  g_autofree char *psize_text = NULL;
  g_auto(GStrv) files = NULL;
  const char *base_text;
  gboolean dual_bank = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "chip", 0, 0, G_OPTION_ARG_STRING, &chip_name, N_("The chip (default STM32F746NG)"), N_("PART") },
    { "dual-bank", 0, 0, G_OPTION_ARG_NONE, &dual_bank, N_("Use the dual-bank layout (nDBANK = 0)"), NULL },
    { "base", 0, 0, G_OPTION_ARG_STRING, &base_option, N_("Load address of a raw binary"), N_("ADDR") },
    { "psize", 0, 0, G_OPTION_ARG_STRING, &psize_text, N_("Parallelism: x8, x16, x32 (default) or x64"), N_("WIDTH") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the plan as one JSON object"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE [ADDRESS] — show a firmware file and what programming it would do (ADDRESS: where a raw binary goes, as --base)"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnChip) chip = NULL;
  g_autoptr(KilnFlashPlan) plan = NULL;
  KilnFlashPsize psize = KILN_FLASH_PSIZE_X32;
  guint32 base = 0;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "kiln-cli inspect: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }

  base_text = base_option;
  if (kiln_cli_take_address_argument (files, &base_text) != 1)
    {
      fprintf (stderr, _("kiln-cli inspect: give exactly one firmware file\n"));
      return KILN_CLI_EXIT_USAGE;
    }

  if ((base_text != NULL && !kiln_cli_parse_address (base_text, &base, &error))
      || (psize_text != NULL && !kiln_cli_parse_psize (psize_text, &psize, &error)))
    {
      fprintf (stderr, "kiln-cli inspect: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }

  chip = kiln_chip_new_for_part (chip_name ? chip_name : "STM32F746NG", dual_bank, &error);
  if (chip == NULL)
    {
      fprintf (stderr, "kiln-cli inspect: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }

  image = kiln_image_load_file (files[0], KILN_IMAGE_FORMAT_AUTO, base_text != NULL, base, &error);
  if (image == NULL)
    {
      g_autofree char *message = g_error_matches (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_NEEDS_BASE)
                                   ? kiln_cli_needs_base_message ("inspect", files[0])
                                   : g_strdup (error->message);

      fprintf (stderr, "kiln-cli inspect: %s\n", message);
      return KILN_CLI_EXIT_USAGE;
    }

  plan = kiln_flash_plan_new (image, chip, psize, &error);
  if (plan == NULL)
    {
      fprintf (stderr, "kiln-cli inspect: %s\n", error->message);
      return KILN_CLI_EXIT_USAGE;
    }

  if (json)
    {
      g_autofree char *text = kiln_flash_plan_to_json (plan);

      printf ("%s\n", text);
    }
  else
    print_text (plan);

  return KILN_CLI_EXIT_OK;
}
