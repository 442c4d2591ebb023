/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-google-provider.c: tests of CalsyncGoogleProvider against the fake Google. */
#define G_LOG_DOMAIN "test-google-provider"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "calsync-fake-google.h"
#include "calsync-google-provider.h"
#include "calsync-test-utils.h"

#define USER "alice@example.com"
#define TEAM "team#work@group.calendar.google.com"
/* The window of a first sync: 2026-09-01 .. 2027-09-01 UTC */
#define WINDOW_MIN G_GINT64_CONSTANT (1788220800)
#define WINDOW_MAX G_GINT64_CONSTANT (1819756800)

typedef struct
{
  CalsyncFakeGoogle *fake;
  CalsyncHttp *http;
  CalsyncCredentials *auth;
  CalsyncProvider *provider;
  CalsyncCalendar *primary;
  CalsyncCalendar *team;
  char *access_token;   /* for requests made by hand */
} Fixture;

/* Helpers ------------------------------------------------------------------ */

static void
on_result (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

/* Sends @msg from a plain session (no retries, no redirects followed) */
static GBytes *
send_by_hand (SoupMessage *msg)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *body;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_result, &result);
  body = soup_session_send_and_read_finish (session, wait_for (&result), &error);
  g_assert_no_error (error);
  return body;
}

/* Signs in as a browser and the app would: PKCE authorization request, the 302
 * to the loopback redirect, then the code exchange at the token endpoint. */
static CalsyncTokens *
sign_in (CalsyncFakeGoogle *fake)
{
  g_autofree char *verifier = calsync_oauth_new_code_verifier ();
  g_autofree char *challenge = calsync_oauth_code_challenge (verifier);
  const char *redirect = "http://127.0.0.1:9/";
  g_autofree char *auth_uri = NULL;
  g_autoptr(SoupMessage) auth_msg = NULL;
  g_autoptr(SoupMessage) token_msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GUri) location = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  CalsyncTokens *tokens;

  auth_uri = g_strdup_printf ("%s?client_id=fake-client-id&redirect_uri=%s&response_type=code"
                              "&scope=https%%3A%%2F%%2Fwww.googleapis.com%%2Fauth%%2Fcalendar.readonly"
                              "&code_challenge=%s&code_challenge_method=S256&state=xyz",
                              calsync_fake_google_get_auth_url (fake), redirect, challenge);
  auth_msg = soup_message_new ("GET", auth_uri);
  g_clear_pointer (&body, g_bytes_unref);
  body = send_by_hand (auth_msg);
  g_assert_cmpuint (soup_message_get_status (auth_msg), ==, 302);

  location = g_uri_parse (soup_message_headers_get_one (soup_message_get_response_headers (auth_msg), "Location"),
                          G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  params = g_uri_parse_params (g_uri_get_query (location), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "xyz");

  token_msg = soup_message_new ("POST", calsync_fake_google_get_token_url (fake));
  {
    g_autofree char *form = soup_form_encode ("grant_type", "authorization_code",
                                              "code", g_hash_table_lookup (params, "code"),
                                              "redirect_uri", redirect,
                                              "client_id", "fake-client-id",
                                              "client_secret", "fake-client-secret",
                                              "code_verifier", verifier, NULL);
    g_autoptr(GBytes) form_bytes = g_bytes_new (form, strlen (form));

    soup_message_set_request_body_from_bytes (token_msg, "application/x-www-form-urlencoded", form_bytes);
  }
  g_clear_pointer (&body, g_bytes_unref);
  body = send_by_hand (token_msg);
  g_assert_cmpuint (soup_message_get_status (token_msg), ==, 200);

  json = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  object = json_node_get_object (json);
  tokens = g_new0 (CalsyncTokens, 1);
  tokens->access_token = g_strdup (json_object_get_string_member (object, "access_token"));
  tokens->refresh_token = g_strdup (json_object_get_string_member (object, "refresh_token"));
  tokens->expires_at = g_get_real_time () / G_USEC_PER_SEC + json_object_get_int_member (object, "expires_in");
  g_assert_nonnull (tokens->access_token);
  g_assert_nonnull (tokens->refresh_token);
  return tokens;
}

static CalsyncCalendar *
make_calendar (const char *remote_id)
{
  CalsyncCalendar *calendar = calsync_calendar_new ();

  calsync_calendar_set_remote_id (calendar, remote_id);
  return calendar;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(CalsyncOAuthConfig) config = NULL;
  g_autoptr(CalsyncTokens) tokens = NULL;

  fx->fake = calsync_fake_google_new ();
  calsync_fake_google_export_env (fx->fake);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fx->fake), USER);
  calsync_fake_google_add_calendar (fx->fake, USER, USER, USER, TRUE);
  calsync_fake_google_add_calendar (fx->fake, USER, TEAM, "Team – Planung ✓", FALSE);
  calsync_fake_google_add_calendar (fx->fake, "bob@example.com", "bob@example.com", "bob@example.com", TRUE);

  fx->http = calsync_http_new ();
  calsync_http_set_retry_policy (fx->http, 3, 1, 5000);
  config = calsync_oauth_config_new_google ();
  g_assert_cmpstr (config->token_url, ==, calsync_fake_google_get_token_url (fx->fake));
  fx->auth = calsync_credentials_new_oauth (fx->http, config, 4242);
  tokens = sign_in (fx->fake);
  fx->access_token = g_strdup (tokens->access_token);
  calsync_credentials_set_tokens (fx->auth, tokens);
  fx->provider = CALSYNC_PROVIDER (calsync_google_provider_new (fx->http, fx->auth, NULL));
  fx->primary = make_calendar (USER);
  fx->team = make_calendar (TEAM);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->provider);
  g_clear_object (&fx->auth);
  g_clear_object (&fx->http);
  g_clear_object (&fx->fake);
  g_clear_object (&fx->primary);
  g_clear_object (&fx->team);
  g_clear_pointer (&fx->access_token, g_free);
}

static CalsyncPage *
fetch (Fixture         *fx,
       CalsyncCalendar *calendar,
       const char      *sync_token,
       const char      *page_token,
       GError         **error)
{
  CalsyncFetchRequest request = { sync_token, page_token, WINDOW_MIN, WINDOW_MAX };
  g_autoptr(GAsyncResult) result = NULL;

  calsync_provider_fetch_page_async (fx->provider, calendar, &request, NULL, on_result, &result);
  return calsync_provider_fetch_page_finish (fx->provider, wait_for (&result), error);
}

/* All pages of one sync; the events of every page in @events, the sync token returned */
static char *
fetch_all (Fixture         *fx,
           CalsyncCalendar *calendar,
           const char      *sync_token,
           GPtrArray       *events,
           guint           *n_pages)
{
  g_autofree char *page_token = NULL;

  *n_pages = 0;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CalsyncPage) page = fetch (fx, calendar, sync_token, page_token, &error);

      g_assert_no_error (error);
      (*n_pages)++;
      for (guint i = 0; i < page->upserts->len; i++)
        g_ptr_array_add (events, g_object_ref (g_ptr_array_index (page->upserts, i)));

      g_free (page_token);
      page_token = g_steal_pointer (&page->next_page_token);
      if (page_token == NULL)
        {
          g_assert_nonnull (page->next_cursor);
          return g_steal_pointer (&page->next_cursor);
        }
      g_assert_null (page->next_cursor);
    }
}

static CalsyncEvent *
find_event (GPtrArray  *events,
            const char *external_id)
{
  CalsyncEvent *found = NULL;

  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (calsync_event_get_external_id (g_ptr_array_index (events, i)), external_id))
      {
        g_assert_null (found);   /* never twice */
        found = g_ptr_array_index (events, i);
      }

  return found;
}

static void
put_timed (CalsyncFakeGoogle *fake,
           const char        *calendar_id,
           const char        *id,
           const char        *summary,
           const char        *start,
           const char        *end)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"summary\":\"%s\","
                                           "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"},"
                                           "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"}}",
                                           id, summary, start, end);

  calsync_fake_google_put_event (fake, calendar_id, json);
}

static gint64
utc (const char *iso)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

/* Sends a GET to the fake with the fixture's token; returns the status */
static guint
get_by_hand (Fixture    *fx,
             const char *path_and_query)
{
  g_autofree char *uri = g_strconcat (calsync_fake_google_get_api_url (fx->fake), path_and_query, NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", fx->access_token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GBytes) body = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  body = send_by_hand (msg);
  return soup_message_get_status (msg);
}

/* Calendar list ---------------------------------------------------------------- */

static void
test_calendar_list (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncCalendar *primary, *team;
  guint before = calsync_fake_google_get_n_requests (fx->fake);

  calsync_fake_google_set_page_size (fx->fake, 1);   /* one calendar per page */
  calsync_provider_list_calendars_async (fx->provider, NULL, on_result, &result);
  calendars = calsync_provider_list_calendars_finish (fx->provider, wait_for (&result), &error);

  g_assert_no_error (error);
  g_assert_cmpuint (calendars->len, ==, 2);   /* not Bob's */
  g_assert_cmpuint (calsync_fake_google_get_n_requests (fx->fake) - before, ==, 2);
  primary = g_ptr_array_index (calendars, 0);
  team = g_ptr_array_index (calendars, 1);
  g_assert_cmpstr (calsync_calendar_get_remote_id (primary), ==, USER);
  g_assert_cmpstr (calsync_calendar_get_name (primary), ==, USER);
  g_assert_true (calsync_calendar_get_is_primary (primary));
  g_assert_true (calsync_calendar_get_is_active (primary));
  g_assert_cmpstr (calsync_calendar_get_color (primary), ==, "#9fe1e7");
  g_assert_cmpstr (calsync_calendar_get_remote_id (team), ==, TEAM);
  g_assert_cmpstr (calsync_calendar_get_name (team), ==, "Team – Planung ✓");
  g_assert_false (calsync_calendar_get_is_primary (team));
  g_assert_cmpint (calsync_calendar_get_id (team), ==, 0);
}

/* Full then incremental sync ------------------------------------------------------ */

static void
test_full_then_incremental (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) none = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *token = NULL;
  g_autofree char *token2 = NULL;
  g_autofree char *token3 = NULL;
  guint n_pages, before;

  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *id = g_strdup_printf ("ev%u", i);
      g_autofree char *start = g_strdup_printf ("2026-12-%02uT10:00:00+01:00", i + 1);
      g_autofree char *end = g_strdup_printf ("2026-12-%02uT11:00:00+01:00", i + 1);

      put_timed (fx->fake, TEAM, id, "Planning", start, end);
    }
  put_timed (fx->fake, TEAM, "old", "Outside the window", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z");
  put_timed (fx->fake, TEAM, "gone", "Deleted before the first sync", "2026-12-20T10:00:00Z", "2026-12-20T11:00:00Z");
  calsync_fake_google_cancel_event (fx->fake, TEAM, "gone");

  calsync_fake_google_set_page_size (fx->fake, 3);
  before = calsync_fake_google_get_n_requests (fx->fake);
  token = fetch_all (fx, fx->team, NULL, events, &n_pages);

  g_assert_cmpuint (n_pages, ==, 3);
  g_assert_cmpuint (calsync_fake_google_get_n_requests (fx->fake) - before, ==, 3);
  g_assert_cmpuint (events->len, ==, 7);
  g_assert_null (find_event (events, "old"));
  g_assert_null (find_event (events, "gone"));
  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *id = g_strdup_printf ("ev%u", i);
      g_assert_nonnull (find_event (events, id));
    }
  g_assert_cmpstr (calsync_event_get_title (find_event (events, "ev0")), ==, "Planning");
  g_assert_cmpint (calsync_event_get_event_type (find_event (events, "ev0")), ==, CALSYNC_EVENT_TYPE_MEETING);
  g_assert_cmpint (calsync_event_get_remote_updated (find_event (events, "ev0")), >, 0);
  g_assert_nonnull (calsync_event_get_etag (find_event (events, "ev0")));

  /* Changes: one edited, one cancelled, one new */
  put_timed (fx->fake, TEAM, "ev2", "Planning (moved)", "2026-12-03T14:00:00+01:00", "2026-12-03T15:00:00+01:00");
  calsync_fake_google_cancel_event (fx->fake, TEAM, "ev4");
  put_timed (fx->fake, TEAM, "ev9", "Interview", "2026-12-10T09:00:00+01:00", "2026-12-10T10:00:00+01:00");

  token2 = fetch_all (fx, fx->team, token, changes, &n_pages);
  g_assert_cmpstr (token2, !=, token);
  g_assert_cmpuint (n_pages, ==, 1);
  g_assert_cmpuint (changes->len, ==, 3);
  g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (changes, 0)), ==, "ev2");
  g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (changes, 1)), ==, "ev4");
  g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (changes, 2)), ==, "ev9");
  g_assert_cmpstr (calsync_event_get_title (find_event (changes, "ev2")), ==, "Planning (moved)");
  g_assert_cmpint (calsync_event_get_start (find_event (changes, "ev2")), ==, utc ("2026-12-03T13:00:00Z"));
  g_assert_cmpint (calsync_event_get_status (find_event (changes, "ev4")), ==, CALSYNC_EVENT_STATUS_CANCELLED);
  g_assert_cmpint (calsync_event_get_status (find_event (changes, "ev9")), ==, CALSYNC_EVENT_STATUS_CONFIRMED);

  /* Nothing changed since */
  token3 = fetch_all (fx, fx->team, token2, none, &n_pages);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_nonnull (token3);
}

/* The fake is as strict as Google -------------------------------------------- */

static void
test_fake_is_strict (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *token = NULL;
  g_autofree char *escaped_token = NULL;
  g_autofree char *path = NULL;
  guint n_pages;

  put_timed (fx->fake, USER, "a", "Lunch", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z");
  token = fetch_all (fx, fx->primary, NULL, events, &n_pages);
  escaped_token = g_uri_escape_string (token, NULL, FALSE);

  /* syncToken with time bounds, orderBy or q: 400 */
  path = g_strdup_printf ("/calendars/%s/events?singleEvents=true&syncToken=%s&timeMin=2026-09-01T00:00:00Z",
                          USER, escaped_token);
  g_assert_cmpuint (get_by_hand (fx, path), ==, 400);
  g_free (path);
  path = g_strdup_printf ("/calendars/%s/events?syncToken=%s&orderBy=updated", USER, escaped_token);
  g_assert_cmpuint (get_by_hand (fx, path), ==, 400);
  g_free (path);
  path = g_strdup_printf ("/calendars/%s/events?syncToken=%s&q=lunch", USER, escaped_token);
  g_assert_cmpuint (get_by_hand (fx, path), ==, 400);
  g_free (path);
  /* the token alone is fine */
  path = g_strdup_printf ("/calendars/%s/events?singleEvents=true&syncToken=%s", USER, escaped_token);
  g_assert_cmpuint (get_by_hand (fx, path), ==, 200);

  /* time bounds need an offset; maxResults is capped at 2500 */
  g_assert_cmpuint (get_by_hand (fx, "/calendars/" USER "/events?timeMin=2026-09-01T00:00:00"), ==, 400);
  g_assert_cmpuint (get_by_hand (fx, "/calendars/" USER "/events?timeMin=2026-09-01"), ==, 400);
  g_assert_cmpuint (get_by_hand (fx, "/calendars/" USER "/events?timeMin=2026-09-01T00:00:00%2B02:00"), ==, 200);
  g_assert_cmpuint (get_by_hand (fx, "/calendars/" USER "/events?maxResults=2501"), ==, 400);
  g_assert_cmpuint (get_by_hand (fx, "/calendars/" USER "/events?maxResults=0"), ==, 400);
  g_assert_cmpuint (get_by_hand (fx, "/calendars/" USER "/events?timeMin=2027-01-01T00:00:00Z"
                                     "&timeMax=2026-01-01T00:00:00Z"), ==, 400);
  /* unknown tokens */
  g_assert_cmpuint (get_by_hand (fx, "/calendars/" USER "/events?syncToken=made-up"), ==, 410);
  g_assert_cmpuint (get_by_hand (fx, "/calendars/" USER "/events?pageToken=made-up"), ==, 400);
  /* someone else's calendar */
  g_assert_cmpuint (get_by_hand (fx, "/calendars/bob@example.com/events"), ==, 404);
}

static void
test_page_token_bound_to_query (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;

  put_timed (fx->fake, USER, "a", "One", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z");
  put_timed (fx->fake, USER, "b", "Two", "2026-12-02T12:00:00Z", "2026-12-02T13:00:00Z");
  calsync_fake_google_set_page_size (fx->fake, 1);
  page = fetch (fx, fx->primary, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page->next_page_token);

  /* the same page token with another window is refused */
  escaped = g_uri_escape_string (page->next_page_token, NULL, FALSE);
  path = g_strdup_printf ("/calendars/%s/events?singleEvents=true&maxResults=2500&pageToken=%s", USER, escaped);
  g_assert_cmpuint (get_by_hand (fx, path), ==, 400);
}

/* Errors ------------------------------------------------------------------- */

static void
test_gone (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint n_pages;

  put_timed (fx->fake, USER, "a", "Lunch", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z");
  token = fetch_all (fx, fx->primary, NULL, events, &n_pages);
  calsync_fake_google_expire_sync_tokens (fx->fake);

  page = fetch (fx, fx->primary, token, NULL, &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED);
  g_assert_null (strstr (error->message, "fullSyncRequired"));
}

static void
test_unauthorized_once (Fixture       *fx,
                        gconstpointer  data)
{
  CalsyncFakeOAuth *oauth = calsync_fake_google_get_oauth (fx->fake);
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(CalsyncPage) page2 = NULL;
  g_autoptr(GError) error = NULL;

  put_timed (fx->fake, USER, "a", "Lunch", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z");
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (oauth), ==, 0);

  calsync_fake_google_set_fault (fx->fake, USER, CALSYNC_FAKE_FAULT_UNAUTHORIZED);
  page = fetch (fx, fx->primary, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->upserts->len, ==, 1);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (oauth), ==, 1);

  /* an access token the server no longer accepts: the same, once more */
  calsync_fake_oauth_expire_access_tokens (oauth);
  page2 = fetch (fx, fx->primary, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page2->upserts->len, ==, 1);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (oauth), ==, 2);
}

static void
test_revoked (Fixture       *fx,
              gconstpointer  data)
{
  CalsyncFakeOAuth *oauth = calsync_fake_google_get_oauth (fx->fake);
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;

  calsync_fake_oauth_expire_access_tokens (oauth);
  calsync_fake_oauth_revoke (oauth, USER);
  page = fetch (fx, fx->primary, NULL, NULL, &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT);
}

static void
test_rate_limited_then_ok (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  guint before = calsync_fake_google_get_n_requests (fx->fake);

  put_timed (fx->fake, USER, "a", "Lunch", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z");
  calsync_fake_google_set_fault (fx->fake, NULL, CALSYNC_FAKE_FAULT_RATE_LIMIT);
  page = fetch (fx, fx->primary, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->upserts->len, ==, 1);
  g_assert_cmpuint (calsync_fake_google_get_n_requests (fx->fake) - before, ==, 2);
}

static void
test_server_error (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(CalsyncPage) other = NULL;
  g_autoptr(GError) error = NULL;

  calsync_fake_google_set_fault (fx->fake, TEAM, CALSYNC_FAKE_FAULT_SERVER_ERROR);
  page = fetch (fx, fx->team, NULL, NULL, &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_SERVER);
  g_assert_null (strstr (error->message, "backendError"));
  g_clear_error (&error);

  /* only that calendar */
  other = fetch (fx, fx->primary, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (other);
}

static void
test_bad_bodies (Fixture       *fx,
                 gconstpointer  data)
{
  const CalsyncFakeFault faults[] = { CALSYNC_FAKE_FAULT_MALFORMED, CALSYNC_FAKE_FAULT_TRUNCATED };

  put_timed (fx->fake, USER, "a", "Lunch", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z");
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autoptr(CalsyncPage) page = NULL;
      g_autoptr(GError) error = NULL;

      calsync_fake_google_set_fault (fx->fake, USER, faults[i]);
      page = fetch (fx, fx->primary, NULL, NULL, &error);
      g_assert_null (page);
      g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED);
    }
}

/* Parsing ---------------------------------------------------------------------- */

static CalsyncPage *
parse (const char  *json,
       GError     **error)
{
  return calsync_google_parse_events_page (json, strlen (json), error);
}

/* One event that cannot be read is skipped and counted; the page is kept */
static void
test_parse_malformed_event (void)
{
  static const char * const bad[] = {
    "{\"summary\":\"no id\",\"start\":{\"date\":\"2026-12-01\"}}",
    "\"text\"",
    "{\"id\":\"x\",\"start\":{\"dateTime\":\"not a time\"}}",
    "{\"id\":\"x\",\"start\":{\"date\":\"2026-02-30\"}}",
    "{\"id\":\"x\"}",
    "{\"id\":\"x\",\"start\":\"2026-12-01\"}",
    "{\"id\":\"x\",\"start\":{\"date\":\"2026-12-01\"},\"end\":{\"dateTime\":\"2026-12-02T10:00:00Z\"}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"items\":[{\"id\":\"before\",\"start\":{\"date\":\"2026-12-01\"}},"
                                               "%s,"
                                               "{\"id\":\"after\",\"start\":{\"date\":\"2026-12-02\"}}],"
                                               "\"nextSyncToken\":\"s\"}", bad[i]);
      g_autoptr(CalsyncPage) page = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i]);
      page = parse (json, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->n_invalid, ==, 1);
      g_assert_cmpuint (page->upserts->len, ==, 2);
      g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (page->upserts, 0)), ==, "before");
      g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (page->upserts, 1)), ==, "after");
    }
}

/* A body that is not an Events resource fails as a whole */
static void
test_parse_malformed (void)
{
  static const char * const bad[] = {
    "[]",
    "",
    "{\"items\":{},\"nextSyncToken\":\"s\"}",
    "{\"items\":[]}",
    "{\"items\":[{\"id\":\"x\",\"start\":{\"date\":\"2026-12-01\"}}],\"nextSyncToken\":\"s\"",
    "{\"items\":[{\"id\":\"x\",}],\"nextSyncToken\":\"s\"}",
    "{\"items\":[],\"nextSyncToken\":\"s\"} trailing",
    "{\"items\":[{\"id\":\"\\ud800\"}],\"nextSyncToken\":\"s\"}",
    "{\"items\":[{\"id\":\"\xff\xfe\"}],\"nextSyncToken\":\"s\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(CalsyncPage) page = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i]);
      page = parse (bad[i], &error);
      g_assert_null (page);
      g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED);
    }
}

/* Only an https link is a conference link (it is offered to be opened) */
static void
test_parse_conference_https_only (void)
{
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;

  page = parse ("{\"items\":["
                "{\"id\":\"a\",\"start\":{\"date\":\"2026-12-01\"},\"hangoutLink\":\"http://meet.google.com/abc-defg-hij\"},"
                "{\"id\":\"b\",\"start\":{\"date\":\"2026-12-01\"},\"conferenceData\":{\"entryPoints\":"
                "[{\"entryPointType\":\"video\",\"uri\":\"javascript:alert(1)\"}]}},"
                "{\"id\":\"c\",\"start\":{\"date\":\"2026-12-01\"},\"hangoutLink\":\"https://meet.google.com/abc-defg-hij\"}],"
                "\"nextSyncToken\":\"s\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->upserts->len, ==, 3);
  g_assert_null (calsync_event_get_conference_url (g_ptr_array_index (page->upserts, 0)));
  g_assert_null (calsync_event_get_conference_url (g_ptr_array_index (page->upserts, 1)));
  g_assert_cmpstr (calsync_event_get_conference_url (g_ptr_array_index (page->upserts, 2)), ==,
                   "https://meet.google.com/abc-defg-hij");
}

static void
test_parse_minimal_and_foreign (void)
{
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncEvent *event;

  page = parse ("{\"kind\":\"calendar#events\",\"items\":["
                "{\"kind\":\"calendar#event\",\"id\":\"s_20261208T090000Z\",\"status\":\"cancelled\","
                " \"recurringEventId\":\"s\",\"originalStartTime\":{\"dateTime\":\"2026-12-08T10:00:00+01:00\"}},"
                "{\"kind\":\"calendar#acl\",\"id\":\"ignored\"},"
                "{\"kind\":\"calendar#event\",\"id\":\"gone\",\"status\":\"cancelled\"}],"
                "\"nextPageToken\":\"next\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->upserts->len, ==, 2);
  g_assert_cmpstr (page->next_page_token, ==, "next");
  g_assert_null (page->next_cursor);
  event = g_ptr_array_index (page->upserts, 0);
  g_assert_cmpstr (calsync_event_get_external_id (event), ==, "s_20261208T090000Z");
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CANCELLED);
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, "s");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-12-08T10:00:00+01:00");
  g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (page->upserts, 1)), ==, "gone");
}

/* Mapping --------------------------------------------------------------------------- */

static void
test_mapping (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *token = NULL;
  CalsyncEvent *ny, *tokyo, *xmas, *meet, *zoom, *plain;
  guint n_pages;
  g_autoptr(JsonNode) attendees = NULL;
  JsonObject *first;

  calsync_fake_google_put_event (fx->fake, USER,
    "{\"id\":\"ny\",\"summary\":\"Breakfast in New York\","
    "\"start\":{\"dateTime\":\"2026-12-01T09:00:00-05:00\",\"timeZone\":\"America/New_York\"},"
    "\"end\":{\"dateTime\":\"2026-12-01T10:00:00-05:00\",\"timeZone\":\"America/New_York\"}}");
  calsync_fake_google_put_event (fx->fake, USER,
    "{\"id\":\"tokyo\",\"summary\":\"Breakfast in Tokyo\","
    "\"start\":{\"dateTime\":\"2026-12-01T09:00:00+09:00\",\"timeZone\":\"Asia/Tokyo\"},"
    "\"end\":{\"dateTime\":\"2026-12-01T10:00:00+09:00\",\"timeZone\":\"Asia/Tokyo\"}}");
  calsync_fake_google_put_event (fx->fake, USER,
    "{\"id\":\"xmas\",\"summary\":\"Christmas\",\"transparency\":\"transparent\","
    "\"start\":{\"date\":\"2026-12-24\"},\"end\":{\"date\":\"2026-12-26\"}}");
  calsync_fake_google_put_event (fx->fake, USER,
    "{\"id\":\"meet\",\"summary\":\"Lunch with the team\",\"location\":\"Cantina\","
    "\"organizer\":{\"email\":\"ann@example.com\",\"displayName\":\"Ann\"},"
    "\"attendees\":[{\"email\":\"ann@example.com\",\"displayName\":\"Ann\",\"responseStatus\":\"accepted\"},"
    "               {\"email\":\"alice@example.com\",\"self\":true,\"responseStatus\":\"tentative\"}],"
    "\"hangoutLink\":\"https://meet.google.com/abc-defg-hij\","
    "\"start\":{\"dateTime\":\"2026-12-02T12:00:00+01:00\"},\"end\":{\"dateTime\":\"2026-12-02T13:00:00+01:00\"}}");
  calsync_fake_google_put_event (fx->fake, USER,
    "{\"id\":\"zoom\",\"summary\":\"Quarterly numbers\",\"status\":\"tentative\","
    "\"description\":\"Final deadline for the slides. Join: https://acme.zoom.us/j/123456789.\","
    "\"conferenceData\":{\"entryPoints\":[{\"entryPointType\":\"phone\",\"uri\":\"tel:+1-555\"}]},"
    "\"start\":{\"dateTime\":\"2026-12-03T16:00:00Z\"},\"end\":{\"dateTime\":\"2026-12-03T17:00:00Z\"}}");
  calsync_fake_google_put_event (fx->fake, USER,
    "{\"id\":\"plain\",\"summary\":\"Haircut\","
    "\"conferenceData\":{\"entryPoints\":[{\"entryPointType\":\"video\",\"uri\":\"https://teams.microsoft.com/l/meetup-join/abc\"}]},"
    "\"start\":{\"dateTime\":\"2026-12-04T16:00:00Z\"},\"end\":{\"dateTime\":\"2026-12-04T16:30:00Z\"}}");

  token = fetch_all (fx, fx->primary, NULL, events, &n_pages);
  ny = find_event (events, "ny");
  tokyo = find_event (events, "tokyo");
  xmas = find_event (events, "xmas");
  meet = find_event (events, "meet");
  zoom = find_event (events, "zoom");
  plain = find_event (events, "plain");

  g_assert_false (calsync_event_get_all_day (ny));
  g_assert_cmpint (calsync_event_get_start (ny), ==, utc ("2026-12-01T14:00:00Z"));
  g_assert_cmpint (calsync_event_get_end (ny), ==, utc ("2026-12-01T15:00:00Z"));
  g_assert_cmpstr (calsync_event_get_time_zone (ny), ==, "America/New_York");
  g_assert_cmpint (calsync_event_get_start (tokyo), ==, utc ("2026-12-01T00:00:00Z"));
  g_assert_cmpstr (calsync_event_get_time_zone (tokyo), ==, "Asia/Tokyo");

  g_assert_true (calsync_event_get_all_day (xmas));
  g_assert_cmpstr (calsync_event_get_start_date (xmas), ==, "2026-12-24");
  g_assert_cmpstr (calsync_event_get_end_date (xmas), ==, "2026-12-26");

  /* no timeZone on the event: the calendar's (the fake's calendars are in UTC) */
  g_assert_cmpstr (calsync_event_get_time_zone (meet), ==, "UTC");
  g_assert_cmpint (calsync_event_get_start (meet), ==, utc ("2026-12-02T11:00:00Z"));
  g_assert_cmpstr (calsync_event_get_conference_url (meet), ==, "https://meet.google.com/abc-defg-hij");
  g_assert_cmpint (calsync_event_get_event_type (meet), ==, CALSYNC_EVENT_TYPE_MEETING);
  attendees = json_from_string (calsync_event_get_attendees_json (meet), NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (attendees)), ==, 2);
  first = json_array_get_object_element (json_node_get_array (attendees), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "email"), ==, "ann@example.com");
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "Ann");
  g_assert_cmpstr (json_object_get_string_member (first, "response"), ==, "accepted");
  g_assert_true (json_object_get_boolean_member (first, "organizer"));
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (json_node_get_array (attendees), 1),
                                                  "organizer"));

  g_assert_cmpint (calsync_event_get_status (zoom), ==, CALSYNC_EVENT_STATUS_TENTATIVE);
  g_assert_cmpstr (calsync_event_get_conference_url (zoom), ==, "https://acme.zoom.us/j/123456789");
  g_assert_cmpint (calsync_event_get_event_type (zoom), ==, CALSYNC_EVENT_TYPE_DEADLINE);
  g_assert_cmpstr (calsync_event_get_location (meet), ==, "Cantina");

  g_assert_cmpstr (calsync_event_get_conference_url (plain), ==, "https://teams.microsoft.com/l/meetup-join/abc");
  g_assert_cmpint (calsync_event_get_event_type (plain), ==, CALSYNC_EVENT_TYPE_EVENT);
  g_assert_null (calsync_event_get_attendees_json (plain));
}

static void
put_instance (CalsyncFakeGoogle *fake,
              int                day,
              int                hour)
{
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"id\":\"weekly_202612%02dT090000Z\",\"summary\":\"Weekly sync\","
                          "\"recurringEventId\":\"weekly\","
                          "\"originalStartTime\":{\"dateTime\":\"2026-12-%02dT10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
                          "\"start\":{\"dateTime\":\"2026-12-%02dT%02d:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
                          "\"end\":{\"dateTime\":\"2026-12-%02dT%02d:30:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}",
                          day, day, day, hour, day, hour);
  calsync_fake_google_put_event (fake, USER, json);
}

static void
test_recurring (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *token = NULL;
  g_autofree char *token2 = NULL;
  CalsyncEvent *moved, *cancelled;
  guint n_pages;

  put_instance (fx->fake, 1, 10);
  put_instance (fx->fake, 8, 10);
  put_instance (fx->fake, 15, 10);
  put_instance (fx->fake, 22, 10);
  /* the 8th moved to 14:00 (same id, original start kept), the 15th cancelled */
  put_instance (fx->fake, 8, 14);
  calsync_fake_google_cancel_event (fx->fake, USER, "weekly_20261215T090000Z");

  calsync_fake_google_set_page_size (fx->fake, 2);
  token = fetch_all (fx, fx->primary, NULL, events, &n_pages);
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_null (find_event (events, "weekly_20261215T090000Z"));
  moved = find_event (events, "weekly_20261208T090000Z");   /* asserts it is there once */
  g_assert_cmpint (calsync_event_get_start (moved), ==, utc ("2026-12-08T13:00:00Z"));
  g_assert_cmpstr (calsync_event_get_original_start (moved), ==, "2026-12-08T10:00:00+01:00");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (moved), ==, "weekly");
  g_assert_cmpstr (calsync_event_get_time_zone (moved), ==, "Europe/Berlin");

  /* an instance cancelled later arrives as a minimal object */
  calsync_fake_google_cancel_event (fx->fake, USER, "weekly_20261222T090000Z");
  token2 = fetch_all (fx, fx->primary, token, changes, &n_pages);
  g_assert_cmpuint (changes->len, ==, 1);
  cancelled = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (calsync_event_get_external_id (cancelled), ==, "weekly_20261222T090000Z");
  g_assert_cmpint (calsync_event_get_status (cancelled), ==, CALSYNC_EVENT_STATUS_CANCELLED);
  g_assert_cmpstr (calsync_event_get_recurring_event_id (cancelled), ==, "weekly");
  g_assert_null (calsync_event_get_title (cancelled));
}

static void
test_generated (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *token = NULL;
  guint n_pages, all_day = 0, with_attendees = 0;

  /* 90 days before now to 365 after: about 365/455 of them in the window */
  calsync_fake_google_generate_events (fx->fake, USER, 300, WINDOW_MIN + 90 * 86400);
  calsync_fake_google_set_page_size (fx->fake, 100);
  token = fetch_all (fx, fx->primary, NULL, events, &n_pages);
  g_assert_cmpuint (events->len, >, 230);
  g_assert_cmpuint (events->len, <, 250);
  g_assert_cmpuint (n_pages, ==, 3);
  for (guint i = 0; i < events->len; i++)
    {
      all_day += calsync_event_get_all_day (g_ptr_array_index (events, i));
      with_attendees += calsync_event_get_attendees_json (g_ptr_array_index (events, i)) != NULL;
    }
  g_assert_cmpuint (all_day, >, 0);
  g_assert_cmpuint (with_attendees, >, 0);

  /* Google compresses only for a user agent that says "gzip": CalSync's does */
  g_assert_cmpuint (calsync_fake_google_get_n_gzipped (fx->fake), >=, n_pages);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();

#define ADD(path, func) \
  g_test_add ("/google-provider/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("calendar-list", test_calendar_list);
  ADD ("full-then-incremental", test_full_then_incremental);
  ADD ("fake-is-strict", test_fake_is_strict);
  ADD ("page-token-bound-to-query", test_page_token_bound_to_query);
  ADD ("gone", test_gone);
  ADD ("unauthorized-once", test_unauthorized_once);
  ADD ("revoked", test_revoked);
  ADD ("rate-limited", test_rate_limited_then_ok);
  ADD ("server-error", test_server_error);
  ADD ("bad-bodies", test_bad_bodies);
  ADD ("mapping", test_mapping);
  ADD ("recurring", test_recurring);
  ADD ("generated", test_generated);
  g_test_add_func ("/google-provider/parse-malformed", test_parse_malformed);
  g_test_add_func ("/google-provider/parse-malformed-event", test_parse_malformed_event);
  g_test_add_func ("/google-provider/parse-conference-https-only", test_parse_conference_https_only);
  g_test_add_func ("/google-provider/parse-minimal", test_parse_minimal_and_foreign);

  return g_test_run ();
}
