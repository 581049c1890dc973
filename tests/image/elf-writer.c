/* elf-writer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gelf.h>
#include <glib/gstdio.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "elf-writer.h"

GBytes *
test_elf_write (const TestSegment *segments,
                guint              n_segments,
                guint16            machine,
                guint32            entry)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GString) strtab = g_string_new_len ("\0", 1);
  g_autofree guint *name_offsets = g_new0 (guint, n_segments);
  Elf_Scn **scns = g_newa (Elf_Scn *, n_segments + 1);
  Elf32_Ehdr *ehdr;
  Elf32_Phdr *phdr;
  Elf_Scn *strscn;
  Elf_Data *d;
  Elf *elf;
  gsize length;
  int fd;

  g_assert_cmpint (elf_version (EV_CURRENT), !=, EV_NONE);
  fd = g_file_open_tmp ("kiln-test-XXXXXX.elf", &path, &error);
  g_assert_no_error (error);

  elf = elf_begin (fd, ELF_C_WRITE, NULL);
  g_assert_nonnull (elf);
  ehdr = elf32_newehdr (elf);
  ehdr->e_ident[EI_DATA] = ELFDATA2LSB;
  ehdr->e_type = ET_EXEC;
  ehdr->e_machine = machine;
  ehdr->e_version = EV_CURRENT;
  ehdr->e_entry = entry;
  phdr = elf32_newphdr (elf, n_segments);
  g_assert_nonnull (phdr);

  for (guint i = 0; i < n_segments; i++)
    {
      Elf32_Shdr *shdr;

      name_offsets[i] = strtab->len;
      g_string_append_len (strtab, segments[i].name, strlen (segments[i].name) + 1);

      scns[i] = elf_newscn (elf);
      d = elf_newdata (scns[i]);
      d->d_buf = (void *) segments[i].data;
      d->d_size = segments[i].filesz;
      d->d_align = 4;
      d->d_type = ELF_T_BYTE;
      shdr = elf32_getshdr (scns[i]);
      shdr->sh_name = name_offsets[i];
      shdr->sh_type = SHT_PROGBITS;
      shdr->sh_flags = SHF_ALLOC;
      shdr->sh_addr = segments[i].vaddr;
    }

  strscn = elf_newscn (elf);
  d = elf_newdata (strscn);
  d->d_buf = strtab->str;
  d->d_size = strtab->len;
  d->d_align = 1;
  d->d_type = ELF_T_BYTE;
  elf32_getshdr (strscn)->sh_type = SHT_STRTAB;
  ehdr->e_shstrndx = elf_ndxscn (strscn);

  g_assert_cmpint (elf_update (elf, ELF_C_NULL), >=, 0);

  for (guint i = 0; i < n_segments; i++)
    {
      Elf32_Shdr *shdr = elf32_getshdr (scns[i]);

      phdr[i].p_type = PT_LOAD;
      phdr[i].p_offset = shdr->sh_offset;
      phdr[i].p_vaddr = segments[i].vaddr;
      phdr[i].p_paddr = segments[i].paddr;
      phdr[i].p_filesz = segments[i].filesz;
      phdr[i].p_memsz = MAX (segments[i].memsz, segments[i].filesz);
      phdr[i].p_flags = PF_R | PF_X;
      phdr[i].p_align = 4;
    }
  elf_flagphdr (elf, ELF_C_SET, ELF_F_DIRTY);
  g_assert_cmpint (elf_update (elf, ELF_C_WRITE), >=, 0);
  elf_end (elf);
  close (fd);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

GBytes *
test_elf_patch_filesz (GBytes  *elf,
                       guint    index,
                       guint32  filesz)
{
  gsize size;
  guint8 *data = g_bytes_unref_to_data (g_bytes_ref (elf), &size);
  guint32 phoff, pos;

  memcpy (&phoff, data + 28, 4);
  pos = phoff + index * 32 + 16;
  g_assert_cmpuint (pos + 4, <=, size);
  memcpy (data + pos, &filesz, 4);
  return g_bytes_new_take (data, size);
}
