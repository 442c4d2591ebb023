/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-agenda-text.c: --agenda and --next for people.
 *
 * The agenda is grouped by local day like GNOME Calendar's: all-day events
 * (and the middle days of long ones) first, then the timed ones with their
 * times; --next is one line for a status bar. Text from servers is made safe
 * for a terminal before it is printed. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "calsync-cli-agenda-private.h"
#include "calsync-date-utils.h"
#include "calsync-text.h"

/* ANSI styles, used only when stdout is a terminal and NO_COLOR is unset */
#define STYLE_BOLD  "\033[1m"
#define STYLE_DIM   "\033[2m"
#define STYLE_RESET "\033[0m"

/* The day of a span that is on no day (its dates cannot be read) */
#define NO_DAY G_MININT64

static gboolean
use_color (void)
{
  const char *no_color = g_getenv ("NO_COLOR");

  return isatty (STDOUT_FILENO) && (no_color == NULL || *no_color == '\0') &&
         g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
}

/* @text for a terminal: control characters (line breaks in a location, or an
 * escape sequence someone put in an invitation's title) become spaces */
static char *
printable (const char *text)
{
  return calsync_text_for_terminal (text, FALSE);
}

static char *
dup_display_title (CalsyncEvent *event)
{
  const char *title = calsync_event_get_title (event);

  return printable (title != NULL && *title != '\0' ? title : _("Untitled event"));
}

/* Where an event falls in local time, worked out once per event */
typedef struct
{
  CalsyncEvent *event;
  GDateTime *start;        /* timed events: local start and end; NULL for all-day ones */
  GDateTime *end;
  gint64 first_day;        /* the local days it covers (day numbers), the last one included */
  gint64 last_day;
  gboolean from_midnight;  /* timed: begins at local midnight */
  gboolean to_midnight;    /* timed: ends at local midnight */
} Span;

static void
span_clear (Span *span)
{
  g_clear_pointer (&span->start, g_date_time_unref);
  g_clear_pointer (&span->end, g_date_time_unref);
}

static gboolean
is_midnight (GDateTime *time)
{
  return g_date_time_get_hour (time) == 0 && g_date_time_get_minute (time) == 0 &&
         g_date_time_get_second (time) == 0;
}

static void
span_init (Span         *span,
           CalsyncEvent *event)
{
  gint64 start = calsync_event_get_start (event);
  gint64 end = calsync_event_get_end (event);
  g_autoptr(GDateTime) last = NULL;
  gint64 first_day, end_day;

  span->event = event;
  span->first_day = span->last_day = NO_DAY;
  if (calsync_event_get_all_day (event))
    {
      if (!calsync_date_parse_day (calsync_event_get_start_date (event), &first_day))
        return;   /* on no day */

      span->first_day = first_day;
      span->last_day = calsync_date_parse_day (calsync_event_get_end_date (event), &end_day) &&
                       end_day > first_day ? end_day - 1 : first_day;
      return;
    }

  /* An event ending at midnight does not reach into the next day */
  span->start = g_date_time_new_from_unix_local (start);
  span->end = g_date_time_new_from_unix_local (end);
  last = g_date_time_new_from_unix_local (end > start ? end - 1 : start);
  if (span->start == NULL || span->end == NULL || last == NULL)
    return;   /* out of GDateTime's range: on no day */

  span->first_day = calsync_date_day_of (span->start);
  span->last_day = MAX (span->first_day, calsync_date_day_of (last));
  span->from_midnight = is_midnight (span->start);
  span->to_midnight = end > start && is_midnight (span->end);
}

/* A timed event that covers the whole of @day (a middle day of a long one)
 * is listed with the all-day events */
static gboolean
span_covers_day (const Span *span,
                 gint64      day)
{
  if (span->start == NULL)
    return span->first_day != NO_DAY;

  return (span->first_day < day || (span->first_day == day && span->from_midnight)) &&
         (span->last_day > day || (span->last_day == day && span->to_midnight));
}

static GArray *
collect_spans (GPtrArray *events)
{
  GArray *spans = g_array_sized_new (FALSE, TRUE, sizeof (Span), events->len);

  g_array_set_clear_func (spans, (GDestroyNotify) span_clear);
  g_array_set_size (spans, events->len);
  for (guint i = 0; i < events->len; i++)
    span_init (&g_array_index (spans, Span, i), g_ptr_array_index (events, i));

  return spans;
}

/* One event on one day of the listing */
typedef struct
{
  gint64 day;        /* day number */
  gboolean all_day;  /* listed with the all-day events */
  guint index;       /* of the event's span, in the order of the events */
} DayItem;

static int
compare_day_items (gconstpointer a,
                   gconstpointer b)
{
  const DayItem *x = a;
  const DayItem *y = b;

  if (x->day != y->day)
    return x->day < y->day ? -1 : 1;
  if (x->all_day != y->all_day)
    return x->all_day ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

/* Every (day, event) pair of the listing inside [@first_day, @end_day) */
static GArray *
collect_day_items (GArray *spans,
                   gint64  first_day,
                   gint64  end_day)
{
  GArray *items = g_array_new (FALSE, FALSE, sizeof (DayItem));

  for (guint i = 0; i < spans->len; i++)
    {
      const Span *span = &g_array_index (spans, Span, i);

      for (gint64 day = MAX (span->first_day, first_day); day <= span->last_day && day < end_day; day++)
        {
          DayItem item = { day, span_covers_day (span, day), i };

          g_array_append_val (items, item);
        }
    }

  g_array_sort (items, compare_day_items);
  return items;
}

/* The time of day, or with the weekday or the date when it is not on @day */
static char *
format_clock (GDateTime *time,
              gint64     day)
{
  gint64 other = calsync_date_day_of (time);

  if (other == day)
    /* Translators: strftime-style format (g_date_time_format) of a time of day */
    return g_date_time_format (time, _("%H:%M"));
  if (other > day && other - day < 7)
    /* Translators: strftime-style format of a time on another day of the coming week, "Tue 10:00" */
    return g_date_time_format (time, _("%a %H:%M"));
  /* Translators: strftime-style format of a time on a day further away, "27 Nov 10:00" */
  return calsync_date_format_abbreviated (time, _("%-d %b %H:%M"));
}

/* "All day", "10:00 – 10:15", "23:00 – Tue 01:00" or "until 01:00" */
static char *
time_label (const Span    *span,
            const DayItem *item)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (item->all_day)
    /* Translators: in the time column of the agenda, for all-day events */
    return g_strdup (_("All day"));

  to = format_clock (span->end, item->day);
  if (span->first_day < item->day)
    /* Translators: the end of an event that began on an earlier day, e.g. "until 10:00" */
    return g_strdup_printf (_("until %s"), to);

  from = format_clock (span->start, item->day);
  if (g_date_time_compare (span->end, span->start) <= 0)
    return g_steal_pointer (&from);

  /* Translators: the start and end of an event, e.g. "10:00 – 10:15" */
  return g_strdup_printf (_("%s – %s"), from, to);
}

/* Location and conferencing link, when there are any */
static char *
detail_line (CalsyncEvent *event)
{
  const char *location = calsync_event_get_location (event);
  const char *url = calsync_event_get_conference_url (event);
  gboolean has_location = location != NULL && *location != '\0';
  gboolean has_url = url != NULL && *url != '\0' && !(has_location && strstr (location, url));

  if (has_location && has_url)
    {
      g_autofree char *both = g_strdup_printf ("%s · %s", location, url);

      return printable (both);
    }
  if (has_location || has_url)
    return printable (has_location ? location : url);
  return NULL;
}

/* "Today", "Tomorrow", "Friday 27 November", with the year when it is not this year's */
static char *
day_heading (gint64     day,
             GDateTime *now)
{
  g_autoptr(GDateTime) midnight = calsync_date_local_midnight (day);
  gint64 today = calsync_date_day_of (now);

  if (day == today)
    return g_strdup (_("Today"));
  if (day == today + 1)
    return g_strdup (_("Tomorrow"));
  if (midnight == NULL)
    return g_strdup ("?");

  if (g_date_time_get_year (midnight) == g_date_time_get_year (now))
    /* Translators: strftime-style format (g_date_time_format) of a day heading, "Friday 27 November" */
    return g_date_time_format (midnight, _("%A %-d %B"));
  /* Translators: strftime-style format of a day heading in another year, "Friday 27 November 2027" */
  return g_date_time_format (midnight, _("%A %-d %B %Y"));
}

typedef struct
{
  char *label;
  char *title;
  char *detail;
  gint64 day;
} Line;

static void
line_clear (Line *line)
{
  g_free (line->label);
  g_free (line->title);
  g_free (line->detail);
}

static void
append_styled (GString    *out,
               gboolean    color,
               const char *style,
               const char *text)
{
  if (color)
    g_string_append_printf (out, "%s%s%s", style, text, STYLE_RESET);
  else
    g_string_append (out, text);
}

static void
append_line (GString    *out,
             const Line *line,
             guint       width,
             gboolean    color)
{
  guint pad = width - (guint) g_utf8_strlen (line->label, -1);

  g_string_append (out, "  ");
  append_styled (out, color, STYLE_DIM, line->label);
  g_string_append_printf (out, "%*s  %s\n", (int) pad, "", line->title);
  if (line->detail != NULL)
    {
      g_string_append_printf (out, "  %*s  ", (int) width, "");
      append_styled (out, color, STYLE_DIM, line->detail);
      g_string_append_c (out, '\n');
    }
}

/* Headings and lines, the time column as wide as its widest label */
static void
print_lines (GArray    *lines,
             GDateTime *now)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean color = use_color ();
  guint width = 0;

  for (guint i = 0; i < lines->len; i++)
    width = MAX (width, (guint) g_utf8_strlen (g_array_index (lines, Line, i).label, -1));

  for (guint i = 0; i < lines->len; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);

      if (i == 0 || line->day != g_array_index (lines, Line, i - 1).day)
        {
          g_autofree char *heading = day_heading (line->day, now);

          if (i > 0)
            g_string_append_c (out, '\n');
          append_styled (out, color, STYLE_BOLD, heading);
          g_string_append_c (out, '\n');
        }
      append_line (out, line, width, color);
    }

  g_print ("%s", out->str);
}

/**
 * calsync_cli_print_agenda_text:
 *
 * Prints the events of the local days [@from, @to) grouped by day, or
 * "No events".
 */
void
calsync_cli_print_agenda_text (GPtrArray *events,
                               GDateTime *from,
                               GDateTime *to,
                               GDateTime *now)
{
  g_autoptr(GArray) spans = collect_spans (events);
  g_autoptr(GArray) items = collect_day_items (spans, calsync_date_day_of (from),
                                                calsync_date_day_of (to));
  g_autoptr(GArray) lines = g_array_sized_new (FALSE, FALSE, sizeof (Line), items->len);

  g_array_set_clear_func (lines, (GDestroyNotify) line_clear);
  if (items->len == 0)
    {
      g_print ("%s\n", _("No events"));
      return;
    }

  for (guint i = 0; i < items->len; i++)
    {
      const DayItem *item = &g_array_index (items, DayItem, i);
      const Span *span = &g_array_index (spans, Span, item->index);
      Line line = { time_label (span, item), dup_display_title (span->event),
                    detail_line (span->event), item->day };

      g_array_append_val (lines, line);
    }

  print_lines (lines, now);
}

/* --next -------------------------------------------------------------------- */

/* "Friday", "27 November" or "27 November 2027": the day of an event a few days away */
static char *
format_day (GDateTime *time,
            GDateTime *now)
{
  gint64 days = calsync_date_day_of (time) - calsync_date_day_of (now);

  if (days >= 0 && days < 7)
    /* Translators: strftime-style format (g_date_time_format) of the day of the
     * next event within a week, for "Standup on Friday at 09:00" */
    /* xgettext:no-c-format */
    return g_date_time_format (time, _("%A"));
  if (g_date_time_get_year (time) == g_date_time_get_year (now))
    /* Translators: strftime-style format of the day of the next event this year, "27 November" */
    return g_date_time_format (time, _("%-d %B"));
  /* Translators: strftime-style format of the day of the next event in another year */
  return g_date_time_format (time, _("%-d %B %Y"));
}

/* "Standup at 14:00", "Standup tomorrow at 09:00", "Standup on Friday at 09:00" */
static char *
format_upcoming (CalsyncEvent *event,
                 const char   *title,
                 GDateTime    *now)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_local (calsync_event_get_start (event));
  g_autofree char *clock = NULL;
  g_autofree char *day = NULL;
  gint64 today = calsync_date_day_of (now);

  if (start == NULL)
    return g_strdup (title);

  clock = g_date_time_format (start, _("%H:%M"));
  if (calsync_date_day_of (start) == today)
    /* Translators: the next event and when it starts today, "Standup at 14:00" */
    return g_strdup_printf (_("%s at %s"), title, clock);
  if (calsync_date_day_of (start) == today + 1)
    /* Translators: the next event and when it starts, "Standup tomorrow at 09:00" */
    return g_strdup_printf (_("%s tomorrow at %s"), title, clock);

  day = format_day (start, now);
  /* Translators: the next event, its day and time, "Standup on Friday at 09:00" */
  return g_strdup_printf (_("%s on %s at %s"), title, day, clock);
}

/* "now: Standup until 10:15", "Standup in 12 min", "Standup at 14:00" … */
static char *
next_summary (CalsyncEvent *event,
              GDateTime    *now)
{
  gint64 now_utc = g_date_time_to_unix (now);
  gint64 start = calsync_event_get_start (event);
  g_autofree char *title = dup_display_title (event);
  g_autofree char *until = NULL;
  guint minutes;

  if (calsync_cli_event_is_ongoing (event, now_utc))
    {
      g_autoptr(GDateTime) end = g_date_time_new_from_unix_local (calsync_event_get_end (event));

      until = end ? format_clock (end, calsync_date_day_of (now)) : g_strdup ("?");
      /* Translators: the event in progress, e.g. "now: Standup until 10:15" */
      return g_strdup_printf (_("now: %s until %s"), title, until);
    }

  if (start - now_utc > 60 * 60)
    return format_upcoming (event, title, now);

  minutes = (guint) ((start - now_utc + 59) / 60);
  /* Translators: the next event and the minutes until it starts, "Standup in 12 min" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s in %u min", "%s in %u min", minutes),
                          title, minutes);
}

/**
 * calsync_cli_print_next_text:
 *
 * Prints "Standup in 12 min — https://…": the event, when, and its link.
 */
void
calsync_cli_print_next_text (CalsyncEvent *event,
                             GDateTime    *now)
{
  g_autofree char *summary = next_summary (event, now);
  const char *url = calsync_event_get_conference_url (event);

  if (url != NULL && *url != '\0')
    {
      g_autofree char *link = printable (url);

      g_print ("%s — %s\n", summary, link);
    }
  else
    g_print ("%s\n", summary);
}
