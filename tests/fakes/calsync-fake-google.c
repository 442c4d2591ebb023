/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google.c: an in-process Google Calendar API v3 and Google OAuth on
 * 127.0.0.1: the object, its data (calendar lists, calendars, events) and the
 * API tests use to change them. Serving is in calsync-fake-google-serve.c,
 * streamed and compressed bodies in -stream.c, generated data in -generate.c.
 *
 * Limits: the fake does not expand RRULEs. Put recurring events in as the
 * instances singleEvents=true returns (with recurringEventId and
 * originalStartTime); singleEvents=false serves the same instances. */
#define G_LOG_DOMAIN "calsync-fake-google"

#include "config.h"

#include <string.h>

#include "calsync-fake-google-private.h"

G_DEFINE_FINAL_TYPE (CalsyncFakeGoogle, calsync_fake_google, G_TYPE_OBJECT)

/* Data ---------------------------------------------------------------------- */

static void
fake_event_free (FakeEvent *event)
{
  g_free (event->id);
  g_clear_pointer (&event->object, json_object_unref);
  g_clear_pointer (&event->json, g_ref_string_release);
  g_clear_pointer (&event->minimal_json, g_ref_string_release);
  g_free (event);
}

static void
fake_calendar_free (FakeCalendar *calendar)
{
  g_free (calendar->id);
  g_free (calendar->summary);
  g_hash_table_unref (calendar->events);
  g_free (calendar);
}

static void
list_entry_free (ListEntry *entry)
{
  g_free (entry->id);
  g_free (entry->summary);
  g_free (entry->access_role);
  g_free (entry);
}

FakeCalendar *
calsync_fake_google_ensure_calendar (CalsyncFakeGoogle *self,
                                     const char        *calendar_id)
{
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);

  if (calendar == NULL)
    {
      calendar = g_new0 (FakeCalendar, 1);
      calendar->id = g_strdup (calendar_id);
      calendar->summary = g_strdup (calendar_id);
      calendar->events = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                (GDestroyNotify) fake_event_free);
      g_hash_table_insert (self->calendars, calendar->id, calendar);
    }

  return calendar;
}

char *
calsync_fake_google_format_updated (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", text, (int) (usec % G_USEC_PER_SEC) / 1000);
}

/* "updated" strictly grows with the sequence, at millisecond resolution as Google's */
static gint64
next_updated (CalsyncFakeGoogle *self)
{
  gint64 now = g_get_real_time () / 1000 * 1000;

  self->last_updated_us = MAX (now, self->last_updated_us + 1000);
  return self->last_updated_us;
}

/* Unix microseconds of an EventDateTime (all-day dates as UTC midnights) */
static gboolean
event_time (JsonObject *object,
            const char *member,
            gint64     *usec)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonObject *when = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *text;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *midnight = NULL;

  if (when == NULL)
    return FALSE;

  if ((text = json_object_get_string_member_with_default (when, "dateTime", NULL)) != NULL)
    dt = g_date_time_new_from_iso8601 (text, NULL);
  else if ((text = json_object_get_string_member_with_default (when, "date", NULL)) != NULL)
    dt = g_date_time_new_from_iso8601 ((midnight = g_strconcat (text, "T00:00:00Z", NULL)), NULL);

  if (dt == NULL)
    return FALSE;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  return TRUE;
}

GRefString *
calsync_fake_google_serialize (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);

  return g_ref_string_new (text);
}

static void
copy_member (JsonObject *to,
             JsonObject *from,
             const char *name)
{
  if (json_object_has_member (from, name))
    json_object_set_member (to, name, json_node_copy (json_object_get_member (from, name)));
}

/* Incremental syncs send deleted events as {kind, etag, id, status} (+ the
 * instance's recurringEventId and originalStartTime): "Deleted events are only
 * guaranteed to have the id field populated", so no "updated" either. */
static GRefString *
serialize_minimal (JsonObject *object)
{
  g_autoptr(JsonObject) minimal = json_object_new ();
  static const char * const members[] = { "kind", "etag", "id", "status",
                                          "recurringEventId", "originalStartTime" };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    copy_member (minimal, object, members[i]);

  return calsync_fake_google_serialize (minimal);
}

static FakeEvent *
ensure_event (FakeCalendar *calendar,
              const char   *id)
{
  FakeEvent *event = g_hash_table_lookup (calendar->events, id);

  if (event == NULL)
    {
      event = g_new0 (FakeEvent, 1);
      event->id = g_strdup (id);
      event->position = calendar->next_position++;
      g_hash_table_insert (calendar->events, event->id, event);
    }

  return event;
}

/* Stamps @object (kind, etag, updated, status: @updated and @etag when given)
 * and stores it in @calendar as the latest change. */
void
calsync_fake_google_store_event (CalsyncFakeGoogle *self,
                                 FakeCalendar      *calendar,
                                 JsonObject        *object,
                                 const char        *updated,
                                 const char        *etag)
{
  FakeEvent *event = ensure_event (calendar, json_object_get_string_member (object, "id"));
  g_autofree char *own_updated = updated ? NULL : calsync_fake_google_format_updated (next_updated (self));
  g_autofree char *own_etag = NULL;

  event->seq = ++self->seq;
  own_etag = etag ? NULL : g_strdup_printf ("\"%" G_GUINT64_FORMAT "\"", event->seq * 1000 + 7);
  json_object_set_string_member (object, "kind", "calendar#event");
  json_object_set_string_member (object, "etag", etag ? etag : own_etag);
  json_object_set_string_member (object, "updated", updated ? updated : own_updated);
  if (!json_object_has_member (object, "created"))
    json_object_set_string_member (object, "created", updated ? updated : own_updated);
  if (!json_object_has_member (object, "status"))
    json_object_set_string_member (object, "status", "confirmed");

  event->cancelled = g_strcmp0 (json_object_get_string_member_with_default (object, "status", NULL),
                                "cancelled") == 0;
  event->deleted = FALSE;
  event->untimed = !event_time (object, "start", &event->start_us);
  if (event->untimed || !event_time (object, "end", &event->end_us))
    event->end_us = event->start_us;

  g_clear_pointer (&event->object, json_object_unref);
  g_clear_pointer (&event->json, g_ref_string_release);
  g_clear_pointer (&event->minimal_json, g_ref_string_release);
  event->object = json_object_ref (object);
  event->json = calsync_fake_google_serialize (object);
  event->minimal_json = serialize_minimal (object);
}

/* The calendarList entry of @calendar_id for @email (removed ones too), or NULL */
ListEntry *
calsync_fake_google_find_entry (CalsyncFakeGoogle *self,
                                const char        *email,
                                const char        *calendar_id)
{
  GPtrArray *entries = g_hash_table_lookup (self->calendar_lists, email);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    if (g_str_equal (((ListEntry *) g_ptr_array_index (entries, i))->id, calendar_id))
      return g_ptr_array_index (entries, i);

  return NULL;
}

/* Invalidates the sync tokens of @calendar_id ("" for calendarList) given to
 * @user (NULL: to anyone) */
static void
drop_sync_tokens (CalsyncFakeGoogle *self,
                  const char        *calendar_id,
                  const char        *user)
{
  GHashTableIter iter;
  SyncState *state;

  g_hash_table_iter_init (&iter, self->sync_tokens);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &state))
    if (g_str_equal (state->calendar_id, calendar_id) && (user == NULL || g_str_equal (state->user, user)))
      g_hash_table_iter_remove (&iter);
}

/* Faults --------------------------------------------------------------------- */

/* The fault set for @calendar_id, else the one for all (""), without using it up */
CalsyncFakeFault
calsync_fake_google_peek_fault (CalsyncFakeGoogle *self,
                                const char        *calendar_id)
{
  gpointer value;

  if (calendar_id != NULL && g_hash_table_lookup_extended (self->faults, calendar_id, NULL, &value))
    return GPOINTER_TO_INT (value);
  if (g_hash_table_lookup_extended (self->faults, "", NULL, &value))
    return GPOINTER_TO_INT (value);
  return CALSYNC_FAKE_FAULT_NONE;
}

/* Like peek; 401 and 429 happen once, the others until the fault is cleared */
CalsyncFakeFault
calsync_fake_google_take_fault (CalsyncFakeGoogle *self,
                                const char        *calendar_id)
{
  CalsyncFakeFault fault = calsync_fake_google_peek_fault (self, calendar_id);
  const char *key = calendar_id && g_hash_table_contains (self->faults, calendar_id) ? calendar_id : "";

  if (fault == CALSYNC_FAKE_FAULT_UNAUTHORIZED || fault == CALSYNC_FAKE_FAULT_RATE_LIMIT)
    g_hash_table_remove (self->faults, key);
  return fault;
}

/* GObject -------------------------------------------------------------------- */

static void
calsync_fake_google_finalize (GObject *object)
{
  CalsyncFakeGoogle *self = (CalsyncFakeGoogle *) object;

  g_ptr_array_unref (self->streams);
  g_ptr_array_unref (self->stalled);
  g_free (self->last_send_updates);
  g_free (self->pending_send_updates);
  soup_server_disconnect (self->server);
  soup_server_remove_handler (self->server, FAKE_API_PREFIX);
  g_clear_object (&self->oauth);
  g_clear_object (&self->server);
  g_free (self->api_url);
  g_free (self->auth_url);
  g_free (self->token_url);
  g_hash_table_unref (self->calendar_lists);
  g_hash_table_unref (self->calendars);
  g_hash_table_unref (self->page_refs);
  g_hash_table_unref (self->sync_tokens);
  g_hash_table_unref (self->faults);

  G_OBJECT_CLASS (calsync_fake_google_parent_class)->finalize (object);
}

static void
calsync_fake_google_class_init (CalsyncFakeGoogleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_fake_google_finalize;
}

static void
calsync_fake_google_init (CalsyncFakeGoogle *self)
{
  self->page_size = EVENTS_MAX_RESULTS;
  self->trickle_interval_ms = 100;
  self->huge_field_size = G_GUINT64_CONSTANT (300) * 1024 * 1024;
  self->gzip = CALSYNC_FAKE_GZIP_AS_DOCUMENTED;
  self->calendar_lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
  self->calendars = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) fake_calendar_free);
  self->page_refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) page_ref_free);
  self->sync_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) sync_state_free);
  self->faults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_stream_free);
  self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * calsync_fake_google_new:
 *
 * Starts the fake on 127.0.0.1 with a random port. It serves from the thread
 * default main context of the caller and stops when finalized.
 */
CalsyncFakeGoogle *
calsync_fake_google_new (void)
{
  g_autoptr(CalsyncFakeGoogle) self = g_object_new (CALSYNC_TYPE_FAKE_GOOGLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *base = NULL;

  self->server = soup_server_new ("server-header", "ESF", NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Fake Google cannot listen: %s", error->message);

  uris = soup_server_get_uris (self->server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  self->api_url = g_strconcat (base, FAKE_API_PREFIX, NULL);
  self->auth_url = g_strconcat (base, FAKE_OAUTH_PREFIX "/auth", NULL);
  self->token_url = g_strconcat (base, FAKE_OAUTH_PREFIX "/token", NULL);

  self->oauth = calsync_fake_oauth_new (self->server, FAKE_OAUTH_PREFIX, FAKE_CLIENT_ID, FAKE_CLIENT_SECRET);
  soup_server_add_handler (self->server, FAKE_API_PREFIX, calsync_fake_google_api_handler, self, NULL);

  return g_steal_pointer (&self);
}

const char *
calsync_fake_google_get_api_url (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);
  return self->api_url;
}

const char *
calsync_fake_google_get_auth_url (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);
  return self->auth_url;
}

const char *
calsync_fake_google_get_token_url (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);
  return self->token_url;
}

CalsyncFakeOAuth *
calsync_fake_google_get_oauth (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);
  return self->oauth;
}

void
calsync_fake_google_export_env (CalsyncFakeGoogle *self)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  g_setenv ("CALSYNC_GOOGLE_API_URL", self->api_url, TRUE);
  g_setenv ("CALSYNC_GOOGLE_AUTH_URL", self->auth_url, TRUE);
  g_setenv ("CALSYNC_GOOGLE_TOKEN_URL", self->token_url, TRUE);
  g_setenv ("CALSYNC_GOOGLE_CLIENT_ID", FAKE_CLIENT_ID, TRUE);
  g_setenv ("CALSYNC_GOOGLE_CLIENT_SECRET", FAKE_CLIENT_SECRET, TRUE);
}

/* Calendars ------------------------------------------------------------------ */

void
calsync_fake_google_add_calendar (CalsyncFakeGoogle *self,
                                  const char        *email,
                                  const char        *calendar_id,
                                  const char        *summary,
                                  gboolean           primary)
{
  GPtrArray *entries;
  ListEntry *entry;
  FakeCalendar *calendar;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (email != NULL && calendar_id != NULL);
  g_return_if_fail (!primary || g_str_equal (email, calendar_id));

  if ((entries = g_hash_table_lookup (self->calendar_lists, email)) == NULL)
    {
      entries = g_ptr_array_new_with_free_func ((GDestroyNotify) list_entry_free);
      g_hash_table_insert (self->calendar_lists, g_strdup (email), entries);
    }

  if ((entry = calsync_fake_google_find_entry (self, email, calendar_id)) == NULL)
    {
      entry = g_new0 (ListEntry, 1);
      entry->id = g_strdup (calendar_id);
      g_ptr_array_add (entries, entry);
    }

  g_free (entry->summary);
  entry->summary = g_strdup (summary ? summary : calendar_id);
  entry->primary = primary;
  entry->deleted = FALSE;
  entry->seq = ++self->seq;

  calendar = calsync_fake_google_ensure_calendar (self, calendar_id);
  g_free (calendar->summary);
  calendar->summary = g_strdup (entry->summary);
}

void
calsync_fake_google_remove_calendar (CalsyncFakeGoogle *self,
                                     const char        *email,
                                     const char        *calendar_id)
{
  ListEntry *entry;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  entry = calsync_fake_google_find_entry (self, email, calendar_id);
  g_return_if_fail (entry != NULL && !entry->deleted);

  entry->deleted = TRUE;
  entry->seq = ++self->seq;
  drop_sync_tokens (self, calendar_id, email);
}

void
calsync_fake_google_rename_calendar (CalsyncFakeGoogle *self,
                                     const char        *calendar_id,
                                     const char        *summary)
{
  FakeCalendar *calendar;
  GHashTableIter iter;
  GPtrArray *entries;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (summary != NULL);

  calendar = g_hash_table_lookup (self->calendars, calendar_id);
  g_return_if_fail (calendar != NULL);
  g_free (calendar->summary);
  calendar->summary = g_strdup (summary);

  g_hash_table_iter_init (&iter, self->calendar_lists);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entries))
    for (guint i = 0; i < entries->len; i++)
      {
        ListEntry *entry = g_ptr_array_index (entries, i);

        if (!g_str_equal (entry->id, calendar_id))
          continue;
        g_free (entry->summary);
        entry->summary = g_strdup (summary);
        entry->seq = ++self->seq;
      }
}

/* Events --------------------------------------------------------------------- */

static JsonObject *
parse_event (const char *event_json)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = json_from_string (event_json, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL) == NULL)
    {
      g_critical ("Fake event is not an object with an id: %s", error ? error->message : event_json);
      return NULL;
    }

  return json_object_ref (json_node_get_object (node));
}

void
calsync_fake_google_put_event (CalsyncFakeGoogle *self,
                               const char        *calendar_id,
                               const char        *event_json)
{
  g_autoptr(JsonObject) object = NULL;
  gint64 start;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (calendar_id != NULL && event_json != NULL);

  if ((object = parse_event (event_json)) == NULL)
    return;
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "status", NULL), "cancelled") != 0 &&
      !event_time (object, "start", &start))
    {
      g_critical ("Fake event %s has no valid start", json_object_get_string_member (object, "id"));
      return;
    }

  calsync_fake_google_store_event (self, calsync_fake_google_ensure_calendar (self, calendar_id),
                                   object, NULL, NULL);
}

void
calsync_fake_google_put_event_as_is (CalsyncFakeGoogle *self,
                                     const char        *calendar_id,
                                     const char        *event_json)
{
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *etag = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (calendar_id != NULL && event_json != NULL);

  if ((object = parse_event (event_json)) == NULL)
    return;
  updated = g_strdup (json_object_get_string_member_with_default (object, "updated", NULL));
  etag = g_strdup (json_object_get_string_member_with_default (object, "etag", NULL));
  g_return_if_fail (updated != NULL && etag != NULL);

  calsync_fake_google_store_event (self, calsync_fake_google_ensure_calendar (self, calendar_id),
                                   object, updated, etag);
}

void
calsync_fake_google_put_malformed_event (CalsyncFakeGoogle *self,
                                         const char        *calendar_id,
                                         const char        *event_json)
{
  g_autoptr(JsonObject) object = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (calendar_id != NULL && event_json != NULL);

  if ((object = parse_event (event_json)) != NULL)
    calsync_fake_google_store_event (self, calsync_fake_google_ensure_calendar (self, calendar_id),
                                     object, NULL, NULL);
}

static FakeEvent *
lookup_event (CalsyncFakeGoogle *self,
              const char        *calendar_id,
              const char        *event_id,
              FakeCalendar     **calendar)
{
  *calendar = g_hash_table_lookup (self->calendars, calendar_id);
  return *calendar ? g_hash_table_lookup ((*calendar)->events, event_id) : NULL;
}

void
calsync_fake_google_cancel_event (CalsyncFakeGoogle *self,
                                  const char        *calendar_id,
                                  const char        *event_id)
{
  FakeCalendar *calendar;
  FakeEvent *event;
  g_autoptr(JsonObject) object = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  event = lookup_event (self, calendar_id, event_id, &calendar);
  g_return_if_fail (event != NULL);

  object = json_object_ref (event->object);
  json_object_set_string_member (object, "status", "cancelled");
  calsync_fake_google_store_event (self, calendar, object, NULL, NULL);
}

void
calsync_fake_google_delete_event (CalsyncFakeGoogle *self,
                                  const char        *calendar_id,
                                  const char        *event_id)
{
  FakeCalendar *calendar;
  FakeEvent *event;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  event = lookup_event (self, calendar_id, event_id, &calendar);
  /* Deleting a deleted event is a 410 "Resource has been deleted" at Google */
  g_return_if_fail (event != NULL && !event->deleted);

  calsync_fake_google_cancel_event (self, calendar_id, event_id);
  event->deleted = TRUE;
}

void
calsync_fake_google_purge_deleted (CalsyncFakeGoogle *self,
                                   const char        *calendar_id)
{
  FakeCalendar *calendar;
  GHashTableIter iter;
  FakeEvent *event;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  calendar = g_hash_table_lookup (self->calendars, calendar_id);
  g_return_if_fail (calendar != NULL);

  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    if (event->deleted)
      g_hash_table_iter_remove (&iter);
  drop_sync_tokens (self, calendar_id, NULL);
}

/* Settings and counters -------------------------------------------------------- */

void
calsync_fake_google_set_page_size (CalsyncFakeGoogle *self,
                                   guint              page_size)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (page_size > 0);

  self->page_size = page_size;
}

void
calsync_fake_google_expire_sync_tokens (CalsyncFakeGoogle *self)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  g_hash_table_remove_all (self->sync_tokens);
}

void
calsync_fake_google_set_fault (CalsyncFakeGoogle *self,
                               const char        *calendar_id,
                               CalsyncFakeFault   fault)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  if (fault == CALSYNC_FAKE_FAULT_NONE)
    g_hash_table_remove (self->faults, calendar_id ? calendar_id : "");
  else
    g_hash_table_insert (self->faults, g_strdup (calendar_id ? calendar_id : ""), GINT_TO_POINTER (fault));
}

void
calsync_fake_google_set_trickle_interval (CalsyncFakeGoogle *self,
                                          guint              interval_ms)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));
  g_return_if_fail (interval_ms > 0);

  self->trickle_interval_ms = interval_ms;
}

void
calsync_fake_google_set_huge_field_size (CalsyncFakeGoogle *self,
                                         guint64            size)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  self->huge_field_size = size;
}

void
calsync_fake_google_set_gzip (CalsyncFakeGoogle *self,
                              CalsyncFakeGzip    gzip)
{
  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  self->gzip = gzip;
}

guint
calsync_fake_google_get_n_requests (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), 0);

  return self->n_requests;
}

guint
calsync_fake_google_get_n_writes (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), 0);

  return self->n_writes;
}

void
calsync_fake_google_set_access_role (CalsyncFakeGoogle *self,
                                     const char        *email,
                                     const char        *calendar_id,
                                     const char        *access_role)
{
  ListEntry *entry;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  entry = calsync_fake_google_find_entry (self, email, calendar_id);
  g_return_if_fail (entry != NULL);

  g_free (entry->access_role);
  entry->access_role = g_strdup (access_role);
  entry->seq = ++self->seq;
}

const char *
calsync_fake_google_get_last_send_updates (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);

  return self->last_send_updates;
}

char *
calsync_fake_google_dup_event (CalsyncFakeGoogle *self,
                               const char        *calendar_id,
                               const char        *event_id)
{
  FakeCalendar *calendar;
  FakeEvent *event;

  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), NULL);

  calendar = g_hash_table_lookup (self->calendars, calendar_id);
  event = calendar != NULL ? g_hash_table_lookup (calendar->events, event_id) : NULL;
  if (event == NULL || event->deleted)
    return NULL;
  return g_strdup (event->json);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
calsync_fake_google_list_event_ids (CalsyncFakeGoogle *self,
                                    const char        *calendar_id)
{
  GPtrArray *ids = g_ptr_array_new ();
  FakeCalendar *calendar;
  GHashTableIter iter;
  FakeEvent *event;

  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), ids);

  if ((calendar = g_hash_table_lookup (self->calendars, calendar_id)) == NULL)
    return ids;

  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    if (!event->deleted && !event->cancelled)
      g_ptr_array_add (ids, event->id);
  g_ptr_array_sort (ids, compare_strings);
  return ids;
}

void
calsync_fake_google_set_stall_writes (CalsyncFakeGoogle *self,
                                      gboolean           stall)
{
  g_autoptr(GPtrArray) held = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_GOOGLE (self));

  self->stall_writes = stall;
  if (stall)
    return;

  held = g_steal_pointer (&self->stalled);
  self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < held->len; i++)
    soup_server_message_unpause (g_ptr_array_index (held, i));
}

guint
calsync_fake_google_get_n_stalled (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), 0);

  return self->stalled->len;
}

guint
calsync_fake_google_get_n_gzipped (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), 0);

  return self->n_gzipped;
}

guint
calsync_fake_google_get_n_streams (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), 0);

  return self->streams->len;
}

guint64
calsync_fake_google_get_streamed_bytes (CalsyncFakeGoogle *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_GOOGLE (self), 0);

  return self->streamed_bytes;
}
