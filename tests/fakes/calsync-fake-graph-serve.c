/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph-serve.c: the requests of the fake Microsoft Graph v1.0 —
 * routes, authentication, permissions, throttling, /me and /me/calendars. The
 * calendarView delta is in calsync-fake-graph-delta.c.
 *
 * Followed:
 * - "Microsoft Graph error responses and resource types": status codes and
 *   the error object; 401 when "Required authentication information is either
 *   missing or not valid", 403 when "The user might not have enough permission".
 *   Graph's 401 code is InvalidAuthenticationToken, its 403 on Outlook
 *   resources ErrorAccessDenied ("Access is denied. Check credentials and try
 *   again."), with a WWW-Authenticate: Bearer challenge.
 * - "Microsoft Graph throttling guidance": 429 with a Retry-After header in
 *   seconds; 503 "may be specified in a Retry-After header", 504 "may occur
 *   together with 503". Outlook answers 429 with code ApplicationThrottled.
 * - "Get user" (/me: id, displayName, mail — null for accounts without a
 *   mailbox address — userPrincipalName, …; permission User.Read) and "List
 *   calendars" (/me/calendars: id, name, color, hexColor, isDefaultCalendar,
 *   changeKey, canShare, canViewPrivateItems, canEdit, owner, …; permission
 *   Calendars.Read or Calendars.ReadWrite; paged with @odata.nextLink and $skip).
 * - The permissions of event: delta (Calendars.Read, or more).
 *
 * Choices where the documents are silent: an unknown path segment answers 400
 * BadRequest "Resource not found for the segment" (what Graph says); OData
 * options Graph supports but the fake does not implement ($select, $filter, …
 * on /me and /me/calendars) answer 501 NotImplemented rather than being
 * ignored. Event writes (calsync-fake-graph-write.c) need Calendars.ReadWrite
 * (or .Shared): a token with only Calendars.Read gets 403 ErrorAccessDenied. */
#define G_LOG_DOMAIN "calsync-fake-graph"

#include "config.h"

#include <string.h>

#include "calsync-fake-graph-private.h"

/* Scopes (any one of them) each kind of request needs */
static const char * const user_scopes[] = { "User.Read", NULL };
static const char * const calendar_scopes[] = {
  "Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared", "Calendars.ReadWrite.Shared", NULL
};
static const char * const write_scopes[] = { "Calendars.ReadWrite", "Calendars.ReadWrite.Shared", NULL };

typedef enum
{
  ROUTE_ME,
  ROUTE_CALENDARS,
  ROUTE_CALENDAR,
  ROUTE_DELTA,           /* /me/calendars/{id}/calendarView/delta */
  ROUTE_DEFAULT_DELTA,   /* /me/calendarView/delta, /me/calendar/calendarView/delta */
  ROUTE_EVENTS,          /* /me/events: POST into the default calendar */
  ROUTE_CALENDAR_EVENTS, /* /me/calendars/{id}/events */
  ROUTE_EVENT,           /* /me/events/{id}, /me/calendars/{id}/events/{id} */
  ROUTE_INSTANCES,       /* /me/events/{id}/instances */
  ROUTE_UNKNOWN,
} Route;

typedef struct
{
  Route route;
  char *calendar_id;     /* ROUTE_CALENDAR, ROUTE_DELTA, ROUTE_CALENDAR_EVENTS */
  char *event_id;        /* ROUTE_EVENT */
  char *bad_segment;     /* ROUTE_UNKNOWN */
} Request;

static void
request_clear (Request *request)
{
  g_clear_pointer (&request->calendar_id, g_free);
  g_clear_pointer (&request->event_id, g_free);
  g_clear_pointer (&request->bad_segment, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Request, request_clear)

static const char *
route_kind (Route route)
{
  switch (route)
    {
    case ROUTE_ME:
      return "me";
    case ROUTE_CALENDARS:
    case ROUTE_CALENDAR:
      return "calendars";
    case ROUTE_DELTA:
    case ROUTE_DEFAULT_DELTA:
      return "delta";
    case ROUTE_EVENTS:
    case ROUTE_CALENDAR_EVENTS:
    case ROUTE_EVENT:
    case ROUTE_INSTANCES:
      return "events";
    case ROUTE_UNKNOWN:
    default:
      return "other";
    }
}

/* Routes ------------------------------------------------------------------------- */

/* Segments of Graph paths are case-insensitive ("calendarview"); ids are not */
static gboolean
is_segment (const char *segment,
            const char *name)
{
  return segment != NULL && g_ascii_strcasecmp (segment, name) == 0;
}

/* Whether @path ends with "/@suffix", case-insensitively; cuts it off when so */
static gboolean
cut_suffix (char       *path,
            const char *suffix)
{
  gsize length = strlen (path), suffix_length = strlen (suffix);

  if (length <= suffix_length || path[length - suffix_length - 1] != '/' ||
      g_ascii_strcasecmp (path + length - suffix_length, suffix) != 0)
    return FALSE;

  path[length - suffix_length - 1] = '\0';
  return TRUE;
}

/* The route of @path (after "/v1.0/"). libsoup's server hands paths over
 * percent-decoded, so a calendar id is what lies between "me/calendars/" and a
 * known suffix: an id may hold a "/" (the fake cannot tell whether the client
 * escaped it). */
static void
parse_route (const char *path,
             Request    *request)
{
  g_autofree char *rest = NULL;
  g_auto(GStrv) segments = g_strsplit (path, "/", 3);
  guint n = g_strv_length (segments);

  request->route = ROUTE_UNKNOWN;
  if (n == 0 || !is_segment (segments[0], "me"))
    request->bad_segment = g_strdup (n ? segments[0] : "");
  else if (n == 1)
    request->route = ROUTE_ME;
  else if (is_segment (segments[1], "events") && n == 2)
    request->route = ROUTE_EVENTS;
  else if (is_segment (segments[1], "events") && *segments[2] != '\0' && strchr (segments[2], '/') == NULL)
    {
      request->route = ROUTE_EVENT;
      request->event_id = g_strdup (segments[2]);
    }
  else if (is_segment (segments[1], "events") && (rest = g_strdup (segments[2])) != NULL &&
           cut_suffix (rest, "instances") && *rest != '\0' && strchr (rest, '/') == NULL)
    {
      request->route = ROUTE_INSTANCES;
      request->event_id = g_steal_pointer (&rest);
    }
  else if (is_segment (segments[1], "events"))
    request->bad_segment = g_strdup (segments[2]);
  else if (is_segment (segments[1], "calendarView") || is_segment (segments[1], "calendar"))
    {
      rest = g_strjoinv ("/", segments + 1);
      if (g_ascii_strcasecmp (rest, "calendarView/delta") == 0 ||
          g_ascii_strcasecmp (rest, "calendar/calendarView/delta") == 0)
        request->route = ROUTE_DEFAULT_DELTA;
      else
        request->bad_segment = g_strdup (segments[n - 1]);
    }
  else if (!is_segment (segments[1], "calendars"))
    request->bad_segment = g_strdup (segments[1]);
  else if (n == 2)
    request->route = ROUTE_CALENDARS;
  else if (*(rest = g_strdup (segments[2])) == '\0')
    request->bad_segment = g_strdup ("calendars");
  else if (cut_suffix (rest, "calendarView/delta"))
    request->route = ROUTE_DELTA;
  else if (cut_suffix (rest, "events"))
    request->route = ROUTE_CALENDAR_EVENTS;
  else if (strstr (rest, "/events/") != NULL && strchr (strstr (rest, "/events/") + 8, '/') == NULL)
    {
      request->route = ROUTE_EVENT;
      request->event_id = g_strdup (strstr (rest, "/events/") + 8);
    }
  else
    request->route = ROUTE_CALENDAR;

  if (request->route == ROUTE_CALENDAR || request->route == ROUTE_DELTA ||
      request->route == ROUTE_CALENDAR_EVENTS)
    request->calendar_id = g_steal_pointer (&rest);
}

/* Authentication, permissions, throttling ------------------------------------------ */

static void
respond_unauthorized (CalsyncFakeGraph  *self,
                      SoupServerMessage *msg,
                      const char        *authorization)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate",
                                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/"
                                "common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"");
  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_UNAUTHORIZED, "InvalidAuthenticationToken",
                                    authorization == NULL ? "Access token is empty."
                                                          : "Access token has expired or is not yet valid.");
}

/* Answers 403 when the token lacks the permission @route needs */
static gboolean
check_scope (CalsyncFakeGraph  *self,
             SoupServerMessage *msg,
             const char        *authorization,
             Route              route)
{
  gboolean write = !g_str_equal (soup_server_message_get_method (msg), "GET");
  const char * const *scopes = route == ROUTE_ME ? user_scopes : write ? write_scopes : calendar_scopes;

  if (route == ROUTE_UNKNOWN || calsync_fake_msid_bearer_has_scope (self->msid, authorization, scopes))
    return TRUE;

  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_FORBIDDEN, "ErrorAccessDenied",
                                    "Access is denied. Check credentials and try again.");
  return FALSE;
}

/* Answers the armed throttle; returns TRUE when it did */
static gboolean
apply_throttle (CalsyncFakeGraph  *self,
                SoupServerMessage *msg)
{
  g_autofree char *retry_after = NULL;

  if (self->throttle_left == 0)
    return FALSE;

  self->throttle_left--;
  retry_after = g_strdup_printf ("%u", self->throttle_retry_after);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", retry_after);
  if (self->throttle_status == 429)
    calsync_fake_graph_respond_error (self, msg, 429, "ApplicationThrottled",
                                      "Application is over its MailboxConcurrency limit.");
  else if (self->throttle_status == 503)
    calsync_fake_graph_respond_error (self, msg, 503, "serviceNotAvailable",
                                      "The service is temporarily unavailable. Try again after a delay.");
  else
    calsync_fake_graph_respond_error (self, msg, 504, "UnknownError", "");
  return TRUE;
}

/* Query options ------------------------------------------------------------------ */

/* Checks that @params holds only @allowed; unknown OData options that Graph has
 * answer 501, anything else 400. Returns FALSE after answering. */
static gboolean
check_options (CalsyncFakeGraph    *self,
               SoupServerMessage   *msg,
               GHashTable          *params,
               const char * const  *allowed)
{
  GHashTableIter iter;
  const char *name;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    {
      g_autofree char *text = NULL;

      if (g_strv_contains (allowed, name))
        continue;
      if (*name == '$')
        {
          text = g_strdup_printf ("The fake Graph does not implement the query option '%s' here.", name);
          calsync_fake_graph_respond_error (self, msg, 501, "NotImplemented", text);
        }
      else
        {
          text = g_strdup_printf ("Unrecognized query argument specified: '%s'.", name);
          calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "BadRequest", text);
        }
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_count (const char *text,
             guint       min,
             guint       max,
             guint      *value)
{
  guint64 v;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    return FALSE;

  *value = v;
  return TRUE;
}

/* /me ------------------------------------------------------------------------------ */

/* {"@odata.context":"{api}/$metadata#@what" */
static GString *
new_body_with_context (CalsyncFakeGraph *self,
                       const char       *what)
{
  g_autofree char *context = g_strconcat (self->api_url, "/$metadata#", what, NULL);
  GString *body = g_string_new ("{\"@odata.context\":");

  calsync_fake_graph_append_json_string (body, context);
  return body;
}

static void
serve_me (CalsyncFakeGraph  *self,
          SoupServerMessage *msg,
          GHashTable        *params)
{
  static const char * const allowed[] = { NULL };
  GString *body;

  if (!check_options (self, msg, params, allowed))
    return;

  body = new_body_with_context (self, "users/$entity");
  g_string_append (body, ",\"businessPhones\":[],\"displayName\":");
  calsync_fake_graph_append_json_string (body, "Fake User");
  g_string_append (body, ",\"givenName\":\"Fake\",\"jobTitle\":null,\"mail\":");
  if (self->mail != NULL)
    calsync_fake_graph_append_json_string (body, self->mail);
  else
    g_string_append (body, "null");
  g_string_append (body, ",\"mobilePhone\":null,\"officeLocation\":null,\"preferredLanguage\":\"en-US\","
                         "\"surname\":\"User\",\"userPrincipalName\":");
  calsync_fake_graph_append_json_string (body, self->upn);
  g_string_append_printf (body, ",\"id\":\"%s\"}", self->user_id);
  calsync_fake_graph_respond (self, msg, SOUP_STATUS_OK, body);
}

/* /me/calendars ---------------------------------------------------------------------- */

static void
append_calendar_members (CalsyncFakeGraph *self,
                         GString          *out,
                         FakeCalendar     *calendar)
{
  g_string_append (out, "\"id\":");
  calsync_fake_graph_append_json_string (out, calendar->id);
  g_string_append (out, ",\"name\":");
  calsync_fake_graph_append_json_string (out, calendar->name);
  g_string_append (out, ",\"color\":");
  calsync_fake_graph_append_json_string (out, calendar->color);
  g_string_append (out, ",\"hexColor\":");
  calsync_fake_graph_append_json_string (out, calendar->hex_color);
  g_string_append_printf (out, ",\"isDefaultCalendar\":%s,\"changeKey\":",
                          calendar->is_default ? "true" : "false");
  calsync_fake_graph_append_json_string (out, calendar->change_key);
  g_string_append_printf (out, ",\"canShare\":%s,\"canViewPrivateItems\":true,\"canEdit\":%s,"
                               "\"allowedOnlineMeetingProviders\":[\"teamsForBusiness\"],"
                               "\"defaultOnlineMeetingProvider\":\"teamsForBusiness\","
                               "\"isTallyingResponses\":true,\"isRemovable\":%s,\"owner\":{\"name\":"
                               "\"Fake User\",\"address\":",
                          calendar->can_edit ? "true" : "false", calendar->can_edit ? "true" : "false",
                          calendar->is_default ? "false" : "true");
  calsync_fake_graph_append_json_string (out, self->mail ? self->mail : self->upn);
  g_string_append_c (out, '}');
}

static void
append_calendar (CalsyncFakeGraph *self,
                 GString          *out,
                 FakeCalendar     *calendar)
{
  g_string_append_c (out, '{');
  append_calendar_members (self, out, calendar);
  g_string_append_c (out, '}');
}

static GPtrArray *
listed_calendars (CalsyncFakeGraph *self)
{
  GPtrArray *listed = g_ptr_array_new ();

  for (guint i = 0; i < self->calendar_list->len; i++)
    {
      FakeCalendar *calendar = g_ptr_array_index (self->calendar_list, i);

      if (!calendar->removed)
        g_ptr_array_add (listed, calendar);
    }
  return listed;
}

/* GET /me/calendars[?$top=N][&$skip=M]: a page of at most $top (default 10,
 * never more than the server's page size), and a nextLink with $skip */
static void
serve_calendars (CalsyncFakeGraph  *self,
                 SoupServerMessage *msg,
                 GHashTable        *params)
{
  static const char * const allowed[] = { "$top", "$skip", NULL };
  g_autoptr(GPtrArray) listed = listed_calendars (self);
  const char *top = g_hash_table_lookup (params, "$top");
  guint page_size = FAKE_GRAPH_DEFAULT_PAGE_SIZE;
  guint skip = 0;
  guint end;
  GString *body;

  if (!check_options (self, msg, params, allowed))
    return;
  if (!parse_count (top, 1, FAKE_GRAPH_MAX_PAGE_SIZE, &page_size) ||
      !parse_count (g_hash_table_lookup (params, "$skip"), 0, G_MAXINT, &skip))
    {
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "BadRequest",
                                        "Invalid $top or $skip value.");
      return;
    }

  page_size = MIN (page_size, self->page_size);
  end = MIN (listed->len, skip + page_size);
  body = new_body_with_context (self, "me/calendars");
  if (end < listed->len)
    g_string_append_printf (body, ",\"@odata.nextLink\":\"%s/me/calendars?%s%s%s$skip=%u\"", self->api_url,
                            top ? "$top=" : "", top ? top : "", top ? "&" : "", end);
  g_string_append (body, ",\"value\":[");
  for (guint i = skip; i < end; i++)
    {
      if (i > skip)
        g_string_append_c (body, ',');
      append_calendar (self, body, g_ptr_array_index (listed, i));
    }
  g_string_append (body, "]}");
  calsync_fake_graph_respond (self, msg, SOUP_STATUS_OK, body);
}

static void
respond_not_found (CalsyncFakeGraph  *self,
                   SoupServerMessage *msg)
{
  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "ErrorItemNotFound",
                                    "The specified object was not found in the store.");
}

static void
serve_calendar (CalsyncFakeGraph  *self,
                SoupServerMessage *msg,
                const char        *calendar_id,
                GHashTable        *params)
{
  static const char * const allowed[] = { NULL };
  FakeCalendar *calendar = calsync_fake_graph_find_calendar (self, calendar_id);
  GString *body;

  if (!check_options (self, msg, params, allowed))
    return;
  if (calendar == NULL)
    {
      respond_not_found (self, msg);
      return;
    }

  body = new_body_with_context (self, "me/calendars/$entity");
  g_string_append_c (body, ',');
  append_calendar_members (self, body, calendar);
  g_string_append_c (body, '}');
  calsync_fake_graph_respond (self, msg, SOUP_STATUS_OK, body);
}

/* Requests ------------------------------------------------------------------------- */

/* The path a calendar's delta links repeat */
static char *
delta_link_path (const Request *request)
{
  g_autofree char *escaped = NULL;

  if (request->route == ROUTE_DEFAULT_DELTA)
    return g_strdup ("/me/calendarView/delta");

  escaped = g_uri_escape_string (request->calendar_id, "=", FALSE);
  return g_strdup_printf ("/me/calendars/%s/calendarView/delta", escaped);
}

static void
serve_route (CalsyncFakeGraph  *self,
             SoupServerMessage *msg,
             const Request     *request,
             GHashTable        *params)
{
  g_autofree char *text = NULL;
  g_autofree char *link_path = NULL;
  FakeCalendar *calendar;

  switch (request->route)
    {
    case ROUTE_ME:
      serve_me (self, msg, params);
      break;
    case ROUTE_CALENDARS:
      serve_calendars (self, msg, params);
      break;
    case ROUTE_CALENDAR:
      serve_calendar (self, msg, request->calendar_id, params);
      break;
    case ROUTE_DELTA:
    case ROUTE_DEFAULT_DELTA:
      calendar = request->route == ROUTE_DELTA ? calsync_fake_graph_find_calendar (self, request->calendar_id)
                                               : calsync_fake_graph_default_calendar (self);
      link_path = delta_link_path (request);
      if (calendar == NULL)
        respond_not_found (self, msg);
      else
        calsync_fake_graph_serve_delta (self, msg, calendar, link_path, params);
      break;
    case ROUTE_EVENTS:
    case ROUTE_CALENDAR_EVENTS:
      calendar = request->route == ROUTE_CALENDAR_EVENTS
                 ? calsync_fake_graph_find_calendar (self, request->calendar_id)
                 : calsync_fake_graph_default_calendar (self);
      if (calendar == NULL)
        respond_not_found (self, msg);
      else if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
        calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "BadRequest",
                                          "The fake Graph lists events through calendarView/delta only.");
      else
        calsync_fake_graph_serve_event (self, msg, calendar, NULL, params);
      break;
    case ROUTE_EVENT:
      calsync_fake_graph_serve_event (self, msg, NULL, request->event_id, params);
      break;
    case ROUTE_INSTANCES:
      calsync_fake_graph_serve_instances (self, msg, request->event_id, params);
      break;
    case ROUTE_UNKNOWN:
    default:
      text = g_strdup_printf ("Resource not found for the segment '%s'.", request->bad_segment);
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "BadRequest", text);
      break;
    }
}

static void
remember_headers (CalsyncFakeGraph  *self,
                  SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_clear_pointer (&self->last_headers, soup_message_headers_unref);
  self->last_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (self->last_headers, name, value);
}

static void
count_request (CalsyncFakeGraph *self,
               Route             route)
{
  const char *kind = route_kind (route);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, kind));

  self->n_requests++;
  g_hash_table_insert (self->counts, g_strdup (kind), GUINT_TO_POINTER (count + 1));
}

void
calsync_fake_graph_api_handler (SoupServer        *server,
                                SoupServerMessage *msg,
                                const char        *path,
                                GHashTable        *query,
                                gpointer           user_data)
{
  CalsyncFakeGraph *self = user_data;
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "Authorization");
  const char *raw_query = g_uri_get_query (soup_server_message_get_uri (msg));
  const char *method = soup_server_message_get_method (msg);
  g_auto(Request) request = { ROUTE_UNKNOWN, NULL, NULL, NULL };
  g_autoptr(GHashTable) params = NULL;

  if (g_str_has_prefix (path, FAKE_GRAPH_API_PREFIX "/"))
    parse_route (path + strlen (FAKE_GRAPH_API_PREFIX "/"), &request);
  else
    request.bad_segment = g_strdup (path);
  count_request (self, request.route);
  remember_headers (self, msg);

  /* "+" in a query is a space (application/x-www-form-urlencoded), as at Graph */
  params = raw_query ? g_uri_parse_params (raw_query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL)
                     : g_hash_table_new (g_str_hash, g_str_equal);

  if (calsync_fake_msid_check_bearer (self->msid, authorization) == NULL)
    respond_unauthorized (self, msg, authorization);
  else if (!check_scope (self, msg, authorization, request.route) || apply_throttle (self, msg))
    return;
  else if (!g_str_equal (method, "GET") && request.route != ROUTE_EVENTS &&
           request.route != ROUTE_CALENDAR_EVENTS && request.route != ROUTE_EVENT)
    calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "BadRequest",
                                      "The HTTP method is not allowed on this resource.");
  else if (params == NULL)
    calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "BadRequest", "Invalid query.");
  else
    serve_route (self, msg, &request, params);
}
