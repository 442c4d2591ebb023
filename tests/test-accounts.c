/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-accounts.c: accounts and their secrets under pressure — a token endpoint
 * that redirects (307/308) to another origin gets no secret, an account removed
 * while its token refresh is on the way stays removed (nothing written back to
 * the keyring), account ids are never reused, and the loopback redirect of a
 * sign-in refuses a request with a wrong state and keeps waiting for the right
 * one. The real binary against the fake Google and the test session's keyring. */
#define G_LOG_DOMAIN "test-accounts"

#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>

#include "calsync-account-removal.h"
#include "calsync-fake-origin.h"
#include "calsync-sync-engine.h"
#include "calsync-test-sync.h"
#include "calsync-test-utils.h"

#define ALEX "alex@example.com"
#define CLIENT_SECRET "fake-client-secret"   /* what calsync_fake_google_export_env() sets */

typedef struct
{
  CalsyncTestGoogle google;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  calsync_test_google_setup (&fx->google, "accounts");
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fx->google.fake), ALEX);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  calsync_test_google_teardown (&fx->google);
}

/* ALEX with expired tokens (a sync must refresh first) and one calendar */
static gint64
add_expired_account (Fixture *fx)
{
  gint64 id = calsync_test_google_add_account (&fx->google, ALEX, -60);

  calsync_test_add_calendar (fx->google.fake, fx->google.store, id, ALEX, ALEX, ALEX, "#9fe1e7");
  calsync_test_google_put_event (&fx->google, ALEX, "standup", "Standup", 16);
  return id;
}

static JsonArray *
list_accounts (Fixture *fx)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autoptr(CalsyncTestRun) run = calsync_test_calsync (fx->google.dir, args, NULL, CALSYNC_TEST_TIMEOUT_MS);

  CALSYNC_CHECK (run->status == 0, "`calsync --list-accounts --json` exited %d:\n%s", run->status, run->err);
  return calsync_test_parse_array (run->out, "The output of `calsync --list-accounts --json`");
}

/* The id `--list-accounts --json` gives ALEX, or 0; remembered for the teardown */
static gint64
alex_id (Fixture *fx)
{
  g_autoptr(JsonArray) accounts = list_accounts (fx);
  JsonObject *account = calsync_test_find_account (accounts, ALEX);
  gint64 id;

  if (account == NULL)
    return 0;
  id = g_ascii_strtoll (json_object_get_string_member_with_default (account, "id", "0"), NULL, 10);
  g_array_append_val (fx->google.account_ids, id);
  return id;
}

/* GETs @url with a plain session; returns the status, 0 when nothing answered */
static guint
get_url (const char *url,
         gboolean    follow)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  if (!follow)
    soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, calsync_test_result_cb, &result);
  body = soup_session_send_and_read_finish (session, calsync_test_spin (&result), &error);
  if (error != NULL)
    g_test_message ("GET %s: %s", url, error->message);
  return error ? 0 : soup_message_get_status (message);
}

/* 8. A token endpoint that redirects to another origin ------------------------------ */

static void
check_no_secret_sent (Fixture           *fx,
                      CalsyncFakeOrigin *origin,
                      guint              status)
{
  g_autoptr(GPtrArray) tokens = calsync_fake_oauth_dup_issued_tokens (calsync_fake_google_get_oauth (fx->google.fake));
  guint n = calsync_fake_origin_get_n_requests (origin);

  g_test_message ("The other origin received %u request(s)", n);
  for (guint i = 0; i < tokens->len; i++)
    CALSYNC_CHECK (!calsync_fake_origin_saw (origin, tokens->pdata[i]),
                   "After a %u redirect, the other origin received %s", status,
                   g_str_has_prefix (tokens->pdata[i], "1//") ? "the refresh token" :
                   g_str_has_prefix (tokens->pdata[i], "ya29.") ? "an access token" : "an authorization code");
  CALSYNC_CHECK (!calsync_fake_origin_saw (origin, CLIENT_SECRET),
                 "After a %u redirect, the other origin received the client secret", status);
  for (guint i = 0; i < n; i++)
    {
      const CalsyncFakeRequest *request = calsync_fake_origin_get_request (origin, i);

      CALSYNC_CHECK (g_bytes_get_size (request->body) == 0,
                     "After a %u redirect, the other origin received a %s with a body of %zu bytes", status,
                     request->method, g_bytes_get_size (request->body));
    }
}

static void
check_token_redirect (Fixture *fx,
                      guint    status)
{
  g_autoptr(CalsyncFakeOrigin) origin = calsync_fake_origin_new ();
  g_autofree char *location = calsync_fake_origin_get_url (origin, "/token");
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *error_text = NULL;
  JsonObject *result;

  add_expired_account (fx);
  calsync_fake_oauth_set_token_redirect (calsync_fake_google_get_oauth (fx->google.fake), status, location);
  report = calsync_test_sync_json (fx->google.dir, 1, "with a token endpoint that redirects to another origin");
  check_no_secret_sent (fx, origin, status);

  result = calsync_test_result_of (report, ALEX);
  error_text = g_utf8_strdown (json_object_get_string_member_with_default (result, "error", ""), -1);
  CALSYNC_CHECK (g_strcmp0 (json_object_get_string_member_with_default (result, "status", NULL), "error") == 0 &&
                 strstr (error_text, "sign") != NULL,
                 "After a %u redirect of the token refresh, the calendar's result is “%s” with “%s”, "
                 "not a sign-in error", status, json_object_get_string_member_with_default (result, "status", "?"),
                 json_object_get_string_member_with_default (result, "error", ""));
}

static void
test_token_redirect_307 (Fixture       *fx,
                         gconstpointer  data)
{
  check_token_redirect (fx, 307);
}

static void
test_token_redirect_308 (Fixture       *fx,
                         gconstpointer  data)
{
  check_token_redirect (fx, 308);
}

/* 14. An account removed while its token refresh is on the way ------------------------ */

typedef struct
{
  CalsyncFakeOAuth *oauth;
  CalsyncTestChild *child;
} HoldWait;

static gboolean
refresh_held_or_done (gpointer data)
{
  HoldWait *wait = data;

  return calsync_fake_oauth_get_n_held_refreshes (wait->oauth) > 0 || calsync_test_child_is_done (wait->child);
}

static void
test_removed_during_refresh (Fixture       *fx,
                             gconstpointer  data)
{
  const char *sync[] = { "--sync", "--json", NULL };
  CalsyncFakeOAuth *oauth = calsync_fake_google_get_oauth (fx->google.fake);
  gint64 id = add_expired_account (fx);
  g_autofree char *remove_arg = g_strdup_printf ("--remove-account=%" G_GINT64_FORMAT, id);
  const char *remove[] = { remove_arg, NULL };
  g_autoptr(CalsyncTestRun) removed = NULL;
  g_autoptr(CalsyncTestRun) synced = NULL;
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(JsonArray) accounts = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GError) error = NULL;
  HoldWait wait = { oauth, NULL };

  calsync_fake_oauth_set_hold_refreshes (oauth, TRUE);
  wait.child = calsync_test_child_spawn (fx->google.dir, sync, NULL);
  calsync_test_wait_until (refresh_held_or_done, &wait, 30000);
  CALSYNC_CHECK (calsync_fake_oauth_get_n_held_refreshes (oauth) > 0,
                 "The sync of an account with expired tokens asked for no token refresh within 30 s");

  removed = calsync_test_child_finish (calsync_test_child_spawn (fx->google.dir, remove, NULL), 20000);
  CALSYNC_CHECK (removed != NULL, "`calsync --remove-account` was still running 20 s later (killed): it waits "
                 "for the sync, whose token refresh is held");
  CALSYNC_CHECK (removed->status == 0, "`calsync --remove-account` during a sync exited %d:\n%s",
                 removed->status, removed->err);

  calsync_fake_oauth_release_refreshes (oauth);
  synced = calsync_test_child_finish (wait.child, CALSYNC_TEST_TIMEOUT_MS);
  CALSYNC_CHECK (synced != NULL, "The sync did not end after its token refresh was answered");
  CALSYNC_CHECK (synced->signal == 0, "The sync crashed (signal %d) after its account was removed", synced->signal);

  secret = calsync_test_google_lookup_secret (id);
  CALSYNC_CHECK (secret == NULL, "After the account was removed during its token refresh, the keyring holds "
                 "a secret for it again: the refreshed tokens were written back");
  accounts = list_accounts (fx);
  CALSYNC_CHECK (calsync_test_find_account (accounts, ALEX) == NULL,
                 "`--list-accounts --json` lists the account removed during its sync");
  calendars = calsync_store_list_calendars (fx->google.store, id, &error);
  g_assert_no_error (error);
  CALSYNC_CHECK (calendars->len == 0, "The sync brought %u calendar(s) of the removed account back",
                 calendars->len);
}

static gboolean
refresh_held (gpointer data)
{
  return calsync_fake_oauth_get_n_held_refreshes (data) > 0;
}

/* The same in the window's process: Preferences removes the account while the
 * engine's refresh of it is in flight; the sync stops, reports nothing of it,
 * and the refreshed tokens never land */
static void
test_removed_during_refresh_in_process (Fixture       *fx,
                                        gconstpointer  data)
{
  CalsyncFakeOAuth *oauth = calsync_fake_google_get_oauth (fx->google.fake);
  gint64 id = add_expired_account (fx);
  g_autoptr(CalsyncHttp) http = calsync_http_new ();
  g_autoptr(CalsyncSyncEngine) engine = calsync_sync_engine_new (fx->google.store, http);
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(GAsyncResult) synced = NULL;
  g_autoptr(GAsyncResult) removed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  calsync_fake_oauth_set_hold_refreshes (oauth, TRUE);
  calsync_sync_engine_sync_async (engine, NULL, NULL, calsync_test_result_cb, &synced);
  CALSYNC_CHECK (calsync_test_wait_until (refresh_held, oauth, 30000),
                 "The engine asked for no token refresh within 30 s");

  calsync_account_remove_async (fx->google.store, engine, id, calsync_test_result_cb, &removed);
  CALSYNC_CHECK (calsync_account_remove_finish (calsync_test_spin (&removed), &error),
                 "Removing the account during its refresh failed: %s", error ? error->message : "");

  calsync_fake_oauth_release_refreshes (oauth);
  report = calsync_sync_engine_sync_finish (engine, calsync_test_spin (&synced), &error);
  g_assert_no_error (error);
  CALSYNC_CHECK (calsync_sync_report_get_n_results (report) == 0,
                 "The sync reported %u calendar(s) of the account removed during it",
                 calsync_sync_report_get_n_results (report));

  secret = calsync_test_google_lookup_secret (id);
  CALSYNC_CHECK (secret == NULL, "After the account was removed during the window's token refresh, the "
                 "keyring holds a secret for it");
  g_assert_null (calsync_store_get_account (fx->google.store, id, NULL));
}

static gint64
add_account_by_cli (Fixture *fx)
{
  g_autoptr(GSubprocessLauncher) launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                                                       fx->google.dir);
  g_autofree char *stderr_path = g_build_filename (fx->google.dir, "add-account.log", NULL);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  int status = calsync_test_cli_add_account (launcher, "google", stderr_path, &url, &rest, &err);
  gint64 id;

  CALSYNC_CHECK (status == 0, "`calsync --add-account=google` exited %d:\n%s", status, err);
  id = alex_id (fx);
  CALSYNC_CHECK (id > 0, "The account added is not in `--list-accounts --json`");
  return id;
}

static void
test_ids_not_reused (Fixture       *fx,
                     gconstpointer  data)
{
  gint64 first, second;
  g_autofree char *remove_arg = NULL;
  g_autoptr(CalsyncTestRun) removed = NULL;

  calsync_fake_google_add_calendar (fx->google.fake, ALEX, ALEX, ALEX, TRUE);
  first = add_account_by_cli (fx);
  remove_arg = g_strdup_printf ("--remove-account=%" G_GINT64_FORMAT, first);
  removed = calsync_test_calsync (fx->google.dir, (const char *[]) { remove_arg, NULL }, NULL,
                                  CALSYNC_TEST_TIMEOUT_MS);
  CALSYNC_CHECK (removed->status == 0, "`calsync %s` exited %d", remove_arg, removed->status);

  second = add_account_by_cli (fx);
  CALSYNC_CHECK (second > first, "After account %" G_GINT64_FORMAT " was removed, the next account got the id %"
                 G_GINT64_FORMAT ": ids are reused (a secret or a late sync of the old account could land on the "
                 "new one)", first, second);
}

/* 15. The loopback redirect refuses a wrong state ------------------------------------- */

static gboolean
printed_line (gpointer data)
{
  g_autofree char *out = calsync_test_child_peek_stdout (data);

  return strchr (out, '\n') != NULL || calsync_test_child_is_done (data);
}

/* The sign-in URL's redirect_uri with a forged code and a wrong state */
static char *
forged_redirect (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GHashTable) params = NULL;
  const char *redirect_uri, *state;
  g_autofree char *wrong = NULL;
  g_autofree char *escaped = NULL;

  CALSYNC_CHECK (uri != NULL && g_uri_get_query (uri) != NULL, "The sign-in URL cannot be read: %s", url);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  redirect_uri = g_hash_table_lookup (params, "redirect_uri");
  state = g_hash_table_lookup (params, "state");
  CALSYNC_CHECK (redirect_uri != NULL && state != NULL, "The sign-in URL has no redirect_uri or no state: %s", url);

  wrong = g_strconcat ("x", state, NULL);
  escaped = g_uri_escape_string (wrong, NULL, FALSE);
  return g_strdup_printf ("%s%sstate=%s&code=4%%2Fforged-code&scope=email", redirect_uri,
                          strchr (redirect_uri, '?') ? "&" : "?", escaped);
}

static void
test_loopback_wrong_state (Fixture       *fx,
                           gconstpointer  data)
{
  const char *args[] = { "--add-account=google", "--no-browser", NULL };
  CalsyncTestChild *child;
  g_autoptr(CalsyncTestRun) run = NULL;
  g_autofree char *out = NULL;
  g_autofree char *url = NULL;
  g_autofree char *forged = NULL;
  guint status;

  calsync_fake_google_add_calendar (fx->google.fake, ALEX, ALEX, ALEX, TRUE);
  child = calsync_test_child_spawn (fx->google.dir, args, NULL);
  calsync_test_wait_until (printed_line, child, 30000);
  out = calsync_test_child_peek_stdout (child);
  CALSYNC_CHECK (strchr (out, '\n') != NULL, "`calsync --add-account=google --no-browser` printed no URL line");
  url = g_strndup (out, strcspn (out, "\n"));

  forged = forged_redirect (url);
  status = get_url (forged, FALSE);
  CALSYNC_CHECK (status == 400, "The loopback redirect answered %u to a request with a wrong state, not 400", status);

  status = get_url (url, TRUE);
  CALSYNC_CHECK (status == 200, "After a request with a wrong state, signing in the right way got %u%s", status,
                 status == 0 ? ": the loopback server no longer answers (the sign-in gave up)" : "");

  run = calsync_test_child_finish (child, CALSYNC_TEST_TIMEOUT_MS);
  CALSYNC_CHECK (run != NULL, "The sign-in did not end after the right redirect");
  CALSYNC_CHECK (run->status == 0, "The sign-in exited %d after a wrong-state request then the right one:\n%s",
                 run->status, run->err);
  CALSYNC_CHECK (alex_id (fx) > 0, "The account signed in is not in `--list-accounts --json`");
}

#define ADD(path, func) \
  g_test_add ("/accounts/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  if (!calsync_test_sync_init (&argc, &argv))
    return 77;

  ADD ("token-redirect-307", test_token_redirect_307);
  ADD ("token-redirect-308", test_token_redirect_308);
  ADD ("removed-during-refresh", test_removed_during_refresh);
  ADD ("removed-during-refresh-in-process", test_removed_during_refresh_in_process);
  ADD ("ids-not-reused", test_ids_not_reused);
  ADD ("loopback-wrong-state", test_loopback_wrong_state);

  return g_test_run ();
}
