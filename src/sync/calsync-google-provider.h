/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-google-provider.h: Google Calendar API v3 (calendarList, events with
 * singleEvents, pages, syncToken, 410). */
#pragma once

#include "calsync-credentials.h"
#include "calsync-http.h"
#include "calsync-provider.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_GOOGLE_PROVIDER (calsync_google_provider_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncGoogleProvider, calsync_google_provider, CALSYNC, GOOGLE_PROVIDER, GObject)

/* @api_url: CALSYNC_GOOGLE_API_URL or https://www.googleapis.com/calendar/v3 */
CalsyncGoogleProvider *calsync_google_provider_new          (CalsyncHttp        *http,
                                                             CalsyncCredentials *credentials,
                                                             const char         *api_url);
/* Default API URL honouring the environment */
char                  *calsync_google_provider_default_api_url (void);

/* Reads one events page (calsync-google-events.c; for tests and the benchmark floor) */
CalsyncPage           *calsync_google_parse_events_page      (const char         *data,
                                                              gsize               length,
                                                              GError            **error);

/* Google's 403 that means "too many requests" (retried like a 429) */
gboolean               calsync_google_response_is_rate_limit (CalsyncHttpResponse *response);

/* Reads one event resource (events.get, insert, patch answers) */
CalsyncEvent          *calsync_google_parse_event            (const char         *data,
                                                              gsize               length,
                                                              const char         *calendar_zone,
                                                              GError            **error);

G_END_DECLS
