/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-window-sync.c: whether the real CalSync window keeps drawing while it syncs
 * 10,000 events from a fake Google in a child process: the largest main-loop gap and
 * the largest gap between painted frames from ::sync-started to ::sync-finished.
 * Figures, not pass/fail. BENCH_TRACE=1 also prints what ran during long gaps (store
 * ::changed, long idles, slow frames, and backtraces of the stuck main thread: resolve
 * the "bench-window-sync(+0x...)" frames with addr2line -f -e). */
#define G_LOG_DOMAIN "bench-window-sync"

#include "config.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <glib/gstdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "calsync-application-private.h"
#include "calsync-application.h"
#include "bench-fake-server.h"
#include "bench-utils.h"
#include "bench-window-utils.h"
#include "calsync-fake-google.h"
#include "calsync-month-view-private.h"
#include "calsync-month-view.h"
#include "calsync-oauth.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

#define NOW_TEXT "2026-06-15T12:00:00Z"
#define USER "bench@example.com"
#define BIG "big@group.calendar.google.com"
#define N_EVENTS 10000
#define TRACE_GAP_US 15000   /* a main loop stuck this long gets a backtrace (BENCH_TRACE) */

typedef struct
{
  char *dir;
  GSubprocess *server;
  CalsyncTokens *tokens;
  gint64 account_id;
  CalsyncApplication *app;
  GtkWidget *window;
  GdkFrameClock *clock;
  guint tick_source;
  guint tick_callback;
  gboolean trace;
  /* measuring: from ::sync-started to ::sync-finished, then a settle phase */
  gboolean measuring;
  gboolean settling;
  gint64 started, finished;
  gint64 last_tick, max_gap, max_gap_at;
  gint64 last_frame, max_frame_gap, max_frame_gap_at;
  guint n_frames;
  /* after ::sync-finished, until the app quits (the reload that follows the sync) */
  gint64 settle_max_gap, settle_max_frame_gap;
  guint settle_frames;
  guint n_synced;
  gboolean success;
} Bench;

static Bench bench;

static double
ms_since_start (gint64 t)
{
  return bench.started ? (t - bench.started) / 1000.0 : 0;
}

/* Tracing: a watchdog thread samples the main thread's stack when stuck ---- */

static volatile gint64 main_heartbeat;
static pthread_t main_thread;
static volatile gboolean watchdog_stop;

static void
sample_handler (int signum)
{
  void *frames[48];
  int n = backtrace (frames, G_N_ELEMENTS (frames));
  char header[] = "---- main thread stuck, backtrace:\n";

  if (write (2, header, sizeof header - 1) < 0)
    return;
  backtrace_symbols_fd (frames, n, 2);
}

static gpointer
watchdog_thread (gpointer data)
{
  gint64 last_sample = 0;

  while (!watchdog_stop)
    {
      gint64 beat = main_heartbeat;
      gint64 now;

      g_usleep (2000);
      now = g_get_monotonic_time ();
      /* Stuck: a sample now, and every 10 ms while it stays stuck */
      if (beat != 0 && beat == main_heartbeat && now - beat > TRACE_GAP_US && now - last_sample > 10000)
        {
          fprintf (stderr, "---- [%.1f ms] no main-loop tick for %.1f ms\n",
                   ms_since_start (now), (now - beat) / 1000.0);
          last_sample = now;
          pthread_kill (main_thread, SIGPROF);
        }
    }
  return NULL;
}

static void
trace (const char *what)
{
  if (bench.trace && bench.started)
    fprintf (stderr, "[%8.1f ms] %s\n", ms_since_start (g_get_monotonic_time ()), what);
}

static gboolean
store_changed_hook (GSignalInvocationHint *hint,
                    guint                  n_values,
                    const GValue          *values,
                    gpointer               data)
{
  if (bench.trace && bench.started)
    fprintf (stderr, "[%8.1f ms] store ::changed emitted (month view shows %u events)\n",
             ms_since_start (g_get_monotonic_time ()),
             calsync_month_view_get_n_events (CALSYNC_MONTH_VIEW (calsync_window_get_month_view (
               CALSYNC_WINDOW (bench.window)))));
  return TRUE;
}

static void
store_changed_after_cb (CalsyncStore *store)
{
  trace ("store ::changed handlers done");
}

static void
calendar_synced_cb (CalsyncSyncEngine *engine)
{
  trace ("engine ::calendar-synced");
}

/* Frame phases. Our handlers run after GTK's: the end of "layout" is the end of
 * GTK's layout (CSS, measure, allocate), the end of "paint" that of its rendering. */
static void
frame_phase_cb (GdkFrameClock *clock,
                gpointer       phase)
{
  static gint64 frame_start, layout_end, paint_end, cpu_start;
  gint64 now = g_get_monotonic_time ();
  struct timespec ts;
  gint64 cpu;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  cpu = ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
  if (frame_start == 0)
    {
      frame_start = now;
      cpu_start = cpu;
    }
  if (g_str_equal (phase, "layout"))
    layout_end = now;
  else if (g_str_equal (phase, "paint"))
    paint_end = now;
  else if (g_str_equal (phase, "after-paint"))
    {
      gint64 painted_from = layout_end ? layout_end : frame_start;

      if (bench.trace && bench.started && now - frame_start > 8000)
        fprintf (stderr, "[%8.1f ms] slow frame: %.1f ms, %.1f ms CPU (layout %.1f ms, paint %.1f ms)\n",
                 ms_since_start (now), (now - frame_start) / 1000.0, (cpu - cpu_start) / 1000.0,
                 layout_end ? (layout_end - frame_start) / 1000.0 : 0,
                 paint_end ? (paint_end - painted_from) / 1000.0 : 0);
      frame_start = layout_end = paint_end = 0;
    }
}

/* BENCH_TRACE: idle callbacks (the month view's reload and chip rebuild are idles)
 * that run long are named. Interposes GLib's g_idle_add_full() and g_idle_add(). */
typedef struct
{
  GSourceFunc function;
  gpointer data;
  GDestroyNotify notify;
} TimedIdle;

static void
print_function (GSourceFunc function,
                double      ms)
{
  Dl_info info = { 0 };

  if (dladdr ((gpointer) function, &info) && info.dli_sname != NULL)
    fprintf (stderr, "[%8.1f ms] idle %s ran %.1f ms\n", ms_since_start (g_get_monotonic_time ()),
             info.dli_sname, ms);
  else
    fprintf (stderr, "[%8.1f ms] idle %s+0x%lx ran %.1f ms\n", ms_since_start (g_get_monotonic_time ()),
             info.dli_fname ? info.dli_fname : "?",
             (unsigned long) ((char *) function - (char *) info.dli_fbase), ms);
}

static gboolean
timed_idle_cb (gpointer data)
{
  TimedIdle *idle = data;
  gint64 start = g_get_monotonic_time ();
  gboolean again = idle->function (idle->data);
  gint64 took = g_get_monotonic_time () - start;

  if (bench.started && took > 5000)
    print_function (idle->function, took / 1000.0);
  return again;
}

static void
timed_idle_free (gpointer data)
{
  TimedIdle *idle = data;

  if (idle->notify != NULL)
    idle->notify (idle->data);
  g_free (idle);
}

guint
g_idle_add_full (gint           priority,
                 GSourceFunc    function,
                 gpointer       data,
                 GDestroyNotify notify)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  if (priority != G_PRIORITY_DEFAULT_IDLE)
    g_source_set_priority (source, priority);
  if (bench.trace)
    {
      TimedIdle *idle = g_new (TimedIdle, 1);

      *idle = (TimedIdle) { function, data, notify };
      g_source_set_callback (source, timed_idle_cb, idle, timed_idle_free);
    }
  else
    g_source_set_callback (source, function, data, notify);
  return g_source_attach (source, NULL);
}

guint
g_idle_add (GSourceFunc function,
            gpointer    data)
{
  return g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, function, data, NULL);
}

/* The fake Google, in a child process ------------------------------------- */

static int
serve (gint64 now)
{
  g_autoptr(CalsyncFakeGoogle) fake = calsync_fake_google_new ();

  calsync_fake_google_set_page_size (fake, 2500);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), USER);
  calsync_fake_google_add_calendar (fake, USER, USER, USER, TRUE);
  calsync_fake_google_add_calendar (fake, USER, BIG, BIG, FALSE);
  calsync_fake_google_generate_events (fake, BIG, N_EVENTS, now);

  return bench_fake_server_run (fake);
}

/* Measuring --------------------------------------------------------------- */

static gboolean
loop_tick_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  main_heartbeat = now;
  if (bench.last_tick != 0 && bench.measuring && now - bench.last_tick > bench.max_gap)
    {
      bench.max_gap = now - bench.last_tick;
      bench.max_gap_at = now;
    }
  if (bench.last_tick != 0 && bench.settling)
    bench.settle_max_gap = MAX (bench.settle_max_gap, now - bench.last_tick);
  if (bench.trace && bench.last_tick != 0 && bench.started && now - bench.last_tick > 10000)
    fprintf (stderr, "[%8.1f ms] main-loop gap %.1f ms (ended now)\n",
             ms_since_start (now), (now - bench.last_tick) / 1000.0);
  bench.last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *clock)
{
  gint64 now = g_get_monotonic_time ();

  if (bench.measuring)
    {
      if (bench.last_frame != 0 && now - bench.last_frame > bench.max_frame_gap)
        {
          bench.max_frame_gap = now - bench.last_frame;
          bench.max_frame_gap_at = now;
        }
      bench.n_frames++;
    }
  if (bench.settling)
    {
      if (bench.last_frame != 0)
        bench.settle_max_frame_gap = MAX (bench.settle_max_frame_gap, now - bench.last_frame);
      bench.settle_frames++;
    }
  bench.last_frame = now;
}

static gboolean
animate_cb (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static void
sync_started_cb (CalsyncSyncEngine *engine)
{
  gint64 now = g_get_monotonic_time ();

  bench.started = now;
  bench.measuring = TRUE;
  /* Gaps count from the start of the sync, not from before it */
  bench.last_tick = now;
  bench.last_frame = now;
  trace ("engine ::sync-started");
}

static gboolean
quit_cb (gpointer user_data)
{
  bench.settling = FALSE;
  g_action_group_activate_action (G_ACTION_GROUP (bench.app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
sync_finished_cb (CalsyncSyncEngine *engine,
                  CalsyncSyncReport *report)
{
  CalsyncCalendarResult totals = { 0 };

  bench.finished = g_get_monotonic_time ();
  bench.measuring = FALSE;
  bench.settling = TRUE;
  trace ("engine ::sync-finished");
  calsync_sync_report_get_totals (report, &totals);
  bench.n_synced = totals.total;
  bench.success = calsync_sync_report_get_success (report);
  /* The window reloads after the sync: watch that too, then quit */
  g_timeout_add (1500, quit_cb, NULL);
}


static gboolean
start_sync_cb (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (bench.app), "sync", NULL);
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *app)
{
  CalsyncSyncEngine *engine = calsync_application_get_engine (bench.app);
  CalsyncStore *store = calsync_application_get_store (bench.app);

  if (bench.window != NULL)
    return;

  bench_give_tokens (bench.app, bench.account_id, bench.tokens);
  bench.window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert (CALSYNC_IS_WINDOW (bench.window));
  calsync_window_set_view (CALSYNC_WINDOW (bench.window), "month");
  gtk_window_set_default_size (GTK_WINDOW (bench.window), 1100, 760);
  gtk_window_present (GTK_WINDOW (bench.window));

  g_signal_connect (engine, "sync-started", G_CALLBACK (sync_started_cb), NULL);
  g_signal_connect (engine, "sync-finished", G_CALLBACK (sync_finished_cb), NULL);
  bench.tick_source = g_timeout_add (1, loop_tick_cb, NULL);
  bench.tick_callback = gtk_widget_add_tick_callback (bench.window, animate_cb, NULL, NULL);

  if (bench.trace)
    {
      g_signal_add_emission_hook (g_signal_lookup ("changed", CALSYNC_TYPE_STORE), 0,
                                  store_changed_hook, NULL, NULL);
      g_signal_connect_after (store, "changed", G_CALLBACK (store_changed_after_cb), NULL);
      g_signal_connect (engine, "calendar-synced", G_CALLBACK (calendar_synced_cb), NULL);
    }

  /* Once the window is mapped and drawing */
  g_timeout_add (500, start_sync_cb, NULL);
}

static void
window_realized (void)
{
  bench.clock = gtk_widget_get_frame_clock (bench.window);
  g_signal_connect (bench.clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  g_signal_connect (bench.clock, "before-paint", G_CALLBACK (frame_phase_cb), (gpointer) "before-paint");
  g_signal_connect (bench.clock, "update", G_CALLBACK (frame_phase_cb), (gpointer) "update");
  g_signal_connect (bench.clock, "layout", G_CALLBACK (frame_phase_cb), (gpointer) "layout");
  g_signal_connect (bench.clock, "paint", G_CALLBACK (frame_phase_cb), (gpointer) "paint");
  g_signal_connect (bench.clock, "after-paint", G_CALLBACK (frame_phase_cb), (gpointer) "after-paint");
}

static void
activate_after_cb (GApplication *app)
{
  gboolean first = bench.window == NULL;

  activate_cb (app);
  if (first)
    {
      if (gtk_widget_get_realized (bench.window))
        window_realized ();
      else
        g_signal_connect_swapped (bench.window, "realize", G_CALLBACK (window_realized), NULL);
    }
}

/* Main -------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (NOW_TEXT, NULL);
  g_autoptr(GError) error = NULL;
  GThread *watchdog = NULL;

  g_setenv ("CALSYNC_NOW", NOW_TEXT, TRUE);
  if (argc > 1 && g_str_equal (argv[1], "--serve"))
    return serve (g_date_time_to_unix (now));

  bench.trace = g_getenv ("BENCH_TRACE") != NULL && *g_getenv ("BENCH_TRACE") != '\0';
  bench.dir = g_dir_make_tmp ("calsync-bench-window-sync-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", bench.dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", bench.dir, TRUE);

  bench.server = bench_fake_server_start (argv[0], "--serve");
  {
    g_autoptr(CalsyncHttp) http = calsync_http_new ();

    bench.tokens = bench_sign_in (http);
  }
  bench.account_id = bench_seed_google_calendar (USER, BIG, "Big");

  if (bench.trace)
    {
      main_thread = pthread_self ();
      signal (SIGPROF, sample_handler);
      watchdog = g_thread_new ("watchdog", watchdog_thread, NULL);
    }

  bench.app = calsync_application_new ();
  g_application_set_flags (G_APPLICATION (bench.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (bench.app, "activate", G_CALLBACK (activate_after_cb), NULL);
  g_application_run (G_APPLICATION (bench.app), 0, NULL);

  if (watchdog != NULL)
    {
      watchdog_stop = TRUE;
      g_thread_join (watchdog);
    }

  g_print ("events synced:        %u%s\n", bench.n_synced, bench.success ? "" : " (sync FAILED)");
  g_print ("sync wall time:       %.1f ms\n", (bench.finished - bench.started) / 1000.0);
  g_print ("largest main-loop gap: %.1f ms (at %.1f ms)   (goal < 20 ms)\n",
           bench.max_gap / 1000.0, ms_since_start (bench.max_gap_at));
  g_print ("largest frame gap:    %.1f ms (at %.1f ms)\n",
           bench.max_frame_gap / 1000.0, ms_since_start (bench.max_frame_gap_at));
  g_print ("frames during sync:   %u\n", bench.n_frames);
  g_print ("after sync-finished (1.5 s): largest main-loop gap %.1f ms, largest frame gap %.1f ms, %u frames\n",
           bench.settle_max_gap / 1000.0, bench.settle_max_frame_gap / 1000.0, bench.settle_frames);

  g_clear_object (&bench.app);
  calsync_tokens_free (bench.tokens);
  bench_fake_server_stop (&bench.server);
  bench_remove_tree (bench.dir);
  g_free (bench.dir);
  return bench.n_synced == N_EVENTS && bench.success ? 0 : 1;
}
