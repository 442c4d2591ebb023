/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-window-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-edit-undo.h"
#include "calsync-window.h"

G_BEGIN_DECLS

/* "month" or "week" */
const char    *calsync_window_get_view         (CalsyncWindow  *self);
/* The visible range title, "November 2026" */
const char    *calsync_window_get_title_text   (CalsyncWindow  *self);
/* "empty" or "calendar" */
const char    *calsync_window_get_page         (CalsyncWindow  *self);
GtkWidget     *calsync_window_get_month_view   (CalsyncWindow  *self);
GtkWidget     *calsync_window_get_week_view    (CalsyncWindow  *self);
/* The toast announcing the last sync while it shows, or NULL */
AdwToast      *calsync_window_get_sync_toast   (CalsyncWindow  *self);
/* The last edit made here, which Ctrl+Z takes back until a sync sends it */
CalsyncEditUndo *calsync_window_get_edit_undo  (CalsyncWindow  *self);
/* The text the live region announces while it shows (GTK < 4.14), or NULL */
const char    *calsync_window_get_announcement (CalsyncWindow  *self);
/* The short title shown in a narrow window, "Nov 2026" */
const char    *calsync_window_get_short_title_text (CalsyncWindow *self);

G_END_DECLS
