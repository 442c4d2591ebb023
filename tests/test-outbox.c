/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-outbox.c: the store's side of two-way sync — the outbox (merging,
 * order, persistence across a reopen), read-only calendars, the resources
 * table (kept, removed, swept) and what a push leaves behind. */
#include "config.h"

#include "calsync-test-utils.h"
#include "test-store-fixture.h"

static gint64
create_in (Fixture    *f,
           gint64      calendar_id,
           const char *external_id,
           const char *title)
{
  g_autoptr(CalsyncEvent) event = make_timed (external_id, title, local_time (2026, 12, 1, 10, 0), 30);
  g_autoptr(GError) error = NULL;
  gint64 id;

  calsync_event_set_calendar_id (event, calendar_id);
  id = calsync_store_create_local_event (f->store, event, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
edit_title (Fixture    *f,
            gint64      id,
            const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncEvent) event = calsync_store_get_event (f->store, id, &error);

  g_assert_no_error (error);
  calsync_event_set_title (event, title);
  calsync_event_set_calendar_id (event, 0);
  g_assert_true (calsync_store_edit_local_event (f->store, event, &error));
  g_assert_no_error (error);
}

static void
delete_ok (Fixture *f,
           gint64   id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (calsync_store_delete_local_event (f->store, id, &error));
  g_assert_no_error (error);
}

static GPtrArray *
outbox (Fixture *f,
        gint64   calendar_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = calsync_store_list_outbox (f->store, calendar_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return entries;
}

#define ENTRY(entries, i) ((CalsyncOutboxEntry *) g_ptr_array_index ((entries), (i)))

/* A stored server event with an etag, as a sync leaves it */
static gint64
server_event (Fixture    *f,
              gint64      calendar_id,
              const char *external_id,
              const char *title,
              const char *etag)
{
  CalsyncEvent *event = make_timed (external_id, title, local_time (2026, 12, 2, 9, 0), 60);
  g_autoptr(CalsyncEvent) stored = NULL;

  calsync_event_set_etag (event, etag);
  calsync_event_set_remote_updated (event, g_get_real_time () - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  apply_new (f->store, calendar_id, event);
  stored = calsync_store_lookup_event (f->store, calendar_id, external_id, NULL);
  g_assert_nonnull (stored);
  return calsync_event_get_id (stored);
}

/* Merging ------------------------------------------------------------------------ */

static void
test_create_then_edit_is_a_create (Fixture       *f,
                                   gconstpointer  data)
{
  gint64 id = create_in (f, f->work_id, "new-1", "Draft");
  g_autoptr(GPtrArray) entries = NULL;

  edit_title (f, id, "Final");
  entries = outbox (f, f->work_id);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpint (ENTRY (entries, 0)->kind, ==, CALSYNC_OUTBOX_CREATE);
  g_assert_cmpstr (ENTRY (entries, 0)->key, ==, "new-1");
  g_assert_null (ENTRY (entries, 0)->etag);
  g_assert_cmpstr (calsync_event_get_title (ENTRY (entries, 0)->event), ==, "Final");
}

static void
test_create_then_delete_sends_nothing (Fixture       *f,
                                       gconstpointer  data)
{
  gint64 id = create_in (f, f->work_id, "new-2", "Oops");
  g_autoptr(GPtrArray) entries = NULL;

  delete_ok (f, id);
  entries = outbox (f, 0);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
}

static void
test_edit_then_delete_is_a_delete (Fixture       *f,
                                   gconstpointer  data)
{
  gint64 id = server_event (f, f->work_id, "srv-1", "Standup", "\"e1\"");
  g_autoptr(GPtrArray) edited = NULL;
  g_autoptr(GPtrArray) deleted = NULL;

  edit_title (f, id, "Standup (moved)");
  edited = outbox (f, f->work_id);
  g_assert_cmpuint (edited->len, ==, 1);
  g_assert_cmpint (ENTRY (edited, 0)->kind, ==, CALSYNC_OUTBOX_UPDATE);
  g_assert_cmpstr (ENTRY (edited, 0)->etag, ==, "\"e1\"");

  delete_ok (f, id);
  g_assert_null (calsync_store_get_event (f->store, id, NULL));
  deleted = outbox (f, f->work_id);
  g_assert_cmpuint (deleted->len, ==, 1);
  g_assert_cmpint (ENTRY (deleted, 0)->kind, ==, CALSYNC_OUTBOX_DELETE);
  /* Based on what the server had, and the event as it was when deleted */
  g_assert_cmpstr (ENTRY (deleted, 0)->etag, ==, "\"e1\"");
  g_assert_cmpstr (calsync_event_get_external_id (ENTRY (deleted, 0)->event), ==, "srv-1");
  g_assert_cmpstr (calsync_event_get_title (ENTRY (deleted, 0)->event), ==, "Standup (moved)");
}

static void
test_pending_delete_not_brought_back (Fixture       *f,
                                      gconstpointer  data)
{
  gint64 id = server_event (f, f->work_id, "srv-gone", "Retro", "\"g1\"");
  g_autoptr(CalsyncEvent) again = make_timed ("srv-gone", "Retro", local_time (2026, 12, 2, 9, 0), 60);

  delete_ok (f, id);
  /* A full round lists it again before the delete could be sent */
  calsync_event_set_etag (again, "\"g1\"");
  g_assert_cmpint (apply_event (f->store, f->work_id, again), ==, CALSYNC_APPLY_KEPT_LOCAL);
  g_assert_null (calsync_store_lookup_event (f->store, f->work_id, "srv-gone", NULL));
  g_assert_cmpint (calsync_store_count_outbox (f->store, f->work_id, NULL), ==, 1);
}

static void
test_local_calendar_has_no_outbox (Fixture       *f,
                                   gconstpointer  data)
{
  gint64 personal = calsync_store_get_personal_calendar_id (f->store);
  gint64 id = create_in (f, personal, "mine", "Dentist");

  edit_title (f, id, "Dentist 2");
  delete_ok (f, id);
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
}

static void
test_order_and_reopen (Fixture       *f,
                       gconstpointer  data)
{
  gint64 a = server_event (f, f->team_id, "srv-a", "A", "\"a1\"");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  create_in (f, f->work_id, "first", "First");
  edit_title (f, a, "A edited");
  create_in (f, f->work_id, "third", "Third");

  /* A restart: the outbox is in the database, not in memory */
  g_clear_object (&f->store);
  f->store = calsync_store_open (f->path, &error);
  g_assert_no_error (error);

  entries = outbox (f, 0);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpstr (ENTRY (entries, 0)->key, ==, "first");
  g_assert_cmpstr (ENTRY (entries, 1)->key, ==, "srv-a");
  g_assert_cmpint (ENTRY (entries, 1)->calendar_id, ==, f->team_id);
  g_assert_cmpstr (ENTRY (entries, 2)->key, ==, "third");
  g_assert_cmpint (ENTRY (entries, 0)->id, <, ENTRY (entries, 1)->id);
  g_assert_cmpint (ENTRY (entries, 1)->id, <, ENTRY (entries, 2)->id);
}

/* Read-only calendars ---------------------------------------------------------------- */

static void
make_read_only (Fixture *f,
                gint64   calendar_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (f->store, calendar_id, &error);

  g_assert_no_error (error);
  calsync_calendar_set_read_only (calendar, TRUE);
  g_assert_true (calsync_store_update_calendar (f->store, calendar, &error));
  g_assert_no_error (error);
}

static void
test_read_only_refuses (Fixture       *f,
                        gconstpointer  data)
{
  gint64 id = server_event (f, f->team_id, "srv-ro", "Holiday", "\"r1\"");
  g_autoptr(CalsyncEvent) event = make_timed ("ro-new", "Sneaky", local_time (2026, 12, 3, 9, 0), 30);
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(GError) error = NULL;

  make_read_only (f, f->team_id);

  calsync_event_set_calendar_id (event, f->team_id);
  g_assert_cmpint (calsync_store_create_local_event (f->store, event, &error), ==, 0);
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "Team"));
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_clear_error (&error);
  g_assert_null (calsync_store_lookup_event (f->store, f->team_id, "ro-new", NULL));

  stored = calsync_store_get_event (f->store, id, NULL);
  calsync_event_set_title (stored, "Changed");
  g_assert_false (calsync_store_edit_local_event (f->store, stored, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  g_assert_false (calsync_store_delete_local_event (f->store, id, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  g_clear_object (&stored);
  stored = calsync_store_get_event (f->store, id, NULL);
  g_assert_nonnull (stored);
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Holiday");
  g_assert_false (calsync_event_get_locally_modified (stored));
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
}

/* Resources ------------------------------------------------------------------------ */

static CalsyncEvent *
instance (const char *external_id,
          const char *href,
          gint64      start)
{
  CalsyncEvent *event = make_timed (external_id, external_id, start, 60);

  calsync_event_set_resource_id (event, href);
  calsync_event_set_etag (event, "\"x\"");
  calsync_event_set_remote_updated (event, g_get_real_time () - G_GINT64_CONSTANT (600) * G_USEC_PER_SEC);
  return event;
}

static void
add_resource (CalsyncPage *page,
              const char  *href,
              const char  *etag,
              const char  *text)
{
  g_ptr_array_add (page->resources, g_strdup (href));
  g_ptr_array_add (page->resource_etags, g_strdup (etag));
  g_ptr_array_add (page->resource_texts, g_strdup (text));
}

static void
apply_page_ok (Fixture         *f,
               gint64           calendar_id,
               CalsyncPage     *page,
               CalsyncSnapshot *snapshot,
               gboolean         last)
{
  g_autoptr(GError) error = NULL;
  CalsyncSyncFinish finish = { NULL, g_get_real_time () };

  g_assert_true (calsync_store_apply_page (f->store, calendar_id, page, snapshot,
                                           last ? &finish : NULL, NULL, &error));
  g_assert_no_error (error);
}

static char *
known_etag (Fixture    *f,
            gint64      calendar_id,
            const char *href)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) etags = calsync_store_get_known_etags (f->store, calendar_id, &error);

  g_assert_no_error (error);
  return g_strdup (g_hash_table_lookup (etags, href));
}

static void
test_resources_kept_removed (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CalsyncPage) first = calsync_page_new ();
  g_autoptr(CalsyncPage) second = calsync_page_new ();
  g_autofree char *etag_a = NULL;
  g_autofree char *etag_b = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *text = NULL;
  gint64 start = local_time (2026, 12, 7, 9, 0);

  g_ptr_array_add (first->upserts, instance ("a", "/cal/a.ics", start));
  g_ptr_array_add (first->upserts, instance ("b", "/cal/b.ics", start + 3600));
  add_resource (first, "/cal/a.ics", "\"a1\"", "BEGIN:VCALENDAR\r\nX-A:1\r\nEND:VCALENDAR\r\n");
  add_resource (first, "/cal/b.ics", "\"b1\"", "");
  apply_page_ok (f, f->work_id, first, NULL, FALSE);

  etag_a = known_etag (f, f->work_id, "/cal/a.ics");
  etag_b = known_etag (f, f->work_id, "/cal/b.ics");
  g_assert_cmpstr (etag_a, ==, "\"a1\"");
  g_assert_cmpstr (etag_b, ==, "\"b1\"");
  text = calsync_store_get_resource_text (f->store, f->work_id, "/cal/a.ics", NULL);
  g_assert_cmpstr (text, ==, "BEGIN:VCALENDAR\r\nX-A:1\r\nEND:VCALENDAR\r\n");

  g_ptr_array_add (second->removed_resources, g_strdup ("/cal/b.ics"));
  apply_page_ok (f, f->work_id, second, NULL, FALSE);
  gone = known_etag (f, f->work_id, "/cal/b.ics");
  g_assert_null (gone);
  g_assert_null (calsync_store_lookup_event (f->store, f->work_id, "b", NULL));
}

static void
test_resources_swept_and_edits_kept (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(CalsyncPage) first = calsync_page_new ();
  g_autoptr(CalsyncPage) full = calsync_page_new ();
  g_autoptr(CalsyncPage) newer = calsync_page_new ();
  g_autoptr(CalsyncSnapshot) snapshot = NULL;
  g_autoptr(CalsyncEvent) edited = NULL;
  g_autofree char *swept = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *text = NULL;
  gint64 start = local_time (2026, 12, 8, 9, 0);
  gint64 window_min = start - 86400 * 30, window_max = start + 86400 * 30;

  g_ptr_array_add (first->upserts, instance ("c", "/cal/c.ics", start));
  g_ptr_array_add (first->upserts, instance ("d", "/cal/d.ics", start + 7200));
  add_resource (first, "/cal/c.ics", "\"c1\"", "C1");
  add_resource (first, "/cal/d.ics", "\"d1\"", "D1");
  apply_page_ok (f, f->work_id, first, NULL, FALSE);

  /* d is edited here; then the server sends an older copy of its resource */
  edited = calsync_store_lookup_event (f->store, f->work_id, "d", NULL);
  edit_title (f, calsync_event_get_id (edited), "d, edited here");
  g_ptr_array_add (newer->upserts, instance ("d", "/cal/d.ics", start + 7200));
  add_resource (newer, "/cal/d.ics", "\"d2\"", "D2");
  apply_page_ok (f, f->work_id, newer, NULL, FALSE);
  kept = known_etag (f, f->work_id, "/cal/d.ics");
  g_assert_cmpstr (kept, ==, "\"d1\"");
  text = calsync_store_get_resource_text (f->store, f->work_id, "/cal/d.ics", NULL);
  g_assert_cmpstr (text, ==, "D1");

  /* A full round that lists neither: c goes with its resource, d (edited) stays */
  snapshot = calsync_snapshot_new (window_min, window_max);
  full->full_snapshot = TRUE;
  apply_page_ok (f, f->work_id, full, snapshot, TRUE);
  swept = known_etag (f, f->work_id, "/cal/c.ics");
  g_assert_null (swept);
  g_assert_null (calsync_store_lookup_event (f->store, f->work_id, "c", NULL));
  g_clear_object (&edited);
  edited = calsync_store_lookup_event (f->store, f->work_id, "d", NULL);
  g_assert_nonnull (edited);
  g_clear_pointer (&kept, g_free);
  kept = known_etag (f, f->work_id, "/cal/d.ics");
  g_assert_cmpstr (kept, ==, "\"d1\"");
}

/* After a push ------------------------------------------------------------------------ */

static void
finish_ok (Fixture                  *f,
           const CalsyncOutboxEntry *entry,
           const CalsyncPushDone    *done)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (calsync_store_finish_push (f->store, entry, done, &error));
  g_assert_no_error (error);
}

static void
test_written_create_takes_server_id (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_WRITTEN, .remote_id = "server-42", .etag = "\"s1\"" };

  create_in (f, f->work_id, "local-uuid", "Lunch");
  entries = outbox (f, f->work_id);
  finish_ok (f, ENTRY (entries, 0), &done);

  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
  g_assert_null (calsync_store_lookup_event (f->store, f->work_id, "local-uuid", NULL));
  stored = calsync_store_lookup_event (f->store, f->work_id, "server-42", NULL);
  g_assert_nonnull (stored);
  g_assert_cmpstr (calsync_event_get_etag (stored), ==, "\"s1\"");
  g_assert_false (calsync_event_get_locally_modified (stored));
}

/* The create's first answer was lost after the server made the event; a pull
 * stored the server's copy; the retried create (Graph: same transactionId)
 * answers with that event's id: the local event takes it, no duplicate and no
 * UNIQUE error (found by test-fault-syncs: the calendar failed every sync) */
static void
test_written_create_meets_pulled_copy (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(CalsyncEvent) pulled = make_timed ("server-43", "Lunch", local_time (2026, 12, 1, 10, 0), 30);
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_WRITTEN, .remote_id = "server-43", .etag = "\"s2\"" };

  create_in (f, f->work_id, "local-uuid", "Lunch");
  entries = outbox (f, f->work_id);
  apply_new (f->store, f->work_id, g_object_ref (pulled));
  finish_ok (f, ENTRY (entries, 0), &done);

  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
  g_assert_null (calsync_store_lookup_event (f->store, f->work_id, "local-uuid", NULL));
  stored = calsync_store_lookup_event (f->store, f->work_id, "server-43", NULL);
  g_assert_nonnull (stored);
  g_assert_cmpstr (calsync_event_get_etag (stored), ==, "\"s2\"");
  g_assert_cmpint (raw_int_at (f->path, "SELECT COUNT(*) FROM events WHERE title = 'Lunch'"), ==, 1);
}

static void
test_written_caldav_keeps_resource (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *text = NULL;
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_WRITTEN, .etag = "\"r1\"",
                           .resource_id = "/cal/uid-1.ics", .resource_text = "TEXT-1" };

  create_in (f, f->work_id, "uid-1", "Review");
  entries = outbox (f, f->work_id);
  finish_ok (f, ENTRY (entries, 0), &done);

  etag = known_etag (f, f->work_id, "/cal/uid-1.ics");
  g_assert_cmpstr (etag, ==, "\"r1\"");
  text = calsync_store_get_resource_text (f->store, f->work_id, "/cal/uid-1.ics", NULL);
  g_assert_cmpstr (text, ==, "TEXT-1");
  stored = calsync_store_lookup_event (f->store, f->work_id, "uid-1", NULL);
  g_assert_cmpstr (calsync_event_get_resource_id (stored), ==, "/cal/uid-1.ics");
  g_assert_false (calsync_event_get_locally_modified (stored));
}

static void
test_edited_while_in_flight_waits (Fixture       *f,
                                   gconstpointer  data)
{
  gint64 id = create_in (f, f->work_id, "busy", "One");
  g_autoptr(GPtrArray) entries = outbox (f, f->work_id);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_WRITTEN, .etag = "\"v1\"" };

  /* The person edits again while the create is on its way */
  g_usleep (2000);
  edit_title (f, id, "Two");
  finish_ok (f, ENTRY (entries, 0), &done);

  after = outbox (f, f->work_id);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpint (ENTRY (after, 0)->kind, ==, CALSYNC_OUTBOX_UPDATE);
  g_assert_cmpstr (ENTRY (after, 0)->etag, ==, "\"v1\"");
  stored = calsync_store_get_event (f->store, id, NULL);
  g_assert_true (calsync_event_get_locally_modified (stored));
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Two");
}

static void
test_lost_restores_server_copy (Fixture       *f,
                                gconstpointer  data)
{
  gint64 id = server_event (f, f->work_id, "srv-l", "Planning", "\"p1\"");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(CalsyncEvent) server = make_timed ("srv-l", "Planning (server)", local_time (2026, 12, 2, 11, 0), 60);
  g_autoptr(CalsyncEvent) stored = NULL;
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_LOST };

  edit_title (f, id, "Planning (mine)");
  entries = outbox (f, f->work_id);
  calsync_event_set_etag (server, "\"p2\"");
  calsync_event_set_remote_updated (server, g_get_real_time ());
  done.server_event = server;
  finish_ok (f, ENTRY (entries, 0), &done);

  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
  stored = calsync_store_get_event (f->store, id, NULL);
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Planning (server)");
  g_assert_cmpstr (calsync_event_get_etag (stored), ==, "\"p2\"");
  g_assert_false (calsync_event_get_locally_modified (stored));
}

static void
test_refused_forgets_cursor (Fixture       *f,
                             gconstpointer  data)
{
  gint64 id = server_event (f, f->work_id, "srv-r", "Board", "\"b1\"");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_REFUSED };

  g_assert_true (calsync_store_finish_calendar_sync (f->store, f->work_id, "cursor-1", g_get_real_time (), &error));
  g_assert_no_error (error);
  edit_title (f, id, "Board (mine)");
  entries = outbox (f, f->work_id);
  finish_ok (f, ENTRY (entries, 0), &done);

  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
  stored = calsync_store_get_event (f->store, id, NULL);
  /* Not ours any more: the next round (full) brings the server's copy over it */
  g_assert_false (calsync_event_get_locally_modified (stored));
  calendar = calsync_store_get_calendar (f->store, f->work_id, NULL);
  g_assert_null (calsync_calendar_get_sync_token (calendar));
}

static void
test_import_series (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncImportOutcome));
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *group = event_list ();
  gint64 start = local_time (2026, 12, 14, 9, 0);

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("weekly_%d", i);
      CalsyncEvent *event = make_timed (id, "Weekly", start + i * 7 * 86400, 30);

      calsync_event_set_recurring_event_id (event, "weekly");
      g_ptr_array_add (group, event);
    }
  g_ptr_array_add (series, group);
  g_ptr_array_add (texts, g_strdup ("BEGIN:VCALENDAR…"));

  g_assert_true (calsync_store_import_series (f->store, f->work_id, series, texts, outcomes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, ==, 1);
  g_assert_cmpint (g_array_index (outcomes, CalsyncImportOutcome, 0), ==, CALSYNC_IMPORT_CREATED);

  entries = outbox (f, f->work_id);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (ENTRY (entries, 0)->key, ==, "weekly");
  g_assert_true (ENTRY (entries, 0)->whole);
  g_assert_cmpstr (ENTRY (entries, 0)->resource_text, ==, "BEGIN:VCALENDAR…");

  /* The same file again changes nothing and queues nothing more */
  g_array_set_size (outcomes, 0);
  g_assert_true (calsync_store_import_series (f->store, f->work_id, series, texts, outcomes, &error));
  g_assert_cmpint (g_array_index (outcomes, CalsyncImportOutcome, 0), ==, CALSYNC_IMPORT_UNCHANGED);
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 1);
}

/* Undo (Ctrl+Z) and the pending mark --------------------------------------------- */

static CalsyncEvent *
get_ok (Fixture *f,
        gint64   id)
{
  g_autoptr(GError) error = NULL;
  CalsyncEvent *event = calsync_store_get_event (f->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (event);
  return event;
}

/* Edits @id's title as the window does, handing back the stored copy */
static CalsyncEvent *
edit_returning (Fixture    *f,
                gint64      id,
                const char *title)
{
  g_autoptr(GError) error = NULL;
  CalsyncEvent *event = get_ok (f, id);

  calsync_event_set_title (event, title);
  g_assert_true (calsync_store_edit_local_event (f->store, event, &error));
  g_assert_no_error (error);
  return event;
}

static gboolean
range_pending (Fixture    *f,
               const char *external_id)
{
  g_autoptr(GPtrArray) events = calsync_store_query_range (f->store, local_time (2026, 11, 30, 0, 0),
                                                           local_time (2026, 12, 5, 0, 0), NULL);

  g_assert_nonnull (events);
  return calsync_event_get_pending (calsync_test_get_event (events, external_id));
}

static void
test_undo_edit_back_to_server (Fixture       *f,
                               gconstpointer  data)
{
  gint64 id = server_event (f, f->work_id, "srv-u1", "Standup", "\"e1\"");
  g_autoptr(CalsyncEvent) before = get_ok (f, id);
  g_autoptr(CalsyncEvent) after = NULL;
  g_autoptr(CalsyncEvent) restored = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (calsync_event_get_pending (before));
  g_assert_false (range_pending (f, "srv-u1"));
  after = edit_returning (f, id, "Standup (moved)");
  g_assert_true (range_pending (f, "srv-u1"));
  stored = get_ok (f, id);
  g_assert_true (calsync_event_get_pending (stored));
  g_clear_object (&stored);

  restored = calsync_store_undo_local_change (f->store, before, after, &error);
  g_assert_no_error (error);
  g_assert_nonnull (restored);
  g_assert_cmpstr (calsync_event_get_title (restored), ==, "Standup");
  g_assert_cmpstr (calsync_event_get_etag (restored), ==, "\"e1\"");
  g_assert_false (calsync_event_get_locally_modified (restored));
  g_assert_false (calsync_event_get_pending (restored));
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
  g_assert_false (range_pending (f, "srv-u1"));
}

static void
test_undo_create_and_delete (Fixture       *f,
                             gconstpointer  data)
{
  gint64 id = create_in (f, f->work_id, "new-u", "Lunch");
  gint64 srv = server_event (f, f->work_id, "srv-u2", "Review", "\"e2\"");
  g_autoptr(CalsyncEvent) created = get_ok (f, id);
  g_autoptr(CalsyncEvent) deleted = get_ok (f, srv);
  g_autoptr(CalsyncEvent) back = NULL;
  g_autoptr(GError) error = NULL;

  /* A create taken back: gone, nothing to send */
  g_assert_null (calsync_store_undo_local_change (f->store, NULL, created, &error));
  g_assert_no_error (error);
  g_assert_null (calsync_store_lookup_event (f->store, f->work_id, "new-u", NULL));
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);

  /* A delete taken back: the server's copy again, nothing to send */
  delete_ok (f, srv);
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 1);
  back = calsync_store_undo_local_change (f->store, deleted, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpstr (calsync_event_get_external_id (back), ==, "srv-u2");
  g_assert_cmpstr (calsync_event_get_etag (back), ==, "\"e2\"");
  g_assert_false (calsync_event_get_locally_modified (back));
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
}

/* Back to an earlier edit that still waits: that edit still goes */
static void
test_undo_to_pending_edit (Fixture       *f,
                           gconstpointer  data)
{
  gint64 id = server_event (f, f->work_id, "srv-u3", "Standup", "\"e3\"");
  g_autoptr(CalsyncEvent) first = edit_returning (f, id, "First");
  g_autoptr(CalsyncEvent) before = get_ok (f, id);
  g_autoptr(CalsyncEvent) second = NULL;
  g_autoptr(CalsyncEvent) restored = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (calsync_event_get_title (first), ==, "First");
  g_assert_true (calsync_event_get_pending (before));
  g_usleep (2000);
  second = edit_returning (f, id, "Second");
  restored = calsync_store_undo_local_change (f->store, before, second, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (calsync_event_get_title (restored), ==, "First");
  g_assert_true (calsync_event_get_pending (restored));

  entries = outbox (f, f->work_id);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpint (ENTRY (entries, 0)->kind, ==, CALSYNC_OUTBOX_UPDATE);
  g_assert_cmpstr (ENTRY (entries, 0)->etag, ==, "\"e3\"");
  g_assert_cmpstr (calsync_event_get_title (ENTRY (entries, 0)->event), ==, "First");
}

/* Once a sync sent it, or after another edit, an undo is refused and changes nothing */
static void
test_undo_refused_once_sent (Fixture       *f,
                             gconstpointer  data)
{
  gint64 id = server_event (f, f->work_id, "srv-u4", "Standup", "\"e4\"");
  g_autoptr(CalsyncEvent) before = get_ok (f, id);
  g_autoptr(CalsyncEvent) after = edit_returning (f, id, "Moved");
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(GPtrArray) entries = outbox (f, f->work_id);
  g_autoptr(GError) error = NULL;
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_WRITTEN, .etag = "\"e5\"" };

  finish_ok (f, ENTRY (entries, 0), &done);
  g_assert_false (range_pending (f, "srv-u4"));
  g_assert_null (calsync_store_undo_local_change (f->store, before, after, &error));
  g_assert_error (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
  stored = get_ok (f, id);
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Moved");
  g_assert_cmpstr (calsync_event_get_etag (stored), ==, "\"e5\"");
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
}

/* The window's way: on the thread of local writes */
static void
test_undo_async (Fixture       *f,
                 gconstpointer  data)
{
  gint64 id = server_event (f, f->work_id, "srv-u5", "Standup", "\"e6\"");
  g_autoptr(CalsyncEvent) before = get_ok (f, id);
  g_autoptr(CalsyncEvent) after = edit_returning (f, id, "Moved");
  g_autoptr(CalsyncEvent) restored = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  calsync_store_undo_local_change_async (f->store, before, after, calsync_test_result_cb, &result);
  g_assert_true (calsync_store_undo_local_change_finish (f->store, calsync_test_spin (&result), &restored, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (calsync_event_get_title (restored), ==, "Standup");
  g_assert_cmpint (calsync_store_count_outbox (f->store, 0, NULL), ==, 0);
  g_clear_object (&result);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/outbox/merge/create-then-edit", test_create_then_edit_is_a_create);
  ADD ("/outbox/merge/create-then-delete", test_create_then_delete_sends_nothing);
  ADD ("/outbox/merge/edit-then-delete", test_edit_then_delete_is_a_delete);
  ADD ("/outbox/merge/local-calendar", test_local_calendar_has_no_outbox);
  ADD ("/outbox/pending-delete-kept", test_pending_delete_not_brought_back);
  ADD ("/outbox/order-and-reopen", test_order_and_reopen);
  ADD ("/outbox/read-only", test_read_only_refuses);
  ADD ("/outbox/resources/kept-removed", test_resources_kept_removed);
  ADD ("/outbox/resources/swept-edits-kept", test_resources_swept_and_edits_kept);
  ADD ("/outbox/push/written-create", test_written_create_takes_server_id);
  ADD ("/outbox/push/written-create-meets-pulled-copy", test_written_create_meets_pulled_copy);
  ADD ("/outbox/push/written-caldav", test_written_caldav_keeps_resource);
  ADD ("/outbox/push/edited-in-flight", test_edited_while_in_flight_waits);
  ADD ("/outbox/push/lost", test_lost_restores_server_copy);
  ADD ("/outbox/push/refused", test_refused_forgets_cursor);
  ADD ("/outbox/import-series", test_import_series);
  ADD ("/outbox/undo/edit-back-to-server", test_undo_edit_back_to_server);
  ADD ("/outbox/undo/create-and-delete", test_undo_create_and_delete);
  ADD ("/outbox/undo/to-pending-edit", test_undo_to_pending_edit);
  ADD ("/outbox/undo/refused-once-sent", test_undo_refused_once_sent);
  ADD ("/outbox/undo/async", test_undo_async);
#undef ADD

  return g_test_run ();
}
