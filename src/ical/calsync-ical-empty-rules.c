/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-empty-rules.c: recurrence rules that can never match.
 *
 * libical 3.0 learns that a rule has no occurrence only by looking for one,
 * month by month through ICU, up to the year 2582 (20000 for the first one of
 * a monthly or yearly rule): a second of CPU or more per event. A CalDAV
 * server with a thousand "FREQ=MONTHLY;BYDAY=6MO" events, or a broken file,
 * would hold a sync for a quarter of an hour. The rules below are shown to be
 * empty from their parts alone; anything not proven so is left to libical.
 *
 * "Never" has to be exact against what libical would produce, not only what
 * RFC 5545 says: libical 3.0 ignores BYSETPOS in daily and weekly rules (every
 * Monday of "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2"), so only monthly sets are
 * bounded here; and ICU counts October 1582 as 31 days of which ten are
 * missing, so a series starting before 1583 is never judged. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <libical/ical.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"

/* The longest each month can be (February in leap years) */
static const int longest_month[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static guint
count_values (const short *values,
              guint        size)
{
  guint n = 0;

  while (n < size && values[n] != ICAL_RECURRENCE_ARRAY_MAX)
    n++;

  return n;
}

#define N_BY_DAY(rule)        count_values ((rule)->by_day, ICAL_BY_DAY_SIZE)
#define N_BY_MONTH_DAY(rule)  count_values ((rule)->by_month_day, ICAL_BY_MONTHDAY_SIZE)
#define N_BY_MONTH(rule)      count_values ((rule)->by_month, ICAL_BY_MONTH_SIZE)
#define N_BY_SET_POS(rule)    count_values ((rule)->by_set_pos, ICAL_BY_SETPOS_SIZE)

/* The lengths a month of the rule can have, as bits 1 << (length - 28);
 * 0 when BYMONTH holds something else than 1 to 12 (a leap month) */
static guint
month_lengths (const struct icalrecurrencetype *rule)
{
  guint n_months = N_BY_MONTH (rule);
  guint lengths = 0;

  if (n_months == 0)
    return 0xf;

  for (guint i = 0; i < n_months; i++)
    {
      int month = rule->by_month[i];

      if (month < 1 || month > 12)
        return 0;
      lengths |= 1u << (longest_month[month] - 28);
      /* February: 28 days too */
      if (month == 2)
        lengths |= 1u;
    }

  return lengths;
}

/* The day of a month of @length that BYMONTHDAY value @value names; 0 when
 * that month has no such day (libical then omits it) */
static int
month_day (int value,
           int length)
{
  if (value > 0)
    return value <= length ? value : 0;

  return -value <= length ? length + value + 1 : 0;
}

static gboolean
month_day_matches (const struct icalrecurrencetype *rule,
                   int                              day,
                   int                              length)
{
  guint n = N_BY_MONTH_DAY (rule);

  if (n == 0)
    return TRUE;

  for (guint i = 0; i < n; i++)
    if (month_day (rule->by_month_day[i], length) == day)
      return TRUE;

  return FALSE;
}

/* Whether @day of a month of @length can be one the BYDAY entries name: the
 * n-th weekday falls on days 7(n-1)+1 to 7n, the n-th from the end on days
 * length+7n+1 to length+7(n+1), a plain weekday on any */
static gboolean
week_day_matches (const struct icalrecurrencetype *rule,
                  int                              day,
                  int                              length)
{
  guint n = N_BY_DAY (rule);

  if (n == 0)
    return TRUE;

  for (guint i = 0; i < n; i++)
    {
      int position = icalrecurrencetype_day_position (rule->by_day[i]);

      if (position == 0 ||
          (position > 0 && day > 7 * (position - 1) && day <= 7 * position) ||
          (position < 0 && day > length + 7 * position && day <= length + 7 * (position + 1)))
        return TRUE;
    }

  return FALSE;
}

/* Whether a month of @length has a day the rule could pick. BYDAY counts
 * within the month (@by_day_in_month) for monthly rules, and yearly ones with
 * BYMONTH; otherwise it is left out, it only ever takes days away. */
static gboolean
month_has_day (const struct icalrecurrencetype *rule,
               gboolean                         by_day_in_month,
               int                              length)
{
  for (int day = 1; day <= length; day++)
    if (month_day_matches (rule, day, length) && (!by_day_in_month || week_day_matches (rule, day, length)))
      return TRUE;

  return FALSE;
}

/* BYMONTHDAY, and BYDAY counted in the month, against every month length
 * BYMONTH allows: "BYMONTH=2;BYMONTHDAY=30", "BYDAY=6MO", "BYMONTHDAY=31;BYDAY=1MO" */
static gboolean
no_day_in_any_month (const struct icalrecurrencetype *rule)
{
  gboolean by_day_in_month = (rule->freq == ICAL_MONTHLY_RECURRENCE ||
                              (rule->freq == ICAL_YEARLY_RECURRENCE && N_BY_MONTH (rule) > 0)) &&
                             count_values (rule->by_week_no, ICAL_BY_WEEKNO_SIZE) == 0 &&
                             count_values (rule->by_year_day, ICAL_BY_YEARDAY_SIZE) == 0;
  guint lengths = month_lengths (rule);

  /* Without BYMONTH every month length is possible, and every BYMONTHDAY
   * value (-31 to 31) exists in some month */
  if (lengths == 0 || (!by_day_in_month && N_BY_MONTH (rule) == 0))
    return FALSE;

  for (int length = 28; length <= 31; length++)
    if ((lengths & (1u << (length - 28))) != 0 && month_has_day (rule, by_day_in_month, length))
      return FALSE;

  return TRUE;
}

/* BYSETPOS past the end of every month's set: "BYDAY=MO;BYSETPOS=7". The
 * set of a month has at most as many days as BYMONTHDAY has values, or as
 * BYDAY entries name (five of a plain weekday, one of the n-th), each at
 * BYHOUR × BYMINUTE × BYSECOND times (libical even counts the days alone). */
static gboolean
set_position_past_set (const struct icalrecurrencetype *rule)
{
  guint n_month_days = N_BY_MONTH_DAY (rule);
  guint n_days = N_BY_DAY (rule);
  guint64 days = 0, bound;
  guint n_positions = N_BY_SET_POS (rule);

  if (rule->freq != ICAL_MONTHLY_RECURRENCE || n_positions == 0)
    return FALSE;

  for (guint i = 0; i < n_days; i++)
    days += icalrecurrencetype_day_position (rule->by_day[i]) == 0 ? 5 : 1;
  if (n_month_days > 0 && (n_days == 0 || n_month_days < days))
    days = n_month_days;
  if (n_month_days == 0 && n_days == 0)
    days = 1;

  bound = days * MAX (count_values (rule->by_hour, ICAL_BY_HOUR_SIZE), 1) *
          MAX (count_values (rule->by_minute, ICAL_BY_MINUTE_SIZE), 1) *
          MAX (count_values (rule->by_second, ICAL_BY_SECOND_SIZE), 1);

  for (guint i = 0; i < n_positions; i++)
    if ((guint64) ABS (rule->by_set_pos[i]) <= bound)
      return FALSE;

  return TRUE;
}

/**
 * calsync_ical_rule_never_matches:
 * @rule: a rule as libical read it
 * @dtstart: the DTSTART it repeats from
 *
 * Whether @rule provably has no occurrence, found without iterating it.
 * FALSE for anything not proven: libical decides those.
 */
gboolean
calsync_ical_rule_never_matches (const struct icalrecurrencetype *rule,
                                 struct icaltimetype              dtstart)
{
  /* Other calendars (RSCALE) have other months; SKIP moves missing days */
  if (rule->freq == ICAL_NO_RECURRENCE || rule->rscale != NULL || rule->skip != ICAL_SKIP_OMIT ||
      dtstart.year < 1583)
    return FALSE;

  return no_day_in_any_month (rule) || set_position_past_set (rule);
}

/* libical's own checks of a DTSTART in icalrecur_iterator_new() */
static gboolean
dtstart_is_sane (struct icaltimetype dtstart)
{
  return icaltime_is_valid_time (dtstart) &&
         dtstart.year >= 0 && dtstart.year <= 2582 &&
         dtstart.month >= 1 && dtstart.month <= 12 &&
         dtstart.day >= 1 && dtstart.day <= icaltime_days_in_month (dtstart.month, dtstart.year) &&
         (dtstart.is_date || (dtstart.hour >= 0 && dtstart.hour <= 23 && dtstart.minute >= 0 &&
                              dtstart.minute <= 59 && dtstart.second >= 0 && dtstart.second <= 59));
}

/* The parts libical 3.0 refuses for a frequency (its expand_map) */
static gboolean
has_illegal_part (const struct icalrecurrencetype *rule)
{
  gboolean month_day = N_BY_MONTH_DAY (rule) > 0;
  gboolean year_day = count_values (rule->by_year_day, ICAL_BY_YEARDAY_SIZE) > 0;
  gboolean week_no = count_values (rule->by_week_no, ICAL_BY_WEEKNO_SIZE) > 0;

  switch (rule->freq)
    {
    case ICAL_YEARLY_RECURRENCE:
      return FALSE;
    case ICAL_MONTHLY_RECURRENCE:
    case ICAL_DAILY_RECURRENCE:
      return year_day || week_no;
    case ICAL_WEEKLY_RECURRENCE:
      return month_day || year_day || week_no;
    default:
      return week_no;
    }
}

/* Whether libical's expansion of DTSTART's month finds a day (what
 * icalrecur_iterator_new() of a monthly rule looks at first, whatever
 * BYMONTH says): its expand_month_days(), BYMONTHDAY, then BYDAY, then
 * BYSETPOS */
static gboolean
first_month_has_day (const struct icalrecurrencetype *rule,
                     struct icaltimetype              dtstart)
{
  int length = icaltime_days_in_month (dtstart.month, dtstart.year);
  struct icaltimetype first = dtstart, last = dtstart;
  gboolean days[32] = { FALSE };
  guint n_month_days = N_BY_MONTH_DAY (rule), n_days = N_BY_DAY (rule), n_positions = N_BY_SET_POS (rule);
  int total = 0, index = 0;

  /* Without BYMONTHDAY, DTSTART's day */
  for (guint i = 0; i < MAX (n_month_days, 1); i++)
    {
      int value = n_month_days > 0 ? rule->by_month_day[i] : dtstart.day;

      if (ABS (value) > length)
        continue;
      days[value == 0 ? dtstart.day : month_day (value, length)] = TRUE;
      total++;
    }

  if (n_days > 0)
    {
      gboolean by_day[32] = { FALSE };
      int first_dow, last_dow;

      first.is_date = last.is_date = 1;
      first.day = 1;
      last.day = length;
      first_dow = icaltime_day_of_week (first);
      last_dow = icaltime_day_of_week (last);

      for (guint i = 0; i < n_days; i++)
        {
          int dow = icalrecurrencetype_day_day_of_week (rule->by_day[i]);
          int position = icalrecurrencetype_day_position (rule->by_day[i]);
          int first_matching = (dow + 7 - first_dow) % 7 + 1;
          int last_matching = length - (last_dow + 7 - dow) % 7;
          int day = position >= 0 ? first_matching + MAX (position - 1, 0) * 7 : last_matching + (position + 1) * 7;

          if (day < first_matching || day > last_matching)
            continue;
          do
            by_day[day] = TRUE;
          while (position == 0 && (day += 7) <= length);
        }

      total = 0;
      for (int day = 1; day <= length; day++)
        {
          days[day] = by_day[day] && (n_month_days == 0 || days[day]);
          total += days[day];
        }
    }

  for (int day = 1; day <= length; day++)
    {
      if (!days[day])
        continue;
      if (n_positions == 0)
        return TRUE;
      for (guint i = 0; i < n_positions; i++)
        if (rule->by_set_pos[i] == index + 1 || rule->by_set_pos[i] == index - total)
          return TRUE;
      index++;
    }

  return FALSE;
}

/**
 * calsync_ical_empty_rule_has_iterator:
 * @rule: a rule calsync_ical_rule_never_matches() said is empty
 * @dtstart: the DTSTART it is iterated from
 *
 * Whether libical 3.0's icalrecur_iterator_new() still makes an iterator of
 * @rule (whose next() then finds nothing). The callers treat an iterator
 * libical refuses and an empty one differently, and keep doing so. A yearly
 * rule looks for its first year up to 20000 and gives up; a monthly one
 * expands DTSTART's month first, which BYMONTH does not filter; the others
 * start at DTSTART.
 */
gboolean
calsync_ical_empty_rule_has_iterator (const struct icalrecurrencetype *rule,
                                      struct icaltimetype              dtstart)
{
  if (!dtstart_is_sane (dtstart) || has_illegal_part (rule))
    return FALSE;

  switch (rule->freq)
    {
    case ICAL_YEARLY_RECURRENCE:
      return FALSE;
    case ICAL_MONTHLY_RECURRENCE:
      return first_month_has_day (rule, dtstart);
    default:
      return TRUE;
    }
}
