/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-week-layout.h: where the week view's events go (lanes and columns). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MINUTES_PER_DAY (24 * 60)

/* A timed event (or the part of it) inside one day column. */
typedef struct
{
  GtkWidget *widget;   /* borrowed: parented to self->grid */
  int day;
  int start;           /* minutes from local midnight, as drawn */
  int end;
  int column;          /* in its overlap cluster */
  int span;            /* columns it may use */
  int n_columns;
} TimedItem;

/* An all-day or multi-day event in the all-day row. */
typedef struct
{
  GtkWidget *widget;   /* borrowed: parented to self->all_day_row */
  int first_day;
  int last_day;
  int lane;
  gboolean continues_before;
  gboolean continues_after;
} BarItem;

int  calsync_week_layout_bars  (GArray *bars);
void calsync_week_layout_timed (GArray *items);

G_END_DECLS
