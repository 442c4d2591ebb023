/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-gui.h: things every GUI class needs before its first instance. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Registers the GResource with the .ui templates and style.css (idempotent). */
void calsync_gui_ensure_resources (void);

/* Unparents a closed popover from an idle: "closed" is emitted from inside the
 * popover's own handlers, where unparenting it would pull the rug. */
void calsync_gui_unparent_later   (GtkWidget *popover);

/* For the user_data of a write that may end after its widget is gone: a weak
 * reference to @object, and, in the callback, the object again (a strong
 * reference, or NULL once it is finalized) with the weak reference freed. */
GWeakRef *calsync_gui_weak_ref_new  (gpointer   object);
gpointer  calsync_gui_weak_ref_take (GWeakRef  *ref);

/* A button read once by screen readers: by its accessible label (set in the
 * template, or with @name_from_label its own text without the mnemonic underscore),
 * with what is inside it, a mnemonic label ("Today Today" on GTK 4.8) or an
 * icon ("GtkImage"), out of the accessibility tree. A menu button's inner
 * toggle button, which takes the focus, is named by the tooltip. */
void calsync_gui_name_button_once (GtkWidget *button,
                                   gboolean   name_from_label);

/* GtkWidget::focus for Tab and Shift+Tab through @chain (the widget's
 * focusable children in reading order, not GTK's on-screen order); focus
 * somewhere else inside @widget (an event's popover) is left to @parent_class */
gboolean calsync_gui_focus_in_order (GtkWidget        *widget,
                                     GtkWidgetClass   *parent_class,
                                     GPtrArray        *chain,
                                     GtkDirectionType  direction);

G_END_DECLS
