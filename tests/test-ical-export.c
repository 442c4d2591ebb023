/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ical-export.c: writing iCalendar (calsync_ical_serialize, _write_file)
 * and `calsync --export`, checked line by line and by re-reading with libical. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libical/ical.h>

#include "calsync-ical.h"
#include "calsync-store.h"
#include "calsync-test-utils.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (icalcomponent, icalcomponent_free)

#define DTSTAMP 1795604400 /* 2026-11-25T11:00:00Z */

/* Events ------------------------------------------------------------------- */

static void
make_instance (CalsyncEvent *event,
               const char   *series,
               const char   *original_start)
{
  calsync_event_set_recurring_event_id (event, series);
  calsync_event_set_original_start (event, original_start);
}

static GPtrArray *
event_list (void)
{
  return g_ptr_array_new_with_free_func (g_object_unref);
}

static char *
serialize (GPtrArray *events)
{
  g_autoptr(GError) error = NULL;
  char *text = calsync_ical_serialize (events, DTSTAMP, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

/* Checks on the text ------------------------------------------------------- */

/* CRLF only, no empty line, at most 75 octets per line, every physical line
 * valid UTF-8 on its own (no fold inside a character) */
static void
assert_layout (const char *text)
{
  const char *line = text;

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "BEGIN:VCALENDAR\r\n"));
  g_assert_true (g_str_has_suffix (text, "END:VCALENDAR\r\n"));

  while (*line != '\0')
    {
      const char *eol = strstr (line, "\r\n");
      gsize length;

      g_assert_nonnull (eol);
      length = (gsize) (eol - line);
      g_assert_cmpuint (length, >, 0);
      g_assert_cmpuint (length, <=, 75);
      g_assert_null (memchr (line, '\n', length));
      g_assert_null (memchr (line, '\r', length));
      g_assert_true (g_utf8_validate (line, (gssize) length, NULL));
      line = eol + 2;
    }
}

/* The logical lines (folds undone) */
static GStrv
unfold (const char *text)
{
  g_autoptr(GString) joined = g_string_new (text);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_string_replace (joined, "\r\n ", "", 0);
  lines = g_strsplit (joined->str, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_strv_builder_add (builder, lines[i]);

  return g_strv_builder_end (builder);
}

static guint
count_lines (GStrv        lines,
             const char  *prefix)
{
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      n++;

  return n;
}

static gboolean
has_line (GStrv       lines,
          const char *line)
{
  return g_strv_contains ((const char * const *) lines, line);
}

/* The TZIDs of the VTIMEZONEs are exactly those that TZID= parameters use, once each */
static void
assert_zones (GStrv              lines,
              const char * const *expected)
{
  g_autoptr(GHashTable) defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean in_vtimezone = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *param = strstr (lines[i], ";TZID=");

      if (g_str_equal (lines[i], "BEGIN:VTIMEZONE"))
        in_vtimezone = TRUE;
      else if (g_str_equal (lines[i], "END:VTIMEZONE"))
        in_vtimezone = FALSE;
      else if (in_vtimezone && g_str_has_prefix (lines[i], "TZID:"))
        g_assert_true (g_hash_table_add (defined, g_strdup (lines[i] + 5)));   /* once */
      else if (param != NULL)
        g_hash_table_add (used, g_strndup (param + 6, strcspn (param + 6, ":;")));
    }

  g_assert_cmpuint (g_hash_table_size (defined), ==, g_strv_length ((GStrv) expected));
  g_assert_cmpuint (g_hash_table_size (used), ==, g_strv_length ((GStrv) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    {
      g_assert_true (g_hash_table_contains (defined, expected[i]));
      g_assert_true (g_hash_table_contains (used, expected[i]));
    }
  g_assert_cmpuint (count_lines (lines, "BEGIN:VTIMEZONE"), ==, g_strv_length ((GStrv) expected));
}

static void
assert_header (GStrv lines,
               guint n_events)
{
  g_autofree char *dtstamp = g_strdup ("DTSTAMP:20261125T110000Z");

  g_assert_cmpstr (lines[0], ==, "BEGIN:VCALENDAR");
  g_assert_true (has_line (lines, "VERSION:2.0"));
  g_assert_true (has_line (lines, "PRODID:-//CalSync//CalSync " PACKAGE_VERSION "//EN"));
  g_assert_true (has_line (lines, "CALSCALE:GREGORIAN"));
  g_assert_cmpuint (count_lines (lines, "BEGIN:VEVENT"), ==, n_events);
  g_assert_cmpuint (count_lines (lines, dtstamp), ==, n_events);
}

/* Re-reading with libical --------------------------------------------------- */

static icalcomponent *
libical_parse (const char *text)
{
  icalcomponent *calendar = icalparser_parse_string (text);

  g_assert_nonnull (calendar);
  g_assert_cmpint (icalcomponent_isa (calendar), ==, ICAL_VCALENDAR_COMPONENT);
  g_assert_cmpint (icalcomponent_count_errors (calendar), ==, 0);
  return calendar;
}

/* The VEVENT with @summary; an instance rather than its series' master */
static icalcomponent *
find_vevent (icalcomponent *calendar,
             const char    *summary)
{
  icalcomponent *found = NULL;

  for (icalcomponent *c = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
       c != NULL; c = icalcomponent_get_next_component (calendar, ICAL_VEVENT_COMPONENT))
    if (g_strcmp0 (icalcomponent_get_summary (c), summary) == 0 &&
        (found == NULL || icalcomponent_get_first_property (c, ICAL_RECURRENCEID_PROPERTY) != NULL))
      found = c;

  g_assert_nonnull (found);
  return found;
}

/* The master of a series: its UID, no RECURRENCE-ID */
static icalcomponent *
find_master (icalcomponent *calendar,
             const char    *uid)
{
  for (icalcomponent *c = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
       c != NULL; c = icalcomponent_get_next_component (calendar, ICAL_VEVENT_COMPONENT))
    if (g_strcmp0 (icalcomponent_get_uid (c), uid) == 0 &&
        icalcomponent_get_first_property (c, ICAL_RECURRENCEID_PROPERTY) == NULL)
      return c;

  g_assert_not_reached ();
}

/* The instant of a DTSTART/DTEND/RECURRENCE-ID, its zone resolved through
 * the file's own VTIMEZONE; *tzid set to the TZID or NULL for UTC */
static gint64
property_instant (icalcomponent     *calendar,
                  icalcomponent     *vevent,
                  icalproperty_kind  kind,
                  const char       **tzid)
{
  icalproperty *property = icalcomponent_get_first_property (vevent, kind);
  icalparameter *param;
  struct icaltimetype time;
  icaltimezone *zone;

  g_assert_nonnull (property);
  time = icalvalue_get_datetime (icalproperty_get_value (property));
  g_assert_false (time.is_date);
  param = icalproperty_get_first_parameter (property, ICAL_TZID_PARAMETER);
  *tzid = param ? icalparameter_get_tzid (param) : NULL;
  if (*tzid == NULL)
    {
      g_assert_true (icaltime_is_utc (time));
      return icaltime_as_timet (time);
    }

  zone = icalcomponent_get_timezone (calendar, *tzid);
  g_assert_nonnull (zone);
  return icaltime_as_timet_with_zone (time, zone);
}

static char *
property_date (icalcomponent     *vevent,
               icalproperty_kind  kind)
{
  icalproperty *property = icalcomponent_get_first_property (vevent, kind);
  struct icaltimetype date;

  g_assert_nonnull (property);
  date = icalvalue_get_datetime (icalproperty_get_value (property));
  g_assert_true (date.is_date);
  return g_strdup_printf ("%04d-%02d-%02d", date.year, date.month, date.day);
}

static void
assert_times (icalcomponent *calendar,
              const char    *summary,
              gint64         start,
              gint64         end,
              const char    *expected_tzid)
{
  icalcomponent *vevent = find_vevent (calendar, summary);
  const char *tzid = NULL;

  g_assert_cmpint (property_instant (calendar, vevent, ICAL_DTSTART_PROPERTY, &tzid), ==, start);
  g_assert_cmpstr (tzid, ==, expected_tzid);
  g_assert_cmpint (property_instant (calendar, vevent, ICAL_DTEND_PROPERTY, &tzid), ==, end);
}

/* Serializing --------------------------------------------------------------- */

static GPtrArray *
events_of_every_kind (void)
{
  GPtrArray *events = event_list ();
  CalsyncEvent *event;

  g_ptr_array_add (events, calsync_test_timed_event ("berlin-1", "Standup", calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 10, 0),
                                                     calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 10, 15), "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_timed_event ("berlin-2", "Summer party", calsync_test_local_time ("Europe/Berlin", 2027, 7, 2, 18, 0),
                                                     calsync_test_local_time ("Europe/Berlin", 2027, 7, 2, 23, 30), "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_timed_event ("ny-1", "Call with New York", calsync_test_local_time ("America/New_York", 2026, 12, 3, 9, 0),
                                                     calsync_test_local_time ("America/New_York", 2026, 12, 3, 10, 0), "America/New_York"));
  g_ptr_array_add (events, calsync_test_timed_event ("utc-1", "Server maintenance", 1796205600, 1796212800, "UTC"));
  g_ptr_array_add (events, calsync_test_timed_event ("nozone-1", "No zone", 1796205600, 1796209200, NULL));
  g_ptr_array_add (events, calsync_test_all_day_event ("trip-1", "Trip", "2026-12-24", "2026-12-28"));

  event = calsync_test_timed_event ("series1_20261208T090000Z", "Weekly sync", calsync_test_local_time ("Europe/Berlin", 2026, 12, 8, 10, 0),
                                    calsync_test_local_time ("Europe/Berlin", 2026, 12, 8, 11, 0), "Europe/Berlin");
  make_instance (event, "series1", "2026-12-08T10:00:00+01:00");
  g_ptr_array_add (events, event);

  /* Moved: starts a day later than its original start */
  event = calsync_test_timed_event ("series1_20261215T090000Z", "Weekly sync (moved)", calsync_test_local_time ("Europe/Berlin", 2026, 12, 16, 14, 0),
                                    calsync_test_local_time ("Europe/Berlin", 2026, 12, 16, 15, 0), "Europe/Berlin");
  make_instance (event, "series1", "2026-12-15T09:00:00Z");
  g_ptr_array_add (events, event);

  event = calsync_test_all_day_event ("holiday7_20261231", "New Year's Eve", "2026-12-31", NULL);
  make_instance (event, "holiday7", "2026-12-31");
  g_ptr_array_add (events, event);

  return events;
}

static void
test_serialize_kinds (void)
{
  g_autoptr(GPtrArray) events = events_of_every_kind ();
  g_autofree char *text = serialize (events);
  g_auto(GStrv) lines = unfold (text);
  g_autoptr(icalcomponent) calendar = NULL;
  const char * const zones[] = { "Europe/Berlin", "America/New_York", NULL };
  icalcomponent *vevent;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  const char *tzid;

  assert_layout (text);
  assert_header (lines, events->len + 2);   /* and the masters of two series */
  assert_zones (lines, zones);

  /* Timed events in their zone, UTC ones with Z, all-day ones as dates */
  g_assert_true (has_line (lines, "DTSTART;TZID=Europe/Berlin:20261201T100000"));
  g_assert_true (has_line (lines, "DTEND;TZID=Europe/Berlin:20261201T101500"));
  g_assert_true (has_line (lines, "DTSTART;TZID=America/New_York:20261203T090000"));
  g_assert_true (has_line (lines, "DTSTART:20261202T100000Z"));
  g_assert_true (has_line (lines, "DTSTART;VALUE=DATE:20261224"));
  g_assert_true (has_line (lines, "DTEND;VALUE=DATE:20261228"));
  g_assert_true (has_line (lines, "STATUS:CONFIRMED"));

  calendar = libical_parse (text);
  assert_times (calendar, "Standup", calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 10, 0),
                calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 10, 15), "Europe/Berlin");
  assert_times (calendar, "Summer party", calsync_test_local_time ("Europe/Berlin", 2027, 7, 2, 18, 0),
                calsync_test_local_time ("Europe/Berlin", 2027, 7, 2, 23, 30), "Europe/Berlin");
  assert_times (calendar, "Call with New York", calsync_test_local_time ("America/New_York", 2026, 12, 3, 9, 0),
                calsync_test_local_time ("America/New_York", 2026, 12, 3, 10, 0), "America/New_York");
  assert_times (calendar, "Server maintenance", 1796205600, 1796212800, NULL);
  assert_times (calendar, "No zone", 1796205600, 1796209200, NULL);

  vevent = find_vevent (calendar, "Trip");
  start = property_date (vevent, ICAL_DTSTART_PROPERTY);
  end = property_date (vevent, ICAL_DTEND_PROPERTY);
  g_assert_cmpstr (start, ==, "2026-12-24");
  g_assert_cmpstr (end, ==, "2026-12-28");
  g_assert_cmpstr (icalcomponent_get_uid (vevent), ==, "trip-1");
  g_assert_null (icalcomponent_get_first_property (vevent, ICAL_RECURRENCEID_PROPERTY));

  /* Instances: the series' UID, RECURRENCE-ID at the original start in the event's zone */
  vevent = find_vevent (calendar, "Weekly sync");
  g_assert_cmpstr (icalcomponent_get_uid (vevent), ==, "series1");
  g_assert_cmpint (property_instant (calendar, vevent, ICAL_RECURRENCEID_PROPERTY, &tzid), ==, 1796720400);
  g_assert_cmpstr (tzid, ==, "Europe/Berlin");
  vevent = find_vevent (calendar, "Weekly sync (moved)");
  g_assert_cmpstr (icalcomponent_get_uid (vevent), ==, "series1");
  g_assert_cmpint (property_instant (calendar, vevent, ICAL_RECURRENCEID_PROPERTY, &tzid), ==, 1797325200);
  g_assert_true (has_line (lines, "RECURRENCE-ID;TZID=Europe/Berlin:20261215T100000"));

  vevent = find_vevent (calendar, "New Year's Eve");
  g_assert_cmpstr (icalcomponent_get_uid (vevent), ==, "holiday7");
  g_clear_pointer (&start, g_free);
  start = property_date (vevent, ICAL_RECURRENCEID_PROPERTY);
  g_assert_cmpstr (start, ==, "2026-12-31");
  g_assert_true (has_line (lines, "RECURRENCE-ID;VALUE=DATE:20261231"));

  /* Masters: the original starts as DTSTART and RDATEs, fields of the first instance */
  vevent = find_master (calendar, "series1");
  g_assert_cmpint (property_instant (calendar, vevent, ICAL_DTSTART_PROPERTY, &tzid), ==, 1796720400);
  g_assert_cmpstr (tzid, ==, "Europe/Berlin");
  g_assert_cmpint (property_instant (calendar, vevent, ICAL_DTEND_PROPERTY, &tzid), ==, 1796720400 + 3600);
  g_assert_cmpint (property_instant (calendar, vevent, ICAL_RDATE_PROPERTY, &tzid), ==, 1797325200);
  g_assert_cmpint (icalcomponent_count_properties (vevent, ICAL_RDATE_PROPERTY), ==, 1);
  g_assert_cmpstr (icalcomponent_get_summary (vevent), ==, "Weekly sync");
  g_assert_true (has_line (lines, "RDATE;TZID=Europe/Berlin:20261215T100000"));

  vevent = find_master (calendar, "holiday7");
  g_clear_pointer (&start, g_free);
  g_clear_pointer (&end, g_free);
  start = property_date (vevent, ICAL_DTSTART_PROPERTY);
  end = property_date (vevent, ICAL_DTEND_PROPERTY);
  g_assert_cmpstr (start, ==, "2026-12-31");
  g_assert_cmpstr (end, ==, "2027-01-01");
  g_assert_true (has_line (lines, "RDATE;VALUE=DATE:20261231"));   /* a series of one is still a series */
}

static void
test_serialize_zones (void)
{
  g_autoptr(GPtrArray) events = event_list ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(icalcomponent) calendar = NULL;
  const char * const zones[] = { "Australia/Lord_Howe", "Europe/Berlin", NULL };
  /* 2026-10-25 in Berlin: 02:30 happens twice (00:30Z in CEST, 01:30Z in CET) */
  gint64 first_0230 = 1792888200;
  gint64 second_0230 = 1792891800;

  g_ptr_array_add (events, calsync_test_timed_event ("a", "Lord Howe", calsync_test_local_time ("Australia/Lord_Howe", 2027, 1, 5, 9, 0),
                                                     calsync_test_local_time ("Australia/Lord_Howe", 2027, 1, 5, 10, 0), "Australia/Lord_Howe"));
  g_ptr_array_add (events, calsync_test_timed_event ("b", "Unknown zone", 1796205600, 1796209200, "Mars/Olympus_Mons"));
  g_ptr_array_add (events, calsync_test_timed_event ("c", "Repeated hour, first", first_0230, second_0230 + 3600, "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_timed_event ("d", "Repeated hour, second", second_0230, second_0230 + 1800, "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_timed_event ("e", "Over the DST change", calsync_test_local_time ("Europe/Berlin", 2027, 3, 28, 1, 0),
                                                     calsync_test_local_time ("Europe/Berlin", 2027, 3, 28, 4, 0), "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_timed_event ("f", "Only UTC", 1796205600, 1796209200, "Etc/UTC"));
  g_ptr_array_add (events, calsync_test_timed_event ("g", "Instant", 1796205600, 1796205600, "Europe/Berlin"));

  text = serialize (events);
  lines = unfold (text);
  assert_layout (text);
  assert_zones (lines, zones);

  calendar = libical_parse (text);
  assert_times (calendar, "Unknown zone", 1796205600, 1796209200, NULL);
  assert_times (calendar, "Only UTC", 1796205600, 1796209200, NULL);
  assert_times (calendar, "Lord Howe", calsync_test_local_time ("Australia/Lord_Howe", 2027, 1, 5, 9, 0),
                calsync_test_local_time ("Australia/Lord_Howe", 2027, 1, 5, 10, 0), "Australia/Lord_Howe");
  assert_times (calendar, "Over the DST change", calsync_test_local_time ("Europe/Berlin", 2027, 3, 28, 1, 0),
                calsync_test_local_time ("Europe/Berlin", 2027, 3, 28, 4, 0), "Europe/Berlin");

  /* An ambiguous wall time is written in UTC, so no reader can pick the wrong one */
  assert_times (calendar, "Repeated hour, first", first_0230, second_0230 + 3600, NULL);
  assert_times (calendar, "Repeated hour, second", second_0230, second_0230 + 1800, NULL);
  g_assert_true (has_line (lines, "DTSTART:20261025T003000Z"));
  g_assert_true (has_line (lines, "DTEND;TZID=Europe/Berlin:20261025T033000"));

  /* No DTEND for an instant */
  g_assert_null (icalcomponent_get_first_property (find_vevent (calendar, "Instant"), ICAL_DTEND_PROPERTY));
}

static void
test_serialize_empty (void)
{
  g_autoptr(GPtrArray) events = event_list ();
  g_autofree char *text = serialize (events);
  g_auto(GStrv) lines = unfold (text);
  g_autoptr(icalcomponent) calendar = NULL;

  assert_layout (text);
  assert_header (lines, 0);
  g_assert_cmpuint (count_lines (lines, "BEGIN:VTIMEZONE"), ==, 0);
  calendar = libical_parse (text);
  g_assert_cmpint (icalcomponent_count_components (calendar, ICAL_ANY_COMPONENT), ==, 0);
}

static const char long_text[] =
  "Agenda; items, and more\n"
  "Path: C:\\temp\\new — “quoted”\n"
  "Grüße aus Köln, 日本語のテキスト, emoji 😀🎉 and a long line without any spaces: "
  "https://example.com/a/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/and/on?x=1&y=2\n"
  "ääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääää\n"
  "Last line; end\\";

static void
test_serialize_escaping (void)
{
  g_autoptr(GPtrArray) events = event_list ();
  CalsyncEvent *event = calsync_test_timed_event ("odd,uid;with\\chars", "Lunch; with Ann, Bob\\Carol",
                                                  1796205600, 1796209200, "Europe/Berlin");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(icalcomponent) calendar = NULL;
  icalcomponent *vevent;

  calsync_event_set_description (event, long_text);
  calsync_event_set_location (event, "Café Kranzler, Kurfürstendamm 18\r\nBerlin");
  g_ptr_array_add (events, event);

  text = serialize (events);
  lines = unfold (text);
  assert_layout (text);

  g_assert_true (has_line (lines, "SUMMARY:Lunch\\; with Ann\\, Bob\\\\Carol"));
  g_assert_true (has_line (lines, "UID:odd\\,uid\\;with\\\\chars"));
  g_assert_true (has_line (lines, "LOCATION:Café Kranzler\\, Kurfürstendamm 18\\nBerlin"));
  g_assert_true (g_str_has_prefix (lines[count_lines (lines, "") - 1], "END:VCALENDAR"));
  g_assert_true (has_line (lines, "DESCRIPTION:Agenda\\; items\\, and more\\nPath: C:\\\\temp\\\\new — “quoted”"
                                  "\\nGrüße aus Köln\\, 日本語のテキスト\\, emoji 😀🎉 and a long line without any spaces: "
                                  "https://example.com/a/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/and/on?x=1&y=2"
                                  "\\nääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääää"
                                  "\\nLast line\\; end\\\\"));

  calendar = libical_parse (text);
  vevent = find_vevent (calendar, "Lunch; with Ann, Bob\\Carol");
  g_assert_cmpstr (icalcomponent_get_uid (vevent), ==, "odd,uid;with\\chars");
  g_assert_cmpstr (icalcomponent_get_description (vevent), ==, long_text);
  g_assert_cmpstr (icalcomponent_get_location (vevent), ==, "Café Kranzler, Kurfürstendamm 18\nBerlin");
}

/* The layout holds and libical reads the same text back */
static void
assert_text_survives (const char *text)
{
  g_autoptr(GPtrArray) events = event_list ();
  g_autofree char *serialized = NULL;
  g_autoptr(icalcomponent) calendar = NULL;
  CalsyncEvent *event = calsync_test_timed_event (text, text, 1796205600, 1796209200, "UTC");

  calsync_event_set_description (event, text);
  calsync_event_set_location (event, text);
  g_ptr_array_add (events, event);

  serialized = serialize (events);
  assert_layout (serialized);
  calendar = libical_parse (serialized);
  g_assert_cmpstr (icalcomponent_get_description (find_vevent (calendar, text)), ==, text);
}

/* Every length of runs of 1- to 4-octet characters: libical 3.0 alone breaks
 * the CRLF of a 73-octet value without spaces */
static void
test_serialize_fold_lengths (void)
{
  static const char * const units[] = { "a", "ä", "日", "😀", "\\", "a," };

  for (guint u = 0; u < G_N_ELEMENTS (units); u++)
    for (guint n = 1; n <= 160; n++)
      {
        g_autoptr(GString) text = g_string_new (NULL);

        for (guint i = 0; i < n; i++)
          g_string_append (text, units[u]);
        assert_text_survives (text->str);
      }
}

/* Random text of every awkward kind (starting and ending with a letter:
 * libical trims the ends of any value it reads) */
static void
test_serialize_folding (void)
{
  static const char * const pieces[] = {
    "a", "ä", "日", "😀", " ", ",", ";", ":", "\\", "\"", "^", "\n", "xyz", "é", "\t",
  };

  for (guint round = 0; round < 300; round++)
    {
      g_autoptr(GString) random = g_string_new ("x");
      guint n = (guint) g_test_rand_int_range (0, 160);

      for (guint i = 0; i < n; i++)
        g_string_append (random, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
      g_string_append_c (random, 'x');
      assert_text_survives (random->str);
    }
}

static void
test_serialize_attendees (void)
{
  g_autoptr(GPtrArray) events = event_list ();
  CalsyncEvent *event = calsync_test_timed_event ("meet-1", "Planning", 1796205600, 1796209200, "Europe/Berlin");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(icalcomponent) calendar = NULL;
  icalcomponent *vevent;
  icalproperty *organizer;
  static const struct { const char *address; const char *cn; icalparameter_partstat partstat; } expected[] = {
    { "mailto:ann@example.com", "Ann, \"the\" Boss", ICAL_PARTSTAT_ACCEPTED },
    { "mailto:bob@example.com", "Bob ^_^ Builder", ICAL_PARTSTAT_DECLINED },
    { "mailto:carol@example.com", "DOMAIN/carol/", ICAL_PARTSTAT_TENTATIVE },
    { "mailto:dan@example.com", NULL, ICAL_PARTSTAT_NEEDSACTION },
    { "mailto:eve@example.com", "Eve Line two", ICAL_PARTSTAT_NEEDSACTION },
  };
  guint i = 0;

  calsync_event_set_attendees_json (event,
    "[{\"email\":\"ann@example.com\",\"name\":\"Ann, \\\"the\\\" Boss\",\"response\":\"accepted\",\"organizer\":true},"
    " {\"email\":\"bob@example.com\",\"name\":\"Bob ^_^ Builder\",\"response\":\"declined\",\"organizer\":false},"
    " {\"email\":\"carol@example.com\",\"name\":\"DOMAIN\\\\carol\\\\\",\"response\":\"tentative\"},"
    " {\"email\":\"dan@example.com\",\"response\":\"needsAction\"},"
    " {\"email\":\"eve@example.com\",\"name\":\"Eve\\nLine two\",\"response\":\"whatever\"},"
    " {\"name\":\"Room without address\"}]");
  calsync_event_set_conference_url (event, "https://meet.google.com/abc-defg-hij");
  calsync_event_set_status (event, CALSYNC_EVENT_STATUS_TENTATIVE);
  calsync_event_set_remote_updated (event, G_GINT64_CONSTANT (1795000000) * G_USEC_PER_SEC);
  calsync_event_set_local_updated (event, G_GINT64_CONSTANT (1795000500) * G_USEC_PER_SEC);
  g_ptr_array_add (events, event);

  text = serialize (events);
  lines = unfold (text);
  assert_layout (text);
  g_assert_true (has_line (lines, "URL:https://meet.google.com/abc-defg-hij"));
  g_assert_true (has_line (lines, "CONFERENCE;VALUE=URI:https://meet.google.com/abc-defg-hij"));
  g_assert_true (has_line (lines, "STATUS:TENTATIVE"));
  g_assert_true (has_line (lines, "LAST-MODIFIED:20261118T111500Z"));
  g_assert_cmpuint (count_lines (lines, "ORGANIZER"), ==, 1);
  g_assert_cmpuint (count_lines (lines, "ATTENDEE"), ==, G_N_ELEMENTS (expected));

  calendar = libical_parse (text);
  vevent = find_vevent (calendar, "Planning");
  organizer = icalcomponent_get_first_property (vevent, ICAL_ORGANIZER_PROPERTY);
  g_assert_cmpstr (icalproperty_get_organizer (organizer), ==, "mailto:ann@example.com");
  g_assert_cmpstr (icalparameter_get_cn (icalproperty_get_first_parameter (organizer, ICAL_CN_PARAMETER)), ==,
                   "Ann, \"the\" Boss");

  for (icalproperty *p = icalcomponent_get_first_property (vevent, ICAL_ATTENDEE_PROPERTY); p != NULL;
       p = icalcomponent_get_next_property (vevent, ICAL_ATTENDEE_PROPERTY), i++)
    {
      icalparameter *cn = icalproperty_get_first_parameter (p, ICAL_CN_PARAMETER);
      icalparameter *partstat = icalproperty_get_first_parameter (p, ICAL_PARTSTAT_PARAMETER);

      g_assert_cmpuint (i, <, G_N_ELEMENTS (expected));
      g_assert_cmpstr (icalproperty_get_attendee (p), ==, expected[i].address);
      g_assert_cmpstr (cn ? icalparameter_get_cn (cn) : NULL, ==, expected[i].cn);
      g_assert_nonnull (partstat);
      g_assert_cmpint (icalparameter_get_partstat (partstat), ==, expected[i].partstat);
    }
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (expected));
}

static void
test_serialize_sparse (void)
{
  g_autoptr(GPtrArray) events = event_list ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(icalcomponent) calendar = NULL;

  /* Nothing but defaults: still a valid VEVENT with a UID */
  g_ptr_array_add (events, calsync_event_new ());
  g_ptr_array_add (events, calsync_test_all_day_event ("", "One day", "2026-12-01", NULL));

  text = serialize (events);
  lines = unfold (text);
  assert_layout (text);
  g_assert_cmpuint (count_lines (lines, "UID:calsync-event-0"), ==, 2);
  g_assert_true (has_line (lines, "DTSTART:19700101T000000Z"));
  g_assert_true (has_line (lines, "DTEND;VALUE=DATE:20261202"));
  g_assert_cmpuint (count_lines (lines, "SUMMARY"), ==, 1);
  calendar = libical_parse (text);
  g_assert_cmpint (icalcomponent_count_components (calendar, ICAL_VEVENT_COMPONENT), ==, 2);
}

/* Writing files ------------------------------------------------------------- */

static void
test_write_file (void)
{
  g_autoptr(GPtrArray) events = events_of_every_kind ();
  g_autofree char *dir = g_dir_make_tmp ("calsync-ical-write-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.ics", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", "out.ics", NULL);
  g_autofree char *folder = g_build_filename (dir, "folder", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  mode_t mask = umask (022);
  struct stat info;

  umask (mask);
  g_assert_true (g_file_set_contents (path, "old contents, much longer than nothing at all", -1, NULL));
  g_assert_true (calsync_ical_write_file (path, events, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  assert_layout (contents);
  g_assert_null (strstr (contents, "old contents"));
  g_assert_cmpint (stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0666 & ~mask);

  /* A missing folder: an error naming the file, and nothing written */
  g_assert_false (calsync_ical_write_file (missing, events, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_null (strstr (error->message, "out.ics."));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  /* Writing over a folder fails and leaves no temporary file beside it */
  g_clear_error (&error);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_false (calsync_ical_write_file (folder, events, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  listing = g_dir_open (dir, 0, NULL);
  for (const char *name; (name = g_dir_read_name (listing)) != NULL;)
    g_assert_true (g_str_equal (name, "out.ics") || g_str_equal (name, "folder"));

  g_assert_cmpint (g_rmdir (folder), ==, 0);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* The command ---------------------------------------------------------------- */

typedef struct
{
  char *dir;            /* XDG_DATA_HOME of the binary */
  CalsyncStore *store;
  gint64 team_id;       /* a Google calendar with a series */
  char *out;            /* a file name in dir */
} Fixture;

static void
add_local (CalsyncStore *store,
           CalsyncEvent *event)
{
  g_autoptr(CalsyncEvent) owned = event;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (calsync_store_create_local_event (store, owned, &error), >, 0);
  g_assert_no_error (error);
}

static void
seed_personal (CalsyncStore *store)
{
  CalsyncEvent *event;

  add_local (store, calsync_test_timed_event ("dentist", "Dentist", calsync_test_local_time ("Europe/Berlin", 2026, 12, 2, 9, 0),
                                              calsync_test_local_time ("Europe/Berlin", 2026, 12, 2, 9, 30), "Europe/Berlin"));
  add_local (store, calsync_test_all_day_event ("xmas", "Christmas", "2026-12-24", "2026-12-26"));
  add_local (store, calsync_test_timed_event ("deadline", "Report due", calsync_test_local_time ("Europe/Berlin", 2026, 12, 5, 0, 0),
                                              calsync_test_local_time ("Europe/Berlin", 2026, 12, 5, 0, 0), "Europe/Berlin"));
  add_local (store, calsync_test_timed_event ("late", "Late call", calsync_test_local_time ("Europe/Berlin", 2026, 12, 4, 23, 30),
                                              calsync_test_local_time ("Europe/Berlin", 2026, 12, 5, 0, 30), "Europe/Berlin"));
  add_local (store, calsync_test_timed_event ("newyear", "New Year call", 1798815600, 1798819200, "UTC"));

  event = calsync_test_timed_event ("cancelled", "Cancelled dinner", calsync_test_local_time ("Europe/Berlin", 2026, 12, 3, 19, 0),
                                    calsync_test_local_time ("Europe/Berlin", 2026, 12, 3, 21, 0), "Europe/Berlin");
  calsync_event_set_status (event, CALSYNC_EVENT_STATUS_CANCELLED);
  add_local (store, event);

  /* A series with one instance left */
  event = calsync_test_timed_event ("solo_20261207T170000Z", "Choir", calsync_test_local_time ("Europe/Berlin", 2026, 12, 7, 18, 0),
                                    calsync_test_local_time ("Europe/Berlin", 2026, 12, 7, 20, 0), "Europe/Berlin");
  make_instance (event, "solo", "2026-12-07T18:00:00+01:00");
  add_local (store, event);

  event = calsync_test_timed_event ("notes", "Notes, plans; ideas", calsync_test_local_time ("Europe/Berlin", 2026, 12, 10, 12, 0),
                                    calsync_test_local_time ("Europe/Berlin", 2026, 12, 10, 13, 0), "Europe/Berlin");
  calsync_event_set_description (event, long_text);
  calsync_event_set_location (event, "Café, Berlin");
  add_local (store, event);
}

static gint64
add_google_calendar (CalsyncStore *store)
{
  gint64 account_id = calsync_test_store_add_account (store, "google", "alex@example.com");

  return calsync_test_store_add_calendar (store, account_id, "team@group.calendar.google.com", "Team", "#33d17a");
}

/* A weekly series as Google sends it (singleEvents): instances only */
static void
seed_team (CalsyncStore *store,
           gint64        calendar_id)
{
  g_autoptr(GPtrArray) events = event_list ();
  g_autoptr(GError) error = NULL;
  const char *attendees =
    "[{\"email\":\"alex@example.com\",\"name\":\"Alex Kim\",\"response\":\"accepted\",\"organizer\":true},"
    "{\"email\":\"sam@example.com\",\"name\":\"Sam Rivera\",\"response\":\"tentative\",\"organizer\":false},"
    "{\"email\":\"kim@example.com\",\"name\":\"Kim \\\"KJ\\\" Jung, PhD ^_^\",\"response\":\"declined\",\"organizer\":false},"
    "{\"email\":\"lee@example.com\",\"name\":\"Lee\",\"response\":\"needsAction\",\"organizer\":false}]";

  for (int week = 0; week < 3; week++)
    {
      int day = 1 + 7 * week;
      g_autofree char *id = g_strdup_printf ("wk7_202612%02dT090000Z", day);
      g_autofree char *original = g_strdup_printf ("2026-12-%02dT10:00:00+01:00", day);
      CalsyncEvent *event = calsync_test_timed_event (id, "Team sync", calsync_test_local_time ("Europe/Berlin", 2026, 12, day, 10, 0),
                                                      calsync_test_local_time ("Europe/Berlin", 2026, 12, day, 10, 30), "Europe/Berlin");

      make_instance (event, "wk7", original);
      calsync_event_set_attendees_json (event, attendees);
      calsync_event_set_conference_url (event, "https://meet.google.com/abc-defg-hij");
      calsync_event_set_remote_updated (event, G_GINT64_CONSTANT (1795000000) * G_USEC_PER_SEC);
      g_ptr_array_add (events, event);
    }

  /* The third week moved to the next day, 14:00 */
  calsync_event_set_times (g_ptr_array_index (events, 2), calsync_test_local_time ("Europe/Berlin", 2026, 12, 16, 14, 0),
                           calsync_test_local_time ("Europe/Berlin", 2026, 12, 16, 14, 30), "Europe/Berlin");

  g_assert_true (calsync_store_apply_remote_events (store, calendar_id, events, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = calsync_test_setup_env ("ical-export");
  f->store = calsync_test_open_store (f->dir);
  f->out = g_build_filename (f->dir, "out.ics", NULL);
  seed_personal (f->store);
  f->team_id = add_google_calendar (f->store);
  seed_team (f->store, f->team_id);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  calsync_test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->out, g_free);
}

/* Runs the real binary (headless, in the fixture's environment) */
static int
run_calsync (const char * const *args,
             const char         *data_home,
             char              **out,
             char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, data_home);

  return calsync_test_run_calsync (launcher, args, out, err);
}

static int
run_export (Fixture     *f,
            const char  *options,
            char       **out,
            char       **err)
{
  g_autofree char *file_arg = g_strdup_printf ("--export=%s", f->out);
  g_auto(GStrv) extra = g_strsplit (options, " ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;

  g_strv_builder_add (builder, file_arg);
  for (guint i = 0; extra[i] != NULL; i++)
    if (*extra[i] != '\0')
      g_strv_builder_add (builder, extra[i]);
  args = g_strv_builder_end (builder);

  return run_calsync ((const char * const *) args, f->dir, out, err);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The SUMMARYs of an exported file, sorted and joined with "|" */
static char *
exported_titles (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(icalcomponent) calendar = NULL;
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  assert_layout (text);
  calendar = libical_parse (text);
  for (icalcomponent *c = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
       c != NULL; c = icalcomponent_get_next_component (calendar, ICAL_VEVENT_COMPONENT))
    g_ptr_array_add (titles, (gpointer) icalcomponent_get_summary (c));

  g_ptr_array_sort (titles, compare_strings);
  g_ptr_array_add (titles, NULL);
  return g_strjoinv ("|", (GStrv) titles->pdata);
}

static void
test_cli_personal (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *titles = NULL;
  g_autofree char *expected_out = g_strdup_printf ("Exported 7 events to “%s”.\n", f->out);

  g_assert_cmpint (run_export (f, "", &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, expected_out);
  g_assert_cmpstr (err, ==, "");

  /* The cancelled dinner is left out; the Team calendar is not the default */
  titles = exported_titles (f->out);
  g_assert_cmpstr (titles, ==, "Choir|Choir|Christmas|Dentist|Late call|New Year call|Notes, plans; ideas|Report due");
}

static void
test_cli_calendar (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *option = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, f->team_id);
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *titles = NULL;
  g_auto(GStrv) lines = NULL;
  const char * const zones[] = { "Europe/Berlin", NULL };

  g_assert_cmpint (run_export (f, option, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Exported 3 events to "));
  titles = exported_titles (f->out);
  g_assert_cmpstr (titles, ==, "Team sync|Team sync|Team sync|Team sync");   /* and the master */

  g_assert_true (g_file_get_contents (f->out, &text, NULL, NULL));
  lines = unfold (text);
  assert_zones (lines, zones);
  g_assert_cmpuint (count_lines (lines, "UID:wk7"), ==, 4);
  g_assert_cmpuint (count_lines (lines, "RDATE;TZID=Europe/Berlin:"), ==, 2);
  g_assert_true (has_line (lines, "RECURRENCE-ID;TZID=Europe/Berlin:20261215T100000"));
  g_assert_true (has_line (lines, "DTSTART;TZID=Europe/Berlin:20261216T140000"));
  g_assert_true (has_line (lines, "ORGANIZER;CN=Alex Kim:mailto:alex@example.com"));
  g_assert_true (has_line (lines, "ATTENDEE;CN=Sam Rivera;PARTSTAT=TENTATIVE:mailto:sam@example.com"));
  g_assert_true (has_line (lines, "URL:https://meet.google.com/abc-defg-hij"));
}

static void
test_cli_range (Fixture       *f,
                gconstpointer  data)
{
  static const struct { const char *options; const char *titles; } cases[] = {
    { "--from=2026-12-05", "Choir|Choir|Christmas|Late call|New Year call|Notes, plans; ideas|Report due" },
    { "--to=2026-12-05", "Dentist|Late call" },
    { "--from=2026-12-05 --to=2026-12-06", "Late call|Report due" },
    /* All-day dates are exact: the 24th and 25th, not a padded UTC range */
    { "--from=2026-12-26", "New Year call" },
    { "--to=2026-12-24 --from=2026-12-11", "" },
    { "--from=2026-12-25 --to=2026-12-26", "Christmas" },
    /* An empty range still meets what spans its instant */
    { "--from=2026-12-05 --to=2026-12-05", "Late call" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *titles = NULL;

      g_test_message ("export %s", cases[i].options);
      g_assert_cmpint (run_export (f, cases[i].options, NULL, NULL), ==, 0);
      titles = exported_titles (f->out);
      g_assert_cmpstr (titles, ==, cases[i].titles);
    }
}

static void
test_cli_bad_usage (Fixture       *f,
                    gconstpointer  data)
{
  static const struct { const char *options; int status; const char *message; } cases[] = {
    { "--from=2026-13-01", 2, "--from=2026-13-01 is not a date" },
    { "--to=tomorrow", 2, "--to=tomorrow is not a date" },
    { "--from=2026-12-08 --to=2026-12-01", 2, "--from=2026-12-08 is after --to=2026-12-01" },
    { "--calendar=work", 2, "“work” is not a calendar id; --list-accounts shows them" },
    { "--calendar=999", 1, "There is no calendar 999; --list-accounts shows them" },
    { "--json", 2, "--json cannot be used with this command" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_test_message ("export %s", cases[i].options);
      g_assert_cmpint (run_export (f, cases[i].options, &out, &err), ==, cases[i].status);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_false (g_file_test (f->out, G_FILE_TEST_EXISTS));
    }
}

static void
test_cli_atomic (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "out.ics", NULL);
  g_autofree char *arg = g_strdup_printf ("--export=%s", missing);
  const char * const args[] = { arg, NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;

  /* An existing file is replaced whole */
  g_assert_true (g_file_set_contents (f->out, "stale data that must disappear\n", -1, NULL));
  g_assert_cmpint (run_export (f, "--from=2026-12-24 --to=2026-12-25", NULL, NULL), ==, 0);
  g_assert_true (g_file_get_contents (f->out, &text, NULL, NULL));
  assert_layout (text);
  g_assert_null (strstr (text, "stale"));

  /* A missing folder: exit 1, a message naming the file, nothing created */
  g_assert_cmpint (run_calsync (args, f->dir, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "calsync: Could not write “"));
  g_assert_nonnull (strstr (err, missing));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

static void
test_cli_stdout (Fixture       *f,
                 gconstpointer  data)
{
  const char * const args[] = { "--export=-", "--from=2026-12-24", "--to=2026-12-25", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run_calsync (args, f->dir, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  assert_layout (out);
  lines = unfold (out);
  g_assert_cmpuint (count_lines (lines, "BEGIN:VEVENT"), ==, 1);
  g_assert_true (has_line (lines, "SUMMARY:Christmas"));
}

/* Round trip: export → import into an empty calendar → export again: both
 * files read back (calsync_ical_parse) to the same events */
static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  CalsyncEvent *ea = *(CalsyncEvent * const *) a;
  CalsyncEvent *eb = *(CalsyncEvent * const *) b;

  return g_strcmp0 (calsync_event_get_external_id (ea), calsync_event_get_external_id (eb));
}

static GPtrArray *
parse_file (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *events;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  events = calsync_ical_parse (text, -1, G_GINT64_CONSTANT (1764543600), G_GINT64_CONSTANT (1827615600), &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  g_ptr_array_sort (events, compare_events);
  return events;
}

/* The series' definition of an instance, without the RECURRENCE-ID line that
 * says whether the file gave it a VEVENT of its own: instances written as
 * their original starts all get one, those of a rule only when they differ */
static char *
definition_of (CalsyncEvent *event)
{
  const char *recurrence = calsync_event_get_recurrence (event);
  const char *marker = recurrence ? strstr (recurrence, "\nRECURRENCE-ID") : NULL;

  return marker ? g_strndup (recurrence, (gsize) (marker - recurrence)) : g_strdup (recurrence);
}

static void
assert_same_definition (CalsyncEvent *a,
                        CalsyncEvent *b)
{
  g_autofree char *definition_a = definition_of (a);
  g_autofree char *definition_b = definition_of (b);
  g_autoptr(CalsyncEvent) copy = calsync_event_copy (b);

  g_assert_cmpstr (definition_a, ==, definition_b);
  calsync_event_set_recurrence (copy, calsync_event_get_recurrence (a));
  g_assert_true (calsync_event_equal_content (a, copy));
}

static void
assert_same_events (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      CalsyncEvent *ea = g_ptr_array_index (a, i);
      CalsyncEvent *eb = g_ptr_array_index (b, i);

      g_test_message ("comparing “%s”", calsync_event_get_title (ea));
      g_assert_cmpstr (calsync_event_get_external_id (ea), ==, calsync_event_get_external_id (eb));
      g_assert_cmpstr (calsync_event_get_title (ea), ==, calsync_event_get_title (eb));
      g_assert_cmpstr (calsync_event_get_description (ea), ==, calsync_event_get_description (eb));
      g_assert_cmpstr (calsync_event_get_location (ea), ==, calsync_event_get_location (eb));
      g_assert_cmpint (calsync_event_get_start (ea), ==, calsync_event_get_start (eb));
      g_assert_cmpint (calsync_event_get_end (ea), ==, calsync_event_get_end (eb));
      g_assert_cmpstr (calsync_event_get_time_zone (ea), ==, calsync_event_get_time_zone (eb));
      g_assert_cmpstr (calsync_event_get_start_date (ea), ==, calsync_event_get_start_date (eb));
      g_assert_cmpstr (calsync_event_get_end_date (ea), ==, calsync_event_get_end_date (eb));
      g_assert_cmpstr (calsync_event_get_recurring_event_id (ea), ==, calsync_event_get_recurring_event_id (eb));
      g_assert_cmpstr (calsync_event_get_original_start (ea), ==, calsync_event_get_original_start (eb));
      g_assert_cmpstr (calsync_event_get_attendees_json (ea), ==, calsync_event_get_attendees_json (eb));
      g_assert_cmpstr (calsync_event_get_conference_url (ea), ==, calsync_event_get_conference_url (eb));
      assert_same_definition (ea, eb);
    }
}

/* What the first export reads back as is what was stored (the event type
 * and the series' definition aside: the reader guesses the one and keeps the
 * other, the seeds leave them unset) */
static void
assert_matches_store (Fixture   *f,
                      gint64     calendar_id,
                      GPtrArray *events)
{
  g_autoptr(GPtrArray) stored = calsync_store_list_calendar_events (f->store, calendar_id, G_MININT64, G_MAXINT64, NULL);
  guint n_cancelled = 0;

  for (guint i = 0; i < stored->len; i++)
    n_cancelled += calsync_event_get_status (g_ptr_array_index (stored, i)) == CALSYNC_EVENT_STATUS_CANCELLED;
  g_assert_cmpuint (events->len, ==, stored->len - n_cancelled);

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *read = g_ptr_array_index (events, i);
      g_autoptr(CalsyncEvent) seeded = calsync_store_lookup_event (f->store, calendar_id,
                                                                   calsync_event_get_external_id (read), NULL);

      g_test_message ("checking “%s” against the store", calsync_event_get_external_id (read));
      g_assert_nonnull (seeded);
      calsync_event_set_event_type (seeded, calsync_event_get_event_type (read));
      /* The reader keeps the definition of a series; series seeded as instances have none */
      if (calsync_event_get_recurrence (seeded) == NULL)
        calsync_event_set_recurrence (seeded, calsync_event_get_recurrence (read));
      g_assert_true (calsync_event_equal_content (seeded, read));
    }
}

static void
round_trip_calendar (Fixture    *f,
                     gint64      calendar_id)
{
  g_autofree char *calendar_option = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, calendar_id);
  g_autofree char *empty_home = g_dir_make_tmp ("calsync-ical-round-trip-XXXXXX", NULL);
  g_autofree char *second = g_build_filename (empty_home, "second.ics", NULL);
  g_autofree char *import_arg = g_strdup_printf ("--import=%s", f->out);
  g_autofree char *export_arg = g_strdup_printf ("--export=%s", second);
  const char * const import_args[] = { import_arg, NULL };
  const char * const export_args[] = { export_arg, NULL };
  g_autoptr(GPtrArray) first_events = NULL;
  g_autoptr(GPtrArray) second_events = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_export (f, calendar_option, NULL, NULL), ==, 0);
  g_assert_cmpint (run_calsync (import_args, empty_home, NULL, &err), ==, 0);
  g_assert_cmpint (run_calsync (export_args, empty_home, NULL, NULL), ==, 0);

  first_events = parse_file (f->out);
  second_events = parse_file (second);
  g_assert_cmpuint (first_events->len, >, 0);
  assert_matches_store (f, calendar_id, first_events);
  assert_same_events (first_events, second_events);

  calsync_test_remove_tree (empty_home);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  round_trip_calendar (f, calsync_store_get_personal_calendar_id (f->store));
  round_trip_calendar (f, f->team_id);
}

/* Series that keep their rule ------------------------------------------------- */

/* tests/fixtures/ical/rules.ics: a weekly series from 2026-01-05 to 2028-12-25,
 * Mondays 09:00 in "W. Europe Standard Time" (Europe/Berlin) with an EXDATE, a
 * moved and a retitled occurrence, and an all-day series every other week */
#define PLANNING "weekly-planning@example.com"
#define BINS "bins@example.com"
#define NOW_2026 "2026-02-15T12:00:00Z"   /* window 2025-11-15 … 2027-02-15 */
#define NOW_2028 "2028-06-15T12:00:00Z"   /* window 2028-03-15 … 2029-06-15 */

/* calsync in @home at @now, on a machine in New York */
static int
run_in (const char          *home,
        const char          *now,
        const char * const  *args,
        char               **out)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, home);
  g_autofree char *err = NULL;
  int status;

  g_subprocess_launcher_setenv (launcher, "TZ", "America/New_York", TRUE);
  g_subprocess_launcher_setenv (launcher, "CALSYNC_NOW", now, TRUE);
  status = calsync_test_run_calsync (launcher, args, out, &err);
  if (status != 0)
    g_test_message ("calsync %s: %s", args[0], err);
  return status;
}

static char *
import_in (const char *home,
           const char *now,
           const char *path)
{
  g_autofree char *arg = g_strconcat ("--import=", path, NULL);
  const char * const args[] = { arg, NULL };
  char *out = NULL;

  g_assert_cmpint (run_in (home, now, args, &out), ==, 0);
  return out;
}

/* The export of @home's Personal calendar, its logical lines */
static GStrv
export_in (const char *home,
           const char *now,
           const char *path,
           const char *from,
           const char *to)
{
  g_autofree char *arg = g_strconcat ("--export=", path, NULL);
  g_autofree char *from_arg = from ? g_strconcat ("--from=", from, NULL) : NULL;
  g_autofree char *to_arg = to ? g_strconcat ("--to=", to, NULL) : NULL;
  const char * const args[] = { arg, from_arg, to_arg, NULL };
  g_autofree char *text = NULL;

  g_assert_cmpint (run_in (home, now, args, NULL), ==, 0);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  assert_layout (text);
  icalcomponent_free (libical_parse (text));
  return unfold (text);
}

static GPtrArray *
personal_events (const char *home)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (home);
  g_autoptr(GError) error = NULL;
  GPtrArray *events = calsync_store_list_calendar_events (store, calsync_store_get_personal_calendar_id (store),
                                                          G_MININT64, G_MAXINT64, &error);

  g_assert_no_error (error);
  g_ptr_array_sort (events, compare_events);
  return events;
}

static void
delete_event (const char *home,
              const char *external_id)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (home);
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncEvent) event = calsync_store_lookup_event (store, calsync_store_get_personal_calendar_id (store),
                                                              external_id, &error);

  g_assert_nonnull (event);
  g_assert_true (calsync_store_delete_local_event (store, calsync_event_get_id (event), &error));
  g_assert_no_error (error);
}

static guint
count_vevent_lines (GStrv       lines,
                    const char *prefix)
{
  gboolean in_vevent = FALSE;
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_equal (lines[i], "BEGIN:VEVENT"))
        in_vevent = TRUE;
      else if (g_str_equal (lines[i], "END:VEVENT"))
        in_vevent = FALSE;
      else if (in_vevent && g_str_has_prefix (lines[i], prefix))
        n++;
    }

  return n;
}

static void
assert_series_master (GStrv lines)
{
  const char * const zones[] = { "Europe/Berlin", NULL };

  /* The rule, in the zone it was written in, the EXDATE of the file and the
   * occurrence deleted here; the two overrides; no occurrence list */
  assert_zones (lines, zones);
  g_assert_true (has_line (lines, "DTSTART;TZID=Europe/Berlin:20260105T090000"));
  g_assert_true (has_line (lines, "DURATION:PT30M"));
  g_assert_true (has_line (lines, "RRULE:FREQ=WEEKLY;UNTIL=20281225T080000Z;BYDAY=MO"));
  g_assert_true (has_line (lines, "EXDATE;TZID=Europe/Berlin:20260406T090000"));
  g_assert_true (has_line (lines, "EXDATE;TZID=Europe/Berlin:20260504T090000"));
  g_assert_cmpuint (count_vevent_lines (lines, "EXDATE"), ==, 2);
  g_assert_cmpuint (count_vevent_lines (lines, "UID:" PLANNING), ==, 3);
  g_assert_true (has_line (lines, "RECURRENCE-ID;TZID=Europe/Berlin:20260302T090000"));
  g_assert_true (has_line (lines, "RECURRENCE-ID;TZID=Europe/Berlin:20260316T090000"));
  g_assert_cmpuint (count_vevent_lines (lines, "RECURRENCE-ID"), ==, 2);
  g_assert_cmpuint (count_vevent_lines (lines, "RDATE"), ==, 0);

  g_assert_true (has_line (lines, "DTSTART;VALUE=DATE:20260107"));
  g_assert_true (has_line (lines, "RRULE:FREQ=WEEKLY;INTERVAL=2"));
  g_assert_cmpuint (count_vevent_lines (lines, "UID:" BINS), ==, 1);
}

static CalsyncEvent *
find_by_id (GPtrArray  *events,
            const char *id)
{
  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (calsync_event_get_external_id (g_ptr_array_index (events, i)), id))
      return g_ptr_array_index (events, i);

  g_error ("no event %s", id);
}

/* Two years on, the series goes on: Mondays 09:00 in Berlin (07:00 UTC in
 * summer, 08:00 in winter) up to its UNTIL, and the bins every other week */
static void
assert_two_years_later (GPtrArray *events)
{
  g_autoptr(GDateTime) monday = g_date_time_new_utc (2028, 3, 20, 0, 0, 0);
  guint n_planning = 0, n_bins = 0;

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);

      n_planning += g_strcmp0 (calsync_event_get_recurring_event_id (event), PLANNING) == 0;
      n_bins += g_strcmp0 (calsync_event_get_recurring_event_id (event), BINS) == 0;
    }

  for (guint week = 0; ; week++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_weeks (monday, (int) week);
      int y = g_date_time_get_year (day), m = g_date_time_get_month (day), d = g_date_time_get_day_of_month (day);
      g_autofree char *id = NULL;
      CalsyncEvent *event;
      gint64 start = calsync_test_local_time ("Europe/Berlin", y, m, d, 9, 0);

      if (y > 2028)   /* 2028-12-25 is the last Monday */
        {
          g_assert_cmpuint (n_planning, ==, week);   /* UNTIL ends it, no more */
          break;
        }

      id = g_strdup_printf (PLANNING "_%04d%02d%02dT%02d0000Z", y, m, d, (int) (start % 86400 / 3600));
      event = find_by_id (events, id);
      g_assert_cmpstr (calsync_event_get_title (event), ==, "Weekly planning");
      g_assert_cmpstr (calsync_event_get_time_zone (event), ==, "Europe/Berlin");
      g_assert_cmpint (calsync_event_get_start (event), ==, start);
      g_assert_cmpint (calsync_event_get_end (event), ==, start + 1800);
    }

  /* Summer and winter: the wall clock stays, the instant moves */
  g_assert_cmpint (calsync_event_get_start (find_by_id (events, PLANNING "_20280703T070000Z")), ==, 1846220400);
  g_assert_cmpint (calsync_event_get_start (find_by_id (events, PLANNING "_20281204T080000Z")), ==, 1859529600);

  /* 2028-06-07 is 63 fortnights after 2026-01-07 */
  g_assert_cmpuint (n_bins, >, 20);
  g_assert_cmpstr (calsync_event_get_start_date (find_by_id (events, BINS "_20280607")), ==, "2028-06-07");
  g_assert_cmpstr (calsync_event_get_end_date (find_by_id (events, BINS "_20280621")), ==, "2028-06-22");
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (events, i)), !=, BINS "_20280614");
}

/* The same instances in the same window, the rule and ids aside */
static void
assert_same_instances (GPtrArray *a,
                       GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      CalsyncEvent *ea = g_ptr_array_index (a, i);
      CalsyncEvent *eb = g_ptr_array_index (b, i);

      g_assert_cmpstr (calsync_event_get_external_id (ea), ==, calsync_event_get_external_id (eb));
      g_assert_cmpstr (calsync_event_get_title (ea), ==, calsync_event_get_title (eb));
      g_assert_cmpstr (calsync_event_get_description (ea), ==, calsync_event_get_description (eb));
      g_assert_cmpstr (calsync_event_get_location (ea), ==, calsync_event_get_location (eb));
      g_assert_cmpint (calsync_event_get_start (ea), ==, calsync_event_get_start (eb));
      g_assert_cmpint (calsync_event_get_end (ea), ==, calsync_event_get_end (eb));
      g_assert_cmpstr (calsync_event_get_time_zone (ea), ==, calsync_event_get_time_zone (eb));
      g_assert_cmpstr (calsync_event_get_start_date (ea), ==, calsync_event_get_start_date (eb));
      g_assert_cmpstr (calsync_event_get_end_date (ea), ==, calsync_event_get_end_date (eb));
      g_assert_cmpstr (calsync_event_get_original_start (ea), ==, calsync_event_get_original_start (eb));
      g_assert_cmpint (calsync_event_get_status (ea), ==, calsync_event_get_status (eb));
    }
}

static void
assert_same_but_dtstamp (GStrv a,
                         GStrv b)
{
  g_assert_cmpuint (g_strv_length (a), ==, g_strv_length (b));
  for (guint i = 0; a[i] != NULL; i++)
    if (!g_str_has_prefix (a[i], "DTSTAMP:"))
      g_assert_cmpstr (a[i], ==, b[i]);
}

static void
test_rule_round_trip (void)
{
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "fixtures", "ical", "rules.ics", NULL);
  g_autofree char *home = g_dir_make_tmp ("calsync-rules-XXXXXX", NULL);
  g_autofree char *later = g_dir_make_tmp ("calsync-rules-later-XXXXXX", NULL);
  g_autofree char *again = g_dir_make_tmp ("calsync-rules-again-XXXXXX", NULL);
  g_autofree char *exported = g_build_filename (home, "rules.ics", NULL);
  g_autofree char *exported_again = g_build_filename (again, "rules.ics", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) reread = NULL;
  g_autoptr(GPtrArray) far = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) lines_again = NULL;

  /* Imported in February 2026, one occurrence deleted here, exported */
  g_free (import_in (home, NOW_2026, fixture));
  delete_event (home, PLANNING "_20260504T070000Z");
  stored = personal_events (home);
  lines = export_in (home, NOW_2026, exported, NULL, NULL);
  assert_series_master (lines);

  /* March alone: the whole rule still, with the overrides of March */
  g_strfreev (lines);
  lines = export_in (home, NOW_2026, exported, "2026-03-01", "2026-04-01");
  g_assert_true (has_line (lines, "RRULE:FREQ=WEEKLY;UNTIL=20281225T080000Z;BYDAY=MO"));
  g_assert_true (has_line (lines, "DTSTART;TZID=Europe/Berlin:20260105T090000"));
  g_assert_cmpuint (count_vevent_lines (lines, "UID:" PLANNING), ==, 3);
  g_assert_cmpuint (count_vevent_lines (lines, "RDATE"), ==, 0);

  g_strfreev (lines);
  lines = export_in (home, NOW_2026, exported, NULL, NULL);

  /* Read in the same window: the same instances (the deleted one stays
   * deleted, the overrides keep their times and titles); a second import
   * changes nothing; exported again, the same file */
  g_free (import_in (again, NOW_2026, exported));
  reread = personal_events (again);
  assert_same_instances (stored, reread);
  out = import_in (again, NOW_2026, exported);
  g_assert_true (g_str_has_prefix (out, "Imported 0 events (0 updated, "));
  lines_again = export_in (again, NOW_2026, exported_again, NULL, NULL);
  assert_same_but_dtstamp (lines, lines_again);

  /* Read two years later: the occurrences there, which the first window never held */
  g_free (import_in (later, NOW_2028, exported));
  far = personal_events (later);
  assert_two_years_later (far);

  calsync_test_remove_tree (home);
  calsync_test_remove_tree (later);
  calsync_test_remove_tree (again);
}

/* A weekly instance at 10:00 (or @hour) in Berlin on 2026-12-@day, lasting 30 minutes */
static CalsyncEvent *
tuesday (int         day,
         const char *recurrence)
{
  gint64 start = calsync_test_local_time ("Europe/Berlin", 2026, 12, day, 10, 0);
  g_autofree char *id = g_strdup_printf ("tue_202612%02dT090000Z", day);
  g_autofree char *original = g_strdup_printf ("2026-12-%02dT10:00:00+01:00", day);
  CalsyncEvent *event = calsync_test_timed_event (id, "Review", start, start + 1800, "Europe/Berlin");

  make_instance (event, "tue", original);
  calsync_event_set_recurrence (event, recurrence);
  return event;
}

static GPtrArray *
read_back (const char *text,
           gint64      from,
           gint64      to)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = calsync_ical_parse (text, -1, from, to, &error);

  g_assert_no_error (error);
  g_ptr_array_sort (events, compare_events);
  return events;
}

/* Google's lines have no DTSTART: the rule starts at the earliest instance,
 * in its zone, and lasts as long as it */
static void
test_rule_google_lines (void)
{
  const char *lines = "RRULE:FREQ=WEEKLY;BYDAY=TU\nEXDATE;TZID=Europe/Berlin:20261208T100000";
  g_autoptr(GPtrArray) events = event_list ();
  g_autoptr(GPtrArray) reread = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) unfolded = NULL;
  const char * const zones[] = { "Europe/Berlin", NULL };

  g_ptr_array_add (events, tuesday (15, lines));
  g_ptr_array_add (events, tuesday (1, lines));
  g_ptr_array_add (events, tuesday (22, lines));

  text = serialize (events);
  assert_layout (text);
  unfolded = unfold (text);
  assert_header (unfolded, 1);
  assert_zones (unfolded, zones);
  g_assert_true (has_line (unfolded, "DTSTART;TZID=Europe/Berlin:20261201T100000"));
  g_assert_true (has_line (unfolded, "DURATION:PT30M"));
  g_assert_true (has_line (unfolded, "RRULE:FREQ=WEEKLY;BYDAY=TU"));
  g_assert_true (has_line (unfolded, "EXDATE;TZID=Europe/Berlin:20261208T100000"));
  g_assert_true (has_line (unfolded, "SUMMARY:Review"));

  /* December to March: every Tuesday but the 8th, at 10:00 in Berlin */
  reread = read_back (text, calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 0, 0),
                      calsync_test_local_time ("Europe/Berlin", 2027, 3, 2, 0, 0));
  g_assert_cmpuint (reread->len, ==, 12);
  g_assert_cmpstr (calsync_event_get_external_id (g_ptr_array_index (reread, 11)), ==, "tue_20270223T090000Z");
  g_assert_cmpint (calsync_event_get_start (g_ptr_array_index (reread, 11)), ==,
                   calsync_test_local_time ("Europe/Berlin", 2027, 2, 23, 10, 0));
  g_assert_cmpstr (calsync_event_get_time_zone (g_ptr_array_index (reread, 11)), ==, "Europe/Berlin");
}

/* Definitions that cannot be written as they are: the instances are written
 * as their original starts, as for a series without one */
static void
test_rule_fallbacks (void)
{
  static const char * const definitions[] = {
    "",
    "RRULE:FREQ=WEEKLY;COUNT=10",                                  /* COUNT from an unknown start */
    "RRULE:FREQ=MONTHLY",                                          /* anchored, it misses instances */
    "RRULE:FREQ=BOGUS",
    "EXDATE;TZID=Europe/Berlin:20261208T100000",                   /* no RRULE, no RDATE */
    "DTSTART;TZID=Mars/Olympus_Mons:20261201T100000\nRRULE:FREQ=WEEKLY",
    "DTSTART:20261201T100000\nRRULE:FREQ=WEEKLY",                  /* floating */
    "DTSTART;VALUE=DATE:20261201\nRRULE:FREQ=WEEKLY",              /* dates for timed instances */
    "DTSTART:20261201T090000Z\nDTSTART:20261201T090000Z\nRRULE:FREQ=WEEKLY",
  };

  for (guint i = 0; i < G_N_ELEMENTS (definitions); i++)
    {
      g_autoptr(GPtrArray) events = event_list ();
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      g_test_message ("definition “%s”", definitions[i]);
      g_ptr_array_add (events, tuesday (1, definitions[i]));
      g_ptr_array_add (events, tuesday (15, definitions[i]));

      text = serialize (events);
      lines = unfold (text);
      assert_header (lines, 3);
      g_assert_cmpuint (count_vevent_lines (lines, "RRULE"), ==, 0);
      g_assert_true (has_line (lines, "RDATE;TZID=Europe/Berlin:20261215T100000"));
      g_assert_cmpuint (count_vevent_lines (lines, "RECURRENCE-ID"), ==, 2);
    }
}

static CalsyncEvent *
monday (int         week,
        const char *title)
{
  const char *definition = "DTSTART;TZID=Europe/Berlin:20261102T090000\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;BYDAY=MO";
  g_autoptr(GDateTime) first = g_date_time_new_utc (2026, 11, 30, 8, 0, 0);
  g_autoptr(GDateTime) utc = g_date_time_add_weeks (first, week);
  g_autofree char *id = g_date_time_format (utc, "mon_%Y%m%dT%H%M%SZ");
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, berlin);
  g_autofree char *original = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
  gint64 start = g_date_time_to_unix (utc);
  CalsyncEvent *event = calsync_test_timed_event (id, title, start, start + 3600, "Europe/Berlin");

  make_instance (event, "mon", original);
  calsync_event_set_location (event, "Room 4");
  calsync_event_set_recurrence (event, definition);
  return event;
}

/* The master carries what the instances made by the rule share; overrides
 * are the instances that differ; occurrences gone are EXDATEs */
static void
test_rule_overrides (void)
{
  g_autoptr(GPtrArray) events = event_list ();
  g_autoptr(GPtrArray) expected = event_list ();
  g_autoptr(GPtrArray) reread = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  CalsyncEvent *event;

  /* The first one was an override in the file it came from */
  event = monday (0, "Planning with guests");
  calsync_event_set_recurrence (event, "DTSTART;TZID=Europe/Berlin:20261102T090000\nDURATION:PT1H\n"
                                       "RRULE:FREQ=WEEKLY;BYDAY=MO\nRECURRENCE-ID;TZID=Europe/Berlin:20261130T090000");
  g_ptr_array_add (events, event);
  g_ptr_array_add (events, monday (1, "Planning"));
  event = monday (2, "Planning");
  calsync_event_set_status (event, CALSYNC_EVENT_STATUS_CANCELLED);
  g_ptr_array_add (events, event);
  /* week 3 deleted here */
  event = monday (4, "Planning");
  calsync_event_set_location (event, "Room 5");
  calsync_event_set_locally_modified (event, TRUE);
  g_ptr_array_add (events, event);
  event = monday (5, "Planning");
  calsync_event_set_times (event, calsync_event_get_start (event) + 3600, calsync_event_get_end (event) + 3600,
                           "Europe/Berlin");
  g_ptr_array_add (events, event);
  g_ptr_array_add (events, monday (6, "Planning"));

  text = serialize (events);
  lines = unfold (text);
  assert_header (lines, 4);
  g_assert_true (has_line (lines, "DTSTART;TZID=Europe/Berlin:20261102T090000"));
  g_assert_true (has_line (lines, "EXDATE;TZID=Europe/Berlin:20261214T090000"));
  g_assert_true (has_line (lines, "EXDATE;TZID=Europe/Berlin:20261221T090000"));
  g_assert_cmpuint (count_vevent_lines (lines, "EXDATE"), ==, 2);
  g_assert_true (has_line (lines, "RECURRENCE-ID;TZID=Europe/Berlin:20261130T090000"));
  g_assert_true (has_line (lines, "RECURRENCE-ID;TZID=Europe/Berlin:20261228T090000"));
  g_assert_true (has_line (lines, "RECURRENCE-ID;TZID=Europe/Berlin:20270104T090000"));
  g_assert_cmpuint (count_lines (lines, "SUMMARY:Planning with guests"), ==, 1);
  g_assert_cmpuint (count_lines (lines, "SUMMARY:Planning"), ==, 4);

  /* Read back over those weeks: exactly the instances not cancelled */
  for (guint i = 0; i < events->len; i++)
    if (calsync_event_get_status (g_ptr_array_index (events, i)) != CALSYNC_EVENT_STATUS_CANCELLED)
      g_ptr_array_add (expected, g_object_ref (g_ptr_array_index (events, i)));
  g_ptr_array_sort (expected, compare_events);
  reread = read_back (text, calsync_test_local_time ("Europe/Berlin", 2026, 11, 30, 0, 0),
                      calsync_test_local_time ("Europe/Berlin", 2027, 1, 12, 0, 0));
  assert_same_instances (expected, reread);
  for (guint i = 0; i < reread->len; i++)
    g_assert_cmpstr (calsync_event_get_location (g_ptr_array_index (reread, i)), ==,
                     calsync_event_get_location (g_ptr_array_index (expected, i)));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ical-export/serialize/kinds", test_serialize_kinds);
  g_test_add_func ("/ical-export/serialize/zones", test_serialize_zones);
  g_test_add_func ("/ical-export/serialize/empty", test_serialize_empty);
  g_test_add_func ("/ical-export/serialize/escaping", test_serialize_escaping);
  g_test_add_func ("/ical-export/serialize/folding", test_serialize_folding);
  g_test_add_func ("/ical-export/serialize/fold-lengths", test_serialize_fold_lengths);
  g_test_add_func ("/ical-export/serialize/attendees", test_serialize_attendees);
  g_test_add_func ("/ical-export/serialize/sparse", test_serialize_sparse);
  g_test_add_func ("/ical-export/write-file", test_write_file);
  ADD ("/ical-export/cli/personal", test_cli_personal);
  ADD ("/ical-export/cli/calendar", test_cli_calendar);
  ADD ("/ical-export/cli/range", test_cli_range);
  ADD ("/ical-export/cli/bad-usage", test_cli_bad_usage);
  ADD ("/ical-export/cli/atomic", test_cli_atomic);
  ADD ("/ical-export/cli/stdout", test_cli_stdout);
  ADD ("/ical-export/round-trip", test_round_trip);
  g_test_add_func ("/ical-export/rule/round-trip", test_rule_round_trip);
  g_test_add_func ("/ical-export/rule/google-lines", test_rule_google_lines);
  g_test_add_func ("/ical-export/rule/fallbacks", test_rule_fallbacks);
  g_test_add_func ("/ical-export/rule/overrides", test_rule_overrides);

  return g_test_run ();
}
