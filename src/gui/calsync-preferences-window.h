/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-preferences-window.h: accounts, their calendars, Sync Now with the outcome
 * of the last sync, and the sync window. */
#pragma once

#include <adwaita.h>

#include "calsync-account-group.h"
#include "calsync-add-account-dialog.h"
#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_PREFERENCES_WINDOW (calsync_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncPreferencesWindow, calsync_preferences_window, CALSYNC, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWindow *calsync_preferences_window_new (CalsyncStore *store,
                                           GSettings    *settings);

G_END_DECLS
