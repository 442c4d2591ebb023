/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-store-sync.c: what the store does for a sync — pages with removals and
 * resources, the snapshot sweep of a full round, never going back to an older
 * copy, reconciling calendars, removing accounts in steps without reusing ids,
 * and reading beside a writer that holds the database. */
#define G_LOG_DOMAIN "test-store-sync"

#include "config.h"

#include <time.h>

#include "calsync-store.h"
#include "calsync-test-utils.h"
#include "test-store-fixture.h"

/* A window of January 2026 */
#define WINDOW_MIN local_time (2026, 1, 1, 0, 0)
#define WINDOW_MAX local_time (2026, 2, 1, 0, 0)

static CalsyncEvent *
updated_at (CalsyncEvent *event,
            gint64        usec)
{
  calsync_event_set_remote_updated (event, usec);
  return event;
}

static CalsyncApplyStats
apply_page (Fixture                 *f,
            CalsyncPage             *page,
            CalsyncSnapshot         *snapshot,
            const CalsyncSyncFinish *finish)
{
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats;

  g_assert_true (calsync_store_apply_page (f->store, f->work_id, page, snapshot, finish, &stats, &error));
  g_assert_no_error (error);
  return stats;
}

static gboolean
stored (Fixture    *f,
        const char *external_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncEvent) event = calsync_store_lookup_event (f->store, f->work_id, external_id, &error);

  g_assert_no_error (error);
  return event != NULL;
}

static void
store_events (Fixture    *f,
              const char *first_id,
              ...)
{
  g_autoptr(GPtrArray) events = event_list ();
  va_list args;

  va_start (args, first_id);
  for (const char *id = first_id; id != NULL; id = va_arg (args, const char *))
    g_ptr_array_add (events, updated_at (make_timed (id, id, local_time (2026, 1, 10, 9, 0), 30), 1000));
  va_end (args);

  apply_ok (f->store, f->work_id, events, NULL, NULL);
}

/* A full round removes what it did not list inside its window, on its last page only */
static void
test_snapshot_sweep (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CalsyncSnapshot) snapshot = calsync_snapshot_new (WINDOW_MIN, WINDOW_MAX);
  g_autoptr(CalsyncPage) first = calsync_page_new ();
  g_autoptr(CalsyncPage) last = calsync_page_new ();
  g_autoptr(CalsyncEvent) outside = make_timed ("outside", "Outside", local_time (2026, 3, 1, 9, 0), 30);
  g_autoptr(CalsyncEvent) edited = NULL;
  g_autoptr(CalsyncCalendar) calendar = NULL;
  CalsyncSyncFinish finish = { "cursor-2", 42 };
  CalsyncApplyStats stats;

  store_events (f, "a", "b", "gone", "edited", NULL);
  g_assert_cmpint (apply_event (f->store, f->work_id, outside), ==, CALSYNC_APPLY_INSERTED);
  edited = calsync_store_lookup_event (f->store, f->work_id, "edited", NULL);
  calsync_event_set_title (edited, "Edited here, not yet on the server");
  g_assert_true (calsync_store_edit_local_event (f->store, edited, NULL));

  g_ptr_array_add (first->upserts, updated_at (make_timed ("a", "a", local_time (2026, 1, 10, 9, 0), 30), 1000));
  first->full_snapshot = TRUE;
  stats = apply_page (f, first, snapshot, NULL);
  g_assert_cmpuint (stats.deleted, ==, 0);
  g_assert_true (stored (f, "gone"));   /* not on the last page yet */

  g_ptr_array_add (last->upserts, updated_at (make_timed ("b", "b", local_time (2026, 1, 10, 9, 0), 30), 1000));
  last->full_snapshot = TRUE;
  stats = apply_page (f, last, snapshot, &finish);
  g_assert_cmpuint (stats.deleted, ==, 1);
  g_assert_cmpuint (stats.skipped, ==, 1);
  g_assert_cmpuint (stats.total, ==, 2);

  g_assert_true (stored (f, "a"));
  g_assert_true (stored (f, "b"));
  g_assert_false (stored (f, "gone"));
  g_assert_true (stored (f, "edited"));    /* a local edit not yet on the server */
  g_assert_true (stored (f, "outside"));   /* outside the window: not the round's business */

  /* The cursor and time land with the last page */
  calendar = calsync_store_get_calendar (f->store, f->work_id, NULL);
  g_assert_cmpstr (calsync_calendar_get_sync_token (calendar), ==, "cursor-2");
  g_assert_cmpint (calsync_calendar_get_last_sync_at (calendar), ==, 42);
}

/* An incremental round (no snapshot) never sweeps */
static void
test_incremental_keeps (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = calsync_page_new ();
  CalsyncSyncFinish finish = { "cursor", 1 };
  CalsyncApplyStats stats;

  store_events (f, "a", "b", NULL);
  g_ptr_array_add (page->upserts, updated_at (make_timed ("a", "A2", local_time (2026, 1, 10, 9, 0), 30), 2000));
  stats = apply_page (f, page, NULL, &finish);
  g_assert_cmpuint (stats.updated, ==, 1);
  g_assert_cmpuint (stats.deleted, ==, 0);
  g_assert_true (stored (f, "b"));
}

/* The server's own "updated" time never goes back */
static void
test_older_copy_skipped (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CalsyncEvent) newer = updated_at (make_timed ("ev", "Newer", local_time (2026, 1, 10, 9, 0), 30), 2000);
  g_autoptr(CalsyncEvent) older = updated_at (make_timed ("ev", "Older", local_time (2026, 1, 10, 9, 0), 30), 1000);
  g_autoptr(CalsyncEvent) cancelled_older = updated_at (make_timed ("ev", "Older", 0, 30), 1500);
  g_autoptr(CalsyncEvent) loaded = NULL;

  g_assert_cmpint (apply_event (f->store, f->work_id, newer), ==, CALSYNC_APPLY_INSERTED);
  g_assert_cmpint (apply_event (f->store, f->work_id, older), ==, CALSYNC_APPLY_STALE);

  calsync_event_set_status (cancelled_older, CALSYNC_EVENT_STATUS_CANCELLED);
  g_assert_cmpint (apply_event (f->store, f->work_id, cancelled_older), ==, CALSYNC_APPLY_STALE);

  loaded = calsync_store_lookup_event (f->store, f->work_id, "ev", NULL);
  g_assert_cmpstr (calsync_event_get_title (loaded), ==, "Newer");
  g_assert_cmpint (calsync_event_get_remote_updated (loaded), ==, 2000);
}

static void
test_removals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = calsync_page_new ();
  CalsyncApplyStats stats;

  store_events (f, "a", "b", NULL);
  g_ptr_array_add (page->removals, g_strdup ("a"));
  g_ptr_array_add (page->removals, g_strdup ("never-seen"));
  stats = apply_page (f, page, NULL, NULL);

  g_assert_cmpuint (stats.deleted, ==, 1);
  g_assert_cmpuint (stats.skipped, ==, 1);
  g_assert_cmpuint (stats.total, ==, 2);
  g_assert_false (stored (f, "a"));
  g_assert_true (stored (f, "b"));
}

static CalsyncEvent *
instance (const char *resource,
          const char *id)
{
  CalsyncEvent *event = make_timed (id, id, local_time (2026, 1, 12, 9, 0), 30);

  calsync_event_set_resource_id (event, resource);
  return event;
}

/* The instances of a resource are replaced together; a removed resource takes all of them */
static void
test_resources (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) events = event_list ();
  g_autoptr(CalsyncPage) page = calsync_page_new ();
  g_autoptr(CalsyncEvent) kept = NULL;
  CalsyncApplyStats stats;

  g_ptr_array_add (events, instance ("series.ics", "s1"));
  g_ptr_array_add (events, instance ("series.ics", "s2"));
  g_ptr_array_add (events, instance ("other.ics", "o1"));
  g_ptr_array_add (events, instance ("other.ics", "o2"));
  apply_ok (f->store, f->work_id, events, NULL, NULL);

  g_ptr_array_add (page->upserts, instance ("series.ics", "s1"));
  g_ptr_array_add (page->resources, g_strdup ("series.ics"));
  g_ptr_array_add (page->removed_resources, g_strdup ("other.ics"));
  stats = apply_page (f, page, NULL, NULL);

  g_assert_cmpuint (stats.deleted, ==, 3);
  g_assert_true (stored (f, "s1"));
  g_assert_false (stored (f, "s2"));
  g_assert_false (stored (f, "o1"));
  g_assert_false (stored (f, "o2"));

  kept = calsync_store_lookup_event (f->store, f->work_id, "s1", NULL);
  g_assert_cmpstr (calsync_event_get_resource_id (kept), ==, "series.ics");
}

/* Field caps: a server cannot make us store a huge title */
static void
test_field_caps (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *huge = g_strnfill (CALSYNC_EVENT_MAX_TITLE * 4, 'x');
  g_autofree char *accents = NULL;
  g_autoptr(CalsyncEvent) event = make_timed ("big", huge, local_time (2026, 1, 10, 9, 0), 30);
  g_autoptr(CalsyncEvent) loaded = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  /* Multi-byte characters across the cut stay whole */
  while (text->len < CALSYNC_EVENT_MAX_DESCRIPTION * 2)
    g_string_append (text, "\xc3\xa9");   /* é */
  accents = g_string_free (g_steal_pointer (&text), FALSE);
  calsync_event_set_description (event, accents);

  g_assert_cmpint (apply_event (f->store, f->work_id, event), ==, CALSYNC_APPLY_INSERTED);
  loaded = calsync_store_lookup_event (f->store, f->work_id, "big", NULL);
  g_assert_cmpuint (strlen (calsync_event_get_title (loaded)), <=, CALSYNC_EVENT_MAX_TITLE);
  g_assert_cmpuint (strlen (calsync_event_get_description (loaded)), <=, CALSYNC_EVENT_MAX_DESCRIPTION);
  g_assert_true (g_utf8_validate (calsync_event_get_description (loaded), -1, NULL));
  g_assert_true (g_str_has_suffix (calsync_event_get_title (loaded), "\xe2\x80\xa6"));
}

static CalsyncCalendar *
remote_calendar (const char *remote_id,
                 const char *name)
{
  CalsyncCalendar *calendar = calsync_calendar_new ();

  calsync_calendar_set_remote_id (calendar, remote_id);
  calsync_calendar_set_name (calendar, name);
  calsync_calendar_set_color (calendar, "#ff7800");
  return calendar;
}

/* The calendar list of every sync: new ones added (active), removed ones gone
 * with their events, renamed ones renamed, active flags and sync state kept */
static void
test_reconcile_calendars (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) remote = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(CalsyncCalendar) work = NULL;
  g_autoptr(CalsyncCalendar) added = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncCalendarChanges changes;

  store_events (f, "a", NULL);
  g_assert_true (calsync_store_finish_calendar_sync (f->store, f->work_id, "tok", 7, NULL));
  g_assert_true (calsync_store_set_calendar_active (f->store, f->work_id, FALSE, NULL));
  apply_new (f->store, f->team_id, make_timed ("team-ev", "Team event", local_time (2026, 1, 10, 9, 0), 30));

  g_ptr_array_add (remote, remote_calendar ("alex@example.com", "Work, renamed"));
  g_ptr_array_add (remote, remote_calendar ("new@group.calendar.google.com", "New"));
  g_assert_true (calsync_store_reconcile_calendars (f->store, f->account_id, remote, &changes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes.n_added, ==, 1);
  g_assert_cmpuint (changes.n_removed, ==, 1);
  g_assert_cmpuint (changes.n_changed, ==, 1);

  calendars = calsync_store_list_calendars (f->store, f->account_id, NULL);
  g_assert_cmpuint (calendars->len, ==, 2);

  work = calsync_store_get_calendar (f->store, f->work_id, NULL);
  g_assert_cmpstr (calsync_calendar_get_name (work), ==, "Work, renamed");
  g_assert_false (calsync_calendar_get_is_active (work));             /* the person's choice */
  g_assert_cmpstr (calsync_calendar_get_sync_token (work), ==, "tok");
  g_assert_true (stored (f, "a"));

  added = calsync_store_lookup_calendar (f->store, f->account_id, "new@group.calendar.google.com", NULL);
  g_assert_nonnull (added);
  g_assert_true (calsync_calendar_get_is_active (added));

  g_assert_null (calsync_store_get_calendar (f->store, f->team_id, NULL));
  g_assert_cmpint (calsync_store_count_events (f->store, f->team_id, NULL), ==, 0);

  /* Unchanged list: nothing to do */
  g_assert_true (calsync_store_reconcile_calendars (f->store, f->account_id, remote, &changes, NULL));
  g_assert_cmpuint (changes.n_added + changes.n_removed + changes.n_changed, ==, 0);
}

/* Removing in steps: marked (hidden, inactive), then gone; ids never come back */
static void
test_remove_account_steps (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) removing = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(CalsyncAccount) again = calsync_account_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *titles = NULL;
  gint64 old_id = f->account_id;

  store_events (f, "a", NULL);
  g_assert_true (calsync_store_mark_account_removing (f->store, old_id, &error));
  g_assert_no_error (error);

  g_assert_null (calsync_store_get_account (f->store, old_id, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  accounts = calsync_store_list_accounts (f->store, NULL);
  g_assert_cmpuint (accounts->len, ==, 1);   /* the local one */
  g_assert_cmpuint (calsync_store_count_connected_calendars (f->store), ==, 0);
  titles = query_titles (f->store, WINDOW_MIN, WINDOW_MAX);
  g_assert_cmpstr (titles, ==, "");

  removing = calsync_store_list_removing_accounts (f->store, NULL);
  g_assert_cmpuint (removing->len, ==, 1);
  g_assert_cmpint (calsync_account_get_id (g_ptr_array_index (removing, 0)), ==, old_id);

  g_assert_true (calsync_store_remove_account (f->store, old_id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&removing, g_ptr_array_unref);
  removing = calsync_store_list_removing_accounts (f->store, NULL);
  g_assert_cmpuint (removing->len, ==, 0);

  calsync_account_set_provider (again, "google");
  calsync_account_set_email (again, "alex@example.com");
  g_assert_cmpint (calsync_store_add_account (f->store, again, NULL), >, old_id);

  /* The local account cannot be removed */
  g_assert_false (calsync_store_mark_account_removing (f->store, 1, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_CONSTRAINT);
}

/* Ids are never reused, across reopening too */
static void
test_ids_not_reused (Fixture       *f,
                     gconstpointer  data)
{
  gint64 last = calsync_test_store_add_account (f->store, "google", "b@example.com");
  gint64 next;

  g_assert_true (calsync_store_remove_account (f->store, last, NULL));
  g_clear_object (&f->store);
  f->store = calsync_store_open (f->path, NULL);
  next = calsync_test_store_add_account (f->store, "google", "c@example.com");
  g_assert_cmpint (next, >, last);
}

/* Another process holds a write transaction: reads here do not wait for it */
static void
test_read_beside_writer (Fixture       *f,
                         gconstpointer  data)
{
  sqlite3 *other = raw_open (f->path);
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  store_events (f, "a", NULL);
  raw_exec (other, "BEGIN IMMEDIATE; UPDATE events SET title = 'held';");

  started = g_get_monotonic_time ();
  calendars = calsync_store_list_calendars (f->store, 0, &error);
  g_assert_no_error (error);
  events = calsync_store_query_range (f->store, WINDOW_MIN, WINDOW_MAX, &error);
  g_assert_no_error (error);
  g_assert_cmpint (calsync_store_count_events (f->store, f->work_id, NULL), ==, 1);
  g_assert_true (stored (f, "a"));
  /* far below the 5 s a writer would wait */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 1 * G_USEC_PER_SEC);

  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (events, 0)), ==, "a");  /* committed state */

  raw_exec (other, "ROLLBACK;");
  sqlite3_close (other);
}

/* The window's writes go through a worker thread */
static void
test_local_async (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = make_timed (NULL, "Created", local_time (2026, 1, 10, 9, 0), 30);
  g_autoptr(CalsyncEvent) saved = NULL;
  g_autoptr(GAsyncResult) created = NULL;
  g_autoptr(GAsyncResult) deactivated = NULL;
  g_autoptr(GAsyncResult) deleted = NULL;
  g_autoptr(GError) error = NULL;

  calsync_event_set_calendar_id (event, 0);
  calsync_store_save_local_event_async (f->store, event, calsync_test_result_cb, &created);
  saved = calsync_store_save_local_event_finish (f->store, calsync_test_spin (&created), &error);
  g_assert_no_error (error);
  g_assert_cmpint (calsync_event_get_id (saved), >, 0);
  g_assert_cmpint (calsync_event_get_calendar_id (saved), ==, calsync_store_get_personal_calendar_id (f->store));

  calsync_store_set_calendar_active_async (f->store, f->work_id, FALSE, calsync_test_result_cb, &deactivated);
  g_assert_true (calsync_store_set_calendar_active_finish (f->store, calsync_test_spin (&deactivated), &error));

  calsync_store_delete_local_event_async (f->store, calsync_event_get_id (saved), calsync_test_result_cb, &deleted);
  g_assert_true (calsync_store_delete_local_event_finish (f->store, calsync_test_spin (&deleted), &error));
  g_assert_no_error (error);
  g_assert_null (calsync_store_lookup_event (f->store, calsync_event_get_calendar_id (saved),
                                             calsync_event_get_external_id (saved), NULL));
}

/* Writes asked one after the other land in that order: an edit then a delete
 * of one event leaves no event, every time */
static void
test_local_writes_ordered (Fixture       *f,
                           gconstpointer  data)
{
  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(CalsyncEvent) event = make_timed (NULL, "Ordered", local_time (2026, 1, 10, 9, 0), 30);
      g_autoptr(GAsyncResult) edited = NULL;
      g_autoptr(GAsyncResult) deleted = NULL;
      g_autoptr(CalsyncEvent) stored = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (calsync_store_create_local_event (f->store, event, NULL), >, 0);
      calsync_event_set_title (event, "Edited");
      calsync_store_save_local_event_async (f->store, event, calsync_test_result_cb, &edited);
      calsync_store_delete_local_event_async (f->store, calsync_event_get_id (event), calsync_test_result_cb, &deleted);

      g_assert_true (calsync_store_delete_local_event_finish (f->store, calsync_test_spin (&deleted), &error));
      g_assert_no_error (error);
      g_assert_nonnull (stored = calsync_store_save_local_event_finish (f->store, calsync_test_spin (&edited), &error));
      g_assert_no_error (error);
      g_clear_object (&stored);
      g_assert_null (stored = calsync_store_get_event (f->store, calsync_event_get_id (event), NULL));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  tzset ();

  g_test_init (&argc, &argv, NULL);

#define ADD(path, test_func) \
  g_test_add (path, Fixture, NULL, setup, test_func, teardown)

  ADD ("/store-sync/snapshot-sweep", test_snapshot_sweep);
  ADD ("/store-sync/incremental-keeps", test_incremental_keeps);
  ADD ("/store-sync/older-copy-skipped", test_older_copy_skipped);
  ADD ("/store-sync/removals", test_removals);
  ADD ("/store-sync/resources", test_resources);
  ADD ("/store-sync/field-caps", test_field_caps);
  ADD ("/store-sync/reconcile-calendars", test_reconcile_calendars);
  ADD ("/store-sync/remove-account-steps", test_remove_account_steps);
  ADD ("/store-sync/ids-not-reused", test_ids_not_reused);
  ADD ("/store-sync/read-beside-writer", test_read_beside_writer);
  ADD ("/store-sync/local-async", test_local_async);
  ADD ("/store-sync/local-writes-ordered", test_local_writes_ordered);

#undef ADD

  return g_test_run ();
}
