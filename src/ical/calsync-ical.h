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
  CALSYNC_ICAL_ERROR_INVALID,  /* parsed, but a VEVENT lacks what an event needs (DTSTART, UID…) */
  CALSYNC_ICAL_ERROR_WRITE,    /* an event could not be written */
} CalsyncIcalError;

GQuark      calsync_ical_error_quark      (void);

/* Idempotent; parse and serialize call it. Makes libical's errors non-fatal
 * (malformed input must never abort the process). */
void        calsync_ical_init             (void);

/**
 * calsync_ical_parse:
 * @data: iCalendar text (a VCALENDAR with VEVENTs, VTIMEZONEs…)
 * @length: length of @data, or -1 when NUL-terminated
 * @window_start_utc: recurring events are expanded into the instances that
 *   overlap [@window_start_utc, @window_end_utc)
 * @window_end_utc: end of that window
 *
 * All or nothing: on any malformed VEVENT nothing is returned and @error
 * names the line. The work is bounded whatever the file: rules libical cannot
 * expand in bounded time (hourly and finer ones with BYxxx parts) or at all
 * leave their event with its DTSTART and RDATEs, and a file whose rules have
 * more than 500,000 occurrences is refused.
 *
 * Safe to call from several threads at once: each call has its own parser,
 * and the libical state it shares (built-in zones and their cached changes)
 * is guarded by libical's own mutexes.
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events (cancelled
 *   ones included, with status cancelled), or %NULL with @error set
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

G_END_DECLS
