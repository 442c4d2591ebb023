/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google-serve.c: the requests of the fake Google Calendar API,
 * strict where the documentation is: events.list and calendarList.list
 * parameters, pages, nextSyncToken, syncToken with time bounds → 400, stale
 * token → 410, removed calendars → 404, and the injected faults. */
#define G_LOG_DOMAIN "calsync-fake-google"

#include "config.h"

#include <string.h>

#include "calsync-fake-google-private.h"

/* Errors --------------------------------------------------------------------- */

static void
respond_text (CalsyncFakeGoogle *self,
              SoupServerMessage *msg,
              guint              status,
              const char        *body)
{
  calsync_fake_google_respond (self, msg, status, g_string_new (body));
}

static void
append_json_string (GString    *body,
                    const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *json = json_to_string (node, FALSE);

  g_string_append (body, json);
}

void
calsync_fake_google_respond_error (CalsyncFakeGoogle *self,
                                   SoupServerMessage *msg,
                                   guint              status,
                                   const char        *reason,
                                   const char        *message,
                                   const char        *status_text)
{
  GString *body = g_string_new (NULL);

  g_string_append_printf (body, "{\"error\":{\"code\":%u,\"message\":", status);
  append_json_string (body, message);
  g_string_append_printf (body, ",\"errors\":[{\"domain\":\"global\",\"reason\":\"%s\",\"message\":", reason);
  append_json_string (body, message);
  g_string_append_printf (body, "}],\"status\":\"%s\"}}", status_text);
  calsync_fake_google_respond (self, msg, status, body);
}

static void
respond_unauthorized (CalsyncFakeGoogle *self,
                      SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
  calsync_fake_google_respond_error (self, msg, 401, "authError",
                                     "Request had invalid authentication credentials. Expected OAuth 2 "
                                     "access token, login cookie or other valid authentication credential.",
                                     "UNAUTHENTICATED");
}

/* Answers 400; returns FALSE so that checks can end with it */
static gboolean
respond_bad_request (CalsyncFakeGoogle *self,
                     SoupServerMessage *msg,
                     const char        *message)
{
  calsync_fake_google_respond_error (self, msg, 400, "invalid", message, "INVALID_ARGUMENT");
  return FALSE;
}

static void
respond_gone (CalsyncFakeGoogle *self,
              SoupServerMessage *msg)
{
  respond_text (self, msg, 410,
                "{\"error\":{\"code\":410,\"message\":\"Sync token is no longer valid, a full sync is required.\","
                "\"errors\":[{\"domain\":\"global\",\"reason\":\"fullSyncRequired\","
                "\"message\":\"Sync token is no longer valid, a full sync is required.\"}]}}");
}

static void
respond_not_found (CalsyncFakeGoogle *self,
                   SoupServerMessage *msg)
{
  calsync_fake_google_respond_error (self, msg, 404, "notFound", "Not Found", "NOT_FOUND");
}

/* Faults answered at once; returns TRUE when one answered the request */
static gboolean
apply_fault (CalsyncFakeGoogle *self,
             SoupServerMessage *msg,
             const char        *calendar_id)
{
  static const char truncated[] = "{\"kind\":\"calendar#events\",\"items\":[{\"kind\":\"calendar#event\",\"id\":\"trunc";

  switch (calsync_fake_google_take_fault (self, calendar_id))
    {
    case CALSYNC_FAKE_FAULT_UNAUTHORIZED:
      respond_unauthorized (self, msg);
      return TRUE;
    case CALSYNC_FAKE_FAULT_RATE_LIMIT:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      respond_text (self, msg, 429, "{\"error\":{\"code\":429,\"message\":\"Rate Limit Exceeded\",\"errors\":"
                                    "[{\"domain\":\"usageLimits\",\"reason\":\"rateLimitExceeded\","
                                    "\"message\":\"Rate Limit Exceeded\"}],\"status\":\"RESOURCE_EXHAUSTED\"}}");
      return TRUE;
    case CALSYNC_FAKE_FAULT_SERVER_ERROR:
      calsync_fake_google_respond_error (self, msg, 500, "backendError", "Backend Error", "INTERNAL");
      return TRUE;
    case CALSYNC_FAKE_FAULT_MALFORMED:
      respond_text (self, msg, 200, "<html><body>Service temporarily unavailable</body></html>");
      return TRUE;
    case CALSYNC_FAKE_FAULT_TRUNCATED:
      respond_text (self, msg, 200, truncated);
      return TRUE;
    case CALSYNC_FAKE_FAULT_DEEP_NESTING:
      calsync_fake_google_respond_nested (self, msg);
      return TRUE;
    case CALSYNC_FAKE_FAULT_REPEATED_PAGE_TOKEN:
    case CALSYNC_FAKE_FAULT_ENDLESS_PAGES:
    case CALSYNC_FAKE_FAULT_TRICKLE:
    case CALSYNC_FAKE_FAULT_HUGE_FIELD:
    case CALSYNC_FAKE_FAULT_NONE:
    default:
      return FALSE;
    }
}

/* Cursors and pages ----------------------------------------------------------------- */

Cursor *
cursor_ref (Cursor *cursor)
{
  g_atomic_ref_count_inc (&cursor->ref_count);
  return cursor;
}

void
cursor_unref (Cursor *cursor)
{
  if (!g_atomic_ref_count_dec (&cursor->ref_count))
    return;

  g_free (cursor->signature);
  g_ptr_array_unref (cursor->items);
  g_free (cursor->calendar_id);
  g_free (cursor->sync_token);
  g_free (cursor->repeated_token);
  g_hash_table_unref (cursor->next_tokens);
  g_free (cursor);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cursor, cursor_unref)

static Cursor *
cursor_new (const char *calendar_id,
            guint64     seq,
            GPtrArray  *items)
{
  Cursor *cursor = g_new0 (Cursor, 1);

  g_atomic_ref_count_init (&cursor->ref_count);
  cursor->calendar_id = g_strdup (calendar_id);
  cursor->seq = seq;
  cursor->items = items;
  cursor->next_tokens = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return cursor;
}

void
page_ref_free (PageRef *ref)
{
  cursor_unref (ref->cursor);
  g_free (ref);
}

void
sync_state_free (SyncState *state)
{
  g_free (state->calendar_id);
  g_free (state->user);
  g_free (state);
}

static char *
new_token (CalsyncFakeGoogle *self,
           const char        *prefix)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%s%u_%s", prefix, ++self->n_tokens, uuid);
}

static const char *
add_page_ref (CalsyncFakeGoogle *self,
              Cursor            *cursor,
              guint              offset)
{
  char *token = new_token (self, "p");
  PageRef *ref = g_new0 (PageRef, 1);

  ref->cursor = cursor_ref (cursor);
  ref->offset = offset;
  g_hash_table_insert (self->page_refs, token, ref);
  return token;
}

typedef enum
{
  PAGES_NORMAL,
  PAGES_REPEATED,   /* CALSYNC_FAKE_FAULT_REPEATED_PAGE_TOKEN */
  PAGES_ENDLESS,    /* CALSYNC_FAKE_FAULT_ENDLESS_PAGES */
} PageMode;

static PageMode
page_mode (CalsyncFakeGoogle *self,
           const char        *calendar_id)
{
  switch (calsync_fake_google_peek_fault (self, calendar_id))
    {
    case CALSYNC_FAKE_FAULT_REPEATED_PAGE_TOKEN:
      return PAGES_REPEATED;
    case CALSYNC_FAKE_FAULT_ENDLESS_PAGES:
      return PAGES_ENDLESS;
    default:
      return PAGES_NORMAL;
    }
}

/* Appends the items of the page at @offset to @head ("items":[ … without the
 * closing bracket) and the rest of the page to @tail (], the token members, }). */
static void
append_page (CalsyncFakeGoogle *self,
             Cursor            *cursor,
             guint              offset,
             PageMode           mode,
             GString           *head,
             GString           *tail)
{
  guint start = mode == PAGES_REPEATED ? 0 : offset;
  guint end = mode == PAGES_ENDLESS ? start : MIN (cursor->items->len, start + cursor->page_size);

  g_string_append (head, ",\"items\":[");
  for (guint i = start; i < end; i++)
    {
      if (i > start)
        g_string_append_c (head, ',');
      g_string_append (head, g_ptr_array_index (cursor->items, i));
    }
  g_string_append_c (tail, ']');

  if (mode == PAGES_REPEATED)
    {
      if (cursor->repeated_token == NULL)
        cursor->repeated_token = g_strdup (add_page_ref (self, cursor, 0));
      g_string_append_printf (tail, ",\"nextPageToken\":\"%s\"", cursor->repeated_token);
    }
  else if (mode == PAGES_ENDLESS)
    g_string_append_printf (tail, ",\"nextPageToken\":\"%s\"", add_page_ref (self, cursor, end));
  else if (end < cursor->items->len)
    {
      const char *token = g_hash_table_lookup (cursor->next_tokens, GUINT_TO_POINTER (end));

      if (token == NULL)
        g_hash_table_insert (cursor->next_tokens, GUINT_TO_POINTER (end),
                             g_strdup ((token = add_page_ref (self, cursor, end))));
      g_string_append_printf (tail, ",\"nextPageToken\":\"%s\"", token);
    }
  else
    {
      if (cursor->sync_token == NULL)
        {
          SyncState *state = g_new0 (SyncState, 1);

          cursor->sync_token = new_token (self, "s");
          state->calendar_id = g_strdup (cursor->calendar_id);
          state->user = g_strndup (cursor->signature, strcspn (cursor->signature, "\n"));
          state->seq = cursor->seq;
          g_hash_table_insert (self->sync_tokens, g_strdup (cursor->sync_token), state);
        }
      g_string_append_printf (tail, ",\"nextSyncToken\":\"%s\"", cursor->sync_token);
    }
  g_string_append_c (tail, '}');
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

/* The page a pageToken names; NULL (and a 400) when it is unknown or belongs to
 * another query. Tokens stay valid: a client may ask for a page again. */
static PageRef *
lookup_page (CalsyncFakeGoogle *self,
             SoupServerMessage *msg,
             const char        *page_token,
             const char        *signature)
{
  PageRef *ref = g_hash_table_lookup (self->page_refs, page_token);

  if (ref == NULL || !g_str_equal (ref->cursor->signature, signature))
    {
      respond_bad_request (self, msg, "Invalid page token value.");
      return NULL;
    }

  return ref;
}

/* Sends the page: at once, or as a fault streams it */
static void
send_page (CalsyncFakeGoogle *self,
           SoupServerMessage *msg,
           const char        *calendar_id,
           GString           *head,
           GString           *tail,
           const char        *huge_day)
{
  CalsyncFakeFault fault = calsync_fake_google_peek_fault (self, calendar_id);

  if (fault == CALSYNC_FAKE_FAULT_HUGE_FIELD && huge_day != NULL)
    {
      GString *rest = g_string_new ("\",\"start\":{\"dateTime\":\"");

      g_string_append_printf (rest, "%sT09:00:00Z\"},\"end\":{\"dateTime\":\"%sT10:00:00Z\"}}",
                              huge_day, huge_day);
      g_string_append_len (rest, tail->str, tail->len);
      g_string_free (tail, TRUE);
      if (head->str[head->len - 1] != '[')
        g_string_append_c (head, ',');
      g_string_append (head, "{\"kind\":\"calendar#event\",\"etag\":\"\\\"1\\\"\",\"id\":\"huge\","
                             "\"status\":\"confirmed\",\"summary\":\"");
      calsync_fake_google_respond_huge (self, msg, head, rest);
      return;
    }

  g_string_append_len (head, tail->str, tail->len);
  g_string_free (tail, TRUE);
  if (fault == CALSYNC_FAKE_FAULT_TRICKLE)
    calsync_fake_google_respond_trickle (self, msg, head);
  else
    calsync_fake_google_respond (self, msg, 200, head);
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
parse_events_query (CalsyncFakeGoogle *self,
                    SoupServerMessage *msg,
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
    return respond_bad_request (self, msg, "Unknown parameter.");
  if (!is_bool_param (single) || !is_bool_param (show_deleted))
    return respond_bad_request (self, msg, "Invalid boolean value.");
  if (max_results != NULL && !parse_int_param (max_results, 1, EVENTS_MAX_RESULTS, &query->max_results))
    return respond_bad_request (self, msg, "Invalid value for maxResults.");
  if (!parse_bound (g_hash_table_lookup (params, "timeMin"), &query->time_min) ||
      !parse_bound (g_hash_table_lookup (params, "timeMax"), &query->time_max))
    return respond_bad_request (self, msg, "Bad Request: timeMin and timeMax need an RFC 3339 timestamp "
                                           "with a time zone offset.");
  if (query->time_min >= query->time_max)
    return respond_bad_request (self, msg, "The specified time range is empty.");
  if (order_by != NULL && !(g_str_equal (order_by, "updated") ||
                            (g_str_equal (order_by, "startTime") && g_strcmp0 (single, "true") == 0)))
    return respond_bad_request (self, msg, "The requested ordering is not available for the particular query.");

  if (query->sync_token != NULL)
    {
      for (guint i = 0; not_with_sync_token[i] != NULL; i++)
        if (g_hash_table_contains (params, not_with_sync_token[i]))
          return respond_bad_request (self, msg, "Invalid parameters: syncToken cannot be combined with "
                                                 "timeMin, timeMax, orderBy, q, updatedMin or iCalUID.");
      if (g_strcmp0 (show_deleted, "false") == 0)
        return respond_bad_request (self, msg, "showDeleted cannot be false with a syncToken.");
    }

  return TRUE;
}

/* Events listings -------------------------------------------------------------------- */

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

static gboolean
in_full_listing (const FakeEvent   *event,
                 const EventsQuery *query)
{
  if (event->cancelled && !query->show_deleted)
    return FALSE;
  return event->untimed || (event->end_us > query->time_min && event->start_us < query->time_max);
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
    if (incremental ? event->seq > since_seq : in_full_listing (event, query))
      g_ptr_array_add (matches, event);

  g_ptr_array_sort (matches, incremental ? compare_seq : compare_position);
  for (guint i = 0; i < matches->len; i++)
    {
      FakeEvent *match = g_ptr_array_index (matches, i);

      g_ptr_array_add (items, g_ref_string_acquire (match->cancelled ? match->minimal_json : match->json));
    }

  return items;
}

/* A new cursor for the first page of a listing, or NULL after answering 410 */
static Cursor *
start_events_listing (CalsyncFakeGoogle *self,
                      SoupServerMessage *msg,
                      const char        *email,
                      FakeCalendar      *calendar,
                      const EventsQuery *query)
{
  SyncState *state = NULL;

  if (query->sync_token != NULL &&
      ((state = g_hash_table_lookup (self->sync_tokens, query->sync_token)) == NULL ||
       !g_str_equal (state->calendar_id, calendar->id) || !g_str_equal (state->user, email)))
    {
      respond_gone (self, msg);
      return NULL;
    }

  return cursor_new (calendar->id, self->seq,
                     collect_items (calendar, query, state != NULL, state ? state->seq : 0));
}

/* The day (YYYY-MM-DD) of the extra event of CALSYNC_FAKE_FAULT_HUGE_FIELD:
 * inside the listing's window */
static char *
huge_event_day (const EventsQuery *query)
{
  gint64 start = query->time_min != G_MININT64 ? query->time_min / G_USEC_PER_SEC + 86400
                                               : G_GINT64_CONSTANT (1781604000); /* 2026-06-16 */
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (start);

  return g_date_time_format (dt, "%Y-%m-%d");
}

static void
serve_events (CalsyncFakeGoogle *self,
              SoupServerMessage *msg,
              const char        *email,
              const char        *calendar_id,
              GHashTable        *params)
{
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);
  ListEntry *entry = calsync_fake_google_find_entry (self, email, calendar_id);
  g_autofree char *signature = NULL;
  g_autofree char *updated = calsync_fake_google_format_updated (self->last_updated_us);
  g_autofree char *huge_day = NULL;
  g_autoptr(Cursor) cursor = NULL;
  GString *head;
  GString *tail;
  EventsQuery query;
  PageRef *ref = NULL;

  if (calendar == NULL || entry == NULL || entry->deleted)
    {
      respond_not_found (self, msg);
      return;
    }
  if (!parse_events_query (self, msg, params, &query))
    return;

  signature = query_signature (email, g_uri_get_path (soup_server_message_get_uri (msg)), params);
  if (query.page_token != NULL && (ref = lookup_page (self, msg, query.page_token, signature)) == NULL)
    return;
  cursor = ref ? cursor_ref (ref->cursor) : start_events_listing (self, msg, email, calendar, &query);
  if (cursor == NULL)
    return;
  if (ref == NULL)
    {
      cursor->signature = g_steal_pointer (&signature);
      cursor->page_size = MIN (query.max_results, self->page_size);
    }

  head = g_string_new ("{\"kind\":\"calendar#events\",\"etag\":\"\\\"p33\\\"\",\"summary\":");
  append_json_string (head, calendar->summary);
  g_string_append_printf (head, ",\"description\":\"\",\"updated\":\"%s\",\"timeZone\":\"UTC\","
                                "\"accessRole\":\"owner\",\"defaultReminders\":[]", updated);
  tail = g_string_new (NULL);
  append_page (self, cursor, ref ? ref->offset : 0, page_mode (self, calendar_id), head, tail);
  huge_day = huge_event_day (&query);
  send_page (self, msg, calendar_id, head, tail, huge_day);
}

/* Calendar list ------------------------------------------------------------------ */

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
  json_object_set_string_member (object, "accessRole", entry->access_role ? entry->access_role : "owner");
  json_object_set_array_member (object, "defaultReminders", json_array_new ());
  if (entry->primary)
    json_object_set_boolean_member (object, "primary", TRUE);
  if (entry->deleted)
    json_object_set_boolean_member (object, "deleted", TRUE);

  return calsync_fake_google_serialize (object);
}

/* calendarList.list: "All entries deleted and hidden since the previous list
 * request will always be in the result set and it is not allowed to set
 * showDeleted neither showHidden to False"; minAccessRole cannot go with it. */
static gboolean
check_calendar_list_query (CalsyncFakeGoogle *self,
                           SoupServerMessage *msg,
                           GHashTable        *params,
                           guint             *page_size)
{
  static const char * const allowed[] = { "maxResults", "minAccessRole", "pageToken", "showDeleted",
                                          "showHidden", "syncToken", "alt", "fields", "prettyPrint", NULL };
  const char *max_results = g_hash_table_lookup (params, "maxResults");

  *page_size = CALENDAR_LIST_DEFAULT_MAX_RESULTS;
  if (!known_params (params, allowed) ||
      !is_bool_param (g_hash_table_lookup (params, "showDeleted")) ||
      !is_bool_param (g_hash_table_lookup (params, "showHidden")) ||
      (max_results != NULL && !parse_int_param (max_results, 1, CALENDAR_LIST_MAX_RESULTS, page_size)))
    return respond_bad_request (self, msg, "Invalid parameters.");

  if (g_hash_table_contains (params, "syncToken") &&
      (g_hash_table_contains (params, "minAccessRole") ||
       g_strcmp0 (g_hash_table_lookup (params, "showDeleted"), "false") == 0 ||
       g_strcmp0 (g_hash_table_lookup (params, "showHidden"), "false") == 0))
    return respond_bad_request (self, msg, "Invalid parameters: syncToken cannot be combined with "
                                           "minAccessRole, or with showDeleted or showHidden false.");
  return TRUE;
}

/* A new cursor over @email's calendarList, or NULL after answering 410 */
static Cursor *
start_calendar_list (CalsyncFakeGoogle *self,
                     SoupServerMessage *msg,
                     const char        *email,
                     GHashTable        *params)
{
  GPtrArray *entries = g_hash_table_lookup (self->calendar_lists, email);
  const char *sync_token = g_hash_table_lookup (params, "syncToken");
  gboolean show_deleted = g_strcmp0 (g_hash_table_lookup (params, "showDeleted"), "true") == 0;
  SyncState *state = NULL;
  GPtrArray *items;

  if (sync_token != NULL &&
      ((state = g_hash_table_lookup (self->sync_tokens, sync_token)) == NULL ||
       !g_str_equal (state->calendar_id, "") || !g_str_equal (state->user, email)))
    {
      respond_gone (self, msg);
      return NULL;
    }

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ref_string_release);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      ListEntry *entry = g_ptr_array_index (entries, i);

      if (state != NULL ? entry->seq > state->seq : (!entry->deleted || show_deleted))
        g_ptr_array_add (items, serialize_list_entry (entry));
    }

  return cursor_new ("", self->seq, items);
}

static void
serve_calendar_list (CalsyncFakeGoogle *self,
                     SoupServerMessage *msg,
                     const char        *email,
                     GHashTable        *params)
{
  const char *page_token = g_hash_table_lookup (params, "pageToken");
  g_autofree char *signature = query_signature (email, "calendarList", params);
  g_autoptr(Cursor) cursor = NULL;
  PageRef *ref = NULL;
  guint page_size;
  GString *head;
  GString *tail;

  if (!check_calendar_list_query (self, msg, params, &page_size))
    return;
  if (page_token != NULL && (ref = lookup_page (self, msg, page_token, signature)) == NULL)
    return;
  cursor = ref ? cursor_ref (ref->cursor) : start_calendar_list (self, msg, email, params);
  if (cursor == NULL)
    return;
  if (ref == NULL)
    {
      cursor->signature = g_steal_pointer (&signature);
      cursor->page_size = MIN (page_size, self->page_size);
    }

  head = g_string_new ("{\"kind\":\"calendar#calendarList\",\"etag\":\"\\\"p1\\\"\"");
  tail = g_string_new (NULL);
  append_page (self, cursor, ref ? ref->offset : 0, page_mode (self, NULL), head, tail);
  send_page (self, msg, NULL, head, tail, NULL);
}

/* Requests ------------------------------------------------------------------------ */

/* The calendar id of ".../calendars/{id}/events[/{eventId}]" and the event id,
 * decoded; FALSE for other paths */
static gboolean
parse_events_path (const char  *path,
                   char       **calendar_id,
                   char       **event_id)
{
  const char *start = path + strlen (FAKE_API_PREFIX "/calendars/");
  const char *slash;
  const char *event;

  *calendar_id = *event_id = NULL;
  if (!g_str_has_prefix (path, FAKE_API_PREFIX "/calendars/") || (slash = strchr (start, '/')) == NULL ||
      slash == start || !g_str_has_prefix (slash, "/events"))
    return FALSE;

  event = slash + strlen ("/events");
  if (*event != '\0' && (event[0] != '/' || event[1] == '\0' || strchr (event + 1, '/') != NULL))
    return FALSE;

  *calendar_id = g_uri_unescape_segment (start, slash, NULL);
  *event_id = *event ? g_uri_unescape_string (event + 1, NULL) : NULL;
  return *calendar_id != NULL;
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
    respond_bad_request (self, msg, "Invalid query.");
  else if (g_str_equal (path, FAKE_API_PREFIX "/users/me/calendarList"))
    serve_calendar_list (self, msg, email, params);
  else if (calendar_id != NULL)
    serve_events (self, msg, email, calendar_id, params);
  else
    respond_not_found (self, msg);
}

/* Scopes (any one of them) each kind of request needs */
static const char * const list_scopes[] = {
  "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.readonly",
  "https://www.googleapis.com/auth/calendar.calendarlist",
  "https://www.googleapis.com/auth/calendar.calendarlist.readonly", NULL
};
static const char * const read_scopes[] = {
  "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.readonly",
  "https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar.events.readonly",
  "https://www.googleapis.com/auth/calendar.events.owned",
  "https://www.googleapis.com/auth/calendar.events.owned.readonly", NULL
};
static const char * const write_scopes[] = {
  "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.events",
  "https://www.googleapis.com/auth/calendar.events.owned", NULL
};

/* Answers 403 insufficientPermissions when the token lacks the scope the request needs */
static gboolean
check_scope (CalsyncFakeGoogle *self,
             SoupServerMessage *msg,
             const char        *authorization,
             const char        *calendar_id)
{
  gboolean read = g_str_equal (soup_server_message_get_method (msg), "GET");
  const char * const *scopes = calendar_id == NULL ? list_scopes : read ? read_scopes : write_scopes;

  if (calsync_fake_oauth_bearer_has_scope (self->oauth, authorization, scopes))
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate",
                                "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\"");
  calsync_fake_google_respond_error (self, msg, 403, "insufficientPermissions",
                                     "Request had insufficient authentication scopes.", "PERMISSION_DENIED");
  return FALSE;
}

void
calsync_fake_google_api_handler (SoupServer        *server,
                                 SoupServerMessage *msg,
                                 const char        *path,
                                 GHashTable        *query,
                                 gpointer           user_data)
{
  CalsyncFakeGoogle *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  const char *email = calsync_fake_oauth_check_bearer (self->oauth, authorization);
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *calendar_id = NULL;
  g_autofree char *event_id = NULL;
  gboolean events = parse_events_path (path, &calendar_id, &event_id);

  self->n_requests++;

  if (!g_str_equal (method, "GET") && !(events && (g_str_equal (method, "POST") || g_str_equal (method, "PATCH") ||
                                                   g_str_equal (method, "PUT") || g_str_equal (method, "DELETE"))))
    soup_server_message_set_status (msg, 405, NULL);
  else if (email == NULL)
    respond_unauthorized (self, msg);
  else if (!check_scope (self, msg, authorization, calendar_id) || apply_fault (self, msg, calendar_id))
    return;
  else if (event_id != NULL || !g_str_equal (method, "GET"))
    calsync_fake_google_serve_event (self, msg, email, calendar_id, event_id);
  else
    serve_api (self, msg, path, email, calendar_id);
}
