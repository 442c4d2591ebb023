/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-http-request.c: what calsync-http sends and receives — requests,
 * responses, the URL policy, Retry-After, JSON depth, errors for people. */
#define G_LOG_DOMAIN "calsync-http"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-secret.h"
#include "calsync-http-private.h"

G_DEFINE_QUARK (calsync-http-error-quark, calsync_http_error)

/* Requests ---------------------------------------------------------------- */

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
  request->max_body = CALSYNC_HTTP_DEFAULT_MAX_BODY;

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
  calsync_secret_free (request->uri);
  calsync_secret_free (request->authorization);
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
  g_return_if_fail (access_token != NULL);

  calsync_secret_free (request->authorization);
  request->authorization = g_strconcat ("Bearer ", access_token, NULL);
}

void
calsync_http_request_set_basic (CalsyncHttpRequest *request,
                                const char         *username,
                                const char         *password)
{
  char *pair;

  g_return_if_fail (request != NULL);
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  pair = g_strconcat (username, ":", password, NULL);
  calsync_secret_free (request->authorization);
  request->authorization = g_base64_encode ((const guchar *) pair, strlen (pair));
  calsync_secret_free (pair);

  pair = request->authorization;
  request->authorization = g_strconcat ("Basic ", pair, NULL);
  calsync_secret_free (pair);
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

/* application/x-www-form-urlencoded (WHATWG URL §5.2): unreserved bytes as
 * they are, space as +, the others %XX, into @form (sized so that it never grows: a
 * realloc would leave a copy behind that nobody wipes) */
static void
append_form_encoded (GString    *form,
                     const char *text)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const guchar *p = (const guchar *) text; *p; p++)
    if (g_ascii_isalnum (*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
      g_string_append_c (form, *p);
    else if (*p == ' ')
      g_string_append_c (form, '+');
    else
      {
        g_string_append_c (form, '%');
        g_string_append_c (form, hex[*p >> 4]);
        g_string_append_c (form, hex[*p & 0xf]);
      }
}

static void
free_form (gpointer data)
{
  calsync_secret_string_free (data);
}

void
calsync_http_request_set_form (CalsyncHttpRequest *request,
                               const char         *first_name,
                               ...)
{
  va_list args;
  GString *form;
  gsize size = 1;
  const char *name;

  g_return_if_fail (request != NULL);
  g_return_if_fail (first_name != NULL);

  /* Pairs up to the first NULL name (a caller ends the list early that way) */
  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      size += 3 * strlen (name) + 3 * (value ? strlen (value) : 0) + 2;
    }
  va_end (args);

  form = g_string_sized_new (size);
  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      if (form->len > 0)
        g_string_append_c (form, '&');
      append_form_encoded (form, name);
      g_string_append_c (form, '=');
      append_form_encoded (form, value);
    }
  va_end (args);
  g_assert (form->allocated_len >= size);

  g_free (request->content_type);
  request->content_type = g_strdup ("application/x-www-form-urlencoded");
  g_clear_pointer (&request->body, g_bytes_unref);
  /* The form may hold a refresh token, a code or a client secret: wiped
   * (all of its allocation) when the bytes go */
  request->body = g_bytes_new_with_free_func (form->str, form->len, free_form, form);
}

/* A body as is (an iCalendar resource, a WebDAV request) */
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

/* Plain http:// to a host that is not loopback, when the person allowed it */
void
calsync_http_request_set_allow_insecure (CalsyncHttpRequest *request,
                                         gboolean            allow_insecure)
{
  g_return_if_fail (request != NULL);

  request->allow_insecure = !!allow_insecure;
}

void
calsync_http_request_set_expect (CalsyncHttpRequest *request,
                                 CalsyncHttpBody     body)
{
  g_return_if_fail (request != NULL);

  request->expect = body;
}

void
calsync_http_request_set_max_body (CalsyncHttpRequest *request,
                                   gsize               max_bytes)
{
  g_return_if_fail (request != NULL);

  request->max_body = max_bytes;
}

void
calsync_http_request_set_rate_limit_func (CalsyncHttpRequest       *request,
                                          CalsyncHttpRateLimitFunc  func)
{
  g_return_if_fail (request != NULL);

  request->rate_limit_func = func;
}

/* One SoupMessage per try (a message cannot be sent twice), for the current
 * hop of redirects: @uri and @method may differ from the request's. */
SoupMessage *
http_request_build (CalsyncHttpRequest *request,
                    const char         *method,
                    const char         *uri,
                    gboolean            with_body,
                    gboolean            with_credentials)
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

  if (request->authorization != NULL && with_credentials)
    soup_message_headers_replace (headers, "Authorization", request->authorization);

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

  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  calsync_secret_free (response->uri);
  g_free (response);
}

/**
 * calsync_http_response_get_header:
 *
 * Returns: (nullable): the value of response header @name
 */
const char *
calsync_http_response_get_header (CalsyncHttpResponse *response,
                                  const char          *name)
{
  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return response->headers != NULL ? soup_message_headers_get_one (response->headers, name) : NULL;
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

/**
 * calsync_http_json_depth_ok:
 *
 * json-glib's parser recurses once per level: 200 KB of `[` would overflow
 * the stack. This scan (strings and their escapes skipped) refuses such a body
 * before any parser sees it. It also refuses a second value after the first
 * (`{…}{…}`, `"a"{…}`, `1[…]`): json-glib 1.6 takes such a text as its last
 * value, and leaks the ones before.
 */
gboolean
calsync_http_json_depth_ok (const char *data,
                            gsize       length,
                            guint       max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean started = FALSE;    /* the top-level value has begun */
  gboolean done = FALSE;       /* … and ended (an object, an array or a string) */

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            {
              in_string = FALSE;
              done = depth == 0;
            }
        }
      else if (depth == 0 && g_ascii_isspace (c))
        continue;
      else if (depth == 0 && (done || (started && (c == '"' || c == '[' || c == '{'))))
        return FALSE;
      else
        {
          started = TRUE;
          if (c == '"')
            in_string = TRUE;
          else if (c == '[' || c == '{')
            {
              if (++depth > max_depth)
                return FALSE;
            }
          else if ((c == ']' || c == '}') && depth > 0)
            done = --depth == 0;
        }
    }

  return TRUE;
}

/* Errors for people ---------------------------------------------------------- */

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
    case CALSYNC_HTTP_ERROR_PRECONDITION:
      return _("The server has a newer copy.");
    case CALSYNC_HTTP_ERROR_OFFLINE:
      return _("You're offline.");
    case CALSYNC_HTTP_ERROR_MALFORMED:
      return _("The server sent an answer CalSync could not read.");
    case CALSYNC_HTTP_ERROR_TIMEOUT:
      return _("The server took too long to answer.");
    case CALSYNC_HTTP_ERROR_TOO_LARGE:
      return _("The server sent more data than CalSync accepts.");
    case CALSYNC_HTTP_ERROR_REDIRECT:
      return _("The server sent CalSync somewhere it will not follow.");
    case CALSYNC_HTTP_ERROR_INSECURE:
    case CALSYNC_HTTP_ERROR_FAILED:
    default:
      return _("The request to the server failed.");
    }
}

GError *
http_new_error (CalsyncHttpError code)
{
  return g_error_new_literal (CALSYNC_HTTP_ERROR, code, message_for_code (code));
}
