/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-radicale-export.c: what `calsync --export` writes is accepted by a real
 * CalDAV server. Radicale (which parses and validates every PUT) runs on
 * 127.0.0.1 for the length of the test; each UID of the export is PUT as its
 * own resource, as a CalDAV client would store it. */
#include "config.h"

#include <string.h>

#include "calsync-radicale.h"
#include "calsync-store.h"
#include "calsync-test-utils.h"

typedef struct
{
  char *dir;               /* XDG_DATA_HOME, Radicale's config and storage */
  CalsyncRadicale *radicale;
  char *collection_url;    /* http://127.0.0.1:PORT/alice/export/ */
} Fixture;

/* Sends a request as alice; returns the status, the body in *body when asked */
static guint
send_request (Fixture     *f,
              const char  *method,
              const char  *url,
              const char  *content_type,
              const char  *request_body,
              char       **body)
{
  return calsync_radicale_request (f->radicale, method, url, content_type, request_body, NULL, body, NULL);
}

/* The hrefs of the events that have an occurrence in [@start, @end) (a
 * CalDAV calendar-query: the server expands the rules itself) */
static char *
query_time_range (Fixture    *f,
                  const char *start,
                  const char *end)
{
  static const char * const depth[] = { "Depth", "1", NULL };
  g_autofree char *query = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
    "<D:prop><D:getetag/></D:prop>"
    "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
    "<C:time-range start=\"%s\" end=\"%s\"/>"
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>", start, end);
  char *body = NULL;

  g_assert_cmpuint (calsync_radicale_request (f->radicale, "REPORT", f->collection_url,
                                              "application/xml; charset=utf-8", query, depth, &body, NULL), ==, 207);
  return body;
}

/* Events to export ------------------------------------------------------------ */

static CalsyncEvent *
instance (CalsyncEvent *event,
          const char   *series,
          const char   *original_start)
{
  calsync_event_set_recurring_event_id (event, series);
  calsync_event_set_original_start (event, original_start);
  return event;
}

static GPtrArray *
events_of_every_kind (void)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (g_object_unref);
  CalsyncEvent *event;

  g_ptr_array_add (events, calsync_test_timed_event ("berlin", "Standup", calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 10, 0),
                                                     calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 10, 15), "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_timed_event ("lord-howe", "Half-hour DST", calsync_test_local_time ("Australia/Lord_Howe", 2027, 4, 4, 1, 0),
                                                     calsync_test_local_time ("Australia/Lord_Howe", 2027, 4, 4, 3, 0), "Australia/Lord_Howe"));
  g_ptr_array_add (events, calsync_test_timed_event ("utc", "Maintenance", 1796205600, 1796212800, "UTC"));
  g_ptr_array_add (events, calsync_test_timed_event ("repeated-hour", "At 02:30 twice", 1792891800, 1792895400, "Europe/Berlin"));
  g_ptr_array_add (events, calsync_test_all_day_event ("trip", "Trip", "2026-12-24", "2026-12-28"));

  event = calsync_test_timed_event ("odd,id;with\\chars@example.com", "Lunch; with Ann, Bob",
                                    calsync_test_local_time ("America/New_York", 2026, 12, 3, 12, 0),
                                    calsync_test_local_time ("America/New_York", 2026, 12, 3, 13, 0), "America/New_York");
  calsync_event_set_description (event, "Agenda; items, more\nC:\\temp — “quoted”\n"
                                        "Grüße 日本語 😀 https://example.com/a/very/long/path/without/any/spaces/at/all/x?y=1");
  calsync_event_set_location (event, "Café, Berlin");
  calsync_event_set_attendees_json (event,
    "[{\"email\":\"ann@example.com\",\"name\":\"Ann, \\\"the\\\" Boss\",\"response\":\"accepted\",\"organizer\":true},"
    "{\"email\":\"bob@example.com\",\"name\":\"Bob ^_^\",\"response\":\"declined\",\"organizer\":false}]");
  calsync_event_set_conference_url (event, "https://meet.google.com/abc-defg-hij");
  g_ptr_array_add (events, event);

  /* A weekly series (as Google sends it: instances only), one moved */
  g_ptr_array_add (events, instance (calsync_test_timed_event ("wk7_20261201T090000Z", "Team sync",
                                                               calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 10, 0),
                                                               calsync_test_local_time ("Europe/Berlin", 2026, 12, 1, 10, 30), "Europe/Berlin"),
                                     "wk7", "2026-12-01T10:00:00+01:00"));
  g_ptr_array_add (events, instance (calsync_test_timed_event ("wk7_20261208T090000Z", "Team sync (moved)",
                                                               calsync_test_local_time ("Europe/Berlin", 2026, 12, 9, 14, 0),
                                                               calsync_test_local_time ("Europe/Berlin", 2026, 12, 9, 14, 30), "Europe/Berlin"),
                                     "wk7", "2026-12-08T10:00:00+01:00"));
  g_ptr_array_add (events, instance (calsync_test_timed_event ("solo_20261207T170000Z", "Choir, the last one",
                                                               calsync_test_local_time ("Europe/Berlin", 2026, 12, 7, 18, 0),
                                                               calsync_test_local_time ("Europe/Berlin", 2026, 12, 7, 20, 0), "Europe/Berlin"),
                                     "solo", "2026-12-07T18:00:00+01:00"));
  g_ptr_array_add (events, instance (calsync_test_all_day_event ("bin_20261204", "Bins", "2026-12-04", NULL), "bin", "2026-12-04"));
  g_ptr_array_add (events, instance (calsync_test_all_day_event ("bin_20261218", "Bins", "2026-12-18", NULL), "bin", "2026-12-18"));

  /* A series imported from a file: its rule (Thursdays 08:30 in New York,
   * until 2028), written as it was; the 10th deleted, the 17th moved */
  for (int day = 3; day <= 24; day += 7)
    {
      gint64 start = calsync_test_local_time ("America/New_York", 2026, 12, day, day == 17 ? 11 : 8, 30);
      g_autofree char *id = g_strdup_printf ("call_202612%02dT133000Z", day);
      g_autofree char *original = g_strdup_printf ("2026-12-%02dT08:30:00-05:00", day);

      if (day == 10)
        continue;
      event = instance (calsync_test_timed_event (id, day == 17 ? "Call, later" : "Call", start, start + 1800,
                                                  "America/New_York"), "call", original);
      calsync_event_set_recurrence (event, "DTSTART;TZID=America/New_York:20261203T083000\n"
                                           "DURATION:PT30M\n"
                                           "RRULE:FREQ=WEEKLY;UNTIL=20281231T235959Z");
      g_ptr_array_add (events, event);
    }

  return events;
}

static void
seed_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncStore) store = calsync_test_open_store (dir);
  g_autoptr(GPtrArray) events = events_of_every_kind ();

  for (guint i = 0; i < events->len; i++)
    {
      g_assert_cmpint (calsync_store_create_local_event (store, g_ptr_array_index (events, i), &error), >, 0);
      g_assert_no_error (error);
    }
}

static char *
export_personal (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "export.ics", NULL);
  g_autofree char *arg = g_strdup_printf ("--export=%s", path);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  char *text = NULL;

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->dir, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, CALSYNC_BINARY, arg, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* Splitting the export per UID ------------------------------------------------- */

typedef struct
{
  char *uid;
  GString *events;          /* the VEVENTs, bytes as exported */
  GPtrArray *tzids;         /* the TZIDs they use */
} Resource;

static void
resource_free (Resource *resource)
{
  g_free (resource->uid);
  g_string_free (resource->events, TRUE);
  g_ptr_array_unref (resource->tzids);
  g_free (resource);
}

typedef struct
{
  GString *header;          /* BEGIN:VCALENDAR, VERSION, PRODID… */
  GHashTable *vtimezones;   /* TZID → its VTIMEZONE, bytes as exported */
  GPtrArray *resources;     /* Resource, in order of first appearance */
} Split;

/* One logical line: its bytes (folds and CRLF included) and its unfolded text */
typedef struct
{
  GString *raw;
  GString *text;
} Line;

static gboolean
next_line (const char **cursor,
           Line        *line)
{
  g_string_truncate (line->raw, 0);
  g_string_truncate (line->text, 0);

  while (**cursor != '\0' && (line->raw->len == 0 || **cursor == ' '))
    {
      const char *eol = strstr (*cursor, "\r\n");
      const char *start = line->raw->len == 0 ? *cursor : *cursor + 1;   /* a fold's space */

      g_assert_nonnull (eol);
      g_string_append_len (line->raw, *cursor, eol + 2 - *cursor);
      g_string_append_len (line->text, start, eol - start);
      *cursor = eol + 2;
    }

  return line->raw->len > 0;
}

static Resource *
find_resource (Split      *split,
               const char *uid)
{
  Resource *resource;

  for (guint i = 0; i < split->resources->len; i++)
    if (g_str_equal (((Resource *) g_ptr_array_index (split->resources, i))->uid, uid))
      return g_ptr_array_index (split->resources, i);

  resource = g_new0 (Resource, 1);
  resource->uid = g_strdup (uid);
  resource->events = g_string_new (NULL);
  resource->tzids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (split->resources, resource);
  return resource;
}

static void
add_vevent (Split      *split,
            GString    *block,
            GPtrArray  *tzids,
            const char *uid)
{
  Resource *resource;

  g_assert_nonnull (uid);
  resource = find_resource (split, uid);
  g_string_append_len (resource->events, block->str, (gssize) block->len);
  for (guint i = 0; i < tzids->len; i++)
    if (!g_ptr_array_find_with_equal_func (resource->tzids, g_ptr_array_index (tzids, i), g_str_equal, NULL))
      g_ptr_array_add (resource->tzids, g_strdup (g_ptr_array_index (tzids, i)));
}

static void
split_clear (Split *split)
{
  g_string_free (split->header, TRUE);
  g_hash_table_unref (split->vtimezones);
  g_ptr_array_unref (split->resources);
}

/* Reads the export block by block: the header, VTIMEZONEs by TZID, VEVENTs by UID */
static void
split_by_uid (const char *text,
              Split      *split)
{
  Line line = { g_string_new (NULL), g_string_new (NULL) };
  g_autoptr(GString) block = g_string_new (NULL);
  g_autoptr(GPtrArray) tzids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *key = NULL;
  const char *kind = NULL;   /* "VTIMEZONE", "VEVENT" or NULL between blocks */
  int depth = 0;

  split->header = g_string_new (NULL);
  split->vtimezones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_free);
  split->resources = g_ptr_array_new_with_free_func ((GDestroyNotify) resource_free);

  for (const char *cursor = text; next_line (&cursor, &line);)
    {
      const char *param = strstr (line.text->str, ";TZID=");

      if (kind == NULL && g_str_equal (line.text->str, "BEGIN:VTIMEZONE"))
        kind = "VTIMEZONE";
      else if (kind == NULL && g_str_equal (line.text->str, "BEGIN:VEVENT"))
        kind = "VEVENT";

      if (kind == NULL)
        {
          if (!g_str_equal (line.text->str, "END:VCALENDAR"))
            g_string_append_len (split->header, line.raw->str, (gssize) line.raw->len);
          continue;
        }

      g_string_append_len (block, line.raw->str, (gssize) line.raw->len);
      depth += g_str_has_prefix (line.text->str, "BEGIN:") - g_str_has_prefix (line.text->str, "END:");
      if (depth == 1 && g_str_has_prefix (line.text->str, "UID:"))
        key = g_strdup (line.text->str + 4);
      else if (depth == 1 && g_str_has_prefix (line.text->str, "TZID:"))
        key = g_strdup (line.text->str + 5);
      else if (param != NULL)
        g_ptr_array_add (tzids, g_strndup (param + 6, strcspn (param + 6, ":;")));

      if (depth > 0)
        continue;

      if (g_str_equal (kind, "VTIMEZONE"))
        g_hash_table_insert (split->vtimezones, g_steal_pointer (&key), g_strdup (block->str));
      else
        add_vevent (split, block, tzids, key);

      g_clear_pointer (&key, g_free);
      g_string_truncate (block, 0);
      g_ptr_array_set_size (tzids, 0);
      kind = NULL;
    }

  g_string_free (line.raw, TRUE);
  g_string_free (line.text, TRUE);
}

static char *
resource_body (Split    *split,
               Resource *resource)
{
  GString *body = g_string_new (split->header->str);

  for (guint i = 0; i < resource->tzids->len; i++)
    {
      const char *vtimezone = g_hash_table_lookup (split->vtimezones, g_ptr_array_index (resource->tzids, i));

      g_assert_nonnull (vtimezone);
      g_string_append (body, vtimezone);
    }
  g_string_append (body, resource->events->str);
  g_string_append (body, "END:VCALENDAR\r\n");
  return g_string_free (body, FALSE);
}

/* Tests -------------------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = calsync_test_setup_env ("radicale-export");
  f->radicale = calsync_radicale_start (f->dir, 110);
  f->collection_url = g_strconcat (calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_USER "/export/", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (g_test_failed ())
    calsync_radicale_dump_log (f->radicale);

  g_clear_pointer (&f->radicale, calsync_radicale_free);
  calsync_test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->collection_url, g_free);
}

static void
test_put_each_event (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autofree char *series_url = NULL;
  g_autofree char *rule_url = NULL;
  g_autofree char *found = NULL;
  g_autofree char *rule_name = NULL;
  g_autofree char *series_name = NULL;
  Split split = { NULL };

  g_assert_cmpuint (send_request (f, "MKCALENDAR", f->collection_url, NULL, NULL, NULL), ==, 201);

  seed_store (f->dir);
  text = export_personal (f);
  split_by_uid (text, &split);
  g_assert_cmpuint (split.resources->len, ==, 10);               /* fourteen events, four series */
  g_assert_cmpuint (g_hash_table_size (split.vtimezones), ==, 3);  /* Berlin, Lord Howe, New York */

  for (guint i = 0; i < split.resources->len; i++)
    {
      Resource *resource = g_ptr_array_index (split.resources, i);
      g_autofree char *url = g_strdup_printf ("%sevent-%u.ics", f->collection_url, i);
      g_autofree char *resource_text = resource_body (&split, resource);

      g_test_message ("PUT %s (UID %s)", url, resource->uid);
      g_assert_cmpuint (send_request (f, "PUT", url, "text/calendar; charset=utf-8", resource_text, NULL), ==, 201);
      if (g_str_equal (resource->uid, "wk7"))
        series_url = g_steal_pointer (&url);
      else if (g_str_equal (resource->uid, "call"))
        rule_url = g_steal_pointer (&url);
    }

  /* The series as the server stores it: one resource, master and both instances */
  g_assert_nonnull (series_url);
  g_assert_cmpuint (send_request (f, "GET", series_url, NULL, NULL, &body), ==, 200);
  {
    const char *got = body;

    g_assert_nonnull (strstr (got, "UID:wk7"));
    g_assert_nonnull (strstr (got, "Team sync (moved)"));
    g_assert_nonnull (strstr (got, "RECURRENCE-ID;TZID=Europe/Berlin:20261208T100000"));
    g_assert_nonnull (strstr (got, "BEGIN:VTIMEZONE"));
  }

  /* The series with its rule: the server finds it in 2028, far past the
   * instances that were exported, and only it */
  g_assert_nonnull (rule_url);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (send_request (f, "GET", rule_url, NULL, NULL, &body), ==, 200);
  {
    const char *got = body;

    g_assert_nonnull (strstr (got, "RRULE:FREQ=WEEKLY;UNTIL=20281231T235959Z"));
    g_assert_nonnull (strstr (got, "EXDATE;TZID=America/New_York:20261210T083000"));
    g_assert_nonnull (strstr (got, "RECURRENCE-ID;TZID=America/New_York:20261217T083000"));
  }
  found = query_time_range (f, "20280601T000000Z", "20280701T000000Z");
  rule_name = g_path_get_basename (rule_url);
  series_name = g_path_get_basename (series_url);
  g_assert_nonnull (strstr (found, rule_name));
  g_assert_null (strstr (found, series_name));

  split_clear (&split);
}

/* Radicale validates what it stores: a broken body is refused, so the 201s
 * above mean something */
static void
test_broken_refused (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const broken[] = {
    /* VEVENT never closed */
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"
    "DTSTAMP:20261125T110000Z\r\nDTSTART:20261201T100000Z\r\nEND:VCALENDAR\r\n",
    /* A date that is none */
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:b\r\n"
    "DTSTAMP:20261125T110000Z\r\nDTSTART:2026-12-01\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    /* An override without its series, as the export would be without masters */
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:c\r\n"
    "DTSTAMP:20261125T110000Z\r\nRECURRENCE-ID:20261201T100000Z\r\nDTSTART:20261201T100000Z\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n",
  };
  g_assert_cmpuint (send_request (f, "MKCALENDAR", f->collection_url, NULL, NULL, NULL), ==, 201);

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *url = g_strdup_printf ("%sbroken-%u.ics", f->collection_url, i);
      guint status = send_request (f, "PUT", url, "text/calendar; charset=utf-8", broken[i], NULL);

      g_assert_cmpuint (status, >=, 400);
      g_assert_cmpuint (status, <, 500);
    }
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!calsync_radicale_available ())
    calsync_test_skip_all ("no Radicale (apt install radicale)");

  ADD ("/radicale-export/put-each-event", test_put_each_event);
  ADD ("/radicale-export/broken-refused", test_broken_refused);

  return g_test_run ();
}
