/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-http.h: one shared SoupSession with retries, backoff, deadlines, size
 * limits and a strict redirect policy; JSON, XML or raw bodies; nothing
 * provider-specific. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CALSYNC_HTTP_ERROR (calsync_http_error_quark ())

/**
 * CalsyncHttpError:
 * @CALSYNC_HTTP_ERROR_AUTH: 401: the credentials are not (or no longer) accepted
 * @CALSYNC_HTTP_ERROR_FORBIDDEN: 403 that is not a rate limit
 * @CALSYNC_HTTP_ERROR_RATE_LIMITED: 429 (or what the request's classifier calls a
 *   rate limit) still after the last try
 * @CALSYNC_HTTP_ERROR_SERVER: 5xx, or a connection broken mid-answer, still after the last try
 * @CALSYNC_HTTP_ERROR_BAD_REQUEST: 400
 * @CALSYNC_HTTP_ERROR_NOT_FOUND: 404
 * @CALSYNC_HTTP_ERROR_GONE: 410
 * @CALSYNC_HTTP_ERROR_PRECONDITION: 412 (a conditional write met a newer copy)
 * @CALSYNC_HTTP_ERROR_OFFLINE: no network, still after the last try
 * @CALSYNC_HTTP_ERROR_MALFORMED: the body is not what was expected (not JSON,
 *   nested deeper than the limit)
 * @CALSYNC_HTTP_ERROR_INSECURE: a non-loopback http:// URL was refused
 * @CALSYNC_HTTP_ERROR_TIMEOUT: no bytes for the idle deadline, or the request
 *   took longer than its total deadline
 * @CALSYNC_HTTP_ERROR_TOO_LARGE: the body went over the size limit
 * @CALSYNC_HTTP_ERROR_REDIRECT: a redirect that cannot be followed safely (to
 *   another origin with a body, a loop, no Location)
 * @CALSYNC_HTTP_ERROR_FAILED: anything else
 *
 * Messages are for people: never a token, never a raw server body.
 */
typedef enum
{
  CALSYNC_HTTP_ERROR_AUTH,
  CALSYNC_HTTP_ERROR_FORBIDDEN,
  CALSYNC_HTTP_ERROR_RATE_LIMITED,
  CALSYNC_HTTP_ERROR_SERVER,
  CALSYNC_HTTP_ERROR_BAD_REQUEST,
  CALSYNC_HTTP_ERROR_NOT_FOUND,
  CALSYNC_HTTP_ERROR_GONE,
  CALSYNC_HTTP_ERROR_PRECONDITION,
  CALSYNC_HTTP_ERROR_OFFLINE,
  CALSYNC_HTTP_ERROR_MALFORMED,
  CALSYNC_HTTP_ERROR_INSECURE,
  CALSYNC_HTTP_ERROR_TIMEOUT,
  CALSYNC_HTTP_ERROR_TOO_LARGE,
  CALSYNC_HTTP_ERROR_REDIRECT,
  CALSYNC_HTTP_ERROR_FAILED,
} CalsyncHttpError;

GQuark calsync_http_error_quark (void);

/* Defaults: a response body may be this large (decoded); JSON this deep */
#define CALSYNC_HTTP_DEFAULT_MAX_BODY   (64 * 1024 * 1024)
#define CALSYNC_HTTP_MAX_JSON_DEPTH     64

/**
 * CalsyncHttpBody:
 * @CALSYNC_HTTP_BODY_ANY: a body is parsed as JSON when its Content-Type says so
 * @CALSYNC_HTTP_BODY_JSON: a 2xx body must be JSON; it is parsed (off the main
 *   thread, depth checked first) into #CalsyncHttpResponse.json
 * @CALSYNC_HTTP_BODY_JSON_BYTES: a 2xx body must be JSON; it is handed over as
 *   bytes, for a caller that parses it itself
 * @CALSYNC_HTTP_BODY_XML: a 2xx body must be XML (by its Content-Type or its
 *   first bytes); handed over as bytes
 */
typedef enum
{
  CALSYNC_HTTP_BODY_ANY,
  CALSYNC_HTTP_BODY_JSON,
  CALSYNC_HTTP_BODY_JSON_BYTES,
  CALSYNC_HTTP_BODY_XML,
} CalsyncHttpBody;

/**
 * CalsyncHttpResponse:
 * @status: the HTTP status of the last hop
 * @headers: (nullable): its response headers (ETag, Retry-After, …)
 * @body: (nullable): the decoded body
 * @json: (nullable): the body parsed as JSON, when it was asked for or is an
 *   error body that says it is JSON
 * @uri: the URL that answered (the last hop, after redirects): relative
 *   references in the body (WebDAV hrefs) are resolved against it
 */
typedef struct
{
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
  JsonNode *json;
  char *uri;
} CalsyncHttpResponse;

void                calsync_http_response_free        (CalsyncHttpResponse *response);
const char         *calsync_http_response_get_header  (CalsyncHttpResponse *response,
                                                       const char          *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncHttpResponse, calsync_http_response_free)

/**
 * CalsyncHttpRateLimitFunc:
 *
 * A provider's reading of an answer that is not 429 but means "too many
 * requests" (Google: 403 with reason rateLimitExceeded). Such answers are
 * retried like a 429.
 */
typedef gboolean (*CalsyncHttpRateLimitFunc) (CalsyncHttpResponse *response);

/**
 * CalsyncHttpRequest:
 *
 * What to send; kept so that a retry can build the same message again.
 */
typedef struct _CalsyncHttpRequest CalsyncHttpRequest;

CalsyncHttpRequest *calsync_http_request_new          (const char         *method,
                                                       const char         *uri);
CalsyncHttpRequest *calsync_http_request_ref          (CalsyncHttpRequest *request);
void                calsync_http_request_unref        (CalsyncHttpRequest *request);
/* Authorization: Bearer …; never logged, never sent to another origin */
void                calsync_http_request_set_bearer   (CalsyncHttpRequest *request,
                                                       const char         *access_token);
/* Authorization: Basic …; never logged, never sent to another origin */
void                calsync_http_request_set_basic    (CalsyncHttpRequest *request,
                                                       const char         *username,
                                                       const char         *password);
void                calsync_http_request_add_header   (CalsyncHttpRequest *request,
                                                       const char         *name,
                                                       const char         *value);
/* application/x-www-form-urlencoded body from name/value pairs, NULL-terminated;
 * wiped from memory when the request goes */
void                calsync_http_request_set_form     (CalsyncHttpRequest *request,
                                                       const char         *first_name,
                                                       ...) G_GNUC_NULL_TERMINATED;
/* A body that is no secret (XML of a WebDAV request, an iCalendar resource) */
void                calsync_http_request_set_body     (CalsyncHttpRequest *request,
                                                       const char         *content_type,
                                                       GBytes             *body);
/* Plain http:// to a server that is not on this computer, because the person
 * allowed it for this account (CalDAV on a home network) */
void                calsync_http_request_set_allow_insecure (CalsyncHttpRequest *request,
                                                       gboolean            allow_insecure);
void                calsync_http_request_set_expect   (CalsyncHttpRequest *request,
                                                       CalsyncHttpBody     body);
void                calsync_http_request_set_max_body (CalsyncHttpRequest *request,
                                                       gsize               max_bytes);
void                calsync_http_request_set_rate_limit_func (CalsyncHttpRequest *request,
                                                       CalsyncHttpRateLimitFunc func);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncHttpRequest, calsync_http_request_unref)

#define CALSYNC_TYPE_HTTP (calsync_http_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncHttp, calsync_http, CALSYNC, HTTP, GObject)

CalsyncHttp         *calsync_http_new                 (void);
/* Defaults: 5 tries, 500 ms base delay, 60 s in total. Tests shrink them. */
void                 calsync_http_set_retry_policy    (CalsyncHttp  *self,
                                                       guint         max_tries,
                                                       guint         base_delay_ms,
                                                       guint         max_total_ms);
/* Defaults: a request ends when no bytes came for 30 s, or after 120 s in all
 * (tries and waits included). Tests shrink them. */
void                 calsync_http_set_deadlines       (CalsyncHttp  *self,
                                                       guint         idle_ms,
                                                       guint         total_ms);
/* https, or http only to a loopback address (or when @allow_insecure) */
gboolean             calsync_http_check_url           (const char   *url,
                                                       gboolean      allow_insecure,
                                                       GError      **error);

/* Retry-After as delay in milliseconds (delta-seconds or an HTTP-date relative
 * to @now), or -1 when @value is NULL or unreadable */
gint64               calsync_http_parse_retry_after   (const char   *value,
                                                       GDateTime    *now);

/* Whether @data is JSON nested no deeper than @max_depth (strings skipped),
 * with one value at the top; checked before a JSON parser recurses into it */
gboolean             calsync_http_json_depth_ok       (const char   *data,
                                                       gsize         length,
                                                       guint         max_depth);

/**
 * calsync_http_send_async:
 *
 * Sends @request: retries 429, 5xx, broken connections and stalls with
 * exponential backoff and jitter (honouring Retry-After), within the deadlines;
 * reads the body as it streams in, up to its size limit; follows redirects on
 * the same origin, and to another origin only without credentials and without
 * a body. The finish function returns the response for 2xx; for other
 * statuses %NULL and a %CALSYNC_HTTP_ERROR, with the answer in @error_response.
 */
void                 calsync_http_send_async          (CalsyncHttp         *self,
                                                       CalsyncHttpRequest  *request,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
CalsyncHttpResponse *calsync_http_send_finish         (CalsyncHttp         *self,
                                                       GAsyncResult        *result,
                                                       CalsyncHttpResponse **error_response,
                                                       GError             **error);

G_END_DECLS
