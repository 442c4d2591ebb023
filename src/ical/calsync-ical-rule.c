/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-rule.c: the definition of a series, kept on its instances.
 *
 * Reading expands a series into the instances inside a window; each one keeps
 * the series' definition in its recurrence field, as RFC 5545 content lines
 * joined by "\n" (the form Google's provider gives its "recurrence" array,
 * which has the RRULE, EXDATE and RDATE lines only):
 *
 *   DTSTART;TZID=Europe/Berlin:20260105T090000   DTSTART;VALUE=DATE:20260105, DTSTART:20260105T080000Z
 *   DURATION:PT1H                                 DTEND;VALUE=DATE:20260106 for all-day series
 *   RRULE:FREQ=WEEKLY;BYDAY=MO
 *   EXDATE;TZID=Europe/Berlin:20260112T090000     one value a line, on the clock of DTSTART
 *   RDATE;TZID=Europe/Berlin:20260114T090000
 *
 * and an instance the file gave a VEVENT of its own (an override) also
 *
 *   RECURRENCE-ID;TZID=Europe/Berlin:20260119T090000
 *
 * Times are on the clock of the zone the series was written in (its IANA id),
 * in UTC for a series in UTC, dates for all-day ones; a DTEND becomes the
 * exact DURATION it means for the occurrences. Writing turns the instances
 * back into that master (calsync-ical-master.c). */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <libical/ical.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"

/* Reading: the definition kept on each instance ------------------------------- */

static void
append_date (GString             *text,
             const char          *name,
             struct icaltimetype  date)
{
  g_string_append_printf (text, "%s;VALUE=DATE:%04d%02d%02d\n", name, date.year, date.month, date.day);
}

/* @local, a wall-clock time in @zone: with its TZID, or in UTC for UTC
 * (whose wall clock may be a zone without an id of its own) */
static void
append_local (GString             *text,
              const char          *name,
              Zone                *zone,
              struct icaltimetype  local)
{
  struct icaltimetype t = local;

  if (g_str_equal (zone->id, "UTC"))
    {
      t = calsync_ical_unix_to_fields (calsync_ical_zone_to_utc (zone, local));
      g_string_append_printf (text, "%s:%04d%02d%02dT%02d%02d%02dZ\n", name,
                              t.year, t.month, t.day, t.hour, t.minute, t.second);
    }
  else
    g_string_append_printf (text, "%s;TZID=%s:%04d%02d%02dT%02d%02d%02d\n", name, zone->id,
                            t.year, t.month, t.day, t.hour, t.minute, t.second);
}

/* An exact duration in hours, minutes and seconds: days would be nominal */
static void
append_exact_duration (GString *text,
                       gint64   seconds)
{
  g_string_append (text, "DURATION:PT");
  if (seconds >= 3600)
    g_string_append_printf (text, "%" G_GINT64_FORMAT "H", seconds / 3600);
  if (seconds % 3600 >= 60)
    g_string_append_printf (text, "%" G_GINT64_FORMAT "M", seconds % 3600 / 60);
  if (seconds % 60 != 0 || seconds == 0)
    g_string_append_printf (text, "%" G_GINT64_FORMAT "S", seconds % 60);
  g_string_append_c (text, '\n');
}

static void
append_times (GString          *text,
              const EventTimes *times)
{
  struct icaltimetype end = times->start;
  char *duration;

  if (times->all_day)
    {
      append_date (text, "DTSTART", times->start);
      icaltime_adjust (&end, times->days, 0, 0, 0);
      append_date (text, "DTEND", end);
      return;
    }

  append_local (text, "DTSTART", times->zone, times->start);
  if (!times->nominal)
    {
      append_exact_duration (text, times->end_utc - times->start_utc);
      return;
    }

  duration = icaldurationtype_as_ical_string_r (times->duration);
  g_string_append_printf (text, "DURATION:%s\n", duration);
  icalmemory_free_buffer (duration);
}

static void
append_rules (GString   *text,
              GArray    *rules)
{
  for (guint i = 0; i < rules->len; i++)
    {
      struct icalrecurrencetype rule = g_array_index (rules, Rule, i).rule;
      char *value = icalrecurrencetype_as_string_r (&rule);

      if (value != NULL)
        g_string_append_printf (text, "RRULE:%s\n", value);
      icalmemory_free_buffer (value);
    }
}

/* An EXDATE or RDATE on the series' clock, as the expansion reads it */
static gboolean
append_value (GString          *text,
              const char       *name,
              Parser           *self,
              const EventTimes *times,
              const TimeValue  *value)
{
  struct icaltimetype t = value->time;
  Zone *zone;

  /* A date, or the date of a date-time in an all-day series */
  if (t.is_date || times->all_day)
    {
      append_date (text, name, t);
      return TRUE;
    }

  /* Floating: on the series' own clock */
  zone = (value->tzid == NULL && !icaltime_is_utc (t)) ? times->zone : calsync_ical_value_zone (self, value, NULL);
  if (zone == NULL)
    return FALSE;

  t.zone = NULL;
  if (zone != times->zone)
    t = calsync_ical_zone_from_utc (times->zone, calsync_ical_zone_to_utc (zone, t));
  append_local (text, name, times->zone, t);
  return TRUE;
}

static gboolean
append_values (GString          *text,
               const char       *name,
               Parser           *self,
               const EventTimes *times,
               GArray           *values)
{
  for (guint i = 0; i < values->len; i++)
    if (!append_value (text, name, self, times, &g_array_index (values, TimeValue, i)))
      return FALSE;

  return TRUE;
}

static char *
series_definition (Parser           *self,
                   const EventInfo  *master,
                   const EventTimes *times)
{
  g_autoptr(GString) text = g_string_new (NULL);

  append_times (text, times);
  append_rules (text, master->rrules);
  if (!append_values (text, "EXDATE", self, times, master->exdates) ||
      !append_values (text, "RDATE", self, times, master->rdates))
    return NULL;

  g_string_truncate (text, text->len - 1);   /* the last "\n" */
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The definition and the RECURRENCE-ID of an override, from its original start */
static char *
override_definition (const char       *definition,
                     const EventTimes *times,
                     CalsyncEvent     *event)
{
  const char *original = calsync_event_get_original_start (event);
  g_autoptr(GString) text = g_string_new (definition);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) instant = NULL;
  struct icaltimetype date;

  g_string_append_c (text, '\n');
  if (times->all_day && calsync_ical_parse_date (original, &date))
    append_date (text, "RECURRENCE-ID", date);
  else if (!times->all_day && (instant = g_date_time_new_from_iso8601 (original, utc)))
    append_local (text, "RECURRENCE-ID", times->zone,
                  calsync_ical_zone_from_utc (times->zone, g_date_time_to_unix (instant)));
  else
    return g_strdup (definition);

  g_string_truncate (text, text->len - 1);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * calsync_ical_keep_definition:
 * @master: the VEVENT that defines the series
 * @times: its times
 * @first: the first of the series' instances in the results
 * @overrides: the first of them made by an override (the others follow it)
 *
 * Sets the series' definition (see the top of this file) as the recurrence
 * of its instances, results @first to the end.
 */
void
calsync_ical_keep_definition (Parser           *self,
                              const EventInfo  *master,
                              const EventTimes *times,
                              guint             first,
                              guint             overrides)
{
  g_autofree char *definition = series_definition (self, master, times);

  if (definition == NULL)
    return;

  for (guint i = first; i < self->results->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (self->results, i);
      g_autofree char *marked = NULL;

      if (i < overrides)
        calsync_event_set_recurrence (event, definition);
      else
        {
          marked = override_definition (definition, times, event);
          calsync_event_set_recurrence (event, marked);
        }
    }
}
