/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-date-utils.h: day arithmetic shared by the views, the agenda and the events. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* First day of the week for the current locale: 1 = Monday … 7 = Sunday (GDateTime numbering). */
int        calsync_date_first_weekday      (void);
/* Local midnight of the day of @dt. */
GDateTime *calsync_date_start_of_day       (GDateTime *dt);
/* Local midnight of the first day of the week containing @dt. */
GDateTime *calsync_date_start_of_week      (GDateTime *dt);
/* Local midnight of the first of the month of @dt. */
GDateTime *calsync_date_start_of_month     (GDateTime *dt);
/* Whether @a and @b fall on the same local day. */
gboolean   calsync_date_same_day           (GDateTime *a,
                                            GDateTime *b);
/* Days from the local day of @a to the local day of @b (DST-safe). */
int        calsync_date_days_between       (GDateTime *a,
                                            GDateTime *b);

/* Day numbers: days since 1970-01-01 (proleptic Gregorian), the date alone */

/* Day number of a proleptic Gregorian date (no range checks) */
gint64     calsync_date_day_from_ymd       (gint64      year,
                                            gint64      month,
                                            gint64      day);
/* Day number of the date @dt shows, in its own time zone. */
gint64     calsync_date_day_of             (GDateTime  *dt);
/* Day number of the local date of @unix_time in @zone:
 * integer arithmetic for layouts of thousands of events. */
gint64     calsync_date_local_day          (GTimeZone  *zone,
                                            gint64      unix_time);
/* Year, month and day of exactly "YYYY-MM-DD" (digits only); FALSE when it is not one */
gboolean   calsync_date_parse_ymd          (const char *text,
                                            int        *year,
                                            int        *month,
                                            int        *day);
/* Day number of a "YYYY-MM-DD" date; FALSE when it is not one */
gboolean   calsync_date_parse_day          (const char *text,
                                            gint64     *day);
/* Year, month (1–12) and day of month of @day; FALSE when GDate cannot hold it */
gboolean   calsync_date_day_to_ymd         (gint64      day,
                                            int        *year,
                                            int        *month,
                                            int        *day_of_month);
/* Local midnight of @day, or NULL when it is out of GDateTime's range. */
GDateTime *calsync_date_local_midnight     (gint64      day);

/* An RFC 3339 instant with an offset, in the strict form servers write, read
 * without allocating: microseconds since the epoch; FALSE for anything else */
gboolean   calsync_date_parse_rfc3339      (const char *text,
                                            gint64     *usec);

/* "10:00" or "10:00 AM" following the GNOME clock-format setting / locale. */
char      *calsync_date_format_time        (GDateTime *dt);
/* g_date_time_format() of @format (a translatable strftime-style format, its
 * translation chosen by the translator) where %b, the locale's abbreviated
 * month name, is marked as an abbreviation the way the language writes one
 * (German: "Nov." but "Mai", which is not abbreviated), e.g.
 * "%-d %b %Y" → "25 Nov 2026", German "%-d. %b %Y" → "25. Nov. 2026". */
char      *calsync_date_format_abbreviated (GDateTime  *dt,
                                            const char *format);

G_END_DECLS
