/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google.h: an in-process Google Calendar API v3 and Google OAuth on
 * 127.0.0.1, following the documentation: pages, nextSyncToken, syncToken with
 * time bounds → 400, stale token → 410, 401, 429 + Retry-After, 500, bad bodies. */
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
} CalsyncFakeFault;

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

/* Data: a calendar of @email's calendarList (the primary one's id is the email) */
void               calsync_fake_google_add_calendar   (CalsyncFakeGoogle *self,
                                                       const char        *email,
                                                       const char        *calendar_id,
                                                       const char        *summary,
                                                       gboolean           primary);
/* Adds or replaces an event resource (JSON object as the API returns it; "id"
 * required; "updated" and "etag" are set by the fake). Changes are what the next
 * incremental sync returns. */
void               calsync_fake_google_put_event      (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *event_json);
/* Marks an event cancelled (it then appears with status "cancelled" in incremental syncs) */
void               calsync_fake_google_cancel_event   (CalsyncFakeGoogle *self,
                                                       const char        *calendar_id,
                                                       const char        *event_id);
/* Adds @n generated events spread over the window around @now (benchmarks) */
void               calsync_fake_google_generate_events (CalsyncFakeGoogle *self,
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
guint              calsync_fake_google_get_n_requests (CalsyncFakeGoogle *self);

G_END_DECLS
