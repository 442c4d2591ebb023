/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-outlook.c: `calsync --sync --json` as a whole process (exec to exit:
 * keyring, token, calendar list, pages, SQLite) against the fake Microsoft Graph
 * and, in the same run, the fake Google serving the same events — alternated,
 * so that both see the same machine:
 *
 *   - first sync of one calendar of 10,000 events of which some are weekly series
 *     (about 12,500 instances; Graph pages of 1,000, Google pages of 2,500; gzip),
 *     with the megabytes of JSON per second each reads;
 *   - a no-change sync of that calendar, and of ten calendars (the cost per
 *     calendar is the difference over nine);
 *   - ten calendars of 1,000 events in parallel (a first sync);
 *   - the peak RSS of every run.
 *
 * The goals of issue 10: Outlook's first sync ≤ 2.0× Google's per byte, no-change
 * ≤ 15 ms per calendar, 10 × 1,000 ≤ 2.0× Google's, peak RSS ≤ 100 MB.
 *
 *   bench-outlook [--calsync=PATH] [--rounds=N]
 *
 * Needs a secret service: run it with tests/run-with-keyring.sh. */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bench-fake-server.h"
#include "bench-utils.h"
#include "calsync-fake-google.h"
#include "calsync-fake-graph.h"

#define NOW_TEXT "2026-06-15T12:00:00Z"
#define USER "bench@example.com"
#define BIG "big"
#define N_TEAMS 10

typedef enum { GOOGLE, OUTLOOK, N_PROVIDERS } Provider;
static const char * const provider_names[] = { "google", "outlook" };

/* Calendar ids on each fake */
static char *
calendar_id (Provider    provider,
             const char *name)
{
  if (provider == GOOGLE)
    return g_strdup_printf ("%s@group.calendar.google.com", name);
  /* Graph ids are long base64url strings */
  return g_strdup_printf ("AAMkADBench%sAAAAAAEGAAAAAABBench%sAAA=", name, name);
}

static char *
team_name (guint i)
{
  return g_strdup_printf ("team%u", i);
}

/* The fakes, in a child process ---------------------------------------------------- */

static void
populate (CalsyncFakeGoogle *google,
          CalsyncFakeGraph  *graph,
          gint64             now)
{
  g_autofree char *google_big = calendar_id (GOOGLE, BIG);
  g_autofree char *graph_big = calendar_id (OUTLOOK, BIG);

  if (google != NULL)
    {
      calsync_fake_google_set_page_size (google, 2500);
      calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (google), USER);
      calsync_fake_google_add_calendar (google, USER, USER, USER, TRUE);
      calsync_fake_google_add_calendar (google, USER, google_big, BIG, FALSE);
      calsync_fake_google_generate_series (google, google_big, 10000, now);
    }
  if (graph != NULL)
    {
      calsync_fake_graph_set_page_size (graph, 1000);
      calsync_fake_graph_set_user (graph, USER, USER);
      calsync_fake_graph_add_calendar (graph, graph_big, BIG, "", "auto", TRUE, TRUE);
      calsync_fake_graph_generate_series (graph, graph_big, 10000, now);
    }

  for (guint i = 0; i < N_TEAMS; i++)
    {
      g_autofree char *name = team_name (i);
      g_autofree char *google_id = calendar_id (GOOGLE, name);
      g_autofree char *graph_id = calendar_id (OUTLOOK, name);

      if (google != NULL)
        {
          calsync_fake_google_add_calendar (google, USER, google_id, name, FALSE);
          calsync_fake_google_generate_series (google, google_id, 1000, now);
        }
      if (graph != NULL)
        {
          calsync_fake_graph_add_calendar (graph, graph_id, name, "", "lightBlue", TRUE, FALSE);
          calsync_fake_graph_generate_series (graph, graph_id, 1000, now);
        }
    }
}

static int
serve (gint64 now)
{
  g_autoptr(CalsyncFakeGoogle) google = calsync_fake_google_new ();
  g_autoptr(CalsyncFakeGraph) graph = calsync_fake_graph_new ();

  populate (google, graph, now);
  calsync_fake_google_export_env (google);
  calsync_fake_graph_export_env (graph);
  return bench_fake_server_serve ();
}

/* The bytes of JSON a calendar's first sync reads (untimed, in this process) ------- */

static void
spin_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static JsonObject *
get_json (SoupSession *session,
          const char  *url,
          const char  *bearer,
          const char  *prefer,
          gsize       *n_bytes)
{
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *authorization = g_strconcat ("Bearer ", bearer, NULL);
  g_autoptr(JsonNode) node = NULL;

  g_assert (message != NULL);
  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
  if (prefer != NULL)
    soup_message_headers_append (soup_message_get_request_headers (message), "Prefer", prefer);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, spin_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  body = soup_session_send_and_read_finish (session, result, NULL);
  g_assert (body != NULL && soup_message_get_status (message) == SOUP_STATUS_OK);
  *n_bytes += g_bytes_get_size (body);
  node = json_from_string (g_bytes_get_data (body, NULL), NULL);
  g_assert (node != NULL);
  return json_object_ref (json_node_get_object (node));
}

static char *
iso (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* Walks every page of the big calendar's first round, as the client asks for them */
static double
measure_megabytes (Provider provider,
                   gint64   now)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *id = calendar_id (provider, BIG);
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *from = iso (now - 100 * 86400);
  g_autofree char *to = iso (now + 400 * 86400);
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *url = NULL;
  gsize n_bytes = 0;

  if (provider == GOOGLE)
    {
      g_autoptr(CalsyncFakeGoogle) fake = calsync_fake_google_new ();

      populate (fake, NULL, now);
      calsync_fake_google_set_gzip (fake, FALSE);
      calsync_fake_oauth_issue_tokens (calsync_fake_google_get_oauth (fake), USER, &access, &refresh);
      url = g_strdup_printf ("%s/calendars/%s/events?singleEvents=true&maxResults=2500&timeMin=%s&timeMax=%s",
                             calsync_fake_google_get_api_url (fake), escaped, from, to);
      while (url != NULL)
        {
          g_autoptr(JsonObject) page = get_json (session, url, access, NULL, &n_bytes);
          const char *token = json_object_get_string_member_with_default (page, "nextPageToken", NULL);

          g_clear_pointer (&url, g_free);
          if (token != NULL)
            url = g_strdup_printf ("%s/calendars/%s/events?singleEvents=true&maxResults=2500&timeMin=%s"
                                   "&timeMax=%s&pageToken=%s", calsync_fake_google_get_api_url (fake),
                                   escaped, from, to, token);
        }
    }
  else
    {
      g_autoptr(CalsyncFakeGraph) fake = calsync_fake_graph_new ();

      populate (NULL, fake, now);
      calsync_fake_graph_set_gzip (fake, FALSE);
      calsync_fake_msid_issue_tokens (calsync_fake_graph_get_oauth (fake), USER, NULL, &access, &refresh);
      url = g_strdup_printf ("%s/me/calendars/%s/calendarView/delta?startDateTime=%s&endDateTime=%s",
                             calsync_fake_graph_get_api_url (fake), escaped, from, to);
      while (url != NULL)
        {
          g_autoptr(JsonObject) page = get_json (session, url, access,
                                                 "odata.maxpagesize=1000, outlook.timezone=\"UTC\"", &n_bytes);

          g_clear_pointer (&url, g_free);
          url = g_strdup (json_object_get_string_member_with_default (page, "@odata.nextLink", NULL));
        }
    }

  return n_bytes / 1e6;
}

/* In a child process: this one must stay small, for the children it forks to
 * exec calsync start with its pages (and wait4() counts them in their peak RSS) */
static double
measure_in_child (const char *self_path,
                  Provider    provider)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_path, "--measure", provider_names[provider], NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert (g_subprocess_get_successful (child));
  return g_ascii_strtod (out, NULL);
}

/* The real binary ------------------------------------------------------------------- */

typedef struct
{
  double wall_ms;
  double cpu_ms;
  double rss_mb;
} Run;

static void
follow (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);

  g_assert (body != NULL);
}

/* `calsync --add-account=PROVIDER --no-browser` (untimed) */
static void
add_account (const char *calsync,
             const char *data_home,
             Provider    provider)
{
  g_autoptr(GSubprocessLauncher) launcher = bench_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                                data_home, NOW_TEXT);
  g_autofree char *option = g_strconcat ("--add-account=", provider_names[provider], NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  process = g_subprocess_launcher_spawn (launcher, &error, calsync, option, "--no-browser", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  url = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert (url != NULL);
  follow (url);
  if (!g_subprocess_wait_check (process, NULL, &error))
    g_error ("%s %s failed: %s", calsync, option, error->message);
}

/* Runs SQL on the data dir's database (which calendars are active) */
static gint64
sql (const char *data_home,
     const char *statement)
{
  g_autofree char *path = g_build_filename (data_home, "calsync", "calsync.db", NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  gint64 n = -1;
  int rc;

  g_assert (sqlite3_open (path, &db) == SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert (sqlite3_prepare_v2 (db, statement, -1, &stmt, NULL) == SQLITE_OK);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    g_assert (rc == SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Only the big calendar active, or only the ten team calendars */
static void
activate_only (const char *data_home,
               gboolean    big)
{
  sql (data_home, big ? "UPDATE calendars SET is_active = (name = '" BIG "')"
                      : "UPDATE calendars SET is_active = (name LIKE 'team%')");
}

/* One timed `calsync --sync --json`, fork to exit, with wait4()'s rusage */
static Run
time_sync (const char *calsync,
           const char *data_home)
{
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { calsync, "--sync", "--json", NULL };
  g_autoptr(GError) error = NULL;
  struct rusage usage = { 0 };
  Run run = { 0 };
  gint64 started;
  int status = 0;
  GPid pid;

  env = g_environ_setenv (env, "XDG_DATA_HOME", data_home, TRUE);
  env = g_environ_setenv (env, "CALSYNC_NOW", NOW_TEXT, TRUE);
  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");

  started = g_get_monotonic_time ();
  g_spawn_async (NULL, (char **) argv, env,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  while (wait4 (pid, &status, 0, &usage) < 0)
    ;
  run.wall_ms = (g_get_monotonic_time () - started) / 1000.0;
  run.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
               (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
  run.rss_mb = usage.ru_maxrss / 1024.0;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("calsync --sync exited with %d", WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  return run;
}

/* The figures ---------------------------------------------------------------------- */

enum { FIRST, NO_CHANGE_ONE, PARALLEL, NO_CHANGE_TEN, N_FIGURES };
static const char * const figure_names[] = {
  "first sync, 1 calendar of 10,000 events",
  "no-change sync, 1 calendar",
  "first sync, 10 calendars x 1,000 in parallel",
  "no-change sync, 10 calendars",
};

typedef struct
{
  GArray *wall[N_FIGURES];
  GArray *cpu[N_FIGURES];
  double rss_mb;
  double figure_rss_mb[N_FIGURES];
  gint64 n_big;
  gint64 n_teams;
} Figures;

static void
record (Figures *figures,
        guint    figure,
        Run      run)
{
  g_array_append_val (figures->wall[figure], run.wall_ms);
  g_array_append_val (figures->cpu[figure], run.cpu_ms);
  figures->rss_mb = MAX (figures->rss_mb, run.rss_mb);
  figures->figure_rss_mb[figure] = MAX (figures->figure_rss_mb[figure], run.rss_mb);
}

static void
one_round (const char *calsync,
           Provider    provider,
           Figures    *figures)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("calsync-bench-outlook-XXXXXX", &error);

  g_assert_no_error (error);
  add_account (calsync, data_home, provider);

  activate_only (data_home, TRUE);
  record (figures, FIRST, time_sync (calsync, data_home));
  figures->n_big = sql (data_home, "SELECT COUNT(*) FROM events");
  record (figures, NO_CHANGE_ONE, time_sync (calsync, data_home));

  activate_only (data_home, FALSE);
  record (figures, PARALLEL, time_sync (calsync, data_home));
  figures->n_teams = sql (data_home, "SELECT COUNT(*) FROM events") - figures->n_big;
  record (figures, NO_CHANGE_TEN, time_sync (calsync, data_home));

  bench_remove_tree (data_home);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GDateTime) now_dt = g_date_time_new_from_iso8601 (NOW_TEXT, NULL);
  gint64 now = g_date_time_to_unix (now_dt);
  g_autofree char *calsync = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int rounds = 3;
  GOptionEntry entries[] = {
    { "calsync", 0, 0, G_OPTION_ARG_FILENAME, &calsync, "The binary to time", "PATH" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds of each provider (alternated)", "N" },
    { NULL }
  };
  Figures figures[N_PROVIDERS] = { 0 };
  double megabytes[N_PROVIDERS];
  double median_wall[N_PROVIDERS][N_FIGURES], median_cpu[N_PROVIDERS][N_FIGURES];

  g_setenv ("CALSYNC_NOW", NOW_TEXT, TRUE);
  if (argc > 1 && g_str_equal (argv[1], "--serve"))
    return serve (now);
  if (argc > 2 && g_str_equal (argv[1], "--measure"))
    {
      g_print ("%.3f\n", measure_megabytes (g_str_equal (argv[2], "outlook") ? OUTLOOK : GOOGLE, now));
      return 0;
    }

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (calsync == NULL)
    calsync = g_strdup (CALSYNC_BINARY);

  for (Provider p = 0; p < N_PROVIDERS; p++)
    {
      megabytes[p] = measure_in_child (argv[0], p);
      for (guint f = 0; f < N_FIGURES; f++)
        {
          figures[p].wall[f] = g_array_new (FALSE, FALSE, sizeof (double));
          figures[p].cpu[f] = g_array_new (FALSE, FALSE, sizeof (double));
        }
    }

  server = bench_fake_server_start (argv[0], "--serve");
  for (int i = 0; i < rounds; i++)
    for (Provider p = 0; p < N_PROVIDERS; p++)
      one_round (calsync, p, &figures[p]);
  bench_fake_server_stop (&server);

  g_print ("calsync --sync --json as a whole process, %d rounds alternated, medians (CPU = user + system):\n",
           rounds);
  for (Provider p = 0; p < N_PROVIDERS; p++)
    {
      g_print ("%s: big calendar %" G_GINT64_FORMAT " instances, %.1f MB of JSON; "
               "10 calendars %" G_GINT64_FORMAT " instances; peak RSS %.1f MB\n",
               provider_names[p], figures[p].n_big, megabytes[p], figures[p].n_teams, figures[p].rss_mb);
      for (guint f = 0; f < N_FIGURES; f++)
        {
          median_wall[p][f] = median (figures[p].wall[f]);
          median_cpu[p][f] = median (figures[p].cpu[f]);
          g_print ("  %-46s wall %7.1f ms  CPU %7.1f ms  peak RSS %6.1f MB\n", figure_names[f],
                   median_wall[p][f], median_cpu[p][f], figures[p].figure_rss_mb[f]);
        }
      g_print ("  JSON read in the first sync: %.1f MB/s of wall time, %.1f MB/s of CPU time\n",
               megabytes[p] / (median_wall[p][FIRST] / 1000.0), megabytes[p] / (median_cpu[p][FIRST] / 1000.0));
      g_print ("  no-change cost per added calendar: %.1f ms  (goal <= 15 ms)\n",
               (median_wall[p][NO_CHANGE_TEN] - median_wall[p][NO_CHANGE_ONE]) / (N_TEAMS - 1));
    }

  g_print ("outlook/google: first sync wall %.2f (%.2f per byte), CPU %.2f (%.2f per byte)  (goal: per byte <= 2.0)\n",
           median_wall[OUTLOOK][FIRST] / median_wall[GOOGLE][FIRST],
           (median_wall[OUTLOOK][FIRST] / megabytes[OUTLOOK]) / (median_wall[GOOGLE][FIRST] / megabytes[GOOGLE]),
           median_cpu[OUTLOOK][FIRST] / median_cpu[GOOGLE][FIRST],
           (median_cpu[OUTLOOK][FIRST] / megabytes[OUTLOOK]) / (median_cpu[GOOGLE][FIRST] / megabytes[GOOGLE]));
  g_print ("outlook/google: 10 x 1,000 in parallel wall %.2f, CPU %.2f  (goal <= 2.0)\n",
           median_wall[OUTLOOK][PARALLEL] / median_wall[GOOGLE][PARALLEL],
           median_cpu[OUTLOOK][PARALLEL] / median_cpu[GOOGLE][PARALLEL]);
  g_print ("peak RSS: google %.1f MB, outlook %.1f MB  (goal <= 100 MB)\n",
           figures[GOOGLE].rss_mb, figures[OUTLOOK].rss_mb);

  for (Provider p = 0; p < N_PROVIDERS; p++)
    for (guint f = 0; f < N_FIGURES; f++)
      {
        g_array_unref (figures[p].wall[f]);
        g_array_unref (figures[p].cpu[f]);
      }
  return 0;
}
