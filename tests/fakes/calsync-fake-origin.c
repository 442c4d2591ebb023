/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-origin.c: another origin that records every request it receives. */
#define G_LOG_DOMAIN "calsync-fake-origin"

#include "config.h"

#include <string.h>

#include "calsync-fake-origin.h"

struct _CalsyncFakeOrigin
{
  GObject parent_instance;

  SoupServer *server;
  char *base_url;
  GPtrArray *requests;   /* CalsyncFakeRequest */
};

G_DEFINE_FINAL_TYPE (CalsyncFakeOrigin, calsync_fake_origin, G_TYPE_OBJECT)

static void
request_free (CalsyncFakeRequest *request)
{
  g_free (request->method);
  g_free (request->uri);
  g_free (request->headers);
  g_bytes_unref (request->body);
  g_free (request);
}

static char *
format_headers (SoupMessageHeaders *headers)
{
  GString *text = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (text, "%s: %s\n", name, value);
  return g_string_free (text, FALSE);
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  CalsyncFakeOrigin *self = user_data;
  CalsyncFakeRequest *request = g_new0 (CalsyncFakeRequest, 1);
  static const char answer[] = "{\"access_token\":\"ya29.other-origin\",\"expires_in\":3599,"
                               "\"refresh_token\":\"1//other-origin\",\"token_type\":\"Bearer\"}";

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->uri = g_uri_to_string_partial (soup_server_message_get_uri (msg), G_URI_HIDE_NONE);
  request->headers = format_headers (soup_server_message_get_request_headers (msg));
  request->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_ptr_array_add (self->requests, request);

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_STATIC,
                                    answer, strlen (answer));
}

static void
calsync_fake_origin_finalize (GObject *object)
{
  CalsyncFakeOrigin *self = (CalsyncFakeOrigin *) object;

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->base_url);
  g_ptr_array_unref (self->requests);

  G_OBJECT_CLASS (calsync_fake_origin_parent_class)->finalize (object);
}

static void
calsync_fake_origin_class_init (CalsyncFakeOriginClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_fake_origin_finalize;
}

static void
calsync_fake_origin_init (CalsyncFakeOrigin *self)
{
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
}

CalsyncFakeOrigin *
calsync_fake_origin_new (void)
{
  CalsyncFakeOrigin *self = g_object_new (CALSYNC_TYPE_FAKE_ORIGIN, NULL);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  self->server = soup_server_new ("server-header", "other-origin", NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Fake origin cannot listen: %s", error->message);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);

  uris = soup_server_get_uris (self->server);
  self->base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  return self;
}

char *
calsync_fake_origin_get_url (CalsyncFakeOrigin *self,
                             const char        *path)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_ORIGIN (self), NULL);

  return g_strconcat (self->base_url, path, NULL);
}

guint
calsync_fake_origin_get_n_requests (CalsyncFakeOrigin *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_ORIGIN (self), 0);

  return self->requests->len;
}

const CalsyncFakeRequest *
calsync_fake_origin_get_request (CalsyncFakeOrigin *self,
                                 guint              index)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_ORIGIN (self), NULL);
  g_return_val_if_fail (index < self->requests->len, NULL);

  return g_ptr_array_index (self->requests, index);
}

static gboolean
contains (const char *haystack,
          gsize       length,
          const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n > 0 && i + n <= length; i++)
    if (memcmp (haystack + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* The decoded credentials of "Authorization: Basic …", or NULL */
static char *
basic_credentials (const char *headers)
{
  const char *line = strstr (headers, "Authorization: Basic ");
  g_autofree char *encoded = NULL;
  g_autofree guchar *decoded = NULL;
  gsize size = 0;

  if (line == NULL)
    return NULL;
  line += strlen ("Authorization: Basic ");
  encoded = g_strndup (line, strcspn (line, "\n"));
  decoded = g_base64_decode (encoded, &size);
  return g_strndup ((const char *) decoded, size);
}

static gboolean
request_saw (const CalsyncFakeRequest *request,
             const char               *needle)
{
  g_autofree char *credentials = basic_credentials (request->headers);
  gsize size = 0;
  const char *body = g_bytes_get_data (request->body, &size);

  return strstr (request->uri, needle) != NULL || strstr (request->headers, needle) != NULL ||
         (body != NULL && contains (body, size, needle)) ||
         (credentials != NULL && strstr (credentials, needle) != NULL);
}

gboolean
calsync_fake_origin_saw (CalsyncFakeOrigin *self,
                         const char        *secret)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (CALSYNC_IS_FAKE_ORIGIN (self), FALSE);
  g_return_val_if_fail (secret != NULL && *secret != '\0', FALSE);

  escaped = g_uri_escape_string (secret, NULL, FALSE);
  for (guint i = 0; i < self->requests->len; i++)
    if (request_saw (g_ptr_array_index (self->requests, i), secret) ||
        request_saw (g_ptr_array_index (self->requests, i), escaped))
      return TRUE;

  return FALSE;
}
