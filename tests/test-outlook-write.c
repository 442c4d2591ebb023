/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-outlook-write.c: local changes sent to the fake Microsoft Graph.
 *
 * Through the real `calsync --sync --json` (signed in with --add-account, edits
 * made in the store as the window makes them): create, edit, delete, an
 * occurrence edited (an exception on the server) and deleted (@removed in the
 * next round), conflicts both ways, a calendar that became read-only, an event
 * deleted on the server meanwhile (refused, the server's copy restored), an
 * offline sync whose changes go with the next one, and a `calsync` killed
 * after the server took its create but before the answer came: the retry
 * creates no duplicate (the same transactionId).
 *
 * Directly through the provider's write slot: what goes on the wire (zones,
 * all-day, transactionId), a stale etag settled both ways, and the refusals
 * (canEdit false, a token without Calendars.ReadWrite, an unknown id). */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "calsync-fake-graph.h"
#include "calsync-outlook-private.h"
#include "calsync-test-sync.h"
#include "calsync-test-utils.h"

#define ANN      "ann@contoso.example"
#define DEFAULT  "AAMkAGI2TGuLAAA="
#define SHARED   "AAMkAGI2TGuLSSS="
#define SYNC_TIMEOUT_MS 60000

typedef struct
{
  char *dir;
  char *stderr_path;
  CalsyncFakeGraph *graph;
  gint64 calendar_id;       /* DEFAULT, stored */
  gint64 shared_id;         /* SHARED, stored */
} Fixture;

static void
put_event (Fixture    *fx,
           const char *calendar_id,
           const char *json)
{
  calsync_fake_graph_put_event_json (fx->graph, calendar_id, json);
}

#define TIMED(id, subject, day, hour) \
  "{\"id\":\"" id "\",\"subject\":\"" subject "\",\"type\":\"singleInstance\"," \
  "\"body\":{\"contentType\":\"text\",\"content\":\"\"}," \
  "\"start\":{\"dateTime\":\"2026-06-" day "T" hour ":00:00.0000000\",\"timeZone\":\"UTC\"}," \
  "\"end\":{\"dateTime\":\"2026-06-" day "T" hour ":30:00.0000000\",\"timeZone\":\"UTC\"}," \
  "\"originalStartTimeZone\":\"W. Europe Standard Time\",\"originalEndTimeZone\":\"W. Europe Standard Time\"}"

#define OCCURRENCE(n, day) \
  "{\"id\":\"AAMkStandup" n "\",\"subject\":\"Standup\",\"type\":\"occurrence\"," \
  "\"seriesMasterId\":\"AAMkStandupMaster\",\"originalStart\":\"2026-06-" day "T07:00:00Z\"," \
  "\"start\":{\"dateTime\":\"2026-06-" day "T07:00:00.0000000\",\"timeZone\":\"UTC\"}," \
  "\"end\":{\"dateTime\":\"2026-06-" day "T07:15:00.0000000\",\"timeZone\":\"UTC\"}," \
  "\"originalStartTimeZone\":\"W. Europe Standard Time\"}"

static void
seed_graph (Fixture *fx)
{
  calsync_fake_graph_set_user (fx->graph, ANN, ANN);
  calsync_fake_graph_add_calendar (fx->graph, DEFAULT, "Calendar", "", "auto", TRUE, TRUE);
  calsync_fake_graph_add_calendar (fx->graph, SHARED, "Shared", "#8fbc8f", "lightGreen", TRUE, FALSE);
  put_event (fx, DEFAULT, TIMED ("AAMkReview", "Review", "16", "08"));
  put_event (fx, DEFAULT, TIMED ("AAMkLunch", "Lunch", "17", "11"));
  put_event (fx, DEFAULT, OCCURRENCE ("1", "18"));
  put_event (fx, DEFAULT, OCCURRENCE ("2", "19"));
  put_event (fx, DEFAULT, OCCURRENCE ("3", "22"));
  put_event (fx, SHARED, TIMED ("AAMkShared", "Shared plan", "18", "09"));
}

/* Fixture ------------------------------------------------------------------------ */

static CalsyncStore *
open_store (Fixture *fx)
{
  return calsync_test_open_store (fx->dir);
}

static gint64
stored_calendar (CalsyncStore *store,
                 const char   *remote_id)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (store, NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      g_autoptr(GPtrArray) calendars =
        calsync_store_list_calendars (store, calsync_account_get_id (g_ptr_array_index (accounts, i)), NULL);

      for (guint j = 0; calendars != NULL && j < calendars->len; j++)
        if (g_strcmp0 (calsync_calendar_get_remote_id (g_ptr_array_index (calendars, j)), remote_id) == 0)
          return calsync_calendar_get_id (g_ptr_array_index (calendars, j));
    }

  g_error ("No stored calendar %s", remote_id);
}

static JsonObject *
sync_json (Fixture    *fx,
           int         expected_status,
           const char *when)
{
  return calsync_test_sync_json (fx->dir, expected_status, when);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;

  fx->dir = g_dir_make_tmp ("calsync-outlook-write-XXXXXX", &error);
  g_assert_no_error (error);
  store = calsync_test_open_store (fx->dir);
  calsync_test_reserve_account_ids (calsync_store_get_path (store));
  g_clear_object (&store);
  fx->stderr_path = g_build_filename (g_get_tmp_dir (), "calsync-outlook-write-stderr-XXXXXX", NULL);
  g_close (g_mkstemp (fx->stderr_path), NULL);
  fx->graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (fx->graph);
  seed_graph (fx);

  launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, fx->dir);
  g_assert_cmpint (calsync_test_cli_add_account (launcher, "outlook", fx->stderr_path, &url, &rest, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Connected " ANN " with 2 calendars."));

  first = sync_json (fx, 0, "the first sync");
  g_assert_cmpint (json_object_get_int_member (calsync_test_result_of (first, "Calendar"), "synced"), ==, 5);
  store = open_store (fx);
  fx->calendar_id = stored_calendar (store, DEFAULT);
  fx->shared_id = stored_calendar (store, SHARED);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->graph);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (fx->dir);
  g_remove (fx->stderr_path);
  g_clear_pointer (&fx->dir, g_free);
  g_clear_pointer (&fx->stderr_path, g_free);
}

/* Local edits, as the window makes them ------------------------------------------ */

static CalsyncEvent *
lookup (Fixture    *fx,
        gint64      calendar_id,
        const char *external_id)
{
  g_autoptr(CalsyncStore) store = open_store (fx);
  g_autoptr(GError) error = NULL;
  CalsyncEvent *event = calsync_store_lookup_event (store, calendar_id, external_id, &error);

  g_assert_no_error (error);
  return event;
}

static void
edit_title (Fixture    *fx,
            gint64      calendar_id,
            const char *external_id,
            const char *title)
{
  g_autoptr(CalsyncStore) store = open_store (fx);
  g_autoptr(CalsyncEvent) event = calsync_store_lookup_event (store, calendar_id, external_id, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (event);
  calsync_event_set_title (event, title);
  g_assert_true (calsync_store_edit_local_event (store, event, &error));
  g_assert_no_error (error);
}

static void
delete_local (Fixture    *fx,
              gint64      calendar_id,
              const char *external_id)
{
  g_autoptr(CalsyncStore) store = open_store (fx);
  g_autoptr(CalsyncEvent) event = calsync_store_lookup_event (store, calendar_id, external_id, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (event);
  g_assert_true (calsync_store_delete_local_event (store, calsync_event_get_id (event), &error));
  g_assert_no_error (error);
}

/* A new event of an hour on @day of June 2026, 10:00 in Berlin */
static void
create_local (Fixture    *fx,
              gint64      calendar_id,
              const char *title,
              int         day)
{
  g_autoptr(CalsyncStore) store = open_store (fx);
  g_autofree char *iso = g_strdup_printf ("2026-06-%02dT10:00:00+02:00", day);
  gint64 start = calsync_test_instant (iso);
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event (NULL, title, start, start + 3600, "Europe/Berlin");
  g_autoptr(GError) error = NULL;

  calsync_event_set_calendar_id (event, calendar_id);
  g_assert_cmpint (calsync_store_create_local_event (store, event, &error), >, 0);
  g_assert_no_error (error);
}

static gint64
outbox_count (Fixture *fx)
{
  g_autoptr(CalsyncStore) store = open_store (fx);

  return calsync_store_count_outbox (store, 0, NULL);
}

static gint64
pushed (JsonObject *report,
        const char *calendar)
{
  return json_object_get_int_member (calsync_test_result_of (report, calendar), "pushed");
}

static gint64
conflicts (JsonObject *report,
           const char *calendar)
{
  return json_object_get_int_member (calsync_test_result_of (report, calendar), "conflicts");
}

/* The messages of a calendar's result joined by "\n" */
static char *
messages (JsonObject *report,
          const char *calendar)
{
  JsonObject *result = calsync_test_result_of (report, calendar);
  JsonArray *array = json_object_has_member (result, "messages") ? json_object_get_array_member (result, "messages")
                                                                  : NULL;
  GString *out = g_string_new (NULL);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    g_string_append_printf (out, "%s\n", json_array_get_string_element (array, i));
  return g_string_free (out, FALSE);
}

static const char *
server_subject (JsonObject *event)
{
  return json_object_get_string_member_with_default (event, "subject", NULL);
}

/* Create, edit, delete ------------------------------------------------------------ */

static void
test_create_edit_delete (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) quiet = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) review = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autofree char *id = NULL;

  create_local (fx, fx->calendar_id, "Dentist", 24);
  edit_title (fx, fx->calendar_id, "AAMkReview", "Review (moved)");
  delete_local (fx, fx->calendar_id, "AAMkLunch");
  g_assert_cmpint (outbox_count (fx), ==, 3);

  report = sync_json (fx, 0, "the sync that pushes");
  g_assert_cmpint (pushed (report, "Calendar"), ==, 3);
  g_assert_cmpint (conflicts (report, "Calendar"), ==, 0);
  g_assert_cmpint (outbox_count (fx), ==, 0);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), ==, 3);

  /* On the server: the new event in Berlin's Windows zone, the edit, no lunch */
  id = calsync_fake_graph_find_event_id (fx->graph, DEFAULT, "Dentist");
  g_assert_nonnull (id);
  created = calsync_fake_graph_dup_event (fx->graph, DEFAULT, id);
  g_assert_cmpstr (json_object_get_string_member (created, "originalStartTimeZone"), ==, "W. Europe Standard Time");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (created, "start"), "dateTime"),
                   ==, "2026-06-24T08:00:00.0000000");
  g_assert_true (json_object_has_member (created, "transactionId"));
  g_assert_false (json_object_has_member (created, "attendees"));
  review = calsync_fake_graph_dup_event (fx->graph, DEFAULT, "AAMkReview");
  g_assert_cmpstr (server_subject (review), ==, "Review (moved)");
  g_assert_null (calsync_fake_graph_dup_event (fx->graph, DEFAULT, "AAMkLunch"));

  /* Here: the created event under the server's id, with its etag */
  stored = lookup (fx, fx->calendar_id, id);
  g_assert_nonnull (stored);
  g_assert_cmpstr (calsync_event_get_etag (stored), ==, json_object_get_string_member (created, "@odata.etag"));
  g_assert_false (calsync_event_get_pending (stored));

  /* Nothing more to send; the server's own next change comes back */
  put_event (fx, DEFAULT, TIMED ("AAMkLater", "Later", "25", "15"));
  quiet = sync_json (fx, 0, "the quiet sync");
  g_assert_cmpint (pushed (quiet, "Calendar"), ==, 0);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), ==, 3);
  g_clear_object (&stored);
  stored = lookup (fx, fx->calendar_id, "AAMkLater");
  g_assert_nonnull (stored);
  g_assert_cmpuint (calsync_fake_graph_count_events (fx->graph, DEFAULT), ==, 6);
}

/* An occurrence edited becomes an exception; one deleted leaves the series */
static void
test_occurrences (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) exception = NULL;
  g_autoptr(JsonObject) other = NULL;
  g_autoptr(CalsyncEvent) gone = NULL;
  g_autoptr(CalsyncEvent) kept = NULL;

  edit_title (fx, fx->calendar_id, "AAMkStandup1", "Standup (long)");
  delete_local (fx, fx->calendar_id, "AAMkStandup2");

  report = sync_json (fx, 0, "the occurrence sync");
  g_assert_cmpint (pushed (report, "Calendar"), ==, 2);
  exception = calsync_fake_graph_dup_event (fx->graph, DEFAULT, "AAMkStandup1");
  g_assert_cmpstr (json_object_get_string_member (exception, "type"), ==, "exception");
  g_assert_cmpstr (server_subject (exception), ==, "Standup (long)");
  g_assert_cmpstr (json_object_get_string_member (exception, "seriesMasterId"), ==, "AAMkStandupMaster");
  g_assert_null (calsync_fake_graph_dup_event (fx->graph, DEFAULT, "AAMkStandup2"));
  other = calsync_fake_graph_dup_event (fx->graph, DEFAULT, "AAMkStandup3");
  g_assert_cmpstr (json_object_get_string_member (other, "type"), ==, "occurrence");

  /* The next round brings the exception and the removal back: they agree */
  again = sync_json (fx, 0, "the sync after");
  g_assert_cmpint (pushed (again, "Calendar"), ==, 0);
  gone = lookup (fx, fx->calendar_id, "AAMkStandup2");
  g_assert_null (gone);
  kept = lookup (fx, fx->calendar_id, "AAMkStandup1");
  g_assert_cmpstr (calsync_event_get_title (kept), ==, "Standup (long)");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (kept), ==, "AAMkStandupMaster");
}

/* Conflicts --------------------------------------------------------------------------- */

static void
test_conflict_server_newer (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) server = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autofree char *text = NULL;

  edit_title (fx, fx->calendar_id, "AAMkReview", "Review (ours)");
  /* Made on the phone after the edit here */
  put_event (fx, DEFAULT, TIMED ("AAMkReview", "Review (phone)", "16", "09"));

  report = sync_json (fx, 0, "the conflict sync");
  g_assert_cmpint (pushed (report, "Calendar"), ==, 0);
  g_assert_cmpint (conflicts (report, "Calendar"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (calsync_test_result_of (report, "Calendar"), "status"), ==,
                   "success");
  text = messages (report, "Calendar");
  g_assert_nonnull (strstr (text, "Your change to “Review (ours)” was replaced by a newer one from Outlook"));

  server = calsync_fake_graph_dup_event (fx->graph, DEFAULT, "AAMkReview");
  g_assert_cmpstr (server_subject (server), ==, "Review (phone)");
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), ==, 0);
  stored = lookup (fx, fx->calendar_id, "AAMkReview");
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Review (phone)");
  g_assert_cmpint (outbox_count (fx), ==, 0);
}

static void
test_conflict_local_newer (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) server = NULL;
  g_autofree char *text = NULL;

  /* Changed on the phone before the edit here, not yet pulled */
  put_event (fx, DEFAULT, TIMED ("AAMkReview", "Review (phone)", "16", "09"));
  g_usleep (2000);   /* the edit here is strictly later on the clock both read */
  edit_title (fx, fx->calendar_id, "AAMkReview", "Review (ours)");

  report = sync_json (fx, 0, "the conflict sync");
  g_assert_cmpint (pushed (report, "Calendar"), ==, 1);
  g_assert_cmpint (conflicts (report, "Calendar"), ==, 1);
  text = messages (report, "Calendar");
  g_assert_nonnull (strstr (text, "A change to “Review (ours)” made on the server was replaced by your newer one"));

  server = calsync_fake_graph_dup_event (fx->graph, DEFAULT, "AAMkReview");
  g_assert_cmpstr (server_subject (server), ==, "Review (ours)");
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), ==, 1);
}

/* Refusals ------------------------------------------------------------------------------ */

/* canEdit turned false after the edit: the change is dropped, named, the
 * server's copy restored; the calendar is read-only here from then on */
static void
test_became_read_only (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autofree char *text = NULL;

  edit_title (fx, fx->shared_id, "AAMkShared", "Shared plan (ours)");
  calsync_fake_graph_add_calendar (fx->graph, SHARED, "Shared", "#8fbc8f", "lightGreen", FALSE, FALSE);

  report = sync_json (fx, 0, "the read-only sync");
  g_assert_cmpint (pushed (report, "Shared"), ==, 0);
  text = messages (report, "Shared");
  g_assert_nonnull (strstr (text, "Shared plan (ours)"));
  g_assert_nonnull (strstr (text, "read-only"));
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), ==, 0);

  store = open_store (fx);
  calendar = calsync_store_get_calendar (store, fx->shared_id, NULL);
  g_assert_true (calsync_calendar_get_read_only (calendar));
  stored = calsync_store_lookup_event (store, fx->shared_id, "AAMkShared", NULL);
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Shared plan");
  g_assert_cmpint (outbox_count (fx), ==, 0);
}

/* Edited here, deleted on the server: 404, refused and named; the full round
 * that follows takes the event away here too */
static void
test_gone_on_server (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autofree char *text = NULL;

  edit_title (fx, fx->calendar_id, "AAMkLunch", "Lunch (ours)");
  calsync_fake_graph_delete_event (fx->graph, DEFAULT, "AAMkLunch");

  report = sync_json (fx, 0, "the 404 sync");
  g_assert_cmpint (pushed (report, "Calendar"), ==, 0);
  text = messages (report, "Calendar");
  g_assert_nonnull (strstr (text, "“Lunch (ours)” is no longer in Outlook."));
  stored = lookup (fx, fx->calendar_id, "AAMkLunch");
  g_assert_null (stored);
  g_assert_cmpint (outbox_count (fx), ==, 0);
  g_assert_cmpuint (calsync_fake_graph_count_events (fx->graph, DEFAULT), ==, 4);
}

/* Offline, then online --------------------------------------------------------------------- */

static void
test_offline_then_online (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(JsonObject) offline = NULL;
  g_autoptr(JsonObject) online = NULL;

  create_local (fx, fx->calendar_id, "Offline idea", 26);
  calsync_fake_graph_set_offline (fx->graph, TRUE);
  offline = sync_json (fx, 1, "the offline sync");
  g_assert_false (json_object_get_boolean_member (offline, "success"));
  g_assert_cmpint (outbox_count (fx), ==, 1);

  calsync_fake_graph_set_offline (fx->graph, FALSE);
  online = sync_json (fx, 0, "the sync back online");
  g_assert_cmpint (pushed (online, "Calendar"), ==, 1);
  g_assert_cmpint (outbox_count (fx), ==, 0);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), ==, 1);
  g_free (calsync_fake_graph_find_event_id (fx->graph, DEFAULT, "Offline idea"));
}

/* A crash between the server's acceptance and the local commit --------------------------------- */

static gboolean
create_stalled (gpointer data)
{
  Fixture *fx = data;

  return calsync_fake_graph_get_n_writes (fx->graph) == 1 && calsync_fake_graph_get_n_stalled (fx->graph) == 1;
}

static void
test_crash_after_create (Fixture       *fx,
                         gconstpointer  data)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(JsonObject) retry = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *id = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  CalsyncTestRun *killed;
  CalsyncTestChild *child;

  create_local (fx, fx->calendar_id, "Board meeting", 29);
  calsync_fake_graph_set_write_fault (fx->graph, CALSYNC_FAKE_GRAPH_FAULT_STALL);
  child = calsync_test_child_spawn (fx->dir, args, NULL);
  g_assert_true (calsync_test_wait_until (create_stalled, fx, SYNC_TIMEOUT_MS));
  /* The server has it; calsync dies before it hears so */
  killed = calsync_test_child_finish (child, 1);
  g_assert_null (killed);
  calsync_fake_graph_release_stalled (fx->graph);
  g_assert_cmpint (outbox_count (fx), ==, 1);

  retry = sync_json (fx, 0, "the sync after the crash");
  g_assert_cmpint (pushed (retry, "Calendar"), ==, 1);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), ==, 1);
  g_assert_cmpuint (calsync_fake_graph_get_n_replayed_creates (fx->graph), ==, 1);
  /* One on the server, one here, under the server's id */
  id = calsync_fake_graph_find_event_id (fx->graph, DEFAULT, "Board meeting");
  g_assert_nonnull (id);
  stored = lookup (fx, fx->calendar_id, id);
  g_assert_nonnull (stored);
  store = open_store (fx);
  events = calsync_store_query_range (store, calsync_test_instant ("2026-06-29T00:00:00Z"),
                                      calsync_test_instant ("2026-06-30T00:00:00Z"), NULL);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (outbox_count (fx), ==, 0);
}

/* The same for an edit: Graph applied the PATCH, the answer was lost; the
 * retry meets a new etag (412), reads the event back, finds the change there
 * and counts it as sent, not as a conflict (its lastModifiedDateTime, later
 * than the edit here, must not make it "a newer change from Outlook") */
static void
test_crash_after_patch (Fixture       *fx,
                        gconstpointer  data)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(JsonObject) retry = NULL;
  g_autoptr(JsonObject) review = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  CalsyncTestRun *killed;
  CalsyncTestChild *child;

  edit_title (fx, fx->calendar_id, "AAMkReview", "Review (room 4)");
  calsync_fake_graph_set_write_fault (fx->graph, CALSYNC_FAKE_GRAPH_FAULT_STALL);
  child = calsync_test_child_spawn (fx->dir, args, NULL);
  g_assert_true (calsync_test_wait_until (create_stalled, fx, SYNC_TIMEOUT_MS));
  killed = calsync_test_child_finish (child, 1);
  g_assert_null (killed);
  calsync_fake_graph_release_stalled (fx->graph);
  g_assert_cmpint (outbox_count (fx), ==, 1);

  retry = sync_json (fx, 0, "the sync after the crash");
  g_assert_cmpint (pushed (retry, "Calendar"), ==, 1);
  g_assert_cmpint (conflicts (retry, "Calendar"), ==, 0);
  review = calsync_fake_graph_dup_event (fx->graph, DEFAULT, "AAMkReview");
  g_assert_cmpstr (server_subject (review), ==, "Review (room 4)");
  stored = lookup (fx, fx->calendar_id, "AAMkReview");
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Review (room 4)");
  g_assert_cmpstr (calsync_event_get_etag (stored), ==, json_object_get_string_member (review, "@odata.etag"));
  g_assert_cmpint (outbox_count (fx), ==, 0);
}

/* Directly through the write slot ---------------------------------------------------------------- */

typedef struct
{
  CalsyncFakeGraph *graph;
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
  CalsyncProvider *provider;
  CalsyncCalendar *calendar;
} Direct;

static void
direct_set_up (Direct     *d,
               const char *scope)
{
  g_autoptr(CalsyncOAuthConfig) config = calsync_oauth_config_new_outlook ();
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  CalsyncTokens tokens = { 0 };

  d->graph = calsync_fake_graph_new ();
  calsync_fake_graph_add_calendar (d->graph, DEFAULT, "Calendar", "", "auto", TRUE, TRUE);
  calsync_fake_graph_add_calendar (d->graph, SHARED, "Shared", "", "auto", FALSE, FALSE);
  calsync_fake_graph_put_event_json (d->graph, DEFAULT, TIMED ("AAMkReview", "Review", "16", "08"));
  calsync_fake_graph_put_event_json (d->graph, SHARED, TIMED ("AAMkShared", "Shared plan", "18", "09"));
  d->http = calsync_http_new ();
  calsync_http_set_retry_policy (d->http, 2, 1, 2000);
  g_free (config->token_url);
  config->token_url = g_strdup (calsync_fake_graph_get_token_url (d->graph));
  d->credentials = calsync_credentials_new_oauth (d->http, config, 4242);
  calsync_fake_msid_issue_tokens (calsync_fake_graph_get_oauth (d->graph), "user@example.onmicrosoft.com", scope,
                                  &access, &refresh);
  tokens.access_token = access;
  tokens.refresh_token = refresh;
  tokens.expires_at = g_get_real_time () / G_USEC_PER_SEC + 3600;
  calsync_credentials_set_tokens (d->credentials, &tokens);
  d->provider = CALSYNC_PROVIDER (calsync_outlook_provider_new (d->http, d->credentials,
                                                                calsync_fake_graph_get_api_url (d->graph)));
  d->calendar = calsync_calendar_new ();
  calsync_calendar_set_remote_id (d->calendar, DEFAULT);
}

static void
direct_tear_down (Direct *d)
{
  g_clear_object (&d->calendar);
  g_clear_object (&d->provider);
  g_clear_object (&d->credentials);
  g_clear_object (&d->http);
  g_clear_object (&d->graph);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static CalsyncWriteResult *
direct_write (Direct              *d,
              const char          *calendar_id,
              const CalsyncWrite  *write,
              GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  calsync_calendar_set_remote_id (d->calendar, calendar_id);
  calsync_provider_write_event_async (d->provider, d->calendar, write, NULL, calsync_test_result_cb, &result);
  return calsync_provider_write_event_finish (d->provider, calsync_test_spin (&result), error);
}

static CalsyncEvent *
server_copy (Direct     *d,
             const char *calendar_id,
             const char *id)
{
  g_autoptr(JsonObject) object = calsync_fake_graph_dup_event (d->graph, calendar_id, id);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_assert_nonnull (object);
  node = json_node_init_object (json_node_alloc (), object);
  text = json_to_string (node, FALSE);
  return calsync_outlook_parse_event (text, strlen (text), NULL);
}

static void
test_direct_create (void)
{
  Direct d = { 0 };
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(CalsyncEvent) day = NULL;
  g_autoptr(CalsyncWriteResult) first = NULL;
  g_autoptr(CalsyncWriteResult) again = NULL;
  g_autoptr(CalsyncWriteResult) all_day = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = calsync_outlook_transaction_id ("local-1/7");
  g_autofree char *other = NULL;
  g_autofree char *body = NULL;
  CalsyncWrite write = { CALSYNC_WRITE_CREATE };

  direct_set_up (&d, NULL);
  event = calsync_test_timed_event ("local-1", "Dentist", calsync_test_instant ("2026-06-24T10:00:00+02:00"),
                                    calsync_test_instant ("2026-06-24T10:45:00+02:00"), "Europe/Berlin");
  write.event = event;
  write.local_updated = g_get_real_time ();
  write.idempotency_key = "local-1/7";

  /* A GUID from the key, the same every time */
  g_assert_cmpuint (strlen (tid), ==, 36);
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", tid, 0, 0));
  other = calsync_outlook_transaction_id ("local-1/8");
  g_assert_cmpstr (tid, !=, other);
  body = calsync_outlook_event_body (event, tid);
  g_assert_nonnull (strstr (body, "\"start\":{\"dateTime\":\"2026-06-24T10:00:00\",\"timeZone\":\"W. Europe Standard Time\"}"));
  g_assert_null (strstr (body, "attendees"));

  first = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_true (g_str_has_prefix (first->remote_id, "AAMkAD"));
  g_assert_true (g_str_has_prefix (first->etag, "W/\""));
  g_assert_cmpstr (calsync_event_get_title (first->server_event), ==, "Dentist");
  g_assert_cmpint (calsync_event_get_start (first->server_event), ==, calsync_event_get_start (event));
  g_assert_cmpint (calsync_event_get_remote_updated (first->server_event), >, 0);
  stored = calsync_fake_graph_dup_event (d.graph, DEFAULT, first->remote_id);
  g_assert_cmpstr (json_object_get_string_member (stored, "transactionId"), ==, tid);

  /* The answer was lost: the retry is answered with the same event */
  again = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->remote_id, ==, first->remote_id);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (d.graph), ==, 1);
  g_assert_cmpuint (calsync_fake_graph_count_events (d.graph, DEFAULT), ==, 2);

  /* All day: midnights, isAllDay */
  day = calsync_event_new ();
  calsync_event_set_external_id (day, "local-2");
  calsync_event_set_title (day, "Offsite");
  calsync_event_set_dates (day, "2026-06-20", "2026-06-22");
  write.event = day;
  write.idempotency_key = "local-2/8";
  all_day = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_true (calsync_event_get_all_day (all_day->server_event));
  g_assert_cmpstr (calsync_event_get_start_date (all_day->server_event), ==, "2026-06-20");
  g_assert_cmpstr (calsync_event_get_end_date (all_day->server_event), ==, "2026-06-22");

  direct_tear_down (&d);
}

static void
test_direct_stale_etag (void)
{
  Direct d = { 0 };
  g_autoptr(CalsyncEvent) review = NULL;
  g_autoptr(CalsyncWriteResult) lost = NULL;
  g_autoptr(CalsyncWriteResult) won = NULL;
  g_autoptr(CalsyncWriteResult) deleted = NULL;
  g_autoptr(JsonObject) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stale = NULL;
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE };

  direct_set_up (&d, NULL);
  review = server_copy (&d, DEFAULT, "AAMkReview");
  stale = g_strdup (calsync_event_get_etag (review));
  calsync_fake_graph_put_event_json (d.graph, DEFAULT, TIMED ("AAMkReview", "Review (phone)", "16", "09"));
  calsync_event_set_title (review, "Review (ours)");
  write.event = review;
  write.etag = stale;

  /* Edited here before the phone did */
  write.local_updated = 1;
  lost = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lost->outcome, ==, CALSYNC_WRITE_OUTCOME_LOST);
  g_assert_cmpstr (calsync_event_get_title (lost->server_event), ==, "Review (phone)");
  g_assert_cmpstr (lost->etag, !=, stale);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (d.graph), ==, 0);

  /* Edited here after */
  write.local_updated = g_get_real_time () + G_USEC_PER_SEC;
  won = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_cmpint (won->outcome, ==, CALSYNC_WRITE_OUTCOME_WON);
  g_assert_cmpstr (calsync_event_get_title (won->server_event), ==, "Review (ours)");
  server = calsync_fake_graph_dup_event (d.graph, DEFAULT, "AAMkReview");
  g_assert_cmpstr (server_subject (server), ==, "Review (ours)");
  g_assert_cmpstr (json_object_get_string_member (server, "@odata.etag"), ==, won->etag);

  /* A delete on the stale etag, newer here: deleted */
  write.kind = CALSYNC_WRITE_DELETE;
  deleted = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deleted->outcome, ==, CALSYNC_WRITE_OUTCOME_WON);
  g_assert_true (deleted->deleted);
  g_assert_null (calsync_fake_graph_dup_event (d.graph, DEFAULT, "AAMkReview"));

  direct_tear_down (&d);
}

static void
assert_refused (Direct             *d,
                const char         *calendar_id,
                const CalsyncWrite *write,
                const char         *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncWriteResult) result = direct_write (d, calendar_id, write, &error);

  g_assert_null (result);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_direct_refusals (void)
{
  Direct d = { 0 };
  g_autoptr(CalsyncEvent) shared = NULL;
  g_autoptr(CalsyncEvent) missing = NULL;
  g_autoptr(CalsyncWriteResult) gone = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE };

  /* canEdit false: 403 */
  direct_set_up (&d, NULL);
  shared = server_copy (&d, SHARED, "AAMkShared");
  write.event = shared;
  write.etag = calsync_event_get_etag (shared);
  write.local_updated = g_get_real_time ();
  assert_refused (&d, SHARED, &write, "Outlook does not let you change “Shared plan”.");

  /* An id Graph does not know: 404; a delete of it is done */
  missing = calsync_test_timed_event ("AAMkNowhere", "Ghost", 1781600000, 1781603600, "UTC");
  calsync_event_set_etag (missing, "W/\"x\"");
  write.event = missing;
  write.etag = "W/\"x\"";
  assert_refused (&d, DEFAULT, &write, "“Ghost” is no longer in Outlook.");
  write.kind = CALSYNC_WRITE_DELETE;
  gone = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_true (gone->deleted);

  /* A whole imported series Graph has no pattern for: not sent, said why */
  write.kind = CALSYNC_WRITE_CREATE;
  write.whole = TRUE;
  write.event = shared;
  write.idempotency_key = "shared/1";
  write.resource_text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:shared\r\n"
                        "DTSTART:20260618T090000Z\r\nRRULE:FREQ=HOURLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  assert_refused (&d, DEFAULT, &write,
                  "“Shared plan” repeats several times a day: Outlook cannot store such a series, so it was not "
                  "sent. Import the file in Outlook instead.");
  write.resource_text = NULL;
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (d.graph), ==, 0);
  direct_tear_down (&d);

  /* Signed in to read only: Graph refuses with 403 */
  direct_set_up (&d, "offline_access User.Read Calendars.Read");
  g_clear_object (&shared);
  shared = server_copy (&d, DEFAULT, "AAMkReview");
  write.kind = CALSYNC_WRITE_UPDATE;
  write.whole = FALSE;
  write.event = shared;
  write.etag = calsync_event_get_etag (shared);
  assert_refused (&d, DEFAULT, &write, "Outlook does not let you change “Review”.");
  direct_tear_down (&d);
}

/* RRULE → patternedRecurrence ------------------------------------------------------ */

typedef struct
{
  const char *rule;
  const char *json;      /* NULL: refused */
  const char *reason;    /* a part of the reason of a refusal */
} RuleCase;

#define BERLIN_RANGE "\"startDate\":\"2026-12-01\",\"recurrenceTimeZone\":\"W. Europe Standard Time\"}}"

static void
test_recurrence_mapping (void)
{
  /* The first instance: Tuesday 2026-12-01 09:30 in Berlin */
  static const RuleCase cases[] = {
    { "FREQ=WEEKLY;COUNT=8",
      "{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":[\"tuesday\"],\"firstDayOfWeek\":\"monday\"},"
      "\"range\":{\"type\":\"numbered\",\"numberOfOccurrences\":8," BERLIN_RANGE, NULL },
    { "FREQ=DAILY;INTERVAL=3",
      "{\"pattern\":{\"type\":\"daily\",\"interval\":3},\"range\":{\"type\":\"noEnd\"," BERLIN_RANGE, NULL },
    /* UNTIL in UTC seen in Berlin: 2027-01-31 23:30Z is Feb 1st 00:30, before that day's 09:30 */
    { "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU;UNTIL=20270131T233000Z",
      "{\"pattern\":{\"type\":\"weekly\",\"interval\":2,\"daysOfWeek\":[\"tuesday\",\"thursday\"],"
      "\"firstDayOfWeek\":\"sunday\"},\"range\":{\"type\":\"endDate\",\"endDate\":\"2027-01-31\"," BERLIN_RANGE, NULL },
    /* 08:30Z is 09:30 in Berlin: that day's instance is in */
    { "FREQ=WEEKLY;UNTIL=20261222T083000Z",
      "{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":[\"tuesday\"],\"firstDayOfWeek\":\"monday\"},"
      "\"range\":{\"type\":\"endDate\",\"endDate\":\"2026-12-22\"," BERLIN_RANGE, NULL },
    { "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
      "{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":[\"monday\",\"tuesday\",\"wednesday\","
      "\"thursday\",\"friday\"],\"firstDayOfWeek\":\"monday\"},\"range\":{\"type\":\"noEnd\"," BERLIN_RANGE, NULL },
    { "FREQ=MONTHLY;COUNT=6",
      "{\"pattern\":{\"type\":\"absoluteMonthly\",\"interval\":1,\"dayOfMonth\":1},\"range\":{\"type\":\"numbered\","
      "\"numberOfOccurrences\":6," BERLIN_RANGE, NULL },
    { "FREQ=MONTHLY;BYMONTHDAY=15",
      "{\"pattern\":{\"type\":\"absoluteMonthly\",\"interval\":1,\"dayOfMonth\":15},\"range\":{\"type\":\"noEnd\","
      BERLIN_RANGE, NULL },
    { "FREQ=MONTHLY;BYDAY=1TU",
      "{\"pattern\":{\"type\":\"relativeMonthly\",\"interval\":1,\"index\":\"first\",\"daysOfWeek\":[\"tuesday\"]},"
      "\"range\":{\"type\":\"noEnd\"," BERLIN_RANGE, NULL },
    { "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR",
      "{\"pattern\":{\"type\":\"relativeMonthly\",\"interval\":2,\"index\":\"last\",\"daysOfWeek\":[\"friday\"]},"
      "\"range\":{\"type\":\"noEnd\"," BERLIN_RANGE, NULL },
    { "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
      "{\"pattern\":{\"type\":\"relativeMonthly\",\"interval\":1,\"index\":\"last\",\"daysOfWeek\":[\"monday\","
      "\"tuesday\",\"wednesday\",\"thursday\",\"friday\"]},\"range\":{\"type\":\"noEnd\"," BERLIN_RANGE, NULL },
    { "FREQ=YEARLY",
      "{\"pattern\":{\"type\":\"absoluteYearly\",\"interval\":1,\"month\":12,\"dayOfMonth\":1},\"range\":{\"type\":"
      "\"noEnd\"," BERLIN_RANGE, NULL },
    { "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=3",
      "{\"pattern\":{\"type\":\"relativeYearly\",\"interval\":1,\"month\":11,\"index\":\"fourth\",\"daysOfWeek\":"
      "[\"thursday\"]},\"range\":{\"type\":\"numbered\",\"numberOfOccurrences\":3," BERLIN_RANGE, NULL },
    { "FREQ=HOURLY;INTERVAL=2", NULL, "several times a day" },
    { "FREQ=DAILY;BYHOUR=9,17", NULL, "at several times of day" },
    { "FREQ=MONTHLY;BYMONTHDAY=1,15", NULL, "on several days of the month" },
    { "FREQ=MONTHLY;BYMONTHDAY=-1", NULL, "counted from the end of the month" },
    { "FREQ=MONTHLY;BYDAY=TU", NULL, "on every such weekday of the month" },
    { "FREQ=MONTHLY;BYDAY=5FR", NULL, "fifth weekday" },
    { "FREQ=YEARLY;BYMONTH=1,7", NULL, "in several months" },
    { "FREQ=YEARLY;BYWEEKNO=20", NULL, "weeks of the year" },
    { "FREQ=WEEKLY;UNTIL=20261101T000000Z", NULL, "ending before it starts" },
    { "FREQ=SOMETIMES", NULL, "cannot read" },
  };
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) first = g_date_time_new (berlin, 2026, 12, 1, 9, 30, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reason = NULL;
      g_autofree char *json = calsync_outlook_recurrence_json (cases[i].rule, first, "W. Europe Standard Time",
                                                               &reason);

      g_test_message ("%s", cases[i].rule);
      g_assert_cmpstr (json, ==, cases[i].json);
      if (cases[i].reason != NULL)
        g_assert_nonnull (strstr (reason, cases[i].reason));
      else
        g_assert_null (reason);
    }
}

/* Whole series from a file ---------------------------------------------------------- */

#define FIXTURES SRCDIR "/tests/fixtures/ical"
#define SERIES_UID "5f1c0d4e-3b2a-4c19-9e8f-7a6b5c4d3e2f"

static char *
read_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (FIXTURES, name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

/* `calsync --import=FILE --calendar=ID`: its standard output */
static char *
import_file (Fixture    *fx,
             gint64      calendar_id,
             const char *path)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, fx->dir);
  g_autofree char *import = g_strconcat ("--import=", path, NULL);
  g_autofree char *calendar = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, calendar_id);
  const char *args[] = { import, calendar, NULL };
  g_autofree char *err = NULL;
  char *out = NULL;

  g_assert_cmpint (calsync_test_run_calsync (launcher, args, &out, &err), ==, 0);
  return out;
}

/* The ids of the events of @calendar_id whose series is @master_id, and their starts */
static GPtrArray *
stored_instances (Fixture    *fx,
                  const char *master_id)
{
  g_autoptr(CalsyncStore) store = open_store (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = calsync_store_query_range (store, 1796083200 /* 2026-11-30 */,
                                                           1801440000 /* 2027-02-01 */, &error);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_recurring_event_id (g_ptr_array_index (events, i)), master_id) == 0)
      g_ptr_array_add (found, g_object_ref (g_ptr_array_index (events, i)));
  return found;
}

static void
test_import_series (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *changed_path = g_build_filename (fx->dir, "changed.ics", NULL);
  g_autofree char *text = read_fixture ("weekly-series.ics");
  g_autofree char *changed = NULL;
  g_autofree char *out = NULL;
  g_autofree char *master_id = NULL;
  g_autofree char *board_id = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) master = NULL;
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *pattern, *range;
  JsonArray *days;
  guint writes;

  out = import_file (fx, fx->calendar_id, FIXTURES "/weekly-series.ics");
  g_assert_nonnull (strstr (out, "(2 new, 0 updated, 0 unchanged)"));
  report = sync_json (fx, 0, "the sync after the import");
  g_assert_cmpint (pushed (report, "Calendar"), ==, 2);
  g_assert_cmpint (outbox_count (fx), ==, 0);

  /* One seriesMaster, as the rule says */
  master_id = calsync_fake_graph_find_event_id (fx->graph, DEFAULT, "Team sync");
  g_assert_nonnull (master_id);
  master = calsync_fake_graph_dup_event (fx->graph, DEFAULT, master_id);
  g_assert_cmpstr (json_object_get_string_member (master, "type"), ==, "seriesMaster");
  g_assert_cmpstr (json_object_get_string_member (master, "originalStartTimeZone"), ==, "W. Europe Standard Time");
  pattern = json_object_get_object_member (json_object_get_object_member (master, "recurrence"), "pattern");
  range = json_object_get_object_member (json_object_get_object_member (master, "recurrence"), "range");
  g_assert_cmpstr (json_object_get_string_member (pattern, "type"), ==, "weekly");
  g_assert_cmpint (json_object_get_int_member (pattern, "interval"), ==, 1);
  days = json_object_get_array_member (pattern, "daysOfWeek");
  g_assert_cmpuint (json_array_get_length (days), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (days, 0), ==, "tuesday");
  g_assert_cmpstr (json_object_get_string_member (range, "type"), ==, "numbered");
  g_assert_cmpint (json_object_get_int_member (range, "numberOfOccurrences"), ==, 8);
  g_assert_cmpstr (json_object_get_string_member (range, "startDate"), ==, "2026-12-01");
  g_assert_cmpstr (json_object_get_string_member (range, "recurrenceTimeZone"), ==, "W. Europe Standard Time");
  /* The override without its series went as an event of its own */
  board_id = calsync_fake_graph_find_event_id (fx->graph, DEFAULT, "Board review (rescheduled)");
  g_assert_nonnull (board_id);

  /* Eight occurrences, less the EXDATE (Dec 29) and the cancelled one (Dec 22),
   * in the agenda with the server's ids */
  instances = stored_instances (fx, master_id);
  g_assert_cmpuint (instances->len, ==, 6);
  for (guint i = 0; i < instances->len; i++)
    {
      CalsyncEvent *instance = g_ptr_array_index (instances, i);
      g_autoptr(JsonObject) server = calsync_fake_graph_dup_event (fx->graph, DEFAULT,
                                                                   calsync_event_get_external_id (instance));
      g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (calsync_event_get_start (instance));
      g_autofree char *day = g_date_time_format (start, "%Y-%m-%d");

      g_assert_nonnull (server);
      g_assert_cmpstr (json_object_get_string_member (server, "type"), ==, "occurrence");
      g_assert_cmpstr (day, !=, "2026-12-22");
      g_assert_cmpstr (day, !=, "2026-12-29");
      g_assert_false (calsync_event_get_pending (instance));
    }
  g_clear_pointer (&instances, g_ptr_array_unref);
  g_clear_pointer (&report, json_object_unref);

  /* The same file again: the series is met, not made twice */
  g_clear_pointer (&out, g_free);
  out = import_file (fx, fx->calendar_id, FIXTURES "/weekly-series.ics");
  report = sync_json (fx, 0, "the sync after the same import");
  g_assert_cmpint (outbox_count (fx), ==, 0);
  g_clear_pointer (&master_id, g_free);
  master_id = calsync_fake_graph_find_event_id (fx->graph, DEFAULT, "Team sync");
  g_assert_nonnull (master_id);
  g_assert_cmpuint (calsync_fake_graph_count_events (fx->graph, DEFAULT), ==, 5 + 6 + 1);
  g_clear_pointer (&report, json_object_unref);

  /* Changed in the file (its title, two more weeks): updated in place */
  writes = calsync_fake_graph_get_n_writes (fx->graph);
  g_assert_nonnull (strstr (text, "SUMMARY:Team sync\nRRULE:FREQ=WEEKLY;COUNT=8\n"));
  {
    g_auto(GStrv) parts = g_strsplit (text, "SUMMARY:Team sync\nRRULE:FREQ=WEEKLY;COUNT=8\n", 2);

    changed = g_strjoinv ("SUMMARY:Team sync (new room)\nRRULE:FREQ=WEEKLY;COUNT=10\n", parts);
  }
  g_assert_true (g_file_set_contents (changed_path, changed, -1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);
  out = import_file (fx, fx->calendar_id, changed_path);
  report = sync_json (fx, 0, "the sync after the changed import");
  g_assert_cmpint (outbox_count (fx), ==, 0);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), >, writes);
  g_assert_null (calsync_fake_graph_find_event_id (fx->graph, DEFAULT, "Team sync"));
  g_clear_pointer (&master, json_object_unref);
  master = calsync_fake_graph_dup_event (fx->graph, DEFAULT, master_id);
  g_assert_cmpstr (server_subject (master), ==, "Team sync (new room)");
  range = json_object_get_object_member (json_object_get_object_member (master, "recurrence"), "range");
  g_assert_cmpint (json_object_get_int_member (range, "numberOfOccurrences"), ==, 10);
  instances = stored_instances (fx, master_id);
  g_assert_cmpuint (instances->len, ==, 7);   /* to Jan 26th, the window of stored_instances */
  for (guint i = 0; i < instances->len; i++)
    g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (instances, i)), ==, "Team sync (new room)");
  g_assert_cmpuint (calsync_fake_graph_count_events (fx->graph, DEFAULT), ==, 5 + 8 + 1);
}

/* A rule Graph has no pattern for: refused, said why, nothing left behind */
static void
test_import_series_refused (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;

  out = import_file (fx, fx->calendar_id, FIXTURES "/monthly-twice.ics");
  g_assert_nonnull (strstr (out, "(1 new, 0 updated, 0 unchanged)"));
  report = sync_json (fx, 0, "the sync after the import");
  g_assert_cmpint (pushed (report, "Calendar"), ==, 0);
  text = messages (report, "Calendar");
  g_assert_nonnull (strstr (text, "“Payroll check” repeats on several days of the month: Outlook cannot store "
                                  "such a series, so it was not sent."));
  g_assert_cmpint (outbox_count (fx), ==, 0);
  g_assert_cmpuint (calsync_fake_graph_count_events (fx->graph, DEFAULT), ==, 5);

  store = open_store (fx);
  events = calsync_store_query_range (store, 1796083200, 1799971200, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (events, i)), !=, "Payroll check");
}

/* Directly: what goes on the wire for a series, and a retry */
static void
test_direct_series (void)
{
  Direct d = { 0 };
  g_autofree char *ics = read_fixture ("weekly-series.ics");
  g_autoptr(CalsyncEvent) first = NULL;
  g_autoptr(CalsyncWriteResult) made = NULL;
  g_autoptr(CalsyncWriteResult) again = NULL;
  g_autoptr(JsonObject) master = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncWrite write = { CALSYNC_WRITE_CREATE };
  guint writes, before;

  direct_set_up (&d, NULL);
  before = calsync_fake_graph_count_events (d.graph, DEFAULT);
  /* The first instance in the window, as the import stored it */
  first = calsync_test_timed_event (SERIES_UID "_20261201", "Team sync",
                                    calsync_test_instant ("2026-12-01T09:30:00+01:00"),
                                    calsync_test_instant ("2026-12-01T10:00:00+01:00"), "Europe/Berlin");
  calsync_event_set_recurring_event_id (first, SERIES_UID);
  calsync_event_set_location (first, "Room 4.12");
  calsync_event_set_description (first, "Weekly sync of the app team.");
  write.event = first;
  write.whole = TRUE;
  write.resource_text = ics;
  write.local_updated = g_get_real_time ();
  write.idempotency_key = SERIES_UID "/1";

  made = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_true (made->replaced);
  g_assert_cmpint (made->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  master = calsync_fake_graph_dup_event (d.graph, DEFAULT, made->remote_id);
  g_assert_cmpstr (json_object_get_string_member (master, "type"), ==, "seriesMaster");
  g_assert_nonnull (json_object_get_string_member (master, "transactionId"));
  /* 8 made, 2 deleted: the EXDATE and the cancelled instance */
  g_assert_cmpuint (calsync_fake_graph_count_events (d.graph, DEFAULT), ==, before + 6);
  writes = calsync_fake_graph_get_n_writes (d.graph);
  g_assert_cmpuint (writes, ==, 3);

  /* A retry (another key: the file imported again) meets it and changes nothing */
  write.idempotency_key = SERIES_UID "/2";
  again = direct_write (&d, DEFAULT, &write, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->remote_id, ==, made->remote_id);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (d.graph), ==, writes);
  g_assert_cmpuint (calsync_fake_graph_get_n_replayed_creates (d.graph), ==, 1);
  g_assert_cmpuint (calsync_fake_graph_count_events (d.graph, DEFAULT), ==, before + 6);

  direct_tear_down (&d);
}


#define ADD(path, func) \
  g_test_add ("/outlook-write/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  if (!calsync_test_sync_init (&argc, &argv))
    return 77;

  g_test_add_func ("/outlook-write/direct/create", test_direct_create);
  g_test_add_func ("/outlook-write/direct/stale-etag", test_direct_stale_etag);
  g_test_add_func ("/outlook-write/direct/refusals", test_direct_refusals);
  g_test_add_func ("/outlook-write/recurrence-mapping", test_recurrence_mapping);
  g_test_add_func ("/outlook-write/direct/series", test_direct_series);
  ADD ("create-edit-delete", test_create_edit_delete);
  ADD ("occurrences", test_occurrences);
  ADD ("conflict/server-newer", test_conflict_server_newer);
  ADD ("conflict/local-newer", test_conflict_local_newer);
  ADD ("became-read-only", test_became_read_only);
  ADD ("gone-on-server", test_gone_on_server);
  ADD ("offline-then-online", test_offline_then_online);
  ADD ("crash-after-create", test_crash_after_create);
  ADD ("crash-after-patch", test_crash_after_patch);
  ADD ("import-series", test_import_series);
  ADD ("import-series-refused", test_import_series_refused);

  return g_test_run ();
}
