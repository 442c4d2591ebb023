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

G_END_DECLS
