/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-radicale.c: a real CalDAV server for tests (see the header). */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include "calsync-radicale.h"

struct _CalsyncRadicale
{
  char *dir;
  char *config;
  char *log_path;
  char *url;
  guint lifetime_s;
  GSubprocess *process;
  SoupSession *session;
};

static pid_t running_pid;

static void
kill_at_exit (void)
{
  if (running_pid > 0)
    kill (running_pid, SIGTERM);
}

gboolean
calsync_radicale_available (void)
{
  /* meson passes RADICALE_PATH="" when it found no /usr/bin/radicale */
  return g_file_test (RADICALE_PATH, G_FILE_TEST_IS_EXECUTABLE);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (socket, any_port, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static char *
write_config (const char *dir,
              guint16     port)
{
  g_autofree char *users = g_build_filename (dir, "users", NULL);
  g_autofree char *storage = g_build_filename (dir, "collections", NULL);
  g_autofree char *config = g_strdup_printf ("[server]\n"
                                             "hosts = 127.0.0.1:%u\n"
                                             "[auth]\n"
                                             "type = htpasswd\n"
                                             "htpasswd_filename = %s\n"
                                             "htpasswd_encryption = plain\n"
                                             "[storage]\n"
                                             "filesystem_folder = %s\n"
                                             "[rights]\n"
                                             "type = owner_only\n"
                                             "[web]\n"
                                             "type = none\n"
                                             "[logging]\n"
                                             "level = warning\n",
                                             port, users, storage);
  char *path = g_build_filename (dir, "radicale.conf", NULL);

  g_assert_true (g_file_set_contents (users, CALSYNC_RADICALE_USER ":" CALSYNC_RADICALE_PASSWORD "\n", -1, NULL));
  g_assert_true (g_file_set_contents (path, config, -1, NULL));
  return path;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

void
calsync_radicale_dump_log (CalsyncRadicale *self)
{
  g_autofree char *log = NULL;

  if (g_file_get_contents (self->log_path, &log, NULL, NULL) && *log != '\0')
    g_test_message ("Radicale's log:\n%s", log);
}

static void
add_basic_auth (SoupMessage *message,
                const char  *user,
                const char  *password)
{
  g_autofree char *credentials = g_strconcat (user, ":", password, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
  g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", value);
}

static guint
send_request (CalsyncRadicale     *self,
              const char          *user,
              const char          *password,
              const char          *method,
              const char          *path,
              const char          *content_type,
              const char          *request_body,
              const char * const  *headers,
              char               **body,
              SoupMessageHeaders **response_headers,
              GError             **error)
{
  g_autofree char *url = g_str_has_prefix (path, "http") ? g_strdup (path)
                                                         : g_strconcat (self->url, path + (path[0] == '/'), NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;

  g_assert_nonnull (message);
  add_basic_auth (message, user, password);
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (message), headers[i], headers[i + 1]);
  if (request_body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (request_body, strlen (request_body));

      soup_message_set_request_body_from_bytes (message, content_type, bytes);
    }

  if (!(response = soup_session_send_and_read (self->session, message, NULL, error)))
    return 0;

  if (body != NULL)
    *body = g_strndup (g_bytes_get_data (response, NULL), g_bytes_get_size (response));
  if (response_headers != NULL)
    *response_headers = soup_message_headers_ref (soup_message_get_response_headers (message));
  return soup_message_get_status (message);
}

guint
calsync_radicale_request_as (CalsyncRadicale     *self,
                             const char          *user,
                             const char          *password,
                             const char          *method,
                             const char          *path,
                             const char          *content_type,
                             const char          *request_body,
                             const char * const  *headers,
                             char               **body,
                             SoupMessageHeaders **response_headers)
{
  g_autoptr(GError) error = NULL;
  guint status = send_request (self, user, password, method, path, content_type, request_body, headers,
                               body, response_headers, &error);

  g_assert_no_error (error);
  return status;
}

guint
calsync_radicale_request (CalsyncRadicale     *self,
                          const char          *method,
                          const char          *path,
                          const char          *content_type,
                          const char          *request_body,
                          const char * const  *headers,
                          char               **body,
                          SoupMessageHeaders **response_headers)
{
  return calsync_radicale_request_as (self, CALSYNC_RADICALE_USER, CALSYNC_RADICALE_PASSWORD, method, path,
                                      content_type, request_body, headers, body, response_headers);
}

/* Radicale reads its htpasswd at every login: a user added works at once */
void
calsync_radicale_add_user (CalsyncRadicale *self,
                           const char      *user,
                           const char      *password)
{
  g_autofree char *path = g_build_filename (self->dir, "users", NULL);
  g_autofree char *users = NULL;
  g_autofree char *more = NULL;

  g_assert_true (g_file_get_contents (path, &users, NULL, NULL));
  more = g_strconcat (users, user, ":", password, "\n", NULL);
  g_assert_true (g_file_set_contents (path, more, -1, NULL));
}

/* Radicale answers within about two seconds; give it ten */
static void
wait_until_answering (CalsyncRadicale *self)
{
  for (guint attempt = 0; attempt < 200; attempt++)
    {
      g_autoptr(GError) error = NULL;

      if (send_request (self, CALSYNC_RADICALE_USER, CALSYNC_RADICALE_PASSWORD, "OPTIONS", "/", NULL, NULL, NULL,
                        NULL, NULL, &error) != 0)
        return;

      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED));
      g_usleep (50 * 1000);
    }

  calsync_radicale_dump_log (self);
  g_error ("Radicale did not answer on %s", self->url);
}

static void
spawn (CalsyncRadicale *self)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *timeout = g_find_program_in_path ("timeout");
  g_autofree char *lifetime = g_strdup_printf ("%u", self->lifetime_s);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (timeout);
  g_subprocess_launcher_set_stdout_file_path (launcher, self->log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  self->process = g_subprocess_launcher_spawn (launcher, &error, timeout, lifetime,
                                               RADICALE_PATH, "--config", self->config, NULL);
  g_assert_no_error (error);
  running_pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (self->process), NULL, 10);
  wait_until_answering (self);
}

/**
 * calsync_radicale_start:
 * @lifetime_s: after this many seconds timeout(1) stops it whatever happens
 */
CalsyncRadicale *
calsync_radicale_start (const char *dir,
                        guint       lifetime_s)
{
  CalsyncRadicale *self = g_new0 (CalsyncRadicale, 1);
  guint16 port = free_port ();
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      atexit (kill_at_exit);
      g_once_init_leave (&registered, 1);
    }

  self->dir = g_strdup (dir);
  self->lifetime_s = lifetime_s;
  self->config = write_config (dir, port);
  self->log_path = g_build_filename (dir, "radicale.log", NULL);
  self->url = g_strdup_printf ("http://127.0.0.1:%u/", port);
  self->session = soup_session_new_with_options ("timeout", 30, NULL);
  spawn (self);
  return self;
}

void
calsync_radicale_stop (CalsyncRadicale *self)
{
  g_autoptr(GError) error = NULL;

  if (self->process == NULL)
    return;

  g_subprocess_send_signal (self->process, SIGTERM);
  g_assert_true (g_subprocess_wait (self->process, NULL, &error));
  g_assert_no_error (error);
  running_pid = 0;
  g_clear_object (&self->process);
}

void
calsync_radicale_restart (CalsyncRadicale *self)
{
  calsync_radicale_stop (self);
  spawn (self);
}

void
calsync_radicale_free (CalsyncRadicale *self)
{
  if (self == NULL)
    return;

  calsync_radicale_stop (self);
  g_clear_object (&self->session);
  g_free (self->dir);
  g_free (self->config);
  g_free (self->log_path);
  g_free (self->url);
  g_free (self);
}

const char *
calsync_radicale_get_url (CalsyncRadicale *self)
{
  return self->url;
}

char *
calsync_radicale_collection_dir (CalsyncRadicale *self,
                                 const char      *name)
{
  return g_build_filename (self->dir, "collections", "collection-root", CALSYNC_RADICALE_USER, name, NULL);
}

void
calsync_radicale_mkcalendar (CalsyncRadicale *self,
                             const char      *name,
                             const char      *displayname)
{
  g_autofree char *path = g_strdup_printf ("/" CALSYNC_RADICALE_USER "/%s/", name);
  g_autofree char *body = g_markup_printf_escaped (
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<C:mkcalendar xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
    "<D:set><D:prop><D:displayname>%s</D:displayname>"
    "<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/></C:supported-calendar-component-set>"
    "</D:prop></D:set></C:mkcalendar>", displayname);
  guint status = calsync_radicale_request (self, "MKCALENDAR", path, "application/xml; charset=utf-8",
                                           body, NULL, NULL, NULL);

  if (status != 201)
    calsync_radicale_dump_log (self);
  g_assert_cmpuint (status, ==, 201);
}

char *
calsync_radicale_put (CalsyncRadicale *self,
                      const char      *collection,
                      const char      *resource,
                      const char      *ics)
{
  g_autofree char *path = g_strdup_printf ("/" CALSYNC_RADICALE_USER "/%s/%s", collection, resource);
  g_autoptr(SoupMessageHeaders) headers = NULL;
  guint status = calsync_radicale_request (self, "PUT", path, "text/calendar; charset=utf-8",
                                           ics, NULL, NULL, &headers);

  if (status != 201 && status != 204)
    calsync_radicale_dump_log (self);
  g_assert_true (status == 201 || status == 204);
  return g_strdup (soup_message_headers_get_one (headers, "ETag"));
}

/* A multistatus: href → the text of one property of each member ------------------ */

typedef struct
{
  GString *text;
  const char *property;   /* the element whose text is kept */
  char *href;
  char *value;
  GHashTable *found;
} MultistatusParse;

static const char *
local_name (const char *element)
{
  const char *colon = strrchr (element, ':');

  return colon != NULL ? colon + 1 : element;
}

static void
multistatus_start (GMarkupParseContext *context,
                   const char          *element,
                   const char         **names,
                   const char         **values,
                   gpointer             user_data,
                   GError             **error)
{
  MultistatusParse *parse = user_data;

  g_string_truncate (parse->text, 0);
  if (g_str_equal (local_name (element), "response"))
    {
      g_clear_pointer (&parse->href, g_free);
      g_clear_pointer (&parse->value, g_free);
    }
}

static void
multistatus_end (GMarkupParseContext *context,
                 const char          *element,
                 gpointer             user_data,
                 GError             **error)
{
  MultistatusParse *parse = user_data;
  const char *name = local_name (element);

  if (g_str_equal (name, "href") && parse->href == NULL)
    parse->href = g_strdup (parse->text->str);
  else if (g_str_equal (name, parse->property))
    parse->value = g_strdup (parse->text->str);
  /* Members only, not the collection itself */
  else if (g_str_equal (name, "response") && parse->href != NULL && parse->value != NULL &&
           !g_str_has_suffix (parse->href, "/"))
    g_hash_table_insert (parse->found, g_steal_pointer (&parse->href), g_steal_pointer (&parse->value));
}

static void
multistatus_text (GMarkupParseContext *context,
                  const char          *text,
                  gsize                length,
                  gpointer             user_data,
                  GError             **error)
{
  MultistatusParse *parse = user_data;

  g_string_append_len (parse->text, text, length);
}

/* @method (Depth 1) on alice's collection @collection with @body (asserts a
 * 207); href → the text of @property of each member */
static GHashTable *
multistatus (CalsyncRadicale *self,
             const char      *method,
             const char      *collection,
             const char      *body,
             const char      *property)
{
  static const GMarkupParser parser = { multistatus_start, multistatus_end, multistatus_text, NULL, NULL };
  static const char * const depth[] = { "Depth", "1", NULL };
  g_autofree char *path = g_strdup_printf ("/" CALSYNC_RADICALE_USER "/%s/", collection);
  MultistatusParse parse = { g_string_new (NULL), property, NULL, NULL,
                             g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, &parse, NULL);
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (calsync_radicale_request (self, method, path, "application/xml; charset=utf-8", body, depth,
                                              &answer, NULL), ==, 207);
  g_markup_parse_context_parse (context, answer, -1, &error);
  g_assert_no_error (error);
  g_string_free (parse.text, TRUE);
  g_free (parse.href);
  g_free (parse.value);
  return parse.found;
}

GHashTable *
calsync_radicale_list_resources (CalsyncRadicale *self,
                                 const char      *collection)
{
  static const char body[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"/></C:comp-filter></C:filter>"
    "</C:calendar-query>";

  return multistatus (self, "REPORT", collection, body, "calendar-data");
}

GHashTable *
calsync_radicale_list_etags (CalsyncRadicale *self,
                             const char      *collection)
{
  static const char body[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/></D:prop></D:propfind>";

  return multistatus (self, "PROPFIND", collection, body, "getetag");
}
