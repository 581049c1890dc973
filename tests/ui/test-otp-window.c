/* test-otp-window.c — the one-time-programmable area in the window: a block
 * written and locked on the bench through real key presses and clicks,
 * with the guards of `kiln-cli otp`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kiln-otp-window-private.h"
#include "kiln-test-input.h"
#include "kiln-test-window.h"

#define OTP_BASE   0x1FF0F000u   /* STM32F746NG: 16 blocks of 64 bytes */
#define BLOCK_SIZE 64

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

static gboolean
otp_shown (gpointer data)
{
  return find_toplevel (KILN_TYPE_OTP_WINDOW) != NULL;
}

static gboolean
otp_ready (gpointer data)
{
  return _kiln_otp_window_is_ready (data);
}

static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget)
      && (label == NULL || g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Types @text into @entry after clicking it (all it held selected first). */
static void
type_into (GtkWidget  *entry,
           const char *text)
{
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (entry));

  kiln_test_input_click (entry);
  kiln_test_input_keys (window, "ctrl+a BackSpace");
  kiln_test_input_type (window, text);
}

/* Clicks @response_label in the dialog shown, ticking "I understand" first
 * when @understand. */
static void
answer (const char *response_label,
        gboolean    understand)
{
  AdwMessageDialog *dialog;
  GtkWidget *button;

  g_assert_true (kiln_test_spin_until (dialog_shown, NULL, 10000));
  dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  kiln_test_spin (300);
  g_assert_cmpint (adw_message_dialog_get_response_enabled (dialog, "go"), ==, !understand);
  if (understand)
    {
      kiln_test_input_click (find_widget (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON, NULL));
      g_assert_true (adw_message_dialog_get_response_enabled (dialog, "go"));
    }
  button = find_widget (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, response_label);
  g_assert_nonnull (button);
  kiln_test_input_click (button);
  g_assert_true (kiln_test_spin_until (dialog_gone, NULL, 10000));
}

/* Block 2 written (checked against the chip, confirmed), a second write
 * over its programmed bytes refused before anything is asked, then the
 * block locked with "I understand" ticked: the bench's otp.bin holds it. */
static void
test_otp_write_lock (void)
{
  g_autofree char *flash_path = kiln_test_use_bench ("");
  g_autofree char *dir = g_path_get_dirname (flash_path);
  g_autofree char *otp_path = g_build_filename (dir, "otp.bin", NULL);
  g_autofree char *otp = NULL;
  g_autofree char *row = NULL;
  KilnWindow *window = kiln_test_window_new (1024, 600);
  KilnOtpWindow *ow;
  gsize length;

  kiln_test_wait_identified (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.otp", NULL));
  g_assert_true (kiln_test_spin_until (otp_shown, NULL, 10000));
  ow = KILN_OTP_WINDOW (find_toplevel (KILN_TYPE_OTP_WINDOW));
  g_assert_true (kiln_test_spin_until (otp_ready, ow, 30000));
  row = _kiln_otp_window_dup_row_text (ow, 2);
  g_assert_cmpstr (row, ==, "Block 2 · 0x1FF0F080 · open: erased (all FF)");

  type_into (_kiln_otp_window_get_block_entry (ow), "2");
  type_into (_kiln_otp_window_get_bytes_entry (ow), "DE AD BE EF");
  kiln_test_input_click (_kiln_otp_window_get_write_button (ow));
  answer ("_Write", FALSE);
  g_assert_true (kiln_test_spin_until (otp_ready, ow, 30000));
  g_assert_cmpstr (_kiln_otp_window_get_status (ow), ==, "Wrote 4 bytes at 0x1FF0F080, read back and checked.");
  g_clear_pointer (&row, g_free);
  row = _kiln_otp_window_dup_row_text (ow, 2);
  g_assert_true (g_str_has_prefix (row, "Block 2 · 0x1FF0F080 · open: DE AD BE EF FF FF"));
  kiln_test_save_screenshot (GTK_WIDGET (ow), "memory-view-otp.png");

  /* Programmed bytes are never written over: refused, nothing asked. */
  type_into (_kiln_otp_window_get_bytes_entry (ow), "00");
  kiln_test_input_click (_kiln_otp_window_get_write_button (ow));
  g_assert_true (kiln_test_spin_until (otp_ready, ow, 30000));
  g_test_message ("refused: %s", _kiln_otp_window_get_status (ow));
  g_assert_true (g_str_has_prefix (_kiln_otp_window_get_status (ow), "OTP block 2 already holds 0xDE at 0x1FF0F080 "));
  g_assert_true (g_str_has_suffix (_kiln_otp_window_get_status (ow), "Nothing was written."));
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  /* Lock… needs "I understand". */
  kiln_test_input_click (_kiln_otp_window_get_lock_button (ow, 2));
  answer ("_Lock", TRUE);
  g_assert_true (kiln_test_spin_until (otp_ready, ow, 30000));
  g_assert_cmpstr (_kiln_otp_window_get_status (ow), ==, "Locked for good.");
  g_assert_true (kiln_flash_otp_is_locked (_kiln_otp_window_get_otp (ow), 2));
  g_assert_false (kiln_flash_otp_is_locked (_kiln_otp_window_get_otp (ow), 1));
  g_assert_false (gtk_widget_get_visible (_kiln_otp_window_get_lock_button (ow, 2)));

  gtk_window_destroy (GTK_WINDOW (ow));
  kiln_test_close (window, flash_path);
  g_assert_true (g_file_get_contents (otp_path, &otp, &length, NULL));
  g_assert_cmpuint (length, ==, 16 * BLOCK_SIZE + 16);
  g_assert_cmpmem (otp + 2 * BLOCK_SIZE, 5, "\xDE\xAD\xBE\xEF\xFF", 5);
  g_assert_cmpint ((guint8) otp[16 * BLOCK_SIZE + 2], ==, 0x00);
  g_assert_cmpint ((guint8) otp[16 * BLOCK_SIZE + 1], ==, 0xFF);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  kiln_test_ui_init (&argc, &argv);
  app = kiln_test_ui_application ("org.kiln.Kiln.TestOtpWindow");

  g_test_add_func ("/Kiln/UI/otp-window/write-lock", test_otp_write_lock);

  return g_test_run ();
}
