/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-event.h"

G_BEGIN_DECLS

/* The order the store returns events in: all-day first, then by start, then by title */
int calsync_event_compare (gconstpointer a,
                           gconstpointer b);

G_END_DECLS
