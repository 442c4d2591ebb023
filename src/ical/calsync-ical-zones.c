/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-zones.c: the time zones of iCalendar files.
 *
 * A TZID becomes a Zone: an embedded VTIMEZONE, one of libical's built-in
 * zones, or GLib's, under the IANA id CalsyncEvent keeps, whether the file
 * names it the IANA way, with a vendor prefix or the Windows way. An embedded
 * VTIMEZONE under an IANA name whose rules cover a few years only leaves the
 * other years to the system's rules. The local zone stands for floating times,
 * and for a TZID nobody defines. VTIMEZONE rules are checked before libical
 * expands them, and the writer takes its VTIMEZONEs from here. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>
#include <string.h>

#include "calsync-ical.h"
#include "calsync-date-utils.h"
#include "calsync-ical-private.h"
#include "calsync-windows-zones.h"

gboolean
calsync_ical_is_utc_name (const char *tzid)
{
  static const char * const names[] = {
    "UTC", "GMT", "Z", "UCT", "Zulu", "Etc/UTC", "Etc/GMT", "Etc/Zulu", "Etc/UCT", "Coordinated Universal Time",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (tzid, names[i]) == 0)
      return TRUE;

  return FALSE;
}

/* Windows time zones: calsync-windows-zones.c (core) */

/* Time zones ------------------------------------------------------------------ */

void
calsync_ical_zone_free (Zone *zone)
{
  if (zone->owns_ical)
    icaltimezone_free (zone->ical, TRUE);
  g_clear_pointer (&zone->gtz, g_time_zone_unref);
  g_clear_pointer (&zone->system, calsync_ical_zone_free);
  g_free (zone->id);
  g_free (zone);
}

Zone *
calsync_ical_zone_new (const char   *id,
                       icaltimezone *ical,
                       gboolean      owns_ical,
                       GTimeZone    *gtz)
{
  Zone *zone = g_new0 (Zone, 1);

  zone->id = g_strdup (id);
  zone->ical = ical;
  zone->owns_ical = owns_ical;
  zone->gtz = gtz;
  zone->covered_from = G_MININT64;
  zone->covered_until = G_MAXINT64;
  return zone;
}

/* The fields of @t read as UTC */
gint64
calsync_ical_fields_to_unix (struct icaltimetype t)
{
  return calsync_date_day_from_ymd (t.year, t.month, t.day) * 86400 +
         t.hour * 3600 + t.minute * 60 + t.second;
}

struct icaltimetype
calsync_ical_unix_to_fields (gint64 t)
{
  struct icaltimetype fields = icaltime_from_timet_with_zone ((time_t) t, 0, NULL);

  fields.zone = NULL;
  return fields;
}

/* Whether the rules of @zone itself hold at @utc, rather than its system's */
static gboolean
covers (const Zone *zone,
        gint64      utc)
{
  return zone->system == NULL || (utc >= zone->covered_from && utc < zone->covered_until);
}

/* libical computes a zone's changes only up to the year 2582 (its recurrence
 * iterator stops there): later instants get the offset of the last change
 * before 2583, but libical works all the changes out again on every such call,
 * ICU's calendar month by month from the zone's first DTSTART — a THISANDFUTURE
 * override moving a weekly series by 1,000 years cost a second per file. The
 * same offset, looked up once in 2582 (where libical keeps what it worked out). */
#define LAST_ICAL_ZONE_YEAR 2582
/* 2582-12-31T00:00:00Z: no offset takes local time past the year's end */
#define LAST_ICAL_ZONE_UNIX G_GINT64_CONSTANT (19344355200)

static int
last_ical_offset (icaltimezone *zone)
{
  struct icaltimetype local = icaltime_from_timet_with_zone ((time_t) LAST_ICAL_ZONE_UNIX, 0, zone);

  local.zone = NULL;
  return (int) (calsync_ical_fields_to_unix (local) - LAST_ICAL_ZONE_UNIX);
}

static gint64
ical_zone_to_utc (icaltimezone        *zone,
                  struct icaltimetype  t)
{
  if (t.year > LAST_ICAL_ZONE_YEAR)
    return calsync_ical_fields_to_unix (t) - last_ical_offset (zone);

  return icaltime_as_timet_with_zone (t, zone);
}

static int
ical_zone_offset_at (icaltimezone *zone,
                     gint64        utc)
{
  struct icaltimetype local;

  if (utc > LAST_ICAL_ZONE_UNIX)
    return last_ical_offset (zone);

  local = icaltime_from_timet_with_zone ((time_t) utc, 0, zone);
  local.zone = NULL;
  return (int) (calsync_ical_fields_to_unix (local) - utc);
}

/* The instant of local time @t (zone and is_date ignored) in @zone */
gint64
calsync_ical_zone_to_utc (Zone                *zone,
                          struct icaltimetype  t)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 utc;

  t.zone = NULL;
  t.is_date = 0;
  if (zone->ical != NULL)
    {
      utc = ical_zone_to_utc (zone->ical, t);
      return covers (zone, utc) ? utc : calsync_ical_zone_to_utc (zone->system, t);
    }

  dt = g_date_time_new (zone->gtz, t.year, t.month, t.day, t.hour, t.minute, t.second);
  return dt != NULL ? g_date_time_to_unix (dt) : calsync_ical_fields_to_unix (t);
}

/* Offset from UTC in seconds of @zone at instant @utc */
int
calsync_ical_zone_offset_at (Zone   *zone,
                             gint64  utc)
{
  if (!covers (zone, utc))
    return calsync_ical_zone_offset_at (zone->system, utc);

  if (zone->ical != NULL)
    return ical_zone_offset_at (zone->ical, utc);

  return g_time_zone_get_offset (zone->gtz, g_time_zone_find_interval (zone->gtz, G_TIME_TYPE_UNIVERSAL, utc));
}

struct icaltimetype
calsync_ical_zone_from_utc (Zone   *zone,
                            gint64  utc)
{
  return calsync_ical_unix_to_fields (utc + calsync_ical_zone_offset_at (zone, utc));
}

/* Whether the rules of @zone agree with those of the IANA zone @iana over @year
 * (twice a month, which tells the EU and US DST dates apart). */
static gboolean
zone_matches_iana (Zone       *zone,
                   const char *iana,
                   int         year)
{
  g_autoptr(GTimeZone) candidate = g_time_zone_new_identifier (iana);

  if (candidate == NULL)
    return FALSE;

  for (int month = 1; month <= 12; month++)
    for (int day = 1; day <= 15; day += 14)
      {
        gint64 t = calsync_date_day_from_ymd (year, month, day) * 86400 + 12 * 3600;
        gint interval = g_time_zone_find_interval (candidate, G_TIME_TYPE_UNIVERSAL, t);

        if (g_time_zone_get_offset (candidate, interval) != calsync_ical_zone_offset_at (zone, t))
          return FALSE;
      }

  return TRUE;
}

/* An IANA id for an embedded VTIMEZONE under a name nobody knows ("Customized
 * Time Zone"): the first Windows zone with the same standard offset and the same
 * rules, else a fixed Etc/GMT zone, else UTC. Only the shown zone is guessed;
 * the instants always follow the VTIMEZONE. */
static char *
guess_iana_id (Zone *zone,
               int   year)
{
  int winter = calsync_ical_zone_offset_at (zone, calsync_date_day_from_ymd (year, 1, 15) * 86400);
  int summer = calsync_ical_zone_offset_at (zone, calsync_date_day_from_ymd (year, 7, 15) * 86400);
  int standard = MIN (winter, summer);
  const char *iana;
  int offset;

  for (guint i = 0; (iana = calsync_windows_zone_nth (i, &offset)) != NULL; i++)
    if (offset == standard && zone_matches_iana (zone, iana, year))
      return g_strdup (iana);

  if (winter == summer && winter % 3600 == 0 && winter != 0)
    return g_strdup_printf ("Etc/GMT%+d", -winter / 3600);

  return g_strdup ("UTC");
}

/* Whether @name is an IANA zone GLib can load ("Europe/Berlin", "Etc/GMT+5") */
static gboolean
is_iana_name (const char *name)
{
  g_autoptr(GTimeZone) zone = NULL;

  /* Without the checks, GLib would read "EST5EDT"-like POSIX rules or paths */
  if (strchr (name, '/') == NULL || name[0] == '/' || strchr (name, ' ') != NULL || strstr (name, ".."))
    return FALSE;

  return icaltimezone_get_builtin_timezone (name) != NULL ||
         (zone = g_time_zone_new_identifier (name)) != NULL;
}

/* The IANA name in a TZID: itself or the part after a vendor prefix
 * ("/mozilla.org/20050126_1/Europe/Berlin"); NULL when it has none */
static const char *
iana_part (const char *tzid)
{
  if (is_iana_name (tzid))
    return tzid;

  for (const char *p = strchr (tzid, '/'); p != NULL; p = strchr (p + 1, '/'))
    if (is_iana_name (p + 1))
      return p + 1;

  return NULL;
}

/* The IANA id a TZID stands for: its IANA name, or a Windows name's zone. */
static char *
tzid_to_iana (const char *tzid)
{
  const char *windows;
  const char *iana;

  if (calsync_ical_is_utc_name (tzid))
    return g_strdup ("UTC");
  if ((iana = iana_part (tzid)) != NULL)
    return g_strdup (iana);

  windows = calsync_windows_zone_to_iana (tzid);
  return windows ? g_strdup (calsync_ical_is_utc_name (windows) ? "UTC" : windows) : NULL;
}

static Zone *
zone_new_iana (const char *iana)
{
  icaltimezone *builtin;

  if (g_str_equal (iana, "UTC"))
    return calsync_ical_zone_new ("UTC", icaltimezone_get_utc_timezone (), FALSE, NULL);
  if ((builtin = icaltimezone_get_builtin_timezone (iana)) != NULL)
    return calsync_ical_zone_new (iana, builtin, FALSE, NULL);

  return calsync_ical_zone_new (iana, NULL, FALSE, g_time_zone_new_identifier (iana));
}

/* X-LIC-LOCATION: the IANA location libical and Evolution write into VTIMEZONEs */
static const char *
vtimezone_location (icalcomponent *vtimezone)
{
  icalproperty *prop;

  for (prop = icalcomponent_get_first_property (vtimezone, ICAL_X_PROPERTY); prop != NULL;
       prop = icalcomponent_get_next_property (vtimezone, ICAL_X_PROPERTY))
    if (g_ascii_strcasecmp (icalproperty_get_x_name (prop), "X-LIC-LOCATION") == 0)
      return icalproperty_get_x (prop);

  return NULL;
}

/* How far the rules of a VTIMEZONE reach ---------------------------------------- */

/* Yearly rules change at most twice a year (calsync_ical_check_zone_rule): a
 * COUNT larger than this runs for centuries, and is taken as endless */
#define MAX_ZONE_CHANGES 1000

/* The instant of a wall-clock time of an observance, read at its TZOFFSETFROM */
static gint64
observance_instant (struct icaltimetype t,
                    int                 offset_from)
{
  if (icaltime_is_utc (t))
    return calsync_ical_fields_to_unix (t);
  if (t.is_date)
    t.hour = 23, t.minute = 59, t.second = 59;

  return calsync_ical_fields_to_unix (t) - offset_from;
}

/* The last change a rule makes: its UNTIL, its COUNT-th occurrence, or
 * G_MAXINT64 when it goes on for ever */
static gint64
last_change (struct icalrecurrencetype rule,
             struct icaltimetype       dtstart,
             int                       offset_from)
{
  struct icaltimetype last = dtstart;
  icalrecur_iterator *iterator;
  int n = 0;

  if (!icaltime_is_null_time (rule.until))
    return observance_instant (rule.until, offset_from);
  if (rule.count <= 0 || rule.count > MAX_ZONE_CHANGES)
    return G_MAXINT64;

  /* A rule that can never match: libical would look for it up to the year
   * 20000 first. No change but DTSTART when libical would iterate it, as if
   * for ever when it would refuse it, as before. */
  if (calsync_ical_rule_never_matches (&rule, dtstart))
    return calsync_ical_empty_rule_has_iterator (&rule, dtstart) ? observance_instant (dtstart, offset_from)
                                                                  : G_MAXINT64;

  if ((iterator = icalrecur_iterator_new (rule, dtstart)) == NULL)
    return G_MAXINT64;

  for (struct icaltimetype next = icalrecur_iterator_next (iterator);
       !icaltime_is_null_time (next) && n < rule.count; next = icalrecur_iterator_next (iterator), n++)
    last = next;

  icalrecur_iterator_free (iterator);
  icalerror_clear_errno ();
  return observance_instant (last, offset_from);
}

/* The last change an observance (STANDARD or DAYLIGHT) makes: its DTSTART,
 * its last RDATE, the end of its RRULE */
static gint64
observance_end (icalcomponent *observance,
                gint64         start,
                int            offset_from)
{
  struct icaltimetype dtstart = icalcomponent_get_dtstart (observance);
  gint64 end = start;
  icalproperty *prop;

  for (prop = icalcomponent_get_first_property (observance, ICAL_RRULE_PROPERTY); prop != NULL;
       prop = icalcomponent_get_next_property (observance, ICAL_RRULE_PROPERTY))
    end = MAX (end, last_change (icalproperty_get_rrule (prop), dtstart, offset_from));

  for (prop = icalcomponent_get_first_property (observance, ICAL_RDATE_PROPERTY); prop != NULL;
       prop = icalcomponent_get_next_property (observance, ICAL_RDATE_PROPERTY))
    end = MAX (end, observance_instant (icalproperty_get_rdate (prop).time, offset_from));

  return end;
}

/* The instants a VTIMEZONE's own rules speak for: from its first change to its
 * last one (for ever when a rule has no end). A feed that trims its zones to a
 * few years says nothing of the others, and libical would stretch the last
 * offset over them: winter events an hour off. */
static void
find_coverage (icalcomponent *vtimezone,
               gint64        *from,
               gint64        *until)
{
  icalcomponent *observance;

  *from = G_MAXINT64;
  *until = G_MININT64;
  for (observance = icalcomponent_get_first_component (vtimezone, ICAL_ANY_COMPONENT); observance != NULL;
       observance = icalcomponent_get_next_component (vtimezone, ICAL_ANY_COMPONENT))
    {
      icalcomponent_kind kind = icalcomponent_isa (observance);
      icalproperty *offset = icalcomponent_get_first_property (observance, ICAL_TZOFFSETFROM_PROPERTY);
      struct icaltimetype dtstart = icalcomponent_get_dtstart (observance);
      int offset_from = offset != NULL ? icalproperty_get_tzoffsetfrom (offset) : 0;
      gint64 start;

      if ((kind != ICAL_XSTANDARD_COMPONENT && kind != ICAL_XDAYLIGHT_COMPONENT) || icaltime_is_null_time (dtstart))
        continue;

      start = observance_instant (dtstart, offset_from);
      *from = MIN (*from, start);
      *until = MAX (*until, observance_end (observance, start, offset_from));
    }

  icalerror_clear_errno ();
}

/* The system's rules for the instants a VTIMEZONE under an IANA name does not
 * cover; inside them the file's rules win (a custom zone stays custom). Other
 * names have no system zone to fall back on: their rules stand for ever. */
static void
add_system_zone (Zone          *zone,
                 const char    *tzid,
                 icalcomponent *vtimezone)
{
  const char *iana = iana_part (tzid);
  Zone *system;

  if (iana == NULL)
    return;

  find_coverage (vtimezone, &zone->covered_from, &zone->covered_until);
  if (zone->covered_from <= MIN_UNIX && zone->covered_until == G_MAXINT64)
    return;

  system = zone_new_iana (iana);
  if (system->ical == NULL && system->gtz == NULL)
    {
      calsync_ical_zone_free (system);
      zone->covered_from = G_MININT64;
      zone->covered_until = G_MAXINT64;
      return;
    }
  zone->system = system;
}

static Zone *
zone_new_embedded (const char    *tzid,
                   icalcomponent *vtimezone,
                   int            year)
{
  icaltimezone *ical = icaltimezone_new ();
  const char *location = vtimezone_location (vtimezone);
  g_autofree char *iana = tzid_to_iana (tzid);
  Zone *zone;

  icaltimezone_set_component (ical, icalcomponent_new_clone (vtimezone));
  zone = calsync_ical_zone_new (NULL, ical, TRUE, NULL);

  if (iana == NULL && location != NULL)
    iana = tzid_to_iana (location);
  zone->id = iana ? g_steal_pointer (&iana) : guess_iana_id (zone, year);
  add_system_zone (zone, tzid, vtimezone);
  return zone;
}

/* The zones of a VCALENDAR ---------------------------------------------------- */

void
calsync_ical_collect_vtimezones (Parser        *self,
                                 icalcomponent *calendar)
{
  icalcomponent *vtimezone;

  g_hash_table_remove_all (self->vtimezones);
  g_hash_table_remove_all (self->zones);

  for (vtimezone = icalcomponent_get_first_component (calendar, ICAL_VTIMEZONE_COMPONENT); vtimezone != NULL;
       vtimezone = icalcomponent_get_next_component (calendar, ICAL_VTIMEZONE_COMPONENT))
    {
      icalproperty *tzid = icalcomponent_get_first_property (vtimezone, ICAL_TZID_PROPERTY);

      if (tzid != NULL && icalproperty_get_tzid (tzid) != NULL)
        g_hash_table_insert (self->vtimezones, (char *) icalproperty_get_tzid (tzid), vtimezone);
    }
}

static Zone *
lookup_zone (Parser      *self,
             const char  *tzid,
             int          year,
             guint        line,
             GError     **error)
{
  Zone *zone = g_hash_table_lookup (self->zones, tzid);
  icalcomponent *vtimezone;
  g_autofree char *iana = NULL;

  if (zone != NULL)
    return zone;

  if ((vtimezone = g_hash_table_lookup (self->vtimezones, tzid)) != NULL)
    zone = zone_new_embedded (tzid, vtimezone, year);
  else if ((iana = tzid_to_iana (tzid)) != NULL)
    zone = zone_new_iana (iana);

  /* A name neither the file nor the system defines: the times are read as
   * floating ones (RFC 5545 leaves it to the reader), rather than lose the
   * file for one zone name */
  if (zone == NULL || (zone->ical == NULL && zone->gtz == NULL))
    {
      g_autofree char *shown = calsync_ical_excerpt (tzid);
      g_autofree char *done = NULL;

      g_clear_pointer (&zone, calsync_ical_zone_free);
      zone = calsync_ical_local_zone_new ();
      /* Translators: %s is this computer's time zone, "Europe/Berlin" */
      done = g_strdup_printf (_("its times read as local time (%s)"), zone->id);
      calsync_ical_warn (self, line, done, _("the time zone “%s” is unknown"), shown);
    }

  g_hash_table_insert (self->zones, g_strdup (tzid), zone);
  return zone;
}

/* The zone of a date-time: its TZID, UTC for "Z", the local zone when floating */
Zone *
calsync_ical_value_zone (Parser           *self,
                         const TimeValue  *value,
                         GError          **error)
{
  if (icaltime_is_utc (value->time))
    return self->utc;
  if (value->tzid == NULL)
    return self->local;

  return lookup_zone (self, value->tzid, value->time.year, value->line, error);
}

/* The local zone's IANA id, for floating times */
Zone *
calsync_ical_local_zone_new (void)
{
  GTimeZone *local = g_time_zone_new_local ();
  const char *id = g_time_zone_get_identifier (local);
  const char *slash;

  if (id != NULL && *id == ':')
    id++;
  /* "/usr/share/zoneinfo/Europe/Berlin" when TZ names a file */
  if (id != NULL && *id == '/' && (slash = strstr (id, "zoneinfo/")) != NULL)
    id = slash + strlen ("zoneinfo/");
  if (id == NULL || *id == '/' || !is_iana_name (id))
    id = "UTC";

  return calsync_ical_zone_new (id, NULL, FALSE, local);
}

/* VTIMEZONE rules --------------------------------------------------------------- */

/* How often a time zone rule repeats in one year (up to @limit + 1): its
 * occurrences from 2000-01-01 to the end of that year. BYxxx parts say how
 * many there are; the real DTSTART only fills in the month and day of rules
 * without any, which repeat yearly. */
static guint
count_changes_in_a_year (struct icalrecurrencetype rule,
                         guint                     limit)
{
  struct icaltimetype start = icaltime_null_time ();
  icalrecur_iterator *iterator;
  guint count = 0;

  start.year = 2000, start.month = 1, start.day = 1;
  rule.count = 0;
  rule.until = icaltime_null_time ();
  /* (Which libical would look for up to the year 20000 first) */
  if (calsync_ical_rule_never_matches (&rule, start) ||
      (iterator = icalrecur_iterator_new (rule, start)) == NULL)
    return 0;

  for (struct icaltimetype next = icalrecur_iterator_next (iterator);
       count <= limit && !icaltime_is_null_time (next) && next.year == 2000;
       next = icalrecur_iterator_next (iterator))
    count++;

  icalrecur_iterator_free (iterator);
  return count;
}

/* libical works out every change of a zone from its rules, from the rule's
 * DTSTART (1601 in Outlook's) up to 2037, when the zone is first used: a rule
 * repeating every second would never finish, one repeating daily from the year
 * 1 takes seconds and 70 MB. Zones change once or twice a year, and every
 * VTIMEZONE in the wild says so with FREQ=YEARLY. */
gboolean
calsync_ical_check_zone_rule (const ContentLine  *content,
                              guint               line,
                              GError            **error)
{
  g_autofree char *value = g_strstrip (g_strdup (content->value));
  struct icalrecurrencetype rule = icalrecurrencetype_from_string (value);
  gboolean readable = rule.freq != ICAL_NO_RECURRENCE;
  gboolean yearly = rule.freq == ICAL_YEARLY_RECURRENCE && count_changes_in_a_year (rule, 2) <= 2;

  free (rule.rscale);
  icalerror_clear_errno ();
  if (!readable)
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("%s has a value CalSync cannot read"), "RRULE");
  if (!yearly)
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("a time zone rule may only repeat once or twice a year"));

  return TRUE;
}

/* Zones written ------------------------------------------------------------------ */

/* libical's zone for an IANA id; NULL for UTC and for ids it does not know */
icaltimezone *
calsync_ical_builtin_zone (const char *tzid)
{
  icaltimezone *zone;

  if (tzid == NULL || *tzid == '\0' || calsync_ical_is_utc_name (tzid))
    return NULL;

  zone = icaltimezone_get_builtin_timezone (tzid);
  if (zone == NULL || icaltimezone_get_component (zone) == NULL)
    return NULL;

  return zone;
}

/* A copy of libical's VTIMEZONE with the plain IANA id as its TZID (libical 3.0
 * names its built-in zones "/freeassociation.sourceforge.net/Europe/Berlin") */
icalcomponent *
calsync_ical_new_vtimezone (const char   *tzid,
                            icaltimezone *zone)
{
  icalcomponent *vtimezone = icalcomponent_new_clone (icaltimezone_get_component (zone));
  icalproperty *property = icalcomponent_get_first_property (vtimezone, ICAL_TZID_PROPERTY);

  if (property != NULL)
    icalproperty_set_tzid (property, tzid);
  else
    icalcomponent_add_property (vtimezone, icalproperty_new_tzid (tzid));

  return vtimezone;
}
