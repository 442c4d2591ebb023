/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-sync.c: times the sync engine against an in-process fake Google on loopback:
 * a first sync of 10,000 events, a no-change incremental sync, ten calendars of 1,000
 * events in parallel, the largest main-loop gap, peak RSS, and the floor (parse +
 * one transaction of the same events without network). Figures, not pass/fail. */
#define G_LOG_DOMAIN "bench-sync"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/resource.h>

#include "bench-fake-server.h"
#include "bench-sync-process.h"
#include "calsync-fake-google.h"
#include "calsync-google-provider.h"
#include "calsync-oauth.h"
#include "calsync-store.h"
#include "calsync-sync-engine.h"

#define NOW_TEXT "2026-06-15T12:00:00Z"

#define USER "bench@example.com"

typedef struct
{
  char *dir;
  GSubprocess *server;             /* this program with --serve: the fake Google */
  CalsyncStore *store;
  CalsyncHttp *http;
  CalsyncSyncEngine *engine;
  CalsyncTokens *tokens;
  gint64 now;
  /* main-loop gap monitor */
  gint64 last_tick;
  gint64 max_gap;
} Bench;

static gboolean
tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();

  if (bench->last_tick != 0)
    bench->max_gap = MAX (bench->max_gap, now - bench->last_tick);
  bench->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
reset_gap (Bench *bench)
{
  bench->last_tick = 0;
  bench->max_gap = 0;
}

/* The server process ------------------------------------------------------------ */

/* The fake runs in a child process so that the main-loop gaps and the peak RSS
 * measured are the client's alone, as with a real server. It owns every calendar
 * under one user; the parent's accounts all use that user's tokens. */
static void
add_remote_calendar (CalsyncFakeGoogle *fake,
                     const char        *id,
                     guint              n_events,
                     gint64             now)
{
  calsync_fake_google_add_calendar (fake, USER, id, id, g_str_equal (id, USER));
  if (n_events > 0)
    calsync_fake_google_generate_events (fake, id, n_events, now);
}

static int
serve (gint64 now)
{
  g_autoptr(CalsyncFakeGoogle) fake = calsync_fake_google_new ();

  calsync_fake_google_set_page_size (fake, 2500);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), USER);
  add_remote_calendar (fake, USER, 0, now);
  add_remote_calendar (fake, "big@group.calendar.google.com", 10000, now);
  add_remote_calendar (fake, "floor@group.calendar.google.com", 0, now);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("team%u@group.calendar.google.com", i);

      add_remote_calendar (fake, id, 1000, now);
    }

  return bench_fake_server_run (fake);
}

/* Accounts, calendars -------------------------------------------------------- */

static void store_other_calendars (Bench  *bench,
                                   gint64  account_id);

static gint64
add_account (Bench      *bench,
             const char *email)
{
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(CalsyncOAuthConfig) config = calsync_oauth_config_new_google ();
  g_autoptr(CalsyncCredentials) credentials = NULL;
  gint64 id;

  if (bench->tokens == NULL)
    bench->tokens = bench_sign_in (bench->http);

  calsync_account_set_provider (account, "google");
  calsync_account_set_email (account, email);
  id = calsync_store_add_account (bench->store, account, NULL);
  g_assert (id > 0);

  credentials = calsync_credentials_new_oauth (bench->http, config, id);
  calsync_credentials_set_tokens (credentials, bench->tokens);
  calsync_sync_engine_set_account_credentials (bench->engine, id, credentials);
  store_other_calendars (bench, id);
  return id;
}

static gint64
store_calendar (Bench      *bench,
                gint64      account_id,
                const char *remote_id,
                gboolean    active)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  gint64 id;

  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_remote_id (calendar, remote_id);
  calsync_calendar_set_name (calendar, remote_id);
  calsync_calendar_set_is_active (calendar, active);
  id = calsync_store_add_calendar (bench->store, calendar, NULL);
  g_assert (id > 0);
  return id;
}

/* Every account here signs in as the fake's one user, whose calendar list
 * holds all the bench's calendars: each account knows them all (a sync reads
 * the list and would add the unknown ones, active) with only the measured ones
 * active, so that a sync of the account syncs just those */
static void
store_other_calendars (Bench  *bench,
                       gint64  account_id)
{
  const char *fixed[] = { USER, "big@group.calendar.google.com", "floor@group.calendar.google.com" };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    store_calendar (bench, account_id, fixed[i], FALSE);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("team%u@group.calendar.google.com", i);

      store_calendar (bench, account_id, id, FALSE);
    }
}

static gint64
add_calendar (Bench      *bench,
              gint64      account_id,
              const char *remote_id)
{
  g_autoptr(CalsyncCalendar) known = calsync_store_lookup_calendar (bench->store, account_id, remote_id, NULL);

  if (known == NULL)
    return store_calendar (bench, account_id, remote_id, TRUE);

  g_assert (calsync_store_set_calendar_active (bench->store, calsync_calendar_get_id (known), TRUE, NULL));
  return calsync_calendar_get_id (known);
}

/* Timed syncs ------------------------------------------------------------------ */

static double
timed_sync (Bench      *bench,
            gint64      account_id,
            guint      *total_out)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncCalendarResult totals = { 0 };
  gint64 start;

  g_array_append_val (ids, account_id);
  reset_gap (bench);
  start = g_get_monotonic_time ();
  calsync_sync_engine_sync_async (bench->engine, ids, NULL, bench_result_cb, &result);
  report = calsync_sync_engine_sync_finish (bench->engine, bench_spin (&result), &error);
  g_assert_no_error (error);

  if (!calsync_sync_report_get_success (report))
    {
      g_autofree char *json = calsync_sync_report_to_json (report);

      g_error ("sync failed: %s", json);
    }

  calsync_sync_report_get_totals (report, &totals);
  *total_out = totals.total;
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* The floor: the same pages parsed and applied in one transaction ------------- */

static GBytes *
fetch_body (Bench      *bench,
            const char *calendar_id,
            const char *page_token)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (bench->now);
  g_autoptr(GDateTime) min = g_date_time_add_months (now, -3);
  g_autoptr(GDateTime) max = g_date_time_add_months (now, 12);
  g_autofree char *time_min = g_date_time_format_iso8601 (min);
  g_autofree char *time_max = g_date_time_format_iso8601 (max);
  g_autofree char *escaped = g_uri_escape_string (calendar_id, NULL, FALSE);
  g_autofree char *min_q = g_uri_escape_string (time_min, NULL, FALSE);
  g_autofree char *max_q = g_uri_escape_string (time_max, NULL, FALSE);
  g_autofree char *page_q = page_token ? g_uri_escape_string (page_token, NULL, FALSE) : NULL;
  g_autofree char *url = g_strdup_printf ("%s/calendars/%s/events?singleEvents=true&maxResults=2500"
                                          "&timeMin=%s&timeMax=%s%s%s",
                                          g_getenv ("CALSYNC_GOOGLE_API_URL"), escaped,
                                          min_q, max_q, page_q ? "&pageToken=" : "", page_q ? page_q : "");
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", bench->tokens->access_token);
  g_autoptr(GAsyncResult) result = NULL;
  GBytes *body;

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", bearer);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, bench_result_cb, &result);
  body = soup_session_send_and_read_finish (session, bench_spin (&result), NULL);
  g_assert (body != NULL && soup_message_get_status (message) == 200);
  return body;
}

static GPtrArray *
fetch_all_bodies (Bench      *bench,
                  const char *calendar_id)
{
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *page_token = NULL;

  do
    {
      GBytes *body = fetch_body (bench, calendar_id, page_token);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      g_ptr_array_add (bodies, body);
      g_assert (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL));
      object = json_node_get_object (json_parser_get_root (parser));
      g_free (page_token);
      page_token = g_strdup (json_object_get_string_member_with_default (object, "nextPageToken", NULL));
    }
  while (page_token != NULL);

  return bodies;
}

static double
timed_floor (Bench     *bench,
             GPtrArray *bodies,
             guint     *n_events,
             double    *parse_ms)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats = { 0 };
  gint64 account, calendar, start;

  account = add_account (bench, "floor@example.com");
  calendar = add_calendar (bench, account, "floor@group.calendar.google.com");

  start = g_get_monotonic_time ();
  for (guint i = 0; i < bodies->len; i++)
    {
      g_autoptr(CalsyncPage) page = NULL;
      GBytes *body = g_ptr_array_index (bodies, i);

      page = calsync_google_parse_events_page (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
      g_assert_no_error (error);
      g_ptr_array_extend_and_steal (events, g_steal_pointer (&page->upserts));
    }
  *parse_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_assert (calsync_store_apply_remote_events (bench->store, calendar, events, NULL, &stats, &error));
  g_assert_no_error (error);

  *n_events = stats.inserted;
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* Main ---------------------------------------------------------------------------- */

static void
set_up (Bench      *bench,
        const char *self_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  bench->server = bench_fake_server_start (self_path, "--serve");
  bench->dir = g_dir_make_tmp ("calsync-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (bench->dir, "calsync.db", NULL);
  bench->store = calsync_store_open (path, &error);
  g_assert_no_error (error);
  bench->http = calsync_http_new ();
  bench->engine = calsync_sync_engine_new (bench->store, bench->http);
}

static void
tear_down (Bench *bench)
{
  const char *files[] = { "calsync.db", "calsync.db-wal", "calsync.db-shm" };

  g_clear_object (&bench->engine);
  g_clear_object (&bench->http);
  g_clear_object (&bench->store);
  g_clear_pointer (&bench->tokens, calsync_tokens_free);
  bench_fake_server_stop (&bench->server);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (bench->dir, files[i], NULL);

      g_remove (path);
    }
  g_rmdir (bench->dir);
  g_free (bench->dir);
}

static double
rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

typedef struct
{
  gboolean process_only;
  char *calsync;
  char *reference;
  int rounds;
} Options;

/* bench-sync [--process-only] [--calsync=PATH] [--reference=PATH] [--rounds=N] */
static gboolean
parse_options (int      argc,
               char   **argv,
               Options *options)
{
  GOptionEntry entries[] = {
    { "process-only", 0, 0, G_OPTION_ARG_NONE, &options->process_only,
      "Only time calsync --sync --json as a whole process", NULL },
    { "calsync", 0, 0, G_OPTION_ARG_FILENAME, &options->calsync, "The calsync binary to time", "PATH" },
    { "reference", 0, 0, G_OPTION_ARG_FILENAME, &options->reference,
      "A calsync binary to alternate with (an older build)", "PATH" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &options->rounds, "Whole-process runs of each binary", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  options->rounds = 5;
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-sync: %s\n", error->message);
      return FALSE;
    }
  if (options->calsync == NULL)
    options->calsync = g_strdup (CALSYNC_BINARY);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  Options options = { 0 };
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (NOW_TEXT, NULL);
  Bench bench = { 0 };
  g_autoptr(GPtrArray) bodies = NULL;
  double first, incremental, parallel, floor, parse;
  gint64 gaps[3], account, many;
  guint total, n_floor, tick;

  g_setenv ("CALSYNC_NOW", NOW_TEXT, TRUE);
  bench.now = g_date_time_to_unix (now);
  if (argc > 1 && g_str_equal (argv[1], "--serve"))
    return serve (bench.now);
  if (argc > 1 && g_str_equal (argv[1], "--serve-process"))
    return bench_sync_process_serve (bench.now);
  if (!parse_options (argc, argv, &options))
    return 2;
  if (options.process_only)
    {
      bench_sync_process_run (argv[0], options.calsync, options.reference, options.rounds, NOW_TEXT);
      return 0;
    }

  set_up (&bench, argv[0]);
  account = add_account (&bench, "big@example.com");
  add_calendar (&bench, account, "big@group.calendar.google.com");
  many = add_account (&bench, "many@example.com");
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("team%u@group.calendar.google.com", i);

      add_calendar (&bench, many, id);
    }
  g_print ("client RSS after set-up: %.1f MB (the fake Google runs in a child process)\n", rss_mb ());

  tick = g_timeout_add (1, tick_cb, &bench);

  first = timed_sync (&bench, account, &total);
  gaps[0] = bench.max_gap;
  g_print ("first sync, 1 calendar, %u events (4 pages): %8.1f ms   (goal < 1000 ms)\n", total, first);

  incremental = timed_sync (&bench, account, &total);
  gaps[1] = bench.max_gap;
  g_print ("no-change incremental sync (%u events):      %8.1f ms   (goal < 50 ms)\n", total, incremental);

  parallel = timed_sync (&bench, many, &total);
  gaps[2] = bench.max_gap;
  g_print ("10 calendars x 1,000 events in parallel (%u): %8.1f ms   (goal < 1500 ms)\n", total, parallel);

  g_source_remove (tick);
  g_print ("largest main-loop gap: first %.1f ms, incremental %.1f ms, parallel %.1f ms   (goal < 20 ms)\n",
           gaps[0] / 1000.0, gaps[1] / 1000.0, gaps[2] / 1000.0);
  g_print ("client peak RSS after the syncs: %.1f MB   (goal < 100 MB)\n", rss_mb ());

  bodies = fetch_all_bodies (&bench, "big@group.calendar.google.com");
  floor = timed_floor (&bench, bodies, &n_floor, &parse);
  g_print ("floor: scanner parse + 1 transaction of %u events (%u pages): %8.1f ms "
           "(parse %.1f ms, transaction %.1f ms); sync/floor = %.2f\n",
           n_floor, bodies->len, floor, parse, floor - parse, first / floor);
  g_print ("peak RSS including the floor: %.1f MB\n", rss_mb ());

  tear_down (&bench);

  bench_sync_process_run (argv[0], options.calsync, options.reference, options.rounds, NOW_TEXT);
  return 0;
}
