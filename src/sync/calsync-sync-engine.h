/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-engine.h: syncs the active calendars of the accounts in parallel. */
#pragma once

#include "calsync-auth.h"
#include "calsync-http.h"
#include "calsync-store.h"
#include "calsync-sync-report.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_SYNC_ENGINE (calsync_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncSyncEngine, calsync_sync_engine, CALSYNC, SYNC_ENGINE, GObject)

CalsyncSyncEngine *calsync_sync_engine_new          (CalsyncStore      *store,
                                                     CalsyncHttp       *http);
/* Sync window in months (GSettings sync-months-back/-ahead; defaults 3 and 12) */
void               calsync_sync_engine_set_window   (CalsyncSyncEngine *self,
                                                     guint              months_back,
                                                     guint              months_ahead);
gboolean           calsync_sync_engine_is_syncing   (CalsyncSyncEngine *self);
/* Uses @auth (tokens already in memory) for @account_id instead of one reading
 * the keyring: right after sign-in, and in benchmarks. NULL removes it. */
void               calsync_sync_engine_set_account_auth (CalsyncSyncEngine *self,
                                                         gint64             account_id,
                                                         CalsyncAuth       *auth);

/**
 * calsync_sync_engine_sync_async:
 * @account_ids: (nullable): array of gint64 account ids, or %NULL for all
 *
 * A request made while a sync runs joins it and finishes with its report.
 * Emits ::sync-started, ::calendar-synced (per calendar) and ::sync-finished.
 */
void               calsync_sync_engine_sync_async   (CalsyncSyncEngine   *self,
                                                     GArray              *account_ids,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
CalsyncSyncReport *calsync_sync_engine_sync_finish  (CalsyncSyncEngine   *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* An actionable text for people for an error of a sync (never a server body) */
char              *calsync_sync_engine_error_text   (const GError        *error);

G_END_DECLS
