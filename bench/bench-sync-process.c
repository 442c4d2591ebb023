/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-sync-process.c: `calsync --sync --json` timed as a person feels it, as a
 * whole process from exec to exit (keyring, token, calendar list, pages,
 * SQLite), for a first sync of one calendar of 10,000 events of which some are
 * weekly series (about 13,000 instances, about 17 MB of JSON in pages of 2,500,
 * gzip as Google sends it). Alternates with a reference binary when one is
 * given, and reports wall time, the child's CPU time and its peak RSS.
 *
 * Needs a secret service (run it inside dbus-run-session with an unlocked
 * gnome-keyring, as the tests do). */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bench-fake-server.h"
#include "bench-sync-process.h"
#include "bench-utils.h"

#define PROCESS_USER "process@example.com"

/* The fake, in the child process */
int
bench_sync_process_serve (gint64 now)
{
  g_autoptr(CalsyncFakeGoogle) fake = calsync_fake_google_new ();

  calsync_fake_google_set_page_size (fake, 2500);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), PROCESS_USER);
  calsync_fake_google_add_calendar (fake, PROCESS_USER, PROCESS_USER, PROCESS_USER, TRUE);
  calsync_fake_google_generate_series (fake, PROCESS_USER, 10000, now);

  return bench_fake_server_run (fake);
}

typedef struct
{
  double wall_ms;
  double cpu_ms;
  double rss_mb;
  int status;
  gint64 n_events;
} Run;

/* Follows the sign-in URL like a browser: the fake redirects to calsync's loopback */
static void
follow (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);

  g_assert (body != NULL);
}

/* `calsync --add-account=google --no-browser` in @data_home (not timed) */
static void
add_account (const char *calsync,
             const char *data_home,
             const char *now)
{
  g_autoptr(GSubprocessLauncher) launcher = bench_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                                data_home, now);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  process = g_subprocess_launcher_spawn (launcher, &error, calsync, "--add-account=google", "--no-browser", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  url = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert (url != NULL);
  follow (url);
  g_assert (g_subprocess_wait_check (process, NULL, &error));
}

/* One timed `calsync --sync --json`, from fork to exit, with wait4()'s rusage;
 * spawned without a child watch, so that wait4() reaps it */
static Run
time_sync (const char *calsync,
           const char *data_home,
           const char *now)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) wrap = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  struct rusage usage = { 0 };
  Run run = { 0 };
  gint64 started;
  int status = 0;
  GPid pid;

  env = g_environ_setenv (env, "XDG_DATA_HOME", data_home, TRUE);
  env = g_environ_setenv (env, "CALSYNC_NOW", now, TRUE);
  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");

  /* BENCH_WRAP="perf record -g -o FILE --" profiles the timed process */
  if (g_getenv ("BENCH_WRAP") != NULL)
    wrap = g_strsplit (g_getenv ("BENCH_WRAP"), " ", -1);
  if (wrap != NULL)
    g_strv_builder_addv (builder, (const char **) wrap);
  g_strv_builder_add_many (builder, calsync, "--sync", "--json", NULL);
  argv = g_strv_builder_end (builder);

  started = g_get_monotonic_time ();
  g_spawn_async (NULL, argv, env,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  while (wait4 (pid, &status, 0, &usage) < 0)
    ;
  run.wall_ms = (g_get_monotonic_time () - started) / 1000.0;
  run.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
               (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
  run.rss_mb = usage.ru_maxrss / 1024.0;
  run.status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  return run;
}

/* What the sync stored (both schemas have the table), to see it did the work */
static gint64
count_events (const char *data_home)
{
  g_autofree char *path = g_build_filename (data_home, "calsync", "calsync.db", NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  gint64 n = -1;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM events", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static Run
one_round (const char *calsync,
           const char *now)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("calsync-bench-process-XXXXXX", &error);
  Run run;

  g_assert_no_error (error);
  add_account (calsync, data_home, now);
  run = time_sync (calsync, data_home, now);
  run.n_events = count_events (data_home);
  bench_remove_tree (data_home);
  return run;
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

static void
report (const char *name,
        GArray     *wall,
        GArray     *cpu,
        double      rss)
{
  double wall_median = median (wall);  /* sorts: the minimum comes first after it */

  g_print ("  %-10s wall median %7.1f ms (min %7.1f), CPU median %7.1f ms, peak RSS %6.1f MB\n",
           name, wall_median, g_array_index (wall, double, 0), median (cpu), rss);
}

/**
 * bench_sync_process_run:
 * @calsync: the binary to time
 * @reference: (nullable): a binary to alternate with (an older build)
 *
 * Prints the figures of @rounds first syncs of each binary.
 */
void
bench_sync_process_run (const char *self_path,
                        const char *calsync,
                        const char *reference,
                        guint       rounds,
                        const char *now)
{
  g_autoptr(GSubprocess) server = bench_fake_server_start (self_path, "--serve-process");
  GArray *walls[2];
  GArray *cpus[2];
  const char *binaries[2] = { calsync, reference };
  double rss[2] = { 0, 0 };

  for (guint b = 0; b < 2; b++)
    {
      walls[b] = g_array_new (FALSE, FALSE, sizeof (double));
      cpus[b] = g_array_new (FALSE, FALSE, sizeof (double));
    }

  g_print ("calsync --sync --json as a whole process, first sync of 10,000 events (series as instances, gzip):\n");
  for (guint i = 0; i < rounds; i++)
    for (guint b = 0; b < G_N_ELEMENTS (binaries); b++)
      {
        Run run;

        if (binaries[b] == NULL)
          continue;
        run = one_round (binaries[b], now);
        if (run.status != 0)
          g_printerr ("  %s exited with %d\n", binaries[b], run.status);
        if (i == 0)
          g_print ("  %s stored %" G_GINT64_FORMAT " events\n", b == 0 ? "calsync" : "reference", run.n_events);
        g_array_append_val (walls[b], run.wall_ms);
        g_array_append_val (cpus[b], run.cpu_ms);
        rss[b] = MAX (rss[b], run.rss_mb);
      }

  report ("calsync", walls[0], cpus[0], rss[0]);
  if (reference != NULL)
    {
      report ("reference", walls[1], cpus[1], rss[1]);
      g_print ("  ratio calsync/reference: wall %.2f, CPU %.2f   (goal: wall <= 500 ms)\n",
               median (walls[0]) / median (walls[1]), median (cpus[0]) / median (cpus[1]));
    }

  bench_fake_server_stop (&server);
  for (guint b = 0; b < 2; b++)
    {
      g_array_unref (walls[b]);
      g_array_unref (cpus[b]);
    }
}
