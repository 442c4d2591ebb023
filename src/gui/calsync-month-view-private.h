/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-month-view-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-month-view.h"

G_BEGIN_DECLS

/* Visible range: local midnight of the first day, and of the day after the last. */
void       calsync_month_view_get_range  (CalsyncMonthView *self,
                                         GDateTime      **start,
                                         GDateTime      **end);
/* Number of event widgets currently shown. */
guint      calsync_month_view_get_n_events (CalsyncMonthView *self);

G_END_DECLS
