/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store-private.h: what the parts of CalsyncStore share — connections,
 * cached statements, rows to objects — split by concern across calsync-store*.c:
 * the object and its connections (calsync-store.c), schema and migrations
 * (-schema.c), accounts and calendars (-accounts.c), range queries and single
 * events (-query.c), applying a provider's page and the snapshot sweep
 * (-apply.c), edits made on this computer (-local.c) and the outbox that
 * takes them to the server (-outbox.c). */
#pragma once

#include <sqlite3.h>

#include "calsync-store.h"

G_BEGIN_DECLS

/*
 * Range queries scan the (start_utc, end_utc) index from one week before the
 * range; the few events longer than a week (trips, leave, terms) are found
 * through a partial index of their own. One long event thus never slows down
 * every query, as a "longest span ever seen" bound would. The literal must be
 * the same in the index and in the query for SQLite to use the partial index.
 */
#define LONG_SPAN_SQL "604800"

#define PERSONAL_COLOR "#3584e4"

/* Columns in the order event_from_row() reads them */
#define EVENT_OWN_COLUMNS                                                     \
  "e.id, e.calendar_id, e.external_event_id, e.etag, e.title, e.description, " \
  "e.location, e.start_utc, e.end_utc, e.time_zone, e.all_day, e.start_date, " \
  "e.end_date, e.status, e.recurrence, e.recurring_event_id, e.original_start, " \
  "e.attendees, e.conference_url, e.event_type, e.remote_updated, "           \
  "e.local_updated, e.locally_modified, e.resource_id"

/* A calendar's name as read: NULL for the local account's (Personal) calendar,
 * whose stored name is a key (or, in a database from before, "Personal" in the
 * language it was created in); store_calendar_from_row() and
 * store_event_from_row() show it in the current language. */
#define CALENDAR_NAME_SQL                                                     \
  "CASE WHEN c.account_id IN (SELECT id FROM accounts WHERE provider = 'local') " \
  "THEN NULL ELSE c.name END"

#define EVENT_COLUMNS EVENT_OWN_COLUMNS ", " CALENDAR_NAME_SQL ", c.color"

/* Positions of the event fields in every statement that writes events
 * (store_bind_event() binds them). */
enum {
  P_TITLE = 1, P_DESCRIPTION, P_LOCATION, P_START, P_END, P_TIME_ZONE, P_ALL_DAY,
  P_START_DATE, P_END_DATE, P_STATUS, P_RECURRENCE, P_RECURRING_ID, P_ORIGINAL_START,
  P_ATTENDEES, P_CONFERENCE, P_EVENT_TYPE, P_ETAG, P_REMOTE_UPDATED, P_LOCAL_UPDATED,
  P_LOCALLY_MODIFIED, P_CALENDAR_ID, P_EXTERNAL_ID, P_RESOURCE_ID, P_ID
};

#define EVENT_CONTENT_SET                                                     \
  "title = ?1, description = ?2, location = ?3, start_utc = ?4, end_utc = ?5, " \
  "time_zone = ?6, all_day = ?7, start_date = ?8, end_date = ?9, status = ?10, " \
  "recurrence = ?11, recurring_event_id = ?12, original_start = ?13, "        \
  "attendees = ?14, conference_url = ?15, event_type = ?16"

/**
 * StoreConn:
 *
 * One SQLite connection with its prepared statements, keyed by the address of
 * their SQL text (static strings of the calsync-store*.c files). The store has
 * one writing connection, used under a lock, and read-only ones that readers
 * take from a pool: in WAL mode a reader never waits for a writer, of this
 * process or another, so the main thread can read while a sync writes.
 */
typedef struct _StoreConn StoreConn;

struct _StoreConn
{
  CalsyncStore *store;     /* borrowed: the store outlives its connections */
  sqlite3 *db;
  GHashTable *stmts;       /* const char *sql → sqlite3_stmt * */
  gboolean read_only;
};

/* The same connection, named by how it was taken, so that g_autoptr gives it back */
typedef StoreConn StoreWriter;
typedef StoreConn StoreReader;

G_GNUC_INTERNAL StoreWriter  *store_writer_acquire (CalsyncStore  *self,
                                                    GError       **error);
G_GNUC_INTERNAL void          store_writer_release (StoreWriter   *writer);
G_GNUC_INTERNAL StoreReader  *store_reader_acquire (CalsyncStore  *self,
                                                    GError       **error);
G_GNUC_INTERNAL void          store_reader_release (StoreReader   *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreWriter, store_writer_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreReader, store_reader_release)

/* A cached statement, handed back to the cache (reset) when it goes out of scope. */
typedef sqlite3_stmt CachedStmt;

G_GNUC_INTERNAL void          store_cached_stmt_release (CachedStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedStmt, store_cached_stmt_release)

/* Statements and steps */
G_GNUC_INTERNAL CachedStmt   *store_stmt           (StoreConn     *conn,
                                                    const char    *sql,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_set_error      (StoreConn     *conn,
                                                    int            rc,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_step_done      (StoreConn     *conn,
                                                    sqlite3_stmt  *stmt,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_step_row       (StoreConn     *conn,
                                                    sqlite3_stmt  *stmt,
                                                    gboolean      *has_row,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_run            (StoreConn     *conn,
                                                    const char    *sql,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_exec_script    (StoreConn     *conn,
                                                    const char    *sql,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_begin          (StoreConn     *conn,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_commit         (StoreConn     *conn,
                                                    GError       **error);
/* Rolls back if a transaction is open; always returns FALSE, for "return store_rollback (w);" */
G_GNUC_INTERNAL gboolean      store_rollback       (StoreConn     *conn);
G_GNUC_INTERNAL gboolean      store_query_int64    (StoreConn     *conn,
                                                    const char    *sql,
                                                    gint64         param,
                                                    gint64        *value,
                                                    GError       **error);
/* TRUE and "changed" scheduled when the last statement changed a row; else NOT_FOUND */
G_GNUC_INTERNAL gboolean      store_check_changed_one (StoreConn  *conn,
                                                    const char    *what,
                                                    GError       **error);

/* Columns */
G_GNUC_INTERNAL void          store_bind_text      (sqlite3_stmt  *stmt,
                                                    int            pos,
                                                    const char    *text);
G_GNUC_INTERNAL const char   *store_column_text    (sqlite3_stmt  *stmt,
                                                    int            col);
/* A column read through CALENDAR_NAME_SQL: NULL gives the Personal name */
G_GNUC_INTERNAL const char   *store_column_name    (sqlite3_stmt  *stmt,
                                                    int            col);

/* Rows to objects */
typedef gpointer (*StoreRowFunc) (sqlite3_stmt *stmt);

G_GNUC_INTERNAL CalsyncAccount  *store_account_from_row  (sqlite3_stmt *stmt);
G_GNUC_INTERNAL CalsyncCalendar *store_calendar_from_row (sqlite3_stmt *stmt);
G_GNUC_INTERNAL CalsyncEvent    *store_event_from_row    (sqlite3_stmt *stmt);
G_GNUC_INTERNAL void             store_bind_event        (sqlite3_stmt *stmt,
                                                          CalsyncEvent *event);
G_GNUC_INTERNAL GPtrArray       *store_collect_rows      (StoreConn    *conn,
                                                          sqlite3_stmt *stmt,
                                                          StoreRowFunc  row_func,
                                                          GError      **error);
G_GNUC_INTERNAL gpointer         store_collect_one       (StoreConn    *conn,
                                                          sqlite3_stmt *stmt,
                                                          StoreRowFunc  row_func,
                                                          const char   *not_found,
                                                          GError      **error);

/* The one thread of writes made for people, in the order asked (calsync-store.c) */
G_GNUC_INTERNAL void          store_run_ordered    (CalsyncStore    *self,
                                                    GTask           *task,
                                                    GTaskThreadFunc  func);

/* Signals: one "changed" emission queued on the opening thread's context */
G_GNUC_INTERNAL void          store_schedule_changed (CalsyncStore *self);

/* Schema (calsync-store-schema.c) */
G_GNUC_INTERNAL gboolean      store_migrate        (StoreConn     *conn,
                                                    const char    *path,
                                                    GError       **error);

/* Accounts (calsync-store-accounts.c), for opening */
G_GNUC_INTERNAL gboolean      store_ensure_personal_calendar (StoreConn *conn,
                                                    gint64        *calendar_id,
                                                    GError       **error);

/* The cursor and time of a calendar's successful sync (calsync-store-accounts.c) */
G_GNUC_INTERNAL gboolean      store_save_sync_state (StoreConn    *conn,
                                                    gint64         calendar_id,
                                                    const char    *sync_token,
                                                    gint64         last_sync_at_usec,
                                                    GError       **error);

/* Query helpers (calsync-store-query.c) shared with applying pages */
G_GNUC_INTERNAL gboolean      store_lookup_event   (StoreConn     *conn,
                                                    gint64         calendar_id,
                                                    const char    *external_id,
                                                    CalsyncEvent **event,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_delete_event_row (StoreConn   *conn,
                                                    gint64         row_id,
                                                    GError       **error);

/* Writing events (calsync-store-apply.c) */
G_GNUC_INTERNAL extern const char store_sql_insert_event[];
/* Binds @event (and @row_id as ?24 when not 0) to @sql and steps it */
G_GNUC_INTERNAL gboolean      store_run_event_stmt (StoreConn     *conn,
                                                    const char    *sql,
                                                    CalsyncEvent  *event,
                                                    gint64         row_id,
                                                    GError       **error);
/* Binds @calendar_id and @href (?1, ?2) to @sql — and @etag and @text (?3, ?4)
 * when @sql takes them — and steps it */
G_GNUC_INTERNAL gboolean      store_run_resource_stmt (StoreConn   *conn,
                                                    const char    *sql,
                                                    gint64         calendar_id,
                                                    const char    *href,
                                                    const char    *etag,
                                                    const char    *text,
                                                    GError       **error);

/* The outbox (calsync-store-outbox.c), inside the transaction of an edit */
G_GNUC_INTERNAL gboolean      store_check_writable (StoreConn     *conn,
                                                    gint64         calendar_id,
                                                    gboolean      *synced,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_outbox_record  (StoreConn     *conn,
                                                    gint64         calendar_id,
                                                    const char    *key,
                                                    CalsyncOutboxKind kind,
                                                    gint64         row_id,
                                                    gint64         local_updated,
                                                    const char    *text,
                                                    gboolean       notify,
                                                    GError       **error);

/* Edits made here, inside the caller's transaction (calsync-store-local.c) */
G_GNUC_INTERNAL gboolean      store_local_create   (StoreConn     *conn,
                                                    CalsyncEvent  *row,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_local_edit     (StoreConn     *conn,
                                                    CalsyncEvent  *row,
                                                    GError       **error);
G_GNUC_INTERNAL gboolean      store_local_delete   (StoreConn     *conn,
                                                    gint64         event_id,
                                                    GError       **error);

/* Sorting (calsync-store.c) */
G_GNUC_INTERNAL void          store_sort_events    (CalsyncStore  *self,
                                                    GPtrArray     *events);

G_END_DECLS
