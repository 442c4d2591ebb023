/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-event.c: tests of CalsyncEvent, the event data object. */
#define G_LOG_DOMAIN "test-event"

#include "config.h"

#include <time.h>

#include "calsync-event-private.h"
#include "calsync-event.h"

/* 2026-11-10T00:00:00Z */
#define NOV_10_UTC G_GINT64_CONSTANT (1794268800)

static CalsyncEvent *
timed_event (const char *title,
             gint64      start,
             gint64      end)
{
  CalsyncEvent *event = calsync_event_new ();

  calsync_event_set_title (event, title);
  calsync_event_set_times (event, start, end, "Europe/Berlin");
  return event;
}

static CalsyncEvent *
all_day_event (const char *title,
               const char *start_date,
               const char *end_date)
{
  CalsyncEvent *event = calsync_event_new ();

  calsync_event_set_title (event, title);
  calsync_event_set_dates (event, start_date, end_date);
  return event;
}

static void
test_defaults (void)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();

  g_assert_cmpint (calsync_event_get_id (event), ==, 0);
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CONFIRMED);
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_EVENT);
  g_assert_false (calsync_event_get_all_day (event));
  g_assert_false (calsync_event_get_locally_modified (event));
  g_assert_null (calsync_event_get_title (event));
}

static void
test_set_dates_padding (void)
{
  g_autoptr(CalsyncEvent) event = all_day_event ("Holiday", "2026-11-10", "2026-11-12");

  g_assert_true (calsync_event_get_all_day (event));
  g_assert_cmpstr (calsync_event_get_start_date (event), ==, "2026-11-10");
  g_assert_cmpstr (calsync_event_get_end_date (event), ==, "2026-11-12");
  /* Covers the dates from UTC+14 to UTC-12 */
  g_assert_cmpint (calsync_event_get_start (event), ==, NOV_10_UTC - 14 * 3600);
  g_assert_cmpint (calsync_event_get_end (event), ==, NOV_10_UTC + 2 * 86400 + 12 * 3600);
}

static void
test_set_dates_defaults (void)
{
  g_autoptr(CalsyncEvent) no_end = all_day_event ("One day", "2026-02-28", NULL);
  g_autoptr(CalsyncEvent) backwards = all_day_event ("Backwards", "2026-12-31", "2026-12-30");
  g_autoptr(CalsyncEvent) leap = all_day_event ("Leap", "2028-02-28", NULL);

  g_assert_cmpstr (calsync_event_get_end_date (no_end), ==, "2026-03-01");
  g_assert_cmpstr (calsync_event_get_end_date (backwards), ==, "2027-01-01");
  g_assert_cmpstr (calsync_event_get_end_date (leap), ==, "2028-02-29");
}

static void
test_set_dates_invalid (void)
{
  g_autoptr(CalsyncEvent) event = timed_event ("Timed", NOV_10_UTC, NOV_10_UTC + 3600);

  g_test_expect_message ("calsync-event", G_LOG_LEVEL_WARNING, "*Invalid all-day start date*");
  calsync_event_set_dates (event, "2026-02-30", NULL);
  g_test_assert_expected_messages ();

  g_assert_false (calsync_event_get_all_day (event));
  g_assert_cmpint (calsync_event_get_start (event), ==, NOV_10_UTC);
}

static void
test_set_times_clears_dates (void)
{
  g_autoptr(CalsyncEvent) event = all_day_event ("Was all day", "2026-11-10", NULL);

  calsync_event_set_times (event, NOV_10_UTC + 3600, NOV_10_UTC, "UTC");

  g_assert_false (calsync_event_get_all_day (event));
  g_assert_null (calsync_event_get_start_date (event));
  g_assert_null (calsync_event_get_end_date (event));
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "UTC");
  /* An end before the start is clamped to a zero-length event */
  g_assert_cmpint (calsync_event_get_end (event), ==, NOV_10_UTC + 3600);
}

static void
test_copy_and_equal_content (void)
{
  g_autoptr(CalsyncEvent) a = timed_event ("Design review", NOV_10_UTC, NOV_10_UTC + 3600);
  g_autoptr(CalsyncEvent) b = NULL;

  calsync_event_set_attendees_json (a, "[{\"email\":\"sam@example.com\",\"response\":\"accepted\"}]");
  calsync_event_set_conference_url (a, "https://meet.google.com/abc-defg-hij");
  calsync_event_set_event_type (a, CALSYNC_EVENT_TYPE_MEETING);
  calsync_event_set_calendar_info (a, "Team", "#33d17a");
  b = calsync_event_copy (a);

  g_assert_true (calsync_event_equal_content (a, b));
  g_assert_cmpstr (calsync_event_get_calendar_color (b), ==, "#33d17a");

  /* Bookkeeping does not count as content */
  calsync_event_set_id (b, 42);
  calsync_event_set_etag (b, "\"etag-2\"");
  calsync_event_set_remote_updated (b, 123);
  calsync_event_set_locally_modified (b, TRUE);
  g_assert_true (calsync_event_equal_content (a, b));

  calsync_event_set_location (b, "Room 4");
  g_assert_false (calsync_event_equal_content (a, b));
  calsync_event_set_location (b, NULL);
  calsync_event_set_attendees_json (b, "[]");
  g_assert_false (calsync_event_equal_content (a, b));
}

static void
test_equal_content_all_day_vs_timed (void)
{
  g_autoptr(CalsyncEvent) a = all_day_event ("Trip", "2026-11-10", NULL);
  g_autoptr(CalsyncEvent) b = all_day_event ("Trip", "2026-11-10", "2026-11-11");
  g_autoptr(CalsyncEvent) c = timed_event ("Trip", calsync_event_get_start (a),
                                           calsync_event_get_end (a));

  g_assert_true (calsync_event_equal_content (a, b));
  calsync_event_set_times (c, calsync_event_get_start (a), calsync_event_get_end (a), NULL);
  g_assert_false (calsync_event_equal_content (a, c));
}

static char *
join_titles (GPtrArray *events)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "",
                            calsync_event_get_title (g_ptr_array_index (events, i)));

  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_compare_ordering (void)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *titles = NULL;

  g_ptr_array_add (events, timed_event ("Lunch", NOV_10_UTC + 12 * 3600, NOV_10_UTC + 13 * 3600));
  g_ptr_array_add (events, timed_event ("Beta", NOV_10_UTC + 9 * 3600, NOV_10_UTC + 10 * 3600));
  g_ptr_array_add (events, timed_event ("Alpha", NOV_10_UTC + 9 * 3600, NOV_10_UTC + 9 * 3600));
  g_ptr_array_add (events, all_day_event ("Short", "2026-11-10", NULL));
  g_ptr_array_add (events, all_day_event ("Long", "2026-11-10", "2026-11-14"));
  g_ptr_array_add (events, all_day_event ("Earlier", "2026-11-09", NULL));
  g_ptr_array_add (events, timed_event ("Early", NOV_10_UTC - 3600, NOV_10_UTC));

  g_ptr_array_sort (events, calsync_event_compare);
  titles = join_titles (events);

  /* All-day first (by date, longer first), then timed by start, then title */
  g_assert_cmpstr (titles, ==, "Earlier,Long,Short,Early,Alpha,Beta,Lunch");
}

static void
test_type_strings (void)
{
  static const CalsyncEventType types[] = {
    CALSYNC_EVENT_TYPE_EVENT, CALSYNC_EVENT_TYPE_MEETING, CALSYNC_EVENT_TYPE_CALL,
    CALSYNC_EVENT_TYPE_DEADLINE, CALSYNC_EVENT_TYPE_REMINDER,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_assert_cmpint (calsync_event_type_from_string (calsync_event_type_to_string (types[i])),
                     ==, types[i]);

  g_assert_cmpstr (calsync_event_type_to_string (CALSYNC_EVENT_TYPE_DEADLINE), ==, "deadline");
  g_assert_cmpint (calsync_event_type_from_string ("party"), ==, CALSYNC_EVENT_TYPE_EVENT);
  g_assert_cmpint (calsync_event_type_from_string (NULL), ==, CALSYNC_EVENT_TYPE_EVENT);
  g_assert_cmpstr (calsync_event_type_to_string ((CalsyncEventType) 99), ==, "event");
}

static void
test_status_strings (void)
{
  g_assert_cmpstr (calsync_event_status_to_string (CALSYNC_EVENT_STATUS_CONFIRMED), ==, "confirmed");
  g_assert_cmpstr (calsync_event_status_to_string (CALSYNC_EVENT_STATUS_TENTATIVE), ==, "tentative");
  g_assert_cmpstr (calsync_event_status_to_string (CALSYNC_EVENT_STATUS_CANCELLED), ==, "cancelled");
  g_assert_cmpint (calsync_event_status_from_string ("cancelled"), ==, CALSYNC_EVENT_STATUS_CANCELLED);
  g_assert_cmpint (calsync_event_status_from_string ("tentative"), ==, CALSYNC_EVENT_STATUS_TENTATIVE);
  g_assert_cmpint (calsync_event_status_from_string ("bogus"), ==, CALSYNC_EVENT_STATUS_CONFIRMED);
  g_assert_cmpint (calsync_event_status_from_string (NULL), ==, CALSYNC_EVENT_STATUS_CONFIRMED);
}

static void
test_local_start_all_day (void)
{
  g_autoptr(CalsyncEvent) event = all_day_event ("Holiday", "2026-10-25", NULL);
  g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);
  g_autoptr(GDateTime) end = calsync_event_dup_local_end (event);

  /* Local midnights, whatever the zone (Europe/Berlin; DST ends that day) */
  g_assert_cmpint (g_date_time_get_day_of_month (start), ==, 25);
  g_assert_cmpint (g_date_time_get_hour (start), ==, 0);
  g_assert_cmpint (g_date_time_get_day_of_month (end), ==, 26);
  g_assert_cmpint (g_date_time_get_hour (end), ==, 0);
  g_assert_cmpint (g_date_time_difference (end, start), ==, 25 * G_TIME_SPAN_HOUR);
}

static void
test_local_start_timed (void)
{
  g_autoptr(CalsyncEvent) event = timed_event ("Call", NOV_10_UTC + 9 * 3600, NOV_10_UTC + 10 * 3600);
  g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);

  /* 09:00 UTC is 10:00 in Berlin in November */
  g_assert_cmpint (g_date_time_get_hour (start), ==, 10);
  g_assert_cmpint (g_date_time_to_unix (start), ==, NOV_10_UTC + 9 * 3600);
}

static CalsyncEvent *
list_event (gint64      id,
            const char *title)
{
  CalsyncEvent *event = calsync_event_new ();

  calsync_event_set_id (event, id);
  calsync_event_set_title (event, title);
  calsync_event_set_times (event, 1000 * id, 1000 * id + 600, "Europe/Berlin");
  calsync_event_set_calendar_info (event, "Team", "#33d17a");
  return event;
}

static void
test_lists_equal (void)
{
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_true (calsync_event_lists_equal (NULL, a));
  g_ptr_array_add (a, list_event (1, "Standup"));
  g_ptr_array_add (a, list_event (2, "Review"));
  g_ptr_array_add (b, list_event (1, "Standup"));
  g_assert_false (calsync_event_lists_equal (a, b));   /* length */
  g_ptr_array_add (b, list_event (2, "Review"));
  g_assert_true (calsync_event_lists_equal (a, b));

  calsync_event_set_title (g_ptr_array_index (b, 1), "Design review");
  g_assert_false (calsync_event_lists_equal (a, b));   /* content */
  calsync_event_set_title (g_ptr_array_index (b, 1), "Review");
  calsync_event_set_locally_modified (g_ptr_array_index (b, 1), TRUE);
  g_assert_false (calsync_event_lists_equal (a, b));   /* local-change mark */
  calsync_event_set_locally_modified (g_ptr_array_index (b, 1), FALSE);
  calsync_event_set_calendar_info (g_ptr_array_index (b, 0), "Team", "#e01b24");
  g_assert_false (calsync_event_lists_equal (a, b));   /* calendar colour */
}

/* Moving an event in its own zone: the zone passed is the event's own string */
static void
test_set_times_own_zone (void)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();

  calsync_event_set_times (event, 1000, 2000, "Europe/Berlin");
  calsync_event_set_times (event, 4600, 5600, calsync_event_get_time_zone (event));
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "Europe/Berlin");
  g_assert_cmpint (calsync_event_get_start (event), ==, 4600);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  tzset ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event/defaults", test_defaults);
  g_test_add_func ("/event/set-dates/padding", test_set_dates_padding);
  g_test_add_func ("/event/set-dates/defaults", test_set_dates_defaults);
  g_test_add_func ("/event/set-dates/invalid", test_set_dates_invalid);
  g_test_add_func ("/event/set-times/clears-dates", test_set_times_clears_dates);
  g_test_add_func ("/event/copy-and-equal-content", test_copy_and_equal_content);
  g_test_add_func ("/event/equal-content/all-day-vs-timed", test_equal_content_all_day_vs_timed);
  g_test_add_func ("/event/compare", test_compare_ordering);
  g_test_add_func ("/event/type-strings", test_type_strings);
  g_test_add_func ("/event/status-strings", test_status_strings);
  g_test_add_func ("/event/local-start/all-day", test_local_start_all_day);
  g_test_add_func ("/event/local-start/timed", test_local_start_timed);
  g_test_add_func ("/event/lists-equal", test_lists_equal);
  g_test_add_func ("/event/set-times-own-zone", test_set_times_own_zone);

  return g_test_run ();
}
