/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-write.h: one local change written to a CalDAV collection
 * (RFC 4791 5.3.4): conditional PUT and DELETE of the event's resource,
 * conflicts settled by the newer side. */
#pragma once

#include "calsync-credentials.h"
#include "calsync-http.h"
#include "calsync-provider.h"

G_BEGIN_DECLS

/* A resource fetched to settle a conflict is at most this large */
#define CALSYNC_CALDAV_MAX_RESOURCE (16 * 1024 * 1024)

/**
 * calsync_caldav_write_async:
 * @collection_url: the calendar collection, "https://…/calendars/alice/work/"
 * @write: the change; copied, it need not outlive the call
 *
 * Create: `PUT {collection}/{uid}.ics` with `If-None-Match: *`; update: `PUT`
 * of the edited resource with `If-Match`; delete: `DELETE` with `If-Match`
 * (an instance of a series: a `PUT` with an EXDATE, or a `DELETE` when the
 * series is left with nothing). A 412 refetches the resource: when its
 * LAST-MODIFIED (else DTSTAMP) is older than the local edit, the edit is made
 * again on the fresh text and written (%CALSYNC_WRITE_OUTCOME_WON); otherwise
 * the server's copy stays (%CALSYNC_WRITE_OUTCOME_LOST, its text and etag in
 * the result; `deleted` when it was deleted there).
 *
 * Errors: %CALSYNC_SYNC_ERROR_WRITE_REFUSED for a 403 (no permission), a 404 or
 * 410 of an update (the event is gone), a 400/409/415 (the server does not
 * take the text) and a resource that cannot be edited; the message names the
 * event. The credentials' errors (a refused password) and the network's and
 * server's (%CALSYNC_HTTP_ERROR: 5xx, offline…) as they are: the change waits.
 */
void                calsync_caldav_write_async       (CalsyncHttp          *http,
                                                      CalsyncCredentials   *credentials,
                                                      const char           *collection_url,
                                                      const CalsyncWrite   *write,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
/* As above, with plain http:// allowed off loopback (--allow-insecure) */
void                calsync_caldav_write_full_async  (CalsyncHttp          *http,
                                                      CalsyncCredentials   *credentials,
                                                      const char           *collection_url,
                                                      gboolean              allow_insecure,
                                                      const CalsyncWrite   *write,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
CalsyncWriteResult *calsync_caldav_write_finish      (GAsyncResult         *result,
                                                      GError              **error);

/* The name a created event's resource gets in its collection: its UID when
 * that is safe in a URL path, else the UID's SHA-256; with ".ics" */
char               *calsync_caldav_resource_name     (CalsyncEvent         *event);

G_END_DECLS
