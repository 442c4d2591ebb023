/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-busy-database.c: the main thread never waits on SQLite. Another process
 * holds the database's write lock for 3 s (calsync-hold-write-lock) while the
 * real window, under Xvfb, writes through the store's async API, changes month,
 * flips a calendar's switch in Preferences and saves an event in the editor: the
 * longest gap between two turns of the main loop stays under 50 ms, and the
 * writes land once the other process lets go. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "calsync-account-group-private.h"
#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-event-editor.h"
#include "calsync-event-widget.h"
#include "calsync-month-view.h"
#include "calsync-preferences-window-private.h"
#include "calsync-preferences-window.h"
#include "calsync-test-utils.h"
#include "calsync-test-window.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

#define HOLD_SECONDS 3
#define MAX_GAP_MS 50
#define EVENTS_PER_DAY 8

static CalsyncApplication *app;
static char *db_path;
static gint64 team_id;
static gint64 team_account_id;

/* The main loop's longest gap ---------------------------------------------- */

/*
 * A high-priority 5 ms timeout: the time between two of its runs is the time
 * the loop was busy elsewhere, or blocked. On a shared machine that also counts
 * the time the kernel left the main thread waiting for a CPU that other
 * processes held (the thread was ready to run); the kernel accounts for that
 * wait (schedstat's run_delay), and the "own" gap leaves it out: what remains
 * is the time the main thread spent working or blocked, e.g. on SQLite.
 */
typedef struct
{
  guint id;
  int schedstat;        /* /proc/thread-self/schedstat of the main thread, or -1 */
  gint64 started;
  gint64 last;
  gint64 last_run_delay;
  gint64 max_gap;       /* wall clock */
  gint64 max_own_gap;   /* without the waits for a CPU */
  GString *long_gaps;   /* " at 1234 ms: 38 ms (own 12 ms);" for gaps over 20 ms */
} GapMeter;

/* Microseconds the main thread has waited for a CPU while ready to run */
static gint64
run_delay (GapMeter *meter)
{
  char text[128];
  ssize_t n;
  guint64 on_cpu = 0, delay = 0;

  if (meter->schedstat < 0 || (n = pread (meter->schedstat, text, sizeof text - 1, 0)) <= 0)
    return 0;
  text[n] = '\0';
  if (sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &on_cpu, &delay) != 2)
    return 0;
  return (gint64) (delay / 1000);
}

static gboolean
gap_tick_cb (gpointer data)
{
  GapMeter *meter = data;
  gint64 now = g_get_monotonic_time ();
  gint64 delay = run_delay (meter);
  gint64 gap = now - meter->last;
  gint64 own_gap = gap - (delay - meter->last_run_delay);

  meter->max_gap = MAX (meter->max_gap, gap);
  meter->max_own_gap = MAX (meter->max_own_gap, own_gap);
  if (gap > 20 * 1000)
    g_string_append_printf (meter->long_gaps, " at %d ms: %d ms (own %d ms);",
                            (int) ((meter->last - meter->started) / 1000), (int) (gap / 1000),
                            (int) (own_gap / 1000));
  meter->last = now;
  meter->last_run_delay = delay;
  return G_SOURCE_CONTINUE;
}

static void
gap_meter_start (GapMeter *meter)
{
  meter->schedstat = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  meter->started = meter->last = g_get_monotonic_time ();
  meter->last_run_delay = run_delay (meter);
  meter->max_gap = meter->max_own_gap = 0;
  meter->long_gaps = g_string_new (NULL);
  meter->id = g_timeout_add_full (G_PRIORITY_HIGH, 5, gap_tick_cb, meter, NULL);
}

static void
gap_meter_stop (GapMeter *meter)
{
  gap_tick_cb (meter);
  g_clear_handle_id (&meter->id, g_source_remove);
  if (meter->schedstat >= 0)
    close (meter->schedstat);
  g_test_message ("Main-loop gaps over 20 ms:%s", meter->long_gaps->len ? meter->long_gaps->str : " none");
  g_string_free (meter->long_gaps, TRUE);
}

/* The other process ----------------------------------------------------------- */

typedef struct
{
  GSubprocess *process;
  GDataInputStream *out;
  char *line;          /* the last line it printed */
  gint64 locked_at;
  gint64 release_asked_at;
  gint64 released_at;
} Holder;

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  Holder *holder = data;

  g_free (holder->line);
  holder->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  if (holder->line == NULL)
    holder->line = g_strdup ("");
}

static gboolean
line_read (gpointer data)
{
  return ((Holder *) data)->line != NULL;
}

static void
holder_read_line (Holder     *holder,
                  const char *expected)
{
  g_clear_pointer (&holder->line, g_free);
  g_data_input_stream_read_line_async (holder->out, G_PRIORITY_DEFAULT, NULL, line_read_cb, holder);
  g_assert_true (calsync_test_wait_until (line_read, holder, 10000));
  g_assert_cmpstr (holder->line, ==, expected);
}

/* Starts calsync-hold-write-lock and waits (spinning the loop) for "locked".
 * It lets go when its stdin closes, or by itself after @max_seconds. */
static void
holder_start (Holder *holder,
              int     max_seconds)
{
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT, "calsync-hold-write-lock", NULL);
  g_autofree char *seconds = g_strdup_printf ("%d", max_seconds);
  g_autoptr(GError) error = NULL;

  holder->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                      &error, helper, db_path, seconds, NULL);
  g_assert_no_error (error);
  holder->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder->process));
  holder_read_line (holder, "locked");
  holder->locked_at = g_get_monotonic_time ();
}

static void
holder_release (Holder *holder)
{
  g_autoptr(GError) error = NULL;

  holder->release_asked_at = g_get_monotonic_time ();
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (holder->process), NULL, &error));
  g_assert_no_error (error);
  holder_read_line (holder, "released");
  holder->released_at = g_get_monotonic_time ();
}

static void
holder_clear (Holder *holder)
{
  if (holder->process != NULL)
    {
      if (holder->released_at == 0)
        g_subprocess_force_exit (holder->process);
      g_subprocess_wait (holder->process, NULL, NULL);
    }
  g_clear_object (&holder->out);
  g_clear_object (&holder->process);
  g_clear_pointer (&holder->line, g_free);
}

/* Widgets --------------------------------------------------------------------- */

/* The month of @data ("2026-12") is shown: its mid-month marker event is */
static gboolean
month_shown (gpointer data)
{
  g_autofree char *title = g_strdup_printf ("Mid %s", (const char *) data);

  return calsync_test_find_chip (title) != NULL;
}

static CalsyncPreferencesWindow *
open_preferences (void)
{
  GtkWindow *prefs;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);
  g_assert_nonnull (prefs);
  return CALSYNC_PREFERENCES_WINDOW (prefs);
}

static GtkSwitch *
team_switch (CalsyncPreferencesWindow *prefs)
{
  CalsyncAccountGroup *group = calsync_preferences_window_get_account_group (prefs, team_account_id);

  g_assert_nonnull (group);
  return GTK_SWITCH (calsync_account_group_get_calendar_switch (group, team_id));
}

static CalsyncEventEditor *
find_editor (gboolean visible_only)
{
  return (CalsyncEventEditor *) calsync_test_find_toplevel (CALSYNC_TYPE_EVENT_EDITOR, visible_only);
}

static gboolean
editor_gone (gpointer data)
{
  return find_editor (FALSE) == NULL;
}

/* A new event's editor, shown. Building it (template, CSS) is main-thread
 * work that costs as much with or without a busy database, 20 to 80 ms on a
 * loaded 2-core machine under Xvfb: it opens before the other process takes
 * the lock, and the event is saved while it holds it. */
static gboolean
editor_mapped (gpointer data)
{
  CalsyncEventEditor *editor = find_editor (TRUE);

  return editor != NULL && gtk_widget_get_mapped (GTK_WIDGET (editor));
}

static CalsyncEventEditor *
open_editor (void)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.new-event", NULL));
  g_assert_true (calsync_test_wait_until (editor_mapped, NULL, 5000));
  return find_editor (TRUE);
}

/* It hides at once and goes when the event is stored */
static void
save_in_editor (CalsyncEventEditor *editor,
                const char         *title)
{
  GObject *title_row = gtk_widget_get_template_child (GTK_WIDGET (editor), CALSYNC_TYPE_EVENT_EDITOR,
                                                      "title_row");

  gtk_editable_set_text (GTK_EDITABLE (title_row), title);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  g_assert_null (find_editor (TRUE));
}

/* Store ----------------------------------------------------------------------- */

static gboolean
calendar_active (gint64 calendar_id)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (calsync_test_app_store (), calendar_id, NULL);

  g_assert_nonnull (calendar);
  return calsync_calendar_get_is_active (calendar);
}

static gboolean
stored_titled (const char *title)
{
  g_autoptr(GPtrArray) events = calsync_store_list_calendar_events (calsync_test_app_store (),
                                                                    calsync_store_get_personal_calendar_id (calsync_test_app_store ()),
                                                                    0, G_MAXINT64, NULL);

  for (guint i = 0; events != NULL && i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_title (g_ptr_array_index (events, i)), title) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  gboolean done;
  gboolean stored;
  gint64 done_at;
} AsyncWrite;

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  AsyncWrite *write = data;
  g_autoptr(CalsyncEvent) stored = calsync_store_save_local_event_finish (CALSYNC_STORE (object), result, NULL);

  write->stored = stored != NULL;
  write->done = TRUE;
  write->done_at = g_get_monotonic_time ();
}

static gboolean
write_done (gpointer data)
{
  return ((AsyncWrite *) data)->done;
}

static void
write_async (const char *title,
             AsyncWrite *write)
{
  gint64 start = calsync_test_local_time ("Europe/Berlin", 2026, 11, 26, 16, 0);
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event (NULL, title, start, start + 1800, "Europe/Berlin");

  calsync_store_save_local_event_async (calsync_test_app_store (), event, written_cb, write);
}

/* The run ----------------------------------------------------------------------- */

typedef struct
{
  Holder *holder;          /* NULL: nobody holds the lock */
  gboolean team_active;    /* what the switch is set to */
  AsyncWrite write;
  guint n_months;          /* months shown during the HOLD_SECONDS */
  gboolean over;           /* HOLD_SECONDS have passed (and the lock is let go) */
  gboolean landed_early;   /* something was written before that */
  gint64 max_gap;
  gint64 max_own_gap;
} BusyRun;

/* After HOLD_SECONDS, whatever the test is doing: nothing may have landed
 * yet; then the other process lets go */
static gboolean
hold_over_cb (gpointer data)
{
  BusyRun *run = data;

  run->landed_early = run->write.done || find_editor (FALSE) == NULL ||
                      calendar_active (team_id) == run->team_active;
  if (run->holder != NULL)
    holder_release (run->holder);
  run->over = TRUE;
  return G_SOURCE_REMOVE;
}

/* Months back and forth until the hold is over */
static void
change_months (BusyRun *run)
{
  const char *months[] = { "2026-12", "2026-11" };

  while (!run->over)
    {
      const char *month = months[run->n_months % 2];

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()),
                                                 run->n_months % 2 ? "win.previous" : "win.next", NULL));
      g_assert_true (calsync_test_wait_until (month_shown, (gpointer) month, 10000));
      run->n_months += run->over ? 0 : 1;
    }
}

/* While run->holder (if any) holds the lock: a write of our own, a switch,
 * the editor, and months back and forth for HOLD_SECONDS */
static void
run_busy (BusyRun *run)
{
  CalsyncPreferencesWindow *prefs = open_preferences ();
  g_autofree char *written = g_strdup_printf ("Written %s", run->holder ? "while locked" : "freely");
  g_autofree char *saved = g_strdup_printf ("Saved %s", run->holder ? "while locked" : "freely");
  CalsyncEventEditor *editor;
  GapMeter meter;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.today", NULL));
  g_assert_true (calsync_test_wait_until (month_shown, (gpointer) "2026-11", 10000));
  editor = open_editor ();

  gap_meter_start (&meter);
  if (run->holder != NULL)
    holder_start (run->holder, HOLD_SECONDS + 2);
  g_timeout_add (HOLD_SECONDS * 1000, hold_over_cb, run);

  write_async (written, &run->write);
  gtk_switch_set_active (team_switch (prefs), run->team_active);
  save_in_editor (editor, saved);
  change_months (run);
  /* The switch shows what was asked for all along */
  g_assert_true (gtk_switch_get_active (team_switch (prefs)) == run->team_active);

  /* The window shows the writes: November again, with both new events */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.today", NULL));
  g_assert_true (calsync_test_wait_until (write_done, &run->write, 10000));
  g_assert_true (calsync_test_wait_until (editor_gone, NULL, 10000));
  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, written, 10000));
  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, saved, 10000));
  gap_meter_stop (&meter);
  run->max_gap = meter.max_gap;
  run->max_own_gap = meter.max_own_gap;

  g_assert_true (run->write.stored);
  g_assert_true (stored_titled (written));
  g_assert_true (stored_titled (saved));
  g_assert_true (calendar_active (team_id) == run->team_active);
}

/* Timing under AddressSanitizer says little about the app (our own code runs
 * many times slower, GTK does not: a month of chips takes seconds to build).
 * There the gaps only have to stay far below the time the lock is held, which
 * a main thread waiting for it would take whole, and a month need not have
 * been shown meanwhile. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifdef SANITIZED
#define GAP_LIMIT_MS 1000
#define MIN_MONTHS 0
#else
#define GAP_LIMIT_MS MAX_GAP_MS
#define MIN_MONTHS 2
#endif

static void
test_free_database (void)
{
  BusyRun run = { .team_active = FALSE };

  run_busy (&run);
  g_test_message ("Without a held write lock: longest main-loop gap %.1f ms (%.1f ms without "
                  "waits for a CPU), %u months shown", run.max_gap / 1000.0, run.max_own_gap / 1000.0,
                  run.n_months);
}

static void
test_locked_database (void)
{
  Holder holder = { 0 };
  BusyRun run = { .holder = &holder, .team_active = TRUE };

  run_busy (&run);
  g_test_message ("Write lock held by another process for %.1f s: longest main-loop gap %.1f ms "
                  "(%.1f ms without waits for a CPU), %u months shown meanwhile",
                  (holder.released_at - holder.locked_at) / (double) G_USEC_PER_SEC,
                  run.max_gap / 1000.0, run.max_own_gap / 1000.0, run.n_months);

  /* Nothing was written while the other process held the lock, everything after */
  g_assert_false (run.landed_early);
  g_assert_cmpint (run.write.done_at, >=, holder.release_asked_at);
  g_assert_cmpint (holder.released_at - holder.locked_at, >=, HOLD_SECONDS * G_USEC_PER_SEC);
  /* The window read and showed other months meanwhile, and never stalled */
  g_assert_cmpuint (run.n_months, >=, MIN_MONTHS);
  g_assert_cmpint (run.max_own_gap, <, GAP_LIMIT_MS * 1000);
  holder_clear (&holder);
}

/* Held longer than the store's busy timeout (5 s), the lock makes the writes
 * fail: the editor comes back with what was typed and says why; the switch
 * goes back to what the store has, with a toast. */

static gboolean
is_label_starting (GtkWidget  *widget,
                   const char *prefix)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), prefix))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (is_label_starting (child, prefix))
      return TRUE;
  return FALSE;
}

static gboolean
error_shown (gpointer editor)
{
  GtkWindow *dialog = calsync_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, TRUE);

  return find_editor (TRUE) == editor && dialog != NULL &&
         gtk_window_get_transient_for (dialog) == editor &&
         gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
switch_toast_shown (gpointer prefs)
{
  return is_label_starting (prefs, "Could not turn “Team” off");
}

static void
test_failed_writes (void)
{
  CalsyncPreferencesWindow *prefs = open_preferences ();
  GtkSwitch *toggle = team_switch (prefs);
  gboolean active = gtk_switch_get_active (toggle);
  CalsyncEventEditor *editor = open_editor ();
  Holder holder = { 0 };
  GObject *title_row;

  holder_start (&holder, 30);
  gtk_switch_set_active (toggle, !active);
  save_in_editor (editor, "Not saved");

  g_assert_true (calsync_test_wait_until (switch_toast_shown, prefs, 15000));
  g_assert_true (gtk_switch_get_active (toggle) == active);
  g_assert_true (calendar_active (team_id) == active);
  gtk_window_present (GTK_WINDOW (prefs));
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "switch-failed.png");

  g_assert_true (calsync_test_wait_until (error_shown, editor, 15000));
  title_row = gtk_widget_get_template_child (GTK_WIDGET (editor), CALSYNC_TYPE_EVENT_EDITOR, "title_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (title_row)), ==, "Not saved");
  g_assert_false (stored_titled ("Not saved"));
  g_assert_true (is_label_starting (GTK_WIDGET (calsync_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, TRUE)),
                                    "The calendar database is busy"));
  gtk_window_present (GTK_WINDOW (editor));
  gtk_window_present (calsync_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, TRUE));
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "editor-save-failed.png");

  holder_release (&holder);
  holder_clear (&holder);
  gtk_window_destroy (calsync_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, TRUE));
  gtk_window_destroy (GTK_WINDOW (editor));
}

/* Setup --------------------------------------------------------------------------- */

/* Personal: EVENTS_PER_DAY events a day from October to January (but 20 to
 * 29 November), and a "Mid YYYY-MM" marker on each 15th; Team: one event a day */
static void
seed (const char *tmp)
{
  g_autoptr(CalsyncStore) seeded = calsync_test_open_store (tmp);
  g_autoptr(GPtrArray) team = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) day = g_date_time_new_local (2026, 10, 1, 0, 0, 0);
  CalsyncApplyStats stats = { 0 };

  team_account_id = calsync_test_store_add_account (seeded, "google", "team@example.com");
  team_id = calsync_test_store_add_calendar (seeded, team_account_id, "team", "Team", "#e66100");

  while (g_date_time_get_year (day) < 2027 || g_date_time_get_month (day) < 2)
    {
      g_autoptr(GDateTime) next = g_date_time_add_days (day, 1);
      g_autofree char *date = g_date_time_format (day, "%Y-%m-%d");
      gint64 start = g_date_time_to_unix (day) + 8 * 3600;

      /* What the runs write shows on 25 and 26 November */
      for (int i = 0; i < EVENTS_PER_DAY && !g_str_has_prefix (date, "2026-11-2") ; i++)
        {
          g_autofree char *title = g_strdup_printf ("Busy %s %d", date, i);
          g_autoptr(CalsyncEvent) event = calsync_test_timed_event (NULL, title, start + i * 3600,
                                                                    start + i * 3600 + 1800, "Europe/Berlin");

          g_assert_cmpint (calsync_store_create_local_event (seeded, event, &error), >, 0);
        }
      if (g_date_time_get_day_of_month (day) == 15)
        {
          g_autofree char *month = g_date_time_format (day, "Mid %Y-%m");
          g_autoptr(CalsyncEvent) marker = calsync_test_timed_event (NULL, month, start - 3600, start - 1800,
                                                                     "Europe/Berlin");

          g_assert_cmpint (calsync_store_create_local_event (seeded, marker, &error), >, 0);
        }
      g_ptr_array_add (team, calsync_test_timed_event (date, "Team sync", start + 9 * 3600,
                                                       start + 10 * 3600, "Europe/Berlin"));
      g_clear_pointer (&day, g_date_time_unref);
      day = g_steal_pointer (&next);
    }

  g_assert_true (calsync_store_apply_remote_events (seeded, team_id, team, NULL, &stats, &error));
  g_assert_no_error (error);
  db_path = g_strdup (calsync_store_get_path (seeded));
}

/* The window shows November with its events before the tests start; the
 * editor and Preferences have been built once (their first build parses
 * templates and CSS: that costs the same with or without a busy database) */
static void
warm_up (void)
{
  g_assert_true (calsync_test_wait_until (month_shown, (gpointer) "2026-11", 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.new-event", NULL));
  gtk_window_destroy (GTK_WINDOW (find_editor (TRUE)));
  open_preferences ();
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-busy-database");
  int status;

  g_test_init (&argc, &argv, NULL);
  seed (tmp);
  g_test_add_func ("/busy-database/free", test_free_database);
  g_test_add_func ("/busy-database/locked", test_locked_database);
  g_test_add_func ("/busy-database/failed-writes", test_failed_writes);

  status = calsync_test_run_window_tests (&app, warm_up, NULL);
  g_clear_pointer (&db_path, g_free);
  calsync_test_remove_tree (tmp);

  return status;
}
