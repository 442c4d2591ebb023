/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-outlook-provider.c: Outlook and Microsoft 365 calendars through
 * Microsoft Graph — the calendar list (/me/calendars), pages of changes
 * (calendarView/delta, its nextLink and deltaLink called exactly as given and
 * never on another origin), the account's address (/me), authorized requests
 * with one refresh after a 401, Graph's error codes in Outlook's words, and
 * local changes sent back (calsync-outlook-write.c). */
#define G_LOG_DOMAIN "calsync-outlook-provider"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "calsync-outlook-private.h"

#define DEFAULT_API_URL "https://graph.microsoft.com/v1.0"
#define MAX_CALENDAR_LIST_PAGES 100

struct _CalsyncOutlookProvider
{
  GObject parent_instance;

  /* Owned references */
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
  char *api_url;
};

static void calsync_outlook_provider_iface_init (CalsyncProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CalsyncOutlookProvider, calsync_outlook_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CALSYNC_TYPE_PROVIDER,
                                                      calsync_outlook_provider_iface_init))

static void
calsync_outlook_provider_finalize (GObject *object)
{
  CalsyncOutlookProvider *self = (CalsyncOutlookProvider *) object;

  g_clear_object (&self->http);
  g_clear_object (&self->credentials);
  g_clear_pointer (&self->api_url, g_free);

  G_OBJECT_CLASS (calsync_outlook_provider_parent_class)->finalize (object);
}

static void
calsync_outlook_provider_class_init (CalsyncOutlookProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_outlook_provider_finalize;
}

static void
calsync_outlook_provider_init (CalsyncOutlookProvider *self)
{
}

/**
 * calsync_outlook_provider_default_api_url:
 *
 * Returns: (transfer full): `CALSYNC_GRAPH_API_URL`, or Microsoft Graph's v1.0 address
 */
char *
calsync_outlook_provider_default_api_url (void)
{
  const char *url = g_getenv ("CALSYNC_GRAPH_API_URL");

  return g_strdup (url != NULL && *url != '\0' ? url : DEFAULT_API_URL);
}

/**
 * calsync_outlook_provider_new:
 * @http: the shared HTTP session
 * @credentials: the account's tokens
 * @api_url: (nullable): API base; %NULL for calsync_outlook_provider_default_api_url()
 *
 * Returns: (transfer full): a provider for one Microsoft account
 */
CalsyncOutlookProvider *
calsync_outlook_provider_new (CalsyncHttp        *http,
                              CalsyncCredentials *credentials,
                              const char         *api_url)
{
  CalsyncOutlookProvider *self;

  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (CALSYNC_IS_CREDENTIALS (credentials), NULL);

  self = g_object_new (CALSYNC_TYPE_OUTLOOK_PROVIDER, NULL);
  self->http = g_object_ref (http);
  self->credentials = g_object_ref (credentials);
  self->api_url = api_url ? g_strdup (api_url) : calsync_outlook_provider_default_api_url ();

  while (g_str_has_suffix (self->api_url, "/"))
    self->api_url[strlen (self->api_url) - 1] = '\0';

  return self;
}

/* Links the server hands out ------------------------------------------------------ */

static int
port_of (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

/* Whether @url is on the API's origin (scheme, host, port): only there does
 * the bearer token go */
static gboolean
is_api_origin (CalsyncOutlookProvider *self,
               const char             *url)
{
  g_autoptr(GUri) api = g_uri_parse (self->api_url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) link = url ? g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL) : NULL;

  return api != NULL && link != NULL && g_uri_get_host (link) != NULL &&
         g_ascii_strcasecmp (g_uri_get_scheme (api), g_uri_get_scheme (link)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (api), g_uri_get_host (link)) == 0 &&
         port_of (api) == port_of (link);
}

/* Authorized requests: credentials, request, one retry with a fresh token after a 401 */

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CalsyncHttpResponse) error_response = NULL;
  GError *error = NULL;
  CalsyncHttpResponse *response;

  response = calsync_credentials_send_finish (CALSYNC_CREDENTIALS (object), result, &error_response, &error);
  if (response == NULL)
    g_task_return_error (task, calsync_outlook_error_from_response (error, error_response));
  else
    g_task_return_pointer (task, response, (GDestroyNotify) calsync_http_response_free);
}

/* GET @uri (on the API's origin, or refused before any token is sent) */
static void
graph_get_async (CalsyncOutlookProvider *self,
                 const char             *uri,
                 CalsyncHttpBody         expect,
                 gboolean                events,
                 GCancellable           *cancellable,
                 GAsyncReadyCallback     callback,
                 gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(CalsyncHttpRequest) request = NULL;

  g_task_set_source_tag (task, graph_get_async);
  if (!is_api_origin (self, uri))
    {
      g_task_return_error (task, calsync_outlook_foreign_link_error ());
      return;
    }

  request = calsync_http_request_new ("GET", uri);
  calsync_http_request_add_header (request, "Accept", "application/json");
  /* Both preferences in one header (RFC 7240 §2): pages of up to
   * CALSYNC_OUTLOOK_PAGE_SIZE events, times in UTC */
  if (events)
    calsync_http_request_add_header (request, "Prefer",
                                     "odata.maxpagesize=" G_STRINGIFY (CALSYNC_OUTLOOK_PAGE_SIZE)
                                     ", outlook.timezone=\"UTC\"");
  calsync_http_request_set_expect (request, expect);
  calsync_http_request_set_rate_limit_func (request, calsync_outlook_is_rate_limit);

  calsync_credentials_send_async (self->credentials, self->http, request, cancellable,
                                  on_sent, g_steal_pointer (&task));
}

static CalsyncHttpResponse *
graph_get_finish (CalsyncOutlookProvider  *self,
                  GAsyncResult            *result,
                  GError                 **error)
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
root_object (CalsyncHttpResponse *response)
{
  return response->json != NULL && JSON_NODE_HOLDS_OBJECT (response->json)
         ? json_node_get_object (response->json) : NULL;
}


/* Calendar list ---------------------------------------------------------------- */

/* The colours Outlook shows for calendar.color (calendarColor) */
static const char *
color_of_theme (const char *color)
{
  static const struct { const char *name; const char *hex; } themes[] = {
    { "lightBlue", "#a6d1f5" }, { "lightGreen", "#87d28e" }, { "lightOrange", "#fcab73" },
    { "lightGray", "#c0c0c0" }, { "lightYellow", "#f4d07a" }, { "lightTeal", "#6ed5d0" },
    { "lightPink", "#f09cc8" }, { "lightBrown", "#cba287" }, { "lightRed", "#f88c9b" },
    { "maxColor", "#0078d4" }, { "auto", "#0078d4" },
  };

  for (guint i = 0; color != NULL && i < G_N_ELEMENTS (themes); i++)
    if (g_ascii_strcasecmp (color, themes[i].name) == 0)
      return themes[i].hex;

  return NULL;
}

/* hexColor "#rrggbb" (empty when the person never chose one), else the theme */
static char *
calendar_color (JsonObject *entry)
{
  const char *hex = member_string (entry, "hexColor");
  const char *theme;

  if (hex != NULL && *hex == '#')
    hex++;
  if (hex != NULL && strlen (hex) == 6 && strspn (hex, "0123456789abcdefABCDEF") == 6)
    {
      g_autofree char *lower = g_ascii_strdown (hex, -1);

      return g_strconcat ("#", lower, NULL);
    }

  theme = color_of_theme (member_string (entry, "color"));
  return theme != NULL ? g_strdup (theme) : NULL;
}

static CalsyncCalendar *
calendar_from_entry (JsonObject *entry)
{
  CalsyncCalendar *calendar = calsync_calendar_new ();
  g_autofree char *color = calendar_color (entry);

  calsync_calendar_set_remote_id (calendar, member_string (entry, "id"));
  calsync_calendar_set_name (calendar, member_string (entry, "name"));
  calsync_calendar_set_color (calendar, color);
  calsync_calendar_set_is_primary (calendar, member_bool (entry, "isDefaultCalendar"));
  calsync_calendar_set_is_active (calendar, TRUE);
  /* canEdit false: shared to read, a holiday or birthday calendar */
  calsync_calendar_set_read_only (calendar, !member_bool (entry, "canEdit"));
  return calendar;
}

/* Appends the calendars of one page of /me/calendars to @calendars */
static gboolean
parse_calendar_list_page (CalsyncHttpResponse  *response,
                          GPtrArray            *calendars,
                          char                **next_link,
                          GError              **error)
{
  JsonObject *object = root_object (response);
  JsonNode *value = object ? json_object_get_member (object, "value") : NULL;
  JsonArray *items;

  if (object == NULL || value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    {
      g_propagate_error (error, calsync_outlook_malformed_error ());
      return FALSE;
    }

  items = json_node_get_array (value);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = entry ? member_string (entry, "id") : NULL;

      /* An entry CalSync cannot read is left out, not the whole list */
      if (id != NULL && *id != '\0' && strlen (id) <= CALSYNC_EVENT_MAX_ID)
        g_ptr_array_add (calendars, calendar_from_entry (entry));
    }

  *next_link = g_strdup (member_string (object, "@odata.nextLink"));
  return TRUE;
}

/* The default calendar first, the others in Graph's order */
static GPtrArray *
default_first (GPtrArray *calendars)
{
  GPtrArray *sorted = g_ptr_array_new_full (calendars->len, g_object_unref);

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < calendars->len; i++)
      {
        CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);

        if (calsync_calendar_get_is_primary (calendar) == (pass == 0))
          g_ptr_array_add (sorted, g_object_ref (calendar));
      }

  return sorted;
}

typedef struct
{
  GPtrArray *calendars;
  GHashTable *links;   /* nextLinks seen, against a server that repeats one */
} ListData;

static void
list_data_free (ListData *data)
{
  g_ptr_array_unref (data->calendars);
  g_hash_table_unref (data->links);
  g_free (data);
}

static void
on_calendar_list_page (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncOutlookProvider *self = CALSYNC_OUTLOOK_PROVIDER (object);
  ListData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autofree char *next_link = NULL;
  GError *error = NULL;

  response = graph_get_finish (self, result, &error);
  if (response == NULL || !parse_calendar_list_page (response, data->calendars, &next_link, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (next_link == NULL)
    {
      g_task_return_pointer (task, default_first (data->calendars), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (g_hash_table_contains (data->links, next_link) ||
      g_hash_table_size (data->links) >= MAX_CALENDAR_LIST_PAGES)
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_PAGING,
                               _("Outlook sent a list of calendars that does not end. Try again later."));
      return;
    }

  g_hash_table_add (data->links, g_strdup (next_link));
  graph_get_async (self, next_link, CALSYNC_HTTP_BODY_JSON, FALSE, cancellable,
                   on_calendar_list_page, g_steal_pointer (&task));
}

static void
calsync_outlook_provider_list_calendars_async (CalsyncProvider     *provider,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  CalsyncOutlookProvider *self = CALSYNC_OUTLOOK_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *uri = g_strconcat (self->api_url, "/me/calendars", NULL);
  ListData *data = g_new0 (ListData, 1);

  data->calendars = g_ptr_array_new_with_free_func (g_object_unref);
  data->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_source_tag (task, calsync_outlook_provider_list_calendars_async);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);

  graph_get_async (self, uri, CALSYNC_HTTP_BODY_JSON, FALSE, cancellable,
                   on_calendar_list_page, g_steal_pointer (&task));
}

static GPtrArray *
calsync_outlook_provider_list_calendars_finish (CalsyncProvider  *provider,
                                                GAsyncResult     *result,
                                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The account's address: GET /me ------------------------------------------------- */

static void
on_me (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CalsyncHttpResponse) response = NULL;
  GError *error = NULL;
  JsonObject *me;
  const char *address = NULL;

  response = graph_get_finish (CALSYNC_OUTLOOK_PROVIDER (object), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* mail is null for accounts without a mailbox address of their own */
  if ((me = root_object (response)) != NULL)
    address = member_string (me, "mail");
  if (me != NULL && (address == NULL || *address == '\0'))
    address = member_string (me, "userPrincipalName");

  if (address == NULL || *address == '\0' || strlen (address) > CALSYNC_EVENT_MAX_ID)
    g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                             _("Outlook did not say which account this is; try again later."));
  else
    g_task_return_pointer (task, g_strdup (address), g_free);
}

static void
calsync_outlook_provider_get_account_address_async (CalsyncProvider     *provider,
                                                    GPtrArray           *calendars,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data)
{
  CalsyncOutlookProvider *self = CALSYNC_OUTLOOK_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *uri = g_strconcat (self->api_url, "/me", NULL);

  g_task_set_source_tag (task, calsync_outlook_provider_get_account_address_async);
  graph_get_async (self, uri, CALSYNC_HTTP_BODY_JSON, FALSE, cancellable, on_me, g_steal_pointer (&task));
}

static char *
calsync_outlook_provider_get_account_address_finish (CalsyncProvider  *provider,
                                                     GAsyncResult     *result,
                                                     GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Events pages ----------------------------------------------------------------- */

static char *
format_utc (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* The first request of a full round: the window's calendarView of the calendar */
static char *
delta_uri (CalsyncOutlookProvider    *self,
           const char                *calendar_id,
           const CalsyncFetchRequest *request)
{
  g_autofree char *escaped_id = g_uri_escape_string (calendar_id, NULL, FALSE);
  g_autofree char *start = format_utc (request->time_min);
  g_autofree char *end = format_utc (request->time_max);
  g_autofree char *escaped_start = g_uri_escape_string (start, ":", FALSE);
  g_autofree char *escaped_end = g_uri_escape_string (end, ":", FALSE);

  return g_strdup_printf ("%s/me/calendars/%s/calendarView/delta?startDateTime=%s&endDateTime=%s",
                          self->api_url, escaped_id, escaped_start, escaped_end);
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
  CalsyncOutlookProvider *self = source_object;
  PageData *data = task_data;
  GError *error = NULL;
  gsize size = 0;
  const char *body = g_bytes_get_data (data->response->body, &size);
  CalsyncPage *page;

  if ((page = calsync_outlook_parse_events_page (body, size, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* freed here: a page of a thousand events is megabytes */
  g_clear_pointer (&data->response, calsync_http_response_free);

  if ((page->next_page_token != NULL && !is_api_origin (self, page->next_page_token)) ||
      (page->next_cursor != NULL && !is_api_origin (self, page->next_cursor)))
    {
      calsync_page_free (page);
      g_task_return_error (task, calsync_outlook_foreign_link_error ());
      return;
    }

  page->full_snapshot = data->full_snapshot;
  g_task_return_pointer (task, page, (GDestroyNotify) calsync_page_free);
}

static void
on_events_page (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PageData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->response = graph_get_finish (CALSYNC_OUTLOOK_PROVIDER (object), result, &error);

  if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_GONE))
    {
      g_error_free (error);
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED,
                               _("Outlook asked for a full sync of this calendar."));
    }
  else if (data->response == NULL)
    g_task_return_error (task, error);
  else
    g_task_run_in_thread (task, parse_page_thread);
}

static void
calsync_outlook_provider_fetch_page_async (CalsyncProvider           *provider,
                                           CalsyncCalendar           *calendar,
                                           const CalsyncFetchRequest *request,
                                           GCancellable              *cancellable,
                                           GAsyncReadyCallback        callback,
                                           gpointer                   user_data)
{
  CalsyncOutlookProvider *self = CALSYNC_OUTLOOK_PROVIDER (provider);
  const char *calendar_id = calsync_calendar_get_remote_id (calendar);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *first = NULL;
  PageData *data = g_new0 (PageData, 1);
  const char *uri;

  data->full_snapshot = request->cursor == NULL;
  g_task_set_source_tag (task, calsync_outlook_provider_fetch_page_async);
  g_task_set_task_data (task, data, (GDestroyNotify) page_data_free);

  if (calendar_id == NULL || *calendar_id == '\0')
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                               _("This calendar is not linked to an Outlook calendar."));
      return;
    }

  /* A deltaLink kept from another API address (CALSYNC_GRAPH_API_URL
   * changed) is not called: the round starts over on this one */
  if (request->page_token == NULL && request->cursor != NULL && !is_api_origin (self, request->cursor))
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED,
                               _("Outlook asked for a full sync of this calendar."));
      return;
    }

  /* The links are called exactly as Graph gave them: they carry the window */
  if (request->page_token != NULL)
    uri = request->page_token;
  else if (request->cursor != NULL)
    uri = request->cursor;
  else
    uri = first = delta_uri (self, calendar_id, request);

  graph_get_async (self, uri, CALSYNC_HTTP_BODY_JSON_BYTES, TRUE, cancellable,
                   on_events_page, g_steal_pointer (&task));
}

static CalsyncPage *
calsync_outlook_provider_fetch_page_finish (CalsyncProvider  *provider,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writes --------------------------------------------------------------------------- */

static void
on_event_written (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CalsyncWriteResult *written = calsync_outlook_write_finish (result, &error);

  if (written == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, written, (GDestroyNotify) calsync_write_result_free);
}

static void
calsync_outlook_provider_write_event_async (CalsyncProvider     *provider,
                                            CalsyncCalendar     *calendar,
                                            const CalsyncWrite  *write,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  CalsyncOutlookProvider *self = CALSYNC_OUTLOOK_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, calsync_outlook_provider_write_event_async);
  calsync_outlook_write_async (self->http, self->credentials, self->api_url,
                               calsync_calendar_get_remote_id (calendar), write, cancellable,
                               on_event_written, g_steal_pointer (&task));
}

static CalsyncWriteResult *
calsync_outlook_provider_write_event_finish (CalsyncProvider  *provider,
                                             GAsyncResult     *result,
                                             GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
calsync_outlook_provider_iface_init (CalsyncProviderInterface *iface)
{
  iface->list_calendars_async = calsync_outlook_provider_list_calendars_async;
  iface->list_calendars_finish = calsync_outlook_provider_list_calendars_finish;
  iface->fetch_page_async = calsync_outlook_provider_fetch_page_async;
  iface->fetch_page_finish = calsync_outlook_provider_fetch_page_finish;
  iface->write_event_async = calsync_outlook_provider_write_event_async;
  iface->write_event_finish = calsync_outlook_provider_write_event_finish;
  iface->error_text = calsync_outlook_error_text;
  iface->get_account_address_async = calsync_outlook_provider_get_account_address_async;
  iface->get_account_address_finish = calsync_outlook_provider_get_account_address_finish;
}
