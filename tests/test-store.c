/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-store.c: tests of CalsyncStore, the SQLite database of accounts, calendars and events. */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <time.h>

#include "calsync-calendar-private.h"
#include "calsync-event-private.h"
#include "calsync-store.h"
#include "calsync-test-utils.h"
#include "test-store-fixture.h"


/* Opening and migrations -------------------------------------------------- */

static void
test_migrate_fresh (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncStore) store = calsync_store_open (f->path, &error);
  g_autoptr(CalsyncStore) reopened = NULL;
  g_autoptr(CalsyncCalendar) personal = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  gint64 personal_id;

  g_assert_no_error (error);
  g_assert_cmpstr (calsync_store_get_path (store), ==, f->path);

  personal_id = calsync_store_get_personal_calendar_id (store);
  personal = calsync_store_get_calendar (store, personal_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (calsync_calendar_get_name (personal), ==, "Personal");
  g_assert_cmpstr (calsync_calendar_get_color (personal), ==, "#3584e4");
  g_assert_cmpstr (calsync_calendar_get_provider (personal), ==, "local");
  g_assert_true (calsync_calendar_get_is_active (personal));
  g_assert_true (calsync_calendar_get_is_primary (personal));
  g_assert_cmpuint (calsync_store_count_connected_calendars (store), ==, 0);

  accounts = calsync_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_clear_object (&store);

  g_assert_cmpint (raw_int_at (f->path, "PRAGMA user_version"), ==, CALSYNC_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int_at (f->path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                        "('idx_calendar_events_external_lookup', 'idx_events_range', "
                                        "'idx_calendars_account_id')"), ==, 3);
  g_assert_cmpint (raw_int_at (f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), ==, 1);

  /* Opening again creates nothing twice */
  reopened = calsync_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (calsync_store_get_personal_calendar_id (reopened), ==, personal_id);
  g_clear_object (&reopened);
  g_assert_cmpint (raw_int_at (f->path, "SELECT COUNT(*) FROM accounts"), ==, 1);
  g_assert_cmpint (raw_int_at (f->path, "SELECT COUNT(*) FROM calendars"), ==, 1);
}

/* The version 1 schema, written out here by hand as the first release created it. */
static const char v1_schema[] =
  "CREATE TABLE accounts (id INTEGER PRIMARY KEY, provider TEXT NOT NULL, email TEXT,"
  "  server_url TEXT, created_at INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE calendars (id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  remote_id TEXT, name TEXT NOT NULL DEFAULT '', color TEXT NOT NULL DEFAULT '#3584e4',"
  "  is_active INTEGER NOT NULL DEFAULT 1, last_sync_at INTEGER NOT NULL DEFAULT 0, sync_token TEXT);"
  "CREATE TABLE events (id INTEGER PRIMARY KEY,"
  "  calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,"
  "  external_event_id TEXT NOT NULL, etag TEXT, title TEXT, description TEXT, location TEXT,"
  "  start_utc INTEGER NOT NULL, end_utc INTEGER NOT NULL, time_zone TEXT,"
  "  all_day INTEGER NOT NULL DEFAULT 0, start_date TEXT, end_date TEXT,"
  "  status TEXT NOT NULL DEFAULT 'confirmed', recurrence TEXT,"
  "  remote_updated INTEGER NOT NULL DEFAULT 0);"
  "CREATE UNIQUE INDEX idx_calendar_events_external_lookup ON events (calendar_id, external_event_id);"
  "INSERT INTO accounts (id, provider, email, created_at) VALUES (1, 'google', 'alex@example.com', 7);"
  "INSERT INTO calendars (id, account_id, remote_id, name, color, is_active, last_sync_at, sync_token)"
  "  VALUES (1, 1, 'alex@example.com', 'Work', '#33d17a', 1, 1000, 'tok-1');"
  "PRAGMA user_version = 1;";

static void
raw_insert_v1_event (sqlite3      *db,
                     CalsyncEvent *event)
{
  sqlite3_stmt *stmt = NULL;
  const char *sql =
    "INSERT INTO events (calendar_id, external_event_id, etag, title, start_utc, end_utc,"
    " time_zone, all_day, start_date, end_date, remote_updated)"
    " VALUES (1, ?1, '\"e1\"', ?2, ?3, ?4, ?5, ?6, ?7, ?8, 5)";

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, calsync_event_get_external_id (event), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, calsync_event_get_title (event), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, calsync_event_get_start (event));
  sqlite3_bind_int64 (stmt, 4, calsync_event_get_end (event));
  sqlite3_bind_text (stmt, 5, calsync_event_get_time_zone (event), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 6, calsync_event_get_all_day (event));
  sqlite3_bind_text (stmt, 7, calsync_event_get_start_date (event), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, calsync_event_get_end_date (event), -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static void
test_migrate_from_v1 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CalsyncEvent) timed = make_timed ("ev-1", "Planning", local_time (2026, 11, 10, 10, 0), 60);
  g_autoptr(CalsyncEvent) all_day = calsync_test_all_day_event ("ev-2", "Holiday", "2026-11-10", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncCalendar) work = NULL;
  g_autoptr(CalsyncEvent) loaded = NULL;
  g_autofree char *titles = NULL;
  sqlite3 *db = raw_open (f->path);

  raw_exec (db, v1_schema);
  raw_insert_v1_event (db, timed);
  raw_insert_v1_event (db, all_day);
  sqlite3_close (db);

  store = calsync_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int_at (f->path, "PRAGMA user_version"), ==, CALSYNC_STORE_SCHEMA_VERSION);

  work = calsync_store_get_calendar (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (calsync_calendar_get_name (work), ==, "Work");
  g_assert_cmpstr (calsync_calendar_get_sync_token (work), ==, "tok-1");
  g_assert_cmpint (calsync_calendar_get_last_sync_at (work), ==, 1000);
  g_assert_cmpstr (calsync_calendar_get_account_email (work), ==, "alex@example.com");
  g_assert_false (calsync_calendar_get_is_primary (work));

  loaded = calsync_store_lookup_event (store, 1, "ev-1", &error);
  g_assert_no_error (error);
  g_assert_true (calsync_event_equal_content (loaded, timed));
  g_assert_false (calsync_event_get_locally_modified (loaded));
  g_assert_cmpint (calsync_event_get_remote_updated (loaded), ==, 5);
  g_assert_cmpint (calsync_event_get_event_type (loaded), ==, CALSYNC_EVENT_TYPE_EVENT);

  titles = query_titles (store, local_time (2026, 11, 10, 0, 0), local_time (2026, 11, 11, 0, 0));
  g_assert_cmpstr (titles, ==, "Holiday,Planning");

  /* The Personal calendar is added next to the old account */
  g_assert_cmpint (calsync_store_get_personal_calendar_id (store), >, 1);
  g_assert_cmpuint (calsync_store_count_connected_calendars (store), ==, 1);

  /* Version 2 columns work on migrated rows */
  calsync_event_set_conference_url (timed, "https://meet.google.com/abc-defg-hij");
  g_assert_cmpint (apply_event (store, 1, timed), ==, CALSYNC_APPLY_UPDATED);
  g_clear_object (&loaded);
  loaded = calsync_store_lookup_event (store, 1, "ev-1", &error);
  g_assert_cmpstr (calsync_event_get_conference_url (loaded), ==, "https://meet.google.com/abc-defg-hij");
}

static void
test_migrate_too_new (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  sqlite3 *db = raw_open (f->path);

  raw_exec (db, "CREATE TABLE future (x); PRAGMA user_version = 99;");
  sqlite3_close (db);

  store = calsync_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_SCHEMA_TOO_NEW);

  /* Left alone */
  g_assert_cmpint (raw_int_at (f->path, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (raw_int_at (f->path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'accounts'"), ==, 0);
}

static void
test_open_failure (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->dir, "not-a-dir", NULL);
  g_autofree char *path = g_build_filename (file, "calsync.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncStore) store = NULL;

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  store = calsync_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_OPEN);
}

static void
test_default_path (void)
{
  g_autofree char *path = calsync_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "calsync", "calsync.db", NULL);

  g_assert_cmpstr (path, ==, expected);
}

/* Remote batches ---------------------------------------------------------- */

static GPtrArray *
bulk_events (const char *prefix,
             guint       count)
{
  GPtrArray *events = event_list ();
  gint64 base = local_time (2026, 1, 5, 8, 0);

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%05u", prefix, i);
      g_autofree char *title = g_strdup_printf ("Meeting %u", i);

      g_ptr_array_add (events, make_timed (id, title, base + (gint64) i * 2700, 30 + i % 60));
    }

  return events;
}

static void
assert_all_outcomes (GArray              *outcomes,
                     CalsyncApplyOutcome  expected)
{
  for (guint i = 0; i < outcomes->len; i++)
    g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, i), ==, expected);
}

static void
install_failure_trigger (const char *path,
                         const char *external_id)
{
  g_autofree char *sql = g_strdup_printf ("CREATE TRIGGER fail_on_insert BEFORE INSERT ON events "
                                          "WHEN NEW.external_event_id = '%s' "
                                          "BEGIN SELECT RAISE (ABORT, 'forced failure'); END;",
                                          external_id);
  sqlite3 *db = raw_open (path);

  raw_exec (db, sql);
  sqlite3_close (db);
}

static void
test_batch_10000 (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) events = bulk_events ("bulk", 10000);
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome));
  CalsyncApplyStats stats;

  apply_ok (f->store, f->work_id, events, outcomes, &stats);
  g_assert_cmpuint (stats.inserted, ==, 10000);
  g_assert_cmpuint (stats.total, ==, 10000);
  g_assert_cmpuint (stats.updated + stats.skipped + stats.deleted, ==, 0);
  g_assert_cmpuint (outcomes->len, ==, 10000);
  assert_all_outcomes (outcomes, CALSYNC_APPLY_INSERTED);
  g_assert_cmpint (calsync_store_count_events (f->store, f->work_id, NULL), ==, 10000);

  /* The same page again changes nothing */
  g_array_set_size (outcomes, 0);
  apply_ok (f->store, f->work_id, events, outcomes, &stats);
  g_assert_cmpuint (stats.skipped, ==, 10000);
  g_assert_cmpuint (stats.inserted + stats.updated + stats.deleted, ==, 0);
  assert_all_outcomes (outcomes, CALSYNC_APPLY_UNCHANGED);
}

/* A failure on the last of 10,000 events undoes the 9,999 before it:
 * the whole batch is one transaction. */
static void
test_batch_rollback (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) first = bulk_events ("bulk", 10000);
  g_autoptr(GPtrArray) second = bulk_events ("fresh", 9998);
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome));
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncEvent) check = NULL;
  CalsyncEvent *changed = calsync_event_copy (g_ptr_array_index (first, 0));
  CalsyncEvent *cancelled = calsync_event_copy (g_ptr_array_index (first, 1));
  CalsyncApplyStats stats;
  sqlite3 *db;

  apply_ok (f->store, f->work_id, first, NULL, NULL);
  drain_main_context ();

  calsync_event_set_title (changed, "Renamed");
  calsync_event_set_status (cancelled, CALSYNC_EVENT_STATUS_CANCELLED);
  g_ptr_array_insert (second, 0, changed);
  g_ptr_array_insert (second, 1, cancelled);
  g_ptr_array_add (second, make_timed ("boom", "Last", local_time (2027, 1, 1, 9, 0), 30));
  g_assert_cmpuint (second->len, ==, 10001);

  install_failure_trigger (f->path, "boom");
  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), f);

  g_assert_false (calsync_store_apply_remote_events (f->store, f->work_id, second, outcomes,
                                                     &stats, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_CONSTRAINT);
  g_assert_cmpuint (outcomes->len, ==, 0);
  g_assert_cmpuint (stats.total, ==, 0);

  /* Nothing of it is stored */
  g_assert_cmpint (calsync_store_count_events (f->store, 0, NULL), ==, 10000);
  check = calsync_store_lookup_event (f->store, f->work_id, "bulk-00000", NULL);
  g_assert_cmpstr (calsync_event_get_title (check), ==, "Meeting 0");
  g_clear_object (&check);
  check = calsync_store_lookup_event (f->store, f->work_id, "bulk-00001", NULL);
  g_assert_nonnull (check);
  g_clear_object (&check);
  check = calsync_store_lookup_event (f->store, f->work_id, "fresh-00000", NULL);
  g_assert_null (check);
  drain_main_context ();
  g_assert_cmpuint (f->changed, ==, 0);

  /* Without the failure it all goes in */
  db = raw_open (f->path);
  raw_exec (db, "DROP TRIGGER fail_on_insert");
  sqlite3_close (db);
  g_clear_error (&error);
  apply_ok (f->store, f->work_id, second, outcomes, &stats);
  g_assert_cmpuint (stats.inserted, ==, 9999);
  g_assert_cmpuint (stats.updated, ==, 1);
  g_assert_cmpuint (stats.deleted, ==, 1);
  g_assert_cmpuint (stats.total, ==, 10001);
  g_assert_cmpint (calsync_store_count_events (f->store, 0, NULL), ==, 10000 + 9999 - 1);
}

static void
test_cancelled_unchanged (Fixture       *f,
                          gconstpointer  data)
{
  gint64 start = local_time (2026, 11, 10, 9, 0);
  g_autoptr(CalsyncEvent) a = make_timed ("A", "Alpha", start, 30);
  g_autoptr(CalsyncEvent) b = make_timed ("B", "Beta", start, 30);
  g_autoptr(GPtrArray) batch = event_list ();
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome));
  g_autoptr(CalsyncEvent) stored = NULL;
  CalsyncEvent *e;
  CalsyncApplyStats stats;

  g_assert_cmpint (apply_event (f->store, f->work_id, a), ==, CALSYNC_APPLY_INSERTED);
  g_assert_cmpint (apply_event (f->store, f->work_id, b), ==, CALSYNC_APPLY_INSERTED);

  e = calsync_event_copy (a);
  calsync_event_set_status (e, CALSYNC_EVENT_STATUS_CANCELLED);
  g_ptr_array_add (batch, e);
  e = make_timed ("C", "Never stored", start, 30);
  calsync_event_set_status (e, CALSYNC_EVENT_STATUS_CANCELLED);
  g_ptr_array_add (batch, e);
  e = calsync_event_copy (b);
  calsync_event_set_etag (e, "\"etag-2\"");
  g_ptr_array_add (batch, e);
  g_ptr_array_add (batch, make_timed ("D", "Delta", start, 30));

  apply_ok (f->store, f->work_id, batch, outcomes, &stats);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 0), ==, CALSYNC_APPLY_DELETED);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 1), ==, CALSYNC_APPLY_IGNORED);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 2), ==, CALSYNC_APPLY_UNCHANGED);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 3), ==, CALSYNC_APPLY_INSERTED);
  g_assert_cmpuint (stats.inserted, ==, 1);
  g_assert_cmpuint (stats.deleted, ==, 1);
  g_assert_cmpuint (stats.skipped, ==, 2);
  g_assert_cmpuint (stats.updated, ==, 0);
  g_assert_cmpuint (stats.total, ==, 4);

  g_assert_null (calsync_store_lookup_event (f->store, f->work_id, "A", NULL));
  g_assert_null (calsync_store_lookup_event (f->store, f->work_id, "C", NULL));
  stored = calsync_store_lookup_event (f->store, f->work_id, "B", NULL);
  g_assert_cmpstr (calsync_event_get_etag (stored), ==, "\"etag-2\"");
}

static void
test_unique_constraint (Fixture       *f,
                        gconstpointer  data)
{
  gint64 start = local_time (2026, 11, 10, 9, 0);
  g_autoptr(CalsyncEvent) first = make_timed ("dup", "First", start, 30);
  g_autoptr(CalsyncEvent) clash = make_timed ("dup", "Clash", start, 30);
  g_autoptr(CalsyncEvent) other = make_timed ("dup", "Other calendar", start, 30);
  g_autoptr(GPtrArray) twice = event_list ();
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome));
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db;

  g_assert_cmpint (apply_event (f->store, f->work_id, first), ==, CALSYNC_APPLY_INSERTED);

  /* At the SQL level */
  db = raw_open (f->path);
  sql = g_strdup_printf ("INSERT INTO events (calendar_id, external_event_id, start_utc, end_utc) "
                         "VALUES (%" G_GINT64_FORMAT ", 'dup', 0, 0)", f->work_id);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_extended_errcode (db), ==, SQLITE_CONSTRAINT_UNIQUE);
  sqlite3_close (db);

  /* Through the store */
  calsync_event_set_calendar_id (clash, f->work_id);
  g_assert_cmpint (calsync_store_create_local_event (f->store, clash, &error), ==, 0);
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_CONSTRAINT);
  g_assert_cmpint (calsync_event_get_id (clash), ==, 0);

  /* The same id in another calendar is another event */
  g_assert_cmpint (apply_event (f->store, f->team_id, other), ==, CALSYNC_APPLY_INSERTED);

  /* Twice in one batch: the second copy updates the first */
  g_ptr_array_add (twice, make_timed ("twice", "One", start, 30));
  g_ptr_array_add (twice, make_timed ("twice", "Two", start, 30));
  apply_ok (f->store, f->work_id, twice, outcomes, NULL);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 0), ==, CALSYNC_APPLY_INSERTED);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 1), ==, CALSYNC_APPLY_UPDATED);
  g_assert_cmpint (calsync_store_count_events (f->store, f->work_id, NULL), ==, 2);
  g_assert_cmpint (calsync_store_count_events (f->store, 0, NULL), ==, 3);
}

static void
test_missing_external_id (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = event_list ();
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome));
  g_autofree char *long_id = g_strnfill (CALSYNC_EVENT_MAX_ID + 1, 'x');
  CalsyncApplyStats stats;

  g_ptr_array_add (batch, make_timed ("ok", "Fine", 0, 30));
  g_ptr_array_add (batch, make_timed (NULL, "No id", 0, 30));
  g_ptr_array_add (batch, make_timed (long_id, "Id too long", 0, 30));

  /* An unreadable event is skipped; the rest of the batch is stored */
  apply_ok (f->store, f->work_id, batch, outcomes, &stats);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 0), ==, CALSYNC_APPLY_INSERTED);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 1), ==, CALSYNC_APPLY_INVALID);
  g_assert_cmpint (g_array_index (outcomes, CalsyncApplyOutcome, 2), ==, CALSYNC_APPLY_INVALID);
  g_assert_cmpuint (stats.inserted, ==, 1);
  g_assert_cmpuint (stats.skipped, ==, 2);
  g_assert_cmpuint (stats.total, ==, 3);
  g_assert_cmpint (calsync_store_count_events (f->store, 0, NULL), ==, 1);
}

/* Local edits ------------------------------------------------------------- */

static void
test_local_edit_kept (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CalsyncEvent) remote = make_timed ("meet", "Planning", local_time (2026, 11, 10, 9, 0), 60);
  g_autoptr(CalsyncEvent) edited = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time ();
  gint64 edited_at;

  calsync_event_set_remote_updated (remote, before - G_TIME_SPAN_HOUR);
  g_assert_cmpint (apply_event (f->store, f->work_id, remote), ==, CALSYNC_APPLY_INSERTED);

  edited = calsync_store_lookup_event (f->store, f->work_id, "meet", &error);
  g_assert_false (calsync_event_get_locally_modified (edited));
  calsync_event_set_title (edited, "Planning (moved)");
  calsync_event_set_times (edited, local_time (2026, 11, 10, 11, 0), local_time (2026, 11, 10, 12, 0),
                           "Europe/Berlin");
  g_assert_true (calsync_store_edit_local_event (f->store, edited, &error));
  g_assert_no_error (error);
  g_assert_true (calsync_event_get_locally_modified (edited));
  edited_at = calsync_event_get_local_updated (edited);
  g_assert_cmpint (edited_at, >=, before);

  stored = calsync_store_lookup_event (f->store, f->work_id, "meet", &error);
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Planning (moved)");
  g_assert_true (calsync_event_get_locally_modified (stored));
  g_assert_cmpint (calsync_event_get_local_updated (stored), ==, edited_at);
  g_clear_object (&stored);

  /* An older remote copy does not overwrite the local edit */
  calsync_event_set_title (remote, "Planning v2");
  calsync_event_set_remote_updated (remote, edited_at - 60 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (apply_event (f->store, f->work_id, remote), ==, CALSYNC_APPLY_KEPT_LOCAL);
  stored = calsync_store_lookup_event (f->store, f->work_id, "meet", &error);
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Planning (moved)");
  g_assert_true (calsync_event_get_locally_modified (stored));
  g_clear_object (&stored);

  /* A newer one does, and clears the mark */
  calsync_event_set_remote_updated (remote, edited_at + G_TIME_SPAN_SECOND);
  g_assert_cmpint (apply_event (f->store, f->work_id, remote), ==, CALSYNC_APPLY_UPDATED);
  stored = calsync_store_lookup_event (f->store, f->work_id, "meet", &error);
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Planning v2");
  g_assert_false (calsync_event_get_locally_modified (stored));
  g_assert_cmpint (calsync_event_get_start (stored), ==, local_time (2026, 11, 10, 9, 0));
}

static void
test_local_create_delete (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = calsync_test_all_day_event (NULL, "Dentist", "2026-11-12", NULL);
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *titles = NULL;
  gint64 id;

  id = calsync_store_create_local_event (f->store, event, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (calsync_event_get_id (event), ==, id);
  g_assert_cmpint (calsync_event_get_calendar_id (event), ==,
                   calsync_store_get_personal_calendar_id (f->store));
  g_assert_true (g_uuid_string_is_valid (calsync_event_get_external_id (event)));
  g_assert_true (calsync_event_get_locally_modified (event));
  g_assert_cmpint (calsync_event_get_local_updated (event), >, 0);

  stored = calsync_store_get_event (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_true (calsync_event_equal_content (stored, event));
  g_assert_cmpstr (calsync_event_get_calendar_name (stored), ==, "Personal");
  g_assert_true (calsync_event_get_locally_modified (stored));

  titles = query_titles (f->store, local_time (2026, 11, 12, 0, 0), local_time (2026, 11, 13, 0, 0));
  g_assert_cmpstr (titles, ==, "Dentist");

  g_assert_true (calsync_store_delete_local_event (f->store, id, &error));
  g_assert_no_error (error);
  g_clear_object (&stored);
  stored = calsync_store_get_event (f->store, id, &error);
  g_assert_null (stored);
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (calsync_store_delete_local_event (f->store, id, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  calsync_event_set_id (event, id);
  g_assert_false (calsync_store_edit_local_event (f->store, event, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
}

/* Range queries ----------------------------------------------------------- */

static void
test_range_month_boundaries (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *october = NULL;
  g_autofree char *november = NULL;
  CalsyncEvent *deadline = make_timed ("deadline", "Deadline", local_time (2026, 11, 1, 0, 0), 0);

  calsync_event_set_event_type (deadline, CALSYNC_EVENT_TYPE_DEADLINE);
  apply_new (f->store, f->work_id, make_timed ("1", "Sep 30 late", local_time (2026, 9, 30, 23, 0), 60));
  apply_new (f->store, f->work_id, make_timed ("2", "Oct 1 early", local_time (2026, 10, 1, 0, 0), 60));
  apply_new (f->store, f->work_id, make_timed ("3", "Ends at midnight", local_time (2026, 10, 31, 23, 0), 60));
  apply_new (f->store, f->work_id, make_timed ("4", "Late start", local_time (2026, 10, 31, 23, 30), 29));
  apply_new (f->store, f->work_id, make_timed ("5", "Across midnight", local_time (2026, 10, 31, 23, 45), 30));
  apply_new (f->store, f->work_id, make_timed ("6", "Starts at midnight", local_time (2026, 11, 1, 0, 0), 30));
  apply_new (f->store, f->work_id, deadline);
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("7", "Halloween", "2026-10-31", NULL));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("8", "All Saints", "2026-11-01", NULL));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("9", "Weekend trip", "2026-10-31", "2026-11-02"));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("10", "Sep 30", "2026-09-30", NULL));

  october = query_titles (f->store, local_time (2026, 10, 1, 0, 0), local_time (2026, 11, 1, 0, 0));
  november = query_titles (f->store, local_time (2026, 11, 1, 0, 0), local_time (2026, 12, 1, 0, 0));

  g_assert_cmpstr (october, ==,
                   "Weekend trip,Halloween,Oct 1 early,Ends at midnight,Late start,Across midnight");
  g_assert_cmpstr (november, ==,
                   "Weekend trip,All Saints,Across midnight,Deadline,Starts at midnight");
}

/* Daily 09:00 events from the Sunday before the week to the Monday after. */
static void
add_week_events (Fixture *f,
                 int      month,
                 int      first_day)
{
  for (int day = first_day - 1; day <= first_day + 7; day++)
    {
      g_autofree char *id = g_strdup_printf ("daily-%d", day);
      g_autofree char *title = g_strdup_printf ("D%d", day);

      apply_new (f->store, f->work_id, make_timed (id, title, local_time (2026, month, day, 9, 0), 30));
    }
}

static void
assert_week_results (Fixture    *f,
                     gint64      from,
                     gint64      to,
                     const char *expected)
{
  g_autoptr(GPtrArray) events = calsync_store_query_range (f->store, from, to, NULL);
  g_autofree char *titles = join_titles (events);

  g_assert_cmpstr (titles, ==, expected);

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);

      if (g_str_has_prefix (calsync_event_get_title (event), "D"))
        g_assert_cmpint (g_date_time_get_hour (start), ==, 9);
    }
}

static void
test_range_dst_autumn (Fixture       *f,
                       gconstpointer  data)
{
  gint64 from = local_time (2026, 10, 19, 0, 0);
  gint64 to = local_time (2026, 10, 26, 0, 0);
  gint64 night_start = local_time (2026, 10, 25, 1, 30);
  gint64 night_end = local_time (2026, 10, 25, 3, 30);

  /* Europe/Berlin: clocks go back on Sunday 25 October 2026, the week is an hour longer */
  g_assert_cmpint (to - from, ==, 7 * 86400 + 3600);
  g_assert_cmpint (night_end - night_start, ==, 3 * 3600);

  add_week_events (f, 10, 19);
  apply_new (f->store, f->work_id, make_timed ("night", "Night", night_start, 180));
  apply_new (f->store, f->work_id, make_timed ("late", "Sunday late", local_time (2026, 10, 25, 23, 30), 29));
  apply_new (f->store, f->work_id, make_timed ("monday", "Monday", to, 30));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("change", "Clocks change", "2026-10-25", NULL));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("off", "Monday off", "2026-10-26", NULL));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("before", "Sunday before", "2026-10-18", NULL));

  assert_week_results (f, from, to, "Clocks change,D19,D20,D21,D22,D23,D24,Night,D25,Sunday late");
}

static void
test_range_dst_spring (Fixture       *f,
                       gconstpointer  data)
{
  gint64 from = local_time (2026, 3, 23, 0, 0);
  gint64 to = local_time (2026, 3, 30, 0, 0);
  gint64 night_start = local_time (2026, 3, 29, 1, 30);
  gint64 night_end = local_time (2026, 3, 29, 3, 30);

  /* Europe/Berlin: clocks go forward on Sunday 29 March 2026, the week is an hour shorter */
  g_assert_cmpint (to - from, ==, 7 * 86400 - 3600);
  g_assert_cmpint (night_end - night_start, ==, 3600);

  add_week_events (f, 3, 23);
  apply_new (f->store, f->work_id, make_timed ("night", "Night", night_start, 60));
  apply_new (f->store, f->work_id, make_timed ("late", "Sunday late", local_time (2026, 3, 29, 23, 30), 29));
  apply_new (f->store, f->work_id, make_timed ("monday", "Monday", to, 30));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("change", "Clocks change", "2026-03-29", NULL));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("off", "Monday off", "2026-03-30", NULL));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("before", "Sunday before", "2026-03-22", NULL));

  assert_week_results (f, from, to, "Clocks change,D23,D24,D25,D26,D27,D28,Night,D29,Sunday late");
}

typedef struct
{
  const char *zone;
  const char *nov_10;   /* titles found on 10 November in that zone */
  const char *nov_11;
} ZoneCase;

static void
test_range_all_day_zones (Fixture       *f,
                          gconstpointer  data)
{
  static const ZoneCase cases[] = {
    { "Europe/Berlin", "Holiday,Call", "" },
    { "Pacific/Auckland", "Holiday", "Call" },
    { "America/Los_Angeles", "Holiday,Call", "" },
    { "Pacific/Kiritimati", "Holiday", "Call" },   /* UTC+14 */
    { "Etc/GMT+12", "Holiday,Call", "" },           /* UTC-12 */
    { "UTC", "Holiday,Call", "" },
  };
  g_autoptr(CalsyncEvent) call = make_timed ("call", "Call", 1794268800 + 12 * 3600, 30); /* 12:00Z */

  calsync_event_set_times (call, calsync_event_get_start (call), calsync_event_get_end (call), "UTC");
  apply_new (f->store, f->work_id, g_object_ref (call));
  apply_new (f->store, f->work_id, calsync_test_all_day_event ("holiday", "Holiday", "2026-11-10", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (cases[i].zone);
      g_autofree char *nov_9 = NULL;
      g_autofree char *nov_10 = NULL;
      g_autofree char *nov_11 = NULL;

      g_assert_nonnull (zone);
      nov_9 = query_titles_in_zone (f->store, zone, 2026, 11, 9);
      nov_10 = query_titles_in_zone (f->store, zone, 2026, 11, 10);
      nov_11 = query_titles_in_zone (f->store, zone, 2026, 11, 11);

      g_test_message ("%s: 9th [%s], 10th [%s], 11th [%s]", cases[i].zone, nov_9, nov_10, nov_11);
      g_assert_cmpstr (nov_9, ==, "");
      g_assert_cmpstr (nov_10, ==, cases[i].nov_10);
      g_assert_cmpstr (nov_11, ==, cases[i].nov_11);
    }
}

static void
test_range_long_events (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *middle = NULL;
  g_autofree char *after = NULL;
  g_autofree char *before = NULL;

  apply_new (f->store, f->work_id, calsync_test_all_day_event ("leave", "Parental leave", "2026-11-02", "2026-12-02"));
  apply_new (f->store, f->work_id, make_timed ("trip", "Expedition", local_time (2026, 11, 5, 8, 0),
                                               12 * 24 * 60));
  apply_new (f->store, f->work_id, make_timed ("short", "Short", local_time (2026, 11, 17, 8, 0), 60));

  middle = query_titles (f->store, local_time (2026, 11, 16, 0, 0), local_time (2026, 11, 23, 0, 0));
  after = query_titles (f->store, local_time (2026, 12, 7, 0, 0), local_time (2026, 12, 14, 0, 0));
  before = query_titles (f->store, local_time (2026, 10, 1, 0, 0), local_time (2026, 11, 1, 0, 0));

  g_assert_cmpstr (middle, ==, "Parental leave,Expedition,Short");
  g_assert_cmpstr (after, ==, "");
  g_assert_cmpstr (before, ==, "");
}

static void
test_range_inactive_calendar (Fixture       *f,
                              gconstpointer  data)
{
  gint64 from = local_time (2026, 11, 10, 0, 0);
  gint64 to = local_time (2026, 11, 11, 0, 0);
  g_autoptr(CalsyncEvent) local = make_timed (NULL, "Gym", local_time (2026, 11, 10, 18, 0), 60);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *with_team = NULL;
  g_autofree char *without_team = NULL;
  CalsyncEvent *cancelled = make_timed ("x", "Cancelled", local_time (2026, 11, 10, 8, 0), 60);

  apply_new (f->store, f->work_id, make_timed ("w", "Work item", local_time (2026, 11, 10, 9, 0), 60));
  apply_new (f->store, f->team_id, make_timed ("t", "Team item", local_time (2026, 11, 10, 10, 0), 60));
  g_assert_cmpint (calsync_store_create_local_event (f->store, local, NULL), >, 0);
  /* A cancelled row (created locally) is never shown */
  calsync_event_set_status (cancelled, CALSYNC_EVENT_STATUS_CANCELLED);
  g_assert_cmpint (calsync_store_create_local_event (f->store, cancelled, NULL), >, 0);
  g_object_unref (cancelled);

  events = calsync_store_query_range (f->store, from, to, NULL);
  with_team = join_titles (events);
  g_assert_cmpstr (with_team, ==, "Work item,Team item,Gym");
  g_assert_cmpstr (calsync_event_get_calendar_name (g_ptr_array_index (events, 1)), ==, "Team");
  g_assert_cmpstr (calsync_event_get_calendar_color (g_ptr_array_index (events, 1)), ==, "#33d17a");
  g_assert_cmpstr (calsync_event_get_calendar_name (g_ptr_array_index (events, 2)), ==, "Personal");

  g_assert_true (calsync_store_set_calendar_active (f->store, f->team_id, FALSE, NULL));
  without_team = query_titles (f->store, from, to);
  g_assert_cmpstr (without_team, ==, "Work item,Gym");

  g_assert_true (calsync_store_set_calendar_active (f->store, f->team_id, TRUE, NULL));
  g_clear_pointer (&without_team, g_free);
  without_team = query_titles (f->store, from, to);
  g_assert_cmpstr (without_team, ==, "Work item,Team item,Gym");
}

/* The store sorts with cached collation keys; the order must be calsync_event_compare()'s. */
static void
test_range_order (Fixture       *f,
                  gconstpointer  data)
{
  static const char * const titles[] = {
    "Standup", "standup", "Émile’s farewell", "E\xcc\x81mile’s farewell" /* decomposed É */,
    "Emile", "apple", "Apple", "Zebra", "zèbre", "1:1 with Sam", "", NULL, "Ärger",
    "Design review", "design review ",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GPtrArray) batch = event_list ();
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) resorted = g_ptr_array_new ();
  gint64 from = local_time (2026, 11, 9, 0, 0);

  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *id = g_strdup_printf ("order-%u", i);
      const char *title = titles[g_rand_int_range (rand, 0, G_N_ELEMENTS (titles))];
      int day = g_rand_int_range (rand, 0, 7);

      if (i % 10 == 0)
        {
          g_autofree char *start = g_strdup_printf ("2026-11-%02d", 9 + day);
          g_autofree char *end = g_strdup_printf ("2026-11-%02d", 10 + day + g_rand_int_range (rand, 0, 3));

          g_ptr_array_add (batch, calsync_test_all_day_event (id, title, start, end));
        }
      else
        g_ptr_array_add (batch, make_timed (id, title, from + day * 86400 + g_rand_int_range (rand, 8, 12) * 3600,
                                            g_rand_int_range (rand, 0, 90)));
    }
  apply_ok (f->store, f->work_id, batch, NULL, NULL);

  events = calsync_store_query_range (f->store, from, from + 7 * 86400, NULL);
  g_assert_cmpuint (events->len, ==, 3000);
  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (resorted, g_ptr_array_index (events, i));
  g_ptr_array_sort (resorted, calsync_event_compare);   /* stable: keeps a right order */

  for (guint i = 0; i < events->len; i++)
    g_assert_true (g_ptr_array_index (resorted, i) == g_ptr_array_index (events, i));
}

static void
test_range_empty (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;

  apply_new (f->store, f->work_id, make_timed ("w", "Work item", 1000, 60));
  events = calsync_store_query_range (f->store, 2000, 2000, NULL);
  g_assert_cmpuint (events->len, ==, 0);
}

/* Accounts and calendars -------------------------------------------------- */

static void
test_remove_account (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CalsyncEvent) local = make_timed (NULL, "Gym", local_time (2026, 11, 10, 18, 0), 60);
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncAccount) gone = NULL;
  g_autoptr(GPtrArray) accounts = NULL;

  apply_new (f->store, f->work_id, make_timed ("w", "Work item", local_time (2026, 11, 10, 9, 0), 60));
  apply_new (f->store, f->team_id, make_timed ("t", "Team item", local_time (2026, 11, 10, 10, 0), 60));
  g_assert_cmpint (calsync_store_create_local_event (f->store, local, NULL), >, 0);
  g_assert_cmpuint (calsync_store_count_connected_calendars (f->store), ==, 2);

  g_assert_true (calsync_store_remove_account (f->store, f->account_id, &error));
  g_assert_no_error (error);

  calendars = calsync_store_list_calendars (f->store, f->account_id, &error);
  g_assert_cmpuint (calendars->len, ==, 0);
  g_assert_cmpint (calsync_store_count_events (f->store, f->work_id, NULL), ==, 0);
  g_assert_cmpint (calsync_store_count_events (f->store, f->team_id, NULL), ==, 0);
  g_assert_cmpint (calsync_store_count_events (f->store, 0, NULL), ==, 1);
  g_assert_cmpuint (calsync_store_count_connected_calendars (f->store), ==, 0);
  g_assert_cmpint (raw_int_at (f->path, "SELECT COUNT(*) FROM events WHERE calendar_id NOT IN "
                                        "(SELECT id FROM calendars)"), ==, 0);

  gone = calsync_store_get_account (f->store, f->account_id, &error);
  g_assert_null (gone);
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (calsync_store_remove_account (f->store, f->account_id, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The local account stays */
  accounts = calsync_store_list_accounts (f->store, NULL);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_false (calsync_store_remove_account (f->store,
                                                calsync_account_get_id (g_ptr_array_index (accounts, 0)),
                                                &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_CONSTRAINT);
}

static void
test_calendars (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(CalsyncCalendar) team = NULL;
  g_autoptr(CalsyncCalendar) synced = NULL;
  g_autoptr(GError) error = NULL;

  all = calsync_store_list_calendars (f->store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (calsync_calendar_get_name (g_ptr_array_index (all, 0)), ==, "Personal");
  g_assert_cmpstr (calsync_calendar_get_provider (g_ptr_array_index (all, 1)), ==, "google");

  team = calsync_store_lookup_calendar (f->store, f->account_id, "team@group.calendar.google.com", &error);
  g_assert_no_error (error);
  g_assert_cmpint (calsync_calendar_get_id (team), ==, f->team_id);
  g_assert_null (calsync_store_lookup_calendar (f->store, f->account_id, "nope", &error));
  g_assert_no_error (error);

  calsync_calendar_set_name (team, "Team (renamed)");
  calsync_calendar_set_color (team, "#9141ac");
  g_assert_true (calsync_store_update_calendar (f->store, team, &error));

  g_assert_true (calsync_store_finish_calendar_sync (f->store, f->team_id, "CPDAlvWDx70CEPDAlvWDx70CGAU=",
                                                      1234567, &error));
  synced = calsync_store_get_calendar (f->store, f->team_id, &error);
  g_assert_cmpstr (calsync_calendar_get_name (synced), ==, "Team (renamed)");
  g_assert_cmpstr (calsync_calendar_get_color (synced), ==, "#9141ac");
  g_assert_cmpstr (calsync_calendar_get_sync_token (synced), ==, "CPDAlvWDx70CEPDAlvWDx70CGAU=");
  g_assert_cmpint (calsync_calendar_get_last_sync_at (synced), ==, 1234567);

  g_assert_false (calsync_store_finish_calendar_sync (f->store, 9999, "x", 1, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (calsync_store_set_calendar_active (f->store, 9999, FALSE, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
}

static void
test_no_credential_columns (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GString) found = g_string_new (NULL);
  sqlite3 *db = raw_open (f->path);
  sqlite3_stmt *stmt = NULL;
  const char *sql =
    "SELECT m.name || '.' || p.name FROM sqlite_master AS m, pragma_table_info (m.name) AS p "
    "WHERE m.type = 'table' AND (p.name LIKE '%token%' OR p.name LIKE '%secret%' "
    "OR p.name LIKE '%password%') ORDER BY 1";

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (found, "%s ", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* A sync cursor, not a credential */
  g_assert_cmpstr (found->str, ==, "calendars.sync_token ");
}

/* Persistence ------------------------------------------------------------- */

static CalsyncEvent *
rich_event (void)
{
  CalsyncEvent *event = make_timed ("rich", "Quarterly planning",
                                    local_time (2026, 11, 18, 14, 0), 90);

  calsync_event_set_etag (event, "\"3391048312000000\"");
  calsync_event_set_description (event, "Agenda: roadmap, hiring, budget.\nJoin: https://meet.google.com/abc-defg-hij");
  calsync_event_set_location (event, "Room Kepler, 3rd floor");
  calsync_event_set_status (event, CALSYNC_EVENT_STATUS_TENTATIVE);
  calsync_event_set_recurrence (event, "RRULE:FREQ=MONTHLY;BYDAY=3WE");
  calsync_event_set_recurring_event_id (event, "rich-series");
  calsync_event_set_original_start (event, "2026-11-18T14:00:00+01:00");
  calsync_event_set_attendees_json (event, "[{\"email\":\"sam@example.com\",\"name\":\"Sam\","
                                           "\"response\":\"accepted\",\"organizer\":true}]");
  calsync_event_set_conference_url (event, "https://meet.google.com/abc-defg-hij");
  calsync_event_set_event_type (event, CALSYNC_EVENT_TYPE_MEETING);
  calsync_event_set_remote_updated (event, 1763380000000000);
  return event;
}

/* Another process holds the write lock (a sync, an import): opening the
 * database and reading it wait for nothing */
static void
test_open_while_locked (Fixture       *f,
                        gconstpointer  data)
{
  gint64 personal_id = calsync_store_get_personal_calendar_id (f->store);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *other = NULL;
  gint64 start;

  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE; UPDATE events SET title = title", NULL, NULL, NULL),
                   ==, SQLITE_OK);

  start = g_get_monotonic_time ();
  f->store = calsync_store_open (f->path, &error);
  g_assert_no_error (error);
  accounts = calsync_store_list_accounts (f->store, &error);
  g_assert_no_error (error);
  /* The busy timeout is 5 s: a wait for the lock would take all of it */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpint (calsync_store_get_personal_calendar_id (f->store), ==, personal_id);
  g_assert_cmpuint (accounts->len, ==, 2);

  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
}

static void
test_persistence (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CalsyncEvent) rich = rich_event ();
  g_autoptr(CalsyncEvent) local = calsync_test_all_day_event (NULL, "Birthday", "2026-11-20", NULL);
  g_autoptr(CalsyncAccount) account = NULL;
  g_autoptr(CalsyncEvent) loaded = NULL;
  g_autoptr(CalsyncCalendar) team = NULL;
  g_autoptr(GError) error = NULL;
  gint64 personal_id = calsync_store_get_personal_calendar_id (f->store);

  account = calsync_store_get_account (f->store, f->account_id, &error);
  calsync_account_set_needs_reconnect (account, TRUE);
  calsync_account_set_last_error (account, "Access was revoked");
  g_assert_true (calsync_store_update_account (f->store, account, &error));
  g_clear_object (&account);

  g_assert_cmpint (apply_event (f->store, f->work_id, rich), ==, CALSYNC_APPLY_INSERTED);
  g_assert_cmpint (calsync_store_create_local_event (f->store, local, &error), >, 0);
  g_assert_true (calsync_store_set_calendar_active (f->store, f->team_id, FALSE, &error));
  g_assert_true (calsync_store_finish_calendar_sync (f->store, f->work_id, "next-token", 99, &error));

  g_clear_object (&f->store);
  f->store = calsync_store_open (f->path, &error);
  g_assert_no_error (error);

  g_assert_cmpint (calsync_store_get_personal_calendar_id (f->store), ==, personal_id);
  account = calsync_store_get_account (f->store, f->account_id, &error);
  g_assert_cmpstr (calsync_account_get_email (account), ==, "alex@example.com");
  g_assert_true (calsync_account_get_needs_reconnect (account));
  g_assert_cmpstr (calsync_account_get_last_error (account), ==, "Access was revoked");

  loaded = calsync_store_lookup_event (f->store, f->work_id, "rich", &error);
  g_assert_true (calsync_event_equal_content (loaded, rich));
  g_assert_cmpstr (calsync_event_get_etag (loaded), ==, "\"3391048312000000\"");
  g_assert_cmpint (calsync_event_get_remote_updated (loaded), ==, 1763380000000000);
  g_assert_cmpstr (calsync_event_get_time_zone (loaded), ==, "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_calendar_name (loaded), ==, "Work");
  g_clear_object (&loaded);

  loaded = calsync_store_get_event (f->store, calsync_event_get_id (local), &error);
  g_assert_true (calsync_event_equal_content (loaded, local));
  g_assert_true (calsync_event_get_locally_modified (loaded));
  g_assert_cmpint (calsync_event_get_local_updated (loaded), ==, calsync_event_get_local_updated (local));

  team = calsync_store_get_calendar (f->store, f->team_id, &error);
  g_assert_false (calsync_calendar_get_is_active (team));
  g_clear_object (&team);
  team = calsync_store_get_calendar (f->store, f->work_id, &error);
  g_assert_cmpstr (calsync_calendar_get_sync_token (team), ==, "next-token");
  g_assert_cmpint (calsync_calendar_get_last_sync_at (team), ==, 99);
}

static void
test_closed (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  calsync_store_close (f->store);
  calsync_store_close (f->store);
  events = calsync_store_query_range (f->store, 0, 100, &error);
  g_assert_null (events);
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_OPEN);
}

/* Signals and threads ----------------------------------------------------- */

static void
wait_changed (Fixture *f)
{
  wait_for (&f->changed);
  g_assert_true (f->changed_thread == g_thread_self ());
  drain_main_context ();
  g_assert_cmpuint (f->changed, ==, 1);
  f->changed = 0;
}

static void
test_changed_signal (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = make_timed ("s", "Signal", local_time (2026, 11, 10, 9, 0), 30);
  g_autoptr(CalsyncEvent) local = make_timed (NULL, "Local", local_time (2026, 11, 10, 9, 0), 30);

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), f);

  apply_new (f->store, f->work_id, g_object_ref (event));
  wait_changed (f);

  /* Nothing changed, nothing emitted */
  g_assert_cmpint (apply_event (f->store, f->work_id, event), ==, CALSYNC_APPLY_UNCHANGED);
  drain_main_context ();
  g_assert_cmpuint (f->changed, ==, 0);

  g_assert_true (calsync_store_set_calendar_active (f->store, f->team_id, FALSE, NULL));
  wait_changed (f);

  /* Several writes in a row fold into one emission */
  g_assert_cmpint (calsync_store_create_local_event (f->store, local, NULL), >, 0);
  calsync_event_set_title (local, "Local (edited)");
  g_assert_true (calsync_store_edit_local_event (f->store, local, NULL));
  g_assert_true (calsync_store_delete_local_event (f->store, calsync_event_get_id (local), NULL));
  wait_changed (f);

  g_assert_true (calsync_store_remove_account (f->store, f->account_id, NULL));
  wait_changed (f);
}

static void
on_applied (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  guint *applied = user_data;
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats;

  g_assert_true (calsync_store_apply_page_finish (CALSYNC_STORE (source), result, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.inserted, ==, 500);
  g_assert_cmpuint (stats.total, ==, 500);
  (*applied)++;
}

typedef struct
{
  guint done;
  GPtrArray *events;
  GError *error;
} QueryResult;

static void
on_queried (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  QueryResult *r = user_data;

  r->events = calsync_store_query_range_finish (CALSYNC_STORE (source), result, &r->error);
  r->done++;
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = calsync_page_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  QueryResult ok = { 0 }, cancel = { 0 };
  guint applied = 0;

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), f);

  g_ptr_array_extend_and_steal (page->upserts, bulk_events ("async", 500));
  calsync_store_apply_page_async (f->store, f->work_id, page, NULL, NULL, NULL, on_applied, &applied);
  wait_for (&applied);

  /* Emitted on this thread even though the write happened in a worker */
  wait_changed (f);

  calsync_store_query_range_async (f->store, local_time (2026, 1, 5, 0, 0), local_time (2026, 1, 6, 0, 0),
                                   NULL, on_queried, &ok);
  wait_for (&ok.done);
  g_assert_no_error (ok.error);
  g_assert_cmpuint (ok.events->len, ==, 22); /* 08:00 + k*45 min up to 23:45 */
  g_clear_pointer (&ok.events, g_ptr_array_unref);

  g_cancellable_cancel (cancelled);
  calsync_store_query_range_async (f->store, 0, G_MAXINT32, cancelled, on_queried, &cancel);
  wait_for (&cancel.done);
  g_assert_null (cancel.events);
  g_assert_error (cancel.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&cancel.error);
}

int
main (int   argc,
      char *argv[])
{
  /* Range tests are written against Europe/Berlin's DST dates */
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  tzset ();

  g_test_init (&argc, &argv, NULL);

#define ADD(path, setup_func, test_func) \
  g_test_add (path, Fixture, NULL, setup_func, test_func, teardown)

  ADD ("/store/migrate/fresh", setup_empty, test_migrate_fresh);
  ADD ("/store/migrate/from-v1", setup_empty, test_migrate_from_v1);
  ADD ("/store/migrate/too-new", setup_empty, test_migrate_too_new);
  ADD ("/store/open-failure", setup_empty, test_open_failure);
  g_test_add_func ("/store/default-path", test_default_path);
  ADD ("/store/apply/batch-10000", setup, test_batch_10000);
  ADD ("/store/apply/rollback", setup, test_batch_rollback);
  ADD ("/store/apply/cancelled-unchanged", setup, test_cancelled_unchanged);
  ADD ("/store/apply/unique-constraint", setup, test_unique_constraint);
  ADD ("/store/apply/missing-external-id", setup, test_missing_external_id);
  ADD ("/store/local/edit-kept", setup, test_local_edit_kept);
  ADD ("/store/local/create-delete", setup, test_local_create_delete);
  ADD ("/store/range/month-boundaries", setup, test_range_month_boundaries);
  ADD ("/store/range/dst-autumn", setup, test_range_dst_autumn);
  ADD ("/store/range/dst-spring", setup, test_range_dst_spring);
  ADD ("/store/range/all-day-zones", setup, test_range_all_day_zones);
  ADD ("/store/range/long-events", setup, test_range_long_events);
  ADD ("/store/range/inactive-calendar", setup, test_range_inactive_calendar);
  ADD ("/store/range/order", setup, test_range_order);
  ADD ("/store/range/empty", setup, test_range_empty);
  ADD ("/store/accounts/remove-cascades", setup, test_remove_account);
  ADD ("/store/calendars", setup, test_calendars);
  ADD ("/store/no-credential-columns", setup, test_no_credential_columns);
  ADD ("/store/persistence", setup, test_persistence);
  ADD ("/store/open-while-locked", setup, test_open_while_locked);
  ADD ("/store/closed", setup, test_closed);
  ADD ("/store/changed-signal", setup, test_changed_signal);
  ADD ("/store/async", setup, test_async);

#undef ADD

  return g_test_run ();
}
