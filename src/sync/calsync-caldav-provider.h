/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-provider.h: CalDAV (RFC 4791, RFC 6578, RFC 6764) — discovery
 * from the address the person typed, calendar-query for a full round,
 * sync-collection and calendar-multiget after it, ctag and etags for servers
 * without sync-collection. */
#pragma once

#include "calsync-credentials.h"
#include "calsync-http.h"
#include "calsync-provider.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_CALDAV_PROVIDER (calsync_caldav_provider_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncCaldavProvider, calsync_caldav_provider, CALSYNC, CALDAV_PROVIDER, GObject)

/**
 * calsync_caldav_provider_new:
 * @server_url: the address the person typed: the server, a principal, a
 *   calendar home or one calendar
 * @allow_insecure: plain http:// to a server off this computer was allowed
 *
 * Calendars are identified by their collection's absolute URL (remote id),
 * events' resources by the absolute URL of their .ics (resource id).
 *
 * Returns: (transfer full): a provider for one CalDAV account
 */
CalsyncCaldavProvider *calsync_caldav_provider_new           (CalsyncHttp           *http,
                                                              CalsyncCredentials    *credentials,
                                                              const char            *server_url,
                                                              gboolean               allow_insecure);
const char            *calsync_caldav_provider_get_server_url (CalsyncCaldavProvider *self);
gboolean               calsync_caldav_provider_get_allow_insecure (CalsyncCaldavProvider *self);
CalsyncHttp           *calsync_caldav_provider_get_http      (CalsyncCaldavProvider *self);
CalsyncCredentials    *calsync_caldav_provider_get_credentials (CalsyncCaldavProvider *self);

G_END_DECLS
