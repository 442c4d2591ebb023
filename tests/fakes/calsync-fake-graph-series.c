/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph-series.c: recurring events of the fake Microsoft Graph, as
 * "Create event" (a recurring event), "patternedRecurrence resource type",
 * "recurrencePattern resource type", "recurrenceRange resource type" and "List
 * instances" (GET /me/events/{id}/instances) document them:
 *
 * - An event written with a `recurrence` is a seriesMaster. The pattern needs
 *   type (daily, weekly, absoluteMonthly, relativeMonthly, absoluteYearly,
 *   relativeYearly) and interval (a positive integer); daysOfWeek for weekly
 *   and the relative types, dayOfMonth (1–31) for the absolute monthly and
 *   yearly, month (1–12) for the yearly; firstDayOfWeek and index (first,
 *   second, third, fourth, last) are optional. The range needs type (endDate,
 *   noEnd, numbered) and startDate, which "must be the same value as the start
 *   property of the recurring event"; endDate for endDate (not before
 *   startDate), a positive numberOfOccurrences for numbered; recurrenceTimeZone
 *   is optional. Anything else — a missing or mistyped member, an unknown one,
 *   an unknown value — answers 400 ErrorInvalidRequest (or
 *   TimeZoneNotSupportedException for the zone).
 * - The answer carries the recurrence with Graph's defaults filled in
 *   (firstDayOfWeek sunday, index first, dayOfMonth and month 0, daysOfWeek [],
 *   endDate 0001-01-01, numberOfOccurrences 0, recurrenceTimeZone the start's).
 * - Its occurrences (type occurrence, seriesMasterId, originalStart, ids of
 *   their own) are made for every date of the pattern in the range, at the
 *   master's local time in its zone: a noEnd series for five years (at most
 *   1000 occurrences). They are listed by calendarView/delta like any event;
 *   the master is not. Writing the master again makes them again: the ones no
 *   longer in the series are removed, an occurrence deleted stays deleted, an
 *   exception stays as it was.
 * - GET /me/events/{id}/instances needs startDateTime and endDateTime (400
 *   ErrorInvalidParameter without them) and lists the occurrences and
 *   exceptions of a seriesMaster in that window; for any other event it
 *   answers 400 ErrorInvalidRequest. */
#define G_LOG_DOMAIN "calsync-fake-graph"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "calsync-fake-graph-private.h"

#define NO_END_YEARS 5
#define MAX_OCCURRENCES 1000

static const char * const pattern_types[] = {
  "daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly", NULL,
};
static const char * const range_types[] = { "endDate", "noEnd", "numbered", NULL };
/* GLib's weekdays: 1 Monday … 7 Sunday */
static const char * const day_names[] = {
  "", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL,
};
static const char * const indexes[] = { "first", "second", "third", "fourth", "last", NULL };
static const char * const pattern_members[] = {
  "type", "interval", "daysOfWeek", "dayOfMonth", "month", "firstDayOfWeek", "index", NULL,
};
static const char * const range_members[] = {
  "type", "startDate", "endDate", "numberOfOccurrences", "recurrenceTimeZone", NULL,
};

static int
find_name (const char * const *names,
           const char         *name)
{
  for (int i = 0; names[i] != NULL; i++)
    if (name != NULL && *name != '\0' && g_str_equal (names[i], name))
      return i;
  return -1;
}

static gboolean
known_members (JsonObject         *object,
               const char * const *members)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &value))
    if (find_name (members, name) < 0 && !g_str_equal (name, "@odata.type"))
      return FALSE;
  return TRUE;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

/* An integer member: -1 when absent or null, -2 when not an integer */
static gint64
int_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return -1;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -2;
  return json_node_get_int (node);
}

static GDate *
parse_date (const char *text)
{
  int y, m, d;
  char end;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || strlen (text) != 10 ||
      !g_date_valid_dmy (d, m, y))
    return NULL;
  return g_date_new_dmy (d, m, y);
}

static gboolean
is_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node);
}

/* The date @event starts on in @zone_name (else its own zone) */
static char *
start_date_in (JsonObject *event,
               const char *zone_name)
{
  JsonObject *when = json_object_get_object_member (event, "start");
  const char *text = when ? json_object_get_string_member_with_default (when, "dateTime", NULL) : NULL;
  const char *own = when ? json_object_get_string_member_with_default (when, "timeZone", NULL) : NULL;
  g_autoptr(GTimeZone) own_zone = own ? calsync_fake_graph_zone_new (own) : NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (zone_name == NULL)
    zone_name = json_object_get_string_member_with_default (event, "originalStartTimeZone", own);
  zone = zone_name ? calsync_fake_graph_zone_new (zone_name) : NULL;
  if (text == NULL || own_zone == NULL || (dt = g_date_time_new_from_iso8601 (text, own_zone)) == NULL)
    return NULL;
  if (json_object_get_boolean_member_with_default (event, "isAllDay", FALSE) || zone == NULL)
    return g_date_time_format (dt, "%Y-%m-%d");
  local = g_date_time_to_timezone (dt, zone);
  return g_date_time_format (local, "%Y-%m-%d");
}

/* Validating ------------------------------------------------------------------------------ */

static const char *
pattern_problem (JsonObject *pattern)
{
  const char *type = string_member (pattern, "type");
  JsonNode *days = json_object_get_member (pattern, "daysOfWeek");
  gint64 interval = int_member (pattern, "interval");
  gint64 day_of_month = int_member (pattern, "dayOfMonth");
  gint64 month = int_member (pattern, "month");
  int kind = find_name (pattern_types, type);
  gboolean needs_days = kind == 1 || kind == 3 || kind == 5;

  if (!known_members (pattern, pattern_members))
    return "The recurrence pattern has a property that is not valid.";
  if (kind < 0)
    return "The recurrence pattern type is not valid.";
  if (interval < 1)
    return "The recurrence pattern interval must be a positive integer.";
  if (days != NULL && !JSON_NODE_HOLDS_NULL (days))
    {
      if (!JSON_NODE_HOLDS_ARRAY (days))
        return "daysOfWeek must be a collection.";
      for (guint i = 0; i < json_array_get_length (json_node_get_array (days)); i++)
        {
          JsonNode *day = json_array_get_element (json_node_get_array (days), i);

          if (!JSON_NODE_HOLDS_VALUE (day) || json_node_get_value_type (day) != G_TYPE_STRING ||
              find_name (day_names, json_node_get_string (day)) < 1)
            return "daysOfWeek holds a value that is not a day of the week.";
        }
    }
  if (needs_days && (days == NULL || !JSON_NODE_HOLDS_ARRAY (days) ||
                     json_array_get_length (json_node_get_array (days)) == 0))
    return "daysOfWeek is required for this recurrence pattern type.";
  if ((kind == 2 || kind == 4) && (day_of_month < 1 || day_of_month > 31))
    return "dayOfMonth is required for this recurrence pattern type and must be between 1 and 31.";
  if ((kind == 4 || kind == 5) && (month < 1 || month > 12))
    return "month is required for this recurrence pattern type and must be between 1 and 12.";
  if (day_of_month == -2 || month == -2)
    return "dayOfMonth and month must be integers.";
  if (json_object_has_member (pattern, "firstDayOfWeek") &&
      find_name (day_names, string_member (pattern, "firstDayOfWeek")) < 1)
    return "firstDayOfWeek is not a day of the week.";
  if (json_object_has_member (pattern, "index") && find_name (indexes, string_member (pattern, "index")) < 0)
    return "index is not valid.";
  return NULL;
}

static const char *
range_problem (JsonObject *range,
               JsonObject *event)
{
  const char *type = string_member (range, "type");
  g_autoptr(GDate) start = parse_date (string_member (range, "startDate"));
  g_autoptr(GDate) end = NULL;
  const char *zone = string_member (range, "recurrenceTimeZone");
  g_autofree char *start_text = start_date_in (event, zone);
  int kind = find_name (range_types, type);

  if (!known_members (range, range_members))
    return "The recurrence range has a property that is not valid.";
  if (kind < 0)
    return "The recurrence range type is not valid.";
  if (start == NULL)
    return "The recurrence range needs a startDate (yyyy-MM-dd).";
  if (start_text == NULL || strcmp (start_text, string_member (range, "startDate")) != 0)
    return "The startDate of the recurrence range must be the date of the event's start.";
  if (kind == 0)
    {
      if ((end = parse_date (string_member (range, "endDate"))) == NULL)
        return "The recurrence range needs an endDate (yyyy-MM-dd).";
      if (g_date_compare (end, start) < 0)
        return "The endDate of the recurrence range is before its startDate.";
    }
  if (kind == 2 && int_member (range, "numberOfOccurrences") < 1)
    return "numberOfOccurrences must be a positive integer.";
  if (json_object_has_member (range, "recurrenceTimeZone") && zone != NULL)
    {
      g_autoptr(GTimeZone) tz = calsync_fake_graph_zone_new (zone);

      if (tz == NULL)
        return "TZ";
    }
  return NULL;
}

/**
 * calsync_fake_graph_check_recurrence:
 * @event: the event as it is to be stored (before its times are normalized)
 *
 * Returns: FALSE after answering 400 when @event's recurrence is not a valid
 *   patternedRecurrence; TRUE when it is, or there is none
 */
gboolean
calsync_fake_graph_check_recurrence (CalsyncFakeGraph  *self,
                                     SoupServerMessage *msg,
                                     JsonObject        *event)
{
  JsonNode *node = json_object_get_member (event, "recurrence");
  JsonObject *recurrence, *pattern, *range;
  const char *problem = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    problem = "recurrence must be a patternedRecurrence.";
  else if (!known_members (recurrence = json_node_get_object (node), (const char * const[]) { "pattern", "range", NULL }))
    problem = "The recurrence has a property that is not valid.";
  else if (!is_object (json_object_get_member (recurrence, "pattern")) ||
           !is_object (json_object_get_member (recurrence, "range")))
    problem = "The recurrence needs a pattern and a range.";
  else
    {
      pattern = json_object_get_object_member (recurrence, "pattern");
      range = json_object_get_object_member (recurrence, "range");
      if ((problem = pattern_problem (pattern)) == NULL)
        problem = range_problem (range, event);
    }

  if (problem == NULL)
    return TRUE;
  if (g_str_equal (problem, "TZ"))
    calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "TimeZoneNotSupportedException",
                                      "A valid TimeZone value must be specified.");
  else
    calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "ErrorInvalidRequest", problem);
  return FALSE;
}

/* Graph's defaults in a stored recurrence */
void
calsync_fake_graph_fill_recurrence (JsonObject *event)
{
  JsonNode *node = json_object_get_member (event, "recurrence");
  JsonObject *pattern, *range;
  JsonObject *start = json_object_get_object_member (event, "start");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  pattern = json_object_get_object_member (json_node_get_object (node), "pattern");
  range = json_object_get_object_member (json_node_get_object (node), "range");
  if (!json_object_has_member (pattern, "firstDayOfWeek"))
    json_object_set_string_member (pattern, "firstDayOfWeek", "sunday");
  if (!json_object_has_member (pattern, "index"))
    json_object_set_string_member (pattern, "index", "first");
  if (!json_object_has_member (pattern, "dayOfMonth"))
    json_object_set_int_member (pattern, "dayOfMonth", 0);
  if (!json_object_has_member (pattern, "month"))
    json_object_set_int_member (pattern, "month", 0);
  if (!json_object_has_member (pattern, "daysOfWeek"))
    json_object_set_array_member (pattern, "daysOfWeek", json_array_new ());
  if (!json_object_has_member (range, "endDate"))
    json_object_set_string_member (range, "endDate", "0001-01-01");
  if (!json_object_has_member (range, "numberOfOccurrences"))
    json_object_set_int_member (range, "numberOfOccurrences", 0);
  if (!json_object_has_member (range, "recurrenceTimeZone") && start != NULL)
    json_object_set_string_member (range, "recurrenceTimeZone",
                                   json_object_get_string_member_with_default (start, "timeZone", "UTC"));
}

/* Expanding ------------------------------------------------------------------------------- */

typedef struct
{
  int kind;                 /* pattern_types */
  guint interval;
  gboolean days[8];         /* GLib weekdays */
  guint n_days;
  int day_of_month;
  int month;
  int first_day;            /* GLib weekday */
  int index;                /* indexes: 0…3, 4 last */
} Pattern;

static void
read_pattern (JsonObject *object,
              Pattern    *pattern)
{
  JsonArray *days = json_object_get_array_member (object, "daysOfWeek");

  memset (pattern, 0, sizeof *pattern);
  pattern->kind = find_name (pattern_types, string_member (object, "type"));
  pattern->interval = MAX (1, int_member (object, "interval"));
  for (guint i = 0; days != NULL && i < json_array_get_length (days); i++)
    {
      int day = find_name (day_names, json_array_get_string_element (days, i));

      if (day > 0 && !pattern->days[day])
        {
          pattern->days[day] = TRUE;
          pattern->n_days++;
        }
    }
  pattern->day_of_month = int_member (object, "dayOfMonth");
  pattern->month = int_member (object, "month");
  pattern->first_day = find_name (day_names, string_member (object, "firstDayOfWeek"));
  if (pattern->first_day < 1)
    pattern->first_day = 7;
  pattern->index = find_name (indexes, string_member (object, "index"));
  if (pattern->index < 0)
    pattern->index = 0;
}

/* Whether @date is the index-th day of its month among the pattern's weekdays */
static gboolean
is_relative_day (const Pattern *pattern,
                 const GDate   *date)
{
  GDate probe;
  int n_before = 0, n_after = 0;

  if (!pattern->days[g_date_get_weekday (date)])
    return FALSE;

  probe = *date;
  while (g_date_get_day (&probe) > 1)
    {
      g_date_subtract_days (&probe, 1);
      n_before += pattern->days[g_date_get_weekday (&probe)];
    }
  probe = *date;
  while (g_date_get_day (&probe) < g_date_get_days_in_month (g_date_get_month (date), g_date_get_year (date)))
    {
      g_date_add_days (&probe, 1);
      n_after += pattern->days[g_date_get_weekday (&probe)];
    }
  return pattern->index == 4 ? n_after == 0 : n_before == pattern->index;
}

static gboolean
matches (const Pattern *pattern,
         const GDate   *start,
         const GDate   *date)
{
  int months = (g_date_get_year (date) - g_date_get_year (start)) * 12 +
               (int) g_date_get_month (date) - (int) g_date_get_month (start);
  int years = g_date_get_year (date) - g_date_get_year (start);

  switch (pattern->kind)
    {
    case 0:
      return g_date_days_between (start, date) % pattern->interval == 0;
    case 1:
      {
        /* Weeks counted from the one holding the start, as firstDayOfWeek begins them */
        GDate week_start = *start;
        int back = ((int) g_date_get_weekday (start) - pattern->first_day + 7) % 7;

        g_date_subtract_days (&week_start, back);
        return pattern->days[g_date_get_weekday (date)] &&
               (g_date_days_between (&week_start, date) / 7) % pattern->interval == 0;
      }
    case 2:
      return months % pattern->interval == 0 && g_date_get_day (date) == pattern->day_of_month;
    case 3:
      return months % pattern->interval == 0 && is_relative_day (pattern, date);
    case 4:
      return years % pattern->interval == 0 && (int) g_date_get_month (date) == pattern->month &&
             g_date_get_day (date) == pattern->day_of_month;
    case 5:
      return years % pattern->interval == 0 && (int) g_date_get_month (date) == pattern->month &&
             is_relative_day (pattern, date);
    default:
      return FALSE;
    }
}

static char *
occurrence_id (const char *master_id,
               const GDate *date)
{
  return g_strdup_printf ("%s_OCC%04d%02d%02d", master_id, g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

static void
put_when (JsonObject *object,
          const char *member,
          GDateTime  *local,
          const char *zone_name)
{
  JsonObject *when = json_object_new ();
  g_autofree char *text = calsync_fake_graph_format_local (local);

  json_object_set_string_member (when, "dateTime", text);
  json_object_set_string_member (when, "timeZone", zone_name);
  json_object_set_object_member (object, member, when);
}

static JsonObject *
new_occurrence (JsonObject *master,
                const char *master_id,
                const char *id,
                GDateTime  *start,
                GDateTime  *end,
                const char *zone_name)
{
  static const char * const dropped[] = {
    "id", "recurrence", "transactionId", "@odata.etag", "changeKey", "lastModifiedDateTime", "createdDateTime",
    "type", "start", "end", NULL,
  };
  JsonObject *object = json_object_new ();
  g_autoptr(GDateTime) utc = g_date_time_to_utc (start);
  g_autofree char *original = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, master);
  while (json_object_iter_next (&iter, &name, &value))
    if (find_name (dropped, name) < 0)
      json_object_set_member (object, name, json_node_copy (value));
  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "type", "occurrence");
  json_object_set_string_member (object, "seriesMasterId", master_id);
  json_object_set_string_member (object, "originalStart", original);
  json_object_set_null_member (object, "recurrence");
  put_when (object, "start", start, zone_name);
  put_when (object, "end", end, zone_name);
  return object;
}

/**
 * calsync_fake_graph_expand_series:
 * @master: a stored seriesMaster
 *
 * Makes its occurrences again (see above)
 */
void
calsync_fake_graph_expand_series (CalsyncFakeGraph *self,
                                  FakeCalendar     *calendar,
                                  FakeEvent        *master)
{
  JsonObject *object = master->version->object;
  JsonObject *recurrence = json_object_get_object_member (object, "recurrence");
  JsonObject *range = json_object_get_object_member (recurrence, "range");
  const char *zone_name = json_object_get_string_member_with_default (object, "originalStartTimeZone", "UTC");
  g_autoptr(GTimeZone) zone = calsync_fake_graph_zone_new (zone_name);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) first_utc = g_date_time_new_from_unix_utc (master->version->start_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GDate) start = parse_date (string_member (range, "startDate"));
  g_autoptr(GDate) end = NULL;
  g_autoptr(GHashTable) made = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 length = master->version->end_us - master->version->start_us;
  gint64 count = int_member (range, "numberOfOccurrences");
  int range_kind = find_name (range_types, string_member (range, "type"));
  gboolean all_day = master->version->all_day;
  Pattern pattern;
  GHashTableIter iter;
  FakeEvent *event;
  guint n = 0;

  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  if (all_day)
    zone_name = "UTC";
  first = all_day ? g_date_time_ref (first_utc) : g_date_time_to_timezone (first_utc, zone);
  read_pattern (json_object_get_object_member (recurrence, "pattern"), &pattern);
  if (range_kind == 0)
    end = parse_date (string_member (range, "endDate"));
  else
    {
      end = g_date_copy (start);
      g_date_add_years (end, NO_END_YEARS);
    }

  for (GDate date = *start; g_date_compare (&date, end) <= 0 && n < MAX_OCCURRENCES; g_date_add_days (&date, 1))
    {
      g_autoptr(GDateTime) local = NULL;
      g_autoptr(GDateTime) local_end = NULL;
      g_autofree char *id = NULL;
      FakeEvent *existing;

      if (range_kind == 2 && n >= count)
        break;
      if (!matches (&pattern, start, &date))
        continue;
      n++;

      local = g_date_time_new (all_day ? utc : zone, g_date_get_year (&date), g_date_get_month (&date),
                               g_date_get_day (&date), g_date_time_get_hour (first), g_date_time_get_minute (first),
                               g_date_time_get_second (first));
      local_end = g_date_time_add (local, length);
      id = occurrence_id (master->id, &date);
      existing = g_hash_table_lookup (calendar->events, id);
      g_hash_table_add (made, g_strdup (id));

      /* A deleted occurrence stays deleted, an exception as it is */
      if (existing != NULL && (existing->deleted ||
                               g_strcmp0 (json_object_get_string_member_with_default (existing->version->object,
                                                                                      "type", NULL),
                                          "exception") == 0))
        continue;
      if (!calsync_fake_graph_store_event (self, calendar,
                                           new_occurrence (object, master->id, id, local, local_end, zone_name)))
        g_error ("Fake Graph: an occurrence was not stored");
    }

  /* The ones no longer in the series */
  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    if (!event->deleted && !g_hash_table_contains (made, event->id) &&
        g_strcmp0 (json_object_get_string_member_with_default (event->version->object, "seriesMasterId", NULL),
                   master->id) == 0)
      {
        event->deleted = TRUE;
        event->seq = ++self->seq;
      }
}

/* Instances ------------------------------------------------------------------------------- */

static gint64
param_instant (GHashTable *params,
               const char *name)
{
  const char *text = g_hash_table_lookup (params, name);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = text != NULL ? g_date_time_new_from_iso8601 (text, utc) : NULL;

  return dt != NULL ? g_date_time_to_unix (dt) * G_USEC_PER_SEC : G_MININT64;
}

static int
compare_versions (gconstpointer a,
                  gconstpointer b)
{
  const FakeVersion *va = *(FakeVersion * const *) a;
  const FakeVersion *vb = *(FakeVersion * const *) b;

  return va->start_us < vb->start_us ? -1 : va->start_us > vb->start_us;
}

/* GET /me/events/{@event_id}/instances?startDateTime=…&endDateTime=… */
void
calsync_fake_graph_serve_instances (CalsyncFakeGraph  *self,
                                    SoupServerMessage *msg,
                                    const char        *event_id,
                                    GHashTable        *params)
{
  g_autofree char *zone_name = calsync_fake_graph_preferred_zone (msg);
  g_autoptr(GTimeZone) zone = calsync_fake_graph_zone_new (zone_name ? zone_name : "UTC");
  g_autoptr(GPtrArray) listed = g_ptr_array_new ();
  gint64 from = param_instant (params, "startDateTime");
  gint64 to = param_instant (params, "endDateTime");
  FakeCalendar *calendar = NULL;
  FakeEvent *master = calsync_fake_graph_find_event (self, event_id, &calendar);
  GHashTableIter iter;
  FakeEvent *event;
  GString *body;

  if (!g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "BadRequest",
                                        "The HTTP method is not allowed on this resource.");
      return;
    }
  if (master == NULL)
    {
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "ErrorItemNotFound",
                                        "The specified object was not found in the store.");
      return;
    }
  if (from == G_MININT64 || to == G_MININT64)
    {
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "ErrorInvalidParameter",
                                        "This request requires a time window specified by the query string "
                                        "parameters StartDateTime and EndDateTime.");
      return;
    }
  if (!master->version->master)
    {
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "ErrorInvalidRequest",
                                        "The event is not a recurring series.");
      return;
    }
  if (zone == NULL)
    {
      calsync_fake_graph_respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "TimeZoneNotSupportedException",
                                        "A valid TimeZone value must be specified in Prefer: outlook.timezone.");
      return;
    }

  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    if (!event->deleted && event->version->start_us < to && event->version->end_us > from &&
        g_strcmp0 (json_object_get_string_member_with_default (event->version->object, "seriesMasterId", NULL),
                   master->id) == 0)
      g_ptr_array_add (listed, event->version);
  g_ptr_array_sort (listed, compare_versions);

  body = g_string_new ("{\"@odata.context\":");
  calsync_fake_graph_append_json_string (body, "https://graph.microsoft.com/v1.0/$metadata#Collection(event)");
  g_string_append (body, ",\"value\":[");
  for (guint i = 0; i < listed->len; i++)
    {
      CursorItem item = { g_ptr_array_index (listed, i), NULL };

      if (i > 0)
        g_string_append_c (body, ',');
      calsync_fake_graph_append_item (body, &item, zone_name ? zone_name : "UTC", zone);
    }
  g_string_append (body, "]}");
  calsync_fake_graph_respond (self, msg, SOUP_STATUS_OK, body);
}
