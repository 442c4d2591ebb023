/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-reader.c: reading iCalendar with libical into CalsyncEvents.
 *
 * Import must say which line is wrong, and libical is lenient: a line it
 * cannot read becomes an X-LIC-ERROR property and parsing goes on. So the
 * content-line layer is CalSync's own: the text is unfolded
 * (calsync-ical-lexer.c), every line's shape checked (names, parameters,
 * BEGIN/END nesting, dates), the lines of each VEVENT read into an EventInfo
 * (calsync-ical-vevent.c: text, people, dates with their TZID, RRULE and
 * DURATION through libical's value parsers). VCALENDAR and VTIMEZONE lines go
 * to libical's parser one at a time, its state watched after each. libical
 * then does the calendar arithmetic: VTIMEZONE rules and built-in zones
 * (calsync-ical-zones.c), recurrence iteration (calsync-ical-recurrence.c).
 * Reading VEVENT lines ourselves rather than through icalparser also makes a
 * 5,000-event import twice as fast. Lines CalSync has no use for (alarms,
 * to-dos, vendor extensions) are checked for shape only.
 *
 * A mistake in the structure (BEGIN/END) or outside the VEVENTs makes the
 * text unreadable; one inside a VEVENT makes that VEVENT unreadable, and the
 * others are read (calsync-ical-select.c decides which VEVENTs are read).
 *
 * This file drives it: BEGIN/END, which lines are read and by whom, the
 * calendars, and the limits that keep the work bounded whatever the file. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>
#include <string.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"

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

/* Parsing state ---------------------------------------------------------------- */

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

static void
frame_clear (gpointer data)
{
  g_free (((Frame *) data)->name);
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
  g_array_set_clear_func (self->events, calsync_ical_event_info_clear);
  /* No event can be outside these, and the date arithmetic stays in range */
  self->window_start = CLAMP (window_start, MIN_UNIX, MAX_UNIX);
  self->window_end = CLAMP (window_end, MIN_UNIX, MAX_UNIX);
  self->occurrences_left = MAX_OCCURRENCES;
  self->instances_left = MAX_INSTANCES;
  self->vtimezones = g_hash_table_new (g_str_hash, g_str_equal);
  self->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) calsync_ical_zone_free);
  self->results = g_ptr_array_new_full (guess_n_events (length), g_object_unref);
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) calsync_ical_problem_free);
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
  g_clear_pointer (&self->utc, calsync_ical_zone_free);
  g_clear_pointer (&self->local, calsync_ical_zone_free);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
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
  { "SEQUENCE", CTX_EVENT, PROP_MAY_BE_EMPTY },
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
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        /* Translators: %s is a property name such as DTSTART */
                                        _("%s has a value CalSync cannot read"), name);

  return TRUE;
}

static gboolean
check_property_value (const KnownProperty  *known,
                      const char           *text,
                      const ContentLine    *content,
                      guint                 line,
                      GError              **error)
{
  const char *date = (known->flags & (PROP_DATE | PROP_DATE_LIST)) ? calsync_ical_date_value (text) : NULL;
  g_autofree char *value_type = (date != NULL && content->has_params)
                                ? calsync_ical_find_param (text, "VALUE") : NULL;
  gboolean dates_only = g_strcmp0 (value_type, "DATE") == 0;

  if (date != NULL && (!calsync_ical_for_each_date (date, dates_only, NULL, NULL) ||
                       ((known->flags & PROP_DATE) && strchr (date, ',') != NULL)))
    {
      g_autofree char *shown = calsync_ical_excerpt (date);
      return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                          _("“%s” is not a valid date or time"), shown);
    }

  if (g_str_equal (known->name, "RRULE") && !calsync_ical_rrule_until_is_valid (content->value))
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("the UNTIL date of the repeat rule is not valid"));

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
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("text outside of BEGIN:VCALENDAR … END:VCALENDAR"));

  if (context == CTX_SKIPPED || (known = find_known_property (context, content->name)) == NULL)
    return TRUE;

  if (calsync_ical_is_blank (content->value))
    {
      if (known->flags & PROP_MAY_BE_EMPTY)
        return TRUE;
      /* A public holiday feed has "RRULE:" on every event: no rule */
      if (context == CTX_EVENT && g_str_equal (content->name, "RRULE"))
        {
          current_event (self)->empty_rrule = line;
          return TRUE;
        }
      return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                          /* Translators: %s is a property name such as DTSTART */
                                          _("%s has no value"), content->name);
    }

  if (!check_property_value (known, text, content, line, error))
    return FALSE;

  if (context == CTX_EVENT)
    return calsync_ical_read_event_property (current_event (self), text, content, line, error);
  if (context == CTX_TZ_RULE && g_str_equal (content->name, "RRULE") &&
      !calsync_ical_check_zone_rule (content, line, error))
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
      calsync_ical_event_info_init (&info, self->calendar_lines->len - 1, line);
      g_array_append_val (self->events, info);
      self->in_event = TRUE;
      self->event_start = self->line_start;
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

  if (*name == '\0' || !calsync_ical_is_name_char (*name) || *calsync_ical_skip_name (name) != '\0')
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("BEGIN needs the name of a component"));
  if (context < 0 && top == NULL)
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("this is not an iCalendar file (BEGIN:VCALENDAR is missing)"));
  if (context < 0)
    {
      g_autofree char *shown = calsync_ical_excerpt (name);
      g_autofree char *parent = calsync_ical_excerpt (top->name);

      return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                          _("BEGIN:%s cannot be inside BEGIN:%s"), shown, parent);
    }
  if (self->stack->len >= MAX_DEPTH)
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("components are nested too deeply"));

  frame.name = g_steal_pointer (&name);
  frame.context = context;
  g_array_append_val (self->stack, frame);
  return open_component (self, context, text, line, error);
}

/* A VEVENT without UID (Thunderbird's own test files, several exporters) is
 * given one made from its text, the same at every import */
static void
close_event (Parser *self)
{
  EventInfo *info = current_event (self);

  self->in_event = FALSE;
  if (info->uid == NULL || *info->uid == '\0')
    calsync_ical_derive_uid (info, self->event_start, self->line_end);
}

static gboolean
read_end (Parser             *self,
          char               *text,
          const ContentLine  *content,
          guint               line,
          GError            **error)
{
  g_autofree char *name = component_name (content->value);
  g_autofree char *shown = calsync_ical_excerpt (name);
  Frame *top = top_frame (self);
  Context context;

  if (top == NULL)
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                        _("END:%s has no matching BEGIN"), shown);
  if (!g_str_equal (top->name, name))
    {
      g_autofree char *parent = calsync_ical_excerpt (top->name);

      return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                          /* Translators: END:VEVENT does not match BEGIN:VTIMEZONE on line 12 */
                                          _("END:%s does not match BEGIN:%s on line %u"), shown, parent, top->line);
    }

  context = top->context;
  g_array_set_size (self->stack, self->stack->len - 1);
  if (context == CTX_EVENT)
    close_event (self);
  if (context == CTX_SKIPPED || context == CTX_EVENT)
    return TRUE;

  return feed_line (self, text, line, "END", error);
}

/* A line of a VEVENT (or of its alarms) that cannot be read makes that VEVENT
 * unreadable, not the file: the first such problem is kept with the VEVENT,
 * and the rest of its lines are still read (its UID, SEQUENCE and DTSTAMP
 * say which revision it is; see calsync-ical-select.c) */
static gboolean
keep_event_problem (Parser  *self,
                    GError  *problem,
                    GError **error)
{
  EventInfo *info;

  if (!self->in_event)
    {
      g_propagate_error (error, problem);
      return FALSE;
    }

  info = current_event (self);
  if (info->problem == NULL)
    info->problem = problem;
  else
    g_error_free (problem);
  return TRUE;
}

static gboolean
read_line (Parser   *self,
           char     *text,
           guint     line,
           GError  **error)
{
  GError *problem = NULL;
  ContentLine content;

  if (calsync_ical_is_blank (text))
    return TRUE;

  if (!calsync_ical_split_content_line (text, &content))
    calsync_ical_set_line_error (&problem, CALSYNC_ICAL_ERROR_PARSE, line,
                                 _("this is not an iCalendar line (NAME:value)"));
  /* BEGIN and END make the structure: a mistake there is the file's */
  else if (g_str_equal (content.name, "BEGIN"))
    return read_begin (self, text, &content, line, error);
  else if (g_str_equal (content.name, "END"))
    return read_end (self, text, &content, line, error);
  else if (!read_property (self, text, &content, line, &problem) && self->in_event &&
           g_str_equal (content.name, "RECURRENCE-ID"))
    /* Still an override, not a revision of its master */
    current_event (self)->has_recurrence_id = TRUE;

  return problem == NULL || keep_event_problem (self, problem, error);
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

  for (self->line_start = reader.p; calsync_ical_reader_next (&reader, &line); self->line_start = reader.p)
    {
      self->line_end = reader.p;
      if (!read_line (self, buffer->str, line, error))
        return FALSE;
    }

  if (self->stack->len > 0)
    {
      Frame *top = top_frame (self);
      g_autofree char *shown = calsync_ical_excerpt (top->name);

      return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, top->line,
                                          _("BEGIN:%s is never closed (END:%s is missing)"), shown, shown);
    }

  if (self->calendars->len == 0)
    return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, 1,
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

  return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                      _("this component cannot be read"));
}

/* Calendars ------------------------------------------------------------------------ */

/* The VEVENTs of calendar @index, from *@next on */
static gboolean
read_calendar (Parser   *self,
               guint     index,
               guint    *next,
               GError  **error)
{
  icalcomponent *calendar = g_ptr_array_index (self->calendars, index);

  if (!find_lib_errors (calendar, g_array_index (self->calendar_lines, guint, index), error))
    return FALSE;

  calsync_ical_collect_vtimezones (self, calendar);
  self->calendar_cancelled = icalcomponent_get_method (calendar) == ICAL_METHOD_CANCEL;

  calsync_ical_emit_events (self, index, next);
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

static gboolean
parse (Parser      *self,
       const char  *data,
       gsize        length,
       GError     **error)
{
  guint next = 0;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    data += 3, length -= 3;

  if (!calsync_ical_check_encoding (data, length, error) || !read_text (self, data, length, error))
    return FALSE;

  calsync_ical_select_events (self);
  self->utc = calsync_ical_zone_new ("UTC", icaltimezone_get_utc_timezone (), FALSE, NULL);
  self->local = calsync_ical_local_zone_new ();

  for (guint i = 0; i < self->calendars->len; i++)
    if (!read_calendar (self, i, &next, error))
      return FALSE;

  return TRUE;
}

static gint
compare_problems (gconstpointer a,
                  gconstpointer b)
{
  const CalsyncIcalProblem *first = *(CalsyncIcalProblem * const *) a;
  const CalsyncIcalProblem *second = *(CalsyncIcalProblem * const *) b;

  return first->line < second->line ? -1 : first->line > second->line;
}

GPtrArray *
calsync_ical_parse_full (const char  *data,
                         gssize       length,
                         gint64       window_start_utc,
                         gint64       window_end_utc,
                         GPtrArray  **problems,
                         GError     **error)
{
  GPtrArray *events = NULL;
  Parser self;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (problems == NULL || *problems == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  calsync_ical_init ();
  if (length < 0)
    length = strlen (data);

  parser_init (&self, (gsize) length, window_start_utc, window_end_utc);
  if (parse (&self, data ? data : "", (gsize) length, error))
    {
      events = without_duplicate_ids (self.results);
      /* Stable: the problems of one line keep their order */
      g_ptr_array_sort (self.problems, compare_problems);
      if (problems != NULL)
        *problems = g_steal_pointer (&self.problems);
    }
  parser_clear (&self);
  icalerror_clear_errno ();

  /* libical's temporary strings; a worker thread would leak them at exit */
  icalmemory_free_ring ();
  return events;
}

GPtrArray *
calsync_ical_parse (const char  *data,
                    gssize       length,
                    gint64       window_start_utc,
                    gint64       window_end_utc,
                    GError     **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) events = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  events = calsync_ical_parse_full (data, length, window_start_utc, window_end_utc, &problems, error);
  if (events == NULL)
    return NULL;

  for (guint i = 0; i < problems->len; i++)
    {
      const CalsyncIcalProblem *problem = g_ptr_array_index (problems, i);

      if (problem->kind == CALSYNC_ICAL_PROBLEM_SKIPPED)
        {
          g_set_error_literal (error, CALSYNC_ICAL_ERROR, problem->code, problem->cause);
          return NULL;
        }
    }

  return g_steal_pointer (&events);
}
