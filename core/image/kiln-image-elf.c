/* kiln-image-elf.c — ELF files through libelf: PT_LOAD segments at their
 * load address (p_paddr), file-backed bytes only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <gelf.h>
#include <glib/gi18n-lib.h>
#include <libelf.h>
#include <string.h>

#include "kiln-image-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Elf, elf_end)

static const char *
machine_name (GElf_Half machine)
{
  switch (machine)
    {
    case EM_386:     return "x86";
    case EM_X86_64:  return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_RISCV:   return "RISC-V";
    case EM_AVR:     return "AVR";
    case EM_XTENSA:  return "Xtensa";
    default:         return NULL;
    }
}

gboolean
kiln_image_parse_elf (KilnImageBuilder  *builder,
                      GBytes            *bytes,
                      const char        *name,
                      GError           **error)
{
  g_autoptr(Elf) elf = NULL;
  g_autofree char *copy = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  GElf_Ehdr ehdr;
  size_t phnum = 0, shnum = 0, shstrndx = 0;
  guint loaded = 0;
  GArray *loads;

  if (elf_version (EV_CURRENT) == EV_NONE)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_FORMAT,
                   _("%s: the ELF library could not be initialised"), name);
      return FALSE;
    }

  /* libelf wants a writable buffer. */
  copy = g_memdup2 (data, size);
  elf = elf_memory (copy, size);
  if (elf == NULL || elf_kind (elf) != ELF_K_ELF)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_FORMAT,
                   _("%s is not a valid ELF file"), name);
      return FALSE;
    }

  if (gelf_getehdr (elf, &ehdr) == NULL)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_TRUNCATED,
                   _("%s: the ELF header is incomplete (the file has %zu bytes)"), name, size);
      return FALSE;
    }

  if (gelf_getclass (elf) != ELFCLASS32 || ehdr.e_machine != EM_ARM)
    {
      const char *m = machine_name (ehdr.e_machine);

      if (m != NULL)
        g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_FORMAT,
                     _("%s is a program for %s, not for an ARM microcontroller: pick the firmware built for the STM32"),
                     name, m);
      else
        g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_FORMAT,
                     _("%s is an ELF file for machine %u, not for an ARM microcontroller (32-bit ARM)"),
                     name, ehdr.e_machine);
      return FALSE;
    }

  if (elf_getphdrnum (elf, &phnum) != 0)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_TRUNCATED,
                   _("%s: the program header table at offset %" PRIu64 " cannot be read (%s)"),
                   name, (guint64) ehdr.e_phoff, elf_errmsg (-1));
      return FALSE;
    }

  if (phnum > 0 && (ehdr.e_phoff > size || (guint64) phnum * ehdr.e_phentsize > size - ehdr.e_phoff))
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_TRUNCATED,
                   _("%s: the program header table (offset %" PRIu64 ", %zu entries) runs past the end of the file (%zu bytes)"),
                   name, (guint64) ehdr.e_phoff, phnum, size);
      return FALSE;
    }

  loads = g_array_new (FALSE, FALSE, sizeof (GElf_Phdr));

  for (size_t i = 0; i < phnum; i++)
    {
      GElf_Phdr phdr;
      g_autofree char *origin = NULL;

      if (gelf_getphdr (elf, (int) i, &phdr) == NULL)
        {
          g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_TRUNCATED,
                       _("%s: program header %zu cannot be read (%s)"), name, i, elf_errmsg (-1));
          g_array_unref (loads);
          return FALSE;
        }

      if (phdr.p_type != PT_LOAD || phdr.p_filesz == 0)
        continue;

      if (phdr.p_offset > size || phdr.p_filesz > size - phdr.p_offset)
        {
          g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_RANGE,
                       _("%s: segment %zu claims %" PRIu64 " bytes at file offset %" PRIu64 ", beyond the end of the file (%zu bytes): the file is cut short or damaged"),
                       name, i, (guint64) phdr.p_filesz, (guint64) phdr.p_offset, size);
          g_array_unref (loads);
          return FALSE;
        }

      origin = g_strdup_printf (_("segment %zu"), i);
      if (!kiln_image_builder_add (builder, phdr.p_paddr, data + phdr.p_offset, phdr.p_filesz,
                                   origin, error))
        {
          g_array_unref (loads);
          return FALSE;
        }
      g_array_append_val (loads, phdr);
      loaded++;
    }

  if (loaded == 0)
    {
      g_set_error (error, KILN_IMAGE_ERROR, KILN_IMAGE_ERROR_EMPTY,
                   _("%s has no loadable segments with data: is it an object file rather than a linked program?"),
                   name);
      g_array_unref (loads);
      return FALSE;
    }

  kiln_image_builder_set_entry (builder, (guint32) ehdr.e_entry);

  /* Named sections for display, at their load addresses. Damaged section
   * tables only cost the names, never the image. */
  if (elf_getshdrnum (elf, &shnum) == 0 && elf_getshdrstrndx (elf, &shstrndx) == 0)
    {
      for (size_t i = 1; i < shnum; i++)
        {
          Elf_Scn *scn = elf_getscn (elf, i);
          GElf_Shdr shdr;
          const char *sname;

          if (scn == NULL || gelf_getshdr (scn, &shdr) == NULL)
            continue;
          if (!(shdr.sh_flags & SHF_ALLOC) || shdr.sh_type == SHT_NOBITS || shdr.sh_size == 0)
            continue;

          sname = elf_strptr (elf, shstrndx, shdr.sh_name);

          for (guint j = 0; j < loads->len; j++)
            {
              const GElf_Phdr *p = &g_array_index (loads, GElf_Phdr, j);

              if (shdr.sh_offset >= p->p_offset && shdr.sh_offset < p->p_offset + p->p_filesz)
                {
                  guint64 lma = p->p_paddr + (shdr.sh_offset - p->p_offset);
                  guint64 len = MIN (shdr.sh_size, p->p_offset + p->p_filesz - shdr.sh_offset);

                  if (lma + len <= (guint64) G_MAXUINT32 + 1)
                    kiln_image_builder_add_segment (builder, sname ? sname : "?", (guint32) lma,
                                                    (guint32) len);
                  break;
                }
            }
        }
    }

  g_array_unref (loads);
  return TRUE;
}
