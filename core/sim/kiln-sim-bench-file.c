/* kiln-sim-bench-file.c — reading a KILN_SIM key file into a description
 *
 * Every error a bench file's keys can give comes from here, in the order the
 * bench met them when it read and built in one pass: escapes, [bench], then
 * each probe in the file's order, its board's sequence keys, the board's
 * chip, the probe's model and firmware. Reading stops at the first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "kiln-sim-bench-file.h"
#include "kiln-sim-board.h"
#include "kiln-sim-error.h"
#include "kiln-sim-probe-private.h"

/* Defaults of [board] remove-after and arrive-after, in milliseconds. */
#define LINE_REMOVE_AFTER_MS 200
#define LINE_ARRIVE_AFTER_MS 300

static void
rig_clear (gpointer data)
{
  KilnSimBenchRig *rig = data;

  g_clear_pointer (&rig->probe_group, g_free);
  g_clear_pointer (&rig->board_group, g_free);
}

void
kiln_sim_bench_file_free (KilnSimBenchFile *file)
{
  if (file == NULL)
    return;
  g_clear_pointer (&file->key_file, g_key_file_unref);
  g_clear_pointer (&file->base_dir, g_free);
  g_clear_pointer (&file->pace, kiln_sim_pace_free);
  g_clear_pointer (&file->rigs, g_array_unref);
  g_free (file);
}

static void
copy_group (GKeyFile   *to,
            const char *to_group,
            GKeyFile   *from,
            const char *from_group)
{
  g_auto(GStrv) keys = g_key_file_get_keys (from, from_group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_value (from, from_group, keys[i], NULL);

      g_key_file_set_value (to, to_group, keys[i], value);
    }
}

GKeyFile *
kiln_sim_bench_file_sequence_keys (const KilnSimBenchFile  *file,
                                   const KilnSimBenchRig   *rig,
                                   guint                    number,
                                   char                   **group)
{
  GKeyFile *kf = g_key_file_new ();
  char *name = number ? g_strdup_printf ("%s.%u", rig->board_group, number)
                      : g_strdup_printf ("%s (empty socket)", rig->board_group);
  g_autofree char *state = g_key_file_get_string (file->key_file, rig->board_group, "state", NULL);
  g_autofree char *uid2 = g_key_file_get_string (file->key_file, rig->board_group, "uid2", NULL);
  guint32 base_uid2;

  *group = name;
  if (number == 0)
    {
      g_key_file_set_string (kf, name, "voltage", "0");
      return kf;
    }

  copy_group (kf, name, file->key_file, rig->board_group);
  g_key_file_remove_key (kf, name, "sequence", NULL);
  g_key_file_remove_key (kf, name, "remove-after", NULL);
  g_key_file_remove_key (kf, name, "arrive-after", NULL);
  copy_group (kf, "faults", file->key_file, "faults");
  if (state != NULL)
    {
      g_autofree char *n = g_strdup_printf ("%u", number);
      g_autofree char *dir = g_build_filename (g_strstrip (state), n, NULL);

      g_key_file_set_string (kf, name, "state", dir);
    }
  base_uid2 = uid2 ? (guint32) g_ascii_strtoull (g_strstrip (uid2), NULL, 0) : 0x33383139 ^ g_str_hash (rig->board_group);
  {
    g_autofree char *value = g_strdup_printf ("0x%08X", base_uid2 + number - 1);

    g_key_file_set_string (kf, name, "uid2", value);
  }
  copy_group (kf, name, file->key_file, name);
  return kf;
}

/* [board] remove-after / arrive-after: milliseconds of the board's time. */
static gboolean
line_delay (GKeyFile    *kf,
            const char  *group,
            const char  *key,
            guint        default_ms,
            guint64     *ns,
            GError     **error)
{
  g_autoptr(GError) local = NULL;
  guint64 ms = default_ms;

  if (g_key_file_has_key (kf, group, key, NULL))
    {
      ms = g_key_file_get_uint64 (kf, group, key, &local);
      if (local != NULL || ms > 3600 * 1000)
        {
          g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                       "[%s] %s: give a delay in milliseconds (0 to 3600000)", group, key);
          return FALSE;
        }
    }
  *ns = ms * G_GUINT64_CONSTANT (1000000);
  return TRUE;
}

/* The keys of a probe and its board, checked; the rig is added on success. */
static gboolean
add_rig (KilnSimBenchFile  *file,
         const char        *probe_group,
         const char        *board_group,
         GError           **error)
{
  GKeyFile *kf = file->key_file;
  KilnSimBenchRig rig = { 0 };
  g_autoptr(GError) local = NULL;

  if (g_key_file_has_key (kf, board_group, "sequence", NULL))
    {
      guint64 length = g_key_file_get_uint64 (kf, board_group, "sequence", &local);
      g_autoptr(GKeyFile) first = NULL;
      g_autofree char *first_group = NULL;

      if (local != NULL || length == 0 || length > 100000)
        {
          g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                       "[%s] sequence: give the number of boards presented one after another (1 or more)", board_group);
          return FALSE;
        }
      rig.sequence = (guint) length;
      if (!line_delay (kf, board_group, "remove-after", LINE_REMOVE_AFTER_MS, &rig.remove_after_ns, error)
          || !line_delay (kf, board_group, "arrive-after", LINE_ARRIVE_AFTER_MS, &rig.arrive_after_ns, error))
        return FALSE;
      /* The bench starts with board 1 of the line in the socket. */
      rig.board_group = (char *) board_group;
      first = kiln_sim_bench_file_sequence_keys (file, &rig, 1, &first_group);
      if (!kiln_sim_board_check_keys (first, first_group, error))
        return FALSE;
    }
  else if (!kiln_sim_board_check_keys (kf, board_group, error))
    return FALSE;
  rig.board_group = g_strdup (board_group);
  if (!kiln_sim_probe_check_keys (kf, probe_group, error))
    {
      /* Its board's keys were good: kept, without a probe (see
       * _kiln_sim_bench_file_read()). */
      g_array_append_val (file->rigs, rig);
      return FALSE;
    }
  rig.probe_group = g_strdup (probe_group);
  g_array_append_val (file->rigs, rig);
  return TRUE;
}

/* GLib 2.74 sets its error twice (a GLib warning) when reading a value that
 * ends in an unfinished escape, so such a value is refused up front. */
static gboolean
check_escapes (GKeyFile  *kf,
               GError   **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (kf, groups[g], NULL, NULL);

      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          g_autofree char *raw = g_key_file_get_value (kf, groups[g], keys[k], NULL);
          gsize n = 0;

          for (gsize i = raw ? strlen (raw) : 0; i > 0 && raw[i - 1] == '\\'; i--)
            n++;
          if (n % 2 == 1)
            {
              g_set_error (error, KILN_SIM_ERROR, KILN_SIM_ERROR_CONFIG,
                           "[%s] %s: the value ends with a lone backslash (write \\\\ for a backslash)",
                           groups[g], keys[k]);
              return FALSE;
            }
        }
    }
  return TRUE;
}

KilnSimBenchFile *
_kiln_sim_bench_file_read (GKeyFile    *kf,
                           const char  *base_dir,
                           GError     **error)
{
  g_autoptr(KilnSimBenchFile) file = g_new0 (KilnSimBenchFile, 1);
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);
  GError *pace_error = NULL;
  gboolean numbered = FALSE;

  file->key_file = g_key_file_ref (kf);
  file->base_dir = g_strdup (base_dir);
  file->rigs = g_array_new (FALSE, TRUE, sizeof (KilnSimBenchRig));
  g_array_set_clear_func (file->rigs, rig_clear);
  if (!check_escapes (kf, error))
    return NULL;
  file->pace = kiln_sim_pace_new (kf, base_dir, &pace_error);
  if (pace_error != NULL)
    {
      g_propagate_error (error, pace_error);
      return NULL;
    }

  for (guint i = 0; groups[i] != NULL; i++)
    {
      guint n;
      g_autofree char *board_group = NULL;

      if (sscanf (groups[i], "probe %u", &n) != 1)
        continue;
      numbered = TRUE;
      board_group = g_strdup_printf ("board %u", n);
      if (!add_rig (file, groups[i], board_group, error))
        return g_steal_pointer (&file);
    }
  if (!numbered)
    add_rig (file, "probe", "board", error);
  return g_steal_pointer (&file);
}

static KilnSimBenchFile *
file_from_key_file (GKeyFile    *kf,
                    const char  *base_dir,
                    GError     **error)
{
  GError *local = NULL;
  g_autoptr(KilnSimBenchFile) file = _kiln_sim_bench_file_read (kf, base_dir, &local);

  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  return g_steal_pointer (&file);
}

KilnSimBenchFile *
kiln_sim_bench_file_new_from_data (const char  *key_file_data,
                                   const char  *base_dir,
                                   GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  g_return_val_if_fail (key_file_data != NULL, NULL);
  if (!g_key_file_load_from_data (kf, key_file_data, -1, G_KEY_FILE_NONE, error))
    return NULL;
  return file_from_key_file (kf, base_dir, error);
}

KilnSimBenchFile *
kiln_sim_bench_file_new_from_file (const char  *path,
                                   GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *dir = g_path_get_dirname (path);

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return NULL;
  return file_from_key_file (kf, dir, error);
}
