/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-outlook-ui.c: the real window under Xvfb with a Google and an Outlook
 * account: both added from Preferences → Add Account through their fakes (the
 * browser is a SoupSession following the sign-in address), side by side in
 * Preferences, then synced with the Sync button; the report and the month view
 * show Outlook calendars like Google's. Two-way: an event created in the
 * editor in the Google calendar and one in the Outlook calendar are on the
 * fakes after pressing Sync (the toast counts them as sent), and later
 * changes made on the servers come back to the window.
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
#include "calsync-event-editor-private.h"
#include "calsync-event-editor.h"
#include "calsync-fake-google.h"
#include "calsync-fake-graph.h"
#include "calsync-month-view-private.h"
#include "calsync-month-view.h"
#include "calsync-preferences-window-private.h"
#include "calsync-preferences-window.h"
#include "calsync-sync-button.h"
#include "calsync-test-utils.h"
#include "calsync-test-window.h"
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

/* Widgets -------------------------------------------------------------------------- */

static char *last_opened;

/* The browser, which keeps the address it was given */
static void
soup_opener (GtkWindow  *parent,
             const char *uri)
{
  g_free (last_opened);
  last_opened = g_strdup (uri);
  calsync_test_soup_opener (parent, uri);
}

static gboolean
n_accounts_reached (gpointer data)
{
  CalsyncPreferencesWindow *prefs = CALSYNC_PREFERENCES_WINDOW (
    calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE));

  return prefs != NULL && calsync_preferences_window_get_n_accounts (prefs) >= GPOINTER_TO_UINT (data) &&
         calsync_test_add_account_dialog_gone (NULL);
}

static gboolean
toast_is_shown (gpointer data)
{
  return calsync_window_get_sync_toast (calsync_test_window ()) != NULL;
}

static gboolean
month_shows (gpointer data)
{
  CalsyncMonthView *view = CALSYNC_MONTH_VIEW (calsync_window_get_month_view (calsync_test_window ()));

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
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  CalsyncAccountGroup *group;
  gint64 outlook_id;

  calsync_preferences_window_set_uri_opener (soup_opener);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-google", NULL));
  g_assert_true (calsync_test_wait_until (n_accounts_reached, GUINT_TO_POINTER (1), 10000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-outlook", NULL));
  g_assert_true (calsync_test_wait_until (n_accounts_reached, GUINT_TO_POINTER (2), 10000));
  g_assert_true (g_str_has_prefix (last_opened, calsync_fake_graph_get_auth_url (graph)));
  g_assert_nonnull (strstr (last_opened, "prompt=select_account"));

  outlook_id = calsync_test_account_id_of ("outlook");
  g_assert_cmpint (outlook_id, >, 0);
  group = calsync_preferences_window_get_account_group (prefs, outlook_id);
  g_assert_nonnull (group);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)), ==, ANN);
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), ==, "Outlook");
  g_assert_cmpuint (calsync_account_group_get_n_calendars (group), ==, 2);
  group = calsync_preferences_window_get_account_group (prefs, calsync_test_account_id_of ("google"));
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), ==, "Google");

  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-google-and-outlook.png");
  calsync_preferences_window_set_uri_opener (NULL);
  calsync_test_close_preferences ();
}

static void
test_sync_button (void)
{
  CalsyncSyncButton *button = calsync_test_sync_button ();
  GtkWidget *inner = gtk_widget_get_first_child (GTK_WIDGET (button));
  CalsyncSyncReport *report;
  AdwToast *toast;
  guint n_outlook = 0;
  guint target = calsync_test_n_syncs () + 1;

  gtk_widget_activate (inner);
  g_assert_true (calsync_test_wait_until (calsync_test_syncs_reached, GUINT_TO_POINTER (target), 30000));
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
  toast = calsync_window_get_sync_toast (calsync_test_window ());
  g_test_message ("toast: %s", adw_toast_get_title (toast));
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Synced 3 calendars — 4 new");

  /* November 2026 shows the Outlook and the Google events once it has reloaded */
  g_assert_true (calsync_test_wait_until (month_shows, GUINT_TO_POINTER (4), 5000));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "month-google-and-outlook.png");
}

/* Two-way ------------------------------------------------------------------------- */

/* A new event made in the editor, in the calendar the editor names @calendar */
static void
create_in_editor (const char *title,
                  const char *calendar)
{
  CalsyncEventEditor *editor;
  g_autoptr(GPtrArray) names = NULL;
  guint index = G_MAXUINT;

  editor = calsync_test_new_event_editor (5000);
  names = calsync_event_editor_list_calendar_names (editor);
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), calendar) == 0)
      index = i;
  if (index == G_MAXUINT)
    {
      g_autofree char *offered = NULL;

      g_ptr_array_add (names, NULL);
      offered = g_strjoinv (", ", (char **) names->pdata);
      g_error ("The editor does not offer the calendar “%s” for a new event; it offers: %s", calendar, offered);
    }
  adw_combo_row_set_selected (ADW_COMBO_ROW (calsync_test_editor_child (editor, "calendar_row")), index);
  gtk_editable_set_text (GTK_EDITABLE (calsync_test_editor_child (editor, "title_row")), title);
  g_assert_null (calsync_event_editor_get_read_only_text (editor));
  g_assert_true (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  calsync_test_save_editor (editor, 5000);
}

static char *
google_event_titled (const char *title)
{
  g_autoptr(GPtrArray) ids = calsync_fake_google_list_event_ids (google, ALEX);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *json = calsync_fake_google_dup_event (google, ALEX, g_ptr_array_index (ids, i));
      g_autoptr(JsonNode) node = json ? json_from_string (json, NULL) : NULL;

      if (node != NULL && g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node),
                                                                                 "summary", NULL), title) == 0)
        return g_strdup (g_ptr_array_index (ids, i));
    }
  return NULL;
}

/* Whether the window's store holds an event titled @title */
static gboolean
stored_titled (gpointer title)
{
  CalsyncStore *store = calsync_application_get_store (app);
  g_autoptr(GPtrArray) events = calsync_store_query_range (store, 1767225600 /* 2026-01-01 */, 1830297600 /* 2028-01-01 */, NULL);

  for (guint i = 0; events != NULL && i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_title (g_ptr_array_index (events, i)), title) == 0)
      return TRUE;
  return FALSE;
}

static void
press_sync (void)
{
  GtkWidget *inner = gtk_widget_get_first_child (GTK_WIDGET (calsync_test_sync_button ()));
  guint target = calsync_test_n_syncs () + 1;

  gtk_widget_activate (inner);
  g_assert_true (calsync_test_wait_until (calsync_test_syncs_reached, GUINT_TO_POINTER (target), 30000));
}

static void
test_two_way (void)
{
  CalsyncSyncReport *report;
  AdwToast *toast;
  g_autofree char *google_id = NULL;
  g_autofree char *graph_id = NULL;
  g_autofree char *changed = NULL;
  g_autoptr(JsonObject) on_graph = NULL;
  guint pushed = 0;

  create_in_editor ("Retro from the window", ALEX);
  create_in_editor ("Budget from the window", "Calendar");
  g_assert_true (calsync_test_wait_until (stored_titled, (gpointer) "Budget from the window", 5000));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "two-way-before-sync.png");

  press_sync ();
  report = calsync_application_get_last_report (app);
  g_assert_true (calsync_sync_report_get_success (report));
  for (guint i = 0; i < calsync_sync_report_get_n_results (report); i++)
    pushed += calsync_sync_report_get_result (report, i)->pushed;
  g_assert_cmpuint (pushed, ==, 2);
  g_assert_true (calsync_test_wait_until (toast_is_shown, NULL, 5000));
  toast = calsync_window_get_sync_toast (calsync_test_window ());
  g_test_message ("toast: %s", adw_toast_get_title (toast));
  g_assert_nonnull (strstr (adw_toast_get_title (toast), "2 sent"));

  google_id = google_event_titled ("Retro from the window");
  g_assert_nonnull (google_id);
  graph_id = calsync_fake_graph_find_event_id (graph, ANN_DEFAULT, "Budget from the window");
  g_assert_nonnull (graph_id);
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "two-way-after-sync.png");

  /* Changed on the servers (a phone): the next Sync brings both back */
  changed = g_strdup_printf ("{\"id\":\"%s\",\"status\":\"confirmed\",\"summary\":\"Retro (moved by phone)\","
                             "\"start\":{\"dateTime\":\"2026-11-26T15:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
                             "\"end\":{\"dateTime\":\"2026-11-26T16:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}",
                             google_id);
  calsync_fake_google_put_event (google, ALEX, changed);
  on_graph = calsync_fake_graph_dup_event (graph, ANN_DEFAULT, graph_id);
  g_assert_nonnull (on_graph);
  json_object_set_string_member (on_graph, "subject", "Budget (renamed in Outlook)");
  calsync_fake_graph_put_event (graph, ANN_DEFAULT, on_graph);

  press_sync ();
  g_assert_true (calsync_sync_report_get_success (calsync_application_get_last_report (app)));
  g_assert_true (calsync_test_wait_until (stored_titled, (gpointer) "Retro (moved by phone)", 5000));
  g_assert_true (calsync_test_wait_until (stored_titled, (gpointer) "Budget (renamed in Outlook)", 5000));
  g_assert_false (stored_titled ((gpointer) "Retro from the window"));
  g_assert_false (stored_titled ((gpointer) "Budget from the window"));
}

/* Main ---------------------------------------------------------------------------- */

static void
before_tests (void)
{
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
  g_autofree char *tmp = calsync_test_setup_env ("test-outlook-ui");

  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();
  g_test_add_func ("/outlook-ui/add-both", test_add_both);
  g_test_add_func ("/outlook-ui/sync-button", test_sync_button);
  g_test_add_func ("/outlook-ui/two-way", test_two_way);

  google = calsync_fake_google_new ();
  calsync_fake_google_export_env (google);
  graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (graph);
  seed ();
  test_status = calsync_test_run_window_tests (&app, before_tests, after_tests);
  g_clear_object (&graph);
  g_clear_object (&google);
  g_clear_pointer (&last_opened, g_free);
  g_rmdir (tmp);

  return test_status;
}
