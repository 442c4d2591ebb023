/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ical-rfc.c: the RFC 5545 behaviours of calsync_ical_parse that files in
 * the wild rely on, with exact instants: VTIMEZONEs trimmed to a few years,
 * TZIDs without a VTIMEZONE, RDATE periods (3.3.9, 3.8.5.2) and overrides with
 * RANGE=THISANDFUTURE (3.2.13, 3.8.4.4), rules that can never match; and
 * `calsync --import` of them twice. No display. */
#include "config.h"

#include <string.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"
#include "calsync-store.h"
#include "calsync-test-utils.h"

#define FIXTURES SRCDIR "/tests/fixtures/ical"

/* The window the CLI uses for CALSYNC_NOW=2026-11-25 (3 months back, 12 ahead) */
#define WINDOW_START "2026-08-25T00:00:00Z"
#define WINDOW_END   "2027-11-25T00:00:00Z"

static GPtrArray *
parse_text_in (const char  *text,
               gssize       length,
               const char  *start,
               const char  *end,
               GError     **error)
{
  return calsync_ical_parse (text, length, calsync_test_instant (start), calsync_test_instant (end), error);
}

static GPtrArray *
parse_fixture_in (const char *name,
                  const char *start,
                  const char *end)
{
  g_autofree char *path = g_build_filename (FIXTURES, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GPtrArray *events;
  gsize length;

  g_file_get_contents (path, &text, &length, &error);
  g_assert_no_error (error);
  events = parse_text_in (text, (gssize) length, start, end, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

static void
assert_instants (CalsyncEvent *event,
                 const char   *start,
                 const char   *end)
{
  g_assert_false (calsync_event_get_all_day (event));
  g_assert_cmpint (calsync_event_get_start (event), ==, calsync_test_instant (start));
  g_assert_cmpint (calsync_event_get_end (event), ==, calsync_test_instant (end));
}

static void
assert_timed (CalsyncEvent *event,
              const char   *start,
              const char   *end,
              const char   *zone)
{
  assert_instants (event, start, end);
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, zone);
}

static void
set_tz (const char *zone)
{
  g_setenv ("TZ", zone, TRUE);
  tzset ();
}

/* The warnings of a lenient read (calsync_ical_parse_full()'s problems) */
static GPtrArray *
parse_collecting_warnings (const char  *text,
                           GPtrArray  **warnings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  GPtrArray *events;

  events = calsync_ical_parse_full (text, -1, calsync_test_instant (WINDOW_START), calsync_test_instant (WINDOW_END), &problems, &error);
  g_assert_no_error (error);
  *warnings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      CalsyncIcalProblem *problem = g_ptr_array_index (problems, i);

      g_assert_cmpint (problem->kind, ==, CALSYNC_ICAL_PROBLEM_WARNING);
      g_ptr_array_add (*warnings, g_strdup (problem->message));
    }
  return events;
}

/* Trimmed VTIMEZONEs --------------------------------------------------------------- */

/* A feed whose Europe/Berlin rules stop in 2011 (RRULE…;UNTIL) and whose
 * vendor-prefixed Europe/Paris has RDATE changes for 2008-2010 only: outside
 * those years the system's rules, inside them the file's. */
static void
test_trimmed_zone (void)
{
  g_autoptr(GPtrArray) events = parse_fixture_in ("trimmed-zone.ics", "2000-01-01T00:00:00Z", "2028-01-01T00:00:00Z");

  /* After the file's years: +01:00 in winter, +02:00 in summer (libical alone
   * kept +01:00 for ever) */
  assert_timed (calsync_test_get_event (events, "winter-2026@club.example"),
                "2026-01-15T18:00:00Z", "2026-01-15T20:00:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "summer-2026@club.example"),
                "2026-07-15T17:00:00Z", "2026-07-15T19:00:00Z", "Europe/Berlin");
  /* Inside them, the file's rules */
  assert_timed (calsync_test_get_event (events, "summer-2010@club.example"),
                "2010-07-15T17:00:00Z", "2010-07-15T19:00:00Z", "Europe/Berlin");
  /* Before its first change (2008-03-30): Berlin had summer time in 2005 too */
  assert_timed (calsync_test_get_event (events, "summer-2005@club.example"),
                "2005-07-15T17:00:00Z", "2005-07-15T19:00:00Z", "Europe/Berlin");

  /* A series from 2010: every instance on its wall clock, whatever the year */
  assert_timed (calsync_test_get_event (events, "monthly@club.example_20100104T180000Z"),
                "2010-01-04T18:00:00Z", "2010-01-04T19:00:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "monthly@club.example_20100705T170000Z"),
                "2010-07-05T17:00:00Z", "2010-07-05T18:00:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "monthly@club.example_20260706T170000Z"),
                "2026-07-06T17:00:00Z", "2026-07-06T18:00:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "monthly@club.example_20261207T180000Z"),
                "2026-12-07T18:00:00Z", "2026-12-07T19:00:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_original_start (calsync_test_get_event (events, "monthly@club.example_20260706T170000Z")),
                   ==, "2026-07-06T19:00:00+02:00");

  /* RDATE-only rules, under a vendor prefix; their last change is 2010-10-31 */
  assert_timed (calsync_test_get_event (events, "paris@club.example_20100104T080000Z"),
                "2010-01-04T08:00:00Z", "2010-01-04T09:00:00Z", "Europe/Paris");
  assert_timed (calsync_test_get_event (events, "paris@club.example_20100704T070000Z"),
                "2010-07-04T07:00:00Z", "2010-07-04T08:00:00Z", "Europe/Paris");
  assert_timed (calsync_test_get_event (events, "paris@club.example_20260704T070000Z"),
                "2026-07-04T07:00:00Z", "2026-07-04T08:00:00Z", "Europe/Paris");
  assert_timed (calsync_test_get_event (events, "paris@club.example_20270104T080000Z"),
                "2027-01-04T08:00:00Z", "2027-01-04T09:00:00Z", "Europe/Paris");
}

/* Inside its years a zone stays custom, even under an IANA name; a name the
 * system does not know keeps its rules for ever (nothing to fall back on) */
static void
test_trimmed_zone_custom (void)
{
  g_autoptr(GPtrArray) events = parse_fixture_in ("trimmed-zone-custom.ics",
                                                  "2000-01-01T00:00:00Z", "2028-01-01T00:00:00Z");

  /* The file's summer time starts on the first Sunday of April (2010-04-04),
   * the EU's on the last of March: on 2010-03-30 the file says +01:00 */
  assert_timed (calsync_test_get_event (events, "custom-2010@club.example"),
                "2010-03-30T18:00:00Z", "2010-03-30T19:00:00Z", "Europe/Berlin");
  /* After its years, the system's: summer time since 2026-03-29 */
  assert_timed (calsync_test_get_event (events, "custom-2026@club.example"),
                "2026-03-30T17:00:00Z", "2026-03-30T18:00:00Z", "Europe/Berlin");

  assert_instants (calsync_test_get_event (events, "club-time-2010@club.example"), "2010-07-15T17:00:00Z", "2010-07-15T18:00:00Z");
  /* Its last change (2011-10-30) went to +01:00 */
  assert_instants (calsync_test_get_event (events, "club-time-2026@club.example"), "2026-07-15T18:00:00Z", "2026-07-15T19:00:00Z");
}

/* Rules that end with COUNT rather than UNTIL: 2008-2010 */
static void
test_trimmed_zone_count (void)
{
  static const char text[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:20080309T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU;COUNT=3\r\n"
    "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nDTSTART:20081102T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU;COUNT=3\r\n"
    "TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:ny\r\nDTSTART;TZID=America/New_York:20090701T100000\r\n"
    "RRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = parse_text_in (text, -1, "2009-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 18);
  assert_timed (calsync_test_get_event (events, "ny_20090701T140000Z"), "2009-07-01T14:00:00Z", "2009-07-01T14:00:00Z",
                "America/New_York");
  assert_timed (calsync_test_get_event (events, "ny_20260701T140000Z"), "2026-07-01T14:00:00Z", "2026-07-01T14:00:00Z",
                "America/New_York");
}

/* TZIDs without a VTIMEZONE --------------------------------------------------------- */

static void
test_zone_names (void)
{
  g_autofree char *path = g_build_filename (FIXTURES, "zone-names.ics", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) events = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  set_tz ("America/Los_Angeles");
  events = parse_collecting_warnings (text, &warnings);
  set_tz ("Europe/Berlin");

  g_assert_cmpuint (events->len, ==, 4);
  /* The system's zone database: IANA, Windows and vendor-prefixed names */
  assert_timed (calsync_test_get_event (events, "iana@example.com"), "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "windows@example.com"),
                "2027-06-01T08:00:00Z", "2027-06-01T09:00:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "prefixed@example.com"),
                "2026-12-01T15:00:00Z", "2026-12-01T16:00:00Z", "America/New_York");

  /* A name nobody defines: floating, in the importing computer's zone, once
   * said (DTSTART and DTEND name the same zone) */
  assert_timed (calsync_test_get_event (events, "unknown@example.com"),
                "2026-12-01T18:00:00Z", "2026-12-01T19:30:00Z", "America/Los_Angeles");
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==,
                   "Line 28: the time zone “Mars/Olympus_Mons” is unknown, its times read as local time "
                   "(America/Los_Angeles)");
}

/* A 100,000-character TZID must not become a 100,000-character warning */
static void
test_long_zone_name (void)
{
  g_autofree char *name = g_strnfill (100000, 'X');
  g_autofree char *text = g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n"
                                           "DTSTART;TZID=%s:20261201T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", name);
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) events = parse_collecting_warnings (text, &warnings);

  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpuint (strlen (g_ptr_array_index (warnings, 0)), <, 200);
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 0), "XXX…"));
}

/* RDATE;VALUE=PERIOD ------------------------------------------------------------- */

/* Each instance from a period lasts that period, not the master's DURATION */
static void
test_rdate_period (void)
{
  g_autoptr(GPtrArray) events = parse_fixture_in ("rdate-period.ics", "1996-01-01T00:00:00Z", "1998-01-01T00:00:00Z");

  /* RFC 5545 3.8.5.2: RDATE;VALUE=PERIOD:19960403T020000Z/19960403T040000Z,19960404T010000Z/PT3H */
  assert_timed (calsync_test_get_event (events, "rdate-period-utc@example.com_19960402T010000Z"),
                "1996-04-02T01:00:00Z", "1996-04-02T02:00:00Z", "UTC");
  assert_timed (calsync_test_get_event (events, "rdate-period-utc@example.com_19960403T020000Z"),
                "1996-04-03T02:00:00Z", "1996-04-03T04:00:00Z", "UTC");
  assert_timed (calsync_test_get_event (events, "rdate-period-utc@example.com_19960404T010000Z"),
                "1996-04-04T01:00:00Z", "1996-04-04T04:00:00Z", "UTC");

  /* RFC 5545 3.3.9's periods beside a monthly rule; the one at an instant the
   * rule also makes says how long that instance lasts */
  assert_timed (calsync_test_get_event (events, "period-values@example.com_19961231T180000Z"),
                "1996-12-31T18:00:00Z", "1996-12-31T19:00:00Z", "UTC");
  assert_timed (calsync_test_get_event (events, "period-values@example.com_19970101T180000Z"),
                "1997-01-01T18:00:00Z", "1997-01-02T07:00:00Z", "UTC");
  assert_timed (calsync_test_get_event (events, "period-values@example.com_19970131T180000Z"),
                "1997-01-31T18:00:00Z", "1997-01-31T23:30:00Z", "UTC");
  assert_timed (calsync_test_get_event (events, "period-values@example.com_19970331T180000Z"),
                "1997-03-31T18:00:00Z", "1997-03-31T19:00:00Z", "UTC");

  /* With a TZID: an explicit end on the wall clock, and P1D across the end of
   * summer time (1997-10-26) lasting 25 hours */
  assert_timed (calsync_test_get_event (events, "period-zoned@example.com_19970714T123000Z"),
                "1997-07-14T12:30:00Z", "1997-07-14T13:30:00Z", "America/New_York");
  assert_timed (calsync_test_get_event (events, "period-zoned@example.com_19970715T123000Z"),
                "1997-07-15T12:30:00Z", "1997-07-15T16:00:00Z", "America/New_York");
  assert_timed (calsync_test_get_event (events, "period-zoned@example.com_19971025T160000Z"),
                "1997-10-25T16:00:00Z", "1997-10-26T17:00:00Z", "America/New_York");

  g_assert_cmpuint (events->len, ==, 10);
}

/* A period that is no period: not read as something else */
static void
test_rdate_period_malformed (void)
{
  static const char * const values[] = {
    "19960403T020000Z/garbage", "19960403T020000Z/-PT1H", "19960403T020000Z/19960403", "19960403/PT1H",
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:bad\r\n"
                                               "DTSTART:19960402T010000Z\r\nRDATE;VALUE=PERIOD:%s\r\n"
                                               "END:VEVENT\r\nEND:VCALENDAR\r\n", values[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = parse_text_in (text, -1, "1996-01-01T00:00:00Z", "1997-01-01T00:00:00Z", &error);

      /* Refused with its line (or, once one bad event no longer costs the file,
       * that event left out) */
      if (events == NULL)
        g_assert_true (g_str_has_prefix (error->message, "Line 6: "));
      else
        g_assert_null (calsync_test_find_event (events, "bad_19960402T010000Z"));
    }
}

/* RECURRENCE-ID;RANGE=THISANDFUTURE --------------------------------------------- */

#define RANGE "range@example.com_"

/* RFC 5545 3.8.4.4's RECURRENCE-ID;RANGE=THISANDFUTURE:19960120T120000Z on a
 * weekly series: two such overrides, a single override between them, an EXDATE */
static void
test_this_and_future (void)
{
  g_autoptr(GPtrArray) events = parse_fixture_in ("this-and-future.ics", "1996-01-01T00:00:00Z", "1997-01-01T00:00:00Z");
  CalsyncEvent *event;

  g_assert_cmpuint (events->len, ==, 7);
  assert_timed (calsync_test_get_event (events, RANGE "19960106T120000Z"), "1996-01-06T12:00:00Z", "1996-01-06T13:00:00Z", "UTC");
  event = calsync_test_get_event (events, RANGE "19960113T120000Z");
  assert_timed (event, "1996-01-13T12:00:00Z", "1996-01-13T13:00:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Weekly");
  g_assert_null (calsync_event_get_location (event));

  /* The override, and the instance after it: moved by two hours, two hours long */
  assert_timed (calsync_test_get_event (events, RANGE "19960120T120000Z"), "1996-01-20T14:00:00Z", "1996-01-20T16:00:00Z", "UTC");
  event = calsync_test_get_event (events, RANGE "19960127T120000Z");
  assert_timed (event, "1996-01-27T14:00:00Z", "1996-01-27T16:00:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Moved");
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Room 2");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, "range@example.com");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "1996-01-27T12:00:00Z");

  /* A single override replaces its instance only */
  event = calsync_test_get_event (events, RANGE "19960203T120000Z");
  assert_timed (event, "1996-02-03T17:00:00Z", "1996-02-03T18:00:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "One-off");

  /* The next THISANDFUTURE takes over: to the next day at 09:00, half an hour */
  assert_timed (calsync_test_get_event (events, RANGE "19960210T120000Z"), "1996-02-11T09:00:00Z", "1996-02-11T09:30:00Z", "UTC");
  event = calsync_test_get_event (events, RANGE "19960217T120000Z");
  assert_timed (event, "1996-02-18T09:00:00Z", "1996-02-18T09:30:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Sundays");
  g_assert_null (calsync_event_get_location (event));

  /* EXDATEs name original starts */
  g_assert_null (calsync_test_find_event (events, RANGE "19960224T120000Z"));
}

/* Moved instances and the window: one whose original start is before the
 * window but moved into it is there; one moved out of it is there too (as
 * moved overrides are), at its new time */
static void
test_this_and_future_window (void)
{
  static const char text[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
    "BEGIN:VEVENT\r\nUID:far\r\nDTSTART:20260101T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n"
    "SUMMARY:Daily\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:far\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260301T100000Z\r\n"
    "DTSTART:20260306T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Five days later\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:far\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260901T100000Z\r\n"
    "DTSTART:20260827T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Five days earlier\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) later = parse_text_in (text, -1, "2026-06-10T00:00:00Z", "2026-06-11T00:00:00Z", &error);
  g_autoptr(GPtrArray) earlier = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (later->len, ==, 2);
  assert_instants (calsync_test_get_event (later, "far_20260605T100000Z"), "2026-06-10T10:00:00Z", "2026-06-10T11:00:00Z");
  assert_instants (calsync_test_get_event (later, "far_20260610T100000Z"), "2026-06-15T10:00:00Z", "2026-06-15T11:00:00Z");

  earlier = parse_text_in (text, -1, "2026-10-10T00:00:00Z", "2026-10-11T00:00:00Z", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (earlier->len, ==, 2);
  assert_instants (calsync_test_get_event (earlier, "far_20261015T100000Z"), "2026-10-10T10:00:00Z", "2026-10-10T11:00:00Z");
  assert_instants (calsync_test_get_event (earlier, "far_20261010T100000Z"), "2026-10-05T10:00:00Z", "2026-10-05T11:00:00Z");
  g_assert_cmpstr (calsync_event_get_title (calsync_test_get_event (earlier, "far_20261010T100000Z")), ==, "Five days earlier");
}

/* All-day series: a THISANDFUTURE override moves the later dates by as many
 * days and gives them its length */
static void
test_this_and_future_all_day (void)
{
  static const char text[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
    "BEGIN:VEVENT\r\nUID:days\r\nDTSTART;VALUE=DATE:20261102\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
    "SUMMARY:Monday off\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:days\r\nRECURRENCE-ID;RANGE=THISANDFUTURE;VALUE=DATE:20261109\r\n"
    "DTSTART;VALUE=DATE:20261111\r\nDTEND;VALUE=DATE:20261113\r\nSUMMARY:Wednesday and Thursday off\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = parse_text_in (text, -1, WINDOW_START, WINDOW_END, &error);
  CalsyncEvent *event;

  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_cmpstr (calsync_event_get_start_date (calsync_test_get_event (events, "days_20261102")), ==, "2026-11-02");
  g_assert_cmpstr (calsync_event_get_start_date (calsync_test_get_event (events, "days_20261109")), ==, "2026-11-11");
  event = calsync_test_get_event (events, "days_20261123");
  g_assert_true (calsync_event_get_all_day (event));
  g_assert_cmpstr (calsync_event_get_start_date (event), ==, "2026-11-25");
  g_assert_cmpstr (calsync_event_get_end_date (event), ==, "2026-11-27");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Wednesday and Thursday off");
}

#define APPLE "7A1C3E55-2B9D-4F0E-9C61-5D8E2F4A3B10_"

/* As iCloud writes "this and all future events": a weekly 10:00 meeting moved
 * to 11:30 and renamed from 2026-10-21 on. 11:30 stays 11:30 across the end of
 * summer time (2026-10-25) and its start (2027-03-28). */
static void
test_apple_this_and_future (void)
{
  g_autoptr(GPtrArray) events = parse_fixture_in ("apple-this-and-future.ics", WINDOW_START, WINDOW_END);
  CalsyncEvent *event;

  /* Wednesdays from 2026-10-07 to 2027-11-24 */
  g_assert_cmpuint (events->len, ==, 60);

  event = calsync_test_get_event (events, APPLE "20261014T080000Z");
  assert_timed (event, "2026-10-14T08:00:00Z", "2026-10-14T09:00:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Team sync");
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Room 1");

  event = calsync_test_get_event (events, APPLE "20261021T080000Z");
  assert_timed (event, "2026-10-21T09:30:00Z", "2026-10-21T10:30:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Team sync (new slot)");

  event = calsync_test_get_event (events, APPLE "20261028T090000Z");
  assert_timed (event, "2026-10-28T10:30:00Z", "2026-10-28T11:30:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Team sync (new slot)");
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Room 4");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-10-28T10:00:00+01:00");

  assert_timed (calsync_test_get_event (events, APPLE "20270407T080000Z"),
                "2027-04-07T09:30:00Z", "2027-04-07T10:30:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, APPLE "20271124T090000Z"),
                "2027-11-24T10:30:00Z", "2027-11-24T11:30:00Z", "Europe/Berlin");
}

/* Bounds and fuzzing ------------------------------------------------------------- */

static void
assert_survives (const char *text,
                 gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = parse_text_in (text, (gssize) length, WINDOW_START, WINDOW_END, &error);

  if (events == NULL)
    g_assert_true (g_str_has_prefix (error->message, "Line "));
  else
    g_assert_no_error (error);
}

/* A thousand THISANDFUTURE overrides of an endless daily series, each moving
 * the rest of it thirteen years back or forth: the work stays bounded */
static void
test_many_futures (void)
{
  g_autoptr(GString) text = g_string_new ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:many\r\n"
                                          "DTSTART:20200101T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n"
                                          "END:VEVENT\r\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_new_utc (2020, 1, 2, 10, 0, 0);
      g_autoptr(GDateTime) original = g_date_time_add_days (day, (gint) i * 3);
      g_autoptr(GDateTime) moved = g_date_time_add_days (original, i % 2 ? 5000 : -5000);
      g_autofree char *id = g_date_time_format (original, "%Y%m%dT%H%M%SZ");
      g_autofree char *start = g_date_time_format (moved, "%Y%m%dT%H%M%SZ");

      g_string_append_printf (text, "BEGIN:VEVENT\r\nUID:many\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:%s\r\n"
                              "DTSTART:%s\r\nDURATION:PT1H\r\nEND:VEVENT\r\n", id, start);
    }
  g_string_append (text, "END:VCALENDAR\r\n");

  events = parse_text_in (text->str, (gssize) text->len, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  /* Each day of the window once, at most, and the overrides moved into it */
  g_assert_cmpuint (events->len, <=, 460 + 1000);
}

static const char * const rfc_fixtures[] = {
  "trimmed-zone.ics", "trimmed-zone-custom.ics", "zone-names.ics", "rdate-period.ics",
  "this-and-future.ics", "apple-this-and-future.ics",
};

/* Whatever these files turn into, an answer and never a crash */
static void
test_fuzz (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261125);
  static const char replacements[] = ":;,=/\"\\\r\n \tPTZ0-";

  for (guint f = 0; f < G_N_ELEMENTS (rfc_fixtures); f++)
    {
      g_autofree char *path = g_build_filename (FIXTURES, rfc_fixtures[f], NULL);
      g_autofree char *text = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &text, &length, NULL));
      for (gsize cut = 0; cut < length; cut += MAX (1, length / 25))
        assert_survives (text, cut);

      for (guint round = 0; round < 60; round++)
        {
          g_autofree char *copy = g_memdup2 (text, length);

          for (guint n = 0; n < 3; n++)
            copy[g_rand_int_range (rand, 0, (gint32) length)] =
              replacements[g_rand_int_range (rand, 0, sizeof replacements - 1)];
          assert_survives (copy, length);
        }
    }
}

/* Rules that can never match -------------------------------------------------- */

/* Rules without any occurrence, which libical 3.0 looks for month by month up
 * to the year 2582 (20000 for the first of a monthly or yearly rule): a second
 * or more each */
static const char * const empty_rules[] = {
  "FREQ=MONTHLY;BYDAY=6MO",
  "FREQ=MONTHLY;BYDAY=-6MO",
  "FREQ=MONTHLY;BYDAY=6MO,-7FR;BYMONTHDAY=1",
  "FREQ=YEARLY;BYMONTH=2;BYDAY=6MO",
  "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=7",
  "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=11",
  "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-11,12",
  "FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=9,17;BYSETPOS=5",
  "FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=1MO",
  "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;BYMONTH=2;BYSETPOS=2",
  "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31",
  "FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=2",
  "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
  "FREQ=YEARLY;BYMONTH=4,6,9,11;BYMONTHDAY=31,-31",
  "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30",
  "FREQ=MONTHLY;BYDAY=-1SU;BYMONTHDAY=1,2,3,-8",
  "FREQ=YEARLY;BYMONTH=2;BYDAY=5MO;BYMONTHDAY=1,2,3",
};

/* Rules that look close to those but have occurrences (as RFC 5545 reads
 * them: libical decides) */
static const char * const possible_rules[] = {
  "FREQ=MONTHLY;BYDAY=5MO",
  "FREQ=MONTHLY;BYDAY=-5FR",
  "FREQ=MONTHLY;BYDAY=6MO,5MO",
  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
  "FREQ=MONTHLY;BYMONTHDAY=31",
  "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=10",
  "FREQ=MONTHLY;BYDAY=MO;BYHOUR=9,17;BYSETPOS=7",
  "FREQ=MONTHLY;BYMONTHDAY=29,30,31;BYDAY=5MO",
  "FREQ=YEARLY;BYDAY=20MO",
  "FREQ=YEARLY;BYDAY=-6MO",
  "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO",
  "FREQ=MONTHLY;BYDAY=-1SU;BYMONTHDAY=-7,-6,-5,-4,-3,-2,-1",
  "FREQ=MONTHLY;BYDAY=-1SU;BYMONTHDAY=22",
  "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
  "FREQ=MONTHLY;BYMONTH=2;BYDAY=5MO",
  "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=-30",
  "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=1",
  "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=7",
  /* libical 3.0 ignores BYSETPOS in weekly and daily rules: every Monday, every day */
  "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",
  "FREQ=DAILY;BYSETPOS=2",
};

static struct icaltimetype
local_time (const char *text)
{
  struct icaltimetype t = icaltime_from_string (text);

  g_assert_false (icaltime_is_null_time (t));
  return t;
}

static gboolean
never_matches (const char *rule_text,
               const char *dtstart)
{
  struct icalrecurrencetype rule = icalrecurrencetype_from_string (rule_text);
  gboolean never;

  g_assert_cmpint (rule.freq, !=, ICAL_NO_RECURRENCE);
  never = calsync_ical_rule_never_matches (&rule, local_time (dtstart));
  free (rule.rscale);
  return never;
}

/* Which rules are found empty without iterating them: each of those would
 * cost libical a second or more (which a test on this machine cannot time
 * reliably), the others are left to it */
static void
test_never_matching_rules (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (empty_rules); i++)
    {
      g_test_message ("%s", empty_rules[i]);
      g_assert_true (never_matches (empty_rules[i], "20100104T190000"));
      /* ICU counts the days of October 1582 oddly: not judged before 1583 */
      g_assert_false (never_matches (empty_rules[i], "15000104T190000"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (possible_rules); i++)
    {
      g_test_message ("%s", possible_rules[i]);
      g_assert_false (never_matches (possible_rules[i], "20100104T190000"));
    }

  /* Rescaled calendars have other months */
  g_assert_false (never_matches ("RSCALE=GREGORIAN;FREQ=MONTHLY;BYDAY=6MO", "20100104T190000"));
}

/* Whether libical would still make an iterator of an empty rule: the callers
 * treat that and a refused one differently, as before. Checked against
 * libical where it answers at once. */
static void
test_empty_rule_iterators (void)
{
  static const struct { const char *rule, *dtstart; gboolean iterates; } cases[] = {
    /* A monthly rule expands DTSTART's month first, whatever BYMONTH says */
    { "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31", "20100104T190000", TRUE },
    { "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31", "20100404T190000", FALSE },
    { "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31", "20100204T190000", FALSE },
    { "FREQ=MONTHLY;BYMONTH=2;BYDAY=-1MO;BYMONTHDAY=30", "20100104T190000", FALSE },
    { "FREQ=MONTHLY;BYMONTH=2;BYDAY=-1MO;BYMONTHDAY=30", "20120104T190000", TRUE },
    { "FREQ=MONTHLY;BYMONTH=2;BYDAY=MO;BYMONTHDAY=30;BYSETPOS=-1", "20120104T190000", TRUE },
    { "FREQ=MONTHLY;BYMONTH=2;BYDAY=MO;BYMONTHDAY=30;BYSETPOS=2", "20120104T190000", FALSE },
    { "FREQ=MONTHLY;BYDAY=6MO", "20100104T190000", FALSE },
    { "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "20100104T190000", FALSE },
    /* Daily rules start at DTSTART; weekly ones cannot have BYMONTHDAY */
    { "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "20100104T190000", TRUE },
    { "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30", "20100104T190000", FALSE },
    /* A DTSTART libical refuses */
    { "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "26000104T190000", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      struct icalrecurrencetype rule = icalrecurrencetype_from_string (cases[i].rule);
      struct icaltimetype dtstart = local_time (cases[i].dtstart);

      g_test_message ("%s from %s", cases[i].rule, cases[i].dtstart);
      g_assert_true (calsync_ical_rule_never_matches (&rule, dtstart) || dtstart.year > 2582);
      g_assert_cmpint (calsync_ical_empty_rule_has_iterator (&rule, dtstart), ==, cases[i].iterates);
      if (cases[i].iterates || rule.freq == ICAL_WEEKLY_RECURRENCE || dtstart.year > 2582)
        {
          icalrecur_iterator *iterator = icalrecur_iterator_new (rule, dtstart);

          g_assert_true ((iterator != NULL) == cases[i].iterates);
          g_clear_pointer (&iterator, icalrecur_iterator_free);
          icalerror_clear_errno ();
        }
    }
}

#define BERLIN_VTIMEZONE \
  "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" \
  "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" \
  "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"

/* A zone whose summer time rule never matches: only its DTSTART is a change */
#define EMPTY_RULE_VTIMEZONE \
  "BEGIN:VTIMEZONE\r\nTZID:Test/Empty rule\r\n" \
  "BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\n" \
  "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nDTSTART:20080330T020000\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2\r\nEND:DAYLIGHT\r\n" \
  "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0300\r\nDTSTART:20090329T020000\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=6SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"

static char *
empty_rules_calendar (void)
{
  GString *text = g_string_new ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync//Tests//EN\r\n"
                                BERLIN_VTIMEZONE EMPTY_RULE_VTIMEZONE);

  for (guint i = 0; i < G_N_ELEMENTS (empty_rules); i++)
    g_string_append_printf (text, "BEGIN:VEVENT\r\nUID:empty-%u\r\nDTSTAMP:20100101T000000Z\r\n"
                            "DTSTART;TZID=Europe/Berlin:20100104T190000\r\n"
                            "DTEND;TZID=Europe/Berlin:20100104T200000\r\nRRULE:%s\r\nEND:VEVENT\r\n",
                            i, empty_rules[i]);

  /* UTC, with an RDATE, and in the zone with empty rules */
  g_string_append (text, "BEGIN:VEVENT\r\nUID:empty-utc\r\nDTSTAMP:20100101T000000Z\r\n"
                   "DTSTART:20100104T190000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=MONTHLY;BYDAY=6MO\r\n"
                   "RDATE:20100304T190000Z\r\nEND:VEVENT\r\n"
                   "BEGIN:VEVENT\r\nUID:empty-zone\r\nDTSTAMP:20100101T000000Z\r\n"
                   "DTSTART;TZID=Test/Empty rule:20100704T190000\r\nDURATION:PT1H\r\n"
                   "RRULE:FREQ=MONTHLY;BYMONTH=7;BYMONTHDAY=4;COUNT=3\r\nEND:VEVENT\r\n");
  /* The control: the first Monday of each month */
  g_string_append (text, "BEGIN:VEVENT\r\nUID:control\r\nDTSTAMP:20100101T000000Z\r\n"
                   "DTSTART;TZID=Europe/Berlin:20100104T190000\r\n"
                   "DTEND;TZID=Europe/Berlin:20100104T200000\r\nRRULE:FREQ=MONTHLY;BYDAY=1MO\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n");
  return g_string_free (text, FALSE);
}

static guint
count_instances (GPtrArray  *events,
                 const char *uid)
{
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      const char *id = calsync_event_get_external_id (g_ptr_array_index (events, i));

      n += g_str_has_prefix (id, uid) && id[strlen (uid)] == '_';
    }

  return n;
}

/* An event whose rule never matches is its DTSTART (and RDATEs) alone, as it
 * always was; the rest of the file is read as usual */
static void
test_never_matching_events (void)
{
  g_autofree char *text = empty_rules_calendar ();
  g_autoptr(GPtrArray) in_2010 = NULL;
  g_autoptr(GPtrArray) later = NULL;
  g_autoptr(GError) error = NULL;

  in_2010 = parse_text_in (text, -1, "2010-01-01T00:00:00Z", "2011-01-01T00:00:00Z", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (empty_rules); i++)
    {
      g_autofree char *uid = g_strdup_printf ("empty-%u", i);
      g_autofree char *id = g_strdup_printf ("empty-%u_20100104T180000Z", i);

      g_test_message ("%s", empty_rules[i]);
      g_assert_cmpuint (count_instances (in_2010, uid), ==, 1);
      assert_timed (calsync_test_get_event (in_2010, id), "2010-01-04T18:00:00Z", "2010-01-04T19:00:00Z",
                    "Europe/Berlin");
    }
  g_assert_cmpuint (count_instances (in_2010, "empty-utc"), ==, 2);
  assert_instants (calsync_test_get_event (in_2010, "empty-utc_20100104T190000Z"),
                   "2010-01-04T19:00:00Z", "2010-01-04T20:00:00Z");
  assert_instants (calsync_test_get_event (in_2010, "empty-utc_20100304T190000Z"),
                   "2010-03-04T19:00:00Z", "2010-03-04T20:00:00Z");
  /* The zone's empty summer rules change nothing after their DTSTARTs */
  g_assert_cmpuint (count_instances (in_2010, "empty-zone"), ==, 1);
  assert_instants (calsync_test_get_event (in_2010, "empty-zone_20100704T160000Z"),
                   "2010-07-04T16:00:00Z", "2010-07-04T17:00:00Z");
  g_assert_cmpuint (count_instances (in_2010, "control"), ==, 12);
  assert_timed (calsync_test_get_event (in_2010, "control_20100705T170000Z"),
                "2010-07-05T17:00:00Z", "2010-07-05T18:00:00Z", "Europe/Berlin");
  g_assert_cmpuint (in_2010->len, ==, G_N_ELEMENTS (empty_rules) + 2 + 1 + 12);

  /* Years later: nothing but the control's instances */
  later = parse_text_in (text, -1, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_instances (later, "control"), ==, 15);
  g_assert_cmpuint (later->len, ==, 15);
}

/* A fuzzed file (807 bytes that took libical 1.2 s): its monthly 6MO series is
 * outside the window, the two other events are broken, as before */
static void
test_never_matching_fuzzed (void)
{
  g_autofree char *path = g_build_filename (FIXTURES, "fuzz-never-matching-rule.ics", NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  events = calsync_ical_parse_full (text, (gssize) length, calsync_test_instant (WINDOW_START),
                                    calsync_test_instant (WINDOW_END), &problems, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_nonnull (problems);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpint (((CalsyncIcalProblem *) g_ptr_array_index (problems, 0))->kind, ==, CALSYNC_ICAL_PROBLEM_SKIPPED);
  g_assert_cmpstr (((CalsyncIcalProblem *) g_ptr_array_index (problems, 0))->message, ==,
                   "Line 15: “20260115T190715T210000” is not a valid date or time, event skipped");
  g_assert_cmpstr (((CalsyncIcalProblem *) g_ptr_array_index (problems, 1))->message, ==,
                   "Line 30: this is not an iCalendar line (NAME:value), event skipped");

  /* In its own years, the series is its DTSTART */
  g_clear_pointer (&events, g_ptr_array_unref);
  g_clear_pointer (&problems, g_ptr_array_unref);
  events = calsync_ical_parse_full (text, (gssize) length, calsync_test_instant ("2010-01-01T00:00:00Z"),
                                    calsync_test_instant ("2011-01-01T00:00:00Z"), &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (events, 0)), ==,
                   "monthly@club.example_20100104T180000Z");
}

/* Export ------------------------------------------------------------------------- */

/* What these files read as, written and read again, is the same: moved and
 * period instances keep their times, fields and original starts */
static void
test_round_trip (void)
{
  static const struct { const char *fixture, *start, *end; } cases[] = {
    { "apple-this-and-future.ics", WINDOW_START, WINDOW_END },
    { "this-and-future.ics", "1996-01-01T00:00:00Z", "1997-01-01T00:00:00Z" },
    { "rdate-period.ics", "1996-01-01T00:00:00Z", "1998-01-01T00:00:00Z" },
    { "trimmed-zone.ics", "2000-01-01T00:00:00Z", "2028-01-01T00:00:00Z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) first = parse_fixture_in (cases[i].fixture, cases[i].start, cases[i].end);
      g_autoptr(GPtrArray) second = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = calsync_ical_serialize (first, 0, &error);

      g_assert_no_error (error);
      second = parse_text_in (text, -1, cases[i].start, cases[i].end, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (second->len, ==, first->len);

      for (guint j = 0; j < first->len; j++)
        {
          CalsyncEvent *a = g_ptr_array_index (first, j);
          CalsyncEvent *b = calsync_test_get_event (second, calsync_event_get_external_id (a));

          g_assert_cmpint (calsync_event_get_start (a), ==, calsync_event_get_start (b));
          g_assert_cmpint (calsync_event_get_end (a), ==, calsync_event_get_end (b));
          g_assert_cmpstr (calsync_event_get_time_zone (a), ==, calsync_event_get_time_zone (b));
          g_assert_cmpstr (calsync_event_get_start_date (a), ==, calsync_event_get_start_date (b));
          g_assert_cmpstr (calsync_event_get_end_date (a), ==, calsync_event_get_end_date (b));
          g_assert_cmpstr (calsync_event_get_title (a), ==, calsync_event_get_title (b));
          g_assert_cmpstr (calsync_event_get_location (a), ==, calsync_event_get_location (b));
          g_assert_cmpstr (calsync_event_get_original_start (a), ==, calsync_event_get_original_start (b));
        }
    }
}

/* calsync --import, twice --------------------------------------------------------- */

static int
run_import (const char  *data_home,
            const char  *fixture,
            char       **out)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, data_home);
  g_autofree char *arg = g_strdup_printf ("--import=%s/%s", FIXTURES, fixture);
  const char *args[] = { arg, NULL };

  /* GSettings would scan GIO's modules, and GLib 2.74 loses one doing so
   * (LeakSanitizer): an empty module folder */
  g_subprocess_launcher_setenv (launcher, "GIO_MODULE_DIR", data_home, TRUE);
  return calsync_test_run_calsync (launcher, args, out, NULL);
}

static GPtrArray *
stored_events (const char *data_home)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (data_home);
  g_autoptr(GError) error = NULL;
  GPtrArray *events = calsync_store_list_calendar_events (store, calsync_store_get_personal_calendar_id (store),
                                                          calsync_test_instant ("2000-01-01T00:00:00Z"),
                                                          calsync_test_instant ("2100-01-01T00:00:00Z"), &error);

  g_assert_no_error (error);
  return events;
}

/* Moved instances keep their ids: importing the file again changes nothing */
static void
test_cli_import_twice (void)
{
  static const struct { const char *fixture, *first, *second; } cases[] = {
    { "apple-this-and-future.ics", "Imported 60 events (0 updated, 0 skipped).\n",
      "Imported 0 events (0 updated, 60 skipped).\n" },
    { "trimmed-zone.ics", "Imported 21 events (0 updated, 0 skipped).\n",
      "Imported 0 events (0 updated, 21 skipped).\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *data_home = g_dir_make_tmp ("calsync-ical-rfc-XXXXXX", NULL);
      g_autofree char *out = NULL;
      g_autoptr(GPtrArray) first = NULL;
      g_autoptr(GPtrArray) second = NULL;

      g_assert_cmpint (run_import (data_home, cases[i].fixture, &out), ==, 0);
      g_assert_cmpstr (out, ==, cases[i].first);
      first = stored_events (data_home);

      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run_import (data_home, cases[i].fixture, &out), ==, 0);
      g_assert_cmpstr (out, ==, cases[i].second);
      second = stored_events (data_home);
      g_assert_true (calsync_event_lists_equal (first, second));

      calsync_test_remove_tree (data_home);
    }
}

/* Instants after 2582, where libical's zone changes end: the offset of the
 * zone's last change before 2583 (CET here), found without libical working
 * every change out again on each call; before, its own rules */
static void
test_far_future_zone (void)
{
  static const char text[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "DTSTART:19810329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "DTSTART:19961027T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:summer-2582\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:25820701T120000\r\nDURATION:PT1H\r\nSUMMARY:A\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:summer-3000\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:30000701T120000\r\nDURATION:PT1H\r\nSUMMARY:B\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = parse_text_in (text, -1, "2582-01-01T00:00:00Z", "3001-01-01T00:00:00Z", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpint (calsync_event_get_start (calsync_test_get_event (events, "summer-2582")), ==,
                   calsync_test_instant ("2582-07-01T10:00:00Z"));
  g_assert_cmpint (calsync_event_get_start (calsync_test_get_event (events, "summer-3000")), ==,
                   calsync_test_instant ("3000-07-01T11:00:00Z"));
}

/* Found by fuzzing (a second per parse): a THISANDFUTURE override whose
 * RECURRENCE-ID is in 1013 moves every later occurrence of a weekly series
 * 1,013 years on; each moved instance's zone lookup in 3040 made libical
 * work out the zone's changes from 1981 again */
static void
test_far_moved_series (void)
{
  g_autoptr(GPtrArray) events = parse_fixture_in ("fuzz-far-moved-series.ics", WINDOW_START, WINDOW_END);
  guint moved = 0;

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (calsync_event_get_start (event));

      if (g_date_time_get_year (start) >= 3039)
        moved++;
      else
        g_assert_cmpint (calsync_event_get_start (event), ==, calsync_test_instant ("2026-10-21T09:30:00Z"));
    }
  g_assert_cmpuint (events->len, ==, 61);
  g_assert_cmpuint (moved, ==, 60);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* TZ, locale and CALSYNC_NOW for the tests and the processes they start */
  tmp = calsync_test_setup_env ("ical-rfc");
  calsync_ical_init ();

  g_test_add_func ("/ical-rfc/zones/trimmed", test_trimmed_zone);
  g_test_add_func ("/ical-rfc/zones/trimmed-custom", test_trimmed_zone_custom);
  g_test_add_func ("/ical-rfc/zones/trimmed-count", test_trimmed_zone_count);
  g_test_add_func ("/ical-rfc/zones/names-without-vtimezone", test_zone_names);
  g_test_add_func ("/ical-rfc/zones/long-name", test_long_zone_name);
  g_test_add_func ("/ical-rfc/rdate-period", test_rdate_period);
  g_test_add_func ("/ical-rfc/rdate-period-malformed", test_rdate_period_malformed);
  g_test_add_func ("/ical-rfc/this-and-future", test_this_and_future);
  g_test_add_func ("/ical-rfc/this-and-future/window", test_this_and_future_window);
  g_test_add_func ("/ical-rfc/this-and-future/all-day", test_this_and_future_all_day);
  g_test_add_func ("/ical-rfc/this-and-future/apple", test_apple_this_and_future);
  g_test_add_func ("/ical-rfc/bounds/many-futures", test_many_futures);
  g_test_add_func ("/ical-rfc/fuzz", test_fuzz);
  g_test_add_func ("/ical-rfc/never-matching/rules", test_never_matching_rules);
  g_test_add_func ("/ical-rfc/never-matching/iterators", test_empty_rule_iterators);
  g_test_add_func ("/ical-rfc/never-matching/events", test_never_matching_events);
  g_test_add_func ("/ical-rfc/never-matching/fuzzed", test_never_matching_fuzzed);
  g_test_add_func ("/ical-rfc/zones/far-future", test_far_future_zone);
  g_test_add_func ("/ical-rfc/zones/far-moved-series", test_far_moved_series);
  g_test_add_func ("/ical-rfc/export/round-trip", test_round_trip);
  g_test_add_func ("/ical-rfc/cli/import-twice", test_cli_import_twice);

  status = g_test_run ();
  calsync_test_remove_tree (tmp);
  return status;
}
