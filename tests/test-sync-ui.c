/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sync-ui.c: the sync experience in the real window under Xvfb — Sync button,
 * toasts, report dialog, shortcuts — against the in-process fake Google with
 * tokens in the real keyring (run in the D-Bus session with gnome-keyring). */
#include "config.h"

#include <glib/gstdio.h>

#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-fake-google.h"
#include "calsync-month-view-private.h"
#include "calsync-month-view.h"
#include "calsync-report-dialog-private.h"
#include "calsync-report-dialog.h"
#include "calsync-sync-button-private.h"
#include "calsync-sync-button.h"
#include "calsync-test-utils.h"
#include "calsync-test-window.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

#define ALEX "alex@example.com"
/* Unique among the tests sharing the keyring (see calsync_test_renumber_account) */
#define ACCOUNT_ID 4101
#define TEAM "team@group.calendar.google.com"

static CalsyncApplication *app;
static CalsyncFakeGoogle *fake;
static int test_status;

/* Seeding: an account with two calendars, its tokens in the keyring ---------- */

static void
put_event (const char *calendar,
           const char *id,
           const char *summary,
           int         day)
{
  g_autofree char *json = g_strdup_printf (
    "{\"kind\":\"calendar#event\",\"id\":\"%s\",\"status\":\"confirmed\",\"summary\":\"%s\","
    "\"start\":{\"dateTime\":\"2026-11-%02dT10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-11-%02dT11:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}",
    id, summary, day, day);

  calsync_fake_google_put_event (fake, calendar, json);
}

static void
put_events (const char *calendar,
            const char *prefix,
            guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s%u", prefix, i);
      g_autofree char *summary = g_strdup_printf ("%s meeting %u", prefix, i);

      put_event (calendar, id, summary, 2 + (int) (i % 27));
    }
}

static void
seed (void)
{
  g_autoptr(CalsyncStore) store = NULL;
  gint64 account_id;

  store = calsync_test_add_google_account (fake, ALEX, ACCOUNT_ID);
  account_id = ACCOUNT_ID;
  g_assert_cmpint (calsync_test_add_calendar (fake, store, account_id, ALEX, ALEX, ALEX, "#3584e4"), >, 0);
  g_assert_cmpint (calsync_test_add_calendar (fake, store, account_id, ALEX, TEAM, "Team", "#2ec27e"), >, 0);
  put_events (ALEX, "alex", 10);
  put_events (TEAM, "team", 5);

  calsync_store_close (store);
}

/* Window helpers ---------------------------------------------------------- */

static gboolean
not_syncing (gpointer data)
{
  return !calsync_sync_engine_is_syncing (calsync_application_get_engine (app));
}

static gboolean
toast_gone (gpointer data)
{
  return calsync_window_get_sync_toast (calsync_test_window ()) == NULL;
}

/* Runs app.sync (what F5 and Ctrl+R activate) and waits for the end */
static void
press_f5_and_wait (void)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
  g_assert_true (calsync_test_wait_until (not_syncing, NULL, 60000));
}

/* Waits for the sync toast @title to be on screen, done sliding in (see
 * calsync_test_wait_toast_shown()) */
static AdwToast *
assert_sync_toast (const char *title)
{
  AdwToast *toast = calsync_window_get_sync_toast (calsync_test_window ());

  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, title);
  g_assert_true (calsync_test_wait_toast_shown (calsync_test_toast_overlay (), toast, title));
  /* Really on screen, not only queued */
  g_assert_true (calsync_test_shows_label (GTK_WIDGET (calsync_test_window ()), title));
  return toast;
}

/* Tests ------------------------------------------------------------------- */

static void
test_button_idle (void)
{
  CalsyncSyncButton *button = calsync_test_sync_button ();
  GtkWidget *inner = gtk_widget_get_first_child (GTK_WIDGET (button));

  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (button)));
  g_assert_false (calsync_sync_button_get_spinning (button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (inner), ==, "Sync calendars (F5)\nNever synced");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (inner)), ==, "app.sync");
}

static void
test_last_sync_text (void)
{
  gint64 now = g_get_real_time ();
  const struct { gint64 ago_s; const char *text; } cases[] = {
    { 10, "Last synced just now" },
    { 60, "Last synced 1 minute ago" },
    { 5 * 60, "Last synced 5 minutes ago" },
    { 2 * 3600, "Last synced 2 hours ago" },
    { 3 * 86400, "Last synced 3 days ago" },
  };
  g_autofree char *never = calsync_sync_button_format_last_sync (0, now);

  g_assert_cmpstr (never, ==, "Never synced");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = calsync_sync_button_format_last_sync (now - cases[i].ago_s * G_USEC_PER_SEC, now);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static CalsyncCalendarResult *
result_new (const char *name,
            guint       synced,
            const char *error)
{
  CalsyncCalendarResult *result = g_new0 (CalsyncCalendarResult, 1);

  result->connection_id = g_strdup ("1");
  result->provider = g_strdup ("google");
  result->email = g_strdup (ALEX);
  result->calendar_name = g_strdup (name);
  result->success = error == NULL;
  result->error = g_strdup (error);
  result->synced = synced;
  result->total = synced;
  return result;
}

static void
test_toast_titles (void)
{
  g_autoptr(CalsyncSyncReport) none = calsync_sync_report_new ();
  g_autoptr(CalsyncSyncReport) one = calsync_sync_report_new ();
  g_autoptr(CalsyncSyncReport) offline = calsync_sync_report_new ();
  g_autoptr(CalsyncSyncReport) failed = calsync_sync_report_new ();
  const char *offline_text = "You're offline. Check your connection and try again.";
  g_autofree char *title = NULL;
  gboolean persistent = TRUE;

  /* No calendars connected: no toast (the empty page says it) */
  g_assert_null (calsync_report_dialog_toast_title (none, &persistent));
  g_assert_null (calsync_report_dialog_new_toast (none));

  calsync_sync_report_add (one, result_new ("Primary", 1, NULL));
  title = calsync_report_dialog_toast_title (one, &persistent);
  g_assert_cmpstr (title, ==, "Synced 1 calendar — 1 new");
  g_assert_false (persistent);
  g_clear_pointer (&title, g_free);

  calsync_sync_report_add (offline, result_new ("Primary", 0, offline_text));
  calsync_sync_report_add (offline, result_new ("Team", 0, offline_text));
  title = calsync_report_dialog_toast_title (offline, &persistent);
  g_assert_cmpstr (title, ==, offline_text);
  g_assert_true (persistent);
  g_clear_pointer (&title, g_free);

  calsync_sync_report_add (failed, result_new ("Primary", 0, offline_text));
  calsync_sync_report_add (failed, result_new ("Team", 0, "Google refused access to this calendar."));
  calsync_sync_report_add (failed, result_new ("Other", 3, NULL));
  title = calsync_report_dialog_toast_title (failed, &persistent);
  g_assert_cmpstr (title, ==, "Could not sync 2 of 3 calendars");
  g_assert_true (persistent);
  g_clear_pointer (&title, g_free);

  /* Changes made here that the server took, and a conflict */
  {
    g_autoptr(CalsyncSyncReport) sent = calsync_sync_report_new ();
    CalsyncCalendarResult *result = result_new ("Primary", 0, NULL);

    result->pushed = 2;
    result->conflicts = 1;
    calsync_sync_report_add (sent, result);
    title = calsync_report_dialog_toast_title (sent, &persistent);
    g_assert_cmpstr (title, ==, "Synced 1 calendar — 2 sent, 1 conflict");
    g_assert_false (persistent);
  }
}

static void
test_f5_first_sync (void)
{
  CalsyncSyncButton *button = calsync_test_sync_button ();
  GtkWidget *inner = gtk_widget_get_first_child (GTK_WIDGET (button));
  AdwToast *toast;
  gint64 shown_at;

  /* 429 with Retry-After: 1 once: the sync takes a visible second */
  calsync_fake_google_set_fault (fake, ALEX, CALSYNC_FAKE_FAULT_RATE_LIMIT);
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
  g_assert_true (calsync_sync_engine_is_syncing (calsync_application_get_engine (app)));
  g_assert_true (calsync_sync_button_get_syncing (button));
  /* Busy, not insensitive: a focused Sync button keeps the keyboard focus */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (button)));
  g_assert_true (calsync_sync_button_get_spinning (button));
  g_assert_true (calsync_test_shows_label (GTK_WIDGET (button), "Syncing…"));
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "syncing.png");

  g_assert_true (calsync_test_wait_until (not_syncing, NULL, 60000));
  calsync_fake_google_set_fault (fake, ALEX, CALSYNC_FAKE_FAULT_NONE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (button)));
  g_assert_false (calsync_sync_button_get_spinning (button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (inner), ==, "Sync calendars (F5)\nLast synced just now");

  toast = assert_sync_toast ("Synced 2 calendars — 15 new");
  g_assert_cmpuint (adw_toast_get_timeout (toast), ==, 5);
  g_assert_cmpstr (adw_toast_get_action_name (toast), ==, "app.show-sync-report");

  /* Dismisses itself about 5 s after it shows */
  shown_at = g_get_monotonic_time ();
  g_assert_true (calsync_test_wait_until (toast_gone, NULL, 9000));
  g_assert_cmpint (g_get_monotonic_time () - shown_at, >=, 3500 * 1000);
}

/* What a sync that changes nothing costs the views: store emissions, and the
 * fewest chips any painted frame showed (a flicker would paint an empty month) */
typedef struct
{
  guint n_changed;
  guint n_frames;
  guint min_chips;
  CalsyncMonthView *month;
  guint chips;             /* shown before the sync */
} Repaints;

static void
count_changed_cb (CalsyncStore *store,
                  Repaints     *repaints)
{
  repaints->n_changed++;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Repaints      *repaints)
{
  repaints->n_frames++;
  repaints->min_chips = MIN (repaints->min_chips, calsync_month_view_get_n_events (repaints->month));
}

/* The month shows what the store holds in its range (every event of this test
 * is an hour on one day: one chip each) */
static gboolean
month_shows_store (gpointer data)
{
  CalsyncMonthView *month = data;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GPtrArray) events = NULL;

  calsync_month_view_get_range (month, &start, &end);
  events = calsync_store_query_range (calsync_application_get_store (app), g_date_time_to_unix (start),
                                      g_date_time_to_unix (end), NULL);
  return events != NULL && events->len > 0 && calsync_month_view_get_n_events (month) == events->len;
}

static gboolean
no_frame_with_fewer_chips (gpointer data)
{
  Repaints *repaints = data;

  return repaints->min_chips >= repaints->chips;
}

static void
up_to_date_sync_without_flicker (void)
{
  CalsyncWindow *window = calsync_test_window ();
  CalsyncStore *store = calsync_application_get_store (app);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  Repaints repaints = { 0, 0, G_MAXUINT, CALSYNC_MONTH_VIEW (calsync_window_get_month_view (window)), 0 };
  guint chips;
  gulong changed_id, paint_id;

  /* Let the reload after the previous sync land first (slow under ASan) */
  g_assert_true (calsync_test_wait_until (month_shows_store, repaints.month, 30000));
  chips = repaints.chips = calsync_month_view_get_n_events (repaints.month);

  g_assert_cmpuint (chips, >, 0);
  changed_id = g_signal_connect (store, "changed", G_CALLBACK (count_changed_cb), &repaints);
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &repaints);
  /* The toast's animation keeps frames coming while the sync runs and after:
   * no frame may show fewer chips while the views take the sync's changes */
  press_f5_and_wait ();
  g_assert_true (calsync_test_holds_for (no_frame_with_fewer_chips, &repaints, 500));
  g_signal_handler_disconnect (store, changed_id);
  g_signal_handler_disconnect (clock, paint_id);

  g_test_message ("sync with no changes: %u store change(s), %u frames painted, fewest chips %u of %u",
                  repaints.n_changed, repaints.n_frames, repaints.min_chips, chips);
  /* last_sync_at is written per calendar: the writes fold into one or two emissions */
  g_assert_cmpuint (repaints.n_changed, <=, 2);
  g_assert_cmpuint (repaints.n_frames, >, 0);
  g_assert_cmpuint (repaints.min_chips, ==, chips);
  g_assert_cmpuint (calsync_month_view_get_n_events (repaints.month), ==, chips);
}

static void
test_changes_toast (void)
{
  put_events (ALEX, "new-alex", 10);
  put_events (TEAM, "new-team", 5);
  put_event (ALEX, "alex0", "Renamed 0", 3);
  put_event (ALEX, "alex1", "Renamed 1", 4);
  put_event (TEAM, "team0", "Renamed team 0", 5);
  calsync_fake_google_cancel_event (fake, TEAM, "team1");

  press_f5_and_wait ();
  assert_sync_toast ("Synced 2 calendars — 15 new, 3 updated, 1 removed");
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "toast-success.png");

  /* Nothing changed on the server: the month repaints with the same chips */
  up_to_date_sync_without_flicker ();
  assert_sync_toast ("Calendars are up to date");
}

static gboolean
dialog_shown (gpointer data)
{
  return calsync_test_find_toplevel (CALSYNC_TYPE_REPORT_DIALOG, TRUE) != NULL;
}

static void
assert_copied_json (CalsyncReportDialog *dialog)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = calsync_sync_report_to_json (calsync_report_dialog_get_report (dialog));
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (dialog));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "report.copy-json", NULL));
  gdk_clipboard_read_text_async (clipboard, NULL, calsync_test_result_cb, &result);
  text = gdk_clipboard_read_text_finish (clipboard, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, json);
}

static gboolean
toast_stays (gpointer toast)
{
  return calsync_window_get_sync_toast (calsync_test_window ()) == toast &&
         calsync_test_shows_label (GTK_WIDGET (calsync_test_window ()), "Could not sync 1 of 2 calendars");
}

static gboolean
dialog_gone (gpointer data)
{
  return !dialog_shown (data);
}

static void
test_failure_toast_stays (void)
{
  CalsyncSyncReport *report;
  CalsyncReportDialog *dialog;
  AdwToast *toast;
  const CalsyncCalendarResult *team = NULL;

  calsync_http_set_retry_policy (calsync_application_get_http (app), 2, 50, 5000);
  calsync_fake_google_set_fault (fake, TEAM, CALSYNC_FAKE_FAULT_SERVER_ERROR);
  press_f5_and_wait ();

  toast = assert_sync_toast ("Could not sync 1 of 2 calendars");
  g_assert_cmpuint (adw_toast_get_timeout (toast), ==, 0);
  /* Longer than a success toast (5 s; the product has no hook to shorten it) */
  g_assert_true (calsync_test_holds_for (toast_stays, toast, 5500));
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "toast-error.png");

  report = calsync_application_get_last_report (app);
  g_assert_nonnull (report);
  for (guint i = 0; i < calsync_sync_report_get_n_results (report); i++)
    if (g_str_equal (calsync_sync_report_get_result (report, i)->calendar_name, "Team"))
      team = calsync_sync_report_get_result (report, i);
  g_assert_nonnull (team);
  g_assert_false (team->success);
  g_assert_cmpstr (team->error, ==, "Google is not responding right now. Try again later.");

  /* "Details" */
  g_action_group_activate_action (G_ACTION_GROUP (app), adw_toast_get_action_name (toast) + strlen ("app."), NULL);
  g_assert_true (calsync_test_wait_until (dialog_shown, NULL, 2000));
  dialog = CALSYNC_REPORT_DIALOG (calsync_test_find_toplevel (CALSYNC_TYPE_REPORT_DIALOG, TRUE));
  g_assert_true (calsync_report_dialog_get_report (dialog) == report);
  g_assert_nonnull (gtk_list_box_get_row_at_index (calsync_report_dialog_get_list (dialog), 1));
  g_assert_null (gtk_list_box_get_row_at_index (calsync_report_dialog_get_list (dialog), 2));
  g_assert_true (calsync_test_shows_label (GTK_WIDGET (dialog), "✗"));
  g_assert_true (calsync_test_shows_label (GTK_WIDGET (dialog), "✓"));
  {
    /* When it finished: the desktop's clock, no seconds, the date in words */
    g_autofree char *today = calsync_report_dialog_format_finished (calsync_sync_report_get_timestamp (report));
    g_autoptr(GDateTime) then = g_date_time_new_local (2026, 11, 24, 16, 25, 54);
    g_autofree char *earlier = calsync_report_dialog_format_finished (g_date_time_to_unix (then) * G_USEC_PER_SEC);

    g_assert_true (calsync_test_shows_label (GTK_WIDGET (dialog), today));
    g_assert_true (g_str_has_prefix (today, "Finished today at "));
    g_assert_true (g_regex_match_simple ("^Finished today at [0-9]{2}:[0-9]{2}$", today, 0, 0));
    g_assert_cmpstr (earlier, ==, "Finished on 24 November 2026 at 16:25");
  }
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "report-dialog.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "report-dialog-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  assert_copied_json (dialog);
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (calsync_test_wait_until (dialog_gone, NULL, 5000));

  /* A later good sync replaces the persistent toast instead of queueing behind it */
  calsync_fake_google_set_fault (fake, TEAM, CALSYNC_FAKE_FAULT_NONE);
  press_f5_and_wait ();
  assert_sync_toast ("Calendars are up to date");
}

static void
test_offline (void)
{
  g_autofree char *api_url = g_strdup (g_getenv ("CALSYNC_GOOGLE_API_URL"));
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autofree char *closed_url = NULL;
  CalsyncStore *store = calsync_application_get_store (app);
  gint64 events_before = calsync_store_count_events (store, 0, NULL);

  /* A port nobody listens on: connection refused, as with no network */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (address), TRUE, NULL));
  g_clear_object (&address);
  address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, NULL));
  closed_url = g_strdup_printf ("http://127.0.0.1:%u/calendar/v3", g_inet_socket_address_get_port (address));
  g_setenv ("CALSYNC_GOOGLE_API_URL", closed_url, TRUE);

  press_f5_and_wait ();
  assert_sync_toast ("You're offline. Check your connection and try again.");
  g_assert_cmpuint (adw_toast_get_timeout (calsync_window_get_sync_toast (calsync_test_window ())), ==, 0);

  /* F5, F5, F5 while offline: each sync fails at once and its toast takes the
   * place of one still sliding in (libadwaita 1.2 reads freed memory when such
   * a toast is dismissed: the window updates it instead) */
  for (guint i = 0; i < 3; i++)
    press_f5_and_wait ();
  assert_sync_toast ("You're offline. Check your connection and try again.");
  /* Nothing lost */
  g_assert_cmpint (calsync_store_count_events (store, 0, NULL), ==, events_before);

  g_setenv ("CALSYNC_GOOGLE_API_URL", api_url, TRUE);
}

static GtkWidget *
find_shortcut (GtkWidget  *widget,
               const char *action_name)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *name = NULL;

      g_object_get (widget, "action-name", &name, NULL);
      if (g_strcmp0 (name, action_name) == 0)
        return widget;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_shortcut (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_shortcuts_window (void)
{
  GtkWindow *shortcuts;
  GtkWidget *sync;
  g_autofree char *accelerator = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.show-help-overlay", NULL));
  shortcuts = calsync_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, TRUE);
  g_assert_nonnull (shortcuts);

  sync = find_shortcut (GTK_WIDGET (shortcuts), "app.sync");
  g_assert_nonnull (sync);
  g_object_get (sync, "accelerator", &accelerator, NULL);
  g_assert_nonnull (strstr (accelerator, "F5"));
  g_assert_nonnull (strstr (accelerator, "<Control>r"));
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "shortcuts.png");
  gtk_window_destroy (shortcuts);
}

static int
minimum_width (GtkWidget *widget)
{
  int minimum = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return minimum;
}

/* What the Sync button adds to the header's minimum width, idle and while it
 * says "Syncing…" (the label ellipsizes: only the spinner needs room) */
static void
test_narrow (void)
{
  CalsyncWindow *window = calsync_test_window ();
  GtkWidget *button = GTK_WIDGET (calsync_test_sync_button ());
  GtkWidget *header = gtk_widget_get_ancestor (button, ADW_TYPE_HEADER_BAR);
  int without, idle, syncing;

  if (calsync_window_get_sync_toast (window) != NULL)
    adw_toast_dismiss (calsync_window_get_sync_toast (window));

  gtk_widget_set_visible (button, FALSE);
  without = minimum_width (header);
  gtk_widget_set_visible (button, TRUE);
  idle = minimum_width (header);

  calsync_fake_google_set_fault (fake, ALEX, CALSYNC_FAKE_FAULT_RATE_LIMIT);
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
  syncing = minimum_width (header);
  g_test_message ("header minimum width: %d without the Sync button, %d with it, %d while syncing",
                  without, idle, syncing);
  g_assert_cmpint (idle - without, <=, 48);
  g_assert_cmpint (syncing - idle, <=, 24);

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 600);
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "narrow-syncing.png");
  g_assert_true (calsync_test_wait_until (not_syncing, NULL, 60000));
  calsync_fake_google_set_fault (fake, ALEX, CALSYNC_FAKE_FAULT_NONE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-sync-ui");

  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();
  g_test_add_func ("/sync-ui/last-sync-text", test_last_sync_text);
  g_test_add_func ("/sync-ui/toast-titles", test_toast_titles);
  g_test_add_func ("/sync-ui/button-idle", test_button_idle);
  g_test_add_func ("/sync-ui/f5-first-sync", test_f5_first_sync);
  g_test_add_func ("/sync-ui/changes-toast", test_changes_toast);
  g_test_add_func ("/sync-ui/failure-toast-stays", test_failure_toast_stays);
  g_test_add_func ("/sync-ui/offline", test_offline);
  g_test_add_func ("/sync-ui/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/sync-ui/narrow", test_narrow);

  fake = calsync_fake_google_new ();
  calsync_fake_google_export_env (fake);
  seed ();

  test_status = calsync_test_run_window_tests (&app, NULL, NULL);
  calsync_test_remove_tree (tmp);

  calsync_test_delete_secret (ACCOUNT_ID);
  g_clear_object (&fake);
  return test_status;
}
