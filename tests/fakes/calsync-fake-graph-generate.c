/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph-generate.c: generated calendars for the fake Graph, for
 * benchmarks — single instances and weekly series listed as their occurrences,
 * with the weight of real Graph events: ids of about 150 characters (repeated
 * in seriesMasterId and, URL-encoded, in webLink), Exchange iCalUIds, HTML
 * bodies as Outlook writes them (a Word style block on some, a Teams invitation on
 * meetings), bodyPreview, attendee objects with status, location objects. The
 * same events as calsync_fake_google_generate_series() (titles, times, one in
 * 40 a series), so the two fakes' sizes compare. */
#define G_LOG_DOMAIN "calsync-fake-graph"

#include "config.h"

#include <string.h>

#include "calsync-fake-graph-private.h"

#define SERIES_EVERY 40          /* one event in 40 is a weekly series… */
#define SERIES_MIN_WEEKS 8       /* …of 8 to 16 occurrences */
#define SERIES_EXTRA_WEEKS 9
#define WINDOWS_ZONE "W. Europe Standard Time"
#define DOMAIN "contoso.com"

static const char * const titles[] = {
  "Team standup", "Call with Anna", "Project deadline", "Dentist", "Lunch with Ben",
  "Sprint planning", "Pay rent", "Yoga", "Quarterly review", "Flight to Berlin",
  "Besprechung Vertrieb", "Code review", "Coffee", "Interview: backend engineer",
};

static const char * const descriptions[] = {
  "Agenda: 1. Status of the release 2. Open questions from last week 3. Anything else. "
  "Notes go into the shared document; please read the draft before the meeting.",
  "Bring the signed forms. The entrance is round the back, second floor; ring twice.",
  "Weekly sync of the platform team. If you cannot join, post your update in the channel "
  "before 10:00 so that we can skip you.",
};

static const char * const people[] = {
  "Anna Schmidt", "Ben Okafor", "Chloé Martin", "David Kowalski", "Emma Johansson", "Farid Haddad",
  "Grace Lee", "Hiroshi Tanaka", "Inés García", "Jonas Weber",
};

/* What Outlook on the web and the mobile apps put before a body */
static const char html_head_short[] =
  "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n"
  "<body>\r\n<div>\r\n";

/* What Outlook desktop (Word) puts before one */
static const char html_head[] =
  "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n"
  "<meta name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\">\r\n<style><!--\r\n"
  "/* Font Definitions */\r\n@font-face\r\n\t{font-family:\"Cambria Math\";\r\n\tpanose-1:2 4 5 3 5 4 6 3 2 4;}\r\n"
  "@font-face\r\n\t{font-family:Calibri;\r\n\tpanose-1:2 15 5 2 2 2 4 3 2 4;}\r\n/* Style Definitions */\r\n"
  "p.MsoNormal, li.MsoNormal, div.MsoNormal\r\n\t{margin:0cm;\r\n\tfont-size:11.0pt;\r\n\tfont-family:\"Calibri\",sans-serif;\r\n"
  "\tmso-ligatures:standardcontextual;\r\n\tmso-fareast-language:EN-US;}\r\na:link, span.MsoHyperlink\r\n\t{mso-style-priority:99;\r\n"
  "\tcolor:#0563C1;\r\n\ttext-decoration:underline;}\r\nspan.EmailStyle17\r\n\t{mso-style-type:personal-compose;\r\n"
  "\tfont-family:\"Calibri\",sans-serif;\r\n\tcolor:windowtext;}\r\n.MsoChpDefault\r\n\t{mso-style-type:export-only;\r\n"
  "\tfont-size:10.0pt;\r\n\tmso-ligatures:none;}\r\n@page WordSection1\r\n\t{size:612.0pt 792.0pt;\r\n"
  "\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}\r\ndiv.WordSection1\r\n\t{page:WordSection1;}\r\n--></style>\r\n</head>\r\n"
  "<body lang=\"EN-US\" link=\"#0563C1\" vlink=\"#954F72\" style=\"word-wrap:break-word\">\r\n<div class=\"WordSection1\">\r\n";

/* Deterministic bytes for ids: SHA-256 of @seed, chained */
static void
fill_bytes (guint8     *bytes,
            gsize       size,
            const char *seed)
{
  g_autofree char *chain = g_strdup (seed);

  for (gsize done = 0; done < size; done += 32)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize length = sizeof digest;

      g_checksum_update (checksum, (const guchar *) chain, -1);
      g_checksum_get_digest (checksum, digest, &length);
      memcpy (bytes + done, digest, MIN (32, size - done));
      g_free (chain);
      chain = g_strdup (g_checksum_get_string (checksum));
    }
}

/* An Exchange item id: "AAMkAD…=" (base64url with padding), 152 characters */
static char *
graph_id (const char *seed)
{
  guint8 bytes[110] = { 0 };
  char *text;

  fill_bytes (bytes + 4, sizeof bytes - 4, seed);
  memcpy (bytes, "\x00\x03\x24\x00", 4);
  text = g_base64_encode (bytes, sizeof bytes);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  return text;
}

/* Exchange's iCalUId: the Outlook GUID prefix and a per-series part */
static char *
ical_uid (const char *seed)
{
  guint8 bytes[16];
  g_autoptr(GString) hex = g_string_new ("040000008200E00074C5B7101A82E00800000000");

  fill_bytes (bytes, sizeof bytes, seed);
  for (guint i = 0; i < 8; i++)
    g_string_append_printf (hex, "%02X", bytes[i]);
  g_string_append (hex, "000000000000000010000000");
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02X", bytes[i] ^ 0x5a);
  return g_strdup (hex->str);
}

static JsonObject *
email_address (const char *name,
               const char *address)
{
  JsonObject *object = json_object_new ();
  JsonObject *email = json_object_new ();

  json_object_set_string_member (email, "name", name);
  json_object_set_string_member (email, "address", address);
  json_object_set_object_member (object, "emailAddress", email);
  return object;
}

static char *
person_address (const char *name)
{
  g_autofree char *lower = g_utf8_strdown (name, -1);
  g_autofree char *ascii = g_str_to_ascii (lower, "C");

  g_strdelimit (ascii, " ", '.');
  return g_strconcat (ascii, "@" DOMAIN, NULL);
}

/* 2 to 6 attendees: the organizer's own entry first, then the others */
static JsonArray *
attendees (guint i)
{
  static const char * const responses[] = { "accepted", "tentativelyAccepted", "none", "declined" };
  JsonArray *array = json_array_new ();
  guint n = 2 + i % 5;

  for (guint a = 0; a < n; a++)
    {
      const char *name = people[(i + a) % G_N_ELEMENTS (people)];
      g_autofree char *address = person_address (name);
      JsonObject *attendee = email_address (name, address);
      JsonObject *status = json_object_new ();
      const char *response = a == 0 ? "accepted" : responses[(i + a) % 4];

      json_object_set_string_member (attendee, "type", a > 1 && (i + a) % 5 == 0 ? "optional" : "required");
      json_object_set_string_member (status, "response", response);
      json_object_set_string_member (status, "time", g_str_equal (response, "none") ? "0001-01-01T00:00:00Z"
                                                                                     : "2025-11-03T09:20:11Z");
      json_object_set_object_member (attendee, "status", status);
      json_array_add_object_element (array, attendee);
    }
  return array;
}

static char *
teams_join_url (const char *seed)
{
  g_autofree char *id = graph_id (seed);

  return g_strdup_printf ("https://teams.microsoft.com/l/meetup-join/19%%3ameeting_%.48s%%40thread.v2/0?context="
                          "%%7b%%22Tid%%22%%3a%%2272f988bf-86f1-41af-91ab-2d7cd011db47%%22%%2c%%22Oid%%22%%3a"
                          "%%2251dc0d71-bf59-44a7-b5a2-3df2b96c1a6e%%22%%7d", id + 20);
}

/* The invitation block Teams appends to a meeting's body */
static void
append_teams_block (GString    *html,
                    const char *join_url)
{
  g_string_append (html, "<div style=\"max-width:520px\"><div style=\"margin-bottom:24px; overflow:hidden; "
                         "white-space:nowrap\">________________________________________________________________"
                         "________________</div><div style=\"margin-bottom:12px\"><span style=\"font-size:24px; "
                         "font-weight:700; margin-right:12px\">Microsoft Teams meeting</span></div><div style=\""
                         "margin-bottom:6px\"><span style=\"font-size:20px; font-weight:600\">Join: </span><a href=\"");
  g_string_append (html, join_url);
  g_string_append (html, "\" style=\"font-size:20px; font-weight:600; text-decoration:underline; color:#5B5FC7\">"
                         "Click here to join the meeting</a></div><div style=\"margin-bottom:24px\"><span style=\""
                         "font-size:14px\">Meeting ID: </span><span style=\"font-size:16px\">371 836 505 622</span>"
                         "<br><span style=\"font-size:14px\">Passcode: </span><span style=\"font-size:16px\">"
                         "y7Vj9L</span></div><div style=\"margin-bottom:24px; max-height:1px; overflow:hidden\">"
                         "<hr></div><div><span style=\"font-size:14px\">Need help? </span><a href=\"https://aka.ms"
                         "/JoinTeamsMeeting?omkt=en-US\" style=\"font-size:14px; text-decoration:underline\">"
                         "Join on the web</a> | <a href=\"https://teams.microsoft.com/meetingOptions/?organizerId="
                         "51dc0d71-bf59-44a7-b5a2-3df2b96c1a6e&amp;tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47"
                         "&amp;threadId=19_meeting&amp;messageId=0&amp;language=en-US\" style=\"font-size:14px; "
                         "text-decoration:underline\">Meeting options</a></div><div style=\"margin-top:24px; "
                         "overflow:hidden; white-space:nowrap\">_____________________________________________"
                         "___________________________________</div></div>\r\n");
}

static void
set_body (JsonObject *object,
          guint       i,
          const char *join_url)
{
  JsonObject *body = json_object_new ();
  GString *html = g_string_new (i % 12 == 3 ? html_head : html_head_short);
  GString *preview = g_string_new (NULL);

  if (i % 2 == 0)
    {
      g_string_append_printf (html, "<p class=\"MsoNormal\">%s<o:p></o:p></p>\r\n",
                              descriptions[i % G_N_ELEMENTS (descriptions)]);
      g_string_append (preview, descriptions[i % G_N_ELEMENTS (descriptions)]);
    }
  g_string_append (html, "<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>\r\n");
  if (join_url != NULL)
    {
      append_teams_block (html, join_url);
      g_string_append_printf (preview, "%s________________________________________________________________________"
                                       "________ Microsoft Teams meeting Join: Click here to join the meeting "
                                       "Meeting ID: 371 836 505 622 Passcode: y7Vj9L", preview->len ? " " : "");
    }
  g_string_append (html, "</div>\r\n</body>\r\n</html>\r\n");
  g_string_truncate (preview, MIN (preview->len, 255));

  json_object_set_string_member (body, "contentType", "html");
  json_object_set_string_member (body, "content", html->str);
  json_object_set_object_member (object, "body", body);
  json_object_set_string_member (object, "bodyPreview", preview->str);
  g_string_free (html, TRUE);
  g_string_free (preview, TRUE);
}

static JsonObject *
location (guint i)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "displayName", i % 5 ? "Room 4.12, Friedrichstraße 68, Berlin" : "");
  json_object_set_string_member (object, "locationType", "default");
  json_object_set_string_member (object, "uniqueId", i % 5 ? "Room 4.12, Friedrichstraße 68, Berlin" : "");
  json_object_set_string_member (object, "uniqueIdType", i % 5 ? "private" : "unknown");
  return object;
}

static JsonObject *
utc_when (gint64 unix_time)
{
  JsonObject *when = json_object_new ();
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);
  g_autofree char *text = calsync_fake_graph_format_local (dt);

  json_object_set_string_member (when, "dateTime", text);
  json_object_set_string_member (when, "timeZone", "UTC");
  return when;
}

/* What every generated instance has, for event @i with id @id */
static JsonObject *
common_event (const char *id,
              const char *uid_seed,
              guint       i)
{
  JsonObject *object = json_object_new ();
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *link = g_strdup_printf ("https://outlook.office365.com/owa/?itemid=%s&exvsurl=1&path=/calendar/item",
                                           escaped);
  g_autofree char *uid = ical_uid (uid_seed);
  g_autofree char *join_url = i % 6 == 0 ? teams_join_url (uid_seed) : NULL;
  gboolean organizer = i % 5 != 0;
  const char *organizer_name = organizer ? "Fake User" : people[7];
  g_autofree char *organizer_address = organizer ? g_strdup ("user@" DOMAIN) : person_address (people[7]);
  JsonObject *response = json_object_new ();

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "createdDateTime", "2025-11-03T09:12:44.6523319Z");
  json_object_set_array_member (object, "categories", json_array_new ());
  json_object_set_null_member (object, "transactionId");
  json_object_set_string_member (object, "originalStartTimeZone", WINDOWS_ZONE);
  json_object_set_string_member (object, "originalEndTimeZone", WINDOWS_ZONE);
  json_object_set_string_member (object, "iCalUId", uid);
  json_object_set_int_member (object, "reminderMinutesBeforeStart", 15);
  json_object_set_boolean_member (object, "isReminderOn", TRUE);
  json_object_set_boolean_member (object, "hasAttachments", FALSE);
  json_object_set_string_member (object, "subject", titles[i % G_N_ELEMENTS (titles)]);
  json_object_set_string_member (object, "importance", "normal");
  json_object_set_string_member (object, "sensitivity", "normal");
  json_object_set_boolean_member (object, "isOrganizer", organizer);
  json_object_set_boolean_member (object, "responseRequested", TRUE);
  json_object_set_string_member (object, "showAs", "busy");
  json_object_set_string_member (object, "webLink", link);
  json_object_set_null_member (object, "onlineMeetingUrl");
  json_object_set_boolean_member (object, "isOnlineMeeting", join_url != NULL);
  json_object_set_string_member (object, "onlineMeetingProvider", join_url ? "teamsForBusiness" : "unknown");
  json_object_set_boolean_member (object, "allowNewTimeProposals", TRUE);
  json_object_set_boolean_member (object, "isDraft", FALSE);
  json_object_set_boolean_member (object, "hideAttendees", FALSE);
  json_object_set_string_member (response, "response", organizer ? "organizer" : "accepted");
  json_object_set_string_member (response, "time", organizer ? "0001-01-01T00:00:00Z" : "2025-11-03T09:20:11Z");
  json_object_set_object_member (object, "responseStatus", response);
  set_body (object, i, join_url);
  json_object_set_object_member (object, "location", location (i));
  json_object_set_array_member (object, "locations", json_array_new ());
  json_object_set_null_member (object, "recurrence");
  json_object_set_array_member (object, "attendees", i % 3 ? attendees (i) : json_array_new ());
  json_object_set_object_member (object, "organizer", email_address (organizer_name, organizer_address));
  if (join_url != NULL)
    {
      JsonObject *meeting = json_object_new ();

      json_object_set_string_member (meeting, "joinUrl", join_url);
      json_object_set_object_member (object, "onlineMeeting", meeting);
    }
  else
    json_object_set_null_member (object, "onlineMeeting");
  return object;
}

/* Occurrences of a weekly series (event @i) from @start, cut at @end_w; the
 * third one an exception an hour later. Returns how many were added. */
static guint
add_series (CalsyncFakeGraph *self,
            FakeCalendar     *calendar,
            guint             i,
            gint64            start,
            gint64            end_w)
{
  g_autofree char *seed = g_strdup_printf ("%s/series/%u", calendar->id, i);
  g_autofree char *master_id = graph_id (seed);
  guint weeks = SERIES_MIN_WEEKS + i % SERIES_EXTRA_WEEKS;
  guint added = 0;

  for (guint w = 0; w < weeks; w++)
    {
      gint64 original = start + (gint64) w * 7 * 86400;
      gint64 when = w == 2 ? original + 3600 : original;
      g_autofree char *instance_seed = g_strdup_printf ("%s/%u", seed, w);
      g_autofree char *id = graph_id (instance_seed);
      g_autoptr(GDateTime) original_dt = g_date_time_new_from_unix_utc (original);
      g_autofree char *original_text = g_date_time_format (original_dt, "%Y-%m-%dT%H:%M:%SZ");
      JsonObject *object;

      if (when >= end_w)
        break;
      object = common_event (id, seed, i);
      json_object_set_string_member (object, "type", w == 2 ? "exception" : "occurrence");
      json_object_set_string_member (object, "seriesMasterId", master_id);
      json_object_set_string_member (object, "originalStart", original_text);
      json_object_set_object_member (object, "start", utc_when (when));
      json_object_set_object_member (object, "end", utc_when (when + 1800 * (1 + i % 3)));
      json_object_set_boolean_member (object, "isAllDay", FALSE);
      if (calsync_fake_graph_store_event (self, calendar, object))
        added++;
    }
  return added;
}

/* A single instance; one in seven all-day (midnight to midnight, Berlin dates) */
static gboolean
add_single (CalsyncFakeGraph *self,
            FakeCalendar     *calendar,
            guint             i,
            gint64            start)
{
  g_autofree char *seed = g_strdup_printf ("%s/single/%u", calendar->id, i);
  g_autofree char *id = graph_id (seed);
  JsonObject *object = common_event (id, seed, i);
  gboolean all_day = i % 7 == 0;
  gint64 day = start - start % 86400;

  json_object_set_string_member (object, "type", "singleInstance");
  json_object_set_null_member (object, "seriesMasterId");
  json_object_set_boolean_member (object, "isAllDay", all_day);
  json_object_set_object_member (object, "start", utc_when (all_day ? day : start));
  json_object_set_object_member (object, "end", utc_when (all_day ? day + 86400 : start + 1800 * (1 + i % 3)));
  if (all_day)
    json_object_set_string_member (object, "showAs", "free");
  return calsync_fake_graph_store_event (self, calendar, object);
}

guint
calsync_fake_graph_generate_series (CalsyncFakeGraph *self,
                                    const char       *calendar_id,
                                    guint             n_events,
                                    gint64            now)
{
  FakeCalendar *calendar;
  gint64 first = now - 90 * 86400;
  gint64 end_w = now + 365 * 86400;
  gint64 span = 455 * 86400;
  guint n_instances = 0;

  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), 0);
  g_return_val_if_fail (calendar_id != NULL, 0);

  calendar = calsync_fake_graph_ensure_calendar (self, calendar_id);
  for (guint i = 0; i < n_events; i++)
    {
      gint64 start = first + (span / MAX (n_events, 1)) * i;

      start -= start % 900;
      if (i % SERIES_EVERY == 1)
        n_instances += add_series (self, calendar, i, start, end_w);
      else
        n_instances += add_single (self, calendar, i, start);
    }
  return n_instances;
}
