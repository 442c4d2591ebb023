/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-writer.c: writing CalsyncEvents as iCalendar (RFC 5545) with libical.
 *
 * Events are occurrences (providers send instances, imports are expanded).
 * The instances of a series that keep their series' definition (imported
 * ones: see calsync-ical-rule.c) are written as that master, RRULE and all
 * (calsync-ical-master.c), with overrides (RECURRENCE-ID) for the instances
 * that differ from it, so the series goes on past the instances exported.
 * The others (Google's instances, which come without their rule) are written
 * as overrides of a master whose DTSTART and RDATEs are exactly their
 * original starts. Either way readers get the same instances back, and CalDAV
 * servers, which refuse overrides without a master (RFC 4791 4.1), take the
 * series as one resource.
 *
 * libical builds the components and escapes the text; the line layout is ours:
 * libical 3.0 splits a CRLF in two when a fold falls on the end of a line, so
 * its output is unfolded and folded again at 75 octets on character boundaries. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libical/ical.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (icalcomponent, icalcomponent_free)

typedef icalproperty *(*NewTextProperty) (const char *value);
typedef icalproperty *(*NewTimeProperty) (struct icaltimetype value);

/* The instances of one series in the events given */
typedef struct
{
  char *uid;
  GPtrArray *instances;   /* CalsyncEvent, borrowed */
  gboolean mixed;         /* dates and instants as original starts: no master possible */
  gboolean written;
} Series;

typedef struct
{
  GPtrArray *zone_ids;   /* the TZIDs written, in order of first use */
  GHashTable *zones;     /* TZID → icaltimezone (libical's built-in, not owned) */
  GHashTable *series;    /* UID → Series */
} Writer;

static void
series_free (Series *series)
{
  g_free (series->uid);
  g_ptr_array_unref (series->instances);
  g_free (series);
}

static void
writer_init (Writer *writer)
{
  writer->zone_ids = g_ptr_array_new_with_free_func (g_free);
  writer->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->series = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) series_free);
}

static void
writer_clear (Writer *writer)
{
  g_clear_pointer (&writer->zone_ids, g_ptr_array_unref);
  g_clear_pointer (&writer->zones, g_hash_table_unref);
  g_clear_pointer (&writer->series, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Writer, writer_clear)

/* Text ------------------------------------------------------------------- */

/* Valid UTF-8 without control characters; line breaks become \n, or spaces
 * when @single_line (parameter values and URIs cannot hold them). */
char *
calsync_ical_clean_text (const char *text,
                         gboolean    single_line)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\r' && p[1] == '\n')
        continue;
      if (c == '\r' || c == '\n' || c == '\t')
        g_string_append_c (out, single_line ? ' ' : (c == '\t' ? '\t' : '\n'));
      else if (c >= 0x20 && c != 0x7f)
        g_string_append_c (out, (char) c);
    }

  return g_string_free (out, FALSE);
}

/* libical writes a parameter's DQUOTE as ^' (RFC 6868) and reads ^^, ^' and ^n
 * back, but writes ^ as is; and it reads a backslash as escaping the next
 * character, so a name ending in one swallows the rest of the line. */
static char *
clean_param (const char *text)
{
  g_autofree char *line = calsync_ical_clean_text (text, TRUE);
  GString *out = g_string_sized_new (strlen (line));

  for (const char *p = line; *p != '\0'; p++)
    {
      if (*p == '^')
        g_string_append (out, "^^");
      else
        g_string_append_c (out, *p == '\\' ? '/' : *p);
    }

  return g_string_free (out, FALSE);
}

static void
add_text (icalcomponent   *vevent,
          NewTextProperty  new_property,
          const char      *text)
{
  g_autofree char *clean = NULL;

  if (text == NULL || *text == '\0')
    return;

  clean = calsync_ical_clean_text (text, FALSE);
  icalcomponent_add_property (vevent, new_property (clean));
}

/* Times ------------------------------------------------------------------- */

static void
writer_use_zone (Writer       *writer,
                 const char   *tzid,
                 icaltimezone *zone)
{
  if (g_hash_table_contains (writer->zones, tzid))
    return;

  g_ptr_array_add (writer->zone_ids, g_strdup (tzid));
  g_hash_table_insert (writer->zones, g_strdup (tzid), zone);
}

static struct icaltimetype
utc_time (gint64 unix_utc)
{
  return icaltime_from_timet_with_zone ((time_t) unix_utc, FALSE, icaltimezone_get_utc_timezone ());
}

/* The wall-clock time of @unix_utc in @zone, or FALSE when that wall time
 * occurs twice (the hour repeated when clocks go back): RFC 5545 reads it as
 * the first occurrence, libical as the second, so only UTC is exact there. */
gboolean
calsync_ical_wall_time (gint64               unix_utc,
                        icaltimezone        *zone,
                        struct icaltimetype *wall)
{
  /* (not "daylight": <time.h> has a global of that name) */
  struct icaltimetype as_standard, as_daylight;

  *wall = icaltime_from_timet_with_zone ((time_t) unix_utc, FALSE, zone);
  wall->zone = NULL;
  as_standard = as_daylight = *wall;
  as_standard.is_daylight = 0;
  as_daylight.is_daylight = 1;

  return icaltime_as_timet_with_zone (as_standard, zone) == icaltime_as_timet_with_zone (as_daylight, zone);
}

/* DTSTART, DTEND or RECURRENCE-ID: wall time with TZID, or UTC */
static void
add_time (Writer          *writer,
          icalcomponent   *vevent,
          NewTimeProperty  new_property,
          gint64           unix_utc,
          const char      *tzid)
{
  icaltimezone *zone = calsync_ical_builtin_zone (tzid);
  struct icaltimetype wall;
  icalproperty *property;

  if (zone != NULL && calsync_ical_wall_time (unix_utc, zone, &wall))
    {
      property = new_property (wall);
      icalproperty_add_parameter (property, icalparameter_new_tzid (tzid));
      writer_use_zone (writer, tzid, zone);
    }
  else
    property = new_property (utc_time (unix_utc));

  icalcomponent_add_property (vevent, property);
}

static gboolean
add_dates (icalcomponent  *vevent,
           CalsyncEvent   *event,
           GError        **error)
{
  struct icaltimetype start, end;

  if (!calsync_ical_parse_date (calsync_event_get_start_date (event), &start) ||
      !calsync_ical_parse_date (calsync_event_get_end_date (event), &end))
    {
      g_set_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_WRITE,
                   /* Translators: %s is the title of an event */
                   _("The all-day event “%s” has no valid start or end date"),
                   calsync_event_get_title (event) ? calsync_event_get_title (event) : "");
      return FALSE;
    }

  icalcomponent_add_property (vevent, icalproperty_new_dtstart (start));
  if (icaltime_compare_date_only (end, start) > 0)
    icalcomponent_add_property (vevent, icalproperty_new_dtend (end));
  return TRUE;
}

static void
add_times (Writer        *writer,
           icalcomponent *vevent,
           CalsyncEvent  *event)
{
  const char *tzid = calsync_event_get_time_zone (event);
  gint64 start = calsync_event_get_start (event);
  gint64 end = calsync_event_get_end (event);

  add_time (writer, vevent, icalproperty_new_dtstart, start, tzid);

  /* No DTEND: an instant (RFC 5545 3.6.1), rather than an end before the start */
  if (end > start)
    add_time (writer, vevent, icalproperty_new_dtend, end, tzid);
}

/* Attendees ---------------------------------------------------------------- */

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
member_true (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/* ORGANIZER or ATTENDEE: mailto:, CN, and the response of an attendee */
static icalproperty *
new_person (icalproperty_kind  kind,
            JsonObject        *person)
{
  g_autofree char *email = calsync_ical_clean_text (member_string (person, "email"), TRUE);
  g_autofree char *address = g_strconcat ("mailto:", g_strstrip (email), NULL);
  const char *name = member_string (person, "name");
  icalproperty *property = icalproperty_new (kind);

  icalproperty_set_value (property, icalvalue_new_caladdress (address));
  if (name != NULL && *name != '\0')
    {
      g_autofree char *cn = clean_param (name);

      icalproperty_add_parameter (property, icalparameter_new_cn (cn));
    }

  if (kind == ICAL_ATTENDEE_PROPERTY)
    {
      icalparameter_partstat partstat = calsync_ical_response_to_partstat (member_string (person, "response"));

      icalproperty_add_parameter (property, icalparameter_new_partstat (partstat));
    }

  return property;
}

/* The attendees JSON [{"email","name","response","organizer"}]: every person
 * an ATTENDEE, the organizer also the ORGANIZER (as Google writes it). */
static void
add_attendees (icalcomponent *vevent,
               const char    *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gboolean has_organizer = FALSE;
  JsonArray *array;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return;

  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *person = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *email = person ? member_string (person, "email") : NULL;

      if (email == NULL || *email == '\0')
        continue;

      if (member_true (person, "organizer") && !has_organizer)
        {
          icalcomponent_add_property (vevent, new_person (ICAL_ORGANIZER_PROPERTY, person));
          has_organizer = TRUE;
        }
      icalcomponent_add_property (vevent, new_person (ICAL_ATTENDEE_PROPERTY, person));
    }
}

/* Events ------------------------------------------------------------------- */

static icalproperty_status
status_to_ical (CalsyncEventStatus status)
{
  switch (status)
    {
    case CALSYNC_EVENT_STATUS_TENTATIVE:
      return ICAL_STATUS_TENTATIVE;
    case CALSYNC_EVENT_STATUS_CANCELLED:
      return ICAL_STATUS_CANCELLED;
    case CALSYNC_EVENT_STATUS_CONFIRMED:
    default:
      return ICAL_STATUS_CONFIRMED;
    }
}

/* The UID: external ids are any text, but a UID must not be empty */
static void
add_uid (icalcomponent *vevent,
         CalsyncEvent  *event,
         gboolean       instance)
{
  const char *id = instance ? calsync_event_get_recurring_event_id (event)
                            : calsync_event_get_external_id (event);
  g_autofree char *uid = id != NULL ? calsync_ical_clean_text (id, TRUE) : NULL;

  if (uid == NULL || *g_strstrip (uid) == '\0')
    {
      g_free (uid);
      uid = g_strdup_printf ("calsync-event-%" G_GINT64_FORMAT, calsync_event_get_id (event));
    }

  icalcomponent_add_property (vevent, icalproperty_new_uid (uid));
}

/* URL for every calendar app, and RFC 7986 CONFERENCE, which says what it is */
static void
add_conference_url (icalcomponent *vevent,
                    const char    *url)
{
  g_autofree char *clean = NULL;
  icalproperty *conference;

  if (url == NULL || *url == '\0')
    return;

  /* Both are URI values, written unescaped: it must be one */
  clean = calsync_ical_clean_text (url, TRUE);
  if (!g_uri_is_valid (clean, G_URI_FLAGS_NONE, NULL))
    {
      g_debug ("Not writing the conference link “%s”: not a URI", clean);
      return;
    }

  icalcomponent_add_property (vevent, icalproperty_new_url (clean));
  conference = icalproperty_new_conference (clean);
  icalproperty_add_parameter (conference, icalparameter_new_value (ICAL_VALUE_URI));
  icalcomponent_add_property (vevent, conference);
}

static void
add_last_modified (icalcomponent *vevent,
                   CalsyncEvent  *event)
{
  gint64 usec = MAX (calsync_event_get_remote_updated (event), calsync_event_get_local_updated (event));

  if (usec > 0)
    icalcomponent_add_property (vevent, icalproperty_new_lastmodified (utc_time (usec / G_USEC_PER_SEC)));
}

/* Everything but the ids and times */
static void
add_content (icalcomponent *vevent,
             CalsyncEvent  *event)
{
  add_text (vevent, icalproperty_new_summary, calsync_event_get_title (event));
  add_text (vevent, icalproperty_new_description, calsync_event_get_description (event));
  add_text (vevent, icalproperty_new_location, calsync_event_get_location (event));
  icalcomponent_add_property (vevent, icalproperty_new_status (status_to_ical (calsync_event_get_status (event))));
  add_conference_url (vevent, calsync_event_get_conference_url (event));
  add_last_modified (vevent, event);
  add_attendees (vevent, calsync_event_get_attendees_json (event));
}

/* Series ------------------------------------------------------------------- */

/* The original start of an instance; FALSE when @event is no instance */
gboolean
calsync_ical_read_original_start (CalsyncEvent  *event,
                                  OriginalStart *original)
{
  const char *series = calsync_event_get_recurring_event_id (event);
  const char *text = calsync_event_get_original_start (event);
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) instant = NULL;

  if (series == NULL || *series == '\0' || text == NULL)
    return FALSE;

  original->is_date = calsync_ical_parse_date (text, &original->date);
  if (original->is_date)
    return TRUE;

  utc = g_time_zone_new_utc ();
  if (!(instant = g_date_time_new_from_iso8601 (text, utc)))
    return FALSE;

  original->utc = g_date_time_to_unix (instant);
  return TRUE;
}

static int
compare_original_starts (const OriginalStart *a,
                         const OriginalStart *b)
{
  if (a->is_date)
    return icaltime_compare_date_only (a->date, b->date);

  return (a->utc > b->utc) - (a->utc < b->utc);
}

/* DTSTART, RDATE or RECURRENCE-ID at an original start, in the instance's zone */
static void
add_original_start (Writer              *writer,
                    icalcomponent       *vevent,
                    NewTimeProperty      new_property,
                    CalsyncEvent        *event,
                    const OriginalStart *original)
{
  if (original->is_date)
    icalcomponent_add_property (vevent, new_property (original->date));
  else
    add_time (writer, vevent, new_property, original->utc,
              calsync_event_get_all_day (event) ? NULL : calsync_event_get_time_zone (event));
}

static icalproperty *
new_rdate (struct icaltimetype time)
{
  struct icaldatetimeperiodtype value = { time, icalperiodtype_null_period () };

  return icalproperty_new_rdate (value);
}

static void
collect_series (Writer    *writer,
                GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      const char *uid = calsync_event_get_recurring_event_id (event);
      OriginalStart original, first;
      Series *series;

      if (!calsync_ical_read_original_start (event, &original))
        continue;

      if ((series = g_hash_table_lookup (writer->series, uid)) == NULL)
        {
          series = g_new0 (Series, 1);
          series->uid = g_strdup (uid);
          series->instances = g_ptr_array_new ();
          g_hash_table_insert (writer->series, series->uid, series);
        }
      else if (calsync_ical_read_original_start (g_ptr_array_index (series->instances, 0), &first) &&
               first.is_date != original.is_date)
        series->mixed = TRUE;

      g_ptr_array_add (series->instances, event);
    }
}

/* The series @event is written in; NULL for an event of its own */
static Series *
lookup_series (Writer       *writer,
               CalsyncEvent *event)
{
  OriginalStart original;
  Series *series;

  if (!calsync_ical_read_original_start (event, &original))
    return NULL;

  series = g_hash_table_lookup (writer->series, calsync_event_get_recurring_event_id (event));
  return series != NULL && !series->mixed ? series : NULL;
}

static CalsyncEvent *
series_earliest (Series        *series,
                 OriginalStart *earliest_start)
{
  CalsyncEvent *earliest = NULL;

  for (guint i = 0; i < series->instances->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (series->instances, i);
      OriginalStart original;

      if (calsync_ical_read_original_start (event, &original) &&
          (earliest == NULL || compare_original_starts (&original, earliest_start) < 0))
        {
          earliest = event;
          *earliest_start = original;
        }
    }

  return earliest;
}

/* The instance whose title, attendees… the master carries: the first one not
 * cancelled (a cancelled master would cancel every instance) */
static CalsyncEvent *
series_template (Series *series)
{
  for (guint i = 0; i < series->instances->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (series->instances, i);

      if (calsync_event_get_status (event) != CALSYNC_EVENT_STATUS_CANCELLED)
        return event;
    }

  return g_ptr_array_index (series->instances, 0);
}

/* The master lasts as long as its first instance (a day for dates) */
static void
add_master_end (Writer              *writer,
                icalcomponent       *master,
                CalsyncEvent        *first,
                const OriginalStart *start)
{
  gint64 length = calsync_event_get_end (first) - calsync_event_get_start (first);
  struct icaltimetype end;

  if (start->is_date)
    {
      end = start->date;
      icaltime_adjust (&end, 1, 0, 0, 0);
      icalcomponent_add_property (master, icalproperty_new_dtend (end));
    }
  else if (!calsync_event_get_all_day (first) && length > 0)
    add_time (writer, master, icalproperty_new_dtend, start->utc + length,
              calsync_event_get_time_zone (first));
}

/* A master whose occurrences are exactly the instances' original starts
 * (DTSTART and RDATEs), every one replaced by its instance */
static icalcomponent *
series_to_master (Writer *writer,
                  Series *series,
                  gint64  dtstamp_utc)
{
  icalcomponent *master = icalcomponent_new (ICAL_VEVENT_COMPONENT);
  OriginalStart first;
  CalsyncEvent *earliest = series_earliest (series, &first);

  add_uid (master, earliest, TRUE);
  icalcomponent_add_property (master, icalproperty_new_dtstamp (utc_time (dtstamp_utc)));
  add_original_start (writer, master, icalproperty_new_dtstart, earliest, &first);
  add_master_end (writer, master, earliest, &first);

  for (guint i = 0; i < series->instances->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (series->instances, i);
      OriginalStart original;

      if (calsync_ical_read_original_start (event, &original) && compare_original_starts (&original, &first) != 0)
        add_original_start (writer, master, new_rdate, event, &original);
    }

  /* Without RDATE or RRULE a VEVENT is no series and readers drop its
   * overrides: a series of one repeats its DTSTART (duplicates count once) */
  if (icalcomponent_get_first_property (master, ICAL_RDATE_PROPERTY) == NULL)
    add_original_start (writer, master, new_rdate, earliest, &first);

  add_content (master, series_template (series));
  return master;
}

static icalcomponent *
event_to_vevent (Writer        *writer,
                 CalsyncEvent  *event,
                 gboolean       instance,
                 gint64         dtstamp_utc,
                 GError       **error)
{
  g_autoptr(icalcomponent) vevent = icalcomponent_new (ICAL_VEVENT_COMPONENT);
  OriginalStart original;

  add_uid (vevent, event, instance);
  icalcomponent_add_property (vevent, icalproperty_new_dtstamp (utc_time (dtstamp_utc)));
  if (instance && calsync_ical_read_original_start (event, &original))
    add_original_start (writer, vevent, icalproperty_new_recurrenceid, event, &original);

  if (calsync_event_get_all_day (event))
    {
      if (!add_dates (vevent, event, error))
        return NULL;
    }
  else
    add_times (writer, vevent, event);

  add_content (vevent, event);
  return g_steal_pointer (&vevent);
}

static gboolean
add_overrides (Writer     *writer,
               GPtrArray  *vevents,
               GPtrArray  *instances,
               gint64      dtstamp_utc,
               GError    **error)
{
  for (guint i = 0; i < instances->len; i++)
    {
      icalcomponent *vevent = event_to_vevent (writer, g_ptr_array_index (instances, i), TRUE, dtstamp_utc, error);

      if (vevent == NULL)
        return FALSE;
      g_ptr_array_add (vevents, vevent);
    }

  return TRUE;
}

/* The master of a series whose definition its instances keep: its times
 * (with the VTIMEZONEs they name) and the content of its template */
static icalcomponent *
plan_to_master (Writer     *writer,
                SeriesPlan *plan,
                gint64      dtstamp_utc)
{
  icalcomponent *master = icalcomponent_new (ICAL_VEVENT_COMPONENT);
  icalproperty *property;

  add_uid (master, plan->template, TRUE);
  icalcomponent_add_property (master, icalproperty_new_dtstamp (utc_time (dtstamp_utc)));

  while ((property = icalcomponent_get_first_property (plan->master, ICAL_ANY_PROPERTY)) != NULL)
    {
      icalparameter *tzid = icalproperty_get_first_parameter (property, ICAL_TZID_PARAMETER);

      if (tzid != NULL)
        writer_use_zone (writer, icalparameter_get_tzid (tzid), calsync_ical_builtin_zone (icalparameter_get_tzid (tzid)));
      icalcomponent_remove_property (plan->master, property);
      icalcomponent_add_property (master, property);
    }

  add_content (master, plan->template);
  return master;
}

/* A master and its instances, the first time one of them comes: the rule the
 * instances keep when it makes them again, else their original starts */
static gboolean
add_series (Writer     *writer,
            GPtrArray  *vevents,
            Series     *series,
            gint64      dtstamp_utc,
            GError    **error)
{
  SeriesPlan plan;
  gboolean ok;

  if (series->written)
    return TRUE;

  series->written = TRUE;
  if (!calsync_ical_plan_series (series->instances, &plan))
    {
      g_ptr_array_add (vevents, series_to_master (writer, series, dtstamp_utc));
      return add_overrides (writer, vevents, series->instances, dtstamp_utc, error);
    }

  g_ptr_array_add (vevents, plan_to_master (writer, &plan, dtstamp_utc));
  ok = add_overrides (writer, vevents, plan.overrides, dtstamp_utc, error);
  calsync_ical_series_plan_clear (&plan);
  return ok;
}

static gboolean
add_events (Writer     *writer,
            GPtrArray  *vevents,
            GPtrArray  *events,
            gint64      dtstamp_utc,
            GError    **error)
{
  collect_series (writer, events);

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      Series *series = lookup_series (writer, event);
      icalcomponent *vevent;

      if (series != NULL)
        {
          if (!add_series (writer, vevents, series, dtstamp_utc, error))
            return FALSE;
          continue;
        }

      if (!(vevent = event_to_vevent (writer, event, FALSE, dtstamp_utc, error)))
        return FALSE;
      g_ptr_array_add (vevents, vevent);
    }

  return TRUE;
}

/* Calendar ----------------------------------------------------------------- */

static icalcomponent *
new_vcalendar (void)
{
  icalcomponent *calendar = icalcomponent_new (ICAL_VCALENDAR_COMPONENT);

  icalcomponent_add_property (calendar, icalproperty_new_version ("2.0"));
  icalcomponent_add_property (calendar, icalproperty_new_prodid ("-//CalSync//CalSync " PACKAGE_VERSION "//EN"));
  icalcomponent_add_property (calendar, icalproperty_new_calscale ("GREGORIAN"));
  return calendar;
}

static char *
calendar_to_text (icalcomponent *calendar)
{
  char *text = icalcomponent_as_ical_string_r (calendar);
  char *result = calsync_ical_refold (text);

  icalmemory_free_buffer (text);
  return result;
}

/**
 * calsync_ical_serialize:
 * @events: (element-type CalsyncEvent): the events to write
 * @dtstamp_utc: the DTSTAMP of every VEVENT (seconds since the epoch)
 *
 * A complete VCALENDAR: VERSION, PRODID, CALSCALE, one VTIMEZONE for each
 * zone a time is written in, one VEVENT per event. Timed events are written
 * in their own zone (TZID) or in UTC; all-day events as dates. The instances
 * of a series (recurring event id and original start set) share the series'
 * UID under one master VEVENT. When they keep the series' definition (their
 * recurrence, see calsync-ical-rule.c) the master is that series: its DTSTART
 * in the zone it was written in, DURATION, RRULE, RDATE and EXDATE (plus an
 * EXDATE for each occurrence missing between the first and the last instance
 * at its original time), and only the instances that differ from it follow,
 * each with a RECURRENCE-ID. Otherwise every instance follows, under a master
 * whose DTSTART and RDATEs are their original starts.
 *
 * Returns: (transfer full): the text, or %NULL with @error set
 */
char *
calsync_ical_serialize (GPtrArray  *events,
                        gint64      dtstamp_utc,
                        GError    **error)
{
  g_auto(Writer) writer = { NULL };
  g_autoptr(GPtrArray) vevents = g_ptr_array_new_with_free_func ((GDestroyNotify) icalcomponent_free);
  g_autoptr(icalcomponent) calendar = NULL;
  g_autofree gpointer *stolen = NULL;
  gsize n_stolen = 0;

  g_return_val_if_fail (events != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  calsync_ical_init ();
  writer_init (&writer);

  if (!add_events (&writer, vevents, events, dtstamp_utc, error))
    return NULL;

  /* VTIMEZONEs first: some readers need a zone defined before its use */
  calendar = new_vcalendar ();
  for (guint i = 0; i < writer.zone_ids->len; i++)
    {
      const char *tzid = g_ptr_array_index (writer.zone_ids, i);

      icalcomponent_add_component (calendar,
                                   calsync_ical_new_vtimezone (tzid, g_hash_table_lookup (writer.zones, tzid)));
    }

  stolen = g_ptr_array_steal (vevents, &n_stolen);
  for (gsize i = 0; i < n_stolen; i++)
    icalcomponent_add_component (calendar, stolen[i]);

  return calendar_to_text (calendar);
}

static int
file_error_to_errno (int code)
{
  static const struct { GFileError code; int errnum; } map[] = {
    { G_FILE_ERROR_NOENT, ENOENT }, { G_FILE_ERROR_ACCES, EACCES }, { G_FILE_ERROR_PERM, EPERM },
    { G_FILE_ERROR_ISDIR, EISDIR }, { G_FILE_ERROR_NOTDIR, ENOTDIR }, { G_FILE_ERROR_NOSPC, ENOSPC },
    { G_FILE_ERROR_ROFS, EROFS }, { G_FILE_ERROR_NAMETOOLONG, ENAMETOOLONG },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (map[i].code == (GFileError) code)
      return map[i].errnum;

  return 0;
}

/* GLib's message names the temporary file; ours names the file people chose */
static void
set_write_error (GError     **error,
                 const char  *path,
                 GError      *file_error)
{
  g_autofree char *display = g_filename_display_name (path);
  int errnum = file_error->domain == G_FILE_ERROR ? file_error_to_errno (file_error->code) : 0;

  /* Translators: the first %s is a file name, the second why it failed */
  g_set_error (error, file_error->domain, file_error->code, _("Could not write “%s”: %s"),
               display, errnum != 0 ? g_strerror (errnum) : file_error->message);
}

/**
 * calsync_ical_write_file:
 * @path: the file to write
 * @events: (element-type CalsyncEvent): the events to write
 *
 * Writes calsync_ical_serialize() output, stamped now, atomically: a
 * temporary file in the same folder renamed over @path, so readers see the
 * old file or the new one, never a part. The mode is 0666 less the umask, as
 * for any document (0644 usually).
 *
 * Returns: %TRUE on success; %FALSE with @error set (%G_FILE_ERROR for the
 *   file, %CALSYNC_ICAL_ERROR for an event), and @path untouched
 */
gboolean
calsync_ical_write_file (const char  *path,
                         GPtrArray   *events,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (events != NULL, FALSE);

  if (!(text = calsync_ical_serialize (events, g_get_real_time () / G_USEC_PER_SEC, error)))
    return FALSE;

  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0666, &local_error))
    {
      set_write_error (error, path, local_error);
      return FALSE;
    }

  return TRUE;
}
