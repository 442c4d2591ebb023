/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store.c: the local SQLite database of accounts, calendars and events. */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "calsync-store.h"

/*
 * Range queries scan the (start_utc, end_utc) index from one week before the
 * range; the few events longer than a week (trips, leave, terms) are found
 * through a partial index of their own. One long event thus never slows down
 * every query, as a "longest span ever seen" bound would. The literal must be
 * the same in the index and in the query for SQLite to use the partial index.
 */
#define LONG_SPAN_SQL "604800"

#define PERSONAL_COLOR "#3584e4"

struct _CalsyncStore
{
  GObject parent_instance;

  /* Guards db and stmts: one connection shared by all threads */
  GMutex lock;
  sqlite3 *db;
  sqlite3_stmt **stmts;

  char *path;
  gint64 personal_calendar_id;

  /* Title → g_utf8_collate_key(), for sorting query results; guarded by lock */
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

/* Schema ------------------------------------------------------------------ */

static const char schema_v1[] =
  "CREATE TABLE accounts ("
  "  id INTEGER PRIMARY KEY,"
  "  provider TEXT NOT NULL,"
  "  email TEXT,"
  "  server_url TEXT,"
  "  created_at INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE calendars ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  remote_id TEXT,"
  "  name TEXT NOT NULL DEFAULT '',"
  "  color TEXT NOT NULL DEFAULT '" PERSONAL_COLOR "',"
  "  is_active INTEGER NOT NULL DEFAULT 1,"
  "  last_sync_at INTEGER NOT NULL DEFAULT 0,"
  "  sync_token TEXT);"
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY,"
  "  calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,"
  "  external_event_id TEXT NOT NULL,"
  "  etag TEXT,"
  "  title TEXT,"
  "  description TEXT,"
  "  location TEXT,"
  "  start_utc INTEGER NOT NULL,"
  "  end_utc INTEGER NOT NULL,"
  "  time_zone TEXT,"
  "  all_day INTEGER NOT NULL DEFAULT 0,"
  "  start_date TEXT,"
  "  end_date TEXT,"
  "  status TEXT NOT NULL DEFAULT 'confirmed',"
  "  recurrence TEXT,"
  "  remote_updated INTEGER NOT NULL DEFAULT 0);"
  "CREATE UNIQUE INDEX idx_calendar_events_external_lookup"
  "  ON events (calendar_id, external_event_id);";

static const char schema_v2[] =
  "ALTER TABLE accounts ADD COLUMN needs_reconnect INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE accounts ADD COLUMN last_error TEXT;"
  "ALTER TABLE calendars ADD COLUMN is_primary INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE events ADD COLUMN recurring_event_id TEXT;"
  "ALTER TABLE events ADD COLUMN original_start TEXT;"
  "ALTER TABLE events ADD COLUMN attendees TEXT;"
  "ALTER TABLE events ADD COLUMN conference_url TEXT;"
  "ALTER TABLE events ADD COLUMN event_type TEXT NOT NULL DEFAULT 'event';"
  "ALTER TABLE events ADD COLUMN local_updated INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE events ADD COLUMN locally_modified INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX idx_calendars_account_id ON calendars (account_id);"
  /* Covering: holds every column the range query reads, so the query never
   * visits the table, whose rows are in sync order, scattered in time. */
  "CREATE INDEX idx_events_range ON events (start_utc, end_utc, calendar_id, status, all_day,"
  "  start_date, end_date, external_event_id, etag, title, description, location, time_zone,"
  "  recurrence, recurring_event_id, original_start, attendees, conference_url, event_type,"
  "  remote_updated, local_updated, locally_modified);"
  "CREATE INDEX idx_events_long_range ON events (start_utc, end_utc)"
  "  WHERE end_utc - start_utc > " LONG_SPAN_SQL ";";

/* Migration N brings the schema from version N-1 to version N. */
static const char * const migrations[] = { NULL, schema_v1, schema_v2 };

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CALSYNC_STORE_SCHEMA_VERSION + 1);

/* Cached statements ------------------------------------------------------- */

/* Positions of the event fields in every statement that writes events. */
enum {
  P_TITLE = 1, P_DESCRIPTION, P_LOCATION, P_START, P_END, P_TIME_ZONE, P_ALL_DAY,
  P_START_DATE, P_END_DATE, P_STATUS, P_RECURRENCE, P_RECURRING_ID, P_ORIGINAL_START,
  P_ATTENDEES, P_CONFERENCE, P_EVENT_TYPE, P_ETAG, P_REMOTE_UPDATED, P_LOCAL_UPDATED,
  P_LOCALLY_MODIFIED, P_CALENDAR_ID, P_EXTERNAL_ID, P_ID
};

#define EVENT_CONTENT_SET                                                     \
  "title = ?1, description = ?2, location = ?3, start_utc = ?4, end_utc = ?5, " \
  "time_zone = ?6, all_day = ?7, start_date = ?8, end_date = ?9, status = ?10, " \
  "recurrence = ?11, recurring_event_id = ?12, original_start = ?13, "        \
  "attendees = ?14, conference_url = ?15, event_type = ?16"

#define EVENT_OWN_COLUMNS                                                     \
  "e.id, e.calendar_id, e.external_event_id, e.etag, e.title, e.description, " \
  "e.location, e.start_utc, e.end_utc, e.time_zone, e.all_day, e.start_date, " \
  "e.end_date, e.status, e.recurrence, e.recurring_event_id, e.original_start, " \
  "e.attendees, e.conference_url, e.event_type, e.remote_updated, "           \
  "e.local_updated, e.locally_modified"

#define EVENT_COLUMNS EVENT_OWN_COLUMNS ", c.name, c.color"

#define ACCOUNT_COLUMNS \
  "id, provider, email, server_url, needs_reconnect, last_error"

#define CALENDAR_COLUMNS                                                      \
  "c.id, c.account_id, c.remote_id, c.name, c.color, c.is_active, "           \
  "c.is_primary, c.last_sync_at, c.sync_token, a.provider, a.email"

/* Timed events overlap [?1, ?2); all-day events overlap the dates [?4, ?3).
 * The unary + keeps SQLite from reading events calendar by calendar through
 * the external-id index; calendar names and colours are added afterwards. */
#define RANGE_BRANCH(start_terms)                                             \
  "SELECT " EVENT_OWN_COLUMNS " FROM events AS e "                            \
  "WHERE " start_terms " AND (e.end_utc > ?1 OR e.start_utc >= ?1) "          \
  "AND +e.calendar_id IN (SELECT id FROM calendars WHERE is_active = 1) "     \
  "AND e.status <> 'cancelled' "                                              \
  "AND (e.all_day = 0 OR (e.start_date < ?3 AND e.end_date > ?4))"

typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_INSERT_ACCOUNT,
  STMT_UPDATE_ACCOUNT,
  STMT_LIST_ACCOUNTS,
  STMT_GET_ACCOUNT,
  STMT_DELETE_ACCOUNT,
  STMT_FIND_LOCAL_ACCOUNT,
  STMT_FIND_PERSONAL_CALENDAR,
  STMT_INSERT_CALENDAR,
  STMT_UPDATE_CALENDAR,
  STMT_LIST_CALENDARS,
  STMT_GET_CALENDAR,
  STMT_LOOKUP_CALENDAR,
  STMT_SET_CALENDAR_ACTIVE,
  STMT_FINISH_CALENDAR_SYNC,
  STMT_COUNT_EVENTS,
  STMT_COUNT_ALL_EVENTS,
  STMT_COUNT_CONNECTED_CALENDARS,
  STMT_QUERY_RANGE,
  STMT_ACTIVE_CALENDARS,
  STMT_GET_EVENT,
  STMT_LOOKUP_EVENT,
  STMT_INSERT_EVENT,
  STMT_UPDATE_REMOTE_EVENT,
  STMT_UPDATE_LOCAL_EVENT,
  STMT_REFRESH_EVENT_ETAG,
  STMT_DELETE_EVENT,
  STMT_DELETE_EVENT_BY_EXTERNAL_ID,
  STMT_CALENDAR_EVENTS,
  N_STMTS
} StmtId;

static const char * const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_INSERT_ACCOUNT] =
    "INSERT INTO accounts (provider, email, server_url, needs_reconnect, last_error, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [STMT_UPDATE_ACCOUNT] =
    "UPDATE accounts SET provider = ?1, email = ?2, server_url = ?3, needs_reconnect = ?4, "
    "last_error = ?5 WHERE id = ?6",
  [STMT_LIST_ACCOUNTS] = "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY id",
  [STMT_GET_ACCOUNT] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?1",
  [STMT_DELETE_ACCOUNT] = "DELETE FROM accounts WHERE id = ?1",
  [STMT_FIND_LOCAL_ACCOUNT] =
    "SELECT id FROM accounts WHERE provider = 'local' ORDER BY id LIMIT 1",
  [STMT_FIND_PERSONAL_CALENDAR] =
    "SELECT c.id FROM calendars AS c JOIN accounts AS a ON a.id = c.account_id "
    "WHERE a.provider = 'local' ORDER BY c.is_primary DESC, c.id LIMIT 1",
  [STMT_INSERT_CALENDAR] =
    "INSERT INTO calendars (account_id, remote_id, name, color, is_active, is_primary, "
    "last_sync_at, sync_token) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  [STMT_UPDATE_CALENDAR] =
    "UPDATE calendars SET account_id = ?1, remote_id = ?2, name = ?3, color = ?4, "
    "is_active = ?5, is_primary = ?6, last_sync_at = ?7, sync_token = ?8 WHERE id = ?9",
  [STMT_LIST_CALENDARS] =
    "SELECT " CALENDAR_COLUMNS " FROM calendars AS c JOIN accounts AS a ON a.id = c.account_id "
    "WHERE ?1 = 0 OR c.account_id = ?1 "
    "ORDER BY a.provider <> 'local', a.id, c.is_primary DESC, c.name COLLATE NOCASE, c.id",
  [STMT_GET_CALENDAR] =
    "SELECT " CALENDAR_COLUMNS " FROM calendars AS c JOIN accounts AS a ON a.id = c.account_id "
    "WHERE c.id = ?1",
  [STMT_LOOKUP_CALENDAR] =
    "SELECT " CALENDAR_COLUMNS " FROM calendars AS c JOIN accounts AS a ON a.id = c.account_id "
    "WHERE c.account_id = ?1 AND c.remote_id = ?2 ORDER BY c.id LIMIT 1",
  [STMT_SET_CALENDAR_ACTIVE] = "UPDATE calendars SET is_active = ?2 WHERE id = ?1",
  [STMT_FINISH_CALENDAR_SYNC] =
    "UPDATE calendars SET sync_token = ?2, last_sync_at = ?3 WHERE id = ?1",
  /* Two statements: "?1 = 0 OR calendar_id = ?1" would scan every event */
  [STMT_COUNT_EVENTS] = "SELECT COUNT(*) FROM events WHERE calendar_id = ?1",
  [STMT_COUNT_ALL_EVENTS] = "SELECT COUNT(*) FROM events WHERE ?1 = 0",
  [STMT_COUNT_CONNECTED_CALENDARS] =
    "SELECT COUNT(*) FROM calendars AS c JOIN accounts AS a ON a.id = c.account_id "
    "WHERE a.provider <> 'local'",
  [STMT_QUERY_RANGE] =
    RANGE_BRANCH ("e.end_utc - e.start_utc > " LONG_SPAN_SQL
                  " AND e.start_utc < ?1 - " LONG_SPAN_SQL " AND e.end_utc > ?1")
    " UNION ALL "
    RANGE_BRANCH ("e.start_utc >= ?1 - " LONG_SPAN_SQL " AND e.start_utc < ?2"),
  [STMT_ACTIVE_CALENDARS] = "SELECT id, name, color FROM calendars WHERE is_active = 1",
  [STMT_GET_EVENT] =
    "SELECT " EVENT_COLUMNS " FROM events AS e JOIN calendars AS c ON c.id = e.calendar_id "
    "WHERE e.id = ?1",
  /* Every stored event of one calendar (cancelled ones too) overlapping
   * [?2, ?3) by its UTC range (all-day ranges are padded: callers check dates). */
  [STMT_CALENDAR_EVENTS] =
    "SELECT " EVENT_COLUMNS " FROM events AS e JOIN calendars AS c ON c.id = e.calendar_id "
    "WHERE e.calendar_id = ?1 AND e.start_utc < ?3 AND e.end_utc > ?2 "
    "ORDER BY e.start_utc, e.title, e.id",
  [STMT_LOOKUP_EVENT] =
    "SELECT " EVENT_COLUMNS " FROM events AS e JOIN calendars AS c ON c.id = e.calendar_id "
    "WHERE e.calendar_id = ?21 AND e.external_event_id = ?22",
  [STMT_INSERT_EVENT] =
    "INSERT INTO events (title, description, location, start_utc, end_utc, time_zone, "
    "all_day, start_date, end_date, status, recurrence, recurring_event_id, original_start, "
    "attendees, conference_url, event_type, etag, remote_updated, local_updated, "
    "locally_modified, calendar_id, external_event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
  [STMT_UPDATE_REMOTE_EVENT] =
    "UPDATE events SET " EVENT_CONTENT_SET ", etag = ?17, remote_updated = ?18, "
    "locally_modified = 0 WHERE id = ?23",
  [STMT_UPDATE_LOCAL_EVENT] =
    "UPDATE events SET " EVENT_CONTENT_SET ", local_updated = ?19, locally_modified = ?20, "
    "calendar_id = COALESCE (NULLIF (?21, 0), calendar_id) WHERE id = ?23",
  [STMT_REFRESH_EVENT_ETAG] =
    "UPDATE events SET etag = ?17, remote_updated = ?18 WHERE id = ?23",
  [STMT_DELETE_EVENT] = "DELETE FROM events WHERE id = ?1",
  [STMT_DELETE_EVENT_BY_EXTERNAL_ID] =
    "DELETE FROM events WHERE calendar_id = ?1 AND external_event_id = ?2",
};

/* A cached statement, handed back to the cache (reset) when it goes out of scope. */
typedef sqlite3_stmt CachedStmt;

static void
cached_stmt_release (CachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedStmt, cached_stmt_release)

/* Helpers ----------------------------------------------------------------- */

static gboolean
set_db_error (CalsyncStore  *self,
              int            rc,
              GError       **error)
{
  int code = (rc & 0xff) == SQLITE_CONSTRAINT ? CALSYNC_STORE_ERROR_CONSTRAINT
                                               : CALSYNC_STORE_ERROR_QUERY;

  g_set_error (error, CALSYNC_STORE_ERROR, code,
               _("Calendar database error: %s"),
               self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
  return FALSE;
}

static CachedStmt *
get_stmt (CalsyncStore  *self,
          StmtId         id,
          GError       **error)
{
  int rc;

  if (self->db == NULL)
    {
      g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_OPEN,
                           _("The calendar database is closed"));
      return NULL;
    }

  if (self->stmts[id] != NULL)
    return self->stmts[id];

  rc = sqlite3_prepare_v3 (self->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                           &self->stmts[id], NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, error);
      return NULL;
    }

  return self->stmts[id];
}

static gboolean
step_done (CalsyncStore  *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_db_error (self, rc, error);

  return TRUE;
}

/* Steps @stmt; TRUE with *has_row set, or FALSE with @error. */
static gboolean
step_row (CalsyncStore  *self,
          sqlite3_stmt  *stmt,
          gboolean      *has_row,
          GError       **error)
{
  int rc = sqlite3_step (stmt);

  *has_row = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_db_error (self, rc, error);

  return TRUE;
}

static gboolean
run_simple (CalsyncStore  *self,
            StmtId         id,
            GError       **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, id, error);

  return stmt != NULL && step_done (self, stmt, error);
}

static gboolean
begin_transaction (CalsyncStore  *self,
                   GError       **error)
{
  return run_simple (self, STMT_BEGIN, error);
}

static gboolean
commit_transaction (CalsyncStore  *self,
                    GError       **error)
{
  return run_simple (self, STMT_COMMIT, error);
}

static gboolean
rollback_transaction (CalsyncStore *self)
{
  g_autoptr(GError) error = NULL;

  /* SQLite may have rolled back already (e.g. after SQLITE_FULL) */
  if (self->db == NULL || sqlite3_get_autocommit (self->db))
    return FALSE;

  if (!run_simple (self, STMT_ROLLBACK, &error))
    g_warning ("Could not roll back: %s", error->message);

  return FALSE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           pos,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, pos, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, pos);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}

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
 * handlers never run with the database lock held or on a worker thread. */
static void
schedule_changed (CalsyncStore *self)
{
  /* Only held: G_GNUC_UNUSED for clang, which does not count the cleanup as a use */
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->signal_lock);
  GWeakRef *ref;

  if (self->changed_source != NULL)
    return;

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);

  self->changed_source = g_idle_source_new ();
  g_source_set_priority (self->changed_source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (self->changed_source, "[calsync] store changed");
  g_source_set_callback (self->changed_source, emit_changed_cb, ref, emit_changed_free);
  g_source_attach (self->changed_source, self->main_context);
}

/* Rows to objects --------------------------------------------------------- */

static CalsyncAccount *
account_from_row (sqlite3_stmt *stmt)
{
  CalsyncAccount *account = calsync_account_new ();

  calsync_account_set_id (account, sqlite3_column_int64 (stmt, 0));
  calsync_account_set_provider (account, column_text (stmt, 1));
  calsync_account_set_email (account, column_text (stmt, 2));
  calsync_account_set_server_url (account, column_text (stmt, 3));
  calsync_account_set_needs_reconnect (account, sqlite3_column_int (stmt, 4));
  calsync_account_set_last_error (account, column_text (stmt, 5));

  return account;
}

static CalsyncCalendar *
calendar_from_row (sqlite3_stmt *stmt)
{
  CalsyncCalendar *calendar = calsync_calendar_new ();

  calsync_calendar_set_id (calendar, sqlite3_column_int64 (stmt, 0));
  calsync_calendar_set_account_id (calendar, sqlite3_column_int64 (stmt, 1));
  calsync_calendar_set_remote_id (calendar, column_text (stmt, 2));
  calsync_calendar_set_name (calendar, column_text (stmt, 3));
  calsync_calendar_set_color (calendar, column_text (stmt, 4));
  calsync_calendar_set_is_active (calendar, sqlite3_column_int (stmt, 5));
  calsync_calendar_set_is_primary (calendar, sqlite3_column_int (stmt, 6));
  calsync_calendar_set_last_sync_at (calendar, sqlite3_column_int64 (stmt, 7));
  calsync_calendar_set_sync_token (calendar, column_text (stmt, 8));
  calsync_calendar_set_account_info (calendar, column_text (stmt, 9), column_text (stmt, 10));

  return calendar;
}

static CalsyncEvent *
event_from_row (sqlite3_stmt *stmt)
{
  CalsyncEvent *event = calsync_event_new ();

  calsync_event_set_id (event, sqlite3_column_int64 (stmt, 0));
  calsync_event_set_calendar_id (event, sqlite3_column_int64 (stmt, 1));
  calsync_event_set_external_id (event, column_text (stmt, 2));
  calsync_event_set_etag (event, column_text (stmt, 3));
  calsync_event_set_title (event, column_text (stmt, 4));
  calsync_event_set_description (event, column_text (stmt, 5));
  calsync_event_set_location (event, column_text (stmt, 6));
  /* set_times keeps the zone; set_dates then keeps it too */
  calsync_event_set_times (event, sqlite3_column_int64 (stmt, 7),
                           sqlite3_column_int64 (stmt, 8), column_text (stmt, 9));
  if (sqlite3_column_int (stmt, 10))
    calsync_event_set_dates (event, column_text (stmt, 11), column_text (stmt, 12));
  calsync_event_set_status (event, calsync_event_status_from_string (column_text (stmt, 13)));
  calsync_event_set_recurrence (event, column_text (stmt, 14));
  calsync_event_set_recurring_event_id (event, column_text (stmt, 15));
  calsync_event_set_original_start (event, column_text (stmt, 16));
  calsync_event_set_attendees_json (event, column_text (stmt, 17));
  calsync_event_set_conference_url (event, column_text (stmt, 18));
  calsync_event_set_event_type (event, calsync_event_type_from_string (column_text (stmt, 19)));
  calsync_event_set_remote_updated (event, sqlite3_column_int64 (stmt, 20));
  calsync_event_set_local_updated (event, sqlite3_column_int64 (stmt, 21));
  calsync_event_set_locally_modified (event, sqlite3_column_int (stmt, 22));
  if (sqlite3_column_count (stmt) > 23)
    calsync_event_set_calendar_info (event, column_text (stmt, 23), column_text (stmt, 24));

  return event;
}

static void
bind_event (sqlite3_stmt *stmt,
            CalsyncEvent *event)
{
  gboolean all_day = calsync_event_get_all_day (event);

  bind_text (stmt, P_TITLE, calsync_event_get_title (event));
  bind_text (stmt, P_DESCRIPTION, calsync_event_get_description (event));
  bind_text (stmt, P_LOCATION, calsync_event_get_location (event));
  sqlite3_bind_int64 (stmt, P_START, calsync_event_get_start (event));
  sqlite3_bind_int64 (stmt, P_END, calsync_event_get_end (event));
  bind_text (stmt, P_TIME_ZONE, calsync_event_get_time_zone (event));
  sqlite3_bind_int (stmt, P_ALL_DAY, all_day);
  bind_text (stmt, P_START_DATE, all_day ? calsync_event_get_start_date (event) : NULL);
  bind_text (stmt, P_END_DATE, all_day ? calsync_event_get_end_date (event) : NULL);
  bind_text (stmt, P_STATUS, calsync_event_status_to_string (calsync_event_get_status (event)));
  bind_text (stmt, P_RECURRENCE, calsync_event_get_recurrence (event));
  bind_text (stmt, P_RECURRING_ID, calsync_event_get_recurring_event_id (event));
  bind_text (stmt, P_ORIGINAL_START, calsync_event_get_original_start (event));
  bind_text (stmt, P_ATTENDEES, calsync_event_get_attendees_json (event));
  bind_text (stmt, P_CONFERENCE, calsync_event_get_conference_url (event));
  bind_text (stmt, P_EVENT_TYPE, calsync_event_type_to_string (calsync_event_get_event_type (event)));
  bind_text (stmt, P_ETAG, calsync_event_get_etag (event));
  sqlite3_bind_int64 (stmt, P_REMOTE_UPDATED, calsync_event_get_remote_updated (event));
  sqlite3_bind_int64 (stmt, P_LOCAL_UPDATED, calsync_event_get_local_updated (event));
  sqlite3_bind_int (stmt, P_LOCALLY_MODIFIED, calsync_event_get_locally_modified (event));
  sqlite3_bind_int64 (stmt, P_CALENDAR_ID, calsync_event_get_calendar_id (event));
  bind_text (stmt, P_EXTERNAL_ID, calsync_event_get_external_id (event));
}

/* Opening and migrating --------------------------------------------------- */

static gboolean
exec_script (CalsyncStore  *self,
             const char    *sql,
             GError       **error)
{
  g_autofree char *message = NULL;
  char *sqlite_message = NULL;

  /* Constant schema text only: no data is ever put into SQL text. */
  if (sqlite3_exec (self->db, sql, NULL, NULL, &sqlite_message) == SQLITE_OK)
    return TRUE;

  message = g_strdup (sqlite_message);
  sqlite3_free (sqlite_message);
  g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_QUERY,
               _("Calendar database error: %s"), message);
  return FALSE;
}

static gboolean
read_user_version (CalsyncStore  *self,
                   int           *version,
                   GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int (stmt, 0);
  else
    set_db_error (self, rc, error);

  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

static gboolean
apply_migration (CalsyncStore  *self,
                 int            version,
                 GError       **error)
{
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", version);

  g_debug ("Migrating %s to schema version %d", self->path, version);

  if (!exec_script (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!exec_script (self, migrations[version], error) ||
      !exec_script (self, set_version, error) ||
      !exec_script (self, "COMMIT", error))
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

static gboolean
migrate (CalsyncStore  *self,
         GError       **error)
{
  int version = 0;

  if (!read_user_version (self, &version, error))
    return FALSE;

  if (version > CALSYNC_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_SCHEMA_TOO_NEW,
                   _("The calendar database was written by a newer version of CalSync "
                     "(schema %d, this version knows %d)"),
                   version, CALSYNC_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (int v = version + 1; v <= CALSYNC_STORE_SCHEMA_VERSION; v++)
    if (!apply_migration (self, v, error))
      return FALSE;

  return TRUE;
}

static gboolean
open_database (CalsyncStore  *self,
               GError       **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  int rc;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_OPEN,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  rc = sqlite3_open_v2 (self->path, &self->db,
                        /* self->lock serialises all use of the connection */
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_OPEN,
                   _("Could not open the calendar database “%s”: %s"),
                   self->path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      g_clear_pointer (&self->db, sqlite3_close);
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, 5000);

  return exec_script (self,
                      "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = NORMAL;"
                      "PRAGMA foreign_keys = ON;"
                      "PRAGMA cache_size = -16384;"
                      "PRAGMA mmap_size = 268435456;",
                      error);
}

static gint64
insert_account (CalsyncStore    *self,
                CalsyncAccount  *account,
                GError         **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, STMT_INSERT_ACCOUNT, error);

  if (stmt == NULL)
    return 0;

  bind_text (stmt, 1, calsync_account_get_provider (account));
  bind_text (stmt, 2, calsync_account_get_email (account));
  bind_text (stmt, 3, calsync_account_get_server_url (account));
  sqlite3_bind_int (stmt, 4, calsync_account_get_needs_reconnect (account));
  bind_text (stmt, 5, calsync_account_get_last_error (account));
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());

  if (!step_done (self, stmt, error))
    return 0;

  calsync_account_set_id (account, sqlite3_last_insert_rowid (self->db));
  return calsync_account_get_id (account);
}

static void
bind_calendar (sqlite3_stmt    *stmt,
               CalsyncCalendar *calendar)
{
  const char *name = calsync_calendar_get_name (calendar);
  const char *color = calsync_calendar_get_color (calendar);

  sqlite3_bind_int64 (stmt, 1, calsync_calendar_get_account_id (calendar));
  bind_text (stmt, 2, calsync_calendar_get_remote_id (calendar));
  bind_text (stmt, 3, name ? name : "");
  bind_text (stmt, 4, color ? color : PERSONAL_COLOR);
  sqlite3_bind_int (stmt, 5, calsync_calendar_get_is_active (calendar));
  sqlite3_bind_int (stmt, 6, calsync_calendar_get_is_primary (calendar));
  sqlite3_bind_int64 (stmt, 7, calsync_calendar_get_last_sync_at (calendar));
  bind_text (stmt, 8, calsync_calendar_get_sync_token (calendar));
}

static gint64
insert_calendar (CalsyncStore     *self,
                 CalsyncCalendar  *calendar,
                 GError          **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, STMT_INSERT_CALENDAR, error);

  if (stmt == NULL)
    return 0;

  bind_calendar (stmt, calendar);
  if (!step_done (self, stmt, error))
    return 0;

  calsync_calendar_set_id (calendar, sqlite3_last_insert_rowid (self->db));
  return calsync_calendar_get_id (calendar);
}

/* Runs a statement that returns one integer (or none: *value untouched). */
static gboolean
query_int64 (CalsyncStore  *self,
             StmtId         id,
             gint64         param,
             gint64        *value,
             GError       **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, id, error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, param);

  if (!step_row (self, stmt, &has_row, error))
    return FALSE;

  if (has_row)
    *value = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

static gint64
create_personal_calendar (CalsyncStore  *self,
                          GError       **error)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  gint64 account_id = 0;

  if (!query_int64 (self, STMT_FIND_LOCAL_ACCOUNT, 0, &account_id, error))
    return 0;

  if (account_id == 0)
    {
      g_autoptr(CalsyncAccount) account = calsync_account_new ();

      calsync_account_set_provider (account, "local");
      if ((account_id = insert_account (self, account, error)) == 0)
        return 0;
    }

  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_name (calendar, _("Personal"));
  calsync_calendar_set_color (calendar, PERSONAL_COLOR);
  calsync_calendar_set_is_primary (calendar, TRUE);

  return insert_calendar (self, calendar, error);
}

static gboolean
ensure_personal_calendar (CalsyncStore  *self,
                          GError       **error)
{
  gint64 id = 0;

  if (!query_int64 (self, STMT_FIND_PERSONAL_CALENDAR, 0, &id, error))
    return FALSE;

  if (id == 0)
    {
      if (!begin_transaction (self, error))
        return FALSE;
      if ((id = create_personal_calendar (self, error)) == 0 ||
          !commit_transaction (self, error))
        return rollback_transaction (self);
    }

  self->personal_calendar_id = id;
  return TRUE;
}

static void
close_database (CalsyncStore *self)
{
  if (self->db == NULL)
    return;

  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);

  if (sqlite3_close (self->db) != SQLITE_OK)
    g_warning ("Could not close %s: %s", self->path, sqlite3_errmsg (self->db));

  self->db = NULL;
}

/* GObject ----------------------------------------------------------------- */

static void
calsync_store_finalize (GObject *object)
{
  CalsyncStore *self = (CalsyncStore *)object;

  close_database (self);

  g_mutex_lock (&self->signal_lock);
  if (self->changed_source != NULL)
    {
      g_source_destroy (self->changed_source);
      g_clear_pointer (&self->changed_source, g_source_unref);
    }
  g_mutex_unlock (&self->signal_lock);

  g_clear_pointer (&self->stmts, g_free);
  g_clear_pointer (&self->collation_keys, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_mutex_clear (&self->lock);
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
  g_mutex_init (&self->lock);
  g_mutex_init (&self->signal_lock);
  self->stmts = g_new0 (sqlite3_stmt *, N_STMTS);
  self->collation_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->main_context = g_main_context_ref_thread_default ();
}

/* Public API: opening ----------------------------------------------------- */

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

  if (!open_database (self, error) ||
      !migrate (self, error) ||
      !ensure_personal_calendar (self, error))
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
 * calsync_store_close:
 *
 * Closes the database now; later calls fail with %CALSYNC_STORE_ERROR_OPEN.
 * Dropping the last reference closes it too.
 */
void
calsync_store_close (CalsyncStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (CALSYNC_IS_STORE (self));

  locker = g_mutex_locker_new (&self->lock);
  close_database (self);
}

/* Public API: accounts ---------------------------------------------------- */

/**
 * calsync_store_add_account:
 *
 * Stores @account and sets its id.
 *
 * Returns: the new id, or 0 with @error set
 */
gint64
calsync_store_add_account (CalsyncStore    *self,
                           CalsyncAccount  *account,
                           GError         **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 id;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (account), 0);
  g_return_val_if_fail (calsync_account_get_provider (account) != NULL, 0);

  locker = g_mutex_locker_new (&self->lock);
  if ((id = insert_account (self, account, error)) != 0)
    schedule_changed (self);

  return id;
}

static gboolean
check_changed_one (CalsyncStore  *self,
                   const char    *what,
                   GError       **error)
{
  if (sqlite3_changes (self->db) > 0)
    {
      schedule_changed (self);
      return TRUE;
    }

  g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND, "%s", what);
  return FALSE;
}

gboolean
calsync_store_update_account (CalsyncStore    *self,
                              CalsyncAccount  *account,
                              GError         **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (account), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_UPDATE_ACCOUNT, error)))
    return FALSE;

  bind_text (stmt, 1, calsync_account_get_provider (account));
  bind_text (stmt, 2, calsync_account_get_email (account));
  bind_text (stmt, 3, calsync_account_get_server_url (account));
  sqlite3_bind_int (stmt, 4, calsync_account_get_needs_reconnect (account));
  bind_text (stmt, 5, calsync_account_get_last_error (account));
  sqlite3_bind_int64 (stmt, 6, calsync_account_get_id (account));

  return step_done (self, stmt, error) &&
         check_changed_one (self, _("Account not found"), error);
}

typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

/* Steps a bound statement to the end, collecting one object per row. */
static GPtrArray *
collect_rows (CalsyncStore  *self,
              sqlite3_stmt  *stmt,
              RowFunc        row_func,
              GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, row_func (stmt));

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

/* Like collect_rows() for one row; NOT_FOUND with @not_found as message. */
static gpointer
collect_one (CalsyncStore  *self,
             sqlite3_stmt  *stmt,
             RowFunc        row_func,
             const char    *not_found,
             GError       **error)
{
  g_autoptr(GPtrArray) rows = collect_rows (self, stmt, row_func, error);

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

/**
 * calsync_store_list_accounts:
 *
 * Returns: (transfer full) (element-type CalsyncAccount): all accounts, the
 *   local one included, or %NULL with @error set
 */
GPtrArray *
calsync_store_list_accounts (CalsyncStore  *self,
                             GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_LIST_ACCOUNTS, error)))
    return NULL;

  return collect_rows (self, stmt, (RowFunc) account_from_row, error);
}

/**
 * calsync_store_get_account:
 *
 * Returns: (transfer full): the account, or %NULL with @error set
 *   (%CALSYNC_STORE_ERROR_NOT_FOUND if there is none with that id)
 */
CalsyncAccount *
calsync_store_get_account (CalsyncStore  *self,
                           gint64         account_id,
                           GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_GET_ACCOUNT, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  return collect_one (self, stmt, (RowFunc) account_from_row, _("Account not found"), error);
}

/**
 * calsync_store_remove_account:
 *
 * Removes the account with its calendars and their events. The local account
 * cannot be removed (%CALSYNC_STORE_ERROR_CONSTRAINT).
 */
gboolean
calsync_store_remove_account (CalsyncStore  *self,
                              gint64         account_id,
                              GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  gint64 local_id = 0;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!query_int64 (self, STMT_FIND_LOCAL_ACCOUNT, 0, &local_id, error))
    return FALSE;

  if (account_id == local_id)
    {
      g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_CONSTRAINT,
                           _("The local calendars cannot be removed"));
      return FALSE;
    }

  if (!(stmt = get_stmt (self, STMT_DELETE_ACCOUNT, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  return step_done (self, stmt, error) &&
         check_changed_one (self, _("Account not found"), error);
}

/* Public API: calendars --------------------------------------------------- */

/**
 * calsync_store_add_calendar:
 *
 * Stores @calendar (its account id must be set) and sets its id.
 *
 * Returns: the new id, or 0 with @error set
 */
gint64
calsync_store_add_calendar (CalsyncStore     *self,
                            CalsyncCalendar  *calendar,
                            GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 id;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (calendar), 0);

  locker = g_mutex_locker_new (&self->lock);
  if ((id = insert_calendar (self, calendar, error)) != 0)
    schedule_changed (self);

  return id;
}

/**
 * calsync_store_update_calendar:
 *
 * Writes every field of @calendar (found by id), sync token included.
 */
gboolean
calsync_store_update_calendar (CalsyncStore     *self,
                               CalsyncCalendar  *calendar,
                               GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (calendar), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_UPDATE_CALENDAR, error)))
    return FALSE;

  bind_calendar (stmt, calendar);
  sqlite3_bind_int64 (stmt, 9, calsync_calendar_get_id (calendar));

  return step_done (self, stmt, error) &&
         check_changed_one (self, _("Calendar not found"), error);
}

/**
 * calsync_store_list_calendars:
 * @account_id: an account, or 0 for the calendars of all accounts
 *
 * Returns: (transfer full) (element-type CalsyncCalendar): the calendars with
 *   their account's provider and email, local ones first, or %NULL with @error set
 */
GPtrArray *
calsync_store_list_calendars (CalsyncStore  *self,
                              gint64         account_id,
                              GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_LIST_CALENDARS, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  return collect_rows (self, stmt, (RowFunc) calendar_from_row, error);
}

/**
 * calsync_store_get_calendar:
 *
 * Returns: (transfer full): the calendar, or %NULL with @error set
 *   (%CALSYNC_STORE_ERROR_NOT_FOUND if there is none with that id)
 */
CalsyncCalendar *
calsync_store_get_calendar (CalsyncStore  *self,
                            gint64         calendar_id,
                            GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_GET_CALENDAR, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  return collect_one (self, stmt, (RowFunc) calendar_from_row, _("Calendar not found"), error);
}

/**
 * calsync_store_lookup_calendar:
 * @remote_id: the provider's id of the calendar
 *
 * Finds a calendar of @account_id by its remote id.
 *
 * Returns: (transfer full) (nullable): the calendar; %NULL without an error
 *   when there is none, %NULL with @error set when the database failed
 */
CalsyncCalendar *
calsync_store_lookup_calendar (CalsyncStore  *self,
                               gint64         account_id,
                               const char    *remote_id,
                               GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (remote_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_LOOKUP_CALENDAR, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_text (stmt, 2, remote_id);
  return collect_one (self, stmt, (RowFunc) calendar_from_row, NULL, error);
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

gboolean
calsync_store_set_calendar_active (CalsyncStore  *self,
                                   gint64         calendar_id,
                                   gboolean       active,
                                   GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_SET_CALENDAR_ACTIVE, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  sqlite3_bind_int (stmt, 2, !!active);

  return step_done (self, stmt, error) &&
         check_changed_one (self, _("Calendar not found"), error);
}

/**
 * calsync_store_finish_calendar_sync:
 * @sync_token: (nullable): the provider's token for the next incremental sync
 * @last_sync_at_usec: when the sync succeeded, microseconds since the epoch
 *
 * Records a successful sync: token and time are written together.
 */
gboolean
calsync_store_finish_calendar_sync (CalsyncStore  *self,
                                    gint64         calendar_id,
                                    const char    *sync_token,
                                    gint64         last_sync_at_usec,
                                    GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_FINISH_CALENDAR_SYNC, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  bind_text (stmt, 2, sync_token);
  sqlite3_bind_int64 (stmt, 3, last_sync_at_usec);

  return step_done (self, stmt, error) &&
         check_changed_one (self, _("Calendar not found"), error);
}

/**
 * calsync_store_count_events:
 * @calendar_id: a calendar, or 0 for all calendars
 *
 * Returns: the number of stored events, or -1 with @error set
 */
gint64
calsync_store_count_events (CalsyncStore  *self,
                            gint64         calendar_id,
                            GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 count = 0;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), -1);

  locker = g_mutex_locker_new (&self->lock);
  if (!query_int64 (self, calendar_id == 0 ? STMT_COUNT_ALL_EVENTS : STMT_COUNT_EVENTS,
                    calendar_id, &count, error))
    return -1;

  return count;
}

/**
 * calsync_store_count_connected_calendars:
 *
 * Returns: the number of calendars of provider accounts (not local ones)
 */
guint
calsync_store_count_connected_calendars (CalsyncStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count = 0;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  if (!query_int64 (self, STMT_COUNT_CONNECTED_CALENDARS, 0, &count, &error))
    g_warning ("Could not count calendars: %s", error->message);

  return (guint) count;
}

/* Public API: range queries ----------------------------------------------- */

/* "YYYY-MM-DD" of @utc in @zone, plus @add_days. */
static char *
date_in_zone (gint64     utc,
              GTimeZone *zone,
              int        add_days)
{
  g_autoptr(GDateTime) instant = g_date_time_new_from_unix_utc (utc);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) shifted = NULL;

  if (instant == NULL)
    return g_strdup (utc < 0 ? "0001-01-01" : "9999-12-31");

  local = g_date_time_to_timezone (instant, zone);
  shifted = g_date_time_add_days (local, add_days);
  if (shifted == NULL)
    return g_strdup ("9999-12-31");

  return g_date_time_format (shifted, "%Y-%m-%d");
}

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

/* The order of calsync_event_compare() (all-day first, then by start, longer
 * all-day events first, then by title as g_utf8_collate() orders them) with
 * the titles' collation keys kept across queries, as collating is what costs
 * most when a view sorts thousands of events. The padded start and end of
 * all-day events follow their dates. test-store checks that both orders agree. */
static const char *
sort_item_key (SortItem   *item,
               GHashTable *keys)
{
  if (item->key == NULL)
    item->key = collation_key (keys, item->title);

  return item->key;
}

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

static void
sort_events (CalsyncStore *self,
             GPtrArray    *events)
{
  g_autoptr(GArray) items = g_array_sized_new (FALSE, FALSE, sizeof (SortItem), events->len);

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
}

/* Calendar id → (name, colour) of the active calendars, from a row of
 * STMT_ACTIVE_CALENDARS: the "name" and "colour" are the two strings after the id. */
static GHashTable *
load_active_calendars (CalsyncStore  *self,
                       GError       **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, STMT_ACTIVE_CALENDARS, error);
  g_autoptr(GHashTable) calendars = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                           g_free, (GDestroyNotify) g_strfreev);
  int rc;

  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *id = g_new (gint64, 1);
      char **info = g_new0 (char *, 3);

      *id = sqlite3_column_int64 (stmt, 0);
      info[0] = g_strdup (column_text (stmt, 1));
      info[1] = g_strdup (column_text (stmt, 2));
      g_hash_table_insert (calendars, id, info);
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&calendars);
}

static void
add_calendar_info (GPtrArray  *events,
                   GHashTable *calendars)
{
  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      gint64 calendar_id = calsync_event_get_calendar_id (event);
      char **info = g_hash_table_lookup (calendars, &calendar_id);

      if (info != NULL)
        calsync_event_set_calendar_info (event, info[0], info[1]);
    }
}

static GPtrArray *
query_range_locked (CalsyncStore  *self,
                    gint64         from_utc,
                    gint64         to_utc,
                    GTimeZone     *zone,
                    GError       **error)
{
  g_autoptr(GHashTable) calendars = load_active_calendars (self, error);
  g_autoptr(CachedStmt) stmt = NULL;
  g_autofree char *from_date = date_in_zone (from_utc, zone, 0);
  g_autofree char *to_date = date_in_zone (to_utc - 1, zone, 1);
  GPtrArray *events;

  if (calendars == NULL || !(stmt = get_stmt (self, STMT_QUERY_RANGE, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, from_utc);
  sqlite3_bind_int64 (stmt, 2, to_utc);
  bind_text (stmt, 3, to_date);
  bind_text (stmt, 4, from_date);

  if ((events = collect_rows (self, stmt, (RowFunc) event_from_row, error)) != NULL)
    {
      add_calendar_info (events, calendars);
      sort_events (self, events);
    }

  return events;
}

/**
 * calsync_store_query_range_in_zone:
 * @from_utc: start of the range, seconds since the epoch
 * @to_utc: end of the range (exclusive)
 * @zone: the zone whose dates all-day events are matched against
 *
 * Like calsync_store_query_range() with @zone in place of the local zone.
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_query_range_in_zone (CalsyncStore  *self,
                                   gint64         from_utc,
                                   gint64         to_utc,
                                   GTimeZone     *zone,
                                   GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (zone != NULL, NULL);

  if (to_utc <= from_utc)
    return g_ptr_array_new_with_free_func (g_object_unref);

  locker = g_mutex_locker_new (&self->lock);
  return query_range_locked (self, from_utc, to_utc, zone, error);
}

/**
 * calsync_store_query_range:
 * @from_utc: start of the range, seconds since the epoch
 * @to_utc: end of the range (exclusive)
 *
 * The events of active calendars that overlap [@from_utc, @to_utc), cancelled
 * ones left out, with their calendar's name and colour, sorted with
 * calsync_event_compare(). All-day events are matched by their dates against
 * the local dates the range covers, so they never shift with the time zone.
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_query_range (CalsyncStore  *self,
                           gint64         from_utc,
                           gint64         to_utc,
                           GError       **error)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();

  return calsync_store_query_range_in_zone (self, from_utc, to_utc, zone, error);
}

typedef struct
{
  gint64 from_utc;
  gint64 to_utc;
} RangeTaskData;

static void
query_range_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  RangeTaskData *data = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *events;

  if (g_task_return_error_if_cancelled (task))
    return;

  events = calsync_store_query_range (source_object, data->from_utc, data->to_utc, &error);
  if (events == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * calsync_store_query_range_async:
 *
 * Runs calsync_store_query_range() in a worker thread.
 */
void
calsync_store_query_range_async (CalsyncStore        *self,
                                 gint64               from_utc,
                                 gint64               to_utc,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RangeTaskData *data;

  g_return_if_fail (CALSYNC_IS_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_store_query_range_async);

  data = g_new0 (RangeTaskData, 1);
  data->from_utc = from_utc;
  data->to_utc = to_utc;
  g_task_set_task_data (task, data, g_free);

  g_task_run_in_thread (task, query_range_thread);
}

/**
 * calsync_store_query_range_finish:
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_query_range_finish (CalsyncStore  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Public API: single events ----------------------------------------------- */

/**
 * calsync_store_get_event:
 *
 * Returns: (transfer full): the event with its calendar's name and colour, or
 *   %NULL with @error set (%CALSYNC_STORE_ERROR_NOT_FOUND if there is none)
 */
CalsyncEvent *
calsync_store_get_event (CalsyncStore  *self,
                         gint64         event_id,
                         GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_GET_EVENT, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, event_id);
  return collect_one (self, stmt, (RowFunc) event_from_row, _("Event not found"), error);
}

/**
 * calsync_store_list_calendar_events:
 * @calendar_id: the calendar, active or not
 * @from_utc: start of the range, seconds since the epoch (G_MININT64 for no bound)
 * @to_utc: end of the range, exclusive (G_MAXINT64 for no bound)
 *
 * Every stored event of one calendar whose UTC range overlaps the range,
 * cancelled ones included, ordered by start. All-day events are matched by
 * their padded UTC range (see calsync_event_set_dates()): callers that need
 * exact dates check them. For export and tests, not for views.
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_list_calendar_events (CalsyncStore  *self,
                                    gint64         calendar_id,
                                    gint64         from_utc,
                                    gint64         to_utc,
                                    GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = get_stmt (self, STMT_CALENDAR_EVENTS, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  sqlite3_bind_int64 (stmt, 2, from_utc);
  sqlite3_bind_int64 (stmt, 3, to_utc);
  return collect_rows (self, stmt, (RowFunc) event_from_row, error);
}

/* Finds a stored event: TRUE with *event set (or %NULL when there is none). */
static gboolean
lookup_event_locked (CalsyncStore  *self,
                     gint64         calendar_id,
                     const char    *external_id,
                     CalsyncEvent **event,
                     GError       **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, STMT_LOOKUP_EVENT, error);
  gboolean has_row;

  *event = NULL;
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, P_CALENDAR_ID, calendar_id);
  bind_text (stmt, P_EXTERNAL_ID, external_id);

  if (!step_row (self, stmt, &has_row, error))
    return FALSE;

  if (has_row)
    *event = event_from_row (stmt);

  return TRUE;
}

/**
 * calsync_store_lookup_event:
 * @external_id: the provider's id of the event
 *
 * Returns: (transfer full) (nullable): the event; %NULL without an error when
 *   there is none, %NULL with @error set when the database failed
 */
CalsyncEvent *
calsync_store_lookup_event (CalsyncStore  *self,
                            gint64         calendar_id,
                            const char    *external_id,
                            GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  CalsyncEvent *event = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (external_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  lookup_event_locked (self, calendar_id, external_id, &event, error);

  return event;
}

/* Public API: remote batches ---------------------------------------------- */

static gboolean
run_event_stmt (CalsyncStore  *self,
                StmtId         id,
                CalsyncEvent  *event,
                gint64         row_id,
                GError       **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, id, error);

  if (stmt == NULL)
    return FALSE;

  bind_event (stmt, event);
  if (row_id != 0)
    sqlite3_bind_int64 (stmt, P_ID, row_id);

  return step_done (self, stmt, error);
}

static gboolean
delete_event_row (CalsyncStore  *self,
                  gint64         row_id,
                  GError       **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, STMT_DELETE_EVENT, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, row_id);
  return step_done (self, stmt, error);
}

static gboolean
insert_remote_event (CalsyncStore  *self,
                     gint64         calendar_id,
                     CalsyncEvent  *incoming,
                     GError       **error)
{
  g_autoptr(CachedStmt) stmt = get_stmt (self, STMT_INSERT_EVENT, error);

  if (stmt == NULL)
    return FALSE;

  bind_event (stmt, incoming);
  sqlite3_bind_int64 (stmt, P_LOCAL_UPDATED, 0);
  sqlite3_bind_int (stmt, P_LOCALLY_MODIFIED, 0);
  sqlite3_bind_int64 (stmt, P_CALENDAR_ID, calendar_id);

  return step_done (self, stmt, error);
}

static gboolean
refresh_etag (CalsyncStore  *self,
              CalsyncEvent  *stored,
              CalsyncEvent  *incoming,
              GError       **error)
{
  if (g_strcmp0 (calsync_event_get_etag (stored), calsync_event_get_etag (incoming)) == 0 &&
      calsync_event_get_remote_updated (stored) == calsync_event_get_remote_updated (incoming))
    return TRUE;

  return run_event_stmt (self, STMT_REFRESH_EVENT_ETAG, incoming,
                         calsync_event_get_id (stored), error);
}

static gboolean
local_copy_is_newer (CalsyncEvent *stored,
                     CalsyncEvent *incoming)
{
  return calsync_event_get_locally_modified (stored) &&
         calsync_event_get_local_updated (stored) > calsync_event_get_remote_updated (incoming);
}

/* Applies one remote event; the caller holds the lock and the transaction. */
static gboolean
apply_one (CalsyncStore         *self,
           gint64                calendar_id,
           CalsyncEvent         *incoming,
           CalsyncApplyOutcome  *outcome,
           GError              **error)
{
  g_autoptr(CalsyncEvent) stored = NULL;
  const char *external_id = calsync_event_get_external_id (incoming);

  if (external_id == NULL || *external_id == '\0')
    {
      g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_CONSTRAINT,
                           _("The server sent an event without an id"));
      return FALSE;
    }

  if (!lookup_event_locked (self, calendar_id, external_id, &stored, error))
    return FALSE;

  if (calsync_event_get_status (incoming) == CALSYNC_EVENT_STATUS_CANCELLED)
    {
      *outcome = stored ? CALSYNC_APPLY_DELETED : CALSYNC_APPLY_IGNORED;
      return stored == NULL || delete_event_row (self, calsync_event_get_id (stored), error);
    }

  if (stored == NULL)
    {
      *outcome = CALSYNC_APPLY_INSERTED;
      return insert_remote_event (self, calendar_id, incoming, error);
    }

  if (local_copy_is_newer (stored, incoming))
    {
      *outcome = CALSYNC_APPLY_KEPT_LOCAL;
      return TRUE;
    }

  if (calsync_event_equal_content (stored, incoming))
    {
      *outcome = CALSYNC_APPLY_UNCHANGED;
      return refresh_etag (self, stored, incoming, error);
    }

  *outcome = CALSYNC_APPLY_UPDATED;
  return run_event_stmt (self, STMT_UPDATE_REMOTE_EVENT, incoming,
                         calsync_event_get_id (stored), error);
}

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
    default:
      stats->skipped++;
      break;
    }
  stats->total++;
}

static gboolean
apply_batch_locked (CalsyncStore       *self,
                    gint64              calendar_id,
                    GPtrArray          *events,
                    GArray             *outcomes,
                    CalsyncApplyStats  *stats,
                    GError            **error)
{
  if (!begin_transaction (self, error))
    return FALSE;

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncApplyOutcome outcome = CALSYNC_APPLY_IGNORED;

      if (!apply_one (self, calendar_id, g_ptr_array_index (events, i), &outcome, error))
        return rollback_transaction (self);

      g_array_append_val (outcomes, outcome);
      count_outcome (stats, outcome);
    }

  if (!commit_transaction (self, error))
    return rollback_transaction (self);

  if (stats->inserted + stats->updated + stats->deleted > 0)
    schedule_changed (self);

  return TRUE;
}

/**
 * calsync_store_apply_remote_events:
 * @calendar_id: the calendar the events belong to
 * @events: (element-type CalsyncEvent): events as the provider sent them
 * @outcomes: (nullable) (element-type CalsyncApplyOutcome): appended one
 *   outcome per event, in order, on success
 * @stats: (out caller-allocates) (optional): totals, zero on failure
 *
 * Applies a batch (a page) of remote events in one transaction, matching them
 * to stored events by external id: cancelled ones are deleted (or ignored when
 * unknown), new ones inserted, changed ones updated unless the local copy was
 * edited after the remote one, identical ones skipped. On any error nothing
 * is changed.
 */
gboolean
calsync_store_apply_remote_events (CalsyncStore       *self,
                                   gint64              calendar_id,
                                   GPtrArray          *events,
                                   GArray             *outcomes,
                                   CalsyncApplyStats  *stats,
                                   GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GArray) batch_outcomes = NULL;
  CalsyncApplyStats batch_stats = { 0 };

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);
  g_return_val_if_fail (outcomes == NULL ||
                        g_array_get_element_size (outcomes) == sizeof (CalsyncApplyOutcome),
                        FALSE);

  if (stats != NULL)
    *stats = batch_stats;

  batch_outcomes = g_array_sized_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome), events->len);
  locker = g_mutex_locker_new (&self->lock);
  if (!apply_batch_locked (self, calendar_id, events, batch_outcomes, &batch_stats, error))
    return FALSE;

  if (outcomes != NULL)
    g_array_append_vals (outcomes, batch_outcomes->data, batch_outcomes->len);
  if (stats != NULL)
    *stats = batch_stats;

  return TRUE;
}

typedef struct
{
  gint64 calendar_id;
  GPtrArray *events;
  CalsyncApplyStats stats;
} ApplyTaskData;

static void
apply_task_data_free (gpointer data)
{
  ApplyTaskData *apply = data;

  g_clear_pointer (&apply->events, g_ptr_array_unref);
  g_free (apply);
}

static void
apply_remote_events_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  ApplyTaskData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (calsync_store_apply_remote_events (source_object, data->calendar_id, data->events,
                                         NULL, &data->stats, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * calsync_store_apply_remote_events_async:
 * @events: (element-type CalsyncEvent): referenced until done; do not modify
 *   the array or its events meanwhile
 *
 * Runs calsync_store_apply_remote_events() in a worker thread.
 */
void
calsync_store_apply_remote_events_async (CalsyncStore        *self,
                                         gint64               calendar_id,
                                         GPtrArray           *events,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ApplyTaskData *data;

  g_return_if_fail (CALSYNC_IS_STORE (self));
  g_return_if_fail (events != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_store_apply_remote_events_async);

  data = g_new0 (ApplyTaskData, 1);
  data->calendar_id = calendar_id;
  data->events = g_ptr_array_ref (events);
  g_task_set_task_data (task, data, apply_task_data_free);

  g_task_run_in_thread (task, apply_remote_events_thread);
}

/**
 * calsync_store_apply_remote_events_finish:
 * @stats: (out caller-allocates) (optional): totals, zero on failure
 */
gboolean
calsync_store_apply_remote_events_finish (CalsyncStore       *self,
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

static gboolean
delete_remote_locked (CalsyncStore        *self,
                      gint64               calendar_id,
                      const char * const  *external_ids,
                      CalsyncApplyStats   *stats,
                      GError             **error)
{
  if (!begin_transaction (self, error))
    return FALSE;

  for (guint i = 0; external_ids[i] != NULL; i++)
    {
      g_autoptr(CachedStmt) stmt = get_stmt (self, STMT_DELETE_EVENT_BY_EXTERNAL_ID, error);

      if (stmt == NULL)
        return rollback_transaction (self);

      sqlite3_bind_int64 (stmt, 1, calendar_id);
      bind_text (stmt, 2, external_ids[i]);
      if (!step_done (self, stmt, error))
        return rollback_transaction (self);

      count_outcome (stats, sqlite3_changes (self->db) > 0 ? CALSYNC_APPLY_DELETED
                                                           : CALSYNC_APPLY_IGNORED);
    }

  if (!commit_transaction (self, error))
    return rollback_transaction (self);

  if (stats->deleted > 0)
    schedule_changed (self);

  return TRUE;
}

/**
 * calsync_store_delete_remote_events:
 * @external_ids: %NULL-terminated provider ids of events deleted remotely
 * @stats: (out caller-allocates) (optional): deleted and skipped (unknown) counts
 *
 * Removes events by their external ids, in one transaction.
 */
gboolean
calsync_store_delete_remote_events (CalsyncStore        *self,
                                    gint64               calendar_id,
                                    const char * const  *external_ids,
                                    CalsyncApplyStats   *stats,
                                    GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  CalsyncApplyStats batch_stats = { 0 };

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (external_ids != NULL, FALSE);

  if (stats != NULL)
    *stats = batch_stats;

  locker = g_mutex_locker_new (&self->lock);
  if (!delete_remote_locked (self, calendar_id, external_ids, &batch_stats, error))
    return FALSE;

  if (stats != NULL)
    *stats = batch_stats;

  return TRUE;
}

/* Public API: local edits ------------------------------------------------- */

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
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CalsyncEvent) row = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);
  g_return_val_if_fail (CALSYNC_IS_EVENT (event), 0);

  row = calsync_event_copy (event);
  if (calsync_event_get_calendar_id (row) <= 0)
    calsync_event_set_calendar_id (row, self->personal_calendar_id);
  if (calsync_event_get_external_id (row) == NULL)
    {
      g_autofree char *uuid = g_uuid_string_random ();

      calsync_event_set_external_id (row, uuid);
    }
  calsync_event_set_locally_modified (row, TRUE);
  calsync_event_set_local_updated (row, g_get_real_time ());

  locker = g_mutex_locker_new (&self->lock);
  if (!run_event_stmt (self, STMT_INSERT_EVENT, row, 0, error))
    return 0;

  calsync_event_set_id (row, sqlite3_last_insert_rowid (self->db));
  copy_local_state (event, row);
  schedule_changed (self);

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
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(CalsyncEvent) row = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (CALSYNC_IS_EVENT (event), FALSE);

  row = calsync_event_copy (event);
  calsync_event_set_locally_modified (row, TRUE);
  calsync_event_set_local_updated (row, g_get_real_time ());

  locker = g_mutex_locker_new (&self->lock);
  if (!run_event_stmt (self, STMT_UPDATE_LOCAL_EVENT, row, calsync_event_get_id (row), error) ||
      !check_changed_one (self, _("Event not found"), error))
    return FALSE;

  copy_local_state (event, row);
  return TRUE;
}

gboolean
calsync_store_delete_local_event (CalsyncStore  *self,
                                  gint64         event_id,
                                  GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return delete_event_row (self, event_id, error) &&
         check_changed_one (self, _("Event not found"), error);
}
