/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-preferences.c: the real Preferences window under Xvfb against the fake Google:
 * Sync Now, accounts and their calendars, the status area, switches, add, reconnect
 * and remove. Tokens live in the real keyring (D-Bus session of the test suite).
 *
 * With CALSYNC_TEST_SCREENSHOTS=DIR set, screenshots of the root window are written
 * there with ImageMagick's `import`. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "calsync-account-group-private.h"
#include "calsync-account-group.h"
#include "calsync-add-account-dialog-private.h"
#include "calsync-add-account-dialog.h"
#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-caldav-dialog.h"
#include "calsync-fake-google.h"
#include "calsync-month-view-private.h"
#include "calsync-month-view.h"
#include "calsync-preferences-window-private.h"
#include "calsync-preferences-window.h"
#include "calsync-secrets.h"
#include "calsync-test-utils.h"
#include "calsync-test-window.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

#define ALEX "alex@example.com"
#define SAM "sam@example.com"
#define NEW "new@example.com"
#define TEAM_ID "team@group.calendar.google.com"

static CalsyncApplication *app;
static CalsyncFakeGoogle *fake;
static int test_status;
static gint64 alex_id, sam_id, alex_primary_id, team_id, sam_primary_id;

/* Widgets ------------------------------------------------------------------- */

static guint
month_events (void)
{
  return calsync_month_view_get_n_events (CALSYNC_MONTH_VIEW (calsync_window_get_month_view (calsync_test_window ())));
}

static gboolean
status_shown (gpointer data)
{
  return calsync_preferences_window_get_status_headline (data) != NULL;
}

static gboolean
status_hidden (gpointer data)
{
  return calsync_preferences_window_get_status_headline (data) == NULL;
}

/* Runs app.sync as F5 would and waits for ::sync-finished (the application,
 * the window and Preferences take the report in their handlers of it) */
static CalsyncSyncReport *
sync_and_wait (void)
{
  guint target = calsync_test_n_syncs () + 1;

  g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
  g_assert_true (calsync_test_wait_until (calsync_test_syncs_reached, GUINT_TO_POINTER (target), 30000));
  g_assert_true (calsync_test_wait_sync_toast ());
  return calsync_application_get_last_report (app);
}

static const CalsyncCalendarResult *
find_result (CalsyncSyncReport *report,
             gint64             calendar_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, calendar_id);

  for (guint i = 0; i < calsync_sync_report_get_n_results (report); i++)
    if (g_str_equal (calsync_sync_report_get_result (report, i)->connection_id, id))
      return calsync_sync_report_get_result (report, i);
  return NULL;
}

/* Data ---------------------------------------------------------------------- */

static gint64
add_account (const char *email)
{
  gint64 id = calsync_test_store_add_account (calsync_test_app_store (), "google", email);

  calsync_test_store_tokens (fake, email, id);
  return id;
}

static void
put_events (const char *calendar,
            const char *prefix,
            guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      int day = 2 + (int) (i % 26);
      g_autofree char *json = g_strdup_printf (
        "{\"kind\":\"calendar#event\",\"id\":\"%s%u\",\"status\":\"confirmed\",\"summary\":\"%s %u\","
        "\"start\":{\"dateTime\":\"2026-11-%02dT10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
        "\"end\":{\"dateTime\":\"2026-11-%02dT11:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}",
        prefix, i, prefix, i, day, day);

      calsync_fake_google_put_event (fake, calendar, json);
    }
}

/* The keyring is shared by every test of the suite and secrets are keyed by
 * account id: a local placeholder account with an id unique to this process
 * makes the ids of the accounts this test adds unique too (Preferences does
 * not list local accounts). */
static void
reserve_account_ids (void)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autofree char *path = calsync_store_default_path ();
  g_autofree char *sql = g_strdup_printf ("INSERT INTO accounts (id, provider, email) "
                                          "VALUES (%" G_GINT64_FORMAT ", 'local', 'placeholder.invalid')",
                                          (gint64) getpid () * 1000);
  sqlite3 *db = NULL;

  store = calsync_store_open (path, NULL);
  g_assert_nonnull (store);
  calsync_store_close (store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Tests --------------------------------------------------------------------- */

static void
test_no_accounts (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();

  g_assert_cmpuint (calsync_preferences_window_get_n_accounts (prefs), ==, 0);
  g_assert_false (gtk_widget_get_sensitive (calsync_preferences_window_get_sync_button (prefs)));
  g_assert_null (calsync_preferences_window_get_status_headline (prefs));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-empty.png");
  calsync_test_close_preferences ();
}

static void
test_two_accounts (void)
{
  CalsyncPreferencesWindow *prefs;
  CalsyncAccountGroup *alex, *sam;

  alex_id = add_account (ALEX);
  alex_primary_id = calsync_test_add_calendar (fake, calsync_application_get_store (app),
                                               alex_id, ALEX, ALEX, ALEX, "#3584e4");
  team_id = calsync_test_add_calendar (fake, calsync_application_get_store (app),
                                       alex_id, ALEX, TEAM_ID, "Team", "#e66100");
  sam_id = add_account (SAM);
  sam_primary_id = calsync_test_add_calendar (fake, calsync_application_get_store (app),
                                              sam_id, SAM, SAM, SAM, "#2ec27e");
  put_events (ALEX, "Standup", 10);
  put_events (TEAM_ID, "Planning", 4);
  put_events (SAM, "Review", 3);

  prefs = calsync_test_open_preferences ();
  g_assert_cmpuint (calsync_preferences_window_get_n_accounts (prefs), ==, 2);
  alex = calsync_preferences_window_get_account_group (prefs, alex_id);
  sam = calsync_preferences_window_get_account_group (prefs, sam_id);
  g_assert_nonnull (alex);
  g_assert_nonnull (sam);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (alex)), ==, ALEX);
  g_assert_cmpuint (calsync_account_group_get_n_calendars (alex), ==, 2);
  g_assert_cmpuint (calsync_account_group_get_n_calendars (sam), ==, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                     calsync_account_group_get_calendar_row (alex, team_id))), ==, "Team");
  g_assert_cmpstr (calsync_account_group_get_status_text (alex), ==, "Never synced");
  g_assert_true (gtk_widget_get_sensitive (calsync_preferences_window_get_sync_button (prefs)));
}

static void
test_sync_now (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  GtkWidget *button = calsync_preferences_window_get_sync_button (prefs);
  CalsyncAccountGroup *alex = calsync_preferences_window_get_account_group (prefs, alex_id);
  g_autofree char *text = NULL;
  guint target = calsync_test_n_syncs () + 1;

  g_signal_emit_by_name (button, "clicked");
  /* ::sync-started arrives before the first request goes out */
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_cmpstr (calsync_account_group_get_status_text (alex), ==, "Syncing…");
  g_assert_true (calsync_test_wait_until (calsync_test_syncs_reached, GUINT_TO_POINTER (target), 30000));
  g_assert_true (calsync_test_wait_sync_toast ());

  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_cmpstr (calsync_preferences_window_get_status_headline (prefs), ==, "Calendar sync completed");
  text = calsync_preferences_window_dup_status_text (prefs);
  g_test_message ("status: %s", text);
  g_assert_nonnull (strstr (text, "✓ " ALEX ": 10 new"));
  g_assert_nonnull (strstr (text, "✓ Team: 4 new"));
  g_assert_nonnull (strstr (text, "✓ " SAM ": 3 new"));
  g_assert_nonnull (strstr (text, "17\nSynced\n"));
  g_assert_nonnull (strstr (text, "17\nTotal\n"));
  g_assert_cmpstr (calsync_account_group_get_status_text (alex), ==, "Synced just now");
  g_assert_null (calsync_account_group_get_error_text (alex));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (calsync_account_group_get_calendar_row (alex, team_id))),
                   ==, "Last synced just now");
  gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 780);
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-two-accounts.png");
}

static void
test_success_clears (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  gint64 start = g_get_monotonic_time ();

  g_assert_nonnull (calsync_preferences_window_get_status_headline (prefs));
  g_assert_true (calsync_test_wait_until (status_hidden, prefs, 8000));
  /* Shown since the end of the previous test: close to five seconds in all */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 3 * G_USEC_PER_SEC);
}

static gboolean
month_below (gpointer data)
{
  return month_events () < GPOINTER_TO_UINT (data);
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

static gboolean
counted (gpointer data)
{
  return *(guint *) data > 0;
}

static void
test_switch_hides_and_excludes (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  CalsyncAccountGroup *alex = calsync_preferences_window_get_account_group (prefs, alex_id);
  GtkWidget *toggle = calsync_account_group_get_calendar_switch (alex, team_id);
  g_autoptr(CalsyncCalendar) calendar = NULL;
  CalsyncSyncReport *report;
  guint before = month_events ();
  guint n_changed = 0;
  gulong changed_id;

  g_assert_cmpuint (before, ==, 17);
  changed_id = g_signal_connect (calsync_application_get_store (app), "changed", G_CALLBACK (count_cb), &n_changed);
  gtk_widget_grab_focus (toggle);
  gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);

  /* Written in a worker thread: the month shows fewer events once it landed */
  g_assert_true (calsync_test_wait_until (month_below, GUINT_TO_POINTER (before), 5000));
  calendar = calsync_store_get_calendar (calsync_application_get_store (app), team_id, NULL);
  g_assert_false (calsync_calendar_get_is_active (calendar));
  g_assert_cmpuint (month_events (), ==, 13);

  /* The store's "changed" updated the rows in place: the same switch keeps the focus */
  g_assert_true (calsync_test_wait_until (counted, &n_changed, 5000));
  g_signal_handler_disconnect (calsync_application_get_store (app), changed_id);
  g_assert_true (calsync_account_group_get_calendar_switch (alex, team_id) == toggle);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (prefs)) == toggle);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));

  report = sync_and_wait ();
  g_assert_null (find_result (report, team_id));
  g_assert_nonnull (find_result (report, alex_primary_id));
  g_assert_cmpuint (month_events (), ==, 13);

  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  g_assert_true (calsync_test_wait_until (status_hidden, prefs, 8000));
}

/* How many labels of @widget's tree show @text (a sync error is shown, and
 * read by a screen reader, once) */
static guint
count_labels_with (GtkWidget  *widget,
                   const char *text)
{
  guint n = GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
            strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_labels_with (child, text);
  return n;
}

static void
test_failing_calendar (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  CalsyncAccountGroup *sam = calsync_preferences_window_get_account_group (prefs, sam_id);
  CalsyncAccountGroup *alex = calsync_preferences_window_get_account_group (prefs, alex_id);
  g_autofree char *text = NULL;
  g_autofree char *sam_error = NULL;
  g_autofree char *team_error = NULL;
  CalsyncSyncReport *report;

  put_events (ALEX, "Extra", 2);
  calsync_fake_google_put_event (fake, TEAM_ID,
    "{\"kind\":\"calendar#event\",\"id\":\"Planning0\",\"status\":\"confirmed\",\"summary\":\"Planning moved\","
    "\"start\":{\"dateTime\":\"2026-11-03T10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-11-03T11:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}");
  calsync_fake_google_set_fault (fake, SAM, CALSYNC_FAKE_FAULT_MALFORMED);
  report = sync_and_wait ();
  g_assert_false (find_result (report, sam_primary_id)->success);
  sam_error = g_strdup (find_result (report, sam_primary_id)->error);
  g_assert_nonnull (sam_error);

  g_assert_cmpstr (calsync_preferences_window_get_status_headline (prefs), ==, "Some calendars could not be synced");
  text = calsync_preferences_window_dup_status_text (prefs);
  g_test_message ("status: %s", text);
  g_assert_nonnull (strstr (text, "✗ " SAM ": not synced"));
  /* The error itself is not in the status card: it is said once, below */
  g_assert_null (strstr (text, sam_error));
  g_assert_nonnull (strstr (text, "✓ Team: 1 updated"));
  g_assert_nonnull (strstr (text, "✓ " ALEX ": 2 new"));
  g_assert_nonnull (calsync_account_group_get_error_text (sam));
  /* Sam's only calendar failed: the account's status row says why, its calendar row does not repeat it */
  g_assert_cmpstr (calsync_account_group_get_error_text (sam), ==, sam_error);
  g_assert_cmpuint (count_labels_with (GTK_WIDGET (prefs), sam_error), ==, 1);
  g_assert_cmpuint (count_labels_with (calsync_account_group_get_calendar_row (sam, sam_primary_id), sam_error), ==, 0);
  g_assert_null (calsync_account_group_get_error_text (alex));
  /* Sam synced well a moment ago, but not now: the status says so, and when it last succeeded */
  g_assert_cmpstr (calsync_account_group_get_status_text (sam), ==, "Last sync failed");
  g_test_message ("Sam: %s", calsync_account_group_get_status_subtitle (sam));
  g_assert_true (g_str_has_prefix (calsync_account_group_get_status_subtitle (sam), sam_error));
  g_assert_nonnull (strstr (calsync_account_group_get_status_subtitle (sam), "\nLast successful sync "));
  g_assert_cmpstr (calsync_account_group_get_status_text (alex), ==, "Synced just now");
  /* Its calendar row says when it last synced, not in the error colour */
  g_assert_false (gtk_widget_has_css_class (calsync_account_group_get_calendar_row (sam, sam_primary_id), "calsync-failed"));
  gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 780);
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-error.png");

  /* Errors stay: longer than a success does (five seconds; no hook to shorten it) */
  g_assert_true (calsync_test_holds_for (status_shown, prefs, 5500));
  calsync_fake_google_set_fault (fake, SAM, CALSYNC_FAKE_FAULT_NONE);

  /* One calendar of two fails: its row says why, once; the account counts it */
  calsync_fake_google_set_fault (fake, TEAM_ID, CALSYNC_FAKE_FAULT_MALFORMED);
  report = sync_and_wait ();
  g_assert_false (find_result (report, team_id)->success);
  g_assert_true (find_result (report, alex_primary_id)->success);
  team_error = g_strdup (find_result (report, team_id)->error);
  g_assert_cmpstr (calsync_account_group_get_error_text (alex), ==, "1 calendar could not be synced");
  g_assert_cmpstr (calsync_account_group_get_status_text (alex), ==, "Last sync failed");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (calsync_account_group_get_calendar_row (alex, team_id))),
                   ==, team_error);
  g_assert_cmpuint (count_labels_with (GTK_WIDGET (prefs), team_error), ==, 1);
  g_assert_true (gtk_widget_has_css_class (calsync_account_group_get_calendar_row (alex, team_id), "calsync-failed"));
  g_assert_null (calsync_account_group_get_error_text (sam));
  calsync_fake_google_set_fault (fake, TEAM_ID, CALSYNC_FAKE_FAULT_NONE);
}

static gboolean
needs_reconnect_shown (gpointer data)
{
  return gtk_widget_get_visible (calsync_account_group_get_reconnect_button (data));
}

static gboolean
needs_reconnect_hidden (gpointer data)
{
  return !needs_reconnect_shown (data);
}

static void
nowhere_opener (GtkWindow  *parent,
                const char *uri)
{
}

static gboolean
reconnected (gpointer data)
{
  g_autoptr(CalsyncAccount) account = calsync_store_get_account (calsync_application_get_store (app), sam_id, NULL);

  return account != NULL && !calsync_account_get_needs_reconnect (account) &&
         calsync_test_find_toplevel (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG, TRUE) == NULL;
}

static void
test_reconnect (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  CalsyncAccountGroup *sam = calsync_preferences_window_get_account_group (prefs, sam_id);
  CalsyncSyncReport *report;

  calsync_fake_oauth_expire_access_tokens (calsync_fake_google_get_oauth (fake));
  calsync_fake_oauth_revoke (calsync_fake_google_get_oauth (fake), SAM);
  report = sync_and_wait ();
  g_assert_false (find_result (report, sam_primary_id)->success);
  g_assert_true (calsync_test_wait_until (needs_reconnect_shown, sam, 5000));
  g_assert_cmpstr (calsync_account_group_get_status_text (sam), ==, "Needs reconnect");
  g_assert_cmpstr (calsync_account_group_get_error_text (sam), ==,
                   "Sign-in expired. Reconnect the account in Preferences.");
  /* The others signed in before the revocation: their refresh still works */
  gtk_widget_grab_focus (calsync_account_group_get_reconnect_button (sam));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-reconnect.png");

  calsync_preferences_window_set_uri_opener (calsync_test_soup_opener);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), SAM);
  g_signal_emit_by_name (calsync_account_group_get_reconnect_button (sam), "clicked");
  g_assert_true (calsync_test_wait_until (reconnected, NULL, 10000));
  /* The group follows the store's "changed", in place */
  g_assert_true (calsync_test_wait_until (needs_reconnect_hidden, sam, 5000));
  g_assert_true (calsync_preferences_window_get_account_group (prefs, sam_id) == sam);

  report = sync_and_wait ();
  g_assert_true (calsync_sync_report_get_success (report));
  g_assert_cmpstr (calsync_account_group_get_status_text (sam), ==, "Synced just now");
}

static gboolean
dialog_failed (gpointer data)
{
  return calsync_add_account_dialog_get_error_text (data) != NULL;
}

static gboolean
three_accounts (gpointer data)
{
  return calsync_preferences_window_get_n_accounts (data) == 3 &&
         calsync_test_find_toplevel (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG, TRUE) == NULL;
}

static gboolean
allow_changes_shown (gpointer data)
{
  return gtk_widget_get_visible (calsync_account_group_get_allow_changes_button (data));
}

static gboolean
allow_changes_hidden (gpointer data)
{
  return !allow_changes_shown (data);
}

static gboolean
writable_again (gpointer data)
{
  CalsyncStore *store = calsync_application_get_store (app);
  g_autoptr(CalsyncAccount) account = calsync_store_get_account (store, sam_id, NULL);
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (store, sam_primary_id, NULL);

  return account != NULL && !calsync_account_get_read_only (account) &&
         calendar != NULL && !calsync_calendar_get_read_only (calendar) &&
         calsync_test_find_toplevel (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG, TRUE) == NULL;
}

/* An account signed in before two-way sync (read-only scope): "Reconnect to
 * allow changes" signs in again with the write scope and keeps the account,
 * its calendars and its events */
static void
test_read_only_reconnect (void)
{
  CalsyncStore *store = calsync_application_get_store (app);
  g_autoptr(CalsyncAccount) account = calsync_store_get_account (store, sam_id, NULL);
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (store, sam_primary_id, NULL);
  g_autoptr(GError) error = NULL;
  CalsyncPreferencesWindow *prefs;
  CalsyncAccountGroup *sam;
  gint64 n_events = calsync_store_count_events (store, sam_primary_id, NULL);

  calsync_account_set_read_only (account, TRUE);
  g_assert_true (calsync_store_update_account (store, account, &error));
  calsync_calendar_set_read_only (calendar, TRUE);
  g_assert_true (calsync_store_update_calendar (store, calendar, &error));
  g_assert_no_error (error);

  prefs = calsync_test_open_preferences ();
  sam = calsync_preferences_window_get_account_group (prefs, sam_id);
  g_assert_true (calsync_test_wait_until (allow_changes_shown, sam, 5000));
  g_assert_cmpstr (calsync_account_group_get_status_subtitle (sam), ==, "Read-only access");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (calsync_account_group_get_allow_changes_button (sam))), ==,
                   "Reconnect to _allow changes");
  g_assert_false (gtk_widget_get_visible (calsync_account_group_get_reconnect_button (sam)));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-read-only.png");

  calsync_preferences_window_set_uri_opener (calsync_test_soup_opener);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), SAM);
  g_signal_emit_by_name (calsync_account_group_get_allow_changes_button (sam), "clicked");
  g_assert_true (calsync_test_wait_until (writable_again, NULL, 10000));
  g_assert_true (calsync_test_wait_until (allow_changes_hidden, sam, 5000));
  g_assert_cmpstr (calsync_account_group_get_status_subtitle (sam), !=, "Read-only access");
  /* The same account, its calendar and its events */
  g_assert_true (calsync_preferences_window_get_account_group (prefs, sam_id) == sam);
  g_assert_cmpint (calsync_store_count_events (store, sam_primary_id, NULL), ==, n_events);
  calsync_preferences_window_set_uri_opener (NULL);
}

static void
test_add_account (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  GtkWindow *dialog;
  g_autoptr(GPtrArray) accounts = NULL;
  gint64 new_id = 0;

  /* Cancel: nothing is added */
  calsync_preferences_window_set_uri_opener (nowhere_opener);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-google", NULL));
  dialog = calsync_test_find_toplevel (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG, TRUE);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Continue in Your Browser");
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-add-account.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_assert_true (calsync_test_wait_until (calsync_test_add_account_dialog_gone, NULL, 5000));
  g_assert_cmpuint (calsync_preferences_window_get_n_accounts (prefs), ==, 2);

  /* Consent refused: the dialog says so and stays until closed */
  calsync_fake_oauth_set_deny (calsync_fake_google_get_oauth (fake), TRUE);
  calsync_preferences_window_set_uri_opener (calsync_test_soup_opener);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-google", NULL));
  dialog = calsync_test_find_toplevel (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG, TRUE);
  g_assert_true (calsync_test_wait_until (dialog_failed, dialog, 10000));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Could Not Connect");
  g_test_message ("denied: %s", calsync_add_account_dialog_get_error_text (CALSYNC_ADD_ACCOUNT_DIALOG (dialog)));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_assert_true (calsync_test_wait_until (calsync_test_add_account_dialog_gone, NULL, 5000));
  g_assert_cmpuint (calsync_preferences_window_get_n_accounts (prefs), ==, 2);
  calsync_fake_oauth_set_deny (calsync_fake_google_get_oauth (fake), FALSE);

  /* CalDAV opens its own dialog (test-caldav-ui goes through it); closed, nothing is added */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-caldav", NULL));
  dialog = calsync_test_find_toplevel (CALSYNC_TYPE_CALDAV_DIALOG, TRUE);
  g_assert_nonnull (dialog);
  gtk_window_close (dialog);
  g_assert_null (calsync_test_find_toplevel (CALSYNC_TYPE_CALDAV_DIALOG, FALSE));
  g_assert_null (calsync_test_find_toplevel (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG, TRUE));
  g_assert_cmpuint (calsync_preferences_window_get_n_accounts (prefs), ==, 2);

  calsync_fake_google_add_calendar (fake, NEW, NEW, NEW, TRUE);
  calsync_fake_google_add_calendar (fake, NEW, "holidays@group.v.calendar.google.com", "Holidays", FALSE);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), NEW);
  calsync_preferences_window_set_uri_opener (calsync_test_soup_opener);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-google", NULL));
  g_assert_true (calsync_test_wait_until (three_accounts, prefs, 10000));

  accounts = calsync_store_list_accounts (calsync_application_get_store (app), NULL);
  for (guint i = 0; i < accounts->len; i++)
    if (g_strcmp0 (calsync_account_get_email (g_ptr_array_index (accounts, i)), NEW) == 0)
      new_id = calsync_account_get_id (g_ptr_array_index (accounts, i));
  g_assert_cmpint (new_id, >, 0);
  g_assert_cmpuint (calsync_account_group_get_n_calendars (calsync_preferences_window_get_account_group (prefs, new_id)), ==, 2);
  calsync_preferences_window_set_uri_opener (NULL);
}

static gboolean
three_accounts_kept (gpointer data)
{
  g_autoptr(CalsyncAccount) account = calsync_store_get_account (calsync_application_get_store (app), sam_id, NULL);

  return account != NULL && calsync_preferences_window_get_n_accounts (data) == 3;
}

static gboolean
two_accounts (gpointer data)
{
  return calsync_preferences_window_get_n_accounts (data) == 2;
}

static gboolean
secret_gone (gpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  calsync_secrets_lookup_async (*(gint64 *) data, NULL, calsync_test_result_cb, &result);
  secret = calsync_secrets_lookup_finish (calsync_test_spin (&result), &error);
  return secret == NULL && g_error_matches (error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND);
}

static void
test_remove_account (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  CalsyncAccountGroup *sam = calsync_preferences_window_get_account_group (prefs, sam_id);
  GtkWindow *dialog;

  g_signal_emit_by_name (calsync_account_group_get_remove_button (sam), "clicked");
  dialog = calsync_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, TRUE);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Remove " SAM "?");
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Its calendars and events are removed from this computer.");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);

  /* Cancel keeps it */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (dialog);
  /* A removal runs in a thread: give a wrong one the time to show */
  g_assert_true (calsync_test_holds_for (three_accounts_kept, prefs, 200));

  g_signal_emit_by_name (calsync_account_group_get_remove_button (sam), "clicked");
  dialog = calsync_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, TRUE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  gtk_window_destroy (dialog);
  g_assert_true (calsync_test_wait_until (two_accounts, prefs, 5000));
  g_assert_null (calsync_store_get_account (calsync_application_get_store (app), sam_id, NULL));
  g_assert_true (calsync_test_wait_until (secret_gone, &sam_id, 5000));
}

static gboolean
narrow (gpointer data)
{
  return gtk_widget_get_width (data) > 0 && gtk_widget_get_width (data) <= 400;
}

static void
test_dark_narrow (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  CalsyncPreferencesWindow *prefs;

  /* A fresh window: without a window manager no toast of the last one times out */
  calsync_test_close_preferences ();
  prefs = calsync_test_open_preferences ();

  calsync_fake_google_set_fault (fake, TEAM_ID, CALSYNC_FAKE_FAULT_MALFORMED);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_window_set_default_size (GTK_WINDOW (prefs), 360, 760);
  g_assert_true (calsync_test_wait_until (narrow, prefs, 5000));
  sync_and_wait ();
  g_assert_true (calsync_test_wait_until (status_shown, prefs, 1000));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-dark-narrow.png");
  /* At 360 px nothing is wider than the window */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (prefs)), <=, 400);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  calsync_fake_google_set_fault (fake, TEAM_ID, CALSYNC_FAKE_FAULT_NONE);
  calsync_test_close_preferences ();
}

/* Main ---------------------------------------------------------------------- */

static void
before_tests (void)
{
  /* Faults answer at once; no test waits for retries */
  calsync_http_set_retry_policy (calsync_application_get_http (app), 2, 1, 500);
  calsync_test_count_syncs ();
}

static void
after_tests (void)
{
  calsync_test_delete_all_secrets ();
  calsync_test_close_preferences ();
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-preferences");

  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();
  g_test_add_func ("/preferences/no-accounts", test_no_accounts);
  g_test_add_func ("/preferences/two-accounts", test_two_accounts);
  g_test_add_func ("/preferences/sync-now", test_sync_now);
  g_test_add_func ("/preferences/success-clears", test_success_clears);
  g_test_add_func ("/preferences/switch-hides-and-excludes", test_switch_hides_and_excludes);
  g_test_add_func ("/preferences/failing-calendar", test_failing_calendar);
  g_test_add_func ("/preferences/reconnect", test_reconnect);
  g_test_add_func ("/preferences/read-only-reconnect", test_read_only_reconnect);
  g_test_add_func ("/preferences/add-account", test_add_account);
  g_test_add_func ("/preferences/remove-account", test_remove_account);
  g_test_add_func ("/preferences/dark-narrow", test_dark_narrow);

  fake = calsync_fake_google_new ();
  calsync_fake_google_export_env (fake);
  reserve_account_ids ();

  test_status = calsync_test_run_window_tests (&app, before_tests, after_tests);
  g_clear_object (&fake);
  g_rmdir (tmp);

  return test_status;
}
