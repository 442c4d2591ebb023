/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-agenda-json.c: the events of --agenda --json and --next --json.
 *
 * The DESIGN.md event format, written by hand rather than through a
 * JsonBuilder tree: status bars run these every minute, over thousands of
 * events. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "calsync-cli-agenda-private.h"
#include "calsync-date-utils.h"
#include "calsync-text.h"

#define SECONDS_PER_DAY (24 * 60 * 60)

#define JSON_CHUNK_SIZE (64 * 1024)

struct _CalsyncEventJson
{
  GHashTable *providers;   /* calendar id → provider ("google", …, "local") */
  GHashTable *zones;       /* zone name → GTimeZone (UTC for a name GLib does not know) */
  GTimeZone *utc;
  JsonParser *parser;      /* reused for every event's attendees */
};

void
calsync_event_json_free (CalsyncEventJson *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->providers, g_hash_table_unref);
  g_clear_pointer (&self->zones, g_hash_table_unref);
  g_clear_pointer (&self->utc, g_time_zone_unref);
  g_clear_object (&self->parser);
  g_free (self);
}

/* The provider of every calendar, from one small query */
static gboolean
load_providers (CalsyncEventJson  *self,
                CalsyncStore      *store,
                GError           **error)
{
  g_autoptr(GPtrArray) calendars = calsync_store_list_calendars (store, 0, error);

  if (calendars == NULL)
    return FALSE;

  for (guint i = 0; i < calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);
      gint64 *id = g_new (gint64, 1);

      *id = calsync_calendar_get_id (calendar);
      g_hash_table_insert (self->providers, id, g_strdup (calsync_calendar_get_provider (calendar)));
    }

  return TRUE;
}

/**
 * calsync_event_json_new:
 *
 * Returns: (transfer full): a writer for the events of @store, or %NULL with
 *   @error set when the calendars cannot be read
 */
CalsyncEventJson *
calsync_event_json_new (CalsyncStore  *store,
                        GError       **error)
{
  g_autoptr(CalsyncEventJson) self = g_new0 (CalsyncEventJson, 1);

  self->providers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_time_zone_unref);
  self->utc = g_time_zone_new_utc ();
  self->parser = json_parser_new_immutable ();

  if (!load_providers (self, store, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* The event's own zone; UTC when it has none or GLib does not know its name */
static GTimeZone *
lookup_zone (CalsyncEventJson *self,
             const char       *name)
{
  GTimeZone *zone;

  if (name == NULL || *name == '\0')
    return self->utc;

  if ((zone = g_hash_table_lookup (self->zones, name)) == NULL)
    {
      if ((zone = g_time_zone_new_identifier (name)) == NULL)
        zone = g_time_zone_ref (self->utc);
      g_hash_table_insert (self->zones, g_strdup (name), zone);
    }

  return zone;
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
  calsync_json_append_string (out, value);
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
  int year, month, day;

  append_key (out, name);
  if (!calsync_date_day_to_ymd (days, &year, &month, &day))
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  append_number (out, year, 4);
  g_string_append_c (out, '-');
  append_number (out, month, 2);
  g_string_append_c (out, '-');
  append_number (out, day, 2);
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
append_attendees_member (CalsyncEventJson *self,
                         GString          *out,
                         CalsyncEvent     *event)
{
  const char *json = calsync_event_get_attendees_json (event);
  JsonNode *root = NULL;

  append_key (out, "attendees");
  if (json != NULL && *json != '\0' && json_parser_load_from_data (self->parser, json, -1, NULL))
    root = json_parser_get_root (self->parser);

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      g_autofree char *text = json_to_string (root, FALSE);

      g_string_append (out, text);
    }
  else
    g_string_append (out, "[]");
}

static void
append_times (CalsyncEventJson *self,
              GString          *out,
              CalsyncEvent     *event)
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

  zone = lookup_zone (self, zone_name);
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
append_event_json (CalsyncEventJson *self,
                   GString          *out,
                   CalsyncEvent     *event)
{
  gint64 calendar_id = calsync_event_get_calendar_id (event);
  const char *provider = g_hash_table_lookup (self->providers, &calendar_id);

  g_string_append_c (out, '{');
  append_id_member (out, "id", calsync_event_get_id (event));
  append_id_member (out, "calendarId", calendar_id);
  /* The local calendar's key, not its name in today's language */
  append_string_member (out, "calendarName", g_strcmp0 (provider, "local") == 0
                                             ? CALSYNC_PERSONAL_CALENDAR_KEY
                                             : or_empty (calsync_event_get_calendar_name (event)));
  append_string_member (out, "provider", provider);
  append_string_member (out, "externalId", or_empty (calsync_event_get_external_id (event)));
  append_string_member (out, "title", or_empty (calsync_event_get_title (event)));
  append_bool_member (out, "allDay", calsync_event_get_all_day (event));
  append_times (self, out, event);
  append_string_member (out, "location", or_empty (calsync_event_get_location (event)));
  append_string_member (out, "description", or_empty (calsync_event_get_description (event)));
  append_string_member (out, "status", calsync_event_status_to_string (calsync_event_get_status (event)));
  append_attendees_member (self, out, event);
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
  /* Titles come from servers: DEL and C1 controls escaped too, as \u0080 … */
  g_autofree char *escaped = calsync_json_escape_controls (out->str);

  fputs (escaped, stdout);
  g_string_truncate (out, 0);
}

/**
 * calsync_event_json_print_array:
 *
 * Prints @events as one array, one event per line; written out in chunks, so
 * that a big range never holds all of its text in memory.
 */
void
calsync_event_json_print_array (CalsyncEventJson *self,
                                GPtrArray        *events)
{
  g_autoptr(GString) out = g_string_sized_new (2 * JSON_CHUNK_SIZE);

  g_string_append_c (out, '[');
  for (guint i = 0; i < events->len; i++)
    {
      g_string_append (out, i == 0 ? "\n" : ",\n");
      append_event_json (self, out, g_ptr_array_index (events, i));
      if (out->len >= JSON_CHUNK_SIZE)
        write_stdout (out);
    }
  g_string_append (out, events->len > 0 ? "\n]\n" : "]\n");
  write_stdout (out);
  fflush (stdout);
}

/**
 * calsync_event_json_print_one:
 *
 * Prints @event as one object on one line.
 */
void
calsync_event_json_print_one (CalsyncEventJson *self,
                              CalsyncEvent     *event)
{
  g_autoptr(GString) out = g_string_new (NULL);

  append_event_json (self, out, event);
  g_string_append_c (out, '\n');
  write_stdout (out);
  fflush (stdout);
}
