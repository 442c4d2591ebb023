/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store.c: the local SQLite database of accounts, calendars and events —
 * the object, its connections and what every part of the store shares. */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "calsync-store-private.h"

/* Read-only connections kept open for reuse; more are opened when needed */
#define MAX_IDLE_READERS 4

#define CONNECTION_PRAGMAS                                                    \
  "PRAGMA cache_size = -16384;"
/* Readers map the file (range queries read it without copying); the writer does
 * not: a sync writing tens of megabytes would otherwise count every page of the
 * file it touched in its resident size (115 MB instead of 53 for 10 Outlook
 * calendars of 1,000 events), for no speed (bench-outlook, bench-sync) */
#define READER_PRAGMAS                                                        \
  "PRAGMA mmap_size = 268435456;"

struct _CalsyncStore
{
  GObject parent_instance;

  /* The one writing connection; write_lock serialises its use */
  GMutex write_lock;
  StoreConn *writer;

  /* Idle read-only connections; readers_lock guards them and "closed" */
  GMutex readers_lock;
  GPtrArray *idle_readers;
  gboolean closed;

  /* Writes made for people (the window's edits), one after the other in the
   * order they were asked for */
  GThreadPool *ordered_writes;

  char *path;
  gint64 personal_calendar_id;

  /* Title → g_utf8_collate_key(), for sorting query results */
  GMutex collation_lock;
  GHashTable *collation_keys;

  /* "changed" is emitted on the context of the thread that opened the store */
  GMainContext *main_context;
  GMutex signal_lock;
  GSource *changed_source;
};

G_DEFINE_FINAL_TYPE (CalsyncStore, calsync_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (calsync-store-error-quark, calsync_store_error)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Connections ------------------------------------------------------------- */

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
store_conn_free (StoreConn *conn)
{
  if (conn == NULL)
    return;

  g_clear_pointer (&conn->stmts, g_hash_table_unref);   /* finalizes the statements */
  if (conn->db != NULL && sqlite3_close (conn->db) != SQLITE_OK)
    g_warning ("Could not close %s: %s", conn->store->path, sqlite3_errmsg (conn->db));
  g_free (conn);
}

static StoreConn *
store_conn_open (CalsyncStore  *self,
                 gboolean       read_only,
                 GError       **error)
{
  StoreConn *conn = g_new0 (StoreConn, 1);
  /* the store's locks serialise all use of one connection */
  int flags = SQLITE_OPEN_NOMUTEX | (read_only ? SQLITE_OPEN_READONLY
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc;

  conn->store = self;
  conn->read_only = read_only;
  conn->stmts = g_hash_table_new_full (NULL, NULL, NULL, finalize_stmt);

  rc = sqlite3_open_v2 (self->path, &conn->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_OPEN,
                   _("Could not open the calendar database “%s”: %s"),
                   self->path, conn->db ? sqlite3_errmsg (conn->db) : sqlite3_errstr (rc));
      store_conn_free (conn);
      return NULL;
    }

  sqlite3_extended_result_codes (conn->db, TRUE);
  sqlite3_busy_timeout (conn->db, 5000);

  if (!store_exec_script (conn, CONNECTION_PRAGMAS, error) ||
      (read_only && !store_exec_script (conn, READER_PRAGMAS, error)) ||
      (!read_only && !store_exec_script (conn,
                                         "PRAGMA journal_mode = WAL;"
                                         "PRAGMA synchronous = NORMAL;"
                                         "PRAGMA foreign_keys = ON;",
                                         error)))
    {
      store_conn_free (conn);
      return NULL;
    }

  return conn;
}

static gboolean
set_closed_error (GError **error)
{
  g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_OPEN,
                       _("The calendar database is closed"));
  return FALSE;
}

/* Takes the writing connection (and its lock), or NULL when the store is closed */
StoreWriter *
store_writer_acquire (CalsyncStore  *self,
                      GError       **error)
{
  g_mutex_lock (&self->write_lock);
  if (self->writer == NULL)
    {
      g_mutex_unlock (&self->write_lock);
      set_closed_error (error);
      return NULL;
    }

  return self->writer;
}

void
store_writer_release (StoreWriter *writer)
{
  g_mutex_unlock (&writer->store->write_lock);
}

/* Takes an idle read-only connection, or opens one */
StoreReader *
store_reader_acquire (CalsyncStore  *self,
                      GError       **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->readers_lock);

  if (self->closed)
    {
      set_closed_error (error);
      return NULL;
    }

  if (self->idle_readers->len > 0)
    return g_ptr_array_steal_index_fast (self->idle_readers, self->idle_readers->len - 1);

  g_clear_pointer (&locker, g_mutex_locker_free);
  return store_conn_open (self, TRUE, error);
}

void
store_reader_release (StoreReader *reader)
{
  CalsyncStore *self = reader->store;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->readers_lock);

  if (self->closed || self->idle_readers->len >= MAX_IDLE_READERS)
    {
      g_clear_pointer (&locker, g_mutex_locker_free);
      store_conn_free (reader);
      return;
    }

  g_ptr_array_add (self->idle_readers, reader);
}

/* Statements -------------------------------------------------------------- */

void
store_cached_stmt_release (CachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

gboolean
store_set_error (StoreConn  *conn,
                 int         rc,
                 GError    **error)
{
  int code = (rc & 0xff) == SQLITE_CONSTRAINT ? CALSYNC_STORE_ERROR_CONSTRAINT
                                               : CALSYNC_STORE_ERROR_QUERY;

  /* Said for people: "database is locked" reads like a fault of this program */
  if ((rc & 0xff) == SQLITE_BUSY)
    {
      g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_BUSY,
                           _("The calendar database is busy: another program is writing to it. "
                             "Try again in a moment."));
      return FALSE;
    }

  g_set_error (error, CALSYNC_STORE_ERROR, code,
               _("Calendar database error: %s"),
               conn->db ? sqlite3_errmsg (conn->db) : sqlite3_errstr (rc));
  return FALSE;
}

/* The prepared statement of @sql (a static string: its address is the key) */
CachedStmt *
store_stmt (StoreConn   *conn,
            const char  *sql,
            GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->stmts, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (conn, rc, error);
      return NULL;
    }

  g_hash_table_insert (conn->stmts, (gpointer) sql, stmt);
  return stmt;
}

gboolean
store_step_done (StoreConn     *conn,
                 sqlite3_stmt  *stmt,
                 GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return store_set_error (conn, rc, error);

  return TRUE;
}

/* Steps @stmt; TRUE with *has_row set, or FALSE with @error. */
gboolean
store_step_row (StoreConn     *conn,
                sqlite3_stmt  *stmt,
                gboolean      *has_row,
                GError       **error)
{
  int rc = sqlite3_step (stmt);

  *has_row = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_set_error (conn, rc, error);

  return TRUE;
}

gboolean
store_run (StoreConn   *conn,
           const char  *sql,
           GError     **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql, error);

  return stmt != NULL && store_step_done (conn, stmt, error);
}

/* Constant schema text only: no data is ever put into SQL text. */
gboolean
store_exec_script (StoreConn   *conn,
                   const char  *sql,
                   GError     **error)
{
  g_autofree char *message = NULL;
  char *sqlite_message = NULL;

  if (sqlite3_exec (conn->db, sql, NULL, NULL, &sqlite_message) == SQLITE_OK)
    return TRUE;

  message = g_strdup (sqlite_message);
  sqlite3_free (sqlite_message);
  g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_QUERY,
               _("Calendar database error: %s"), message);
  return FALSE;
}

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

gboolean
store_begin (StoreConn  *conn,
             GError    **error)
{
  return store_run (conn, sql_begin, error);
}

gboolean
store_commit (StoreConn  *conn,
              GError    **error)
{
  return store_run (conn, sql_commit, error);
}

gboolean
store_rollback (StoreConn *conn)
{
  g_autoptr(GError) error = NULL;

  /* SQLite may have rolled back already (e.g. after SQLITE_FULL) */
  if (conn->db == NULL || sqlite3_get_autocommit (conn->db))
    return FALSE;

  if (!store_run (conn, sql_rollback, &error))
    g_warning ("Could not roll back: %s", error->message);

  return FALSE;
}

/* Runs a statement that returns one integer (or none: *value untouched). */
gboolean
store_query_int64 (StoreConn   *conn,
                   const char  *sql,
                   gint64       param,
                   gint64      *value,
                   GError     **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql, error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, param);

  if (!store_step_row (conn, stmt, &has_row, error))
    return FALSE;

  if (has_row)
    *value = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

gboolean
store_check_changed_one (StoreConn   *conn,
                         const char  *what,
                         GError     **error)
{
  if (sqlite3_changes (conn->db) > 0)
    {
      store_schedule_changed (conn->store);
      return TRUE;
    }

  g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND, "%s", what);
  return FALSE;
}

void
store_bind_text (sqlite3_stmt *stmt,
                 int           pos,
                 const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, pos, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, pos);
}

const char *
store_column_text (sqlite3_stmt *stmt,
                   int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}

/* Rows to objects --------------------------------------------------------- */

/* A calendar name read through CALENDAR_NAME_SQL: NULL is the Personal
 * calendar, shown in the current language (a stored name is never NULL) */
const char *
store_column_name (sqlite3_stmt *stmt,
                   int           column)
{
  const char *name = store_column_text (stmt, column);

  return name != NULL ? name : calsync_calendar_personal_name ();
}

CalsyncAccount *
store_account_from_row (sqlite3_stmt *stmt)
{
  CalsyncAccount *account = calsync_account_new ();

  calsync_account_set_id (account, sqlite3_column_int64 (stmt, 0));
  calsync_account_set_provider (account, store_column_text (stmt, 1));
  calsync_account_set_email (account, store_column_text (stmt, 2));
  calsync_account_set_server_url (account, store_column_text (stmt, 3));
  calsync_account_set_needs_reconnect (account, sqlite3_column_int (stmt, 4));
  calsync_account_set_last_error (account, store_column_text (stmt, 5));
  calsync_account_set_allow_insecure (account, sqlite3_column_int (stmt, 6));
  calsync_account_set_read_only (account, sqlite3_column_int (stmt, 7));

  return account;
}

CalsyncCalendar *
store_calendar_from_row (sqlite3_stmt *stmt)
{
  CalsyncCalendar *calendar = calsync_calendar_new ();

  calsync_calendar_set_id (calendar, sqlite3_column_int64 (stmt, 0));
  calsync_calendar_set_account_id (calendar, sqlite3_column_int64 (stmt, 1));
  calsync_calendar_set_remote_id (calendar, store_column_text (stmt, 2));
  calsync_calendar_set_name (calendar, store_column_name (stmt, 3));
  calsync_calendar_set_color (calendar, store_column_text (stmt, 4));
  calsync_calendar_set_is_active (calendar, sqlite3_column_int (stmt, 5));
  calsync_calendar_set_is_primary (calendar, sqlite3_column_int (stmt, 6));
  calsync_calendar_set_last_sync_at (calendar, sqlite3_column_int64 (stmt, 7));
  calsync_calendar_set_sync_token (calendar, store_column_text (stmt, 8));
  calsync_calendar_set_account_info (calendar, store_column_text (stmt, 9), store_column_text (stmt, 10));
  calsync_calendar_set_read_only (calendar, sqlite3_column_int (stmt, 11));

  return calendar;
}

CalsyncEvent *
store_event_from_row (sqlite3_stmt *stmt)
{
  CalsyncEvent *event = calsync_event_new ();

  calsync_event_set_id (event, sqlite3_column_int64 (stmt, 0));
  calsync_event_set_calendar_id (event, sqlite3_column_int64 (stmt, 1));
  calsync_event_set_external_id (event, store_column_text (stmt, 2));
  calsync_event_set_etag (event, store_column_text (stmt, 3));
  calsync_event_set_title (event, store_column_text (stmt, 4));
  calsync_event_set_description (event, store_column_text (stmt, 5));
  calsync_event_set_location (event, store_column_text (stmt, 6));
  /* set_times keeps the zone; set_dates then keeps it too */
  calsync_event_set_times (event, sqlite3_column_int64 (stmt, 7),
                           sqlite3_column_int64 (stmt, 8), store_column_text (stmt, 9));
  if (sqlite3_column_int (stmt, 10))
    calsync_event_set_dates (event, store_column_text (stmt, 11), store_column_text (stmt, 12));
  calsync_event_set_status (event, calsync_event_status_from_string (store_column_text (stmt, 13)));
  calsync_event_set_recurrence (event, store_column_text (stmt, 14));
  calsync_event_set_recurring_event_id (event, store_column_text (stmt, 15));
  calsync_event_set_original_start (event, store_column_text (stmt, 16));
  calsync_event_set_attendees_json (event, store_column_text (stmt, 17));
  calsync_event_set_conference_url (event, store_column_text (stmt, 18));
  calsync_event_set_event_type (event, calsync_event_type_from_string (store_column_text (stmt, 19)));
  calsync_event_set_remote_updated (event, sqlite3_column_int64 (stmt, 20));
  calsync_event_set_local_updated (event, sqlite3_column_int64 (stmt, 21));
  calsync_event_set_locally_modified (event, sqlite3_column_int (stmt, 22));
  calsync_event_set_resource_id (event, store_column_text (stmt, 23));
  if (sqlite3_column_count (stmt) > 24)
    calsync_event_set_calendar_info (event, store_column_name (stmt, 24), store_column_text (stmt, 25));

  return event;
}

void
store_bind_event (sqlite3_stmt *stmt,
                  CalsyncEvent *event)
{
  gboolean all_day = calsync_event_get_all_day (event);

  store_bind_text (stmt, P_TITLE, calsync_event_get_title (event));
  store_bind_text (stmt, P_DESCRIPTION, calsync_event_get_description (event));
  store_bind_text (stmt, P_LOCATION, calsync_event_get_location (event));
  sqlite3_bind_int64 (stmt, P_START, calsync_event_get_start (event));
  sqlite3_bind_int64 (stmt, P_END, calsync_event_get_end (event));
  store_bind_text (stmt, P_TIME_ZONE, calsync_event_get_time_zone (event));
  sqlite3_bind_int (stmt, P_ALL_DAY, all_day);
  store_bind_text (stmt, P_START_DATE, all_day ? calsync_event_get_start_date (event) : NULL);
  store_bind_text (stmt, P_END_DATE, all_day ? calsync_event_get_end_date (event) : NULL);
  store_bind_text (stmt, P_STATUS, calsync_event_status_to_string (calsync_event_get_status (event)));
  store_bind_text (stmt, P_RECURRENCE, calsync_event_get_recurrence (event));
  store_bind_text (stmt, P_RECURRING_ID, calsync_event_get_recurring_event_id (event));
  store_bind_text (stmt, P_ORIGINAL_START, calsync_event_get_original_start (event));
  store_bind_text (stmt, P_ATTENDEES, calsync_event_get_attendees_json (event));
  store_bind_text (stmt, P_CONFERENCE, calsync_event_get_conference_url (event));
  store_bind_text (stmt, P_EVENT_TYPE, calsync_event_type_to_string (calsync_event_get_event_type (event)));
  store_bind_text (stmt, P_ETAG, calsync_event_get_etag (event));
  sqlite3_bind_int64 (stmt, P_REMOTE_UPDATED, calsync_event_get_remote_updated (event));
  sqlite3_bind_int64 (stmt, P_LOCAL_UPDATED, calsync_event_get_local_updated (event));
  sqlite3_bind_int (stmt, P_LOCALLY_MODIFIED, calsync_event_get_locally_modified (event));
  sqlite3_bind_int64 (stmt, P_CALENDAR_ID, calsync_event_get_calendar_id (event));
  store_bind_text (stmt, P_EXTERNAL_ID, calsync_event_get_external_id (event));
  store_bind_text (stmt, P_RESOURCE_ID, calsync_event_get_resource_id (event));
}

/* Steps a bound statement to the end, collecting one object per row. */
GPtrArray *
store_collect_rows (StoreConn     *conn,
                    sqlite3_stmt  *stmt,
                    StoreRowFunc   row_func,
                    GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, row_func (stmt));

  if (rc != SQLITE_DONE)
    {
      store_set_error (conn, rc, error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

/* Like store_collect_rows() for one row; NOT_FOUND with @not_found as message. */
gpointer
store_collect_one (StoreConn     *conn,
                   sqlite3_stmt  *stmt,
                   StoreRowFunc   row_func,
                   const char    *not_found,
                   GError       **error)
{
  g_autoptr(GPtrArray) rows = store_collect_rows (conn, stmt, row_func, error);

  if (rows == NULL)
    return NULL;

  if (rows->len == 0)
    {
      if (not_found != NULL)
        g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND, not_found);
      return NULL;
    }

  return g_object_ref (g_ptr_array_index (rows, 0));
}

/* The "changed" signal ---------------------------------------------------- */

static void
emit_changed_free (gpointer data)
{
  GWeakRef *ref = data;

  g_weak_ref_clear (ref);
  g_free (ref);
}

static gboolean
emit_changed_cb (gpointer data)
{
  g_autoptr(CalsyncStore) self = g_weak_ref_get ((GWeakRef *) data);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->signal_lock);
  g_clear_pointer (&self->changed_source, g_source_unref);
  g_mutex_unlock (&self->signal_lock);

  g_signal_emit (self, signals[CHANGED], 0);

  return G_SOURCE_REMOVE;
}

/* Queues one "changed" emission on the opening thread's context; writes that
 * happen before it runs are folded into it. Never emits synchronously, so
 * handlers never run with a database lock held or on a worker thread. */
void
store_schedule_changed (CalsyncStore *self)
{
  GWeakRef *ref;

  g_mutex_lock (&self->signal_lock);
  if (self->changed_source != NULL)
    {
      g_mutex_unlock (&self->signal_lock);
      return;
    }

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);

  self->changed_source = g_idle_source_new ();
  g_source_set_priority (self->changed_source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (self->changed_source, "[calsync] store changed");
  g_source_set_callback (self->changed_source, emit_changed_cb, ref, emit_changed_free);
  g_source_attach (self->changed_source, self->main_context);
  g_mutex_unlock (&self->signal_lock);
}

/* Sorting ----------------------------------------------------------------- */

#define MAX_COLLATION_KEYS 4096

typedef struct
{
  CalsyncEvent *event;
  const char *title;
  const char *key;    /* collation key of title, looked up when first needed */
  gint64 start;
  gint64 end;
  gboolean all_day;
} SortItem;

static const char *
collation_key (GHashTable *keys,
               const char *title)
{
  char *key;

  if (title == NULL)
    title = "";

  if ((key = g_hash_table_lookup (keys, title)) == NULL)
    {
      key = g_utf8_collate_key (title, -1);
      g_hash_table_insert (keys, g_strdup (title), key);
    }

  return key;
}

static const char *
sort_item_key (SortItem   *item,
               GHashTable *keys)
{
  if (item->key == NULL)
    item->key = collation_key (keys, item->title);

  return item->key;
}

/* The order of calsync_event_compare() (all-day first, then by start, longer
 * all-day events first, then by title as g_utf8_collate() orders them) with
 * the titles' collation keys kept across queries, as collating is what costs
 * most when a view sorts thousands of events. The padded start and end of
 * all-day events follow their dates. test-store checks that both orders agree. */
static int
compare_sort_items (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  SortItem *x = (SortItem *) a;
  SortItem *y = (SortItem *) b;

  if (x->all_day != y->all_day)
    return x->all_day ? -1 : 1;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;

  if (x->all_day && x->end != y->end)
    return x->end > y->end ? -1 : 1;

  if (g_strcmp0 (x->title, y->title) == 0)
    return 0;

  return strcmp (sort_item_key (x, user_data), sort_item_key (y, user_data));
}

void
store_sort_events (CalsyncStore *self,
                   GPtrArray    *events)
{
  g_autoptr(GArray) items = g_array_sized_new (FALSE, FALSE, sizeof (SortItem), events->len);

  g_mutex_lock (&self->collation_lock);

  /* Only between sorts: keys handed out during one must stay valid */
  if (g_hash_table_size (self->collation_keys) > MAX_COLLATION_KEYS)
    g_hash_table_remove_all (self->collation_keys);

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      SortItem item = {
        event,
        calsync_event_get_title (event),
        NULL,
        calsync_event_get_start (event),
        calsync_event_get_end (event),
        calsync_event_get_all_day (event),
      };

      g_array_append_val (items, item);
    }

  g_array_sort_with_data (items, compare_sort_items, self->collation_keys);

  for (guint i = 0; i < events->len; i++)
    events->pdata[i] = g_array_index (items, SortItem, i).event;
  g_mutex_unlock (&self->collation_lock);
}

/* Opening and closing ----------------------------------------------------- */

static gboolean
ensure_folder (const char  *path,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_OPEN,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static void
close_connections (CalsyncStore *self)
{
  g_autoptr(GPtrArray) idle = NULL;

  g_mutex_lock (&self->readers_lock);
  self->closed = TRUE;
  idle = g_steal_pointer (&self->idle_readers);
  self->idle_readers = g_ptr_array_new ();
  g_mutex_unlock (&self->readers_lock);

  for (guint i = 0; i < idle->len; i++)
    store_conn_free (g_ptr_array_index (idle, i));

  g_mutex_lock (&self->write_lock);
  g_clear_pointer (&self->writer, store_conn_free);
  g_mutex_unlock (&self->write_lock);
}

/* Ordered writes ------------------------------------------------------------ */

typedef struct
{
  GTask *task;
  GTaskThreadFunc func;
} OrderedWrite;

static void
run_ordered_write (gpointer data,
                   gpointer user_data)
{
  OrderedWrite *write = data;

  write->func (write->task, g_task_get_source_object (write->task), g_task_get_task_data (write->task),
               g_task_get_cancellable (write->task));
  g_object_unref (write->task);
  g_free (write);
}

static void
free_ordered_writes (gpointer pool)
{
  g_thread_pool_free (pool, FALSE, TRUE);
}

/* Runs @func for @task in the store's one thread of ordered writes: an edit
 * and then a delete of the same event land in that order (GTask's pool would
 * run them side by side) */
void
store_run_ordered (CalsyncStore    *self,
                   GTask           *task,
                   GTaskThreadFunc  func)
{
  OrderedWrite *write = g_new0 (OrderedWrite, 1);

  write->task = g_object_ref (task);
  write->func = func;
  g_thread_pool_push (self->ordered_writes, write, NULL);
}

/* GObject ----------------------------------------------------------------- */

static void
calsync_store_finalize (GObject *object)
{
  CalsyncStore *self = (CalsyncStore *)object;

  close_connections (self);

  g_mutex_lock (&self->signal_lock);
  if (self->changed_source != NULL)
    {
      g_source_destroy (self->changed_source);
      g_clear_pointer (&self->changed_source, g_source_unref);
    }
  g_mutex_unlock (&self->signal_lock);

  /* Every queued write holds a reference: none is left by now */
  g_clear_pointer (&self->ordered_writes, free_ordered_writes);
  g_clear_pointer (&self->idle_readers, g_ptr_array_unref);
  g_clear_pointer (&self->collation_keys, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_mutex_clear (&self->write_lock);
  g_mutex_clear (&self->readers_lock);
  g_mutex_clear (&self->collation_lock);
  g_mutex_clear (&self->signal_lock);

  G_OBJECT_CLASS (calsync_store_parent_class)->finalize (object);
}

static void
calsync_store_class_init (CalsyncStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = calsync_store_finalize;

  /**
   * CalsyncStore::changed:
   *
   * Emitted on the main context of the thread that opened the store, after
   * writes that changed accounts, calendars or events. Several writes in a
   * row may be folded into one emission.
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
calsync_store_init (CalsyncStore *self)
{
  g_mutex_init (&self->write_lock);
  g_mutex_init (&self->readers_lock);
  g_mutex_init (&self->collation_lock);
  g_mutex_init (&self->signal_lock);
  self->idle_readers = g_ptr_array_new ();
  self->ordered_writes = g_thread_pool_new (run_ordered_write, NULL, 1, FALSE, NULL);
  self->collation_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->main_context = g_main_context_ref_thread_default ();
}

/* Public API -------------------------------------------------------------- */

/**
 * calsync_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/calsync/calsync.db`
 */
char *
calsync_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "calsync", "calsync.db", NULL);
}

/**
 * calsync_store_open:
 * @path: (nullable): database file; %NULL for calsync_store_default_path()
 * @error: return location for a #GError
 *
 * Opens (creating folders and the file as needed) and migrates the database,
 * and makes sure the local "Personal" calendar exists. The "changed" signal
 * will be emitted on the thread-default main context of the caller.
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 *   (%CALSYNC_STORE_ERROR_SCHEMA_TOO_NEW for a database of a newer CalSync)
 */
CalsyncStore *
calsync_store_open (const char  *path,
                    GError     **error)
{
  g_autoptr(CalsyncStore) self = g_object_new (CALSYNC_TYPE_STORE, NULL);

  self->path = path ? g_strdup (path) : calsync_store_default_path ();

  if (!ensure_folder (self->path, error) ||
      (self->writer = store_conn_open (self, FALSE, error)) == NULL ||
      !store_migrate (self->writer, self->path, error) ||
      !store_ensure_personal_calendar (self->writer, &self->personal_calendar_id, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
calsync_store_get_path (CalsyncStore *self)
{
  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  return self->path;
}

/**
 * calsync_store_get_personal_calendar_id:
 *
 * Returns: the id of the local "Personal" calendar, which always exists
 */
gint64
calsync_store_get_personal_calendar_id (CalsyncStore *self)
{
  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);

  return self->personal_calendar_id;
}

/**
 * calsync_store_close:
 *
 * Closes the database now; later calls fail with %CALSYNC_STORE_ERROR_OPEN.
 * Dropping the last reference closes it too.
 */
void
calsync_store_close (CalsyncStore *self)
{
  g_return_if_fail (CALSYNC_IS_STORE (self));

  close_connections (self);
}
