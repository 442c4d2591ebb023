/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-lock.h: one sync per database, across processes — an exclusive
 * flock() on a file beside the database, which the kernel releases when its
 * holder exits, however it exits (kill -9 included). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CalsyncSyncLock CalsyncSyncLock;

/**
 * calsync_sync_lock_acquire_async:
 * @db_path: the database the lock is for (the lock file is `@db_path.sync-lock`)
 *
 * Waits (in a worker thread) until no other process syncs this database, then
 * holds the lock. Cancelling stops the wait; a lock taken after that is given
 * back at once.
 */
void             calsync_sync_lock_acquire_async  (const char           *db_path,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
CalsyncSyncLock *calsync_sync_lock_acquire_finish (GAsyncResult         *result,
                                                   GError              **error);
/* Whether another process holds the lock right now (for "waiting for …" messages) */
gboolean         calsync_sync_lock_is_held        (const char           *db_path);
void             calsync_sync_lock_release        (CalsyncSyncLock      *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncSyncLock, calsync_sync_lock_release)

G_END_DECLS
