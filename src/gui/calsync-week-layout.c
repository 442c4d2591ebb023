/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-week-layout.c: where the week view's events go — all-day bars in
 * lanes, timed events side by side in columns per overlap cluster, as Google
 * Calendar lays out a day. Pure geometry, no widgets touched. */
#define G_LOG_DOMAIN "calsync-week-view"

#include "config.h"

#include "calsync-week-layout.h"

#define MIN_EVENT_MINUTES 24   /* a 15-minute event still shows one line of text */

static int
compare_bars (gconstpointer a,
              gconstpointer b)
{
  const BarItem *ba = a;
  const BarItem *bb = b;

  if (ba->first_day != bb->first_day)
    return ba->first_day - bb->first_day;

  /* Longer bars first, so they take the upper lanes. */
  return (bb->last_day - bb->first_day) - (ba->last_day - ba->first_day);
}

/**
 * calsync_week_layout_bars:
 * @bars: (element-type BarItem): the all-day row's bars, sorted and given a lane here
 *
 * Returns: the number of lanes the bars take
 */
int
calsync_week_layout_bars (GArray *bars)
{
  int lane_end[64];   /* last day taken in each lane */
  int n_lanes = 0;

  g_array_sort (bars, compare_bars);
  for (guint i = 0; i < bars->len; i++)
    {
      BarItem *bar = &g_array_index (bars, BarItem, i);
      int lane = 0;

      while (lane < n_lanes && lane < 63 && lane_end[lane] >= bar->first_day)
        lane++;

      bar->lane = lane;
      lane_end[lane] = bar->last_day;
      n_lanes = MAX (n_lanes, lane + 1);
    }

  return n_lanes;
}

static void
enforce_min_height (TimedItem *item)
{
  if (item->end - item->start >= MIN_EVENT_MINUTES)
    return;

  item->end = item->start + MIN_EVENT_MINUTES;
  if (item->end > MINUTES_PER_DAY)
    {
      item->end = MINUTES_PER_DAY;
      item->start = MINUTES_PER_DAY - MIN_EVENT_MINUTES;
    }
}

static int
compare_timed (gconstpointer a,
               gconstpointer b)
{
  const TimedItem *ta = a;
  const TimedItem *tb = b;

  if (ta->day != tb->day)
    return ta->day - tb->day;
  if (ta->start != tb->start)
    return ta->start - tb->start;

  return tb->end - ta->end; /* longer first */
}

static gboolean
column_free (GArray *items,
             guint   from,
             guint   to,
             int     column,
             int     start,
             int     end)
{
  for (guint i = from; i < to; i++)
    {
      const TimedItem *other = &g_array_index (items, TimedItem, i);

      if (other->column == column && other->start < end && other->end > start)
        return FALSE;
    }

  return TRUE;
}

/* Items [from, to) overlap transitively: share the columns, widen into free ones. */
static void
finish_cluster (GArray *items,
                guint   from,
                guint   to,
                int     n_columns)
{
  for (guint i = from; i < to; i++)
    {
      TimedItem *item = &g_array_index (items, TimedItem, i);

      item->n_columns = n_columns;
      item->span = 1;
      while (item->column + item->span < n_columns &&
             column_free (items, from, to, item->column + item->span, item->start, item->end))
        item->span++;
    }
}

static int
first_free_column (GArray *column_ends,
                   int     start)
{
  for (guint c = 0; c < column_ends->len; c++)
    if (g_array_index (column_ends, int, c) <= start)
      return c;

  g_array_set_size (column_ends, column_ends->len + 1);
  return column_ends->len - 1;
}

/* Greedy interval colouring per overlap cluster, as Google Calendar lays out a day. */
static void
assign_columns (GArray *items)
{
  g_autoptr(GArray) column_ends = g_array_new (FALSE, TRUE, sizeof (int));
  guint cluster = 0;
  int cluster_end = 0;
  int day = -1;

  for (guint i = 0; i < items->len; i++)
    {
      TimedItem *item = &g_array_index (items, TimedItem, i);

      if (i > cluster && (item->day != day || item->start >= cluster_end))
        {
          finish_cluster (items, cluster, i, column_ends->len);
          g_array_set_size (column_ends, 0);
          cluster = i;
        }

      if (i == cluster)
        cluster_end = 0;
      day = item->day;
      item->column = first_free_column (column_ends, item->start);
      g_array_index (column_ends, int, item->column) = item->end;
      cluster_end = MAX (cluster_end, item->end);
    }

  if (items->len > cluster)
    finish_cluster (items, cluster, items->len, column_ends->len);
}

/**
 * calsync_week_layout_timed:
 * @items: (element-type TimedItem): the day columns' events, sorted and given
 *   a column and a span here
 */
void
calsync_week_layout_timed (GArray *items)
{
  for (guint i = 0; i < items->len; i++)
    enforce_min_height (&g_array_index (items, TimedItem, i));

  g_array_sort (items, compare_timed);
  assign_columns (items);
}
