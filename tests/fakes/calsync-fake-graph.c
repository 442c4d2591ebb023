/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph.c: an in-process Microsoft Graph and Microsoft identity
 * platform on 127.0.0.1: the object, its data (the user, calendars, events as
 * versions) and the API tests use to change them. Requests are served in
 * calsync-fake-graph-serve.c (routes, authentication, throttling) and
 * -delta.c (calendarView delta); answers are rendered in -render.c; the
 * benchmark calendars come from -generate.c; sign-in is calsync-fake-msid.c. */
#define G_LOG_DOMAIN "calsync-fake-graph"

#include "config.h"

#include <string.h>

#include "calsync-fake-graph-private.h"

G_DEFINE_FINAL_TYPE (CalsyncFakeGraph, calsync_fake_graph, G_TYPE_OBJECT)

/* Data ---------------------------------------------------------------------- */

FakeVersion *
graph_fake_version_ref (FakeVersion *version)
{
  g_atomic_ref_count_inc (&version->ref_count);
  return version;
}

void
graph_fake_version_unref (FakeVersion *version)
{
  if (!g_atomic_ref_count_dec (&version->ref_count))
    return;

  json_object_unref (version->object);
  g_ref_string_release (version->json);
  g_free (version);
}

static void
fake_event_free (FakeEvent *event)
{
  g_free (event->id);
  g_clear_pointer (&event->version, graph_fake_version_unref);
  g_free (event);
}

static void
fake_calendar_free (FakeCalendar *calendar)
{
  g_free (calendar->id);
  g_free (calendar->name);
  g_free (calendar->hex_color);
  g_free (calendar->color);
  g_free (calendar->change_key);
  g_hash_table_unref (calendar->events);
  g_free (calendar);
}

void
graph_delta_state_free (DeltaState *state)
{
  g_free (state->calendar_id);
  g_free (state->link_path);
  g_free (state->window_query);
  g_free (state);
}

DeltaState *
graph_delta_state_copy (const DeltaState *state)
{
  DeltaState *copy = g_memdup2 (state, sizeof *state);

  copy->calendar_id = g_strdup (state->calendar_id);
  copy->link_path = g_strdup (state->link_path);
  copy->window_query = g_strdup (state->window_query);
  return copy;
}

Cursor *
graph_cursor_ref (Cursor *cursor)
{
  g_atomic_ref_count_inc (&cursor->ref_count);
  return cursor;
}

void
graph_cursor_unref (Cursor *cursor)
{
  if (!g_atomic_ref_count_dec (&cursor->ref_count))
    return;

  graph_delta_state_free (cursor->state);
  g_array_unref (cursor->items);
  g_free (cursor->delta_token);
  g_hash_table_unref (cursor->next_tokens);
  g_free (cursor);
}

void
graph_page_ref_free (PageRef *ref)
{
  graph_cursor_unref (ref->cursor);
  g_free (ref);
}

/* A changeKey as Exchange writes them (base64 of 22 bytes), new for each change */
static char *
new_change_key (guint64 seq)
{
  guint8 bytes[22] = { 0x10, 0, 0, 0, 0x16, 0, 0, 0 };

  for (guint i = 0; i < 8; i++)
    bytes[8 + i] = (seq >> (8 * i)) & 0xff;
  for (guint i = 16; i < sizeof bytes; i++)
    bytes[i] = g_random_int_range (0, 256);
  return g_base64_encode (bytes, sizeof bytes);
}

FakeCalendar *
calsync_fake_graph_find_calendar (CalsyncFakeGraph *self,
                                  const char       *calendar_id)
{
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);

  return calendar != NULL && !calendar->removed ? calendar : NULL;
}

FakeCalendar *
calsync_fake_graph_default_calendar (CalsyncFakeGraph *self)
{
  for (guint i = 0; i < self->calendar_list->len; i++)
    {
      FakeCalendar *calendar = g_ptr_array_index (self->calendar_list, i);

      if (calendar->is_default && !calendar->removed)
        return calendar;
    }
  return NULL;
}

FakeCalendar *
calsync_fake_graph_ensure_calendar (CalsyncFakeGraph *self,
                                    const char       *calendar_id)
{
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);

  if (calendar == NULL)
    {
      calendar = g_new0 (FakeCalendar, 1);
      calendar->id = g_strdup (calendar_id);
      calendar->name = g_strdup ("Calendar");
      calendar->hex_color = g_strdup ("");
      calendar->color = g_strdup ("auto");
      calendar->change_key = new_change_key (++self->seq);
      calendar->can_edit = TRUE;
      calendar->events = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) fake_event_free);
      g_hash_table_insert (self->calendars, calendar->id, calendar);
      g_ptr_array_add (self->calendar_list, calendar);
    }
  return calendar;
}

/* Events --------------------------------------------------------------------- */

/* lastModifiedDateTime strictly grows, at Graph's resolution (100 ns; the fake
 * steps whole microseconds) */
static gint64
next_modified (CalsyncFakeGraph *self)
{
  self->last_modified_us = MAX (g_get_real_time (), self->last_modified_us + 1);
  return self->last_modified_us;
}

/* Reads a dateTimeTimeZone ({dateTime, timeZone}); rewrites it in UTC (all-day:
 * the same date at midnight) and returns the instant; FALSE when unreadable */
static gboolean
normalize_when (JsonObject *object,
                const char *member,
                const char *original_member,
                gboolean    all_day,
                gint64     *usec)
{
  JsonObject *when = json_object_get_object_member (object, member);
  const char *text = when ? json_object_get_string_member_with_default (when, "dateTime", NULL) : NULL;
  const char *zone_name = when ? json_object_get_string_member_with_default (when, "timeZone", NULL) : NULL;
  g_autoptr(GTimeZone) zone = zone_name ? calsync_fake_graph_zone_new (zone_name) : NULL;
  g_autoptr(GDateTime) dt = zone && text ? g_date_time_new_from_iso8601 (text, zone) : NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *local = NULL;

  if (dt == NULL || (all_day && (g_date_time_get_hour (dt) || g_date_time_get_minute (dt) ||
                                 g_date_time_get_second (dt))))
    return FALSE;

  if (!json_object_has_member (object, original_member))
    json_object_set_string_member (object, original_member, zone_name);
  utc = all_day ? g_date_time_new_utc (g_date_time_get_year (dt), g_date_time_get_month (dt),
                                       g_date_time_get_day_of_month (dt), 0, 0, 0)
                : g_date_time_to_utc (dt);
  local = calsync_fake_graph_format_local (utc);
  json_object_set_string_member (when, "dateTime", local);
  json_object_set_string_member (when, "timeZone", "UTC");
  *usec = g_date_time_to_unix (utc) * G_USEC_PER_SEC;
  return TRUE;
}

static void
set_default_string (JsonObject *object,
                    const char *member,
                    const char *value)
{
  if (!json_object_has_member (object, member))
    json_object_set_string_member (object, member, value);
}

static void
set_default_boolean (JsonObject *object,
                     const char *member,
                     gboolean    value)
{
  if (!json_object_has_member (object, member))
    json_object_set_boolean_member (object, member, value);
}

/* The members the fake stamps when the test left them out */
static void
stamp_event (CalsyncFakeGraph *self,
             JsonObject       *object,
             FakeEvent        *previous)
{
  g_autofree char *modified = calsync_fake_graph_format_stamp (next_modified (self));
  g_autofree char *change_key = new_change_key (self->seq);
  const char *created = previous ? json_object_get_string_member_with_default (previous->version->object,
                                                                               "createdDateTime", NULL) : NULL;
  g_autofree char *etag = NULL;

  json_object_set_string_member (object, "@odata.type", "#microsoft.graph.event");
  set_default_string (object, "changeKey", change_key);
  etag = g_strdup_printf ("W/\"%s\"", json_object_get_string_member (object, "changeKey"));
  set_default_string (object, "@odata.etag", etag);
  set_default_string (object, "lastModifiedDateTime", modified);
  set_default_string (object, "createdDateTime", created ? created : modified);
  set_default_string (object, "type", "singleInstance");
  set_default_boolean (object, "isAllDay", FALSE);
  set_default_boolean (object, "isCancelled", FALSE);
}

static FakeVersion *
new_version (JsonObject *object)
{
  FakeVersion *version = g_new0 (FakeVersion, 1);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);

  g_atomic_ref_count_init (&version->ref_count);
  version->object = json_object_ref (object);
  version->json = g_ref_string_new (text);
  version->all_day = json_object_get_boolean_member_with_default (object, "isAllDay", FALSE);
  version->master = g_strcmp0 (json_object_get_string_member_with_default (object, "type", NULL),
                               "seriesMaster") == 0;
  return version;
}

gboolean
calsync_fake_graph_store_event (CalsyncFakeGraph *self,
                                FakeCalendar     *calendar,
                                JsonObject       *object)
{
  g_autoptr(JsonObject) owned G_GNUC_UNUSED = object;  /* freed on return */
  const char *id = json_object_get_string_member_with_default (object, "id", NULL);
  gboolean all_day = json_object_get_boolean_member_with_default (object, "isAllDay", FALSE);
  FakeEvent *event;
  gint64 start, end;

  if (id == NULL || !normalize_when (object, "start", "originalStartTimeZone", all_day, &start) ||
      !normalize_when (object, "end", "originalEndTimeZone", all_day, &end) || end < start ||
      (all_day && end == start))
    {
      g_critical ("Fake Graph event %s: no id, or no valid start/end {dateTime, timeZone}", id ? id : "?");
      return FALSE;
    }

  if ((event = g_hash_table_lookup (calendar->events, id)) == NULL)
    {
      event = g_new0 (FakeEvent, 1);
      event->id = g_strdup (id);
      g_hash_table_insert (calendar->events, event->id, event);
    }

  event->seq = ++self->seq;
  stamp_event (self, object, event->version ? event : NULL);
  g_clear_pointer (&event->version, graph_fake_version_unref);
  event->version = new_version (object);
  event->version->start_us = start;
  event->version->end_us = end;
  event->deleted = FALSE;
  return TRUE;
}

/* GObject --------------------------------------------------------------------- */

static void
calsync_fake_graph_dispose (GObject *object)
{
  CalsyncFakeGraph *self = (CalsyncFakeGraph *) object;

  calsync_fake_graph_stalled_clear (self);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      soup_server_remove_handler (self->server, FAKE_GRAPH_API_PREFIX);
    }
  g_clear_object (&self->msid);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (calsync_fake_graph_parent_class)->dispose (object);
}

static void
calsync_fake_graph_finalize (GObject *object)
{
  CalsyncFakeGraph *self = (CalsyncFakeGraph *) object;

  g_free (self->api_url);
  g_free (self->auth_url);
  g_free (self->token_url);
  g_free (self->mail);
  g_free (self->upn);
  g_free (self->user_id);
  g_hash_table_unref (self->skip_tokens);
  g_hash_table_unref (self->delta_tokens);
  g_hash_table_unref (self->expired_tokens);
  g_hash_table_unref (self->counts);
  g_hash_table_unref (self->calendars);
  g_ptr_array_unref (self->calendar_list);
  g_clear_pointer (&self->last_headers, soup_message_headers_unref);
  g_ptr_array_unref (self->stalled);

  G_OBJECT_CLASS (calsync_fake_graph_parent_class)->finalize (object);
}

static void
calsync_fake_graph_class_init (CalsyncFakeGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = calsync_fake_graph_dispose;
  object_class->finalize = calsync_fake_graph_finalize;
}

static void
calsync_fake_graph_init (CalsyncFakeGraph *self)
{
  self->mail = g_strdup ("user@example.onmicrosoft.com");
  self->upn = g_strdup (self->mail);
  self->user_id = g_strdup ("87d349ed-44d7-43e1-9a83-5f2406dee5bd");
  self->page_size = FAKE_GRAPH_MAX_PAGE_SIZE;
  self->gzip = TRUE;
  self->calendar_list = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_calendar_free);
  self->calendars = g_hash_table_new (g_str_hash, g_str_equal);
  self->skip_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) graph_page_ref_free);
  self->delta_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) graph_delta_state_free);
  self->expired_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) graph_delta_state_free);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
}

CalsyncFakeGraph *
calsync_fake_graph_new (void)
{
  g_autoptr(CalsyncFakeGraph) self = g_object_new (CALSYNC_TYPE_FAKE_GRAPH, NULL);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *base = NULL;

  self->server = soup_server_new ("server-header", "Microsoft-IIS/10.0", NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Fake Graph cannot listen: %s", error->message);

  uris = soup_server_get_uris (self->server);
  self->port = g_uri_get_port (uris->data);
  base = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  self->api_url = g_strconcat (base, FAKE_GRAPH_API_PREFIX, NULL);
  self->auth_url = g_strconcat (base, FAKE_MSID_PREFIX "/authorize", NULL);
  self->token_url = g_strconcat (base, FAKE_MSID_PREFIX "/token", NULL);

  self->msid = calsync_fake_msid_new (self->server, FAKE_MSID_PREFIX, FAKE_MS_CLIENT_ID);
  calsync_fake_msid_set_user (self->msid, self->upn);
  soup_server_add_handler (self->server, FAKE_GRAPH_API_PREFIX, calsync_fake_graph_api_handler, self, NULL);

  return g_steal_pointer (&self);
}

const char *
calsync_fake_graph_get_api_url (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), NULL);
  return self->api_url;
}

const char *
calsync_fake_graph_get_auth_url (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), NULL);
  return self->auth_url;
}

const char *
calsync_fake_graph_get_token_url (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), NULL);
  return self->token_url;
}

const char *
calsync_fake_graph_get_client_id (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), NULL);
  return FAKE_MS_CLIENT_ID;
}

CalsyncFakeMsid *
calsync_fake_graph_get_oauth (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), NULL);
  return self->msid;
}

void
calsync_fake_graph_export_env (CalsyncFakeGraph *self)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  g_setenv ("CALSYNC_GRAPH_API_URL", self->api_url, TRUE);
  g_setenv ("CALSYNC_MS_AUTH_URL", self->auth_url, TRUE);
  g_setenv ("CALSYNC_MS_TOKEN_URL", self->token_url, TRUE);
  g_setenv ("CALSYNC_MS_CLIENT_ID", FAKE_MS_CLIENT_ID, TRUE);
}

void
calsync_fake_graph_set_user (CalsyncFakeGraph *self,
                             const char       *mail,
                             const char       *user_principal_name)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));
  g_return_if_fail (user_principal_name != NULL);

  g_free (self->mail);
  g_free (self->upn);
  self->mail = g_strdup (mail);
  self->upn = g_strdup (user_principal_name);
  calsync_fake_msid_set_user (self->msid, user_principal_name);
}

/* Calendars ------------------------------------------------------------------ */

void
calsync_fake_graph_add_calendar (CalsyncFakeGraph *self,
                                 const char       *calendar_id,
                                 const char       *name,
                                 const char       *hex_color,
                                 const char       *color,
                                 gboolean          can_edit,
                                 gboolean          is_default)
{
  FakeCalendar *calendar;

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));
  g_return_if_fail (calendar_id != NULL && name != NULL);

  calendar = calsync_fake_graph_ensure_calendar (self, calendar_id);
  g_free (calendar->name);
  g_free (calendar->hex_color);
  g_free (calendar->color);
  g_free (calendar->change_key);
  calendar->name = g_strdup (name);
  calendar->hex_color = g_strdup (hex_color ? hex_color : "");
  calendar->color = g_strdup (color ? color : "auto");
  calendar->change_key = new_change_key (++self->seq);
  calendar->can_edit = can_edit;
  calendar->is_default = is_default;
  calendar->removed = FALSE;
}

void
calsync_fake_graph_remove_calendar (CalsyncFakeGraph *self,
                                    const char       *calendar_id)
{
  FakeCalendar *calendar;

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  calendar = calsync_fake_graph_find_calendar (self, calendar_id);
  g_return_if_fail (calendar != NULL);
  calendar->removed = TRUE;
}

void
calsync_fake_graph_rename_calendar (CalsyncFakeGraph *self,
                                    const char       *calendar_id,
                                    const char       *name)
{
  FakeCalendar *calendar;

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));
  g_return_if_fail (name != NULL);

  calendar = calsync_fake_graph_find_calendar (self, calendar_id);
  g_return_if_fail (calendar != NULL);
  g_free (calendar->name);
  g_free (calendar->change_key);
  calendar->name = g_strdup (name);
  calendar->change_key = new_change_key (++self->seq);
}

/* Events (API) ----------------------------------------------------------------- */

void
calsync_fake_graph_put_event_json (CalsyncFakeGraph *self,
                                   const char       *calendar_id,
                                   const char       *event_json)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));
  g_return_if_fail (calendar_id != NULL && event_json != NULL);

  node = json_from_string (event_json, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_critical ("Fake Graph event is not a JSON object: %s", error ? error->message : event_json);
      return;
    }
  calsync_fake_graph_store_event (self, calsync_fake_graph_ensure_calendar (self, calendar_id),
                                  json_object_ref (json_node_get_object (node)));
}

void
calsync_fake_graph_put_event (CalsyncFakeGraph *self,
                              const char       *calendar_id,
                              JsonObject       *event)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));
  g_return_if_fail (calendar_id != NULL && event != NULL);

  /* A deep copy: later changes of the test's object are not the fake's */
  node = json_node_init_object (json_node_alloc (), event);
  text = json_to_string (node, FALSE);
  calsync_fake_graph_put_event_json (self, calendar_id, text);
}

FakeEvent *
calsync_fake_graph_find_event (CalsyncFakeGraph  *self,
                               const char        *event_id,
                               FakeCalendar     **calendar)
{
  for (guint i = 0; i < self->calendar_list->len; i++)
    {
      FakeCalendar *candidate = g_ptr_array_index (self->calendar_list, i);
      FakeEvent *event = g_hash_table_lookup (candidate->events, event_id);

      if (event != NULL && !event->deleted && !candidate->removed)
        {
          *calendar = candidate;
          return event;
        }
    }

  *calendar = NULL;
  return NULL;
}

static FakeEvent *
lookup_event (CalsyncFakeGraph *self,
              const char       *calendar_id,
              const char       *event_id,
              FakeCalendar    **calendar)
{
  FakeEvent *event;

  *calendar = g_hash_table_lookup (self->calendars, calendar_id);
  event = *calendar ? g_hash_table_lookup ((*calendar)->events, event_id) : NULL;
  return event != NULL && !event->deleted ? event : NULL;
}

void
calsync_fake_graph_cancel_event (CalsyncFakeGraph *self,
                                 const char       *calendar_id,
                                 const char       *event_id)
{
  FakeCalendar *calendar;
  FakeEvent *event;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  g_autofree char *subject = NULL;
  static const char * const stamped[] = { "changeKey", "@odata.etag", "lastModifiedDateTime" };

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  event = lookup_event (self, calendar_id, event_id, &calendar);
  g_return_if_fail (event != NULL);

  node = json_from_string (event->version->json, NULL);
  object = json_node_get_object (node);
  subject = g_strconcat ("Canceled: ", json_object_get_string_member_with_default (object, "subject", ""), NULL);
  json_object_set_string_member (object, "subject", subject);
  json_object_set_boolean_member (object, "isCancelled", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (stamped); i++)
    json_object_remove_member (object, stamped[i]);
  calsync_fake_graph_store_event (self, calendar, json_object_ref (object));
}

void
calsync_fake_graph_delete_event (CalsyncFakeGraph *self,
                                 const char       *calendar_id,
                                 const char       *event_id)
{
  FakeCalendar *calendar;
  FakeEvent *event;

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  event = lookup_event (self, calendar_id, event_id, &calendar);
  g_return_if_fail (event != NULL);
  event->deleted = TRUE;
  event->seq = ++self->seq;
}

/* Settings and counters -------------------------------------------------------- */

void
calsync_fake_graph_set_page_size (CalsyncFakeGraph *self,
                                  guint             size)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));
  g_return_if_fail (size > 0);

  self->page_size = size;
}

void
calsync_fake_graph_expire_delta_links (CalsyncFakeGraph *self)
{
  GHashTableIter iter;
  gpointer token, state;

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  g_hash_table_iter_init (&iter, self->delta_tokens);
  while (g_hash_table_iter_next (&iter, &token, &state))
    {
      g_hash_table_insert (self->expired_tokens, token, state);
      g_hash_table_iter_steal (&iter);
    }
}

void
calsync_fake_graph_set_throttle (CalsyncFakeGraph *self,
                                 guint             status,
                                 guint             n_times,
                                 guint             retry_after_seconds)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));
  g_return_if_fail (status == 429 || status == 503 || status == 504);

  self->throttle_status = status;
  self->throttle_left = n_times;
  self->throttle_retry_after = retry_after_seconds;
}

void
calsync_fake_graph_set_gzip (CalsyncFakeGraph *self,
                             gboolean          gzip)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  self->gzip = gzip;
}

guint
calsync_fake_graph_get_n_requests (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), 0);

  return self->n_requests;
}

guint
calsync_fake_graph_get_n_requests_of (CalsyncFakeGraph *self,
                                      const char       *kind)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), 0);
  g_return_val_if_fail (kind != NULL, 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, kind));
}

guint
calsync_fake_graph_get_n_gzipped (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), 0);

  return self->n_gzipped;
}

const char *
calsync_fake_graph_get_last_request_header (CalsyncFakeGraph *self,
                                            const char       *name)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return self->last_headers ? soup_message_headers_get_list (self->last_headers, name) : NULL;
}

/* Writes ------------------------------------------------------------------------ */

guint
calsync_fake_graph_get_n_writes (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), 0);

  return self->n_writes;
}

guint
calsync_fake_graph_get_n_replayed_creates (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), 0);

  return self->n_replayed_creates;
}

void
calsync_fake_graph_set_write_fault (CalsyncFakeGraph      *self,
                                    CalsyncFakeGraphFault  fault)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  self->write_fault = fault;
}

guint
calsync_fake_graph_get_n_stalled (CalsyncFakeGraph *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), 0);

  return self->stalled->len;
}

void
calsync_fake_graph_release_stalled (CalsyncFakeGraph *self)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  calsync_fake_graph_stalled_clear (self);
}

JsonObject *
calsync_fake_graph_dup_event (CalsyncFakeGraph *self,
                              const char       *calendar_id,
                              const char       *event_id)
{
  FakeCalendar *calendar;
  FakeEvent *event;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), NULL);

  event = lookup_event (self, calendar_id, event_id, &calendar);
  if (event == NULL)
    return NULL;

  node = json_from_string (event->version->json, NULL);
  return json_object_ref (json_node_get_object (node));
}

guint
calsync_fake_graph_count_events (CalsyncFakeGraph *self,
                                 const char       *calendar_id)
{
  FakeCalendar *calendar;
  GHashTableIter iter;
  FakeEvent *event;
  guint n = 0;

  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), 0);

  calendar = calsync_fake_graph_find_calendar (self, calendar_id);
  g_return_val_if_fail (calendar != NULL, 0);
  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    n += !event->deleted && !event->version->master;
  return n;
}

char *
calsync_fake_graph_find_event_id (CalsyncFakeGraph *self,
                                  const char       *calendar_id,
                                  const char       *subject)
{
  FakeCalendar *calendar;
  GHashTableIter iter;
  FakeEvent *event;
  const char *found = NULL;

  g_return_val_if_fail (CALSYNC_IS_FAKE_GRAPH (self), NULL);

  calendar = calsync_fake_graph_find_calendar (self, calendar_id);
  g_return_val_if_fail (calendar != NULL, NULL);
  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    if (!event->deleted &&
        g_strcmp0 (json_object_get_string_member_with_default (event->version->object, "type", NULL),
                   "occurrence") != 0 &&
        g_strcmp0 (json_object_get_string_member_with_default (event->version->object, "subject", NULL),
                   subject) == 0)
      {
        if (found != NULL)
          g_error ("Fake Graph: two events of %s are called “%s”", calendar_id, subject);
        found = event->id;
      }

  return g_strdup (found);
}

void
calsync_fake_graph_set_offline (CalsyncFakeGraph *self,
                                gboolean          offline)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GRAPH (self));

  if (offline == self->offline)
    return;

  self->offline = offline;
  if (offline)
    soup_server_disconnect (self->server);
  else if (!soup_server_listen_local (self->server, self->port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Fake Graph cannot listen again on %u: %s", self->port, error->message);
}
