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

G_END_DECLS
