/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-google-provider.c: Google Calendar API v3 — the calendar list, events
 * pages (singleEvents, syncToken, 410), authorized requests with one refresh
 * after a 401, Google's rate-limit answers, and Google's words for errors. */
#define G_LOG_DOMAIN "calsync-google-provider"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "calsync-google-provider.h"
#include "calsync-google-write.h"

#define DEFAULT_API_URL "https://www.googleapis.com/calendar/v3"
#define EVENTS_MAX_RESULTS 2500
#define CALENDARS_MAX_RESULTS 250
#define MAX_CALENDAR_LIST_PAGES 100

struct _CalsyncGoogleProvider
{
  GObject parent_instance;

  /* Owned references */
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
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
  g_clear_object (&self->credentials);
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
 * @credentials: the account's tokens
 * @api_url: (nullable): API base; %NULL for calsync_google_provider_default_api_url()
 *
 * Returns: (transfer full): a provider for one Google account
 */
CalsyncGoogleProvider *
calsync_google_provider_new (CalsyncHttp        *http,
                             CalsyncCredentials *credentials,
                             const char         *api_url)
{
  CalsyncGoogleProvider *self;

  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (CALSYNC_IS_CREDENTIALS (credentials), NULL);

  self = g_object_new (CALSYNC_TYPE_GOOGLE_PROVIDER, NULL);
  self->http = g_object_ref (http);
  self->credentials = g_object_ref (credentials);
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
                              _("Google sent an answer CalSync could not read. Your events were left as they were."));
}

static gboolean
reason_is_rate_limit (const char *reason)
{
  return g_strcmp0 (reason, "rateLimitExceeded") == 0 ||
         g_strcmp0 (reason, "userRateLimitExceeded") == 0 ||
         g_strcmp0 (reason, "RATE_LIMIT_EXCEEDED") == 0;
}

static gboolean
array_has_rate_limit_reason (JsonObject *object,
                             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (item) &&
          reason_is_rate_limit (json_object_get_string_member_with_default (json_node_get_object (item),
                                                                           "reason", NULL)))
        return TRUE;
    }

  return FALSE;
}

/* Google answers some rate limits with 403: {"error": {"errors": [{"reason":
 * "rateLimitExceeded"}]}}, or the newer {"error": {"details": [{"reason":
 * "RATE_LIMIT_EXCEEDED"}]}}; those are retried like a 429 */
gboolean
calsync_google_response_is_rate_limit (CalsyncHttpResponse *response)
{
  JsonNode *error_node;
  JsonObject *error_object;

  if (response->status != SOUP_STATUS_FORBIDDEN || response->json == NULL ||
      !JSON_NODE_HOLDS_OBJECT (response->json))
    return FALSE;

  error_node = json_object_get_member (json_node_get_object (response->json), "error");
  if (error_node == NULL || !JSON_NODE_HOLDS_OBJECT (error_node))
    return FALSE;

  error_object = json_node_get_object (error_node);
  return array_has_rate_limit_reason (error_object, "errors") ||
         array_has_rate_limit_reason (error_object, "details");
}

static char *
google_error_text (CalsyncProvider *provider,
                   const GError    *error)
{
  if (error->domain != CALSYNC_HTTP_ERROR)
    return NULL;

  switch (error->code)
    {
    case CALSYNC_HTTP_ERROR_RATE_LIMITED:
      return g_strdup (_("Google is limiting requests right now. Try again in a few minutes."));
    case CALSYNC_HTTP_ERROR_SERVER:
    case CALSYNC_HTTP_ERROR_TIMEOUT:
      return g_strdup (_("Google is not responding right now. Try again later."));
    case CALSYNC_HTTP_ERROR_MALFORMED:
    case CALSYNC_HTTP_ERROR_TOO_LARGE:
      return g_strdup (_("Google sent an answer CalSync could not read. Your events were left as they were."));
    case CALSYNC_HTTP_ERROR_AUTH:
      return g_strdup (_("Google did not accept the sign-in. Reconnect the account in Preferences."));
    case CALSYNC_HTTP_ERROR_FORBIDDEN:
      return g_strdup (_("Google refused access to this calendar."));
    case CALSYNC_HTTP_ERROR_NOT_FOUND:
      return g_strdup (_("This calendar no longer exists on Google."));
    case CALSYNC_HTTP_ERROR_OFFLINE:
    case CALSYNC_HTTP_ERROR_INSECURE:
      return NULL;
    default:
      return g_strdup (_("Google refused the request. Try again later."));
    }
}

/* Authorized requests: credentials, request, one retry with a fresh token after a 401 */

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  CalsyncHttpResponse *response;

  response = calsync_credentials_send_finish (CALSYNC_CREDENTIALS (object), result, NULL, &error);
  if (response == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, response, (GDestroyNotify) calsync_http_response_free);
}

/* Takes ownership of @uri. */
static void
google_get_async (CalsyncGoogleProvider *self,
                  char                  *uri,
                  CalsyncHttpBody        expect,
                  GCancellable          *cancellable,
                  GAsyncReadyCallback    callback,
                  gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(CalsyncHttpRequest) request = calsync_http_request_new ("GET", uri);

  calsync_http_request_add_header (request, "Accept", "application/json");
  calsync_http_request_set_expect (request, expect);
  calsync_http_request_set_rate_limit_func (request, calsync_google_response_is_rate_limit);
  g_free (uri);

  g_task_set_source_tag (task, google_get_async);
  calsync_credentials_send_async (self->credentials, self->http, request, cancellable,
                                  on_sent, g_steal_pointer (&task));
}

static CalsyncHttpResponse *
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

/* Calendar list ---------------------------------------------------------------- */

static CalsyncCalendar *
calendar_from_entry (JsonObject *entry)
{
  CalsyncCalendar *calendar = calsync_calendar_new ();
  const char *color = member_string (entry, "backgroundColor");
  gboolean primary = member_bool (entry, "primary");
  const char *role = member_string (entry, "accessRole");

  calsync_calendar_set_remote_id (calendar, member_string (entry, "id"));
  calsync_calendar_set_name (calendar, member_string (entry, "summary"));
  if (color != NULL && color[0] == '#' && strlen (color) <= 9)
    calsync_calendar_set_color (calendar, color);
  calsync_calendar_set_is_primary (calendar, primary);
  calsync_calendar_set_is_active (calendar, TRUE);
  /* "reader" and "freeBusyReader" see events, "writer" and "owner" change them */
  calsync_calendar_set_read_only (calendar, g_strcmp0 (role, "writer") != 0 && g_strcmp0 (role, "owner") != 0);
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
    {
      g_propagate_error (error, malformed_error ());
      return FALSE;
    }

  items = items_node ? json_node_get_array (items_node) : NULL;
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = entry ? member_string (entry, "id") : NULL;

      /* An entry CalSync cannot read is left out, not the whole list */
      if (id == NULL || *id == '\0' || strlen (id) > CALSYNC_EVENT_MAX_ID)
        continue;
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

  return g_strdup_printf ("%s/users/me/calendarList?maxResults=%d%s%s", self->api_url,
                          CALENDARS_MAX_RESULTS,
                          escaped ? "&pageToken=" : "", escaped ? escaped : "");
}

typedef struct
{
  GPtrArray *calendars;
  GHashTable *page_tokens;   /* seen, against a server that repeats one */
} ListData;

static void
list_data_free (ListData *data)
{
  g_ptr_array_unref (data->calendars);
  g_hash_table_unref (data->page_tokens);
  g_free (data);
}

static void
on_calendar_list_page (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncGoogleProvider *self = CALSYNC_GOOGLE_PROVIDER (object);
  ListData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_page_token = NULL;

  response = google_get_finish (self, result, &error);
  if (response == NULL ||
      !parse_calendar_list_page (response->json, data->calendars, &next_page_token, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (next_page_token == NULL)
    {
      g_task_return_pointer (task, g_ptr_array_ref (data->calendars), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (g_hash_table_contains (data->page_tokens, next_page_token) ||
      g_hash_table_size (data->page_tokens) >= MAX_CALENDAR_LIST_PAGES)
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_PAGING,
                               _("Google sent a list of calendars that does not end. Try again later."));
      return;
    }

  g_hash_table_add (data->page_tokens, g_strdup (next_page_token));
  google_get_async (self, calendar_list_uri (self, next_page_token), CALSYNC_HTTP_BODY_JSON,
                    cancellable, on_calendar_list_page, g_steal_pointer (&task));
}

static void
calsync_google_provider_list_calendars_async (CalsyncProvider     *provider,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  CalsyncGoogleProvider *self = CALSYNC_GOOGLE_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ListData *data = g_new0 (ListData, 1);

  data->calendars = g_ptr_array_new_with_free_func (g_object_unref);
  data->page_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_source_tag (task, calsync_google_provider_list_calendars_async);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);

  google_get_async (self, calendar_list_uri (self, NULL), CALSYNC_HTTP_BODY_JSON, cancellable,
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

/* The account's address: the id of its primary calendar ------------------------- */

static char *
primary_calendar_id (GPtrArray  *calendars,
                     GError    **error)
{
  for (guint i = 0; i < calendars->len; i++)
    if (calsync_calendar_get_is_primary (g_ptr_array_index (calendars, i)))
      return g_strdup (calsync_calendar_get_remote_id (g_ptr_array_index (calendars, i)));

  g_set_error_literal (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                       _("Google did not name the account’s own calendar; try again later."));
  return NULL;
}

static void
on_calendars_for_address (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) calendars = NULL;
  GError *error = NULL;
  char *address;

  calendars = calsync_provider_list_calendars_finish (CALSYNC_PROVIDER (object), result, &error);
  if (calendars == NULL || (address = primary_calendar_id (calendars, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, address, g_free);
}

static void
calsync_google_provider_get_account_address_async (CalsyncProvider     *provider,
                                                   GPtrArray           *calendars,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);
  GError *error = NULL;
  char *address;

  g_task_set_source_tag (task, calsync_google_provider_get_account_address_async);

  if (calendars == NULL)
    calsync_provider_list_calendars_async (provider, cancellable, on_calendars_for_address,
                                           g_steal_pointer (&task));
  else if ((address = primary_calendar_id (calendars, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, address, g_free);
}

static char *
calsync_google_provider_get_account_address_finish (CalsyncProvider  *provider,
                                                    GAsyncResult     *result,
                                                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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

  if (request->cursor != NULL)
    append_param (uri, "syncToken", request->cursor);
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

typedef struct
{
  CalsyncHttpResponse *response;
  gboolean full_snapshot;
} PageData;

static void
page_data_free (PageData *data)
{
  g_clear_pointer (&data->response, calsync_http_response_free);
  g_free (data);
}

static void
parse_page_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  PageData *data = task_data;
  GError *error = NULL;
  gsize size = 0;
  const char *body = g_bytes_get_data (data->response->body, &size);
  CalsyncPage *page;

  if ((page = calsync_google_parse_events_page (body, size, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  page->full_snapshot = data->full_snapshot;
  /* freed here: the body of a page is megabytes */
  g_clear_pointer (&data->response, calsync_http_response_free);
  g_task_return_pointer (task, page, (GDestroyNotify) calsync_page_free);
}

static void
on_events_page (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PageData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->response = google_get_finish (CALSYNC_GOOGLE_PROVIDER (object), result, &error);

  if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_GONE))
    g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED,
                             _("Google asked for a full sync of this calendar."));
  else if (data->response == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_run_in_thread (task, parse_page_thread);
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
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  PageData *data = g_new0 (PageData, 1);

  data->full_snapshot = request->cursor == NULL;
  g_task_set_source_tag (task, calsync_google_provider_fetch_page_async);
  g_task_set_task_data (task, data, (GDestroyNotify) page_data_free);

  if (calendar_id == NULL || *calendar_id == '\0')
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                               _("This calendar is not linked to a Google calendar."));
      return;
    }

  google_get_async (self, events_uri (self, calendar_id, request), CALSYNC_HTTP_BODY_JSON_BYTES,
                    cancellable, on_events_page, g_steal_pointer (&task));
}

static CalsyncPage *
calsync_google_provider_fetch_page_finish (CalsyncProvider  *provider,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writes ------------------------------------------------------------------------ */

static void
on_event_written (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  CalsyncWriteResult *written = calsync_google_write_finish (result, &error);

  if (written == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, written, (GDestroyNotify) calsync_write_result_free);
}

static void
calsync_google_provider_write_event_async (CalsyncProvider     *provider,
                                           CalsyncCalendar     *calendar,
                                           const CalsyncWrite  *write,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  CalsyncGoogleProvider *self = CALSYNC_GOOGLE_PROVIDER (provider);
  const char *calendar_id = calsync_calendar_get_remote_id (calendar);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, calsync_google_provider_write_event_async);
  if (calendar_id == NULL || *calendar_id == '\0')
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                               _("This calendar is not linked to a Google calendar."));
      return;
    }

  calsync_google_write_async (self->http, self->credentials, self->api_url, calendar_id, write,
                              cancellable, on_event_written, g_steal_pointer (&task));
}

static CalsyncWriteResult *
calsync_google_provider_write_event_finish (CalsyncProvider  *provider,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
calsync_google_provider_iface_init (CalsyncProviderInterface *iface)
{
  iface->write_event_async = calsync_google_provider_write_event_async;
  iface->write_event_finish = calsync_google_provider_write_event_finish;
  iface->list_calendars_async = calsync_google_provider_list_calendars_async;
  iface->list_calendars_finish = calsync_google_provider_list_calendars_finish;
  iface->fetch_page_async = calsync_google_provider_fetch_page_async;
  iface->fetch_page_finish = calsync_google_provider_fetch_page_finish;
  iface->error_text = google_error_text;
  iface->get_account_address_async = calsync_google_provider_get_account_address_async;
  iface->get_account_address_finish = calsync_google_provider_get_account_address_finish;
}
