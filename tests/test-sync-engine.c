/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sync-engine.c: the sync engine against the fake Google, with a real store and
 * tokens in the real keyring (run in the D-Bus session of the sync suite). */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "calsync-fake-google.h"
#include "calsync-oauth.h"
#include "calsync-secrets.h"
#include "calsync-store.h"
#include "calsync-sync-engine.h"
#include "calsync-test-utils.h"

#define NOW "2026-06-15T12:00:00Z"
#define ALEX "alex@example.com"
#define SAM "sam@example.com"
#define SIGN_IN_EXPIRED "Sign-in expired. Reconnect the account in Preferences."

typedef struct
{
  char *dir;
  CalsyncFakeGoogle *fake;
  CalsyncStore *store;
  CalsyncHttp *http;
  CalsyncSyncEngine *engine;
} Fixture;

/* Spinning ---------------------------------------------------------------- */

/* Sign-in through the fake, the way a browser would ------------------------- */

static CalsyncTokens *
sign_in (Fixture    *fx,
         const char *email)
{
  g_autoptr(CalsyncOAuthConfig) config = calsync_oauth_config_new_google ();
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (fx->http, config);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  CalsyncTokens *tokens;

  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fx->fake), email);
  url = calsync_oauth_flow_start (flow, &error);
  g_assert_no_error (error);
  calsync_oauth_flow_wait_async (flow, NULL, calsync_test_result_cb, &result);
  calsync_test_follow_url (url);
  tokens = calsync_oauth_flow_wait_finish (flow, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  return tokens;
}

static void
store_secret (gint64               account_id,
              const CalsyncTokens *tokens)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = calsync_tokens_to_json (tokens);

  calsync_secrets_store_async (account_id, "CalSync test", json, NULL, calsync_test_result_cb, &result);
  g_assert_true (calsync_secrets_store_finish (calsync_test_spin (&result), &error));
  g_assert_no_error (error);
}

/* Data ------------------------------------------------------------------ */

static gint64
add_calendar (Fixture    *fx,
              gint64      account_id,
              const char *email,
              const char *remote_id,
              const char *summary)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  calsync_fake_google_add_calendar (fx->fake, email, remote_id, summary, g_strcmp0 (email, remote_id) == 0);
  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_remote_id (calendar, remote_id);
  calsync_calendar_set_name (calendar, summary);
  calsync_calendar_set_is_active (calendar, TRUE);
  calsync_calendar_set_is_primary (calendar, g_strcmp0 (email, remote_id) == 0);
  id = calsync_store_add_calendar (fx->store, calendar, &error);
  g_assert_no_error (error);
  return id;
}

/* An account with its primary calendar (and tokens in the keyring) */
static gint64
connect_account (Fixture    *fx,
                 const char *email,
                 gint64     *primary_id)
{
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(CalsyncTokens) tokens = sign_in (fx, email);
  g_autoptr(GError) error = NULL;
  gint64 id;

  calsync_account_set_provider (account, "google");
  calsync_account_set_email (account, email);
  id = calsync_store_add_account (fx->store, account, &error);
  g_assert_no_error (error);
  store_secret (id, tokens);
  *primary_id = add_calendar (fx, id, email, email, email);
  return id;
}

static void
put_event (Fixture    *fx,
           const char *calendar,
           const char *id,
           const char *summary,
           int         day)
{
  g_autofree char *json = g_strdup_printf (
    "{\"kind\":\"calendar#event\",\"id\":\"%s\",\"status\":\"confirmed\",\"summary\":\"%s\","
    "\"start\":{\"dateTime\":\"2026-06-%02dT10:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-06-%02dT11:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"}}",
    id, summary, day, day);

  calsync_fake_google_put_event (fx->fake, calendar, json);
}

static void
put_events (Fixture    *fx,
            const char *calendar,
            const char *prefix,
            guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s%u", prefix, i);
      g_autofree char *summary = g_strdup_printf ("Event %u", i);

      put_event (fx, calendar, id, summary, 1 + (int) (i % 28));
    }
}

static CalsyncSyncReport *
sync_now (Fixture *fx)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncSyncReport *report;

  calsync_sync_engine_sync_async (fx->engine, NULL, NULL, calsync_test_result_cb, &result);
  report = calsync_sync_engine_sync_finish (fx->engine, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_false (calsync_sync_engine_is_syncing (fx->engine));
  return report;
}

static const CalsyncCalendarResult *
find_result (CalsyncSyncReport *report,
             gint64             calendar_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, calendar_id);

  for (guint i = 0; i < calsync_sync_report_get_n_results (report); i++)
    if (g_str_equal (calsync_sync_report_get_result (report, i)->connection_id, id))
      return calsync_sync_report_get_result (report, i);

  g_assert_not_reached ();
}

static void
assert_counts (const CalsyncCalendarResult *result,
               guint synced, guint updated, guint skipped, guint deleted)
{
  g_assert_true (result->success);
  g_assert_null (result->error);
  g_assert_cmpuint (result->synced, ==, synced);
  g_assert_cmpuint (result->updated, ==, updated);
  g_assert_cmpuint (result->skipped, ==, skipped);
  g_assert_cmpuint (result->deleted, ==, deleted);
  g_assert_cmpuint (result->total, ==, synced + updated + skipped + deleted);
}

static CalsyncCalendar *
get_calendar (Fixture *fx,
              gint64   id)
{
  g_autoptr(GError) error = NULL;
  CalsyncCalendar *calendar = calsync_store_get_calendar (fx->store, id, &error);

  g_assert_no_error (error);
  return calendar;
}

static CalsyncEvent *
get_event (Fixture    *fx,
           gint64      calendar_id,
           const char *external_id)
{
  g_autoptr(GError) error = NULL;
  CalsyncEvent *event = calsync_store_lookup_event (fx->store, calendar_id, external_id, &error);

  g_assert_no_error (error);
  return event;
}

static gint64
count_events (Fixture *fx,
              gint64   calendar_id)
{
  g_autoptr(GError) error = NULL;
  gint64 n = calsync_store_count_events (fx->store, calendar_id, &error);

  g_assert_no_error (error);
  return n;
}

/* Fixture --------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fx->dir = g_dir_make_tmp ("calsync-engine-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fx->dir, "calsync.db", NULL);

  fx->fake = calsync_fake_google_new ();
  calsync_fake_google_export_env (fx->fake);
  fx->store = calsync_store_open (path, &error);
  g_assert_no_error (error);
  calsync_test_reserve_account_ids (path);
  fx->http = calsync_http_new ();
  calsync_http_set_retry_policy (fx->http, 3, 1, 3000);
  fx->engine = calsync_sync_engine_new (fx->store, fx->http);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

static void
delete_secrets (Fixture *fx)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (fx->store, NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;

      calsync_secrets_delete_async (calsync_account_get_id (g_ptr_array_index (accounts, i)), NULL,
                                    calsync_test_result_cb, &result);
      calsync_secrets_delete_finish (calsync_test_spin (&result), NULL);
    }
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  delete_secrets (fx);
  g_clear_object (&fx->engine);
  g_clear_object (&fx->http);
  g_clear_object (&fx->store);
  g_clear_object (&fx->fake);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  remove_tree (fx->dir);
  g_clear_pointer (&fx->dir, g_free);
}

/* Tests ----------------------------------------------------------------- */

static void
test_nothing_connected (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(CalsyncSyncReport) report = sync_now (fx);
  g_autofree char *message = calsync_sync_report_get_message (report);

  g_assert_false (calsync_sync_report_get_success (report));
  g_assert_cmpuint (calsync_sync_report_get_n_results (report), ==, 0);
  g_assert_cmpstr (message, ==, "No calendars connected");
}

static void
test_first_sync_pages (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(CalsyncCalendar) calendar = NULL;
  const CalsyncCalendarResult *result;
  gint64 primary;
  guint requests;

  connect_account (fx, ALEX, &primary);
  put_events (fx, ALEX, "ev", 7);
  calsync_fake_google_set_page_size (fx->fake, 3);

  requests = calsync_fake_google_get_n_requests (fx->fake);
  report = sync_now (fx);
  g_assert_true (calsync_sync_report_get_success (report));
  result = find_result (report, primary);
  assert_counts (result, 7, 0, 0, 0);
  g_assert_cmpstr (result->provider, ==, "google");
  g_assert_cmpstr (result->email, ==, ALEX);
  g_assert_cmpstr (result->calendar_name, ==, ALEX);
  /* 3 + 3 + 1 events: three pages */
  g_assert_cmpuint (calsync_fake_google_get_n_requests (fx->fake) - requests, >=, 3);
  g_assert_cmpint (count_events (fx, primary), ==, 7);

  calendar = get_calendar (fx, primary);
  g_assert_nonnull (calsync_calendar_get_sync_token (calendar));
  g_assert_cmpint (calsync_calendar_get_last_sync_at (calendar), >, 0);
}

static void
test_incremental (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(CalsyncSyncReport) first = NULL;
  g_autoptr(CalsyncSyncReport) second = NULL;
  g_autoptr(CalsyncSyncReport) third = NULL;
  g_autoptr(CalsyncEvent) changed = NULL;
  g_autoptr(CalsyncEvent) gone = NULL;
  g_autoptr(CalsyncEvent) added = NULL;
  gint64 primary;

  connect_account (fx, ALEX, &primary);
  put_events (fx, ALEX, "ev", 4);
  first = sync_now (fx);
  assert_counts (find_result (first, primary), 4, 0, 0, 0);

  put_event (fx, ALEX, "ev1", "Renamed", 2);
  calsync_fake_google_cancel_event (fx->fake, ALEX, "ev2");
  put_event (fx, ALEX, "new", "Brand new", 20);
  second = sync_now (fx);
  assert_counts (find_result (second, primary), 1, 1, 0, 1);
  g_assert_cmpint (count_events (fx, primary), ==, 4);

  changed = get_event (fx, primary, "ev1");
  g_assert_cmpstr (calsync_event_get_title (changed), ==, "Renamed");
  gone = get_event (fx, primary, "ev2");
  g_assert_null (gone);
  added = get_event (fx, primary, "new");
  g_assert_nonnull (added);

  /* Nothing changed: nothing received */
  third = sync_now (fx);
  assert_counts (find_result (third, primary), 0, 0, 0, 0);
}

static void
test_token_gone (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(CalsyncSyncReport) first = NULL;
  g_autoptr(CalsyncSyncReport) second = NULL;
  g_autoptr(CalsyncCalendar) before = NULL;
  g_autoptr(CalsyncCalendar) after = NULL;
  gint64 primary;

  connect_account (fx, ALEX, &primary);
  put_events (fx, ALEX, "ev", 3);
  first = sync_now (fx);
  before = get_calendar (fx, primary);

  calsync_fake_google_expire_sync_tokens (fx->fake);
  put_event (fx, ALEX, "late", "Late", 25);
  second = sync_now (fx);

  /* Full resync: the three known ones come again unchanged (skipped) */
  assert_counts (find_result (second, primary), 1, 0, 3, 0);
  after = get_calendar (fx, primary);
  g_assert_nonnull (calsync_calendar_get_sync_token (after));
  g_assert_cmpstr (calsync_calendar_get_sync_token (after), !=, calsync_calendar_get_sync_token (before));
  g_assert_cmpint (count_events (fx, primary), ==, 4);
}

static void
test_refresh (Fixture       *fx,
              gconstpointer  data)
{
  CalsyncFakeOAuth *oauth = calsync_fake_google_get_oauth (fx->fake);
  g_autoptr(CalsyncSyncReport) soon = NULL;
  g_autoptr(CalsyncSyncReport) after_401 = NULL;
  gint64 primary;
  guint refreshes;

  /* A token that expires within five minutes is refreshed before use */
  calsync_fake_oauth_set_expires_in (oauth, 60);
  connect_account (fx, ALEX, &primary);
  calsync_fake_oauth_set_expires_in (oauth, 3600);
  put_events (fx, ALEX, "ev", 2);
  refreshes = calsync_fake_oauth_get_n_refreshes (oauth);
  soon = sync_now (fx);
  g_assert_true (calsync_sync_report_get_success (soon));
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (oauth), ==, refreshes + 1);

  /* A token the server no longer accepts: one refresh after the 401 */
  calsync_fake_oauth_expire_access_tokens (oauth);
  put_event (fx, ALEX, "more", "More", 9);
  after_401 = sync_now (fx);
  g_assert_true (calsync_sync_report_get_success (after_401));
  assert_counts (find_result (after_401, primary), 1, 0, 0, 0);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (oauth), ==, refreshes + 2);
}

static void
test_invalid_grant (Fixture       *fx,
                    gconstpointer  data)
{
  CalsyncFakeOAuth *oauth = calsync_fake_google_get_oauth (fx->fake);
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(CalsyncSyncReport) again = NULL;
  g_autoptr(CalsyncAccount) alex = NULL;
  g_autoptr(CalsyncAccount) sam = NULL;
  g_autoptr(CalsyncTokens) reconnected = NULL;
  const CalsyncCalendarResult *result;
  gint64 alex_id, sam_id, alex_primary, alex_team, sam_primary;

  alex_id = connect_account (fx, ALEX, &alex_primary);
  alex_team = add_calendar (fx, alex_id, ALEX, "team@group.calendar.google.com", "Team");
  sam_id = connect_account (fx, SAM, &sam_primary);
  put_events (fx, ALEX, "a", 2);
  put_events (fx, SAM, "s", 2);

  calsync_fake_oauth_revoke (oauth, ALEX);
  calsync_fake_oauth_expire_access_tokens (oauth);
  report = sync_now (fx);

  g_assert_false (calsync_sync_report_get_success (report));
  result = find_result (report, alex_primary);
  g_assert_false (result->success);
  g_assert_cmpstr (result->error, ==, SIGN_IN_EXPIRED);
  g_assert_cmpuint (result->total, ==, 0);
  g_assert_cmpstr (find_result (report, alex_team)->error, ==, SIGN_IN_EXPIRED);
  assert_counts (find_result (report, sam_primary), 2, 0, 0, 0);

  alex = calsync_store_get_account (fx->store, alex_id, NULL);
  sam = calsync_store_get_account (fx->store, sam_id, NULL);
  g_assert_true (calsync_account_get_needs_reconnect (alex));
  g_assert_cmpstr (calsync_account_get_last_error (alex), ==, SIGN_IN_EXPIRED);
  g_assert_false (calsync_account_get_needs_reconnect (sam));
  g_assert_cmpint (count_events (fx, alex_primary), ==, 0);

  /* Reconnecting (new tokens) and syncing clears the flag */
  reconnected = sign_in (fx, ALEX);
  store_secret (alex_id, reconnected);
  again = sync_now (fx);
  g_assert_true (calsync_sync_report_get_success (again));
  g_clear_object (&alex);
  alex = calsync_store_get_account (fx->store, alex_id, NULL);
  g_assert_false (calsync_account_get_needs_reconnect (alex));
  g_assert_null (calsync_account_get_last_error (alex));
}

static void
test_rate_limited_then_success (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(CalsyncSyncReport) report = NULL;
  gint64 primary;

  connect_account (fx, ALEX, &primary);
  put_events (fx, ALEX, "ev", 2);
  calsync_fake_google_set_fault (fx->fake, ALEX, CALSYNC_FAKE_FAULT_RATE_LIMIT);
  report = sync_now (fx);

  g_assert_true (calsync_sync_report_get_success (report));
  assert_counts (find_result (report, primary), 2, 0, 0, 0);
}

static void
test_server_error_one_calendar (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(CalsyncSyncReport) first = NULL;
  g_autoptr(CalsyncSyncReport) second = NULL;
  g_autoptr(CalsyncCalendar) before = NULL;
  g_autoptr(CalsyncCalendar) after = NULL;
  const CalsyncCalendarResult *failed;
  gint64 account, primary, team, home;

  account = connect_account (fx, ALEX, &primary);
  team = add_calendar (fx, account, ALEX, "team@group.calendar.google.com", "Team");
  home = add_calendar (fx, account, ALEX, "home@group.calendar.google.com", "Home");
  put_events (fx, ALEX, "p", 2);
  put_events (fx, "team@group.calendar.google.com", "t", 2);
  put_events (fx, "home@group.calendar.google.com", "h", 2);
  first = sync_now (fx);
  g_assert_true (calsync_sync_report_get_success (first));
  before = get_calendar (fx, team);

  put_event (fx, ALEX, "p9", "New", 9);
  put_event (fx, "team@group.calendar.google.com", "t9", "New", 9);
  put_event (fx, "home@group.calendar.google.com", "h9", "New", 9);
  calsync_fake_google_set_fault (fx->fake, "team@group.calendar.google.com", CALSYNC_FAKE_FAULT_SERVER_ERROR);
  second = sync_now (fx);

  g_assert_false (calsync_sync_report_get_success (second));
  assert_counts (find_result (second, primary), 1, 0, 0, 0);
  assert_counts (find_result (second, home), 1, 0, 0, 0);
  failed = find_result (second, team);
  g_assert_false (failed->success);
  g_assert_cmpstr (failed->error, ==, "Google is not responding right now. Try again later.");
  g_assert_cmpuint (failed->total, ==, 0);

  after = get_calendar (fx, team);
  g_assert_cmpint (calsync_calendar_get_last_sync_at (after), ==, calsync_calendar_get_last_sync_at (before));
  g_assert_cmpstr (calsync_calendar_get_sync_token (after), ==, calsync_calendar_get_sync_token (before));
  g_assert_cmpint (count_events (fx, team), ==, 2);
}

static void
check_bad_body (Fixture          *fx,
                CalsyncFakeFault  fault)
{
  g_autoptr(CalsyncSyncReport) first = NULL;
  g_autoptr(CalsyncSyncReport) second = NULL;
  g_autoptr(CalsyncEvent) event = NULL;
  const CalsyncCalendarResult *failed;
  gint64 primary;

  connect_account (fx, ALEX, &primary);
  put_events (fx, ALEX, "ev", 3);
  first = sync_now (fx);
  g_assert_true (calsync_sync_report_get_success (first));

  put_event (fx, ALEX, "ev0", "Changed on the server", 1);
  calsync_fake_google_cancel_event (fx->fake, ALEX, "ev1");
  calsync_fake_google_set_fault (fx->fake, ALEX, fault);
  second = sync_now (fx);

  failed = find_result (second, primary);
  g_assert_false (failed->success);
  g_assert_cmpstr (failed->error, ==,
                   "Google sent an answer CalSync could not read. Your events were left as they were.");
  g_assert_cmpint (count_events (fx, primary), ==, 3);
  event = get_event (fx, primary, "ev0");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Event 0");
}

static void
test_malformed_body (Fixture       *fx,
                     gconstpointer  data)
{
  check_bad_body (fx, CALSYNC_FAKE_FAULT_MALFORMED);
}

static void
test_truncated_body (Fixture       *fx,
                     gconstpointer  data)
{
  check_bad_body (fx, CALSYNC_FAKE_FAULT_TRUNCATED);
}

static void
test_local_newer_kept (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(CalsyncSyncReport) first = NULL;
  g_autoptr(CalsyncSyncReport) second = NULL;
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(CalsyncEvent) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *on_server = NULL;
  gint64 primary;

  connect_account (fx, ALEX, &primary);
  put_events (fx, ALEX, "ev", 2);
  first = sync_now (fx);

  /* The server's change is older than the local edit made after it */
  put_event (fx, ALEX, "ev0", "Server title", 1);
  event = get_event (fx, primary, "ev0");
  calsync_event_set_title (event, "Local title");
  g_assert_true (calsync_store_edit_local_event (fx->store, event, &error));
  g_assert_no_error (error);

  second = sync_now (fx);
  /* Two-way: the local edit is newer, so it is written over the server's
   * (a conflict the server's edit lost), and the pull brings it back */
  g_assert_cmpuint (find_result (second, primary)->pushed, ==, 1);
  g_assert_cmpuint (find_result (second, primary)->conflicts, ==, 1);
  kept = get_event (fx, primary, "ev0");
  g_assert_cmpstr (calsync_event_get_title (kept), ==, "Local title");
  g_assert_false (calsync_event_get_locally_modified (kept));
  on_server = calsync_fake_google_dup_event (fx->fake, ALEX, "ev0");
  g_assert_nonnull (strstr (on_server, "\"Local title\""));
}

static void
started_cb (CalsyncSyncEngine *engine,
            guint             *count)
{
  (*count)++;
}

static void
finished_cb (CalsyncSyncEngine *engine,
             CalsyncSyncReport *report,
             guint             *count)
{
  g_assert_true (CALSYNC_IS_SYNC_REPORT (report));
  (*count)++;
}

static void
test_join (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(CalsyncSyncReport) report1 = NULL;
  g_autoptr(CalsyncSyncReport) report2 = NULL;
  g_autoptr(GError) error = NULL;
  guint started = 0, finished = 0;
  gint64 primary;

  connect_account (fx, ALEX, &primary);
  put_events (fx, ALEX, "ev", 3);
  g_signal_connect (fx->engine, "sync-started", G_CALLBACK (started_cb), &started);
  g_signal_connect (fx->engine, "sync-finished", G_CALLBACK (finished_cb), &finished);

  calsync_sync_engine_sync_async (fx->engine, NULL, NULL, calsync_test_result_cb, &first);
  g_assert_true (calsync_sync_engine_is_syncing (fx->engine));
  calsync_sync_engine_sync_async (fx->engine, NULL, NULL, calsync_test_result_cb, &second);
  calsync_test_spin (&first);
  calsync_test_spin (&second);

  report1 = calsync_sync_engine_sync_finish (fx->engine, first, &error);
  g_assert_no_error (error);
  report2 = calsync_sync_engine_sync_finish (fx->engine, second, &error);
  g_assert_no_error (error);
  g_assert_true (report1 == report2);
  g_assert_cmpuint (started, ==, 1);
  g_assert_cmpuint (finished, ==, 1);
  assert_counts (find_result (report1, primary), 3, 0, 0, 0);
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(CalsyncSyncReport) later = NULL;
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(GError) error = NULL;
  gint64 primary;

  connect_account (fx, ALEX, &primary);
  put_events (fx, ALEX, "ev", 3);

  calsync_sync_engine_sync_async (fx->engine, NULL, cancellable, calsync_test_result_cb, &result);
  g_cancellable_cancel (cancellable);
  report = calsync_sync_engine_sync_finish (fx->engine, calsync_test_spin (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (report);
  g_assert_false (calsync_sync_engine_is_syncing (fx->engine));

  calendar = get_calendar (fx, primary);
  g_assert_cmpint (calsync_calendar_get_last_sync_at (calendar), ==, 0);

  later = sync_now (fx);
  assert_counts (find_result (later, primary), 3, 0, 0, 0);
}

static void
test_local_and_inactive_skipped (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account, primary, hidden;

  account = connect_account (fx, ALEX, &primary);
  hidden = add_calendar (fx, account, ALEX, "hidden@group.calendar.google.com", "Hidden");
  g_assert_true (calsync_store_set_calendar_active (fx->store, hidden, FALSE, &error));
  report = sync_now (fx);

  /* Only the active Google calendar: not the inactive one, not the local Personal one */
  g_assert_cmpuint (calsync_sync_report_get_n_results (report), ==, 1);
  g_assert_true (calsync_sync_report_get_success (report));
  g_assert_nonnull (find_result (report, primary));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("CALSYNC_NOW", NOW, TRUE);
  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();

  ADD ("/sync-engine/nothing-connected", test_nothing_connected);
  ADD ("/sync-engine/first-sync-pages", test_first_sync_pages);
  ADD ("/sync-engine/incremental", test_incremental);
  ADD ("/sync-engine/token-gone", test_token_gone);
  ADD ("/sync-engine/refresh", test_refresh);
  ADD ("/sync-engine/invalid-grant", test_invalid_grant);
  ADD ("/sync-engine/rate-limited-then-success", test_rate_limited_then_success);
  ADD ("/sync-engine/server-error-one-calendar", test_server_error_one_calendar);
  ADD ("/sync-engine/malformed-body", test_malformed_body);
  ADD ("/sync-engine/truncated-body", test_truncated_body);
  ADD ("/sync-engine/local-newer-kept", test_local_newer_kept);
  ADD ("/sync-engine/join", test_join);
  ADD ("/sync-engine/cancel", test_cancel);
  ADD ("/sync-engine/local-and-inactive-skipped", test_local_and_inactive_skipped);

  return g_test_run ();
}
