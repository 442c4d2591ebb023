/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event.h: one calendar event, as stored locally and as received from a provider. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CALSYNC_TYPE_EVENT (calsync_event_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncEvent, calsync_event, CALSYNC, EVENT, GObject)

/**
 * CalsyncEventType:
 *
 * What an event is, guessed from its title and description.
 */
typedef enum
{
  CALSYNC_EVENT_TYPE_EVENT,
  CALSYNC_EVENT_TYPE_MEETING,
  CALSYNC_EVENT_TYPE_CALL,
  CALSYNC_EVENT_TYPE_DEADLINE,
  CALSYNC_EVENT_TYPE_REMINDER,
} CalsyncEventType;

/**
 * CalsyncEventStatus:
 */
typedef enum
{
  CALSYNC_EVENT_STATUS_CONFIRMED,
  CALSYNC_EVENT_STATUS_TENTATIVE,
  CALSYNC_EVENT_STATUS_CANCELLED,
} CalsyncEventStatus;

/* Caps on what a server can make us store (bytes): longer text is cut at a
 * character boundary; a remote id longer than CALSYNC_EVENT_MAX_ID makes the
 * event unreadable. */
#define CALSYNC_EVENT_MAX_TITLE        8192
#define CALSYNC_EVENT_MAX_LOCATION     8192
#define CALSYNC_EVENT_MAX_DESCRIPTION  (128 * 1024)
#define CALSYNC_EVENT_MAX_ATTENDEES    (512 * 1024)   /* the attendees JSON */
#define CALSYNC_EVENT_MAX_RECURRENCE   (16 * 1024)
#define CALSYNC_EVENT_MAX_URL          4096
#define CALSYNC_EVENT_MAX_ID           1024

CalsyncEvent      *calsync_event_new                    (void);
/* Applies the caps above; FALSE when the event cannot be kept (id too long) */
gboolean           calsync_event_limit_fields           (CalsyncEvent *self);
/* The longest prefix of @text of at most @max_bytes that ends on a character boundary */
gsize              calsync_utf8_prefix_length           (const char   *text,
                                                         gsize         length,
                                                         gsize         max_bytes);
CalsyncEvent      *calsync_event_copy                   (CalsyncEvent *self);
gboolean           calsync_event_equal_content          (CalsyncEvent *a,
                                                         CalsyncEvent *b);
gboolean           calsync_event_lists_equal            (GPtrArray    *a,
                                                         GPtrArray    *b);

gint64             calsync_event_get_id                 (CalsyncEvent *self);
void               calsync_event_set_id                 (CalsyncEvent *self, gint64 id);
gint64             calsync_event_get_calendar_id        (CalsyncEvent *self);
void               calsync_event_set_calendar_id        (CalsyncEvent *self, gint64 calendar_id);
const char        *calsync_event_get_external_id        (CalsyncEvent *self);
void               calsync_event_set_external_id        (CalsyncEvent *self, const char *external_id);
const char        *calsync_event_get_etag               (CalsyncEvent *self);
void               calsync_event_set_etag               (CalsyncEvent *self, const char *etag);
/* The server's unit the event came in, for providers whose unit holds several
 * instances (a CalDAV resource: the .ics of a series); NULL for the others */
const char        *calsync_event_get_resource_id        (CalsyncEvent *self);
void               calsync_event_set_resource_id        (CalsyncEvent *self, const char *resource_id);
const char        *calsync_event_get_title              (CalsyncEvent *self);
void               calsync_event_set_title              (CalsyncEvent *self, const char *title);
const char        *calsync_event_get_description        (CalsyncEvent *self);
void               calsync_event_set_description        (CalsyncEvent *self, const char *description);
const char        *calsync_event_get_location           (CalsyncEvent *self);
void               calsync_event_set_location           (CalsyncEvent *self, const char *location);

/* Timed events: instants in UTC (seconds since the epoch) and the event's IANA time zone. */
gint64             calsync_event_get_start              (CalsyncEvent *self);
gint64             calsync_event_get_end                (CalsyncEvent *self);
void               calsync_event_set_times              (CalsyncEvent *self,
                                                         gint64        start_utc,
                                                         gint64        end_utc,
                                                         const char   *time_zone);
const char        *calsync_event_get_time_zone          (CalsyncEvent *self);

/* All-day events: dates "YYYY-MM-DD", end exclusive, independent of any time zone.
 * Setting them also sets start/end to a UTC range that covers those dates in every
 * time zone (UTC+14 to UTC-12), so one index serves both kinds in range queries. */
gboolean           calsync_event_get_all_day            (CalsyncEvent *self);
void               calsync_event_set_dates              (CalsyncEvent *self,
                                                         const char   *start_date,
                                                         const char   *end_date);
const char        *calsync_event_get_start_date         (CalsyncEvent *self);
const char        *calsync_event_get_end_date           (CalsyncEvent *self);

CalsyncEventStatus calsync_event_get_status             (CalsyncEvent *self);
void               calsync_event_set_status             (CalsyncEvent *self, CalsyncEventStatus status);
const char        *calsync_event_get_recurrence         (CalsyncEvent *self);
void               calsync_event_set_recurrence         (CalsyncEvent *self, const char *rrule);
const char        *calsync_event_get_recurring_event_id (CalsyncEvent *self);
void               calsync_event_set_recurring_event_id (CalsyncEvent *self, const char *id);
/* Original start of a recurring instance, RFC 3339 text as the provider gave it (or NULL). */
const char        *calsync_event_get_original_start     (CalsyncEvent *self);
void               calsync_event_set_original_start     (CalsyncEvent *self, const char *original_start);
/* Attendees as a JSON array: [{"email","name","response","organizer"}] */
const char        *calsync_event_get_attendees_json     (CalsyncEvent *self);
void               calsync_event_set_attendees_json     (CalsyncEvent *self, const char *json);
const char        *calsync_event_get_conference_url     (CalsyncEvent *self);
void               calsync_event_set_conference_url     (CalsyncEvent *self, const char *url);
CalsyncEventType   calsync_event_get_event_type         (CalsyncEvent *self);
void               calsync_event_set_event_type         (CalsyncEvent *self, CalsyncEventType type);

/* Remote "updated" time and local edit time: microseconds since the epoch, 0 when unknown. */
gint64             calsync_event_get_remote_updated     (CalsyncEvent *self);
void               calsync_event_set_remote_updated     (CalsyncEvent *self, gint64 usec);
gint64             calsync_event_get_local_updated      (CalsyncEvent *self);
void               calsync_event_set_local_updated      (CalsyncEvent *self, gint64 usec);
gboolean           calsync_event_get_locally_modified   (CalsyncEvent *self);
void               calsync_event_set_locally_modified   (CalsyncEvent *self, gboolean modified);
/* A change made here waits in the outbox ("not yet synced"); filled by range
 * queries, for display */
gboolean           calsync_event_get_pending            (CalsyncEvent *self);
void               calsync_event_set_pending            (CalsyncEvent *self, gboolean pending);
/* Not stored with the event: the person asked that guests be told of this
 * change (Google sendUpdates=all); kept by the outbox entry the save makes */
gboolean           calsync_event_get_notify_guests      (CalsyncEvent *self);
void               calsync_event_set_notify_guests      (CalsyncEvent *self, gboolean notify);

/* Filled by range queries, for display. */
const char        *calsync_event_get_calendar_name      (CalsyncEvent *self);
const char        *calsync_event_get_calendar_color     (CalsyncEvent *self);
void               calsync_event_set_calendar_info      (CalsyncEvent *self,
                                                         const char   *name,
                                                         const char   *color);

/* Helpers for views: local start/end as GDateTime (all-day: local midnights of the dates). */
GDateTime         *calsync_event_dup_local_start        (CalsyncEvent *self);
GDateTime         *calsync_event_dup_local_end          (CalsyncEvent *self);

const char        *calsync_event_type_to_string         (CalsyncEventType type);
CalsyncEventType   calsync_event_type_from_string       (const char *str);
const char        *calsync_event_status_to_string       (CalsyncEventStatus status);
CalsyncEventStatus calsync_event_status_from_string     (const char *str);

G_END_DECLS
