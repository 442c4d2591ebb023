/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-date-utils.c: the calendar arithmetic the views lay out events with. */
#include "config.h"

#include "calsync-date-utils.h"

static void
test_parse_day (void)
{
  static const struct { const char *text; gint64 day; } cases[] = {
    { "1970-01-01", 0 },
    { "1969-12-31", -1 },
    { "2000-02-29", 11016 },
    { "2026-11-25", 20782 },
    { "1600-03-01", -135080 },
  };
  /* a sign or a space sscanf's %u would take (a fuzzed Graph page sent
   * "-026-12-24": its year wrapped into one GDate held), short fields */
  static const char *bad[] = { "2026-02-29", "2026-13-01", "2026-11-25T10:00", "", "tomorrow",
                               "-026-12-24", "+026-12-24", " 026-12-24", "2026-+1-05", "2026-1-05",
                               "2026-01-5", "0000-01-01", "2026-00-10", "2026-01-00", "2026/01/05" };
  gint64 day;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (calsync_date_parse_day (cases[i].text, &day));
      g_assert_cmpint (day, ==, cases[i].day);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (calsync_date_parse_day (bad[i], &day));
  g_assert_false (calsync_date_parse_day (NULL, &day));
}

static gint64
unix_of (const char *iso)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

static void
test_local_day (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GTimeZone) auckland = g_time_zone_new_identifier ("Pacific/Auckland");
  g_autoptr(GTimeZone) la = g_time_zone_new_identifier ("America/Los_Angeles");
  gint64 nov25 = 20782;

  g_assert_nonnull (berlin);
  /* Midnight belongs to the day it starts; one second earlier to the day before. */
  g_assert_cmpint (calsync_date_local_day (berlin, unix_of ("2026-11-25T00:00:00+01:00")), ==, nov25);
  g_assert_cmpint (calsync_date_local_day (berlin, unix_of ("2026-11-24T23:59:59+01:00")), ==, nov25 - 1);
  /* Across the DST change (29 March 2026, 02:00 → 03:00) the day does not move. */
  g_assert_cmpint (calsync_date_local_day (berlin, unix_of ("2026-03-29T23:30:00+02:00")), ==,
                   calsync_date_local_day (berlin, unix_of ("2026-03-29T00:30:00+01:00")));
  /* One instant, three local dates. */
  g_assert_cmpint (calsync_date_local_day (auckland, unix_of ("2026-11-25T12:00:00Z")), ==, nov25 + 1);
  g_assert_cmpint (calsync_date_local_day (la, unix_of ("2026-11-25T06:00:00Z")), ==, nov25 - 1);
  /* Before the epoch rounds down, not towards zero. */
  g_assert_cmpint (calsync_date_local_day (la, unix_of ("1969-12-31T12:00:00-08:00")), ==, -1);
}

static void
test_start_of_week (void)
{
  g_autoptr(GDateTime) wednesday = g_date_time_new_local (2026, 11, 25, 15, 30, 0);
  g_autoptr(GDateTime) start = calsync_date_start_of_week (wednesday);
  int first = calsync_date_first_weekday ();

  g_assert_cmpint (g_date_time_get_day_of_week (start), ==, first);
  g_assert_cmpint (g_date_time_get_hour (start), ==, 0);
  g_assert_cmpint (calsync_date_days_between (start, wednesday), <, 7);
  g_assert_cmpint (calsync_date_days_between (start, wednesday), >=, 0);
}

/* Fractions of a second are kept: two writes within one second compare */
static void
test_rfc3339_fractions (void)
{
  gint64 whole = 0, millis = 0, micros = 0, offset = 0;

  g_assert_true (calsync_date_parse_rfc3339 ("2026-12-07T12:24:43Z", &whole));
  g_assert_true (calsync_date_parse_rfc3339 ("2026-12-07T12:24:43.949Z", &millis));
  g_assert_true (calsync_date_parse_rfc3339 ("2026-12-07T13:24:43.9491239+01:00", &micros));
  g_assert_cmpint (millis - whole, ==, 949000);
  g_assert_cmpint (micros - whole, ==, 949123);
  g_assert_true (calsync_date_parse_rfc3339 ("2026-12-07T12:24:43.5+00:00", &offset));
  g_assert_cmpint (offset - whole, ==, 500000);
  g_assert_false (calsync_date_parse_rfc3339 ("2026-12-07T12:24:43.5", &offset));
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/date-utils/parse-day", test_parse_day);
  g_test_add_func ("/date-utils/local-day", test_local_day);
  g_test_add_func ("/date-utils/start-of-week", test_start_of_week);
  g_test_add_func ("/date-utils/rfc3339-fractions", test_rfc3339_fractions);

  return g_test_run ();
}
