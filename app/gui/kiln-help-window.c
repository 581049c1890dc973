/* kiln-help-window.c — the offline help: task pages in a window of their own
 *
 * A list of pages on the left, the page on the right. The pages are data
 * (kiln-help-pages.c), translated with the rest of the program, so help
 * works without a network and in the window's language. Escape closes it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-help-pages.h"
#include "kiln-help-window.h"

struct _KilnHelpWindow
{
  AdwWindow       parent_instance;

  GtkListBox     *list;
  GtkScrolledWindow *scroller;
  GtkBox         *page_box;
  const KilnHelpPage *page;
};

G_DEFINE_FINAL_TYPE (KilnHelpWindow, kiln_help_window, ADW_TYPE_WINDOW)

/* A label screen readers announce as a heading. */
static GtkWidget *
heading_new (const char *text)
{
  return g_object_new (GTK_TYPE_LABEL, "label", text, "accessible-role", GTK_ACCESSIBLE_ROLE_HEADING, NULL);
}

static GtkWidget *
block_widget (const KilnHelpBlock *block,
              guint               *step)
{
  GtkWidget *label;

  switch (block->kind)
    {
    case KILN_HELP_HEADING:
      label = heading_new (_(block->text));
      gtk_widget_add_css_class (label, "title-4");
      gtk_widget_set_margin_top (label, 12);
      *step = 0;
      break;

    case KILN_HELP_STEP:
      {
        g_autofree char *text = g_strdup_printf ("%u.  %s", ++*step, _(block->text));
        label = gtk_label_new (text);
      }
      break;

    case KILN_HELP_COMMAND:
      label = gtk_label_new (block->text);
      gtk_widget_add_css_class (label, "monospace");
      gtk_widget_add_css_class (label, "kiln-help-command");
      gtk_widget_set_margin_start (label, 18);
      break;

    case KILN_HELP_PARAGRAPH:
    case KILN_HELP_END:
    default:
      label = gtk_label_new (_(block->text));
      break;
    }

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), block->kind == KILN_HELP_COMMAND);
  return label;
}

static void
show_page (KilnHelpWindow     *self,
           const KilnHelpPage *page)
{
  GtkWidget *child;
  GtkWidget *title;
  guint step = 0;
  guint index = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->page_box))) != NULL)
    gtk_box_remove (self->page_box, child);

  self->page = page;
  title = heading_new (_(page->title));
  gtk_widget_add_css_class (title, "title-1");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_box_append (self->page_box, title);
  for (const KilnHelpBlock *b = page->blocks; b->kind != KILN_HELP_END; b++)
    gtk_box_append (self->page_box, block_widget (b, &step));

  gtk_window_set_title (GTK_WINDOW (self), _(page->title));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);

  for (const KilnHelpPage *p = kiln_help_pages (); p->id != NULL; p++, index++)
    if (p == page)
      {
        GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, index);

        if (gtk_list_box_get_selected_row (self->list) != row)
          gtk_list_box_select_row (self->list, row);
      }
}

static void
row_selected_cb (GtkListBox     *list,
                 GtkListBoxRow  *row,
                 KilnHelpWindow *self)
{
  const KilnHelpPage *pages = kiln_help_pages ();

  if (row == NULL)
    return;
  if (&pages[gtk_list_box_row_get_index (row)] != self->page)
    show_page (self, &pages[gtk_list_box_row_get_index (row)]);
}

static GtkWidget *
page_row (const KilnHelpPage *page)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (_(page->title));
  GtkWidget *summary = gtk_label_new (_(page->summary));
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_widget_add_css_class (summary, "dim-label");
  gtk_widget_add_css_class (summary, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), summary);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, _(page->title), -1);
  return row;
}

static void
kiln_help_window_class_init (KilnHelpWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kiln_help_window_init (KilnHelpWindow *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *side = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *header = adw_header_bar_new ();

  gtk_window_set_default_size (GTK_WINDOW (self), 900, 600);
  gtk_window_set_title (GTK_WINDOW (self), _("Kiln Help"));
  gtk_box_append (GTK_BOX (outer), header);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Help Pages"), -1);
  for (const KilnHelpPage *p = kiln_help_pages (); p->id != NULL; p++)
    gtk_list_box_append (self->list, page_row (p));
  g_signal_connect (self->list, "row-selected", G_CALLBACK (row_selected_cb), self);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (side), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (side), GTK_WIDGET (self->list));
  gtk_widget_set_size_request (side, 240, -1);
  gtk_box_append (GTK_BOX (body), side);
  gtk_box_append (GTK_BOX (body), gtk_separator_new (GTK_ORIENTATION_VERTICAL));

  self->page_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 10));
  gtk_widget_set_margin_top (GTK_WIDGET (self->page_box), 24);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->page_box), 24);
  gtk_widget_set_margin_start (GTK_WIDGET (self->page_box), 24);
  gtk_widget_set_margin_end (GTK_WIDGET (self->page_box), 24);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->page_box));
  self->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (self->scroller, clamp);
  gtk_widget_set_hexpand (GTK_WIDGET (self->scroller), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->scroller), TRUE);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->scroller));
  gtk_box_append (GTK_BOX (outer), body);
  adw_window_set_content (ADW_WINDOW (self), outer);

  show_page (self, &kiln_help_pages ()[0]);
}

void
kiln_help_window_show_page (KilnHelpWindow *self,
                            const char     *page_id)
{
  const KilnHelpPage *page = kiln_help_page_lookup (page_id);

  g_return_if_fail (KILN_IS_HELP_WINDOW (self));
  show_page (self, page != NULL ? page : &kiln_help_pages ()[0]);
}

GtkListBox *
kiln_help_window_get_page_list (KilnHelpWindow *self)
{
  g_return_val_if_fail (KILN_IS_HELP_WINDOW (self), NULL);
  return self->list;
}

const char *
kiln_help_window_get_page (KilnHelpWindow *self)
{
  g_return_val_if_fail (KILN_IS_HELP_WINDOW (self), NULL);
  return self->page->id;
}

KilnHelpWindow *
kiln_help_window_present (GtkWindow  *parent,
                          const char *page_id)
{
  GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;

  if (app == NULL && GTK_IS_APPLICATION (g_application_get_default ()))
    app = GTK_APPLICATION (g_application_get_default ());
  KilnHelpWindow *help = NULL;

  if (app != NULL)
    for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
      if (KILN_IS_HELP_WINDOW (l->data))
        help = l->data;

  /* Not transient for @parent: help is read beside the window it explains. */
  if (help == NULL)
    help = g_object_new (KILN_TYPE_HELP_WINDOW, "application", app, NULL);
  kiln_help_window_show_page (help, page_id);
  gtk_window_present (GTK_WINDOW (help));
  return help;
}
