/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-http.c: one shared SoupSession with retries, backoff and error mapping. */
#define G_LOG_DOMAIN "calsync-http"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-http.h"

#define DEFAULT_MAX_TRIES     5
#define DEFAULT_BASE_DELAY_MS 500
#define DEFAULT_MAX_TOTAL_MS  60000
#define MAX_BACKOFF_MS        30000
#define TIMEOUT_SECONDS       30
#define IDLE_TIMEOUT_SECONDS  60
#define MAX_REDIRECTS         5
#define STATUS_TOO_MANY_REQUESTS 429   /* RFC 6585; libsoup 3.2 has no name for it */

G_DEFINE_QUARK (calsync-http-error-quark, calsync_http_error)

/* Requests ---------------------------------------------------------------- */

struct _CalsyncHttpRequest
{
  gatomicrefcount ref_count;

  char *method;
  char *uri;
  char *bearer;
  GPtrArray *headers;     /* name, value, name, value, … */
  char *content_type;
  GBytes *body;
  gboolean expect_json;
  gboolean allow_insecure;
};

static void
free_secret (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

/**
 * calsync_http_request_new:
 * @method: "GET", "POST", …
 * @uri: an absolute https:// (or loopback http://) URL
 *
 * Returns: (transfer full): a request with no headers and no body
 */
CalsyncHttpRequest *
calsync_http_request_new (const char *method,
                          const char *uri)
{
  CalsyncHttpRequest *request;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  request = g_new0 (CalsyncHttpRequest, 1);
  g_atomic_ref_count_init (&request->ref_count);
  request->method = g_strdup (method);
  request->uri = g_strdup (uri);
  request->headers = g_ptr_array_new_with_free_func (g_free);

  return request;
}

CalsyncHttpRequest *
calsync_http_request_ref (CalsyncHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  g_atomic_ref_count_inc (&request->ref_count);
  return request;
}

void
calsync_http_request_unref (CalsyncHttpRequest *request)
{
  g_return_if_fail (request != NULL);

  if (!g_atomic_ref_count_dec (&request->ref_count))
    return;

  g_free (request->method);
  free_secret (request->uri);
  free_secret (request->bearer);
  g_ptr_array_unref (request->headers);
  g_free (request->content_type);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

void
calsync_http_request_set_bearer (CalsyncHttpRequest *request,
                                 const char         *access_token)
{
  g_return_if_fail (request != NULL);

  free_secret (request->bearer);
  request->bearer = g_strdup (access_token);
}

void
calsync_http_request_add_header (CalsyncHttpRequest *request,
                                 const char         *name,
                                 const char         *value)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  g_ptr_array_add (request->headers, g_strdup (name));
  g_ptr_array_add (request->headers, g_strdup (value));
}

void
calsync_http_request_set_form (CalsyncHttpRequest *request,
                               const char         *first_name,
                               ...)
{
  va_list args;
  char *encoded;

  g_return_if_fail (request != NULL);
  g_return_if_fail (first_name != NULL);

  va_start (args, first_name);
  encoded = soup_form_encode_valist (first_name, args);
  va_end (args);

  g_free (request->content_type);
  request->content_type = g_strdup ("application/x-www-form-urlencoded");
  g_clear_pointer (&request->body, g_bytes_unref);
  /* The form may hold a refresh token or a code: wipe it when the bytes go */
  request->body = g_bytes_new_with_free_func (encoded, strlen (encoded),
                                              (GDestroyNotify) free_secret, encoded);
}

void
calsync_http_request_set_body (CalsyncHttpRequest *request,
                               const char         *content_type,
                               GBytes             *body)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (body != NULL);

  g_free (request->content_type);
  request->content_type = g_strdup (content_type);
  g_clear_pointer (&request->body, g_bytes_unref);
  request->body = g_bytes_ref (body);
}

const char *
calsync_http_request_get_uri (CalsyncHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  return request->uri;
}

void
calsync_http_request_set_expect_json (CalsyncHttpRequest *request,
                                      gboolean            expect_json)
{
  g_return_if_fail (request != NULL);

  request->expect_json = !!expect_json;
}

void
calsync_http_request_set_allow_insecure (CalsyncHttpRequest *request,
                                         gboolean            allow_insecure)
{
  g_return_if_fail (request != NULL);

  request->allow_insecure = !!allow_insecure;
}

/* One SoupMessage per try (a message cannot be sent twice), for the current
 * hop of redirects: @uri and @method may differ from the request's. */
static SoupMessage *
calsync_http_request_build_message (CalsyncHttpRequest *request,
                                    const char         *method,
                                    const char         *uri,
                                    gboolean            with_body,
                                    gboolean            with_bearer)
{
  SoupMessage *message;
  SoupMessageHeaders *headers;

  message = soup_message_new (method, uri);
  if (message == NULL)
    return NULL;

  /* Redirects are followed by hand, so that each hop's URL is checked */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);

  headers = soup_message_get_request_headers (message);
  for (guint i = 0; i + 1 < request->headers->len; i += 2)
    soup_message_headers_replace (headers,
                                  g_ptr_array_index (request->headers, i),
                                  g_ptr_array_index (request->headers, i + 1));

  if (request->bearer != NULL && with_bearer)
    {
      char *value = g_strconcat ("Bearer ", request->bearer, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      free_secret (value);
    }

  if (request->body != NULL && with_body)
    soup_message_set_request_body_from_bytes (message, request->content_type, request->body);

  return message;
}

/* Responses --------------------------------------------------------------- */

void
calsync_http_response_free (CalsyncHttpResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response);
}

/* URL policy -------------------------------------------------------------- */

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * calsync_http_check_url:
 * @url: the URL about to be used
 * @allow_insecure: whether the person allowed plain http:// to this server
 * @error: a %CALSYNC_HTTP_ERROR_INSECURE (or _FAILED for a URL that is not one)
 *
 * Returns: %TRUE for https://, and for http:// to a loopback address
 */
gboolean
calsync_http_check_url (const char  *url,
                        gboolean     allow_insecure,
                        GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL || *host == '\0')
    {
      g_set_error_literal (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_FAILED,
                           _("This is not a valid web address."));
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0 && (allow_insecure || host_is_loopback (host)))
    return TRUE;

  g_set_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE,
               _("Refusing an unencrypted connection to %s. Use an https:// address."), host);
  return FALSE;
}

/**
 * calsync_http_parse_retry_after:
 *
 * Returns: the delay the server asked for, in milliseconds (0 for a date in
 * the past), or -1
 */
gint64
calsync_http_parse_retry_after (const char *value,
                                GDateTime  *now)
{
  g_autoptr(GDateTime) date = NULL;
  guint64 seconds;
  char *end = NULL;

  if (value == NULL)
    return -1;

  while (g_ascii_isspace (*value))
    value++;

  if (g_ascii_isdigit (*value))
    {
      seconds = g_ascii_strtoull (value, &end, 10);
      while (end != NULL && g_ascii_isspace (*end))
        end++;
      if (end == NULL || *end != '\0' || seconds > G_MAXINT32)
        return -1;
      return (gint64) seconds * 1000;
    }

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL || now == NULL)
    return -1;

  return MAX (0, g_date_time_difference (date, now) / 1000);
}

/* Session ----------------------------------------------------------------- */

struct _CalsyncHttp
{
  GObject parent_instance;

  /* Owned references */
  SoupSession *session;

  guint max_tries;
  guint base_delay_ms;
  guint max_total_ms;
};

G_DEFINE_FINAL_TYPE (CalsyncHttp, calsync_http, G_TYPE_OBJECT)

static void
calsync_http_finalize (GObject *object)
{
  CalsyncHttp *self = (CalsyncHttp *)object;

  g_clear_object (&self->session);

  G_OBJECT_CLASS (calsync_http_parent_class)->finalize (object);
}

static void
calsync_http_class_init (CalsyncHttpClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_http_finalize;
}

static void
calsync_http_init (CalsyncHttp *self)
{
  /* libsoup 3 speaks HTTP/2 by itself when the server offers it (ALPN) */
  self->session = soup_session_new_with_options ("user-agent", "CalSync/" PACKAGE_VERSION,
                                                 "timeout", TIMEOUT_SECONDS,
                                                 "idle-timeout", IDLE_TIMEOUT_SECONDS,
                                                 NULL);
  self->max_tries = DEFAULT_MAX_TRIES;
  self->base_delay_ms = DEFAULT_BASE_DELAY_MS;
  self->max_total_ms = DEFAULT_MAX_TOTAL_MS;
}

/**
 * calsync_http_new:
 *
 * Returns: (transfer full): a client with its own SoupSession; share it
 */
CalsyncHttp *
calsync_http_new (void)
{
  return g_object_new (CALSYNC_TYPE_HTTP, NULL);
}

/**
 * calsync_http_get_session:
 *
 * Returns: (transfer none): the session, for callers that need libsoup itself
 */
SoupSession *
calsync_http_get_session (CalsyncHttp *self)
{
  g_return_val_if_fail (CALSYNC_IS_HTTP (self), NULL);

  return self->session;
}

void
calsync_http_set_retry_policy (CalsyncHttp *self,
                               guint        max_tries,
                               guint        base_delay_ms,
                               guint        max_total_ms)
{
  g_return_if_fail (CALSYNC_IS_HTTP (self));
  g_return_if_fail (max_tries > 0);

  self->max_tries = max_tries;
  self->base_delay_ms = base_delay_ms;
  self->max_total_ms = max_total_ms;
}

/* Error mapping ----------------------------------------------------------- */

static const char *
message_for_code (CalsyncHttpError code)
{
  switch (code)
    {
    case CALSYNC_HTTP_ERROR_AUTH:
      return _("The server did not accept the sign-in.");
    case CALSYNC_HTTP_ERROR_FORBIDDEN:
      return _("The server refused access.");
    case CALSYNC_HTTP_ERROR_RATE_LIMITED:
      return _("The server is busy with too many requests. Try again later.");
    case CALSYNC_HTTP_ERROR_SERVER:
      return _("The server is not responding right now. Try again later.");
    case CALSYNC_HTTP_ERROR_BAD_REQUEST:
      return _("The server did not understand the request.");
    case CALSYNC_HTTP_ERROR_NOT_FOUND:
      return _("Not found on the server.");
    case CALSYNC_HTTP_ERROR_GONE:
      return _("The server no longer has this data.");
    case CALSYNC_HTTP_ERROR_OFFLINE:
      return _("You're offline.");
    case CALSYNC_HTTP_ERROR_MALFORMED:
      return _("The server sent an answer CalSync could not read.");
    case CALSYNC_HTTP_ERROR_INSECURE:
    case CALSYNC_HTTP_ERROR_FAILED:
    default:
      return _("The request to the server failed.");
    }
}

static GError *
new_error (CalsyncHttpError code)
{
  return g_error_new_literal (CALSYNC_HTTP_ERROR, code, message_for_code (code));
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

/* Google: {"error": {"errors": [{"reason": "rateLimitExceeded"}]}}, or the newer
 * {"error": {"details": [{"reason": "RATE_LIMIT_EXCEEDED"}]}} */
static gboolean
is_rate_limit_body (JsonNode *json)
{
  JsonNode *error_node;
  JsonObject *error_object;

  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json))
    return FALSE;

  error_node = json_object_get_member (json_node_get_object (json), "error");
  if (error_node == NULL || !JSON_NODE_HOLDS_OBJECT (error_node))
    return FALSE;

  error_object = json_node_get_object (error_node);
  return array_has_rate_limit_reason (error_object, "errors") ||
         array_has_rate_limit_reason (error_object, "details");
}

static CalsyncHttpError
code_for_status (guint     status,
                 JsonNode *json)
{
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return CALSYNC_HTTP_ERROR_AUTH;
    case SOUP_STATUS_BAD_REQUEST:
      return CALSYNC_HTTP_ERROR_BAD_REQUEST;
    case SOUP_STATUS_NOT_FOUND:
      return CALSYNC_HTTP_ERROR_NOT_FOUND;
    case SOUP_STATUS_GONE:
      return CALSYNC_HTTP_ERROR_GONE;
    case STATUS_TOO_MANY_REQUESTS:
      return CALSYNC_HTTP_ERROR_RATE_LIMITED;
    case SOUP_STATUS_FORBIDDEN:
      return is_rate_limit_body (json) ? CALSYNC_HTTP_ERROR_RATE_LIMITED
                                       : CALSYNC_HTTP_ERROR_FORBIDDEN;
    default:
      return status >= 500 ? CALSYNC_HTTP_ERROR_SERVER : CALSYNC_HTTP_ERROR_FAILED;
    }
}

static gboolean
status_is_retryable (guint     status,
                     JsonNode *json)
{
  switch (status)
    {
    case STATUS_TOO_MANY_REQUESTS:
    case SOUP_STATUS_INTERNAL_SERVER_ERROR:
    case SOUP_STATUS_BAD_GATEWAY:
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
    case SOUP_STATUS_GATEWAY_TIMEOUT:
      return TRUE;
    case SOUP_STATUS_FORBIDDEN:
      return is_rate_limit_body (json);
    default:
      return FALSE;
    }
}

static gboolean
is_offline_error (const GError *error)
{
  return error->domain == G_RESOLVER_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND);
}

/* The connection broke mid-answer: worth another try, but not "offline" */
static gboolean
is_transient_io_error (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
}

static gboolean
content_type_is_json (const char *content_type)
{
  return content_type != NULL &&
         (g_ascii_strcasecmp (content_type, "application/json") == 0 ||
          g_str_has_suffix (content_type, "+json"));
}

/* Sending ----------------------------------------------------------------- */

typedef struct
{
  CalsyncHttpRequest *request;
  SoupMessage *message;     /* of the current try */

  /* The current hop: redirects change them */
  char *method;
  char *uri;
  gboolean drop_body;
  gboolean drop_bearer;
  guint n_redirects;

  gint64 started_at;        /* monotonic, µs */
  guint n_tries;
  guint max_tries;
  guint base_delay_ms;
  guint max_total_ms;

  /* The current try's answer */
  guint status;
  gboolean claims_json;
  gint64 retry_after_ms;
  GBytes *body;
  JsonNode *json;

  /* Waiting between tries */
  GSource *wait_source;
  GSource *cancel_source;
} SendData;

static void
send_data_clear_wait (SendData *data)
{
  if (data->wait_source != NULL)
    g_source_destroy (data->wait_source);
  if (data->cancel_source != NULL)
    g_source_destroy (data->cancel_source);
  g_clear_pointer (&data->wait_source, g_source_unref);
  g_clear_pointer (&data->cancel_source, g_source_unref);
}

static void
send_data_free (SendData *data)
{
  send_data_clear_wait (data);
  g_clear_pointer (&data->request, calsync_http_request_unref);
  g_clear_object (&data->message);
  g_free (data->method);
  free_secret (data->uri);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_clear_pointer (&data->json, json_node_unref);
  g_free (data);
}

static void start_try (GTask *task);

static gboolean
on_wait_done (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  SendData *data = g_task_get_task_data (task);

  send_data_clear_wait (data);
  start_try (task);

  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  SendData *data = g_task_get_task_data (task);

  send_data_clear_wait (data);
  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

static void
wait_then_retry (GTask  *task,
                 gint64  delay_ms)
{
  SendData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GMainContext *context = g_task_get_context (task);

  data->wait_source = g_timeout_source_new ((guint) delay_ms);
  g_source_set_callback (data->wait_source, on_wait_done, g_object_ref (task), g_object_unref);
  g_source_attach (data->wait_source, context);

  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source, G_SOURCE_FUNC (on_wait_cancelled),
                             g_object_ref (task), g_object_unref);
      g_source_attach (data->cancel_source, context);
    }
}

/* Full jitter: a random delay in [0, min(cap, base · 2^(tries − 1))] */
static gint64
backoff_delay_ms (SendData *data)
{
  guint64 ceiling = (guint64) data->base_delay_ms << MIN (data->n_tries - 1, 16u);

  ceiling = MIN (ceiling, MAX_BACKOFF_MS);
  return g_random_int_range (0, (gint32) ceiling + 1);
}

static void
retry_or_fail (GTask            *task,
               CalsyncHttpError  code)
{
  SendData *data = g_task_get_task_data (task);
  gint64 elapsed_ms = (g_get_monotonic_time () - data->started_at) / 1000;
  gint64 delay_ms;

  delay_ms = data->retry_after_ms >= 0 ? data->retry_after_ms : backoff_delay_ms (data);

  if (data->n_tries >= data->max_tries || elapsed_ms + delay_ms > data->max_total_ms)
    {
      g_debug ("Giving up after %u tries and %" G_GINT64_FORMAT " ms", data->n_tries, elapsed_ms);
      g_task_return_error (task, new_error (code));
      return;
    }

  g_debug ("Try %u failed; next in %" G_GINT64_FORMAT " ms", data->n_tries, delay_ms);
  wait_then_retry (task, delay_ms);
}

static void
return_response (GTask    *task,
                 SendData *data)
{
  CalsyncHttpResponse *response = g_new0 (CalsyncHttpResponse, 1);

  response->status = data->status;
  response->body = g_steal_pointer (&data->body);
  response->json = g_steal_pointer (&data->json);
  g_task_return_pointer (task, response, (GDestroyNotify) calsync_http_response_free);
}

static void
handle_answer (GTask    *task,
               gboolean  parse_failed)
{
  SendData *data = g_task_get_task_data (task);
  gboolean wants_json = data->claims_json || data->request->expect_json;

  if (SOUP_STATUS_IS_SUCCESSFUL (data->status))
    {
      if (wants_json && data->status != SOUP_STATUS_NO_CONTENT && (parse_failed || data->json == NULL))
        g_task_return_error (task, new_error (CALSYNC_HTTP_ERROR_MALFORMED));
      else
        return_response (task, data);
      return;
    }

  if (status_is_retryable (data->status, data->json))
    retry_or_fail (task, code_for_status (data->status, data->json));
  else
    g_task_return_error (task, new_error (code_for_status (data->status, data->json)));
}

static void
parse_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  GBytes *body = task_data;
  GError *error = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);

  if (!json_parser_load_from_data (parser, data, (gssize) size, &error))
    g_task_return_error (task, error);
  else if (json_parser_get_root (parser) == NULL)
    g_task_return_new_error (task, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "empty");
  else
    g_task_return_pointer (task, json_parser_steal_root (parser), (GDestroyNotify) json_node_unref);
}

static void
on_parsed (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->json = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  handle_answer (task, error != NULL);
}

static void
parse_body_async (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GTask) parse_task = NULL;

  parse_task = g_task_new (NULL, g_task_get_cancellable (task), on_parsed, g_object_ref (task));
  g_task_set_source_tag (parse_task, parse_body_async);
  g_task_set_task_data (parse_task, g_bytes_ref (data->body), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (parse_task, parse_in_thread);
}

static void
record_answer (SendData *data,
               GBytes   *body)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char *retry_after = soup_message_headers_get_one (headers, "Retry-After");

  data->status = soup_message_get_status (data->message);
  data->claims_json = content_type_is_json (soup_message_headers_get_content_type (headers, NULL));
  data->retry_after_ms = calsync_http_parse_retry_after (retry_after, now);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_clear_pointer (&data->json, json_node_unref);
  data->body = g_bytes_ref (body);
}

static void
handle_transport_error (GTask  *task,
                        GError *error)
{
  SendData *data = g_task_get_task_data (task);

  data->retry_after_ms = -1;

  if (is_offline_error (error))
    retry_or_fail (task, CALSYNC_HTTP_ERROR_OFFLINE);
  else if (is_transient_io_error (error))
    retry_or_fail (task, CALSYNC_HTTP_ERROR_SERVER);
  else
    g_task_return_error (task, new_error (CALSYNC_HTTP_ERROR_FAILED));
}

static gboolean
is_followed_redirect (guint status)
{
  return status == SOUP_STATUS_MOVED_PERMANENTLY || status == SOUP_STATUS_FOUND ||
         status == SOUP_STATUS_SEE_OTHER || status == SOUP_STATUS_TEMPORARY_REDIRECT ||
         status == SOUP_STATUS_PERMANENT_REDIRECT;
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}

/* Follows a redirect like a browser (303, and 301/302 after POST, become GET),
 * checking the new URL and keeping the bearer token on the same origin only. */
static void
follow_redirect (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
  const char *location = soup_message_headers_get_one (headers, "Location");
  GUri *current = soup_message_get_uri (data->message);
  g_autoptr(GUri) next = NULL;
  GError *error = NULL;

  next = location != NULL ? g_uri_parse_relative (current, location, G_URI_FLAGS_ENCODED, NULL) : NULL;
  if (next == NULL || ++data->n_redirects > MAX_REDIRECTS)
    {
      g_task_return_error (task, new_error (CALSYNC_HTTP_ERROR_FAILED));
      return;
    }

  free_secret (data->uri);
  data->uri = g_uri_to_string (next);
  if (!calsync_http_check_url (data->uri, data->request->allow_insecure, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!same_origin (current, next))
    data->drop_bearer = TRUE;

  if (data->status == SOUP_STATUS_SEE_OTHER ||
      (data->status <= SOUP_STATUS_FOUND && g_str_equal (data->method, "POST")))
    {
      g_free (data->method);
      data->method = g_strdup ("GET");
      data->drop_body = TRUE;
    }

  /* A redirect is not a failed try */
  data->n_tries--;
  start_try (task);
}

static void
on_read (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source_object), result, &error);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (error != NULL)
    {
      g_debug ("%s to %s: %s (try %u)", data->method,
               g_uri_get_host (soup_message_get_uri (data->message)), error->message, data->n_tries);
      handle_transport_error (task, error);
      return;
    }

  record_answer (data, body);
  g_debug ("%s to %s: %u (try %u)", data->method,
           g_uri_get_host (soup_message_get_uri (data->message)), data->status, data->n_tries);

  if (is_followed_redirect (data->status))
    {
      follow_redirect (task);
      return;
    }

  if (g_bytes_get_size (body) > 0 &&
      (data->claims_json || (data->request->expect_json && SOUP_STATUS_IS_SUCCESSFUL (data->status))))
    parse_body_async (task);
  else
    handle_answer (task, FALSE);
}

static void
start_try (GTask *task)
{
  CalsyncHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_clear_object (&data->message);
  data->message = calsync_http_request_build_message (data->request, data->method, data->uri,
                                                      !data->drop_body, !data->drop_bearer);
  if (data->message == NULL)
    {
      g_task_return_error (task, new_error (CALSYNC_HTTP_ERROR_FAILED));
      return;
    }

  data->n_tries++;
  soup_session_send_and_read_async (self->session, data->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_read, g_object_ref (task));
}

void
calsync_http_send_async (CalsyncHttp         *self,
                         CalsyncHttpRequest  *request,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  SendData *data;

  g_return_if_fail (CALSYNC_IS_HTTP (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_http_send_async);

  if (!calsync_http_check_url (request->uri, request->allow_insecure, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (SendData, 1);
  data->request = calsync_http_request_ref (request);
  data->method = g_strdup (request->method);
  data->uri = g_strdup (request->uri);
  data->started_at = g_get_monotonic_time ();
  data->max_tries = self->max_tries;
  data->base_delay_ms = self->base_delay_ms;
  data->max_total_ms = self->max_total_ms;
  data->retry_after_ms = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  start_try (task);
}

/**
 * calsync_http_send_finish:
 * @error_json: (out) (optional) (transfer full): the parsed body of an error answer
 *
 * Returns: (transfer full): the response of a 2xx answer, or %NULL
 */
CalsyncHttpResponse *
calsync_http_send_finish (CalsyncHttp   *self,
                          GAsyncResult  *result,
                          JsonNode     **error_json,
                          GError       **error)
{
  CalsyncHttpResponse *response;
  SendData *data;

  g_return_val_if_fail (CALSYNC_IS_HTTP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  response = g_task_propagate_pointer (G_TASK (result), error);
  data = g_task_get_task_data (G_TASK (result));

  if (error_json != NULL)
    *error_json = (response == NULL && data != NULL && data->json != NULL)
                  ? json_node_ref (data->json) : NULL;

  return response;
}
