/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-engine.h: syncs the active calendars of the accounts in parallel,
 * whatever their provider: calendar list, then pages of changes, then a report. */
#pragma once

#include "calsync-credentials.h"
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
/* Uses @credentials (tokens already in memory) for @account_id instead of ones
 * reading the keyring: right after sign-in, and in benchmarks. NULL removes them. */
void               calsync_sync_engine_set_account_credentials (CalsyncSyncEngine  *self,
                                                     gint64              account_id,
                                                     CalsyncCredentials *credentials);
/* The account is being removed: its running sync stops, its sign-in is revoked
 * (a refresh in flight never writes to the keyring again) */
void               calsync_sync_engine_forget_account (CalsyncSyncEngine *self,
                                                     gint64             account_id);

/**
 * calsync_sync_engine_sync_async:
 * @account_ids: (nullable): array of gint64 account ids, or %NULL for all
 *
 * A request made while a sync runs in this engine joins it and finishes with
 * its report. A sync of another process on the same database is waited for
 * first. Emits ::sync-started, ::calendar-synced (per calendar), ::progress
 * (calendars done, calendars in all) and ::sync-finished.
 */
void               calsync_sync_engine_sync_async   (CalsyncSyncEngine   *self,
                                                     GArray              *account_ids,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
CalsyncSyncReport *calsync_sync_engine_sync_finish  (CalsyncSyncEngine   *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
