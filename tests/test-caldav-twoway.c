/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-caldav-twoway.c: CalDAV two-way sync through the command line only, as
 * a person or a script uses it, against a real Radicale on 127.0.0.1 — and
 * checked from a second client's point of view (plain HTTP to the server):
 * add the account, pull, another client's changes coming in, local creates,
 * edits and deletes going out (keeping what CalSync does not edit), conflicts
 * both ways, and changes made while the server was away. */
#include "config.h"

#include <string.h>

#include "calsync-radicale.h"
#include "calsync-test-utils.h"

#define RADICALE_LIFETIME_S 170

typedef struct
{
  char *dir;                 /* XDG_DATA_HOME of calsync, Radicale's files */
  CalsyncRadicale *radicale;
  char *calendar_id;         /* CalSync's id of alice's "Work" calendar */
} Fixture;

#define VTIMEZONE_BERLIN                                                        \
  "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"                                   \
  "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n" \
  "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"       \
  "END:DAYLIGHT\r\n"                                                            \
  "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"  \
  "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"      \
  "END:STANDARD\r\nEND:VTIMEZONE\r\n"

/* Written by "another app": an alarm, its own properties, an attachment */
#define DENTIST(summary, last_modified)                                          \
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other App//EN\r\n"                \
  VTIMEZONE_BERLIN                                                               \
  "BEGIN:VEVENT\r\nUID:dentist-1\r\nDTSTAMP:20261101T000000Z\r\n"                \
  "LAST-MODIFIED:" last_modified "\r\nSEQUENCE:1\r\n"                            \
  "DTSTART;TZID=Europe/Berlin:20261202T100000\r\n"                               \
  "DTEND;TZID=Europe/Berlin:20261202T110000\r\n"                                 \
  "SUMMARY:" summary "\r\n"                                                      \
  "X-CUSTOM-FLAG:keep-me\r\n"                                                    \
  "ATTACH:https://example.com/referral.pdf\r\n"                                  \
  "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\n"                   \
  "TRIGGER:-PT30M\r\nEND:VALARM\r\n"                                             \
  "END:VEVENT\r\nEND:VCALENDAR\r\n"

/* Daily at 09:00 for ten days from Monday 30 November; the 2nd cancelled,
 * the 3rd moved to 11:00 */
static const char standup[] =
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other App//EN\r\n"
  VTIMEZONE_BERLIN
  "BEGIN:VEVENT\r\nUID:standup-1\r\nDTSTAMP:20261101T000000Z\r\n"
  "DTSTART;TZID=Europe/Berlin:20261130T090000\r\nDURATION:PT15M\r\n"
  "RRULE:FREQ=DAILY;COUNT=10\r\n"
  "EXDATE;TZID=Europe/Berlin:20261202T090000\r\n"
  "SUMMARY:Standup\r\nEND:VEVENT\r\n"
  "BEGIN:VEVENT\r\nUID:standup-1\r\nDTSTAMP:20261101T000000Z\r\n"
  "RECURRENCE-ID;TZID=Europe/Berlin:20261203T090000\r\n"
  "DTSTART;TZID=Europe/Berlin:20261203T110000\r\nDURATION:PT15M\r\n"
  "SUMMARY:Standup (moved)\r\nEND:VEVENT\r\n"
  "END:VCALENDAR\r\n";

static const char lunch[] =
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other App//EN\r\n"
  "BEGIN:VEVENT\r\nUID:lunch-1\r\nDTSTAMP:20261101T000000Z\r\n"
  "DTSTART:20261204T110000Z\r\nDTEND:20261204T120000Z\r\n"
  "SUMMARY:Lunch with Ann\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

static const char todo[] =
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other App//EN\r\n"
  "BEGIN:VTODO\r\nUID:todo-1\r\nDTSTAMP:20261101T000000Z\r\n"
  "SUMMARY:Buy milk\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

/* calsync ------------------------------------------------------------------------ */

/* Runs calsync with @input on stdin; returns its exit status */
static int
run_calsync (Fixture            *f,
             const char         *input,
             char              **out,
             char              **err,
             const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, f->dir);

  return calsync_test_run_calsync_input (launcher, input, args, out, err);
}

static int
add_account (Fixture    *f,
             const char *password,
             char      **err)
{
  g_autofree char *server = g_strdup_printf ("--server=%s", calsync_radicale_get_url (f->radicale));
  g_autofree char *input = g_strconcat (password, "\n", NULL);
  const char *args[] = { "--add-account=caldav", server, "--username=" CALSYNC_RADICALE_USER, NULL };

  return run_calsync (f, input, NULL, err, args);
}

static JsonNode *
list_accounts (Fixture *f)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (run_calsync (f, NULL, &out, NULL, args), ==, 0);
  return calsync_test_parse_json (out);
}

/* The CalDAV accounts of `--list-accounts --json` (the local one aside) */
static GPtrArray *
caldav_accounts (JsonNode *accounts)
{
  JsonArray *array = json_node_get_array (accounts);
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (account, "provider"), "caldav") == 0)
        g_ptr_array_add (found, account);
    }
  return found;
}

/* `--sync --json`: asserts the exit status; returns the printed object */
static JsonNode *
sync_json (Fixture *f,
           int      expected_status)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autofree char *out = NULL;
  JsonNode *root;

  g_assert_cmpint (run_calsync (f, NULL, &out, NULL, args), ==, expected_status);
  root = calsync_test_parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return root;
}

static gint64
member_int (JsonNode   *root,
            const char *name)
{
  JsonObject *object = json_node_get_object (root);

  g_assert_true (json_object_has_member (object, name));
  return json_object_get_int_member (object, name);
}

/* The only result of a sync of one calendar */
static JsonObject *
only_result (JsonNode *root)
{
  JsonArray *results = json_object_get_array_member (json_node_get_object (root), "results");

  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  return json_array_get_object_element (results, 0);
}

static JsonNode *
agenda (Fixture    *f,
        const char *from,
        const char *to)
{
  g_autofree char *from_arg = g_strconcat ("--from=", from, NULL);
  g_autofree char *to_arg = g_strconcat ("--to=", to, NULL);
  const char *args[] = { "--agenda", from_arg, to_arg, "--json", NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (run_calsync (f, NULL, &out, NULL, args), ==, 0);
  return calsync_test_parse_json (out);
}

/* The agenda's events called @title, in its order */
static GPtrArray *
events_titled (JsonNode   *agenda_root,
               const char *title)
{
  JsonArray *events = json_node_get_array (agenda_root);
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (event, "title"), title) == 0)
        g_ptr_array_add (found, event);
    }
  return found;
}

static JsonObject *
only_event_titled (JsonNode   *agenda_root,
                   const char *title)
{
  g_autoptr(GPtrArray) found = events_titled (agenda_root, title);

  if (found->len != 1)
    g_error ("%u events called “%s” in the agenda, not one", found->len, title);
  return g_ptr_array_index (found, 0);
}

/* The event starts at the instant @iso8601, in whatever zone it is written */
static void
assert_starts_at (JsonObject *event,
                  const char *iso8601)
{
  g_assert_cmpint (calsync_test_instant (json_object_get_string_member (event, "start")), ==,
                   calsync_test_instant (iso8601));
}

static int
import_file (Fixture    *f,
             const char *name,
             const char *text)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *import_arg = g_strconcat ("--import=", path, NULL);
  g_autofree char *calendar_arg = g_strconcat ("--calendar=", f->calendar_id, NULL);
  const char *args[] = { import_arg, calendar_arg, NULL };

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return run_calsync (f, NULL, NULL, NULL, args);
}

static int
delete_event (Fixture    *f,
              const char *id,
              char      **err)
{
  g_autofree char *arg = g_strconcat ("--delete-event=", id, NULL);
  const char *args[] = { arg, NULL };

  return run_calsync (f, NULL, NULL, err, args);
}

/* The second client -------------------------------------------------------------- */

/* The text of the resource holding @uid on the server, or NULL when none does
 * (found by content, not by href: CalSync chooses its hrefs) */
static char *
server_resource (Fixture    *f,
                 const char *uid,
                 char      **href)
{
  static const char * const depth[] = { "Depth", "1", NULL };
  static const char query[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
    "<C:prop-filter name=\"UID\"><C:text-match collation=\"i;octet\">%s</C:text-match></C:prop-filter>"
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>";
  g_autofree char *body = NULL;
  g_autofree char *request = g_markup_printf_escaped (query, uid);
  g_autofree char *marker = g_strdup_printf ("UID:%s", uid);
  const char *start;
  const char *end;
  const char *href_start;

  g_assert_cmpuint (calsync_radicale_request (f->radicale, "REPORT", "/" CALSYNC_RADICALE_USER "/work/",
                                              "application/xml; charset=utf-8", request, depth, &body, NULL),
                    ==, 207);
  if (strstr (body, marker) == NULL)
    return NULL;

  /* One response: take its href and calendar-data (XML-escaped text) */
  href_start = strstr (body, "href>");
  g_assert_nonnull (href_start);
  href_start += strlen ("href>");
  if (href != NULL)
    *href = g_strndup (href_start, strchr (href_start, '<') - href_start);
  start = strstr (body, "BEGIN:VCALENDAR");
  end = strstr (body, "END:VCALENDAR");
  g_assert_nonnull (start);
  g_assert_nonnull (end);
  return g_strndup (start, end + strlen ("END:VCALENDAR") - start);
}

static void
put_as_other_client (Fixture    *f,
                     const char *resource,
                     const char *text)
{
  g_autofree char *etag = calsync_radicale_put (f->radicale, "work", resource, text);

  g_assert_nonnull (etag);
}

/* Fixture ------------------------------------------------------------------------- */

static void
seed_server (Fixture *f)
{
  calsync_radicale_mkcalendar (f->radicale, "work", "Work");
  put_as_other_client (f, "dentist.ics", DENTIST ("Dentist", "20261101T000000Z"));
  put_as_other_client (f, "standup.ics", standup);

  /* A task list: not a calendar of events, so not one CalSync offers */
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "MKCALENDAR", "/" CALSYNC_RADICALE_USER "/tasks/",
                                              "application/xml; charset=utf-8",
                                              "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                                              "<C:mkcalendar xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                                              "<D:set><D:prop><D:displayname>Tasks</D:displayname>"
                                              "<C:supported-calendar-component-set><C:comp name=\"VTODO\"/>"
                                              "</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>",
                                              NULL, NULL, NULL), ==, 201);
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "PUT", "/" CALSYNC_RADICALE_USER "/tasks/todo.ics",
                                              "text/calendar; charset=utf-8", todo, NULL, NULL, NULL), ==, 201);
}

/* The account added and its calendar found: alice's "Work" only */
static void
connect (Fixture *f)
{
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(GPtrArray) found = NULL;
  JsonObject *account;
  JsonArray *calendars;

  g_assert_cmpint (add_account (f, CALSYNC_RADICALE_PASSWORD, NULL), ==, 0);
  accounts = list_accounts (f);
  found = caldav_accounts (accounts);
  g_assert_cmpuint (found->len, ==, 1);
  account = g_ptr_array_index (found, 0);
  calendars = json_object_get_array_member (account, "calendars");
  g_assert_cmpuint (json_array_get_length (calendars), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calendars, 0), "name"), ==, "Work");
  f->calendar_id = g_strdup (json_object_get_string_member (json_array_get_object_element (calendars, 0), "id"));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = calsync_test_setup_env ("caldav-twoway");
  f->radicale = calsync_radicale_start (f->dir, RADICALE_LIFETIME_S);
  seed_server (f);
  if (data != NULL)
    {
      g_autoptr(JsonNode) first = NULL;

      connect (f);
      first = sync_json (f, 0);
    }
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
  g_clear_pointer (&f->calendar_id, g_free);
}

/* Tests ---------------------------------------------------------------------------- */

/* A wrong password stores nothing; the right one finds the event calendar, and
 * the first sync brings every instance as the other app wrote it */
static void
test_connect_and_pull (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) days = NULL;
  g_autoptr(GPtrArray) standups = NULL;
  JsonObject *result;
  JsonObject *dentist;
  static const char * const standup_starts[] = {
    "2026-11-30T09:00:00+01:00", "2026-12-01T09:00:00+01:00", "2026-12-03T11:00:00+01:00",
    "2026-12-04T09:00:00+01:00", "2026-12-05T09:00:00+01:00", "2026-12-06T09:00:00+01:00",
    "2026-12-07T09:00:00+01:00", "2026-12-08T09:00:00+01:00", "2026-12-09T09:00:00+01:00",
  };

  g_assert_cmpint (add_account (f, "wrong", &err), ==, 1);
  g_assert_nonnull (strstr (err, "refused the user name or password"));
  g_assert_null (strstr (err, "wrong"));
  accounts = list_accounts (f);
  none = caldav_accounts (accounts);
  g_assert_cmpuint (none->len, ==, 0);

  connect (f);
  report = sync_json (f, 0);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (report), "success"));
  g_assert_cmpint (member_int (report, "pushed"), ==, 0);
  g_assert_cmpint (member_int (report, "conflicts"), ==, 0);
  result = only_result (report);
  g_assert_cmpstr (json_object_get_string_member (result, "provider"), ==, "caldav");
  g_assert_cmpstr (json_object_get_string_member (result, "calendarName"), ==, "Work");
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (result, "synced"), ==, 10);  /* 1 + 9 instances */

  days = agenda (f, "2026-11-30", "2026-12-11");
  dentist = only_event_titled (days, "Dentist");
  g_assert_cmpstr (json_object_get_string_member (dentist, "start"), ==, "2026-12-02T10:00:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (dentist, "end"), ==, "2026-12-02T11:00:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (dentist, "provider"), ==, "caldav");

  standups = events_titled (days, "Standup");
  g_ptr_array_extend_and_steal (standups, events_titled (days, "Standup (moved)"));
  g_assert_cmpuint (standups->len, ==, G_N_ELEMENTS (standup_starts));
  for (guint i = 0; i < G_N_ELEMENTS (standup_starts); i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < standups->len; j++)
        seen |= g_strcmp0 (json_object_get_string_member (g_ptr_array_index (standups, j), "start"),
                           standup_starts[i]) == 0;
      g_assert_true (seen);
    }
}

/* Another client adds and deletes; the next sync shows exactly that */
static void
test_other_client_changes (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) days = NULL;
  g_autoptr(GPtrArray) dentists = NULL;
  JsonObject *lunch_event;

  put_as_other_client (f, "lunch.ics", lunch);
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "DELETE", "/" CALSYNC_RADICALE_USER "/work/dentist.ics",
                                              NULL, NULL, NULL, NULL, NULL), ==, 200);

  report = sync_json (f, 0);
  g_assert_cmpint (json_object_get_int_member (only_result (report), "synced"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (only_result (report), "deleted"), ==, 1);

  days = agenda (f, "2026-11-30", "2026-12-11");
  lunch_event = only_event_titled (days, "Lunch with Ann");
  assert_starts_at (lunch_event, "2026-12-04T12:00:00+01:00");
  dentists = events_titled (days, "Dentist");
  g_assert_cmpuint (dentists->len, ==, 0);
}

/* Created here, then edited here: the server gets the event, and the edit of
 * the other app's event keeps its alarm, its own property and its attachment */
static void
test_create_and_edit_go_out (Fixture       *f,
                             gconstpointer  data)
{
  static const char review[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:review-1\r\nDTSTAMP:20261120T000000Z\r\n"
    "DTSTART:20261207T140000Z\r\nDTEND:20261207T150000Z\r\n"
    "SUMMARY:Design review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) days = NULL;
  g_autofree char *created = NULL;
  g_autofree char *edited = NULL;

  g_assert_cmpint (import_file (f, "review.ics", review), ==, 0);
  g_assert_cmpint (import_file (f, "dentist-moved.ics",
                                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
                                "BEGIN:VEVENT\r\nUID:dentist-1\r\nDTSTAMP:20261120T000000Z\r\n"
                                "DTSTART:20261202T140000Z\r\nDTEND:20261202T150000Z\r\n"
                                "SUMMARY:Dentist (later)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), ==, 0);

  report = sync_json (f, 0);
  g_assert_cmpint (member_int (report, "pushed"), ==, 2);
  g_assert_cmpint (member_int (report, "conflicts"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (only_result (report), "pushed"), ==, 2);

  created = server_resource (f, "review-1", NULL);
  g_assert_nonnull (created);
  g_assert_nonnull (strstr (created, "SUMMARY:Design review"));

  edited = server_resource (f, "dentist-1", NULL);
  g_assert_nonnull (edited);
  g_assert_nonnull (strstr (edited, "SUMMARY:Dentist (later)"));
  g_assert_null (strstr (edited, "SUMMARY:Dentist\r\n"));
  g_assert_nonnull (strstr (edited, "BEGIN:VALARM"));
  g_assert_nonnull (strstr (edited, "TRIGGER:-PT30M"));
  g_assert_nonnull (strstr (edited, "X-CUSTOM-FLAG:keep-me"));
  g_assert_nonnull (strstr (edited, "ATTACH:https://example.com/referral.pdf"));

  /* Sent once: the next sync has nothing to send and changes nothing */
  again = sync_json (f, 0);
  g_assert_cmpint (member_int (again, "pushed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (only_result (again), "synced"), ==, 0);
  days = agenda (f, "2026-11-30", "2026-12-11");
  assert_starts_at (only_event_titled (days, "Dentist (later)"), "2026-12-02T15:00:00+01:00");
  only_event_titled (days, "Design review");
}

/* One instance deleted here becomes an exception on the server; a single
 * event deleted here is gone from it; unknown ids are refused */
static void
test_deletes_go_out (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) days = agenda (f, "2026-12-05", "2026-12-06");
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(GPtrArray) standups = NULL;
  g_autofree char *err = NULL;
  g_autofree char *series = NULL;
  g_autofree char *dentist = NULL;
  JsonObject *fifth = only_event_titled (days, "Standup");
  g_autoptr(JsonNode) week = agenda (f, "2026-11-30", "2026-12-11");

  g_assert_cmpint (delete_event (f, json_object_get_string_member (fifth, "id"), NULL), ==, 0);
  g_assert_cmpint (delete_event (f, json_object_get_string_member (only_event_titled (week, "Dentist"), "id"), NULL),
                   ==, 0);
  g_assert_cmpint (delete_event (f, "999999", &err), ==, 1);
  g_assert_cmpstr (err, !=, "");

  report = sync_json (f, 0);
  g_assert_cmpint (member_int (report, "pushed"), ==, 2);

  series = server_resource (f, "standup-1", NULL);
  g_assert_nonnull (series);
  g_assert_nonnull (strstr (series, "20261205T090000"));          /* an EXDATE now */
  g_assert_nonnull (strstr (series, "RRULE:FREQ=DAILY;COUNT=10"));
  g_assert_nonnull (strstr (series, "Standup (moved)"));           /* the other override kept */
  dentist = server_resource (f, "dentist-1", NULL);
  g_assert_null (dentist);

  after = agenda (f, "2026-11-30", "2026-12-11");
  standups = events_titled (after, "Standup");
  g_assert_cmpuint (standups->len, ==, 7);   /* 9 before: the moved one is not "Standup", the 5th gone */
}

/* A conflict each way: the newer side wins, and the sync says one edit lost */
static void
test_conflicts (Fixture       *f,
                gconstpointer  data)
{
  static const char mine[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:dentist-1\r\nDTSTAMP:20261120T000000Z\r\n"
    "DTSTART:20261202T090000Z\r\nDTEND:20261202T100000Z\r\n"
    "SUMMARY:Dentist (mine)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) days = NULL;
  g_autofree char *text = NULL;

  /* The server's change is newer (made "later" than ours): ours loses */
  g_assert_cmpint (import_file (f, "mine.ics", mine), ==, 0);
  put_as_other_client (f, "dentist.ics", DENTIST ("Dentist (theirs newer)", "20301231T000000Z"));
  report = sync_json (f, 0);
  g_assert_cmpint (member_int (report, "conflicts"), ==, 1);
  g_assert_cmpint (member_int (report, "pushed"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (only_result (report), "status"), ==, "success");
  text = server_resource (f, "dentist-1", NULL);
  g_assert_nonnull (strstr (text, "Dentist (theirs newer)"));
  days = agenda (f, "2026-11-30", "2026-12-11");
  only_event_titled (days, "Dentist (theirs newer)");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&days, json_node_unref);

  /* The server's change is older than ours: ours wins, theirs is the loser */
  g_assert_cmpint (import_file (f, "mine.ics", mine), ==, 0);
  put_as_other_client (f, "dentist.ics", DENTIST ("Dentist (theirs older)", "20200101T000000Z"));
  second = sync_json (f, 0);
  g_assert_cmpint (member_int (second, "conflicts"), ==, 1);
  g_assert_cmpint (member_int (second, "pushed"), ==, 1);
  text = server_resource (f, "dentist-1", NULL);
  g_assert_nonnull (strstr (text, "Dentist (mine)"));
  g_assert_nonnull (strstr (text, "BEGIN:VALARM"));
  days = agenda (f, "2026-11-30", "2026-12-11");
  only_event_titled (days, "Dentist (mine)");
}

/* Changes made while the server is away wait, and go out once it is back */
static void
test_offline_then_online (Fixture       *f,
                          gconstpointer  data)
{
  static const char offline[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:offline-1\r\nDTSTAMP:20261120T000000Z\r\n"
    "DTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261211\r\n"
    "SUMMARY:Written on a train\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  g_autoptr(JsonNode) failed = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *text = NULL;

  calsync_radicale_stop (f->radicale);
  g_assert_cmpint (import_file (f, "offline.ics", offline), ==, 0);
  failed = sync_json (f, 1);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (failed), "success"));
  g_assert_cmpint (member_int (failed, "pushed"), ==, 0);

  calsync_radicale_restart (f->radicale);
  report = sync_json (f, 0);
  g_assert_cmpint (member_int (report, "pushed"), ==, 1);
  text = server_resource (f, "offline-1", NULL);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "DTSTART;VALUE=DATE:20261210"));
}

/* One event of the agenda as a line: what must survive a round trip */
static char *
event_line (JsonObject *event)
{
  const char * const fields[] = { "title", "start", "end", "startDate", "endDate", "location",
                                  "description", "timeZone", "status" };
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value = json_object_has_member (event, fields[i]) &&
                          !json_object_get_null_member (event, fields[i])
                            ? json_object_get_string_member (event, fields[i]) : "";

      /* The same instant, whatever offset it is written with */
      if (g_str_equal (fields[i], "start") || g_str_equal (fields[i], "end"))
        g_string_append_printf (line, "%" G_GINT64_FORMAT "|", *value ? calsync_test_instant (value) : 0);
      else
        g_string_append_printf (line, "%s|", value);
    }
  return g_string_free (line, FALSE);
}

static gint
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The agenda's events of the calendar named @name, as sorted lines */
static GPtrArray *
calendar_lines (JsonNode   *agenda_root,
                const char *name)
{
  JsonArray *events = json_node_get_array (agenda_root);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (event, "calendarName"), name) == 0)
        g_ptr_array_add (lines, event_line (event));
    }
  g_ptr_array_sort (lines, compare_lines);
  return lines;
}

/* `--export` of a CalDAV calendar, put into a fresh collection of the server,
 * comes back from the next sync as the same events (series and all) */
static void
test_export_round_trip (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "work-export.ics", NULL);
  g_autofree char *export_arg = g_strconcat ("--export=", path, NULL);
  g_autofree char *calendar_arg = g_strconcat ("--calendar=", f->calendar_id, NULL);
  const char *args[] = { export_arg, calendar_arg, "--from=2026-08-25", "--to=2027-11-25", NULL };
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) days = NULL;
  g_autoptr(GPtrArray) original = NULL;
  g_autoptr(GPtrArray) copy = NULL;

  g_assert_cmpint (run_calsync (f, NULL, NULL, NULL, args), ==, 0);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "RRULE:FREQ=DAILY;COUNT=10"));   /* the series as a rule */

  /* Radicale takes a whole calendar file PUT to a new collection's address
   * and stores one resource per UID, as an import */
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "PUT", "/" CALSYNC_RADICALE_USER "/copy/",
                                              "text/calendar; charset=utf-8", text, NULL, NULL, NULL), ==, 201);
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "PROPPATCH", "/" CALSYNC_RADICALE_USER "/copy/",
                                              "application/xml; charset=utf-8",
                                              "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                                              "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop>"
                                              "<D:displayname>Copy</D:displayname>"
                                              "</D:prop></D:set></D:propertyupdate>", NULL, NULL, NULL), ==, 207);

  report = sync_json (f, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (report), "results")),
                    ==, 2);

  days = agenda (f, "2026-08-25", "2027-11-25");
  original = calendar_lines (days, "Work");
  copy = calendar_lines (days, "Copy");
  g_assert_cmpuint (original->len, ==, 10);
  g_assert_cmpuint (copy->len, ==, original->len);
  for (guint i = 0; i < original->len; i++)
    g_assert_cmpstr (g_ptr_array_index (copy, i), ==, g_ptr_array_index (original, i));
}

#define ADD(path, func, connected) \
  g_test_add (path, Fixture, (connected) ? "connected" : NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!calsync_radicale_available ())
    calsync_test_skip_all ("no Radicale (apt install radicale)");
  calsync_test_require_keyring ();

  ADD ("/caldav-twoway/connect-and-pull", test_connect_and_pull, FALSE);
  ADD ("/caldav-twoway/other-client-changes", test_other_client_changes, TRUE);
  ADD ("/caldav-twoway/create-and-edit-go-out", test_create_and_edit_go_out, TRUE);
  ADD ("/caldav-twoway/deletes-go-out", test_deletes_go_out, TRUE);
  ADD ("/caldav-twoway/conflicts", test_conflicts, TRUE);
  ADD ("/caldav-twoway/offline-then-online", test_offline_then_online, TRUE);
  ADD ("/caldav-twoway/export-round-trip", test_export_round_trip, TRUE);

  return g_test_run ();
}
