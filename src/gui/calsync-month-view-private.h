/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-month-view-private.h: what the two parts of CalsyncMonthView share —
 * the view, its chips and their layout (calsync-month-view.c) and its grid of
 * day cells with the keyboard (calsync-month-view-grid.c) — and what only tests
 * and benchmarks call. */
#pragma once

#include "calsync-month-view.h"

G_BEGIN_DECLS

#define N_ROWS 6
#define N_COLS 7
#define N_CELLS (N_ROWS * N_COLS)
#define CELL_PADDING 4
#define LANE_SPACING 2
/* New chips are made in slices, one per frame (a tick callback), week row by
 * week row, so that a month filling up paints in several short frames, not one
 * long one. A slice stays under GSK's limit of 30 damaged rectangles per frame:
 * above it, the whole view is repainted. */
#define CREATE_BUDGET_US 3000
#define CREATE_MAX_PER_SLICE 12

/* One piece of an event inside one week row. */
typedef struct
{
  GtkWidget *widget;   /* owned by the view (parented) */
  CalsyncEvent *event; /* owned: the list it came from may be replaced first */
  int row;
  int first_col;
  int last_col;
  int lane;
  gboolean multi_day;
  gboolean continues_before;
  gboolean continues_after;
  gboolean pending;    /* gets a widget in a later slice */
} Segment;

struct _CalsyncMonthView
{
  GtkWidget parent_instance;

  /* Owned references */
  CalsyncStore *store;
  GDateTime *date;          /* any day of the shown month */
  GDateTime *grid_start;    /* local midnight of the first cell */
  GCancellable *cancellable;
  GPtrArray *events;        /* CalsyncEvent of the visible range */
  GArray *segments;         /* Segment */

  /* Children */
  GtkWidget *weekday_labels[N_COLS];
  GtkWidget *rows[N_ROWS];         /* accessible rows of the grid: the week's cells */
  GtkWidget *cells[N_CELLS];
  GtkWidget *day_labels[N_CELLS];
  GtkWidget *more_buttons[N_CELLS];
  GtkWidget *day_popover;

  int lanes_used[N_CELLS];
  int more_named[N_CELLS];   /* the count a "+N more" button's accessible name says, -1 none */
  int today;
  int created_lanes;       /* lanes that have widgets; grows with the window */
  int known_capacity;      /* lanes a cell showed at the last allocation */
  guint rebuild_id;
  guint create_id;         /* tick callback */
  GArray *pending;         /* guint indexes of segments waiting for a widget, by row */
  guint next_pending;      /* first of them the create idle looks at */
  int pending_in_row[N_ROWS];
  guint timeout_id;
  gboolean needs_reload;
  gboolean holding;        /* during a sync: store changes wait for its end */
  gboolean held_change;
};

/* calsync-month-view.c */
/* Local midnight of the day of cell @index (0 … N_CELLS: the day after the grid) */
GDateTime *calsync_month_view_cell_date  (CalsyncMonthView *self,
                                          int               index);

/* calsync-month-view-grid.c */
/* The week rows and their day cells (after the weekday labels), and the keys */
void       calsync_month_view_create_grid (CalsyncMonthView *self);
/* The widgets Tab visits, in order (shown or not) */
GPtrArray *calsync_month_view_focus_chain (CalsyncMonthView *self);
/* Asks the window for a new one-hour event at 09:00 on the day of @cell */
void       calsync_month_view_request_new_event (CalsyncMonthView *self,
                                                 int               cell);

/* For tests and benchmarks */

/* Visible range: local midnight of the first day, and of the day after the last. */
void       calsync_month_view_get_range  (CalsyncMonthView *self,
                                         GDateTime      **start,
                                         GDateTime      **end);
/* Number of event widgets currently shown. */
guint      calsync_month_view_get_n_events (CalsyncMonthView *self);

G_END_DECLS
