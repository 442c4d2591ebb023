/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-http.h: one shared SoupSession with retries, backoff and error mapping. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CALSYNC_HTTP_ERROR (calsync_http_error_quark ())

/**
 * CalsyncHttpError:
 * @CALSYNC_HTTP_ERROR_AUTH: 401: the access token is not (or no longer) accepted
 * @CALSYNC_HTTP_ERROR_FORBIDDEN: 403 that is not a rate limit
 * @CALSYNC_HTTP_ERROR_RATE_LIMITED: 429 (or 403 rateLimitExceeded) still after the last try
 * @CALSYNC_HTTP_ERROR_SERVER: 5xx still after the last try
 * @CALSYNC_HTTP_ERROR_BAD_REQUEST: 400
 * @CALSYNC_HTTP_ERROR_NOT_FOUND: 404
 * @CALSYNC_HTTP_ERROR_GONE: 410 (Google: sync token expired)
 * @CALSYNC_HTTP_ERROR_OFFLINE: no network, still after the last try
 * @CALSYNC_HTTP_ERROR_MALFORMED: the body is not the JSON that was expected
 * @CALSYNC_HTTP_ERROR_INSECURE: a non-loopback http:// URL was refused
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
  CALSYNC_HTTP_ERROR_OFFLINE,
  CALSYNC_HTTP_ERROR_MALFORMED,
  CALSYNC_HTTP_ERROR_INSECURE,
  CALSYNC_HTTP_ERROR_FAILED,
} CalsyncHttpError;

GQuark calsync_http_error_quark (void);

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
/* Authorization: Bearer …; the token is never logged */
void                calsync_http_request_set_bearer   (CalsyncHttpRequest *request,
                                                       const char         *access_token);
void                calsync_http_request_add_header   (CalsyncHttpRequest *request,
                                                       const char         *name,
                                                       const char         *value);
/* application/x-www-form-urlencoded body from name/value pairs, NULL-terminated */
void                calsync_http_request_set_form     (CalsyncHttpRequest *request,
                                                       const char         *first_name,
                                                       ...) G_GNUC_NULL_TERMINATED;
void                calsync_http_request_set_body     (CalsyncHttpRequest *request,
                                                       const char         *content_type,
                                                       GBytes             *body);
const char         *calsync_http_request_get_uri      (CalsyncHttpRequest *request);
/* A 2xx answer must carry JSON (else MALFORMED), whatever its Content-Type says.
 * Without it, a body is parsed when its Content-Type claims JSON. */
void                calsync_http_request_set_expect_json (CalsyncHttpRequest *request,
                                                       gboolean            expect_json);
/* Allows a non-loopback http:// URL (CalDAV on a home network, when the person said so) */
void                calsync_http_request_set_allow_insecure (CalsyncHttpRequest *request,
                                                       gboolean            allow_insecure);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncHttpRequest, calsync_http_request_unref)

/**
 * CalsyncHttpResponse:
 *
 * A finished exchange: status, headers of interest and the body.
 */
typedef struct
{
  guint status;
  GBytes *body;
  JsonNode *json;         /* parsed body (off the main thread) when it is JSON, or NULL */
} CalsyncHttpResponse;

void                calsync_http_response_free        (CalsyncHttpResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncHttpResponse, calsync_http_response_free)

#define CALSYNC_TYPE_HTTP (calsync_http_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncHttp, calsync_http, CALSYNC, HTTP, GObject)

CalsyncHttp         *calsync_http_new                 (void);
SoupSession         *calsync_http_get_session         (CalsyncHttp  *self);
/* Defaults: 5 tries, 500 ms base delay, 60 s in total. Tests shrink them. */
void                 calsync_http_set_retry_policy    (CalsyncHttp  *self,
                                                       guint         max_tries,
                                                       guint         base_delay_ms,
                                                       guint         max_total_ms);
/* https, or http only to a loopback address (or when @allow_insecure) */
gboolean             calsync_http_check_url           (const char   *url,
                                                       gboolean      allow_insecure,
                                                       GError      **error);

/* Retry-After as delay in milliseconds (delta-seconds or an HTTP-date relative
 * to @now), or -1 when @value is NULL or unreadable */
gint64               calsync_http_parse_retry_after   (const char   *value,
                                                       GDateTime    *now);

/**
 * calsync_http_send_async:
 *
 * Sends @request, retrying 429/5xx/network errors with exponential backoff and
 * jitter (honouring Retry-After), and parses a JSON body in a worker thread.
 * The finish function returns the response for 2xx; for other statuses %NULL
 * and a %CALSYNC_HTTP_ERROR, with the parsed error body in @error_json when
 * there is one (for OAuth's "invalid_grant").
 */
void                 calsync_http_send_async          (CalsyncHttp         *self,
                                                       CalsyncHttpRequest  *request,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
CalsyncHttpResponse *calsync_http_send_finish         (CalsyncHttp         *self,
                                                       GAsyncResult        *result,
                                                       JsonNode           **error_json,
                                                       GError             **error);

G_END_DECLS
