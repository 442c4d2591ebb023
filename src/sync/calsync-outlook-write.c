/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-outlook-write.c: one local change written to Microsoft Graph.
 *
 * A create is `POST {api}/me/calendars/{id}/events` with a `transactionId`
 * made from the change's idempotency key: when the server took a first attempt
 * but its answer was lost, the retry is answered with the event the first one
 * made instead of a second one. An update is `PATCH {api}/me/events/{id}` and a
 * delete `DELETE {api}/me/events/{id}`, both with `If-Match` on the event's
 * `@odata.etag`; an occurrence of a series is changed through its own id (Graph
 * makes it an exception). Times go as `{dateTime, timeZone}` in the event's
 * zone under its Windows name (every Windows zone is accepted by create and
 * update; only some IANA names are), or in UTC for a zone Windows does not
 * name; all-day events as midnights with isAllDay. Attendees are never sent:
 * nobody is invited, or told, by surprise.
 *
 * A series imported from a file (CalsyncWrite's `whole`) goes as a
 * seriesMaster: its first instance's fields from DTSTART, a patternedRecurrence
 * from its RRULE (calsync-outlook-recurrence.c; a rule Graph cannot hold is
 * refused with the reason), and a transactionId from its UID and calendar: the
 * file imported again meets the series made the first time, whose answer is
 * then not what was sent, so it is updated (PATCH with If-Match). The
 * occurrences the file leaves out (EXDATE, cancelled overrides) are then
 * deleted through GET …/events/{id}/instances; its other overrides are not sent.
 * The result says `replaced`: the pull brings the server's occurrences.
 *
 * A 412 means the server's copy changed: it is fetched, and the newer side wins
 * by the server's lastModifiedDateTime against the local edit time (DESIGN.md,
 * Two-way sync) — ours by writing again on the fresh etag, a bounded number of
 * times. 403 and 404 refuse the change for good (the message names the
 * event); deleting what is gone already is done; the network, 5xx and 429
 * leave the change waiting. */
#define G_LOG_DOMAIN "calsync-outlook-write"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "calsync-outlook-private.h"
#include "calsync-text.h"
#include "calsync-windows-zones.h"

/* Conflicts met in one write before it gives up (the change waits) */
#define MAX_CONFLICTS 3
/* An answer holds one event: no more than this */
#define MAX_ANSWER (4 * 1024 * 1024)

typedef struct
{
  /* Owned references */
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
  CalsyncEvent *event;
  CalsyncWriteResult *result;

  CalsyncWriteKind kind;
  char *api_url;
  char *calendar_id;
  char *event_id;           /* update, delete: the event's own id */
  char *etag;               /* what the next write is conditional on */
  char *transaction_id;     /* create */
  gint64 local_updated;
  guint conflicts;
  gboolean blind;           /* the etag was not known: fetched first */
  gboolean won;

  /* A whole series (an imported file's) */
  gboolean whole;
  char *recurrence;         /* its patternedRecurrence (NULL: overrides only, one event) */
  GTimeZone *zone;          /* the zone its dates are in */
  GPtrArray *excluded;      /* "YYYY-MM-DD": occurrences deleted once it is made */
  GPtrArray *doomed;        /* ids of those occurrences */
  char *instances_uri;      /* the next page of the master's instances */
  gboolean checked;         /* a create's answer compared with what was sent */
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_clear_object (&data->http);
  g_clear_object (&data->credentials);
  g_clear_object (&data->event);
  g_clear_pointer (&data->result, calsync_write_result_free);
  g_free (data->api_url);
  g_free (data->calendar_id);
  g_free (data->event_id);
  g_free (data->etag);
  g_free (data->transaction_id);
  g_free (data->recurrence);
  g_clear_pointer (&data->zone, g_time_zone_unref);
  g_clear_pointer (&data->excluded, g_ptr_array_unref);
  g_clear_pointer (&data->doomed, g_ptr_array_unref);
  g_free (data->instances_uri);
  g_free (data);
}

/* Texts for people ------------------------------------------------------------------ */

/* What a refusal of Graph means for this change, or NULL when the change is to
 * wait (network, server errors, throttling, the sign-in) */
static GError *
refusal_for (WriteData    *data,
             const GError *error)
{
  const CalsyncRefusalTexts texts = {
    /* Translators: %s is the title of an event */
    .forbidden = _("Outlook does not let you change “%s”."),
    /* Translators: %s is the title of an event */
    .calendar_gone = _("The Outlook calendar of “%s” no longer exists."),
    /* Translators: %s is the title of an event */
    .event_gone = _("“%s” is no longer in Outlook."),
    /* Translators: %s is the title of an event */
    .bad_request = _("Outlook did not accept the change to “%s”."),
  };

  return calsync_write_refusal (error, data->kind, data->event, &texts);
}

static gboolean
is_gone (const GError *error)
{
  return g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_NOT_FOUND) ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_GONE);
}

/* What is sent ---------------------------------------------------------------------- */

/**
 * calsync_outlook_transaction_id:
 * @idempotency_key: (nullable): the change's key (CalsyncWrite)
 *
 * Returns: (transfer full) (nullable): a GUID-shaped text made from the key's
 *   SHA-256 ("1b4e28ba-2fa1-11d2-883f-0016d3cca427"), the same for every
 *   attempt of the change; %NULL without a key
 */
char *
calsync_outlook_transaction_id (const char *idempotency_key)
{
  g_autofree char *hash = NULL;

  if (idempotency_key == NULL || *idempotency_key == '\0')
    return NULL;

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, idempotency_key, -1);
  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s", hash, hash + 8, hash + 12, hash + 16, hash + 20);
}

static void
append_when (GString    *out,
             const char *member,
             const char *date_time,
             const char *zone_name)
{
  g_string_append_printf (out, ",\"%s\":{\"dateTime\":", member);
  calsync_json_append_string (out, date_time);
  g_string_append (out, ",\"timeZone\":");
  calsync_json_append_string (out, zone_name);
  g_string_append_c (out, '}');
}

/* The Windows name of @iana, with @zone loaded; "UTC" (and UTC) for a zone
 * Windows does not name */
static const char *
graph_zone (const char  *iana,
            GTimeZone  **zone)
{
  const char *windows = iana != NULL && !g_str_equal (iana, "UTC") ? calsync_windows_zone_from_iana (iana) : NULL;

  *zone = windows != NULL ? g_time_zone_new_identifier (iana) : NULL;
  if (*zone == NULL)
    {
      *zone = g_time_zone_new_utc ();
      return "UTC";
    }
  return windows;
}

static char *
local_date_time (gint64     unix_time,
                 GTimeZone *zone)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone (utc, zone) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%dT%H:%M:%S") : g_strdup ("1970-01-01T00:00:00");
}

static void
append_timed (GString      *out,
              CalsyncEvent *event)
{
  g_autoptr(GTimeZone) zone = NULL;
  const char *zone_name = graph_zone (calsync_event_get_time_zone (event), &zone);
  g_autofree char *start = local_date_time (calsync_event_get_start (event), zone);
  g_autofree char *end = local_date_time (MAX (calsync_event_get_end (event), calsync_event_get_start (event)),
                                          zone);

  g_string_append (out, ",\"isAllDay\":false");
  append_when (out, "start", start, zone_name);
  append_when (out, "end", end, zone_name);
}

/* The day after @date ("2026-12-24" → "2026-12-25") */
static char *
next_day (const char *date)
{
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) after = NULL;
  int y, m, d;

  if (date == NULL || sscanf (date, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
      (day = g_date_time_new_utc (y, m, d, 0, 0, 0)) == NULL)
    return NULL;
  after = g_date_time_add_days (day, 1);
  return g_date_time_format (after, "%Y-%m-%d");
}

/* Midnights of the dates, in the zone of this computer (where the person sees
 * them as whole days) */
static void
append_all_day (GString      *out,
                CalsyncEvent *event)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GTimeZone) zone = NULL;
  const char *zone_name = graph_zone (g_time_zone_get_identifier (local), &zone);
  const char *start_date = calsync_event_get_start_date (event);
  const char *end_date = calsync_event_get_end_date (event);
  g_autofree char *day_after = next_day (start_date);
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;

  if (end_date == NULL || start_date == NULL || g_strcmp0 (end_date, start_date) <= 0)
    end_date = day_after;
  start = g_strconcat (start_date ? start_date : "1970-01-01", "T00:00:00", NULL);
  end = g_strconcat (end_date ? end_date : "1970-01-02", "T00:00:00", NULL);

  g_string_append (out, ",\"isAllDay\":true");
  append_when (out, "start", start, zone_name);
  append_when (out, "end", end, zone_name);
}

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

/**
 * calsync_outlook_event_body:
 * @transaction_id: (nullable): a create's transactionId
 *
 * Returns: (transfer full): the JSON of @event as Graph's create and update
 *   take it: subject, body (text), location, start and end with their zone,
 *   isAllDay, showAs "tentative" for a tentative event; never attendees
 */
char *
calsync_outlook_event_body (CalsyncEvent *event,
                            const char   *transaction_id)
{
  return calsync_outlook_series_body (event, transaction_id, NULL);
}

/**
 * calsync_outlook_series_body:
 * @recurrence: (nullable): a patternedRecurrence (JSON), sent as `recurrence`
 *
 * Returns: (transfer full): calsync_outlook_event_body() with @recurrence
 */
char *
calsync_outlook_series_body (CalsyncEvent *event,
                             const char   *transaction_id,
                             const char   *recurrence)
{
  GString *out = g_string_new ("{\"subject\":");

  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);

  calsync_json_append_string (out, or_empty (calsync_event_get_title (event)));
  g_string_append (out, ",\"body\":{\"contentType\":\"text\",\"content\":");
  calsync_json_append_string (out, or_empty (calsync_event_get_description (event)));
  g_string_append (out, "},\"location\":{\"displayName\":");
  calsync_json_append_string (out, or_empty (calsync_event_get_location (event)));
  g_string_append_c (out, '}');

  if (calsync_event_get_all_day (event))
    append_all_day (out, event);
  else
    append_timed (out, event);

  if (calsync_event_get_status (event) == CALSYNC_EVENT_STATUS_TENTATIVE)
    g_string_append (out, ",\"showAs\":\"tentative\"");
  if (recurrence != NULL)
    g_string_append_printf (out, ",\"recurrence\":%s", recurrence);
  if (transaction_id != NULL)
    {
      g_string_append (out, ",\"transactionId\":");
      calsync_json_append_string (out, transaction_id);
    }

  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* Finishing -------------------------------------------------------------------------- */

static void
return_result (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  CalsyncWriteResult *result = g_steal_pointer (&data->result);

  if (result->outcome != CALSYNC_WRITE_OUTCOME_LOST)
    result->outcome = data->won ? CALSYNC_WRITE_OUTCOME_WON : CALSYNC_WRITE_OUTCOME_WRITTEN;
  if (result->remote_id == NULL)
    result->remote_id = g_strdup (data->event_id);
  g_task_return_pointer (task, result, (GDestroyNotify) calsync_write_result_free);
}

static void
return_deleted (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);

  data->result->deleted = TRUE;
  g_clear_pointer (&data->result->etag, g_free);
  g_clear_object (&data->result->server_event);
  return_result (task);
}

/* The server's copy (NULL: deleted there) stays */
static void
return_lost (GTask        *task,
             CalsyncEvent *server_event)
{
  WriteData *data = g_task_get_task_data (task);

  data->result->outcome = CALSYNC_WRITE_OUTCOME_LOST;
  g_clear_object (&data->result->server_event);
  g_clear_pointer (&data->result->etag, g_free);
  if (server_event != NULL)
    {
      data->result->server_event = g_object_ref (server_event);
      data->result->etag = g_strdup (calsync_event_get_etag (server_event));
    }
  data->result->deleted = server_event == NULL;
  return_result (task);
}

/* Requests ---------------------------------------------------------------------------- */

static char *
event_uri (WriteData *data)
{
  g_autofree char *escaped = g_uri_escape_string (data->event_id, NULL, FALSE);

  return g_strconcat (data->api_url, "/me/events/", escaped, NULL);
}

static CalsyncHttpRequest *
new_request (const char      *method,
             const char      *uri,
             CalsyncHttpBody  expect)
{
  CalsyncHttpRequest *request = calsync_http_request_new (method, uri);

  calsync_http_request_add_header (request, "Accept", "application/json");
  /* Times in the answer in UTC, as the pages have them */
  calsync_http_request_add_header (request, "Prefer", "outlook.timezone=\"UTC\"");
  calsync_http_request_set_expect (request, expect);
  calsync_http_request_set_max_body (request, MAX_ANSWER);
  calsync_http_request_set_rate_limit_func (request, calsync_outlook_is_rate_limit);
  return request;
}

static void
set_json_body (CalsyncHttpRequest *request,
               char               *json)
{
  g_autoptr(GBytes) bytes = g_bytes_new_take (json, strlen (json));

  calsync_http_request_set_body (request, "application/json", bytes);
}

static void
send (GTask               *task,
      CalsyncHttpRequest  *request,
      GAsyncReadyCallback  callback)
{
  WriteData *data = g_task_get_task_data (task);

  calsync_credentials_send_async (data->credentials, data->http, request, g_task_get_cancellable (task),
                                  callback, task);
}

/* Graph's errors in Outlook's words */
static CalsyncHttpResponse *
send_finish (GTask         *task,
             GAsyncResult  *result,
             GError       **error)
{
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) error_response = NULL;
  CalsyncHttpResponse *response;
  GError *local_error = NULL;

  response = calsync_credentials_send_finish (data->credentials, result, &error_response, &local_error);
  if (local_error != NULL)
    g_propagate_error (error, calsync_outlook_error_from_response (local_error, error_response));
  return response;
}

/* The event of an answer */
static CalsyncEvent *
answer_event (CalsyncHttpResponse  *response,
              GError              **error)
{
  gsize size = 0;
  const char *body = response->body != NULL ? g_bytes_get_data (response->body, &size) : NULL;

  if (body == NULL || size == 0)
    {
      g_propagate_error (error, calsync_outlook_malformed_error ());
      return NULL;
    }
  return calsync_outlook_parse_event (body, size, error);
}

/* Defined with the series below */
static void series_written (GTask *task, CalsyncHttpResponse *response);

/* The server took it: its copy, id and etag */
static void
take_answer (GTask               *task,
             CalsyncHttpResponse *response)
{
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncEvent) event = NULL;
  GError *error = NULL;

  if ((event = answer_event (response, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_free (data->result->remote_id);
  data->result->remote_id = g_strdup (calsync_event_get_external_id (event));
  g_free (data->result->etag);
  data->result->etag = g_strdup (calsync_event_get_etag (event));
  g_clear_object (&data->result->server_event);
  data->result->server_event = g_steal_pointer (&event);
  if (data->whole)
    series_written (task, response);
  else
    return_result (task);
}

static void fetch (GTask *task);

/* Create ------------------------------------------------------------------------------- */

static void
on_created (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  GError *refusal;

  if ((response = send_finish (task, result, &error)) != NULL)
    take_answer (task, response);
  else if ((refusal = refusal_for (data, error)) != NULL)
    g_task_return_error (task, refusal);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
create (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  g_autofree char *escaped = g_uri_escape_string (data->calendar_id, NULL, FALSE);
  g_autofree char *uri = g_strconcat (data->api_url, "/me/calendars/", escaped, "/events", NULL);
  g_autoptr(CalsyncHttpRequest) request = new_request ("POST", uri, CALSYNC_HTTP_BODY_JSON_BYTES);

  set_json_body (request, calsync_outlook_series_body (data->event, data->transaction_id, data->recurrence));
  g_debug ("POST an event into a calendar");
  send (task, request, on_created);
}

/* Update, delete ------------------------------------------------------------------------- */

static void
on_written (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  GError *refusal;

  if ((response = send_finish (task, result, &error)) != NULL)
    {
      if (data->kind == CALSYNC_WRITE_DELETE)
        return_deleted (task);
      else
        take_answer (task, response);
    }
  else if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_PRECONDITION))
    {
      if (++data->conflicts > MAX_CONFLICTS)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        fetch (g_steal_pointer (&task));
    }
  /* Deleting what is gone already is done */
  else if (data->kind == CALSYNC_WRITE_DELETE && is_gone (error))
    return_deleted (task);
  else if ((refusal = refusal_for (data, error)) != NULL)
    g_task_return_error (task, refusal);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* PATCH or DELETE, conditional on the etag */
static void
write_event (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  g_autofree char *uri = event_uri (data);
  gboolean delete = data->kind == CALSYNC_WRITE_DELETE;
  g_autoptr(CalsyncHttpRequest) request = new_request (delete ? "DELETE" : "PATCH", uri,
                                                       delete ? CALSYNC_HTTP_BODY_ANY : CALSYNC_HTTP_BODY_JSON_BYTES);

  if (data->etag != NULL)
    calsync_http_request_add_header (request, "If-Match", data->etag);
  if (!delete)
    set_json_body (request, calsync_outlook_series_body (data->event, NULL, data->recurrence));

  g_debug ("%s an event", delete ? "DELETE" : "PATCH");
  send (task, request, on_written);
}

/* A whole series ----------------------------------------------------------------------- */

static void write_event (GTask *task);

/* Whether @have holds what @want says: every member of an object (Graph adds
 * its defaults), arrays as sets, texts without regard to case */
static gboolean
json_holds (JsonNode *have,
            JsonNode *want)
{
  if (have == NULL || JSON_NODE_TYPE (have) != JSON_NODE_TYPE (want))
    return FALSE;

  switch (JSON_NODE_TYPE (want))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *have_object = json_node_get_object (have);
        JsonObjectIter iter;
        const char *name;
        JsonNode *value;

        json_object_iter_init (&iter, json_node_get_object (want));
        while (json_object_iter_next (&iter, &name, &value))
          if (!json_holds (json_object_get_member (have_object, name), value))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *have_array = json_node_get_array (have);
        JsonArray *want_array = json_node_get_array (want);

        if (json_array_get_length (have_array) != json_array_get_length (want_array))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (want_array); i++)
          {
            gboolean found = FALSE;

            for (guint j = 0; j < json_array_get_length (have_array) && !found; j++)
              found = json_holds (json_array_get_element (have_array, j), json_array_get_element (want_array, i));
            if (!found)
              return FALSE;
          }
        return TRUE;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (want) == G_TYPE_STRING)
        return json_node_get_value_type (have) == G_TYPE_STRING &&
               g_ascii_strcasecmp (json_node_get_string (have), json_node_get_string (want)) == 0;
      if (json_node_get_value_type (want) == G_TYPE_INT64)
        return json_node_get_value_type (have) == G_TYPE_INT64 && json_node_get_int (have) == json_node_get_int (want);
      return json_node_equal (have, want);
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

static gboolean
same_text (const char *a,
           const char *b)
{
  return g_strcmp0 (a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Whether the event a create was answered with is the one sent: a create whose
 * transactionId met the series an earlier import made is answered with that
 * one, as it is */
static gboolean
answer_is_sent (WriteData           *data,
                CalsyncHttpResponse *response)
{
  CalsyncEvent *sent = data->event;
  CalsyncEvent *got = data->result->server_event;
  gsize size = 0;
  const char *body = g_bytes_get_data (response->body, &size);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) want = NULL;
  g_autofree char *text = NULL;
  JsonNode *have;

  if (!same_text (calsync_event_get_title (sent), calsync_event_get_title (got)) ||
      !same_text (calsync_event_get_description (sent), calsync_event_get_description (got)) ||
      !same_text (calsync_event_get_location (sent), calsync_event_get_location (got)) ||
      calsync_event_get_all_day (sent) != calsync_event_get_all_day (got))
    return FALSE;
  if (calsync_event_get_all_day (sent)
      ? g_strcmp0 (calsync_event_get_start_date (sent), calsync_event_get_start_date (got)) != 0 ||
        g_strcmp0 (calsync_event_get_end_date (sent), calsync_event_get_end_date (got)) != 0
      : calsync_event_get_start (sent) != calsync_event_get_start (got) ||
        calsync_event_get_end (sent) != calsync_event_get_end (got))
    return FALSE;

  text = body != NULL ? g_strndup (body, size) : NULL;
  if (text == NULL || (answer = json_from_string (text, NULL)) == NULL)
    return FALSE;
  have = JSON_NODE_HOLDS_OBJECT (answer) ? json_object_get_member (json_node_get_object (answer), "recurrence")
                                         : NULL;
  if (data->recurrence == NULL)
    return have == NULL || JSON_NODE_HOLDS_NULL (have);
  want = json_from_string (data->recurrence, NULL);
  return want != NULL && json_holds (have, want);
}

static void delete_next (GTask *task);
static void list_instances (GTask *task);

static void
on_occurrence_deleted (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  GError *refusal;

  if ((response = send_finish (task, result, &error)) != NULL || is_gone (error))
    delete_next (g_steal_pointer (&task));
  else if ((refusal = refusal_for (data, error)) != NULL)
    g_task_return_error (task, refusal);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* DELETE the occurrences the file leaves out, one by one (takes @task) */
static void
delete_next (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  g_autofree char *id = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(CalsyncHttpRequest) request = NULL;

  if (data->doomed == NULL || data->doomed->len == 0)
    {
      return_result (task);
      g_object_unref (task);
      return;
    }

  id = g_ptr_array_steal_index (data->doomed, data->doomed->len - 1);
  escaped = g_uri_escape_string (id, NULL, FALSE);
  uri = g_strconcat (data->api_url, "/me/events/", escaped, NULL);
  request = new_request ("DELETE", uri, CALSYNC_HTTP_BODY_ANY);
  g_debug ("DELETE an occurrence the file leaves out");
  send (task, request, on_occurrence_deleted);
}

/* The date of an instance of the master's list, in the series' zone */
static char *
instance_date (WriteData  *data,
               JsonObject *instance)
{
  JsonObject *start = json_object_get_object_member (instance, "start");
  const char *text = start != NULL ? json_object_get_string_member_with_default (start, "dateTime", NULL) : NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (text == NULL || strlen (text) < 10)
    return NULL;
  if (json_object_get_boolean_member_with_default (instance, "isAllDay", FALSE))
    return g_strndup (text, 10);
  if ((dt = g_date_time_new_from_iso8601 (text, utc)) == NULL)
    return NULL;
  local = g_date_time_to_timezone (dt, data->zone);
  return g_date_time_format (local, "%Y-%m-%d");
}

static gboolean
is_excluded (WriteData  *data,
             const char *date)
{
  for (guint i = 0; date != NULL && i < data->excluded->len; i++)
    if (g_str_equal (g_ptr_array_index (data->excluded, i), date))
      return TRUE;
  return FALSE;
}

static void
on_instances (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonObject *page;
  JsonArray *value;
  GError *refusal;
  gsize size = 0;
  const char *body;

  if ((response = send_finish (task, result, &error)) == NULL)
    {
      if ((refusal = refusal_for (data, error)) != NULL)
        g_task_return_error (task, refusal);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  body = response->body != NULL ? g_bytes_get_data (response->body, &size) : NULL;
  text = body != NULL ? g_strndup (body, size) : NULL;
  if (text == NULL || (root = json_from_string (text, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (value = json_object_get_array_member (page = json_node_get_object (root), "value")) == NULL)
    {
      g_task_return_error (task, calsync_outlook_malformed_error ());
      return;
    }

  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonNode *node = json_array_get_element (value, i);
      JsonObject *instance = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = instance ? json_object_get_string_member_with_default (instance, "id", NULL) : NULL;
      g_autofree char *date = instance ? instance_date (data, instance) : NULL;

      if (id != NULL && is_excluded (data, date))
        g_ptr_array_add (data->doomed, g_strdup (id));
    }

  g_clear_pointer (&data->instances_uri, g_free);
  data->instances_uri = g_strdup (json_object_get_string_member_with_default (page, "@odata.nextLink", NULL));
  if (data->instances_uri != NULL && g_str_has_prefix (data->instances_uri, data->api_url))
    list_instances (g_steal_pointer (&task));
  else
    delete_next (g_steal_pointer (&task));
}

/* GET the master's instances around the dates the file leaves out (takes @task) */
static void
list_instances (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpRequest) request = NULL;

  if (data->instances_uri == NULL)
    {
      const char *first = NULL, *last = NULL;
      g_autoptr(GDateTime) from = NULL;
      g_autoptr(GDateTime) to = NULL;
      g_autofree char *escaped = g_uri_escape_string (data->result->remote_id, NULL, FALSE);
      g_autofree char *from_text = NULL;
      g_autofree char *to_text = NULL;
      int y, m, d;

      for (guint i = 0; i < data->excluded->len; i++)
        {
          const char *date = g_ptr_array_index (data->excluded, i);

          if (first == NULL || strcmp (date, first) < 0)
            first = date;
          if (last == NULL || strcmp (date, last) > 0)
            last = date;
        }
      /* A day more on each side: the dates are the zone's, the window UTC */
      if (sscanf (first, "%4d-%2d-%2d", &y, &m, &d) == 3 && (from = g_date_time_new_utc (y, m, d, 0, 0, 0)))
        from_text = g_date_time_format (from, "%Y-%m-%dT00:00:00Z");
      if (sscanf (last, "%4d-%2d-%2d", &y, &m, &d) == 3 && (to = g_date_time_new_utc (y, m, d, 0, 0, 0)))
        {
          g_autoptr(GDateTime) after = g_date_time_add_days (to, 2);

          to_text = g_date_time_format (after, "%Y-%m-%dT00:00:00Z");
        }
      if (from_text == NULL || to_text == NULL)
        {
          return_result (task);
          g_object_unref (task);
          return;
        }
      {
        g_autoptr(GDateTime) before = g_date_time_add_days (from, -1);

        g_free (from_text);
        from_text = g_date_time_format (before, "%Y-%m-%dT00:00:00Z");
      }
      data->instances_uri = g_strdup_printf ("%s/me/events/%s/instances?startDateTime=%s&endDateTime=%s",
                                             data->api_url, escaped, from_text, to_text);
    }

  request = new_request ("GET", data->instances_uri, CALSYNC_HTTP_BODY_JSON_BYTES);
  g_debug ("GET the instances of a series");
  send (task, request, on_instances);
}

/* The series' master is on the server as the file has it (or was made by an
 * earlier import: updated first); the occurrences the file leaves out go.
 * @task is borrowed, as by take_answer() */
static void
series_written (GTask               *task,
                CalsyncHttpResponse *response)
{
  WriteData *data = g_task_get_task_data (task);

  if (data->kind == CALSYNC_WRITE_CREATE && !data->checked)
    {
      data->checked = TRUE;
      if (!answer_is_sent (data, response))
        {
          g_debug ("The series was made by an earlier import: updated");
          data->kind = CALSYNC_WRITE_UPDATE;
          g_free (data->event_id);
          data->event_id = g_strdup (data->result->remote_id);
          g_free (data->etag);
          data->etag = g_strdup (data->result->etag);
          g_clear_pointer (&data->transaction_id, g_free);
          write_event (g_object_ref (task));
          return;
        }
    }

  /* The rows stored for it go; the pull brings the server's instances */
  data->result->replaced = TRUE;
  if (data->recurrence != NULL && data->excluded->len > 0)
    {
      data->doomed = g_ptr_array_new_with_free_func (g_free);
      list_instances (g_object_ref (task));
    }
  else
    return_result (task);
}

/* Conflicts ------------------------------------------------------------------------------- */

/* A conflict is settled by the times: an older server copy is written over
 * (takes @task) */
static void
settle (GTask        *task,
        CalsyncEvent *server_event)
{
  WriteData *data = g_task_get_task_data (task);

  /* An earlier attempt whose answer was lost (a crash between Graph's
   * acceptance and the local commit) wrote it: done, no conflict */
  if (data->kind == CALSYNC_WRITE_UPDATE && !data->whole && data->recurrence == NULL &&
      calsync_write_holds_change (server_event, data->event))
    {
      g_debug ("Conflict: the server's copy holds the change already");
      g_clear_object (&data->result->server_event);
      data->result->server_event = g_object_ref (server_event);
      g_free (data->result->etag);
      data->result->etag = g_strdup (calsync_event_get_etag (server_event));
      return_result (task);
      g_object_unref (task);
      return;
    }

  if (calsync_event_get_remote_updated (server_event) >= data->local_updated)
    {
      g_debug ("Conflict: the server's copy is newer");
      return_lost (task, server_event);
      g_object_unref (task);
      return;
    }

  g_debug ("Conflict: the local edit is newer");
  data->won = !data->blind;
  data->blind = FALSE;
  g_free (data->etag);
  data->etag = g_strdup (calsync_event_get_etag (server_event));
  write_event (task);
}

static void
on_fetched (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CalsyncEvent) server_event = NULL;
  g_autoptr(GError) error = NULL;
  GError *refusal;

  if ((response = send_finish (task, result, &error)) == NULL)
    {
      /* Deleted there: a delete here agrees, an edit here lost */
      if (is_gone (error) && data->kind == CALSYNC_WRITE_DELETE)
        return_deleted (task);
      else if (is_gone (error) && !data->blind)
        return_lost (task, NULL);
      else if ((refusal = refusal_for (data, error)) != NULL)
        g_task_return_error (task, refusal);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if ((server_event = answer_event (response, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  settle (g_steal_pointer (&task), server_event);
}

/* GET the event: its etag and lastModifiedDateTime now */
static void
fetch (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  g_autofree char *uri = event_uri (data);
  g_autoptr(CalsyncHttpRequest) request = new_request ("GET", uri, CALSYNC_HTTP_BODY_JSON_BYTES);

  g_debug ("GET an event");
  send (task, request, on_fetched);
}

/* Starting ------------------------------------------------------------------------------- */

static WriteData *
write_data_new (CalsyncHttp        *http,
                CalsyncCredentials *credentials,
                const char         *api_url,
                const char         *calendar_id,
                const CalsyncWrite *write)
{
  WriteData *data = g_new0 (WriteData, 1);
  const char *id = calsync_event_get_external_id (write->event);

  data->http = g_object_ref (http);
  data->credentials = g_object_ref (credentials);
  data->event = g_object_ref (write->event);
  data->result = calsync_write_result_new ();
  data->kind = write->kind;
  data->api_url = g_strdup (api_url);
  data->calendar_id = g_strdup (calendar_id);
  data->event_id = write->kind != CALSYNC_WRITE_CREATE && id != NULL && *id != '\0' ? g_strdup (id) : NULL;
  data->etag = write->kind != CALSYNC_WRITE_CREATE && write->etag != NULL && *write->etag != '\0'
               ? g_strdup (write->etag) : NULL;
  data->transaction_id = write->kind == CALSYNC_WRITE_CREATE
                         ? calsync_outlook_transaction_id (write->idempotency_key) : NULL;
  data->local_updated = write->local_updated;
  return data;
}

/* A whole series: what goes of it (the master from DTSTART, its
 * patternedRecurrence, the dates it leaves out), or a refusal */
static GError *
prepare_series (WriteData          *data,
                const CalsyncWrite *write)
{
  CalsyncEvent *first = write->event;
  const char *uid = calsync_event_get_recurring_event_id (first);
  g_autoptr(CalsyncOutlookSeries) series = NULL;
  g_autoptr(GTimeZone) local = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *title = NULL;
  g_autofree char *key = NULL;
  const char *zone_name;

  if (uid == NULL)
    uid = calsync_event_get_external_id (first);
  if (calsync_event_get_all_day (first))
    {
      local = g_time_zone_new_local ();
      zone_name = graph_zone (g_time_zone_get_identifier (local), &data->zone);
    }
  else
    zone_name = graph_zone (calsync_event_get_time_zone (first), &data->zone);

  series = calsync_outlook_series_from_ics (write->resource_text, first, data->zone, zone_name, &reason);
  if (series == NULL)
    {
      title = calsync_write_shown_title (first);
      /* Translators: the first %s is the title of an event, the second why Outlook
       * cannot hold its recurrence ("several times a day", "on several days of the
       * month", "on extra dates (RDATE)") */
      return calsync_write_refused_error (_("“%s” repeats %s: Outlook cannot store such a series, so it was not sent. "
                              "Import the file in Outlook instead."), title, reason);
    }

  data->whole = TRUE;
  data->recurrence = g_steal_pointer (&series->recurrence_json);
  data->excluded = g_steal_pointer (&series->excluded);
  if (series->n_overrides > 0)
    g_debug ("%u changed instances of the series are sent as the rule makes them", series->n_overrides);

  if (data->recurrence != NULL && series->start != NULL)
    {
      /* The master starts where the series does, as long as its first instance */
      g_autoptr(CalsyncEvent) master = calsync_event_copy (first);

      if (calsync_event_get_all_day (first))
        {
          g_autoptr(GDate) start = g_date_new ();
          g_autoptr(GDate) end = g_date_new ();
          g_autoptr(GDateTime) last = NULL;
          g_autofree char *start_date = g_date_time_format (series->start, "%Y-%m-%d");
          g_autofree char *end_date = NULL;
          int days = 1;

          g_date_set_parse (start, calsync_event_get_start_date (first));
          g_date_set_parse (end, calsync_event_get_end_date (first) ? calsync_event_get_end_date (first) : "");
          if (g_date_valid (start) && g_date_valid (end))
            days = MAX (1, g_date_days_between (start, end));
          last = g_date_time_add_days (series->start, days);
          end_date = g_date_time_format (last, "%Y-%m-%d");
          calsync_event_set_dates (master, start_date, end_date);
        }
      else
        {
          gint64 start = g_date_time_to_unix (series->start);

          calsync_event_set_times (master, start,
                                   start + MAX (0, calsync_event_get_end (first) - calsync_event_get_start (first)),
                                   calsync_event_get_time_zone (first));
        }
      g_set_object (&data->event, master);
    }

  if (write->kind == CALSYNC_WRITE_CREATE)
    {
      /* From the UID (and the calendar): a retry, or the file imported again,
       * meets the series the first attempt made */
      key = g_strdup_printf ("uid:%s/%s", data->calendar_id ? data->calendar_id : "", uid ? uid : "");
      g_free (data->transaction_id);
      data->transaction_id = calsync_outlook_transaction_id (key);
    }
  else
    {
      /* Imported again over the server's instances: their master, fetched
       * first (an instance's etag is not the master's) */
      const char *master_id = calsync_event_get_recurring_event_id (first);

      g_free (data->event_id);
      data->event_id = g_strdup (master_id != NULL ? master_id : calsync_event_get_external_id (first));
      g_clear_pointer (&data->etag, g_free);
    }
  return NULL;
}

/**
 * calsync_outlook_write_async:
 * @api_url: Graph's address ("https://graph.microsoft.com/v1.0")
 * @calendar_id: the Graph id of the calendar (a create goes there)
 *
 * Sends @write (see calsync_provider_write_event_async()). A whole series
 * (@write's `whole`: an imported file's recurring event) is created as a
 * seriesMaster with its patternedRecurrence (a rule Graph cannot hold is
 * refused with %CALSYNC_SYNC_ERROR_WRITE_REFUSED and the reason), with a
 * transactionId from its UID: imported again, the create meets the series made
 * the first time, which is then updated. The occurrences the file leaves out
 * (EXDATE, cancelled overrides) are deleted; its other overrides are not sent
 * (the instances are as the rule makes them). The result says `replaced`.
 */
void
calsync_outlook_write_async (CalsyncHttp          *http,
                             CalsyncCredentials   *credentials,
                             const char           *api_url,
                             const char           *calendar_id,
                             const CalsyncWrite   *write,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *title = NULL;
  GError *refusal = NULL;
  WriteData *data;

  g_return_if_fail (CALSYNC_IS_HTTP (http));
  g_return_if_fail (CALSYNC_IS_CREDENTIALS (credentials));
  g_return_if_fail (api_url != NULL);
  g_return_if_fail (write != NULL && CALSYNC_IS_EVENT (write->event));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_outlook_write_async);
  data = write_data_new (http, credentials, api_url, calendar_id, write);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
  title = calsync_write_shown_title (write->event);

  if (write->whole && (refusal = prepare_series (data, write)) != NULL)
    g_task_return_error (task, refusal);
  else if (write->kind == CALSYNC_WRITE_CREATE && (calendar_id == NULL || *calendar_id == '\0'))
    g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                             _("This calendar is not linked to an Outlook calendar."));
  else if (write->kind == CALSYNC_WRITE_CREATE)
    create (g_steal_pointer (&task));
  else if (data->event_id == NULL)
    /* Translators: %s is the title of an event */
    g_task_return_error (task, calsync_write_refused_error (_("“%s” is no longer in Outlook."), title));
  else if (data->etag == NULL)
    {
      /* Without the etag the write would not be conditional: fetched first */
      data->blind = TRUE;
      fetch (g_steal_pointer (&task));
    }
  else
    write_event (g_steal_pointer (&task));
}

/**
 * calsync_outlook_write_finish:
 *
 * Returns: (transfer full): what the server has now, or %NULL with @error set
 */
CalsyncWriteResult *
calsync_outlook_write_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
