/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-week-view.c: seven day columns, an all-day row and hour rows. */
#define G_LOG_DOMAIN "calsync-week-view"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-clock.h"
#include "calsync-gui.h"
#include "calsync-date-utils.h"
#include "calsync-event-widget.h"
#include "calsync-week-layout.h"
#include "calsync-week-view-private.h"
#include "calsync-week-view.h"

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

G_DEFINE_FINAL_TYPE (CalsyncWeekView, calsync_week_view, GTK_TYPE_WIDGET)

static void calsync_week_view_reload (CalsyncWeekView *self);

/* Geometry shared by the three rows */

static CalsyncWeekView *
view_of (GtkWidget *child)
{
  return CALSYNC_WEEK_VIEW (gtk_widget_get_ancestor (child, CALSYNC_TYPE_WEEK_VIEW));
}

static int
gutter_width (CalsyncWeekView *self)
{
  int widest = 0;

  for (int h = 0; h < N_HOURS; h++)
    {
      int natural = 0;

      gtk_widget_measure (self->hour_labels[h], GTK_ORIENTATION_HORIZONTAL, -1,
                          NULL, &natural, NULL, NULL);
      widest = MAX (widest, natural);
    }

  return widest + 2 * GUTTER_PADDING;
}

/* Left-to-right bounds of a day column; callers mirror them for RTL. */
static void
day_bounds (int  width,
            int  gutter,
            int  day,
            int *x,
            int *w)
{
  int available = MAX (width - gutter, 0);
  int x0 = gutter + day * available / N_DAYS;
  int x1 = gutter + (day + 1) * available / N_DAYS;

  *x = x0;
  *w = x1 - x0;
}

static void
measure_row_width (GtkWidget *row,
                   int       *minimum,
                   int       *natural)
{
  int gutter = gutter_width (view_of (row));

  *minimum = gutter + N_DAYS * MIN_DAY_WIDTH;
  *natural = gutter + N_DAYS * NAT_DAY_WIDTH;
}

/* Allocates @child at a left-to-right rectangle of a @width-wide parent. */
static void
place_child (GtkWidget *child,
             int        width,
             int        x,
             int        y,
             int        w,
             int        h)
{
  GtkAllocation alloc;

  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL, NULL, NULL);
  if (gtk_widget_get_direction (child) == GTK_TEXT_DIR_RTL)
    x = width - x - w;

  alloc.x = x;
  alloc.y = y;
  alloc.width = MAX (w, 0);
  alloc.height = MAX (h, 0);
  gtk_widget_size_allocate (child, &alloc, -1);
}

static void
place_day_lines (GtkWidget **lines,
                 int         width,
                 int         height,
                 int         gutter)
{
  for (int d = 0; d < N_DAYS; d++)
    {
      int x, w;

      day_bounds (width, gutter, d, &x, &w);
      place_child (lines[d], width, x, 0, 1, height);
    }
}

static GtkWidget *
new_line (GtkWidget      *parent,
          GtkOrientation  orientation,
          const char     *css_class)
{
  GtkWidget *line = gtk_separator_new (orientation);

  /* Decoration only: keep the lines out of the accessibility tree. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (line), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  if (css_class != NULL)
    gtk_widget_add_css_class (line, css_class);
  gtk_widget_set_parent (line, parent);
  return line;
}

static GtkWidget *
new_row (GtkCustomMeasureFunc  measure,
         GtkCustomAllocateFunc allocate,
         const char           *css_class)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  /* A GtkBox only for its plain container behaviour (it unparents its children on
   * dispose); the positions come from our own layout callbacks. */
  gtk_widget_set_layout_manager (row, gtk_custom_layout_new (NULL, measure, allocate));
  gtk_widget_add_css_class (row, css_class);
  return row;
}

/* Header row: weekday names and day numbers */

static void
header_measure (GtkWidget      *row,
                GtkOrientation  orientation,
                int             for_size,
                int            *minimum,
                int            *natural,
                int            *minimum_baseline,
                int            *natural_baseline)
{
  CalsyncWeekView *self = view_of (row);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      measure_row_width (row, minimum, natural);
      return;
    }

  *minimum = *natural = 0;
  for (int d = 0; d < N_DAYS; d++)
    {
      int min = 0, nat = 0;

      gtk_widget_measure (self->day_headers[d], orientation, -1, &min, &nat, NULL, NULL);
      *minimum = MAX (*minimum, min);
      *natural = MAX (*natural, nat);
    }
}

static void
header_allocate (GtkWidget *row,
                 int        width,
                 int        height,
                 int        baseline)
{
  CalsyncWeekView *self = view_of (row);
  int gutter = gutter_width (self);

  for (int d = 0; d < N_DAYS; d++)
    {
      int x, w;

      day_bounds (width, gutter, d, &x, &w);
      place_child (self->day_headers[d], width, x, 0, w, height);
    }

  place_child (self->week_label, width, 0, 0, gutter, height);
  place_day_lines (self->header_lines, width, height, gutter);
}

/* All-day row: bars stacked in lanes */

static int
lane_height (CalsyncWeekView *self)
{
  int height = 0;

  for (guint i = 0; i < self->bar_items->len; i++)
    {
      int natural = 0;

      gtk_widget_measure (g_array_index (self->bar_items, BarItem, i).widget,
                          GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
      height = MAX (height, natural);
    }

  return (height > 0 ? height : 20) + LANE_SPACING;
}

static void
all_day_measure (GtkWidget      *row,
                 GtkOrientation  orientation,
                 int             for_size,
                 int            *minimum,
                 int            *natural,
                 int            *minimum_baseline,
                 int            *natural_baseline)
{
  CalsyncWeekView *self = view_of (row);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    measure_row_width (row, minimum, natural);
  else
    *minimum = *natural = MAX (self->n_lanes, 1) * lane_height (self) + 2 * ALL_DAY_PADDING;
}

static void
place_bar (const BarItem *bar,
           int            width,
           int            gutter,
           int            lane_h)
{
  int x0, x1, w;

  day_bounds (width, gutter, bar->first_day, &x0, &w);
  day_bounds (width, gutter, bar->last_day, &x1, &w);
  x1 += w;
  /* Bars that continue outside the week run to the edge. */
  x0 += bar->continues_before ? 1 : BAR_MARGIN;
  x1 -= bar->continues_after ? 0 : BAR_MARGIN;
  place_child (bar->widget, width, x0, ALL_DAY_PADDING + bar->lane * lane_h,
               x1 - x0, lane_h - LANE_SPACING);
}

static void
all_day_allocate (GtkWidget *row,
                  int        width,
                  int        height,
                  int        baseline)
{
  CalsyncWeekView *self = view_of (row);
  int gutter = gutter_width (self);
  int lane_h = lane_height (self);

  place_day_lines (self->all_day_lines, width, height, gutter);
  for (guint i = 0; i < self->bar_items->len; i++)
    place_bar (&g_array_index (self->bar_items, BarItem, i), width, gutter, lane_h);
}

/* Time grid: hour rows, day columns, timed events, the current-time line */

static void
grid_measure (GtkWidget      *grid,
              GtkOrientation  orientation,
              int             for_size,
              int            *minimum,
              int            *natural,
              int            *minimum_baseline,
              int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    measure_row_width (grid, minimum, natural);
  else
    *minimum = *natural = N_HOURS * HOUR_HEIGHT + 1;
}

static void
place_hours (CalsyncWeekView *self,
             int              width,
             int              gutter)
{
  int days_width = width - gutter;

  for (int h = 0; h < N_HOURS; h++)
    {
      int label_h = 0;
      int y = h * HOUR_HEIGHT;

      gtk_widget_measure (self->hour_labels[h], GTK_ORIENTATION_VERTICAL, -1,
                          NULL, &label_h, NULL, NULL);
      /* Centred in the first half hour, as GNOME Calendar does. */
      place_child (self->hour_labels[h], width, GUTTER_PADDING,
                   y + MAX ((HOUR_HEIGHT / 2 - label_h) / 2, 0),
                   gutter - 2 * GUTTER_PADDING, label_h);
      place_child (self->hour_lines[h], width, 0, y, width, 1);
      place_child (self->half_hour_lines[h], width, gutter, y + HOUR_HEIGHT / 2, days_width, 1);
    }
}

static void
place_timed (const TimedItem *item,
             int              width,
             int              gutter)
{
  int x, w, inner, sub_w, ex, ew;

  day_bounds (width, gutter, item->day, &x, &w);
  inner = MAX (w - 1 - EVENT_END_MARGIN, 1);
  sub_w = inner / item->n_columns;
  ex = x + 1 + item->column * sub_w;
  ew = sub_w * item->span;
  if (item->column + item->span < item->n_columns)
    ew -= EVENT_GAP;

  place_child (item->widget, width, ex + 1, item->start * HOUR_HEIGHT / 60 + 1,
               MAX (ew - 1, 1), (item->end - item->start) * HOUR_HEIGHT / 60 - 2);
}

static void
place_now_line (CalsyncWeekView *self,
                int              width,
                int              gutter)
{
  gboolean visible = self->today_column >= 0;
  int x, w, y, dot = 0;

  gtk_widget_set_child_visible (self->now_line, visible);
  gtk_widget_set_child_visible (self->now_dot, visible);
  if (!visible)
    return;

  day_bounds (width, gutter, self->today_column, &x, &w);
  y = self->now_minute * HOUR_HEIGHT / 60;
  gtk_widget_measure (self->now_dot, GTK_ORIENTATION_VERTICAL, -1, &dot, NULL, NULL, NULL);
  dot = MAX (dot, 2);
  place_child (self->now_line, width, x, y - 1, w, 2);
  place_child (self->now_dot, width, x - dot / 2, y - dot / 2, dot, dot);
}

static void
grid_allocate (GtkWidget *grid,
               int        width,
               int        height,
               int        baseline)
{
  CalsyncWeekView *self = view_of (grid);
  int gutter = gutter_width (self);

  place_hours (self, width, gutter);
  place_day_lines (self->grid_lines, width, height, gutter);
  for (guint i = 0; i < self->timed_items->len; i++)
    place_timed (&g_array_index (self->timed_items, TimedItem, i), width, gutter);
  place_now_line (self, width, gutter);
}

/* Header labels and the current time */

static GDateTime *
day_date (CalsyncWeekView *self,
          int              day)
{
  g_autoptr(GDateTime) shifted = g_date_time_add_days (self->week_start, day);

  return calsync_date_start_of_day (shifted);
}

static void
update_week_label (CalsyncWeekView *self)
{
  /* The middle of the week names the ISO week, whichever day the week starts on. */
  g_autoptr(GDateTime) middle = day_date (self, 3);
  g_autofree char *text = NULL;
  g_autofree char *full = NULL;

  /* Translators: short week number in the week view's corner, e.g. "W48" */
  text = g_strdup_printf (_("W%d"), g_date_time_get_week_of_year (middle));
  full = g_strdup_printf (_("Week %d"), g_date_time_get_week_of_year (middle));
  gtk_label_set_text (GTK_LABEL (self->week_label), text);
  gtk_widget_set_tooltip_text (self->week_label, full);
}

static void
update_day_headers (CalsyncWeekView *self)
{
  for (int d = 0; d < N_DAYS; d++)
    {
      g_autoptr(GDateTime) day = day_date (self, d);
      g_autofree char *weekday = g_date_time_format (day, "%a");
      g_autofree char *upper = g_utf8_strup (weekday, -1);
      g_autofree char *number = g_strdup_printf ("%d", g_date_time_get_day_of_month (day));
      /* Translators: accessible name of a day column, strftime(3) format */
      g_autofree char *full = g_date_time_format (day, _("%A, %-d %B %Y"));

      gtk_label_set_text (GTK_LABEL (self->weekday_labels[d]), upper);
      gtk_label_set_text (GTK_LABEL (self->day_number_labels[d]), number);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->day_headers[d]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, g_strstrip (full), -1);
      if (d == self->today_column)
        gtk_widget_add_css_class (self->day_headers[d], "today");
      else
        gtk_widget_remove_css_class (self->day_headers[d], "today");
    }

  update_week_label (self);
}

static void
update_past_classes (CalsyncWeekView *self,
                     GDateTime       *now)
{
  for (guint i = 0; i < self->timed_items->len; i++)
    {
      GtkWidget *widget = g_array_index (self->timed_items, TimedItem, i).widget;
      CalsyncEvent *event = calsync_event_widget_get_event (CALSYNC_EVENT_WIDGET (widget));
      g_autoptr(GDateTime) end = calsync_event_dup_local_end (event);

      if (g_date_time_compare (end, now) <= 0)
        gtk_widget_add_css_class (widget, "past");
    }
}

/* Recomputes today's column and the current minute; returns whether today moved. */
static gboolean
update_now (CalsyncWeekView *self)
{
  g_autoptr(GDateTime) now = calsync_now_local ();
  int column = calsync_date_days_between (self->week_start, now);
  int old_column = self->today_column;

  self->today_column = (column >= 0 && column < N_DAYS) ? column : -1;
  self->now_minute = g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now);
  update_past_classes (self, now);
  gtk_widget_queue_allocate (self->grid);

  return old_column != self->today_column;
}

static gboolean
tick_cb (gpointer user_data)
{
  CalsyncWeekView *self = user_data;

  if (update_now (self))
    update_day_headers (self);

  return G_SOURCE_CONTINUE;
}

/* Building the event widgets from a query result */

static void
clear_items (CalsyncWeekView *self)
{
  g_clear_pointer (&self->shown_events, g_ptr_array_unref);
  for (guint i = 0; i < self->timed_items->len; i++)
    gtk_widget_unparent (g_array_index (self->timed_items, TimedItem, i).widget);
  for (guint i = 0; i < self->bar_items->len; i++)
    gtk_widget_unparent (g_array_index (self->bar_items, BarItem, i).widget);

  g_array_set_size (self->timed_items, 0);
  g_array_set_size (self->bar_items, 0);
  self->n_lanes = 0;
}

static gboolean
belongs_in_all_day_row (CalsyncEvent *event)
{
  return calsync_event_get_all_day (event) ||
         calsync_event_get_end (event) - calsync_event_get_start (event) >= 24 * 3600;
}

/* Days (from the week start) of the event's first and last moment. */
static void
event_days (CalsyncWeekView *self,
            GDateTime       *start,
            GDateTime       *end,
            int             *first,
            int             *last)
{
  /* An event ending at midnight does not reach into that day. */
  g_autoptr(GDateTime) last_moment = g_date_time_compare (end, start) > 0
                                     ? g_date_time_add_seconds (end, -1)
                                     : g_date_time_ref (start);

  *first = calsync_date_days_between (self->week_start, start);
  *last = calsync_date_days_between (self->week_start, last_moment);
}

static int
minute_of_day (GDateTime *dt)
{
  return g_date_time_get_hour (dt) * 60 + g_date_time_get_minute (dt);
}

static void
add_bar (CalsyncWeekView *self,
         CalsyncEvent    *event)
{
  g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);
  g_autoptr(GDateTime) end = calsync_event_dup_local_end (event);
  BarItem bar = { 0 };
  int first, last;

  if (start == NULL || end == NULL)
    return;

  event_days (self, start, end, &first, &last);
  if (last < 0 || first >= N_DAYS)
    return;

  bar.first_day = MAX (first, 0);
  bar.last_day = MIN (last, N_DAYS - 1);
  bar.continues_before = first < 0;
  bar.continues_after = last >= N_DAYS;
  bar.widget = calsync_event_widget_new (event, CALSYNC_EVENT_WIDGET_BAR);
  calsync_event_widget_set_continues (CALSYNC_EVENT_WIDGET (bar.widget),
                                      bar.continues_before, bar.continues_after);
  g_array_append_val (self->bar_items, bar);
}

static void
add_timed (CalsyncWeekView *self,
           CalsyncEvent    *event)
{
  g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);
  g_autoptr(GDateTime) end = calsync_event_dup_local_end (event);
  int first, last, end_day;

  if (start == NULL || end == NULL)
    return;

  event_days (self, start, end, &first, &last);
  end_day = calsync_date_days_between (self->week_start, end);

  /* Events crossing midnight get one piece per day. */
  for (int d = MAX (first, 0); d <= MIN (last, N_DAYS - 1); d++)
    {
      TimedItem item = { 0 };

      item.day = d;
      item.start = d == first ? minute_of_day (start) : 0;
      item.end = d == end_day ? minute_of_day (end) : MINUTES_PER_DAY;
      g_array_append_val (self->timed_items, item);
    }
}

static void
parent_items (CalsyncWeekView *self)
{
  for (guint i = 0; i < self->bar_items->len; i++)
    gtk_widget_set_parent (g_array_index (self->bar_items, BarItem, i).widget,
                           self->all_day_row);

  /* Below the current-time line; in day and time order for keyboard and screen readers. */
  for (guint i = 0; i < self->timed_items->len; i++)
    gtk_widget_insert_before (g_array_index (self->timed_items, TimedItem, i).widget,
                              self->grid, self->now_line);
}

static void
create_timed_widgets (CalsyncWeekView *self,
                      GPtrArray       *events,
                      GArray          *events_of_items)
{
  for (guint i = 0; i < self->timed_items->len; i++)
    {
      TimedItem *item = &g_array_index (self->timed_items, TimedItem, i);
      CalsyncEvent *event = g_ptr_array_index (events, g_array_index (events_of_items, guint, i));

      item->widget = calsync_event_widget_new (event, CALSYNC_EVENT_WIDGET_BLOCK);
    }
}

static void
collect_items (CalsyncWeekView *self,
               GPtrArray       *events,
               GArray          *events_of_items)
{
  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      guint before = self->timed_items->len;

      if (calsync_event_get_status (event) == CALSYNC_EVENT_STATUS_CANCELLED)
        continue;

      if (belongs_in_all_day_row (event))
        add_bar (self, event);
      else
        add_timed (self, event);

      for (guint j = before; j < self->timed_items->len; j++)
        g_array_append_val (events_of_items, i);
    }
}

static void
show_events (CalsyncWeekView *self,
             GPtrArray       *events)
{
  g_autoptr(GArray) events_of_items = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean scrolls;

  clear_items (self);
  collect_items (self, events, events_of_items);
  /* Widgets are made before sorting so each piece keeps its own event. */
  create_timed_widgets (self, events, events_of_items);
  calsync_week_layout_timed (self->timed_items);
  self->n_lanes = calsync_week_layout_bars (self->bar_items);
  parent_items (self);
  update_now (self);

  /* A scrollbar has a minimum height of its own: only ask for one when the lanes
   * do not fit, so one or two all-day events get a row of their own height. */
  scrolls = self->n_lanes * lane_height (self) > MAX_ALL_DAY_HEIGHT;
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->all_day_scroller), GTK_POLICY_NEVER,
                                  scrolls ? GTK_POLICY_AUTOMATIC : GTK_POLICY_NEVER);
  gtk_accessible_update_state (GTK_ACCESSIBLE (gtk_scrolled_window_get_vscrollbar (GTK_SCROLLED_WINDOW (self->all_day_scroller))),
                               GTK_ACCESSIBLE_STATE_HIDDEN, !scrolls, -1);

  gtk_widget_queue_resize (self->all_day_row);
  gtk_widget_queue_allocate (self->grid);
}

/* Loading */

static void
query_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CalsyncWeekView) self = user_data;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;

  events = calsync_store_query_range_finish (CALSYNC_STORE (source), result, &error);
  if (events == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not load the week's events: %s", error->message);
      return;
    }

  /* A store change that did not touch this week keeps the widgets as they are */
  if (self->shown_events != NULL && calsync_event_lists_equal (self->shown_events, events))
    return;

  show_events (self, events);
  g_clear_pointer (&self->shown_events, g_ptr_array_unref);
  self->shown_events = g_steal_pointer (&events);
}

static void
calsync_week_view_reload (CalsyncWeekView *self)
{
  g_autoptr(GDateTime) end = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->held_change = FALSE;

  if (self->store == NULL)
    {
      clear_items (self);
      gtk_widget_queue_resize (self->all_day_row);
      return;
    }

  /* A hidden view loads when it is shown: startup pays only for the visible one. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->needs_reload = TRUE;
      return;
    }

  self->needs_reload = FALSE;
  self->cancellable = g_cancellable_new ();
  calsync_week_view_get_range (self, NULL, &end);
  calsync_store_query_range_async (self->store,
                                   g_date_time_to_unix (self->week_start),
                                   g_date_time_to_unix (end),
                                   self->cancellable,
                                   query_done_cb,
                                   g_object_ref (self));
}

static void
store_changed_cb (CalsyncWeekView *self)
{
  if (self->holding)
    self->held_change = TRUE;
  else
    calsync_week_view_reload (self);
}

/* See calsync_month_view_set_holding() */
void
calsync_week_view_set_holding (CalsyncWeekView *self,
                               gboolean         holding)
{
  g_return_if_fail (CALSYNC_IS_WEEK_VIEW (self));

  self->holding = holding;
  if (!holding && self->held_change)
    calsync_week_view_reload (self);
}

/* Scrolling to the working day once the grid has its size */

static gboolean
scroll_to_workday_cb (GtkWidget     *scroller,
                      GdkFrameClock *frame_clock,
                      gpointer       user_data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_adjustment_set_value (adjustment, WORKDAY_HOUR * HOUR_HEIGHT);
  return G_SOURCE_REMOVE;
}

static void
vadjustment_changed_cb (GtkAdjustment   *adjustment,
                        CalsyncWeekView *self)
{
  if (self->scrolled_to_workday ||
      gtk_adjustment_get_page_size (adjustment) <= 0 ||
      gtk_adjustment_get_upper (adjustment) < N_HOURS * HOUR_HEIGHT)
    return;

  /* The viewport is configuring the adjustment right now; set the value on the
   * next frame so that it sticks. */
  self->scrolled_to_workday = TRUE;
  gtk_widget_add_tick_callback (self->scroller, scroll_to_workday_cb, NULL, NULL);
}

/* Construction */

/* A scroll bar that never shows (policy NEVER) stays out of the accessibility tree */
static void
hide_scrollbar (GtkWidget *scrollbar)
{
  if (scrollbar != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (scrollbar), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
}

/* A scroll bar named for what it scrolls, not "GtkScrollbar" (its inner range
 * would read "GtkRange") */
static void
name_scrollbar (GtkWidget  *scrollbar,
                const char *name)
{
  GtkWidget *range;

  if (scrollbar == NULL)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (scrollbar), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  for (range = gtk_widget_get_first_child (scrollbar); range != NULL; range = gtk_widget_get_next_sibling (range))
    gtk_accessible_update_state (GTK_ACCESSIBLE (range), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
}

static void
build_day_header (CalsyncWeekView *self,
                  int              d)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  self->weekday_labels[d] = gtk_label_new (NULL);
  self->day_number_labels[d] = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->weekday_labels[d]), 0.0f);
  gtk_label_set_xalign (GTK_LABEL (self->day_number_labels[d]), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (self->weekday_labels[d]), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->weekday_labels[d], "weekday");
  gtk_widget_add_css_class (self->day_number_labels[d], "day-number");
  /* The header's accessible name says the whole day: the labels would repeat it */
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->weekday_labels[d]), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->day_number_labels[d]), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_box_append (GTK_BOX (box), self->weekday_labels[d]);
  gtk_box_append (GTK_BOX (box), self->day_number_labels[d]);
  gtk_widget_add_css_class (box, "day-header");
  gtk_widget_set_parent (box, self->header_row);
  self->day_headers[d] = box;
}

static void
build_header_row (CalsyncWeekView *self)
{
  self->header_row = new_row (header_measure, header_allocate, "week-header");

  self->week_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->week_label), 0.5f);
  gtk_label_set_yalign (GTK_LABEL (self->week_label), 1.0f);
  gtk_widget_add_css_class (self->week_label, "week-number");
  gtk_widget_set_parent (self->week_label, self->header_row);

  for (int d = 0; d < N_DAYS; d++)
    {
      self->header_lines[d] = new_line (self->header_row, GTK_ORIENTATION_VERTICAL, NULL);
      build_day_header (self, d);
    }

  gtk_widget_set_parent (self->header_row, GTK_WIDGET (self));
}

static void
build_all_day_row (CalsyncWeekView *self)
{
  self->all_day_row = new_row (all_day_measure, all_day_allocate, "all-day-row");
  for (int d = 0; d < N_DAYS; d++)
    self->all_day_lines[d] = new_line (self->all_day_row, GTK_ORIENTATION_VERTICAL, NULL);

  self->all_day_scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->all_day_scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->all_day_scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->all_day_scroller),
                                              MAX_ALL_DAY_HEIGHT);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->all_day_scroller), self->all_day_row);
  hide_scrollbar (gtk_scrolled_window_get_hscrollbar (GTK_SCROLLED_WINDOW (self->all_day_scroller)));
  hide_scrollbar (gtk_scrolled_window_get_vscrollbar (GTK_SCROLLED_WINDOW (self->all_day_scroller)));
  name_scrollbar (gtk_scrolled_window_get_vscrollbar (GTK_SCROLLED_WINDOW (self->all_day_scroller)),
                  /* Translators: accessible name of the scroll bar of the week view's all-day events */
                  _("All-day events"));
  gtk_widget_set_parent (self->all_day_scroller, GTK_WIDGET (self));

  self->separator = new_line (GTK_WIDGET (self), GTK_ORIENTATION_HORIZONTAL, NULL);
}

static void
build_hours (CalsyncWeekView *self)
{
  for (int h = 0; h < N_HOURS; h++)
    {
      g_autoptr(GDateTime) time = g_date_time_new_local (2000, 1, 1, h, 0, 0);
      g_autofree char *text = calsync_date_format_time (time);

      self->hour_labels[h] = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (self->hour_labels[h]), 0.0f);
      gtk_widget_add_css_class (self->hour_labels[h], "hour-label");
      gtk_widget_set_parent (self->hour_labels[h], self->grid);
      self->hour_lines[h] = new_line (self->grid, GTK_ORIENTATION_HORIZONTAL, NULL);
      self->half_hour_lines[h] = new_line (self->grid, GTK_ORIENTATION_HORIZONTAL, "half-hour");
    }

  /* The first row's top edge is the separator above the scroller. */
  gtk_widget_set_visible (self->hour_lines[0], FALSE);
}

/* Double-click on a free spot of the hour grid: a new one-hour event at that half hour. */
static void
grid_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 CalsyncWeekView *self)
{
  GtkWidget *picked = gtk_widget_pick (self->grid, x, y, GTK_PICK_DEFAULT);
  int width = gtk_widget_get_width (self->grid);
  int gutter = gutter_width (self);
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) start = NULL;
  int column, minute;

  if (n_press != 2 || picked == NULL || width <= gutter ||
      gtk_widget_get_ancestor (picked, CALSYNC_TYPE_EVENT_WIDGET) != NULL)
    return;

  if (gtk_widget_get_direction (self->grid) == GTK_TEXT_DIR_RTL)
    x = width - x;
  if (x < gutter)
    return;

  column = CLAMP ((int) ((x - gutter) * N_DAYS / (width - gutter)), 0, N_DAYS - 1);
  minute = CLAMP ((int) (y * 60 / HOUR_HEIGHT), 0, MINUTES_PER_DAY - 1) / 30 * 30;
  day = day_date (self, column);
  /* Wall-clock time, not an offset from midnight: right on DST days too. */
  start = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                 g_date_time_get_day_of_month (day), minute / 60, minute % 60, 0);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.new-event-at", "x", g_date_time_to_unix (start));
}

static void
build_grid (CalsyncWeekView *self)
{
  GtkGesture *click;

  GtkAdjustment *vadjustment;

  self->grid = new_row (grid_measure, grid_allocate, "week-grid");
  build_hours (self);
  for (int d = 0; d < N_DAYS; d++)
    self->grid_lines[d] = new_line (self->grid, GTK_ORIENTATION_VERTICAL, NULL);

  self->now_line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  self->now_dot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (self->now_line, "now-line");
  gtk_widget_add_css_class (self->now_dot, "now-dot");
  gtk_widget_set_parent (self->now_line, self->grid);
  gtk_widget_set_parent (self->now_dot, self->grid);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (grid_pressed_cb), self);
  gtk_widget_add_controller (self->grid, GTK_EVENT_CONTROLLER (click));

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->grid);
  hide_scrollbar (gtk_scrolled_window_get_hscrollbar (GTK_SCROLLED_WINDOW (self->scroller)));
  name_scrollbar (gtk_scrolled_window_get_vscrollbar (GTK_SCROLLED_WINDOW (self->scroller)),
                  /* Translators: accessible name of the week view's vertical scroll bar */
                  _("Hours"));
  gtk_widget_set_hexpand (self->scroller, TRUE);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  g_signal_connect_object (vadjustment, "changed", G_CALLBACK (vadjustment_changed_cb),
                           self, G_CONNECT_DEFAULT);
}

static void
calsync_week_view_dispose (GObject *object)
{
  CalsyncWeekView *self = (CalsyncWeekView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_object (&self->store);

  if (self->timed_items != NULL)
    {
      g_array_set_size (self->timed_items, 0);
      g_array_set_size (self->bar_items, 0);
    }

  g_clear_pointer (&self->header_row, gtk_widget_unparent);
  g_clear_pointer (&self->all_day_scroller, gtk_widget_unparent);
  g_clear_pointer (&self->separator, gtk_widget_unparent);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);

  G_OBJECT_CLASS (calsync_week_view_parent_class)->dispose (object);
}

static void
calsync_week_view_finalize (GObject *object)
{
  CalsyncWeekView *self = (CalsyncWeekView *)object;

  g_clear_pointer (&self->week_start, g_date_time_unref);
  g_clear_pointer (&self->timed_items, g_array_unref);
  g_clear_pointer (&self->bar_items, g_array_unref);
  g_clear_pointer (&self->shown_events, g_ptr_array_unref);

  G_OBJECT_CLASS (calsync_week_view_parent_class)->finalize (object);
}

/* Keyboard: Tab goes day by day, and within a day by start time: the day's
 * all-day bars, then its events from the morning on. (GTK's own order goes by
 * position on screen: row by row across the days.) */
static GPtrArray *
focus_chain (CalsyncWeekView *self)
{
  GPtrArray *chain = g_ptr_array_sized_new (self->bar_items->len + self->timed_items->len);
  guint next_bar = 0, next_timed = 0;

  /* Both lists are sorted by day, bars by their first day (calsync-week-layout.c) */
  for (int d = 0; d < N_DAYS; d++)
    {
      for (; next_bar < self->bar_items->len; next_bar++)
        {
          const BarItem *bar = &g_array_index (self->bar_items, BarItem, next_bar);

          if (bar->first_day > d)
            break;
          g_ptr_array_add (chain, bar->widget);
        }
      for (; next_timed < self->timed_items->len; next_timed++)
        {
          const TimedItem *item = &g_array_index (self->timed_items, TimedItem, next_timed);

          if (item->day > d)
            break;
          g_ptr_array_add (chain, item->widget);
        }
    }
  return chain;
}

static gboolean
calsync_week_view_focus (GtkWidget        *widget,
                         GtkDirectionType  direction)
{
  g_autoptr(GPtrArray) chain = NULL;

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (calsync_week_view_parent_class)->focus (widget, direction);

  chain = focus_chain (CALSYNC_WEEK_VIEW (widget));
  return calsync_gui_focus_in_order (widget, GTK_WIDGET_CLASS (calsync_week_view_parent_class), chain, direction);
}

/* Like GtkBox: the view expands when its time grid does. */
static void
calsync_week_view_compute_expand (GtkWidget *widget,
                                  gboolean  *hexpand,
                                  gboolean  *vexpand)
{
  *hexpand = FALSE;
  *vexpand = FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      *hexpand = *hexpand || gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL);
      *vexpand = *vexpand || gtk_widget_compute_expand (child, GTK_ORIENTATION_VERTICAL);
    }
}

static void
calsync_week_view_map (GtkWidget *widget)
{
  CalsyncWeekView *self = CALSYNC_WEEK_VIEW (widget);

  GTK_WIDGET_CLASS (calsync_week_view_parent_class)->map (widget);

  if (self->needs_reload)
    calsync_week_view_reload (self);
}

static void
calsync_week_view_class_init (CalsyncWeekViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_week_view_dispose;
  object_class->finalize = calsync_week_view_finalize;
  widget_class->compute_expand = calsync_week_view_compute_expand;
  widget_class->map = calsync_week_view_map;
  widget_class->focus = calsync_week_view_focus;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "calsync-week-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
calsync_week_view_init (CalsyncWeekView *self)
{
  g_autoptr(GDateTime) now = calsync_now_local ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_add_css_class (GTK_WIDGET (self), "view");
  /* Translators: accessible name of the week view */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Week"), -1);

  self->timed_items = g_array_new (FALSE, TRUE, sizeof (TimedItem));
  self->bar_items = g_array_new (FALSE, TRUE, sizeof (BarItem));
  self->today_column = -1;
  self->week_start = calsync_date_start_of_week (now);

  build_header_row (self);
  build_all_day_row (self);
  build_grid (self);

  update_now (self);
  update_day_headers (self);
  self->tick_id = g_timeout_add_seconds (60, tick_cb, self);

  /* One tooltip handler for all event blocks and bars (see calsync_event_widget_query_tooltip) */
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (calsync_event_widget_query_tooltip), NULL);
}

/* Public API */

void
calsync_week_view_set_store (CalsyncWeekView *self,
                             CalsyncStore    *store)
{
  g_return_if_fail (CALSYNC_IS_WEEK_VIEW (self));
  g_return_if_fail (store == NULL || CALSYNC_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);

  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb),
                             self, G_CONNECT_SWAPPED);

  calsync_week_view_reload (self);
}

void
calsync_week_view_set_date (CalsyncWeekView *self,
                            GDateTime       *date)
{
  g_autoptr(GDateTime) week_start = NULL;

  g_return_if_fail (CALSYNC_IS_WEEK_VIEW (self));
  g_return_if_fail (date != NULL);

  week_start = calsync_date_start_of_week (date);
  if (g_date_time_equal (week_start, self->week_start))
    return;

  g_clear_pointer (&self->week_start, g_date_time_unref);
  self->week_start = g_steal_pointer (&week_start);

  /* The old week's events must not linger in the new week's columns. */
  clear_items (self);
  update_now (self);
  update_day_headers (self);
  gtk_widget_queue_resize (self->all_day_row);
  calsync_week_view_reload (self);
}

void
calsync_week_view_get_range (CalsyncWeekView  *self,
                             GDateTime       **start,
                             GDateTime       **end)
{
  g_return_if_fail (CALSYNC_IS_WEEK_VIEW (self));

  if (start != NULL)
    *start = g_date_time_ref (self->week_start);

  if (end != NULL)
    {
      g_autoptr(GDateTime) shifted = g_date_time_add_days (self->week_start, N_DAYS);

      *end = calsync_date_start_of_day (shifted);
    }
}

guint
calsync_week_view_get_n_events (CalsyncWeekView *self)
{
  g_return_val_if_fail (CALSYNC_IS_WEEK_VIEW (self), 0);

  return self->timed_items->len + self->bar_items->len;
}
