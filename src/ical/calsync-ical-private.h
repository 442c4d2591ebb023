/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-private.h: what the files of libcalsync-ical share.
 *
 * The reader (calsync-ical-reader.c) drives the lexer (calsync-ical-lexer.c)
 * over the text, hands the lines of each VEVENT to calsync-ical-vevent.c, the
 * TZIDs to calsync-ical-zones.c, and each calendar's VEVENTs to
 * calsync-ical-recurrence.c, which makes the instances and keeps their
 * series' definition on them (calsync-ical-rule.c). The writer
 * (calsync-ical-writer.c, calsync-ical-master.c for series) shares the zones, the dates, the participation
 * status and the line folding, so that both read and write them the same way.
 * A CalDAV server's resource is edited in place (calsync-ical-edit.c) on a
 * tree of its lines that keeps their bytes (calsync-ical-resource.c), read
 * with the reader's VEVENT and zone code. */
#pragma once

#include <glib.h>
#include <libical/ical.h>

#include "calsync-ical.h"

G_BEGIN_DECLS

/* Limits ------------------------------------------------------------------------ */

/* Nesting deeper than this is not a calendar (VCALENDAR > VEVENT > VALARM is 3). */
#define MAX_DEPTH 16
/* Occurrences looked at per RRULE before giving up (a COUNT rule from 1970…) */
#define MAX_RRULE_STEPS 100000
/* Occurrences looked at in one parse, whatever the file: memory and time stay
 * bounded (an instance is about 500 bytes) */
#define MAX_OCCURRENCES 500000
/* Instances the repeating events of one parse may put in the window: a few
 * hundred bytes of file must not become hundreds of megabytes in the store
 * (each weekly occurrence of an event 1,000 years long overlaps the window;
 * an hourly series fills the longest sync window, 60 months, with 43,830) */
#define MAX_INSTANCES 100000
/* The instants CalsyncEvent and GDateTime can hold: 0001-01-01 to 9999-12-31 */
#define MIN_UNIX G_GINT64_CONSTANT (-62135596800)
#define MAX_UNIX G_GINT64_CONSTANT (253402300799)
/* Longer than any event fitting there; keeps the date arithmetic in range */
#define MAX_DURATION_DAYS 3652500
/* Value excerpts quoted in error messages */
#define MAX_EXCERPT 40

/* Parsing state ---------------------------------------------------------------- */

/* Logical lines of the text, one after the other */
typedef struct
{
  const char *p;
  const char *end;
  guint line;          /* physical line of p */
  GString *buffer;     /* the current logical line, unfolded */
} Reader;

/* A content line: NAME *(";" param) ":" value */
typedef struct
{
  char name[48];        /* upper case; "" when too long to be one CalSync reads */
  const char *value;
  gboolean has_params;
} ContentLine;

/* How a TZID turns local times into instants, and which IANA id the events get */
typedef struct _Zone Zone;
struct _Zone
{
  char *id;             /* IANA id for CalsyncEvent's time zone ("UTC" for UTC) */
  icaltimezone *ical;   /* rules: an embedded VTIMEZONE or a built-in zone */
  gboolean owns_ical;
  GTimeZone *gtz;       /* rules when libical has none (floating → local, links) */
  /* An embedded VTIMEZONE under an IANA name whose rules stop (or start) at some
   * year: the system's rules of that zone for the instants outside
   * [covered_from, covered_until) */
  Zone *system;
  gint64 covered_from;
  gint64 covered_until;
};

typedef struct
{
  char *email;
  char *name;
  const char *response;   /* Google's responseStatus */
} Attendee;

/* The second half of a PERIOD value (RFC 5545 3.3.9): "start/end" or "start/duration" */
typedef struct
{
  gboolean is_period;
  gboolean has_end;                   /* else the duration */
  struct icaltimetype end;            /* same TZID as the start, or UTC */
  struct icaldurationtype duration;
} Period;

/* A DTSTART, DTEND, RECURRENCE-ID, RDATE or EXDATE value */
typedef struct
{
  struct icaltimetype time;   /* as written: wall clock, UTC ("Z") or a date */
  char *tzid;                 /* its TZID; NULL for UTC, floating times and dates */
  guint line;
  Period period;              /* RDATE;VALUE=PERIOD: how long that instance lasts */
} TimeValue;

typedef struct
{
  struct icalrecurrencetype rule;
  guint line;
} Rule;

/* One VEVENT, read line by line (see the top of calsync-ical-reader.c) */
typedef struct
{
  guint calendar;            /* index of its VCALENDAR */
  guint begin;               /* line of BEGIN:VEVENT */

  gboolean has_dtstart, has_dtend, has_duration, has_recurrence_id;
  TimeValue dtstart;
  TimeValue dtend;
  TimeValue recurrence_id;
  gboolean this_and_future;  /* RECURRENCE-ID;RANGE=THISANDFUTURE */
  struct icaldurationtype duration;
  guint duration_line;
  GArray *rrules;            /* Rule */
  GArray *rdates;            /* TimeValue */
  GArray *exdates;           /* TimeValue */

  char *uid;
  gboolean derived_uid;      /* no UID in the text: made from the content */
  int sequence;              /* SEQUENCE, 0 when absent or unreadable */
  guint empty_rrule;         /* line of an empty RRULE (ignored), or 0 */
  GError *problem;           /* why it cannot be read (the first), or NULL */
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

typedef struct
{
  /* Reading */
  icalparser *parser;       /* VCALENDARs and their VTIMEZONEs */
  GArray *stack;            /* Frame */
  GPtrArray *calendars;     /* icalcomponent VCALENDARs, freed at the end */
  GArray *calendar_lines;   /* guint: line of each BEGIN:VCALENDAR */
  GArray *events;           /* EventInfo, in document order */
  gboolean in_event;        /* between BEGIN:VEVENT and its END */
  const char *line_start;   /* the text of the current logical line */
  const char *line_end;     /* (up to the start of the next one) */
  const char *event_start;  /* the text of the current VEVENT from its BEGIN */

  /* Converting */
  gint64 window_start;
  gint64 window_end;
  GHashTable *vtimezones;   /* TZID → icalcomponent of the current VCALENDAR */
  GHashTable *zones;        /* TZID → Zone of the current VCALENDAR */
  Zone *utc;
  Zone *local;
  gboolean calendar_cancelled;   /* METHOD:CANCEL */
  guint occurrences_left;   /* of MAX_OCCURRENCES */
  guint instances_left;     /* of MAX_INSTANCES */
  GPtrArray *results;       /* CalsyncEvent */
  GPtrArray *problems;      /* CalsyncIcalProblem, in the order found */
} Parser;

/* The start and end of one VEVENT */
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

/* Lexer (calsync-ical-lexer.c) -------------------------------------------------- */

/* Sets @error to "Line @line: …"; returns FALSE. The line goes with the error
 * (calsync_ical_error_get_line()). */
gboolean      calsync_ical_set_line_error        (GError              **error,
                                                  int                   code,
                                                  guint                 line,
                                                  const char           *format,
                                                  ...) G_GNUC_PRINTF (4, 5);
guint         calsync_ical_error_get_line        (const GError         *error);
gboolean      calsync_ical_check_encoding        (const char           *data,
                                                  gsize                 length,
                                                  GError              **error);
gboolean      calsync_ical_reader_next           (Reader               *reader,
                                                  guint                *line);

gboolean      calsync_ical_is_name_char          (char                  c);
const char   *calsync_ical_skip_name             (const char           *p);
gboolean      calsync_ical_split_content_line    (const char           *text,
                                                  ContentLine          *content);
gboolean      calsync_ical_is_blank              (const char           *text);
char         *calsync_ical_excerpt               (const char           *text);
char         *calsync_ical_find_param            (const char           *text,
                                                  const char           *name);

gboolean      calsync_ical_read_date_time        (const char          **p,
                                                  struct icaltimetype  *t);
gboolean      calsync_ical_for_each_date         (const char           *value,
                                                  gboolean              dates_only,
                                                  void                (*func) (struct icaltimetype t,
                                                                             const Period       *period,
                                                                             gpointer            data),
                                                  gpointer              data);
gboolean      calsync_ical_rrule_until_is_valid  (const char           *value);
const char   *calsync_ical_date_value            (const char           *text);

/* CalsyncEvent's all-day dates, "YYYY-MM-DD" */
char         *calsync_ical_format_date           (struct icaltimetype   date);
gboolean      calsync_ical_parse_date            (const char           *text,
                                                  struct icaltimetype  *date);

/* libical's text folded again (see calsync-ical-writer.c) */
char         *calsync_ical_refold                (const char           *text);

/* Zones (calsync-ical-zones.c) ------------------------------------------------- */

gboolean      calsync_ical_is_utc_name           (const char           *tzid);

Zone         *calsync_ical_zone_new              (const char           *id,
                                                  icaltimezone         *ical,
                                                  gboolean              owns_ical,
                                                  GTimeZone            *gtz);
void          calsync_ical_zone_free             (Zone                 *zone);
Zone         *calsync_ical_local_zone_new        (void);

gint64        calsync_ical_fields_to_unix        (struct icaltimetype   t);
struct icaltimetype calsync_ical_unix_to_fields  (gint64                t);
gint64        calsync_ical_zone_to_utc           (Zone                 *zone,
                                                  struct icaltimetype   t);
int           calsync_ical_zone_offset_at        (Zone                 *zone,
                                                  gint64                utc);
struct icaltimetype calsync_ical_zone_from_utc   (Zone                 *zone,
                                                  gint64                utc);

void          calsync_ical_collect_vtimezones    (Parser               *self,
                                                  icalcomponent        *calendar);
Zone         *calsync_ical_value_zone            (Parser               *self,
                                                  const TimeValue      *value,
                                                  GError              **error);
gboolean      calsync_ical_check_zone_rule       (const ContentLine    *content,
                                                  guint                 line,
                                                  GError              **error);

/* For the writer */
icaltimezone  *calsync_ical_builtin_zone         (const char           *tzid);
icalcomponent *calsync_ical_new_vtimezone        (const char           *tzid,
                                                  icaltimezone         *zone);

/* Rules that can never match (calsync-ical-empty-rules.c) ---------------------- */

gboolean      calsync_ical_rule_never_matches    (const struct icalrecurrencetype *rule,
                                                  struct icaltimetype   dtstart);
gboolean      calsync_ical_empty_rule_has_iterator (const struct icalrecurrencetype *rule,
                                                    struct icaltimetype   dtstart);

/* VEVENTs (calsync-ical-vevent.c) ---------------------------------------------- */

void          calsync_ical_event_info_init       (EventInfo            *info,
                                                  guint                 calendar,
                                                  guint                 begin);
void          calsync_ical_event_info_clear      (gpointer              data);
gboolean      calsync_ical_read_event_property   (EventInfo            *info,
                                                  const char           *text,
                                                  const ContentLine    *content,
                                                  guint                 line,
                                                  GError              **error);

const char             *calsync_ical_partstat_to_response  (const char *partstat);
icalparameter_partstat  calsync_ical_response_to_partstat  (const char *response);

gboolean      calsync_ical_read_times            (Parser               *self,
                                                  const EventInfo      *info,
                                                  EventTimes           *times,
                                                  GError              **error);
gint64        calsync_ical_date_key              (struct icaltimetype   t);
gint64        calsync_ical_occurrence_end        (const EventTimes     *times,
                                                  struct icaltimetype   local,
                                                  gint64                start_utc);

void          calsync_ical_derive_event_info     (EventInfo            *info);
void          calsync_ical_map_fields            (CalsyncEvent         *event,
                                                  const EventInfo      *info,
                                                  gboolean              cancelled);
gboolean      calsync_ical_set_occurrence_times  (CalsyncEvent         *event,
                                                  const EventTimes     *times,
                                                  struct icaltimetype   local,
                                                  gint64                start_utc,
                                                  gint64                end_utc);

/* Which VEVENTs are read, and what was wrong (calsync-ical-select.c) ----------- */

void          calsync_ical_add_problem           (Parser               *self,
                                                  CalsyncIcalProblemKind kind,
                                                  const GError         *cause,
                                                  const char           *done);
void          calsync_ical_warn                  (Parser               *self,
                                                  guint                 line,
                                                  const char           *done,
                                                  const char           *format,
                                                  ...) G_GNUC_PRINTF (4, 5);
void          calsync_ical_derive_uid            (EventInfo            *info,
                                                  const char           *start,
                                                  const char           *end);
void          calsync_ical_select_events         (Parser               *self);
void          calsync_ical_drop_broken           (Parser               *self,
                                                  const EventInfo     **master,
                                                  GPtrArray            *overrides,
                                                  const GError         *error);

/* Recurrence (calsync-ical-recurrence.c) --------------------------------------- */

void          calsync_ical_emit_events           (Parser               *self,
                                                  guint                 calendar,
                                                  guint                *next);

/* Series definitions (calsync-ical-rule.c, calsync-ical-master.c) ----------- */

/* Reader: the definition of the series on its instances (results @first on;
 * those from @overrides on came from overrides) */
void          calsync_ical_keep_definition       (Parser               *self,
                                                  const EventInfo      *master,
                                                  const EventTimes     *times,
                                                  guint                 first,
                                                  guint                 overrides);

/* Writer: a series written as its master */
typedef struct
{
  icalcomponent *master;    /* its times: DTSTART, DTEND or DURATION, RRULE, RDATE, EXDATE */
  CalsyncEvent *template;   /* the instance whose content the master carries (borrowed) */
  GPtrArray *overrides;     /* CalsyncEvent (borrowed): instances written with a RECURRENCE-ID */
} SeriesPlan;

gboolean      calsync_ical_plan_series           (GPtrArray            *instances,
                                                  SeriesPlan           *plan);
void          calsync_ical_series_plan_clear     (SeriesPlan           *plan);

/* An instance's original start: a date, or an instant */
typedef struct
{
  gboolean is_date;
  struct icaltimetype date;
  gint64 utc;
} OriginalStart;

/* Writer (calsync-ical-writer.c): text made valid UTF-8 without control
 * characters (line breaks kept as \n unless @single_line) */
char         *calsync_ical_clean_text            (const char           *text,
                                                  gboolean              single_line);
/* The original start of an instance; FALSE when @event is no instance */
gboolean      calsync_ical_read_original_start   (CalsyncEvent         *event,
                                                  OriginalStart        *original);

/* Writer (calsync-ical-writer.c): the wall time of @unix_utc in @zone; FALSE
 * when that wall time occurs twice (only UTC is exact there) */
gboolean      calsync_ical_wall_time             (gint64                unix_utc,
                                                  icaltimezone         *zone,
                                                  struct icaltimetype  *wall);

/* Resources edited in place (calsync-ical-resource.c, calsync-ical-edit.c) --- */

/* A line of a resource as the server wrote it, or a component and its lines */
typedef struct _IcalNode IcalNode;
struct _IcalNode
{
  char *name;           /* upper case: the property's, or the component's; NULL, "" when none */
  char *raw;            /* its bytes in the text (folds, line end); a component: its BEGIN line */
  char *text;           /* the logical line, unfolded, without its end */
  guint line;           /* physical line in the text (0 for new lines) */
  char *end_raw;        /* a component: its END line */
  GPtrArray *children;  /* a component: IcalNode, in order; NULL for a property */
};

typedef struct
{
  IcalNode *root;               /* the text: the VCALENDAR and what is around it */
  IcalNode *calendar;           /* the VCALENDAR (borrowed) */
  const char *eol;              /* the text's line end, for new lines */
  icalcomponent *zones_calendar;/* its VTIMEZONEs, parsed */
  Parser parser;                /* zones only: vtimezones, zones, utc, local, problems */
} IcalResource;

gboolean      calsync_ical_resource_load         (IcalResource         *self,
                                                  const char           *text,
                                                  GError              **error);
void          calsync_ical_resource_clear        (IcalResource         *self);
char         *calsync_ical_resource_to_string    (IcalResource         *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IcalResource, calsync_ical_resource_clear)
IcalNode     *calsync_ical_resource_new_line     (IcalResource         *self,
                                                  const char           *text);
IcalNode     *calsync_ical_resource_new_property (IcalResource         *self,
                                                  icalproperty         *property);
IcalNode     *calsync_ical_resource_new_block    (IcalResource         *self,
                                                  const char           *name,
                                                  icalcomponent        *component);

void          calsync_ical_node_free             (IcalNode             *node);
IcalNode     *calsync_ical_node_copy             (const IcalNode       *node);
gboolean      calsync_ical_node_is               (const IcalNode       *node,
                                                  const char           *name);
IcalNode     *calsync_ical_node_find             (IcalNode             *component,
                                                  const char           *name);
void          calsync_ical_node_remove_all       (IcalNode             *component,
                                                  const char           *name);
void          calsync_ical_node_insert           (IcalNode             *component,
                                                  IcalNode             *node,
                                                  const char * const   *anchors);
void          calsync_ical_node_set              (IcalNode             *component,
                                                  IcalNode             *node,
                                                  const char * const   *anchors);
char         *calsync_ical_node_to_string        (const IcalNode       *node);
void          calsync_ical_read_vevent           (const IcalNode       *vevent,
                                                  EventInfo            *info);

G_END_DECLS
