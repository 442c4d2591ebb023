/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-store-fixture.c: the store fixture and helpers test-store and
 * test-store-sync share: a temporary database with a Google account and two
 * calendars, events, applying batches, and raw SQLite access. */
#include "config.h"

#include <glib/gstdio.h>

#include "calsync-test-utils.h"
#include "test-store-fixture.h"


/* Helpers ----------------------------------------------------------------- */

gint64
local_time (int y, int mo, int d, int h, int mi)
{
  g_autoptr(GDateTime) dt = g_date_time_new_local (y, mo, d, h, mi, 0);

  return g_date_time_to_unix (dt);
}

gint64
zone_time (GTimeZone *zone, int y, int mo, int d)
{
  g_autoptr(GDateTime) dt = g_date_time_new (zone, y, mo, d, 0, 0, 0);

  return g_date_time_to_unix (dt);
}

CalsyncEvent *
make_timed (const char *external_id,
            const char *title,
            gint64      start,
            gint64      minutes)
{
  return calsync_test_timed_event (external_id, title, start, start + minutes * 60, "Europe/Berlin");
}

GPtrArray *
event_list (void)
{
  return g_ptr_array_new_with_free_func (g_object_unref);
}

void
apply_ok (CalsyncStore      *store,
          gint64             calendar_id,
          GPtrArray         *events,
          GArray            *outcomes,
          CalsyncApplyStats *stats)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (calsync_store_apply_remote_events (store, calendar_id, events, outcomes,
                                                    stats, &error));
  g_assert_no_error (error);
}

/* Applies one event (reference taken) and returns its outcome. */
CalsyncApplyOutcome
apply_event (CalsyncStore *store,
             gint64        calendar_id,
             CalsyncEvent *event)
{
  g_autoptr(GPtrArray) events = event_list ();
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome));

  g_ptr_array_add (events, g_object_ref (event));
  apply_ok (store, calendar_id, events, outcomes, NULL);
  g_assert_cmpuint (outcomes->len, ==, 1);

  return g_array_index (outcomes, CalsyncApplyOutcome, 0);
}

void
apply_new (CalsyncStore *store,
           gint64        calendar_id,
           CalsyncEvent *event)
{
  g_autoptr(CalsyncEvent) owned = event;

  g_assert_cmpint (apply_event (store, calendar_id, owned), ==, CALSYNC_APPLY_INSERTED);
}

char *
join_titles (GPtrArray *events)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "",
                            calsync_event_get_title (g_ptr_array_index (events, i)));

  return g_string_free (g_steal_pointer (&s), FALSE);
}

char *
query_titles (CalsyncStore *store,
              gint64        from,
              gint64        to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = calsync_store_query_range (store, from, to, &error);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  return join_titles (events);
}

char *
query_titles_in_zone (CalsyncStore *store,
                      GTimeZone    *zone,
                      int           y,
                      int           mo,
                      int           d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 from = zone_time (zone, y, mo, d);
  g_autoptr(GDateTime) from_dt = g_date_time_new (zone, y, mo, d, 0, 0, 0);
  g_autoptr(GDateTime) to_dt = g_date_time_add_days (from_dt, 1);

  events = calsync_store_query_range_in_zone (store, from, g_date_time_to_unix (to_dt), zone, &error);
  g_assert_no_error (error);
  return join_titles (events);
}

sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

gint64
raw_int_at (const char *path,
            const char *sql)
{
  sqlite3 *db = raw_open (path);
  gint64 value = raw_int (db, sql);

  sqlite3_close (db);
  return value;
}

void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *counter is non-zero (fails after 10 s). */
void
wait_for (guint *counter)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (10, timeout_cb, &timed_out);

  while (*counter == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
}

void
on_changed (CalsyncStore *store,
            Fixture      *f)
{
  f->changed++;
  f->changed_thread = g_thread_self ();
}

/* Fixtures ---------------------------------------------------------------- */

void
setup_empty (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "calsync.db", NULL);
}

void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  setup_empty (f, data);
  f->store = calsync_store_open (f->path, &error);
  g_assert_no_error (error);

  f->account_id = calsync_test_store_add_account (f->store, "google", "alex@example.com");

  f->work_id = calsync_test_store_add_calendar (f->store, f->account_id, "alex@example.com", "Work", "#3584e4");
  f->team_id = calsync_test_store_add_calendar (f->store, f->account_id, "team@group.calendar.google.com",
                                               "Team", "#33d17a");
  drain_main_context ();
}

void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (f->store != NULL)
    g_signal_handlers_disconnect_by_data (f->store, f);
  g_clear_object (&f->store);
  drain_main_context ();

  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_remove (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);

  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->path, g_free);
}
