/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-google-write.c: edits made here reach Google — `calsync --sync` against
 * the fake Google, strict as the API reference is for writes (etags change on
 * every write, 412 on a stale If-Match, 409 on a duplicate id, 403 for a
 * calendar the user may only read, sendUpdates checked, patch semantics):
 * create, edit, delete, one instance of a series, conflicts both ways, a
 * refused change, a change to an event deleted there, offline then online,
 * a crash between Google's acceptance and the local commit, guests told only
 * when asked, and an account signed in read-only reconnected. The real binary,
 * with tokens in the keyring of the test session. */
#define G_LOG_DOMAIN "test-google-write"

#include "config.h"

#include <string.h>

#include "calsync-google-write.h"
#include "calsync-test-sync.h"
#include "calsync-test-utils.h"

#define ALEX "alex@example.com"
#define SHARED "holidays@group.v.calendar.google.com"
#define TIMEOUT_MS CALSYNC_TEST_TIMEOUT_MS

typedef struct
{
  CalsyncTestGoogle google;
  gint64 account_id;
  gint64 primary_id;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  calsync_test_google_setup (&fx->google, "google-write");
  fx->account_id = calsync_test_google_add_account (&fx->google, ALEX, 3600);
  fx->primary_id = calsync_test_add_calendar (fx->google.fake, fx->google.store, fx->account_id,
                                              ALEX, ALEX, ALEX, "#9fe1e7");
  calsync_test_google_put_event (&fx->google, ALEX, "standup", "Standup", 16);
  calsync_test_google_put_event (&fx->google, ALEX, "review", "Review", 17);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  calsync_test_google_teardown (&fx->google);
}

/* Helpers --------------------------------------------------------------------- */

static JsonObject *
sync_ok (Fixture    *fx,
         const char *when)
{
  return calsync_test_sync_json (fx->google.dir, 0, when);
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  return json_object_get_int_member_with_default (object, name, -1);
}

/* The sync that brings the server's events here first: nothing to send yet */
static void
first_sync (Fixture *fx)
{
  g_autoptr(JsonObject) report = sync_ok (fx, "(first sync)");

  g_assert_cmpint (member_int (report, "pushed"), ==, 0);
}

/* The messages of a result joined by "\n" ("" when none) */
static char *
result_messages (JsonObject *result)
{
  JsonArray *messages = json_object_has_member (result, "messages")
                          ? json_object_get_array_member (result, "messages") : NULL;
  GString *text = g_string_new (NULL);

  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    g_string_append_printf (text, "%s\n", json_array_get_string_element (messages, i));
  return g_string_free (text, FALSE);
}

static CalsyncEvent *
stored (Fixture    *fx,
        const char *external_id)
{
  g_autoptr(GError) error = NULL;
  CalsyncEvent *event = calsync_store_lookup_event (fx->google.store, fx->primary_id, external_id, &error);

  g_assert_no_error (error);
  return event;
}

static JsonObject *
server_event (Fixture    *fx,
              const char *calendar_id,
              const char *event_id)
{
  g_autofree char *json = calsync_fake_google_dup_event (fx->google.fake, calendar_id, event_id);
  g_autoptr(JsonNode) node = json ? json_from_string (json, NULL) : NULL;

  return node != NULL ? json_object_ref (json_node_get_object (node)) : NULL;
}

static const char *
server_title (JsonObject *event)
{
  return json_object_get_string_member_with_default (event, "summary", NULL);
}

static gint64
outbox (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  gint64 n = calsync_store_count_outbox (fx->google.store, fx->primary_id, &error);

  g_assert_no_error (error);
  return n;
}

static void
edit_title (Fixture    *fx,
            const char *external_id,
            const char *title)
{
  g_autoptr(CalsyncEvent) event = stored (fx, external_id);
  g_autoptr(GError) error = NULL;

  CALSYNC_CHECK (event != NULL, "“%s” is not stored", external_id);
  calsync_event_set_title (event, title);
  g_assert_true (calsync_store_edit_local_event (fx->google.store, event, &error));
  g_assert_no_error (error);
}

/* The server's copy changed by someone else (a phone) */
static void
edit_on_server (Fixture    *fx,
                const char *event_id,
                const char *title)
{
  g_autoptr(JsonObject) event = server_event (fx, ALEX, event_id);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *json = NULL;

  g_assert_nonnull (event);
  json_object_set_string_member (event, "summary", title);
  json_node_set_object (node, event);
  json = json_to_string (node, FALSE);
  calsync_fake_google_put_event (fx->google.fake, ALEX, json);
}

static gint64
create_here (Fixture    *fx,
             const char *title,
             int         day)
{
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = calsync_test_local_time ("Europe/Berlin", 2026, 6, day, 14, 30);
  gint64 id;

  event = calsync_test_timed_event (NULL, title, start, start + 45 * 60, "Europe/Berlin");
  calsync_event_set_calendar_id (event, fx->primary_id);
  id = calsync_store_create_local_event (fx->google.store, event, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* Server events whose summary is @title */
static guint
count_on_server (Fixture    *fx,
                 const char *calendar_id,
                 const char *title,
                 char      **id)
{
  g_autoptr(GPtrArray) ids = calsync_fake_google_list_event_ids (fx->google.fake, calendar_id);
  guint n = 0;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(JsonObject) event = server_event (fx, calendar_id, g_ptr_array_index (ids, i));

      if (event != NULL && g_strcmp0 (server_title (event), title) == 0)
        {
          n++;
          if (id != NULL)
            {
              g_free (*id);
              *id = g_strdup (g_ptr_array_index (ids, i));
            }
        }
    }
  return n;
}

/* Create, edit, delete ---------------------------------------------------------- */

static void
test_create (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonArray) agenda = NULL;
  g_autoptr(CalsyncEvent) local = NULL;
  g_autofree char *id = NULL;
  JsonObject *result;

  first_sync (fx);
  create_here (fx, "Dentist", 18);
  g_assert_cmpint (outbox (fx), ==, 1);

  second = sync_ok (fx, "with an event created here");
  result = calsync_test_result_of (second, ALEX);
  CALSYNC_CHECK (member_int (second, "pushed") == 1 && member_int (result, "pushed") == 1,
                 "`--sync --json` says pushed %" G_GINT64_FORMAT ", not 1", member_int (second, "pushed"));
  g_assert_cmpint (member_int (second, "conflicts"), ==, 0);

  CALSYNC_CHECK (count_on_server (fx, ALEX, "Dentist", &id) == 1, "Google does not hold the event created here once");
  created = server_event (fx, ALEX, id);
  /* 14:30 Berlin summer time, as a dateTime with its zone */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (created, "start"), "dateTime"), ==,
                   "2026-06-18T14:30:00+02:00");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (created, "start"), "timeZone"), ==,
                   "Europe/Berlin");
  g_assert_false (json_object_has_member (created, "attendees"));
  g_assert_cmpstr (calsync_fake_google_get_last_send_updates (fx->google.fake), ==, "none");

  /* The local event took Google's id and etag in the same transaction */
  local = stored (fx, id);
  CALSYNC_CHECK (local != NULL, "The created event was not renamed to Google's id %s", id);
  g_assert_cmpstr (calsync_event_get_etag (local), ==, json_object_get_string_member (created, "etag"));
  g_assert_false (calsync_event_get_locally_modified (local));
  g_assert_cmpint (outbox (fx), ==, 0);

  /* Nothing more to send, nothing duplicated by the pull */
  g_clear_pointer (&second, json_object_unref);
  second = sync_ok (fx, "after the create was sent");
  g_assert_cmpint (member_int (second, "pushed"), ==, 0);
  g_assert_cmpuint (count_on_server (fx, ALEX, "Dentist", NULL), ==, 1);
  agenda = calsync_test_june_agenda (fx->google.dir);
  g_assert_cmpint (calsync_test_agenda_count (agenda, "Dentist"), ==, 1);
}

static void
test_all_day_and_move (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(CalsyncEvent) review = NULL;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *start;
  const char *etag_before;

  first_sync (fx);
  review = stored (fx, "review");
  before = server_event (fx, ALEX, "review");
  etag_before = json_object_get_string_member (before, "etag");

  /* A timed event made an all-day one: date only, dateTime cleared */
  calsync_event_set_dates (review, "2026-06-19", "2026-06-20");
  g_assert_true (calsync_store_edit_local_event (fx->google.store, review, &error));
  g_assert_no_error (error);

  second = sync_ok (fx, "with an event moved to an all-day date");
  g_assert_cmpint (member_int (second, "pushed"), ==, 1);
  after = server_event (fx, ALEX, "review");
  start = json_object_get_object_member (after, "start");
  g_assert_cmpstr (json_object_get_string_member_with_default (start, "date", NULL), ==, "2026-06-19");
  g_assert_false (json_object_has_member (start, "dateTime"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (after, "end"), "date"), ==,
                   "2026-06-20");
  /* Every write gives a new etag, and the local copy has it */
  g_assert_cmpstr (json_object_get_string_member (after, "etag"), !=, etag_before);
  g_clear_object (&review);
  review = stored (fx, "review");
  g_assert_cmpstr (calsync_event_get_etag (review), ==, json_object_get_string_member (after, "etag"));
}

static void
test_edit_and_delete (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) standup = NULL;
  g_autoptr(CalsyncEvent) review = NULL;
  g_autoptr(GError) error = NULL;

  first_sync (fx);
  review = stored (fx, "review");
  edit_title (fx, "standup", "Standup (room 4)");
  g_assert_true (calsync_store_delete_local_event (fx->google.store, calsync_event_get_id (review), &error));
  g_assert_no_error (error);
  g_assert_cmpint (outbox (fx), ==, 2);

  second = sync_ok (fx, "with an edit and a delete made here");
  g_assert_cmpint (member_int (second, "pushed"), ==, 2);
  standup = server_event (fx, ALEX, "standup");
  g_assert_cmpstr (server_title (standup), ==, "Standup (room 4)");
  /* The time was sent again unchanged, the rest of the resource kept */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (standup, "start"), "dateTime"), ==,
                   "2026-06-16T10:00:00+02:00");
  g_assert_null (calsync_fake_google_dup_event (fx->google.fake, ALEX, "review"));
  g_assert_cmpint (outbox (fx), ==, 0);
}

/* One instance of a series: edited and cancelled through its own id */
static void
put_instance (Fixture *fx,
              int      day)
{
  g_autofree char *json = g_strdup_printf (
    "{\"id\":\"weekly_202606%02dT080000Z\",\"status\":\"confirmed\",\"summary\":\"Weekly\","
    "\"recurringEventId\":\"weekly\",\"iCalUID\":\"weekly@google.com\","
    "\"originalStartTime\":{\"dateTime\":\"2026-06-%02dT10:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"start\":{\"dateTime\":\"2026-06-%02dT10:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-06-%02dT10:30:00+02:00\",\"timeZone\":\"Europe/Berlin\"}}", day, day, day, day);

  calsync_fake_google_put_event (fx->google.fake, ALEX, json);
}

static void
test_instance (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) moved = NULL;
  g_autoptr(JsonObject) other = NULL;
  g_autoptr(CalsyncEvent) instance = NULL;
  g_autoptr(CalsyncEvent) cancelled = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  put_instance (fx, 16);
  put_instance (fx, 23);
  put_instance (fx, 30);
  first = sync_ok (fx, "(first sync, with a weekly series)");

  instance = stored (fx, "weekly_20260623T080000Z");
  CALSYNC_CHECK (instance != NULL, "The instance of the 23rd was not stored");
  start = calsync_test_local_time ("Europe/Berlin", 2026, 6, 23, 11, 0);
  calsync_event_set_times (instance, start, start + 30 * 60, "Europe/Berlin");
  g_assert_true (calsync_store_edit_local_event (fx->google.store, instance, &error));
  g_assert_no_error (error);
  cancelled = stored (fx, "weekly_20260630T080000Z");
  g_assert_true (calsync_store_delete_local_event (fx->google.store, calsync_event_get_id (cancelled), &error));
  g_assert_no_error (error);

  second = sync_ok (fx, "with one instance moved and one cancelled here");
  g_assert_cmpint (member_int (second, "pushed"), ==, 2);
  moved = server_event (fx, ALEX, "weekly_20260623T080000Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (moved, "start"), "dateTime"), ==,
                   "2026-06-23T11:00:00+02:00");
  g_assert_cmpstr (json_object_get_string_member (moved, "recurringEventId"), ==, "weekly");
  other = server_event (fx, ALEX, "weekly_20260616T080000Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (other, "start"), "dateTime"), ==,
                   "2026-06-16T10:00:00+02:00");
  g_assert_null (calsync_fake_google_dup_event (fx->google.fake, ALEX, "weekly_20260630T080000Z"));
}

/* Conflicts ------------------------------------------------------------------- */

static void
test_conflict_server_newer (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(CalsyncEvent) local = NULL;
  g_autofree char *messages = NULL;

  first_sync (fx);
  edit_title (fx, "standup", "Standup (mine)");
  /* Google's "updated" has millisecond resolution: the phone's edit is later */
  g_usleep (2000);
  edit_on_server (fx, "standup", "Standup (phone)");

  second = sync_ok (fx, "with an edit here older than the server's");
  CALSYNC_CHECK (member_int (second, "pushed") == 0, "pushed %" G_GINT64_FORMAT ", conflicts %" G_GINT64_FORMAT
                 ": %s; server: %s", member_int (second, "pushed"), member_int (second, "conflicts"),
                 result_messages (calsync_test_result_of (second, ALEX)),
                 calsync_fake_google_dup_event (fx->google.fake, ALEX, "standup"));
  g_assert_cmpint (member_int (second, "conflicts"), ==, 1);
  messages = result_messages (calsync_test_result_of (second, ALEX));
  CALSYNC_CHECK (strstr (messages, "Standup (mine)") != NULL && strstr (messages, "Google") != NULL,
                 "The lost edit is not named in the report: %s", messages);
  g_assert_cmpstr (json_object_get_string_member (calsync_test_result_of (second, ALEX), "status"), ==, "success");

  on_server = server_event (fx, ALEX, "standup");
  g_assert_cmpstr (server_title (on_server), ==, "Standup (phone)");
  local = stored (fx, "standup");
  g_assert_cmpstr (calsync_event_get_title (local), ==, "Standup (phone)");
  g_assert_cmpint (outbox (fx), ==, 0);
}

static void
test_conflict_local_newer (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autofree char *messages = NULL;

  first_sync (fx);
  edit_on_server (fx, "standup", "Standup (phone)");
  /* Google's "updated" has millisecond resolution: the edit here is later */
  g_usleep (2000);
  edit_title (fx, "standup", "Standup (mine)");

  second = sync_ok (fx, "with an edit here newer than the server's");
  g_assert_cmpint (member_int (second, "pushed"), ==, 1);
  g_assert_cmpint (member_int (second, "conflicts"), ==, 1);
  messages = result_messages (calsync_test_result_of (second, ALEX));
  CALSYNC_CHECK (strstr (messages, "Standup") != NULL, "The server's lost edit is not named: %s", messages);
  on_server = server_event (fx, ALEX, "standup");
  g_assert_cmpstr (server_title (on_server), ==, "Standup (mine)");
  g_assert_cmpint (outbox (fx), ==, 0);
}

/* Refusals ---------------------------------------------------------------------- */

static void
test_deleted_on_server (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(CalsyncEvent) local = NULL;
  g_autofree char *messages = NULL;

  first_sync (fx);
  edit_title (fx, "review", "Review (moved)");
  calsync_fake_google_delete_event (fx->google.fake, ALEX, "review");

  second = sync_ok (fx, "with an edit to an event deleted on Google");
  g_assert_cmpint (member_int (second, "pushed"), ==, 0);
  messages = result_messages (calsync_test_result_of (second, ALEX));
  CALSYNC_CHECK (strstr (messages, "Review (moved)") != NULL, "The refused change is not named: %s", messages);
  local = stored (fx, "review");
  CALSYNC_CHECK (local == NULL, "The event deleted on Google is still here as “%s”", calsync_event_get_title (local));
  g_assert_cmpint (outbox (fx), ==, 0);
  g_assert_null (calsync_fake_google_dup_event (fx->google.fake, ALEX, "review"));
}

static void
test_read_only_calendar (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(CalsyncEvent) local = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *messages = NULL;
  guint writes;

  first = sync_ok (fx, "(first sync)");
  edit_title (fx, "standup", "Standup (mine)");
  /* The owner made the calendar read-only for this user meanwhile */
  calsync_fake_google_set_access_role (fx->google.fake, ALEX, ALEX, "reader");
  writes = calsync_fake_google_get_n_writes (fx->google.fake);

  second = sync_ok (fx, "after the calendar became read-only on Google");
  g_assert_cmpint (member_int (second, "pushed"), ==, 0);
  messages = result_messages (calsync_test_result_of (second, ALEX));
  CALSYNC_CHECK (strstr (messages, "Standup (mine)") != NULL && strstr (messages, "read-only") != NULL,
                 "The change that cannot be sent is not named: %s", messages);
  g_assert_cmpuint (calsync_fake_google_get_n_writes (fx->google.fake), ==, writes);
  calendar = calsync_store_get_calendar (fx->google.store, fx->primary_id, &error);
  g_assert_no_error (error);
  g_assert_true (calsync_calendar_get_read_only (calendar));
  local = stored (fx, "standup");
  g_assert_cmpstr (calsync_event_get_title (local), ==, "Standup");
  g_assert_cmpint (outbox (fx), ==, 0);

  /* And the store no longer takes edits to it */
  calsync_event_set_title (local, "Standup (again)");
  g_assert_false (calsync_store_edit_local_event (fx->google.store, local, &error));
  g_assert_nonnull (error);
}

/* A 403 met by the write itself (the role changed between the calendar list
 * and the write): the provider refuses the change, naming the event */
static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(CalsyncWriteResult) written = calsync_google_write_finish (result, error);

  g_assert_null (written);
}

static gboolean
error_set (gpointer data)
{
  return *(GError **) data != NULL;
}

static void
test_forbidden_write (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(CalsyncHttp) http = calsync_http_new ();
  g_autoptr(CalsyncAccount) account = calsync_store_get_account (fx->google.store, fx->account_id, NULL);
  g_autoptr(CalsyncCredentials) credentials = NULL;
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncWrite write = { 0 };
  gint64 start = calsync_test_local_time ("Europe/Berlin", 2026, 6, 20, 9, 0);

  calsync_fake_google_add_calendar (fx->google.fake, ALEX, SHARED, "Holidays", FALSE);
  calsync_fake_google_set_access_role (fx->google.fake, ALEX, SHARED, "freeBusyReader");
  credentials = calsync_credentials_new_for_account (account, http, &error);
  g_assert_no_error (error);

  event = calsync_test_timed_event ("local-1", "Party", start, start + 3600, "Europe/Berlin");
  write.kind = CALSYNC_WRITE_CREATE;
  write.event = event;
  write.idempotency_key = "local-1/1";
  write.local_updated = g_get_real_time ();
  calsync_google_write_async (http, credentials, calsync_fake_google_get_api_url (fx->google.fake), SHARED,
                              &write, NULL, on_written, &error);
  g_assert_true (calsync_test_wait_until (error_set, &error, TIMEOUT_MS));
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED);
  g_assert_nonnull (strstr (error->message, "Party"));
  g_assert_cmpuint (count_on_server (fx, SHARED, "Party", NULL), ==, 0);
}

/* Offline, crash --------------------------------------------------------------- */

static void
test_offline_then_online (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(JsonObject) failed = NULL;
  g_autoptr(JsonObject) second = NULL;

  first_sync (fx);
  create_here (fx, "Dentist", 18);
  edit_title (fx, "standup", "Standup (room 4)");
  calsync_fake_google_set_fault (fx->google.fake, ALEX, CALSYNC_FAKE_FAULT_SERVER_ERROR);
  failed = calsync_test_sync_json (fx->google.dir, 1, "while Google answers 500");
  g_assert_cmpint (member_int (failed, "pushed"), ==, 0);
  g_assert_cmpint (outbox (fx), ==, 2);
  g_assert_cmpuint (count_on_server (fx, ALEX, "Dentist", NULL), ==, 0);

  calsync_fake_google_set_fault (fx->google.fake, ALEX, CALSYNC_FAKE_FAULT_NONE);
  second = sync_ok (fx, "once Google answers again");
  g_assert_cmpint (member_int (second, "pushed"), ==, 2);
  g_assert_cmpuint (count_on_server (fx, ALEX, "Dentist", NULL), ==, 1);
  g_assert_cmpint (outbox (fx), ==, 0);
}

static gboolean
write_stalled (gpointer data)
{
  return calsync_fake_google_get_n_stalled (data) > 0;
}

/* Google took the create, the process was killed before it heard so: the
 * retry meets the id it chose (409) and does not make a second event */
static void
test_crash_after_accept (Fixture       *fx,
                         gconstpointer  data)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(CalsyncTestRun) killed = NULL;
  g_autoptr(CalsyncEvent) local = NULL;
  g_autoptr(JsonArray) agenda = NULL;
  g_autofree char *id = NULL;
  CalsyncTestChild *child;

  first_sync (fx);
  create_here (fx, "Dentist", 18);
  calsync_fake_google_set_stall_writes (fx->google.fake, TRUE);
  child = calsync_test_child_spawn (fx->google.dir, args, NULL);
  CALSYNC_CHECK (calsync_test_wait_until (write_stalled, fx->google.fake, TIMEOUT_MS),
                 "`calsync --sync` never sent the create");
  g_assert_cmpuint (count_on_server (fx, ALEX, "Dentist", NULL), ==, 1);
  calsync_test_child_kill (child);
  killed = calsync_test_child_finish (child, TIMEOUT_MS);
  g_assert_nonnull (killed);
  g_assert_cmpint (killed->signal, ==, SIGKILL);
  calsync_fake_google_set_stall_writes (fx->google.fake, FALSE);

  g_assert_cmpint (outbox (fx), ==, 1);
  second = sync_ok (fx, "after a crash between Google's acceptance and the local commit");
  CALSYNC_CHECK (count_on_server (fx, ALEX, "Dentist", &id) == 1,
                 "The retry made a second event on Google (%u)", count_on_server (fx, ALEX, "Dentist", NULL));
  g_assert_cmpint (member_int (second, "pushed"), ==, 1);
  local = stored (fx, id);
  CALSYNC_CHECK (local != NULL, "The event here did not take Google's id");
  g_assert_cmpint (outbox (fx), ==, 0);
  agenda = calsync_test_june_agenda (fx->google.dir);
  g_assert_cmpint (calsync_test_agenda_count (agenda, "Dentist"), ==, 1);
}

/* The same for an edit: Google took the PATCH, the answer was lost; the retry
 * meets a new etag (412), reads the event back, finds the change there and
 * counts it as sent, not as a conflict */
static void
test_crash_after_patch (Fixture       *fx,
                        gconstpointer  data)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(CalsyncTestRun) killed = NULL;
  g_autoptr(CalsyncEvent) local = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  CalsyncTestChild *child;

  first_sync (fx);
  edit_title (fx, "standup", "Standup (room 4)");
  calsync_fake_google_set_stall_writes (fx->google.fake, TRUE);
  child = calsync_test_child_spawn (fx->google.dir, args, NULL);
  CALSYNC_CHECK (calsync_test_wait_until (write_stalled, fx->google.fake, TIMEOUT_MS),
                 "`calsync --sync` never sent the edit");
  calsync_test_child_kill (child);
  killed = calsync_test_child_finish (child, TIMEOUT_MS);
  g_assert_nonnull (killed);
  calsync_fake_google_set_stall_writes (fx->google.fake, FALSE);

  second = sync_ok (fx, "after a crash between Google's acceptance of an edit and the local commit");
  g_assert_cmpint (member_int (second, "pushed"), ==, 1);
  g_assert_cmpint (member_int (second, "conflicts"), ==, 0);
  on_server = server_event (fx, ALEX, "standup");
  g_assert_cmpstr (server_title (on_server), ==, "Standup (room 4)");
  local = stored (fx, "standup");
  g_assert_cmpstr (calsync_event_get_etag (local), ==, json_object_get_string_member (on_server, "etag"));
  g_assert_cmpint (outbox (fx), ==, 0);
}

/* Guests ----------------------------------------------------------------------- */

static void
test_guests_told_only_when_asked (Fixture       *fx,
                                  gconstpointer  data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) third = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  calsync_fake_google_put_event (fx->google.fake, ALEX,
    "{\"id\":\"planning\",\"status\":\"confirmed\",\"summary\":\"Planning\","
    "\"organizer\":{\"email\":\"" ALEX "\",\"self\":true},"
    "\"attendees\":[{\"email\":\"" ALEX "\",\"organizer\":true,\"responseStatus\":\"accepted\"},"
    "{\"email\":\"ann@example.com\",\"responseStatus\":\"needsAction\"}],"
    "\"start\":{\"dateTime\":\"2026-06-22T10:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-06-22T11:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"}}");
  first = sync_ok (fx, "(first sync)");

  edit_title (fx, "planning", "Planning (quiet)");
  second = sync_ok (fx, "with an edit to an event with guests");
  g_assert_cmpstr (calsync_fake_google_get_last_send_updates (fx->google.fake), ==, "none");
  on_server = server_event (fx, ALEX, "planning");
  /* Attendees untouched by the edit */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (on_server, "attendees")), ==, 2);

  event = stored (fx, "planning");
  calsync_event_set_title (event, "Planning (moved, guests told)");
  calsync_event_set_notify_guests (event, TRUE);
  g_assert_true (calsync_store_edit_local_event (fx->google.store, event, &error));
  g_assert_no_error (error);
  third = sync_ok (fx, "with an edit whose guests are to be told");
  g_assert_cmpint (member_int (third, "pushed"), ==, 1);
  g_assert_cmpstr (calsync_fake_google_get_last_send_updates (fx->google.fake), ==, "all");
}

/* An account signed in read-only, reconnected ---------------------------------------- */

static void
test_read_only_account_reconnect (Fixture       *fx,
                                  gconstpointer  data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(CalsyncAccount) account = NULL;
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(CalsyncEvent) local = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stderr_path = g_build_filename (fx->google.dir, "add-account.err", NULL);
  guint writes;

  /* Signed in before CalSync asked for the write scope */
  account = calsync_store_get_account (fx->google.store, fx->account_id, &error);
  g_assert_no_error (error);
  calsync_account_set_read_only (account, TRUE);
  g_assert_true (calsync_store_update_account (fx->google.store, account, &error));
  g_assert_no_error (error);

  writes = calsync_fake_google_get_n_writes (fx->google.fake);
  first = sync_ok (fx, "with an account signed in read-only");
  calendar = calsync_store_get_calendar (fx->google.store, fx->primary_id, &error);
  g_assert_true (calsync_calendar_get_read_only (calendar));
  local = stored (fx, "standup");
  calsync_event_set_title (local, "Standup (mine)");
  g_assert_false (calsync_store_edit_local_event (fx->google.store, local, &error));
  CALSYNC_CHECK (error != NULL && strstr (error->message, "Reconnect") != NULL,
                 "An edit to a read-only account's calendar is refused without saying why: %s",
                 error ? error->message : "(no error)");
  g_clear_error (&error);
  g_clear_object (&calendar);
  g_clear_object (&account);

  /* Reconnect: signs in again, keeps the account, its calendars and events */
  launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, fx->google.dir);
  g_assert_cmpint (calsync_test_cli_add_account (launcher, "google", stderr_path, &url, &rest, &err), ==, 0);
  account = calsync_store_get_account (fx->google.store, fx->account_id, &error);
  g_assert_no_error (error);
  CALSYNC_CHECK (!calsync_account_get_read_only (account), "Reconnecting with the write scope left the account read-only: %s", err);
  calendar = calsync_store_get_calendar (fx->google.store, fx->primary_id, &error);
  g_assert_no_error (error);
  g_assert_false (calsync_calendar_get_read_only (calendar));
  g_clear_object (&local);
  local = stored (fx, "standup");
  CALSYNC_CHECK (local != NULL, "Reconnecting lost the events");

  calsync_event_set_title (local, "Standup (mine)");
  g_assert_true (calsync_store_edit_local_event (fx->google.store, local, &error));
  g_assert_no_error (error);
  second = sync_ok (fx, "after reconnecting with the write scope");
  g_assert_cmpint (member_int (second, "pushed"), ==, 1);
  g_assert_cmpuint (calsync_fake_google_get_n_writes (fx->google.fake), ==, writes + 1);
  g_assert_cmpuint (count_on_server (fx, ALEX, "Standup (mine)", NULL), ==, 1);
}

/* Unit: ids and recurrence ---------------------------------------------------------- */

static void
test_event_id (void)
{
  g_autofree char *a = calsync_google_event_id_for ("abc/1");
  g_autofree char *b = calsync_google_event_id_for ("abc/1");
  g_autofree char *c = calsync_google_event_id_for ("abc/2");

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpuint (strlen (a), >=, 5);
  for (const char *p = a; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'v'));
}

static void
test_recurrence_lines (void)
{
  const char *ics =
    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nRECURRENCE-ID:20261208T090000Z\r\nRRULE:FREQ=DAILY\r\n"
    "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Europe/Berlin:20261201T100000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=4;\r\n BYDAY=TU\r\nEXDATE;TZID=Europe/Berlin:20261215T100000\r\n"
    "SUMMARY:Weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  g_autoptr(GPtrArray) lines = calsync_google_recurrence_from_ics (ics);

  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "EXDATE;TZID=Europe/Berlin:20261215T100000");
}

#define ADD(path, func) \
  g_test_add ("/google-write/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  if (!calsync_test_sync_init (&argc, &argv))
    return 77;

  g_test_add_func ("/google-write/event-id", test_event_id);
  g_test_add_func ("/google-write/recurrence-lines", test_recurrence_lines);
  ADD ("create", test_create);
  ADD ("all-day-and-move", test_all_day_and_move);
  ADD ("edit-and-delete", test_edit_and_delete);
  ADD ("instance", test_instance);
  ADD ("conflict/server-newer", test_conflict_server_newer);
  ADD ("conflict/local-newer", test_conflict_local_newer);
  ADD ("deleted-on-server", test_deleted_on_server);
  ADD ("read-only-calendar", test_read_only_calendar);
  ADD ("forbidden-write", test_forbidden_write);
  ADD ("offline-then-online", test_offline_then_online);
  ADD ("crash-after-accept", test_crash_after_accept);
  ADD ("crash-after-patch", test_crash_after_patch);
  ADD ("guests-told-only-when-asked", test_guests_told_only_when_asked);
  ADD ("read-only-account-reconnect", test_read_only_account_reconnect);

  return g_test_run ();
}
