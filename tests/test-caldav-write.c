/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-caldav-write.c: local changes written to a real Radicale on 127.0.0.1
 * (calsync_caldav_write_async): creates, updates that keep what CalSync does
 * not edit, instances, deletes, conflicts made by another client both ways,
 * and the refusals (no permission, wrong password). */
#include "config.h"

#include <string.h>

#include "calsync-caldav-write.h"
#include "calsync-ical.h"
#include "calsync-radicale.h"
#include "calsync-test-utils.h"

#define WINDOW_START 1780272000   /* 2026-06-01T00:00:00Z */
#define WINDOW_END   1811808000   /* 2027-06-01T00:00:00Z */
/* Edit times: before and after the fixtures' LAST-MODIFIED (2026-11-20) */
#define EDITED_BEFORE (G_GINT64_CONSTANT (1793577600) * G_USEC_PER_SEC)   /* 2026-11-02 */
#define EDITED_AFTER  (G_GINT64_CONSTANT (1796083200) * G_USEC_PER_SEC)   /* 2026-12-01 */

#define BERLIN_VTIMEZONE \
  "BEGIN:VTIMEZONE\r\n" \
  "TZID:Europe/Berlin\r\n" \
  "BEGIN:DAYLIGHT\r\n" \
  "TZOFFSETFROM:+0100\r\n" \
  "TZOFFSETTO:+0200\r\n" \
  "TZNAME:CEST\r\n" \
  "DTSTART:19700329T020000\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" \
  "END:DAYLIGHT\r\n" \
  "BEGIN:STANDARD\r\n" \
  "TZOFFSETFROM:+0200\r\n" \
  "TZOFFSETTO:+0100\r\n" \
  "TZNAME:CET\r\n" \
  "DTSTART:19701025T030000\r\n" \
  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" \
  "END:STANDARD\r\n" \
  "END:VTIMEZONE\r\n"

/* One event with what CalSync does not edit: an alarm, X- properties, an
 * attachment, attendees */
static const char single[] =
  "BEGIN:VCALENDAR\r\n"
  "VERSION:2.0\r\n"
  "PRODID:-//Example//Other Client//EN\r\n"
  BERLIN_VTIMEZONE
  "BEGIN:VEVENT\r\n"
  "UID:planning-1@example.com\r\n"
  "DTSTAMP:20261120T101500Z\r\n"
  "LAST-MODIFIED:20261120T101500Z\r\n"
  "SEQUENCE:2\r\n"
  "DTSTART;TZID=Europe/Berlin:20261210T140000\r\n"
  "DTEND;TZID=Europe/Berlin:20261210T150000\r\n"
  "SUMMARY:Planning\r\n"
  "LOCATION:Room 4\r\n"
  "ATTACH;FMTTYPE=application/pdf:https://files.example.com/agenda.pdf\r\n"
  "ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED:mailto:ann@example.com\r\n"
  "X-CUSTOM-COLOR:teal\r\n"
  "X-OTHER-CLIENT-ID:12345\r\n"
  "BEGIN:VALARM\r\n"
  "ACTION:DISPLAY\r\n"
  "DESCRIPTION:Reminder\r\n"
  "TRIGGER:-PT10M\r\n"
  "X-ALARM-SOUND:bell\r\n"
  "END:VALARM\r\n"
  "END:VEVENT\r\n"
  "END:VCALENDAR\r\n";

/* Daily at 09:00 in Berlin, five times from 1 December; the 3rd moved to 11:00 */
static const char series[] =
  "BEGIN:VCALENDAR\r\n"
  "VERSION:2.0\r\n"
  "PRODID:-//Example//Other Client//EN\r\n"
  BERLIN_VTIMEZONE
  "BEGIN:VEVENT\r\n"
  "UID:standup-1@example.com\r\n"
  "DTSTAMP:20261120T101500Z\r\n"
  "LAST-MODIFIED:20261120T101500Z\r\n"
  "DTSTART;TZID=Europe/Berlin:20261201T090000\r\n"
  "DTEND;TZID=Europe/Berlin:20261201T091500\r\n"
  "RRULE:FREQ=DAILY;COUNT=5\r\n"
  "SUMMARY:Standup\r\n"
  "X-CUSTOM-COLOR:orange\r\n"
  "BEGIN:VALARM\r\n"
  "ACTION:DISPLAY\r\n"
  "DESCRIPTION:Standup soon\r\n"
  "TRIGGER:-PT5M\r\n"
  "END:VALARM\r\n"
  "END:VEVENT\r\n"
  "BEGIN:VEVENT\r\n"
  "UID:standup-1@example.com\r\n"
  "DTSTAMP:20261120T101500Z\r\n"
  "LAST-MODIFIED:20261120T101500Z\r\n"
  "RECURRENCE-ID;TZID=Europe/Berlin:20261203T090000\r\n"
  "DTSTART;TZID=Europe/Berlin:20261203T110000\r\n"
  "DTEND;TZID=Europe/Berlin:20261203T111500\r\n"
  "SUMMARY:Standup (late)\r\n"
  "END:VEVENT\r\n"
  "END:VCALENDAR\r\n";

static CalsyncRadicale *radicale;

typedef struct
{
  char *name;               /* the collection's */
  char *collection_url;
  CalsyncHttp *http;
  CalsyncCredentials *credentials;
  GCancellable *cancellable;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static guint n;

  f->name = g_strdup_printf ("cal%u", ++n);
  f->collection_url = g_strdup_printf ("%s%s/%s/", calsync_radicale_get_url (radicale), CALSYNC_RADICALE_USER,
                                       f->name);
  calsync_radicale_mkcalendar (radicale, f->name, "Work");
  f->http = calsync_http_new ();
  calsync_http_set_retry_policy (f->http, 2, 10, 2000);
  f->credentials = calsync_credentials_new_password (1, CALSYNC_RADICALE_USER);
  calsync_credentials_set_password (f->credentials, CALSYNC_RADICALE_PASSWORD);
  f->cancellable = g_cancellable_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_cancellable_cancel (f->cancellable);
  g_clear_object (&f->cancellable);
  g_clear_object (&f->credentials);
  g_clear_object (&f->http);
  g_free (f->collection_url);
  g_free (f->name);
}

/* Helpers ----------------------------------------------------------------- */

static char *
resource_path (Fixture    *f,
               const char *name)
{
  return g_strdup_printf ("/%s/%s/%s", CALSYNC_RADICALE_USER, f->name, name);
}

/* Another client's PUT; returns the ETag */
static char *
put (Fixture    *f,
     const char *name,
     const char *text)
{
  return calsync_radicale_put (radicale, f->name, name, text);
}

/* The resource as the server has it; NULL when it has none */
static char *
get (Fixture     *f,
     const char  *path,
     char       **etag)
{
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autofree char *body = NULL;
  guint status = calsync_radicale_request (radicale, "GET", path, NULL, NULL, NULL, &body, &headers);

  if (status == 404)
    return NULL;
  g_assert_cmpuint (status, ==, 200);
  if (etag != NULL)
    *etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  return g_steal_pointer (&body);
}

static GPtrArray *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = calsync_ical_parse (text, -1, WINDOW_START, WINDOW_END, &error);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

static CalsyncEvent *
find_event (GPtrArray  *events,
            const char *external_id)
{
  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (calsync_event_get_external_id (g_ptr_array_index (events, i)), external_id))
      return g_ptr_array_index (events, i);

  return NULL;
}

static CalsyncEvent *
read_event (const char *text,
            const char *external_id)
{
  g_autoptr(GPtrArray) events = parse (text);
  CalsyncEvent *event = find_event (events, external_id);

  g_assert_nonnull (event);
  return calsync_event_copy (event);
}

static CalsyncWriteResult *
run_write (Fixture             *f,
           const CalsyncWrite  *write,
           GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  calsync_caldav_write_async (f->http, f->credentials, f->collection_url, write, f->cancellable,
                              calsync_test_result_cb, &result);
  return calsync_caldav_write_finish (calsync_test_spin (&result), error);
}

static CalsyncWriteResult *
write_ok (Fixture            *f,
          const CalsyncWrite *write)
{
  g_autoptr(GError) error = NULL;
  CalsyncWriteResult *result = run_write (f, write, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("“%s” is not in:\n%s", part, text);
}

/* Creates ----------------------------------------------------------------- */

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event ("created-1@calsync", "Dentist", 1796907600,
                                                            1796907600 + 2700, "Europe/Berlin");
  CalsyncWrite write = { CALSYNC_WRITE_CREATE, event, NULL, NULL, NULL, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autoptr(CalsyncWriteResult) again = NULL;
  g_autofree char *path = resource_path (f, "created-1@calsync.ics");
  g_autofree char *stored = NULL;
  g_autofree char *etag = NULL;
  g_autoptr(GPtrArray) events = NULL;

  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_cmpstr (result->resource_id, ==, path);
  g_assert_false (result->deleted);
  assert_contains (result->resource_text, "UID:created-1@calsync\r\n");

  stored = get (f, path, &etag);
  g_assert_cmpstr (result->etag, ==, etag);
  events = parse (stored);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (events, 0)), ==, "Dentist");
  g_assert_cmpint (calsync_event_get_start (g_ptr_array_index (events, 0)), ==, 1796907600);
  assert_contains (stored, "TZID=Europe/Berlin");

  /* A second create of the same href meets If-None-Match: the server's copy
   * (written "later" than this edit) stays */
  calsync_event_set_title (event, "Dentist again");
  write.local_updated = 1;
  again = write_ok (f, &write);
  g_assert_cmpint (again->outcome, ==, CALSYNC_WRITE_OUTCOME_LOST);
  g_assert_cmpstr (again->etag, ==, etag);
  g_assert_cmpstr (again->resource_id, ==, path);
  g_assert_cmpstr (again->resource_text, ==, stored);
  g_clear_pointer (&stored, g_free);
  stored = get (f, path, NULL);
  assert_contains (stored, "SUMMARY:Dentist\r\n");
}

static void
test_create_unsafe_uid (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event ("a/b c?d", "Odd id", 1796907600, 1796911200, "UTC");
  CalsyncWrite write = { CALSYNC_WRITE_CREATE, event, NULL, NULL, NULL, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = write_ok (f, &write);
  g_autofree char *name = calsync_caldav_resource_name (event);
  g_autofree char *path = resource_path (f, name);
  g_autofree char *stored = NULL;

  g_assert_cmpuint (strlen (name), ==, 64 + 4);
  g_assert_cmpstr (result->resource_id, ==, path);
  stored = get (f, path, NULL);
  assert_contains (stored, "UID:a/b c?d\r\n");
}

/* A create whose text the caller made (an imported file's VEVENT): as is */
static void
test_create_own_text (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_CREATE, event, NULL, NULL, single, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = write_ok (f, &write);
  g_autofree char *path = resource_path (f, "planning-1@example.com.ics");
  g_autofree char *stored = NULL;

  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_cmpstr (result->resource_id, ==, path);
  g_assert_cmpstr (result->resource_text, ==, single);
  stored = get (f, path, NULL);
  assert_contains (stored, "X-ALARM-SOUND:bell\r\n");
  assert_contains (stored, "SUMMARY:Planning\r\n");
}

/* Updates ----------------------------------------------------------------- */

static void
test_update_keeps_the_rest (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *etag = put (f, "planning.ics", single);
  g_autofree char *path = resource_path (f, "planning.ics");
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, etag, path, single, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *stored_etag = NULL;
  g_autoptr(GPtrArray) events = NULL;

  calsync_event_set_title (event, "Planning (moved)");
  calsync_event_set_times (event, calsync_event_get_start (event) + 3600, calsync_event_get_end (event) + 3600,
                           "Europe/Berlin");
  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_cmpstr (result->resource_id, ==, path);

  stored = get (f, path, &stored_etag);
  g_assert_cmpstr (result->etag, ==, stored_etag);
  g_assert_cmpstr (result->etag, !=, etag);
  events = parse (stored);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (calsync_event_get_title (g_ptr_array_index (events, 0)), ==, "Planning (moved)");
  g_assert_cmpint (calsync_event_get_start (g_ptr_array_index (events, 0)), ==, 1796907600 + 3600);
  g_assert_cmpstr (calsync_event_get_location (g_ptr_array_index (events, 0)), ==, "Room 4");

  /* What CalSync does not edit, still on the server */
  assert_contains (stored, "BEGIN:VALARM\r\n");
  assert_contains (stored, "TRIGGER:-PT10M\r\n");
  assert_contains (stored, "X-ALARM-SOUND:bell\r\n");
  assert_contains (stored, "X-CUSTOM-COLOR:teal\r\n");
  assert_contains (stored, "X-OTHER-CLIENT-ID:12345\r\n");
  assert_contains (stored, "ATTACH;FMTTYPE=application/pdf:https://files.example.com/agenda.pdf\r\n");
  assert_contains (stored, "mailto:ann@example.com");
  assert_contains (stored, "SEQUENCE:3\r\n");
  assert_contains (stored, "DTSTART;TZID=Europe/Berlin:20261210T150000\r\n");
}

/* A resource text as a multistatus hands it over (LF only: XML normalises
 * line ends) is sent with CRLF again (RFC 5545 3.1) */
static void
test_update_lf_text (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *etag = put (f, "planning.ics", single);
  g_autofree char *path = resource_path (f, "planning.ics");
  g_auto(GStrv) lines = g_strsplit (single, "\r\n", -1);
  g_autofree char *lf_only = g_strjoinv ("\n", lines);
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, etag, path, lf_only, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = NULL;

  calsync_event_set_title (event, "Planning (LF)");
  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  assert_contains (result->resource_text, "SUMMARY:Planning (LF)\r\n");
  for (const char *p = strchr (result->resource_text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    g_assert_cmpint (p[-1], ==, '\r');
}

static void
test_update_without_text (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *etag = put (f, "planning.ics", single);
  g_autofree char *path = resource_path (f, "planning.ics");
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, NULL, path, NULL, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autofree char *stored = NULL;

  calsync_event_set_location (event, "Room 5");
  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_nonnull (result->etag);
  g_assert_cmpstr (result->etag, !=, etag);
  stored = get (f, path, NULL);
  assert_contains (stored, "LOCATION:Room 5\r\n");
  assert_contains (stored, "X-ALARM-SOUND:bell\r\n");
}

static void
test_instance_edit (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *etag = put (f, "standup.ics", series);
  g_autofree char *path = resource_path (f, "standup.ics");
  /* The 2nd, 2 December 09:00 in Berlin (08:00 UTC) */
  g_autoptr(CalsyncEvent) event = read_event (series, "standup-1@example.com_20261202T080000Z");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, etag, path, series, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) events = NULL;
  CalsyncEvent *edited;

  calsync_event_set_title (event, "Standup with guests");
  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);

  stored = get (f, path, NULL);
  events = parse (stored);
  g_assert_cmpuint (events->len, ==, 5);
  edited = find_event (events, "standup-1@example.com_20261202T080000Z");
  g_assert_cmpstr (calsync_event_get_title (edited), ==, "Standup with guests");
  g_assert_cmpstr (calsync_event_get_title (find_event (events, "standup-1@example.com_20261201T080000Z")), ==,
                   "Standup");
  g_assert_cmpstr (calsync_event_get_title (find_event (events, "standup-1@example.com_20261203T080000Z")), ==,
                   "Standup (late)");
  assert_contains (stored, "RECURRENCE-ID;TZID=Europe/Berlin:20261202T090000\r\n");
  assert_contains (stored, "RECURRENCE-ID;TZID=Europe/Berlin:20261203T090000\r\n");
  assert_contains (stored, "RRULE:FREQ=DAILY;COUNT=5\r\n");
  assert_contains (stored, "TRIGGER:-PT5M\r\n");
}

/* Deletes ----------------------------------------------------------------- */

static void
test_instance_delete (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *etag = put (f, "standup.ics", series);
  g_autofree char *path = resource_path (f, "standup.ics");
  g_autoptr(CalsyncEvent) event = read_event (series, "standup-1@example.com_20261204T080000Z");
  CalsyncWrite write = { CALSYNC_WRITE_DELETE, event, etag, path, series, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) events = NULL;

  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_false (result->deleted);
  g_assert_nonnull (result->etag);

  stored = get (f, path, NULL);
  events = parse (stored);
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_null (find_event (events, "standup-1@example.com_20261204T080000Z"));
  assert_contains (stored, "EXDATE;TZID=Europe/Berlin:20261204T090000\r\n");
  assert_contains (stored, "Standup (late)");
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *etag = put (f, "planning.ics", single);
  g_autofree char *path = resource_path (f, "planning.ics");
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_DELETE, event, etag, path, single, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autoptr(CalsyncWriteResult) again = NULL;
  g_autofree char *stored = NULL;

  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_true (result->deleted);
  g_assert_null (result->etag);
  g_assert_null (result->resource_text);
  stored = get (f, path, NULL);
  g_assert_null (stored);

  /* Already gone: done all the same */
  again = write_ok (f, &write);
  g_assert_true (again->deleted);
  g_assert_cmpint (again->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
}

/* Conflicts --------------------------------------------------------------- */

/* Another client changes the resource between our fetch and our write */
static char *
edit_elsewhere (Fixture    *f,
                const char *name)
{
  g_autoptr(GString) text = g_string_new (single);

  g_string_replace (text, "SUMMARY:Planning\r\n", "SUMMARY:Planning (their title)\r\n", 1);
  g_string_replace (text, "LOCATION:Room 4\r\n", "LOCATION:Room 9\r\n", 1);
  g_string_replace (text, "LAST-MODIFIED:20261120T101500Z\r\n", "LAST-MODIFIED:20261121T101500Z\r\n", 1);
  return put (f, name, text->str);
}

static void
test_conflict_local_newer (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *etag = put (f, "planning.ics", single);
  g_autofree char *path = resource_path (f, "planning.ics");
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, etag, path, single, EDITED_AFTER };
  g_autofree char *their_etag = edit_elsewhere (f, "planning.ics");
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *stored_etag = NULL;

  g_assert_cmpstr (their_etag, !=, etag);
  calsync_event_set_title (event, "Planning (our title)");
  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WON);

  /* Ours, made again on their text: their other change stays */
  stored = get (f, path, &stored_etag);
  g_assert_cmpstr (result->etag, ==, stored_etag);
  assert_contains (stored, "SUMMARY:Planning (our title)\r\n");
  assert_contains (stored, "LOCATION:Room 9\r\n");
  assert_contains (stored, "X-ALARM-SOUND:bell\r\n");
}

static void
test_conflict_server_newer (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *etag = put (f, "planning.ics", single);
  g_autofree char *path = resource_path (f, "planning.ics");
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, etag, path, single, EDITED_BEFORE };
  g_autofree char *their_etag = edit_elsewhere (f, "planning.ics");
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autofree char *stored = NULL;

  calsync_event_set_title (event, "Planning (our title)");
  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_LOST);
  g_assert_false (result->deleted);
  g_assert_cmpstr (result->etag, ==, their_etag);
  g_assert_cmpstr (result->resource_id, ==, path);
  assert_contains (result->resource_text, "SUMMARY:Planning (their title)\r\n");

  stored = get (f, path, NULL);
  g_assert_cmpstr (stored, ==, result->resource_text);
}

/* A crash between the server's acceptance and the local commit: the same
 * write is made again on what this computer still holds (no etag for the
 * create, the old etag for the update). The server's copy, stamped later than
 * the edit by the first attempt, holds the change: written, not a conflict
 * lost (nor one won over "a change made on the server") */
static void
test_conflict_already_written (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CalsyncEvent) created = calsync_test_timed_event ("created-2@calsync", "Dentist", 1796907600,
                                                              1796907600 + 2700, "Europe/Berlin");
  CalsyncWrite create = { CALSYNC_WRITE_CREATE, created, NULL, NULL, NULL, EDITED_AFTER };
  g_autofree char *etag = put (f, "planning.ics", single);
  g_autofree char *path = resource_path (f, "planning.ics");
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite update = { CALSYNC_WRITE_UPDATE, event, etag, path, single, EDITED_BEFORE };
  g_autoptr(CalsyncWriteResult) first = NULL;
  g_autoptr(CalsyncWriteResult) again = NULL;
  g_autoptr(CalsyncWriteResult) first_create = NULL;
  g_autoptr(CalsyncWriteResult) again_create = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *stored_etag = NULL;

  calsync_event_set_title (event, "Planning (our title)");
  first = write_ok (f, &update);
  g_assert_cmpint (first->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  again = write_ok (f, &update);
  g_assert_cmpint (again->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_false (again->deleted);
  stored = get (f, path, &stored_etag);
  g_assert_cmpstr (again->etag, ==, stored_etag);
  g_assert_cmpstr (again->etag, ==, first->etag);
  assert_contains (stored, "SUMMARY:Planning (our title)\r\n");

  first_create = write_ok (f, &create);
  g_assert_cmpint (first_create->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  /* Answered 412 (If-None-Match: *): the resource there is this create's */
  again_create = write_ok (f, &create);
  g_assert_cmpint (again_create->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_cmpstr (again_create->etag, ==, first_create->etag);
  g_assert_cmpstr (again_create->resource_id, ==, first_create->resource_id);
}

/* They cancelled the 5th instance; we renamed the 2nd: both stay */
static void
test_conflict_instances (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *etag = put (f, "standup.ics", series);
  g_autofree char *path = resource_path (f, "standup.ics");
  g_autoptr(CalsyncEvent) event = read_event (series, "standup-1@example.com_20261202T080000Z");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, etag, path, series, EDITED_AFTER };
  g_autoptr(GString) theirs = g_string_new (series);
  g_autofree char *their_etag = NULL;
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) events = NULL;

  g_string_replace (theirs, "RRULE:FREQ=DAILY;COUNT=5\r\n",
                    "RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE;TZID=Europe/Berlin:20261205T090000\r\n", 1);
  g_string_replace (theirs, "LAST-MODIFIED:20261120T101500Z\r\n", "LAST-MODIFIED:20261121T101500Z\r\n", 1);
  their_etag = put (f, "standup.ics", theirs->str);

  calsync_event_set_title (event, "Standup with guests");
  result = write_ok (f, &write);
  /* Not a conflict: they did not touch the 2nd, nobody's edit is lost */
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);

  stored = get (f, path, NULL);
  events = parse (stored);
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_null (find_event (events, "standup-1@example.com_20261205T080000Z"));
  g_assert_cmpstr (calsync_event_get_title (find_event (events, "standup-1@example.com_20261202T080000Z")), ==,
                   "Standup with guests");
  g_assert_cmpint (calsync_event_get_start (find_event (events, "standup-1@example.com_20261202T080000Z")), ==,
                   calsync_event_get_start (event));
}

static void
test_conflict_deleted_there (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *etag = put (f, "planning.ics", single);
  g_autofree char *path = resource_path (f, "planning.ics");
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, etag, path, single, EDITED_AFTER };
  g_autoptr(CalsyncWriteResult) result = NULL;

  g_assert_cmpuint (calsync_radicale_request (radicale, "DELETE", path, NULL, NULL, NULL, NULL, NULL), ==, 200);
  calsync_event_set_title (event, "Planning (our title)");
  result = write_ok (f, &write);
  g_assert_cmpint (result->outcome, ==, CALSYNC_WRITE_OUTCOME_LOST);
  g_assert_true (result->deleted);
  g_assert_null (result->resource_text);
}

/* Refusals ---------------------------------------------------------------- */

static void
test_forbidden (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event ("theirs-1", "Bob’s meeting", 1796907600,
                                                            1796911200, "UTC");
  CalsyncWrite write = { CALSYNC_WRITE_CREATE, event, NULL, NULL, NULL, EDITED_AFTER };
  g_autofree char *bobs = g_strdup_printf ("%sbob/shared/", calsync_radicale_get_url (radicale));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalsyncWriteResult) written = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (calsync_radicale_request_as (radicale, "bob", "hunter2", "MKCALENDAR", "/bob/shared/",
                                                 NULL, NULL, NULL, NULL, NULL), ==, 201);

  calsync_caldav_write_async (f->http, f->credentials, bobs, &write, f->cancellable,
                              calsync_test_result_cb, &result);
  written = calsync_caldav_write_finish (calsync_test_spin (&result), &error);
  g_assert_null (written);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED);
  g_assert_cmpstr (error->message, ==, "The server does not let you change “Bob’s meeting”.");
}

/* Text the server refuses (400): refused for good, not retried */
static void
test_bad_text (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event ("bad-1", "Broken", 1796907600, 1796911200, "UTC");
  CalsyncWrite write = { CALSYNC_WRITE_CREATE, event, NULL, NULL,
                         "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:bad-1\r\nEND:VCALENDAR\r\n",
                         EDITED_AFTER };
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncWriteResult) result = run_write (f, &write, &error);

  g_assert_null (result);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED);
  g_assert_cmpstr (error->message, ==, "The server did not accept the change to “Broken”.");
}

static void
test_gone (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *path = resource_path (f, "never-there.ics");
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_UPDATE, event, NULL, path, NULL, EDITED_AFTER };
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncWriteResult) result = run_write (f, &write, &error);

  g_assert_null (result);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED);
  g_assert_cmpstr (error->message, ==, "“Planning” is no longer on the server.");
}

/* A resource somewhere else than its calendar: the password does not go there */
static void
test_foreign_href (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = read_event (single, "planning-1@example.com");
  CalsyncWrite write = { CALSYNC_WRITE_DELETE, event, "\"x\"", "http://127.0.0.2:9/steal.ics", NULL, EDITED_AFTER };
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncWriteResult) result = run_write (f, &write, &error);

  g_assert_null (result);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event ("pw-1", "Secret", 1796907600, 1796911200, "UTC");
  CalsyncWrite write = { CALSYNC_WRITE_CREATE, event, NULL, NULL, NULL, EDITED_AFTER };
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncWriteResult) result = NULL;
  g_autofree char *path = resource_path (f, "pw-1.ics");
  g_autofree char *stored = NULL;

  calsync_credentials_set_password (f->credentials, "not-the-password");
  result = run_write (f, &write, &error);
  g_assert_null (result);
  g_assert_error (error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED);
  g_assert_true (calsync_credentials_error_needs_reconnect (error));
  g_assert_null (strstr (error->message, "not-the-password"));
  stored = get (f, path, NULL);
  g_assert_null (stored);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event ("off-1", "Offline", 1796907600, 1796911200, "UTC");
  CalsyncWrite write = { CALSYNC_WRITE_CREATE, event, NULL, NULL, NULL, EDITED_AFTER };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CalsyncWriteResult) written = NULL;
  g_autoptr(GError) error = NULL;

  /* Port 9 on loopback (discard): nobody listens */
  calsync_caldav_write_async (f->http, f->credentials, "http://127.0.0.1:9/alice/work/", &write, f->cancellable,
                              calsync_test_result_cb, &result);
  written = calsync_caldav_write_finish (calsync_test_spin (&result), &error);
  g_assert_null (written);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CALSYNC_HTTP_ERROR);
  g_assert_false (g_error_matches (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!calsync_radicale_available ())
    calsync_test_skip_all ("no Radicale (apt install radicale)");

  dir = g_dir_make_tmp ("calsync-caldav-write-XXXXXX", NULL);
  g_assert_nonnull (dir);
  radicale = calsync_radicale_start (dir, 300);
  calsync_radicale_add_user (radicale, "bob", "hunter2");

  ADD ("/caldav-write/create", test_create);
  ADD ("/caldav-write/conflict/already-written", test_conflict_already_written);
  ADD ("/caldav-write/create/unsafe-uid", test_create_unsafe_uid);
  ADD ("/caldav-write/create/own-text", test_create_own_text);
  ADD ("/caldav-write/update/keeps-the-rest", test_update_keeps_the_rest);
  ADD ("/caldav-write/update/lf-text", test_update_lf_text);
  ADD ("/caldav-write/update/without-text", test_update_without_text);
  ADD ("/caldav-write/instance/edit", test_instance_edit);
  ADD ("/caldav-write/instance/delete", test_instance_delete);
  ADD ("/caldav-write/delete", test_delete);
  ADD ("/caldav-write/conflict/local-newer", test_conflict_local_newer);
  ADD ("/caldav-write/conflict/server-newer", test_conflict_server_newer);
  ADD ("/caldav-write/conflict/instances", test_conflict_instances);
  ADD ("/caldav-write/conflict/deleted-there", test_conflict_deleted_there);
  ADD ("/caldav-write/refused/forbidden", test_forbidden);
  ADD ("/caldav-write/refused/gone", test_gone);
  ADD ("/caldav-write/refused/bad-text", test_bad_text);
  ADD ("/caldav-write/refused/wrong-password", test_wrong_password);
  ADD ("/caldav-write/refused/foreign-href", test_foreign_href);
  ADD ("/caldav-write/offline", test_offline);

  status = g_test_run ();
  calsync_radicale_free (radicale);
  calsync_test_remove_tree (dir);
  return status;
}
