/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-http.c: one shared SoupSession that sends requests for every provider:
 * tries with backoff, deadlines, bodies read as they stream in (never more than
 * their limit), redirects followed only where no secret can leak. */
#define G_LOG_DOMAIN "calsync-http"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-secret.h"
#include "calsync-http-private.h"

#define DEFAULT_MAX_TRIES     5
#define DEFAULT_BASE_DELAY_MS 500
#define DEFAULT_MAX_TOTAL_MS  60000
#define DEFAULT_IDLE_MS       30000
#define DEFAULT_DEADLINE_MS   120000
#define MAX_BACKOFF_MS        30000
#define MAX_REDIRECTS         5
#define READ_CHUNK            (64 * 1024)
#define STATUS_TOO_MANY_REQUESTS 429   /* RFC 6585; libsoup 3.2 has no name for it */

/* Session ----------------------------------------------------------------- */

struct _CalsyncHttp
{
  GObject parent_instance;

  /* Owned references */
  SoupSession *session;

  guint max_tries;
  guint base_delay_ms;
  guint max_total_ms;
  guint idle_ms;
  guint deadline_ms;
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
  /* libsoup 3 speaks HTTP/2 by itself when the server offers it (ALPN), and
   * decodes gzip (its content decoder is on by default). Its own timeout is a
   * backstop for connecting; the deadlines below are ours. */
  /* "gzip" in the user agent: Google compresses answers only for clients that
   * say so there as well as in Accept-Encoding (17 MB of events → about 2 MB) */
  self->session = soup_session_new_with_options ("user-agent", "CalSync/" PACKAGE_VERSION " (gzip)",
                                                 "timeout", DEFAULT_IDLE_MS / 1000,
                                                 "idle-timeout", 60,
                                                 NULL);
  self->max_tries = DEFAULT_MAX_TRIES;
  self->base_delay_ms = DEFAULT_BASE_DELAY_MS;
  self->max_total_ms = DEFAULT_MAX_TOTAL_MS;
  self->idle_ms = DEFAULT_IDLE_MS;
  self->deadline_ms = DEFAULT_DEADLINE_MS;
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

void
calsync_http_set_deadlines (CalsyncHttp *self,
                            guint        idle_ms,
                            guint        total_ms)
{
  g_return_if_fail (CALSYNC_IS_HTTP (self));
  g_return_if_fail (idle_ms > 0 && total_ms > 0);

  self->idle_ms = idle_ms;
  self->deadline_ms = total_ms;
}

/* Reading answers ----------------------------------------------------------- */

static CalsyncHttpError
code_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return CALSYNC_HTTP_ERROR_AUTH;
    case SOUP_STATUS_FORBIDDEN:
      return CALSYNC_HTTP_ERROR_FORBIDDEN;
    case SOUP_STATUS_BAD_REQUEST:
      return CALSYNC_HTTP_ERROR_BAD_REQUEST;
    case SOUP_STATUS_NOT_FOUND:
      return CALSYNC_HTTP_ERROR_NOT_FOUND;
    case SOUP_STATUS_GONE:
      return CALSYNC_HTTP_ERROR_GONE;
    case SOUP_STATUS_PRECONDITION_FAILED:
      return CALSYNC_HTTP_ERROR_PRECONDITION;
    case STATUS_TOO_MANY_REQUESTS:
      return CALSYNC_HTTP_ERROR_RATE_LIMITED;
    default:
      return status >= 500 ? CALSYNC_HTTP_ERROR_SERVER : CALSYNC_HTTP_ERROR_FAILED;
    }
}

static gboolean
status_is_retryable (guint status)
{
  switch (status)
    {
    case STATUS_TOO_MANY_REQUESTS:
    case SOUP_STATUS_INTERNAL_SERVER_ERROR:
    case SOUP_STATUS_BAD_GATEWAY:
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
    case SOUP_STATUS_GATEWAY_TIMEOUT:
      return TRUE;
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
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND);
}

/* The connection broke or stalled mid-answer: worth another try, but not "offline" */
static gboolean
is_transient_io_error (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static gboolean
content_type_is_json (const char *content_type)
{
  return content_type != NULL &&
         (g_ascii_strcasecmp (content_type, "application/json") == 0 ||
          g_str_has_suffix (content_type, "+json"));
}

static gboolean
looks_like_xml (const char *content_type,
                GBytes     *body)
{
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;
  gsize i = 0;

  if (content_type != NULL && (g_str_has_suffix (content_type, "/xml") || g_str_has_suffix (content_type, "+xml")))
    return TRUE;

  while (i < size && g_ascii_isspace (data[i]))
    i++;
  return i < size && data[i] == '<';
}

/* Sending ----------------------------------------------------------------- */

typedef enum
{
  NOT_TIMED_OUT,
  TIMED_OUT_IDLE,
  TIMED_OUT_TOTAL,
} TimedOut;

typedef struct
{
  CalsyncHttp *http;               /* borrowed: the task's source object */
  CalsyncHttpRequest *request;

  /* The current hop: redirects change them */
  char *method;
  char *uri;
  gboolean drop_body;
  gboolean drop_credentials;
  guint n_redirects;

  gint64 started_at;               /* monotonic, µs */
  guint n_tries;

  /* The current try */
  SoupMessage *message;
  GCancellable *try_cancellable;   /* cancelled by the caller's, and by the deadlines */
  GCancellable *caller;            /* borrowed from the task */
  gulong caller_cancel_id;
  GInputStream *stream;
  GPtrArray *chunks;               /* GBytes as they came: no doubling buffer */
  gsize received;
  TimedOut timed_out;
  GSource *idle_source;
  GSource *deadline_source;

  /* The current try's answer */
  CalsyncHttpResponse *response;
  gint64 retry_after_ms;

  /* Waiting between tries */
  GSource *wait_source;
  GSource *cancel_source;

  gboolean returned;
} SendData;

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
clear_chunks (SendData *data)
{
  for (guint i = 0; data->chunks != NULL && i < data->chunks->len; i++)
    g_clear_pointer (&g_ptr_array_index (data->chunks, i), g_bytes_unref);
  g_clear_pointer (&data->chunks, g_ptr_array_unref);
  data->received = 0;
}

/* libsoup keeps its own copy of the Authorization value (soup_message_headers_get_one
 * returns it, not a copy) and frees it unwiped with the message: wiped here, once the
 * try is over, so that a superseded token or a password does not linger in freed
 * memory. libsoup's serialized request head is out of reach. */
static void
wipe_request_credentials (SoupMessage *message)
{
  char *value = (char *) soup_message_headers_get_one (soup_message_get_request_headers (message),
                                                       "Authorization");

  if (value != NULL)
    calsync_secret_wipe (value, strlen (value));
}

static void
end_try (SendData *data)
{
  destroy_source (&data->idle_source);
  if (data->caller_cancel_id != 0)
    g_cancellable_disconnect (data->caller, data->caller_cancel_id);
  data->caller_cancel_id = 0;
  g_clear_object (&data->try_cancellable);
  g_clear_object (&data->stream);
  if (data->message != NULL)
    wipe_request_credentials (data->message);
  g_clear_object (&data->message);
  clear_chunks (data);
}

static void
send_data_free (SendData *data)
{
  end_try (data);
  destroy_source (&data->deadline_source);
  destroy_source (&data->wait_source);
  destroy_source (&data->cancel_source);
  g_clear_pointer (&data->request, calsync_http_request_unref);
  g_clear_pointer (&data->response, calsync_http_response_free);
  g_free (data->method);
  calsync_secret_free (data->uri);
  g_free (data);
}

static void start_try (GTask *task);

/* Every end of the task goes through here: nothing may fire after it */
static void
finish_error (GTask  *task,
              GError *error)
{
  SendData *data = g_task_get_task_data (task);

  g_assert (!data->returned);
  data->returned = TRUE;
  end_try (data);
  destroy_source (&data->deadline_source);
  destroy_source (&data->wait_source);
  destroy_source (&data->cancel_source);
  g_task_return_error (task, error);
}

static void
fail (GTask            *task,
      CalsyncHttpError  code)
{
  finish_error (task, http_new_error (code));
}

static gboolean
finish_if_cancelled (GTask *task)
{
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    return FALSE;

  finish_error (task, error);
  return TRUE;
}

static gboolean
on_wait_done (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  SendData *data = g_task_get_task_data (task);

  destroy_source (&data->wait_source);
  destroy_source (&data->cancel_source);
  start_try (task);

  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  SendData *data = g_task_get_task_data (task);

  destroy_source (&data->wait_source);
  destroy_source (&data->cancel_source);
  finish_if_cancelled (task);

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
  guint64 ceiling = (guint64) data->http->base_delay_ms << MIN (data->n_tries - 1, 16u);

  ceiling = MIN (ceiling, MAX_BACKOFF_MS);
  return g_random_int_range (0, (gint32) ceiling + 1);
}

static gint64
elapsed_ms (SendData *data)
{
  return (g_get_monotonic_time () - data->started_at) / 1000;
}

static void
retry_or_fail (GTask            *task,
               CalsyncHttpError  code)
{
  SendData *data = g_task_get_task_data (task);
  gint64 delay_ms = data->retry_after_ms >= 0 ? data->retry_after_ms : backoff_delay_ms (data);
  gint64 elapsed = elapsed_ms (data);

  end_try (data);

  if (data->timed_out == TIMED_OUT_TOTAL ||
      data->n_tries >= data->http->max_tries ||
      elapsed + delay_ms > data->http->max_total_ms ||
      elapsed + delay_ms >= data->http->deadline_ms)
    {
      g_debug ("Giving up after %u tries and %" G_GINT64_FORMAT " ms", data->n_tries, elapsed);
      fail (task, code);
      return;
    }

  g_debug ("Try %u failed; next in %" G_GINT64_FORMAT " ms", data->n_tries, delay_ms);
  wait_then_retry (task, delay_ms);
}

static void
return_response (GTask    *task,
                 SendData *data)
{
  data->returned = TRUE;
  destroy_source (&data->deadline_source);
  g_task_return_pointer (task, g_steal_pointer (&data->response),
                         (GDestroyNotify) calsync_http_response_free);
}

static gboolean
wants_json (SendData *data)
{
  CalsyncHttpBody expect = data->request->expect;

  return expect == CALSYNC_HTTP_BODY_JSON || expect == CALSYNC_HTTP_BODY_JSON_BYTES;
}

/* A 2xx answer: is its body what the caller expects? */
static gboolean
body_is_acceptable (SendData *data,
                    gboolean  parse_failed)
{
  CalsyncHttpResponse *response = data->response;
  const char *content_type = soup_message_headers_get_content_type (response->headers, NULL);
  gsize size = response->body ? g_bytes_get_size (response->body) : 0;

  if (response->status == SOUP_STATUS_NO_CONTENT)
    return TRUE;

  switch (data->request->expect)
    {
    case CALSYNC_HTTP_BODY_JSON:
      return !parse_failed && response->json != NULL;
    case CALSYNC_HTTP_BODY_JSON_BYTES:
      return size > 0;
    case CALSYNC_HTTP_BODY_XML:
      return looks_like_xml (content_type, response->body);
    case CALSYNC_HTTP_BODY_ANY:
    default:
      return !parse_failed;
    }
}

static void
handle_answer (GTask    *task,
               gboolean  parse_failed)
{
  SendData *data = g_task_get_task_data (task);
  guint status = data->response->status;
  CalsyncHttpRateLimitFunc rate_limit = data->request->rate_limit_func;

  end_try (data);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      if (body_is_acceptable (data, parse_failed))
        return_response (task, data);
      else
        fail (task, CALSYNC_HTTP_ERROR_MALFORMED);
      return;
    }

  if (status_is_retryable (status))
    retry_or_fail (task, code_for_status (status));
  else if (rate_limit != NULL && rate_limit (data->response))
    retry_or_fail (task, CALSYNC_HTTP_ERROR_RATE_LIMITED);
  else
    fail (task, code_for_status (status));
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
  const char *text = g_bytes_get_data (body, &size);

  if (!calsync_http_json_depth_ok (text, size, CALSYNC_HTTP_MAX_JSON_DEPTH))
    g_task_return_new_error (task, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "nested too deep, or more than one value");
  else if (!json_parser_load_from_data (parser, text, (gssize) size, &error))
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

  data->response->json = g_task_propagate_pointer (G_TASK (result), &error);
  if (finish_if_cancelled (task))
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
  g_task_set_task_data (parse_task, g_bytes_ref (data->response->body), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (parse_task, parse_in_thread);
}

/* The chunks in one buffer of exactly their size (each freed once copied), so a
 * body never costs more than twice its size, never a doubling buffer's four */
static GBytes *
join_chunks (SendData *data)
{
  GPtrArray *chunks = data->chunks;
  char *body = g_malloc (data->received + 1);
  gsize at = 0;

  for (guint i = 0; i < chunks->len; i++)
    {
      gsize size = 0;
      const void *bytes = g_bytes_get_data (g_ptr_array_index (chunks, i), &size);

      memcpy (body + at, bytes, size);
      at += size;
      g_clear_pointer (&g_ptr_array_index (chunks, i), g_bytes_unref);
    }
  body[at] = '\0';   /* a NUL after the body, for parsers that want one */

  clear_chunks (data);
  return g_bytes_new_take (body, at);
}

/* The whole body is in: parse it when JSON is wanted (a tree), or claimed */
static void
body_complete (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  CalsyncHttpResponse *response = data->response;
  const char *content_type = soup_message_headers_get_content_type (response->headers, NULL);
  gboolean success = SOUP_STATUS_IS_SUCCESSFUL (response->status);
  gboolean tree;

  response->body = join_chunks (data);

  if (success)
    tree = data->request->expect == CALSYNC_HTTP_BODY_JSON ||
           (data->request->expect == CALSYNC_HTTP_BODY_ANY && content_type_is_json (content_type));
  else
    tree = content_type_is_json (content_type) || wants_json (data);

  if (tree && g_bytes_get_size (response->body) > 0)
    parse_body_async (task);
  else
    handle_answer (task, FALSE);
}

static void
handle_transport_error (GTask  *task,
                        GError *error)
{
  SendData *data = g_task_get_task_data (task);

  data->retry_after_ms = -1;
  g_debug ("%s to %s: %s (try %u)", data->method,
           data->message ? g_uri_get_host (soup_message_get_uri (data->message)) : "?",
           error->message, data->n_tries);

  if (data->timed_out == TIMED_OUT_TOTAL)
    fail (task, CALSYNC_HTTP_ERROR_TIMEOUT);
  else if (data->timed_out == TIMED_OUT_IDLE)
    retry_or_fail (task, CALSYNC_HTTP_ERROR_TIMEOUT);
  else if (finish_if_cancelled (task))
    return;
  else if (is_offline_error (error))
    retry_or_fail (task, CALSYNC_HTTP_ERROR_OFFLINE);
  else if (is_transient_io_error (error))
    retry_or_fail (task, CALSYNC_HTTP_ERROR_SERVER);
  else
    fail (task, CALSYNC_HTTP_ERROR_FAILED);
}

/* Deadlines ----------------------------------------------------------------- */

static gboolean
on_idle_deadline (gpointer user_data)
{
  SendData *data = user_data;

  g_debug ("No bytes for %u ms: giving up this try", data->http->idle_ms);
  g_clear_pointer (&data->idle_source, g_source_unref);
  data->timed_out = TIMED_OUT_IDLE;
  g_cancellable_cancel (data->try_cancellable);

  return G_SOURCE_REMOVE;
}

static void
restart_idle_deadline (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

  destroy_source (&data->idle_source);
  data->idle_source = g_timeout_source_new (data->http->idle_ms);
  g_source_set_callback (data->idle_source, on_idle_deadline, data, NULL);
  g_source_attach (data->idle_source, g_task_get_context (task));
}

static gboolean
on_total_deadline (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  SendData *data = g_task_get_task_data (task);

  g_debug ("The request took %u ms: giving up", data->http->deadline_ms);
  g_clear_pointer (&data->deadline_source, g_source_unref);
  data->timed_out = TIMED_OUT_TOTAL;

  if (data->try_cancellable != NULL)
    g_cancellable_cancel (data->try_cancellable);
  else if (data->wait_source != NULL)
    {
      /* between tries: nothing in flight to cancel */
      destroy_source (&data->wait_source);
      destroy_source (&data->cancel_source);
      fail (task, CALSYNC_HTTP_ERROR_TIMEOUT);
    }

  return G_SOURCE_REMOVE;
}

/* Reading the body ------------------------------------------------------------ */

static void read_next (GTask *task);

/* libsoup 3.2 takes a connection closed before the end of a body announced
 * with Content-Length for the end of the body when the answer said
 * "Connection: close": a body shorter than announced (and not compressed,
 * whose Content-Length counts other bytes) is a broken connection. */
static gboolean
body_cut_short (SendData *data)
{
  SoupMessageHeaders *headers = data->response->headers;
  const char *coding = soup_message_headers_get_one (headers, "Content-Encoding");

  if (g_str_equal (data->method, "HEAD") || data->response->status == SOUP_STATUS_NO_CONTENT ||
      data->response->status == SOUP_STATUS_NOT_MODIFIED)
    return FALSE;
  if (coding != NULL && g_ascii_strcasecmp (coding, "identity") != 0)
    return FALSE;
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return FALSE;
  return (goffset) data->received < soup_message_headers_get_content_length (headers);
}

static void
on_chunk (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source_object), result, &error);
  if (chunk == NULL)
    {
      handle_transport_error (task, error);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      destroy_source (&data->idle_source);
      if (body_cut_short (data))
        {
          g_autoptr(GError) cut = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                                       "The connection closed before the end of the body");

          handle_transport_error (task, cut);
          return;
        }
      body_complete (task);
      return;
    }

  if (data->received + g_bytes_get_size (chunk) > data->request->max_body)
    {
      g_debug ("The body is larger than %" G_GSIZE_FORMAT " bytes: giving up", data->request->max_body);
      fail (task, CALSYNC_HTTP_ERROR_TOO_LARGE);
      return;
    }

  data->received += g_bytes_get_size (chunk);
  g_ptr_array_add (data->chunks, g_steal_pointer (&chunk));
  read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

  restart_idle_deadline (task);
  g_input_stream_read_bytes_async (data->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   data->try_cancellable, on_chunk, task);
}

/* Redirects ---------------------------------------------------------------- */

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

/* 303, and 301/302 after POST, become a GET without body (as browsers do);
 * 307 and 308 keep the method and the body. */
static gboolean
redirect_keeps_body (SendData *data,
                     guint     status)
{
  if (status == SOUP_STATUS_SEE_OTHER)
    return FALSE;
  if (status <= SOUP_STATUS_FOUND && g_str_equal (data->method, "POST"))
    return FALSE;

  return data->request->body != NULL && !data->drop_body;
}

/* Follows a redirect, checking the new URL. To another origin it never takes
 * the credentials, and never a body: a 307/308 of a request with a body (a
 * token request carries the refresh token and client secret) to another origin
 * is refused, not followed. */
static void
follow_redirect (GTask *task,
                 guint  status)
{
  SendData *data = g_task_get_task_data (task);
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (data->message),
                                                       "Location");
  GUri *current = soup_message_get_uri (data->message);
  g_autoptr(GUri) next = NULL;
  gboolean keeps_body = redirect_keeps_body (data, status);
  GError *error = NULL;

  next = location != NULL ? g_uri_parse_relative (current, location, G_URI_FLAGS_ENCODED, NULL) : NULL;
  if (next == NULL || ++data->n_redirects > MAX_REDIRECTS ||
      (!same_origin (current, next) && keeps_body))
    {
      g_debug ("Not following a %u redirect", status);
      fail (task, CALSYNC_HTTP_ERROR_REDIRECT);
      return;
    }

  calsync_secret_free (data->uri);
  data->uri = g_uri_to_string (next);
  if (!calsync_http_check_url (data->uri, data->request->allow_insecure, &error))
    {
      finish_error (task, error);
      return;
    }

  if (!same_origin (current, next))
    data->drop_credentials = TRUE;
  if (!keeps_body)
    {
      data->drop_body = TRUE;
      if (g_str_equal (data->method, "POST") || status == SOUP_STATUS_SEE_OTHER)
        {
          g_free (data->method);
          data->method = g_strdup ("GET");
        }
    }

  end_try (data);
  /* A redirect is not a failed try */
  data->n_tries--;
  start_try (task);
}

/* Trying ------------------------------------------------------------------- */

static void
record_headers (SendData *data)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_clear_pointer (&data->response, calsync_http_response_free);
  data->response = g_new0 (CalsyncHttpResponse, 1);
  data->response->status = soup_message_get_status (data->message);
  data->response->headers = soup_message_headers_ref (headers);
  data->response->uri = g_strdup (data->uri);
  data->retry_after_ms = calsync_http_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"), now);
}

static void
on_sent (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status;

  data->stream = soup_session_send_finish (SOUP_SESSION (source_object), result, &error);
  if (data->stream == NULL)
    {
      handle_transport_error (task, error);
      return;
    }

  record_headers (data);
  status = data->response->status;
  g_debug ("%s to %s: %u (try %u)", data->method,
           g_uri_get_host (soup_message_get_uri (data->message)), status, data->n_tries);

  if (is_followed_redirect (status))
    {
      follow_redirect (task, status);
      return;
    }

  data->chunks = g_ptr_array_new ();
  data->received = 0;
  read_next (g_steal_pointer (&task));
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     GCancellable *try_cancellable)
{
  g_cancellable_cancel (try_cancellable);
}

static void
start_try (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  GCancellable *caller = g_task_get_cancellable (task);

  if (finish_if_cancelled (task))
    return;

  data->message = http_request_build (data->request, data->method, data->uri,
                                      !data->drop_body, !data->drop_credentials);
  if (data->message == NULL)
    {
      fail (task, CALSYNC_HTTP_ERROR_FAILED);
      return;
    }

  data->try_cancellable = g_cancellable_new ();
  data->timed_out = NOT_TIMED_OUT;
  data->caller = caller;
  if (caller != NULL)
    data->caller_cancel_id = g_cancellable_connect (caller, G_CALLBACK (on_caller_cancelled),
                                                    data->try_cancellable, NULL);

  data->n_tries++;
  restart_idle_deadline (task);
  soup_session_send_async (data->http->session, data->message, G_PRIORITY_DEFAULT,
                           data->try_cancellable, on_sent, g_object_ref (task));
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
  data->http = self;
  data->request = calsync_http_request_ref (request);
  data->method = g_strdup (request->method);
  data->uri = g_strdup (request->uri);
  data->started_at = g_get_monotonic_time ();
  data->retry_after_ms = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  data->deadline_source = g_timeout_source_new (self->deadline_ms);
  g_source_set_callback (data->deadline_source, on_total_deadline, task, NULL);
  g_source_attach (data->deadline_source, g_task_get_context (task));

  start_try (task);
}

/**
 * calsync_http_send_finish:
 * @error_response: (out) (optional) (transfer full): the answer of a request
 *   that failed with an HTTP status (its body parsed when it is JSON)
 *
 * Returns: (transfer full): the response of a 2xx answer, or %NULL
 */
CalsyncHttpResponse *
calsync_http_send_finish (CalsyncHttp           *self,
                          GAsyncResult          *result,
                          CalsyncHttpResponse  **error_response,
                          GError               **error)
{
  CalsyncHttpResponse *response;
  SendData *data;

  g_return_val_if_fail (CALSYNC_IS_HTTP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  response = g_task_propagate_pointer (G_TASK (result), error);
  data = g_task_get_task_data (G_TASK (result));

  if (error_response != NULL)
    *error_response = (response == NULL && data != NULL) ? g_steal_pointer (&data->response) : NULL;

  return response;
}
