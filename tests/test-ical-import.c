/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ical-import.c: calsync_ical_parse on realistic files (Google, Outlook,
 * Thunderbird, Apple, GNOME), malformed and fuzzed input, and `calsync --import`
 * run as a process against a throwaway database. No display. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "calsync-ical.h"
#include "calsync-store.h"
#include "calsync-test-utils.h"

#define FIXTURES SRCDIR "/tests/fixtures/ical"

/* The window the CLI uses for CALSYNC_NOW=2026-11-25 (3 months back, 12 ahead) */
#define WINDOW_START "2026-08-25T00:00:00Z"
#define WINDOW_END   "2027-11-25T00:00:00Z"

static char *
read_fixture (const char *name,
              gsize      *length)
{
  g_autofree char *path = g_build_filename (FIXTURES, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

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
parse_fixture (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GPtrArray *events;
  gsize length;

  text = read_fixture (name, &length);
  events = parse_text_in (text, length, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

static void
assert_timed (CalsyncEvent *event,
              const char   *start,
              const char   *end,
              const char   *zone)
{
  g_assert_false (calsync_event_get_all_day (event));
  g_assert_cmpint (calsync_event_get_start (event), ==, calsync_test_instant (start));
  g_assert_cmpint (calsync_event_get_end (event), ==, calsync_test_instant (end));
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, zone);
}

static void
assert_dates (CalsyncEvent *event,
              const char   *start_date,
              const char   *end_date)
{
  g_assert_true (calsync_event_get_all_day (event));
  g_assert_cmpstr (calsync_event_get_start_date (event), ==, start_date);
  g_assert_cmpstr (calsync_event_get_end_date (event), ==, end_date);
}

static guint
count_status (GPtrArray          *events,
              CalsyncEventStatus  status)
{
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    n += calsync_event_get_status (g_ptr_array_index (events, i)) == status;
  return n;
}

/* Fixtures -------------------------------------------------------------------- */

#define STANDUP "7kukuqr1ce9lbg1a2o5t0v9b4q@google.com"

static void
test_google_export (void)
{
  g_autoptr(GPtrArray) events = parse_fixture ("google-export.ics");
  static const char * const instances[] = { "20261102", "20261104", "20261109", "20261116", "20261118", "20261123" };
  CalsyncEvent *event;

  /* Six standups (UNTIL stops before the 25th, the 11th is an EXDATE), a holiday, a call */
  g_assert_cmpuint (events->len, ==, 8);
  for (guint i = 0; i < G_N_ELEMENTS (instances); i++)
    {
      g_autofree char *id = g_strdup_printf (STANDUP "_%sT090000Z", instances[i]);
      g_autofree char *start = g_strdup_printf ("%.4s-%.2s-%.2sT09:00:00Z", instances[i], instances[i] + 4, instances[i] + 6);
      g_autofree char *end = g_strdup_printf ("%.4s-%.2s-%.2sT09:15:00Z", instances[i], instances[i] + 4, instances[i] + 6);

      event = calsync_test_get_event (events, id);
      assert_timed (event, start, end, "Europe/Berlin");
      g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, STANDUP);
    }
  g_assert_null (calsync_test_find_event (events, STANDUP "_20261111T090000Z"));
  g_assert_null (calsync_test_find_event (events, STANDUP));

  event = calsync_test_get_event (events, STANDUP "_20261102T090000Z");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Standup meeting");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-11-02T10:00:00+01:00");
  /* The series' definition, on the clock it was written in, for --export */
  g_assert_cmpstr (calsync_event_get_recurrence (event), ==,
                   "DTSTART;TZID=Europe/Berlin:20261102T100000\n"
                   "DURATION:PT15M\n"
                   "RRULE:FREQ=WEEKLY;UNTIL=20261125T085959Z;BYDAY=MO,WE\n"
                   "EXDATE;TZID=Europe/Berlin:20261111T100000");
  g_assert_null (calsync_event_get_location (event));
  g_assert_true (g_str_has_prefix (calsync_event_get_description (event),
                                   "Fifteen minutes, what we did and what blocks us.\n\n-::~"));
  g_assert_cmpstr (calsync_event_get_conference_url (event), ==, "https://meet.google.com/abc-defg-hij");
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_MEETING);
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CONFIRMED);
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, calsync_test_instant ("2026-11-10T12:00:00Z") * G_USEC_PER_SEC);
  g_assert_cmpstr (calsync_event_get_attendees_json (event), ==,
                   "[{\"email\":\"ann@example.com\",\"name\":\"Ann Example\",\"response\":\"accepted\",\"organizer\":true},"
                   "{\"email\":\"bob@example.com\",\"name\":\"bob@example.com\",\"response\":\"needsAction\",\"organizer\":false},"
                   "{\"email\":\"carol@example.com\",\"name\":\"Carol Jones\",\"response\":\"declined\",\"organizer\":false}]");

  event = calsync_test_get_event (events, "2m1hq6f4b5c7d8e9f0g1h2i3j4@google.com");
  assert_dates (event, "2026-12-24", "2026-12-27");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Office closed");
  g_assert_null (calsync_event_get_description (event));
  g_assert_null (calsync_event_get_recurring_event_id (event));
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_EVENT);

  event = calsync_test_get_event (events, "0a9b8c7d6e5f4g3h2i1j0k9l8m@google.com");
  assert_timed (event, "2026-12-03T15:00:00Z", "2026-12-03T16:00:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Rosenthaler Straße 40, 10178 Berlin, Germany");
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_TENTATIVE);
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_CALL);
  g_assert_null (calsync_event_get_conference_url (event));
  g_assert_null (calsync_event_get_attendees_json (event));
}

#define OUTLOOK_UID "040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5D9010000000000000000100000009F8E7D6C5B4A39281706F5E4D3C2B1A0"

static void
test_outlook_invite (void)
{
  g_autoptr(GPtrArray) events = parse_fixture ("outlook-invite.ics");
  CalsyncEvent *event;

  g_assert_cmpuint (events->len, ==, 1);
  event = calsync_test_get_event (events, OUTLOOK_UID);
  /* "W. Europe Standard Time", converted with the file's own VTIMEZONE */
  assert_timed (event, "2027-01-14T13:00:00Z", "2027-01-14T14:30:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Quartalsplanung Q1");
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Microsoft Teams Meeting");
  g_assert_true (g_str_has_prefix (calsync_event_get_description (event), "Hallo zusammen,\n\nwir gehen"));
  g_assert_cmpstr (calsync_event_get_conference_url (event), ==,
                   "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ4ZTM4ZjQtYjA1Zi00ZGJmLWE2M2EtZjk1ZGE2ZDk5YjY2"
                   "%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22a1b2c3d4%22%7d");
  /* The organizer is not among the ATTENDEEs: added first, as Google lists it */
  g_assert_cmpstr (calsync_event_get_attendees_json (event), ==,
                   "[{\"email\":\"carla.mueller@contoso.com\",\"name\":\"Carla Müller\",\"response\":\"accepted\",\"organizer\":true},"
                   "{\"email\":\"ann@example.com\",\"name\":\"Ann Example\",\"response\":\"needsAction\",\"organizer\":false},"
                   "{\"email\":\"dieter.schmidt@contoso.com\",\"name\":\"Dieter Schmidt\",\"response\":\"tentative\",\"organizer\":false}]");
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_MEETING);
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, calsync_test_instant ("2026-11-20T10:15:00Z") * G_USEC_PER_SEC);
  g_assert_null (calsync_event_get_recurring_event_id (event));
}

static void
test_outlook_zones (void)
{
  g_autoptr(GPtrArray) events = parse_fixture ("outlook-zones.ics");
  CalsyncEvent *event;

  g_assert_cmpuint (events->len, ==, 4);

  /* A Windows display name with its VTIMEZONE */
  event = calsync_test_get_event (events, "040000008200E00074C5B7101A82E0080000000050B2A3C4D5E6D901000000000000000010000000AABBCCDDEEFF00112233445566778899");
  assert_timed (event, "2026-12-08T17:00:00Z", "2026-12-08T18:00:00Z", "America/Los_Angeles");

  /* A Windows key without a VTIMEZONE: the IANA zone's rules */
  event = calsync_test_get_event (events, "outlook-zones-pst-no-vtimezone");
  assert_timed (event, "2027-03-06T00:00:00Z", "2027-03-06T00:30:00Z", "America/Los_Angeles");
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_CALL);

  /* Names nobody knows: the VTIMEZONE converts, the shown zone is the one with the same rules */
  event = calsync_test_get_event (events, "outlook-zones-customized");
  assert_timed (event, "2027-06-01T07:00:00Z", "2027-06-01T08:00:00Z", "Europe/Berlin");
  event = calsync_test_get_event (events, "outlook-zones-customized-1");
  assert_timed (event, "2027-01-15T05:30:00Z", "2027-01-15T06:30:00Z", "Asia/Kolkata");
}

#define TEAM_SYNC "5f1c0d4e-3b2a-4c19-9e8f-7a6b5c4d3e2f"

static void
test_weekly_series (void)
{
  g_autoptr(GPtrArray) events = parse_fixture ("weekly-series.ics");
  static const char * const plain[] = { "20261201", "20261208", "20270105", "20270112", "20270119" };
  CalsyncEvent *event;

  /* 8 weeks: 5 as planned, 1 moved, 1 cancelled, 1 EXDATE; and one lone override */
  g_assert_cmpuint (events->len, ==, 8);
  g_assert_cmpuint (count_status (events, CALSYNC_EVENT_STATUS_CANCELLED), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    {
      g_autofree char *id = g_strdup_printf (TEAM_SYNC "_%sT083000Z", plain[i]);

      event = calsync_test_get_event (events, id);
      g_assert_cmpstr (calsync_event_get_title (event), ==, "Team sync");
      g_assert_cmpstr (calsync_event_get_location (event), ==, "Room 4.12");
      g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_MEETING);
    }
  assert_timed (calsync_test_get_event (events, TEAM_SYNC "_20270105T083000Z"),
                "2027-01-05T08:30:00Z", "2027-01-05T09:00:00Z", "Europe/Berlin");

  /* Moved: once, at its new time, under the id of its original one */
  event = calsync_test_get_event (events, TEAM_SYNC "_20261215T083000Z");
  assert_timed (event, "2026-12-16T13:00:00Z", "2026-12-16T13:30:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Team sync (moved)");
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Room 2.01");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-12-15T09:30:00+01:00");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, TEAM_SYNC);
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, calsync_test_instant ("2026-11-22T11:00:00Z") * G_USEC_PER_SEC);

  /* Cancelled: handed over as cancelled, so that a re-import removes it */
  event = calsync_test_get_event (events, TEAM_SYNC "_20261222T083000Z");
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CANCELLED);

  /* EXDATE: simply not there */
  g_assert_null (calsync_test_find_event (events, TEAM_SYNC "_20261229T083000Z"));

  /* A RECURRENCE-ID without its master: a single instance */
  event = calsync_test_get_event (events, "board-review-2027_20270301T100000Z");
  assert_timed (event, "2027-03-02T10:00:00Z", "2027-03-02T11:30:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, "board-review-2027");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2027-03-01T10:00:00Z");
}

static void
test_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gsize length;

  /* Only the instances overlapping [Dec 10, Jan 6); the moved one counts at its new
   * time, the lone override and plain events are never cut */
  text = read_fixture ("weekly-series.ics", &length);
  events = parse_text_in (text, length, "2026-12-10T00:00:00Z", "2027-01-06T00:00:00Z", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_nonnull (calsync_test_find_event (events, TEAM_SYNC "_20261215T083000Z"));
  g_assert_nonnull (calsync_test_find_event (events, TEAM_SYNC "_20261222T083000Z"));
  g_assert_nonnull (calsync_test_find_event (events, TEAM_SYNC "_20270105T083000Z"));
  g_assert_nonnull (calsync_test_find_event (events, "board-review-2027_20270301T100000Z"));
  g_clear_pointer (&events, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);

  text = read_fixture ("all-day.ics", &length);
  events = parse_text_in (text, length, "2030-01-01T00:00:00Z", "2030-12-31T00:00:00Z", &error);
  g_assert_no_error (error);
  g_assert_nonnull (calsync_test_find_event (events, "20261101T100000Z-retreat@example.com"));
  g_assert_nonnull (calsync_test_find_event (events, "20261101T100400Z-birthday@example.com_20300312"));
  g_assert_null (calsync_test_find_event (events, "20261101T100400Z-birthday@example.com_20270312"));
}

static void
test_dst (void)
{
  g_autoptr(GPtrArray) events = parse_fixture ("dst.ics");
  static const struct { const char *id, *start, *end, *original; } planning[] = {
    { "_20270315T080000Z", "2027-03-15T08:00:00Z", "2027-03-15T09:00:00Z", "2027-03-15T09:00:00+01:00" },
    { "_20270322T080000Z", "2027-03-22T08:00:00Z", "2027-03-22T09:00:00Z", "2027-03-22T09:00:00+01:00" },
    { "_20270329T070000Z", "2027-03-29T07:00:00Z", "2027-03-29T08:00:00Z", "2027-03-29T09:00:00+02:00" },
    { "_20270405T070000Z", "2027-04-05T07:00:00Z", "2027-04-05T08:00:00Z", "2027-04-05T09:00:00+02:00" },
  };

  g_assert_cmpuint (events->len, ==, 6);

  /* 23:00 EST to 04:00 EDT: four hours, across New York's switch */
  assert_timed (calsync_test_get_event (events, "9C1E2A3B-4D5E-4F60-8A7B-1C2D3E4F5A6B"),
                "2027-03-14T04:00:00Z", "2027-03-14T08:00:00Z", "America/New_York");

  /* 22:00 CEST to 06:00 CET: nine hours, across Berlin's switch back */
  assert_timed (calsync_test_get_event (events, "3C4D5E6F-7A81-4B92-8C3D-4E5F6A7B8C9D"),
                "2026-10-24T20:00:00Z", "2026-10-25T05:00:00Z", "Europe/Berlin");

  /* A weekly 09:00 in Berlin (no VTIMEZONE: the system's rules) stays at 09:00 */
  for (guint i = 0; i < G_N_ELEMENTS (planning); i++)
    {
      g_autofree char *id = g_strconcat ("2B3C4D5E-6F70-4A81-9B2C-3D4E5F6A7B8C", planning[i].id, NULL);
      CalsyncEvent *event = calsync_test_get_event (events, id);

      assert_timed (event, planning[i].start, planning[i].end, "Europe/Berlin");
      g_assert_cmpstr (calsync_event_get_original_start (event), ==, planning[i].original);
    }
}

static void
set_tz (const char *zone)
{
  g_setenv ("TZ", zone, TRUE);
  tzset ();
}

static void
test_all_day (void)
{
  static const char * const zones[] = { "Pacific/Auckland", "America/Los_Angeles", "Europe/Berlin" };
  static const struct { const char *id, *start, *end; } expected[] = {
    { "20261101T100000Z-retreat@example.com", "2026-12-07", "2026-12-10" },
    { "20261101T100100Z-holiday@example.com", "2026-12-25", "2026-12-26" },      /* no DTEND: one day */
    { "20261101T100200Z-fosdem@example.com", "2027-02-01", "2027-02-04" },       /* DURATION:P3D */
    { "20261101T100300Z-winter@example.com", "2026-12-23", "2027-01-07" },
    { "20261101T100400Z-birthday@example.com_20270312", "2027-03-12", "2027-03-13" },
    { "20261101T100500Z-rent@example.com_20261201", "2026-12-01", "2026-12-02" },
    { "20261101T100500Z-rent@example.com_20270201", "2027-02-01", "2027-02-02" },
  };

  /* Dates are dates: the same in every zone */
  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr(GPtrArray) events = NULL;

      set_tz (zones[z]);
      events = parse_fixture ("all-day.ics");
      g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (expected));
      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        assert_dates (calsync_test_get_event (events, expected[i].id), expected[i].start, expected[i].end);

      g_assert_cmpstr (calsync_event_get_original_start (calsync_test_get_event (events, expected[4].id)), ==, "2027-03-12");
      g_assert_null (calsync_test_find_event (events, "20261101T100500Z-rent@example.com_20270101"));
      g_assert_cmpint (calsync_event_get_event_type (calsync_test_get_event (events, expected[5].id)), ==,
                       CALSYNC_EVENT_TYPE_REMINDER);
    }

  set_tz ("Europe/Berlin");
}

static void
test_floating (void)
{
  static const struct { const char *zone, *start, *end; } cases[] = {
    { "Europe/Berlin", "2026-12-05T06:00:00Z", "2026-12-05T07:00:00Z" },
    { "America/Los_Angeles", "2026-12-05T15:00:00Z", "2026-12-05T16:00:00Z" },
    { "Pacific/Auckland", "2026-12-04T18:00:00Z", "2026-12-04T19:00:00Z" },
  };

  /* Floating times are in whatever zone the computer is in */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) events = NULL;

      set_tz (cases[i].zone);
      events = parse_fixture ("floating.ics");
      g_assert_cmpuint (events->len, ==, 1);
      assert_timed (calsync_test_get_event (events, "morning-run@example.com"), cases[i].start, cases[i].end, cases[i].zone);
    }

  set_tz ("Europe/Berlin");
}

/* Malformed input ---------------------------------------------------------------- */

/* A calendar around @body ("\n" become CRLF): the body starts on line 3 */
static char *
calendar (const char *body)
{
  g_autofree char *crlf = NULL;
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);

  crlf = g_strjoinv ("\r\n", lines);
  return g_strconcat ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", crlf, "END:VCALENDAR\r\n", NULL);
}

static void
assert_fails_at (const char *text,
                 gssize      length,
                 guint       line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *prefix = g_strdup_printf ("Line %u: ", line);

  events = parse_text_in (text, length, WINDOW_START, WINDOW_END, &error);
  if (events != NULL)
    g_error ("Expected “%s…”, the text was accepted:\n%s", prefix, text);
  g_assert_error (error, CALSYNC_ICAL_ERROR, error->code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("Expected “%s…”, got “%s” for:\n%s", prefix, error->message, text);
}

/* calsync_ical_parse_full() refuses the whole text too */
static void
assert_full_fails_at (const char *text,
                      guint       line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *prefix = g_strdup_printf ("Line %u: ", line);

  events = calsync_ical_parse_full (text, -1, calsync_test_instant (WINDOW_START), calsync_test_instant (WINDOW_END), &problems, &error);
  if (events != NULL)
    g_error ("Expected the whole text refused at “%s…”, it was read:\n%s", prefix, text);
  g_assert_null (problems);
  g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, prefix));
}

static void
test_broken_event (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gsize length;

  /* One bad VEVENT among good ones: nothing, and the line of the bad date */
  text = read_fixture ("broken-event.ics", &length);
  events = parse_text_in (text, length, WINDOW_START, WINDOW_END, &error);
  g_assert_null (events);
  g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "Line 14: “20261301T090000” is not a valid date or time");
}

/* A VEVENT that cannot be read is skipped with its line named; the rest of the
 * file is read (the good event after it here) */
static void
assert_event_skipped_at (const char *body,
                         guint       line)
{
  g_autofree char *with_good = g_strconcat (body, "BEGIN:VEVENT\nUID:good\nDTSTART:20261201T100000Z\nEND:VEVENT\n", NULL);
  g_autofree char *text = calendar (with_good);
  g_autofree char *prefix = g_strdup_printf ("Line %u: ", line);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  const CalsyncIcalProblem *problem;

  events = calsync_ical_parse_full (text, -1, calsync_test_instant (WINDOW_START), calsync_test_instant (WINDOW_END), &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  assert_timed (calsync_test_get_event (events, "good"), "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z", "UTC");
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (problem->kind, ==, CALSYNC_ICAL_PROBLEM_SKIPPED);
  g_assert_cmpuint (problem->line, ==, line);
  if (!g_str_has_prefix (problem->message, prefix) || !g_str_has_suffix (problem->message, ", event skipped"))
    g_error ("Expected “%s…, event skipped”, got “%s” for:\n%s", prefix, problem->message, text);
  g_assert_true (g_str_has_prefix (problem->message, problem->cause));
}

static void
test_malformed (void)
{
  static const char with_nul[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:a\0b\r\nEND:VCALENDAR\r\n";
  static const struct { const char *body; guint line; gboolean whole_file; } cases[] = {
    /* Structure: the whole file */
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\n", 6, TRUE },                         /* END:VEVENT missing */
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nEND:VTODO\n", 6, TRUE },
    { "END:VEVENT\n", 3, TRUE },
    { "BEGIN:VEVENT\nUID:a\nBEGIN:VEVENT\nEND:VEVENT\nEND:VEVENT\n", 5, TRUE },
    { "BEGIN:\n", 3, TRUE },
    /* Lines: the event */
    { "BEGIN:VEVENT\nUID:a\nthis is not a property\nEND:VEVENT\n", 5, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;TZID:20261201T100000\nEND:VEVENT\n", 5, FALSE },        /* parameter without = */
    { "BEGIN:VEVENT\nUID:a\nATTENDEE;CN=\"Ann:mailto:a@example.com\nEND:VEVENT\n", 5, FALSE }, /* open quote */
    { "BEGIN:VEVENT\nUID:a\n:20261201\nEND:VEVENT\n", 5, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nBEGIN:VALARM\nnot a line\nEND:VALARM\nEND:VEVENT\n", 7, FALSE },
    /* Values: the event */
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T250000\nEND:VEVENT\n", 5, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260230\nEND:VEVENT\n", 5, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:2026-12-01\nEND:VEVENT\n", 5, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:\nEND:VEVENT\n", 5, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nEXDATE:20261201T100000Z,20261232T100000Z\nEND:VEVENT\n", 6, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nRRULE:FREQ=SOMETIMES\nEND:VEVENT\n", 6, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nRRULE:FREQ=DAILY;UNTIL=20261340\nEND:VEVENT\n", 6, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nDURATION:an hour\nEND:VEVENT\n", 6, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20261201T100000\nEND:VEVENT\n", 5, FALSE },
    /* Events (end before start, no UID: tolerated, see /ical-import/tolerance) */
    { "BEGIN:VEVENT\nUID:a\nSUMMARY:No start\nEND:VEVENT\n", 3, FALSE },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20261201\nDTEND:20261202T100000Z\nEND:VEVENT\n", 6, FALSE },
    /* Time zone rules libical would work out for ever, or for seconds and megabytes */
    { "BEGIN:VTIMEZONE\nTZID:Fast\nBEGIN:STANDARD\nDTSTART:19700101T000000\nRRULE:FREQ=SECONDLY\n"
      "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n", 7, TRUE },
    { "BEGIN:VTIMEZONE\nTZID:Never\nBEGIN:DAYLIGHT\nDTSTART:19700101T000000\n"
      "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\n", 7, TRUE },
    { "BEGIN:VTIMEZONE\nTZID:Hourly\nBEGIN:DAYLIGHT\nDTSTART:19700101T000000\n"
      "RRULE:FREQ=YEARLY;BYMONTH=3;BYHOUR=0,1,2,3\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\n", 7, TRUE },
    { "BEGIN:VTIMEZONE\nTZID:Daily\nBEGIN:STANDARD\nDTSTART:00010101T000000\n"
      "RRULE:FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n", 7, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = calendar (cases[i].body);

      /* calsync_ical_parse() reads all or nothing */
      assert_fails_at (text, -1, cases[i].line);
      if (cases[i].whole_file)
        assert_full_fails_at (text, cases[i].line);
      else
        assert_event_skipped_at (cases[i].body, cases[i].line);
    }

  /* Whole files */
  assert_fails_at ("", 0, 1);
  assert_fails_at ("\r\n\r\n", -1, 1);
  assert_fails_at ("BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\n", -1, 1);
  assert_fails_at ("Subject: invitation\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", -1, 1);
  assert_fails_at ("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\ntrailing junk\r\n", -1, 3);
  assert_fails_at ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:caf\xe9\r\nEND:VCALENDAR\r\n", -1, 3);
  assert_fails_at (with_nul, sizeof with_nul - 1, 3);
}

/* What real files contain and must not be refused for */
static void
test_lenient (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *text = calendar (
    "X-WR-CALNAME:\n"
    "FOOBAR:unknown IANA property\n"
    "BEGIN:VTODO\nUID:todo\nDUE:not a date\nEND:VTODO\n"
    "BEGIN:X-VENDOR-THING\nX-WHATEVER:1\nEND:X-VENDOR-THING\n"
    "BEGIN:VEVENT\n"
    "uid:lower-case-names\n"
    "dtstart;x-vendor=1;FOO=bar:20261201T100000Z\n"
    "DTEND:20261201T110000Z\n"
    "SUMMARY;LANGUAGE=en:\n"
    "LOCATION:\n"
    "STATUS:NEEDS-ACTION\n"
    "X-EMPTY:\n"
    "SEQUENCE:not a number\n"
    "ATTENDEE:\n"
    "ATTENDEE;CN=\"Doe, Jane\";PARTSTAT=X-WHATEVER;X-NUM-GUESTS=0:MAILTO:jane@example.com\n"
    "DESCRIPTION:Line one\\nLine two\\, with a comma\\; and a semicolon\\\\\n"
    "BEGIN:VALARM\nTRIGGER:whenever\nACTION:DISPLAY\nEND:VALARM\n"
    "END:VEVENT\n");
  CalsyncEvent *event;

  events = parse_text_in (text, -1, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  event = calsync_test_get_event (events, "lower-case-names");
  assert_timed (event, "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", "UTC");
  g_assert_null (calsync_event_get_title (event));
  g_assert_null (calsync_event_get_location (event));
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CONFIRMED);
  g_assert_cmpstr (calsync_event_get_description (event), ==, "Line one\nLine two, with a comma; and a semicolon\\");
  g_assert_cmpstr (calsync_event_get_attendees_json (event), ==,
                   "[{\"email\":\"jane@example.com\",\"name\":\"Doe, Jane\",\"response\":\"needsAction\",\"organizer\":false}]");
  g_clear_pointer (&events, g_ptr_array_unref);

  /* A byte-order mark, LF-only and CR-only line ends, folding with a tab */
  events = parse_text_in ("\xEF\xBB\xBF" "BEGIN:VCALENDAR\rBEGIN:VEVENT\rUID:cr\rDTSTART;VALUE=DATE:20261201\r"
                          "SUMMARY:Folded\r\t title\rEND:VEVENT\rEND:VCALENDAR", -1, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (calsync_event_get_title (calsync_test_get_event (events, "cr")), ==, "Folded title");
  g_clear_pointer (&events, g_ptr_array_unref);

  events = parse_text_in ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:lf\nDTSTART:20261201T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
                          -1, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  /* No DTEND nor DURATION on a date-time: it ends when it starts */
  assert_timed (calsync_test_get_event (events, "lf"), "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z", "UTC");
}

static void
test_cancel_method (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *text =
    g_strdup ("BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:meeting-1\r\n"
              "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:Canceled: Planning\r\n"
              "END:VEVENT\r\nEND:VCALENDAR\r\n");

  /* An Outlook cancellation removes the meeting an earlier invitation brought */
  events = parse_text_in (text, -1, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  g_assert_cmpint (calsync_event_get_status (calsync_test_get_event (events, "meeting-1")), ==, CALSYNC_EVENT_STATUS_CANCELLED);
}

/* Files as the world writes them: each VEVENT on its own ------------------------ */

static GPtrArray *
parse_full_in (const char  *text,
               const char  *start,
               const char  *end,
               GPtrArray  **problems)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = calsync_ical_parse_full (text, -1, calsync_test_instant (start), calsync_test_instant (end), problems, &error);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  g_assert_nonnull (*problems);
  return events;
}

static GPtrArray *
parse_full_body (const char  *body,
                 GPtrArray  **problems)
{
  g_autofree char *text = calendar (body);

  return parse_full_in (text, WINDOW_START, WINDOW_END, problems);
}

static GPtrArray *
parse_full_fixture (const char  *name,
                    const char  *start,
                    const char  *end,
                    GPtrArray  **problems)
{
  g_autofree char *text = read_fixture (name, NULL);

  return parse_full_in (text, start, end, problems);
}

/* @expected: "skipped: Line …" or "warning: Line …", in line order, NULL-terminated */
static void
assert_problems (GPtrArray          *problems,
                 const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < problems->len; i++)
    {
      const CalsyncIcalProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *shown = g_strdup_printf ("%s: %s", problem->kind == CALSYNC_ICAL_PROBLEM_SKIPPED
                                                          ? "skipped" : "warning", problem->message);
      g_autofree char *prefix = g_strdup_printf ("Line %u: ", problem->line);

      g_assert_true (g_str_has_prefix (problem->cause, prefix));
      g_assert_true (g_str_has_prefix (problem->message, problem->cause));
      if (i < n)
        g_assert_cmpstr (shown, ==, expected[i]);
      else
        g_error ("Unexpected problem “%s”", shown);
    }

  g_assert_cmpuint (problems->len, ==, n);
}

static void
test_isolation_fixture (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_fixture ("broken-event.ics", WINDOW_START, WINDOW_END, &problems);
  static const char * const expected[] = {
    "skipped: Line 14: “20261301T090000” is not a valid date or time, event skipped", NULL
  };
  const CalsyncIcalProblem *problem;

  /* The month 13 costs its own event only */
  g_assert_cmpuint (events->len, ==, 2);
  assert_timed (calsync_test_get_event (events, "good-1@example.com"), "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", "UTC");
  assert_timed (calsync_test_get_event (events, "good-2@example.com"), "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z", "UTC");
  assert_problems (problems, expected);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpuint (problem->line, ==, 14);
  g_assert_cmpint (problem->code, ==, CALSYNC_ICAL_ERROR_PARSE);
  g_assert_cmpstr (problem->cause, ==, "Line 14: “20261301T090000” is not a valid date or time");
}

#define REVIEW "review@example.com"

/* Series: a broken override costs its change, a broken master its rule */
static void
test_isolation_series (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_fixture ("partly-broken.ics", WINDOW_START, WINDOW_END, &problems);
  static const char * const expected[] = {
    "skipped: Line 24: “20261315T140000” is not a valid date or time, "
      "changed occurrence skipped, the series shows it unchanged",
    "skipped: Line 33: DTSTART is a date and time but DTEND is a date, "
      "changed occurrence skipped, the series shows it unchanged",
    "skipped: Line 43: this is not an iCalendar line (NAME:value), event skipped",
    "warning: Line 49: the event ends before it starts, end set to the start",
    "skipped: Line 57: RRULE has a value CalSync cannot read, "
      "repeating event skipped, its changed occurrence imported on its own",
    NULL
  };
  CalsyncEvent *event;

  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, ==, 7);

  /* Weekly from 1 December at 14:00 in Berlin: the 8th moved (a good override),
   * the 15th (override read wrong) and 22nd (override expanded wrong) as planned */
  assert_timed (calsync_test_get_event (events, REVIEW "_20261201T130000Z"), "2026-12-01T13:00:00Z", "2026-12-01T14:00:00Z",
                "Europe/Berlin");
  event = calsync_test_get_event (events, REVIEW "_20261208T130000Z");
  assert_timed (event, "2026-12-09T13:00:00Z", "2026-12-09T14:00:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Weekly review (Wednesday)");
  for (guint i = 0; i < 2; i++)
    {
      const char *day = i == 0 ? "2026-12-15" : "2026-12-22";
      g_autofree char *id = g_strdup_printf (REVIEW "_%.4s%.2s%.2sT130000Z", day, day + 5, day + 8);
      g_autofree char *start = g_strdup_printf ("%sT13:00:00Z", day);
      g_autofree char *end = g_strdup_printf ("%sT14:00:00Z", day);

      event = calsync_test_get_event (events, id);
      assert_timed (event, start, end, "Europe/Berlin");
      g_assert_cmpstr (calsync_event_get_title (event), ==, "Weekly review");
    }

  /* A line that lost its fold */
  g_assert_null (calsync_test_find_event (events, "lunch@example.com"));
  /* Ends an hour before it starts: no length */
  assert_timed (calsync_test_get_event (events, "party@example.com"), "2026-12-18T18:00:00Z", "2026-12-18T18:00:00Z",
                "Europe/Berlin");
  /* The rule cannot be read: only its override, on its own */
  event = calsync_test_get_event (events, "yoga@example.com_20261209T060000Z");
  assert_timed (event, "2026-12-09T07:00:00Z", "2026-12-09T07:45:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Yoga (later)");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, "yoga@example.com");
  assert_timed (calsync_test_get_event (events, "standup@example.com"), "2026-12-04T09:00:00Z", "2026-12-04T09:15:00Z", "UTC");
}

/* A master that fails while it is expanded (no DTSTART) leaves its override alone;
 * one that fails after instances were made takes them back */
static void
test_isolation_expanding (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_body (
    "BEGIN:VEVENT\nUID:s\nRRULE:FREQ=DAILY;COUNT=3\nSUMMARY:No start\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20261202T100000Z\nDTSTART:20261202T120000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:t\nDTSTART:20261201T100000Z\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:t\nRECURRENCE-ID:20261202T100000Z\nDTSTART;VALUE=DATE:20261202\n"
    "DTEND:20261203T100000Z\nEND:VEVENT\n", &problems);
  static const char * const expected[] = {
    "skipped: Line 3: the event has no start (DTSTART), repeating event skipped, "
      "its changed occurrence imported on its own",
    "skipped: Line 22: DTSTART is a date but DTEND is a date and time, "
      "changed occurrence skipped, the series shows it unchanged",
    NULL
  };

  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, ==, 4);
  assert_timed (calsync_test_get_event (events, "s_20261202T100000Z"), "2026-12-02T12:00:00Z", "2026-12-02T12:00:00Z", "UTC");
  for (guint day = 1; day <= 3; day++)
    {
      g_autofree char *id = g_strdup_printf ("t_202612%02uT100000Z", day);
      g_autofree char *start = g_strdup_printf ("2026-12-%02uT10:00:00Z", day);

      assert_timed (calsync_test_get_event (events, id), start, start, "UTC");
    }
}

/* Rules past the 500,000 occurrences a file may have: their events are skipped */
static void
test_isolation_too_many_occurrences (void)
{
  g_autoptr(GString) body = g_string_new ("");
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = NULL;
  static const char * const expected[] = {
    "skipped: Line 31: the repeating events of this file have more than 500000 occurrences, event skipped",
    NULL
  };

  for (guint i = 0; i < 6; i++)
    g_string_append_printf (body, "BEGIN:VEVENT\nUID:counted-%u\nDTSTART:17000101T090000Z\n"
                                  "RRULE:FREQ=DAILY;COUNT=100000\nEND:VEVENT\n", i);
  g_string_append (body, "BEGIN:VEVENT\nUID:plain\nDTSTART:20261201T100000Z\nEND:VEVENT\n");

  events = parse_full_body (body->str, &problems);
  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_nonnull (calsync_test_find_event (events, "plain"));
}

/* Past the 100,000 instances the repeating events of a file may put in the
 * window (each weekly occurrence of an event 1,000 years long overlaps it:
 * 931 bytes made 500,000 instances, 238 MB of store): the series that goes
 * past is skipped and its instances are free again for the next series */
static void
test_isolation_too_many_instances (void)
{
  g_autoptr(GString) body = g_string_new ("");
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = NULL;
  static const char * const expected[] = {
    "skipped: Line 13: the repeating events of this file have more than 100000 occurrences in the sync window, event skipped",
    NULL
  };
  guint n_long = 0;

  /* Lines 3 and 9 begin them; the RRULE is the fifth line of each */
  for (guint i = 0; i < 2; i++)
    g_string_append_printf (body, "BEGIN:VEVENT\nUID:long-%u\nDTSTART:10260105T10000%uZ\nDTEND:20260105T100000Z\n"
                                  "RRULE:FREQ=WEEKLY\nEND:VEVENT\n", i, i);
  g_string_append (body, "BEGIN:VEVENT\nUID:daily\nDTSTART:20261201T090000Z\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n"
                         "BEGIN:VEVENT\nUID:plain\nDTSTART:20261201T100000Z\nEND:VEVENT\n");

  events = parse_full_body (body->str, &problems);
  assert_problems (problems, expected);

  for (guint i = 0; i < events->len; i++)
    {
      const char *uid = calsync_event_get_external_id (g_ptr_array_index (events, i));

      g_assert_false (g_str_has_prefix (uid, "long-1"));
      n_long += g_str_has_prefix (uid, "long-0_");
    }
  /* Every week from 1026-08-25 on, through the window's end */
  g_assert_cmpuint (n_long, >, 52000);
  g_assert_cmpuint (n_long, <=, 100000);
  g_assert_cmpuint (events->len, ==, n_long + 4);
  g_assert_nonnull (calsync_test_find_event (events, "daily_20261203T090000Z"));
  g_assert_nonnull (calsync_test_find_event (events, "plain"));
}

/* A rule still in the window after the 100,000 occurrences one rule may go
 * through (a daily event 1,000 years long overlaps the window 365,000
 * times): what it had is kept, and what is left out is said */
static void
test_isolation_too_many_steps (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = NULL;
  static const char * const expected[] = {
    "warning: Line 7: the repeating event has more than 100000 occurrences to go through, the later ones left out",
    NULL
  };

  events = parse_full_body ("BEGIN:VEVENT\nUID:long\nDTSTART:10260105T100000Z\nDTEND:20260105T100000Z\n"
                            "RRULE:FREQ=DAILY\nEND:VEVENT\n"
                            "BEGIN:VEVENT\nUID:daily\nDTSTART:20261201T090000Z\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n",
                            &problems);
  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, >, 99000);
  g_assert_cmpuint (events->len, <=, 100003);
  g_assert_nonnull (calsync_test_find_event (events, "daily_20261203T090000Z"));
}

/* Revisions ----------------------------------------------------------------------- */

/* RFC 5546's examples (4.1.1, 4.1.2, 4.2.1, 4.2.5, 4.2.9, 4.2.10, 4.2.11) in one file, each update
 * before or after what it updates: the higher SEQUENCE wins, then the later DTSTAMP. (4.2.1's
 * "DTEND:19970701T2100000Z" has one digit too many; the fixture has the intended 19970701T210000Z.) */
static void
test_revisions_rfc (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_fixture ("rfc5546-revisions.ics", "1997-07-01T00:00:00Z",
                                                    "1997-07-29T00:00:00Z", &problems);
  static const char * const none[] = { NULL };
  CalsyncEvent *event;

  assert_problems (problems, none);
  g_assert_cmpuint (events->len, ==, 7);

  /* 4.1.2 (SEQUENCE:1) changes 4.1.1, which comes after it in the file */
  event = calsync_test_get_event (events, "0981234-1234234-23@example.com");
  assert_timed (event, "1997-07-01T21:00:00Z", "1997-07-01T23:00:00Z", "UTC");
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, calsync_test_instant ("1997-06-12T19:00:00Z") * G_USEC_PER_SEC);

  /* SEQUENCE:2 (4.2.10) is current though its DTSTAMP is the oldest; neither the
   * update (4.2.5) nor the CANCEL (4.2.9, SEQUENCE:1) applies */
  event = calsync_test_get_event (events, "calsrv.example.com-873970198738777@example.com");
  assert_timed (event, "1997-07-01T20:00:00Z", "1997-07-01T20:30:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Phone Conference");
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CONFIRMED);
  g_assert_nonnull (strstr (calsync_event_get_attendees_json (event), "cr_big@example.com"));
  g_assert_null (strstr (calsync_event_get_attendees_json (event), "b@example.com\""));

  /* 4.2.11's weekly series (SEQUENCE:1) and not an older daily one; of two
   * overrides of the 8th the higher SEQUENCE, of two of the 15th the later DTSTAMP */
  assert_timed (calsync_test_get_event (events, "123456@example.com_19970701T200000Z"),
                "1997-07-01T20:00:00Z", "1997-07-01T20:30:00Z", "UTC");
  event = calsync_test_get_event (events, "123456@example.com_19970708T200000Z");
  assert_timed (event, "1997-07-09T20:00:00Z", "1997-07-09T20:30:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Phone Conference (Wednesday)");
  event = calsync_test_get_event (events, "123456@example.com_19970715T200000Z");
  assert_timed (event, "1997-07-15T22:00:00Z", "1997-07-15T22:30:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Phone Conference (late)");
  assert_timed (calsync_test_get_event (events, "123456@example.com_19970722T200000Z"),
                "1997-07-22T20:00:00Z", "1997-07-22T20:30:00Z", "UTC");
  g_assert_null (calsync_test_find_event (events, "123456@example.com_19970702T200000Z"));

  /* Same SEQUENCE: the later DTSTAMP, though earlier in the file */
  event = calsync_test_get_event (events, "0981234-1234234-24@example.com");
  assert_timed (event, "1997-07-02T20:00:00Z", "1997-07-02T22:00:00Z", "UTC");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "ST. PAUL SAINTS -VS- DULUTH-SUPERIOR DUKES (rain date)");
}

/* Equal SEQUENCE and DTSTAMP (or none): the later in the file. A current revision
 * that cannot be read is skipped, never replaced by an older one. */
static void
test_revisions_order (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_body (
    "BEGIN:VEVENT\nUID:same\nDTSTART:20261201T100000Z\nSUMMARY:First\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:same\nDTSTART:20261201T110000Z\nSUMMARY:Second\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:new-broken\nSEQUENCE:3\nDTSTART:20261340T100000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:new-broken\nSEQUENCE:2\nDTSTART:20261201T100000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:old-broken\nSEQUENCE:1\nDTSTART:20261340T100000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:old-broken\nSEQUENCE:2\nDTSTART:20261202T100000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:odd-sequence\nSEQUENCE:x\nDTSTART:20261203T100000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:odd-sequence\nSEQUENCE:-4\nDTSTART:20261203T110000Z\nEND:VEVENT\n", &problems);
  static const char * const expected[] = {
    "skipped: Line 16: “20261340T100000Z” is not a valid date or time, event skipped", NULL
  };

  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, ==, 3);
  assert_timed (calsync_test_get_event (events, "same"), "2026-12-01T11:00:00Z", "2026-12-01T11:00:00Z", "UTC");
  g_assert_null (calsync_test_find_event (events, "new-broken"));
  assert_timed (calsync_test_get_event (events, "old-broken"), "2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z", "UTC");
  /* Not numbers: 0 both, the later wins */
  assert_timed (calsync_test_get_event (events, "odd-sequence"), "2026-12-03T11:00:00Z", "2026-12-03T11:00:00Z", "UTC");
}

/* Tolerances ---------------------------------------------------------------------- */

static char *
replace (const char *text,
         const char *from,
         const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  return g_strjoinv (to, parts);
}

/* The UID each event of no-uid.ics gets, in file order of their first instance */
static char **
derived_uids (const char *text)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_in (text, WINDOW_START, WINDOW_END, &problems);
  GPtrArray *uids = g_ptr_array_new ();

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      const char *uid = calsync_event_get_recurring_event_id (event);

      if (uid == NULL)
        uid = calsync_event_get_external_id (event);
      if (uids->len == 0 || g_strcmp0 (g_ptr_array_index (uids, uids->len - 1), uid) != 0)
        g_ptr_array_add (uids, g_strdup (uid));
    }
  g_ptr_array_add (uids, NULL);
  return (char **) g_ptr_array_free (uids, FALSE);
}

static void
test_tolerance_no_uid (void)
{
  g_autofree char *text = read_fixture ("no-uid.ics", NULL);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_in (text, WINDOW_START, WINDOW_END, &problems);
  static const char * const expected[] = {
    "warning: Line 22: this event and 2 more have no UID, each given one made from its content", NULL
  };
  g_auto(GStrv) uids = derived_uids (text);
  g_autofree char *book_club = NULL;
  CalsyncEvent *event;

  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, ==, 5);
  g_assert_cmpuint (g_strv_length (uids), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (g_str_has_prefix (uids[i], "calsync-"));
      g_assert_cmpuint (strlen (uids[i]), ==, strlen ("calsync-") + 64);
    }

  event = calsync_test_get_event (events, uids[0]);
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Dentist");
  assert_timed (event, "2026-12-03T07:30:00Z", "2026-12-03T08:15:00Z", "Europe/Berlin");
  book_club = g_strconcat (uids[1], "_20261209T180000Z", NULL);
  event = calsync_test_get_event (events, book_club);
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Book club");
  assert_timed (event, "2026-12-09T18:00:00Z", "2026-12-09T19:30:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, uids[1]);
  assert_dates (calsync_test_get_event (events, uids[2]), "2026-12-15", "2026-12-16");

  /* The same at every import, with other line ends, another DTSTAMP, another
   * folding; another title is another event */
  {
    g_auto(GStrv) again = derived_uids (text);
    g_auto(GStrv) lf_uids = NULL;
    g_autofree char *stamped = replace (text, "DTSTAMP:20261101T090500Z", "DTSTAMP:20270101T000000Z");
    g_auto(GStrv) stamped_uids = derived_uids (stamped);
    g_autofree char *folded = replace (text, "SUMMARY:Dentist", "SUMMARY:Den\r\n tist");
    g_auto(GStrv) folded_uids = derived_uids (folded);
    g_autofree char *renamed = replace (text, "SUMMARY:Dentist", "SUMMARY:Dentist (check-up)");
    g_auto(GStrv) renamed_uids = derived_uids (renamed);
    g_auto(GStrv) crlf_lines = g_strsplit (text, "\r\n", -1);
    g_autofree char *all_lf = g_strjoinv ("\n", crlf_lines);

    lf_uids = derived_uids (all_lf);
    g_assert_true (g_strv_equal ((const char * const *) again, (const char * const *) uids));
    g_assert_true (g_strv_equal ((const char * const *) lf_uids, (const char * const *) uids));
    g_assert_true (g_strv_equal ((const char * const *) stamped_uids, (const char * const *) uids));
    g_assert_true (g_strv_equal ((const char * const *) folded_uids, (const char * const *) uids));
    g_assert_cmpstr (renamed_uids[0], !=, uids[0]);
    g_assert_cmpstr (renamed_uids[1], ==, uids[1]);
  }
}

static void
test_tolerance_no_uid_single (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_body (
    "BEGIN:VEVENT\nDTSTART:20261201T100000Z\nSUMMARY:Twice\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:\nDTSTART:20261201T100000Z\nSUMMARY:Empty UID\nEND:VEVENT\n"
    "BEGIN:VEVENT\nDTSTART:20261201T100000Z\nSUMMARY:Twice\nEND:VEVENT\n", &problems);
  static const char * const expected[] = {
    "warning: Line 3: this event and 2 more have no UID, each given one made from its content", NULL
  };
  g_autoptr(GPtrArray) one_problems = NULL;
  g_autoptr(GPtrArray) one = parse_full_body ("BEGIN:VEVENT\nDTSTART:20261201T100000Z\nEND:VEVENT\n", &one_problems);
  static const char * const one_expected[] = {
    "warning: Line 3: the event has no UID, given one made from its content", NULL
  };

  /* The same content twice is the same event */
  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, ==, 2);
  assert_problems (one_problems, one_expected);
  g_assert_cmpuint (one->len, ==, 1);
}

static void
test_tolerance_empty_rrule (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_fixture ("holiday-feed.ics", WINDOW_START, WINDOW_END, &problems);
  static const char * const expected[] = {
    "warning: Line 11: RRULE has no value, imported without recurrence",
    "warning: Line 20: RRULE has no value, imported without recurrence",
    "warning: Line 29: RRULE has no value, imported without recurrence",
    "warning: Line 37: the event ends before it starts, end set to the day after the start",
    "warning: Line 38: RRULE has no value, imported without recurrence",
    NULL
  };
  g_autoptr(GPtrArray) with_rule_problems = NULL;
  g_autoptr(GPtrArray) with_rule = NULL;
  static const char * const with_rule_expected[] = {
    "warning: Line 6: RRULE has no value, the empty rule ignored", NULL
  };
  CalsyncEvent *event;

  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, ==, 4);
  event = calsync_test_get_event (events, "2026-12-25-weihnachten-1@holidays.example");
  assert_dates (event, "2026-12-25", "2026-12-26");
  g_assert_null (calsync_event_get_recurring_event_id (event));
  assert_dates (calsync_test_get_event (events, "2026-12-26-weihnachten-2@holidays.example"), "2026-12-26", "2026-12-27");
  assert_dates (calsync_test_get_event (events, "2027-01-01-neujahr@holidays.example"), "2027-01-01", "2027-01-02");
  /* DTEND the day before DTSTART: the one day */
  assert_dates (calsync_test_get_event (events, "2027-03-29-ostermontag@holidays.example"), "2027-03-29", "2027-03-30");

  /* Beside a rule, the empty one is only ignored */
  with_rule = parse_full_body ("BEGIN:VEVENT\nUID:r\nDTSTART:20261201T100000Z\nRRULE:\n"
                               "RRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\n", &with_rule_problems);
  assert_problems (with_rule_problems, with_rule_expected);
  g_assert_cmpuint (with_rule->len, ==, 2);
  g_assert_nonnull (calsync_test_find_event (with_rule, "r_20261202T100000Z"));
}

static void
test_tolerance_end_before_start (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_body (
    "BEGIN:VEVENT\nUID:dtend\nDTSTART;TZID=Europe/Berlin:20261201T100000\n"
    "DTEND;TZID=Europe/Berlin:20261201T090000\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:other-zone\nDTSTART;TZID=Europe/Berlin:20261201T100000\n"
    "DTEND:20261201T083000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:duration\nDTSTART:20261202T100000Z\nDURATION:-PT1H\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:days\nDTSTART;VALUE=DATE:20261205\nDTEND;VALUE=DATE:20261203\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:days-duration\nDTSTART;VALUE=DATE:20261206\nDURATION:-P2D\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:series\nDTSTART:20261207T100000Z\nDTEND:20261207T093000Z\n"
    "RRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:series\nRECURRENCE-ID:20261208T100000Z\nDTSTART:20261208T120000Z\n"
    "DTEND:20261208T110000Z\nEND:VEVENT\n", &problems);
  static const char * const expected[] = {
    "warning: Line 6: the event ends before it starts, end set to the start",
    "warning: Line 11: the event ends before it starts, end set to the start",
    "warning: Line 16: the event ends before it starts, end set to the start",
    "warning: Line 21: the event ends before it starts, end set to the day after the start",
    "warning: Line 26: the event ends before it starts, end set to the day after the start",
    "warning: Line 31: the event ends before it starts, end set to the start",
    "warning: Line 38: the event ends before it starts, end set to the start",
    NULL
  };
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) strict = NULL;

  assert_problems (problems, expected);
  g_assert_cmpuint (events->len, ==, 8);
  assert_timed (calsync_test_get_event (events, "dtend"), "2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "other-zone"), "2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z", "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "duration"), "2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z", "UTC");
  assert_dates (calsync_test_get_event (events, "days"), "2026-12-05", "2026-12-06");
  assert_dates (calsync_test_get_event (events, "days-duration"), "2026-12-06", "2026-12-07");
  assert_timed (calsync_test_get_event (events, "series_20261207T100000Z"), "2026-12-07T10:00:00Z", "2026-12-07T10:00:00Z", "UTC");
  assert_timed (calsync_test_get_event (events, "series_20261208T100000Z"), "2026-12-08T12:00:00Z", "2026-12-08T12:00:00Z", "UTC");
  assert_timed (calsync_test_get_event (events, "series_20261209T100000Z"), "2026-12-09T10:00:00Z", "2026-12-09T10:00:00Z", "UTC");

  /* Tolerances are not errors, even all or nothing */
  text = calendar ("BEGIN:VEVENT\nUID:dtend\nDTSTART:20261201T100000Z\nDTEND:20261201T090000Z\nEND:VEVENT\n");
  strict = parse_text_in (text, -1, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strict->len, ==, 1);
}

/* A fold that kept the RFCs' indentation leaves blanks before a parameter */
static void
test_tolerance_indented_parameters (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = parse_full_body (
    "BEGIN:VEVENT\nUID:indented\nDTSTART;\n  TZID=Europe/Berlin:20261201T100000\n"
    "ATTENDEE;ROLE=NON-PARTICIPANT;\n  RSVP=FALSE;\n \tCN=Eve:mailto:e@example.com\nEND:VEVENT\n", &problems);
  static const char * const none[] = { NULL };
  CalsyncEvent *event;

  assert_problems (problems, none);
  event = calsync_test_get_event (events, "indented");
  assert_timed (event, "2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_attendees_json (event), ==,
                   "[{\"email\":\"e@example.com\",\"name\":\"Eve\",\"response\":\"needsAction\",\"organizer\":false}]");
}

/* Bounds: whatever a file asks for, the answer comes soon, in bounded memory ---- */

static GPtrArray *
parse_body (const char  *body,
            GError     **error)
{
  g_autofree char *text = calendar (body);

  return parse_text_in (text, -1, WINDOW_START, WINDOW_END, error);
}

/* Rules libical 3.0 cannot expand in bounded time (it looks for a second,
 * minute or hour that never comes until the year 2582, inside one call) or at
 * all: the event keeps its DTSTART, and the rest of the file is read. */
static void
test_rules_not_expanded (void)
{
  static const char * const rules[] = {
    "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1",
    "FREQ=HOURLY;BYDAY=MO;BYMONTHDAY=1;BYMONTH=2",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
  };

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      g_autofree char *body = g_strdup_printf ("BEGIN:VEVENT\nUID:odd\nDTSTART:20261201T100000Z\nRRULE:%s\nEND:VEVENT\n"
                                               "BEGIN:VEVENT\nUID:plain\nDTSTART:20261202T100000Z\nEND:VEVENT\n", rules[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = parse_body (body, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (events->len, ==, 2);
      assert_timed (calsync_test_get_event (events, "odd_20261201T100000Z"), "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z", "UTC");
      g_assert_nonnull (calsync_test_find_event (events, "plain"));
    }
}

/* Series that began long before the window still show in it, on their own
 * rhythm: iteration starts near the window, not at DTSTART */
static void
test_old_series (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) daily = NULL;
  g_autoptr(GPtrArray) hourly = NULL;
  g_autoptr(GPtrArray) counted = NULL;
  gint64 first = calsync_test_instant ("2000-01-01T00:00:00Z");

  /* 120,000 days before the window: more than one rule may step through */
  daily = parse_body ("BEGIN:VEVENT\nUID:daily\nDTSTART;TZID=Europe/Berlin:17000101T090000\n"
                      "DURATION:PT15M\nRRULE:FREQ=DAILY\nEND:VEVENT\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (daily->len, ==, 457);
  assert_timed (calsync_test_get_event (daily, "daily_20261201T080000Z"), "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z",
                "Europe/Berlin");
  assert_timed (calsync_test_get_event (daily, "daily_20270601T070000Z"), "2027-06-01T07:00:00Z", "2027-06-01T07:15:00Z",
                "Europe/Berlin");

  /* Every 7 hours since 2000: the window's occurrences keep that phase */
  hourly = parse_body ("BEGIN:VEVENT\nUID:hourly\nDTSTART:20000101T000000Z\nRRULE:FREQ=HOURLY;INTERVAL=7\n"
                       "END:VEVENT\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hourly->len, ==, 1567);
  for (guint i = 0; i < hourly->len; i++)
    g_assert_cmpint ((calsync_event_get_start (g_ptr_array_index (hourly, i)) - first) % (7 * 3600), ==, 0);
  g_assert_nonnull (calsync_test_find_event (hourly, "hourly_20260825T050000Z"));

  /* COUNT still counts from DTSTART: the 235,950th hour is the last */
  counted = parse_body ("BEGIN:VEVENT\nUID:counted\nDTSTART:20000101T000000Z\nRRULE:FREQ=HOURLY;COUNT=235950\n"
                        "END:VEVENT\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counted->len, ==, 2358);
  g_assert_nonnull (calsync_test_find_event (counted, "counted_20261201T050000Z"));
  g_assert_null (calsync_test_find_event (counted, "counted_20261201T060000Z"));
}

/* Six rules of 100,000 occurrences each: past the 500,000 a parse may look at */
static void
test_too_many_occurrences (void)
{
  g_autoptr(GString) body = g_string_new ("");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  for (guint i = 0; i < 6; i++)
    g_string_append_printf (body, "BEGIN:VEVENT\nUID:counted-%u\nDTSTART:17000101T090000Z\n"
                                  "RRULE:FREQ=DAILY;COUNT=100000\nEND:VEVENT\n", i);

  /* Line 3 + 5 × 5 + 3: the RRULE of the sixth */
  events = parse_body (body->str, &error);
  g_assert_null (events);
  g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "Line 31: the repeating events of this file have more than 500000 occurrences");
}

/* Ends past 9999-12-31 (a DURATION of 99,999,999 weeks wrapped around in
 * libical's unsigned ints and ended the event days after it began) */
static void
test_far_dates (void)
{
  static const char * const refused[] = {
    "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nDURATION:P99999999W\nEND:VEVENT\n",
    "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20261201\nDURATION:P4294967295W\nEND:VEVENT\n",
    "BEGIN:VEVENT\nUID:a\nDTSTART:99991231T230000Z\nDURATION:PT2H\nEND:VEVENT\n",
    "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:99991231\nEND:VEVENT\n",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GPtrArray) none = parse_body (refused[i], &error);

      g_assert_null (none);
      g_assert_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_INVALID);
      g_assert_true (g_str_has_suffix (error->message, ": the event is outside the years 1 to 9999"));
      g_clear_error (&error);
    }

  /* The last day there is, and a thousand years */
  events = parse_body ("BEGIN:VEVENT\nUID:last\nDTSTART;VALUE=DATE:99991230\nEND:VEVENT\n"
                       "BEGIN:VEVENT\nUID:long\nDTSTART:20260101T000000Z\nDURATION:P52000W\nEND:VEVENT\n", &error);
  g_assert_no_error (error);
  assert_dates (calsync_test_get_event (events, "last"), "9999-12-30", "9999-12-31");
  assert_timed (calsync_test_get_event (events, "long"), "2026-01-01T00:00:00Z", "3022-08-08T00:00:00Z", "UTC");
}

/* The rules time zones really have pass the check that refuses runaway ones
 * (see /ical-import/malformed): "second Sunday" as Apple and old Outlook
 * wrote it, as a day list */
static void
test_zone_rules_accepted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = parse_body (
    "BEGIN:VTIMEZONE\nTZID:US-Eastern\n"
    "BEGIN:STANDARD\nDTSTART:16011104T020000\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\n"
    "TZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nEND:STANDARD\n"
    "BEGIN:DAYLIGHT\nDTSTART:19870405T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14\n"
    "TZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nEND:DAYLIGHT\nEND:VTIMEZONE\n"
    "BEGIN:VEVENT\nUID:a\nDTSTART;TZID=US-Eastern:20270315T100000\nEND:VEVENT\n", &error);

  g_assert_no_error (error);
  assert_timed (calsync_test_get_event (events, "a"), "2027-03-15T14:00:00Z", "2027-03-15T14:00:00Z", "America/New_York");
}

/* Messages quote at most the start of a name: a 100,000-character component
 * name must not become a 100,000-character message (a TZID's: test-ical-rfc) */
static void
test_long_names_in_messages (void)
{
  g_autofree char *name = g_strnfill (100000, 'X');
  g_autofree char *component = g_strdup_printf ("BEGIN:VEVENT\nUID:a\nBEGIN:%s\n", name);
  const char *bodies[] = { component };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = parse_body (bodies[i], &error);

      g_assert_null (events);
      g_assert_nonnull (error);
      g_assert_cmpuint (strlen (error->message), <, 200);
      g_assert_nonnull (strstr (error->message, "XXX…"));
    }
}

/* The CalDAV provider parses in worker threads: libical's built-in zones and
 * their expanded changes are shared, and libical guards them with mutexes */
#define N_THREADS 4

static const char * const good_fixtures[] = {
  "google-export.ics", "outlook-invite.ics", "outlook-zones.ics", "weekly-series.ics",
  "dst.ics", "all-day.ics", "floating.ics",
};

static gpointer
parse_all_fixtures (gpointer data)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint round = 0; round < 5; round++)
    for (guint f = 0; f < G_N_ELEMENTS (good_fixtures); f++)
      {
        g_autoptr(GPtrArray) events = parse_fixture (good_fixtures[f]);
        g_autoptr(GError) error = NULL;
        g_autofree char *text = calsync_ical_serialize (events, 0, &error);

        g_assert_no_error (error);
        g_assert_nonnull (text);
        if (round == 0)
          g_ptr_array_add (results, g_steal_pointer (&events));
      }

  return results;
}

static void
test_threads (void)
{
  g_autoptr(GPtrArray) expected = parse_all_fixtures (NULL);
  GThread *threads[N_THREADS];

  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("parse", parse_all_fixtures, NULL);

  for (guint t = 0; t < N_THREADS; t++)
    {
      g_autoptr(GPtrArray) results = g_thread_join (threads[t]);

      g_assert_cmpuint (results->len, ==, expected->len);
      for (guint f = 0; f < results->len; f++)
        g_assert_true (calsync_event_lists_equal (g_ptr_array_index (results, f), g_ptr_array_index (expected, f)));
    }
}

/* Fuzzing: whatever comes in, an answer and never a crash -------------------- */

/* calsync_ical_parse() fails exactly when calsync_ical_parse_full() does or
 * skips an event, with the same message; else it gives the same events */
static void
assert_strict_agrees (const char              *text,
                      gsize                    length,
                      GPtrArray               *events,
                      const GError            *error,
                      const CalsyncIcalProblem *first_skipped)
{
  g_autoptr(GError) strict_error = NULL;
  g_autoptr(GPtrArray) strict = parse_text_in (text, length, WINDOW_START, WINDOW_END, &strict_error);

  if (events == NULL || first_skipped != NULL)
    {
      g_assert_null (strict);
      g_assert_cmpstr (strict_error->message, ==, events == NULL ? error->message : first_skipped->cause);
    }
  else
    {
      g_assert_no_error (strict_error);
      g_assert_true (calsync_event_lists_equal (strict, events));
    }
}

/* An answer: events and problems that each name a line, in order, or an error
 * that does; with @strict, calsync_ical_parse() agrees. Returns the events and
 * *@problems, or NULL. */
static GPtrArray *
assert_answers (const char  *text,
                gsize        length,
                gboolean     strict,
                GPtrArray  **problems_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = calsync_ical_parse_full (text, (gssize) length, calsync_test_instant (WINDOW_START),
                                                         calsync_test_instant (WINDOW_END), &problems, &error);
  const CalsyncIcalProblem *first_skipped = NULL;

  if (events == NULL)
    {
      g_assert_nonnull (error);
      g_assert_null (problems);
      g_assert_true (g_str_has_prefix (error->message, "Line "));
      if (strict)
        assert_strict_agrees (text, length, events, error, NULL);
      return NULL;
    }

  g_assert_no_error (error);
  for (guint i = 0; i < problems->len; i++)
    {
      const CalsyncIcalProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *prefix = g_strdup_printf ("Line %u: ", problem->line);

      g_assert_true (g_str_has_prefix (problem->cause, prefix));
      g_assert_true (g_str_has_prefix (problem->message, problem->cause));
      g_assert_true (problem->kind == CALSYNC_ICAL_PROBLEM_SKIPPED || problem->kind == CALSYNC_ICAL_PROBLEM_WARNING);
      if (i > 0)
        g_assert_cmpuint (((CalsyncIcalProblem *) g_ptr_array_index (problems, i - 1))->line, <=, problem->line);
      if (first_skipped == NULL && problem->kind == CALSYNC_ICAL_PROBLEM_SKIPPED)
        first_skipped = problem;
    }

  if (strict)
    assert_strict_agrees (text, length, events, NULL, first_skipped);
  *problems_out = g_steal_pointer (&problems);
  return g_steal_pointer (&events);
}

static void
assert_survives (const char *text,
                 gsize       length)
{
  g_autoptr(GPtrArray) problems = NULL;
  GPtrArray *events = assert_answers (text, length, TRUE, &problems);

  g_clear_pointer (&events, g_ptr_array_unref);
}

static const char * const all_fixtures[] = {
  "google-export.ics", "outlook-invite.ics", "outlook-zones.ics", "weekly-series.ics",
  "dst.ics", "all-day.ics", "broken-event.ics", "floating.ics",
  "partly-broken.ics", "no-uid.ics", "holiday-feed.ics", "rfc5546-revisions.ics",
};

static void
test_fuzz_truncated (void)
{
  for (guint f = 0; f < G_N_ELEMENTS (all_fixtures); f++)
    {
      gsize length;
      g_autofree char *text = read_fixture (all_fixtures[f], &length);

      for (gsize cut = 0; cut < length; cut += MAX (1, length / 25))
        {
          g_autofree char *prefix = g_strndup (text, cut);

          assert_survives (prefix, cut);
        }
    }
}

static void
test_fuzz_mutated (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261125);
  static const char replacements[] = ":;,=\"\\\r\n \t\x80\xff" "0Z";

  for (guint f = 0; f < G_N_ELEMENTS (all_fixtures); f++)
    {
      gsize length;
      g_autofree char *text = read_fixture (all_fixtures[f], &length);

      for (guint round = 0; round < 60; round++)
        {
          g_autofree char *copy = g_memdup2 (text, length);
          g_autoptr(GPtrArray) problems = NULL;
          g_autoptr(GPtrArray) events = NULL;

          for (guint n = 0; n < 3; n++)
            copy[g_rand_int_range (rand, 0, (gint32) length)] =
              replacements[g_rand_int_range (rand, 0, sizeof replacements - 1)];
          /* (Reading twice costs: the strict reading is compared now and then) */
          events = assert_answers (copy, length, round % 3 == 0, &problems);
        }
    }
}

static void
test_fuzz_junk (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *junk = g_malloc (65536);
  g_autoptr(GString) text = g_string_new ("BEGIN:VCALENDAR\r\n");
  g_autoptr(GString) nested = g_string_new ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:deep\r\n");
  static const char secondly[] = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTART:19700101T000000Z\r\n"
                                 "RRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

  for (gsize i = 0; i < 65536; i++)
    junk[i] = (char) g_rand_int_range (rand, 0, 256);
  assert_survives (junk, 65536);
  assert_fails_at (junk, 65536, 1);

  /* A 4 MB line, then one in a description that is otherwise fine */
  for (guint i = 0; i < 4 * 1024 * 1024; i++)
    g_string_append_c (text, 'A');
  assert_fails_at (text->str, (gssize) text->len, 2);

  g_string_assign (text, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:big\r\nDTSTART:20261201T100000Z\r\nDESCRIPTION:");
  for (guint i = 0; i < 4 * 1024 * 1024; i++)
    g_string_append (text, i % 74 == 73 ? "\r\n " : "x");
  g_string_append (text, "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
  assert_survives (text->str, text->len);

  /* Components inside components inside… */
  for (guint i = 0; i < 10000; i++)
    g_string_append (nested, "BEGIN:X-NEST\r\n");
  assert_fails_at (nested->str, (gssize) nested->len, 18);

  /* A rule that would repeat every second since 1970 */
  assert_survives (secondly, sizeof secondly - 1);
}

/* Broken events among good ones: whatever happens to the VEVENTs of a file
 * ("victims": mutated, a line lost, junk lines), the others are read exactly */
static const char fuzz_good_series[] =
  "BEGIN:VEVENT\r\nUID:good-series\r\nDTSTART;TZID=Europe/Berlin:20261201T090000\r\n"
  "DTEND;TZID=Europe/Berlin:20261201T093000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Good series\r\nEND:VEVENT\r\n"
  "BEGIN:VEVENT\r\nUID:good-series\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261208T090000\r\n"
  "DTSTART;TZID=Europe/Berlin:20261208T110000\r\nDTEND;TZID=Europe/Berlin:20261208T113000\r\n"
  "SUMMARY:Good series (moved)\r\nEND:VEVENT\r\n";

static const char * const fuzz_victims[] = {
  "BEGIN:VEVENT\r\nUID:victim-single\r\nDTSTAMP:20261101T100000Z\r\nDTSTART;TZID=Europe/Berlin:20261203T100000\r\n"
  "DTEND;TZID=Europe/Berlin:20261203T110000\r\nSUMMARY:Victim\r\n"
  "ATTENDEE;CN=\"Doe, Jane\";PARTSTAT=ACCEPTED:mailto:jane@example.com\r\nEND:VEVENT\r\n",
  /* A series and its override */
  ("BEGIN:VEVENT\r\nUID:victim-series\r\nSEQUENCE:2\r\nDTSTART:20261204T100000Z\r\nDURATION:PT1H\r\n"
   "RRULE:FREQ=DAILY;COUNT=5;BYDAY=MO,TU,WE,TH,FR\r\nEXDATE:20261207T100000Z\r\nRDATE;VALUE=DATE:20261225\r\nEND:VEVENT\r\n"
   "BEGIN:VEVENT\r\nUID:victim-series\r\nRECURRENCE-ID:20261205T100000Z\r\nDTSTART:20261205T120000Z\r\n"
   "DTEND:20261205T130000Z\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"),
  "BEGIN:VEVENT\r\nUID:victim-all-day\r\nDTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261212\r\nRRULE:\r\n"
  "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\n",
  "BEGIN:VEVENT\r\nDTSTART:20261211T100000Z\r\nDTEND:20261211T090000Z\r\nSUMMARY:No UID\r\nEND:VEVENT\r\n",
};

/* The lines of the victims that may change: not BEGIN or END, not their first
 * character (a blank there would fold them into the line before) */
typedef struct
{
  gsize start;    /* second character */
  gsize end;      /* before the CRLF */
  guint line;
} FuzzLine;

typedef struct
{
  GString *text;
  GArray *lines;          /* FuzzLine */
  guint first_victim_line[G_N_ELEMENTS (fuzz_victims)];
  guint last_victim_line[G_N_ELEMENTS (fuzz_victims)];
} FuzzFile;

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

static void
fuzz_file_init (FuzzFile *file)
{
  guint line;

  file->text = g_string_new ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
  file->lines = g_array_new (FALSE, FALSE, sizeof (FuzzLine));
  g_string_append (file->text, fuzz_good_series);

  for (guint v = 0; v < G_N_ELEMENTS (fuzz_victims); v++)
    {
      g_string_append_printf (file->text, "BEGIN:VEVENT\r\nUID:good-%u\r\nDTSTART:202612%02uT080000Z\r\n"
                              "DTEND:202612%02uT083000Z\r\nSUMMARY:Good %u\r\nEND:VEVENT\r\n", v, v + 1, v + 1, v);
      line = count_lines (file->text->str) + 1;
      file->first_victim_line[v] = line;
      for (const char *p = fuzz_victims[v]; *p != '\0'; line++)
        {
          const char *eol = strstr (p, "\r\n");
          FuzzLine fuzz = { file->text->len + (p - fuzz_victims[v]) + 1, file->text->len + (eol - fuzz_victims[v]), line };

          if (!g_str_has_prefix (p, "BEGIN:") && !g_str_has_prefix (p, "END:"))
            g_array_append_val (file->lines, fuzz);
          p = eol + 2;
        }
      file->last_victim_line[v] = line - 1;
      g_string_append (file->text, fuzz_victims[v]);
    }

  g_string_append (file->text, "END:VCALENDAR\r\n");
}

static void
fuzz_file_clear (FuzzFile *file)
{
  g_string_free (file->text, TRUE);
  g_array_unref (file->lines);
}

static gboolean
in_victim (const FuzzFile *file,
           guint           line)
{
  for (guint v = 0; v < G_N_ELEMENTS (fuzz_victims); v++)
    if (line >= file->first_victim_line[v] && line <= file->last_victim_line[v])
      return TRUE;
  return FALSE;
}

/* The good events are there, exactly; what else is there comes from victims;
 * every problem is in a victim (the lines from @edited on moved by @delta).
 * With @strict, calsync_ical_parse() agrees. */
static void
assert_good_survive (const FuzzFile *file,
                     const char     *text,
                     gsize           length,
                     guint           edited,
                     int             delta,
                     gboolean        strict)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = assert_answers (text, length, strict, &problems);
  CalsyncEvent *event;
  guint n_good = 0;

  g_assert_nonnull (events);

  assert_timed (calsync_test_get_event (events, "good-series_20261201T080000Z"), "2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z",
                "Europe/Berlin");
  event = calsync_test_get_event (events, "good-series_20261208T080000Z");
  assert_timed (event, "2026-12-08T10:00:00Z", "2026-12-08T10:30:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Good series (moved)");
  assert_timed (calsync_test_get_event (events, "good-series_20261215T080000Z"), "2026-12-15T08:00:00Z", "2026-12-15T08:30:00Z",
                "Europe/Berlin");
  assert_timed (calsync_test_get_event (events, "good-series_20261222T080000Z"), "2026-12-22T08:00:00Z", "2026-12-22T08:30:00Z",
                "Europe/Berlin");

  for (guint v = 0; v < G_N_ELEMENTS (fuzz_victims); v++)
    {
      g_autofree char *id = g_strdup_printf ("good-%u", v);
      g_autofree char *start = g_strdup_printf ("2026-12-%02uT08:00:00Z", v + 1);
      g_autofree char *end = g_strdup_printf ("2026-12-%02uT08:30:00Z", v + 1);

      assert_timed (calsync_test_get_event (events, id), start, end, "UTC");
    }

  /* Nothing more of theirs (a victim's UID may change, never into theirs) */
  for (guint i = 0; i < events->len; i++)
    n_good += g_str_has_prefix (calsync_event_get_external_id (g_ptr_array_index (events, i)), "good-");
  g_assert_cmpuint (n_good, ==, 4 + G_N_ELEMENTS (fuzz_victims));
  for (guint i = 0; i < problems->len; i++)
    {
      const CalsyncIcalProblem *problem = g_ptr_array_index (problems, i);
      guint from = delta > 0 ? edited + 1 : edited;
      guint line = edited != 0 && problem->line >= from ? problem->line - delta : problem->line;

      if (!in_victim (file, line))
        g_error ("“%s” is not in a victim:\n%.*s", problem->message, (int) length, text);
    }
}

static void
test_fuzz_isolation (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261201);
  static const char replacements[] = ":;,=\"\\ \t0Z9-T";
  static const char junk_chars[] = "0123456789:;,=\"\\ -+./";
  FuzzFile file;

  fuzz_file_init (&file);
  assert_good_survive (&file, file.text->str, file.text->len, 0, 0, TRUE);

  /* Characters of the victims' lines replaced */
  for (guint round = 0; round < 400; round++)
    {
      g_autofree char *copy = g_strdup (file.text->str);

      for (guint n = 0; n < 3; n++)
        {
          const FuzzLine *line = &g_array_index (file.lines, FuzzLine, g_rand_int_range (rand, 0, (gint32) file.lines->len));

          if (line->end > line->start)
            copy[g_rand_int_range (rand, (gint32) line->start, (gint32) line->end)] =
              replacements[g_rand_int_range (rand, 0, sizeof replacements - 1)];
        }
      assert_good_survive (&file, copy, file.text->len, 0, 0, round % 10 == 0);
    }

  /* A victim's line cut short, or gone, or junk after it */
  for (guint round = 0; round < 150; round++)
    {
      const FuzzLine *line = &g_array_index (file.lines, FuzzLine, g_rand_int_range (rand, 0, (gint32) file.lines->len));
      g_autoptr(GString) copy = g_string_new (file.text->str);
      gsize cut = (gsize) g_rand_int_range (rand, (gint32) line->start, (gint32) line->end + 1);
      int delta = 0;

      if (round % 3 == 0)
        g_string_erase (copy, (gssize) cut, (gssize) (line->end - cut));
      else if (round % 3 == 1)
        {
          g_string_erase (copy, (gssize) line->start - 1, (gssize) (line->end + 2 - (line->start - 1)));
          delta = -1;
        }
      else
        {
          g_autoptr(GString) junk = g_string_new ("\r\n");

          g_string_append_c (junk, (char) ('0' + g_rand_int_range (rand, 0, 10)));
          for (guint i = g_rand_int_range (rand, 0, 80); i > 0; i--)
            g_string_append_c (junk, junk_chars[g_rand_int_range (rand, 0, sizeof junk_chars - 1)]);
          g_string_insert (copy, (gssize) line->end, junk->str);
          delta = 1;
        }
      assert_good_survive (&file, copy->str, copy->len, line->line, delta, round % 10 == 0);
    }

  fuzz_file_clear (&file);
}

/* The benchmark's file: 5,000 events over the window --------------------------------- */

static char *
generate_big_calendar (guint n_events)
{
  GString *text = g_string_new ("BEGIN:VCALENDAR\r\nPRODID:-//CalSync//test//EN\r\nVERSION:2.0\r\n");
  g_autoptr(GDate) first = g_date_new_dmy (1, G_DATE_SEPTEMBER, 2026);

  for (guint i = 0; i < n_events; i++)
    {
      GDate day = *first;

      g_date_add_days (&day, i * 420 / n_events);
      g_string_append_printf (text, "BEGIN:VEVENT\r\nUID:big-%05u@example.com\r\nDTSTAMP:20261101T100000Z\r\n", i);
      g_string_append_printf (text, "DTSTART;TZID=Europe/Berlin:%04u%02u%02uT%02u0000\r\n"
                              "DTEND;TZID=Europe/Berlin:%04u%02u%02uT%02u3000\r\n",
                              g_date_get_year (&day), g_date_get_month (&day), g_date_get_day (&day), 8 + i % 10,
                              g_date_get_year (&day), g_date_get_month (&day), g_date_get_day (&day), 8 + i % 10);
      g_string_append_printf (text, "SUMMARY:Event %u\r\nDESCRIPTION:Description of event %u\\, "
                              "with a link: https://meet.google.com/abc-defg-hij\r\nEND:VEVENT\r\n", i, i);
    }

  g_string_append (text, "END:VCALENDAR\r\n");
  return g_string_free (text, FALSE);
}

static void
test_big (void)
{
  g_autofree char *text = generate_big_calendar (5000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = parse_text_in (text, -1, WINDOW_START, WINDOW_END, &error);
  CalsyncEvent *event;

  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 5000);
  event = calsync_test_get_event (events, "big-04999@example.com");
  g_assert_cmpstr (calsync_event_get_conference_url (event), ==, "https://meet.google.com/abc-defg-hij");
  g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "Europe/Berlin");
}

/* calsync --import, as a process --------------------------------------------------- */

/* The environment is set in the launcher only: the test process has threads
 * by then (GSubprocess), and setenv() is not safe with threads around. */
typedef struct
{
  char *dir;          /* XDG_DATA_HOME of this test */
  const char *tz;     /* TZ of the process, or NULL for the test's */
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

static int
run_calsync (Run        *run,
             const char *first,
             ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, run->dir);
  g_autoptr(GPtrArray) args = NULL;
  va_list rest;

  run_clear (run);
  /* GSettings (the sync window) scans GIO's modules, and GLib 2.74 loses a
   * GIOModule doing so, which LeakSanitizer reports. The memory backend of the
   * tests is built in: an empty module folder avoids the scan. */
  g_subprocess_launcher_setenv (launcher, "GIO_MODULE_DIR", run->dir, TRUE);
  if (run->tz != NULL)
    g_subprocess_launcher_setenv (launcher, "TZ", run->tz, TRUE);
  va_start (rest, first);
  args = calsync_test_args_valist (first, rest);
  va_end (rest);

  return calsync_test_run_calsync (launcher, (const char * const *) args->pdata, &run->out, &run->err);
}

static void
run_start (Run *run)
{
  memset (run, 0, sizeof *run);
  run->dir = g_dir_make_tmp ("calsync-ical-import-XXXXXX", NULL);
  g_assert_nonnull (run->dir);
}

static void
run_finish (Run *run)
{
  g_autofree char *db_dir = g_build_filename (run->dir, "calsync", NULL);
  const char *name;
  GDir *dir;

  /* The database, its WAL files, their folder */
  if ((dir = g_dir_open (db_dir, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (db_dir, name, NULL);
          g_unlink (path);
        }
      g_dir_close (dir);
    }
  g_rmdir (db_dir);
  g_rmdir (run->dir);
  g_free (run->dir);
  run_clear (run);
}

static CalsyncStore *
open_store (Run *run)
{
  g_autofree char *path = g_build_filename (run->dir, "calsync", "calsync.db", NULL);
  g_autoptr(GError) error = NULL;
  CalsyncStore *store = calsync_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static GPtrArray *
stored_events (Run *run)
{
  g_autoptr(CalsyncStore) store = open_store (run);
  g_autoptr(GError) error = NULL;
  GPtrArray *events = calsync_store_list_calendar_events (store, calsync_store_get_personal_calendar_id (store),
                                                          calsync_test_instant ("2000-01-01T00:00:00Z"),
                                                          calsync_test_instant ("2100-01-01T00:00:00Z"), &error);

  g_assert_no_error (error);
  return events;
}

static void
test_cli_import_twice (void)
{
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  Run run;

  run_start (&run);
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/google-export.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 8 events (0 updated, 0 skipped).\n");
  g_assert_cmpstr (run.err, ==, "");
  first = stored_events (&run);
  g_assert_cmpuint (first->len, ==, 8);

  /* The same file again changes nothing */
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/google-export.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 0 events (0 updated, 8 skipped).\n");
  second = stored_events (&run);
  g_assert_true (calsync_event_lists_equal (first, second));
  for (guint i = 0; i < first->len; i++)
    g_assert_cmpint (calsync_event_get_id (g_ptr_array_index (first, i)), ==,
                     calsync_event_get_id (g_ptr_array_index (second, i)));

  /* A cancelled instance of the series is unknown here: skipped, not stored */
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/weekly-series.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 7 events (0 updated, 1 skipped).\n");
  g_clear_pointer (&second, g_ptr_array_unref);
  second = stored_events (&run);
  g_assert_cmpuint (second->len, ==, 15);
  run_finish (&run);
}

#define SERIES_START "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20261101T100000Z\r\n" \
                     "DTSTART;TZID=Europe/Berlin:20261201T100000\r\nDTEND;TZID=Europe/Berlin:20261201T110000\r\n" \
                     "RRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:Daily check\r\nEND:VEVENT\r\n"

static char *
write_temp (Run        *run,
            const char *name,
            const char *text)
{
  char *path = g_build_filename (run->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_cli_cancel_and_update (void)
{
  g_autofree char *v1 = NULL;
  g_autofree char *v2 = NULL;
  g_autofree char *arg1 = NULL;
  g_autofree char *arg2 = NULL;
  g_autoptr(GPtrArray) events = NULL;
  Run run;

  run_start (&run);
  v1 = write_temp (&run, "v1.ics", SERIES_START "END:VCALENDAR\r\n");
  v2 = write_temp (&run, "v2.ics", SERIES_START
                   "BEGIN:VEVENT\r\nUID:series\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261202T100000\r\n"
                   "DTSTART;TZID=Europe/Berlin:20261202T100000\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
                   "BEGIN:VEVENT\r\nUID:series\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261203T100000\r\n"
                   "DTSTART;TZID=Europe/Berlin:20261203T150000\r\nDTEND;TZID=Europe/Berlin:20261203T160000\r\n"
                   "SUMMARY:Daily check (later)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
  arg1 = g_strconcat ("--import=", v1, NULL);
  arg2 = g_strconcat ("--import=", v2, NULL);

  g_assert_cmpint (run_calsync (&run, arg1, NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 3 events (0 updated, 0 skipped).\n");

  /* The organizer cancelled the 2nd and moved the 3rd */
  g_assert_cmpint (run_calsync (&run, arg2, NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 0 events (1 updated, 1 skipped, 1 removed).\n");
  events = stored_events (&run);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (events, 0)), ==, "series_20261201T090000Z");
  g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (events, 1)), ==, "series_20261203T090000Z");
  g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (events, 1)), ==, "Daily check (later)");
  g_assert_cmpint (calsync_event_get_start (g_ptr_array_index (events, 1)), ==, calsync_test_instant ("2026-12-03T14:00:00Z"));
  run_finish (&run);
}

static void
test_cli_broken (void)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *arg = NULL;
  g_autofree char *only_broken = NULL;
  g_autofree char *only_broken_arg = NULL;
  g_autofree char *not_ical = NULL;
  g_autofree char *not_ical_arg = NULL;
  Run run;

  /* The event that cannot be read is named and skipped, the two others imported */
  run_start (&run);
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/broken-event.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 2 events (0 updated, 0 skipped). "
                                "1 event of the file could not be read and was skipped.\n");
  g_assert_cmpstr (run.err, ==, "calsync: " FIXTURES "/broken-event.ics: "
                                "Line 14: “20261301T090000” is not a valid date or time, event skipped\n");
  events = stored_events (&run);
  g_assert_cmpuint (events->len, ==, 2);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* Again: nothing changes, the same line is named */
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/broken-event.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 0 events (0 updated, 2 skipped). "
                                "1 event of the file could not be read and was skipped.\n");
  g_assert_nonnull (strstr (run.err, "Line 14: "));

  /* Nothing readable: nothing imported, exit 1 */
  only_broken = write_temp (&run, "only-broken.ics",
                            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261201T09\x1b[2J\r\n"
                            "END:VEVENT\r\nEND:VCALENDAR\r\n");
  only_broken_arg = g_strconcat ("--import=", only_broken, NULL);
  g_assert_cmpint (run_calsync (&run, only_broken_arg, NULL), ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  /* The file's text is quoted, its escape sequence shown, not executed */
  g_assert_nonnull (strstr (run.err, "Line 4: “20261201T09 [2J” is not a valid date or time, event skipped\n"));
  g_assert_nonnull (strstr (run.err, "Nothing was imported from"));
  g_assert_null (strchr (run.err, '\x1b'));

  /* Not iCalendar: refused whole, the line named, no control character let through */
  not_ical = write_temp (&run, "not-ical.ics", "BEGIN:VCALENDAR\r\nX-\x1b[2J\r\nEND:VCALENDAR\r\n");
  not_ical_arg = g_strconcat ("--import=", not_ical, NULL);
  g_assert_cmpint (run_calsync (&run, not_ical_arg, NULL), ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "Nothing was imported from"));
  g_assert_nonnull (strstr (run.err, "Line 2: "));
  g_assert_null (strchr (run.err, '\x1b'));

  events = stored_events (&run);
  g_assert_cmpuint (events->len, ==, 2);

  missing = g_build_filename (run.dir, "no-such-file.ics", NULL);
  arg = g_strconcat ("--import=", missing, NULL);
  g_assert_cmpint (run_calsync (&run, arg, NULL), ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "no-such-file.ics"));
  run_finish (&run);
}

/* A file with VEVENTs that cannot be read: those are named on stderr, one line
 * each, the summary says how many; the rest is imported, and again changes nothing */
static void
test_cli_problems (void)
{
  static const char expected_err[] =
    "calsync: " FIXTURES "/partly-broken.ics: Line 24: “20261315T140000” is not a valid date or time, "
      "changed occurrence skipped, the series shows it unchanged\n"
    "calsync: " FIXTURES "/partly-broken.ics: Line 33: DTSTART is a date and time but DTEND is a date, "
      "changed occurrence skipped, the series shows it unchanged\n"
    "calsync: " FIXTURES "/partly-broken.ics: Line 43: this is not an iCalendar line (NAME:value), event skipped\n"
    "calsync: " FIXTURES "/partly-broken.ics: Line 49: the event ends before it starts, end set to the start\n"
    "calsync: " FIXTURES "/partly-broken.ics: Line 57: RRULE has a value CalSync cannot read, "
      "repeating event skipped, its changed occurrence imported on its own\n";
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  Run run;

  run_start (&run);
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/partly-broken.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 7 events (0 updated, 0 skipped). "
                                "4 events of the file could not be read and were skipped.\n");
  g_assert_cmpstr (run.err, ==, expected_err);
  first = stored_events (&run);
  g_assert_cmpuint (first->len, ==, 7);

  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/partly-broken.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 0 events (0 updated, 7 skipped). "
                                "4 events of the file could not be read and were skipped.\n");
  g_assert_cmpstr (run.err, ==, expected_err);
  second = stored_events (&run);
  g_assert_true (calsync_event_lists_equal (first, second));
  run_finish (&run);
}

/* Tolerances warn on stderr and keep the summary as it is; events without UID
 * get the same UID at every import, so the second import changes nothing */
static void
test_cli_tolerances_twice (void)
{
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  Run run;

  run_start (&run);
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/no-uid.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 5 events (0 updated, 0 skipped).\n");
  g_assert_cmpstr (run.err, ==, "calsync: " FIXTURES "/no-uid.ics: Line 22: this event and 2 more have no UID, "
                                "each given one made from its content\n");
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/holiday-feed.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 4 events (0 updated, 0 skipped).\n");
  first = stored_events (&run);
  g_assert_cmpuint (first->len, ==, 9);

  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/no-uid.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 0 events (0 updated, 5 skipped).\n");
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/holiday-feed.ics", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 0 events (0 updated, 4 skipped).\n");
  g_assert_nonnull (strstr (run.err, "Line 37: the event ends before it starts, end set to the day after the start\n"));
  second = stored_events (&run);
  g_assert_true (calsync_event_lists_equal (first, second));
  for (guint i = 0; i < first->len; i++)
    g_assert_cmpint (calsync_event_get_id (g_ptr_array_index (first, i)), ==,
                     calsync_event_get_id (g_ptr_array_index (second, i)));
  run_finish (&run);
}

/* An update after the original in one file: the current revision is imported,
 * and an older copy of the file imported later does not take it back */
static void
test_cli_revisions (void)
{
  g_autofree char *both = NULL;
  g_autofree char *old = NULL;
  g_autofree char *both_arg = NULL;
  g_autofree char *old_arg = NULL;
  g_autoptr(GPtrArray) events = NULL;
  Run run;

  run_start (&run);
  both = write_temp (&run, "both.ics",
                     "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                     "BEGIN:VEVENT\r\nUID:meeting\r\nSEQUENCE:1\r\nDTSTAMP:20261110T100000Z\r\n"
                     "DTSTART:20261201T150000Z\r\nDTEND:20261201T160000Z\r\nSUMMARY:Planning (moved)\r\nEND:VEVENT\r\n"
                     "BEGIN:VEVENT\r\nUID:meeting\r\nDTSTAMP:20261101T100000Z\r\n"
                     "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:Planning\r\nEND:VEVENT\r\n"
                     "END:VCALENDAR\r\n");
  old = write_temp (&run, "old.ics",
                    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                    "BEGIN:VEVENT\r\nUID:meeting\r\nDTSTAMP:20261101T100000Z\r\nLAST-MODIFIED:20261101T100000Z\r\n"
                    "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:Planning\r\nEND:VEVENT\r\n"
                    "END:VCALENDAR\r\n");
  both_arg = g_strconcat ("--import=", both, NULL);
  old_arg = g_strconcat ("--import=", old, NULL);

  g_assert_cmpint (run_calsync (&run, both_arg, NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 1 event (0 updated, 0 skipped).\n");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run_calsync (&run, old_arg, NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 0 events (0 updated, 1 skipped).\n");

  events = stored_events (&run);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (events, 0)), ==, "Planning (moved)");
  g_assert_cmpint (calsync_event_get_start (g_ptr_array_index (events, 0)), ==, calsync_test_instant ("2026-12-01T15:00:00Z"));
  run_finish (&run);
}

static void
test_cli_calendar (void)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *arg = NULL;
  Run run;

  run_start (&run);
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/floating.ics", "--calendar=Personal", NULL), ==, 2);
  g_assert_nonnull (strstr (run.err, "“Personal” is not a calendar id"));
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/floating.ics", "--calendar=4711", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "There is no calendar 4711"));

  store = open_store (&run);
  arg = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, calsync_store_get_personal_calendar_id (store));
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/floating.ics", arg, NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 1 event (0 updated, 0 skipped).\n");
  g_assert_cmpint (calsync_store_count_events (store, calsync_store_get_personal_calendar_id (store), &error), ==, 1);
  g_assert_no_error (error);
  run_finish (&run);
}

/* All-day dates stored exactly as written, whatever the zone of the importer */
static void
test_cli_all_day_zones (void)
{
  static const char * const zones[] = { "Pacific/Auckland", "America/Los_Angeles" };

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr(GPtrArray) events = NULL;
      CalsyncEvent *retreat;
      Run run;

      run_start (&run);
      run.tz = zones[z];
      g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/all-day.ics", NULL), ==, 0);
      events = stored_events (&run);
      g_assert_cmpuint (events->len, ==, 7);
      retreat = calsync_test_find_event (events, "20261101T100000Z-retreat@example.com");
      g_assert_nonnull (retreat);
      assert_dates (retreat, "2026-12-07", "2026-12-10");
      assert_dates (calsync_test_find_event (events, "20261101T100300Z-winter@example.com"), "2026-12-23", "2027-01-07");
      run_finish (&run);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* TZ, locale and CALSYNC_NOW for the tests and the processes they start */
  tmp = calsync_test_setup_env ("ical-import");
  calsync_ical_init ();

  g_test_add_func ("/ical-import/google-export", test_google_export);
  g_test_add_func ("/ical-import/outlook-invite", test_outlook_invite);
  g_test_add_func ("/ical-import/outlook-zones", test_outlook_zones);
  g_test_add_func ("/ical-import/weekly-series", test_weekly_series);
  g_test_add_func ("/ical-import/window", test_window);
  g_test_add_func ("/ical-import/dst", test_dst);
  g_test_add_func ("/ical-import/all-day", test_all_day);
  g_test_add_func ("/ical-import/floating", test_floating);
  g_test_add_func ("/ical-import/broken-event", test_broken_event);
  g_test_add_func ("/ical-import/malformed", test_malformed);
  g_test_add_func ("/ical-import/lenient", test_lenient);
  g_test_add_func ("/ical-import/cancel-method", test_cancel_method);
  g_test_add_func ("/ical-import/isolation/fixture", test_isolation_fixture);
  g_test_add_func ("/ical-import/isolation/series", test_isolation_series);
  g_test_add_func ("/ical-import/isolation/expanding", test_isolation_expanding);
  g_test_add_func ("/ical-import/isolation/too-many-occurrences", test_isolation_too_many_occurrences);
  g_test_add_func ("/ical-import/isolation/too-many-instances", test_isolation_too_many_instances);
  g_test_add_func ("/ical-import/isolation/too-many-steps", test_isolation_too_many_steps);
  g_test_add_func ("/ical-import/revisions/rfc5546", test_revisions_rfc);
  g_test_add_func ("/ical-import/revisions/order", test_revisions_order);
  g_test_add_func ("/ical-import/tolerance/no-uid", test_tolerance_no_uid);
  g_test_add_func ("/ical-import/tolerance/no-uid-single", test_tolerance_no_uid_single);
  g_test_add_func ("/ical-import/tolerance/empty-rrule", test_tolerance_empty_rrule);
  g_test_add_func ("/ical-import/tolerance/end-before-start", test_tolerance_end_before_start);
  g_test_add_func ("/ical-import/tolerance/indented-parameters", test_tolerance_indented_parameters);
  g_test_add_func ("/ical-import/bounds/rules-not-expanded", test_rules_not_expanded);
  g_test_add_func ("/ical-import/bounds/old-series", test_old_series);
  g_test_add_func ("/ical-import/bounds/too-many-occurrences", test_too_many_occurrences);
  g_test_add_func ("/ical-import/bounds/far-dates", test_far_dates);
  g_test_add_func ("/ical-import/bounds/long-names-in-messages", test_long_names_in_messages);
  g_test_add_func ("/ical-import/bounds/zone-rules-accepted", test_zone_rules_accepted);
  g_test_add_func ("/ical-import/threads", test_threads);
  g_test_add_func ("/ical-import/fuzz/truncated", test_fuzz_truncated);
  g_test_add_func ("/ical-import/fuzz/mutated", test_fuzz_mutated);
  g_test_add_func ("/ical-import/fuzz/junk", test_fuzz_junk);
  g_test_add_func ("/ical-import/fuzz/isolation", test_fuzz_isolation);
  g_test_add_func ("/ical-import/big", test_big);
  g_test_add_func ("/ical-import/cli/import-twice", test_cli_import_twice);
  g_test_add_func ("/ical-import/cli/cancel-and-update", test_cli_cancel_and_update);
  g_test_add_func ("/ical-import/cli/broken", test_cli_broken);
  g_test_add_func ("/ical-import/cli/problems", test_cli_problems);
  g_test_add_func ("/ical-import/cli/tolerances-twice", test_cli_tolerances_twice);
  g_test_add_func ("/ical-import/cli/revisions", test_cli_revisions);
  g_test_add_func ("/ical-import/cli/calendar", test_cli_calendar);
  g_test_add_func ("/ical-import/cli/all-day-zones", test_cli_all_day_zones);

  status = g_test_run ();
  g_rmdir (tmp);
  return status;
}
