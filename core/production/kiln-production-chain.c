/* kiln-production-chain.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-production-chain.h"

char *
kiln_production_chain_hash (const char                *prev_hash,
                            const KilnProductionEntry *entry)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *canonical = kiln_production_entry_canonical (entry);

  g_checksum_update (sum, (const guchar *) (prev_hash ? prev_hash : ""), -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, (const guchar *) canonical, -1);
  return g_strdup (g_checksum_get_string (sum));
}

gboolean
kiln_production_chain_verify (GPtrArray  *entries,
                              char      **broken,
                              char      **heads)
{
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);

  *broken = NULL;
  for (guint i = 0; i < entries->len; i++)
    {
      const KilnProductionEntry *e = g_ptr_array_index (entries, i);
      const char *station = e->station ? e->station : "";
      const KilnProductionEntry *before = g_hash_table_lookup (last, station);
      const char *want_prev = before ? before->hash : "";
      g_autofree char *hash = NULL;
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);
      g_autofree char *before_id = before ? g_strdup_printf ("%" G_GINT64_FORMAT, before->id) : NULL;

      if (e->hash == NULL || *e->hash == '\0')
        {
          *broken = g_strdup_printf (_("Record %s (station %s, %s) carries no hash: it was written "
                                       "outside Kiln or its hash was removed"),
                                     id, station, e->time ? e->time : "?");
          return FALSE;
        }
      if (g_strcmp0 (e->prev_hash ? e->prev_hash : "", want_prev) != 0)
        {
          if (before == NULL)
            *broken = g_strdup_printf (_("Record %s (station %s, %s) is the first one of its "
                                         "station left in the record, but it follows another one (%.12s…): the "
                                         "station's earlier records were deleted"),
                                       id, station, e->time ? e->time : "?", e->prev_hash ? e->prev_hash : "");
          else
            *broken = g_strdup_printf (_("Record %s (station %s, %s) does not follow record %s, "
                                         "the one before it at that station: a record between them was deleted, or "
                                         "record %s was changed"),
                                       id, station, e->time ? e->time : "?", before_id, before_id);
          return FALSE;
        }
      hash = kiln_production_chain_hash (e->prev_hash, e);
      if (g_strcmp0 (hash, e->hash) != 0)
        {
          *broken = g_strdup_printf (_("Record %s (station %s, %s) was changed after it was "
                                       "written: its fields no longer match its hash"),
                                     id, station, e->time ? e->time : "?");
          return FALSE;
        }
      if (before == NULL)
        g_ptr_array_add (order, g_strdup (station));
      g_hash_table_insert (last, g_strdup (station), (gpointer) e);
    }
  if (heads != NULL)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      for (guint i = 0; i < order->len; i++)
        {
          const KilnProductionEntry *e = g_hash_table_lookup (last, g_ptr_array_index (order, i));

          g_string_append_printf (out, "%s: %" G_GINT64_FORMAT " %s\n", (char *) g_ptr_array_index (order, i), e->id,
                                  e->hash);
        }
      *heads = g_string_free (g_steal_pointer (&out), FALSE);
    }
  return TRUE;
}
