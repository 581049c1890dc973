/* kiln-production-profile-keys.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-production-error.h"
#include "kiln-production-profile-keys.h"

static const KilnProfileKey keys[] = {
  { "profile", "name", "Widget rev B", TRUE,
    N_("What the line calls this product (shown to the operator and recorded)") },
  { "profile", "firmware", "widget.elf", TRUE,
    N_("The firmware file (ELF, Intel HEX, S-record or raw binary), relative to this file's folder") },
  { "profile", "sha256", "", FALSE,
    N_("The firmware's SHA-256, pinned when the profile is signed: another file is refused") },
  { "profile", "base", "0x08000000", FALSE,
    N_("Where a raw binary is loaded (raw binaries only)") },
  { "profile", "chip", "STM32F746NG", TRUE,
    N_("The chip every board must carry: a part (STM32F746NG) or a line (STM32F74x/F75x)") },
  { "profile", "verify", "true", TRUE,
    N_("Verify every written sector (true or false)") },
  { "profile", "reset", "true", TRUE,
    N_("Reset the board and let it run once it is programmed (true or false)") },
  { "profile", "skip-unchanged", "true", TRUE,
    N_("Leave sectors that already hold the right bytes alone (true or false)") },
  { "profile", "vpp", "false", FALSE,
    N_("The fixture supplies VPP (8 to 9 V on the VPP pin): program and erase at x64, twice as fast (true or "
       "false)") },
  { "profile", "locked", "", FALSE,
    N_("No longer used and ignored: a profile is signed now (kiln-cli profile sign)") },
  { "option-bytes", "rdp", "0", FALSE,
    N_("The read protection level every board must arrive with (0, 1 or 2)") },
  { "option-bytes", "wrp", "none", FALSE,
    N_("The write-protected sectors every board must arrive with: none, or sector numbers such as 0,1") },
  { "option-bytes", "set", "rdp=1", FALSE,
    N_("Option bytes written once the board is programmed and verified, then read back (KEY=VALUE as kiln-cli "
       "option-bytes set takes them)") },
  { "option-bytes", "allow-irreversible", "false", FALSE,
    N_("true lets set hold rdp=2, which locks the chip for good") },
  { "serial", "source", "counter", FALSE,
    N_("Where serial numbers come from: counter, list, uid or none") },
  { "serial", "address", "0x080FFF00", FALSE,
    N_("Where the number is written: in flash outside the firmware, or in OTP (0x1FF0F000…), written once the "
       "firmware is verified") },
  { "serial", "format", "SN-%06u", FALSE,
    N_("The number as text: one %u, %d, %x or %X for a counter, one %s for the UID") },
  { "serial", "start", "1", FALSE,
    N_("A counter's first number") },
  { "serial", "list", "serials.txt", FALSE,
    N_("A list's file: one number a line, # starts a comment") },
  { "serial", "series", "widget", FALSE,
    N_("Numbers are unique within a series (default: the format)") },
  { "serial", "encoding", "ascii", FALSE,
    N_("ascii (padded with NUL bytes) or u32le (a counter as a 4-byte number)") },
  { "serial", "size", "16", FALSE,
    N_("How many bytes are written at the address") },
  { "operator", "mode", "true", FALSE,
    N_("Opening this profile puts the station in operator mode: only programming boards, no other profile, "
       "settings, auto-start switch or option bytes (true or false)") },
  { "operator", "engineer-password", "$argon2id$v=19$m=65536,t=2,p=1$…", FALSE,
    N_("What leaves operator mode: the engineer's password as a salted hash, the line “kiln-cli profile "
       "hash-password” prints (never the password itself)") },
};

const KilnProfileKey *
kiln_profile_keys_get (guint *n_keys)
{
  *n_keys = G_N_ELEMENTS (keys);
  return keys;
}

static gboolean
group_is_known (const char *group)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].group, group))
      return TRUE;
  return FALSE;
}

static gboolean
key_is_known (const char *group,
              const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].group, group) && g_str_equal (keys[i].key, key))
      return TRUE;
  return FALSE;
}

/* Edit distance (insertions, deletions, substitutions), for "did you mean". */
static guint
distance (const char *a,
          const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint best = diag + (g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1);

          best = MIN (best, up + 1);
          best = MIN (best, row[j - 1] + 1);
          diag = up;
          row[j] = best;
        }
    }
  return row[lb];
}

/* The closest of the known groups (@group NULL) or of @group's keys, when it
 * is close enough to be a slip (or one name starts with the other). */
static const char *
nearest (const char *group,
         const char *name)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *candidate = group == NULL ? keys[i].group : keys[i].key;
      guint d;

      if (group != NULL && !g_str_equal (keys[i].group, group))
        continue;
      d = distance (name, candidate);
      if (d <= MAX (2, strlen (candidate) / 3) || g_str_has_prefix (name, candidate)
          || g_str_has_prefix (candidate, name))
        if (d < best_d)
          {
            best = candidate;
            best_d = d;
          }
    }
  return best;
}

/* The line (from 1) where @group starts or, with @key, where @key is set in
 * it; 0 when it cannot be found. */
static guint
find_line (const char *text,
           const char *group,
           const char *key)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  gboolean in_group = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '[')
        {
          char *close = strrchr (line, ']');

          if (close == NULL)
            continue;
          *close = '\0';
          in_group = g_str_equal (line + 1, group);
          if (in_group && key == NULL)
            return i + 1;
          continue;
        }
      if (in_group && key != NULL && *line != '#')
        {
          char *eq = strchr (line, '=');

          if (eq == NULL)
            continue;
          *eq = '\0';
          if (g_str_equal (g_strstrip (line), key))
            return i + 1;
        }
    }
  return 0;
}

static void
set_unknown (GError     **error,
             const char  *path,
             guint        line,
             const char  *what,
             const char  *hint)
{
  g_autofree char *where = line ? g_strdup_printf ("%s:%u", path, line) : g_strdup (path);

  if (hint != NULL)
    g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                 /* Translators: "widget.kiln-profile:7: unknown key verfy in [profile] (did you mean verify?)…" */
                 _("%s: unknown %s (did you mean %s?); nothing in this profile was used"), where, what, hint);
  else
    g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                 _("%s: unknown %s; nothing in this profile was used (kiln-cli profile new writes a template "
                   "with every key)"),
                 where, what);
}

/* A value ending in an odd number of backslashes: GLib 2.74 reports its
 * "escape character at end of line" error twice when reading it (a GLib
 * warning, found by fuzz-profile), so such a value is refused here first. */
static gboolean
ends_in_lone_backslash (GKeyFile   *kf,
                        const char *group,
                        const char *key)
{
  g_autofree char *raw = g_key_file_get_value (kf, group, key, NULL);
  gsize n = 0;

  for (gsize i = raw ? strlen (raw) : 0; i > 0 && raw[i - 1] == '\\'; i--)
    n++;
  return n % 2 == 1;
}

gboolean
kiln_profile_keys_check (GKeyFile    *kf,
                         const char  *text,
                         const char  *path,
                         GError     **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_auto(GStrv) names = NULL;

      if (!group_is_known (groups[g]))
        {
          const char *hint = nearest (NULL, groups[g]);
          g_autofree char *what = g_strdup_printf (_("group [%s]"), groups[g]);
          g_autofree char *bracketed = hint ? g_strdup_printf ("[%s]", hint) : NULL;

          set_unknown (error, path, find_line (text, groups[g], NULL), what, bracketed);
          return FALSE;
        }
      names = g_key_file_get_keys (kf, groups[g], NULL, NULL);
      for (guint k = 0; names != NULL && names[k] != NULL; k++)
        {
          g_autofree char *key = g_strdup (names[k]);
          char *locale = strchr (key, '[');
          g_autofree char *what = NULL;

          /* name[de] = … is a translation of name. */
          if (locale != NULL)
            *locale = '\0';
          if (ends_in_lone_backslash (kf, groups[g], names[k]))
            {
              guint line = find_line (text, groups[g], names[k]);
              g_autofree char *where = line ? g_strdup_printf ("%s:%u", path, line) : g_strdup (path);

              g_set_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE,
                           _("%s: the value of %s in [%s] ends with a lone backslash, an escape left unfinished "
                             "(write \\\\ for a backslash itself); nothing in this profile was used"),
                           where, names[k], groups[g]);
              return FALSE;
            }
          if (key_is_known (groups[g], key))
            continue;
          what = g_strdup_printf (_("key %s in [%s]"), names[k], groups[g]);
          set_unknown (error, path, find_line (text, groups[g], names[k]), what, nearest (groups[g], key));
          return FALSE;
        }
    }
  return TRUE;
}

/* "# " before every line of @doc, wrapped at about 76 columns. */
static void
append_comment (GString    *out,
                const char *doc)
{
  g_auto(GStrv) words = g_strsplit (doc, " ", -1);
  gsize column = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize length = g_utf8_strlen (words[i], -1);

      if (column == 0 || column + 1 + length > 76)
        {
          g_string_append (out, column == 0 ? "# " : "\n# ");
          column = 2;
        }
      else
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, words[i]);
      column += length;
    }
  g_string_append_c (out, '\n');
}

char *
kiln_profile_keys_template (const char *name,
                            const char *firmware)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *group = NULL;

  append_comment (out, _("A Kiln production profile. Lines starting with # are comments; uncomment a key to "
                         "use it. Check it with kiln-cli profile show, then sign it with kiln-cli profile sign."));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const KilnProfileKey *k = &keys[i];
      const char *value = k->example;

      if (g_str_equal (k->key, "locked"))
        continue;
      if (g_strcmp0 (group, k->group) != 0)
        {
          group = k->group;
          g_string_append_printf (out, "\n[%s]\n", group);
        }
      if (g_str_equal (k->key, "name") && name != NULL)
        value = name;
      if (g_str_equal (k->key, "firmware") && firmware != NULL)
        value = firmware;
      append_comment (out, _(k->doc));
      g_string_append_printf (out, "%s%s = %s\n", k->active ? "" : "#", k->key, value);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
