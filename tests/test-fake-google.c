/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-fake-google.c: the fake Google itself, asked by hand with libsoup — that
 * it plays each situation the acceptance tests need the way Google documents
 * it (removed calendars, tombstones, page tokens, calendarList syncToken, gzip,
 * writes with If-Match) and its hostile faults as described in its header. */
#define G_LOG_DOMAIN "test-fake-google"

#include "config.h"

#include <string.h>

#include "calsync-fake-google.h"
#include "calsync-fake-origin.h"
#include "calsync-test-utils.h"

#define USER "alice@example.com"
#define TEAM "team@group.calendar.google.com"

typedef struct
{
  CalsyncFakeGoogle *fake;
  SoupSession *session;
  char *bearer;
} Fixture;

typedef struct
{
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
  JsonNode *json;
} Answer;

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->headers, soup_message_headers_unref);
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

/* Sends @method @path (relative to the API, or absolute) with the bearer token */
static Answer *
request (Fixture    *fx,
         const char *method,
         const char *path,
         const char *body)
{
  g_autofree char *uri = g_str_has_prefix (path, "http") ? g_strdup (path)
                                                         : g_strconcat (calsync_fake_google_get_api_url (fx->fake), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *authorization = g_strconcat ("Bearer ", fx->bearer, NULL);
  Answer *answer = g_new0 (Answer, 1);

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (fx->session, msg, G_PRIORITY_DEFAULT, NULL, calsync_test_result_cb, &result);
  answer->body = soup_session_send_and_read_finish (fx->session, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  answer->status = soup_message_get_status (msg);
  answer->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return answer;
}

static Answer *
get (Fixture    *fx,
     const char *path)
{
  return request (fx, "GET", path, NULL);
}

/* Parsed on demand: json-glib has no depth limit, the nested body would overflow the stack */
static JsonObject *
object_of (Answer *answer)
{
  if (answer->json == NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (answer->body, NULL), g_bytes_get_size (answer->body));

      answer->json = json_from_string (text, NULL);
    }
  g_assert_nonnull (answer->json);
  return json_node_get_object (answer->json);
}

static JsonArray *
items_of (Answer *answer)
{
  return json_object_get_array_member (object_of (answer), "items");
}

static void
put (Fixture    *fx,
     const char *calendar,
     const char *id,
     const char *title)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"summary\":\"%s\","
                                           "\"start\":{\"dateTime\":\"2026-06-16T10:00:00Z\"},"
                                           "\"end\":{\"dateTime\":\"2026-06-16T11:00:00Z\"}}", id, title);

  calsync_fake_google_put_event (fx->fake, calendar, json);
}

static char *
path_with_token (const char *path,
                 const char *name,
                 const char *token)
{
  g_autofree char *escaped = g_uri_escape_string (token, NULL, FALSE);

  return g_strdup_printf ("%s%s%s=%s", path, strchr (path, '?') ? "&" : "?", name, escaped);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  fx->fake = calsync_fake_google_new ();
  fx->session = soup_session_new ();
  calsync_fake_oauth_issue_tokens (calsync_fake_google_get_oauth (fx->fake), USER, &fx->bearer, NULL);
  calsync_fake_google_add_calendar (fx->fake, USER, USER, USER, TRUE);
  calsync_fake_google_add_calendar (fx->fake, USER, TEAM, "Team", FALSE);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->session);
  g_clear_object (&fx->fake);
  g_free (fx->bearer);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Calendars ------------------------------------------------------------------- */

static void
test_calendar_removed (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(Answer) full = get (fx, "/users/me/calendarList");
  const char *sync_token = json_object_get_string_member (object_of (full), "nextSyncToken");
  g_autofree char *incremental_path = path_with_token ("/users/me/calendarList", "syncToken", sync_token);
  g_autofree char *bad_path = path_with_token ("/users/me/calendarList?minAccessRole=owner", "syncToken", sync_token);
  g_autoptr(Answer) events = NULL;
  g_autoptr(Answer) after = NULL;
  g_autoptr(Answer) with_deleted = NULL;
  g_autoptr(Answer) incremental = NULL;
  g_autoptr(Answer) bad = NULL;
  g_autoptr(Answer) back = NULL;
  JsonObject *entry;

  g_assert_cmpuint (json_array_get_length (items_of (full)), ==, 2);
  calsync_fake_google_remove_calendar (fx->fake, USER, TEAM);

  events = get (fx, "/calendars/" TEAM "/events");
  g_assert_cmpuint (events->status, ==, 404);
  after = get (fx, "/users/me/calendarList");
  g_assert_cmpuint (json_array_get_length (items_of (after)), ==, 1);
  with_deleted = get (fx, "/users/me/calendarList?showDeleted=true");
  g_assert_cmpuint (json_array_get_length (items_of (with_deleted)), ==, 2);

  /* calendarList syncToken: only the change, the removal marked "deleted" */
  incremental = get (fx, incremental_path);
  g_assert_cmpuint (incremental->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (items_of (incremental)), ==, 1);
  entry = json_array_get_object_element (items_of (incremental), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, TEAM);
  g_assert_true (json_object_get_boolean_member (entry, "deleted"));
  bad = get (fx, bad_path);
  g_assert_cmpuint (bad->status, ==, 400);

  calsync_fake_google_add_calendar (fx->fake, USER, TEAM, "Team again", FALSE);
  back = get (fx, "/calendars/" TEAM "/events");
  g_assert_cmpuint (back->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object_of (back), "summary"), ==, "Team again");
}

/* Events ---------------------------------------------------------------------- */

static void
test_deleted_event (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(Answer) first = NULL;
  g_autoptr(Answer) full = NULL;
  g_autoptr(Answer) shown = NULL;
  g_autoptr(Answer) incremental = NULL;
  g_autoptr(Answer) purged = NULL;
  g_autofree char *path = NULL;
  JsonObject *tombstone;

  put (fx, USER, "a", "Kept");
  put (fx, USER, "b", "Deleted");
  first = get (fx, "/calendars/" USER "/events");
  path = path_with_token ("/calendars/" USER "/events", "syncToken",
                          json_object_get_string_member (object_of (first), "nextSyncToken"));
  calsync_fake_google_delete_event (fx->fake, USER, "b");

  full = get (fx, "/calendars/" USER "/events");
  g_assert_cmpuint (json_array_get_length (items_of (full)), ==, 1);
  shown = get (fx, "/calendars/" USER "/events?showDeleted=true");
  g_assert_cmpuint (json_array_get_length (items_of (shown)), ==, 2);

  incremental = get (fx, path);
  g_assert_cmpuint (json_array_get_length (items_of (incremental)), ==, 1);
  tombstone = json_array_get_object_element (items_of (incremental), 0);
  g_assert_cmpstr (json_object_get_string_member (tombstone, "id"), ==, "b");
  g_assert_cmpstr (json_object_get_string_member (tombstone, "status"), ==, "cancelled");
  g_assert_false (json_object_has_member (tombstone, "summary"));
  g_assert_false (json_object_has_member (tombstone, "updated"));

  /* Tombstones go in the end, and the tokens that could miss them with them */
  calsync_fake_google_purge_deleted (fx->fake, USER);
  purged = get (fx, path);
  g_assert_cmpuint (purged->status, ==, 410);
}

static void
test_older_copy_and_malformed (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(Answer) first = NULL;
  g_autoptr(Answer) incremental = NULL;
  g_autoptr(Answer) bounded = NULL;
  g_autofree char *path = NULL;
  JsonObject *copy;

  put (fx, USER, "a", "New");
  first = get (fx, "/calendars/" USER "/events");
  path = path_with_token ("/calendars/" USER "/events", "syncToken",
                          json_object_get_string_member (object_of (first), "nextSyncToken"));
  calsync_fake_google_put_event_as_is (fx->fake, USER,
    "{\"id\":\"a\",\"summary\":\"Old\",\"etag\":\"\\\"1\\\"\",\"updated\":\"2020-01-01T00:00:00.000Z\","
    "\"start\":{\"dateTime\":\"2026-06-16T10:00:00Z\"},\"end\":{\"dateTime\":\"2026-06-16T11:00:00Z\"}}");
  incremental = get (fx, path);
  copy = json_array_get_object_element (items_of (incremental), 0);
  g_assert_cmpstr (json_object_get_string_member (copy, "updated"), ==, "2020-01-01T00:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (copy, "etag"), ==, "\"1\"");

  calsync_fake_google_put_malformed_event (fx->fake, USER, "{\"id\":\"m\",\"status\":\"confirmed\","
                                                           "\"start\":{\"dateTime\":\"not-a-date\"}}");
  bounded = get (fx, "/calendars/" USER "/events?timeMin=2026-06-01T00:00:00Z&timeMax=2026-07-01T00:00:00Z");
  g_assert_cmpuint (json_array_get_length (items_of (bounded)), ==, 2);
}

static void
test_writes (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(Answer) created = request (fx, "POST", "/calendars/" USER "/events",
                                       "{\"summary\":\"New\",\"start\":{\"dateTime\":\"2026-06-16T10:00:00Z\"},"
                                       "\"end\":{\"dateTime\":\"2026-06-16T11:00:00Z\"}}");
  g_autoptr(Answer) no_end = request (fx, "POST", "/calendars/" USER "/events",
                                      "{\"start\":{\"dateTime\":\"2026-06-16T10:00:00Z\"}}");
  const char *id = json_object_get_string_member (object_of (created), "id");
  const char *etag = json_object_get_string_member (object_of (created), "etag");
  g_autofree char *path = g_strdup_printf ("/calendars/" USER "/events/%s", id);
  g_autoptr(SoupMessage) stale = NULL;
  g_autoptr(Answer) patched = NULL;
  g_autoptr(Answer) deleted = NULL;
  g_autoptr(Answer) again = NULL;

  g_assert_cmpuint (created->status, ==, 200);
  g_assert_cmpuint (no_end->status, ==, 400);
  patched = request (fx, "PATCH", path, "{\"summary\":\"Renamed\"}");
  g_assert_cmpuint (patched->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object_of (patched), "summary"), ==, "Renamed");
  g_assert_cmpstr (json_object_get_string_member (object_of (patched), "etag"), !=, etag);

  /* A stale If-Match: 412 */
  {
    g_autofree char *uri = g_strconcat (calsync_fake_google_get_api_url (fx->fake), path, NULL);
    g_autofree char *authorization = g_strconcat ("Bearer ", fx->bearer, NULL);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) body = NULL;

    stale = soup_message_new ("DELETE", uri);
    soup_message_headers_replace (soup_message_get_request_headers (stale), "Authorization", authorization);
    soup_message_headers_replace (soup_message_get_request_headers (stale), "If-Match", etag);
    soup_session_send_and_read_async (fx->session, stale, G_PRIORITY_DEFAULT, NULL, calsync_test_result_cb, &result);
    body = soup_session_send_and_read_finish (fx->session, calsync_test_spin (&result), NULL);
    g_assert_cmpuint (soup_message_get_status (stale), ==, 412);
  }

  deleted = request (fx, "DELETE", path, NULL);
  g_assert_cmpuint (deleted->status, ==, 204);
  again = request (fx, "DELETE", path, NULL);
  g_assert_cmpuint (again->status, ==, 410);
  g_assert_cmpuint (calsync_fake_google_get_n_writes (fx->fake), ==, 3);
}

/* Pages ---------------------------------------------------------------------- */

static void
test_page_tokens (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(Answer) first = NULL;
  g_autoptr(Answer) second = NULL;
  g_autoptr(Answer) again = NULL;
  g_autofree char *path = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("e%u", i);

      put (fx, USER, id, id);
      put (fx, TEAM, id, id);
    }
  calsync_fake_google_set_page_size (fx->fake, 2);

  /* Google's page tokens can be used again (a retried request) */
  first = get (fx, "/calendars/" USER "/events");
  path = path_with_token ("/calendars/" USER "/events", "pageToken",
                          json_object_get_string_member (object_of (first), "nextPageToken"));
  second = get (fx, path);
  again = get (fx, path);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_true (g_bytes_equal (second->body, again->body));

  /* Repeated: the same token and the same page, forever */
  calsync_fake_google_set_fault (fx->fake, TEAM, CALSYNC_FAKE_FAULT_REPEATED_PAGE_TOKEN);
  {
    g_autoptr(Answer) page = get (fx, "/calendars/" TEAM "/events");
    g_autofree char *token = g_strdup (json_object_get_string_member (object_of (page), "nextPageToken"));
    g_autofree char *next_path = path_with_token ("/calendars/" TEAM "/events", "pageToken", token);

    for (guint i = 0; i < 5; i++)
      {
        g_autoptr(Answer) next = get (fx, next_path);

        g_assert_cmpstr (json_object_get_string_member (object_of (next), "nextPageToken"), ==, token);
        g_assert_cmpuint (json_array_get_length (items_of (next)), ==, 2);
      }
  }

  /* Endless: empty pages, a fresh token each time */
  calsync_fake_google_set_fault (fx->fake, TEAM, CALSYNC_FAKE_FAULT_ENDLESS_PAGES);
  {
    g_autoptr(Answer) page = get (fx, "/calendars/" TEAM "/events");
    g_autofree char *token = g_strdup (json_object_get_string_member (object_of (page), "nextPageToken"));

    for (guint i = 0; i < 5; i++)
      {
        g_autofree char *next_path = path_with_token ("/calendars/" TEAM "/events", "pageToken", token);
        g_autoptr(Answer) next = get (fx, next_path);
        const char *next_token = json_object_get_string_member (object_of (next), "nextPageToken");

        g_assert_cmpuint (json_array_get_length (items_of (next)), ==, 0);
        g_assert_cmpstr (next_token, !=, token);
        g_free (token);
        token = g_strdup (next_token);
      }
  }
}

/* Bodies -------------------------------------------------------------------- */

static void
test_nested_and_huge (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(Answer) nested = NULL;
  g_autoptr(Answer) huge = NULL;
  JsonArray *items;
  gsize size;
  const char *text;

  calsync_fake_google_set_fault (fx->fake, TEAM, CALSYNC_FAKE_FAULT_DEEP_NESTING);
  nested = get (fx, "/calendars/" TEAM "/events");
  text = g_bytes_get_data (nested->body, &size);
  g_assert_cmpuint (nested->status, ==, 200);
  g_assert_cmpuint (size, ==, 200 * 1024);
  g_assert_true (text[0] == '[' && text[size - 1] == '[');

  put (fx, USER, "a", "Normal");
  calsync_fake_google_set_huge_field_size (fx->fake, 3 * 1024 * 1024 + 17);
  calsync_fake_google_set_fault (fx->fake, USER, CALSYNC_FAKE_FAULT_HUGE_FIELD);
  calsync_fake_google_set_gzip (fx->fake, CALSYNC_FAKE_GZIP_WHEN_ACCEPTED);
  huge = get (fx, "/calendars/" USER "/events");
  g_assert_cmpstr (soup_message_headers_get_one (huge->headers, "Content-Encoding"), ==, "gzip");
  g_assert_cmpint (soup_message_headers_get_encoding (huge->headers), ==, SOUP_ENCODING_CHUNKED);
  items = items_of (huge);
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpuint (strlen (json_object_get_string_member (json_array_get_object_element (items, 1), "summary")), ==,
                    3 * 1024 * 1024 + 17);
  g_assert_cmpuint (calsync_fake_google_get_n_streams (fx->fake), ==, 0);
}

static gboolean
no_streams (gpointer data)
{
  return calsync_fake_google_get_n_streams (data) == 0;
}

static void
test_trickle (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *uri = g_strconcat (calsync_fake_google_get_api_url (fx->fake), "/calendars/" USER "/events", NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", fx->bearer, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  char buffer[8];
  gsize read = 0;

  calsync_fake_google_set_trickle_interval (fx->fake, 5);
  calsync_fake_google_set_fault (fx->fake, USER, CALSYNC_FAKE_FAULT_TRICKLE);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
  soup_session_send_async (fx->session, msg, G_PRIORITY_DEFAULT, NULL, calsync_test_result_cb, &result);
  stream = soup_session_send_finish (fx->session, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpuint (calsync_fake_google_get_n_streams (fx->fake), ==, 1);

  /* One byte at a time: "{" then whitespace */
  g_clear_object (&result);
  g_input_stream_read_all_async (stream, buffer, sizeof buffer, G_PRIORITY_DEFAULT, NULL,
                                 calsync_test_result_cb, &result);
  g_assert_true (g_input_stream_read_all_finish (stream, calsync_test_spin (&result), &read, &error));
  g_assert_cmpmem (buffer, read, "{       ", 8);

  /* The client gives up: the fake stops */
  g_input_stream_close (stream, NULL, NULL);
  g_clear_object (&stream);
  g_clear_object (&fx->session);
  g_assert_true (calsync_test_wait_until (no_streams, fx->fake, 5000));
}

static void
test_gzip (Fixture       *fx,
           gconstpointer  data)
{
  struct { CalsyncFakeGzip mode; const char *accept; const char *agent; gboolean gzipped; } cases[] = {
    { CALSYNC_FAKE_GZIP_AS_DOCUMENTED, "gzip, deflate", "CalSync/1.0", FALSE },
    { CALSYNC_FAKE_GZIP_AS_DOCUMENTED, "gzip, deflate", "CalSync/1.0 (gzip)", TRUE },
    { CALSYNC_FAKE_GZIP_WHEN_ACCEPTED, "gzip", "CalSync/1.0", TRUE },
    { CALSYNC_FAKE_GZIP_WHEN_ACCEPTED, "gzip;q=0, deflate", "CalSync/1.0", FALSE },
    { CALSYNC_FAKE_GZIP_WHEN_ACCEPTED, "identity", "CalSync/1.0", FALSE },
    { CALSYNC_FAKE_GZIP_NEVER, "gzip", "CalSync/1.0 (gzip)", FALSE },
  };

  put (fx, USER, "a", "Zipped");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = g_strconcat (calsync_fake_google_get_api_url (fx->fake), "/calendars/" USER "/events", NULL);
      g_autofree char *authorization = g_strconcat ("Bearer ", fx->bearer, NULL);
      g_autoptr(SoupSession) plain = soup_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GBytes) body = NULL;
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

      /* Without the decoder, to see the encoding as sent */
      soup_session_remove_feature_by_type (plain, SOUP_TYPE_CONTENT_DECODER);
      calsync_fake_google_set_gzip (fx->fake, cases[i].mode);
      soup_message_headers_replace (headers, "Authorization", authorization);
      soup_message_headers_replace (headers, "Accept-Encoding", cases[i].accept);
      soup_message_headers_replace (headers, "User-Agent", cases[i].agent);
      soup_session_send_and_read_async (plain, msg, G_PRIORITY_DEFAULT, NULL, calsync_test_result_cb, &result);
      body = soup_session_send_and_read_finish (plain, calsync_test_spin (&result), NULL);
      g_assert_cmpint (g_strcmp0 (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                 "Content-Encoding"), "gzip") == 0, ==,
                       cases[i].gzipped);
      g_assert_cmpint (((const guchar *) g_bytes_get_data (body, NULL))[0] == 0x1f, ==, cases[i].gzipped);
    }
}

/* OAuth ---------------------------------------------------------------------- */

static guint
post_refresh (Fixture    *fx,
              const char *refresh_token)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *form = soup_form_encode ("grant_type", "refresh_token", "refresh_token", refresh_token,
                                            "client_id", "fake-client-id", "client_secret", "fake-client-secret",
                                            NULL);
  g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));

  msg = soup_message_new ("POST", calsync_fake_google_get_token_url (fx->fake));
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
  soup_session_send_and_read_async (fx->session, msg, G_PRIORITY_DEFAULT, NULL, calsync_test_result_cb, &result);
  body = soup_session_send_and_read_finish (fx->session, calsync_test_spin (&result), NULL);
  return soup_message_get_status (msg);
}

static gboolean
release_when_held (gpointer data)
{
  CalsyncFakeOAuth *oauth = data;

  if (calsync_fake_oauth_get_n_held_refreshes (oauth) == 0)
    return G_SOURCE_CONTINUE;
  calsync_fake_oauth_release_refreshes (oauth);
  return G_SOURCE_REMOVE;
}

static void
test_token_endpoint (Fixture       *fx,
                     gconstpointer  data)
{
  CalsyncFakeOAuth *oauth = calsync_fake_google_get_oauth (fx->fake);
  g_autoptr(CalsyncFakeOrigin) origin = calsync_fake_origin_new ();
  g_autofree char *location = calsync_fake_origin_get_url (origin, "/token");
  g_autofree char *refresh = NULL;

  calsync_fake_oauth_issue_tokens (oauth, USER, NULL, &refresh);
  calsync_fake_oauth_set_token_redirect (oauth, 307, location);
  g_assert_cmpuint (post_refresh (fx, refresh), ==, 307);
  calsync_fake_oauth_set_token_redirect (oauth, 0, NULL);

  /* Held until released (the release comes from a source once the request is held) */
  calsync_fake_oauth_set_hold_refreshes (oauth, TRUE);
  g_timeout_add (10, release_when_held, oauth);
  g_assert_cmpuint (post_refresh (fx, refresh), ==, 200);
  g_assert_cmpuint (calsync_fake_oauth_get_n_held_refreshes (oauth), ==, 0);
  g_assert_cmpuint (calsync_fake_origin_get_n_requests (origin), ==, 0);
}

/* Generated data ----------------------------------------------------------------- */

static void
test_generate_series (Fixture       *fx,
                      gconstpointer  data)
{
  gint64 now = 1781524800;   /* 2026-06-15 */
  g_autofree char *path = g_strdup ("/calendars/" TEAM "/events?singleEvents=true&maxResults=2500");
  gsize bytes = 0;
  guint listed = 0, pages = 0, instances = 0;
  guint n;

#if defined(__SANITIZE_ADDRESS__)
  /* 17 MB of generated JSON, every allocation unwound: minutes under ASan; the
   * plain build checks it */
  g_test_skip ("Too slow under AddressSanitizer; checked in the plain build");
  return;
#endif

  n = calsync_fake_google_generate_series (fx->fake, TEAM, 10000, now);

  g_test_message ("10,000 generated events gave %u instances", n);
  g_assert_cmpuint (n, >, 12000);
  g_assert_cmpuint (n, <, 14000);
  calsync_fake_google_set_gzip (fx->fake, CALSYNC_FAKE_GZIP_NEVER);
  while (path != NULL)
    {
      g_autoptr(Answer) page = get (fx, path);
      JsonArray *items = items_of (page);
      const char *token = json_object_get_string_member_with_default (object_of (page), "nextPageToken", NULL);

      g_assert_cmpuint (page->status, ==, 200);
      bytes += g_bytes_get_size (page->body);
      listed += json_array_get_length (items);
      for (guint i = 0; i < json_array_get_length (items); i++)
        instances += json_object_has_member (json_array_get_object_element (items, i), "recurringEventId");
      pages++;
      g_free (path);
      path = token ? path_with_token ("/calendars/" TEAM "/events?singleEvents=true&maxResults=2500",
                                      "pageToken", token) : NULL;
    }

  g_test_message ("%u resources (%u instances of series) in %u pages, %zu bytes", listed, instances, pages, bytes);
  g_assert_cmpuint (listed, ==, n);
  g_assert_cmpuint (pages, ==, (n + 2499) / 2500);
  g_assert_cmpuint (instances, >, 2500);
  g_assert_cmpuint (bytes, >, 14 * 1000 * 1000);
  g_assert_cmpuint (bytes, <, 20 * 1000 * 1000);
}

#define ADD(path, func) \
  g_test_add ("/fake-google/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("calendar-removed", test_calendar_removed);
  ADD ("deleted-event", test_deleted_event);
  ADD ("older-copy-and-malformed", test_older_copy_and_malformed);
  ADD ("writes", test_writes);
  ADD ("page-tokens", test_page_tokens);
  ADD ("nested-and-huge", test_nested_and_huge);
  ADD ("trickle", test_trickle);
  ADD ("gzip", test_gzip);
  ADD ("token-endpoint", test_token_endpoint);
  ADD ("generate-series", test_generate_series);

  return g_test_run ();
}
