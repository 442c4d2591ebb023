/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-recurrence.c: the VEVENTs of a calendar to instances.
 *
 * The VEVENTs of one UID make a series: its master's RRULEs and RDATEs are
 * expanded into the instances inside the window (less its EXDATEs), an RDATE
 * period lasting its own period; each override (RECURRENCE-ID) replaces its
 * instance, and one with RANGE=THISANDFUTURE the later ones too, moved as it
 * moved. A series stays bounded whatever its rules. A VEVENT without either is
 * a single event. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"

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
  struct icaltimetype t = original->all_day ? original->local : calsync_ical_unix_to_fields (original->utc);

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

  t = calsync_ical_zone_from_utc (original->zone, original->utc);
  if (g_str_equal (original->zone->id, "UTC"))
    return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day, t.hour, t.minute, t.second);

  offset = calsync_ical_zone_offset_at (original->zone, original->utc);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", t.year, t.month, t.day,
                          t.hour, t.minute, t.second, offset < 0 ? '-' : '+',
                          ABS (offset) / 3600, ABS (offset) % 3600 / 60);
}

/* Hash key of an occurrence: its UTC start, or its date */
static gint64
original_key (const Original *original)
{
  return original->all_day ? calsync_ical_date_key (original->local) : original->utc;
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
  /* A date only the Julian calendar has (a series from before 1753): left out */
  if (!calsync_ical_set_occurrence_times (event, times, local, start_utc, end_utc))
    return;
  calsync_ical_map_fields (event, source, cancelled);
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

/* An override with RANGE=THISANDFUTURE (RFC 5545 3.2.13, 3.8.4.4): the
 * occurrences after its RECURRENCE-ID move as it moved, last as long and take
 * its fields, up to the next such override */
typedef struct
{
  gint64 key;                 /* original_key() of its RECURRENCE-ID */
  const EventInfo *info;
  EventTimes times;
  gint64 shift;               /* its start less its RECURRENCE-ID on the series' clock, seconds */
  Zone *clock;                /* the zone moved starts are read in */
} Future;

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
  GArray *futures;            /* Future, by key */
  gint64 reach_before;        /* how far before its original start a moved occurrence may end */
  gint64 reach_after;         /* how far after the window an original start may be moved into it */
  gboolean full;              /* the parse has put MAX_INSTANCES in the window */
} Expansion;

/* What an occurrence becomes: the master's or a Future's fields and times */
typedef struct
{
  const EventInfo *info;
  const EventTimes *times;
  struct icaltimetype local;  /* the date of an all-day occurrence */
  gint64 start;
  gint64 end;
} Occurrence;

static Original
original_from_local (const EventTimes    *times,
                     struct icaltimetype  local)
{
  Original original = { times->all_day, local, 0, times->zone };

  if (!times->all_day)
    original.utc = calsync_ical_zone_to_utc (times->zone, local);
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
  gint64 day = calsync_ical_date_key (original->local);

  return g_hash_table_contains (expansion->excluded, &key) ||
         g_hash_table_contains (expansion->exclude_dates, &day);
}

/* The THISANDFUTURE override in force for the occurrence @key: the last one
 * before it (the one at @key is an override of its own). A binary search: a
 * file may hold many of them, and every occurrence asks. */
static const Future *
find_future (Expansion *expansion,
             gint64     key)
{
  GArray *futures = expansion->futures;
  guint low = 0, high = futures->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (futures, Future, middle).key < key)
        low = middle + 1;
      else
        high = middle;
    }

  return low > 0 ? &g_array_index (futures, Future, low - 1) : NULL;
}

/* @original moved by @future; FALSE when that leaves the years events can have */
static gboolean
move_occurrence (const Future   *future,
                 const Original *original,
                 const gint64   *period_end,
                 Occurrence     *occurrence)
{
  const EventTimes *times = &future->times;
  gint64 moved = calsync_ical_fields_to_unix (original->local) + future->shift;

  if (moved < MIN_UNIX || moved > MAX_UNIX - MAX (times->days, 1) * (gint64) 86400)
    return FALSE;

  occurrence->info = future->info;
  occurrence->times = times;
  occurrence->local = calsync_ical_unix_to_fields (moved);
  if (times->all_day)
    {
      occurrence->local.is_date = 1;
      occurrence->local.hour = occurrence->local.minute = occurrence->local.second = 0;
      occurrence->start = calsync_ical_date_key (occurrence->local) * 86400;
      occurrence->end = occurrence->start + (gint64) times->days * 86400;
      return TRUE;
    }

  occurrence->start = calsync_ical_zone_to_utc (future->clock, occurrence->local);
  if (period_end != NULL && !original->all_day)
    occurrence->end = occurrence->start + (*period_end - original->utc);
  else if (times->nominal)
    occurrence->end = calsync_ical_occurrence_end (times, calsync_ical_zone_from_utc (times->zone, occurrence->start),
                                                   occurrence->start);
  else
    occurrence->end = occurrence->start + (times->end_utc - times->start_utc);

  return occurrence->end <= MAX_UNIX;
}

/* What the occurrence at @original becomes: the master's, or moved by the
 * THISANDFUTURE override before it. @period_end: an RDATE period's end. */
static gboolean
make_occurrence (Expansion      *expansion,
                 const Original *original,
                 const gint64   *period_end,
                 Occurrence     *occurrence)
{
  const EventTimes *times = &expansion->times;
  const Future *future = find_future (expansion, original_key (original));

  if (future != NULL)
    return move_occurrence (future, original, period_end, occurrence);

  occurrence->info = expansion->series->master;
  occurrence->times = times;
  occurrence->local = original->local;
  occurrence->start = times->all_day ? original_key (original) * 86400 : original->utc;
  if (times->all_day)
    occurrence->end = occurrence->start + (gint64) times->days * 86400;
  else
    occurrence->end = period_end ? *period_end : calsync_ical_occurrence_end (times, original->local, original->utc);
  return TRUE;
}

/* In the window at its own time or, moved by a THISANDFUTURE override, at its
 * original one (as overrides are: a moved-away instance reaches the store too) */
static gboolean
occurrence_in_window (Expansion        *expansion,
                      const Original   *original,
                      const Occurrence *occurrence)
{
  gint64 original_start = original->all_day ? original_key (original) * 86400 : original->utc;

  return overlaps_window (expansion->self, occurrence->times->all_day, occurrence->start, occurrence->end) ||
         (occurrence->info != expansion->series->master &&
          overlaps_window (expansion->self, original->all_day, original_start, original_start));
}

/* No occurrence from @start on can be in the window, moved or not */
static gboolean
past_window (const Expansion  *expansion,
             const EventTimes *times,
             gint64            start)
{
  return start - (times->all_day ? 14 * 3600 : 0) - expansion->reach_after >= expansion->self->window_end;
}

/* Whether @next, the occurrence after the last one looked at, reaches the window */
static gboolean
reaches_window (Expansion           *expansion,
                struct icaltimetype  next)
{
  const EventTimes *times = &expansion->times;
  Original original;

  if (icaltime_is_null_time (next) || next.year > 9999)
    return FALSE;

  original = original_from_local (times, next);
  return !past_window (expansion, times, times->all_day ? original_key (&original) * 86400 : original.utc);
}

/* Adds an occurrence of the rule or an RDATE; returns FALSE when past the
 * window, or when the parse has no instance left (expansion->full) */
static gboolean
add_occurrence (Expansion           *expansion,
                struct icaltimetype  local,
                const gint64        *period_end)
{
  const EventTimes *times = &expansion->times;
  Original original = original_from_local (times, local);
  gint64 key = original_key (&original);
  gint64 start = times->all_day ? key * 86400 : original.utc;
  Occurrence occurrence;

  if (past_window (expansion, times, start))
    return FALSE;

  /* Before the window (a COUNT rule from long ago): nothing to remember */
  if (!make_occurrence (expansion, &original, period_end, &occurrence) ||
      !occurrence_in_window (expansion, &original, &occurrence) ||
      g_hash_table_contains (expansion->seen, &key))
    return TRUE;
  add_key (expansion->seen, key);

  if (is_excluded (expansion, &original) || g_hash_table_contains (expansion->overridden, &key))
    return TRUE;

  if (expansion->self->instances_left == 0)
    {
      expansion->full = TRUE;
      return FALSE;
    }
  expansion->self->instances_left--;

  emit_instance (expansion->self, occurrence.info, expansion->series->uid, &original,
                 occurrence.times, occurrence.local, occurrence.start, occurrence.end, expansion->cancelled);
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
  zone = (value->tzid == NULL && !icaltime_is_utc (t)) ? expansion->times.zone
                                                       : calsync_ical_value_zone (expansion->self, value, error);
  if (zone == NULL)
    return FALSE;

  t.zone = NULL;
  *local = zone == expansion->times.zone
           ? t : calsync_ical_zone_from_utc (expansion->times.zone, calsync_ical_zone_to_utc (zone, t));
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
    until = calsync_ical_zone_from_utc (expansion->times.zone, calsync_ical_fields_to_unix (until));

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

  /* A later THISANDFUTURE override may move occurrences later, or make them longer */
  length = MAX (length, expansion->reach_before);

  if (expansion->self->window_start < MIN_UNIX + length + 2 * 86400)
    return FALSE;

  earliest = expansion->self->window_start - length - 2 * 86400;
  *target = times->all_day ? calsync_ical_unix_to_fields (earliest)
                           : calsync_ical_zone_from_utc (times->zone, earliest);
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
  gint64 first = calsync_ical_fields_to_unix (*start);
  gint64 skipped = (calsync_ical_fields_to_unix (target) - first) / step;

  if (rule->count > 0 && skipped >= rule->count)
    return FALSE;
  if (rule->count > 0)
    rule->count -= (int) skipped;

  *start = calsync_ical_unix_to_fields (first + skipped * step);
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
  return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, line,
                                      /* Translators: %u is a number (500000) */
                                      g_dngettext (GETTEXT_PACKAGE,
                                                   "the repeating events of this file have more than %u occurrence",
                                                   "the repeating events of this file have more than %u occurrences",
                                                   MAX_OCCURRENCES),
                                      MAX_OCCURRENCES);
}

static gboolean
too_many_instances (guint    line,
                    GError **error)
{
  return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, line,
                                      /* Translators: %u is a number (100000) */
                                      g_dngettext (GETTEXT_PACKAGE,
                                                   "the repeating events of this file have more than %u occurrence in the sync window",
                                                   "the repeating events of this file have more than %u occurrences in the sync window",
                                                   MAX_INSTANCES),
                                      MAX_INSTANCES);
}

/* One more occurrence asked of libical; FALSE when the file has had too many */
static gboolean
count_occurrence (Expansion  *expansion,
                  guint       line,
                  GError    **error)
{
  if (expansion->self->occurrences_left == 0)
    return too_many_occurrences (line, error);

  expansion->self->occurrences_left--;
  return TRUE;
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
  guint steps;

  localize_until (expansion, &recurrence);
  if (!rule_search_is_bounded (&recurrence))
    {
      g_debug ("Line %u: not expanding a rule libical could search for ever", rule->line);
      return TRUE;
    }

  /* A rule that can never match ("FREQ=MONTHLY;BYDAY=6MO"), which libical
   * would look for up to the year 2582, a second or more per event: it has
   * no occurrence. When libical would have made an iterator anyway, its one
   * empty next() counted against the file's occurrences, and still does. */
  if (calsync_ical_rule_never_matches (&recurrence, expansion->times.start))
    return !calsync_ical_empty_rule_has_iterator (&recurrence, expansion->times.start) ||
           count_occurrence (expansion, rule->line, error);

  /* No occurrence from the window on, or a rule libical cannot use */
  if ((iterator = new_iterator (expansion, &recurrence)) == NULL)
    return TRUE;

  for (steps = 0; ok && steps < MAX_RRULE_STEPS; steps++)
    {
      struct icaltimetype next;

      if (!(ok = count_occurrence (expansion, rule->line, error)))
        break;

      next = icalrecur_iterator_next (iterator);
      /* Past the years events can have: icalrecur_iterator_set_start() derails
       * on some rules that never match */
      if (icaltime_is_null_time (next) || next.year > 9999 || !add_occurrence (expansion, next, NULL))
        break;
    }

  /* Out of steps before the window's end (a rule of every minute, a daily
   * event longer than 300 years, a COUNT rule from long ago): what is left
   * out is said, not lost silently */
  if (ok && steps == MAX_RRULE_STEPS && reaches_window (expansion, icalrecur_iterator_next (iterator)))
    calsync_ical_warn (expansion->self, rule->line, _("the later ones left out"),
                       /* Translators: %u is a number (100000) */
                       g_dngettext (GETTEXT_PACKAGE,
                                    "the repeating event has more than %u occurrence to go through",
                                    "the repeating event has more than %u occurrences to go through",
                                    MAX_RRULE_STEPS),
                       MAX_RRULE_STEPS);

  icalrecur_iterator_free (iterator);
  return ok && (!expansion->full || too_many_instances (rule->line, error));
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

/* The end of an RDATE period starting at @local (the series' wall clock),
 * @start: its explicit end, or its duration added like a DURATION's. FALSE
 * when it cannot be an event's end; the master's length then holds. */
static gboolean
read_period_end (Expansion           *expansion,
                 const TimeValue     *rdate,
                 struct icaltimetype  local,
                 gint64               start,
                 gint64              *end)
{
  const Period *period = &rdate->period;
  struct icaldurationtype d = period->duration;
  gint64 days = (gint64) d.weeks * 7 + d.days;
  EventTimes length = expansion->times;

  if (period->has_end)
    {
      TimeValue value = { period->end, icaltime_is_utc (period->end) ? NULL : rdate->tzid, rdate->line };
      Zone *zone = (value.tzid == NULL && !icaltime_is_utc (value.time))
                   ? expansion->times.zone : calsync_ical_value_zone (expansion->self, &value, NULL);

      *end = zone != NULL ? calsync_ical_zone_to_utc (zone, period->end) : G_MININT64;
    }
  else if (days <= MAX_DURATION_DAYS)
    {
      length.duration = d;
      length.nominal = days != 0;
      length.start_utc = 0;
      length.end_utc = days * 86400 + (gint64) d.hours * 3600 + (gint64) d.minutes * 60 + d.seconds;
      *end = calsync_ical_occurrence_end (&length, local, start);
    }
  else
    *end = G_MININT64;

  return *end >= start && *end <= MAX_UNIX;
}

static gboolean
add_rdates (Expansion  *expansion,
            GError    **error)
{
  GArray *rdates = expansion->series->master->rdates;

  for (guint i = 0; i < rdates->len; i++)
    {
      const TimeValue *rdate = &g_array_index (rdates, TimeValue, i);
      struct icaltimetype local;
      gint64 end;

      if (!to_series_local (expansion, rdate, &local, error))
        return FALSE;

      if (rdate->period.is_period && !expansion->times.all_day &&
          read_period_end (expansion, rdate, local, calsync_ical_zone_to_utc (expansion->times.zone, local), &end))
        add_occurrence (expansion, local, &end);
      else
        add_occurrence (expansion, local, NULL);

      if (expansion->full)
        return too_many_instances (rdate->line, error);
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
          add_key (expansion->exclude_dates, calsync_ical_date_key (exdate->time));
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

/* Where the start of a THISANDFUTURE override is on the series' clock:
 * its wall clock there, or the date as written when one of them is all-day */
static struct icaltimetype
start_on_series_clock (const Expansion  *expansion,
                       const EventTimes *times)
{
  if (expansion->times.all_day || times->all_day)
    return times->start;

  return calsync_ical_zone_from_utc (expansion->times.zone, times->start_utc);
}

static gint
compare_futures (gconstpointer a,
                 gconstpointer b)
{
  gint64 key_a = ((const Future *) a)->key;
  gint64 key_b = ((const Future *) b)->key;

  return key_a < key_b ? -1 : key_a > key_b;
}

static gboolean
add_future (Expansion        *expansion,
            const EventInfo  *info,
            GError          **error)
{
  Future future = { 0, info };
  Original original;
  gint64 length;

  if (!read_override_original (expansion, info, &original, error) ||
      !calsync_ical_read_times (expansion->self, info, &future.times, error))
    return FALSE;

  future.key = original_key (&original);
  future.shift = calsync_ical_fields_to_unix (start_on_series_clock (expansion, &future.times)) -
                 calsync_ical_fields_to_unix (original.local);
  future.clock = expansion->times.all_day ? future.times.zone : expansion->times.zone;
  g_array_append_val (expansion->futures, future);

  length = future.times.all_day ? future.times.days * (gint64) 86400 : future.times.end_utc - future.times.start_utc;
  expansion->reach_before = MAX (expansion->reach_before, MAX (future.shift, 0) + length);
  expansion->reach_after = MAX (expansion->reach_after, MAX (-future.shift, 0));
  return TRUE;
}

static gboolean
read_futures (Expansion  *expansion,
              GError    **error)
{
  GPtrArray *overrides = expansion->series->overrides;

  for (guint i = 0; i < overrides->len; i++)
    {
      const EventInfo *info = g_ptr_array_index (overrides, i);

      if (info->this_and_future && !add_future (expansion, info, error))
        return FALSE;
    }

  g_array_sort (expansion->futures, compare_futures);
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
  *start = times->all_day ? calsync_ical_date_key (times->start) * 86400 : times->start_utc;
  *end = times->all_day ? *start + (gint64) times->days * 86400 : times->end_utc;
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
      !calsync_ical_read_times (expansion->self, info, &times, error))
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
  g_clear_pointer (&expansion->futures, g_array_unref);
}

static gboolean
expand_series (Parser   *self,
               Series   *series,
               GError  **error)
{
  Expansion expansion = { self, series };
  guint first = self->results->len, overrides;
  gboolean ok;

  expansion.seen = key_set_new ();
  expansion.excluded = key_set_new ();
  expansion.exclude_dates = key_set_new ();
  expansion.overridden = key_set_new ();
  expansion.futures = g_array_new (FALSE, FALSE, sizeof (Future));
  expansion.cancelled = self->calendar_cancelled || series->master->status == CALSYNC_EVENT_STATUS_CANCELLED;

  ok = calsync_ical_read_times (self, series->master, &expansion.times, error) &&
       add_exdates (&expansion, error) &&
       mark_overridden (&expansion, error) &&
       read_futures (&expansion, error) &&
       add_rdates (&expansion, error);

  /* DTSTART is always the first instance, even when the rule would skip it
   * (after the RDATEs: an RDATE period at DTSTART says how long it lasts) */
  if (ok)
    add_occurrence (&expansion, expansion.times.start, NULL);
  if (ok && expansion.full)
    ok = too_many_instances (series->master->dtstart.line, error);

  ok = ok && expand_rrules (&expansion, error);
  overrides = self->results->len;
  ok = ok && emit_overrides (&expansion, error);

  /* What the instances need to be written back as their series (export) */
  if (ok)
    calsync_ical_keep_definition (self, series->master, &expansion.times, first, overrides);

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

  if (!calsync_ical_read_times (self, info, &times, error))
    return FALSE;

  calsync_event_set_external_id (event, info->uid);
  if (!calsync_ical_set_occurrence_times (event, &times, times.start, times.start_utc, times.end_utc))
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->dtstart.line,
                                        _("the event's dates are before 1753, where calendars disagree"));
  calsync_ical_map_fields (event, info, self->calendar_cancelled);
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

      if (!calsync_ical_read_times (self, info, &expansion.times, error) ||
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

/* Every VEVENT has a UID by now, and one revision of each UID and
 * RECURRENCE-ID is left (calsync-ical-select.c) */
static void
add_event (GHashTable  *by_uid,
           GPtrArray   *order,
           EventInfo   *info)
{
  Series *series;

  calsync_ical_derive_event_info (info);
  series = get_series (by_uid, order, info->uid);
  if (info->has_recurrence_id)
    g_ptr_array_add (series->overrides, info);
  else
    series->master = info;
}

/* A VEVENT of the series that cannot be expanded (a zone nobody knows, too
 * many occurrences…) is taken out with what it produced, and the rest of the
 * series expanded again: each round takes one out */
static void
emit_series_isolated (Parser *self,
                      Series *series)
{
  guint n_results = self->results->len;
  guint n_problems = self->problems->len;
  guint instances_left = self->instances_left;
  g_autoptr(GError) error = NULL;

  while (!emit_series (self, series, &error))
    {
      /* (What the taken-out instances held is free again; the work libical
       * did, occurrences_left, is not) */
      g_ptr_array_set_size (self->results, n_results);
      self->instances_left = instances_left;
      g_ptr_array_set_size (self->problems, n_problems);
      calsync_ical_drop_broken (self, &series->master, series->overrides, error);
      n_problems = self->problems->len;
      g_clear_error (&error);
    }
}

/* The VEVENTs of calendar @calendar, from *@next on, grouped by UID into series
 * and emitted series by series */
void
calsync_ical_emit_events (Parser   *self,
                          guint     calendar,
                          guint    *next)
{
  g_autoptr(GHashTable) by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);

  for (; *next < self->events->len && g_array_index (self->events, EventInfo, *next).calendar == calendar;
       (*next)++)
    add_event (by_uid, order, &g_array_index (self->events, EventInfo, *next));

  for (guint i = 0; i < order->len; i++)
    emit_series_isolated (self, g_ptr_array_index (order, i));
}
