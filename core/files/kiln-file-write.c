/* kiln-file-write.c — writing a file the user named without harming what is there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file Kiln writes at a path the user chose (a read-out of the chip, a
 * profile, its signature, a key) goes through kiln_file_write():
 *
 * - Nothing there yet, or a regular file: the new contents are written beside
 *   it and renamed over it, so the path holds the old contents or the new ones,
 *   never half of either.
 * - A symbolic link: the link stays. The file it points to is replaced as above
 *   when it is a regular file; anything else behind it is written in place.
 * - A device (/dev/stdout, /dev/null, a serial port), a FIFO or a socket: it is
 *   opened and written in place, never renamed over. A rename would put a
 *   regular file where the device node was (run as root: for every user of the
 *   machine), or leave a pipe's reader waiting forever.
 * - A folder: refused.
 *
 * Every write is checked to the end, including close(): a full disk, or
 * /dev/full, is an error, not a success.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "kiln-file-write.h"

static gboolean
fail (const char  *path,
      int          saved_errno,
      GError     **error)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Could not write %s: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
refuse_folder (const char  *path,
               GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
               _("Could not write %s: it is a folder; give a file name"), path);
  return FALSE;
}

static gboolean
write_in_place (const char  *path,
                const guint8 *data,
                gsize        length,
                int          mode,
                gboolean     truncate,
                GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | (truncate ? O_TRUNC : 0), mode);

  if (fd < 0)
    return fail (path, errno, error);

  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : EIO;

          close (fd);
          return fail (path, saved, error);
        }
      data += n;
      length -= (gsize) n;
    }
  if (close (fd) != 0)
    return fail (path, errno, error);
  return TRUE;
}

static gboolean
replace (const char  *path,
         const void  *data,
         gsize        length,
         int          mode,
         GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (g_file_set_contents_full (path, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT, mode, &local))
    return TRUE;
  /* GLib's message names its temporary file; say it with the user's path. */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s: %s"), path, local->message);
  return FALSE;
}

/* Writes @length bytes of @data to @path as described above. @mode is the
 * permission of a file that is created (0666 for ordinary output, 0600 for a
 * secret); a regular file that is replaced keeps its own. */
gboolean
kiln_file_write (const char  *path,
                 const void  *data,
                 gsize        length,
                 int          mode,
                 GError     **error)
{
  struct stat st;

  g_return_val_if_fail (path != NULL && *path != '\0', FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (g_lstat (path, &st) != 0)
    {
      if (errno != ENOENT)
        return fail (path, errno, error);
      return replace (path, data, length, mode, error);
    }

  if (S_ISREG (st.st_mode))
    return replace (path, data, length, (int) (st.st_mode & 07777), error);

  if (S_ISDIR (st.st_mode))
    return refuse_folder (path, error);

  if (S_ISLNK (st.st_mode))
    {
      g_autofree char *target = realpath (path, NULL);
      struct stat tst;

      if (target != NULL && g_stat (target, &tst) == 0)
        {
          if (S_ISREG (tst.st_mode))
            return replace (target, data, length, (int) (tst.st_mode & 07777), error);
          if (S_ISDIR (tst.st_mode))
            return refuse_folder (path, error);
        }
      /* A device behind the link, or a link to nothing yet: through it. */
      return write_in_place (path, data, length, mode, target == NULL, error);
    }

  /* A device, a FIFO or a socket: a stream, written in place. */
  return write_in_place (path, data, length, mode, FALSE, error);
}
