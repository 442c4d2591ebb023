/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store-local.c: events created, edited and deleted on this computer,
 * marked so that older server copies never overwrite them and a full sync never
 * sweeps them; with _async variants, so that the window never waits for the
 * writing connection (another process may hold the database for seconds). */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-store-private.h"

static const char sql_update_local_event[] =
  "UPDATE events SET " EVENT_CONTENT_SET ", local_updated = ?19, locally_modified = ?20, "
  "calendar_id = COALESCE (NULLIF (?21, 0), calendar_id) WHERE id = ?24";
static const char sql_event_home[] =
  "SELECT calendar_id, external_event_id FROM events WHERE id = ?1";
/* Moved to another calendar: it is new there */
static const char sql_forget_server_state[] =
  "UPDATE events SET etag = NULL, resource_id = NULL, remote_updated = 0 WHERE id = ?1";

static void
copy_local_state (CalsyncEvent *to,
                  CalsyncEvent *from)
{
  calsync_event_set_id (to, calsync_event_get_id (from));
  calsync_event_set_calendar_id (to, calsync_event_get_calendar_id (from));
  calsync_event_set_external_id (to, calsync_event_get_external_id (from));
  calsync_event_set_local_updated (to, calsync_event_get_local_updated (from));
  calsync_event_set_locally_modified (to, TRUE);
}

/* The calendar and external id of the stored event @row_id */
static gboolean
event_home (StoreConn   *conn,
            gint64       row_id,
            gint64      *calendar_id,
            char       **external_id,
            GError     **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_event_home, error);
  gboolean has_row = FALSE;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, row_id);
  if (!store_step_row (conn, stmt, &has_row, error))
    return FALSE;

  if (!has_row)
    {
      g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND, _("Event not found"));
      return FALSE;
    }

  *calendar_id = sqlite3_column_int64 (stmt, 0);
  *external_id = g_strdup (store_column_text (stmt, 1));
  return TRUE;
}

gboolean
store_local_create (StoreConn     *conn,
               CalsyncEvent  *row,
               GError       **error)
{
  gint64 calendar_id = calsync_event_get_calendar_id (row);
  gboolean synced = FALSE;

  if (!store_check_writable (conn, calendar_id, &synced, error) ||
      !store_run_event_stmt (conn, store_sql_insert_event, row, 0, error))
    return FALSE;

  calsync_event_set_id (row, sqlite3_last_insert_rowid (conn->db));
  return !synced ||
         store_outbox_record (conn, calendar_id, calsync_event_get_external_id (row), CALSYNC_OUTBOX_CREATE,
                              calsync_event_get_id (row), calsync_event_get_local_updated (row), NULL,
                              calsync_event_get_notify_guests (row), error);
}

/**
 * calsync_store_create_local_event:
 * @event: the new event; its calendar id 0 means the Personal calendar, a
 *   %NULL external id gets a new random one
 *
 * Stores an event created on this computer, marked as locally modified; in a
 * synced calendar it waits in the outbox for the next sync (same transaction).
 * A read-only calendar refuses it (%CALSYNC_STORE_ERROR_READ_ONLY, saying why).
 * On success @event gets its id, calendar id, external id and local update time.
 *
 * Returns: the new id, or 0 with @error set
 */
gint64
calsync_store_create_local_event (CalsyncStore  *self,
                                  CalsyncEvent  *event,
                                  GError       **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  g_autoptr(CalsyncEvent) row = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);
  g_return_val_if_fail (CALSYNC_IS_EVENT (event), 0);

  row = calsync_event_copy (event);
  if (calsync_event_get_calendar_id (row) <= 0)
    calsync_event_set_calendar_id (row, calsync_store_get_personal_calendar_id (self));
  if (calsync_event_get_external_id (row) == NULL)
    {
      g_autofree char *uuid = g_uuid_string_random ();

      calsync_event_set_external_id (row, uuid);
    }
  calsync_event_set_locally_modified (row, TRUE);
  calsync_event_set_local_updated (row, g_get_real_time ());

  if (!(writer = store_writer_acquire (self, error)) || !store_begin (writer, error))
    return 0;

  if (!store_local_create (writer, row, error) || !store_commit (writer, error))
    return store_rollback (writer);

  copy_local_state (event, row);
  store_schedule_changed (self);

  return calsync_event_get_id (event);
}

/* An edit, or a move: a delete where it was and a create where it goes */
gboolean
store_local_edit (StoreConn     *conn,
             CalsyncEvent  *row,
             GError       **error)
{
  g_autofree char *external_id = NULL;
  gint64 id = calsync_event_get_id (row);
  gint64 local_updated = calsync_event_get_local_updated (row);
  gint64 from = 0, to = calsync_event_get_calendar_id (row);
  gboolean from_synced = FALSE, to_synced = FALSE;

  if (!event_home (conn, id, &from, &external_id, error) ||
      !store_check_writable (conn, from, &from_synced, error))
    return FALSE;

  if (to <= 0 || to == from)
    return store_run_event_stmt (conn, sql_update_local_event, row, id, error) &&
           (!from_synced ||
            store_outbox_record (conn, from, external_id, CALSYNC_OUTBOX_UPDATE, id, local_updated, NULL,
                                 calsync_event_get_notify_guests (row), error));

  return store_check_writable (conn, to, &to_synced, error) &&
         (!from_synced ||
          store_outbox_record (conn, from, external_id, CALSYNC_OUTBOX_DELETE, id, local_updated, NULL, FALSE,
                               error)) &&
         store_run_event_stmt (conn, sql_update_local_event, row, id, error) &&
         store_run_event_stmt (conn, sql_forget_server_state, row, id, error) &&
         (!to_synced ||
          store_outbox_record (conn, to, external_id, CALSYNC_OUTBOX_CREATE, id, local_updated, NULL,
                               calsync_event_get_notify_guests (row), error));
}

/**
 * calsync_store_edit_local_event:
 * @event: the edited event, found by its id; a calendar id other than 0 moves it
 *
 * Writes every field of @event and marks it as locally modified now, so that
 * older remote copies do not overwrite it; in a synced calendar the change
 * waits in the outbox (same transaction). Read-only calendars refuse it.
 */
gboolean
calsync_store_edit_local_event (CalsyncStore  *self,
                                CalsyncEvent  *event,
                                GError       **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  g_autoptr(CalsyncEvent) row = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (CALSYNC_IS_EVENT (event), FALSE);

  row = calsync_event_copy (event);
  calsync_event_set_locally_modified (row, TRUE);
  calsync_event_set_local_updated (row, g_get_real_time ());

  if (!(writer = store_writer_acquire (self, error)) || !store_begin (writer, error))
    return FALSE;

  if (!store_local_edit (writer, row, error) || !store_commit (writer, error))
    return store_rollback (writer);

  copy_local_state (event, row);
  store_schedule_changed (self);
  return TRUE;
}

gboolean
store_local_delete (StoreConn  *conn,
               gint64      event_id,
               GError    **error)
{
  g_autofree char *external_id = NULL;
  gint64 calendar_id = 0;
  gboolean synced = FALSE;

  return event_home (conn, event_id, &calendar_id, &external_id, error) &&
         store_check_writable (conn, calendar_id, &synced, error) &&
         (!synced || store_outbox_record (conn, calendar_id, external_id, CALSYNC_OUTBOX_DELETE,
                                          event_id, g_get_real_time (), NULL, FALSE, error)) &&
         store_delete_event_row (conn, event_id, error);
}

/**
 * calsync_store_delete_local_event:
 *
 * Deletes a stored event (an instance of a series: that instance only); in a
 * synced calendar the delete waits in the outbox. Read-only calendars refuse it.
 */
gboolean
calsync_store_delete_local_event (CalsyncStore  *self,
                                  gint64         event_id,
                                  GError       **error)
{
  g_autoptr(StoreWriter) writer = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  if (!(writer = store_writer_acquire (self, error)) || !store_begin (writer, error))
    return FALSE;

  if (!store_local_delete (writer, event_id, error) || !store_commit (writer, error))
    return store_rollback (writer);

  store_schedule_changed (self);
  return TRUE;
}

/* Importing into a synced calendar ------------------------------------------------ */

static const char sql_series_rows[] =
  "SELECT " EVENT_COLUMNS " FROM events AS e JOIN calendars AS c ON c.id = e.calendar_id "
  "WHERE e.calendar_id = ?1 AND (e.external_event_id = ?2 OR e.recurring_event_id = ?2) "
  "ORDER BY e.start_utc, e.id";

/* The UID of a series (or of an event of its own) */
static const char *
series_uid (GPtrArray *group)
{
  CalsyncEvent *first = g_ptr_array_index (group, 0);
  const char *uid = calsync_event_get_recurring_event_id (first);

  return uid != NULL ? uid : calsync_event_get_external_id (first);
}

static gboolean
is_series (GPtrArray *group)
{
  return group->len > 1 || calsync_event_get_recurring_event_id (g_ptr_array_index (group, 0)) != NULL;
}

static CalsyncEvent *
find_by_external_id (GPtrArray  *events,
                     const char *external_id)
{
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_external_id (g_ptr_array_index (events, i)), external_id) == 0)
      return g_ptr_array_index (events, i);

  return NULL;
}

static gboolean
same_series (GPtrArray *stored,
             GPtrArray *group)
{
  if (stored->len != group->len)
    return FALSE;

  for (guint i = 0; i < group->len; i++)
    {
      CalsyncEvent *incoming = g_ptr_array_index (group, i);
      CalsyncEvent *match = find_by_external_id (stored, calsync_event_get_external_id (incoming));

      if (match == NULL || !calsync_event_equal_content (match, incoming))
        return FALSE;
    }

  return TRUE;
}

/* Writes @group over the stored instances of its series (none: a create);
 * *@row_id: a row of the series as it is now */
static gboolean
write_series (StoreConn     *conn,
              gint64         calendar_id,
              GPtrArray     *stored,
              GPtrArray     *group,
              gint64         now,
              gint64        *row_id,
              GError       **error)
{
  CalsyncEvent *model = stored->len > 0 ? g_ptr_array_index (stored, 0) : NULL;

  for (guint i = 0; i < stored->len; i++)
    {
      CalsyncEvent *old = g_ptr_array_index (stored, i);

      if (find_by_external_id (group, calsync_event_get_external_id (old)) == NULL &&
          !store_delete_event_row (conn, calsync_event_get_id (old), error))
        return FALSE;
    }

  for (guint i = 0; i < group->len; i++)
    {
      g_autoptr(CalsyncEvent) row = calsync_event_copy (g_ptr_array_index (group, i));
      CalsyncEvent *old = find_by_external_id (stored, calsync_event_get_external_id (row));

      calsync_event_set_calendar_id (row, calendar_id);
      calsync_event_set_locally_modified (row, TRUE);
      calsync_event_set_local_updated (row, now);
      calsync_event_set_etag (row, model != NULL ? calsync_event_get_etag (model) : NULL);
      calsync_event_set_resource_id (row, model != NULL ? calsync_event_get_resource_id (model) : NULL);
      calsync_event_set_remote_updated (row, old != NULL ? calsync_event_get_remote_updated (old) : 0);

      if (old != NULL)
        {
          if (!store_run_event_stmt (conn, sql_update_local_event, row, calsync_event_get_id (old), error))
            return FALSE;
          *row_id = calsync_event_get_id (old);
        }
      else
        {
          if (!store_run_event_stmt (conn, store_sql_insert_event, row, 0, error))
            return FALSE;
          *row_id = sqlite3_last_insert_rowid (conn->db);
        }
    }

  return TRUE;
}

/* The instances to store: cancelled ones are only the file's way of saying
 * that an instance is not there */
static GPtrArray *
shown_instances (GPtrArray *group)
{
  GPtrArray *shown = g_ptr_array_new ();

  for (guint i = 0; i < group->len; i++)
    if (calsync_event_get_status (g_ptr_array_index (group, i)) != CALSYNC_EVENT_STATUS_CANCELLED)
      g_ptr_array_add (shown, g_ptr_array_index (group, i));

  return shown;
}

static gboolean
import_one (StoreConn             *conn,
            gint64                 calendar_id,
            GPtrArray             *all,
            const char            *text,
            CalsyncImportOutcome  *outcome,
            GError               **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_series_rows, error);
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) group = shown_instances (all);
  const char *uid = series_uid (all);
  gint64 now = g_get_real_time ();
  gint64 row_id = 0;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, uid);
  if (!(stored = store_collect_rows (conn, stmt, (StoreRowFunc) store_event_from_row, error)))
    return FALSE;
  g_clear_pointer (&stmt, store_cached_stmt_release);

  if ((stored->len > 0 && same_series (stored, group)) || (stored->len == 0 && group->len == 0))
    {
      *outcome = CALSYNC_IMPORT_UNCHANGED;
      return TRUE;
    }

  *outcome = stored->len > 0 ? CALSYNC_IMPORT_UPDATED : CALSYNC_IMPORT_CREATED;
  return write_series (conn, calendar_id, stored, group, now, &row_id, error) &&
         store_outbox_record (conn, calendar_id, uid,
                              stored->len > 0 ? CALSYNC_OUTBOX_UPDATE : CALSYNC_OUTBOX_CREATE,
                              row_id, now, is_series (all) ? text : NULL, FALSE, error);
}

static gboolean
import_locked (StoreConn   *conn,
               gint64       calendar_id,
               GPtrArray   *series,
               GPtrArray   *texts,
               GArray      *outcomes,
               GError     **error)
{
  gboolean synced = FALSE;

  if (!store_check_writable (conn, calendar_id, &synced, error))
    return FALSE;

  for (guint i = 0; i < series->len; i++)
    {
      GPtrArray *group = g_ptr_array_index (series, i);
      CalsyncImportOutcome outcome = CALSYNC_IMPORT_UNCHANGED;

      if (group->len == 0)
        continue;
      if (!import_one (conn, calendar_id, group, texts != NULL ? g_ptr_array_index (texts, i) : NULL,
                       &outcome, error))
        return FALSE;
      if (outcomes != NULL)
        g_array_append_val (outcomes, outcome);
    }

  return TRUE;
}

/**
 * calsync_store_import_series:
 * @calendar_id: a writable calendar (synced: the changes go to the outbox)
 * @series: (element-type GPtrArray): groups of events, one per UID: a series'
 *   instances inside the window, or an event of its own
 * @texts: (nullable) (element-type utf8): parallel to @series: each group as
 *   iCalendar, sent whole for a series (CalDAV: the resource's new text)
 * @outcomes: (nullable) (element-type CalsyncImportOutcome): one per non-empty group
 *
 * Imports as edits made here: a UID unknown in the calendar is created, a known
 * one updated (its instances replaced by @series'), an identical one left
 * alone. One transaction; a read-only calendar refuses it all.
 */
gboolean
calsync_store_import_series (CalsyncStore  *self,
                             gint64         calendar_id,
                             GPtrArray     *series,
                             GPtrArray     *texts,
                             GArray        *outcomes,
                             GError       **error)
{
  g_autoptr(StoreWriter) writer = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (series != NULL, FALSE);
  g_return_val_if_fail (texts == NULL || texts->len == series->len, FALSE);

  if (!(writer = store_writer_acquire (self, error)) || !store_begin (writer, error))
    return FALSE;

  if (!import_locked (writer, calendar_id, series, texts, outcomes, error) || !store_commit (writer, error))
    {
      if (outcomes != NULL)
        g_array_set_size (outcomes, 0);
      return store_rollback (writer);
    }

  store_schedule_changed (self);
  return TRUE;
}

/* In a worker thread --------------------------------------------------------- */

typedef enum
{
  LOCAL_CREATE,
  LOCAL_EDIT,
  LOCAL_DELETE,
  LOCAL_SET_ACTIVE,
} LocalOp;

typedef struct
{
  LocalOp op;
  CalsyncEvent *event;   /* create, edit: a copy, handed back with its new state */
  gint64 id;             /* delete: the event; set-active: the calendar */
  gboolean active;
} LocalWrite;

static void
local_write_free (LocalWrite *write)
{
  g_clear_object (&write->event);
  g_free (write);
}

static gboolean
run_local_write (CalsyncStore  *self,
                 LocalWrite    *write,
                 GError       **error)
{
  switch (write->op)
    {
    case LOCAL_CREATE:
      return calsync_store_create_local_event (self, write->event, error) != 0;
    case LOCAL_EDIT:
      return calsync_store_edit_local_event (self, write->event, error);
    case LOCAL_DELETE:
      return calsync_store_delete_local_event (self, write->id, error);
    case LOCAL_SET_ACTIVE:
      return calsync_store_set_calendar_active (self, write->id, write->active, error);
    default:
      g_assert_not_reached ();
    }
}

static void
local_write_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (run_local_write (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Not cancellable once started: an edit the person saved must land. In order:
 * a save then a delete of one event never swap. */
static void
start_local_write (CalsyncStore        *self,
                   LocalWrite          *write,
                   gpointer             source_tag,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, write, (GDestroyNotify) local_write_free);
  store_run_ordered (self, task, local_write_thread);
}

static gboolean
finish_local_write (CalsyncStore  *self,
                    GAsyncResult  *result,
                    gpointer       source_tag,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static LocalWrite *
local_write_new (LocalOp       op,
                 CalsyncEvent *event)
{
  LocalWrite *write = g_new0 (LocalWrite, 1);

  write->op = op;
  write->event = event != NULL ? calsync_event_copy (event) : NULL;
  return write;
}

/**
 * calsync_store_save_local_event_async:
 * @event: an event with id 0 to create, or a stored one to edit (see
 *   calsync_store_create_local_event() and calsync_store_edit_local_event())
 *
 * Creates or edits @event in a worker thread; @event is copied, and the
 * finish function hands back the stored copy.
 */
void
calsync_store_save_local_event_async (CalsyncStore        *self,
                                      CalsyncEvent        *event,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (CALSYNC_IS_STORE (self));
  g_return_if_fail (CALSYNC_IS_EVENT (event));

  start_local_write (self,
                     local_write_new (calsync_event_get_id (event) == 0 ? LOCAL_CREATE : LOCAL_EDIT, event),
                     calsync_store_save_local_event_async, callback, user_data);
}

/**
 * calsync_store_save_local_event_finish:
 *
 * Returns: (transfer full): the event as stored (with its id), or %NULL with
 *   @error set
 */
CalsyncEvent *
calsync_store_save_local_event_finish (CalsyncStore  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  LocalWrite *write;

  if (!finish_local_write (self, result, calsync_store_save_local_event_async, error))
    return NULL;

  write = g_task_get_task_data (G_TASK (result));
  return g_object_ref (write->event);
}

void
calsync_store_delete_local_event_async (CalsyncStore        *self,
                                        gint64               event_id,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  LocalWrite *write;

  g_return_if_fail (CALSYNC_IS_STORE (self));

  write = local_write_new (LOCAL_DELETE, NULL);
  write->id = event_id;
  start_local_write (self, write, calsync_store_delete_local_event_async, callback, user_data);
}

gboolean
calsync_store_delete_local_event_finish (CalsyncStore  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return finish_local_write (self, result, calsync_store_delete_local_event_async, error);
}

void
calsync_store_set_calendar_active_async (CalsyncStore        *self,
                                         gint64               calendar_id,
                                         gboolean             active,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  LocalWrite *write;

  g_return_if_fail (CALSYNC_IS_STORE (self));

  write = local_write_new (LOCAL_SET_ACTIVE, NULL);
  write->id = calendar_id;
  write->active = !!active;
  start_local_write (self, write, calsync_store_set_calendar_active_async, callback, user_data);
}

gboolean
calsync_store_set_calendar_active_finish (CalsyncStore  *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return finish_local_write (self, result, calsync_store_set_calendar_active_async, error);
}
