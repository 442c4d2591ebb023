/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google-generate.c: generated calendars for the fake Google —
 * simple events (generate_events) and, for benchmarks, weekly series listed as
 * their instances with resources as full as Google's (generate_series). */
#define G_LOG_DOMAIN "calsync-fake-google"

#include "config.h"

#include <string.h>

#include "calsync-fake-google-private.h"

static const char * const generated_titles[] = {
  "Team standup", "Call with Anna", "Project deadline", "Dentist", "Lunch with Ben",
  "Sprint planning", "Pay rent", "Yoga", "Quarterly review", "Flight to Berlin",
  "Besprechung Vertrieb", "Code review", "Coffee", "Interview: backend engineer",
};

static JsonObject *
generated_when (gint64   start,
                gboolean all_day)
{
  JsonObject *when = json_object_new ();
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (start);
  g_autofree char *text = g_date_time_format (dt, all_day ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ");

  json_object_set_string_member (when, all_day ? "date" : "dateTime", text);
  if (!all_day)
    json_object_set_string_member (when, "timeZone", "Europe/Berlin");
  return when;
}

static JsonArray *
generated_attendees (guint i)
{
  JsonArray *attendees = json_array_new ();
  static const char * const responses[] = { "accepted", "tentative", "needsAction", "declined" };

  for (guint a = 0; a < 3; a++)
    {
      JsonObject *attendee = json_object_new ();
      g_autofree char *email = g_strdup_printf ("person%u@example.com", (i + a) % 50);

      json_object_set_string_member (attendee, "email", email);
      json_object_set_string_member (attendee, "displayName", email);
      json_object_set_string_member (attendee, "responseStatus", responses[(i + a) % 4]);
      if (a == 0)
        json_object_set_boolean_member (attendee, "organizer", TRUE);
      json_array_add_object_element (attendees, attendee);
    }

  return attendees;
}

static JsonObject *
generated_event (const char *calendar_id,
                 guint       i,
                 gint64      start,
                 gboolean    all_day)
{
  JsonObject *object = json_object_new ();
  g_autofree char *id = g_strdup_printf ("gen%x%u", g_str_hash (calendar_id), i);
  gint64 end = all_day ? start + 86400 : start + 1800 * (1 + i % 3);

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "summary", generated_titles[i % G_N_ELEMENTS (generated_titles)]);
  json_object_set_string_member (object, "description", i % 4 ? "Agenda in the shared document." : "");
  json_object_set_string_member (object, "location", i % 5 ? "Room 4.12" : "");
  json_object_set_string_member (object, "htmlLink", "https://www.google.com/calendar/event?eid=x");
  json_object_set_object_member (object, "start", generated_when (start, all_day));
  json_object_set_object_member (object, "end", generated_when (end, all_day));
  json_object_set_string_member (object, "iCalUID", id);
  json_object_set_int_member (object, "sequence", 0);
  if (i % 3 == 0)
    json_object_set_array_member (object, "attendees", generated_attendees (i));
  if (i % 6 == 0)
    json_object_set_string_member (object, "hangoutLink", "https://meet.google.com/abc-defg-hij");
  return object;
}

/**
 * calsync_fake_google_generate_events:
 *
 * Adds @n events between 90 days before and 365 days after @now (unix seconds):
 * one in seven all-day, a third with attendees, a sixth with a Meet link.
 */
void
calsync_fake_google_generate_events (CalsyncFakeGoogle *self,
                                     const char        *calendar_id,
                                     guint              n,
                                     gint64             now)
{
  FakeCalendar *calendar;
  gint64 first = now - 90 * 86400;
  gint64 span = 455 * 86400;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  calendar = calsync_fake_google_ensure_calendar (self, calendar_id);
  for (guint i = 0; i < n; i++)
    {
      guint index = g_hash_table_size (calendar->events);
      gboolean all_day = index % 7 == 0;
      gint64 start = first + (span / MAX (n, 1)) * i;
      g_autoptr(JsonObject) object = NULL;

      start = all_day ? start - start % 86400 : start - start % 900;
      object = generated_event (calendar_id, index, start, all_day);
      calsync_fake_google_store_event (self, calendar, object, NULL, NULL);
    }
}

/* Weekly series ------------------------------------------------------------------- */

#define SERIES_EVERY 40          /* one event in 40 is a weekly series… */
#define SERIES_MIN_WEEKS 8       /* …of 8 to 16 instances */
#define SERIES_EXTRA_WEEKS 9
#define ZONE "Europe/Berlin"

static const char * const descriptions[] = {
  "Agenda:\n1. Status of the release\n2. Open questions from last week\n3. Anything else\n\n"
  "Notes go into the shared document; please read the draft before the meeting.",
  "Bring the signed forms. The entrance is round the back, second floor; ring twice.",
  "Weekly sync of the platform team. If you cannot join, post your update in the channel "
  "before 10:00 so that we can skip you.",
};

/* An EventDateTime in Europe/Berlin, with the offset of the day as Google writes it */
static JsonObject *
series_when (GTimeZone *zone,
             gint64     unix_time)
{
  JsonObject *when = json_object_new ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);
  g_autofree char *text = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");

  json_object_set_string_member (when, "dateTime", text);
  json_object_set_string_member (when, "timeZone", ZONE);
  return when;
}

static JsonObject *
person (const char *email,
        const char *name,
        gboolean    self)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "email", email);
  if (name != NULL)
    json_object_set_string_member (object, "displayName", name);
  if (self)
    json_object_set_boolean_member (object, "self", TRUE);
  return object;
}

static JsonObject *
reminders (guint i)
{
  JsonObject *object = json_object_new ();
  JsonArray *overrides;
  JsonObject *popup;

  json_object_set_boolean_member (object, "useDefault", i % 4 != 0);
  if (i % 4 != 0)
    return object;

  overrides = json_array_new ();
  popup = json_object_new ();
  json_object_set_string_member (popup, "method", "popup");
  json_object_set_int_member (popup, "minutes", 10 + 5 * (i % 3));
  json_array_add_object_element (overrides, popup);
  json_object_set_array_member (object, "overrides", overrides);
  return object;
}

static JsonObject *
entry_point (const char *type,
             const char *uri,
             const char *label)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "entryPointType", type);
  json_object_set_string_member (object, "uri", uri);
  json_object_set_string_member (object, "label", label);
  return object;
}

/* Google Meet, as events carry it: entry points, the solution, the id */
static JsonObject *
conference_data (void)
{
  JsonObject *object = json_object_new ();
  JsonObject *solution = json_object_new ();
  JsonObject *key = json_object_new ();
  JsonArray *entry_points = json_array_new ();

  json_array_add_object_element (entry_points, entry_point ("video", "https://meet.google.com/abc-defg-hij",
                                                            "meet.google.com/abc-defg-hij"));
  json_array_add_object_element (entry_points, entry_point ("phone", "tel:+49-30-123456789",
                                                            "+49 30 123456789"));
  json_object_set_array_member (object, "entryPoints", entry_points);
  json_object_set_string_member (key, "type", "hangoutsMeet");
  json_object_set_object_member (solution, "key", key);
  json_object_set_string_member (solution, "name", "Google Meet");
  json_object_set_string_member (solution, "iconUri",
                                 "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/"
                                 "logo_meet_2020q4_color_2x_web_512dp.png");
  json_object_set_object_member (object, "conferenceSolution", solution);
  json_object_set_string_member (object, "conferenceId", "abc-defg-hij");
  return object;
}

static const char * const people[] = {
  "Anna Schmidt", "Ben Okafor", "Chloé Martin", "David Kowalski", "Emma Johansson", "Farid Haddad",
  "Grace Lee", "Hiroshi Tanaka", "Inés García", "Jonas Weber",
};

/* 3 to 9 guests as Google lists them: the organizer, this calendar's owner (self), others */
static JsonArray *
series_attendees (const char *calendar_id,
                  guint       i)
{
  static const char * const responses[] = { "accepted", "tentative", "needsAction", "declined" };
  JsonArray *attendees = json_array_new ();
  guint n = 3 + i % 7;

  for (guint a = 0; a < n; a++)
    {
      const char *name = people[(i + a) % G_N_ELEMENTS (people)];
      g_autofree char *email = g_strdup_printf ("%.*s@example.com", (int) strcspn (name, " "), name);
      JsonObject *attendee = a == 1 ? person (calendar_id, NULL, TRUE) : person (email, name, FALSE);

      json_object_set_string_member (attendee, "responseStatus", a == 0 ? "accepted" : responses[(i + a) % 4]);
      if (a == 0)
        json_object_set_boolean_member (attendee, "organizer", TRUE);
      if (a > 1 && (i + a) % 5 == 0)
        json_object_set_boolean_member (attendee, "optional", TRUE);
      json_array_add_object_element (attendees, attendee);
    }

  return attendees;
}

/* What every generated resource has, for event @i of @calendar_id */
static void
set_common (JsonObject *object,
            const char *calendar_id,
            const char *id,
            const char *uid,
            guint       i)
{
  g_autofree char *eid_raw = g_strdup_printf ("%s %s", id, calendar_id);
  g_autofree char *eid = g_base64_encode ((const guchar *) eid_raw, strlen (eid_raw));
  g_autofree char *link = g_strdup_printf ("https://www.google.com/calendar/event?eid=%s", eid);
  g_autofree char *ical_uid = g_strdup_printf ("%s@google.com", uid);
  const char *organizer = i % 5 == 0 ? "person7@example.com" : calendar_id;

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "status", "confirmed");
  json_object_set_string_member (object, "htmlLink", link);
  json_object_set_string_member (object, "created", "2025-11-03T09:12:44.000Z");
  json_object_set_string_member (object, "summary", generated_titles[i % G_N_ELEMENTS (generated_titles)]);
  if (i % 2 == 0)
    json_object_set_string_member (object, "description", descriptions[i % G_N_ELEMENTS (descriptions)]);
  if (i % 5 != 0)
    json_object_set_string_member (object, "location", "Room 4.12, Friedrichstraße 68, 10117 Berlin");
  json_object_set_object_member (object, "creator", person (organizer, NULL, i % 5 != 0));
  json_object_set_object_member (object, "organizer", person (organizer, i % 5 == 0 ? "Person 7" : NULL,
                                                              i % 5 != 0));
  json_object_set_string_member (object, "iCalUID", ical_uid);
  json_object_set_int_member (object, "sequence", i % 3);
  json_object_set_object_member (object, "reminders", reminders (i));
  json_object_set_string_member (object, "eventType", "default");
  if (i % 3 != 0)
    {
      json_object_set_array_member (object, "attendees", series_attendees (calendar_id, i));
      json_object_set_boolean_member (object, "guestsCanModify", i % 4 == 0);
    }
  if (i % 6 == 0)
    {
      json_object_set_string_member (object, "hangoutLink", "https://meet.google.com/abc-defg-hij");
      json_object_set_object_member (object, "conferenceData", conference_data ());
    }
}

/* Adds the instances of a weekly series (event @i) starting at @start; returns their number */
static guint
add_series (CalsyncFakeGoogle *self,
            FakeCalendar      *calendar,
            GTimeZone         *zone,
            guint              i,
            gint64             start)
{
  g_autofree char *base = g_strdup_printf ("ser%x%u", g_str_hash (calendar->id), i);
  guint weeks = SERIES_MIN_WEEKS + i % SERIES_EXTRA_WEEKS;

  for (guint w = 0; w < weeks; w++)
    {
      gint64 when = start + (gint64) w * 7 * 86400;
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (when);
      g_autofree char *stamp = g_date_time_format (dt, "%Y%m%dT%H%M%SZ");
      g_autofree char *id = g_strconcat (base, "_", stamp, NULL);
      g_autoptr(JsonObject) object = json_object_new ();

      set_common (object, calendar->id, id, base, i);
      json_object_set_object_member (object, "start", series_when (zone, when));
      json_object_set_object_member (object, "end", series_when (zone, when + 1800 * (1 + i % 3)));
      json_object_set_string_member (object, "recurringEventId", base);
      json_object_set_object_member (object, "originalStartTime", series_when (zone, when));
      calsync_fake_google_store_event (self, calendar, object, NULL, NULL);
    }

  return weeks;
}

static void
add_single (CalsyncFakeGoogle *self,
            FakeCalendar      *calendar,
            GTimeZone         *zone,
            guint              i,
            gint64             start)
{
  g_autofree char *id = g_strdup_printf ("evt%x%u", g_str_hash (calendar->id), i);
  g_autoptr(JsonObject) object = json_object_new ();
  gboolean all_day = i % 7 == 0;

  set_common (object, calendar->id, id, id, i);
  if (all_day)
    {
      json_object_set_object_member (object, "start", generated_when (start - start % 86400, TRUE));
      json_object_set_object_member (object, "end", generated_when (start - start % 86400 + 86400, TRUE));
      json_object_set_string_member (object, "transparency", "transparent");
    }
  else
    {
      json_object_set_object_member (object, "start", series_when (zone, start));
      json_object_set_object_member (object, "end", series_when (zone, start + 1800 * (1 + i % 3)));
    }
  calsync_fake_google_store_event (self, calendar, object, NULL, NULL);
}

guint
calsync_fake_google_generate_series (CalsyncFakeGoogle *self,
                                     const char        *calendar_id,
                                     guint              n,
                                     gint64             now)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (ZONE);
  FakeCalendar *calendar;
  gint64 first = now - 90 * 86400;
  gint64 span = 455 * 86400;
  guint n_instances = 0;

  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), 0);
  g_return_val_if_fail (zone != NULL, 0);

  calendar = calsync_fake_google_ensure_calendar (self, calendar_id);
  for (guint i = 0; i < n; i++)
    {
      gint64 start = first + (span / MAX (n, 1)) * i;

      start -= start % 900;
      if (i % SERIES_EVERY == 1)
        n_instances += add_series (self, calendar, zone, i, start);
      else
        {
          add_single (self, calendar, zone, i, start);
          n_instances++;
        }
    }

  return n_instances;
}
