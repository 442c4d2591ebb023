/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical.h: iCalendar (RFC 5545) with libical, to and from CalsyncEvent.
 *
 * Used by --import / --export and by the CalDAV provider. Reading produces the
 * same events the Google provider produces: timed events as UTC instants plus
 * an IANA zone id, all-day events as dates (end exclusive), recurring events
 * expanded into instances (external id "UID_YYYYMMDDTHHMMSSZ" or "UID_YYYYMMDD",
 * recurring event id = UID, original start = RFC 3339 of RECURRENCE-ID), each
 * keeping its series' definition as its recurrence (RFC 5545 lines, see
 * calsync-ical-rule.c), which writing turns back into the series. */
#pragma once

#include <gio/gio.h>

#include "calsync-event.h"

G_BEGIN_DECLS

#define CALSYNC_ICAL_ERROR (calsync_ical_error_quark ())

typedef enum
{
  CALSYNC_ICAL_ERROR_PARSE,    /* not iCalendar, or a broken component (message names the line) */
  CALSYNC_ICAL_ERROR_INVALID,  /* parsed, but a VEVENT lacks what an event needs (DTSTART, a known zone…) */
  CALSYNC_ICAL_ERROR_WRITE,    /* an event could not be written */
} CalsyncIcalError;

GQuark      calsync_ical_error_quark      (void);

/* Idempotent; parse and serialize call it. Makes libical's errors non-fatal
 * (malformed input must never abort the process). */
void        calsync_ical_init             (void);

/**
 * CalsyncIcalProblemKind:
 * @CALSYNC_ICAL_PROBLEM_SKIPPED: a VEVENT could not be read and was left out
 *   (a broken override alone; a broken master alone, its overrides then being
 *   read as single instances)
 * @CALSYNC_ICAL_PROBLEM_WARNING: something was read with a tolerance other
 *   apps have (an empty RRULE, an end before the start, no UID) and imported
 */
typedef enum
{
  CALSYNC_ICAL_PROBLEM_SKIPPED,
  CALSYNC_ICAL_PROBLEM_WARNING,
} CalsyncIcalProblemKind;

/**
 * CalsyncIcalProblem:
 * @kind: whether the event was skipped or imported with a tolerance
 * @line: the physical line the problem is on (or the BEGIN:VEVENT of the event)
 * @code: a #CalsyncIcalError code for what is wrong
 * @cause: for people, what is wrong: "Line 40: “20261340” is not a valid date or time"
 * @message: for people, @cause and what was done about it:
 *   "Line 40: “20261340” is not a valid date or time, event skipped"
 */
typedef struct
{
  CalsyncIcalProblemKind kind;
  guint line;
  int code;
  char *cause;
  char *message;
} CalsyncIcalProblem;

void        calsync_ical_problem_free     (CalsyncIcalProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncIcalProblem, calsync_ical_problem_free)

/**
 * calsync_ical_parse_full:
 * @data: iCalendar text (a VCALENDAR with VEVENTs, VTIMEZONEs…)
 * @length: length of @data, or -1 when NUL-terminated
 * @window_start_utc: recurring events are expanded into the instances that
 *   overlap [@window_start_utc, @window_end_utc)
 * @window_end_utc: end of that window
 * @problems: (out) (optional) (transfer full) (element-type CalsyncIcalProblem):
 *   what could not be read or was read with a tolerance, in line order; set
 *   (maybe empty) whenever events are returned
 *
 * Reads every VEVENT that can be read, each on its own: a VEVENT with a bad
 * line or value is skipped and reported in @problems, the others are returned.
 * The whole text is refused only when it is not iCalendar at all: no
 * VCALENDAR, not UTF-8, broken structure (BEGIN/END that do not match, text
 * outside the VCALENDAR, a line of a VCALENDAR or VTIMEZONE that cannot be
 * read). Tolerated, with a warning: an empty RRULE (no recurrence), an end
 * before the start (a zero-length event; all-day: one day), no UID (one made
 * from the event's content, the same at every import of the same text).
 *
 * The same UID (and RECURRENCE-ID) more than once: the current revision is
 * kept, by RFC 5545/5546 the higher SEQUENCE, then the later DTSTAMP, then
 * the later in the text; when the current revision cannot be read it is
 * skipped, never replaced by an older one.
 *
 * The work is bounded whatever the file: rules libical cannot expand in
 * bounded time (hourly and finer ones with BYxxx parts) or at all leave their
 * event with its DTSTART and RDATEs, and the rules after the first 500,000
 * occurrences of a file make their events skipped.
 *
 * Safe to call from several threads at once: each call has its own parser,
 * and the libical state it shares (built-in zones and their cached changes)
 * is guarded by libical's own mutexes.
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events (cancelled
 *   ones included, with status cancelled), or %NULL with @error set
 */
GPtrArray  *calsync_ical_parse_full       (const char  *data,
                                           gssize       length,
                                           gint64       window_start_utc,
                                           gint64       window_end_utc,
                                           GPtrArray  **problems,
                                           GError     **error);

/**
 * calsync_ical_parse:
 *
 * calsync_ical_parse_full() for text that must be read whole (round trips of
 * CalSync's own files, tests): the tolerances apply and their warnings are
 * dropped, but a VEVENT that would be skipped makes the whole parse fail,
 * @error being its cause ("Line 14: …", the first in the text).
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray  *calsync_ical_parse            (const char  *data,
                                           gssize       length,
                                           gint64       window_start_utc,
                                           gint64       window_end_utc,
                                           GError     **error);

/**
 * calsync_ical_serialize:
 * @events: (element-type CalsyncEvent): the events to write
 * @dtstamp_utc: the DTSTAMP of every VEVENT (seconds since the epoch)
 *
 * A complete VCALENDAR (VERSION 2.0, PRODID, the VTIMEZONEs the events use),
 * CRLF line ends, lines folded at 75 octets, text escaped. The instances of a
 * series whose definition they keep are written as that series (RRULE…) with
 * the instances that differ from it; other instances as overrides of a
 * master made of their original starts.
 *
 * Returns: (transfer full): the text, or %NULL with @error set
 */
char       *calsync_ical_serialize        (GPtrArray   *events,
                                           gint64       dtstamp_utc,
                                           GError     **error);

/* Writes calsync_ical_serialize() output atomically (temporary file + rename). */
gboolean    calsync_ical_write_file       (const char  *path,
                                           GPtrArray   *events,
                                           GError     **error);

/* Resources of a CalDAV server (calsync-ical-edit.c) ------------------------- */

/**
 * calsync_ical_resource_new:
 * @event: an event created here
 * @now_utc: its DTSTAMP, CREATED and LAST-MODIFIED (seconds since the epoch)
 *
 * The text of a new resource holding @event: VCALENDAR (VERSION 2.0,
 * PRODID), the VTIMEZONE it needs, one VEVENT (UID = the external id, or the
 * series' UID for an instance), SEQUENCE:0.
 *
 * Returns: (transfer full): the text, or %NULL with @error set
 */
char       *calsync_ical_resource_new     (CalsyncEvent  *event,
                                           gint64         now_utc,
                                           GError       **error);

/**
 * calsync_ical_resource_update:
 * @text: the resource's text as the server has it
 * @event: the event as edited here; an instance of a series (recurring event
 *   id and original start set) changes that instance only, in its override
 *   (RECURRENCE-ID), made from the master when there is none
 * @base: (nullable): the event before the edit: only the fields the edit
 *   changed from it are written (on a conflict, the server's other changes
 *   stay); %NULL: every field that differs from @text
 * @now_utc: DTSTAMP and LAST-MODIFIED of the new revision (seconds)
 *
 * Changes SUMMARY, DESCRIPTION, LOCATION, STATUS, DTSTART and DTEND (or
 * DURATION) in the form the server wrote them, SEQUENCE + 1; every other
 * line is kept byte for byte.
 *
 * Returns: (transfer full): the edited text, or %NULL with @error set
 *   (%CALSYNC_ICAL_ERROR: @text is not iCalendar, or the event is not in it)
 */
char       *calsync_ical_resource_update  (const char    *text,
                                           CalsyncEvent  *event,
                                           CalsyncEvent  *base,
                                           gint64         now_utc,
                                           GError       **error);

/* The event with @event's external id as @text has it (for @base above), or
 * NULL */
CalsyncEvent *calsync_ical_resource_find_event (const char   *text,
                                                CalsyncEvent *event);

/**
 * calsync_ical_resource_delete:
 * @left_empty: (out): the resource would hold nothing: delete it whole
 *   (always so for an event of its own)
 *
 * Deletes an instance of a series with an EXDATE on the master (in the form
 * of its DTSTART) and without its override.
 *
 * Returns: (transfer full) (nullable): the edited text; %NULL when
 *   *@left_empty, or with @error set
 */
char       *calsync_ical_resource_delete  (const char    *text,
                                           CalsyncEvent  *event,
                                           gint64         now_utc,
                                           gboolean      *left_empty,
                                           GError       **error);

/* When a resource last changed: the latest LAST-MODIFIED (else DTSTAMP) of its
 * VEVENTs, in microseconds since the epoch; 0 when unknown */
gint64      calsync_ical_resource_modified (const char   *text);

G_END_DECLS
