/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-button-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-sync-button.h"

G_BEGIN_DECLS

gboolean   calsync_sync_button_get_syncing  (CalsyncSyncButton *self);
gboolean   calsync_sync_button_get_spinning (CalsyncSyncButton *self);
/* "Last synced 5 minutes ago", "Never synced" for the newest sync of @store's
 * active calendars, relative to @now_usec (Unix microseconds) */
char      *calsync_sync_button_format_last_sync (gint64 last_sync_usec,
                                                 gint64 now_usec);

G_END_DECLS
