/* elf-writer.h — writes small ELF files with libelf for the image tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

typedef struct
{
  const char   *name;     /* section name */
  guint32       paddr;    /* load address */
  guint32       vaddr;
  const guint8 *data;
  guint32       filesz;
  guint32       memsz;    /* > filesz for a .bss tail */
} TestSegment;

/* An ELF32 little-endian executable for @machine (EM_ARM = 40) with one
 * PT_LOAD segment and one section per TestSegment. */
GBytes *test_elf_write (const TestSegment *segments,
                        guint              n_segments,
                        guint16            machine,
                        guint32            entry);

/* Patches program header @index's p_filesz in a written file. */
GBytes *test_elf_patch_filesz (GBytes  *elf,
                               guint    index,
                               guint32  filesz);
