/* kiln-otp-window.c — the chip's one-time-programmable area in the window
 *
 * Everything runs on the probe's session worker (core/job's target job).
 * Write… first runs the job as a dry run, which checks the bytes against
 * what the chip holds (a locked block, bytes already programmed) and
 * refuses before anything is asked; only then does it ask, and writing
 * with Lock, or Lock…, needs "I understand" ticked as well: the same
 * guards as `kiln-cli otp` (--confirm, --irreversible).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-otp-window-private.h"
#include "kiln-target-job.h"

struct _KilnOtpWindow
{
  AdwWindow          parent_instance;

  KilnSession       *session;
  KilnUsbProbeInfo  *probe;
  guint              khz;
  gboolean           under_reset;
  gboolean           have_otp;
  gboolean           busy;
  KilnFlashOtp       otp;
  char              *status_text;

  AdwWindowTitle    *title;
  AdwPreferencesGroup *blocks_group;
  AdwActionRow      *rows[KILN_FLASH_OTP_BLOCKS];
  GtkWidget         *lock_buttons[KILN_FLASH_OTP_BLOCKS];
  GtkEntry          *block_entry;
  GtkEntry          *bytes_entry;
  GtkCheckButton    *lock_check;
  GtkWidget         *write_button;
  GtkLabel          *status;
};

G_DEFINE_FINAL_TYPE (KilnOtpWindow, kiln_otp_window, ADW_TYPE_WINDOW)

static void
set_status (KilnOtpWindow *self,
            const char    *text)
{
  g_free (self->status_text);
  self->status_text = g_strdup (text);
  gtk_label_set_label (self->status, text);
}

static char *
block_bytes (KilnOtpWindow *self,
             guint          block)
{
  const KilnFlashOtpLayout *l = &self->otp.layout;
  const guint8 *data = self->otp.data + block * l->block_size;
  GString *s = g_string_new (NULL);
  gboolean erased = TRUE;

  for (guint i = 0; i < l->block_size; i++)
    erased &= data[i] == 0xFF;
  if (erased)
    {
      g_string_free (s, TRUE);
      return g_strdup (_("erased (all FF)"));
    }
  for (guint i = 0; i < l->block_size; i++)
    g_string_append_printf (s, "%s%02X", i > 0 ? " " : "", data[i]);
  return g_string_free (s, FALSE);
}

static void
show_otp (KilnOtpWindow *self)
{
  const KilnFlashOtpLayout *l = &self->otp.layout;

  for (guint b = 0; b < KILN_FLASH_OTP_BLOCKS; b++)
    {
      gboolean locked = self->have_otp && kiln_flash_otp_is_locked (&self->otp, b);
      g_autofree char *title = NULL;
      g_autofree char *bytes = NULL;

      if (!self->have_otp)
        continue;
      /* Translators: "Block 2 · 0x1FF0F440 · locked" */
      title = g_strdup_printf (_("Block %u · 0x%08X · %s"), b, l->base + b * l->block_size,
                               locked ? _("locked") : _("open"));
      bytes = block_bytes (self, b);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->rows[b]), title);
      adw_action_row_set_subtitle (self->rows[b], bytes);
      gtk_widget_set_visible (self->lock_buttons[b], !locked);
    }
  if (self->have_otp)
    {
      /* Translators: "16 blocks of 64 bytes at 0x1FF0F000; lock bytes at 0x1FF0F400" */
      g_autofree char *text = g_strdup_printf (_("16 blocks of %u bytes at 0x%08X; lock bytes at 0x%08X"),
                                               l->block_size, l->base, l->lock_base);
      adw_preferences_group_set_description (self->blocks_group, text);
    }
  gtk_widget_set_sensitive (self->write_button, self->have_otp && !self->busy);
  for (guint b = 0; b < KILN_FLASH_OTP_BLOCKS; b++)
    gtk_widget_set_sensitive (self->lock_buttons[b], self->have_otp && !self->busy);
}

/* ------------------------------------------------------------- jobs */

typedef enum
{
  STEP_READ,
  STEP_CHECK,   /* a write's dry run: the guards, nothing written */
  STEP_WRITE,
  STEP_LOCK,
} Step;

typedef struct
{
  KilnOtpWindow *self;
  KilnTargetJob *job;
  Step           step;
} OtpCall;

static void confirm_write (KilnOtpWindow *self,
                           KilnTargetJob *checked);

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OtpCall *call = user_data;
  g_autoptr(KilnOtpWindow) self = call->self;
  g_autoptr(GError) error = NULL;
  KilnTargetJob *job = call->job;

  self->busy = FALSE;
  if (kiln_session_run_finish (KILN_SESSION (source), result, &error))
    {
      self->otp = job->otp;
      self->have_otp = TRUE;
      switch (call->step)
        {
        case STEP_READ:
          set_status (self, _("Read from the chip."));
          break;
        case STEP_CHECK:
          set_status (self, "");
          confirm_write (self, job);
          break;
        case STEP_WRITE:
          {
            /* Translators: "Wrote 4 bytes at 0x1FF0F080, read back and checked." */
            g_autofree char *text = g_strdup_printf (_("Wrote %u bytes at 0x%08X, read back and checked."),
                                                     job->otp_result.written, (guint32) job->address);
            set_status (self, text);
          }
          break;
        case STEP_LOCK:
          set_status (self, _("Locked for good."));
          break;
        default:
          break;
        }
    }
  else
    {
      /* A refusal says itself that nothing was written. */
      g_autofree char *text = call->step == STEP_READ
                              ? g_strdup_printf (_("The OTP area could not be read: %s"), error->message)
                              : g_strdup (error->message);
      set_status (self, text);
    }
  show_otp (self);
  g_free (call);
}

static void
run (KilnOtpWindow     *self,
     KilnTargetJob     *job,
     Step               step,
     const char        *busy_text)
{
  OtpCall *call = g_new0 (OtpCall, 1);

  job->probe.khz = self->khz;
  job->probe.under_reset = self->under_reset;
  call->self = g_object_ref (self);
  call->job = job;
  call->step = step;
  self->busy = TRUE;
  set_status (self, busy_text);
  show_otp (self);
  kiln_session_run_async (self->session, kiln_target_job_run, job, (GDestroyNotify) kiln_target_job_free, NULL, NULL,
                          job_done_cb, call);
}

static void
read_otp (KilnOtpWindow *self)
{
  run (self, kiln_target_job_new (KILN_TARGET_JOB_OTP_READ, self->probe), STEP_READ,
       _("Reading the OTP area…"));
}

/* ------------------------------------------------------------ write */

static KilnTargetJob *
write_job (KilnOtpWindow *self,
           guint32        address,
           GBytes        *bytes,
           gboolean       lock)
{
  KilnTargetJob *job = kiln_target_job_new (KILN_TARGET_JOB_OTP_WRITE, self->probe);

  job->address = address;
  job->otp_bytes = g_bytes_ref (bytes);
  job->otp_lock = lock;
  return job;
}

static void
write_clicked_cb (KilnOtpWindow *self)
{
  const char *block_text = gtk_editable_get_text (GTK_EDITABLE (self->block_entry));
  const char *bytes_text = gtk_editable_get_text (GTK_EDITABLE (self->bytes_entry));
  g_autoptr(GBytes) bytes = NULL;
  KilnTargetJob *job;
  guint64 block;

  if (!g_ascii_string_to_unsigned (block_text, 10, 0, KILN_FLASH_OTP_BLOCKS - 1, &block, NULL))
    {
      /* Translators: %s is what was typed */
      g_autofree char *text = g_strdup_printf (_("“%s” is not a block: enter a number from 0 to 15."), block_text);
      set_status (self, text);
      return;
    }
  bytes = kiln_flash_otp_parse_bytes (bytes_text, NULL);
  if (bytes == NULL || g_bytes_get_size (bytes) > self->otp.layout.block_size)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” is not 1 to %u whole bytes in hexadecimal, like DEADBEEF "
                                                 "or “de ad be ef”."), bytes_text, self->otp.layout.block_size);
      set_status (self, text);
      return;
    }
  /* The dry run: the chip's own answer to whether this can be written. */
  job = write_job (self, self->otp.layout.base + (guint32) block * self->otp.layout.block_size, bytes,
                   gtk_check_button_get_active (self->lock_check));
  job->dry_run = TRUE;
  run (self, job, STEP_CHECK, _("Checking against the chip…"));
}

static void
understood_toggled_cb (GtkCheckButton   *check,
                       AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "go", gtk_check_button_get_active (check));
}

/* A confirmation; with @irreversible_text, "I understand" must be ticked. */
static AdwMessageDialog *
ask (KilnOtpWindow *self,
     const char    *heading,
     const char    *body,
     const char    *go_label,
     const char    *irreversible_text)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "go", go_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "go", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  if (irreversible_text != NULL)
    {
      GtkWidget *check = gtk_check_button_new_with_mnemonic (irreversible_text);

      adw_message_dialog_set_extra_child (dialog, check);
      adw_message_dialog_set_response_enabled (dialog, "go", FALSE);
      g_signal_connect_object (check, "toggled", G_CALLBACK (understood_toggled_cb), dialog, 0);
    }
  return dialog;
}

static void
write_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   KilnOtpWindow    *self)
{
  KilnTargetJob *job;

  if (g_strcmp0 (response, "go") != 0)
    return;
  job = write_job (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "kiln-address")),
                   g_object_get_data (G_OBJECT (dialog), "kiln-bytes"),
                   GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "kiln-lock")));
  job->confirm = TRUE;
  job->irreversible = job->otp_lock;
  run (self, job, STEP_WRITE, _("Writing the OTP area…"));
}

static void
confirm_write (KilnOtpWindow *self,
               KilnTargetJob *checked)
{
  gsize n = g_bytes_get_size (checked->otp_bytes);
  guint block = (checked->address - self->otp.layout.base) / self->otp.layout.block_size;
  g_autofree char *heading = g_strdup_printf (_("Write OTP Block %u?"), block);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  /* Translators: %zu bytes, at an address; OTP bytes can never be erased */
  body = g_strdup_printf (checked->otp_lock
                          ? _("%zu bytes go to 0x%08X and the block is then locked. OTP bytes can never be erased, "
                              "and a locked block can never be written again.")
                          : _("%zu bytes go to 0x%08X. OTP bytes can never be erased: once written, they stay."),
                          n, (guint32) checked->address);
  dialog = ask (self, heading, body, checked->otp_lock ? _("_Write and Lock") : _("_Write"),
                checked->otp_lock ? _("I _understand that this block can never be changed again") : NULL);
  g_object_set_data (G_OBJECT (dialog), "kiln-address", GUINT_TO_POINTER ((guint32) checked->address));
  g_object_set_data_full (G_OBJECT (dialog), "kiln-bytes", g_bytes_ref (checked->otp_bytes),
                          (GDestroyNotify) g_bytes_unref);
  g_object_set_data (G_OBJECT (dialog), "kiln-lock", GINT_TO_POINTER (checked->otp_lock));
  g_signal_connect_object (dialog, "response", G_CALLBACK (write_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------- lock */

static void
lock_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  KilnOtpWindow    *self)
{
  KilnTargetJob *job;

  if (g_strcmp0 (response, "go") != 0)
    return;
  job = kiln_target_job_new (KILN_TARGET_JOB_OTP_LOCK, self->probe);
  job->otp_blocks = 1u << GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "kiln-block"));
  job->confirm = TRUE;
  job->irreversible = TRUE;
  run (self, job, STEP_LOCK, _("Locking the block…"));
}

static void
lock_clicked_cb (GtkButton     *button,
                 KilnOtpWindow *self)
{
  guint block = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "kiln-block"));
  g_autofree char *heading = g_strdup_printf (_("Lock OTP Block %u?"), block);
  AdwMessageDialog *dialog = ask (self, heading,
                                  _("A locked block can never be written again, by Kiln or anything else. This "
                                    "cannot be undone."),
                                  _("_Lock"), _("I _understand that this block can never be changed again"));

  g_object_set_data (G_OBJECT (dialog), "kiln-block", GUINT_TO_POINTER (block));
  g_signal_connect_object (dialog, "response", G_CALLBACK (lock_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ----------------------------------------------------------- object */

static GtkWidget *
entry_row (GtkWidget  *grid,
           int         row,
           const char *title,
           GtkEntry  **entry,
           const char *placeholder)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (title);

  *entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (*entry, placeholder);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (*entry));
  gtk_widget_set_hexpand (GTK_WIDGET (*entry), TRUE);
  gtk_grid_attach (GTK_GRID (grid), label, 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (*entry), 1, row, 1, 1);
  return GTK_WIDGET (*entry);
}

static void
build (KilnOtpWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *write_group = adw_preferences_group_new ();
  GtkWidget *grid = gtk_grid_new ();

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("One-Time-Programmable Area"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (box), header);

  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_set_margin_start (GTK_WIDGET (self->status), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->status), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->status), 6);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (write_group), _("Write a Block"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (write_group),
                                         _("OTP bytes can be written once and never erased. Only bytes still "
                                           "erased (FF) can be written, and never in a locked block."));
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  entry_row (grid, 0, _("_Block"), &self->block_entry, _("0 to 15"));
  entry_row (grid, 1, _("B_ytes"), &self->bytes_entry, _("Hexadecimal, like DE AD BE EF"));
  self->lock_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("_Lock the block after writing")));
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->lock_check), 1, 2, 1, 1);
  self->write_button = gtk_button_new_with_mnemonic (_("_Write…"));
  gtk_widget_add_css_class (self->write_button, "destructive-action");
  gtk_widget_set_halign (self->write_button, GTK_ALIGN_END);
  g_signal_connect_swapped (self->write_button, "clicked", G_CALLBACK (write_clicked_cb), self);
  gtk_grid_attach (GTK_GRID (grid), self->write_button, 1, 3, 1, 1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (write_group), grid);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (write_group));

  self->blocks_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->blocks_group, _("Blocks"));
  for (guint b = 0; b < KILN_FLASH_OTP_BLOCKS; b++)
    {
      g_autofree char *title = g_strdup_printf (_("Block %u"), b);
      GtkWidget *lock = gtk_button_new_with_label (_("Lock…"));

      self->rows[b] = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->rows[b]), title);
      adw_action_row_set_subtitle (self->rows[b], "…");
      gtk_widget_add_css_class (GTK_WIDGET (self->rows[b]), "property");
      gtk_widget_set_valign (lock, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (lock), "kiln-block", GUINT_TO_POINTER (b));
      g_signal_connect (lock, "clicked", G_CALLBACK (lock_clicked_cb), self);
      gtk_widget_set_tooltip_text (lock, title);
      adw_action_row_add_suffix (self->rows[b], lock);
      self->lock_buttons[b] = lock;
      adw_preferences_group_add (self->blocks_group, GTK_WIDGET (self->rows[b]));
    }
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->blocks_group);

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status));
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);
}

static void
kiln_otp_window_dispose (GObject *object)
{
  KilnOtpWindow *self = KILN_OTP_WINDOW (object);

  g_clear_object (&self->session);
  g_clear_object (&self->probe);

  G_OBJECT_CLASS (kiln_otp_window_parent_class)->dispose (object);
}

static void
kiln_otp_window_finalize (GObject *object)
{
  KilnOtpWindow *self = KILN_OTP_WINDOW (object);

  g_free (self->status_text);

  G_OBJECT_CLASS (kiln_otp_window_parent_class)->finalize (object);
}

static void
kiln_otp_window_class_init (KilnOtpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_otp_window_dispose;
  object_class->finalize = kiln_otp_window_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
kiln_otp_window_init (KilnOtpWindow *self)
{
  gtk_window_set_title (GTK_WINDOW (self), _("One-Time-Programmable Area"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 720);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  build (self);
}

KilnOtpWindow *
kiln_otp_window_new (GtkWindow        *parent,
                     KilnSession      *session,
                     KilnUsbProbeInfo *probe,
                     guint             khz,
                     gboolean          under_reset)
{
  KilnOtpWindow *self = g_object_new (KILN_TYPE_OTP_WINDOW, "transient-for", parent, NULL);

  self->session = g_object_ref (session);
  self->probe = g_object_ref (probe);
  self->khz = khz;
  self->under_reset = under_reset;
  read_otp (self);
  return self;
}

gboolean
_kiln_otp_window_is_ready (KilnOtpWindow *self)
{
  return self->have_otp && !self->busy;
}

const char *
_kiln_otp_window_get_status (KilnOtpWindow *self)
{
  return self->status_text;
}

const KilnFlashOtp *
_kiln_otp_window_get_otp (KilnOtpWindow *self)
{
  return self->have_otp ? &self->otp : NULL;
}

GtkWidget *
_kiln_otp_window_get_block_entry (KilnOtpWindow *self)
{
  return GTK_WIDGET (self->block_entry);
}

GtkWidget *
_kiln_otp_window_get_bytes_entry (KilnOtpWindow *self)
{
  return GTK_WIDGET (self->bytes_entry);
}

GtkWidget *
_kiln_otp_window_get_lock_check (KilnOtpWindow *self)
{
  return GTK_WIDGET (self->lock_check);
}

GtkWidget *
_kiln_otp_window_get_write_button (KilnOtpWindow *self)
{
  return self->write_button;
}

GtkWidget *
_kiln_otp_window_get_lock_button (KilnOtpWindow *self,
                                  guint          block)
{
  g_return_val_if_fail (block < KILN_FLASH_OTP_BLOCKS, NULL);
  return self->lock_buttons[block];
}

char *
_kiln_otp_window_dup_row_text (KilnOtpWindow *self,
                               guint          block)
{
  g_return_val_if_fail (block < KILN_FLASH_OTP_BLOCKS, NULL);
  return g_strdup_printf ("%s: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->rows[block])),
                          adw_action_row_get_subtitle (self->rows[block]));
}
