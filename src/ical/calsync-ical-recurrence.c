/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-recurrence.c: the VEVENTs of a calendar to instances.
 *
 * The VEVENTs of one UID make a series: its master's RRULEs and RDATEs are
 * expanded into the instances inside the window (less its EXDATEs), each
 * override (RECURRENCE-ID) replaces its instance; a series stays bounded
 * whatever its rules. A VEVENT without either is a single event. */
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
  calsync_ical_set_occurrence_times (event, times, local, start_utc, end_utc);
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

/* Adds an occurrence of the rule or an RDATE; returns FALSE when past the window */
static gboolean
add_occurrence (Expansion           *expansion,
                struct icaltimetype  local)
{
  const EventTimes *times = &expansion->times;
  Original original = original_from_local (times, local);
  gint64 key = original_key (&original);
  gint64 start = times->all_day ? key * 86400 : original.utc;
  gint64 end = times->all_day ? start + times->days * 86400
                              : calsync_ical_occurrence_end (times, local, original.utc);

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
                                      _("the repeating events of this file have more than %u occurrences"),
                                      MAX_OCCURRENCES);
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
  expansion.cancelled = self->calendar_cancelled || series->master->status == CALSYNC_EVENT_STATUS_CANCELLED;

  ok = calsync_ical_read_times (self, series->master, &expansion.times, error) &&
       add_exdates (&expansion, error) &&
       mark_overridden (&expansion, error);

  /* DTSTART is always the first instance, even when the rule would skip it */
  if (ok)
    add_occurrence (&expansion, expansion.times.start);

  ok = ok && expand_rrules (&expansion, error) && add_rdates (&expansion, error);
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
  calsync_ical_set_occurrence_times (event, &times, times.start, times.start_utc, times.end_utc);
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
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_INVALID, info->begin,
                                        _("the event has no UID"));

  calsync_ical_derive_event_info (info);
  series = get_series (by_uid, order, info->uid);
  if (info->has_recurrence_id)
    g_ptr_array_add (series->overrides, info);
  else
    series->master = info;

  return TRUE;
}

/* The VEVENTs of calendar @calendar, from *@next on, grouped by UID into series
 * and emitted series by series */
gboolean
calsync_ical_emit_events (Parser   *self,
                          guint     calendar,
                          guint    *next,
                          GError  **error)
{
  g_autoptr(GHashTable) by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);

  for (; *next < self->events->len && g_array_index (self->events, EventInfo, *next).calendar == calendar;
       (*next)++)
    if (!add_event (by_uid, order, &g_array_index (self->events, EventInfo, *next), error))
      return FALSE;

  for (guint i = 0; i < order->len; i++)
    if (!emit_series (self, g_ptr_array_index (order, i), error))
      return FALSE;

  return TRUE;
}
