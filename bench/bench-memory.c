/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-memory.c: the memory of the real CalSync window (issue #14, item 6).
 *
 * 1. The window over a store of 50,000 events (tests/calsync-seed --count=50000), in a
 *    child process of its own: RSS at the first frame, and the peak (VmHWM) after
 *    paging through 15 months and 10 weeks.
 * 2. The window syncing 10,000 events from a fake Google (a child process at nice 10,
 *    as in bench-window-sync): the peak RSS after that first sync; then 99 more syncs
 *    in the same process, each with 200 changes on the server (100 events deleted,
 *    100 new ones), and the RSS and the heap in use (mallinfo2) after sync 10 and
 *    sync 100 (BENCH_SYNCS changes the count; every tenth is printed): a leak shows
 *    as growth that goes on, a cache filling up as growth that stops.
 * Figures, not pass/fail (goal: ≤ 100 MB peak; no growth from sync 10 to sync 100).
 * Needs a display: run it under xvfb-run (README, "Tests and benchmarks"). */
#define G_LOG_DOMAIN "bench-memory"

#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#include "calsync-application-private.h"
#include "calsync-application.h"
#include "bench-fake-server.h"
#include "bench-utils.h"
#include "bench-window-utils.h"
#include "calsync-fake-google.h"
#include "calsync-oauth.h"
#include "calsync-window.h"

#define NOW_TEXT "2026-06-15T12:00:00Z"
#define NOW_DAY "2026-06-15"
#define USER "bench@example.com"
#define BIG "big@group.calendar.google.com"
#define N_EVENTS 10000
#define N_STORED 50000
#define N_CHURN 100

/* /proc/self/status fields, in kB */
static gint64
status_kb (const char *field)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) ||
      (line = strstr (text, field)) == NULL)
    return -1;

  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

static double
heap_in_use_mb (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return (info.uordblks + info.hblkhd) / (1024.0 * 1024.0);
}

/* Spins the main context for @ms: the views load asynchronously */
static void
settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* Part 1: the window over 50,000 stored events -------------------------------- */

static void
window_only_activate_cb (GApplication *app)
{
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gint64 first_rss;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  settle (1500);
  first_rss = status_kb ("VmRSS:");

  for (int i = 0; i < 15; i++)
    {
      gtk_widget_activate_action (window, "win.next", NULL);
      settle (150);
    }
  gtk_widget_activate_action (window, "win.today", NULL);
  gtk_widget_activate_action (window, "win.view-week", NULL);
  settle (300);
  for (int i = 0; i < 10; i++)
    {
      gtk_widget_activate_action (window, "win.next", NULL);
      settle (150);
    }
  gtk_widget_activate_action (window, "win.today", NULL);
  settle (300);

  g_print ("window, %d events stored: RSS at first view %.1f MB, after paging 15 months and 10 weeks %.1f MB, "
           "peak %.1f MB, heap in use %.1f MB\n",
           N_STORED, first_rss / 1024.0, status_kb ("VmRSS:") / 1024.0, status_kb ("VmHWM:") / 1024.0,
           heap_in_use_mb ());
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static int
window_only (void)
{
  g_autoptr(CalsyncApplication) app = calsync_application_new ();

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (window_only_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), 0, NULL);
}

static void
run_child (const char *self_path,
           const char *flag,
           const char *data_home)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", data_home, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, flag, NULL);
  if (child == NULL || !g_subprocess_wait_check (child, NULL, &error))
    g_error ("%s %s: %s", self_path, flag, error->message);
}

/* Part 2: syncs in one process ------------------------------------------------ */

/* The fake's side: `--serve` reads "churn K" lines and answers "DONE" once the
 * events of round K-1 are deleted and those of round K added */
static void
churn (CalsyncFakeGoogle *fake,
       guint              round,
       gint64             now)
{
  for (guint i = 0; i < N_CHURN; i++)
    {
      g_autofree char *old_id = g_strdup_printf ("churn%04u%03u", round - 1, i);
      g_autofree char *id = g_strdup_printf ("churn%04u%03u", round, i);
      g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (now - now % 3600 + (gint64) (i % 30) * 86400 +
                                                                  (gint64) (i % 8) * 3600);
      g_autoptr(GDateTime) end = g_date_time_add_minutes (start, 45);
      g_autofree char *start_text = g_date_time_format_iso8601 (start);
      g_autofree char *end_text = g_date_time_format_iso8601 (end);
      g_autofree char *json = NULL;

      if (round > 1)
        calsync_fake_google_delete_event (fake, BIG, old_id);
      json = g_strdup_printf ("{\"id\": \"%s\", \"status\": \"confirmed\", \"summary\": \"Round %u, event %u\", "
                              "\"start\": {\"dateTime\": \"%s\"}, \"end\": {\"dateTime\": \"%s\"}}",
                              id, round, i, start_text, end_text);
      calsync_fake_google_put_event (fake, BIG, json);
    }
}

typedef struct
{
  CalsyncFakeGoogle *fake;
  gint64 now;
  GDataInputStream *lines;
  GMainLoop *loop;
} Server;

static void
command_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Server *server = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (server->lines, result, NULL, NULL);

  if (line == NULL)
    {
      g_main_loop_quit (server->loop);
      return;
    }
  if (g_str_has_prefix (line, "churn "))
    churn (server->fake, (guint) g_ascii_strtoull (line + 6, NULL, 10), server->now);
  g_print ("DONE\n");
  fflush (stdout);
  g_data_input_stream_read_line_async (server->lines, G_PRIORITY_DEFAULT, NULL, command_cb, server);
}

static int
serve (gint64 now)
{
  g_autoptr(CalsyncFakeGoogle) fake = calsync_fake_google_new ();
  g_autoptr(GInputStream) input = g_unix_input_stream_new (0, FALSE);
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (input);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_auto(GStrv) environment = NULL;
  Server server = { fake, now, lines, loop };

  if (nice (10) == -1)
    g_printerr ("bench-memory: the server could not lower its priority\n");
  calsync_fake_google_set_page_size (fake, 2500);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), USER);
  calsync_fake_google_add_calendar (fake, USER, USER, USER, TRUE);
  calsync_fake_google_add_calendar (fake, USER, BIG, BIG, FALSE);
  calsync_fake_google_generate_events (fake, BIG, N_EVENTS, now);
  calsync_fake_google_export_env (fake);

  environment = g_get_environ ();
  for (guint i = 0; environment[i] != NULL; i++)
    if (g_str_has_prefix (environment[i], "CALSYNC_GOOGLE_"))
      g_print ("%s\n", environment[i]);
  g_print ("READY\n");
  fflush (stdout);

  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, command_cb, &server);
  g_main_loop_run (loop);
  return 0;
}

typedef struct
{
  GSubprocess *server;
  GDataInputStream *replies;
  CalsyncTokens *tokens;
  gint64 account_id;
  CalsyncApplication *app;
  guint n_syncs;
  guint n_total;           /* syncs to run (BENCH_SYNCS, 100) */
  guint n_failed;
  guint n_first;
  gint64 rss_10, rss_100, peak_first;
  double heap_10, heap_100;
} Bench;

static Bench bench;

static void
server_command (const char *command)
{
  GOutputStream *output = g_subprocess_get_stdin_pipe (bench.server);
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autofree char *reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all (output, line, strlen (line), NULL, NULL, &error) ||
      !g_output_stream_flush (output, NULL, &error) ||
      (reply = g_data_input_stream_read_line_utf8 (bench.replies, NULL, NULL, &error)) == NULL)
    g_error ("fake server: %s", error ? error->message : "no reply");
  g_assert_cmpstr (reply, ==, "DONE");
}


static gboolean
start_sync_cb (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (bench.app), "sync", NULL);
  return G_SOURCE_REMOVE;
}

static void
sync_finished_cb (CalsyncSyncEngine *engine,
                  CalsyncSyncReport *report)
{
  CalsyncCalendarResult totals = { 0 };

  bench.n_syncs++;
  calsync_sync_report_get_totals (report, &totals);
  if (!calsync_sync_report_get_success (report))
    bench.n_failed++;
  if (bench.n_syncs == 1)
    {
      bench.n_first = totals.total;
      /* the window reloads after ::sync-finished: include that in the peak */
      settle (1000);
      bench.peak_first = status_kb ("VmHWM:");
      g_print ("window, first sync of %u events: RSS %.1f MB, peak %.1f MB, heap in use %.1f MB\n",
               bench.n_first, status_kb ("VmRSS:") / 1024.0, bench.peak_first / 1024.0, heap_in_use_mb ());
    }
  if (bench.n_syncs % 10 == 0)
    {
      settle (1000);
      malloc_trim (0);
      if (bench.n_syncs == 10)
        {
          bench.rss_10 = status_kb ("VmRSS:");
          bench.heap_10 = heap_in_use_mb ();
        }
      bench.rss_100 = status_kb ("VmRSS:");
      bench.heap_100 = heap_in_use_mb ();
      g_print ("  after sync %3u: RSS %.1f MB, heap in use %.2f MB\n", bench.n_syncs, bench.rss_100 / 1024.0,
               bench.heap_100);
    }

  if (bench.n_syncs == bench.n_total)
    {
      g_action_group_activate_action (G_ACTION_GROUP (bench.app), "quit", NULL);
      return;
    }

  {
    g_autofree char *command = g_strdup_printf ("churn %u", bench.n_syncs);

    server_command (command);
  }
  g_idle_add (start_sync_cb, NULL);
}


static void
syncs_activate_cb (GApplication *app)
{
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  static gboolean started;

  if (started)
    return;
  started = TRUE;
  bench_give_tokens (bench.app, bench.account_id, bench.tokens);
  calsync_window_set_view (CALSYNC_WINDOW (window), "month");
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (calsync_application_get_engine (bench.app), "sync-finished",
                    G_CALLBACK (sync_finished_cb), NULL);
  settle (500);
  g_idle_add (start_sync_cb, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (NOW_TEXT, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *stored_dir = NULL;
  g_autofree char *sync_dir = NULL;
  g_autofree char *seeder = g_build_filename (BUILDDIR, "tests", "calsync-seed", NULL);

  g_setenv ("CALSYNC_NOW", NOW_TEXT, TRUE);
  bench.n_total = g_getenv ("BENCH_SYNCS") != NULL ? MAX (10, atoi (g_getenv ("BENCH_SYNCS"))) : 100;
  if (argc > 1 && g_str_equal (argv[1], "--serve"))
    return serve (g_date_time_to_unix (now));
  if (argc > 1 && g_str_equal (argv[1], "--window-only"))
    return window_only ();

  /* 0. The floor: an empty AdwApplicationWindow with a header bar (on X11, GTK
   * 4.8 maps Mesa's EGL and LLVM even with the cairo renderer) */
  {
    g_autofree char *empty = g_build_filename (BUILDDIR, "bench", "bench-empty-window", NULL);
    g_autoptr(GSubprocess) floor_window = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, empty, NULL);
    struct rusage usage;

    if (floor_window == NULL || !g_subprocess_wait_check (floor_window, NULL, &error))
      g_error ("%s: %s", empty, error->message);
    getrusage (RUSAGE_CHILDREN, &usage);
    g_print ("empty AdwApplicationWindow with a header bar (%s): peak RSS %.1f MB\n",
             g_getenv ("WAYLAND_DISPLAY") != NULL ? "Wayland" : "X11", usage.ru_maxrss / 1024.0);
  }

  /* 1. 50,000 events stored, a process of its own */
  stored_dir = g_dir_make_tmp ("calsync-bench-memory-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_autoptr(GSubprocess) seed = NULL;
    g_autofree char *count = g_strdup_printf ("--count=%d", N_STORED);

    g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", stored_dir, TRUE);
    seed = g_subprocess_launcher_spawn (launcher, &error, seeder, count, "--now=" NOW_DAY, NULL);
    if (seed == NULL || !g_subprocess_wait_check (seed, NULL, &error))
      g_error ("%s: %s", seeder, error->message);
  }
  if (g_getenv ("BENCH_SKIP_STORED") == NULL)
    run_child (argv[0], "--window-only", stored_dir);
  bench_remove_tree (stored_dir);

  /* 2. Syncs in this process */
  sync_dir = g_dir_make_tmp ("calsync-bench-memory-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", sync_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", sync_dir, TRUE);
  bench.server = bench_fake_server_start (argv[0], "--serve");
  bench.replies = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bench.server));
  {
    g_autoptr(CalsyncHttp) http = calsync_http_new ();

    bench.tokens = bench_sign_in (http);
  }
  bench.account_id = bench_seed_google_calendar (USER, BIG, "Big");

  bench.app = calsync_application_new ();
  g_application_set_flags (G_APPLICATION (bench.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (bench.app, "activate", G_CALLBACK (syncs_activate_cb), NULL);
  g_application_run (G_APPLICATION (bench.app), 0, NULL);

  g_print ("window, %u syncs in one process (%u changes on the server before each after the first, %u failed): "
           "RSS after sync 10 %.1f MB, after sync %u %.1f MB (%+.1f MB); heap in use %.2f MB → %.2f MB (%+.2f MB)\n",
           bench.n_syncs, 2 * N_CHURN, bench.n_failed, bench.rss_10 / 1024.0, bench.n_syncs, bench.rss_100 / 1024.0,
           (bench.rss_100 - bench.rss_10) / 1024.0, bench.heap_10, bench.heap_100, bench.heap_100 - bench.heap_10);
  g_print ("peak RSS of this process: %.1f MB (goal ≤ 100 MB)\n", status_kb ("VmHWM:") / 1024.0);

  g_clear_object (&bench.app);
  g_clear_object (&bench.replies);
  calsync_tokens_free (bench.tokens);
  bench_fake_server_stop (&bench.server);
  bench_remove_tree (sync_dir);
  return bench.n_syncs == bench.n_total && bench.n_first == N_EVENTS && bench.n_failed == 0 ? 0 : 1;
}
