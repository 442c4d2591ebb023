/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-week-view-layout.c: the week view's three rows — the header row
 * (weekday names, day numbers), the all-day row and the time grid — built,
 * and laid out by their own measure and allocate functions on one geometry
 * (an hour gutter, then seven day columns); a double-click on the grid, and
 * the first scroll to the working day. What the rows show (dates, the current
 * time, the week's events) is in calsync-week-view.c. */
#define G_LOG_DOMAIN "calsync-week-view"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-date-utils.h"
#include "calsync-event-widget.h"
#include "calsync-week-view-private.h"

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

int
calsync_week_view_lane_height (CalsyncWeekView *self)
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
    *minimum = *natural = MAX (self->n_lanes, 1) * calsync_week_view_lane_height (self)
                          + 2 * ALL_DAY_PADDING;
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
  int lane_h = calsync_week_view_lane_height (self);

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
  day = calsync_week_view_day_date (self, column);
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

void
calsync_week_view_build_rows (CalsyncWeekView *self)
{
  build_header_row (self);
  build_all_day_row (self);
  build_grid (self);
}
