/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-views-keyboard.c: the month grid and the week view with the keyboard alone:
 * Tab order (day by day, a day's cell then its events; in the week by day then
 * start time), arrow keys between day cells across a month edge, Enter on a day. */
#include "config.h"

#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-date-utils.h"
#include "calsync-event-editor-private.h"
#include "calsync-event-editor.h"
#include "calsync-event-widget.h"
#include "calsync-month-view-private.h"
#include "calsync-month-view.h"
#include "calsync-test-utils.h"
#include "calsync-test-window.h"
#include "calsync-week-view-private.h"
#include "calsync-week-view.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

static CalsyncApplication *app;

/* 25 November: three events (the list order is not the time order); 26 November:
 * nine, more than a cell shows; 27–30 November: an all-day conference;
 * 24 November: nothing. */
static void
seed (void)
{
  CalsyncStore *store = calsync_test_app_store ();
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 account_id = calsync_test_store_add_account (store, "google", "alex@example.com");
  gint64 calendar_id = calsync_test_store_add_calendar (store, account_id, "work", "Work", "#3584e4");

  g_ptr_array_add (events, calsync_test_event_at ("review", "Design review", "2026-11-25T14:00:00+01:00", 60, "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_event_at ("standup", "Standup", "2026-11-25T10:00:00+01:00", 15, "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_event_at ("one-on-one", "1:1 with Sam", "2026-11-25T16:30:00+01:00", 30, "Europe/Berlin"));
  for (int i = 0; i < 9; i++)
    {
      g_autofree char *id = g_strdup_printf ("busy-%d", i);
      g_autofree char *start = g_strdup_printf ("2026-11-26T%02d:00:00+01:00", 16 - i);

      g_ptr_array_add (events, calsync_test_event_at (id, "Interview", start, 45, "Europe/Berlin"));
    }
  g_ptr_array_add (events, calsync_test_all_day_event ("conference", "Conference", "2026-11-27", "2026-12-01"));
  calsync_test_store_apply (store, calendar_id, events, NULL);
}

static GtkWidget *
get_focus (void)
{
  return gtk_root_get_focus (GTK_ROOT (calsync_test_window ()));
}

/* The day cells in grid order: the "day" children of the week rows */
static GtkWidget *
month_cell (GtkWidget *month,
            int        year,
            int        month_number,
            int        day)
{
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GDateTime) date = g_date_time_new_local (year, month_number, day, 0, 0, 0);
  int wanted, index = 0;

  calsync_month_view_get_range (CALSYNC_MONTH_VIEW (month), &start, &end);
  wanted = calsync_date_days_between (start, date);
  for (GtkWidget *row = gtk_widget_get_first_child (month); row; row = gtk_widget_get_next_sibling (row))
    for (GtkWidget *cell = gtk_widget_get_first_child (row); cell; cell = gtk_widget_get_next_sibling (cell))
      if (gtk_widget_has_css_class (cell, "day") && index++ == wanted)
        return cell;
  return NULL;
}

static const char *
focused_title (void)
{
  GtkWidget *focus = get_focus ();

  if (!CALSYNC_IS_EVENT_WIDGET (focus))
    return NULL;
  return calsync_event_get_title (calsync_event_widget_get_event (CALSYNC_EVENT_WIDGET (focus)));
}

static gboolean
press (GtkWidget *widget,
       guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        {
          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
          return handled;
        }
    }
  g_assert_not_reached ();
  return FALSE;
}

static gboolean
more_shown (gpointer data)
{
  for (GtkWidget *child = gtk_widget_get_first_child (data); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && gtk_widget_has_css_class (child, "more") && gtk_widget_get_mapped (child))
      return TRUE;
  return FALSE;
}

static gboolean
chips_of_25th_mapped (gpointer data)
{
  int mapped = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (data); child; child = gtk_widget_get_next_sibling (child))
    if (CALSYNC_IS_EVENT_WIDGET (child) && gtk_widget_get_mapped (child))
      {
        const char *title = calsync_event_get_title (calsync_event_widget_get_event (CALSYNC_EVENT_WIDGET (child)));

        mapped += g_strcmp0 (title, "Standup") == 0 || g_strcmp0 (title, "Design review") == 0 ||
                  g_strcmp0 (title, "1:1 with Sam") == 0;
      }
  return mapped == 3;
}

static void
wait_for_month (GtkWidget *month)
{
  g_assert_true (calsync_test_wait_until (chips_of_25th_mapped, month, 5000));
  g_assert_true (calsync_test_wait_until (more_shown, month, 5000));
}

static void
test_month_tab_order (void)
{
  GtkWidget *month = calsync_window_get_month_view (calsync_test_window ());
  GtkWidget *cell25, *cell26, *cell27;
  gboolean more_seen = FALSE;
  int interviews = 0;

  seed ();
  wait_for_month (month);
  cell25 = month_cell (month, 2026, 11, 25);
  cell26 = month_cell (month, 2026, 11, 26);
  cell27 = month_cell (month, 2026, 11, 27);

  /* A day cell takes the focus itself */
  g_assert_true (gtk_widget_grab_focus (cell25));
  g_assert_true (get_focus () == cell25);

  /* Tab: the day's events in time order, then the next day's cell */
  g_assert_true (gtk_widget_child_focus (month, GTK_DIR_TAB_FORWARD));
  g_assert_cmpstr (focused_title (), ==, "Standup");
  g_assert_true (gtk_widget_child_focus (month, GTK_DIR_TAB_FORWARD));
  g_assert_cmpstr (focused_title (), ==, "Design review");
  g_assert_true (gtk_widget_child_focus (month, GTK_DIR_TAB_FORWARD));
  g_assert_cmpstr (focused_title (), ==, "1:1 with Sam");
  g_assert_true (gtk_widget_child_focus (month, GTK_DIR_TAB_FORWARD));
  g_assert_true (get_focus () == cell26);

  /* The 26th: the interviews that fit, its "+N more", then the 27th */
  while (gtk_widget_child_focus (month, GTK_DIR_TAB_FORWARD) && get_focus () != cell27)
    {
      GtkWidget *focus = get_focus ();

      if (CALSYNC_IS_EVENT_WIDGET (focus))
        {
          g_assert_false (more_seen);
          g_assert_cmpstr (focused_title (), ==, "Interview");
          interviews++;
        }
      else
        {
          g_assert_true (GTK_IS_BUTTON (focus) && gtk_widget_has_css_class (focus, "more"));
          more_seen = TRUE;
        }
    }
  g_assert_true (get_focus () == cell27);
  g_assert_cmpint (interviews, >, 0);
  g_assert_cmpint (interviews, <, 9);
  g_assert_true (more_seen);

  /* Shift+Tab from a cell: the previous day's last item */
  g_assert_true (gtk_widget_grab_focus (cell26));
  g_assert_true (gtk_widget_child_focus (month, GTK_DIR_TAB_BACKWARD));
  g_assert_cmpstr (focused_title (), ==, "1:1 with Sam");
}

static void
test_month_arrows (void)
{
  CalsyncWindow *window = calsync_test_window ();
  GtkWidget *month = calsync_window_get_month_view (window);

  wait_for_month (month);
  g_assert_true (gtk_widget_grab_focus (month_cell (month, 2026, 11, 25)));

  g_assert_true (press (month, GDK_KEY_Right));
  g_assert_true (get_focus () == month_cell (month, 2026, 11, 26));
  g_assert_true (press (month, GDK_KEY_Left));
  g_assert_true (get_focus () == month_cell (month, 2026, 11, 25));
  g_assert_true (press (month, GDK_KEY_Up));
  g_assert_true (get_focus () == month_cell (month, 2026, 11, 18));
  g_assert_true (press (month, GDK_KEY_Down));
  g_assert_true (get_focus () == month_cell (month, 2026, 11, 25));

  /* Into December: the window shows December (title too), the focus is on the 2nd */
  g_assert_true (press (month, GDK_KEY_Down));
  g_assert_cmpstr (calsync_window_get_title_text (window), ==, "December 2026");
  g_assert_true (get_focus () == month_cell (month, 2026, 12, 2));
  /* And back */
  g_assert_true (press (month, GDK_KEY_Up));
  g_assert_cmpstr (calsync_window_get_title_text (window), ==, "November 2026");
  g_assert_true (get_focus () == month_cell (month, 2026, 11, 25));
  /* Other keys are left to the window */
  g_assert_false (press (month, GDK_KEY_a));
}

static void
test_month_enter (void)
{
  GtkWidget *month = calsync_window_get_month_view (calsync_test_window ());
  CalsyncEventEditor *editor;
  GObject *start_button;

  wait_for_month (month);

  /* A day with events: Enter goes to its first one */
  g_assert_true (gtk_widget_grab_focus (month_cell (month, 2026, 11, 25)));
  g_assert_true (press (month, GDK_KEY_Return));
  g_assert_cmpstr (focused_title (), ==, "Standup");
  g_assert_null (calsync_test_find_editor ());

  /* An empty day: Enter offers a new event there */
  g_assert_true (gtk_widget_grab_focus (month_cell (month, 2026, 11, 24)));
  g_assert_true (press (month, GDK_KEY_Return));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_open, NULL, 3000));
  editor = calsync_test_find_editor ();
  start_button = gtk_widget_get_template_child (GTK_WIDGET (editor), CALSYNC_TYPE_EVENT_EDITOR, "start_date_button");
  g_assert_true (GTK_IS_MENU_BUTTON (start_button));
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (start_button)), ==, "24 Nov 2026");
  gtk_widget_activate_action (GTK_WIDGET (editor), "window.close", NULL);
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, 3000));
}

static void
test_week_tab_order (void)
{
  CalsyncWindow *window = calsync_test_window ();
  GtkWidget *week;
  g_autoptr(GDateTime) week_start = NULL;
  g_autoptr(GPtrArray) visited = g_ptr_array_new ();
  int last_day = -1;
  gint64 last_start = G_MININT64;
  gboolean last_all_day = TRUE;

  /* The week of 25 November (the month tests left the window on 1 November) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.today", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.view-week", NULL));
  week = calsync_window_get_week_view (window);
  g_assert_true (calsync_test_wait_until (calsync_test_week_has_events, week, 5000));
  calsync_week_view_get_range (CALSYNC_WEEK_VIEW (week), &week_start, NULL);
  gtk_root_set_focus (GTK_ROOT (window), NULL);

  while (gtk_widget_child_focus (week, GTK_DIR_TAB_FORWARD))
    {
      GtkWidget *focus = get_focus ();
      CalsyncEvent *event;
      g_autoptr(GDateTime) start = NULL;
      gboolean all_day;
      int day;

      g_assert_true (CALSYNC_IS_EVENT_WIDGET (focus));
      g_assert_false (g_ptr_array_find (visited, focus, NULL));
      g_ptr_array_add (visited, focus);
      event = calsync_event_widget_get_event (CALSYNC_EVENT_WIDGET (focus));
      start = calsync_event_dup_local_start (event);
      all_day = calsync_event_get_all_day (event);
      day = MAX (calsync_date_days_between (week_start, start), 0);

      /* By day; within a day all-day first, then by start time */
      g_assert_cmpint (day, >=, last_day);
      if (day == last_day)
        {
          g_assert_true (last_all_day || !all_day);
          if (!all_day && !last_all_day)
            g_assert_cmpint (g_date_time_to_unix (start), >=, last_start);
        }
      last_day = day;
      last_all_day = all_day;
      last_start = g_date_time_to_unix (start);
    }
  /* Every event of the week, once */
  g_assert_cmpuint (visited->len, ==, calsync_week_view_get_n_events (CALSYNC_WEEK_VIEW (week)));
  g_assert_cmpuint (visited->len, ==, 3 + 9 + 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.view-month", NULL));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-views-keyboard");
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/views-keyboard/month-tab-order", test_month_tab_order);
  g_test_add_func ("/views-keyboard/month-arrows", test_month_arrows);
  g_test_add_func ("/views-keyboard/month-enter", test_month_enter);
  g_test_add_func ("/views-keyboard/week-tab-order", test_week_tab_order);

  status = calsync_test_run_window_tests (&app, NULL, NULL);
  calsync_test_remove_tree (tmp);

  return status;
}
