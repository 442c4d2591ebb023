/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-month-view.c: a 6×7 grid of days with event chips and multi-day bars
 * (its day cells and keyboard: calsync-month-view-grid.c). */
#define G_LOG_DOMAIN "calsync-month-view"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-clock.h"
#include "calsync-date-utils.h"
#include "calsync-gui.h"
#include "calsync-event-widget.h"
#include "calsync-month-view-private.h"
#include "calsync-month-view.h"

G_DEFINE_FINAL_TYPE (CalsyncMonthView, calsync_month_view, GTK_TYPE_WIDGET)

static void     calsync_month_view_reload (CalsyncMonthView *self);
static void     more_clicked_cb           (GtkButton        *button,
                                           CalsyncMonthView *self);
static gboolean rebuild_idle_cb           (gpointer          user_data);

static void
store_changed_cb (CalsyncMonthView *self)
{
  if (self->holding)
    self->held_change = TRUE;
  else
    calsync_month_view_reload (self);
}
static gboolean create_slice              (CalsyncMonthView *self);
static gboolean create_tick_cb            (GtkWidget        *widget,
                                           GdkFrameClock    *clock,
                                           gpointer          user_data);

static void
stop_creating (CalsyncMonthView *self)
{
  if (self->create_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->create_id);
  self->create_id = 0;
}

GDateTime *
calsync_month_view_cell_date (CalsyncMonthView *self,
                              int               index)
{
  g_autoptr(GDateTime) shifted = g_date_time_add_days (self->grid_start, index);

  return calsync_date_start_of_day (shifted);
}

static void
update_cells (CalsyncMonthView *self)
{
  g_autoptr(GDateTime) now = calsync_now_local ();
  int month = g_date_time_get_month (self->date);

  for (int r = 0; r < N_ROWS; r++)
    {
      /* The middle of the week names the ISO week, whichever day the week starts on */
      g_autoptr(GDateTime) middle = calsync_month_view_cell_date (self, r * N_COLS + 3);
      /* Translators: accessible name of a row of the month grid, "Week 48" */
      g_autofree char *name = g_strdup_printf (_("Week %d"), g_date_time_get_week_of_year (middle));

      gtk_accessible_update_property (GTK_ACCESSIBLE (self->rows[r]), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }

  for (int i = 0; i < N_CELLS; i++)
    {
      g_autoptr(GDateTime) day = calsync_month_view_cell_date (self, i);
      g_autofree char *number = g_strdup_printf ("%d", g_date_time_get_day_of_month (day));
      g_autofree char *name = calsync_event_widget_format_day (day);
      g_autofree char *today_name = NULL;
      gboolean is_today = calsync_date_same_day (day, now);

      if (is_today)
        /* Translators: accessible name of today's cell in the month grid,
         * "Today, Wednesday 25 November" */
        today_name = g_strdup_printf (_("Today, %s"), name);
      gtk_label_set_text (GTK_LABEL (self->day_labels[i]), number);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->cells[i]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, is_today ? today_name : name, -1);
      /* The "+N more" button names its day: say it again for the new date */
      self->more_named[i] = -1;
      if (is_today)
        gtk_widget_add_css_class (self->cells[i], "today");
      else
        gtk_widget_remove_css_class (self->cells[i], "today");
      if (g_date_time_get_month (day) != month)
        gtk_widget_add_css_class (self->cells[i], "other-month");
      else
        gtk_widget_remove_css_class (self->cells[i], "other-month");
    }
}

static void
update_weekday_labels (CalsyncMonthView *self)
{
  for (int i = 0; i < N_COLS; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (self->grid_start, i);
      g_autofree char *name = g_date_time_format (day, "%a");

      gtk_label_set_text (GTK_LABEL (self->weekday_labels[i]), name);
    }
}

static void
clear_segment (gpointer data)
{
  Segment *segment = data;

  g_clear_pointer (&segment->widget, gtk_widget_unparent);
  g_clear_object (&segment->event);
}

static void
clear_segments (CalsyncMonthView *self)
{
  stop_creating (self);
  g_array_set_size (self->segments, 0);
  g_array_set_size (self->pending, 0);
  memset (self->pending_in_row, 0, sizeof self->pending_in_row);
  memset (self->lanes_used, 0, sizeof self->lanes_used);
}

/* Widgets of the previous layout by event id and week row, for reuse. */
static GHashTable *
steal_widgets (CalsyncMonthView *self)
{
  GHashTable *old = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify) gtk_widget_unparent);

  stop_creating (self);
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *segment = &g_array_index (self->segments, Segment, i);
      gint64 *key;

      if (segment->widget == NULL)
        continue;
      key = g_new (gint64, 1);
      *key = calsync_event_get_id (segment->event) * N_ROWS + segment->row;
      g_hash_table_replace (old, key, g_steal_pointer (&segment->widget));
    }
  g_array_set_size (self->segments, 0);
  g_array_set_size (self->pending, 0);
  memset (self->pending_in_row, 0, sizeof self->pending_in_row);
  memset (self->lanes_used, 0, sizeof self->lanes_used);
  return old;
}

static CalsyncEventWidgetStyle
segment_style (const Segment *segment)
{
  return segment->multi_day ? CALSYNC_EVENT_WIDGET_BAR : CALSYNC_EVENT_WIDGET_CHIP;
}

static void
create_segment_widget (CalsyncMonthView *self,
                       Segment          *segment)
{
  segment->widget = calsync_event_widget_new (segment->event, segment_style (segment));
  if (segment->multi_day)
    calsync_event_widget_set_continues (CALSYNC_EVENT_WIDGET (segment->widget),
                                        segment->continues_before, segment->continues_after);
  /* Above the cells, below any "+N more" button */
  gtk_widget_insert_after (segment->widget, GTK_WIDGET (self), self->rows[N_ROWS - 1]);
  /* Style and text layout now, inside this slice's budget, not in the next frame */
  gtk_widget_measure (segment->widget, GTK_ORIENTATION_VERTICAL, -1, NULL, NULL, NULL, NULL);
  segment->pending = FALSE;
  self->pending_in_row[segment->row]--;
}

static int
compare_pending (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  GArray *segments = user_data;
  const Segment *sa = &g_array_index (segments, Segment, *(const guint *) a);
  const Segment *sb = &g_array_index (segments, Segment, *(const guint *) b);

  if (sa->row != sb->row)
    return sa->row - sb->row;
  if (sa->lane != sb->lane)
    return sa->lane - sb->lane;
  return sa->first_col - sb->first_col;
}

/* Day indexes (from the grid start) covered by @event, last one inclusive. */
static gboolean
event_day_span (CalsyncMonthView *self,
                GTimeZone        *zone,
                CalsyncEvent     *event,
                int              *first,
                int              *last)
{
  gint64 grid_day = calsync_date_local_day (zone, g_date_time_to_unix (self->grid_start));
  gint64 start_day, end_day;

  if (calsync_event_get_all_day (event))
    {
      if (!calsync_date_parse_day (calsync_event_get_start_date (event), &start_day) ||
          !calsync_date_parse_day (calsync_event_get_end_date (event), &end_day))
        return FALSE;
      end_day = MAX (start_day, end_day - 1); /* the end date is exclusive */
    }
  else
    {
      gint64 start = calsync_event_get_start (event);
      gint64 end = calsync_event_get_end (event);

      /* The day an event ends at midnight is not one of its days. */
      start_day = calsync_date_local_day (zone, start);
      end_day = calsync_date_local_day (zone, end > start ? end - 1 : start);
    }

  *first = (int) CLAMP (start_day - grid_day, -1, N_CELLS);
  *last = (int) CLAMP (end_day - grid_day, -1, N_CELLS);
  return *last >= 0 && *first < N_CELLS;
}

static int
find_free_lane (CalsyncMonthView *self,
                guint64          *occupied,
                int               first_cell,
                int               last_cell)
{
  guint64 mask = 0;

  for (int c = first_cell; c <= last_cell; c++)
    mask |= occupied[c];

  for (int lane = 0; lane < 64; lane++)
    if ((mask & (G_GUINT64_CONSTANT (1) << lane)) == 0)
      return lane;
  return 63;
}

/* An event with its day span in the grid, computed once per reload. */
typedef struct
{
  CalsyncEvent *event;   /* borrowed from self->events */
  guint index;           /* in self->events, which the store sorted */
  int first;
  int last;
  gboolean multi_day;
} LayoutItem;

static void
add_segment (CalsyncMonthView *self,
             guint64          *occupied,
             const LayoutItem *item,
             int               row,
             GHashTable       *old_widgets,
             GDateTime        *now)
{
  int row_first = MAX (item->first, row * N_COLS);
  int row_last = MIN (item->last, row * N_COLS + N_COLS - 1);
  Segment segment = { 0 };

  segment.event = g_object_ref (item->event);
  segment.row = row;
  segment.first_col = row_first - row * N_COLS;
  segment.last_col = row_last - row * N_COLS;
  segment.multi_day = item->multi_day;
  segment.continues_before = item->multi_day && item->first < row_first;
  segment.continues_after = item->multi_day && item->last > row_last;
  segment.lane = find_free_lane (self, occupied, row_first, row_last);

  for (int c = row_first; c <= row_last; c++)
    {
      occupied[c] |= G_GUINT64_CONSTANT (1) << segment.lane;
      self->lanes_used[c] = MAX (self->lanes_used[c], segment.lane + 1);
    }

  /* Only lanes that can be shown get a widget: a day with a hundred events
   * costs a hundred counts in "+N more", not a hundred widgets. A widget that
   * already shows this event in this row stays (a sync that adds one event
   * repaints one chip, not the month); new ones are made in slices. */
  if (segment.lane < self->created_lanes)
    {
      gint64 key = calsync_event_get_id (item->event) * N_ROWS + row;
      gpointer old_key = NULL, old = NULL;

      if (g_hash_table_lookup_extended (old_widgets, &key, &old_key, &old) &&
          calsync_event_widget_shows (CALSYNC_EVENT_WIDGET (old), item->event, segment_style (&segment),
                                      segment.continues_before, segment.continues_after, now))
        {
          g_hash_table_steal (old_widgets, &key);
          g_free (old_key);
          segment.widget = old;
        }
      else
        {
          guint index = self->segments->len;

          segment.pending = TRUE;
          self->pending_in_row[row]++;
          g_array_append_val (self->pending, index);
        }
    }

  g_array_append_val (self->segments, segment);
}

static int
compare_for_layout (gconstpointer a,
                    gconstpointer b)
{
  const LayoutItem *ia = a;
  const LayoutItem *ib = b;

  /* Bars first so they keep one lane across the days they cover. */
  if (ia->multi_day != ib->multi_day)
    return ia->multi_day ? -1 : 1;
  if (ia->multi_day && ia->first != ib->first)
    return ia->first - ib->first;
  if (ia->multi_day && (ia->last - ia->first) != (ib->last - ib->first))
    return (ib->last - ib->first) - (ia->last - ia->first);
  /* Otherwise the store's order (all-day first, start, title): no collation here. */
  return (ia->index > ib->index) - (ia->index < ib->index);
}

static GArray *
layout_items (CalsyncMonthView *self)
{
  GArray *items = g_array_sized_new (FALSE, FALSE, sizeof (LayoutItem), self->events->len);
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();

  for (guint i = 0; i < self->events->len; i++)
    {
      LayoutItem item = { g_ptr_array_index (self->events, i), i, 0, 0, FALSE };

      if (!event_day_span (self, zone, item.event, &item.first, &item.last))
        continue;
      item.multi_day = calsync_event_get_all_day (item.event) || item.first != item.last;
      item.first = MAX (item.first, 0);
      item.last = MIN (item.last, N_CELLS - 1);
      g_array_append_val (items, item);
    }

  g_array_sort (items, compare_for_layout);
  return items;
}

/* Shows or hides a chip or "+N more" button that the view allocates. Hidden ones
 * also leave the accessibility tree: GTK 4.8 keeps widgets that are only not
 * child-visible in it (and toggling gtk_widget_set_visible() would queue a
 * resize in the middle of the allocation). */
static void
set_shown (GtkWidget *widget,
           gboolean   shown)
{
  gtk_widget_set_child_visible (widget, shown);
  gtk_accessible_update_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_HIDDEN, !shown, -1);
}

/* "+N more" buttons exist only for cells that may overflow at the last known
 * capacity: most cells never need one. */
static void
ensure_more_buttons (CalsyncMonthView *self)
{
  for (int i = 0; i < N_CELLS; i++)
    {
      GtkWidget *button;

      if (self->lanes_used[i] <= self->known_capacity || self->more_buttons[i] != NULL)
        continue;

      button = gtk_button_new_with_label ("");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "more");
      g_object_set_data (G_OBJECT (button), "cell-index", GINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (more_clicked_cb), self);
      gtk_widget_set_child_visible (button, FALSE);
      set_shown (button, FALSE);
      gtk_widget_set_parent (button, GTK_WIDGET (self));
      self->more_buttons[i] = button;
    }
}

static void
build_segments (CalsyncMonthView *self)
{
  guint64 occupied[N_CELLS] = { 0 };
  g_autoptr(GArray) items = layout_items (self);
  g_autoptr(GHashTable) old_widgets = steal_widgets (self);
  g_autoptr(GDateTime) now = calsync_now_local ();

  for (guint i = 0; i < items->len; i++)
    {
      const LayoutItem *item = &g_array_index (items, LayoutItem, i);

      for (int row = item->first / N_COLS; row <= item->last / N_COLS; row++)
        add_segment (self, occupied, item, row, old_widgets, now);
    }

  ensure_more_buttons (self);

  g_array_sort_with_data (self->pending, compare_pending, self->segments);
  self->next_pending = 0;
  if (self->pending->len > 0 && create_slice (self))
    self->create_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), create_tick_cb, NULL, NULL);

  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Makes the widgets of the next pending segments; TRUE while some are left. */
static gboolean
create_slice (CalsyncMonthView *self)
{
  gint64 deadline = g_get_monotonic_time () + CREATE_BUDGET_US;
  guint made = 0;

  gtk_widget_queue_allocate (GTK_WIDGET (self));

  while (self->next_pending < self->pending->len)
    {
      guint index = g_array_index (self->pending, guint, self->next_pending++);

      create_segment_widget (self, &g_array_index (self->segments, Segment, index));
      if (++made >= CREATE_MAX_PER_SLICE || g_get_monotonic_time () >= deadline)
        return self->next_pending < self->pending->len;
    }

  g_array_set_size (self->pending, 0);
  self->next_pending = 0;
  return FALSE;
}

static gboolean
create_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  CalsyncMonthView *self = CALSYNC_MONTH_VIEW (widget);

  if (create_slice (self))
    return G_SOURCE_CONTINUE;

  self->create_id = 0;
  return G_SOURCE_REMOVE;
}

static void
query_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CalsyncMonthView *self = user_data;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;

  events = calsync_store_query_range_finish (CALSYNC_STORE (object), result, &error);
  if (events == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not load events: %s", error->message);
      return;
    }

  /* A store change that did not touch this range (e.g. a sync that changed
   * nothing) keeps the chips as they are: no rebuild, no repaint. */
  if (self->segments->len > 0 && calsync_event_lists_equal (self->events, events))
    return;

  g_clear_pointer (&self->events, g_ptr_array_unref);
  self->events = g_steal_pointer (&events);

  /* Below redraw priority: the grid paints first and the chips follow a frame
   * later, so a first start is not held up by a month of event widgets. */
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  self->rebuild_id = g_idle_add_full (G_PRIORITY_LOW, rebuild_idle_cb, self, NULL);
}

static void
calsync_month_view_reload (CalsyncMonthView *self)
{
  g_autoptr(GDateTime) grid_end = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->held_change = FALSE;

  if (self->store == NULL || self->grid_start == NULL)
    return;

  /* A hidden view loads when it is shown: startup pays only for the visible one. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->needs_reload = TRUE;
      return;
    }

  self->needs_reload = FALSE;
  self->cancellable = g_cancellable_new ();
  grid_end = g_date_time_add_days (self->grid_start, N_CELLS);
  /* The callback holds no reference: the view cancels in dispose. */
  calsync_store_query_range_async (self->store,
                                   g_date_time_to_unix (self->grid_start),
                                   g_date_time_to_unix (grid_end),
                                   self->cancellable, query_cb, self);
}

/* Layout */

typedef struct
{
  int width;
  int header_height;
  double cell_width;
  double cell_height;
  int day_label_height;
  int lane_height;
  int capacity;
  gboolean rtl;
} Geometry;

static void
compute_geometry (CalsyncMonthView *self,
                  int               width,
                  int               height,
                  Geometry         *geo)
{
  int header = 0, label = 0, lane = 0;

  for (int i = 0; i < N_COLS; i++)
    {
      int h;
      gtk_widget_measure (self->weekday_labels[i], GTK_ORIENTATION_VERTICAL, -1, &h, NULL, NULL, NULL);
      header = MAX (header, h);
    }
  gtk_widget_measure (self->day_labels[0], GTK_ORIENTATION_VERTICAL, -1, &label, NULL, NULL, NULL);
  lane = 20; /* before any event widget exists */

  /* Every chip has the height of its style (one line of text): one of each
   * tells the lane height, measuring hundreds would not tell more. */
  {
    gboolean measured[2] = { FALSE, FALSE };

    for (guint i = 0; i < self->segments->len && !(measured[0] && measured[1]); i++)
      {
        const Segment *segment = &g_array_index (self->segments, Segment, i);
        int h;

        if (segment->widget == NULL || measured[segment->multi_day])
          continue;
        gtk_widget_measure (segment->widget, GTK_ORIENTATION_VERTICAL, -1, &h, NULL, NULL, NULL);
        lane = MAX (lane, h);
        measured[segment->multi_day] = TRUE;
      }
  }

  geo->width = width;
  geo->header_height = header;
  geo->cell_width = width / (double) N_COLS;
  geo->cell_height = MAX (0, height - header) / (double) N_ROWS;
  geo->day_label_height = label + CELL_PADDING;
  geo->lane_height = lane + LANE_SPACING;
  geo->capacity = MAX (0, (int) ((geo->cell_height - geo->day_label_height - CELL_PADDING)
                                 / geo->lane_height));
  geo->rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
}

static void
allocate_at (GtkWidget      *child,
             const Geometry *geo,
             double          x,
             double          y,
             double          width,
             double          height)
{
  GtkAllocation alloc;

  if (geo->rtl)
    x = geo->width - x - width;

  alloc.x = (int) x;
  alloc.y = (int) y;
  alloc.width = MAX (1, (int) (x + width) - alloc.x);
  alloc.height = MAX (1, (int) (y + height) - alloc.y);
  gtk_widget_size_allocate (child, &alloc, -1);
}

/* Lanes a cell can show: all it has, or one less to make room for "+N more". */
static int
visible_lanes (const Geometry *geo,
               int             lanes_used)
{
  return lanes_used <= geo->capacity ? lanes_used : MAX (0, geo->capacity - 1);
}

static gboolean
segment_fits (CalsyncMonthView *self,
              const Geometry   *geo,
              const Segment    *segment)
{
  if (segment->widget == NULL)
    return FALSE;

  for (int col = segment->first_col; col <= segment->last_col; col++)
    if (segment->lane >= visible_lanes (geo, self->lanes_used[segment->row * N_COLS + col]))
      return FALSE;
  return TRUE;
}

static void
allocate_segments (CalsyncMonthView *self,
                   const Geometry   *geo,
                   int              *hidden)
{
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *segment = &g_array_index (self->segments, Segment, i);
      gboolean fits = segment_fits (self, geo, segment);
      double x = segment->first_col * geo->cell_width + CELL_PADDING;
      double y = geo->header_height + segment->row * geo->cell_height
                 + geo->day_label_height + segment->lane * geo->lane_height;
      double width = (segment->last_col - segment->first_col + 1) * geo->cell_width - 2 * CELL_PADDING;

      /* Its widget comes in the next slice: neither shown nor "+N more" */
      if (segment->pending)
        continue;
      if (segment->widget != NULL && gtk_widget_get_child_visible (segment->widget) != fits)
        set_shown (segment->widget, fits);
      if (fits)
        allocate_at (segment->widget, geo, x, y, width, geo->lane_height - LANE_SPACING);
      else
        for (int col = segment->first_col; col <= segment->last_col; col++)
          hidden[segment->row * N_COLS + col]++;
    }
}

static void
allocate_more_button (CalsyncMonthView *self,
                      const Geometry   *geo,
                      int               index,
                      int               n_hidden)
{
  GtkWidget *button = self->more_buttons[index];
  int row = index / N_COLS, col = index % N_COLS;
  double y;

  if (button == NULL)
    {
      /* The window got smaller than the capacity buttons were made for: make them
       * outside of the allocation. */
      if (n_hidden > 0 && self->rebuild_id == 0)
        {
          self->known_capacity = MAX (0, geo->capacity - 1);
          self->rebuild_id = g_idle_add (rebuild_idle_cb, self);
        }
      return;
    }

  /* A row still filling in gets its "+N more" with its last chips */
  if (self->pending_in_row[row] > 0)
    n_hidden = 0;

  if (gtk_widget_get_child_visible (button) != (n_hidden > 0))
    set_shown (button, n_hidden > 0);
  if (n_hidden == 0)
    return;

  {
    /* Translators: shown in a month cell when not every event fits; the short form
     * is for narrow windows */
    g_autofree char *text = geo->cell_width < 80
                              ? g_strdup_printf (C_("more events, short", "+%d"), n_hidden)
                              : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "+%d more", "+%d more",
                                                              n_hidden), n_hidden);
    if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), text) != 0)
      {
        gtk_button_set_label (GTK_BUTTON (button), text);
        /* Named by its accessible label (the day), not by the "+4 more" it shows:
         * GtkButton points its name at the label child */
        gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
        gtk_accessible_update_state (GTK_ACCESSIBLE (gtk_button_get_child (GTK_BUTTON (button))),
                                     GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
        /* gtk_button_set_label() sets the accessible label too: name it again */
        self->more_named[index] = -1;
      }
  }

  if (self->more_named[index] != n_hidden)
    {
      g_autoptr(GDateTime) day = calsync_month_view_cell_date (self, index);
      g_autofree char *day_name = calsync_event_widget_format_day (day);
      /* Translators: accessible name of the "+4 more" button of a month cell,
       * "4 more events on Wednesday 25 November" */
      g_autofree char *name = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u more event on %s",
                                                            "%u more events on %s", n_hidden),
                                               (guint) n_hidden, day_name);

      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      self->more_named[index] = n_hidden;
    }

  y = geo->header_height + row * geo->cell_height + geo->day_label_height
      + visible_lanes (geo, self->lanes_used[index]) * geo->lane_height;
  allocate_at (button, geo, col * geo->cell_width + CELL_PADDING, y,
               geo->cell_width - 2 * CELL_PADDING, geo->lane_height - LANE_SPACING);
}

static gboolean
rebuild_idle_cb (gpointer user_data)
{
  CalsyncMonthView *self = user_data;

  self->rebuild_id = 0;
  build_segments (self);
  return G_SOURCE_REMOVE;
}

/* The window grew taller than the lanes we made widgets for: make more, outside
 * of the allocation (creating widgets while allocating would re-enter layout). */
static void
maybe_grow_lanes (CalsyncMonthView *self,
                  const Geometry   *geo)
{
  gboolean missing = FALSE;

  if (geo->capacity <= self->created_lanes || self->rebuild_id != 0)
    return;

  for (guint i = 0; i < self->segments->len && !missing; i++)
    {
      const Segment *segment = &g_array_index (self->segments, Segment, i);

      missing = segment->widget == NULL && !segment->pending && segment->lane < geo->capacity;
    }

  self->created_lanes = MIN (geo->capacity, 63);
  if (missing)
    self->rebuild_id = g_idle_add (rebuild_idle_cb, self);
}

static void
calsync_month_view_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  CalsyncMonthView *self = CALSYNC_MONTH_VIEW (widget);
  int hidden[N_CELLS] = { 0 };
  Geometry geo;

  compute_geometry (self, width, height, &geo);

  for (int i = 0; i < N_COLS; i++)
    allocate_at (self->weekday_labels[i], &geo, i * geo.cell_width, 0,
                 geo.cell_width, geo.header_height);

  /* Each row places its cells (row_allocate) */
  for (int r = 0; r < N_ROWS; r++)
    allocate_at (self->rows[r], &geo, 0, geo.header_height + r * geo.cell_height,
                 width, geo.cell_height);

  allocate_segments (self, &geo, hidden);
  maybe_grow_lanes (self, &geo);

  for (int i = 0; i < N_CELLS; i++)
    allocate_more_button (self, &geo, i, hidden[i]);

  if (self->day_popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->day_popover));
}

/* The grid lines: 1 px at the end of each cell, drawn over the cells'
 * backgrounds and under the chips. As CSS borders on two sides of each cell they
 * made the cairo renderer build a clip mask per side: 27 ms of a 28 ms repaint
 * of the month, paid at every resize, toast and first frame. */
static void
append_grid_lines (CalsyncMonthView *self,
                   GtkSnapshot      *snapshot)
{
  GdkRGBA color;

#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (GTK_WIDGET (self), &color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &color);
#endif
  color.alpha *= 0.1f;

  for (int i = 0; i < N_CELLS; i++)
    {
      graphene_rect_t bounds;
      float x, y, w, h;

      if (!gtk_widget_compute_bounds (self->cells[i], GTK_WIDGET (self), &bounds))
        continue;
      x = bounds.origin.x;
      y = bounds.origin.y;
      w = bounds.size.width;
      h = bounds.size.height;
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x + w - 1, y, 1, h - 1));
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x, y + h - 1, w, 1));
    }
}

static void
calsync_month_view_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  CalsyncMonthView *self = CALSYNC_MONTH_VIEW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gtk_widget_snapshot_child (widget, child, snapshot);
      if (child == self->rows[N_ROWS - 1])
        append_grid_lines (self, snapshot);
    }
}

static void
calsync_month_view_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  /* Small minimum so the window can shrink to 360 px; cells ellipsize. */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 7 * 40 : 6 * 48 + 24;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 7 * 140 : 6 * 110 + 24;
}

/* "+N more": the day's full list in a popover */

static void
day_popover_closed_cb (CalsyncMonthView *self)
{
  GtkWidget *popover = g_steal_pointer (&self->day_popover);

  if (popover != NULL)
    calsync_gui_unparent_later (popover);
}

static GtkWidget *
build_day_list (CalsyncMonthView *self,
                int               index)
{
  g_autoptr(GDateTime) day = calsync_month_view_cell_date (self, index);
  /* Translators: heading of the list of a day's events, strftime(3) format */
  g_autofree char *title = g_date_time_format (day, _("%A, %-d %B"));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *heading = gtk_label_new (g_strstrip (title));
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0.0f);
  gtk_widget_set_margin_bottom (heading, 6);
  gtk_box_append (GTK_BOX (box), heading);

  for (guint i = 0; i < self->events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (self->events, i);
      int first, last;

      if (!event_day_span (self, zone, event, &first, &last) || index < first || index > last)
        continue;
      gtk_box_append (GTK_BOX (box),
                      calsync_event_widget_new (event, calsync_event_get_all_day (event)
                                                         ? CALSYNC_EVENT_WIDGET_BAR
                                                         : CALSYNC_EVENT_WIDGET_CHIP));
    }
  return box;
}

static void
more_clicked_cb (GtkButton        *button,
                 CalsyncMonthView *self)
{
  int index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "cell-index"));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *list = build_day_list (self, index);

  if (self->day_popover != NULL)
    return;

  gtk_widget_set_size_request (list, 260, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 420);

  self->day_popover = gtk_popover_new ();
  gtk_widget_add_css_class (self->day_popover, "day-list");
  gtk_popover_set_child (GTK_POPOVER (self->day_popover), scroller);
  gtk_widget_set_parent (self->day_popover, GTK_WIDGET (button));
  g_signal_connect_object (self->day_popover, "closed", G_CALLBACK (day_popover_closed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_popover_popup (GTK_POPOVER (self->day_popover));
}

/* Construction */

static void
create_children (CalsyncMonthView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  for (int i = 0; i < N_COLS; i++)
    {
      self->weekday_labels[i] = gtk_label_new (NULL);
      gtk_widget_add_css_class (self->weekday_labels[i], "weekday");
      gtk_widget_set_parent (self->weekday_labels[i], widget);
    }

  calsync_month_view_create_grid (self);
}

static gboolean
calsync_month_view_focus (GtkWidget        *widget,
                          GtkDirectionType  direction)
{
  g_autoptr(GPtrArray) chain = NULL;

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (calsync_month_view_parent_class)->focus (widget, direction);

  chain = calsync_month_view_focus_chain (CALSYNC_MONTH_VIEW (widget));
  return calsync_gui_focus_in_order (widget, GTK_WIDGET_CLASS (calsync_month_view_parent_class), chain, direction);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           CalsyncMonthView         *self)
{
  if (dy == 0)
    return FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self), dy > 0 ? "win.next" : "win.previous", NULL);
  return TRUE;
}

/* Index of the day cell at (@x, @y) when nothing else (an event, a "+N" button) is
 * there, else -1. */
static int
free_cell_at (CalsyncMonthView *self,
              double            x,
              double            y)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

  for (int i = 0; picked != NULL && i < N_CELLS; i++)
    if (picked == self->cells[i] || gtk_widget_is_ancestor (picked, self->cells[i]))
      return i;
  return -1;
}

/* Double-click on a free spot of a day: a new one-hour event at 09:00 that day. */
static void
pressed_cb (GtkGestureClick  *gesture,
            int               n_press,
            double            x,
            double            y,
            CalsyncMonthView *self)
{
  int cell;

  if (n_press != 2 || self->grid_start == NULL || (cell = free_cell_at (self, x, y)) < 0)
    return;

  calsync_month_view_request_new_event (self, cell);
}

static gboolean
minute_tick_cb (gpointer user_data)
{
  CalsyncMonthView *self = user_data;

  g_autoptr(GDateTime) now = calsync_now_local ();
  int today = g_date_time_get_day_of_year (now);

  /* Today moves at midnight, and the day's events become "past": rebuild once a day
   * (not every minute, which would close an open event popover). */
  if (self->grid_start != NULL && today != self->today)
    {
      self->today = today;
      update_cells (self);
      build_segments (self);
    }
  return G_SOURCE_CONTINUE;
}

static void
calsync_month_view_dispose (GObject *object)
{
  CalsyncMonthView *self = (CalsyncMonthView *)object;
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  stop_creating (self);
  g_clear_pointer (&self->day_popover, gtk_widget_unparent);
  if (self->segments != NULL)
    g_array_set_size (self->segments, 0);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->store);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_clear_pointer (&self->grid_start, g_date_time_unref);

  G_OBJECT_CLASS (calsync_month_view_parent_class)->dispose (object);
}

static void
calsync_month_view_finalize (GObject *object)
{
  CalsyncMonthView *self = (CalsyncMonthView *)object;

  g_clear_pointer (&self->segments, g_array_unref);
  g_clear_pointer (&self->pending, g_array_unref);

  G_OBJECT_CLASS (calsync_month_view_parent_class)->finalize (object);
}

static void
calsync_month_view_map (GtkWidget *widget)
{
  CalsyncMonthView *self = CALSYNC_MONTH_VIEW (widget);

  GTK_WIDGET_CLASS (calsync_month_view_parent_class)->map (widget);

  if (self->needs_reload)
    calsync_month_view_reload (self);
}

static void
calsync_month_view_class_init (CalsyncMonthViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_month_view_dispose;
  object_class->finalize = calsync_month_view_finalize;
  widget_class->measure = calsync_month_view_measure;
  widget_class->size_allocate = calsync_month_view_size_allocate;
  widget_class->snapshot = calsync_month_view_snapshot;
  widget_class->map = calsync_month_view_map;
  widget_class->focus = calsync_month_view_focus;

  gtk_widget_class_set_css_name (widget_class, "calsync-month-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID);
}

static void
calsync_month_view_init (CalsyncMonthView *self)
{
  GtkEventController *scroll;
  GtkGesture *click;

  self->segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  g_array_set_clear_func (self->segments, clear_segment);
  self->pending = g_array_new (FALSE, FALSE, sizeof (guint));
  self->created_lanes = 4; /* enough for a 1280×800 window; grows on demand */
  self->known_capacity = 3;
  self->events = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  create_children (self);
  /* Translators: accessible name of the month grid */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Month"), -1);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL |
                                            GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  self->timeout_id = g_timeout_add_seconds (60, minute_tick_cb, self);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (calsync_event_widget_query_tooltip), NULL);
}

/* Public API */

void
calsync_month_view_set_store (CalsyncMonthView *self,
                              CalsyncStore     *store)
{
  g_return_if_fail (CALSYNC_IS_MONTH_VIEW (self));
  g_return_if_fail (!store || CALSYNC_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb),
                             self, G_CONNECT_SWAPPED);
  calsync_month_view_reload (self);
}

/**
 * calsync_month_view_set_holding:
 * @holding: %TRUE while a sync runs
 *
 * While holding, store changes do not reload the view: a sync that writes page
 * after page shows its result once, when it ends, instead of rebuilding the
 * month for every page. Releasing reloads when something changed meanwhile.
 */
void
calsync_month_view_set_holding (CalsyncMonthView *self,
                                gboolean          holding)
{
  g_return_if_fail (CALSYNC_IS_MONTH_VIEW (self));

  self->holding = holding;
  if (!holding && self->held_change)
    calsync_month_view_reload (self);
}

void
calsync_month_view_set_date (CalsyncMonthView *self,
                             GDateTime        *date)
{
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GDateTime) grid_start = NULL;

  g_return_if_fail (CALSYNC_IS_MONTH_VIEW (self));
  g_return_if_fail (date != NULL);

  first = calsync_date_start_of_month (date);
  grid_start = calsync_date_start_of_week (first);

  g_clear_pointer (&self->date, g_date_time_unref);
  self->date = g_date_time_ref (first);

  if (self->grid_start != NULL && g_date_time_equal (self->grid_start, grid_start))
    {
      update_cells (self);
      return;
    }

  g_clear_pointer (&self->grid_start, g_date_time_unref);
  self->grid_start = g_steal_pointer (&grid_start);
  update_weekday_labels (self);
  update_cells (self);
  clear_segments (self);
  calsync_month_view_reload (self);
}

/**
 * calsync_month_view_get_range:
 * @start: (out): local midnight of the first cell
 * @end: (out): local midnight after the last cell
 */
void
calsync_month_view_get_range (CalsyncMonthView  *self,
                              GDateTime        **start,
                              GDateTime        **end)
{
  g_return_if_fail (CALSYNC_IS_MONTH_VIEW (self));
  g_return_if_fail (self->grid_start != NULL);

  *start = g_date_time_ref (self->grid_start);
  *end = calsync_month_view_cell_date (self, N_CELLS);
}

guint
calsync_month_view_get_n_events (CalsyncMonthView *self)
{
  g_return_val_if_fail (CALSYNC_IS_MONTH_VIEW (self), 0);

  return self->segments->len;
}
