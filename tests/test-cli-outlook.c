/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-outlook.c: the real `calsync` binary against the fake Microsoft
 * identity platform and Graph: --add-account=outlook --no-browser (following the
 * printed URL like a browser), --list-accounts, --sync --json, then --agenda
 * --json under two time zones; changes, removals and an expired delta link in
 * later syncs; a mixed sync with a Google account where one of the two fails;
 * and no token in any output. */
#include "config.h"

#include <glib/gstdio.h>

#include "calsync-fake-google.h"
#include "calsync-fake-graph.h"
#include "calsync-test-utils.h"

#define ANN      "ann@contoso.example"
#define ALEX     "alex@example.com"
#define DEFAULT  "AAMkAGI2TGuLAAA="
#define TEAM     "AAMkAGI2TGuLBBB="
#define NOW      "2026-06-15T12:00:00Z"

typedef struct
{
  char *dir;            /* XDG_DATA_HOME of the subprocesses */
  char *stderr_path;
  CalsyncFakeGraph *graph;
  CalsyncFakeGoogle *google;
  GString *all_output;  /* everything the binary printed, for the token check */
} Fixture;

static int
run_calsync_in (Fixture            *fx,
                const char         *tz,
                const char * const *args,
                char              **out,
                char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, fx->dir);
  int status;

  if (tz != NULL)
    g_subprocess_launcher_setenv (launcher, "TZ", tz, TRUE);
  status = calsync_test_run_calsync (launcher, args, out, err);
  g_string_append_printf (fx->all_output, "%s\n%s\n", *out, *err);
  return status;
}

static JsonNode *
run_json (Fixture            *fx,
          const char         *tz,
          const char * const *args,
          int                 expected_status)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_calsync_in (fx, tz, args, &out, &err), ==, expected_status);
  g_test_message ("stderr: %s", err);
  return calsync_test_parse_json (out);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static void
put_event (Fixture    *fx,
           const char *calendar_id,
           const char *json)
{
  g_autoptr(JsonObject) event = parse_object (json);

  calsync_fake_graph_put_event (fx->graph, calendar_id, event);
}

/* The events, as Graph's documentation shows them -------------------------------- */

#define ORGANIZER "{\"emailAddress\":{\"name\":\"Ann\",\"address\":\"" ANN "\"}}"

static void
seed_graph (Fixture *fx)
{
  calsync_fake_graph_set_user (fx->graph, ANN, "ann_contoso.example#EXT#@contoso.onmicrosoft.com");
  calsync_fake_graph_add_calendar (fx->graph, DEFAULT, "Calendar", "", "auto", TRUE, TRUE);
  calsync_fake_graph_add_calendar (fx->graph, TEAM, "Team \xce\xa9", "#8fbc8f", "lightGreen", FALSE, FALSE);

  /* A meeting in Berlin's zone with its Teams link in the HTML body only */
  put_event (fx, DEFAULT,
    "{\"id\":\"AAMkBudget\",\"subject\":\"Budget review\",\"type\":\"singleInstance\","
    "\"isAllDay\":false,\"isCancelled\":false,\"showAs\":\"busy\","
    "\"body\":{\"contentType\":\"html\",\"content\":\"<html><head><style>p{color:red}</style></head>"
    "<body><p>Agenda:&nbsp;numbers &amp; plans</p><p>Join: <a href=\\\"https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc\\\">"
    "Click here to join the meeting</a></p></body></html>\"},"
    "\"start\":{\"dateTime\":\"2026-06-16T08:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2026-06-16T09:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"originalStartTimeZone\":\"W. Europe Standard Time\",\"originalEndTimeZone\":\"W. Europe Standard Time\","
    "\"location\":{\"displayName\":\"Room 4\"},"
    "\"organizer\":" ORGANIZER ","
    "\"attendees\":["
    "{\"type\":\"required\",\"status\":{\"response\":\"accepted\",\"time\":\"2026-06-01T10:00:00Z\"},"
    "\"emailAddress\":{\"name\":\"Bob\",\"address\":\"bob@contoso.example\"}},"
    "{\"type\":\"required\",\"status\":{\"response\":\"tentativelyAccepted\",\"time\":\"2026-06-01T10:00:00Z\"},"
    "\"emailAddress\":{\"name\":\"Cat\",\"address\":\"cat@contoso.example\"}},"
    "{\"type\":\"optional\",\"status\":{\"response\":\"declined\",\"time\":\"2026-06-01T10:00:00Z\"},"
    "\"emailAddress\":{\"name\":\"Dan\",\"address\":\"dan@contoso.example\"}},"
    "{\"type\":\"required\",\"status\":{\"response\":\"notResponded\",\"time\":\"0001-01-01T00:00:00Z\"},"
    "\"emailAddress\":{\"name\":\"Eve\",\"address\":\"eve@contoso.example\"}}],"
    "\"isOnlineMeeting\":false,\"onlineMeeting\":null,\"onlineMeetingUrl\":null}");

  /* An all-day event of a Pacific calendar: its dates, whatever the zone */
  put_event (fx, DEFAULT,
    "{\"id\":\"AAMkOffsite\",\"subject\":\"Offsite\",\"type\":\"singleInstance\",\"isAllDay\":true,"
    "\"isCancelled\":false,\"body\":{\"contentType\":\"text\",\"content\":\"\"},"
    "\"start\":{\"dateTime\":\"2026-06-20T00:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2026-06-22T00:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"originalStartTimeZone\":\"Pacific Standard Time\",\"originalEndTimeZone\":\"Pacific Standard Time\","
    "\"location\":{\"displayName\":\"\"},\"organizer\":" ORGANIZER ",\"attendees\":[]}");

  /* Two occurrences of a weekly series, with its Teams meeting */
  for (int week = 0; week < 2; week++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"id\":\"AAMkSync%d\",\"subject\":\"Weekly sync\",\"type\":\"occurrence\","
        "\"seriesMasterId\":\"AAMkSyncMaster\",\"originalStart\":\"2026-06-%02dT07:00:00Z\","
        "\"isAllDay\":false,\"isCancelled\":false,"
        "\"body\":{\"contentType\":\"html\",\"content\":\"<p>Weekly</p>\"},"
        "\"start\":{\"dateTime\":\"2026-06-%02dT07:00:00.0000000\",\"timeZone\":\"UTC\"},"
        "\"end\":{\"dateTime\":\"2026-06-%02dT07:30:00.0000000\",\"timeZone\":\"UTC\"},"
        "\"originalStartTimeZone\":\"GMT Standard Time\",\"originalEndTimeZone\":\"GMT Standard Time\","
        "\"organizer\":" ORGANIZER ",\"attendees\":[],\"isOnlineMeeting\":true,"
        "\"onlineMeetingProvider\":\"teamsForBusiness\","
        "\"onlineMeeting\":{\"joinUrl\":\"https://teams.microsoft.com/l/meetup-join/19%%3aweekly\"}}",
        week, 17 + 7 * week, 17 + 7 * week, 17 + 7 * week);

      put_event (fx, DEFAULT, json);
    }

  put_event (fx, TEAM,
    "{\"id\":\"AAMkPlanning\",\"subject\":\"Planning\",\"type\":\"singleInstance\",\"isAllDay\":false,"
    "\"isCancelled\":false,\"body\":{\"contentType\":\"text\",\"content\":\"Bring ideas\"},"
    "\"start\":{\"dateTime\":\"2026-06-18T13:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2026-06-18T14:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"originalStartTimeZone\":\"UTC\",\"originalEndTimeZone\":\"UTC\","
    "\"organizer\":" ORGANIZER ",\"attendees\":[]}");
}

/* Fixture ------------------------------------------------------------------------ */

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("calsync-outlook-XXXXXX", &error);
  g_assert_no_error (error);
  store = calsync_test_open_store (fx->dir);
  calsync_test_reserve_account_ids (calsync_store_get_path (store));
  g_clear_object (&store);
  fx->stderr_path = g_build_filename (g_get_tmp_dir (), "calsync-outlook-stderr-XXXXXX", NULL);
  g_close (g_mkstemp (fx->stderr_path), NULL);
  fx->all_output = g_string_new (NULL);
  fx->graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (fx->graph);
  seed_graph (fx);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->graph);
  g_clear_object (&fx->google);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (fx->dir);
  g_remove (fx->stderr_path);
  g_clear_pointer (&fx->dir, g_free);
  g_clear_pointer (&fx->stderr_path, g_free);
  g_string_free (fx->all_output, TRUE);
}

static void
add_account (Fixture    *fx,
             const char *provider,
             const char *expected)
{
  g_autoptr(GSubprocessLauncher) launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, fx->dir);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  int status = calsync_test_cli_add_account (launcher, provider, fx->stderr_path, &url, &rest, &err);

  g_string_append_printf (fx->all_output, "%s\n%s\n%s\n", url, rest, err);
  g_test_message ("add %s: %s", provider, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (rest, ==, "");
  g_assert_nonnull (strstr (err, expected));
}

/* Lookups -------------------------------------------------------------------------- */

static JsonObject *
find_by (JsonArray  *array,
         const char *member,
         const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) == 0)
        return object;
    }

  return NULL;
}

static JsonObject *
find_attendee (JsonObject *event,
               const char *email)
{
  return find_by (json_object_get_array_member (event, "attendees"), "email", email);
}

/* Checks --------------------------------------------------------------------------- */

static void
check_sign_in (Fixture *fx)
{
  g_autoptr(GSubprocessLauncher) launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, fx->dir);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  int status = calsync_test_cli_add_account (launcher, "outlook", fx->stderr_path, &url, &rest, &err);

  g_string_append_printf (fx->all_output, "%s\n%s\n%s\n", url, rest, err);
  g_test_message ("add outlook: %s", err);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (url, calsync_fake_graph_get_auth_url (fx->graph)));
  g_assert_nonnull (strstr (url, "code_challenge_method=S256"));
  g_assert_nonnull (strstr (url, "prompt=select_account"));
  g_assert_nonnull (strstr (url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
  g_assert_null (strstr (url, "client_secret"));
  g_assert_cmpstr (rest, ==, "");
  g_assert_nonnull (strstr (err, "Connected " ANN " with 2 calendars."));
}

static void
check_list (Fixture *fx)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autoptr(JsonNode) root = run_json (fx, NULL, args, 0);
  JsonObject *account = find_by (json_node_get_array (root), "provider", "outlook");
  JsonArray *calendars;
  JsonObject *first, *team;

  g_assert_nonnull (account);
  g_assert_cmpstr (json_object_get_string_member (account, "email"), ==, ANN);
  calendars = json_object_get_array_member (account, "calendars");
  g_assert_cmpuint (json_array_get_length (calendars), ==, 2);
  /* The default calendar first, names exactly as Graph gives them */
  first = json_array_get_object_element (calendars, 0);
  team = json_array_get_object_element (calendars, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "Calendar");
  g_assert_true (json_object_get_boolean_member (first, "primary"));
  g_assert_cmpstr (json_object_get_string_member (team, "name"), ==, "Team \xce\xa9");
  g_assert_cmpstr (json_object_get_string_member (team, "provider"), ==, "outlook");
  g_assert_true (json_object_get_boolean_member (team, "active"));
}

static void
check_first_sync (Fixture *fx)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(JsonNode) root = run_json (fx, NULL, args, 0);
  JsonObject *object = json_node_get_object (root);
  JsonArray *results = json_object_get_array_member (object, "results");
  JsonObject *calendar, *team;

  g_assert_true (json_object_get_boolean_member (object, "success"));
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "Synced 2 of 2 calendar(s)");
  g_assert_cmpint (json_object_get_int_member (object, "synced"), ==, 5);
  g_assert_cmpuint (json_array_get_length (results), ==, 2);
  calendar = find_by (results, "calendarName", "Calendar");
  team = find_by (results, "calendarName", "Team \xce\xa9");
  g_assert_nonnull (calendar);
  g_assert_nonnull (team);
  g_assert_cmpstr (json_object_get_string_member (calendar, "provider"), ==, "outlook");
  g_assert_cmpstr (json_object_get_string_member (calendar, "email"), ==, ANN);
  g_assert_cmpstr (json_object_get_string_member (calendar, "status"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (calendar, "synced"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (team, "synced"), ==, 1);
}

/* --agenda --json in @tz: the same instants, the same all-day dates */
static void
check_agenda (Fixture    *fx,
              const char *tz)
{
  const char *args[] = { "--agenda", "--from=2026-06-14", "--to=2026-06-30", "--json", NULL };
  g_autoptr(JsonNode) root = run_json (fx, tz, args, 0);
  JsonArray *events = json_node_get_array (root);
  JsonObject *budget, *offsite, *weekly, *planning, *organizer;

  g_test_message ("agenda in %s: %u events", tz, json_array_get_length (events));
  g_assert_cmpuint (json_array_get_length (events), ==, 5);

  budget = find_by (events, "title", "Budget review");
  g_assert_nonnull (budget);
  g_assert_cmpstr (json_object_get_string_member (budget, "provider"), ==, "outlook");
  g_assert_cmpstr (json_object_get_string_member (budget, "calendarName"), ==, "Calendar");
  g_assert_cmpstr (json_object_get_string_member (budget, "externalId"), ==, "AAMkBudget");
  g_assert_cmpstr (json_object_get_string_member (budget, "timeZone"), ==, "Europe/Berlin");
  g_assert_cmpstr (json_object_get_string_member (budget, "start"), ==, "2026-06-16T10:00:00+02:00");
  g_assert_cmpstr (json_object_get_string_member (budget, "end"), ==, "2026-06-16T11:00:00+02:00");
  g_assert_cmpstr (json_object_get_string_member (budget, "location"), ==, "Room 4");
  /* HTML read as HTML: entities decoded, style dropped, no tags */
  g_assert_nonnull (strstr (json_object_get_string_member (budget, "description"), "Agenda: numbers & plans"));
  g_assert_null (strstr (json_object_get_string_member (budget, "description"), "<"));
  g_assert_null (strstr (json_object_get_string_member (budget, "description"), "color:red"));
  g_assert_cmpstr (json_object_get_string_member (budget, "conferenceUrl"), ==,
                   "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc");
  g_assert_cmpstr (json_object_get_string_member (budget, "eventType"), ==, "meeting");
  organizer = find_attendee (budget, ANN);
  g_assert_nonnull (organizer);
  g_assert_true (json_object_get_boolean_member (organizer, "organizer"));
  g_assert_cmpstr (json_object_get_string_member (find_attendee (budget, "bob@contoso.example"), "response"), ==, "accepted");
  g_assert_cmpstr (json_object_get_string_member (find_attendee (budget, "cat@contoso.example"), "response"), ==, "tentative");
  g_assert_cmpstr (json_object_get_string_member (find_attendee (budget, "dan@contoso.example"), "response"), ==, "declined");
  g_assert_cmpstr (json_object_get_string_member (find_attendee (budget, "eve@contoso.example"), "response"), ==, "needsAction");

  offsite = find_by (events, "title", "Offsite");
  g_assert_nonnull (offsite);
  g_assert_true (json_object_get_boolean_member (offsite, "allDay"));
  g_assert_cmpstr (json_object_get_string_member (offsite, "startDate"), ==, "2026-06-20");
  g_assert_cmpstr (json_object_get_string_member (offsite, "endDate"), ==, "2026-06-22");
  g_assert_false (json_object_has_member (offsite, "start"));

  weekly = find_by (events, "externalId", "AAMkSync1");
  g_assert_nonnull (weekly);
  g_assert_cmpstr (json_object_get_string_member (weekly, "recurringEventId"), ==, "AAMkSyncMaster");
  g_assert_cmpstr (json_object_get_string_member (weekly, "timeZone"), ==, "Europe/London");
  g_assert_cmpstr (json_object_get_string_member (weekly, "start"), ==, "2026-06-24T08:00:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (weekly, "originalStart"), ==, "2026-06-24T08:00:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (weekly, "conferenceUrl"), ==,
                   "https://teams.microsoft.com/l/meetup-join/19%3aweekly");

  planning = find_by (events, "title", "Planning");
  g_assert_nonnull (planning);
  g_assert_cmpstr (json_object_get_string_member (planning, "calendarName"), ==, "Team \xce\xa9");
  g_assert_cmpstr (json_object_get_string_member (planning, "description"), ==, "Bring ideas");
}

/* --next and --export read Outlook events like any others */
static void
check_next_and_export (Fixture *fx)
{
  const char *next[] = { "--next", "--json", NULL };
  const char *list[] = { "--list-accounts", "--json", NULL };
  g_autoptr(JsonNode) upcoming = run_json (fx, "Europe/Berlin", next, 0);
  g_autoptr(JsonNode) accounts = run_json (fx, NULL, list, 0);
  JsonObject *account = find_by (json_node_get_array (accounts), "provider", "outlook");
  JsonObject *calendar = json_array_get_object_element (json_object_get_array_member (account, "calendars"), 0);
  g_autofree char *path = g_build_filename (fx->dir, "outlook.ics", NULL);
  g_autofree char *file_option = g_strconcat ("--export=", path, NULL);
  g_autofree char *calendar_option = g_strconcat ("--calendar=", json_object_get_string_member (calendar, "id"), NULL);
  const char *export[] = { file_option, calendar_option, "--from=2026-06-14", "--to=2026-06-30", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *ics = NULL;

  /* CALSYNC_NOW is 15 June, 12:00 UTC: the budget review is the next event */
  g_assert_true (JSON_NODE_HOLDS_OBJECT (upcoming));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (upcoming), "title"), ==, "Budget review");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (upcoming), "provider"), ==, "outlook");

  g_assert_cmpint (run_calsync_in (fx, "Europe/Berlin", export, &out, &err), ==, 0);
  g_assert_true (g_file_get_contents (path, &ics, NULL, NULL));
  g_assert_nonnull (strstr (ics, "SUMMARY:Budget review"));
  g_assert_nonnull (strstr (ics, "DTSTART;TZID=Europe/Berlin:20260616T100000"));
  g_assert_nonnull (strstr (ics, "SUMMARY:Offsite"));
  g_assert_nonnull (strstr (ics, "DTSTART;VALUE=DATE:20260620"));
  g_assert_nonnull (strstr (ics, "DTEND;VALUE=DATE:20260622"));
  g_assert_null (strstr (ics, "SUMMARY:Planning"));   /* another calendar */
}

/* Changes on the server: a deletion (@removed), a cancelled occurrence, a renamed
 * calendar; then an expired delta link (410) and a full sync that equals the server */
static void
check_changes (Fixture *fx)
{
  const char *sync[] = { "--sync", "--json", NULL };
  const char *agenda[] = { "--agenda", "--from=2026-06-14", "--to=2026-06-30", "--json", NULL };
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) events = NULL;
  g_autoptr(JsonNode) after_full = NULL;
  JsonObject *calendar;

  calsync_fake_graph_delete_event (fx->graph, DEFAULT, "AAMkBudget");
  put_event (fx, DEFAULT,
    "{\"id\":\"AAMkSync0\",\"subject\":\"Weekly sync\",\"type\":\"occurrence\","
    "\"seriesMasterId\":\"AAMkSyncMaster\",\"originalStart\":\"2026-06-17T07:00:00Z\","
    "\"isAllDay\":false,\"isCancelled\":true,\"body\":{\"contentType\":\"html\",\"content\":\"\"},"
    "\"start\":{\"dateTime\":\"2026-06-17T07:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2026-06-17T07:30:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"originalStartTimeZone\":\"GMT Standard Time\",\"organizer\":" ORGANIZER ",\"attendees\":[]}");
  calsync_fake_graph_rename_calendar (fx->graph, TEAM, "Team plans");

  first = run_json (fx, NULL, sync, 0);
  calendar = find_by (json_object_get_array_member (json_node_get_object (first), "results"),
                      "calendarName", "Calendar");
  g_assert_nonnull (calendar);
  g_assert_cmpint (json_object_get_int_member (calendar, "deleted"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (calendar, "synced"), ==, 0);
  g_assert_nonnull (find_by (json_object_get_array_member (json_node_get_object (first), "results"),
                             "calendarName", "Team plans"));

  events = run_json (fx, "Europe/Berlin", agenda, 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (events)), ==, 3);
  g_assert_null (find_by (json_node_get_array (events), "title", "Budget review"));
  g_assert_null (find_by (json_node_get_array (events), "externalId", "AAMkSync0"));
  g_assert_nonnull (find_by (json_node_get_array (events), "externalId", "AAMkSync1"));

  /* The delta link expires while an event goes: the full round sweeps it */
  calsync_fake_graph_expire_delta_links (fx->graph);
  calsync_fake_graph_delete_event (fx->graph, TEAM, "AAMkPlanning");
  second = run_json (fx, NULL, sync, 0);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (second), "success"));
  after_full = run_json (fx, "Europe/Berlin", agenda, 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after_full)), ==, 2);
  g_assert_null (find_by (json_node_get_array (after_full), "title", "Planning"));
  g_assert_nonnull (find_by (json_node_get_array (after_full), "title", "Offsite"));
}

static void
check_no_token_anywhere (Fixture *fx)
{
  g_autoptr(GPtrArray) tokens = calsync_fake_msid_dup_issued_tokens (calsync_fake_graph_get_oauth (fx->graph));

  g_assert_cmpuint (tokens->len, >, 0);
  for (guint i = 0; i < tokens->len; i++)
    g_assert_null (strstr (fx->all_output->str, g_ptr_array_index (tokens, i)));
}

static void
test_end_to_end (Fixture       *fx,
                 gconstpointer  data)
{
  check_sign_in (fx);
  check_list (fx);
  check_first_sync (fx);
  check_agenda (fx, "Europe/Berlin");
  check_agenda (fx, "America/Los_Angeles");
  check_next_and_export (fx);
  check_changes (fx);
  check_no_token_anywhere (fx);
}

/* One Google and one Outlook account in one sync, one of them failing ------------- */

static void
test_mixed (Fixture       *fx,
            gconstpointer  data)
{
  const char *sync[] = { "--sync", "--json", NULL };
  const char *agenda[] = { "--agenda", "--from=2026-06-14", "--to=2026-06-30", "--json", NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) events = NULL;
  JsonObject *object;
  JsonArray *results;
  guint n_outlook = 0, n_google = 0;

  fx->google = calsync_fake_google_new ();
  calsync_fake_google_export_env (fx->google);
  calsync_fake_google_add_calendar (fx->google, ALEX, ALEX, ALEX, TRUE);
  calsync_fake_google_put_event (fx->google, ALEX,
    "{\"id\":\"lunch\",\"status\":\"confirmed\",\"summary\":\"Lunch\","
    "\"start\":{\"dateTime\":\"2026-06-16T12:00:00Z\"},\"end\":{\"dateTime\":\"2026-06-16T13:00:00Z\"}}");
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fx->google), ALEX);

  add_account (fx, "google", "Connected " ALEX " with 1 calendar.");
  add_account (fx, "outlook", "Connected " ANN " with 2 calendars.");

  /* Google's sign-in is revoked: Google fails, Outlook is stored whole */
  calsync_fake_oauth_revoke (calsync_fake_google_get_oauth (fx->google), ALEX);
  calsync_fake_oauth_expire_access_tokens (calsync_fake_google_get_oauth (fx->google));
  root = run_json (fx, NULL, sync, 1);
  object = json_node_get_object (root);
  g_assert_false (json_object_get_boolean_member (object, "success"));
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "Synced 2 of 3 calendar(s)");
  results = json_object_get_array_member (object, "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      const char *provider = json_object_get_string_member (result, "provider");

      if (g_strcmp0 (provider, "outlook") == 0)
        {
          n_outlook++;
          g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "success");
        }
      else
        {
          n_google++;
          g_assert_cmpstr (provider, ==, "google");
          g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "error");
          g_assert_nonnull (json_object_get_string_member (result, "error"));
        }
    }
  g_assert_cmpuint (n_outlook, ==, 2);
  g_assert_cmpuint (n_google, ==, 1);

  events = run_json (fx, "Europe/Berlin", agenda, 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (events)), ==, 5);
  g_assert_null (find_by (json_node_get_array (events), "title", "Lunch"));
}

#define ADD(path, func) \
  g_test_add ("/cli-outlook/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("CALSYNC_NOW", NOW, TRUE);
  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();

  ADD ("end-to-end", test_end_to_end);
  ADD ("mixed-accounts", test_mixed);

  return g_test_run ();
}
