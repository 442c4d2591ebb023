/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store-outbox.c: two-way sync in the store — the outbox of changes
 * made here to synced calendars (recorded in the transaction of the edit,
 * merged per event), what the engine reads to push them (in order, with the
 * etags and resource texts they are based on), and what a push leaves behind:
 * the entry cleared together with the server's etag, href and id. */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-store-private.h"

static const char sql_calendar_kind[] =
  "SELECT c.read_only, a.provider <> 'local', c.name, a.read_only FROM calendars AS c "
  "JOIN accounts AS a ON a.id = c.account_id WHERE c.id = ?1";
static const char sql_find_entry[] =
  "SELECT id, kind FROM outbox WHERE calendar_id = ?1 AND external_id = ?2";
static const char sql_insert_entry[] =
  "INSERT INTO outbox (calendar_id, external_id, kind, etag, resource_id, local_updated, text) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_touch_entry[] =
  "UPDATE outbox SET kind = ?2, local_updated = ?3, text = COALESCE (?4, text) WHERE id = ?1";
static const char sql_delete_entry[] = "DELETE FROM outbox WHERE id = ?1";
static const char sql_notify_entry[] = "UPDATE outbox SET notify = 1 WHERE id = ?1";
/* The event as it is now, kept in the entry (a delete has no row left) */
static const char sql_snapshot_entry[] =
  "UPDATE outbox SET (event_id, event_external_id, title, description, location, start_utc, "
  "end_utc, time_zone, all_day, start_date, end_date, status, recurrence, recurring_event_id, "
  "original_start, attendees, conference_url, event_type, remote_updated) = "
  "(SELECT id, external_event_id, title, description, location, start_utc, end_utc, time_zone, "
  "all_day, start_date, end_date, status, recurrence, recurring_event_id, original_start, "
  "attendees, conference_url, event_type, remote_updated FROM events WHERE id = ?2) "
  "WHERE id = ?1";
/* What an edit is based on: the resource's etag (CalDAV), else the event's */
static const char sql_base_etag[] =
  "SELECT COALESCE (r.etag, e.etag), e.resource_id FROM events AS e "
  "LEFT JOIN resources AS r ON r.calendar_id = e.calendar_id AND r.href = e.resource_id "
  "WHERE e.id = ?1";

static const char sql_list_entries[] =
  "SELECT o.id, o.calendar_id, o.kind, o.external_id, o.etag, o.resource_id, "
  "COALESCE (o.text, r.text), o.local_updated, o.text IS NOT NULL, o.notify FROM outbox AS o "
  "LEFT JOIN resources AS r ON r.calendar_id = o.calendar_id AND r.href = o.resource_id "
  "WHERE ?1 = 0 OR o.calendar_id = ?1 ORDER BY o.id";
/* Columns in the order store_event_from_row() reads them */
static const char sql_entry_snapshot[] =
  "SELECT o.event_id, o.calendar_id, o.event_external_id, o.etag, o.title, o.description, "
  "o.location, o.start_utc, o.end_utc, o.time_zone, o.all_day, o.start_date, o.end_date, "
  "o.status, o.recurrence, o.recurring_event_id, o.original_start, o.attendees, "
  "o.conference_url, o.event_type, o.remote_updated, o.local_updated, 1, o.resource_id, "
  "c.name, c.color FROM outbox AS o JOIN calendars AS c ON c.id = o.calendar_id WHERE o.id = ?1";
/* The event an entry sends: its own row, else the first instance of its series */
static const char sql_entry_event[] =
  "SELECT " EVENT_COLUMNS " FROM events AS e JOIN calendars AS c ON c.id = e.calendar_id "
  "WHERE e.calendar_id = ?1 AND (e.external_event_id = ?2 OR e.recurring_event_id = ?2) "
  "ORDER BY e.external_event_id <> ?2, e.start_utc LIMIT 1";
static const char sql_count_entries[] =
  "SELECT COUNT(*) FROM outbox WHERE ?1 = 0 OR calendar_id = ?1";
static const char sql_known_etags[] =
  "SELECT href, etag FROM resources WHERE calendar_id = ?1 AND etag IS NOT NULL AND etag <> ''";
static const char sql_resource_text[] =
  "SELECT text FROM resources WHERE calendar_id = ?1 AND href = ?2";

/* After a push */
static const char sql_entry_state[] =
  "SELECT local_updated FROM outbox WHERE id = ?1";
static const char sql_requeue_entry[] =
  "UPDATE outbox SET kind = ?2, etag = ?3, resource_id = COALESCE (?4, resource_id) WHERE id = ?1";
/* A resource whose etag was forgotten (a lost change waits for the pull to
 * bring the server's copy back) keeps it forgotten when a later change of the
 * same sync is written to it: else the pull would take it as known */
static const char sql_upsert_resource[] =
  "INSERT INTO resources (calendar_id, href, etag, text) VALUES (?1, ?2, ?3, ?4) "
  "ON CONFLICT (calendar_id, href) DO UPDATE SET etag = CASE WHEN resources.etag IS NULL THEN NULL ELSE excluded.etag END, "
  "text = excluded.text";
static const char sql_delete_resource[] =
  "DELETE FROM resources WHERE calendar_id = ?1 AND href = ?2";
static const char sql_forget_resource_etag[] =
  "UPDATE resources SET etag = NULL WHERE calendar_id = ?1 AND href = ?2";
/* The rows of an entry: its event, or every instance of its series */
#define ENTRY_ROWS "calendar_id = ?1 AND (external_event_id = ?2 OR (?3 AND recurring_event_id = ?2))"
static const char sql_written_rows[] =
  "UPDATE events SET etag = COALESCE (?4, etag), resource_id = COALESCE (?5, resource_id), "
  "remote_updated = MAX (remote_updated, ?6), "
  "locally_modified = CASE WHEN local_updated <= ?7 THEN 0 ELSE locally_modified END "
  "WHERE " ENTRY_ROWS;
/* The server's copy of our own create, stored by a pull while the create's
 * answer was lost (its retry met the event the first try made): the local
 * event takes its place */
static const char sql_drop_pulled_copy[] =
  "DELETE FROM events WHERE calendar_id = ?1 AND external_event_id = ?3 AND ?2 IS NOT ?3";
static const char sql_rename_event[] =
  "UPDATE events SET external_event_id = ?3 WHERE calendar_id = ?1 AND external_event_id = ?2";
/* An edit made while the create was in flight waits under the new id */
static const char sql_rename_entry[] =
  "UPDATE outbox SET external_id = ?3, event_external_id = ?3 WHERE calendar_id = ?1 AND external_id = ?2";
static const char sql_give_up_rows[] =
  "UPDATE events SET locally_modified = 0, remote_updated = 0, etag = NULL WHERE " ENTRY_ROWS;
static const char sql_delete_rows[] =
  "DELETE FROM events WHERE " ENTRY_ROWS;
static const char sql_forget_cursor[] =
  "UPDATE calendars SET sync_token = NULL WHERE id = ?1";
/* Later entries of the same resource were based on the etag just replaced */
static const char sql_rebase_entries[] =
  "UPDATE outbox SET etag = ?3, resource_id = ?4 WHERE calendar_id = ?1 AND id <> ?5 "
  "AND (resource_id = ?4 OR external_id = ?2 OR recurring_event_id = ?2 OR "
  "(?6 IS NOT NULL AND recurring_event_id = ?6))";
static const char sql_server_copy[] =
  "UPDATE events SET " EVENT_CONTENT_SET ", etag = ?17, remote_updated = ?18, "
  "locally_modified = 0, resource_id = ?23 WHERE calendar_id = ?21 AND external_event_id = ?22";

/* Entries ---------------------------------------------------------------------- */

void
calsync_outbox_entry_free (CalsyncOutboxEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->key);
  g_clear_object (&entry->event);
  g_free (entry->etag);
  g_free (entry->resource_id);
  g_free (entry->resource_text);
  g_free (entry);
}

/* Recording edits ---------------------------------------------------------------- */

/* Whether @calendar_id may be edited here and is synced (edits go to the
 * outbox); a read-only calendar is an error that says why */
gboolean
store_check_writable (StoreConn  *conn,
                      gint64      calendar_id,
                      gboolean   *synced,
                      GError    **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_calendar_kind, error);
  gboolean has_row = FALSE;

  *synced = FALSE;
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  if (!store_step_row (conn, stmt, &has_row, error))
    return FALSE;

  if (!has_row)
    {
      g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND,
                           _("Calendar not found"));
      return FALSE;
    }

  if (sqlite3_column_int (stmt, 3))
    {
      /* Translators: %s is a calendar's name */
      g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_READ_ONLY,
                   _("The calendar “%s” is read-only: CalSync was allowed to read its account only. "
                     "Reconnect the account to allow changes."),
                   store_column_text (stmt, 2));
      return FALSE;
    }
  if (sqlite3_column_int (stmt, 0))
    {
      /* Translators: %s is a calendar's name */
      g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_READ_ONLY,
                   _("The calendar “%s” is read-only: its server does not let this account change it"),
                   store_column_text (stmt, 2));
      return FALSE;
    }

  *synced = sqlite3_column_int (stmt, 1) != 0;
  return TRUE;
}

static gboolean
find_entry (StoreConn          *conn,
            gint64              calendar_id,
            const char         *key,
            gint64             *entry_id,
            CalsyncOutboxKind  *kind,
            GError            **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_find_entry, error);
  gboolean has_row = FALSE;

  *entry_id = 0;
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, key);
  if (!store_step_row (conn, stmt, &has_row, error))
    return FALSE;

  if (has_row)
    {
      *entry_id = sqlite3_column_int64 (stmt, 0);
      *kind = sqlite3_column_int (stmt, 1);
    }
  return TRUE;
}

static gboolean
read_base (StoreConn  *conn,
           gint64      row_id,
           char      **etag,
           char      **resource_id,
           GError    **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_base_etag, error);
  gboolean has_row = FALSE;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, row_id);
  if (!store_step_row (conn, stmt, &has_row, error))
    return FALSE;

  if (has_row)
    {
      *etag = g_strdup (store_column_text (stmt, 0));
      *resource_id = g_strdup (store_column_text (stmt, 1));
    }
  return TRUE;
}

static gboolean
insert_entry (StoreConn          *conn,
              gint64              calendar_id,
              const char         *key,
              CalsyncOutboxKind   kind,
              gint64              row_id,
              gint64              local_updated,
              const char         *text,
              gint64             *entry_id,
              GError            **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *resource_id = NULL;

  if (kind != CALSYNC_OUTBOX_CREATE && !read_base (conn, row_id, &etag, &resource_id, error))
    return FALSE;

  if (!(stmt = store_stmt (conn, sql_insert_entry, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, key);
  sqlite3_bind_int (stmt, 3, kind);
  store_bind_text (stmt, 4, etag);
  store_bind_text (stmt, 5, resource_id);
  sqlite3_bind_int64 (stmt, 6, local_updated);
  store_bind_text (stmt, 7, text);
  if (!store_step_done (conn, stmt, error))
    return FALSE;

  *entry_id = sqlite3_last_insert_rowid (conn->db);
  return TRUE;
}

static gboolean
run_id_stmt (StoreConn   *conn,
             const char  *sql,
             gint64       id,
             gint64       other,
             GError     **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  if (other != 0)
    sqlite3_bind_int64 (stmt, 2, other);
  return store_step_done (conn, stmt, error);
}

static gboolean
touch_entry (StoreConn          *conn,
             gint64              entry_id,
             CalsyncOutboxKind   kind,
             gint64              local_updated,
             const char         *text,
             GError            **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_touch_entry, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, entry_id);
  sqlite3_bind_int (stmt, 2, kind);
  sqlite3_bind_int64 (stmt, 3, local_updated);
  store_bind_text (stmt, 4, text);
  return store_step_done (conn, stmt, error);
}

/* What an existing entry becomes when @kind happens to its event; FALSE: the
 * entry goes (created here, deleted before it was ever sent) */
static gboolean
merge_kind (CalsyncOutboxKind  before,
            CalsyncOutboxKind  now,
            CalsyncOutboxKind *merged)
{
  if (now == CALSYNC_OUTBOX_DELETE)
    {
      *merged = CALSYNC_OUTBOX_DELETE;
      return before != CALSYNC_OUTBOX_CREATE;
    }

  /* A create stays a create; made again after a delete, it replaces the server's */
  if (before == CALSYNC_OUTBOX_CREATE)
    *merged = CALSYNC_OUTBOX_CREATE;
  else
    *merged = CALSYNC_OUTBOX_UPDATE;
  return TRUE;
}

/**
 * store_outbox_record:
 * @key: the external id the entry is kept under (the event's, or a series' UID)
 * @row_id: the event's row (for a delete: before it is deleted)
 * @text: (nullable): iCalendar to send whole (an imported series)
 * @notify: the person asked that guests be told (kept once asked)
 *
 * Records @kind in the outbox, merged with what is already waiting for @key;
 * the caller holds the transaction of the edit.
 */
gboolean
store_outbox_record (StoreConn          *conn,
                     gint64              calendar_id,
                     const char         *key,
                     CalsyncOutboxKind   kind,
                     gint64              row_id,
                     gint64              local_updated,
                     const char         *text,
                     gboolean            notify,
                     GError            **error)
{
  CalsyncOutboxKind before = kind, merged = kind;
  gint64 entry_id = 0;

  if (!find_entry (conn, calendar_id, key, &entry_id, &before, error))
    return FALSE;

  if (entry_id == 0)
    {
      if (!insert_entry (conn, calendar_id, key, kind, row_id, local_updated, text, &entry_id, error))
        return FALSE;
    }
  else if (!merge_kind (before, kind, &merged))
    return run_id_stmt (conn, sql_delete_entry, entry_id, 0, error);
  else if (!touch_entry (conn, entry_id, merged, local_updated, text, error))
    return FALSE;

  return run_id_stmt (conn, sql_snapshot_entry, entry_id, row_id, error) &&
         (!notify || run_id_stmt (conn, sql_notify_entry, entry_id, 0, error));
}

/* Reading the outbox -------------------------------------------------------------- */

static CalsyncEvent *
entry_event (StoreConn           *conn,
             CalsyncOutboxEntry  *entry,
             GError             **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;
  CalsyncEvent *event = NULL;

  if (entry->kind != CALSYNC_OUTBOX_DELETE)
    {
      if (!(stmt = store_stmt (conn, sql_entry_event, error)))
        return NULL;
      sqlite3_bind_int64 (stmt, 1, entry->calendar_id);
      store_bind_text (stmt, 2, entry->key);
      event = store_collect_one (conn, stmt, (StoreRowFunc) store_event_from_row, NULL, &local_error);
      if (event != NULL || local_error != NULL)
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          return event;
        }
      g_clear_pointer (&stmt, store_cached_stmt_release);
    }

  /* A delete, or an event gone meanwhile: the entry's own copy */
  if (!(stmt = store_stmt (conn, sql_entry_snapshot, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, entry->id);
  return store_collect_one (conn, stmt, (StoreRowFunc) store_event_from_row, _("Event not found"), error);
}

static CalsyncOutboxEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  CalsyncOutboxEntry *entry = g_new0 (CalsyncOutboxEntry, 1);

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->calendar_id = sqlite3_column_int64 (stmt, 1);
  entry->kind = sqlite3_column_int (stmt, 2);
  entry->key = g_strdup (store_column_text (stmt, 3));
  entry->etag = g_strdup (store_column_text (stmt, 4));
  entry->resource_id = g_strdup (store_column_text (stmt, 5));
  entry->resource_text = g_strdup (store_column_text (stmt, 6));
  entry->local_updated = sqlite3_column_int64 (stmt, 7);
  entry->whole = sqlite3_column_int (stmt, 8) != 0;
  entry->notify = sqlite3_column_int (stmt, 9) != 0;

  return entry;
}

static GPtrArray *
list_entries (StoreConn  *conn,
              gint64      calendar_id,
              GError    **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_list_entries, error);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) calsync_outbox_entry_free);
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (entries, entry_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      store_set_error (conn, rc, error);
      return NULL;
    }

  return g_steal_pointer (&entries);
}

/**
 * calsync_store_list_outbox:
 * @calendar_id: the calendar, or 0 for every one
 *
 * Returns: (transfer full) (element-type CalsyncOutboxEntry): the changes
 *   waiting to be sent, in the order they were made, or %NULL with @error set
 */
GPtrArray *
calsync_store_list_outbox (CalsyncStore  *self,
                           gint64         calendar_id,
                           GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  if (!(reader = store_reader_acquire (self, error)) ||
      !(entries = list_entries (reader, calendar_id, error)))
    return NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      CalsyncOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (!(entry->event = entry_event (reader, entry, error)))
        return NULL;
    }

  return g_steal_pointer (&entries);
}

/**
 * calsync_store_count_outbox:
 * @calendar_id: the calendar, or 0 for every one
 *
 * Returns: how many changes wait to be sent, -1 with @error set
 */
gint64
calsync_store_count_outbox (CalsyncStore  *self,
                            gint64         calendar_id,
                            GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  gint64 count = 0;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), -1);

  if (!(reader = store_reader_acquire (self, error)) ||
      !store_query_int64 (reader, sql_count_entries, calendar_id, &count, error))
    return -1;

  return count;
}

/**
 * calsync_store_get_known_etags:
 *
 * Returns: (transfer full) (element-type utf8 utf8): href → etag of the
 *   resources stored for @calendar_id (for #CalsyncFetchRequest), or %NULL
 *   with @error set
 */
GHashTable *
calsync_store_get_known_etags (CalsyncStore  *self,
                               gint64         calendar_id,
                               GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(GHashTable) etags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int rc;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  if (!(reader = store_reader_acquire (self, error)) ||
      !(stmt = store_stmt (reader, sql_known_etags, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (etags, g_strdup (store_column_text (stmt, 0)),
                         g_strdup (store_column_text (stmt, 1)));

  if (rc != SQLITE_DONE)
    {
      store_set_error (reader, rc, error);
      return NULL;
    }

  return g_steal_pointer (&etags);
}

char *
calsync_store_get_resource_text (CalsyncStore  *self,
                                 gint64         calendar_id,
                                 const char    *href,
                                 GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (href != NULL, NULL);

  if (!(reader = store_reader_acquire (self, error)) ||
      !(stmt = store_stmt (reader, sql_resource_text, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, href);
  if (!store_step_row (reader, stmt, &has_row, error) || !has_row)
    return NULL;

  return g_strdup (store_column_text (stmt, 0));
}

/* After a push ------------------------------------------------------------------ */

static gboolean
run_entry_rows (StoreConn                 *conn,
                const char                *sql,
                const CalsyncOutboxEntry  *entry,
                GError                   **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, entry->calendar_id);
  store_bind_text (stmt, 2, entry->key);
  sqlite3_bind_int (stmt, 3, entry->whole);
  return store_step_done (conn, stmt, error);
}

/* A resource statement, skipped for an entry with no resource */
static gboolean
run_resource_stmt (StoreConn    *conn,
                   const char   *sql,
                   gint64        calendar_id,
                   const char   *href,
                   const char   *etag,
                   const char   *text,
                   GError      **error)
{
  if (href == NULL)
    return TRUE;

  return store_run_resource_stmt (conn, sql, calendar_id, href, etag, text, error);
}

/* The entry as it is now: edited again while its push was in flight? */
static gboolean
entry_changed_meanwhile (StoreConn                 *conn,
                         const CalsyncOutboxEntry  *entry,
                         gboolean                  *gone,
                         gboolean                  *changed,
                         GError                   **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_entry_state, error);
  gboolean has_row = FALSE;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, entry->id);
  if (!store_step_row (conn, stmt, &has_row, error))
    return FALSE;

  *gone = !has_row;
  *changed = has_row && sqlite3_column_int64 (stmt, 0) != entry->local_updated;
  return TRUE;
}

static gboolean
mark_written_rows (StoreConn                 *conn,
                   const CalsyncOutboxEntry  *entry,
                   const CalsyncPushDone     *done,
                   GError                   **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_written_rows, error);
  gint64 updated = done->server_event != NULL ? calsync_event_get_remote_updated (done->server_event) : 0;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, entry->calendar_id);
  store_bind_text (stmt, 2, entry->key);
  sqlite3_bind_int (stmt, 3, entry->whole);
  store_bind_text (stmt, 4, done->etag);
  store_bind_text (stmt, 5, done->resource_id);
  sqlite3_bind_int64 (stmt, 6, updated);
  sqlite3_bind_int64 (stmt, 7, entry->local_updated);
  return store_step_done (conn, stmt, error);
}

/* A created event takes the server's id (Google, Graph) in the transaction that
 * clears its entry: a retry after a crash never creates it twice */
static gboolean
rename_event (StoreConn                 *conn,
              const CalsyncOutboxEntry  *entry,
              const char                *remote_id,
              GError                   **error)
{
  const char * const statements[] = { sql_drop_pulled_copy, sql_rename_event, sql_rename_entry };

  if (remote_id == NULL || g_strcmp0 (remote_id, entry->key) == 0 || entry->whole)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(CachedStmt) stmt = store_stmt (conn, statements[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, entry->calendar_id);
      store_bind_text (stmt, 2, entry->key);
      store_bind_text (stmt, 3, remote_id);
      if (!store_step_done (conn, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
rebase_entries (StoreConn                 *conn,
                const CalsyncOutboxEntry  *entry,
                const CalsyncPushDone     *done,
                GError                   **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  /* Only resources hold several entries' events (CalDAV); a Google or Graph
   * event has an etag of its own */
  if (done->resource_id == NULL || done->deleted)
    return TRUE;
  if (!(stmt = store_stmt (conn, sql_rebase_entries, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, entry->calendar_id);
  store_bind_text (stmt, 2, entry->key);
  store_bind_text (stmt, 3, done->etag);
  store_bind_text (stmt, 4, done->resource_id);
  sqlite3_bind_int64 (stmt, 5, entry->id);
  store_bind_text (stmt, 6, calsync_event_get_recurring_event_id (entry->event));
  return store_step_done (conn, stmt, error);
}

static gboolean
requeue_entry (StoreConn                 *conn,
               const CalsyncOutboxEntry  *entry,
               const CalsyncPushDone     *done,
               GError                   **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_requeue_entry, error);
  CalsyncOutboxKind kind = entry->kind == CALSYNC_OUTBOX_DELETE ? CALSYNC_OUTBOX_DELETE
                                                                : CALSYNC_OUTBOX_UPDATE;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, entry->id);
  sqlite3_bind_int (stmt, 2, kind);
  store_bind_text (stmt, 3, done->etag);
  store_bind_text (stmt, 4, done->resource_id);
  return store_step_done (conn, stmt, error);
}

static gboolean
keep_written (StoreConn                 *conn,
              const CalsyncOutboxEntry  *entry,
              const CalsyncPushDone     *done,
              GError                   **error)
{
  gboolean gone = FALSE, changed = FALSE;

  if (!entry_changed_meanwhile (conn, entry, &gone, &changed, error))
    return FALSE;

  if (done->deleted || (entry->kind == CALSYNC_OUTBOX_DELETE && done->resource_text == NULL))
    {
      if (!run_resource_stmt (conn, sql_delete_resource, entry->calendar_id,
                              done->resource_id ? done->resource_id : entry->resource_id, NULL, NULL, error))
        return FALSE;
    }
  else if (!run_resource_stmt (conn, sql_upsert_resource, entry->calendar_id, done->resource_id,
                               done->etag, done->resource_text, error))
    return FALSE;

  if (done->replaced)
    {
      /* The server's events (their own ids) come with the pull */
      if (!run_entry_rows (conn, sql_delete_rows, entry, error))
        return FALSE;
    }
  else if (entry->kind != CALSYNC_OUTBOX_DELETE &&
           (!mark_written_rows (conn, entry, done, error) || !rename_event (conn, entry, done->remote_id, error)))
    return FALSE;

  if (!rebase_entries (conn, entry, done, error))
    return FALSE;

  if (gone)
    return TRUE;
  if (changed)
    return requeue_entry (conn, entry, done, error);
  return run_id_stmt (conn, sql_delete_entry, entry->id, 0, error);
}

/* The server's copy as it came back with the answer (Google, Graph) */
static gboolean
restore_server_event (StoreConn                 *conn,
                      const CalsyncOutboxEntry  *entry,
                      CalsyncEvent              *server_event,
                      GError                   **error)
{
  g_autoptr(CalsyncEvent) copy = calsync_event_copy (server_event);
  g_autoptr(CalsyncEvent) stored = NULL;

  calsync_event_set_calendar_id (copy, entry->calendar_id);
  if (calsync_event_get_external_id (copy) == NULL)
    calsync_event_set_external_id (copy, entry->key);
  calsync_event_set_local_updated (copy, 0);
  calsync_event_set_locally_modified (copy, FALSE);

  if (!store_lookup_event (conn, entry->calendar_id, calsync_event_get_external_id (copy), &stored, error))
    return FALSE;

  return store_run_event_stmt (conn, stored != NULL ? sql_server_copy : store_sql_insert_event, copy, 0, error);
}

/* The server's copy wins: what the pull brings lands, and what it will not
 * bring (a refusal) comes with a full round */
static gboolean
give_up_change (StoreConn                 *conn,
                const CalsyncOutboxEntry  *entry,
                const CalsyncPushDone     *done,
                GError                   **error)
{
  const char *href = done->resource_id ? done->resource_id : entry->resource_id;

  if (done->deleted)
    {
      if (!run_entry_rows (conn, sql_delete_rows, entry, error) ||
          !run_resource_stmt (conn, sql_delete_resource, entry->calendar_id, href, NULL, NULL, error))
        return FALSE;
    }
  else if (done->server_event != NULL)
    {
      if (!restore_server_event (conn, entry, done->server_event, error))
        return FALSE;
    }
  else if (!run_entry_rows (conn, sql_give_up_rows, entry, error) ||
           !run_resource_stmt (conn, sql_forget_resource_etag, entry->calendar_id, href, NULL, NULL, error))
    return FALSE;

  if (done->outcome == CALSYNC_PUSH_REFUSED &&
      !run_id_stmt (conn, sql_forget_cursor, entry->calendar_id, 0, error))
    return FALSE;

  return run_id_stmt (conn, sql_delete_entry, entry->id, 0, error);
}

/**
 * calsync_store_finish_push:
 * @entry: the entry pushed, as calsync_store_list_outbox() gave it
 * @done: what the server answered
 *
 * In one transaction: written (or won) — the entry goes (unless the event was
 * edited again meanwhile: then it waits, based on the new etag), the server's
 * etag, href, resource text and id are kept, the event is no longer marked as
 * edited here; lost or refused — the entry goes and the server's copy is
 * restored: from @done, or by the pull (a refusal makes the next round full).
 */
gboolean
calsync_store_finish_push (CalsyncStore              *self,
                           const CalsyncOutboxEntry  *entry,
                           const CalsyncPushDone     *done,
                           GError                   **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  gboolean ok;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL && done != NULL, FALSE);

  if (!(writer = store_writer_acquire (self, error)) || !store_begin (writer, error))
    return FALSE;

  if (done->outcome == CALSYNC_PUSH_WRITTEN || done->outcome == CALSYNC_PUSH_WON)
    ok = keep_written (writer, entry, done, error);
  else
    ok = give_up_change (writer, entry, done, error);

  if (!ok || !store_commit (writer, error))
    return store_rollback (writer);

  store_schedule_changed (self);
  return TRUE;
}

/* In a worker thread --------------------------------------------------------------- */

static void
list_outbox_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *entries = calsync_store_list_outbox (source_object, *(gint64 *) task_data, &error);

  if (entries != NULL)
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

static void
known_etags_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  GHashTable *etags = calsync_store_get_known_etags (source_object, *(gint64 *) task_data, &error);

  if (etags != NULL)
    g_task_return_pointer (task, etags, (GDestroyNotify) g_hash_table_unref);
  else
    g_task_return_error (task, error);
}

static void
run_calendar_task (CalsyncStore        *self,
                   gint64               calendar_id,
                   gpointer             source_tag,
                   GTaskThreadFunc      func,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_memdup2 (&calendar_id, sizeof calendar_id), g_free);
  g_task_run_in_thread (task, func);
}

void
calsync_store_list_outbox_async (CalsyncStore        *self,
                                 gint64               calendar_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CALSYNC_IS_STORE (self));

  run_calendar_task (self, calendar_id, calsync_store_list_outbox_async, list_outbox_thread,
                     cancellable, callback, user_data);
}

GPtrArray *
calsync_store_list_outbox_finish (CalsyncStore  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
calsync_store_get_known_etags_async (CalsyncStore        *self,
                                     gint64               calendar_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CALSYNC_IS_STORE (self));

  run_calendar_task (self, calendar_id, calsync_store_get_known_etags_async, known_etags_thread,
                     cancellable, callback, user_data);
}

GHashTable *
calsync_store_get_known_etags_finish (CalsyncStore  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  CalsyncOutboxEntry *entry;   /* borrowed: the caller keeps it until done */
  CalsyncPushDone done;        /* strings and event borrowed the same way */
} PushData;

static void
finish_push_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  PushData *data = task_data;
  GError *error = NULL;

  /* Not cancellable: what the server accepted must be recorded */
  if (calsync_store_finish_push (source_object, data->entry, &data->done, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * calsync_store_finish_push_async:
 *
 * Runs calsync_store_finish_push() in a worker thread. @entry and what @done
 * points to must stay alive until the callback; the cancellable only stops
 * waiting for it.
 */
void
calsync_store_finish_push_async (CalsyncStore              *self,
                                 const CalsyncOutboxEntry  *entry,
                                 const CalsyncPushDone     *done,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  PushData *data;

  g_return_if_fail (CALSYNC_IS_STORE (self));
  g_return_if_fail (entry != NULL && done != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_store_finish_push_async);
  g_task_set_return_on_cancel (task, FALSE);
  data = g_new0 (PushData, 1);
  data->entry = (CalsyncOutboxEntry *) entry;
  data->done = *done;
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, finish_push_thread);
}

gboolean
calsync_store_finish_push_finish (CalsyncStore  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
