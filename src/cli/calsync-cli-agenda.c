/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-agenda.c: --agenda and --next (headless, no GTK).
 *
 * Both read the store with one indexed range query (--next widens its window
 * only when nothing was found) and print either text for people
 * (calsync-cli-agenda-text.c) or JSON in the DESIGN.md event format
 * (calsync-cli-agenda-json.c). They run from status bars every minute:
 * nothing here loads more than the store. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-cli-agenda-private.h"
#include "calsync-clock.h"
#include "calsync-date-utils.h"

#define SECONDS_PER_DAY (24 * 60 * 60)

/* Ordering ---------------------------------------------------------------- */

typedef struct
{
  CalsyncEvent *event;
  gint64 start;      /* timed: the start; all-day: local midnight of the first date */
  gboolean all_day;
} SortItem;

static gint64
local_start (CalsyncEvent *event)
{
  g_autoptr(GDateTime) start = NULL;

  if (!calsync_event_get_all_day (event))
    return calsync_event_get_start (event);

  start = calsync_event_dup_local_start (event);
  return start != NULL ? g_date_time_to_unix (start) : calsync_event_get_start (event);
}

static int
compare_sort_items (gconstpointer a,
                    gconstpointer b)
{
  const SortItem *x = a;
  const SortItem *y = b;
  const char *x_title, *y_title;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->all_day != y->all_day)
    return x->all_day ? -1 : 1;
  if (!x->all_day)
    return 0;   /* the store put timed events starting together in title order */

  x_title = calsync_event_get_title (x->event);
  y_title = calsync_event_get_title (y->event);
  return g_utf8_collate (x_title ? x_title : "", y_title ? y_title : "");
}

/* By start, then title (all-day events start at local midnight of their first
 * date, before timed ones starting then). The store orders all-day events
 * apart, the longer ones first; this merges them in. g_array_sort() is stable:
 * timed events keep the store's title order (g_utf8_collate(), with the
 * collation keys it keeps). */
static void
sort_by_start (GPtrArray *events)
{
  g_autoptr(GArray) items = g_array_sized_new (FALSE, FALSE, sizeof (SortItem), events->len);

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      SortItem item = { event, local_start (event), calsync_event_get_all_day (event) };

      g_array_append_val (items, item);
    }

  g_array_sort (items, compare_sort_items);
  for (guint i = 0; i < events->len; i++)
    events->pdata[i] = g_array_index (items, SortItem, i).event;
}

/* --agenda ------------------------------------------------------------------ */

static GDateTime *
today_midnight (GDateTime *now)
{
  return calsync_date_local_midnight (calsync_date_day_of (now));
}

/* --from and --to as local midnights: today and a week later by default */
static gboolean
parse_range (CalsyncCommand  *command,
             GDateTime       *now,
             GDateTime      **from,
             GDateTime      **to)
{
  g_autoptr(GError) error = NULL;

  *from = command->from ? calsync_cli_parse_date ("--from", command->from, &error) : today_midnight (now);
  if (*from != NULL && command->to != NULL)
    *to = calsync_cli_parse_date ("--to", command->to, &error);
  else if (*from != NULL)
    *to = g_date_time_add_days (*from, 7);

  if (*from == NULL || *to == NULL)
    {
      g_printerr ("calsync: %s\n", error ? error->message : _("The date is out of range"));
      return FALSE;
    }

  if (g_date_time_compare (*from, *to) > 0 && command->from == NULL)
    {
      /* Translators: %s is a date as typed, YYYY-MM-DD */
      g_printerr (_("calsync: --to=%s is before today; give --from as well to list earlier days\n"),
                  command->to);
      return FALSE;
    }

  if (g_date_time_compare (*from, *to) > 0)
    {
      /* Translators: the two %s are dates as typed, YYYY-MM-DD */
      g_printerr (_("calsync: --from=%s is after --to=%s\n"), command->from, command->to);
      return FALSE;
    }

  return TRUE;
}

int
calsync_cli_run_agenda (CalsyncCommand *command)
{
  g_autoptr(GDateTime) now = calsync_now_local ();
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(CalsyncEventJson) json = NULL;
  g_autoptr(GError) error = NULL;

  if (!parse_range (command, now, &from, &to))
    return CALSYNC_EXIT_USAGE;

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;

  events = calsync_store_query_range (store, g_date_time_to_unix (from),
                                      g_date_time_to_unix (to), &error);
  if (events == NULL || (command->json && !(json = calsync_event_json_new (store, &error))))
    {
      g_printerr ("calsync: %s\n", error->message);
      return CALSYNC_EXIT_FAILED;
    }

  sort_by_start (events);
  if (json != NULL)
    calsync_event_json_print_array (json, events);
  else
    calsync_cli_print_agenda_text (events, from, to, now);

  return CALSYNC_EXIT_OK;
}

/* --next -------------------------------------------------------------------- */

gboolean
calsync_cli_event_is_ongoing (CalsyncEvent *event,
                              gint64        now)
{
  gint64 start = calsync_event_get_start (event);

  return start <= now && (now < calsync_event_get_end (event) || start == now);
}

/* The ongoing timed event that began last, else the first one to start.
 * All-day events are never "next": a status bar showing a holiday all day
 * long would hide the meetings. */
static CalsyncEvent *
pick_next (GPtrArray *events,
           gint64     now)
{
  CalsyncEvent *ongoing = NULL;
  CalsyncEvent *upcoming = NULL;

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);

      if (calsync_event_get_all_day (event))
        continue;
      if (calsync_cli_event_is_ongoing (event, now))
        {
          if (ongoing == NULL || calsync_event_get_start (event) > calsync_event_get_start (ongoing))
            ongoing = event;
        }
      else if (upcoming == NULL && calsync_event_get_start (event) > now)
        upcoming = event;
    }

  return ongoing != NULL ? ongoing : upcoming;
}

/* Searches ever further ahead, so that the usual case is one small query */
static CalsyncEvent *
find_next (CalsyncStore  *store,
           gint64         now,
           GError       **error)
{
  static const gint64 horizon_days[] = { 1, 7, 92, 366 };
  gint64 from = now;

  for (guint i = 0; i < G_N_ELEMENTS (horizon_days); i++)
    {
      gint64 to = now + horizon_days[i] * SECONDS_PER_DAY;
      g_autoptr(GPtrArray) events = calsync_store_query_range (store, from, to, error);
      CalsyncEvent *next;

      if (events == NULL)
        return NULL;
      if ((next = pick_next (events, now)) != NULL)
        return g_object_ref (next);
      from = to;
    }

  return NULL;
}

int
calsync_cli_run_next (CalsyncCommand *command)
{
  g_autoptr(GDateTime) now = calsync_now_local ();
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncEvent) next = NULL;
  g_autoptr(CalsyncEventJson) json = NULL;
  g_autoptr(GError) error = NULL;

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;

  next = find_next (store, g_date_time_to_unix (now), &error);
  if (next == NULL || (command->json && !(json = calsync_event_json_new (store, &error))))
    {
      if (error != NULL)
        g_printerr ("calsync: %s\n", error->message);
      return CALSYNC_EXIT_FAILED;
    }

  if (json != NULL)
    calsync_event_json_print_one (json, next);
  else
    calsync_cli_print_next_text (next, now);

  return CALSYNC_EXIT_OK;
}
