/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google-write.c: one event of the fake Google Calendar API —
 * events.get, insert (POST), patch (PATCH), update (PUT) and delete (DELETE),
 * conditional on If-Match as Google's etags make them: 412 conditionNotMet on a
 * stale etag, 410 for a deleted event, 409 for a duplicate id. */
#define G_LOG_DOMAIN "calsync-fake-google"

#include "config.h"

#include <string.h>

#include "calsync-fake-google-private.h"

static void
respond_resource (CalsyncFakeGoogle *self,
                  SoupServerMessage *msg,
                  FakeEvent         *event)
{
  calsync_fake_google_respond (self, msg, 200, g_string_new (event->json));
}

/* The request body as a JSON object, or NULL after answering 400 */
static JsonObject *
read_body (CalsyncFakeGoogle *self,
           SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(JsonNode) node = NULL;

  if (g_strcmp0 (soup_message_headers_get_content_type (headers, NULL), "application/json") != 0 ||
      (node = json_from_string (text, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      calsync_fake_google_respond_error (self, msg, 400, "parseError", "Parse Error", "INVALID_ARGUMENT");
      return NULL;
    }

  return json_object_ref (json_node_get_object (node));
}

static void write_applied (CalsyncFakeGoogle *self, SoupServerMessage *msg);

static gboolean
has_time (JsonObject *object,
          const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonObject *when = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  return when != NULL && (json_object_has_member (when, "dateTime") || json_object_has_member (when, "date"));
}

/* Start and end are required in a full resource; answers 400 otherwise */
static gboolean
check_times (CalsyncFakeGoogle *self,
             SoupServerMessage *msg,
             JsonObject        *object)
{
  if (has_time (object, "start") && has_time (object, "end"))
    return TRUE;

  calsync_fake_google_respond_error (self, msg, 400, "required",
                                     has_time (object, "start") ? "Missing end time." : "Missing start time.",
                                     "INVALID_ARGUMENT");
  return FALSE;
}

/* Ids an event may be created with: base32hex (a–v, 0–9), 5 to 1024 characters */
static gboolean
is_valid_id (const char *id)
{
  gsize length = strlen (id);

  if (length < 5 || length > 1024)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'v'))
      return FALSE;
  return TRUE;
}

static char *
new_event_id (void)
{
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
  char id[27];

  for (guint i = 0; i < 26; i++)
    id[i] = alphabet[g_random_int_range (0, 32)];
  id[26] = '\0';
  return g_strdup (id);
}

static void
insert_event (CalsyncFakeGoogle *self,
              SoupServerMessage *msg,
              FakeCalendar      *calendar)
{
  g_autoptr(JsonObject) object = read_body (self, msg);
  g_autofree char *new_id = NULL;
  const char *id;

  if (object == NULL || !check_times (self, msg, object))
    return;

  id = json_object_get_string_member_with_default (object, "id", NULL);
  if (id != NULL && !is_valid_id (id))
    {
      calsync_fake_google_respond_error (self, msg, 400, "invalid", "Invalid resource id value.",
                                         "INVALID_ARGUMENT");
      return;
    }
  if (id != NULL && g_hash_table_contains (calendar->events, id))
    {
      calsync_fake_google_respond_error (self, msg, 409, "duplicate", "The requested identifier already exists.",
                                         "ALREADY_EXISTS");
      return;
    }
  if (id == NULL)
    json_object_set_string_member (object, "id", (new_id = new_event_id ()));

  json_object_remove_member (object, "etag");
  json_object_remove_member (object, "updated");
  self->n_writes++;
  calsync_fake_google_store_event (self, calendar, object, NULL, NULL);
  respond_resource (self, msg, g_hash_table_lookup (calendar->events, json_object_get_string_member (object, "id")));
  write_applied (self, msg);
}

/* Whether the If-Match of @msg (if any) names @event's etag; answers 412 otherwise */
static gboolean
check_if_match (CalsyncFakeGoogle *self,
                SoupServerMessage *msg,
                FakeEvent         *event)
{
  const char *if_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "If-Match");

  if (if_match == NULL || g_str_equal (if_match, "*") ||
      g_str_equal (if_match, json_object_get_string_member (event->object, "etag")))
    return TRUE;

  calsync_fake_google_respond_error (self, msg, 412, "conditionNotMet", "Precondition Failed",
                                     "FAILED_PRECONDITION");
  return FALSE;
}

static void
merge_members (JsonObject *to,
               JsonObject *from)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, from);
  while (json_object_iter_next (&iter, &name, &value))
    json_object_set_member (to, name, json_node_copy (value));
}

/* Patch semantics ("Performance tips", patch): members sent replace the
 * resource's, objects are merged member by member, arrays replaced, and a
 * null deletes the member */
static void
patch_members (JsonObject *to,
               JsonObject *from)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, from);
  while (json_object_iter_next (&iter, &name, &value))
    {
      JsonNode *old = json_object_get_member (to, name);

      if (JSON_NODE_HOLDS_NULL (value))
        json_object_remove_member (to, name);
      else if (JSON_NODE_HOLDS_OBJECT (value) && old != NULL && JSON_NODE_HOLDS_OBJECT (old))
        {
          g_autoptr(JsonObject) merged = json_object_new ();

          merge_members (merged, json_node_get_object (old));
          patch_members (merged, json_node_get_object (value));
          json_object_set_object_member (to, name, g_steal_pointer (&merged));
        }
      else
        json_object_set_member (to, name, json_node_copy (value));
    }
}

/* PATCH merges the members sent; PUT replaces the resource */
static void
change_event (CalsyncFakeGoogle *self,
              SoupServerMessage *msg,
              FakeCalendar      *calendar,
              FakeEvent         *event,
              gboolean           patch)
{
  g_autoptr(JsonObject) body = read_body (self, msg);
  g_autoptr(JsonObject) object = NULL;

  if (body == NULL || !check_if_match (self, msg, event))
    return;

  object = json_object_new ();
  if (patch)
    {
      merge_members (object, event->object);
      patch_members (object, body);
    }
  else
    merge_members (object, body);
  if (!check_times (self, msg, object))
    return;

  json_object_set_string_member (object, "id", event->id);
  json_object_set_member (object, "created", json_node_copy (json_object_get_member (event->object, "created")));
  self->n_writes++;
  calsync_fake_google_store_event (self, calendar, object, NULL, NULL);
  respond_resource (self, msg, event);
  write_applied (self, msg);
}

static void
delete_event (CalsyncFakeGoogle *self,
              SoupServerMessage *msg,
              FakeCalendar      *calendar,
              FakeEvent         *event)
{
  if (!check_if_match (self, msg, event))
    return;

  self->n_writes++;
  calsync_fake_google_delete_event (self, calendar->id, event->id);
  soup_server_message_set_status (msg, 204, NULL);
  write_applied (self, msg);
}

/* The documented query parameters of the writes; sendUpdates is all,
 * externalOnly or none. Answers 400 otherwise. */
static gboolean
check_write_params (CalsyncFakeGoogle *self,
                    SoupServerMessage *msg)
{
  static const char * const allowed[] = { "conferenceDataVersion", "maxAttendees", "sendNotifications",
                                          "sendUpdates", "supportsAttachments", "alwaysIncludeEmail",
                                          "alt", "fields", "prettyPrint", NULL };
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) params = query ? g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL) : NULL;
  const char *send_updates = params ? g_hash_table_lookup (params, "sendUpdates") : NULL;
  GHashTableIter iter;
  const char *name;

  if (query != NULL && params == NULL)
    goto bad;
  if (params != NULL)
    {
      g_hash_table_iter_init (&iter, params);
      while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
        if (!g_strv_contains (allowed, name))
          goto bad;
    }
  if (send_updates != NULL && !g_str_equal (send_updates, "all") &&
      !g_str_equal (send_updates, "externalOnly") && !g_str_equal (send_updates, "none"))
    goto bad;

  g_free (self->pending_send_updates);
  self->pending_send_updates = g_strdup (send_updates ? send_updates : "");
  return TRUE;

bad:
  calsync_fake_google_respond_error (self, msg, 400, "invalidParameter", "Invalid parameter value.",
                                     "INVALID_ARGUMENT");
  return FALSE;
}

/* Writes need writer or owner access to the calendar */
static gboolean
check_access (CalsyncFakeGoogle *self,
              SoupServerMessage *msg,
              ListEntry         *entry)
{
  if (entry->access_role == NULL || g_str_equal (entry->access_role, "owner") ||
      g_str_equal (entry->access_role, "writer"))
    return TRUE;

  calsync_fake_google_respond_error (self, msg, 403, "requiredAccessLevel",
                                     "You need to have writer access to this calendar.", "PERMISSION_DENIED");
  return FALSE;
}

static void
on_stalled_finished (SoupServerMessage *msg,
                     CalsyncFakeGoogle *self)
{
  g_ptr_array_remove (self->stalled, msg);
}

/* After a write was applied: its sendUpdates is kept, its answer held back
 * while writes stall */
static void
write_applied (CalsyncFakeGoogle *self,
               SoupServerMessage *msg)
{
  g_free (self->last_send_updates);
  self->last_send_updates = g_steal_pointer (&self->pending_send_updates);
  if (!self->stall_writes)
    return;

  g_ptr_array_add (self->stalled, g_object_ref (msg));
  g_signal_connect_object (msg, "finished", G_CALLBACK (on_stalled_finished), self, G_CONNECT_DEFAULT);
  soup_server_message_pause (msg);
}

/**
 * calsync_fake_google_serve_event:
 * @event_id: (nullable): the event of ".../events/{eventId}"; %NULL for ".../events"
 *
 * Answers the writes on ".../events" (insert) and the requests on one event.
 */
void
calsync_fake_google_serve_event (CalsyncFakeGoogle *self,
                                 SoupServerMessage *msg,
                                 const char        *email,
                                 const char        *calendar_id,
                                 const char        *event_id)
{
  const char *method = soup_server_message_get_method (msg);
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);
  ListEntry *entry = calsync_fake_google_find_entry (self, email, calendar_id);
  FakeEvent *event = calendar && event_id ? g_hash_table_lookup (calendar->events, event_id) : NULL;

  if (calendar == NULL || entry == NULL || entry->deleted)
    calsync_fake_google_respond_error (self, msg, 404, "notFound", "Not Found", "NOT_FOUND");
  else if (!g_str_equal (method, "GET") && (!check_write_params (self, msg) || !check_access (self, msg, entry)))
    return;
  else if (event_id == NULL && g_str_equal (method, "POST"))
    insert_event (self, msg, calendar);
  else if (event_id == NULL)
    soup_server_message_set_status (msg, 405, NULL);
  else if (event == NULL)
    calsync_fake_google_respond_error (self, msg, 404, "notFound", "Not Found", "NOT_FOUND");
  else if (g_str_equal (method, "GET"))
    respond_resource (self, msg, event);
  else if (event->deleted)
    calsync_fake_google_respond_error (self, msg, 410, "deleted", "Resource has been deleted", "NOT_FOUND");
  else if (g_str_equal (method, "PATCH") || g_str_equal (method, "PUT"))
    change_event (self, msg, calendar, event, g_str_equal (method, "PATCH"));
  else if (g_str_equal (method, "DELETE"))
    delete_event (self, msg, calendar, event);
  else
    soup_server_message_set_status (msg, 405, NULL);
}
