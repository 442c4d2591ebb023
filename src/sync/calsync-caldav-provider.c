/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-provider.c: CalDAV pulls. A full round reads the collection's
 * sync-token first, then one calendar-query over the window (etags and data),
 * handed out in pages of resources; later rounds ask sync-collection (RFC 6578)
 * what changed and fetch it with calendar-multiget in batches; a server
 * without sync-collection is asked for its ctag, then for its etags. Every
 * resource's iCalendar is read in a worker thread, its instances replaced
 * together. */
#define G_LOG_DOMAIN "calsync-caldav"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-caldav-private.h"
#include "calsync-caldav-write.h"
#include "calsync-ical.h"

#define CTAG_PREFIX         "ctag:"

typedef struct
{
  guint serial;
  GPtrArray *entries;       /* CaldavEntry with data, handed out from @next (full rounds) */
  GPtrArray *hrefs;         /* to fetch with calendar-multiget (incremental rounds) */
  GPtrArray *removed;       /* hrefs gone, sent with the first page */
  guint next;
  guint batch;
  char *next_cursor;
  gboolean full_snapshot;
  gboolean more_changes;    /* a truncated sync-collection: ask again from next_cursor */
} Round;

struct _CalsyncCaldavProvider
{
  GObject parent_instance;

  /* Owned references */
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
  char *server_url;
  char *calendars_url;
  GHashTable *rounds;       /* calendar URL → Round */

  gboolean allow_insecure;
  guint serial;
};

static void calsync_caldav_provider_iface_init (CalsyncProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CalsyncCaldavProvider, calsync_caldav_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CALSYNC_TYPE_PROVIDER,
                                                      calsync_caldav_provider_iface_init))

static void
round_free (Round *round)
{
  g_clear_pointer (&round->entries, g_ptr_array_unref);
  g_clear_pointer (&round->hrefs, g_ptr_array_unref);
  g_clear_pointer (&round->removed, g_ptr_array_unref);
  g_free (round->next_cursor);
  g_free (round);
}

static void
calsync_caldav_provider_finalize (GObject *object)
{
  CalsyncCaldavProvider *self = (CalsyncCaldavProvider *) object;

  g_clear_object (&self->http);
  g_clear_object (&self->credentials);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->calendars_url, g_free);
  g_clear_pointer (&self->rounds, g_hash_table_unref);

  G_OBJECT_CLASS (calsync_caldav_provider_parent_class)->finalize (object);
}

static void
calsync_caldav_provider_class_init (CalsyncCaldavProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_caldav_provider_finalize;
}

static void
calsync_caldav_provider_init (CalsyncCaldavProvider *self)
{
  self->rounds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) round_free);
}

CalsyncCaldavProvider *
calsync_caldav_provider_new (CalsyncHttp        *http,
                             CalsyncCredentials *credentials,
                             const char         *server_url,
                             gboolean            allow_insecure)
{
  CalsyncCaldavProvider *self;

  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (CALSYNC_IS_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (server_url != NULL, NULL);

  self = g_object_new (CALSYNC_TYPE_CALDAV_PROVIDER, NULL);
  self->http = g_object_ref (http);
  self->credentials = g_object_ref (credentials);
  self->server_url = g_strstrip (g_strdup (server_url));
  self->allow_insecure = allow_insecure;

  return self;
}

const char *
calsync_caldav_provider_get_server_url (CalsyncCaldavProvider *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALDAV_PROVIDER (self), NULL);

  return self->server_url;
}

gboolean
calsync_caldav_provider_get_allow_insecure (CalsyncCaldavProvider *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALDAV_PROVIDER (self), FALSE);

  return self->allow_insecure;
}

const char *
calsync_caldav_provider_get_calendars_url (CalsyncCaldavProvider *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALDAV_PROVIDER (self), NULL);

  return self->calendars_url;
}

void
caldav_provider_set_calendars_url (CalsyncCaldavProvider *self,
                                   const char            *url)
{
  g_free (self->calendars_url);
  self->calendars_url = g_strdup (url);
}

CalsyncHttp *
calsync_caldav_provider_get_http (CalsyncCaldavProvider *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALDAV_PROVIDER (self), NULL);

  return self->http;
}

CalsyncCredentials *
calsync_caldav_provider_get_credentials (CalsyncCaldavProvider *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALDAV_PROVIDER (self), NULL);

  return self->credentials;
}

/* Requests ------------------------------------------------------------------------ */

static void
on_request_sent (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncHttpResponse **error_response = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  CalsyncHttpResponse *response;

  response = calsync_credentials_send_finish (CALSYNC_CREDENTIALS (object), result, error_response, &error);
  if (response == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, response, (GDestroyNotify) calsync_http_response_free);
}

static void
free_error_response (CalsyncHttpResponse **slot)
{
  g_clear_pointer (slot, calsync_http_response_free);
  g_free (slot);
}

void
caldav_request_async (CalsyncCaldavProvider *self,
                      const char            *method,
                      const char            *url,
                      const char            *depth,
                      const char            *body,
                      GCancellable          *cancellable,
                      GAsyncReadyCallback    callback,
                      gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(CalsyncHttpRequest) request = calsync_http_request_new (method, url);

  g_task_set_source_tag (task, caldav_request_async);
  g_task_set_task_data (task, g_new0 (CalsyncHttpResponse *, 1), (GDestroyNotify) free_error_response);

  calsync_http_request_set_allow_insecure (request, self->allow_insecure);
  calsync_http_request_set_expect (request, CALSYNC_HTTP_BODY_XML);
  if (depth != NULL)
    calsync_http_request_add_header (request, "Depth", depth);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      calsync_http_request_set_body (request, "application/xml; charset=utf-8", bytes);
    }

  calsync_credentials_send_async (self->credentials, self->http, request, cancellable,
                                  on_request_sent, g_steal_pointer (&task));
}

CalsyncHttpResponse *
caldav_request_finish (CalsyncCaldavProvider  *self,
                       GAsyncResult           *result,
                       CalsyncHttpResponse   **error_response,
                       GError                **error)
{
  CalsyncHttpResponse **slot;
  CalsyncHttpResponse *response;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  response = g_task_propagate_pointer (G_TASK (result), error);
  slot = g_task_get_task_data (G_TASK (result));
  if (error_response != NULL)
    *error_response = response == NULL ? g_steal_pointer (slot) : NULL;

  return response;
}

static const char *
response_base (CalsyncHttpResponse *response,
               const char          *fallback)
{
  return response->uri != NULL ? response->uri : fallback;
}

/* Errors ---------------------------------------------------------------------------- */

static char *
caldav_error_text (CalsyncProvider *provider,
                   const GError    *error)
{
  if (g_error_matches (error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED))
    return g_strdup (_("The server refused the user name or password. Reconnect the account in Preferences."));

  if (error->domain != CALSYNC_HTTP_ERROR)
    return NULL;

  switch (error->code)
    {
    case CALSYNC_HTTP_ERROR_RATE_LIMITED:
      return g_strdup (_("The CalDAV server is limiting requests right now. Try again in a few minutes."));
    case CALSYNC_HTTP_ERROR_SERVER:
    case CALSYNC_HTTP_ERROR_TIMEOUT:
      return g_strdup (_("The CalDAV server is not responding right now. Try again later."));
    case CALSYNC_HTTP_ERROR_MALFORMED:
    case CALSYNC_HTTP_ERROR_TOO_LARGE:
      return g_strdup (_("The CalDAV server sent an answer CalSync could not read. Your events were left as they were."));
    case CALSYNC_HTTP_ERROR_AUTH:
      return g_strdup (_("The server refused the user name or password. Reconnect the account in Preferences."));
    case CALSYNC_HTTP_ERROR_FORBIDDEN:
      return g_strdup (_("The CalDAV server refused access to this calendar."));
    case CALSYNC_HTTP_ERROR_NOT_FOUND:
    case CALSYNC_HTTP_ERROR_GONE:
      return g_strdup (_("This calendar no longer exists on the CalDAV server."));
    case CALSYNC_HTTP_ERROR_INSECURE:
      return g_strdup (_("The server address is not secure. Use an https:// address, or allow plain http for "
                         "this account (--allow-insecure, or the switch in the CalDAV dialog)."));
    case CALSYNC_HTTP_ERROR_OFFLINE:
      return NULL;
    default:
      return g_strdup (_("The CalDAV server refused the request. Try again later."));
    }
}

/* Calendars ------------------------------------------------------------------------- */

static void
on_discovered (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GPtrArray *calendars;

  calendars = caldav_discover_finish (CALSYNC_CALDAV_PROVIDER (object), result, &error);
  if (calendars == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, calendars, (GDestroyNotify) g_ptr_array_unref);
}

static void
calsync_caldav_provider_list_calendars_async (CalsyncProvider     *provider,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, calsync_caldav_provider_list_calendars_async);
  caldav_discover_async (self, cancellable, on_discovered, g_steal_pointer (&task));
}

static GPtrArray *
calsync_caldav_provider_list_calendars_finish (CalsyncProvider  *provider,
                                               GAsyncResult     *result,
                                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Fetching ------------------------------------------------------------------------------ */

typedef struct
{
  CalsyncCalendar *calendar;
  CalsyncFetchRequest request;   /* strings owned below */
  char *cursor;
  char *page_token;
  GHashTable *known_etags;
  char *new_cursor;              /* full and ctag rounds: from the collection's properties */
  gboolean ctag_asked;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->calendar);
  g_free (data->cursor);
  g_free (data->page_token);
  g_clear_pointer (&data->known_etags, g_hash_table_unref);
  g_free (data->new_cursor);
  g_free (data);
}

static const char *
calendar_url (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  return calsync_calendar_get_remote_id (data->calendar);
}

static char *
page_token_for (Round *round)
{
  return g_strdup_printf ("%u:%u", round->serial, round->next);
}

/* Hands out @round's next page, or its end */
static void
finish_page (GTask       *task,
             CalsyncPage *page,
             Round       *round)
{
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  gboolean more = round != NULL &&
                  ((round->entries != NULL && round->next < round->entries->len) ||
                   (round->hrefs != NULL && round->next < round->hrefs->len) ||
                   round->more_changes);

  if (round != NULL && more)
    page->next_page_token = page_token_for (round);
  else
    {
      if (round != NULL)
        page->next_cursor = g_strdup (round->next_cursor);
      g_hash_table_remove (self->rounds, calendar_url (task));
    }

  g_task_return_pointer (task, page, (GDestroyNotify) calsync_page_free);
}

static Round *
round_new (CalsyncCaldavProvider *self,
           const char            *url)
{
  Round *round = g_new0 (Round, 1);

  round->serial = ++self->serial;
  g_hash_table_replace (self->rounds, g_strdup (url), round);
  return round;
}

/* The build that @result ran, or NULL once its error went to @task */
static CaldavBuild *
build_finish (GTask        *task,
              GAsyncResult *result)
{
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return NULL;
    }

  return g_task_get_task_data (G_TASK (result));
}

static void
on_events_built (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  CaldavBuild *build = build_finish (task, result);
  Round *round;

  if (build == NULL)
    return;

  round = g_hash_table_lookup (self->rounds, calendar_url (task));
  if (round == NULL)
    {
      /* The first page of a full round: the rest of the answer waits here */
      round = round_new (self, calendar_url (task));
      round->entries = g_steal_pointer (&build->leftover);
      round->next_cursor = g_strdup (build->cursor);
      round->full_snapshot = build->full_snapshot;
    }
  else if (round->hrefs != NULL)
    {
      round->next = MIN (round->next + round->batch, round->hrefs->len);
    }

  finish_page (task, g_steal_pointer (&build->page), round);
}

/* The answer to @task's request, or NULL once its error went to @task */
static CalsyncHttpResponse *
answer_finish (GTask        *task,
               GAsyncResult *result)
{
  GError *error = NULL;
  CalsyncHttpResponse *response;

  response = caldav_request_finish (g_task_get_source_object (task), result, NULL, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  return response;
}

/* A build of @kind over the body of @response, for @task's calendar */
static CaldavBuild *
build_for_answer (GTask               *task,
                  CaldavBuildKind            kind,
                  CalsyncHttpResponse *response)
{
  FetchData *data = g_task_get_task_data (task);
  CaldavBuild *build = caldav_build_new (kind, data->calendar, &data->request);

  build->body = g_steal_pointer (&response->body);
  build->base_uri = g_strdup (response_base (response, calendar_url (task)));
  return build;
}

static void
run_build (GTask               *task,
           CaldavBuild               *build,
           GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) inner = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task),
                                       callback, g_object_ref (task));

  g_task_set_source_tag (inner, run_build);
  g_task_set_task_data (inner, build, (GDestroyNotify) caldav_build_free);
  g_task_run_in_thread (inner, caldav_build_thread);
}

/* Full rounds: the next resources of the answer already read */
static void
continue_full_round (GTask *task,
                     Round *round)
{
  FetchData *data = g_task_get_task_data (task);
  CaldavBuild *build = caldav_build_new (CALDAV_BUILD_EVENTS, data->calendar, &data->request);
  guint end;

  /* Taken here, handed to the thread: the round keeps what is left */
  build->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) caldav_entry_free);
  end = MIN (round->entries->len, round->next + MAX (CALDAV_PAGE_RESOURCES, round->entries->len / CALDAV_MAX_ROUND_PAGES + 1));
  for (guint i = round->next; i < end; i++)
    g_ptr_array_add (build->entries, g_steal_pointer (&g_ptr_array_index (round->entries, i)));
  round->next = end;
  build->full_snapshot = round->full_snapshot;

  run_build (task, build, on_events_built);
}

static void
on_calendar_query (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (object);
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  CaldavBuild *build;

  if (!(response = answer_finish (task, result)))
    return;

  g_hash_table_remove (self->rounds, calendar_url (task));
  build = build_for_answer (task, CALDAV_BUILD_EVENTS, response);
  build->full_snapshot = TRUE;
  build->cursor = g_strdup (data->new_cursor);
  run_build (task, build, on_events_built);
}

/* The cursor the next round starts from: the sync-token when the collection
 * supports sync-collection, else its ctag */
static char *
cursor_from_props (CaldavEntry *entry)
{
  gboolean supports_sync = entry->supports_sync || (!entry->has_report_set && entry->sync_token != NULL);

  if (supports_sync && entry->sync_token != NULL && !g_str_has_prefix (entry->sync_token, CTAG_PREFIX))
    return g_strdup (entry->sync_token);
  if (entry->ctag != NULL)
    return g_strconcat (CTAG_PREFIX, entry->ctag, NULL);

  return NULL;
}

static CaldavEntry *
find_entry (CaldavMultistatus *multistatus,
            const char        *url)
{
  for (guint i = 0; i < multistatus->entries->len; i++)
    if (caldav_same_collection (((CaldavEntry *) g_ptr_array_index (multistatus->entries, i))->href, url))
      return g_ptr_array_index (multistatus->entries, i);

  return multistatus->entries->len == 1 ? g_ptr_array_index (multistatus->entries, 0) : NULL;
}

static void start_etag_listing (GTask *task);
static void continue_after_props (GTask *task);

static void
on_collection_props (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (object);
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CaldavMultistatus) multistatus = NULL;
  GError *error = NULL;
  CaldavEntry *entry;
  gsize size = 0;
  const char *bytes;

  if (!(response = caldav_request_finish (self, result, NULL, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  bytes = g_bytes_get_data (response->body, &size);
  multistatus = caldav_parse_multistatus (bytes, size, response_base (response, calendar_url (task)), &error);
  if (multistatus == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  entry = find_entry (multistatus, calendar_url (task));
  g_clear_pointer (&data->new_cursor, g_free);
  data->new_cursor = entry != NULL ? cursor_from_props (entry) : NULL;
  continue_after_props (g_steal_pointer (&task));
}

/* With the collection's cursor known: the query of a full round, nothing (the
 * ctag did not change), or the etags of a ctag round. Consumes @task. */
static void
continue_after_props (GTask *task)
{
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  FetchData *data = g_task_get_task_data (task);
  g_autofree char *body = NULL;

  if (!data->ctag_asked && (data->new_cursor == NULL || g_str_has_prefix (data->new_cursor, CTAG_PREFIX)))
    {
      /* No sync-collection here: the ctag is what the next round compares */
      GCancellable *cancellable = g_task_get_cancellable (task);
      const char *url = calendar_url (task);

      data->ctag_asked = TRUE;
      caldav_request_async (self, "PROPFIND", url, "0", caldav_collection_props_body, cancellable,
                            on_collection_props, g_object_ref (task));
    }
  else if (data->cursor == NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);
      const char *url = calendar_url (task);

      body = caldav_calendar_query_body (data->request.time_min, data->request.time_max, TRUE);
      caldav_request_async (self, "REPORT", url, "1", body, cancellable, on_calendar_query,
                            g_object_ref (task));
    }
  else if (g_strcmp0 (data->new_cursor, data->cursor) == 0)
    {
      /* The ctag did not change: nothing to do */
      CalsyncPage *page = calsync_page_new ();

      page->next_cursor = g_strdup (data->cursor);
      g_task_return_pointer (task, page, (GDestroyNotify) calsync_page_free);
    }
  else if (data->known_etags == NULL || data->new_cursor == NULL)
    g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED,
                             _("The CalDAV server asked for a full sync of this calendar."));
  else
    {
      start_etag_listing (task);
      return;
    }

  g_object_unref (task);
}

/* Incremental rounds: hrefs to fetch in batches ------------------------------------------ */

static void
on_multiget (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (object);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  CaldavBuild *build;
  Round *round;

  if (!(response = answer_finish (task, result)))
    return;

  round = g_hash_table_lookup (self->rounds, calendar_url (task));
  build = build_for_answer (task, CALDAV_BUILD_EVENTS, response);
  if (round != NULL && round->removed != NULL)
    {
      g_ptr_array_unref (build->removed);
      build->removed = g_steal_pointer (&round->removed);
    }
  run_build (task, build, on_events_built);
}

static void start_sync_collection (GTask *task, const char *token);

/* Consumes @task */
static void
fetch_batch (GTask *task,
             Round *round)
{
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  g_autofree char *body = NULL;
  guint end;

  if (round->next >= round->hrefs->len)
    {
      CalsyncPage *page;

      if (round->more_changes)
        {
          /* A truncated sync-collection: ask again from where it stopped */
          g_autofree char *token = g_strdup (round->next_cursor);

          g_hash_table_remove (self->rounds, calendar_url (task));
          start_sync_collection (task, token);
          return;
        }

      page = calsync_page_new ();
      for (guint i = 0; round->removed != NULL && i < round->removed->len; i++)
        g_ptr_array_add (page->removed_resources, g_strdup (g_ptr_array_index (round->removed, i)));
      finish_page (task, page, round);
      g_object_unref (task);
      return;
    }

  end = MIN (round->hrefs->len, round->next + round->batch);
  body = caldav_multiget_body (round->hrefs, round->next, end);
  caldav_request_async (self, "REPORT", calendar_url (task), "1", body,
                        g_task_get_cancellable (task), on_multiget, task);
}

static void
on_changes_built (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  CaldavBuild *build = build_finish (task, result);
  Round *round;

  if (build == NULL)
    return;

  round = round_new (self, calendar_url (task));
  round->hrefs = g_steal_pointer (&build->to_fetch);
  round->removed = g_steal_pointer (&build->removed);
  round->next_cursor = g_steal_pointer (&build->cursor);
  round->more_changes = build->truncated;
  round->batch = MAX (CALDAV_PAGE_RESOURCES, round->hrefs->len / CALDAV_MAX_ROUND_PAGES + 1);
  g_debug ("Calendar %s: %u changed, %u removed", calendar_url (task), round->hrefs->len, round->removed->len);

  fetch_batch (g_steal_pointer (&task), round);
}

static gboolean
is_expired_token (CalsyncHttpResponse *error_response,
                  const char          *base)
{
  g_autoptr(CaldavMultistatus) body = NULL;
  gsize size = 0;
  const char *data;

  if (error_response == NULL || error_response->body == NULL ||
      !(error_response->status == 403 || error_response->status == 409 || error_response->status == 400))
    return FALSE;

  data = g_bytes_get_data (error_response->body, &size);
  body = caldav_parse_multistatus (data, size, base, NULL);
  return body != NULL && body->valid_sync_token;
}

static void
on_sync_collection (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (object);
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CalsyncHttpResponse) error_response = NULL;
  g_autoptr(GError) error = NULL;
  CaldavBuild *build;

  if (!(response = caldav_request_finish (self, result, &error_response, &error)))
    {
      if (is_expired_token (error_response, calendar_url (task)))
        g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED,
                                 _("The CalDAV server asked for a full sync of this calendar."));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  build = build_for_answer (task, CALDAV_BUILD_CHANGES, response);
  build->known_etags = caldav_copy_known_etags (data->known_etags);
  run_build (task, build, on_changes_built);
}

static void
start_sync_collection (GTask      *task,
                       const char *token)
{
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  g_autofree char *body = caldav_sync_collection_body (token);

  caldav_request_async (self, "REPORT", calendar_url (task), NULL, body,
                        g_task_get_cancellable (task), on_sync_collection, task);
}

/* ctag rounds: the etags of the window against the stored ones */
static void
on_etag_listing (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  CaldavBuild *build;

  if (!(response = answer_finish (task, result)))
    return;

  build = build_for_answer (task, CALDAV_BUILD_CHANGES, response);
  build->known_etags = caldav_copy_known_etags (data->known_etags);
  build->etag_listing = TRUE;
  build->cursor = g_strdup (data->new_cursor);
  run_build (task, build, on_changes_built);
}

static void
start_etag_listing (GTask *task)
{
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  FetchData *data = g_task_get_task_data (task);
  g_autofree char *body = caldav_calendar_query_body (data->request.time_min, data->request.time_max, FALSE);

  caldav_request_async (self, "REPORT", calendar_url (task), "1", body,
                        g_task_get_cancellable (task), on_etag_listing, task);
}

/* A page of a round under way */
static void
continue_round (GTask *task)
{
  CalsyncCaldavProvider *self = g_task_get_source_object (task);
  FetchData *data = g_task_get_task_data (task);
  Round *round = g_hash_table_lookup (self->rounds, calendar_url (task));
  g_autofree char *expected = round != NULL ? page_token_for (round) : NULL;

  if (round == NULL || g_strcmp0 (expected, data->page_token) != 0)
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED,
                               _("The sync of this calendar has to start over."));
      g_object_unref (task);
      return;
    }

  if (round->entries != NULL)
    {
      continue_full_round (task, round);
      g_object_unref (task);
    }
  else
    fetch_batch (task, round);
}

static void
calsync_caldav_provider_fetch_page_async (CalsyncProvider           *provider,
                                          CalsyncCalendar           *calendar,
                                          const CalsyncFetchRequest *request,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data)
{
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (provider);
  const char *url = calsync_calendar_get_remote_id (calendar);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  FetchData *data = g_new0 (FetchData, 1);

  g_task_set_source_tag (task, calsync_caldav_provider_fetch_page_async);
  data->calendar = g_object_ref (calendar);
  data->cursor = g_strdup (request->cursor);
  data->page_token = g_strdup (request->page_token);
  data->known_etags = request->known_etags ? g_hash_table_ref (request->known_etags) : NULL;
  data->request = *request;
  data->request.cursor = data->cursor;
  data->request.page_token = data->page_token;
  data->request.known_etags = NULL;
  if (data->request.time_min == 0 && data->request.time_max == 0)
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      data->request.time_min = now - 92 * 24 * 3600;
      data->request.time_max = now + 366 * 24 * 3600;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  if (url == NULL || !g_str_has_prefix (url, "http"))
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                               _("This calendar is not linked to a CalDAV collection."));
      g_object_unref (task);
    }
  else if (data->page_token != NULL)
    continue_round (task);
  else if (data->cursor == NULL || g_str_has_prefix (data->cursor, CTAG_PREFIX))
    {
      /* The collection's sync-token (or ctag) first: what changes after it
       * is what the next round asks for, so nothing falls in between */
      data->ctag_asked = data->cursor != NULL;
      caldav_request_async (self, "PROPFIND", url, "0", data->ctag_asked ? caldav_collection_props_body : caldav_sync_props_body,
                            cancellable, on_collection_props, task);
    }
  else
    start_sync_collection (task, data->cursor);
}

static CalsyncPage *
calsync_caldav_provider_fetch_page_finish (CalsyncProvider  *provider,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writes ------------------------------------------------------------------------------ */

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CalsyncWriteResult *written = calsync_caldav_write_finish (result, &error);

  const char *calendar_url = g_task_get_task_data (task);

  if (written == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Resources are known by their absolute URL here (as the pages list them) */
  if (written->resource_id != NULL && !g_str_has_prefix (written->resource_id, "http"))
    {
      char *absolute = g_uri_resolve_relative (calendar_url, written->resource_id, G_URI_FLAGS_ENCODED, NULL);

      if (absolute != NULL)
        {
          g_free (written->resource_id);
          written->resource_id = absolute;
        }
    }

  g_task_return_pointer (task, written, (GDestroyNotify) calsync_write_result_free);
}

/* calsync-caldav-write.c does the work, with this account's session,
 * password and allow_insecure */
static void
calsync_caldav_provider_write_event_async (CalsyncProvider     *provider,
                                           CalsyncCalendar     *calendar,
                                           const CalsyncWrite  *write,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  CalsyncCaldavProvider *self = CALSYNC_CALDAV_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, calsync_caldav_provider_write_event_async);
  g_task_set_task_data (task, g_strdup (calsync_calendar_get_remote_id (calendar)), g_free);
  calsync_caldav_write_full_async (self->http, self->credentials, calsync_calendar_get_remote_id (calendar),
                                   self->allow_insecure, write, cancellable, on_written, g_steal_pointer (&task));
}

static CalsyncWriteResult *
calsync_caldav_provider_write_event_finish (CalsyncProvider  *provider,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
calsync_caldav_provider_iface_init (CalsyncProviderInterface *iface)
{
  iface->list_calendars_async = calsync_caldav_provider_list_calendars_async;
  iface->list_calendars_finish = calsync_caldav_provider_list_calendars_finish;
  iface->fetch_page_async = calsync_caldav_provider_fetch_page_async;
  iface->fetch_page_finish = calsync_caldav_provider_fetch_page_finish;
  iface->write_event_async = calsync_caldav_provider_write_event_async;
  iface->write_event_finish = calsync_caldav_provider_write_event_finish;
  iface->error_text = caldav_error_text;
}
