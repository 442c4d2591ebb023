/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store-apply.c: applying what a provider sent — a page of upserts and
 * removals in one transaction; on the last page of a full round, the sweep of
 * what the server no longer lists, and the cursor, in that same transaction. */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-store-private.h"

const char store_sql_insert_event[] =
  "INSERT INTO events (title, description, location, start_utc, end_utc, time_zone, "
  "all_day, start_date, end_date, status, recurrence, recurring_event_id, original_start, "
  "attendees, conference_url, event_type, etag, remote_updated, local_updated, "
  "locally_modified, calendar_id, external_event_id, resource_id) VALUES (?1, ?2, ?3, ?4, "
  "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)";
static const char sql_update_remote_event[] =
  "UPDATE events SET " EVENT_CONTENT_SET ", etag = ?17, remote_updated = ?18, "
  "locally_modified = 0, resource_id = ?23 WHERE id = ?24";
static const char sql_refresh_event_etag[] =
  "UPDATE events SET etag = ?17, remote_updated = ?18, resource_id = ?23 WHERE id = ?24";
static const char sql_delete_event_by_external_id[] =
  "DELETE FROM events WHERE calendar_id = ?1 AND external_event_id = ?2";
/* A resource's instances; those edited here and not yet pushed stay */
static const char sql_resource_events[] =
  "SELECT id, external_event_id FROM events WHERE calendar_id = ?1 AND resource_id = ?2 "
  "AND locally_modified = 0";
static const char sql_upsert_resource[] =
  "INSERT INTO resources (calendar_id, href, etag, text) VALUES (?1, ?2, NULLIF (?3, ''), NULLIF (?4, '')) "
  "ON CONFLICT (calendar_id, href) DO UPDATE SET etag = excluded.etag, "
  "text = excluded.text";
static const char sql_delete_resource[] =
  "DELETE FROM resources WHERE calendar_id = ?1 AND href = ?2";
/* Edited here later than the server's copy of ?3 (the resource is kept as the
 * edits were based on it: "local is newer", as for events) */
static const char sql_resource_edited_later[] =
  "SELECT COUNT(*) FROM events WHERE calendar_id = ?1 AND resource_id = ?2 "
  "AND locally_modified = 1 AND local_updated > ?3";
/* Events deleted here whose delete has not reached the server yet */
static const char sql_pending_deletes[] =
  "SELECT external_id FROM outbox WHERE calendar_id = ?1 AND kind = 2";
/* After a full round: resources no event and no pending change refer to */
static const char sql_sweep_resources[] =
  "DELETE FROM resources WHERE calendar_id = ?1 AND NOT EXISTS (SELECT 1 FROM events AS e "
  "WHERE e.calendar_id = ?1 AND e.resource_id = resources.href) AND NOT EXISTS (SELECT 1 "
  "FROM outbox AS o WHERE o.calendar_id = ?1 AND o.resource_id = resources.href)";
/* What a full round may sweep: events of the window, edits not yet on the server kept */
static const char sql_window_events[] =
  "SELECT id, external_event_id FROM events "
  "WHERE calendar_id = ?1 AND end_utc > ?2 AND start_utc < ?3 AND locally_modified = 0";

/* Outcomes ----------------------------------------------------------------- */

static void
count_outcome (CalsyncApplyStats   *stats,
               CalsyncApplyOutcome  outcome)
{
  switch (outcome)
    {
    case CALSYNC_APPLY_INSERTED:
      stats->inserted++;
      break;
    case CALSYNC_APPLY_UPDATED:
      stats->updated++;
      break;
    case CALSYNC_APPLY_DELETED:
      stats->deleted++;
      break;
    case CALSYNC_APPLY_UNCHANGED:
    case CALSYNC_APPLY_KEPT_LOCAL:
    case CALSYNC_APPLY_IGNORED:
    case CALSYNC_APPLY_STALE:
    case CALSYNC_APPLY_INVALID:
    default:
      stats->skipped++;
      break;
    }
  stats->total++;
}

/* One event ---------------------------------------------------------------- */

gboolean
store_run_event_stmt (StoreConn     *conn,
                      const char    *sql,
                      CalsyncEvent  *event,
                      gint64         row_id,
                      GError       **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql, error);

  if (stmt == NULL)
    return FALSE;

  store_bind_event (stmt, event);
  if (row_id != 0)
    sqlite3_bind_int64 (stmt, P_ID, row_id);

  return store_step_done (conn, stmt, error);
}

static gboolean
insert_remote_event (StoreConn     *conn,
                     gint64         calendar_id,
                     CalsyncEvent  *incoming,
                     GError       **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, store_sql_insert_event, error);

  if (stmt == NULL)
    return FALSE;

  store_bind_event (stmt, incoming);
  sqlite3_bind_int64 (stmt, P_LOCAL_UPDATED, 0);
  sqlite3_bind_int (stmt, P_LOCALLY_MODIFIED, 0);
  sqlite3_bind_int64 (stmt, P_CALENDAR_ID, calendar_id);

  return store_step_done (conn, stmt, error);
}

static gboolean
refresh_etag (StoreConn     *conn,
              CalsyncEvent  *stored,
              CalsyncEvent  *incoming,
              GError       **error)
{
  if (g_strcmp0 (calsync_event_get_etag (stored), calsync_event_get_etag (incoming)) == 0 &&
      calsync_event_get_remote_updated (stored) == calsync_event_get_remote_updated (incoming) &&
      g_strcmp0 (calsync_event_get_resource_id (stored), calsync_event_get_resource_id (incoming)) == 0)
    return TRUE;

  return store_run_event_stmt (conn, sql_refresh_event_etag, incoming, calsync_event_get_id (stored), error);
}

static gboolean
local_copy_is_newer (CalsyncEvent *stored,
                     CalsyncEvent *incoming)
{
  return calsync_event_get_locally_modified (stored) &&
         calsync_event_get_local_updated (stored) > calsync_event_get_remote_updated (incoming);
}

/* The server's own clock says the incoming copy is older than the one stored
 * (two syncs that overlapped, a server replaying an old page): never go back */
static gboolean
incoming_is_older (CalsyncEvent *stored,
                   CalsyncEvent *incoming)
{
  gint64 stored_updated = calsync_event_get_remote_updated (stored);
  gint64 incoming_updated = calsync_event_get_remote_updated (incoming);

  return stored_updated > 0 && incoming_updated > 0 && incoming_updated < stored_updated;
}

static gboolean
apply_cancelled (StoreConn            *conn,
                 CalsyncEvent         *stored,
                 CalsyncEvent         *incoming,
                 CalsyncApplyOutcome  *outcome,
                 GError              **error)
{
  if (stored == NULL)
    {
      *outcome = CALSYNC_APPLY_IGNORED;
      return TRUE;
    }

  if (incoming_is_older (stored, incoming))
    {
      *outcome = CALSYNC_APPLY_STALE;
      return TRUE;
    }

  *outcome = CALSYNC_APPLY_DELETED;
  return store_delete_event_row (conn, calsync_event_get_id (stored), error);
}

/* The external ids of the calendar's pending deletes, or NULL when there are
 * none (the usual case: no cost per event) */
static gboolean
pending_deletes (StoreConn    *conn,
                 gint64        calendar_id,
                 GHashTable  **deletes,
                 GError      **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_pending_deletes, error);
  int rc;

  G_STATIC_ASSERT (CALSYNC_OUTBOX_DELETE == 2);
  *deletes = NULL;
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (*deletes == NULL)
        *deletes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_add (*deletes, g_strdup (store_column_text (stmt, 0)));
    }

  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (deletes, g_hash_table_unref);
      return store_set_error (conn, rc, error);
    }
  return TRUE;
}

/* Applies one remote event; the caller holds the writer and the transaction.
 * An event deleted here, the delete not yet on the server, stays deleted (the
 * push settles it: "local is newer", as for edits). */
static gboolean
apply_one (StoreConn            *conn,
           gint64                calendar_id,
           CalsyncEvent         *incoming,
           CalsyncSnapshot      *snapshot,
           GHashTable           *deleted_here,
           CalsyncApplyOutcome  *outcome,
           GError              **error)
{
  g_autoptr(CalsyncEvent) stored = NULL;
  const char *external_id = calsync_event_get_external_id (incoming);

  if (external_id == NULL || *external_id == '\0' || !calsync_event_limit_fields (incoming))
    {
      *outcome = CALSYNC_APPLY_INVALID;
      return TRUE;
    }

  if (snapshot != NULL)
    calsync_snapshot_add (snapshot, external_id);

  if (!store_lookup_event (conn, calendar_id, external_id, &stored, error))
    return FALSE;

  if (calsync_event_get_status (incoming) == CALSYNC_EVENT_STATUS_CANCELLED)
    return apply_cancelled (conn, stored, incoming, outcome, error);

  if (stored == NULL && deleted_here != NULL && g_hash_table_contains (deleted_here, external_id))
    {
      *outcome = CALSYNC_APPLY_KEPT_LOCAL;
      return TRUE;
    }

  if (stored == NULL)
    {
      *outcome = CALSYNC_APPLY_INSERTED;
      return insert_remote_event (conn, calendar_id, incoming, error);
    }

  if (incoming_is_older (stored, incoming))
    *outcome = CALSYNC_APPLY_STALE;
  else if (local_copy_is_newer (stored, incoming))
    *outcome = CALSYNC_APPLY_KEPT_LOCAL;
  else if (calsync_event_equal_content (stored, incoming))
    {
      *outcome = CALSYNC_APPLY_UNCHANGED;
      return refresh_etag (conn, stored, incoming, error);
    }
  else
    {
      *outcome = CALSYNC_APPLY_UPDATED;
      return store_run_event_stmt (conn, sql_update_remote_event, incoming,
                             calsync_event_get_id (stored), error);
    }

  return TRUE;
}

static gboolean
apply_upserts (StoreConn          *conn,
               gint64              calendar_id,
               GPtrArray          *events,
               CalsyncSnapshot    *snapshot,
               GArray             *outcomes,
               CalsyncApplyStats  *stats,
               GError            **error)
{
  g_autoptr(GHashTable) deleted_here = NULL;

  if (events->len > 0 && !pending_deletes (conn, calendar_id, &deleted_here, error))
    return FALSE;

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncApplyOutcome outcome = CALSYNC_APPLY_IGNORED;

      if (!apply_one (conn, calendar_id, g_ptr_array_index (events, i), snapshot, deleted_here,
                      &outcome, error))
        return FALSE;

      if (outcomes != NULL)
        g_array_append_val (outcomes, outcome);
      count_outcome (stats, outcome);
    }

  return TRUE;
}

/* Removals ----------------------------------------------------------------- */

static gboolean
remove_by_id (StoreConn          *conn,
              gint64              calendar_id,
              const char         *external_id,
              CalsyncApplyStats  *stats,
              GError            **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_delete_event_by_external_id, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, external_id);
  if (!store_step_done (conn, stmt, error))
    return FALSE;

  count_outcome (stats, sqlite3_changes (conn->db) > 0 ? CALSYNC_APPLY_DELETED : CALSYNC_APPLY_IGNORED);
  return TRUE;
}

static gboolean
remove_by_ids (StoreConn          *conn,
               gint64              calendar_id,
               GPtrArray          *external_ids,
               CalsyncApplyStats  *stats,
               GError            **error)
{
  for (guint i = 0; external_ids != NULL && i < external_ids->len; i++)
    if (!remove_by_id (conn, calendar_id, g_ptr_array_index (external_ids, i), stats, error))
      return FALSE;

  return TRUE;
}

/* Row ids of the stored events that @stmt selects (id, external id) and @keep
 * does not hold */
static GArray *
collect_unlisted (StoreConn     *conn,
                  sqlite3_stmt  *stmt,
                  GHashTable    *keep,
                  GError       **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (keep == NULL || !g_hash_table_contains (keep, store_column_text (stmt, 1)))
        g_array_append_val (rows, id);
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (conn, rc, error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

static gboolean
delete_rows (StoreConn          *conn,
             GArray             *rows,
             CalsyncApplyStats  *stats,
             GError            **error)
{
  for (guint i = 0; i < rows->len; i++)
    {
      if (!store_delete_event_row (conn, g_array_index (rows, gint64, i), error))
        return FALSE;
      count_outcome (stats, CALSYNC_APPLY_DELETED);
    }

  return TRUE;
}

/* The stored instances of @resource that @keep does not hold go (all when NULL) */
static gboolean
replace_resource (StoreConn          *conn,
                  gint64              calendar_id,
                  const char         *resource,
                  GHashTable         *keep,
                  CalsyncApplyStats  *stats,
                  GError            **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_resource_events, error);
  g_autoptr(GArray) rows = NULL;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, resource);
  if (!(rows = collect_unlisted (conn, stmt, keep, error)))
    return FALSE;
  g_clear_pointer (&stmt, store_cached_stmt_release);

  return delete_rows (conn, rows, stats, error);
}

gboolean
store_run_resource_stmt (StoreConn    *conn,
                         const char   *sql,
                         gint64        calendar_id,
                         const char   *href,
                         const char   *etag,
                         const char   *text,
                         GError      **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, href);
  /* The upserts (the store's and the outbox's) take the etag and the text */
  if (sqlite3_bind_parameter_count (stmt) >= 4)
    {
      store_bind_text (stmt, 3, etag);
      store_bind_text (stmt, 4, text);
    }
  return store_step_done (conn, stmt, error);
}

/* The latest server "updated" among the page's instances of @href */
static gint64
resource_updated (CalsyncPage *page,
                  const char  *href)
{
  gint64 latest = 0;

  for (guint i = 0; i < page->upserts->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (page->upserts, i);

      if (g_strcmp0 (calsync_event_get_resource_id (event), href) == 0)
        latest = MAX (latest, calsync_event_get_remote_updated (event));
    }

  return latest;
}

/* Keeps the etag and text of the page's resource @i, unless instances of it
 * were edited here after the server's copy */
static gboolean
keep_resource (StoreConn    *conn,
               gint64        calendar_id,
               CalsyncPage  *page,
               guint         i,
               GError      **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  const char *href = g_ptr_array_index (page->resources, i);
  const char *etag = i < page->resource_etags->len ? g_ptr_array_index (page->resource_etags, i) : NULL;
  const char *text = i < page->resource_texts->len ? g_ptr_array_index (page->resource_texts, i) : NULL;
  gint64 n_later = 0;

  if (!(stmt = store_stmt (conn, sql_resource_edited_later, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, href);
  sqlite3_bind_int64 (stmt, 3, resource_updated (page, href));
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return store_set_error (conn, sqlite3_errcode (conn->db), error);
  n_later = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, store_cached_stmt_release);

  if (n_later > 0)
    return TRUE;

  return store_run_resource_stmt (conn, sql_upsert_resource, calendar_id, href, etag, text, error);
}

static gboolean
apply_resources (StoreConn          *conn,
                 gint64              calendar_id,
                 CalsyncPage        *page,
                 CalsyncApplyStats  *stats,
                 GError            **error)
{
  g_autoptr(GHashTable) listed = NULL;

  for (guint i = 0; i < page->removed_resources->len; i++)
    {
      const char *href = g_ptr_array_index (page->removed_resources, i);

      if (!replace_resource (conn, calendar_id, href, NULL, stats, error) ||
          !store_run_resource_stmt (conn, sql_delete_resource, calendar_id, href, NULL, NULL, error))
        return FALSE;
    }

  if (page->resources->len == 0)
    return TRUE;

  listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < page->upserts->len; i++)
    {
      const char *id = calsync_event_get_external_id (g_ptr_array_index (page->upserts, i));

      if (id != NULL)
        g_hash_table_add (listed, (gpointer) id);
    }

  for (guint i = 0; i < page->resources->len; i++)
    if (!replace_resource (conn, calendar_id, g_ptr_array_index (page->resources, i),
                           listed, stats, error) ||
        !keep_resource (conn, calendar_id, page, i, error))
      return FALSE;

  return TRUE;
}

/* The sweep: stored events of the window that the full round did not list */
static gboolean
sweep (StoreConn          *conn,
       gint64              calendar_id,
       CalsyncSnapshot    *snapshot,
       CalsyncApplyStats  *stats,
       GError            **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_window_events, error);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 time_min, time_max;
  int rc;

  if (stmt == NULL)
    return FALSE;

  calsync_snapshot_get_window (snapshot, &time_min, &time_max);
  sqlite3_bind_int64 (stmt, 1, calendar_id);
  sqlite3_bind_int64 (stmt, 2, time_min);
  sqlite3_bind_int64 (stmt, 3, time_max);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!calsync_snapshot_contains (snapshot, store_column_text (stmt, 1)))
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (rows, id);
      }

  if (rc != SQLITE_DONE)
    return store_set_error (conn, rc, error);
  g_clear_pointer (&stmt, store_cached_stmt_release);

  if (rows->len > 0)
    g_debug ("Calendar %" G_GINT64_FORMAT ": %u events no longer on the server", calendar_id, rows->len);

  return delete_rows (conn, rows, stats, error) &&
         store_run_resource_stmt (conn, sql_sweep_resources, calendar_id, NULL, NULL, NULL, error);
}

/* A page --------------------------------------------------------------------- */

static gboolean
apply_page_locked (StoreConn                 *conn,
                   gint64                     calendar_id,
                   CalsyncPage               *page,
                   CalsyncSnapshot           *snapshot,
                   const CalsyncSyncFinish   *finish,
                   CalsyncApplyStats         *stats,
                   GError                   **error)
{
  if (!store_begin (conn, error))
    return FALSE;

  if (!apply_upserts (conn, calendar_id, page->upserts, snapshot, NULL, stats, error) ||
      !remove_by_ids (conn, calendar_id, page->removals, stats, error) ||
      !apply_resources (conn, calendar_id, page, stats, error) ||
      (finish != NULL && snapshot != NULL && !sweep (conn, calendar_id, snapshot, stats, error)) ||
      (finish != NULL && !store_save_sync_state (conn, calendar_id, finish->cursor,
                                                 finish->last_sync_at, error)) ||
      !store_commit (conn, error))
    return store_rollback (conn);

  return TRUE;
}

/**
 * calsync_store_apply_page:
 * @calendar_id: the calendar the page belongs to
 * @page: what the provider sent; events in it may have their fields cut to
 *   the caps of calsync_event_limit_fields()
 * @snapshot: (nullable): during a full round, what the round listed so far; this
 *   page's events are added to it
 * @finish: (nullable): set on the calendar's last page: the cursor and time to
 *   record, and — with @snapshot — the sweep of the window's stored events the
 *   round did not list (local edits not yet on the server are kept)
 * @stats: (out caller-allocates) (optional): what was done, zero on failure
 *
 * Applies one page in one transaction: upserts matched to stored events by
 * remote id (cancelled ones delete; an older copy than the stored one by the
 * server's "updated" is skipped; a newer local edit is kept; identical ones are
 * skipped), removals by id, resources replaced or removed whole. On any error
 * nothing is changed. Unreadable events (no id) are counted as skipped.
 */
gboolean
calsync_store_apply_page (CalsyncStore             *self,
                          gint64                    calendar_id,
                          CalsyncPage              *page,
                          CalsyncSnapshot          *snapshot,
                          const CalsyncSyncFinish  *finish,
                          CalsyncApplyStats        *stats,
                          GError                  **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  CalsyncApplyStats counted = { 0 };

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);

  if (stats != NULL)
    *stats = counted;

  if (!(writer = store_writer_acquire (self, error)) ||
      !apply_page_locked (writer, calendar_id, page, snapshot, finish, &counted, error))
    return FALSE;

  if (counted.inserted + counted.updated + counted.deleted > 0 || finish != NULL)
    store_schedule_changed (self);
  if (stats != NULL)
    *stats = counted;

  return TRUE;
}

typedef struct
{
  gint64 calendar_id;
  CalsyncPage *page;          /* borrowed: the caller keeps it until done */
  CalsyncSnapshot *snapshot;  /* borrowed */
  CalsyncSyncFinish finish;
  gboolean has_finish;
  CalsyncApplyStats stats;
} ApplyTaskData;

static void
apply_task_data_free (ApplyTaskData *data)
{
  g_free ((char *) data->finish.cursor);
  g_free (data);
}

static void
apply_page_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ApplyTaskData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (calsync_store_apply_page (source_object, data->calendar_id, data->page, data->snapshot,
                                data->has_finish ? &data->finish : NULL, &data->stats, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * calsync_store_apply_page_async:
 *
 * Runs calsync_store_apply_page() in a worker thread. @page and @snapshot must
 * stay alive and unchanged until the callback; @finish is copied.
 */
void
calsync_store_apply_page_async (CalsyncStore             *self,
                                gint64                    calendar_id,
                                CalsyncPage              *page,
                                CalsyncSnapshot          *snapshot,
                                const CalsyncSyncFinish  *finish,
                                GCancellable             *cancellable,
                                GAsyncReadyCallback       callback,
                                gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  ApplyTaskData *data;

  g_return_if_fail (CALSYNC_IS_STORE (self));
  g_return_if_fail (page != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_store_apply_page_async);

  data = g_new0 (ApplyTaskData, 1);
  data->calendar_id = calendar_id;
  data->page = page;
  data->snapshot = snapshot;
  if (finish != NULL)
    {
      data->has_finish = TRUE;
      data->finish.cursor = g_strdup (finish->cursor);
      data->finish.last_sync_at = finish->last_sync_at;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) apply_task_data_free);

  g_task_run_in_thread (task, apply_page_thread);
}

/**
 * calsync_store_apply_page_finish:
 * @stats: (out caller-allocates) (optional): what was done, zero on failure
 */
gboolean
calsync_store_apply_page_finish (CalsyncStore       *self,
                                 GAsyncResult       *result,
                                 CalsyncApplyStats  *stats,
                                 GError            **error)
{
  ApplyTaskData *data;
  gboolean ok;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  ok = g_task_propagate_boolean (G_TASK (result), error);

  if (stats != NULL)
    {
      CalsyncApplyStats zero = { 0 };

      *stats = ok ? data->stats : zero;
    }

  return ok;
}

/* Batches without a page (iCalendar import, tests) ---------------------------- */

/**
 * calsync_store_apply_remote_events:
 * @calendar_id: the calendar the events belong to
 * @events: (element-type CalsyncEvent): events as the provider sent them
 * @outcomes: (nullable) (element-type CalsyncApplyOutcome): appended one
 *   outcome per event, in order, on success
 * @stats: (out caller-allocates) (optional): totals, zero on failure
 *
 * Applies a batch of events in one transaction, as calsync_store_apply_page()
 * applies a page's upserts. On any error nothing is changed.
 */
gboolean
calsync_store_apply_remote_events (CalsyncStore       *self,
                                   gint64              calendar_id,
                                   GPtrArray          *events,
                                   GArray             *outcomes,
                                   CalsyncApplyStats  *stats,
                                   GError            **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  g_autoptr(GArray) batch_outcomes = NULL;
  CalsyncApplyStats counted = { 0 };

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);
  g_return_val_if_fail (outcomes == NULL ||
                        g_array_get_element_size (outcomes) == sizeof (CalsyncApplyOutcome),
                        FALSE);

  if (stats != NULL)
    *stats = counted;

  batch_outcomes = g_array_sized_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome), events->len);
  if (!(writer = store_writer_acquire (self, error)) || !store_begin (writer, error))
    return FALSE;

  if (!apply_upserts (writer, calendar_id, events, NULL, batch_outcomes, &counted, error) ||
      !store_commit (writer, error))
    return store_rollback (writer);

  if (counted.inserted + counted.updated + counted.deleted > 0)
    store_schedule_changed (self);
  if (outcomes != NULL)
    g_array_append_vals (outcomes, batch_outcomes->data, batch_outcomes->len);
  if (stats != NULL)
    *stats = counted;

  return TRUE;
}
