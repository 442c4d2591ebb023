/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-week-view-private.h: what the two parts of CalsyncWeekView share —
 * what the view shows: its dates, the current time and the events of the
 * week (calsync-week-view.c), and its three rows: the header row, the all-day
 * row and the time grid, built and laid out (calsync-week-view-layout.c) — and
 * what only tests and benchmarks call. */
#pragma once

#include "calsync-week-layout.h"
#include "calsync-week-view.h"

G_BEGIN_DECLS

#define N_DAYS            7
#define N_HOURS           24
#define HOUR_HEIGHT       60   /* pixels; one pixel per minute */
#define MIN_DAY_WIDTH     40
#define NAT_DAY_WIDTH     120
#define GUTTER_PADDING    8
#define EVENT_GAP         2    /* between side-by-side events */
#define EVENT_END_MARGIN  6    /* free strip at the end of each day column */
#define BAR_MARGIN        3
#define LANE_SPACING      2
#define ALL_DAY_PADDING   3
#define MAX_ALL_DAY_HEIGHT 112 /* about four lanes; more lanes scroll */
#define WORKDAY_HOUR      8

struct _CalsyncWeekView
{
  GtkWidget parent_instance;

  /* Owned references */
  CalsyncStore *store;
  GDateTime *week_start;
  GCancellable *cancellable;
  GArray *timed_items;
  GArray *bar_items;

  /* Children (borrowed: owned through the widget tree) */
  GtkWidget *header_row;
  GtkWidget *week_label;
  GtkWidget *day_headers[N_DAYS];
  GtkWidget *weekday_labels[N_DAYS];
  GtkWidget *day_number_labels[N_DAYS];
  GtkWidget *header_lines[N_DAYS];
  GtkWidget *all_day_scroller;
  GtkWidget *all_day_row;
  GtkWidget *all_day_lines[N_DAYS];
  GtkWidget *separator;
  GtkWidget *scroller;
  GtkWidget *grid;
  GtkWidget *hour_labels[N_HOURS];
  GtkWidget *hour_lines[N_HOURS];
  GtkWidget *half_hour_lines[N_HOURS];
  GtkWidget *grid_lines[N_DAYS];
  GtkWidget *now_line;
  GtkWidget *now_dot;

  int today_column;    /* -1 when today is not in the shown week */
  int now_minute;
  int n_lanes;
  guint tick_id;
  gboolean scrolled_to_workday;
  gboolean needs_reload;
  gboolean holding;        /* during a sync: store changes wait for its end */
  gboolean held_change;
  GPtrArray *shown_events;   /* the query result the widgets show */
};

/* calsync-week-view.c */
/* Local midnight of day @day (0 … N_DAYS - 1) of the shown week */
GDateTime *calsync_week_view_day_date    (CalsyncWeekView *self,
                                          int              day);

/* calsync-week-view-layout.c */
/* The header row, the all-day row in its scroller, the separator and the time
 * grid in its scroller, as the view's children in this order */
void       calsync_week_view_build_rows  (CalsyncWeekView *self);
/* Height of a lane of the all-day row, with its spacing */
int        calsync_week_view_lane_height (CalsyncWeekView *self);

/* For tests and benchmarks */

/* Number of event widgets currently shown. */
guint      calsync_week_view_get_n_events (CalsyncWeekView *self);

G_END_DECLS
