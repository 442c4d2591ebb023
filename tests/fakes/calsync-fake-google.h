/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google.h: an in-process Google Calendar API v3 and Google OAuth on
 * 127.0.0.1, following the documentation: pages, nextSyncToken, syncToken with
 * time bounds → 400, stale token → 410, 401, 429 + Retry-After, 500, bad bodies;
 * calendars removed, added and renamed; deleted events kept as tombstones for
 * incremental syncs; gzip; and the misbehaviours of a broken or hostile server
 * (pages that never end, bodies that trickle, nest or never stop growing).
 * Tokens need the scopes Google asks for (403 insufficientPermissions). Events
 * can be written: get, insert, patch, update and delete with If-Match. */
#pragma once

#include <json-glib/json-glib.h>

#include "calsync-fake-oauth.h"

G_BEGIN_DECLS

typedef enum
{
  CALSYNC_FAKE_FAULT_NONE,
  CALSYNC_FAKE_FAULT_UNAUTHORIZED,     /* 401 once */
  CALSYNC_FAKE_FAULT_RATE_LIMIT,       /* 429 with Retry-After: 1, once */
  CALSYNC_FAKE_FAULT_SERVER_ERROR,     /* 500, every time */
  CALSYNC_FAKE_FAULT_MALFORMED,        /* 200 with a body that is not JSON */
  CALSYNC_FAKE_FAULT_TRUNCATED,        /* 200 with JSON cut in the middle */
  /* The faults below last until cleared, like the 500. None is something Google
   * does: they stand for a broken server, a broken proxy or a hostile one. */
  CALSYNC_FAKE_FAULT_REPEATED_PAGE_TOKEN, /* every page is the first, with the same nextPageToken, forever */
  CALSYNC_FAKE_FAULT_ENDLESS_PAGES,    /* empty pages, each with a fresh nextPageToken, forever
                                        * (empty pages with a nextPageToken are allowed by the
                                        * events.list reference; never ending is not) */
  CALSYNC_FAKE_FAULT_TRICKLE,          /* 200 and its headers at once, then the page one byte per
                                        * trickle interval, after at least 10 minutes of
                                        * whitespace (chunked encoding) */
  CALSYNC_FAKE_FAULT_DEEP_NESTING,     /* 200 application/json whose body is 200 KiB of '[' */
  CALSYNC_FAKE_FAULT_HUGE_FIELD,       /* the listing's page plus one event "huge" whose summary
                                        * is huge-field-size bytes, generated while it is sent
                                        * (chunked encoding; never held in memory) */
} CalsyncFakeFault;

/**
 * CalsyncFakeGzip:
 * @CALSYNC_FAKE_GZIP_AS_DOCUMENTED: gzip when Accept-Encoding allows it and the
 *   User-Agent contains "gzip", the two conditions of Google's "Performance
 *   tips" (the default)
 * @CALSYNC_FAKE_GZIP_WHEN_ACCEPTED: gzip whenever Accept-Encoding allows it
 * @CALSYNC_FAKE_GZIP_NEVER: identity bodies only
 *
 * When API answers (events, calendarList, errors, streamed bodies) are sent with
 * Content-Encoding: gzip (and Vary: Accept-Encoding).
 */
typedef enum
{
  CALSYNC_FAKE_GZIP_AS_DOCUMENTED,
  CALSYNC_FAKE_GZIP_WHEN_ACCEPTED,
  CALSYNC_FAKE_GZIP_NEVER,
} CalsyncFakeGzip;

#define CALSYNC_TYPE_FAKE_GOOGLE (calsync_fake_google_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncFakeGoogle, calsync_fake_google, CALSYNC, FAKE_GOOGLE, GObject)

/* Listens on 127.0.0.1:<random>; stops when the object is finalized. */
CalsyncFakeGoogle *calsync_fake_google_new            (void);
/* http://127.0.0.1:PORT/calendar/v3, …/o/oauth2/v2/auth, …/token */
const char        *calsync_fake_google_get_api_url    (CalsyncFakeGoogle *self);
const char        *calsync_fake_google_get_auth_url   (CalsyncFakeGoogle *self);
const char        *calsync_fake_google_get_token_url  (CalsyncFakeGoogle *self);
CalsyncFakeOAuth  *calsync_fake_google_get_oauth      (CalsyncFakeGoogle *self);
/* Sets CALSYNC_GOOGLE_API_URL, _AUTH_URL, _TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET */
void               calsync_fake_google_export_env     (CalsyncFakeGoogle *self);

/* Data: a calendar of @email's calendarList (the primary one's id is the email).
 * Adding one that is there already replaces its entry; adding one that was
 * removed brings it back with the events it had. */
void               calsync_fake_google_add_calendar   (CalsyncFakeGoogle *self,
                                                       const char        *email,
                                                       const char        *calendar_id,
                                                       const char        *summary,
                                                       gboolean           primary);
/* Removes @calendar_id from @email's calendarList (deleted by its owner, or
 * unsubscribed): its events endpoint then answers 404 notFound to @email, the
 * sync tokens of the calendar are invalidated (→ 410 should it come back), and
 * a calendarList listing with showDeleted or a syncToken shows it "deleted". */
void               calsync_fake_google_remove_calendar (CalsyncFakeGoogle *self,
                                                       const char        *email,
                                                       const char        *calendar_id);
/* Gives the calendar a new summary (in every calendarList and events page) */
void               calsync_fake_google_rename_calendar (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *summary);
/* Adds or replaces an event resource (JSON object as the API returns it; "id"
 * required; "updated" and "etag" are set by the fake). Changes are what the next
 * incremental sync returns. */
void               calsync_fake_google_put_event      (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *event_json);
/* Like put_event, but keeps the "updated" and "etag" members of @event_json
 * (both required) instead of stamping new ones; the event still counts as
 * changed, so the next incremental page carries it: an older copy of an event. */
void               calsync_fake_google_put_event_as_is (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *event_json);
/* Stores @event_json (an object with an id) without checking it: a start that
 * is missing or unreadable is allowed, and such an event is in every full
 * listing whatever the time bounds. Google never sends one. */
void               calsync_fake_google_put_malformed_event (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *event_json);
/* Marks an event cancelled (it then appears with status "cancelled" in incremental syncs) */
void               calsync_fake_google_cancel_event   (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *event_id);
/* events.delete: the event is gone from full listings (unless showDeleted) and
 * kept as a tombstone that incremental listings return as a minimal cancelled
 * resource ({kind, etag, id, status}: "Deleted events are only guaranteed to
 * have the id field populated"). */
void               calsync_fake_google_delete_event   (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *event_id);
/* Google keeps tombstones for a while only: drops those of @calendar_id and
 * invalidates the sync tokens issued before (their next use → 410). */
void               calsync_fake_google_purge_deleted  (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id);
/* Adds @n generated events spread over the window around @now (benchmarks) */
void               calsync_fake_google_generate_events (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       guint              n,
                                                       gint64             now);
/**
 * calsync_fake_google_generate_series:
 *
 * Adds @n events between 90 days before and 365 days after @now (unix seconds),
 * as singleEvents=true lists them: one in 40 a weekly series whose instances
 * (id BASE_YYYYMMDDTHHMMSSZ, recurringEventId, originalStartTime, the series'
 * iCalUID) run for 8 to 16 weeks, the others single events; realistic resources
 * (etag, htmlLink, creator, organizer, iCalUID, sequence, reminders; attendees,
 * a description or conferenceData on some). 10,000 events give about 13,000
 * instances, about 17 MB of JSON.
 *
 * Returns: the number of event resources (instances) added
 */
guint              calsync_fake_google_generate_series (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       guint              n,
                                                       gint64             now);
/* Page size when the client asks for more (real maxResults caps at 2500) */
void               calsync_fake_google_set_page_size  (CalsyncFakeGoogle *self,
                                                       guint              page_size);
/* Makes every sync token issued so far stale (next use → 410) */
void               calsync_fake_google_expire_sync_tokens (CalsyncFakeGoogle *self);
/* Injects a fault on the events or calendarList requests of @calendar_id (NULL = all) */
void               calsync_fake_google_set_fault      (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       CalsyncFakeFault   fault);
/* Interval between two bytes of CALSYNC_FAKE_FAULT_TRICKLE (default 100 ms) */
void               calsync_fake_google_set_trickle_interval (CalsyncFakeGoogle *self,
                                                       guint              interval_ms);
/* Size of the summary of CALSYNC_FAKE_FAULT_HUGE_FIELD (default 300 MiB) */
void               calsync_fake_google_set_huge_field_size (CalsyncFakeGoogle *self,
                                                       guint64            size);
void               calsync_fake_google_set_gzip       (CalsyncFakeGoogle *self,
                                                       CalsyncFakeGzip    gzip);
/* API requests received (events, calendarList), answered or not */
guint              calsync_fake_google_get_n_requests (CalsyncFakeGoogle *self);
/* Event writes accepted (insert, patch, update, delete: see -write.c) */
guint              calsync_fake_google_get_n_writes   (CalsyncFakeGoogle *self);
/* The calendarList entry's accessRole ("owner" unless set): writes to a
 * calendar the user has "reader" or "freeBusyReader" access to are refused
 * with 403 requiredAccessLevel */
void               calsync_fake_google_set_access_role (CalsyncFakeGoogle *self,
                                                       const char        *email,
                                                       const char        *calendar_id,
                                                       const char        *access_role);
/* The sendUpdates parameter of the last write accepted ("" when it had none) */
const char        *calsync_fake_google_get_last_send_updates (CalsyncFakeGoogle *self);
/* (transfer full) (nullable): the event resource as events.get returns it, or
 * NULL when unknown or deleted */
char              *calsync_fake_google_dup_event      (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *event_id);
/* (transfer container) (element-type utf8): ids of the events of @calendar_id
 * that are neither deleted nor cancelled, sorted */
GPtrArray         *calsync_fake_google_list_event_ids (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id);
/* While set, a write is applied and its answer held back (the connection stays
 * open, nothing is sent): a client killed meanwhile never learns that the
 * server took it. Clearing it sends the held answers. */
void               calsync_fake_google_set_stall_writes (CalsyncFakeGoogle *self,
                                                       gboolean           stall);
/* Writes applied whose answers are held back now */
guint              calsync_fake_google_get_n_stalled  (CalsyncFakeGoogle *self);
/* Answers sent with Content-Encoding: gzip */
guint              calsync_fake_google_get_n_gzipped  (CalsyncFakeGoogle *self);
/* Streamed bodies (trickle, huge field) being sent right now, and the bytes
 * (before compression) that such bodies sent in all */
guint              calsync_fake_google_get_n_streams  (CalsyncFakeGoogle *self);
guint64            calsync_fake_google_get_streamed_bytes (CalsyncFakeGoogle *self);

G_END_DECLS
