/* kiln-sim-board-state.c — the board's persistent state and flash preloading
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "kiln-sim-board-private.h"
#include "kiln-sim-file.h"

/* ------------------------------------------------------------------ */
/* State                                                                */

gboolean
_kiln_sim_board_load_state (KilnSimBoard  *self,
                            GError       **error)
{
  g_autofree char *flash_path = g_build_filename (self->state_dir, "flash.bin", NULL);
  g_autofree char *opt_path = g_build_filename (self->state_dir, "options.ini", NULL);
  g_autofree char *otp_path = g_build_filename (self->state_dir, "otp.bin", NULL);
  g_autofree char *uid_path = g_build_filename (self->state_dir, "uid", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  if (g_file_get_contents (flash_path, &contents, &length, NULL))
    {
      if (length != self->flash_size)
        {
          g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_STATE,
                       "%s holds %" G_GSIZE_FORMAT " bytes, but the %s has %u bytes of flash",
                       flash_path, length, self->chip->name, self->flash_size);
          return FALSE;
        }
      memcpy (_kiln_sim_board_flash_mem (self), contents, length);
      g_clear_pointer (&contents, g_free);
    }

  if (g_file_get_contents (otp_path, &contents, &length, NULL))
    {
      memcpy (self->otp, contents, MIN (length, self->chip->otp_size));
      g_clear_pointer (&contents, g_free);
    }

  if (g_file_get_contents (uid_path, &contents, &length, NULL))
    {
      g_auto(GStrv) words = g_strsplit (g_strstrip (contents), " ", 3);

      for (guint i = 0; i < 3 && words[i] != NULL; i++)
        self->uid[i] = (guint32) g_ascii_strtoull (words[i], NULL, 16);
      g_clear_pointer (&contents, g_free);
    }

  {
    g_autoptr(GKeyFile) kf = g_key_file_new ();

    if (g_key_file_load_from_file (kf, opt_path, G_KEY_FILE_NONE, NULL))
      {
        g_autofree char *a = g_key_file_get_string (kf, "options", "optcr", NULL);
        g_autofree char *b = g_key_file_get_string (kf, "options", "optcr1", NULL);
        g_autofree char *c = g_key_file_get_string (kf, "options", "optcr2", NULL);

        if (a != NULL)
          self->nv_optcr = (guint32) g_ascii_strtoull (a, NULL, 0);
        if (b != NULL)
          self->nv_optcr1 = (guint32) g_ascii_strtoull (b, NULL, 0);
        if (c != NULL)
          self->nv_optcr2 = (guint32) g_ascii_strtoull (c, NULL, 0);
      }
  }
  return TRUE;
}

gboolean
kiln_sim_board_save (KilnSimBoard  *self,
                     GError       **error)
{
  g_autofree char *flash_path = NULL;
  g_autofree char *opt_path = NULL;
  g_autofree char *otp_path = NULL;
  g_autofree char *uid_path = NULL;
  g_autofree char *options = NULL;
  g_autofree char *uid = NULL;

  g_return_val_if_fail (KILN_IS_SIM_BOARD (self), FALSE);

  /* How the host left the controller: the report says so. */
  if (!(self->cr & CR_LOCK))
    self->report->flash_unlocked_at_exit = TRUE;
  if (!(self->optcr & OPT_LOCK))
    self->report->options_unlocked_at_exit = TRUE;

  if (self->state_dir == NULL)
    return TRUE;

  if (g_mkdir_with_parents (self->state_dir, 0755) != 0)
    {
      g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_STATE, "Cannot create %s: %s", self->state_dir,
                   g_strerror (errno));
      return FALSE;
    }

  flash_path = g_build_filename (self->state_dir, "flash.bin", NULL);
  opt_path = g_build_filename (self->state_dir, "options.ini", NULL);
  otp_path = g_build_filename (self->state_dir, "otp.bin", NULL);
  uid_path = g_build_filename (self->state_dir, "uid", NULL);
  options = g_strdup_printf ("[options]\noptcr=0x%08X\noptcr1=0x%08X\noptcr2=0x%08X\n",
                             self->nv_optcr, self->nv_optcr1, self->nv_optcr2);
  uid = g_strdup_printf ("%08X %08X %08X\n", self->uid[0], self->uid[1], self->uid[2]);

  return kiln_sim_file_write (flash_path, (const char *) _kiln_sim_board_flash_mem (self), self->flash_size, error)
         && kiln_sim_file_write (opt_path, options, -1, error)
         && kiln_sim_file_write (otp_path, (const char *) self->otp, self->chip->otp_size, error)
         && kiln_sim_file_write (uid_path, uid, -1, error);
}

/* Preloads flash from an ELF (program headers), Intel HEX or raw binary. */
gboolean
_kiln_sim_board_preload_flash (KilnSimBoard  *self,
                               const char    *path,
                               GError       **error)
{
  g_autofree char *data = NULL;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, error))
    return FALSE;

  if (length >= 52 && memcmp (data, "\177ELF", 4) == 0 && data[4] == 1)
    {
      const guint8 *d = (const guint8 *) data;
      guint32 phoff = rd32 (d + 28);
      guint16 phentsize = d[42] | d[43] << 8;
      guint16 phnum = d[44] | d[45] << 8;

      for (guint i = 0; i < phnum; i++)
        {
          const guint8 *ph;
          guint32 offset, paddr, filesz;

          if ((guint64) phoff + (guint64) (i + 1) * phentsize > length)
            break;
          ph = d + phoff + i * phentsize;
          if (rd32 (ph) != 1) /* PT_LOAD */
            continue;
          offset = rd32 (ph + 4);
          paddr = rd32 (ph + 12);
          filesz = rd32 (ph + 16);
          if (paddr >= ITCM_FLASH && paddr - ITCM_FLASH < self->flash_size)
            paddr = paddr - ITCM_FLASH + AXIM_FLASH;
          if ((guint64) offset + filesz > length || paddr < AXIM_FLASH
              || (guint64) paddr + filesz > (guint64) AXIM_FLASH + self->flash_size)
            continue;
          memcpy (_kiln_sim_board_flash_mem (self) + (paddr - AXIM_FLASH), d + offset, filesz);
        }
      return TRUE;
    }

  if (length > 0 && data[0] == ':')
    {
      g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
      guint32 upper = 0;

      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *l = g_strstrip (lines[i]);
          guint8 rec[260];
          gsize n = (strlen (l) - 1) / 2;

          if (l[0] != ':' || n < 5 || n > sizeof rec)
            continue;
          for (gsize j = 0; j < n; j++)
            rec[j] = (guint8) (g_ascii_xdigit_value (l[1 + 2 * j]) << 4 | g_ascii_xdigit_value (l[2 + 2 * j]));
          if (rec[3] == 4)
            upper = (guint32) (rec[4] << 8 | rec[5]) << 16;
          else if (rec[3] == 0)
            {
              guint32 a = upper + (guint32) (rec[1] << 8 | rec[2]);

              if (a >= AXIM_FLASH && a - AXIM_FLASH + rec[0] <= self->flash_size)
                memcpy (_kiln_sim_board_flash_mem (self) + (a - AXIM_FLASH), rec + 4, rec[0]);
            }
        }
      return TRUE;
    }

  memcpy (_kiln_sim_board_flash_mem (self), data, MIN (length, self->flash_size));
  return TRUE;
}
