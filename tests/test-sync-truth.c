/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sync-truth.c: after `calsync --sync` the database tells what the server
 * has — deletions seen through a 410 full sync (and local edits kept), calendars
 * removed, added and renamed on the server, one malformed event skipped without
 * losing its page, an older copy never replacing a newer one, two syncs at once,
 * and debug logging that never reaches the JSON on stdout. The real binary
 * against the fake Google, with tokens in the keyring of the test session. */
#define G_LOG_DOMAIN "test-sync-truth"

#include "config.h"

#include <locale.h>

#include "calsync-test-sync.h"
#include "calsync-test-utils.h"

#define ALEX "alex@example.com"
#define TEAM "team@group.calendar.google.com"
#define PROJECTS "projects@group.calendar.google.com"
#define TIMEOUT_MS CALSYNC_TEST_TIMEOUT_MS

typedef struct
{
  CalsyncTestGoogle google;
  gint64 account_id;
  gint64 primary_id;     /* calendar ids in the store */
  gint64 team_id;
} Fixture;

/* Helpers -------------------------------------------------------------------- */

static void
check_agenda (Fixture            *fx,
              const char * const *present,
              const char * const *absent,
              const char         *when)
{
  g_autoptr(JsonArray) agenda = calsync_test_june_agenda (fx->google.dir);
  g_autofree char *titles = calsync_test_agenda_titles (agenda);

  for (guint i = 0; present != NULL && present[i] != NULL; i++)
    CALSYNC_CHECK (calsync_test_agenda_count (agenda, present[i]) == 1,
                   "%s, “%s” is listed %u times by `calsync --agenda --json`, not once; it lists: %s",
                   when, present[i], calsync_test_agenda_count (agenda, present[i]), titles);
  for (guint i = 0; absent != NULL && absent[i] != NULL; i++)
    CALSYNC_CHECK (calsync_test_agenda_count (agenda, absent[i]) == 0,
                   "%s, `calsync --agenda --json` still lists “%s”; it lists: %s", when, absent[i], titles);
}

static JsonArray *
list_accounts (Fixture *fx)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autoptr(CalsyncTestRun) run = calsync_test_calsync (fx->google.dir, args, NULL, TIMEOUT_MS);

  CALSYNC_CHECK (run->status == 0, "`calsync --list-accounts --json` exited %d:\n%s", run->status, run->err);
  return calsync_test_parse_array (run->out, "The output of `calsync --list-accounts --json`");
}

/* The names of ALEX's calendars in `--list-accounts --json` */
static char *
alex_calendar_names (Fixture *fx)
{
  g_autoptr(JsonArray) accounts = list_accounts (fx);
  JsonObject *account = calsync_test_find_account (accounts, ALEX);

  CALSYNC_CHECK (account != NULL, "`calsync --list-accounts --json` no longer lists " ALEX);
  return calsync_test_calendar_names (account);
}

static CalsyncEvent *
stored_event (Fixture    *fx,
              gint64      calendar_id,
              const char *external_id)
{
  g_autoptr(GError) error = NULL;
  CalsyncEvent *event = calsync_store_lookup_event (fx->google.store, calendar_id, external_id, &error);

  g_assert_no_error (error);
  return event;
}

/* Fixture -------------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  calsync_test_google_setup (&fx->google, "sync-truth");
  fx->account_id = calsync_test_google_add_account (&fx->google, ALEX, 3600);
  fx->primary_id = calsync_test_add_calendar (fx->google.fake, fx->google.store, fx->account_id,
                                              ALEX, ALEX, ALEX, "#9fe1e7");
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  calsync_test_google_teardown (&fx->google);
}

static void
add_team (Fixture *fx)
{
  fx->team_id = calsync_test_add_calendar (fx->google.fake, fx->google.store, fx->account_id,
                                           ALEX, TEAM, "Team", "#42d692");
}

static void
put_three (Fixture *fx)
{
  calsync_test_google_put_event (&fx->google, ALEX, "standup", "Standup", 16);
  calsync_test_google_put_event (&fx->google, ALEX, "dentist", "Dentist", 17);
  calsync_test_google_put_event (&fx->google, ALEX, "review", "Review", 18);
}

/* 1. A deletion seen only through a full sync ------------------------------------- */

/* The event was deleted while the sync token expired: the incremental sync gets
 * 410, the full sync that follows does not list it, so it must go. */
static void
test_deleted_while_token_expired (Fixture       *fx,
                                  gconstpointer  data)
{
  const char *all[] = { "Standup", "Dentist", "Review", NULL };
  const char *kept[] = { "Standup", "Review", NULL };
  const char *gone[] = { "Dentist", NULL };
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;

  put_three (fx);
  first = calsync_test_sync_json (fx->google.dir, 0, "(first sync)");
  check_agenda (fx, all, NULL, "After the first sync");

  calsync_fake_google_delete_event (fx->google.fake, ALEX, "dentist");
  calsync_fake_google_expire_sync_tokens (fx->google.fake);
  second = calsync_test_sync_json (fx->google.dir, 0, "after the sync token expired (410, then a full sync)");
  check_agenda (fx, kept, gone, "After a full sync that no longer lists the event deleted on the server");
}

/* Same, with an event edited here and not pushed yet: the full sync lists the
 * server's older copy; the local edit must survive the sweep (no wipe). */
static void
test_local_edit_survives_full_sync (Fixture       *fx,
                                    gconstpointer  data)
{
  const char *kept[] = { "Standup", "Review (moved to Friday)", NULL };
  const char *gone[] = { "Dentist", "Review", NULL };
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(CalsyncEvent) review = NULL;
  g_autoptr(CalsyncEvent) after = NULL;
  g_autoptr(GError) error = NULL;

  put_three (fx);
  first = calsync_test_sync_json (fx->google.dir, 0, "(first sync)");

  review = stored_event (fx, fx->primary_id, "review");
  CALSYNC_CHECK (review != NULL, "The first sync did not store the event “review”");
  calsync_event_set_title (review, "Review (moved to Friday)");
  g_assert_true (calsync_store_edit_local_event (fx->google.store, review, &error));
  g_assert_no_error (error);

  calsync_fake_google_delete_event (fx->google.fake, ALEX, "dentist");
  calsync_fake_google_expire_sync_tokens (fx->google.fake);
  second = calsync_test_sync_json (fx->google.dir, 0, "after the sync token expired, with a local edit pending");

  after = stored_event (fx, fx->primary_id, "review");
  CALSYNC_CHECK (after != NULL, "The locally edited event was swept by the full sync");
  CALSYNC_CHECK (g_strcmp0 (calsync_event_get_title (after), "Review (moved to Friday)") == 0,
                 "The local edit was overwritten by the server's older copy: the title is “%s”",
                 calsync_event_get_title (after));
  check_agenda (fx, kept, gone, "After a 410 full sync with an unpushed local edit");
}

/* 2, 3. Calendars removed, added and renamed on the server ------------------------- */

static void
test_calendar_removed (Fixture       *fx,
                       gconstpointer  data)
{
  const char *both[] = { "Standup", "Offsite", NULL };
  const char *kept[] = { "Standup", NULL };
  const char *gone[] = { "Offsite", NULL };
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(CalsyncTestRun) second = NULL;
  g_autoptr(JsonObject) third = NULL;
  g_autofree char *names = NULL;

  add_team (fx);
  calsync_test_google_put_event (&fx->google, ALEX, "standup", "Standup", 16);
  calsync_test_google_put_event (&fx->google, TEAM, "offsite", "Offsite", 19);
  first = calsync_test_sync_json (fx->google.dir, 0, "(first sync)");
  check_agenda (fx, both, NULL, "After the first sync");

  calsync_fake_google_remove_calendar (fx->google.fake, ALEX, TEAM);
  /* A removed calendar is not a failure: at the latest the second sync succeeds */
  second = calsync_test_calsync (fx->google.dir, args, NULL, TIMEOUT_MS);
  if (second->status != 0)
    g_test_message ("The first sync after the removal exited %d", second->status);
  third = calsync_test_sync_json (fx->google.dir, 0, "(the second sync after the calendar was removed on the server)");

  check_agenda (fx, kept, gone, "After the calendar “Team” was removed on the server");
  names = alex_calendar_names (fx);
  CALSYNC_CHECK (strstr (names, "“Team”") == NULL,
                 "`calsync --list-accounts --json` still lists the removed calendar: %s", names);
}

static void
test_calendar_added_and_renamed (Fixture       *fx,
                                 gconstpointer  data)
{
  const char *kickoff[] = { "Standup", "Kickoff", NULL };
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) third = NULL;
  g_autoptr(JsonArray) agenda = NULL;
  g_autofree char *names = NULL;
  g_autofree char *renamed = NULL;
  JsonObject *result;

  calsync_test_google_put_event (&fx->google, ALEX, "standup", "Standup", 16);
  first = calsync_test_sync_json (fx->google.dir, 0, "(first sync)");

  calsync_fake_google_add_calendar (fx->google.fake, ALEX, PROJECTS, "Projects", FALSE);
  calsync_test_google_put_event (&fx->google, PROJECTS, "kickoff", "Kickoff", 22);
  second = calsync_test_sync_json (fx->google.dir, 0, "after a calendar was added on the server");
  names = alex_calendar_names (fx);
  CALSYNC_CHECK (strstr (names, "“Projects”") != NULL,
                 "The calendar added on the server is not in `--list-accounts --json`: %s", names);
  result = calsync_test_find_result (second, "Projects");
  CALSYNC_CHECK (result != NULL, "The sync after the calendar was added did not sync it");
  check_agenda (fx, kickoff, NULL, "After the sync that found the new calendar “Projects”");

  calsync_fake_google_rename_calendar (fx->google.fake, PROJECTS, "Projects 2027");
  third = calsync_test_sync_json (fx->google.dir, 0, "after the calendar was renamed on the server");
  renamed = alex_calendar_names (fx);
  CALSYNC_CHECK (strstr (renamed, "“Projects 2027”") != NULL && strstr (renamed, "“Projects”") == NULL,
                 "After the rename `--list-accounts --json` lists: %s", renamed);
  CALSYNC_CHECK (calsync_test_find_result (third, "Projects 2027") != NULL,
                 "The sync after the rename does not name the calendar “Projects 2027”");
  agenda = calsync_test_june_agenda (fx->google.dir);
  for (guint i = 0; i < json_array_get_length (agenda); i++)
    {
      JsonObject *event = json_array_get_object_element (agenda, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "title", NULL), "Kickoff") == 0)
        CALSYNC_CHECK (g_strcmp0 (json_object_get_string_member_with_default (event, "calendarName", NULL),
                                  "Projects 2027") == 0,
                       "`--agenda --json` gives “Kickoff” the calendar name “%s”",
                       json_object_get_string_member_with_default (event, "calendarName", NULL));
    }
}

/* 11. One malformed event among 100 ----------------------------------------------- */

static void
check_malformed_skipped (Fixture    *fx,
                         const char *malformed)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *result;
  gint64 stored;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *id = g_strdup_printf ("event%03u", i);
      g_autofree char *title = g_strdup_printf ("Event %u", i);

      if (i == 50)
        calsync_fake_google_put_malformed_event (fx->google.fake, ALEX, malformed);
      else
        calsync_test_google_put_event (&fx->google, ALEX, id, title, 1 + (int) (i % 28));
    }

  report = calsync_test_sync_json (fx->google.dir, 0, "with one malformed event among 100");
  result = calsync_test_result_of (report, ALEX);
  CALSYNC_CHECK (g_strcmp0 (json_object_get_string_member_with_default (result, "status", NULL), "success") == 0,
                 "One malformed event made the whole calendar fail: %s",
                 json_object_get_string_member_with_default (result, "error", "(no error text)"));
  CALSYNC_CHECK (json_object_get_int_member_with_default (result, "total", -1) == 100 &&
                 json_object_get_int_member_with_default (result, "synced", -1) == 99 &&
                 json_object_get_int_member_with_default (result, "skipped", -1) == 1,
                 "Expected total 100 = 99 synced + 1 skipped; got total %" G_GINT64_FORMAT ", synced %"
                 G_GINT64_FORMAT ", skipped %" G_GINT64_FORMAT,
                 json_object_get_int_member_with_default (result, "total", -1),
                 json_object_get_int_member_with_default (result, "synced", -1),
                 json_object_get_int_member_with_default (result, "skipped", -1));

  stored = calsync_store_count_events (fx->google.store, fx->primary_id, &error);
  g_assert_no_error (error);
  CALSYNC_CHECK (stored == 99, "%" G_GINT64_FORMAT " events are stored, not the 99 good ones of the page", stored);
}

static void
test_malformed_date (Fixture       *fx,
                     gconstpointer  data)
{
  check_malformed_skipped (fx, "{\"id\":\"broken\",\"status\":\"confirmed\",\"summary\":\"Broken\","
                               "\"start\":{\"dateTime\":\"not-a-date\"},"
                               "\"end\":{\"dateTime\":\"2026-06-16T11:00:00Z\"}}");
}

static void
test_malformed_no_start (Fixture       *fx,
                         gconstpointer  data)
{
  check_malformed_skipped (fx, "{\"id\":\"nostart\",\"status\":\"confirmed\",\"summary\":\"No start\","
                               "\"end\":{\"dateTime\":\"2026-06-16T11:00:00Z\"}}");
}

/* 12. An older copy in an incremental page ------------------------------------------ */

static void
test_older_copy_skipped (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) third = NULL;
  g_autoptr(CalsyncEvent) before = NULL;
  g_autoptr(CalsyncEvent) after = NULL;
  JsonObject *result;

  calsync_test_google_put_event (&fx->google, ALEX, "budget", "Budget review", 16);
  first = calsync_test_sync_json (fx->google.dir, 0, "(first sync)");
  calsync_test_google_put_event (&fx->google, ALEX, "budget", "Budget review (final)", 16);
  second = calsync_test_sync_json (fx->google.dir, 0, "(the sync of the newer copy)");
  before = stored_event (fx, fx->primary_id, "budget");
  CALSYNC_CHECK (before != NULL && g_strcmp0 (calsync_event_get_title (before), "Budget review (final)") == 0,
                 "The incremental sync did not store the newer copy");

  /* The same event as it was long ago, in the next incremental page */
  calsync_fake_google_put_event_as_is (fx->google.fake, ALEX,
    "{\"id\":\"budget\",\"status\":\"confirmed\",\"summary\":\"Budget review (draft)\","
    "\"etag\":\"\\\"1577836800000000\\\"\",\"updated\":\"2020-01-01T00:00:00.000Z\","
    "\"start\":{\"dateTime\":\"2026-06-16T10:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-06-16T11:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"}}");
  third = calsync_test_sync_json (fx->google.dir, 0, "with an older copy in the incremental page");
  result = calsync_test_result_of (third, ALEX);

  after = stored_event (fx, fx->primary_id, "budget");
  CALSYNC_CHECK (after != NULL, "The older copy made the stored event disappear");
  CALSYNC_CHECK (g_strcmp0 (calsync_event_get_title (after), "Budget review (final)") == 0,
                 "An older copy (updated 2020-01-01) replaced the newer one: the title is now “%s”",
                 calsync_event_get_title (after));
  CALSYNC_CHECK (calsync_event_get_remote_updated (after) == calsync_event_get_remote_updated (before),
                 "The stored `updated` changed from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                 calsync_event_get_remote_updated (before), calsync_event_get_remote_updated (after));
  CALSYNC_CHECK (json_object_get_int_member_with_default (result, "skipped", -1) == 1 &&
                 json_object_get_int_member_with_default (result, "total", -1) == 1,
                 "The older copy should count as 1 skipped of 1 total; got skipped %" G_GINT64_FORMAT
                 ", updated %" G_GINT64_FORMAT ", total %" G_GINT64_FORMAT,
                 json_object_get_int_member_with_default (result, "skipped", -1),
                 json_object_get_int_member_with_default (result, "updated", -1),
                 json_object_get_int_member_with_default (result, "total", -1));
}

/* 13. Two syncs at once on one database ---------------------------------------------- */

/* Asserts that @calendar_id holds each of @n events "@prefix<i>" exactly once, and nothing else */
static void
check_calendar_equals_server (Fixture    *fx,
                              gint64      calendar_id,
                              const char *prefix,
                              guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = calsync_store_list_calendar_events (fx->google.store, calendar_id,
                                                                     G_MININT64, G_MAXINT64, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      const char *id = calsync_event_get_external_id (g_ptr_array_index (events, i));

      CALSYNC_CHECK (g_str_has_prefix (id, prefix), "The database holds an event the server does not have: %s", id);
      CALSYNC_CHECK (g_hash_table_add (seen, (gpointer) id), "The event %s is stored twice", id);
    }
  CALSYNC_CHECK (events->len == n, "%u events of %s are stored, the server has %u", events->len, prefix, n);
}

static void
test_two_syncs_at_once (Fixture       *fx,
                        gconstpointer  data)
{
  const char *args[] = { "--sync", "--json", NULL };
  CalsyncTestChild *children[2];
  CalsyncTestRun *runs[2];

  add_team (fx);
  calsync_fake_google_set_page_size (fx->google.fake, 7);
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *a = g_strdup_printf ("alex%02u", i);
      g_autofree char *t = g_strdup_printf ("team%02u", i);

      calsync_test_google_put_event (&fx->google, ALEX, a, a, 1 + (int) (i % 28));
      calsync_test_google_put_event (&fx->google, TEAM, t, t, 1 + (int) (i % 28));
    }

  children[0] = calsync_test_child_spawn (fx->google.dir, args, NULL);
  children[1] = calsync_test_child_spawn (fx->google.dir, args, NULL);
  for (guint i = 0; i < 2; i++)
    {
      runs[i] = calsync_test_child_finish (children[i], TIMEOUT_MS);
      CALSYNC_CHECK (runs[i] != NULL, "Sync %u of two started at once was still running after %u s",
                     i + 1, TIMEOUT_MS / 1000);
    }
  for (guint i = 0; i < 2; i++)
    CALSYNC_CHECK (runs[i]->status == 0, "Sync %u of two started at once exited %d (signal %d):\n%s\n%s",
                   i + 1, runs[i]->status, runs[i]->signal, runs[i]->out, runs[i]->err);
  for (guint i = 0; i < 2; i++)
    {
      json_object_unref (calsync_test_parse_object (runs[i]->out, "The output of a sync run at once"));
      calsync_test_run_free (runs[i]);
    }

  check_calendar_equals_server (fx, fx->primary_id, "alex", 60);
  check_calendar_equals_server (fx, fx->team_id, "team", 60);
}

/* 10. Debug logging never reaches stdout ---------------------------------------------- */

static void
test_debug_log_on_stderr (Fixture       *fx,
                          gconstpointer  data)
{
  const char *args[] = { "--sync", "--json", NULL };
  const char *env[] = { "G_MESSAGES_DEBUG=all", NULL };
  g_autoptr(CalsyncTestRun) run = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *stripped = NULL;

  calsync_test_google_put_event (&fx->google, ALEX, "standup", "Standup", 16);
  run = calsync_test_calsync (fx->google.dir, args, env, TIMEOUT_MS);
  CALSYNC_CHECK (run->status == 0, "`G_MESSAGES_DEBUG=all calsync --sync --json` exited %d:\n%s",
                 run->status, run->err);

  stripped = g_strstrip (g_strdup (run->out));
  CALSYNC_CHECK (stripped[0] == '{' && g_str_has_suffix (stripped, "}"),
                 "With G_MESSAGES_DEBUG=all, stdout is not only the JSON object:\n%.3000s", run->out);
  report = calsync_test_parse_object (run->out, "With G_MESSAGES_DEBUG=all, stdout");
  CALSYNC_CHECK (strstr (run->out, "DEBUG") == NULL, "A debug line reached stdout:\n%.3000s", run->out);
  CALSYNC_CHECK (strstr (run->err, "DEBUG") != NULL,
                 "With G_MESSAGES_DEBUG=all, no debug line at all came on stderr:\n%.3000s", run->err);
}

#define ADD(path, func) \
  g_test_add ("/sync-truth/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  if (!calsync_test_sync_init (&argc, &argv))
    return 77;

  ADD ("deleted-while-token-expired", test_deleted_while_token_expired);
  ADD ("local-edit-survives-full-sync", test_local_edit_survives_full_sync);
  ADD ("calendar-removed", test_calendar_removed);
  ADD ("calendar-added-and-renamed", test_calendar_added_and_renamed);
  ADD ("malformed-event/bad-date", test_malformed_date);
  ADD ("malformed-event/no-start", test_malformed_no_start);
  ADD ("older-copy-skipped", test_older_copy_skipped);
  ADD ("two-syncs-at-once", test_two_syncs_at_once);
  ADD ("debug-log-on-stderr", test_debug_log_on_stderr);

  return g_test_run ();
}
