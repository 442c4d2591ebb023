/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fault-proxy.c: a proxy in front of one server that answers a random,
 * seeded share of the requests with faults. */
#define G_LOG_DOMAIN "calsync-fault-proxy"

#include "config.h"

#include <string.h>

#include "calsync-fault-proxy.h"

#define REDIRECT_PREFIX "/__fault-redirect"
#define SLOW_MIN_MS     50
#define SLOW_MAX_MS     400

struct _CalsyncFaultProxy
{
  GObject parent_instance;

  SoupServer *server;
  SoupServer *away;          /* another origin, for cross-origin redirects */
  SoupSession *session;      /* to the server */
  CalsyncFaultFlavour flavour;
  GRand *rand;
  char *upstream_origin;     /* http://127.0.0.1:PORT */
  char *origin;              /* the proxy's */
  char *away_origin;
  char *url;
  double rate;
  guint counts[CALSYNC_N_FAULTS];
  guint n_requests;
  guint n_leaks;
  GHashTable *refused;       /* Authorization values refused after a 401 */
};

G_DEFINE_FINAL_TYPE (CalsyncFaultProxy, calsync_fault_proxy, G_TYPE_OBJECT)

static const char * const fault_names[CALSYNC_N_FAULTS] = {
  [CALSYNC_FAULT_UNAUTHORIZED] = "401",
  [CALSYNC_FAULT_RATE_LIMIT_403] = "403 rateLimitExceeded",
  [CALSYNC_FAULT_TOO_MANY_RETRY_AFTER] = "429 Retry-After",
  [CALSYNC_FAULT_TOO_MANY] = "429",
  [CALSYNC_FAULT_INTERNAL_ERROR] = "500",
  [CALSYNC_FAULT_BAD_GATEWAY] = "502",
  [CALSYNC_FAULT_UNAVAILABLE] = "503",
  [CALSYNC_FAULT_DROPPED] = "dropped mid-body",
  [CALSYNC_FAULT_TRUNCATED] = "truncated",
  [CALSYNC_FAULT_SLOW] = "slow",
  [CALSYNC_FAULT_REDIRECT] = "redirect",
  [CALSYNC_FAULT_REDIRECT_AWAY] = "redirect away",
};

const char *
calsync_fault_name (CalsyncFault fault)
{
  g_return_val_if_fail (fault < CALSYNC_N_FAULTS, NULL);
  return fault_names[fault];
}

/* Answers ------------------------------------------------------------------- */

static void
answer (SoupServerMessage *msg,
        guint              status,
        const char        *content_type,
        const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
answer_unauthorized (CalsyncFaultProxy *self,
                     SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (self->flavour == CALSYNC_FAULT_FLAVOUR_GOOGLE)
    {
      soup_message_headers_replace (headers, "WWW-Authenticate",
                                    "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
      answer (msg, 401, "application/json; charset=UTF-8",
              "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials. Expected "
              "OAuth 2 access token, login cookie or other valid authentication credential.\",\"errors\":"
              "[{\"message\":\"Invalid Credentials\",\"domain\":\"global\",\"reason\":\"authError\",\"location\":"
              "\"Authorization\",\"locationType\":\"header\"}],\"status\":\"UNAUTHENTICATED\"}}");
    }
  else
    {
      soup_message_headers_replace (headers, "WWW-Authenticate",
                                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/"
                                    "common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"");
      answer (msg, 401, "application/json",
              "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Lifetime validation failed, "
              "the token is expired.\",\"innerError\":{\"date\":\"2026-11-25T11:00:00\"}}}");
    }
}

static void
answer_fault (CalsyncFaultProxy *self,
              SoupServerMessage *msg,
              CalsyncFault       fault)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gboolean google = self->flavour == CALSYNC_FAULT_FLAVOUR_GOOGLE;
  gboolean graph = self->flavour == CALSYNC_FAULT_FLAVOUR_GRAPH;

  switch (fault)
    {
    case CALSYNC_FAULT_UNAUTHORIZED:
      answer_unauthorized (self, msg);
      break;

    case CALSYNC_FAULT_RATE_LIMIT_403:
      answer (msg, 403, "application/json; charset=UTF-8",
              "{\"error\":{\"errors\":[{\"domain\":\"usageLimits\",\"reason\":\"rateLimitExceeded\",\"message\":"
              "\"Rate Limit Exceeded\"}],\"code\":403,\"message\":\"Rate Limit Exceeded\"}}");
      break;

    case CALSYNC_FAULT_TOO_MANY_RETRY_AFTER:
    case CALSYNC_FAULT_TOO_MANY:
      if (fault == CALSYNC_FAULT_TOO_MANY_RETRY_AFTER)
        soup_message_headers_replace (headers, "Retry-After", "1");
      if (google)
        answer (msg, 429, "application/json; charset=UTF-8",
                "{\"error\":{\"code\":429,\"message\":\"Rate Limit Exceeded\",\"errors\":[{\"message\":"
                "\"Rate Limit Exceeded\",\"domain\":\"usageLimits\",\"reason\":\"rateLimitExceeded\"}],"
                "\"status\":\"RESOURCE_EXHAUSTED\"}}");
      else if (graph)
        answer (msg, 429, "application/json",
                "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Please retry again later.\","
                "\"innerError\":{\"code\":\"429\",\"message\":\"Please retry after\"}}}");
      else
        answer (msg, 429, "text/plain; charset=utf-8", "Too Many Requests");
      break;

    case CALSYNC_FAULT_INTERNAL_ERROR:
      if (google)
        answer (msg, 500, "application/json; charset=UTF-8",
                "{\"error\":{\"code\":500,\"message\":\"Backend Error\",\"errors\":[{\"message\":\"Backend Error\","
                "\"domain\":\"global\",\"reason\":\"backendError\"}]}}");
      else if (graph)
        answer (msg, 500, "application/json",
                "{\"error\":{\"code\":\"generalException\",\"message\":\"An unspecified error has occurred.\"}}");
      else
        answer (msg, 500, "text/plain; charset=utf-8", "Internal Server Error");
      break;

    case CALSYNC_FAULT_BAD_GATEWAY:
      answer (msg, 502, "text/html; charset=UTF-8",
              "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
              "</center></body></html>");
      break;

    case CALSYNC_FAULT_UNAVAILABLE:
      if (google)
        answer (msg, 503, "application/json; charset=UTF-8",
                "{\"error\":{\"code\":503,\"message\":\"The service is currently unavailable.\",\"status\":"
                "\"UNAVAILABLE\"}}");
      else
        {
          soup_message_headers_replace (headers, "Retry-After", "1");
          if (graph)
            answer (msg, 503, "application/json",
                    "{\"error\":{\"code\":\"serviceNotAvailable\",\"message\":\"The service is temporarily "
                    "unavailable.\"}}");
          else
            answer (msg, 503, "text/plain; charset=utf-8", "Service Unavailable");
        }
      break;

    case CALSYNC_FAULT_REDIRECT:
    case CALSYNC_FAULT_REDIRECT_AWAY:
      {
        GUri *uri = soup_server_message_get_uri (msg);
        const char *query = g_uri_get_query (uri);
        gboolean get = g_str_equal (soup_server_message_get_method (msg), "GET");
        static const guint any[] = { 301, 302, 303, 307, 308 };
        guint status = get ? any[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (any))]
                           : g_rand_boolean (self->rand) ? 307 : 308;
        g_autofree char *location = NULL;

        if (fault == CALSYNC_FAULT_REDIRECT)
          /* Relative or absolute, both on this origin */
          location = g_strdup_printf ("%s" REDIRECT_PREFIX "%s%s%s", g_rand_boolean (self->rand) ? self->origin : "",
                                      g_uri_get_path (uri), query != NULL ? "?" : "", query != NULL ? query : "");
        else
          location = g_strdup_printf ("%s%s%s%s", self->away_origin, g_uri_get_path (uri),
                                      query != NULL ? "?" : "", query != NULL ? query : "");
        soup_message_headers_replace (headers, "Location", location);
        answer (msg, status, "text/html; charset=UTF-8", "<html><body>Moved</body></html>");
      }
      break;

    case CALSYNC_FAULT_DROPPED:
    case CALSYNC_FAULT_TRUNCATED:
    case CALSYNC_FAULT_SLOW:
    case CALSYNC_N_FAULTS:
    default:
      g_assert_not_reached ();
    }
}

/* Forwarding ------------------------------------------------------------------ */

typedef struct
{
  CalsyncFaultProxy *self;
  SoupServerMessage *msg;
  SoupMessage *forward;
  int fault;                 /* after forwarding: DROPPED, TRUNCATED, SLOW or -1 */
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
} Forward;

static void
forward_free (Forward *forward)
{
  g_object_unref (forward->self);
  g_object_unref (forward->msg);
  g_clear_object (&forward->forward);
  g_clear_pointer (&forward->headers, soup_message_headers_unref);
  g_clear_pointer (&forward->body, g_bytes_unref);
  g_free (forward);
}

static gboolean
is_hop_header (const char *name)
{
  static const char * const hop[] = { "Host", "Connection", "Keep-Alive", "Content-Length", "Transfer-Encoding",
                                      "Content-Encoding", "Accept-Encoding", "Proxy-Connection", "TE", "Upgrade",
                                      NULL };

  for (guint i = 0; hop[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, hop[i]) == 0)
      return TRUE;
  return FALSE;
}

static char *
replace_all (const char *text,
             gsize       length,
             const char *from,
             const char *to)
{
  GString *out = g_string_sized_new (length);
  gsize from_length = strlen (from);
  const char *end = text + length;
  const char *p = text;

  while (p < end)
    {
      const char *hit = from_length <= (gsize) (end - p) ? memmem (p, end - p, from, from_length) : NULL;

      if (hit == NULL)
        {
          g_string_append_len (out, p, end - p);
          break;
        }
      g_string_append_len (out, p, hit - p);
      g_string_append (out, to);
      p = hit + from_length;
    }
  return g_string_free (out, FALSE);
}

/* The connection is taken from the server: the status line, the headers with
 * the whole body's Content-Length and half of the body are written, then it
 * is closed. Without a body, it is closed before anything is written. */
static void
drop_connection (Forward *forward)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (forward->msg);
  gsize size = forward->body != NULL ? g_bytes_get_size (forward->body) : 0;
  GOutputStream *out;
  GString *head;
  SoupMessageHeadersIter iter;
  const char *name, *value;

  if (stream == NULL)
    return;
  out = g_io_stream_get_output_stream (stream);
  if (size >= 2)
    {
      head = g_string_new (NULL);
      g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", forward->status, soup_status_get_phrase (forward->status));
      soup_message_headers_iter_init (&iter, forward->headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        g_string_append_printf (head, "%s: %s\r\n", name, value);
      /* With and without "Connection: close": libsoup reads them differently */
      g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n%s\r\n", size,
                              g_rand_boolean (forward->self->rand) ? "Connection: close\r\n" : "");
      g_string_append_len (head, g_bytes_get_data (forward->body, NULL), size / 2);
      /* Errors ignored: the client may have gone */
      g_output_stream_write_all (out, head->str, head->len, NULL, NULL, NULL);
      g_string_free (head, TRUE);
    }
  g_io_stream_close (stream, NULL, NULL);
}

static void
send_forwarded (Forward *forward)
{
  SoupServerMessage *msg = forward->msg;
  SoupMessageHeaders *out = soup_server_message_get_response_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  gsize size = forward->body != NULL ? g_bytes_get_size (forward->body) : 0;

  if (forward->fault == CALSYNC_FAULT_DROPPED)
    {
      drop_connection (forward);
      return;
    }

  soup_server_message_set_status (msg, forward->status, NULL);
  soup_message_headers_iter_init (&iter, forward->headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (out, name, value);
  if (forward->fault == CALSYNC_FAULT_TRUNCATED)
    size = size / 2;
  if (size > 0)
    soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY,
                              g_bytes_get_data (forward->body, NULL), size);
  soup_server_message_unpause (msg);
}

static gboolean
on_slow_done (gpointer user_data)
{
  Forward *forward = user_data;

  send_forwarded (forward);
  forward_free (forward);
  return G_SOURCE_REMOVE;
}

static void
on_forwarded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Forward *forward = user_data;
  CalsyncFaultProxy *self = forward->self;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  SoupMessageHeaders *in = soup_message_get_response_headers (forward->forward);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  if (body == NULL)
    {
      /* The server is down: a gateway says so */
      forward->fault = -1;
      answer (forward->msg, 502, "text/plain; charset=utf-8", "Bad Gateway");
      soup_server_message_unpause (forward->msg);
      forward_free (forward);
      return;
    }

  forward->status = soup_message_get_status (forward->forward);
  forward->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_iter_init (&iter, in);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      if (is_hop_header (name))
        continue;
      if (g_ascii_strcasecmp (name, "Location") == 0 && g_str_has_prefix (value, self->upstream_origin))
        {
          g_autofree char *location = g_strconcat (self->origin, value + strlen (self->upstream_origin), NULL);

          soup_message_headers_append (forward->headers, name, location);
          continue;
        }
      soup_message_headers_append (forward->headers, name, value);
    }

  {
    gsize size;
    const char *data = g_bytes_get_data (body, &size);

    if (size > 0 && memmem (data, size, self->upstream_origin, strlen (self->upstream_origin)) != NULL)
      {
        char *text = replace_all (data, size, self->upstream_origin, self->origin);

        forward->body = g_bytes_new_take (text, strlen (text));
      }
    else
      forward->body = g_bytes_ref (body);
  }

  /* A truncated answer needs a body to cut */
  if (forward->fault == CALSYNC_FAULT_TRUNCATED && g_bytes_get_size (forward->body) < 2)
    forward->fault = CALSYNC_FAULT_DROPPED;
  if (forward->fault >= 0)
    {
      self->counts[forward->fault]++;
      g_debug ("Fault %s: %s %s", fault_names[forward->fault], soup_server_message_get_method (forward->msg),
               g_uri_get_path (soup_server_message_get_uri (forward->msg)));
    }

  if (forward->fault == CALSYNC_FAULT_SLOW)
    {
      g_timeout_add (g_rand_int_range (self->rand, SLOW_MIN_MS, SLOW_MAX_MS + 1), on_slow_done, forward);
      return;
    }

  send_forwarded (forward);
  forward_free (forward);
}

static void
forward_request (CalsyncFaultProxy *self,
                 SoupServerMessage *msg,
                 const char        *path,
                 int                fault)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  g_autofree char *url = g_strdup_printf ("%s%s%s%s", self->upstream_origin, path, query != NULL ? "?" : "",
                                          query != NULL ? query : "");
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  Forward *forward = g_new0 (Forward, 1);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  forward->self = g_object_ref (self);
  forward->msg = g_object_ref (msg);
  forward->fault = fault;
  forward->forward = soup_message_new (soup_server_message_get_method (msg), url);
  g_assert_nonnull (forward->forward);
  soup_message_add_flags (forward->forward, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_iter_init (&iter, in);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (!is_hop_header (name))
      soup_message_headers_append (soup_message_get_request_headers (forward->forward), name, value);
  if (g_bytes_get_size (body) > 0)
    soup_message_set_request_body_from_bytes (forward->forward, NULL, body);

  soup_server_message_pause (msg);
  soup_session_send_and_read_async (self->session, forward->forward, G_PRIORITY_DEFAULT, NULL, on_forwarded,
                                    forward);
}

static gboolean
fault_applies (CalsyncFaultProxy *self,
               CalsyncFault       fault)
{
  switch (fault)
    {
    case CALSYNC_FAULT_UNAUTHORIZED:
      return self->flavour != CALSYNC_FAULT_FLAVOUR_CALDAV;
    case CALSYNC_FAULT_RATE_LIMIT_403:
      return self->flavour == CALSYNC_FAULT_FLAVOUR_GOOGLE;
    default:
      return TRUE;
    }
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *decoded_path,
            GHashTable        *query,
            gpointer           user_data)
{
  CalsyncFaultProxy *self = user_data;
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "Authorization");
  gboolean redirected = g_str_has_prefix (path, REDIRECT_PREFIX "/");
  int fault = -1;

  self->n_requests++;
  if (redirected)
    path += strlen (REDIRECT_PREFIX);

  /* A token refused once stays refused: only a refreshed one gets through */
  if (authorization != NULL && g_hash_table_contains (self->refused, authorization))
    {
      answer_unauthorized (self, msg);
      return;
    }

  /* A redirect's target gets no second fault: no endless redirects */
  if (!redirected && self->rate > 0 && g_rand_double (self->rand) < self->rate)
    {
      do
        fault = g_rand_int_range (self->rand, 0, CALSYNC_N_FAULTS);
      while (!fault_applies (self, fault));
    }

  switch (fault)
    {
    case CALSYNC_FAULT_UNAUTHORIZED:
      if (authorization != NULL && g_str_has_prefix (authorization, "Bearer "))
        g_hash_table_add (self->refused, g_strdup (authorization));
      G_GNUC_FALLTHROUGH;
    case CALSYNC_FAULT_RATE_LIMIT_403:
    case CALSYNC_FAULT_TOO_MANY_RETRY_AFTER:
    case CALSYNC_FAULT_TOO_MANY:
    case CALSYNC_FAULT_INTERNAL_ERROR:
    case CALSYNC_FAULT_BAD_GATEWAY:
    case CALSYNC_FAULT_UNAVAILABLE:
    case CALSYNC_FAULT_REDIRECT:
    case CALSYNC_FAULT_REDIRECT_AWAY:
      self->counts[fault]++;
      g_debug ("Fault %s: %s %s", fault_names[fault], soup_server_message_get_method (msg), path);
      answer_fault (self, msg, fault);
      return;
    default:
      /* Dropped, truncated and slow answers are counted when they happen */
      forward_request (self, msg, path, fault);
      return;
    }
}

/* The other origin: no credential and no body may reach it */
static void
on_away_request (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *decoded_path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  CalsyncFaultProxy *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (soup_message_headers_get_one (headers, "Authorization") != NULL ||
      soup_message_headers_get_one (headers, "Cookie") != NULL ||
      body->length > 0)
    {
      self->n_leaks++;
      g_warning ("A request that followed a redirect to another origin carried credentials or a body");
    }
  answer (msg, 400, "text/plain; charset=utf-8", "Bad Request");
}

/* Object ------------------------------------------------------------------------ */

static void
calsync_fault_proxy_finalize (GObject *object)
{
  CalsyncFaultProxy *self = (CalsyncFaultProxy *) object;

  soup_server_disconnect (self->server);
  soup_server_disconnect (self->away);
  g_clear_object (&self->server);
  g_clear_object (&self->away);
  g_clear_object (&self->session);
  g_rand_free (self->rand);
  g_free (self->upstream_origin);
  g_free (self->origin);
  g_free (self->away_origin);
  g_free (self->url);
  g_hash_table_unref (self->refused);

  G_OBJECT_CLASS (calsync_fault_proxy_parent_class)->finalize (object);
}

static void
calsync_fault_proxy_class_init (CalsyncFaultProxyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_fault_proxy_finalize;
}

static void
calsync_fault_proxy_init (CalsyncFaultProxy *self)
{
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static char *
listen_origin (SoupServer *server)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  char *origin;

  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("The fault proxy cannot listen: %s", error->message);
  uris = soup_server_get_uris (server);
  origin = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return origin;
}

CalsyncFaultProxy *
calsync_fault_proxy_new (const char          *upstream_url,
                         CalsyncFaultFlavour  flavour,
                         guint32              seed)
{
  CalsyncFaultProxy *self = g_object_new (CALSYNC_TYPE_FAULT_PROXY, NULL);
  g_autoptr(GUri) upstream = g_uri_parse (upstream_url, G_URI_FLAGS_ENCODED, NULL);

  g_assert_nonnull (upstream);
  self->flavour = flavour;
  self->rand = g_rand_new_with_seed (seed);
  self->upstream_origin = g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (upstream), g_uri_get_host (upstream),
                                           g_uri_get_port (upstream));
  self->session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 32, NULL);
  /* Bodies pass as the server sent them, never decoded */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_CONTENT_DECODER);

  self->server = soup_server_new ("server-header", "", NULL);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  self->origin = listen_origin (self->server);
  self->away = soup_server_new ("server-header", "", NULL);
  soup_server_add_handler (self->away, NULL, on_away_request, self, NULL);
  self->away_origin = listen_origin (self->away);

  self->url = g_strconcat (self->origin, g_uri_get_path (upstream), NULL);
  {
    const char *query = g_uri_get_query (upstream);

    if (query != NULL)
      {
        char *with_query = g_strconcat (self->url, "?", query, NULL);

        g_free (self->url);
        self->url = with_query;
      }
  }
  return self;
}

const char *
calsync_fault_proxy_get_url (CalsyncFaultProxy *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAULT_PROXY (self), NULL);
  return self->url;
}

void
calsync_fault_proxy_set_rate (CalsyncFaultProxy *self,
                              double             rate)
{
  g_return_if_fail (CALSYNC_IS_FAULT_PROXY (self));
  self->rate = CLAMP (rate, 0.0, 1.0);
}

guint
calsync_fault_proxy_get_count (CalsyncFaultProxy *self,
                               CalsyncFault       fault)
{
  g_return_val_if_fail (CALSYNC_IS_FAULT_PROXY (self), 0);
  g_return_val_if_fail (fault < CALSYNC_N_FAULTS, 0);
  return self->counts[fault];
}

guint
calsync_fault_proxy_get_n_requests (CalsyncFaultProxy *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAULT_PROXY (self), 0);
  return self->n_requests;
}

guint
calsync_fault_proxy_get_n_leaks (CalsyncFaultProxy *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAULT_PROXY (self), 0);
  return self->n_leaks;
}
