/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-peek.h: what the fake Google and the fake Graph hold right now,
 * read from their insides (not through their APIs, which a client would have to
 * page through): the tests that compare a client's store with the server. */
#pragma once

#include "calsync-fake-google.h"
#include "calsync-fake-graph.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The events of @calendar_id that a full listing shows (not deleted, not
 * cancelled), as copies of their resources. (element-type JsonObject) */
GPtrArray *calsync_fake_google_peek_events (CalsyncFakeGoogle *self,
                                            const char        *calendar_id);
/* The instances of @calendar_id a calendarView shows (not removed, no series
 * masters, not cancelled), as copies. (element-type JsonObject) */
GPtrArray *calsync_fake_graph_peek_events  (CalsyncFakeGraph  *self,
                                            const char        *calendar_id);

/* The fakes' HTTP servers (to watch their "request-finished" signal) */
SoupServer *calsync_fake_google_peek_server (CalsyncFakeGoogle *self);
SoupServer *calsync_fake_graph_peek_server  (CalsyncFakeGraph  *self);

G_END_DECLS
