/* test-file-write.c — kiln_file_write never harms what is at the path
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "kiln-file-write.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("kiln-file-write-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

static char *
contents_of (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* A new file gets the contents and the mode asked for (a secret key: 0600). */
static void
test_new_file (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "eng.key", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_true (kiln_file_write (path, "secret", 6, 0600, &error));
  g_assert_no_error (error);
  text = contents_of (path);
  g_assert_cmpstr (text, ==, "secret");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* A regular file is replaced as a whole (a new inode renamed over it: a
 * reader sees the old or the new contents) and keeps its permissions. */
static void
test_regular_replaced (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "dump.bin", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  struct stat before, after;

  g_assert_true (g_file_set_contents (path, "old contents, longer", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  g_assert_true (kiln_file_write (path, "new", 3, 0666, &error));
  g_assert_no_error (error);
  text = contents_of (path);
  g_assert_cmpstr (text, ==, "new");
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, !=, before.st_ino);
  g_assert_cmpint (after.st_mode & 0777, ==, 0640);
}

/* A symbolic link stays a link; the regular file it points to gets the
 * contents. A link to nothing yet creates its target. */
static void
test_through_link (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *target = g_build_filename (f->dir, "real.bin", NULL);
  g_autofree char *link = g_build_filename (f->dir, "link.bin", NULL);
  g_autofree char *dangling = g_build_filename (f->dir, "dangling.bin", NULL);
  g_autofree char *later = g_build_filename (f->dir, "later.bin", NULL);
  g_autofree char *text = NULL, *text2 = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_true (g_file_set_contents (target, "old", -1, NULL));
  g_assert_cmpint (symlink ("real.bin", link), ==, 0);
  g_assert_true (kiln_file_write (link, "through the link", 16, 0666, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  text = contents_of (target);
  g_assert_cmpstr (text, ==, "through the link");

  g_assert_cmpint (symlink ("later.bin", dangling), ==, 0);
  g_assert_true (kiln_file_write (dangling, "made", 4, 0666, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (dangling, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  text2 = contents_of (later);
  g_assert_cmpstr (text2, ==, "made");
}

static gpointer
read_fifo (gpointer path)
{
  return contents_of (path);
}

/* A FIFO is written in place: a rename over it would leave its reader
 * waiting for a writer forever. */
static void
test_fifo (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "pipe", NULL);
  g_autofree char *received = NULL;
  g_autoptr(GError) error = NULL;
  GThread *reader;
  struct stat st;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  reader = g_thread_new ("reader", read_fifo, path);
  g_assert_true (kiln_file_write (path, "down the pipe", 13, 0666, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  received = g_thread_join (reader);
  g_assert_cmpstr (received, ==, "down the pipe");
}

/* Character devices of the test's own with the numbers of /dev/null and
 * /dev/full: both stay devices; the full one is an error (a write that did
 * not happen is never a success). Only root can make them. */
static void
test_devices (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *null = g_build_filename (f->dir, "null", NULL);
  g_autofree char *full = g_build_filename (f->dir, "full", NULL);
  g_autoptr(GError) error = NULL;
  struct stat st;

  if (mknod (null, S_IFCHR | 0666, makedev (1, 3)) != 0
      || mknod (full, S_IFCHR | 0666, makedev (1, 7)) != 0)
    {
      g_autofree char *why = g_strdup_printf ("mknod: %s (only root can make a device node)", g_strerror (errno));

      g_test_skip (why);
      return;
    }
  g_assert_cmpint (g_chmod (null, 0666), ==, 0);
  g_assert_true (kiln_file_write (null, "gone", 4, 0666, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (null, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (minor (st.st_rdev), ==, 3);
  g_assert_cmpint (st.st_mode & 0777, ==, 0666);

  g_assert_false (kiln_file_write (full, "no room", 7, 0666, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, full));
  g_assert_cmpint (g_lstat (full, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (minor (st.st_rdev), ==, 7);
}

/* A folder is refused and left alone. */
static void
test_folder (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_false (kiln_file_write (f->dir, "x", 1, 0666, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_cmpint (g_lstat (f->dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  umask (022);
  g_test_add ("/Kiln/Files/write/new-file", Fixture, NULL, fixture_set_up, test_new_file, fixture_tear_down);
  g_test_add ("/Kiln/Files/write/regular-replaced", Fixture, NULL, fixture_set_up, test_regular_replaced,
              fixture_tear_down);
  g_test_add ("/Kiln/Files/write/through-link", Fixture, NULL, fixture_set_up, test_through_link, fixture_tear_down);
  g_test_add ("/Kiln/Files/write/fifo", Fixture, NULL, fixture_set_up, test_fifo, fixture_tear_down);
  g_test_add ("/Kiln/Files/write/devices", Fixture, NULL, fixture_set_up, test_devices, fixture_tear_down);
  g_test_add ("/Kiln/Files/write/folder", Fixture, NULL, fixture_set_up, test_folder, fixture_tear_down);
  return g_test_run ();
}
