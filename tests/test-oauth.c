/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-oauth.c: PKCE, tokens, configuration, and the whole sign-in and refresh
 * against the fake identity provider, with a SoupSession playing the browser. */
#define G_LOG_DOMAIN "test-oauth"

#include "config.h"

#include <string.h>

#include "calsync-fake-oauth.h"
#include "calsync-oauth.h"

#define CLIENT_ID "test-client.apps.example.com"
#define CLIENT_SECRET "test-client-secret"
#define USER "ann@example.com"

typedef struct
{
  SoupServer *server;
  char *base;
  CalsyncFakeOAuth *fake;
  CalsyncHttp *http;
  CalsyncOAuthConfig *config;
  SoupSession *browser;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoslist(GUri) uris = NULL;
  g_autoptr(GError) error = NULL;

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));

  fixture->fake = calsync_fake_oauth_new (fixture->server, "/oauth", CLIENT_ID, CLIENT_SECRET);
  calsync_fake_oauth_set_user (fixture->fake, USER);
  fixture->http = calsync_http_new ();
  calsync_http_set_retry_policy (fixture->http, 2, 1, 5000);

  fixture->config = calsync_oauth_config_new_google ();
  g_free (fixture->config->auth_url);
  g_free (fixture->config->token_url);
  g_free (fixture->config->client_id);
  g_free (fixture->config->client_secret);
  fixture->config->auth_url = g_strconcat (fixture->base, "/oauth/auth", NULL);
  fixture->config->token_url = g_strconcat (fixture->base, "/oauth/token", NULL);
  fixture->config->client_id = g_strdup (CLIENT_ID);
  fixture->config->client_secret = g_strdup (CLIENT_SECRET);

  fixture->browser = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->browser);
  g_clear_object (&fixture->fake);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->http);
  g_clear_pointer (&fixture->config, calsync_oauth_config_free);
  g_free (fixture->base);

  /* Let the flows' loopback servers finish stopping */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Async helpers ----------------------------------------------------------- */

typedef struct
{
  gboolean done;
  guint status;
  char *body;
  GError *error;
  CalsyncTokens *tokens;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->body, g_free);
  g_clear_error (&r->error);
  g_clear_pointer (&r->tokens, calsync_tokens_free);
  r->done = FALSE;
}

static void
spin_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_browsed (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Result *r = user_data;
  g_autoptr(GBytes) bytes = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source_object), result, &r->error);
  if (bytes != NULL)
    {
      r->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source_object),
                                                                                  result));
      r->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  r->done = TRUE;
}

/* What a browser does: GET, following redirects */
static void
browse (Fixture    *fixture,
        const char *url,
        Result     *r)
{
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);

  g_assert_nonnull (message);
  soup_session_send_and_read_async (fixture->browser, message, G_PRIORITY_DEFAULT, NULL, on_browsed, r);
  spin_until (&r->done);
}

static void
post_form (Fixture    *fixture,
           const char *content_type,
           const char *body,
           Result     *r)
{
  g_autofree char *url = g_strconcat (fixture->base, "/oauth/token", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  soup_message_set_request_body_from_bytes (message, content_type, bytes);
  soup_session_send_and_read_async (fixture->browser, message, G_PRIORITY_DEFAULT, NULL, on_browsed, r);
  spin_until (&r->done);
}

static void
on_waited (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Result *r = user_data;

  r->tokens = calsync_oauth_flow_wait_finish (CALSYNC_OAUTH_FLOW (source_object), result, &r->error);
  r->done = TRUE;
}

static void
on_refreshed (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  r->tokens = calsync_oauth_refresh_finish (result, &r->error);
  r->done = TRUE;
}

static void
refresh (Fixture             *fixture,
         const CalsyncTokens *tokens,
         Result              *r)
{
  calsync_oauth_refresh_async (fixture->http, fixture->config, tokens, NULL, on_refreshed, r);
  spin_until (&r->done);
}

static char *
query_param (const char *url,
             const char *name)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GHashTable) params = NULL;

  g_assert_nonnull (uri);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_nonnull (params);

  return g_strdup (g_hash_table_lookup (params, name));
}

static void
assert_param (const char *url,
              const char *name,
              const char *expected)
{
  g_autofree char *value = query_param (url, name);

  g_assert_cmpstr (value, ==, expected);
}

/* A complete sign-in: the browser follows the authorization URL to the loopback page */
static CalsyncTokens *
sign_in (Fixture *fixture)
{
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (fixture->http, fixture->config);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = calsync_oauth_flow_start (flow, &error);
  Result page = { 0 };
  Result r = { 0 };
  CalsyncTokens *tokens;

  g_assert_no_error (error);
  calsync_oauth_flow_wait_async (flow, NULL, on_waited, &r);
  browse (fixture, url, &page);
  spin_until (&r.done);

  g_assert_no_error (page.error);
  g_assert_cmpuint (page.status, ==, 200);
  g_assert_nonnull (strstr (page.body, "You can close this window and return to CalSync."));
  g_assert_no_error (r.error);
  g_assert_nonnull (r.tokens);

  tokens = g_steal_pointer (&r.tokens);
  result_clear (&page);
  return tokens;
}

/* PKCE, state, tokens, configuration -------------------------------------- */

static void
test_code_verifier (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 100; i++)
    {
      char *verifier = calsync_oauth_new_code_verifier ();
      gsize length = strlen (verifier);

      g_assert_cmpuint (length, >=, 43);
      g_assert_cmpuint (length, <=, 128);
      for (const char *p = verifier; *p != '\0'; p++)
        g_assert_true (g_ascii_isalnum (*p) || strchr ("-._~", *p) != NULL);
      g_assert_false (g_hash_table_contains (seen, verifier));
      g_hash_table_add (seen, verifier);
    }
}

static void
test_code_challenge_rfc7636 (void)
{
  /* RFC 7636, appendix B (checked with Python hashlib as well) */
  g_autofree char *challenge = calsync_oauth_code_challenge ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_state (void)
{
  g_autofree char *a = calsync_oauth_new_state ();
  g_autofree char *b = calsync_oauth_new_state ();

  g_assert_cmpuint (strlen (a), >=, 22);
  g_assert_cmpstr (a, !=, b);
  for (const char *p = a; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static void
test_tokens_json (void)
{
  CalsyncTokens tokens = { (char *) "access-1", (char *) "refresh-1", 1767225600 };
  g_autofree char *json = calsync_tokens_to_json (&tokens);
  g_autoptr(CalsyncTokens) back = NULL;
  g_autoptr(CalsyncTokens) copy = NULL;
  g_autoptr(GError) error = NULL;

  back = calsync_tokens_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->access_token, ==, "access-1");
  g_assert_cmpstr (back->refresh_token, ==, "refresh-1");
  g_assert_cmpint (back->expires_at, ==, 1767225600);

  copy = calsync_tokens_copy (back);
  g_assert_cmpstr (copy->refresh_token, ==, "refresh-1");

  g_assert_true (calsync_tokens_expire_soon (&tokens, 1767225600 - 299, 300));
  g_assert_false (calsync_tokens_expire_soon (&tokens, 1767225600 - 301, 300));

  g_assert_null (calsync_tokens_from_json ("{\"access_token\": \"x\"}", &error));
  g_assert_error (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT);
  g_clear_error (&error);
  g_assert_null (calsync_tokens_from_json ("not json", &error));
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, "not json"));
  g_clear_error (&error);

  /* Tokens are printable ASCII (RFC 6749 Appendix A): json-glib reads the
   * octal escape "\313" as a byte no token holds (found by fuzz-oauth) */
  g_assert_null (calsync_tokens_from_json ("{\"refresh_token\": \"r\\313\"}", &error));
  g_assert_error (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT);
  g_clear_error (&error);
  g_clear_pointer (&back, calsync_tokens_free);
  back = calsync_tokens_from_json ("{\"access_token\": \"a\\313\", \"refresh_token\": \"r\"}", &error);
  g_assert_no_error (error);
  g_assert_null (back->access_token);
  g_assert_true (calsync_tokens_expire_soon (back, 0, 300));
}

static void
test_config (void)
{
  g_autoptr(CalsyncOAuthConfig) google = NULL;
  g_autoptr(CalsyncOAuthConfig) custom = NULL;
  g_autoptr(CalsyncOAuthConfig) outlook = NULL;
  g_autoptr(GError) error = NULL;

  g_unsetenv ("CALSYNC_GOOGLE_AUTH_URL");
  g_unsetenv ("CALSYNC_GOOGLE_TOKEN_URL");
  g_unsetenv ("CALSYNC_GOOGLE_CLIENT_ID");
  g_unsetenv ("CALSYNC_GOOGLE_CLIENT_SECRET");
  g_unsetenv ("CALSYNC_MS_CLIENT_ID");

  google = calsync_oauth_config_new_google ();
  g_assert_cmpstr (google->auth_url, ==, "https://accounts.google.com/o/oauth2/v2/auth");
  g_assert_cmpstr (google->token_url, ==, "https://oauth2.googleapis.com/token");
  g_assert_cmpstr (google->client_id, ==, GOOGLE_CLIENT_ID);
  g_assert_cmpstr (google->client_secret, ==, GOOGLE_CLIENT_SECRET);
  g_assert_cmpstr (google->scope, ==,
                   "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.calendarlist.readonly");
  g_assert_true (calsync_oauth_config_check (google, &error));

  g_setenv ("CALSYNC_GOOGLE_AUTH_URL", "http://127.0.0.1:1234/auth", TRUE);
  g_setenv ("CALSYNC_GOOGLE_TOKEN_URL", "http://192.0.2.1/token", TRUE);
  g_setenv ("CALSYNC_GOOGLE_CLIENT_ID", "env-client", TRUE);
  g_setenv ("CALSYNC_GOOGLE_CLIENT_SECRET", "env-secret", TRUE);
  custom = calsync_oauth_config_new_google ();
  g_assert_cmpstr (custom->auth_url, ==, "http://127.0.0.1:1234/auth");
  g_assert_cmpstr (custom->client_id, ==, "env-client");
  g_assert_cmpstr (custom->client_secret, ==, "env-secret");
  g_assert_false (calsync_oauth_config_check (custom, &error));
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE);
  g_unsetenv ("CALSYNC_GOOGLE_AUTH_URL");
  g_unsetenv ("CALSYNC_GOOGLE_TOKEN_URL");
  g_unsetenv ("CALSYNC_GOOGLE_CLIENT_ID");
  g_unsetenv ("CALSYNC_GOOGLE_CLIENT_SECRET");

  outlook = calsync_oauth_config_new_outlook ();
  g_assert_cmpstr (outlook->auth_url, ==, "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
  g_assert_cmpstr (outlook->token_url, ==, "https://login.microsoftonline.com/common/oauth2/v2.0/token");
  g_assert_cmpstr (outlook->client_id, ==, MS_CLIENT_ID);
  g_assert_null (outlook->client_secret);
  g_assert_cmpstr (outlook->scope, ==, "offline_access User.Read Calendars.ReadWrite");
  g_assert_cmpstr (outlook->extra_auth_params, ==, "prompt=select_account");
}

/* Sign-in ----------------------------------------------------------------- */

static void
test_authorization_url (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (fixture->http, fixture->config);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = calsync_oauth_flow_start (flow, &error);
  g_autofree char *redirect_uri = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GUri) redirect = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, fixture->config->auth_url));

  redirect_uri = query_param (url, "redirect_uri");
  redirect = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL);
  g_assert_cmpstr (g_uri_get_scheme (redirect), ==, "http");
  g_assert_cmpstr (g_uri_get_host (redirect), ==, "127.0.0.1");
  g_assert_cmpint (g_uri_get_port (redirect), >, 0);

  challenge = query_param (url, "code_challenge");
  g_assert_cmpuint (strlen (challenge), ==, 43);
  assert_param (url, "response_type", "code");
  assert_param (url, "code_challenge_method", "S256");
  assert_param (url, "client_id", CLIENT_ID);
  assert_param (url, "scope",
                "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.calendarlist.readonly");
  assert_param (url, "access_type", "offline");
  assert_param (url, "prompt", "consent");
  state = query_param (url, "state");
  g_assert_cmpuint (strlen (state), >=, 22);
}

static void
test_sign_in (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CalsyncTokens) tokens = sign_in (fixture);
  g_autofree char *bearer = g_strconcat ("Bearer ", tokens->access_token, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_nonnull (tokens->refresh_token);
  g_assert_cmpint (tokens->expires_at, >=, now + 3590);
  g_assert_cmpint (tokens->expires_at, <=, now + 3610);
  g_assert_cmpstr (calsync_fake_oauth_check_bearer (fixture->fake, bearer), ==, USER);
  g_assert_cmpuint (calsync_fake_oauth_get_n_exchanges (fixture->fake), ==, 1);
}

static void
test_loopback_answers_once (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (fixture->http, fixture->config);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = calsync_oauth_flow_start (flow, &error);
  g_autofree char *redirect_uri = query_param (url, "redirect_uri");
  g_autofree char *favicon = g_strconcat (redirect_uri, "favicon.ico", NULL);
  Result page = { 0 };
  Result r = { 0 };

  /* A browser asks for a favicon too: not the redirect, the server keeps waiting */
  browse (fixture, favicon, &page);
  g_assert_cmpuint (page.status, ==, 404);
  result_clear (&page);

  /* The redirect comes before anyone waits: the outcome is kept */
  browse (fixture, url, &page);
  g_assert_cmpuint (page.status, ==, 200);
  result_clear (&page);

  calsync_oauth_flow_wait_async (flow, NULL, on_waited, &r);
  spin_until (&r.done);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.tokens);

  /* Then the loopback server stops listening */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  browse (fixture, redirect_uri, &page);
  g_assert_error (page.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  result_clear (&page);
  result_clear (&r);
}

static void
test_wrong_state (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (fixture->http, fixture->config);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = calsync_oauth_flow_start (flow, &error);
  g_autofree char *redirect_uri = query_param (url, "redirect_uri");
  g_autofree char *forged = g_strconcat (redirect_uri, "?code=forged-code&state=not-the-state", NULL);
  Result page = { 0 };
  Result r = { 0 };

  calsync_oauth_flow_wait_async (flow, NULL, on_waited, &r);
  browse (fixture, forged, &page);

  /* Refused with a 400, and the sign-in goes on waiting for its own answer */
  g_assert_cmpuint (page.status, ==, 400);
  g_assert_nonnull (strstr (page.body, "Sign-in failed"));
  g_assert_null (strstr (page.body, "forged-code"));
  g_assert_false (r.done);
  g_assert_cmpuint (calsync_fake_oauth_get_n_exchanges (fixture->fake), ==, 0);
  result_clear (&page);

  browse (fixture, url, &page);
  spin_until (&r.done);
  g_assert_cmpuint (page.status, ==, 200);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.tokens);
  g_assert_cmpuint (calsync_fake_oauth_get_n_exchanges (fixture->fake), ==, 1);
  result_clear (&page);
  result_clear (&r);
}

static void
test_access_denied (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (fixture->http, fixture->config);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = calsync_oauth_flow_start (flow, &error);
  Result page = { 0 };
  Result r = { 0 };

  calsync_fake_oauth_set_deny (fixture->fake, TRUE);
  calsync_oauth_flow_wait_async (flow, NULL, on_waited, &r);
  browse (fixture, url, &page);
  spin_until (&r.done);

  g_assert_error (r.error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_DENIED);
  g_assert_nonnull (strstr (page.body, "Sign-in failed"));
  g_assert_cmpuint (calsync_fake_oauth_get_n_exchanges (fixture->fake), ==, 0);
  result_clear (&page);
  result_clear (&r);
}

static void
test_cancel_wait (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (fixture->http, fixture->config);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = calsync_oauth_flow_start (flow, &error);
  Result r = { 0 };

  g_assert_nonnull (url);
  calsync_oauth_flow_wait_async (flow, cancellable, on_waited, &r);
  g_cancellable_cancel (cancellable);
  spin_until (&r.done);

  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&r);
}

static void
test_insecure_endpoint (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(CalsyncOAuthFlow) flow = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncTokens tokens = { (char *) "a", (char *) "r", 0 };
  g_autofree char *url = NULL;
  Result r = { 0 };

  g_free (fixture->config->token_url);
  fixture->config->token_url = g_strdup ("http://192.0.2.1/token");

  flow = calsync_oauth_flow_new (fixture->http, fixture->config);
  url = calsync_oauth_flow_start (flow, &error);
  g_assert_null (url);
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE);

  refresh (fixture, &tokens, &r);
  g_assert_error (r.error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE);
  result_clear (&r);
}

/* Refresh ----------------------------------------------------------------- */

static void
test_refresh (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CalsyncTokens) tokens = sign_in (fixture);
  Result r = { 0 };

  refresh (fixture, tokens, &r);

  g_assert_no_error (r.error);
  g_assert_cmpstr (r.tokens->access_token, !=, tokens->access_token);
  /* Google does not rotate: the old refresh token is kept */
  g_assert_cmpstr (r.tokens->refresh_token, ==, tokens->refresh_token);
  g_assert_cmpint (r.tokens->expires_at, >=, g_get_real_time () / G_USEC_PER_SEC + 3590);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);
  result_clear (&r);
}

/* An expires_in out of range is taken as its nearest bound: a token said to
 * last a century is still renewed daily, one said to have expired (0, negative)
 * lasts a minute, not a negative time that would overflow or loop */
static void
test_expires_in_bounds (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(CalsyncTokens) tokens = sign_in (fixture);
  const struct { int expires_in; gint64 min; gint64 max; } cases[] = {
    { G_MAXINT, 24 * 3600 - 10, 24 * 3600 + 10 },
    { 0, 50, 70 },
    { -3600, 50, 70 },
    { 1800, 1790, 1810 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Result r = { 0 };
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      calsync_fake_oauth_set_expires_in (fixture->fake, cases[i].expires_in);
      refresh (fixture, tokens, &r);
      g_assert_no_error (r.error);
      g_test_message ("expires_in %d: expires in %" G_GINT64_FORMAT " s", cases[i].expires_in,
                      r.tokens->expires_at - now);
      g_assert_cmpint (r.tokens->expires_at - now, >=, cases[i].min);
      g_assert_cmpint (r.tokens->expires_at - now, <=, cases[i].max);
      result_clear (&r);
    }
}

static void
test_refresh_rotation (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(CalsyncTokens) tokens = sign_in (fixture);
  Result r = { 0 };
  Result again = { 0 };

  calsync_fake_oauth_set_rotate_refresh (fixture->fake, TRUE);
  refresh (fixture, tokens, &r);

  g_assert_no_error (r.error);
  g_assert_nonnull (r.tokens->refresh_token);
  g_assert_cmpstr (r.tokens->refresh_token, !=, tokens->refresh_token);

  /* The rotated-out refresh token is dead; the new one works */
  refresh (fixture, tokens, &again);
  g_assert_error (again.error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT);
  result_clear (&again);
  refresh (fixture, r.tokens, &again);
  g_assert_no_error (again.error);
  result_clear (&again);
  result_clear (&r);
}

static void
test_invalid_grant (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CalsyncTokens) tokens = sign_in (fixture);
  Result r = { 0 };

  calsync_fake_oauth_revoke (fixture->fake, USER);
  refresh (fixture, tokens, &r);

  g_assert_error (r.error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT);
  g_assert_cmpstr (r.error->message, ==, "Sign-in expired. Reconnect the account in Preferences.");
  g_assert_null (strstr (r.error->message, tokens->refresh_token));
  result_clear (&r);
}

static void
test_wrong_client_secret (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(CalsyncTokens) tokens = sign_in (fixture);
  Result r = { 0 };

  g_free (fixture->config->client_secret);
  fixture->config->client_secret = g_strdup ("wrong");
  refresh (fixture, tokens, &r);

  g_assert_error (r.error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED);
  result_clear (&r);
}

/* The fake is as strict as the specifications ------------------------------ */

static void
assert_token_error (Result     *r,
                    guint       status,
                    const char *error)
{
  g_autofree char *expected = g_strdup_printf ("\"error\":\"%s\"", error);

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, status);
  g_assert_nonnull (strstr (r->body, expected));
  result_clear (r);
}

static void
test_fake_token_endpoint_strict (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *token_url = g_strconcat (fixture->base, "/oauth/token", NULL);
  const char *form = "application/x-www-form-urlencoded";
  Result r = { 0 };

  browse (fixture, token_url, &r);
  g_assert_cmpuint (r.status, ==, 405);
  result_clear (&r);

  post_form (fixture, "application/json", "{\"grant_type\":\"refresh_token\"}", &r);
  assert_token_error (&r, 400, "invalid_request");

  post_form (fixture, form, "grant_type=refresh_token&refresh_token=x&client_id=" CLIENT_ID, &r);
  assert_token_error (&r, 401, "invalid_client");

  post_form (fixture, form, "grant_type=password&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET, &r);
  assert_token_error (&r, 400, "unsupported_grant_type");

  post_form (fixture, form, "grant_type=refresh_token&refresh_token=unknown&client_id=" CLIENT_ID
             "&client_secret=" CLIENT_SECRET, &r);
  assert_token_error (&r, 400, "invalid_grant");

  post_form (fixture, form, "grant_type=authorization_code&code=unknown&client_id=" CLIENT_ID
             "&client_secret=" CLIENT_SECRET, &r);
  assert_token_error (&r, 400, "invalid_request");
}

/* Gets a code from the fake's authorization endpoint without a loopback server */
static char *
get_code (Fixture    *fixture,
          const char *redirect_uri,
          const char *challenge)
{
  g_autofree char *escaped = g_uri_escape_string (redirect_uri, NULL, FALSE);
  g_autofree char *url = g_strdup_printf ("%s/oauth/auth?response_type=code&client_id=%s&redirect_uri=%s"
                                          "&scope=s&state=st&code_challenge=%s&code_challenge_method=S256",
                                          fixture->base, CLIENT_ID, escaped, challenge);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  Result r = { 0 };
  const char *location;

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (fixture->browser, message, G_PRIORITY_DEFAULT, NULL, on_browsed, &r);
  spin_until (&r.done);
  g_assert_cmpuint (soup_message_get_status (message), ==, 302);
  location = soup_message_headers_get_one (soup_message_get_response_headers (message), "Location");
  result_clear (&r);

  return query_param (location, "code");
}

static void
test_fake_code_checks (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const char *challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  const char *redirect = "http://127.0.0.1:9/";
  const char *form = "application/x-www-form-urlencoded";
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  Result r = { 0 };

#define EXCHANGE(code_, redirect_, verifier_) \
  g_strdup_printf ("grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=%s" \
                   "&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET, code_, redirect_, verifier_)

  /* A wrong verifier burns the code */
  code = get_code (fixture, redirect, challenge);
  body = EXCHANGE (code, "http%3A%2F%2F127.0.0.1%3A9%2F", "wrong-verifier-wrong-verifier-wrong-verifier-0");
  post_form (fixture, form, body, &r);
  assert_token_error (&r, 400, "invalid_grant");
  g_free (body);
  body = EXCHANGE (code, "http%3A%2F%2F127.0.0.1%3A9%2F", verifier);
  post_form (fixture, form, body, &r);
  assert_token_error (&r, 400, "invalid_grant");

  /* Another redirect_uri than the authorization request's */
  g_free (code);
  g_free (body);
  code = get_code (fixture, redirect, challenge);
  body = EXCHANGE (code, "http%3A%2F%2F127.0.0.1%3A10%2F", verifier);
  post_form (fixture, form, body, &r);
  assert_token_error (&r, 400, "invalid_grant");

  /* Right: tokens, once */
  g_free (code);
  g_free (body);
  code = get_code (fixture, redirect, challenge);
  body = EXCHANGE (code, "http%3A%2F%2F127.0.0.1%3A9%2F", verifier);
  post_form (fixture, form, body, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_nonnull (strstr (r.body, "\"token_type\":\"Bearer\""));
  g_assert_nonnull (strstr (r.body, "\"refresh_token\""));
  result_clear (&r);
  post_form (fixture, form, body, &r);
  assert_token_error (&r, 400, "invalid_grant");
#undef EXCHANGE
}

static void
test_fake_auth_endpoint_strict (Fixture       *fixture,
                                gconstpointer  data)
{
  static const struct { const char *query; guint status; const char *error; } cases[] = {
    /* No redirect without a known client and a loopback redirect_uri */
    { "response_type=code&client_id=other&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F", 401, NULL },
    { "response_type=code&client_id=" CLIENT_ID "&redirect_uri=https%3A%2F%2Fevil.example%2F", 400, NULL },
    { "response_type=code&client_id=" CLIENT_ID "&redirect_uri=http%3A%2F%2F127.0.0.1%2F", 400, NULL },
    /* Otherwise errors go back to the redirect_uri */
    { "response_type=token&client_id=" CLIENT_ID "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F"
      "&scope=s&state=x&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
      302, "unsupported_response_type" },
    { "response_type=code&client_id=" CLIENT_ID "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F"
      "&scope=s&state=x&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=plain",
      302, "invalid_request" },
    { "response_type=code&client_id=" CLIENT_ID "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F"
      "&scope=s&state=x", 302, "invalid_request" },
    { "response_type=code&client_id=" CLIENT_ID "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F"
      "&scope=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
      302, "invalid_request" },
    { "response_type=code&client_id=" CLIENT_ID "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F"
      "&state=x&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
      302, "invalid_request" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/oauth/auth?%s", fixture->base, cases[i].query);
      g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
      Result r = { 0 };

      g_test_message ("%s", cases[i].query);
      soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
      soup_session_send_and_read_async (fixture->browser, message, G_PRIORITY_DEFAULT, NULL, on_browsed, &r);
      spin_until (&r.done);
      g_assert_cmpuint (soup_message_get_status (message), ==, cases[i].status);
      if (cases[i].error != NULL)
        {
          const char *location = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                               "Location");
          g_autofree char *error = query_param (location, "error");

          g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:9/?"));
          g_assert_cmpstr (error, ==, cases[i].error);
        }
      result_clear (&r);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oauth/code-verifier", test_code_verifier);
  g_test_add_func ("/oauth/code-challenge-rfc7636", test_code_challenge_rfc7636);
  g_test_add_func ("/oauth/state", test_state);
  g_test_add_func ("/oauth/tokens-json", test_tokens_json);
  g_test_add_func ("/oauth/config", test_config);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/oauth/authorization-url", test_authorization_url);
  ADD ("/oauth/sign-in", test_sign_in);
  ADD ("/oauth/loopback-answers-once", test_loopback_answers_once);
  ADD ("/oauth/wrong-state", test_wrong_state);
  ADD ("/oauth/access-denied", test_access_denied);
  ADD ("/oauth/cancel-wait", test_cancel_wait);
  ADD ("/oauth/insecure-endpoint", test_insecure_endpoint);
  ADD ("/oauth/refresh", test_refresh);
  ADD ("/oauth/expires-in-bounds", test_expires_in_bounds);
  ADD ("/oauth/refresh-rotation", test_refresh_rotation);
  ADD ("/oauth/invalid-grant", test_invalid_grant);
  ADD ("/oauth/wrong-client-secret", test_wrong_client_secret);
  ADD ("/oauth/fake-token-endpoint-strict", test_fake_token_endpoint_strict);
  ADD ("/oauth/fake-code-checks", test_fake_code_checks);
  ADD ("/oauth/fake-auth-endpoint-strict", test_fake_auth_endpoint_strict);
#undef ADD

  return g_test_run ();
}
