/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph.h: an in-process Microsoft Graph (v1.0: /me, /me/calendars,
 * calendarView delta) and Microsoft identity platform (v2.0 authorize and token)
 * on 127.0.0.1, strict as Microsoft documents them: bearer tokens with scopes
 * (401 InvalidAuthenticationToken, 403 ErrorAccessDenied), pages with opaque
 * $skiptoken/$deltatoken links, Prefer: odata.maxpagesize and outlook.timezone,
 * changes-only rounds with @removed, 410 syncStateNotFound, throttling with
 * Retry-After, gzip; and event writes (POST …/calendars/{id}/events, GET, PATCH
 * and DELETE /me/events/{id}) with If-Match on @odata.etag (412), transactionId,
 * canEdit and the write scope (403); recurring events (patternedRecurrence,
 * their occurrences, GET /me/events/{id}/instances). See calsync-fake-graph-serve.c and
 * calsync-fake-graph-write.c for what each request checks and the sources
 * followed. */
#pragma once

#include <json-glib/json-glib.h>

#include "calsync-fake-msid.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_FAKE_GRAPH (calsync_fake_graph_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncFakeGraph, calsync_fake_graph, CALSYNC, FAKE_GRAPH, GObject)

/* SoupServer on 127.0.0.1, random port; serves from the caller's thread-default
 * main context; stops when disposed */
CalsyncFakeGraph *calsync_fake_graph_new              (void);
/* "http://127.0.0.1:PORT/v1.0" */
const char       *calsync_fake_graph_get_api_url      (CalsyncFakeGraph *self);
/* ".../common/oauth2/v2.0/authorize" and ".../common/oauth2/v2.0/token" */
const char       *calsync_fake_graph_get_auth_url     (CalsyncFakeGraph *self);
const char       *calsync_fake_graph_get_token_url    (CalsyncFakeGraph *self);
/* The public client's id (what CALSYNC_MS_CLIENT_ID is set to) */
const char       *calsync_fake_graph_get_client_id    (CalsyncFakeGraph *self);
/* Sets CALSYNC_GRAPH_API_URL, CALSYNC_MS_AUTH_URL, CALSYNC_MS_TOKEN_URL, CALSYNC_MS_CLIENT_ID */
void              calsync_fake_graph_export_env       (CalsyncFakeGraph *self);
/* Token controls: rotation, expiring access tokens, revoking (→ invalid_grant),
 * holding refreshes, counters (see calsync-fake-msid.h) */
CalsyncFakeMsid  *calsync_fake_graph_get_oauth        (CalsyncFakeGraph *self);

/* The signed-in user (default mail and UPN "user@example.onmicrosoft.com"):
 * what /me answers, and whom the next sign-in is for (the UPN). @mail may be
 * NULL: /me then has "mail": null, as for many personal accounts. */
void              calsync_fake_graph_set_user         (CalsyncFakeGraph *self,
                                                       const char       *mail,
                                                       const char       *user_principal_name);

/* Calendars of /me/calendars, in the order added. @hex_color NULL gives ""
 * ("auto" colours have none); @color e.g. "lightBlue", "auto". Adding one that
 * exists updates it; one that was removed comes back with its events. */
void              calsync_fake_graph_add_calendar     (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       const char       *name,
                                                       const char       *hex_color,
                                                       const char       *color,
                                                       gboolean          can_edit,
                                                       gboolean          is_default);
/* Gone from /me/calendars; its calendarView answers 404 ErrorItemNotFound */
void              calsync_fake_graph_remove_calendar  (CalsyncFakeGraph *self,
                                                       const char       *calendar_id);
void              calsync_fake_graph_rename_calendar  (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       const char       *name);

/* An event as Graph's JSON (an object the test builds, in the documented
 * resource shape: id, subject, body{contentType,content}, start/end{dateTime,
 * timeZone} (timeZone "UTC", a Windows name or an IANA one), isAllDay, type,
 * seriesMasterId, originalStart, attendees, organizer, onlineMeeting, location,
 * isCancelled, …). @event is copied. The fake adds @odata.type, @odata.etag,
 * changeKey, createdDateTime, lastModifiedDateTime, originalStartTimeZone,
 * originalEndTimeZone, type and isCancelled when absent, and renders start/end
 * in the zone the request's Prefer: outlook.timezone asks for (UTC by default)
 * with seven fractional digits. All-day events are listed as their dates at
 * midnight whatever the zone asked for (what Graph does). A put expands no
 * recurrence: put the instances (type occurrence/exception, seriesMasterId);
 * a seriesMaster is kept but never listed, as calendarView lists instances.
 * (A client's POST or PATCH with a recurrence is expanded: see
 * calsync-fake-graph-series.c.)
 * Putting an event again is a change the next delta round reports. */
void              calsync_fake_graph_put_event        (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       JsonObject       *event);
/* The same from JSON text (an object) */
void              calsync_fake_graph_put_event_json   (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       const char       *event_json);
/* An attendee's copy of a meeting its organizer cancelled: isCancelled true and
 * the subject prefixed "Canceled: "; still listed (until the attendee removes it) */
void              calsync_fake_graph_cancel_event     (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       const char       *event_id);
/* Gone; the next delta round reports {"@odata.type":"#microsoft.graph.event",
 * "id":…,"@removed":{"reason":"deleted"}} */
void              calsync_fake_graph_delete_event     (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       const char       *event_id);
/**
 * calsync_fake_graph_generate_series:
 *
 * Adds @n_events events between 90 days before and 365 days after @now (unix
 * seconds): one in 40 a weekly series (8 to 16 occurrences, one of them an
 * exception moved by an hour, cut at @now + 365 days), the others single
 * instances (one in seven all-day), with Graph's weight: long ids, HTML bodies,
 * webLink, iCalUId, attendee objects, Teams meetings on some.
 *
 * Returns: the number of instances a calendarView of [@now − 90 days,
 *   @now + 365 days) lists
 */
guint             calsync_fake_graph_generate_series  (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       guint             n_events,
                                                       gint64            now);

/* The server's page size for calendarView delta (default 1000) and
 * /me/calendars: Prefer: odata.maxpagesize (and $top) can only lower it. Without
 * a preference a delta page holds 10 events and a calendars page 10 calendars,
 * Graph's defaults, or fewer when @size is smaller. */
void              calsync_fake_graph_set_page_size    (CalsyncFakeGraph *self,
                                                       guint             size);
/* Every $deltatoken issued so far is gone: its next use answers 410 Gone with
 * {"error":{"code":"syncStateNotFound",…}} and a Location to start again */
void              calsync_fake_graph_expire_delta_links (CalsyncFakeGraph *self);
/* The next @n_times Graph requests (after authentication) answer @status (429,
 * 503 or 504) with Retry-After: @retry_after_seconds */
void              calsync_fake_graph_set_throttle     (CalsyncFakeGraph *self,
                                                       guint             status,
                                                       guint             n_times,
                                                       guint             retry_after_seconds);
/* Content-Encoding: gzip when the request's Accept-Encoding allows it (default
 * TRUE, as Graph does) */
void              calsync_fake_graph_set_gzip         (CalsyncFakeGraph *self,
                                                       gboolean          gzip);
/* Graph requests received (answered or not), in all and by kind: "me",
 * "calendars", "delta", "other" */
guint             calsync_fake_graph_get_n_requests   (CalsyncFakeGraph *self);
guint             calsync_fake_graph_get_n_requests_of (CalsyncFakeGraph *self,
                                                       const char       *kind);
/* Answers sent with Content-Encoding: gzip */
guint             calsync_fake_graph_get_n_gzipped    (CalsyncFakeGraph *self);
/* A header of the last Graph request (several of one name joined by ", "), or NULL */
const char       *calsync_fake_graph_get_last_request_header (CalsyncFakeGraph *self,
                                                       const char       *name);

/* Writes ---------------------------------------------------------------------- */

/* Event writes the fake accepted and applied (create, update, delete); a POST
 * that met its transactionId again creates nothing and is not counted */
guint             calsync_fake_graph_get_n_writes     (CalsyncFakeGraph *self);
/* POSTs answered with the event their transactionId had already created */
guint             calsync_fake_graph_get_n_replayed_creates (CalsyncFakeGraph *self);

/**
 * CalsyncFakeGraphFault:
 * @CALSYNC_FAKE_GRAPH_FAULT_NONE: writes are answered
 * @CALSYNC_FAKE_GRAPH_FAULT_FAIL: the next write is not applied and answers
 *   500 generalException
 * @CALSYNC_FAKE_GRAPH_FAULT_STALL: the next write is applied (and counted) but
 *   its answer is held until calsync_fake_graph_release_stalled(): the client
 *   never learns of it unless it waits (a crash after the server took it)
 *
 * One write only: the fault is cleared by the write it hits.
 */
typedef enum
{
  CALSYNC_FAKE_GRAPH_FAULT_NONE,
  CALSYNC_FAKE_GRAPH_FAULT_FAIL,
  CALSYNC_FAKE_GRAPH_FAULT_STALL,
} CalsyncFakeGraphFault;

void              calsync_fake_graph_set_write_fault  (CalsyncFakeGraph      *self,
                                                       CalsyncFakeGraphFault  fault);
/* Answers held by a stall still waiting (their client may be gone) */
guint             calsync_fake_graph_get_n_stalled    (CalsyncFakeGraph *self);
void              calsync_fake_graph_release_stalled  (CalsyncFakeGraph *self);

/* While offline nothing listens on the fake's port (connections are refused);
 * back online it listens on the same port again, with everything it held */
void              calsync_fake_graph_set_offline      (CalsyncFakeGraph *self,
                                                       gboolean          offline);

/* A copy of the event as stored (start/end in UTC), or NULL when there is none
 * (or it was deleted) */
JsonObject       *calsync_fake_graph_dup_event        (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       const char       *event_id);
/* Events of a calendar a calendarView lists (no masters, nothing deleted) */
guint             calsync_fake_graph_count_events     (CalsyncFakeGraph *self,
                                                       const char       *calendar_id);
/* The id of the (one) event of @calendar_id with @subject, or NULL; fails the
 * test when two have it. Occurrences of a series (type occurrence) are not
 * looked at: a series is found as its seriesMaster. */
char             *calsync_fake_graph_find_event_id    (CalsyncFakeGraph *self,
                                                       const char       *calendar_id,
                                                       const char       *subject);

G_END_DECLS
