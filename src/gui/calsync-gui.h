/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-gui.h: things every GUI class needs before its first instance. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the GResource with the .ui templates and style.css (idempotent). */
void calsync_gui_ensure_resources (void);

G_END_DECLS
