/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-month-view.h: a 6×7 grid of days with event chips. */
#pragma once

#include <gtk/gtk.h>

#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_MONTH_VIEW (calsync_month_view_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncMonthView, calsync_month_view, CALSYNC, MONTH_VIEW, GtkWidget)

void       calsync_month_view_set_store  (CalsyncMonthView *self,
                                         CalsyncStore    *store);
/* Shows the month that contains @date. */
void       calsync_month_view_set_date   (CalsyncMonthView *self,
                                         GDateTime       *date);

void          calsync_month_view_set_holding (CalsyncMonthView *self,
                                              gboolean          holding);

G_END_DECLS
