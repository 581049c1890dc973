/* kiln-sim-file.c — how the bench writes its output files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A regular file, or a path where nothing is yet, is replaced atomically:
 * the contents go to a file beside it, renamed over it, so a reader never
 * sees half a state or report. Anything else at the path (a device node such
 * as /dev/null, a FIFO, a symbolic link) is opened and written in place and
 * never replaced: a rename over /dev/null, run as root, would leave a regular
 * file where the device was, and the whole machine would notice.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "kiln-sim-file.h"

static gboolean
write_in_place (const char  *path,
                const char  *contents,
                gsize        length,
                GError     **error)
{
  struct stat st;
  int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;
  int fd;

  /* Truncate only a regular file behind a link; a device or FIFO is a
   * stream. */
  if (stat (path, &st) == 0 && S_ISREG (st.st_mode))
    flags |= O_TRUNC;

  fd = g_open (path, flags, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Could not open %s to write it: %s", path, g_strerror (saved));
      return FALSE;
    }

  while (length > 0)
    {
      gssize n = write (fd, contents, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : EIO;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "Could not write %s: %s", path, g_strerror (saved));
          close (fd);
          return FALSE;
        }
      contents += n;
      length -= (gsize) n;
    }

  if (close (fd) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Could not write %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Writes @length bytes of @contents (-1: a string) to @path, as described
 * above. */
gboolean
kiln_sim_file_write (const char  *path,
                     const char  *contents,
                     gssize       length,
                     GError     **error)
{
  struct stat st;
  gsize size = length < 0 ? strlen (contents) : (gsize) length;

  if (lstat (path, &st) == 0 && !S_ISREG (st.st_mode))
    return write_in_place (path, contents, size, error);
  return g_file_set_contents (path, contents, (gssize) size, error);
}
