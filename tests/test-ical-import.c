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

static gint64
instant (const char *iso8601)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso8601, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

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
  return calsync_ical_parse (text, length, instant (start), instant (end), error);
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

static CalsyncEvent *
find_event (GPtrArray  *events,
            const char *external_id)
{
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_external_id (g_ptr_array_index (events, i)), external_id) == 0)
      return g_ptr_array_index (events, i);

  return NULL;
}

static CalsyncEvent *
get_event (GPtrArray  *events,
           const char *external_id)
{
  CalsyncEvent *event = find_event (events, external_id);

  if (event == NULL)
    g_error ("No event “%s” among the %u parsed", external_id, events->len);
  return event;
}

static void
assert_timed (CalsyncEvent *event,
              const char   *start,
              const char   *end,
              const char   *zone)
{
  g_assert_false (calsync_event_get_all_day (event));
  g_assert_cmpint (calsync_event_get_start (event), ==, instant (start));
  g_assert_cmpint (calsync_event_get_end (event), ==, instant (end));
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

      event = get_event (events, id);
      assert_timed (event, start, end, "Europe/Berlin");
      g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, STANDUP);
    }
  g_assert_null (find_event (events, STANDUP "_20261111T090000Z"));
  g_assert_null (find_event (events, STANDUP));

  event = get_event (events, STANDUP "_20261102T090000Z");
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
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, instant ("2026-11-10T12:00:00Z") * G_USEC_PER_SEC);
  g_assert_cmpstr (calsync_event_get_attendees_json (event), ==,
                   "[{\"email\":\"ann@example.com\",\"name\":\"Ann Example\",\"response\":\"accepted\",\"organizer\":true},"
                   "{\"email\":\"bob@example.com\",\"name\":\"bob@example.com\",\"response\":\"needsAction\",\"organizer\":false},"
                   "{\"email\":\"carol@example.com\",\"name\":\"Carol Jones\",\"response\":\"declined\",\"organizer\":false}]");

  event = get_event (events, "2m1hq6f4b5c7d8e9f0g1h2i3j4@google.com");
  assert_dates (event, "2026-12-24", "2026-12-27");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Office closed");
  g_assert_null (calsync_event_get_description (event));
  g_assert_null (calsync_event_get_recurring_event_id (event));
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_EVENT);

  event = get_event (events, "0a9b8c7d6e5f4g3h2i1j0k9l8m@google.com");
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
  event = get_event (events, OUTLOOK_UID);
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
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, instant ("2026-11-20T10:15:00Z") * G_USEC_PER_SEC);
  g_assert_null (calsync_event_get_recurring_event_id (event));
}

static void
test_outlook_zones (void)
{
  g_autoptr(GPtrArray) events = parse_fixture ("outlook-zones.ics");
  CalsyncEvent *event;

  g_assert_cmpuint (events->len, ==, 4);

  /* A Windows display name with its VTIMEZONE */
  event = get_event (events, "040000008200E00074C5B7101A82E0080000000050B2A3C4D5E6D901000000000000000010000000AABBCCDDEEFF00112233445566778899");
  assert_timed (event, "2026-12-08T17:00:00Z", "2026-12-08T18:00:00Z", "America/Los_Angeles");

  /* A Windows key without a VTIMEZONE: the IANA zone's rules */
  event = get_event (events, "outlook-zones-pst-no-vtimezone");
  assert_timed (event, "2027-03-06T00:00:00Z", "2027-03-06T00:30:00Z", "America/Los_Angeles");
  g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_CALL);

  /* Names nobody knows: the VTIMEZONE converts, the shown zone is the one with the same rules */
  event = get_event (events, "outlook-zones-customized");
  assert_timed (event, "2027-06-01T07:00:00Z", "2027-06-01T08:00:00Z", "Europe/Berlin");
  event = get_event (events, "outlook-zones-customized-1");
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

      event = get_event (events, id);
      g_assert_cmpstr (calsync_event_get_title (event), ==, "Team sync");
      g_assert_cmpstr (calsync_event_get_location (event), ==, "Room 4.12");
      g_assert_cmpint (calsync_event_get_event_type (event), ==, CALSYNC_EVENT_TYPE_MEETING);
    }
  assert_timed (get_event (events, TEAM_SYNC "_20270105T083000Z"),
                "2027-01-05T08:30:00Z", "2027-01-05T09:00:00Z", "Europe/Berlin");

  /* Moved: once, at its new time, under the id of its original one */
  event = get_event (events, TEAM_SYNC "_20261215T083000Z");
  assert_timed (event, "2026-12-16T13:00:00Z", "2026-12-16T13:30:00Z", "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_title (event), ==, "Team sync (moved)");
  g_assert_cmpstr (calsync_event_get_location (event), ==, "Room 2.01");
  g_assert_cmpstr (calsync_event_get_original_start (event), ==, "2026-12-15T09:30:00+01:00");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (event), ==, TEAM_SYNC);
  g_assert_cmpint (calsync_event_get_remote_updated (event), ==, instant ("2026-11-22T11:00:00Z") * G_USEC_PER_SEC);

  /* Cancelled: handed over as cancelled, so that a re-import removes it */
  event = get_event (events, TEAM_SYNC "_20261222T083000Z");
  g_assert_cmpint (calsync_event_get_status (event), ==, CALSYNC_EVENT_STATUS_CANCELLED);

  /* EXDATE: simply not there */
  g_assert_null (find_event (events, TEAM_SYNC "_20261229T083000Z"));

  /* A RECURRENCE-ID without its master: a single instance */
  event = get_event (events, "board-review-2027_20270301T100000Z");
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
  g_assert_nonnull (find_event (events, TEAM_SYNC "_20261215T083000Z"));
  g_assert_nonnull (find_event (events, TEAM_SYNC "_20261222T083000Z"));
  g_assert_nonnull (find_event (events, TEAM_SYNC "_20270105T083000Z"));
  g_assert_nonnull (find_event (events, "board-review-2027_20270301T100000Z"));
  g_clear_pointer (&events, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);

  text = read_fixture ("all-day.ics", &length);
  events = parse_text_in (text, length, "2030-01-01T00:00:00Z", "2030-12-31T00:00:00Z", &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_event (events, "20261101T100000Z-retreat@example.com"));
  g_assert_nonnull (find_event (events, "20261101T100400Z-birthday@example.com_20300312"));
  g_assert_null (find_event (events, "20261101T100400Z-birthday@example.com_20270312"));
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
  assert_timed (get_event (events, "9C1E2A3B-4D5E-4F60-8A7B-1C2D3E4F5A6B"),
                "2027-03-14T04:00:00Z", "2027-03-14T08:00:00Z", "America/New_York");

  /* 22:00 CEST to 06:00 CET: nine hours, across Berlin's switch back */
  assert_timed (get_event (events, "3C4D5E6F-7A81-4B92-8C3D-4E5F6A7B8C9D"),
                "2026-10-24T20:00:00Z", "2026-10-25T05:00:00Z", "Europe/Berlin");

  /* A weekly 09:00 in Berlin (no VTIMEZONE: the system's rules) stays at 09:00 */
  for (guint i = 0; i < G_N_ELEMENTS (planning); i++)
    {
      g_autofree char *id = g_strconcat ("2B3C4D5E-6F70-4A81-9B2C-3D4E5F6A7B8C", planning[i].id, NULL);
      CalsyncEvent *event = get_event (events, id);

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
        assert_dates (get_event (events, expected[i].id), expected[i].start, expected[i].end);

      g_assert_cmpstr (calsync_event_get_original_start (get_event (events, expected[4].id)), ==, "2027-03-12");
      g_assert_null (find_event (events, "20261101T100500Z-rent@example.com_20270101"));
      g_assert_cmpint (calsync_event_get_event_type (get_event (events, expected[5].id)), ==,
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
      assert_timed (get_event (events, "morning-run@example.com"), cases[i].start, cases[i].end, cases[i].zone);
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

static void
test_malformed (void)
{
  static const char with_nul[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:a\0b\r\nEND:VCALENDAR\r\n";
  static const struct { const char *body; guint line; } cases[] = {
    /* Structure */
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\n", 6 },                         /* END:VEVENT missing */
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nEND:VTODO\n", 6 },
    { "END:VEVENT\n", 3 },
    { "BEGIN:VEVENT\nUID:a\nBEGIN:VEVENT\nEND:VEVENT\nEND:VEVENT\n", 5 },
    { "BEGIN:\n", 3 },
    /* Lines */
    { "BEGIN:VEVENT\nUID:a\nthis is not a property\nEND:VEVENT\n", 5 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;TZID:20261201T100000\nEND:VEVENT\n", 5 },        /* parameter without = */
    { "BEGIN:VEVENT\nUID:a\nATTENDEE;CN=\"Ann:mailto:a@example.com\nEND:VEVENT\n", 5 }, /* open quote */
    { "BEGIN:VEVENT\nUID:a\n:20261201\nEND:VEVENT\n", 5 },
    /* Values */
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T250000\nEND:VEVENT\n", 5 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260230\nEND:VEVENT\n", 5 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:2026-12-01\nEND:VEVENT\n", 5 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:\nEND:VEVENT\n", 5 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nEXDATE:20261201T100000Z,20261232T100000Z\nEND:VEVENT\n", 6 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nRRULE:FREQ=SOMETIMES\nEND:VEVENT\n", 6 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nRRULE:FREQ=DAILY;UNTIL=20261340\nEND:VEVENT\n", 6 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nDURATION:an hour\nEND:VEVENT\n", 6 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20261201T100000\nEND:VEVENT\n", 5 },
    /* Events */
    { "BEGIN:VEVENT\nUID:a\nSUMMARY:No start\nEND:VEVENT\n", 3 },
    { "BEGIN:VEVENT\nDTSTART:20261201T100000Z\nSUMMARY:No UID\nEND:VEVENT\n", 3 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nDTEND:20261201T090000Z\nEND:VEVENT\n", 6 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20261201\nDTEND;VALUE=DATE:20261130\nEND:VEVENT\n", 6 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20261201\nDTEND:20261202T100000Z\nEND:VEVENT\n", 6 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Mars/Olympus_Mons:20261201T100000\nEND:VEVENT\n", 5 },
    { "BEGIN:VEVENT\nUID:a\nDTSTART:20261201T100000Z\nDURATION:-PT1H\nEND:VEVENT\n", 6 },
    /* Time zone rules libical would work out for ever, or for seconds and megabytes */
    { "BEGIN:VTIMEZONE\nTZID:Fast\nBEGIN:STANDARD\nDTSTART:19700101T000000\nRRULE:FREQ=SECONDLY\n"
      "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n", 7 },
    { "BEGIN:VTIMEZONE\nTZID:Never\nBEGIN:DAYLIGHT\nDTSTART:19700101T000000\n"
      "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\n", 7 },
    { "BEGIN:VTIMEZONE\nTZID:Hourly\nBEGIN:DAYLIGHT\nDTSTART:19700101T000000\n"
      "RRULE:FREQ=YEARLY;BYMONTH=3;BYHOUR=0,1,2,3\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\n", 7 },
    { "BEGIN:VTIMEZONE\nTZID:Daily\nBEGIN:STANDARD\nDTSTART:00010101T000000\n"
      "RRULE:FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n", 7 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = calendar (cases[i].body);

      assert_fails_at (text, -1, cases[i].line);
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
  event = get_event (events, "lower-case-names");
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
  g_assert_cmpstr (calsync_event_get_title (get_event (events, "cr")), ==, "Folded title");
  g_clear_pointer (&events, g_ptr_array_unref);

  events = parse_text_in ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:lf\nDTSTART:20261201T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
                          -1, WINDOW_START, WINDOW_END, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  /* No DTEND nor DURATION on a date-time: it ends when it starts */
  assert_timed (get_event (events, "lf"), "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z", "UTC");
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
  g_assert_cmpint (calsync_event_get_status (get_event (events, "meeting-1")), ==, CALSYNC_EVENT_STATUS_CANCELLED);
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
      assert_timed (get_event (events, "odd_20261201T100000Z"), "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z", "UTC");
      g_assert_nonnull (find_event (events, "plain"));
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
  gint64 first = instant ("2000-01-01T00:00:00Z");

  /* 120,000 days before the window: more than one rule may step through */
  daily = parse_body ("BEGIN:VEVENT\nUID:daily\nDTSTART;TZID=Europe/Berlin:17000101T090000\n"
                      "DURATION:PT15M\nRRULE:FREQ=DAILY\nEND:VEVENT\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (daily->len, ==, 457);
  assert_timed (get_event (daily, "daily_20261201T080000Z"), "2026-12-01T08:00:00Z", "2026-12-01T08:15:00Z",
                "Europe/Berlin");
  assert_timed (get_event (daily, "daily_20270601T070000Z"), "2027-06-01T07:00:00Z", "2027-06-01T07:15:00Z",
                "Europe/Berlin");

  /* Every 7 hours since 2000: the window's occurrences keep that phase */
  hourly = parse_body ("BEGIN:VEVENT\nUID:hourly\nDTSTART:20000101T000000Z\nRRULE:FREQ=HOURLY;INTERVAL=7\n"
                       "END:VEVENT\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hourly->len, ==, 1567);
  for (guint i = 0; i < hourly->len; i++)
    g_assert_cmpint ((calsync_event_get_start (g_ptr_array_index (hourly, i)) - first) % (7 * 3600), ==, 0);
  g_assert_nonnull (find_event (hourly, "hourly_20260825T050000Z"));

  /* COUNT still counts from DTSTART: the 235,950th hour is the last */
  counted = parse_body ("BEGIN:VEVENT\nUID:counted\nDTSTART:20000101T000000Z\nRRULE:FREQ=HOURLY;COUNT=235950\n"
                        "END:VEVENT\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counted->len, ==, 2358);
  g_assert_nonnull (find_event (counted, "counted_20261201T050000Z"));
  g_assert_null (find_event (counted, "counted_20261201T060000Z"));
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
  assert_dates (get_event (events, "last"), "9999-12-30", "9999-12-31");
  assert_timed (get_event (events, "long"), "2026-01-01T00:00:00Z", "3022-08-08T00:00:00Z", "UTC");
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
  assert_timed (get_event (events, "a"), "2027-03-15T14:00:00Z", "2027-03-15T14:00:00Z", "America/New_York");
}

/* Messages quote at most the start of a name: a 100,000-character TZID or
 * component name must not become a 100,000-character message */
static void
test_long_names_in_messages (void)
{
  g_autofree char *name = g_strnfill (100000, 'X');
  g_autofree char *tzid = g_strdup_printf ("BEGIN:VEVENT\nUID:a\nDTSTART;TZID=%s:20261201T100000\nEND:VEVENT\n", name);
  g_autofree char *component = g_strdup_printf ("BEGIN:VEVENT\nUID:a\nBEGIN:%s\n", name);
  const char *bodies[] = { tzid, component };

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

static void
assert_survives (const char *text,
                 gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = parse_text_in (text, length, WINDOW_START, WINDOW_END, &error);

  if (events == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "Line "));
    }
  else
    g_assert_no_error (error);
}

static const char * const all_fixtures[] = {
  "google-export.ics", "outlook-invite.ics", "outlook-zones.ics", "weekly-series.ics",
  "dst.ics", "all-day.ics", "broken-event.ics", "floating.ics",
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

          for (guint n = 0; n < 3; n++)
            copy[g_rand_int_range (rand, 0, (gint32) length)] =
              replacements[g_rand_int_range (rand, 0, sizeof replacements - 1)];
          assert_survives (copy, length);
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
  event = get_event (events, "big-04999@example.com");
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
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  run_clear (run);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", run->dir, TRUE);
  /* GSettings (the sync window) scans GIO's modules, and GLib 2.74 loses a
   * GIOModule doing so, which LeakSanitizer reports. The memory backend of the
   * tests is built in: an empty module folder avoids the scan. */
  g_subprocess_launcher_setenv (launcher, "GIO_MODULE_DIR", run->dir, TRUE);
  if (run->tz != NULL)
    g_subprocess_launcher_setenv (launcher, "TZ", run->tz, TRUE);
  g_ptr_array_add (argv, (char *) CALSYNC_BINARY);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
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
                                                          instant ("2000-01-01T00:00:00Z"),
                                                          instant ("2100-01-01T00:00:00Z"), &error);

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
  g_assert_cmpint (calsync_event_get_start (g_ptr_array_index (events, 1)), ==, instant ("2026-12-03T14:00:00Z"));
  run_finish (&run);
}

static void
test_cli_broken (void)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *arg = NULL;
  Run run;

  run_start (&run);
  g_assert_cmpint (run_calsync (&run, "--import=" FIXTURES "/broken-event.ics", NULL), ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "broken-event.ics"));
  g_assert_nonnull (strstr (run.err, "Line 14: "));
  events = stored_events (&run);
  g_assert_cmpuint (events->len, ==, 0);

  missing = g_build_filename (run.dir, "no-such-file.ics", NULL);
  arg = g_strconcat ("--import=", missing, NULL);
  g_assert_cmpint (run_calsync (&run, arg, NULL), ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "no-such-file.ics"));
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
      retreat = find_event (events, "20261101T100000Z-retreat@example.com");
      g_assert_nonnull (retreat);
      assert_dates (retreat, "2026-12-07", "2026-12-10");
      assert_dates (find_event (events, "20261101T100300Z-winter@example.com"), "2026-12-23", "2027-01-07");
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
  g_test_add_func ("/ical-import/big", test_big);
  g_test_add_func ("/ical-import/cli/import-twice", test_cli_import_twice);
  g_test_add_func ("/ical-import/cli/cancel-and-update", test_cli_cancel_and_update);
  g_test_add_func ("/ical-import/cli/broken", test_cli_broken);
  g_test_add_func ("/ical-import/cli/calendar", test_cli_calendar);
  g_test_add_func ("/ical-import/cli/all-day-zones", test_cli_all_day_zones);

  status = g_test_run ();
  g_rmdir (tmp);
  return status;
}
