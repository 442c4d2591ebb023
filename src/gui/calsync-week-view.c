/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-week-view.c: seven day columns, an all-day row and hour rows. This
 * part is what they show — the dates in the header, the current time, the
 * week's events from the store — and the keyboard order; the rows themselves,
 * built and laid out, are in calsync-week-view-layout.c. */
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

G_DEFINE_FINAL_TYPE (CalsyncWeekView, calsync_week_view, GTK_TYPE_WIDGET)

static void calsync_week_view_reload (CalsyncWeekView *self);

/* Header labels and the current time */

GDateTime *
calsync_week_view_day_date (CalsyncWeekView *self,
                            int              day)
{
  g_autoptr(GDateTime) shifted = g_date_time_add_days (self->week_start, day);

  return calsync_date_start_of_day (shifted);
}

static void
update_week_label (CalsyncWeekView *self)
{
  /* The middle of the week names the ISO week, whichever day the week starts on. */
  g_autoptr(GDateTime) middle = calsync_week_view_day_date (self, 3);
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
      g_autoptr(GDateTime) day = calsync_week_view_day_date (self, d);
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
  scrolls = self->n_lanes * calsync_week_view_lane_height (self) > MAX_ALL_DAY_HEIGHT;
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

  calsync_week_view_build_rows (self);

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
