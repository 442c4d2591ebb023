/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-master.c: the instances of a series written back as its master.
 *
 * Instances that keep their series' definition (calsync-ical-rule.c) become
 * that master: the lines become its DTSTART, DURATION, RRULE, RDATE and EXDATE
 * (a definition without DTSTART, as Google gives it, is anchored at the
 * earliest instance, when the rule has no COUNT and makes every instance from
 * there). The master is then read back with calsync_ical_parse() over the span
 * of the instances, so that what is written is what readers get: occurrences
 * missing between the first and the last instance at its original time
 * (deleted, cancelled) become EXDATEs, instances the rule does not make become
 * RDATEs, and the instances that differ from what the master makes (moved,
 * retitled) are its overrides. Occurrences outside that span are left to the
 * rule: the series goes on past what was exported. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <string.h>

#include <libical/ical.h>

#include "calsync-date-utils.h"
#include "calsync-ical.h"
#include "calsync-ical-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (icalcomponent, icalcomponent_free)

/* One instance, by its original start */
typedef struct
{
  CalsyncEvent *event;   /* borrowed */
  gint64 key;            /* original start: seconds since the epoch, or a day number for dates */
  gboolean cancelled;
} Instance;

typedef struct
{
  GArray *instances;        /* Instance, by original start */
  gboolean all_day;
  icalcomponent *master;    /* DTSTART, DTEND or DURATION, RRULE, RDATE, EXDATE */
  icaltimezone *zone;       /* of DTSTART: libical's built-in zone; NULL for UTC and dates */
  const char *tzid;
  GHashTable *present;      /* keys of the instances not cancelled */
  GHashTable *cancelled;    /* keys of the cancelled ones */
  GHashTable *generated;    /* key → CalsyncEvent: what the master makes over their span */
} Planner;

static void
planner_clear (Planner *planner)
{
  g_clear_pointer (&planner->instances, g_array_unref);
  g_clear_pointer (&planner->master, icalcomponent_free);
  g_clear_pointer (&planner->present, g_hash_table_unref);
  g_clear_pointer (&planner->cancelled, g_hash_table_unref);
  g_clear_pointer (&planner->generated, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Planner, planner_clear)

static gboolean
original_key (CalsyncEvent *event,
              gboolean     *is_date,
              gint64       *key)
{
  const char *text = calsync_event_get_original_start (event);
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) instant = NULL;
  struct icaltimetype date;

  if (text == NULL)
    return FALSE;

  if ((*is_date = calsync_ical_parse_date (text, &date)))
    {
      *key = calsync_ical_date_key (date);
      return TRUE;
    }

  utc = g_time_zone_new_utc ();
  if (!(instant = g_date_time_new_from_iso8601 (text, utc)))
    return FALSE;

  *key = g_date_time_to_unix (instant);
  return TRUE;
}

static int
compare_instances (gconstpointer a,
                   gconstpointer b)
{
  gint64 ka = ((const Instance *) a)->key;
  gint64 kb = ((const Instance *) b)->key;

  return (ka > kb) - (ka < kb);
}

static GHashTable *
key_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/* The instances by original start; FALSE when dates and instants are mixed */
static gboolean
collect_instances (Planner   *planner,
                   GPtrArray *events)
{
  planner->instances = g_array_sized_new (FALSE, FALSE, sizeof (Instance), events->len);
  planner->present = key_set_new ();
  planner->cancelled = key_set_new ();

  for (guint i = 0; i < events->len; i++)
    {
      Instance instance = { g_ptr_array_index (events, i) };
      gboolean is_date;

      if (!original_key (instance.event, &is_date, &instance.key))
        return FALSE;
      if (i == 0)
        planner->all_day = is_date;
      else if (is_date != planner->all_day)
        return FALSE;

      instance.cancelled = calsync_event_get_status (instance.event) == CALSYNC_EVENT_STATUS_CANCELLED;
      g_hash_table_add (instance.cancelled ? planner->cancelled : planner->present,
                        g_memdup2 (&instance.key, sizeof instance.key));
      g_array_append_val (planner->instances, instance);
    }

  g_array_sort (planner->instances, compare_instances);
  return planner->instances->len > 0;
}

static Instance *
nth_instance (Planner *planner,
              guint    i)
{
  return &g_array_index (planner->instances, Instance, i);
}

/* Whether the content line @name is among the lines of @text */
static gboolean
has_line (const char *text,
          const char *name)
{
  gsize length = strlen (name);

  for (const char *line = text; line != NULL; line = strchr (line, '\n'))
    {
      if (*line == '\n')
        line++;
      if (g_ascii_strncasecmp (line, name, length) == 0 && (line[length] == ':' || line[length] == ';'))
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_override (CalsyncEvent *event)
{
  const char *recurrence = calsync_event_get_recurrence (event);

  return recurrence != NULL && has_line (recurrence, "RECURRENCE-ID");
}

/* The definition of the series: an instance's that is no override, else any */
static const char *
definition_text (Planner *planner)
{
  const char *found = NULL;

  for (guint i = 0; i < planner->instances->len; i++)
    {
      CalsyncEvent *event = nth_instance (planner, i)->event;
      const char *recurrence = calsync_event_get_recurrence (event);

      if (recurrence == NULL || *recurrence == '\0')
        continue;
      if (!is_override (event))
        return recurrence;
      if (found == NULL)
        found = recurrence;
    }

  return found;
}

static gboolean
is_definition_line (const char *line)
{
  static const char * const names[] = { "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (has_line (line, names[i]))
      return TRUE;

  return FALSE;
}

static guint
count_properties (icalcomponent     *component,
                  icalproperty_kind  kind)
{
  return (guint) icalcomponent_count_properties (component, kind);
}

/* The lines that define the series, as a VEVENT; NULL when libical cannot
 * read one, or they make no series */
static icalcomponent *
parse_definition (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) vevent = g_string_new ("BEGIN:VEVENT\r\n");
  g_autoptr(icalcomponent) master = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strdelimit (lines[i], "\r", ' ');
      g_strstrip (lines[i]);
      if (is_definition_line (lines[i]))
        g_string_append_printf (vevent, "%s\r\n", lines[i]);
    }
  g_string_append (vevent, "END:VEVENT\r\n");

  master = icalcomponent_new_from_string (vevent->str);
  icalerror_clear_errno ();
  if (master == NULL || icalcomponent_isa (master) != ICAL_VEVENT_COMPONENT ||
      icalcomponent_count_errors (master) > 0 ||
      count_properties (master, ICAL_DTSTART_PROPERTY) > 1 ||
      count_properties (master, ICAL_DTEND_PROPERTY) + count_properties (master, ICAL_DURATION_PROPERTY) > 1 ||
      count_properties (master, ICAL_RRULE_PROPERTY) + count_properties (master, ICAL_RDATE_PROPERTY) == 0)
    return NULL;

  return g_steal_pointer (&master);
}

static const char *
property_tzid (icalproperty *property)
{
  icalparameter *param = icalproperty_get_first_parameter (property, ICAL_TZID_PARAMETER);

  return param != NULL ? icalparameter_get_tzid (param) : NULL;
}

static struct icaltimetype
property_time (icalproperty *property)
{
  icalvalue *value = icalproperty_get_value (property);

  if (icalproperty_isa (property) == ICAL_RDATE_PROPERTY)
    return icalvalue_get_datetimeperiod (value).time;
  return icalvalue_get_datetime (value);
}

/* Every time is a date, in UTC, or in a zone libical has (its VTIMEZONE gets
 * written): a floating time would move with the reader's zone */
static gboolean
zones_are_known (icalcomponent *master)
{
  for (icalproperty *p = icalcomponent_get_first_property (master, ICAL_ANY_PROPERTY); p != NULL;
       p = icalcomponent_get_next_property (master, ICAL_ANY_PROPERTY))
    {
      icalproperty_kind kind = icalproperty_isa (p);
      const char *tzid = property_tzid (p);
      struct icaltimetype t;

      if (kind != ICAL_DTSTART_PROPERTY && kind != ICAL_DTEND_PROPERTY &&
          kind != ICAL_RDATE_PROPERTY && kind != ICAL_EXDATE_PROPERTY)
        continue;

      t = property_time (p);
      if (icaltime_is_null_time (t) || (tzid != NULL && calsync_ical_builtin_zone (tzid) == NULL) ||
          (tzid == NULL && !t.is_date && !icaltime_is_utc (t)))
        return FALSE;
    }

  return TRUE;
}

static void
use_dtstart_zone (Planner *planner)
{
  icalproperty *dtstart = icalcomponent_get_first_property (planner->master, ICAL_DTSTART_PROPERTY);

  planner->tzid = property_tzid (dtstart);
  planner->zone = calsync_ical_builtin_zone (planner->tzid);
}

/* Times at @key the way DTSTART is written: dates, wall-clock times with its
 * TZID (UTC for a wall time that occurs twice), or UTC */
static icalproperty *
new_time_property (Planner           *planner,
                   icalproperty_kind  kind,
                   gint64             key)
{
  struct icaltimetype t;
  icalproperty *property;
  gboolean zoned = FALSE;

  if (planner->all_day)
    {
      t = calsync_ical_unix_to_fields (key * 86400);
      t.is_date = 1;
      t.hour = t.minute = t.second = 0;
    }
  else if (!(zoned = planner->zone != NULL && calsync_ical_wall_time (key, planner->zone, &t)))
    t = icaltime_from_timet_with_zone ((time_t) key, FALSE, icaltimezone_get_utc_timezone ());

  switch (kind)
    {
    case ICAL_DTSTART_PROPERTY:
      property = icalproperty_new_dtstart (t);
      break;
    case ICAL_DTEND_PROPERTY:
      property = icalproperty_new_dtend (t);
      break;
    case ICAL_RDATE_PROPERTY:
      property = icalproperty_new_rdate ((struct icaldatetimeperiodtype) { t, icalperiodtype_null_period () });
      break;
    case ICAL_EXDATE_PROPERTY:
    default:
      property = icalproperty_new_exdate (t);
      break;
    }

  if (zoned)
    icalproperty_add_parameter (property, icalparameter_new_tzid (planner->tzid));
  return property;
}

static gboolean
has_count (icalcomponent *master)
{
  for (icalproperty *p = icalcomponent_get_first_property (master, ICAL_RRULE_PROPERTY); p != NULL;
       p = icalcomponent_get_next_property (master, ICAL_RRULE_PROPERTY))
    if (icalproperty_get_rrule (p).count > 0)
      return TRUE;

  return FALSE;
}

/* Whether @instance starts at its original start */
static gboolean
is_unmoved (const Instance *instance,
            gboolean        all_day)
{
  gint64 day;

  if (instance->cancelled)
    return FALSE;
  if (!all_day)
    return calsync_event_get_start (instance->event) == instance->key;

  return calsync_date_parse_day (calsync_event_get_start_date (instance->event), &day) && day == instance->key;
}

static Instance *
first_unmoved (Planner *planner)
{
  for (guint i = 0; i < planner->instances->len; i++)
    if (is_unmoved (nth_instance (planner, i), planner->all_day))
      return nth_instance (planner, i);

  return NULL;
}

/* An exact duration: hours, minutes and seconds (days would be nominal) */
static struct icaldurationtype
exact_duration (gint64 seconds)
{
  struct icaldurationtype duration = icaldurationtype_null_duration ();

  seconds = CLAMP (seconds, 0, (gint64) MAX_DURATION_DAYS * 86400);
  duration.hours = (unsigned int) (seconds / 3600);
  duration.minutes = (unsigned int) (seconds % 3600 / 60);
  duration.seconds = (unsigned int) (seconds % 60);
  return duration;
}

static const char *
anchor_tzid (Planner      *planner,
             CalsyncEvent *event)
{
  for (icalproperty *p = icalcomponent_get_first_property (planner->master, ICAL_ANY_PROPERTY); p != NULL;
       p = icalcomponent_get_next_property (planner->master, ICAL_ANY_PROPERTY))
    if (property_tzid (p) != NULL)
      return property_tzid (p);

  return calsync_ical_builtin_zone (calsync_event_get_time_zone (event)) ? calsync_event_get_time_zone (event) : NULL;
}

/* A definition without DTSTART (Google's lines) starts at the earliest
 * instance, in the zone its lines or its instances are in, and lasts as long
 * as the first instance at its original time. A COUNT would then count from
 * the wrong occurrence. */
static gboolean
anchor_definition (Planner *planner)
{
  Instance *earliest = nth_instance (planner, 0);
  Instance *unmoved = first_unmoved (planner);
  CalsyncEvent *event;
  struct icaltimetype wall;
  gint64 length;

  if (has_count (planner->master) || unmoved == NULL ||
      count_properties (planner->master, ICAL_DTEND_PROPERTY) + count_properties (planner->master, ICAL_DURATION_PROPERTY) > 0)
    return FALSE;

  event = unmoved->event;
  planner->tzid = planner->all_day ? NULL : anchor_tzid (planner, event);
  planner->zone = calsync_ical_builtin_zone (planner->tzid);
  if (planner->zone != NULL && !calsync_ical_wall_time (earliest->key, planner->zone, &wall))
    return FALSE;

  icalcomponent_add_property (planner->master, new_time_property (planner, ICAL_DTSTART_PROPERTY, earliest->key));
  if (planner->all_day)
    {
      gint64 start_day, end_day;

      if (!calsync_date_parse_day (calsync_event_get_start_date (event), &start_day) ||
          !calsync_date_parse_day (calsync_event_get_end_date (event), &end_day))
        return FALSE;
      icalcomponent_add_property (planner->master, new_time_property (planner, ICAL_DTEND_PROPERTY,
                                                                      earliest->key + MAX (end_day - start_day, 1)));
      return TRUE;
    }

  length = calsync_event_get_end (event) - calsync_event_get_start (event);
  icalcomponent_add_property (planner->master, icalproperty_new_duration (exact_duration (length)));
  return TRUE;
}

/* Reading the master back ------------------------------------------------------ */

/* The master alone in a calendar, as the writer folds it */
static char *
master_text (Planner *planner)
{
  g_autoptr(icalcomponent) calendar = icalcomponent_new (ICAL_VCALENDAR_COMPONENT);
  icalcomponent *vevent = icalcomponent_new_clone (planner->master);
  char *raw, *text;

  icalcomponent_add_property (calendar, icalproperty_new_version ("2.0"));
  icalcomponent_add_property (calendar, icalproperty_new_prodid ("-//CalSync//Series check//EN"));
  icalcomponent_add_property (vevent, icalproperty_new_uid ("calsync-series"));
  icalcomponent_add_component (calendar, vevent);

  raw = icalcomponent_as_ical_string_r (calendar);
  text = calsync_ical_refold (raw);
  icalmemory_free_buffer (raw);
  return text;
}

/* What readers make of the master over the span of the instances: key →
 * CalsyncEvent; NULL when CalSync's own reader refuses it */
static GHashTable *
expand_master (Planner *planner)
{
  g_autofree char *text = master_text (planner);
  gint64 first = nth_instance (planner, 0)->key;
  gint64 last = nth_instance (planner, planner->instances->len - 1)->key;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *generated;

  events = planner->all_day ? calsync_ical_parse (text, -1, first * 86400, (last + 1) * 86400, &error)
                            : calsync_ical_parse (text, -1, first, last + 1, &error);
  if (events == NULL)
    {
      g_debug ("A series definition does not read back: %s", error->message);
      return NULL;
    }

  generated = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      gboolean is_date;
      gint64 key;

      if (original_key (event, &is_date, &key) && is_date == planner->all_day)
        g_hash_table_insert (generated, g_memdup2 (&key, sizeof key), g_object_ref (event));
    }

  return generated;
}

static gint64
time_property_key (icalproperty *property)
{
  struct icaltimetype t = property_time (property);
  const char *tzid = property_tzid (property);

  if (t.is_date)
    return calsync_ical_date_key (t);
  if (tzid != NULL)
    return icaltime_as_timet_with_zone (t, calsync_ical_builtin_zone (tzid));
  return icaltime_as_timet_with_zone (t, icaltimezone_get_utc_timezone ());
}

/* An instance that is there after all: no EXDATE hides it */
static void
remove_exdates (Planner *planner,
                gint64   key)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) icalproperty_free);

  for (icalproperty *p = icalcomponent_get_first_property (planner->master, ICAL_EXDATE_PROPERTY); p != NULL;
       p = icalcomponent_get_next_property (planner->master, ICAL_EXDATE_PROPERTY))
    if (time_property_key (p) == key)
      g_ptr_array_add (found, p);

  for (guint i = 0; i < found->len; i++)
    icalcomponent_remove_property (planner->master, g_ptr_array_index (found, i));
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  gint64 ka = *(const gint64 *) a;
  gint64 kb = *(const gint64 *) b;

  return (ka > kb) - (ka < kb);
}

/* The occurrences between the first and the last instance at its original
 * time that no instance stands for (deleted, cancelled), and those of
 * cancelled instances wherever they are, in order */
static GArray *
missing_occurrences (Planner *planner)
{
  GArray *missing = g_array_new (FALSE, FALSE, sizeof (gint64));
  Instance *first = first_unmoved (planner);
  Instance *last = NULL;
  GHashTableIter iter;
  gpointer key;

  for (guint i = planner->instances->len; first != NULL && last == NULL && i > 0; i--)
    if (is_unmoved (nth_instance (planner, i - 1), planner->all_day))
      last = nth_instance (planner, i - 1);

  g_hash_table_iter_init (&iter, planner->generated);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (planner->present, key) &&
        ((first != NULL && *(gint64 *) key >= first->key && *(gint64 *) key <= last->key) ||
         g_hash_table_contains (planner->cancelled, key)))
      g_array_append_val (missing, *(gint64 *) key);

  g_array_sort (missing, compare_keys);
  return missing;
}

/* The master made to give exactly the instances over their span: RDATEs for
 * those the rule does not make (when re-anchored, a rule that does not make
 * them all is not this series' rule), EXDATEs for the occurrences gone. */
static gboolean
complete_master (Planner  *planner,
                 gboolean  anchored)
{
  g_autoptr(GArray) missing = NULL;

  for (guint i = 0; i < planner->instances->len; i++)
    {
      Instance *instance = nth_instance (planner, i);

      if (instance->cancelled || g_hash_table_contains (planner->generated, &instance->key))
        continue;
      if (anchored)
        return FALSE;

      remove_exdates (planner, instance->key);
      icalcomponent_add_property (planner->master, new_time_property (planner, ICAL_RDATE_PROPERTY, instance->key));
    }

  missing = missing_occurrences (planner);
  for (guint i = 0; i < missing->len; i++)
    icalcomponent_add_property (planner->master,
                                new_time_property (planner, ICAL_EXDATE_PROPERTY, g_array_index (missing, gint64, i)));

  return TRUE;
}

/* Instances and overrides -------------------------------------------------------- */

static gboolean
same_text (const char *a,
           const char *b)
{
  return g_strcmp0 (a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Whether @event starts, ends and is shown as @generated, an occurrence of the master */
static gboolean
same_times (CalsyncEvent *event,
            CalsyncEvent *generated)
{
  if (generated == NULL || calsync_event_get_all_day (event) != calsync_event_get_all_day (generated))
    return FALSE;

  if (calsync_event_get_all_day (event))
    return same_text (calsync_event_get_start_date (event), calsync_event_get_start_date (generated)) &&
           same_text (calsync_event_get_end_date (event), calsync_event_get_end_date (generated));

  return calsync_event_get_start (event) == calsync_event_get_start (generated) &&
         calsync_event_get_end (event) == calsync_event_get_end (generated) &&
         same_text (calsync_event_get_time_zone (event), calsync_event_get_time_zone (generated));
}

/* What the writer puts in a VEVENT besides ids and times */
static gboolean
same_content (CalsyncEvent *a,
              CalsyncEvent *b)
{
  return same_text (calsync_event_get_title (a), calsync_event_get_title (b)) &&
         same_text (calsync_event_get_description (a), calsync_event_get_description (b)) &&
         same_text (calsync_event_get_location (a), calsync_event_get_location (b)) &&
         calsync_event_get_status (a) == calsync_event_get_status (b) &&
         same_text (calsync_event_get_conference_url (a), calsync_event_get_conference_url (b)) &&
         same_text (calsync_event_get_attendees_json (a), calsync_event_get_attendees_json (b));
}

static CalsyncEvent *
generated_at (Planner  *planner,
              Instance *instance)
{
  return g_hash_table_lookup (planner->generated, &instance->key);
}

/* The instance most like the master's own: at the times the master gives it,
 * not an override in the file it came from, not edited here; the earliest
 * such. NULL when every instance is cancelled. */
static CalsyncEvent *
find_template (Planner *planner)
{
  CalsyncEvent *best = NULL;
  int best_score = -1;

  for (guint i = 0; i < planner->instances->len; i++)
    {
      Instance *instance = nth_instance (planner, i);
      int score;

      if (instance->cancelled)
        continue;

      score = same_times (instance->event, generated_at (planner, instance)) * 4 +
              !is_override (instance->event) * 2 + !calsync_event_get_locally_modified (instance->event);
      if (score > best_score)
        {
          best = instance->event;
          best_score = score;
        }
    }

  return best;
}

/* Every instance is one of the master's occurrences, and no occurrence over
 * their span is missing */
static gboolean
master_is_exact (Planner *planner)
{
  g_autoptr(GArray) missing = missing_occurrences (planner);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, planner->present);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (planner->generated, key))
      return FALSE;

  return missing->len == 0;
}

static void
plan_overrides (Planner    *planner,
                SeriesPlan *plan)
{
  plan->overrides = g_ptr_array_new ();

  for (guint i = 0; i < planner->instances->len; i++)
    {
      Instance *instance = nth_instance (planner, i);

      if (!instance->cancelled &&
          (!same_times (instance->event, generated_at (planner, instance)) ||
           !same_content (instance->event, plan->template)))
        g_ptr_array_add (plan->overrides, instance->event);
    }
}

static gboolean
read_definition (Planner   *planner,
                 gboolean  *anchored)
{
  const char *text = definition_text (planner);
  icalproperty *dtstart;

  if (text == NULL || !(planner->master = parse_definition (text)) || !zones_are_known (planner->master))
    return FALSE;

  dtstart = icalcomponent_get_first_property (planner->master, ICAL_DTSTART_PROPERTY);
  if ((*anchored = dtstart == NULL))
    return anchor_definition (planner);

  use_dtstart_zone (planner);
  return (gboolean) icalproperty_get_dtstart (dtstart).is_date == planner->all_day;
}

/**
 * calsync_ical_plan_series:
 * @instances: (element-type CalsyncEvent): the instances of one series
 * @plan: (out caller-allocates): how to write them, when %TRUE
 *
 * The master that makes @instances again (see the top of this file).
 *
 * Returns: %FALSE when their series has no definition this can use, or the
 *   master would not make them: the writer then writes them as they are
 */
gboolean
calsync_ical_plan_series (GPtrArray  *instances,
                          SeriesPlan *plan)
{
  g_auto(Planner) planner = { NULL };
  gboolean anchored = FALSE;

  memset (plan, 0, sizeof *plan);
  if (!collect_instances (&planner, instances) || !read_definition (&planner, &anchored) ||
      !(planner.generated = expand_master (&planner)) || !complete_master (&planner, anchored))
    return FALSE;

  /* Read back once more: what is written is what readers get */
  g_clear_pointer (&planner.generated, g_hash_table_unref);
  if (!(planner.generated = expand_master (&planner)) || !master_is_exact (&planner) ||
      !(plan->template = find_template (&planner)))
    return FALSE;

  plan_overrides (&planner, plan);
  plan->master = g_steal_pointer (&planner.master);
  return TRUE;
}

void
calsync_ical_series_plan_clear (SeriesPlan *plan)
{
  g_clear_pointer (&plan->master, icalcomponent_free);
  g_clear_pointer (&plan->overrides, g_ptr_array_unref);
  plan->template = NULL;
}
