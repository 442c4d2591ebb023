/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph-write.c: one event of the fake Microsoft Graph — create
 * (POST /me/calendars/{id}/events, /me/events), get, update (PATCH) and delete
 * (DELETE /me/events/{id}), as documented in "Create event" (calendar-post-
 * events), "Get event", "Update event", "Delete event", "event resource type"
 * and "dateTimeTimeZone resource type":
 *
 * - POST answers 201 Created with the event: a new id, @odata.etag W/"…",
 *   changeKey, createdDateTime, lastModifiedDateTime. start and end are
 *   dateTimeTimeZone objects ({dateTime, timeZone}) and both required; a zone
 *   Graph does not know answers 400 TimeZoneNotSupportedException. An isAllDay
 *   event's times must be midnight and at least a day apart (400).
 * - transactionId: "A custom identifier specified by a client app for the
 *   server to avoid redundant POST operations in case of client retries to
 *   create the same event." A POST whose transactionId an event of that
 *   calendar already carries creates nothing and answers 201 with that event
 *   (what Graph does: the same request again "returns 201 but no new event is
 *   created", blog.rykoma.net 2020-10-05, a Microsoft engineer's write-up). It
 *   cannot be changed by a PATCH (400).
 * - PATCH merges the members sent; DELETE answers 204 No Content. Both honour
 *   If-Match: an etag that is not the event's current one answers 412 with
 *   Graph's code ErrorIrresolvableConflict ("The send or update operation could
 *   not be performed because the change key passed in the request does not
 *   match the current change key for the item."). Every write gives the event
 *   a new changeKey, @odata.etag and lastModifiedDateTime.
 * - An occurrence is patched or deleted through its own id: a patched one
 *   becomes type "exception", a deleted one leaves the series (the next delta
 *   round reports it @removed). Deleting a series master deletes its instances.
 * - Read-only members (id, @odata.etag, changeKey, createdDateTime,
 *   lastModifiedDateTime, type, seriesMasterId, originalStart, iCalUId) in a
 *   body answer 400 ErrorInvalidPropertyUpdateSentToServer (the fake's
 *   strictness: Graph ignores some of them).
 * - A calendar with canEdit false answers 403 ErrorAccessDenied; an unknown or
 *   deleted id 404 ErrorItemNotFound; a token without Calendars.ReadWrite 403
 *   (calsync-fake-graph-serve.c).
 *
 * - A `recurrence` makes a seriesMaster with its occurrences
 *   (calsync-fake-graph-series.c); an occurrence or exception cannot get one.
 *
 * Writes show up in the next delta round, as any change does. */
#define G_LOG_DOMAIN "calsync-fake-graph"

#include "config.h"

#include <string.h>

#include "calsync-fake-graph-private.h"

static const char * const read_only_members[] = {
  "id", "@odata.etag", "changeKey", "createdDateTime", "lastModifiedDateTime", "type", "seriesMasterId",
  "originalStart", "iCalUId", "@odata.type", NULL,
};

/* Members the fake stamps again on every write */
static const char * const stamped_members[] = {
  "@odata.etag", "changeKey", "lastModifiedDateTime", NULL,
};

/* Answers ------------------------------------------------------------------------ */

static void
respond_event (CalsyncFakeGraph  *self,
               SoupServerMessage *msg,
               guint              status,
               FakeEvent         *event)
{
  g_autofree char *zone_name = calsync_fake_graph_preferred_zone (msg);
  g_autoptr(GTimeZone) zone = calsync_fake_graph_zone_new (zone_name ? zone_name : "UTC");
  g_autofree char *context = g_strconcat (self->api_url, "/$metadata#users('", self->user_id,
                                          "')/events/$entity", NULL);
  CursorItem item = { event->version, NULL };
  GString *rendered = g_string_new (NULL);
  GString *body = g_string_new ("{\"@odata.context\":");

  if (zone == NULL)
    {
      g_string_free (rendered, TRUE);
      g_string_free (body, TRUE);
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "TimeZoneNotSupportedException",
                                        "A valid TimeZone value must be specified in Prefer: outlook.timezone.");
      return;
    }

  calsync_fake_graph_append_item (rendered, &item, zone_name ? zone_name : "UTC", zone);
  calsync_fake_graph_append_json_string (body, context);
  g_string_append_c (body, ',');
  g_string_append (body, rendered->str + 1);   /* the event's members, after its "{" */
  g_string_free (rendered, TRUE);
  calsync_fake_graph_respond (self, msg, status, body);
}

static void
respond_not_found (CalsyncFakeGraph  *self,
                   SoupServerMessage *msg)
{
  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "ErrorItemNotFound",
                                    "The specified object was not found in the store.");
}

static void
respond_invalid (CalsyncFakeGraph  *self,
                 SoupServerMessage *msg,
                 const char        *code,
                 const char        *message)
{
  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, code, message);
}

/* Faults ----------------------------------------------------------------------------- */

static void
on_stalled_disconnected (SoupServerMessage *msg,
                         CalsyncFakeGraph  *self)
{
  g_signal_handlers_disconnect_by_data (msg, self);
  g_ptr_array_remove (self->stalled, msg);
}

/* The write is applied and answered, but the answer is held */
static void
stall (CalsyncFakeGraph  *self,
       SoupServerMessage *msg)
{
  g_ptr_array_add (self->stalled, g_object_ref (msg));
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_stalled_disconnected), self);
  soup_server_message_pause (msg);
}

void
calsync_fake_graph_stalled_clear (CalsyncFakeGraph *self)
{
  g_autoptr(GPtrArray) stalled = g_steal_pointer (&self->stalled);

  self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < stalled->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (stalled, i);

      g_signal_handlers_disconnect_by_data (msg, self);
      soup_server_message_unpause (msg);
    }
}

/* The armed fault before a write: TRUE when it answered (a failure) */
static gboolean
fail_write (CalsyncFakeGraph  *self,
            SoupServerMessage *msg)
{
  if (self->write_fault != CALSYNC_FAKE_GRAPH_FAULT_FAIL)
    return FALSE;

  self->write_fault = CALSYNC_FAKE_GRAPH_FAULT_NONE;
  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "generalException",
                                    "An internal server error occurred.");
  return TRUE;
}

/* A write was applied: counted, and maybe its answer held */
static void
written (CalsyncFakeGraph  *self,
         SoupServerMessage *msg)
{
  self->n_writes++;
  if (self->write_fault == CALSYNC_FAKE_GRAPH_FAULT_STALL)
    {
      self->write_fault = CALSYNC_FAKE_GRAPH_FAULT_NONE;
      stall (self, msg);
    }
}

/* Bodies ------------------------------------------------------------------------------ */

/* The request body as a JSON object, or NULL after answering 400 */
static JsonObject *
read_body (CalsyncFakeGraph  *self,
           SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(JsonNode) node = NULL;

  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    {
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "BadRequest",
                                        "A supported MIME type could not be found that matches the content "
                                        "type of the response.");
      return NULL;
    }
  if ((node = json_from_string (text, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      respond_invalid (self, msg, "BadRequest", "Empty Payload. JSON content expected.");
      return NULL;
    }

  return json_object_ref (json_node_get_object (node));
}

static gboolean
check_read_only (CalsyncFakeGraph  *self,
                 SoupServerMessage *msg,
                 JsonObject        *body,
                 gboolean           update)
{
  for (guint i = 0; read_only_members[i] != NULL; i++)
    if (json_object_has_member (body, read_only_members[i]))
      {
        respond_invalid (self, msg, "ErrorInvalidPropertyUpdateSentToServer",
                         "An attempt was made to update a read-only property.");
        return FALSE;
      }

  if (update && json_object_has_member (body, "transactionId"))
    {
      respond_invalid (self, msg, "ErrorInvalidPropertyUpdateSentToServer",
                       "The transactionId of an event cannot be changed.");
      return FALSE;
    }
  return TRUE;
}

/* A dateTimeTimeZone: its instant in UTC, or FALSE after answering 400 */
static gboolean
read_when (CalsyncFakeGraph  *self,
           SoupServerMessage *msg,
           JsonObject        *object,
           const char        *member,
           gboolean           all_day,
           GDateTime        **utc)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonObject *when = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *text = when ? json_object_get_string_member_with_default (when, "dateTime", NULL) : NULL;
  const char *zone_name = when ? json_object_get_string_member_with_default (when, "timeZone", NULL) : NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *message = NULL;

  if (text == NULL || zone_name == NULL)
    {
      message = g_strdup_printf ("Your request can't be completed. '%s' needs a dateTime and a timeZone.", member);
      respond_invalid (self, msg, "ErrorInvalidRequest", message);
      return FALSE;
    }
  if ((zone = calsync_fake_graph_zone_new (zone_name)) == NULL)
    {
      message = g_strdup_printf ("A valid TimeZone value must be specified. The following TimeZone value is "
                                 "not supported: '%s'.", zone_name);
      respond_invalid (self, msg, "TimeZoneNotSupportedException", message);
      return FALSE;
    }
  if (strchr (text, 'T') == NULL || (dt = g_date_time_new_from_iso8601 (text, zone)) == NULL)
    {
      message = g_strdup_printf ("Cannot convert the literal '%s' to the expected type 'Edm.String'.", text);
      respond_invalid (self, msg, "BadRequest", message);
      return FALSE;
    }
  if (all_day && (g_date_time_get_hour (dt) || g_date_time_get_minute (dt) || g_date_time_get_second (dt)))
    {
      respond_invalid (self, msg, "ErrorInvalidRequest",
                       "Your request can't be completed. If the event is marked as an all-day event, the "
                       "start and end time must be at midnight.");
      return FALSE;
    }

  *utc = g_date_time_to_utc (dt);
  return TRUE;
}

/* start and end, and what isAllDay asks of them; FALSE after answering 400 */
static gboolean
check_times (CalsyncFakeGraph  *self,
             SoupServerMessage *msg,
             JsonObject        *object)
{
  gboolean all_day = json_object_get_boolean_member_with_default (object, "isAllDay", FALSE);
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  GTimeSpan span;

  if (!read_when (self, msg, object, "start", all_day, &start) ||
      !read_when (self, msg, object, "end", all_day, &end))
    return FALSE;

  span = g_date_time_difference (end, start);
  if (span < 0)
    {
      respond_invalid (self, msg, "ErrorInvalidRequest",
                       "Your request can't be completed. The end time can't be before the start time.");
      return FALSE;
    }
  if (all_day && span < G_TIME_SPAN_DAY)
    {
      respond_invalid (self, msg, "ErrorInvalidRequest",
                       "Your request can't be completed. The duration of an event marked as all-day must "
                       "be at least 24 hours.");
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_series (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "recurrence");

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node);
}

/* Create ------------------------------------------------------------------------------- */

/* Ids like Exchange's: "AAMkAD" and base64 (with its "=" padding) */
static char *
new_event_id (void)
{
  guint8 bytes[40];
  g_autofree char *text = NULL;

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = g_random_int_range (0, 256);
  text = g_base64_encode (bytes, sizeof bytes);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  return g_strconcat ("AAMkAD", text, NULL);
}

static FakeEvent *
find_transaction (FakeCalendar *calendar,
                  const char   *transaction_id)
{
  GHashTableIter iter;
  FakeEvent *event;

  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    if (!event->deleted &&
        g_strcmp0 (json_object_get_string_member_with_default (event->version->object, "transactionId", NULL),
                   transaction_id) == 0)
      return event;

  return NULL;
}

static void
create_event (CalsyncFakeGraph  *self,
              SoupServerMessage *msg,
              FakeCalendar      *calendar)
{
  g_autoptr(JsonObject) object = read_body (self, msg);
  g_autofree char *id = NULL;
  g_autofree char *uid = NULL;
  const char *transaction_id;
  FakeEvent *existing;

  if (object == NULL || !check_read_only (self, msg, object, FALSE) || !check_times (self, msg, object) ||
      !calsync_fake_graph_check_recurrence (self, msg, object))
    return;

  transaction_id = json_object_get_string_member_with_default (object, "transactionId", NULL);
  if (transaction_id != NULL && (existing = find_transaction (calendar, transaction_id)) != NULL)
    {
      self->n_replayed_creates++;
      respond_event (self, msg, SOUP_STATUS_CREATED, existing);
      return;
    }
  if (fail_write (self, msg))
    return;

  id = new_event_id ();
  uid = g_strdup_printf ("040000008200E00074C5B7101A82E008%s", id + 6);
  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "iCalUId", uid);
  json_object_set_string_member (object, "type", is_series (object) ? "seriesMaster" : "singleInstance");
  calsync_fake_graph_fill_recurrence (object);
  if (!calsync_fake_graph_store_event (self, calendar, json_object_ref (object)))
    g_error ("Fake Graph: a checked event was not stored");
  if (is_series (object))
    calsync_fake_graph_expand_series (self, calendar, g_hash_table_lookup (calendar->events, id));

  written (self, msg);
  respond_event (self, msg, SOUP_STATUS_CREATED, g_hash_table_lookup (calendar->events, id));
}

/* Update, delete -------------------------------------------------------------------------- */

/* Whether If-Match (if any) names @event's etag; answers 412 otherwise */
static gboolean
check_if_match (CalsyncFakeGraph  *self,
                SoupServerMessage *msg,
                FakeEvent         *event)
{
  const char *if_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "If-Match");
  const char *etag = json_object_get_string_member (event->version->object, "@odata.etag");

  if (if_match == NULL || g_str_equal (if_match, "*") || g_str_equal (if_match, etag))
    return TRUE;

  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_PRECONDITION_FAILED, "ErrorIrresolvableConflict",
                                    "The send or update operation could not be performed because the change "
                                    "key passed in the request does not match the current change key for the "
                                    "item.");
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

static void
update_event (CalsyncFakeGraph  *self,
              SoupServerMessage *msg,
              FakeCalendar      *calendar,
              FakeEvent         *event)
{
  g_autoptr(JsonObject) body = read_body (self, msg);
  g_autoptr(JsonObject) object = NULL;
  const char *type;

  if (body == NULL || !check_read_only (self, msg, body, TRUE) || !check_if_match (self, msg, event))
    return;

  type = json_object_get_string_member_with_default (event->version->object, "type", NULL);
  if (is_series (body) && (g_strcmp0 (type, "occurrence") == 0 || g_strcmp0 (type, "exception") == 0))
    {
      respond_invalid (self, msg, "ErrorInvalidRequest", "An occurrence of a series cannot have a recurrence.");
      return;
    }

  object = json_object_new ();
  merge_members (object, event->version->object);
  merge_members (object, body);
  /* The start's zone is the one sent (its date is the range's startDate) */
  if (json_object_has_member (body, "start"))
    json_object_remove_member (object, "originalStartTimeZone");
  if (!check_times (self, msg, object) || !calsync_fake_graph_check_recurrence (self, msg, object) ||
      fail_write (self, msg))
    return;

  for (guint i = 0; stamped_members[i] != NULL; i++)
    json_object_remove_member (object, stamped_members[i]);
  /* The zones the event was made in are the ones of the new times (the
   * start's is gone already) */
  if (json_object_has_member (body, "end"))
    json_object_remove_member (object, "originalEndTimeZone");
  type = json_object_get_string_member_with_default (object, "type", NULL);
  if (g_strcmp0 (type, "occurrence") == 0)
    json_object_set_string_member (object, "type", "exception");
  if (is_series (object))
    {
      json_object_set_string_member (object, "type", "seriesMaster");
      calsync_fake_graph_fill_recurrence (object);
    }

  if (!calsync_fake_graph_store_event (self, calendar, json_object_ref (object)))
    g_error ("Fake Graph: a checked event was not stored");
  if (is_series (object))
    calsync_fake_graph_expand_series (self, calendar, event);
  written (self, msg);
  respond_event (self, msg, SOUP_STATUS_OK, event);
}

static void
mark_deleted (CalsyncFakeGraph *self,
              FakeEvent        *event)
{
  event->deleted = TRUE;
  event->seq = ++self->seq;
}

static void
delete_event (CalsyncFakeGraph  *self,
              SoupServerMessage *msg,
              FakeCalendar      *calendar,
              FakeEvent         *event)
{
  GHashTableIter iter;
  FakeEvent *instance;

  if (!check_if_match (self, msg, event) || fail_write (self, msg))
    return;

  /* A series goes with its instances */
  if (event->version->master)
    {
      g_hash_table_iter_init (&iter, calendar->events);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &instance))
        if (!instance->deleted &&
            g_strcmp0 (json_object_get_string_member_with_default (instance->version->object, "seriesMasterId",
                                                                   NULL), event->id) == 0)
          mark_deleted (self, instance);
    }
  mark_deleted (self, event);

  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  written (self, msg);
}

/* Routing -------------------------------------------------------------------------------- */

static gboolean
check_can_edit (CalsyncFakeGraph  *self,
                SoupServerMessage *msg,
                FakeCalendar      *calendar)
{
  if (calendar->can_edit || g_str_equal (soup_server_message_get_method (msg), "GET"))
    return TRUE;

  calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_FORBIDDEN, "ErrorAccessDenied",
                                    "Access is denied. Check credentials and try again.");
  return FALSE;
}

void
calsync_fake_graph_serve_event (CalsyncFakeGraph  *self,
                                SoupServerMessage *msg,
                                FakeCalendar      *calendar,
                                const char        *event_id,
                                GHashTable        *params)
{
  const char *method = soup_server_message_get_method (msg);
  FakeEvent *event = NULL;

  if (g_hash_table_size (params) > 0)
    {
      calsync_fake_graph_respond_error (self, msg, 501, "NotImplemented",
                                        "The fake Graph does not implement query options on events.");
      return;
    }

  if (event_id != NULL && (event = calsync_fake_graph_find_event (self, event_id, &calendar)) == NULL)
    {
      respond_not_found (self, msg);
      return;
    }
  if (!check_can_edit (self, msg, calendar))
    return;

  if (event == NULL)
    create_event (self, msg, calendar);
  else if (g_str_equal (method, "GET"))
    respond_event (self, msg, SOUP_STATUS_OK, event);
  else if (g_str_equal (method, "PATCH"))
    update_event (self, msg, calendar, event);
  else if (g_str_equal (method, "DELETE"))
    delete_event (self, msg, calendar, event);
  else
    calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "BadRequest",
                                      "The HTTP method is not allowed on this resource.");
}
