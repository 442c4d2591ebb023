/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-outlook-provider.c: CalsyncOutlookProvider against a small Microsoft
 * Graph on 127.0.0.1 that answers with pages written from Graph's documentation
 * (tests/fixtures/graph), a token endpoint of the Microsoft identity platform
 * (a public client: no secret), and a second origin that must never be called. */
#define G_LOG_DOMAIN "test-outlook-provider"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <libsecret/secret.h>

#include "calsync-account-setup.h"
#include "calsync-outlook-provider.h"
#include "calsync-secrets.h"
#include "calsync-sync-engine.h"
#include "calsync-test-utils.h"

#define ACCOUNT_ID   G_GINT64_CONSTANT (7311)
#define CLIENT_ID    "test-outlook-client"
#define MARKER       "SERVER-TEXT-MARKER"
#define DEFAULT_ID   "AAMkAGI2TGuLAAA-Default="
#define TEAM_ID      "AAMkAGI2TGuLAAA-Team/Plan+="
#define TEAM_ID_URI  "AAMkAGI2TGuLAAA-Team%2FPlan%2B%3D"
#define NEXT_LINK_Q  "$skiptoken=R0usmcCM996atia_s"
#define DELTA_LINK_Q "$deltatoken=R0usmcMDNGg0J1E"
/* The window of a first sync: 2026-09-01 .. 2027-09-01 UTC */
#define WINDOW_MIN   G_GINT64_CONSTANT (1788220800)
#define WINDOW_MAX   G_GINT64_CONSTANT (1819756800)

/* The fake Graph ------------------------------------------------------------------ */

typedef struct
{
  guint status;
  char *retry_after;
  char *fixture;          /* body from tests/fixtures/graph, or */
  char *body;             /* this body (text/html) */
} Fault;

typedef struct
{
  SoupServer *server;
  char *base;                   /* http://127.0.0.1:port */
  SoupServer *other;            /* another origin: nothing may be sent there */
  char *other_base;
  guint n_other_requests;

  char *access_token;           /* what the API accepts */
  char *refresh_token;          /* what the token endpoint accepts */
  char *token_error;            /* the token endpoint refuses with this code */
  GHashTable *token_form;       /* the last form the token endpoint got */
  guint n_refreshes;
  gboolean check_keyring;       /* a token was issued: look at the keyring when it comes back */
  gboolean refresh_stored_first; /* the rotated token was in the keyring when first used */

  GPtrArray *requests;          /* "path?query" of API requests (SoupServer decodes the path) */
  char *prefer;                 /* Prefer of the last API request */
  GQueue faults;                /* answers to the next API requests */
  const char *first_delta;      /* fixture of a round's first page */
  char *me_mail;                /* /me's mail; NULL as in me.json */
} Graph;

static void
fault_free (Fault *fault)
{
  g_free (fault->retry_after);
  g_free (fault->fixture);
  g_free (fault->body);
  g_free (fault);
}

static void
push_fault (Graph      *graph,
            guint       status,
            const char *retry_after,
            const char *fixture,
            const char *body)
{
  Fault *fault = g_new0 (Fault, 1);

  fault->status = status;
  fault->retry_after = g_strdup (retry_after);
  fault->fixture = g_strdup (fixture);
  fault->body = g_strdup (body);
  g_queue_push_tail (&graph->faults, fault);
}

static char *
load_fixture (Graph      *graph,
              const char *name,
              const char *calendar)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "graph", name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GString *out;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);

  out = g_string_new (text);
  g_string_replace (out, "{base}", graph->base, 0);
  g_string_replace (out, "{other}", graph->other_base, 0);
  g_string_replace (out, "{calendar}", calendar ? calendar : "", 0);
  return g_string_free (out, FALSE);
}

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *content_type,
       char              *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
reply_fixture (Graph             *graph,
               SoupServerMessage *msg,
               guint              status,
               const char        *name,
               const char        *calendar)
{
  reply (msg, status, "application/json", load_fixture (graph, name, calendar));
}

/* Whether the keyring holds @refresh_token for the account now */
static gboolean
keyring_has (const char *refresh_token)
{
  static const SecretSchema schema = {
    "org.example.CalSync.Secret", SECRET_SCHEMA_NONE,
    { { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } }
  };
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, ACCOUNT_ID);
  g_autofree char *secret = secret_password_lookup_sync (&schema, NULL, NULL, "account-id", id, NULL);

  return secret != NULL && strstr (secret, refresh_token) != NULL;
}

/* The token endpoint (Microsoft identity platform v2.0) ----------------------------- */

static void
issue_tokens (Graph             *graph,
              SoupServerMessage *msg)
{
  graph->n_refreshes++;
  g_free (graph->access_token);
  g_free (graph->refresh_token);
  graph->access_token = g_strdup_printf ("access-%u", graph->n_refreshes);
  graph->refresh_token = g_strdup_printf ("refresh-%u", graph->n_refreshes);
  graph->refresh_stored_first = FALSE;
  graph->check_keyring = TRUE;

  reply (msg, 200, "application/json",
         g_strdup_printf ("{\"token_type\":\"Bearer\",\"scope\":\"User.Read Calendars.ReadWrite\","
                          "\"expires_in\":3599,\"ext_expires_in\":3599,"
                          "\"access_token\":\"%s\",\"refresh_token\":\"%s\"}",
                          graph->access_token, graph->refresh_token));
}

static void
serve_token (Graph             *graph,
             SoupServerMessage *msg)
{
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request_body);
  g_autofree char *form_text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  GHashTable *form = soup_form_decode (form_text);
  const char *grant = g_hash_table_lookup (form, "grant_type");

  g_clear_pointer (&graph->token_form, g_hash_table_unref);
  graph->token_form = form;

  if (g_strcmp0 (g_hash_table_lookup (form, "client_id"), CLIENT_ID) != 0)
    reply (msg, 400, "application/json", g_strdup ("{\"error\":\"invalid_client\"}"));
  else if (graph->token_error != NULL)
    reply (msg, 400, "application/json",
           g_strdup_printf ("{\"error\":\"%s\",\"error_description\":\"AADSTS70008: The refresh token has expired. "
                            MARKER "\",\"error_codes\":[70008]}", graph->token_error));
  else if (g_strcmp0 (grant, "refresh_token") == 0 &&
           g_strcmp0 (g_hash_table_lookup (form, "refresh_token"), graph->refresh_token) == 0)
    issue_tokens (graph, msg);
  else if (g_strcmp0 (grant, "authorization_code") == 0 &&
           g_strcmp0 (g_hash_table_lookup (form, "code"), "the-code") == 0)
    issue_tokens (graph, msg);
  else
    reply (msg, 400, "application/json", g_strdup ("{\"error\":\"invalid_grant\"}"));
}

/* The API ------------------------------------------------------------------------------ */

static void
serve_delta (Graph             *graph,
             SoupServerMessage *msg,
             const char        *calendar,
             GHashTable        *query)
{
  const char *delta_token = query ? g_hash_table_lookup (query, "$deltatoken") : NULL;
  const char *skip_token = query ? g_hash_table_lookup (query, "$skiptoken") : NULL;

  if (g_strcmp0 (delta_token, "R0usmcMDNGg0J1E") == 0)
    reply_fixture (graph, msg, 200, "delta-next.json", calendar);
  else if (delta_token != NULL)
    reply_fixture (graph, msg, 410, "error-sync-state.json", calendar);
  else if (g_strcmp0 (skip_token, "R0usmcCM996atia_s") == 0)
    reply_fixture (graph, msg, 200, "delta-2.json", calendar);
  else if (skip_token == NULL && g_hash_table_contains (query, "startDateTime") &&
           g_hash_table_contains (query, "endDateTime"))
    reply_fixture (graph, msg, 200, graph->first_delta, calendar);
  else
    reply (msg, 400, "application/json", g_strdup ("{\"error\":{\"code\":\"invalidRequest\"}}"));
}

static void
serve_me (Graph             *graph,
          SoupServerMessage *msg)
{
  g_autofree char *text = load_fixture (graph, "me.json", NULL);
  g_autofree char *mail = graph->me_mail ? g_strdup_printf ("\"mail\": \"%s\"", graph->me_mail) : NULL;
  GString *out = g_string_new (text);

  if (mail != NULL)
    g_string_replace (out, "\"mail\": null", mail, 1);
  reply (msg, 200, "application/json", g_string_free (out, FALSE));
}

static gboolean
answer_fault (Graph             *graph,
              SoupServerMessage *msg)
{
  Fault *fault = g_queue_pop_head (&graph->faults);

  if (fault == NULL)
    return FALSE;

  if (fault->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", fault->retry_after);
  if (fault->fixture != NULL)
    reply_fixture (graph, msg, fault->status, fault->fixture, NULL);
  else
    reply (msg, fault->status, "text/html", g_strdup (fault->body ? fault->body : ""));
  fault_free (fault);
  return TRUE;
}

static void
serve_api (Graph             *graph,
           SoupServerMessage *msg,
           GHashTable        *query)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = g_uri_get_path (uri);
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "Authorization");
  g_autofree char *bearer = g_strconcat ("Bearer ", graph->access_token, NULL);
  const char *prefix = "/v1.0/me/calendars/";

  g_ptr_array_add (graph->requests, g_strdup_printf ("%s%s%s", path, g_uri_get_query (uri) ? "?" : "",
                                                     g_uri_get_query (uri) ? g_uri_get_query (uri) : ""));
  g_free (graph->prefer);
  graph->prefer = g_strdup (soup_message_headers_get_list (soup_server_message_get_request_headers (msg), "Prefer"));

  if (g_strcmp0 (authorization, bearer) != 0)
    {
      reply_fixture (graph, msg, 401, "error-token-expired.json", NULL);
      return;
    }
  if (graph->check_keyring)
    {
      graph->refresh_stored_first = keyring_has (graph->refresh_token);
      graph->check_keyring = FALSE;
    }

  if (answer_fault (graph, msg))
    return;

  if (g_str_equal (path, "/v1.0/me"))
    serve_me (graph, msg);
  else if (g_str_equal (path, "/v1.0/me/calendars"))
    reply_fixture (graph, msg, 200, query && g_hash_table_contains (query, "$skip") ? "calendars-2.json"
                                                                                 : "calendars-1.json", NULL);
  else if (g_str_has_prefix (path, prefix) && g_str_has_suffix (path, "/calendarView/delta"))
    {
      /* SoupServer hands the path over decoded: the links carry the id encoded again */
      g_autofree char *calendar = g_strndup (path + strlen (prefix),
                                             strlen (path) - strlen (prefix) - strlen ("/calendarView/delta"));
      g_autofree char *escaped = g_uri_escape_string (calendar, NULL, FALSE);

      serve_delta (graph, msg, escaped, query);
    }
  else
    reply_fixture (graph, msg, 404, "error-item-not-found.json", NULL);
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Graph *graph = user_data;

  if (g_str_equal (path, "/token"))
    serve_token (graph, msg);
  else
    serve_api (graph, msg, query);
}

static void
on_other_request (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  Graph *graph = user_data;

  graph->n_other_requests++;
  reply (msg, 200, "application/json", g_strdup ("{\"value\":[],\"@odata.deltaLink\":\"x\"}"));
}

static SoupServer *
listen_local (char                **base,
              SoupServerCallback    callback,
              gpointer              user_data)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  g_autoslist(GUri) uris = NULL;
  g_autoptr(GError) error = NULL;

  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  soup_server_add_handler (server, NULL, callback, user_data, NULL);
  return server;
}

static Graph *
graph_new (void)
{
  Graph *graph = g_new0 (Graph, 1);

  graph->server = listen_local (&graph->base, on_request, graph);
  graph->other = listen_local (&graph->other_base, on_other_request, graph);
  graph->access_token = g_strdup ("access-0");
  graph->refresh_token = g_strdup ("refresh-0");
  graph->requests = g_ptr_array_new_with_free_func (g_free);
  graph->first_delta = "delta-1.json";
  g_queue_init (&graph->faults);
  return graph;
}

static void
graph_free (Graph *graph)
{
  soup_server_disconnect (graph->server);
  soup_server_disconnect (graph->other);
  g_clear_object (&graph->server);
  g_clear_object (&graph->other);
  g_free (graph->base);
  g_free (graph->other_base);
  g_free (graph->access_token);
  g_free (graph->refresh_token);
  g_free (graph->token_error);
  g_free (graph->prefer);
  g_free (graph->me_mail);
  g_clear_pointer (&graph->token_form, g_hash_table_unref);
  g_ptr_array_unref (graph->requests);
  g_queue_clear_full (&graph->faults, (GDestroyNotify) fault_free);
  g_free (graph);
}

/* Fixture --------------------------------------------------------------------------- */

typedef struct
{
  Graph *graph;
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
  CalsyncProvider *provider;
  CalsyncCalendar *team;
} Fixture;

static CalsyncOAuthConfig *
outlook_config (Graph *graph)
{
  CalsyncOAuthConfig *config = calsync_oauth_config_new_outlook ();

  g_free (config->token_url);
  g_free (config->client_id);
  config->token_url = g_strconcat (graph->base, "/token", NULL);
  config->client_id = g_strdup (CLIENT_ID);
  return config;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(CalsyncOAuthConfig) config = NULL;
  g_autofree char *api_url = NULL;
  CalsyncTokens tokens = { 0 };

  fx->graph = graph_new ();
  fx->http = calsync_http_new ();
  calsync_http_set_retry_policy (fx->http, 3, 1, 5000);

  config = outlook_config (fx->graph);
  fx->credentials = calsync_credentials_new_oauth (fx->http, config, ACCOUNT_ID);
  tokens.access_token = fx->graph->access_token;
  tokens.refresh_token = fx->graph->refresh_token;
  tokens.expires_at = g_get_real_time () / G_USEC_PER_SEC + 3600;
  calsync_credentials_set_tokens (fx->credentials, &tokens);

  api_url = g_strconcat (fx->graph->base, "/v1.0/", NULL);
  fx->provider = CALSYNC_PROVIDER (calsync_outlook_provider_new (fx->http, fx->credentials, api_url));
  fx->team = calsync_calendar_new ();
  calsync_calendar_set_remote_id (fx->team, TEAM_ID);
}

static void
delete_secret (gint64 account_id)
{
  g_autoptr(GAsyncResult) result = NULL;

  calsync_secrets_delete_async (account_id, NULL, calsync_test_result_cb, &result);
  calsync_secrets_delete_finish (calsync_test_spin (&result), NULL);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  delete_secret (ACCOUNT_ID);
  g_clear_object (&fx->provider);
  g_clear_object (&fx->credentials);
  g_clear_object (&fx->http);
  g_clear_object (&fx->team);
  graph_free (fx->graph);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static CalsyncPage *
fetch (Fixture     *fx,
       const char  *cursor,
       const char  *page_token,
       GError     **error)
{
  CalsyncFetchRequest request = { cursor, page_token, WINDOW_MIN, WINDOW_MAX };
  g_autoptr(GAsyncResult) result = NULL;

  calsync_provider_fetch_page_async (fx->provider, fx->team, &request, NULL, calsync_test_result_cb, &result);
  return calsync_provider_fetch_page_finish (fx->provider, calsync_test_spin (&result), error);
}

static const char *
last_request (Fixture *fx)
{
  g_assert_cmpuint (fx->graph->requests->len, >, 0);
  return g_ptr_array_index (fx->graph->requests, fx->graph->requests->len - 1);
}

static char *
link_to (Fixture    *fx,
         const char *query)
{
  return g_strdup_printf ("%s/v1.0/me/calendars/%s/calendarView/delta?%s", fx->graph->base, TEAM_ID_URI, query);
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

  g_assert_nonnull (found);
  return found;
}

static gint64
utc (const char *iso)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

static char *
error_text (Fixture      *fx,
            const GError *error)
{
  char *text = calsync_provider_error_text (fx->provider, error);

  g_assert_nonnull (text);
  g_assert_null (strstr (text, MARKER));
  g_assert_null (strstr (text, "{"));
  g_assert_null (strstr (text, "<"));
  return text;
}

/* Calendars and the account -------------------------------------------------------- */

static void
test_calendar_list (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncCalendar *calendar;

  calsync_provider_list_calendars_async (fx->provider, NULL, calsync_test_result_cb, &result);
  calendars = calsync_provider_list_calendars_finish (fx->provider, calsync_test_spin (&result), &error);
  g_assert_no_error (error);

  /* both pages, the nextLink followed as given; the entry without an id left out */
  g_assert_cmpuint (fx->graph->requests->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fx->graph->requests, 0), ==, "/v1.0/me/calendars");
  g_assert_cmpstr (g_ptr_array_index (fx->graph->requests, 1), ==, "/v1.0/me/calendars?$skip=2");
  g_assert_cmpuint (calendars->len, ==, 3);

  /* the default calendar first, as the primary one */
  calendar = g_ptr_array_index (calendars, 0);
  g_assert_cmpstr (calsync_calendar_get_remote_id (calendar), ==, DEFAULT_ID);
  g_assert_cmpstr (calsync_calendar_get_name (calendar), ==, "Calendar");
  g_assert_true (calsync_calendar_get_is_primary (calendar));
  g_assert_true (calsync_calendar_get_is_active (calendar));
  g_assert_cmpstr (calsync_calendar_get_color (calendar), ==, "#0078d4");   /* hexColor "", color auto */
  g_assert_false (calsync_calendar_get_read_only (calendar));
  /* local changes go back to Graph */
  g_assert_true (calsync_provider_can_write (fx->provider));

  calendar = g_ptr_array_index (calendars, 1);
  g_assert_cmpstr (calsync_calendar_get_name (calendar), ==, "Birthdays");
  g_assert_false (calsync_calendar_get_is_primary (calendar));
  g_assert_cmpstr (calsync_calendar_get_color (calendar), ==, "#f09cc8");   /* hexColor "", lightPink */
  g_assert_true (calsync_calendar_get_read_only (calendar));                /* canEdit false */

  calendar = g_ptr_array_index (calendars, 2);
  g_assert_cmpstr (calsync_calendar_get_remote_id (calendar), ==, TEAM_ID);
  g_assert_cmpstr (calsync_calendar_get_name (calendar), ==, "Team – Planung ✓");
  g_assert_cmpstr (calsync_calendar_get_color (calendar), ==, "#e3a1fc");   /* hexColor wins */
  g_assert_false (calsync_calendar_get_read_only (calendar));
}

static char *
account_address (Fixture *fx)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *address;

  calsync_provider_get_account_address_async (fx->provider, NULL, NULL, calsync_test_result_cb, &result);
  address = calsync_provider_get_account_address_finish (fx->provider, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  return address;
}

static void
test_account_address (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *upn = NULL;
  g_autofree char *mail = NULL;

  /* mail is null in me.json: the userPrincipalName then */
  upn = account_address (fx);
  g_assert_cmpstr (upn, ==, "MeganB@contoso.onmicrosoft.com");
  g_assert_cmpstr (last_request (fx), ==, "/v1.0/me");

  fx->graph->me_mail = g_strdup ("megan.bowen@contoso.com");
  mail = account_address (fx);
  g_assert_cmpstr (mail, ==, "megan.bowen@contoso.com");
}

/* After sign-in the account is recorded under the address of /me, with the
 * calendars of /me/calendars, and its tokens in the keyring */
static void
test_account_setup (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("calsync-outlook-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "calsync.db", NULL);
  g_autoptr(CalsyncStore) store = calsync_store_open (path, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalsyncAccount) account = NULL;
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncTokens tokens = { (char *) "access-0", (char *) "refresh-0", G_MAXINT32 };
  guint n_calendars = 0;

  g_assert_nonnull (store);
  calsync_account_setup_async (store, fx->provider, "outlook", &tokens, NULL, calsync_test_result_cb, &result);
  account = calsync_account_setup_finish (calsync_test_spin (&result), &n_calendars, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (calsync_account_get_email (account), ==, "MeganB@contoso.onmicrosoft.com");
  g_assert_cmpstr (calsync_account_get_provider (account), ==, "outlook");
  g_assert_cmpuint (n_calendars, ==, 3);
  calendars = calsync_store_list_calendars (store, calsync_account_get_id (account), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calendars->len, ==, 3);

  delete_secret (calsync_account_get_id (account));
  g_clear_object (&store);
  calsync_test_remove_tree (dir);
}

/* Pages -------------------------------------------------------------------------------- */

static void
test_full_then_incremental (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(CalsyncPage) first = NULL;
  g_autoptr(CalsyncPage) second = NULL;
  g_autoptr(CalsyncPage) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_link = link_to (fx, NEXT_LINK_Q);
  g_autofree char *delta_link = link_to (fx, DELTA_LINK_Q);

  /* A round without a cursor: the window's calendarView/delta of the calendar,
   * its id escaped, times in UTC, pages of 1,000 */
  first = fetch (fx, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (last_request (fx), ==,
                   "/v1.0/me/calendars/" TEAM_ID "/calendarView/delta"
                   "?startDateTime=2026-09-01T00:00:00Z&endDateTime=2027-09-01T00:00:00Z");
  g_assert_nonnull (strstr (fx->graph->prefer, "odata.maxpagesize=1000"));
  g_assert_nonnull (strstr (fx->graph->prefer, "outlook.timezone=\"UTC\""));
  g_assert_true (first->full_snapshot);
  g_assert_cmpuint (first->upserts->len, ==, 5);
  g_assert_cmpuint (first->removals->len, ==, 0);
  g_assert_cmpuint (first->n_invalid, ==, 0);
  g_assert_cmpstr (first->next_page_token, ==, next_link);
  g_assert_null (first->next_cursor);

  /* the nextLink, exactly as given */
  second = fetch (fx, NULL, first->next_page_token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (last_request (fx), ==, "/v1.0/me/calendars/" TEAM_ID "/calendarView/delta?" NEXT_LINK_Q);
  g_assert_nonnull (strstr (fx->graph->prefer, "outlook.timezone=\"UTC\""));
  g_assert_true (second->full_snapshot);
  g_assert_cmpuint (second->upserts->len, ==, 3);
  g_assert_cmpuint (second->removals->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (second->removals, 0), ==, "AAMkADRemoved=");
  g_assert_cmpuint (second->n_invalid, ==, 2);   /* unreadable times, no id */
  g_assert_null (second->next_page_token);
  g_assert_cmpstr (second->next_cursor, ==, delta_link);

  /* the next round starts from the deltaLink, as given: changes only */
  next = fetch (fx, second->next_cursor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (last_request (fx), ==, "/v1.0/me/calendars/" TEAM_ID "/calendarView/delta?" DELTA_LINK_Q);
  g_assert_false (next->full_snapshot);
  g_assert_cmpuint (next->removals->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (next->removals, 0), ==, "AAMkADNVxRAAA=");
  g_assert_cmpuint (next->upserts->len, ==, 1);
  g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (next->upserts, 0)), ==, "Attend service");
  g_assert_nonnull (next->next_cursor);
  g_assert_true (g_str_has_suffix (next->next_cursor, "$deltatoken=R0usmcFuQtZdtpk4"));
  g_assert_cmpuint (fx->graph->requests->len, ==, 3);
}

static CalsyncPage *
parse_fixture (Fixture    *fx,
               const char *name)
{
  g_autofree char *text = load_fixture (fx->graph, name, TEAM_ID_URI);
  g_autoptr(GError) error = NULL;
  CalsyncPage *page = calsync_outlook_parse_events_page (text, strlen (text), &error);

  g_assert_no_error (error);
  return page;
}

static void
test_mapping_timed (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = parse_fixture (fx, "delta-1.json");
  CalsyncEvent *event;

  event = find_event (page->upserts, "AAMkADNVxRAAA=");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Plan shopping list");
  g_assert_false (calsync_event_get_all_day (event));
  g_assert_cmpint (calsync_event_get_start (event), ==, utc ("2026-12-09T20:30:00Z"));
  g_assert_cmpint (calsync_event_get_end (event), ==, utc ("2026-12-09T22:00:00Z"));
  /* originalStartTimeZone, a Windows name, is the event's own zone */
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "America/Los_Angeles");
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Home");
  g_assert_cmpstr (calsync_event_get_etag (event), ==, "W/\"EZ9r3czxY0m2jz8c45czkwAAFXcvIQ==\"");
  /* To the microsecond: a conflict is settled on it */
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, utc ("2026-11-30T08:15:30Z") * G_USEC_PER_SEC + 123456);
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CONFIRMED);
  g_assert_cmpstr (calsync_event_get_description (event), ==, "");
  g_assert_null (calsync_event_get_attendees_json (event));
  g_assert_null (calsync_event_get_recurring_event_id (event));
  g_assert_null (calsync_event_get_conference_url (event));

  /* an occurrence and a moved exception of one series */
  event = find_event (page->upserts, "AAMkADOccurrence1=");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, "AAMkADSeriesMaster=");
  /* originalStart, an instant in UTC, in the event's zone as the agenda shows start */
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-12-07T10:00:00+01:00");
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_description (event), ==, "Daily standup.\nBring your updates.");
  g_assert_cmpint (calsync_event_get_end (event) - calsync_event_get_start (event), ==, 15 * 60);

  event = find_event (page->upserts, "AAMkADException1=");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, "AAMkADSeriesMaster=");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-12-08T10:00:00+01:00");
  g_assert_cmpint (calsync_event_get_start (event), ==, utc ("2026-12-08T10:30:00Z"));
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_TENTATIVE);   /* showAs */
}

static void
test_mapping_all_day (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = parse_fixture (fx, "delta-1.json");
  CalsyncEvent *event;

  /* dates as sent, end exclusive, whatever the zones say */
  event = find_event (page->upserts, "AAMkADAllDay1=");
  g_assert_true (calsync_event_get_all_day (event));
  g_assert_cmpstr (calsync_event_get_start_date (event), ==, "2026-12-24");
  g_assert_cmpstr (calsync_event_get_end_date (event), ==, "2026-12-26");

  event = find_event (page->upserts, "AAMkADAllDay2=");
  g_assert_true (calsync_event_get_all_day (event));
  g_assert_cmpstr (calsync_event_get_start_date (event), ==, "2026-12-31");
  g_assert_cmpstr (calsync_event_get_end_date (event), ==, "2027-01-01");
}

static JsonArray *
attendees_of (CalsyncEvent *event,
              JsonNode    **root)
{
  const char *json = calsync_event_get_attendees_json (event);

  g_assert_nonnull (json);
  *root = calsync_test_parse_json (json);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (*root));
  return json_node_get_array (*root);
}

static void
assert_attendee (JsonArray  *attendees,
                 guint       index,
                 const char *email,
                 const char *name,
                 const char *response,
                 gboolean    organizer)
{
  JsonObject *attendee = json_array_get_object_element (attendees, index);

  g_assert_cmpstr (json_object_get_string_member (attendee, "email"), ==, email);
  g_assert_cmpstr (json_object_get_string_member (attendee, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (attendee, "response"), ==, response);
  g_assert_cmpint (json_object_get_boolean_member (attendee, "organizer"), ==, organizer);
}

static void
test_mapping_meeting (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = parse_fixture (fx, "delta-2.json");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) root2 = NULL;
  JsonArray *attendees;
  CalsyncEvent *event;
  const char *description;

  event = find_event (page->upserts, "AAMkADCancelled=");
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CANCELLED);

  /* the HTML body as text: no markup, no style, no script; the Teams link found in it */
  event = find_event (page->upserts, "AAMkADTeams=");
  description = calsync_event_get_description (event);
  g_assert_true (g_str_has_prefix (description, "Agenda:\nBudget & plan\nHiring plan\n\nJoin the meeting now (https://teams.microsoft.com/"));
  g_assert_null (strstr (description, "<"));
  g_assert_null (strstr (description, "margin"));
  g_assert_null (strstr (description, "never"));
  g_assert_cmpstr (calsync_event_get_conference_url (event), ==,
                   "https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2QzYjE%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf%22%7d");
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_MEETING);
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Microsoft Teams Meeting");
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, utc ("2026-11-21T07:45:00Z") * G_USEC_PER_SEC + 500000);

  /* each response in the agenda's words; the organizer flagged */
  attendees = attendees_of (event, &root);
  g_assert_cmpuint (json_array_get_length (attendees), ==, 6);
  assert_attendee (attendees, 0, "AdeleV@contoso.onmicrosoft.com", "Adele Vance", "accepted", TRUE);
  assert_attendee (attendees, 1, "AlexW@contoso.onmicrosoft.com", "Alex Wilber", "needsAction", FALSE);
  assert_attendee (attendees, 2, "MeganB@contoso.onmicrosoft.com", "Megan Bowen", "tentative", FALSE);
  assert_attendee (attendees, 3, "LynneR@contoso.onmicrosoft.com", "Lynne Robbins", "accepted", FALSE);
  assert_attendee (attendees, 4, "DiegoS@contoso.onmicrosoft.com", "Diego Siciliani", "declined", FALSE);
  assert_attendee (attendees, 5, "Adams@contoso.onmicrosoft.com", "Conf Room Adams", "needsAction", FALSE);

  /* onlineMeeting.joinUrl before any link of the body; the organizer Graph
   * does not list among the attendees is added */
  event = find_event (page->upserts, "AAMkADJoinUrl=");
  g_assert_cmpstr (calsync_event_get_conference_url (event), ==,
                   "https://teams.microsoft.com/l/meetup-join/19%3ameeting_OneOnOne%40thread.v2/0");
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "America/New_York");
  attendees = attendees_of (event, &root2);
  g_assert_cmpuint (json_array_get_length (attendees), ==, 2);
  assert_attendee (attendees, 0, "PattiF@contoso.onmicrosoft.com", "Patti Fernandez", "accepted", TRUE);
  assert_attendee (attendees, 1, "MeganB@contoso.onmicrosoft.com", "Megan Bowen", "accepted", FALSE);
}

/* dateTime in other zones than the UTC asked for: the Windows or IANA zone it names */
static void
test_time_zones (void)
{
  const char *page =
    "{\"@odata.deltaLink\":\"https://graph.microsoft.com/v1.0/x?$deltatoken=1\",\"value\":["
    "{\"id\":\"pst\",\"start\":{\"dateTime\":\"2026-12-09T12:30:00.0000000\",\"timeZone\":\"Pacific Standard Time\"},"
    " \"end\":{\"dateTime\":\"2026-12-09T13:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"}},"
    "{\"id\":\"berlin\",\"originalStartTimeZone\":\"tzone://Microsoft/Custom\","
    " \"start\":{\"dateTime\":\"2026-07-01T10:00:00\",\"timeZone\":\"Europe/Berlin\"},"
    " \"end\":{\"dateTime\":\"2026-07-01T11:00:00\",\"timeZone\":\"Europe/Berlin\"}},"
    "{\"id\":\"custom\",\"originalStartTimeZone\":\"tzone://Microsoft/Custom\","
    " \"start\":{\"dateTime\":\"2026-07-01T10:00:00.0000000\",\"timeZone\":\"UTC\"},"
    " \"end\":{\"dateTime\":\"2026-07-01T11:00:00.0000000\",\"timeZone\":\"UTC\"}},"
    "{\"id\":\"offset\",\"start\":{\"dateTime\":\"2026-07-01T10:00:00+02:00\",\"timeZone\":\"UTC\"}},"
    "{\"id\":\"nowhere\",\"start\":{\"dateTime\":\"2026-07-01T10:00:00\",\"timeZone\":\"Mars/Olympus_Mons\"}},"
    "{\"id\":\"bad-day\",\"start\":{\"dateTime\":\"2026-02-30T10:00:00\",\"timeZone\":\"UTC\"}},"
    "{\"id\":\"bad-all-day\",\"isAllDay\":true,\"start\":{\"dateTime\":\"2026-13-01T00:00:00\",\"timeZone\":\"UTC\"}},"
    /* all-day series: originalStart is midnight of the series' zone, in UTC */
    "{\"id\":\"day-occurrence\",\"isAllDay\":true,\"type\":\"occurrence\",\"seriesMasterId\":\"m\","
    " \"originalStart\":\"2026-12-24T08:00:00Z\",\"originalStartTimeZone\":\"Pacific Standard Time\","
    " \"start\":{\"dateTime\":\"2026-12-24T00:00:00.0000000\",\"timeZone\":\"UTC\"},"
    " \"end\":{\"dateTime\":\"2026-12-25T00:00:00.0000000\",\"timeZone\":\"UTC\"}},"
    "{\"id\":\"day-exception\",\"isAllDay\":true,\"type\":\"exception\",\"seriesMasterId\":\"m\","
    " \"originalStart\":\"2026-12-25T08:00:00Z\",\"originalStartTimeZone\":\"Pacific Standard Time\","
    " \"start\":{\"dateTime\":\"2026-12-27T00:00:00.0000000\",\"timeZone\":\"UTC\"},"
    " \"end\":{\"dateTime\":\"2026-12-28T00:00:00.0000000\",\"timeZone\":\"UTC\"}},"
    "{\"id\":\"utc-exception\",\"type\":\"exception\",\"seriesMasterId\":\"m2\","
    " \"originalStart\":\"2026-07-01T10:00:00Z\",\"originalStartTimeZone\":\"UTC\","
    " \"start\":{\"dateTime\":\"2026-07-01T11:00:00\",\"timeZone\":\"UTC\"}}"
    "]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncPage) parsed = calsync_outlook_parse_events_page (page, strlen (page), &error);
  CalsyncEvent *event;

  g_assert_no_error (error);
  g_assert_cmpuint (parsed->upserts->len, ==, 7);
  g_assert_cmpuint (parsed->n_invalid, ==, 3);

  event = find_event (parsed->upserts, "day-occurrence");
  g_assert_cmpstr (calsync_event_get_start_date (event), ==, "2026-12-24");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-12-24");
  event = find_event (parsed->upserts, "day-exception");
  g_assert_cmpstr (calsync_event_get_start_date (event), ==, "2026-12-27");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-12-25");
  event = find_event (parsed->upserts, "utc-exception");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-07-01T10:00:00Z");

  event = find_event (parsed->upserts, "pst");
  g_assert_cmpint (calsync_event_get_start (event), ==, utc ("2026-12-09T20:30:00Z"));
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "America/Los_Angeles");

  /* a legacy custom zone: the zone of start stands in */
  event = find_event (parsed->upserts, "berlin");
  g_assert_cmpint (calsync_event_get_start (event), ==, utc ("2026-07-01T08:00:00Z"));
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "Europe/Berlin");
  event = find_event (parsed->upserts, "custom");
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "UTC");

  event = find_event (parsed->upserts, "offset");
  g_assert_cmpint (calsync_event_get_start (event), ==, utc ("2026-07-01T08:00:00Z"));
  g_assert_cmpint (calsync_event_get_end (event), ==, calsync_event_get_start (event));
}

/* Occurrences of a series carry one body: each event gets its text */
static void
test_parse_same_body (void)
{
  const char *page =
    "{\"@odata.deltaLink\":\"https://graph.microsoft.com/v1.0/x?$deltatoken=1\",\"value\":["
    "{\"id\":\"a\",\"body\":{\"contentType\":\"html\",\"content\":\"<p>Weekly &amp; sync</p>\"},"
    " \"start\":{\"dateTime\":\"2026-07-01T10:00:00\",\"timeZone\":\"UTC\"}},"
    "{\"id\":\"b\",\"body\":{\"content\":\"<p>Weekly &amp; sync</p>\",\"contentType\":\"html\"},"
    " \"start\":{\"dateTime\":\"2026-07-08T10:00:00\",\"timeZone\":\"UTC\"}},"
    "{\"id\":\"c\",\"body\":{\"contentType\":\"text\",\"content\":\"<p>Weekly &amp; sync</p>\"},"
    " \"start\":{\"dateTime\":\"2026-07-15T10:00:00\",\"timeZone\":\"UTC\"}}"
    "]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncPage) parsed = calsync_outlook_parse_events_page (page, strlen (page), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (calsync_event_get_description (find_event (parsed->upserts, "a")), ==, "Weekly & sync");
  g_assert_cmpstr (calsync_event_get_description (find_event (parsed->upserts, "b")), ==, "Weekly & sync");
  /* a text body is taken as it is */
  g_assert_cmpstr (calsync_event_get_description (find_event (parsed->upserts, "c")), ==, "<p>Weekly &amp; sync</p>");
}

static void
test_parse_malformed (void)
{
  const char *bodies[] = {
    ("not json " MARKER),
    "{\"value\":[]}",                                           /* no link to go on with */
    "{\"value\":{},\"@odata.deltaLink\":\"https://x/\"}",       /* value is not a list */
    "[{\"@odata.deltaLink\":\"https://x/\"}]",
    "{\"value\":[{\"id\":\"a\"},],\"@odata.deltaLink\":\"https://x/\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CalsyncPage) page = calsync_outlook_parse_events_page (bodies[i], strlen (bodies[i]), &error);

      g_assert_null (page);
      g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED);
      g_assert_null (strstr (error->message, MARKER));
    }
}

/* An event of another kind in the list, a series master, a huge title */
static void
test_parse_bounds (void)
{
  g_autoptr(GString) page = g_string_new ("{\"value\":[");
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncPage) parsed = NULL;
  CalsyncEvent *event;

  g_string_append (page, "{\"id\":\"master\",\"type\":\"seriesMaster\","
                         "\"start\":{\"dateTime\":\"2026-07-01T10:00:00\",\"timeZone\":\"UTC\"}},");
  g_string_append (page, "{\"id\":\"big\",\"subject\":\"");
  for (guint i = 0; i < 20000; i++)
    g_string_append (page, "é");
  g_string_append (page, "\",\"start\":{\"dateTime\":\"2026-07-01T10:00:00\",\"timeZone\":\"UTC\"}},");
  g_string_append (page, "{\"id\":\"");
  for (guint i = 0; i < CALSYNC_EVENT_MAX_ID + 10; i++)
    g_string_append_c (page, 'x');
  g_string_append (page, "\",\"start\":{\"dateTime\":\"2026-07-01T10:00:00\",\"timeZone\":\"UTC\"}}");
  g_string_append (page, "],\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/x?$skiptoken=2\"}");

  parsed = calsync_outlook_parse_events_page (page->str, page->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->upserts->len, ==, 1);   /* the master is no instance */
  g_assert_cmpuint (parsed->n_invalid, ==, 1);      /* the id too long to keep */
  event = find_event (parsed->upserts, "big");
  g_assert_cmpuint (strlen (calsync_event_get_title (event)), <=, CALSYNC_EVENT_MAX_TITLE);
  g_assert_true (g_utf8_validate (calsync_event_get_title (event), -1, NULL));
}

/* The request line as it goes on the wire (SoupServer would decode the path) */
typedef struct
{
  GMutex lock;
  char *request_line;
} RawServer;

static gboolean
on_raw_connection (GThreadedSocketService *service,
                   GSocketConnection      *connection,
                   GObject                *source,
                   gpointer                user_data)
{
  RawServer *raw = user_data;
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  const char *answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

  g_mutex_lock (&raw->lock);
  if (raw->request_line == NULL)
    raw->request_line = g_strdup (line);
  g_mutex_unlock (&raw->lock);

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             answer, strlen (answer), NULL, NULL, NULL);
  return TRUE;
}

/* The calendar id goes into the path escaped: Graph's ids hold "/", "+" and "=" */
static void
test_calendar_id_escaped (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(CalsyncProvider) provider = NULL;
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *api_url = NULL;
  CalsyncFetchRequest request = { NULL, NULL, WINDOW_MIN, WINDOW_MAX };
  RawServer raw = { 0 };

  g_mutex_init (&raw.lock);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (on_raw_connection), &raw);
  g_socket_service_start (service);

  api_url = g_strdup_printf ("http://127.0.0.1:%u/v1.0",
                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  provider = CALSYNC_PROVIDER (calsync_outlook_provider_new (fx->http, fx->credentials, api_url));
  calsync_provider_fetch_page_async (provider, fx->team, &request, NULL, calsync_test_result_cb, &result);
  page = calsync_provider_fetch_page_finish (provider, calsync_test_spin (&result), &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_NOT_FOUND);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_mutex_lock (&raw.lock);
  g_assert_cmpstr (raw.request_line, ==,
                   "GET /v1.0/me/calendars/" TEAM_ID_URI "/calendarView/delta"
                   "?startDateTime=2026-09-01T00:00:00Z&endDateTime=2027-09-01T00:00:00Z HTTP/1.1\r");
  g_free (raw.request_line);
  g_mutex_unlock (&raw.lock);
  g_mutex_clear (&raw.lock);
}

/* Errors ------------------------------------------------------------------------------- */

/* 410 (syncStateNotFound), or Graph's code for it under another status: a full round */
static void
test_cursor_gone (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *expired = link_to (fx, "$deltatoken=expired");
  g_autofree char *delta_link = link_to (fx, DELTA_LINK_Q);
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  page = fetch (fx, expired, NULL, &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED);
  g_assert_cmpstr (last_request (fx), ==, "/v1.0/me/calendars/" TEAM_ID "/calendarView/delta?$deltatoken=expired");

  push_fault (fx->graph, 400, NULL, "error-resync.json", NULL);
  page = fetch (fx, delta_link, NULL, &error2);
  g_assert_null (page);
  g_assert_error (error2, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED);
}

/* A nextLink or deltaLink on another origin is never called: the bearer token
 * goes to the API's origin only */
static void
test_foreign_links (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *foreign_cursor = g_strdup_printf ("%s/v1.0/me/calendars/%s/calendarView/delta?$deltatoken=x",
                                                     fx->graph->other_base, TEAM_ID_URI);
  g_autofree char *foreign_https = g_strdup_printf ("https://127.0.0.1:%s/v1.0/me?$skiptoken=1",
                                                    strrchr (fx->graph->base, ':') + 1);
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(GError) error3 = NULL;
  g_autofree char *text = NULL;
  guint n_requests;

  /* a page whose nextLink leads elsewhere fails the round */
  fx->graph->first_delta = "delta-foreign.json";
  page = fetch (fx, NULL, NULL, &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_REDIRECT);
  text = error_text (fx, error);
  g_assert_nonnull (strstr (text, "Outlook"));

  /* a page token from elsewhere is refused before any request */
  n_requests = fx->graph->requests->len;
  page = fetch (fx, NULL, foreign_cursor, &error2);
  g_assert_null (page);
  g_assert_error (error2, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_REDIRECT);

  /* so is another scheme on the same host and port */
  page = fetch (fx, NULL, foreign_https, &error3);
  g_assert_error (error3, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_REDIRECT);
  g_clear_error (&error3);

  /* a deltaLink kept from another API address: a full round on this one */
  page = fetch (fx, foreign_cursor, NULL, &error3);
  g_assert_null (page);
  g_assert_error (error3, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED);

  g_assert_cmpuint (fx->graph->requests->len, ==, n_requests);
  g_assert_cmpuint (fx->graph->n_other_requests, ==, 0);
}

static void
assert_fails_with (Fixture          *fx,
                   guint             status,
                   const char       *fixture,
                   const char       *body,
                   int               code,
                   const char       *text)
{
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;

  /* every try of the request gets the same answer */
  for (guint i = 0; i < 3; i++)
    push_fault (fx->graph, status, NULL, fixture, body);
  page = fetch (fx, NULL, NULL, &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_HTTP_ERROR, code);
  shown = error_text (fx, error);
  g_assert_cmpstr (shown, ==, text);
  g_assert_null (strstr (error->message, MARKER));
  g_queue_clear_full (&fx->graph->faults, (GDestroyNotify) fault_free);
}

/* Graph's error codes in Outlook's words, never the server's text */
static void
test_error_texts (Fixture       *fx,
                  gconstpointer  data)
{
  assert_fails_with (fx, 403, "error-access-denied.json", NULL, CALSYNC_HTTP_ERROR_FORBIDDEN,
                     "CalSync was not allowed to read this calendar.");
  /* the codes are found whatever the order of members, and whatever else is there */
  assert_fails_with (fx, 400, NULL, "{\"error\":{\"innerError\":{\"code\":7,\"date\":\"x\"},"
                     "\"message\":\"" MARKER "\",\"code\":\"accessDenied\"}}",
                     CALSYNC_HTTP_ERROR_FORBIDDEN, "CalSync was not allowed to read this calendar.");
  assert_fails_with (fx, 404, "error-item-not-found.json", NULL, CALSYNC_HTTP_ERROR_NOT_FOUND,
                     "This calendar no longer exists in Outlook.");
  assert_fails_with (fx, 404, "error-mailbox.json", NULL, CALSYNC_HTTP_ERROR_NOT_FOUND,
                     "This mailbox cannot be reached through Microsoft Graph (it may be on an Exchange server of your organisation).");
  assert_fails_with (fx, 500, NULL, "<html><body>" MARKER "</body></html>", CALSYNC_HTTP_ERROR_SERVER,
                     "Outlook is not responding right now. Try again later.");
  assert_fails_with (fx, 400, NULL, "<html>" MARKER "</html>", CALSYNC_HTTP_ERROR_BAD_REQUEST,
                     "Outlook refused the request. Try again later.");
  assert_fails_with (fx, 200, NULL, "<html>" MARKER "</html>", CALSYNC_HTTP_ERROR_MALFORMED,
                     "Outlook sent an answer CalSync could not read. Your events were left as they were.");
}

/* 429, 503 and 504 are retried, after the Retry-After Graph asks for */
static void
test_throttled (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 started;

  started = g_get_monotonic_time ();
  push_fault (fx->graph, 429, "1", "error-throttled.json", NULL);
  page = fetch (fx, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->upserts->len, ==, 5);
  g_assert_cmpuint (fx->graph->requests->len, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 900 * 1000);
  g_clear_pointer (&page, calsync_page_free);

  push_fault (fx->graph, 503, "0", NULL, "busy");
  push_fault (fx->graph, 504, "0", NULL, "gateway");
  page = fetch (fx, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fx->graph->requests->len, ==, 5);
  g_clear_pointer (&page, calsync_page_free);

  /* a Retry-After longer than a sync may wait ends it at once, in Outlook's words */
  started = g_get_monotonic_time ();
  push_fault (fx->graph, 429, "3600", "error-throttled.json", NULL);
  page = fetch (fx, NULL, NULL, &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_RATE_LIMITED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  text = error_text (fx, error);
  g_assert_cmpstr (text, ==, "Outlook is limiting requests right now. Try again in a few minutes.");
}

/* Sign-in ------------------------------------------------------------------------------ */

/* A 401: one refresh (no client secret: a public client), the rotated refresh
 * token in the keyring before the new access token is used, the request again */
static void
test_unauthorized_once (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;

  g_free (fx->graph->access_token);
  fx->graph->access_token = g_strdup ("access-elsewhere");

  page = fetch (fx, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->upserts->len, ==, 5);
  g_assert_cmpuint (fx->graph->n_refreshes, ==, 1);
  g_assert_cmpuint (fx->graph->requests->len, ==, 2);

  g_assert_cmpstr (g_hash_table_lookup (fx->graph->token_form, "grant_type"), ==, "refresh_token");
  g_assert_cmpstr (g_hash_table_lookup (fx->graph->token_form, "refresh_token"), ==, "refresh-0");
  g_assert_cmpstr (g_hash_table_lookup (fx->graph->token_form, "client_id"), ==, CLIENT_ID);
  g_assert_false (g_hash_table_contains (fx->graph->token_form, "client_secret"));

  g_assert_true (fx->graph->refresh_stored_first);
  g_assert_true (keyring_has ("refresh-1"));
}

static void
test_refused_refresh (Fixture       *fx,
                      gconstpointer  data)
{
  const char *codes[] = { "invalid_grant", "interaction_required" };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(CalsyncPage) page = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      g_free (fx->graph->access_token);
      fx->graph->access_token = g_strdup ("access-elsewhere");
      g_free (fx->graph->token_error);
      fx->graph->token_error = g_strdup (codes[i]);

      page = fetch (fx, NULL, NULL, &error);
      g_assert_null (page);
      g_assert_true (calsync_credentials_error_needs_reconnect (error));
      text = error_text (fx, error);
      g_assert_cmpstr (text, ==, "Sign-in to Outlook expired. Reconnect the account in Preferences.");
    }
}

/* The authorization request of the Microsoft identity platform, and the code
 * exchange of a public client */
static void
test_sign_in_requests (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(CalsyncOAuthConfig) config = outlook_config (fx->graph);
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (fx->http, config);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalsyncTokens) tokens = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  url = calsync_oauth_flow_start (flow, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?"));
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (params, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==, "offline_access User.Read Calendars.ReadWrite");
  g_assert_cmpstr (g_hash_table_lookup (params, "prompt"), ==, "select_account");
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "S256");
  g_assert_nonnull (g_hash_table_lookup (params, "code_challenge"));
  g_assert_nonnull (g_hash_table_lookup (params, "state"));
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (params, "redirect_uri"), "http://127.0.0.1:"));
  g_assert_null (g_hash_table_lookup (params, "client_secret"));

  calsync_oauth_exchange_code_async (fx->http, config, "the-code", "http://127.0.0.1:9/", "verifier-1234",
                                     NULL, calsync_test_result_cb, &result);
  tokens = calsync_oauth_exchange_code_finish (calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tokens->refresh_token, ==, "refresh-1");
  g_assert_cmpstr (g_hash_table_lookup (fx->graph->token_form, "code_verifier"), ==, "verifier-1234");
  g_assert_cmpstr (g_hash_table_lookup (fx->graph->token_form, "redirect_uri"), ==, "http://127.0.0.1:9/");
  g_assert_false (g_hash_table_contains (fx->graph->token_form, "client_secret"));
}

/* The factory knows "outlook" */
static void
test_factory (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(CalsyncCredentials) credentials = NULL;
  g_autoptr(CalsyncProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  calsync_account_set_provider (account, "outlook");
  calsync_account_set_id (account, 99);
  credentials = calsync_credentials_new_for_account (account, fx->http, &error);
  g_assert_no_error (error);
  provider = calsync_provider_new_for_account (account, fx->http, credentials, &error);
  g_assert_no_error (error);
  g_assert_true (CALSYNC_IS_OUTLOOK_PROVIDER (provider));
}

/* The engine ----------------------------------------------------------------------------- */

static CalsyncSyncReport *
sync_now (CalsyncSyncEngine *engine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncSyncReport *report;

  calsync_sync_engine_sync_async (engine, NULL, NULL, calsync_test_result_cb, &result);
  report = calsync_sync_engine_sync_finish (engine, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  return report;
}

static void
store_tokens (gint64 account_id)
{
  CalsyncTokens tokens = { (char *) "access-0", (char *) "refresh-0", G_MAXINT32 };
  g_autofree char *json = calsync_tokens_to_json (&tokens);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  calsync_secrets_store_async (account_id, "CalSync test", json, NULL, calsync_test_result_cb, &result);
  g_assert_true (calsync_secrets_store_finish (calsync_test_spin (&result), &error));
  g_assert_no_error (error);
}

static gboolean
requested (Fixture    *fx,
           const char *request)
{
  for (guint i = 0; i < fx->graph->requests->len; i++)
    if (g_str_equal (g_ptr_array_index (fx->graph->requests, i), request))
      return TRUE;

  return FALSE;
}

/* Two syncs through the engine: the calendar list, a full round whose
 * deltaLink is kept as the calendar's cursor, then a round from it */
static void
test_engine_two_syncs (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("calsync-outlook-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "calsync.db", NULL);
  g_autofree char *api_url = g_strconcat (fx->graph->base, "/v1.0", NULL);
  g_autofree char *token_url = g_strconcat (fx->graph->base, "/token", NULL);
  g_autofree char *delta_link = link_to (fx, DELTA_LINK_Q);
  g_autoptr(CalsyncStore) store = calsync_store_open (path, NULL);
  g_autoptr(CalsyncSyncEngine) engine = NULL;
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(CalsyncSyncReport) first = NULL;
  g_autoptr(CalsyncSyncReport) second = NULL;
  g_autoptr(CalsyncCalendar) team = NULL;
  g_autoptr(CalsyncEvent) gone = NULL;
  g_autoptr(CalsyncEvent) added = NULL;
  g_autoptr(CalsyncEvent) kept = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  g_setenv ("CALSYNC_GRAPH_API_URL", api_url, TRUE);
  g_setenv ("CALSYNC_MS_TOKEN_URL", token_url, TRUE);
  g_setenv ("CALSYNC_MS_CLIENT_ID", CLIENT_ID, TRUE);
  g_setenv ("CALSYNC_NOW", "2026-11-25T12:00:00+01:00", TRUE);

  calsync_account_set_provider (account, "outlook");
  calsync_account_set_email (account, "MeganB@contoso.onmicrosoft.com");
  account_id = calsync_store_add_account (store, account, &error);
  g_assert_no_error (error);
  store_tokens (account_id);
  engine = calsync_sync_engine_new (store, fx->http);

  first = sync_now (engine);
  g_assert_true (calsync_sync_report_get_success (first));
  g_assert_cmpuint (calsync_sync_report_get_n_results (first), ==, 3);
  g_assert_cmpstr (calsync_sync_report_get_result (first, 0)->provider, ==, "outlook");

  team = calsync_store_lookup_calendar (store, account_id, TEAM_ID, &error);
  g_assert_no_error (error);
  g_assert_nonnull (team);
  g_assert_cmpstr (calsync_calendar_get_name (team), ==, "Team – Planung ✓");
  g_assert_cmpstr (calsync_calendar_get_sync_token (team), ==, delta_link);
  kept = calsync_store_lookup_event (store, calsync_calendar_get_id (team), "AAMkADAllDay1=", &error);
  g_assert_nonnull (kept);
  g_assert_cmpstr (calsync_event_get_start_date (kept), ==, "2026-12-24");
  gone = calsync_store_lookup_event (store, calsync_calendar_get_id (team), "AAMkADNVxRAAA=", &error);
  g_assert_nonnull (gone);
  g_clear_object (&gone);

  second = sync_now (engine);
  g_assert_true (calsync_sync_report_get_success (second));
  g_assert_true (requested (fx, "/v1.0/me/calendars/" TEAM_ID "/calendarView/delta?" DELTA_LINK_Q));
  gone = calsync_store_lookup_event (store, calsync_calendar_get_id (team), "AAMkADNVxRAAA=", &error);
  g_assert_no_error (error);
  g_assert_null (gone);
  added = calsync_store_lookup_event (store, calsync_calendar_get_id (team), "AAMkADj1HvAAA=", &error);
  g_assert_nonnull (added);
  g_assert_cmpstr (calsync_event_get_location (added), ==, "Chapel of Saint Ignatius");

  delete_secret (account_id);
  g_clear_object (&engine);
  g_clear_object (&store);
  calsync_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_unsetenv ("CALSYNC_MS_AUTH_URL");
  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();

#define ADD(path, func) \
  g_test_add ("/outlook-provider/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("calendar-list", test_calendar_list);
  ADD ("account-address", test_account_address);
  ADD ("account-setup", test_account_setup);
  ADD ("full-then-incremental", test_full_then_incremental);
  ADD ("calendar-id-escaped", test_calendar_id_escaped);
  ADD ("mapping-timed", test_mapping_timed);
  ADD ("mapping-all-day", test_mapping_all_day);
  ADD ("mapping-meeting", test_mapping_meeting);
  ADD ("cursor-gone", test_cursor_gone);
  ADD ("foreign-links", test_foreign_links);
  ADD ("error-texts", test_error_texts);
  ADD ("throttled", test_throttled);
  ADD ("unauthorized-once", test_unauthorized_once);
  ADD ("refused-refresh", test_refused_refresh);
  ADD ("sign-in-requests", test_sign_in_requests);
  ADD ("factory", test_factory);
  ADD ("engine-two-syncs", test_engine_two_syncs);
  g_test_add_func ("/outlook-provider/time-zones", test_time_zones);
  g_test_add_func ("/outlook-provider/parse-same-body", test_parse_same_body);
  g_test_add_func ("/outlook-provider/parse-malformed", test_parse_malformed);
  g_test_add_func ("/outlook-provider/parse-bounds", test_parse_bounds);

  return g_test_run ();
}
