/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store-accounts.c: accounts and their calendars — adding, listing,
 * removing (marked first, so that the secret can go before the row), and
 * reconciling the calendars with the provider's list at every sync. */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-store-private.h"

#define ACCOUNT_COLUMNS \
  "id, provider, email, server_url, needs_reconnect, last_error, allow_insecure, read_only"

#define CALENDAR_COLUMNS                                                      \
  "c.id, c.account_id, c.remote_id, " CALENDAR_NAME_SQL ", c.color, c.is_active, "           \
  "c.is_primary, c.last_sync_at, c.sync_token, a.provider, a.email, c.read_only"

#define CALENDAR_FROM "FROM calendars AS c JOIN accounts AS a ON a.id = c.account_id "

static const char sql_insert_account[] =
  "INSERT INTO accounts (provider, email, server_url, needs_reconnect, last_error, created_at, "
  "allow_insecure, read_only) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_update_account[] =
  "UPDATE accounts SET provider = ?1, email = ?2, server_url = ?3, needs_reconnect = ?4, "
  "last_error = ?5, allow_insecure = ?7, read_only = ?8 WHERE id = ?6";
static const char sql_list_accounts[] =
  "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE removing = 0 ORDER BY id";
static const char sql_list_removing_accounts[] =
  "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE removing = 1 ORDER BY id";
static const char sql_get_account[] =
  "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?1 AND removing = 0";
static const char sql_mark_account_removing[] =
  "UPDATE accounts SET removing = 1 WHERE id = ?1";
static const char sql_deactivate_account_calendars[] =
  "UPDATE calendars SET is_active = 0 WHERE account_id = ?1";
static const char sql_delete_account[] = "DELETE FROM accounts WHERE id = ?1";
static const char sql_find_local_account[] =
  "SELECT id FROM accounts WHERE provider = 'local' ORDER BY id LIMIT 1";
static const char sql_find_personal_calendar[] =
  "SELECT c.id " CALENDAR_FROM
  "WHERE a.provider = 'local' ORDER BY c.is_primary DESC, c.id LIMIT 1";
static const char sql_insert_calendar[] =
  "INSERT INTO calendars (account_id, remote_id, name, color, is_active, is_primary, "
  "last_sync_at, sync_token, read_only) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10)";
static const char sql_update_calendar[] =
  "UPDATE calendars SET account_id = ?1, remote_id = ?2, "
  /* The Personal calendar keeps its key, never a name as read (translated) */
  "name = CASE WHEN account_id IN (SELECT id FROM accounts WHERE provider = 'local') "
  "THEN name ELSE ?3 END, color = ?4, "
  "is_active = ?5, is_primary = ?6, last_sync_at = ?7, sync_token = ?8, read_only = ?10 WHERE id = ?9";
static const char sql_list_calendars[] =
  "SELECT " CALENDAR_COLUMNS " " CALENDAR_FROM
  "WHERE a.removing = 0 AND (?1 = 0 OR c.account_id = ?1) "
  "ORDER BY a.provider <> 'local', a.id, c.is_primary DESC, c.name COLLATE NOCASE, c.id";
static const char sql_get_calendar[] =
  "SELECT " CALENDAR_COLUMNS " " CALENDAR_FROM "WHERE c.id = ?1";
static const char sql_lookup_calendar[] =
  "SELECT " CALENDAR_COLUMNS " " CALENDAR_FROM
  "WHERE c.account_id = ?1 AND c.remote_id = ?2 ORDER BY c.id LIMIT 1";
static const char sql_set_calendar_active[] = "UPDATE calendars SET is_active = ?2 WHERE id = ?1";
static const char sql_rename_calendar[] =
  "UPDATE calendars SET name = ?2, color = ?3, is_primary = ?4, read_only = ?5 WHERE id = ?1";
static const char sql_delete_calendar[] = "DELETE FROM calendars WHERE id = ?1";
static const char sql_finish_calendar_sync[] =
  "UPDATE calendars SET sync_token = ?2, "
  "last_sync_at = CASE WHEN ?3 > 0 THEN ?3 ELSE last_sync_at END WHERE id = ?1";
/* Two statements: "?1 = 0 OR calendar_id = ?1" would scan every event */
static const char sql_count_events[] = "SELECT COUNT(*) FROM events WHERE calendar_id = ?1";
static const char sql_count_all_events[] = "SELECT COUNT(*) FROM events WHERE ?1 = 0";
static const char sql_count_connected_calendars[] =
  "SELECT COUNT(*) " CALENDAR_FROM "WHERE a.provider <> 'local' AND a.removing = 0";

/* Internals --------------------------------------------------------------- */

static gint64
insert_account (StoreConn       *conn,
                CalsyncAccount  *account,
                GError         **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_insert_account, error);

  if (stmt == NULL)
    return 0;

  store_bind_text (stmt, 1, calsync_account_get_provider (account));
  store_bind_text (stmt, 2, calsync_account_get_email (account));
  store_bind_text (stmt, 3, calsync_account_get_server_url (account));
  sqlite3_bind_int (stmt, 4, calsync_account_get_needs_reconnect (account));
  store_bind_text (stmt, 5, calsync_account_get_last_error (account));
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  sqlite3_bind_int (stmt, 7, calsync_account_get_allow_insecure (account));
  sqlite3_bind_int (stmt, 8, calsync_account_get_read_only (account));

  if (!store_step_done (conn, stmt, error))
    return 0;

  calsync_account_set_id (account, sqlite3_last_insert_rowid (conn->db));
  return calsync_account_get_id (account);
}

static void
bind_calendar (sqlite3_stmt    *stmt,
               CalsyncCalendar *calendar)
{
  const char *name = calsync_calendar_get_name (calendar);
  const char *color = calsync_calendar_get_color (calendar);

  sqlite3_bind_int64 (stmt, 1, calsync_calendar_get_account_id (calendar));
  store_bind_text (stmt, 2, calsync_calendar_get_remote_id (calendar));
  store_bind_text (stmt, 3, name ? name : "");
  store_bind_text (stmt, 4, color ? color : PERSONAL_COLOR);
  sqlite3_bind_int (stmt, 5, calsync_calendar_get_is_active (calendar));
  sqlite3_bind_int (stmt, 6, calsync_calendar_get_is_primary (calendar));
  sqlite3_bind_int64 (stmt, 7, calsync_calendar_get_last_sync_at (calendar));
  store_bind_text (stmt, 8, calsync_calendar_get_sync_token (calendar));
  sqlite3_bind_int (stmt, 10, calsync_calendar_get_read_only (calendar));
}

static gint64
insert_calendar (StoreConn        *conn,
                 CalsyncCalendar  *calendar,
                 GError          **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_insert_calendar, error);

  if (stmt == NULL)
    return 0;

  bind_calendar (stmt, calendar);
  if (!store_step_done (conn, stmt, error))
    return 0;

  calsync_calendar_set_id (calendar, sqlite3_last_insert_rowid (conn->db));
  return calsync_calendar_get_id (calendar);
}

/* Runs @sql with one integer parameter and no result */
static gboolean
run_with_id (StoreConn   *conn,
             const char  *sql,
             gint64       id,
             GError     **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  return store_step_done (conn, stmt, error);
}

static gint64
create_personal_calendar (StoreConn  *conn,
                          GError    **error)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  gint64 account_id = 0;

  if (!store_query_int64 (conn, sql_find_local_account, 0, &account_id, error))
    return 0;

  if (account_id == 0)
    {
      g_autoptr(CalsyncAccount) account = calsync_account_new ();

      calsync_account_set_provider (account, "local");
      if ((account_id = insert_account (conn, account, error)) == 0)
        return 0;
    }

  calsync_calendar_set_account_id (calendar, account_id);
  /* A key, not the word in today's language: read back, it is shown in the
   * language of the moment (calsync_calendar_personal_name()) */
  calsync_calendar_set_name (calendar, CALSYNC_PERSONAL_CALENDAR_KEY);
  calsync_calendar_set_color (calendar, PERSONAL_COLOR);
  calsync_calendar_set_is_primary (calendar, TRUE);

  return insert_calendar (conn, calendar, error);
}

/* Read first, outside a write transaction: opening a database that has its
 * Personal calendar never waits for another process's write (a sync or an
 * import may hold the lock for seconds, and the window opens meanwhile). Looked
 * up again inside the transaction: another process may be opening the same new
 * database at the same moment. */
gboolean
store_ensure_personal_calendar (StoreConn  *conn,
                                gint64     *calendar_id,
                                GError    **error)
{
  gint64 id = 0;

  if (!store_query_int64 (conn, sql_find_personal_calendar, 0, &id, error))
    return FALSE;

  if (id != 0)
    {
      *calendar_id = id;
      return TRUE;
    }

  if (!store_begin (conn, error))
    return FALSE;

  if (!store_query_int64 (conn, sql_find_personal_calendar, 0, &id, error) ||
      (id == 0 && (id = create_personal_calendar (conn, error)) == 0) ||
      !store_commit (conn, error))
    return store_rollback (conn);

  *calendar_id = id;
  return TRUE;
}

/* Public API: accounts ---------------------------------------------------- */

/**
 * calsync_store_add_account:
 *
 * Stores @account and sets its id. Ids are never reused, even after a removal.
 *
 * Returns: the new id, or 0 with @error set
 */
gint64
calsync_store_add_account (CalsyncStore    *self,
                           CalsyncAccount  *account,
                           GError         **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  gint64 id;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (account), 0);
  g_return_val_if_fail (calsync_account_get_provider (account) != NULL, 0);

  if (!(writer = store_writer_acquire (self, error)))
    return 0;
  if ((id = insert_account (writer, account, error)) != 0)
    store_schedule_changed (self);

  return id;
}

gboolean
calsync_store_update_account (CalsyncStore    *self,
                              CalsyncAccount  *account,
                              GError         **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (account), FALSE);

  if (!(writer = store_writer_acquire (self, error)) ||
      !(stmt = store_stmt (writer, sql_update_account, error)))
    return FALSE;

  store_bind_text (stmt, 1, calsync_account_get_provider (account));
  store_bind_text (stmt, 2, calsync_account_get_email (account));
  store_bind_text (stmt, 3, calsync_account_get_server_url (account));
  sqlite3_bind_int (stmt, 4, calsync_account_get_needs_reconnect (account));
  store_bind_text (stmt, 5, calsync_account_get_last_error (account));
  sqlite3_bind_int64 (stmt, 6, calsync_account_get_id (account));
  sqlite3_bind_int (stmt, 7, calsync_account_get_allow_insecure (account));
  sqlite3_bind_int (stmt, 8, calsync_account_get_read_only (account));

  return store_step_done (writer, stmt, error) &&
         store_check_changed_one (writer, _("Account not found"), error);
}

static GPtrArray *
list_accounts (CalsyncStore  *self,
               const char    *sql,
               GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  if (!(reader = store_reader_acquire (self, error)) ||
      !(stmt = store_stmt (reader, sql, error)))
    return NULL;

  return store_collect_rows (reader, stmt, (StoreRowFunc) store_account_from_row, error);
}

/**
 * calsync_store_list_accounts:
 *
 * Returns: (transfer full) (element-type CalsyncAccount): all accounts, the
 *   local one included and those being removed left out, or %NULL with @error set
 */
GPtrArray *
calsync_store_list_accounts (CalsyncStore  *self,
                             GError       **error)
{
  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  return list_accounts (self, sql_list_accounts, error);
}

/**
 * calsync_store_list_removing_accounts:
 *
 * Accounts whose removal began and did not finish (a crash between removing
 * the secret and the row): whoever lists them finishes the removal.
 *
 * Returns: (transfer full) (element-type CalsyncAccount): the accounts, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_list_removing_accounts (CalsyncStore  *self,
                                      GError       **error)
{
  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  return list_accounts (self, sql_list_removing_accounts, error);
}

/**
 * calsync_store_get_account:
 *
 * Returns: (transfer full): the account, or %NULL with @error set
 *   (%CALSYNC_STORE_ERROR_NOT_FOUND if there is none with that id, or it is
 *   being removed)
 */
CalsyncAccount *
calsync_store_get_account (CalsyncStore  *self,
                           gint64         account_id,
                           GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  if (!(reader = store_reader_acquire (self, error)) ||
      !(stmt = store_stmt (reader, sql_get_account, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  return store_collect_one (reader, stmt, (StoreRowFunc) store_account_from_row,
                            _("Account not found"), error);
}

static gboolean
check_not_local (StoreConn  *conn,
                 gint64      account_id,
                 GError    **error)
{
  gint64 local_id = 0;

  if (!store_query_int64 (conn, sql_find_local_account, 0, &local_id, error))
    return FALSE;

  if (account_id == local_id)
    {
      g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_CONSTRAINT,
                           _("The local calendars cannot be removed"));
      return FALSE;
    }

  return TRUE;
}

/**
 * calsync_store_mark_account_removing:
 *
 * The first step of removing an account: from now on it is no longer listed,
 * its calendars are inactive, and a sync that renews its sign-in deletes the
 * renewed secret again. Then the secret goes, then
 * calsync_store_remove_account() removes the row: no order of crashes can
 * leave a secret without its account.
 */
gboolean
calsync_store_mark_account_removing (CalsyncStore  *self,
                                     gint64         account_id,
                                     GError       **error)
{
  g_autoptr(StoreWriter) writer = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  if (!(writer = store_writer_acquire (self, error)) ||
      !check_not_local (writer, account_id, error) ||
      !store_begin (writer, error))
    return FALSE;

  if (!run_with_id (writer, sql_mark_account_removing, account_id, error) ||
      !store_check_changed_one (writer, _("Account not found"), error) ||
      !run_with_id (writer, sql_deactivate_account_calendars, account_id, error) ||
      !store_commit (writer, error))
    return store_rollback (writer);

  return TRUE;
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
  g_autoptr(StoreWriter) writer = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  if (!(writer = store_writer_acquire (self, error)) ||
      !check_not_local (writer, account_id, error))
    return FALSE;

  return run_with_id (writer, sql_delete_account, account_id, error) &&
         store_check_changed_one (writer, _("Account not found"), error);
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
  g_autoptr(StoreWriter) writer = NULL;
  gint64 id;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (calendar), 0);

  if (!(writer = store_writer_acquire (self, error)))
    return 0;
  if ((id = insert_calendar (writer, calendar, error)) != 0)
    store_schedule_changed (self);

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
  g_autoptr(StoreWriter) writer = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (calendar), FALSE);

  if (!(writer = store_writer_acquire (self, error)) ||
      !(stmt = store_stmt (writer, sql_update_calendar, error)))
    return FALSE;

  bind_calendar (stmt, calendar);
  sqlite3_bind_int64 (stmt, 9, calsync_calendar_get_id (calendar));

  return store_step_done (writer, stmt, error) &&
         store_check_changed_one (writer, _("Calendar not found"), error);
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
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  if (!(reader = store_reader_acquire (self, error)) ||
      !(stmt = store_stmt (reader, sql_list_calendars, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  return store_collect_rows (reader, stmt, (StoreRowFunc) store_calendar_from_row, error);
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
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  if (!(reader = store_reader_acquire (self, error)) ||
      !(stmt = store_stmt (reader, sql_get_calendar, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  return store_collect_one (reader, stmt, (StoreRowFunc) store_calendar_from_row,
                            _("Calendar not found"), error);
}

static gboolean
lookup_calendar (StoreConn         *conn,
                 gint64             account_id,
                 const char        *remote_id,
                 CalsyncCalendar  **calendar,
                 GError           **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_lookup_calendar, error);
  g_autoptr(GError) local_error = NULL;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  store_bind_text (stmt, 2, remote_id);
  *calendar = store_collect_one (conn, stmt, (StoreRowFunc) store_calendar_from_row, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
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
  g_autoptr(StoreReader) reader = NULL;
  CalsyncCalendar *calendar = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (remote_id != NULL, NULL);

  if ((reader = store_reader_acquire (self, error)) != NULL)
    lookup_calendar (reader, account_id, remote_id, &calendar, error);

  return calendar;
}

gboolean
calsync_store_set_calendar_active (CalsyncStore  *self,
                                   gint64         calendar_id,
                                   gboolean       active,
                                   GError       **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  if (!(writer = store_writer_acquire (self, error)) ||
      !(stmt = store_stmt (writer, sql_set_calendar_active, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  sqlite3_bind_int (stmt, 2, !!active);

  return store_step_done (writer, stmt, error) &&
         store_check_changed_one (writer, _("Calendar not found"), error);
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
  g_autoptr(StoreWriter) writer = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);

  if (!(writer = store_writer_acquire (self, error)))
    return FALSE;

  return store_save_sync_state (writer, calendar_id, sync_token, last_sync_at_usec, error) &&
         store_check_changed_one (writer, _("Calendar not found"), error);
}

gboolean
store_save_sync_state (StoreConn   *conn,
                       gint64       calendar_id,
                       const char  *sync_token,
                       gint64       last_sync_at_usec,
                       GError     **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_finish_calendar_sync, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, sync_token);
  sqlite3_bind_int64 (stmt, 3, last_sync_at_usec);
  return store_step_done (conn, stmt, error);
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
  g_autoptr(StoreReader) reader = NULL;
  gint64 count = 0;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), -1);

  if (!(reader = store_reader_acquire (self, error)) ||
      !store_query_int64 (reader, calendar_id == 0 ? sql_count_all_events : sql_count_events,
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
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count = 0;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), 0);

  if (!(reader = store_reader_acquire (self, &error)) ||
      !store_query_int64 (reader, sql_count_connected_calendars, 0, &count, &error))
    g_warning ("Could not count calendars: %s", error->message);

  return (guint) count;
}

/* Reconciling with the provider's list ------------------------------------- */

static gboolean
listed (GPtrArray  *remote,
        const char *remote_id)
{
  for (guint i = 0; i < remote->len; i++)
    if (g_strcmp0 (calsync_calendar_get_remote_id (g_ptr_array_index (remote, i)), remote_id) == 0)
      return TRUE;

  return FALSE;
}

/* A calendar known here: takes the provider's name, colour and primary flag */
static gboolean
refresh_known (StoreConn        *conn,
               CalsyncCalendar  *known,
               CalsyncCalendar  *remote,
               CalsyncCalendarChanges *changes,
               GError          **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  const char *color = calsync_calendar_get_color (remote);

  if (g_strcmp0 (calsync_calendar_get_name (known), calsync_calendar_get_name (remote)) == 0 &&
      (color == NULL || g_strcmp0 (calsync_calendar_get_color (known), color) == 0) &&
      calsync_calendar_get_is_primary (known) == calsync_calendar_get_is_primary (remote) &&
      calsync_calendar_get_read_only (known) == calsync_calendar_get_read_only (remote))
    return TRUE;

  if (!(stmt = store_stmt (conn, sql_rename_calendar, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calsync_calendar_get_id (known));
  store_bind_text (stmt, 2, calsync_calendar_get_name (remote) ? calsync_calendar_get_name (remote) : "");
  store_bind_text (stmt, 3, color ? color : calsync_calendar_get_color (known));
  sqlite3_bind_int (stmt, 4, calsync_calendar_get_is_primary (remote));
  sqlite3_bind_int (stmt, 5, calsync_calendar_get_read_only (remote));
  changes->n_changed++;
  return store_step_done (conn, stmt, error);
}

static gboolean
add_or_refresh (StoreConn              *conn,
                gint64                  account_id,
                CalsyncCalendar        *remote,
                CalsyncCalendarChanges *changes,
                GError                **error)
{
  g_autoptr(CalsyncCalendar) known = NULL;
  g_autoptr(CalsyncCalendar) added = NULL;

  if (!lookup_calendar (conn, account_id, calsync_calendar_get_remote_id (remote), &known, error))
    return FALSE;
  if (known != NULL)
    return refresh_known (conn, known, remote, changes, error);

  /* New on the server: added and active, whatever the server's display flags */
  added = calsync_calendar_new ();
  calsync_calendar_set_account_id (added, account_id);
  calsync_calendar_set_remote_id (added, calsync_calendar_get_remote_id (remote));
  calsync_calendar_set_name (added, calsync_calendar_get_name (remote));
  calsync_calendar_set_color (added, calsync_calendar_get_color (remote));
  calsync_calendar_set_is_primary (added, calsync_calendar_get_is_primary (remote));
  calsync_calendar_set_read_only (added, calsync_calendar_get_read_only (remote));
  calsync_calendar_set_is_active (added, TRUE);
  changes->n_added++;
  return insert_calendar (conn, added, error) != 0;
}

/* Calendars of the account the server no longer lists go, with their events */
static gboolean
remove_unlisted (StoreConn              *conn,
                 gint64                  account_id,
                 GPtrArray              *remote,
                 CalsyncCalendarChanges *changes,
                 GError                **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_list_calendars, error);
  g_autoptr(GPtrArray) known = NULL;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!(known = store_collect_rows (conn, stmt, (StoreRowFunc) store_calendar_from_row, error)))
    return FALSE;
  g_clear_pointer (&stmt, store_cached_stmt_release);

  for (guint i = 0; i < known->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (known, i);

      if (listed (remote, calsync_calendar_get_remote_id (calendar)))
        continue;
      if (!run_with_id (conn, sql_delete_calendar, calsync_calendar_get_id (calendar), error))
        return FALSE;
      changes->n_removed++;
    }

  return TRUE;
}

/**
 * calsync_store_reconcile_calendars:
 * @remote: (element-type CalsyncCalendar): the account's calendars as the
 *   provider lists them now (remote id, name, colour, primary flag)
 * @changes: (out caller-allocates) (optional): what changed
 *
 * Makes the account's calendars those of @remote, in one transaction: a new
 * one is added, active; a known one takes the provider's name and colour and
 * keeps its active flag and sync state; one the provider no longer lists is
 * removed with its events.
 */
gboolean
calsync_store_reconcile_calendars (CalsyncStore            *self,
                                   gint64                   account_id,
                                   GPtrArray               *remote,
                                   CalsyncCalendarChanges  *changes,
                                   GError                 **error)
{
  g_autoptr(StoreWriter) writer = NULL;
  CalsyncCalendarChanges counted = { 0 };

  g_return_val_if_fail (CALSYNC_IS_STORE (self), FALSE);
  g_return_val_if_fail (remote != NULL, FALSE);

  if (changes != NULL)
    *changes = counted;

  if (!(writer = store_writer_acquire (self, error)) || !store_begin (writer, error))
    return FALSE;

  for (guint i = 0; i < remote->len; i++)
    if (!add_or_refresh (writer, account_id, g_ptr_array_index (remote, i), &counted, error))
      return store_rollback (writer);

  if (!remove_unlisted (writer, account_id, remote, &counted, error) ||
      !store_commit (writer, error))
    return store_rollback (writer);

  if (counted.n_added + counted.n_removed + counted.n_changed > 0)
    store_schedule_changed (self);
  if (changes != NULL)
    *changes = counted;

  return TRUE;
}
