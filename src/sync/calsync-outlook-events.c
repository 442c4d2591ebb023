/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-outlook-events.c: a page of Microsoft Graph's calendarView/delta
 * answer (event resources, @removed entries, @odata.nextLink or
 * @odata.deltaLink) to a CalsyncPage, read with the JSON scanner in a worker
 * thread. An event that cannot be read is skipped and counted; the rest of
 * the page is kept. Field sizes are capped while reading.
 *
 * Where Graph's documentation leaves room:
 * - all-day events (isAllDay) take the date part of start/end dateTime exactly
 *   as sent (end exclusive), never converted through a zone;
 * - the event's own zone is originalStartTimeZone (Windows names mapped to
 *   IANA); a zone CalSync cannot name ("tzone://Microsoft/Custom", a legacy
 *   zone of desktop Outlook) falls back to the zone of start, else UTC — the
 *   instants stay right, only the zone shown differs;
 * - showAs "tentative" makes the event tentative; isCancelled cancels it;
 * - attendees' status.response maps to the agenda's words (accepted,
 *   declined, tentative, needsAction); the organizer is flagged, and added
 *   when the event has attendees but does not list them. */
#define G_LOG_DOMAIN "calsync-outlook-provider"

#include "config.h"

#include <string.h>

#include "calsync-classifier.h"
#include "calsync-date-utils.h"
#include "calsync-html-text.h"
#include "calsync-json-scanner.h"
#include "calsync-outlook-private.h"
#include "calsync-text.h"
#include "calsync-windows-zones.h"

#define MAX_ATTENDEES 1000
#define MAX_SMALL     256       /* zone names, dates, types, etags */
#define MAX_LINK      (64 * 1024)

typedef struct
{
  char *email;
  char *name;
  char *response;
} Attendee;

static void
attendee_clear (Attendee *attendee)
{
  g_free (attendee->email);
  g_free (attendee->name);
  g_free (attendee->response);
}

enum { DATE_TIME, TIME_ZONE };

/* The parts of an event resource CalSync reads */
typedef struct
{
  char *id;
  char *etag;
  char *subject;
  char *body;
  char *body_type;
  char *location;
  char *start[2];
  char *end[2];
  char *original_start;
  char *original_zone;
  char *type;
  char *series_master_id;
  char *show_as;
  char *last_modified;
  char *join_url;
  char *online_meeting_url;
  char *organizer_email;
  char *organizer_name;
  GArray *attendees;            /* Attendee */
  gboolean has_start;
  gboolean all_day;
  gboolean cancelled;
  gboolean removed;
  gboolean readable;
} Item;

static void
item_clear (Item *item)
{
  char **strings[] = {
    &item->id, &item->etag, &item->subject, &item->body, &item->body_type, &item->location,
    &item->start[0], &item->start[1], &item->end[0], &item->end[1], &item->original_start,
    &item->original_zone, &item->type, &item->series_master_id, &item->show_as,
    &item->last_modified, &item->join_url, &item->online_meeting_url, &item->organizer_email,
    &item->organizer_name,
  };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);
  g_clear_pointer (&item->attendees, g_array_unref);
  memset (item, 0, sizeof *item);
}

/* Zones, and what a page looks up once --------------------------------------------------- */

/* What one page looks up once: loading a zone by name reads tzdata, a Windows
 * name is looked up in a table of a hundred and forty, and the occurrences of a
 * series carry the same HTML body, which is the costly part of an event */
typedef struct
{
  GHashTable *zones;   /* IANA id → GTimeZone, or NULL when GLib cannot load it */
  GHashTable *ids;     /* Graph's name → IANA id, or NULL when it names no zone */
  GHashTable *texts;   /* HTML body → its text */
} PageCache;

static gboolean
is_utc_name (const char *name)
{
  static const char * const names[] = {
    "UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "tzone://Microsoft/Utc", "Coordinated Universal Time",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;

  return FALSE;
}

static void
zone_unref (gpointer zone)
{
  if (zone != NULL)
    g_time_zone_unref (zone);
}

static GTimeZone *
zones_lookup (PageCache  *cache,
              const char *iana)
{
  GTimeZone *zone;

  if (g_hash_table_lookup_extended (cache->zones, iana, NULL, (gpointer *) &zone))
    return zone;

  /* "Europe/Berlin", "America/Argentina/Buenos_Aires": no paths, no spaces */
  zone = NULL;
  if (strchr (iana, '/') != NULL && strstr (iana, "..") == NULL && *iana != '/' &&
      strchr (iana, ' ') == NULL)
    zone = g_time_zone_new_identifier (iana);
  g_hash_table_insert (cache->zones, g_strdup (iana), zone);
  return zone;
}

static const char *
find_zone_id (PageCache  *cache,
              const char *name)
{
  const char *iana;

  if (is_utc_name (name))
    return "UTC";
  if ((iana = calsync_windows_zone_to_iana (name)) != NULL)
    name = iana;
  if (is_utc_name (name))
    return "UTC";

  return zones_lookup (cache, name) != NULL ? name : NULL;
}

/* The IANA id of a Graph zone name (IANA or Windows), "UTC" for UTC, or NULL;
 * valid as long as @cache */
static const char *
zone_id (PageCache  *cache,
         const char *name)
{
  const char *id;

  if (name == NULL || *name == '\0')
    return NULL;
  if (g_hash_table_lookup_extended (cache->ids, name, NULL, (gpointer *) &id))
    return id;

  id = find_zone_id (cache, name);
  g_hash_table_insert (cache->ids, g_strdup (name), g_strdup (id));
  return g_hash_table_lookup (cache->ids, name);
}

/* Instants ------------------------------------------------------------------------------- */

static gboolean
read_digits (const char *text,
             int         n,
             int        *value)
{
  *value = 0;
  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      *value = *value * 10 + (text[i] - '0');
    }

  return TRUE;
}

/* "2026-12-01T10:00:00.0000000": Graph's dateTime, without an offset */
static gboolean
parse_local (const char *text,
             int         fields[6])
{
  const char *p;

  if (text == NULL || strlen (text) < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' ||
      !read_digits (text, 4, &fields[0]) || !read_digits (text + 5, 2, &fields[1]) ||
      !read_digits (text + 8, 2, &fields[2]) || !read_digits (text + 11, 2, &fields[3]) ||
      !read_digits (text + 14, 2, &fields[4]) || !read_digits (text + 17, 2, &fields[5]))
    return FALSE;

  p = text + 19;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      ;

  return *p == '\0' && fields[0] >= 1 && fields[1] >= 1 && fields[1] <= 12 && fields[2] >= 1 &&
         fields[2] <= g_date_get_days_in_month (fields[1], fields[0]) &&
         fields[3] <= 23 && fields[4] <= 59 && fields[5] <= 59;
}

/* Unix seconds of a dateTimeTimeZone: UTC (what CalSync asks for) without
 * loading a zone, other zones through GLib */
static gboolean
parse_instant (PageCache  *cache,
               const char *date_time,
               const char *zone_name,
               gint64     *unix_time)
{
  g_autoptr(GDateTime) dt = NULL;
  const char *iana;
  gint64 usec;
  int f[6];

  if (calsync_date_parse_rfc3339 (date_time, &usec))
    {
      *unix_time = usec / G_USEC_PER_SEC;
      return TRUE;
    }
  if (!parse_local (date_time, f))
    return FALSE;

  iana = zone_name ? zone_id (cache, zone_name) : "UTC";
  if (iana == NULL)
    return FALSE;
  if (g_str_equal (iana, "UTC"))
    {
      *unix_time = calsync_date_day_from_ymd (f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
      return TRUE;
    }

  dt = g_date_time_new (zones_lookup (cache, iana), f[0], f[1], f[2], f[3], f[4], f[5]);
  if (dt == NULL)
    return FALSE;
  *unix_time = g_date_time_to_unix (dt);
  return TRUE;
}

/* Reading an item -------------------------------------------------------------------------- */

static void
set_string (char              **field,
            CalsyncJsonScanner *scanner,
            gsize               max)
{
  g_free (*field);
  *field = calsync_json_scanner_dup_string (scanner, max);
}

/* {"dateTime", "timeZone"} */
static gboolean
read_when (CalsyncJsonScanner *scanner,
           char               *when[2])
{
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object_or_skip (scanner))
    return FALSE;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    if (calsync_json_key_is (key, length, "dateTime"))
      set_string (&when[DATE_TIME], scanner, MAX_SMALL);
    else if (calsync_json_key_is (key, length, "timeZone"))
      set_string (&when[TIME_ZONE], scanner, MAX_SMALL);
    else
      calsync_json_scanner_skip (scanner);

  return when[DATE_TIME] != NULL;
}

/* An object's string members: @names[i] goes to *@fields[i] */
static void
read_members (CalsyncJsonScanner  *scanner,
              const char * const  *names,
              char              ***fields,
              const gsize         *max)
{
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object_or_skip (scanner))
    return;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    {
      guint i;

      for (i = 0; names[i] != NULL; i++)
        if (length == strlen (names[i]) && memcmp (key, names[i], length) == 0)
          break;

      if (names[i] != NULL)
        set_string (fields[i], scanner, max[i]);
      else
        calsync_json_scanner_skip (scanner);
    }
}

/* {"name", "address"} */
static void
read_email_address (CalsyncJsonScanner *scanner,
                    char              **email,
                    char              **name)
{
  static const char * const names[] = { "address", "name", NULL };
  char **fields[] = { email, name };
  const gsize max[] = { MAX_SMALL, MAX_SMALL };

  read_members (scanner, names, fields, max);
}

/* organizer, or one attendee: {"emailAddress", "status": {"response"}, "type"} */
static void
read_person (CalsyncJsonScanner *scanner,
             char              **email,
             char              **name,
             char              **response)
{
  static const char * const status_names[] = { "response", NULL };
  const gsize status_max[] = { MAX_SMALL };
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object_or_skip (scanner))
    return;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    if (calsync_json_key_is (key, length, "emailAddress"))
      read_email_address (scanner, email, name);
    else if (response != NULL && calsync_json_key_is (key, length, "status"))
      read_members (scanner, status_names, (char **[]) { response }, status_max);
    else
      calsync_json_scanner_skip (scanner);
}

static void
read_attendees (CalsyncJsonScanner *scanner,
                Item               *item)
{
  if (!calsync_json_scanner_enter_array_or_skip (scanner))
    return;

  g_clear_pointer (&item->attendees, g_array_unref);
  item->attendees = g_array_new (FALSE, TRUE, sizeof (Attendee));
  g_array_set_clear_func (item->attendees, (GDestroyNotify) attendee_clear);
  while (calsync_json_scanner_next_element (scanner))
    {
      Attendee attendee = { 0 };

      if (item->attendees->len >= MAX_ATTENDEES)
        {
          calsync_json_scanner_skip (scanner);
          continue;
        }

      read_person (scanner, &attendee.email, &attendee.name, &attendee.response);
      if (attendee.email != NULL || attendee.name != NULL)
        g_array_append_val (item->attendees, attendee);
      else
        attendee_clear (&attendee);
    }
}

static void
read_body (CalsyncJsonScanner *scanner,
           Item               *item)
{
  static const char * const names[] = { "contentType", "content", NULL };
  char **fields[] = { &item->body_type, &item->body };
  const gsize max[] = { MAX_SMALL, CALSYNC_HTML_MAX_INPUT };

  read_members (scanner, names, fields, max);
}

static gboolean
read_object_member (CalsyncJsonScanner *scanner,
                    Item               *item,
                    const char         *key,
                    gsize               length)
{
  static const char * const location_names[] = { "displayName", NULL };
  static const char * const meeting_names[] = { "joinUrl", NULL };
  const gsize location_max[] = { CALSYNC_EVENT_MAX_LOCATION };
  const gsize meeting_max[] = { CALSYNC_EVENT_MAX_URL + 1 };

  if (calsync_json_key_is (key, length, "start"))
    item->has_start = read_when (scanner, item->start);
  else if (calsync_json_key_is (key, length, "end"))
    read_when (scanner, item->end);
  else if (calsync_json_key_is (key, length, "body"))
    read_body (scanner, item);
  else if (calsync_json_key_is (key, length, "location"))
    read_members (scanner, location_names, (char **[]) { &item->location }, location_max);
  else if (calsync_json_key_is (key, length, "onlineMeeting"))
    read_members (scanner, meeting_names, (char **[]) { &item->join_url }, meeting_max);
  else if (calsync_json_key_is (key, length, "organizer"))
    read_person (scanner, &item->organizer_email, &item->organizer_name, NULL);
  else if (calsync_json_key_is (key, length, "attendees"))
    read_attendees (scanner, item);
  else if (calsync_json_key_is (key, length, "@removed"))
    item->removed = calsync_json_scanner_skip (scanner);
  else
    return FALSE;

  return TRUE;
}

static void
read_member (CalsyncJsonScanner *scanner,
             Item               *item,
             const char         *key,
             gsize               length)
{
#define STRING(name, field, max) \
  if (calsync_json_key_is (key, length, name)) { set_string (&item->field, scanner, max); return; }

  STRING ("id", id, CALSYNC_EVENT_MAX_ID + 1)
  STRING ("@odata.etag", etag, MAX_SMALL)
  STRING ("subject", subject, CALSYNC_EVENT_MAX_TITLE)
  STRING ("originalStart", original_start, MAX_SMALL)
  STRING ("originalStartTimeZone", original_zone, MAX_SMALL)
  STRING ("type", type, MAX_SMALL)
  STRING ("seriesMasterId", series_master_id, CALSYNC_EVENT_MAX_ID)
  STRING ("showAs", show_as, MAX_SMALL)
  STRING ("lastModifiedDateTime", last_modified, MAX_SMALL)
  STRING ("onlineMeetingUrl", online_meeting_url, CALSYNC_EVENT_MAX_URL + 1)
#undef STRING

  if (calsync_json_key_is (key, length, "isAllDay"))
    item->all_day = calsync_json_scanner_read_boolean (scanner);
  else if (calsync_json_key_is (key, length, "isCancelled"))
    item->cancelled = calsync_json_scanner_read_boolean (scanner);
  else if (!read_object_member (scanner, item, key, length))
    calsync_json_scanner_skip (scanner);
}

/* An element of "value"; FALSE only when the JSON itself is broken */
static gboolean
read_item (CalsyncJsonScanner *scanner,
           Item               *item)
{
  const char *key;
  gsize length;

  item->readable = calsync_json_scanner_enter_object_or_skip (scanner);
  if (!item->readable)
    return !calsync_json_scanner_failed (scanner);

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    read_member (scanner, item, key, length);

  return !calsync_json_scanner_failed (scanner);
}

/* Item → event ------------------------------------------------------------------------------ */

static gboolean
is_valid_date (const char *text)
{
  gint64 day;

  return calsync_date_parse_day (text, &day);
}

/* The date part of a dateTime as sent: "2026-12-24T00:00:00.0000000" → "2026-12-24" */
static char *
date_part (const char *date_time)
{
  g_autofree char *date = date_time ? g_strndup (date_time, 10) : NULL;

  return date != NULL && is_valid_date (date) && (date_time[10] == '\0' || date_time[10] == 'T')
         ? g_steal_pointer (&date) : NULL;
}

static gboolean
map_all_day (CalsyncEvent *event,
             Item         *item)
{
  g_autofree char *start = date_part (item->start[DATE_TIME]);
  g_autofree char *end = date_part (item->end[DATE_TIME]);

  if (start == NULL || (item->end[DATE_TIME] != NULL && end == NULL))
    return FALSE;

  calsync_event_set_dates (event, start, end);
  return TRUE;
}

/* The zone the event was made in; the instants do not depend on it */
static const char *
own_zone (PageCache *cache,
          Item      *item)
{
  const char *zone = zone_id (cache, item->original_zone);

  if (zone == NULL)
    zone = zone_id (cache, item->start[TIME_ZONE]);

  return zone != NULL ? zone : "UTC";
}

static gboolean
map_timed (CalsyncEvent *event,
           Item         *item,
           PageCache    *cache)
{
  gint64 start, end;

  if (!parse_instant (cache, item->start[DATE_TIME], item->start[TIME_ZONE], &start))
    return FALSE;
  if (item->end[DATE_TIME] == NULL)
    end = start;
  else if (!parse_instant (cache, item->end[DATE_TIME], item->end[TIME_ZONE], &end))
    return FALSE;

  calsync_event_set_times (event, start, MAX (start, end), own_zone (cache, item));
  return TRUE;
}

/* start/end; optional on cancelled events */
static gboolean
map_times (CalsyncEvent *event,
           Item         *item,
           PageCache    *cache)
{
  if (!item->has_start)
    return item->cancelled;
  if (item->all_day)
    return map_all_day (event, item);

  return map_timed (event, item, cache);
}

/* status.response → the agenda's words */
static const char *
map_response (const char *response)
{
  if (response == NULL)
    return "needsAction";
  if (g_ascii_strcasecmp (response, "accepted") == 0 || g_ascii_strcasecmp (response, "organizer") == 0)
    return "accepted";
  if (g_ascii_strcasecmp (response, "declined") == 0)
    return "declined";
  if (g_ascii_strcasecmp (response, "tentativelyAccepted") == 0)
    return "tentative";

  return "needsAction";   /* none, notResponded */
}

static void
append_attendee (GString    *out,
                 const char *email,
                 const char *name,
                 const char *response,
                 gboolean    organizer)
{
  g_string_append (out, out->len > 1 ? ",{\"email\":" : "{\"email\":");
  calsync_json_append_string (out, email ? email : "");
  g_string_append (out, ",\"name\":");
  calsync_json_append_string (out, name ? name : "");
  g_string_append (out, ",\"response\":");
  calsync_json_append_string (out, response);
  g_string_append (out, organizer ? ",\"organizer\":true}" : ",\"organizer\":false}");
}

static gboolean
is_organizer (Item     *item,
              Attendee *attendee)
{
  return (attendee->response != NULL && g_ascii_strcasecmp (attendee->response, "organizer") == 0) ||
         (attendee->email != NULL && item->organizer_email != NULL &&
          g_ascii_strcasecmp (attendee->email, item->organizer_email) == 0);
}

/* Our format: [{"email","name","response","organizer"}], the organizer first
 * when Graph does not list them */
static char *
attendees_json (Item *item)
{
  GString *out = g_string_new ("[");
  gboolean organizer_listed = FALSE;

  for (guint i = 0; i < item->attendees->len; i++)
    organizer_listed |= is_organizer (item, &g_array_index (item->attendees, Attendee, i));

  if (!organizer_listed && item->organizer_email != NULL)
    append_attendee (out, item->organizer_email, item->organizer_name, "accepted", TRUE);

  for (guint i = 0; i < item->attendees->len; i++)
    {
      Attendee *attendee = &g_array_index (item->attendees, Attendee, i);
      gboolean organizer = is_organizer (item, attendee);

      append_attendee (out, attendee->email, attendee->name,
                       organizer ? "accepted" : map_response (attendee->response), organizer);
    }

  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

static const char *
https_url (const char *url)
{
  return url != NULL && g_str_has_prefix (url, "https://") && strlen (url) <= CALSYNC_EVENT_MAX_URL
         ? url : NULL;
}

/* onlineMeeting.joinUrl, else onlineMeetingUrl, else a meeting link in the
 * location or the body; https only */
static void
map_conference (CalsyncEvent *event,
                Item         *item)
{
  const char *url = https_url (item->join_url);
  g_autofree char *found = NULL;

  if (url == NULL)
    url = https_url (item->online_meeting_url);
  if (url == NULL && (found = calsync_find_conference_url (item->location)) == NULL)
    found = calsync_find_conference_url (calsync_event_get_description (event));

  calsync_event_set_conference_url (event, url ? url : found);
}

/* The text of an HTML body, converted once per page */
static const char *
html_text (PageCache *cache,
           char      *html)
{
  const char *text = g_hash_table_lookup (cache->texts, html);
  char *converted;

  if (text != NULL)
    return text;

  converted = calsync_html_to_text (html, strlen (html));
  g_hash_table_insert (cache->texts, g_strdup (html), converted);
  return converted;
}

static void
map_description (CalsyncEvent *event,
                 Item         *item,
                 PageCache    *cache)
{
  if (item->body == NULL)
    return;

  if (item->body_type != NULL && g_ascii_strcasecmp (item->body_type, "html") == 0)
    calsync_event_set_description (event, html_text (cache, item->body));
  else
    {
      /* Exchange writes text bodies with CRLF line ends */
      g_autoptr(GString) text = g_string_new (item->body);

      g_string_replace (text, "\r\n", "\n", 0);
      calsync_event_set_description (event, text->str);
    }
}

static CalsyncEventStatus
map_status (Item *item)
{
  if (item->cancelled)
    return CALSYNC_EVENT_STATUS_CANCELLED;
  if (item->show_as != NULL && g_ascii_strcasecmp (item->show_as, "tentative") == 0)
    return CALSYNC_EVENT_STATUS_TENTATIVE;

  return CALSYNC_EVENT_STATUS_CONFIRMED;
}

/* @unix_time in the zone @iana as RFC 3339 ("2026-12-01T10:00:00+01:00", "Z"
 * for a zero offset), as the agenda writes instants */
static char *
format_in_zone (PageCache  *cache,
                const char *iana,
                gint64      unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return NULL;
  if (g_str_equal (iana, "UTC") || (local = g_date_time_to_timezone (utc, zones_lookup (cache, iana))) == NULL ||
      g_date_time_get_utc_offset (local) == 0)
    return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");

  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

/* originalStart is an instant in UTC: the agenda shows it in the event's zone,
 * as it shows start. Of an all-day series it is midnight in the series' zone,
 * which Graph gives on the master only: an occurrence's original date is its
 * date; an exception's is taken in the event's own zone (the series' zone for
 * the organizer's events). */
static char *
original_start (PageCache    *cache,
                Item         *item,
                CalsyncEvent *event)
{
  const char *zone = own_zone (cache, item);
  g_autofree char *instant = NULL;
  gint64 usec;

  if (item->original_start == NULL || !calsync_date_parse_rfc3339 (item->original_start, &usec))
    return g_strdup (item->original_start);
  if (item->all_day && g_ascii_strcasecmp (item->type, "occurrence") == 0)
    return g_strdup (calsync_event_get_start_date (event));

  instant = format_in_zone (cache, zone, usec / G_USEC_PER_SEC);
  if (instant != NULL && item->all_day)
    instant[10] = '\0';   /* the date */
  return g_steal_pointer (&instant);
}

static void
map_series (CalsyncEvent *event,
            Item         *item,
            PageCache    *cache)
{
  g_autofree char *original = NULL;

  if (item->type == NULL ||
      (g_ascii_strcasecmp (item->type, "occurrence") != 0 && g_ascii_strcasecmp (item->type, "exception") != 0))
    return;

  original = original_start (cache, item, event);
  calsync_event_set_recurring_event_id (event, item->series_master_id);
  calsync_event_set_original_start (event, original);
}

static void
map_text_fields (CalsyncEvent *event,
                 Item         *item,
                 PageCache    *cache)
{
  gint64 updated = 0;
  gboolean others_attend = item->attendees != NULL && item->attendees->len > 0;

  calsync_event_set_etag (event, item->etag);
  calsync_event_set_title (event, item->subject);
  calsync_event_set_location (event, item->location);
  map_description (event, item, cache);
  map_series (event, item, cache);
  if (calsync_date_parse_rfc3339 (item->last_modified, &updated))
    calsync_event_set_remote_updated (event, updated);

  map_conference (event, item);
  if (others_attend)
    {
      g_autofree char *json = attendees_json (item);

      calsync_event_set_attendees_json (event, json);
    }
  calsync_event_set_event_type (event, calsync_classify_event_type (item->subject,
                                                                   calsync_event_get_description (event),
                                                                   others_attend));
}

/* NULL for an event that cannot be read */
static CalsyncEvent *
event_from_item (Item      *item,
                 PageCache *cache)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();

  calsync_event_set_external_id (event, item->id);
  calsync_event_set_status (event, map_status (item));
  if (!map_times (event, item, cache))
    return NULL;

  map_text_fields (event, item, cache);
  if (!calsync_event_limit_fields (event))
    return NULL;

  return g_steal_pointer (&event);
}

/* The page ---------------------------------------------------------------------------------- */

static void
take_item (Item        *item,
           PageCache   *cache,
           CalsyncPage *page)
{
  CalsyncEvent *event;

  if (!item->readable || item->id == NULL || *item->id == '\0' || strlen (item->id) > CALSYNC_EVENT_MAX_ID)
    page->n_invalid++;
  else if (item->removed)
    g_ptr_array_add (page->removals, g_strdup (item->id));
  /* calendarView lists instances; a series master would be an event twice */
  else if (item->type != NULL && g_ascii_strcasecmp (item->type, "seriesMaster") == 0)
    ;
  else if ((event = event_from_item (item, cache)) != NULL)
    g_ptr_array_add (page->upserts, event);
  else
    page->n_invalid++;
}

static gboolean
read_value (CalsyncJsonScanner *scanner,
            CalsyncPage        *page)
{
  PageCache cache = {
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, zone_unref),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
  };
  gboolean ok = calsync_json_scanner_enter_array_or_skip (scanner);

  while (ok && calsync_json_scanner_next_element (scanner))
    {
      Item item = { 0 };

      if ((ok = read_item (scanner, &item)))
        take_item (&item, &cache, page);
      item_clear (&item);
    }

  g_hash_table_unref (cache.zones);
  g_hash_table_unref (cache.ids);
  g_hash_table_unref (cache.texts);
  return ok && !calsync_json_scanner_failed (scanner);
}

static gboolean
read_page (CalsyncJsonScanner *scanner,
           CalsyncPage        *page)
{
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object (scanner))
    return FALSE;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    {
      if (calsync_json_key_is (key, length, "value"))
        {
          if (!read_value (scanner, page))
            return FALSE;
        }
      else if (calsync_json_key_is (key, length, "@odata.nextLink"))
        set_string (&page->next_page_token, scanner, MAX_LINK);
      else if (calsync_json_key_is (key, length, "@odata.deltaLink"))
        set_string (&page->next_cursor, scanner, MAX_LINK);
      else
        calsync_json_scanner_skip (scanner);
    }

  return calsync_json_scanner_at_end (scanner);
}

/**
 * calsync_outlook_parse_event:
 * @data: one event resource, as Graph answers a create, an update or a get
 *
 * Reads the event as a page's events are read (lastModifiedDateTime as its
 * remote updated time, an occurrence's or exception's series). A series master
 * is read as the event it starts with.
 *
 * Returns: (transfer full): the event, or %NULL with @error set
 *   (%CALSYNC_HTTP_ERROR_MALFORMED)
 */
CalsyncEvent *
calsync_outlook_parse_event (const char  *data,
                             gsize        length,
                             GError     **error)
{
  PageCache cache = {
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, zone_unref),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
  };
  CalsyncJsonScanner scanner;
  CalsyncEvent *event = NULL;
  Item item = { 0 };

  g_return_val_if_fail (data != NULL, NULL);

  calsync_json_scanner_init (&scanner, data, length, CALSYNC_HTTP_MAX_JSON_DEPTH);
  if (read_item (&scanner, &item) && item.readable && calsync_json_scanner_at_end (&scanner) &&
      item.id != NULL && *item.id != '\0' && strlen (item.id) <= CALSYNC_EVENT_MAX_ID && !item.removed)
    event = event_from_item (&item, &cache);
  calsync_json_scanner_clear (&scanner);
  item_clear (&item);
  g_hash_table_unref (cache.zones);
  g_hash_table_unref (cache.ids);
  g_hash_table_unref (cache.texts);

  if (event == NULL)
    g_propagate_error (error, calsync_outlook_malformed_error ());
  return event;
}

/**
 * calsync_outlook_parse_events_page:
 * @data: a page of `calendarView/delta`, as Graph sends it
 *
 * Reads the page's event resources into #CalsyncEvent (isCancelled ones keep
 * status cancelled) and its `@removed` entries into removals; the
 * `@odata.nextLink` becomes the next page token, the `@odata.deltaLink` the
 * next cursor, both exactly as sent. An entry without an id, or an event with
 * unreadable times, is skipped and counted in n_invalid. A body that is not
 * such a page, or has neither link, fails with %CALSYNC_HTTP_ERROR_MALFORMED.
 *
 * Returns: (transfer full): the page, or %NULL with @error set
 */
CalsyncPage *
calsync_outlook_parse_events_page (const char  *data,
                                   gsize        length,
                                   GError     **error)
{
  g_autoptr(CalsyncPage) page = calsync_page_new ();
  CalsyncJsonScanner scanner;
  gboolean ok;

  g_return_val_if_fail (data != NULL, NULL);

  calsync_json_scanner_init (&scanner, data, length, CALSYNC_HTTP_MAX_JSON_DEPTH);
  ok = read_page (&scanner, page) && (page->next_page_token != NULL || page->next_cursor != NULL);
  calsync_json_scanner_clear (&scanner);

  if (!ok)
    {
      g_propagate_error (error, calsync_outlook_malformed_error ());
      return NULL;
    }

  if (page->n_invalid > 0)
    g_debug ("%u entries of the page could not be read and were skipped", page->n_invalid);

  return g_steal_pointer (&page);
}
