/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-editor.c: the event editor in the real application window under Xvfb — new,
 * invalid, edit of a synced event against later syncs, delete with undo, all-day. */
#include "config.h"

#include <glib/gstdio.h>

#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-event-editor-private.h"
#include "calsync-event-editor.h"
#include "calsync-event-popover.h"
#include "calsync-event-widget.h"
#include "calsync-month-view-private.h"
#include "calsync-month-view.h"
#include "calsync-test-utils.h"
#include "calsync-test-window.h"
#include "calsync-week-view.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

static CalsyncApplication *app;
static int test_status;
static gint64 google_calendar_id;

/* Helpers: widgets */

static void
set_text (CalsyncEventEditor *editor,
          const char         *id,
          const char         *text)
{
  gtk_editable_set_text (GTK_EDITABLE (calsync_test_editor_child (editor, id)), text);
}

static const char *
get_text (CalsyncEventEditor *editor,
          const char         *id)
{
  return gtk_editable_get_text (GTK_EDITABLE (calsync_test_editor_child (editor, id)));
}

static void
select_day (CalsyncEventEditor *editor,
            const char         *calendar_id,
            int                 year,
            int                 month,
            int                 day)
{
  GtkCalendar *calendar = GTK_CALENDAR (calsync_test_editor_child (editor, calendar_id));
  g_autoptr(GDateTime) date = g_date_time_new_local (year, month, day, 0, 0, 0);

  gtk_calendar_select_day (calendar, date);
  g_signal_emit_by_name (calendar, "day-selected");
}

static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("CALSYNC_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (dir == NULL)
    return;

  g_assert_true (calsync_test_wait_painted ());
  path = g_build_filename (dir, name, NULL);
  {
    const char *argv[] = { "import", "-window", "root", path, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                       &status, &error))
      g_test_message ("screenshot %s: %s", name, error->message);
  }
}

/* Helpers: store */

static gint64
seed_google_calendar (void)
{
  CalsyncStore *store = calsync_test_app_store ();
  gint64 account_id = calsync_test_store_add_account (store, "google", "alex@example.com");

  return calsync_test_store_add_calendar_full (store, account_id, "alex@example.com", "alex@example.com",
                                               "#e66100", CALSYNC_TEST_CALENDAR_PRIMARY);
}

/* The standup as Google sends it: 10:00 in New York on 25 November 2026. */
static CalsyncEvent *
remote_standup (const char *title,
                gint64      updated_usec)
{
  CalsyncEvent *event = calsync_test_event_at ("standup", title, "2026-11-25T10:00:00-05:00", 15,
                                               "America/New_York");

  calsync_event_set_remote_updated (event, updated_usec);
  return event;
}

static CalsyncApplyOutcome
apply_remote (CalsyncEvent *event)
{
  return calsync_test_store_apply_one (calsync_test_app_store (), google_calendar_id, event);
}

static CalsyncEvent *
stored_standup (void)
{
  return calsync_store_lookup_event (calsync_test_app_store (), google_calendar_id, "standup", NULL);
}

/* Tests */

static void
test_new_event_shortcut (void)
{
  CalsyncEventEditor *editor;

  g_assert_null (calsync_test_find_editor ());
  editor = calsync_test_new_event_editor (2000);

  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) == GTK_WINDOW (calsync_test_window ()));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (editor)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, "New Event");
  g_assert_null (calsync_event_editor_get_event (editor));
  /* CALSYNC_NOW is 12:00 on 25 November: the next full hour, one hour long. */
  g_assert_cmpstr (get_text (editor, "start_time_entry"), ==, "13:00");
  g_assert_cmpstr (get_text (editor, "end_time_entry"), ==, "14:00");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (calsync_test_editor_child (editor, "start_date_button"))),
                   ==, "25 Nov 2026");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (calsync_test_editor_child (editor, "zone_row"))),
                   ==, "Europe/Berlin");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (calsync_test_editor_child (editor, "calendar_row"))), ==, 0);
  g_assert_false (gtk_widget_get_visible (calsync_test_editor_child (editor, "delete_button")));
  /* No title yet: nothing to save, but no scolding before anything was typed. */
  g_assert_false (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  g_assert_false (gtk_widget_get_visible (calsync_test_editor_child (editor, "title_error")));

  set_text (editor, "title_row", "Lunch with Sam");
  g_assert_true (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  set_text (editor, "title_row", "  ");
  g_assert_false (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  g_assert_true (gtk_widget_get_visible (calsync_test_editor_child (editor, "title_error")));
}

static void
test_invalid_end (void)
{
  CalsyncEventEditor *editor = calsync_test_find_editor ();
  GtkWidget *message;

  g_assert_nonnull (editor);
  set_text (editor, "title_row", "Lunch with Sam");
  set_text (editor, "end_time_entry", "12:30");
  message = calsync_test_editor_child (editor, "time_error");
  g_assert_false (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  g_assert_true (gtk_widget_get_visible (message));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (message)), ==, "The event must end after it starts");
  /* Ctrl+Return does nothing while invalid. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  g_assert_true (calsync_test_find_editor () == editor);
  screenshot ("editor-invalid.png");

  set_text (editor, "end_time_entry", "noon");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (message)), ==, "Enter times like 10:30");
  g_assert_true (gtk_widget_has_css_class (calsync_test_editor_child (editor, "end_time_entry"), "error"));

  /* Times people type: "2:30 pm", "1430". */
  set_text (editor, "end_time_entry", "2:30 pm");
  g_assert_false (gtk_widget_get_visible (message));
  g_assert_true (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  set_text (editor, "end_time_entry", "1430");
  g_assert_false (gtk_widget_get_visible (message));
  set_text (editor, "end_time_entry", "14:30");
}

static void
test_save_new (void)
{
  CalsyncEventEditor *editor = calsync_test_find_editor ();
  g_autoptr(GPtrArray) events = NULL;
  CalsyncEvent *saved = NULL;

  g_assert_nonnull (editor);
  set_text (editor, "location_row", "Café Luitpold");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (calsync_test_editor_child (editor, "description_view"))),
                            "Join: https://meet.google.com/abc-defg-hij", -1);

  calsync_test_save_editor (editor, 2000);

  events = calsync_store_query_range (calsync_test_app_store (), calsync_test_instant ("2026-11-25T00:00:00+01:00"),
                                      calsync_test_instant ("2026-11-26T00:00:00+01:00"), NULL);
  for (guint i = 0; events != NULL && i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_title (g_ptr_array_index (events, i)), "Lunch with Sam") == 0)
      saved = g_ptr_array_index (events, i);
  g_assert_nonnull (saved);
  g_assert_cmpint (calsync_event_get_calendar_id (saved), ==, calsync_store_get_personal_calendar_id (calsync_test_app_store ()));
  g_assert_cmpint (calsync_event_get_start (saved), ==, calsync_test_instant ("2026-11-25T13:00:00+01:00"));
  g_assert_cmpint (calsync_event_get_end (saved), ==, calsync_test_instant ("2026-11-25T14:30:00+01:00"));
  g_assert_cmpstr (calsync_event_get_time_zone (saved), ==, "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_location (saved), ==, "Café Luitpold");
  g_assert_cmpstr (calsync_event_get_conference_url (saved), ==, "https://meet.google.com/abc-defg-hij");
  g_assert_true (calsync_event_get_locally_modified (saved));

  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, "Lunch with Sam", 5000));
}

static void
test_edit_synced_event (void)
{
  g_autoptr(CalsyncEvent) stored = NULL;
  CalsyncEventEditor *editor;
  GtkWidget *popover;

  google_calendar_id = seed_google_calendar ();
  g_assert_cmpint (apply_remote (remote_standup ("Standup", g_get_real_time () - (gint64) G_USEC_PER_SEC * 3600)),
                   ==, CALSYNC_APPLY_INSERTED);
  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, "Standup", 5000));

  popover = calsync_test_open_popover ("Standup");
  g_assert_false (gtk_widget_get_visible (calsync_test_popover_child (popover, "modified_label")));
  g_assert_true (gtk_widget_get_visible (calsync_test_popover_child (popover, "edit_button")));
  gtk_widget_activate (calsync_test_popover_child (popover, "edit_button"));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_open, NULL, 2000));
  editor = calsync_test_find_editor ();

  /* Shown in the event's own zone, which it keeps. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, "Edit Event");
  g_assert_cmpstr (get_text (editor, "title_row"), ==, "Standup");
  g_assert_cmpstr (get_text (editor, "start_time_entry"), ==, "10:00");
  g_assert_cmpstr (get_text (editor, "end_time_entry"), ==, "10:15");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (calsync_test_editor_child (editor, "zone_row"))),
                   ==, "America/New_York");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (calsync_test_editor_child (editor, "calendar_row"))), ==, 1);
  g_assert_true (gtk_widget_get_visible (calsync_test_editor_child (editor, "delete_button")));

  set_text (editor, "title_row", "Standup (moved)");
  set_text (editor, "start_time_entry", "11:00");
  set_text (editor, "end_time_entry", "11:15");
  calsync_test_save_editor (editor, 2000);

  stored = stored_standup ();
  g_assert_nonnull (stored);
  g_assert_cmpstr (calsync_event_get_title (stored), ==, "Standup (moved)");
  g_assert_true (calsync_event_get_locally_modified (stored));
  g_assert_cmpint (calsync_event_get_start (stored), ==, calsync_test_instant ("2026-11-25T11:00:00-05:00"));
  g_assert_cmpstr (calsync_event_get_time_zone (stored), ==, "America/New_York");
  g_assert_cmpint (calsync_event_get_calendar_id (stored), ==, google_calendar_id);

  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, "Standup (moved)", 5000));
  popover = calsync_test_open_popover ("Standup (moved)");
  /* A Google calendar: the change waits to be sent, which says more than "changed here" */
  g_assert_true (gtk_widget_get_visible (calsync_test_popover_child (popover, "pending_box")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (calsync_test_popover_child (popover, "pending_box")), ==, "Not yet synced");
  g_assert_false (gtk_widget_get_visible (calsync_test_popover_child (popover, "modified_label")));
  screenshot ("event-popover-changed.png");
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (calsync_test_wait_until (calsync_test_unmapped, popover, 5000));
}

static gboolean
edit_shown (gpointer data)
{
  return calsync_test_find_chip ("Standup (moved)") != NULL && calsync_test_find_chip ("Standup (server)") == NULL;
}

static void
test_sync_keeps_newer_edit (void)
{
  g_autoptr(CalsyncEvent) stored = stored_standup ();
  g_autoptr(CalsyncEvent) after = NULL;
  gint64 edited = calsync_event_get_local_updated (stored);

  /* The server's copy is older than the edit: it stays. */
  g_assert_cmpint (apply_remote (remote_standup ("Standup (server)", edited - G_USEC_PER_SEC * 60)),
                   ==, CALSYNC_APPLY_KEPT_LOCAL);
  g_assert_true (calsync_test_holds_for (edit_shown, NULL, 300));

  /* Changed on the server after the edit: the server wins. */
  g_assert_cmpint (apply_remote (remote_standup ("Standup (server)", edited + G_USEC_PER_SEC * 60)),
                   ==, CALSYNC_APPLY_UPDATED);
  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, "Standup (server)", 5000));
  g_assert_null (calsync_test_find_chip ("Standup (moved)"));
  after = stored_standup ();
  g_assert_false (calsync_event_get_locally_modified (after));
}

static void
test_delete_and_undo (void)
{
  g_autoptr(CalsyncEvent) stored = stored_standup ();
  g_autoptr(CalsyncEvent) restored = NULL;
  CalsyncEventEditor *editor;
  GtkWidget *undo;

  editor = calsync_test_edit_event_editor (calsync_event_get_id (stored), 2000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.delete", NULL));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 2000));

  g_assert_null (stored_standup ());
  g_assert_true (calsync_test_wait_until (calsync_test_chip_gone, "Standup (server)", 5000));
  g_assert_true (calsync_test_wait_toast_shown (calsync_test_toast_overlay (), NULL, "Event deleted"));
  screenshot ("event-deleted-toast.png");
  undo = calsync_test_find_descendant (calsync_test_toast_overlay (), calsync_test_is_button_labelled, "_Undo");
  g_assert_nonnull (undo);
  g_assert_true (gtk_button_get_use_underline (GTK_BUTTON (undo)));
  gtk_widget_activate (undo);

  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, "Standup (server)", 5000));
  restored = stored_standup ();
  g_assert_nonnull (restored);
  g_assert_cmpint (calsync_event_get_start (restored), ==, calsync_event_get_start (stored));
  g_assert_cmpstr (calsync_event_get_time_zone (restored), ==, "America/New_York");
}

static void
test_all_day (void)
{
  g_autoptr(GPtrArray) events = NULL;
  CalsyncEvent *holidays = NULL;
  CalsyncEventEditor *editor;

  editor = calsync_test_new_event_editor (2000);
  set_text (editor, "title_row", "Holidays");
  gtk_switch_set_active (GTK_SWITCH (calsync_test_editor_child (editor, "all_day_switch")), TRUE);
  g_assert_false (gtk_widget_get_visible (calsync_test_editor_child (editor, "start_time_entry")));
  select_day (editor, "start_calendar", 2026, 12, 24);
  select_day (editor, "end_calendar", 2026, 12, 25);
  g_assert_true (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  /* The last day before the first: invalid. */
  select_day (editor, "end_calendar", 2026, 12, 23);
  g_assert_false (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  select_day (editor, "end_calendar", 2026, 12, 25);
  calsync_test_save_editor (editor, 2000);

  events = calsync_store_query_range (calsync_test_app_store (), calsync_test_instant ("2026-12-20T00:00:00+01:00"),
                                      calsync_test_instant ("2026-12-31T00:00:00+01:00"), NULL);
  for (guint i = 0; events != NULL && i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_title (g_ptr_array_index (events, i)), "Holidays") == 0)
      holidays = g_ptr_array_index (events, i);
  g_assert_nonnull (holidays);
  g_assert_true (calsync_event_get_all_day (holidays));
  g_assert_cmpstr (calsync_event_get_start_date (holidays), ==, "2026-12-24");
  g_assert_cmpstr (calsync_event_get_end_date (holidays), ==, "2026-12-26");

  /* Reopened, it shows the inclusive last day again. */
  editor = calsync_test_edit_event_editor (calsync_event_get_id (holidays), 2000);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (calsync_test_editor_child (editor, "all_day_switch"))));
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (calsync_test_editor_child (editor, "start_date_button"))),
                   ==, "24 Dec 2026");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (calsync_test_editor_child (editor, "end_date_button"))),
                   ==, "25 Dec 2026");
  /* Saving unchanged keeps the dates. */
  calsync_test_save_editor (editor, 2000);
  {
    g_autoptr(CalsyncEvent) again = calsync_store_get_event (calsync_test_app_store (), calsync_event_get_id (holidays), NULL);

    g_assert_cmpstr (calsync_event_get_start_date (again), ==, "2026-12-24");
    g_assert_cmpstr (calsync_event_get_end_date (again), ==, "2026-12-26");
  }
}

static void
test_cancel_keeps_store (void)
{
  CalsyncEventEditor *editor;
  g_autoptr(CalsyncEvent) before = stored_standup ();
  g_autoptr(CalsyncEvent) after = NULL;

  editor = calsync_test_edit_event_editor (calsync_event_get_id (before), 2000);
  set_text (editor, "title_row", "Not saved");
  /* Escape is bound to window.close. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "window.close", NULL));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 2000));
  after = stored_standup ();
  g_assert_cmpstr (calsync_event_get_title (after), ==, calsync_event_get_title (before));
}

/* Input: the views' double-click gestures get their "pressed" signal as GTK would
 * emit it, and the key bindings are read back from the editor's shortcut
 * controllers. (No xdotool: the GUI tests share one X server and run in parallel,
 * so real input could land in another test's window.) */

static gboolean
has_css_class (GtkWidget     *widget,
               gconstpointer  css_class)
{
  return gtk_widget_has_css_class (widget, css_class);
}

static gboolean
is_day_header_of (GtkWidget     *widget,
                  gconstpointer  day)
{
  return gtk_widget_has_css_class (widget, "day-header") &&
         calsync_test_find_descendant (widget, calsync_test_is_label_with_text, day) != NULL;
}

static void
double_click (GtkWidget *widget,
              double     x,
              double     y)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GtkGesture *click = NULL;

  for (guint i = 0; click == NULL && i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        click = GTK_GESTURE (controller);
    }
  g_assert_nonnull (click);
  g_signal_emit_by_name (click, "pressed", 1, x, y);
  g_signal_emit_by_name (click, "pressed", 2, x, y);
}

static gboolean
chip_laid_out (gpointer title)
{
  GtkWidget *chip = calsync_test_find_chip (title);

  return chip != NULL && gtk_widget_get_mapped (chip) && gtk_widget_get_width (chip) > 0;
}

static gboolean
day_26_laid_out (gpointer week)
{
  GtkWidget *header = calsync_test_find_descendant (week, is_day_header_of, "26");

  return header != NULL && gtk_widget_get_width (header) > 0 &&
         calsync_test_find_descendant (week, has_css_class, "week-grid") != NULL;
}

static void
test_double_click_and_keys (void)
{
  GtkWidget *month = calsync_window_get_month_view (calsync_test_window ());
  GtkWidget *week, *header, *grid, *chip;
  GtkWidget *cell = NULL;
  CalsyncEventEditor *editor;
  graphene_point_t in, out;
  int index = 0;

  /* Month view: the cells are the "day" boxes, in order, in the week rows; Friday 27 November is empty. */
  for (GtkWidget *row = gtk_widget_get_first_child (month); row; row = gtk_widget_get_next_sibling (row))
   for (GtkWidget *child = gtk_widget_get_first_child (row); child; child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_has_css_class (child, "day"))
      {
        g_autoptr(GDateTime) start = NULL, end = NULL, day = NULL;

        calsync_month_view_get_range (CALSYNC_MONTH_VIEW (month), &start, &end);
        day = g_date_time_add_days (start, index++);
        if (g_date_time_get_month (day) == 11 && g_date_time_get_day_of_month (day) == 27)
          cell = child;
      }
  g_assert_nonnull (cell);
  g_assert_true (calsync_test_wait_until (chip_laid_out, "Lunch with Sam", 5000));

  /* On an event: its popover, not the editor. */
  chip = calsync_test_find_chip ("Lunch with Sam");
  g_assert_nonnull (chip);
  in = GRAPHENE_POINT_INIT (4, 4);
  g_assert_true (gtk_widget_compute_point (chip, month, &in, &out));
  double_click (month, out.x, out.y);
  /* An editor would be presented from within the "pressed" handler */
  g_assert_null (calsync_test_find_editor ());

  in = GRAPHENE_POINT_INIT (gtk_widget_get_width (cell) / 2.0, gtk_widget_get_height (cell) - 8);
  g_assert_true (gtk_widget_compute_point (cell, month, &in, &out));
  double_click (month, out.x, out.y);
  g_assert_true (calsync_test_wait_until (calsync_test_editor_open, NULL, 3000));
  editor = calsync_test_find_editor ();
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (calsync_test_editor_child (editor, "start_date_button"))),
                   ==, "27 Nov 2026");
  g_assert_cmpstr (get_text (editor, "start_time_entry"), ==, "09:00");
  g_assert_cmpstr (get_text (editor, "end_time_entry"), ==, "10:00");

  /* The keys: Escape cancels, Ctrl+Return saves. */
  g_assert_true (calsync_test_has_binding (GTK_WIDGET (editor), "Escape", "window.close"));
  g_assert_true (calsync_test_has_binding (GTK_WIDGET (editor), "<Control>Return", "editor.save"));
  gtk_widget_activate_action (GTK_WIDGET (editor), "window.close", NULL);
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 3000));

  /* Week view: Thursday 26 November, a click at 14:45 gives 14:30. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.view-week", NULL));
  week = calsync_window_get_week_view (calsync_test_window ());
  g_assert_true (calsync_test_wait_until (day_26_laid_out, week, 5000));
  header = calsync_test_find_descendant (week, is_day_header_of, "26");
  grid = calsync_test_find_descendant (week, has_css_class, "week-grid");
  g_assert_nonnull (header);
  g_assert_nonnull (grid);
  in = GRAPHENE_POINT_INIT (gtk_widget_get_width (header) / 2.0, 0);
  g_assert_true (gtk_widget_compute_point (header, grid, &in, &out));
  double_click (grid, out.x, 14 * 60 + 45);
  g_assert_true (calsync_test_wait_until (calsync_test_editor_open, NULL, 3000));
  editor = calsync_test_find_editor ();
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (calsync_test_editor_child (editor, "start_date_button"))),
                   ==, "26 Nov 2026");
  g_assert_cmpstr (get_text (editor, "start_time_entry"), ==, "14:30");

  /* Enter in the title saves a valid event. */
  set_text (editor, "title_row", "Retro");
  g_signal_emit_by_name (calsync_test_editor_child (editor, "title_row"), "entry-activated");
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 3000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.view-month", NULL));
  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, "Retro", 5000));
}

static void
set_google_read_only (gboolean read_only)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (calsync_test_app_store (), google_calendar_id, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (calendar);
  calsync_calendar_set_read_only (calendar, read_only);
  g_assert_true (calsync_store_update_calendar (calsync_test_app_store (), calendar, &error));
  g_assert_no_error (error);
}

static gboolean
model_has_string (GListModel *model,
                  const char *text)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), text) == 0)
      return TRUE;

  return FALSE;
}

/* An event of a read-only calendar: the editor says why it cannot be saved */
static void
test_read_only_calendar (void)
{
  CalsyncEvent *party = calsync_test_event_at ("party", "Holiday party", "2026-11-27T15:00:00+01:00", 120,
                                               "Europe/Berlin");
  CalsyncEventEditor *editor;
  GtkWidget *popover;
  GtkWidget *notice;

  set_google_read_only (TRUE);
  g_assert_cmpint (apply_remote (party), ==, CALSYNC_APPLY_INSERTED);
  g_assert_true (calsync_test_wait_until (calsync_test_chip_shown, "Holiday party", 5000));

  popover = calsync_test_open_popover ("Holiday party");
  gtk_widget_activate (calsync_test_popover_child (popover, "edit_button"));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_open, NULL, 2000));
  editor = calsync_test_find_editor ();

  notice = calsync_test_editor_child (editor, "read_only_box");
  g_assert_true (gtk_widget_get_visible (notice));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (calsync_test_editor_child (editor, "read_only_label"))), "read-only"));
  g_assert_false (gtk_widget_get_sensitive (calsync_test_editor_child (editor, "save_button")));
  g_assert_false (gtk_widget_get_visible (calsync_test_editor_child (editor, "delete_button")));
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 2000));

  /* A new event cannot go there */
  editor = calsync_test_new_event_editor (2000);
  g_assert_false (model_has_string (adw_combo_row_get_model (ADW_COMBO_ROW (calsync_test_editor_child (editor, "calendar_row"))),
                                    "alex@example.com"));
  g_assert_false (gtk_widget_get_visible (calsync_test_editor_child (editor, "read_only_box")));
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 2000));

  set_google_read_only (FALSE);
}

static CalsyncEventEditor *
open_sample_editor (void)
{
  CalsyncEventEditor *editor;

  editor = calsync_test_new_event_editor (2000);
  set_text (editor, "title_row", "Dentist");
  set_text (editor, "location_row", "Marienplatz 1, Munich");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (calsync_test_editor_child (editor, "description_view"))),
                            "Bring the insurance card.", -1);
  return editor;
}

static void
test_screenshots (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  CalsyncEventEditor *editor;
  int width, height;

  if (g_getenv ("CALSYNC_SCREENSHOT_DIR") == NULL)
    {
      g_test_skip ("no CALSYNC_SCREENSHOT_DIR");
      return;
    }

  editor = open_sample_editor ();
  screenshot ("editor.png");
  gtk_window_destroy (GTK_WINDOW (editor));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  editor = open_sample_editor ();
  screenshot ("editor-dark.png");
  gtk_window_destroy (GTK_WINDOW (editor));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  /* A phone-sized screen: both windows 360 px wide. */
  gtk_window_get_default_size (GTK_WINDOW (calsync_test_window ()), &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (calsync_test_window ()), 360, 720);
  editor = open_sample_editor ();
  gtk_window_set_default_size (GTK_WINDOW (editor), 360, 720);
  screenshot ("editor-narrow.png");
  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_set_default_size (GTK_WINDOW (calsync_test_window ()), width, height);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-editor");

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/editor/new-event-shortcut", test_new_event_shortcut);
  g_test_add_func ("/editor/invalid-end", test_invalid_end);
  g_test_add_func ("/editor/save-new", test_save_new);
  g_test_add_func ("/editor/edit-synced-event", test_edit_synced_event);
  g_test_add_func ("/editor/sync-keeps-newer-edit", test_sync_keeps_newer_edit);
  g_test_add_func ("/editor/delete-and-undo", test_delete_and_undo);
  g_test_add_func ("/editor/all-day", test_all_day);
  g_test_add_func ("/editor/cancel", test_cancel_keeps_store);
  g_test_add_func ("/editor/double-click-and-keys", test_double_click_and_keys);
  g_test_add_func ("/editor/read-only-calendar", test_read_only_calendar);
  g_test_add_func ("/editor/screenshots", test_screenshots);

  test_status = calsync_test_run_window_tests (&app, NULL, NULL);
  calsync_test_remove_tree (tmp);

  return test_status;
}
