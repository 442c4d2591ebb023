/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-two-way-ui.c: two-way sync in the real window under Xvfb — the "not yet
 * synced" mark on chips, blocks and the popover until a push takes the change;
 * Ctrl+Z and the toasts' Undo before a sync sends the change, and not after;
 * why the editor cannot change an event (an account signed in read-only, a
 * calendar read-only on the server); the "Notify guests" switch of Google
 * events with guests, kept by the outbox.
 *
 * With CALSYNC_SCREENSHOT_DIR=DIR set, screenshots of the root window are
 * written there with ImageMagick's `import`. */
#include "config.h"

#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-edit-undo.h"
#include "calsync-event-editor-private.h"
#include "calsync-event-editor.h"
#include "calsync-event-popover.h"
#include "calsync-event-widget.h"
#include "calsync-preferences-window.h"
#include "calsync-sync-engine.h"
#include "calsync-sync-report.h"
#include "calsync-test-utils.h"
#include "calsync-test-window.h"
#include "calsync-week-view.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

#define READ_ONLY_ACCOUNT_TEXT "CalSync may only read this account. Reconnect it in Preferences to allow changes."

static CalsyncApplication *app;
static int test_status;
static gint64 google_id, read_only_google_id, outlook_id, outlook_read_only_id;

/* Widgets ------------------------------------------------------------------ */

/* Month and week cross-fade: a screenshot waits for the end */
static gboolean
views_settled (gpointer data)
{
  GObject *stack = gtk_widget_get_template_child (GTK_WIDGET (calsync_test_window ()), CALSYNC_TYPE_WINDOW, "view_stack");

  return !gtk_stack_get_transition_running (GTK_STACK (stack));
}

static gboolean
chip_pending (gpointer title)
{
  GtkWidget *chip = calsync_test_find_chip (title);

  return chip != NULL && gtk_widget_has_css_class (chip, "pending");
}

static gboolean
chip_synced (gpointer title)
{
  GtkWidget *chip = calsync_test_find_chip (title);

  return chip != NULL && !gtk_widget_has_css_class (chip, "pending");
}

static gboolean
block_pending (gpointer title)
{
  GtkWidget *block = calsync_test_find_block (title);

  return block != NULL && gtk_widget_get_mapped (block) && gtk_widget_has_css_class (block, "pending");
}

static void
screenshot (const char *name)
{
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", name);
}

/* Store -------------------------------------------------------------------- */

static gint64
seed_calendar (const char *provider,
               const char *email,
               const char *name,
               const char *color,
               gboolean    account_read_only,
               gboolean    calendar_read_only)
{
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  calsync_account_set_provider (account, provider);
  calsync_account_set_email (account, email);
  calsync_account_set_read_only (account, account_read_only);
  account_id = calsync_store_add_account (calsync_test_app_store (), account, &error);
  g_assert_no_error (error);

  /* As sign-in stores them: the calendars of a read-only account are read-only */
  return calsync_test_store_add_calendar_full (calsync_test_app_store (), account_id, name, name, color,
                                               account_read_only || calendar_read_only
                                               ? CALSYNC_TEST_CALENDAR_READ_ONLY : 0);
}

/* A server event at @hour on 25 or 26 November 2026, Berlin time */
static gint64
apply_remote (gint64      calendar_id,
              const char *external_id,
              const char *title,
              int         day,
              int         hour,
              const char *attendees)
{
  gint64 start = calsync_test_local_time ("Europe/Berlin", 2026, 11, day, hour, 0);
  CalsyncEvent *event = calsync_test_timed_event (external_id, title, start, start + 3600, "Europe/Berlin");
  g_autoptr(CalsyncEvent) stored = NULL;

  calsync_event_set_etag (event, "\"v1\"");
  calsync_event_set_attendees_json (event, attendees);
  calsync_event_set_remote_updated (event, g_get_real_time () - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  calsync_test_store_apply_one (calsync_test_app_store (), calendar_id, event);

  stored = calsync_store_lookup_event (calsync_test_app_store (), calendar_id, external_id, NULL);
  g_assert_nonnull (stored);
  return calsync_event_get_id (stored);
}

static CalsyncEvent *
stored (gint64      calendar_id,
        const char *external_id)
{
  return calsync_store_lookup_event (calsync_test_app_store (), calendar_id, external_id, NULL);
}

/* What a sync's push leaves when the server took every waiting change */
static void
push_all (gint64 calendar_id)
{
  g_autoptr(GPtrArray) entries = calsync_store_list_outbox (calsync_test_app_store (), calendar_id, NULL);
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_WRITTEN, .etag = "\"pushed\"" };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, >, 0);
  for (guint i = 0; i < entries->len; i++)
    {
      g_assert_true (calsync_store_finish_push (calsync_test_app_store (), g_ptr_array_index (entries, i), &done, &error));
      g_assert_no_error (error);
    }
}

static void
rename_event (gint64      event_id,
              const char *title)
{
  CalsyncEventEditor *editor = calsync_test_edit_event_editor (event_id, 5000);

  gtk_editable_set_text (GTK_EDITABLE (calsync_test_editor_child (editor, "title_row")), title);
  calsync_test_save_editor (editor, 5000);
}

static gboolean
can_undo (gpointer data)
{
  return calsync_edit_undo_get_can_undo (calsync_window_get_edit_undo (calsync_test_window ()));
}

static gboolean
cannot_undo (gpointer data)
{
  return !can_undo (data);
}

static gboolean
title_is (gpointer title)
{
  g_autoptr(CalsyncEvent) event = stored (google_id, "standup");

  return event != NULL && g_strcmp0 (calsync_event_get_title (event), title) == 0;
}

/* A sync as the window sees it: started, the push, finished */
static void
pretend_sync (gint64 calendar_id)
{
  CalsyncSyncEngine *engine = calsync_application_get_engine (app);
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();

  g_assert_nonnull (engine);
  g_signal_emit_by_name (engine, "sync-started");
  if (calendar_id != 0)
    push_all (calendar_id);
  g_signal_emit_by_name (engine, "sync-finished", report);
}

/* Tests -------------------------------------------------------------------- */

static void
test_pending_mark (void)
{
  gint64 id = apply_remote (google_id, "standup", "Standup", 25, 10, NULL);
  GtkWidget *popover;

  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, "Standup", 5000));
  g_assert_true (chip_synced ("Standup"));

  rename_event (id, "Standup (moved)");
  g_assert_true (calsync_test_wait_until (chip_pending, "Standup (moved)", 5000));
  g_assert_true (calsync_test_wait_toast_shown (calsync_test_toast_overlay (), NULL, "Event changed"));
  screenshot ("pending-mark-month.png");

  popover = calsync_test_open_popover ("Standup (moved)");
  g_assert_true (gtk_widget_get_visible (calsync_test_popover_child (popover, "pending_box")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (calsync_test_popover_child (popover, "pending_box")), ==, "Not yet synced");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (calsync_test_popover_child (popover, "pending_box")), ==,
                   calsync_event_pending_text ());
  screenshot ("pending-mark-popover.png");
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (calsync_test_wait_until (calsync_test_unmapped, popover, 5000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.view-week", NULL));
  g_assert_true (calsync_test_wait_until (block_pending, "Standup (moved)", 5000));
  g_assert_true (calsync_test_wait_until (views_settled, NULL, 5000));
  screenshot ("pending-mark-week.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.view-month", NULL));

  /* The sync sends it: the mark goes, and so does the undo */
  pretend_sync (google_id);
  g_assert_true (calsync_test_wait_until (chip_synced, "Standup (moved)", 5000));
  g_assert_cmpint (calsync_store_count_outbox (calsync_test_app_store (), 0, NULL), ==, 0);
  g_assert_true (calsync_test_wait_until (cannot_undo, NULL, 5000));
}

static void
test_ctrl_z_after_edit (void)
{
  g_autoptr(CalsyncEvent) before = stored (google_id, "standup");

  g_assert_true (calsync_test_has_binding (GTK_WIDGET (calsync_test_window ()), "<Control>z", "win.undo"));
  g_assert_true (cannot_undo (NULL));

  rename_event (calsync_event_get_id (before), "Standup (typo)");
  g_assert_true (calsync_test_wait_until (chip_pending, "Standup (typo)", 5000));
  g_assert_true (can_undo (NULL));
  g_assert_cmpint (calsync_store_count_outbox (calsync_test_app_store (), google_id, NULL), ==, 1);
  g_assert_true (calsync_test_wait_toast_shown (calsync_test_toast_overlay (), NULL, "Event changed"));

  /* Ctrl+Z: the server's copy again, nothing left to send */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.undo", NULL));
  g_assert_true (calsync_test_wait_until (title_is, "Standup (moved)", 5000));
  g_assert_true (calsync_test_wait_until (chip_synced, "Standup (moved)", 5000));
  g_assert_cmpint (calsync_store_count_outbox (calsync_test_app_store (), 0, NULL), ==, 0);
  {
    g_autoptr(CalsyncEvent) after = stored (google_id, "standup");

    g_assert_cmpstr (calsync_event_get_etag (after), ==, calsync_event_get_etag (before));
    g_assert_false (calsync_event_get_locally_modified (after));
  }
  g_assert_true (cannot_undo (NULL));
}

static void
test_undo_asked_during_sync (void)
{
  g_autoptr(CalsyncEvent) event = stored (google_id, "standup");
  CalsyncSyncEngine *engine = calsync_application_get_engine (app);
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();

  rename_event (calsync_event_get_id (event), "Standup (late)");
  g_assert_true (calsync_test_wait_until (can_undo, NULL, 5000));
  g_assert_true (calsync_test_wait_toast_shown (calsync_test_toast_overlay (), NULL, "Event changed"));

  /* Asked while the sync pushes it: it waits for the sync, which sent it */
  g_signal_emit_by_name (engine, "sync-started");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.undo", NULL));
  push_all (google_id);
  g_signal_emit_by_name (engine, "sync-finished", report);
  g_assert_true (calsync_test_wait_until (cannot_undo, NULL, 5000));
  g_assert_true (calsync_test_wait_toast_shown (calsync_test_toast_overlay (), NULL,
                                                "The change cannot be undone: the sync has sent it"));
  g_assert_true (title_is ("Standup (late)"));
  g_assert_cmpint (calsync_store_count_outbox (calsync_test_app_store (), 0, NULL), ==, 0);

  /* Asked during a sync that did not send it (offline): done when it ends */
  rename_event (calsync_event_get_id (event), "Standup (offline)");
  g_assert_true (calsync_test_wait_until (can_undo, NULL, 5000));
  g_assert_true (calsync_test_wait_toast_shown (calsync_test_toast_overlay (), NULL, "Event changed"));
  g_signal_emit_by_name (engine, "sync-started");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.undo", NULL));
  g_assert_true (title_is ("Standup (offline)"));
  g_signal_emit_by_name (engine, "sync-finished", report);
  g_assert_true (calsync_test_wait_until (title_is, "Standup (late)", 5000));
  g_assert_true (calsync_test_wait_until (chip_synced, "Standup (late)", 5000));
  g_assert_cmpint (calsync_store_count_outbox (calsync_test_app_store (), 0, NULL), ==, 0);
}

static gboolean
created_gone (gpointer data)
{
  g_autoptr(GPtrArray) events = calsync_store_list_calendar_events (calsync_test_app_store (), google_id, G_MININT64, G_MAXINT64, NULL);

  for (guint i = 0; events != NULL && i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_title (g_ptr_array_index (events, i)), "Coffee") == 0)
      return FALSE;
  return events != NULL;
}

static void
test_undo_create (void)
{
  CalsyncEventEditor *editor;
  g_autoptr(GPtrArray) names = NULL;
  guint google_index = G_MAXUINT;
  GtkWidget *undo;

  editor = calsync_test_new_event_editor (5000);
  names = calsync_event_editor_list_calendar_names (editor);
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), "Work") == 0)
      google_index = i;
  g_assert_cmpuint (google_index, !=, G_MAXUINT);
  adw_combo_row_set_selected (ADW_COMBO_ROW (calsync_test_editor_child (editor, "calendar_row")), google_index);
  gtk_editable_set_text (GTK_EDITABLE (calsync_test_editor_child (editor, "title_row")), "Coffee");
  calsync_test_save_editor (editor, 5000);

  g_assert_true (calsync_test_wait_until (chip_pending, "Coffee", 5000));
  g_assert_true (calsync_test_wait_toast_shown (calsync_test_toast_overlay (), NULL, "Event created"));
  g_assert_cmpint (calsync_store_count_outbox (calsync_test_app_store (), google_id, NULL), ==, 1);

  /* The toast's Undo: gone, and nothing to send (a create then a delete) */
  undo = calsync_test_find_descendant (calsync_test_toast_overlay (), calsync_test_is_button_labelled, "_Undo");
  g_assert_nonnull (undo);
  gtk_widget_activate (undo);
  g_assert_true (calsync_test_wait_until (created_gone, NULL, 5000));
  g_assert_true (calsync_test_wait_until (calsync_test_chip_gone, "Coffee", 5000));
  g_assert_cmpint (calsync_store_count_outbox (calsync_test_app_store (), 0, NULL), ==, 0);
}

static void
test_read_only_reasons (void)
{
  gint64 mine = apply_remote (read_only_google_id, "mine", "Old Google event", 26, 9, NULL);
  gint64 shared = apply_remote (outlook_read_only_id, "shared", "Shared holiday", 26, 11, NULL);
  CalsyncEventEditor *editor;
  g_autoptr(GPtrArray) names = NULL;

  /* The account was signed in only to read: Preferences can fix it */
  editor = calsync_test_edit_event_editor (mine, 5000);
  g_assert_true (gtk_widget_get_visible (calsync_test_editor_child (editor, "read_only_box")));
  g_assert_cmpstr (calsync_event_editor_get_read_only_text (editor), ==, READ_ONLY_ACCOUNT_TEXT);
  g_assert_true (gtk_widget_get_visible (calsync_test_editor_child (editor, "preferences_button")));
  g_assert_false (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  g_assert_false (gtk_widget_get_visible (calsync_test_editor_child (editor, "delete_button")));
  screenshot ("editor-read-only-account.png");
  gtk_widget_activate (calsync_test_editor_child (editor, "preferences_button"));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 5000));
  {
    GtkWindow *prefs = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);

    g_assert_nonnull (prefs);
    g_assert_true (calsync_test_wait_until (calsync_test_mapped, prefs, 5000));
    gtk_window_destroy (prefs);
  }

  /* The server does not let this account change the calendar */
  editor = calsync_test_edit_event_editor (shared, 5000);
  g_assert_cmpstr (calsync_event_editor_get_read_only_text (editor), ==, "This calendar is read-only.");
  g_assert_false (gtk_widget_get_visible (calsync_test_editor_child (editor, "preferences_button")));
  g_assert_false (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  screenshot ("editor-read-only-calendar.png");
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 5000));

  /* New events go only where they can be sent: every writable calendar, no read-only one */
  editor = calsync_test_new_event_editor (5000);
  g_assert_null (calsync_event_editor_get_read_only_text (editor));
  names = calsync_event_editor_list_calendar_names (editor);
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "Personal");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "Work");
  g_assert_cmpstr (g_ptr_array_index (names, 2), ==, "Outlook");
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 5000));
}

#define GUESTS "[{\"email\":\"sam@example.com\",\"name\":\"Sam\",\"response\":\"accepted\",\"organizer\":false}]"

static gboolean
notify_shown (gint64 event_id)
{
  CalsyncEventEditor *editor = calsync_test_edit_event_editor (event_id, 5000);
  gboolean shown = gtk_widget_get_visible (calsync_test_editor_child (editor, "notify_group"));

  g_assert_false (gtk_switch_get_active (GTK_SWITCH (calsync_test_editor_child (editor, "notify_switch"))));
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 5000));
  return shown;
}

static void
test_notify_guests (void)
{
  gint64 review = apply_remote (google_id, "review", "Design review", 26, 14, GUESTS);
  gint64 alone = apply_remote (google_id, "focus", "Focus time", 26, 16, NULL);
  gint64 sync = apply_remote (outlook_id, "sync", "Team sync", 26, 15, GUESTS);
  g_autoptr(GPtrArray) entries = NULL;
  CalsyncEventEditor *editor;

  /* Only Google events with guests: Outlook tells guests itself, no guests no one to tell */
  g_assert_false (notify_shown (alone));
  g_assert_false (notify_shown (sync));

  editor = calsync_test_edit_event_editor (review, 5000);
  g_assert_true (gtk_widget_get_visible (calsync_test_editor_child (editor, "notify_group")));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (calsync_test_editor_child (editor, "notify_switch"))));
  gtk_switch_set_active (GTK_SWITCH (calsync_test_editor_child (editor, "notify_switch")), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (calsync_test_editor_child (editor, "title_row")), "Design review (moved)");
  screenshot ("editor-notify-guests.png");
  calsync_test_save_editor (editor, 5000);

  entries = calsync_store_list_outbox (calsync_test_app_store (), google_id, NULL);
  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((CalsyncOutboxEntry *) g_ptr_array_index (entries, 0))->key, ==, "review");
  g_assert_true (((CalsyncOutboxEntry *) g_ptr_array_index (entries, 0))->notify);
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* Off by default: an edit without it tells no one */
  push_all (google_id);
  editor = calsync_test_edit_event_editor (review, 5000);
  gtk_editable_set_text (GTK_EDITABLE (calsync_test_editor_child (editor, "title_row")), "Design review");
  calsync_test_save_editor (editor, 5000);
  entries = calsync_store_list_outbox (calsync_test_app_store (), google_id, NULL);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_false (((CalsyncOutboxEntry *) g_ptr_array_index (entries, 0))->notify);
}

static void
before_tests (void)
{
  google_id = seed_calendar ("google", "alex@example.com", "Work", "#e66100", FALSE, FALSE);
  read_only_google_id = seed_calendar ("google", "old@example.com", "Old account", "#26a269", TRUE, FALSE);
  outlook_id = seed_calendar ("outlook", "sam@example.com", "Outlook", "#1c71d8", FALSE, FALSE);
  outlook_read_only_id = seed_calendar ("outlook", "sam2@example.com", "Holidays (shared)", "#9141ac", FALSE, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-two-way-ui");

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/two-way-ui/pending-mark", test_pending_mark);
  g_test_add_func ("/two-way-ui/ctrl-z-after-edit", test_ctrl_z_after_edit);
  g_test_add_func ("/two-way-ui/undo-asked-during-sync", test_undo_asked_during_sync);
  g_test_add_func ("/two-way-ui/undo-create", test_undo_create);
  g_test_add_func ("/two-way-ui/read-only-reasons", test_read_only_reasons);
  g_test_add_func ("/two-way-ui/notify-guests", test_notify_guests);

  test_status = calsync_test_run_window_tests (&app, before_tests, NULL);
  calsync_test_remove_tree (tmp);

  return test_status;
}
