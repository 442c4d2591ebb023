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

static CalsyncWindow *
get_window (void)
{
  return calsync_test_get_window (app);
}

static CalsyncEventEditor *
find_editor (void)
{
  return (CalsyncEventEditor *) calsync_test_find_toplevel (CALSYNC_TYPE_EVENT_EDITOR, TRUE);
}

static gboolean
editor_open (gpointer data)
{
  return find_editor () != NULL;
}

static gboolean
editor_closed (gpointer data)
{
  return calsync_test_find_toplevel (CALSYNC_TYPE_EVENT_EDITOR, FALSE) == NULL;
}

static GtkWidget *
editor_child (CalsyncEventEditor *editor,
              const char         *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (editor), CALSYNC_TYPE_EVENT_EDITOR, id);

  g_assert_true (GTK_IS_WIDGET (object));
  return GTK_WIDGET (object);
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 gboolean (*match) (GtkWidget *, gconstpointer),
                 gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_event_titled (GtkWidget     *widget,
                 gconstpointer  title)
{
  return CALSYNC_IS_EVENT_WIDGET (widget) && gtk_widget_get_child_visible (widget) &&
         g_strcmp0 (calsync_event_get_title (calsync_event_widget_get_event (CALSYNC_EVENT_WIDGET (widget))),
                    title) == 0;
}

static GtkWidget *
find_chip (const char *title)
{
  return find_descendant (calsync_window_get_month_view (get_window ()), is_event_titled, title);
}

static gboolean
chip_shown (gpointer title)
{
  return find_chip (title) != NULL;
}

static gboolean
chip_gone (gpointer title)
{
  return find_chip (title) == NULL;
}

/* Month and week cross-fade: a screenshot waits for the end */
static gboolean
views_settled (gpointer data)
{
  GObject *stack = gtk_widget_get_template_child (GTK_WIDGET (get_window ()), CALSYNC_TYPE_WINDOW, "view_stack");

  return !gtk_stack_get_transition_running (GTK_STACK (stack));
}

static gboolean
chip_pending (gpointer title)
{
  GtkWidget *chip = find_chip (title);

  return chip != NULL && gtk_widget_has_css_class (chip, "pending");
}

static gboolean
chip_synced (gpointer title)
{
  GtkWidget *chip = find_chip (title);

  return chip != NULL && !gtk_widget_has_css_class (chip, "pending");
}

static gboolean
block_pending (gpointer title)
{
  GtkWidget *block = find_descendant (calsync_window_get_week_view (get_window ()), is_event_titled, title);

  return block != NULL && gtk_widget_get_mapped (block) && gtk_widget_has_css_class (block, "pending");
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  text)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), text) == 0;
}

static gboolean
mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gboolean
unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

static GtkWidget *
toast_overlay (void)
{
  GObject *overlay = gtk_widget_get_template_child (GTK_WIDGET (get_window ()), CALSYNC_TYPE_WINDOW,
                                                    "toast_overlay");

  g_assert_true (ADW_IS_TOAST_OVERLAY (overlay));
  return GTK_WIDGET (overlay);
}

static GtkWidget *
open_popover (const char *title)
{
  GtkWidget *chip = find_chip (title);
  GtkWidget *popover;

  g_assert_nonnull (chip);
  g_assert_true (gtk_widget_activate_action (chip, "event.show-details", NULL));
  for (popover = gtk_widget_get_first_child (chip); popover != NULL; popover = gtk_widget_get_next_sibling (popover))
    if (CALSYNC_IS_EVENT_POPOVER (popover))
      break;
  g_assert_nonnull (popover);
  g_assert_true (calsync_test_wait_until (mapped, popover, 5000));
  return popover;
}

static GtkWidget *
popover_child (GtkWidget  *popover,
               const char *id)
{
  return GTK_WIDGET (gtk_widget_get_template_child (popover, CALSYNC_TYPE_EVENT_POPOVER, id));
}

static gboolean
has_binding (GtkWidget  *widget,
             const char *accelerator,
             const char *action)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *shortcut_action = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted) &&
              GTK_IS_NAMED_ACTION (shortcut_action) &&
              g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (shortcut_action)), action) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

static void
screenshot (const char *name)
{
  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", name);
}

/* Store -------------------------------------------------------------------- */

static CalsyncStore *
store (void)
{
  return calsync_application_get_store (app);
}

static gint64
seed_calendar (const char *provider,
               const char *email,
               const char *name,
               const char *color,
               gboolean    account_read_only,
               gboolean    calendar_read_only)
{
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  g_autoptr(GError) error = NULL;
  gint64 account_id, calendar_id;

  calsync_account_set_provider (account, provider);
  calsync_account_set_email (account, email);
  calsync_account_set_read_only (account, account_read_only);
  account_id = calsync_store_add_account (store (), account, &error);
  g_assert_no_error (error);

  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_remote_id (calendar, name);
  calsync_calendar_set_name (calendar, name);
  calsync_calendar_set_color (calendar, color);
  calsync_calendar_set_is_active (calendar, TRUE);
  /* As sign-in stores them: the calendars of a read-only account are read-only */
  calsync_calendar_set_read_only (calendar, account_read_only || calendar_read_only);
  calendar_id = calsync_store_add_calendar (store (), calendar, &error);
  g_assert_no_error (error);
  return calendar_id;
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
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncEvent) stored = NULL;
  CalsyncEvent *event = calsync_event_new ();
  gint64 start = calsync_test_local_time ("Europe/Berlin", 2026, 11, day, hour, 0);
  CalsyncApplyStats stats = { 0 };

  calsync_event_set_external_id (event, external_id);
  calsync_event_set_title (event, title);
  calsync_event_set_etag (event, "\"v1\"");
  calsync_event_set_times (event, start, start + 3600, "Europe/Berlin");
  calsync_event_set_attendees_json (event, attendees);
  calsync_event_set_remote_updated (event, g_get_real_time () - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_ptr_array_add (events, event);
  g_assert_true (calsync_store_apply_remote_events (store (), calendar_id, events, NULL, &stats, &error));
  g_assert_no_error (error);

  stored = calsync_store_lookup_event (store (), calendar_id, external_id, NULL);
  g_assert_nonnull (stored);
  return calsync_event_get_id (stored);
}

static CalsyncEvent *
stored (gint64      calendar_id,
        const char *external_id)
{
  return calsync_store_lookup_event (store (), calendar_id, external_id, NULL);
}

/* What a sync's push leaves when the server took every waiting change */
static void
push_all (gint64 calendar_id)
{
  g_autoptr(GPtrArray) entries = calsync_store_list_outbox (store (), calendar_id, NULL);
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_WRITTEN, .etag = "\"pushed\"" };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, >, 0);
  for (guint i = 0; i < entries->len; i++)
    {
      g_assert_true (calsync_store_finish_push (store (), g_ptr_array_index (entries, i), &done, &error));
      g_assert_no_error (error);
    }
}

static CalsyncEventEditor *
edit (gint64 event_id)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.edit-event", "x", event_id));
  g_assert_true (calsync_test_wait_until (editor_open, NULL, 5000));
  return find_editor ();
}

static void
save (CalsyncEventEditor *editor)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  g_assert_true (calsync_test_wait_until (editor_closed, NULL, 5000));
}

static void
rename_event (gint64      event_id,
              const char *title)
{
  CalsyncEventEditor *editor = edit (event_id);

  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, "title_row")), title);
  save (editor);
}

static gboolean
can_undo (gpointer data)
{
  return calsync_edit_undo_get_can_undo (calsync_window_get_edit_undo (get_window ()));
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

  g_assert_true (calsync_test_wait_until (chip_shown, "Standup", 5000));
  g_assert_true (chip_synced ("Standup"));

  rename_event (id, "Standup (moved)");
  g_assert_true (calsync_test_wait_until (chip_pending, "Standup (moved)", 5000));
  g_assert_true (calsync_test_wait_toast_shown (toast_overlay (), NULL, "Event changed"));
  screenshot ("pending-mark-month.png");

  popover = open_popover ("Standup (moved)");
  g_assert_true (gtk_widget_get_visible (popover_child (popover, "pending_box")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (popover_child (popover, "pending_box")), ==, "Not yet synced");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (popover_child (popover, "pending_box")), ==,
                   calsync_event_pending_text ());
  screenshot ("pending-mark-popover.png");
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (calsync_test_wait_until (unmapped, popover, 5000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.view-week", NULL));
  g_assert_true (calsync_test_wait_until (block_pending, "Standup (moved)", 5000));
  g_assert_true (calsync_test_wait_until (views_settled, NULL, 5000));
  screenshot ("pending-mark-week.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.view-month", NULL));

  /* The sync sends it: the mark goes, and so does the undo */
  pretend_sync (google_id);
  g_assert_true (calsync_test_wait_until (chip_synced, "Standup (moved)", 5000));
  g_assert_cmpint (calsync_store_count_outbox (store (), 0, NULL), ==, 0);
  g_assert_true (calsync_test_wait_until (cannot_undo, NULL, 5000));
}

static void
test_ctrl_z_after_edit (void)
{
  g_autoptr(CalsyncEvent) before = stored (google_id, "standup");

  g_assert_true (has_binding (GTK_WIDGET (get_window ()), "<Control>z", "win.undo"));
  g_assert_true (cannot_undo (NULL));

  rename_event (calsync_event_get_id (before), "Standup (typo)");
  g_assert_true (calsync_test_wait_until (chip_pending, "Standup (typo)", 5000));
  g_assert_true (can_undo (NULL));
  g_assert_cmpint (calsync_store_count_outbox (store (), google_id, NULL), ==, 1);
  g_assert_true (calsync_test_wait_toast_shown (toast_overlay (), NULL, "Event changed"));

  /* Ctrl+Z: the server's copy again, nothing left to send */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.undo", NULL));
  g_assert_true (calsync_test_wait_until (title_is, "Standup (moved)", 5000));
  g_assert_true (calsync_test_wait_until (chip_synced, "Standup (moved)", 5000));
  g_assert_cmpint (calsync_store_count_outbox (store (), 0, NULL), ==, 0);
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
  g_assert_true (calsync_test_wait_toast_shown (toast_overlay (), NULL, "Event changed"));

  /* Asked while the sync pushes it: it waits for the sync, which sent it */
  g_signal_emit_by_name (engine, "sync-started");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.undo", NULL));
  push_all (google_id);
  g_signal_emit_by_name (engine, "sync-finished", report);
  g_assert_true (calsync_test_wait_until (cannot_undo, NULL, 5000));
  g_assert_true (calsync_test_wait_toast_shown (toast_overlay (), NULL,
                                                "The change cannot be undone: the sync has sent it"));
  g_assert_true (title_is ("Standup (late)"));
  g_assert_cmpint (calsync_store_count_outbox (store (), 0, NULL), ==, 0);

  /* Asked during a sync that did not send it (offline): done when it ends */
  rename_event (calsync_event_get_id (event), "Standup (offline)");
  g_assert_true (calsync_test_wait_until (can_undo, NULL, 5000));
  g_assert_true (calsync_test_wait_toast_shown (toast_overlay (), NULL, "Event changed"));
  g_signal_emit_by_name (engine, "sync-started");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.undo", NULL));
  g_assert_true (title_is ("Standup (offline)"));
  g_signal_emit_by_name (engine, "sync-finished", report);
  g_assert_true (calsync_test_wait_until (title_is, "Standup (late)", 5000));
  g_assert_true (calsync_test_wait_until (chip_synced, "Standup (late)", 5000));
  g_assert_cmpint (calsync_store_count_outbox (store (), 0, NULL), ==, 0);
}

static gboolean
created_gone (gpointer data)
{
  g_autoptr(GPtrArray) events = calsync_store_list_calendar_events (store (), google_id, G_MININT64, G_MAXINT64, NULL);

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

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.new-event", NULL));
  g_assert_true (calsync_test_wait_until (editor_open, NULL, 5000));
  editor = find_editor ();
  names = calsync_event_editor_list_calendar_names (editor);
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), "Work") == 0)
      google_index = i;
  g_assert_cmpuint (google_index, !=, G_MAXUINT);
  adw_combo_row_set_selected (ADW_COMBO_ROW (editor_child (editor, "calendar_row")), google_index);
  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, "title_row")), "Coffee");
  save (editor);

  g_assert_true (calsync_test_wait_until (chip_pending, "Coffee", 5000));
  g_assert_true (calsync_test_wait_toast_shown (toast_overlay (), NULL, "Event created"));
  g_assert_cmpint (calsync_store_count_outbox (store (), google_id, NULL), ==, 1);

  /* The toast's Undo: gone, and nothing to send (a create then a delete) */
  undo = find_descendant (toast_overlay (), is_button_labelled, "_Undo");
  g_assert_nonnull (undo);
  gtk_widget_activate (undo);
  g_assert_true (calsync_test_wait_until (created_gone, NULL, 5000));
  g_assert_true (calsync_test_wait_until (chip_gone, "Coffee", 5000));
  g_assert_cmpint (calsync_store_count_outbox (store (), 0, NULL), ==, 0);
}

static void
test_read_only_reasons (void)
{
  gint64 mine = apply_remote (read_only_google_id, "mine", "Old Google event", 26, 9, NULL);
  gint64 shared = apply_remote (outlook_read_only_id, "shared", "Shared holiday", 26, 11, NULL);
  CalsyncEventEditor *editor;
  g_autoptr(GPtrArray) names = NULL;

  /* The account was signed in only to read: Preferences can fix it */
  editor = edit (mine);
  g_assert_true (gtk_widget_get_visible (editor_child (editor, "read_only_box")));
  g_assert_cmpstr (calsync_event_editor_get_read_only_text (editor), ==, READ_ONLY_ACCOUNT_TEXT);
  g_assert_true (gtk_widget_get_visible (editor_child (editor, "preferences_button")));
  g_assert_false (gtk_widget_get_sensitive (editor_child (editor, "save_button")));
  g_assert_false (gtk_widget_get_visible (editor_child (editor, "delete_button")));
  screenshot ("editor-read-only-account.png");
  gtk_widget_activate (editor_child (editor, "preferences_button"));
  g_assert_true (calsync_test_wait_until (editor_closed, NULL, 5000));
  {
    GtkWindow *prefs = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);

    g_assert_nonnull (prefs);
    g_assert_true (calsync_test_wait_until (mapped, prefs, 5000));
    gtk_window_destroy (prefs);
  }

  /* The server does not let this account change the calendar */
  editor = edit (shared);
  g_assert_cmpstr (calsync_event_editor_get_read_only_text (editor), ==, "This calendar is read-only.");
  g_assert_false (gtk_widget_get_visible (editor_child (editor, "preferences_button")));
  g_assert_false (gtk_widget_get_sensitive (editor_child (editor, "save_button")));
  screenshot ("editor-read-only-calendar.png");
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (editor_closed, NULL, 5000));

  /* New events go only where they can be sent: every writable calendar, no read-only one */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.new-event", NULL));
  g_assert_true (calsync_test_wait_until (editor_open, NULL, 5000));
  editor = find_editor ();
  g_assert_null (calsync_event_editor_get_read_only_text (editor));
  names = calsync_event_editor_list_calendar_names (editor);
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "Personal");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "Work");
  g_assert_cmpstr (g_ptr_array_index (names, 2), ==, "Outlook");
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (editor_closed, NULL, 5000));
}

#define GUESTS "[{\"email\":\"sam@example.com\",\"name\":\"Sam\",\"response\":\"accepted\",\"organizer\":false}]"

static gboolean
notify_shown (gint64 event_id)
{
  CalsyncEventEditor *editor = edit (event_id);
  gboolean shown = gtk_widget_get_visible (editor_child (editor, "notify_group"));

  g_assert_false (gtk_switch_get_active (GTK_SWITCH (editor_child (editor, "notify_switch"))));
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (editor_closed, NULL, 5000));
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

  editor = edit (review);
  g_assert_true (gtk_widget_get_visible (editor_child (editor, "notify_group")));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (editor_child (editor, "notify_switch"))));
  gtk_switch_set_active (GTK_SWITCH (editor_child (editor, "notify_switch")), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, "title_row")), "Design review (moved)");
  screenshot ("editor-notify-guests.png");
  save (editor);

  entries = calsync_store_list_outbox (store (), google_id, NULL);
  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((CalsyncOutboxEntry *) g_ptr_array_index (entries, 0))->key, ==, "review");
  g_assert_true (((CalsyncOutboxEntry *) g_ptr_array_index (entries, 0))->notify);
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* Off by default: an edit without it tells no one */
  push_all (google_id);
  editor = edit (review);
  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, "title_row")), "Design review");
  save (editor);
  entries = calsync_store_list_outbox (store (), google_id, NULL);
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

  app = calsync_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  test_status = calsync_test_run_in_app (app, before_tests, NULL);
  g_clear_object (&app);
  calsync_test_remove_tree (tmp);

  return test_status;
}
