/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-vevent.c: the lines of one VEVENT to a CalsyncEvent's fields.
 *
 * Each property of a VEVENT is read into its EventInfo (text, people, dates
 * with their TZID, RRULE and DURATION through libical's value parsers); its
 * start and end become instants or dates; attendees, conference link, status
 * and type become what the Google provider would have given. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libical/ical.h>
#include <string.h>

#include "calsync-classifier.h"
#include "calsync-ical.h"
#include "calsync-date-utils.h"
#include "calsync-ical-private.h"

/* One VEVENT ----------------------------------------------------------------------- */

static void
attendee_free (Attendee *attendee)
{
  g_free (attendee->email);
  g_free (attendee->name);
  g_free (attendee);
}

static void
time_value_clear (gpointer data)
{
  g_free (((TimeValue *) data)->tzid);
}

static void
rule_clear (gpointer data)
{
  /* RSCALE, the one part libical allocates */
  free (((Rule *) data)->rule.rscale);
}

void
calsync_ical_event_info_init (EventInfo *info,
                              guint      calendar,
                              guint      begin)
{
  memset (info, 0, sizeof *info);
  info->calendar = calendar;
  info->begin = begin;
  info->rrules = g_array_new (FALSE, TRUE, sizeof (Rule));
  g_array_set_clear_func (info->rrules, rule_clear);
  info->rdates = g_array_new (FALSE, TRUE, sizeof (TimeValue));
  g_array_set_clear_func (info->rdates, time_value_clear);
  info->exdates = g_array_new (FALSE, TRUE, sizeof (TimeValue));
  g_array_set_clear_func (info->exdates, time_value_clear);
  info->attendees = g_ptr_array_new_with_free_func ((GDestroyNotify) attendee_free);
}

void
calsync_ical_event_info_clear (gpointer data)
{
  EventInfo *info = data;

  time_value_clear (&info->dtstart);
  time_value_clear (&info->dtend);
  time_value_clear (&info->recurrence_id);
  g_clear_pointer (&info->rrules, g_array_unref);
  g_clear_pointer (&info->rdates, g_array_unref);
  g_clear_pointer (&info->exdates, g_array_unref);
  g_free (info->uid);
  g_clear_error (&info->problem);
  g_free (info->summary);
  g_free (info->description);
  g_free (info->location);
  g_free (info->url);
  g_free (info->conference);
  g_free (info->google_conference);
  g_free (info->teams_url);
  g_clear_pointer (&info->attendees, g_ptr_array_unref);
  g_clear_pointer (&info->organizer, attendee_free);
  g_free (info->attendees_json);
  g_free (info->conference_url);
}

/* Properties of a VEVENT ------------------------------------------------------ */

/* PARTSTAT and the Google provider's responseStatus; anything else is NEEDS-ACTION */
static const struct
{
  const char *partstat;
  icalparameter_partstat kind;
  const char *response;
} partstats[] = {
  { "ACCEPTED", ICAL_PARTSTAT_ACCEPTED, "accepted" },
  { "DECLINED", ICAL_PARTSTAT_DECLINED, "declined" },
  { "TENTATIVE", ICAL_PARTSTAT_TENTATIVE, "tentative" },
};

const char *
calsync_ical_partstat_to_response (const char *partstat)
{
  for (guint i = 0; partstat != NULL && i < G_N_ELEMENTS (partstats); i++)
    if (g_ascii_strcasecmp (partstat, partstats[i].partstat) == 0)
      return partstats[i].response;

  return "needsAction";
}

icalparameter_partstat
calsync_ical_response_to_partstat (const char *response)
{
  for (guint i = 0; response != NULL && i < G_N_ELEMENTS (partstats); i++)
    if (g_str_equal (response, partstats[i].response))
      return partstats[i].kind;

  return ICAL_PARTSTAT_NEEDSACTION;
}

/* TEXT values (RFC 5545 3.3.11): \n is a line break, \, \; \\ the character.
 * Surrounding white space goes, as libical drops it. */
static char *
unescape_text (const char *value)
{
  char *text = g_strstrip (g_strdup (value));
  char *out = text;

  /* In place: the text only gets shorter */
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          *out++ = (*p == 'n' || *p == 'N') ? '\n' : *p;
        }
      else
        *out++ = *p;
    }
  *out = '\0';

  return text;
}

static const char *
strip_mailto (const char *address)
{
  if (g_ascii_strncasecmp (address, "mailto:", 7) == 0)
    return address + 7;
  return address;
}

static Attendee *
read_attendee (const char        *text,
               const ContentLine *content)
{
  Attendee *attendee = g_new0 (Attendee, 1);
  g_autofree char *partstat = content->has_params ? calsync_ical_find_param (text, "PARTSTAT") : NULL;
  g_autofree char *address = g_strstrip (g_strdup (content->value));

  attendee->email = g_strdup (strip_mailto (address));
  attendee->name = content->has_params ? calsync_ical_find_param (text, "CN") : NULL;
  attendee->response = calsync_ical_partstat_to_response (partstat);
  if (attendee->name == NULL)
    attendee->name = g_strdup ("");
  return attendee;
}

static CalsyncEventStatus
read_status (const char *value)
{
  g_autofree char *status = g_strstrip (g_strdup (value));

  if (g_ascii_strcasecmp (status, "CANCELLED") == 0)
    return CALSYNC_EVENT_STATUS_CANCELLED;
  if (g_ascii_strcasecmp (status, "TENTATIVE") == 0)
    return CALSYNC_EVENT_STATUS_TENTATIVE;
  return CALSYNC_EVENT_STATUS_CONFIRMED;
}

/* The first date-time of an (already checked) date property */
static struct icaltimetype
first_date_time (const char *text)
{
  const char *date = calsync_ical_date_value (text);
  struct icaltimetype t;

  calsync_ical_read_date_time (&date, &t);
  return t;
}

/* LAST-MODIFIED, DTSTAMP: UTC date-times, in microseconds */
static gint64
read_timestamp (const char *text)
{
  return calsync_ical_fields_to_unix (first_date_time (text)) * G_USEC_PER_SEC;
}

/* The TZID of a date property, as libical reads it: an unquoted value may hold
 * colons ("TZID=GMT+05:30:20120904T020000") and then runs to the last one */
static char *
read_tzid (const char        *text,
           const ContentLine *content)
{
  const char *date = calsync_ical_date_value (text);
  const char *start;

  if (!content->has_params)
    return NULL;
  if (date == content->value || (start = strstr (text, ";TZID=")) == NULL)
    return calsync_ical_find_param (text, "TZID");

  start += strlen (";TZID=");
  return g_strndup (start, date - 1 - start);
}

static void
read_time_value (TimeValue         *value,
                 const char        *text,
                 const ContentLine *content,
                 guint              line)
{
  value->time = first_date_time (text);
  value->line = line;
  if (!value->time.is_date && !icaltime_is_utc (value->time))
    value->tzid = read_tzid (text, content);
}

typedef struct
{
  GArray *values;
  const char *tzid;
  guint line;
} DateListData;

static void
append_time_value (struct icaltimetype  t,
                   const Period        *period,
                   gpointer             user_data)
{
  DateListData *data = user_data;
  TimeValue value = { t, NULL, data->line };

  if (!t.is_date && !icaltime_is_utc (t))
    value.tzid = g_strdup (data->tzid);
  if (period != NULL)
    value.period = *period;
  g_array_append_val (data->values, value);
}

static void
read_date_list (GArray            *values,
                const char        *text,
                const ContentLine *content,
                guint              line)
{
  g_autofree char *tzid = read_tzid (text, content);
  DateListData data = { values, tzid, line };

  calsync_ical_for_each_date (calsync_ical_date_value (text), FALSE, append_time_value, &data);
}

static gboolean
outside_years (guint    line,
               GError **error)
{
  return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, line,
                                      _("the event is outside the years 1 to 9999"));
}

/* The parts of a DURATION in 64 bits: libical's are unsigned ints, and its
 * icaldurationtype_as_int() overflows past 68 years */
static gint64
duration_days (struct icaldurationtype d)
{
  return (gint64) d.weeks * 7 + d.days;
}

static gint64
duration_clock_seconds (struct icaldurationtype d)
{
  return (gint64) d.hours * 3600 + (gint64) d.minutes * 60 + d.seconds;
}

static gint64
duration_seconds (struct icaldurationtype d)
{
  return duration_days (d) * 86400 + duration_clock_seconds (d);
}

static gboolean
read_duration (EventInfo          *info,
               const ContentLine  *content,
               guint               line,
               GError            **error)
{
  g_autofree char *value = g_strstrip (g_strdup (content->value));

  info->duration = icaldurationtype_from_string (value);
  info->duration_line = line;
  info->has_duration = TRUE;
  if (icaldurationtype_is_bad_duration (info->duration))
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("%s has a value CalSync cannot read"), "DURATION");
  if (duration_seconds (info->duration) / 86400 > MAX_DURATION_DAYS)
    return outside_years (line, error);

  return TRUE;
}

static gboolean
read_rrule (EventInfo          *info,
            const ContentLine  *content,
            guint               line,
            GError            **error)
{
  g_autofree char *value = g_strstrip (g_strdup (content->value));
  Rule rule = { icalrecurrencetype_from_string (value), line };

  icalerror_clear_errno ();
  if (rule.rule.freq == ICAL_NO_RECURRENCE)
    {
      rule_clear (&rule);
      return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                          _("%s has a value CalSync cannot read"), "RRULE");
    }

  g_array_append_val (info->rrules, rule);
  return TRUE;
}

/* SEQUENCE (RFC 5545 3.8.7.4): a revision number; what is not one counts as 0,
 * as when it is absent */
static int
read_sequence (const char *value)
{
  char *end = NULL;
  gint64 sequence;

  while (g_ascii_isspace (*value))
    value++;
  if (!g_ascii_isdigit (*value))
    return 0;

  sequence = g_ascii_strtoll (value, &end, 10);
  while (g_ascii_isspace (*end))
    end++;
  return *end == '\0' && sequence <= G_MAXINT ? (int) sequence : 0;
}

/* Sets *@slot to the unescaped or raw value unless an earlier line did */
static void
set_once (char              **slot,
          const ContentLine  *content,
          gboolean            is_text)
{
  if (*slot == NULL)
    *slot = is_text ? unescape_text (content->value) : g_strstrip (g_strdup (content->value));
}

/* DTSTART, DTEND, RECURRENCE-ID: the first one counts */
static void
read_once (TimeValue         *value,
           gboolean          *has,
           const char        *text,
           const ContentLine *content,
           guint              line)
{
  if (!*has)
    read_time_value (value, text, content, line);
  *has = TRUE;
}

/* RANGE=THISANDFUTURE: the override stands for the later instances too
 * (RFC 5545 3.2.13); THISANDPRIOR is deprecated and read as a single override */
static void
read_recurrence_id (EventInfo         *info,
                    const char        *text,
                    const ContentLine *content,
                    guint              line)
{
  g_autofree char *range = NULL;

  if (!info->has_recurrence_id && content->has_params)
    {
      range = calsync_ical_find_param (text, "RANGE");
      info->this_and_future = range != NULL && g_ascii_strcasecmp (range, "THISANDFUTURE") == 0;
    }
  read_once (&info->recurrence_id, &info->has_recurrence_id, text, content, line);
}

static gboolean
read_time_property (EventInfo          *info,
                    const char         *text,
                    const ContentLine  *content,
                    guint               line,
                    GError            **error)
{
  const char *name = content->name;

  if (g_str_equal (name, "DTSTART"))
    read_once (&info->dtstart, &info->has_dtstart, text, content, line);
  else if (g_str_equal (name, "DTEND"))
    read_once (&info->dtend, &info->has_dtend, text, content, line);
  else if (g_str_equal (name, "RECURRENCE-ID"))
    read_recurrence_id (info, text, content, line);
  else if (g_str_equal (name, "RDATE"))
    read_date_list (info->rdates, text, content, line);
  else if (g_str_equal (name, "EXDATE"))
    read_date_list (info->exdates, text, content, line);
  else if (g_str_equal (name, "DURATION"))
    return info->has_duration || read_duration (info, content, line, error);
  else if (g_str_equal (name, "RRULE"))
    return read_rrule (info, content, line, error);
  else if (g_str_equal (name, "LAST-MODIFIED"))
    info->last_modified = read_timestamp (text);
  else if (g_str_equal (name, "DTSTAMP"))
    info->dtstamp = read_timestamp (text);
  else if (g_str_equal (name, "SEQUENCE"))
    info->sequence = read_sequence (content->value);

  return TRUE;
}

gboolean
calsync_ical_read_event_property (EventInfo          *info,
                                  const char         *text,
                                  const ContentLine  *content,
                                  guint               line,
                                  GError            **error)
{
  const char *name = content->name;

  if (g_str_equal (name, "UID"))
    set_once (&info->uid, content, TRUE);
  else if (g_str_equal (name, "SUMMARY"))
    set_once (&info->summary, content, TRUE);
  else if (g_str_equal (name, "DESCRIPTION"))
    set_once (&info->description, content, TRUE);
  else if (g_str_equal (name, "LOCATION"))
    set_once (&info->location, content, TRUE);
  else if (g_str_equal (name, "URL"))
    set_once (&info->url, content, FALSE);
  else if (g_str_equal (name, "CONFERENCE"))
    set_once (&info->conference, content, FALSE);
  else if (g_str_equal (name, "X-GOOGLE-CONFERENCE"))
    set_once (&info->google_conference, content, FALSE);
  else if (g_str_equal (name, "X-MICROSOFT-SKYPETEAMSMEETINGURL"))
    set_once (&info->teams_url, content, FALSE);
  else if (g_str_equal (name, "STATUS"))
    info->status = read_status (content->value);
  else if (g_str_equal (name, "ORGANIZER") && info->organizer == NULL)
    info->organizer = read_attendee (text, content);
  else if (g_str_equal (name, "ATTENDEE"))
    g_ptr_array_add (info->attendees, read_attendee (text, content));
  else
    return read_time_property (info, text, content, line, error);

  return TRUE;
}

/* Times of one VEVENT ---------------------------------------------------------------- */

/* @t moved by @days on the calendar (proleptic Gregorian, as icaltime_adjust()
 * counts) in constant time: icaltime_adjust() walks month by month, and every
 * occurrence of a daily series of 8,000-year events took a second of that */
static struct icaltimetype
add_days (struct icaltimetype t,
          int                 days)
{
  struct icaltimetype moved = calsync_ical_unix_to_fields (calsync_ical_fields_to_unix (t) + (gint64) days * 86400);

  moved.is_date = t.is_date;
  moved.is_daylight = t.is_daylight;
  moved.zone = t.zone;
  return moved;
}

gint64
calsync_ical_date_key (struct icaltimetype t)
{
  return calsync_date_day_from_ymd (t.year, t.month, t.day);
}

/* End instant of an occurrence starting at @local (wall clock) / @start_utc */
gint64
calsync_ical_occurrence_end (const EventTimes    *times,
                             struct icaltimetype  local,
                             gint64               start_utc)
{
  gint64 end;

  if (!times->nominal)
    return start_utc + (times->end_utc - times->start_utc);

  end = calsync_ical_zone_to_utc (times->zone, add_days (local, (int) duration_days (times->duration)));
  return end + duration_clock_seconds (times->duration);
}

/* Thunderbird and GNOME Calendar read an end before the start as no length */
static void
warn_ends_before_start (Parser   *self,
                        guint     line,
                        gboolean  all_day)
{
  calsync_ical_warn (self, line, all_day ? _("end set to the day after the start") : _("end set to the start"),
                     _("the event ends before it starts"));
}

/* The line of DTEND or DURATION, else DTSTART's */
static guint
end_line (const EventInfo *info)
{
  return info->has_dtend ? info->dtend.line : info->has_duration ? info->duration_line : info->dtstart.line;
}

static gboolean
read_all_day_end (Parser           *self,
                  EventTimes       *times,
                  const EventInfo  *info,
                  GError          **error)
{
  static const struct icaltimetype last_day = { .year = 9999, .month = 12, .day = 31, .is_date = 1 };
  gint64 days;

  if (info->has_dtend && !info->dtend.time.is_date)
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->dtend.line,
                                        _("DTSTART is a date but DTEND is a date and time"));

  if (info->has_dtend)
    days = calsync_ical_date_key (info->dtend.time) - calsync_ical_date_key (times->start);
  else if (info->has_duration)
    days = duration_days (times->duration) + (duration_clock_seconds (times->duration) + 86399) / 86400;
  else
    days = 1;

  /* A date without an end lasts the day (RFC 5545 3.6.1) */
  if (days < 0 || (!info->has_dtend && times->duration.is_neg))
    {
      warn_ends_before_start (self, end_line (info), TRUE);
      days = 1;
    }
  /* The end date is exclusive, and must be written with four digits */
  if (calsync_ical_date_key (times->start) + days > calsync_ical_date_key (last_day))
    return outside_years (end_line (info), error);

  /* DTEND equal to DTSTART: meant as the one day */
  times->days = (int) MAX (days, 1);
  return TRUE;
}

static gboolean
read_timed_end (Parser           *self,
                EventTimes       *times,
                const EventInfo  *info,
                GError          **error)
{
  Zone *end_zone;

  if (info->has_dtend)
    {
      if (info->dtend.time.is_date)
        return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->dtend.line,
                                            _("DTSTART is a date and time but DTEND is a date"));
      if ((end_zone = calsync_ical_value_zone (self, &info->dtend, error)) == NULL)
        return FALSE;
      times->end_utc = calsync_ical_zone_to_utc (end_zone, info->dtend.time);
      if (times->end_utc < times->start_utc)
        {
          warn_ends_before_start (self, info->dtend.line, FALSE);
          times->end_utc = times->start_utc;
        }
      return TRUE;
    }

  if (info->has_duration && times->duration.is_neg)
    {
      warn_ends_before_start (self, info->duration_line, FALSE);
      times->end_utc = times->start_utc;
      return TRUE;
    }

  times->nominal = info->has_duration && duration_days (times->duration) != 0;
  times->end_utc = times->start_utc + (info->has_duration ? duration_seconds (times->duration) : 0);
  if (times->nominal)
    times->end_utc = calsync_ical_occurrence_end (times, times->start, times->start_utc);
  return TRUE;
}

gboolean
calsync_ical_read_times (Parser           *self,
                         const EventInfo  *info,
                         EventTimes       *times,
                         GError          **error)
{
  memset (times, 0, sizeof *times);
  if (!info->has_dtstart)
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->begin,
                                        _("the event has no start (DTSTART)"));

  times->start = info->dtstart.time;
  times->start.zone = NULL;
  times->all_day = times->start.is_date;
  times->duration = info->duration;

  if (times->all_day)
    return read_all_day_end (self, times, info, error);

  if ((times->zone = calsync_ical_value_zone (self, &info->dtstart, error)) == NULL)
    return FALSE;
  times->start_utc = calsync_ical_zone_to_utc (times->zone, times->start);
  if (!read_timed_end (self, times, info, error))
    return FALSE;

  /* 0001-01-01T00:00 in UTC+14 is in the year 0 */
  if (times->start_utc < MIN_UNIX)
    return outside_years (info->dtstart.line, error);
  if (times->end_utc > MAX_UNIX)
    return outside_years (end_line (info), error);
  return TRUE;
}

/* Event fields ------------------------------------------------------------------- */

static void
add_attendee_json (JsonBuilder    *builder,
                   const Attendee *attendee,
                   const char     *response,
                   gboolean        organizer)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, attendee->email);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, attendee->name);
  json_builder_set_member_name (builder, "response");
  json_builder_add_string_value (builder, response);
  json_builder_set_member_name (builder, "organizer");
  json_builder_add_boolean_value (builder, organizer);
  json_builder_end_object (builder);
}

static gboolean
is_organizer (const EventInfo *info,
              const Attendee  *attendee)
{
  return info->organizer != NULL && *info->organizer->email != '\0' &&
         g_ascii_strcasecmp (attendee->email, info->organizer->email) == 0;
}

static gboolean
organizer_attends (const EventInfo *info)
{
  for (guint i = 0; i < info->attendees->len; i++)
    if (is_organizer (info, g_ptr_array_index (info->attendees, i)))
      return TRUE;

  return FALSE;
}

/* The attendees in the Google provider's format. Google lists the organizer
 * among the attendees; iCalendar invitations often do not, so it is added
 * first when missing. */
static char *
attendees_json (const EventInfo *info)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (info->attendees->len == 0)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  if (info->organizer != NULL && *info->organizer->email != '\0' && !organizer_attends (info))
    add_attendee_json (builder, info->organizer, "accepted", TRUE);

  for (guint i = 0; i < info->attendees->len; i++)
    {
      const Attendee *attendee = g_ptr_array_index (info->attendees, i);

      add_attendee_json (builder, attendee, attendee->response, is_organizer (info, attendee));
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static const char *
https_or_null (const char *url)
{
  return url != NULL && g_ascii_strncasecmp (url, "https://", 8) == 0 ? url : NULL;
}

/* Like the Google provider: the meeting's own link first (Google's
 * X-GOOGLE-CONFERENCE, RFC 7986 CONFERENCE, Teams' property), then a
 * Meet/Teams/Zoom/Webex link in URL, LOCATION or DESCRIPTION. */
static char *
conference_url (const EventInfo *info)
{
  const char *url = https_or_null (info->google_conference);
  char *found = NULL;

  if (url == NULL)
    url = https_or_null (info->conference);
  if (url == NULL)
    url = https_or_null (info->teams_url);
  if (url != NULL)
    return g_strdup (url);

  if ((found = calsync_find_conference_url (info->url)) == NULL &&
      (found = calsync_find_conference_url (info->location)) == NULL)
    found = calsync_find_conference_url (info->description);
  return found;
}

/* What the instances of a VEVENT share, worked out once */
void
calsync_ical_derive_event_info (EventInfo *info)
{
  info->attendees_json = attendees_json (info);
  info->conference_url = conference_url (info);
  info->type = calsync_classify_event_type (info->summary, info->description, info->attendees->len > 0);
}

/* Everything but ids and times, from @info (a master or an override) */
void
calsync_ical_map_fields (CalsyncEvent    *event,
                         const EventInfo *info,
                         gboolean         cancelled)
{
  calsync_event_set_title (event, info->summary);
  calsync_event_set_description (event, info->description);
  calsync_event_set_location (event, info->location);
  calsync_event_set_status (event, cancelled ? CALSYNC_EVENT_STATUS_CANCELLED : info->status);
  calsync_event_set_remote_updated (event, info->last_modified ? info->last_modified : info->dtstamp);
  calsync_event_set_conference_url (event, info->conference_url);
  calsync_event_set_attendees_json (event, info->attendees_json);
  calsync_event_set_event_type (event, info->type);
}

/* Sets the times of an occurrence: all-day from @local's date, else [start, end).
 * FALSE for an all-day date the Gregorian calendar does not have: libical (and
 * ICU in its recurrences) counts the years before 1753 (1582) in the Julian
 * one, where 1500-02-29 exists. */
gboolean
calsync_ical_set_occurrence_times (CalsyncEvent        *event,
                                   const EventTimes    *times,
                                   struct icaltimetype  local,
                                   gint64               start_utc,
                                   gint64               end_utc)
{
  if (times->all_day)
    {
      g_autofree char *start = calsync_ical_format_date (local);
      g_autofree char *end = calsync_ical_format_date (add_days (local, times->days));
      gint64 day;

      if (!calsync_date_parse_day (start, &day) || !calsync_date_parse_day (end, &day))
        return FALSE;
      calsync_event_set_dates (event, start, end);
    }
  else
    calsync_event_set_times (event, start_utc, end_utc, times->zone->id);
  return TRUE;
}
