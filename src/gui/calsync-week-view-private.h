/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-week-view-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-week-view.h"

G_BEGIN_DECLS

/* Number of event widgets currently shown. */
guint      calsync_week_view_get_n_events (CalsyncWeekView *self);

G_END_DECLS
