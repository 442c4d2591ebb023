/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fault-proxy.h: an HTTP proxy on 127.0.0.1 in front of one server (the
 * fake Google, the fake Graph, Radicale) that, when its fault rate is above
 * zero, answers a random share of the requests with a fault instead, drawn
 * from its own seeded random numbers. Each fault is what the real service (or
 * a gateway in front of it) sends:
 *
 * - 401 with the service's body: the token the request carried is refused from
 *   then on, so only a refreshed token gets through (Google, Graph)
 * - 403 usageLimits/rateLimitExceeded (Google's rate limit)
 * - 429 with Retry-After, and 429 without it
 * - 500, 502 (an HTML page, as a gateway sends), 503 (with Retry-After: 1)
 * - the request reaches the server, and the connection is dropped in the
 *   middle of its answer's body (before the status line when there is none)
 * - the request reaches the server, and its answer comes back cut short with a
 *   Content-Length that matches the cut: truncated JSON or XML
 * - slow: the answer waits 50–400 ms, then comes
 * - a redirect to the same origin (307 to a path that leads back to the same
 *   resource; 301/302/303/308 for GETs as well)
 * - a redirect to another origin (an "away" server of this proxy that records
 *   whether any request reaching it carried credentials, and answers 400)
 *
 * Every fault decides before the request is forwarded, except the dropped and
 * truncated answers and the slow ones, which happen after the server has
 * acted on it (an accepted write whose answer is lost). Paths, queries,
 * headers and bodies pass unchanged; absolute URLs of the server in answers
 * (Graph's @odata.nextLink and Location headers) are rewritten to the proxy's. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef enum
{
  CALSYNC_FAULT_UNAUTHORIZED,
  CALSYNC_FAULT_RATE_LIMIT_403,
  CALSYNC_FAULT_TOO_MANY_RETRY_AFTER,
  CALSYNC_FAULT_TOO_MANY,
  CALSYNC_FAULT_INTERNAL_ERROR,
  CALSYNC_FAULT_BAD_GATEWAY,
  CALSYNC_FAULT_UNAVAILABLE,
  CALSYNC_FAULT_DROPPED,
  CALSYNC_FAULT_TRUNCATED,
  CALSYNC_FAULT_SLOW,
  CALSYNC_FAULT_REDIRECT,
  CALSYNC_FAULT_REDIRECT_AWAY,
  CALSYNC_N_FAULTS
} CalsyncFault;

typedef enum
{
  CALSYNC_FAULT_FLAVOUR_GOOGLE,
  CALSYNC_FAULT_FLAVOUR_GRAPH,
  CALSYNC_FAULT_FLAVOUR_CALDAV,
} CalsyncFaultFlavour;

#define CALSYNC_TYPE_FAULT_PROXY (calsync_fault_proxy_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncFaultProxy, calsync_fault_proxy, CALSYNC, FAULT_PROXY, GObject)

/* @upstream_url: the server's base URL (its origin is what is proxied). The
 * faults a flavour never sees are left out: 401 for CalDAV (a refused
 * password means "reconnect"), the 403 rate limit for all but Google. */
CalsyncFaultProxy *calsync_fault_proxy_new            (const char          *upstream_url,
                                                       CalsyncFaultFlavour  flavour,
                                                       guint32              seed);
/* @upstream_url with the proxy's origin instead of the server's */
const char        *calsync_fault_proxy_get_url        (CalsyncFaultProxy   *self);
/* Share of the requests (0 … 1) answered with a fault; 0 (the default) passes
 * everything through */
void               calsync_fault_proxy_set_rate       (CalsyncFaultProxy   *self,
                                                       double               rate);
/* Tokens refused after a 401 stay refused even with the rate at 0 */
guint              calsync_fault_proxy_get_count      (CalsyncFaultProxy   *self,
                                                       CalsyncFault         fault);
guint              calsync_fault_proxy_get_n_requests (CalsyncFaultProxy   *self);
/* Requests that reached the other origin with an Authorization header, a
 * cookie or a body */
guint              calsync_fault_proxy_get_n_leaks    (CalsyncFaultProxy   *self);
const char        *calsync_fault_name                 (CalsyncFault         fault);

G_END_DECLS
