/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-progress.h: "Syncing… 3 of 5 calendars" for a sync that takes more
 * than a second — one per engine, shared by the Sync button and Preferences. */
#pragma once

#include <glib-object.h>

#include "calsync-sync-engine.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_SYNC_PROGRESS (calsync_sync_progress_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncSyncProgress, calsync_sync_progress, CALSYNC, SYNC_PROGRESS, GObject)

/* The one of @engine (created on first use, owned by @engine) */
CalsyncSyncProgress *calsync_sync_progress_get_for_engine (CalsyncSyncEngine   *engine);
/* "Syncing… 3 of 5 calendars" once the sync has run for a second and its
 * calendars are counted, else NULL; notifies ::text when it changes */
const char          *calsync_sync_progress_get_text       (CalsyncSyncProgress *self);
/* How long a sync runs before its progress shows (1000 ms; tests set 0) */
void                 calsync_sync_progress_set_delay      (CalsyncSyncProgress *self,
                                                           guint                delay_ms);

G_END_DECLS
