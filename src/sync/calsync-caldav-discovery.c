/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-discovery.c: from the address the person typed to the
 * calendars (RFC 6764, RFC 4791 §6, RFC 5397): the address itself when it has
 * a path, then /.well-known/caldav, asked for current-user-principal and
 * calendar-home-set; the home's calendars by a Depth 1 PROPFIND (those that
 * take VEVENTs), with their name, colour and whether this account may write.
 * An address that is itself a principal, a home or a calendar works too. */
#define G_LOG_DOMAIN "calsync-caldav"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-caldav-private.h"

/* Principals and homes followed before giving up */
#define MAX_HOPS 4

static const char probe_body[] =
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
  "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"" CALDAV_NS_CALDAV "\" xmlns:CS=\"" CALDAV_NS_CS "\" "
  "xmlns:A=\"" CALDAV_NS_APPLE "\">"
  "<D:prop><D:resourcetype/><D:current-user-principal/><C:calendar-home-set/>"
  "<D:displayname/><A:calendar-color/><C:supported-calendar-component-set/>"
  "<D:current-user-privilege-set/></D:prop></D:propfind>";

/* No sync-token or ctag here: a server may hash every resource for them, and
 * a full round asks the collection itself right before its query */
static const char home_body[] =
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
  "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"" CALDAV_NS_CALDAV "\" xmlns:CS=\"" CALDAV_NS_CS "\" "
  "xmlns:A=\"" CALDAV_NS_APPLE "\">"
  "<D:prop><D:resourcetype/><D:displayname/><A:calendar-color/>"
  "<C:supported-calendar-component-set/><D:current-user-privilege-set/>"
  "</D:prop></D:propfind>";

typedef struct
{
  GQueue candidates;          /* URLs still to probe */
  char *probing;              /* the URL being probed */
  GHashTable *seen;           /* URLs probed or listed */
  guint hops;
  GError *last_error;
} DiscoverData;

static void
discover_data_free (DiscoverData *data)
{
  g_queue_clear_full (&data->candidates, g_free);
  g_free (data->probing);
  g_hash_table_unref (data->seen);
  g_clear_error (&data->last_error);
  g_free (data);
}

static GError *
nothing_found_error (void)
{
  return g_error_new_literal (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                              _("No CalDAV calendars were found at this address. Check the server address."));
}

static gboolean
same_origin (const char *a,
             const char *b)
{
  g_autoptr(GUri) ua = a != NULL ? g_uri_parse (a, G_URI_FLAGS_ENCODED, NULL) : NULL;
  g_autoptr(GUri) ub = b != NULL ? g_uri_parse (b, G_URI_FLAGS_ENCODED, NULL) : NULL;

  if (ua == NULL || ub == NULL)
    return TRUE;

  return g_ascii_strcasecmp (g_uri_get_scheme (ua), g_uri_get_scheme (ub)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (ua), g_uri_get_host (ub)) == 0 &&
         g_uri_get_port (ua) == g_uri_get_port (ub);
}

/* The other origin an answer came from, or redirected to (a redirect with a
 * body is not followed there), or NULL */
static char *
other_origin (CalsyncHttpResponse *response,
              const char          *probing)
{
  const char *location = calsync_http_response_get_header (response, "Location");
  g_autofree char *target = NULL;

  if (response->uri != NULL && !same_origin (response->uri, probing))
    return g_strdup (response->uri);

  if (location == NULL || response->status < 300 || response->status >= 400)
    return NULL;

  target = g_uri_resolve_relative (response->uri != NULL ? response->uri : probing, location,
                                   G_URI_FLAGS_ENCODED, NULL);
  return target != NULL && !same_origin (target, probing) ? g_steal_pointer (&target) : NULL;
}

/* The server sent us to another one: the password is not sent there by a
 * redirect (DESIGN.md); the person can type that address */
static GError *
elsewhere_error (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *origin = uri != NULL ? g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                                                      g_uri_get_host (uri), g_uri_get_port (uri), "/", NULL, NULL)
                                        : g_strdup (url);

  return g_error_new (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                      _("This server sends calendars to %s. Enter that address as the server."), origin);
}

/* Errors that end the discovery: another address would not do better */
static gboolean
is_final_error (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         error->domain == CALSYNC_CREDENTIALS_ERROR ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_OFFLINE) ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_TIMEOUT) ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE) ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_RATE_LIMITED) ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_SERVER);
}

static char *
last_segment (const char *url)
{
  g_autofree char *copy = g_strdup (url);
  g_autofree char *unescaped = NULL;
  char *slash;

  while (*copy != '\0' && copy[strlen (copy) - 1] == '/')
    copy[strlen (copy) - 1] = '\0';
  slash = strrchr (copy, '/');
  unescaped = g_uri_unescape_string (slash != NULL ? slash + 1 : copy, NULL);

  return g_strdup (unescaped != NULL ? unescaped : (slash != NULL ? slash + 1 : copy));
}

static CalsyncCalendar *
calendar_from_entry (CaldavEntry *entry)
{
  CalsyncCalendar *calendar = calsync_calendar_new ();
  g_autofree char *color = caldav_normalize_color (entry->color);
  g_autofree char *fallback = NULL;

  calsync_calendar_set_remote_id (calendar, entry->href);
  /* The name exactly as the server gives it; a collection without one is
   * called by the last part of its address */
  if (entry->displayname != NULL)
    calsync_calendar_set_name (calendar, entry->displayname);
  else
    calsync_calendar_set_name (calendar, (fallback = last_segment (entry->href)));
  if (color != NULL)
    calsync_calendar_set_color (calendar, color);
  calsync_calendar_set_read_only (calendar, entry->has_privileges && !entry->can_write);
  calsync_calendar_set_is_active (calendar, TRUE);

  return calendar;
}

static gboolean
takes_events (CaldavEntry *entry)
{
  /* No component set means every component (RFC 4791 §5.2.3) */
  return entry->is_calendar && (!entry->has_comp_set || entry->supports_vevent);
}

static void probe_next (GTask *task);

static void
on_home_listed (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (object);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CaldavMultistatus) multistatus = NULL;
  g_autoptr(GPtrArray) calendars = NULL;
  GError *error = NULL;
  const char *bytes;
  gsize size = 0;

  if (!(response = caldav_request_finish (self, result, NULL, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  bytes = g_bytes_get_data (response->body, &size);
  if (!(multistatus = caldav_parse_multistatus (bytes, size, response->uri, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  calendars = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < multistatus->entries->len; i++)
    {
      CaldavEntry *entry = g_ptr_array_index (multistatus->entries, i);

      if (caldav_same_collection (entry->href, response->uri) || !takes_events (entry))
        continue;
      /* A calendar on another origin than its home is not followed with the password */
      if (!calsync_http_check_url (entry->href, calsync_caldav_provider_get_allow_insecure (self), NULL))
        continue;
      g_ptr_array_add (calendars, calendar_from_entry (entry));
    }

  g_debug ("Found %u calendars in %s", calendars->len, response->uri);
  g_task_return_pointer (task, g_steal_pointer (&calendars), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_home (GTask      *task,
           const char *home)
{
  CalsyncCaldavProvider *self = g_task_get_source_object (task);

  caldav_request_async (self, "PROPFIND", home, "1", home_body,
                        g_task_get_cancellable (task), on_home_listed, task);
}

static void
return_one_calendar (GTask       *task,
                     CaldavEntry *entry)
{
  GPtrArray *calendars = g_ptr_array_new_with_free_func (g_object_unref);

  if (takes_events (entry))
    g_ptr_array_add (calendars, calendar_from_entry (entry));
  g_task_return_pointer (task, calendars, (GDestroyNotify) g_ptr_array_unref);
}

/* The next address to probe is @url (a principal or home the server named) */
static gboolean
follow (GTask      *task,
        const char *url)
{
  DiscoverData *data = g_task_get_task_data (task);

  if (url == NULL || g_hash_table_contains (data->seen, url) || ++data->hops > MAX_HOPS)
    return FALSE;

  g_queue_push_head (&data->candidates, g_strdup (url));
  return TRUE;
}

/* What the probed address is, from its own properties */
static void
read_probe (GTask             *task,
            CaldavMultistatus *multistatus,
            const char        *answered)
{
  DiscoverData *data = g_task_get_task_data (task);
  CaldavEntry *entry = NULL;

  for (guint i = 0; i < multistatus->entries->len && entry == NULL; i++)
    {
      CaldavEntry *candidate = g_ptr_array_index (multistatus->entries, i);

      if (caldav_same_collection (candidate->href, answered) ||
          caldav_same_collection (candidate->href, data->probing))
        entry = candidate;
    }
  if (entry == NULL && multistatus->entries->len > 0)
    entry = g_ptr_array_index (multistatus->entries, 0);

  if (entry == NULL)
    probe_next (task);
  else if (entry->is_calendar)
    return_one_calendar (task, entry);              /* the address of one calendar */
  else if (entry->home_set != NULL)
    list_home (g_object_ref (task), entry->home_set);
  else if (follow (task, entry->principal))
    probe_next (task);
  else if (entry->is_collection && entry->principal == NULL)
    list_home (g_object_ref (task), entry->href);     /* a collection of calendars, maybe */
  else
    probe_next (task);
}

static void
on_probed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (object);
  DiscoverData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CalsyncHttpResponse) error_response = NULL;
  g_autoptr(CaldavMultistatus) multistatus = NULL;
  GError *error = NULL;
  const char *bytes;
  gsize size = 0;

  response = caldav_request_finish (self, result, &error_response, &error);
  if (response != NULL)
    {
      bytes = g_bytes_get_data (response->body, &size);
      multistatus = caldav_parse_multistatus (bytes, size, response->uri, &error);
    }

  if (multistatus == NULL)
    {
      g_autofree char *elsewhere = error_response != NULL ? other_origin (error_response, data->probing) : NULL;

      g_debug ("Probing %s: %s", data->probing, error->message);
      if (elsewhere != NULL)
        {
          /* Redirected to another server, where the password is not sent */
          g_clear_error (&error);
          error = elsewhere_error (elsewhere);
        }
      else if (is_final_error (error))
        {
          g_task_return_error (task, error);
          return;
        }
      /* Where the server sent us says more than a 404 of another address */
      if (data->last_error == NULL || data->last_error->domain != CALSYNC_SYNC_ERROR)
        {
          g_clear_error (&data->last_error);
          data->last_error = g_steal_pointer (&error);
        }
      g_clear_error (&error);
      probe_next (task);
      return;
    }

  read_probe (task, multistatus, response->uri);
}

static void
probe_next (GTask *task)
{
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  DiscoverData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->probing, g_free);
  while ((data->probing = g_queue_pop_head (&data->candidates)) != NULL &&
         g_hash_table_contains (data->seen, data->probing))
    g_clear_pointer (&data->probing, g_free);

  if (data->probing == NULL)
    {
      if (g_error_matches (data->last_error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED))
        g_task_return_error (task, g_steal_pointer (&data->last_error));
      else
        g_task_return_error (task, nothing_found_error ());
      return;
    }

  g_hash_table_add (data->seen, g_strdup (data->probing));
  caldav_request_async (self, "PROPFIND", data->probing, "0", probe_body,
                        g_task_get_cancellable (task), on_probed, g_object_ref (task));
}

/* The typed address first when it has a path (it may be a principal, a home or
 * a calendar), then the well-known address of its server (RFC 6764 §5), then
 * the server's root */
static gboolean
queue_candidates (DiscoverData  *data,
                  const char    *typed,
                  GError       **error)
{
  g_autoptr(GUri) uri = g_uri_parse (typed, G_URI_FLAGS_ENCODED, NULL);
  const char *path;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      g_set_error_literal (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_FAILED,
                           _("This is not a valid web address."));
      return FALSE;
    }

  path = g_uri_get_path (uri);
  if (path != NULL && *path != '\0' && g_strcmp0 (path, "/") != 0)
    g_queue_push_tail (&data->candidates, g_strdup (typed));

  g_queue_push_tail (&data->candidates, g_uri_resolve_relative (typed, "/.well-known/caldav", G_URI_FLAGS_ENCODED, NULL));
  g_queue_push_tail (&data->candidates, g_uri_resolve_relative (typed, "/", G_URI_FLAGS_ENCODED, NULL));
  return TRUE;
}

void
caldav_discover_async (CalsyncCaldavProvider *self,
                       GCancellable          *cancellable,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  const char *typed = calsync_caldav_provider_get_server_url (self);
  DiscoverData *data = g_new0 (DiscoverData, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, caldav_discover_async);
  g_queue_init (&data->candidates);
  data->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) discover_data_free);

  /* Refused before any connection: plain http off this computer, unless allowed */
  if (!calsync_http_check_url (typed, calsync_caldav_provider_get_allow_insecure (self), &error) ||
      !queue_candidates (data, typed, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  probe_next (task);
}

GPtrArray *
caldav_discover_finish (CalsyncCaldavProvider  *self,
                        GAsyncResult           *result,
                        GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
