/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: opens the real application window under Xvfb, drives it with its
 * actions and asserts on the widgets it shows. */
#include "config.h"

#include <glib/gstdio.h>

#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-date-utils.h"
#include "calsync-event-popover-private.h"
#include "calsync-event-popover.h"
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
static int test_status;

static gboolean
month_has_events (gpointer data)
{
  return calsync_month_view_get_n_events (CALSYNC_MONTH_VIEW (data)) > 0;
}

static void
activate (const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), action, NULL));
}

static gint64
seed_calendar (CalsyncStore *store)
{
  gint64 account_id = calsync_test_store_add_account (store, "google", "alex@example.com");

  return calsync_test_store_add_calendar (store, account_id, "alex@example.com", "alex@example.com", "#3584e4");
}

static void
seed_events (CalsyncStore *store,
             gint64        calendar_id)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  CalsyncApplyStats stats = { 0 };

  g_ptr_array_add (events, calsync_test_event_at ("standup", "Standup", "2026-11-25T10:00:00+01:00", 15, "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_event_at ("review", "Design review", "2026-11-25T14:00:00+01:00", 60, "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_event_at ("one-on-one", "1:1 with Sam", "2026-11-25T14:30:00+01:00", 30, "Europe/Berlin"));
  for (int i = 0; i < 9; i++)
    {
      g_autofree char *id = g_strdup_printf ("busy-%d", i);
      g_autofree char *start = g_strdup_printf ("2026-11-26T%02d:00:00+01:00", 8 + i);

      g_ptr_array_add (events, calsync_test_event_at (id, "Interview", start, 45, "Europe/Berlin"));
    }
  g_ptr_array_add (events, calsync_test_all_day_event ("conference", "Conference", "2026-11-27", "2026-12-01"));
  calsync_test_store_apply (store, calendar_id, events, &stats);
  g_assert_cmpuint (stats.inserted, ==, events->len);
}

static GtkWidget *
find_by_buildable_id (CalsyncWindow *window,
                      const char    *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window), CALSYNC_TYPE_WINDOW, id);

  g_assert_true (GTK_IS_WIDGET (object));
  return GTK_WIDGET (object);
}

static void
test_empty_state (void)
{
  CalsyncWindow *window = calsync_test_window ();

  g_assert_cmpstr (calsync_window_get_page (window), ==, "empty");
  /* Nothing to navigate: the header keeps only the menu. */
  g_assert_false (gtk_widget_get_visible (find_by_buildable_id (window, "navigation_box")));
}

static void
test_month_view (void)
{
  CalsyncWindow *window = calsync_test_window ();
  CalsyncStore *store = calsync_application_get_store (app);
  GtkWidget *month = calsync_window_get_month_view (window);

  seed_events (store, seed_calendar (store));
  g_assert_true (calsync_test_wait_until (month_has_events, month, 5000));

  g_assert_cmpstr (calsync_window_get_page (window), ==, "calendar");
  g_assert_true (gtk_widget_get_visible (find_by_buildable_id (window, "navigation_box")));
  g_assert_cmpstr (calsync_window_get_view (window), ==, "month");
  g_assert_cmpstr (calsync_window_get_title_text (window), ==, "November 2026");
  /* The conference crosses a week boundary: two bar segments, plus 12 timed chips. */
  g_assert_cmpuint (calsync_month_view_get_n_events (CALSYNC_MONTH_VIEW (month)), ==, 14);
}

static GtkWidget *
find_child (GtkWidget  *parent,
            GType       type,
            gboolean    visible_only,
            const char *css_class)
{
  for (GtkWidget *child = gtk_widget_get_first_child (parent);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) &&
          (!visible_only || gtk_widget_get_child_visible (child)) &&
          (css_class == NULL || gtk_widget_has_css_class (child, css_class)))
        return child;
    }
  return NULL;
}

static gboolean
more_shown (gpointer data)
{
  return find_child (data, GTK_TYPE_BUTTON, TRUE, "more") != NULL;
}

static void
test_more_button (void)
{
  GtkWidget *month = calsync_window_get_month_view (calsync_test_window ());
  GtkWidget *more;

  /* Nine interviews on the 26th do not fit in a cell of a 1280×800 window. The
   * row's "+N more" shows once its chips are made (a few per frame). */
  g_assert_true (calsync_test_wait_until (more_shown, month, 5000));
  more = find_child (month, GTK_TYPE_BUTTON, TRUE, "more");
  g_assert_nonnull (more);
  g_assert_true (g_str_has_prefix (gtk_button_get_label (GTK_BUTTON (more)), "+"));
}

static void
test_event_popover (void)
{
  GtkWidget *month = calsync_window_get_month_view (calsync_test_window ());
  GtkWidget *chip = find_child (month, CALSYNC_TYPE_EVENT_WIDGET, TRUE, NULL);
  GtkWidget *popover;

  g_assert_nonnull (chip);
  g_assert_true (gtk_widget_activate_action (chip, "event.show-details", NULL));
  popover = find_child (chip, CALSYNC_TYPE_EVENT_POPOVER, FALSE, NULL);
  g_assert_nonnull (popover);
  g_assert_true (calsync_event_popover_get_event (CALSYNC_EVENT_POPOVER (popover)) ==
                 calsync_event_widget_get_event (CALSYNC_EVENT_WIDGET (chip)));
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (calsync_test_wait_until (calsync_test_unmapped, popover, 5000));
}

static GtkWidget *
find_chip (GtkWidget  *month,
           const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (month);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (CALSYNC_IS_EVENT_WIDGET (child) &&
        g_strcmp0 (calsync_event_get_title (calsync_event_widget_get_event (CALSYNC_EVENT_WIDGET (child))), title) == 0)
      return child;
  return NULL;
}

static gboolean
chip_shown (gpointer data)
{
  return find_chip (calsync_window_get_month_view (calsync_test_window ()), data) != NULL;
}

static gboolean
chip_not_shown (gpointer data)
{
  return !chip_shown (data);
}

static void
apply_one (CalsyncEvent *event)
{
  CalsyncStore *store = calsync_test_app_store ();
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GError) error = NULL;
  gint64 calendar_id = 0;

  /* The account's calendar seeded by test_month_view */
  calendars = calsync_store_list_calendars (store, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < calendars->len; i++)
    if (g_strcmp0 (calsync_calendar_get_remote_id (g_ptr_array_index (calendars, i)), "alex@example.com") == 0)
      calendar_id = calsync_calendar_get_id (g_ptr_array_index (calendars, i));
  g_assert_cmpint (calendar_id, >, 0);
  calsync_test_store_apply_one (store, calendar_id, event);
}

/* A reload keeps the chips of unchanged events (no rebuild, no repaint of the
 * month), replaces changed ones, and waits while the view holds (a sync runs). */
static void
test_reload_keeps_chips (void)
{
  GtkWidget *month = calsync_window_get_month_view (calsync_test_window ());
  GtkWidget *standup = find_chip (month, "Standup");
  GtkWidget *review = find_chip (month, "Design review");

  g_assert_nonnull (standup);
  g_assert_nonnull (review);

  apply_one (calsync_test_event_at ("review", "Design review (moved)", "2026-11-25T15:00:00+01:00", 60, "Europe/Berlin"));
  apply_one (calsync_test_event_at ("late", "Late meeting", "2026-11-24T18:00:00+01:00", 30, "Europe/Berlin"));
  g_assert_true (calsync_test_wait_until (chip_shown, "Late meeting", 5000));
  g_assert_true (calsync_test_wait_until (chip_shown, "Design review (moved)", 5000));
  g_assert_true (find_chip (month, "Standup") == standup);
  g_assert_null (find_chip (month, "Design review"));

  /* Holding (as during a sync): a store change shows only when released */
  calsync_month_view_set_holding (CALSYNC_MONTH_VIEW (month), TRUE);
  apply_one (calsync_test_event_at ("held", "Held back", "2026-11-23T09:00:00+01:00", 30, "Europe/Berlin"));
  g_assert_true (calsync_test_holds_for (chip_not_shown, "Held back", 300));
  calsync_month_view_set_holding (CALSYNC_MONTH_VIEW (month), FALSE);
  g_assert_true (calsync_test_wait_until (chip_shown, "Held back", 5000));
  g_assert_true (find_chip (month, "Standup") == standup);
}

static void
test_week_view_and_navigation (void)
{
  CalsyncWindow *window = calsync_test_window ();
  GtkWidget *week = calsync_window_get_week_view (window);
  gboolean sunday;

  activate ("win.view-week");
  g_assert_cmpstr (calsync_window_get_view (window), ==, "week");
  g_assert_true (calsync_test_wait_until (calsync_test_week_has_events, week, 5000));
  /* The C locale starts weeks on Sunday, most others on Monday. */
  sunday = calsync_date_first_weekday () == 7;
  g_assert_cmpstr (calsync_window_get_title_text (window), ==,
                   sunday ? "22–28 November 2026" : "23–29 November 2026");

  activate ("win.next");
  g_assert_cmpstr (calsync_window_get_title_text (window), ==,
                   sunday ? "29 November – 5 December 2026" : "30 November – 6 December 2026");
  activate ("win.previous");
  activate ("win.previous");
  g_assert_cmpstr (calsync_window_get_title_text (window), ==,
                   sunday ? "15–21 November 2026" : "16–22 November 2026");

  activate ("win.view-month");
  g_assert_cmpstr (calsync_window_get_view (window), ==, "month");
  activate ("win.next");
  g_assert_cmpstr (calsync_window_get_title_text (window), ==, "December 2026");
  activate ("win.today");
  g_assert_cmpstr (calsync_window_get_title_text (window), ==, "November 2026");
}

static void
test_accelerators (void)
{
  static const char *expected[][2] = {
    { "app.quit", "<Control>q" },
    { "app.preferences", "<Control>comma" },
    { "win.close", "<Control>w" },
    { "win.today", "<Control>t" },
    { "win.previous", "<Alt>Left" },
    { "win.next", "<Alt>Right" },
    { "win.view-month", "<Alt>1" },
    { "win.view-week", "<Alt>2" },
    { "win.new-event", "<Control>n" },
    { "win.show-help-overlay", "<Control>question" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), expected[i][0]);

      g_assert_true (g_strv_contains ((const char * const *) accels, expected[i][1]));
    }

}

static void
test_shortcuts_window (void)
{
  GtkWindow *shortcuts;

  g_assert_null (calsync_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, FALSE));
  activate ("win.show-help-overlay");
  shortcuts = calsync_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, FALSE);
  g_assert_nonnull (shortcuts);
  g_assert_true (gtk_window_get_transient_for (shortcuts) == GTK_WINDOW (calsync_test_window ()));
  gtk_window_destroy (shortcuts);
}

static void
test_narrow_window (void)
{
  int minimum;

  /* Today, the view switch and + give way before the window gets wider than 360 px. */
  gtk_widget_measure (GTK_WIDGET (calsync_test_window ()), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);
}

static gboolean
preferences_shown (gpointer data)
{
  return calsync_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW, FALSE) != NULL;
}

static void
test_preferences (void)
{
  GList *before = gtk_window_list_toplevels ();
  guint n_before = g_list_length (before);
  GList *after;

  g_list_free (before);
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_true (calsync_test_wait_until (preferences_shown, NULL, 5000));
  after = gtk_window_list_toplevels ();
  g_assert_cmpuint (g_list_length (after), ==, n_before + 1);

  for (GList *l = after; l != NULL; l = l->next)
    if (ADW_IS_PREFERENCES_WINDOW (l->data))
      gtk_window_destroy (l->data);
  g_list_free (after);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-window");

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/window/empty-state", test_empty_state);
  g_test_add_func ("/window/month-view", test_month_view);
  g_test_add_func ("/window/more-button", test_more_button);
  g_test_add_func ("/window/event-popover", test_event_popover);
  g_test_add_func ("/window/reload-keeps-chips", test_reload_keeps_chips);
  g_test_add_func ("/window/week-view-and-navigation", test_week_view_and_navigation);
  g_test_add_func ("/window/accelerators", test_accelerators);
  g_test_add_func ("/window/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/window/narrow", test_narrow_window);
  g_test_add_func ("/window/preferences", test_preferences);

  test_status = calsync_test_run_window_tests (&app, NULL, NULL);
  calsync_test_remove_tree (tmp);

  return test_status;
}
