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
void           calsync_window_set_view         (CalsyncWindow  *self,
                                                const char     *view);
void           calsync_window_set_date         (CalsyncWindow  *self,
                                                GDateTime      *date);
void           calsync_window_add_toast        (CalsyncWindow  *self,
                                                AdwToast       *toast);
void           calsync_window_announce         (CalsyncWindow  *self,
                                                const char     *text);

G_END_DECLS
