/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-google-write.c: one local change written to a Google calendar.
 *
 * Google Calendar API v3: events.insert (`POST …/events`), events.patch
 * (`PATCH …/events/{eventId}`) and events.delete (`DELETE …/events/{eventId}`),
 * each conditional on the event's etag with `If-Match` (a stale one → 412).
 * A create chooses the event's `id` itself, derived from the write's
 * idempotency key: when the answer to a create is lost (a crash, the network)
 * the retry meets 409 "duplicate" and reads back what the first attempt made.
 * Instances of a series are edited and cancelled through their own ids.
 * Attendees are never sent (no invitation mail by surprise); `sendUpdates` is
 * `all` only when the person asked for it.
 *
 * The steps: write → [412: GET → settle → write again] → the server's copy
 * as the answer gives it. */
#define G_LOG_DOMAIN "calsync-google-write"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "calsync-google-provider.h"
#include "calsync-google-write.h"

/* Conflicts met in one write before it gives up (the change waits) */
#define MAX_CONFLICTS 3
/* An answer with one event is at most this large */
#define MAX_EVENT_BODY (4 * 1024 * 1024)

typedef struct
{
  /* Owned references */
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
  CalsyncEvent *event;

  CalsyncWriteKind kind;
  char *events_url;         /* {api}/calendars/{calendarId}/events */
  char *event_id;           /* the event's (a create's: chosen here) */
  char *etag;               /* what the next write is conditional on */
  const char *send_updates; /* static: "all" or "none" */
  GPtrArray *recurrence;    /* a whole series: its rules and dates; else NULL */
  gint64 local_updated;
  guint conflicts;
  gboolean won;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_clear_object (&data->http);
  g_clear_object (&data->credentials);
  g_clear_object (&data->event);
  g_free (data->events_url);
  g_free (data->event_id);
  g_free (data->etag);
  g_clear_pointer (&data->recurrence, g_ptr_array_unref);
  g_free (data);
}

/* Ids and recurrence -------------------------------------------------------------- */

char *
calsync_google_event_id_for (const char *idempotency_key)
{
  g_return_val_if_fail (idempotency_key != NULL, NULL);

  /* "characters allowed are those used in base32hex encoding, i.e. lowercase
   * letters a-v and digits 0-9"; a SHA-256 in lower-case hex is such an id */
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, idempotency_key, -1);
}

static gboolean
is_recurrence_line (const char *line)
{
  static const char * const names[] = { "RRULE", "EXRULE", "RDATE", "EXDATE" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize length = strlen (names[i]);

      if (g_ascii_strncasecmp (line, names[i], length) == 0 && (line[length] == ':' || line[length] == ';'))
        return TRUE;
    }
  return FALSE;
}

GPtrArray *
calsync_google_recurrence_from_ics (const char *ics)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) raw = NULL;
  gboolean in_event = FALSE, is_override = FALSE;
  guint event_start = 0;

  if (ics == NULL)
    return found;

  /* Unfolded content lines (RFC 5545 3.1) */
  raw = g_strsplit (ics, "\n", -1);
  for (guint i = 0; raw[i] != NULL; i++)
    {
      char *line = raw[i];
      gsize length = strlen (line);

      if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';
      if ((line[0] == ' ' || line[0] == '\t') && lines->len > 0)
        {
          char *joined = g_strconcat (g_ptr_array_index (lines, lines->len - 1), line + 1, NULL);

          g_free (lines->pdata[lines->len - 1]);
          lines->pdata[lines->len - 1] = joined;
        }
      else
        g_ptr_array_add (lines, g_strdup (line));
    }

  /* The first VEVENT without a RECURRENCE-ID is the master */
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);

      if (g_ascii_strcasecmp (line, "BEGIN:VEVENT") == 0)
        {
          in_event = TRUE;
          is_override = FALSE;
          event_start = found->len;
        }
      else if (!in_event)
        continue;
      else if (g_ascii_strcasecmp (line, "END:VEVENT") == 0)
        {
          if (!is_override)
            break;
          g_ptr_array_set_size (found, event_start);
          in_event = FALSE;
        }
      else if (g_ascii_strncasecmp (line, "RECURRENCE-ID", 13) == 0)
        is_override = TRUE;
      else if (is_recurrence_line (line))
        g_ptr_array_add (found, g_strdup (line));
    }

  if (in_event && is_override)
    g_ptr_array_set_size (found, event_start);
  return found;
}

/* Errors -------------------------------------------------------------------------- */

/* What a refusal of Google means for this change, or NULL when the change is
 * to wait (network, server errors, the sign-in) */
static GError *
refusal_for (WriteData    *data,
             const GError *error)
{
  const CalsyncRefusalTexts texts = {
    /* Translators: %s is the title of an event */
    .forbidden = _("Google does not let you change “%s”: you may only read its calendar."),
    /* Translators: %s is the title of an event */
    .calendar_gone = _("The calendar of “%s” is no longer on Google."),
    /* Translators: %s is the title of an event */
    .event_gone = _("“%s” is no longer on Google."),
    /* Translators: %s is the title of an event */
    .bad_request = _("Google did not accept the change to “%s”."),
  };

  return calsync_write_refusal (error, data->kind, data->event, &texts);
}

/* Bodies -------------------------------------------------------------------------- */

static void
add_string_or_empty (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

/* start or end: a date for an all-day event, else dateTime with its time zone.
 * A patch clears the other member (null), or Google would keep both. */
static void
add_when (JsonBuilder  *builder,
          const char   *member,
          CalsyncEvent *event,
          gboolean      end,
          gboolean      clear_other)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);

  if (calsync_event_get_all_day (event))
    {
      const char *date = end ? calsync_event_get_end_date (event) : calsync_event_get_start_date (event);

      json_builder_set_member_name (builder, "date");
      json_builder_add_string_value (builder, date);
      if (clear_other)
        {
          json_builder_set_member_name (builder, "dateTime");
          json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "timeZone");
          json_builder_add_null_value (builder);
        }
    }
  else
    {
      const char *zone_id = calsync_event_get_time_zone (event);
      g_autoptr(GTimeZone) zone = zone_id != NULL ? g_time_zone_new_identifier (zone_id) : NULL;
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (end ? calsync_event_get_end (event)
                                                                    : calsync_event_get_start (event));
      g_autoptr(GDateTime) local = NULL;
      g_autofree char *text = NULL;

      if (zone == NULL)
        {
          zone = g_time_zone_new_utc ();
          zone_id = "UTC";
        }
      local = g_date_time_to_timezone (utc, zone);
      text = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");

      json_builder_set_member_name (builder, "dateTime");
      json_builder_add_string_value (builder, text);
      json_builder_set_member_name (builder, "timeZone");
      json_builder_add_string_value (builder, zone_id);
      if (clear_other)
        {
          json_builder_set_member_name (builder, "date");
          json_builder_add_null_value (builder);
        }
    }

  json_builder_end_object (builder);
}

/* What is written: the fields CalSync edits, never attendees */
static GBytes *
event_body (WriteData *data,
            gboolean   create)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (builder);
  if (create)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, data->event_id);
    }
  add_string_or_empty (builder, "summary", calsync_event_get_title (data->event));
  add_string_or_empty (builder, "description", calsync_event_get_description (data->event));
  add_string_or_empty (builder, "location", calsync_event_get_location (data->event));
  add_when (builder, "start", data->event, FALSE, !create);
  add_when (builder, "end", data->event, TRUE, !create);
  if (calsync_event_get_status (data->event) == CALSYNC_EVENT_STATUS_TENTATIVE)
    {
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, "tentative");
    }
  if (data->recurrence != NULL)
    {
      json_builder_set_member_name (builder, "recurrence");
      json_builder_begin_array (builder);
      for (guint i = 0; i < data->recurrence->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (data->recurrence, i));
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

/* Requests ------------------------------------------------------------------------ */

static char *
event_url (WriteData *data)
{
  g_autofree char *escaped = g_uri_escape_string (data->event_id, NULL, FALSE);

  return g_strdup_printf ("%s/%s", data->events_url, escaped);
}

static CalsyncHttpRequest *
new_request (WriteData  *data,
             const char *method,
             const char *url)
{
  CalsyncHttpRequest *request = calsync_http_request_new (method, url);

  calsync_http_request_add_header (request, "Accept", "application/json");
  calsync_http_request_set_max_body (request, MAX_EVENT_BODY);
  calsync_http_request_set_rate_limit_func (request, calsync_google_response_is_rate_limit);
  return request;
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

/* The answer, or NULL with @error set; *@status is the HTTP status either way
 * (0 when nothing came back) */
static CalsyncHttpResponse *
send_finish (GTask         *task,
             GAsyncResult  *result,
             guint         *status,
             GError       **error)
{
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) error_response = NULL;
  CalsyncHttpResponse *response;

  response = calsync_credentials_send_finish (data->credentials, result, &error_response, error);
  *status = response != NULL ? response->status : error_response != NULL ? error_response->status : 0;
  return response;
}

/* The event an answer carries, or NULL with @error set */
static CalsyncEvent *
response_event (CalsyncHttpResponse  *response,
                GError              **error)
{
  gsize size = 0;
  const char *bytes = response->body != NULL ? g_bytes_get_data (response->body, &size) : NULL;

  if (bytes == NULL)
    {
      g_set_error_literal (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED,
                           _("Google sent an answer CalSync could not read. Your events were left as they were."));
      return NULL;
    }
  return calsync_google_parse_event (bytes, size, NULL, error);
}

/* Finishing ----------------------------------------------------------------------- */

static void
return_event (GTask        *task,
              CalsyncEvent *server_event)
{
  WriteData *data = g_task_get_task_data (task);
  CalsyncWriteResult *result = calsync_write_result_new ();

  result->outcome = data->won ? CALSYNC_WRITE_OUTCOME_WON : CALSYNC_WRITE_OUTCOME_WRITTEN;
  result->remote_id = g_strdup (calsync_event_get_external_id (server_event));
  result->etag = g_strdup (calsync_event_get_etag (server_event));
  result->server_event = g_object_ref (server_event);
  result->replaced = data->recurrence != NULL;
  g_task_return_pointer (task, result, (GDestroyNotify) calsync_write_result_free);
}

static void
return_deleted (GTask   *task,
                gboolean lost)
{
  WriteData *data = g_task_get_task_data (task);
  CalsyncWriteResult *result = calsync_write_result_new ();

  result->outcome = lost ? CALSYNC_WRITE_OUTCOME_LOST
                         : data->won ? CALSYNC_WRITE_OUTCOME_WON : CALSYNC_WRITE_OUTCOME_WRITTEN;
  result->remote_id = g_strdup (data->event_id);
  result->deleted = TRUE;
  g_task_return_pointer (task, result, (GDestroyNotify) calsync_write_result_free);
}

/* The server's copy stays */
static void
return_lost (GTask        *task,
             CalsyncEvent *server_event)
{
  CalsyncWriteResult *result = calsync_write_result_new ();

  result->outcome = CALSYNC_WRITE_OUTCOME_LOST;
  result->remote_id = g_strdup (calsync_event_get_external_id (server_event));
  result->etag = g_strdup (calsync_event_get_etag (server_event));
  result->server_event = g_object_ref (server_event);
  g_task_return_pointer (task, result, (GDestroyNotify) calsync_write_result_free);
}

static void
return_failure (GTask   *task,
                GError  *error)
{
  WriteData *data = g_task_get_task_data (task);
  GError *refusal = refusal_for (data, error);

  if (refusal != NULL)
    {
      g_error_free (error);
      error = refusal;
    }
  g_task_return_error (task, error);
}

/* Writing ------------------------------------------------------------------------- */

static void write_change (GTask *task);
static void fetch (GTask *task, GAsyncReadyCallback callback);

static gboolean
is_gone_status (guint status)
{
  return status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE;
}

/* After a 412: the server's copy decides (DESIGN.md, Two-way sync) */
static void
on_conflict_fetched (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CalsyncEvent) server_event = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  response = send_finish (task, result, &status, &error);
  if (response == NULL && is_gone_status (status))
    {
      /* Deleted on the server meanwhile: a delete is done, an edit lost */
      return_deleted (task, data->kind != CALSYNC_WRITE_DELETE);
      return;
    }
  if (response == NULL || (server_event = response_event (response, &error)) == NULL)
    {
      return_failure (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("Conflict: Google's copy updated at %" G_GINT64_FORMAT ", the edit here at %" G_GINT64_FORMAT,
           calsync_event_get_remote_updated (server_event), data->local_updated);
  if (calsync_event_get_status (server_event) == CALSYNC_EVENT_STATUS_CANCELLED)
    return_deleted (task, data->kind != CALSYNC_WRITE_DELETE);
  else if (data->kind == CALSYNC_WRITE_UPDATE && data->recurrence == NULL &&
           calsync_write_holds_change (server_event, data->event))
    return_event (task, server_event);
  else if (calsync_event_get_remote_updated (server_event) >= data->local_updated)
    return_lost (task, server_event);
  else
    {
      /* Ours is newer: made again over the server's copy */
      g_free (data->etag);
      data->etag = g_strdup (calsync_event_get_etag (server_event));
      data->won = TRUE;
      write_change (g_steal_pointer (&task));
    }
}

/* After a 409 on a create: the event with the id chosen here exists, made by an
 * earlier attempt whose answer was lost */
static void
on_existing_fetched (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CalsyncEvent) server_event = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  response = send_finish (task, result, &status, &error);
  if (response == NULL && is_gone_status (status))
    {
      /* Made, then deleted on the server before this computer heard of it */
      return_deleted (task, TRUE);
      return;
    }
  if (response == NULL || (server_event = response_event (response, &error)) == NULL)
    {
      return_failure (task, g_steal_pointer (&error));
      return;
    }

  if (calsync_event_get_status (server_event) == CALSYNC_EVENT_STATUS_CANCELLED)
    return_deleted (task, TRUE);
  else if (data->recurrence != NULL)
    {
      /* A series imported again: its event is updated in place */
      data->kind = CALSYNC_WRITE_UPDATE;
      g_free (data->etag);
      data->etag = g_strdup (calsync_event_get_etag (server_event));
      write_change (g_steal_pointer (&task));
    }
  else
    return_event (task, server_event);
}

static void
on_written (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CalsyncEvent) server_event = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  response = send_finish (task, result, &status, &error);

  if (response != NULL && data->kind == CALSYNC_WRITE_DELETE)
    return_deleted (task, FALSE);
  else if (response != NULL)
    {
      if ((server_event = response_event (response, &error)) != NULL)
        return_event (task, server_event);
      else
        return_failure (task, g_steal_pointer (&error));
    }
  else if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_PRECONDITION))
    {
      if (++data->conflicts > MAX_CONFLICTS)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        fetch (g_steal_pointer (&task), on_conflict_fetched);
    }
  else if (data->kind == CALSYNC_WRITE_CREATE && status == SOUP_STATUS_CONFLICT)
    fetch (g_steal_pointer (&task), on_existing_fetched);
  /* Deleting what is gone already is done */
  else if (data->kind == CALSYNC_WRITE_DELETE && is_gone_status (status))
    return_deleted (task, FALSE);
  else
    return_failure (task, g_steal_pointer (&error));
}

static void
fetch (GTask               *task,
       GAsyncReadyCallback  callback)
{
  WriteData *data = g_task_get_task_data (task);
  g_autofree char *url = event_url (data);
  g_autoptr(CalsyncHttpRequest) request = new_request (data, "GET", url);

  calsync_http_request_set_expect (request, CALSYNC_HTTP_BODY_JSON_BYTES);
  send (task, request, callback);
}

static void
write_change (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpRequest) request = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  g_autofree char *base = NULL;

  switch (data->kind)
    {
    case CALSYNC_WRITE_CREATE:
      base = g_strdup (data->events_url);
      break;
    case CALSYNC_WRITE_UPDATE:
    case CALSYNC_WRITE_DELETE:
    default:
      base = event_url (data);
      break;
    }
  url = g_strdup_printf ("%s?sendUpdates=%s", base, data->send_updates);

  switch (data->kind)
    {
    case CALSYNC_WRITE_CREATE:
      request = new_request (data, "POST", url);
      body = event_body (data, TRUE);
      break;
    case CALSYNC_WRITE_UPDATE:
      request = new_request (data, "PATCH", url);
      body = event_body (data, FALSE);
      break;
    case CALSYNC_WRITE_DELETE:
    default:
      request = new_request (data, "DELETE", url);
      break;
    }

  if (body != NULL)
    {
      calsync_http_request_set_body (request, "application/json", body);
      calsync_http_request_set_expect (request, CALSYNC_HTTP_BODY_JSON_BYTES);
    }
  if (data->kind != CALSYNC_WRITE_CREATE && data->etag != NULL)
    calsync_http_request_add_header (request, "If-Match", data->etag);

  send (task, request, on_written);
}

void
calsync_google_write_async (CalsyncHttp          *http,
                            CalsyncCredentials   *credentials,
                            const char           *api_url,
                            const char           *calendar_id,
                            const CalsyncWrite   *write,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *escaped = NULL;
  WriteData *data;

  g_return_if_fail (CALSYNC_IS_HTTP (http));
  g_return_if_fail (CALSYNC_IS_CREDENTIALS (credentials));
  g_return_if_fail (api_url != NULL && calendar_id != NULL);
  g_return_if_fail (write != NULL && CALSYNC_IS_EVENT (write->event));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_google_write_async);

  data = g_new0 (WriteData, 1);
  data->http = g_object_ref (http);
  data->credentials = g_object_ref (credentials);
  data->event = g_object_ref (write->event);
  data->kind = write->kind;
  escaped = g_uri_escape_string (calendar_id, NULL, FALSE);
  data->events_url = g_strdup_printf ("%s/calendars/%s/events", api_url, escaped);
  data->etag = g_strdup (write->etag);
  data->send_updates = write->notify_guests ? "all" : "none";
  data->local_updated = write->local_updated;
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);

  if (write->kind == CALSYNC_WRITE_CREATE)
    {
      if (write->idempotency_key == NULL)
        {
          g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                                   "A new event needs an idempotency key");
          return;
        }
      data->event_id = calsync_google_event_id_for (write->idempotency_key);
      if (write->whole)
        {
          /* A series' event id comes from its UID: imported again, it meets
           * the event made the first time (409) and updates it */
          const char *uid = calsync_event_get_recurring_event_id (write->event);
          g_autofree char *key = g_strconcat ("uid:", uid ? uid : calsync_event_get_external_id (write->event), NULL);

          g_free (data->event_id);
          data->event_id = calsync_google_event_id_for (key);
          data->recurrence = calsync_google_recurrence_from_ics (write->resource_text);
          if (data->recurrence->len == 0)
            g_clear_pointer (&data->recurrence, g_ptr_array_unref);
        }
    }
  else
    {
      const char *id = calsync_event_get_external_id (write->event);

      if (write->whole)
        {
          /* A series imported again: its own event, created the first time */
          data->recurrence = calsync_google_recurrence_from_ics (write->resource_text);
          if (calsync_event_get_recurring_event_id (write->event) != NULL)
            id = calsync_event_get_recurring_event_id (write->event);
        }
      if (id == NULL || *id == '\0')
        {
          g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                                   "The event has no Google id");
          return;
        }
      data->event_id = g_strdup (id);
    }

  write_change (g_steal_pointer (&task));
}

CalsyncWriteResult *
calsync_google_write_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
