/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-popover-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-event-popover.h"

G_BEGIN_DECLS

CalsyncEvent *calsync_event_popover_get_event (CalsyncEventPopover *self);

G_END_DECLS
