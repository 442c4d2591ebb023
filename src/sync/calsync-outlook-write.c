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
  g_free (data);
}

/* Texts for people ------------------------------------------------------------------ */

static char *
shown_title (CalsyncEvent *event)
{
  const char *title = calsync_event_get_title (event);

  return calsync_text_for_terminal (title != NULL && *title != '\0' ? title : _("Untitled event"), FALSE);
}

static GError *refused_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static GError *
refused_error (const char *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  return g_error_new_literal (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED, message);
}

/* What a refusal of Graph means for this change, or NULL when the change is to
 * wait (network, server errors, throttling, the sign-in) */
static GError *
refusal_for (WriteData    *data,
             const GError *error)
{
  g_autofree char *title = shown_title (data->event);

  if (error->domain != CALSYNC_HTTP_ERROR)
    return NULL;

  switch (error->code)
    {
    case CALSYNC_HTTP_ERROR_FORBIDDEN:
      /* Translators: %s is the title of an event */
      return refused_error (_("Outlook does not let you change “%s”."), title);
    case CALSYNC_HTTP_ERROR_NOT_FOUND:
    case CALSYNC_HTTP_ERROR_GONE:
      if (data->kind == CALSYNC_WRITE_CREATE)
        /* Translators: %s is the title of an event */
        return refused_error (_("The Outlook calendar of “%s” no longer exists."), title);
      /* Translators: %s is the title of an event */
      return refused_error (_("“%s” is no longer in Outlook."), title);
    case CALSYNC_HTTP_ERROR_BAD_REQUEST:
      /* Translators: %s is the title of an event */
      return refused_error (_("Outlook did not accept the change to “%s”."), title);
    default:
      return NULL;
    }
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

  data->result->remote_id = g_strdup (calsync_event_get_external_id (event));
  data->result->etag = g_strdup (calsync_event_get_etag (event));
  data->result->server_event = g_steal_pointer (&event);
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

  set_json_body (request, calsync_outlook_event_body (data->event, data->transaction_id));
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
    set_json_body (request, calsync_outlook_event_body (data->event, NULL));

  g_debug ("%s an event", delete ? "DELETE" : "PATCH");
  send (task, request, on_written);
}

/* Conflicts ------------------------------------------------------------------------------- */

/* A conflict is settled by the times: an older server copy is written over */
static void
settle (GTask        *task,
        CalsyncEvent *server_event)
{
  WriteData *data = g_task_get_task_data (task);

  if (calsync_event_get_remote_updated (server_event) >= data->local_updated)
    {
      g_debug ("Conflict: the server's copy is newer");
      return_lost (task, server_event);
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

/**
 * calsync_outlook_write_async:
 * @api_url: Graph's address ("https://graph.microsoft.com/v1.0")
 * @calendar_id: the Graph id of the calendar (a create goes there)
 *
 * Sends @write (see calsync_provider_write_event_async()). A whole series
 * (@write's `whole`: an imported file's recurring event) is refused with
 * %CALSYNC_SYNC_ERROR_WRITE_REFUSED: CalSync does not write Graph's
 * patternedRecurrence yet.
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
  WriteData *data;

  g_return_if_fail (CALSYNC_IS_HTTP (http));
  g_return_if_fail (CALSYNC_IS_CREDENTIALS (credentials));
  g_return_if_fail (api_url != NULL);
  g_return_if_fail (write != NULL && CALSYNC_IS_EVENT (write->event));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_outlook_write_async);
  data = write_data_new (http, credentials, api_url, calendar_id, write);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
  title = shown_title (write->event);

  if (write->whole)
    /* Translators: %s is the title of an event */
    g_task_return_error (task, refused_error (_("“%s” is a recurring event from a file: CalSync cannot send "
                                                "whole series to Outlook yet. Import the file in Outlook "
                                                "instead."), title));
  else if (write->kind == CALSYNC_WRITE_CREATE && (calendar_id == NULL || *calendar_id == '\0'))
    g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                             _("This calendar is not linked to an Outlook calendar."));
  else if (write->kind == CALSYNC_WRITE_CREATE)
    create (g_steal_pointer (&task));
  else if (data->event_id == NULL)
    /* Translators: %s is the title of an event */
    g_task_return_error (task, refused_error (_("“%s” is no longer in Outlook."), title));
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
