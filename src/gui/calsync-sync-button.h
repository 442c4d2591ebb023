/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-button.h: the header bar's Sync button — spinner while the engine syncs,
 * last sync time in its tooltip. */
#pragma once

#include <gtk/gtk.h>

#include "calsync-store.h"
#include "calsync-sync-engine.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_SYNC_BUTTON (calsync_sync_button_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncSyncButton, calsync_sync_button, CALSYNC, SYNC_BUTTON, GtkWidget)

/* Listens to @engine's ::sync-started / ::sync-finished and @store's ::changed */
void       calsync_sync_button_bind         (CalsyncSyncButton *self,
                                             CalsyncSyncEngine *engine,
                                             CalsyncStore      *store);
gboolean   calsync_sync_button_get_syncing  (CalsyncSyncButton *self);
gboolean   calsync_sync_button_get_spinning (CalsyncSyncButton *self);
/* "Last synced 5 minutes ago", "Never synced" for the newest sync of @store's
 * active calendars, relative to @now_usec (Unix microseconds) */
char      *calsync_sync_button_format_last_sync (gint64 last_sync_usec,
                                                 gint64 now_usec);

G_END_DECLS
