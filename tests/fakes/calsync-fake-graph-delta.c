/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph-delta.c: GET …/calendarView/delta of the fake Graph, as
 * documented in "event: delta" (v1.0), "Get incremental changes to events in a
 * calendar view" and "Use delta query to track changes in Microsoft Graph data":
 *
 * - The initial request needs startDateTime and endDateTime (ISO 8601); without
 *   them Graph answers 400 ErrorInvalidParameter "This request requires a time
 *   window specified by the query string parameters StartDateTime and
 *   EndDateTime." It lists the instances overlapping the window (single
 *   instances, occurrences, exceptions: never series masters).
 * - Pages end with an @odata.nextLink (absolute URL, opaque $skiptoken) until
 *   the last, which has an @odata.deltaLink (opaque $deltatoken); "State tokens
 *   are completely opaque to the client": the client copies the link as given,
 *   and the fake refuses a link request that adds parameters to its token.
 * - A round from a deltaLink lists the changes since: changed or new instances
 *   in full, deleted ones as {"@odata.type":"#microsoft.graph.event","id":…,
 *   "@removed":{"reason":"deleted"}}, and — "Events that are outside the date
 *   range and that have been added, deleted, or updated since the previous delta
 *   call" — changes outside the window as @removed too. Cancelled meetings are
 *   instances with isCancelled true.
 * - "$select" is not supported, nor "$expand, $filter, $orderby, and $search":
 *   400. The page size is "Prefer: odata.maxpagesize={x}", so $top is refused
 *   too (the fake's choice: the documents name no $top for this function).
 * - "Prefer: {Time zone}. Optional, UTC assumed if absent" (outlook.timezone);
 *   several preferences may come in one Prefer header, comma-separated, or in
 *   several headers (RFC 7240 §2). Applied ones are echoed in
 *   Preference-Applied. An unknown zone answers 400 TimeZoneNotSupportedException
 *   (the fake's choice: Graph's code for unknown zones in event bodies).
 * - An expired $deltatoken: "the service should respond with a 40X-series error
 *   with error codes such as syncStateNotFound"; "410 (gone) and a Location
 *   header containing a request URL with an empty $deltaToken (same as the
 *   initial query)" — the fake answers 410 with code syncStateNotFound and that
 *   Location. An unknown $skiptoken answers 400. */
#define G_LOG_DOMAIN "calsync-fake-graph"

#include "config.h"

#include <string.h>

#include "calsync-fake-graph-private.h"

typedef struct
{
  guint page_size;            /* 0: no preference */
  char *zone_name;            /* NULL: no preference (UTC) */
} Preferences;

static void
preferences_clear (Preferences *prefs)
{
  g_clear_pointer (&prefs->zone_name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Preferences, preferences_clear)

/* Prefer ----------------------------------------------------------------------- */

/* The value of a preference token[=value], unquoted; NULL without one */
static char *
preference_value (const char *item,
                  char      **name)
{
  g_autofree char *text = g_strstrip (g_strdup (item));
  char *params = strchr (text, ';');
  char *equals;

  if (params != NULL)
    *params = '\0';
  if ((equals = strchr (text, '=')) == NULL)
    {
      *name = g_strdup (g_strstrip (text));
      return NULL;
    }

  *equals = '\0';
  *name = g_strdup (g_strstrip (text));
  equals = g_strstrip (equals + 1);
  if (*equals == '"' && strlen (equals) >= 2 && equals[strlen (equals) - 1] == '"')
    {
      equals[strlen (equals) - 1] = '\0';
      return g_strcompress (equals + 1);
    }
  return g_strdup (equals);
}

/* odata.maxpagesize and outlook.timezone from every Prefer header; a malformed
 * preference is ignored, as RFC 7240 lets a server ignore any */
static void
parse_prefer (SoupServerMessage *msg,
              Preferences       *prefs)
{
  const char *header = soup_message_headers_get_list (soup_server_message_get_request_headers (msg), "Prefer");
  GSList *items = header ? soup_header_parse_list (header) : NULL;

  for (GSList *l = items; l != NULL; l = l->next)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = preference_value (l->data, &name);
      guint64 size;

      if (value == NULL)
        continue;
      if (g_ascii_strcasecmp (name, "odata.maxpagesize") == 0 &&
          g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &size, NULL))
        prefs->page_size = size;
      else if (g_ascii_strcasecmp (name, "outlook.timezone") == 0 && *value != '\0')
        {
          g_free (prefs->zone_name);
          prefs->zone_name = g_steal_pointer (&value);
        }
    }
  soup_header_free_list (items);
}

char *
calsync_fake_graph_preferred_zone (SoupServerMessage *msg)
{
  g_auto(Preferences) prefs = { 0, NULL };

  parse_prefer (msg, &prefs);
  return g_steal_pointer (&prefs.zone_name);
}

/* What was applied: the page size the server granted (it may be smaller) */
static void
set_preference_applied (SoupServerMessage *msg,
                        const Preferences *prefs,
                        guint              page_size,
                        const char        *zone_name)
{
  GString *applied = g_string_new (NULL);

  if (prefs->page_size > 0)
    g_string_append_printf (applied, "odata.maxpagesize=%u", page_size);
  if (prefs->zone_name != NULL)
    g_string_append_printf (applied, "%soutlook.timezone=\"%s\"", applied->len ? ", " : "", zone_name);
  if (applied->len > 0)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Preference-Applied",
                                  applied->str);
  g_string_free (applied, TRUE);
}

/* Parameters ------------------------------------------------------------------------ */

/* Query option names are case-insensitive at Graph (the documents' own example
 * writes startdatetime) */
static const char *
lookup_param (GHashTable *params,
              const char *name)
{
  GHashTableIter iter;
  const char *key, *value;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &value))
    if (g_ascii_strcasecmp (key, name) == 0)
      return value;
  return NULL;
}

static gboolean
respond_bad_request (CalsyncFakeGraph  *self,
                     SoupServerMessage *msg,
                     const char        *code,
                     const char        *message)
{
  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, code, message);
  return FALSE;
}

/* Only the window, or one state token alone */
static gboolean
check_params (CalsyncFakeGraph  *self,
              SoupServerMessage *msg,
              GHashTable        *params)
{
  static const char * const known[] = { "startdatetime", "enddatetime", "$skiptoken", "$deltatoken", NULL };
  gboolean token = lookup_param (params, "$skiptoken") != NULL || lookup_param (params, "$deltatoken") != NULL;
  GHashTableIter iter;
  const char *name;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);
      g_autofree char *text = NULL;

      if (!g_strv_contains (known, lower))
        {
          text = g_strdup_printf ("The query parameter '%s' is not supported with change tracking over the "
                                  "'CalendarView' resource.", name);
          return respond_bad_request (self, msg, "ErrorInvalidUrlQuery", text);
        }
    }

  if (token && g_hash_table_size (params) != 1)
    return respond_bad_request (self, msg, "ErrorInvalidUrlQuery",
                                "A state token carries the query: call the @odata.nextLink or "
                                "@odata.deltaLink as given, without other parameters.");
  return TRUE;
}

/* ISO 8601 with a time; without an offset it is UTC */
static gboolean
parse_bound (const char *text,
             gint64     *usec)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || strchr (text, 'T') == NULL || (dt = g_date_time_new_from_iso8601 (text, utc)) == NULL)
    return FALSE;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

/* The window of an initial request; FALSE after answering 400 */
static gboolean
parse_window (CalsyncFakeGraph  *self,
              SoupServerMessage *msg,
              GHashTable        *params,
              DeltaState        *state)
{
  const char *start = lookup_param (params, "startDateTime");
  const char *end = lookup_param (params, "endDateTime");
  g_autofree char *start_escaped = NULL;
  g_autofree char *end_escaped = NULL;

  if (start == NULL || end == NULL)
    return respond_bad_request (self, msg, "ErrorInvalidParameter",
                                "This request requires a time window specified by the query string "
                                "parameters StartDateTime and EndDateTime.");
  if (!parse_bound (start, &state->start_us) || !parse_bound (end, &state->end_us))
    return respond_bad_request (self, msg, "ErrorInvalidParameter",
                                "The parameter 'StartDateTime' or 'EndDateTime' is not a valid ISO 8601 "
                                "date and time.");
  if (state->end_us <= state->start_us)
    return respond_bad_request (self, msg, "ErrorInvalidParameter",
                                "The parameter 'EndDateTime' must be after 'StartDateTime'.");

  start_escaped = g_uri_escape_string (start, NULL, FALSE);
  end_escaped = g_uri_escape_string (end, NULL, FALSE);
  state->window_query = g_strdup_printf ("startDateTime=%s&endDateTime=%s", start_escaped, end_escaped);
  return TRUE;
}

/* Listings ----------------------------------------------------------------------------- */

static gboolean
overlaps (const FakeVersion *version,
          const DeltaState  *state)
{
  return version->end_us > state->start_us && version->start_us < state->end_us;
}

static int
compare_start (gconstpointer a,
               gconstpointer b)
{
  const FakeEvent *x = *(FakeEvent **) a;
  const FakeEvent *y = *(FakeEvent **) b;

  if (x->version->start_us != y->version->start_us)
    return x->version->start_us < y->version->start_us ? -1 : 1;
  return strcmp (x->id, y->id);
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  const FakeEvent *x = *(FakeEvent **) a;
  const FakeEvent *y = *(FakeEvent **) b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
add_item (GArray      *items,
          FakeVersion *version,
          const char  *removed_id)
{
  CursorItem item = { version ? graph_fake_version_ref (version) : NULL, g_strdup (removed_id) };

  g_array_append_val (items, item);
}

static void
cursor_item_clear (gpointer data)
{
  CursorItem *item = data;

  g_clear_pointer (&item->version, graph_fake_version_unref);
  g_clear_pointer (&item->removed_id, g_free);
}

/* Full round: the instances overlapping the window, by start; changes-only
 * round: every change after @since, in change order, removals (and changes
 * outside the window) as @removed */
static Cursor *
cursor_new (CalsyncFakeGraph *self,
            FakeCalendar     *calendar,
            DeltaState       *state,
            gboolean          incremental)
{
  Cursor *cursor = g_new0 (Cursor, 1);
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  GHashTableIter iter;
  FakeEvent *event;

  g_atomic_ref_count_init (&cursor->ref_count);
  cursor->items = g_array_new (FALSE, FALSE, sizeof (CursorItem));
  g_array_set_clear_func (cursor->items, cursor_item_clear);
  cursor->next_tokens = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    if (!event->version->master &&
        (incremental ? event->seq > state->seq : !event->deleted && overlaps (event->version, state)))
      g_ptr_array_add (matches, event);
  g_ptr_array_sort (matches, incremental ? compare_seq : compare_start);

  for (guint i = 0; i < matches->len; i++)
    {
      FakeEvent *match = g_ptr_array_index (matches, i);

      if (match->deleted || !overlaps (match->version, state))
        add_item (cursor->items, NULL, match->id);
      else
        add_item (cursor->items, match->version, NULL);
    }

  state->seq = self->seq;
  cursor->state = state;
  return cursor;
}

/* Pages ---------------------------------------------------------------------------------- */

static char *
link_to (CalsyncFakeGraph *self,
         const DeltaState *state,
         const char       *name,
         const char       *token)
{
  return g_strdup_printf ("%s%s?%s=%s", self->api_url, state->link_path, name, token);
}

static const char *
skip_token_for (CalsyncFakeGraph *self,
                Cursor           *cursor,
                guint             offset)
{
  const char *token = g_hash_table_lookup (cursor->next_tokens, GUINT_TO_POINTER (offset));
  PageRef *ref;

  if (token != NULL)
    return token;

  ref = g_new0 (PageRef, 1);
  ref->cursor = graph_cursor_ref (cursor);
  ref->offset = offset;
  token = calsync_fake_graph_new_token ();
  g_hash_table_insert (cursor->next_tokens, GUINT_TO_POINTER (offset), (char *) token);
  g_hash_table_insert (self->skip_tokens, g_strdup (token), ref);
  return token;
}

static const char *
delta_token_for (CalsyncFakeGraph *self,
                 Cursor           *cursor)
{
  if (cursor->delta_token == NULL)
    {
      cursor->delta_token = calsync_fake_graph_new_token ();
      g_hash_table_insert (self->delta_tokens, g_strdup (cursor->delta_token), graph_delta_state_copy (cursor->state));
    }
  return cursor->delta_token;
}

static void
send_page (CalsyncFakeGraph  *self,
           SoupServerMessage *msg,
           Cursor            *cursor,
           guint              offset,
           const Preferences *prefs,
           GTimeZone         *zone)
{
  const char *zone_name = prefs->zone_name ? prefs->zone_name : "UTC";
  guint size = MIN (prefs->page_size ? prefs->page_size : FAKE_GRAPH_DEFAULT_PAGE_SIZE, self->page_size);
  guint end = MIN (cursor->items->len, offset + size);
  g_autofree char *context = g_strconcat (self->api_url, "/$metadata#Collection(event)", NULL);
  g_autofree char *link = NULL;
  GString *body = g_string_new ("{\"@odata.context\":");

  link = end < cursor->items->len ? link_to (self, cursor->state, "$skiptoken", skip_token_for (self, cursor, end))
                                  : link_to (self, cursor->state, "$deltatoken", delta_token_for (self, cursor));
  calsync_fake_graph_append_json_string (body, context);
  g_string_append (body, end < cursor->items->len ? ",\"@odata.nextLink\":" : ",\"@odata.deltaLink\":");
  calsync_fake_graph_append_json_string (body, link);
  g_string_append (body, ",\"value\":[");
  for (guint i = offset; i < end; i++)
    {
      if (i > offset)
        g_string_append_c (body, ',');
      calsync_fake_graph_append_item (body, &g_array_index (cursor->items, CursorItem, i), zone_name, zone);
    }
  g_string_append (body, "]}");

  set_preference_applied (msg, prefs, size, zone_name);
  calsync_fake_graph_respond (self, msg, SOUP_STATUS_OK, body);
}

/* 410 Gone, syncStateNotFound, and where to start again */
static void
respond_gone (CalsyncFakeGraph  *self,
              SoupServerMessage *msg,
              const DeltaState  *expired)
{
  if (expired != NULL)
    {
      g_autofree char *location = g_strdup_printf ("%s%s?%s", self->api_url, expired->link_path,
                                                   expired->window_query);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
    }
  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_GONE, "syncStateNotFound",
                                    "The sync state generation is not found. The delta token is expired "
                                    "and data must be synchronized again.");
}

/* The cursor a request continues or starts, and the offset of its page; NULL
 * after answering an error */
static Cursor *
open_cursor (CalsyncFakeGraph  *self,
             SoupServerMessage *msg,
             FakeCalendar      *calendar,
             const char        *link_path,
             GHashTable        *params,
             guint             *offset)
{
  const char *skip_token = lookup_param (params, "$skiptoken");
  const char *delta_token = lookup_param (params, "$deltatoken");
  DeltaState *known;
  DeltaState *state;

  *offset = 0;
  if (skip_token != NULL)
    {
      PageRef *ref = g_hash_table_lookup (self->skip_tokens, skip_token);

      if (ref == NULL || !g_str_equal (ref->cursor->state->calendar_id, calendar->id))
        {
          respond_bad_request (self, msg, "ErrorInvalidUrlQuery", "The $skiptoken is not valid.");
          return NULL;
        }
      *offset = ref->offset;
      return graph_cursor_ref (ref->cursor);
    }

  if (delta_token != NULL)
    {
      known = g_hash_table_lookup (self->delta_tokens, delta_token);
      if (known == NULL || !g_str_equal (known->calendar_id, calendar->id))
        {
          DeltaState *expired = g_hash_table_lookup (self->expired_tokens, delta_token);

          respond_gone (self, msg, expired && g_str_equal (expired->calendar_id, calendar->id) ? expired : NULL);
          return NULL;
        }
      return cursor_new (self, calendar, graph_delta_state_copy (known), TRUE);
    }

  state = g_new0 (DeltaState, 1);
  state->calendar_id = g_strdup (calendar->id);
  state->link_path = g_strdup (link_path);
  if (!parse_window (self, msg, params, state))
    {
      graph_delta_state_free (state);
      return NULL;
    }
  return cursor_new (self, calendar, state, FALSE);
}

void
calsync_fake_graph_serve_delta (CalsyncFakeGraph  *self,
                                SoupServerMessage *msg,
                                FakeCalendar      *calendar,
                                const char        *link_path,
                                GHashTable        *params)
{
  g_auto(Preferences) prefs = { 0, NULL };
  g_autoptr(GTimeZone) zone = NULL;
  Cursor *cursor;
  guint offset;

  if (!check_params (self, msg, params))
    return;

  parse_prefer (msg, &prefs);
  if ((zone = calsync_fake_graph_zone_new (prefs.zone_name ? prefs.zone_name : "UTC")) == NULL)
    {
      respond_bad_request (self, msg, "TimeZoneNotSupportedException",
                           "A valid TimeZone value must be specified in Prefer: outlook.timezone.");
      return;
    }
  if ((cursor = open_cursor (self, msg, calendar, link_path, params, &offset)) == NULL)
    return;

  send_page (self, msg, cursor, offset, &prefs, zone);
  graph_cursor_unref (cursor);
}
