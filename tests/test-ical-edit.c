/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ical-edit.c: local changes applied to servers' iCalendar resources
 * (calsync_ical_resource_*): after each edit the text reads back to exactly
 * the instances expected, and what CalSync does not edit is still there,
 * byte for byte. Fixtures as Apple, Google and Thunderbird write them. */
#include "config.h"

#include <string.h>

#include "calsync-ical.h"
#include "calsync-test-utils.h"

#define WINDOW_START 1780272000   /* 2026-06-01T00:00:00Z */
#define WINDOW_END   1811808000   /* 2027-06-01T00:00:00Z */
#define NOW          1798200000   /* 2026-12-25T12:00:00Z */
#define NOW_TEXT     "20261225T120000Z"

/* Fixtures ---------------------------------------------------------------- */

#define LA_VTIMEZONE \
  "BEGIN:VTIMEZONE\r\n" \
  "TZID:America/Los_Angeles\r\n" \
  "BEGIN:DAYLIGHT\r\n" \
  "TZOFFSETFROM:-0800\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n" \
  "DTSTART:20070311T020000\r\n" \
  "TZNAME:PDT\r\n" \
  "TZOFFSETTO:-0700\r\n" \
  "END:DAYLIGHT\r\n" \
  "BEGIN:STANDARD\r\n" \
  "TZOFFSETFROM:-0700\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n" \
  "DTSTART:20071104T020000\r\n" \
  "TZNAME:PST\r\n" \
  "TZOFFSETTO:-0800\r\n" \
  "END:STANDARD\r\n" \
  "END:VTIMEZONE\r\n"

#define APPLE_ALARM \
  "BEGIN:VALARM\r\n" \
  "X-WR-ALARMUID:0C1B5E2A-ALARM\r\n" \
  "UID:0C1B5E2A-ALARM\r\n" \
  "TRIGGER:-PT15M\r\n" \
  "ATTACH;VALUE=URI:Chord\r\n" \
  "ACTION:AUDIO\r\n" \
  "END:VALARM\r\n"

#define APPLE_ATTACH \
  "ATTACH;FMTTYPE=application/pdf;FILENAME=agenda.pdf;SIZE=48213:https://p01-c\r\n" \
  " aldav.icloud.com/attachments/5A1F/agenda.pdf\r\n"

#define APPLE_DESCRIPTION \
  "DESCRIPTION:Weekly review of the design work\\, with the whole team and a l\r\n" \
  " ine that folds\r\n"

#define APPLE_OVERRIDE \
  "BEGIN:VEVENT\r\n" \
  "CREATED:20260101T120000Z\r\n" \
  "UID:5A1F-APPLE-SERIES\r\n" \
  "DTEND;TZID=America/Los_Angeles:20261216T110000\r\n" \
  "SUMMARY:Design review (moved)\r\n" \
  "LAST-MODIFIED:20261102T080000Z\r\n" \
  "DTSTAMP:20261102T080000Z\r\n" \
  "DTSTART;TZID=America/Los_Angeles:20261216T100000\r\n" \
  "SEQUENCE:4\r\n" \
  "RECURRENCE-ID;TZID=America/Los_Angeles:20261216T090000\r\n" \
  "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\n" \
  APPLE_ALARM \
  "END:VEVENT\r\n"

#define APPLE_MASTER_HEAD \
  "BEGIN:VEVENT\r\n" \
  "CREATED:20260101T120000Z\r\n" \
  "UID:5A1F-APPLE-SERIES\r\n" \
  "DTEND;TZID=America/Los_Angeles:20261202T100000\r\n" \
  "TRANSP:OPAQUE\r\n" \
  "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\n" \
  "SUMMARY:Design review\r\n" \
  "LAST-MODIFIED:20261101T080000Z\r\n" \
  "DTSTAMP:20261101T080000Z\r\n" \
  "DTSTART;TZID=America/Los_Angeles:20261202T090000\r\n" \
  "SEQUENCE:3\r\n" \
  "RRULE:FREQ=WEEKLY;COUNT=6\r\n"

#define APPLE_MASTER_TAIL \
  APPLE_DESCRIPTION \
  APPLE_ATTACH \
  "ATTENDEE;CN=Ann Example;PARTSTAT=ACCEPTED;EMAIL=ann@example.com:mailto:ann\r\n" \
  " @example.com\r\n" \
  "X-CUSTOM-PROPERTY;X-PARAM=kept:something only Apple knows\r\n" \
  APPLE_ALARM \
  "END:VEVENT\r\n"

/* Weekly on Wednesdays at 09:00 in Los Angeles, six times from 2 December;
 * the third one (16 December) moved to 10:00 */
static const char apple_series[] =
  "BEGIN:VCALENDAR\r\n"
  "VERSION:2.0\r\n"
  "PRODID:-//Apple Inc.//macOS 14.2//EN\r\n"
  "CALSCALE:GREGORIAN\r\n"
  LA_VTIMEZONE
  APPLE_MASTER_HEAD
  APPLE_MASTER_TAIL
  APPLE_OVERRIDE
  "END:VCALENDAR\r\n";

#define BERLIN_VTIMEZONE \
  "BEGIN:VTIMEZONE\r\n" \
  "TZID:Europe/Berlin\r\n" \
  "X-LIC-LOCATION:Europe/Berlin\r\n" \
  "BEGIN:DAYLIGHT\r\n" \
  "TZOFFSETFROM:+0100\r\n" \
  "TZOFFSETTO:+0200\r\n" \
  "TZNAME:CEST\r\n" \
  "DTSTART:19700329T020000\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" \
  "END:DAYLIGHT\r\n" \
  "BEGIN:STANDARD\r\n" \
  "TZOFFSETFROM:+0200\r\n" \
  "TZOFFSETTO:+0100\r\n" \
  "TZNAME:CET\r\n" \
  "DTSTART:19701025T030000\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" \
  "END:STANDARD\r\n" \
  "END:VTIMEZONE\r\n"

#define GOOGLE_PEOPLE \
  "ORGANIZER;CN=Ann Example:mailto:ann@example.com\r\n" \
  "UID:7kukuqrfedlm2f9t0vd7rrcq4c@google.com\r\n" \
  "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ann Ex\r\n" \
  " ample;X-NUM-GUESTS=0:mailto:ann@example.com\r\n" \
  "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=bo\r\n" \
  " b@example.com;X-NUM-GUESTS=0:mailto:bob@example.com\r\n" \
  "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij\r\n"

#define GOOGLE_ALARM \
  "BEGIN:VALARM\r\n" \
  "ACTION:DISPLAY\r\n" \
  "DESCRIPTION:This is an event reminder\r\n" \
  "TRIGGER:-P0DT0H10M0S\r\n" \
  "END:VALARM\r\n"

/* One event, 10 December 14:00–15:00 in Berlin */
static const char google_single[] =
  "BEGIN:VCALENDAR\r\n"
  "PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
  "VERSION:2.0\r\n"
  "CALSCALE:GREGORIAN\r\n"
  "X-WR-CALNAME:Work\r\n"
  "X-WR-TIMEZONE:Europe/Berlin\r\n"
  BERLIN_VTIMEZONE
  "BEGIN:VEVENT\r\n"
  "DTSTART;TZID=Europe/Berlin:20261210T140000\r\n"
  "DTEND;TZID=Europe/Berlin:20261210T150000\r\n"
  "DTSTAMP:20261120T101500Z\r\n"
  GOOGLE_PEOPLE
  "CREATED:20261115T090000Z\r\n"
  "DESCRIPTION:Quarterly planning.\r\n"
  "LAST-MODIFIED:20261120T101500Z\r\n"
  "LOCATION:Room 4\r\n"
  "SEQUENCE:0\r\n"
  "STATUS:CONFIRMED\r\n"
  "SUMMARY:Planning\r\n"
  "TRANSP:OPAQUE\r\n"
  GOOGLE_ALARM
  "END:VEVENT\r\n"
  "END:VCALENDAR\r\n";

#define MOZ_ALARM \
  "BEGIN:VALARM\n" \
  "ACTION:DISPLAY\n" \
  "TRIGGER;VALUE=DURATION:-PT15H\n" \
  "DESCRIPTION:Default Mozilla Description\n" \
  "END:VALARM\n"

/* Thunderbird, with bare LF line ends: a two-day offsite on the 5th of four
 * months */
static const char thunderbird_all_day[] =
  "BEGIN:VCALENDAR\n"
  "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\n"
  "VERSION:2.0\n"
  "BEGIN:VEVENT\n"
  "CREATED:20250101T100000Z\n"
  "LAST-MODIFIED:20250101T100000Z\n"
  "DTSTAMP:20250101T100000Z\n"
  "UID:a1b2c3d4-thunderbird\n"
  "SUMMARY:Team offsite\n"
  "RRULE:FREQ=MONTHLY;COUNT=4\n"
  "DTSTART;VALUE=DATE:20261205\n"
  "DTEND;VALUE=DATE:20261207\n"
  "TRANSP:TRANSPARENT\n"
  "X-MOZ-GENERATION:2\n"
  MOZ_ALARM
  "END:VEVENT\n"
  "END:VCALENDAR\n";

/* Two daily occurrences in UTC, without a DTEND */
static const char utc_pair[] =
  "BEGIN:VCALENDAR\r\n"
  "VERSION:2.0\r\n"
  "PRODID:-//Example Corp.//CalDAV Server//EN\r\n"
  "BEGIN:VEVENT\r\n"
  "UID:pair@example.com\r\n"
  "DTSTAMP:20261001T000000Z\r\n"
  "DTSTART:20261201T090000Z\r\n"
  "DURATION:PT30M\r\n"
  "RRULE:FREQ=DAILY;COUNT=2\r\n"
  "SUMMARY:Check-in\r\n"
  "X-VENDOR-ID:42\r\n"
  "END:VEVENT\r\n"
  "END:VCALENDAR\r\n";

/* Helpers ----------------------------------------------------------------- */

static GPtrArray *
parse (const char *text)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *events = calsync_ical_parse_full (text, -1, WINDOW_START, WINDOW_END, &problems, &error);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", ((CalsyncIcalProblem *) g_ptr_array_index (problems, i))->message);
  g_assert_cmpuint (problems->len, ==, 0);
  return events;
}

static CalsyncEvent *
find_event (GPtrArray  *events,
            const char *external_id)
{
  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (calsync_event_get_external_id (event), external_id))
        return event;
    }

  return NULL;
}

/* A copy of the event @external_id as the reader reads @text */
static CalsyncEvent *
read_event (const char *text,
            const char *external_id)
{
  g_autoptr(GPtrArray) events = parse (text);
  CalsyncEvent *event = find_event (events, external_id);

  g_assert_nonnull (event);
  return calsync_event_copy (event);
}

static char *
update (const char   *text,
        CalsyncEvent *event)
{
  g_autoptr(GError) error = NULL;
  char *edited = calsync_ical_resource_update (text, event, NULL, NOW, &error);

  g_assert_no_error (error);
  g_assert_nonnull (edited);
  g_test_message ("Edited:\n%s", edited);
  return edited;
}

static char *
delete (const char   *text,
        CalsyncEvent *event)
{
  g_autoptr(GError) error = NULL;
  gboolean left_empty = TRUE;
  char *edited = calsync_ical_resource_delete (text, event, NOW, &left_empty, &error);

  g_assert_no_error (error);
  g_assert_false (left_empty);
  g_assert_nonnull (edited);
  g_test_message ("Edited:\n%s", edited);
  return edited;
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("Missing from the edited text:\n%s", part);
}

static void
assert_lacks (const char *text,
              const char *part)
{
  if (strstr (text, part) != NULL)
    g_error ("Still in the edited text:\n%s", part);
}

static guint
count (const char *text,
       const char *part)
{
  guint n = 0;

  for (const char *p = strstr (text, part); p != NULL; p = strstr (p + 1, part))
    n++;
  return n;
}

static void
assert_times (CalsyncEvent *event,
              gint64        start,
              gint64        end)
{
  g_assert_false (calsync_event_get_all_day (event));
  g_assert_cmpint (calsync_event_get_start (event), ==, start);
  g_assert_cmpint (calsync_event_get_end (event), ==, end);
}

/* Every event of @before is in @after unchanged, except @changed */
static void
assert_others_unchanged (GPtrArray  *before,
                         GPtrArray  *after,
                         const char *changed)
{
  for (guint i = 0; i < before->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (before, i);
      const char *id = calsync_event_get_external_id (event);
      g_autoptr(CalsyncEvent) same = NULL;
      CalsyncEvent *now;

      if (changed != NULL && g_str_equal (id, changed))
        continue;

      now = find_event (after, id);
      g_assert_nonnull (now);
      /* The series' definition the instances keep gains the EXDATEs */
      same = calsync_event_copy (now);
      calsync_event_set_recurrence (same, calsync_event_get_recurrence (event));
      g_assert_true (calsync_event_equal_content (event, same));
    }
}

/* Updates ----------------------------------------------------------------- */

static void
test_update_single (void)
{
  g_autoptr(CalsyncEvent) event = read_event (google_single, "7kukuqrfedlm2f9t0vd7rrcq4c@google.com");
  g_autofree char *edited = NULL;
  g_autoptr(GPtrArray) events = NULL;
  CalsyncEvent *read;

  /* One hour later, a new title; the location is left as it was */
  calsync_event_set_title (event, "Planning, with snacks; and more");
  calsync_event_set_times (event, 1796907600 + 3600, 1796907600 + 7200, "Europe/Berlin");
  edited = update (google_single, event);

  events = parse (edited);
  g_assert_cmpuint (events->len, ==, 1);
  read = g_ptr_array_index (events, 0);
  g_assert_cmpstr (calsync_event_get_title (read), ==, "Planning, with snacks; and more");
  g_assert_cmpstr (calsync_event_get_location (read), ==, "Room 4");
  g_assert_cmpstr (calsync_event_get_description (read), ==, "Quarterly planning.");
  assert_times (read, 1796907600 + 3600, 1796907600 + 7200);
  g_assert_cmpstr (calsync_event_get_time_zone (read), ==, "Europe/Berlin");

  /* The server's form, and a new revision */
  assert_contains (edited, "\r\nDTSTART;TZID=Europe/Berlin:20261210T150000\r\n");
  assert_contains (edited, "\r\nDTEND;TZID=Europe/Berlin:20261210T160000\r\n");
  assert_contains (edited, "\r\nSUMMARY:Planning\\, with snacks\\; and more\r\n");
  assert_contains (edited, "\r\nSEQUENCE:1\r\n");
  assert_contains (edited, "\r\nDTSTAMP:" NOW_TEXT "\r\n");
  assert_contains (edited, "\r\nLAST-MODIFIED:" NOW_TEXT "\r\n");
  g_assert_cmpuint (count (edited, "SUMMARY"), ==, 1);
  g_assert_cmpuint (count (edited, "SEQUENCE"), ==, 1);
  g_assert_cmpint (calsync_ical_resource_modified (edited), ==, (gint64) NOW * G_USEC_PER_SEC);

  /* Everything else, byte for byte */
  assert_contains (edited, BERLIN_VTIMEZONE);
  assert_contains (edited, GOOGLE_PEOPLE);
  assert_contains (edited, GOOGLE_ALARM);
  assert_contains (edited, "\r\nLOCATION:Room 4\r\n");
  assert_contains (edited, "\r\nCREATED:20261115T090000Z\r\n");
  assert_contains (edited, "X-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VTIMEZONE");
}

static void
test_update_fields (void)
{
  g_autoptr(CalsyncEvent) event = read_event (google_single, "7kukuqrfedlm2f9t0vd7rrcq4c@google.com");
  g_autofree char *edited = NULL;
  g_autoptr(GPtrArray) events = NULL;
  CalsyncEvent *read;

  calsync_event_set_location (event, NULL);
  calsync_event_set_description (event, "Line one\nLine two");
  calsync_event_set_status (event, CALSYNC_EVENT_STATUS_TENTATIVE);
  edited = update (google_single, event);

  events = parse (edited);
  read = g_ptr_array_index (events, 0);
  g_assert_cmpstr (calsync_event_get_location (read), ==, NULL);
  g_assert_cmpstr (calsync_event_get_description (read), ==, "Line one\nLine two");
  g_assert_cmpint (calsync_event_get_status (read), ==, CALSYNC_EVENT_STATUS_TENTATIVE);
  assert_times (read, 1796907600, 1796907600 + 3600);
  assert_lacks (edited, "\r\nLOCATION");
  assert_contains (edited, "\r\nDESCRIPTION:Line one\\nLine two\r\n");
  assert_contains (edited, "\r\nSTATUS:TENTATIVE\r\n");
  /* Times untouched: their lines as they were */
  assert_contains (edited, "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20261210T140000\r\n"
                           "DTEND;TZID=Europe/Berlin:20261210T150000\r\n");
  assert_contains (edited, GOOGLE_ALARM);
}

static void
test_update_to_all_day (void)
{
  g_autoptr(CalsyncEvent) event = read_event (google_single, "7kukuqrfedlm2f9t0vd7rrcq4c@google.com");
  g_autofree char *edited = NULL;
  g_autoptr(GPtrArray) events = NULL;
  CalsyncEvent *read;

  calsync_event_set_dates (event, "2026-12-11", "2026-12-13");
  edited = update (google_single, event);

  events = parse (edited);
  read = g_ptr_array_index (events, 0);
  g_assert_true (calsync_event_get_all_day (read));
  g_assert_cmpstr (calsync_event_get_start_date (read), ==, "2026-12-11");
  g_assert_cmpstr (calsync_event_get_end_date (read), ==, "2026-12-13");
  assert_contains (edited, "\r\nDTSTART;VALUE=DATE:20261211\r\n");
  assert_contains (edited, "\r\nDTEND;VALUE=DATE:20261213\r\n");
  assert_contains (edited, GOOGLE_PEOPLE);

  /* And back to a time, in another zone: its VTIMEZONE comes along */
  {
    g_autoptr(CalsyncEvent) timed = calsync_event_copy (read);
    g_autofree char *again = NULL;
    g_autoptr(GPtrArray) reread = NULL;

    calsync_event_set_times (timed, 1796907600, 1796907600 + 1800, "Asia/Tokyo");
    again = update (edited, timed);
    reread = parse (again);
    assert_times (g_ptr_array_index (reread, 0), 1796907600, 1796907600 + 1800);
    g_assert_cmpstr (calsync_event_get_time_zone (g_ptr_array_index (reread, 0)), ==, "Asia/Tokyo");
    assert_contains (again, "\r\nDTSTART;TZID=Asia/Tokyo:20261210T220000\r\n");
    assert_contains (again, "\r\nTZID:Asia/Tokyo\r\n");
    assert_contains (again, BERLIN_VTIMEZONE);
    assert_contains (again, "\r\nSEQUENCE:2\r\n");
  }
}

/* Instances --------------------------------------------------------------- */

static void
test_update_override (void)
{
  g_autoptr(GPtrArray) before = parse (apple_series);
  g_autoptr(CalsyncEvent) event = read_event (apple_series, "5A1F-APPLE-SERIES_20261216T170000Z");
  g_autofree char *edited = NULL;
  g_autoptr(GPtrArray) after = NULL;
  CalsyncEvent *read;

  g_assert_cmpuint (before->len, ==, 6);
  calsync_event_set_title (event, "Design review (moved, renamed)");
  edited = update (apple_series, event);

  after = parse (edited);
  g_assert_cmpuint (after->len, ==, 6);
  read = find_event (after, "5A1F-APPLE-SERIES_20261216T170000Z");
  g_assert_cmpstr (calsync_event_get_title (read), ==, "Design review (moved, renamed)");
  assert_times (read, 1797440400 + 3600, 1797440400 + 7200);
  assert_others_unchanged (before, after, "5A1F-APPLE-SERIES_20261216T170000Z");

  /* The master untouched; the override edited in place */
  assert_contains (edited, LA_VTIMEZONE APPLE_MASTER_HEAD APPLE_MASTER_TAIL);
  assert_contains (edited, "RECURRENCE-ID;TZID=America/Los_Angeles:20261216T090000\r\n"
                           "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\n" APPLE_ALARM "END:VEVENT\r\n");
  assert_contains (edited, "\r\nSEQUENCE:5\r\n");
  g_assert_cmpuint (count (edited, "BEGIN:VEVENT"), ==, 2);
}

static void
test_update_new_override (void)
{
  g_autoptr(GPtrArray) before = parse (apple_series);
  g_autoptr(CalsyncEvent) event = read_event (apple_series, "5A1F-APPLE-SERIES_20261209T170000Z");
  g_autofree char *edited = NULL;
  g_autoptr(GPtrArray) after = NULL;
  CalsyncEvent *read;

  /* The second one, half an hour later, renamed */
  calsync_event_set_title (event, "Design review with guests");
  calsync_event_set_times (event, 1796835600 + 1800, 1796835600 + 5400, "America/Los_Angeles");
  edited = update (apple_series, event);

  after = parse (edited);
  g_assert_cmpuint (after->len, ==, 6);
  read = find_event (after, "5A1F-APPLE-SERIES_20261209T170000Z");
  g_assert_nonnull (read);
  g_assert_cmpstr (calsync_event_get_title (read), ==, "Design review with guests");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (read), ==, "5A1F-APPLE-SERIES");
  assert_times (read, 1796835600 + 1800, 1796835600 + 5400);
  assert_others_unchanged (before, after, "5A1F-APPLE-SERIES_20261209T170000Z");

  /* The master and the other override byte for byte; a new override with
   * the master's alarm, attachment and X- lines, without its rule */
  assert_contains (edited, LA_VTIMEZONE APPLE_MASTER_HEAD APPLE_MASTER_TAIL APPLE_OVERRIDE);
  g_assert_cmpuint (count (edited, "BEGIN:VEVENT"), ==, 3);
  g_assert_cmpuint (count (edited, "RRULE:FREQ=WEEKLY"), ==, 1);
  g_assert_cmpuint (count (edited, APPLE_ALARM), ==, 3);
  g_assert_cmpuint (count (edited, APPLE_ATTACH), ==, 2);
  g_assert_cmpuint (count (edited, "X-CUSTOM-PROPERTY;X-PARAM=kept:something only Apple knows\r\n"), ==, 2);
  assert_contains (edited, "\r\nRECURRENCE-ID;TZID=America/Los_Angeles:20261209T090000\r\n");
  assert_contains (edited, "\r\nDTSTART;TZID=America/Los_Angeles:20261209T093000\r\n");
  assert_contains (edited, "\r\nDTEND;TZID=America/Los_Angeles:20261209T103000\r\n");
  assert_contains (edited, "END:VEVENT\r\nEND:VCALENDAR\r\n");
}

static void
test_all_day_instances (void)
{
  g_autoptr(GPtrArray) before = parse (thunderbird_all_day);
  g_autoptr(CalsyncEvent) event = read_event (thunderbird_all_day, "a1b2c3d4-thunderbird_20270105");
  g_autoptr(CalsyncEvent) gone = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *deleted = NULL;
  g_autoptr(GPtrArray) after = NULL;
  CalsyncEvent *read;

  g_assert_cmpuint (before->len, ==, 4);
  calsync_event_set_dates (event, "2027-01-06", "2027-01-09");
  edited = update (thunderbird_all_day, event);

  after = parse (edited);
  g_assert_cmpuint (after->len, ==, 4);
  read = find_event (after, "a1b2c3d4-thunderbird_20270105");
  g_assert_cmpstr (calsync_event_get_start_date (read), ==, "2027-01-06");
  g_assert_cmpstr (calsync_event_get_end_date (read), ==, "2027-01-09");
  assert_others_unchanged (before, after, "a1b2c3d4-thunderbird_20270105");
  /* Bare LF line ends stay, the new lines have them too */
  g_assert_null (strchr (edited, '\r'));
  assert_contains (edited, "\nRECURRENCE-ID;VALUE=DATE:20270105\n");
  assert_contains (edited, "\nDTSTART;VALUE=DATE:20270106\n");
  assert_contains (edited, "\nDTEND;VALUE=DATE:20270109\n");
  g_assert_cmpuint (count (edited, MOZ_ALARM), ==, 2);
  g_assert_cmpuint (count (edited, "X-MOZ-GENERATION:2\n"), ==, 2);

  /* Deleting that instance: an EXDATE in the master's form, the override gone */
  gone = calsync_event_copy (find_event (after, "a1b2c3d4-thunderbird_20270105"));
  deleted = delete (edited, gone);
  {
    g_autoptr(GPtrArray) remaining = parse (deleted);

    g_assert_cmpuint (remaining->len, ==, 3);
    g_assert_null (find_event (remaining, "a1b2c3d4-thunderbird_20270105"));
    assert_others_unchanged (before, remaining, "a1b2c3d4-thunderbird_20270105");
  }
  assert_contains (deleted, "\nEXDATE;VALUE=DATE:20270105\n");
  assert_lacks (deleted, "RECURRENCE-ID");
  g_assert_cmpuint (count (deleted, "BEGIN:VEVENT"), ==, 1);
  assert_contains (deleted, MOZ_ALARM);
}

static void
test_delete_instance (void)
{
  g_autoptr(GPtrArray) before = parse (apple_series);
  g_autoptr(CalsyncEvent) plain = read_event (apple_series, "5A1F-APPLE-SERIES_20261202T170000Z");
  g_autoptr(CalsyncEvent) moved = read_event (apple_series, "5A1F-APPLE-SERIES_20261216T170000Z");
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GPtrArray) after = NULL;

  first = delete (apple_series, plain);
  after = parse (first);
  g_assert_cmpuint (after->len, ==, 5);
  g_assert_null (find_event (after, "5A1F-APPLE-SERIES_20261202T170000Z"));
  assert_others_unchanged (before, after, "5A1F-APPLE-SERIES_20261202T170000Z");
  assert_contains (first, "RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID=America/Los_Angeles:20261202T090000\r\n");
  assert_contains (first, APPLE_MASTER_TAIL APPLE_OVERRIDE);
  assert_contains (first, "\r\nSEQUENCE:4\r\n");

  /* The moved one: its override goes too */
  second = delete (first, moved);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = parse (second);
  g_assert_cmpuint (after->len, ==, 4);
  g_assert_null (find_event (after, "5A1F-APPLE-SERIES_20261216T170000Z"));
  assert_contains (second, "EXDATE;TZID=America/Los_Angeles:20261216T090000\r\n");
  assert_lacks (second, "RECURRENCE-ID");
  assert_lacks (second, "(moved)");
  assert_contains (second, APPLE_MASTER_TAIL "END:VCALENDAR\r\n");
}

static void
test_delete_until_empty (void)
{
  g_autoptr(CalsyncEvent) first = read_event (utc_pair, "pair@example.com_20261201T090000Z");
  g_autoptr(CalsyncEvent) second = read_event (utc_pair, "pair@example.com_20261202T090000Z");
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *empty = NULL;
  gboolean left_empty = TRUE;

  edited = delete (utc_pair, first);
  assert_contains (edited, "RRULE:FREQ=DAILY;COUNT=2\r\nEXDATE:20261201T090000Z\r\n");
  assert_contains (edited, "\r\nX-VENDOR-ID:42\r\n");

  empty = calsync_ical_resource_delete (edited, second, NOW, &left_empty, &error);
  g_assert_no_error (error);
  g_assert_null (empty);
  g_assert_true (left_empty);
}

static void
test_delete_single (void)
{
  g_autoptr(CalsyncEvent) event = read_event (google_single, "7kukuqrfedlm2f9t0vd7rrcq4c@google.com");
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = NULL;
  gboolean left_empty = FALSE;

  edited = calsync_ical_resource_delete (google_single, event, NOW, &left_empty, &error);
  g_assert_no_error (error);
  g_assert_null (edited);
  g_assert_true (left_empty);
}

static void
test_utc_duration_form (void)
{
  g_autoptr(CalsyncEvent) event = read_event (utc_pair, "pair@example.com_20261202T090000Z");
  g_autofree char *edited = NULL;
  g_autoptr(GPtrArray) after = NULL;
  gint64 start = calsync_event_get_start (event);

  calsync_event_set_times (event, start + 600, start + 600 + 3600, "UTC");
  edited = update (utc_pair, event);
  after = parse (edited);
  g_assert_cmpuint (after->len, ==, 2);
  assert_times (find_event (after, "pair@example.com_20261202T090000Z"), start + 600, start + 4200);
  assert_contains (edited, "\r\nRECURRENCE-ID:20261202T090000Z\r\n");
  assert_contains (edited, "\r\nDTSTART:20261202T091000Z\r\n");
  assert_contains (edited, "\r\nDURATION:PT1H\r\n");
  assert_contains (edited, "\r\nDURATION:PT30M\r\n");
}

/* An invitation to one instance: an override without its master */
static const char orphan_override[] =
  "BEGIN:VCALENDAR\r\n"
  "VERSION:2.0\r\n"
  "PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
  "BEGIN:VEVENT\r\n"
  "UID:weekly-sync@google.com\r\n"
  "RECURRENCE-ID:20261208T150000Z\r\n"
  "DTSTART:20261208T160000Z\r\n"
  "DTEND:20261208T163000Z\r\n"
  "DTSTAMP:20261120T101500Z\r\n"
  "SUMMARY:Weekly sync (you are invited to this one)\r\n"
  "X-GOOGLE-CONFERENCE:https://meet.google.com/xyz-abcd-efg\r\n"
  "END:VEVENT\r\n"
  "END:VCALENDAR\r\n";

/* Floating times stay floating */
static const char floating[] =
  "BEGIN:VCALENDAR\r\n"
  "VERSION:2.0\r\n"
  "PRODID:-//Example//Floating//EN\r\n"
  "BEGIN:VEVENT\r\n"
  "UID:floating-1\r\n"
  "DTSTAMP:20261120T101500Z\r\n"
  "DTSTART:20261210T090000\r\n"
  "DTEND:20261210T100000\r\n"
  "SUMMARY:Wake up\r\n"
  "END:VEVENT\r\n"
  "END:VCALENDAR\r\n";

static void
test_orphan_override (void)
{
  g_autoptr(CalsyncEvent) event = read_event (orphan_override, "weekly-sync@google.com_20261208T150000Z");
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *deleted = NULL;
  g_autoptr(GPtrArray) after = NULL;
  gboolean left_empty = FALSE;

  calsync_event_set_title (event, "Weekly sync (moved by me)");
  calsync_event_set_times (event, calsync_event_get_start (event) + 1800, calsync_event_get_end (event) + 1800,
                           "UTC");
  edited = update (orphan_override, event);
  after = parse (edited);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (after, 0)), ==, "Weekly sync (moved by me)");
  assert_contains (edited, "\r\nRECURRENCE-ID:20261208T150000Z\r\n");
  assert_contains (edited, "\r\nDTSTART:20261208T163000Z\r\n");
  assert_contains (edited, "\r\nX-GOOGLE-CONFERENCE:https://meet.google.com/xyz-abcd-efg\r\n");

  deleted = calsync_ical_resource_delete (edited, event, NOW, &left_empty, &error);
  g_assert_no_error (error);
  g_assert_null (deleted);
  g_assert_true (left_empty);
}

static void
test_floating (void)
{
  g_autoptr(CalsyncEvent) event = read_event (floating, "floating-1");
  g_autofree char *zone = g_strdup (calsync_event_get_time_zone (event));
  g_autofree char *edited = NULL;

  calsync_event_set_times (event, calsync_event_get_start (event) + 7200, calsync_event_get_end (event) + 7200, zone);
  edited = update (floating, event);
  assert_contains (edited, "\r\nDTSTART:20261210T110000\r\n");
  assert_contains (edited, "\r\nDTEND:20261210T120000\r\n");
}

/* A conflict: only what the edit changed from its base goes over the
 * server's newer text */
static void
test_update_with_base (void)
{
  g_autoptr(CalsyncEvent) base = read_event (google_single, "7kukuqrfedlm2f9t0vd7rrcq4c@google.com");
  g_autoptr(CalsyncEvent) event = calsync_event_copy (base);
  g_autoptr(GString) theirs = g_string_new (google_single);
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = NULL;
  g_autoptr(GPtrArray) after = NULL;
  CalsyncEvent *read;

  /* They moved it and changed the place; we changed the title */
  g_string_replace (theirs, "LOCATION:Room 4\r\n", "LOCATION:Room 9\r\n", 1);
  g_string_replace (theirs, "DTSTART;TZID=Europe/Berlin:20261210T140000\r\n",
                    "DTSTART;TZID=Europe/Berlin:20261210T130000\r\n", 1);
  calsync_event_set_title (event, "Planning (ours)");

  edited = calsync_ical_resource_update (theirs->str, event, base, NOW, &error);
  g_assert_no_error (error);
  after = parse (edited);
  read = g_ptr_array_index (after, 0);
  g_assert_cmpstr (calsync_event_get_title (read), ==, "Planning (ours)");
  g_assert_cmpstr (calsync_event_get_location (read), ==, "Room 9");
  g_assert_cmpint (calsync_event_get_start (read), ==, 1796907600 - 3600);
  assert_contains (edited, "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20261210T130000\r\n");

  /* An instance whose override is new: its own times, whatever the base */
  {
    g_autoptr(CalsyncEvent) instance_base = read_event (apple_series, "5A1F-APPLE-SERIES_20261223T170000Z");
    g_autoptr(CalsyncEvent) instance = calsync_event_copy (instance_base);
    g_autofree char *with_override = NULL;
    g_autoptr(GPtrArray) events = NULL;
    CalsyncEvent *found;

    calsync_event_set_title (instance, "Design review (renamed)");
    with_override = calsync_ical_resource_update (apple_series, instance, instance_base, NOW, &error);
    g_assert_no_error (error);
    events = parse (with_override);
    g_assert_cmpuint (events->len, ==, 6);
    found = find_event (events, "5A1F-APPLE-SERIES_20261223T170000Z");
    g_assert_cmpstr (calsync_event_get_title (found), ==, "Design review (renamed)");
    g_assert_cmpint (calsync_event_get_start (found), ==, calsync_event_get_start (instance_base));
    g_assert_cmpint (calsync_event_get_end (found), ==, calsync_event_get_end (instance_base));
  }

  /* The base as calsync_ical_resource_find_event() finds it */
  {
    g_autoptr(CalsyncEvent) found = calsync_ical_resource_find_event (google_single, event);
    g_autoptr(CalsyncEvent) instance = read_event (apple_series, "5A1F-APPLE-SERIES_20261216T170000Z");
    g_autoptr(CalsyncEvent) found_instance = calsync_ical_resource_find_event (apple_series, instance);

    g_assert_nonnull (found);
    g_assert_true (calsync_event_equal_content (found, base));
    g_assert_nonnull (found_instance);
    g_assert_true (calsync_event_equal_content (found_instance, instance));
    g_assert_null (calsync_ical_resource_find_event (utc_pair, event));
  }
}

/* New resources, dates, errors -------------------------------------------- */

static void
test_new_resource (void)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event ("new-uid-1@calsync", "Dentist", 1796907600,
                                                            1796907600 + 2700, "Europe/Berlin");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) events = NULL;
  CalsyncEvent *read;

  calsync_event_set_location (event, "Main Street 1");
  text = calsync_ical_resource_new (event, NOW, &error);
  g_assert_no_error (error);
  g_test_message ("%s", text);

  events = parse (text);
  g_assert_cmpuint (events->len, ==, 1);
  read = g_ptr_array_index (events, 0);
  g_assert_cmpstr (calsync_event_get_external_id (read), ==, "new-uid-1@calsync");
  g_assert_cmpstr (calsync_event_get_title (read), ==, "Dentist");
  g_assert_cmpstr (calsync_event_get_location (read), ==, "Main Street 1");
  assert_times (read, 1796907600, 1796907600 + 2700);
  g_assert_true (g_str_has_prefix (text, "BEGIN:VCALENDAR\r\n"));
  assert_contains (text, "\r\nVERSION:2.0\r\n");
  assert_contains (text, "\r\nPRODID:");
  assert_contains (text, "\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n");
  assert_contains (text, "\r\nUID:new-uid-1@calsync\r\n");
  assert_contains (text, "\r\nDTSTART;TZID=Europe/Berlin:20261210T140000\r\n");
  assert_contains (text, "\r\nDTEND;TZID=Europe/Berlin:20261210T144500\r\n");
  assert_contains (text, "\r\nSEQUENCE:0\r\n");
  assert_contains (text, "\r\nCREATED:" NOW_TEXT "\r\n");
  assert_contains (text, "\r\nLAST-MODIFIED:" NOW_TEXT "\r\n");
  assert_contains (text, "\r\nDTSTAMP:" NOW_TEXT "\r\n");
  g_assert_cmpuint (count (text, "BEGIN:VEVENT"), ==, 1);

  /* All day: dates */
  {
    g_autoptr(CalsyncEvent) day = calsync_test_all_day_event ("new-day@calsync", "Holiday", "2026-12-24",
                                                              "2026-12-27");
    g_autofree char *day_text = calsync_ical_resource_new (day, NOW, &error);

    g_assert_no_error (error);
    assert_contains (day_text, "\r\nDTSTART;VALUE=DATE:20261224\r\n");
    assert_contains (day_text, "\r\nDTEND;VALUE=DATE:20261227\r\n");
    assert_lacks (day_text, "VTIMEZONE");
  }
}

static void
test_modified (void)
{
  g_assert_cmpint (calsync_ical_resource_modified (google_single), ==,
                   G_GINT64_CONSTANT (1795169700) * G_USEC_PER_SEC);   /* 2026-11-20T10:15:00Z */
  /* The latest of the series' VEVENTs */
  g_assert_cmpint (calsync_ical_resource_modified (apple_series), ==,
                   G_GINT64_CONSTANT (1793606400) * G_USEC_PER_SEC);   /* 2026-11-02T08:00:00Z */
  /* No LAST-MODIFIED: DTSTAMP */
  g_assert_cmpint (calsync_ical_resource_modified (utc_pair), ==,
                   G_GINT64_CONSTANT (1790812800) * G_USEC_PER_SEC);   /* 2026-10-01T00:00:00Z */
  g_assert_cmpint (calsync_ical_resource_modified ("not a calendar"), ==, 0);
}

static void
test_errors (void)
{
  g_autoptr(CalsyncEvent) event = read_event (google_single, "7kukuqrfedlm2f9t0vd7rrcq4c@google.com");
  g_autoptr(CalsyncEvent) stranger = calsync_test_timed_event ("someone-else", "Other", 1796907600,
                                                               1796907600 + 60, "UTC");
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = NULL;

  edited = calsync_ical_resource_update ("<html>Not iCalendar</html>", event, NULL, NOW, &error);
  g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_PARSE);
  g_assert_null (edited);
  g_clear_error (&error);

  edited = calsync_ical_resource_update ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", event, NULL, NOW,
                                         &error);
  g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_PARSE);
  g_assert_null (edited);
  g_clear_error (&error);

  edited = calsync_ical_resource_update (google_single, stranger, NULL, NOW, &error);
  g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Other"));
  g_assert_null (edited);
  g_clear_error (&error);

  /* An instance the series does not have (any more): no override for it */
  calsync_event_set_recurring_event_id (stranger, "5A1F-APPLE-SERIES");
  calsync_event_set_original_start (stranger, "2026-12-03T09:00:00-08:00");
  edited = calsync_ical_resource_update (apple_series, stranger, NULL, NOW, &error);
  g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_INVALID);
  g_assert_null (edited);
  g_clear_error (&error);

  {
    g_autoptr(CalsyncEvent) first = read_event (apple_series, "5A1F-APPLE-SERIES_20261202T170000Z");
    g_autofree char *without = delete (apple_series, first);

    /* Deleted there, edited here */
    calsync_event_set_title (first, "Design review (renamed)");
    edited = calsync_ical_resource_update (without, first, NULL, NOW, &error);
    g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_INVALID);
    g_assert_null (edited);
    g_clear_error (&error);

    /* The last one (6 January) is still there */
    calsync_event_set_original_start (first, "2027-01-06T09:00:00-08:00");
    calsync_event_set_external_id (first, "5A1F-APPLE-SERIES_20270106T170000Z");
    edited = calsync_ical_resource_update (without, first, NULL, NOW, &error);
    g_assert_no_error (error);
    assert_contains (edited, "\r\nRECURRENCE-ID;TZID=America/Los_Angeles:20270106T090000\r\n");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("TZ", "Europe/Paris", TRUE);

  g_test_add_func ("/ical-edit/update/single", test_update_single);
  g_test_add_func ("/ical-edit/update/fields", test_update_fields);
  g_test_add_func ("/ical-edit/update/all-day", test_update_to_all_day);
  g_test_add_func ("/ical-edit/update/override", test_update_override);
  g_test_add_func ("/ical-edit/update/new-override", test_update_new_override);
  g_test_add_func ("/ical-edit/update/utc-duration", test_utc_duration_form);
  g_test_add_func ("/ical-edit/update/floating", test_floating);
  g_test_add_func ("/ical-edit/update/with-base", test_update_with_base);
  g_test_add_func ("/ical-edit/orphan-override", test_orphan_override);
  g_test_add_func ("/ical-edit/instances/all-day", test_all_day_instances);
  g_test_add_func ("/ical-edit/delete/instance", test_delete_instance);
  g_test_add_func ("/ical-edit/delete/until-empty", test_delete_until_empty);
  g_test_add_func ("/ical-edit/delete/single", test_delete_single);
  g_test_add_func ("/ical-edit/new", test_new_resource);
  g_test_add_func ("/ical-edit/modified", test_modified);
  g_test_add_func ("/ical-edit/errors", test_errors);

  return g_test_run ();
}
