/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store-undo.c: taking back the last edit made here before a sync
 * sent it (Ctrl+Z, the toasts' Undo). Back to the server's copy, the outbox
 * is left with nothing to send; back to an earlier edit still waiting, that
 * edit waits. A change a sync already took, or that changed since, is not
 * undone: the server has it. */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-store-private.h"

static const char sql_event_state[] =
  "SELECT local_updated, locally_modified FROM events WHERE id = ?1";
static const char sql_entry_state[] =
  "SELECT kind, local_updated FROM outbox WHERE calendar_id = ?1 AND external_id = ?2";
static const char sql_drop_entry[] =
  "DELETE FROM outbox WHERE calendar_id = ?1 AND external_id = ?2";
/* The whole row as it was, server state included */
static const char sql_restore_row[] =
  "UPDATE events SET " EVENT_CONTENT_SET ", etag = ?17, remote_updated = ?18, local_updated = ?19, "
  "locally_modified = ?20, calendar_id = ?21, external_event_id = ?22, resource_id = ?23 WHERE id = ?24";

static gboolean
set_already_sent (GError **error)
{
  g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND,
                       _("The change cannot be undone: it was already sent or changed again"));
  return FALSE;
}

/* The outbox entry of @event's key in its calendar: *kind and *local_updated,
 * FALSE in *found when there is none */
static gboolean
entry_state (StoreConn          *conn,
             CalsyncEvent       *event,
             gboolean           *found,
             CalsyncOutboxKind  *kind,
             gint64             *local_updated,
             GError            **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_entry_state, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calsync_event_get_calendar_id (event));
  store_bind_text (stmt, 2, calsync_event_get_external_id (event));
  if (!store_step_row (conn, stmt, found, error))
    return FALSE;

  if (*found)
    {
      *kind = sqlite3_column_int (stmt, 0);
      *local_updated = sqlite3_column_int64 (stmt, 1);
    }
  return TRUE;
}

static gboolean
drop_entry (StoreConn     *conn,
            CalsyncEvent  *event,
            GError       **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_drop_entry, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calsync_event_get_calendar_id (event));
  store_bind_text (stmt, 2, calsync_event_get_external_id (event));
  return store_step_done (conn, stmt, error);
}

/* @after is still what is stored, not sent: no sync took it, no edit followed */
static gboolean
check_unsent_edit (StoreConn     *conn,
                   CalsyncEvent  *after,
                   GError       **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_event_state, error);
  gint64 local_updated = calsync_event_get_local_updated (after);
  CalsyncOutboxKind kind = CALSYNC_OUTBOX_UPDATE;
  gint64 entry_updated = 0;
  gboolean has_row = FALSE, synced = FALSE;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calsync_event_get_id (after));
  if (!store_step_row (conn, stmt, &has_row, error))
    return FALSE;
  if (!has_row || sqlite3_column_int64 (stmt, 0) != local_updated || !sqlite3_column_int (stmt, 1))
    return set_already_sent (error);
  g_clear_pointer (&stmt, store_cached_stmt_release);

  if (!store_check_writable (conn, calsync_event_get_calendar_id (after), &synced, error) ||
      !(!synced || entry_state (conn, after, &has_row, &kind, &entry_updated, error)))
    return FALSE;

  return !synced || (has_row && entry_updated == local_updated) || set_already_sent (error);
}

/* A deleted event: its delete still waits (or it was created here and never
 * sent, and the delete left nothing to send) */
static gboolean
check_unsent_delete (StoreConn     *conn,
                     CalsyncEvent  *before,
                     GError       **error)
{
  CalsyncOutboxKind kind = CALSYNC_OUTBOX_UPDATE;
  gint64 entry_updated = 0;
  gboolean found = FALSE, synced = FALSE;
  gboolean unsent_create = calsync_event_get_pending (before) && calsync_event_get_etag (before) == NULL &&
                           calsync_event_get_resource_id (before) == NULL;

  if (!store_check_writable (conn, calsync_event_get_calendar_id (before), &synced, error) ||
      !(!synced || entry_state (conn, before, &found, &kind, &entry_updated, error)))
    return FALSE;

  if (!synced || (found && kind == CALSYNC_OUTBOX_DELETE) || (!found && unsent_create))
    return TRUE;
  return set_already_sent (error);
}

/* Back to the server's copy: the row as it was, nothing left to send (in the
 * calendar it was in and, moved, in the one it went to) */
static gboolean
restore_server_copy (StoreConn     *conn,
                     CalsyncEvent  *before,
                     CalsyncEvent  *after,
                     gint64        *row_id,
                     GError       **error)
{
  if (after != NULL)
    {
      *row_id = calsync_event_get_id (after);
      if (!store_run_event_stmt (conn, sql_restore_row, before, *row_id, error) ||
          !drop_entry (conn, after, error))
        return FALSE;
    }
  else
    {
      if (!store_run_event_stmt (conn, store_sql_insert_event, before, 0, error))
        return FALSE;
      *row_id = sqlite3_last_insert_rowid (conn->db);
    }

  return drop_entry (conn, before, error);
}

/* Back to an earlier edit that still waits: an edit like any other */
static gboolean
restore_edit (StoreConn     *conn,
              CalsyncEvent  *before,
              CalsyncEvent  *after,
              gint64        *row_id,
              GError       **error)
{
  g_autoptr(CalsyncEvent) row = calsync_event_copy (before);

  calsync_event_set_locally_modified (row, TRUE);
  calsync_event_set_local_updated (row, g_get_real_time ());
  if (after != NULL)
    {
      *row_id = calsync_event_get_id (after);
      calsync_event_set_id (row, *row_id);
      return store_local_edit (conn, row, error);
    }

  calsync_event_set_id (row, 0);
  if (!store_local_create (conn, row, error))
    return FALSE;
  *row_id = calsync_event_get_id (row);
  return TRUE;
}

static gboolean
undo_locked (StoreConn     *conn,
             CalsyncEvent  *before,
             CalsyncEvent  *after,
             gint64        *row_id,
             GError       **error)
{
  *row_id = 0;
  if (after != NULL ? !check_unsent_edit (conn, after, error) : !check_unsent_delete (conn, before, error))
    return FALSE;

  if (before == NULL)
    return store_local_delete (conn, calsync_event_get_id (after), error);

  return calsync_event_get_pending (before) ? restore_edit (conn, before, after, row_id, error)
                                            : restore_server_copy (conn, before, after, row_id, error);
}

/**
 * calsync_store_undo_local_change:
 * @before: (nullable): the event as stored before the change, with its pending
 *   mark (calsync_store_get_event()); %NULL: the change created @after
 * @after: (nullable): the event as the change stored it; %NULL: the change
 *   deleted @before
 *
 * Takes back an edit, create or delete made here, in one transaction. An
 * event that had no change waiting gets its server copy back (etag and all)
 * and the outbox keeps nothing for it; one that had, gets that earlier edit
 * back, still waiting. Refused (%CALSYNC_STORE_ERROR_NOT_FOUND) when a sync
 * already sent the change or the event changed since.
 *
 * Returns: (transfer full) (nullable): the event as restored (%NULL when the
 *   undo removed a created event, and with @error set on failure)
 */
CalsyncEvent *
calsync_store_undo_local_change (CalsyncStore  *self,
                                 CalsyncEvent  *before,
                                 CalsyncEvent  *after,
                                 GError       **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  gint64 row_id = 0;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (before != NULL || after != NULL, NULL);
  g_return_val_if_fail (!before || CALSYNC_IS_EVENT (before), NULL);
  g_return_val_if_fail (!after || CALSYNC_IS_EVENT (after), NULL);

  if (!(writer = store_writer_acquire (self, error)) || !store_begin (writer, error))
    return NULL;

  if (!undo_locked (writer, before, after, &row_id, error) || !store_commit (writer, error))
    {
      store_rollback (writer);
      return NULL;
    }
  g_clear_pointer (&writer, store_writer_release);

  store_schedule_changed (self);
  /* Undone even if it cannot be read back: the caller's copy will do */
  return row_id != 0 ? calsync_store_get_event (self, row_id, NULL) : NULL;
}

typedef struct
{
  CalsyncEvent *before;
  CalsyncEvent *after;
} UndoData;

static void
undo_data_free (UndoData *data)
{
  g_clear_object (&data->before);
  g_clear_object (&data->after);
  g_free (data);
}

static void
undo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  UndoData *data = task_data;
  GError *error = NULL;
  CalsyncEvent *restored = calsync_store_undo_local_change (source_object, data->before, data->after, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, restored, restored != NULL ? g_object_unref : NULL);
}

/**
 * calsync_store_undo_local_change_async:
 *
 * Runs calsync_store_undo_local_change() on the thread of local writes, after
 * the writes asked before it. Not cancellable: an undo asked for must land.
 */
void
calsync_store_undo_local_change_async (CalsyncStore        *self,
                                       CalsyncEvent        *before,
                                       CalsyncEvent        *after,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  UndoData *data;

  g_return_if_fail (CALSYNC_IS_STORE (self));
  g_return_if_fail (before != NULL || after != NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, calsync_store_undo_local_change_async);
  data = g_new0 (UndoData, 1);
  data->before = before != NULL ? calsync_event_copy (before) : NULL;
  data->after = after != NULL ? calsync_event_copy (after) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) undo_data_free);
  store_run_ordered (self, task, undo_thread);
}

/**
 * calsync_store_undo_local_change_finish:
 * @restored: (out) (optional) (transfer full) (nullable): the event as
 *   restored, %NULL when a created event was removed
 *
 * Returns: %TRUE when the change was taken back
 */
gboolean
calsync_store_undo_local_change_finish (CalsyncStore   *self,
                                        GAsyncResult   *result,
                                        CalsyncEvent  **restored,
                                        GError        **error)
{
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == calsync_store_undo_local_change_async, FALSE);

  event = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (restored != NULL)
    *restored = g_steal_pointer (&event);
  return TRUE;
}
