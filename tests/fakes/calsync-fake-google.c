/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google.c: an in-process Google Calendar API v3 and Google OAuth on
 * 127.0.0.1, strict where the documentation is: events.list parameters, pages,
 * nextSyncToken, syncToken with time bounds → 400, stale token → 410, faults.
 *
 * Limits: the fake does not expand RRULEs. Put recurring events in as the
 * instances singleEvents=true returns (with recurringEventId and
 * originalStartTime); singleEvents=false serves the same instances. */
#define G_LOG_DOMAIN "calsync-fake-google"

#include "config.h"

#include <string.h>

#include "calsync-fake-google.h"

#define OAUTH_PREFIX "/o/oauth2/v2"
#define API_PREFIX "/calendar/v3"
#define CLIENT_ID "fake-client-id"
#define CLIENT_SECRET "fake-client-secret"
#define EVENTS_DEFAULT_MAX_RESULTS 250
#define EVENTS_MAX_RESULTS 2500
#define CALENDAR_LIST_DEFAULT_MAX_RESULTS 100
#define CALENDAR_LIST_MAX_RESULTS 250

typedef struct
{
  char *id;
  JsonObject *object;
  GRefString *json;           /* the full resource */
  GRefString *minimal_json;   /* what incremental syncs send for a cancelled event */
  guint64 seq;                /* update sequence */
  guint position;             /* insertion order: the "unspecified, stable order" */
  gint64 start_us;
  gint64 end_us;
  gboolean cancelled;
} FakeEvent;

typedef struct
{
  char *id;
  char *summary;
  GHashTable *events;         /* id → FakeEvent */
  guint next_position;
} FakeCalendar;

typedef struct
{
  char *id;
  char *summary;
  gboolean primary;
} ListEntry;

/* A listing cut into pages: the results are fixed when the first page is served. */
typedef struct
{
  char *signature;            /* user, path and every parameter except pageToken */
  GPtrArray *items;           /* GRefString */
  guint offset;
  guint page_size;
  char *calendar_id;          /* NULL for calendarList */
  guint64 seq;                /* sequence the next sync token continues from */
} Cursor;

typedef struct
{
  char *calendar_id;
  guint64 seq;
} SyncState;

struct _CalsyncFakeGoogle
{
  GObject parent_instance;

  /* Owned references */
  SoupServer *server;
  CalsyncFakeOAuth *oauth;
  char *api_url;
  char *auth_url;
  char *token_url;
  GHashTable *calendar_lists;  /* email → GPtrArray of ListEntry */
  GHashTable *calendars;       /* id → FakeCalendar */
  GHashTable *cursors;         /* page token → Cursor */
  GHashTable *sync_tokens;     /* sync token → SyncState */
  GHashTable *faults;          /* calendar id ("" for all) → CalsyncFakeFault */

  guint64 seq;
  gint64 last_updated_us;
  guint page_size;
  guint n_requests;
  guint n_tokens;
};

G_DEFINE_FINAL_TYPE (CalsyncFakeGoogle, calsync_fake_google, G_TYPE_OBJECT)

static void append_json_string (GString *body, const char *text);

/* Data ---------------------------------------------------------------------- */

static void
fake_event_free (FakeEvent *event)
{
  g_free (event->id);
  g_clear_pointer (&event->object, json_object_unref);
  g_clear_pointer (&event->json, g_ref_string_release);
  g_clear_pointer (&event->minimal_json, g_ref_string_release);
  g_free (event);
}

static void
fake_calendar_free (FakeCalendar *calendar)
{
  g_free (calendar->id);
  g_free (calendar->summary);
  g_hash_table_unref (calendar->events);
  g_free (calendar);
}

static void
list_entry_free (ListEntry *entry)
{
  g_free (entry->id);
  g_free (entry->summary);
  g_free (entry);
}

static void
cursor_free (Cursor *cursor)
{
  g_free (cursor->signature);
  g_ptr_array_unref (cursor->items);
  g_free (cursor->calendar_id);
  g_free (cursor);
}

static void
sync_state_free (SyncState *state)
{
  g_free (state->calendar_id);
  g_free (state);
}

static FakeCalendar *
ensure_calendar (CalsyncFakeGoogle *self,
                 const char        *calendar_id)
{
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);

  if (calendar == NULL)
    {
      calendar = g_new0 (FakeCalendar, 1);
      calendar->id = g_strdup (calendar_id);
      calendar->summary = g_strdup (calendar_id);
      calendar->events = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                (GDestroyNotify) fake_event_free);
      g_hash_table_insert (self->calendars, calendar->id, calendar);
    }

  return calendar;
}

static char *
format_updated (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", text, (int) (usec % G_USEC_PER_SEC) / 1000);
}

/* "updated" strictly grows with the sequence, at millisecond resolution as Google's */
static gint64
next_updated (CalsyncFakeGoogle *self)
{
  gint64 now = g_get_real_time () / 1000 * 1000;

  self->last_updated_us = MAX (now, self->last_updated_us + 1000);
  return self->last_updated_us;
}

/* Unix microseconds of an EventDateTime (all-day dates as UTC midnights) */
static gboolean
event_time (JsonObject *object,
            const char *member,
            gint64     *usec)
{
  JsonObject *when = json_object_has_member (object, member) ?
                     json_object_get_object_member (object, member) : NULL;
  const char *text;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *midnight = NULL;

  if (when == NULL)
    return FALSE;

  if ((text = json_object_get_string_member_with_default (when, "dateTime", NULL)) != NULL)
    dt = g_date_time_new_from_iso8601 (text, NULL);
  else if ((text = json_object_get_string_member_with_default (when, "date", NULL)) != NULL)
    dt = g_date_time_new_from_iso8601 ((midnight = g_strconcat (text, "T00:00:00Z", NULL)), NULL);

  if (dt == NULL)
    return FALSE;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  return TRUE;
}

static GRefString *
serialize (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);

  return g_ref_string_new (text);
}

static void
copy_member (JsonObject *to,
             JsonObject *from,
             const char *name)
{
  if (json_object_has_member (from, name))
    json_object_set_member (to, name, json_node_copy (json_object_get_member (from, name)));
}

/* Incremental syncs send deleted events as {kind, etag, id, status} (+ the
 * instance's recurringEventId and originalStartTime). */
static GRefString *
serialize_minimal (JsonObject *object)
{
  g_autoptr(JsonObject) minimal = json_object_new ();
  static const char * const members[] = { "kind", "etag", "id", "status", "updated",
                                          "recurringEventId", "originalStartTime" };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    copy_member (minimal, object, members[i]);

  return serialize (minimal);
}

/* Stamps @object (kind, etag, updated, status) and stores it in @calendar. */
static void
store_event (CalsyncFakeGoogle *self,
             FakeCalendar      *calendar,
             JsonObject        *object)
{
  const char *id = json_object_get_string_member (object, "id");
  FakeEvent *event = g_hash_table_lookup (calendar->events, id);
  g_autofree char *updated = format_updated (next_updated (self));
  g_autofree char *etag = NULL;

  if (event == NULL)
    {
      event = g_new0 (FakeEvent, 1);
      event->id = g_strdup (id);
      event->position = calendar->next_position++;
      g_hash_table_insert (calendar->events, event->id, event);
    }

  event->seq = ++self->seq;
  etag = g_strdup_printf ("\"%" G_GUINT64_FORMAT "\"", event->seq * 1000 + 7);
  json_object_set_string_member (object, "kind", "calendar#event");
  json_object_set_string_member (object, "etag", etag);
  json_object_set_string_member (object, "updated", updated);
  if (!json_object_has_member (object, "created"))
    json_object_set_string_member (object, "created", updated);
  if (!json_object_has_member (object, "status"))
    json_object_set_string_member (object, "status", "confirmed");

  event->cancelled = g_strcmp0 (json_object_get_string_member (object, "status"), "cancelled") == 0;
  if (!event_time (object, "start", &event->start_us) && !event->cancelled)
    g_critical ("Fake event %s has no valid start", id);
  if (!event_time (object, "end", &event->end_us))
    event->end_us = event->start_us;

  g_clear_pointer (&event->object, json_object_unref);
  g_clear_pointer (&event->json, g_ref_string_release);
  g_clear_pointer (&event->minimal_json, g_ref_string_release);
  event->object = json_object_ref (object);
  event->json = serialize (object);
  event->minimal_json = serialize_minimal (object);
}

/* Errors --------------------------------------------------------------------- */

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=UTF-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *reason,
               const char        *message,
               const char        *status_text)
{
  g_autofree char *body = NULL;

  body = g_strdup_printf ("{\"error\":{\"code\":%u,\"message\":\"%s\",\"errors\":[{\"domain\":\"global\","
                          "\"reason\":\"%s\",\"message\":\"%s\"}],\"status\":\"%s\"}}",
                          status, message, reason, message, status_text);
  respond_json (msg, status, body);
}

static void
respond_unauthorized (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
  respond_error (msg, 401, "authError",
                 "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                 "login cookie or other valid authentication credential.",
                 "UNAUTHENTICATED");
}

/* Answers 400; returns FALSE so that checks can end with it */
static gboolean
respond_bad_request (SoupServerMessage *msg,
                     const char        *message)
{
  respond_error (msg, 400, "invalid", message, "INVALID_ARGUMENT");
  return FALSE;
}

static void
respond_gone (SoupServerMessage *msg)
{
  respond_json (msg, 410,
                "{\"error\":{\"code\":410,\"message\":\"Sync token is no longer valid, a full sync is required.\","
                "\"errors\":[{\"domain\":\"global\",\"reason\":\"fullSyncRequired\","
                "\"message\":\"Sync token is no longer valid, a full sync is required.\"}]}}");
}

static void
respond_not_found (SoupServerMessage *msg)
{
  respond_error (msg, 404, "notFound", "Not Found", "NOT_FOUND");
}

/* Faults --------------------------------------------------------------------- */

static CalsyncFakeFault
take_fault (CalsyncFakeGoogle *self,
            const char        *calendar_id)
{
  const char *keys[] = { calendar_id, "" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gpointer value;

      if (keys[i] == NULL || !g_hash_table_lookup_extended (self->faults, keys[i], NULL, &value))
        continue;

      /* 401 and 429 happen once; the others until the fault is cleared */
      if (GPOINTER_TO_INT (value) == CALSYNC_FAKE_FAULT_UNAUTHORIZED ||
          GPOINTER_TO_INT (value) == CALSYNC_FAKE_FAULT_RATE_LIMIT)
        g_hash_table_remove (self->faults, keys[i]);
      return GPOINTER_TO_INT (value);
    }

  return CALSYNC_FAKE_FAULT_NONE;
}

/* Returns TRUE when a fault answered the request */
static gboolean
apply_fault (CalsyncFakeGoogle *self,
             SoupServerMessage *msg,
             const char        *calendar_id)
{
  static const char truncated[] = "{\"kind\":\"calendar#events\",\"items\":[{\"kind\":\"calendar#event\",\"id\":\"trunc";

  switch (take_fault (self, calendar_id))
    {
    case CALSYNC_FAKE_FAULT_UNAUTHORIZED:
      respond_unauthorized (msg);
      return TRUE;
    case CALSYNC_FAKE_FAULT_RATE_LIMIT:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      respond_json (msg, 429, "{\"error\":{\"code\":429,\"message\":\"Rate Limit Exceeded\",\"errors\":"
                              "[{\"domain\":\"usageLimits\",\"reason\":\"rateLimitExceeded\","
                              "\"message\":\"Rate Limit Exceeded\"}],\"status\":\"RESOURCE_EXHAUSTED\"}}");
      return TRUE;
    case CALSYNC_FAKE_FAULT_SERVER_ERROR:
      respond_error (msg, 500, "backendError", "Backend Error", "INTERNAL");
      return TRUE;
    case CALSYNC_FAKE_FAULT_MALFORMED:
      respond_json (msg, 200, "<html><body>Service temporarily unavailable</body></html>");
      return TRUE;
    case CALSYNC_FAKE_FAULT_TRUNCATED:
      respond_json (msg, 200, truncated);
      return TRUE;
    case CALSYNC_FAKE_FAULT_NONE:
    default:
      return FALSE;
    }
}

/* Pages ---------------------------------------------------------------------- */

static char *
new_token (CalsyncFakeGoogle *self,
           const char        *prefix)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%s%u_%s", prefix, ++self->n_tokens, uuid);
}

/* Cuts the next page off @cursor; appends "items" and the token members. */
static void
append_page (CalsyncFakeGoogle *self,
             Cursor            *cursor,
             GString           *body)
{
  guint end = MIN (cursor->items->len, cursor->offset + cursor->page_size);

  g_string_append (body, ",\"items\":[");
  for (guint i = cursor->offset; i < end; i++)
    {
      if (i > cursor->offset)
        g_string_append_c (body, ',');
      g_string_append (body, g_ptr_array_index (cursor->items, i));
    }
  g_string_append_c (body, ']');
  cursor->offset = end;

  if (end < cursor->items->len)
    {
      char *token = new_token (self, "p");

      g_string_append_printf (body, ",\"nextPageToken\":\"%s\"", token);
      g_hash_table_insert (self->cursors, token, cursor);
    }
  else
    {
      char *token = new_token (self, "s");
      SyncState *state = g_new0 (SyncState, 1);

      state->calendar_id = g_strdup (cursor->calendar_id ? cursor->calendar_id : "");
      state->seq = cursor->seq;
      g_string_append_printf (body, ",\"nextSyncToken\":\"%s\"", token);
      g_hash_table_insert (self->sync_tokens, token, state);
      cursor_free (cursor);
    }
}

static char *
query_signature (const char *user,
                 const char *path,
                 GHashTable *params)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (params), (GCompareFunc) strcmp);
  GString *signature = g_string_new (user);

  g_string_append_printf (signature, "\n%s", path);
  for (GList *l = keys; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "pageToken"))
      g_string_append_printf (signature, "\n%s=%s", (char *) l->data,
                              (char *) g_hash_table_lookup (params, l->data));

  return g_string_free (signature, FALSE);
}

/* Takes the cursor a pageToken names; NULL (and a 400) when it is unknown or
 * belongs to another query. */
static Cursor *
take_cursor (CalsyncFakeGoogle *self,
             SoupServerMessage *msg,
             const char        *page_token,
             const char        *signature)
{
  Cursor *cursor = NULL;
  gpointer key;

  if (!g_hash_table_lookup_extended (self->cursors, page_token, &key, (gpointer *) &cursor) ||
      !g_str_equal (cursor->signature, signature))
    {
      respond_bad_request (msg, "Invalid page token value.");
      return NULL;
    }

  g_hash_table_steal (self->cursors, page_token);
  g_free (key);
  return cursor;
}

/* Parameters -------------------------------------------------------------------- */

static gboolean
parse_int_param (const char *text,
                 guint       min,
                 guint       max,
                 guint      *value)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    return FALSE;

  *value = v;
  return TRUE;
}

/* RFC 3339 with a mandatory offset, as events.list requires for timeMin/timeMax */
static gboolean
parse_bound (const char *text,
             gint64     *usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return TRUE;
  if (strlen (text) < 20 || text[10] != 'T' || (dt = g_date_time_new_from_iso8601 (text, NULL)) == NULL)
    return FALSE;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  return TRUE;
}

static gboolean
is_bool_param (const char *text)
{
  return text == NULL || g_str_equal (text, "true") || g_str_equal (text, "false");
}

static gboolean
known_params (GHashTable         *params,
              const char * const *allowed)
{
  GHashTableIter iter;
  const char *name;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    if (!g_strv_contains (allowed, name))
      return FALSE;

  return TRUE;
}

typedef struct
{
  guint max_results;
  gint64 time_min;
  gint64 time_max;
  gboolean show_deleted;
  const char *sync_token;
  const char *page_token;
} EventsQuery;

static const char * const events_params[] = {
  "alwaysIncludeEmail", "eventTypes", "iCalUID", "maxAttendees", "maxResults", "orderBy",
  "pageToken", "privateExtendedProperty", "q", "sharedExtendedProperty", "showDeleted",
  "showHiddenInvitations", "singleEvents", "syncToken", "timeMax", "timeMin", "timeZone",
  "updatedMin", "alt", "fields", "prettyPrint", "quotaUser", "key", NULL
};

/* Parameters a syncToken cannot be combined with (events.list reference) */
static const char * const not_with_sync_token[] = {
  "iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty",
  "timeMin", "timeMax", "updatedMin", NULL
};

/* Checks the parameters as events.list documents them; answers 400 and returns FALSE otherwise */
static gboolean
parse_events_query (SoupServerMessage *msg,
                    GHashTable        *params,
                    EventsQuery       *query)
{
  const char *max_results = g_hash_table_lookup (params, "maxResults");
  const char *order_by = g_hash_table_lookup (params, "orderBy");
  const char *single = g_hash_table_lookup (params, "singleEvents");
  const char *show_deleted = g_hash_table_lookup (params, "showDeleted");

  query->max_results = EVENTS_DEFAULT_MAX_RESULTS;
  query->time_min = G_MININT64;
  query->time_max = G_MAXINT64;
  query->sync_token = g_hash_table_lookup (params, "syncToken");
  query->page_token = g_hash_table_lookup (params, "pageToken");
  query->show_deleted = g_strcmp0 (show_deleted, "true") == 0;

  if (!known_params (params, (const char * const *) events_params))
    return respond_bad_request (msg, "Unknown parameter.");
  if (!is_bool_param (single) || !is_bool_param (show_deleted))
    return respond_bad_request (msg, "Invalid boolean value.");
  if (max_results != NULL && !parse_int_param (max_results, 1, EVENTS_MAX_RESULTS, &query->max_results))
    return respond_bad_request (msg, "Invalid value for maxResults.");
  if (!parse_bound (g_hash_table_lookup (params, "timeMin"), &query->time_min) ||
      !parse_bound (g_hash_table_lookup (params, "timeMax"), &query->time_max))
    return respond_bad_request (msg, "Bad Request: timeMin and timeMax need an RFC 3339 timestamp with a time zone offset.");
  if (query->time_min >= query->time_max)
    return respond_bad_request (msg, "The specified time range is empty.");
  if (order_by != NULL && !(g_str_equal (order_by, "updated") ||
                            (g_str_equal (order_by, "startTime") && g_strcmp0 (single, "true") == 0)))
    return respond_bad_request (msg, "The requested ordering is not available for the particular query.");

  if (query->sync_token != NULL)
    {
      for (guint i = 0; not_with_sync_token[i] != NULL; i++)
        if (g_hash_table_contains (params, not_with_sync_token[i]))
          return respond_bad_request (msg, "Invalid parameters: syncToken cannot be combined with "
                                           "timeMin, timeMax, orderBy, q, updatedMin or iCalUID.");
      if (g_strcmp0 (show_deleted, "false") == 0)
        return respond_bad_request (msg, "showDeleted cannot be false with a syncToken.");
    }

  return TRUE;
}

/* Listings ---------------------------------------------------------------------- */

static int
compare_position (gconstpointer a,
                  gconstpointer b)
{
  const FakeEvent *ea = *(FakeEvent * const *) a;
  const FakeEvent *eb = *(FakeEvent * const *) b;

  return ea->position < eb->position ? -1 : ea->position > eb->position;
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  const FakeEvent *ea = *(FakeEvent * const *) a;
  const FakeEvent *eb = *(FakeEvent * const *) b;

  return ea->seq < eb->seq ? -1 : ea->seq > eb->seq;
}

/* Full listing: events overlapping [timeMin, timeMax) (end > timeMin, start < timeMax),
 * deleted ones only with showDeleted; incremental: every change after @since_seq,
 * deleted ones as minimal objects, in update order. */
static GPtrArray *
collect_items (FakeCalendar      *calendar,
               const EventsQuery *query,
               gboolean           incremental,
               guint64            since_seq)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ref_string_release);
  GHashTableIter iter;
  FakeEvent *event;

  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    {
      if (incremental ? event->seq <= since_seq
                      : (event->cancelled && !query->show_deleted) ||
                        event->end_us <= query->time_min || event->start_us >= query->time_max)
        continue;
      g_ptr_array_add (matches, event);
    }

  g_ptr_array_sort (matches, incremental ? compare_seq : compare_position);
  for (guint i = 0; i < matches->len; i++)
    {
      FakeEvent *match = g_ptr_array_index (matches, i);

      g_ptr_array_add (items, g_ref_string_acquire (match->cancelled ? match->minimal_json : match->json));
    }

  return items;
}

static gboolean
user_has_calendar (CalsyncFakeGoogle *self,
                   const char        *email,
                   const char        *calendar_id)
{
  GPtrArray *entries = g_hash_table_lookup (self->calendar_lists, email);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    if (g_str_equal (((ListEntry *) g_ptr_array_index (entries, i))->id, calendar_id))
      return TRUE;

  return FALSE;
}

/* A new cursor for the first page of a listing, or NULL after answering 410 */
static Cursor *
start_events_listing (CalsyncFakeGoogle *self,
                      SoupServerMessage *msg,
                      FakeCalendar      *calendar,
                      const EventsQuery *query)
{
  SyncState *state = NULL;
  Cursor *cursor;

  if (query->sync_token != NULL &&
      ((state = g_hash_table_lookup (self->sync_tokens, query->sync_token)) == NULL ||
       !g_str_equal (state->calendar_id, calendar->id)))
    {
      respond_gone (msg);
      return NULL;
    }

  cursor = g_new0 (Cursor, 1);
  cursor->calendar_id = g_strdup (calendar->id);
  cursor->seq = self->seq;
  cursor->items = collect_items (calendar, query, state != NULL, state ? state->seq : 0);
  return cursor;
}

static void
serve_events (CalsyncFakeGoogle *self,
              SoupServerMessage *msg,
              const char        *email,
              const char        *calendar_id,
              GHashTable        *params)
{
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);
  g_autofree char *signature = NULL;
  g_autofree char *updated = format_updated (self->last_updated_us);
  GString *body;
  EventsQuery query;
  Cursor *cursor;

  if (calendar == NULL || !user_has_calendar (self, email, calendar_id))
    {
      respond_not_found (msg);
      return;
    }
  if (!parse_events_query (msg, params, &query))
    return;

  signature = query_signature (email, g_uri_get_path (soup_server_message_get_uri (msg)), params);
  cursor = query.page_token ? take_cursor (self, msg, query.page_token, signature)
                            : start_events_listing (self, msg, calendar, &query);
  if (cursor == NULL)
    return;

  g_free (cursor->signature);
  cursor->signature = g_steal_pointer (&signature);
  cursor->page_size = MIN (query.max_results, self->page_size);

  body = g_string_new ("{\"kind\":\"calendar#events\",\"etag\":\"\\\"p33\\\"\",\"summary\":");
  append_json_string (body, calendar->summary);
  g_string_append_printf (body, ",\"description\":\"\",\"updated\":\"%s\",\"timeZone\":\"UTC\","
                                "\"accessRole\":\"owner\",\"defaultReminders\":[]", updated);
  append_page (self, cursor, body);
  g_string_append_c (body, '}');

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json; charset=UTF-8", SOUP_MEMORY_TAKE,
                                    body->str, body->len);
  g_string_free (body, FALSE);
}

static void
append_json_string (GString    *body,
                    const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *json = json_to_string (node, FALSE);

  g_string_append (body, json);
}

static GRefString *
serialize_list_entry (ListEntry *entry)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "kind", "calendar#calendarListEntry");
  json_object_set_string_member (object, "etag", "\"1600000000000000\"");
  json_object_set_string_member (object, "id", entry->id);
  json_object_set_string_member (object, "summary", entry->summary);
  json_object_set_string_member (object, "timeZone", "UTC");
  json_object_set_string_member (object, "colorId", entry->primary ? "14" : "7");
  json_object_set_string_member (object, "backgroundColor", entry->primary ? "#9fe1e7" : "#42d692");
  json_object_set_string_member (object, "foregroundColor", "#000000");
  json_object_set_boolean_member (object, "selected", TRUE);
  json_object_set_string_member (object, "accessRole", "owner");
  json_object_set_array_member (object, "defaultReminders", json_array_new ());
  if (entry->primary)
    json_object_set_boolean_member (object, "primary", TRUE);

  return serialize (object);
}

static void
serve_calendar_list (CalsyncFakeGoogle *self,
                     SoupServerMessage *msg,
                     const char        *email,
                     GHashTable        *params)
{
  static const char * const allowed[] = { "maxResults", "minAccessRole", "pageToken", "showDeleted",
                                          "showHidden", "syncToken", "alt", "fields", "prettyPrint", NULL };
  GPtrArray *entries = g_hash_table_lookup (self->calendar_lists, email);
  const char *page_token = g_hash_table_lookup (params, "pageToken");
  const char *max_results = g_hash_table_lookup (params, "maxResults");
  g_autofree char *signature = query_signature (email, "calendarList", params);
  guint page_size = CALENDAR_LIST_DEFAULT_MAX_RESULTS;
  GString *body;
  Cursor *cursor;

  if (!known_params (params, allowed) ||
      (max_results != NULL && !parse_int_param (max_results, 1, CALENDAR_LIST_MAX_RESULTS, &page_size)))
    {
      respond_bad_request (msg, "Invalid parameters.");
      return;
    }

  if (page_token != NULL && (cursor = take_cursor (self, msg, page_token, signature)) == NULL)
    return;
  if (page_token == NULL)
    {
      cursor = g_new0 (Cursor, 1);
      cursor->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ref_string_release);
      for (guint i = 0; entries != NULL && i < entries->len; i++)
        g_ptr_array_add (cursor->items, serialize_list_entry (g_ptr_array_index (entries, i)));
      cursor->signature = g_strdup (signature);
    }
  cursor->page_size = MIN (page_size, self->page_size);

  body = g_string_new ("{\"kind\":\"calendar#calendarList\",\"etag\":\"\\\"p1\\\"\"");
  append_page (self, cursor, body);
  g_string_append_c (body, '}');
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json; charset=UTF-8", SOUP_MEMORY_TAKE,
                                    body->str, body->len);
  g_string_free (body, FALSE);
}

/* The calendar id of ".../calendars/{id}/events", decoded; NULL for other paths */
static char *
events_calendar_id (const char *path)
{
  const char *start = path + strlen (API_PREFIX "/calendars/");
  const char *slash;

  if (!g_str_has_prefix (path, API_PREFIX "/calendars/") || (slash = strchr (start, '/')) == NULL ||
      !g_str_equal (slash, "/events") || slash == start)
    return NULL;

  return g_uri_unescape_segment (start, slash, NULL);
}

static void
serve_api (CalsyncFakeGoogle *self,
           SoupServerMessage *msg,
           const char        *path,
           const char        *email,
           const char        *calendar_id)
{
  const char *raw_query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) params = NULL;

  params = raw_query ? g_uri_parse_params (raw_query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL)
                     : g_hash_table_new (g_str_hash, g_str_equal);
  if (params == NULL)
    respond_bad_request (msg, "Invalid query.");
  else if (g_str_equal (path, API_PREFIX "/users/me/calendarList"))
    serve_calendar_list (self, msg, email, params);
  else if (calendar_id != NULL)
    serve_events (self, msg, email, calendar_id, params);
  else
    respond_not_found (msg);
}

static void
api_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  CalsyncFakeGoogle *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *email = calsync_fake_oauth_check_bearer (self->oauth,
                                                       soup_message_headers_get_one (headers, "Authorization"));
  g_autofree char *calendar_id = events_calendar_id (path);

  self->n_requests++;

  if (!g_str_equal (soup_server_message_get_method (msg), "GET"))
    soup_server_message_set_status (msg, 405, NULL);
  else if (email == NULL)
    respond_unauthorized (msg);
  else if (!apply_fault (self, msg, calendar_id))
    serve_api (self, msg, path, email, calendar_id);
}

/* GObject -------------------------------------------------------------------- */

static void
calsync_fake_google_finalize (GObject *object)
{
  CalsyncFakeGoogle *self = (CalsyncFakeGoogle *) object;

  soup_server_disconnect (self->server);
  soup_server_remove_handler (self->server, API_PREFIX);
  g_clear_object (&self->oauth);
  g_clear_object (&self->server);
  g_free (self->api_url);
  g_free (self->auth_url);
  g_free (self->token_url);
  g_hash_table_unref (self->calendar_lists);
  g_hash_table_unref (self->calendars);
  g_hash_table_unref (self->cursors);
  g_hash_table_unref (self->sync_tokens);
  g_hash_table_unref (self->faults);

  G_OBJECT_CLASS (calsync_fake_google_parent_class)->finalize (object);
}

static void
calsync_fake_google_class_init (CalsyncFakeGoogleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_fake_google_finalize;
}

static void
calsync_fake_google_init (CalsyncFakeGoogle *self)
{
  self->page_size = EVENTS_MAX_RESULTS;
  self->calendar_lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
  self->calendars = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) fake_calendar_free);
  self->cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cursor_free);
  self->sync_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) sync_state_free);
  self->faults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * calsync_fake_google_new:
 *
 * Starts the fake on 127.0.0.1 with a random port. It serves from the thread
 * default main context of the caller and stops when finalized.
 */
CalsyncFakeGoogle *
calsync_fake_google_new (void)
{
  g_autoptr(CalsyncFakeGoogle) self = g_object_new (CALSYNC_TYPE_FAKE_GOOGLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *base = NULL;

  self->server = soup_server_new ("server-header", "ESF", NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Fake Google cannot listen: %s", error->message);

  uris = soup_server_get_uris (self->server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  self->api_url = g_strconcat (base, API_PREFIX, NULL);
  self->auth_url = g_strconcat (base, OAUTH_PREFIX "/auth", NULL);
  self->token_url = g_strconcat (base, OAUTH_PREFIX "/token", NULL);

  self->oauth = calsync_fake_oauth_new (self->server, OAUTH_PREFIX, CLIENT_ID, CLIENT_SECRET);
  soup_server_add_handler (self->server, API_PREFIX, api_handler, self, NULL);

  return g_steal_pointer (&self);
}

const char *
calsync_fake_google_get_api_url (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);
  return self->api_url;
}

const char *
calsync_fake_google_get_auth_url (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);
  return self->auth_url;
}

const char *
calsync_fake_google_get_token_url (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);
  return self->token_url;
}

CalsyncFakeOAuth *
calsync_fake_google_get_oauth (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);
  return self->oauth;
}

void
calsync_fake_google_export_env (CalsyncFakeGoogle *self)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  g_setenv ("CALSYNC_GOOGLE_API_URL", self->api_url, TRUE);
  g_setenv ("CALSYNC_GOOGLE_AUTH_URL", self->auth_url, TRUE);
  g_setenv ("CALSYNC_GOOGLE_TOKEN_URL", self->token_url, TRUE);
  g_setenv ("CALSYNC_GOOGLE_CLIENT_ID", CLIENT_ID, TRUE);
  g_setenv ("CALSYNC_GOOGLE_CLIENT_SECRET", CLIENT_SECRET, TRUE);
}

void
calsync_fake_google_add_calendar (CalsyncFakeGoogle *self,
                                  const char        *email,
                                  const char        *calendar_id,
                                  const char        *summary,
                                  gboolean           primary)
{
  GPtrArray *entries;
  ListEntry *entry;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (email != NULL && calendar_id != NULL);
  g_return_if_fail (!primary || g_str_equal (email, calendar_id));

  if ((entries = g_hash_table_lookup (self->calendar_lists, email)) == NULL)
    {
      entries = g_ptr_array_new_with_free_func ((GDestroyNotify) list_entry_free);
      g_hash_table_insert (self->calendar_lists, g_strdup (email), entries);
    }

  entry = g_new0 (ListEntry, 1);
  entry->id = g_strdup (calendar_id);
  entry->summary = g_strdup (summary ? summary : calendar_id);
  entry->primary = primary;
  g_ptr_array_add (entries, entry);

  g_free (ensure_calendar (self, calendar_id)->summary);
  ensure_calendar (self, calendar_id)->summary = g_strdup (entry->summary);
}

void
calsync_fake_google_put_event (CalsyncFakeGoogle *self,
                               const char        *calendar_id,
                               const char        *event_json)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (calendar_id != NULL && event_json != NULL);

  node = json_from_string (event_json, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL) == NULL)
    {
      g_critical ("Fake event is not an object with an id: %s", error ? error->message : event_json);
      return;
    }

  store_event (self, ensure_calendar (self, calendar_id), json_node_get_object (node));
}

void
calsync_fake_google_cancel_event (CalsyncFakeGoogle *self,
                                  const char        *calendar_id,
                                  const char        *event_id)
{
  FakeCalendar *calendar;
  FakeEvent *event;
  g_autoptr(JsonObject) object = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  calendar = g_hash_table_lookup (self->calendars, calendar_id);
  event = calendar ? g_hash_table_lookup (calendar->events, event_id) : NULL;
  g_return_if_fail (event != NULL);

  object = json_object_ref (event->object);
  json_object_set_string_member (object, "status", "cancelled");
  store_event (self, calendar, object);
}

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

  calendar = ensure_calendar (self, calendar_id);
  for (guint i = 0; i < n; i++)
    {
      guint index = g_hash_table_size (calendar->events);
      gboolean all_day = index % 7 == 0;
      gint64 start = first + (span / MAX (n, 1)) * i;
      g_autoptr(JsonObject) object = NULL;

      start = all_day ? start - start % 86400 : start - start % 900;
      object = generated_event (calendar_id, index, start, all_day);
      store_event (self, calendar, object);
    }
}

void
calsync_fake_google_set_page_size (CalsyncFakeGoogle *self,
                                   guint              page_size)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (page_size > 0);

  self->page_size = page_size;
}

void
calsync_fake_google_expire_sync_tokens (CalsyncFakeGoogle *self)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  g_hash_table_remove_all (self->sync_tokens);
}

void
calsync_fake_google_set_fault (CalsyncFakeGoogle *self,
                               const char        *calendar_id,
                               CalsyncFakeFault   fault)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  if (fault == CALSYNC_FAKE_FAULT_NONE)
    g_hash_table_remove (self->faults, calendar_id ? calendar_id : "");
  else
    g_hash_table_insert (self->faults, g_strdup (calendar_id ? calendar_id : ""), GINT_TO_POINTER (fault));
}

guint
calsync_fake_google_get_n_requests (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), 0);

  return self->n_requests;
}
