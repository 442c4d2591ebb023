/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-google-events.c: a page of Google's events.list answer (an Events
 * resource) to a CalsyncPage, read with the JSON scanner in a worker thread.
 * An event that cannot be read is skipped and counted; the rest of the page is
 * kept. Field sizes are capped while reading, so a huge title never gets
 * copied. */
#define G_LOG_DOMAIN "calsync-google-provider"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-classifier.h"
#include "calsync-date-utils.h"
#include "calsync-google-provider.h"
#include "calsync-json-scanner.h"
#include "calsync-text.h"

#define MAX_ATTENDEES 1000
#define MAX_SMALL     256     /* ids of zones, dates, statuses */

typedef struct
{
  char *email;
  char *name;
  char *response;
  gboolean organizer;
  gboolean self;
} Attendee;

static void
attendee_clear (Attendee *attendee)
{
  g_free (attendee->email);
  g_free (attendee->name);
  g_free (attendee->response);
}

/* The parts of an event resource CalSync reads */
typedef struct
{
  char *id;
  char *kind;
  char *status;
  char *etag;
  char *summary;
  char *description;
  char *location;
  char *updated;
  char *recurring_event_id;
  char *hangout_link;
  char *video_uri;
  char *organizer_email;
  GPtrArray *recurrence;            /* char * */
  /* start, end, originalStartTime: date, dateTime, timeZone */
  char *start[3];
  char *end[3];
  char *original[3];
  gboolean has_start;
  gboolean has_end;
  GArray *attendees;                /* Attendee */
  gboolean others_attend;
  gboolean readable;
} Item;

enum { DATE, DATE_TIME, TIME_ZONE };

static void
item_clear (Item *item)
{
  g_free (item->id);
  g_free (item->kind);
  g_free (item->status);
  g_free (item->etag);
  g_free (item->summary);
  g_free (item->description);
  g_free (item->location);
  g_free (item->updated);
  g_free (item->recurring_event_id);
  g_free (item->hangout_link);
  g_free (item->video_uri);
  g_free (item->organizer_email);
  g_clear_pointer (&item->recurrence, g_ptr_array_unref);
  for (int i = 0; i < 3; i++)
    {
      g_free (item->start[i]);
      g_free (item->end[i]);
      g_free (item->original[i]);
    }
  g_clear_pointer (&item->attendees, g_array_unref);
  memset (item, 0, sizeof *item);
}

/* Instants and dates ------------------------------------------------------------- */

/* Unix microseconds of an RFC 3339 instant. Google always sends an offset; only
 * without one is @time_zone (an IANA id) loaded, which is slow in GLib 2.74. */
static gboolean
parse_instant (const char *text,
               const char *time_zone,
               gint64     *usec)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) zone = NULL;

  if (text == NULL)
    return FALSE;
  if (calsync_date_parse_rfc3339 (text, usec))
    return TRUE;

  if ((dt = g_date_time_new_from_iso8601 (text, NULL)) == NULL)
    {
      zone = time_zone ? g_time_zone_new_identifier (time_zone) : NULL;
      dt = g_date_time_new_from_iso8601 (text, zone);
    }
  if (dt == NULL)
    return FALSE;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

static gboolean
is_valid_date (const char *text)
{
  gint64 day;

  return calsync_date_parse_day (text, &day);
}

/* Reading an item ------------------------------------------------------------------ */

static char *
dup_small (CalsyncJsonScanner *scanner)
{
  return calsync_json_scanner_dup_string (scanner, MAX_SMALL);
}

/* A member sent twice: the last one counts (as json-glib reads it), the
 * first is freed */
static void
replace (char **field,
         char  *value)
{
  g_free (*field);
  *field = value;
}

/* {"date", "dateTime", "timeZone"} */
static gboolean
read_when (CalsyncJsonScanner *scanner,
           char               *when[3])
{
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object_or_skip (scanner))
    return FALSE;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    {
      int slot = calsync_json_key_is (key, length, "date") ? DATE :
                 calsync_json_key_is (key, length, "dateTime") ? DATE_TIME :
                 calsync_json_key_is (key, length, "timeZone") ? TIME_ZONE : -1;

      if (slot < 0)
        calsync_json_scanner_skip (scanner);
      else
        {
          g_free (when[slot]);
          when[slot] = dup_small (scanner);
        }
    }

  return !calsync_json_scanner_failed (scanner);
}

static void
read_recurrence (CalsyncJsonScanner *scanner,
                 Item               *item)
{
  if (!calsync_json_scanner_enter_array_or_skip (scanner))
    return;

  /* a member sent twice: the last one counts, as in json-glib */
  g_clear_pointer (&item->recurrence, g_ptr_array_unref);
  item->recurrence = g_ptr_array_new_with_free_func (g_free);
  while (calsync_json_scanner_next_element (scanner))
    {
      char *line = calsync_json_scanner_dup_string (scanner, CALSYNC_EVENT_MAX_RECURRENCE);

      if (line != NULL)
        g_ptr_array_add (item->recurrence, line);
    }
}

/* organizer: {"email", …} */
static void
read_organizer (CalsyncJsonScanner *scanner,
                Item               *item)
{
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object_or_skip (scanner))
    return;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    if (calsync_json_key_is (key, length, "email"))
      replace (&item->organizer_email, dup_small (scanner));
    else
      calsync_json_scanner_skip (scanner);
}

static void
read_attendee (CalsyncJsonScanner *scanner,
               Attendee           *attendee)
{
  const char *key;
  gsize length;

  /* entered by the caller */
  while (calsync_json_scanner_next_member (scanner, &key, &length))
    {
      if (calsync_json_key_is (key, length, "email"))
        replace (&attendee->email, dup_small (scanner));
      else if (calsync_json_key_is (key, length, "displayName"))
        replace (&attendee->name, dup_small (scanner));
      else if (calsync_json_key_is (key, length, "responseStatus"))
        replace (&attendee->response, dup_small (scanner));
      else if (calsync_json_key_is (key, length, "organizer"))
        attendee->organizer = calsync_json_scanner_read_boolean (scanner);
      else if (calsync_json_key_is (key, length, "self"))
        attendee->self = calsync_json_scanner_read_boolean (scanner);
      else
        calsync_json_scanner_skip (scanner);
    }
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
      if (!calsync_json_scanner_enter_object_or_skip (scanner))
        continue;

      read_attendee (scanner, &attendee);
      item->others_attend |= !attendee.self;
      g_array_append_val (item->attendees, attendee);
    }
}

/* One of conferenceData's entryPoints: {"entryPointType": "video", "uri"} */
static void
read_entry_point (CalsyncJsonScanner *scanner,
                  Item               *item)
{
  g_autofree char *type = NULL;
  g_autofree char *uri = NULL;
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object_or_skip (scanner))
    return;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    if (calsync_json_key_is (key, length, "entryPointType"))
      replace (&type, dup_small (scanner));
    else if (calsync_json_key_is (key, length, "uri"))
      replace (&uri, calsync_json_scanner_dup_string (scanner, CALSYNC_EVENT_MAX_URL));
    else
      calsync_json_scanner_skip (scanner);

  if (item->video_uri == NULL && g_strcmp0 (type, "video") == 0 && uri != NULL)
    item->video_uri = g_steal_pointer (&uri);
}

/* conferenceData: {"entryPoints": [{"entryPointType": "video", "uri"}]} */
static void
read_conference (CalsyncJsonScanner *scanner,
                 Item               *item)
{
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object_or_skip (scanner))
    return;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    {
      if (!calsync_json_key_is (key, length, "entryPoints"))
        calsync_json_scanner_skip (scanner);
      else if (calsync_json_scanner_enter_array_or_skip (scanner))
        while (calsync_json_scanner_next_element (scanner))
          read_entry_point (scanner, item);
    }
}

static gboolean
read_member (CalsyncJsonScanner *scanner,
             Item               *item,
             const char         *key,
             gsize               length)
{
#define STRING(name, field, max) \
  if (calsync_json_key_is (key, length, name)) { g_free (item->field); item->field = calsync_json_scanner_dup_string (scanner, max); return TRUE; }

  STRING ("id", id, CALSYNC_EVENT_MAX_ID + 1)
  STRING ("kind", kind, MAX_SMALL)
  STRING ("status", status, MAX_SMALL)
  STRING ("etag", etag, MAX_SMALL)
  STRING ("summary", summary, CALSYNC_EVENT_MAX_TITLE)
  STRING ("description", description, CALSYNC_EVENT_MAX_DESCRIPTION)
  STRING ("location", location, CALSYNC_EVENT_MAX_LOCATION)
  STRING ("updated", updated, MAX_SMALL)
  STRING ("recurringEventId", recurring_event_id, CALSYNC_EVENT_MAX_ID)
  STRING ("hangoutLink", hangout_link, CALSYNC_EVENT_MAX_URL)
#undef STRING

  if (calsync_json_key_is (key, length, "start"))
    item->has_start = read_when (scanner, item->start);
  else if (calsync_json_key_is (key, length, "end"))
    item->has_end = read_when (scanner, item->end);
  else if (calsync_json_key_is (key, length, "originalStartTime"))
    read_when (scanner, item->original);
  else if (calsync_json_key_is (key, length, "recurrence"))
    read_recurrence (scanner, item);
  else if (calsync_json_key_is (key, length, "attendees"))
    read_attendees (scanner, item);
  else if (calsync_json_key_is (key, length, "organizer"))
    read_organizer (scanner, item);
  else if (calsync_json_key_is (key, length, "conferenceData"))
    read_conference (scanner, item);
  else
    calsync_json_scanner_skip (scanner);

  return TRUE;
}

/* An element of "items"; FALSE only when the JSON itself is broken */
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

/* Item → event --------------------------------------------------------------------- */

static CalsyncEventStatus
map_status (const char *status)
{
  if (g_strcmp0 (status, "cancelled") == 0)
    return CALSYNC_EVENT_STATUS_CANCELLED;
  if (g_strcmp0 (status, "tentative") == 0)
    return CALSYNC_EVENT_STATUS_TENTATIVE;

  return CALSYNC_EVENT_STATUS_CONFIRMED;
}

static gboolean
map_timed (CalsyncEvent *event,
           Item         *item,
           const char   *calendar_zone)
{
  /* the event's time zone, else the calendar's */
  const char *time_zone = item->start[TIME_ZONE] ? item->start[TIME_ZONE] : calendar_zone;
  gint64 start_usec, end_usec;

  if (!parse_instant (item->start[DATE_TIME], time_zone, &start_usec))
    return FALSE;
  if (!item->has_end || item->end[DATE_TIME] == NULL)
    end_usec = start_usec;
  else if (!parse_instant (item->end[DATE_TIME], time_zone, &end_usec))
    return FALSE;

  calsync_event_set_times (event, start_usec / G_USEC_PER_SEC, end_usec / G_USEC_PER_SEC, time_zone);
  return TRUE;
}

static gboolean
map_all_day (CalsyncEvent *event,
             Item         *item)
{
  const char *end_date = item->has_end ? item->end[DATE] : NULL;

  if (!is_valid_date (item->start[DATE]) || (end_date != NULL && !is_valid_date (end_date)))
    return FALSE;
  if (item->has_end && end_date == NULL && item->end[DATE_TIME] != NULL)
    return FALSE;   /* a date start with a dateTime end */

  calsync_event_set_dates (event, item->start[DATE], end_date);
  return TRUE;
}

/* start/end; optional on cancelled events (minimal objects) */
static gboolean
map_times (CalsyncEvent *event,
           Item         *item,
           const char   *calendar_zone)
{
  if (!item->has_start)
    return calsync_event_get_status (event) == CALSYNC_EVENT_STATUS_CANCELLED;
  if (item->start[DATE] != NULL)
    return map_all_day (event, item);

  return map_timed (event, item, calendar_zone);
}

/* Our format: [{"email","name","response","organizer"}], as json-glib writes it;
 * the organizer is flagged, or is the event's organizer */
static char *
attendees_json (Item *item)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < item->attendees->len; i++)
    {
      Attendee *attendee = &g_array_index (item->attendees, Attendee, i);
      gboolean organizer = attendee->organizer ||
                           (attendee->email != NULL && g_strcmp0 (attendee->email, item->organizer_email) == 0);

      g_string_append (out, i > 0 ? ",{\"email\":" : "{\"email\":");
      calsync_json_append_string (out, attendee->email ? attendee->email : "");
      g_string_append (out, ",\"name\":");
      calsync_json_append_string (out, attendee->name ? attendee->name : "");
      g_string_append (out, ",\"response\":");
      calsync_json_append_string (out, attendee->response ? attendee->response : "needsAction");
      g_string_append (out, organizer ? ",\"organizer\":true}" : ",\"organizer\":false}");
    }

  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

static void
map_conference (CalsyncEvent *event,
                Item         *item)
{
  const char *url = item->hangout_link ? item->hangout_link : item->video_uri;
  g_autofree char *found = NULL;

  /* only https links are offered to be opened */
  if (url != NULL && !g_str_has_prefix (url, "https://"))
    url = NULL;
  if (url == NULL && (found = calsync_find_conference_url (item->location)) == NULL)
    found = calsync_find_conference_url (item->description);

  calsync_event_set_conference_url (event, url ? url : found);
}

static void
map_text_fields (CalsyncEvent *event,
                 Item         *item)
{
  gint64 updated = 0;

  calsync_event_set_etag (event, item->etag);
  calsync_event_set_title (event, item->summary);
  calsync_event_set_description (event, item->description);
  calsync_event_set_location (event, item->location);
  calsync_event_set_recurring_event_id (event, item->recurring_event_id);
  if (parse_instant (item->updated, "UTC", &updated))
    calsync_event_set_remote_updated (event, updated);
  calsync_event_set_original_start (event, item->original[DATE_TIME] ? item->original[DATE_TIME]
                                                                     : item->original[DATE]);

  if (item->recurrence != NULL && item->recurrence->len > 0)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (item->recurrence, NULL);
      joined = g_strjoinv ("\n", (char **) item->recurrence->pdata);
      calsync_event_set_recurrence (event, joined);
    }
}

/* NULL for an event that cannot be read */
static CalsyncEvent *
event_from_item (Item       *item,
                 const char *calendar_zone)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();

  if (!item->readable || item->id == NULL || *item->id == '\0')
    return NULL;

  calsync_event_set_external_id (event, item->id);
  calsync_event_set_status (event, map_status (item->status));
  if (!map_times (event, item, calendar_zone))
    return NULL;

  map_text_fields (event, item);
  map_conference (event, item);
  if (item->attendees != NULL && item->attendees->len > 0)
    {
      g_autofree char *json = attendees_json (item);

      calsync_event_set_attendees_json (event, json);
    }
  calsync_event_set_event_type (event, calsync_classify_event_type (calsync_event_get_title (event),
                                                                   calsync_event_get_description (event),
                                                                   item->others_attend));
  if (!calsync_event_limit_fields (event))
    return NULL;

  return g_steal_pointer (&event);
}

/* The page ------------------------------------------------------------------------- */

static gboolean
read_items (CalsyncJsonScanner *scanner,
            const char         *calendar_zone,
            CalsyncPage        *page)
{
  if (!calsync_json_scanner_enter_array_or_skip (scanner))
    return FALSE;

  while (calsync_json_scanner_next_element (scanner))
    {
      Item item = { 0 };
      CalsyncEvent *event;

      if (!read_item (scanner, &item))
        {
          item_clear (&item);
          return FALSE;
        }

      /* Resources of another kind are not events: left alone */
      if (item.kind != NULL && !g_str_equal (item.kind, "calendar#event"))
        ;
      else if ((event = event_from_item (&item, calendar_zone)) != NULL)
        g_ptr_array_add (page->upserts, event);
      else
        page->n_invalid++;

      item_clear (&item);
    }

  return !calsync_json_scanner_failed (scanner);
}

static GError *
malformed_error (void)
{
  return g_error_new_literal (CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED,
                              _("Google sent an answer CalSync could not read. Your events were left as they were."));
}

/* First pass: the page's own members, remembering where "items" is (Google
 * writes the calendar's timeZone, which items may need, before or after them) */
static gboolean
read_envelope (CalsyncJsonScanner *scanner,
               CalsyncPage        *page,
               char              **time_zone,
               CalsyncJsonMark    *items,
               gboolean           *has_items)
{
  const char *key;
  gsize length;

  if (!calsync_json_scanner_enter_object (scanner))
    return FALSE;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    {
      if (calsync_json_key_is (key, length, "items"))
        {
          *items = calsync_json_scanner_mark (scanner);
          *has_items = TRUE;
          calsync_json_scanner_skip (scanner);
        }
      else if (calsync_json_key_is (key, length, "nextPageToken"))
        replace (&page->next_page_token, calsync_json_scanner_dup_string (scanner, 4096));
      else if (calsync_json_key_is (key, length, "nextSyncToken"))
        replace (&page->next_cursor, calsync_json_scanner_dup_string (scanner, 4096));
      else if (calsync_json_key_is (key, length, "timeZone"))
        replace (time_zone, calsync_json_scanner_dup_string (scanner, MAX_SMALL));
      else
        calsync_json_scanner_skip (scanner);
    }

  return calsync_json_scanner_at_end (scanner);
}

/**
 * calsync_google_parse_events_page:
 * @data: an Events resource as events.list returns it
 *
 * Reads the page's event resources into #CalsyncEvent (cancelled ones keep
 * status cancelled). Resources of another kind are ignored; an event without
 * an id or with unreadable times is skipped and counted in n_invalid. A body
 * that is not an Events resource, or has no token to go on with, fails with
 * %CALSYNC_HTTP_ERROR_MALFORMED.
 *
 * Returns: (transfer full): the page, or %NULL with @error set
 */
CalsyncPage *
calsync_google_parse_events_page (const char  *data,
                                  gsize        length,
                                  GError     **error)
{
  g_autoptr(CalsyncPage) page = calsync_page_new ();
  g_autofree char *time_zone = NULL;
  CalsyncJsonScanner scanner;
  CalsyncJsonMark items = { 0 };
  gboolean has_items = FALSE;
  gboolean ok;

  g_return_val_if_fail (data != NULL, NULL);

  calsync_json_scanner_init (&scanner, data, length, CALSYNC_HTTP_MAX_JSON_DEPTH);
  ok = read_envelope (&scanner, page, &time_zone, &items, &has_items) &&
       (page->next_page_token != NULL || page->next_cursor != NULL);
  if (ok && has_items)
    {
      calsync_json_scanner_rewind (&scanner, items);
      ok = read_items (&scanner, time_zone, page);
    }
  calsync_json_scanner_clear (&scanner);

  if (!ok)
    {
      g_propagate_error (error, malformed_error ());
      return NULL;
    }

  if (page->n_invalid > 0)
    g_debug ("%u events of the page could not be read and were skipped", page->n_invalid);

  return g_steal_pointer (&page);
}

/**
 * calsync_google_parse_event:
 * @data: one Events resource as events.get, insert or patch return it
 * @calendar_zone: (nullable): the calendar's time zone, for times without one
 *
 * Returns: (transfer full): the event, or %NULL with @error set
 *   (%CALSYNC_HTTP_ERROR_MALFORMED) when it cannot be read
 */
CalsyncEvent *
calsync_google_parse_event (const char  *data,
                            gsize        length,
                            const char  *calendar_zone,
                            GError     **error)
{
  CalsyncJsonScanner scanner;
  CalsyncEvent *event = NULL;
  Item item = { 0 };

  g_return_val_if_fail (data != NULL, NULL);

  calsync_json_scanner_init (&scanner, data, length, CALSYNC_HTTP_MAX_JSON_DEPTH);
  if (read_item (&scanner, &item) && calsync_json_scanner_at_end (&scanner) &&
      (item.kind == NULL || g_str_equal (item.kind, "calendar#event")))
    event = event_from_item (&item, calendar_zone != NULL ? calendar_zone : "UTC");
  item_clear (&item);
  calsync_json_scanner_clear (&scanner);

  if (event == NULL)
    g_propagate_error (error, malformed_error ());
  return event;
}
