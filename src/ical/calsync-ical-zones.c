/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-zones.c: the time zones of iCalendar files.
 *
 * A TZID becomes a Zone: an embedded VTIMEZONE, one of libical's built-in
 * zones, or GLib's, under the IANA id CalsyncEvent keeps, whether the file
 * names it the IANA way, with a vendor prefix or the Windows way. The local
 * zone stands for floating times. VTIMEZONE rules are checked before libical
 * expands them, and the writer takes its VTIMEZONEs from here. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

#include "calsync-ical.h"
#include "calsync-date-utils.h"
#include "calsync-ical-private.h"

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

void
calsync_ical_zone_free (Zone *zone)
{
  if (zone->owns_ical)
    icaltimezone_free (zone->ical, TRUE);
  g_clear_pointer (&zone->gtz, g_time_zone_unref);
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

/* The instant of local time @t (zone and is_date ignored) in @zone */
gint64
calsync_ical_zone_to_utc (Zone                *zone,
                          struct icaltimetype  t)
{
  g_autoptr(GDateTime) dt = NULL;

  t.zone = NULL;
  t.is_date = 0;
  if (zone->ical != NULL)
    return icaltime_as_timet_with_zone (t, zone->ical);

  dt = g_date_time_new (zone->gtz, t.year, t.month, t.day, t.hour, t.minute, t.second);
  return dt != NULL ? g_date_time_to_unix (dt) : calsync_ical_fields_to_unix (t);
}

/* Offset from UTC in seconds of @zone at instant @utc */
int
calsync_ical_zone_offset_at (Zone   *zone,
                             gint64  utc)
{
  if (zone->ical != NULL)
    {
      struct icaltimetype local = icaltime_from_timet_with_zone ((time_t) utc, 0, zone->ical);

      local.zone = NULL;
      return (int) (calsync_ical_fields_to_unix (local) - utc);
    }

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

  if (zone == NULL || (zone->ical == NULL && zone->gtz == NULL))
    {
      g_autofree char *shown = calsync_ical_excerpt (tzid);

      g_clear_pointer (&zone, calsync_ical_zone_free);
      calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, line,
                                   _("the time zone “%s” is not defined in the file"), shown);
      return NULL;
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
