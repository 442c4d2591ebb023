/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-week-view.h: seven day columns, an all-day row and hour rows. */
#pragma once

#include <gtk/gtk.h>

#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_WEEK_VIEW (calsync_week_view_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncWeekView, calsync_week_view, CALSYNC, WEEK_VIEW, GtkWidget)

void       calsync_week_view_set_store  (CalsyncWeekView *self,
                                         CalsyncStore    *store);
/* Shows the week that contains @date. */
void       calsync_week_view_set_date   (CalsyncWeekView *self,
                                         GDateTime       *date);
/* Visible range: local midnight of the first day, and of the day after the last. */
void       calsync_week_view_get_range  (CalsyncWeekView *self,
                                         GDateTime      **start,
                                         GDateTime      **end);

void          calsync_week_view_set_holding  (CalsyncWeekView *self,
                                              gboolean         holding);

G_END_DECLS
