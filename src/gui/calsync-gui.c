/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-gui.c: things every GUI class needs before its first instance. */
#define G_LOG_DOMAIN "calsync-gui"

#include "config.h"


#include "calsync-gui.h"
#include "calsync-resources.h"

/**
 * calsync_gui_ensure_resources:
 *
 * The resources are compiled with --manual-register: a constructor in a static
 * library is dropped by the linker when nothing references its object file.
 */
void
calsync_gui_ensure_resources (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      calsync_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

static gboolean
unparent_idle (gpointer data)
{
  GtkWidget *popover = data;

  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);
  return G_SOURCE_REMOVE;
}

void
calsync_gui_unparent_later (GtkWidget *popover)
{
  g_return_if_fail (GTK_IS_WIDGET (popover));

  g_idle_add_full (G_PRIORITY_DEFAULT, unparent_idle, g_object_ref (popover), g_object_unref);
}

GWeakRef *
calsync_gui_weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_return_val_if_fail (G_IS_OBJECT (object), ref);

  g_weak_ref_init (ref, object);
  return ref;
}

gpointer
calsync_gui_weak_ref_take (GWeakRef *ref)
{
  gpointer object = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  return object;
}

void
calsync_gui_name_button_once (GtkWidget *button,
                              gboolean   name_from_label)
{
  GtkWidget *content;
  const char *label;

  g_return_if_fail (GTK_IS_WIDGET (button));

  /* A menu button is a box around a toggle button: the focus goes to the
   * inner one, which is named like the outer one */
  if (GTK_IS_MENU_BUTTON (button))
    {
      GtkWidget *inner = gtk_widget_get_first_child (button);

      if (inner == NULL)
        return;
      /* Its tooltip is its name ("Main Menu") */
      gtk_accessible_update_property (GTK_ACCESSIBLE (inner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      gtk_widget_get_tooltip_text (button), -1);
      button = inner;
    }

  if (name_from_label && GTK_IS_BUTTON (button) && (label = gtk_button_get_label (GTK_BUTTON (button))) != NULL &&
      gtk_button_get_use_underline (GTK_BUTTON (button)))
    {
      g_autofree char *plain = NULL;
      g_autoptr(GString) text = g_string_new (label);

      g_string_replace (text, "__", "\x01", 0);
      g_string_replace (text, "_", "", 0);
      g_string_replace (text, "\x01", "_", 0);
      plain = g_string_free (g_steal_pointer (&text), FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, plain, -1);
    }

  /* GTK 4.8 reads the label and then what labels it (the label child): "Today Today" */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  content = GTK_IS_BUTTON (button) ? gtk_button_get_child (GTK_BUTTON (button)) : NULL;
  if (content != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (content), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
}

gboolean
calsync_gui_focus_in_order (GtkWidget        *widget,
                            GtkWidgetClass   *parent_class,
                            GPtrArray        *chain,
                            GtkDirectionType  direction)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean forward = direction == GTK_DIR_TAB_FORWARD;
  int current = -1;

  if (focus != NULL && gtk_widget_is_ancestor (focus, widget))
    {
      for (guint i = 0; i < chain->len && current < 0; i++)
        if (g_ptr_array_index (chain, i) == focus)
          current = (int) i;
      /* Somewhere else inside (an event's popover): as GTK would */
      if (current < 0)
        return parent_class->focus (widget, direction);
    }

  for (int i = current < 0 ? (forward ? 0 : (int) chain->len - 1) : current + (forward ? 1 : -1);
       i >= 0 && i < (int) chain->len;
       i += forward ? 1 : -1)
    {
      GtkWidget *candidate = g_ptr_array_index (chain, i);

      if (gtk_widget_get_mapped (candidate) && gtk_widget_child_focus (candidate, direction))
        return TRUE;
    }
  return FALSE;
}
