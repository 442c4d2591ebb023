/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store-schema.c: the database schema, versioned with PRAGMA user_version
 * and migrated forward, one transaction per version. */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-store-private.h"

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

/* Version 3: account ids are never reused (AUTOINCREMENT: a secret left in the
 * keyring by a removed account can never meet a later one), an account being
 * removed is marked first (its secret goes before its row), and events know the
 * server resource they came in (a CalDAV .ics holding a series), indexed for
 * replacing a resource's instances together. The accounts table is rebuilt, as
 * SQLite cannot add AUTOINCREMENT to a table; foreign keys are off meanwhile. */
static const char schema_v3[] =
  "CREATE TABLE accounts_v3 ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  provider TEXT NOT NULL,"
  "  email TEXT,"
  "  server_url TEXT,"
  "  created_at INTEGER NOT NULL DEFAULT 0,"
  "  needs_reconnect INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  removing INTEGER NOT NULL DEFAULT 0);"
  "INSERT INTO accounts_v3 (id, provider, email, server_url, created_at, needs_reconnect, last_error)"
  "  SELECT id, provider, email, server_url, created_at, needs_reconnect, last_error FROM accounts;"
  "DROP TABLE accounts;"
  "ALTER TABLE accounts_v3 RENAME TO accounts;"
  "ALTER TABLE events ADD COLUMN resource_id TEXT;"
  "CREATE INDEX idx_events_resource ON events (calendar_id, resource_id)"
  "  WHERE resource_id IS NOT NULL;"
  "DROP INDEX idx_events_range;"
  "CREATE INDEX idx_events_range ON events (start_utc, end_utc, calendar_id, status, all_day,"
  "  start_date, end_date, external_event_id, etag, title, description, location, time_zone,"
  "  recurrence, recurring_event_id, original_start, attendees, conference_url, event_type,"
  "  remote_updated, local_updated, locally_modified, resource_id);";

/* Version 4 (two-way sync, CalDAV): an account may use plain http off this
 * computer only when the person said so; a calendar may be read-only on the
 * server; a CalDAV resource's text is kept as fetched, so that a local edit
 * changes only what it edits and keeps the rest (VALARMs, X- properties). */
static const char schema_v4[] =
  "ALTER TABLE accounts ADD COLUMN allow_insecure INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE calendars ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE resources ("
  "  calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,"
  "  href TEXT NOT NULL,"
  "  etag TEXT,"
  "  text TEXT,"
  "  PRIMARY KEY (calendar_id, href)) WITHOUT ROWID;";

/* Version 5 (two-way sync): the outbox of changes made here, waiting for the
 * next sync to push them, in the order they were made (id). One entry per
 * event (its external id; a whole series imported here: its UID), merged as
 * edits come in. The event's columns (event_id … remote_updated) hold it as it
 * was when the entry was last touched: a delete has no row left to read. */
static const char schema_v5[] =
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,"
  "  external_id TEXT NOT NULL,"
  "  kind INTEGER NOT NULL,"
  "  etag TEXT,"
  "  resource_id TEXT,"
  "  local_updated INTEGER NOT NULL DEFAULT 0,"
  "  text TEXT,"
  "  event_id INTEGER,"
  "  event_external_id TEXT,"
  "  title TEXT,"
  "  description TEXT,"
  "  location TEXT,"
  "  start_utc INTEGER NOT NULL DEFAULT 0,"
  "  end_utc INTEGER NOT NULL DEFAULT 0,"
  "  time_zone TEXT,"
  "  all_day INTEGER NOT NULL DEFAULT 0,"
  "  start_date TEXT,"
  "  end_date TEXT,"
  "  status TEXT,"
  "  recurrence TEXT,"
  "  recurring_event_id TEXT,"
  "  original_start TEXT,"
  "  attendees TEXT,"
  "  conference_url TEXT,"
  "  event_type TEXT,"
  "  remote_updated INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (calendar_id, external_id));";

/* Version 6 (two-way sync for Google and Outlook): an account signed in with a
 * scope that only reads stays read-only until it is reconnected — every Google
 * account from before (it asked for calendar.readonly), with its calendars;
 * an entry remembers that the person asked for guests to be told. */
static const char schema_v6[] =
  "ALTER TABLE accounts ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;"
  "UPDATE accounts SET read_only = 1 WHERE provider = 'google';"
  "UPDATE calendars SET read_only = 1 WHERE account_id IN "
  "  (SELECT id FROM accounts WHERE provider = 'google');"
  "ALTER TABLE outbox ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;";

/* Migration N brings the schema from version N-1 to version N. */
static const char * const migrations[] = { NULL, schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6 };

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CALSYNC_STORE_SCHEMA_VERSION + 1);

static const char sql_user_version[] = "PRAGMA user_version";
static const char sql_foreign_key_check[] = "PRAGMA foreign_key_check";

static gboolean
read_user_version (StoreConn  *conn,
                   int        *version,
                   GError    **error)
{
  gint64 value = 0;

  if (!store_query_int64 (conn, sql_user_version, 0, &value, error))
    return FALSE;

  *version = (int) value;
  return TRUE;
}

static gboolean
too_new (int      version,
         GError **error)
{
  g_set_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_SCHEMA_TOO_NEW,
               _("The calendar database was written by a newer version of CalSync "
                 "(schema %d, this version knows %d)"),
               version, CALSYNC_STORE_SCHEMA_VERSION);
  return FALSE;
}

static gboolean
foreign_keys_hold (StoreConn  *conn,
                   GError    **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_foreign_key_check, error);
  gboolean has_row = FALSE;

  if (stmt == NULL || !store_step_row (conn, stmt, &has_row, error))
    return FALSE;

  if (has_row)
    g_set_error_literal (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_CONSTRAINT,
                         _("The calendar database is inconsistent"));
  return !has_row;
}

/* Runs migration @version in its own transaction, unless another process did it
 * meanwhile (the version is read again inside the transaction). */
static gboolean
apply_migration (StoreConn   *conn,
                 const char  *path,
                 int          version,
                 GError     **error)
{
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", version);
  int current = 0;

  if (!store_begin (conn, error) || !read_user_version (conn, &current, error))
    return store_rollback (conn);

  if (current >= version)
    return store_commit (conn, error) || store_rollback (conn);

  g_debug ("Migrating %s to schema version %d", path, version);

  if (!store_exec_script (conn, migrations[version], error) ||
      !foreign_keys_hold (conn, error) ||
      !store_exec_script (conn, set_version, error) ||
      !store_commit (conn, error))
    return store_rollback (conn);

  return TRUE;
}

static gboolean
apply_migrations (StoreConn   *conn,
                  const char  *path,
                  int          from,
                  GError     **error)
{
  for (int v = from + 1; v <= CALSYNC_STORE_SCHEMA_VERSION; v++)
    if (!apply_migration (conn, path, v, error))
      return FALSE;

  return TRUE;
}

gboolean
store_migrate (StoreConn   *conn,
               const char  *path,
               GError     **error)
{
  int version = 0;
  gboolean ok;

  if (!read_user_version (conn, &version, error))
    return FALSE;

  if (version > CALSYNC_STORE_SCHEMA_VERSION)
    return too_new (version, error);
  if (version == CALSYNC_STORE_SCHEMA_VERSION)
    return TRUE;

  /* Rebuilding a table that others reference needs foreign keys off, which
   * can only change outside a transaction; each migration checks them itself. */
  if (!store_exec_script (conn, "PRAGMA foreign_keys = OFF", error))
    return FALSE;

  ok = apply_migrations (conn, path, version, error);

  return store_exec_script (conn, "PRAGMA foreign_keys = ON", ok ? error : NULL) && ok;
}
