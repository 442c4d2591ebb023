/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-outlook-recurrence.c: an iCalendar series (RFC 5545 RRULE, EXDATE,
 * RDATE, overrides) as Microsoft Graph stores one: a patternedRecurrence
 * ("patternedRecurrence resource type", "recurrencePattern resource type",
 * "recurrenceRange resource type").
 *
 * A pattern is daily, weekly, absoluteMonthly, relativeMonthly,
 * absoluteYearly or relativeYearly, with interval (required), daysOfWeek
 * (weekly and the relative ones), firstDayOfWeek (weekly; Graph's default is
 * sunday, RFC 5545's WKST monday: always sent), dayOfMonth (the absolute
 * ones), index first…fourth or last (the relative ones) and month (the yearly
 * ones). A range is endDate (an inclusive date: RFC 5545's UNTIL seen in the
 * event's zone), numbered (COUNT) or noEnd, always with startDate (the date of
 * the first instance) and recurrenceTimeZone.
 *
 * What Graph has no pattern for is refused with the reason, never sent
 * approximated: sub-daily frequencies, times of day (BYHOUR, BYMINUTE,
 * BYSECOND), several days of the month, days counted from the month's end,
 * days or weeks of the year, several months, every such weekday of a month,
 * the fifth weekday, extra dates (RDATE), exception rules (EXRULE), several
 * rules. */
#define G_LOG_DOMAIN "calsync-outlook-write"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <libical/ical.h>

#include "calsync-ical.h"
#include "calsync-outlook-private.h"
#include "calsync-text.h"

static const char * const graph_days[] = {
  NULL, "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

static const char *
first_day (const struct icalrecurrencetype *rule)
{
  /* RFC 5545: WKST defaults to MO (Graph's own default is sunday) */
  return graph_days[rule->week_start >= ICAL_SUNDAY_WEEKDAY && rule->week_start <= ICAL_SATURDAY_WEEKDAY
                    ? rule->week_start : ICAL_MONDAY_WEEKDAY];
}

static guint
n_values (const short *values,
          guint        size)
{
  guint n = 0;

  while (n < size && values[n] != ICAL_RECURRENCE_ARRAY_MAX)
    n++;
  return n;
}

static const char *
graph_index (int position)
{
  switch (position)
    {
    case 1:
      return "first";
    case 2:
      return "second";
    case 3:
      return "third";
    case 4:
      return "fourth";
    case -1:
      return "last";
    default:
      return NULL;
    }
}

/* The weekday of @dt as Graph names it */
static const char *
weekday_of (GDateTime *dt)
{
  /* GLib: 1 Monday … 7 Sunday; the table: 1 Sunday … 7 Saturday */
  return graph_days[g_date_time_get_day_of_week (dt) % 7 + 1];
}

static void
append_days (GString                   *out,
             const struct icalrecurrencetype *rule,
             guint                      n_days)
{
  g_string_append (out, ",\"daysOfWeek\":[");
  for (guint i = 0; i < n_days; i++)
    g_string_append_printf (out, "%s\"%s\"", i ? "," : "",
                            graph_days[icalrecurrencetype_day_day_of_week (rule->by_day[i])]);
  g_string_append_c (out, ']');
}

static gboolean
days_have_positions (const struct icalrecurrencetype *rule,
                     guint                            n_days)
{
  for (guint i = 0; i < n_days; i++)
    if (icalrecurrencetype_day_position (rule->by_day[i]) != 0)
      return TRUE;
  return FALSE;
}

/* The relative patterns' index and daysOfWeek: BYDAY=2TU, or BYDAY=MO,TU…
 * with one BYSETPOS; NULL (with *@reason) when Graph has none */
static gboolean
append_relative (GString                         *out,
                 const struct icalrecurrencetype *rule,
                 guint                            n_days,
                 guint                            n_set_pos,
                 char                           **reason)
{
  const char *index = NULL;

  if (n_set_pos > 1)
    {
      *reason = g_strdup (_("on several positions in the month"));
      return FALSE;
    }
  if (n_set_pos == 1)
    {
      if (days_have_positions (rule, n_days))
        {
          *reason = g_strdup (_("with a rule Outlook has no pattern for"));
          return FALSE;
        }
      index = graph_index (rule->by_set_pos[0]);
    }
  else if (n_days == 1)
    {
      int position = icalrecurrencetype_day_position (rule->by_day[0]);

      if (position == 0)
        {
          *reason = g_strdup (_("on every such weekday of the month"));
          return FALSE;
        }
      index = graph_index (position);
    }
  else
    {
      *reason = g_strdup (days_have_positions (rule, n_days) ? _("on several weekdays of the month")
                                                             : _("on every such weekday of the month"));
      return FALSE;
    }

  if (index == NULL)
    {
      *reason = g_strdup (_("on a fifth weekday, or one counted from the end other than the last"));
      return FALSE;
    }

  g_string_append_printf (out, ",\"index\":\"%s\"", index);
  append_days (out, rule, n_days);
  return TRUE;
}

/* The last date of the range: UNTIL as a date in the event's zone, a day
 * earlier when UNTIL comes before that day's instance (Graph's endDate is
 * inclusive) */
static char *
end_date (struct icaltimetype until,
          GDateTime          *first)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) earlier = NULL;

  if (until.is_date)
    return g_strdup_printf ("%04d-%02d-%02d", until.year, until.month, until.day);

  if (icaltime_is_utc (until))
    {
      g_autoptr(GDateTime) utc = g_date_time_new_utc (until.year, until.month, until.day,
                                                      until.hour, until.minute, until.second);

      local = utc != NULL ? g_date_time_to_timezone (utc, g_date_time_get_timezone (first)) : NULL;
    }
  else
    local = g_date_time_new (g_date_time_get_timezone (first), until.year, until.month, until.day,
                             until.hour, until.minute, until.second);
  if (local == NULL)
    return NULL;

  if (g_date_time_get_hour (local) * 3600 + g_date_time_get_minute (local) * 60 + g_date_time_get_second (local) <
      g_date_time_get_hour (first) * 3600 + g_date_time_get_minute (first) * 60 + g_date_time_get_second (first))
    {
      earlier = g_date_time_add_days (local, -1);
      return g_date_time_format (earlier, "%Y-%m-%d");
    }
  return g_date_time_format (local, "%Y-%m-%d");
}

/**
 * calsync_outlook_recurrence_json:
 * @rule: an RRULE value ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=8")
 * @first: the first instance's start, in the event's zone (an all-day event:
 *   its date)
 * @zone_name: the Windows name of the event's zone (recurrenceTimeZone)
 * @reason: (out) (optional): why Graph cannot hold the rule, for people
 *   ("by the hour")
 *
 * Returns: (transfer full) (nullable): the patternedRecurrence as JSON, or
 *   %NULL when Graph has no pattern for the rule
 */
char *
calsync_outlook_recurrence_json (const char  *rule_text,
                                 GDateTime   *first,
                                 const char  *zone_name,
                                 char       **reason)
{
  g_autoptr(GString) out = g_string_new ("{\"pattern\":{\"type\":");
  g_autofree char *why = NULL;
  g_autofree char *start_date = NULL;
  struct icalrecurrencetype rule;
  guint n_days, n_month_days, n_months, n_set_pos;
  int interval;

  g_return_val_if_fail (rule_text != NULL && first != NULL && zone_name != NULL, NULL);

  calsync_ical_init ();
  if (g_ascii_strncasecmp (rule_text, "RRULE:", 6) == 0)
    rule_text += 6;
  rule = icalrecurrencetype_from_string (rule_text);
  n_days = n_values (rule.by_day, ICAL_BY_DAY_SIZE);
  n_month_days = n_values (rule.by_month_day, ICAL_BY_MONTHDAY_SIZE);
  n_months = n_values (rule.by_month, ICAL_BY_MONTH_SIZE);
  n_set_pos = n_values (rule.by_set_pos, ICAL_BY_SETPOS_SIZE);
  interval = rule.interval > 0 ? rule.interval : 1;

  if (rule.freq == ICAL_NO_RECURRENCE)
    why = g_strdup (_("with a rule CalSync cannot read"));
  else if (rule.freq == ICAL_SECONDLY_RECURRENCE || rule.freq == ICAL_MINUTELY_RECURRENCE ||
           rule.freq == ICAL_HOURLY_RECURRENCE)
    why = g_strdup (_("several times a day"));
  else if (n_values (rule.by_hour, ICAL_BY_HOUR_SIZE) > 0 || n_values (rule.by_minute, ICAL_BY_MINUTE_SIZE) > 0 ||
           n_values (rule.by_second, ICAL_BY_SECOND_SIZE) > 0)
    why = g_strdup (_("at several times of day"));
  else if (n_values (rule.by_year_day, ICAL_BY_YEARDAY_SIZE) > 0 ||
           n_values (rule.by_week_no, ICAL_BY_WEEKNO_SIZE) > 0)
    why = g_strdup (_("on days or weeks of the year"));
  else if (n_month_days > 1)
    why = g_strdup (_("on several days of the month"));
  else if (n_month_days == 1 && rule.by_month_day[0] < 1)
    why = g_strdup (_("on a day counted from the end of the month"));
  else if (n_months > 1)
    why = g_strdup (_("in several months of the year"));
  else if (n_month_days == 1 && n_days > 0)
    why = g_strdup (_("on a weekday that must also be a given day of the month"));
  if (why != NULL)
    goto refused;

  switch (rule.freq)
    {
    case ICAL_DAILY_RECURRENCE:
      if (n_months > 0 || n_month_days > 0 || n_set_pos > 0 || (n_days > 0 && interval > 1) ||
          days_have_positions (&rule, n_days))
        {
          why = g_strdup (_("with a rule Outlook has no pattern for"));
          goto refused;
        }
      if (n_days > 0)
        {
          /* Every day, on some weekdays: a weekly pattern */
          g_string_append (out, "\"weekly\",\"interval\":1");
          append_days (out, &rule, n_days);
          g_string_append_printf (out, ",\"firstDayOfWeek\":\"%s\"", first_day (&rule));
        }
      else
        g_string_append_printf (out, "\"daily\",\"interval\":%d", interval);
      break;

    case ICAL_WEEKLY_RECURRENCE:
      if (n_months > 0 || n_month_days > 0 || n_set_pos > 0 || days_have_positions (&rule, n_days))
        {
          why = g_strdup (_("with a rule Outlook has no pattern for"));
          goto refused;
        }
      g_string_append_printf (out, "\"weekly\",\"interval\":%d", interval);
      if (n_days > 0)
        append_days (out, &rule, n_days);
      else
        g_string_append_printf (out, ",\"daysOfWeek\":[\"%s\"]", weekday_of (first));
      g_string_append_printf (out, ",\"firstDayOfWeek\":\"%s\"", first_day (&rule));
      break;

    case ICAL_MONTHLY_RECURRENCE:
      if (n_months > 0)
        {
          why = g_strdup (_("in some months only"));
          goto refused;
        }
      if (n_days > 0)
        {
          g_string_append_printf (out, "\"relativeMonthly\",\"interval\":%d", interval);
          if (!append_relative (out, &rule, n_days, n_set_pos, &why))
            goto refused;
        }
      else if (n_set_pos > 0)
        {
          why = g_strdup (_("with a rule Outlook has no pattern for"));
          goto refused;
        }
      else
        g_string_append_printf (out, "\"absoluteMonthly\",\"interval\":%d,\"dayOfMonth\":%d", interval,
                                n_month_days ? rule.by_month_day[0] : g_date_time_get_day_of_month (first));
      break;

    case ICAL_YEARLY_RECURRENCE:
      {
        int month = n_months ? rule.by_month[0] : g_date_time_get_month (first);

        if (month < 1 || month > 12)
          {
            why = g_strdup (_("with a rule CalSync cannot read"));
            goto refused;
          }
        if (n_days > 0)
          {
            g_string_append_printf (out, "\"relativeYearly\",\"interval\":%d,\"month\":%d", interval, month);
            if (!append_relative (out, &rule, n_days, n_set_pos, &why))
              goto refused;
          }
        else if (n_set_pos > 0)
          {
            why = g_strdup (_("with a rule Outlook has no pattern for"));
            goto refused;
          }
        else
          g_string_append_printf (out, "\"absoluteYearly\",\"interval\":%d,\"month\":%d,\"dayOfMonth\":%d",
                                  interval, month,
                                  n_month_days ? rule.by_month_day[0] : g_date_time_get_day_of_month (first));
        break;
      }

    case ICAL_NO_RECURRENCE:
    case ICAL_SECONDLY_RECURRENCE:
    case ICAL_MINUTELY_RECURRENCE:
    case ICAL_HOURLY_RECURRENCE:
    default:
      why = g_strdup (_("with a rule CalSync cannot read"));
      goto refused;
    }

  start_date = g_date_time_format (first, "%Y-%m-%d");
  g_string_append (out, "},\"range\":{\"type\":");
  if (rule.count > 0)
    g_string_append_printf (out, "\"numbered\",\"numberOfOccurrences\":%d", rule.count);
  else if (!icaltime_is_null_time (rule.until))
    {
      g_autofree char *until = end_date (rule.until, first);

      if (until == NULL)
        {
          why = g_strdup (_("with a rule CalSync cannot read"));
          goto refused;
        }
      if (strcmp (until, start_date) < 0)
        {
          why = g_strdup (_("ending before it starts"));
          goto refused;
        }
      g_string_append (out, "\"endDate\",\"endDate\":");
      calsync_json_append_string (out, until);
    }
  else
    g_string_append (out, "\"noEnd\"");
  g_string_append (out, ",\"startDate\":");
  calsync_json_append_string (out, start_date);
  g_string_append (out, ",\"recurrenceTimeZone\":");
  calsync_json_append_string (out, zone_name);
  g_string_append (out, "}}");

  return g_string_free (g_steal_pointer (&out), FALSE);

refused:
  if (reason != NULL)
    *reason = g_steal_pointer (&why);
  return NULL;
}

/* The series of a file ------------------------------------------------------------------ */

void
calsync_outlook_series_free (CalsyncOutlookSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->recurrence_json);
  g_clear_pointer (&series->start, g_date_time_unref);
  g_clear_pointer (&series->excluded, g_ptr_array_unref);
  g_free (series);
}

/* @time as a date-time in @zone (its TZID's zone, UTC, or @zone for floating
 * ones); NULL for a date */
static GDateTime *
time_in_zone (icalproperty        *prop,
              struct icaltimetype  time,
              GTimeZone           *zone)
{
  icalparameter *param = icalproperty_get_first_parameter (prop, ICAL_TZID_PARAMETER);
  const char *tzid = param != NULL ? icalparameter_get_tzid (param) : NULL;
  g_autoptr(GTimeZone) own = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (time.is_date)
    return NULL;
  if (icaltime_is_utc (time))
    own = g_time_zone_new_utc ();
  else if (tzid != NULL)
    own = g_time_zone_new_identifier (tzid[0] == '/' ? tzid + 1 : tzid);
  dt = g_date_time_new (own != NULL ? own : zone, time.year, time.month, time.day, time.hour, time.minute,
                        time.second);
  return dt != NULL ? g_date_time_to_timezone (dt, zone) : NULL;
}

/* The date an instance (EXDATE, RECURRENCE-ID) is on in @zone */
static char *
local_date (icalproperty        *prop,
            struct icaltimetype  time,
            GTimeZone           *zone)
{
  g_autoptr(GDateTime) dt = NULL;

  if (time.is_date)
    return g_strdup_printf ("%04d-%02d-%02d", time.year, time.month, time.day);
  if ((dt = time_in_zone (prop, time, zone)) == NULL)
    return NULL;
  return g_date_time_format (dt, "%Y-%m-%d");
}

/* Whether @time (an RDATE) is the series' start */
static gboolean
is_start (icalproperty        *prop,
          struct icaltimetype  time,
          GDateTime           *start,
          gboolean             all_day,
          GTimeZone           *zone)
{
  g_autoptr(GDateTime) dt = NULL;

  if (start == NULL)
    return FALSE;
  if (time.is_date || all_day)
    return time.year == g_date_time_get_year (start) && time.month == g_date_time_get_month (start) &&
           time.day == g_date_time_get_day_of_month (start);
  return (dt = time_in_zone (prop, time, zone)) != NULL && g_date_time_equal (dt, start);
}

static gboolean
is_cancelled (icalcomponent *vevent)
{
  icalproperty *status = icalcomponent_get_first_property (vevent, ICAL_STATUS_PROPERTY);

  return status != NULL && icalproperty_get_status (status) == ICAL_STATUS_CANCELLED;
}

/**
 * calsync_outlook_series_from_ics:
 * @ics: a series as iCalendar (CalsyncWrite's resource_text)
 * @first: the series' first instance as stored (its zone, length, all-day)
 * @zone: the zone Graph is told the event is in (its times, recurrenceTimeZone)
 * @zone_name: its Windows name
 * @reason: (out): why Graph cannot hold the series, for people
 *
 * Returns: (transfer full) (nullable): what is sent of the series: its
 *   patternedRecurrence (%NULL when the text has no rule: overrides only), its
 *   first start (DTSTART, in @zone), the dates of the instances it leaves out
 *   (EXDATE, cancelled overrides) and how many overrides it has; %NULL with
 *   *@reason when Graph cannot hold it
 */
CalsyncOutlookSeries *
calsync_outlook_series_from_ics (const char    *ics,
                                 CalsyncEvent  *first,
                                 GTimeZone     *zone,
                                 const char    *zone_name,
                                 char         **reason)
{
  g_autoptr(CalsyncOutlookSeries) series = g_new0 (CalsyncOutlookSeries, 1);
  icalcomponent *root, *vevent, *master = NULL;
  icalproperty *prop;
  guint n_rules = 0, n_rdates = 0;
  g_autofree char *rule = NULL;
  gboolean all_day = calsync_event_get_all_day (first);

  g_return_val_if_fail (reason != NULL, NULL);

  calsync_ical_init ();
  series->excluded = g_ptr_array_new_with_free_func (g_free);
  if (ics == NULL || (root = icalparser_parse_string (ics)) == NULL)
    return g_steal_pointer (&series);

  vevent = icalcomponent_isa (root) == ICAL_VEVENT_COMPONENT
           ? root : icalcomponent_get_first_component (root, ICAL_VEVENT_COMPONENT);
  for (; vevent != NULL; vevent = icalcomponent_get_next_component (root, ICAL_VEVENT_COMPONENT))
    {
      icalproperty *rid = icalcomponent_get_first_property (vevent, ICAL_RECURRENCEID_PROPERTY);

      if (rid == NULL)
        {
          if (master == NULL)
            master = vevent;
        }
      else if (is_cancelled (vevent))
        {
          char *date = local_date (rid, icalproperty_get_recurrenceid (rid), zone);

          if (date != NULL)
            g_ptr_array_add (series->excluded, date);
        }
      else
        series->n_overrides++;
      if (vevent == root)
        break;
    }

  if (master != NULL)
    {
      for (prop = icalcomponent_get_first_property (master, ICAL_ANY_PROPERTY); prop != NULL;
           prop = icalcomponent_get_next_property (master, ICAL_ANY_PROPERTY))
        {
          switch (icalproperty_isa (prop))
            {
            case ICAL_RRULE_PROPERTY:
              n_rules++;
              g_free (rule);
              rule = g_strdup (icalproperty_get_value_as_string (prop));
              break;
            case ICAL_RDATE_PROPERTY:
              /* Judged once DTSTART is known */
              n_rdates++;
              break;
            case ICAL_EXRULE_PROPERTY:
              if (*reason == NULL)
                *reason = g_strdup (_("with an exception rule (EXRULE)"));
              break;
            case ICAL_EXDATE_PROPERTY:
              {
                char *date = local_date (prop, icalproperty_get_exdate (prop), zone);

                if (date != NULL)
                  g_ptr_array_add (series->excluded, date);
                break;
              }
            case ICAL_DTSTART_PROPERTY:
              {
                struct icaltimetype dtstart = icalproperty_get_dtstart (prop);

                if (all_day && dtstart.is_date)
                  series->start = g_date_time_new_utc (dtstart.year, dtstart.month, dtstart.day, 0, 0, 0);
                else if (!all_day)
                  series->start = time_in_zone (prop, dtstart, zone);
                break;
              }
            default:
              break;
            }
        }
      if (n_rules > 1 && *reason == NULL)
        *reason = g_strdup (_("by several rules"));
      /* A date besides DTSTART: no pattern holds it. (An RDATE of DTSTART
       * itself is how a series of one instance is written.) */
      for (prop = icalcomponent_get_first_property (master, ICAL_RDATE_PROPERTY); n_rdates > 0 && prop != NULL;
           prop = icalcomponent_get_next_property (master, ICAL_RDATE_PROPERTY))
        if (!is_start (prop, icalproperty_get_rdate (prop).time, series->start, all_day, zone) && *reason == NULL)
          *reason = g_strdup (_("on extra dates (RDATE)"));
    }
  icalcomponent_free (root);

  if (*reason != NULL)
    return NULL;
  if (rule != NULL)
    {
      if (series->start == NULL)
        {
          /* No DTSTART CalSync could place: the first instance stored */
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (calsync_event_get_start (first));

          if (all_day)
            {
              int y = 1970, m = 1, d = 1;

              sscanf (calsync_event_get_start_date (first) ? calsync_event_get_start_date (first) : "",
                      "%4d-%2d-%2d", &y, &m, &d);
              series->start = g_date_time_new_utc (y, m, d, 0, 0, 0);
            }
          else
            series->start = g_date_time_to_timezone (utc, zone);
        }
      if (series->start == NULL ||
          (series->recurrence_json = calsync_outlook_recurrence_json (rule, series->start, zone_name,
                                                                      reason)) == NULL)
        {
          if (*reason == NULL)
            *reason = g_strdup (_("with a rule CalSync cannot read"));
          return NULL;
        }
    }
  else
    g_clear_pointer (&series->start, g_date_time_unref);

  return g_steal_pointer (&series);
}
