/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-date-utils.c: day arithmetic shared by the views, the agenda and the events.
 *
 * No GTK: the command line and the store use it too. */
#define G_LOG_DOMAIN "calsync-date-utils"

#include "config.h"

#include <string.h>

#include <langinfo.h>
#include <stdio.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "calsync-date-utils.h"

/* GDate's Julian day of 1970-01-01 (day 1 is 1 January of year 1) */
#define UNIX_EPOCH_JULIAN 719163

/**
 * calsync_date_first_weekday:
 *
 * Reads the locale's first weekday the way GNOME Calendar does
 * (glibc's _NL_TIME_FIRST_WEEKDAY relative to _NL_TIME_WEEK_1STDAY).
 *
 * Returns: 1 for Monday … 7 for Sunday
 */
int
calsync_date_first_weekday (void)
{
#ifdef __GLIBC__
  union { unsigned int word; char *string; } langinfo;
  int week_1stday = 0;
  int first_weekday;
  guint week_origin;

  langinfo.string = nl_langinfo (_NL_TIME_FIRST_WEEKDAY);
  first_weekday = langinfo.string[0];
  langinfo.string = nl_langinfo (_NL_TIME_WEEK_1STDAY);
  week_origin = langinfo.word;

  if (week_origin == 19971130) /* Sunday */
    week_1stday = 0;
  else if (week_origin == 19971201) /* Monday */
    week_1stday = 1;
  else
    return 1;

  /* 0 = Sunday … 6 = Saturday → GDateTime's 1 = Monday … 7 = Sunday */
  first_weekday = (week_1stday + first_weekday - 1) % 7;
  return first_weekday == 0 ? 7 : first_weekday;
#else
  return 1;
#endif
}

GDateTime *
calsync_date_start_of_day (GDateTime *dt)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (dt);

  return g_date_time_new_local (g_date_time_get_year (local),
                                g_date_time_get_month (local),
                                g_date_time_get_day_of_month (local),
                                0, 0, 0);
}

GDateTime *
calsync_date_start_of_week (GDateTime *dt)
{
  g_autoptr(GDateTime) day = calsync_date_start_of_day (dt);
  int back = (g_date_time_get_day_of_week (day) - calsync_date_first_weekday () + 7) % 7;
  g_autoptr(GDateTime) shifted = g_date_time_add_days (day, -back);

  /* Re-anchor to midnight: adding days across a DST change keeps wall time in GLib,
   * but normalise anyway so callers can rely on it. */
  return calsync_date_start_of_day (shifted);
}

GDateTime *
calsync_date_start_of_month (GDateTime *dt)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (dt);

  return g_date_time_new_local (g_date_time_get_year (local),
                                g_date_time_get_month (local),
                                1, 0, 0, 0);
}

gboolean
calsync_date_same_day (GDateTime *a,
                       GDateTime *b)
{
  g_autoptr(GDateTime) la = g_date_time_to_local (a);
  g_autoptr(GDateTime) lb = g_date_time_to_local (b);

  return g_date_time_get_year (la) == g_date_time_get_year (lb) &&
         g_date_time_get_day_of_year (la) == g_date_time_get_day_of_year (lb);
}

static gint64
local_day_of (GDateTime *dt)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (dt);

  return calsync_date_day_of (local);
}

int
calsync_date_days_between (GDateTime *a,
                           GDateTime *b)
{
  return (int) (local_day_of (b) - local_day_of (a));
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/**
 * calsync_date_day_from_ymd:
 *
 * Days from civil (H. Hinnant): proleptic Gregorian, 1970-01-01 is day 0; no
 * range checks.
 */
gint64
calsync_date_day_from_ymd (gint64 y,
                           gint64 m,
                           gint64 d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = floor_div (y, 400);
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

gint64
calsync_date_day_of (GDateTime *dt)
{
  int year, month, day;

  g_return_val_if_fail (dt != NULL, 0);

  g_date_time_get_ymd (dt, &year, &month, &day);
  return calsync_date_day_from_ymd (year, month, day);
}

gint64
calsync_date_local_day (GTimeZone *zone,
                        gint64     unix_time)
{
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, unix_time);
  gint64 offset = interval >= 0 ? g_time_zone_get_offset (zone, interval) : 0;

  return floor_div (unix_time + offset, 86400);
}

static int
read_digits (const char *text,
             guint       n)
{
  int value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return -1;
      value = value * 10 + (text[i] - '0');
    }
  return value;
}

/**
 * calsync_date_parse_ymd:
 *
 * Exactly "YYYY-MM-DD", digits only, a date GDate holds (sscanf's %u would
 * take "-026", " 2026" or "2026-1-5", and GDate's 16-bit year would wrap).
 */
gboolean
calsync_date_parse_ymd (const char *text,
                        int        *year,
                        int        *month,
                        int        *day)
{
  int y, m, d;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  y = read_digits (text, 4);
  m = read_digits (text + 5, 2);
  d = read_digits (text + 8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;

  *year = y;
  *month = m;
  *day = d;
  return TRUE;
}

gboolean
calsync_date_parse_day (const char *text,
                        gint64     *day)
{
  int y, m, d;

  if (!calsync_date_parse_ymd (text, &y, &m, &d))
    return FALSE;

  *day = calsync_date_day_from_ymd (y, m, d);
  return TRUE;
}

/**
 * calsync_date_day_to_ymd:
 *
 * The inverse of the day numbers above, through GDate (whose Julian day 1 is
 * 0001-01-01): FALSE before year 1 or past what GDate holds.
 */
gboolean
calsync_date_day_to_ymd (gint64  day,
                         int    *year,
                         int    *month,
                         int    *day_of_month)
{
  gint64 julian = day + UNIX_EPOCH_JULIAN;
  GDate date;

  if (julian < 1 || julian > G_MAXUINT32 || !g_date_valid_julian ((guint32) julian))
    return FALSE;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, (guint32) julian);
  *year = g_date_get_year (&date);
  *month = g_date_get_month (&date);
  *day_of_month = g_date_get_day (&date);
  return TRUE;
}

GDateTime *
calsync_date_local_midnight (gint64 day)
{
  int year, month, day_of_month;

  if (!calsync_date_day_to_ymd (day, &year, &month, &day_of_month))
    return NULL;

  return g_date_time_new_local (year, month, day_of_month, 0, 0, 0);
}

static gboolean
use_24h_clock (void)
{
  static int cached = -1;

  if (cached < 0)
    {
      g_autoptr(GSettingsSchema) schema = NULL;
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

      cached = 1;
      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
      if (schema != NULL && g_settings_schema_has_key (schema, "clock-format"))
        {
          g_autoptr(GSettings) settings = g_settings_new ("org.gnome.desktop.interface");
          g_autofree char *format = g_settings_get_string (settings, "clock-format");

          cached = g_strcmp0 (format, "12h") != 0;
        }
    }

  return cached == 1;
}

char *
calsync_date_format_time (GDateTime *dt)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (dt);

  g_autofree char *text = NULL;

  if (use_24h_clock ())
    return g_date_time_format (local, "%R");

  /* Translators: 12-hour time, e.g. "2:30 PM"; see strftime(3) */
  text = g_date_time_format (local, _("%l:%M %p"));
  return g_strdup (g_strstrip (text));
}

/* The locale's abbreviation of the month of @dt (%b) marked as the language
 * marks abbreviations; a name as long as the full one (German "Mai") is no
 * abbreviation and stays as it is */
static char *
abbreviated_month (GDateTime *dt)
{
  g_autofree char *abbreviation = g_date_time_format (dt, "%b");
  g_autofree char *full = g_date_time_format (dt, "%B");

  if (abbreviation == NULL || full == NULL || g_strcmp0 (abbreviation, full) == 0)
    return g_steal_pointer (&abbreviation);

  /* Translators: an abbreviated month name from the system's locale ("Nov");
   * languages that write abbreviations with a full stop translate this as
   * "%s." (German "Nov."). Month names that are not shortened ("Mai") are
   * shown without it. */
  return g_strdup_printf (C_("abbreviated month name", "%s"), abbreviation);
}

char *
calsync_date_format_abbreviated (GDateTime  *dt,
                                 const char *format)
{
  g_autoptr(GString) expanded = NULL;
  g_autofree char *month = NULL;

  g_return_val_if_fail (dt != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  if (strstr (format, "%b") == NULL)
    return g_date_time_format (dt, format);

  /* %b is replaced by the marked name, its own '%' escaped; every other
   * conversion (and "%%b", a literal "%b") is left to g_date_time_format() */
  month = abbreviated_month (dt);
  expanded = g_string_sized_new (strlen (format) + 16);
  for (const char *p = format; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] == 'b')
        {
          for (const char *m = month != NULL ? month : ""; *m != '\0'; m++)
            {
              if (*m == '%')
                g_string_append_c (expanded, '%');
              g_string_append_c (expanded, *m);
            }
          p++;
        }
      else if (p[0] == '%' && p[1] != '\0')
        {
          g_string_append_len (expanded, p, 2);
          p++;
        }
      else
        g_string_append_c (expanded, *p);
    }

  return g_date_time_format (dt, expanded->str);
}

static gboolean
digits (const char *text,
        int         n,
        int        *value)
{
  *value = 0;
  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      *value = *value * 10 + (text[i] - '0');
    }
  return TRUE;
}

/* "Z" or "±hh:mm" at @p, the end of the text: the offset in seconds */
static gboolean
parse_offset (const char *p,
              int        *seconds)
{
  int hours, minutes;

  if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
    {
      *seconds = 0;
      return TRUE;
    }

  if ((*p != '+' && *p != '-') || strlen (p) != 6 || p[3] != ':' ||
      !digits (p + 1, 2, &hours) || !digits (p + 4, 2, &minutes) || hours > 23 || minutes > 59)
    return FALSE;

  *seconds = (*p == '+' ? 1 : -1) * (hours * 3600 + minutes * 60);
  return TRUE;
}

/**
 * calsync_date_parse_rfc3339:
 * @text: "2026-12-01T10:00:00Z", "2026-12-01T10:00:00.123+01:00"
 * @usec: (out): microseconds since the epoch (fractions of a second kept to
 *   the microsecond: Google's `updated` has milliseconds, and two edits in one
 *   second must still compare)
 *
 * The strict form servers write, read without allocating (a page of 2,500
 * events has 7,500 of them); text without an offset, or in any other form, is
 * refused: g_date_time_new_from_iso8601() reads those.
 */
gboolean
calsync_date_parse_rfc3339 (const char *text,
                            gint64     *usec)
{
  int y, mo, d, h, mi, s, offset;
  gint64 fraction = 0, scale = G_USEC_PER_SEC;
  const char *p;

  if (text == NULL || strlen (text) < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':' ||
      !digits (text, 4, &y) || !digits (text + 5, 2, &mo) || !digits (text + 8, 2, &d) ||
      !digits (text + 11, 2, &h) || !digits (text + 14, 2, &mi) || !digits (text + 17, 2, &s))
    return FALSE;

  p = text + 19;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      if (scale > 1)
        {
          scale /= 10;
          fraction += (*p - '0') * scale;
        }

  if (!parse_offset (p, &offset) || y < 1 || mo < 1 || mo > 12 || d < 1 ||
      d > g_date_get_days_in_month (mo, y) || h > 23 || mi > 59 || s > 59)
    return FALSE;

  *usec = (calsync_date_day_from_ymd (y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset) * G_USEC_PER_SEC +
          fraction;
  return TRUE;
}
