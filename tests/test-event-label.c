/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-event-label.c: the accessible names of event chips and blocks (no display). */
#include "config.h"

#include <locale.h>

#include "calsync-event-widget.h"

static CalsyncEvent *
timed_event (const char *title,
             const char *start,
             const char *end)
{
  CalsyncEvent *event = calsync_event_new ();
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  g_autoptr(GDateTime) s = g_date_time_new_from_iso8601 (start, zone);
  g_autoptr(GDateTime) e = g_date_time_new_from_iso8601 (end, zone);

  g_assert_nonnull (s);
  g_assert_nonnull (e);
  calsync_event_set_title (event, title);
  calsync_event_set_times (event, g_date_time_to_unix (s), g_date_time_to_unix (e), "Europe/Berlin");
  calsync_event_set_calendar_info (event, "Work", "#3584e4");
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
  calsync_event_set_calendar_info (event, "Work", "#3584e4");
  return event;
}

static void
assert_label (CalsyncEvent *event,
              const char   *expected)
{
  g_autofree char *label = calsync_event_widget_build_accessible_label (event);

  g_assert_cmpstr (label, ==, expected);
}

static void
test_timed (void)
{
  g_autoptr(CalsyncEvent) standup = timed_event ("Standup", "2026-11-25T10:00:00", "2026-11-25T10:15:00");
  g_autoptr(CalsyncEvent) late = timed_event ("Late shift", "2026-11-25T22:00:00", "2026-11-26T00:00:00");

  assert_label (standup, "Standup, Wednesday 25 November, 10:00 to 10:15, Work calendar");
  /* Ending at midnight: still one day */
  assert_label (late, "Late shift, Wednesday 25 November, 22:00 to 00:00, Work calendar");
}

static void
test_all_day (void)
{
  g_autoptr(CalsyncEvent) standup = all_day_event ("Standup", "2026-11-25", "2026-11-26");

  assert_label (standup, "Standup, Wednesday 25 November, all day, Work calendar");
}

static void
test_multi_day (void)
{
  g_autoptr(CalsyncEvent) conference = all_day_event ("Conference", "2026-11-23", "2026-11-26");
  g_autoptr(CalsyncEvent) train = timed_event ("Night train", "2026-11-25T22:00:00", "2026-11-26T06:30:00");
  g_autoptr(CalsyncEvent) year_end = all_day_event ("Holidays", "2026-12-30", "2027-01-02");

  assert_label (conference, "Conference, Monday 23 November to Wednesday 25 November, all day, Work calendar");
  assert_label (train, "Night train, Wednesday 25 November 22:00 to Thursday 26 November 06:30, Work calendar");
  assert_label (year_end, "Holidays, Wednesday 30 December to Friday 1 January, all day, Work calendar");
}

static void
test_untitled_and_no_calendar (void)
{
  g_autoptr(CalsyncEvent) untitled = timed_event (NULL, "2026-11-25T10:00:00", "2026-11-25T11:00:00");
  g_autoptr(CalsyncEvent) no_calendar = all_day_event ("Standup", "2026-11-25", "2026-11-26");

  calsync_event_set_calendar_info (no_calendar, NULL, NULL);
  assert_label (untitled, "Untitled event, Wednesday 25 November, 10:00 to 11:00, Work calendar");
  assert_label (no_calendar, "Standup, Wednesday 25 November, all day");
}

int
main (int    argc,
      char **argv)
{
  /* English names, 24-hour times, Berlin wall clock, whatever the caller's environment */
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event-label/timed", test_timed);
  g_test_add_func ("/event-label/all-day", test_all_day);
  g_test_add_func ("/event-label/multi-day", test_multi_day);
  g_test_add_func ("/event-label/untitled-and-no-calendar", test_untitled_and_no_calendar);

  return g_test_run ();
}
