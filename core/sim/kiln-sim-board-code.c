/* kiln-sim-board-code.c — the core's translated code: which pages of RAM
 * and flash it came from, and dropping what a write made stale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-sim-board-private.h"

/* Code in RAM. Unicorn translates a block of code when the core first
 * runs it and keeps the translation; the debugger writes RAM behind
 * Unicorn's back, so a write over translated code must drop it before the
 * core runs again. Only pages of RAM (SRAM, ITCM RAM; 1 KiB, Unicorn's page)
 * the core has run code from can hold translations: on_code marks each page
 * an instruction comes from, and a debugger write to an unmarked page (the
 * loaders' buffers, most of them) drops nothing. A translated block never
 * reaches into a page the core has not run an instruction from: Unicorn
 * ends a block before an instruction that starts in or crosses into the
 * next page, and only its first instruction may cross. */
static guint8 *
ram_code_page (KilnSimBoard *self,
               guint32       address)
{
  if (address >= SRAM_BASE && address - SRAM_BASE < self->chip->sram_size)
    return &self->ram_code_pages[(address - SRAM_BASE) / CODE_PAGE];
  if (address < self->chip->itcm_ram_size)
    return &self->ram_code_pages[self->chip->sram_size / CODE_PAGE + address / CODE_PAGE];
  return NULL;
}

/* From on_code: the instruction at @address of @size bytes runs. */
void
_kiln_sim_board_note_code_page (KilnSimBoard *self,
                                guint32       address,
                                guint32       size)
{
  guint32 last = address + MAX (size, 1u) - 1;
  guint8 *page;

  if ((page = ram_code_page (self, address)) != NULL)
    *page = 1;
  if ((page = ram_code_page (self, last)) != NULL)
    *page = 1;
  self->code_page_seen = address & ~(CODE_PAGE - 1);
}

/* Drops the translations of the whole pages from @lo to @hi (RAM of one
 * region), outside emulation: they hold no translated code afterwards. */
static void
drop_ram_code (KilnSimBoard *self,
               guint32       lo,
               guint32       hi)
{
  lo &= ~(CODE_PAGE - 1);
  hi = (hi + CODE_PAGE - 1) & ~(CODE_PAGE - 1);
  uc_ctl_remove_cache (self->uc, lo, hi);
  for (guint32 a = lo; a < hi; a += CODE_PAGE)
    {
      guint8 *page = ram_code_page (self, a);

      if (page != NULL)
        *page = 0;
    }
  self->code_page_seen = CODE_PAGE_NONE;
}

/* A debugger write to RAM: translated code it changed is dropped before
 * the core runs again (dropping it from a hook would free the block being
 * executed). */
void
_kiln_sim_board_mark_ram_dirty (KilnSimBoard *self,
                                guint32       address,
                                guint         size)
{
  guint8 *first, *last;

  /* No engine yet: nothing translated to drop. */
  if (self->uc == NULL || size == 0)
    return;
  first = ram_code_page (self, address);
  last = ram_code_page (self, address + size - 1);
  if (!(first != NULL && *first) && !(last != NULL && *last))
    return;
  /* Writes to ITCM RAM and to SRAM would make one range of 512 MiB: the
   * range so far is dropped at once (the debugger writes between runs). */
  if (self->ram_dirty_hi > self->ram_dirty_lo && (address < SRAM_BASE) != (self->ram_dirty_lo < SRAM_BASE))
    {
      drop_ram_code (self, self->ram_dirty_lo, self->ram_dirty_hi);
      self->ram_dirty_lo = self->ram_dirty_hi = 0;
    }
  if (self->ram_dirty_hi <= self->ram_dirty_lo)
    {
      self->ram_dirty_lo = address;
      self->ram_dirty_hi = address + size;
      return;
    }
  self->ram_dirty_lo = MIN (self->ram_dirty_lo, address);
  self->ram_dirty_hi = MAX (self->ram_dirty_hi, address + size);
}

void
_kiln_sim_board_flush_flash_code (KilnSimBoard *self)
{
  if (self->uc == NULL)
    {
      self->flash_code_dirty = FALSE;
      return;
    }
  /* Code the debugger wrote into RAM replaces what Unicorn translated. */
  if (self->ram_dirty_hi > self->ram_dirty_lo)
    {
      drop_ram_code (self, self->ram_dirty_lo, self->ram_dirty_hi);
      self->ram_dirty_lo = self->ram_dirty_hi = 0;
    }

  if (!self->flash_code_dirty)
    return;
  self->flash_code_dirty = FALSE;
  if (self->n_code_pages == 0)
    return;
  self->n_code_pages = 0;
  /* Dropping translations is slow per page, whether a page has any or not:
   * only the pages code ran from (most jobs run none from flash). */
  for (guint32 page = 0; page < self->flash_size / CODE_PAGE; page++)
    {
      guint32 offset = page * CODE_PAGE;

      if (!self->code_pages[page])
        continue;
      self->code_pages[page] = 0;
      uc_ctl_remove_cache (self->uc, AXIM_FLASH + offset, AXIM_FLASH + offset + CODE_PAGE);
      /* The alias: ITCM on the F7, address 0 on the F2/F4. */
      if (IS_F7 (self))
        uc_ctl_remove_cache (self->uc, ITCM_FLASH + offset, ITCM_FLASH + offset + CODE_PAGE);
      else
        uc_ctl_remove_cache (self->uc, offset, offset + CODE_PAGE);
    }
}

/* Code runs from flash: its pages will need flushing when the flash
 * changes. */
void
_kiln_sim_board_on_flash_block (uc_engine *uc,
                                guint64    address,
                                guint32    size,
                                gpointer   user_data)
{
  KilnSimBoard *self = user_data;
  guint32 base = address >= AXIM_FLASH ? AXIM_FLASH : FLASH_ALIAS (self);
  guint32 first = ((guint32) address - base) / CODE_PAGE;
  guint32 last = ((guint32) address + MAX (size, 1u) - 1 - base) / CODE_PAGE;

  for (guint32 page = first; page <= last && page < self->flash_size / CODE_PAGE; page++)
    if (!self->code_pages[page])
      {
        self->code_pages[page] = 1;
        self->n_code_pages++;
      }
}
