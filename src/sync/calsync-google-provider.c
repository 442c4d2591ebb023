/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-google-provider.c: Google Calendar API v3 (calendarList, events with
 * singleEvents, pages, syncToken, 410). */
#define G_LOG_DOMAIN "calsync-google-provider"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "calsync-classifier.h"
#include "calsync-google-provider.h"

#define DEFAULT_API_URL "https://www.googleapis.com/calendar/v3"
#define EVENTS_MAX_RESULTS 2500

struct _CalsyncGoogleProvider
{
  GObject parent_instance;

  /* Owned references */
  CalsyncHttp *http;
  CalsyncAuth *auth;
  char *api_url;
};

static void calsync_google_provider_iface_init (CalsyncProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CalsyncGoogleProvider, calsync_google_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CALSYNC_TYPE_PROVIDER,
                                                      calsync_google_provider_iface_init))

static void
calsync_google_provider_finalize (GObject *object)
{
  CalsyncGoogleProvider *self = (CalsyncGoogleProvider *) object;

  g_clear_object (&self->http);
  g_clear_object (&self->auth);
  g_clear_pointer (&self->api_url, g_free);

  G_OBJECT_CLASS (calsync_google_provider_parent_class)->finalize (object);
}

static void
calsync_google_provider_class_init (CalsyncGoogleProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_google_provider_finalize;
}

static void
calsync_google_provider_init (CalsyncGoogleProvider *self)
{
}

/**
 * calsync_google_provider_default_api_url:
 *
 * Returns: (transfer full): `CALSYNC_GOOGLE_API_URL`, or Google's API address
 */
char *
calsync_google_provider_default_api_url (void)
{
  const char *url = g_getenv ("CALSYNC_GOOGLE_API_URL");

  return g_strdup (url != NULL && *url != '\0' ? url : DEFAULT_API_URL);
}

/**
 * calsync_google_provider_new:
 * @http: the shared HTTP session
 * @auth: the account's tokens
 * @api_url: (nullable): API base; %NULL for calsync_google_provider_default_api_url()
 *
 * Returns: (transfer full): a provider for one Google account
 */
CalsyncGoogleProvider *
calsync_google_provider_new (CalsyncHttp *http,
                             CalsyncAuth *auth,
                             const char  *api_url)
{
  CalsyncGoogleProvider *self;

  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (CALSYNC_IS_AUTH (auth), NULL);

  self = g_object_new (CALSYNC_TYPE_GOOGLE_PROVIDER, NULL);
  self->http = g_object_ref (http);
  self->auth = g_object_ref (auth);
  self->api_url = api_url ? g_strdup (api_url) : calsync_google_provider_default_api_url ();

  while (g_str_has_suffix (self->api_url, "/"))
    self->api_url[strlen (self->api_url) - 1] = '\0';

  return self;
}

/* Errors ------------------------------------------------------------------- */

static GError *
malformed_error (void)
{
  return g_error_new_literal (CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED,
                              _("Google sent a response CalSync could not read. Try again later."));
}

static gboolean
set_malformed (GError **error)
{
  g_propagate_error (error, malformed_error ());
  return FALSE;
}

/* Authorized GET: token, request, one retry with a fresh token after a 401 ---- */

typedef struct
{
  char *uri;
  gboolean refreshed;
} GetData;

static void
get_data_free (GetData *data)
{
  g_free (data->uri);
  g_free (data);
}

static void get_with_token (GTask *task, gboolean force_refresh);

static void
on_get_sent (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GetData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(JsonNode) error_json = NULL;
  g_autoptr(GError) error = NULL;

  response = calsync_http_send_finish (CALSYNC_HTTP (object), result, &error_json, &error);

  if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_AUTH) && !data->refreshed)
    {
      g_debug ("Access token refused; refreshing it once");
      data->refreshed = TRUE;
      get_with_token (g_steal_pointer (&task), TRUE);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (response->json == NULL)
    g_task_return_error (task, malformed_error ());
  else
    g_task_return_pointer (task, g_steal_pointer (&response->json), (GDestroyNotify) json_node_unref);
}

static void
on_get_token (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncGoogleProvider *self = g_task_get_source_object (task);
  GetData *data = g_task_get_task_data (task);
  GCancellable *cancellable;
  g_autoptr(CalsyncHttpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = calsync_auth_get_token_finish (CALSYNC_AUTH (object), result, &error);
  if (token == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  request = calsync_http_request_new ("GET", data->uri);
  calsync_http_request_set_bearer (request, token);
  explicit_bzero (token, strlen (token));
  calsync_http_request_add_header (request, "Accept", "application/json");
  cancellable = g_task_get_cancellable (task);
  calsync_http_send_async (self->http, request, cancellable, on_get_sent, g_steal_pointer (&task));
}

static void
get_with_token (GTask    *task,
                gboolean  force_refresh)
{
  CalsyncGoogleProvider *self = g_task_get_source_object (task);

  calsync_auth_get_token_async (self->auth, force_refresh, g_task_get_cancellable (task),
                                on_get_token, task);
}

/* Takes ownership of @uri. */
static void
google_get_async (CalsyncGoogleProvider *self,
                  char                  *uri,
                  GCancellable          *cancellable,
                  GAsyncReadyCallback    callback,
                  gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  GetData *data = g_new0 (GetData, 1);

  data->uri = uri;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, google_get_async);
  g_task_set_task_data (task, data, (GDestroyNotify) get_data_free);
  get_with_token (g_steal_pointer (&task), FALSE);
}

static JsonNode *
google_get_finish (CalsyncGoogleProvider  *self,
                   GAsyncResult           *result,
                   GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* JSON helpers ----------------------------------------------------------------- */

/* The string member @name of @object, or NULL when absent or not a string */
static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
member_bool (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_TYPE (node) == JSON_NODE_VALUE &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Calendar list ---------------------------------------------------------------- */

static CalsyncCalendar *
calendar_from_entry (JsonObject *entry)
{
  CalsyncCalendar *calendar = calsync_calendar_new ();
  const char *color = member_string (entry, "backgroundColor");
  gboolean primary = member_bool (entry, "primary");

  calsync_calendar_set_remote_id (calendar, member_string (entry, "id"));
  calsync_calendar_set_name (calendar, member_string (entry, "summary"));
  if (color != NULL)
    calsync_calendar_set_color (calendar, color);
  calsync_calendar_set_is_primary (calendar, primary);
  /* Calendars the person unticked in Google Calendar start inactive */
  calsync_calendar_set_is_active (calendar, !member_bool (entry, "hidden") &&
                                            (primary || member_bool (entry, "selected")));
  return calendar;
}

/* Appends the calendars of one calendarList page to @calendars. */
static gboolean
parse_calendar_list_page (JsonNode    *root,
                          GPtrArray   *calendars,
                          char       **next_page_token,
                          GError     **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonNode *items_node = object ? json_object_get_member (object, "items") : NULL;
  JsonArray *items = NULL;

  if (object == NULL || (items_node != NULL && !JSON_NODE_HOLDS_ARRAY (items_node)))
    return set_malformed (error);

  items = items_node ? json_node_get_array (items_node) : NULL;
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (entry == NULL || member_string (entry, "id") == NULL)
        return set_malformed (error);
      if (!member_bool (entry, "deleted"))
        g_ptr_array_add (calendars, calendar_from_entry (entry));
    }

  *next_page_token = g_strdup (member_string (object, "nextPageToken"));
  return TRUE;
}

static char *
calendar_list_uri (CalsyncGoogleProvider *self,
                   const char            *page_token)
{
  g_autofree char *escaped = page_token ? g_uri_escape_string (page_token, NULL, FALSE) : NULL;

  return g_strdup_printf ("%s/users/me/calendarList?maxResults=250%s%s", self->api_url,
                          escaped ? "&pageToken=" : "", escaped ? escaped : "");
}

static void
on_calendar_list_page (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncGoogleProvider *self = CALSYNC_GOOGLE_PROVIDER (object);
  GPtrArray *calendars = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_page_token = NULL;

  root = google_get_finish (self, result, &error);
  if (root == NULL || !parse_calendar_list_page (root, calendars, &next_page_token, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (next_page_token != NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      google_get_async (self, calendar_list_uri (self, next_page_token), cancellable,
                        on_calendar_list_page, g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task, g_ptr_array_ref (calendars), (GDestroyNotify) g_ptr_array_unref);
}

static void
calsync_google_provider_list_calendars_async (CalsyncProvider     *provider,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  CalsyncGoogleProvider *self = CALSYNC_GOOGLE_PROVIDER (provider);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_google_provider_list_calendars_async);
  g_task_set_task_data (task, g_ptr_array_new_with_free_func (g_object_unref),
                        (GDestroyNotify) g_ptr_array_unref);

  google_get_async (self, calendar_list_uri (self, NULL), cancellable,
                    on_calendar_list_page, g_steal_pointer (&task));
}

static GPtrArray *
calsync_google_provider_list_calendars_finish (CalsyncProvider  *provider,
                                               GAsyncResult     *result,
                                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Event resources → CalsyncEvent (runs in a worker thread) ---------------------- */

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
  unsigned int y, m, d;
  char tail;

  return text != NULL && sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) == 3 &&
         g_date_valid_dmy (d, m, y);
}

static gboolean
map_timed (CalsyncEvent *event,
           JsonObject   *start,
           JsonObject   *end,
           const char   *calendar_zone)
{
  /* the event's time zone, else the calendar's */
  const char *time_zone = member_string (start, "timeZone");
  gint64 start_usec, end_usec;

  if (time_zone == NULL)
    time_zone = calendar_zone;

  if (!parse_instant (member_string (start, "dateTime"), time_zone, &start_usec))
    return FALSE;
  if (end == NULL || member_string (end, "dateTime") == NULL)
    end_usec = start_usec;
  else if (!parse_instant (member_string (end, "dateTime"), time_zone, &end_usec))
    return FALSE;

  calsync_event_set_times (event, start_usec / G_USEC_PER_SEC, end_usec / G_USEC_PER_SEC, time_zone);
  return TRUE;
}

static gboolean
map_all_day (CalsyncEvent *event,
             JsonObject   *start,
             JsonObject   *end)
{
  const char *start_date = member_string (start, "date");
  const char *end_date = end ? member_string (end, "date") : NULL;

  if (!is_valid_date (start_date) || (end_date != NULL && !is_valid_date (end_date)))
    return FALSE;
  if (end != NULL && end_date == NULL && member_string (end, "dateTime") != NULL)
    return FALSE;   /* a date start with a dateTime end */

  calsync_event_set_dates (event, start_date, end_date);
  return TRUE;
}

/* start/end; optional on cancelled events (minimal objects) */
static gboolean
map_times (CalsyncEvent *event,
           JsonObject   *item,
           const char   *calendar_zone)
{
  JsonObject *start = member_object (item, "start");
  JsonObject *end = member_object (item, "end");

  if (start == NULL)
    return calsync_event_get_status (event) == CALSYNC_EVENT_STATUS_CANCELLED;
  if (member_string (start, "date") != NULL)
    return map_all_day (event, start, end);

  return map_timed (event, start, end, calendar_zone);
}

static CalsyncEventStatus
map_status (const char *status)
{
  if (g_strcmp0 (status, "cancelled") == 0)
    return CALSYNC_EVENT_STATUS_CANCELLED;
  if (g_strcmp0 (status, "tentative") == 0)
    return CALSYNC_EVENT_STATUS_TENTATIVE;

  return CALSYNC_EVENT_STATUS_CONFIRMED;
}

static void
add_attendee (JsonBuilder *builder,
              JsonObject  *attendee,
              const char  *organizer_email)
{
  const char *email = member_string (attendee, "email");
  const char *name = member_string (attendee, "displayName");
  const char *response = member_string (attendee, "responseStatus");
  gboolean organizer = member_bool (attendee, "organizer") ||
                       (email != NULL && g_strcmp0 (email, organizer_email) == 0);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, email ? email : "");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name ? name : "");
  json_builder_set_member_name (builder, "response");
  json_builder_add_string_value (builder, response ? response : "needsAction");
  json_builder_set_member_name (builder, "organizer");
  json_builder_add_boolean_value (builder, organizer);
  json_builder_end_object (builder);
}

/* Sets the attendees JSON; returns whether anyone but the calendar's owner attends */
static gboolean
map_attendees (CalsyncEvent *event,
               JsonObject   *item)
{
  JsonArray *attendees = member_array (item, "attendees");
  JsonObject *organizer = member_object (item, "organizer");
  const char *organizer_email = organizer ? member_string (organizer, "email") : NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  gboolean others = FALSE;

  if (attendees == NULL || json_array_get_length (attendees) == 0)
    return FALSE;

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; i < json_array_get_length (attendees); i++)
    {
      JsonNode *node = json_array_get_element (attendees, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      add_attendee (builder, json_node_get_object (node), organizer_email);
      others |= !member_bool (json_node_get_object (node), "self");
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  calsync_event_set_attendees_json (event, json);
  return others;
}

static const char *
video_entry_point (JsonObject *item)
{
  JsonObject *conference = member_object (item, "conferenceData");
  JsonArray *entry_points = conference ? member_array (conference, "entryPoints") : NULL;

  for (guint i = 0; entry_points != NULL && i < json_array_get_length (entry_points); i++)
    {
      JsonNode *node = json_array_get_element (entry_points, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (entry != NULL && g_strcmp0 (member_string (entry, "entryPointType"), "video") == 0 &&
          member_string (entry, "uri") != NULL)
        return member_string (entry, "uri");
    }

  return NULL;
}

static void
map_conference (CalsyncEvent *event,
                JsonObject   *item)
{
  const char *url = member_string (item, "hangoutLink");
  g_autofree char *found = NULL;

  if (url == NULL)
    url = video_entry_point (item);
  if (url == NULL && (found = calsync_find_conference_url (member_string (item, "location"))) == NULL)
    found = calsync_find_conference_url (member_string (item, "description"));

  calsync_event_set_conference_url (event, url ? url : found);
}

static void
map_recurrence (CalsyncEvent *event,
                JsonObject   *item)
{
  JsonArray *recurrence = member_array (item, "recurrence");
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  for (guint i = 0; recurrence != NULL && i < json_array_get_length (recurrence); i++)
    {
      JsonNode *node = json_array_get_element (recurrence, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_strv_builder_add (lines, json_node_get_string (node));
    }

  strv = g_strv_builder_end (lines);
  if (strv[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv ("\n", strv);
      calsync_event_set_recurrence (event, joined);
    }
}

static void
map_original_start (CalsyncEvent *event,
                    JsonObject   *item)
{
  JsonObject *original = member_object (item, "originalStartTime");
  const char *text = NULL;

  if (original != NULL)
    text = member_string (original, "dateTime") ? member_string (original, "dateTime")
                                                 : member_string (original, "date");
  calsync_event_set_original_start (event, text);
}

static void
map_text_fields (CalsyncEvent *event,
                 JsonObject   *item)
{
  gint64 updated = 0;

  calsync_event_set_etag (event, member_string (item, "etag"));
  calsync_event_set_title (event, member_string (item, "summary"));
  calsync_event_set_description (event, member_string (item, "description"));
  calsync_event_set_location (event, member_string (item, "location"));
  calsync_event_set_recurring_event_id (event, member_string (item, "recurringEventId"));
  if (parse_instant (member_string (item, "updated"), "UTC", &updated))
    calsync_event_set_remote_updated (event, updated);
}

/* Returns NULL for a malformed resource */
static CalsyncEvent *
event_from_item (JsonObject *item,
                 const char *calendar_zone)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();
  const char *id = member_string (item, "id");
  gboolean has_attendees;

  if (id == NULL || *id == '\0')
    return NULL;

  calsync_event_set_external_id (event, id);
  calsync_event_set_status (event, map_status (member_string (item, "status")));
  if (!map_times (event, item, calendar_zone))
    return NULL;

  map_text_fields (event, item);
  map_original_start (event, item);
  map_recurrence (event, item);
  map_conference (event, item);
  has_attendees = map_attendees (event, item);
  calsync_event_set_event_type (event, calsync_classify_event_type (calsync_event_get_title (event),
                                                                   calsync_event_get_description (event),
                                                                   has_attendees));
  return g_steal_pointer (&event);
}

static gboolean
parse_items (JsonArray   *items,
             const char  *calendar_zone,
             GPtrArray   *events,
             GError     **error)
{
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *kind = item ? member_string (item, "kind") : NULL;
      CalsyncEvent *event;

      if (item == NULL)
        return set_malformed (error);
      if (kind != NULL && !g_str_equal (kind, "calendar#event"))
        continue;
      if ((event = event_from_item (item, calendar_zone)) == NULL)
        return set_malformed (error);
      g_ptr_array_add (events, event);
    }

  return TRUE;
}

/**
 * calsync_google_parse_events_page:
 * @root: an Events resource as events.list returns it
 *
 * Maps the page's event resources to #CalsyncEvent. Resources of another kind
 * are ignored; a page that is not an Events resource, has no token to go on
 * with, or holds an event without an id or with unreadable times fails as a
 * whole with %CALSYNC_HTTP_ERROR_MALFORMED, so that nothing of it is applied.
 *
 * Returns: (transfer full): the page, or %NULL with @error set
 */
CalsyncPage *
calsync_google_parse_events_page (JsonNode  *root,
                                  GError   **error)
{
  g_autoptr(CalsyncPage) page = NULL;
  JsonObject *object;
  JsonNode *items;

  g_return_val_if_fail (root != NULL, NULL);

  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  items = object ? json_object_get_member (object, "items") : NULL;
  if (object == NULL || (items != NULL && !JSON_NODE_HOLDS_ARRAY (items)))
    {
      set_malformed (error);
      return NULL;
    }

  page = calsync_page_new ();
  page->next_page_token = g_strdup (member_string (object, "nextPageToken"));
  page->next_cursor = g_strdup (member_string (object, "nextSyncToken"));
  if (page->next_page_token == NULL && page->next_cursor == NULL)
    {
      set_malformed (error);
      return NULL;
    }

  if (!parse_items (items ? json_node_get_array (items) : NULL,
                    member_string (object, "timeZone"), page->upserts, error))
    return NULL;

  return g_steal_pointer (&page);
}

/* Events pages ----------------------------------------------------------------- */

static void
append_param (GString    *uri,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (uri, "&%s=%s", name, escaped);
}

static char *
format_rfc3339_utc (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* Google refuses time bounds (and orderBy, q, updatedMin…) next to a syncToken. */
static char *
events_uri (CalsyncGoogleProvider     *self,
            const char                *calendar_id,
            const CalsyncFetchRequest *request)
{
  g_autofree char *escaped_id = g_uri_escape_string (calendar_id, NULL, FALSE);
  GString *uri = g_string_new (NULL);

  g_string_append_printf (uri, "%s/calendars/%s/events?singleEvents=true&maxResults=%d",
                          self->api_url, escaped_id, EVENTS_MAX_RESULTS);

  if (request->sync_token != NULL)
    append_param (uri, "syncToken", request->sync_token);
  else if (request->time_min != 0 || request->time_max != 0)
    {
      g_autofree char *time_min = format_rfc3339_utc (request->time_min);
      g_autofree char *time_max = format_rfc3339_utc (request->time_max);

      append_param (uri, "timeMin", time_min);
      append_param (uri, "timeMax", time_max);
    }

  if (request->page_token != NULL)
    append_param (uri, "pageToken", request->page_token);

  return g_string_free (uri, FALSE);
}

static void
parse_page_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_autoptr(JsonNode) root = task_data; /* freed here: a 2,500-event tree takes ~30 ms to free */
  GError *error = NULL;
  CalsyncPage *page;

  if ((page = calsync_google_parse_events_page (root, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, page, (GDestroyNotify) calsync_page_free);
}

static void
on_events_page (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = google_get_finish (CALSYNC_GOOGLE_PROVIDER (object), result, &error);

  if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_GONE))
    g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_TOKEN_EXPIRED,
                             _("Google asked for a full sync of this calendar."));
  else if (root == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    {
      /* No destroy notify: parse_page_thread owns the tree and frees it off the main thread. */
      g_task_set_task_data (task, g_steal_pointer (&root), NULL);
      g_task_run_in_thread (task, parse_page_thread);
    }
}

static void
calsync_google_provider_fetch_page_async (CalsyncProvider           *provider,
                                          CalsyncCalendar           *calendar,
                                          const CalsyncFetchRequest *request,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data)
{
  CalsyncGoogleProvider *self = CALSYNC_GOOGLE_PROVIDER (provider);
  const char *calendar_id = calsync_calendar_get_remote_id (calendar);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_google_provider_fetch_page_async);

  if (calendar_id == NULL || *calendar_id == '\0')
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                               _("This calendar is not linked to a Google calendar."));
      return;
    }

  google_get_async (self, events_uri (self, calendar_id, request), cancellable,
                    on_events_page, g_steal_pointer (&task));
}

static CalsyncPage *
calsync_google_provider_fetch_page_finish (CalsyncProvider  *provider,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
calsync_google_provider_iface_init (CalsyncProviderInterface *iface)
{
  iface->list_calendars_async = calsync_google_provider_list_calendars_async;
  iface->list_calendars_finish = calsync_google_provider_list_calendars_finish;
  iface->fetch_page_async = calsync_google_provider_fetch_page_async;
  iface->fetch_page_finish = calsync_google_provider_fetch_page_finish;
}
