/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-lock.c: one sync per database, across processes — an exclusive
 * flock() on a file beside the database. The kernel releases it when its holder
 * exits however it exits, so a killed sync never leaves a stale lock. */
#define G_LOG_DOMAIN "calsync-sync-lock"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "calsync-sync-lock.h"

struct _CalsyncSyncLock
{
  int fd;
};

static char *
lock_path (const char *db_path)
{
  return g_strconcat (db_path, ".sync-lock", NULL);
}

static int
open_lock_file (const char  *db_path,
                GError     **error)
{
  g_autofree char *path = lock_path (db_path);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
    }

  return fd;
}

/* Another process holds the lock: try again every so often, but wake up at
 * once when cancelled (the cancellable's fd) */
static gboolean
wait_for_lock (int           fd,
               GCancellable *cancellable)
{
  GPollFD poll_fd = { 0 };
  gboolean can_poll = cancellable != NULL && g_cancellable_make_pollfd (cancellable, &poll_fd);

  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno != EWOULDBLOCK && errno != EINTR)
        break;
      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (can_poll)
        g_poll (&poll_fd, 1, 100);
      else
        g_usleep (100 * 1000);
    }

  if (can_poll)
    g_cancellable_release_fd (cancellable);

  return !g_cancellable_is_cancelled (cancellable);
}

static void
lock_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *db_path = task_data;
  GError *error = NULL;
  CalsyncSyncLock *lock;
  int fd = open_lock_file (db_path, &error);

  if (fd < 0)
    {
      g_task_return_error (task, error);
      return;
    }

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_debug ("Another process syncs %s; waiting for it", db_path);
      if (!wait_for_lock (fd, cancellable))
        {
          close (fd);
          g_task_return_error_if_cancelled (task);
          return;
        }
    }

  lock = g_new0 (CalsyncSyncLock, 1);
  lock->fd = fd;
  g_task_return_pointer (task, lock, (GDestroyNotify) calsync_sync_lock_release);
}

void
calsync_sync_lock_acquire_async (const char          *db_path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (db_path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_sync_lock_acquire_async);
  g_task_set_task_data (task, g_strdup (db_path), g_free);
  g_task_run_in_thread (task, lock_thread);
}

CalsyncSyncLock *
calsync_sync_lock_acquire_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
calsync_sync_lock_is_held (const char *db_path)
{
  int fd = open_lock_file (db_path, NULL);
  gboolean held;

  if (fd < 0)
    return FALSE;

  held = flock (fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return held;
}

void
calsync_sync_lock_release (CalsyncSyncLock *lock)
{
  if (lock == NULL)
    return;

  close (lock->fd);
  g_free (lock);
}
