/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-edit.c: a local change applied to a server's iCalendar
 * resource (CalDAV), changing only what CalSync edits.
 *
 * An edit replaces the lines of what the person changed (SUMMARY,
 * DESCRIPTION, LOCATION, STATUS, DTSTART and its end), keeping the form the
 * server wrote its times in (TZID, UTC, floating, dates), and stamps the
 * VEVENT (SEQUENCE + 1, DTSTAMP, LAST-MODIFIED). An instance of a series is
 * edited in its override (RECURRENCE-ID), made from the master when there is
 * none; deleting one adds an EXDATE to the master and drops its override.
 * Every other line — VALARMs, X- properties, ATTACH, ATTENDEEs, other
 * instances' overrides, VTIMEZONEs, properties CalSync does not know — is
 * written back byte for byte (calsync-ical-resource.c). Instances are
 * matched to overrides as the reader matched them (calsync-ical-recurrence.c). */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>
#include <string.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"

/* Occurrences looked at when asking whether a series has one left */
#define MAX_OCCURRENCES_CHECKED 10000

/* Where new lines go when the VEVENT has none of their kind */
static const char * const AFTER_UID[] = { "UID", NULL };
static const char * const AFTER_STAMP[] = { "DTSTAMP", "UID", NULL };
static const char * const AFTER_TEXT[] = { "SUMMARY", "DTSTAMP", "UID", NULL };
static const char * const AFTER_START[] = { "DTSTART", NULL };
static const char * const AFTER_RULES[] = { "EXDATE", "RDATE", "RRULE", "DTEND", "DURATION", "DTSTART", NULL };

/* A VEVENT of the series edited */
typedef struct
{
  IcalNode *node;     /* borrowed from the resource */
  EventInfo info;
} Vevent;

typedef struct
{
  IcalResource resource;
  CalsyncEvent *event;        /* borrowed */
  CalsyncEvent *base;         /* borrowed: the event before the edit, or NULL */
  gint64 now;                 /* seconds */
  char *uid;
  gboolean instance;          /* @event is an instance of a series */
  OriginalStart original;     /* its original start */
  Vevent *master;             /* NULL when the resource has none */
  GPtrArray *overrides;       /* Vevent */
} Edit;

/* How a VEVENT writes its times: as its DTSTART does */
typedef enum
{
  FORM_DATE,
  FORM_UTC,
  FORM_WALL,                  /* TZID or floating */
} FormKind;

typedef struct
{
  FormKind kind;
  char *params;               /* ";TZID=Europe/Berlin", as in the text */
  Zone *zone;                 /* FORM_WALL: its clock */
  Zone *owned_zone;
} Form;

static void
vevent_free (Vevent *vevent)
{
  calsync_ical_event_info_clear (&vevent->info);
  g_free (vevent);
}

static Vevent *
vevent_new (IcalNode *node)
{
  Vevent *vevent = g_new0 (Vevent, 1);

  vevent->node = node;
  calsync_ical_read_vevent (node, &vevent->info);
  return vevent;
}

static void
edit_clear (Edit *self)
{
  calsync_ical_resource_clear (&self->resource);
  g_clear_pointer (&self->uid, g_free);
  g_clear_pointer (&self->master, vevent_free);
  g_clear_pointer (&self->overrides, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Edit, edit_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Vevent, vevent_free)

static void
form_clear (Form *form)
{
  g_clear_pointer (&form->params, g_free);
  g_clear_pointer (&form->owned_zone, calsync_ical_zone_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Form, form_clear)

static const char *
event_title (CalsyncEvent *event)
{
  const char *title = calsync_event_get_title (event);

  return title != NULL ? title : "";
}

static gboolean
not_found_error (CalsyncEvent  *event,
                 GError       **error)
{
  g_set_error (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_INVALID,
               /* Translators: %s is the title of an event */
               _("The event “%s” is no longer in its calendar file on the server"), event_title (event));
  return FALSE;
}

static gboolean
info_ok (const EventInfo  *info,
         GError          **error)
{
  if (info->problem == NULL)
    return TRUE;

  g_propagate_error (error, g_error_copy (info->problem));
  return FALSE;
}

/* Loading --------------------------------------------------------------------- */

static void
collect_series (Edit *self)
{
  GPtrArray *children = self->resource.calendar->children;

  for (guint i = 0; i < children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (children, i);
      Vevent *vevent;

      if (child->children == NULL || !calsync_ical_node_is (child, "VEVENT"))
        continue;

      vevent = vevent_new (child);
      if (g_strcmp0 (vevent->info.uid, self->uid) != 0)
        vevent_free (vevent);
      else if (vevent->info.has_recurrence_id)
        g_ptr_array_add (self->overrides, vevent);
      else if (self->master == NULL)
        self->master = vevent;
      else
        vevent_free (vevent);
    }
}

static gboolean
edit_load (Edit          *self,
           const char    *text,
           CalsyncEvent  *event,
           gint64         now_utc,
           GError       **error)
{
  self->event = event;
  self->now = now_utc;
  self->overrides = g_ptr_array_new_with_free_func ((GDestroyNotify) vevent_free);
  if (!calsync_ical_resource_load (&self->resource, text, error))
    return FALSE;

  self->instance = calsync_ical_read_original_start (event, &self->original);
  self->uid = g_strdup (self->instance ? calsync_event_get_recurring_event_id (event)
                                       : calsync_event_get_external_id (event));
  collect_series (self);

  if (self->master == NULL && self->overrides->len == 0)
    return not_found_error (event, error);
  return TRUE;
}

/* Occurrences --------------------------------------------------------------------- */

static gboolean
read_times (Edit        *self,
            Vevent      *vevent,
            EventTimes  *times,
            GError     **error)
{
  return info_ok (&vevent->info, error) &&
         calsync_ical_read_times (&self->resource.parser, &vevent->info, times, error);
}

/* A RECURRENCE-ID or EXDATE as the occurrence it names, on the clock of
 * @clock (the series' times), as calsync-ical-recurrence.c reads it */
static gboolean
value_original (Edit             *self,
                const EventTimes *clock,
                const TimeValue  *value,
                OriginalStart    *original,
                GError          **error)
{
  struct icaltimetype t = value->time;
  Zone *zone;

  memset (original, 0, sizeof *original);
  original->is_date = clock->all_day;
  if (clock->all_day)
    {
      original->date = icaltime_null_date ();
      original->date.year = t.year;
      original->date.month = t.month;
      original->date.day = t.day;
      return TRUE;
    }

  /* Floating (and a date on a timed series): on the series' own clock */
  zone = value->tzid == NULL && !icaltime_is_utc (t) ? clock->zone
                                                     : calsync_ical_value_zone (&self->resource.parser, value, error);
  if (zone == NULL)
    return FALSE;

  t.is_date = 0;
  original->utc = calsync_ical_zone_to_utc (zone, t);
  return TRUE;
}

static gboolean
same_original (const OriginalStart *a,
               const OriginalStart *b)
{
  if (a->is_date != b->is_date)
    return FALSE;
  if (a->is_date)
    return calsync_ical_date_key (a->date) == calsync_ical_date_key (b->date);
  return a->utc == b->utc;
}

/* The override of the edited instance, or NULL */
static Vevent *
find_override (Edit     *self,
               GError  **error)
{
  EventTimes clock;

  if (self->master != NULL && !read_times (self, self->master, &clock, error))
    return NULL;

  for (guint i = 0; i < self->overrides->len; i++)
    {
      Vevent *override = g_ptr_array_index (self->overrides, i);
      OriginalStart original;

      /* Without a master, an override is an instance on its own clock */
      if (self->master == NULL && !read_times (self, override, &clock, error))
        return NULL;
      if (!info_ok (&override->info, error) ||
          !value_original (self, &clock, &override->info.recurrence_id, &original, error))
        return NULL;
      if (same_original (&original, &self->original))
        return override;
    }

  return NULL;
}

/* Forms of times --------------------------------------------------------------- */

/* The parameters of a date line: what is between its name and its value */
static char *
line_params (const IcalNode *node)
{
  const char *start = node->text + strlen (node->name);
  const char *colon = calsync_ical_date_value (node->text) - 1;

  return colon > start ? g_strndup (start, (gsize) (colon - start)) : g_strdup ("");
}

static void
form_of_start (Edit             *self,
               Vevent           *vevent,
               const EventTimes *times,
               Form             *form)
{
  IcalNode *dtstart = calsync_ical_node_find (vevent->node, "DTSTART");
  struct icaltimetype start = vevent->info.dtstart.time;

  form->params = line_params (dtstart);
  if (start.is_date)
    form->kind = FORM_DATE;
  else if (icaltime_is_utc (start))
    form->kind = FORM_UTC;
  else
    {
      form->kind = FORM_WALL;
      form->zone = times->zone;
    }
}

/* Before the first VEVENT, as the writer puts them */
static void
add_vtimezone (Edit         *self,
               const char   *tzid,
               icaltimezone *builtin)
{
  GPtrArray *children = self->resource.calendar->children;
  icalcomponent *vtimezone;
  guint position;

  if (g_hash_table_contains (self->resource.parser.vtimezones, tzid))
    return;

  for (position = 0; position < children->len; position++)
    if (((IcalNode *) g_ptr_array_index (children, position))->children != NULL)
      break;

  vtimezone = calsync_ical_new_vtimezone (tzid, builtin);
  g_ptr_array_insert (children, (int) position, calsync_ical_resource_new_block (&self->resource, "VTIMEZONE", vtimezone));
  icalcomponent_free (vtimezone);
}

/* Times in the event's own zone (with its VTIMEZONE), else in UTC */
static void
form_of_zone (Edit       *self,
              const char *tzid,
              Form       *form)
{
  icaltimezone *builtin = calsync_ical_builtin_zone (tzid);

  g_clear_pointer (&form->params, g_free);
  if (builtin == NULL)
    {
      form->kind = FORM_UTC;
      form->params = g_strdup ("");
      return;
    }

  form->kind = FORM_WALL;
  form->params = g_strconcat (";TZID=", tzid, NULL);
  form->owned_zone = form->zone = calsync_ical_zone_new (tzid, builtin, FALSE, NULL);
  add_vtimezone (self, tzid, builtin);
}

static char *
date_line (const Form          *form,
           const char          *name,
           struct icaltimetype  date)
{
  return g_strdup_printf ("%s%s:%04d%02d%02d", name, form->kind == FORM_DATE ? form->params : ";VALUE=DATE",
                          date.year, date.month, date.day);
}

/* @utc in @form; in UTC without the parameters when its wall time there is
 * ambiguous (the hour repeated when clocks go back) */
static char *
instant_line (const Form *form,
              const char *name,
              gint64      utc)
{
  struct icaltimetype t;

  if (form->kind == FORM_WALL)
    {
      t = calsync_ical_zone_from_utc (form->zone, utc);
      if (calsync_ical_zone_to_utc (form->zone, t) == utc)
        return g_strdup_printf ("%s%s:%04d%02d%02dT%02d%02d%02d", name, form->params,
                                t.year, t.month, t.day, t.hour, t.minute, t.second);
    }

  t = calsync_ical_unix_to_fields (utc);
  return g_strdup_printf ("%s%s:%04d%02d%02dT%02d%02d%02dZ", name, form->kind == FORM_UTC ? form->params : "",
                          t.year, t.month, t.day, t.hour, t.minute, t.second);
}

/* An occurrence's start in @form: RECURRENCE-ID, EXDATE */
static char *
original_line (const Form          *form,
               const char          *name,
               const OriginalStart *original)
{
  if (original->is_date)
    return date_line (form, name, original->date);
  return instant_line (form, name, original->utc);
}

/* Lines ------------------------------------------------------------------------- */

static void
set_line (Edit               *self,
          IcalNode           *vevent,
          const char         *text,
          const char * const *anchors)
{
  calsync_ical_node_set (vevent, calsync_ical_resource_new_line (&self->resource, text), anchors);
}

static void
set_line_take (Edit               *self,
               IcalNode           *vevent,
               char               *text,
               const char * const *anchors)
{
  set_line (self, vevent, text, anchors);
  g_free (text);
}

static char *
utc_value (gint64 unix_utc)
{
  struct icaltimetype t = calsync_ical_unix_to_fields (unix_utc);

  return g_strdup_printf ("%04d%02d%02dT%02d%02d%02dZ", t.year, t.month, t.day, t.hour, t.minute, t.second);
}

static void
set_stamp (Edit               *self,
           IcalNode           *vevent,
           const char         *name,
           const char * const *anchors)
{
  g_autofree char *value = utc_value (self->now);

  set_line_take (self, vevent, g_strconcat (name, ":", value, NULL), anchors);
}

/* A new revision: SEQUENCE + 1, DTSTAMP and LAST-MODIFIED now */
static void
stamp_revision (Edit   *self,
                Vevent *vevent)
{
  int sequence = vevent->info.sequence < G_MAXINT ? vevent->info.sequence + 1 : G_MAXINT;

  set_stamp (self, vevent->node, "DTSTAMP", AFTER_UID);
  set_stamp (self, vevent->node, "LAST-MODIFIED", AFTER_STAMP);
  set_line_take (self, vevent->node, g_strdup_printf ("SEQUENCE:%d", sequence), AFTER_STAMP);
}

static gboolean
set_text (Edit                   *self,
          IcalNode               *vevent,
          const char             *name,
          const char             *old_text,
          const char             *new_text,
          icalproperty         *(*new_property) (const char *))
{
  g_autofree char *clean = NULL;

  if (g_strcmp0 (old_text ? old_text : "", new_text ? new_text : "") == 0)
    return FALSE;

  if (new_text == NULL || *new_text == '\0')
    {
      calsync_ical_node_remove_all (vevent, name);
      return TRUE;
    }

  clean = calsync_ical_clean_text (new_text, FALSE);
  calsync_ical_node_set (vevent, calsync_ical_resource_new_property (&self->resource, new_property (clean)),
                         AFTER_TEXT);
  return TRUE;
}

static const char *
status_value (CalsyncEventStatus status)
{
  switch (status)
    {
    case CALSYNC_EVENT_STATUS_TENTATIVE:
      return "TENTATIVE";
    case CALSYNC_EVENT_STATUS_CANCELLED:
      return "CANCELLED";
    case CALSYNC_EVENT_STATUS_CONFIRMED:
    default:
      return "CONFIRMED";
    }
}

static void
set_status (Edit   *self,
            Vevent *vevent)
{
  CalsyncEventStatus status = calsync_event_get_status (self->event);

  if (status != vevent->info.status)
    set_line_take (self, vevent->node, g_strconcat ("STATUS:", status_value (status), NULL), AFTER_TEXT);
}

/* Times ------------------------------------------------------------------------- */

static gboolean
same_dates (const EventTimes *times,
            CalsyncEvent     *event)
{
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  struct icaltimetype last = times->start;

  if (!times->all_day || !calsync_event_get_all_day (event))
    return FALSE;

  icaltime_adjust (&last, times->days, 0, 0, 0);
  start = calsync_ical_format_date (times->start);
  end = calsync_ical_format_date (last);
  return g_strcmp0 (start, calsync_event_get_start_date (event)) == 0 &&
         g_strcmp0 (end, calsync_event_get_end_date (event)) == 0;
}

static gboolean
same_instants (const EventTimes *times,
               CalsyncEvent     *event)
{
  const char *tzid = calsync_event_get_time_zone (event);

  return !times->all_day && !calsync_event_get_all_day (event) &&
         times->start_utc == calsync_event_get_start (event) && times->end_utc == calsync_event_get_end (event) &&
         (tzid == NULL || g_str_equal (tzid, times->zone->id) || calsync_ical_builtin_zone (tzid) == NULL);
}

/* The form the new times are written in: the DTSTART's, unless the event
 * changed between all-day and timed or moved to another zone */
static void
choose_form (Edit             *self,
             Vevent           *vevent,
             const EventTimes *times,
             Form             *form)
{
  const char *tzid = calsync_event_get_time_zone (self->event);

  form_of_start (self, vevent, times, form);
  if (calsync_event_get_all_day (self->event))
    {
      if (form->kind != FORM_DATE)
        {
          g_free (form->params);
          form->params = g_strdup (";VALUE=DATE");
          form->kind = FORM_DATE;
        }
      return;
    }

  if (form->kind == FORM_DATE ||
      (tzid != NULL && !g_str_equal (tzid, times->zone->id) && calsync_ical_builtin_zone (tzid) != NULL))
    form_of_zone (self, tzid != NULL ? tzid : "UTC", form);
}

/* DTEND, or DURATION where the VEVENT has one */
static void
set_end (Edit       *self,
         Vevent     *vevent,
         char       *dtend_line,
         char       *duration)
{
  gboolean use_duration = vevent->info.has_duration && !vevent->info.has_dtend;

  if (use_duration)
    {
      calsync_ical_node_remove_all (vevent->node, "DTEND");
      set_line_take (self, vevent->node, g_strconcat ("DURATION:", duration, NULL), AFTER_START);
    }
  else if (dtend_line != NULL)
    {
      calsync_ical_node_remove_all (vevent->node, "DURATION");
      set_line (self, vevent->node, dtend_line, AFTER_START);
    }

  g_free (dtend_line);
  g_free (duration);
}

static void
set_dates (Edit       *self,
           Vevent     *vevent,
           const Form *form)
{
  struct icaltimetype start, end;
  gint64 days;

  if (!calsync_ical_parse_date (calsync_event_get_start_date (self->event), &start) ||
      !calsync_ical_parse_date (calsync_event_get_end_date (self->event), &end))
    return;

  /* An all-day event lasts a day at least */
  if (calsync_ical_date_key (end) <= calsync_ical_date_key (start))
    {
      end = start;
      icaltime_adjust (&end, 1, 0, 0, 0);
    }
  days = calsync_ical_date_key (end) - calsync_ical_date_key (start);

  set_line_take (self, vevent->node, date_line (form, "DTSTART", start), AFTER_UID);
  set_end (self, vevent, date_line (form, "DTEND", end),
           g_strdup_printf ("P%" G_GINT64_FORMAT "D", days));
}

static char *
duration_text (gint64 seconds)
{
  struct icaldurationtype duration = icaldurationtype_from_int ((int) CLAMP (seconds, 0, G_MAXINT));
  char *ical = icaldurationtype_as_ical_string_r (duration);
  char *text = g_strdup (ical);

  icalmemory_free_buffer (ical);
  return text;
}

static void
set_instants (Edit       *self,
              Vevent     *vevent,
              const Form *form)
{
  gint64 start = calsync_event_get_start (self->event);
  gint64 end = MAX (calsync_event_get_end (self->event), start);

  set_line_take (self, vevent->node, instant_line (form, "DTSTART", start), AFTER_UID);
  if (end == start && !vevent->info.has_dtend && !vevent->info.has_duration)
    return;

  set_end (self, vevent, instant_line (form, "DTEND", end), duration_text (end - start));
}

static gboolean
set_times (Edit     *self,
           Vevent   *vevent,
           GError  **error)
{
  g_auto(Form) form = { 0 };
  EventTimes times;

  if (!read_times (self, vevent, &times, error))
    return FALSE;
  if (same_dates (&times, self->event) || same_instants (&times, self->event))
    return TRUE;

  choose_form (self, vevent, &times, &form);
  if (calsync_event_get_all_day (self->event))
    set_dates (self, vevent, &form);
  else
    set_instants (self, vevent, &form);
  return TRUE;
}

/* Occurrences of a series ---------------------------------------------------- */

/* Keys of occurrences: instants (UTC) or dates */
static gint64
occurrence_key (const EventTimes    *times,
                struct icaltimetype  local)
{
  if (times->all_day)
    return calsync_ical_date_key (local);
  return calsync_ical_zone_to_utc (times->zone, local);
}

typedef struct
{
  GHashTable *excluded;   /* occurrence keys */
  GHashTable *days;       /* date keys of EXDATE;VALUE=DATE on a timed series */
  const EventTimes *times;
} Exclusions;

static gboolean
is_kept (const Exclusions    *exclusions,
         struct icaltimetype  local)
{
  gint64 key = occurrence_key (exclusions->times, local);
  gint64 day = calsync_ical_date_key (local);

  return !g_hash_table_contains (exclusions->excluded, &key) && !g_hash_table_contains (exclusions->days, &day);
}

static void
add_key (GHashTable *keys,
         gint64      key)
{
  g_hash_table_add (keys, g_memdup2 (&key, sizeof key));
}

static void
read_exclusions (Edit             *self,
                 const EventInfo  *info,
                 Exclusions       *exclusions)
{
  for (guint i = 0; i < info->exdates->len; i++)
    {
      const TimeValue *value = &g_array_index (info->exdates, TimeValue, i);
      OriginalStart original;

      if (value->time.is_date && !exclusions->times->all_day)
        add_key (exclusions->days, calsync_ical_date_key (value->time));
      else if (value_original (self, exclusions->times, value, &original, NULL))
        add_key (exclusions->excluded, original.is_date ? calsync_ical_date_key (original.date) : original.utc);
    }
}

/* The rule's UNTIL on the floating clock the occurrences are counted on */
static struct icalrecurrencetype
local_rule (const EventTimes          *times,
            struct icalrecurrencetype  rule)
{
  if (icaltime_is_null_time (rule.until) || !icaltime_is_utc (rule.until))
    return rule;

  if (times->all_day)
    rule.until.is_date = 1;
  else
    rule.until = calsync_ical_zone_from_utc (times->zone, calsync_ical_fields_to_unix (rule.until));
  rule.until.zone = NULL;
  return rule;
}

/* A rule that can never match, which libical would look for up to the year
 * 2582 (a second or more): what iterating it would say, an iterator libical
 * refuses (@refused) or one that finds nothing */
static gboolean
empty_rule_result (const EventTimes                *times,
                   const struct icalrecurrencetype *rule,
                   gboolean                         refused,
                   gboolean                         found_nothing)
{
  return calsync_ical_empty_rule_has_iterator (rule, times->start) ? found_nothing : refused;
}

static gboolean
rule_keeps_one (const Exclusions *exclusions,
                const Rule       *rule,
                guint            *budget)
{
  const EventTimes *times = exclusions->times;
  struct icalrecurrencetype local = local_rule (times, rule->rule);
  icalrecur_iterator *iterator;
  gboolean kept = FALSE;
  struct icaltimetype next;

  if (calsync_ical_rule_never_matches (&local, times->start))
    return empty_rule_result (times, &local, TRUE, *budget == 0);

  if ((iterator = icalrecur_iterator_new (local, times->start)) == NULL)
    return TRUE;

  while (!kept && *budget > 0 && !icaltime_is_null_time (next = icalrecur_iterator_next (iterator)))
    {
      (*budget)--;
      next.zone = NULL;
      kept = is_kept (exclusions, next);
    }

  icalrecur_iterator_free (iterator);
  /* Too many to look at: some are surely kept */
  return kept || *budget == 0;
}

/* Whether the master still has an occurrence (its DTSTART, an RDATE, a rule's) */
static gboolean
master_keeps_one (Edit *self)
{
  g_autoptr(GHashTable) excluded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) days = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint budget = MAX_OCCURRENCES_CHECKED;
  g_autoptr(Vevent) master = NULL;
  Exclusions exclusions = { excluded, days, NULL };
  EventTimes times;
  gboolean kept;

  master = vevent_new (self->master->node);
  if (!read_times (self, master, &times, NULL))
    return TRUE;

  exclusions.times = &times;
  read_exclusions (self, &master->info, &exclusions);
  kept = is_kept (&exclusions, times.start);

  for (guint i = 0; !kept && i < master->info.rdates->len; i++)
    {
      const TimeValue *value = &g_array_index (master->info.rdates, TimeValue, i);
      OriginalStart original;

      kept = !value_original (self, &times, value, &original, NULL) ||
             is_kept (&exclusions, original.is_date ? original.date
                                                    : calsync_ical_zone_from_utc (times.zone, original.utc));
    }

  for (guint i = 0; !kept && i < master->info.rrules->len; i++)
    kept = rule_keeps_one (&exclusions, &g_array_index (master->info.rrules, Rule, i), &budget);

  return kept;
}

/* Whether @rule has an occurrence at @wanted (or gives up looking) */
static gboolean
rule_reaches (const EventTimes *times,
              const Rule       *rule,
              gint64            wanted,
              guint            *budget)
{
  struct icalrecurrencetype local = local_rule (times, rule->rule);
  icalrecur_iterator *iterator;
  gboolean found = FALSE;
  struct icaltimetype next;
  gint64 key = G_MININT64;

  if (calsync_ical_rule_never_matches (&local, times->start))
    return empty_rule_result (times, &local, FALSE, wanted == G_MININT64 || *budget == 0);

  if ((iterator = icalrecur_iterator_new (local, times->start)) == NULL)
    return FALSE;

  while (key < wanted && *budget > 0 && !icaltime_is_null_time (next = icalrecur_iterator_next (iterator)))
    {
      (*budget)--;
      next.zone = NULL;
      key = occurrence_key (times, next);
    }

  icalrecur_iterator_free (iterator);
  /* Too far to look: taken as there */
  found = key == wanted || *budget == 0;
  return found;
}

static gboolean
is_excluded_day (const Exclusions *exclusions,
                 gint64            utc)
{
  struct icaltimetype local = calsync_ical_zone_from_utc (exclusions->times->zone, utc);
  gint64 day = calsync_ical_date_key (local);

  return g_hash_table_contains (exclusions->days, &day);
}

/* Whether the master has the occurrence @original (not excluded): an edit
 * must not make an override of an occurrence the series no longer has */
static gboolean
master_has (Edit                *self,
            const OriginalStart *original)
{
  g_autoptr(GHashTable) excluded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) days = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  Exclusions exclusions = { excluded, days, NULL };
  EventInfo *info = &self->master->info;
  gint64 wanted = original->is_date ? calsync_ical_date_key (original->date) : original->utc;
  guint budget = MAX_RRULE_STEPS;
  EventTimes times;

  if (!read_times (self, self->master, &times, NULL) || times.all_day != original->is_date)
    return FALSE;

  exclusions.times = &times;
  read_exclusions (self, info, &exclusions);
  if (g_hash_table_contains (excluded, &wanted) ||
      (!times.all_day && is_excluded_day (&exclusions, original->utc)))
    return FALSE;

  if (occurrence_key (&times, times.start) == wanted)
    return TRUE;
  for (guint i = 0; i < info->rdates->len; i++)
    {
      OriginalStart rdate;

      if (value_original (self, &times, &g_array_index (info->rdates, TimeValue, i), &rdate, NULL) &&
          same_original (&rdate, original))
        return TRUE;
    }

  for (guint i = 0; i < info->rrules->len; i++)
    if (rule_reaches (&times, &g_array_index (info->rrules, Rule, i), wanted, &budget))
      return TRUE;

  return FALSE;
}

/* Edits ------------------------------------------------------------------------- */

/* Whether the edit changed @field: against the event before it when known
 * (the fields it did not change keep the server's value), else always */
static gboolean
edited (Edit       *self,
        const char *(*field) (CalsyncEvent *),
        gboolean    changed_from_base)
{
  if (self->base == NULL)
    return TRUE;
  if (field != NULL)
    return g_strcmp0 (field (self->base), field (self->event)) != 0;
  return changed_from_base;
}

static gboolean
times_edited (Edit *self)
{
  CalsyncEvent *base = self->base;
  CalsyncEvent *event = self->event;

  if (base == NULL)
    return TRUE;
  if (calsync_event_get_all_day (base) != calsync_event_get_all_day (event))
    return TRUE;
  if (calsync_event_get_all_day (event))
    return g_strcmp0 (calsync_event_get_start_date (base), calsync_event_get_start_date (event)) != 0 ||
           g_strcmp0 (calsync_event_get_end_date (base), calsync_event_get_end_date (event)) != 0;
  return calsync_event_get_start (base) != calsync_event_get_start (event) ||
         calsync_event_get_end (base) != calsync_event_get_end (event) ||
         g_strcmp0 (calsync_event_get_time_zone (base), calsync_event_get_time_zone (event)) != 0;
}

/* The event's content and times on @vevent, and a new revision of it. A new
 * override has the master's times: its own are always written. */
static gboolean
apply_event (Edit      *self,
             Vevent    *vevent,
             gboolean   new_override,
             GError   **error)
{
  EventInfo *info = &vevent->info;
  CalsyncEvent *event = self->event;

  if (!info_ok (info, error) ||
      ((new_override || times_edited (self)) && !set_times (self, vevent, error)))
    return FALSE;

  if (edited (self, calsync_event_get_title, FALSE))
    set_text (self, vevent->node, "SUMMARY", info->summary, calsync_event_get_title (event),
              icalproperty_new_summary);
  if (edited (self, calsync_event_get_description, FALSE))
    set_text (self, vevent->node, "DESCRIPTION", info->description, calsync_event_get_description (event),
              icalproperty_new_description);
  if (edited (self, calsync_event_get_location, FALSE))
    set_text (self, vevent->node, "LOCATION", info->location, calsync_event_get_location (event),
              icalproperty_new_location);
  if (edited (self, NULL, self->base != NULL &&
                          calsync_event_get_status (self->base) != calsync_event_get_status (event)))
    set_status (self, vevent);
  stamp_revision (self, vevent);
  return TRUE;
}

static gboolean
has_rule (const Vevent *vevent)
{
  return vevent != NULL && (vevent->info.rrules->len > 0 || vevent->info.rdates->len > 0);
}

/* The index in the VCALENDAR after the last VEVENT of the series */
static guint
series_end (Edit *self)
{
  GPtrArray *children = self->resource.calendar->children;
  guint end = 0;

  for (guint i = 0; i < children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (children, i);

      if (self->master != NULL && child == self->master->node)
        end = i + 1;
      for (guint j = 0; j < self->overrides->len; j++)
        if (child == ((Vevent *) g_ptr_array_index (self->overrides, j))->node)
          end = i + 1;
    }

  return end;
}

/* An override of the edited instance: the master less its rules, with a
 * RECURRENCE-ID in the form of its DTSTART */
static Vevent *
add_override (Edit     *self,
              GError  **error)
{
  g_auto(Form) form = { 0 };
  g_autofree char *recurrence_id = NULL;
  EventTimes times;
  IcalNode *copy;
  Vevent *override;

  if (!has_rule (self->master) || !master_has (self, &self->original))
    {
      not_found_error (self->event, error);
      return NULL;
    }
  if (!read_times (self, self->master, &times, error))
    return NULL;

  form_of_start (self, self->master, &times, &form);
  if (form.kind == FORM_DATE && !self->original.is_date)
    {
      not_found_error (self->event, error);
      return NULL;
    }

  copy = calsync_ical_node_copy (self->master->node);
  calsync_ical_node_remove_all (copy, "RRULE");
  calsync_ical_node_remove_all (copy, "RDATE");
  calsync_ical_node_remove_all (copy, "EXDATE");
  recurrence_id = original_line (&form, "RECURRENCE-ID", &self->original);
  calsync_ical_node_insert (copy, calsync_ical_resource_new_line (&self->resource, recurrence_id), AFTER_START);

  g_ptr_array_insert (self->resource.calendar->children, (int) series_end (self), copy);
  override = vevent_new (copy);
  g_ptr_array_add (self->overrides, override);
  return override;
}

/**
 * calsync_ical_resource_update:
 * @text: the resource's iCalendar text as on the server
 * @event: the event as edited here; an instance of a series (recurring event
 *   id and original start) changes that instance only
 * @base: (nullable): the event before the edit (as read from the text the
 *   edit was made on): only the fields that differ from it are written, the
 *   others keep @text's values (a conflict: the server's other changes stay);
 *   %NULL writes every field that differs from @text
 * @now_utc: DTSTAMP and LAST-MODIFIED of the new revision (seconds)
 *
 * Returns: (transfer full): @text with the edit, or %NULL with @error set
 *   (%CALSYNC_ICAL_ERROR: @text is not iCalendar, or the event is not in it)
 */
char *
calsync_ical_resource_update (const char    *text,
                              CalsyncEvent  *event,
                              CalsyncEvent  *base,
                              gint64         now_utc,
                              GError       **error)
{
  g_auto(Edit) self = { { 0 } };
  g_autoptr(GError) local_error = NULL;
  gboolean new_override = FALSE;
  Vevent *target;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);
  g_return_val_if_fail (base == NULL || CALSYNC_IS_EVENT (base), NULL);

  if (!edit_load (&self, text, event, now_utc, error))
    return NULL;
  self.base = base;

  if (!self.instance)
    target = self.master;
  else if ((target = find_override (&self, &local_error)) == NULL && local_error == NULL)
    {
      target = add_override (&self, &local_error);
      new_override = target != NULL;
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (target == NULL)
    {
      not_found_error (event, error);
      return NULL;
    }

  if (!apply_event (&self, target, new_override, error))
    return NULL;
  return calsync_ical_resource_to_string (&self.resource);
}

/* Deleting ---------------------------------------------------------------------- */

static void
remove_vevent (Edit   *self,
               Vevent *vevent)
{
  g_ptr_array_remove (self->resource.calendar->children, vevent->node);
  vevent->node = NULL;
}

static gboolean
calendar_has_vevent (Edit *self)
{
  GPtrArray *children = self->resource.calendar->children;

  for (guint i = 0; i < children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (children, i);

      if (child->children != NULL && calsync_ical_node_is (child, "VEVENT"))
        return TRUE;
    }

  return FALSE;
}

/* An EXDATE on the master in the form of its DTSTART, and a new revision */
static gboolean
exclude_instance (Edit     *self,
                  GError  **error)
{
  g_auto(Form) form = { 0 };
  g_autofree char *exdate = NULL;
  EventTimes times;

  if (!read_times (self, self->master, &times, error))
    return FALSE;

  form_of_start (self, self->master, &times, &form);
  if (form.kind == FORM_DATE && !self->original.is_date)
    return not_found_error (self->event, error);

  exdate = original_line (&form, "EXDATE", &self->original);
  calsync_ical_node_insert (self->master->node, calsync_ical_resource_new_line (&self->resource, exdate),
                            AFTER_RULES);
  stamp_revision (self, self->master);
  return TRUE;
}

/* An event of its own: every VEVENT of its UID goes */
static void
delete_series (Edit *self)
{
  if (self->master != NULL)
    remove_vevent (self, self->master);
  for (guint i = 0; i < self->overrides->len; i++)
    remove_vevent (self, g_ptr_array_index (self->overrides, i));
  g_ptr_array_set_size (self->overrides, 0);
}

/* An instance: its override goes, an EXDATE excludes it from the master */
static gboolean
delete_instance (Edit     *self,
                 GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  Vevent *override;

  if ((override = find_override (self, &local_error)) == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (override == NULL && !has_rule (self->master))
    return not_found_error (self->event, error);

  if (override != NULL)
    {
      remove_vevent (self, override);
      g_ptr_array_remove (self->overrides, override);
    }

  return !has_rule (self->master) || exclude_instance (self, error);
}

/**
 * calsync_ical_resource_delete:
 * @text: the resource's iCalendar text as on the server
 * @event: the event deleted here; for an instance of a series, that instance
 * @now_utc: DTSTAMP and LAST-MODIFIED of the master's new revision (seconds)
 * @left_empty: (out): set when the resource would hold no event any more:
 *   it is to be deleted as a whole (always so for an event of its own)
 *
 * An instance is removed with an EXDATE on its master (in the form of the
 * master's DTSTART) and without its override.
 *
 * Returns: (transfer full) (nullable): @text without the event; %NULL when
 *   *@left_empty, or with @error set
 */
char *
calsync_ical_resource_delete (const char    *text,
                              CalsyncEvent  *event,
                              gint64         now_utc,
                              gboolean      *left_empty,
                              GError       **error)
{
  g_auto(Edit) self = { { 0 } };

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);
  g_return_val_if_fail (left_empty != NULL, NULL);

  *left_empty = FALSE;
  if (!edit_load (&self, text, event, now_utc, error))
    return NULL;

  if (!self.instance)
    delete_series (&self);
  else if (!delete_instance (&self, error))
    return NULL;

  if (!calendar_has_vevent (&self) ||
      (self.instance && self.overrides->len == 0 && has_rule (self.master) && !master_keeps_one (&self)))
    {
      *left_empty = TRUE;
      return NULL;
    }

  return calsync_ical_resource_to_string (&self.resource);
}
