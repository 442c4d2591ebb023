/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-caldav-ui.c: the real window under Xvfb against a real Radicale on
 * 127.0.0.1 — Preferences → Add Account → CalDAV refused with a wrong password
 * and for plain http off this computer (nothing stored), then connected ("Found
 * 3 calendars", the account and its calendars in Preferences), synced with the
 * progress showing in the Sync button's tooltip and in Preferences; Preferences
 * with a Google, an Outlook and a CalDAV account; the editor of an event of a
 * read-only calendar.
 *
 * With CALSYNC_TEST_SCREENSHOTS=DIR set, screenshots of the root window are
 * written there with ImageMagick's `import`. */
#include "config.h"

#include <glib/gstdio.h>

#include "calsync-account-group-private.h"
#include "calsync-account-group.h"
#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-caldav-dialog-private.h"
#include "calsync-caldav-dialog.h"
#include "calsync-event-editor-private.h"
#include "calsync-event-editor.h"
#include "calsync-preferences-window-private.h"
#include "calsync-preferences-window.h"
#include "calsync-radicale.h"
#include "calsync-sync-button.h"
#include "calsync-sync-progress.h"
#include "calsync-test-utils.h"
#include "calsync-test-window.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

#define REFUSED "The server refused the user name or password"

static CalsyncApplication *app;
static CalsyncRadicale *radicale;
static char *tmp;
static GPtrArray *progress_seen;   /* "tooltip | label" while the sync ran */

/* Widgets -------------------------------------------------------------------- */

static gboolean
toplevel_gone (gpointer type)
{
  return calsync_test_find_toplevel (GPOINTER_TO_SIZE (type), FALSE) == NULL;
}

static GtkWidget *
child (gpointer    dialog,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (dialog), CALSYNC_TYPE_CALDAV_DIALOG, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

/* The mnemonic of a row: a label under it with an underlined key that
 * focuses something (Alt+key then reaches the field) */
static guint
mnemonic_of (GtkWidget *widget)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      guint keyval;

      if (GTK_IS_LABEL (c) && gtk_widget_get_visible (c) &&
          gtk_label_get_mnemonic_keyval (GTK_LABEL (c)) != GDK_KEY_VoidSymbol &&
          gtk_label_get_mnemonic_widget (GTK_LABEL (c)) != NULL)
        return gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (c)));
      if ((keyval = mnemonic_of (c)) != 0)
        return keyval;
    }
  return 0;
}

static CalsyncCaldavDialog *
open_caldav_dialog (CalsyncPreferencesWindow *prefs)
{
  GtkWindow *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-caldav", NULL));
  dialog = calsync_test_find_toplevel (CALSYNC_TYPE_CALDAV_DIALOG, TRUE);
  g_assert_nonnull (dialog);
  g_assert_true (calsync_test_wait_until (calsync_test_mapped, dialog, 5000));
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (prefs));
  return CALSYNC_CALDAV_DIALOG (dialog);
}

static void
fill (CalsyncCaldavDialog *dialog,
      const char          *server,
      const char          *username,
      const char          *password)
{
  calsync_caldav_dialog_set_preset (dialog, CALSYNC_CALDAV_PRESET_OTHER);
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "server_row")), server);
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "username_row")), username);
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "password_row")), password);
}

/* Enter in the password field, as a person would end the form */
static void
press_enter (CalsyncCaldavDialog *dialog)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (child (dialog, "password_row")));

  g_assert_nonnull (delegate);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (delegate)));
  /* What GtkText does on Enter (it has no activate_signal for gtk_widget_activate()) */
  g_signal_emit_by_name (delegate, "activate");
}

static gboolean
dialog_answered (gpointer dialog)
{
  return !calsync_caldav_dialog_get_busy (dialog) && calsync_caldav_dialog_get_status_text (dialog) != NULL;
}

static gboolean
busy_or_answered (gpointer dialog)
{
  return calsync_caldav_dialog_get_busy (dialog) || dialog_answered (dialog);
}

static guint
count_accounts (const char *provider)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (calsync_application_get_store (app), NULL);
  guint n = 0;

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    n += g_strcmp0 (calsync_account_get_provider (g_ptr_array_index (accounts, i)), provider) == 0;
  return n;
}

/* Tests ---------------------------------------------------------------------- */

static void
test_dialog_form (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  CalsyncCaldavDialog *dialog = open_caldav_dialog (prefs);
  GtkWidget *connect = child (dialog, "connect_button");
  g_autofree char *url = NULL;

  /* Every field has its Alt+key */
  g_assert_cmpuint (mnemonic_of (child (dialog, "preset_row")), ==, GDK_KEY_p);
  g_assert_cmpuint (mnemonic_of (child (dialog, "server_row")), ==, GDK_KEY_a);
  g_assert_cmpuint (mnemonic_of (child (dialog, "username_row")), ==, GDK_KEY_n);
  g_assert_cmpuint (mnemonic_of (child (dialog, "password_row")), ==, GDK_KEY_w);
  g_assert_cmpuint (mnemonic_of (gtk_widget_get_ancestor (child (dialog, "insecure_switch"), ADW_TYPE_ACTION_ROW)), ==, GDK_KEY_u);

  /* Connect waits for the form; each preset asks what it needs */
  g_assert_false (gtk_widget_get_sensitive (connect));
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog)) == connect);
  calsync_caldav_dialog_set_preset (dialog, CALSYNC_CALDAV_PRESET_ICLOUD);
  g_assert_false (gtk_widget_get_visible (child (dialog, "server_row")));
  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (dialog, "server_group"))),
                            "appleid.apple.com"));
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "username_row")), "alex@icloud.example");
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "caldav-dialog-icloud.png");
  url = calsync_caldav_dialog_dup_server_url (dialog);
  g_assert_cmpstr (url, ==, "https://caldav.icloud.com");
  g_clear_pointer (&url, g_free);
  calsync_caldav_dialog_set_preset (dialog, CALSYNC_CALDAV_PRESET_FASTMAIL);
  url = calsync_caldav_dialog_dup_server_url (dialog);
  g_assert_cmpstr (url, ==, "https://caldav.fastmail.com");
  g_clear_pointer (&url, g_free);
  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (dialog, "server_group"))),
                            "app password"));
  calsync_caldav_dialog_set_preset (dialog, CALSYNC_CALDAV_PRESET_NEXTCLOUD);
  g_assert_true (gtk_widget_get_visible (child (dialog, "server_row")));
  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (dialog, "server_group"))),
                            "https://cloud.example.com"));
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "server_row")), "cloud.example.com");
  url = calsync_caldav_dialog_dup_server_url (dialog);
  g_assert_cmpstr (url, ==, "https://cloud.example.com");
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "username_row")), CALSYNC_RADICALE_USER);
  g_assert_false (gtk_widget_get_sensitive (connect));
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "password_row")), "x");
  g_assert_true (gtk_widget_get_sensitive (connect));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "caldav-dialog.png");

  /* Esc closes it (a real key press through the X server); nothing was stored */
  g_assert_true (g_spawn_command_line_sync ("xdotool mousemove 200 300 key Escape", NULL, NULL, NULL, NULL));
  g_assert_true (calsync_test_wait_until (toplevel_gone, GSIZE_TO_POINTER (CALSYNC_TYPE_CALDAV_DIALOG), 5000));
  g_assert_cmpuint (count_accounts ("caldav"), ==, 0);
}

static void
test_wrong_password (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  CalsyncCaldavDialog *dialog = open_caldav_dialog (prefs);

  fill (dialog, calsync_radicale_get_url (radicale), CALSYNC_RADICALE_USER, "not-the-password");
  /* Enter typed in the password field, through the X server */
  gtk_widget_grab_focus (child (dialog, "password_row"));
  g_assert_true (calsync_test_wait_painted ());
  g_assert_true (g_spawn_command_line_sync ("xdotool mousemove 200 300 key Return", NULL, NULL, NULL, NULL));
  g_assert_true (calsync_test_wait_until (dialog_answered, dialog, 20000));
  g_assert_cmpstr (calsync_caldav_dialog_get_status_text (dialog), ==, REFUSED);
  g_assert_false (calsync_caldav_dialog_get_done (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "caldav-dialog-wrong-password.png");

  /* Nothing stored: no account, no group in Preferences */
  g_assert_cmpuint (count_accounts ("caldav"), ==, 0);
  g_assert_cmpuint (calsync_preferences_window_get_n_accounts (prefs), ==, 0);

  /* Plain http to another computer: refused before the password goes out */
  fill (dialog, "http://192.0.2.10:5232/", CALSYNC_RADICALE_USER, CALSYNC_RADICALE_PASSWORD);
  g_assert_null (calsync_caldav_dialog_get_status_text (dialog));
  /* (gtk_widget_activate() on a button clicks only after a moment) */
  g_signal_emit_by_name (child (dialog, "connect_button"), "clicked");
  g_assert_false (calsync_caldav_dialog_get_busy (dialog));
  g_assert_nonnull (strstr (calsync_caldav_dialog_get_status_text (dialog),
                            "turn on “Allow unencrypted connection (http)”"));
  g_assert_cmpuint (count_accounts ("caldav"), ==, 0);

  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (calsync_test_wait_until (toplevel_gone, GSIZE_TO_POINTER (CALSYNC_TYPE_CALDAV_DIALOG), 5000));
}

static gboolean
group_has_calendars (gpointer data)
{
  CalsyncPreferencesWindow *prefs = data;
  CalsyncAccountGroup *group = calsync_preferences_window_get_account_group (prefs, calsync_test_account_id_of ("caldav"));

  return group != NULL && calsync_account_group_get_n_calendars (group) == 3;
}

static void
test_add_account (void)
{
  CalsyncPreferencesWindow *prefs = calsync_test_open_preferences ();
  CalsyncCaldavDialog *dialog = open_caldav_dialog (prefs);
  CalsyncAccountGroup *group;

  fill (dialog, calsync_radicale_get_url (radicale), CALSYNC_RADICALE_USER, CALSYNC_RADICALE_PASSWORD);
  press_enter (dialog);
  /* Enter presses Connect, which clicks a moment later: a spinner while it looks */
  g_assert_true (calsync_test_wait_until (busy_or_answered, dialog, 5000));
  g_assert_true (calsync_test_wait_until (dialog_answered, dialog, 20000));
  g_test_message ("status: %s", calsync_caldav_dialog_get_status_text (dialog));
  g_assert_true (calsync_caldav_dialog_get_done (dialog));
  g_assert_cmpstr (calsync_caldav_dialog_get_status_text (dialog), ==, "Found 3 calendars");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (dialog, "connect_button"))), ==, "_Done");

  /* The account and its calendars are in Preferences, behind the dialog */
  g_assert_cmpuint (count_accounts ("caldav"), ==, 1);
  g_assert_true (calsync_test_wait_until (group_has_calendars, prefs, 5000));
  group = calsync_preferences_window_get_account_group (prefs, calsync_test_account_id_of ("caldav"));
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), ==, "CalDAV");
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "caldav-dialog-found.png");

  /* Done (the default: Enter) closes it */
  gtk_widget_activate (child (dialog, "connect_button"));
  g_assert_true (calsync_test_wait_until (toplevel_gone, GSIZE_TO_POINTER (CALSYNC_TYPE_CALDAV_DIALOG), 5000));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-caldav.png");
}

static void
progress_cb (CalsyncSyncProgress *progress)
{
  CalsyncPreferencesWindow *prefs = CALSYNC_PREFERENCES_WINDOW (
    calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE));
  GtkWidget *button = gtk_widget_get_first_child (GTK_WIDGET (calsync_test_sync_button ()));
  GtkWidget *prefs_button = calsync_preferences_window_get_sync_button (prefs);
  const char *tooltip = gtk_widget_get_tooltip_text (button);
  GtkWidget *label = gtk_widget_get_last_child (gtk_button_get_child (GTK_BUTTON (prefs_button)));
  CalsyncAccountGroup *group = calsync_preferences_window_get_account_group (prefs, calsync_test_account_id_of ("caldav"));

  if (calsync_sync_progress_get_text (progress) == NULL)
    return;
  g_ptr_array_add (progress_seen, g_strdup_printf ("%s | %s | %s", tooltip, gtk_label_get_text (GTK_LABEL (label)),
                                                   calsync_account_group_get_status_text (group)));
}

static gboolean
seen (const char *text)
{
  for (guint i = 0; i < progress_seen->len; i++)
    if (g_str_equal (g_ptr_array_index (progress_seen, i), text))
      return TRUE;
  return FALSE;
}

static void
test_progress (void)
{
  CalsyncSyncProgress *progress = calsync_sync_progress_get_for_engine (calsync_application_get_engine (app));
  GtkWidget *button = gtk_widget_get_first_child (GTK_WIDGET (calsync_test_sync_button ()));
  CalsyncSyncReport *report;
  const char *tooltip = NULL;
  guint target = calsync_test_n_syncs () + 1;

  calsync_test_open_preferences ();
  progress_seen = g_ptr_array_new_with_free_func (g_free);
  /* Radicale answers fast: show the count from the start instead of after a second */
  calsync_sync_progress_set_delay (progress, 0);
  g_signal_connect (progress, "notify::text", G_CALLBACK (progress_cb), NULL);

  gtk_widget_activate (button);
  g_assert_true (calsync_test_wait_until (calsync_test_syncs_reached, GUINT_TO_POINTER (target), 60000));
  g_signal_handlers_disconnect_by_func (progress, progress_cb, NULL);
  calsync_sync_progress_set_delay (progress, 1000);

  report = calsync_application_get_last_report (app);
  g_assert_nonnull (report);
  g_assert_true (calsync_sync_report_get_success (report));
  g_assert_cmpuint (calsync_sync_report_get_n_results (report), ==, 3);

  for (guint i = 0; i < progress_seen->len; i++)
    g_test_message ("progress: %s", (char *) g_ptr_array_index (progress_seen, i));
  g_assert_true (seen ("Syncing… 0 of 3 calendars | Syncing… 0 of 3 calendars | Syncing… 0 of 3 calendars"));
  g_assert_true (seen ("Syncing… 3 of 3 calendars | Syncing… 3 of 3 calendars | Syncing… 3 of 3 calendars"));
  g_clear_pointer (&progress_seen, g_ptr_array_unref);

  /* Done: the tooltip is back to when it last synced */
  g_assert_null (calsync_sync_progress_get_text (progress));
  tooltip = gtk_widget_get_tooltip_text (button);
  g_assert_true (g_str_has_prefix (tooltip, "Sync calendars (F5)\nLast synced"));
  calsync_test_close_preferences ();
}

static gboolean
reconnect_shown (gpointer data)
{
  CalsyncAccountGroup *group = calsync_preferences_window_get_account_group (data, calsync_test_account_id_of ("caldav"));

  return group != NULL && gtk_widget_get_visible (calsync_account_group_get_reconnect_button (group));
}

static void
test_reconnect (void)
{
  CalsyncStore *store = calsync_application_get_store (app);
  g_autoptr(CalsyncAccount) account = calsync_store_get_account (store, calsync_test_account_id_of ("caldav"), NULL);
  g_autoptr(CalsyncAccount) after = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncPreferencesWindow *prefs;
  CalsyncAccountGroup *group;
  GtkWindow *dialog;

  /* The password was refused at a sync: Reconnect asks for it again, the rest filled in */
  calsync_account_set_needs_reconnect (account, TRUE);
  g_assert_true (calsync_store_update_account (store, account, &error));
  g_assert_no_error (error);
  prefs = calsync_test_open_preferences ();
  g_assert_true (calsync_test_wait_until (reconnect_shown, prefs, 5000));
  group = calsync_preferences_window_get_account_group (prefs, calsync_test_account_id_of ("caldav"));
  g_signal_emit_by_name (calsync_account_group_get_reconnect_button (group), "clicked");
  dialog = calsync_test_find_toplevel (CALSYNC_TYPE_CALDAV_DIALOG, TRUE);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "server_row"))), ==,
                   calsync_account_get_server_url (account));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "username_row"))), ==, CALSYNC_RADICALE_USER);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "password_row"))), ==, "");

  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "password_row")), CALSYNC_RADICALE_PASSWORD);
  press_enter (CALSYNC_CALDAV_DIALOG (dialog));
  g_assert_true (calsync_test_wait_until (busy_or_answered, dialog, 5000));
  g_assert_true (calsync_test_wait_until (dialog_answered, dialog, 20000));
  g_assert_cmpstr (calsync_caldav_dialog_get_status_text (CALSYNC_CALDAV_DIALOG (dialog)), ==, "Found 3 calendars");
  gtk_window_close (dialog);

  /* The same account again, not a second one */
  g_assert_cmpuint (count_accounts ("caldav"), ==, 1);
  after = calsync_store_get_account (store, calsync_test_account_id_of ("caldav"), NULL);
  g_assert_cmpint (calsync_account_get_id (after), ==, calsync_account_get_id (account));
  g_assert_false (calsync_account_get_needs_reconnect (after));
  calsync_test_close_preferences ();
}

static gboolean
tall_enough (gpointer widget)
{
  return gtk_widget_get_height (widget) >= 780;
}

static void
test_three_providers (void)
{
  CalsyncStore *store = calsync_application_get_store (app);
  CalsyncPreferencesWindow *prefs;
  gint64 google, outlook;

  /* Staged in the store, as they look once signed in (test-outlook-ui signs in for real) */
  google = calsync_test_store_add_account (store, "google", "alex@example.com");
  calsync_test_store_add_calendar (store, google, "alex@example.com", "alex@example.com", "#33d17a");
  outlook = calsync_test_store_add_account (store, "outlook", "ann@contoso.example");
  calsync_test_store_add_calendar (store, outlook, "AAMkDefault", "Calendar", "#e66100");

  prefs = calsync_test_open_preferences ();
  g_assert_cmpuint (calsync_preferences_window_get_n_accounts (prefs), ==, 3);
  g_assert_cmpstr (adw_preferences_group_get_description (
                     ADW_PREFERENCES_GROUP (calsync_preferences_window_get_account_group (prefs, google))), ==, "Google");
  g_assert_cmpstr (adw_preferences_group_get_description (
                     ADW_PREFERENCES_GROUP (calsync_preferences_window_get_account_group (prefs, outlook))), ==, "Outlook");
  g_assert_cmpstr (adw_preferences_group_get_description (
                     ADW_PREFERENCES_GROUP (calsync_preferences_window_get_account_group (prefs, calsync_test_account_id_of ("caldav")))),
                   ==, "CalDAV");
  /* Tall enough for the three accounts */
  gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 790);
  g_assert_true (calsync_test_wait_until (tall_enough, prefs, 5000));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "preferences-google-outlook-caldav.png");
  calsync_test_close_preferences ();
}

static gint64
add_read_only_calendar (gint64 account_id)
{
  return calsync_test_store_add_calendar_full (calsync_test_app_store (), account_id, "holidays", "Public Holidays",
                                               "#9141ac", CALSYNC_TEST_CALENDAR_READ_ONLY);
}

static CalsyncEvent *
add_holiday (gint64 calendar_id)
{
  calsync_test_store_apply_one (calsync_test_app_store (), calendar_id,
                                calsync_test_all_day_event ("st-andrew", "St Andrew's Day", "2026-11-30", "2026-12-01"));
  return calsync_store_lookup_event (calsync_application_get_store (app), calendar_id, "st-andrew", NULL);
}

static void
test_read_only_editor (void)
{
  GtkWindow *window = GTK_WINDOW (calsync_test_get_window (app));
  gint64 account_id = calsync_test_account_id_of ("caldav");
  gint64 calendar_id = add_read_only_calendar (account_id > 0 ? account_id
                                               : calsync_test_store_add_account (calsync_application_get_store (app),
                                                                                 "caldav", CALSYNC_RADICALE_USER));
  g_autoptr(CalsyncEvent) holiday = add_holiday (calendar_id);
  g_autoptr(GDateTime) start = g_date_time_new_local (2026, 11, 26, 14, 0, 0);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncEventEditor *editor;

  /* Its event opens, says why it cannot be changed, and offers neither Save nor Delete */
  g_assert_nonnull (holiday);
  editor = calsync_event_editor_new (window, calsync_application_get_store (app), holiday, NULL);
  gtk_window_present (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (calsync_test_mapped, editor, 5000));
  g_assert_cmpstr (calsync_event_editor_get_read_only_text (editor), ==,
                   "This calendar is read-only.");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (editor),
                                                       CALSYNC_TYPE_EVENT_EDITOR, "save_button"))));
  g_assert_false (calsync_event_editor_save (editor, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (editor),
                                                      CALSYNC_TYPE_EVENT_EDITOR, "delete_button"))));
  calsync_test_screenshot ("CALSYNC_TEST_SCREENSHOTS", "editor-read-only.png");
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 5000));

  /* A new event is not offered the read-only calendar */
  editor = calsync_event_editor_new (window, calsync_application_get_store (app), NULL, start);
  g_assert_null (calsync_event_editor_get_read_only_text (editor));
  names = calsync_event_editor_list_calendar_names (editor);
  for (guint i = 0; i < names->len; i++)
    {
      g_test_message ("offered: %s", (char *) g_ptr_array_index (names, i));
      g_assert_cmpstr (g_ptr_array_index (names, i), !=, "Public Holidays");
    }
  g_assert_cmpuint (names->len, >=, 4);   /* Personal and the three Radicale calendars at least */
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 5000));
}

/* Main ----------------------------------------------------------------------- */

static void
before_tests (void)
{
  /* Screenshots show the rows at rest, not halfway through their animations */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  calsync_http_set_retry_policy (calsync_application_get_http (app), 2, 1, 500);
  calsync_test_count_syncs ();
}

static void
after_tests (void)
{
  calsync_test_delete_all_secrets ();
  calsync_test_close_preferences ();
}

static void
seed (void)
{
  static const char * const names[][2] = {
    { "work", "Work" }, { "home", "Home" }, { "club", "Climbing Club" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *ics = g_strdup_printf (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync tests//EN\r\n"
        "BEGIN:VEVENT\r\nUID:%s-1@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART:20261126T090000Z\r\nDTEND:20261126T100000Z\r\nSUMMARY:%s meeting\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n", names[i][0], names[i][1]);
      g_autofree char *resource = g_strdup_printf ("%s-1.ics", names[i][0]);
      g_autofree char *etag = NULL;

      calsync_radicale_mkcalendar (radicale, names[i][0], names[i][1]);
      etag = calsync_radicale_put (radicale, names[i][0], resource, ics);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *radicale_dir = NULL;
  int status;

  tmp = calsync_test_setup_env ("test-caldav-ui");
  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();
  if (!calsync_radicale_available ())
    calsync_test_skip_all ("no Radicale (apt install radicale)");

  g_test_add_func ("/caldav-ui/dialog-form", test_dialog_form);
  g_test_add_func ("/caldav-ui/wrong-password", test_wrong_password);
  g_test_add_func ("/caldav-ui/add-account", test_add_account);
  g_test_add_func ("/caldav-ui/progress", test_progress);
  g_test_add_func ("/caldav-ui/reconnect", test_reconnect);
  g_test_add_func ("/caldav-ui/three-providers", test_three_providers);
  g_test_add_func ("/caldav-ui/read-only-editor", test_read_only_editor);

  radicale_dir = g_build_filename (tmp, "radicale", NULL);
  g_assert_cmpint (g_mkdir_with_parents (radicale_dir, 0700), ==, 0);
  radicale = calsync_radicale_start (radicale_dir, 170);
  seed ();

  status = calsync_test_run_window_tests (&app, before_tests, after_tests);
  g_clear_pointer (&radicale, calsync_radicale_free);
  calsync_test_remove_tree (tmp);
  g_clear_pointer (&tmp, g_free);

  return status;
}
