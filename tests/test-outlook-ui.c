/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-outlook-ui.c: the real window under Xvfb with a Google and an Outlook
 * account: both added from Preferences → Add Account through their fakes (the
 * browser is a SoupSession following the sign-in address), side by side in
 * Preferences, then synced with the Sync button; the report and the month view
 * show Outlook calendars like Google's.
 *
 * With CALSYNC_TEST_SCREENSHOTS=DIR set, screenshots of the root window are
 * written there with ImageMagick's `import`. */
#include "config.h"

#include <glib/gstdio.h>

#include "calsync-account-group-private.h"
#include "calsync-account-group.h"
#include "calsync-add-account-dialog.h"
#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-fake-google.h"
#include "calsync-fake-graph.h"
#include "calsync-month-view-private.h"
#include "calsync-month-view.h"
#include "calsync-preferences-window-private.h"
#include "calsync-preferences-window.h"
#include "calsync-sync-button.h"
#include "calsync-test-utils.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

#define ALEX "alex@example.com"
#define ANN  "ann@contoso.example"
#define ANN_DEFAULT "AAMkAGI2TGuLAAA="
#define ANN_TEAM "AAMkAGI2TGuLBBB="

static CalsyncApplication *app;
static CalsyncFakeGoogle *google;
static CalsyncFakeGraph *graph;
static int test_status;
static guint n_finished;

/* Widgets -------------------------------------------------------------------------- */

static gboolean
mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gboolean
add_account_dialog_gone (gpointer data)
{
  return calsync_test_find_toplevel (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG, TRUE) == NULL;
}

static CalsyncPreferencesWindow *
open_preferences (void)
{
  GtkWindow *window = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);

  if (window == NULL)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
      window = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);
    }
  g_assert_nonnull (window);
  g_assert_true (calsync_test_wait_until (mapped, window, 5000));
  return CALSYNC_PREFERENCES_WINDOW (window);
}

static gboolean
preferences_gone (gpointer data)
{
  return calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, FALSE) == NULL;
}

static void
close_preferences (void)
{
  GtkWindow *window = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);

  if (window != NULL)
    gtk_window_destroy (window);
  g_assert_true (calsync_test_wait_until (preferences_gone, NULL, 5000));
}

static CalsyncSyncButton *
get_sync_button (void)
{
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (calsync_test_get_window (app)),
                                                   CALSYNC_TYPE_WINDOW, "sync_button");

  g_assert_true (CALSYNC_IS_SYNC_BUTTON (button));
  return CALSYNC_SYNC_BUTTON (button);
}

/* The browser: follows the sign-in address, as a person who agrees would */
static void
followed_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GBytes *body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);

  g_clear_pointer (&body, g_bytes_unref);
}

static char *last_opened;

static void
soup_opener (GtkWindow  *parent,
             const char *uri)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);

  g_free (last_opened);
  last_opened = g_strdup (uri);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, followed_cb, NULL);
}

static gboolean
n_accounts_reached (gpointer data)
{
  CalsyncPreferencesWindow *prefs = CALSYNC_PREFERENCES_WINDOW (
    calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE));

  return prefs != NULL && calsync_preferences_window_get_n_accounts (prefs) >= GPOINTER_TO_UINT (data) &&
         add_account_dialog_gone (NULL);
}

static gint64
account_id_of (const char *provider)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (calsync_application_get_store (app), NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    if (g_strcmp0 (calsync_account_get_provider (g_ptr_array_index (accounts, i)), provider) == 0)
      return calsync_account_get_id (g_ptr_array_index (accounts, i));
  return 0;
}

static gboolean
sync_count_reached (gpointer data)
{
  return n_finished >= GPOINTER_TO_UINT (data);
}

static gboolean
toast_is_shown (gpointer data)
{
  return calsync_window_get_sync_toast (calsync_test_get_window (app)) != NULL;
}

static gboolean
month_shows (gpointer data)
{
  CalsyncMonthView *view = CALSYNC_MONTH_VIEW (calsync_window_get_month_view (calsync_test_get_window (app)));

  return calsync_month_view_get_n_events (view) == GPOINTER_TO_UINT (data);
}

/* Data --------------------------------------------------------------------------- */

static void
seed (void)
{
  calsync_fake_google_add_calendar (google, ALEX, ALEX, ALEX, TRUE);
  calsync_fake_google_put_event (google, ALEX,
    "{\"id\":\"lunch\",\"status\":\"confirmed\",\"summary\":\"Lunch with Sam\","
    "\"start\":{\"dateTime\":\"2026-11-17T12:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-11-17T13:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}");
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (google), ALEX);

  calsync_fake_graph_set_user (graph, ANN, ANN);
  calsync_fake_graph_add_calendar (graph, ANN_DEFAULT, "Calendar", "", "auto", TRUE, TRUE);
  calsync_fake_graph_add_calendar (graph, ANN_TEAM, "Contoso Team", "#e3008c", "lightPink", FALSE, FALSE);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"id\":\"AAMkReview%d\",\"subject\":\"Design review %d\",\"type\":\"singleInstance\","
        "\"isAllDay\":false,\"isCancelled\":false,"
        "\"body\":{\"contentType\":\"html\",\"content\":\"<p>Slides &amp; notes</p>\"},"
        "\"start\":{\"dateTime\":\"2026-11-%02dT09:00:00.0000000\",\"timeZone\":\"UTC\"},"
        "\"end\":{\"dateTime\":\"2026-11-%02dT10:00:00.0000000\",\"timeZone\":\"UTC\"},"
        "\"originalStartTimeZone\":\"W. Europe Standard Time\","
        "\"originalEndTimeZone\":\"W. Europe Standard Time\","
        "\"location\":{\"displayName\":\"Teams\"},"
        "\"organizer\":{\"emailAddress\":{\"name\":\"Ann\",\"address\":\"" ANN "\"}},"
        "\"attendees\":[],\"isOnlineMeeting\":true,"
        "\"onlineMeeting\":{\"joinUrl\":\"https://teams.microsoft.com/l/meetup-join/19%%3areview%d\"}}",
        i, i + 1, 10 + i, 10 + i, i);
      g_autoptr(JsonNode) node = json_from_string (json, NULL);

      g_assert_nonnull (node);
      calsync_fake_graph_put_event (graph, i == 2 ? ANN_TEAM : ANN_DEFAULT, json_node_get_object (node));
    }
}

/* Tests --------------------------------------------------------------------------- */

static void
test_add_both (void)
{
  CalsyncPreferencesWindow *prefs = open_preferences ();
  CalsyncAccountGroup *group;
  gint64 outlook_id;

  calsync_preferences_window_set_uri_opener (soup_opener);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-google", NULL));
  g_assert_true (calsync_test_wait_until (n_accounts_reached, GUINT_TO_POINTER (1), 10000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-outlook", NULL));
  g_assert_true (calsync_test_wait_until (n_accounts_reached, GUINT_TO_POINTER (2), 10000));
  g_assert_true (g_str_has_prefix (last_opened, calsync_fake_graph_get_auth_url (graph)));
  g_assert_nonnull (strstr (last_opened, "prompt=select_account"));

  outlook_id = account_id_of ("outlook");
  g_assert_cmpint (outlook_id, >, 0);
  group = calsync_preferences_window_get_account_group (prefs, outlook_id);
  g_assert_nonnull (group);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)), ==, ANN);
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), ==, "Outlook");
  g_assert_cmpuint (calsync_account_group_get_n_calendars (group), ==, 2);
  group = calsync_preferences_window_get_account_group (prefs, account_id_of ("google"));
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), ==, "Google");

  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-google-and-outlook.png");
  calsync_preferences_window_set_uri_opener (NULL);
  close_preferences ();
}

static void
test_sync_button (void)
{
  CalsyncSyncButton *button = get_sync_button ();
  GtkWidget *inner = gtk_widget_get_first_child (GTK_WIDGET (button));
  CalsyncSyncReport *report;
  AdwToast *toast;
  guint n_outlook = 0;
  guint target = n_finished + 1;

  gtk_widget_activate (inner);
  g_assert_true (calsync_test_wait_until (sync_count_reached, GUINT_TO_POINTER (target), 30000));
  report = calsync_application_get_last_report (app);
  g_assert_nonnull (report);
  g_assert_true (calsync_sync_report_get_success (report));
  for (guint i = 0; i < calsync_sync_report_get_n_results (report); i++)
    {
      const CalsyncCalendarResult *result = calsync_sync_report_get_result (report, i);

      if (g_strcmp0 (result->provider, "outlook") == 0)
        {
          n_outlook++;
          g_assert_cmpstr (result->email, ==, ANN);
        }
    }
  g_assert_cmpuint (n_outlook, ==, 2);

  g_assert_true (calsync_test_wait_until (toast_is_shown, NULL, 5000));
  toast = calsync_window_get_sync_toast (calsync_test_get_window (app));
  g_test_message ("toast: %s", adw_toast_get_title (toast));
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Synced 3 calendars — 4 new");

  /* November 2026 shows the Outlook and the Google events once it has reloaded */
  g_assert_true (calsync_test_wait_until (month_shows, GUINT_TO_POINTER (4), 5000));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "month-google-and-outlook.png");
}

/* Main ---------------------------------------------------------------------------- */

static void
sync_finished_cb (void)
{
  n_finished++;
}

static void
before_tests (void)
{
  calsync_http_set_retry_policy (calsync_application_get_http (app), 2, 1, 500);
  g_signal_connect (calsync_application_get_engine (app), "sync-finished", G_CALLBACK (sync_finished_cb), NULL);
}

static void
after_tests (void)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (calsync_application_get_store (app), NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    calsync_test_delete_secret (calsync_account_get_id (g_ptr_array_index (accounts, i)));
  close_preferences ();
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-outlook-ui");

  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();
  g_test_add_func ("/outlook-ui/add-both", test_add_both);
  g_test_add_func ("/outlook-ui/sync-button", test_sync_button);

  google = calsync_fake_google_new ();
  calsync_fake_google_export_env (google);
  graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (graph);
  seed ();
  app = calsync_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  test_status = calsync_test_run_in_app (app, before_tests, after_tests);
  g_clear_object (&app);
  g_clear_object (&graph);
  g_clear_object (&google);
  g_clear_pointer (&last_opened, g_free);
  g_rmdir (tmp);

  return test_status;
}
