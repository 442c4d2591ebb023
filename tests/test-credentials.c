/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-credentials.c: an account's credentials — access tokens refreshed before
 * expiry and after a 401, one shared refresh for concurrent callers,
 * invalid_grant, rotated tokens saved in the (real) keyring, a refresh that lands
 * after its account was removed, and passwords. */
#define G_LOG_DOMAIN "test-credentials"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "calsync-credentials.h"
#include "calsync-http-private.h"
#include "calsync-test-utils.h"
#include "calsync-fake-oauth.h"
#include "calsync-secrets.h"

#define CLIENT_ID "test-client.apps.example.com"
#define CLIENT_SECRET "test-client-secret"
#define USER "bob@example.com"

typedef struct
{
  SoupServer *server;
  CalsyncFakeOAuth *fake;
  CalsyncHttp *http;
  CalsyncOAuthConfig *config;
  gint64 account_id;
  CalsyncCredentials *auth;
  CalsyncTokens *tokens;     /* what the fake handed out at "sign-in" */
} Fixture;

typedef struct
{
  gboolean done;
  gboolean ok;
  char *token;
  char *secret;
  CalsyncHttpRequest *request;   /* what was authorized */
  GError *error;
} Result;

/* Keyring ----------------------------------------------------------------- */

static void
spin_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->token, g_free);
  g_clear_pointer (&r->secret, g_free);
  g_clear_pointer (&r->request, calsync_http_request_unref);
  g_clear_error (&r->error);
  r->done = FALSE;
}

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->secret = calsync_secrets_lookup_finish (result, &r->error);
  r->done = TRUE;
}

static CalsyncTokens *
tokens_in_keyring (gint64 account_id)
{
  g_autoptr(GError) error = NULL;
  Result r = { 0 };
  CalsyncTokens *tokens;

  calsync_secrets_lookup_async (account_id, NULL, on_looked_up, &r);
  spin_until (&r.done);
  g_assert_no_error (r.error);

  tokens = calsync_tokens_from_json (r.secret, &error);
  g_assert_no_error (error);
  result_clear (&r);

  return tokens;
}

static void
on_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->ok = calsync_secrets_delete_finish (result, &r->error);
  r->done = TRUE;
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->ok = calsync_credentials_save_tokens_finish (CALSYNC_CREDENTIALS (source), result, &r->error);
  r->done = TRUE;
}

/* Fixture ----------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static guint serial;
  g_autoslist(GUri) uris = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));

  fixture->fake = calsync_fake_oauth_new (fixture->server, "/oauth", CLIENT_ID, CLIENT_SECRET);
  fixture->http = calsync_http_new ();
  calsync_http_set_retry_policy (fixture->http, 2, 1, 5000);

  fixture->config = calsync_oauth_config_new_google ();
  g_free (fixture->config->auth_url);
  g_free (fixture->config->token_url);
  g_free (fixture->config->client_id);
  g_free (fixture->config->client_secret);
  fixture->config->auth_url = g_strconcat (base, "/oauth/auth", NULL);
  fixture->config->token_url = g_strconcat (base, "/oauth/token", NULL);
  fixture->config->client_id = g_strdup (CLIENT_ID);
  fixture->config->client_secret = g_strdup (CLIENT_SECRET);

  /* Ids no other test (running in parallel in the same keyring) uses */
  fixture->account_id = (gint64) getpid () * 1000 + 800000000000 + ++serial;
  fixture->auth = calsync_credentials_new_oauth (fixture->http, fixture->config, fixture->account_id);

  fixture->tokens = g_new0 (CalsyncTokens, 1);
  calsync_fake_oauth_issue_tokens (fixture->fake, USER, &fixture->tokens->access_token,
                                   &fixture->tokens->refresh_token);
  fixture->tokens->expires_at = g_get_real_time () / G_USEC_PER_SEC + 3600;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  Result r = { 0 };

  if (calsync_test_secret_service_available ())
    {
      calsync_secrets_delete_async (fixture->account_id, NULL, on_deleted, &r);
      spin_until (&r.done);
      g_assert_no_error (r.error);
    }

  g_clear_object (&fixture->auth);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->fake);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->http);
  g_clear_pointer (&fixture->config, calsync_oauth_config_free);
  g_clear_pointer (&fixture->tokens, calsync_tokens_free);
}

static gboolean
skip_without_keyring (void)
{
  if (calsync_test_secret_service_available ())
    return FALSE;

  g_test_skip ("No private keyring: run through tests/run-with-keyring.sh");
  return TRUE;
}

/* The request authorized carries the token: Result.token is what follows "Bearer " */
static void
on_token (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  if (calsync_credentials_authorize_finish (CALSYNC_CREDENTIALS (source), result, &r->error))
    {
      g_assert_true (g_str_has_prefix (r->request->authorization, "Bearer "));
      r->token = g_strdup (r->request->authorization + strlen ("Bearer "));
    }
  r->done = TRUE;
}

static void
authorize_async (CalsyncCredentials *credentials,
                 gboolean            force,
                 Result             *r)
{
  r->request = calsync_http_request_new ("GET", "https://example.com/");
  calsync_credentials_authorize_async (credentials, r->request, force, NULL, on_token, r);
}

static void
get_token (CalsyncCredentials *credentials,
           gboolean            force,
           Result             *r)
{
  authorize_async (credentials, force, r);
  spin_until (&r->done);
}

static void
assert_bearer_valid (Fixture    *fixture,
                     const char *token)
{
  g_autofree char *header = g_strconcat ("Bearer ", token, NULL);

  g_assert_cmpstr (calsync_fake_oauth_check_bearer (fixture->fake, header), ==, USER);
}

static void
expire_in (Fixture *fixture,
           gint64   seconds)
{
  fixture->tokens->expires_at = g_get_real_time () / G_USEC_PER_SEC + seconds;
  calsync_credentials_set_tokens (fixture->auth, fixture->tokens);
}

/* Tests ------------------------------------------------------------------- */

static void
test_valid_token_kept (Fixture       *fixture,
                       gconstpointer  data)
{
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  /* 6 minutes left: more than the 5-minute margin, no refresh */
  expire_in (fixture, 6 * 60);
  get_token (fixture->auth, FALSE, &r);

  g_assert_no_error (r.error);
  g_assert_cmpstr (r.token, ==, fixture->tokens->access_token);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 0);
  result_clear (&r);
}

static void
test_refresh_before_expiry (Fixture       *fixture,
                            gconstpointer  data)
{
  Result r = { 0 };
  Result again = { 0 };

  if (skip_without_keyring ())
    return;

  /* 4 minutes left: within the margin */
  expire_in (fixture, 4 * 60);
  get_token (fixture->auth, FALSE, &r);

  g_assert_no_error (r.error);
  g_assert_cmpstr (r.token, !=, fixture->tokens->access_token);
  assert_bearer_valid (fixture, r.token);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);

  /* The new token is good for an hour: the next caller gets it as is */
  get_token (fixture->auth, FALSE, &again);
  g_assert_cmpstr (again.token, ==, r.token);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);
  result_clear (&r);
  result_clear (&again);
}

static void
test_forced_refresh_after_401 (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *old_header = g_strconcat ("Bearer ", fixture->tokens->access_token, NULL);
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  expire_in (fixture, 3600);
  calsync_fake_oauth_expire_access_tokens (fixture->fake);
  g_assert_null (calsync_fake_oauth_check_bearer (fixture->fake, old_header));

  get_token (fixture->auth, TRUE, &r);

  g_assert_no_error (r.error);
  g_assert_cmpstr (r.token, !=, fixture->tokens->access_token);
  assert_bearer_valid (fixture, r.token);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);
  result_clear (&r);
}

static void
test_concurrent_callers_share_refresh (Fixture       *fixture,
                                       gconstpointer  data)
{
  Result r[6] = { 0 };

  if (skip_without_keyring ())
    return;

  expire_in (fixture, 60);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    authorize_async (fixture->auth, i % 3 == 2, &r[i]);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    spin_until (&r[i].done);

  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      g_assert_no_error (r[i].error);
      g_assert_cmpstr (r[i].token, ==, r[0].token);
    }
  g_assert_cmpstr (r[0].token, !=, fixture->tokens->access_token);
  assert_bearer_valid (fixture, r[0].token);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    result_clear (&r[i]);
}

static void
test_invalid_grant (Fixture       *fixture,
                    gconstpointer  data)
{
  Result r[2] = { 0 };

  if (skip_without_keyring ())
    return;

  expire_in (fixture, 60);
  calsync_fake_oauth_revoke (fixture->fake, USER);

  authorize_async (fixture->auth, FALSE, &r[0]);
  authorize_async (fixture->auth, TRUE, &r[1]);
  spin_until (&r[0].done);
  spin_until (&r[1].done);

  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      g_assert_error (r[i].error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT);
      g_assert_cmpstr (r[i].error->message, ==, "Sign-in expired. Reconnect the account in Preferences.");
      g_assert_null (r[i].token);
      result_clear (&r[i]);
    }
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);
}

static void
test_rotation_saved_to_keyring (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(CalsyncCredentials) later = NULL;
  g_autoptr(CalsyncTokens) stored = NULL;
  Result r = { 0 };
  Result again = { 0 };

  if (skip_without_keyring ())
    return;

  /* Sign-in: the tokens go to the keyring */
  calsync_fake_oauth_set_rotate_refresh (fixture->fake, TRUE);
  calsync_credentials_save_tokens_async (fixture->auth, fixture->tokens, NULL, on_saved, &r);
  spin_until (&r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  result_clear (&r);

  /* A 401: the refresh rotates the refresh token */
  get_token (fixture->auth, TRUE, &r);
  g_assert_no_error (r.error);

  /* The keyring has the new pair when the caller gets the token */
  stored = tokens_in_keyring (fixture->account_id);
  g_assert_cmpstr (stored->access_token, ==, r.token);
  g_assert_cmpstr (stored->refresh_token, !=, fixture->tokens->refresh_token);
  g_assert_cmpint (stored->expires_at, >, g_get_real_time () / G_USEC_PER_SEC + 3000);

  /* Next run of the app: tokens come from the keyring, no refresh needed */
  later = calsync_credentials_new_oauth (fixture->http, fixture->config, fixture->account_id);
  get_token (later, FALSE, &again);
  g_assert_no_error (again.error);
  g_assert_cmpstr (again.token, ==, r.token);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);
  result_clear (&again);

  /* And its refresh token is the one the server still accepts */
  get_token (later, TRUE, &again);
  g_assert_no_error (again.error);
  assert_bearer_valid (fixture, again.token);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 2);

  result_clear (&again);
  result_clear (&r);
}

static void
test_loaded_and_refreshed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(CalsyncCredentials) fresh = NULL;
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  /* Stored long ago: the access token has expired */
  fixture->tokens->expires_at = g_get_real_time () / G_USEC_PER_SEC - 60;
  calsync_credentials_save_tokens_async (fixture->auth, fixture->tokens, NULL, on_saved, &r);
  spin_until (&r.done);
  g_assert_no_error (r.error);
  result_clear (&r);

  fresh = calsync_credentials_new_oauth (fixture->http, fixture->config, fixture->account_id);
  get_token (fresh, FALSE, &r);

  g_assert_no_error (r.error);
  g_assert_cmpstr (r.token, !=, fixture->tokens->access_token);
  assert_bearer_valid (fixture, r.token);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);
  result_clear (&r);
}

static void
test_missing_secret (Fixture       *fixture,
                     gconstpointer  data)
{
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  /* Nothing in memory, nothing in the keyring */
  get_token (fixture->auth, FALSE, &r);

  g_assert_error (r.error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 0);
  result_clear (&r);
}

static gboolean
secret_exists (gint64 account_id)
{
  Result r = { 0 };
  gboolean exists;

  calsync_secrets_lookup_async (account_id, NULL, on_looked_up, &r);
  spin_until (&r.done);
  exists = r.secret != NULL;
  g_assert_true (exists || g_error_matches (r.error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND));
  result_clear (&r);
  return exists;
}

static void
save_tokens (Fixture *fixture)
{
  Result r = { 0 };

  calsync_credentials_save_tokens_async (fixture->auth, fixture->tokens, NULL, on_saved, &r);
  spin_until (&r.done);
  g_assert_no_error (r.error);
  result_clear (&r);
}

/* The account was removed while its refresh was in flight (another process
 * marked it): the renewed tokens must not stay in the keyring */
static void
test_removed_during_refresh (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  dir = g_dir_make_tmp ("test-credentials-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "calsync.db", NULL);
  store = calsync_store_open (path, &error);
  g_assert_no_error (error);
  id = calsync_test_store_add_account (store, "google", USER);
  calsync_test_renumber_account (&store, id, fixture->account_id);

  calsync_credentials_set_store (fixture->auth, store);
  save_tokens (fixture);
  g_assert_true (secret_exists (fixture->account_id));

  /* Removal's first step happens; then the refresh of an expired token lands */
  g_assert_true (calsync_store_mark_account_removing (store, fixture->account_id, &error));
  g_assert_no_error (error);
  expire_in (fixture, 60);
  get_token (fixture->auth, FALSE, &r);

  g_assert_error (r.error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REMOVED);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (fixture->fake), ==, 1);
  g_assert_false (secret_exists (fixture->account_id));
  result_clear (&r);

  g_clear_object (&store);
  calsync_test_remove_tree (dir);
}

/* Revoked (the account is being removed here): a refresh in flight is dropped,
 * and nothing is handed out any more */
static void
test_revoked (Fixture       *fixture,
              gconstpointer  data)
{
  Result r = { 0 };
  Result after = { 0 };

  if (skip_without_keyring ())
    return;

  expire_in (fixture, 60);
  authorize_async (fixture->auth, FALSE, &r);
  calsync_credentials_revoke (fixture->auth);
  spin_until (&r.done);
  g_assert_error (r.error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REMOVED);
  g_assert_false (secret_exists (fixture->account_id));

  get_token (fixture->auth, FALSE, &after);
  g_assert_error (after.error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REMOVED);
  g_assert_false (calsync_credentials_error_needs_reconnect (after.error));
  result_clear (&r);
  result_clear (&after);
}

/* A password from the keyring, as Basic authentication; refused → reconnect */
static void
test_password (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(CalsyncCredentials) credentials = calsync_credentials_new_password (fixture->account_id, "alice");
  g_autoptr(CalsyncHttpRequest) request = calsync_http_request_new ("GET", "https://example.com/");
  g_autoptr(CalsyncHttpRequest) refused = calsync_http_request_new ("GET", "https://example.com/");
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) authorized = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pair = g_base64_encode ((const guchar *) "alice:s3cret pass", 17);
  g_autofree char *expected = g_strconcat ("Basic ", pair, NULL);

  if (skip_without_keyring ())
    return;

  calsync_secrets_store_async (fixture->account_id, "test", "s3cret pass", NULL, calsync_test_result_cb, &stored);
  g_assert_true (calsync_secrets_store_finish (calsync_test_spin (&stored), &error));
  g_assert_no_error (error);

  calsync_credentials_authorize_async (credentials, request, FALSE, NULL, calsync_test_result_cb, &authorized);
  g_assert_true (calsync_credentials_authorize_finish (credentials, calsync_test_spin (&authorized), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (request->authorization, ==, expected);

  /* The server answered 401 to it: that password is wrong */
  calsync_credentials_authorize_async (credentials, refused, TRUE, NULL, calsync_test_result_cb, &second);
  g_assert_false (calsync_credentials_authorize_finish (credentials, calsync_test_spin (&second), &error));
  g_assert_error (error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED);
  g_assert_true (calsync_credentials_error_needs_reconnect (error));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/credentials/valid-token-kept", test_valid_token_kept);
  ADD ("/credentials/refresh-before-expiry", test_refresh_before_expiry);
  ADD ("/credentials/forced-refresh-after-401", test_forced_refresh_after_401);
  ADD ("/credentials/concurrent-callers-share-refresh", test_concurrent_callers_share_refresh);
  ADD ("/credentials/invalid-grant", test_invalid_grant);
  ADD ("/credentials/rotation-saved-to-keyring", test_rotation_saved_to_keyring);
  ADD ("/credentials/loaded-and-refreshed", test_loaded_and_refreshed);
  ADD ("/credentials/missing-secret", test_missing_secret);
  ADD ("/credentials/removed-during-refresh", test_removed_during_refresh);
  ADD ("/credentials/revoked", test_revoked);
  ADD ("/credentials/password", test_password);
#undef ADD

  return g_test_run ();
}
