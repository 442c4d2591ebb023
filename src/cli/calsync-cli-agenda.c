/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-agenda.c: --agenda and --next (headless, no GTK).
 *
 * Both read the store with one indexed range query (--next widens its window
 * only when nothing was found) and print either text for people, grouped by
 * day like GNOME Calendar's agenda, or JSON in the DESIGN.md event format.
 * They run from status bars every minute: nothing here loads more than the
 * store, and the JSON is written by hand rather than through a JsonBuilder
 * tree. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "calsync-cli-private.h"

#define SECONDS_PER_DAY (24 * 60 * 60)

#define JSON_CHUNK_SIZE (64 * 1024)

/* GDate's Julian day of 1970-01-01 (day 1 is 1 January of year 1) */
#define UNIX_EPOCH_JULIAN 719163

/* ANSI styles, used only when stdout is a terminal and NO_COLOR is unset */
#define STYLE_BOLD  "\033[1m"
#define STYLE_DIM   "\033[2m"
#define STYLE_RESET "\033[0m"

typedef struct
{
  CalsyncStore *store;
  GHashTable *providers;   /* calendar id → provider ("google", …, "local") */
  GHashTable *zones;       /* zone name → GTimeZone (UTC for a name GLib does not know) */
  GTimeZone *utc;
  JsonParser *parser;      /* reused for every event's attendees */
} Output;

static void
output_clear (Output *output)
{
  g_clear_object (&output->store);
  g_clear_pointer (&output->providers, g_hash_table_unref);
  g_clear_pointer (&output->zones, g_hash_table_unref);
  g_clear_pointer (&output->utc, g_time_zone_unref);
  g_clear_object (&output->parser);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Output, output_clear)

static gboolean
output_init (Output *output)
{
  output->store = calsync_cli_open_store ();
  output->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_time_zone_unref);
  output->utc = g_time_zone_new_utc ();
  output->parser = json_parser_new_immutable ();
  return output->store != NULL;
}

/* The provider of every calendar, from one small query (--json only) */
static gboolean
output_load_providers (Output  *output,
                       GError **error)
{
  g_autoptr(GPtrArray) calendars = calsync_store_list_calendars (output->store, 0, error);

  if (calendars == NULL)
    return FALSE;

  output->providers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = 0; i < calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);
      gint64 *id = g_new (gint64, 1);

      *id = calsync_calendar_get_id (calendar);
      g_hash_table_insert (output->providers, id, g_strdup (calsync_calendar_get_provider (calendar)));
    }

  return TRUE;
}

/* The event's own zone; UTC when it has none or GLib does not know its name */
static GTimeZone *
output_lookup_zone (Output     *output,
                    const char *name)
{
  GTimeZone *zone;

  if (name == NULL || *name == '\0')
    return output->utc;

  if ((zone = g_hash_table_lookup (output->zones, name)) == NULL)
    {
      if ((zone = g_time_zone_new_identifier (name)) == NULL)
        zone = g_time_zone_ref (output->utc);
      g_hash_table_insert (output->zones, g_strdup (name), zone);
    }

  return zone;
}

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

/* JSON ---------------------------------------------------------------------- */

static void
append_escaped (GString *out,
                guchar   c)
{
  switch (c)
    {
    case '"': g_string_append (out, "\\\""); break;
    case '\\': g_string_append (out, "\\\\"); break;
    case '\n': g_string_append (out, "\\n"); break;
    case '\r': g_string_append (out, "\\r"); break;
    case '\t': g_string_append (out, "\\t"); break;
    default: g_string_append_printf (out, "\\u%04x", c); break;
    }
}

/* Copies the runs that need no escaping in one go: descriptions are long */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_autofree char *valid = NULL;
  const char *run, *p;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (run = p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == '"' || *p == '\\')
      {
        g_string_append_len (out, run, p - run);
        append_escaped (out, (guchar) *p);
        run = p + 1;
      }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

/* Starts the member @name, with a comma unless it is the object's first */
static void
append_key (GString    *out,
            const char *name)
{
  if (out->len > 0 && out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append (out, "\":");
}

static void
append_string_member (GString    *out,
                      const char *name,
                      const char *value)
{
  append_key (out, name);
  append_json_string (out, value);
}

/* null for NULL and "": an absent identifier or link */
static void
append_optional_member (GString    *out,
                        const char *name,
                        const char *value)
{
  append_string_member (out, name, value != NULL && *value != '\0' ? value : NULL);
}

static void
append_bool_member (GString    *out,
                    const char *name,
                    gboolean    value)
{
  append_key (out, name);
  g_string_append (out, value ? "true" : "false");
}

/* @value in decimal, zero-padded to @width digits (printf costs more, per event) */
static void
append_number (GString *out,
               gint64   value,
               int      width)
{
  guint64 rest = value < 0 ? -(guint64) value : (guint64) value;
  char digits[24];
  int n = 0;

  do
    {
      digits[n++] = (char) ('0' + rest % 10);
      rest /= 10;
    }
  while (rest > 0 || n < width);

  if (value < 0)
    g_string_append_c (out, '-');
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

static void
append_id_member (GString    *out,
                  const char *name,
                  gint64      id)
{
  append_key (out, name);
  g_string_append_c (out, '"');
  append_number (out, id, 1);
  g_string_append_c (out, '"');
}

/* @utc in @zone as RFC 3339, "2026-12-01T10:00:00+01:00"; a zero offset is
 * written "Z", as g_date_time_format_iso8601() does. (That function itself
 * leaves out the offset's minutes, "+01", which RFC 3339 requires.) Computed
 * here rather than through GDateTime, which costs a few microseconds per
 * event in a status bar's agenda of thousands. */
static void
append_instant_member (GString    *out,
                       const char *name,
                       gint64      utc,
                       GTimeZone  *zone)
{
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, utc);
  gint32 offset = interval >= 0 ? g_time_zone_get_offset (zone, interval) : 0;
  gint64 local = utc + offset;
  gint64 days = local / SECONDS_PER_DAY - (local % SECONDS_PER_DAY < 0);
  gint64 seconds = local - days * SECONDS_PER_DAY;
  gint32 minutes = ABS (offset) / 60;
  GDate date;

  append_key (out, name);
  if (days + UNIX_EPOCH_JULIAN < 1 || days + UNIX_EPOCH_JULIAN > G_MAXUINT32 ||
      !g_date_valid_julian ((guint32) (days + UNIX_EPOCH_JULIAN)))
    {
      g_string_append (out, "null");
      return;
    }

  g_date_clear (&date, 1);
  g_date_set_julian (&date, (guint32) (days + UNIX_EPOCH_JULIAN));
  g_string_append_c (out, '"');
  append_number (out, g_date_get_year (&date), 4);
  g_string_append_c (out, '-');
  append_number (out, g_date_get_month (&date), 2);
  g_string_append_c (out, '-');
  append_number (out, g_date_get_day (&date), 2);
  g_string_append_c (out, 'T');
  append_number (out, seconds / 3600, 2);
  g_string_append_c (out, ':');
  append_number (out, seconds / 60 % 60, 2);
  g_string_append_c (out, ':');
  append_number (out, seconds % 60, 2);
  if (offset == 0)
    g_string_append_c (out, 'Z');
  else
    {
      g_string_append_c (out, offset < 0 ? '-' : '+');
      append_number (out, minutes / 60, 2);
      g_string_append_c (out, ':');
      append_number (out, minutes % 60, 2);
    }
  g_string_append_c (out, '"');
}

/* The stored attendees re-read as JSON, so that a damaged value can never
 * break the output: [] when there are none or they do not parse as an array */
static void
append_attendees_member (Output       *output,
                         GString      *out,
                         CalsyncEvent *event)
{
  const char *json = calsync_event_get_attendees_json (event);
  JsonNode *root = NULL;

  append_key (out, "attendees");
  if (json != NULL && *json != '\0' && json_parser_load_from_data (output->parser, json, -1, NULL))
    root = json_parser_get_root (output->parser);

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      g_autofree char *text = json_to_string (root, FALSE);

      g_string_append (out, text);
    }
  else
    g_string_append (out, "[]");
}

static void
append_times (Output       *output,
              GString      *out,
              CalsyncEvent *event)
{
  const char *zone_name = calsync_event_get_time_zone (event);
  GTimeZone *zone;

  if (calsync_event_get_all_day (event))
    {
      append_string_member (out, "startDate", calsync_event_get_start_date (event));
      append_string_member (out, "endDate", calsync_event_get_end_date (event));
      append_string_member (out, "timeZone", NULL);
      return;
    }

  zone = output_lookup_zone (output, zone_name);
  append_instant_member (out, "start", calsync_event_get_start (event), zone);
  append_instant_member (out, "end", calsync_event_get_end (event), zone);
  append_optional_member (out, "timeZone", zone_name);
}

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

/* One event in the DESIGN.md format. Text fields (title, location,
 * description, calendarName) are "" when empty; optional identifiers, links
 * and the zone of all-day events are null when absent. */
static void
append_event_json (Output       *output,
                   GString      *out,
                   CalsyncEvent *event)
{
  gint64 calendar_id = calsync_event_get_calendar_id (event);

  g_string_append_c (out, '{');
  append_id_member (out, "id", calsync_event_get_id (event));
  append_id_member (out, "calendarId", calendar_id);
  append_string_member (out, "calendarName", or_empty (calsync_event_get_calendar_name (event)));
  append_string_member (out, "provider", g_hash_table_lookup (output->providers, &calendar_id));
  append_string_member (out, "externalId", or_empty (calsync_event_get_external_id (event)));
  append_string_member (out, "title", or_empty (calsync_event_get_title (event)));
  append_bool_member (out, "allDay", calsync_event_get_all_day (event));
  append_times (output, out, event);
  append_string_member (out, "location", or_empty (calsync_event_get_location (event)));
  append_string_member (out, "description", or_empty (calsync_event_get_description (event)));
  append_string_member (out, "status", calsync_event_status_to_string (calsync_event_get_status (event)));
  append_attendees_member (output, out, event);
  append_optional_member (out, "conferenceUrl", calsync_event_get_conference_url (event));
  append_string_member (out, "eventType", calsync_event_type_to_string (calsync_event_get_event_type (event)));
  append_optional_member (out, "recurringEventId", calsync_event_get_recurring_event_id (event));
  append_optional_member (out, "originalStart", calsync_event_get_original_start (event));
  append_bool_member (out, "locallyModified", calsync_event_get_locally_modified (event));
  g_string_append_c (out, '}');
}

/* stdout gets the bytes as they are (UTF-8), whatever the locale's charset */
static void
write_stdout (GString *out)
{
  fwrite (out->str, 1, out->len, stdout);
  g_string_truncate (out, 0);
}

/* One array, one event per line; written out in chunks, so that a big range
 * never holds all of its text in memory */
static void
print_events_json (Output    *output,
                   GPtrArray *events)
{
  g_autoptr(GString) out = g_string_sized_new (2 * JSON_CHUNK_SIZE);

  g_string_append_c (out, '[');
  for (guint i = 0; i < events->len; i++)
    {
      g_string_append (out, i == 0 ? "\n" : ",\n");
      append_event_json (output, out, g_ptr_array_index (events, i));
      if (out->len >= JSON_CHUNK_SIZE)
        write_stdout (out);
    }
  g_string_append (out, events->len > 0 ? "\n]\n" : "]\n");
  write_stdout (out);
  fflush (stdout);
}

/* Text -------------------------------------------------------------------- */

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
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static char *
dup_display_title (CalsyncEvent *event)
{
  const char *title = calsync_event_get_title (event);

  return printable (title != NULL && *title != '\0' ? title : _("Untitled event"));
}

static guint
julian_of_dmy (int year,
               int month,
               int day)
{
  GDate date;

  if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return 0;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return g_date_get_julian (&date);
}

static guint
julian_of (GDateTime *time)
{
  int year, month, day;

  g_date_time_get_ymd (time, &year, &month, &day);
  return julian_of_dmy (year, month, day);
}

/* Julian day of a "YYYY-MM-DD" date, 0 when it is not one */
static guint
julian_of_text (const char *text)
{
  int year = 0, month = 0, day = 0;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d", &year, &month, &day) != 3)
    return 0;

  return julian_of_dmy (year, month, day);
}

static GDateTime *
local_midnight (guint julian)
{
  GDate date;

  if (!g_date_valid_julian (julian))
    return NULL;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  return g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                                g_date_get_day (&date), 0, 0, 0);
}

/* Where an event falls in local time, worked out once per event */
typedef struct
{
  CalsyncEvent *event;
  GDateTime *start;        /* timed events: local start and end; NULL for all-day ones */
  GDateTime *end;
  guint first_day;         /* the local days it covers (Julian), the last one included */
  guint last_day;
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

  span->event = event;
  if (calsync_event_get_all_day (event))
    {
      guint end_day = julian_of_text (calsync_event_get_end_date (event));

      span->first_day = julian_of_text (calsync_event_get_start_date (event));
      span->last_day = end_day > span->first_day ? end_day - 1 : span->first_day;
      return;
    }

  /* An event ending at midnight does not reach into the next day */
  span->start = g_date_time_new_from_unix_local (start);
  span->end = g_date_time_new_from_unix_local (end);
  last = g_date_time_new_from_unix_local (end > start ? end - 1 : start);
  if (span->start == NULL || span->end == NULL || last == NULL)
    return;   /* out of GDateTime's range: on no day */

  span->first_day = julian_of (span->start);
  span->last_day = MAX (span->first_day, julian_of (last));
  span->from_midnight = is_midnight (span->start);
  span->to_midnight = end > start && is_midnight (span->end);
}

/* A timed event that covers the whole of @day (a middle day of a long one)
 * is listed with the all-day events */
static gboolean
span_covers_day (const Span *span,
                 guint       day)
{
  if (span->start == NULL)
    return span->first_day != 0;

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
  guint day;         /* Julian day */
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
                   guint   first_day,
                   guint   end_day)
{
  GArray *items = g_array_new (FALSE, FALSE, sizeof (DayItem));

  for (guint i = 0; i < spans->len; i++)
    {
      const Span *span = &g_array_index (spans, Span, i);

      for (guint day = MAX (span->first_day, first_day); day <= span->last_day && day < end_day; day++)
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
              guint      day)
{
  guint other = julian_of (time);

  if (other == day)
    /* Translators: strftime-style format (g_date_time_format) of a time of day */
    return g_date_time_format (time, _("%H:%M"));
  if (other > day && other - day < 7)
    /* Translators: strftime-style format of a time on another day of the coming week, "Tue 10:00" */
    return g_date_time_format (time, _("%a %H:%M"));
  /* Translators: strftime-style format of a time on a day further away, "27 Nov 10:00" */
  return g_date_time_format (time, _("%-d %b %H:%M"));
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
day_heading (guint      day,
             GDateTime *now)
{
  g_autoptr(GDateTime) midnight = local_midnight (day);
  guint today = julian_of (now);

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
  guint day;
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

static void
print_events_text (GPtrArray *events,
                   GDateTime *from,
                   GDateTime *to,
                   GDateTime *now)
{
  g_autoptr(GArray) spans = collect_spans (events);
  g_autoptr(GArray) items = collect_day_items (spans, julian_of (from), julian_of (to));
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

/* --agenda ------------------------------------------------------------------ */

static GDateTime *
today_midnight (GDateTime *now)
{
  return local_midnight (julian_of (now));
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
  g_autoptr(GDateTime) now = calsync_cli_dup_now ();
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Output) output = { 0 };

  if (!parse_range (command, now, &from, &to))
    return CALSYNC_EXIT_USAGE;

  if (!output_init (&output))
    return CALSYNC_EXIT_FAILED;

  events = calsync_store_query_range (output.store, g_date_time_to_unix (from),
                                      g_date_time_to_unix (to), &error);
  if (events == NULL || (command->json && !output_load_providers (&output, &error)))
    {
      g_printerr ("calsync: %s\n", error->message);
      return CALSYNC_EXIT_FAILED;
    }

  sort_by_start (events);
  if (command->json)
    print_events_json (&output, events);
  else
    print_events_text (events, from, to, now);

  return CALSYNC_EXIT_OK;
}

/* --next -------------------------------------------------------------------- */

/* Ongoing: begun and not over (or starting this very second) */
static gboolean
is_ongoing (CalsyncEvent *event,
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
      if (is_ongoing (event, now))
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

/* "Friday", "27 November" or "27 November 2027": the day of an event a few days away */
static char *
format_day (GDateTime *time,
            GDateTime *now)
{
  guint days = julian_of (time) - julian_of (now);

  if (days < 7)
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
  guint today = julian_of (now);

  if (start == NULL)
    return g_strdup (title);

  clock = g_date_time_format (start, _("%H:%M"));
  if (julian_of (start) == today)
    /* Translators: the next event and when it starts today, "Standup at 14:00" */
    return g_strdup_printf (_("%s at %s"), title, clock);
  if (julian_of (start) == today + 1)
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

  if (is_ongoing (event, now_utc))
    {
      g_autoptr(GDateTime) end = g_date_time_new_from_unix_local (calsync_event_get_end (event));

      until = end ? format_clock (end, julian_of (now)) : g_strdup ("?");
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

static void
print_next_text (CalsyncEvent *event,
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

static void
print_next_json (Output       *output,
                 CalsyncEvent *event)
{
  g_autoptr(GString) out = g_string_new (NULL);

  append_event_json (output, out, event);
  g_string_append_c (out, '\n');
  write_stdout (out);
  fflush (stdout);
}

int
calsync_cli_run_next (CalsyncCommand *command)
{
  g_autoptr(GDateTime) now = calsync_cli_dup_now ();
  g_autoptr(CalsyncEvent) next = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Output) output = { 0 };

  if (!output_init (&output))
    return CALSYNC_EXIT_FAILED;

  next = find_next (output.store, g_date_time_to_unix (now), &error);
  if (next == NULL || (command->json && !output_load_providers (&output, &error)))
    {
      if (error != NULL)
        g_printerr ("calsync: %s\n", error->message);
      return CALSYNC_EXIT_FAILED;
    }

  if (command->json)
    print_next_json (&output, next);
  else
    print_next_text (next, now);

  return CALSYNC_EXIT_OK;
}
