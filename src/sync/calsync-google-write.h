/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-google-write.h: one local change written to a Google calendar
 * (events.insert, patch, delete), conditional on the event's etag. */
#pragma once

#include "calsync-credentials.h"
#include "calsync-http.h"
#include "calsync-provider.h"

G_BEGIN_DECLS

/**
 * calsync_google_write_async:
 * @api_url: the API base, without a trailing slash
 * @calendar_id: the Google calendar's id
 * @write: the change; copied, it need not outlive the call
 *
 * Create: `POST …/events` with an event `id` derived from the write's
 * idempotency key, so that a retry after a lost answer meets 409 and reads
 * back the event the first attempt made instead of making a second one.
 * Update: `PATCH …/events/{id}` (an instance of a series through its own id)
 * with `If-Match`; delete: `DELETE …/events/{id}` with `If-Match` (an instance:
 * cancelled on the server). Attendees are never sent; `sendUpdates` is `all`
 * only when the person asked that guests be told, `none` otherwise.
 * A 412 reads the event again: when its `updated` is older than the local
 * edit, the change is written over it (%CALSYNC_WRITE_OUTCOME_WON), otherwise
 * the server's copy stays (%CALSYNC_WRITE_OUTCOME_LOST, in the result).
 * A series imported whole (@write's `whole`) is created as a recurring event
 * (its RRULE, RDATE and EXDATE) and the result says `replaced`.
 *
 * Errors: %CALSYNC_SYNC_ERROR_WRITE_REFUSED for 400, 403 (no write access)
 * and a 404/410 of an update (the event is gone), the message naming the
 * event; the credentials', network's and server's errors as they are: the
 * change waits.
 */
void                calsync_google_write_async  (CalsyncHttp          *http,
                                                 CalsyncCredentials   *credentials,
                                                 const char           *api_url,
                                                 const char           *calendar_id,
                                                 const CalsyncWrite   *write,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
CalsyncWriteResult *calsync_google_write_finish (GAsyncResult         *result,
                                                 GError              **error);

/* The event id a create with @idempotency_key is made with: base32hex
 * (lower-case hex is), 5 to 1024 characters, as events.insert requires */
char               *calsync_google_event_id_for (const char           *idempotency_key);

/* The recurrence lines (RRULE, EXRULE, RDATE, EXDATE) of the series' master
 * VEVENT in @ics, unfolded, as Google's `recurrence` takes them */
GPtrArray          *calsync_google_recurrence_from_ics (const char    *ics);

G_END_DECLS
