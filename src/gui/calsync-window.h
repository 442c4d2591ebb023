/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-window.h: the main window — header bar, month and week views, empty state. */
#pragma once

#include <adwaita.h>

#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_WINDOW (calsync_window_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncWindow, calsync_window, CALSYNC, WINDOW, AdwApplicationWindow)

CalsyncWindow *calsync_window_new              (GtkApplication *application,
                                                CalsyncStore   *store,
                                                GSettings      *settings);
/* "month" or "week" */
const char    *calsync_window_get_view         (CalsyncWindow  *self);
void           calsync_window_set_view         (CalsyncWindow  *self,
                                                const char     *view);
void           calsync_window_set_date         (CalsyncWindow  *self,
                                                GDateTime      *date);
/* The visible range title, "November 2026" */
const char    *calsync_window_get_title_text   (CalsyncWindow  *self);
/* "empty" or "calendar" */
const char    *calsync_window_get_page         (CalsyncWindow  *self);
GtkWidget     *calsync_window_get_month_view   (CalsyncWindow  *self);
GtkWidget     *calsync_window_get_week_view    (CalsyncWindow  *self);
void           calsync_window_add_toast        (CalsyncWindow  *self,
                                                AdwToast       *toast);
/* The toast announcing the last sync while it shows, or NULL */
AdwToast      *calsync_window_get_sync_toast   (CalsyncWindow  *self);

G_END_DECLS
