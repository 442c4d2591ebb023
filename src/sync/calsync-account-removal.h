/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-removal.h: removing an account so that no secret can ever be
 * left behind — marked first, its sync and sign-in stopped, its secret deleted,
 * then its row with its calendars and events — shared by the command line and
 * Preferences. */
#pragma once

#include "calsync-store.h"
#include "calsync-sync-engine.h"

G_BEGIN_DECLS

/**
 * calsync_account_remove_async:
 * @engine: (nullable): the engine of this process, whose sync of the account stops
 *
 * A crash at any step leaves the account marked: the next sync (or the next
 * removal) finishes the job. A sync of another process that renews the
 * account's sign-in meanwhile deletes the renewed secret itself (see
 * calsync_credentials_set_store()).
 */
void     calsync_account_remove_async  (CalsyncStore         *store,
                                        CalsyncSyncEngine    *engine,
                                        gint64                account_id,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean calsync_account_remove_finish (GAsyncResult         *result,
                                        GError              **error);

/* Finishes removals a crash interrupted (in a worker thread: it blocks) */
void     calsync_account_finish_removals (CalsyncStore       *store);

G_END_DECLS
