/* kiln-memory-view.c — the chip's flash or RAM beside the file's bytes
 *
 * The chip is read on the probe's session worker (core/job's target job),
 * one chunk at a time, as its rows come into sight; the main loop never
 * waits for the probe. Find reads what is still unread first, then
 * searches what the chip holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-memory-view-private.h"
#include "kiln-target-job.h"

#define CHUNK_SIZE (32 * 1024)

typedef enum
{
  CHUNK_UNREAD,
  CHUNK_QUEUED,
  CHUNK_READING,
  CHUNK_READ,
  CHUNK_FAILED,
} ChunkState;

typedef struct
{
  char    *name;
  guint32  address;
  guint32  size;
} Region;

struct _KilnMemoryView
{
  AdwWindow          parent_instance;

  KilnSession       *session;
  KilnUsbProbeInfo  *probe;
  guint              khz;
  gboolean           under_reset;
  KilnChip          *chip;
  KilnImage         *image;
  GArray            *regions;     /* of Region: the flash, then the RAM */
  guint              region;
  guint8            *chunks;      /* ChunkState per chunk of the region */
  guint              n_chunks;
  GQueue             queue;       /* chunk numbers to read, first first */
  gboolean           reading;
  guint              generation;  /* a chunk read for another region is dropped */
  GBytes            *find;        /* what Find looks for once all is read */
  char              *find_text;
  char              *status_text;
  guint              visible_idle;

  AdwWindowTitle    *title;
  GtkDropDown       *region_dropdown;
  KilnHexView       *hex;
  GtkSearchBar      *find_bar;
  GtkEntry          *find_entry;
  GtkSearchBar      *goto_bar;
  GtkEntry          *goto_entry;
  GtkLabel          *status;
  GtkLabel          *cursor_label;
};

G_DEFINE_FINAL_TYPE (KilnMemoryView, kiln_memory_view, ADW_TYPE_WINDOW)

static void read_next (KilnMemoryView *self);

static void
set_status (KilnMemoryView *self,
            const char     *text)
{
  g_free (self->status_text);
  self->status_text = g_strdup (text);
  gtk_label_set_label (self->status, text);
}

static const Region *
current_region (KilnMemoryView *self)
{
  return &g_array_index (self->regions, Region, self->region);
}

/* What the view says when nothing is being read or found. */
static void
show_summary (KilnMemoryView *self)
{
  guint n = kiln_hex_view_get_n_differences (self->hex);
  g_autofree char *text = NULL;

  if (self->image == NULL)
    text = g_strdup (_("No file is loaded: the chip’s bytes only."));
  else if (n == 0)
    text = g_strdup (_("What was read matches the file."));
  else
    /* Translators: bytes of the chip, among those read, that the file holds with another value */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u byte read differs from the file.",
                                         "%u bytes read differ from the file.", n), n);
  set_status (self, text);
}

static void
cursor_moved_cb (KilnMemoryView *self)
{
  g_autofree char *text = kiln_hex_view_dup_cursor_text (self->hex);

  gtk_label_set_label (self->cursor_label, text);
}

typedef struct
{
  KilnMemoryView *self;
  KilnTargetJob  *job;
  guint           generation;
  guint           chunk;
} ReadCall;

static void
find_now (KilnMemoryView *self);

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadCall *call = user_data;
  g_autoptr(KilnMemoryView) self = call->self;
  g_autoptr(GError) error = NULL;
  gboolean ok = kiln_session_run_finish (KILN_SESSION (source), result, &error);

  if (call->generation == self->generation)
    {
      self->reading = FALSE;
      if (ok && call->job->data != NULL)
        {
          gsize n = 0;
          const guint8 *data = g_bytes_get_data (call->job->data, &n);

          kiln_hex_view_set_chip_bytes (self->hex, call->job->address, data, n);
          self->chunks[call->chunk] = CHUNK_READ;
          cursor_moved_cb (self);
          if (self->find == NULL)
            show_summary (self);
        }
      else
        {
          /* Translators: "Could not read 0x08000000–0x08007FFF: The probe was unplugged" */
          g_autofree char *text = g_strdup_printf (_("Could not read 0x%08X–0x%08X: %s"), call->job->address,
                                                   (guint32) (call->job->address + call->job->length - 1),
                                                   error != NULL ? error->message : _("no data"));

          self->chunks[call->chunk] = CHUNK_FAILED;
          /* The rest waits for Read Again: a probe that failed once is
           * not asked the same a hundred times. */
          while (!g_queue_is_empty (&self->queue))
            self->chunks[GPOINTER_TO_UINT (g_queue_pop_head (&self->queue))] = CHUNK_UNREAD;
          g_clear_pointer (&self->find, g_bytes_unref);
          set_status (self, text);
        }
      read_next (self);
    }
  g_free (call);
}

static void
read_next (KilnMemoryView *self)
{
  const Region *r = current_region (self);
  KilnTargetJob *job;
  ReadCall *call;
  guint chunk;
  guint32 offset;

  if (self->reading)
    return;
  if (g_queue_is_empty (&self->queue))
    {
      if (self->find != NULL)
        find_now (self);
      return;
    }
  chunk = GPOINTER_TO_UINT (g_queue_pop_head (&self->queue));
  offset = chunk * CHUNK_SIZE;
  self->chunks[chunk] = CHUNK_READING;
  self->reading = TRUE;
  job = kiln_target_job_new (KILN_TARGET_JOB_READ, self->probe);
  job->probe.khz = self->khz;
  job->probe.under_reset = self->under_reset;
  job->address = r->address + offset;
  job->length = MIN (CHUNK_SIZE, r->size - offset);
  call = g_new0 (ReadCall, 1);
  call->self = g_object_ref (self);
  call->job = job;
  call->generation = self->generation;
  call->chunk = chunk;
  if (self->find == NULL)
    {
      /* Translators: "Reading 0x08000000–0x08007FFF…" */
      g_autofree char *text = g_strdup_printf (_("Reading 0x%08X–0x%08X…"), (guint32) job->address,
                                               (guint32) (job->address + job->length - 1));
      set_status (self, text);
    }
  kiln_session_run_async (self->session, kiln_target_job_run, job, (GDestroyNotify) kiln_target_job_free, NULL, NULL,
                          read_done_cb, call);
}

/* Queues the chunks of [@first, @last] not read yet; @urgent ones go first. */
static void
queue_range (KilnMemoryView *self,
             guint32         first,
             guint32         last,
             gboolean        urgent)
{
  const Region *r = current_region (self);
  guint a, b;

  if (self->n_chunks == 0 || last < r->address)
    return;
  a = (MAX (first, r->address) - r->address) / CHUNK_SIZE;
  b = MIN ((last - r->address) / CHUNK_SIZE, self->n_chunks - 1);
  for (guint c = b + 1; c-- > a;)
    {
      if (self->chunks[c] == CHUNK_QUEUED && urgent)
        g_queue_remove (&self->queue, GUINT_TO_POINTER (c));
      else if (self->chunks[c] != CHUNK_UNREAD)
        continue;
      self->chunks[c] = CHUNK_QUEUED;
      if (urgent)
        g_queue_push_head (&self->queue, GUINT_TO_POINTER (c));
      else
        g_queue_push_tail (&self->queue, GUINT_TO_POINTER (c));
    }
}

static void
read_visible (KilnMemoryView *self)
{
  guint32 first, last;

  if (self->n_chunks == 0)
    return;
  kiln_hex_view_get_visible (self->hex, &first, &last);
  queue_range (self, first, last, TRUE);
  read_next (self);
}

static gboolean
visible_idle_cb (gpointer data)
{
  KilnMemoryView *self = data;

  self->visible_idle = 0;
  read_visible (self);
  return G_SOURCE_REMOVE;
}

/* The rows in sight changed (scrolled, resized): read them, once the
 * widgets are laid out. */
static void
visible_changed_cb (KilnMemoryView *self)
{
  if (self->visible_idle == 0)
    self->visible_idle = g_idle_add (visible_idle_cb, self);
}

static void
show_file (KilnMemoryView *self)
{
  if (self->image == NULL)
    return;
  for (guint i = 0; i < kiln_image_get_n_ranges (self->image); i++)
    {
      const KilnImageRange *range = kiln_image_get_range (self->image, i);

      kiln_hex_view_set_file_bytes (self->hex, range->address, range->data, range->size);
    }
}

static void
set_region (KilnMemoryView *self,
            guint           index)
{
  const Region *r;

  self->region = index;
  r = current_region (self);
  self->generation++;
  self->reading = FALSE;
  g_queue_clear (&self->queue);
  g_clear_pointer (&self->find, g_bytes_unref);
  g_free (self->chunks);
  self->n_chunks = (r->size + CHUNK_SIZE - 1) / CHUNK_SIZE;
  self->chunks = g_malloc0 (self->n_chunks);
  kiln_hex_view_set_range (self->hex, r->address, r->size);
  show_file (self);
  if (gtk_drop_down_get_selected (self->region_dropdown) != index)
    gtk_drop_down_set_selected (self->region_dropdown, index);
  cursor_moved_cb (self);
  visible_changed_cb (self);
}

static void
region_selected_cb (KilnMemoryView *self)
{
  guint index = gtk_drop_down_get_selected (self->region_dropdown);

  if (index != GTK_INVALID_LIST_POSITION && index != self->region && index < self->regions->len)
    set_region (self, index);
}

gboolean
kiln_memory_view_go_to (KilnMemoryView *self,
                        guint32         address)
{
  g_return_val_if_fail (KILN_IS_MEMORY_VIEW (self), FALSE);

  for (guint i = 0; i < self->regions->len; i++)
    {
      const Region *r = &g_array_index (self->regions, Region, i);

      if (address < r->address || address - r->address >= r->size)
        continue;
      if (i != self->region)
        set_region (self, i);
      kiln_hex_view_set_cursor (self->hex, address);
      visible_changed_cb (self);
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------ Go to */

static gboolean
parse_address (const char *text,
               guint32    *address)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  const char *digits = t;
  guint64 value;

  if (g_str_has_prefix (t, "0x") || g_str_has_prefix (t, "0X"))
    digits += 2;
  if (*digits == '\0' || !g_ascii_string_to_unsigned (digits, 16, 0, G_MAXUINT32, &value, NULL))
    return FALSE;
  *address = (guint32) value;
  return TRUE;
}

static void
goto_activate_cb (KilnMemoryView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->goto_entry));
  guint32 address;

  if (!parse_address (text, &address))
    {
      /* Translators: %s is what was typed */
      g_autofree char *msg = g_strdup_printf (_("“%s” is not an address. Enter a hexadecimal address such as "
                                                "0x08004000."), text);
      set_status (self, msg);
      return;
    }
  if (!kiln_memory_view_go_to (self, address))
    {
      g_autofree char *msg = g_strdup_printf (_("0x%08X is neither in the chip’s flash nor in its RAM."), address);
      set_status (self, msg);
      return;
    }
  gtk_search_bar_set_search_mode (self->goto_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->hex));
}

/* ------------------------------------------------------------- Find */

/* "DE AD BE EF" or "deadbeef": bytes; anything else, or text in quotes,
 * is looked for as ASCII. */
static GBytes *
parse_find (const char *text)
{
  g_autofree char *t = g_strdup (text);
  gsize n = strlen (t);
  GByteArray *bytes;
  guint digits = 0;
  gboolean hex = TRUE;

  if (n >= 2 && t[0] == '"' && t[n - 1] == '"')
    return g_bytes_new (t + 1, n - 2);
  for (gsize i = 0; i < n && hex; i++)
    {
      if (g_ascii_isxdigit (t[i]))
        digits++;
      else if (t[i] != ' ')
        hex = FALSE;
    }
  if (!hex || digits == 0 || digits % 2 != 0)
    return g_bytes_new (t, n);
  bytes = g_byte_array_new ();
  for (gsize i = 0; i < n;)
    {
      guint8 b;

      if (t[i] == ' ')
        {
          i++;
          continue;
        }
      /* A pair may be split by a space only between bytes. */
      if (i + 1 >= n || !g_ascii_isxdigit (t[i + 1]))
        {
          g_byte_array_unref (bytes);
          return g_bytes_new (t, n);
        }
      b = (guint8) (g_ascii_xdigit_value (t[i]) * 16 + g_ascii_xdigit_value (t[i + 1]));
      g_byte_array_append (bytes, &b, 1);
      i += 2;
    }
  return g_byte_array_free_to_bytes (bytes);
}

static gboolean
has_unread (KilnMemoryView *self,
            gboolean       *failed)
{
  gboolean unread = FALSE;

  *failed = FALSE;
  for (guint c = 0; c < self->n_chunks; c++)
    {
      unread |= self->chunks[c] != CHUNK_READ && self->chunks[c] != CHUNK_FAILED;
      *failed |= self->chunks[c] == CHUNK_FAILED;
    }
  return unread;
}

/* Where @needle is at @offset: in the chip's bytes as read, in the file's,
 * in both, or in neither. */
static void
match_at (KilnMemoryView *self,
          guint32         offset,
          const guint8   *needle,
          gsize           n,
          gboolean       *in_chip,
          gboolean       *in_file)
{
  const Region *r = current_region (self);
  guint32 address = r->address + offset;

  *in_chip = kiln_hex_view_is_read (self->hex, address, n)
             && memcmp (kiln_hex_view_get_chip_data (self->hex) + offset, needle, n) == 0;
  *in_file = kiln_hex_view_is_in_file (self->hex, address, n)
             && memcmp (kiln_hex_view_get_file_data (self->hex) + offset, needle, n) == 0;
}

/* Looks for the bytes in the chip's and in the file's side at once, from
 * the byte after the cursor on (wrapping), and says on which side the
 * first match is. */
static void
find_now (KilnMemoryView *self)
{
  g_autoptr(GBytes) find = g_steal_pointer (&self->find);
  const Region *r = current_region (self);
  gsize n;
  const guint8 *needle = g_bytes_get_data (find, &n);
  guint32 start = kiln_hex_view_get_cursor (self->hex) - r->address + 1;
  gboolean failed;

  has_unread (self, &failed);
  for (guint32 k = 0; n > 0 && n <= r->size && k < r->size; k++)
    {
      guint32 o = (guint32) (((guint64) start + k) % r->size);
      gboolean in_chip, in_file;
      g_autofree char *text = NULL;

      if (o + n > r->size)
        continue;
      match_at (self, o, needle, n, &in_chip, &in_file);
      if (!in_chip && !in_file)
        continue;
      if (in_chip && in_file)
        /* Translators: "Found “DE AD” at 0x08004000 in the chip and in the file." */
        text = g_strdup_printf (_("Found “%s” at 0x%08X in the chip and in the file."), self->find_text, r->address + o);
      else if (in_chip)
        text = g_strdup_printf (self->image != NULL ? _("Found “%s” at 0x%08X in the chip (not in the file there).")
                                                    : _("Found “%s” at 0x%08X in the chip."),
                                self->find_text, r->address + o);
      else
        text = g_strdup_printf (_("Found “%s” at 0x%08X in the file (not in the chip there)."), self->find_text,
                                r->address + o);
      kiln_hex_view_set_cursor (self->hex, r->address + o);
      kiln_hex_view_set_match (self->hex, r->address + o, n);
      set_status (self, text);
      visible_changed_cb (self);
      return;
    }
  {
    g_autofree char *text = NULL;

    /* Translators: "“DE AD” is not in Flash." */
    if (self->image == NULL)
      text = g_strdup_printf (failed ? _("“%s” is not in what could be read of %s.") : _("“%s” is not in %s."),
                              self->find_text, r->name);
    else
      /* Translators: "“DE AD” is not in Flash, neither in the chip nor in the file." */
      text = g_strdup_printf (failed ? _("“%s” is not in what could be read of %s, nor in the file.")
                                     : _("“%s” is not in %s, neither in the chip nor in the file."),
                              self->find_text, r->name);
    kiln_hex_view_set_match (self->hex, 0, 0);
    set_status (self, text);
  }
}

static void
find_activate_cb (KilnMemoryView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->find_entry));
  gboolean failed;

  if (*text == '\0')
    return;
  g_free (self->find_text);
  self->find_text = g_strdup (text);
  g_clear_pointer (&self->find, g_bytes_unref);
  self->find = parse_find (text);
  if (has_unread (self, &failed))
    {
      const Region *r = current_region (self);
      /* Translators: %s is a region's name, "Flash" or "SRAM1" */
      g_autofree char *msg = g_strdup_printf (_("Reading all of %s to search it…"), r->name);

      queue_range (self, r->address, r->address + r->size - 1, FALSE);
      set_status (self, msg);
    }
  read_next (self);
}

/* ---------------------------------------------------------- actions */

static void
show_bar (KilnMemoryView *self,
          GtkSearchBar   *bar,
          GtkEntry       *entry)
{
  gtk_search_bar_set_search_mode (bar == self->find_bar ? self->goto_bar : self->find_bar, FALSE);
  gtk_search_bar_set_search_mode (bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (entry));
  gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KilnMemoryView *self = KILN_MEMORY_VIEW (widget);

  show_bar (self, self->find_bar, self->find_entry);
}

static void
goto_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KilnMemoryView *self = KILN_MEMORY_VIEW (widget);

  show_bar (self, self->goto_bar, self->goto_entry);
}

static void
next_difference_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  KilnMemoryView *self = KILN_MEMORY_VIEW (widget);
  guint32 found;

  if (kiln_hex_view_find_difference (self->hex, kiln_hex_view_get_cursor (self->hex), &found))
    {
      kiln_hex_view_set_cursor (self->hex, found);
      gtk_widget_grab_focus (GTK_WIDGET (self->hex));
      visible_changed_cb (self);
    }
  else
    set_status (self, _("No byte read so far differs from the file."));
}

static void
reread_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  kiln_memory_view_read_again (KILN_MEMORY_VIEW (widget), NULL);
}

/* ----------------------------------------------------------- object */

static GtkWidget *
bar_with_entry (GtkEntry   **entry,
                const char  *label_text,
                const char  *placeholder)
{
  GtkWidget *bar = gtk_search_bar_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (label_text);

  *entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (*entry, placeholder);
  gtk_widget_set_size_request (GTK_WIDGET (*entry), 320, -1);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (*entry));
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*entry));
  gtk_search_bar_set_child (GTK_SEARCH_BAR (bar), box);
  gtk_search_bar_connect_entry (GTK_SEARCH_BAR (bar), GTK_EDITABLE (*entry));
  gtk_search_bar_set_show_close_button (GTK_SEARCH_BAR (bar), TRUE);
  return bar;
}

static GtkWidget *
header_button (const char *icon,
               const char *action,
               const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  return button;
}

static void
build (KilnMemoryView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *rows = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *footer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *scrollbar;

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("Memory"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  self->region_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->region_dropdown), _("The memory shown"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->region_dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The memory shown"), -1);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->region_dropdown));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header),
                           header_button ("view-refresh-symbolic", "memory.read-again", _("Read Again (Ctrl+R)")));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header),
                           header_button ("edit-find-symbolic", "memory.find", _("Find Bytes or Text (Ctrl+F)")));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header),
                           header_button ("go-jump-symbolic", "memory.go-to", _("Go to Address (Ctrl+G)")));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header),
                           header_button ("go-down-symbolic", "memory.next-difference",
                                          _("Next Difference From the File (Ctrl+D)")));
  gtk_box_append (GTK_BOX (box), header);

  self->goto_bar = GTK_SEARCH_BAR (bar_with_entry (&self->goto_entry, _("_Go to address"), _("0x08004000")));
  g_signal_connect_swapped (self->goto_entry, "activate", G_CALLBACK (goto_activate_cb), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->goto_bar));
  self->find_bar = GTK_SEARCH_BAR (bar_with_entry (&self->find_entry, _("_Find"),
                                                   _("Hex bytes (DE AD BE EF) or text")));
  g_signal_connect_swapped (self->find_entry, "activate", G_CALLBACK (find_activate_cb), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->find_bar));

  self->hex = KILN_HEX_VIEW (kiln_hex_view_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->hex), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->hex), TRUE);
  g_signal_connect_swapped (self->hex, "cursor-moved", G_CALLBACK (cursor_moved_cb), self);
  g_signal_connect_object (kiln_hex_view_get_adjustment (self->hex), "value-changed",
                           G_CALLBACK (visible_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (kiln_hex_view_get_adjustment (self->hex), "changed",
                           G_CALLBACK (visible_changed_cb), self, G_CONNECT_SWAPPED);
  scrollbar = gtk_scrollbar_new (GTK_ORIENTATION_VERTICAL, kiln_hex_view_get_adjustment (self->hex));
  gtk_box_append (GTK_BOX (rows), GTK_WIDGET (self->hex));
  gtk_box_append (GTK_BOX (rows), scrollbar);
  gtk_box_append (GTK_BOX (box), rows);

  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status, 0);
  gtk_label_set_wrap (self->status, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->status), TRUE);
  self->cursor_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->cursor_label, 1);
  gtk_widget_add_css_class (GTK_WIDGET (self->cursor_label), "monospace");
  gtk_widget_add_css_class (GTK_WIDGET (self->cursor_label), "dim-label");
  gtk_widget_set_margin_start (footer, 12);
  gtk_widget_set_margin_end (footer, 12);
  gtk_widget_set_margin_top (footer, 6);
  gtk_widget_set_margin_bottom (footer, 6);
  gtk_box_append (GTK_BOX (footer), GTK_WIDGET (self->status));
  gtk_box_append (GTK_BOX (footer), GTK_WIDGET (self->cursor_label));
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), footer);

  adw_window_set_content (ADW_WINDOW (self), box);
}

static void
region_clear (gpointer data)
{
  Region *r = data;
  g_free (r->name);
}

static void
kiln_memory_view_dispose (GObject *object)
{
  KilnMemoryView *self = KILN_MEMORY_VIEW (object);

  /* A chunk still being read finds a newer generation and is dropped. */
  self->generation++;
  g_queue_clear (&self->queue);
  g_clear_handle_id (&self->visible_idle, g_source_remove);
  g_clear_object (&self->session);
  g_clear_object (&self->probe);
  g_clear_object (&self->chip);
  g_clear_object (&self->image);

  G_OBJECT_CLASS (kiln_memory_view_parent_class)->dispose (object);
}

static void
kiln_memory_view_finalize (GObject *object)
{
  KilnMemoryView *self = KILN_MEMORY_VIEW (object);

  g_clear_pointer (&self->regions, g_array_unref);
  g_clear_pointer (&self->chunks, g_free);
  g_clear_pointer (&self->find, g_bytes_unref);
  g_clear_pointer (&self->find_text, g_free);
  g_clear_pointer (&self->status_text, g_free);

  G_OBJECT_CLASS (kiln_memory_view_parent_class)->finalize (object);
}

static void
kiln_memory_view_class_init (KilnMemoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_memory_view_dispose;
  object_class->finalize = kiln_memory_view_finalize;

  gtk_widget_class_install_action (widget_class, "memory.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "memory.go-to", NULL, goto_action);
  gtk_widget_class_install_action (widget_class, "memory.next-difference", NULL, next_difference_action);
  gtk_widget_class_install_action (widget_class, "memory.read-again", NULL, reread_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "memory.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "memory.go-to", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "memory.next-difference", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "memory.read-again", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
kiln_memory_view_init (KilnMemoryView *self)
{
  self->regions = g_array_new (FALSE, TRUE, sizeof (Region));
  g_array_set_clear_func (self->regions, region_clear);
  g_queue_init (&self->queue);
  gtk_window_set_title (GTK_WINDOW (self), _("Memory"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1024, 600);
  build (self);
}

KilnMemoryView *
kiln_memory_view_new (GtkWindow        *parent,
                      KilnSession      *session,
                      KilnUsbProbeInfo *probe,
                      guint             khz,
                      gboolean          under_reset,
                      KilnChip         *chip,
                      KilnImage        *image)
{
  KilnMemoryView *self = g_object_new (KILN_TYPE_MEMORY_VIEW, "transient-for", parent, NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  Region flash = { g_strdup (_("Flash")), kiln_chip_get_flash_base (chip), kiln_chip_get_flash_size (chip) };
  g_autofree char *subtitle = NULL;

  self->session = g_object_ref (session);
  self->probe = g_object_ref (probe);
  self->khz = khz;
  self->under_reset = under_reset;
  self->chip = g_object_ref (chip);
  self->image = image != NULL ? g_object_ref (image) : NULL;
  g_array_append_val (self->regions, flash);
  gtk_string_list_append (names, flash.name);
  for (guint i = 0; i < kiln_chip_get_n_ram (chip); i++)
    {
      const KilnMemRegion *ram = kiln_chip_get_ram (chip, i);
      Region r = { g_strdup (ram->name), ram->address, ram->size };

      g_array_append_val (self->regions, r);
      gtk_string_list_append (names, r.name);
    }
  gtk_drop_down_set_model (self->region_dropdown, G_LIST_MODEL (names));
  g_signal_connect_swapped (self->region_dropdown, "notify::selected", G_CALLBACK (region_selected_cb), self);
  subtitle = image != NULL ? g_strdup_printf ("%s · %s", kiln_chip_get_name (chip), kiln_image_get_display_name (image))
                           : g_strdup (kiln_chip_get_name (chip));
  adw_window_title_set_subtitle (self->title, subtitle);
  set_region (self, 0);
  return self;
}

void
kiln_memory_view_set_image (KilnMemoryView *self,
                            KilnImage      *image)
{
  guint32 cursor;

  g_return_if_fail (KILN_IS_MEMORY_VIEW (self));
  if (image == self->image)
    return;
  g_set_object (&self->image, image);
  cursor = kiln_hex_view_get_cursor (self->hex);
  set_region (self, self->region);
  kiln_memory_view_go_to (self, cursor);
}

void
kiln_memory_view_read_again (KilnMemoryView *self,
                             const char     *why)
{
  g_return_if_fail (KILN_IS_MEMORY_VIEW (self));

  /* A chunk still being read is of the old chip: dropped. */
  self->generation++;
  self->reading = FALSE;
  g_queue_clear (&self->queue);
  g_clear_pointer (&self->find, g_bytes_unref);
  memset (self->chunks, CHUNK_UNREAD, self->n_chunks);
  kiln_hex_view_forget_chip_bytes (self->hex);
  kiln_hex_view_set_match (self->hex, 0, 0);
  cursor_moved_cb (self);
  /* The rows in view, where they are; said until they are read. */
  read_visible (self);
  if (why != NULL)
    set_status (self, why);
}

KilnHexView *
_kiln_memory_view_get_hex_view (KilnMemoryView *self)
{
  return self->hex;
}

const char *
_kiln_memory_view_get_status (KilnMemoryView *self)
{
  return self->status_text;
}

gboolean
_kiln_memory_view_is_idle (KilnMemoryView *self)
{
  return !self->reading && g_queue_is_empty (&self->queue) && self->find == NULL;
}
