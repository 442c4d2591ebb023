/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event.c: one calendar event, as stored locally and as received from a provider. */
#define G_LOG_DOMAIN "calsync-event"

#include "config.h"

#include <string.h>

#include "calsync-date-utils.h"
#include "calsync-event-private.h"
#include "calsync-event.h"

/* All-day events cover their dates in every zone from UTC+14 to UTC-12. */
#define ALL_DAY_EARLIEST_OFFSET (14 * 3600)
#define ALL_DAY_LATEST_OFFSET   (12 * 3600)
#define SECONDS_PER_DAY         (24 * 3600)

struct _CalsyncEvent
{
  GObject parent_instance;

  gint64 id;
  gint64 calendar_id;
  char *external_id;
  char *etag;
  char *resource_id;
  char *title;
  char *description;
  char *location;
  gint64 start;
  gint64 end;
  char *time_zone;
  gboolean all_day;
  char *start_date;
  char *end_date;
  CalsyncEventStatus status;
  char *recurrence;
  char *recurring_event_id;
  char *original_start;
  char *attendees_json;
  char *conference_url;
  CalsyncEventType event_type;
  gint64 remote_updated;
  gint64 local_updated;
  gboolean locally_modified;
  gboolean pending;
  gboolean notify_guests;

  char *calendar_name;
  char *calendar_color;
};

G_DEFINE_FINAL_TYPE (CalsyncEvent, calsync_event, G_TYPE_OBJECT)

static void
calsync_event_finalize (GObject *object)
{
  CalsyncEvent *self = (CalsyncEvent *)object;

  g_clear_pointer (&self->external_id, g_free);
  g_clear_pointer (&self->etag, g_free);
  g_clear_pointer (&self->resource_id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->time_zone, g_free);
  g_clear_pointer (&self->start_date, g_free);
  g_clear_pointer (&self->end_date, g_free);
  g_clear_pointer (&self->recurrence, g_free);
  g_clear_pointer (&self->recurring_event_id, g_free);
  g_clear_pointer (&self->original_start, g_free);
  g_clear_pointer (&self->attendees_json, g_free);
  g_clear_pointer (&self->conference_url, g_free);
  g_clear_pointer (&self->calendar_name, g_free);
  g_clear_pointer (&self->calendar_color, g_free);

  G_OBJECT_CLASS (calsync_event_parent_class)->finalize (object);
}

static void
calsync_event_class_init (CalsyncEventClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_event_finalize;
}

static void
calsync_event_init (CalsyncEvent *self)
{
  self->status = CALSYNC_EVENT_STATUS_CONFIRMED;
  self->event_type = CALSYNC_EVENT_TYPE_EVENT;
}

/**
 * calsync_event_new:
 *
 * Returns: (transfer full): an empty confirmed event
 */
CalsyncEvent *
calsync_event_new (void)
{
  return g_object_new (CALSYNC_TYPE_EVENT, NULL);
}

/**
 * calsync_event_copy:
 *
 * Returns: (transfer full): a deep copy of @self
 */
CalsyncEvent *
calsync_event_copy (CalsyncEvent *self)
{
  CalsyncEvent *copy;

  g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);

  copy = calsync_event_new ();
  copy->id = self->id;
  copy->calendar_id = self->calendar_id;
  copy->external_id = g_strdup (self->external_id);
  copy->etag = g_strdup (self->etag);
  copy->resource_id = g_strdup (self->resource_id);
  copy->title = g_strdup (self->title);
  copy->description = g_strdup (self->description);
  copy->location = g_strdup (self->location);
  copy->start = self->start;
  copy->end = self->end;
  copy->time_zone = g_strdup (self->time_zone);
  copy->all_day = self->all_day;
  copy->start_date = g_strdup (self->start_date);
  copy->end_date = g_strdup (self->end_date);
  copy->status = self->status;
  copy->recurrence = g_strdup (self->recurrence);
  copy->recurring_event_id = g_strdup (self->recurring_event_id);
  copy->original_start = g_strdup (self->original_start);
  copy->attendees_json = g_strdup (self->attendees_json);
  copy->conference_url = g_strdup (self->conference_url);
  copy->event_type = self->event_type;
  copy->remote_updated = self->remote_updated;
  copy->local_updated = self->local_updated;
  copy->locally_modified = self->locally_modified;
  copy->pending = self->pending;
  copy->notify_guests = self->notify_guests;
  copy->calendar_name = g_strdup (self->calendar_name);
  copy->calendar_color = g_strdup (self->calendar_color);

  return copy;
}

/**
 * calsync_utf8_prefix_length:
 * @text: UTF-8 text
 * @length: its length in bytes
 * @max_bytes: the cap
 *
 * Returns: @length when it is within @max_bytes, else the length of the
 *   longest prefix of at most @max_bytes bytes that ends between characters
 */
gsize
calsync_utf8_prefix_length (const char *text,
                            gsize       length,
                            gsize       max_bytes)
{
  gsize cut = max_bytes;

  if (length <= max_bytes)
    return length;

  /* back over continuation bytes (10xxxxxx) to the start of a character */
  while (cut > 0 && ((guchar) text[cut] & 0xc0) == 0x80)
    cut--;

  return cut;
}

/* Cuts *field to @max_bytes (a character boundary, then "…") */
static void
limit_text (char  **field,
            gsize   max_bytes)
{
  static const char ellipsis[] = "\u2026";
  gsize length;
  gsize keep;
  char *cut;

  if (*field == NULL || (length = strlen (*field)) <= max_bytes)
    return;

  keep = calsync_utf8_prefix_length (*field, length, max_bytes - (sizeof ellipsis - 1));
  cut = g_malloc (keep + sizeof ellipsis);
  memcpy (cut, *field, keep);
  memcpy (cut + keep, ellipsis, sizeof ellipsis);
  g_free (*field);
  *field = cut;
}

/**
 * calsync_event_limit_fields:
 *
 * Applies the CALSYNC_EVENT_MAX_* caps: a server cannot make CalSync store
 * (or draw) a title of 300 MB. Attendees longer than their cap are dropped
 * (a cut JSON array would not be JSON), a URL longer than its cap too.
 *
 * Returns: %FALSE when the event's remote id is longer than its cap
 */
gboolean
calsync_event_limit_fields (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), FALSE);

  if (self->external_id != NULL && strlen (self->external_id) > CALSYNC_EVENT_MAX_ID)
    return FALSE;

  limit_text (&self->title, CALSYNC_EVENT_MAX_TITLE);
  limit_text (&self->location, CALSYNC_EVENT_MAX_LOCATION);
  limit_text (&self->description, CALSYNC_EVENT_MAX_DESCRIPTION);
  if (self->attendees_json != NULL && strlen (self->attendees_json) > CALSYNC_EVENT_MAX_ATTENDEES)
    g_clear_pointer (&self->attendees_json, g_free);
  if (self->recurrence != NULL && strlen (self->recurrence) > CALSYNC_EVENT_MAX_RECURRENCE)
    g_clear_pointer (&self->recurrence, g_free);
  if (self->conference_url != NULL && strlen (self->conference_url) > CALSYNC_EVENT_MAX_URL)
    g_clear_pointer (&self->conference_url, g_free);

  return TRUE;
}

/**
 * calsync_event_equal_content:
 *
 * Whether two events carry the same user-visible content (ids, etags and
 * timestamps aside). Used to count an unchanged remote copy as skipped.
 */
gboolean
calsync_event_equal_content (CalsyncEvent *a,
                             CalsyncEvent *b)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (a), FALSE);
  g_return_val_if_fail (CALSYNC_IS_EVENT (b), FALSE);

  return g_strcmp0 (a->title, b->title) == 0 &&
         g_strcmp0 (a->description, b->description) == 0 &&
         g_strcmp0 (a->location, b->location) == 0 &&
         a->all_day == b->all_day &&
         a->start == b->start &&
         a->end == b->end &&
         g_strcmp0 (a->time_zone, b->time_zone) == 0 &&
         g_strcmp0 (a->start_date, b->start_date) == 0 &&
         g_strcmp0 (a->end_date, b->end_date) == 0 &&
         a->status == b->status &&
         g_strcmp0 (a->recurrence, b->recurrence) == 0 &&
         g_strcmp0 (a->recurring_event_id, b->recurring_event_id) == 0 &&
         g_strcmp0 (a->original_start, b->original_start) == 0 &&
         g_strcmp0 (a->attendees_json, b->attendees_json) == 0 &&
         g_strcmp0 (a->conference_url, b->conference_url) == 0 &&
         a->event_type == b->event_type;
}

/**
 * calsync_event_lists_equal:
 * @a: (element-type CalsyncEvent) (nullable): events, as a range query returns them
 * @b: (element-type CalsyncEvent) (nullable): events, as a range query returns them
 *
 * Whether two query results would look the same: same events in the same order,
 * same content, calendar and local-change mark. Views use it to skip rebuilding
 * when a store change did not touch what they show (a sync that changed nothing).
 */
gboolean
calsync_event_lists_equal (GPtrArray *a,
                           GPtrArray *b)
{
  guint len_a = a != NULL ? a->len : 0;
  guint len_b = b != NULL ? b->len : 0;

  if (len_a != len_b)
    return FALSE;

  for (guint i = 0; i < len_a; i++)
    {
      CalsyncEvent *ea = g_ptr_array_index (a, i);
      CalsyncEvent *eb = g_ptr_array_index (b, i);

      if (ea->id != eb->id || ea->calendar_id != eb->calendar_id ||
          ea->locally_modified != eb->locally_modified || ea->pending != eb->pending ||
          g_strcmp0 (ea->calendar_color, eb->calendar_color) != 0 ||
          g_strcmp0 (ea->calendar_name, eb->calendar_name) != 0 ||
          !calsync_event_equal_content (ea, eb))
        return FALSE;
    }

  return TRUE;
}

#define DEFINE_STRING_PROPERTY(field)                                           \
  const char *                                                                \
  calsync_event_get_##field (CalsyncEvent *self)                              \
  {                                                                           \
    g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);                     \
    return self->field;                                                       \
  }                                                                           \
  void                                                                        \
  calsync_event_set_##field (CalsyncEvent *self, const char *value)           \
  {                                                                           \
    g_return_if_fail (CALSYNC_IS_EVENT (self));                               \
    if (g_strcmp0 (self->field, value) != 0)                                  \
      {                                                                       \
        g_free (self->field);                                                 \
        self->field = g_strdup (value);                                       \
      }                                                                       \
  }

#define DEFINE_SCALAR_PROPERTY(type, field)                                     \
  type                                                                        \
  calsync_event_get_##field (CalsyncEvent *self)                              \
  {                                                                           \
    g_return_val_if_fail (CALSYNC_IS_EVENT (self), (type) 0);                 \
    return self->field;                                                       \
  }                                                                           \
  void                                                                        \
  calsync_event_set_##field (CalsyncEvent *self, type value)                  \
  {                                                                           \
    g_return_if_fail (CALSYNC_IS_EVENT (self));                               \
    self->field = value;                                                      \
  }

DEFINE_STRING_PROPERTY (external_id)
DEFINE_STRING_PROPERTY (etag)
DEFINE_STRING_PROPERTY (resource_id)
DEFINE_STRING_PROPERTY (title)
DEFINE_STRING_PROPERTY (description)
DEFINE_STRING_PROPERTY (location)
DEFINE_STRING_PROPERTY (recurrence)
DEFINE_STRING_PROPERTY (recurring_event_id)
DEFINE_STRING_PROPERTY (original_start)
DEFINE_STRING_PROPERTY (attendees_json)
DEFINE_STRING_PROPERTY (conference_url)

DEFINE_SCALAR_PROPERTY (gint64, id)
DEFINE_SCALAR_PROPERTY (gint64, calendar_id)
DEFINE_SCALAR_PROPERTY (CalsyncEventStatus, status)
DEFINE_SCALAR_PROPERTY (CalsyncEventType, event_type)
DEFINE_SCALAR_PROPERTY (gint64, remote_updated)
DEFINE_SCALAR_PROPERTY (gint64, local_updated)
DEFINE_SCALAR_PROPERTY (gboolean, locally_modified)
DEFINE_SCALAR_PROPERTY (gboolean, pending)
DEFINE_SCALAR_PROPERTY (gboolean, notify_guests)

gint64
calsync_event_get_start (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), 0);
  return self->start;
}

gint64
calsync_event_get_end (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), 0);
  return self->end;
}

const char *
calsync_event_get_time_zone (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);
  return self->time_zone;
}

/**
 * calsync_event_set_times:
 * @start_utc: start, seconds since the epoch
 * @end_utc: end, seconds since the epoch
 * @time_zone: (nullable): IANA id of the event's zone
 *
 * Makes @self a timed event.
 */
void
calsync_event_set_times (CalsyncEvent *self,
                         gint64        start_utc,
                         gint64        end_utc,
                         const char   *time_zone)
{
  g_return_if_fail (CALSYNC_IS_EVENT (self));

  self->all_day = FALSE;
  self->start = start_utc;
  self->end = MAX (start_utc, end_utc);
  g_clear_pointer (&self->start_date, g_free);
  g_clear_pointer (&self->end_date, g_free);
  /* @time_zone may be the event's own (set_times (e, …, get_time_zone (e))) */
  if (self->time_zone != time_zone)
    {
      g_free (self->time_zone);
      self->time_zone = g_strdup (time_zone);
    }
}

/* "YYYY-MM-DD" of a day number; NULL when it has no such date */
static char *
format_day (gint64 day)
{
  int year, month, day_of_month;

  if (!calsync_date_day_to_ymd (day, &year, &month, &day_of_month))
    return NULL;

  return g_strdup_printf ("%04u-%02u-%02u", (guint) year, (guint) month, (guint) day_of_month);
}

/**
 * calsync_event_set_dates:
 * @start_date: first day, "YYYY-MM-DD"
 * @end_date: (nullable): the day after the last one; %NULL means one day
 *
 * Makes @self an all-day event. Invalid dates are ignored with a warning.
 */
void
calsync_event_set_dates (CalsyncEvent *self,
                         const char   *start_date,
                         const char   *end_date)
{
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  gint64 start, end;

  g_return_if_fail (CALSYNC_IS_EVENT (self));

  if (!calsync_date_parse_day (start_date, &start) || !(start_text = format_day (start)))
    {
      g_warning ("Invalid all-day start date “%s”", start_date ? start_date : "(null)");
      return;
    }

  if (end_date == NULL || !calsync_date_parse_day (end_date, &end) || end <= start ||
      !(end_text = format_day (end)))
    {
      end = start + 1;
      end_text = format_day (end);
    }

  self->all_day = TRUE;
  g_free (self->start_date);
  g_free (self->end_date);
  self->start_date = g_steal_pointer (&start_text);
  self->end_date = g_steal_pointer (&end_text);
  self->start = start * SECONDS_PER_DAY - ALL_DAY_EARLIEST_OFFSET;
  self->end = end * SECONDS_PER_DAY + ALL_DAY_LATEST_OFFSET;
}

gboolean
calsync_event_get_all_day (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), FALSE);
  return self->all_day;
}

const char *
calsync_event_get_start_date (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);
  return self->start_date;
}

const char *
calsync_event_get_end_date (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);
  return self->end_date;
}

const char *
calsync_event_get_calendar_name (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);
  return self->calendar_name;
}

const char *
calsync_event_get_calendar_color (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);
  return self->calendar_color;
}

void
calsync_event_set_calendar_info (CalsyncEvent *self,
                                 const char   *name,
                                 const char   *color)
{
  g_return_if_fail (CALSYNC_IS_EVENT (self));

  g_free (self->calendar_name);
  g_free (self->calendar_color);
  self->calendar_name = g_strdup (name);
  self->calendar_color = g_strdup (color);
}

static GDateTime *
local_midnight_of (const char *date_text)
{
  gint64 day;

  if (!calsync_date_parse_day (date_text, &day))
    return NULL;

  return calsync_date_local_midnight (day);
}

/**
 * calsync_event_dup_local_start:
 *
 * Returns: (transfer full): the start in the local zone; for all-day events
 *   local midnight of the start date
 */
GDateTime *
calsync_event_dup_local_start (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);

  if (self->all_day)
    return local_midnight_of (self->start_date);

  return g_date_time_new_from_unix_local (self->start);
}

/**
 * calsync_event_dup_local_end:
 *
 * Returns: (transfer full): the end in the local zone; for all-day events
 *   local midnight of the (exclusive) end date
 */
GDateTime *
calsync_event_dup_local_end (CalsyncEvent *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT (self), NULL);

  if (self->all_day)
    return local_midnight_of (self->end_date);

  return g_date_time_new_from_unix_local (self->end);
}

/**
 * calsync_event_compare:
 *
 * Orders events (pointers to #CalsyncEvent pointers, as in a #GPtrArray)
 * all-day first, then by start, then by title.
 */
int
calsync_event_compare (gconstpointer a,
                       gconstpointer b)
{
  CalsyncEvent *ea = *(CalsyncEvent * const *)a;
  CalsyncEvent *eb = *(CalsyncEvent * const *)b;
  int cmp;

  if (ea->all_day != eb->all_day)
    return ea->all_day ? -1 : 1;

  if (ea->all_day)
    cmp = g_strcmp0 (ea->start_date, eb->start_date);
  else
    cmp = (ea->start > eb->start) - (ea->start < eb->start);

  if (cmp != 0)
    return cmp;

  if (ea->all_day && (cmp = g_strcmp0 (eb->end_date, ea->end_date)) != 0)
    return cmp; /* longer all-day events first */

  return g_utf8_collate (ea->title ? ea->title : "", eb->title ? eb->title : "");
}

static const char * const event_type_names[] = {
  [CALSYNC_EVENT_TYPE_EVENT] = "event",
  [CALSYNC_EVENT_TYPE_MEETING] = "meeting",
  [CALSYNC_EVENT_TYPE_CALL] = "call",
  [CALSYNC_EVENT_TYPE_DEADLINE] = "deadline",
  [CALSYNC_EVENT_TYPE_REMINDER] = "reminder",
};

static const char * const status_names[] = {
  [CALSYNC_EVENT_STATUS_CONFIRMED] = "confirmed",
  [CALSYNC_EVENT_STATUS_TENTATIVE] = "tentative",
  [CALSYNC_EVENT_STATUS_CANCELLED] = "cancelled",
};

const char *
calsync_event_type_to_string (CalsyncEventType type)
{
  if ((guint) type >= G_N_ELEMENTS (event_type_names))
    return "event";
  return event_type_names[type];
}

CalsyncEventType
calsync_event_type_from_string (const char *str)
{
  for (guint i = 0; i < G_N_ELEMENTS (event_type_names); i++)
    if (g_strcmp0 (str, event_type_names[i]) == 0)
      return (CalsyncEventType) i;
  return CALSYNC_EVENT_TYPE_EVENT;
}

const char *
calsync_event_status_to_string (CalsyncEventStatus status)
{
  if ((guint) status >= G_N_ELEMENTS (status_names))
    return "confirmed";
  return status_names[status];
}

CalsyncEventStatus
calsync_event_status_from_string (const char *str)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (str, status_names[i]) == 0)
      return (CalsyncEventStatus) i;
  return CALSYNC_EVENT_STATUS_CONFIRMED;
}
