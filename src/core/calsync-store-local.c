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

/**
 * calsync_store_create_local_event:
 * @event: the new event; its calendar id 0 means the Personal calendar, a
 *   %NULL external id gets a new random one
 *
 * Stores an event created on this computer, marked as locally modified. On
 * success @event gets its id, calendar id, external id and local update time.
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

  if (!(writer = store_writer_acquire (self, error)) ||
      !store_run_event_stmt (writer, store_sql_insert_event, row, 0, error))
    return 0;

  calsync_event_set_id (row, sqlite3_last_insert_rowid (writer->db));
  copy_local_state (event, row);
  store_schedule_changed (self);

  return calsync_event_get_id (event);
}

/**
 * calsync_store_edit_local_event:
 * @event: the edited event, found by its id; a calendar id other than 0 moves it
 *
 * Writes every field of @event and marks it as locally modified now, so that
 * older remote copies do not overwrite it.
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

  if (!(writer = store_writer_acquire (self, error)) ||
      !store_run_event_stmt (writer, sql_update_local_event, row, calsync_event_get_id (row), error) ||
      !store_check_changed_one (writer, _("Event not found"), error))
    return FALSE;

  copy_local_state (event, row);
  return TRUE;
}

gboolean
calsync_store_delete_local_event (CalsyncStore  *self,
                                  gint64         event_id,
                                  GError       **error)
{
  g_autoptr(StoreWriter) writer = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  if (!(writer = store_writer_acquire (self, error)))
    return FALSE;

  return store_delete_event_row (writer, event_id, error) &&
         store_check_changed_one (writer, _("Event not found"), error);
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
