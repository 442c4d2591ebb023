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
