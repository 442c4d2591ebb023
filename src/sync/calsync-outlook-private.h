/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-outlook-private.h: what the Outlook provider's files share (the
 * provider, its page reader and its errors). */
#pragma once

#include "calsync-outlook-provider.h"

G_BEGIN_DECLS

/* calsync-outlook-events.c: one event resource (a write's answer, a GET) */
CalsyncEvent *calsync_outlook_parse_event     (const char          *data,
                                               gsize                length,
                                               GError             **error);

/* calsync-outlook-write.c: one local change sent to Graph (POST …/events,
 * PATCH or DELETE /me/events/{id} with If-Match), conflicts settled */
void                calsync_outlook_write_async  (CalsyncHttp         *http,
                                                  CalsyncCredentials  *credentials,
                                                  const char          *api_url,
                                                  const char          *calendar_id,
                                                  const CalsyncWrite  *write,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
CalsyncWriteResult *calsync_outlook_write_finish (GAsyncResult        *result,
                                                  GError             **error);
/* Graph's body of an event as it goes to the server (for tests) */
char               *calsync_outlook_event_body   (CalsyncEvent        *event,
                                                  const char          *transaction_id);
char               *calsync_outlook_series_body  (CalsyncEvent        *event,
                                                  const char          *transaction_id,
                                                  const char          *recurrence);
/* The transactionId of a create: a GUID made from @idempotency_key's SHA-256 */
char               *calsync_outlook_transaction_id (const char        *idempotency_key);

/* calsync-outlook-recurrence.c: a series from a file as Graph stores one */
typedef struct
{
  char *recurrence_json;   /* the patternedRecurrence; NULL: no rule (overrides only) */
  GDateTime *start;        /* DTSTART in the event's zone (all-day: its date, UTC midnight) */
  GPtrArray *excluded;     /* "YYYY-MM-DD" in that zone: EXDATEs and cancelled overrides */
  guint n_overrides;       /* overrides (RECURRENCE-ID) that are not cancellations */
} CalsyncOutlookSeries;

void                  calsync_outlook_series_free     (CalsyncOutlookSeries *series);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncOutlookSeries, calsync_outlook_series_free)
CalsyncOutlookSeries *calsync_outlook_series_from_ics (const char           *ics,
                                                       CalsyncEvent         *first,
                                                       GTimeZone            *zone,
                                                       const char           *zone_name,
                                                       char                **reason);
char                 *calsync_outlook_recurrence_json (const char           *rule,
                                                       GDateTime            *first,
                                                       const char           *zone_name,
                                                       char                **reason);

/* calsync-outlook-errors.c */
GError   *calsync_outlook_error_from_response (GError              *error,
                                               CalsyncHttpResponse *response);
gboolean  calsync_outlook_is_rate_limit       (CalsyncHttpResponse *response);
char     *calsync_outlook_error_text          (CalsyncProvider     *provider,
                                               const GError        *error);
GError   *calsync_outlook_malformed_error     (void);
GError   *calsync_outlook_foreign_link_error  (void);

G_END_DECLS
