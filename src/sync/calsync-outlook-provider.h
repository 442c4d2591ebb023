/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-outlook-provider.h: Outlook and Microsoft 365 calendars through
 * Microsoft Graph (/me/calendars, calendarView/delta, /me). */
#pragma once

#include "calsync-credentials.h"
#include "calsync-http.h"
#include "calsync-provider.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_OUTLOOK_PROVIDER (calsync_outlook_provider_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncOutlookProvider, calsync_outlook_provider, CALSYNC, OUTLOOK_PROVIDER, GObject)

/* Events per page asked for with Prefer: odata.maxpagesize */
#define CALSYNC_OUTLOOK_PAGE_SIZE 1000

/* @api_url: CALSYNC_GRAPH_API_URL or https://graph.microsoft.com/v1.0 */
CalsyncOutlookProvider *calsync_outlook_provider_new             (CalsyncHttp        *http,
                                                                  CalsyncCredentials *credentials,
                                                                  const char         *api_url);
/* Default API URL honouring the environment */
char                   *calsync_outlook_provider_default_api_url (void);

/* Reads one calendarView/delta page (calsync-outlook-events.c; for tests and
 * the benchmarks) */
CalsyncPage            *calsync_outlook_parse_events_page        (const char         *data,
                                                                  gsize               length,
                                                                  GError            **error);

G_END_DECLS
