/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical.c: reading iCalendar with libical into CalsyncEvents.
 *
 * Import is all or nothing and must say which line is wrong, and libical is
 * lenient: a line it cannot read becomes an X-LIC-ERROR property and parsing
 * goes on. So the content-line layer is done here: the text is unfolded, every
 * line's shape checked (names, parameters, BEGIN/END nesting, dates), the lines
 * of each VEVENT read into an EventInfo (text, people, dates with their TZID,
 * RRULE and DURATION through libical's value parsers). VCALENDAR and VTIMEZONE
 * lines go to libical's parser one at a time, its state watched after each.
 * libical then does the calendar arithmetic: VTIMEZONE rules and built-in
 * zones, recurrence iteration. Reading VEVENT lines here rather than through
 * icalparser also makes a 5,000-event import twice as fast. Lines CalSync has
 * no use for (alarms, to-dos, vendor extensions) are checked for shape only. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

#include "calsync-classifier.h"
#include "calsync-ical.h"
#include "calsync-ical-private.h"

G_DEFINE_QUARK (calsync-ical-error-quark, calsync_ical_error)

/* Nesting deeper than this is not a calendar (VCALENDAR > VEVENT > VALARM is 3). */
#define MAX_DEPTH 16
/* Occurrences looked at per RRULE before giving up (a COUNT rule from 1970…) */
#define MAX_RRULE_STEPS 100000
/* Occurrences looked at in one parse, whatever the file: memory and time stay
 * bounded (an instance is about 500 bytes) */
#define MAX_OCCURRENCES 500000
/* The instants CalsyncEvent and GDateTime can hold: 0001-01-01 to 9999-12-31 */
#define MIN_UNIX G_GINT64_CONSTANT (-62135596800)
#define MAX_UNIX G_GINT64_CONSTANT (253402300799)
/* Longer than any event fitting there; keeps the date arithmetic in range */
#define MAX_DURATION_DAYS 3652500
/* Value excerpts quoted in error messages */
#define MAX_EXCERPT 40

void
calsync_ical_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      /* A library that abort()s on malformed input has no place in an importer.
       * Process-wide, and set once: calsync_ical_parse() may run in several
       * threads, and libical keeps this in a plain global. */
      icalerror_set_errors_are_fatal (0);
      g_once_init_leave (&initialized, 1);
    }
}

static gboolean G_GNUC_PRINTF (4, 5)
set_line_error (GError     **error,
                int          code,
                guint        line,
                const char  *format,
                ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: %u is a line number in the file, %s says what is wrong there */
  g_set_error (error, CALSYNC_ICAL_ERROR, code, _("Line %u: %s"), line, detail);
  return FALSE;
}

/* Shared with the writer (calsync-ical-private.h) ------------------------------ */

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

/* CalsyncEvent's all-day dates, "YYYY-MM-DD" */
char *
calsync_ical_format_date (struct icaltimetype date)
{
  return g_strdup_printf ("%04d-%02d-%02d", date.year, date.month, date.day);
}

gboolean
calsync_ical_parse_date (const char          *text,
                         struct icaltimetype *date)
{
  guint year, month, day;
  char extra;

  if (text == NULL || strlen (text) != 10 ||
      sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &extra) != 3 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return FALSE;

  *date = icaltime_null_date ();
  date->year = (int) year;
  date->month = (int) month;
  date->day = (int) day;
  return TRUE;
}

/* Windows time zones ---------------------------------------------------------
 *
 * Outlook and Exchange name zones the Windows way, either by their key
 * ("W. Europe Standard Time") or by their display name ("(UTC+01:00) Amsterdam,
 * Berlin, Bern, Rome, Stockholm, Vienna"). The IANA zone of each is the
 * territory "001" mapping of CLDR's windowsZones.xml, with current tzdata names. */

typedef struct
{
  const char *windows;
  const char *display;   /* "(UTC±hh:mm) cities", as Windows shows it */
  const char *iana;
} WindowsZone;

static const WindowsZone windows_zones[] = {
  { "Dateline Standard Time", "(UTC-12:00) International Date Line West", "Etc/GMT+12" },
  { "UTC-11", "(UTC-11:00) Coordinated Universal Time-11", "Etc/GMT+11" },
  { "Aleutian Standard Time", "(UTC-10:00) Aleutian Islands", "America/Adak" },
  { "Hawaiian Standard Time", "(UTC-10:00) Hawaii", "Pacific/Honolulu" },
  { "Marquesas Standard Time", "(UTC-09:30) Marquesas Islands", "Pacific/Marquesas" },
  { "Alaskan Standard Time", "(UTC-09:00) Alaska", "America/Anchorage" },
  { "UTC-09", "(UTC-09:00) Coordinated Universal Time-09", "Etc/GMT+9" },
  { "Pacific Standard Time (Mexico)", "(UTC-08:00) Baja California", "America/Tijuana" },
  { "UTC-08", "(UTC-08:00) Coordinated Universal Time-08", "Etc/GMT+8" },
  { "Pacific Standard Time", "(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles" },
  { "US Mountain Standard Time", "(UTC-07:00) Arizona", "America/Phoenix" },
  { "Mountain Standard Time (Mexico)", "(UTC-07:00) Chihuahua, La Paz, Mazatlan", "America/Mazatlan" },
  { "Mountain Standard Time", "(UTC-07:00) Mountain Time (US & Canada)", "America/Denver" },
  { "Yukon Standard Time", "(UTC-07:00) Yukon", "America/Whitehorse" },
  { "Central America Standard Time", "(UTC-06:00) Central America", "America/Guatemala" },
  { "Central Standard Time", "(UTC-06:00) Central Time (US & Canada)", "America/Chicago" },
  { "Easter Island Standard Time", "(UTC-06:00) Easter Island", "Pacific/Easter" },
  { "Central Standard Time (Mexico)", "(UTC-06:00) Guadalajara, Mexico City, Monterrey", "America/Mexico_City" },
  { "Canada Central Standard Time", "(UTC-06:00) Saskatchewan", "America/Regina" },
  { "SA Pacific Standard Time", "(UTC-05:00) Bogota, Lima, Quito, Rio Branco", "America/Bogota" },
  { "Eastern Standard Time (Mexico)", "(UTC-05:00) Chetumal", "America/Cancun" },
  { "Eastern Standard Time", "(UTC-05:00) Eastern Time (US & Canada)", "America/New_York" },
  { "Haiti Standard Time", "(UTC-05:00) Haiti", "America/Port-au-Prince" },
  { "Cuba Standard Time", "(UTC-05:00) Havana", "America/Havana" },
  { "US Eastern Standard Time", "(UTC-05:00) Indiana (East)", "America/Indiana/Indianapolis" },
  { "Turks And Caicos Standard Time", "(UTC-05:00) Turks and Caicos", "America/Grand_Turk" },
  { "Paraguay Standard Time", "(UTC-04:00) Asuncion", "America/Asuncion" },
  { "Atlantic Standard Time", "(UTC-04:00) Atlantic Time (Canada)", "America/Halifax" },
  { "Venezuela Standard Time", "(UTC-04:00) Caracas", "America/Caracas" },
  { "Central Brazilian Standard Time", "(UTC-04:00) Cuiaba", "America/Cuiaba" },
  { "SA Western Standard Time", "(UTC-04:00) Georgetown, La Paz, Manaus, San Juan", "America/La_Paz" },
  { "Pacific SA Standard Time", "(UTC-04:00) Santiago", "America/Santiago" },
  { "Newfoundland Standard Time", "(UTC-03:30) Newfoundland", "America/St_Johns" },
  { "Tocantins Standard Time", "(UTC-03:00) Araguaina", "America/Araguaina" },
  { "E. South America Standard Time", "(UTC-03:00) Brasilia", "America/Sao_Paulo" },
  { "SA Eastern Standard Time", "(UTC-03:00) Cayenne, Fortaleza", "America/Cayenne" },
  { "Argentina Standard Time", "(UTC-03:00) City of Buenos Aires", "America/Argentina/Buenos_Aires" },
  { "Greenland Standard Time", "(UTC-03:00) Greenland", "America/Nuuk" },
  { "Montevideo Standard Time", "(UTC-03:00) Montevideo", "America/Montevideo" },
  { "Magallanes Standard Time", "(UTC-03:00) Punta Arenas", "America/Punta_Arenas" },
  { "Saint Pierre Standard Time", "(UTC-03:00) Saint Pierre and Miquelon", "America/Miquelon" },
  { "Bahia Standard Time", "(UTC-03:00) Salvador", "America/Bahia" },
  { "UTC-02", "(UTC-02:00) Coordinated Universal Time-02", "Etc/GMT+2" },
  { "Azores Standard Time", "(UTC-01:00) Azores", "Atlantic/Azores" },
  { "Cape Verde Standard Time", "(UTC-01:00) Cabo Verde Is.", "Atlantic/Cape_Verde" },
  { "UTC", "(UTC) Coordinated Universal Time", "UTC" },
  { "GMT Standard Time", "(UTC+00:00) Dublin, Edinburgh, Lisbon, London", "Europe/London" },
  { "Greenwich Standard Time", "(UTC+00:00) Monrovia, Reykjavik", "Atlantic/Reykjavik" },
  { "Sao Tome Standard Time", "(UTC+00:00) Sao Tome", "Africa/Sao_Tome" },
  { "Morocco Standard Time", "(UTC+01:00) Casablanca", "Africa/Casablanca" },
  { "W. Europe Standard Time", "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin" },
  { "Central Europe Standard Time", "(UTC+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague", "Europe/Budapest" },
  { "Romance Standard Time", "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris" },
  { "Central European Standard Time", "(UTC+01:00) Sarajevo, Skopje, Warsaw, Zagreb", "Europe/Warsaw" },
  { "W. Central Africa Standard Time", "(UTC+01:00) West Central Africa", "Africa/Lagos" },
  { "Jordan Standard Time", "(UTC+02:00) Amman", "Asia/Amman" },
  { "GTB Standard Time", "(UTC+02:00) Athens, Bucharest", "Europe/Bucharest" },
  { "Middle East Standard Time", "(UTC+02:00) Beirut", "Asia/Beirut" },
  { "Egypt Standard Time", "(UTC+02:00) Cairo", "Africa/Cairo" },
  { "E. Europe Standard Time", "(UTC+02:00) Chisinau", "Europe/Chisinau" },
  { "Syria Standard Time", "(UTC+02:00) Damascus", "Asia/Damascus" },
  { "West Bank Standard Time", "(UTC+02:00) Gaza, Hebron", "Asia/Hebron" },
  { "South Africa Standard Time", "(UTC+02:00) Harare, Pretoria", "Africa/Johannesburg" },
  { "FLE Standard Time", "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "Europe/Kyiv" },
  { "Israel Standard Time", "(UTC+02:00) Jerusalem", "Asia/Jerusalem" },
  { "South Sudan Standard Time", "(UTC+02:00) Juba", "Africa/Juba" },
  { "Kaliningrad Standard Time", "(UTC+02:00) Kaliningrad", "Europe/Kaliningrad" },
  { "Sudan Standard Time", "(UTC+02:00) Khartoum", "Africa/Khartoum" },
  { "Libya Standard Time", "(UTC+02:00) Tripoli", "Africa/Tripoli" },
  { "Namibia Standard Time", "(UTC+02:00) Windhoek", "Africa/Windhoek" },
  { "Arabic Standard Time", "(UTC+03:00) Baghdad", "Asia/Baghdad" },
  { "Turkey Standard Time", "(UTC+03:00) Istanbul", "Europe/Istanbul" },
  { "Arab Standard Time", "(UTC+03:00) Kuwait, Riyadh", "Asia/Riyadh" },
  { "Belarus Standard Time", "(UTC+03:00) Minsk", "Europe/Minsk" },
  { "Russian Standard Time", "(UTC+03:00) Moscow, St. Petersburg", "Europe/Moscow" },
  { "E. Africa Standard Time", "(UTC+03:00) Nairobi", "Africa/Nairobi" },
  { "Iran Standard Time", "(UTC+03:30) Tehran", "Asia/Tehran" },
  { "Arabian Standard Time", "(UTC+04:00) Abu Dhabi, Muscat", "Asia/Dubai" },
  { "Astrakhan Standard Time", "(UTC+04:00) Astrakhan, Ulyanovsk", "Europe/Astrakhan" },
  { "Azerbaijan Standard Time", "(UTC+04:00) Baku", "Asia/Baku" },
  { "Russia Time Zone 3", "(UTC+04:00) Izhevsk, Samara", "Europe/Samara" },
  { "Mauritius Standard Time", "(UTC+04:00) Port Louis", "Indian/Mauritius" },
  { "Saratov Standard Time", "(UTC+04:00) Saratov", "Europe/Saratov" },
  { "Georgian Standard Time", "(UTC+04:00) Tbilisi", "Asia/Tbilisi" },
  { "Volgograd Standard Time", "(UTC+04:00) Volgograd", "Europe/Volgograd" },
  { "Caucasus Standard Time", "(UTC+04:00) Yerevan", "Asia/Yerevan" },
  { "Afghanistan Standard Time", "(UTC+04:30) Kabul", "Asia/Kabul" },
  { "West Asia Standard Time", "(UTC+05:00) Ashgabat, Tashkent", "Asia/Tashkent" },
  { "Ekaterinburg Standard Time", "(UTC+05:00) Ekaterinburg", "Asia/Yekaterinburg" },
  { "Pakistan Standard Time", "(UTC+05:00) Islamabad, Karachi", "Asia/Karachi" },
  { "Qyzylorda Standard Time", "(UTC+05:00) Qyzylorda", "Asia/Qyzylorda" },
  { "India Standard Time", "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata" },
  { "Sri Lanka Standard Time", "(UTC+05:30) Sri Jayawardenepura", "Asia/Colombo" },
  { "Nepal Standard Time", "(UTC+05:45) Kathmandu", "Asia/Kathmandu" },
  { "Central Asia Standard Time", "(UTC+06:00) Astana", "Asia/Bishkek" },
  { "Bangladesh Standard Time", "(UTC+06:00) Dhaka", "Asia/Dhaka" },
  { "Omsk Standard Time", "(UTC+06:00) Omsk", "Asia/Omsk" },
  { "Myanmar Standard Time", "(UTC+06:30) Yangon (Rangoon)", "Asia/Yangon" },
  { "SE Asia Standard Time", "(UTC+07:00) Bangkok, Hanoi, Jakarta", "Asia/Bangkok" },
  { "Altai Standard Time", "(UTC+07:00) Barnaul, Gorno-Altaysk", "Asia/Barnaul" },
  { "W. Mongolia Standard Time", "(UTC+07:00) Hovd", "Asia/Hovd" },
  { "North Asia Standard Time", "(UTC+07:00) Krasnoyarsk", "Asia/Krasnoyarsk" },
  { "N. Central Asia Standard Time", "(UTC+07:00) Novosibirsk", "Asia/Novosibirsk" },
  { "Tomsk Standard Time", "(UTC+07:00) Tomsk", "Asia/Tomsk" },
  { "China Standard Time", "(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi", "Asia/Shanghai" },
  { "North Asia East Standard Time", "(UTC+08:00) Irkutsk", "Asia/Irkutsk" },
  { "Singapore Standard Time", "(UTC+08:00) Kuala Lumpur, Singapore", "Asia/Singapore" },
  { "W. Australia Standard Time", "(UTC+08:00) Perth", "Australia/Perth" },
  { "Taipei Standard Time", "(UTC+08:00) Taipei", "Asia/Taipei" },
  { "Ulaanbaatar Standard Time", "(UTC+08:00) Ulaanbaatar", "Asia/Ulaanbaatar" },
  { "Aus Central W. Standard Time", "(UTC+08:45) Eucla", "Australia/Eucla" },
  { "Transbaikal Standard Time", "(UTC+09:00) Chita", "Asia/Chita" },
  { "Tokyo Standard Time", "(UTC+09:00) Osaka, Sapporo, Tokyo", "Asia/Tokyo" },
  { "North Korea Standard Time", "(UTC+09:00) Pyongyang", "Asia/Pyongyang" },
  { "Korea Standard Time", "(UTC+09:00) Seoul", "Asia/Seoul" },
  { "Yakutsk Standard Time", "(UTC+09:00) Yakutsk", "Asia/Yakutsk" },
  { "Cen. Australia Standard Time", "(UTC+09:30) Adelaide", "Australia/Adelaide" },
  { "AUS Central Standard Time", "(UTC+09:30) Darwin", "Australia/Darwin" },
  { "E. Australia Standard Time", "(UTC+10:00) Brisbane", "Australia/Brisbane" },
  { "AUS Eastern Standard Time", "(UTC+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney" },
  { "West Pacific Standard Time", "(UTC+10:00) Guam, Port Moresby", "Pacific/Port_Moresby" },
  { "Tasmania Standard Time", "(UTC+10:00) Hobart", "Australia/Hobart" },
  { "Vladivostok Standard Time", "(UTC+10:00) Vladivostok", "Asia/Vladivostok" },
  { "Lord Howe Standard Time", "(UTC+10:30) Lord Howe Island", "Australia/Lord_Howe" },
  { "Bougainville Standard Time", "(UTC+11:00) Bougainville Island", "Pacific/Bougainville" },
  { "Russia Time Zone 10", "(UTC+11:00) Chokurdakh", "Asia/Srednekolymsk" },
  { "Magadan Standard Time", "(UTC+11:00) Magadan", "Asia/Magadan" },
  { "Norfolk Standard Time", "(UTC+11:00) Norfolk Island", "Pacific/Norfolk" },
  { "Sakhalin Standard Time", "(UTC+11:00) Sakhalin", "Asia/Sakhalin" },
  { "Central Pacific Standard Time", "(UTC+11:00) Solomon Is., New Caledonia", "Pacific/Guadalcanal" },
  { "Russia Time Zone 11", "(UTC+12:00) Anadyr, Petropavlovsk-Kamchatsky", "Asia/Kamchatka" },
  { "New Zealand Standard Time", "(UTC+12:00) Auckland, Wellington", "Pacific/Auckland" },
  { "UTC+12", "(UTC+12:00) Coordinated Universal Time+12", "Etc/GMT-12" },
  { "Fiji Standard Time", "(UTC+12:00) Fiji", "Pacific/Fiji" },
  { "Chatham Islands Standard Time", "(UTC+12:45) Chatham Islands", "Pacific/Chatham" },
  { "UTC+13", "(UTC+13:00) Coordinated Universal Time+13", "Etc/GMT-13" },
  { "Tonga Standard Time", "(UTC+13:00) Nuku'alofa", "Pacific/Tongatapu" },
  { "Samoa Standard Time", "(UTC+13:00) Samoa", "Pacific/Apia" },
  { "Line Islands Standard Time", "(UTC+14:00) Kiritimati Island", "Pacific/Kiritimati" },
};

/* "(UTC+01:00) Amsterdam, …" → "Amsterdam, …"; older Windows wrote "(GMT+01:00)" */
static const char *
display_cities (const char *display)
{
  const char *close;

  if (!g_str_has_prefix (display, "(UTC") && !g_str_has_prefix (display, "(GMT"))
    return NULL;
  if ((close = strchr (display, ')')) == NULL)
    return NULL;

  close++;
  while (*close == ' ')
    close++;
  return close;
}

/* Standard offset in seconds of a display name: "(UTC-03:30) …" → -12600, "(UTC) …" → 0 */
static int
display_offset (const char *display)
{
  int hours = 0, minutes = 0;
  char sign = '+';

  if (sscanf (display + 4, "%c%2d:%2d", &sign, &hours, &minutes) != 3)
    return 0;

  return (sign == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
}

static const char *
windows_zone_to_iana (const char *name)
{
  const char *cities = display_cities (name);

  for (guint i = 0; i < G_N_ELEMENTS (windows_zones); i++)
    {
      const WindowsZone *zone = &windows_zones[i];

      if (g_ascii_strcasecmp (name, zone->windows) == 0 ||
          (cities != NULL && g_ascii_strcasecmp (cities, display_cities (zone->display)) == 0))
        return zone->iana;
    }

  return NULL;
}

/* Time zones ------------------------------------------------------------------ */

/* How a TZID turns local times into instants, and which IANA id the events get */
typedef struct
{
  char *id;             /* IANA id for CalsyncEvent's time zone ("UTC" for UTC) */
  icaltimezone *ical;   /* rules: an embedded VTIMEZONE or a built-in zone */
  gboolean owns_ical;
  GTimeZone *gtz;       /* rules when libical has none (floating → local, links) */
} Zone;

static void
zone_free (Zone *zone)
{
  if (zone->owns_ical)
    icaltimezone_free (zone->ical, TRUE);
  g_clear_pointer (&zone->gtz, g_time_zone_unref);
  g_free (zone->id);
  g_free (zone);
}

static Zone *
zone_new (const char   *id,
          icaltimezone *ical,
          gboolean      owns_ical,
          GTimeZone    *gtz)
{
  Zone *zone = g_new0 (Zone, 1);

  zone->id = g_strdup (id);
  zone->ical = ical;
  zone->owns_ical = owns_ical;
  zone->gtz = gtz;
  return zone;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm) */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 y = year - (month <= 2);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

/* The fields of @t read as UTC */
static gint64
fields_to_unix (struct icaltimetype t)
{
  return days_from_civil (t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

static struct icaltimetype
unix_to_fields (gint64 t)
{
  struct icaltimetype fields = icaltime_from_timet_with_zone ((time_t) t, 0, NULL);

  fields.zone = NULL;
  return fields;
}

/* The instant of local time @t (zone and is_date ignored) in @zone */
static gint64
zone_to_utc (Zone                *zone,
             struct icaltimetype  t)
{
  g_autoptr(GDateTime) dt = NULL;

  t.zone = NULL;
  t.is_date = 0;
  if (zone->ical != NULL)
    return icaltime_as_timet_with_zone (t, zone->ical);

  dt = g_date_time_new (zone->gtz, t.year, t.month, t.day, t.hour, t.minute, t.second);
  return dt != NULL ? g_date_time_to_unix (dt) : fields_to_unix (t);
}

/* Offset from UTC in seconds of @zone at instant @utc */
static int
zone_offset_at (Zone   *zone,
                gint64  utc)
{
  if (zone->ical != NULL)
    {
      struct icaltimetype local = icaltime_from_timet_with_zone ((time_t) utc, 0, zone->ical);

      local.zone = NULL;
      return (int) (fields_to_unix (local) - utc);
    }

  return g_time_zone_get_offset (zone->gtz, g_time_zone_find_interval (zone->gtz, G_TIME_TYPE_UNIVERSAL, utc));
}

static struct icaltimetype
zone_from_utc (Zone   *zone,
               gint64  utc)
{
  return unix_to_fields (utc + zone_offset_at (zone, utc));
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
        gint64 t = days_from_civil (year, month, day) * 86400 + 12 * 3600;
        gint interval = g_time_zone_find_interval (candidate, G_TIME_TYPE_UNIVERSAL, t);

        if (g_time_zone_get_offset (candidate, interval) != zone_offset_at (zone, t))
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
  int winter = zone_offset_at (zone, days_from_civil (year, 1, 15) * 86400);
  int summer = zone_offset_at (zone, days_from_civil (year, 7, 15) * 86400);
  int standard = MIN (winter, summer);

  for (guint i = 0; i < G_N_ELEMENTS (windows_zones); i++)
    if (display_offset (windows_zones[i].display) == standard &&
        zone_matches_iana (zone, windows_zones[i].iana, year))
      return g_strdup (windows_zones[i].iana);

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

/* The IANA id a TZID stands for: itself, the part after a vendor prefix
 * ("/mozilla.org/20050126_1/Europe/Berlin"), or a Windows name's zone. */
static char *
tzid_to_iana (const char *tzid)
{
  const char *windows;

  if (calsync_ical_is_utc_name (tzid))
    return g_strdup ("UTC");
  if (is_iana_name (tzid))
    return g_strdup (tzid);

  for (const char *p = strchr (tzid, '/'); p != NULL; p = strchr (p + 1, '/'))
    if (is_iana_name (p + 1))
      return g_strdup (p + 1);

  windows = windows_zone_to_iana (tzid);
  return windows ? g_strdup (calsync_ical_is_utc_name (windows) ? "UTC" : windows) : NULL;
}

static Zone *
zone_new_iana (const char *iana)
{
  icaltimezone *builtin;

  if (g_str_equal (iana, "UTC"))
    return zone_new ("UTC", icaltimezone_get_utc_timezone (), FALSE, NULL);
  if ((builtin = icaltimezone_get_builtin_timezone (iana)) != NULL)
    return zone_new (iana, builtin, FALSE, NULL);

  return zone_new (iana, NULL, FALSE, g_time_zone_new_identifier (iana));
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
  zone = zone_new (NULL, ical, TRUE, NULL);

  if (iana == NULL && location != NULL)
    iana = tzid_to_iana (location);
  zone->id = iana ? g_steal_pointer (&iana) : guess_iana_id (zone, year);
  return zone;
}

/* Parsing state ---------------------------------------------------------------- */

typedef struct
{
  char *email;
  char *name;
  const char *response;   /* Google's responseStatus */
} Attendee;

/* A DTSTART, DTEND, RECURRENCE-ID, RDATE or EXDATE value */
typedef struct
{
  struct icaltimetype time;   /* as written: wall clock, UTC ("Z") or a date */
  char *tzid;                 /* its TZID; NULL for UTC, floating times and dates */
  guint line;
} TimeValue;

typedef struct
{
  struct icalrecurrencetype rule;
  guint line;
} Rule;

/* One VEVENT, read here line by line (see the top of the file) */
typedef struct
{
  guint calendar;            /* index of its VCALENDAR */
  guint begin;               /* line of BEGIN:VEVENT */

  gboolean has_dtstart, has_dtend, has_duration, has_recurrence_id;
  TimeValue dtstart;
  TimeValue dtend;
  TimeValue recurrence_id;
  struct icaldurationtype duration;
  guint duration_line;
  GArray *rrules;            /* Rule */
  GArray *rdates;            /* TimeValue */
  GArray *exdates;           /* TimeValue */

  char *uid;
  char *summary;
  char *description;
  char *location;
  char *url;
  char *conference;          /* RFC 7986 CONFERENCE */
  char *google_conference;   /* X-GOOGLE-CONFERENCE */
  char *teams_url;           /* X-MICROSOFT-SKYPETEAMSMEETINGURL */
  CalsyncEventStatus status;
  gint64 last_modified;      /* µs since the epoch, 0 when absent */
  gint64 dtstamp;
  GPtrArray *attendees;      /* Attendee */
  Attendee *organizer;

  /* Worked out once per VEVENT, shared by the instances of a series */
  char *attendees_json;
  char *conference_url;
  CalsyncEventType type;
} EventInfo;

typedef enum
{
  CTX_NONE,
  CTX_CALENDAR,
  CTX_EVENT,
  CTX_TIMEZONE,
  CTX_TZ_RULE,
  CTX_SKIPPED,    /* components CalSync does not read: shape checked, not parsed */
} Context;

typedef struct
{
  char *name;
  Context context;
  guint line;
} Frame;

typedef struct
{
  /* Reading */
  icalparser *parser;       /* VCALENDARs and their VTIMEZONEs */
  GArray *stack;            /* Frame */
  GPtrArray *calendars;     /* icalcomponent VCALENDARs, freed at the end */
  GArray *calendar_lines;   /* guint: line of each BEGIN:VCALENDAR */
  GArray *events;           /* EventInfo, in document order */

  /* Converting */
  gint64 window_start;
  gint64 window_end;
  GHashTable *vtimezones;   /* TZID → icalcomponent of the current VCALENDAR */
  GHashTable *zones;        /* TZID → Zone of the current VCALENDAR */
  Zone *utc;
  Zone *local;
  gboolean calendar_cancelled;   /* METHOD:CANCEL */
  guint occurrences_left;   /* of MAX_OCCURRENCES */
  GPtrArray *results;       /* CalsyncEvent */
} Parser;

static void
frame_clear (gpointer data)
{
  g_free (((Frame *) data)->name);
}

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

static void
event_info_init (EventInfo *info,
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

static void
event_info_clear (gpointer data)
{
  EventInfo *info = data;

  time_value_clear (&info->dtstart);
  time_value_clear (&info->dtend);
  time_value_clear (&info->recurrence_id);
  g_clear_pointer (&info->rrules, g_array_unref);
  g_clear_pointer (&info->rdates, g_array_unref);
  g_clear_pointer (&info->exdates, g_array_unref);
  g_free (info->uid);
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

/* A guess at the number of VEVENTs, to size the arrays once */
static guint
guess_n_events (gsize length)
{
  return (guint) MIN (length / 400, 100000);
}

static void
parser_init (Parser *self,
             gsize   length,
             gint64  window_start,
             gint64  window_end)
{
  memset (self, 0, sizeof *self);
  self->parser = icalparser_new ();
  self->stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (self->stack, frame_clear);
  self->calendars = g_ptr_array_new_with_free_func ((GDestroyNotify) icalcomponent_free);
  self->calendar_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  self->events = g_array_sized_new (FALSE, TRUE, sizeof (EventInfo), guess_n_events (length));
  g_array_set_clear_func (self->events, event_info_clear);
  /* No event can be outside these, and the date arithmetic stays in range */
  self->window_start = CLAMP (window_start, MIN_UNIX, MAX_UNIX);
  self->window_end = CLAMP (window_end, MIN_UNIX, MAX_UNIX);
  self->occurrences_left = MAX_OCCURRENCES;
  self->vtimezones = g_hash_table_new (g_str_hash, g_str_equal);
  self->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) zone_free);
  self->results = g_ptr_array_new_full (guess_n_events (length), g_object_unref);
}

static void
parser_clear (Parser *self)
{
  g_clear_pointer (&self->parser, icalparser_free);
  g_clear_pointer (&self->stack, g_array_unref);
  g_clear_pointer (&self->calendars, g_ptr_array_unref);
  g_clear_pointer (&self->calendar_lines, g_array_unref);
  g_clear_pointer (&self->events, g_array_unref);
  g_clear_pointer (&self->vtimezones, g_hash_table_unref);
  g_clear_pointer (&self->zones, g_hash_table_unref);
  g_clear_pointer (&self->utc, zone_free);
  g_clear_pointer (&self->local, zone_free);
  g_clear_pointer (&self->results, g_ptr_array_unref);
}

/* Text to logical lines ----------------------------------------------------------- */

typedef struct
{
  const char *p;
  const char *end;
  guint line;          /* physical line of p */
  GString *buffer;     /* the current logical line, unfolded */
} Reader;

static const char *
find_line_end (const char *p,
               const char *end)
{
  while (p < end && *p != '\n' && *p != '\r')
    p++;
  return p;
}

/* Past the line end at @eol: "\r\n", "\n" or a lone "\r" (old Mac files, Kerio) */
static const char *
skip_line_end (const char *eol,
               const char *end)
{
  if (eol >= end)
    return end;
  if (*eol == '\r' && eol + 1 < end && eol[1] == '\n')
    return eol + 2;
  return eol + 1;
}

/* Reads the next logical line (continuation lines start with a space or a tab,
 * RFC 5545 3.1). Returns FALSE at the end of the text. */
static gboolean
reader_next (Reader *reader,
             guint  *line)
{
  if (reader->p >= reader->end)
    return FALSE;

  g_string_truncate (reader->buffer, 0);
  *line = reader->line;

  for (;;)
    {
      const char *eol = find_line_end (reader->p, reader->end);

      g_string_append_len (reader->buffer, reader->p, eol - reader->p);
      reader->p = skip_line_end (eol, reader->end);
      reader->line++;

      if (reader->p >= reader->end || (*reader->p != ' ' && *reader->p != '\t'))
        return TRUE;
      reader->p++;
    }
}

/* The physical line of byte @offset, counted as the reader counts */
static guint
line_of_offset (const char *data,
                gsize       offset)
{
  const char *end = data + offset;
  guint line = 1;

  for (const char *p = find_line_end (data, end); p < end; p = find_line_end (p, end))
    {
      p = skip_line_end (p, end);
      line++;
    }

  return line;
}

/* Content lines: NAME *(";" param) ":" value -------------------------------------- */

typedef struct
{
  char name[48];        /* upper case; "" when too long to be one CalSync reads */
  const char *value;
  gboolean has_params;
} ContentLine;

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

static const char *
skip_name (const char *p)
{
  while (is_name_char (*p))
    p++;
  return p;
}

/* One parameter value: quoted (no '"' inside) or up to ; : , */
static const char *
skip_param_value (const char *p)
{
  if (*p == '"')
    {
      const char *close = strchr (p + 1, '"');
      return close ? close + 1 : NULL;
    }

  while (*p != '\0' && *p != ';' && *p != ':' && *p != ',' && *p != '"')
    p++;
  return p;
}

/* name=value[,value…]; returns the position after it or NULL */
static const char *
skip_param (const char *p)
{
  const char *after_name = skip_name (p);

  if (after_name == p || *after_name != '=')
    return NULL;

  p = after_name;
  do
    {
      if ((p = skip_param_value (p + 1)) == NULL)
        return NULL;
    }
  while (*p == ',');

  return p;
}

static gboolean
split_content_line (const char  *text,
                    ContentLine *content)
{
  const char *p = skip_name (text);
  gsize name_len = p - text;

  if (name_len == 0)
    return FALSE;

  content->has_params = (*p == ';');
  while (*p == ';')
    if ((p = skip_param (p + 1)) == NULL)
      return FALSE;

  if (*p != ':')
    return FALSE;

  content->value = p + 1;
  content->name[0] = '\0';
  if (name_len < sizeof content->name)
    {
      for (gsize i = 0; i < name_len; i++)
        content->name[i] = g_ascii_toupper (text[i]);
      content->name[name_len] = '\0';
    }

  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  while (*text == ' ' || *text == '\t')
    text++;
  return *text == '\0';
}

static char *
excerpt (const char *text)
{
  glong len = g_utf8_strlen (text, -1);

  if (len <= MAX_EXCERPT)
    return g_strdup (text);

  return g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (text, MAX_EXCERPT) - text), text);
}

/* Parameter values: quotes removed, RFC 6868 ^n ^^ ^' decoded */
static char *
decode_param_value (const char *start,
                    const char *end)
{
  char *value, *out;

  if (end - start >= 2 && *start == '"')
    start++, end--;

  /* Decoding only shortens */
  out = value = g_malloc (end - start + 1);
  for (const char *p = start; p < end; p++)
    {
      if (*p == '^' && p + 1 < end && strchr ("n^'", p[1]) != NULL)
        {
          p++;
          *out++ = *p == 'n' ? '\n' : *p == '\'' ? '"' : '^';
        }
      else
        *out++ = *p;
    }
  *out = '\0';

  return value;
}

/* The first value of parameter @name of a content line (already checked by
 * split_content_line), or NULL */
static char *
find_param (const char *text,
            const char *name)
{
  const char *p = skip_name (text);

  while (*p == ';')
    {
      const char *param = p + 1;
      const char *equals = skip_name (param);
      const char *value_end = skip_param_value (equals + 1);
      gboolean match = (gsize) (equals - param) == strlen (name) &&
                       g_ascii_strncasecmp (param, name, equals - param) == 0;

      if (match)
        return decode_param_value (equals + 1, value_end);

      p = value_end;
      while (*p == ',')
        p = skip_param_value (p + 1);
    }

  return NULL;
}

/* Dates and times: YYYYMMDD[THHMMSS[Z]] with real months, days and hours ---------- */

static gboolean
read_digits (const char **p,
             guint        n,
             int         *value)
{
  *value = 0;
  for (guint i = 0; i < n; i++, (*p)++)
    {
      if (!g_ascii_isdigit (**p))
        return FALSE;
      *value = *value * 10 + (**p - '0');
    }
  return TRUE;
}

/* Reads a date or date-time at *@p into @t (zone UTC for "Z"), past its end */
static gboolean
read_date_time (const char          **p,
                struct icaltimetype  *t)
{
  *t = icaltime_null_time ();
  if (!read_digits (p, 4, &t->year) || !read_digits (p, 2, &t->month) || !read_digits (p, 2, &t->day) ||
      t->year < 1 || !g_date_valid_dmy ((GDateDay) t->day, (GDateMonth) t->month, (GDateYear) t->year))
    return FALSE;

  if (**p != 'T')
    {
      t->is_date = 1;
      return TRUE;
    }

  (*p)++;
  if (!read_digits (p, 2, &t->hour) || !read_digits (p, 2, &t->minute) || !read_digits (p, 2, &t->second) ||
      t->hour > 23 || t->minute > 59 || t->second > 60)
    return FALSE;
  if (**p == 'Z')
    {
      t->zone = icaltimezone_get_utc_timezone ();
      (*p)++;
    }
  return TRUE;
}

/* Calls @func on each item of a comma-separated list of dates or date-times
 * (periods "start/end" give their start); FALSE on the first bad one. Only
 * dates with VALUE=DATE, which libical would not check. */
static gboolean
for_each_date (const char  *value,
               gboolean     dates_only,
               void       (*func) (struct icaltimetype t, gpointer data),
               gpointer     data)
{
  const char *p = value;

  for (;;)
    {
      struct icaltimetype t;

      if (!read_date_time (&p, &t) || (dates_only && !t.is_date))
        return FALSE;
      if (func != NULL)
        func (t, data);
      if (*p == '/')
        p += strcspn (p, ",");
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        return TRUE;
      if (*p++ != ',')
        return FALSE;
    }
}

/* UNTIL=… inside an RRULE */
static gboolean
rrule_until_is_valid (const char *value)
{
  for (const char *p = value; *p != '\0'; p += strcspn (p, ";"), p += (*p == ';'))
    if (g_ascii_strncasecmp (p, "UNTIL=", 6) == 0)
      {
        const char *date = p + 6;
        struct icaltimetype t;

        return read_date_time (&date, &t) && (*date == '\0' || *date == ';');
      }

  return TRUE;
}

/* Which lines are read, and by whom ----------------------------------------------- */

typedef enum
{
  PROP_MAY_BE_EMPTY = 1 << 0,
  PROP_DATE         = 1 << 1,   /* one date or date-time, checked here */
  PROP_DATE_LIST    = 1 << 2,   /* a comma-separated list of them */
} PropFlags;

typedef struct
{
  const char *name;
  Context context;
  PropFlags flags;
} KnownProperty;

/* Everything else is skipped: CalSync does not use it, and a vendor's odd
 * X-property or an unknown IANA one must not make a file unreadable. Lines of
 * a VEVENT are read here; the others go to libical. */
static const KnownProperty known_properties[] = {
  { "METHOD", CTX_CALENDAR, 0 },
  { "UID", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "DTSTART", CTX_EVENT, PROP_DATE },
  { "DTEND", CTX_EVENT, PROP_DATE },
  { "DURATION", CTX_EVENT, 0 },
  { "RECURRENCE-ID", CTX_EVENT, PROP_DATE },
  { "RRULE", CTX_EVENT, 0 },
  { "RDATE", CTX_EVENT, PROP_DATE_LIST },
  { "EXDATE", CTX_EVENT, PROP_DATE_LIST },
  { "SUMMARY", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "DESCRIPTION", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "LOCATION", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "STATUS", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "ATTENDEE", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "ORGANIZER", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "URL", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "CONFERENCE", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "LAST-MODIFIED", CTX_EVENT, PROP_DATE },
  { "DTSTAMP", CTX_EVENT, PROP_DATE },
  { "X-GOOGLE-CONFERENCE", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "X-MICROSOFT-SKYPETEAMSMEETINGURL", CTX_EVENT, PROP_MAY_BE_EMPTY },
  { "TZID", CTX_TIMEZONE, 0 },
  { "X-LIC-LOCATION", CTX_TIMEZONE, PROP_MAY_BE_EMPTY },
  { "DTSTART", CTX_TZ_RULE, PROP_DATE },
  { "TZOFFSETFROM", CTX_TZ_RULE, 0 },
  { "TZOFFSETTO", CTX_TZ_RULE, 0 },
  { "RRULE", CTX_TZ_RULE, 0 },
  { "RDATE", CTX_TZ_RULE, PROP_DATE_LIST },
};

static const KnownProperty *
find_known_property (Context     context,
                     const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_properties); i++)
    if (known_properties[i].context == context && g_str_equal (known_properties[i].name, name))
      return &known_properties[i];

  return NULL;
}

static Frame *
top_frame (Parser *self)
{
  return self->stack->len ? &g_array_index (self->stack, Frame, self->stack->len - 1) : NULL;
}

static Context
current_context (Parser *self)
{
  Frame *top = top_frame (self);

  return top ? top->context : CTX_NONE;
}

static EventInfo *
current_event (Parser *self)
{
  return &g_array_index (self->events, EventInfo, self->events->len - 1);
}

/* Hands one line to libical; FALSE (and a message naming @line) when it refuses it */
static gboolean
feed_line (Parser      *self,
           char        *text,
           guint        line,
           const char  *name,
           GError     **error)
{
  icalcomponent *done = icalparser_add_line (self->parser, text);

  if (done != NULL)
    g_ptr_array_add (self->calendars, done);

  if (icalparser_get_state (self->parser) == ICALPARSER_ERROR)
    /* Translators: %s is a property name such as DTSTART */
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("%s has a value CalSync cannot read"), name);

  return TRUE;
}

/* The date part of a date property: after the last ':', which also skips an
 * unquoted "TZID=GMT+05:30" (Google, 2012) */
static const char *
date_value (const char *text)
{
  return strrchr (text, ':') + 1;
}

static gboolean
check_property_value (const KnownProperty  *known,
                      const char           *text,
                      const ContentLine    *content,
                      guint                 line,
                      GError              **error)
{
  const char *date = (known->flags & (PROP_DATE | PROP_DATE_LIST)) ? date_value (text) : NULL;
  g_autofree char *value_type = (date != NULL && content->has_params) ? find_param (text, "VALUE") : NULL;
  gboolean dates_only = g_strcmp0 (value_type, "DATE") == 0;

  if (date != NULL && (!for_each_date (date, dates_only, NULL, NULL) ||
                       ((known->flags & PROP_DATE) && strchr (date, ',') != NULL)))
    {
      g_autofree char *shown = excerpt (date);
      return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                             _("“%s” is not a valid date or time"), shown);
    }

  if (g_str_equal (known->name, "RRULE") && !rrule_until_is_valid (content->value))
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                           _("the UNTIL date of the repeat rule is not valid"));

  return TRUE;
}

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
  if ((iterator = icalrecur_iterator_new (rule, start)) == NULL)
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
static gboolean
check_zone_rule (const ContentLine  *content,
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
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("%s has a value CalSync cannot read"), "RRULE");
  if (!yearly)
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                           _("a time zone rule may only repeat once or twice a year"));

  return TRUE;
}

/* Properties of a VEVENT ------------------------------------------------------ */

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
  g_autofree char *partstat = content->has_params ? find_param (text, "PARTSTAT") : NULL;
  g_autofree char *address = g_strstrip (g_strdup (content->value));

  attendee->email = g_strdup (strip_mailto (address));
  attendee->name = content->has_params ? find_param (text, "CN") : NULL;
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
  const char *date = date_value (text);
  struct icaltimetype t;

  read_date_time (&date, &t);
  return t;
}

/* LAST-MODIFIED, DTSTAMP: UTC date-times, in microseconds */
static gint64
read_timestamp (const char *text)
{
  return fields_to_unix (first_date_time (text)) * G_USEC_PER_SEC;
}

/* The TZID of a date property, as libical reads it: an unquoted value may hold
 * colons ("TZID=GMT+05:30:20120904T020000") and then runs to the last one */
static char *
read_tzid (const char        *text,
           const ContentLine *content)
{
  const char *date = date_value (text);
  const char *start;

  if (!content->has_params)
    return NULL;
  if (date == content->value || (start = strstr (text, ";TZID=")) == NULL)
    return find_param (text, "TZID");

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
append_time_value (struct icaltimetype t,
                   gpointer            user_data)
{
  DateListData *data = user_data;
  TimeValue value = { t, NULL, data->line };

  if (!t.is_date && !icaltime_is_utc (t))
    value.tzid = g_strdup (data->tzid);
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

  for_each_date (date_value (text), FALSE, append_time_value, &data);
}

static gboolean
outside_years (guint    line,
               GError **error)
{
  return set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, line, _("the event is outside the years 1 to 9999"));
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
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("%s has a value CalSync cannot read"), "DURATION");
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
      return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("%s has a value CalSync cannot read"), "RRULE");
    }

  g_array_append_val (info->rrules, rule);
  return TRUE;
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
    read_once (&info->recurrence_id, &info->has_recurrence_id, text, content, line);
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

  return TRUE;
}

static gboolean
read_event_property (EventInfo          *info,
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

static gboolean
read_property (Parser             *self,
               char               *text,
               const ContentLine  *content,
               guint               line,
               GError            **error)
{
  Context context = current_context (self);
  const KnownProperty *known;

  if (context == CTX_NONE)
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                           _("text outside of BEGIN:VCALENDAR … END:VCALENDAR"));

  if (context == CTX_SKIPPED || (known = find_known_property (context, content->name)) == NULL)
    return TRUE;

  if (is_blank (content->value))
    {
      if (known->flags & PROP_MAY_BE_EMPTY)
        return TRUE;
      /* Translators: %s is a property name such as DTSTART */
      return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("%s has no value"), content->name);
    }

  if (!check_property_value (known, text, content, line, error))
    return FALSE;

  if (context == CTX_EVENT)
    return read_event_property (current_event (self), text, content, line, error);
  if (context == CTX_TZ_RULE && g_str_equal (content->name, "RRULE") && !check_zone_rule (content, line, error))
    return FALSE;

  return feed_line (self, text, line, content->name, error);
}

/* BEGIN and END ---------------------------------------------------------------- */

/* The context a component opens inside @parent, or -1 when it may not be there */
static int
child_context (Context     parent,
               const char *component)
{
  gboolean is_calendar = g_str_equal (component, "VCALENDAR");
  gboolean is_event = g_str_equal (component, "VEVENT");
  gboolean is_timezone = g_str_equal (component, "VTIMEZONE");

  switch (parent)
    {
    case CTX_NONE:
      return is_calendar ? CTX_CALENDAR : -1;
    case CTX_CALENDAR:
      return is_calendar ? -1 : is_event ? CTX_EVENT : is_timezone ? CTX_TIMEZONE : CTX_SKIPPED;
    case CTX_EVENT:
      return is_calendar || is_event || is_timezone ? -1 : CTX_SKIPPED;
    case CTX_TIMEZONE:
      return g_str_equal (component, "STANDARD") || g_str_equal (component, "DAYLIGHT")
             ? CTX_TZ_RULE : CTX_SKIPPED;
    case CTX_TZ_RULE:
    case CTX_SKIPPED:
    default:
      return CTX_SKIPPED;
    }
}

static char *
component_name (const char *value)
{
  g_autofree char *name = g_ascii_strup (value, -1);

  return g_strdup (g_strstrip (name));
}

/* VEVENTs are read here; VCALENDAR and VTIMEZONE go to libical too */
static gboolean
open_component (Parser      *self,
                Context      context,
                char        *text,
                guint        line,
                GError     **error)
{
  EventInfo info;

  switch (context)
    {
    case CTX_EVENT:
      event_info_init (&info, self->calendar_lines->len - 1, line);
      g_array_append_val (self->events, info);
      return TRUE;
    case CTX_CALENDAR:
      g_array_append_val (self->calendar_lines, line);
      return feed_line (self, text, line, "BEGIN", error);
    case CTX_TIMEZONE:
    case CTX_TZ_RULE:
      return feed_line (self, text, line, "BEGIN", error);
    case CTX_NONE:
    case CTX_SKIPPED:
    default:
      return TRUE;
    }
}

static gboolean
read_begin (Parser             *self,
            char               *text,
            const ContentLine  *content,
            guint               line,
            GError            **error)
{
  g_autofree char *name = component_name (content->value);
  Frame *top = top_frame (self);
  int context = child_context (top ? top->context : CTX_NONE, name);
  Frame frame = { NULL, 0, line };

  if (*name == '\0' || !is_name_char (*name) || *skip_name (name) != '\0')
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("BEGIN needs the name of a component"));
  if (context < 0 && top == NULL)
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                           _("this is not an iCalendar file (BEGIN:VCALENDAR is missing)"));
  if (context < 0)
    {
      g_autofree char *shown = excerpt (name);
      g_autofree char *parent = excerpt (top->name);

      return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("BEGIN:%s cannot be inside BEGIN:%s"),
                             shown, parent);
    }
  if (self->stack->len >= MAX_DEPTH)
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("components are nested too deeply"));

  frame.name = g_steal_pointer (&name);
  frame.context = context;
  g_array_append_val (self->stack, frame);
  return open_component (self, context, text, line, error);
}

static gboolean
read_end (Parser             *self,
          char               *text,
          const ContentLine  *content,
          guint               line,
          GError            **error)
{
  g_autofree char *name = component_name (content->value);
  g_autofree char *shown = excerpt (name);
  Frame *top = top_frame (self);
  Context context;

  if (top == NULL)
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                           _("END:%s has no matching BEGIN"), shown);
  if (!g_str_equal (top->name, name))
    {
      g_autofree char *parent = excerpt (top->name);

      return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                             /* Translators: END:VEVENT does not match BEGIN:VTIMEZONE on line 12 */
                             _("END:%s does not match BEGIN:%s on line %u"), shown, parent, top->line);
    }

  context = top->context;
  g_array_set_size (self->stack, self->stack->len - 1);
  if (context == CTX_SKIPPED || context == CTX_EVENT)
    return TRUE;

  return feed_line (self, text, line, "END", error);
}

static gboolean
read_line (Parser   *self,
           char     *text,
           guint     line,
           GError  **error)
{
  ContentLine content;

  if (is_blank (text))
    return TRUE;

  if (!split_content_line (text, &content))
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                           _("this is not an iCalendar line (NAME:value)"));

  if (g_str_equal (content.name, "BEGIN"))
    return read_begin (self, text, &content, line, error);
  if (g_str_equal (content.name, "END"))
    return read_end (self, text, &content, line, error);

  return read_property (self, text, &content, line, error);
}

static gboolean
read_text (Parser      *self,
           const char  *data,
           gsize        length,
           GError     **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (256);
  Reader reader = { data, data + length, 1, buffer };
  guint line = 1;

  while (reader_next (&reader, &line))
    if (!read_line (self, buffer->str, line, error))
      return FALSE;

  if (self->stack->len > 0)
    {
      Frame *top = top_frame (self);
      g_autofree char *shown = excerpt (top->name);

      return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, top->line,
                             _("BEGIN:%s is never closed (END:%s is missing)"), shown, shown);
    }

  if (self->calendars->len == 0)
    return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, 1,
                           _("this is not an iCalendar file (BEGIN:VCALENDAR is missing)"));

  /* One libical component per BEGIN:VCALENDAR, the structure being checked */
  g_assert (self->calendars->len == self->calendar_lines->len);
  return TRUE;
}

/* libical's complaints that did not show in its state (a safety net) */
static gboolean
find_lib_errors (icalcomponent  *component,
                 guint           line,
                 GError        **error)
{
  if (icalcomponent_count_errors (component) == 0)
    return TRUE;

  return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line, _("this component cannot be read"));
}

/* Times of one VEVENT ---------------------------------------------------------------- */

typedef struct
{
  Zone *zone;                   /* of DTSTART; NULL for all-day events */
  struct icaltimetype start;    /* DTSTART as written (wall clock or date) */
  gboolean all_day;
  gint64 start_utc;             /* timed */
  gint64 end_utc;
  int days;                     /* all-day: number of days */
  gboolean nominal;             /* DURATION with days or weeks: added on the wall clock */
  struct icaldurationtype duration;
} EventTimes;

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

  if (zone == NULL || (zone->ical == NULL && zone->gtz == NULL))
    {
      g_autofree char *shown = excerpt (tzid);

      g_clear_pointer (&zone, zone_free);
      set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, line,
                      _("the time zone “%s” is not defined in the file"), shown);
      return NULL;
    }

  g_hash_table_insert (self->zones, g_strdup (tzid), zone);
  return zone;
}

/* The zone of a date-time: its TZID, UTC for "Z", the local zone when floating */
static Zone *
value_zone (Parser           *self,
            const TimeValue  *value,
            GError          **error)
{
  if (icaltime_is_utc (value->time))
    return self->utc;
  if (value->tzid == NULL)
    return self->local;

  return lookup_zone (self, value->tzid, value->time.year, value->line, error);
}

static struct icaltimetype
add_days (struct icaltimetype t,
          int                 days)
{
  icaltime_adjust (&t, days, 0, 0, 0);
  return t;
}

static gint64
date_key (struct icaltimetype t)
{
  return days_from_civil (t.year, t.month, t.day);
}

/* End instant of an occurrence starting at @local (wall clock) / @start_utc */
static gint64
occurrence_end (const EventTimes    *times,
                struct icaltimetype  local,
                gint64               start_utc)
{
  gint64 end;

  if (!times->nominal)
    return start_utc + (times->end_utc - times->start_utc);

  end = zone_to_utc (times->zone, add_days (local, (int) duration_days (times->duration)));
  return end + duration_clock_seconds (times->duration);
}

static gboolean
ends_before_start (guint    line,
                   GError **error)
{
  return set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, line, _("the event ends before it starts"));
}

/* The line of DTEND or DURATION, else DTSTART's */
static guint
end_line (const EventInfo *info)
{
  return info->has_dtend ? info->dtend.line : info->has_duration ? info->duration_line : info->dtstart.line;
}

static gboolean
read_all_day_end (EventTimes       *times,
                  const EventInfo  *info,
                  GError          **error)
{
  static const struct icaltimetype last_day = { .year = 9999, .month = 12, .day = 31, .is_date = 1 };
  gint64 days;

  if (info->has_dtend && !info->dtend.time.is_date)
    return set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->dtend.line,
                           _("DTSTART is a date but DTEND is a date and time"));

  if (info->has_dtend)
    days = date_key (info->dtend.time) - date_key (times->start);
  else if (info->has_duration)
    days = duration_days (times->duration) + (duration_clock_seconds (times->duration) + 86399) / 86400;
  else
    days = 1;

  if (days < 0 || (!info->has_dtend && times->duration.is_neg))
    return ends_before_start (end_line (info), error);
  /* The end date is exclusive, and must be written with four digits */
  if (date_key (times->start) + days > date_key (last_day))
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
        return set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->dtend.line,
                               _("DTSTART is a date and time but DTEND is a date"));
      if ((end_zone = value_zone (self, &info->dtend, error)) == NULL)
        return FALSE;
      times->end_utc = zone_to_utc (end_zone, info->dtend.time);
      if (times->end_utc < times->start_utc)
        return ends_before_start (info->dtend.line, error);
      return TRUE;
    }

  if (info->has_duration && times->duration.is_neg)
    return ends_before_start (info->duration_line, error);

  times->nominal = info->has_duration && duration_days (times->duration) != 0;
  times->end_utc = times->start_utc + (info->has_duration ? duration_seconds (times->duration) : 0);
  if (times->nominal)
    times->end_utc = occurrence_end (times, times->start, times->start_utc);
  return TRUE;
}

static gboolean
read_times (Parser           *self,
            const EventInfo  *info,
            EventTimes       *times,
            GError          **error)
{
  memset (times, 0, sizeof *times);
  if (!info->has_dtstart)
    return set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->begin,
                           _("the event has no start (DTSTART)"));

  times->start = info->dtstart.time;
  times->start.zone = NULL;
  times->all_day = times->start.is_date;
  times->duration = info->duration;

  if (times->all_day)
    return read_all_day_end (times, info, error);

  if ((times->zone = value_zone (self, &info->dtstart, error)) == NULL)
    return FALSE;
  times->start_utc = zone_to_utc (times->zone, times->start);
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
static void
derive_event_info (EventInfo *info)
{
  info->attendees_json = attendees_json (info);
  info->conference_url = conference_url (info);
  info->type = calsync_classify_event_type (info->summary, info->description, info->attendees->len > 0);
}

/* Everything but ids and times, from @info (a master or an override) */
static void
map_fields (CalsyncEvent    *event,
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

/* Sets the times of an occurrence: all-day from @local's date, else [start, end) */
static void
set_occurrence_times (CalsyncEvent        *event,
                      const EventTimes    *times,
                      struct icaltimetype  local,
                      gint64               start_utc,
                      gint64               end_utc)
{
  if (times->all_day)
    {
      g_autofree char *start = calsync_ical_format_date (local);
      g_autofree char *end = calsync_ical_format_date (add_days (local, times->days));

      calsync_event_set_dates (event, start, end);
    }
  else
    calsync_event_set_times (event, start_utc, end_utc, times->zone->id);
}

/* Instances -------------------------------------------------------------------- */

/* When an occurrence was meant to start: the instance's identity */
typedef struct
{
  gboolean all_day;
  struct icaltimetype local;   /* wall clock in @zone, or the date */
  gint64 utc;                  /* timed */
  Zone *zone;
} Original;

/* Google's instance ids: "UID_20261201T090000Z", "UID_20261224" */
static char *
instance_id (const char     *uid,
             const Original *original)
{
  struct icaltimetype t = original->all_day ? original->local : unix_to_fields (original->utc);

  if (original->all_day)
    return g_strdup_printf ("%s_%04d%02d%02d", uid, t.year, t.month, t.day);

  return g_strdup_printf ("%s_%04d%02d%02dT%02d%02d%02dZ", uid, t.year, t.month, t.day,
                          t.hour, t.minute, t.second);
}

/* RFC 3339 with the offset of the event's zone, like Google's originalStartTime */
static char *
original_start_text (const Original *original)
{
  struct icaltimetype t;
  int offset;

  if (original->all_day)
    return calsync_ical_format_date (original->local);

  t = zone_from_utc (original->zone, original->utc);
  if (g_str_equal (original->zone->id, "UTC"))
    return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day, t.hour, t.minute, t.second);

  offset = zone_offset_at (original->zone, original->utc);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", t.year, t.month, t.day,
                          t.hour, t.minute, t.second, offset < 0 ? '-' : '+',
                          ABS (offset) / 3600, ABS (offset) % 3600 / 60);
}

/* Hash key of an occurrence: its UTC start, or its date */
static gint64
original_key (const Original *original)
{
  return original->all_day ? date_key (original->local) : original->utc;
}

/* The UTC range an occurrence covers: all-day ones as the store keeps them,
 * covering the dates in every zone (UTC+14 to UTC-12) */
static gboolean
overlaps_window (Parser   *self,
                 gboolean  all_day,
                 gint64    start,
                 gint64    end)
{
  if (all_day)
    {
      start -= 14 * 3600;
      end += 12 * 3600;
    }

  return start < self->window_end && (end > self->window_start || (end == start && start >= self->window_start));
}

static void
emit_instance (Parser              *self,
               const EventInfo     *source,
               const char          *uid,
               const Original      *original,
               const EventTimes    *times,
               struct icaltimetype  local,
               gint64               start_utc,
               gint64               end_utc,
               gboolean             cancelled)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();
  g_autofree char *id = instance_id (uid, original);
  g_autofree char *original_start = original_start_text (original);

  calsync_event_set_external_id (event, id);
  calsync_event_set_recurring_event_id (event, uid);
  calsync_event_set_original_start (event, original_start);
  set_occurrence_times (event, times, local, start_utc, end_utc);
  map_fields (event, source, cancelled);
  g_ptr_array_add (self->results, g_steal_pointer (&event));
}

/* The VEVENTs of one UID: the master and its overrides (RECURRENCE-ID) */
typedef struct
{
  const char *uid;
  const EventInfo *master;
  GPtrArray *overrides;       /* const EventInfo* */
} Series;

static void
series_free (Series *series)
{
  g_ptr_array_unref (series->overrides);
  g_free (series);
}

typedef struct
{
  Parser *self;
  Series *series;
  EventTimes times;
  gboolean cancelled;
  GHashTable *seen;           /* keys already produced */
  GHashTable *excluded;       /* EXDATE keys */
  GHashTable *exclude_dates;  /* EXDATE dates (VALUE=DATE on a timed series) */
  GHashTable *overridden;     /* keys that have an override */
} Expansion;

static Original
original_from_local (const EventTimes    *times,
                     struct icaltimetype  local)
{
  Original original = { times->all_day, local, 0, times->zone };

  if (!times->all_day)
    original.utc = zone_to_utc (times->zone, local);
  return original;
}

static void
add_key (GHashTable *keys,
         gint64      key)
{
  g_hash_table_add (keys, g_memdup2 (&key, sizeof key));
}

static gboolean
is_excluded (Expansion      *expansion,
             const Original *original)
{
  gint64 key = original_key (original);
  gint64 day = date_key (original->local);

  return g_hash_table_contains (expansion->excluded, &key) ||
         g_hash_table_contains (expansion->exclude_dates, &day);
}

/* Adds an occurrence of the rule or an RDATE; returns FALSE when past the window */
static gboolean
add_occurrence (Expansion           *expansion,
                struct icaltimetype  local)
{
  const EventTimes *times = &expansion->times;
  Original original = original_from_local (times, local);
  gint64 key = original_key (&original);
  gint64 start = times->all_day ? key * 86400 : original.utc;
  gint64 end = times->all_day ? start + times->days * 86400 : occurrence_end (times, local, original.utc);

  if (start - (times->all_day ? 14 * 3600 : 0) >= expansion->self->window_end)
    return FALSE;

  /* Before the window (a COUNT rule from long ago): nothing to remember */
  if (!overlaps_window (expansion->self, times->all_day, start, end) || g_hash_table_contains (expansion->seen, &key))
    return TRUE;
  add_key (expansion->seen, key);

  if (is_excluded (expansion, &original) || g_hash_table_contains (expansion->overridden, &key))
    return TRUE;

  emit_instance (expansion->self, expansion->series->master, expansion->series->uid, &original,
                 times, local, start, end, expansion->cancelled);
  return TRUE;
}

/* @value (an RDATE, EXDATE or RECURRENCE-ID) on the series' wall clock */
static gboolean
to_series_local (Expansion            *expansion,
                 const TimeValue      *value,
                 struct icaltimetype  *local,
                 GError              **error)
{
  struct icaltimetype t = value->time;
  Zone *zone;

  if (t.is_date || expansion->times.all_day)
    {
      *local = t;
      local->zone = NULL;
      local->is_date = expansion->times.all_day;
      return TRUE;
    }

  /* Floating: read on the series' own clock */
  zone = (value->tzid == NULL && !icaltime_is_utc (t)) ? expansion->times.zone : value_zone (expansion->self, value, error);
  if (zone == NULL)
    return FALSE;

  t.zone = NULL;
  *local = zone == expansion->times.zone ? t : zone_from_utc (expansion->times.zone, zone_to_utc (zone, t));
  local->zone = NULL;
  return TRUE;
}

/* The UNTIL of @rule on the same clock as the floating DTSTART handed to libical */
static void
localize_until (Expansion                 *expansion,
                struct icalrecurrencetype *rule)
{
  struct icaltimetype until = rule->until;

  if (icaltime_is_null_time (until))
    return;

  if (expansion->times.all_day)
    until.is_date = 1;
  else if (until.is_date)
    {
      until.is_date = 0;
      until.hour = 23, until.minute = 59, until.second = 59;
    }
  else if (icaltime_is_utc (until))
    until = zone_from_utc (expansion->times.zone, fields_to_unix (until));

  until.zone = NULL;
  rule->until = until;
}

/* libical 3.0 looks for the next occurrence of an hourly, minutely or secondly
 * rule with BYxxx parts one step at a time, up to the year 2582, inside one
 * call: "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30" never returns. No calendar app
 * makes such rules (Google and Outlook cannot even show them). */
static gboolean
rule_search_is_bounded (const struct icalrecurrencetype *rule)
{
  const short *parts[] = { rule->by_second, rule->by_minute, rule->by_hour, rule->by_day, rule->by_month_day,
                           rule->by_year_day, rule->by_week_no, rule->by_month, rule->by_set_pos };

  if (rule->freq >= ICAL_DAILY_RECURRENCE)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i][0] != ICAL_RECURRENCE_ARRAY_MAX)
      return FALSE;

  return TRUE;
}

/* The wall-clock time before which no occurrence can reach the window (its
 * length back, and two days for DST and the padding of all-day events).
 * FALSE when that is before DTSTART. */
static gboolean
find_skip_target (Expansion           *expansion,
                  struct icaltimetype *target)
{
  const EventTimes *times = &expansion->times;
  gint64 length = times->all_day ? (gint64) times->days * 86400 : times->end_utc - times->start_utc;
  gint64 earliest;

  if (expansion->self->window_start < MIN_UNIX + length + 2 * 86400)
    return FALSE;

  earliest = expansion->self->window_start - length - 2 * 86400;
  *target = times->all_day ? unix_to_fields (earliest) : zone_from_utc (times->zone, earliest);
  if (times->all_day)
    {
      target->is_date = 1;
      target->hour = target->minute = target->second = 0;
    }

  return icaltime_compare (*target, times->start) > 0;
}

/* An hourly, minutely or secondly rule without BYxxx parts is DTSTART + n ×
 * INTERVAL on the wall clock: its iterator starts at the last occurrence
 * before @target, with COUNT less the occurrences skipped (libical's own
 * icalrecur_iterator_set_start() loses the phase of such rules). FALSE when
 * COUNT ends before @target. */
static gboolean
skip_clock_rule (struct icalrecurrencetype *rule,
                 struct icaltimetype       *start,
                 struct icaltimetype        target)
{
  static const int unit[] = {
    [ICAL_SECONDLY_RECURRENCE] = 1, [ICAL_MINUTELY_RECURRENCE] = 60, [ICAL_HOURLY_RECURRENCE] = 3600,
  };
  gint64 step = (gint64) unit[rule->freq] * MAX (rule->interval, 1);
  gint64 first = fields_to_unix (*start);
  gint64 skipped = (fields_to_unix (target) - first) / step;

  if (rule->count > 0 && skipped >= rule->count)
    return FALSE;
  if (rule->count > 0)
    rule->count -= (int) skipped;

  *start = unix_to_fields (first + skipped * step);
  return TRUE;
}

/* An iterator over @rule that starts close to the window rather than at
 * DTSTART: a daily rule from 1990 spends thousands of steps before it, and
 * one from 1700 would spend all of MAX_RRULE_STEPS. NULL when the rule has
 * no occurrence left or libical cannot use it. */
static icalrecur_iterator *
new_iterator (Expansion                 *expansion,
              struct icalrecurrencetype *rule)
{
  struct icaltimetype start = expansion->times.start;
  struct icaltimetype target;
  gboolean skip = find_skip_target (expansion, &target);
  icalrecur_iterator *iterator;

  /* (An all-day series repeating hourly is odd; its steps stay bounded anyway) */
  if (skip && rule->freq < ICAL_DAILY_RECURRENCE && !start.is_date && !skip_clock_rule (rule, &start, target))
    return NULL;

  /* With COUNT, every occurrence from DTSTART on has to be counted */
  iterator = icalrecur_iterator_new (*rule, start);
  if (iterator != NULL && skip && rule->freq >= ICAL_DAILY_RECURRENCE && rule->count == 0)
    icalrecur_iterator_set_start (iterator, target);

  icalerror_clear_errno ();
  return iterator;
}

static gboolean
too_many_occurrences (guint    line,
                      GError **error)
{
  /* Translators: %u is a number (500000) */
  return set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, line,
                         _("the repeating events of this file have more than %u occurrences"), MAX_OCCURRENCES);
}

/* A rule CalSync cannot expand leaves the event with its DTSTART and RDATEs,
 * as RFC 5545 has it for a rule without occurrences: one odd rule must not
 * make a whole file or CalDAV calendar unreadable. */
static gboolean
expand_rrule (Expansion   *expansion,
              const Rule  *rule,
              GError     **error)
{
  struct icalrecurrencetype recurrence = rule->rule;
  icalrecur_iterator *iterator = NULL;
  gboolean ok = TRUE;

  localize_until (expansion, &recurrence);
  if (!rule_search_is_bounded (&recurrence))
    {
      g_debug ("Line %u: not expanding a rule libical could search for ever", rule->line);
      return TRUE;
    }

  /* No occurrence from the window on, or a rule libical cannot use */
  if ((iterator = new_iterator (expansion, &recurrence)) == NULL)
    return TRUE;

  for (guint steps = 0; ok && steps < MAX_RRULE_STEPS; steps++)
    {
      struct icaltimetype next;

      if (expansion->self->occurrences_left == 0)
        {
          ok = too_many_occurrences (rule->line, error);
          break;
        }

      expansion->self->occurrences_left--;
      next = icalrecur_iterator_next (iterator);
      /* Past the years events can have: icalrecur_iterator_set_start() derails
       * on some rules that never match */
      if (icaltime_is_null_time (next) || next.year > 9999 || !add_occurrence (expansion, next))
        break;
    }

  icalrecur_iterator_free (iterator);
  return ok;
}

static gboolean
expand_rrules (Expansion  *expansion,
               GError    **error)
{
  GArray *rules = expansion->series->master->rrules;

  for (guint i = 0; i < rules->len; i++)
    if (!expand_rrule (expansion, &g_array_index (rules, Rule, i), error))
      return FALSE;

  return TRUE;
}

static gboolean
add_rdates (Expansion  *expansion,
            GError    **error)
{
  GArray *rdates = expansion->series->master->rdates;

  for (guint i = 0; i < rdates->len; i++)
    {
      struct icaltimetype local;

      if (!to_series_local (expansion, &g_array_index (rdates, TimeValue, i), &local, error))
        return FALSE;
      add_occurrence (expansion, local);
    }

  return TRUE;
}

static gboolean
add_exdates (Expansion  *expansion,
             GError    **error)
{
  GArray *exdates = expansion->series->master->exdates;

  for (guint i = 0; i < exdates->len; i++)
    {
      const TimeValue *exdate = &g_array_index (exdates, TimeValue, i);
      struct icaltimetype local;
      Original original;

      if (exdate->time.is_date && !expansion->times.all_day)
        {
          add_key (expansion->exclude_dates, date_key (exdate->time));
          continue;
        }

      if (!to_series_local (expansion, exdate, &local, error))
        return FALSE;
      original = original_from_local (&expansion->times, local);
      add_key (expansion->excluded, original_key (&original));
    }

  return TRUE;
}

/* The original start of an override (its RECURRENCE-ID) */
static gboolean
read_override_original (Expansion        *expansion,
                        const EventInfo  *info,
                        Original         *original,
                        GError          **error)
{
  struct icaltimetype local;

  if (!to_series_local (expansion, &info->recurrence_id, &local, error))
    return FALSE;

  *original = original_from_local (&expansion->times, local);
  return TRUE;
}

static gboolean
mark_overridden (Expansion  *expansion,
                 GError    **error)
{
  GPtrArray *overrides = expansion->series->overrides;

  for (guint i = 0; i < overrides->len; i++)
    {
      Original original;

      if (!read_override_original (expansion, g_ptr_array_index (overrides, i), &original, error))
        return FALSE;
      add_key (expansion->overridden, original_key (&original));
    }

  return TRUE;
}

/* Start and end instants of an override at its own time */
static void
override_range (const EventTimes *times,
                gint64           *start,
                gint64           *end)
{
  *start = times->all_day ? date_key (times->start) * 86400 : times->start_utc;
  *end = times->all_day ? *start + times->days * 86400 : times->end_utc;
}

/* An override in the window at its own time, or at its original one (so that a
 * moved-away or cancelled instance reaches the store too) */
static gboolean
emit_override (Expansion        *expansion,
               const EventInfo  *info,
               GError          **error)
{
  EventTimes times;
  Original original;
  gint64 start, end, original_start;

  if (!read_override_original (expansion, info, &original, error) ||
      !read_times (expansion->self, info, &times, error))
    return FALSE;

  override_range (&times, &start, &end);
  original_start = original.all_day ? original_key (&original) * 86400 : original.utc;

  if (overlaps_window (expansion->self, times.all_day, start, end) ||
      overlaps_window (expansion->self, original.all_day, original_start, original_start))
    emit_instance (expansion->self, info, expansion->series->uid, &original, &times, times.start,
                   start, end, expansion->cancelled);
  return TRUE;
}

static gboolean
emit_overrides (Expansion  *expansion,
                GError    **error)
{
  GPtrArray *overrides = expansion->series->overrides;

  for (guint i = 0; i < overrides->len; i++)
    if (!emit_override (expansion, g_ptr_array_index (overrides, i), error))
      return FALSE;

  return TRUE;
}

static GHashTable *
key_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
expansion_clear (Expansion *expansion)
{
  g_clear_pointer (&expansion->seen, g_hash_table_unref);
  g_clear_pointer (&expansion->excluded, g_hash_table_unref);
  g_clear_pointer (&expansion->exclude_dates, g_hash_table_unref);
  g_clear_pointer (&expansion->overridden, g_hash_table_unref);
}

static gboolean
expand_series (Parser   *self,
               Series   *series,
               GError  **error)
{
  Expansion expansion = { self, series };
  gboolean ok;

  expansion.seen = key_set_new ();
  expansion.excluded = key_set_new ();
  expansion.exclude_dates = key_set_new ();
  expansion.overridden = key_set_new ();
  expansion.cancelled = self->calendar_cancelled || series->master->status == CALSYNC_EVENT_STATUS_CANCELLED;

  ok = read_times (self, series->master, &expansion.times, error) &&
       add_exdates (&expansion, error) &&
       mark_overridden (&expansion, error);

  /* DTSTART is always the first instance, even when the rule would skip it */
  if (ok)
    add_occurrence (&expansion, expansion.times.start);

  ok = ok && expand_rrules (&expansion, error) && add_rdates (&expansion, error) &&
       emit_overrides (&expansion, error);

  expansion_clear (&expansion);
  return ok;
}

/* Single events ------------------------------------------------------------------ */

static gboolean
emit_single (Parser           *self,
             const EventInfo  *info,
             GError          **error)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();
  EventTimes times;

  if (!read_times (self, info, &times, error))
    return FALSE;

  calsync_event_set_external_id (event, info->uid);
  set_occurrence_times (event, &times, times.start, times.start_utc, times.end_utc);
  map_fields (event, info, self->calendar_cancelled);
  g_ptr_array_add (self->results, g_steal_pointer (&event));
  return TRUE;
}

/* Overrides without their master in the file (an invitation to one instance):
 * single instances, whatever the window */
static gboolean
emit_orphans (Parser   *self,
              Series   *series,
              GError  **error)
{
  for (guint i = 0; i < series->overrides->len; i++)
    {
      const EventInfo *info = g_ptr_array_index (series->overrides, i);
      Expansion expansion = { self, series };
      Original original;

      if (!read_times (self, info, &expansion.times, error) ||
          !read_override_original (&expansion, info, &original, error))
        return FALSE;

      emit_instance (self, info, series->uid, &original, &expansion.times, expansion.times.start,
                     expansion.times.start_utc, expansion.times.end_utc, self->calendar_cancelled);
    }

  return TRUE;
}

static gboolean
emit_series (Parser   *self,
             Series   *series,
             GError  **error)
{
  if (series->master == NULL)
    return emit_orphans (self, series, error);
  if (series->master->rrules->len > 0 || series->master->rdates->len > 0)
    return expand_series (self, series, error);

  /* A plain event; overrides of a series without a rule are ignored */
  return emit_single (self, series->master, error);
}

/* Calendars ------------------------------------------------------------------------ */

static Series *
get_series (GHashTable *by_uid,
            GPtrArray  *order,
            const char *uid)
{
  Series *series = g_hash_table_lookup (by_uid, uid);

  if (series == NULL)
    {
      series = g_new0 (Series, 1);
      series->uid = uid;
      series->overrides = g_ptr_array_new ();
      g_hash_table_insert (by_uid, (char *) uid, series);
      g_ptr_array_add (order, series);
    }

  return series;
}

/* Files repeat a UID now and then (a calendar exported twice into one file):
 * the last master wins, so that the ids handed to the store are unique. */
static gboolean
add_event (GHashTable  *by_uid,
           GPtrArray   *order,
           EventInfo   *info,
           GError     **error)
{
  Series *series;

  if (info->uid == NULL || *info->uid == '\0')
    return set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->begin, _("the event has no UID"));

  derive_event_info (info);
  series = get_series (by_uid, order, info->uid);
  if (info->has_recurrence_id)
    g_ptr_array_add (series->overrides, info);
  else
    series->master = info;

  return TRUE;
}

static void
collect_vtimezones (Parser        *self,
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

/* The VEVENTs of calendar @index, from *@next on */
static gboolean
read_calendar (Parser   *self,
               guint     index,
               guint    *next,
               GError  **error)
{
  icalcomponent *calendar = g_ptr_array_index (self->calendars, index);
  g_autoptr(GHashTable) by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);

  if (!find_lib_errors (calendar, g_array_index (self->calendar_lines, guint, index), error))
    return FALSE;

  collect_vtimezones (self, calendar);
  self->calendar_cancelled = icalcomponent_get_method (calendar) == ICAL_METHOD_CANCEL;

  for (; *next < self->events->len && g_array_index (self->events, EventInfo, *next).calendar == index; (*next)++)
    if (!add_event (by_uid, order, &g_array_index (self->events, EventInfo, *next), error))
      return FALSE;

  for (guint i = 0; i < order->len; i++)
    if (!emit_series (self, g_ptr_array_index (order, i), error))
      return FALSE;

  return TRUE;
}

/* The last event of each external id (duplicated overrides, or a plain event
 * whose UID looks like an instance id of another) */
static GPtrArray *
without_duplicate_ids (GPtrArray *events)
{
  g_autoptr(GHashTable) last = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *unique = g_ptr_array_new_full (events->len, g_object_unref);

  for (guint i = 0; i < events->len; i++)
    g_hash_table_insert (last, (char *) calsync_event_get_external_id (g_ptr_array_index (events, i)),
                         GUINT_TO_POINTER (i));

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);

      if (GPOINTER_TO_UINT (g_hash_table_lookup (last, calsync_event_get_external_id (event))) == i)
        g_ptr_array_add (unique, g_object_ref (event));
    }

  return unique;
}

/* The local zone's IANA id, for floating times */
static Zone *
local_zone_new (void)
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

  return zone_new (id, NULL, FALSE, local);
}

static gboolean
check_encoding (const char  *data,
                gsize        length,
                GError     **error)
{
  const char *end = NULL;

  if (g_utf8_validate_len (data, length, &end))
    return TRUE;

  return set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line_of_offset (data, end - data),
                         _("the text is not valid UTF-8"));
}

static gboolean
parse (Parser      *self,
       const char  *data,
       gsize        length,
       GError     **error)
{
  guint next = 0;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    data += 3, length -= 3;

  if (!check_encoding (data, length, error) || !read_text (self, data, length, error))
    return FALSE;

  self->utc = zone_new ("UTC", icaltimezone_get_utc_timezone (), FALSE, NULL);
  self->local = local_zone_new ();

  for (guint i = 0; i < self->calendars->len; i++)
    if (!read_calendar (self, i, &next, error))
      return FALSE;

  return TRUE;
}

GPtrArray *
calsync_ical_parse (const char  *data,
                    gssize       length,
                    gint64       window_start_utc,
                    gint64       window_end_utc,
                    GError     **error)
{
  GPtrArray *events = NULL;
  Parser self;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  calsync_ical_init ();
  if (length < 0)
    length = strlen (data);

  parser_init (&self, (gsize) length, window_start_utc, window_end_utc);
  if (parse (&self, data ? data : "", (gsize) length, error))
    events = without_duplicate_ids (self.results);
  parser_clear (&self);
  icalerror_clear_errno ();

  /* libical's temporary strings; a worker thread would leak them at exit */
  icalmemory_free_ring ();
  return events;
}
