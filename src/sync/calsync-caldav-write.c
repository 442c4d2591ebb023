/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-write.c: one local change written to a CalDAV collection.
 *
 * Every write is conditional (RFC 4791 5.3.4, RFC 7232): a create with
 * `If-None-Match: *`, an update or delete with `If-Match` on the etag the
 * resource had when it was fetched. The edit itself is made on the resource's
 * text by calsync-ical-edit.c (in a worker thread: libical), which keeps
 * everything CalSync does not edit. A 412 means the server's copy changed:
 * it is fetched again, and the newer side wins (DESIGN.md, Two-way sync) —
 * ours by making the edit again on the fresh text, a bounded number of times.
 *
 * The steps: [GET when the text or etag is unknown] → edit → PUT or DELETE →
 * [GET when the server gave no etag]; on a 412: GET → settle → edit → write. */
#define G_LOG_DOMAIN "calsync-caldav-write"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-caldav-write.h"
#include "calsync-ical.h"

/* Conflicts met in one write before it gives up (the change waits) */
#define MAX_CONFLICTS 3
/* Resource names longer than this become a hash */
#define MAX_NAME 200

typedef struct
{
  /* Owned references */
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
  CalsyncEvent *event;
  CalsyncWriteResult *result;

  CalsyncWriteKind kind;
  char *url;                /* the resource's */
  char *resource_id;        /* as the result gives it */
  char *etag;               /* what the next write is conditional on; NULL: If-None-Match */
  char *text;               /* the server's text the edit is made on; NULL for a create */
  char *body;               /* what is PUT; NULL: DELETE */
  gint64 local_updated;
  gboolean allow_insecure;
  char *own_text;           /* a create's text made by the caller, or NULL */
  char *base_text;          /* the text the edit was made on here, or NULL */
  guint conflicts;
  gboolean won;
} WriteData;

/* What the worker thread makes of a text */
typedef struct
{
  CalsyncWriteKind kind;
  CalsyncEvent *event;
  char *text;
  char *base_text;          /* a conflict: what the edit was made on */
  gboolean conflict;        /* the text is the server's after a 412 */
  gint64 now;
  /* Out */
  gint64 modified;
  gboolean untouched;       /* a conflict elsewhere in the resource: the event
                             * edited here is as it was when the edit was made */
  gboolean holds;           /* a conflict: the server's copy holds the change
                             * already (an earlier attempt's answer was lost) */
  char *body;
  gboolean left_empty;
} EditJob;

static void
write_data_free (WriteData *data)
{
  g_clear_object (&data->http);
  g_clear_object (&data->credentials);
  g_clear_object (&data->event);
  g_clear_pointer (&data->result, calsync_write_result_free);
  g_free (data->url);
  g_free (data->resource_id);
  g_free (data->etag);
  g_free (data->text);
  g_free (data->body);
  g_free (data->own_text);
  g_free (data->base_text);
  g_free (data);
}

static void
edit_job_free (EditJob *job)
{
  g_clear_object (&job->event);
  g_free (job->text);
  g_free (job->base_text);
  g_free (job->body);
  g_free (job);
}

/* Texts for people -------------------------------------------------------------- */

/* What a refusal of the server means for this change, or NULL when the change
 * is to wait (network, server errors, the password) */
static GError *
refusal_for (WriteData    *data,
             const GError *error)
{
  const CalsyncRefusalTexts texts = {
    /* Translators: %s is the title of an event */
    .forbidden = _("The server does not let you change “%s”."),
    /* Translators: %s is the title of an event */
    .calendar_gone = _("The calendar of “%s” is no longer on the server."),
    /* Translators: %s is the title of an event */
    .event_gone = _("“%s” is no longer on the server."),
    /* Translators: %s is the title of an event */
    .bad_request = _("The server did not accept the change to “%s”."),
  };

  return calsync_write_refusal (error, data->kind, data->event, &texts);
}

/* An edit that cannot be made on the server's text */
static GError *
edit_refusal (WriteData    *data,
              const GError *error)
{
  g_autofree char *title = calsync_write_shown_title (data->event);

  if (error->domain == CALSYNC_ICAL_ERROR && error->code == CALSYNC_ICAL_ERROR_INVALID)
    return g_error_new_literal (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED, error->message);

  /* Translators: %s is the title of an event */
  return calsync_write_refused_error (_("The server’s copy of “%s” cannot be read, so it was not changed."), title);
}

/* Names and addresses ----------------------------------------------------------- */

static const char *
event_uid (CalsyncEvent *event)
{
  const char *series = calsync_event_get_recurring_event_id (event);

  if (series != NULL && *series != '\0')
    return series;
  return calsync_event_get_external_id (event);
}

static gboolean
is_safe_name (const char *uid)
{
  if (uid == NULL || *uid == '\0' || *uid == '.' || strlen (uid) > MAX_NAME)
    return FALSE;

  for (const char *p = uid; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.~@", *p) == NULL)
      return FALSE;

  return TRUE;
}

char *
calsync_caldav_resource_name (CalsyncEvent *event)
{
  const char *uid;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);

  uid = event_uid (event);
  if (is_safe_name (uid))
    return g_strconcat (uid, ".ics", NULL);

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, uid != NULL ? uid : "", -1);
  return g_strconcat (hash, ".ics", NULL);
}

/* The resource's URL: @resource_id (a path or a URL) against the collection,
 * or a new name in it */
static char *
resource_url (const char          *collection_url,
              const CalsyncWrite  *write,
              GError             **error)
{
  g_autofree char *base = g_str_has_suffix (collection_url, "/") ? g_strdup (collection_url)
                                                                  : g_strconcat (collection_url, "/", NULL);
  g_autofree char *name = NULL;

  if (write->resource_id != NULL && *write->resource_id != '\0')
    return g_uri_resolve_relative (base, write->resource_id, G_URI_FLAGS_ENCODED, error);

  name = calsync_caldav_resource_name (write->event);
  return g_uri_resolve_relative (base, name, G_URI_FLAGS_ENCODED, error);
}

static gboolean
same_origin (const char *a,
             const char *b)
{
  g_autoptr(GUri) first = g_uri_parse (a, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) second = g_uri_parse (b, G_URI_FLAGS_ENCODED, NULL);

  return first != NULL && second != NULL &&
         g_ascii_strcasecmp (g_uri_get_scheme (first), g_uri_get_scheme (second)) == 0 &&
         g_strcmp0 (g_uri_get_host (first), g_uri_get_host (second)) == 0 &&
         g_uri_get_port (first) == g_uri_get_port (second);
}

static char *
url_path (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  return g_strdup (uri != NULL ? g_uri_get_path (uri) : url);
}

/* Finishing --------------------------------------------------------------------- */

static void
return_result (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  CalsyncWriteResult *result = g_steal_pointer (&data->result);

  if (result->outcome != CALSYNC_WRITE_OUTCOME_LOST)
    result->outcome = data->won ? CALSYNC_WRITE_OUTCOME_WON : CALSYNC_WRITE_OUTCOME_WRITTEN;
  if (result->resource_id == NULL)
    result->resource_id = g_strdup (data->resource_id);
  g_task_return_pointer (task, result, (GDestroyNotify) calsync_write_result_free);
}

static void
return_deleted (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);

  data->result->deleted = TRUE;
  g_clear_pointer (&data->result->etag, g_free);
  g_clear_pointer (&data->result->resource_text, g_free);
  return_result (task);
}

/* The server's copy stays */
static void
return_lost (GTask      *task,
             const char *etag,
             const char *text)
{
  WriteData *data = g_task_get_task_data (task);

  data->result->outcome = CALSYNC_WRITE_OUTCOME_LOST;
  data->result->etag = g_strdup (etag);
  data->result->resource_text = g_strdup (text);
  data->result->deleted = text == NULL;
  return_result (task);
}

/* Requests ---------------------------------------------------------------------- */

static CalsyncHttpRequest *
new_request (WriteData  *data,
             const char *method)
{
  CalsyncHttpRequest *request = calsync_http_request_new (method, data->url);

  calsync_http_request_set_allow_insecure (request, data->allow_insecure);
  calsync_http_request_set_max_body (request, CALSYNC_CALDAV_MAX_RESOURCE);
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

  /* 409 Conflict and 415 Unsupported Media Type refuse the text itself
   * (RFC 4791 5.3.2.1 preconditions), as a 400 does */
  if (error_response != NULL && (error_response->status == 409 || error_response->status == 415) &&
      g_error_matches (local_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_FAILED))
    local_error->code = CALSYNC_HTTP_ERROR_BAD_REQUEST;

  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return response;
}

static char *
response_text (CalsyncHttpResponse *response)
{
  gsize size = 0;
  const char *bytes = response->body != NULL ? g_bytes_get_data (response->body, &size) : NULL;

  return g_strndup (bytes != NULL ? bytes : "", size);
}

static void fetch (GTask *task, GAsyncReadyCallback callback);
static void edit (GTask *task);

/* After the write: the etag and text the server now has ------------------------- */

static void
on_fetched_after_write (GObject      *source_object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  /* The write is done either way: without them, the next sync fetches it */
  if ((response = send_finish (task, result, &error)) != NULL)
    {
      g_free (data->result->etag);
      data->result->etag = g_strdup (calsync_http_response_get_header (response, "ETag"));
      g_free (data->result->resource_text);
      data->result->resource_text = response_text (response);
    }
  else
    g_debug ("Could not read back a written resource: %s", error->message);

  return_result (task);
}

/* Writing ----------------------------------------------------------------------- */

static void on_conflict_fetched (GObject *source_object, GAsyncResult *result, gpointer user_data);

static gboolean is_gone (const GError *error);

/* The server took it: its etag, else a GET to learn it (@task borrowed) */
static void
written (GTask               *task,
         CalsyncHttpResponse *response)
{
  WriteData *data = g_task_get_task_data (task);
  const char *etag = calsync_http_response_get_header (response, "ETag");

  if (data->body == NULL)
    {
      return_deleted (task);
      return;
    }

  data->result->resource_text = g_strdup (data->body);
  /* A strong ETag on a PUT: the server stored the text as sent (RFC 4791 5.3.4) */
  if (etag != NULL && !g_str_has_prefix (etag, "W/"))
    {
      data->result->etag = g_strdup (etag);
      return_result (task);
    }
  else
    fetch (g_object_ref (task), on_fetched_after_write);
}

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
    written (task, response);
  else if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_PRECONDITION))
    {
      if (++data->conflicts > MAX_CONFLICTS)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        fetch (g_steal_pointer (&task), on_conflict_fetched);
    }
  /* Deleting what is gone already (the resource, or the series an instance
   * was excluded from) is done */
  else if (data->kind == CALSYNC_WRITE_DELETE && is_gone (error))
    return_deleted (task);
  else
    {
      refusal = refusal_for (data, error);
      g_task_return_error (task, refusal != NULL ? refusal : g_steal_pointer (&error));
    }
}

/* RFC 5545 3.1: content lines end with CRLF. Texts read from a multistatus
 * come with LF only (XML normalises line ends), so a resource edited from one
 * is sent with CRLF again. */
static char *
with_crlf (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + strlen (text) / 32);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n' && (p == text || p[-1] != '\r'))
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* PUT the body, or DELETE, conditional on the etag */
static void
write_resource (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpRequest) request = new_request (data, data->body != NULL ? "PUT" : "DELETE");

  if (data->etag != NULL)
    calsync_http_request_add_header (request, "If-Match", data->etag);
  else
    calsync_http_request_add_header (request, "If-None-Match", "*");

  if (data->body != NULL)
    {
      g_autoptr(GBytes) bytes = NULL;
      char *crlf = with_crlf (data->body);

      g_free (data->body);
      data->body = crlf;
      bytes = g_bytes_new (data->body, strlen (data->body));

      calsync_http_request_set_body (request, "text/calendar; charset=utf-8", bytes);
    }

  g_debug ("%s %s", data->body != NULL ? "PUT" : "DELETE", data->url);
  send (task, request, on_written);
}

/* The edit, in a worker ---------------------------------------------------------- */

static gboolean
is_instance (CalsyncEvent *event)
{
  return calsync_event_get_recurring_event_id (event) != NULL && calsync_event_get_original_start (event) != NULL;
}

/* Whether another client left the event as it was: what people see of it, its
 * series' rule aside (an EXDATE for another instance changes that) */
static gboolean
same_event (CalsyncEvent *a,
            CalsyncEvent *b)
{
  return g_strcmp0 (calsync_event_get_title (a), calsync_event_get_title (b)) == 0 &&
         g_strcmp0 (calsync_event_get_description (a), calsync_event_get_description (b)) == 0 &&
         g_strcmp0 (calsync_event_get_location (a), calsync_event_get_location (b)) == 0 &&
         calsync_event_get_all_day (a) == calsync_event_get_all_day (b) &&
         calsync_event_get_start (a) == calsync_event_get_start (b) &&
         calsync_event_get_end (a) == calsync_event_get_end (b) &&
         g_strcmp0 (calsync_event_get_start_date (a), calsync_event_get_start_date (b)) == 0 &&
         g_strcmp0 (calsync_event_get_end_date (a), calsync_event_get_end_date (b)) == 0 &&
         g_strcmp0 (calsync_event_get_time_zone (a), calsync_event_get_time_zone (b)) == 0 &&
         calsync_event_get_status (a) == calsync_event_get_status (b) &&
         g_strcmp0 (calsync_event_get_attendees_json (a), calsync_event_get_attendees_json (b)) == 0;
}

static void
edit_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  EditJob *job = task_data;
  GError *error = NULL;

  if (job->text != NULL)
    job->modified = calsync_ical_resource_modified (job->text);
  if (job->text != NULL && job->base_text != NULL && job->kind != CALSYNC_WRITE_CREATE)
    {
      g_autoptr(CalsyncEvent) before = calsync_ical_resource_find_event (job->base_text, job->event);
      g_autoptr(CalsyncEvent) now = calsync_ical_resource_find_event (job->text, job->event);

      job->untouched = before != NULL && now != NULL && same_event (before, now);
    }
  if (job->conflict && job->text != NULL && job->kind != CALSYNC_WRITE_DELETE)
    {
      g_autoptr(CalsyncEvent) now = calsync_ical_resource_find_event (job->text, job->event);

      job->holds = now != NULL && calsync_write_holds_change (now, job->event);
    }
  /* An instance deleted already: no longer in the series' text */
  else if (job->conflict && job->text != NULL && is_instance (job->event))
    {
      g_autoptr(CalsyncEvent) now = calsync_ical_resource_find_event (job->text, job->event);

      job->holds = now == NULL;
    }

  switch (job->kind)
    {
    case CALSYNC_WRITE_CREATE:
      job->body = calsync_ical_resource_new (job->event, job->now, &error);
      break;
    case CALSYNC_WRITE_UPDATE:
      {
        /* On a conflict only what the edit changed goes over the server's copy */
        g_autoptr(CalsyncEvent) base = job->base_text ? calsync_ical_resource_find_event (job->base_text, job->event)
                                                      : NULL;

        job->body = calsync_ical_resource_update (job->text, job->event, base, job->now, &error);
      }
      break;
    case CALSYNC_WRITE_DELETE:
    default:
      job->left_empty = !is_instance (job->event);
      if (!job->left_empty)
        job->body = calsync_ical_resource_delete (job->text, job->event, job->now, &job->left_empty, &error);
      break;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* A conflict is settled by the times: an older server copy is written over */
static gboolean
settle (GTask   *task,
        EditJob *job)
{
  WriteData *data = g_task_get_task_data (task);

  if (data->conflicts == 0)
    return TRUE;

  /* A crash between the server's acceptance and the local commit: what it
   * has is this change; written, nobody's edit lost */
  if (job->holds)
    {
      g_debug ("Conflict on %s: the server's copy holds the change already", data->url);
      data->result->etag = g_strdup (data->etag);
      data->result->resource_text = g_strdup (job->text);
      return_result (task);
      return FALSE;
    }

  /* Another client changed other events of the series' resource: both
   * changes stand, made on the server's text; nobody's edit is lost */
  if (job->untouched)
    {
      g_debug ("Conflict on %s: elsewhere in the resource, the edit is made on the server's copy", data->url);
      return TRUE;
    }

  if (job->modified >= data->local_updated)
    {
      g_debug ("Conflict on %s: the server's copy is newer", data->url);
      return_lost (task, data->etag, job->text);
      return FALSE;
    }

  g_debug ("Conflict on %s: the local edit is newer", data->url);
  data->won = TRUE;
  return TRUE;
}

static void
on_edited (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  EditJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, edit_refusal (data, error));
      return;
    }
  if (!settle (task, job))
    return;

  g_free (data->body);
  /* A create that met a resource: ours replaces it */
  data->body = data->own_text != NULL ? g_strdup (data->own_text) : g_steal_pointer (&job->body);
  if (data->kind == CALSYNC_WRITE_DELETE && job->left_empty)
    g_clear_pointer (&data->body, g_free);

  write_resource (g_steal_pointer (&task));
}

static void
edit (GTask *task)
{
  WriteData *data = g_task_get_task_data (task);
  GTask *job_task;
  EditJob *job;

  /* Nothing to make: the caller's text goes as it is */
  if (data->own_text != NULL && data->conflicts == 0)
    {
      g_free (data->body);
      data->body = g_strdup (data->own_text);
      write_resource (task);
      return;
    }

  job = g_new0 (EditJob, 1);
  job->kind = data->kind;
  job->event = g_object_ref (data->event);
  /* A create's text is the server's only when settling a conflict */
  job->text = data->kind == CALSYNC_WRITE_CREATE && data->conflicts == 0 ? NULL : g_strdup (data->text);
  job->base_text = data->conflicts > 0 ? g_strdup (data->base_text) : NULL;
  job->conflict = data->conflicts > 0;
  job->now = g_get_real_time () / G_USEC_PER_SEC;

  job_task = g_task_new (NULL, g_task_get_cancellable (task), on_edited, task);
  g_task_set_source_tag (job_task, edit);
  g_task_set_task_data (job_task, job, (GDestroyNotify) edit_job_free);
  g_task_run_in_thread (job_task, edit_in_thread);
  g_object_unref (job_task);
}

/* Fetching ---------------------------------------------------------------------- */

static void
fetch (GTask               *task,
       GAsyncReadyCallback  callback)
{
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpRequest) request = new_request (data, "GET");

  g_debug ("GET %s", data->url);
  send (task, request, callback);
}

/* Takes the server's etag and text; FALSE when it has none */
static gboolean
take_fetched (WriteData           *data,
              CalsyncHttpResponse *response)
{
  const char *etag = calsync_http_response_get_header (response, "ETag");

  if (etag == NULL)
    return FALSE;

  g_free (data->etag);
  data->etag = g_strdup (etag);
  g_free (data->text);
  data->text = response_text (response);
  return TRUE;
}

static gboolean
is_gone (const GError *error)
{
  return g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_NOT_FOUND) ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_GONE);
}

static void
on_conflict_fetched (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  if ((response = send_finish (task, result, &error)) == NULL)
    {
      /* Deleted there: a delete here agrees, an edit here lost, a create
       * tries again */
      if (is_gone (error) && data->kind == CALSYNC_WRITE_DELETE)
        return_deleted (task);
      else if (is_gone (error) && data->kind == CALSYNC_WRITE_CREATE)
        write_resource (g_steal_pointer (&task));
      else if (is_gone (error))
        return_lost (task, NULL, NULL);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!take_fetched (data, response))
    {
      g_task_return_new_error (task, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED,
                               _("The server did not say which version of the event it has."));
      return;
    }

  edit (g_steal_pointer (&task));
}

/* An update or delete without the resource's text or etag: fetched first */
static void
on_fetched_before (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  GError *refusal;

  if ((response = send_finish (task, result, &error)) == NULL)
    {
      if (is_gone (error) && data->kind == CALSYNC_WRITE_DELETE)
        return_deleted (task);
      else if ((refusal = refusal_for (data, error)) != NULL)
        g_task_return_error (task, refusal);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!take_fetched (data, response))
    {
      g_task_return_new_error (task, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED,
                               _("The server did not say which version of the event it has."));
      return;
    }

  edit (g_steal_pointer (&task));
}

/* Starting ---------------------------------------------------------------------- */

static WriteData *
write_data_new (CalsyncHttp        *http,
                CalsyncCredentials *credentials,
                gboolean            allow_insecure,
                const CalsyncWrite *write,
                char               *url)
{
  WriteData *data = g_new0 (WriteData, 1);

  data->http = g_object_ref (http);
  data->credentials = g_object_ref (credentials);
  data->event = g_object_ref (write->event);
  data->result = calsync_write_result_new ();
  data->kind = write->kind;
  data->url = url;
  data->resource_id = write->resource_id != NULL && *write->resource_id != '\0' ? g_strdup (write->resource_id)
                                                                                 : url_path (url);
  data->etag = write->kind != CALSYNC_WRITE_CREATE ? g_strdup (write->etag) : NULL;
  if (write->resource_text != NULL && *write->resource_text != '\0')
    {
      if (write->kind == CALSYNC_WRITE_CREATE)
        data->own_text = g_strdup (write->resource_text);
      else
        {
          data->text = g_strdup (write->resource_text);
          data->base_text = g_strdup (write->resource_text);
        }
    }
  data->local_updated = write->local_updated;
  data->allow_insecure = allow_insecure;
  return data;
}

void
calsync_caldav_write_full_async (CalsyncHttp          *http,
                                 CalsyncCredentials   *credentials,
                                 const char           *collection_url,
                                 gboolean              allow_insecure,
                                 const CalsyncWrite   *write,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  WriteData *data;
  char *url;

  g_return_if_fail (CALSYNC_IS_HTTP (http));
  g_return_if_fail (CALSYNC_IS_CREDENTIALS (credentials));
  g_return_if_fail (collection_url != NULL);
  g_return_if_fail (write != NULL && CALSYNC_IS_EVENT (write->event));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_caldav_write_full_async);

  /* The password goes only where the calendar is: an href elsewhere (a
   * hostile server's) is not followed */
  url = resource_url (collection_url, write, &error);
  if (url != NULL && !same_origin (url, collection_url))
    g_clear_pointer (&url, g_free);
  if (url == NULL)
    {
      g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                               _("The calendar’s address on the server is not valid."));
      return;
    }

  data = write_data_new (http, credentials, allow_insecure, write, url);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);

  /* A non-recurring delete needs no text; anything else without its text or
   * etag fetches them first */
  if (write->kind == CALSYNC_WRITE_DELETE && !is_instance (write->event) && data->etag != NULL)
    write_resource (g_steal_pointer (&task));
  else if (write->kind != CALSYNC_WRITE_CREATE && (data->etag == NULL || data->text == NULL))
    fetch (g_steal_pointer (&task), on_fetched_before);
  else
    edit (g_steal_pointer (&task));
}

void
calsync_caldav_write_async (CalsyncHttp          *http,
                            CalsyncCredentials   *credentials,
                            const char           *collection_url,
                            const CalsyncWrite   *write,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  calsync_caldav_write_full_async (http, credentials, collection_url, FALSE, write, cancellable, callback,
                                   user_data);
}

/**
 * calsync_caldav_write_finish:
 *
 * Returns: (transfer full): what the server has now, or %NULL with @error set
 */
CalsyncWriteResult *
calsync_caldav_write_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
